/* The finding model (src/finding/): fingerprints, order, counts, severities. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "finding/finding.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

static struct cg_finding *add(struct cg_findings *fs, const char *rule, enum cg_severity sev, const char *path,
			      uint32_t line, uint32_t column)
{
	struct cg_finding *f = cg_findings_add(fs);
	f->rule = cg_strdup(rule);
	f->severity = sev;
	f->path = cg_strdup(path);
	f->line = f->end_line = line;
	f->column = column;
	f->end_column = column + 1;
	f->message = cg_strdup("message");
	return f;
}

/* Stable over white space, different for any other part of the recipe. */
static void test_fingerprint(void **state)
{
	char a[CG_FINGERPRINT_SIZE], b[CG_FINGERPRINT_SIZE], c[CG_FINGERPRINT_SIZE], d[CG_FINGERPRINT_SIZE],
		e[CG_FINGERPRINT_SIZE], g[CG_FINGERPRINT_SIZE];
	(void)state;
	cg_fingerprint(a, "chrono-ban", "src/lib.rs", "use chrono::Utc;", 16, 0);
	cg_fingerprint(b, "chrono-ban", "src/lib.rs", "   use  chrono::Utc;\t\r\n", 23, 0);
	cg_fingerprint(c, "chrono-ban", "src/lib.rs", "use chrono::Utc;", 16, 1);
	cg_fingerprint(d, "missing-bench", "src/lib.rs", "use chrono::Utc;", 16, 0);
	cg_fingerprint(e, "chrono-ban", "src/main.rs", "use chrono::Utc;", 16, 0);
	cg_fingerprint(g, "chrono-ban", "src/lib.rs", "    use   chrono::Utc;  ", 24, 0);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strspn(a, "0123456789abcdef"), 16);
	assert_string_equal(a, b); /* white space is folded */
	assert_string_equal(a, g);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_string_not_equal(a, e);
	/* The recipe is part of every saved baseline: it must never change. */
	assert_string_equal(a, "841eafe7c09826c4");
}

/* The test's findings carry their flagged text as their message. */
static void message_text(struct cg_buf *out, const struct cg_finding *f, void *payload)
{
	(void)payload;
	cg_buf_puts(out, f->message);
}

static struct cg_finding *add_text(struct cg_findings *fs, const char *rule, const char *path, uint32_t line,
				   const char *text)
{
	struct cg_finding *f = add(fs, rule, CG_SEV_ERROR, path, line, 1);
	free(f->message);
	f->message = cg_strdup(text);
	return f;
}

/*
 * Identical findings (rule, path and text) are numbered in list order, the
 * first keeping occurrence 0; the slots group them. Any other finding keeps
 * occurrence 0, whatever its line.
 */
static void test_findings_fingerprint(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_fingerprint_slot slots[5];
	char want[CG_FINGERPRINT_SIZE];
	(void)state;
	add_text(&fs, "chrono-ban", "src/lib.rs", 3, "use chrono::Utc;");
	add_text(&fs, "chrono-ban", "src/lib.rs", 9, "  use chrono::Utc;"); /* the same text, folded */
	add_text(&fs, "missing-bench", "src/lib.rs", 12, "use chrono::Utc;");
	add_text(&fs, "chrono-ban", "src/main.rs", 1, "use chrono::Utc;");
	add_text(&fs, "chrono-ban", "src/lib.rs", 40, "use chrono::Utc;");
	cg_findings_fingerprint(fs.items, fs.len, message_text, NULL, slots);

	cg_fingerprint(want, "chrono-ban", "src/lib.rs", "use chrono::Utc;", 16, 0);
	assert_string_equal(fs.items[0].fingerprint, want);
	cg_fingerprint(want, "chrono-ban", "src/lib.rs", "use chrono::Utc;", 16, 1);
	assert_string_equal(fs.items[1].fingerprint, want);
	cg_fingerprint(want, "chrono-ban", "src/lib.rs", "use chrono::Utc;", 16, 2);
	assert_string_equal(fs.items[4].fingerprint, want);
	cg_fingerprint(want, "missing-bench", "src/lib.rs", "use chrono::Utc;", 16, 0);
	assert_string_equal(fs.items[2].fingerprint, want);
	cg_fingerprint(want, "chrono-ban", "src/main.rs", "use chrono::Utc;", 16, 0);
	assert_string_equal(fs.items[3].fingerprint, want);

	/* Sorted by base, then list order: the three copies side by side, first to last. */
	for (size_t i = 1; i < fs.len; i++)
		assert_true(strcmp(slots[i - 1].base, slots[i].base) < 0 ||
			    (!strcmp(slots[i - 1].base, slots[i].base) && slots[i - 1].index < slots[i].index));
	for (size_t i = 0; i < fs.len; i++) {
		if (slots[i].index == 0) {
			assert_true(i + 2 < fs.len);
			assert_int_equal(slots[i + 1].index, 1);
			assert_int_equal(slots[i + 2].index, 4);
			assert_string_equal(slots[i + 2].base, fs.items[0].fingerprint);
		}
	}
	cg_findings_release(&fs);
}

