#define _GNU_SOURCE /* strcasestr, timegm */
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "util/error.h"
#include "util/libcurl.h"
#include "util/log.h"
#include "util/str.h"
#include "util/url.h"
#include "util/banned.h"

#define CG_HTTP_MAX_REDIRECTS 5
/* A server-requested wait gets up to this much extra, so clients that were told the same do not return at once. */
#define CG_HTTP_SERVER_JITTER_PCT 10

/* ---------------------------------------------------------------- clocks */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

int cg_http_wait_scale_from_config(double *out, const struct cg_config *cfg)
{
	const struct cg_conf_node *n = cg_conf_child(cg_conf_child(cfg->root, "http"), "retry_wait_scale");
	char *end = NULL;

	*out = 1.0;
	if (!n)
		return 0;
	errno = 0;
	if (n->value && *n->value)
		*out = strtod(n->value, &end);
	if (!n->value || !*n->value || *end || errno || !(*out > 0.0) || *out > 1000.0)
		return cg_error_set(
			CG_E_CONFIG,
			"%s:%u: http.retry_wait_scale: expected a number above 0 and at most 1000, found '%s'", n->file,
			n->line, n->value ? n->value : "");
	return 0;
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*: jitter needs spread, not cryptographic strength. */
	if (!rng_state)
		rng_state = (mono_ms() << 16) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* ----------------------------------------------------------- global init */

static bool curl_ready;

static void curl_done(void)
{
	curl_global_cleanup();
}

static int ensure_curl(void)
{
	int err;
	if (curl_ready)
		return 0;
	if ((err = cg_libcurl_load()) < 0)
		return err;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cg_error_set(CG_E_NET, "cannot initialise libcurl");
	atexit(curl_done);
	curl_ready = true;
	return 0;
}

/* -------------------------------------------------------------- response */

void cg_http_response_release(struct cg_http_response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	cg_buf_release(&resp->body);
	free(resp->url);
	free(resp->error);
	memset(resp, 0, sizeof(*resp));
	cg_buf_init(&resp->body);
}

static void response_reset_attempt(struct cg_http_response *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	resp->nheaders = 0;
	cg_buf_truncate(&resp->body, 0);
	resp->status = 0;
}

const char *cg_http_response_header(const struct cg_http_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			return resp->headers[i].value;
	return NULL;
}

char *cg_http_link_next(const struct cg_http_response *resp)
{
	const char *link = cg_http_response_header(resp, "link");
	const char *p = link;

	/* <url>; rel="next", <url>; rel="last" */
	while (p && *p) {
		const char *lt = strchr(p, '<'), *gt, *end;
		if (!lt || !(gt = strchr(lt, '>')))
			break;
		end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		for (const char *q = gt; q + 4 <= end; q++) {
			if (!strncasecmp(q, "rel=", 4)) {
				const char *v = q + 4;
				if (*v == '"')
					v++;
				if (!strncmp(v, "next", 4) &&
				    (v[4] == '"' || v[4] == ';' || v[4] == ',' || v[4] == ' ' || !v[4]))
					return cg_strndup(lt + 1, (size_t)(gt - lt - 1));
			}
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* Whether `s` has the shape of `pat`: D a digit, S a space or a digit, A a letter, anything else itself. */
static bool fits(const char *s, const char *pat)
{
	for (; *pat; s++, pat++) {
		bool ok = *pat == 'D'	? isdigit((unsigned char)*s)
			  : *pat == 'S' ? (*s == ' ' || isdigit((unsigned char)*s))
			  : *pat == 'A' ? isalpha((unsigned char)*s)
					: *s == *pat;
		if (!ok)
			return false;
	}
	return !*s;
}

/*
 * Numbers in servers' headers are decimal: digits with an optional fraction.
 * strtod would also take "0x10" (16), "1e3", "inf", "nan" and a sign, none
 * of which a server means as a wait. Advances *p past the number; false when
 * there is none. Values past 1e15 stay at 1e15 (far past every wait budget).
 */
static bool scan_decimal(const char **p, double *out)
{
	const char *q = *p;
	double d = 0, scale = 1;
	if (!isdigit((unsigned char)*q))
		return false;
	for (; isdigit((unsigned char)*q); q++)
		if (d < 1e15)
			d = d * 10 + (*q - '0');
	if (*q == '.') {
		if (!isdigit((unsigned char)q[1]))
			return false;
		for (q++; isdigit((unsigned char)*q); q++)
			if (scale > 1e-9) {
				scale /= 10;
				d += (*q - '0') * scale;
			}
	}
	*out = d;
	*p = q;
	return true;
}

/* A whole header value that is one decimal number (white space around it allowed); -1 otherwise. */
static double parse_decimal(const char *v)
{
	double d;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!scan_decimal(&v, &d))
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	return *v ? -1 : d;
}

/* Go-style durations ("1s", "6m0s", "20ms", "1.5h"); -1 when not one. */
static double parse_duration_s(const char *v)
{
	double total = 0;
	bool any = false;
	while (*v) {
		double n;
		if (!scan_decimal(&v, &n))
			return -1;
		if (!strncmp(v, "ms", 2)) {
			n /= 1000.0;
			v += 2;
		} else if (*v == 's') {
			v++;
		} else if (*v == 'm') {
			n *= 60.0;
			v++;
		} else if (*v == 'h') {
			n *= 3600.0;
			v++;
		} else {
			return -1;
		}
		total += n;
		any = true;
	}
	return any ? total : -1;
}

/*
 * An HTTP-date (RFC 9110 5.6.7) to epoch seconds, -1 when `v` is not one:
 * the IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994"
 * forms recipients must accept; nothing looser.
 */
static double parse_http_date(const char *v)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const long_days[] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
						 "Friday", "Saturday", "Sunday" };
	const char *day, *mon, *year, *clock;
	size_t n = strlen(v), year_len;
	bool is_day = false;
	struct tm tm;
	int m = -1;

	if (n == 29 && fits(v, "AAA, DD AAA DDDD DD:DD:DD GMT")) {
		day = v + 5, mon = v + 8, year = v + 12, year_len = 4, clock = v + 17;
		for (size_t i = 0; i < 7; i++)
			is_day |= !strncmp(v, days[i], 3);
	} else if (n == 24 && fits(v, "AAA AAA SD DD:DD:DD DDDD")) {
		day = v + 8, mon = v + 4, year = v + 20, year_len = 4, clock = v + 11;
		for (size_t i = 0; i < 7; i++)
			is_day |= !strncmp(v, days[i], 3);
	} else {
		const char *comma = strchr(v, ',');
		size_t wl = comma ? (size_t)(comma - v) : 0;
		if (!comma || strlen(comma) != 24 || !fits(comma, ", DD-AAA-DD DD:DD:DD GMT"))
			return -1;
		day = comma + 2, mon = comma + 5, year = comma + 9, year_len = 2, clock = comma + 12;
		for (size_t i = 0; i < 7; i++)
			is_day |= strlen(long_days[i]) == wl && !strncmp(v, long_days[i], wl);
	}
	for (int i = 0; i < 12; i++)
		if (!strncmp(mon, months[i], 3))
			m = i;
	if (!is_day || m < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = (day[0] == ' ' ? 0 : (day[0] - '0') * 10) + (day[1] - '0');
	tm.tm_mon = m;
	tm.tm_year = 0;
	for (size_t i = 0; i < year_len; i++)
		tm.tm_year = tm.tm_year * 10 + (year[i] - '0');
	if (year_len == 2) /* RFC 850's two-digit year, taken as 1970..2069 */
		tm.tm_year += tm.tm_year < 70 ? 2000 : 1900;
	tm.tm_year -= 1900;
	tm.tm_hour = (clock[0] - '0') * 10 + (clock[1] - '0');
	tm.tm_min = (clock[3] - '0') * 10 + (clock[4] - '0');
	tm.tm_sec = (clock[6] - '0') * 10 + (clock[7] - '0');
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	return (double)timegm(&tm);
}

/* RFC 3339 "2024-05-01T12:00:00Z" (fraction and offset tolerated) to epoch seconds; -1 otherwise. */
static double parse_rfc3339(const char *v)
{
	struct tm tm;
	int y, mo, d, h, mi, s, used = 0;
	time_t t;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 || !used)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	v += used;
	if (*v == '.')
		while (isdigit((unsigned char)*++v))
			;
	if ((*v == '+' || *v == '-') && strlen(v) >= 6) {
		int oh = (v[1] - '0') * 10 + (v[2] - '0'), om = (v[4] - '0') * 10 + (v[5] - '0');
		long off = (long)oh * 3600 + om * 60;
		t -= *v == '+' ? off : -off;
	}
	return (double)t;
}

/*
 * Seconds to milliseconds, clamped: the number comes from a server and can
 * be anything ("1e300", "inf", "nan"), and casting such a double to an
 * integer is undefined. Past the cap the wait budget ends the retries anyway.
 */
static int64_t seconds_to_ms(double s)
{
	if (!(s > 0))
		return 0;
	if (s > 1e12)
		return (int64_t)1e15;
	return (int64_t)(s * 1000.0);
}

/* A reset value: epoch seconds, seconds, a duration or a date; returns ms from now, or -1. */
static int64_t reset_wait_ms(const char *v)
{
	double d, now = (double)time(NULL);

	if ((d = parse_decimal(v)) >= 0) {
		if (d > 1e9) /* epoch seconds (GitHub, GitLab) */
			d -= now;
		return seconds_to_ms(d);
	}
	while (*v == ' ')
		v++;
	if ((d = parse_duration_s(v)) >= 0) /* OpenAI */
		return seconds_to_ms(d);
	if ((d = parse_rfc3339(v)) >= 0) /* Anthropic */
		return seconds_to_ms(d - now);
	return -1;
}

uint64_t cg_http_response_wait_ms(const struct cg_http_response *resp)
{
	const char *v;
	int64_t best = -1;

	if ((v = cg_http_response_header(resp, "retry-after-ms")) != NULL) {
		double d = parse_decimal(v);
		if (d >= 0)
			best = seconds_to_ms(d / 1000.0);
	}
	/* Retry-After is delay-seconds or an HTTP-date (RFC 9110 10.2.3); anything else is ignored. */
	if (best < 0 && (v = cg_http_response_header(resp, "retry-after")) != NULL) {
		double d = parse_decimal(v);
		if (d >= 0)
			best = seconds_to_ms(d);
		else if ((d = parse_http_date(v)) >= 0)
			best = seconds_to_ms(d - (double)time(NULL));
	}
	if (best >= 0)
		return (uint64_t)best;
	/* Every exhausted limit: `...reset...` whose `...remaining...` twin is 0. */
	for (size_t i = 0; i < resp->nheaders; i++) {
		const char *name = resp->headers[i].name, *at;
		struct cg_buf twin = CG_BUF_INIT;
		const char *rem;
		int64_t w;
		if (!strcasestr(name, "ratelimit") || !(at = strcasestr(name, "reset")))
			continue;
		cg_buf_put(&twin, name, (size_t)(at - name));
		cg_buf_puts(&twin, "remaining");
		cg_buf_puts(&twin, at + 5);
		rem = cg_http_response_header(resp, twin.ptr);
		cg_buf_release(&twin);
		if (!rem || strcmp(rem, "0") != 0)
			continue;
		w = reset_wait_ms(resp->headers[i].value);
		if (w > best)
			best = w;
	}
	return best > 0 ? (uint64_t)best : 0;
}

static bool has_rate_limit_signal(const struct cg_http_response *resp)
{
	if (cg_http_response_header(resp, "retry-after") || cg_http_response_header(resp, "retry-after-ms"))
		return true;
	for (size_t i = 0; i < resp->nheaders; i++)
		if (strcasestr(resp->headers[i].name, "ratelimit") && strcasestr(resp->headers[i].name, "remaining") &&
		    !strcmp(resp->headers[i].value, "0"))
			return true;
	return false;
}

bool cg_http_should_retry(const struct cg_http_response *resp, const struct cg_http_policy *policy)
{
	switch (resp->status) {
	case 429:
		/* OpenAI: a spent budget answers 429 too, and waiting does not refill it. */
		return !strstr(resp->body.ptr, "insufficient_quota");
	case 500:
	case 502:
	case 503:
	case 504:
	case 529: /* Anthropic: overloaded */
		return true;
	case 403:
		return policy->retry_rate_limited_403 && has_rate_limit_signal(resp);
	default:
		return false;
	}
}

/* --------------------------------------------------------------- helpers */

bool cg_http_host_is_loopback(const char *host)
{
	size_t n;
	if (!host)
		return false;
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return true;
	if (!strcmp(host, "::1") || !strcmp(host, "[::1]"))
		return true;
	if (!strncmp(host, "127.", 4)) {
		/* a dotted IPv4 address only, not "127.evil.example" */
		n = strspn(host, "0123456789.");
		return n == strlen(host);
	}
	return false;
}

static bool header_is_secret(const char *name)
{
	static const char *const exact[] = { "authorization", "proxy-authorization", "cookie",	  "x-api-key",
					     "api-key",	      "private-token",	     "job-token", "deploy-token" };
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcasecmp(name, exact[i]))
			return true;
	return strcasestr(name, "token") || strcasestr(name, "secret") || strcasestr(name, "api-key") ||
	       strcasestr(name, "apikey");
}

