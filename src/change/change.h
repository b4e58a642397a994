#ifndef CG_CHANGE_CHANGE_H
#define CG_CHANGE_CHANGE_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * One model of "what changed", whatever the source: the staged index, a
 * range of commits, a unified diff, or every tracked file. New content is
 * read from the object database (the index or the head tree), never from the
 * work tree: what is committed is what is checked.
 */
enum cg_change_source { CG_SOURCE_STAGED, CG_SOURCE_RANGE, CG_SOURCE_DIFF, CG_SOURCE_ALL };

enum cg_file_status {
	CG_FILE_ADDED,
	CG_FILE_MODIFIED,
	CG_FILE_DELETED,
	CG_FILE_RENAMED,
	CG_FILE_COPIED,
	CG_FILE_TYPECHANGE
};

struct cg_line_range {
	uint32_t start, end; /* inclusive, 1-based */
};

/* One hunk of the file's diff, as its header says (a hunk with no new-side line is not kept). */
struct cg_hunk {
	uint32_t old_start, old_count;
	uint32_t new_start, new_count;
};

struct cg_changed_file {
	char *path;	/* new path (old path for deletions) */
	char *old_path; /* differs from path for renames and copies */
	enum cg_file_status status;
	uint32_t mode, old_mode;
	bool is_binary;
	bool is_submodule;
	bool is_whole_file; /* every line counts as added (--all, new files) */
	/* The work tree's size the index recorded, 0 when unknown: a full scan checks big files first. */
	uint32_t size_hint;
	bool is_partial;	 /* content rebuilt from a diff's hunks: lines between hunks are empty */
	const char *skip_reason; /* static text; non-NULL: not checked, and why */
	git_oid new_id;
	bool has_new_id;
	git_oid old_id; /* the old version's blob, for rules that compare (cg_change_read_old) */
	bool has_old_id;
	struct cg_line_range *added; /* new-side lines, sorted, disjoint */
	size_t nadded, added_cap;
	struct cg_line_range *removed; /* old-side lines, sorted, disjoint */
	size_t nremoved, removed_cap;
	struct cg_hunk *hunks; /* sorted; with added and removed, the old/new line mapping */
	size_t nhunks, hunks_cap;
	uint32_t lines_added, lines_removed;
	struct cg_buf content; /* loaded on demand by cg_change_content */
	bool is_loaded;
	/* Joined by cg_change_add_unchanged: the change did not touch it; its text is the tree's. */
	bool is_unchanged;
};

struct cg_snapshot; /* the new revision's tree: read files the change did not touch */
struct cg_repo;	    /* the repository the change reads, with its lock */

struct cg_change {
	enum cg_change_source source;
	char base[GIT_OID_HEXSZ + 1]; /* "" when there is none (staged on a first commit, diff, all) */
	char head[GIT_OID_HEXSZ + 1]; /* "" for staged (the index has no commit) */
	struct cg_changed_file *files;
	size_t nfiles, files_cap;
	struct cg_repo *repo; /* owned: the repository (borrowed) and the lock over it */
	uint64_t max_file_bytes;
	struct cg_snapshot *snapshot;
};

struct cg_change_opts {
	enum cg_change_source source;
	const char *base;	 /* --base REF */
	const char *head;	 /* --head REF, default HEAD */
	const char *range;	 /* --range A..B or A...B */
	const char *diff_path;	 /* --diff FILE, "-" for stdin */
	uint32_t context_lines;	 /* hunk context for diff_context filtering */
	uint64_t max_file_bytes; /* larger blobs are neither diffed nor read; 0 = no limit */
	/*
	 * `check -- PATH...`: check just these paths, relative to the work
	 * tree's root; a folder names the files under it, a glob (`*` and `?`
	 * within a segment, `**` across) the files it matches
	 * (cg_change_path_named). --staged: a named file the staged change
	 * touches keeps its changed lines; any other is taken whole, as the
	 * index holds it (its committed content when nothing of it is staged).
	 * Any other source keeps the files of its change the paths name, and
	 * --all refuses a path that names none. Borrowed.
	 */
	char *const *paths;
	size_t npaths;
};

/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_CHANGE_OPTS_INIT { CG_SOURCE_STAGED, NULL, NULL, NULL, NULL, 3 }
/* clang-format on */

/* Fills `out` from `repo`. CG_E_INPUT for bad refs or diffs, with the fix named. */
int cg_change_load(struct cg_change *out, git_repository *repo, const struct cg_change_opts *opts);
/* Same, from a diff text already in memory (the tests and fuzzers use it). */
int cg_change_from_diff_text(struct cg_change *out, git_repository *repo, const char *text, size_t len);
void cg_change_release(struct cg_change *change);

