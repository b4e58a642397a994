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
#include "syntax/rust.h"
#include "crate/benches.h"
#include "crate/modules.h"
#include "syntax/items.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* Crates that run benches with their own main, and so need `harness = false`. */
static const char *const harness_crates[] = { "criterion", "codspeed-criterion-compat", "divan",
					      "codspeed-divan-compat", NULL };

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
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		if (d->is_workspace_decl || d->kind == CG_DEP_BUILD)
			continue;
		if (is_harness_crate(d->key) || is_harness_crate(cg_crate_dep_crate(d)))
			return true;
	}
	return false;
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
static char *bench_target_file(struct cg_rule_ctx *ctx, const struct cg_crate *cr, const struct cg_crate_bench *b)
{
	struct cg_buf rel = CG_BUF_INIT;
	char *full = NULL;

	if (b->path) {
		full = cg_crate_join(cr->dir, b->path);
	} else if (b->name) {
		cg_buf_printf(&rel, "benches/%s.rs", b->name);
		full = cg_crate_join(cr->dir, rel.ptr);
		if (full && !cg_change_exists(ctx->change, full)) {
			free(full);
			cg_buf_release(&rel);
			cg_buf_printf(&rel, "benches/%s/main.rs", b->name);
			full = cg_crate_join(cr->dir, rel.ptr);
		}
	}
	cg_buf_release(&rel);
	return full;
}

/* ------------------------------------------------------------ manifests -- */

