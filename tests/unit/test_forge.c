/* The forges' pure parts: CI detection, markers, markdown escaping, origins, the diff map, summaries. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forge/forge.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/url.h"

static const char *const ci_vars[] = {
	"GITHUB_ACTIONS",
	"GITHUB_EVENT_NAME",
	"GITHUB_EVENT_PATH",
	"GITHUB_REPOSITORY",
	"GITHUB_API_URL",
	"GITHUB_TOKEN",
	"CRABGATE_GITHUB_TOKEN",
	"GITHUB_STEP_SUMMARY",
	"GITHUB_SHA",
	"GITHUB_SERVER_URL",
	"GITLAB_CI",
	"CI_API_V4_URL",
	"CI_PROJECT_ID",
	"CI_MERGE_REQUEST_IID",
	"CI_MERGE_REQUEST_DIFF_BASE_SHA",
	"CI_COMMIT_SHA",
	"CI_COMMIT_BEFORE_SHA",
	"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
	"GITLAB_TOKEN",
	"CRABGATE_GITLAB_TOKEN",
	"CI_JOB_TOKEN",
	"CI_PIPELINE_SOURCE",
};

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccc"

static int clear_env(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++)
		unsetenv(ci_vars[i]);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_detect_none(void **state)
{
	struct cg_ci_env env;
	(void)state;
	assert_int_equal(cg_ci_detect(&env), 0);
	assert_null(env.forge);
	cg_ci_env_release(&env);
}

static void test_detect_github_pull_request(void **state)
{
	char path[] = "/tmp/crabgate-event-XXXXXX";
	int fd = mkstemp(path);
	struct cg_ci_env env;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "{\"number\": 12, \"pull_request\": {\"number\": 12,"
			 " \"base\": {\"sha\": \"" SHA_A "\", \"repo\": {\"full_name\": \"o/r\"}},"
			 " \"head\": {\"sha\": \"" SHA_B "\", \"repo\": {\"full_name\": \"fork/r\"}}}}");
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_EVENT_NAME", "pull_request", 1);
	setenv("GITHUB_EVENT_PATH", path, 1);
	setenv("GITHUB_TOKEN", "t1", 1);
	setenv("CRABGATE_GITHUB_TOKEN", "t2", 1);
	setenv("GITHUB_API_URL", "https://ghe.example.invalid/api/v3/", 1);
	assert_int_equal(cg_ci_detect(&env), 0);
	assert_string_equal(env.forge->name, "github");
	assert_true(env.is_review);
	assert_int_equal(env.number, 12);
	assert_string_equal(env.base_sha, SHA_A);
	assert_string_equal(env.head_sha, SHA_B);
	assert_string_equal(env.repo, "o/r");
	assert_string_equal(env.head_repo, "fork/r");
	assert_string_equal(env.token, "t2"); /* the crabgate-specific variable wins */
	assert_string_equal(env.api_url, "https://ghe.example.invalid/api/v3");
	cg_ci_env_release(&env);

	/* A bad sha names the field. */
	write_file(path,
		   "{\"number\": 3, \"pull_request\": {\"base\": {\"sha\": \"main\"}, \"head\": {\"sha\": \"" SHA_B
		   "\"}}}");
	assert_int_equal(cg_ci_detect(&env), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "pull_request.base.sha"));
	cg_ci_env_release(&env);
	unlink(path);
}

static void test_detect_github_push_new_branch(void **state)
{
	char path[] = "/tmp/crabgate-event-XXXXXX";
	int fd = mkstemp(path);
	struct cg_ci_env env;
	(void)state;
	close(fd);
	write_file(path, "{\"before\": \"0000000000000000000000000000000000000000\", \"after\": \"" SHA_C "\"}");
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_EVENT_NAME", "push", 1);
	setenv("GITHUB_EVENT_PATH", path, 1);
	assert_int_equal(cg_ci_detect(&env), 0);
	assert_false(env.is_review);
	assert_string_equal(env.head_sha, SHA_C);
	assert_string_equal(env.before, ""); /* a new branch has no old tip */
	assert_null(env.token);
	cg_ci_env_release(&env);
	unlink(path);
}

