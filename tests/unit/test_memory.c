/* Memory files: rendering, idempotency, the team's text kept, damaged input refused, commits. */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "memory/internal.h"
#include "memory/memory.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

struct fixture {
	struct cg_config *cfg;
	struct cg_memory_config mc;
	struct cg_findings findings;
	struct cg_memory_review review;
	struct cg_memory_facts facts;
};

static void add_finding(struct cg_findings *list, const char *rule, const char *path, uint32_t line, const char *msg,
			const char *help)
{
	struct cg_finding *f = cg_findings_add(list);
	f->rule = cg_strdup(rule);
	f->severity = CG_SEV_ERROR;
	f->path = cg_strdup(path);
	f->line = f->end_line = line;
	f->column = 1;
	f->message = cg_strdup(msg);
	f->help = cg_strdup(help);
	f->origin = CG_ORIGIN_RULES;
}

static const char *const lessons[] = { "Prefer jiff::Timestamp for instants.", "Bound every channel." };
static const char *const todos[] = { "Add a bench for parse_date" };

static int setup(void **state)
{
	struct fixture *fx = cg_calloc(1, sizeof(*fx));
	assert_int_equal(cg_config_load(&fx->cfg, NULL, NULL), 0);
	assert_int_equal(cg_memory_config_load(&fx->mc, fx->cfg), 0);
	add_finding(&fx->findings, "chrono-ban", "src/lib.rs", 3, "chrono is banned: imported here; use jiff",
		    "`Utc::now()` -> `jiff::Timestamp::now()`");
	add_finding(&fx->findings, "chrono-ban", "Cargo.toml", 8, "chrono is banned: dependency", NULL);
	add_finding(&fx->findings, "blocking-in-async", "src/net.rs", 12, "std::fs::read blocks the executor", NULL);
	fx->review.summary = "Adds date parsing.\nLooks fine otherwise.";
	fx->review.lessons = lessons;
	fx->review.nlessons = 2;
	fx->review.todos = todos;
	fx->review.ntodos = 1;
	fx->facts.key = cg_strdup("!12");
	fx->facts.scope = cg_strdup("!12");
	fx->facts.title = cg_strdup("Parse dates with chrono");
	fx->facts.base = cg_strdup("1111111111111111111111111111111111111111");
	fx->facts.head = cg_strdup("2222222222222222222222222222222222222222");
	fx->facts.files = 3;
	fx->facts.lines_added = 40;
	fx->facts.lines_removed = 2;
	cg_memory_facts_add_decision(&fx->facts, "parse with jiff, not chrono");
	cg_memory_facts_add_todo(&fx->facts, "src/lib.rs", 9, "TODO: handle leap seconds");
	fx->facts.findings = &fx->findings;
	fx->facts.review = &fx->review;
	fx->facts.now = NOW;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cg_memory_facts_release(&fx->facts);
	cg_findings_release(&fx->findings);
	cg_config_free(fx->cfg);
	free(fx);
	return 0;
}

/* Renders `which` over `old` (NULL: no file) and returns the text (owned). */
static char *render(struct fixture *fx, enum cg_memory_file which, const char *old)
{
	struct cg_buf out = CG_BUF_INIT;
	int err = cg_memory_render(which, &out, "f.md", old, old ? strlen(old) : 0, &fx->facts, &fx->mc);
	if (err)
		fail_msg("render failed: %s", cg_error_last());
	return cg_buf_detach(&out, NULL);
}

