#define _GNU_SOURCE
#include "crate/summary.h"

#include <stdlib.h>
#include <string.h>

#include "syntax/items.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* A parameter of the fn being read whose type is a trait object or bound. */
struct trait_param {
	char *name, *trait;
};

struct body_walk {
	struct trait_param params[8];
	size_t nparams;
	const struct cg_source *src;
	const struct cg_rust_file *rf;
	const struct cg_blocking_list *list;
	bool is_crate_root;
	enum cg_summary_bodies bodies;
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

static bool name_is(const struct cg_source *src, TSNode n, const char *want)
{
	size_t len;
	const char *t = cg_node_text(src, n, &len);
	return len == strlen(want) && !memcmp(t, want, len);
}

static bool type_is(TSNode n, const char *type)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), type);
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
	c->recv_trait = NULL;
	if (kind == CG_CALL_METHOD) {
		TSNode fe = ts_node_parent(at), recv = cg_child(fe, CG_F_VALUE);
		for (size_t i = 0; kind_is(recv, CG_K_IDENTIFIER) && i < b->nparams; i++)
			if (name_is(b->src, recv, b->params[i].name))
				c->recv_trait = cg_strdup(b->params[i].trait);
	}
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
	while (cg_rust_passes_value(args, closure)) {
		closure = args;
		args = ts_node_parent(args);
	}
	if (!kind_is(args, CG_K_ARGUMENTS) || !kind_is(call = ts_node_parent(args), CG_K_CALL_EXPRESSION))
		return false;
	fn = cg_rust_call_function(call);
	if (kind_is(fn, CG_K_FIELD_EXPRESSION)) {
		TSNode field = cg_child(fn, CG_F_FIELD);
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
 * A closure built to be kept, not run while the fn runs: the value of a
 * struct literal's field, or an argument of a constructor (`T::new(..)`,
 * `T::from(..)`, a tuple struct `Wrapper(..)`). qdrant's
 * `LiveVectorNamesProvider::new(move || lock.blocking_read()…)` is called
 * later on a blocking thread; the fn that builds it blocks nothing.
 */
