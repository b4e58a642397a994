/* The rule pass (src/rules/pass.c and the files pass.h lists): fingerprints, suppressions, filters, baselines,
 * robustness. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/change.h"
#include "config/config.h"
#include "finding/finding.h"
#include "rules/rule.h"
#include "util/buf.h"
#include "util/error.h"

struct fixture {
	struct sandbox sb;
	struct cg_config *cfg;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	sandbox_init(&fx->sb, 0);
	assert_int_equal(cg_config_load(&fx->cfg, NULL, NULL), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cg_config_free(fx->cfg);
	sandbox_free(&fx->sb);
	free(fx);
	return 0;
}

/* Runs the pass over the staged change (or every file with `all`). */
static void run_pass(struct fixture *fx, struct cg_findings *out, enum cg_filter filter, bool all, const char *baseline)
{
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_pass_stats stats = { 0 };
	struct cg_pass_opts po = { filter, baseline };

	o.source = all ? CG_SOURCE_ALL : CG_SOURCE_STAGED;
	assert_int_equal(cg_change_load(&c, fx->sb.repo, &o), 0);
	if (filter == CG_FILTER_ALL)
		assert_int_equal(cg_change_add_unchanged(&c, cg_rules_reads_path), 0);
	*out = (struct cg_findings)CG_FINDINGS_INIT;
	assert_int_equal(cg_rules_run(out, &stats, &c, fx->cfg, &po), 0);
	cg_pass_stats_release(&stats);
	cg_change_release(&c);
}

static void stage(struct fixture *fx, const char *path, const char *text)
{
	sandbox_write(&fx->sb, path, text);
	sandbox_stage(&fx->sb, path);
}

static const struct cg_finding *find(const struct cg_findings *l, const char *rule, uint32_t line)
{
	for (size_t i = 0; i < l->len; i++)
		if (!strcmp(l->items[i].rule, rule) && l->items[i].line == line)
			return &l->items[i];
	return NULL;
}

static size_t count_rule(const struct cg_findings *l, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < l->len; i++)
		n += !strcmp(l->items[i].rule, rule);
	return n;
}

/* Commit, add lines above, and the finding keeps its fingerprint. */
static void test_fingerprint_survives_shift(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings before, after;
	const struct cg_finding *f0, *f1;
	char head[GIT_OID_HEXSZ + 1];

	stage(fx, "src/lib.rs", "use chrono::Utc;\n");
	sandbox_commit(&fx->sb, "one", head);
	run_pass(fx, &before, CG_FILTER_ALL, true, NULL);
	f0 = find(&before, "chrono-ban", 1);
	assert_non_null(f0);

	stage(fx, "src/lib.rs", "//! A crate.\n\n// More words.\nuse chrono::Utc;\n");
	run_pass(fx, &after, CG_FILTER_FILE, false, NULL);
	f1 = find(&after, "chrono-ban", 4);
	assert_non_null(f1);
	assert_string_equal(f0->fingerprint, f1->fingerprint);
	cg_findings_release(&before);
	cg_findings_release(&after);
}

/* Identical lines get occurrence indexes, independent of which ones the filter shows. */
static void test_fingerprint_occurrences(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings all, added;
	char head[GIT_OID_HEXSZ + 1];
	const char *text = "fn f() {\n    let a = chrono::Utc::now();\n    let a = chrono::Utc::now();\n}\n";

	stage(fx, "src/lib.rs", text);
	sandbox_commit(&fx->sb, "one", head);
	run_pass(fx, &all, CG_FILTER_ALL, true, NULL);
	assert_int_equal(count_rule(&all, "chrono-ban"), 2);
	assert_string_not_equal(find(&all, "chrono-ban", 2)->fingerprint, find(&all, "chrono-ban", 3)->fingerprint);

	/* A change that adds an unrelated line shows nothing but keeps the same numbering. */
	stage(fx, "src/lib.rs",
	      "fn f() {\n    let a = chrono::Utc::now();\n    let a = chrono::Utc::now();\n}\nfn g() {}\n");
	run_pass(fx, &added, CG_FILTER_FILE, false, NULL);
	assert_string_equal(find(&all, "chrono-ban", 3)->fingerprint, find(&added, "chrono-ban", 3)->fingerprint);
	cg_findings_release(&all);
	cg_findings_release(&added);
}