static int check_manifest(struct cg_rule_ctx *ctx)
{
	struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;

	/* The manifest itself must be the crate's (not a virtual workspace's). */
	if (!cr || strcmp(cr->manifest_path, ctx->path))
		return 0;
	cg_crate_benches(ctx->cargo, cr);
	if (cr->nown_bench_files && !has_harness_dep(cr)) {
		struct cg_crate_pos at = cr->manifest.dev_deps_pos;
		if (!at.line && cr->manifest.nbenches)
			at = cr->manifest.benches[0].pos;
		if (!at.line)
			at = cr->manifest.package_pos;
		cg_buf_printf(&msg,
			      "crate `%s` has benchmarks (%s%s) but neither criterion nor divan is a dependency of its "
			      "bench targets",
			      cr->manifest.package_name ? cr->manifest.package_name : cr->dir,
			      crate_relative(cr, cr->bench_files[0]), cr->nown_bench_files > 1 ? ", ..." : "");
		cg_buf_puts(&help, "add `criterion = \"0.5\"` under [dev-dependencies] (or "
				   "`criterion = { package = \"codspeed-criterion-compat\", ... }`, or divan)");
		emit(ctx, cg_span_of_pos(at.line ? at : (struct cg_crate_pos){ 1, 1, 1, 2 }), msg.ptr, help.ptr);
	}
	for (size_t i = 0; i < cr->manifest.nbenches; i++) {
		const struct cg_crate_bench *b = &cr->manifest.benches[i];
		char *file = bench_target_file(ctx, cr, b);
		const struct cg_bench_file *bf = file ? cg_crate_bench_file(ctx->cargo, cr, file) : NULL;
		bool runs_own_main =
			bf ? bf->has_main_macro || bf->uses_criterion || bf->uses_divan : has_harness_dep(cr);
		if (runs_own_main && !(b->has_harness && !b->harness)) {
			cg_buf_release(&msg);
			cg_buf_release(&help);
			cg_buf_printf(
				&msg,
				"[[bench]] `%s` runs %s but does not set `harness = false`: `cargo bench` would run "
				"libtest's harness instead and measure nothing",
				b->name ? b->name : "?",
				bf && bf->uses_divan && !bf->uses_criterion ? "divan" : "criterion");
			cg_buf_puts(&help, "add `harness = false` to this [[bench]] entry");
			emit(ctx, cg_span_of_pos(b->pos), msg.ptr, help.ptr);
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
	TSNode first;	  /* the first criterion/divan use */
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
	enum cg_kind kind = cg_node_kind(node);
	size_t len;
	const char *t;

	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL)
		return CG_WALK_SKIP;
	if (kind == CG_K_USE_DECLARATION || kind == CG_K_MACRO_INVOCATION || kind == CG_K_SCOPED_IDENTIFIER ||
	    kind == CG_K_ATTRIBUTE_ITEM) {
		TSNode target = node;
		if (kind == CG_K_USE_DECLARATION)
			target = cg_child(node, CG_F_ARGUMENT);
		else if (kind == CG_K_MACRO_INVOCATION)
			target = cg_child(node, CG_F_MACRO);
		else if (kind == CG_K_ATTRIBUTE_ITEM && ts_node_named_child_count(node))
			target = ts_node_named_child(node, 0);
		if (ts_node_is_null(target))
			return CG_WALK_ENTER;
		t = cg_node_text(h->src, target, &len);
		if (kind == CG_K_ATTRIBUTE_ITEM && len && t[0] == '[') {
			t++;
			len--;
		}
		if (names_harness(t, len) && ts_node_is_null(h->first))
			h->first = node;
		if (kind == CG_K_MACRO_INVOCATION && len >= 14 && !memcmp(t + len - 14, "criterion_main", 14))
			h->main_call = node;
		if (kind == CG_K_USE_DECLARATION)
			return CG_WALK_SKIP;
	}
	if (kind == CG_K_CALL_EXPRESSION) {
		TSNode fn = cg_child(node, CG_F_FUNCTION);
		t = ts_node_is_null(fn) ? "" : cg_node_text(h->src, fn, &len);
		if (!ts_node_is_null(fn) && len >= 6 && !memcmp(t + len - 6, "::main", 6) && names_harness(t, len))
			h->main_call = node;
	}
	return CG_WALK_ENTER;
}

/* Whether a [[bench]] entry of the crate names this file. */
static bool has_bench_entry(struct cg_rule_ctx *ctx, const struct cg_crate *cr)
{
	bool has_entry = false;
	for (size_t i = 0; i < cr->manifest.nbenches && !has_entry; i++) {
		char *file = bench_target_file(ctx, cr, &cr->manifest.benches[i]);
		has_entry = file && !strcmp(file, ctx->path);
		free(file);
	}
	return has_entry;
}

/*
 * Whether the harness uses in bench file `bf` can be reported: the harness
 * is no dependency of the crate, or the file runs its own main and has no
 * [[bench]] entry. Otherwise the file's tree has nothing to tell.
 */
static bool may_report_harness(struct cg_rule_ctx *ctx, const struct cg_crate *cr, const struct cg_bench_file *bf)
{
	if (!bf->uses_criterion && !bf->uses_divan)
		return false;
	return !has_harness_dep(cr) || (bf->has_main_macro && !has_bench_entry(ctx, cr));
}

static int check_bench_file(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct cg_bench_file *bf)
{
	struct harness_ref h = { .src = ctx->src };
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	const char *harness = bf->uses_criterion ? "criterion" : "divan";

	/* Without may_report_harness the pass may hand over a tree of only some items (plan.c). */
	if (!ctx->src->tree || !may_report_harness(ctx, cr, bf))
		return 0;
	cg_walk(cg_source_root(ctx->src), find_harness_ref, &h);
	if (!has_harness_dep(cr) && !ts_node_is_null(h.first)) {
		cg_buf_printf(&msg, "this bench uses %s, but %s does not list it as a dependency", harness,
			      cr->manifest_path);
		cg_buf_printf(&help, "add `%s = \"%s\"` under [dev-dependencies] in %s", harness,
			      bf->uses_criterion ? "0.5" : "0.1", cr->manifest_path);
		emit(ctx, cg_span_of(h.first), msg.ptr, help.ptr);
	}
	/* An entry without harness = false is reported on the manifest, where the fix goes. */
	if (bf->has_main_macro && !ts_node_is_null(h.main_call)) {
		if (!has_bench_entry(ctx, cr)) {
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
			cg_buf_printf(
				&msg,
				"%s runs its own main, but no [[bench]] entry in %s sets `harness = false` for it",
				harness, cr->manifest_path);
			cg_buf_printf(&help, "add to %s:\n[[bench]]\nname = \"%s\"\nharness = false", cr->manifest_path,
				      name.ptr);
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

/*
 * A source of a library's API: not a test, and not of a proc-macro crate,
 * which exports its macros alone (no other crate can call its fns).
 */
static bool is_api_source(const struct cg_crate *cr, const char *rel)
{
	return cr->is_library && !cr->manifest.is_proc_macro && is_lib_source(cr, rel) && !is_test_path(rel);
}

/*
 * The candidates come from the item scanner, not a parse tree: a library
 * source is never parsed for this rule (the pass runs it on the text and
 * line index alone), which was most of a full scan's time.
 */

/* What the items of a container can hold: candidates of a module, of an impl, or none. */
enum scope { SCOPE_NONE, SCOPE_MOD, SCOPE_IMPL };

/*
 * This file's types (struct, enum, union, type) by name, to tell the
 * visibility of the type an impl is for. Sorted by name, then by place: of
 * several types of one name, the last counts.
 */
struct type_index {
	const char *text;
	const struct cg_items *items;
	uint32_t *idx;
	size_t n;
};

static int cmp_name(const char *text, const struct cg_item *a, const char *name, size_t len)
{
	int c = memcmp(text + a->name, name, a->name_len < len ? a->name_len : len);
	return c ? c : (a->name_len > len) - (a->name_len < len);
}

static int cmp_type(const void *a, const void *b, void *payload)
{
	const struct type_index *ti = payload;
	const struct cg_item *x = &ti->items->items[*(const uint32_t *)a];
	const struct cg_item *y = &ti->items->items[*(const uint32_t *)b];
	int c = cmp_name(ti->text, x, ti->text + y->name, y->name_len);
	return c ? c : (x > y) - (x < y);
}

static void type_index_build(struct type_index *ti, const struct cg_items *items, const char *text)
{
	ti->text = text;
	ti->items = items;
	ti->idx = cg_calloc(items->n ? items->n : 1, sizeof(*ti->idx));
	ti->n = 0;
	for (size_t k = 0; k < items->n; k++) {
		const struct cg_item *t = &items->items[k];
		/* A trait's `type A;` declares an associated type, not a type of the file. */
		if (t->kind == CG_ITEM_TYPE && t->name_len &&
		    (t->parent == CG_ITEM_TOP || items->items[t->parent].kind != CG_ITEM_TRAIT))
			ti->idx[ti->n++] = (uint32_t)k;
	}
	qsort_r(ti->idx, ti->n, sizeof(*ti->idx), cmp_type, ti);
}

/* The visibility of the type an impl is for; a type defined elsewhere is taken as public (only this file is read). */
/* The type item `impl` is for, in this file (of several of its name, the last), or NULL. */
static const struct cg_item *type_index_find(const struct type_index *ti, const struct cg_item *impl)
{
	size_t lo = 0, hi = ti->n;
	const char *name = ti->text + impl->name;
	/* The first entry past the name; the one before it is the name's last. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_name(ti->text, &ti->items->items[ti->idx[mid]], name, impl->name_len) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && !cmp_name(ti->text, &ti->items->items[ti->idx[lo - 1]], name, impl->name_len))
		return &ti->items->items[ti->idx[lo - 1]];
	return NULL;
}

static int type_index_level(const struct type_index *ti, const struct cg_item *impl)
{
	const struct cg_item *type = type_index_find(ti, impl);
	return type ? type->visibility : 2;
}

/* A span like tree-sitter's for the bytes [start, end): 1-based lines and columns in bytes, end exclusive. */
static struct cg_span span_of_bytes(const struct cg_source *src, uint32_t start, uint32_t end)
{
	uint32_t line = cg_source_line_of(src, start), end_line = cg_source_line_of(src, end);
	struct cg_span s = { line, start - src->line_starts[line - 1] + 1, end_line,
			     end - src->line_starts[end_line - 1] + 1 };
	return s;
}

static bool skipped_name(const struct cg_conf_node *rc, const char *name)
{
	const struct cg_conf_node *names = cg_conf_child(rc, "skip_names");
	for (size_t i = 0; names && i < names->nkids; i++)
		if (names->kids[i]->value && cg_glob_match(names->kids[i]->value, name))
			return true;
	return false;
}

/* A candidate no bench names, held back while a crate without benches gathers them into one finding. */
struct missing {
	const struct cg_item *fn;
	char *name, *full; /* `name`, `Owner::name` */
};

struct missing_list {
	struct missing *items;
	size_t n, cap;
};

static void emit_missing(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct cg_item *fn, const char *name,
			 const char *full_name)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT, full = CG_BUF_INIT;
	const char *crate = cr->manifest.package_name ? cr->manifest.package_name : cr->dir;

	cg_buf_puts(&full, full_name);
	/* Under --all every file counts as added, but nothing is new: say only what is missing. */
	if (ctx->change->source == CG_SOURCE_ALL)
		cg_buf_printf(&msg, "pub fn `%s` has no benchmark: none of crate `%s` calls it", full.ptr, crate);
	else
		cg_buf_printf(&msg, "pub fn `%s` is new or changed, and no benchmark of crate `%s` calls it", full.ptr,
			      crate);
	if (!cr->nbench_files)
		cg_buf_printf(&help,
			      "crate `%s` has no benchmarks yet: add benches/%s.rs with a criterion bench that calls "
			      "`%s`, criterion under [dev-dependencies] and a [[bench]] entry with `harness = false`; "
			      "or list the name in rules.missing-bench.skip_names",
			      crate, name, full.ptr);
	else
		cg_buf_printf(&help,
			      "call `%s` from one of the crate's benches (e.g. %s), for instance "
			      "`c.bench_function(\"%s\", |b| b.iter(|| %s(black_box(..))))`; or list the name in "
			      "rules.missing-bench.skip_names",
			      full.ptr, cr->bench_files[0], name, full.ptr);
	emit(ctx, span_of_bytes(ctx->src, fn->decl, fn->end), msg.ptr, help.ptr);
	cg_buf_release(&msg);
	cg_buf_release(&help);
	cg_buf_release(&full);
}

/* How many fns one finding names before it says "and N more". */
#define GROUP_LISTED 10

/*
 * A crate without any benchmark: one finding for the file's unbenched fns,
 * at the first of them, rather than the same help once per fn.
 */
static void emit_missing_group(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct missing_list *ml)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	const char *crate = cr->manifest.package_name ? cr->manifest.package_name : cr->dir;
	const struct cg_item *fn = ml->items[0].fn;

	if (ml->n == 1) {
		emit_missing(ctx, cr, fn, ml->items[0].name, ml->items[0].full);
		return;
	}
	cg_buf_printf(&msg, "crate `%s` has no benchmarks at all, and %zu pub fns of this file %s: ", crate, ml->n,
		      ctx->change->source == CG_SOURCE_ALL ? "have none" : "are new or changed");
	for (size_t i = 0; i < ml->n && i < GROUP_LISTED; i++)
		cg_buf_printf(&msg, "%s`%s`", i ? ", " : "", ml->items[i].full);
	if (ml->n > GROUP_LISTED)
		cg_buf_printf(&msg, " and %zu more", ml->n - GROUP_LISTED);
	cg_buf_printf(&help,
		      "add benches/%s.rs with criterion benches that call them, criterion under "
		      "[dev-dependencies] and a [[bench]] entry with `harness = false`; or list the names in "
		      "rules.missing-bench.skip_names",
		      crate);
	emit(ctx, span_of_bytes(ctx->src, fn->decl, fn->end), msg.ptr, help.ptr);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

/*
 * The file before the change, scanned once and only when a candidate's lines
 * changed: to tell an edit of a body's tokens from one of its comments.
 */
struct old_file {
	bool is_read, has_text;
	struct cg_buf text;
	struct cg_items items;
};

static void old_file_release(struct old_file *old)
{
	if (old->is_read) {
		cg_buf_release(&old->text);
		cg_items_release(&old->items);
	}
}

static bool has_added_line(const struct cg_changed_file *file, uint32_t from, uint32_t to)
{
	for (uint32_t l = from; l <= to; l++)
		if (cg_changed_file_is_added(file, l))
			return true;
	return false;
}

/* The mod, impl or trait an item is in, through the item macro calls around it; NULL at the top. */
static const struct cg_item *container_of(const struct cg_items *items, const struct cg_item *it)
{
	const struct cg_item *p = it->parent == CG_ITEM_TOP ? NULL : &items->items[it->parent];
	while (p && p->kind == CG_ITEM_OTHER)
		p = p->parent == CG_ITEM_TOP ? NULL : &items->items[p->parent];
	return p;
}

/* The name of the impl a fn is in, or NULL for a free fn. */
static const char *owner_of(const struct cg_items *items, const struct cg_item *fn, const char *text, size_t *len)
{
	const struct cg_item *p = container_of(items, fn);
	if (!p || p->kind != CG_ITEM_IMPL)
		return NULL;
	*len = p->name_len;
	return text + p->name;
}

/*
 * Whether the change touched fn `i` as code: it is new, or its tokens
 * outside comments differ from those of the fn of the same name and owner
 * in the old file. A comment or white space edit does not count. Only asked
 * when the pass shows findings by changed lines, and true whenever the old
 * file cannot be read.
 */
static bool fn_code_changed(struct cg_rule_ctx *ctx, struct old_file *old, const struct cg_items *items, size_t i)
{
	const struct cg_item *fn = &items->items[i];
	const struct cg_source *src = ctx->src;
	const char *owner, *text = src->text;
	size_t owner_len = 0;

	if (ctx->filter == CG_FILTER_FILE || ctx->filter == CG_FILTER_ALL || ctx->file->is_whole_file ||
	    !has_added_line(ctx->file, cg_source_line_of(src, fn->decl), cg_source_line_of(src, fn->end - 1)))
		return true;
	if (!old->is_read) {
		old->is_read = true;
		cg_buf_init(&old->text);
		old->has_text = cg_change_read_old(ctx->change, ctx->file, &old->text) == 0 &&
				cg_items_scan_expanded(&old->items, old->text.ptr, old->text.size) == 0;
		if (!old->has_text) {
			cg_error_clear();
			cg_items_release(&old->items);
		}
	}
	if (!old->has_text)
		return true;
	owner = owner_of(items, fn, text, &owner_len);
	for (size_t k = 0; k < old->items.n; k++) {
		const struct cg_item *o = &old->items.items[k];
		const char *otext = old->text.ptr, *oowner;
		size_t oowner_len = 0;
		if (o->kind != CG_ITEM_FN || o->name_len != fn->name_len ||
		    memcmp(otext + o->name, text + fn->name, fn->name_len))
			continue;
		oowner = owner_of(&old->items, o, otext, &oowner_len);
		if ((oowner == NULL) != (owner == NULL) ||
		    (owner && (oowner_len != owner_len || memcmp(oowner, owner, owner_len))))
			continue;
		if (cg_items_same_tokens(otext + o->decl, o->end - o->decl, text + fn->decl, fn->end - fn->decl))
			return false;
	}
	return true;
}

/*
 * The checked functions: pub free fns (of the file and its inline modules)
 * and pub fns of inherent impls of pub types, with a body, outside tests
 * (#[cfg(test)] modules and impls, test fns, what follows #![cfg(test)]).
 * Trait bodies and trait impls are not checked, nor proc-macro crates
 * and what #[doc(hidden)] marks (the item, or the module or impl around it).
 */
/* The module a file is: `mpsc` of src/mpsc/mod.rs or src/mpsc.rs; NULL for a crate root (lib.rs, main.rs). */
static char *module_of(const char *path)
{
	const char *base = strrchr(path, '/'), *dir_end = base;
	base = base ? base + 1 : path;
	if (!strcmp(base, "lib.rs") || !strcmp(base, "main.rs"))
		return NULL;
	if (strcmp(base, "mod.rs"))
		return cg_strndup(base, strlen(base) - (cg_ends_with(base, ".rs") ? 3 : 0));
	if (!dir_end || dir_end == path)
		return NULL;
	base = dir_end;
	while (base > path && base[-1] != '/')
		base--;
	return cg_strndup(base, (size_t)(dir_end - base));
}

/*
 * Whether the crate's users can reach a file's items. A bench is a crate of
 * its own: it calls what the library exports, so a `pub fn` inside a
 * private module (`mod inner;`, `pub(crate) mod inner;`) can only be
 * benched once a `pub use` somewhere in the crate brings it (or its type,
 * or the module) out. The file's way from the crate root is read from its
 * ancestor module files (each scanned once per run, cg_crate_module_file);
 * a module whose declaration is not found (`#[path]`, a macro) is public:
 * unsure is reported. The crate's `pub use` items are read only for a file
 * on a private way.
 */
struct reach {
	bool is_private;	   /* some module on the file's way from the crate root is narrower than `pub` */
	struct cg_buf mods;	   /* the modules from the outermost private one down, a line each */
	struct cg_buf dir;	   /* the crate's source folder, "a/src/" */
	const struct cg_buf *uses; /* cg_crate_pub_uses of it, once asked */
	struct cg_buf exported;	   /* what those bring out (use_leaves), a name a line */
	struct cg_buf exposed;	   /* types pub signatures and fields hand out (`// exposed T;` lines), a line each */
};

struct reach_walk {
	struct reach *r;
	struct cg_buf names; /* the modules walked so far, innermost first, a line each */
};

static bool reach_step(const char *name, size_t len, const struct cg_module_file *parent, void *payload)
{
	struct reach_walk *rw = payload;
	int vis = cg_module_file_decl(parent, name, len);
	cg_buf_put(&rw->names, name, len);
	cg_buf_putc(&rw->names, '\n');
	if (!vis) {
		/* Not found (`#[path]`, a macro): unsure is public. */
		rw->r->is_private = false;
		return false;
	}
	if (vis == 1) {
		rw->r->is_private = true;
		cg_buf_truncate(&rw->r->mods, 0);
		cg_buf_put(&rw->r->mods, rw->names.ptr, rw->names.size);
	}
	return true;
}

/* Fills `r` for the file of `ctx`, a source of `cr`'s library (is_api_source). */
static void file_reach(struct cg_rule_ctx *ctx, const struct cg_crate *cr, struct reach *r)
{
	const char *lib = cr->manifest.lib_path ? cr->manifest.lib_path : "src/lib.rs", *slash;
	struct reach_walk rw = { r, CG_BUF_INIT };

	if (cg_starts_with(lib, "./"))
		lib += 2;
	slash = strrchr(lib, '/');
	cg_buf_printf(&r->dir, "%s%s%.*s", cr->dir, *cr->dir ? "/" : "", slash ? (int)(slash - lib + 1) : 0, lib);
	cg_crate_module_way(ctx->cargo, cr, ctx->path, reach_step, &rw);
	cg_buf_release(&rw.names);
}

static void put_line(struct cg_buf *out, const char *w, size_t n)
{
	if (n) {
		cg_buf_put(out, w, n);
		cg_buf_putc(out, '\n');
	}
}

/*
 * The names `pub use …;` statements (one a line) bring out, a line each:
 * each leaf's item (`C` of `a::b::C as D`), a glob's module (`b` of
 * `a::b::*`), a group's own module for `self` (`a` of `a::{self, B}`). The
 * modules a path only goes through are not brought out: `pub use
 * json::ApiErrorResponse;` leaves json's other items private.
 */
static void use_leaves(const char *p, const char *end, struct cg_buf *out)
{
	const char *owner[16], *cur = NULL;
	size_t owner_len[16], cur_len = 0, depth = 0;
	bool is_glob = false, is_alias = false;
	while (p < end) {
		if (cg_is_ident_byte(*p)) {
			const char *w = p;
			while (p < end && cg_is_ident_byte(*p))
				p++;
			if ((size_t)(p - w) == 2 && !memcmp(w, "as", 2))
				is_alias = true;
			else if (is_alias)
				is_alias = false; /* the alias: the item is the name before it */
			else if (!((size_t)(p - w) == 3 && !memcmp(w, "pub", 3)) &&
				 !((size_t)(p - w) == 3 && !memcmp(w, "use", 3) && !cur && !depth)) {
				cur = w;
				cur_len = (size_t)(p - w);
			}
			continue;
		}
		if (*p == '*') {
			is_glob = true;
		} else if (*p == '{') {
			if (depth < sizeof(owner) / sizeof(*owner)) {
				owner[depth] = cur;
				owner_len[depth] = cur ? cur_len : 0;
			}
			depth++;
			cur = NULL;
		} else if (*p == ',' || *p == '}' || *p == ';') {
			const char *top = depth && depth <= sizeof(owner) / sizeof(*owner) ? owner[depth - 1] : NULL;
			size_t top_len = top ? owner_len[depth - 1] : 0;
			if (is_glob && !cur)
				put_line(out, top, top_len);
			else if (cur && cur_len == 4 && !memcmp(cur, "self", 4))
				put_line(out, top, top_len);
			else if (cur)
				put_line(out, cur, cur_len);
			if (*p == '}' && depth)
				depth--;
			if (*p == ';')
				depth = 0;
			cur = NULL;
			is_glob = false;
		}
		p++;
	}
}

/* The `// exposed T;` lines of cg_crate_pub_uses onto `exposed` (T a line each), the rest onto `plain`. */
static void split_exposed(const struct cg_buf *uses, struct cg_buf *plain, struct cg_buf *exposed)
{
	static const char mark[] = "// exposed ";
	const char *p = uses->ptr, *end = uses->ptr + uses->size;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl + 1 : end;
		if ((size_t)(e - p) > sizeof(mark) && !memcmp(p, mark, sizeof(mark) - 1)) {
			const char *w = p + sizeof(mark) - 1, *we = w;
			while (we < e && *we != ';')
				we++;
			cg_buf_put(exposed, w, (size_t)(we - w));
			cg_buf_putc(exposed, '\n');
		} else {
			cg_buf_put(plain, p, (size_t)(e - p));
		}
		p = e;
	}
}

/* Whether fn item `fn` takes `self` (`self`, `&self`, `&'a mut self`, `self: Box<Self>`): a method. */
static bool takes_self(const struct cg_item *fn, const char *text)
{
	const char *p = text + fn->name + fn->name_len, *end = text + fn->end;
	p = memchr(p, '(', (size_t)(end - p));
	if (!p)
		return false;
	for (p++; p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '&');)
		p++;
	if (p < end && *p == '\'') {
		while (++p < end && cg_is_ident_byte(*p))
			;
		while (p < end && *p == ' ')
			p++;
	}
	if (end - p > 4 && !memcmp(p, "mut ", 4))
		p += 4;
	return end - p > 4 && !memcmp(p, "self", 4) && !cg_is_ident_byte(p[4]);
}

/* Whether a line of `exported` is one of `words` (a line each). */
static bool exports_any(const struct cg_buf *exported, const char *words, size_t len)
{
	for (const char *w = words, *end = words + len, *nl; w < end; w = nl + 1) {
		nl = memchr(w, '\n', (size_t)(end - w));
		if (!nl)
			nl = end;
		if (nl > w && cg_has_word(exported->ptr, exported->size, w, (size_t)(nl - w)))
			return true;
	}
	return false;
}

/*
 * Whether the users of the crate can call the fn items[i]: a free fn when
 * no module on its way is private (the file's, or an inline `mod` around
 * it); a method of an inherent impl when its type is (an impl adds methods
 * wherever it stands; a type declared in another file is taken as
 * reachable). Or a `pub use` brings out the fn, its type or a private
 * module on the way (use_leaves).
 */
static bool is_reachable(struct cg_crate_cache *cache, struct reach *r, const struct cg_items *items,
			 const struct type_index *types, size_t i, const char *text)
{
	const struct cg_item *fn = &items->items[i], *at = fn, *impl = NULL;
	struct cg_buf words = CG_BUF_INIT;
	bool is_private = r->is_private, is;
	uint32_t owner = fn->parent;

	/* `impl TcpStream { cfg_net! { pub async fn connect(..) } }`: the macro call stands between. */
	while (owner != CG_ITEM_TOP && items->items[owner].kind == CG_ITEM_OTHER)
		owner = items->items[owner].parent;
	if (owner != CG_ITEM_TOP && items->items[owner].kind == CG_ITEM_IMPL) {
		impl = &items->items[owner];
		if (!(at = type_index_find(types, impl)))
			return true;
	}
	cg_buf_put(&words, r->mods.ptr, r->mods.size);
	for (uint32_t up = at->parent; up != CG_ITEM_TOP; up = items->items[up].parent) {
		const struct cg_item *m = &items->items[up];
		if (m->kind != CG_ITEM_MOD)
			continue;
		cg_buf_put(&words, text + m->name, m->name_len);
		cg_buf_putc(&words, '\n');
		is_private = is_private || m->visibility < 2;
	}
	if (!is_private) {
		cg_buf_release(&words);
		return true;
	}
	cg_buf_put(&words, text + at->name, at->name_len);
	cg_buf_putc(&words, '\n');
	if (!r->uses) {
		struct cg_buf plain = CG_BUF_INIT;
		r->uses = cg_crate_pub_uses(cache, r->dir.ptr);
		split_exposed(r->uses, &plain, &r->exposed);
		use_leaves(plain.ptr, plain.ptr + plain.size, &r->exported);
		cg_buf_release(&plain);
	}
	is = exports_any(&r->exported, words.ptr, words.size);
	/* A value of a type some pub signature hands out: its methods (not its constructors) can be called. */
	if (!is && impl && takes_self(fn, text))
		is = cg_has_word(r->exposed.ptr, r->exposed.size, text + at->name, at->name_len);
	cg_buf_release(&words);
	return is;
}

static void check_pub_fn(struct cg_rule_ctx *ctx, struct cg_crate *cr, const struct cg_items *items, size_t i,
			 const char *owner, size_t owner_len, struct reach *reach, const struct type_index *types,
			 struct old_file *old, struct missing_list *ml)
{
	const struct cg_item *fn = &items->items[i];
	char *name = cg_strndup(ctx->src->text + fn->name, fn->name_len);
	char *owner_name = owner ? cg_strndup(owner, owner_len) : NULL;
	bool is_typed = strcmp(cg_conf_str(ctx->rule_cfg, "match", "typed"), "name") != 0;
	char *module = is_typed && !owner ? module_of(ctx->path) : NULL;

	/* Every candidate changed as code is reported; the pass's filter keeps those with changed lines. */
	if (!skipped_name(ctx->rule_cfg, name) && fn_code_changed(ctx, old, items, i) &&
	    (!reach || is_reachable(ctx->cargo, reach, items, types, i, ctx->src->text))) {
		cg_crate_benches(ctx->cargo, cr);
		if (is_typed ? !cg_crate_bench_calls(ctx->cargo, cr, owner_name, module, name)
			     : !cg_crate_bench_names(ctx->cargo, cr, name)) {
			struct cg_buf full = CG_BUF_INIT;
			if (owner_name)
				cg_buf_printf(&full, "%s::%s", owner_name, name);
			else
				cg_buf_puts(&full, name);
			if (cr->nbench_files) {
				emit_missing(ctx, cr, fn, name, full.ptr);
			} else if (ctx->filter == CG_FILTER_FILE || ctx->filter == CG_FILTER_ALL ||
				   ctx->file->is_whole_file ||
				   has_added_line(ctx->file, cg_source_line_of(ctx->src, fn->decl),
						  cg_source_line_of(ctx->src, fn->end - 1))) {
				/* Only fns the pass's filter would keep: the group's finding stands on the first. */
				cg_array_grow((void **)&ml->items, &ml->cap, ml->n + 1, sizeof(*ml->items));
				ml->items[ml->n++] = (struct missing){ fn, name, cg_buf_detach(&full, NULL) };
				name = NULL;
			}
			cg_buf_release(&full);
		}
	}
	free(name);
	free(owner_name);
	free(module);
}

static int check_pub_fns(struct cg_rule_ctx *ctx, struct cg_crate *cr)
{
	const char *text = ctx->src->text, *vis = cg_conf_str(ctx->rule_cfg, "visibility", "pub");
	int min_level = !strcmp(vis, "pub(crate)") ? 1 : 2, err;
	struct cg_items items;
	struct type_index types;
	uint8_t *scope = NULL; /* per container item */
	struct old_file old = { 0 };
	struct missing_list missing = { 0 };
	struct reach reach = { false, CG_BUF_INIT, CG_BUF_INIT, NULL, CG_BUF_INIT, CG_BUF_INIT };
	bool is_top_cut = false, has_reach = false;

	/* The pass's scan of the file, when it parsed part of it: not scanned twice. */
	if (ctx->file_data && ctx->file_data->items)
		cg_items_expand(&items, ctx->file_data->items, text);
	else if ((err = cg_items_scan_expanded(&items, text, ctx->src->len)) < 0)
		return err;
	type_index_build(&types, &items, text);
	scope = cg_calloc(items.n ? items.n : 1, sizeof(*scope));
	for (size_t i = 0; i < items.n; i++) {
		const struct cg_item *it = &items.items[i];
		enum scope in = it->parent == CG_ITEM_TOP ? (is_top_cut ? SCOPE_NONE : SCOPE_MOD) : scope[it->parent];
		if (in == SCOPE_NONE)
			continue;
		switch (it->kind) {
		case CG_ITEM_INNER_ATTR:
			/* #![cfg(test)] makes the rest of the module test code. */
			if (in == SCOPE_MOD && it->is_cfg_test) {
				if (it->parent == CG_ITEM_TOP)
					is_top_cut = true;
				else
					scope[it->parent] = SCOPE_NONE;
			}
			break;
		case CG_ITEM_MOD:
			scope[i] = in == SCOPE_MOD && !it->is_cfg_test && !it->is_not_api ? SCOPE_MOD : SCOPE_NONE;
			break;
		case CG_ITEM_IMPL:
			/* Trait impls implement someone else's interface: benchmarks go with the trait's users. */
			if (in == SCOPE_MOD && !it->is_trait_impl && it->has_body && !it->is_cfg_test &&
			    !it->is_not_api && it->name_len && type_index_level(&types, it) >= min_level)
				scope[i] = SCOPE_IMPL;
			break;
		case CG_ITEM_FN:
			if (it->has_body && it->name_len && it->visibility >= min_level && !it->is_test_fn &&
			    !it->is_cfg_test && !it->is_not_api) {
				const struct cg_item *impl = in == SCOPE_IMPL ? container_of(&items, it) : NULL;
				/* `visibility: pub(crate)` asks of the crate's own callers too: no module is private
				 * then. */
				if (!has_reach && min_level == 2) {
					file_reach(ctx, cr, &reach);
					has_reach = true;
				}
				check_pub_fn(ctx, cr, &items, i, impl ? text + impl->name : NULL,
					     impl ? impl->name_len : 0, has_reach ? &reach : NULL, &types, &old,
					     &missing);
			}
			break;
		case CG_ITEM_OTHER:
			/* An item macro call's items (cfg_net! { .. }) stand where the call stands. */
			scope[i] = it->is_cfg_test || it->is_not_api ? SCOPE_NONE : in;
			break;
		default:
			break;
		}
	}
	if (missing.n)
		emit_missing_group(ctx, cr, &missing);
	for (size_t k = 0; k < missing.n; k++) {
		free(missing.items[k].name);
		free(missing.items[k].full);
	}
	free(missing.items);
	cg_buf_release(&reach.dir);
	cg_buf_release(&reach.mods);
	cg_buf_release(&reach.exported);
	cg_buf_release(&reach.exposed);
	free(scope);
	free(types.idx);
	cg_items_release(&items);
	old_file_release(&old);
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
	struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	const char *rel;
	const struct cg_bench_file *bf;

	if (!cr)
		return 0;
	rel = crate_relative(cr, ctx->path);
	if (is_bench_path(ctx, cr, rel)) {
		cg_crate_benches(ctx->cargo, cr);
		bf = cg_crate_bench_file(ctx->cargo, cr, ctx->path);
		return bf ? check_bench_file(ctx, cr, bf) : 0;
	}
	if (!is_api_source(cr, rel) || cg_is_generated_text(ctx->src->text, ctx->src->len))
		return 0;
	/* A file under `#[cfg(test)] pub mod mock;` exists only in the crate's own test build: no API. */
	if (cg_crate_file_is_cfg_test(ctx->cargo, ctx->path))
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
	cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	if (!cr)
		return false;
	rel = crate_relative(cr, ctx->path);
	if (is_bench_path((struct cg_rule_ctx *)ctx, cr, rel))
		return true;
	if (!is_api_source(cr, rel))
		return false;
	return memmem(text, len, "pub", 3) && memmem(text, len, "fn", 2) && !cg_is_generated_text(text, len);
}

/*
 * Only bench files are read through a tree (their harness uses), and only
 * when a use can be reported (may_report_harness): a library source's
 * candidates come from the item scanner, and a manifest from the crate
 * model, so the pass need not parse either for this rule. A bench whose
 * crate lists its harness and names it in a [[bench]] entry, every bench of
 * a well-kept workspace, then costs no whole parse.
 */
static bool needs_tree(const struct cg_rule_ctx *ctx)
{
	struct cg_rule_ctx *c = (struct cg_rule_ctx *)ctx;
	struct cg_crate *cr;
	const struct cg_bench_file *bf;

	if (ctx->kind != CG_KIND_RUST)
		return false;
	cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	if (!cr || !is_bench_path(c, cr, crate_relative(cr, ctx->path)))
		return false;
	cg_crate_benches(ctx->cargo, cr);
	bf = cg_crate_bench_file(ctx->cargo, cr, ctx->path);
	return bf && may_report_harness(c, cr, bf);
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
		   "type), also those written inside item macros (`cfg_net! { .. }`), that the change\n"
		   "adds or whose body it changes must be named by a file of that crate's benchmarks\n"
		   "at the new revision: benches/**/*.rs, the files of [[bench]] entries, and the\n"
		   "benches of workspace packages that depend on the crate. Adding the bench in the\n"
		   "same commit is enough.\n"
		   "\n"
		   "A bench names a method through a path naming its type (`Type::method`,\n"
		   "`<Type as Trait>::method`) or a method call on a value whose type the bench\n"
		   "shows (`let x = Type::new(..)`, `Type { .. }`, `let x: Type`, a parameter\n"
		   "`x: &Type`, a bench fn returning Type, and in a macro_rules! body a value built\n"
		   "from a metavariable (`$map::new()`) for each type the file's macro calls pass);\n"
		   "a free fn through a path from the crate\n"
		   "(`krate::m::f`) or a call of its bare name that a `use` of the crate brings.\n"
		   "A same-named other thing (`Vec::len` for `JoinSet::len`, `write!`, a local\n"
		   "variable) does not count. `match: name` counts any identifier of the name.\n"
		   "\n"
		   "A crate without any benchmark gets one finding per file, at its first unbenched\n"
		   "fn, listing them all (not per crate: the rule sees one file at a time).\n"
		   "\n"
		   "Not checked: #[cfg(test)] code and test files, binaries (src/main.rs, src/bin/),\n"
		   "generated files (\"@generated\", \"DO NOT EDIT\" in their first KiB: prost and\n"
		   "tonic output), proc-macro crates (they export their macros alone; the compiler\n"
		   "calls them), trait impls, #[doc(hidden)] items, modules\n"
		   "and impls (support for macros, not API), functions named in\n"
		   "`rules.missing-bench.skip_names` (new, default), and paths in\n"
		   "`rules.missing-bench.skip`. `visibility: pub(crate)` widens the rule.\n"
		   "\n"
		   "A bench is a crate of its own, so only what the library exports can be benched:\n"
		   "a `pub fn` in a private module (`mod inner;`, `pub(crate) mod inner;`, a private\n"
		   "inline `mod`), or a method of a type declared in one, is left alone unless a\n"
		   "`pub use` anywhere in the crate brings out the fn, the type or the module (as\n"
		   "the item it names, `a::{self}` or a glob `a::*`; `pub use inner::Item` brings\n"
		   "out Item alone, and `pub(crate) use` nothing). A method (a fn taking `self`) of\n"
		   "a type that a pub fn's or a pub trait fn's return type or a pub field names is\n"
		   "reported too: users hold such values. Methods in an impl of a type declared in\n"
		   "another file count wherever the impl stands.\n"
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
		   "        c.bench_function(\"parse_interval\", |b| b.iter(|| "
		   "ticker::parse_interval(black_box(\"5s\"))));\n"
		   "    }\n"
		   "    criterion_group!(benches, bench);\n"
		   "    criterion_main!(benches);\n",
	.wants = CG_KIND_RUST | CG_KIND_CARGO_TOML,
	.check = check,
	.may_fire = may_fire,
	.needs_tree = needs_tree,
};
