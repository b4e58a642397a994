#ifndef CG_FORGE_FORGE_INTERNAL_H
#define CG_FORGE_FORGE_INTERNAL_H

/* Private to src/forge/: the JSON-over-HTTP plumbing GitHub and GitLab share. */
#include <cjson/cJSON.h>

#include "forge/forge.h"
#include "forge/http.h"

#define CG_FORGE_MAX_HEADERS 6
/* Pages read of one list at most (100 items each): bounds a hostile server. */
#define CG_FORGE_MAX_PAGES 200

enum cg_forge_paging { CG_PAGING_LINK, CG_PAGING_X_NEXT_PAGE };

struct cg_forge_client {
	const char *api; /* API root, no trailing '/'; borrowed */
	struct cg_http_header headers[CG_FORGE_MAX_HEADERS];
	size_t nheaders;
	struct cg_http_policy policy;
	enum cg_forge_paging paging;
	struct cg_buf auth; /* the auth header's value, owned */
};

/*
 * Sends `method` to `url` (absolute, or a path appended to c->api) with an
 * optional JSON body. Returns 0 when an answer arrived (any status: the
 * caller reads resp->status), CG_E_NET when none did, CG_E_INPUT for a URL of
 * another origin than c->api (the token never leaves the API's host).
 */
int cg_forge__request(struct cg_forge_client *c, struct cg_http_response *resp, const char *method, const char *url,
		      const cJSON *body);

/*
 * GETs every page of the list at `url` (following the Link header or
 * X-Next-Page) and calls cb for each element. Returns 0, cb's negative
 * value, or CG_E_NET naming the page that failed.
 */
int cg_forge__get_all(struct cg_forge_client *c, const char *url, int (*cb)(const cJSON *item, void *payload),
		      void *payload);

/* Parses resp's body as JSON; NULL (with an error set naming `what`) when it is not. Owned. */
cJSON *cg_forge__json(const struct cg_http_response *resp, const char *what);

/* Sets and returns CG_E_NET: "`what`: HTTP <status>: <the server's message>". */
int cg_forge__http_error(const struct cg_http_response *resp, const char *what);

void cg_forge__client_release(struct cg_forge_client *c);

/* Lines for the summary's notes: what was dropped or skipped and why. */
struct cg_forge_notes {
	char **items; /* owned */
	size_t len, cap;
};

void cg_forge__note(struct cg_forge_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_forge__notes_release(struct cg_forge_notes *n);

/* A fingerprint found in an existing comment of crabgate's. */
struct cg_forge_posted {
	char fp[17];
	bool is_fixed;
	long long id; /* comment / note id */
	char *thread; /* GitLab: the discussion id; NULL on GitHub; owned */
	char *body;   /* owned */
};

struct cg_forge_posted_list {
	struct cg_forge_posted *items;
	size_t len, cap;
};

/* Records `body` when it carries a fingerprint marker. */
void cg_forge__posted_add(struct cg_forge_posted_list *l, long long id, const char *thread, const char *body);
/* An existing, not yet fixed, comment for `fp`, or NULL. */
const struct cg_forge_posted *cg_forge__posted_find(const struct cg_forge_posted_list *l, const char *fp);
void cg_forge__posted_release(struct cg_forge_posted_list *l);
/* The body that marks an old comment fixed, keeping its text and markers. */
void cg_forge__fixed_body(struct cg_buf *out, const struct cg_forge_posted *p, const char *head_sha);
/* True when a visible finding of `fs` has fingerprint `fp`. */
bool cg_forge__finding_present(const struct cg_findings *fs, const char *fp);

#endif