/* The error code rendering `old` gives, and the message checked for `needle`. */
static void assert_refused(struct fixture *fx, enum cg_memory_file which, const char *old, size_t len,
			   const char *needle)
{
	struct cg_buf out = CG_BUF_INIT;
	assert_int_equal(cg_memory_render(which, &out, "docs/f.md", old, len, &fx->facts, &fx->mc), CG_E_INPUT);
	assert_int_equal(out.size, 0);
	assert_non_null(strstr(cg_error_last(), "docs/f.md"));
	if (!strstr(cg_error_last(), needle))
		fail_msg("message '%s' lacks '%s'", cg_error_last(), needle);
	cg_buf_release(&out);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- memories.md -------------------------------------------------------- */

static void test_memories_new_file(void **state)
{
	struct fixture *fx = *state;
	char *text = render(fx, CG_MEMORY_MEMORIES, NULL);

	assert_true(cg_starts_with(text, "# Memories\n"));
	assert_non_null(strstr(text, "<!-- crabgate:entry key=!12 date=2026-01-01T00:00:00Z -->\n"
				     "## !12: Parse dates with chrono\n"
				     "- date: 2026-01-01T00:00:00Z\n"
				     "- change: 111111111111..222222222222, 3 files, +40 -2 lines\n"
				     "- rules: blocking-in-async (1), chrono-ban (2)\n"
				     "- summary: Adds date parsing. Looks fine otherwise.\n"
				     "- decision: parse with jiff, not chrono\n"
				     "<!-- crabgate:entry-end key=!12 -->\n"));
	free(text);
}

static void test_memories_optional_lines_dropped(void **state)
{
	struct fixture *fx = *state;
	char *text;

	fx->facts.review = NULL;
	for (size_t i = 0; i < fx->facts.ndecisions; i++)
		free(fx->facts.decisions[i]);
	fx->facts.ndecisions = 0;
	fx->facts.findings = NULL;
	text = render(fx, CG_MEMORY_MEMORIES, NULL);
	assert_null(strstr(text, "summary:"));
	assert_null(strstr(text, "decision:"));
	assert_non_null(strstr(text, "- rules: none\n"));
	free(text);
}

static void test_memories_idempotent_and_date_kept(void **state)
{
	struct fixture *fx = *state;
	char *once = render(fx, CG_MEMORY_MEMORIES, NULL), *twice, *later;

	twice = render(fx, CG_MEMORY_MEMORIES, once);
	assert_string_equal(once, twice);
	/* A re-run a day later with the same facts changes nothing, not even the date. */
	fx->facts.now = NOW + 86400;
	later = render(fx, CG_MEMORY_MEMORIES, once);
	assert_string_equal(once, later);
	free(once);
	free(twice);
	free(later);
}

static void test_memories_replaced_in_place(void **state)
{
	struct fixture *fx = *state;
	const char *before = "# Our memories\r\n\r\nWe chose tokio in 2024.\r\n\r\n";
	const char *after = "\r\nNotes below the entry stay.\r\n";
	const char *other = "<!-- crabgate:entry key=!11 date=2025-12-01T00:00:00Z -->\r\n## !11: older\r\n"
			    "<!-- crabgate:entry-end key=!11 -->\r\n";
	struct cg_buf old = CG_BUF_INIT;
	char *first, *second;

	cg_buf_printf(&old, "%s%s", before, other);
	first = render(fx, CG_MEMORY_MEMORIES, old.ptr);
	assert_true(cg_starts_with(first, old.ptr));			       /* appended, nothing above touched */
	assert_non_null(strstr(first, "## !12: Parse dates with chrono\r\n")); /* the file's CRLF kept */
	cg_buf_truncate(&old, 0);
	cg_buf_printf(&old, "%s%s", first, after);

	/* The change got a fix: its entry is rewritten where it is, once, with the new date. */
	fx->findings.len = 1;
	fx->facts.now = NOW + 3600;
	second = render(fx, CG_MEMORY_MEMORIES, old.ptr);
	assert_int_equal(count(second, "crabgate:entry key=!12"), 1);
	assert_non_null(strstr(second, "- rules: chrono-ban (1)\r\n"));
	assert_non_null(strstr(second, "date=2026-01-01T01:00:00Z"));
	assert_true(cg_starts_with(second, before));
	assert_non_null(strstr(second, other));
	assert_true(cg_ends_with(second, after));
	fx->findings.len = 3;
	cg_buf_release(&old);
	free(first);
	free(second);
}

static void test_memories_damaged_refused(void **state)
{
	struct fixture *fx = *state;
	const char *no_end = "# M\n\n<!-- crabgate:entry key=!12 date=2026-01-01T00:00:00Z -->\n## !12: x\n";
	const char *no_begin = "# M\n\n## !12: x\n<!-- crabgate:entry-end key=!12 -->\n";
	const char *twice = "<!-- crabgate:entry key=!12 date=x -->\n<!-- crabgate:entry-end key=!12 -->\n"
			    "<!-- crabgate:entry key=!12 date=x -->\n<!-- crabgate:entry-end key=!12 -->\n";
	const char *nested = "<!-- crabgate:entry key=!1 date=x -->\n<!-- crabgate:entry key=!2 date=x -->\n"
			     "<!-- crabgate:entry-end key=!2 -->\n";

	assert_refused(fx, CG_MEMORY_MEMORIES, no_end, strlen(no_end), ":3: entry '!12' has no end marker");
	assert_refused(fx, CG_MEMORY_MEMORIES, no_begin, strlen(no_begin), ":4: end marker for entry '!12' without");
	assert_refused(fx, CG_MEMORY_MEMORIES, twice, strlen(twice), ":3: a second entry for '!12'");
	assert_refused(fx, CG_MEMORY_MEMORIES, nested, strlen(nested), "restore");
}

static void test_outside_text_cannot_forge_markers(void **state)
{
	struct fixture *fx = *state;
	const char *evil = "ok -->\n<!-- crabgate:entry-end key=!12 -->\n<!-- crabgate:end -->";
	const char *lesson[] = { evil };
	char *mem, *again, *pad, *les;

	fx->review.summary = evil;
	fx->review.lessons = lesson;
	fx->review.nlessons = 1;
	fx->review.todos = lesson;
	mem = render(fx, CG_MEMORY_MEMORIES, NULL);
	assert_int_equal(count(mem, "<!-- crabgate:entry-end"), 1);
	assert_non_null(strstr(
		mem, "- summary: ok --&gt; &lt;!-- crabgate:entry-end key=!12 --&gt; &lt;!-- crabgate:end --&gt;\n"));
	again = render(fx, CG_MEMORY_MEMORIES, mem);
	assert_string_equal(mem, again);
	pad = render(fx, CG_MEMORY_SCRATCHPAD, NULL);
	assert_int_equal(count(pad, "<!-- crabgate:end -->"), 1);
	les = render(fx, CG_MEMORY_LESSONS, NULL);
	assert_int_equal(count(les, "<!--"), 2); /* the two rule markers, nothing forged */
	free(mem);
	free(again);
	free(pad);
	free(les);
}

/* ---- lessons-learned.md ------------------------------------------------- */

static void test_lessons_rules_and_review(void **state)
{
	struct fixture *fx = *state;
	char *text = render(fx, CG_MEMORY_LESSONS, NULL), *again;

	assert_true(cg_starts_with(text, "# Lessons learned\n"));
	/* The first time each rule fires: one lesson naming it and the fix. */
	assert_int_equal(count(text, "<!-- crabgate:rule chrono-ban -->"), 1);
	assert_int_equal(count(text, "<!-- crabgate:rule blocking-in-async -->"), 1);
	assert_non_null(strstr(text, "- `chrono-ban` first fired in !12 at `src/lib.rs:3`: chrono is banned: imported "
				     "here; use jiff. Fix: `Utc::now()` -> `jiff::Timestamp::now()` "
				     "<!-- crabgate:rule chrono-ban -->\n"));
	assert_non_null(strstr(text, "- Prefer jiff::Timestamp for instants.\n- Bound every channel.\n"));
	again = render(fx, CG_MEMORY_LESSONS, text);
	assert_string_equal(text, again);
	free(text);
	free(again);
}

static void test_lessons_dedup_and_existing_untouched(void **state)
{
	struct fixture *fx = *state;
	const char *old = "# Lessons\n\n* **PREFER**  `jiff::Timestamp` for instants\n- chrono-ban: we learned it "
			  "<!-- crabgate:rule chrono-ban -->\nLast line without newline";
	const char *more[] = { "bound every channel!", "Bound  every channel.", "A new one" };
	char *text;

	fx->review.lessons = more;
	fx->review.nlessons = 3;
	text = render(fx, CG_MEMORY_LESSONS, old);
	assert_true(cg_starts_with(text, old));
	assert_int_equal(count(text, "crabgate:rule chrono-ban"), 1); /* already learned */
	assert_int_equal(count(text, "crabgate:rule blocking-in-async"), 1);
	assert_null(strstr(text + strlen(old), "jiff::Timestamp for instants"));
	assert_int_equal(count(text, "very channel"), 1);
	assert_non_null(strstr(text, "Last line without newline\n\n- `blocking-in-async`"));
	assert_true(cg_ends_with(text, "- bound every channel!\n- A new one\n"));
	free(text);
}

static void test_lessons_can_be_turned_off(void **state)
{
	struct fixture *fx = *state;
	char *text;
	fx->mc.has_rule_lessons = false;
	fx->mc.has_review_lessons = false;
	text = render(fx, CG_MEMORY_LESSONS, "# L\n");
	assert_string_equal(text, "# L\n");
	free(text);
}

/* ---- scratchpad.md ------------------------------------------------------ */

static void test_scratchpad_new_file(void **state)
{
	struct fixture *fx = *state;
	char *text = render(fx, CG_MEMORY_SCRATCHPAD, NULL);

	assert_true(cg_starts_with(text, "# Scratchpad\n"));
	assert_non_null(strstr(text, "<!-- crabgate:begin -->\n"));
	assert_non_null(strstr(text,
			       "### !12\n"
			       "- [ ] src/lib.rs:3 chrono-ban \xe2\x80\x94 chrono is banned: imported here; use jiff\n"
			       "- [ ] Cargo.toml:8 chrono-ban \xe2\x80\x94 chrono is banned: dependency\n"
			       "- [ ] src/net.rs:12 blocking-in-async \xe2\x80\x94 std::fs::read blocks the executor\n"
			       "- [ ] Add a bench for parse_date\n"
			       "- [ ] src/lib.rs:9 \xe2\x80\x94 TODO: handle leap seconds\n"
			       "\n<!-- crabgate:end -->\n"));
	free(text);
}

static void test_scratchpad_outside_untouched(void **state)
{
	struct fixture *fx = *state;
	/* CRLF, trailing spaces, no final newline: all the team's, kept byte for byte. */
	const char *before = "# Our pad  \r\n\r\n- [ ] call the vendor\r\n\r\n";
	const char *after = "\r\n## Later\r\nideas, no newline at the end";
	struct cg_buf old = CG_BUF_INIT;
	char *first, *second;

	cg_buf_printf(&old, "%s<!-- crabgate:begin -->\r\n### main\r\n- [ ] stale\r\n<!-- crabgate:end -->%s", before,
		      after);
	first = render(fx, CG_MEMORY_SCRATCHPAD, old.ptr);
	assert_true(cg_starts_with(first, before));
	assert_true(cg_ends_with(first, "<!-- crabgate:end -->\r\n## Later\r\nideas, no newline at the end"));
	assert_non_null(strstr(first, "### main\r\n- [ ] stale\r\n\r\n### !12\r\n- [ ] src/lib.rs:3"));
	second = render(fx, CG_MEMORY_SCRATCHPAD, first);
	assert_string_equal(first, second);
	cg_buf_release(&old);
	free(first);
	free(second);
}

static void test_scratchpad_fixed_findings_drop_out(void **state)
{
	struct fixture *fx = *state;
	char *first = render(fx, CG_MEMORY_SCRATCHPAD, "# Pad\n"), *ticked, *second, *empty;
	char *box = strstr(first, "- [ ] src/net.rs:12");
	const struct cg_memory_review none = { 0 };

	/* Someone ticks a box; a later run keeps the tick and drops what was fixed. */
	assert_non_null(box);
	box[3] = 'x';
	ticked = cg_strdup(first);
	free(fx->findings.items[0].message);
	fx->findings.items[0].message = cg_strdup("chrono is banned: still here");
	{
		/* The Cargo.toml finding is fixed: this run no longer has it. */
		struct cg_finding gone = fx->findings.items[1];
		fx->findings.items[1] = fx->findings.items[2];
		fx->findings.items[2] = gone;
		fx->findings.len = 2;
		second = render(fx, CG_MEMORY_SCRATCHPAD, ticked);
		fx->findings.len = 3;
	}
	assert_null(strstr(second, "Cargo.toml:8"));
	assert_non_null(strstr(second, "- [ ] src/lib.rs:3 chrono-ban \xe2\x80\x94 chrono is banned: still here\n"));
	assert_non_null(strstr(second, "- [x] src/net.rs:12 blocking-in-async"));
	assert_int_equal(count(second, "### !12"), 1);

	/* Nothing open any more: the subsection goes. */
	fx->findings.len = 0;
	fx->facts.review = &none;
	for (size_t i = 0; i < fx->facts.ntodos; i++) {
		free(fx->facts.todos[i].path);
		free(fx->facts.todos[i].text);
	}
	fx->facts.ntodos = 0;
	empty = render(fx, CG_MEMORY_SCRATCHPAD, second);
	assert_null(strstr(empty, "### !12"));
	assert_non_null(strstr(empty, "Nothing open.\n"));
	fx->findings.len = 3;
	free(first);
	free(ticked);
	free(second);
	free(empty);
}

static void test_scratchpad_damaged_refused(void **state)
{
	struct fixture *fx = *state;
	const char *no_end = "# P\n<!-- crabgate:begin -->\n- [ ] x\n";
	const char *no_begin = "# P\n- [ ] x\n<!-- crabgate:end -->\n";
	const char *reversed = "<!-- crabgate:end -->\n<!-- crabgate:begin -->\n";
	const char *two =
		"<!-- crabgate:begin -->\n<!-- crabgate:end -->\n<!-- crabgate:begin -->\n<!-- crabgate:end -->\n";

	assert_refused(fx, CG_MEMORY_SCRATCHPAD, no_end, strlen(no_end), ":2: the crabgate block has");
	assert_refused(fx, CG_MEMORY_SCRATCHPAD, no_begin, strlen(no_begin), ":3: the crabgate block has");
	assert_refused(fx, CG_MEMORY_SCRATCHPAD, reversed, strlen(reversed), "comes before");
	assert_refused(fx, CG_MEMORY_SCRATCHPAD, two, strlen(two), ":3: a second crabgate block marker");
}

static void test_conflicts_bad_utf8_nul_refused(void **state)
{
	struct fixture *fx = *state;
	const char *conflict = "# x\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n";
	const char bad_utf8[] = "# x\n\xc3\x28 broken\n";
	const char nul[] = "# x\n\0binary\n";

	for (int w = 0; w < CG_MEMORY_NFILES; w++) {
		assert_refused(fx, (enum cg_memory_file)w, conflict, strlen(conflict),
			       ":2: has merge-conflict markers");
		assert_refused(fx, (enum cg_memory_file)w, bad_utf8, sizeof(bad_utf8) - 1, "not valid UTF-8");
		assert_refused(fx, (enum cg_memory_file)w, nul, sizeof(nul) - 1, "NUL");
	}
}

/* ---- config ------------------------------------------------------------- */

static void test_config(void **state)
{
	struct fixture *fx = *state;
	struct cg_memory_config mc;
	struct cg_config *cfg;
	const char *bad[][2] = {
		{ "memory:\n  scratchpad: [findings, nonsense]\n", "'nonsense' is not a section" },
		{ "memory:\n  entry: \"## {key} {titel}\\n\"\n", "unknown placeholder {titel}" },
		{ "memory:\n  files:\n    memories: ../outside.md\n", "memory.files.memories" },
		{ "memory:\n  files:\n    lessons: memories.md\n", "both 'memories.md'" },
		{ "memory:\n  push_attempts: 0\n", "push_attempts" },
	};

	assert_int_equal(fx->mc.mode, CG_MEMORY_MODE_COMMIT);
	assert_string_equal(fx->mc.paths[CG_MEMORY_SCRATCHPAD], "scratchpad.md");
	assert_int_equal(fx->mc.push_attempts, 3);
	assert_string_equal(fx->mc.author_name, "crabgate[bot]");
	assert_int_equal(fx->mc.nsections, 3);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
		assert_int_equal(cg_config_merge_text(cfg, "t.yaml", bad[i][0], strlen(bad[i][0])), 0);
		assert_int_equal(cg_memory_config_load(&mc, cfg), CG_E_CONFIG);
		if (!strstr(cg_error_last(), bad[i][1]))
			fail_msg("'%s' lacks '%s'", cg_error_last(), bad[i][1]);
		cg_config_free(cfg);
	}
	assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
	assert_int_equal(cg_config_merge_text(cfg, "t.yaml", "memory:\n  mode: fast\n", 20), CG_E_CONFIG);
	cg_config_free(cfg);
}

