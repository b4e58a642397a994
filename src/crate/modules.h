#ifndef CG_CRATE_MODULES_H
#define CG_CRATE_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crate/workspace.h"
#include "util/buf.h"

/*
 * What a Rust module file declares for the modules below it: its `mod x;`
 * declarations (also those inside item macros) and its `pub use` items.
 * Scanned once per run, however many files below it ask: a crate root is
 * the parent of every top-level module.
 */
struct cg_module_decl {
	char *name;
	uint8_t visibility; /* as cg_item's: 2 `pub`, 1 `pub(crate)`, 0 private */
	bool is_cfg_test;   /* `#[cfg(test)] mod tests;` */
};

struct cg_module_file {
	char *path;
	bool is_read; /* false: absent or unreadable, nothing below is known */
	struct cg_module_decl *mods;
	size_t nmods;
	struct cg_buf uses; /* the text of each `pub use` item, a line each */
};

/* The module file at `path` (repository-relative), read and scanned on first use; never NULL. */
const struct cg_module_file *cg_crate_module_file(struct cg_crate_cache *cache, const char *path);
/*
 * The text of every `pub use` item (a line each) of the .rs files under
 * `dir` ("crates/a/src/": a crate's source folder), wherever they stand:
 * `pub mod dev { pub use crate::rmap::ResourceMap; }` re-exports from a
 * module that is no ancestor. With them, as `// exposed T;` lines, the
 * types a pub fn's or a pub trait fn's return type or a pub field names,
 * which users get hold of whatever module declares them. Asked once per run
 * and only when needed; kept in one cache entry per crate, re-read only for
 * the files whose blob changed. The items are found by their words, so one
 * in a comment counts too.
 */
const struct cg_buf *cg_crate_pub_uses(struct cg_crate_cache *cache, const char *dir);
/* How module `name` is declared in `mf`: 2 some declaration is `pub`, 1 all are narrower, 0 none is found. */
int cg_module_file_decl(const struct cg_module_file *mf, const char *name, size_t len);
/* Whether module `name` is declared in `mf`, every time under `#[cfg(test)]`. */
bool cg_module_file_decl_is_test(const struct cg_module_file *mf, const char *name, size_t len);

/*
 * Walks the way from the crate root down to the module of `path` (a .rs
 * file of `cr`'s library source folder), innermost first: for `a/b/c.rs`,
 * `c` as declared in a/b.rs (or a/b/mod.rs), then `b` in a.rs, then `a` in
 * the crate root. `step` gets each module's name and the file declaring it,
 * and returns false to stop. Returns false when `path` is no module file
 * below the crate's library root (the root itself, another folder).
 */
typedef bool (*cg_module_step_fn)(const char *name, size_t len, const struct cg_module_file *parent, void *payload);
bool cg_crate_module_way(struct cg_crate_cache *cache, const struct cg_crate *cr, const char *path,
			 cg_module_step_fn step, void *payload);
/* Whether some module on the way to `path` is declared only under `#[cfg(test)]`: its code is test code. */
bool cg_crate_file_is_cfg_test(struct cg_crate_cache *cache, const char *path);

#endif
