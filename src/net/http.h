#ifndef CG_NET_HTTP_H
#define CG_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct cg_config;

/*
 * The one HTTP client of crabgate (libcurl), shared by the forges (GitHub,
 * GitLab) and the model review. What it guarantees whoever calls it:
 *
 * - TLS peer and host verification are always on; only http and https.
 *   Plain `http://` is refused (CG_E_INPUT) unless the host is a loopback
 *   address (127.0.0.0/8, ::1, localhost) or the policy sets
 *   `allow_insecure_http`, which logs a warning once per call.
 * - Redirects are followed by hand, at most 5, and only to the same scheme,
 *   host and port (cg_url_same_origin, the rule the memory push follows
 *   too); a redirect elsewhere is an error, so auth headers never reach
 *   another host.
 * - Values of auth headers (Authorization, X-Api-Key, Private-Token,
 *   Job-Token, Cookie, and any header named like *token*, *secret*, *api-key*)
 *   are registered with cg_log_add_secret() before anything is sent, and
 *   `--verbose` logs every attempt with those values shown as "***".
 * - Retries: connection errors and timeouts, 429 (not when the body says
 *   `insufficient_quota`), 500, 502, 503, 504 and 529, up to
 *   `max_retries` times. Never 400, 401, 403, 404, 422 or any other status
 *   (403 only with `retry_rate_limited_403` and a rate-limit header, for
 *   GitHub's secondary limits). The wait is the server's when it gives one
 *   (Retry-After in seconds or as a date, retry-after-ms, or a
 *   `*ratelimit*reset*` header whose `*remaining*` twin is 0: epoch seconds,
 *   seconds, Go-style durations like "6m0s", or RFC 3339), else exponential
 *   backoff from `base_delay_ms` doubling up to `max_delay_ms` with jitter
 *   (a random wait between half and all of it). All waits of one request
 *   together stay under `max_total_wait_ms`: a wait that would pass it ends
 *   the retries and the last answer is returned as it is.
 * - The response body is held in a cg_buf capped at `max_body` bytes.
 *
 * - `wait_scale` (the config's http.retry_wait_scale) multiplies every
 *   wait between attempts, backoff and server-requested alike, while the
 *   decisions stay the same (the total-wait budget is compared against the
 *   unscaled waits): the test suites run retry paths in milliseconds this
 *   way. It does not change request timeouts.
 */

struct cg_http_header {
	const char *name;
	const char *value;
};

/* A request; every pointer is borrowed and must outlive the call. */
struct cg_http_request {
	const char *method; /* "GET" (default when NULL), "POST", "PUT", "PATCH", "DELETE" */
	const char *url;    /* absolute http(s) URL */
	const struct cg_http_header *headers;
	size_t nheaders;
	const char *body; /* NULL: none */
	size_t body_len;
};

struct cg_http_policy {
	unsigned max_retries;	     /* retries after the first attempt */
	long timeout_ms;	     /* whole attempt; 0 = none */
	long connect_timeout_ms;     /* 0 = libcurl's default */
	unsigned base_delay_ms;	     /* first backoff */
	unsigned max_delay_ms;	     /* cap of one backoff wait */
	unsigned max_total_wait_ms;  /* all waits of one request together */
	size_t max_body;	     /* response body cap in bytes (CG_E_TOOBIG past it) */
	bool allow_insecure_http;    /* http:// to non-loopback hosts, with a warning */
	bool retry_rate_limited_403; /* retry a 403 that carries Retry-After or remaining: 0 */
	double wait_scale;	     /* multiplies each wait between attempts; 0 counts as 1 */
};

/* 3 retries, 60 s per attempt, 500 ms doubling to 30 s, 120 s in all, 8 MiB bodies, unscaled waits. */
/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_HTTP_POLICY_INIT { 3, 60000, 10000, 500, 30000, 120000, (size_t)8 << 20, false, false, 1.0 }
/* clang-format on */

