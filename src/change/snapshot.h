#ifndef CG_CHANGE_SNAPSHOT_H
#define CG_CHANGE_SNAPSHOT_H

/* Private to src/change. The snapshot takes ownership of the index or tree. */
#include <git2.h>

#include "change/change.h"
#include "util/buf.h"

/*
 * The index file as git reads it (index_file.c): mapped and parsed in
 * place, its checksum not computed. Entries in the file's order: by path
 * (strcmp), then stage.
 */
struct cg_index_entry {
	const char *path; /* into the map, or the arena for a version 4 index */
	git_oid id;
	uint32_t mode, file_size;
	unsigned stage;
};

struct cg_index_file {
	const unsigned char *map;
	size_t size;
	struct cg_index_entry *entries;
	size_t n;
	struct cg_buf arena;		    /* version 4's paths, rebuilt */
	const unsigned char *ext, *ext_end; /* the extensions, between the entries and the checksum */
	bool is_mapped;			    /* map is this file's own mapping, unmapped by cg_index_file_free */
};

/* CG_E_NOTFOUND (nothing set) for anything but a plain index of versions 2-4 in a case-sensitive repository. */
int cg_index_file_open(struct cg_index_file **out, git_repository *repo);
/* The same over bytes the caller keeps alive (and a fuzzer feeds). */
int cg_index_file_parse(struct cg_index_file **out, const void *data, size_t size);
void cg_index_file_free(struct cg_index_file *f);
/* The position of the first entry whose path sorts at or after `prefix`. */
size_t cg_index_file_find_prefix(const struct cg_index_file *f, const char *prefix);
/* The stage-0 entry of `path`, or NULL. */
const struct cg_index_entry *cg_index_file_get(const struct cg_index_file *f, const char *path);

int cg_snapshot_open_index(struct cg_snapshot **out, git_repository *repo, git_index *index);
int cg_snapshot_open_index_file(struct cg_snapshot **out, git_repository *repo, struct cg_index_file *file);
int cg_snapshot_open_tree(struct cg_snapshot **out, git_repository *repo, git_tree *tree);
void cg_snapshot_free(struct cg_snapshot *s);
/* cg_change__read_blob's read, from an object database the caller has to itself. */
int cg_snapshot_read_blob(git_odb *odb, const git_oid *id, size_t max_bytes, struct cg_buf *out, bool *is_over);

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
int cg_index_changed_paths(struct cg_pathlist *out, git_repository *repo, const struct cg_index_file *index,
			   git_tree *head);

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
