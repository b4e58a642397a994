#ifndef CG_SYNTAX_RUST_H
#define CG_SYNTAX_RUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/syntax.h"

/*
 * What the rules share about one Rust file: its `use` declarations resolved
 * into a map from local names to full paths, the inline modules they live
 * in, and the names of the functions the file defines. Computed once per
 * file. Only this file is known: what another file of the crate defines or
 * re-exports is not (a path into it stays as written, `crate::…`).
 */
struct cg_use {
	char *local; /* the name in scope ("fs", "sleep", "Utc"); "*" for globs */
	char *path;  /* full path ("std::fs", "std::thread::sleep"); glob: the module */
	uint32_t line;
	TSNode decl;			 /* the use_declaration (or extern_crate_declaration for `as` aliases) */
	uint32_t scope_start, scope_end; /* bytes of the block or module body it is visible in */
	size_t module;			 /* index into cg_rust_file.modules */
};

struct cg_rust_module {
	char *path;	     /* "self" (this file's module), "self::sys", "self::sys::tests" */
	uint32_t start, end; /* bytes of the body (the whole file for the root) */
	size_t parent;	     /* index; the root (0) is its own parent */
	bool has_super_glob; /* holds `use super::*` */
};

struct cg_rust_file {
	const struct cg_source *src;
	struct cg_use *uses;
	size_t nuses, cap;
	struct cg_rust_module *modules; /* [0] is the file itself, path "self" */
	size_t nmodules, modules_cap;
	char **fns; /* names of every `fn` item in the file (any module, any depth), sorted */
	size_t nfns, fns_cap;
	/* cg_items_scan of the whole file a partial tree came with (borrowed, as long as rf); NULL for a whole parse.
	 */
	const struct cg_items *items;
	/* Private indexes: uses by local name, modules by (parent, name). */
	const struct cg_use **uses_by_name;
	const struct cg_rust_module **modules_by_name;
};

/* Builds the use map of `src` (a parsed Rust file). Owned: cg_rust_file_free. */
struct cg_rust_file *cg_rust_file_new(const struct cg_source *src);
struct cg_items;
/*
 * The use map of a tree that holds part of the file (cg_source_parse_ranges
 * over every use declaration and the modules around them, plus some items):
 * the fn names come from `items` too (cg_items_scan of the whole file), so
 * cg_rust_defines_fn also knows the fns of the items left out.
 */
struct cg_rust_file *cg_rust_file_new_partial(const struct cg_source *src, const struct cg_items *items);
void cg_rust_file_free(struct cg_rust_file *rf);

/*
 * The full path a written path stands for: "fs::read" with `use std::fs`
 * gives "std::fs::read"; a leading "::" is dropped; unknown first segments
 * are kept as written. White space is removed. Ignores scopes: the last
 * declaration of a name in the file wins. Caller frees.
 */
char *cg_rust_resolve(const struct cg_rust_file *rf, const char *written, size_t len);

/*
 * Like cg_rust_resolve, but as seen at byte `at` of the file: only `use`
 * declarations whose block or module encloses `at` count, the innermost
 * first; a module sees its parent's names only through `use super::*`;
 * `self::` and `super::` paths and re-exports between the file's inline
 * modules (`mod sys { pub use std::fs; }` ... `sys::fs::read`) are
 * followed; generic arguments (`Vec::<u8>::new`) are dropped. A path into
 * another file of the crate stays as written (`crate::…`), and so does a
 * qualified path (`<T as Trait>::f`), white space removed. Caller frees.
 */
char *cg_rust_resolve_at(const struct cg_rust_file *rf, uint32_t at, const char *written, size_t len);
/*
 * cg_rust_resolve_at for a file known to be, or not to be, a crate root
 * (cg_rust_path_is_crate_root). Only in a crate root does `crate::x` name
 * this file's `x`; elsewhere a `crate::…` path stays as written, and the
 * file's own inline modules come back as `self::m::…` (resolve_at always
 * assumes a module file). In a crate root they come back as `crate::m::…`.
 */
