/*
 * Regression tests for what the libFuzzer harnesses (tests/fuzz/) found: one
 * test per finding, with the smallest input that showed it, so the normal
 * and sanitizer builds keep the fix without clang or a fuzzing run.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "forge/forge_internal.h"
#include "net/http.h"
#include "memory/memory.h"
#include "review/review_internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/utf8.h"

/* ---- fuzz_review_answer: the sanitiser ---- */

/*
 * A control character between the parts of a marker or a mention was dropped
 * after the check, so "<!-\0-" came out as a live "<!--" (which could forge
 * crabgate's hidden markers) and "@\x01octocat" as a live mention.
 */
static void test_sanitize_control_inside_marker_or_mention(void **state)
{
	static const char marker[] = "see <!-\0- crabgate:fp=0123456789abcdef -->";
	static const char bidi[] = "<!\xe2\x80\xae-- crabgate:summary -->";
	static const char mention[] = "ping @\x01octocat and @\xc2\x85team";
	char *a = cg_review_sanitize(marker, sizeof(marker) - 1, 4000);
	char *b = cg_review_sanitize(bidi, sizeof(bidi) - 1, 4000);
	char *c = cg_review_sanitize(mention, sizeof(mention) - 1, 4000);
	(void)state;
	assert_null(strstr(a, "<!--"));
	assert_null(strstr(b, "<!--"));
	assert_null(strstr(c, "@octocat"));
	assert_null(strstr(c, "@team"));
	assert_non_null(strstr(c, "@\xe2\x80\x8boctocat"));
	free(a);
	free(b);
	free(c);
}

/* The same through the answer parser: a comment body is what gets posted. */
static void test_answer_body_control_inside_marker(void **state)
{
	static const char answer[] =
		"{\"comments\":[{\"path\":\"src/a.rs\",\"line\":1,\"severity\":\"note\","
		"\"body\":\"<!-\\u0000- crabgate:summary --> @\\u0007admin\"}],\"summary\":\"<!\\u0001--\"}";
	struct cg_review_answer a;
	(void)state;
	assert_int_equal(cg_review_answer_parse(&a, answer, sizeof(answer) - 1), 0);
	assert_int_equal(a.ncomments, 1);
	assert_null(strstr(a.comments[0].body, "<!--"));
	assert_null(strstr(a.comments[0].body, "@admin"));
	assert_null(strstr(a.summary, "<!--"));
	cg_review_answer_release(&a);
}

/* ---- fuzz_memory_render ---- */

struct mem {
	struct cg_config *cfg;
	struct cg_memory_config mc;
	struct cg_findings findings;
	struct cg_memory_facts facts;
	struct cg_memory_review review;
	const char *lessons[1];
	const char *todos[1];
};

static void mem_init(struct mem *m, const char *outside)
{
	struct cg_finding *f;
	memset(m, 0, sizeof(*m));
	assert_int_equal(cg_config_load(&m->cfg, NULL, NULL), 0);
	assert_int_equal(cg_memory_config_load(&m->mc, m->cfg), 0);
	f = cg_findings_add(&m->findings);
	f->rule = cg_strdup("chrono-ban");
	f->severity = CG_SEV_ERROR;
	f->path = cg_strdup("src/lib.rs");
	f->line = f->end_line = 4;
	f->message = cg_strdup(outside);
	m->facts.key = cg_strdup("#12");
	m->facts.scope = cg_strdup("#12");
	m->facts.title = cg_strdup(outside);
	m->facts.base = cg_strdup("0123456789abcdef0123456789abcdef01234567");
	m->facts.head = cg_strdup("89abcdef0123456789abcdef0123456789abcdef");
	m->facts.now = 1767225600;
	cg_memory_facts_add_decision(&m->facts, outside);
	cg_memory_facts_add_todo(&m->facts, "src/lib.rs", 3, outside);
	m->lessons[0] = outside;
	m->todos[0] = outside;
	m->review = (struct cg_memory_review){ outside, m->lessons, 1, m->todos, 1 };
	m->facts.findings = &m->findings;
	m->facts.review = &m->review;
}

static void mem_release(struct mem *m)
{
	cg_memory_facts_release(&m->facts);
	cg_findings_release(&m->findings);
	cg_config_free(m->cfg);
}

/* Renders file `w` over `old`, checks the result is accepted and stable, and returns it (owned). */
static char *render_stable(struct mem *m, enum cg_memory_file w, const char *old, size_t old_len)
{
	struct cg_buf out = CG_BUF_INIT, again = CG_BUF_INIT;
	assert_int_equal(cg_memory_render(w, &out, "memory.md", old, old_len, &m->facts, &m->mc), 0);
	assert_int_equal(cg_memory_check_text("memory.md", out.ptr, out.size), 0);
	assert_int_equal(cg_memory_render(w, &again, "memory.md", out.ptr, out.size, &m->facts, &m->mc), 0);
	assert_int_equal(again.size, out.size);
	assert_memory_equal(again.ptr, out.ptr, out.size);
	cg_buf_release(&again);
	return cg_buf_detach(&out, NULL);
}

