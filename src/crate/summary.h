#ifndef CG_CRATE_SUMMARY_H
#define CG_CRATE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crate/blocking.h"
#include "syntax/rust.h"
#include "syntax/syntax.h"

/*
 * What one Rust file's fns do, from one parse: the crate model's unit
 * (issue 18). Per fn its name, the type of the impl or the trait it sits
 * in, whether it is async, the calls its body makes, and the calls in it
 * that block as blocking-in-async decides them (crate/blocking.h). A
 * closure handed to a wrapper (`spawn_blocking`, …) leaves the thread, so
 * what it calls is left out; so are nested items and async blocks and
 * closures (their futures run wherever they are awaited). Macro bodies are
 * not read, and a method call is matched only by name (`.blocking_lock()`
 * entries): receiver types are the rule's walk's business, but for `self`'s
 * fields, whose types the summary of the struct's file gives (`fields`).
 * `pub use` re-exports are kept so calls through them can be followed.
 */
enum cg_call_kind {
	CG_CALL_PATH,	     /* f(..), a::b::f(..), Self::f(..), Type::f(..) */
	CG_CALL_SELF_METHOD, /* self.f(..) */
	CG_CALL_METHOD,	     /* x.f(..) on another receiver */
};

struct cg_summary_call {
	enum cg_call_kind kind;
	/*
	 * Path calls: as resolved by the file's use map (cg_rust_resolve_scoped:
	 * `crate::config::load`, `super::x::f`, `self::m::f`, `Self::f`, `f`).
	 * Methods: the method's name.
	 */
	char *path;
	/*
	 * Methods: the field of `self` the receiver reads (`rx` of `self.rx.recv()`,
	 * also through `.lock()`, `.unwrap()` and the like), else NULL.
	 */
	char *recv_field;
	/*
	 * Methods on a parameter typed by a trait (`x: &dyn T`, `Box<dyn T>`,
	 * `impl T`, a generic with the bound `T`): the trait, resolved through
	 * the use map; else NULL.
	 */
	char *recv_trait;
	uint32_t line;	     /* 1-based */
	uint32_t start, end; /* bytes of the callee (the path, or the method's name) */
};

struct cg_summary_block {
	char *what; /* the blocking call as shown ("std::fs::read_to_string") */
	uint32_t line;
	uint32_t start;
};

struct cg_summary_fn {
	char *name;
	char *impl_type; /* the impl's self type's last segment, the trait's name, or NULL for a free fn */
	char *module;	 /* the inline module it is in, as the use map names it ("self", "self::m") */
	bool is_trait;	 /* a trait's provided method */
	bool is_test;	 /* #[test]-like, or in a #[cfg(test)] module or impl */
	bool is_async;
	/*
	 * Its body was read: calls and blocks are all there. False when the
	 * summary was built without it (enum cg_summary_bodies), and then both
	 * are empty until a reader fills them from a parse of the fn.
	 */
	bool is_body_read;
	/*
	 * The return type resolved like a field's (cg_summary_field.type), inside
	 * a `Result` or `Option` when is_ret_result; NULL when not a path or `Self`.
	 */
	char *ret_type;
	bool is_ret_result;
	uint32_t line;	     /* of the name */
	uint32_t start, end; /* bytes of the fn item */
	struct cg_summary_call *calls;
	size_t ncalls, calls_cap;
	struct cg_summary_block *blocks;
	size_t nblocks, blocks_cap;
};

/*
 * A named field of a struct, for typing `self.field` in the struct's impls
 * wherever they are; or the Nth payload of an enum's tuple variant, for
 * typing what a pattern `Source::File(f)` binds.
 */
struct cg_summary_field {
	char *owner;  /* the struct's or the enum's name */
	char *module; /* its inline module ("self", "self::m") */
	char *name;   /* the field's; a payload's is `Variant.N` (`File.0`), no field's name */
	/*
	 * The field's type resolved through the file's use map, with the
	 * wrappers a method call reaches through (`Arc`, `Rc`, `Box`, `Mutex`,
	 * `RwLock`) taken off: `std::sync::mpsc::Receiver` for
	 * `Arc<Mutex<Receiver<T>>>`.
	 */
	char *type;
	uint32_t line;
};

/* A `pub use` (any `pub(..)`) of one name, not a glob: calls through the module's re-exports. */
struct cg_summary_reexport {
	char *name;   /* the name it brings into the module */
	char *path;   /* the path it names, as the use map resolves it */
	char *module; /* the inline module it sits in */
};

struct cg_summary {
	struct cg_summary_fn *fns; /* in source order */
	size_t nfns, fns_cap;
	struct cg_summary_field *fields;
	size_t nfields, fields_cap;
	struct cg_summary_reexport *reexports;
	size_t nreexports, reexports_cap;
};

/* Which fn bodies cg_summary_build reads; the others are listed with no calls. */
enum cg_summary_bodies {
	CG_BODIES_ALL,
	CG_BODIES_ASYNC, /* for a caller that wants only what async fns call */
	/*
	 * None: the fns' names, signatures and places, the fields and the
	 * re-exports, from a tree that may hold every fn with its body left out
	 * (the crate model's outline of a file, crate/callgraph.c).
	 */
	CG_BODIES_NONE,
};

/*
 * Summarizes a parsed file `src` with its use map `rf`; `is_crate_root`
 * as for cg_rust_resolve_scoped. Release with cg_summary_release.
 */
int cg_summary_build(struct cg_summary *out, const struct cg_source *src, const struct cg_rust_file *rf,
		     const struct cg_blocking_list *list, bool is_crate_root, enum cg_summary_bodies bodies);
/*
 * The summary of `len` bytes of Rust `text` with no fn body read
 * (CG_BODIES_NONE): a parse of the items it reads with every fn's body
 * left out, a fraction of a whole parse. Bodies the parse holds anyway (a
 * file not well-formed enough to part, or one that is mostly bodiless
 * items, is parsed whole) are read. `items` is cg_items_scan's of the text,
 * or NULL to scan it here (so is it below).
 */
int cg_summary_build_outline(struct cg_summary *out, const char *text, size_t len, const struct cg_items *items,
			     const struct cg_blocking_list *list, bool is_crate_root);
/*
 * Reads the bodies of `s`'s fns `which` (n indices, ascending, of fns not
 * read yet) from one parse of those fns and the file's use declarations:
 * their calls and blocks come out as cg_summary_build's over the whole
 * file. `s` is cg_summary_build_outline's of the same text.
 */
int cg_summary_read_bodies(struct cg_summary *s, const char *text, size_t len, const struct cg_items *items,
			   const struct cg_blocking_list *list, bool is_crate_root, const size_t *which, size_t n);
void cg_summary_release(struct cg_summary *s);

/* The innermost inline module of `rf` around byte `at`, as the use map names it ("self", "self::m"); borrowed. */
const char *cg_summary_module_at(const struct cg_rust_file *rf, uint32_t at);

#endif
