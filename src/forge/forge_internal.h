#ifndef CG_FORGE_FORGE_INTERNAL_H
#define CG_FORGE_FORGE_INTERNAL_H

/* Private to src/forge/: the JSON-over-HTTP plumbing GitHub and GitLab share. */
#include <cjson/cJSON.h>

#include "forge/forge.h"
#include "net/http.h"

/* The rows of cg_forges and what they point to (github.c, gitlab.c, ci_env.c). */
extern const struct cg_forge cg_forge__github, cg_forge__gitlab;
int cg_forge__github_detect(struct cg_ci_env *out);
int cg_forge__gitlab_detect(struct cg_ci_env *out);
int cg_forge_github_post(struct cg_forge_result *result, const struct cg_forge_input *in,
			 const struct cg_forge_opts *opts);
int cg_forge_gitlab_post(struct cg_forge_result *result, const struct cg_forge_input *in,
			 const struct cg_forge_opts *opts);
int cg_forge_github_annotate(const struct cg_forge_input *in, const char *why);

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
 * The URL a request to `url` goes to: `url` itself when it is absolute and
 * of api's origin, `api` + `url` when it is a path ("/..."). CG_E_INPUT for
 * anything else (another host, or text that would change the host).
 */
int cg_forge__url(struct cg_buf *out, const char *api, const char *method, const char *url);

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
	char fp[CG_FINGERPRINT_SIZE];
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

/*
 * The readers of what the forges answer (fuzzed by tests/fuzz/fuzz_forge_json.c):
 * every value comes from a server and may have any type or size.
 *
 * cg_forge__json_id: a comment or note id, when `v` is a whole number that
 * fits (a server can send 1e300, which cannot be cast). Returns false otherwise.
 * cg_forge__read_comment: one element of a GitHub comments page ({id, body});
 * returns 1 when it was a comment (counted as read), 0 when not.
 * cg_forge__read_discussion: one GitLab discussion ({id, notes: [{id, body}]});
 * returns the number of notes read.
 * cg_forge__summary_id: the id of a comment or note whose body starts with
 * crabgate's summary marker, else 0.
 * cg_forge__read_diff_refs: a merge request's diff_refs, three 40-digit
 * lower-case hex ids; false when any is missing or malformed.
 */
bool cg_forge__json_id(long long *out, const cJSON *v);
int cg_forge__read_comment(struct cg_forge_posted_list *l, const cJSON *item);
size_t cg_forge__read_discussion(struct cg_forge_posted_list *l, const cJSON *item);
long long cg_forge__summary_id(const cJSON *item);
bool cg_forge__read_diff_refs(char base[GIT_OID_HEXSZ + 1], char start[GIT_OID_HEXSZ + 1], char head[GIT_OID_HEXSZ + 1],
			      const cJSON *mr);
/* An existing, not yet fixed, comment for `fp`, or NULL. */
const struct cg_forge_posted *cg_forge__posted_find(const struct cg_forge_posted_list *l, const char *fp);
void cg_forge__posted_release(struct cg_forge_posted_list *l);
/* The body that marks an old comment fixed, keeping its text and markers. */
void cg_forge__fixed_body(struct cg_buf *out, const struct cg_forge_posted *p, const char *head_sha);
/* True when a visible finding of `fs` has fingerprint `fp`. */
bool cg_forge__finding_present(const struct cg_findings *fs, const char *fp);

#endif