static void test_suppressions(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings out;
	struct cg_finding_counts counts;
	const struct cg_finding *f;

	stage(fx, "src/lib.rs",
	      "use chrono::Utc; // crabgate:allow(chrono-ban) wire format\n"	   /* 1: suppressed */
	      "// crabgate:allow(chrono-ban) migration window /* not the end */\n" /* 2 */
	      "use chrono::Local;\n"						   /* 3: suppressed */
	      "// crabgate:allow(chrono-ban)\n"					   /* 4: bare */
	      "use chrono::NaiveDate;\n"					   /* 5: stands */
	      "const S: &str = \"// crabgate:allow(chrono-ban) in a string\"; use chrono::Weekday;\n" /* 6 */
	      "/* crabgate:allow(chrono-ban) block comment */\n"				      /* 7 */
	      "use chrono::Duration;\n"); /* 8: suppressed */
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	f = find(&out, "chrono-ban", 1);
	assert_true(f && f->is_suppressed);
	assert_string_equal(f->suppression_reason, "wire format");
	f = find(&out, "chrono-ban", 3);
	assert_true(f && f->is_suppressed);
	assert_string_equal(f->suppression_reason, "migration window /* not the end */");
	f = find(&out, "chrono-ban", 5);
	assert_true(f && !f->is_suppressed);
	f = find(&out, "allow-without-reason", 4);
	assert_non_null(f);
	assert_int_equal(f->severity, CG_SEV_NOTE);
	assert_int_equal(f->column, 4);
	f = find(&out, "chrono-ban", 6);
	assert_true(f && !f->is_suppressed);
	f = find(&out, "chrono-ban", 8);
	assert_true(f && f->is_suppressed);
	assert_string_equal(f->suppression_reason, "block comment");
	cg_findings_count(&counts, &out);
	assert_int_equal(counts.suppressed, 3);
	assert_int_equal(counts.visible[CG_SEV_ERROR], 2);
	assert_int_equal(counts.visible[CG_SEV_NOTE], 1);
	cg_findings_release(&out);
}

static void test_filters(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings out;
	char head[GIT_OID_HEXSZ + 1];
	const char *lines[12] = { "use chrono::Utc;\n",
				  "fn a() {}\n",
				  "fn b() {}\n",
				  "fn c() {}\n",
				  "fn d() {}\n",
				  "fn e() {}\n",
				  "fn f() {}\n",
				  "fn g() {}\n",
				  "fn h() {}\n",
				  "fn i() {\n",
				  "    let x = chrono::Local::now();\n",
				  "}\n" };
	struct cg_buf text = CG_BUF_INIT;

	for (int i = 0; i < 12; i++)
		cg_buf_puts(&text, lines[i]);
	stage(fx, "src/lib.rs", text.ptr);
	stage(fx, "src/other.rs", "use chrono::Weekday;\n");
	sandbox_commit(&fx->sb, "one", head);
	/* Change line 8 only: line 11 is within the three lines of context, line 1 is not. */
	cg_buf_release(&text);
	for (int i = 0; i < 12; i++)
		cg_buf_puts(&text, i == 7 ? "fn g() { chrono::Utc::now(); }\n" : lines[i]);
	stage(fx, "src/lib.rs", text.ptr);
	cg_buf_release(&text);

	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	assert_int_equal(out.len, 1);
	assert_non_null(find(&out, "chrono-ban", 8));
	cg_findings_release(&out);

	run_pass(fx, &out, CG_FILTER_DIFF_CONTEXT, false, NULL);
	assert_int_equal(out.len, 2);
	assert_non_null(find(&out, "chrono-ban", 11));
	cg_findings_release(&out);

	run_pass(fx, &out, CG_FILTER_FILE, false, NULL);
	assert_int_equal(out.len, 3);
	assert_non_null(find(&out, "chrono-ban", 1));
	cg_findings_release(&out);

	run_pass(fx, &out, CG_FILTER_ALL, false, NULL);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.items[3].path, "src/other.rs");
	cg_findings_release(&out);
}

