#define _GNU_SOURCE
/*
 * thiserror-errors (off by default): a public error enum whose
 * `std::error::Error` impl is written by hand, with its Display impl and
 * From conversions beside it, is boilerplate that drifts from the variants.
 * Suggests `#[derive(thiserror::Error)]`. Only enums the same file defines
 * are known to be enums.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/gate.h"
#include "rules/rule.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	char **enums; /* names of the file's `pub enum`s */
	size_t nenums, cap;
};

static int collect_enum(TSNode node, void *payload)
{
	struct walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_ENUM_ITEM) {
		TSNode name = ts_node_child_by_field_name(node, "name", 4);
		TSNode vis = ts_node_named_child(node, 0);
		/* `pub` only: pub(crate) and narrower are not the crate's API. */
		if (!ts_node_is_null(name) && cg_node_kind(vis) == CG_K_VISIBILITY_MODIFIER &&
		    cg_node_is(w->ctx->src, vis, "pub")) {
			cg_array_grow((void **)&w->enums, &w->cap, w->nenums + 1, sizeof(*w->enums));
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

static bool is_pub_enum(const struct walk *w, const char *name, size_t len)
{
	for (size_t i = 0; i < w->nenums; i++)
		if (strlen(w->enums[i]) == len && !memcmp(w->enums[i], name, len))
			return true;
	return false;
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
		trait = ts_node_child_by_field_name(trait, "type", 4);
	if (ts_node_is_null(trait))
		return false;
	is_error = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, trait, std_error, NULL, &full) != NULL;
	free(full);
	return is_error;
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
		TSNode trait = ts_node_child_by_field_name(node, "trait", 5);
		TSNode self = ts_node_child_by_field_name(node, "type", 4);
		TSNode base = self;
		size_t len;
		const char *name;

		if (!ts_node_is_null(base) && cg_node_kind(base) == CG_K_GENERIC_TYPE)
			base = ts_node_child_by_field_name(base, "type", 4);
		if (ts_node_is_null(trait) || ts_node_is_null(base) || cg_node_kind(base) != CG_K_TYPE_IDENTIFIER)
			return CG_WALK_SKIP;
		name = cg_node_text(w->ctx->src, base, &len);
		if (is_pub_enum(w, name, len) && is_std_error(w, trait))
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
	struct walk w = { ctx, ctx->file_data, NULL, 0, 0 };
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
		   "is std's, through `use`) when E is a `pub enum` of the same file. Off by\n"
		   "default: turn it on with `rules.thiserror-errors.enabled: true`.\n"
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
