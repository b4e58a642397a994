#define _GNU_SOURCE
/*
 * thiserror-errors (off by default): a public error enum whose
 * `std::error::Error` impl is written by hand, with its Display impl and
 * From conversions beside it, is boilerplate that drifts from the variants.
 * Suggests `#[derive(thiserror::Error)]`. Only enums the same file defines
 * are known to be enums, and only those the crate's users can name: every
 * module on the way from the crate root is `pub`, or a `pub use` brings the
 * enum or a private module on that way out.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/gate.h"
#include "rules/rule.h"
#include "crate/workspace.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	char **enums;	    /* names of the file's `pub enum`s */
	TSNode *enum_items; /* and their items */
	size_t nenums, cap, items_cap;
};

static int collect_enum(TSNode node, void *payload)
{
	struct walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_ENUM_ITEM) {
		TSNode name = cg_child(node, CG_F_NAME);
		TSNode vis = ts_node_named_child(node, 0);
		/* `pub` only: pub(crate) and narrower are not the crate's API. */
		if (!ts_node_is_null(name) && cg_node_kind(vis) == CG_K_VISIBILITY_MODIFIER &&
		    cg_node_is(w->ctx->src, vis, "pub")) {
			cg_array_grow((void **)&w->enums, &w->cap, w->nenums + 1, sizeof(*w->enums));
			cg_array_grow((void **)&w->enum_items, &w->items_cap, w->nenums + 1, sizeof(*w->enum_items));
			w->enum_items[w->nenums] = node;
			w->enums[w->nenums++] = cg_node_strdup(w->ctx->src, name);
		}
		return CG_WALK_SKIP;
	}
	/* Enums are items: in the file, in modules, rarely in function bodies. */
	if (kind == CG_K_SOURCE_FILE || kind == CG_K_MOD_ITEM || kind == CG_K_DECLARATION_LIST ||
	    kind == CG_K_FUNCTION_ITEM || kind == CG_K_BLOCK)
		return CG_WALK_ENTER;
	return CG_WALK_SKIP;
}

/* The file's `pub enum` of that name, or a null node. */
static TSNode pub_enum(const struct walk *w, const char *name, size_t len)
{
	for (size_t i = 0; i < w->nenums; i++)
		if (strlen(w->enums[i]) == len && !memcmp(w->enums[i], name, len))
			return w->enum_items[i];
	return (TSNode){ 0 };
}

static const void *std_error(const char *path, void *payload)
{
	(void)payload;
	return !strcmp(path, "std::error::Error") || !strcmp(path, "core::error::Error") ? path : NULL;
}

/* `std::error::Error` as the trait of an impl, through the `use`s in scope (and globs). */
static bool is_std_error(const struct walk *w, TSNode trait)
{
	char *full = NULL;
	bool is_error;

	if (cg_node_kind(trait) == CG_K_GENERIC_TYPE) /* never for Error, but harmless */
		trait = cg_child(trait, CG_F_TYPE);
	if (ts_node_is_null(trait))
		return false;
	is_error = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, trait, std_error, NULL, &full) != NULL;
	free(full);
	return is_error;
}

struct names {
	char **at;
	size_t n, cap;
};

static void names_add(struct names *names, const char *s, size_t len)
{
	cg_array_grow((void **)&names->at, &names->cap, names->n + 1, sizeof(*names->at));
	names->at[names->n++] = cg_strndup(s, len);
}

static void names_release(struct names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->at[i]);
	free(names->at);
}

/*
 * How file module `name` is declared at the top of the parent module file
 * `parent` (`mod name;` also inside an item macro): 2 some declaration is
 * `pub`, 1 all are narrower, 0 none is found or the file cannot be read
 * (then nothing is known: `#[path]`, generated code).
 */
static int mod_decl_visibility(const struct cg_change *change, const char *parent, const char *name)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_items items = CG_ITEMS_INIT;
	int vis = 0;
	if (cg_change_read(change, parent, &text) == 0 && cg_items_scan_expanded(&items, text.ptr, text.size) == 0) {
		for (size_t i = 0; i < items.n && vis < 2; i++) {
			const struct cg_item *it = &items.items[i];
			uint32_t p = it->parent;
			while (p != CG_ITEM_TOP && items.items[p].kind == CG_ITEM_OTHER)
				p = items.items[p].parent;
			if (it->kind == CG_ITEM_MOD_DECL && p == CG_ITEM_TOP && it->name_len == strlen(name) &&
			    !memcmp(text.ptr + it->name, name, it->name_len))
				vis = it->visibility == 2 ? 2 : 1;
		}
	}
	cg_items_release(&items);
	cg_buf_release(&text);
	cg_error_clear();
	return vis;
}

