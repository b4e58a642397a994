#define _GNU_SOURCE
/*
 * missing-bench: every component created or changed gets a benchmark. A pub
 * fn of a library crate that the change adds, or whose body it changes, must
 * be named by one of the crate's bench files at the new revision; a crate's
 * benches must be able to run (criterion or divan as a dependency, and
 * `harness = false` for their targets).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "syntax/cargo.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* Crates that run benches with their own main, and so need `harness = false`. */
static const char *const harness_crates[] = { "criterion", "codspeed-criterion-compat", "divan", "codspeed-divan-compat",
					      NULL };

static bool is_harness_crate(const char *name)
{
	for (size_t i = 0; harness_crates[i]; i++) {
		const char *h = harness_crates[i];
		size_t n = strlen(h);
		bool same = strlen(name) == n;
		for (size_t k = 0; same && k < n; k++)
			same = name[k] == h[k] || (h[k] == '-' && name[k] == '_');
		if (same)
			return true;
	}
	return false;
}

/* A bench target sees [dependencies] and [dev-dependencies]; `criterion.workspace = true` counts by its key. */
static bool has_harness_dep(const struct cg_crate *cr)
{
	for (size_t i = 0; i < cr->manifest.ndeps; i++) {
		const struct cg_cargo_dep *d = &cr->manifest.deps[i];
		if (d->is_workspace_decl || d->kind == CG_DEP_BUILD)
			continue;
		if (is_harness_crate(d->key) || is_harness_crate(cg_cargo_dep_crate(d)))
			return true;
	}
	return false;
}

static struct cg_span span_of_pos(struct cg_cargo_pos p)
{
	struct cg_span s = { p.line, p.column, p.end_line, p.end_column };
	return s;
}

static void emit(struct cg_rule_ctx *ctx, struct cg_span span, const char *message, const char *help)
{
	struct cg_emit e = { 0 };
	e.span = span;
	e.message = message;
	e.help = help;
	cg_rule_emit(ctx, &e);
}

/* The path of a file relative to its crate's folder. */
static const char *crate_relative(const struct cg_crate *cr, const char *path)
{
	size_t n = strlen(cr->dir);
	return n ? path + n + 1 : path;
}

/* The repository path of the file a [[bench]] entry builds, or NULL when it is not there. */
static char *bench_target_file(struct cg_rule_ctx *ctx, const struct cg_crate *cr, const struct cg_cargo_bench *b)
{
	struct cg_buf rel = CG_BUF_INIT;
	char *full = NULL;

	if (b->path) {
		full = cg_cargo_join(cr->dir, b->path);
	} else if (b->name) {
		cg_buf_printf(&rel, "benches/%s.rs", b->name);
		full = cg_cargo_join(cr->dir, rel.ptr);
		if (full && !cg_change_exists(ctx->change, full)) {
			free(full);
			cg_buf_release(&rel);
			cg_buf_printf(&rel, "benches/%s/main.rs", b->name);
			full = cg_cargo_join(cr->dir, rel.ptr);
		}
	}
	cg_buf_release(&rel);
	return full;
}

/* ------------------------------------------------------------ manifests -- */