/* ---- gathering and committing, in real repositories --------------------- */

static struct cg_config *config_with(const char *yaml)
{
	struct cg_config *cfg;
	assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
	if (yaml)
		assert_int_equal(cg_config_merge_text(cfg, "t.yaml", yaml, strlen(yaml)), 0);
	return cfg;
}

static void load_range(struct cg_change *change, struct sandbox *sb, const char *base, const char *head)
{
	struct cg_change_opts opts = CG_CHANGE_OPTS_INIT;
	opts.source = CG_SOURCE_RANGE;
	opts.base = base;
	opts.head = head;
	if (cg_change_load(change, sb->repo, &opts) < 0)
		fail_msg("change: %s", cg_error_last());
}

static void test_gather(void **state)
{
	struct fixture *fx = *state;
	struct sandbox sb;
	struct cg_change change;
	struct cg_memory_facts facts;
	struct cg_memory_meta meta = { NULL, "feature", NULL, NOW };
	char base[GIT_OID_HEXSZ + 1], mid[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1];

	sandbox_init(&sb, 0);
	sandbox_write(&sb, "src/lib.rs", "// TODO: old, not added by the change\npub fn a() {}\n");
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_commit(&sb, "init", base);
	sandbox_write(&sb, "src/lib.rs",
		      "// TODO: old, not added by the change\npub fn a() {}\n"
		      "let s = \"TODO in a string\";\n/* FIXME: leaks the buffer */\n");
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_commit(&sb, "feat: add b\n\nDecision: keep the buffer global\n  decision: and log it\n", mid);
	sandbox_write(&sb, "memories.md", "# M\n// TODO: not code\n");
	sandbox_stage(&sb, "memories.md");
	sandbox_commit(&sb, "fix: shorter\n\nDecision: keep the buffer global\n", head);

	load_range(&change, &sb, base, head);
	assert_int_equal(cg_memory_gather(&facts, sb.repo, &change, &fx->findings, NULL, &meta, &fx->mc), 0);
	assert_int_equal(strlen(facts.key), 12);
	assert_true(cg_starts_with(head, facts.key));
	assert_string_equal(facts.scope, "feature");
	assert_string_equal(facts.title, "fix: shorter");
	assert_int_equal(facts.files, 1); /* the memory file does not count */
	assert_int_equal(facts.lines_added, 2);
	assert_int_equal(facts.ndecisions, 2);
	assert_string_equal(facts.decisions[0], "keep the buffer global");
	assert_string_equal(facts.decisions[1], "and log it");
	assert_int_equal(facts.ntodos, 1);
	assert_string_equal(facts.todos[0].path, "src/lib.rs");
	assert_int_equal(facts.todos[0].line, 4);
	assert_string_equal(facts.todos[0].text, "FIXME: leaks the buffer");
	cg_memory_facts_release(&facts);
	cg_change_release(&change);
	sandbox_free(&sb);
}