static void test_detect_gitlab(void **state)
{
	struct cg_ci_env env;
	(void)state;
	setenv("GITLAB_CI", "true", 1);
	setenv("CI_API_V4_URL", "https://gitlab.example.invalid/api/v4", 1);
	setenv("CI_PROJECT_ID", "42", 1);
	setenv("CI_MERGE_REQUEST_IID", "7", 1);
	setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", SHA_A, 1);
	setenv("CI_COMMIT_SHA", SHA_C, 1);
	setenv("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", SHA_B, 1);
	setenv("CI_JOB_TOKEN", "job", 1);
	assert_int_equal(cg_ci_detect(&env), 0);
	assert_string_equal(env.forge->name, "gitlab");
	assert_true(env.is_review);
	assert_int_equal(env.number, 7);
	assert_string_equal(env.base_sha, SHA_A);
	assert_string_equal(env.head_sha, SHA_B); /* merged results: the MR's head, not the merge */
	assert_null(env.token);
	assert_true(env.has_job_token_only);
	cg_ci_env_release(&env);

	setenv("GITLAB_TOKEN", "glpat", 1);
	setenv("CI_MERGE_REQUEST_IID", "seven", 1);
	assert_int_equal(cg_ci_detect(&env), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "CI_MERGE_REQUEST_IID"));
	cg_ci_env_release(&env);
}

static void test_markers(void **state)
{
	char fp[CG_FINGERPRINT_SIZE];
	(void)state;
	assert_true(cg_forge_marker_fp(fp, "text\n<!-- crabgate:fp=0123456789abcdef -->"));
	assert_string_equal(fp, "0123456789abcdef");
	assert_false(cg_forge_marker_fp(fp, "<!-- crabgate:fp=0123456789ABCDEF -->"));
	assert_false(cg_forge_marker_fp(fp, "<!-- crabgate:fp=0123 -->"));
	assert_false(cg_forge_marker_fp(fp, "<!-- crabgate:fp=0123456789abcdef0 -->"));
	assert_true(cg_forge_marker_fp(fp, "<!-- crabgate:fp=bad --> <!-- crabgate:fp=fedcba9876543210 -->"));
	assert_string_equal(fp, "fedcba9876543210");
}