static bool closure_is_stored(const struct body_walk *b, TSNode closure)
{
	TSNode up = ts_node_parent(closure), fn;
	const char *text, *last, *seg;
	size_t len, last_len;
	while (cg_rust_passes_value(up, closure)) {
		closure = up;
		up = ts_node_parent(up);
	}
	if (kind_is(up, CG_K_FIELD_INITIALIZER))
		return true;
	if (!kind_is(up, CG_K_ARGUMENTS) || !kind_is(ts_node_parent(up), CG_K_CALL_EXPRESSION))
		return false;
	fn = cg_rust_call_function(ts_node_parent(up));
	if (!kind_is(fn, CG_K_IDENTIFIER) && !kind_is(fn, CG_K_SCOPED_IDENTIFIER))
		return false;
	text = cg_node_text(b->src, fn, &len);
	last = cg_rust_last_segment(text, len, &last_len);
	if (last_len && last[0] >= 'A' && last[0] <= 'Z')
		return true;
	if (last == text ||
	    !((last_len == 3 && !memcmp(last, "new", 3)) || (last_len == 4 && !memcmp(last, "from", 4))))
		return false;
	/* `Type::new`: the segment before is a type's name. */
	for (seg = last - 2; seg > text && seg[-1] != ':';)
		seg--;
	return seg < last - 2 && *seg >= 'A' && *seg <= 'Z';
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
			field = cg_child(recv, CG_F_FIELD);
			m = ts_node_is_null(field) ? "" : cg_node_text(b->src, field, &len);
			if (ts_node_is_null(field) || !is_pass_through(m, len))
				return NULL;
			recv = cg_child(recv, CG_F_VALUE);
			continue;
		case CG_K_FIELD_EXPRESSION:
			field = cg_child(recv, CG_F_FIELD);
			if (!kind_is(cg_child(recv, CG_F_VALUE), CG_K_SELF) || !kind_is(field, CG_K_FIELD_IDENTIFIER))
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
		TSNode recv = cg_child(fn, CG_F_VALUE);
		TSNode field = cg_child(fn, CG_F_FIELD);
		size_t len;
		const char *m;
		char *what;
		if (ts_node_is_null(field))
			return;
		m = cg_node_text(b->src, field, &len);
		if (cg_blocking_match_method(b->list, NULL, m, len, &what)) {
			/* `"127.0.0.1:0".to_socket_addrs()` parses; only a host name is looked up. */
			if (!strcmp(what, ".to_socket_addrs()") &&
			    cg_blocking_addr_is_literal(b->src, b->rf, b->is_crate_root, recv))
				free(what);
			else
				add_block(b, what, field);
		}
		add_call(b, kind_is(recv, CG_K_SELF) ? CG_CALL_SELF_METHOD : CG_CALL_METHOD, cg_strndup(m, len),
			 kind_is(recv, CG_K_SELF) ? NULL : self_field(b, recv), field);
	} else if (kind_is(fn, CG_K_IDENTIFIER) || kind_is(fn, CG_K_SCOPED_IDENTIFIER)) {
		char *resolved = resolve(b, fn), *what;
		if (cg_blocking_match_call(b->list, b->rf, resolved, ts_node_start_byte(fn), &what)) {
			/* Binding an address that needs no lookup does not wait (as the rule's own check). */
			TSNode args = cg_child(call, CG_F_ARGUMENTS);
			if ((!strcmp(what, "std::net::TcpListener::bind") ||
			     !strcmp(what, "std::net::UdpSocket::bind")) &&
			    !ts_node_is_null(args) && ts_node_named_child_count(args) == 1 &&
			    cg_blocking_addr_is_literal(b->src, b->rf, b->is_crate_root, ts_node_named_child(args, 0)))
				free(what);
			else
				add_block(b, what, fn);
		}
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
		return closure_leaves(b, n) || closure_is_stored(b, n) ? CG_WALK_SKIP : CG_WALK_ENTER;
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
		type = cg_child(type, CG_F_TYPE);
	if (kind_is(type, CG_K_SCOPED_TYPE_IDENTIFIER))
		type = cg_child(type, CG_F_NAME);
	return ts_node_is_null(type) ? NULL : cg_node_strdup(src, type);
}

const char *cg_summary_module_at(const struct cg_rust_file *rf, uint32_t at)
{
	size_t best = 0;
	for (size_t i = 1; i < rf->nmodules; i++)
		if (rf->modules[i].start <= at && at < rf->modules[i].end &&
		    rf->modules[i].end - rf->modules[i].start <= rf->modules[best].end - rf->modules[best].start)
			best = i;
	return rf->modules[best].path;
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
			type = cg_child(type, CG_F_TYPE);
			continue;
		}
		if (!kind_is(type, CG_K_GENERIC_TYPE))
			break;
		name = cg_child(type, CG_F_TYPE);
		if (kind_is(name, CG_K_SCOPED_TYPE_IDENTIFIER))
			name = cg_child(name, CG_F_NAME);
		for (size_t i = 0; i < sizeof(wrappers) / sizeof(*wrappers) && !ts_node_is_null(name); i++)
			is_wrapper |= name_is(b->src, name, wrappers[i]);
		args = cg_child(type, CG_F_TYPE_ARGUMENTS);
		if (!is_wrapper || ts_node_is_null(args) || !ts_node_named_child_count(args)) {
			type = cg_child(type, CG_F_TYPE);
			break;
		}
		type = ts_node_named_child(args, 0);
	}
	if (!kind_is(type, CG_K_TYPE_IDENTIFIER) && !kind_is(type, CG_K_SCOPED_TYPE_IDENTIFIER))
		return NULL;
	text = cg_node_text(b->src, type, &len);
	return cg_rust_resolve_scoped(b->rf, ts_node_start_byte(type), text, len, b->is_crate_root);
}