static void register_secret(const char *value)
{
	const char *sp;
	cg_log_add_secret(value);
	/* "Bearer abc": the token alone may appear elsewhere (a URL, an echo). */
	if ((sp = strrchr(value, ' ')) != NULL)
		cg_log_add_secret(sp + 1);
}

struct url_parts {
	char *scheme, *host, *port;
};

static void url_parts_release(struct url_parts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
	memset(u, 0, sizeof(*u));
}

static int url_split(struct url_parts *out, const char *url)
{
	CURLU *h = curl_url();
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!h)
		abort();
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &out->scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &out->host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PORT, &out->port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		url_parts_release(out);
		err = cg_error_set(CG_E_INPUT, "'%s' is not a valid http(s) URL", url);
	}
	curl_url_cleanup(h);
	return err;
}

/* Whether crabgate sends to `url` at all; `warned` keeps the insecure warning to one per call. */
static int url_check(const char *url, const struct cg_http_policy *policy, bool *warned)
{
	struct url_parts u;
	int err;

	if ((err = url_split(&u, url)) < 0)
		return err;
	if (strcasecmp(u.scheme, "https") && strcasecmp(u.scheme, "http")) {
		err = cg_error_set(CG_E_INPUT, "%s: only http and https URLs are supported", url);
	} else if (!strcasecmp(u.scheme, "http") && !cg_http_host_is_loopback(u.host)) {
		if (!policy->allow_insecure_http) {
			err = cg_error_set(
				CG_E_INPUT,
				"%s: plain http is allowed only to this machine (127.0.0.1, ::1, localhost); "
				"use https (a model endpoint on a trusted network may set "
				"review.allow_insecure_http: true; a forge API never goes in clear)",
				url);
		} else if (!*warned) {
			cg_warn("sending over plain http to %s (allow_insecure_http is set): anyone on the network can "
				"read and change it",
				u.host);
			*warned = true;
		}
	}
	url_parts_release(&u);
	return err;
}