/*
 * What GitLab and the forges rely on: the fingerprints one call gives are
 * unique, however often a producer repeats itself, and do not depend on
 * the line numbers.
 */
static void test_findings_fingerprint_is_unique(void **state)
{
	static const char *const texts[] = { "}", "    }", "let x = 1;", "", "use chrono::Utc;" };
	static const char *const rules[] = { "review/style", "review/bugs" };
	struct cg_findings fs = CG_FINDINGS_INIT, shifted = CG_FINDINGS_INIT;
	(void)state;
	for (uint32_t i = 0; i < 300; i++) {
		const char *rule = rules[i % 2], *text = texts[i % 5], *path = i % 7 ? "src/a.rs" : "src/b.rs";
		add_text(&fs, rule, path, i + 1, text);
		add_text(&shifted, rule, path, i + 100, text);
	}
	cg_findings_fingerprint(fs.items, fs.len, message_text, NULL, NULL);
	cg_findings_fingerprint(shifted.items, shifted.len, message_text, NULL, NULL);
	for (size_t i = 0; i < fs.len; i++) {
		assert_int_equal(strlen(fs.items[i].fingerprint), CG_FINGERPRINT_SIZE - 1);
		assert_string_equal(fs.items[i].fingerprint, shifted.items[i].fingerprint);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(fs.items[i].fingerprint, fs.items[k].fingerprint);
	}
	cg_findings_release(&fs);
	cg_findings_release(&shifted);
}

/* Path, line, column, rule, message; a finding without a path sorts first. */
static void test_sort(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	(void)state;
	add(&fs, "b", CG_SEV_ERROR, "src/lib.rs", 3, 1);
	add(&fs, "a", CG_SEV_ERROR, "src/lib.rs", 3, 1);
	add(&fs, "a", CG_SEV_ERROR, "src/lib.rs", 2, 9);
	add(&fs, "a", CG_SEV_ERROR, "Cargo.toml", 9, 1);
	add(&fs, "a", CG_SEV_ERROR, "src/lib.rs", 3, 0);
	free(fs.items[4].path);
	fs.items[4].path = NULL;
	cg_findings_sort(&fs);
	assert_null(fs.items[0].path);
	assert_string_equal(fs.items[1].path, "Cargo.toml");
	assert_int_equal(fs.items[2].line, 2);
	assert_string_equal(fs.items[3].rule, "a");
	assert_string_equal(fs.items[4].rule, "b");
	cg_findings_release(&fs);
}