/*
 * The config's http.retry_wait_scale (1 when absent): a number above 0 and
 * at most 1000, for cg_http_policy.wait_scale. CG_E_CONFIG naming the file,
 * line and key for anything else.
 */
int cg_http_wait_scale_from_config(double *out, const struct cg_config *cfg);

struct cg_http_response_header {
	char *name;
	char *value;
};

/*
 * The final answer of a request (after redirects and retries). Owned by the
 * caller: cg_http_response_release(). Start it zeroed (= CG_HTTP_RESPONSE_INIT).
 */
struct cg_http_response {
	long status;				 /* HTTP status of the last attempt; 0 when none arrived */
	struct cg_http_response_header *headers; /* of the last attempt */
	size_t nheaders, headers_cap;
	struct cg_buf body; /* capped at policy.max_body */
	char *url;	    /* the URL that answered (after redirects), owned */
	unsigned attempts;  /* attempts made, redirects not counted */
	uint64_t waited_ms; /* time spent waiting between attempts (scaled) */
	char *error;	    /* NULL, or why the request failed or retries ended; owned */
};

/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_HTTP_RESPONSE_INIT { 0, NULL, 0, 0, CG_BUF_INIT, NULL, 0, 0, NULL }
/* clang-format on */

void cg_http_response_release(struct cg_http_response *resp);

/* The first value of header `name` (case-insensitive), or NULL. Borrowed from resp. */
const char *cg_http_response_header(const struct cg_http_response *resp, const char *name);

/*
 * The URL of the `rel="next"` entry of the Link header (GitHub pagination),
 * or NULL. Owned by the caller (free()).
 */
char *cg_http_link_next(const struct cg_http_response *resp);

/*
 * Milliseconds the server asks to wait before the next request (Retry-After,
 * retry-after-ms, or an exhausted rate limit's reset), 0 when it asks for
 * nothing. Unscaled. For callers pacing a series of requests.
 */
uint64_t cg_http_response_wait_ms(const struct cg_http_response *resp);

/* True for a status cg_http retries on (429 without insufficient_quota, 5xx listed above). */
bool cg_http_should_retry(const struct cg_http_response *resp, const struct cg_http_policy *policy);

/*
 * Sends one request with the policy's retries. Returns 0 when an HTTP answer
 * arrived, whatever its status (check resp->status: a 404 is an answer, not
 * a failure); CG_E_NET when none did after the retries (connection refused,
 * timeout, TLS failure, a refused redirect); CG_E_TOOBIG when the body passed
 * max_body; CG_E_INPUT for a URL crabgate will not send to (plain http to a
 * remote host, another scheme, CR/LF in a header). The message is in
 * cg_error_last() and in resp->error. `resp` must start zeroed; it is filled
 * in either case and the caller releases it.
 */
int cg_http_send(struct cg_http_response *resp, const struct cg_http_request *req, const struct cg_http_policy *policy);

/* One request of a batch and its outcome. */
struct cg_http_call {
	struct cg_http_request req;   /* in */
	struct cg_http_response resp; /* out: start zeroed; the caller releases it */
	int err;		      /* out: what cg_http_send would have returned */
};

/*
 * Sends every call concurrently over one curl multi handle with at most
 * `max_in_flight` (>= 1) attempts on the wire at once; a call waiting out a
 * backoff does not hold a place. A 429 with a server-given wait holds back
 * the start of every other call for that long too, since they share the
 * limit. Returns 0 when the batch ran (each call's outcome is in its err and
 * resp, errors not recorded in cg_error_last), or CG_E_NET when libcurl
 * itself could not be set up.
 */
int cg_http_batch(struct cg_http_call *calls, size_t n, unsigned max_in_flight, const struct cg_http_policy *policy);

/* True for loopback hosts: localhost, 127.0.0.0/8, ::1 (brackets allowed). */
bool cg_http_host_is_loopback(const char *host);

#endif