/* The path naming a trait (`Store`, `crate::Store`, the `Store` of `Store<T>`); a null node for anything else. */
static TSNode trait_name(TSNode t)
{
	if (kind_is(t, CG_K_GENERIC_TYPE))
		t = cg_child(t, CG_F_TYPE);
	if (!kind_is(t, CG_K_TYPE_IDENTIFIER) && !kind_is(t, CG_K_SCOPED_TYPE_IDENTIFIER))
		return (TSNode){ 0 };
	return t;
}

static char *resolve_trait(const struct body_walk *b, TSNode name)
{
	size_t len;
	const char *text = cg_node_text(b->src, name, &len);
	return cg_rust_resolve_scoped(b->rf, ts_node_start_byte(name), text, len, b->is_crate_root);
}

/* The trait of a bound list's first path (`T: Store + Send`), resolved; NULL when none. */
static char *first_trait(const struct body_walk *b, TSNode bounds)
{
	uint32_t k = ts_node_is_null(bounds) ? 0 : ts_node_named_child_count(bounds);
	for (uint32_t i = 0; i < k; i++) {
		TSNode name = trait_name(ts_node_named_child(bounds, i));
		if (!ts_node_is_null(name))
			return resolve_trait(b, name);
	}
	return NULL;
}

/* The bound of generic `name` in the fn's `<T: X>` or `where T: X`; NULL when none. */
static char *generic_bound(const struct body_walk *b, TSNode fn, TSNode name)
{
	TSNode tps = cg_child(fn, CG_F_TYPE_PARAMETERS);
	uint32_t k = ts_node_is_null(tps) ? 0 : ts_node_named_child_count(tps);
	size_t len;
	const char *want = cg_node_text(b->src, name, &len);
	char *w = cg_strndup(want, len), *out = NULL;
	for (uint32_t i = 0; i < k && !out; i++) {
		TSNode p = ts_node_named_child(tps, i);
		if (type_is(p, "constrained_type_parameter") && name_is(b->src, cg_child(p, CG_F_LEFT), w))
			out = first_trait(b, cg_child(p, CG_F_BOUNDS));
	}
	k = ts_node_named_child_count(fn);
	for (uint32_t i = 0; i < k && !out; i++) {
		TSNode wc = ts_node_named_child(fn, i);
		if (!type_is(wc, "where_clause"))
			continue;
		for (uint32_t j = 0; j < ts_node_named_child_count(wc) && !out; j++) {
			TSNode p = ts_node_named_child(wc, j);
			TSNode left = cg_child(p, CG_F_LEFT);
			if (type_is(p, "where_predicate") && kind_is(left, CG_K_TYPE_IDENTIFIER) &&
			    name_is(b->src, left, w))
				out = first_trait(b, cg_child(p, CG_F_BOUNDS));
		}
	}
	free(w);
	return out;
}

/* The trait a parameter's type names: `&dyn T`, `Box<dyn T>`, `Arc<dyn T>`, `impl T`, `&G` with `G: T`. */
static char *param_trait(const struct body_walk *b, TSNode fn, TSNode type)
{
	for (int k = 0; k < 4 && kind_is(type, CG_K_REFERENCE_TYPE); k++)
		type = cg_child(type, CG_F_TYPE);
	if (kind_is(type, CG_K_GENERIC_TYPE)) {
		TSNode name = cg_child(type, CG_F_TYPE);
		TSNode args = cg_child(type, CG_F_TYPE_ARGUMENTS);
		if (kind_is(name, CG_K_TYPE_IDENTIFIER) && !ts_node_is_null(args) && ts_node_named_child_count(args) &&
		    (name_is(b->src, name, "Box") || name_is(b->src, name, "Arc") || name_is(b->src, name, "Rc")))
			type = ts_node_named_child(args, 0);
	}
	if (type_is(type, "dynamic_type") || type_is(type, "abstract_type")) {
		TSNode name = trait_name(cg_child(type, CG_F_TRAIT));
		return ts_node_is_null(name) ? NULL : resolve_trait(b, name);
	}
	return kind_is(type, CG_K_TYPE_IDENTIFIER) ? generic_bound(b, fn, type) : NULL;
}