static void test_same_origin(void **state)
{
	(void)state;
	assert_true(cg_url_same_origin("https://api.github.com", "https://API.github.com/repos/o/r?page=2"));
	assert_true(cg_url_same_origin("http://127.0.0.1:8080/api/v4", "http://127.0.0.1:8080/x"));
	assert_false(cg_url_same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8081/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "https://api.github.com.evil.invalid/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "http://api.github.com/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "/relative"));
}

static void add_finding(struct cg_findings *fs, const char *path, uint32_t line, const char *msg)
{
	struct cg_finding *f = cg_findings_add(fs);
	f->rule = strdup("chrono-ban");
	f->severity = CG_SEV_ERROR;
	f->path = strdup(path);
	f->line = f->end_line = line;
	f->column = 1;
	f->message = strdup(msg);
	snprintf(f->fingerprint, sizeof(f->fingerprint), "%016x", line);
}

/* A finding's message in a comment renders as text: no marker, mention, reference, control or invalid byte. */
static void test_md_text(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	add_finding(&fs, "src/lib.rs", 1,
		    "<!-- crabgate:fp=0123456789abcdef --> @team #12 a&b\x1b[31m\xff\xe2\x80\xae");
	cg_forge_comment_body(&b, &fs.items[0], NULL, NULL);
	cg_buf_truncate(&b, (size_t)(strstr(b.ptr, "\n\n<sub>") - b.ptr)); /* the message, not crabgate's own marker */
	assert_null(strstr(b.ptr, "<!--"));
	assert_null(strstr(b.ptr, "@team"));
	assert_null(strstr(b.ptr, "#12"));
	assert_null(strchr(b.ptr, '\x1b'));
	assert_null(strstr(b.ptr, "\xe2\x80\xae")); /* a bidi override */
	assert_non_null(strstr(b.ptr, "&lt;\\!--"));
	assert_non_null(strstr(b.ptr, "\\\\u{1b}")); /* a control is shown, not sent */
	assert_non_null(strstr(b.ptr, "a&amp;b"));
	assert_non_null(strstr(b.ptr, "\xef\xbf\xbd"));
	cg_buf_release(&b);
	cg_findings_release(&fs);
}

/* A fix is a suggestion only on exactly its lines, fenced past its backticks, and never with a control byte. */
static void test_suggestion(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_edit edit = { "src/lib.rs", 10, 20, 4, 5, 4, 15, "tokio::fs::read" };
	struct cg_finding *f;
	struct cg_buf b = CG_BUF_INIT;
	(void)state;

	add_finding(&fs, "src/lib.rs", 4, "`std::fs::read` blocks");
	f = &fs.items[0];
	f->fix = calloc(1, sizeof(*f->fix));
	cg_fix_add_edit(f->fix, &edit);
	f->fix->first_line = f->fix->last_line = 4;
	f->fix->new_lines = strdup("    let s = tokio::fs::read(p).await?; // ```");
	assert_true(cg_forge_fix_fits(f, 4, 4));
	assert_false(cg_forge_fix_fits(f, 3, 4));
	assert_false(cg_forge_fix_fits(f, 4, 5));
	cg_forge_comment_body(&b, f, NULL, "suggestion");
	assert_non_null(
		strstr(b.ptr, "\n\n````suggestion\n    let s = tokio::fs::read(p).await?; // ```\n````\n\n<sub>"));
	assert_null(strstr(b.ptr, "may be incorrect"));
	cg_buf_truncate(&b, 0);
	f->fix->applicability = CG_FIX_MAYBE_INCORRECT;
	cg_forge_comment_body(&b, f, NULL, "suggestion:-0+0");
	assert_non_null(strstr(b.ptr, "````suggestion:-0+0\n"));
	assert_non_null(strstr(b.ptr, "may be incorrect"));
	cg_buf_truncate(&b, 0);
	f->fix->applicability = CG_FIX_HAS_PLACEHOLDERS;
	cg_forge_comment_body(&b, f, NULL, "suggestion");
	assert_non_null(strstr(b.ptr, "holds a placeholder in capitals: replace it before committing it"));
	assert_null(strstr(b.ptr, "may be incorrect"));
	/* What the block holds is committed as it is: a control character is never offered. */
	free(f->fix->new_lines);
	f->fix->new_lines = strdup("    tokio::fs::read(p).await\x1b[2J");
	assert_false(cg_forge_fix_fits(f, 4, 4));
	free(f->fix->new_lines);
	f->fix->new_lines = NULL;
	assert_false(cg_forge_fix_fits(f, 4, 4));
	cg_buf_release(&b);
	cg_findings_release(&fs);
}

static void test_comment_and_summary(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_report_input in = { 0 };
	struct cg_buf b = CG_BUF_INIT;
	const char *notes[] = { "1 finding is off the diff" };
	char fp[CG_FINGERPRINT_SIZE];
	(void)state;
	for (uint32_t i = 1; i <= 150; i++)
		add_finding(&fs, "src/lib.rs", i, "chrono is banned: a long message to fill the summary with text");
	cg_forge_comment_body(&b, &fs.items[0], NULL, NULL);
	assert_true(cg_forge_marker_fp(fp, b.ptr));
	assert_string_equal(fp, fs.items[0].fingerprint);
	cg_buf_release(&b);

	in.findings = &fs;
	in.source = "range";
	assert_int_equal(cg_forge_summary_body(&b, &in, notes, 1, 0), 0);
	assert_true(strncmp(b.ptr, CG_FORGE_SUMMARY_MARKER, strlen(CG_FORGE_SUMMARY_MARKER)) == 0);
	assert_non_null(strstr(b.ptr, "off the diff"));
	cg_buf_release(&b);
	assert_int_equal(cg_forge_summary_body(&b, &in, notes, 1, 4000), 0);
	assert_true(b.size <= 4000);
	assert_non_null(strstr(b.ptr, "The summary is cut here"));
	cg_buf_release(&b);
	cg_findings_release(&fs);
}

/*
 * Which lines of `md` sit inside a fenced code block, by CommonMark's rules
 * for fences at the start of a line (what crabgate's own output uses): the
 * test's oracle, independent of forge.c.
 */
static bool line_is_fenced(const char *md, const char *line_start)
{
	char c = 0;
	size_t open = 0;
	for (const char *l = md; *l && l < line_start;) {
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l), i = 0, n = 0;
		while (i < 3 && i < len && l[i] == ' ')
			i++;
		while (i + n < len && (l[i + n] == '`' || l[i + n] == '~') && l[i + n] == l[i])
			n++;
		if (!open && n >= 3 && !(l[i] == '`' && memchr(l + i + n, '`', len - i - n))) {
			c = l[i];
			open = n;
		} else if (open && n >= open && l[i] == c && strspn(l + i + n, " \t") == len - i - n) {
			open = 0;
		}
		l = eol ? eol + 1 : l + len;
	}
	return open != 0;
}