static int check_manifest(struct cg_rule_ctx *ctx)
{
	struct cg_crate *cr = ctx->cargo ? cg_cargo_crate_of(ctx->cargo, ctx->path) : NULL;
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;

	/* The manifest itself must be the crate's (not a virtual workspace's). */
	if (!cr || strcmp(cr->manifest_path, ctx->path))
		return 0;
	cg_cargo_benches(ctx->cargo, cr);
	if (cr->nown_bench_files && !has_harness_dep(cr)) {
		struct cg_cargo_pos at = cr->manifest.dev_deps_pos;
		if (!at.line && cr->manifest.nbenches)
			at = cr->manifest.benches[0].pos;
		if (!at.line)
			at = cr->manifest.package_pos;
		cg_buf_printf(&msg, "crate `%s` has benchmarks (%s%s) but neither criterion nor divan is a dependency of its "
				    "bench targets",
			      cr->manifest.package_name ? cr->manifest.package_name : cr->dir,
			      crate_relative(cr, cr->bench_files[0].path), cr->nown_bench_files > 1 ? ", ..." : "");
		cg_buf_puts(&help, "add `criterion = \"0.5\"` under [dev-dependencies] (or "
				   "`criterion = { package = \"codspeed-criterion-compat\", ... }`, or divan)");
		emit(ctx, span_of_pos(at.line ? at : (struct cg_cargo_pos){ 1, 1, 1, 2 }), msg.ptr, help.ptr);
	}
	for (size_t i = 0; i < cr->manifest.nbenches; i++) {
		const struct cg_cargo_bench *b = &cr->manifest.benches[i];
		char *file = bench_target_file(ctx, cr, b);
		const struct cg_bench_file *bf = file ? cg_cargo_bench_file(cr, file) : NULL;
		bool runs_own_main = bf ? bf->has_main_macro || bf->uses_criterion || bf->uses_divan : has_harness_dep(cr);
		if (runs_own_main && !(b->has_harness && !b->harness)) {
			cg_buf_release(&msg);
			cg_buf_release(&help);
			cg_buf_printf(&msg, "[[bench]] `%s` runs %s but does not set `harness = false`: `cargo bench` would run "
					    "libtest's harness instead and measure nothing",
				      b->name ? b->name : "?", bf && bf->uses_divan && !bf->uses_criterion ? "divan" : "criterion");
			cg_buf_puts(&help, "add `harness = false` to this [[bench]] entry");
			emit(ctx, span_of_pos(b->pos), msg.ptr, help.ptr);
		}
		free(file);
	}
	cg_buf_release(&msg);
	cg_buf_release(&help);
	return 0;
}

/* ---------------------------------------------------------- bench files -- */

struct harness_ref {
	const struct cg_source *src;
	TSNode first;     /* the first criterion/divan use */
	TSNode main_call; /* criterion_main! or divan::main() */
};

static bool starts_with_crate(const char *t, size_t len, const char *crate)
{
	size_t n = strlen(crate);
	if (len >= 2 && t[0] == ':' && t[1] == ':') {
		t += 2;
		len -= 2;
	}
	return len >= n && !strncmp(t, crate, n) && (len == n || t[n] == ':' || t[n] == ' ' || t[n] == '!');
}

static bool names_harness(const char *t, size_t len)
{
	return starts_with_crate(t, len, "criterion") || starts_with_crate(t, len, "codspeed_criterion_compat") ||
	       starts_with_crate(t, len, "divan") || starts_with_crate(t, len, "codspeed_divan_compat") ||
	       starts_with_crate(t, len, "criterion_group") || starts_with_crate(t, len, "criterion_main");
}

static int find_harness_ref(TSNode node, void *payload)
{
	struct harness_ref *h = payload;
	const char *type = ts_node_type(node);
	size_t len;
	const char *t;

	if (!strcmp(type, "line_comment") || !strcmp(type, "block_comment") || !strcmp(type, "string_literal"))
		return CG_WALK_SKIP;
	if (!strcmp(type, "use_declaration") || !strcmp(type, "macro_invocation") || !strcmp(type, "scoped_identifier") ||
	    !strcmp(type, "attribute_item")) {
		TSNode target = node;
		if (!strcmp(type, "use_declaration"))
			target = ts_node_child_by_field_name(node, "argument", 8);
		else if (!strcmp(type, "macro_invocation"))
			target = ts_node_child_by_field_name(node, "macro", 5);
		else if (!strcmp(type, "attribute_item") && ts_node_named_child_count(node))
			target = ts_node_named_child(node, 0);
		if (ts_node_is_null(target))
			return CG_WALK_ENTER;
		t = cg_node_text(h->src, target, &len);
		if (!strcmp(type, "attribute_item") && len && t[0] == '[') {
			t++;
			len--;
		}
		if (names_harness(t, len) && ts_node_is_null(h->first))
			h->first = node;
		if (!strcmp(type, "macro_invocation") && len >= 14 && !memcmp(t + len - 14, "criterion_main", 14))
			h->main_call = node;
		if (!strcmp(type, "use_declaration"))
			return CG_WALK_SKIP;
	}
	if (!strcmp(type, "call_expression")) {
		TSNode fn = ts_node_child_by_field_name(node, "function", 8);
		t = ts_node_is_null(fn) ? "" : cg_node_text(h->src, fn, &len);
		if (!ts_node_is_null(fn) && len >= 6 && !memcmp(t + len - 6, "::main", 6) && names_harness(t, len))
			h->main_call = node;
	}
	return CG_WALK_ENTER;
}

