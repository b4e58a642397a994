#ifndef CG_SYNTAX_CARGO_H
#define CG_SYNTAX_CARGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "change/change.h"
#include "syntax/syntax.h"

/*
 * Cargo's view of a repository: manifests (Cargo.toml) and lockfiles read
 * into plain structs, and the crate a path belongs to. Everything is read at
 * the change's new revision (cg_change_read), never from the work tree.
 */

/* A place in a file, 1-based; end_column is one past the last byte. */
struct cg_cargo_pos {
	uint32_t line, column, end_line, end_column;
};

enum cg_dep_kind { CG_DEP_NORMAL, CG_DEP_DEV, CG_DEP_BUILD };

struct cg_cargo_str {
	char *text;
	struct cg_cargo_pos pos;
};

struct cg_cargo_dep {
	char *key;     /* the name in the table (what code calls it) */
	char *package; /* the crate: `package = ...` when renamed, else NULL */
	enum cg_dep_kind kind;
	char *target;		/* `cfg(unix)` of [target.'cfg(unix)'.dependencies], or NULL */
	char *table;		/* the table as written, for messages: "dev-dependencies" */
	bool is_workspace_decl; /* in [workspace.dependencies] */
	bool is_inherited;	/* `workspace = true` */
	bool is_optional;
	char *path; /* `path = ...`, or NULL */
	struct cg_cargo_str *features;
	size_t nfeatures, features_cap;
	struct cg_cargo_pos pos; /* every line the declaration spans */
};

struct cg_cargo_feature {
	char *name;
	struct cg_cargo_str *items;
	size_t nitems, items_cap;
	struct cg_cargo_pos pos;
};

struct cg_cargo_bench {
	char *name;
	char *path;	  /* as written, relative to the crate; NULL when absent */
	bool has_harness; /* `harness` is written */
	bool harness;
	struct cg_cargo_pos pos; /* the whole [[bench]] element */
};

struct cg_manifest {
	bool has_package;
	char *package_name;
	bool autobenches; /* default true */
	bool has_lib;	  /* a [lib] table */
	char *lib_path;
	bool has_workspace;
	char **members, **exclude;
	size_t nmembers, members_cap, nexclude, exclude_cap;
	struct cg_cargo_dep *deps;
	size_t ndeps, deps_cap;
	struct cg_cargo_feature *features;
	size_t nfeatures, features_cap;
	struct cg_cargo_bench *benches;
	size_t nbenches, benches_cap;
	struct cg_cargo_pos package_pos;  /* the [package] table; line 0 when absent */
	struct cg_cargo_pos dev_deps_pos; /* the [dev-dependencies] table; line 0 when absent */
};

/* Reads a parsed Cargo.toml into `out` (released with cg_manifest_release). Best effort on broken input. */
void cg_manifest_parse(struct cg_manifest *out, const struct cg_source *src);
void cg_manifest_release(struct cg_manifest *m);
/* The crate a dependency names: its `package`, else its key. */
const char *cg_cargo_dep_crate(const struct cg_cargo_dep *dep);

struct cg_lock_package {
	char *name;
	char *version;
	char **deps; /* names only ("serde", not "serde 1.0.1 (registry+...)") */
	size_t ndeps, deps_cap;
	struct cg_cargo_pos name_pos; /* the `name = ...` line */
};

struct cg_lockfile {
	struct cg_lock_package *packages;
	size_t npackages, packages_cap;
};

/* Reads a parsed Cargo.lock (every version) into `out`. */
void cg_lockfile_parse(struct cg_lockfile *out, const struct cg_source *src);
void cg_lockfile_release(struct cg_lockfile *lock);

/* A bench target's root file or a module of it, and what it runs on. */
struct cg_bench_file {
	char *path;	     /* repository-relative */
	bool uses_criterion; /* criterion paths, criterion_group!/criterion_main! */
	bool uses_divan;     /* divan paths or #[divan::bench] */
	bool has_main_macro; /* criterion_main! or divan::main(): needs harness = false */
};

struct cg_crate {
	char *dir;	     /* "" for the repository root, else "a/b" */
	char *manifest_path; /* "Cargo.toml" or "a/b/Cargo.toml" */
	struct cg_manifest manifest;
	struct cg_crate *workspace; /* the manifest with [workspace] above or at dir; may be NULL */
	bool has_workspace_lookup;  /* `workspace` has been looked for */
	bool is_library;	    /* [lib] or src/lib.rs */
	/* Filled by cg_cargo_benches, once. */
	bool has_bench_scan;
	struct cg_bench_file *bench_files; /* own benches and those of workspace bench packages */
	size_t nbench_files, bench_files_cap;
	size_t nown_bench_files; /* the first ones are this crate's own */
	char **bench_names;	 /* sorted, unique: identifiers the bench files name */
	size_t nbench_names, bench_names_cap;
};

/*
 * Manifests read once per run: a folder's manifest, the crate a path is in,
 * the workspace root, bench files. Keyed by folder in a hash table, so a
 * change of a thousand files reads each Cargo.toml once. The change is
 * borrowed and must outlive the cache.
 */
struct cg_cargo_cache;

struct cg_cargo_cache *cg_cargo_cache_new(const struct cg_change *change);
/*
 * Files it reads over `max_bytes` (the run's max_file_bytes; 0 for none)
 * are taken as absent, as files over 8 MiB always are: a committed
 * manifest of megabytes must not cost every check of the crate seconds.
 */
void cg_cargo_cache_set_max_file(struct cg_cargo_cache *cache, size_t max_bytes);
void cg_cargo_cache_free(struct cg_cargo_cache *cache);

/*
 * The package `path` belongs to: the nearest Cargo.toml upward from its
 * folder, when that manifest has a [package]. NULL otherwise (no manifest,
 * or a virtual workspace manifest). Borrowed from the cache.
 */
struct cg_crate *cg_cargo_crate_of(struct cg_cargo_cache *cache, const char *path);
/* The manifest in exactly folder `dir` ("" for the root), or NULL. Borrowed. */
struct cg_crate *cg_cargo_manifest_in(struct cg_cargo_cache *cache, const char *dir);

/*
 * Finds the crate's bench files (Cargo's autobenches under benches/,
 * [[bench]] paths, and the benches of workspace packages that depend on the
 * crate), parses them and fills crate->bench_files and bench_names. Once
 * per crate per run.
 */
void cg_cargo_benches(struct cg_cargo_cache *cache, struct cg_crate *crate);
/* True when `name` is among the identifiers the crate's benches name. */
bool cg_cargo_bench_names(const struct cg_crate *crate, const char *name);
/* The crate's own bench file at `path`, or NULL (after cg_cargo_benches). */
const struct cg_bench_file *cg_cargo_bench_file(const struct cg_crate *crate, const char *path);

/* `crate_dir` + "/" + `rel`, with "./" and "x/.." folded; caller frees. NULL when it climbs above the root. */
char *cg_cargo_join(const char *crate_dir, const char *rel);

#endif