/* ------------------------------------------------------------ the engine */

enum slot_state { SLOT_WAITING, SLOT_RUNNING, SLOT_DONE };

struct slot {
	struct cg_http_call *call;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url;	    /* current target, after redirects */
	const char *method; /* may become GET after a 303 */
	bool send_body;
	unsigned redirects;
	uint64_t not_before; /* monotonic ms */
	uint64_t started;
	uint64_t waited_unscaled;
	bool is_truncated;
	bool is_retry_scheduled;
	enum slot_state state;
	char errbuf[CURL_ERROR_SIZE];
};

struct engine {
	CURLM *multi;
	struct slot *slots;
	size_t n, running, done;
	unsigned max_in_flight;
	const struct cg_http_policy *policy;
	double scale;
	uint64_t hold_until; /* a shared rate limit asked everyone to wait */
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct slot *s = ud;
	size_t n = size * nmemb;
	if (cg_buf_put(&s->call->resp.body, data, n) < 0) {
		s->is_truncated = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct slot *s = ud;
	struct cg_http_response *r = &s->call->resp;
	size_t n = size * nmemb, len = n;
	const char *colon;
	size_t vstart, vend;

	if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* A new status line (after 100 Continue): only the last head counts. */
		for (size_t i = 0; i < r->nheaders; i++) {
			free(r->headers[i].name);
			free(r->headers[i].value);
		}
		r->nheaders = 0;
		return n;
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	colon = memchr(data, ':', len);
	if (!colon || colon == data || r->nheaders >= 512) /* a server may not make us hold unbounded headers */
		return n;
	vstart = (size_t)(colon - data) + 1;
	while (vstart < len && (data[vstart] == ' ' || data[vstart] == '\t'))
		vstart++;
	vend = len;
	while (vend > vstart && (data[vend - 1] == ' ' || data[vend - 1] == '\t'))
		vend--;
	cg_array_grow((void **)&r->headers, &r->headers_cap, r->nheaders + 1, sizeof(*r->headers));
	r->headers[r->nheaders].name = cg_strndup(data, (size_t)(colon - data));
	r->headers[r->nheaders].value = cg_strndup(data + vstart, vend - vstart);
	r->nheaders++;
	return n;
}

static void set_error(struct slot *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_error(struct slot *s, int code, const char *fmt, ...)
{
	struct cg_buf b = CG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(s->call->resp.error);
	s->call->resp.error = cg_buf_detach(&b, NULL);
	s->call->err = code;
}

static int build_headers(struct slot *s)
{
	const struct cg_http_request *req = &s->call->req;
	struct cg_buf line = CG_BUF_INIT;
	int err = 0;

	for (size_t i = 0; i < req->nheaders; i++) {
		const struct cg_http_header *h = &req->headers[i];
		struct curl_slist *next;
		if (!h->name || !h->value || strpbrk(h->name, "\r\n:") || strpbrk(h->value, "\r\n")) {
			/* A newline in a header (a token read with its line end) would split the request. */
			set_error(s, CG_E_INPUT,
				  "header '%s': a name or value holds a line break or colon; check the token or "
				  "setting it came from",
				  h->name ? h->name : "(null)");
			err = CG_E_INPUT;
			goto done;
		}
		if (header_is_secret(h->name))
			register_secret(h->value);
		cg_buf_truncate(&line, 0);
		cg_buf_printf(&line, "%s: %s", h->name, h->value);
		if (!(next = curl_slist_append(s->hdrs, line.ptr)))
			abort();
		s->hdrs = next;
	}
	/* No 100-continue round trip for larger bodies: servers here answer straight away. */
	if (!(s->hdrs = curl_slist_append(s->hdrs, "Expect:")))
		abort();
done:
	cg_buf_release(&line);
	return err;
}

static void log_attempt(const struct engine *e, const struct slot *s)
{
	const struct cg_http_request *req = &s->call->req;
	if (cg_log_get_level() < CG_LOG_VERBOSE)
		return;
	cg_verbose("http: %s %s (attempt %u of %u, %zu bytes sent)", s->method, s->url, s->call->resp.attempts,
		   1 + e->policy->max_retries, s->send_body ? req->body_len : (size_t)0);
	for (size_t i = 0; i < req->nheaders; i++)
		cg_verbose("http:   %s: %s", req->headers[i].name,
			   header_is_secret(req->headers[i].name) ? "***" : req->headers[i].value);
}

static int slot_start(struct engine *e, struct slot *s)
{
	const struct cg_http_request *req = &s->call->req;
	struct url_parts u;
	CURL *c;

	response_reset_attempt(&s->call->resp);
	s->call->resp.body.limit = e->policy->max_body;
	s->is_truncated = false;
	s->errbuf[0] = '\0';
	if (!(c = curl_easy_init()))
		abort();
	s->easy = c;
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* by hand, to keep auth on one host */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "crabgate/" CG_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_PRIVATE, s);
	if (e->policy->timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, e->policy->timeout_ms);
	if (e->policy->connect_timeout_ms > 0)
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, e->policy->connect_timeout_ms);
	/* A proxy from the environment has no business with this machine's own servers. */
	if (url_split(&u, s->url) == 0) {
		if (cg_http_host_is_loopback(u.host))
			curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
		url_parts_release(&u);
	}
	if (!strcmp(s->method, "GET")) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(s->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(s->method, "POST"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, s->method);
		if (s->send_body && req->body) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		}
	}
	s->call->resp.attempts++;
	log_attempt(e, s);
	if (curl_multi_add_handle(e->multi, c) != CURLM_OK) {
		curl_easy_cleanup(c);
		s->easy = NULL;
		set_error(s, CG_E_NET, "%s %s: cannot start the request", s->method, s->url);
		return CG_E_NET;
	}
	s->started = mono_ms();
	s->state = SLOT_RUNNING;
	e->running++;
	return 0;
}