/* The skip reason of a file over max_file_bytes: reports show it as is. */
#define CG_SKIP_TOO_LARGE "too large to check (over max_file_bytes; if it is generated, list it under exclude)"

/* Loads (once) and returns the new content of `file`; borrowed from the file. */
int cg_change_content(struct cg_change *change, struct cg_changed_file *file, const char **data, size_t *len);

/*
 * The new text of `file` for readers that never write into the change (the
 * rule pass, on several threads): borrowed from the change when it holds
 * it, else read into `scratch` (the caller's, which releases it). When the
 * file cannot be checked, *skip says why (its skip_reason, too large,
 * binary, an unchanged file that cannot be read) and the text is empty.
 * Errors: CG_E_GIT when the object database fails.
 */
int cg_change_text(const struct cg_change *change, const struct cg_changed_file *file, struct cg_buf *scratch,
		   const char **data, size_t *len, const char **skip);

/*
 * --filter all: every file of the new revision that the change does not
 * touch and `wants` accepts joins it after the changed ones, unchanged
 * (is_unchanged, no added lines), so the rule pass checks the whole tree.
 * Nothing joins a CG_SOURCE_ALL change: it holds every tracked file already.
 */
int cg_change_add_unchanged(struct cg_change *change, bool (*wants)(const char *path));

/*
 * Reads the version of `file` before the change into `out` (the caller's).
 * CG_E_NOTFOUND when there is none (added files, --all, a diff whose old
 * side is not in the repository).
 */
int cg_change_read_old(const struct cg_change *change, const struct cg_changed_file *file, struct cg_buf *out);

bool cg_changed_file_is_added(const struct cg_changed_file *file, uint32_t line);
bool cg_changed_file_in_hunks(const struct cg_changed_file *file, uint32_t line);

/* Where a new-side line sits in its file's diff (cg_changed_file_locate). */
struct cg_line_pos {
	size_t hunk;	   /* index in file->hunks */
	bool is_added;	   /* else a context line */
	uint32_t old_line; /* a context line's number before the change; 0 for an added line */
};
/*
 * Whether new-side `line` of `file` lies inside one of its hunks (files
 * taken whole without a diff, --all, have none); then *out says where.
 */
bool cg_changed_file_locate(const struct cg_changed_file *file, uint32_t line, struct cg_line_pos *out);

/* The repository the change reads (borrowed), or NULL (a diff read without one). */
git_repository *cg_change_git(const struct cg_change *change);

/*
 * The change's lock over its repository: libgit2 objects may not be used
 * from two threads at once, so every read of the object database through
 * the change (the functions below, cg_change_content, cg_change_text)
 * holds it, and so do caches built on those reads (crate/). It is
 * recursive; parsing and the rules run outside it.
 */
void cg_change_lock(const struct cg_change *change);
void cg_change_unlock(const struct cg_change *change);

/* Reads `path` at the new revision into `out`. CG_E_NOTFOUND when absent. */
int cg_change_read(const struct cg_change *change, const char *path, struct cg_buf *out);
/* Calls cb for every file at the new revision under `prefix` ("" for all). */
int cg_change_list(const struct cg_change *change, const char *prefix, int (*cb)(const char *path, void *payload),
		   void *payload);
bool cg_change_exists(const struct cg_change *change, const char *path);
/*
 * The blob id of `path` at the new revision, without reading it: what
 * caches key on. False when absent, or when its new text is in no object
 * (a file a --diff rebuilt).
 */
bool cg_change_blob_id(const struct cg_change *change, const char *path, git_oid *out);

/*
 * Keeps only the files of shard `index` (1-based) of `count`: a file's shard
 * is a hash of its path, so every runner of a CI matrix agrees on the split
 * without talking, and each file is checked by exactly one of them.
 */
void cg_change_keep_shard(struct cg_change *change, unsigned index, unsigned count);
/* The 1-based shard a path belongs to. */
unsigned cg_change_shard_of(const char *path, unsigned count);

/* Whether a path of `check -- PATH...` is a glob: it has `*` or `?`. */
bool cg_change_path_is_glob(const char *pattern);
/* Whether `pattern` names `path`: it is the path, a folder above it, or a glob `path` matches. */
bool cg_change_path_named(const char *pattern, const char *path);
/* Keeps only the files one of `patterns` names (none: every file). */
void cg_change_keep_named(struct cg_change *change, char *const *patterns, size_t npatterns);

const char *cg_change_source_name(enum cg_change_source source);
const char *cg_file_status_name(enum cg_file_status status);

#endif
