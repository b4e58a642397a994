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

static void add_call(struct body_walk *b, enum cg_call_kind kind, char *path, char *recv_field, TSNode at)
{
	struct cg_summary_fn *f = b->fn;
	struct cg_summary_call *c;
	cg_array_grow((void **)&f->calls, &f->calls_cap, f->ncalls + 1, sizeof(*f->calls));
	c = &f->calls[f->ncalls++];
	c->kind = kind;
	c->path = path;
	c->recv_field = recv_field;
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

/*
 * Calls a receiver goes through to reach what a field holds: a lock's
 * guard, an Option or Result unwrapped, a borrow.
 */
static bool is_pass_through(const char *m, size_t len)
{
	static const char *const names[] = { "lock",   "unwrap", "expect",     "read",	 "write",
					     "borrow", "as_ref", "borrow_mut", "as_mut", "as_deref" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], m, len))
			return true;
	return false;
}

/* The field of `self` receiver `recv` reads (`self.rx`, `self.rx.lock().unwrap()`, `(*self.rx)?`), or NULL. */
static char *self_field(const struct body_walk *b, TSNode recv)
{
	for (int k = 0; k < 16 && !ts_node_is_null(recv); k++) {
		TSNode field;
		size_t len;
		const char *m;
		switch (cg_node_kind(recv)) {
		case CG_K_TRY_EXPRESSION:
		case CG_K_AWAIT_EXPRESSION:
		case CG_K_PARENTHESIZED_EXPRESSION:
		case CG_K_UNARY_EXPRESSION:
		case CG_K_REFERENCE_EXPRESSION:
			recv = ts_node_named_child(recv, ts_node_named_child_count(recv) - 1);
			continue;
		case CG_K_CALL_EXPRESSION:
			recv = cg_rust_call_function(recv);
			if (!kind_is(recv, CG_K_FIELD_EXPRESSION))
				return NULL;
			field = ts_node_child_by_field_name(recv, "field", 5);
			m = ts_node_is_null(field) ? "" : cg_node_text(b->src, field, &len);
			if (ts_node_is_null(field) || !is_pass_through(m, len))
				return NULL;
			recv = ts_node_child_by_field_name(recv, "value", 5);
			continue;
		case CG_K_FIELD_EXPRESSION:
			field = ts_node_child_by_field_name(recv, "field", 5);
			if (!kind_is(ts_node_child_by_field_name(recv, "value", 5), CG_K_SELF) ||
			    !kind_is(field, CG_K_FIELD_IDENTIFIER))
				return NULL;
			return cg_node_strdup(b->src, field);
		default:
			return NULL;
		}
	}
	return NULL;
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
		add_call(b, kind_is(recv, CG_K_SELF) ? CG_CALL_SELF_METHOD : CG_CALL_METHOD, cg_strndup(m, len),
			 kind_is(recv, CG_K_SELF) ? NULL : self_field(b, recv), field);
	} else if (kind_is(fn, CG_K_IDENTIFIER) || kind_is(fn, CG_K_SCOPED_IDENTIFIER)) {
		char *resolved = resolve(b, fn), *what;
		if (cg_blocking_match_call(b->list, b->rf, resolved, ts_node_start_byte(fn), &what))
			add_block(b, what, fn);
		add_call(b, CG_CALL_PATH, resolved, NULL, fn);
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

static bool name_is(const struct cg_source *src, TSNode n, const char *want)
{
	size_t len;
	const char *t = cg_node_text(src, n, &len);
	return len == strlen(want) && !memcmp(t, want, len);
}

/* A field's type with `&`, `Arc`, `Rc`, `Box`, `Mutex` and `RwLock` taken off, resolved; NULL when not a path. */
static char *field_type(const struct body_walk *b, TSNode type)
{
	static const char *const wrappers[] = { "Arc", "Rc", "Box", "Mutex", "RwLock" };
	size_t len;
	const char *text;
	for (int k = 0; k < 8; k++) {
		TSNode name, args;
		bool is_wrapper = false;
		if (kind_is(type, CG_K_REFERENCE_TYPE)) {
			type = ts_node_child_by_field_name(type, "type", 4);
			continue;
		}
		if (!kind_is(type, CG_K_GENERIC_TYPE))
			break;
		name = ts_node_child_by_field_name(type, "type", 4);
		if (kind_is(name, CG_K_SCOPED_TYPE_IDENTIFIER))
			name = ts_node_child_by_field_name(name, "name", 4);
		for (size_t i = 0; i < sizeof(wrappers) / sizeof(*wrappers) && !ts_node_is_null(name); i++)
			is_wrapper |= name_is(b->src, name, wrappers[i]);
		args = ts_node_child_by_field_name(type, "type_arguments", 14);
		if (!is_wrapper || ts_node_is_null(args) || !ts_node_named_child_count(args)) {
			type = ts_node_child_by_field_name(type, "type", 4);
			break;
		}
		type = ts_node_named_child(args, 0);
	}
	if (!kind_is(type, CG_K_TYPE_IDENTIFIER) && !kind_is(type, CG_K_SCOPED_TYPE_IDENTIFIER))
		return NULL;
	text = cg_node_text(b->src, type, &len);
	return cg_rust_resolve_scoped(b->rf, ts_node_start_byte(type), text, len, b->is_crate_root);
}

static void add_fields(struct cg_summary *s, struct body_walk *b, TSNode item)
{
	TSNode name = ts_node_child_by_field_name(item, "name", 4);
	TSNode body = ts_node_child_by_field_name(item, "body", 4);
	uint32_t k = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
	for (uint32_t i = 0; i < k && !ts_node_is_null(name); i++) {
		TSNode d = ts_node_named_child(body, i), fname, ftype;
		struct cg_summary_field *f;
		char *type;
		if (!kind_is(d, CG_K_FIELD_DECLARATION))
			continue;
		fname = ts_node_child_by_field_name(d, "name", 4);
		ftype = ts_node_child_by_field_name(d, "type", 4);
		if (ts_node_is_null(fname) || !(type = field_type(b, ftype)))
			continue;
		cg_array_grow((void **)&s->fields, &s->fields_cap, s->nfields + 1, sizeof(*s->fields));
		f = &s->fields[s->nfields++];
		f->owner = cg_node_strdup(b->src, name);
		f->module = cg_strdup(module_at(b->rf, ts_node_start_byte(item)));
		f->name = cg_node_strdup(b->src, fname);
		f->type = type;
		f->line = ts_node_start_point(fname).row + 1;
	}
}

static bool is_pub(TSNode decl)
{
	return !ts_node_is_null(decl) && ts_node_named_child_count(decl) &&
	       kind_is(ts_node_named_child(decl, 0), CG_K_VISIBILITY_MODIFIER);
}

static void add_reexports(struct cg_summary *s, const struct cg_rust_file *rf)
{
	for (size_t i = 0; i < rf->nuses; i++) {
		const struct cg_use *u = &rf->uses[i];
		struct cg_summary_reexport *r;
		if (!strcmp(u->local, "*") || !kind_is(u->decl, CG_K_USE_DECLARATION) || !is_pub(u->decl))
			continue;
		cg_array_grow((void **)&s->reexports, &s->reexports_cap, s->nreexports + 1, sizeof(*s->reexports));
		r = &s->reexports[s->nreexports++];
		r->name = cg_strdup(u->local);
		r->path = cg_strdup(u->path);
		r->module = cg_strdup(rf->modules[u->module].path);
	}
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
		case CG_K_STRUCT_ITEM:
			add_fields(s, b, n);
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
	add_reexports(out, rf);
	return 0;
}

void cg_summary_release(struct cg_summary *s)
{
	for (size_t i = 0; i < s->nfns; i++) {
		struct cg_summary_fn *f = &s->fns[i];
		for (size_t j = 0; j < f->ncalls; j++) {
			free(f->calls[j].path);
			free(f->calls[j].recv_field);
		}
		for (size_t j = 0; j < f->nblocks; j++)
			free(f->blocks[j].what);
		free(f->calls);
		free(f->blocks);
		free(f->name);
		free(f->impl_type);
		free(f->module);
	}
	for (size_t i = 0; i < s->nfields; i++) {
		free(s->fields[i].owner);
		free(s->fields[i].module);
		free(s->fields[i].name);
		free(s->fields[i].type);
	}
	for (size_t i = 0; i < s->nreexports; i++) {
		free(s->reexports[i].name);
		free(s->reexports[i].path);
		free(s->reexports[i].module);
	}
	free(s->fns);
	free(s->fields);
	free(s->reexports);
	memset(s, 0, sizeof(*s));
}
