#ifndef CG_CHANGE_BUILD_H
#define CG_CHANGE_BUILD_H

/*
 * Private to src/change: how the sources (source_*.c) build a change. No
 * other module includes it; they read a change through change.h.
 */
#include <git2.h>
#include <pthread.h>

#include "change/change.h"

/* The repository a change reads, and the lock every reader through the change holds (recursive). */
struct cg_repo {
	git_repository *git; /* borrowed; NULL for a diff read without a repository */
	pthread_mutex_t lock;
	git_odb **odbs; /* idle object databases for cg_change__read_blob, under the lock */
	size_t nodbs, odbs_cap;
};

/*
 * change.c: blob `id` into `out`, read without the change's lock. With
 * max_bytes, *is_over (reading nothing) when the blob's header says it is
 * bigger. CG_E_TOOBIG past 256 MiB.
 */
int cg_change__read_blob(const struct cg_change *change, const git_oid *id, size_t max_bytes, struct cg_buf *out,
			 bool *is_over);

/* change.c: zeroes `change` and gives it its repository handle; cg_change_release frees it. */
void cg_change__begin(struct cg_change *change, enum cg_change_source source, git_repository *repo);

/* collect.c: the builders. Lines and hunks arrive in increasing order. */
struct cg_changed_file *cg_change__add_file(struct cg_change *change, const char *path);
void cg_changed_file__add_line(struct cg_changed_file *file, uint32_t line);
void cg_changed_file__add_removed(struct cg_changed_file *file, uint32_t old_line);
void cg_changed_file__add_hunk(struct cg_changed_file *file, uint32_t old_start, uint32_t old_count, uint32_t new_start,
			       uint32_t new_count);
/* The file's content is in file->content: marks it loaded, and skipped if it is binary after all. */
void cg_changed_file__loaded(struct cg_changed_file *file);
void cg_changed_file__release(struct cg_changed_file *file);
/* A file taken whole (--all, a named path): every line added, new text the blob `id`. */
int cg_change__add_whole(struct cg_change *change, const char *path, const git_oid *id, uint32_t mode);
/* git's heuristic for binary content: a NUL in the first 8000 bytes. */
bool cg_change__looks_binary(const char *data, size_t len);

/* collect.c: the diff options of a change, and a libgit2 diff (staged, ranges) into its files. */
void cg_change__diff_opts(git_diff_options *o, const struct cg_change_opts *opts);
int cg_change__collect(struct cg_change *change, git_diff *diff, const git_diff_options *o);

/* The sources, one file each: fill `change` (already zeroed, with repo and limits set). */
int cg_change__load_staged(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts);
int cg_change__load_range(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts);
int cg_change__load_all(struct cg_change *change, git_repository *repo);
int cg_change__load_diff(struct cg_change *change, const struct cg_change_opts *opts);

#endif