static int collect_rs(const char *path, void *payload)
{
	struct names *paths = payload;
	if (cg_ends_with(path, ".rs"))
		names_add(paths, path, strlen(path));
	return 0;
}

/*
 * Module `name` as what a use item brings (`inner::*`, `private as
 * public`, `self::{a, private}`), not as a step to something else
 * (`codegen::Options`).
 */
static bool use_ends_at(const char *text, size_t len, const char *name)
{
	size_t wlen = strlen(name);
	const char *p = text, *end = text + len, *hit;
	while ((hit = memmem(p, (size_t)(end - p), name, wlen)) != NULL) {
		const char *q = hit + wlen;
		p = hit + 1;
		if ((hit > text && cg_is_ident_byte(hit[-1])) || (q < end && cg_is_ident_byte(*q)))
			continue;
		while (q < end && (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r'))
			q++;
		if (q == end || *q == ';' || *q == ',' || *q == '}' || (end - q >= 3 && !memcmp(q, "::*", 3)) ||
		    (end - q >= 3 && !memcmp(q, "as", 2) && !cg_is_ident_byte(q[2])))
			return true;
	}
	return false;
}

/*
 * A use item that imports the enum through its own modules (`use
 * crate::error::Error;`, `use error::{Error, Kind};`), not another crate's
 * module of the same name (`use std::error::Error;`): a segment before a
 * module of `chain` is another of them, `crate`, `self` or `super`.
 */
static bool use_imports(const char *text, size_t len, const struct names *chain, const char *name)
{
	for (size_t k = 0; k < chain->n; k++) {
		const char *m = chain->at[k], *p = text, *end = text + len, *hit;
		size_t mlen = strlen(m);
		while ((hit = memmem(p, (size_t)(end - p), m, mlen)) != NULL) {
			const char *q = hit + mlen, *b = hit, *s;
			bool is_ours = true;
			p = hit + 1;
			if ((hit > text && cg_is_ident_byte(hit[-1])) || end - q < 2 || memcmp(q, "::", 2))
				continue;
			if (b - text >= 2 && !memcmp(b - 2, "::", 2)) {
				for (s = b - 2; s > text && cg_is_ident_byte(s[-1]); s--)
					;
				is_ours = (b - 2 - s == 5 && !memcmp(s, "crate", 5)) ||
					  (b - 2 - s == 4 && !memcmp(s, "self", 4)) ||
					  (b - 2 - s == 5 && !memcmp(s, "super", 5));
				for (size_t j = 0; j < chain->n && !is_ours; j++)
					is_ours = (size_t)(b - 2 - s) == strlen(chain->at[j]) &&
						  !memcmp(s, chain->at[j], (size_t)(b - 2 - s));
			}
			if (is_ours && cg_has_word(q, (size_t)(end - q), name, strlen(name)))
				return true;
		}
	}
	return false;
}

/*
 * Whether the crate lets its users reach the enum `name`: a `pub use`
 * names it or brings out one of the private modules on its way, chain[0,
 * nbelow) (`pub use inner::*`, `pub use private as public`); or a file
 * other than its own (`path`) imports it with a `use`, from where it can
 * stand in a public signature (`type Error = Error;` in a pub trait impl).
 * Any `pub use` anywhere counts, re-exported further or not: unsure is
 * public.
 */
static bool is_reexported(const struct cg_change *change, const char *src_dir, const char *path,
			  const struct names *chain, size_t nbelow, const char *name, size_t len)
{
	struct names paths = { 0 };
	char *enum_name = cg_strndup(name, len);
	bool is = false;
	/* The paths first: the listing holds the change's lock, the reads below take it again one by one. */
	if (cg_change_list(change, src_dir, collect_rs, &paths) < 0)
		is = true;
	cg_error_clear();
	for (size_t f = 0; f < paths.n && !is; f++) {
		struct cg_buf text = CG_BUF_INIT;
		struct cg_items items = CG_ITEMS_INIT;
		bool is_own = !strcmp(paths.at[f], path);
		if (cg_change_read(change, paths.at[f], &text) == 0 && memmem(text.ptr, text.size, "use", 3) &&
		    cg_items_scan_expanded(&items, text.ptr, text.size) == 0) {
			for (size_t i = 0; i < items.n && !is; i++) {
				const struct cg_item *it = &items.items[i];
				const char *t = text.ptr + it->decl;
				size_t tlen = it->end - it->decl;
				if (it->kind != CG_ITEM_USE)
					continue;
				if (it->visibility == 2) {
					is = cg_has_word(t, tlen, enum_name, strlen(enum_name));
					for (size_t k = 0; k < nbelow && !is; k++)
						is = use_ends_at(t, tlen, chain->at[k]);
				} else if (!is_own) {
					is = use_imports(t, tlen, chain, enum_name);
				}
			}
		}
		cg_error_clear();
		cg_items_release(&items);
		cg_buf_release(&text);
	}
	names_release(&paths);
	free(enum_name);
	return is;
}

/*
 * Whether the crate's users can name the `pub enum` at `item`: false only
 * when a module on its way from the crate root is narrower than `pub` (an
 * inline `mod` around it, or a `mod x;` in a parent module file, found by
 * Cargo's layout: src/a/b.rs is `mod b;` in src/a.rs or src/a/mod.rs) and
 * no `pub use` brings the enum or that module out. Unknown is public: a
 * file outside src/ or its binaries, a declaration not found.
 */
static bool is_reachable(const struct walk *w, TSNode item, const char *name, size_t len)
{
	const struct cg_crate *cr = w->ctx->cargo ? cg_crate_of(w->ctx->cargo, w->ctx->path) : NULL;
	struct cg_buf src_dir = CG_BUF_INIT, parent = CG_BUF_INIT;
	struct names names = { 0 };
	const char *rel;
	bool is = true;
	/* names: the modules on the enum's way, innermost first; [0, nbelow) up to the outermost private one */
	size_t n, start, nbelow = 0;

	/* Inline modules, innermost first: once one is private, every name from it down may be re-exported. */
	for (TSNode m = ts_node_parent(item); !ts_node_is_null(m); m = ts_node_parent(m)) {
		TSNode vis, mname;
		const char *t;
		if (cg_node_kind(m) != CG_K_MOD_ITEM)
			continue;
		vis = ts_node_named_child(m, 0);
		mname = cg_child(m, CG_F_NAME);
		if (ts_node_is_null(mname))
			goto done;
		t = cg_node_text(w->ctx->src, mname, &n);
		names_add(&names, t, n);
		if (cg_node_kind(vis) != CG_K_VISIBILITY_MODIFIER || !cg_node_is(w->ctx->src, vis, "pub"))
			nbelow = names.n;
	}
	if (!cr)
		goto done;
	cg_buf_printf(&src_dir, "%s%ssrc/", cr->dir, *cr->dir ? "/" : "");
	if (!cg_starts_with(w->ctx->path, src_dir.ptr) || !cg_ends_with(w->ctx->path, ".rs"))
		goto done;
	rel = w->ctx->path + src_dir.size;
	if (!strcmp(rel, "lib.rs") || !strcmp(rel, "main.rs") || cg_starts_with(rel, "bin/"))
		goto check;
	/* rel's segments: a/b/c.rs (or a/b/c/mod.rs) is declared as `mod c;` in a/b.rs or a/b/mod.rs. */
	n = strlen(rel) - 3 - (cg_ends_with(rel, "/mod.rs") ? 4 : 0);
	while (n) {
		char *seg;
		int vis;
		start = n;
		while (start && rel[start - 1] != '/')
			start--;
		seg = cg_strndup(rel + start, n - start);
		cg_buf_truncate(&parent, 0);
		if (!start) {
			cg_buf_printf(&parent, "%slib.rs", src_dir.ptr);
		} else {
			cg_buf_printf(&parent, "%s%.*s.rs", src_dir.ptr, (int)(start - 1), rel);
			if (!cg_change_exists(w->ctx->change, parent.ptr)) {
				cg_buf_truncate(&parent, 0);
				cg_buf_printf(&parent, "%s%.*s/mod.rs", src_dir.ptr, (int)(start - 1), rel);
			}
		}
		vis = mod_decl_visibility(w->ctx->change, parent.ptr, seg);
		names_add(&names, seg, strlen(seg));
		free(seg);
		if (!vis)
			goto done;
		if (vis == 1)
			nbelow = names.n;
		n = start ? start - 1 : 0;
	}
check:
	if (nbelow)
		is = is_reexported(w->ctx->change, src_dir.ptr, w->ctx->path, &names, nbelow, name, len);
done:
	names_release(&names);
	cg_buf_release(&src_dir);
	cg_buf_release(&parent);
	return is;
}

static void report(struct walk *w, TSNode impl, TSNode type, const char *name, size_t len)
{
	struct cg_buf msg = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	TSPoint s = ts_node_start_point(impl), t = ts_node_end_point(type);

	cg_buf_printf(&msg,
		      "public error enum `%.*s` implements std::error::Error by hand; derive it with "
		      "`#[derive(thiserror::Error)]`",
		      (int)len, name);
	e.span = (struct cg_span){ s.row + 1, s.column + 1, t.row + 1, t.column + 1 };
	e.message = msg.ptr;
	e.help = "put `#[error(\"...\")]` on each variant (it writes Display), `#[from]` or `#[source]` on wrapped "
		 "errors (they write From and source()), and delete the hand-written impls";
	cg_rule_emit(w->ctx, &e);
	cg_buf_release(&msg);
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_IMPL_ITEM) {
		TSNode trait = cg_child(node, CG_F_TRAIT);
		TSNode self = cg_child(node, CG_F_TYPE);
		TSNode base = self, item;
		size_t len;
		const char *name;

		if (!ts_node_is_null(base) && cg_node_kind(base) == CG_K_GENERIC_TYPE)
			base = cg_child(base, CG_F_TYPE);
		if (ts_node_is_null(trait) || ts_node_is_null(base) || cg_node_kind(base) != CG_K_TYPE_IDENTIFIER)
			return CG_WALK_SKIP;
		name = cg_node_text(w->ctx->src, base, &len);
		item = pub_enum(w, name, len);
		if (!ts_node_is_null(item) && is_std_error(w, trait) && is_reachable(w, item, name, len))
			report(w, node, self, name, len);
		return CG_WALK_SKIP;
	}
	if (kind == CG_K_SOURCE_FILE || kind == CG_K_MOD_ITEM || kind == CG_K_DECLARATION_LIST ||
	    kind == CG_K_FUNCTION_ITEM || kind == CG_K_BLOCK)
		return CG_WALK_ENTER;
	return CG_WALK_SKIP;
}

/* Before parsing: an impl of Error for an enum spells all three words. */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	(void)ctx;
	return memmem(text, len, "Error", 5) && memmem(text, len, "impl", 4) && memmem(text, len, "enum", 4);
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { ctx, ctx->file_data, NULL, NULL, 0, 0, 0 };
	int err = 0;

	if (!w.rf)
		goto done;
	cg_walk(cg_source_root(ctx->src), collect_enum, &w);
	if (w.nenums)
		err = cg_walk(cg_source_root(ctx->src), visit, &w);
done:
	for (size_t i = 0; i < w.nenums; i++)
		free(w.enums[i]);
	free(w.enums);
	free(w.enum_items);
	return err;
}