static void read_return(const struct body_walk *b, struct cg_summary_fn *f, TSNode type)
{
	if (kind_is(type, CG_K_GENERIC_TYPE)) {
		TSNode base = cg_child(type, CG_F_TYPE);
		TSNode args = cg_child(type, CG_F_TYPE_ARGUMENTS);
		if (kind_is(base, CG_K_SCOPED_TYPE_IDENTIFIER))
			base = cg_child(base, CG_F_NAME);
		if ((name_is(b->src, base, "Result") || name_is(b->src, base, "Option")) && !ts_node_is_null(args) &&
		    ts_node_named_child_count(args)) {
			type = ts_node_named_child(args, 0);
			f->is_ret_result = true;
		}
	}
	f->ret_type = ts_node_is_null(type) ? NULL : field_type(b, type);
	if (f->ret_type && !strcmp(f->ret_type, "Self")) {
		free(f->ret_type);
		f->ret_type = NULL;
	}
}

static void read_params(struct body_walk *b, TSNode fn)
{
	TSNode params = cg_child(fn, CG_F_PARAMETERS);
	uint32_t k = ts_node_is_null(params) ? 0 : ts_node_named_child_count(params);
	for (uint32_t i = 0; i < k && b->nparams < sizeof(b->params) / sizeof(*b->params); i++) {
		TSNode p = ts_node_named_child(params, i);
		TSNode pat = cg_child(p, CG_F_PATTERN);
		char *trait;
		if (!kind_is(p, CG_K_PARAMETER) || !kind_is(pat, CG_K_IDENTIFIER) ||
		    !(trait = param_trait(b, fn, cg_child(p, CG_F_TYPE))))
			continue;
		b->params[b->nparams].name = cg_node_strdup(b->src, pat);
		b->params[b->nparams++].trait = trait;
	}
}

static void add_fn(struct cg_summary *s, struct body_walk *b, TSNode fn, TSNode container, bool is_test)
{
	TSNode name = cg_child(fn, CG_F_NAME);
	TSNode body = cg_child(fn, CG_F_BODY);
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
	f->module = cg_strdup(cg_summary_module_at(b->rf, f->start));
	f->is_test = is_test;
	read_return(b, f, cg_child(fn, CG_F_RETURN_TYPE));
	if (kind_is(container, CG_K_IMPL_ITEM)) {
		f->impl_type = type_name(b->src, cg_child(container, CG_F_TYPE));
	} else if (kind_is(container, CG_K_TRAIT_ITEM)) {
		f->impl_type = type_name(b->src, cg_child(container, CG_F_NAME));
		f->is_trait = true;
	}
	if (ts_node_is_null(body) || b->bodies == CG_BODIES_NONE || (b->bodies == CG_BODIES_ASYNC && !f->is_async))
		return;
	f->is_body_read = true;
	b->fn = f;
	read_params(b, fn);
	/* The body's own node is a block: walk its children so the skip of nested items does not hit it. */
	{
		TSTreeCursor c = ts_tree_cursor_new(body);
		for (bool more = ts_tree_cursor_goto_first_child(&c); more; more = ts_tree_cursor_goto_next_sibling(&c))
			cg_walk(ts_tree_cursor_current_node(&c), body_cb, b);
		ts_tree_cursor_delete(&c);
	}
	for (size_t i = 0; i < b->nparams; i++) {
		free(b->params[i].name);
		free(b->params[i].trait);
	}
	b->nparams = 0;
	b->fn = NULL;
}

