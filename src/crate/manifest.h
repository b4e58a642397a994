#ifndef CG_CRATE_MANIFEST_H
#define CG_CRATE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/syntax.h"

/*
 * Cargo's files read into plain structs: a parsed manifest (Cargo.toml) or
 * lockfile (Cargo.lock), best effort on broken input. Nothing here reads the
 * repository; crate/workspace.h does.
 */

/* A place in a file, 1-based; end_column is one past the last byte. */
struct cg_crate_pos {
	uint32_t line, column, end_line, end_column;
};

enum cg_dep_kind { CG_DEP_NORMAL, CG_DEP_DEV, CG_DEP_BUILD };

struct cg_crate_str {
	char *text;
	struct cg_crate_pos pos;
};

struct cg_crate_dep {
	char *key;     /* the name in the table (what code calls it) */
	char *package; /* the crate: `package = ...` when renamed, else NULL */
	enum cg_dep_kind kind;
	char *target;		/* `cfg(unix)` of [target.'cfg(unix)'.dependencies], or NULL */
	char *table;		/* the table as written, for messages: "dev-dependencies" */
	bool is_workspace_decl; /* in [workspace.dependencies] */
	bool is_inherited;	/* `workspace = true` */
	bool is_optional;
	bool has_default_features; /* `default-features` is written; then default_features is its value */
	bool default_features;
	char *path; /* `path = ...`, or NULL */
	struct cg_crate_str *features;
	size_t nfeatures, features_cap;
	struct cg_crate_pos pos; /* every line the declaration spans */
};

struct cg_crate_feature {
	char *name;
	struct cg_crate_str *items;
	size_t nitems, items_cap;
	struct cg_crate_pos pos;
};

struct cg_crate_bench {
	char *name;
	char *path;	  /* as written, relative to the crate; NULL when absent */
	bool has_harness; /* `harness` is written */
	bool harness;
	struct cg_crate_pos pos; /* the whole [[bench]] element */
};

struct cg_manifest {
	bool has_package;
	char *package_name;
	char *package_version;	 /* NULL when absent or inherited from the workspace */
	char *edition;		 /* likewise; Cargo's default is 2015 */
	char *workspace_edition; /* [workspace.package] edition, which members may inherit */
	bool autobenches;	 /* default true */
	bool has_lib;		 /* a [lib] table */
	bool is_proc_macro;	 /* [lib] proc-macro = true: it runs in the compiler, on the host */
	bool is_cdylib;		 /* [lib] crate-type lists "cdylib": a library that is a program (wasm-pack) */
	bool describes_tests;	 /* the description's first line says the crate exists for tests */
	char *lib_path;
	bool has_workspace;
	char **members, **exclude;
	size_t nmembers, members_cap, nexclude, exclude_cap;
	struct cg_crate_dep *deps;
	size_t ndeps, deps_cap;
	struct cg_crate_feature *features;
	size_t nfeatures, features_cap;
	struct cg_crate_bench *benches;
	size_t nbenches, benches_cap;
	struct cg_crate_pos package_pos;  /* the [package] table; line 0 when absent */
	struct cg_crate_pos dev_deps_pos; /* the [dev-dependencies] table; line 0 when absent */
};

/* Reads a parsed Cargo.toml into `out` (released with cg_manifest_release). Best effort on broken input. */
void cg_manifest_parse(struct cg_manifest *out, const struct cg_source *src);
void cg_manifest_release(struct cg_manifest *m);
/* The crate a dependency names: its `package`, else its key. */
const char *cg_crate_dep_crate(const struct cg_crate_dep *dep);

struct cg_lock_package {
	char *name;
	char *version;
	char **deps; /* names only ("serde", not "serde 1.0.1 (registry+...)") */
	size_t ndeps, deps_cap;
	struct cg_crate_pos name_pos; /* the `name = ...` line */
};

struct cg_lockfile {
	struct cg_lock_package *packages;
	size_t npackages, packages_cap;
};

/* Reads a parsed Cargo.lock (every version) into `out`. */
void cg_lockfile_parse(struct cg_lockfile *out, const struct cg_source *src);
void cg_lockfile_release(struct cg_lockfile *lock);

/* `crate_dir` + "/" + `rel`, with "./" and "x/.." folded; caller frees. NULL when it climbs above the root. */
char *cg_crate_join(const char *crate_dir, const char *rel);
/* Crate names compare with '-' and '_' as one character, as Cargo does. */
bool cg_crate_name_eq(const char *a, const char *b);
/*
 * Whether a package name says the crate exists for tests: a word of it
 * (split at '-' and '_') is test, tests, testing, testkit, mock, mocks or
 * fake (`nu-plugin-test-support`, `linkerd-pool-mock`, `foo-test-utils`).
 */
bool cg_crate_name_is_test_support(const char *name);
/* A description whose first line names tests or mocks as what the crate is ("Proxy integration tests"). */
bool cg_crate_description_is_test_support(const char *description);

#endif