static void test_baseline_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings first, second;
	struct cg_buf path = CG_BUF_INIT;
	char **fps;
	struct cg_finding_counts counts;
	size_t n;

	stage(fx, "src/lib.rs", "use chrono::Utc;\nuse chrono::Local;\n");
	run_pass(fx, &first, CG_FILTER_ADDED, false, NULL);
	cg_buf_printf(&path, "%s/.git/baseline", fx->sb.dir);
	assert_int_equal(cg_baseline_write(path.ptr, &first), 0);
	assert_int_equal(cg_baseline_load(&fps, &n, path.ptr), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		free(fps[i]);
	free(fps);

	stage(fx, "src/lib.rs", "use chrono::Utc;\nuse chrono::Local;\nuse chrono::NaiveDate;\n");
	run_pass(fx, &second, CG_FILTER_ADDED, false, path.ptr);
	cg_findings_count(&counts, &second);
	assert_int_equal(counts.baselined, 2);
	assert_int_equal(counts.visible[CG_SEV_ERROR], 1);
	assert_false(find(&second, "chrono-ban", 3)->is_baselined);
	assert_true(find(&second, "chrono-ban", 1)->is_baselined);
	cg_findings_release(&first);
	cg_findings_release(&second);
	cg_buf_release(&path);
}

/* Deeply nested and broken input: no stack overflow, findings where the tree is sound. */
static void test_deep_and_broken_input(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings out;
	struct cg_buf text = CG_BUF_INIT;
	enum { DEPTH = 20000 };

	cg_buf_puts(&text, "use chrono::Utc;\nfn f() { let x = ");
	for (int i = 0; i < DEPTH; i++)
		cg_buf_putc(&text, '(');
	cg_buf_puts(&text, "chrono::Local::now()");
	for (int i = 0; i < DEPTH; i++)
		cg_buf_putc(&text, ')');
	cg_buf_puts(&text, "; }\nfn broken( {\n[dependencies\n");
	stage(fx, "src/lib.rs", text.ptr);
	stage(fx, "Cargo.toml", "[package\nname = \"x\"\n[dependencies]\nchrono = \n= \"0.4\"\n[[bench]\n");
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	assert_non_null(find(&out, "chrono-ban", 1));
	cg_findings_release(&out);
	cg_buf_release(&text);
}

/*
 * A file of megabytes is parsed a slice of items at a time (plan.c,
 * CG_CHUNKED_FILE_MIN): the use declarations reach every slice, a finding in
 * them is reported once, identical findings in different slices still get
 * distinct fingerprints, and a crabgate:allow works in any slice.
 */
static void test_huge_file_in_slices(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings out;
	struct cg_buf text = CG_BUF_INIT;
	static const char slow[] = "pub async fn tick() {\n    sleep(std::time::Duration::from_millis(1));\n}\n";
	uint32_t line = 3, slow_lines[3] = { 0, 0, 0 };
	const struct cg_finding *a, *b, *c;

	cg_buf_puts(&text, "use std::thread::sleep;\nuse chrono::Utc;\n");
	for (int i = 0; i < 160000; i++) {
		if (i == 10 || i == 80000 || i == 159990) {
			size_t k = i == 10 ? 0 : i == 80000 ? 1 : 2;
			if (k == 1) {
				cg_buf_puts(
					&text,
					"pub async fn tock() {\n    // crabgate:allow(blocking-in-async) on purpose\n"
					"    sleep(std::time::Duration::from_millis(1));\n}\n");
				slow_lines[k] = line + 2;
				line += 4;
			} else {
				cg_buf_puts(&text, slow);
				slow_lines[k] = line + 1;
				line += 3;
			}
		}
		cg_buf_printf(&text, "pub struct Pad%d {\n    pub a: u32,\n}\n", i);
		line += 3;
	}
	assert_true(text.size > 4u << 20);
	stage(fx, "src/gen.rs", text.ptr);
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	assert_int_equal(count_rule(&out, "chrono-ban"), 1);
	assert_non_null(find(&out, "chrono-ban", 2));
	a = find(&out, "blocking-in-async", slow_lines[0]);
	b = find(&out, "blocking-in-async", slow_lines[1]);
	c = find(&out, "blocking-in-async", slow_lines[2]);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_false(a->is_suppressed);
	assert_true(b->is_suppressed);
	assert_false(c->is_suppressed);
	assert_string_not_equal(a->fingerprint, c->fingerprint);
	assert_int_equal(count_rule(&out, "blocking-in-async"), 3);
	cg_findings_release(&out);
	cg_buf_release(&text);
}

