#ifndef CG_CRATE_WORKSPACE_H
#define CG_CRATE_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "change/change.h"
#include "crate/manifest.h"

/*
 * Cargo's view of a repository: the manifest in a folder, the crate a path
 * belongs to and its workspace. Everything is read at the change's new
 * revision (cg_change_read), never from the work tree.
 */

struct cg_crate {
	char *dir;	     /* "" for the repository root, else "a/b" */
	char *manifest_path; /* "Cargo.toml" or "a/b/Cargo.toml" */
	struct cg_manifest manifest;
	struct cg_crate *workspace; /* the manifest with [workspace] above or at dir; may be NULL */
	bool has_workspace_lookup;  /* `workspace` has been looked for */
	bool is_library;	    /* [lib] or src/lib.rs */
	/* Filled by cg_crate_benches (crate/benches.h), once. */
	bool has_bench_scan;
	char **bench_files; /* paths: own benches and those of workspace bench packages */
	size_t nbench_files, bench_files_cap;
	size_t nown_bench_files; /* the first ones are this crate's own */
};

/*
 * Manifests read once per run: a folder's manifest, the crate a path is in,
 * the workspace root, bench files. Keyed by folder in a hash table, so a
 * change of a thousand files reads each Cargo.toml once. The change is
 * borrowed and must outlive the cache.
 */
struct cg_crate_cache;

struct cg_crate_cache *cg_crate_cache_new(const struct cg_change *change);
/*
 * Files it reads over `max_bytes` (the run's max_file_bytes; 0 for none)
 * are taken as absent, as files over 8 MiB always are: a committed
 * manifest of megabytes must not cost every check of the crate seconds.
 */
void cg_crate_cache_set_max_file(struct cg_crate_cache *cache, size_t max_bytes);
void cg_crate_cache_free(struct cg_crate_cache *cache);
/*
 * Keep file summaries in `disk` between runs (crate/cache.h; borrowed,
 * must outlive the cache); NULL, the default, keeps them for the run only.
 */
struct cg_disk_cache;
void cg_crate_cache_set_disk(struct cg_crate_cache *cache, struct cg_disk_cache *disk);

/*
 * What the crate model did in a run, for `-v`: summaries read back from
 * disk or built (fns' outlines), texts read, fn bodies parsed.
 */
struct cg_crate_counts {
	size_t summaries_cached;
	size_t summaries_built;
	size_t files_read;
	size_t bodies_read;
};
void cg_crate_cache_counts(const struct cg_crate_cache *cache, struct cg_crate_counts *out);

/*
 * The package `path` belongs to: the nearest Cargo.toml upward from its
 * folder, when that manifest has a [package]. NULL otherwise (no manifest,
 * or a virtual workspace manifest). Borrowed from the cache.
 */
struct cg_crate *cg_crate_of(struct cg_crate_cache *cache, const char *path);
/* The manifest in exactly folder `dir` ("" for the root), or NULL. Borrowed. */
struct cg_crate *cg_crate_manifest_in(struct cg_crate_cache *cache, const char *dir);

#endif
