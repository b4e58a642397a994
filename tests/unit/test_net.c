/*
 * The HTTP client against a real server on 127.0.0.1 (tests/servers/
 * model_server.py, started per group): retries and their limits, the
 * concurrency bound, redirects, plain-http refusal, secrets in logs.
 * The policies' wait_scale makes the waits short; assertions are on the
 * decisions (attempts, computed waits, the server's record), not on clocks.
 */
#include "helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config/config.h"
#include "net/http.h"
#include "util/error.h"
#include "util/log.h"

struct server {
	pid_t pid;
	int port;
	char base[64];
};

static void server_start(struct server *s)
{
	char script[4096];
	const char *file = __FILE__, *slash = strrchr(file, '/');
	int fds[2];
	char line[64] = { 0 };
	size_t got = 0;

	/* tests/unit/test_net.c -> tests/servers/model_server.py */
	snprintf(script, sizeof(script), "%.*s/../servers/model_server.py", (int)(slash - file), file);
	assert_int_equal(pipe(fds), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", script, (char *)NULL);
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
	assert_true(sscanf(line, "PORT %d", &s->port) == 1);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
}

static void server_stop(struct server *s)
{
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
}

static struct cg_http_policy fast_policy(void)
{
	struct cg_http_policy p = CG_HTTP_POLICY_INIT;
	p.timeout_ms = 10000;
	p.wait_scale = 0.001;
	return p;
}

/* Posts to a control endpoint; returns the parsed answer (cJSON_Delete it). */
static cJSON *control(struct server *s, const char *what, const char *json)
{
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_request q = { 0 };
	char url[256];
	cJSON *out;

	snprintf(url, sizeof(url), "%s/_control/%s", s->base, what);
	q.method = json ? "POST" : "GET";
	q.url = url;
	q.body = json;
	q.body_len = json ? strlen(json) : 0;
	assert_int_equal(cg_http_send(&r, &q, &p), 0);
	assert_int_equal(r.status, 200);
	out = cJSON_Parse(r.body.ptr);
	assert_non_null(out);
	cg_http_response_release(&r);
	return out;
}

static void scenario(struct server *s, const char *json)
{
	cJSON_Delete(control(s, "scenario", json));
}

static int requests_count(struct server *s)
{
	cJSON *st = control(s, "stats", NULL);
	int n = cJSON_GetObjectItem(st, "count")->valueint;
	cJSON_Delete(st);
	return n;
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	server_start(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;
	server_stop(s);
	free(s);
	return 0;
}

static int get(struct server *s, struct cg_http_response *r, const char *path, const struct cg_http_policy *p)
{
	struct cg_http_request q = { 0 };
	char url[256];
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	q.url = url;
	return cg_http_send(r, &q, p);
}

static void test_echo_and_headers(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_header h[] = { { "Content-Type", "application/json" }, { "X-Thing", "one" } };
	struct cg_http_request q = { "POST", NULL, h, 2, "{\"a\":1}", 7 };
	char url[256];
	cJSON *doc;

	scenario(s, "{\"default\":{\"mode\":\"echo\",\"headers\":{\"X-Next-Page\":\"3\",\"Link\":"
		    "\"<https://h/x?page=2>; rel=\\\"next\\\", <https://h/x?page=9>; rel=\\\"last\\\"\"}}}");
	snprintf(url, sizeof(url), "%s/echo", s->base);
	q.url = url;
	assert_int_equal(cg_http_send(&r, &q, &p), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(cg_http_response_header(&r, "x-next-page"), "3");
	assert_string_equal(cg_http_response_header(&r, "X-NEXT-PAGE"), "3");
	{
		char *next = cg_http_link_next(&r);
		assert_non_null(next);
		assert_string_equal(next, "https://h/x?page=2");
		free(next);
	}
	doc = cJSON_Parse(r.body.ptr);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "method")->valuestring, "POST");
	assert_string_equal(cJSON_GetObjectItem(doc, "body")->valuestring, "{\"a\":1}");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "headers"), "X-Thing")->valuestring, "one");
	cJSON_Delete(doc);
	cg_http_response_release(&r);
}