static void slot_finish(struct engine *e, struct slot *s)
{
	s->state = SLOT_DONE;
	e->done++;
	free(s->call->resp.url);
	s->call->resp.url = cg_strdup(s->url);
}

/* Schedules another attempt after `wait_ms` (unscaled), or returns false when the budget says no. */
static bool schedule_retry(struct engine *e, struct slot *s, uint64_t wait_ms, bool is_server_wait, const char *why)
{
	const struct cg_http_policy *p = e->policy;
	uint64_t scaled;

	if (s->call->resp.attempts > p->max_retries) {
		set_error(s, s->call->err ? s->call->err : 0, "%s %s: %s; gave up after %u attempts", s->method, s->url,
			  why, s->call->resp.attempts);
		return false;
	}
	if (s->waited_unscaled + wait_ms > p->max_total_wait_ms) {
		set_error(s, s->call->err ? s->call->err : 0,
			  "%s %s: %s; the %s wait of %.1f s would pass the retry budget of %.1f s, so crabgate stopped",
			  s->method, s->url, why, is_server_wait ? "server-requested" : "next",
			  (double)wait_ms / 1000.0, (double)p->max_total_wait_ms / 1000.0);
		return false;
	}
	s->waited_unscaled += wait_ms;
	scaled = (uint64_t)((double)wait_ms * e->scale);
	s->call->resp.waited_ms += scaled;
	s->not_before = mono_ms() + scaled;
	if (is_server_wait && s->call->resp.status == 429 && s->not_before > e->hold_until)
		e->hold_until = s->not_before;
	cg_verbose("http: %s %s: %s; retrying in %.2f s", s->method, s->url, why, (double)scaled / 1000.0);
	/* The error of this attempt is not the outcome unless retries end. */
	s->call->err = 0;
	free(s->call->resp.error);
	s->call->resp.error = NULL;
	s->state = SLOT_WAITING;
	return true;
}

