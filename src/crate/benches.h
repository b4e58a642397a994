#ifndef CG_CRATE_BENCHES_H
#define CG_CRATE_BENCHES_H

#include <stdbool.h>

#include "crate/workspace.h"

/*
 * A crate's bench targets: Cargo's autobenches under benches/, [[bench]]
 * paths and the benches of workspace packages that depend on the crate, each
 * parsed once for the harness it runs on (criterion, divan) and the names it
 * uses.
 */

/* A bench target's root file or a module of it, and what it runs on. */
struct cg_bench_file {
	char *path;	     /* repository-relative */
	bool uses_criterion; /* criterion paths, criterion_group!/criterion_main! */
	bool uses_divan;     /* divan paths or #[divan::bench] */
	bool has_main_macro; /* criterion_main! or divan::main(): needs harness = false */
};

/*
 * Finds the crate's bench files (Cargo's autobenches under benches/,
 * [[bench]] paths, and the benches of workspace packages that depend on the
 * crate) and lists them in crate->bench_files. Once per crate per run; each
 * file is read once per run, when the functions below first ask about it.
 */
void cg_crate_benches(struct cg_crate_cache *cache, struct cg_crate *crate);
/*
 * True when `name` is among the identifiers the crate's benches name (not
 * the names their own items declare). After cg_crate_benches.
 */
bool cg_crate_bench_names(struct cg_crate_cache *cache, const struct cg_crate *crate, const char *name);
/*
 * True when the crate's benches name fn `name` by what it is, not only by
 * its name (rules.missing-bench `match: typed`): a method of type `owner`
 * through a path naming the type (`Owner::name`, `<Owner as Tr>::name`) or
 * a method call on a receiver whose type the bench shows (a constructor
 * bound by `let`, a typed `let`, a parameter); a free fn (owner NULL)
 * through a path from the crate (`krate::m::name`, or from a module a `use`
 * brings) or through its own `module` (`mpsc::name`, whatever crate
 * re-exports it; NULL: unknown), or a bare call when a `use` brings the name
 * or a glob of the crate's paths. Macro calls and variables never count.
 * After cg_crate_benches.
 */
bool cg_crate_bench_calls(struct cg_crate_cache *cache, const struct cg_crate *crate, const char *owner,
			  const char *module, const char *name);
/* The crate's own bench file at `path`, or NULL (after cg_crate_benches). Borrowed from the cache. */
const struct cg_bench_file *cg_crate_bench_file(struct cg_crate_cache *cache, const struct cg_crate *crate,
						const char *path);

#endif
