#define _GNU_SOURCE
/*
 * blocking-in-async: a blocking call made where an async executor thread
 * runs it (the body of an `async fn`, an `async` block or an async closure),
 * and a std Mutex/RwLock guard kept alive across an `.await`.
 *
 * One iterative walk with a tree cursor. Per depth it keeps the node, the
 * async context its contents are in, and marks into two scoped lists: the
 * variables whose type the file shows (to resolve method receivers) and the
 * lock guards alive so far. A chain like `Command::new(..).arg(..).output()`
 * is evaluated once, from its outermost call, innermost first, so each call
 * is typed and matched once, whatever the chain's length.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "crate/blocking.h"
#include "crate/callgraph.h"
#include "crate/modules.h"
#include "crate/workspace.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* Argument or receiver text longer than this is shown as `…` in messages. */
#define SHOWN_TEXT_MAX 40

enum body {
	BODY_NONE,	   /* items, module level */
	BODY_SYNC,	   /* fn item, non-async closure, closure handed to a wrapper */
	BODY_ASYNC_FN,	   /* async fn */
	BODY_ASYNC_BLOCK,  /* async { } */
	BODY_ASYNC_CLOSURE /* async |x| { } */
};

struct actx {
	enum body body;
	bool is_test;		/* #[test] fn, #[cfg(test)] item, test file */
	bool in_block_in_place; /* inside a closure handed to block_in_place */
	uint32_t body_depth;	/* depth of the node that opened the body */
	TSNode fn_name;		/* the async fn's name, for messages */
};

/* What the file lets us know of a value's type. */
struct vtype {
	char *name;	   /* full path of the type; NULL: unknown */
	bool is_result;	   /* a Result (or Option) around `name`, before unwrap/? */
	bool is_channel;   /* std::sync::mpsc::channel(): (Sender, Receiver) of module `name` */
	bool is_send_free; /* a channel whose sender never waits: leave the sender untyped */
	/*
	 * A Vec, or an iterator over one (`into_iter`, `drain`, `iter`), whose
	 * elements are of this type: `for h in handles { h.join() }`. NULL: not
	 * known, or not a collection.
	 */
	char *elem;
	/*
	 * `let x = helper();` with `helper` a fn of the crate: its path as the
	 * file resolves it, and the module of the call. The return type is read
	 * from the call graph when `x` is first used (binding_of): most such
	 * values never reach a method, and the lookup summarizes the callee's
	 * whole file. NULL: `name` is all there is.
	 */
	char *ret_of;
	const char *ret_module;
};

struct binding {
	char *name;
	struct vtype t; /* t.name NULL: shadows an earlier known binding */
	bool is_void;	/* t.ret_of named no return type: not a binding */
	size_t prev;	/* the binding that headed the same bucket before; NO_BINDING: none */
};

/* Buckets of the variable table: names hash to a chain of bindings, newest first. */
#define BIND_BUCKETS 256
#define NO_BINDING ((size_t)-1)

struct guard {
	char *name;	       /* the variable, or the lock call as written for a temporary */
	const char *kind;      /* "MutexGuard", "RwLockReadGuard", … */
	const char *lock_from; /* "std::sync", "parking_lot" */
	const char *form;      /* a temporary of a scrutinee: "match", "if let", "while let"; NULL: a variable */
	TSNode let;
	struct actx ctx;
	bool is_done; /* dropped or already reported */
};

struct level {
	TSNode node;
	struct actx ctx; /* the context of the node's contents */
	size_t bind_mark, guard_mark;
	size_t guard_floor; /* body nodes: guards below this index are settled */
	/* Left by earlier siblings for the next item: attributes, `async` of an async closure. */
	bool pending_test, pending_cfg_test, pending_async;
};

/* The async runtime a crate runs on: replacements are written for it. */
enum runtime {
	RT_TOKIO,
	RT_ACTIX_RT,  /* actix-rt: tokio underneath, its task, time and net modules re-exported */
	RT_ACTIX_WEB, /* actix-web alone: actix-rt again, as `actix_web::rt` */
	RT_ASYNC_STD,
	RT_SMOL,
	RT_OTHER, /* futures-lite, `blocking`: no runtime of its own to name */
	RT_NONE	  /* no async runtime among the dependencies: `blocking` must be added */
};

/* walk.chain_depth outside a chain (macro tokens). */
#define NO_CHAIN ((size_t)-1)

struct walk {
	struct cg_rule_ctx *ctx;
	enum runtime runtime;
	size_t chain_depth;  /* the level of the chain being checked, or NO_CHAIN */
	unsigned wrap_depth; /* Arc::new(..) arguments being typed, to bound the nesting */
	const struct cg_rust_file *rf;
	bool is_crate_root; /* `crate::` names this file (src/lib.rs, src/main.rs, …) */
	bool is_test_file;  /* under tests/ (…), or a module declared only under #[cfg(test)] */
	struct cg_blocking_list list;
	enum cg_severity test_severity;
	struct level *levels;
	size_t depth, levels_cap;
	struct binding *binds;
	size_t nbinds, binds_cap;
	bool may_defer;		     /* the chain eval_chain types next is a `let x =` value: see vtype.ret_of */
	size_t bucket[BIND_BUCKETS]; /* newest binding of each bucket */
	struct guard *guards;
	size_t nguards, guards_cap;
};

static bool is_async(const struct actx *c)
{
	return c->body == BODY_ASYNC_FN || c->body == BODY_ASYNC_BLOCK || c->body == BODY_ASYNC_CLOSURE;
}

static bool kind_is(TSNode n, enum cg_kind kind)
{
	return !ts_node_is_null(n) && cg_node_kind(n) == kind;
}

/* For node types the kind table does not list. */
static bool type_is_name(TSNode n, const char *type)
{
	return !ts_node_is_null(n) && !strcmp(ts_node_type(n), type);
}

static void vtype_clear(struct vtype *t)
{
	free(t->name);
	free(t->elem);
	free(t->ret_of);
	memset(t, 0, sizeof(*t));
}

static struct vtype vtype_of(const char *name, bool is_result)
{
	struct vtype t = { cg_strdup(name), is_result, false, false, NULL, NULL, NULL };
	return t;
}

static struct vtype vtype_copy(const struct vtype *t)
{
	struct vtype c = { cg_strdup(t->name), t->is_result,	     t->is_channel, t->is_send_free,
			   cg_strdup(t->elem), cg_strdup(t->ret_of), t->ret_module };
	return c;
}

/* ---- what calls return, as far as the standard library and tokio go ---- */

static const struct {
	const char *path;
	const char *type; /* NULL: a channel pair, of the module the path names */
	bool is_result;	  /* a channel pair: its sender never waits (not typed) */
} returns[] = {
	{ "std::process::Command::new", "std::process::Command", false },
	{ "std::thread::spawn", "std::thread::JoinHandle", false },
	{ "std::thread::Builder::new", "std::thread::Builder", false },
	{ "std::io::stdin", "std::io::Stdin", false },
	{ "std::fs::OpenOptions::new", "std::fs::OpenOptions", false },
	{ "std::fs::File::open", "std::fs::File", true },
	{ "std::fs::File::create", "std::fs::File", true },
	{ "std::net::TcpListener::bind", "std::net::TcpListener", true },
	{ "std::net::TcpStream::connect", "std::net::TcpStream", true },
	{ "std::net::UdpSocket::bind", "std::net::UdpSocket", true },
	{ "ureq::get", "ureq::Request", false },
	{ "ureq::post", "ureq::Request", false },
	{ "ureq::put", "ureq::Request", false },
	{ "ureq::delete", "ureq::Request", false },
	{ "ureq::head", "ureq::Request", false },
	{ "ureq::patch", "ureq::Request", false },
	{ "ureq::request", "ureq::Request", false },
	{ "std::sync::mpsc::channel", NULL, false },
	{ "std::sync::mpsc::sync_channel", NULL, false },
	{ "crossbeam_channel::bounded", NULL, false },
	{ "crossbeam::channel::bounded", NULL, false },
	/* An unbounded sender never waits: only the receiver is typed. */
	{ "crossbeam_channel::unbounded", NULL, true },
	{ "crossbeam::channel::unbounded", NULL, true },
	{ "std::path::Path::new", "std::path::Path", false },
	{ "std::path::PathBuf::from", "std::path::Path", false },
	{ "std::net::SocketAddr::new", "std::net::SocketAddr", false },
	{ "std::net::SocketAddr::from", "std::net::SocketAddr", false },
	{ "std::net::SocketAddrV4::new", "std::net::SocketAddr", false },
	{ "std::net::SocketAddrV6::new", "std::net::SocketAddr", false },
	{ "std::io::Cursor::new", "std::io::Cursor", false },
	{ "std::io::sink", "std::io::Sink", false },
	{ "std::io::empty", "std::io::Empty", false },
	{ "postgres::Client::connect", "postgres::Client", true },
	{ "ureq::agent", "ureq::Agent", false },
	{ "tokio::runtime::Runtime::new", "tokio::runtime::Runtime", true },
	{ "tokio::runtime::Handle::current", "tokio::runtime::Handle", false },
	{ "tokio::runtime::Handle::try_current", "tokio::runtime::Handle", true },
	{ "tokio::runtime::Builder::new_multi_thread", "tokio::runtime::Builder", false },
	{ "tokio::runtime::Builder::new_current_thread", "tokio::runtime::Builder", false },
};

static const struct {
	const char *type;
	const char *methods; /* space separated, with a space at each end */
	const char *result;  /* NULL: the same type */
	bool is_result;
} steps[] = {
	{ "std::process::Command",
	  " arg args env envs env_remove env_clear current_dir stdin stdout stderr uid gid groups process_group arg0 ",
	  NULL, false },
	{ "std::process::Command", " spawn ", "std::process::Child", true },
	{ "std::thread::Builder", " name stack_size ", NULL, false },
	{ "std::thread::Builder", " spawn ", "std::thread::JoinHandle", true },
	{ "std::fs::OpenOptions", " read write append truncate create create_new mode custom_flags ", NULL, false },
	{ "std::fs::OpenOptions", " open ", "std::fs::File", true },
	{ "std::io::Stdin", " lock ", NULL, false }, /* StdinLock reads block the same way */
	{ "tokio::runtime::Builder",
	  " enable_all enable_io enable_time worker_threads thread_name thread_name_fn thread_stack_size "
	  "max_blocking_threads thread_keep_alive on_thread_start on_thread_stop global_queue_interval "
	  "event_interval start_paused ",
	  NULL, false },
	{ "tokio::runtime::Builder", " build ", "tokio::runtime::Runtime", true },
	{ "tokio::runtime::Runtime", " handle ", "tokio::runtime::Handle", false },
	{ "reqwest::blocking::Client", " get post put patch delete head request ", "reqwest::blocking::RequestBuilder",
	  false },
	{ "std::path::Path", " join with_file_name with_extension to_path_buf ", NULL, false },
	{ "std::path::Path", " parent ", NULL, true },
	{ "ureq::Agent", " get post put delete head patch request ", "ureq::Request", false },
	{ "ureq::Request", " set query header timeout config ", NULL, false },
	{ "reqwest::blocking::RequestBuilder",
	  " header headers body json form query timeout basic_auth bearer_auth multipart version ", NULL, false },
};

static bool word_in(const char *words, const char *w, size_t len)
{
	for (const char *p = words; (p = strstr(p, " ")) != NULL && p[1]; p++)
		if (!strncmp(p + 1, w, len) && p[1 + len] == ' ')
			return true;
	return false;
}

/* A PathBuf derefs to a Path, whose methods are the ones listed: one name for both (consumes `name`). */
static char *canon_type(char *name)
{
	if (name && !strcmp(name, "std::path::PathBuf")) {
		free(name);
		return cg_strdup("std::path::Path");
	}
	return name;
}

static struct vtype type_of_path_call(const char *resolved)
{
	struct vtype t = { 0 };
	const char *last;
	for (size_t i = 0; i < sizeof(returns) / sizeof(returns[0]); i++) {
		if (strcmp(returns[i].path, resolved))
			continue;
		if (!returns[i].type) {
			t.name = cg_strndup(resolved, (size_t)(cg_blocking_last_seg(resolved) - resolved) - 2);
			t.is_channel = true;
			t.is_send_free = returns[i].is_result;
			return t;
		}
		return vtype_of(returns[i].type, returns[i].is_result);
	}
	/* `T::new()` and `T::default()` give a T, whoever T is. */
	last = cg_blocking_last_seg(resolved);
	if (last != resolved && !strcmp(last, "from") &&
	    cg_blocking_is_socket_addr_type(resolved, (size_t)(last - resolved) - 2))
		return vtype_of("std::net::SocketAddr", false);
	if (last != resolved && (!strcmp(last, "new") || !strcmp(last, "default"))) {
		size_t tlen = (size_t)(last - resolved) - 2;
		const char *tseg = resolved;
		for (const char *q; (q = strstr(tseg, "::")) != NULL && q < resolved + tlen;)
			tseg = q + 2;
		if (*tseg >= 'A' && *tseg <= 'Z') {
			t.name = canon_type(cg_strndup(resolved, tlen));
			return t;
		}
	}
	return t;
}

/* The type of `recv.method(..)`, consuming `recv`. */
static struct vtype type_of_method(struct vtype recv, const char *m, size_t len)
{
	struct vtype t = { 0 };
	if (!recv.name)
		return t;
	if (recv.is_result) {
		if (word_in(" unwrap expect unwrap_or_else ", m, len)) {
			recv.is_result = false;
			return recv;
		}
		vtype_clear(&recv);
		return t;
	}
	if (!recv.is_channel && word_in(" clone to_owned as_ref borrow by_ref as_mut ", m, len))
		return recv;
	if (recv.elem) {
		/* By value or by reference, an element's methods are its type's. */
		if (word_in(" into_iter drain iter iter_mut ", m, len))
			return recv;
		if (word_in(" pop remove swap_remove ", m, len))
			t = vtype_of(recv.elem, word_in(" pop ", m, len)); /* an Option */
		vtype_clear(&recv);
		return t;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (recv.is_channel || strcmp(steps[i].type, recv.name) || !word_in(steps[i].methods, m, len))
			continue;
		if (!steps[i].result) {
			recv.is_result = steps[i].is_result;
			return recv;
		}
		t = vtype_of(steps[i].result, steps[i].is_result);
		break;
	}
	vtype_clear(&recv);
	return t;
}

/* ---- scoped variables ---- */

static size_t bucket_of(const char *name, size_t len)
{
	return (size_t)(cg_hash64(name, len, 0) % BIND_BUCKETS);
}

/*
 * The type of the newest binding of `name`. A deferred return type is read
 * here; when the fn declares none, the binding is as if never made (bind
 * records an unknown type only to shadow a known one).
 */
static struct vtype *binding_of(const struct walk *w, const char *name, size_t len)
{
	for (size_t i = w->bucket[bucket_of(name, len)]; i != NO_BINDING; i = w->binds[i].prev) {
		struct vtype *t = &w->binds[i].t;
		if (strlen(w->binds[i].name) != len || memcmp(w->binds[i].name, name, len))
			continue;
		if (t->ret_of) {
			t->name = cg_callgraph_return_type(w->ctx->cargo, &w->list, w->ctx->path, t->ret_module,
							   t->ret_of, &t->is_result);
			free(t->ret_of);
			t->ret_of = NULL;
			t->ret_module = NULL;
			w->binds[i].is_void = !t->name;
		}
		if (!w->binds[i].is_void)
			return t;
	}
	return NULL;
}

/* Records `name`: always when its type is known, else only to shadow a known one. */
static void bind(struct walk *w, const char *name, size_t len, struct vtype t)
{
	size_t b = bucket_of(name, len);
	if (!t.name && !t.ret_of) {
		const struct vtype *prev = binding_of(w, name, len);
		if (!prev || !prev->name) {
			vtype_clear(&t);
			return;
		}
	}
	cg_array_grow((void **)&w->binds, &w->binds_cap, w->nbinds + 1, sizeof(*w->binds));
	w->binds[w->nbinds].name = cg_strndup(name, len);
	w->binds[w->nbinds].t = t;
	w->binds[w->nbinds].is_void = false;
	w->binds[w->nbinds].prev = w->bucket[b];
	w->bucket[b] = w->nbinds;
	w->nbinds++;
}

/* Bindings are scoped like a stack, so popping restores each bucket's head. */
static void unbind_to(struct walk *w, size_t mark)
{
	while (w->nbinds > mark) {
		struct binding *bd = &w->binds[--w->nbinds];
		w->bucket[bucket_of(bd->name, strlen(bd->name))] = bd->prev;
		free(bd->name);
		vtype_clear(&bd->t);
	}
}

static void unguard_to(struct walk *w, size_t mark)
{
	while (w->nguards > mark)
		free(w->guards[--w->nguards].name);
}

static bool is_vec_name(const char *name)
{
	return !strcmp(name, "Vec") || !strcmp(name, "std::vec::Vec") || !strcmp(name, "alloc::vec::Vec") ||
	       !strcmp(name, "VecDeque") || !strcmp(name, "std::collections::VecDeque");
}

/*
 * The type an annotation names: `&mut Receiver<T>`, `Arc<Runtime>` and the
 * like; `is_elem_ok`: a Vec's elements are typed too (one level deep).
 */
static struct vtype annotation_type(const struct walk *w, TSNode type, bool is_elem_ok)
{
	struct vtype t = { 0 };
	for (int hops = 0; hops < 8 && !ts_node_is_null(type); hops++) {
		enum cg_kind k = cg_node_kind(type);
		if (k == CG_K_REFERENCE_TYPE) {
			type = cg_child(type, CG_F_TYPE);
		} else if (k == CG_K_GENERIC_TYPE) {
			TSNode base = cg_child(type, CG_F_TYPE);
			TSNode args = cg_child(type, CG_F_TYPE_ARGUMENTS);
			char *bt = ts_node_is_null(base) ? NULL : cg_rust_path_text(w->ctx->src, base);
			const char *bl = bt ? cg_blocking_last_seg(bt) : "";
			/* Smart pointers deref to what they hold. */
			if (bt && (!strcmp(bl, "Arc") || !strcmp(bl, "Rc") || !strcmp(bl, "Box")) &&
			    !ts_node_is_null(args) && ts_node_named_child_count(args)) {
				type = ts_node_named_child(args, 0);
			} else if (bt && is_elem_ok && (!strcmp(bl, "Vec") || !strcmp(bl, "VecDeque")) &&
				   !ts_node_is_null(args) && ts_node_named_child_count(args)) {
				struct vtype e = annotation_type(w, ts_node_named_child(args, 0), false);
				t = annotation_type(w, base, false);
				if (t.name && is_vec_name(t.name) && e.name && strcmp(e.name, "_"))
					t.elem = cg_strdup(e.name);
				vtype_clear(&e);
				free(bt);
				return t;
			} else {
				type = base;
			}
			free(bt);
		} else if (k == CG_K_TYPE_IDENTIFIER || k == CG_K_SCOPED_TYPE_IDENTIFIER) {
			size_t len;
			const char *text = cg_node_text(w->ctx->src, type, &len);
			t.name = canon_type(
				cg_rust_resolve_scoped(w->rf, ts_node_start_byte(type), text, len, w->is_crate_root));
			return t;
		} else {
			break;
		}
	}
	return t;
}

static struct vtype type_of_annotation(const struct walk *w, TSNode type)
{
	return annotation_type(w, type, true);
}

/* ---- chains: a.b()?.c().await ---- */

enum op_kind { OP_PATH_CALL, OP_METHOD, OP_TRY, OP_AWAIT, OP_IDENT, OP_OTHER };

struct op {
	enum op_kind kind;
	TSNode node; /* the call, or the root expression */
};

struct chain {
	struct op *ops; /* outermost first; the root last */
	size_t n, cap;
};

static void chain_push(struct chain *c, enum op_kind kind, TSNode node)
{
	cg_array_grow((void **)&c->ops, &c->cap, c->n + 1, sizeof(*c->ops));
	c->ops[c->n++] = (struct op){ kind, node };
}

static void chain_collect(struct chain *c, TSNode e)
{
	c->n = 0;
	for (;;) {
		enum cg_kind k = cg_node_kind(e);
		if (k == CG_K_CALL_EXPRESSION) {
			TSNode fn = cg_child(e, CG_F_FUNCTION);
			if (kind_is(fn, CG_K_FIELD_EXPRESSION)) {
				chain_push(c, OP_METHOD, e);
				e = cg_child(fn, CG_F_VALUE);
				if (ts_node_is_null(e))
					return;
				continue;
			}
			chain_push(c, OP_PATH_CALL, e);
			return;
		}
		if (k == CG_K_TRY_EXPRESSION || k == CG_K_AWAIT_EXPRESSION || k == CG_K_PARENTHESIZED_EXPRESSION) {
			if (k == CG_K_TRY_EXPRESSION)
				chain_push(c, OP_TRY, e);
			else if (k == CG_K_AWAIT_EXPRESSION)
				chain_push(c, OP_AWAIT, e);
			if (!ts_node_named_child_count(e))
				return;
			e = ts_node_named_child(e, 0);
			continue;
		}
		chain_push(c, k == CG_K_IDENTIFIER ? OP_IDENT : OP_OTHER, e);
		return;
	}
}

static char *resolve_node(const struct walk *w, TSNode path)
{
	size_t len;
	const char *text = cg_node_text(w->ctx->src, path, &len);
	return cg_rust_resolve_scoped(w->rf, ts_node_start_byte(path), text, len, w->is_crate_root);
}

/* ---- findings ---- */

static void put_shown(struct cg_buf *out, const char *text, size_t len)
{
	struct cg_buf t = CG_BUF_INIT;
	bool was_space = false;
	for (size_t i = 0; i < len; i++) {
		bool sp = text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
		if (sp && (was_space || !t.size))
			continue;
		cg_buf_putc(&t, sp ? ' ' : text[i]);
		was_space = sp;
	}
	while (t.size && t.ptr[t.size - 1] == ' ')
		cg_buf_truncate(&t, t.size - 1);
	if (t.size > SHOWN_TEXT_MAX || memchr(t.ptr, '`', t.size))
		cg_buf_puts(out, "…");
	else
		cg_buf_put(out, t.ptr, t.size);
	cg_buf_release(&t);
}

/* A call's last argument (the future of `block_on(&rt, fut)`), or all of them. */
static void put_last_arg(struct cg_buf *out, const struct walk *w, TSNode args)
{
	uint32_t n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
	size_t len;
	const char *t;
	if (!n)
		return;
	t = cg_node_text(w->ctx->src, ts_node_named_child(args, n - 1), &len);
	put_shown(out, t, len);
}

/* A call's argument text without its parentheses. */
static void put_args(struct cg_buf *out, const struct walk *w, TSNode args)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(args))
		return;
	t = cg_node_text(w->ctx->src, args, &len);
	if (len >= 2 && (t[0] == '(' || t[0] == '[' || t[0] == '{'))
		t++, len -= 2;
	/* `&{args}` of a borrowed argument: `&dir`, not `&&dir`. */
	if (len && t[0] == '&' && out->size && out->ptr[out->size - 1] == '&')
		cg_buf_truncate(out, out->size - 1);
	put_shown(out, t, len);
}

static void put_where(struct cg_buf *out, const struct walk *w, const struct actx *c)
{
	if (c->body == BODY_ASYNC_FN && !ts_node_is_null(c->fn_name)) {
		size_t len;
		const char *t = cg_node_text(w->ctx->src, c->fn_name, &len);
		cg_buf_printf(out, "async fn `%.*s`", (int)len, t);
	} else if (c->body == BODY_ASYNC_CLOSURE) {
		cg_buf_puts(out, "an async closure");
	} else {
		cg_buf_puts(out, "an async block");
	}
}

