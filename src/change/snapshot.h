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

/* One hunk of a diff as written: its header's numbers and where its lines are. */
struct cg_diff_hunk {
	uint32_t old_start, old_count, new_start, new_count;
	size_t body, body_end; /* byte offsets of its lines (and `\ No newline` marks) in the diff */
	size_t lineno;	       /* of its @@ line, for messages */
};

/* What the diff says of one file beyond struct cg_changed_file, at the same index. */
struct cg_diff_file {
	struct cg_diff_hunk *hunks;
	size_t nhunks, cap;
	char old_id[GIT_OID_HEXSZ + 1], new_id[GIT_OID_HEXSZ + 1]; /* from `index a..b`; "" when absent */
};

struct cg_diff_files {
	struct cg_diff_file *files;
	size_t n, cap;
};

/* Parses a unified diff into `change` (files, hunks, added lines) and `meta` (the caller's to release). */
int cg_diff_parse(struct cg_change *change, const char *text, size_t len, struct cg_diff_files *meta);
void cg_diff_files_release(struct cg_diff_files *meta);

/*
 * Gives each text file of a parsed diff its new content: its old version
 * (the diff's `index` object, else HEAD's or the index's blob of the old
 * path) with the hunks applied, their context and removed lines checked
 * against it (CG_E_INPUT naming the file and hunk when they differ); else
 * the diff's new object; else the hunks alone, with a warning. `head` and
 * `index` may be NULL.
 */
int cg_diff_resolve(struct cg_change *change, const char *text, const struct cg_diff_files *meta, git_tree *head,
		    git_index *index);

#endif
