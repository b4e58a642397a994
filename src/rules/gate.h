#ifndef CG_RULES_GATE_H
#define CG_RULES_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "change/change.h"
#include "syntax/rust.h"
#include "syntax/syntax.h"

/*
 * Which Rust code exists in a given build: `#[cfg(…)]` attributes on items,
 * statements and match arms, `#![cfg(…)]` on a module, `if cfg!(…)` branches
 * and `#[cfg(…)] mod x;` declarations in a parent module file, judged under
 * one assumed build; and what a called path names where it is written.
 * Private to the rules that need it (unbounded-channel, wasm-unsafe-std).
 */

struct cg_gate_cache;

/* Three-valued: a feature flag or an unknown key is neither true nor false. */
enum cg_tri { CG_TRI_FALSE, CG_TRI_TRUE, CG_TRI_UNKNOWN };

/* What a build is: flags, combined (a wasm32 build of the library is WASM32 | NOT_TEST). */
enum {
	/* A build for wasm32-unknown-unknown: target_arch = "wasm32", target_family = "wasm",
	 * target_os = "unknown", neither unix nor windows. */
	CG_GATE_WASM32 = 1,
	/* A build of the library itself, not its tests: `test` is false, and
	 * functions marked `#[test]`, `#[tokio::test]`, `#[bench]`… are left out,
	 * and so are tests ignored on the build (`#[cfg_attr(target_arch = "wasm32", ignore)]`). */
	CG_GATE_NOT_TEST = 2,
};

/*
 * A cfg the crate's build script sets (`cargo:rustc-cfg=NAME`, cfg_aliases!),
 * with its value under the build. `is_opaque` when the script sets it under
 * conditions not read here: then a predicate that names it is false (the
 * code under `cfg(NAME)` and under `cfg(not(NAME))` alike is left out, for
 * a rule that would rather miss code than judge it under a guess).
 */
struct cg_gate_flag {
	char *name;
	enum cg_tri value;
	bool is_opaque;
};
/* A macro of the crate that only adds a cfg to the items it wraps (`cfg_net! { … }`). */
struct cg_gate_macro {
	char *name;
	enum cg_tri value; /* of its cfg, under the build */
};

/*
 * The assumed build, with what the crate itself says about it. Borrowed by
 * the functions below; start from cg_gate_env_of and fill the lists.
 */
struct cg_gate_env {
	unsigned build;	     /* CG_GATE_* */
	char **off_features; /* `feature = "x"` is false for these (the crate rejects them on this build) */
	size_t noff_features;
	char **off_attrs; /* items under these attributes are not this build's (`#[server]` bodies) */
	size_t noff_attrs;
	struct cg_gate_macro *macros; /* cfg-alias macros of the crate */
	size_t nmacros;
	struct cg_gate_flag *flags; /* cfgs the build script sets */
	size_t nflags;
	bool is_custom_off;	/* bare flags other than unix/windows/test (`tokio_unstable`) are false */
	const char *on_feature; /* `feature = "x"` is true for this one, or NULL */
	/*
	 * With has_may_features: every feature the build can turn on (borrowed);
	 * `feature = "x"` of any other is false.
	 */
	bool has_may_features;
	char *const *may_features;
	size_t nmay_features;
};
/* An environment for `build` with empty lists. */
struct cg_gate_env cg_gate_env_of(unsigned build);
/* A hash of everything the environment says, for caches keyed by it. */
uint64_t cg_gate_env_hash(const struct cg_gate_env *env);

/*
 * Evaluates the predicate inside a cfg token tree (the `(…)` of `cfg(…)` or
 * `cfg!(…)`) under `env`. all/any/not nest to any depth without
 * recursion; an unknown operator makes its result unknown.
 */
enum cg_tri cg_gate_cfg_eval(const struct cg_source *src, TSNode token_tree, const struct cg_gate_env *env);

/*
 * Pre-order walk like cg_walk that passes over code `build` leaves out, so
 * `cb` sees only what that build compiles and runs; it sees named nodes
 * only, never comments, punctuation or keywords. `cb` returns
 * CG_WALK_ENTER, CG_WALK_SKIP or a negative error, which stops the walk.
 */
int cg_gate_walk(const struct cg_source *src, const struct cg_gate_env *env, int (*cb)(TSNode node, void *payload),
		 void *payload);

/*
 * True when the module file at `path` is declared by a parent module file
 * (mod.rs, lib.rs, main.rs or the `<dir>.rs` of the folder) as `mod x;` in
 * code `build` leaves out (also inside `cfg_if!` branches and cfg-alias macro
 * calls, and `#[cfg_attr(P, path = "…")]` naming the file under a false P), at any level up to the crate root. Files
 * are read at the change's new revision; a file that cannot be read counts as absent.
 */
bool cg_gate_file_excluded(struct cg_gate_cache *cache, const struct cg_change *change, const char *path,
			   const struct cg_gate_env *env);

/*
 * The module declarations of parent files read by cg_gate_file_excluded,
 * kept for one rule pass (rule.h: ctx->gate) and shared by its threads.
 * Owned by the pass: cg_gate_cache_free when it ends.
 */
struct cg_gate_cache *cg_gate_cache_new(void);
void cg_gate_cache_free(struct cg_gate_cache *cache);

/*
 * Offers `match` the full path a path (`fn`: an identifier, a scoped
 * identifier or a type path) stands for where it is written, through the
 * `use`s in scope (cg_rust_resolve_at); for a path no `use` brings, what
 * each glob import in scope makes of it, unless the file defines a fn of
 * that name. `file_path` says whether the file is a crate root, where
 * alone `crate::x` names the file's own `x`. Returns the first
 * non-NULL answer of `match`; *full (owned) is the path that got it, or the
 * resolved path when none did.
 */
const void *cg_gate_resolve_call(const struct cg_source *src, const struct cg_rust_file *rf, const char *file_path,
				 TSNode fn, const void *(*match)(const char *full, void *payload), void *payload,
				 char **full);

#endif