/*
 * {try}: how the call site handles the call's error, for a sketch that
 * returns a Result of its own: `.unwrap()` where the result is unwrapped or
 * expected (a `?` would not build in a fn returning `()`), else `?`.
 */
static void put_try(struct cg_buf *out, const struct walk *w, TSNode args)
{
	TSNode call = ts_node_is_null(args) ? args : ts_node_parent(args);
	TSNode up = ts_node_is_null(call) ? call : ts_node_parent(call);
	if (kind_is(up, CG_K_FIELD_EXPRESSION)) {
		size_t len;
		TSNode field = cg_child(up, CG_F_FIELD);
		const char *t = ts_node_is_null(field) ? NULL : cg_node_text(w->ctx->src, field, &len);
		if (t && len == 6 && (!memcmp(t, "unwrap", 6) || !memcmp(t, "expect", 6))) {
			cg_buf_puts(out, ".unwrap()");
			return;
		}
	}
	cg_buf_putc(out, '?');
}

/*
 * The Result of the call whose arguments are `args` is matched where it is
 * made, not unwrapped: `if let Err(e) = call`, `while let Ok(x) = call`, a
 * `let Ok(x) = call else {..}`, `match call {..}`, `call.is_ok()`. A
 * replacement that adds `?` there changes what the code does with an error.
 */
static bool result_is_matched(const struct walk *w, TSNode args)
{
	TSNode call = ts_node_is_null(args) ? args : ts_node_parent(args);
	TSNode up = ts_node_is_null(call) ? call : ts_node_parent(call);
	if (ts_node_is_null(up))
		return false;
	if (!strcmp(ts_node_type(up), "let_condition") || kind_is(up, CG_K_MATCH_EXPRESSION))
		return ts_node_eq(cg_child(up, CG_F_VALUE), call);
	if (kind_is(up, CG_K_LET_DECLARATION))
		return ts_node_eq(cg_child(up, CG_F_VALUE), call) && !ts_node_is_null(cg_child(up, CG_F_ALTERNATIVE));
	if (kind_is(up, CG_K_FIELD_EXPRESSION)) {
		TSNode field = cg_child(up, CG_F_FIELD);
		return cg_node_is(w->ctx->src, field, "is_ok") || cg_node_is(w->ctx->src, field, "is_err");
	}
	return false;
}

/*
 * Expands {name}, {args}, {last_arg}, {try}, {receiver} and {&receiver} in a
 * configured replacement. {&receiver} borrows a receiver that is a variable
 * or a field (`&journal`): tokio's fs functions take `impl AsRef<Path>` by
 * value, and a PathBuf moved there is gone for the code after it.
 */
static void put_replacement(struct cg_buf *out, const struct walk *w, const char *rep, const char *name, TSNode args,
			    TSNode receiver)
{
	for (const char *p = rep; *p;) {
		bool is_borrowed = !strncmp(p, "{&receiver}", 11);
		if (!strncmp(p, "{name}", 6)) {
			cg_buf_puts(out, name);
			p += 6;
		} else if (!strncmp(p, "{args}", 6)) {
			put_args(out, w, args);
			p += 6;
		} else if (!strncmp(p, "{last_arg}", 10)) {
			put_last_arg(out, w, args);
			p += 10;
		} else if (!strncmp(p, "{try}", 5)) {
			put_try(out, w, args);
			p += 5;
		} else if (is_borrowed || !strncmp(p, "{receiver}", 10)) {
			/* `Path::exists(p)` called as a path: its receiver is the first argument. */
			TSNode r = receiver;
			size_t len;
			if (ts_node_is_null(r) && kind_is(args, CG_K_ARGUMENTS) && ts_node_named_child_count(args))
				r = ts_node_named_child(args, 0);
			if (ts_node_is_null(r)) {
				cg_buf_puts(out, "…");
			} else {
				const char *t = cg_node_text(w->ctx->src, r, &len);
				if (is_borrowed && (kind_is(r, CG_K_IDENTIFIER) || kind_is(r, CG_K_FIELD_EXPRESSION)))
					cg_buf_putc(out, '&');
				put_shown(out, t, len);
			}
			p += is_borrowed ? 11 : 10;
		} else {
			cg_buf_putc(out, *p++);
		}
	}
}

/*
 * Rewrites a tokio replacement for the crate's runtime. What has no
 * counterpart of the same shape there becomes that runtime's way to run
 * blocking code off the executor: a suggestion that does not build is worse
 * than none. An RT_ACTIX_RT entry serves both actix kinds; its `@` stands
 * for the path actix-rt is reached by (runtime_root).
 */
static const struct {
	enum runtime rt;
	const char *from, *to;
} runtime_map[] = {
	{ RT_ACTIX_RT, "tokio::task::spawn_blocking(", "@task::spawn_blocking(" },
	{ RT_ACTIX_RT, "tokio::time::sleep(", "@time::sleep(" },
	{ RT_ACTIX_RT, "tokio::net::lookup_host(", NULL },
	{ RT_ACTIX_RT, "tokio::net::", "@net::" },
	{ RT_ASYNC_STD, "tokio::fs::try_exists(", NULL },
	{ RT_ASYNC_STD, "tokio::fs::", "async_std::fs::" },
	{ RT_ASYNC_STD, "tokio::net::lookup_host(", NULL },
	{ RT_ASYNC_STD, "tokio::net::", "async_std::net::" },
	{ RT_ASYNC_STD, "tokio::time::sleep(", "async_std::task::sleep(" },
	{ RT_ASYNC_STD, "`while let Ok(Some(entry)) = entries.next_entry().await`",
	  "`while let Some(Ok(entry)) = entries.next().await` (StreamExt)" },
	{ RT_ASYNC_STD, "entries.next_entry().await?", "entries.next().await (StreamExt)" },
	{ RT_ASYNC_STD, "entries.next_entry().await.unwrap()", "entries.next().await (StreamExt)" },
	{ RT_ASYNC_STD, "tokio's ReadDir is not an Iterator", "async-std's ReadDir is a Stream" },
	{ RT_SMOL, "tokio::fs::try_exists(", NULL },
	{ RT_SMOL, "tokio::fs::", "smol::fs::" },
	{ RT_SMOL, "tokio::net::lookup_host(", NULL },
	{ RT_SMOL, "tokio::net::", "smol::net::" },
	{ RT_SMOL, "tokio::process::", "smol::process::" },
	{ RT_SMOL, "tokio::time::sleep(", "smol::Timer::after(" },
	{ RT_SMOL, "`while let Ok(Some(entry)) = entries.next_entry().await`",
	  "`while let Some(Ok(entry)) = entries.next().await` (StreamExt)" },
	{ RT_SMOL, "entries.next_entry().await?", "entries.next().await (StreamExt)" },
	{ RT_SMOL, "entries.next_entry().await.unwrap()", "entries.next().await (StreamExt)" },
	{ RT_SMOL, "tokio's ReadDir is not an Iterator", "smol's ReadDir is a Stream" },
};

static const char *runtime_root(enum runtime rt)
{
	return rt == RT_ACTIX_WEB ? "actix_web::rt::" : "actix_rt::";
}

static const char *runtime_unblock(enum runtime rt)
{
	switch (rt) {
	case RT_ACTIX_RT:
		return "actix_rt::task::spawn_blocking(move || …).await";
	case RT_ACTIX_WEB:
		return "actix_web::web::block(move || …).await";
	case RT_ASYNC_STD:
		return "async_std::task::spawn_blocking(move || …).await";
	case RT_SMOL:
		return "smol::unblock(move || …).await";
	case RT_OTHER:
	case RT_NONE:
		return "blocking::unblock(move || …).await";
	case RT_TOKIO:
		break;
	}
	return "tokio::task::spawn_blocking(move || …).await";
}

static void put_for_runtime(struct cg_buf *out, enum runtime rt, const char *rep)
{
	struct cg_buf b = CG_BUF_INIT;
	bool is_lost = false;
	if (rt == RT_TOKIO || !strstr(rep, "tokio::")) {
		cg_buf_puts(out, rep);
		return;
	}
	for (const char *p = rep; *p && !is_lost;) {
		size_t i, n = sizeof(runtime_map) / sizeof(runtime_map[0]);
		for (i = 0; i < n; i++)
			if ((runtime_map[i].rt == rt || (runtime_map[i].rt == RT_ACTIX_RT && rt == RT_ACTIX_WEB)) &&
			    cg_starts_with(p, runtime_map[i].from))
				break;
		if (i == n) {
			cg_buf_putc(&b, *p++);
		} else if (!runtime_map[i].to) {
			is_lost = true;
		} else {
			const char *to = runtime_map[i].to;
			if (*to == '@') {
				cg_buf_puts(&b, runtime_root(rt));
				to++;
			}
			cg_buf_puts(&b, to);
			p += strlen(runtime_map[i].from);
		}
	}
	cg_buf_puts(out, is_lost || strstr(b.ptr, "tokio::") ? runtime_unblock(rt) : b.ptr);
	cg_buf_release(&b);
}

static bool tokio_lacks(struct cg_rule_ctx *ctx, bool is_test, const char *feature);

/* The tokio feature each part of tokio's API a replacement names needs. */
static const struct {
	const char *prefix, *feature;
} tokio_features[] = {
	{ "tokio::fs::", "fs" },
	{ "tokio::net::", "net" },
	{ "tokio::time::", "time" },
	{ "tokio::process::", "process" },
	{ "tokio::sync::", "sync" },
	{ "tokio::signal::", "signal" },
	{ "tokio::io::stdin", "io-std" },
	{ "tokio::io::AsyncReadExt", "io-util" },
	{ "tokio::io::AsyncWriteExt", "io-util" },
	{ "tokio::io::AsyncBufReadExt", "io-util" },
	{ "tokio::io::BufReader", "io-util" },
	{ "tokio::task::spawn_blocking", "rt" },
};

/*
 * Whether the file already names that part of tokio (`tokio::fs`): then the
 * feature is on, whoever turns it on (neon's utils gets `fs` through
 * tokio-tar).
 */
static bool uses_tokio_part(const struct cg_source *src, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n > 2 && !strcmp(prefix + n - 2, "::"))
		n -= 2;
	return memmem(src->text, src->len, prefix, n) != NULL;
}

/*
 * "; use `rep`", rewritten for the crate's runtime; with tokio, the
 * features it needs that the crate's tokio is known not to turn on
 * (hickory's bin has tokio without `fs`: `tokio::fs::remove_file` builds
 * once `fs` is added).
 */
static void put_use(struct cg_buf *msg, const struct walk *w, bool is_test, const char *rep)
{
	enum runtime rt = w->runtime;
	bool is_first = true;
	cg_buf_puts(msg, "; use `");
	put_for_runtime(msg, rt, rep);
	cg_buf_puts(msg, "`");
	for (size_t i = 0; rt == RT_TOKIO && i < sizeof(tokio_features) / sizeof(*tokio_features); i++) {
		bool is_repeat = false;
		if (!strstr(rep, tokio_features[i].prefix))
			continue;
		for (size_t k = 0; k < i && !is_repeat; k++)
			is_repeat = !strcmp(tokio_features[k].feature, tokio_features[i].feature) &&
				    strstr(rep, tokio_features[k].prefix);
		if (is_repeat || uses_tokio_part(w->ctx->src, tokio_features[i].prefix) ||
		    !tokio_lacks(w->ctx, is_test, tokio_features[i].feature))
			continue;
		cg_buf_printf(msg, "%s`%s`", is_first ? " (add tokio's feature " : " and ", tokio_features[i].feature);
		is_first = false;
	}
	if (!is_first)
		cg_buf_puts(msg, ": the crate's tokio dependency does not turn it on)");
	if (rt == RT_NONE && strstr(rep, "tokio::"))
		cg_buf_puts(msg, " (add the `blocking` crate, which runs on any executor: this code has no async "
				 "runtime among its crate's dependencies, so none of tokio, async-std or smol can be "
				 "named)");
}

/* Whether a feature of the manifest turns on optional dependency `key` (`dep:key`, `key/f`, `key`). */
static bool is_feature_enabled_dep(const struct cg_manifest *m, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < m->nfeatures; i++) {
		for (size_t k = 0; k < m->features[i].nitems; k++) {
			const char *it = m->features[i].items[k].text;
			if (cg_starts_with(it, "dep:"))
				it += 4;
			if (!strncmp(it, key, n) &&
			    (it[n] == '\0' || it[n] == '/' || (it[n] == '?' && it[n + 1] == '/')))
				return true;
		}
	}
	return false;
}

/*
 * The crate's runtime, from the dependencies the file's code can name (its
 * normal ones, an optional one when a feature turns it on; in a test file,
 * dev-dependencies too): tokio
 * when it has tokio (or no manifest is known), else the runtime it does
 * have. actix-rt, direct or through actix-web, is tokio with parts of its
 * API re-exported: actix-files' tests run on it without naming tokio. Code with none (its futures run on an executor
 * its caller picks: a framework's, or the browser's) cannot name tokio: `blocking::unblock` runs on any executor, once
 * the crate adds `blocking` (put_use says so).
 */
static enum runtime crate_runtime(struct cg_rule_ctx *ctx)
{
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	bool has[RT_NONE] = { false }, is_test_path = cg_rust_path_is_test(ctx->path);
	if (!cr)
		return RT_TOKIO;
	/* tokio's own workspace does not depend on tokio: it is tokio. */
	if (cr->manifest.package_name && cg_starts_with(cr->manifest.package_name, "tokio"))
		return RT_TOKIO;
	for (size_t i = 0; i < cr->manifest.ndeps; i++) {
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		const char *name = cg_crate_dep_crate(d);
		/*
		 * What the code can name: a dev-dependency only in test files, an
		 * optional one when a feature of the crate turns it on (code that
		 * uses it sits under that feature; dioxus-html's tokio, which no
		 * feature names, is no runtime its code has). `blocking` builds on
		 * any executor.
		 */
		if (d->is_workspace_decl || d->kind == CG_DEP_BUILD || (d->kind == CG_DEP_DEV && !is_test_path) ||
		    (d->is_optional && !is_feature_enabled_dep(&cr->manifest, d->key)))
			continue;
		if (!strcmp(name, "tokio"))
			has[RT_TOKIO] = true;
		else if (!strcmp(name, "actix-rt"))
			has[RT_ACTIX_RT] = true;
		else if (!strcmp(name, "actix-web"))
			has[RT_ACTIX_WEB] = true;
		else if (!strcmp(name, "async-std") || !strcmp(name, "async_std"))
			has[RT_ASYNC_STD] = true;
		else if (!strcmp(name, "smol"))
			has[RT_SMOL] = true;
		else if (!strcmp(name, "futures-lite") || !strcmp(name, "blocking"))
			has[RT_OTHER] = true; /* plain `futures` says nothing: most tokio code has it too */
	}
	if (has[RT_TOKIO])
		return RT_TOKIO;
	if (has[RT_ACTIX_RT])
		return RT_ACTIX_RT;
	if (has[RT_ACTIX_WEB])
		return RT_ACTIX_WEB;
	if (has[RT_ASYNC_STD])
		return RT_ASYNC_STD;
	if (has[RT_SMOL])
		return RT_SMOL;
	return has[RT_OTHER] ? RT_OTHER : RT_NONE;
}

/* Whether a resolved path is an async runtime's API (tokio's, futures', …), which takes the async types. */
static bool is_async_api(const char *resolved)
{
	static const char *const roots[] = {
		"tokio::", "tokio_util::", "futures", "async_std::", "smol::", "async_io::"
	};
	for (size_t i = 0; i < sizeof(roots) / sizeof(*roots); i++)
		if (cg_starts_with(resolved, roots[i]))
			return true;
	return false;
}

/*
 * Whether the consumer written just before `at` (`io::BufReader::new(`) is
 * std's: tokio, futures and the other runtimes have BufReaders of their own,
 * which take the async type.
 */