static void test_retries_5xx_then_success(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	scenario(s, "{\"sequence\":[{\"mode\":\"status\",\"status\":500},{\"mode\":\"status\",\"status\":502},"
		    "{\"mode\":\"status\",\"status\":529},{\"mode\":\"http_truncated\"}],"
		    "\"default\":{\"mode\":\"status\",\"status\":200,\"body\":\"done\"}}");
	p.max_retries = 4;
	assert_int_equal(get(s, &r, "/x", &p), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.ptr, "done");
	assert_int_equal(r.attempts, 5);
	assert_null(r.error);
	assert_int_equal(requests_count(s), 5);
	cg_http_response_release(&r);
}

static void test_gives_up_after_max_retries(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	scenario(s, "{\"default\":{\"mode\":\"status\",\"status\":503}}");
	p.max_retries = 2;
	assert_int_equal(get(s, &r, "/x", &p), 0); /* an answer arrived: 503 */
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 3);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "gave up after 3 attempts"));
	cg_http_response_release(&r);
}

static void test_no_retry_on_client_errors(void **state)
{
	struct server *s = *state;
	static const int codes[] = { 400, 401, 403, 404, 422 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct cg_http_policy p = fast_policy();
		struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
		char sc[256];
		snprintf(sc, sizeof(sc),
			 "{\"default\":{\"mode\":\"status\",\"status\":%d,\"headers\":{\"Retry-After\":\"1\"}}}",
			 codes[i]);
		scenario(s, sc);
		assert_int_equal(get(s, &r, "/x", &p), 0);
		assert_int_equal(r.status, codes[i]);
		assert_int_equal(r.attempts, 1);
		assert_int_equal(requests_count(s), 1);
		cg_http_response_release(&r);
	}
}

static void test_429_quota_is_final(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	scenario(s,
		 "{\"default\":{\"mode\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"1\"},"
		 "\"body\":{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
		 "\"code\":\"insufficient_quota\"}}}}");
	assert_int_equal(get(s, &r, "/x", &p), 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.attempts, 1);
	cg_http_response_release(&r);
}

static void test_429_retry_after_is_honoured(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	/* Time scale 0.001 (main): a 7 s Retry-After becomes 7..7.7 ms of waiting. */
	scenario(s, "{\"sequence\":[{\"mode\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"7\"},"
		    "\"body\":{\"error\":{\"type\":\"rate_limit_exceeded\"}}}],"
		    "\"default\":{\"mode\":\"status\",\"status\":200,\"body\":\"ok\"}}");
	p.base_delay_ms = 1;
	assert_int_equal(get(s, &r, "/x", &p), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 2);
	assert_true(r.waited_ms >= 7 && r.waited_ms <= 8);
	cg_http_response_release(&r);
}

static void test_retry_after_beyond_budget_stops(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	scenario(s, "{\"default\":{\"mode\":\"status\",\"status\":429,\"headers\":{\"Retry-After\":\"3600\"}}}");
	p.max_total_wait_ms = 60000;
	assert_int_equal(get(s, &r, "/x", &p), 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.attempts, 1);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "retry budget"));
	cg_http_response_release(&r);
}

