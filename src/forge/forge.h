#ifndef CG_FORGE_FORGE_H
#define CG_FORGE_FORGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change/change.h"
#include "report/report.h"
#include "finding/finding.h"
#include "util/buf.h"

/*
 * The forges: where findings are posted for reviewers (GitHub pull request
 * reviews, GitLab merge request discussions), and the CI environment that
 * says which pull/merge request a run belongs to. `crabgate ci` detects the
 * environment, runs the pipeline, then hands the findings to one forge.
 *
 * What every forge guarantees: one run posts each finding at most once
 * across re-runs (a hidden fingerprint marker in every comment, all pages of
 * existing comments read first); only lines of the change's diff get inline
 * comments (the rest go to the summary); one summary comment, found by its
 * marker and edited in place; the token is sent only to the API's own origin
 * and never printed (src/net/http.h masks it).
 */

/* ---- The CI environment (ci_env.c) ---- */

struct cg_forge;

struct cg_ci_env {
	const struct cg_forge *forge;	  /* the forge whose CI this is; NULL when none was detected */
	char *event;			  /* GitHub: GITHUB_EVENT_NAME; GitLab: CI_PIPELINE_SOURCE or "" */
	bool is_review;			  /* a pull/merge request: comments can be posted */
	long number;			  /* pull request number / merge request iid; 0 when none */
	char base_sha[GIT_OID_HEXSZ + 1]; /* PR base.sha / CI_MERGE_REQUEST_DIFF_BASE_SHA; "" when none */
	char head_sha[GIT_OID_HEXSZ + 1]; /* PR head.sha / CI_COMMIT_SHA */
	char before[GIT_OID_HEXSZ + 1];	  /* push: the old tip ("" or zeros for a new branch) */
	char *repo;			  /* GitHub: owner/name of the base repository */
	char *head_repo;		  /* GitHub: owner/name the PR comes from */
	char *api_url;			  /* API root without a trailing '/' */
	char *project_id;		  /* GitLab: CI_PROJECT_ID */
	const char *token;		  /* borrowed from the environment; NULL when none */
	const char *token_var;		  /* the variable it came from, for messages */
	bool has_job_token_only;	  /* GitLab: CI_JOB_TOKEN but no API token */
	char *step_summary;		  /* GitHub: GITHUB_STEP_SUMMARY, or NULL */
	char *server_url;		  /* GitHub: GITHUB_SERVER_URL (links), or NULL */
	/* For memory commits (src/memory): where the PR's branch lives. */
	char *title;	/* PR/MR title, or NULL */
	char *branch;	/* the PR's head branch (or the pushed branch), without refs/heads/; NULL when unknown */
	char *push_url; /* the git URL of the repository holding `branch`, or NULL */
	bool is_fork;	/* the PR comes from another repository/project */
};

/*
 * Asks each forge of cg_forges whether the process runs in its CI and reads
 * that CI's environment (and GitHub's event file) into `out`, which the
 * caller releases with cg_ci_env_release. Returns 0 (out->forge NULL when no
 * CI is detected), or CG_E_INPUT when the environment names a CI but is
 * inconsistent (unreadable event file, a sha that is not 40 hex digits),
 * with the variable named in the message.
 */
int cg_ci_detect(struct cg_ci_env *out);
void cg_ci_env_release(struct cg_ci_env *env);
/* The CI's name for messages ("GitHub Actions"), "no CI" when none was detected. Static. */
const char *cg_ci_env_name(const struct cg_ci_env *env);

/* ---- Which lines of the change can carry a comment (forge.c) ---- */

/*
 * Where `line` of `path` sits in the change's diff, which is the diff the
 * forges show (base..head, three lines of context, renames detected): its
 * changed file (*file, for the old path) and its place (*pos), or false when
 * the line is in no hunk and a review comment there would be refused.
 */
bool cg_forge_find_line(const struct cg_change *change, const char *path, uint32_t line,
			const struct cg_changed_file **file, struct cg_line_pos *pos);

/* ---- Posting (github.c, gitlab.c) ---- */

struct cg_forge_opts {
	bool is_dry_run;	      /* print what would be posted; read but never write */
	bool should_resolve_outdated; /* edit crabgate's comments whose finding is gone */
	bool should_request_changes;  /* GitHub: REQUEST_CHANGES when errors exist */
	bool has_summary_comment;     /* post/update the summary comment */
	size_t max_inline;	      /* inline comments per run */
	long timeout_s;		      /* one API request attempt (forge.timeout_s); 0: 60 */
	double http_wait_scale;	      /* http.retry_wait_scale (cg_http_policy.wait_scale); 0 counts as 1 */
};

struct cg_forge_input {
	const struct cg_ci_env *env;
	const struct cg_change *change; /* base..head: its hunks are the lines a review comment may take */
	const struct cg_findings *findings;
	/* Facts for the summary: skipped files, run notes, model summary (borrowed). */
	const struct cg_report_input *report;
	bool has_annotations; /* the run already printed workflow commands (--format github) */
};