/* Pushes `refspec` from `sb` to the bare repository at `path` (test setup). */
static void push_to(struct sandbox *sb, const char *path, const char *refspec)
{
	git_remote *remote;
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	char *spec = (char *)refspec;
	git_strarray specs = { &spec, 1 };
	assert_int_equal(git_remote_create_anonymous(&remote, sb->repo, path), 0);
	if (git_remote_push(remote, &specs, &opts) < 0)
		fail_msg("push: %s", git_error_last()->message);
	git_remote_free(remote);
}

static void read_blob(struct cg_buf *out, git_repository *repo, const git_commit *c, const char *path)
{
	git_tree *tree;
	git_tree_entry *e;
	git_blob *blob;
	assert_int_equal(git_commit_tree(&tree, c), 0);
	assert_int_equal(git_tree_entry_bypath(&e, tree, path), 0);
	assert_int_equal(git_blob_lookup(&blob, repo, git_tree_entry_id(e)), 0);
	cg_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(tree);
}

static void test_commit_and_push_without_work_tree(void **state)
{
	struct fixture *fx = *state;
	struct sandbox sb, remote;
	struct cg_change change;
	struct cg_memory_result r;
	struct cg_memory_ci ci = { 0 };
	struct cg_config *cfg = config_with(NULL);
	git_reference *ref;
	git_commit *pushed, *again_commit;
	struct cg_buf text = CG_BUF_INIT;
	char base[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1], own[GIT_OID_HEXSZ + 1];

	sandbox_init(&sb, 0);
	sandbox_init(&remote, 1);
	sandbox_write(&sb, "src/lib.rs", "pub fn a() {}\n");
	sandbox_write(&sb, "scratchpad.md", "# Team pad\n\nour notes\n");
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_stage(&sb, "scratchpad.md");
	sandbox_commit(&sb, "init", base);
	sandbox_write(&sb, "src/lib.rs", "use chrono::Utc;\npub fn a() {}\n");
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_commit(&sb, "feat: time", head);
	push_to(&sb, remote.dir, "HEAD:refs/heads/feature");

	load_range(&change, &sb, base, head);
	ci.forge = cg_forge_find("gitlab");
	ci.pr_number = 7;
	ci.title = "Use time";
	ci.branch = "feature";
	ci.head_sha = head;
	ci.remote = remote.dir;
	ci.now = NOW;
	if (cg_memory_update_ci(&r, sb.repo, cfg, &change, &fx->findings, &fx->review, &ci) < 0)
		fail_msg("update: %s", cg_error_last());
	assert_int_equal(r.outcome, CG_MEMORY_PUSHED);
	assert_int_equal(r.attempts, 1);

	/* The remote branch moved to the memory commit: parent = PR head, our author, the team's text kept. */
	assert_int_equal(git_reference_lookup(&ref, remote.repo, "refs/heads/feature"), 0);
	assert_string_equal(git_oid_tostr_s(git_reference_target(ref)), r.commit);
	assert_int_equal(git_commit_lookup(&pushed, remote.repo, git_reference_target(ref)), 0);
	assert_int_equal(git_commit_parentcount(pushed), 1);
	assert_string_equal(git_oid_tostr_s(git_commit_parent_id(pushed, 0)), head);
	assert_string_equal(git_commit_author(pushed)->name, "crabgate[bot]");
	assert_string_equal(git_commit_committer(pushed)->name, "crabgate[bot]");
	assert_string_equal(git_commit_message(pushed),
			    "docs(memory): update memory files for !7\n\nCrabgate-Memory: !7\n");
	read_blob(&text, remote.repo, pushed, "scratchpad.md");
	assert_true(cg_starts_with(text.ptr, "# Team pad\n\nour notes\n\n<!-- crabgate:begin -->"));
	cg_buf_truncate(&text, 0);
	read_blob(&text, remote.repo, pushed, "memories.md");
	assert_non_null(strstr(text.ptr, "## !7: Use time\n"));
	cg_memory_result_release(&r);

	/* A run on crabgate's own commit does nothing. */
	snprintf(own, sizeof(own), "%s", r.commit);
	ci.head_sha = own;
	assert_int_equal(git_commit_lookup(&again_commit, sb.repo, git_reference_target(ref)), 0);
	assert_int_equal(cg_memory_update_ci(&r, sb.repo, cfg, &change, &fx->findings, &fx->review, &ci), 0);
	assert_int_equal(r.outcome, CG_MEMORY_SKIPPED);
	assert_non_null(strstr(r.reason, "own memory commit"));
	cg_memory_result_release(&r);

	/* A fork cannot push: the would-be diff instead, and the remote is left alone. */
	ci.head_sha = head;
	ci.is_fork = true;
	assert_int_equal(cg_memory_update_ci(&r, sb.repo, cfg, &change, &fx->findings, &fx->review, &ci), 0);
	assert_int_equal(r.outcome, CG_MEMORY_SKIPPED);
	assert_non_null(strstr(r.reason, "fork"));
	assert_non_null(strstr(r.diff.ptr, "+++ b/memories.md"));
	assert_non_null(strstr(r.diff.ptr, "+## !7: Use time"));
	cg_memory_result_release(&r);

	git_commit_free(again_commit);
	git_commit_free(pushed);
	git_reference_free(ref);
	cg_buf_release(&text);
	cg_change_release(&change);
	cg_config_free(cfg);
	sandbox_free(&remote);
	sandbox_free(&sb);
}

