#ifndef CG_CHANGE_SNAPSHOT_H
#define CG_CHANGE_SNAPSHOT_H

/* Private to src/change. The snapshot takes ownership of the index or tree. */
#include <git2.h>

#include "change/change.h"

int cg_snapshot_open_index(struct cg_snapshot **out, git_repository *repo, git_index *index);
int cg_snapshot_open_tree(struct cg_snapshot **out, git_repository *repo, git_tree *tree);
void cg_snapshot_free(struct cg_snapshot *s);
int cg_snapshot_read_blob(git_repository *repo, const git_oid *id, struct cg_buf *out);
/* A blob's size from its header, without inflating it. */
int cg_snapshot_blob_size(git_repository *repo, const git_oid *id, git_object_size_t *out);

/* Paths handed to libgit2's diff as a literal path list; a folder ends with '/'. */
struct cg_pathlist {
	char **items;
	size_t len, cap;
};
void cg_pathlist_release(struct cg_pathlist *list);
/*
 * The paths where `index` may differ from `head`, from the index's cache-tree
 * (cache_tree.c): a superset of the changed paths, read without walking
 * unchanged subtrees. `out` is the caller's to release. CG_E_NOTFOUND (error
 * cleared) when the index has no usable cache-tree: diff everything then.
 */
int cg_index_changed_paths(struct cg_pathlist *out, git_repository *repo, git_index *index, git_tree *head);

/* Parses a unified diff into `change` (files, hunks, added lines). */
int cg_diff_parse(struct cg_change *change, const char *text, size_t len);

#endif