static void test_rate_limit_reset_headers(void **state)
{
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_response_header h[3];
	char epoch[32];
	uint64_t w;
	(void)state;

	r.headers = h;
	r.nheaders = 2;
	h[0].name = "x-ratelimit-remaining";
	h[0].value = "0";
	h[1].name = "x-ratelimit-reset";
	snprintf(epoch, sizeof(epoch), "%lld", (long long)time(NULL) + 30);
	h[1].value = epoch;
	w = cg_http_response_wait_ms(&r);
	assert_true(w >= 28000 && w <= 30000);

	h[0].name = "x-ratelimit-remaining-requests";
	h[1].name = "x-ratelimit-reset-requests";
	h[1].value = "6m0s";
	assert_int_equal(cg_http_response_wait_ms(&r), 360000);
	h[1].value = "20ms";
	assert_int_equal(cg_http_response_wait_ms(&r), 20);

	h[0].value = "5"; /* not exhausted: nothing to wait for */
	assert_int_equal(cg_http_response_wait_ms(&r), 0);

	h[2].name = "Retry-After-Ms";
	h[2].value = "1500";
	r.nheaders = 3;
	assert_int_equal(cg_http_response_wait_ms(&r), 1500);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT": strftime's %y would draw a warning about two-digit years. */
static void rfc850(char *out, size_t size, const struct tm *tm)
{
	char head[24], tail[16];
	strftime(head, sizeof(head), "%A, %d-%b-", tm);
	strftime(tail, sizeof(tail), " %H:%M:%S GMT", tm);
	snprintf(out, size, "%s%02d%s", head, tm->tm_year % 100, tail);
}

/* Retry-After is delay-seconds or an HTTP-date; "0x10" was read as hex (16 s). Anything else: default backoff. */
static void test_retry_after_is_decimal_or_a_date(void **state)
{
	static const char *const ignored[] = { "0x10",
					       "1e3",
					       "+5",
					       "-5",
					       "inf",
					       "nan",
					       "5s",
					       "1.",
					       "",
					       "tomorrow",
					       "Sun, 06 Nov 2994 08:49:37 PST",
					       "sun, 06 Nov 2994 08:49:37 GMT",
					       "Sun, 06 Nov 2994 08:49:37 GMT x" };
	struct cg_http_response_header h[1] = { { "Retry-After", NULL } };
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	char date[64];
	time_t at = time(NULL) + 30;
	uint64_t w;
	(void)state;

	r.headers = h;
	r.nheaders = 1;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		h[0].value = (char *)ignored[i];
		if (cg_http_response_wait_ms(&r) != 0)
			fail_msg("Retry-After: '%s' was taken as a wait", ignored[i]);
	}
	h[0].value = "16";
	assert_int_equal(cg_http_response_wait_ms(&r), 16000);
	h[0].value = "0";
	assert_int_equal(cg_http_response_wait_ms(&r), 0);
	for (int i = 0; i < 3; i++) {
		/* IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
		if (i == 0)
			strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&at));
		else if (i == 1)
			rfc850(date, sizeof(date), gmtime(&at));
		else
			strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", gmtime(&at));
		h[0].value = date;
		w = cg_http_response_wait_ms(&r);
		if (w < 28000 || w > 30000)
			fail_msg("Retry-After: '%s' gave %llu ms", date, (unsigned long long)w);
	}
	h[0].value = "Sun, 06 Nov 1994 08:49:37 GMT"; /* in the past: no wait */
	assert_int_equal(cg_http_response_wait_ms(&r), 0);
	h[0].name = "retry-after-ms";
	h[0].value = "0x10";
	assert_int_equal(cg_http_response_wait_ms(&r), 0);
	h[0].value = "1500";
	assert_int_equal(cg_http_response_wait_ms(&r), 1500);
	r.headers = NULL;
	r.nheaders = 0;
}

static void test_batch_bounds_concurrency(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_call calls[12];
	char urls[12][128];
	cJSON *st;

	scenario(s, "{\"default\":{\"mode\":\"status\",\"status\":200,\"body\":\"ok\",\"delay_ms\":60},"
		    "\"rules\":[{\"match\":\"retry-me\",\"times\":2,\"mode\":\"status\",\"status\":503}]}");
	memset(calls, 0, sizeof(calls));
	for (int i = 0; i < 12; i++) {
		snprintf(urls[i], sizeof(urls[i]), "%s/item/%d", s->base, i);
		calls[i].req.method = "POST";
		calls[i].req.url = urls[i];
		calls[i].req.body = i == 5 ? "retry-me" : "plain";
		calls[i].req.body_len = strlen(calls[i].req.body);
	}
	assert_int_equal(cg_http_batch(calls, 12, 3, &p), 0);
	for (int i = 0; i < 12; i++) {
		assert_int_equal(calls[i].err, 0);
		assert_int_equal(calls[i].resp.status, 200);
		assert_int_equal(calls[i].resp.attempts, i == 5 ? 3 : 1);
		cg_http_response_release(&calls[i].resp);
	}
	st = control(s, "stats", NULL);
	assert_int_equal(cJSON_GetObjectItem(st, "count")->valueint, 14);
	assert_true(cJSON_GetObjectItem(st, "max_in_flight")->valueint <= 3);
	cJSON_Delete(st);
}

static void test_plain_http_refused_for_remote_hosts(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_request q = { 0 };

	scenario(s, "{}");
	q.url = "http://review.example.invalid/v1/chat/completions";
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "allow_insecure_http"));
	assert_int_equal(r.attempts, 0);
	cg_http_response_release(&r);

	q.url = "ftp://127.0.0.1/x";
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_INPUT);
	cg_http_response_release(&r);

	assert_true(cg_http_host_is_loopback("127.0.0.1"));
	assert_true(cg_http_host_is_loopback("127.8.9.10"));
	assert_true(cg_http_host_is_loopback("[::1]"));
	assert_true(cg_http_host_is_loopback("localhost"));
	assert_false(cg_http_host_is_loopback("127.0.0.1.example.com"));
	assert_false(cg_http_host_is_loopback("10.0.0.1"));
	assert_false(cg_http_host_is_loopback("localhost.example.com"));
}

