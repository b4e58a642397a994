#ifndef CG_TEST_HELPERS_H
#define CG_TEST_HELPERS_H

/*
 * Sandboxes for unit tests: real repositories in temporary folders, built
 * with libgit2 so the tests need no git binary.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <git2.h>

struct sandbox {
	char dir[4096];
	git_repository *repo;
};

/* Creates a fresh repository (bare when is_bare) in a temporary folder. */
void sandbox_init(struct sandbox *sb, int is_bare);
void sandbox_free(struct sandbox *sb);
/* Writes a file in the work tree (folders created). */
void sandbox_write(struct sandbox *sb, const char *path, const char *text);
void sandbox_write_bytes(struct sandbox *sb, const char *path, const void *data, size_t len);
/* Removes a file from the work tree. */
void sandbox_remove(struct sandbox *sb, const char *path);
/* Stages a path (git add), or removes it from the index when it no longer exists. */
void sandbox_stage(struct sandbox *sb, const char *path);
/* Commits the index on HEAD; returns the commit id as hex in `out`. */
void sandbox_commit(struct sandbox *sb, const char *message, char out[GIT_OID_HEXSZ + 1]);

/*
 * The .rs files under `root` (the distribution's crate sources, say), in
 * path order; 0 when there are none (the test then skips). Free with
 * rs_files_free.
 */
size_t rs_files(const char *root, char ***paths);
void rs_files_free(char **paths, size_t n);

#endif