/*
 * Starts tests/servers/git_http_server.py over HTTPS for the bare
 * repositories under `root`, with `token` for writing; returns its pid and
 * port.
 */
static pid_t git_https_start(int *port, const char *root, const char *cert, const char *key, const char *token)
{
	char script[4096], line[64] = { 0 }, tok[128];
	const char *file = __FILE__, *slash = strrchr(file, '/');
	size_t got = 0;
	int fds[2];
	pid_t pid;

	snprintf(script, sizeof(script), "%.*s/../servers/git_http_server.py", (int)(slash - file), file);
	snprintf(tok, sizeof(tok), "%s:rw", token);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", script, "--root", root, "--token", tok, "--tls", cert, key, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < sizeof(line) - 1) {
		ssize_t r = read(fds[0], line + got, 1);
		if (r <= 0 || line[got] == '\n')
			break;
		got++;
	}
	close(fds[0]);
	assert_true(sscanf(line, "PORT %d", port) == 1);
	return pid;
}

/*
 * Every real push goes over TLS, and every connection libgit2 makes during
 * one now starts in crabgate's connection guard (src/memory/push.c): the
 * push and the fetch of the tip must still work through it, certificate
 * checked, to "localhost" (which may resolve to ::1 first, where nothing
 * listens: the guard tries every address).
 */