/* The model's text cannot open a fence that swallows crabgate's trailer and marker, nor link elsewhere. */
static void test_model_text_stays_inert(void **state)
{
	static const char *const fences[][2] = {
		{ "Use this:\n```rust\nlet a = 1;", NULL }, /* a fence never closed */
		{ "Use this:\n~~~\nlet a = 1;\n",
		  "fn x() {}\n````\n```" }, /* the suggestion closes one, opens another */
		{ "ok", "```" },
		{ "ok", "x\n```````````````" },
		{ "```\n", "~~~~" },
		{ "a\n   ```` rust\nb\n```\nc ``` d\n````\nafter", "````suggestion\nfoo()\n````" },
	};
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_buf b = CG_BUF_INIT;
	const char *marker, *trailer;
	char fp[CG_FINGERPRINT_SIZE];
	(void)state;

	for (size_t i = 0; i < sizeof(fences) / sizeof(fences[0]); i++) {
		struct cg_finding *f;
		cg_findings_release(&fs);
		add_finding(&fs, "src/lib.rs", 3, fences[i][0]);
		f = &fs.items[0];
		f->origin = CG_ORIGIN_REVIEW;
		f->help = fences[i][1] ? strdup(fences[i][1]) : NULL;
		cg_buf_truncate(&b, 0);
		cg_forge_comment_body(&b, f, "https://github.com", NULL);
		marker = strstr(b.ptr, "\n" CG_FORGE_FP_MARKER);
		trailer = strstr(b.ptr, "\n_(from the model review)_");
		assert_non_null(marker);
		assert_non_null(trailer);
		if (line_is_fenced(b.ptr, marker + 1) || line_is_fenced(b.ptr, trailer + 1))
			fail_msg("case %zu: the trailer is inside a code block:\n%s", i, b.ptr);
		assert_true(cg_forge_marker_fp(fp, b.ptr));
		assert_string_equal(fp, f->fingerprint);
	}
	/* The suggestion is code, fenced longer than the longest run of backticks in it. */
	assert_non_null(strstr(b.ptr, "\n`````\n````suggestion\nfoo()\n````\n`````\n"));

	cg_findings_release(&fs);
	add_finding(&fs, "src/lib.rs", 3,
		    "see [docs](http://evil.example/x), http://evil.example/y, www.evil.example, "
		    "![p](//evil.example/p.png), HTTPS://EVIL.example/, ftp://evil.example/f, 1http://evil.example/, "
		    "(x.http://evil.example/), awww.evil.example, "
		    "[ok](https://github.com/o/r/pull/1) and https://github.com/o/r/pull/1#x.\n\n"
		    "[r]: http://evil.example/ref\n[s]: //evil.example/s\n");
	cg_buf_truncate(&b, 0);
	cg_forge_comment_body(&b, &fs.items[0], "https://github.com", NULL);
	for (const char *bad[] = { "](", "]:", "http://evil", "HTTPS://EVIL", "ftp://evil", "www.evil" }, **p = bad;
	     p < bad + 6; p++) {
		/* Every occurrence left is the forge's own link. */
		for (const char *at = strstr(b.ptr, *p); at; at = strstr(at + 1, *p))
			if (strncmp(at, "](https://github.com/", 21))
				fail_msg("a live link (%s) in:\n%s", *p, b.ptr);
	}
	assert_non_null(strstr(b.ptr, "[ok](https://github.com/o/r/pull/1)"));
	assert_non_null(strstr(b.ptr, " https://github.com/o/r/pull/1#x."));
	assert_non_null(strstr(b.ptr, "evil.example/x")); /* still readable */
	cg_buf_truncate(&b, 0);
	cg_forge_comment_body(&b, &fs.items[0], NULL, NULL); /* no forge origin: no live link at all */
	assert_null(strstr(b.ptr, "]("));
	assert_null(strstr(b.ptr, "https://github.com"));
	cg_buf_release(&b);
	cg_findings_release(&fs);
}

