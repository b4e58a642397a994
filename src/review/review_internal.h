#ifndef CG_REVIEW_REVIEW_INTERNAL_H
#define CG_REVIEW_REVIEW_INTERNAL_H

/*
 * Inside src/review (and its unit tests): redaction, the prompt and its
 * chunks, answers, providers and the cache. Not a contract for other modules.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change/change.h"
#include "config/config.h"
#include "finding/finding.h"
#include "util/buf.h"
#include "util/str.h"

/* ------------------------------------------------------------ redact.c */

/*
 * Appends `text` to `out` with secrets replaced by "[MASKED:<kind>]": private
 * key blocks (each line of a multi-line block is replaced, so line numbers
 * stay), AWS access key ids, GCP API keys, GitHub, GitLab, Slack, OpenAI and
 * Anthropic token shapes, Slack webhooks, JSON Web Tokens, the token after
 * "Bearer " (a JWT, a known shape, or 16+ letters and digits), and the value
 * of assignments to names holding password/passwd/secret/token/api_key/
 * apikey/private_key/access_key/credential (quoted values always, unquoted
 * ones when long and high in entropy). Adds the number of masked values to *count.
 */
int cg_review_redact(struct cg_buf *out, const char *text, size_t len, size_t *count);

/*
 * Model text made safe to show and post (owned): control characters and
 * bidirectional overrides removed (newlines and tabs kept), invalid UTF-8
 * replaced, `@mention`s neutralised with a zero-width space after the @,
 * HTML comment openers (which could forge crabgate's markers) broken, cut
 * at `max_len` bytes on a character boundary.
 */
char *cg_review_sanitize(const char *text, size_t len, size_t max_len);

/* ------------------------------------------------------------ answer.c */

struct cg_review_comment {
	char *path;
	uint32_t line, end_line; /* end_line 0: none */
	enum cg_severity severity;
	char *category;	  /* [a-z0-9-], never empty */
	char *body;	  /* sanitised */
	char *suggestion; /* sanitised, or NULL */
};

/* Comments kept from one answer; the rest are counted, not kept. */
#define CG_REVIEW_MAX_COMMENTS 200

struct cg_review_answer {
	struct cg_review_comment *comments;
	size_t ncomments, comments_cap;
	size_t ninvalid;  /* comments that did not match the schema */
	size_t nover_cap; /* comments past CG_REVIEW_MAX_COMMENTS */
	char *summary;	  /* sanitised, may be "" */
	char **lessons;
	size_t nlessons, lessons_cap;
	char **todos;
	size_t ntodos, todos_cap;
};

/*
 * Parses a model's answer tolerantly: a ```json fence or prose around the
 * object is skipped, then the first complete JSON object is validated
 * against {"comments":[{"path","line","end_line?","severity","category",
 * "body","suggestion?"}],"summary","lessons":[],"todos":[]}. Comments that do
 * not match are counted in ninvalid, those past the cap in nover_cap; neither
 * is kept. CG_E_INPUT (with the reason)
 * when there is no JSON object or it lacks the shape. `out` starts zeroed;
 * release it in every case.
 */
int cg_review_answer_parse(struct cg_review_answer *out, const char *text, size_t len);
void cg_review_answer_release(struct cg_review_answer *a);

/* ------------------------------------------------------------ prompt.c */

/* Tokens in `bytes` of prompt text: ceil(bytes / 3), an over-estimate for code under common tokenizers. */
size_t cg_review_estimate_tokens(size_t bytes);

/* The lines of one file a chunk shows (so a comment can be checked against them). */
struct cg_review_shown {
	size_t file; /* index into change->files */
	uint32_t start, end;
};

struct cg_review_chunk {
	struct cg_buf system; /* instructions, standards, lessons, the rules' findings on its files */
	struct cg_buf user;   /* the files' hunks */
	struct cg_review_shown *shown;
	size_t nshown, shown_cap;
	char *label;   /* "src/a.rs, src/b.rs" for notes */
	size_t tokens; /* estimate of system + user */
};

struct cg_review_plan {
	struct cg_review_chunk *chunks;
	size_t nchunks, chunks_cap;
	char **left_out; /* "path (why)" for files not reviewed by their kind */
	size_t nleft_out, left_out_cap;
	char **over_budget; /* paths (or parts) left out under max_total_tokens */
	size_t nover_budget, over_budget_cap;
	size_t secrets_masked;
};