static int check_bench_file(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct cg_bench_file *bf)
{
	struct harness_ref h = { .src = ctx->src };
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	const char *harness = bf->uses_criterion ? "criterion" : "divan";

	if (!bf->uses_criterion && !bf->uses_divan)
		return 0;
	cg_walk(cg_source_root(ctx->src), find_harness_ref, &h);
	if (!has_harness_dep(cr) && !ts_node_is_null(h.first)) {
		cg_buf_printf(&msg, "this bench uses %s, but %s does not list it as a dependency", harness, cr->manifest_path);
		cg_buf_printf(&help, "add `%s = \"%s\"` under [dev-dependencies] in %s", harness,
			      bf->uses_criterion ? "0.5" : "0.1", cr->manifest_path);
		emit(ctx, cg_span_of(h.first), msg.ptr, help.ptr);
	}
	if (bf->has_main_macro && !ts_node_is_null(h.main_call)) {
		bool has_entry = false;
		for (size_t i = 0; i < cr->manifest.nbenches && !has_entry; i++) {
			char *file = bench_target_file(ctx, cr, &cr->manifest.benches[i]);
			has_entry = file && !strcmp(file, ctx->path);
			free(file);
		}
		/* An entry without harness = false is reported on the manifest, where the fix goes. */
		if (!has_entry) {
			const char *stem = strrchr(ctx->path, '/');
			struct cg_buf name = CG_BUF_INIT;
			stem = stem ? stem + 1 : ctx->path;
			if (!strcmp(stem, "main.rs")) {
				const char *end = strrchr(ctx->path, '/');
				const char *start = end;
				while (start > ctx->path && start[-1] != '/')
					start--;
				cg_buf_put(&name, start, (size_t)(end - start));
			} else {
				cg_buf_put(&name, stem, strlen(stem) - (cg_ends_with(stem, ".rs") ? 3 : 0));
			}
			cg_buf_release(&msg);
			cg_buf_release(&help);
			cg_buf_printf(&msg, "%s runs its own main, but no [[bench]] entry in %s sets `harness = false` for it",
				      harness, cr->manifest_path);
			cg_buf_printf(&help, "add to %s:\n[[bench]]\nname = \"%s\"\nharness = false", cr->manifest_path, name.ptr);
			emit(ctx, cg_span_of(h.main_call), msg.ptr, help.ptr);
			cg_buf_release(&name);
		}
	}
	cg_buf_release(&msg);
	cg_buf_release(&help);
	return 0;
}

/* ------------------------------------------------------------- pub fns -- */

/* A test file by its place: a tests/ folder, tests.rs, *_test.rs, *_tests.rs. */
static bool is_test_path(const char *rel)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (cg_starts_with(rel, "tests/") || strstr(rel, "/tests/"))
		return true;
	return !strcmp(base, "tests.rs") || !strcmp(base, "test.rs") || cg_ends_with(base, "_test.rs") ||
	       cg_ends_with(base, "_tests.rs");
}

/* A file of the library target: under its folder (src/ by default), not a binary's. */
static bool is_lib_source(const struct cg_crate *cr, const char *rel)
{
	const char *lib = cr->manifest.lib_path ? cr->manifest.lib_path : "src/lib.rs";
	const char *slash = strrchr(lib, '/');
	size_t n = slash ? (size_t)(slash - lib) : 0;

	if (cg_starts_with(lib, "./")) {
		lib += 2;
		n = n >= 2 ? n - 2 : 0;
	}
	if (n && (strncmp(rel, lib, n) || rel[n] != '/'))
		return false;
	if (!strcmp(rel, "src/main.rs") || cg_starts_with(rel, "src/bin/") || !strcmp(rel, "build.rs"))
		return false;
	return !cg_starts_with(rel, "benches/") && !cg_starts_with(rel, "examples/");
}