static uint64_t backoff_ms(const struct cg_http_policy *p, unsigned attempts)
{
	uint64_t d = p->base_delay_ms ? p->base_delay_ms : 1;
	for (unsigned i = 1; i < attempts && d < p->max_delay_ms; i++)
		d *= 2;
	if (p->max_delay_ms && d > p->max_delay_ms)
		d = p->max_delay_ms;
	/* Equal jitter: half fixed, half random, so a crowd of clients spreads out. */
	return d / 2 + (d / 2 ? rng_next() % (d / 2 + 1) : 0);
}

static bool transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static void slot_completed(struct engine *e, struct slot *s, CURLcode rc)
{
	struct cg_http_response *r = &s->call->resp;
	long status = 0;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(e->multi, s->easy);
	e->running--;
	r->status = status;
	cg_verbose("http: %s %s -> %ld in %llu ms (%zu bytes)%s%s", s->method, s->url, status,
		   (unsigned long long)(mono_ms() - s->started), r->body.size, rc != CURLE_OK ? ": " : "",
		   rc != CURLE_OK ? (s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc)) : "");

	if (rc == CURLE_WRITE_ERROR && s->is_truncated) {
		set_error(s, CG_E_TOOBIG, "%s %s: the answer passed the limit of %zu bytes", s->method, s->url,
			  e->policy->max_body);
		goto finish;
	}
	if (rc != CURLE_OK) {
		const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
		struct cg_buf msg = CG_BUF_INIT;
		bool again;
		r->status = 0;
		set_error(s, CG_E_NET, "%s %s: %s", s->method, s->url, why);
		if (!transport_retryable(rc))
			goto finish;
		cg_buf_puts(&msg, why);
		again = schedule_retry(e, s, backoff_ms(e->policy, r->attempts), false, msg.ptr);
		if (!again)
			s->call->err = CG_E_NET;
		cg_buf_release(&msg);
		if (again)
			goto cleanup;
		goto finish;
	}
	if (status >= 300 && status < 400 && status != 304) {
		char *loc = NULL;
		curl_easy_getinfo(s->easy, CURLINFO_REDIRECT_URL, &loc);
		if (loc) {
			if (!cg_url_same_origin(s->url, loc)) {
				set_error(s, CG_E_NET,
					  "%s %s: redirected to another host (%s); crabgate does not follow it so "
					  "credentials stay with the scheme, host and port they are for; use the final "
					  "URL",
					  s->method, s->url, loc);
				goto finish;
			}
			if (++s->redirects > CG_HTTP_MAX_REDIRECTS) {
				set_error(s, CG_E_NET, "%s %s: more than %d redirects", s->method, s->url,
					  CG_HTTP_MAX_REDIRECTS);
				goto finish;
			}
			free(s->url);
			s->url = cg_strdup(loc);
			if (status == 303 || ((status == 301 || status == 302) && strcmp(s->method, "GET") &&
					      strcmp(s->method, "HEAD"))) {
				s->method = "GET";
				s->send_body = false;
			}
			/* Not a retry: the attempt counter stays. */
			r->attempts--;
			s->not_before = 0;
			s->state = SLOT_WAITING;
			goto cleanup;
		}
	}
	if (cg_http_should_retry(r, e->policy)) {
		uint64_t server = cg_http_response_wait_ms(r), wait;
		struct cg_buf why = CG_BUF_INIT;
		bool again;
		if (server) {
			wait = server + server * (rng_next() % (CG_HTTP_SERVER_JITTER_PCT + 1)) / 100;
		} else {
			wait = backoff_ms(e->policy, r->attempts);
		}
		cg_buf_printf(&why, "HTTP %ld", status);
		again = schedule_retry(e, s, wait, server != 0, why.ptr);
		cg_buf_release(&why);
		if (again)
			goto cleanup;
		goto finish;
	}
