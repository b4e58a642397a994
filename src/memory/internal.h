#ifndef CG_MEMORY_INTERNAL_H
#define CG_MEMORY_INTERNAL_H

/* Private to src/memory: the steps update.c strings together. */
#include <git2.h>

#include "memory/memory.h"

/* Largest memory file read or written; past it, archive old entries by hand. */
#define CG_MEMORY_MAX_FILE (8u << 20)

/* The three files as a base revision has them, and as rendered over it. */
struct cg_memory_files {
	struct cg_buf old[CG_MEMORY_NFILES];
	bool exists[CG_MEMORY_NFILES];
	git_filemode_t mode[CG_MEMORY_NFILES];
	struct cg_buf rendered[CG_MEMORY_NFILES];
	bool is_changed[CG_MEMORY_NFILES];
};

/* True when `name` (of `len` bytes) is an entry-template placeholder (render.c). */
bool cg_memory__is_placeholder(const char *name, size_t len);

void cg_memory_files_release(struct cg_memory_files *files);
/* True when any rendered file differs from (or did not exist in) the base. */
bool cg_memory_files_any_changed(const struct cg_memory_files *files);

/*
 * Reads the three files from `tree` (NULL: none exist) and renders them.
 * `where` names the revision in messages ("abc123456789"). CG_E_INPUT for
 * damaged files (nothing rendered), CG_E_GIT.
 */
int cg_memory_render_tree(struct cg_memory_files *out, git_repository *repo, git_tree *tree, const char *where,
			  const struct cg_memory_facts *facts, const struct cg_memory_config *mc);

/* Blobs -> tree updated from `parent`'s tree -> a commit on `parent` (no ref moved). */
int cg_memory_commit_create(git_oid *out, git_repository *repo, git_commit *parent, const struct cg_memory_files *files,
			    const struct cg_memory_facts *facts, const struct cg_memory_config *mc);

/* A unified diff of the files' change (for fork PRs, which cannot push). */
int cg_memory_files_diff(struct cg_buf *out, const struct cg_memory_files *files, const struct cg_memory_config *mc);

enum cg_memory_push_status { CG_PUSH_OK, CG_PUSH_RETRY, CG_PUSH_REJECTED };

struct cg_memory_remote {
	const char *remote; /* URL, path or configured remote name */
	const char *token;  /* may be NULL */
	const char *user;   /* x-access-token, oauth2 */
};

/*
 * Pushes `commit` to refs/heads/`branch` without force. `expected` is the
 * tip the commit was built on (its parent). *status: OK; RETRY when the
 * branch moved (non-fast-forward, ref lock lost); REJECTED for good, with
 * the remote's words in `why`. Returns CG_E_NET/CG_E_GIT for failures that
 * are neither (network down, bad URL).
 */
int cg_memory_push(enum cg_memory_push_status *status, char *why, size_t why_len, git_repository *repo,
		   const struct cg_memory_remote *rm, const char *branch, const git_oid *commit,
		   const git_oid *expected);
/* Fetches the tip of refs/heads/`branch` into the object database; CG_E_NOTFOUND when the branch is gone. */
int cg_memory_fetch_tip(git_oid *out, git_repository *repo, const struct cg_memory_remote *rm, const char *branch);

/*
 * TEST ONLY (crash.c): when the environment variable CRABGATE_TEST_CRASH_AT
 * names `step`, the process ends there at once with _exit(99), as a CI job
 * killed mid-way would, so tests/integration/test_faults.py can check that
 * each step leaves the repository and the remote consistent and that a
 * re-run finishes the job. Steps: "blob" (the memory files' blobs written,
 * no tree or commit yet), "commit" (the memory commit made, no ref moved),
 * "push" (objects sent to the remote, its branch not yet moved). Never set
 * outside tests; unset, it costs one getenv.
 */
void cg_memory__crash_point(const char *step);

#endif