/* The lines a forge can comment on come from the change's own diff: its hunks and old line numbers. */
static void test_find_line(void **state)
{
	struct sandbox sb;
	struct cg_change change;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	const struct cg_changed_file *file;
	struct cg_line_pos at;
	char base[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1];
	struct cg_buf text = CG_BUF_INIT, range = CG_BUF_INIT;
	(void)state;

	sandbox_init(&sb, 0);
	for (int i = 1; i <= 30; i++)
		cg_buf_printf(&text, "line %d\n", i);
	sandbox_write(&sb, "a.rs", text.ptr);
	sandbox_stage(&sb, "a.rs");
	sandbox_commit(&sb, "base", base);
	/* Insert one line after line 2 and replace line 25. */
	cg_buf_truncate(&text, 0);
	for (int i = 1; i <= 30; i++) {
		if (i == 25)
			cg_buf_puts(&text, "changed 25\n");
		else
			cg_buf_printf(&text, "line %d\n", i);
		if (i == 2)
			cg_buf_puts(&text, "new\n");
	}
	sandbox_write(&sb, "a.rs", text.ptr);
	sandbox_stage(&sb, "a.rs");
	sandbox_commit(&sb, "head", head);

	o.source = CG_SOURCE_RANGE;
	cg_buf_printf(&range, "%s..%s", base, head);
	o.range = range.ptr;
	assert_int_equal(cg_change_load(&change, sb.repo, &o), 0);
	assert_true(cg_forge_find_line(&change, "a.rs", 3, &file, &at));
	assert_string_equal(file->old_path, "a.rs");
	assert_true(at.is_added);
	assert_int_equal(at.old_line, 0);
	assert_int_equal(at.hunk, 0);
	assert_true(cg_forge_find_line(&change, "a.rs", 5, &file, &at)); /* context after the insertion: old 4 */
	assert_false(at.is_added);
	assert_int_equal(at.old_line, 4);
	assert_false(cg_forge_find_line(&change, "a.rs", 15, &file, &at)); /* between the hunks */
	assert_true(cg_forge_find_line(&change, "a.rs", 26, &file, &at));
	assert_int_equal(at.hunk, 1);
	assert_true(at.is_added);
	assert_true(cg_forge_find_line(&change, "a.rs", 27, &file, &at)); /* after the removed line 25 */
	assert_false(at.is_added);
	assert_int_equal(at.old_line, 26);
	assert_false(cg_forge_find_line(&change, "b.rs", 1, &file, &at));
	assert_null(file);
	cg_change_release(&change);
	cg_buf_release(&range);
	cg_buf_release(&text);
	sandbox_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_detect_none, clear_env),
		cmocka_unit_test_setup(test_detect_github_pull_request, clear_env),
		cmocka_unit_test_setup(test_detect_github_push_new_branch, clear_env),
		cmocka_unit_test_setup(test_detect_gitlab, clear_env),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_md_text),
		cmocka_unit_test(test_suggestion),
		cmocka_unit_test(test_same_origin),
		cmocka_unit_test(test_model_text_stays_inert),
		cmocka_unit_test(test_comment_and_summary),
		cmocka_unit_test(test_find_line),
	};
	git_libgit2_init();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