static void test_push_and_fetch_over_tls_through_the_guard(void **state)
{
	struct sandbox sb;
	git_repository *srv;
	git_reference *ref;
	git_oid head, pushed, tip;
	struct cg_memory_remote rm = { NULL, "s3cret-tls", "x-access-token" };
	enum cg_memory_push_status status;
	char root[4200], bare[4300], cert[4300], key[4300], cmd[16384], url[128], why[512], first[GIT_OID_HEXSZ + 1],
		second[GIT_OID_HEXSZ + 1];
	int port;
	pid_t pid;
	(void)state;

	sandbox_init(&sb, 0);
	snprintf(root, sizeof(root), "%s/.git/srv", sb.dir);
	snprintf(bare, sizeof(bare), "%s/proj.git", root);
	snprintf(cert, sizeof(cert), "%s/.git/cert.pem", sb.dir);
	snprintf(key, sizeof(key), "%s/.git/key.pem", sb.dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 2 -subj /CN=localhost "
		 "-addext subjectAltName=DNS:localhost >'%s/.git/openssl.log' 2>&1",
		 key, cert, sb.dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(git_repository_init(&srv, bare, 1), 0);
	sandbox_write(&sb, "memories.md", "# Memories\n");
	sandbox_stage(&sb, "memories.md");
	sandbox_commit(&sb, "init", first);
	push_to(&sb, bare, "HEAD:refs/heads/feature");
	sandbox_write(&sb, "memories.md", "# Memories\n\n## one\n");
	sandbox_stage(&sb, "memories.md");
	sandbox_commit(&sb, "docs: memory", second);

	pid = git_https_start(&port, root, cert, key, rm.token);
	assert_int_equal(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, cert, NULL), 0);
	snprintf(url, sizeof(url), "https://localhost:%d/proj.git", port);
	rm.remote = url;
	git_oid_fromstr(&head, first);
	git_oid_fromstr(&pushed, second);
	if (cg_memory_push(&status, why, sizeof(why), sb.repo, &rm, "feature", &pushed, &head) < 0)
		fail_msg("push: %s", cg_error_last());
	assert_int_equal(status, CG_PUSH_OK);
	assert_int_equal(git_reference_lookup(&ref, srv, "refs/heads/feature"), 0);
	assert_true(git_oid_equal(git_reference_target(ref), &pushed));
	if (cg_memory_fetch_tip(&tip, sb.repo, &rm, "feature") < 0)
		fail_msg("fetch: %s", cg_error_last());
	assert_true(git_oid_equal(&tip, &pushed));

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	git_reference_free(ref);
	git_repository_free(srv);
	sandbox_free(&sb);
}

