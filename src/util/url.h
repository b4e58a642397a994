#ifndef CG_UTIL_URL_H
#define CG_UTIL_URL_H

#include <stdbool.h>

/*
 * The one rule for where a credential may go: only to the exact scheme,
 * host and port it was configured for. Every request that carries a token
 * (the API client's redirects and next pages, the memory push's git
 * connections) asks this module, so the rule cannot drift between them.
 */

/* scheme://host:port of an absolute URL: lower case, the default port filled in, IPv6 without brackets. */
struct cg_url_origin {
	char *scheme;
	char *host;
	char *port;
};

/*
 * Splits an absolute URL into its origin (owned: cg_url_origin_release);
 * user information before the host is not part of it. CG_E_INPUT, with the
 * URL named, for a relative or malformed URL.
 */
int cg_url_origin_parse(struct cg_url_origin *out, const char *url);
void cg_url_origin_release(struct cg_url_origin *o);

/* Same scheme, host (case-insensitive) and port. */
bool cg_url_origin_eq(const struct cg_url_origin *a, const struct cg_url_origin *b);

/*
 * True when `url` is an absolute URL on the origin of `configured`; false for
 * anything else, and for a `url` with user information in it
 * ("https://api.github.com@evil.example/" is on evil.example).
 */
bool cg_url_same_origin(const char *configured, const char *url);

#endif