struct cg_review_plan_opts {
	size_t max_input_tokens; /* per request, system + user */
	size_t max_total_tokens; /* per run: inputs + max_output_tokens per request */
	size_t max_output_tokens;
	const char *standards;		       /* already masked */
	const char *lessons;		       /* already masked, bounded; may be "" */
	const struct cg_findings *findings;    /* the rule pass's, for the prompt */
	const struct cg_conf_node *review_cfg; /* include/exclude globs; may be NULL */
	const struct cg_conf_node *root_cfg;   /* top-level exclude; may be NULL */
};

/*
 * Cuts the change into chunks: reviewable files in order, each rendered as
 * its hunks with new-side line numbers and the enclosing fn, packed under
 * max_input_tokens; a file too big for one request is cut at hunk
 * boundaries (a hunk too big, at line boundaries); chunks past
 * max_total_tokens are listed in over_budget. CG_E_CONFIG when
 * max_input_tokens leaves no room beside the instructions.
 */
int cg_review_plan_build(struct cg_review_plan *out, struct cg_change *change, const struct cg_review_plan_opts *opts);
void cg_review_plan_release(struct cg_review_plan *plan);

/* Why a path is not sent at all (lockfile, generated, vendored), or NULL. */
const char *cg_review_left_out_reason(const char *path, const char *content, size_t len);

/* The built-in standards: the team's charter in brief. */
extern const char cg_review_builtin_standards[];

/* ----------------------------------------------------------- provider.c */

enum cg_review_provider_kind { CG_PROVIDER_OPENAI, CG_PROVIDER_ANTHROPIC };

struct cg_review_provider {
	enum cg_review_provider_kind kind;
	char *base_url; /* without a trailing slash */
	char *url;	/* the endpoint */
	char *model;
	char *api_key; /* NULL for keyless local servers; never printed */
	char *key_env; /* the variable it came from */
	char *how;     /* one line: what auto found, for the user */
};

/*
 * Chooses the provider from `review:` and the environment. CG_E_NOTFOUND
 * (message: what to set) when `none` or nothing is found; CG_E_CONFIG for a
 * bad setting; CG_E_INPUT when the provider is named but its key is missing.
 */
int cg_review_provider_pick(struct cg_review_provider *out, const struct cg_conf_node *rc);
void cg_review_provider_release(struct cg_review_provider *p);
const char *cg_review_provider_name(enum cg_review_provider_kind kind);

enum cg_review_format {
	CG_FORMAT_SCHEMA, /* OpenAI response_format json_schema (strict) */
	CG_FORMAT_OBJECT, /* OpenAI response_format json_object, the fallback */
	CG_FORMAT_PLAIN	  /* Anthropic: by instruction */
};

/* The exact JSON request body for one chunk (deterministic: it is the cache key). */
int cg_review_request_body(struct cg_buf *out, const struct cg_review_provider *p, const struct cg_review_chunk *c,
			   enum cg_review_format format, size_t max_output_tokens, double temperature);

/*
 * The model's text from a 2xx answer body. *is_cut set when the provider
 * says the answer stopped at max_tokens. CG_E_INPUT with the reason otherwise.
 */
int cg_review_response_text(struct cg_buf *out, bool *is_cut, const struct cg_review_provider *p, const char *body,
			    size_t len);

/* A short, sanitised reason from an error answer ("HTTP 500: overloaded"). Owned. */
char *cg_review_error_reason(long status, const char *body, size_t len);

/* True when a 400/422 says the server does not take response_format json_schema. */
bool cg_review_rejects_schema(long status, const char *body);

/* ------------------------------------------------------------- cache.c */

/* Folder of the answer cache: <gitdir>/crabgate/review-cache, else $XDG_CACHE_HOME/crabgate/review-cache. */
int cg_review_cache_dir(struct cg_buf *out, git_repository *repo);
/* Hex key of provider, model, endpoint and the exact request body. */
void cg_review_cache_key(char out[CG_SHA1_HEX_SIZE], const struct cg_review_provider *p, const char *body, size_t len);
/* CG_E_NOTFOUND when absent. */
int cg_review_cache_get(struct cg_buf *out, const char *dir, const char *key);
int cg_review_cache_put(const char *dir, const char *key, const char *text, size_t len);

#endif
