#ifndef CG_SYNTAX_RUST_H
#define CG_SYNTAX_RUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/syntax.h"

/*
 * What the rules share about one Rust file: its `use` declarations resolved
 * into a map from local names to full paths. Computed once per file.
 */
struct cg_use {
	char *local; /* the name in scope ("fs", "sleep", "Utc"); "*" for globs */
	char *path;  /* full path ("std::fs", "std::thread::sleep"); glob: the module */
	uint32_t line;
	TSNode decl; /* the use_declaration */
};

struct cg_rust_file {
	const struct cg_source *src;
	struct cg_use *uses;
	size_t nuses, cap;
};

/* Builds the use map of `src` (a parsed Rust file). Owned: cg_rust_file_free. */
struct cg_rust_file *cg_rust_file_new(const struct cg_source *src);
void cg_rust_file_free(struct cg_rust_file *rf);

/*
 * The full path a written path stands for: "fs::read" with `use std::fs`
 * gives "std::fs::read"; a leading "::" is dropped; unknown first segments
 * are kept as written. White space is removed. Caller frees.
 */
char *cg_rust_resolve(const struct cg_rust_file *rf, const char *written, size_t len);
/* The use entry that brings `name` into scope, or NULL. */
const struct cg_use *cg_rust_use_of(const struct cg_rust_file *rf, const char *name, size_t len);
/* Paths written with a node's text, white space removed (caller frees). */
char *cg_rust_path_text(const struct cg_source *src, TSNode node);
/* The first segment of a path ("chrono" for "::chrono::Utc::now"). */
size_t cg_rust_first_segment(const char *path, const char **start);

#endif