/*
 * A change to a few items of a file parses only those items, with the
 * file's use declarations and inline modules (plan.c, cg_pass__run_on_items):
 * what the whole file says must still count, and fingerprints must equal a
 * whole parse's.
 */
static const char region_before[] = "use std::thread;\n"
				    "mod sys {\n"
				    "    pub use std::fs;\n"
				    "}\n"
				    "fn sleep(_ms: u64) {}\n"
				    "pub async fn first() {\n"
				    "    thread::sleep(std::time::Duration::from_millis(1));\n"
				    "}\n"
				    "pub async fn unchanged() -> usize {\n"
				    "    1\n"
				    "}\n"
				    "pub async fn second() {\n"
				    "    let _ = 0;\n"
				    "}\n";

static void test_changed_items_only(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings out, whole;
	struct cg_buf after = CG_BUF_INIT;
	const struct cg_finding *twin, *fs, *local, *whole_twin = NULL;

	stage(fx, "src/lib.rs", region_before);
	sandbox_commit(&fx->sb, "base", NULL);
	/* third() reads through the inline module and calls the local sleep(): names from unparsed items. */
	cg_buf_puts(&after, region_before);
	cg_buf_puts(&after, "pub async fn third() {\n"
			    "    let _ = sys::fs::read_to_string(\"x\");\n"
			    "    sleep(1);\n"
			    "}\n");
	stage(fx, "src/lib.rs", after.ptr);
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	fs = find(&out, "blocking-in-async", 16);
	local = find(&out, "blocking-in-async", 17);
	assert_non_null(fs);
	assert_null(local);
	assert_int_equal(count_rule(&out, "blocking-in-async"), 1);
	cg_findings_release(&out);

	/* fourth() repeats first()'s blocking line: its occurrence index needs the whole file (has_twin). */
	cg_buf_puts(&after, "pub async fn fourth() {\n"
			    "    thread::sleep(std::time::Duration::from_millis(1));\n"
			    "}\n");
	stage(fx, "src/lib.rs", after.ptr);
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	twin = find(&out, "blocking-in-async", 20);
	assert_non_null(twin);
	assert_null(find(&out, "blocking-in-async", 7)); /* not a changed line */
	/* The same finding seen through a whole parse: the same fingerprint, occurrence 1. */
	run_pass(fx, &whole, CG_FILTER_ALL, true, NULL);
	for (size_t i = 0; i < whole.len; i++)
		if (!strcmp(whole.items[i].rule, "blocking-in-async") && whole.items[i].line == 20)
			whole_twin = &whole.items[i];
	assert_non_null(whole_twin);
	assert_string_equal(twin->fingerprint, whole_twin->fingerprint);
	cg_findings_release(&whole);
	cg_findings_release(&out);
	cg_buf_release(&after);

	/* A file of comments has no item at all: nothing to parse, nothing to sort (found by fuzz_rules_rust). */
	stage(fx, "src/lib.rs", "//! async code here\n// crabgate:allow(missing-bench) generated\n");
	run_pass(fx, &out, CG_FILTER_ADDED, false, NULL);
	assert_int_equal(count_rule(&out, "blocking-in-async"), 0);
	cg_findings_release(&out);
}

/*
 * An impl or trait block with one async method is parsed as its head, the
 * members that may matter and its closing brace (plan.c, plan_members):
 * `Self`, the impl's gates, a macro call's `;` and a crabgate:allow must
 * read as in a whole parse, and fingerprints must equal it.
 */