static void test_stage_mode(void **state)
{
	struct fixture *fx = *state;
	struct sandbox sb;
	struct cg_change change;
	struct cg_change_opts opts = CG_CHANGE_OPTS_INIT;
	struct cg_memory_result r;
	struct cg_config *cfg = config_with("memory:\n  mode: stage\n");
	struct cg_buf wt = CG_BUF_INIT, full = CG_BUF_INIT;
	git_index *index;
	const git_index_entry *e;
	git_blob *blob;
	char base[GIT_OID_HEXSZ + 1];

	sandbox_init(&sb, 0);
	sandbox_write(&sb, "src/lib.rs", "pub fn a() {}\n");
	sandbox_write(&sb, "scratchpad.md", "# Pad\n");
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_stage(&sb, "scratchpad.md");
	sandbox_commit(&sb, "init", base);
	sandbox_write(&sb, "src/lib.rs", "pub fn a() {}\n// TODO: b\n");
	sandbox_stage(&sb, "src/lib.rs");
	/* An unstaged edit to the pad stays unstaged; the block goes into both versions. */
	sandbox_write(&sb, "scratchpad.md", "# Pad\nunstaged idea\n");

	assert_int_equal(cg_change_load(&change, sb.repo, &opts), 0);
	if (cg_memory_update_local(&r, sb.repo, cfg, &change, &fx->findings, NULL, NOW) < 0)
		fail_msg("update: %s", cg_error_last());
	assert_int_equal(r.outcome, CG_MEMORY_STAGED);

	assert_int_equal(git_repository_index(&index, sb.repo), 0);
	assert_int_equal(git_index_read(index, 1), 0);
	assert_non_null(git_index_get_bypath(index, "memories.md", 0));
	assert_non_null(git_index_get_bypath(index, "lessons-learned.md", 0));
	assert_non_null(e = git_index_get_bypath(index, "scratchpad.md", 0));
	assert_int_equal(git_blob_lookup(&blob, sb.repo, &e->id), 0);
	assert_true(cg_starts_with(git_blob_rawcontent(blob), "# Pad\n\n<!-- crabgate:begin -->"));
	assert_non_null(strstr(git_blob_rawcontent(blob), "src/lib.rs:2 \xe2\x80\x94 TODO: b"));
	cg_buf_printf(&full, "%s/scratchpad.md", sb.dir);
	assert_int_equal(cg_fs_read(&wt, full.ptr, 1 << 20), 0);
	assert_true(cg_starts_with(wt.ptr, "# Pad\nunstaged idea\n\n<!-- crabgate:begin -->"));
	cg_memory_result_release(&r);

	/* Again with the same change: nothing to do. */
	assert_int_equal(cg_memory_update_local(&r, sb.repo, cfg, &change, &fx->findings, NULL, NOW), 0);
	assert_int_equal(r.outcome, CG_MEMORY_SKIPPED);
	cg_memory_result_release(&r);

	git_blob_free(blob);
	git_index_free(index);
	cg_buf_release(&wt);
	cg_buf_release(&full);
	cg_change_release(&change);
	cg_config_free(cfg);
	sandbox_free(&sb);
}