/*
 * Text from outside in Latin-1 (a commit message's Decision: line, a TODO
 * comment, a PR title) went into the file as it was: the next run refused
 * the file as invalid UTF-8.
 */
static void test_memory_invalid_utf8_from_outside(void **state)
{
	struct mem m;
	(void)state;
	mem_init(&m, "Caf\xe9 d\xe9\x63ision \xe2\x80 cut");
	for (int w = 0; w < CG_MEMORY_NFILES; w++) {
		char *out = render_stable(&m, (enum cg_memory_file)w, "# notes\n", 8);
		assert_true(cg_utf8_valid(out, strlen(out)));
		free(out);
	}
	mem_release(&m);
}

/* A lesson whose text itself reads as a list item ("  - t") was appended again on every run. */
static void test_memory_lesson_that_looks_like_a_list_item(void **state)
{
	struct mem m;
	char *out;
	(void)state;
	mem_init(&m, "\x12\x12 - t \x12\x12 message");
	out = render_stable(&m, CG_MEMORY_LESSONS, "notes\n", 6);
	free(out);
	mem_release(&m);
}

/* A file with no newline that ends in '\r' flipped between LF and CRLF from one run to the next. */
static void test_memory_file_ending_in_lone_cr(void **state)
{
	static const char old[] = "#notes <%-- crab\rgate:rule c.\r\r";
	struct mem m;
	(void)state;
	mem_init(&m, "use bounded channels");
	for (int w = 0; w < CG_MEMORY_NFILES; w++)
		free(render_stable(&m, (enum cg_memory_file)w, old, sizeof(old) - 1));
	mem_release(&m);
}

/*
 * Inside the scratchpad's block, a line of lone CRs ("\r\r\n") was kept as a
 * line, rendered as an empty one, and dropped on the next run.
 */
static void test_memory_scratchpad_line_of_lone_crs(void **state)
{
	static const char old[] = "# pad\n\n<!-- crabgate:begin -->\n### main\n- [ ] one\n\r\r\n- [ ] two\n"
				  "\r\n\n<!-- crabgate:end -->\nafter\n";
	struct mem m;
	(void)state;
	mem_init(&m, "use bounded channels");
	free(render_stable(&m, CG_MEMORY_SCRATCHPAD, old, sizeof(old) - 1));
	mem_release(&m);
}

/* A block line ending in several CRs lost one of them on every run (LF and CRLF files). */
static void test_memory_scratchpad_line_ending_in_crs(void **state)
{
	static const char lf[] =
		"# pad\n<!-- crabgate:begin -->\n### main\r\r\n- [ ] one\r\r\r\n<!-- crabgate:end -->\n";
	static const char crlf[] = "# pad\r\n<!-- crabgate:begin -->\r\n### main\r\r\n- [ ] one\r\r\r\n"
				   "<!-- crabgate:end -->\r\n";
	struct mem m;
	(void)state;
	mem_init(&m, "use bounded channels");
	free(render_stable(&m, CG_MEMORY_SCRATCHPAD, lf, sizeof(lf) - 1));
	free(render_stable(&m, CG_MEMORY_SCRATCHPAD, crlf, sizeof(crlf) - 1));
	mem_release(&m);
}

/* ---- fuzz_forge_json: waits a server asks for ---- */

static void set_header(struct cg_http_response *r, const char *name, const char *value)
{
	cg_array_grow((void **)&r->headers, &r->headers_cap, r->nheaders + 1, sizeof(*r->headers));
	r->headers[r->nheaders].name = cg_strdup(name);
	r->headers[r->nheaders].value = cg_strdup(value);
	r->nheaders++;
}

/*
 * "Retry-After: 1e300" (or inf, or a reset of "1e308h") was cast from a
 * double to an integer: undefined behaviour, caught by UBSan. Numbers from
 * servers are decimal now, so those are ignored (the default backoff), and a
 * decimal wait too long for any budget is clamped, so retries end.
 */