static const char impl_members[] = "use std::thread;\n"
				   "pub struct Pool;\n"
				   "impl Pool {\n"
				   "    /// Not async, though its doc says async.\n"
				   "    pub fn open() -> Self {\n"
				   "        thread::sleep(std::time::Duration::from_millis(1));\n"
				   "        Pool\n"
				   "    }\n"
				   "    helper!(x);\n"
				   "    pub async fn wait(&self) {\n"
				   "        thread::sleep(std::time::Duration::from_millis(1));\n"
				   "        let _ = Self::open();\n"
				   "    }\n"
				   "    pub async fn quiet(&self) {\n"
				   "        // crabgate:allow(blocking-in-async) on purpose\n"
				   "        thread::sleep(std::time::Duration::from_millis(1));\n"
				   "    }\n"
				   "}\n"
				   "#[cfg(test)]\n"
				   "impl Pool {\n"
				   "    async fn in_test(&self) {\n"
				   "        thread::sleep(std::time::Duration::from_millis(1));\n"
				   "    }\n"
				   "    fn other(&self) {}\n"
				   "}\n"
				   "pub trait Tick {\n"
				   "    fn sync_one(&self) {}\n"
				   "    async fn tick(&self) {\n"
				   "        thread::sleep(std::time::Duration::from_millis(1));\n"
				   "    }\n"
				   "}\n";

static void test_impl_members_only(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings planned, reference;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_pass_stats stats = { 0 };

	stage(fx, "src/lib.rs", impl_members);
	sandbox_commit(&fx->sb, "base", NULL);
	run_pass(fx, &planned, CG_FILTER_ALL, true, NULL);
	o.source = CG_SOURCE_ALL;
	assert_int_equal(cg_change_load(&c, fx->sb.repo, &o), 0);
	assert_int_equal(cg_change_add_unchanged(&c, cg_rules_reads_path), 0);
	reference = (struct cg_findings)CG_FINDINGS_INIT;
	{
		struct cg_pass_opts po = { CG_FILTER_ALL, NULL, 1, 0, true };
		assert_int_equal(cg_rules_run(&reference, &stats, &c, fx->cfg, &po), 0);
	}
	cg_pass_stats_release(&stats);
	cg_change_release(&c);
	assert_non_null(find(&planned, "blocking-in-async", 11));
	assert_true(find(&planned, "blocking-in-async", 16)->is_suppressed);
	assert_non_null(find(&planned, "blocking-in-async", 29));
	assert_int_equal(planned.len, reference.len);
	for (size_t i = 0; i < planned.len; i++) {
		assert_string_equal(planned.items[i].rule, reference.items[i].rule);
		assert_int_equal(planned.items[i].line, reference.items[i].line);
		assert_string_equal(planned.items[i].message, reference.items[i].message);
		assert_string_equal(planned.items[i].fingerprint, reference.items[i].fingerprint);
		assert_int_equal(planned.items[i].is_suppressed, reference.items[i].is_suppressed);
	}
	cg_findings_release(&planned);
	cg_findings_release(&reference);
}

static void test_rule_registry(void **state)
{
	(void)state;
	assert_non_null(cg_rule_find("chrono-ban"));
	assert_non_null(cg_rule_find("missing-bench"));
	assert_non_null(cg_rule_find("allow-without-reason"));
	assert_null(cg_rule_find("no-such-rule"));
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		assert_non_null(r->summary);
		assert_non_null(r->explain);
		/* `crabgate explain` promises a bad and a good example. */
		assert_non_null(strstr(r->explain, "Bad"));
		assert_non_null(strstr(r->explain, "Good"));
		assert_true(r->default_severity >= CG_SEV_NOTE && r->default_severity <= CG_SEV_ERROR);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fingerprint_survives_shift, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_occurrences, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppressions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baseline_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_and_broken_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_file_in_slices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_items_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impl_members_only, setup, teardown),
		cmocka_unit_test(test_rule_registry),
	};
	return cmocka_run_group_tests_name("rules_pass", tests, NULL, NULL);
}