/* 2 for `pub`, 1 for `pub(crate)`, 0 for anything narrower or private. */
static int visibility_of(const struct cg_source *src, TSNode item)
{
	for (uint32_t i = 0; i < ts_node_named_child_count(item); i++) {
		TSNode c = ts_node_named_child(item, i);
		char *t;
		int level = 0;
		if (!cg_node_type_is(c, "visibility_modifier"))
			continue;
		t = cg_node_strdup(src, c);
		{
			/* White space inside `pub ( crate )` is allowed. */
			char *w = t;
			for (char *r = t; *r; r++)
				if (*r != ' ' && *r != '\t' && *r != '\n' && *r != '\r')
					*w++ = *r;
			*w = '\0';
		}
		if (!strcmp(t, "pub"))
			level = 2;
		else if (!strcmp(t, "pub(crate)") || !strcmp(t, "crate"))
			level = 1;
		free(t);
		return level;
	}
	return 0;
}

/* The attributes written before an item (doc comments may sit between them). */
static bool has_attr(const struct cg_source *src, TSNode item, bool (*pred)(const struct cg_source *, TSNode))
{
	for (TSNode p = ts_node_prev_named_sibling(item); !ts_node_is_null(p); p = ts_node_prev_named_sibling(p)) {
		if (cg_node_type_is(p, "attribute_item")) {
			if (pred(src, p))
				return true;
		} else if (!cg_node_type_is(p, "line_comment") && !cg_node_type_is(p, "block_comment")) {
			break;
		}
	}
	return false;
}

/* #[cfg(test)], #[cfg(all(test, ..))]; not #[cfg(not(test))]. */
static bool is_cfg_test_attr(const struct cg_source *src, TSNode attr_item)
{
	TSNode attr = ts_node_named_child_count(attr_item) ? ts_node_named_child(attr_item, 0) : (TSNode){ 0 };
	TSNode name = ts_node_is_null(attr) ? attr : ts_node_named_child(attr, 0);
	TSNode args = ts_node_is_null(attr) ? attr : ts_node_child_by_field_name(attr, "arguments", 9);
	bool has_test = false, has_not = false;

	if (ts_node_is_null(name) || ts_node_is_null(args) || !cg_node_is(src, name, "cfg"))
		return false;
	/* Token trees nest: walk them with an explicit stack. */
	{
		TSNode stack[64];
		size_t n = 0;
		stack[n++] = args;
		while (n) {
			TSNode tt = stack[--n];
			for (uint32_t i = 0; i < ts_node_named_child_count(tt); i++) {
				TSNode c = ts_node_named_child(tt, i);
				if (cg_node_type_is(c, "token_tree") && n < 64)
					stack[n++] = c;
				else if (cg_node_is(src, c, "test"))
					has_test = true;
				else if (cg_node_is(src, c, "not"))
					has_not = true;
			}
		}
	}
	return has_test && !has_not;
}

static bool is_test_fn_attr(const struct cg_source *src, TSNode attr_item)
{
	size_t len;
	const char *t;
	TSNode attr = ts_node_named_child_count(attr_item) ? ts_node_named_child(attr_item, 0) : (TSNode){ 0 };
	TSNode name = ts_node_is_null(attr) ? attr : ts_node_named_child(attr, 0);
	if (ts_node_is_null(name))
		return false;
	t = cg_node_text(src, name, &len);
	/* #[test], #[bench], #[tokio::test], #[rstest], ... */
	return (len >= 4 && !memcmp(t + len - 4, "test", 4)) || (len == 5 && !memcmp(t, "bench", 5)) ||
	       is_cfg_test_attr(src, attr_item);
}

/* Types of this file with their visibility, to tell a pub type's inherent impl. */
struct type_vis {
	char *name;
	int level;
};

struct file_scan {
	struct cg_rule_ctx *ctx;
	struct type_vis *types;
	size_t ntypes, types_cap;
};