const struct cg_rule cg_rule_thiserror_errors = {
	.id = "thiserror-errors",
	.default_severity = CG_SEV_NOTE,
	.is_opt_in = true,
	.summary = "public error enums derive thiserror::Error instead of hand-written impls",
	.explain = "A public error enum with hand-written `Display`, `std::error::Error` and `From`\n"
		   "impls is boilerplate that drifts from its variants: a new variant gets a vague\n"
		   "message, `source()` forgets the wrapped error. `#[derive(thiserror::Error)]`\n"
		   "writes all three from attributes on the variants, and adds nothing to the\n"
		   "public API (callers still see a plain enum implementing std::error::Error).\n"
		   "\n"
		   "Reported on `impl std::error::Error for E` (or `impl Error for E` where `Error`\n"
		   "is std's, through `use`) when E is a `pub enum` of the same file that the\n"
		   "crate's users can reach: every module on its way from the crate root is `pub`,\n"
		   "or a `pub use` brings out E or the private module, or another file imports E\n"
		   "with a `use` (from where a public signature can show it). Off by default: turn\n"
		   "it on with `rules.thiserror-errors.enabled: true`.\n"
		   "\n"
		   "Bad:\n"
		   "    pub enum LoadError { Io(std::io::Error), Empty }\n"
		   "    impl std::fmt::Display for LoadError { /* a match per variant */ }\n"
		   "    impl std::error::Error for LoadError {}\n"
		   "\n"
		   "Good:\n"
		   "    #[derive(Debug, thiserror::Error)]\n"
		   "    pub enum LoadError {\n"
		   "        #[error(\"reading the file failed\")]\n"
		   "        Io(#[from] std::io::Error),\n"
		   "        #[error(\"the file is empty\")]\n"
		   "        Empty,\n"
		   "    }\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
};
