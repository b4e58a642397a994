#ifndef CG_MEMORY_MEMORY_H
#define CG_MEMORY_MEMORY_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "change/change.h"
#include "config/config.h"
#include "finding/finding.h"
#include "forge/forge.h"
#include "util/buf.h"

/*
 * The project's three memory files, kept current from what each change
 * taught (docs/memory.md):
 *
 *   memories.md        one entry per change, keyed by PR/MR number or commit,
 *                      replaced in place on a re-run (hidden marker);
 *   lessons-learned.md the model's lessons and, the first time a rule fires
 *                      in the project, a lesson naming it and the fix;
 *                      appended only, deduplicated, existing lines untouched;
 *   scratchpad.md      a managed block between `<!-- crabgate:begin -->` and
 *                      `<!-- crabgate:end -->` with the open findings, the
 *                      model's todos and the TODO/FIXME comments the change
 *                      added; everything outside the block is the team's.
 *
 * Three layers, usable apart:
 *   1. rendering: pure functions over (old text, facts, config) -> new text;
 *   2. gathering: the facts of a run from the change, findings and review;
 *   3. updating: stage (work tree + index), commit locally, or commit on a
 *      branch head and push it (CI), all through libgit2, no work tree needed
 *      for the commit and never a `git` subprocess.
 */

enum cg_memory_file { CG_MEMORY_MEMORIES = 0, CG_MEMORY_LESSONS = 1, CG_MEMORY_SCRATCHPAD = 2, CG_MEMORY_NFILES = 3 };

enum cg_memory_mode { CG_MEMORY_MODE_COMMIT, CG_MEMORY_MODE_STAGE, CG_MEMORY_MODE_OFF };

enum cg_memory_section { CG_MEMORY_SEC_FINDINGS, CG_MEMORY_SEC_TODOS, CG_MEMORY_SEC_COMMENTS };

/* The `memory:` section of config, read once. Strings are borrowed from the config. */
struct cg_memory_config {
	enum cg_memory_mode mode;
	const char *paths[CG_MEMORY_NFILES]; /* repository-relative, '/'-separated */
	const char *entry_template;	     /* memories.md entry, with {placeholders} */
	enum cg_memory_section sections[3];  /* scratchpad block contents, in order */
	size_t nsections;
	bool has_review_lessons, has_rule_lessons;
	long push_attempts; /* >= 1 */
	const char *author_name, *author_email;
	const char *commit_message; /* {key} placeholder */
};

/* Reads and validates `memory:`. CG_E_CONFIG names the key and the fix. */
int cg_memory_config_load(struct cg_memory_config *out, const struct cg_config *cfg);

/*
 * What the model review contributed; every field optional, all borrowed.
 * Deliberately plain so callers need not depend on src/review.
 */
struct cg_memory_review {
	const char *summary; /* NULL or "": no summary */
	const char *const *lessons;
	size_t nlessons;
	const char *const *todos;
	size_t ntodos;
};

/* A TODO/FIXME comment the change added. */
struct cg_memory_todo {
	char *path;
	uint32_t line;
	char *text; /* from the TODO/FIXME word to the end of the comment */
};

/*
 * The facts of one run, which is all the renderers read. Strings and arrays
 * are owned (cg_memory_facts_release); `findings` and `review` are borrowed.
 */
struct cg_memory_facts {
	char *key;	   /* "!12", "#12", a 12-digit commit id, or "staged-<hash>" */
	char *scope;	   /* scratchpad subsection: the key for PRs, the branch otherwise */
	char *title;	   /* PR title or the head commit's first line; may be NULL */
	char *base, *head; /* commit ids or "" */
	size_t files;
	uint32_t lines_added, lines_removed;
	char **decisions; /* text after `Decision:` in the change's commit messages */
	size_t ndecisions, decisions_cap;
	struct cg_memory_todo *todos;
	size_t ntodos, todos_cap;
	const struct cg_findings *findings;    /* may be NULL */
	const struct cg_memory_review *review; /* may be NULL */
	time_t now;			       /* the run's time (UTC); a parameter so output is reproducible */
};