static void test_redirects_same_host_only(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_header h[] = { { "Authorization", "Bearer redirect-secret-token" } };
	struct cg_http_request q = { "GET", NULL, h, 1, NULL, 0 };
	char url[256], sc[512];
	cJSON *reqs;

	snprintf(sc, sizeof(sc),
		 "{\"rules\":[{\"match\":\"\",\"times\":1,\"mode\":\"redirect\",\"location\":\"/moved\"}],"
		 "\"default\":{\"mode\":\"echo\"}}");
	scenario(s, sc);
	snprintf(url, sizeof(url), "%s/start", s->base);
	q.url = url;
	assert_int_equal(cg_http_send(&r, &q, &p), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(r.url, "/moved"));
	assert_non_null(strstr(r.body.ptr, "redirect-secret-token")); /* same host: auth kept */
	cg_http_response_release(&r);

	snprintf(sc, sizeof(sc), "{\"default\":{\"mode\":\"redirect\",\"location\":\"http://127.0.0.2:%d/steal\"}}",
		 s->port);
	scenario(s, sc);
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_NET);
	assert_non_null(strstr(cg_error_last(), "another host"));
	reqs = control(s, "requests", NULL);
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	cJSON_Delete(reqs);
	cg_http_response_release(&r);

	/* The same host on another port, or over another scheme, is another origin (cg_url_same_origin). */
	snprintf(sc, sizeof(sc), "{\"default\":{\"mode\":\"redirect\",\"location\":\"http://127.0.0.1:%d/steal\"}}",
		 s->port == 65535 ? 1 : s->port + 1);
	scenario(s, sc);
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_NET);
	assert_non_null(strstr(cg_error_last(), "another host"));
	cg_http_response_release(&r);
	snprintf(sc, sizeof(sc), "{\"default\":{\"mode\":\"redirect\",\"location\":\"https://127.0.0.1:%d/steal\"}}",
		 s->port);
	scenario(s, sc);
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_NET);
	assert_non_null(strstr(cg_error_last(), "another host"));
	cg_http_response_release(&r);
}

/* http.retry_wait_scale: 1 by default, any number in (0, 1000], an error naming the place otherwise. */
static void test_wait_scale_from_config(void **state)
{
	static const char *const bad[] = { "0", "-1", "1001", "fast", "\"\"", "0.5x" };
	static const char fast[] = "http:\n  retry_wait_scale: 0.001\n";
	struct cg_config *cfg = NULL;
	double scale = 0;
	(void)state;
	assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
	assert_int_equal(cg_http_wait_scale_from_config(&scale, cfg), 0);
	assert_true(scale == 1.0);
	assert_int_equal(cg_config_merge_text(cfg, ".crabgate.yaml", fast, strlen(fast)), 0);
	assert_int_equal(cg_http_wait_scale_from_config(&scale, cfg), 0);
	assert_true(scale == 0.001);
	cg_config_free(cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "http:\n  retry_wait_scale: %s\n", bad[i]);
		assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
		assert_int_equal(cg_config_merge_text(cfg, ".crabgate.yaml", text, strlen(text)), 0);
		assert_int_equal(cg_http_wait_scale_from_config(&scale, cfg), CG_E_CONFIG);
		assert_non_null(strstr(cg_error_last(), ".crabgate.yaml:2: http.retry_wait_scale: expected a number"));
		cg_config_free(cfg);
	}
}