static bool is_std_consumer(const struct walk *w, const char *start, const char *at)
{
	const char *p = at;
	char *resolved;
	bool is_std;
	while (p > start && (p[-1] == ':' || p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
			     (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')))
		p--;
	if (p == at || *at == '.')
		return true;
	resolved = cg_rust_resolve(w->rf, p, (size_t)(at - p));
	is_std = !is_async_api(resolved);
	free(resolved);
	return is_std;
}

static bool is_word_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the `)` closing the `(` at p, over string literals; NULL when it is not closed before end. */
static const char *past_parens(const char *p, const char *end)
{
	size_t depth = 0;
	for (; p < end; p++) {
		if (*p == '"') {
			while (++p < end && *p != '"')
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p == end)
				return NULL;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

/*
 * Methods of std's File and sockets (std::io::Read, Write and Seek, and the
 * socket setters) that tokio's types have only as futures, or not at all:
 * called without `.await`, they use the value as std.
 */
static const char std_use_methods[] = " read read_to_end read_to_string read_exact read_vectored bytes write "
				      "write_all write_fmt write_vectored flush seek rewind stream_position sync_all "
				      "sync_data set_len set_permissions metadata try_clone set_nonblocking "
				      "set_read_timeout set_write_timeout read_at write_at read_exact_at write_all_at "
				      "seek_read seek_write ";

/*
 * Whether the value written just before p is used through one of those
 * methods, past any `?`, `.unwrap()` or `.expect(..)`:
 * `File::create(p)?.write_all(b)`, `f.read_to_end(&mut v)`. With `type`,
 * a method the list reports on that type is left out: its own finding
 * names the async call, and with it the tokio value builds.
 */
static bool is_used_as_std(const struct walk *w, const char *type, const char *p, const char *end)
{
	const struct cg_blocking_entry *e = NULL;
	char *shown = NULL;
	const char *m;
	for (;;) {
		p = skip_space(p, end);
		if (p < end && *p == '?') {
			p++;
			continue;
		}
		if (p == end || *p != '.')
			return false;
		for (m = p = skip_space(p + 1, end); p < end && is_word_char(*p);)
			p++;
		if (p == m || !word_in(" unwrap expect ", m, (size_t)(p - m)))
			break;
		p = skip_space(p, end);
		if (p == end || *p != '(' || (p = past_parens(p, end)) == NULL)
			return false;
	}
	if (p == m || !word_in(std_use_methods, m, (size_t)(p - m)))
		return false;
	if (type)
		e = cg_blocking_match_method(&w->list, type, m, (size_t)(p - m), &shown);
	free(shown);
	if (e)
		return false;
	p = skip_space(p, end);
	if (p == end || *p != '(' || (p = past_parens(p, end)) == NULL)
		return false;
	p = skip_space(p, end);
	return !((size_t)(end - p) >= 6 && !memcmp(p, ".await", 6));
}

/* The blocking calls that return a std File or socket, a value the code may go on using as std. */
static bool returns_std_handle(const char *what)
{
	return cg_starts_with(what, "std::fs::File::") || cg_starts_with(what, "std::fs::OpenOptions::") ||
	       cg_starts_with(what, "std::net::") || cg_starts_with(what, "std::os::unix::net::");
}

/* The type of the handle such a call returns (owned): a File for std::fs, else the call's own type. */
static char *handle_type(const char *what)
{
	if (cg_starts_with(what, "std::fs::"))
		return cg_strdup("std::fs::File");
	return cg_strndup(what, (size_t)(cg_blocking_last_seg(what) - what) - 2);
}

/*
 * Whether the type text [t, t+len) names the std handle `type` ("std::fs::File"):
 * as written in full, or by its last segment resolving to it where the fn is.
 */
static bool type_names(const struct walk *w, uint32_t at, const char *t, size_t len, const char *type)
{
	const char *last = cg_blocking_last_seg(type);
	size_t n = strlen(last);
	for (const char *p = t; (p = memmem(p, (size_t)(t + len - p), last, n)) != NULL; p += n) {
		const char *start = p;
		char *resolved;
		bool is_it;
		if ((p > t && is_word_char(p[-1])) || (p + n < t + len && is_word_char(p[n])))
			continue;
		while (start > t && (is_word_char(start[-1]) || start[-1] == ':'))
			start--;
		resolved = cg_rust_resolve_at(w->rf, at, start, (size_t)(p + n - start));
		is_it = !strcmp(resolved, type);
		free(resolved);
		if (is_it)
			return true;
	}
	return false;
}

/*
 * Whether the value of the chain at level k is what its async fn returns
 * (the body's tail expression or a `return`, through `?`, `Ok(..)` and
 * methods called on it such as `.or_else(..)`) while the fn's declared
 * return type names the std handle: a trait's `async fn open(..) ->
 * io::Result<File>` wants std's File, and tokio's would not build there.
 */
static bool is_returned_as_std(const struct walk *w, const char *what, size_t k)
{
	TSNode child = w->levels[k].node, ret;
	char *type = handle_type(what);
	bool is_std = false, is_return = false;
	size_t len;
	const char *t;

	for (size_t j = k; j-- > 0;) {
		TSNode n = w->levels[j].node;
		if (kind_is(n, CG_K_FUNCTION_ITEM)) {
			ret = cg_child(n, CG_F_RETURN_TYPE);
			if (!ts_node_is_null(ret) && w->levels[j].ctx.body == BODY_ASYNC_FN) {
				t = cg_node_text(w->ctx->src, ret, &len);
				is_std = type_names(w, ts_node_start_byte(ret), t, len, type);
			}
			break;
		}
		if (kind_is(n, CG_K_CLOSURE_EXPRESSION) || kind_is(n, CG_K_ASYNC_BLOCK))
			break; /* its own return */
		if (is_return)
			continue; /* up to the fn the `return` leaves */
		if (type_is_name(n, "return_expression")) {
			is_return = true;
		} else if (kind_is(n, CG_K_BLOCK)) {
			/* Only the tail expression of the fn's own body. */
			if (ts_node_is_null(ts_node_next_named_sibling(child)) &&
			    !kind_is(child, CG_K_EXPRESSION_STATEMENT) && j > 0 &&
			    kind_is(w->levels[j - 1].node, CG_K_FUNCTION_ITEM)) {
				child = n;
				continue;
			}
			break;
		} else if (!(kind_is(n, CG_K_TRY_EXPRESSION) || kind_is(n, CG_K_PARENTHESIZED_EXPRESSION) ||
			     kind_is(n, CG_K_FIELD_EXPRESSION) || kind_is(n, CG_K_ARGUMENTS) ||
			     kind_is(n, CG_K_CALL_EXPRESSION))) {
			break;
		} else if (kind_is(n, CG_K_ARGUMENTS)) {
			/* Only `Ok(value)`: another call makes something else of it. */
			TSNode fn = j > 0 ? cg_child(w->levels[j - 1].node, CG_F_FUNCTION) : n;
			if (j == 0 || !cg_node_is(w->ctx->src, fn, "Ok"))
				break;
		} else if (kind_is(n, CG_K_CALL_EXPRESSION) && ts_node_eq(cg_child(n, CG_F_ARGUMENTS), child)) {
			; /* `Ok(value)`, checked at its arguments */
		} else if (kind_is(n, CG_K_FIELD_EXPRESSION) && !ts_node_eq(cg_child(n, CG_F_VALUE), child)) {
			break;
		}
		child = n;
	}
	free(type);
	return is_std;
}

/*
 * Whether `name` is one of the arguments of the call whose `(` is at open
 * (`x`, `&x`, `&mut x`): actix-server's `listen("name", l, factory)`.
 */
static bool is_call_argument(const char *open, const char *end, const char *name, size_t n)
{
	const char *close = past_parens(open, end), *a = open + 1;
	size_t depth = 0;
	if (!close)
		return false;
	close--;
	for (const char *p = a; p <= close; p++) {
		if (*p == '"') {
			while (++p < close && *p != '"')
				if (*p == '\\')
					p++;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (p < close && (*p == ')' || *p == ']' || *p == '}')) {
			depth -= depth > 0;
		} else if ((*p == ',' && !depth) || p == close) {
			const char *b = p;
			a = skip_space(a, b);
			while (a < b && *a == '&')
				a = skip_space(a + 1, b);
			if (b - a > 4 && !memcmp(a, "mut ", 4))
				a = skip_space(a + 4, b);
			while (b > a && (b[-1] == ' ' || b[-1] == '\n' || b[-1] == '\t' || b[-1] == '\r'))
				b--;
			if ((size_t)(b - a) == n && !memcmp(a, name, n))
				return true;
			a = p + 1;
		}
	}
	return false;
}

static const char *const std_io_traits[] = { "std::io::Read", "std::io::Write", "std::io::Seek", "std::io::BufRead" };

/* Whether [t, t+len), text of the file at byte `at`, names the handle `type` or a std io trait. */
static bool names_std_io(const struct walk *w, uint32_t at, const char *t, size_t len, const char *type)
{
	if (type_names(w, at, t, len, type))
		return true;
	for (size_t i = 0; i < sizeof(std_io_traits) / sizeof(*std_io_traits); i++)
		if (type_names(w, at, t, len, std_io_traits[i]))
			return true;
	return false;
}

/* Past the bracket group opening at p (`<…>`, `(…)`), `->` not closing one; end when unclosed. */
static const char *past_group(const char *p, const char *end)
{
	size_t depth = 0;
	for (; p < end; p++) {
		if (*p == '-' && p + 1 < end && p[1] == '>')
			p++;
		else if (*p == '<' || *p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == '>' || *p == ')' || *p == ']' || *p == '}') && depth && --depth == 0)
			return p + 1;
	}
	return end;
}

/*
 * Whether parameter `index` of the free fn `name` of this file takes the
 * std handle `type` ("std::fs::File"), a std io trait (`impl Read`), or a
 * type parameter bound by one (`R: Read`, in the generics or the where
 * clause). Read from the fn's signature text: the fn may be an item the
 * partial parse left out.
 */
static bool fn_param_wants_std(const struct walk *w, const char *name, size_t n, uint32_t index, const char *type)
{
	const struct cg_source *src = w->ctx->src;
	struct cg_items own = CG_ITEMS_INIT;
	const struct cg_items *items = w->rf->items;
	const struct cg_item *fn = NULL;
	const char *p, *sig_end, *generics = NULL, *params, *params_end, *a;
	uint32_t i = 0;
	bool wants = false;

	if (!items) {
		if (cg_items_scan(&own, src->text, src->len))
			return false;
		items = &own;
	}
	for (size_t k = 0; k < items->n && !fn; k++) {
		const struct cg_item *it = &items->items[k];
		if (it->kind == CG_ITEM_FN && it->has_body && it->name_len == n &&
		    !memcmp(src->text + it->name, name, n) &&
		    (it->parent == CG_ITEM_TOP || items->items[it->parent].kind == CG_ITEM_MOD))
			fn = it;
	}
	if (!fn)
		goto done;
	sig_end = src->text + fn->body - 1;
	p = skip_space(src->text + fn->name + n, sig_end);
	if (p < sig_end && *p == '<') {
		generics = p;
		p = skip_space(past_group(p, sig_end), sig_end);
	}
	if (p >= sig_end || *p != '(')
		goto done;
	params = p + 1;
	params_end = past_group(p, sig_end) - 1;
	for (a = params, p = params; p <= params_end && !wants; p++) {
		if (p < params_end && (*p == '<' || *p == '(' || *p == '[' || *p == '{')) {
			p = past_group(p, params_end) - 1;
		} else if (p == params_end || *p == ',') {
			/* `pat: Type`: the first `:` that is no `::`. */
			const char *colon = a, *t;
			while (colon < p && !(*colon == ':' && colon[1] != ':' && (colon == a || colon[-1] != ':')))
				colon++;
			if (colon < p && i++ == index) {
				size_t tlen;
				t = skip_space(colon + 1, p);
				tlen = (size_t)(p - t);
				while (tlen && (t[tlen - 1] == ' ' || t[tlen - 1] == '\n'))
					tlen--;
				wants = names_std_io(w, (uint32_t)(t - src->text), t, tlen, type);
				/* A type parameter: its bounds, in the generics or the where clause. */
				if (!wants && tlen && t[0] >= 'A' && t[0] <= 'Z') {
					size_t k = 0;
					while (k < tlen && is_word_char(t[k]))
						k++;
					if (k == tlen && generics)
						wants = names_std_io(w, (uint32_t)(generics - src->text), generics,
								     (size_t)(params - generics), type) ||
							names_std_io(w, (uint32_t)(params_end - src->text), params_end,
								     (size_t)(sig_end - params_end), type);
				}
				break;
			}
			a = p + 1;
		}
	}
done:
	cg_items_release(&own);
	return wants;
}

/*
 * Whether a call not awaited, of `callee`, takes a File or socket handed to
 * it as the std type: sync code uses it synchronously (neon's
 * `executor.draw_history(file)` wants a std::io::Write,
 * `std::io::Write::write_all(&mut file, b)` is std's own). Not the async
 * runtimes' APIs, nor what only holds or passes on a value (`Some(f)`,
 * `Arc::new(f)`, `drop(f)`, `v.push(f)`, `tx.send(f)`), which take a tokio
 * File as well.
 */
static bool is_sync_taker(const struct walk *w, TSNode callee)
{
	static const char holders[] = " drop Some Ok Err push push_back push_front insert send try_send "
				      "unbounded_send set replace ";
	static const char holder_types[] = " Box Arc Rc Mutex RwLock RefCell Cell Pin Option ";
	size_t len, seg_len;
	const char *t, *seg;
	char *resolved;
	bool is_async = false;
	if (kind_is(callee, CG_K_FIELD_EXPRESSION)) {
		TSNode field = cg_child(callee, CG_F_FIELD);
		if (ts_node_is_null(field))
			return false;
		t = cg_node_text(w->ctx->src, field, &len);
		return !word_in(holders, t, len);
	}
	if (!kind_is(callee, CG_K_IDENTIFIER) && !kind_is(callee, CG_K_SCOPED_IDENTIFIER))
		return false;
	t = cg_node_text(w->ctx->src, callee, &len);
	seg = cg_rust_last_segment(t, len, &seg_len);
	if (word_in(holders, seg, seg_len))
		return false;
	if (seg != t && seg_len == 3 && !memcmp(seg, "new", 3)) {
		const char *tseg = seg - 2;
		while (tseg > t && tseg[-1] != ':')
			tseg--;
		if (word_in(holder_types, tseg, (size_t)(seg - 2 - tseg)))
			return false;
	}
	resolved = resolve_node(w, callee);
	is_async = is_async_api(resolved);
	free(resolved);
	return !is_async;
}

/*
 * Whether the handle `name`, named in [text, end), is handed to sync code
 * that takes it as std (is_sync_taker), or to a fn of this file whose
 * parameter there takes the std type (meilisearch's
 * `check_sha256(name, asset, file)` with `file: std::fs::File`).
 */
static bool feeds_file_fn(const struct walk *w, const char *type, const char *name, size_t n, const char *text,
			  const char *end)
{
	const char *base = w->ctx->src->text;
	TSNode root = cg_source_root(w->ctx->src);
	for (const char *at = text; (at = memmem(at, (size_t)(end - at), name, n)) != NULL; at += n) {
		TSNode id, arg, args, call, callee;
		uint32_t index = 0;
		size_t len;
		const char *ct;
		if (is_word_char(at[-1]) || is_word_char(at[n]))
			continue;
		id = ts_node_descendant_for_byte_range(root, (uint32_t)(at - base), (uint32_t)(at - base + n));
		if (!kind_is(id, CG_K_IDENTIFIER))
			continue;
		for (arg = id, args = ts_node_parent(id); type_is_name(args, "reference_expression");)
			args = ts_node_parent(arg = args);
		if (!kind_is(args, CG_K_ARGUMENTS) || !kind_is(call = ts_node_parent(args), CG_K_CALL_EXPRESSION))
			continue;
		callee = cg_rust_call_function(call);
		if (!kind_is(ts_node_parent(call), CG_K_AWAIT_EXPRESSION) && is_sync_taker(w, callee))
			return true;
		if (!kind_is(callee, CG_K_IDENTIFIER))
			continue;
		while (index < ts_node_named_child_count(args) && !ts_node_eq(ts_node_named_child(args, index), arg))
			index++;
		ct = cg_node_text(w->ctx->src, callee, &len);
		if (fn_param_wants_std(w, ct, len, index, type))
			return true;
	}
	return false;
}

/*
 * Whether the value a blocking call returns (`let f = File::create(p)?`,
 * `match File::open(p) { Ok(f) => … }`) goes on to std code that needs the
 * std type: a std BufWriter/BufReader, a server's `listen(.., l, ..)`, a std
 * thread, a fn of the file whose parameter takes it as std; and, for a File or socket, its own
 * std::io methods not awaited and not reported themselves (`write!(f, ..)`,
 * `s.set_nonblocking(true)`, `.write_all(b)` chained on the open), or
 * tokio's `from_std(f)` / `from_file(f)`, which take the std value. There
 * the async replacement alone does not build; moving the whole use off the
 * executor does (for `from_std`, an open on a blocking thread and the same
 * conversion after it). `to` is the blocking call node.
 */
static TSNode ok_binding(const struct walk *w, TSNode pat);

static bool feeds_std_consumer(const struct walk *w, const char *what, TSNode to)
{
	static const struct {
		const char *text;
		bool is_handle_only; /* takes a std File or socket, whoever's API it is */
	} consumers[] = {
		{ "BufWriter::new(", false }, { "BufReader::new(", false }, { "LineWriter::new(", false },
		{ ".listen(", false },	      { "to_writer(", false },	    { "to_writer_pretty(", false },
		{ "from_reader(", false },    { "thread::spawn(", false },  { "from_std(", true },
		{ "from_file(", true },	      { "write!(", true },	    { "writeln!(", true },
	};
	size_t k = w->chain_depth;
	TSNode p, body = { 0 };
	struct cg_buf name = CG_BUF_INIT;
	bool feeds = false, is_handle = returns_std_handle(what);
	char *type = NULL;
	const char *text, *end, *src_end = w->ctx->src->text + w->ctx->src->len;
	size_t len;

	/* Straight into a std method: `File::create(p).unwrap().write_all(b)`, also among a macro's tokens. */
	/* The chain reports its first blocking call only: the method after it has no finding of its own. */
	if (is_handle && is_used_as_std(w, NULL, w->ctx->src->text + ts_node_end_byte(to), src_end))
		return true;
	if (is_handle && k != NO_CHAIN && is_returned_as_std(w, what, k))
		return true;
	/*
	 * The chain (with its `.unwrap()`) is at levels[chain_depth]; its
	 * ancestors are the levels below, so no ts_node_parent (linear in the
	 * depth on libtree-sitter 0.20) is needed.
	 */
	if (k == NO_CHAIN)
		return false;
	while (k > 0 && (kind_is(w->levels[k - 1].node, CG_K_TRY_EXPRESSION) ||
			 kind_is(w->levels[k - 1].node, CG_K_PARENTHESIZED_EXPRESSION)))
		k--;
	if (k == 0)
		return false;
	p = w->levels[k - 1].node;
	if (kind_is(p, CG_K_ARGUMENTS) && k >= 2) {
		/* Straight into a consumer: `BufWriter::new(File::create(p)?)`. */
		const char *t = cg_node_text(w->ctx->src, w->levels[k - 2].node, &len), *at;
		TSNode call = w->levels[k - 2].node;
		for (size_t i = 0; i < sizeof(consumers) / sizeof(consumers[0]) && !feeds; i++)
			feeds = (is_handle || !consumers[i].is_handle_only) &&
				(at = memmem(t, len, consumers[i].text, strlen(consumers[i].text))) != NULL &&
				(consumers[i].is_handle_only || is_std_consumer(w, t, at));
		/* Or into sync code: `executor.draw_history(File::create(p)?)`. */
		return feeds || (is_handle && kind_is(call, CG_K_CALL_EXPRESSION) &&
				 !(k >= 3 && kind_is(w->levels[k - 3].node, CG_K_AWAIT_EXPRESSION)) &&
				 is_sync_taker(w, cg_rust_call_function(call)));
	}
	if (kind_is(p, CG_K_MATCH_EXPRESSION)) {
		/* `match File::open(p) { Ok(f) => use(f), … }`: the arm that takes the value. */
		TSNode arms = cg_child(p, CG_F_BODY), id = { 0 }, arm = { 0 };
		for (uint32_t i = 0;
		     !ts_node_is_null(arms) && i < ts_node_named_child_count(arms) && ts_node_is_null(id); i++) {
			TSNode mp = cg_child(arm = ts_node_named_child(arms, i), CG_F_PATTERN);
			if (kind_is(mp, CG_K_MATCH_PATTERN) && ts_node_named_child_count(mp))
				id = ok_binding(w, ts_node_named_child(mp, 0));
		}
		if (ts_node_is_null(id))
			return false;
		text = cg_node_text(w->ctx->src, id, &len);
		cg_buf_put(&name, text, len);
		text = w->ctx->src->text + ts_node_end_byte(id);
		end = w->ctx->src->text + ts_node_end_byte(arm);
	} else {
		TSNode pat;
		for (size_t j = k - 1; j-- > 0 && ts_node_is_null(body);)
			if (kind_is(w->levels[j].node, CG_K_BLOCK))
				body = w->levels[j].node;
		if (!kind_is(p, CG_K_LET_DECLARATION))
			return false;
		pat = cg_child(p, CG_F_PATTERN);
		if (ts_node_is_null(pat) || !kind_is(pat, CG_K_IDENTIFIER))
			return false;
		text = cg_node_text(w->ctx->src, pat, &len);
		cg_buf_put(&name, text, len);
		if (ts_node_is_null(body))
			goto done;
		/* The rest of the block after the `let`. */
		text = w->ctx->src->text + ts_node_end_byte(p);
		end = w->ctx->src->text + ts_node_end_byte(body);
	}
	for (size_t i = 0; i < sizeof(consumers) / sizeof(consumers[0]) && !feeds; i++) {
		const char *at = text;
		size_t cl = strlen(consumers[i].text);
		if (consumers[i].is_handle_only && !is_handle)
			continue;
		while (!feeds && (at = memmem(at, (size_t)(end - at), consumers[i].text, cl)) != NULL) {
			const char *arg = at + cl, *q;
			if (!strcmp(consumers[i].text, "thread::spawn(")) {
				/* The value moved into a std thread: named anywhere after the spawn. */
				q = memmem(arg, (size_t)(end - arg), name.ptr, name.size);
				feeds = q != NULL;
			} else {
				feeds = is_call_argument(arg - 1, end, name.ptr, name.size) &&
					(consumers[i].is_handle_only || is_std_consumer(w, w->ctx->src->text, at));
			}
			at += cl;
		}
	}
	/* The value's own std methods, not awaited: `s.set_nonblocking(true)`; a fn of the file taking it as std. */
	if (is_handle && !feeds) {
		type = handle_type(what);
		feeds = feeds_file_fn(w, type, name.ptr, name.size, text, end);
		for (const char *at = text; !feeds && (at = memmem(at, (size_t)(end - at), name.ptr, name.size));
		     at += name.size)
			feeds = !is_word_char(at[-1]) && at[-1] != '.' && is_used_as_std(w, type, at + name.size, end);
	}
done:
	free(type);
	cg_buf_release(&name);
	return feeds;
}

/* ---- fixes ---- */

/*
 * The std::fs functions whose tokio::fs twin takes the same arguments and
 * returns the same value, as a future (tokio's src/fs). std's are generic
 * where tokio's take `impl AsRef<Path>`, so a turbofish call has no fix.
 */
static const char *const tokio_fs_twins[] = {
	"canonicalize",	  "copy",	 "create_dir", "create_dir_all",  "hard_link",
	"metadata",	  "read",	 "read_link",  "read_to_string",  "remove_dir",
	"remove_dir_all", "remove_file", "rename",     "set_permissions", "symlink_metadata",
	"write",
};

/*
 * The crate's tokio dependency as its code names it (`tokio`, not renamed,
 * on every target, not optional), or NULL: only then does `tokio::` build
 * in this file. Dev-dependencies count in test code.
 */
static const struct cg_crate_dep *tokio_dep(struct cg_rule_ctx *ctx, bool is_test)
{
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	for (size_t i = 0; cr && i < cr->manifest.ndeps; i++) {
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		if (!strcmp(d->key, "tokio") && !d->package && !d->target && !d->is_optional && !d->is_workspace_decl &&
		    (d->kind == CG_DEP_NORMAL || (is_test && d->kind == CG_DEP_DEV)))
			return d;
	}
	return NULL;
}

/* Whether the dependency's features are known to turn on `feature`: an inherited one's are not. */
static bool enables(const struct cg_crate_dep *d, const char *feature)
{
	for (size_t i = 0; !d->is_inherited && i < d->nfeatures; i++)
		if (!strcmp(d->features[i].text, "full") || !strcmp(d->features[i].text, feature) ||
		    (!strcmp(feature, "rt") && !strcmp(d->features[i].text, "rt-multi-thread")))
			return true;
	return false;
}

/*
 * `tokio = { workspace = true, features = [..] }`: its own features and the
 * workspace's declaration's; true (unknown) when the declaration is not
 * found.
 */
static bool inherited_enables(const struct cg_crate *cr, const struct cg_crate_dep *d, const char *feature)
{
	struct cg_crate_dep own = *d;
	own.is_inherited = false;
	if (enables(&own, feature))
		return true;
	for (size_t i = 0; cr->workspace && i < cr->workspace->manifest.ndeps; i++) {
		const struct cg_crate_dep *w = &cr->workspace->manifest.deps[i];
		if (w->is_workspace_decl && !strcmp(w->key, d->key))
			return enables(w, feature);
	}
	return true;
}

/*
 * Whether the crate's tokio is known to leave `feature` off: every tokio
 * dependency its code can use (dev ones in tests) is read, with the
 * workspace's declaration for an inherited one, and none turns it on, nor does a feature of
 * the crate (`tokio/fs`). Cargo may still unify it on through another
 * crate; the advice to add it stands.
 */
static bool tokio_lacks(struct cg_rule_ctx *ctx, bool is_test, const char *feature)
{
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	struct cg_buf via = CG_BUF_INIT;
	bool has_tokio = false, is_on = false;
	for (size_t i = 0; cr && i < cr->manifest.ndeps && !is_on; i++) {
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		/* cargo-hakari's workspace-hack crate turns on every feature the workspace uses (neon). */
		if (cg_crate_name_eq(cg_crate_dep_crate(d), "workspace-hack"))
			is_on = true;
		if (strcmp(cg_crate_dep_crate(d), "tokio") || d->is_workspace_decl || d->kind == CG_DEP_BUILD ||
		    (d->kind == CG_DEP_DEV && !is_test))
			continue;
		has_tokio = true;
		is_on = d->is_inherited ? inherited_enables(cr, d, feature) : enables(d, feature);
	}
	cg_buf_printf(&via, "tokio/%s", feature);
	for (size_t i = 0; cr && has_tokio && !is_on && i < cr->manifest.nfeatures; i++)
		for (size_t k = 0; k < cr->manifest.features[i].nitems && !is_on; k++)
			is_on = !strcmp(cr->manifest.features[i].items[k].text, via.ptr) ||
				!strcmp(cr->manifest.features[i].items[k].text, "tokio/full");
	cg_buf_release(&via);
	return has_tokio && !is_on;
}

/* `drop(x)`, the only use of a std File that tokio's File takes the same way. */
static bool is_dropped(const struct cg_source *src, TSNode ident)
{
	TSNode args = ts_node_parent(ident), call = ts_node_parent(args), fn;
	size_t len;
	const char *t;

	if (!kind_is(args, CG_K_ARGUMENTS) || ts_node_named_child_count(args) != 1 ||
	    !kind_is(call, CG_K_CALL_EXPRESSION))
		return false;
	fn = cg_child(call, CG_F_FUNCTION);
	t = cg_node_text(src, fn, &len);
	return kind_is(fn, CG_K_IDENTIFIER) && len == 4 && !memcmp(t, "drop", 4);
}

/*
 * Whether the std File that `call` opens is used only in ways tokio's File
 * is used the same way: never, or dropped. The call may be followed by `?`,
 * `.unwrap()` or `.expect(..)`, then be a statement of its own, or the value
 * of a `let` with no type whose name the rest of the block uses only as
 * `drop(name)` (macros' tokens and a shadowing `let` count as other uses).
 */
static bool file_is_only_dropped(const struct cg_source *src, TSNode call)
{
	TSNode top = call, p, pat;
	size_t len;
	const char *name;

	for (;;) {
		p = ts_node_parent(top);
		if (kind_is(p, CG_K_TRY_EXPRESSION)) {
			top = p;
		} else if (kind_is(p, CG_K_FIELD_EXPRESSION) && kind_is(ts_node_parent(p), CG_K_CALL_EXPRESSION)) {
			TSNode field = cg_child(p, CG_F_FIELD);
			const char *m = cg_node_text(src, field, &len);
			if (!word_in(" unwrap expect ", m, len))
				return false;
			top = ts_node_parent(p);
		} else {
			break;
		}
	}
	if (kind_is(p, CG_K_EXPRESSION_STATEMENT))
		return true;
	if (!kind_is(p, CG_K_LET_DECLARATION) || !ts_node_is_null(cg_child(p, CG_F_TYPE)) ||
	    !ts_node_is_null(cg_child(p, CG_F_ALTERNATIVE)))
		return false;
	pat = cg_child(p, CG_F_PATTERN);
	if (!kind_is(pat, CG_K_IDENTIFIER))
		return !ts_node_is_null(pat) && !strcmp(ts_node_type(pat), "_");
	name = cg_node_text(src, pat, &len);
	for (TSNode n = ts_node_next_named_sibling(p); !ts_node_is_null(n); n = ts_node_next_named_sibling(n)) {
		TSTreeCursor cur = ts_tree_cursor_new(n);
		bool is_other = false;
		/* Pre-order over the statement, without recursion. */
		for (bool more = true; more && !is_other;) {
			TSNode x = ts_tree_cursor_current_node(&cur);
			size_t xl;
			const char *xt = cg_node_text(src, x, &xl);
			if (kind_is(x, CG_K_IDENTIFIER) && xl == len && !memcmp(xt, name, len) && !is_dropped(src, x))
				is_other = true;
			if (ts_tree_cursor_goto_first_child(&cur))
				continue;
			while (!ts_tree_cursor_goto_next_sibling(&cur))
				if (!ts_tree_cursor_goto_parent(&cur) ||
				    ts_node_eq(ts_tree_cursor_current_node(&cur), n)) {
					more = false;
					break;
				}
		}
		ts_tree_cursor_delete(&cur);
		if (is_other)
			return false;
	}
	return true;
}

struct name_count {
	const struct cg_source *src;
	const char *name;
	size_t len;
	TSNode skip; /* the use declaration itself */
	unsigned n;
};

static int count_name(TSNode node, void *payload)
{
	struct name_count *c = payload;
	size_t len;
	const char *t;

	if (ts_node_eq(node, c->skip))
		return CG_WALK_SKIP;
	if (cg_node_kind(node) == CG_K_IDENTIFIER) {
		t = cg_node_text(c->src, node, &len);
		c->n += len == c->len && !memcmp(t, c->name, len);
	}
	return CG_WALK_ENTER;
}

/*
 * The line of a top-level `use std::fs;` or `use std::fs::read;` (std, no
 * group, alias, `pub` or attribute, alone on its line) that imports the
 * first segment of `fn`, to drop when the fix's call is the only identifier
 * of that name in the whole file (macros' tokens included): once the call
 * names tokio's, the import would be unused. False when there is none.
 */
static bool unused_use_edit(const struct cg_source *src, TSNode fn, struct cg_emit_edit *edit)
{
	TSNode head = fn, root = cg_source_root(src);
	struct name_count c = { .src = src };

	while (kind_is(head, CG_K_SCOPED_IDENTIFIER))
		head = cg_child(head, CG_F_PATH);
	if (!kind_is(head, CG_K_IDENTIFIER))
		return false;
	c.name = cg_node_text(src, head, &c.len);
	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode u = ts_node_named_child(root, i), arg, prev;
		uint32_t start, end;
		size_t len;
		const char *t;
		if (!kind_is(u, CG_K_USE_DECLARATION) || ts_node_named_child_count(u) != 1)
			continue;
		arg = cg_child(u, CG_F_ARGUMENT);
		prev = ts_node_prev_named_sibling(u);
		t = cg_node_text(src, arg, &len);
		if (!kind_is(arg, CG_K_SCOPED_IDENTIFIER) || len < 5 + c.len || memcmp(t, "std::", 5) ||
		    memcmp(t + len - c.len, c.name, c.len) || t[len - c.len - 1] != ':' ||
		    (kind_is(prev, CG_K_ATTRIBUTE_ITEM) &&
		     ts_node_end_point(prev).row + 1 >= ts_node_start_point(u).row))
			continue;
		start = ts_node_start_byte(u);
		end = ts_node_end_byte(u);
		if (ts_node_start_point(u).column != 0 || end >= src->len || src->text[end] != '\n')
			return false;
		c.skip = u;
		cg_walk(root, count_name, &c);
		if (c.n != 1)
			return false;
		*edit = (struct cg_emit_edit){ start, end + 1, "", NULL, true };
		return true;
	}
	return false;
}

/*
 * The fix of a path call `fn(args)` whose tokio twin has the same signature:
 * the path becomes tokio's and `.await` follows the call, before any `?`,
 * `.unwrap()` or `.expect()` on its result. Machine-applicable when the
 * crate's tokio has the feature the twin needs; without it the fix is right
 * once the feature is added. Returns the number of edits (0: no fix).
 */
static size_t tokio_fix(struct walk *w, const struct actx *c, const char *what, TSNode fn, TSNode call,
			struct cg_emit_edit edits[3], struct cg_buf *path, enum cg_applicability *app)
{
	const struct cg_crate_dep *dep;
	const char *feature = NULL;

	if (w->runtime != RT_TOKIO || cg_node_kind(call) != CG_K_CALL_EXPRESSION ||
	    !ts_node_eq(cg_child(call, CG_F_FUNCTION), fn))
		return 0;
	if (!strcmp(what, "std::thread::sleep")) {
		cg_buf_puts(path, "tokio::time::sleep");
		feature = "time";
	}
	for (size_t i = 0;
	     !feature && cg_starts_with(what, "std::fs::") && i < sizeof(tokio_fs_twins) / sizeof(*tokio_fs_twins);
	     i++) {
		if (!strcmp(what + 9, tokio_fs_twins[i])) {
			cg_buf_printf(path, "tokio::fs::%s", tokio_fs_twins[i]);
			feature = "fs";
		}
	}
	if (!feature && (!strcmp(what, "std::fs::File::open") || !strcmp(what, "std::fs::File::create")) &&
	    file_is_only_dropped(w->ctx->src, call)) {
		cg_buf_printf(path, "tokio::fs::File::%s", what + 15);
		feature = "fs";
	}
	if (!feature || !(dep = tokio_dep(w->ctx, c->is_test)))
		return 0;
	*app = enables(dep, feature) ? CG_FIX_MACHINE_APPLICABLE : CG_FIX_MAYBE_INCORRECT;
	edits[0] = (struct cg_emit_edit){ ts_node_start_byte(fn), ts_node_end_byte(fn), path->ptr };
	edits[1] = (struct cg_emit_edit){ ts_node_end_byte(call), ts_node_end_byte(call), ".await" };
	return 2 + unused_use_edit(w->ctx->src, fn, &edits[2]);
}

static bool severity_for(const struct walk *w, const struct actx *c, enum cg_severity *sev)
{
	*sev = c->is_test ? w->test_severity : CG_SEV_OFF;
	return !(c->is_test && w->test_severity == CG_SEV_OFF);
}

/*
 * A closure that runs in place (`opt.map(|p| …)`, `.or_else(|e| …)`) keeps
 * the async context, but is no async body: an awaited replacement cannot go
 * there. Nor in scopeguard's `defer! { … }`, whose body runs when the scope
 * ends, on this thread, inside a Drop. Returns what it is ("closure",
 * "`defer!` body"), or NULL.
 */
static const char *inline_sync_body(const struct walk *w, const struct actx *c)
{
	for (size_t j = c->body_depth + 1; j < w->depth; j++) {
		TSNode n = w->levels[j].node, name;
		if (kind_is(n, CG_K_CLOSURE_EXPRESSION))
			return "closure";
		if (kind_is(n, CG_K_MACRO_INVOCATION) && !ts_node_is_null(name = cg_child(n, CG_F_MACRO))) {
			size_t len, seg_len;
			const char *t = cg_node_text(w->ctx->src, name, &len);
			const char *seg = cg_rust_last_segment(t, len, &seg_len);
			if (seg_len == 5 && !memcmp(seg, "defer", 5))
				return "`defer!` body";
		}
	}
	return NULL;
}

/*
 * A std File's method called on a variable that the async body also hands
 * to sync code (`std::io::Write::write_all(&mut file, b)`, is_sync_taker):
 * the variable stays a std File, so a tokio method for this call does not
 * build (neon's remote_storage tests: `file.sync_all()`).
 */
static bool receiver_stays_std(const struct walk *w, const struct actx *c, const char *what, TSNode receiver)
{
	TSNode body;
	size_t len;
	const char *name;
	char *type;
	bool stays;
	if (ts_node_is_null(receiver) || !kind_is(receiver, CG_K_IDENTIFIER) ||
	    !cg_starts_with(what, "std::fs::File::"))
		return false;
	body = w->levels[c->body_depth].node;
	name = cg_node_text(w->ctx->src, receiver, &len);
	type = handle_type(what);
	stays = feeds_file_fn(w, type, name, len, w->ctx->src->text + ts_node_start_byte(body),
			      w->ctx->src->text + ts_node_end_byte(body));
	free(type);
	/* `writeln!(&file, ..)`: std's io::Write on it (atuin's pid file). */
	for (const char *m = w->ctx->src->text + ts_node_start_byte(body),
			*end = w->ctx->src->text + ts_node_end_byte(body);
	     !stays && (m = memmem(m, (size_t)(end - m), "write", 5)) != NULL; m += 5) {
		const char *p = m + 5;
		if (m > w->ctx->src->text && is_word_char(m[-1]))
			continue;
		if (p + 2 < end && !memcmp(p, "ln", 2))
			p += 2;
		if (p + 2 > end || memcmp(p, "!(", 2))
			continue;
		p = skip_space(p + 2, end);
		if (p < end && *p == '&')
			p = skip_space(p + 1, end);
		if (p + 4 < end && !memcmp(p, "mut ", 4))
			p = skip_space(p + 4, end);
		stays = (size_t)(end - p) > len && !memcmp(p, name, len) && !is_word_char(p[len]);
	}
	return stays;
}

/*
 * A std File's method called on a parameter of the fn around it (`async fn
 * f(file: &mut File)`): its callers hand in a std File, so a tokio method
 * for this call does not build without changing them all (vector's config
 * watcher tests).
 */
static bool receiver_is_std_param(const struct walk *w, const char *what, TSNode receiver, bool *is_lent)
{
	TSNode fn, params;
	if (ts_node_is_null(receiver) || !kind_is(receiver, CG_K_IDENTIFIER) ||
	    !cg_starts_with(what, "std::fs::File::"))
		return false;
	for (fn = ts_node_parent(receiver); !ts_node_is_null(fn) && !kind_is(fn, CG_K_FUNCTION_ITEM);
	     fn = ts_node_parent(fn))
		;
	params = ts_node_is_null(fn) ? fn : cg_child(fn, CG_F_PARAMETERS);
	for (uint32_t i = 0; !ts_node_is_null(params) && i < ts_node_named_child_count(params); i++) {
		TSNode p = ts_node_named_child(params, i), pat = cg_child(p, CG_F_PATTERN);
		size_t a, b;
		const char *pt, *rt;
		if (strcmp(ts_node_type(p), "parameter") || ts_node_is_null(pat))
			continue;
		if (kind_is(pat, CG_K_MUT_PATTERN))
			pat = ts_node_named_child(pat, ts_node_named_child_count(pat) - 1);
		pt = cg_node_text(w->ctx->src, pat, &a);
		rt = cg_node_text(w->ctx->src, receiver, &b);
		if (a == b && !memcmp(pt, rt, a)) {
			TSNode type = cg_child(p, CG_F_TYPE);
			*is_lent = !ts_node_is_null(type) && kind_is(type, CG_K_REFERENCE_TYPE);
			return true;
		}
	}
	return false;
}

/* `what` is the blocking call as shown: a resolved path, `Type::method` or `.method()`. */
static void emit_call(struct walk *w, const struct actx *c, const struct cg_blocking_entry *e, const char *what,
		      const char *name, TSNode from, TSNode to, TSNode args, TSNode receiver)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT, fixed = CG_BUF_INIT;
	struct cg_emit em = { 0 };
	struct cg_emit_edit edits[3];
	TSPoint s = ts_node_start_point(from), t = ts_node_end_point(to);
	const char *sync_body;
	bool is_lent = false;

	if (!severity_for(w, c, &em.severity))
		return;
	cg_buf_printf(&msg, "`%s` blocks the executor thread in ", what);
	put_where(&msg, w, c);
	if ((sync_body = inline_sync_body(w, c)) != NULL && sync_body[0] == '`') {
		/* A tokio JoinHandle dropped detaches its task; other runtimes' tasks are cancelled. */
		cg_buf_printf(&msg, "; a %s runs on this thread when the scope ends and cannot `.await`: %s", sync_body,
			      w->runtime == RT_TOKIO
				      ? "detach the work with `tokio::task::spawn_blocking(move || …)` "
					"(its JoinHandle not awaited), or do it awaited before the scope ends"
				      : "do the work awaited before the scope ends");
	} else if (sync_body) {
		cg_buf_printf(&msg, "; the %s it is in runs here but cannot `.await`, so move the work into `%s`",
			      sync_body, runtime_unblock(w->runtime));
	} else if (feeds_std_consumer(w, what, to)) {
		cg_buf_printf(&msg,
			      "; its result goes to std code that needs the std type, so move the whole use into `%s`",
			      runtime_unblock(w->runtime));
	} else if (receiver_stays_std(w, c, what, receiver)) {
		cg_buf_printf(&msg,
			      "; `%.*s` goes to std code that needs the std type, so move the whole use into `%s`",
			      (int)(ts_node_end_byte(receiver) - ts_node_start_byte(receiver)),
			      w->ctx->src->text + ts_node_start_byte(receiver), runtime_unblock(w->runtime));
	} else if (receiver_is_std_param(w, what, receiver, &is_lent)) {
		int rlen = (int)(ts_node_end_byte(receiver) - ts_node_start_byte(receiver));
		const char *rtext = w->ctx->src->text + ts_node_start_byte(receiver);
		/* A borrowed File cannot move into a 'static closure; a clone of its handle can. */
		if (is_lent)
			cg_buf_printf(&msg,
				      "; `%.*s` is a std File its callers lend, so move a `%.*s.try_clone()` into `%s` "
				      "and do the whole use there (or take a tokio::fs::File, and change the callers)",
				      rlen, rtext, rlen, rtext, runtime_unblock(w->runtime));
		else
			cg_buf_printf(&msg,
				      "; `%.*s` is a std File its callers hand in, so move the whole use into `%s` (or "
				      "take a tokio::fs::File, and change the callers)",
				      rlen, rtext, runtime_unblock(w->runtime));
	} else {
		struct cg_buf rep = CG_BUF_INIT;
		put_replacement(&rep, w, e->matched && result_is_matched(w, args) ? e->matched : e->replacement, name,
				args, receiver);
		put_use(&msg, w, c->is_test, rep.ptr);
		cg_buf_release(&rep);
		em.edits = edits;
		em.nedits = tokio_fix(w, c, what, from, to, edits, &fixed, &em.applicability);
	}
	cg_buf_printf(&help,
		      "async code shares a few executor threads between all tasks, and a blocking call stops "
		      "every task on its thread; await the async version, or move the blocking work into `%s`",
		      runtime_unblock(w->runtime));
	em.span = (struct cg_span){ s.row + 1, s.column + 1, t.row + 1, t.column + 1 };
	em.message = msg.ptr;
	em.help = help.ptr;
	cg_rule_emit(w->ctx, &em);
	cg_buf_release(&msg);
	cg_buf_release(&help);
	cg_buf_release(&fixed);
}

struct name_use {
	const struct cg_source *src;
	const char *name;
	bool is_used;
};

static int find_name(TSNode node, void *payload)
{
	struct name_use *u = payload;
	size_t len;
	const char *t;

	if (u->is_used)
		return CG_WALK_SKIP;
	if (cg_node_kind(node) == CG_K_IDENTIFIER) {
		t = cg_node_text(u->src, node, &len);
		u->is_used = len == strlen(u->name) && !memcmp(t, u->name, len);
	}
	return CG_WALK_ENTER;
}

/*
 * `drop(guard);` on a line of its own before the statement that awaits, when
 * that statement is in the block the guard was bound in and neither it nor
 * a later one names the guard (a shadowing `let` counts as a use: no fix).
 * Maybe-incorrect: a borrow of the guard still alive, or a guard moved
 * earlier, stops it building. Returns the number of edits (0: none).
 */
static size_t guard_drop_fix(const struct cg_source *src, const struct guard *g, TSNode await_node,
			     struct cg_emit_edit *edit, struct cg_buf *text)
{
	TSNode block = ts_node_parent(g->let), stmt = await_node;
	struct name_use u = { src, g->name, false };
	uint32_t start, line_start;

	if (ts_node_is_null(block) || cg_node_kind(block) != CG_K_BLOCK)
		return 0;
	while (!ts_node_is_null(stmt) && !ts_node_eq(ts_node_parent(stmt), block))
		stmt = ts_node_parent(stmt);
	if (ts_node_is_null(stmt))
		return 0;
	start = line_start = ts_node_start_byte(stmt);
	while (line_start > 0 && src->text[line_start - 1] != '\n')
		line_start--;
	for (uint32_t i = line_start; i < start; i++)
		if (src->text[i] != ' ' && src->text[i] != '\t')
			return 0;
	for (TSNode n = stmt; !ts_node_is_null(n) && !u.is_used; n = ts_node_next_named_sibling(n))
		cg_walk(n, find_name, &u);
	if (u.is_used)
		return 0;
	cg_buf_printf(text, "drop(%s);\n%.*s", g->name, (int)(start - line_start), src->text + line_start);
	*edit = (struct cg_emit_edit){ start, start, text->ptr };
	return 1;
}

/*
 * The guard's name is used in the statement that awaits or after it, in the
 * block it was bound in: `drop(guard)` before the await would not build.
 */
static bool guard_used_after(const struct cg_source *src, const struct guard *g, TSNode await_node)
{
	TSNode block = ts_node_parent(g->let), stmt = await_node;
	struct name_use u = { src, g->name, false };
	if (ts_node_is_null(block) || cg_node_kind(block) != CG_K_BLOCK)
		return false;
	while (!ts_node_is_null(stmt) && !ts_node_eq(ts_node_parent(stmt), block))
		stmt = ts_node_parent(stmt);
	for (TSNode n = stmt; !ts_node_is_null(n) && !u.is_used; n = ts_node_next_named_sibling(n))
		cg_walk(n, find_name, &u);
	return u.is_used;
}

/* Where the crate's runtime keeps an async Mutex and RwLock. */
static const char *async_lock_module(enum runtime rt)
{
	switch (rt) {
	case RT_ASYNC_STD:
		return "async_std::sync";
	case RT_SMOL:
		return "smol::lock";
	case RT_OTHER:
	case RT_NONE:
		return "async_lock";
	default:
		return "tokio::sync";
	}
}

static void emit_guard(struct walk *w, struct guard *g, TSNode await_node)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT, fixed = CG_BUF_INIT;
	struct cg_emit em = { 0 };
	struct cg_emit_edit edit;
	TSPoint s = ts_node_start_point(g->let), t = ts_node_end_point(await_node);

	g->is_done = true;
	if (!severity_for(w, &g->ctx, &em.severity))
		return;
	if (g->form)
		cg_buf_printf(&msg,
			      "the %s::%s of `%s` in the `%s` scrutinee is held across the `.await` on line %u in ",
			      g->lock_from, g->kind, g->name, g->form, t.row + 1);
	else
		cg_buf_printf(&msg, "%s::%s `%s` is held across the `.await` on line %u in ", g->lock_from, g->kind,
			      g->name, t.row + 1);
	put_where(&msg, w, &g->ctx);
	if (g->form)
		cg_buf_printf(&msg,
			      "; a temporary of the scrutinee lives until the end of the `%s`: bind what you need "
			      "in a `let` before it",
			      g->form);
	else if (guard_used_after(w->ctx->src, g, await_node))
		cg_buf_printf(&msg, "; release it before awaiting and lock again after (`drop(%s)`, then a new lock)",
			      g->name);
	else
		cg_buf_printf(&msg, "; drop it before awaiting (`drop(%s)` or an inner block)", g->name);
	cg_buf_printf(&msg, ", or use `%s::%s` and `.%s().await`", async_lock_module(w->runtime),
		      strstr(g->kind, "RwLock") ? "RwLock" : "Mutex",
		      strstr(g->kind, "Read")	 ? "read"
		      : strstr(g->kind, "Write") ? "write"
						 : "lock");
	cg_buf_puts(&help, "a task that sleeps at an `.await` while holding a std lock keeps every other task that "
			   "wants the lock blocked on its executor thread, and the future is not Send");
	em.span = (struct cg_span){ s.row + 1, s.column + 1, t.row + 1, t.column + 1 };
	em.message = msg.ptr;
	em.help = help.ptr;
	em.edits = &edit;
	em.nedits = guard_drop_fix(w->ctx->src, g, await_node, &edit, &fixed);
	em.applicability = CG_FIX_MAYBE_INCORRECT;
	cg_rule_emit(w->ctx, &em);
	cg_buf_release(&msg);
	cg_buf_release(&help);
	cg_buf_release(&fixed);
}

/*
 * Every live guard of the current body is now held across an await. The
 * guards of the current body sit on top of the list (those of bodies nested
 * in it are gone when we are back in it), and the ones below the body's
 * floor were settled by an earlier await: each await looks at new guards only.
 */
static void await_point(struct walk *w, const struct actx *c, TSNode at)
{
	struct level *body = &w->levels[c->body_depth];
	if (!is_async(c))
		return;
	for (size_t i = body->guard_floor < w->nguards ? body->guard_floor : w->nguards; i < w->nguards; i++) {
		struct guard *g = &w->guards[i];
		if (!g->is_done && g->ctx.body_depth == c->body_depth && is_async(&g->ctx))
			emit_guard(w, g, at);
	}
	body->guard_floor = w->nguards;
}

/* ---- matching one call ---- */

struct callee {
	const struct cg_blocking_entry *entry;
	char *what; /* owned: the blocking call as shown */
	char *name; /* owned: its last segment */
};

static void callee_release(struct callee *c)
{
	free(c->what);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

static bool is_block_on(const char *name)
{
	return !strcmp(name, "block_on");
}

/*
 * A path call's entry. A single unresolved segment may come from a glob
 * (`use std::thread::*; sleep(d)`) unless the file defines a fn of that name.
 */
static bool match_path_call(const struct walk *w, char *resolved, uint32_t at, struct callee *out)
{
	memset(out, 0, sizeof(*out));
	out->entry = cg_blocking_match_call(&w->list, w->rf, resolved, at, &out->what);
	if (out->entry)
		out->name = cg_strdup(cg_blocking_last_seg(out->what));
	return out->entry != NULL;
}

static bool match_method(const struct walk *w, const struct vtype *recv, const char *m, size_t len, struct callee *out)
{
	const char *known = recv->name && !recv->is_result && !recv->is_channel ? recv->name : NULL;
	memset(out, 0, sizeof(*out));
	out->entry = cg_blocking_match_method(&w->list, known, m, len, &out->what);
	if (out->entry)
		out->name = cg_strndup(m, len);
	return out->entry != NULL;
}

static struct vtype eval_chain(struct walk *w, const struct actx *c, const struct chain *ch, bool is_head_awaited,
			       bool should_check);

/* The type of an expression as far as the file shows it (owned). */
static struct vtype type_of_expr(struct walk *w, const struct actx *c, TSNode e)
{
	struct chain ch = { 0 };
	struct vtype t;
	chain_collect(&ch, e);
	t = eval_chain(w, c, &ch, false, false);
	free(ch.ops);
	return t;
}

/*
 * An address that needs no name lookup: an IP literal with its port, a
 * value the file shows to be a SocketAddr, or an `(ip, port)` tuple whose
 * ip is a literal or an Ipv4Addr/Ipv6Addr/IpAddr.
 */
static bool is_resolved_addr(struct walk *w, const struct actx *c, TSNode e)
{
	struct vtype t;
	bool is_addr;
	if (cg_blocking_addr_is_literal(w->ctx->src, w->rf, w->is_crate_root, e))
		return true;
	t = type_of_expr(w, c, cg_rust_strip_refs(e));
	is_addr = t.name && !t.is_result && cg_blocking_is_socket_addr_type(t.name, strlen(t.name));
	vtype_clear(&t);
	return is_addr;
}

/* A reader or writer in memory: a Cursor, a Vec, a byte slice or string, io::sink()/empty(). */
static bool is_in_memory_io(struct walk *w, const struct actx *c, TSNode e)
{
	struct vtype t;
	bool is_mem;
	size_t len;
	const char *text;
	e = cg_rust_strip_refs(e);
	/* b"…", and `&x[..]`: only containers in memory can be indexed. */
	if (kind_is(e, CG_K_STRING_LITERAL) || kind_is(e, CG_K_INDEX_EXPRESSION))
		return true;
	text = cg_node_text(w->ctx->src, e, &len);
	if (kind_is(e, CG_K_MACRO_INVOCATION))
		return len > 4 && !memcmp(text, "vec!", 4);
	if (kind_is(e, CG_K_CALL_EXPRESSION) && kind_is(cg_rust_call_function(e), CG_K_FIELD_EXPRESSION)) {
		TSNode field = cg_child(cg_rust_call_function(e), CG_F_FIELD);
		if (!ts_node_is_null(field)) {
			size_t ml;
			const char *m = cg_node_text(w->ctx->src, field, &ml);
			if (word_in(" as_bytes as_slice ", m, ml))
				return true;
		}
	}
	t = type_of_expr(w, c, e);
	is_mem = t.name && !t.is_result &&
		 (!strcmp(t.name, "std::io::Cursor") || !strcmp(t.name, "Vec") || !strcmp(t.name, "std::vec::Vec") ||
		  !strcmp(t.name, "std::io::Sink") || !strcmp(t.name, "std::io::Empty"));
	vtype_clear(&t);
	return is_mem;
}

/* Calls on the list that do not block with these arguments (no DNS, no file, no socket). */
static bool is_exempt(struct walk *w, const struct actx *c, const struct callee *k, TSNode args, TSNode receiver)
{
	uint32_t n = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
	if (!strcmp(k->what, "std::net::TcpListener::bind") || !strcmp(k->what, "std::net::UdpSocket::bind"))
		return n == 1 && is_resolved_addr(w, c, ts_node_named_child(args, 0));
	if (!strcmp(k->name, "to_socket_addrs"))
		return !ts_node_is_null(receiver) && is_resolved_addr(w, c, receiver);
	if (!strcmp(k->what, "std::io::copy"))
		return n == 2 && is_in_memory_io(w, c, ts_node_named_child(args, 0)) &&
		       is_in_memory_io(w, c, ts_node_named_child(args, 1));
	return false;
}

static bool suppressed_here(const struct actx *c, const struct callee *k)
{
	/* Handle::block_on is the documented way out inside block_in_place. */
	return c->in_block_in_place && is_block_on(k->name);
}

/* `Arc::new`, `Rc::new`, `Box::new`: the value derefs to its argument's type. */
static bool is_pointer_new(const char *resolved)
{
	const char *last = cg_blocking_last_seg(resolved);
	size_t tlen;
	const char *tseg;
	if (last == resolved || strcmp(last, "new"))
		return false;
	tlen = (size_t)(last - resolved) - 2;
	tseg = resolved;
	for (const char *q; (q = strstr(tseg, "::")) != NULL && q < resolved + tlen;)
		tseg = q + 2;
	return (size_t)(resolved + tlen - tseg) <= 3 &&
	       (!strncmp(tseg, "Arc::", 5) || !strncmp(tseg, "Rc::", 4) || !strncmp(tseg, "Box::", 5));
}

/* The type of the one argument of `Arc::new(x)` (owned); nesting deeper than a few levels stays unknown. */
static struct vtype type_of_pointee(struct walk *w, const struct actx *c, TSNode call)
{
	TSNode args = cg_child(call, CG_F_ARGUMENTS);
	struct vtype t = { 0 };
	if (ts_node_is_null(args) || ts_node_named_child_count(args) != 1 || w->wrap_depth >= 4)
		return t;
	w->wrap_depth++;
	t = type_of_expr(w, c, ts_node_named_child(args, 0));
	w->wrap_depth--;
	return t;
}

/*
 * Types a chain innermost first and, when `should_check`, reports its first
 * blocking call that is not awaited. Returns the chain's type (owned).
 */
/*
 * Whether a resolved path call may name a fn of the crate, cheaply: most
 * calls in async code go to other crates (`tokio::…`, `std::…`) or are
 * `Type::f` (`Self::new`), and asking the call graph about them costs a
 * lookup each (on tokio, `Type::f` alone cost a third of the run).
 */
static bool may_be_crate_fn(const struct walk *w, const char *resolved)
{
	if (!strncmp(resolved, "crate::", 7) || !strncmp(resolved, "self::", 6) || !strncmp(resolved, "super::", 7))
		return true;
	return !strstr(resolved, "::") && cg_rust_defines_fn(w->rf, resolved, strlen(resolved));
}

static void emit_chain(struct walk *w, const struct cg_summary_fn *f, const struct cg_summary_call *c,
		       const struct cg_chain *ch);

/*
 * `f.load()` in an async fn, `f` of a type of the crate the file shows
 * (`crate::fs::FileSource`, from an enum's payload, an annotation, `T::new()`):
 * the method of that type's impl, followed through the crate like a call
 * `crate::fs::FileSource::load(..)`. Reports the chain; true when it did.
 */
static bool check_crate_method(struct walk *w, const struct actx *c, const struct vtype *t, TSNode field)
{
	struct cg_summary_fn in = { 0 };
	struct cg_summary_call call = { 0 };
	struct cg_buf path = CG_BUF_INIT;
	struct cg_chain ch;
	bool hit;
	if (c->body != BODY_ASYNC_FN || !w->ctx->cargo || !t->name || t->is_result || t->elem || t->is_channel ||
	    strncmp(t->name, "crate::", 7) || ts_node_is_null(c->fn_name))
		return false;
	cg_buf_printf(&path, "%s::", t->name);
	cg_buf_put(&path, w->ctx->src->text + ts_node_start_byte(field),
		   ts_node_end_byte(field) - ts_node_start_byte(field));
	in.name = cg_node_strdup(w->ctx->src, c->fn_name);
	in.module = (char *)cg_summary_module_at(w->rf, ts_node_start_byte(field));
	call.kind = CG_CALL_PATH;
	call.path = path.ptr;
	call.start = ts_node_start_byte(field);
	call.end = ts_node_end_byte(field);
	call.line = ts_node_start_point(field).row + 1;
	hit = cg_callgraph_chain(w->ctx->cargo, &w->list, w->ctx->path, &in, &call, &ch);
	if (hit) {
		emit_chain(w, &in, &call, &ch);
		cg_chain_release(&ch);
	}
	free(in.name);
	cg_buf_release(&path);
	return hit;
}

static struct vtype eval_chain(struct walk *w, const struct actx *c, const struct chain *ch, bool is_head_awaited,
			       bool should_check)
{
	struct vtype t = { 0 };
	bool is_flagged = false, may_defer = w->may_defer;

	w->may_defer = false;
	for (size_t i = ch->n; i-- > 0;) {
		const struct op *op = &ch->ops[i];
		bool is_awaited = i == 0 ? is_head_awaited : ch->ops[i - 1].kind == OP_AWAIT;
		struct callee k = { 0 };

		switch (op->kind) {
		case OP_IDENT: {
			size_t len;
			const char *name = cg_node_text(w->ctx->src, op->node, &len);
			const struct vtype *b = binding_of(w, name, len);
			vtype_clear(&t);
			if (b)
				t = vtype_copy(b);
			break;
		}
		case OP_OTHER:
			vtype_clear(&t);
			break;
		case OP_TRY:
			t.is_result = false;
			break;
		case OP_AWAIT:
			vtype_clear(&t);
			break;
		case OP_PATH_CALL: {
			TSNode fn = cg_rust_call_function(op->node);
			char *resolved;
			vtype_clear(&t);
			if (!kind_is(fn, CG_K_IDENTIFIER) && !kind_is(fn, CG_K_SCOPED_IDENTIFIER))
				break;
			resolved = resolve_node(w, fn);
			if (should_check && !is_awaited && !is_flagged &&
			    match_path_call(w, resolved, ts_node_start_byte(fn), &k) && !suppressed_here(c, &k) &&
			    !is_exempt(w, c, &k, cg_child(op->node, CG_F_ARGUMENTS), (TSNode){ 0 })) {
				emit_call(w, c, k.entry, k.what, k.name, fn, op->node,
					  cg_child(op->node, CG_F_ARGUMENTS), (TSNode){ 0 });
				is_flagged = true;
			}
			t = is_pointer_new(resolved) ? type_of_pointee(w, c, op->node) : type_of_path_call(resolved);
			/*
			 * A fn of the crate: its return type, from the summary of the file
			 * that defines it, when a method or a `let` uses the value.
			 */
			if (!t.name && !is_awaited && (i > 0 || !should_check) && w->ctx->cargo &&
			    may_be_crate_fn(w, resolved)) {
				const char *module = cg_summary_module_at(w->rf, ts_node_start_byte(fn));
				if (i == 0 && may_defer) {
					t.ret_of = resolved;
					t.ret_module = module;
					resolved = NULL;
				} else {
					t.name = cg_callgraph_return_type(w->ctx->cargo, &w->list, w->ctx->path, module,
									  resolved, &t.is_result);
				}
			}
			free(resolved);
			break;
		}
		case OP_METHOD: {
			TSNode fe = cg_child(op->node, CG_F_FUNCTION);
			TSNode field = cg_child(fe, CG_F_FIELD);
			size_t len;
			const char *m;
			if (ts_node_is_null(field) || !kind_is(field, CG_K_FIELD_IDENTIFIER)) {
				vtype_clear(&t);
				break;
			}
			m = cg_node_text(w->ctx->src, field, &len);
			if (should_check && !is_awaited && !is_flagged && match_method(w, &t, m, len, &k) &&
			    !suppressed_here(c, &k) &&
			    !is_exempt(w, c, &k, cg_child(op->node, CG_F_ARGUMENTS), cg_child(fe, CG_F_VALUE))) {
				emit_call(w, c, k.entry, k.what, k.name, field, op->node,
					  cg_child(op->node, CG_F_ARGUMENTS), cg_child(fe, CG_F_VALUE));
				is_flagged = true;
			} else if (should_check && !is_awaited && !is_flagged && !k.entry) {
				is_flagged = check_crate_method(w, c, &t, field);
			}
			t = type_of_method(t, m, len);
			break;
		}
		}
		callee_release(&k);
	}
	return t;
}

/* ---- the walk ---- */

static bool is_chain_head(const struct walk *w, size_t d)
{
	size_t k = d;
	while (k > 0) {
		enum cg_kind p = cg_node_kind(w->levels[k - 1].node);
		if (p != CG_K_TRY_EXPRESSION && p != CG_K_AWAIT_EXPRESSION && p != CG_K_PARENTHESIZED_EXPRESSION)
			break;
		k--;
	}
	return !(k >= 2 && kind_is(w->levels[k - 1].node, CG_K_FIELD_EXPRESSION) &&
		 kind_is(w->levels[k - 2].node, CG_K_CALL_EXPRESSION));
}

static void check_call(struct walk *w, size_t d)
{
	const struct level *L = &w->levels[d];
	struct chain ch = { 0 };
	struct vtype t;

	if (!is_async(&L->ctx) || !is_chain_head(w, d))
		return;
	chain_collect(&ch, L->node);
	w->chain_depth = d;
	t = eval_chain(w, &L->ctx, &ch, d > 0 && kind_is(w->levels[d - 1].node, CG_K_AWAIT_EXPRESSION), true);
	w->chain_depth = NO_CHAIN;
	vtype_clear(&t);
	free(ch.ops);
}

/* `drop(g)` / `std::mem::drop(g)` ends a guard's life. */
static void check_drop(struct walk *w, TSNode call)
{
	TSNode fn = cg_rust_call_function(call), args = cg_child(call, CG_F_ARGUMENTS);
	char *resolved;
	if (ts_node_is_null(fn) || ts_node_is_null(args) || ts_node_named_child_count(args) != 1 ||
	    !kind_is(ts_node_named_child(args, 0), CG_K_IDENTIFIER) ||
	    (!kind_is(fn, CG_K_IDENTIFIER) && !kind_is(fn, CG_K_SCOPED_IDENTIFIER)))
		return;
	resolved = resolve_node(w, fn);
	if (!strcmp(resolved, "drop") || !strcmp(resolved, "std::mem::drop") || !strcmp(resolved, "core::mem::drop")) {
		size_t len;
		const char *name = cg_node_text(w->ctx->src, ts_node_named_child(args, 0), &len);
		for (size_t i = w->nguards; i-- > 0;) {
			if (strlen(w->guards[i].name) == len && !memcmp(w->guards[i].name, name, len)) {
				w->guards[i].is_done = true;
				break;
			}
		}
	}
	free(resolved);
}

/* A closure at depth d that is an argument of a wrapper call, maybe as a block's value. */
static bool closure_in_wrapper(const struct walk *w, size_t d, bool *is_bip)
{
	TSNode call, fn;
	bool hit = false;
	while (d >= 1 && cg_rust_passes_value(w->levels[d - 1].node, w->levels[d].node))
		d--;
	if (d < 2 || !kind_is(w->levels[d - 1].node, CG_K_ARGUMENTS) ||
	    !kind_is(w->levels[d - 2].node, CG_K_CALL_EXPRESSION))
		return false;
	call = w->levels[d - 2].node;
	fn = cg_rust_call_function(call);
	if (kind_is(fn, CG_K_FIELD_EXPRESSION)) {
		TSNode field = cg_child(fn, CG_F_FIELD);
		char *m = ts_node_is_null(field) ? NULL : cg_node_strdup(w->ctx->src, field);
		hit = m && cg_blocking_is_wrapper(&w->list, m, true, is_bip);
		free(m);
	} else if (kind_is(fn, CG_K_IDENTIFIER) || kind_is(fn, CG_K_SCOPED_IDENTIFIER)) {
		char *resolved = resolve_node(w, fn);
		hit = cg_blocking_is_wrapper(&w->list, resolved, false, is_bip);
		free(resolved);
	}
	return hit;
}

/*
 * A closure at depth d that is an argument of a method that calls it in
 * place (`inline`: `opt.map(|p| …)`), on a chain that is not a rayon
 * parallel iterator (`v.par_iter().map(..)` runs on rayon's threads).
 */
static bool closure_runs_inline(const struct walk *w, size_t d)
{
	TSNode fn, field, recv;
	size_t len;
	const char *m;
	if (d < 2 || !kind_is(w->levels[d - 1].node, CG_K_ARGUMENTS) ||
	    !kind_is(w->levels[d - 2].node, CG_K_CALL_EXPRESSION))
		return false;
	fn = cg_rust_call_function(w->levels[d - 2].node);
	if (!kind_is(fn, CG_K_FIELD_EXPRESSION))
		return false;
	field = cg_child(fn, CG_F_FIELD);
	if (ts_node_is_null(field))
		return false;
	m = cg_node_text(w->ctx->src, field, &len);
	if (!cg_blocking_is_inline(&w->list, m, len))
		return false;
	for (recv = cg_child(fn, CG_F_VALUE); kind_is(recv, CG_K_CALL_EXPRESSION);) {
		TSNode f = cg_rust_call_function(recv);
		TSNode name = kind_is(f, CG_K_FIELD_EXPRESSION) ? cg_child(f, CG_F_FIELD) : f;
		const char *t = ts_node_is_null(name) ? "" : cg_node_text(w->ctx->src, name, &len);
		if ((len > 4 && !memcmp(t, "par_", 4)) || (len == 13 && !memcmp(t, "into_par_iter", 13)))
			return false;
		if (!kind_is(f, CG_K_FIELD_EXPRESSION))
			break;
		recv = cg_child(f, CG_F_VALUE);
	}
	return true;
}

static bool has_child_kind(TSNode n, enum cg_kind kind)
{
	uint32_t k = ts_node_child_count(n);
	for (uint32_t i = 0; i < k && i < 16; i++)
		if (cg_node_kind(ts_node_child(n, i)) == kind)
			return true;
	return false;
}

/* Binds the identifiers of a pattern (plain, `mut x`, tuples) to `t` (consumed). */
static void bind_pattern(struct walk *w, TSNode pat, struct vtype t)
{
	size_t len;
	const char *name;

	if (kind_is(pat, CG_K_MUT_PATTERN) && ts_node_named_child_count(pat) >= 2)
		pat = ts_node_named_child(pat, ts_node_named_child_count(pat) - 1);
	if (kind_is(pat, CG_K_IDENTIFIER)) {
		name = cg_node_text(w->ctx->src, pat, &len);
		if (len == 1 && name[0] == '_') {
			vtype_clear(&t);
			return;
		}
		if (t.is_channel)
			vtype_clear(&t);
		bind(w, name, len, t);
		return;
	}
	if (kind_is(pat, CG_K_TUPLE_PATTERN)) {
		uint32_t k = ts_node_named_child_count(pat);
		/* Tuples are short; a pathological one is bounded by the file. */
		TSTreeCursor c = ts_tree_cursor_new(pat);
		uint32_t idx = 0;
		if (ts_tree_cursor_goto_first_child(&c)) {
			do {
				TSNode el = ts_tree_cursor_current_node(&c);
				struct vtype et = { 0 };
				if (!ts_node_is_named(el))
					continue;
				if (t.is_channel && k == 2 && !(idx == 0 && t.is_send_free)) {
					struct cg_buf tn = CG_BUF_INIT;
					cg_buf_printf(&tn, "%s::%s", t.name, idx == 0 ? "Sender" : "Receiver");
					et.name = cg_buf_detach(&tn, NULL);
				}
				if (kind_is(el, CG_K_IDENTIFIER) || kind_is(el, CG_K_MUT_PATTERN)) {
					TSNode id = kind_is(el, CG_K_MUT_PATTERN) && ts_node_named_child_count(el) >= 2
							    ? ts_node_named_child(el, ts_node_named_child_count(el) - 1)
							    : el;
					if (kind_is(id, CG_K_IDENTIFIER)) {
						name = cg_node_text(w->ctx->src, id, &len);
						bind(w, name, len, et);
						et.name = NULL;
					}
				}
				vtype_clear(&et);
				idx++;
			} while (ts_tree_cursor_goto_next_sibling(&c));
		}
		ts_tree_cursor_delete(&c);
	}
	vtype_clear(&t);
}

static void bind_params(struct walk *w, TSNode params)
{
	TSTreeCursor c;
	if (ts_node_is_null(params))
		return;
	c = ts_tree_cursor_new(params);
	if (ts_tree_cursor_goto_first_child(&c)) {
		do {
			TSNode p = ts_tree_cursor_current_node(&c);
			if (kind_is(p, CG_K_PARAMETER)) {
				TSNode pat = cg_child(p, CG_F_PATTERN);
				TSNode ty = cg_child(p, CG_F_TYPE);
				if (!ts_node_is_null(pat))
					bind_pattern(w, pat, type_of_annotation(w, ty));
			} else if (ts_node_is_named(p) && !kind_is(p, CG_K_SELF_PARAMETER)) {
				bind_pattern(w, p, (struct vtype){ 0 });
			}
		} while (ts_tree_cursor_goto_next_sibling(&c));
	}
	ts_tree_cursor_delete(&c);
}

/* The type an impl around depth d is for, resolved (`Self` of a pattern `Self::File(f)`); NULL outside one. */
static char *impl_self_type(const struct walk *w, size_t d)
{
	for (size_t j = d + 1; j-- > 0;) {
		TSNode type;
		if (!kind_is(w->levels[j].node, CG_K_IMPL_ITEM))
			continue;
		type = cg_child(w->levels[j].node, CG_F_TYPE);
		if (kind_is(type, CG_K_GENERIC_TYPE))
			type = cg_child(type, CG_F_TYPE);
		if (!kind_is(type, CG_K_TYPE_IDENTIFIER) && !kind_is(type, CG_K_SCOPED_TYPE_IDENTIFIER))
			return NULL;
		return resolve_node(w, type);
	}
	return NULL;
}

/*
 * A pattern `Source::File(f)` (or `Self::File(f)`) at depth d binds each
 * name to the type of its payload, as the enum declares it wherever it is
 * in the crate (crate/callgraph.h cg_callgraph_payload). Names of no known
 * type still shadow known ones.
 */
static void bind_variant(struct walk *w, size_t d, TSNode pat)
{
	TSNode type;
	TSTreeCursor c;
	char *resolved, *enum_type;
	const char *last, *module;
	unsigned idx = 0;
	if (kind_is(pat, CG_K_MATCH_PATTERN) && ts_node_named_child_count(pat))
		pat = ts_node_named_child(pat, 0);
	if (!kind_is(pat, CG_K_TUPLE_STRUCT_PATTERN) || !w->ctx->cargo)
		return;
	type = cg_child(pat, CG_F_TYPE);
	if (!kind_is(type, CG_K_SCOPED_IDENTIFIER))
		return;
	resolved = resolve_node(w, type);
	last = cg_blocking_last_seg(resolved);
	if (last == resolved) {
		free(resolved);
		return;
	}
	enum_type = cg_strndup(resolved, (size_t)(last - resolved) - 2);
	if (!strcmp(enum_type, "Self")) {
		free(enum_type);
		enum_type = impl_self_type(w, d);
	}
	module = cg_summary_module_at(w->rf, ts_node_start_byte(pat));
	c = ts_tree_cursor_new(pat);
	for (bool more = ts_tree_cursor_goto_first_child(&c); enum_type && more;
	     more = ts_tree_cursor_goto_next_sibling(&c)) {
		TSNode el = ts_tree_cursor_current_node(&c), id = el;
		const char *fname = ts_tree_cursor_current_field_name(&c);
		struct vtype t = { 0 };
		const char *decl_path, *name;
		uint32_t line;
		size_t len;
		/* `_` is a position too, though not a named node. */
		if ((!ts_node_is_named(el) && !type_is_name(el, "_")) || (fname && !strcmp(fname, "type")) ||
		    kind_is(el, CG_K_LINE_COMMENT) || kind_is(el, CG_K_BLOCK_COMMENT))
			continue;
		if (type_is_name(el, "remaining_field_pattern"))
			break; /* `..`: the positions after it are not known */
		/* `mut f`, `ref f`, `ref mut f`: the name is the last child. */
		if ((kind_is(el, CG_K_MUT_PATTERN) || type_is_name(el, "ref_pattern")) && ts_node_named_child_count(el))
			id = ts_node_named_child(el, ts_node_named_child_count(el) - 1);
		if (kind_is(id, CG_K_IDENTIFIER)) {
			name = cg_node_text(w->ctx->src, id, &len);
			t.name = cg_callgraph_payload(w->ctx->cargo, &w->list, w->ctx->path, module, enum_type, last,
						      idx, &decl_path, &line);
			t.name = canon_type(t.name);
			if (!(len == 1 && name[0] == '_'))
				bind(w, name, len, t);
			else
				vtype_clear(&t);
		}
		idx++;
	}
	ts_tree_cursor_delete(&c);
	free(enum_type);
	free(resolved);
}

/* The body of an `if let Source::File(f) = ..` or `while let`: its pattern's names are bound in it. */
static void bind_let_body(struct walk *w, size_t d)
{
	TSNode parent = w->levels[d - 1].node, cond, pat, type, id;
	const char *body = kind_is(parent, CG_K_IF_EXPRESSION) ? "consequence" : "body";
	if (!kind_is(parent, CG_K_IF_EXPRESSION) && !kind_is(parent, CG_K_WHILE_EXPRESSION))
		return;
	cond = cg_child(parent, CG_F_CONDITION);
	if (!kind_is(cond, CG_K_LET_CONDITION) ||
	    !ts_node_eq(ts_node_child_by_field_name(parent, body, (uint32_t)strlen(body)), w->levels[d].node))
		return;
	pat = cg_child(cond, CG_F_PATTERN);
	bind_variant(w, d, pat);
	/* `while let Some(h) = handles.pop()`: what the Option or Result the file shows holds. */
	type = cg_child(pat, CG_F_TYPE);
	if (kind_is(pat, CG_K_TUPLE_STRUCT_PATTERN) && ts_node_named_child_count(pat) == 2 &&
	    (cg_node_is(w->ctx->src, type, "Some") || cg_node_is(w->ctx->src, type, "Ok")) &&
	    kind_is(id = ts_node_named_child(pat, 1), CG_K_IDENTIFIER)) {
		struct vtype t = type_of_expr(w, &w->levels[d].ctx, cg_child(cond, CG_F_VALUE));
		size_t len;
		const char *name = cg_node_text(w->ctx->src, id, &len);
		if (t.name && t.is_result && !t.is_channel) {
			t.is_result = false;
			bind(w, name, len, t);
		} else {
			vtype_clear(&t);
		}
	}
}

/* `for h in handles` (or `handles.into_iter()`, `&handles`): `h` is an element. */
static void bind_for(struct walk *w, size_t d)
{
	TSNode n = w->levels[d].node;
	TSNode pat = cg_child(n, CG_F_PATTERN);
	TSNode value = cg_child(n, CG_F_VALUE);
	struct vtype t;
	if (ts_node_is_null(pat) || ts_node_is_null(value))
		return;
	t = type_of_expr(w, &w->levels[d].ctx, cg_rust_strip_refs(value));
	if (t.elem && !t.is_result)
		bind_pattern(w, pat, vtype_of(t.elem, false));
	vtype_clear(&t);
}

/*
 * A closure run inline by an iterator adapter whose one parameter is an
 * element (`handles.into_iter().for_each(|h| ..)`): the parameter is typed
 * by the elements of the iterator the adapter is called on.
 */
static void bind_adapter_param(struct walk *w, size_t d)
{
	TSNode fe = cg_rust_call_function(w->levels[d - 2].node);
	TSNode field = cg_child(fe, CG_F_FIELD);
	TSNode params = cg_child(w->levels[d].node, CG_F_PARAMETERS), p;
	struct vtype t;
	size_t len;
	const char *m = ts_node_is_null(field) ? "" : cg_node_text(w->ctx->src, field, &len);
	if (ts_node_is_null(field) || ts_node_is_null(params) || ts_node_named_child_count(params) != 1 ||
	    !word_in(" for_each try_for_each map filter_map flat_map filter inspect any all find find_map position "
		     "take_while skip_while map_while ",
		     m, len))
		return;
	p = ts_node_named_child(params, 0);
	if (kind_is(p, CG_K_PARAMETER))
		return; /* typed where it is written */
	t = type_of_expr(w, &w->levels[d].ctx, cg_child(fe, CG_F_VALUE));
	if (t.elem && !t.is_result)
		bind_pattern(w, p, vtype_of(t.elem, false));
	vtype_clear(&t);
}

/*
 * `handles.push(std::thread::spawn(..))` on a `Vec::new()` whose elements
 * are not known yet: a JoinHandle pushed makes every element one (nothing
 * coerces to a Vec's element type from a JoinHandle but a JoinHandle).
 */
static void note_push(struct walk *w, const struct actx *c, TSNode call)
{
	TSNode fe = cg_rust_call_function(call), args = cg_child(call, CG_F_ARGUMENTS);
	TSNode field, recv;
	struct vtype *b, t;
	size_t len;
	const char *text;
	if (!kind_is(fe, CG_K_FIELD_EXPRESSION) || ts_node_is_null(args) || ts_node_named_child_count(args) != 1)
		return;
	field = cg_child(fe, CG_F_FIELD);
	recv = cg_child(fe, CG_F_VALUE);
	if (!kind_is(recv, CG_K_IDENTIFIER) || !cg_node_is(w->ctx->src, field, "push"))
		return;
	text = cg_node_text(w->ctx->src, recv, &len);
	b = binding_of(w, text, len);
	if (!b || !b->name || b->elem || b->is_result || !is_vec_name(b->name))
		return;
	t = type_of_expr(w, c, ts_node_named_child(args, 0));
	if (t.name && !t.is_result && !t.elem && !strcmp(t.name, "std::thread::JoinHandle"))
		b->elem = cg_strdup(t.name);
	vtype_clear(&t);
}

static const char *guard_kind(const char *m, size_t len)
{
	if (len == 4 && !memcmp(m, "lock", 4))
		return "MutexGuard";
	if (len == 4 && !memcmp(m, "read", 4))
		return "RwLockReadGuard";
	if (len == 5 && !memcmp(m, "write", 5))
		return "RwLockWriteGuard";
	return NULL;
}

struct guard_call {
	size_t at; /* the lock()/read()/write() call's index in the chain */
	const char *kind, *lock_from;
};

/*
 * Whether a chain (not awaited) holds a lock guard: a lock()/read()/write()
 * call without arguments on a value of a `lock_types` type, or on anything
 * when `.unwrap()`/`.expect()`/`?` (or `is_unwrapped`: a pattern `Ok(g)`)
 * follows. With `is_temporary_ok` the guard may be a temporary under more
 * calls (`m.lock().unwrap().get(k)`); else only the chain's own value.
 */
static bool guard_in_chain(struct walk *w, const struct actx *c, const struct chain *ch, bool is_unwrapped,
			   bool is_temporary_ok, struct guard_call *out)
{
	bool is_after_unwrap = is_unwrapped;
	for (size_t i = 0; i < ch->n; i++) {
		const struct op *op = &ch->ops[i];
		TSNode fe, field, args;
		const char *m, *kind;
		size_t ml;
		if (op->kind == OP_AWAIT)
			return false;
		if (op->kind == OP_TRY) {
			is_after_unwrap = true;
			continue;
		}
		if (op->kind != OP_METHOD)
			return false;
		fe = cg_child(op->node, CG_F_FUNCTION);
		field = cg_child(fe, CG_F_FIELD);
		args = cg_child(op->node, CG_F_ARGUMENTS);
		if (ts_node_is_null(field))
			return false;
		m = cg_node_text(w->ctx->src, field, &ml);
		if (word_in(" unwrap expect unwrap_or_else ", m, ml)) {
			is_after_unwrap = true;
			continue;
		}
		if ((kind = guard_kind(m, ml)) != NULL && !ts_node_is_null(args) && !ts_node_named_child_count(args)) {
			struct chain below = { ch->ops + i + 1, ch->n - i - 1, 0 };
			struct vtype rt = eval_chain(w, c, &below, false, false);
			bool is_lock = rt.name && !rt.is_result && cg_blocking_is_lock_type(&w->list, rt.name);
			bool is_guard = is_after_unwrap || is_lock;
			out->at = i;
			out->kind = kind;
			out->lock_from =
				is_lock && !strncmp(rt.name, "parking_lot::", 13) ? "parking_lot" : "std::sync";
			vtype_clear(&rt);
			if (is_guard)
				return true;
		}
		if (!is_temporary_ok)
			return false;
		is_after_unwrap = false;
	}
	return false;
}

/* The `g` of a pattern `Ok(g)`, or a null node. */
static TSNode ok_binding(const struct walk *w, TSNode pat)
{
	TSNode type, id;
	if (!kind_is(pat, CG_K_TUPLE_STRUCT_PATTERN) || ts_node_named_child_count(pat) != 2)
		return (TSNode){ 0 };
	type = cg_child(pat, CG_F_TYPE);
	id = ts_node_named_child(pat, 1);
	if (ts_node_is_null(type) || !cg_node_is(w->ctx->src, type, "Ok") || !kind_is(id, CG_K_IDENTIFIER))
		return (TSNode){ 0 };
	return id;
}

static void push_guard(struct walk *w, char *name, const struct guard_call *gc, const char *form, TSNode at,
		       const struct actx *c)
{
	struct guard *g;
	cg_array_grow((void **)&w->guards, &w->guards_cap, w->nguards + 1, sizeof(*w->guards));
	g = &w->guards[w->nguards++];
	g->name = name;
	g->kind = gc->kind;
	g->lock_from = gc->lock_from;
	g->form = form;
	g->let = at;
	g->ctx = *c;
	g->is_done = false;
}

/*
 * The body of an `if let`, `while let` or `match` starts: the temporaries of
 * its scrutinee (a guard in `m.lock().unwrap().get(k)`) live until it ends,
 * and so does a guard its pattern binds (`if let Ok(g) = m.lock()`). The
 * guard is watched in this body only: in an `else` a bound guard is gone,
 * and since edition 2024 so are the temporaries of an `if let`.
 */
static void watch_scrutinee(struct walk *w, size_t d)
{
	const struct level *L = &w->levels[d];
	TSNode parent = w->levels[d - 1].node, value = { 0 }, pat = { 0 }, id = { 0 };
	const char *form = NULL;
	struct chain ch = { 0 };
	struct guard_call gc;
	bool is_unwrapped = false;

	if (kind_is(parent, CG_K_MATCH_EXPRESSION)) {
		form = "match";
		value = cg_child(parent, CG_F_VALUE);
		/* `Ok(g) =>` arms unwrap it; the Result holds the guard in every arm. */
		for (uint32_t i = 0; i < ts_node_named_child_count(L->node) && !is_unwrapped; i++) {
			TSNode arm = ts_node_named_child(L->node, i);
			TSNode mp = cg_child(arm, CG_F_PATTERN);
			if (kind_is(mp, CG_K_MATCH_PATTERN) && ts_node_named_child_count(mp))
				is_unwrapped = !ts_node_is_null(ok_binding(w, ts_node_named_child(mp, 0)));
		}
	} else {
		TSNode cond = cg_child(parent, CG_F_CONDITION);
		const char *body = kind_is(parent, CG_K_IF_EXPRESSION) ? "consequence" : "body";
		if (!kind_is(cond, CG_K_LET_CONDITION) ||
		    !ts_node_eq(ts_node_child_by_field_name(parent, body, (uint32_t)strlen(body)), L->node))
			return;
		form = kind_is(parent, CG_K_IF_EXPRESSION) ? "if let" : "while let";
		value = cg_child(cond, CG_F_VALUE);
		pat = cg_child(cond, CG_F_PATTERN);
		id = ok_binding(w, pat);
		is_unwrapped = !ts_node_is_null(id);
	}
	if (ts_node_is_null(value))
		return;
	chain_collect(&ch, value);
	if (guard_in_chain(w, &L->ctx, &ch, is_unwrapped, true, &gc)) {
		TSNode call = ch.ops[gc.at].node;
		if (gc.at == 0 && !ts_node_is_null(id)) {
			push_guard(w, cg_node_strdup(w->ctx->src, id), &gc, NULL, parent, &L->ctx);
		} else {
			size_t len;
			const char *text = cg_node_text(w->ctx->src, call, &len);
			struct cg_buf shown = CG_BUF_INIT;
			put_shown(&shown, text, len);
			push_guard(w, cg_buf_detach(&shown, NULL), &gc, form, parent, &L->ctx);
		}
	}
	free(ch.ops);
}

/*
 * `let handles: Vec<_> = (0..n).map(|i| thread::spawn(..)).collect();`: the
 * elements are what the closure of the `map` the `collect` follows returns,
 * when that is a JoinHandle (its last expression as far as the file shows).
 */
static void type_collected(struct walk *w, const struct actx *c, const struct chain *ch, struct vtype *t)
{
	TSNode fe, field, args, closure, body;
	struct vtype r;
	if (!t->name || t->elem || !is_vec_name(t->name) || ch->n < 3 || ch->ops[0].kind != OP_METHOD ||
	    ch->ops[1].kind != OP_METHOD)
		return;
	for (size_t i = 0; i < 2; i++) {
		fe = cg_child(ch->ops[i].node, CG_F_FUNCTION);
		field = cg_child(fe, CG_F_FIELD);
		if (ts_node_is_null(field) || !cg_node_is(w->ctx->src, field, i ? "map" : "collect"))
			return;
	}
	args = cg_child(ch->ops[1].node, CG_F_ARGUMENTS);
	closure = ts_node_is_null(args) || ts_node_named_child_count(args) != 1 ? (TSNode){ 0 }
										: ts_node_named_child(args, 0);
	if (!kind_is(closure, CG_K_CLOSURE_EXPRESSION))
		return;
	body = cg_child(closure, CG_F_BODY);
	/* A block's value is its last child when that is an expression, not a statement. */
	if (kind_is(body, CG_K_BLOCK) && ts_node_named_child_count(body))
		body = ts_node_named_child(body, ts_node_named_child_count(body) - 1);
	if (ts_node_is_null(body) || kind_is(body, CG_K_EXPRESSION_STATEMENT) || kind_is(body, CG_K_LET_DECLARATION))
		return;
	r = type_of_expr(w, c, body);
	if (r.name && !r.is_result && !r.elem && !strcmp(r.name, "std::thread::JoinHandle"))
		t->elem = cg_strdup(r.name);
	vtype_clear(&r);
}

/*
 * A `let` just ended: bind its variable, and when its value is a lock
 * guard (`m.lock().unwrap()`, not awaited) start watching it.
 */
static void finish_let(struct walk *w, size_t d)
{
	const struct level *L = &w->levels[d];
	TSNode pat = cg_child(L->node, CG_F_PATTERN);
	TSNode ty = cg_child(L->node, CG_F_TYPE);
	TSNode value = cg_child(L->node, CG_F_VALUE);
	struct chain ch = { 0 };
	struct vtype t = { 0 };

	if (ts_node_is_null(pat))
		return;
	if (!ts_node_is_null(value))
		chain_collect(&ch, value);
	if (!ts_node_is_null(ty)) {
		t = type_of_annotation(w, ty);
		if (is_async(&L->ctx))
			type_collected(w, &L->ctx, &ch, &t);
	} else if (ch.n) {
		/*
		 * The value is bound as is: its type can wait for a use of the name,
		 * and a pattern other than a name never uses a return type.
		 */
		w->may_defer = true;
		t = eval_chain(w, &L->ctx, &ch, false, false);
	}

	if (is_async(&L->ctx) && ch.n) {
		/* `let g = m.lock().unwrap();` and `let Ok(g) = m.lock() else { … };` */
		TSNode id = kind_is(pat, CG_K_IDENTIFIER) ? pat : ok_binding(w, pat);
		struct guard_call gc;
		if (!ts_node_is_null(id) && guard_in_chain(w, &L->ctx, &ch, !ts_node_eq(id, pat), false, &gc)) {
			size_t len;
			const char *name = cg_node_text(w->ctx->src, id, &len);
			if (!(len == 1 && name[0] == '_'))
				push_guard(w, cg_strndup(name, len), &gc, NULL, L->node, &L->ctx);
		}
	}
	if (kind_is(pat, CG_K_TUPLE_STRUCT_PATTERN) && is_async(&L->ctx))
		bind_variant(w, d, pat);
	bind_pattern(w, pat, t);
	free(ch.ops);
}

/* ---- macro arguments: token trees ---- */

static bool tok_is_segment(TSNode n)
{
	return kind_is(n, CG_K_IDENTIFIER) || kind_is(n, CG_K_SELF) || kind_is(n, CG_K_SUPER) || kind_is(n, CG_K_CRATE);
}

static bool tok_is_call_args(const struct walk *w, TSNode n)
{
	size_t len;
	const char *t;
	if (!kind_is(n, CG_K_TOKEN_TREE))
		return false;
	t = cg_node_text(w->ctx->src, n, &len);
	return len && t[0] == '(';
}

static bool tok_awaited(const TSNode *toks, size_t n, size_t after)
{
	return after + 1 < n && kind_is(toks[after], CG_K_DOT) && kind_is(toks[after + 1], CG_K_AWAIT);
}

/*
 * Scans one token tree's own tokens for `path(..)` calls and `.method(..)`
 * calls, typed left to right like a chain. Closures (but those handed to a
 * wrapper: tree_is_wrapped_closure), `async` blocks and nested items inside
 * macro arguments are not recognised: their calls are treated as part of the
 * surrounding body.
 */
static void scan_tokens(struct walk *w, const struct actx *c, TSNode tree)
{
	TSTreeCursor cur = ts_tree_cursor_new(tree);
	TSNode *toks = NULL;
	size_t n = 0, cap = 0;
	struct vtype t = { 0 };
	bool is_flagged = false;

	if (ts_tree_cursor_goto_first_child(&cur)) {
		do {
			TSNode tok = ts_tree_cursor_current_node(&cur);
			if (kind_is(tok, CG_K_LINE_COMMENT) || kind_is(tok, CG_K_BLOCK_COMMENT))
				continue;
			cg_array_grow((void **)&toks, &cap, n + 1, sizeof(*toks));
			toks[n++] = tok;
		} while (ts_tree_cursor_goto_next_sibling(&cur));
	}
	ts_tree_cursor_delete(&cur);

	for (size_t i = 0; i < n;) {
		TSNode tok = toks[i];
		bool after_dot = i > 0 && kind_is(toks[i - 1], CG_K_DOT);
		if (kind_is(tok, CG_K_AWAIT)) {
			await_point(w, c, tok);
			vtype_clear(&t);
			i++;
			continue;
		}
		if (!after_dot && (tok_is_segment(tok) ||
				   (kind_is(tok, CG_K_COLON_COLON) && i + 1 < n && tok_is_segment(toks[i + 1])))) {
			size_t j = kind_is(tok, CG_K_COLON_COLON) ? i + 1 : i;
			while (j + 2 < n && kind_is(toks[j + 1], CG_K_COLON_COLON) && tok_is_segment(toks[j + 2]))
				j += 2;
			if (j + 1 < n && tok_is_call_args(w, toks[j + 1])) {
				uint32_t s = ts_node_start_byte(tok), e = ts_node_end_byte(toks[j]);
				size_t len;
				const char *text = cg_node_text(w->ctx->src, tok, &len);
				char *resolved = cg_rust_resolve_scoped(w->rf, s, text, e - s, w->is_crate_root);
				struct callee k = { 0 };
				if (!is_flagged && !tok_awaited(toks, n, j + 2) &&
				    match_path_call(w, resolved, s, &k) && !suppressed_here(c, &k) &&
				    !is_exempt(w, c, &k, toks[j + 1], (TSNode){ 0 })) {
					emit_call(w, c, k.entry, k.what, k.name, tok, toks[j + 1], toks[j + 1],
						  (TSNode){ 0 });
					is_flagged = true;
				}
				callee_release(&k);
				vtype_clear(&t);
				t = type_of_path_call(resolved);
				free(resolved);
				i = j + 2;
				continue;
			}
			vtype_clear(&t);
			is_flagged = false;
			if (i == j && kind_is(tok, CG_K_IDENTIFIER)) {
				size_t len;
				const char *name = cg_node_text(w->ctx->src, tok, &len);
				const struct vtype *b = binding_of(w, name, len);
				if (b)
					t = vtype_copy(b);
			}
			i = j + 1;
			continue;
		}
		if (kind_is(tok, CG_K_DOT) && i + 2 < n && kind_is(toks[i + 1], CG_K_IDENTIFIER) &&
		    tok_is_call_args(w, toks[i + 2])) {
			size_t len;
			const char *m = cg_node_text(w->ctx->src, toks[i + 1], &len);
			struct callee k = { 0 };
			/* Only a lone name or literal is the whole receiver among tokens. */
			TSNode recv = i > 0 && (kind_is(toks[i - 1], CG_K_IDENTIFIER) ||
						kind_is(toks[i - 1], CG_K_STRING_LITERAL))
					      ? toks[i - 1]
					      : (TSNode){ 0 };
			if (!is_flagged && !tok_awaited(toks, n, i + 3) && match_method(w, &t, m, len, &k) &&
			    !suppressed_here(c, &k) && !is_exempt(w, c, &k, toks[i + 2], recv)) {
				emit_call(w, c, k.entry, k.what, k.name, toks[i + 1], toks[i + 2], toks[i + 2], recv);
				is_flagged = true;
			}
			callee_release(&k);
			t = type_of_method(t, m, len);
			i += 3;
			continue;
		}
		if (kind_is(tok, CG_K_QUESTION)) {
			t.is_result = false;
			i++;
			continue;
		}
		if (kind_is(tok, CG_K_DOT) && i + 1 < n && kind_is(toks[i + 1], CG_K_AWAIT)) {
			i++; /* the await itself is handled above */
			continue;
		}
		vtype_clear(&t);
		is_flagged = false;
		i++;
	}
	vtype_clear(&t);
	free(toks);
}

/*
 * A token tree `(move || …)` just after a wrapper's name among a macro's
 * tokens (`assert_ok!(task::spawn_blocking(|| { … }).await)`): the closure
 * runs off the executor, as closure_in_wrapper finds in syntax. Tokens carry
 * no syntax, so the text says it: a closure first inside the parentheses,
 * the wrapper's path or `.method` before them.
 */
static bool tree_is_wrapped_closure(const struct walk *w, TSNode tree, bool *is_bip)
{
	const char *src = w->ctx->src->text, *open = src + ts_node_start_byte(tree);
	const char *end = src + ts_node_end_byte(tree), *q, *p, *name_end;
	char *name;
	bool is_method, hit;

	if (*open != '(')
		return false;
	q = skip_space(open + 1, end);
	if (end - q > 4 && !memcmp(q, "move", 4) && !is_word_char(q[4]))
		q = skip_space(q + 4, end);
	if (q == end || *q != '|')
		return false;
	for (name_end = open; name_end > src && (name_end[-1] == ' ' || name_end[-1] == '\n');)
		name_end--;
	for (p = name_end; p > src && (is_word_char(p[-1]) || p[-1] == ':');)
		p--;
	if (p == name_end)
		return false;
	is_method = p > src && p[-1] == '.';
	if (is_method)
		name = cg_strndup(p, (size_t)(name_end - p));
	else
		name = cg_rust_resolve_scoped(w->rf, (uint32_t)(p - src), p, (size_t)(name_end - p), w->is_crate_root);
	hit = cg_blocking_is_wrapper(&w->list, name, is_method, is_bip);
	free(name);
	return hit;
}

/* `select!`, `join!` and `try_join!` await what they are given. */
static bool macro_awaits(const struct walk *w, TSNode mac)
{
	TSNode name = cg_child(mac, CG_F_MACRO);
	char *path;
	const char *last;
	bool awaits;
	if (ts_node_is_null(name))
		return false;
	path = cg_rust_path_text(w->ctx->src, name);
	last = cg_blocking_last_seg(path);
	awaits = !strcmp(last, "select") || !strcmp(last, "join") || !strcmp(last, "try_join");
	free(path);
	return awaits;
}

static bool is_async_marker(const struct walk *w, TSNode err)
{
	size_t len;
	const char *t = cg_node_text(w->ctx->src, err, &len);
	while (len && (t[len - 1] == ' ' || t[len - 1] == '\n' || t[len - 1] == '\t' || t[len - 1] == '\r'))
		len--;
	if (len >= 4 && !memcmp(t + len - 4, "move", 4)) {
		len -= 4;
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\n' || t[len - 1] == '\t' || t[len - 1] == '\r'))
			len--;
	}
	return len >= 5 && !memcmp(t + len - 5, "async", 5) &&
	       (len == 5 || !(t[len - 6] == '_' || (t[len - 6] >= 'a' && t[len - 6] <= 'z')));
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

/*
 * A private async fn that the file only ever runs through `block_on`
 * (`handle.block_on(experiment(actions))` from a sync fn): its body runs on
 * the thread that blocks on it, no executor's, so a blocking call there
 * holds up no other task (vector's file-watcher experiments).
 */
static bool fn_only_blocked_on(const struct walk *w, TSNode fn)
{
	TSNode name = cg_child(fn, CG_F_NAME);
	const char *text = w->ctx->src->text, *end = text + w->ctx->src->len, *n;
	size_t len;
	unsigned calls = 0;

	if (ts_node_is_null(name) || has_child_kind(fn, CG_K_VISIBILITY_MODIFIER))
		return false;
	n = cg_node_text(w->ctx->src, name, &len);
	for (const char *p = text; (p = memmem(p, (size_t)(end - p), n, len)) != NULL; p += len) {
		const char *after = skip_space(p + len, end), *before = p;
		if ((p > text && is_word_char(p[-1])) || (p + len < end && is_word_char(p[len])))
			continue;
		while (before > text && (before[-1] == ' ' || before[-1] == '\t' || before[-1] == '\n'))
			before--;
		if (p - text >= 3 && !memcmp(p - 3, "fn ", 3))
			continue; /* the definition */
		if (after >= end || *after != '(')
			return false; /* a use that is no call: handed on as a value */
		if (before - text < 9 || memcmp(before - 9, "block_on(", 9))
			return false;
		calls++;
	}
	return calls > 0;
}

static bool is_item(enum cg_kind kind)
{
	return kind == CG_K_MOD_ITEM || kind == CG_K_IMPL_ITEM || kind == CG_K_TRAIT_ITEM || kind == CG_K_CONST_ITEM ||
	       kind == CG_K_STATIC_ITEM || kind == CG_K_STRUCT_ITEM || kind == CG_K_ENUM_ITEM;
}

/*
 * Whether an item's text holds `async` anywhere, comments included. An item
 * starts a body that is not async (a sync fn, or none), and every async
 * context (an async fn, block or closure, or the marker before one in an
 * ERROR) is written with the word: an item without it holds none, and
 * what the walk records inside (bindings, guards) ends with it. Most sync
 * helpers of a crate are skipped whole.
 */
static bool has_async_text(const struct walk *w, TSNode item)
{
	size_t len;
	const char *t = cg_node_text(w->ctx->src, item, &len);
	return memmem(t, len, "async", 5) != NULL;
}

/* Visits the node at depth d; returns true to enter its children. */
static bool visit(struct walk *w, size_t d)
{
	struct level *L = &w->levels[d];
	TSNode n = L->node;
	enum cg_kind kind = cg_node_kind(n);
	bool pending_test = L->pending_test, pending_cfg = L->pending_cfg_test, pending_async = L->pending_async;

	L->ctx = d ? w->levels[d - 1].ctx : L->ctx;
	L->bind_mark = w->nbinds;
	L->guard_mark = w->nguards;
	L->guard_floor = w->nguards;
	L->pending_test = L->pending_cfg_test = L->pending_async = false;

	if (kind == CG_K_ATTRIBUTE_ITEM) {
		L->pending_test = pending_test || cg_rust_attr_is_test(w->ctx->src, n);
		L->pending_cfg_test = pending_cfg || cg_rust_attr_is_cfg_test(w->ctx->src, n);
		L->pending_async = pending_async;
		return false;
	}
	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT) {
		L->pending_test = pending_test;
		L->pending_cfg_test = pending_cfg;
		L->pending_async = pending_async;
		return false;
	}
	if (kind == CG_K_ERROR) {
		L->pending_async = is_async_marker(w, n);
		return true;
	}
	if (kind == CG_K_INNER_ATTRIBUTE_ITEM) {
		/* `#![cfg(test)]` makes the enclosing file or module test code. */
		if (d && cg_rust_attr_is_cfg_test(w->ctx->src, n))
			w->levels[d - 1].ctx.is_test = true;
		return false;
	}
	if (kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL || kind == CG_K_MACRO_DEFINITION ||
	    kind == CG_K_USE_DECLARATION || kind == CG_K_EXTERN_CRATE_DECLARATION)
		return false;

	if (kind == CG_K_FUNCTION_ITEM) {
		L->ctx.body = fn_is_async(n) && !fn_only_blocked_on(w, n) ? BODY_ASYNC_FN : BODY_SYNC;
		L->ctx.body_depth = (uint32_t)d;
		L->ctx.fn_name = cg_child(n, CG_F_NAME);
		L->ctx.is_test |= pending_test || pending_cfg;
		L->ctx.in_block_in_place = false;
		if (L->ctx.body == BODY_SYNC && !has_async_text(w, n))
			return false;
		bind_params(w, cg_child(n, CG_F_PARAMETERS));
	} else if (kind == CG_K_CLOSURE_EXPRESSION) {
		bool is_bip = false;
		bool is_async_closure = pending_async || has_child_kind(n, CG_K_ASYNC);
		if (closure_in_wrapper(w, d, &is_bip)) {
			L->ctx.body = BODY_SYNC;
			L->ctx.in_block_in_place |= is_bip;
		} else if (!is_async_closure && closure_runs_inline(w, d)) {
			/* Called here, on this thread: the body around it goes on. */
			bind_params(w, cg_child(n, CG_F_PARAMETERS));
			if (is_async(&L->ctx))
				bind_adapter_param(w, d);
			return true;
		} else {
			L->ctx.body = is_async_closure ? BODY_ASYNC_CLOSURE : BODY_SYNC;
		}
		L->ctx.body_depth = (uint32_t)d;
		bind_params(w, cg_child(n, CG_F_PARAMETERS));
	} else if (kind == CG_K_ASYNC_BLOCK) {
		/* `|x| async move { .. }` is how most code writes an async closure. */
		bool is_closure_body = d && cg_node_kind(w->levels[d - 1].node) == CG_K_CLOSURE_EXPRESSION;
		L->ctx.body = is_closure_body ? BODY_ASYNC_CLOSURE : BODY_ASYNC_BLOCK;
		L->ctx.body_depth = (uint32_t)d;
	} else if (is_item(kind)) {
		L->ctx.body = BODY_NONE;
		L->ctx.body_depth = (uint32_t)d;
		L->ctx.is_test |= pending_cfg;
		if (!has_async_text(w, n))
			return false;
	} else if (kind == CG_K_CALL_EXPRESSION) {
		check_drop(w, n);
		check_call(w, d);
		if (is_async(&L->ctx))
			note_push(w, &L->ctx, n);
	} else if (kind == CG_K_FOR_EXPRESSION && is_async(&L->ctx)) {
		bind_for(w, d);
	} else if ((kind == CG_K_BLOCK || kind == CG_K_MATCH_BLOCK) && d && is_async(&L->ctx)) {
		watch_scrutinee(w, d);
		if (kind == CG_K_BLOCK)
			bind_let_body(w, d);
	} else if (kind == CG_K_MATCH_ARM && is_async(&L->ctx)) {
		bind_variant(w, d, cg_child(n, CG_F_PATTERN));
	} else if (kind == CG_K_AWAIT_EXPRESSION) {
		await_point(w, &L->ctx, n);
	} else if (kind == CG_K_MACRO_INVOCATION) {
		if (macro_awaits(w, n))
			await_point(w, &L->ctx, n);
	} else if (kind == CG_K_TOKEN_TREE) {
		bool is_bip = false;
		if (is_async(&L->ctx) && tree_is_wrapped_closure(w, n, &is_bip)) {
			L->ctx.body = BODY_SYNC;
			L->ctx.body_depth = (uint32_t)d;
			L->ctx.in_block_in_place |= is_bip;
		}
		if (is_async(&L->ctx))
			scan_tokens(w, &L->ctx, n);
	}
	return true;
}

static void leave(struct walk *w, size_t d)
{
	struct level *L = &w->levels[d];
	unbind_to(w, L->bind_mark);
	unguard_to(w, L->guard_mark);
	/* Guards pushed later must sit above the floor of the body they join. */
	if (w->levels[L->ctx.body_depth].guard_floor > w->nguards)
		w->levels[L->ctx.body_depth].guard_floor = w->nguards;
	if (cg_node_kind(L->node) == CG_K_LET_DECLARATION)
		finish_let(w, d);
}

static void grow_levels(struct walk *w, size_t depth)
{
	size_t old = w->levels_cap;
	cg_array_grow((void **)&w->levels, &w->levels_cap, depth + 1, sizeof(*w->levels));
	if (w->levels_cap > old)
		memset(w->levels + old, 0, (w->levels_cap - old) * sizeof(*w->levels));
}

/* ---- blocking reached through the crate's own fns (crate/callgraph.h) ---- */

static void put_pos(const struct cg_source *src, uint32_t byte, uint32_t *line, uint32_t *col)
{
	*line = cg_source_line_of(src, byte);
	*col = byte - src->line_starts[*line - 1] + 1;
}

/* The call expression around callee bytes [start, end), as written, when short; else NULL. */
static char *call_text(const struct cg_source *src, uint32_t start, uint32_t end)
{
	TSNode n;
	if (!src->tree)
		return NULL;
	n = ts_node_descendant_for_byte_range(cg_source_root(src), start, end);
	for (int k = 0; k < 4 && !ts_node_is_null(n); k++, n = ts_node_parent(n)) {
		if (kind_is(n, CG_K_CALL_EXPRESSION)) {
			size_t len;
			const char *t = cg_node_text(src, n, &len);
			return len <= SHOWN_TEXT_MAX && !memchr(t, '\n', len) ? cg_strndup(t, len) : NULL;
		}
	}
	return NULL;
}

/*
 * A call reached from an async fn that blocks further down becomes
 * `tokio::task::spawn_blocking(move || call).await.expect(..)`. The
 * JoinError of a blocking task carries the helper's panic (such a task is
 * never aborted once running), so `.expect` panics where the direct call
 * would have, and it builds whatever the fn returns, where a `?` would need
 * an error type that takes a JoinError. Only where the closure can own what
 * it captures (closure_can_own), and for a call in the async fn's own body:
 * not in a closure, an async block or a macro's tokens. Maybe-incorrect:
 * what the call returns may borrow from what the closure captured. Returns
 * the number of edits (0: none).
 */
/*
 * Whether `name` is a parameter of `fn` that a 'static, Send closure may not
 * own: its type borrows (`p: &str`, `Cow<'a, str>`), is a trait object or
 * `impl Trait`, or is one of the fn's type parameters.
 */
static bool is_borrowed_param(const struct cg_source *src, TSNode fn, const char *name, size_t len)
{
	TSNode params = cg_child(fn, CG_F_PARAMETERS);
	for (uint32_t i = 0; !ts_node_is_null(params) && i < ts_node_named_child_count(params); i++) {
		TSNode p = ts_node_named_child(params, i), pat = cg_child(p, CG_F_PATTERN),
		       type = cg_child(p, CG_F_TYPE);
		size_t plen, tlen;
		const char *pt, *tt;
		if (ts_node_is_null(pat) || ts_node_is_null(type))
			continue;
		pt = cg_node_text(src, pat, &plen);
		if (plen != len || memcmp(pt, name, len))
			continue;
		tt = cg_node_text(src, type, &tlen);
		if (memchr(tt, '&', tlen) || memchr(tt, '\'', tlen) || cg_has_word(tt, tlen, "dyn", 3) ||
		    cg_has_word(tt, tlen, "impl", 4))
			return true;
		/* A type parameter of the fn: nothing says it is Send and 'static. */
		{
			TSNode tps = cg_child(fn, CG_F_TYPE_PARAMETERS);
			size_t glen;
			const char *g = ts_node_is_null(tps) ? NULL : cg_node_text(src, tps, &glen);
			return g && cg_has_word(g, glen, tt, tlen);
		}
	}
	return false;
}

/*
 * Whether `name` is bound by the pattern of a match arm or `if let` around
 * `call` whose scrutinee is a borrow: `&x`, a borrowed parameter, `self`
 * (pingora's `match addr { Uds(l, perm) => uds::bind(l, perm.clone()) }`
 * with `addr: &ServerAddress` binds references).
 */
static bool is_borrowed_binding(const struct cg_source *src, TSNode call, TSNode fn, const char *name, size_t len)
{
	for (TSNode p = call, up; !ts_node_eq(p, fn) && !ts_node_is_null(up = ts_node_parent(p)); p = up) {
		TSNode pat = { 0 }, value = { 0 };
		size_t plen, vlen;
		const char *pt, *vt;
		if (kind_is(up, CG_K_MATCH_ARM) && !ts_node_eq(cg_child(up, CG_F_PATTERN), p)) {
			TSNode m = ts_node_parent(ts_node_parent(up));
			pat = cg_child(up, CG_F_PATTERN);
			value = kind_is(m, CG_K_MATCH_EXPRESSION) ? cg_child(m, CG_F_VALUE) : (TSNode){ 0 };
		} else if (kind_is(up, CG_K_IF_EXPRESSION) || kind_is(up, CG_K_WHILE_EXPRESSION)) {
			TSNode cond = cg_child(up, CG_F_CONDITION);
			if (kind_is(cond, CG_K_LET_CONDITION) && !ts_node_eq(cond, p)) {
				pat = cg_child(cond, CG_F_PATTERN);
				value = cg_child(cond, CG_F_VALUE);
			}
		}
		if (ts_node_is_null(pat) || ts_node_is_null(value))
			continue;
		pt = cg_node_text(src, pat, &plen);
		if (!cg_has_word(pt, plen, name, len))
			continue;
		vt = cg_node_text(src, value, &vlen);
		return vt[0] == '&' || cg_has_word(vt, vlen, "self", 4) ||
		       (kind_is(value, CG_K_IDENTIFIER) && is_borrowed_param(src, fn, vt, vlen));
	}
	return false;
}

/*
 * Whether `move || call` can own everything the call names: no borrow
 * (`&x`, `&self`, a parameter typed as one), no `self`, and, for a local it
 * moves, no use of it after the call's statement in the fn and no loop
 * around the call (a second turn would use a moved value). Otherwise the
 * closure does not build: spawn_blocking wants 'static.
 */
static bool closure_can_own(const struct cg_source *src, TSNode call, TSNode fn)
{
	TSNode args = cg_child(call, CG_F_ARGUMENTS), callee = cg_child(call, CG_F_FUNCTION), stmt = call;
	size_t len;
	const char *t = cg_node_text(src, call, &len), *rest, *end;
	bool is_looped = false;
	struct cg_tokenizer tz;
	struct cg_token k;

	if (ts_node_is_null(args) || memchr(t, '&', len) || cg_has_word(t, len, "self", 4))
		return false;
	for (TSNode p = ts_node_parent(call); !ts_node_is_null(p) && !ts_node_eq(p, fn); p = ts_node_parent(p)) {
		enum cg_kind kind = cg_node_kind(p);
		is_looped |=
			kind == CG_K_LOOP_EXPRESSION || kind == CG_K_WHILE_EXPRESSION || kind == CG_K_FOR_EXPRESSION;
		if ((kind == CG_K_EXPRESSION_STATEMENT || kind == CG_K_LET_DECLARATION) && ts_node_eq(stmt, call))
			stmt = p; /* the innermost: what follows it may use a moved value */
	}
	rest = src->text + ts_node_end_byte(stmt);
	end = src->text + ts_node_end_byte(fn);
	/* The names it captures: the arguments' words, and a method call's receiver. */
	t = src->text + ts_node_start_byte(args);
	len = ts_node_end_byte(args) - ts_node_start_byte(args);
	if (kind_is(callee, CG_K_FIELD_EXPRESSION)) {
		t = src->text + ts_node_start_byte(call);
		len = ts_node_end_byte(call) - ts_node_start_byte(call);
	}
	if (cg_tokenizer_init(&tz, t, len) < 0) {
		cg_error_clear();
		return false;
	}
	while ((k = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END) {
		const char *word = t + k.start;
		size_t n = k.end - k.start;
		/* A path segment (`a::b`), a method or field name (`.x`), a type or constant: no local. */
		if (k.kind != CG_TOKEN_WORD || !(word[0] == '_' || (word[0] >= 'a' && word[0] <= 'z')) ||
		    (k.start && (word[-1] == '.' || word[-1] == ':')) ||
		    (word + n < t + len && word[n] == ':' && word + n + 1 < t + len && word[n + 1] == ':'))
			continue;
		if (is_looped || cg_has_word(rest, (size_t)(end - rest), word, n) ||
		    is_borrowed_param(src, fn, word, n) || is_borrowed_binding(src, call, fn, word, n))
			return false;
	}
	return true;
}

static size_t spawn_blocking_fix(struct walk *w, const struct cg_summary_call *c, struct cg_emit_edit edits[2],
				 bool *is_borrowing)
{
	TSNode n, call = { 0 };

	*is_borrowing = false;
	if (w->runtime != RT_TOKIO || !w->ctx->src->tree || !tokio_dep(w->ctx, false))
		return 0;
	n = ts_node_descendant_for_byte_range(cg_source_root(w->ctx->src), c->start, c->end);
	for (int k = 0; k < 4 && !ts_node_is_null(n) && ts_node_is_null(call); k++, n = ts_node_parent(n))
		if (kind_is(n, CG_K_CALL_EXPRESSION))
			call = n;
	for (n = call; !ts_node_is_null(n) && !kind_is(n, CG_K_FUNCTION_ITEM); n = ts_node_parent(n)) {
		enum cg_kind k = cg_node_kind(n);
		if (k == CG_K_CLOSURE_EXPRESSION || k == CG_K_ASYNC_BLOCK || k == CG_K_TOKEN_TREE ||
		    k == CG_K_MACRO_INVOCATION)
			return 0;
	}
	if (ts_node_is_null(n) || !fn_is_async(n))
		return 0;
	if (!closure_can_own(w->ctx->src, call, n)) {
		*is_borrowing = true;
		return 0;
	}
	edits[0] = (struct cg_emit_edit){ ts_node_start_byte(call), ts_node_start_byte(call),
					  "tokio::task::spawn_blocking(move || " };
	edits[1] = (struct cg_emit_edit){ ts_node_end_byte(call), ts_node_end_byte(call),
					  ").await.expect(\"the blocking task panicked\")" };
	return 2;
}

static void emit_chain(struct walk *w, const struct cg_summary_fn *f, const struct cg_summary_call *c,
		       const struct cg_chain *ch)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit em = { 0 };
	struct cg_emit_edit edits[2];
	const char *unblock = runtime_unblock(w->runtime), *dots = strstr(unblock, "…");
	char *shown = call_text(w->ctx->src, c->start, c->end);
	uint32_t l0, c0, l1, c1;
	bool is_borrowing;

	cg_buf_printf(&msg, "async fn `%s` calls `%s` (%s:%u)", f->name, ch->hops[0].name, ch->hops[0].path,
		      ch->hops[0].line);
	for (size_t i = 1; i < ch->n; i++)
		cg_buf_printf(&msg, ", which calls `%s` (%s:%u)", ch->hops[i].name, ch->hops[i].path, ch->hops[i].line);
	cg_buf_printf(&msg, ", which calls `%s` (%s:%u)", ch->what, ch->what_path, ch->what_line);
	em.edits = edits;
	em.nedits = spawn_blocking_fix(w, c, edits, &is_borrowing);
	cg_buf_printf(&help,
		      "`%s` blocks the executor thread through the calls it makes; run it on a thread made for "
		      "blocking, `%.*s%s%s`%s, or make it async",
		      ch->hops[0].name, (int)(dots - unblock), unblock, shown ? shown : "…", dots + strlen("…"),
		      is_borrowing ? " with owned copies of what it borrows or uses again" : "");
	put_pos(w->ctx->src, c->start, &l0, &c0);
	put_pos(w->ctx->src, c->end, &l1, &c1);
	em.span = (struct cg_span){ l0, c0, l1, c1 };
	em.message = msg.ptr;
	em.help = help.ptr;
	em.applicability = CG_FIX_MAYBE_INCORRECT;
	cg_rule_emit(w->ctx, &em);
	free(shown);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

/*
 * Calls in async fns to fns of the crate that may block. Test code is left
 * out: a test's runtime is its own, and the direct check covers it.
 */
static bool may_resolve(const struct walk *w, const struct cg_summary_call *c)
{
	const char *name = c->path;
	if (c->kind == CG_CALL_METHOD)
		return c->recv_trait != NULL;
	if (c->kind == CG_CALL_PATH && !strncmp(name, "Self::", 6))
		name += 6;
	else if (c->kind == CG_CALL_PATH && strstr(name, "::"))
		return true; /* crate::, super::, a module's fn: the call graph looks */
	/* The file's own fns: it defines none of that name, nothing to read. */
	return cg_rust_defines_fn(w->rf, name, strlen(name));
}

/*
 * `self.rx.recv()` in an async method, the field's type declared wherever
 * the struct is (crate/summary.h fields): the walk types what the body
 * shows, not what a struct declared elsewhere holds.
 */
static void check_self_field(struct walk *w, const struct cg_summary *own, const struct cg_summary_fn *f,
			     const struct cg_summary_call *c)
{
	const struct cg_summary_field *fd;
	const struct cg_blocking_entry *e;
	struct cg_buf msg = CG_BUF_INIT, rep = CG_BUF_INIT;
	struct cg_emit em = { 0 };
	const char *decl_path;
	char *type, *what = NULL;
	uint32_t l0, c0, l1, c1;
	bool is_named = false;

	/* Only a method some typed entry names can match: most are not worth a lookup. */
	for (size_t i = 0; i < w->list.n && !is_named; i++)
		is_named = !w->list.entries[i].is_any_receiver &&
			   !strcmp(cg_blocking_last_seg(w->list.entries[i].path), c->path);
	if (!is_named)
		return;
	/* A struct of this file is in the rule's own summary: the call graph need not read the file again. */
	fd = NULL;
	for (size_t i = 0; i < own->nfields && !fd; i++)
		if (!strcmp(own->fields[i].owner, f->impl_type) && !strcmp(own->fields[i].module, f->module) &&
		    !strcmp(own->fields[i].name, c->recv_field))
			fd = &own->fields[i];
	decl_path = w->ctx->path;
	if (!fd) {
		type = cg_rust_resolve_scoped(w->rf, f->start, f->impl_type, strlen(f->impl_type), w->is_crate_root);
		fd = cg_callgraph_field(w->ctx->cargo, &w->list, w->ctx->path, f->module, type, c->recv_field,
					&decl_path);
		free(type);
	}
	/* A match by name whatever the receiver (`.blocking_lock`) is the walk's own. */
	if (!fd || !(e = cg_blocking_match_method(&w->list, fd->type, c->path, strlen(c->path), &what)) ||
	    what[0] == '.')
		goto done;
	cg_buf_printf(&msg, "`%s` blocks the executor thread in async fn `%s` (`self.%s` is a `%s`, %s:%u)", what,
		      f->name, fd->name, fd->type, decl_path, fd->line);
	if (e->replacement) {
		TSNode callee = ts_node_descendant_for_byte_range(cg_source_root(w->ctx->src), c->start, c->end);
		TSNode fe = ts_node_parent(callee), call = ts_node_parent(fe), none = { 0 };
		bool is_call = kind_is(fe, CG_K_FIELD_EXPRESSION) && kind_is(call, CG_K_CALL_EXPRESSION);
		put_replacement(&rep, w, e->replacement, c->path, is_call ? cg_child(call, CG_F_ARGUMENTS) : none,
				is_call ? cg_child(fe, CG_F_VALUE) : none);
		put_use(&msg, w, f->is_test, rep.ptr);
	}
	put_pos(w->ctx->src, c->start, &l0, &c0);
	put_pos(w->ctx->src, c->end, &l1, &c1);
	em.span = (struct cg_span){ l0, c0, l1, c1 };
	em.message = msg.ptr;
	em.help = "async code shares a few executor threads between all tasks, and a blocking call stops every task "
		  "on its thread; await the async version, or move the blocking work off the executor";
	cg_rule_emit(w->ctx, &em);
done:
	free(what);
	cg_buf_release(&msg);
	cg_buf_release(&rep);
}

/* How many async callers a note names before it counts the rest. */
#define NOTE_CALLERS_MAX 8

/*
 * Whether the change shows the call of an async caller in another file on
 * an added line: that call gets its own finding, the note need not name it.
 */
static bool is_call_added(const struct cg_change *change, const struct cg_async_caller *c)
{
	for (size_t i = 0; i < change->nfiles; i++)
		if (!strcmp(change->files[i].path, c->path))
			return cg_changed_file_is_added(&change->files[i], c->line);
	return false;
}

/*
 * The change adds a blocking call to a sync fn that async fns of the crate
 * call, their call sites unchanged: the call sites are not on shown lines,
 * so the added line gets a note naming them. This file's callers are read
 * from the call graph's summary of the whole file (the rule's tree may hold
 * only changed items), the other files' from the crate's reverse lookup.
 */
static void note_added_blocking(struct walk *w)
{
	const struct cg_changed_file *cf = w->ctx->file;
	const struct cg_summary *s;
	bool is_any = false;

	if (!cf || cf->is_whole_file || !w->ctx->cargo || w->is_test_file ||
	    !(s = cg_callgraph_summary(w->ctx->cargo, &w->list, w->ctx->path)))
		return;
	for (size_t i = 0; i < s->nfns && !is_any; i++)
		for (size_t k = 0; !s->fns[i].is_async && !s->fns[i].is_test && k < s->fns[i].nblocks; k++)
			is_any |= cg_changed_file_is_added(cf, s->fns[i].blocks[k].line);
	for (size_t b = 0; is_any && b < s->nfns; b++) {
		const struct cg_summary_fn *h = &s->fns[b];
		for (size_t k = 0; !h->is_async && !h->is_test && k < h->nblocks; k++) {
			const struct cg_summary_block *blk = &h->blocks[k];
			struct cg_buf msg = CG_BUF_INIT;
			struct cg_async_caller *others = NULL;
			size_t ncallers = 0, nothers;
			if (!cg_changed_file_is_added(cf, blk->line))
				continue;
			for (size_t i = 0; i < s->nfns; i++) {
				const struct cg_summary_fn *f = &s->fns[i];
				for (size_t j = 0; f->is_async && !f->is_test && j < f->ncalls; j++) {
					struct cg_chain ch;
					if (cg_changed_file_is_added(cf, f->calls[j].line) ||
					    !cg_callgraph_chain(w->ctx->cargo, &w->list, w->ctx->path, f, &f->calls[j],
								&ch))
						continue;
					if (!strcmp(ch.what_path, w->ctx->path) && ch.what_line == blk->line &&
					    ncallers++ < NOTE_CALLERS_MAX) {
						cg_buf_printf(&msg, "%s async fn `%s` (%s:%u, through `%s`)",
							      ncallers > 1 ? "," : "", f->name, w->ctx->path,
							      f->calls[j].line, ch.hops[0].name);
					}
					cg_chain_release(&ch);
				}
			}
			nothers = cg_callgraph_async_callers(w->ctx->cargo, &w->list, w->ctx->path, b, blk->line,
							     &others);
			for (size_t i = 0; i < nothers; i++)
				if (!is_call_added(w->ctx->change, &others[i]) && ncallers++ < NOTE_CALLERS_MAX)
					cg_buf_printf(&msg, "%s async fn `%s` (%s:%u, through `%s`)",
						      ncallers > 1 ? "," : "", others[i].name, others[i].path,
						      others[i].line, others[i].through);
			cg_async_callers_release(others, nothers);
			if (ncallers > NOTE_CALLERS_MAX)
				cg_buf_printf(&msg, ", and %zu more", ncallers - NOTE_CALLERS_MAX);
			if (ncallers) {
				struct cg_buf full = CG_BUF_INIT;
				struct cg_emit em = { 0 };
				uint32_t l0, c0;
				put_pos(w->ctx->src, blk->start, &l0, &c0);
				cg_buf_printf(&full, "`%s` added here makes `%s` block, and async code calls it: %s",
					      blk->what, h->name, msg.ptr + 1);
				em.span = (struct cg_span){ l0, c0, l0, c0 + 1 };
				em.message = full.ptr;
				em.help = "the async callers run it on an executor thread; wrap their calls in "
					  "`spawn_blocking`, or keep the helper free of blocking calls";
				em.severity = CG_SEV_NOTE;
				cg_rule_emit(w->ctx, &em);
				cg_buf_release(&full);
			}
			cg_buf_release(&msg);
		}
	}
}

/*
 * A file without async code: only a blocking call the change adds to one
 * of its sync fns matters (async fns elsewhere may call it). The rule's
 * tree holds the changed items, so a summary of it says so before the
 * crate is read at all.
 */
static void check_sync_file(struct walk *w)
{
	const struct cg_changed_file *cf = w->ctx->file;
	struct cg_summary s;
	bool is_any = false;

	if (!cf || cf->is_whole_file || !w->ctx->cargo || w->is_test_file ||
	    cg_summary_build(&s, w->ctx->src, w->rf, &w->list, w->is_crate_root, CG_BODIES_ALL) < 0) {
		cg_error_clear();
		return;
	}
	for (size_t i = 0; i < s.nfns && !is_any; i++)
		for (size_t k = 0; !s.fns[i].is_async && !s.fns[i].is_test && k < s.fns[i].nblocks; k++)
			is_any |= cg_changed_file_is_added(cf, s.fns[i].blocks[k].line);
	cg_summary_release(&s);
	if (is_any)
		note_added_blocking(w);
}

static void check_chains(struct walk *w)
{
	struct cg_summary s;
	if (!w->ctx->cargo || w->is_test_file ||
	    cg_summary_build(&s, w->ctx->src, w->rf, &w->list, w->is_crate_root, CG_BODIES_ASYNC) < 0)
		return;
	for (size_t i = 0; i < s.nfns; i++) {
		const struct cg_summary_fn *f = &s.fns[i];
		if (!f->is_async || f->is_test)
			continue;
		for (size_t j = 0; j < f->ncalls; j++) {
			const struct cg_summary_call *c = &f->calls[j];
			struct cg_chain ch;
			bool is_direct = false;
			for (size_t k = 0; k < f->nblocks && !is_direct; k++)
				is_direct = f->blocks[k].start == c->start;
			if (c->kind == CG_CALL_METHOD && c->recv_field && f->impl_type && !is_direct)
				check_self_field(w, &s, f, c);
			if (is_direct || !may_resolve(w, c) ||
			    !cg_callgraph_chain(w->ctx->cargo, &w->list, w->ctx->path, f, c, &ch))
				continue;
			emit_chain(w, f, c, &ch);
			cg_chain_release(&ch);
		}
	}
	cg_summary_release(&s);
}

/*
 * Whether the pass parsed the whole file (its default range), not only the
 * items a rule may fire on: then the call graph can summarize the file
 * from this tree.
 */
static bool is_whole_parse(const struct cg_source *src)
{
	uint32_t n;
	TSRange *r;
	bool yes;
	if (!src->tree)
		return false;
	r = ts_tree_included_ranges(src->tree, &n);
	yes = n == 1 && r[0].start_byte == 0 && r[0].end_byte == UINT32_MAX;
	cg_ts_free(r);
	return yes;
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { 0 };
	TSNode root = cg_source_root(ctx->src);
	TSTreeCursor c;
	size_t len;
	const char *text = cg_node_text(ctx->src, root, &len);
	const char *ts;
	int err = 0;

	if (!ctx->file_data)
		return 0;
	w.ctx = ctx;
	w.rf = ctx->file_data;
	w.is_crate_root = cg_rust_path_is_crate_root(ctx->path);
	/* `#[cfg(test)] mod debug;` in the parent makes debug.rs test code (neon's tenant/debug.rs). */
	w.is_test_file =
		cg_rust_path_is_test(ctx->path) || (ctx->cargo && cg_crate_file_is_cfg_test(ctx->cargo, ctx->path));
	/* Without `async` there is no async context, only a helper the change may make block. */
	if (!memmem(text, len, "async", 5)) {
		cg_blocking_list_load(&w.list, ctx->rule_cfg);
		check_sync_file(&w);
		cg_blocking_list_release(&w.list);
		return 0;
	}
	w.runtime = crate_runtime(ctx);
	w.chain_depth = NO_CHAIN;
	for (size_t i = 0; i < BIND_BUCKETS; i++)
		w.bucket[i] = NO_BINDING;
	w.test_severity = CG_SEV_WARNING;
	ts = cg_conf_str(ctx->rule_cfg, "test_severity", NULL);
	if (ts && (err = cg_severity_parse(&w.test_severity, ts)) < 0)
		return err;
	cg_blocking_list_load(&w.list, ctx->rule_cfg);
	if (ctx->cargo && is_whole_parse(ctx->src))
		cg_callgraph_lend(ctx->path, ctx->src, w.rf);

	grow_levels(&w, 0);
	w.levels[0].node = root;
	w.levels[0].ctx.body = BODY_NONE;
	/* `#[cfg(test)] mod debug;` in the parent makes debug.rs test code (neon's tenant/debug.rs). */
	w.is_test_file =
		cg_rust_path_is_test(ctx->path) || (ctx->cargo && cg_crate_file_is_cfg_test(ctx->cargo, ctx->path));
	w.levels[0].ctx.is_test = w.is_test_file;
	c = ts_tree_cursor_new(root);
	for (;;) {
		w.levels[w.depth].node = ts_tree_cursor_current_node(&c);
		if (visit(&w, w.depth) && ts_tree_cursor_goto_first_child(&c)) {
			grow_levels(&w, ++w.depth);
			w.levels[w.depth].pending_test = w.levels[w.depth].pending_cfg_test = false;
			w.levels[w.depth].pending_async = false;
			continue;
		}
		leave(&w, w.depth);
		for (;;) {
			if (w.depth == 0)
				goto done;
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			ts_tree_cursor_goto_parent(&c);
			leave(&w, --w.depth);
		}
	}
done:
	ts_tree_cursor_delete(&c);
	check_chains(&w);
	note_added_blocking(&w);
	cg_callgraph_lend(NULL, NULL, NULL);
	unbind_to(&w, 0);
	unguard_to(&w, 0);
	free(w.binds);
	free(w.guards);
	free(w.levels);
	cg_blocking_list_release(&w.list);
	return 0;
}

/* The words that name a listed blocking call (blocking_words), at most. */
#define BLOCKING_WORDS_MAX 512

struct blocking_words {
	struct {
		const char *p;
		size_t n;
	} w[BLOCKING_WORDS_MAX];
	size_t n;
};

/*
 * The words a line that makes a listed blocking call shows: its owner (the
 * segment before the last: `fs` of `std::fs::*`, `File` of
 * `std::fs::File::open`) or its own name (`read_to_string`,
 * `blocking_lock`), as any path, `use` or method call reaching it does, but
 * for a bare name of a glob entry imported by an unchanged `use` (`read(p)`
 * after `use std::fs::read`).
 */
static void blocking_words(struct blocking_words *out, const struct cg_conf_node *blocking)
{
	out->n = 0;
	for (size_t i = 0; blocking && i < blocking->nkids && out->n + 2 <= BLOCKING_WORDS_MAX; i++) {
		const char *p = cg_conf_str(blocking->kids[i], "path", ""), *q, *seg = p, *prev = NULL;
		while ((q = strstr(seg, "::")) != NULL) {
			prev = seg;
			seg = q + 2;
		}
		if (seg[0] == '.')
			seg++;
		if (prev) {
			out->w[out->n].p = prev;
			out->w[out->n++].n = (size_t)(strstr(prev, "::") - prev);
		}
		if (strcmp(seg, "*")) {
			out->w[out->n].p = seg;
			out->w[out->n++].n = strlen(seg);
		}
	}
}

/* Whether a line's code (not a `//` comment) holds a call and one of the words. */
static bool names_blocking(const struct blocking_words *words, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (!memchr(p, '(', (size_t)(end - p)) || (end - p >= 2 && p[0] == '/' && p[1] == '/'))
		return false;
	while (p < end) {
		const char *w = p;
		while (p < end && cg_is_ident_byte(*p))
			p++;
		for (size_t i = 0; p > w && i < words->n; i++)
			if (words->w[i].n == (size_t)(p - w) && !memcmp(words->w[i].p, w, words->w[i].n))
				return true;
		while (p < end && !cg_is_ident_byte(*p))
			p++;
	}
	return false;
}

/*
 * Bytes without async code matter only when the change adds a line to them
 * in a crate file, and an added line names a blocking call: the change may
 * make a helper block that async fns elsewhere call. The pass asks first
 * with the whole file (ctx->src unset), then with each item (ctx->src
 * set, placing the bytes): both only read the added lines.
 */
static bool may_add_blocking(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	const struct cg_changed_file *cf = ctx->file;
	struct blocking_words words;
	const char *p = text, *end = text + len;
	uint32_t line = 1;
	size_t r = 0;
	bool has_words = false;

	if (!cf || cf->is_whole_file || !cf->nadded || !ctx->cargo || !len || cg_rust_path_is_test(ctx->path))
		return false;
	if (ctx->src) {
		uint32_t at = (uint32_t)(text - ctx->src->text), last;
		line = cg_source_line_of(ctx->src, at);
		last = cg_source_line_of(ctx->src, at + (uint32_t)len - 1);
		while (r < cf->nadded && cf->added[r].end < line)
			r++;
		if (r == cf->nadded || cf->added[r].start > last)
			return false;
	}
	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		while (r < cf->nadded && cf->added[r].end < line)
			r++;
		if (r == cf->nadded)
			return false;
		if (cf->added[r].start <= line) {
			if (!has_words)
				blocking_words(&words, cg_conf_child(ctx->rule_cfg, "blocking"));
			has_words = true;
			if (names_blocking(&words, p, (size_t)(le - p)))
				return true;
		}
		p = le + 1;
	}
	return false;
}

/* Without `async` there is no async context: the pass need not parse the file for this rule. */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	struct cg_tokenizer tz;

	if (!memmem(text, len, "async", 5))
		return may_add_blocking(ctx, text, len);
	/*
	 * As code, not in a comment, a string or the middle of a name: tokio's
	 * doc comments say "asynchronous" everywhere, and an item or a file
	 * whose `async` is all prose would be parsed for nothing. A word ending
	 * in it counts as is_async_marker counts it (`r#async`).
	 */
	if (cg_tokenizer_init(&tz, text, len) < 0) {
		cg_error_clear();
		return true;
	}
	for (struct cg_token t; (t = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END;) {
		const char *w = text + t.start;
		size_t n = t.end - t.start;
		if (t.kind == CG_TOKEN_WORD && n >= 5 && !memcmp(w + n - 5, "async", 5) &&
		    (n == 5 || !(w[n - 6] == '_' || (w[n - 6] >= 'a' && w[n - 6] <= 'z'))))
			return true;
	}
	return may_add_blocking(ctx, text, len);
}

const struct cg_rule cg_rule_blocking_in_async = {
	.id = "blocking-in-async",
	.default_severity = CG_SEV_ERROR,
	.summary = "no blocking calls on async executor threads",
	.explain = "An async runtime such as tokio runs every task on a few executor threads. A call that\n"
		   "blocks (file or socket I/O from std, a sleep, waiting for a process, a thread, a channel\n"
		   "or a lock) stops every other task on that thread until it returns. Inside an `async fn`,\n"
		   "an `async` block or an async closure, call the async version and `.await` it, or move\n"
		   "the blocking work to a thread made for it with `tokio::task::spawn_blocking`.\n"
		   "\n"
		   "Bad:\n"
		   "    async fn load(p: &Path) -> io::Result<Config> {\n"
		   "        let text = std::fs::read_to_string(p)?;\n"
		   "        std::thread::sleep(Duration::from_millis(10));\n"
		   "        Ok(parse(&text))\n"
		   "    }\n"
		   "\n"
		   "Good:\n"
		   "    async fn load(p: &Path) -> io::Result<Config> {\n"
		   "        let text = tokio::fs::read_to_string(p).await?;\n"
		   "        tokio::time::sleep(Duration::from_millis(10)).await;\n"
		   "        Ok(parse(&text))\n"
		   "    }\n"
		   "\n"
		   "A lock guard (std::sync, or parking_lot: `lock_types`) that is still alive at an `.await`\n"
		   "is reported too: bound by `let g = m.lock().unwrap()`, `let Ok(g) = m.lock() else {..}`,\n"
		   "`if let Ok(g) = m.lock()`, or a temporary of the scrutinee of a `match`, `if let` or\n"
		   "`while let` (`match m.lock().unwrap().get(k) {..}` holds the lock until the match ends).\n"
		   "Drop it first (`drop(guard)`, an inner block, a `let` before the match; lock again\n"
		   "after the await when the guard is used there), or use the runtime's async lock:\n"
		   "tokio::sync::Mutex, async_std::sync::Mutex, smol::lock::Mutex, or async_lock::Mutex\n"
		   "in a crate with no runtime of its own (async-io, futures-lite).\n"
		   "\n"
		   "What counts as async context: only the nearest enclosing body. A nested `fn` item ends it;\n"
		   "so does a closure that is not async, unless a method that calls it in place takes it\n"
		   "(`inline`: `opt.map(|p| …)`, iterator adapters, `unwrap_or_else`, …), where it stays.\n"
		   "Work inside `spawn_blocking(|| …)`, `thread::spawn`, `rayon::join`, a rayon parallel\n"
		   "iterator, a closure kept in a variable or handed to any other function is not reported:\n"
		   "where and when those run is not shown. Calls are resolved through the file's\n"
		   "`use` declarations (groups, aliases, self/super/crate, globs of known modules): `use\n"
		   "tokio::fs; fs::read(p).await` is fine, `use std::fs; fs::read(p)` is not. A call that is\n"
		   "itself awaited is never the blocking std version.\n"
		   "\n"
		   "Methods are matched by the receiver's type where the file shows it: `Command::new(..)`\n"
		   "chains, variables bound by `let` from a known constructor or with a type annotation, and\n"
		   "parameters with a type. In an async method, a field of `self` has the type its struct\n"
		   "declares, in whichever file of the crate that is: `self.rx.recv()` on a std `Receiver`,\n"
		   "`self.tx.send(x)` on a `SyncSender`, also through `Arc`, `Mutex` and `.lock().unwrap()`.\n"
		   "A value returned by a fn of the crate called by name or by a\n"
		   "`crate::`/`self::`/`super::` path has the return type that fn declares (`let rx =\n"
		   "make_rx(); rx.recv()`), through `Result`/`Option` and `?`. A name a pattern of an enum's\n"
		   "tuple variant binds (`Conn::Sync(rx) =>`, `if let Self::File(f) = ..`, let-else) has the\n"
		   "type the enum declares for that payload, wherever in the crate the enum is. The elements\n"
		   "of a `Vec<T>` or `VecDeque<T>` annotated so (a `let`, a parameter) are Ts, and a\n"
		   "`Vec::new()` that `std::thread::spawn(..)` results are pushed into holds JoinHandles:\n"
		   "`for h in handles` and `handles.into_iter().for_each(|h| ..)` / `.map(|h| h.join())`\n"
		   "join them, and so does `while let Some(h) = handles.pop()`. A receiver of unknown type\n"
		   "(a `Type::f` result, a generic, an element of another collection) is only matched for\n"
		   "method names that only blocking APIs have (`blocking_lock`, `block_on`,\n"
		   "`to_socket_addrs`, …).\n"
		   "\n"
		   "Not blocking, though listed: `TcpListener::bind`/`UdpSocket::bind` on an IP literal\n"
		   "(`\"127.0.0.1:0\"`), a SocketAddr or an `(ip, port)` pair (no name to resolve, and bind(2)\n"
		   "does not wait), `to_socket_addrs` on those, and `io::copy` between readers and writers in\n"
		   "memory (a Cursor, a Vec, a byte slice, io::sink()).\n"
		   "\n"
		   "Blocking reached through the crate's own functions is reported at the call in the async\n"
		   "fn, with the chain: async fn `reload` calls `load_config` (src/config.rs:41), which\n"
		   "calls `std::fs::read_to_string` (src/config.rs:44). A function may block when its body\n"
		   "makes a blocking call, or calls a function of the crate that may block, through any\n"
		   "number of calls and recursion. In a helper's body, a closure handed to a function that\n"
		   "runs it on another thread (the `wrappers` list: `spawn_blocking`, `block_in_place`,\n"
		   "`std::thread::spawn`, `rayon::spawn`, …) leaves the thread and what it calls does not\n"
		   "count; any other closure is taken to run where it is written (`opt.map(|p| fs::read(p))`\n"
		   "blocks). Fix it at the call (`tokio::task::spawn_blocking(move || load_config(p)).await`)\n"
		   "or make the helper async; the helper itself is fine in sync code and is not reported. A\n"
		   "call to an async fn is not followed (its body runs where it is awaited, and is checked\n"
		   "itself).\n"
		   "\n"
		   "Calls are followed through the module tree from src/lib.rs or src/main.rs (`mod x;`\n"
		   "files, inline modules, `#[path]`, modules declared inside item macros such as `cfg_net!\n"
		   "{ … }`): `crate::…`, `self::…`, `super::…`, `use crate::…` names, a module's `m::f`,\n"
		   "bare names of the same module, `Self::f` / `self.f()` in the same file, `Type::f` to an\n"
		   "impl in the module that declares the type, names a module re-exports (`pub use\n"
		   "self::x::helper;` then `crate::helper()`), and a provided method of a trait of the crate\n"
		   "called on a parameter typed `&dyn Trait`, `Box<dyn Trait>`, `impl Trait` or a generic\n"
		   "bound by it (an impl that overrides the method is not looked for), and a method called\n"
		   "in an async fn on a value the file shows to be of a type of the crate (an enum's\n"
		   "payload, `crate::` paths) to that type's impl in the module that declares it.\n"
		   "Everything else stays unresolved and is never guessed: other crates (even of the same\n"
		   "workspace), methods on receivers of a type not shown (locals, fields of other values,\n"
		   "values of `Type::f`; in a helper, an enum's payloads), glob imports and glob\n"
		   "re-exports, impls of a type in another module, and calls inside macro arguments or\n"
		   "async blocks of a helper. Only async fns are followed, not async blocks or closures,\n"
		   "and not test code.\n"
		   "\n"
		   "A chain is reported when the call in the async fn is on a shown line: an unchanged call\n"
		   "is not reported again on every commit. When the change adds a blocking call to a helper\n"
		   "that async fns call from unchanged lines, directly or through other sync fns, the added\n"
		   "line gets a note naming those async callers in every file of the helper's crate\n"
		   "(file:line and the fn each calls; the first 8, then how many more). Only the crate's\n"
		   "files that name the helper, or a sync fn on the way to it, are read for this, and only\n"
		   "when a change adds a blocking call to a sync fn. With `--filter file` or `diff_context`,\n"
		   "a caller's call in a file the change touches is reported with its chain too; a caller in\n"
		   "a file the change does not touch is named in the note only, as the filter drops findings\n"
		   "outside the change's files. Callers in other crates, even of the same workspace, are not\n"
		   "looked for. In a file without async code, the added line must name the call or its\n"
		   "owner (`fs::read(p)`, `File::open(p)`, `read_to_string(p)`): a bare name brought in by an\n"
		   "unchanged `use` of a module listed whole (`use std::fs::remove_file;`) is not seen there.\n"
		   "\n"
		   "Macro arguments (`println!`, `tokio::select!`, `join!`, `assert!`) are token trees, not\n"
		   "syntax: the rule scans their tokens for `path(…)` and `.method(…)` calls. A closure handed\n"
		   "to a wrapper there (`assert_ok!(task::spawn_blocking(|| …).await)`) runs off the executor\n"
		   "as it does outside a macro; other closures, `async` blocks and items inside them are not\n"
		   "seen, and `macro_rules!` bodies and what a macro expands to are not scanned.\n"
		   "\n"
		   "Where the std value a blocking call returns goes on being used as std, the async\n"
		   "replacement would not build, so the message says to move the whole use into\n"
		   "`spawn_blocking` instead: a value handed to a std BufReader/BufWriter, `from_reader`,\n"
		   "`to_writer`, a server's `listen(l)` or a std thread; and a File or socket used through its\n"
		   "own std methods without `.await` and without a finding of their own (`write!(f, …)`,\n"
		   "`s.set_nonblocking(true)`, `File::create(p)?.write_all(b)` in one chain) or handed to\n"
		   "tokio's `from_std(f)` or `pipe::Receiver::from_file(f)`. A method reported itself\n"
		   "(`f.read_to_end(&mut v)` on a std File) names its tokio call, and with it the tokio open\n"
		   "builds. The conversions want the std value: the open or connect\n"
		   "before them still blocks, and `tokio::fs::File::open(p).await` would leave a `from_std`\n"
		   "that does not build, so the open moves to a blocking thread and the conversion stays.\n"
		   "\n"
		   "Replacements are written for the crate's runtime, read from its dependencies: tokio's\n"
		   "API with tokio, async-std's or smol's with those (and their `spawn_blocking`/`unblock`\n"
		   "where no call of the same shape exists), actix-rt's re-exports of tokio's task, time and\n"
		   "net with actix-rt or actix-web (`actix_web::web::block` for the rest), and `blocking::unblock(move "
		   "|| …).await`, which\n"
		   "runs on any executor, for a crate that depends on futures-lite or `blocking`, and for\n"
		   "one that depends on no runtime at all (a library whose futures run where its caller\n"
		   "puts them), with a note that `blocking` must be added.\n"
		   "\n"
		   "Test code (#[test] and #[tokio::test] functions, #[cfg(test)] modules, tests/, benches/,\n"
		   "examples/, build.rs) is reported at `test_severity` (warning by default). The list of\n"
		   "blocking calls, their replacements and the wrappers are `rules.blocking-in-async` in config.\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
	/*
	 * One walk; bindings and guards live in bodies; names resolve through the
	 * use map. Chains read the crate through the change, never the tree.
	 */
	.is_item_local = true,
	.is_member_local = true,
};