char *cg_rust_resolve_scoped(const struct cg_rust_file *rf, uint32_t at, const char *written, size_t len,
			     bool is_crate_root);
/* src/lib.rs, src/main.rs, src/bin/x.rs, tests/x.rs, benches/, examples/, build.rs (any workspace depth). */
bool cg_rust_path_is_crate_root(const char *path);

/*
 * The modules glob-imported where byte `at` is (`use std::thread::*` gives
 * "std::thread"), innermost scope first, resolved like cg_rust_resolve_at;
 * globs of the file's own modules are left out (resolve_at follows those).
 * *out is an owned array of owned strings; returns the count.
 */
size_t cg_rust_globs_at(const struct cg_rust_file *rf, uint32_t at, char ***out);
void cg_rust_strings_free(char **list, size_t n);

/* True when the file defines a `fn` with this name anywhere. */
bool cg_rust_defines_fn(const struct cg_rust_file *rf, const char *name, size_t len);

/* The use entry that brings `name` into scope, or NULL. */
const struct cg_use *cg_rust_use_of(const struct cg_rust_file *rf, const char *name, size_t len);
/* Paths written with a node's text, white space removed (caller frees). */
char *cg_rust_path_text(const struct cg_source *src, TSNode node);
/* The first segment of a path ("chrono" for "::chrono::Utc::now"). */
size_t cg_rust_first_segment(const char *path, const char **start);
/*
 * The last segment of the `len` bytes of a path ("criterion_main" of
 * "criterion::criterion_main"), borrowed from it; its length in *seg_len
 * when that is not NULL.
 */
const char *cg_rust_last_segment(const char *path, size_t len, size_t *seg_len);

/* The function a call_expression calls, generic arguments dropped (`a::<T>(..)` gives `a`). */
TSNode cg_rust_call_function(TSNode call);

/*
 * Whether `holder`, a parent of `n`, has n's value as its own: parentheses,
 * or a block whose tail expression n is (`spawn_blocking({ let a = a.clone();
 * move || … })` hands the closure on).
 */
bool cg_rust_passes_value(TSNode holder, TSNode n);

/* `e` without the borrows and parentheses around it (`&(x)` gives `x`). */
TSNode cg_rust_strip_refs(TSNode e);

/*
 * Test code. cg_rust_attr_is_test: an attribute_item marking a test function
 * (`#[test]`, `#[tokio::test]`, `#[rstest]`, any `…::test`, `#[test_case(…)]`,
 * `#[bench]`). cg_rust_attr_is_cfg_test: `#[cfg(test)]` or `#![cfg(test)]`,
 * or a predicate that holds only in a test build: a feature named for tests
 * (`feature = "test-util"`), `all(…)` with one such part, `any(…)` whose
 * every part is one (`any(test, feature = "test-utils")`, not
 * `any(feature = "std", test)`), never under `not(…)`.
 * cg_rust_path_is_test: a file under tests/, benches/ or examples/ (at any
 * depth of a workspace), or a build.rs.
 */
bool cg_rust_attr_is_test(const struct cg_source *src, TSNode attr_item);
bool cg_rust_attr_is_cfg_test(const struct cg_source *src, TSNode attr_item);
/* The same test on a cfg attribute's arguments as written, parentheses included: `(any(test, …))`. */
bool cg_rust_cfg_is_test(const char *args, size_t len);
/*
 * A word that says "for tests" (test, testing, testkit, mock, mocking, fake,
 * any case), and a name with one between its `-`/`_` (`nu-plugin-test-support`,
 * `test-util`; not `attest`, `mockingbird`).
 */
bool cg_rust_is_test_word(const char *w, size_t n);
bool cg_rust_name_says_tests(const char *name, size_t len);
bool cg_rust_path_is_test(const char *path);

#endif
