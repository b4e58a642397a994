#define _GNU_SOURCE
#include "crate/summary.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/banned.h"

struct body_walk {
	const struct cg_source *src;
	const struct cg_rust_file *rf;
	const struct cg_blocking_list *list;
	bool is_crate_root;
	bool is_async_only;
	struct cg_summary_fn *fn;
};

static bool kind_is(TSNode n, enum cg_kind kind)
{
	return !ts_node_is_null(n) && cg_node_kind(n) == kind;
}

static bool has_child_kind(TSNode n, enum cg_kind kind)
{
	uint32_t k = ts_node_child_count(n);
	for (uint32_t i = 0; i < k; i++)
		if (kind_is(ts_node_child(n, i), kind))
			return true;
	return false;
}

static bool fn_is_async(TSNode fn)
{
	uint32_t k = ts_node_named_child_count(fn);
	for (uint32_t i = 0; i < k && i < 8; i++) {
		TSNode c = ts_node_named_child(fn, i);
		if (kind_is(c, CG_K_FUNCTION_MODIFIERS))
			return has_child_kind(c, CG_K_ASYNC);
	}
	return false;
}

static char *resolve(const struct body_walk *b, TSNode path)
{
	size_t len;
	const char *text = cg_node_text(b->src, path, &len);
	return cg_rust_resolve_scoped(b->rf, ts_node_start_byte(path), text, len, b->is_crate_root);
}

static void add_call(struct body_walk *b, enum cg_call_kind kind, char *path, TSNode at)
{
	struct cg_summary_fn *f = b->fn;
	struct cg_summary_call *c;
	cg_array_grow((void **)&f->calls, &f->calls_cap, f->ncalls + 1, sizeof(*f->calls));
	c = &f->calls[f->ncalls++];
	c->kind = kind;
	c->path = path;
	c->start = ts_node_start_byte(at);
	c->end = ts_node_end_byte(at);
	c->line = ts_node_start_point(at).row + 1;
}

static void add_block(struct body_walk *b, char *what, TSNode at)
{
	struct cg_summary_fn *f = b->fn;
	struct cg_summary_block *k;
	cg_array_grow((void **)&f->blocks, &f->blocks_cap, f->nblocks + 1, sizeof(*f->blocks));
	k = &f->blocks[f->nblocks++];
	k->what = what;
	k->start = ts_node_start_byte(at);
	k->line = ts_node_start_point(at).row + 1;
}

/* A closure that is an argument of a call to a wrapper: it runs off the thread. */
static bool closure_leaves(const struct body_walk *b, TSNode closure)
{
	TSNode args = ts_node_parent(closure), call, fn;
	bool hit = false, is_bip;
	if (!kind_is(args, CG_K_ARGUMENTS) || !kind_is(call = ts_node_parent(args), CG_K_CALL_EXPRESSION))
		return false;
	fn = cg_rust_call_function(call);
	if (kind_is(fn, CG_K_FIELD_EXPRESSION)) {
		TSNode field = ts_node_child_by_field_name(fn, "field", 5);
		char *m = ts_node_is_null(field) ? NULL : cg_node_strdup(b->src, field);
		hit = m && cg_blocking_is_wrapper(b->list, m, true, &is_bip);
		free(m);
	} else if (kind_is(fn, CG_K_IDENTIFIER) || kind_is(fn, CG_K_SCOPED_IDENTIFIER)) {
		char *resolved = resolve(b, fn);
		hit = cg_blocking_is_wrapper(b->list, resolved, false, &is_bip);
		free(resolved);
	}
	return hit;
}

static void visit_call(struct body_walk *b, TSNode call)
{
	TSNode fn = cg_rust_call_function(call);
	if (kind_is(fn, CG_K_FIELD_EXPRESSION)) {
		TSNode recv = ts_node_child_by_field_name(fn, "value", 5);
		TSNode field = ts_node_child_by_field_name(fn, "field", 5);
		size_t len;
		const char *m;
		char *what;
		if (ts_node_is_null(field))
			return;
		m = cg_node_text(b->src, field, &len);
		if (cg_blocking_match_method(b->list, NULL, m, len, &what))
			add_block(b, what, field);
		add_call(b, kind_is(recv, CG_K_SELF) ? CG_CALL_SELF_METHOD : CG_CALL_METHOD, cg_strndup(m, len), field);
	} else if (kind_is(fn, CG_K_IDENTIFIER) || kind_is(fn, CG_K_SCOPED_IDENTIFIER)) {
		char *resolved = resolve(b, fn), *what;
		if (cg_blocking_match_call(b->list, b->rf, resolved, ts_node_start_byte(fn), &what))
			add_block(b, what, fn);
		add_call(b, CG_CALL_PATH, resolved, fn);
	}
}

static int body_cb(TSNode n, void *payload)
{
	struct body_walk *b = payload;
	switch (cg_node_kind(n)) {
	case CG_K_FUNCTION_ITEM:
	case CG_K_IMPL_ITEM:
	case CG_K_TRAIT_ITEM:
	case CG_K_MOD_ITEM:
	case CG_K_ASYNC_BLOCK:
	case CG_K_MACRO_INVOCATION:
		return CG_WALK_SKIP;
	case CG_K_CLOSURE_EXPRESSION:
		return closure_leaves(b, n) ? CG_WALK_SKIP : CG_WALK_ENTER;
	case CG_K_CALL_EXPRESSION:
		visit_call(b, n);
		return CG_WALK_ENTER;
	default:
		return CG_WALK_ENTER;
	}
}