static void test_local_commit_refuses_dirty_and_damaged(void **state)
{
	struct fixture *fx = *state;
	struct sandbox sb;
	struct cg_change change;
	struct cg_memory_result r;
	struct cg_config *cfg = config_with(NULL);
	struct cg_buf before = CG_BUF_INIT, after = CG_BUF_INIT, full = CG_BUF_INIT;
	char base[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1];

	sandbox_init(&sb, 0);
	sandbox_write(&sb, "scratchpad.md", "# P\n<!-- crabgate:begin -->\n");
	sandbox_stage(&sb, "scratchpad.md");
	sandbox_commit(&sb, "init", base);
	sandbox_write(&sb, "a.rs", "fn a() {}\n");
	sandbox_stage(&sb, "a.rs");
	sandbox_commit(&sb, "a", head);
	load_range(&change, &sb, base, head);

	/* A damaged block: refused, and neither the file nor the branch is touched. */
	cg_buf_printf(&full, "%s/scratchpad.md", sb.dir);
	assert_int_equal(cg_fs_read(&before, full.ptr, 1 << 20), 0);
	assert_int_equal(cg_memory_update_local(&r, sb.repo, cfg, &change, &fx->findings, NULL, NOW), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "scratchpad.md:2: the crabgate block has"));
	assert_int_equal(cg_fs_read(&after, full.ptr, 1 << 20), 0);
	assert_string_equal(before.ptr, after.ptr);
	cg_memory_result_release(&r);

	/* An uncommitted edit to a memory file would be lost by a commit made from HEAD: refused. */
	sandbox_write(&sb, "memories.md", "# mine, not committed\n");
	assert_int_equal(cg_memory_update_local(&r, sb.repo, cfg, &change, &fx->findings, NULL, NOW), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "memories.md has uncommitted changes"));
	cg_memory_result_release(&r);

	cg_buf_release(&before);
	cg_buf_release(&after);
	cg_buf_release(&full);
	cg_change_release(&change);
	cg_config_free(cfg);
	sandbox_free(&sb);
}

int main(void)
{
	/* Run from a git hook, this would name the caller's index: stage mode must use the sandbox's. */
	unsetenv("GIT_INDEX_FILE");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memories_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memories_optional_lines_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memories_idempotent_and_date_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memories_replaced_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memories_damaged_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_text_cannot_forge_markers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lessons_rules_and_review, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lessons_dedup_and_existing_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lessons_can_be_turned_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratchpad_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratchpad_outside_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratchpad_fixed_findings_drop_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratchpad_damaged_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts_bad_utf8_nul_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gather, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_and_push_without_work_tree, setup, teardown),
		cmocka_unit_test(test_push_and_fetch_over_tls_through_the_guard),
		cmocka_unit_test_setup_teardown(test_stage_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_commit_refuses_dirty_and_damaged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