void cg_memory_facts_add_decision(struct cg_memory_facts *facts, const char *text);
void cg_memory_facts_add_todo(struct cg_memory_facts *facts, const char *path, uint32_t line, const char *text);
void cg_memory_facts_release(struct cg_memory_facts *facts);

/*
 * Rendering. `old` is the file's current text (NULL when the file does not
 * exist: it is created with a short header); `name` names it in messages.
 * The new text goes to `out` (appended). Byte-for-byte stable: the same
 * inputs give the same output, and rendering the output again with the same
 * facts gives it back unchanged.
 *
 * Errors: CG_E_INPUT when `old` has merge-conflict markers, invalid UTF-8 or
 * NUL bytes, or a damaged managed block or entry; the message names the
 * file, the line and the fix. Nothing is written in that case.
 */
int cg_memory_render_memories(struct cg_buf *out, const char *name, const char *old, size_t old_len,
			      const struct cg_memory_facts *facts, const struct cg_memory_config *mc);
int cg_memory_render_lessons(struct cg_buf *out, const char *name, const char *old, size_t old_len,
			     const struct cg_memory_facts *facts, const struct cg_memory_config *mc);
int cg_memory_render_scratchpad(struct cg_buf *out, const char *name, const char *old, size_t old_len,
				const struct cg_memory_facts *facts, const struct cg_memory_config *mc);
/* Dispatches on `which`. */
int cg_memory_render(enum cg_memory_file which, struct cg_buf *out, const char *name, const char *old, size_t old_len,
		     const struct cg_memory_facts *facts, const struct cg_memory_config *mc);
/* CG_E_INPUT when `text` cannot be safely rewritten (conflict markers, bad UTF-8, NUL). */
int cg_memory_check_text(const char *name, const char *text, size_t len);

/*
 * Gathering: fills `out` from the change (counts without the memory files
 * themselves, the `Decision:` lines of base..head's commit messages, the
 * head commit's first line as title, TODO/FIXME comments on added lines),
 * the findings and the review (both borrowed, may be NULL). `key`, `scope`
 * and `title` override what the change suggests when non-NULL.
 */
struct cg_memory_meta {
	const char *key;
	const char *scope;
	const char *title;
	time_t now;
};
int cg_memory_gather(struct cg_memory_facts *out, git_repository *repo, struct cg_change *change,
		     const struct cg_findings *findings, const struct cg_memory_review *review,
		     const struct cg_memory_meta *meta, const struct cg_memory_config *mc);

/* What an update did. */
enum cg_memory_outcome {
	CG_MEMORY_SKIPPED,   /* nothing done; `reason` says why */
	CG_MEMORY_STAGED,    /* written to the work tree and added to the index */
	CG_MEMORY_COMMITTED, /* committed on the local branch, not pushed */
	CG_MEMORY_PUSHED,    /* committed and pushed to the remote branch */
	CG_MEMORY_REJECTED,  /* the remote refused for good (protected branch, 403, hook) */
};

struct cg_memory_result {
	enum cg_memory_outcome outcome;
	char reason[512];		/* for SKIPPED and REJECTED */
	char commit[GIT_OID_HEXSZ + 1]; /* the memory commit, when one was made */
	unsigned attempts;		/* push attempts made */
	struct cg_buf diff;		/* fork PRs: the would-be change of the files, as a unified diff */
};

void cg_memory_result_init(struct cg_memory_result *r);
void cg_memory_result_release(struct cg_memory_result *r);
const char *cg_memory_outcome_name(enum cg_memory_outcome outcome);
/* Says on stderr what happened ("memory: pushed 1a2b3c4d5e6f to main (2 attempts)"). */
void cg_memory_result_log(const struct cg_memory_result *r);
/* The run's time: $SOURCE_DATE_EPOCH when set (reproducible runs), else now. */
time_t cg_memory_now(void);

