#ifndef CG_CRATE_CALLGRAPH_H
#define CG_CRATE_CALLGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crate/blocking.h"
#include "crate/summary.h"
#include "crate/workspace.h"

/*
 * The calls between the fns of one crate, and which fns may block: a fn
 * may block when its body makes a blocking call (crate/summary.h) or calls
 * a fn of the crate that may block, to a fixpoint (cycles included).
 *
 * A call is resolved to a fn of the same crate through the module tree
 * from the crate root (src/lib.rs, else src/main.rs; `mod x;` files as
 * Cargo finds them, inline modules, `#[path]`): `crate::…`, `self::…`,
 * `super::…`, a bare name of the same module, `Self::f` and `self.f()` on
 * the impl's type in the same file, `Type::f` on an impl in the module that
 * declares the type, names a module re-exports (`pub use self::x::f`), and
 * a trait's provided method on a parameter typed by the trait (`&dyn T`,
 * `impl T`, a bound; overriding impls are not looked for). Anything else
 * stays unresolved, never guessed: other crates, method calls on other
 * receivers, globs. Files are read through the change at its new revision
 * and parsed only when a resolution needs them; each file's summary is
 * kept for the run. Safe from several threads.
 */
struct cg_callgraph;

struct cg_chain_hop {
	char *name;    /* "load_config", "Store::load" */
	char *path;    /* the file it is defined in */
	uint32_t line; /* of its name */
};

struct cg_chain {
	struct cg_chain_hop *hops; /* the fn called first, then each fn it calls on the way */
	size_t n;
	char *what; /* the blocking call at the end ("std::fs::read_to_string") */
	char *what_path;
	uint32_t what_line;
};

/*
 * Whether call `call` of fn `caller`, both from a summary of `path` at
 * the change's new revision (of a tree that holds at least the caller),
 * reaches a blocking call through fns of the crate; then `out` holds the
 * chain (release with cg_chain_release). `list` must be the same for
 * every call of a run (the rule's config): summaries are kept.
 */
bool cg_callgraph_chain(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			const struct cg_summary_fn *caller, const struct cg_summary_call *call, struct cg_chain *out);
/*
 * The type of payload `index` of tuple variant `variant` of enum `type`
 * (named as for cg_callgraph_field), from the summary of the file that
 * declares the enum: from the crate root when the enum's file names a type
 * of its own module (`crate::fs::FileSource`), else as that file resolves
 * it (`std::sync::mpsc::Receiver`, `crate::x::Y`). Owned; NULL when not
 * found. *decl_path (borrowed, kept for the run) and *line: the payload's.
 */
char *cg_callgraph_payload(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			   const char *module, const char *type, const char *variant, unsigned index,
			   const char **decl_path, uint32_t *line);

void cg_chain_release(struct cg_chain *chain);

/* An async fn that reaches a helper's blocking call through a call in its body. */
struct cg_async_caller {
	char *path;    /* the async fn's file */
	char *name;    /* "reload", "Server::reload" */
	uint32_t line; /* of its call */
	char *through; /* the fn that call calls: the helper, or the first sync fn on the way to it */
};

/*
 * The async fns in the other files of the crate of `path` whose chain
 * (cg_callgraph_chain) ends at the blocking call on line `what_line` of fn
 * `fn` (an index into cg_callgraph_summary(path)), directly or through sync
 * fns of any file of the crate: the callers a change that adds that
 * blocking call makes block. A file is only summarized when its text names,
 * as a whole word, the helper or a sync fn found to reach it; files of
 * other crates (src/bin/ too) are never read. Sorted by path and line; test
 * fns are left out. Release with cg_async_callers_release.
 */
size_t cg_callgraph_async_callers(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
				  size_t fn, uint32_t what_line, struct cg_async_caller **out);
void cg_async_callers_release(struct cg_async_caller *callers, size_t n);

/*
 * Lends the call graph a parse of the whole of file `path` (its text at the
 * new revision, and cg_rust_file_new of it) while the calling thread's rule
 * reads it: a summary of that file needed meanwhile is built from it, not
 * from a second parse. All borrowed; cg_callgraph_lend(NULL, NULL, NULL)
 * ends the loan, before the tree is freed.
 */
void cg_callgraph_lend(const char *path, const struct cg_source *src, const struct cg_rust_file *rf);

/*
 * The summary of the whole file `path` at the change's new revision, as
 * the call graph reads it (not the rule's tree, which may hold only some
 * items): borrowed, kept for the run; NULL when it cannot be read.
 */
const struct cg_summary *cg_callgraph_summary(struct cg_crate_cache *cache, const struct cg_blocking_list *list,
					      const char *path);

/*
 * The return type (cg_summary_fn.ret_type, owned) of the crate fn that the
 * path call `callee` (resolved by the use map), written in inline module
 * `module` of file `path` outside any impl, resolves to; NULL when it does
 * not resolve or the type is unknown. *is_result: the type is inside a
 * `Result` or `Option`. Only a bare name makes the file itself be read.
 */
char *cg_callgraph_return_type(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			       const char *module, const char *callee, bool *is_result);

/*
 * The field `field` of struct `type`, named as the file `path` at inline
 * module `module` resolves it (`crate::model::Worker`, or `Worker` for a
 * struct of that module in the same file), from the summary of the file
 * that declares the struct: borrowed, kept for the run; NULL when the
 * struct or its field is not found (never guessed: another crate, globs).
 * *decl_path: that file (borrowed).
 */
const struct cg_summary_field *cg_callgraph_field(struct cg_crate_cache *cache, const struct cg_blocking_list *list,
						  const char *path, const char *module, const char *type,
						  const char *field, const char **decl_path);

#endif