/* What a forge did, for the log and the summary. */
struct cg_forge_result {
	size_t inline_posted;  /* new inline comments / discussions */
	size_t already_posted; /* findings skipped: their marker was found */
	size_t off_diff;       /* findings on lines outside the diff (summary only) */
	size_t over_limit;     /* findings past max_inline (summary only) */
	size_t refused;	       /* comments the forge refused (422/400), moved to the summary */
	size_t resolved;       /* old comments edited to say fixed */
	size_t existing_read;  /* existing comments read, all pages */
	bool is_review_posted;
	bool is_summary_created, is_summary_updated;
	bool is_fallback;      /* could not write: annotations / job log instead */
	char *fallback_reason; /* owned, one line */
};

void cg_forge_result_release(struct cg_forge_result *r);

/* ---- The forges, one row each (forge.c), as the reporters have ---- */

struct cg_forge {
	const char *name;	  /* "github", "gitlab" */
	const char *ci_name;	  /* its CI, for messages: "GitHub Actions" */
	const char *request;	  /* what changes are reviewed in: "pull request" */
	const char *review_label; /* how the log names a review run; NULL: by the CI's event name */
	char number_sign;	  /* before a request's number: '#' or '!' */
	const char *push_user;	  /* the user name a git push gives with the API token */
	/* The variables an API token is read from, the first set wins (crabgate's own first). */
	const char *token_vars[2];
	/*
	 * When the process runs in this forge's CI, reads the environment into
	 * `out` (out->forge set); otherwise leaves `out` alone. 0 or CG_E_INPUT
	 * as cg_ci_detect says.
	 */
	int (*detect)(struct cg_ci_env *out);
	/*
	 * Posts the findings to the pull/merge request named by in->env.
	 * Returns 0 when done or when it fell back (result->is_fallback, with
	 * the reason); CG_E_NET when the API could not be reached or answered
	 * unexpectedly (the message names the request, never the token).
	 */
	int (*post)(struct cg_forge_result *result, const struct cg_forge_input *in, const struct cg_forge_opts *opts);
	/*
	 * Without a request to review (push events, posting off): the findings
	 * where the CI shows them (GitHub: workflow annotations on standard
	 * output and the markdown summary appended to $GITHUB_STEP_SUMMARY),
	 * with `why` as a note (or NULL). NULL when the forge has no such place.
	 */
	int (*annotate)(const struct cg_forge_input *in, const char *why);
	/* The URL the markdown summary links a file's lines under (report.h: link_base), or NULL: none. */
	void (*link_base)(struct cg_buf *out, const struct cg_ci_env *env, const char *head);
};

extern const struct cg_forge *const cg_forges[];
extern const size_t cg_nforges;
/* The forge called `name`, or NULL. */
const struct cg_forge *cg_forge_find(const char *name);

/* ---- Shared by the forges (forge.c) ---- */

#define CG_FORGE_SUMMARY_MARKER "<!-- crabgate:summary -->"
#define CG_FORGE_FP_MARKER "<!-- crabgate:fp="
#define CG_FORGE_FIXED_MARKER "<!-- crabgate:fixed -->"

/*
 * Finds the fingerprint marker in a comment body: copies its 16 hex digits
 * to out and returns true, or false when there is none.
 */
bool cg_forge_marker_fp(char out[CG_FINGERPRINT_SIZE], const char *body);
/*
 * Whether f's fix can be a review suggestion on lines first..last of f's
 * file: it replaces exactly those lines, and its text can be committed as
 * it is (valid UTF-8, no control characters).
 */
bool cg_forge_fix_fits(const struct cg_finding *f, uint32_t first, uint32_t last);
/*
 * The markdown body of one inline comment for `f`, ending with its marker.
 * Its text is inert: code blocks in it are fenced longer than any fence they
 * hold (a model's suggestion is one), so nothing can swallow the marker; and
 * links are live only to `link_origin` (the forge's web origin; NULL: none).
 * With `suggestion` (the fence's info string: GitHub's "suggestion",
 * GitLab's "suggestion:-0+N"), the fix's lines follow as a suggestion block,
 * which the forge offers to commit in one click; the caller has checked that
 * they fit the commented lines (cg_forge_fix_fits).
 */
int cg_forge_comment_body(struct cg_buf *out, const struct cg_finding *f, const char *link_origin,
			  const char *suggestion);
/*
 * The summary comment's body: the marker, then the markdown report of every
 * finding with the report's notes and `notes` (what the forge dropped or
 * skipped and why), cut at a line boundary past `max_bytes` (0 = no cap).
 */
int cg_forge_summary_body(struct cg_buf *out, const struct cg_report_input *report, const char *const *notes,
			  size_t nnotes, size_t max_bytes);

#endif