/*
 * For `check --update-memory` (and `crabgate memory update` without --push):
 * honours memory.mode. stage: renders over the index's and the work tree's
 * versions and writes both, so the files ride along with the commit being
 * made. commit: commits on the current branch's head through libgit2 (the
 * three files must have no uncommitted edits), moves the branch with a
 * compare-and-swap, and brings the index and work tree along; no push.
 * off: skipped. Loop guard: a change whose head commit crabgate made is skipped.
 * Errors: CG_E_INPUT (damaged file, detached HEAD, dirty memory file),
 * CG_E_CONFIG, CG_E_GIT, CG_E_IO.
 */
int cg_memory_update_local(struct cg_memory_result *out, git_repository *repo, const struct cg_config *cfg,
			   struct cg_change *change, const struct cg_findings *findings,
			   const struct cg_memory_review *review, time_t now); /* now 0: cg_memory_now() */

/* What `crabgate ci` knows about the pull/merge request. All borrowed. */
struct cg_memory_ci {
	/* Never NULL: its push_user goes with the token; its number_sign makes "#N" or "!N". */
	const struct cg_forge *forge;
	long pr_number;	      /* 0: not a PR (a push); the key is then the head commit */
	const char *title;    /* PR title; NULL: the head commit's first line */
	const char *branch;   /* the PR's branch on `remote`, without refs/heads/ */
	const char *head_sha; /* the PR head (pull_request.head.sha), NOT the merge commit */
	/*
	 * URL, path, or a configured remote's name. A URL without user info:
	 * GitLab's checkout puts the job token into origin's URL, and libgit2
	 * would offer that instead of `token`.
	 */
	const char *remote;
	const char *token; /* NULL: no credentials (local remotes, ssh agents) */
	bool is_fork;	   /* read-only token: no push; out->diff gets the would-be change */
	time_t now;	   /* 0: cg_memory_now() */
};

/*
 * The CI entry point (`crabgate ci --update-memory`): renders the three
 * files over the versions in `ci->head_sha`'s tree, commits them with the
 * configured author on that commit (blobs -> git_tree_create_updated ->
 * git_commit_create; no work tree, no ref moved locally) and pushes
 * `<commit>:refs/heads/<branch>` (never forced). The token goes through a
 * credentials callback with an attempt cap, as the forge's push_user
 * (GitHub `x-access-token`, GitLab `oauth2`). A non-fast-forward rejection fetches the branch tip and renders
 * again over the tip's files (a teammate's edit to them is kept), up to
 * memory.push_attempts with backoff. Local remotes (paths, file://) get a
 * compare-and-swap ref update, since libgit2's local transport would force.
 *
 * Returns 0 with out->outcome PUSHED or SKIPPED (own commit, fork PR -- see
 * out->diff --, nothing changed, mode off). A permanent rejection (protected
 * branch, 403, a declining hook) returns CG_E_NET with out->outcome REJECTED
 * and no retry; attempts exhausted returns CG_E_NET. CG_E_INPUT for damaged
 * files or bad arguments, CG_E_CONFIG, CG_E_GIT. The token is registered with
 * cg_log_add_secret and never printed.
 */
int cg_memory_update_ci(struct cg_memory_result *out, git_repository *repo, const struct cg_config *cfg,
			struct cg_change *change, const struct cg_findings *findings,
			const struct cg_memory_review *review, const struct cg_memory_ci *ci);

/* True when `commit` was made by crabgate's memory update (trailer or configured author). */
bool cg_memory_is_own_commit(const git_commit *commit, const struct cg_memory_config *mc);

/* The trailer every memory commit carries; the loop guard looks for it. */
#define CG_MEMORY_TRAILER "Crabgate-Memory"

#endif