static void test_connection_refused_retries_then_fails(void **state)
{
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_request q = { 0 };
	(void)state;

	/* Port 1 on loopback: nothing listens there in a test sandbox. */
	q.url = "http://127.0.0.1:1/x";
	p.max_retries = 2;
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_NET);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(r.status, 0);
	cg_http_response_release(&r);
}

static void test_body_cap(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;

	scenario(s, "{\"default\":{\"mode\":\"status\",\"status\":200,\"body\":\"0123456789abcdefghij\"}}");
	p.max_body = 10;
	assert_int_equal(get(s, &r, "/big", &p), CG_E_TOOBIG);
	assert_int_equal(r.attempts, 1);
	cg_http_response_release(&r);
}

static void test_header_injection_refused(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_header h[] = { { "Authorization", "Bearer abc\r\nX-Evil: 1" } };
	struct cg_http_request q = { "GET", NULL, h, 1, NULL, 0 };
	char url[256];

	scenario(s, "{}");
	snprintf(url, sizeof(url), "%s/x", s->base);
	q.url = url;
	assert_int_equal(cg_http_send(&r, &q, &p), CG_E_INPUT);
	assert_int_equal(requests_count(s), 0);
	cg_http_response_release(&r);
}

static void test_verbose_log_redacts_auth(void **state)
{
	struct server *s = *state;
	struct cg_http_policy p = fast_policy();
	struct cg_http_response r = CG_HTTP_RESPONSE_INIT;
	struct cg_http_header h[] = { { "x-api-key", "sk-ant-test-key-0123456789" }, { "Accept", "text/plain" } };
	struct cg_http_request q = { "GET", NULL, h, 2, NULL, 0 };
	char url[256], path[] = "/tmp/crabgate-http-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char log[16384] = { 0 };
	FILE *f;

	scenario(s, "{\"default\":{\"mode\":\"echo\"}}");
	snprintf(url, sizeof(url), "%s/x", s->base);
	q.url = url;
	assert_true(fd >= 0);
	fflush(stderr);
	dup2(fd, 2);
	cg_log_set_level(CG_LOG_VERBOSE);
	assert_int_equal(cg_http_send(&r, &q, &p), 0);
	cg_verbose("echoed: %s", r.body.ptr); /* even a server echoing the key gets masked */
	cg_log_set_level(CG_LOG_NORMAL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_SET);
	(void)!fread(log, 1, sizeof(log) - 1, f);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(log, "x-api-key: ***"));
	assert_non_null(strstr(log, "Accept: text/plain"));
	assert_null(strstr(log, "sk-ant-test-key-0123456789"));
	cg_http_response_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_and_headers),
		cmocka_unit_test(test_retries_5xx_then_success),
		cmocka_unit_test(test_gives_up_after_max_retries),
		cmocka_unit_test(test_no_retry_on_client_errors),
		cmocka_unit_test(test_429_quota_is_final),
		cmocka_unit_test(test_429_retry_after_is_honoured),
		cmocka_unit_test(test_retry_after_beyond_budget_stops),
		cmocka_unit_test(test_retry_after_is_decimal_or_a_date),
		cmocka_unit_test(test_rate_limit_reset_headers),
		cmocka_unit_test(test_batch_bounds_concurrency),
		cmocka_unit_test(test_plain_http_refused_for_remote_hosts),
		cmocka_unit_test(test_redirects_same_host_only),
		cmocka_unit_test(test_wait_scale_from_config),
		cmocka_unit_test(test_connection_refused_retries_then_fails),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_header_injection_refused),
		cmocka_unit_test(test_verbose_log_redacts_auth),
	};
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("ALL_PROXY");
	return cmocka_run_group_tests(tests, setup, teardown);
}