static int collect_types(TSNode node, void *payload)
{
	struct file_scan *fs = payload;
	const char *type = ts_node_type(node);
	if (!strcmp(type, "struct_item") || !strcmp(type, "enum_item") || !strcmp(type, "union_item") ||
	    !strcmp(type, "type_item")) {
		TSNode name = ts_node_child_by_field_name(node, "name", 4);
		if (!ts_node_is_null(name)) {
			cg_array_grow((void **)&fs->types, &fs->types_cap, fs->ntypes + 1, sizeof(*fs->types));
			fs->types[fs->ntypes].name = cg_node_strdup(fs->ctx->src, name);
			fs->types[fs->ntypes].level = visibility_of(fs->ctx->src, node);
			fs->ntypes++;
		}
		return CG_WALK_SKIP;
	}
	/* Types are items: they live in modules and blocks, not inside expressions worth the walk. */
	if (!strcmp(type, "line_comment") || !strcmp(type, "block_comment") || !strcmp(type, "string_literal"))
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

/* The type name of an impl: `Foo` of `impl<T> Foo<T>` or `impl crate::x::Foo`. */
static char *impl_type_name(const struct cg_source *src, TSNode impl)
{
	TSNode t = ts_node_child_by_field_name(impl, "type", 4);
	while (!ts_node_is_null(t) && (cg_node_type_is(t, "generic_type") || cg_node_type_is(t, "scoped_type_identifier"))) {
		TSNode inner = cg_node_type_is(t, "generic_type") ? ts_node_child_by_field_name(t, "type", 4)
								    : ts_node_child_by_field_name(t, "name", 4);
		t = inner;
	}
	return ts_node_is_null(t) ? NULL : cg_node_strdup(src, t);
}

struct candidate {
	TSNode fn;
	char *owner; /* the impl's type, or NULL for a free fn */
};

struct item_work {
	TSNode container;
	char *owner;     /* the impl's type while in an impl body */
};

/* Collects the checked functions: pub free fns and pub fns of inherent impls of pub types, outside tests. */
static void collect_candidates(struct file_scan *fs, int min_level, struct candidate **out, size_t *nout, size_t *cap)
{
	const struct cg_source *src = fs->ctx->src;
	struct item_work *stack = NULL;
	size_t n = 0, scap = 0;

	cg_array_grow((void **)&stack, &scap, 1, sizeof(*stack));
	stack[n++] = (struct item_work){ cg_source_root(src), NULL };
	while (n) {
		struct item_work w = stack[--n];
		uint32_t count = ts_node_named_child_count(w.container);
		for (uint32_t i = 0; i < count; i++) {
			TSNode c = ts_node_named_child(w.container, i);
			const char *type = ts_node_type(c);
			if (!strcmp(type, "inner_attribute_item") && !w.owner) {
				/* #![cfg(test)] makes the whole module a test module. */
				TSNode attr = ts_node_named_child_count(c) ? ts_node_named_child(c, 0) : (TSNode){ 0 };
				if (!ts_node_is_null(attr) && is_cfg_test_attr(src, c))
					break;
			} else if (!strcmp(type, "mod_item") && !w.owner) {
				TSNode body = ts_node_child_by_field_name(c, "body", 4);
				if (!ts_node_is_null(body) && !has_attr(src, c, is_cfg_test_attr)) {
					cg_array_grow((void **)&stack, &scap, n + 1, sizeof(*stack));
					stack[n++] = (struct item_work){ body, NULL };
				}
			} else if (!strcmp(type, "impl_item") && !w.owner) {
				TSNode body = ts_node_child_by_field_name(c, "body", 4);
				char *name;
				int level = 2;
				/* Trait impls implement someone else's interface: benchmarks go with the trait's users. */
				if (!ts_node_is_null(ts_node_child_by_field_name(c, "trait", 5)) || ts_node_is_null(body) ||
				    has_attr(src, c, is_cfg_test_attr))
					continue;
				name = impl_type_name(src, c);
				if (!name)
					continue;
				/* A type defined elsewhere is taken as public: only this file is parsed. */
				for (size_t k = 0; k < fs->ntypes; k++)
					if (!strcmp(fs->types[k].name, name))
						level = fs->types[k].level;
				if (level < min_level) {
					free(name);
					continue;
				}
				cg_array_grow((void **)&stack, &scap, n + 1, sizeof(*stack));
				stack[n++] = (struct item_work){ body, name };
			} else if (!strcmp(type, "function_item")) {
				if (visibility_of(src, c) < min_level || has_attr(src, c, is_test_fn_attr))
					continue;
				cg_array_grow((void **)out, cap, *nout + 1, sizeof(**out));
				(*out)[*nout].fn = c;
				(*out)[*nout].owner = cg_strdup(w.owner);
				(*nout)++;
			}
		}
		free(w.owner);
	}
	free(stack);
}

static bool skipped_name(const struct cg_conf_node *rc, const char *name)
{
	const struct cg_conf_node *names = cg_conf_child(rc, "skip_names");
	for (size_t i = 0; names && i < names->nkids; i++)
		if (names->kids[i]->value && cg_glob_match(names->kids[i]->value, name))
			return true;
	return false;
}

static void emit_missing(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct candidate *c, const char *name)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT, full = CG_BUF_INIT;
	const char *crate = cr->manifest.package_name ? cr->manifest.package_name : cr->dir;

	if (c->owner)
		cg_buf_printf(&full, "%s::%s", c->owner, name);
	else
		cg_buf_puts(&full, name);
	cg_buf_printf(&msg, "pub fn `%s` is new or changed, and no benchmark of crate `%s` calls it", full.ptr, crate);
	if (!cr->nbench_files)
		cg_buf_printf(&help, "crate `%s` has no benchmarks yet: add benches/%s.rs with a criterion bench that calls "
				     "`%s`, criterion under [dev-dependencies] and a [[bench]] entry with `harness = false`; "
				     "or list the name in rules.missing-bench.skip_names",
			      crate, name, full.ptr);
	else
		cg_buf_printf(&help, "call `%s` from one of the crate's benches (e.g. %s), for instance "
				     "`c.bench_function(\"%s\", |b| b.iter(|| %s(black_box(..))))`; or list the name in "
				     "rules.missing-bench.skip_names",
			      full.ptr, cr->bench_files[0].path, name, full.ptr);
	emit(ctx, cg_span_of(c->fn), msg.ptr, help.ptr);
	cg_buf_release(&msg);
	cg_buf_release(&help);
	cg_buf_release(&full);
}