static void add_fields(struct cg_summary *s, struct body_walk *b, TSNode item)
{
	TSNode name = cg_child(item, CG_F_NAME);
	TSNode body = cg_child(item, CG_F_BODY);
	uint32_t k = ts_node_is_null(body) ? 0 : ts_node_named_child_count(body);
	for (uint32_t i = 0; i < k && !ts_node_is_null(name); i++) {
		TSNode d = ts_node_named_child(body, i), fname, ftype;
		struct cg_summary_field *f;
		char *type;
		if (!kind_is(d, CG_K_FIELD_DECLARATION))
			continue;
		fname = cg_child(d, CG_F_NAME);
		ftype = cg_child(d, CG_F_TYPE);
		if (ts_node_is_null(fname) || !(type = field_type(b, ftype)))
			continue;
		cg_array_grow((void **)&s->fields, &s->fields_cap, s->nfields + 1, sizeof(*s->fields));
		f = &s->fields[s->nfields++];
		f->owner = cg_node_strdup(b->src, name);
		f->module = cg_strdup(cg_summary_module_at(b->rf, ts_node_start_byte(item)));
		f->name = cg_node_strdup(b->src, fname);
		f->type = type;
		f->line = ts_node_start_point(fname).row + 1;
	}
}

/* The payloads of an enum's tuple variants, as fields named `Variant.N` (crate/summary.h). */
static void add_variants(struct cg_summary *s, struct body_walk *b, TSNode item)
{
	TSNode name = cg_child(item, CG_F_NAME);
	TSNode body = cg_child(item, CG_F_BODY);
	TSTreeCursor c;
	if (ts_node_is_null(name) || !type_is(body, "enum_variant_list"))
		return;
	c = ts_tree_cursor_new(body);
	for (bool more = ts_tree_cursor_goto_first_child(&c); more; more = ts_tree_cursor_goto_next_sibling(&c)) {
		TSNode v = ts_tree_cursor_current_node(&c);
		TSNode vname = cg_child(v, CG_F_NAME);
		TSNode list = cg_child(v, CG_F_BODY);
		TSTreeCursor fc;
		unsigned idx = 0;
		char *vn;
		if (!type_is(v, "enum_variant") || ts_node_is_null(vname) ||
		    !type_is(list, "ordered_field_declaration_list"))
			continue;
		vn = cg_node_strdup(b->src, vname);
		fc = ts_tree_cursor_new(list);
		for (bool f = ts_tree_cursor_goto_first_child(&fc); f; f = ts_tree_cursor_goto_next_sibling(&fc)) {
			const char *fname = ts_tree_cursor_current_field_name(&fc);
			TSNode type_node = ts_tree_cursor_current_node(&fc);
			struct cg_summary_field *fd;
			struct cg_buf fn = CG_BUF_INIT;
			char *type;
			if (!fname || strcmp(fname, "type"))
				continue;
			if ((type = field_type(b, type_node)) != NULL) {
				cg_array_grow((void **)&s->fields, &s->fields_cap, s->nfields + 1, sizeof(*s->fields));
				fd = &s->fields[s->nfields++];
				fd->owner = cg_node_strdup(b->src, name);
				fd->module = cg_strdup(cg_summary_module_at(b->rf, ts_node_start_byte(item)));
				cg_buf_printf(&fn, "%s.%u", vn, idx);
				fd->name = cg_buf_detach(&fn, NULL);
				fd->type = type;
				fd->line = ts_node_start_point(type_node).row + 1;
			}
			idx++;
		}
		ts_tree_cursor_delete(&fc);
		free(vn);
	}
	ts_tree_cursor_delete(&c);
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
		case CG_K_ENUM_ITEM:
			add_variants(s, b, n);
			break;
		case CG_K_MOD_ITEM:
		case CG_K_IMPL_ITEM:
		case CG_K_TRAIT_ITEM:
			body = cg_child(n, CG_F_BODY);
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
		     const struct cg_blocking_list *list, bool is_crate_root, enum cg_summary_bodies bodies)
{
	struct body_walk b = { .src = src, .rf = rf, .list = list, .is_crate_root = is_crate_root, .bodies = bodies };
	memset(out, 0, sizeof(*out));
	walk_items(out, &b, cg_source_root(src), cg_source_root(src), false);
	add_reexports(out, rf);
	return 0;
}

