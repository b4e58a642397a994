#include "util/url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/libcurl.h"
#include "util/str.h"
#include "util/banned.h"

static char *lower_dup(const char *s)
{
	char *d = cg_strdup(s);
	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

void cg_url_origin_release(struct cg_url_origin *o)
{
	free(o->scheme);
	free(o->host);
	free(o->port);
	memset(o, 0, sizeof(*o));
}

/* 1 parsed, 0 not an absolute URL; *has_userinfo for "user[:password]@" before the host. */
static int split(struct cg_url_origin *out, bool *has_userinfo, const char *url)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *password = NULL;
	int rc = 1;

	*has_userinfo = false;
	memset(out, 0, sizeof(*out));
	if (!h)
		abort();
	if (!url || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK || !*host) {
		rc = 0;
		goto done;
	}
	*has_userinfo = curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK ||
			curl_url_get(h, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK;
	out->scheme = lower_dup(scheme);
	/* libgit2 names an IPv6 host without brackets (and without a zone): compare it that way. */
	if (host[0] == '[')
		host[1 + strcspn(host + 1, "]%")] = '\0';
	out->host = lower_dup(host[0] == '[' ? host + 1 : host);
	out->port = cg_strdup(port);
done:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(password);
	curl_url_cleanup(h);
	return rc;
}

int cg_url_origin_parse(struct cg_url_origin *out, const char *url)
{
	bool has_userinfo;
	int err;
	memset(out, 0, sizeof(*out));
	if ((err = cg_libcurl_load()) < 0)
		return err;
	if (!split(out, &has_userinfo, url))
		return cg_error_set(CG_E_INPUT, "'%s' is not an absolute URL", url ? url : "");
	return 0;
}

bool cg_url_origin_eq(const struct cg_url_origin *a, const struct cg_url_origin *b)
{
	return a->scheme && b->scheme && a->host && b->host && a->port && b->port && !strcmp(a->scheme, b->scheme) &&
	       !strcasecmp(a->host, b->host) && !strcmp(a->port, b->port);
}

bool cg_url_same_origin(const char *configured, const char *url)
{
	struct cg_url_origin a, b;
	bool same = false, has_userinfo;

	/* Without libcurl no origin can be told: nothing is the same (the error says why). */
	if (cg_libcurl_load() < 0 || !split(&a, &has_userinfo, configured))
		return false;
	/* "https://api.github.com@evil.example/": a host people misread is not the same origin. */
	if (split(&b, &has_userinfo, url)) {
		same = !has_userinfo && cg_url_origin_eq(&a, &b);
		cg_url_origin_release(&b);
	}
	cg_url_origin_release(&a);
	return same;
}