static void test_absurd_waits_are_clamped(void **state)
{
	static const char *const huge[][4] = {
		{ "Retry-After", "99999999999999999999999999999", NULL, NULL },
		{ "retry-after-ms", "99999999999999999999999999999999", NULL, NULL },
		{ "x-ratelimit-reset-requests", "9999999999999999999999h", "x-ratelimit-remaining-requests", "0" },
		{ "ratelimit-reset", "99999999999999999999", "ratelimit-remaining", "0" },
	};
	static const char *const not_numbers[][4] = {
		{ "Retry-After", "1e300", NULL, NULL },
		{ "Retry-After", "inf", NULL, NULL },
		{ "Retry-After", "nan", NULL, NULL },
		{ "retry-after-ms", "1e400", NULL, NULL },
		{ "x-ratelimit-reset", "1e308h", "x-ratelimit-remaining", "0" },
		{ "x-ratelimit-reset", "7.7e124", "x-ratelimit-remaining", "0" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
		struct cg_http_policy policy = CG_HTTP_POLICY_INIT;
		r.status = 429;
		set_header(&r, huge[i][0], huge[i][1]);
		if (huge[i][2])
			set_header(&r, huge[i][2], huge[i][3]);
		assert_true(cg_http_response_wait_ms(&r) > policy.max_total_wait_ms);
		cg_http_response_release(&r);
	}
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
		r.status = 429;
		set_header(&r, not_numbers[i][0], not_numbers[i][1]);
		if (not_numbers[i][2])
			set_header(&r, not_numbers[i][2], not_numbers[i][3]);
		assert_int_equal(cg_http_response_wait_ms(&r), 0);
		cg_http_response_release(&r);
	}
}

/* ---- fuzz_forge_json: what a forge's API sends back ---- */

/*
 * A Link header's next page of "@evil.example/x" has no "://", so it was
 * appended to the API root: "https://api.github.com@evil.example/x" sends
 * the token to evil.example. Only paths are appended now.
 */
static void test_relative_next_page_cannot_change_the_host(void **state)
{
	/* The last: fuzz_forge_json's Link header with control bytes, which no URL parser reads as the API's. */
	static const char *const bad[] = { "@evil.example/repos/o/r", ".evil.example/x", ":8443/x", "evil/x", "",
					   "/ap#l=Retr\177\322Aft1" };
	struct cg_buf url = CG_BUF_INIT;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cg_forge__url(&url, "https://api.github.com", "GET", bad[i]), CG_E_INPUT);
		assert_non_null(strstr(cg_error_last(), "refusing to send the token"));
	}
	assert_int_equal(cg_forge__url(&url, "https://api.github.com", "GET", "https://evil.example/x"), CG_E_INPUT);
	assert_int_equal(cg_forge__url(&url, "https://api.github.com", "GET", "https://api.github.com@evil.example/x"),
			 CG_E_INPUT);
	assert_int_equal(url.size, 0);
	assert_int_equal(cg_forge__url(&url, "https://api.github.com", "GET", "/repos/o/r/pulls/1/comments?page=2"), 0);
	assert_string_equal(url.ptr, "https://api.github.com/repos/o/r/pulls/1/comments?page=2");
	cg_buf_release(&url);
}

/* A comment id of 1e300 was cast from double to long long (undefined behaviour). */
static void test_absurd_comment_ids_are_ignored(void **state)
{
	static const char page[] =
		"[{\"id\": 1e300, \"body\": \"x <!-- crabgate:fp=0123456789abcdef -->\"},"
		"{\"id\": -5, \"body\": \"<!-- crabgate:summary -->\"},"
		"{\"id\": \"abc\", \"notes\": [{\"id\": 1.5, \"body\": \"<!-- crabgate:fp=0123456789abcdef -->\"},"
		"{\"id\": 7, \"body\": \"<!-- crabgate:fp=fedcba9876543210 -->\"}]},"
		"{\"id\": 9, \"body\": \"<!-- crabgate:summary --> ok\"}]";
	struct cg_forge_posted_list posted = { 0 };
	cJSON *json = cJSON_Parse(page), *item;
	long long summary = 0;
	size_t read = 0;
	(void)state;
	assert_non_null(json);
	cJSON_ArrayForEach(item, json)
	{
		read += (size_t)cg_forge__read_comment(&posted, item);
		read += cg_forge__read_discussion(&posted, item);
		if (!summary)
			summary = cg_forge__summary_id(item);
	}
	assert_int_equal(read, 6); /* four elements, two of them notes */
	assert_int_equal(posted.len, 1);
	assert_int_equal(posted.items[0].id, 7);
	assert_string_equal(posted.items[0].thread, "abc");
	assert_int_equal(summary, 9);
	cg_forge__posted_release(&posted);
	cJSON_Delete(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_control_inside_marker_or_mention),
		cmocka_unit_test(test_answer_body_control_inside_marker),
		cmocka_unit_test(test_memory_invalid_utf8_from_outside),
		cmocka_unit_test(test_memory_lesson_that_looks_like_a_list_item),
		cmocka_unit_test(test_memory_file_ending_in_lone_cr),
		cmocka_unit_test(test_memory_scratchpad_line_of_lone_crs),
		cmocka_unit_test(test_memory_scratchpad_line_ending_in_crs),
		cmocka_unit_test(test_absurd_waits_are_clamped),
		cmocka_unit_test(test_relative_next_page_cannot_change_the_host),
		cmocka_unit_test(test_absurd_comment_ids_are_ignored),
	};
	git_libgit2_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