/* The last path segment of an impl's self type, generics dropped (`Foo` of `a::Foo<T>`). */
static char *type_name(const struct cg_source *src, TSNode type)
{
	if (kind_is(type, CG_K_GENERIC_TYPE))
		type = ts_node_child_by_field_name(type, "type", 4);
	if (kind_is(type, CG_K_SCOPED_TYPE_IDENTIFIER))
		type = ts_node_child_by_field_name(type, "name", 4);
	return ts_node_is_null(type) ? NULL : cg_node_strdup(src, type);
}

/* The innermost inline module of the file around byte `at`, as the use map names it. */
static const char *module_at(const struct cg_rust_file *rf, uint32_t at)
{
	size_t best = 0;
	for (size_t i = 1; i < rf->nmodules; i++)
		if (rf->modules[i].start <= at && at < rf->modules[i].end &&
		    rf->modules[i].end - rf->modules[i].start <= rf->modules[best].end - rf->modules[best].start)
			best = i;
	return rf->modules[best].path;
}

static void add_fn(struct cg_summary *s, struct body_walk *b, TSNode fn, TSNode container, bool is_test)
{
	TSNode name = ts_node_child_by_field_name(fn, "name", 4);
	TSNode body = ts_node_child_by_field_name(fn, "body", 4);
	struct cg_summary_fn *f;
	if (ts_node_is_null(name))
		return;
	cg_array_grow((void **)&s->fns, &s->fns_cap, s->nfns + 1, sizeof(*s->fns));
	f = &s->fns[s->nfns++];
	memset(f, 0, sizeof(*f));
	f->name = cg_node_strdup(b->src, name);
	f->is_async = fn_is_async(fn);
	f->line = ts_node_start_point(name).row + 1;
	f->start = ts_node_start_byte(fn);
	f->end = ts_node_end_byte(fn);
	f->module = cg_strdup(module_at(b->rf, f->start));
	f->is_test = is_test;
	if (kind_is(container, CG_K_IMPL_ITEM)) {
		f->impl_type = type_name(b->src, ts_node_child_by_field_name(container, "type", 4));
	} else if (kind_is(container, CG_K_TRAIT_ITEM)) {
		f->impl_type = type_name(b->src, ts_node_child_by_field_name(container, "name", 4));
		f->is_trait = true;
	}
	if (ts_node_is_null(body) || (b->is_async_only && !f->is_async))
		return;
	b->fn = f;
	/* The body's own node is a block: walk its children so the skip of nested items does not hit it. */
	{
		TSTreeCursor c = ts_tree_cursor_new(body);
		for (bool more = ts_tree_cursor_goto_first_child(&c); more; more = ts_tree_cursor_goto_next_sibling(&c))
			cg_walk(ts_tree_cursor_current_node(&c), body_cb, b);
		ts_tree_cursor_delete(&c);
	}
	b->fn = NULL;
}

/*
 * The items of a file or of a module, impl or trait body, in order: fns,
 * and the bodies of the items that hold more. `is_test`: the container is
 * test code; an item is when its own attributes say so too.
 */
static void walk_items(struct cg_summary *s, struct body_walk *b, TSNode list, TSNode container, bool is_test)
{
	bool is_pending_test = false;
	TSTreeCursor c = ts_tree_cursor_new(list);
	/* A cursor, not ts_node_named_child(i): that one walks from the first child every time. */
	for (bool more = ts_tree_cursor_goto_first_child(&c); more; more = ts_tree_cursor_goto_next_sibling(&c)) {
		TSNode n = ts_tree_cursor_current_node(&c), body;
		if (!ts_node_is_named(n))
			continue;
		switch (cg_node_kind(n)) {
		case CG_K_LINE_COMMENT:
		case CG_K_BLOCK_COMMENT:
			continue;
		case CG_K_ATTRIBUTE_ITEM:
			is_pending_test |= cg_rust_attr_is_test(b->src, n) || cg_rust_attr_is_cfg_test(b->src, n);
			continue;
		case CG_K_INNER_ATTRIBUTE_ITEM:
			is_test |= cg_rust_attr_is_cfg_test(b->src, n);
			continue;
		case CG_K_FUNCTION_ITEM:
			add_fn(s, b, n, container, is_test || is_pending_test);
			break;
		case CG_K_MOD_ITEM:
		case CG_K_IMPL_ITEM:
		case CG_K_TRAIT_ITEM:
			body = ts_node_child_by_field_name(n, "body", 4);
			if (kind_is(body, CG_K_DECLARATION_LIST))
				walk_items(s, b, body, n, is_test || is_pending_test);
			break;
		default:
			break;
		}
		is_pending_test = false;
	}
	ts_tree_cursor_delete(&c);
}

int cg_summary_build(struct cg_summary *out, const struct cg_source *src, const struct cg_rust_file *rf,
		     const struct cg_blocking_list *list, bool is_crate_root, bool is_async_only)
{
	struct body_walk b = { src, rf, list, is_crate_root, is_async_only, NULL };
	memset(out, 0, sizeof(*out));
	walk_items(out, &b, cg_source_root(src), cg_source_root(src), false);
	return 0;
}

void cg_summary_release(struct cg_summary *s)
{
	for (size_t i = 0; i < s->nfns; i++) {
		struct cg_summary_fn *f = &s->fns[i];
		for (size_t j = 0; j < f->ncalls; j++)
			free(f->calls[j].path);
		for (size_t j = 0; j < f->nblocks; j++)
			free(f->blocks[j].what);
		free(f->calls);
		free(f->blocks);
		free(f->name);
		free(f->impl_type);
		free(f->module);
	}
	free(s->fns);
	memset(s, 0, sizeof(*s));
}