static int check_pub_fns(struct cg_rule_ctx *ctx, struct cg_crate *cr)
{
	struct file_scan fs = { ctx, NULL, 0, 0 };
	struct candidate *cands = NULL;
	size_t ncands = 0, cap = 0;
	const char *vis = cg_conf_str(ctx->rule_cfg, "visibility", "pub");
	int min_level = !strcmp(vis, "pub(crate)") ? 1 : 2;

	cg_walk(cg_source_root(ctx->src), collect_types, &fs);
	collect_candidates(&fs, min_level, &cands, &ncands, &cap);
	for (size_t i = 0; i < ncands; i++) {
		TSNode name_node = ts_node_child_by_field_name(cands[i].fn, "name", 4);
		char *name = ts_node_is_null(name_node) ? NULL : cg_node_strdup(ctx->src, name_node);
		/* Every candidate is reported; the pass's filter keeps those with changed lines. */
		if (name && !skipped_name(ctx->rule_cfg, name)) {
			cg_cargo_benches(ctx->cargo, cr);
			if (!cg_cargo_bench_names(cr, name))
				emit_missing(ctx, cr, &cands[i], name);
		}
		free(name);
		free(cands[i].owner);
	}
	free(cands);
	for (size_t i = 0; i < fs.ntypes; i++)
		free(fs.types[i].name);
	free(fs.types);
	return 0;
}

/* Under benches/, or the file of a [[bench]] entry: cheap, before any bench scan. */
static bool is_bench_path(struct cg_rule_ctx *ctx, const struct cg_crate *cr, const char *rel)
{
	if (cg_starts_with(rel, "benches/"))
		return true;
	for (size_t i = 0; i < cr->manifest.nbenches; i++) {
		char *file = bench_target_file(ctx, cr, &cr->manifest.benches[i]);
		bool same = file && !strcmp(file, ctx->path);
		free(file);
		if (same)
			return true;
	}
	return false;
}