/*
 * ---- reading a file in parts: the outline, then the bodies of the fns a
 * reader needs (the crate model reaches few of a file's fns) ----
 */

/*
 * The attributes among the comments before item `it` (#[test], #[cfg(test)]
 * make test code); the comments, mostly docs, are no part of a summary.
 */
static void add_attrs(struct cg_byte_ranges *r, const char *text, const struct cg_item *it)
{
	struct cg_tokenizer tz;
	struct cg_token t;
	if (it->decl <= it->start || cg_tokenizer_init(&tz, text + it->start, it->decl - it->start) < 0)
		return;
	while ((t = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END) {
		uint32_t from = t.start, depth = 0;
		if (t.kind != CG_TOKEN_PUNCT || text[it->start + t.start] != '#')
			continue;
		/* `#[..]` or `#![..]`: to the `]` that closes it. */
		while ((t = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END) {
			if (t.kind == CG_TOKEN_OPEN)
				depth++;
			else if (t.kind == CG_TOKEN_CLOSE && depth && !--depth)
				break;
		}
		cg_byte_ranges_add(r, it->start + from, it->start + (t.kind == CG_TOKEN_END ? tz.len : t.end));
	}
}

/* An item with its body left out: its attributes, head and closing brace, which parse as an empty body. */
static void add_head(struct cg_byte_ranges *r, const char *text, const struct cg_item *it)
{
	add_attrs(r, text, it);
	if (!it->body) {
		cg_byte_ranges_add(r, it->decl, it->end);
		return;
	}
	cg_byte_ranges_add(r, it->decl, it->body);
	cg_byte_ranges_add(r, it->end - 1, it->end);
}

/* Item `it` whole, inside the heads of the modules, impls and traits around it. */
static void add_item(struct cg_byte_ranges *r, const char *text, const struct cg_items *items, const struct cg_item *it)
{
	add_attrs(r, text, it);
	cg_byte_ranges_add(r, it->decl, it->end);
	for (uint32_t p = it->parent; p != CG_ITEM_TOP; p = items->items[p].parent)
		add_head(r, text, &items->items[p]);
}

/*
 * Parses the ranges of `text` (all of it when they are most of it) and
 * summarizes the tree. The use map comes from the use declarations, which
 * every plan parses, so paths resolve as in a whole parse.
 */
static int build_from_ranges(struct cg_summary *out, const char *text, size_t len, const struct cg_items *items,
			     struct cg_byte_ranges *r, const struct cg_blocking_list *list, bool is_crate_root,
			     enum cg_summary_bodies bodies)
{
	struct cg_source src;
	struct cg_rust_file *rf;
	int err;

	memset(out, 0, sizeof(*out));
	/* Most of the file anyway: one whole parse is as cheap. */
	if (!items->is_clean || cg_byte_ranges_merge(r, text) > len / 10 * 9) {
		r->n = 0;
		if (bodies == CG_BODIES_NONE)
			bodies = CG_BODIES_ALL; /* the bodies are parsed anyway */
	}
	if ((err = cg_source_open(&src, CG_LANG_RUST, text, len)) < 0)
		return err;
	if ((err = cg_source_parse_ranges(&src, r->r, r->n)) == 0) {
		rf = r->n ? cg_rust_file_new_partial(&src, items) : cg_rust_file_new(&src);
		err = cg_summary_build(out, &src, rf, list, is_crate_root, bodies);
		cg_rust_file_free(rf);
	}
	cg_source_release(&src);
	return err;
}

int cg_summary_build_outline(struct cg_summary *out, const char *text, size_t len, const struct cg_items *given,
			     const struct cg_blocking_list *list, bool is_crate_root)
{
	struct cg_items own;
	const struct cg_items *items = given ? given : &own;
	struct cg_byte_ranges r = { NULL, 0, 0 };
	int err;

	memset(out, 0, sizeof(*out));
	if (!given && (err = cg_items_scan(&own, text, len)) < 0)
		return err;
	for (size_t i = 0; items->is_clean && i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		switch (it->kind) {
		case CG_ITEM_OTHER: /* const, static, macros: no fn, field or use the summary reads */
			break;
		case CG_ITEM_FN:
		case CG_ITEM_MOD:
		case CG_ITEM_IMPL:
		case CG_ITEM_TRAIT:
			add_head(&r, text, it);
			break;
		default:
			add_attrs(&r, text, it);
			cg_byte_ranges_add(&r, it->decl, it->end);
			break;
		}
	}
	err = build_from_ranges(out, text, len, items, &r, list, is_crate_root, CG_BODIES_NONE);
	free(r.r);
	if (!given)
		cg_items_release(&own);
	return err;
}

/* The fn of `s` that starts at byte `start`, or NULL (fns are in source order). */
static struct cg_summary_fn *fn_at(struct cg_summary *s, uint32_t start)
{
	size_t lo = 0, hi = s->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->fns[mid].start == start)
			return &s->fns[mid];
		if (s->fns[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int cg_summary_read_bodies(struct cg_summary *s, const char *text, size_t len, const struct cg_items *given,
			   const struct cg_blocking_list *list, bool is_crate_root, const size_t *which, size_t n)
{
	struct cg_items own;
	const struct cg_items *items = given ? given : &own;
	struct cg_byte_ranges r = { NULL, 0, 0 };
	struct cg_summary part;
	size_t next = 0;
	int err;

	if (!given && (err = cg_items_scan(&own, text, len)) < 0)
		return err;
	for (size_t i = 0; items->is_clean && i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		if (cg_item_is_shared(it)) {
			add_item(&r, text, items, it);
			continue;
		}
		/* Every inline module, for paths through it (`js::now()`) to resolve as in a whole parse. */
		if (it->kind == CG_ITEM_MOD)
			add_head(&r, text, it);
		if (it->kind != CG_ITEM_FN)
			continue;
		/* Both in source order: one walk pairs them. */
		while (next < n && s->fns[which[next]].start < it->decl)
			next++;
		if (next < n && s->fns[which[next]].start == it->decl)
			add_item(&r, text, items, it);
	}
	if ((err = build_from_ranges(&part, text, len, items, &r, list, is_crate_root, CG_BODIES_ALL)) == 0) {
		for (size_t i = 0; i < part.nfns; i++) {
			struct cg_summary_fn *from = &part.fns[i], *to = fn_at(s, from->start);
			struct cg_summary_fn keep;
			if (!to || to->is_body_read || !from->is_body_read)
				continue;
			keep = *to;
			to->calls = from->calls, to->ncalls = from->ncalls, to->calls_cap = from->calls_cap;
			to->blocks = from->blocks, to->nblocks = from->nblocks, to->blocks_cap = from->blocks_cap;
			to->is_body_read = true;
			from->calls = keep.calls, from->ncalls = keep.ncalls, from->calls_cap = keep.calls_cap;
			from->blocks = keep.blocks, from->nblocks = keep.nblocks, from->blocks_cap = keep.blocks_cap;
		}
		cg_summary_release(&part);
	}
	/* A fn the parse did not find (it refused the file) stays with no calls: read, nothing to follow. */
	for (size_t k = 0; k < n; k++)
		s->fns[which[k]].is_body_read = true;
	free(r.r);
	if (!given)
		cg_items_release(&own);
	return err;
}

void cg_summary_release(struct cg_summary *s)
{
	for (size_t i = 0; i < s->nfns; i++) {
		struct cg_summary_fn *f = &s->fns[i];
		for (size_t j = 0; j < f->ncalls; j++) {
			free(f->calls[j].path);
			free(f->calls[j].recv_field);
			free(f->calls[j].recv_trait);
		}
		for (size_t j = 0; j < f->nblocks; j++)
			free(f->blocks[j].what);
		free(f->calls);
		free(f->blocks);
		free(f->name);
		free(f->impl_type);
		free(f->module);
		free(f->ret_type);
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