finish:
	slot_finish(e, s);
cleanup:
	curl_easy_cleanup(s->easy);
	s->easy = NULL;
}

int cg_http_batch(struct cg_http_call *calls, size_t n, unsigned max_in_flight, const struct cg_http_policy *policy)
{
	struct engine e;
	bool warned = false;
	int err = 0;

	memset(&e, 0, sizeof(e));
	if ((err = ensure_curl()) < 0)
		return err;
	if (!n)
		return 0;
	e.n = n;
	e.policy = policy;
	e.max_in_flight = max_in_flight ? max_in_flight : 1;
	e.scale = policy->wait_scale > 0.0 ? policy->wait_scale : 1.0;
	e.slots = cg_calloc(n, sizeof(*e.slots));
	if (!(e.multi = curl_multi_init())) {
		err = cg_error_set(CG_E_NET, "cannot initialise libcurl's multi interface");
		goto done;
	}
	curl_multi_setopt(e.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)e.max_in_flight);

	for (size_t i = 0; i < n; i++) {
		struct slot *s = &e.slots[i];
		int cerr;
		s->call = &calls[i];
		s->call->err = 0;
		s->method = calls[i].req.method ? calls[i].req.method : "GET";
		s->send_body = calls[i].req.body != NULL;
		s->url = cg_strdup(calls[i].req.url ? calls[i].req.url : "");
		s->state = SLOT_WAITING;
		cg_buf_init(&s->call->resp.body);
		if ((cerr = url_check(s->url, policy, &warned)) < 0 || (cerr = build_headers(s)) < 0) {
			if (!s->call->resp.error)
				set_error(s, cerr, "%s", cg_error_last());
			s->call->err = cerr;
			slot_finish(&e, s);
		}
	}

	while (e.done < e.n) {
		uint64_t now = mono_ms(), wake = UINT64_MAX;
		int still = 0, left = 0;
		CURLMsg *m;

		for (size_t i = 0; i < n && e.running < e.max_in_flight; i++) {
			struct slot *s = &e.slots[i];
			if (s->state != SLOT_WAITING || s->not_before > now || e.hold_until > now)
				continue;
			if (s->redirects && url_check(s->url, policy, &warned) < 0) {
				set_error(s, CG_E_INPUT, "%s", cg_error_last());
				slot_finish(&e, s);
				continue;
			}
			if (slot_start(&e, s) < 0)
				slot_finish(&e, s);
		}
		for (size_t i = 0; i < n; i++) {
			struct slot *s = &e.slots[i];
			uint64_t at;
			if (s->state != SLOT_WAITING)
				continue;
			at = s->not_before > e.hold_until ? s->not_before : e.hold_until;
			if (at < wake)
				wake = at;
		}
		if (!e.running) {
			if (e.done < e.n && wake != UINT64_MAX && wake > now)
				sleep_ms(wake - now);
			continue;
		}
		curl_multi_perform(e.multi, &still);
		while ((m = curl_multi_info_read(e.multi, &left)) != NULL) {
			struct slot *s = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			slot_completed(&e, s, m->data.result);
		}
		if (e.done < e.n) {
			int timeout = 200;
			now = mono_ms();
			if (wake != UINT64_MAX && e.running < e.max_in_flight)
				timeout = wake <= now ? 0 : (wake - now < 200 ? (int)(wake - now) : 200);
			curl_multi_poll(e.multi, NULL, 0, timeout, NULL);
		}
	}
done:
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &e.slots[i];
		if (s->easy) {
			curl_multi_remove_handle(e.multi, s->easy);
			curl_easy_cleanup(s->easy);
		}
		curl_slist_free_all(s->hdrs);
		free(s->url);
	}
	free(e.slots);
	if (e.multi)
		curl_multi_cleanup(e.multi);
	return err;
}

int cg_http_send(struct cg_http_response *resp, const struct cg_http_request *req, const struct cg_http_policy *policy)
{
	struct cg_http_call call;
	int err;

	memset(&call, 0, sizeof(call));
	call.req = *req;
	call.resp = *resp;
	err = cg_http_batch(&call, 1, 1, policy);
	*resp = call.resp;
	if (err < 0)
		return err;
	if (call.err < 0)
		return cg_error_set(call.err, "%s", resp->error ? resp->error : "request failed");
	return 0;
}