static int check_rust(struct cg_rule_ctx *ctx)
{
	struct cg_crate *cr = ctx->cargo ? cg_cargo_crate_of(ctx->cargo, ctx->path) : NULL;
	const char *rel;
	const struct cg_bench_file *bf;

	if (!cr)
		return 0;
	rel = crate_relative(cr, ctx->path);
	if (is_bench_path(ctx, cr, rel)) {
		cg_cargo_benches(ctx->cargo, cr);
		bf = cg_cargo_bench_file(cr, ctx->path);
		return bf ? check_bench_file(ctx, cr, bf) : 0;
	}
	if (!cr->is_library || !is_lib_source(cr, rel) || is_test_path(rel))
		return 0;
	return check_pub_fns(ctx, cr);
}

/*
 * Files of no library crate, tests, and sources without `pub` and `fn` cannot
 * have a finding: decided from the crate model (cached) and the bytes, so the
 * pass skips parsing them.
 */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	struct cg_crate *cr;
	const char *rel;

	if (ctx->kind != CG_KIND_RUST)
		return true;
	cr = ctx->cargo ? cg_cargo_crate_of(ctx->cargo, ctx->path) : NULL;
	if (!cr)
		return false;
	rel = crate_relative(cr, ctx->path);
	if (is_bench_path((struct cg_rule_ctx *)ctx, cr, rel))
		return true;
	if (!cr->is_library || !is_lib_source(cr, rel) || is_test_path(rel))
		return false;
	return memmem(text, len, "pub", 3) && memmem(text, len, "fn", 2);
}

static int check(struct cg_rule_ctx *ctx)
{
	if (ctx->kind == CG_KIND_CARGO_TOML)
		return check_manifest(ctx);
	if (ctx->kind == CG_KIND_RUST)
		return check_rust(ctx);
	return 0;
}

const struct cg_rule cg_rule_missing_bench = {
	.id = "missing-bench",
	.default_severity = CG_SEV_WARNING,
	.summary = "new or changed pub fns of a library have a benchmark",
	.explain = "Every component created or changed gets a criterion benchmark. For each library\n"
		   "crate the change touches, every `pub fn` (free, or in an inherent impl of a pub\n"
		   "type) that the change adds or whose body it changes must be named - called, used\n"
		   "as a path, or called as a method - by a file of that crate's benchmarks at the\n"
		   "new revision: benches/**/*.rs, the files of [[bench]] entries, and the benches of\n"
		   "workspace packages that depend on the crate. Adding the bench in the same commit\n"
		   "is enough.\n"
		   "\n"
		   "Not checked: #[cfg(test)] code and test files, binaries (src/main.rs, src/bin/),\n"
		   "trait impls, functions named in `rules.missing-bench.skip_names` (new, default),\n"
		   "and paths in `rules.missing-bench.skip`. `visibility: pub(crate)` widens the rule.\n"
		   "\n"
		   "The crate's benches must also run: criterion (or its codspeed-criterion-compat\n"
		   "rename, or divan) must be a dependency, and each criterion [[bench]] must set\n"
		   "`harness = false`.\n"
		   "\n"
		   "Bad (src/lib.rs, no bench names it):\n"
		   "    pub fn parse_interval(spec: &str) -> Option<u64> { .. }\n"
		   "\n"
		   "Good (benches/parse.rs, with [[bench]] name = \"parse\", harness = false):\n"
		   "    use criterion::{black_box, criterion_group, criterion_main, Criterion};\n"
		   "    fn bench(c: &mut Criterion) {\n"
		   "        c.bench_function(\"parse_interval\", |b| b.iter(|| ticker::parse_interval(black_box(\"5s\"))));\n"
		   "    }\n"
		   "    criterion_group!(benches, bench);\n"
		   "    criterion_main!(benches);\n",
	.wants = CG_KIND_RUST | CG_KIND_CARGO_TOML,
	.check = check,
	.may_fire = may_fire,
};
