/*
 * The review's pure parts: secret masking, model text made inert, answers
 * parsed tolerantly, and the change cut into chunks under the budget (from
 * diffs and from a real staged repository for the enclosing fn).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/change.h"
#include "review/review_internal.h"
#include "util/error.h"

static char *masked(const char *in, size_t *count)
{
	struct cg_buf b = CG_BUF_INIT;
	*count = 0;
	assert_int_equal(cg_review_redact(&b, in, strlen(in), count), 0);
	return cg_buf_detach(&b, NULL);
}

static void expect_masked(const char *in, const char *secret, const char *kind)
{
	size_t n;
	char *out = masked(in, &n);
	if (strstr(out, secret) || !strstr(out, kind) || n != 1)
		fail_msg("not masked as %s (count %zu): %s -> %s", kind, n, in, out);
	free(out);
}

static void expect_kept(const char *in)
{
	size_t n;
	char *out = masked(in, &n);
	if (strcmp(out, in) || n)
		fail_msg("changed though nothing is secret: %s -> %s", in, out);
	free(out);
}

/* jwt.io's example token: {"alg":"HS256","typ":"JWT"}.{"sub":"1234567890"}.signature */
#define JWT                                                                                                            \
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

static void test_redact_token_shapes(void **state)
{
	(void)state;
	expect_masked("let aws = \"AKIAIOSFODNN7EXAMPLE\";", "AKIAIOSFODNN7EXAMPLE", "[MASKED:aws-access-key]");
	expect_masked("key: ASIAY34FZKBOKMUTVV7A here", "ASIAY34FZKBOKMUTVV7A", "aws-access-key");
	expect_masked("x(AIzaSyA-1234567890abcdefghijklmnopqrstu)", "AIzaSyA-1234567890abcdefghijklmnopqrstu",
		      "gcp-api-key");
	expect_masked("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
		      "github-token");
	expect_masked("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG",
		      "github-token");
	expect_masked("GITLAB=glpat-xYz123AbC456dEf789gHi0", "glpat-xYz123AbC456dEf789gHi0", "gitlab-token");
	expect_masked("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "xoxb-123456789012", "slack-token");
	expect_masked("post https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX now",
		      "T0000/B0000/XXXXXXXXXXXXXXXX", "slack-webhook");
	expect_masked("OPENAI sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34",
		      "openai-key");
	expect_masked("k sk-ant-api03-Ab12Cd34Ef56Gh78Ij90Kl12Mn34-xyz", "sk-ant-api03-Ab12Cd34Ef56Gh78Ij90",
		      "anthropic-key");
	/* JSON Web Tokens and bearer tokens, alone or in an Authorization header. */
	expect_masked("let t = \"" JWT "\";", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", "[MASKED:jwt]");
	expect_masked("Authorization: Bearer " JWT, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "[MASKED:jwt]");
	expect_masked("-H 'authorization: bearer " JWT "'", "dozjgNryP4J3jVmNHl0w5N", "[MASKED:jwt]");
	expect_masked("curl -H \"Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543\"",
		      "8f14e45fceea167a5a36dedd4bea2543", "[MASKED:bearer-token]");
	expect_masked("req.header(AUTHORIZATION, \"BEARER ya29.A0ARrdaM-x_Y12zQ~v/+w==\")", "ya29.A0ARrdaM",
		      "[MASKED:bearer-token]");
	expect_masked("Bearer ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "ghp_0123456789abcdef", "github-token");
	expect_kept("// Bearer token-based authentication, see the Authorization header");
	expect_kept("let h = format!(\"Bearer {}\", token);");
	expect_kept("\"Bearer \" + token");
	expect_kept("eyJ is how a base64 JSON object starts: eyJhbGciOiJIUzI1NiJ9 alone is no token");
	/* Words that merely look alike stay. */
	expect_kept("fn ask-questions-about-everything-today() {}");
	expect_kept("let task = \"risk-management-of-things-and-stuff\";");
	expect_kept("AKIAIOSFODNN7EXAMPLEXX is too long to be a key id");
}

static void test_redact_assignments(void **state)
{
	(void)state;
	expect_masked("password = \"hunter2\"", "hunter2", "[MASKED:secret]");
	expect_masked("let api_key: &str = \"abc-def\";", "abc-def", "[MASKED:secret]");
	expect_masked("{\"client_secret\": \"s3cr3t-value\"}", "s3cr3t-value", "[MASKED:secret]");
	expect_masked("DB_PASSWORD=Xk9vQ2mZ7pL4wR8tY3nB", "Xk9vQ2mZ7pL4wR8tY3nB", "[MASKED:secret]");
	expect_masked("const GITHUB_TOKEN: &str = r#\"tok-en\"#;", "tok-en", "[MASKED:secret]");
	expect_masked("auth_token => 'xyz'", "xyz", "[MASKED:secret]");
	expect_kept("let token = get_token(&cfg);");
	expect_kept("let max_tokens = 200;");
	expect_kept("let tokenizer = \"bert\";");
	expect_kept("password: String,");
	expect_kept("if password == \"\" { return; }");
	expect_kept("let secret = \"\";");
	expect_kept("api_key_env: \"OPENAI_API_KEY\"");
	expect_kept("token: \"${CI_JOB_TOKEN}\"");
}

static void test_redact_private_key_keeps_lines(void **state)
{
	const char *in = "fn a() {}\n"
			 "const KEY: &str = r\"-----BEGIN OPENSSH PRIVATE KEY-----\n"
			 "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
			 "QyNTUxOQAAACBq0y4X0lVJb0xQKc7HnYp8cG5n1ZfG7z2j7kK4Xc0YbQAAAJgZxXxYGcV8\n"
			 "-----END OPENSSH PRIVATE KEY-----\";\n"
			 "fn b() {}\n";
	const char *json =
		"{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END "
		"PRIVATE KEY-----\\n\", \"x\": 1}";
	size_t n, lines_in = 0, lines_out = 0;
	char *out = masked(in, &n);
	(void)state;

	for (const char *p = in; *p; p++)
		lines_in += *p == '\n';
	for (const char *p = out; *p; p++)
		lines_out += *p == '\n';
	assert_int_equal(lines_in, lines_out);
	assert_null(strstr(out, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"));
	assert_null(strstr(out, "BEGIN OPENSSH"));
	assert_non_null(strstr(out, "fn a() {}\n"));
	assert_non_null(strstr(out, "\nfn b() {}\n"));
	assert_int_equal(n, 1);
	free(out);

	out = masked(json, &n);
	assert_null(strstr(out, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"));
	assert_non_null(strstr(out, "\"x\": 1"));
	assert_true(n >= 1);
	free(out);
}

static void test_sanitize(void **state)
{
	const char *in = "ping @octocat and @org/team, mail me@example.com\x1b[31m red\x07 <!-- crabgate:fp=1 --> "
			 "\xe2\x80\xae"
			 "evil\xe2\x80\xac ok\xff";
	char *out = cg_review_sanitize(in, strlen(in), 1000);
	(void)state;
	assert_null(strstr(out, "@octocat"));
	assert_non_null(strstr(out, "@\xe2\x80\x8boctocat"));
	assert_non_null(strstr(out, "@\xe2\x80\x8borg/team"));
	assert_non_null(strstr(out, "me@example.com")); /* not a mention */
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_null(strstr(out, "<!--"));
	assert_null(strstr(out, "\xe2\x80\xae"));
	assert_non_null(strstr(out, "ok\xef\xbf\xbd")); /* an invalid byte is U+FFFD, as everywhere */
	free(out);

	out = cg_review_sanitize("abcdefghij", 10, 4);
	assert_string_equal(out, "abcd…");
	free(out);
}

static const char good[] =
	"{\"comments\":[{\"path\":\"src/lib.rs\",\"line\":3,\"end_line\":null,\"severity\":\"warning\","
	"\"category\":\"Async / Await\",\"body\":\"blocks @here\",\"suggestion\":null},"
	"{\"path\":\"b/src/x.rs\",\"line\":\"7\",\"severity\":\"ERROR\",\"category\":\"\",\"body\":\"b\","
	"\"suggestion\":\"use tokio::fs\"}],"
	"\"summary\":\"ok\",\"lessons\":[\"prefer jiff\",\"\",3],\"todos\":[\"bench it\"]}";

static void test_answer_plain_fenced_prose(void **state)
{
	struct cg_review_answer a;
	struct cg_buf b = CG_BUF_INIT;
	(void)state;

	assert_int_equal(cg_review_answer_parse(&a, good, strlen(good)), 0);
	assert_int_equal(a.ncomments, 2);
	assert_int_equal(a.ninvalid, 0);
	assert_string_equal(a.comments[0].path, "src/lib.rs");
	assert_int_equal(a.comments[0].line, 3);
	assert_int_equal(a.comments[0].severity, CG_SEV_WARNING);
	assert_string_equal(a.comments[0].category, "async-await");
	assert_non_null(strstr(a.comments[0].body, "@\xe2\x80\x8bhere"));
	assert_string_equal(a.comments[1].path, "src/x.rs");
	assert_int_equal(a.comments[1].line, 7);
	assert_int_equal(a.comments[1].severity, CG_SEV_ERROR);
	assert_string_equal(a.comments[1].category, "general");
	assert_string_equal(a.comments[1].suggestion, "use tokio::fs");
	assert_string_equal(a.summary, "ok");
	assert_int_equal(a.nlessons, 1);
	assert_int_equal(a.ntodos, 1);
	cg_review_answer_release(&a);

	cg_buf_printf(&b, "Sure, here it is:\n```json\n%s\n```\nAnything else?", good);
	assert_int_equal(cg_review_answer_parse(&a, b.ptr, b.size), 0);
	assert_int_equal(a.ncomments, 2);
	cg_review_answer_release(&a);

	cg_buf_truncate(&b, 0);
	cg_buf_printf(&b, "Use a HashMap {} here. My answer: %s Thanks", good);
	assert_int_equal(cg_review_answer_parse(&a, b.ptr, b.size), 0);
	assert_int_equal(a.ncomments, 2);
	cg_review_answer_release(&a);
	cg_buf_release(&b);
}

static void test_answer_faults(void **state)
{
	struct cg_review_answer a;
	const char *bad_items =
		"{\"comments\":[{\"path\":\"a.rs\",\"severity\":\"warning\",\"body\":\"no line\"},"
		"{\"path\":\"a.rs\",\"line\":2,\"severity\":\"blocker\",\"body\":\"bad severity\"},"
		"{\"path\":\"a.rs\",\"line\":-1,\"severity\":\"note\",\"body\":\"bad line\"},"
		"{\"path\":\"a.rs\",\"line\":2,\"severity\":\"note\",\"body\":\"\"},"
		"\"not an object\","
		"{\"path\":\"a.rs\",\"line\":2,\"end_line\":1,\"severity\":\"note\",\"body\":\"kept\"}],"
		"\"summary\":\"s\"}";
	(void)state;

	assert_int_equal(cg_review_answer_parse(&a, good, strlen(good) / 2), CG_E_INPUT); /* truncated */
	assert_non_null(strstr(cg_error_last(), "cut off"));
	cg_review_answer_release(&a);
	assert_int_equal(cg_review_answer_parse(&a, "I like it", 9), CG_E_INPUT);
	cg_review_answer_release(&a);
	assert_int_equal(cg_review_answer_parse(&a, "", 0), CG_E_INPUT);
	cg_review_answer_release(&a);
	assert_int_equal(cg_review_answer_parse(&a, "{\"comments\": 5}", 15), CG_E_INPUT);
	cg_review_answer_release(&a);

	assert_int_equal(cg_review_answer_parse(&a, bad_items, strlen(bad_items)), 0);
	assert_int_equal(a.ncomments, 1);
	assert_int_equal(a.ninvalid, 5);
	assert_string_equal(a.comments[0].body, "kept");
	assert_int_equal(a.comments[0].end_line, 0); /* an end before the start is no range */
	cg_review_answer_release(&a);
}

/* 10,000 comments: 200 kept, the rest counted as over the cap, not as off the schema. */
static void test_answer_comment_cap(void **state)
{
	struct cg_review_answer a;
	struct cg_buf b = CG_BUF_INIT;
	(void)state;

	cg_buf_puts(&b, "{\"comments\":[");
	for (int i = 0; i < 10000; i++)
		cg_buf_printf(&b, "%s{\"path\":\"a.rs\",\"line\":%d,\"severity\":\"note\",\"body\":\"c%d\"}",
			      i ? "," : "", i + 1, i);
	cg_buf_puts(&b, ",\"not an object\"],\"summary\":\"s\"}");
	assert_int_equal(cg_review_answer_parse(&a, b.ptr, b.size), 0);
	assert_int_equal(a.ncomments, CG_REVIEW_MAX_COMMENTS);
	assert_int_equal(a.nover_cap, 10001 - CG_REVIEW_MAX_COMMENTS);
	assert_int_equal(a.ninvalid, 0);
	cg_review_answer_release(&a);
	cg_buf_release(&b);
}

/* ------------------------------------------------------------ chunks */

static const char diff3[] = "diff --git a/src/a.rs b/src/a.rs\n"
			    "--- a/src/a.rs\n"
			    "+++ b/src/a.rs\n"
			    "@@ -1,2 +1,4 @@\n"
			    " fn one() {}\n"
			    "+fn two() {}\n"
			    "+fn three() {}\n"
			    " fn four() {}\n"
			    "diff --git a/Cargo.lock b/Cargo.lock\n"
			    "--- a/Cargo.lock\n"
			    "+++ b/Cargo.lock\n"
			    "@@ -1,1 +1,2 @@\n"
			    " version = 3\n"
			    "+[[package]]\n"
			    "diff --git a/vendor/x/lib.rs b/vendor/x/lib.rs\n"
			    "--- a/vendor/x/lib.rs\n"
			    "+++ b/vendor/x/lib.rs\n"
			    "@@ -1,1 +1,2 @@\n"
			    " a\n"
			    "+b\n"
			    "diff --git a/src/b.rs b/src/b.rs\n"
			    "--- a/src/b.rs\n"
			    "+++ b/src/b.rs\n"
			    "@@ -10,1 +10,2 @@\n"
			    " let x = 1;\n"
			    "+let secret = \"p4ssw0rd\";\n";

static struct cg_review_plan_opts plan_opts(size_t max_input, size_t max_total)
{
	struct cg_review_plan_opts o;
	memset(&o, 0, sizeof(o));
	o.max_input_tokens = max_input;
	o.max_total_tokens = max_total;
	o.max_output_tokens = 100;
	o.standards = "Use jiff.";
	o.lessons = "";
	return o;
}

/* Every added line of every reviewed file is shown by exactly one chunk. */
static void assert_covered_once(const struct cg_review_plan *plan, const struct cg_change *c, const char *path)
{
	for (size_t fi = 0; fi < c->nfiles; fi++) {
		const struct cg_changed_file *f = &c->files[fi];
		if (strcmp(f->path, path))
			continue;
		for (size_t r = 0; r < f->nadded; r++)
			for (uint32_t line = f->added[r].start; line <= f->added[r].end; line++) {
				int seen = 0;
				for (size_t k = 0; k < plan->nchunks; k++)
					for (size_t s = 0; s < plan->chunks[k].nshown; s++)
						if (plan->chunks[k].shown[s].file == fi &&
						    line >= plan->chunks[k].shown[s].start &&
						    line <= plan->chunks[k].shown[s].end)
							seen++;
				if (seen != 1)
					fail_msg("%s:%u shown %d times", path, line, seen);
			}
	}
}

static void test_plan_small_change(void **state)
{
	struct cg_change c;
	struct cg_review_plan plan;
	struct cg_review_plan_opts o = plan_opts(4000, 100000);
	(void)state;

	assert_int_equal(cg_change_from_diff_text(&c, NULL, diff3, strlen(diff3)), 0);
	assert_int_equal(cg_review_plan_build(&plan, &c, &o), 0);
	assert_int_equal(plan.nchunks, 1);
	assert_int_equal(plan.nleft_out, 2);
	assert_string_equal(plan.left_out[0], "Cargo.lock (lockfile)");
	assert_string_equal(plan.left_out[1], "vendor/x/lib.rs (vendored)");
	assert_int_equal(plan.secrets_masked, 1);
	assert_null(strstr(plan.chunks[0].user.ptr, "p4ssw0rd"));
	assert_non_null(
		strstr(plan.chunks[0].user.ptr, "### src/a.rs\n@@ lines 1-4\n1   fn one() {}\n2 + fn two() {}\n"));
	assert_non_null(
		strstr(plan.chunks[0].user.ptr, "### src/b.rs\n@@ lines 10-11\n10   let x = 1;\n11 + let secret"));
	assert_non_null(strstr(plan.chunks[0].system.ptr, "Use jiff."));
	assert_true(plan.chunks[0].tokens <= 4000);
	assert_covered_once(&plan, &c, "src/a.rs");
	assert_covered_once(&plan, &c, "src/b.rs");
	cg_review_plan_release(&plan);
	cg_change_release(&c);
}

/* A diff adding `n` lines to one new file. */
static void big_diff(struct cg_buf *b, const char *path, unsigned n)
{
	cg_buf_printf(b, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%u @@\n",
		      path, path, path, n);
	for (unsigned i = 1; i <= n; i++)
		cg_buf_printf(b, "+    let value_%u = compute_something_long(%u, \"a string of some length\");\n", i,
			      i);
}

static void test_plan_cuts_big_file_and_caps_total(void **state)
{
	struct cg_change c;
	struct cg_review_plan plan;
	struct cg_review_plan_opts o = plan_opts(2500, 1000000);
	struct cg_buf d = CG_BUF_INIT;
	(void)state;

	big_diff(&d, "src/big.rs", 600);
	big_diff(&d, "src/small.rs", 5);
	assert_int_equal(cg_change_from_diff_text(&c, NULL, d.ptr, d.size), 0);
	assert_int_equal(cg_review_plan_build(&plan, &c, &o), 0);
	assert_true(plan.nchunks >= 5);
	for (size_t i = 0; i < plan.nchunks; i++) {
		assert_true(plan.chunks[i].tokens <= 2500);
		assert_non_null(strstr(plan.chunks[i].user.ptr, "### src/"));
	}
	assert_non_null(strstr(plan.chunks[0].user.ptr, "(part 1 of "));
	assert_covered_once(&plan, &c, "src/big.rs");
	assert_covered_once(&plan, &c, "src/small.rs");
	cg_review_plan_release(&plan);

	/* A total cap of about two requests: the rest is named, not sent. */
	o.max_total_tokens = 2 * (2500 + 100);
	assert_int_equal(cg_review_plan_build(&plan, &c, &o), 0);
	assert_int_equal(plan.nchunks, 2);
	assert_true(plan.nover_budget >= 1);
	assert_string_equal(plan.over_budget[plan.nover_budget - 1], "src/small.rs");
	cg_review_plan_release(&plan);

	/* No room for code beside the instructions: a config error that names the key. */
	o.max_input_tokens = 600;
	assert_int_equal(cg_review_plan_build(&plan, &c, &o), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "review.max_input_tokens"));
	cg_review_plan_release(&plan);
	cg_change_release(&c);
	cg_buf_release(&d);
}

static void test_plan_enclosing_fn(void **state)
{
	struct sandbox sb;
	struct cg_change c;
	struct cg_change_opts co = CG_CHANGE_OPTS_INIT;
	struct cg_review_plan plan;
	struct cg_review_plan_opts o = plan_opts(8000, 100000);
	struct cg_buf src = CG_BUF_INIT;
	(void)state;

	sandbox_init(&sb, 0);
	cg_buf_puts(&src, "pub async fn fetch(\n    url: &str,\n) -> Result<String, Error> {\n");
	for (int i = 0; i < 30; i++)
		cg_buf_printf(&src, "    step_%d().await?;\n", i);
	cg_buf_puts(&src, "    Ok(String::new())\n}\n");
	sandbox_write(&sb, "src/lib.rs", src.ptr);
	sandbox_stage(&sb, "src/lib.rs");
	sandbox_commit(&sb, "first", NULL);
	/* Change one line deep inside the fn. */
	cg_buf_truncate(&src, 0);
	cg_buf_puts(&src, "pub async fn fetch(\n    url: &str,\n) -> Result<String, Error> {\n");
	for (int i = 0; i < 30; i++)
		cg_buf_printf(&src, i == 20 ? "    std::thread::sleep(d);\n" : "    step_%d().await?;\n", i);
	cg_buf_puts(&src, "    Ok(String::new())\n}\n");
	sandbox_write(&sb, "src/lib.rs", src.ptr);
	sandbox_stage(&sb, "src/lib.rs");
	assert_int_equal(cg_change_load(&c, sb.repo, &co), 0);
	assert_int_equal(cg_review_plan_build(&plan, &c, &o), 0);
	assert_int_equal(plan.nchunks, 1);
	assert_non_null(
		strstr(plan.chunks[0].user.ptr, " in `pub async fn fetch( url: &str, ) -> Result<String, Error>`"));
	assert_non_null(strstr(plan.chunks[0].user.ptr, "24 +     std::thread::sleep(d);"));
	assert_non_null(strstr(plan.chunks[0].user.ptr, "23       step_19().await?;"));
	cg_review_plan_release(&plan);
	cg_change_release(&c);
	cg_buf_release(&src);
	sandbox_free(&sb);
}

static void test_left_out_reasons(void **state)
{
	(void)state;
	assert_string_equal(cg_review_left_out_reason("Cargo.lock", "", 0), "lockfile");
	assert_string_equal(cg_review_left_out_reason("web/package-lock.json", "", 0), "lockfile");
	assert_string_equal(cg_review_left_out_reason("third_party/z/a.rs", "", 0), "vendored");
	assert_string_equal(cg_review_left_out_reason("src/proto/x.pb.rs", "", 0), "generated");
	assert_string_equal(cg_review_left_out_reason("src/gen.rs", "// @generated by build.rs\n", 26), "generated");
	assert_null(cg_review_left_out_reason("src/lib.rs", "fn main() {}\n", 13));
	assert_null(cg_review_left_out_reason("src/vendoring.rs", "", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_token_shapes),
		cmocka_unit_test(test_redact_assignments),
		cmocka_unit_test(test_redact_private_key_keeps_lines),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_answer_plain_fenced_prose),
		cmocka_unit_test(test_answer_faults),
		cmocka_unit_test(test_answer_comment_cap),
		cmocka_unit_test(test_plan_small_change),
		cmocka_unit_test(test_plan_cuts_big_file_and_caps_total),
		cmocka_unit_test(test_plan_enclosing_fn),
		cmocka_unit_test(test_left_out_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