/* Only visible findings count by severity; suppressed and baselined ones are counted apart. */
static void test_count(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_finding *both;
	struct cg_finding_counts counts;
	(void)state;
	add(&fs, "a", CG_SEV_ERROR, "a.rs", 1, 1);
	add(&fs, "a", CG_SEV_ERROR, "a.rs", 2, 1)->is_suppressed = true;
	add(&fs, "a", CG_SEV_WARNING, "a.rs", 3, 1)->is_baselined = true;
	both = add(&fs, "a", CG_SEV_WARNING, "a.rs", 4, 1);
	both->is_suppressed = both->is_baselined = true;
	add(&fs, "a", CG_SEV_NOTE, "a.rs", 5, 1);
	add(&fs, "a", CG_SEV_NOTE, "a.rs", 6, 1);
	cg_findings_count(&counts, &fs);
	assert_int_equal(counts.visible[CG_SEV_ERROR], 1);
	assert_int_equal(counts.visible[CG_SEV_WARNING], 0);
	assert_int_equal(counts.visible[CG_SEV_NOTE], 2);
	assert_int_equal(counts.suppressed, 2); /* a suppressed finding is not counted as baselined too */
	assert_int_equal(counts.baselined, 1);
	for (size_t i = 0; i < fs.len; i++)
		assert_int_equal(cg_finding_is_visible(&fs.items[i]),
				 !fs.items[i].is_suppressed && !fs.items[i].is_baselined);
	cg_findings_release(&fs);
}

static void test_severity_names(void **state)
{
	static const char *const names[] = { "off", "note", "warning", "error" };
	enum cg_severity sev;
	(void)state;
	for (int s = CG_SEV_OFF; s <= CG_SEV_ERROR; s++) {
		assert_string_equal(cg_severity_name((enum cg_severity)s), names[s]);
		assert_int_equal(cg_severity_parse(&sev, names[s]), 0);
		assert_int_equal(sev, s);
	}
	assert_int_equal(cg_severity_parse(&sev, "fatal"), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "expected one of error, warning, note, off"));
}

static void test_fix_edits(void **state)
{
	struct cg_findings list = CG_FINDINGS_INIT;
	struct cg_finding *f = cg_findings_add(&list);
	struct cg_edit later = { "src/a.rs", 20, 20, 2, 5, 2, 5, ".await" };
	struct cg_edit first = { "src/a.rs", 4, 10, 1, 5, 1, 11, "tokio::fs::read" };
	struct cg_edit inside = { "src/a.rs", 6, 8, 1, 7, 1, 9, "x" };
	struct cg_edit same_insert = { "src/a.rs", 20, 20, 2, 5, 2, 5, "?" };
	struct cg_edit other_file = { "Cargo.toml", 4, 10, 1, 5, 1, 11, "jiff" };
	(void)state;

	f->fix = cg_calloc(1, sizeof(*f->fix));
	f->fix->applicability = CG_FIX_MAYBE_INCORRECT;
	assert_true(cg_fix_add_edit(f->fix, &later));
	assert_true(cg_fix_add_edit(f->fix, &first));
	/* Overlapping edits, or two insertions at one offset, have no order to apply them in. */
	assert_false(cg_fix_add_edit(f->fix, &inside));
	assert_false(cg_fix_add_edit(f->fix, &same_insert));
	assert_true(cg_fix_add_edit(f->fix, &other_file));
	assert_int_equal(f->fix->nedits, 3);
	assert_string_equal(f->fix->edits[0].path, "Cargo.toml");
	assert_string_equal(f->fix->edits[1].replacement, "tokio::fs::read");
	assert_int_equal(f->fix->edits[2].byte_start, 20);
	assert_ptr_not_equal(f->fix->edits[2].replacement, later.replacement);
	assert_string_equal(cg_applicability_name(f->fix->applicability), "maybe-incorrect");
	assert_string_equal(cg_applicability_name(CG_FIX_MACHINE_APPLICABLE), "machine-applicable");
	assert_string_equal(cg_applicability_name(CG_FIX_HAS_PLACEHOLDERS), "has-placeholders");
	cg_findings_release(&list); /* frees the fix: the sanitizer suite sees a leak otherwise */
}

static int setup(void **state)
{
	(void)state;
	git_libgit2_init(); /* the fingerprint's SHA-1 is libgit2's */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_findings_fingerprint),
		cmocka_unit_test(test_findings_fingerprint_is_unique),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_fix_edits),
	};
	return cmocka_run_group_tests_name("finding", tests, setup, teardown);
}
