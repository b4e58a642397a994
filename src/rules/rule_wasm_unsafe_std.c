#define _GNU_SOURCE
/*
 * wasm-unsafe-std: native and WASM builds keep parity, so a crate that
 * targets WASM must not call the std APIs that panic or always fail on
 * wasm32-unknown-unknown (no clock, no threads, no file system, no sockets,
 * no processes) in code its wasm build compiles. A crate targets WASM only
 * on positive evidence, named in the message: a marker dependency
 * (wasm-bindgen, web-sys, js-sys, getrandom's `js`), a [target.…] table
 * whose cfg holds on wasm32 and names it, a wasm32 target in
 * .cargo/config.toml, rust-toolchain.toml (libraries), or config `crates`. What the
 * wasm build compiles is judged by rules/gate.h under wasm32 without tests,
 * with the features the crate rejects on wasm (a `compile_error!` under a
 * wasm cfg, config native_features) false and its cfg-alias macros known.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crate/features.h"
#include "rules/gate.h"
#include "rules/rule.h"
#include "crate/workspace.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* What the run knows about one crate: read once, at its first file (the pass runs files on several threads). */
struct wasm_crate {
	uint64_t key;
	bool is_wasm;
	char *why; /* the evidence, for the message */
	bool has_env;
	struct cg_gate_env env;
	/* Paths of dependencies the wasm build lacks (`hyper`, or `tokio::net` for a feature turned on off wasm only).
	 */
	char **native_paths;
	size_t nnative_paths;
};

static pthread_mutex_t crates_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Kept for the run, like the cargo cache: a crate is asked about by each of
 * its files. One allocation each, so an entry a walk holds stays where it is
 * when another thread adds a crate.
 */
static struct wasm_crate **crates;
static size_t ncrates, crates_cap;

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	const struct cg_conf_node *calls, *except;
	const struct cg_gate_env *env;
	const struct cg_gate_env *base_env; /* the crate's, for its other files */
	const char *why_wasm;		    /* why the crate counts as a WASM crate, for the message */
	const struct wasm_crate *wc;
	int file_state;	     /* 0: not asked yet, 1: compiled for wasm32, -1: its module is gated away */
	bool has_wasm_tests; /* the file runs its tests on wasm (wasm_bindgen_test) */
	struct held *held;   /* findings in private helpers, judged once the walk has seen every caller */
	size_t nheld, held_cap;
};

/* Identifiers the wasm build compiles, outside fn names: what can call a helper. */
struct names {
	TSNode *at;
	size_t n, cap;
};

static int collect_names(TSNode node, void *payload)
{
	struct names *names = payload;
	enum cg_kind kind = cg_node_kind(node);
	if (kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL || kind == CG_K_USE_DECLARATION)
		return CG_WALK_SKIP;
	if (kind == CG_K_IDENTIFIER && cg_node_kind(ts_node_parent(node)) != CG_K_FUNCTION_ITEM) {
		cg_array_grow((void **)&names->at, &names->cap, names->n + 1, sizeof(*names->at));
		names->at[names->n++] = node;
	}
	return CG_WALK_ENTER;
}

struct held {
	TSNode at, helper;
	const struct cg_conf_node *call;
	char *full;
};

/* `pattern` is a full path, `m::*` for anything under module m, or `*::name` for any path ending so. */
static bool path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern), len = strlen(path);
	if (n >= 3 && !memcmp(pattern, "*::", 3))
		return len >= n - 1 && !memcmp(path + len - (n - 1), pattern + 1, n - 1);
	if (n >= 3 && !strcmp(pattern + n - 3, "::*"))
		return !strncmp(path, pattern, n - 1) && path[n - 1] != '\0';
	return !strcmp(pattern, path);
}

static const void *call_of(const char *path, void *payload)
{
	const struct walk *w = payload;
	for (size_t i = 0; w->except && i < w->except->nkids; i++)
		if (w->except->kids[i]->value && path_matches(w->except->kids[i]->value, path))
			return NULL;
	for (size_t i = 0; w->calls && i < w->calls->nkids; i++)
		if (path_matches(cg_conf_str(w->calls->kids[i], "path", ""), path))
			return w->calls->kids[i];
	return NULL;
}

static void report(struct walk *w, TSNode at, const struct cg_conf_node *call, const char *full)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	const char *instead = cg_conf_str(call, "instead", "");

	cg_buf_printf(&msg, "`%s` %s; this crate targets WASM (%s)", full,
		      cg_conf_str(call, "effect", "does not work on wasm32-unknown-unknown"), w->why_wasm);
	if (*instead)
		cg_buf_printf(&help, "use %s, or keep the call ", instead);
	else
		cg_buf_puts(&help, "keep the call ");
	cg_buf_puts(&help,
		    "out of the wasm build with `#[cfg(not(target_arch = \"wasm32\"))]` on the item or its module");
	e.span = cg_span_of(at);
	e.message = msg.ptr;
	e.help = help.ptr;
	cg_rule_emit(w->ctx, &e);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

/*
 * The file-private free fn around `at` (no `pub`, no attribute, not a
 * method, not `main`), or a null node. In a file whose tests run on wasm,
 * such a helper runs only if code the wasm build compiles names it (not
 * only tests ignored there), and only this file can (a child module in
 * another file calling `super::f` is the exception it takes on).
 */
static TSNode private_helper_of(const struct cg_source *src, TSNode at)
{
	TSNode fn = at, parent, prev;
	while (!ts_node_is_null(fn) && cg_node_kind(fn) != CG_K_FUNCTION_ITEM)
		fn = ts_node_parent(fn);
	if (ts_node_is_null(fn))
		return fn;
	parent = ts_node_parent(fn);
	prev = ts_node_prev_named_sibling(fn);
	while (!ts_node_is_null(prev) &&
	       (cg_node_kind(prev) == CG_K_LINE_COMMENT || cg_node_kind(prev) == CG_K_BLOCK_COMMENT))
		prev = ts_node_prev_named_sibling(prev);
	if (ts_node_is_null(parent) ||
	    !(cg_node_kind(parent) == CG_K_SOURCE_FILE || (cg_node_kind(parent) == CG_K_DECLARATION_LIST &&
							   cg_node_kind(ts_node_parent(parent)) == CG_K_MOD_ITEM)) ||
	    cg_node_kind(ts_node_named_child(fn, 0)) == CG_K_VISIBILITY_MODIFIER ||
	    (!ts_node_is_null(prev) && cg_node_kind(prev) == CG_K_ATTRIBUTE_ITEM) ||
	    cg_node_is(src, cg_child(fn, CG_F_NAME), "main"))
		return (TSNode){ 0 };
	return fn;
}

/* The name of the type an impl block is for (`impl<T> X for a::Barrier<T>`: Barrier), or a null node. */
static TSNode impl_type_name(TSNode impl)
{
	TSNode type = cg_child(impl, CG_F_TYPE);
	if (!ts_node_is_null(type) && cg_node_kind(type) == CG_K_GENERIC_TYPE)
		type = cg_child(type, CG_F_TYPE);
	if (!ts_node_is_null(type) && cg_node_kind(type) == CG_K_SCOPED_TYPE_IDENTIFIER)
		type = cg_child(type, CG_F_NAME);
	return !ts_node_is_null(type) && cg_node_kind(type) == CG_K_TYPE_IDENTIFIER ? type : (TSNode){ 0 };
}

/*
 * The name of the crate-private type whose impl holds `at`, when this file
 * declares it (`pub(crate) struct Barrier`, a struct or enum without a
 * plain `pub`); else a null node. No other crate can make one, so its
 * methods run only where the crate's own code names the type.
 */
static TSNode private_impl_type(const struct cg_source *src, TSNode at)
{
	TSNode impl = at, name;
	size_t len;
	const char *t;
	while (!ts_node_is_null(impl) && cg_node_kind(impl) != CG_K_IMPL_ITEM)
		impl = ts_node_parent(impl);
	name = ts_node_is_null(impl) ? impl : impl_type_name(impl);
	if (ts_node_is_null(name))
		return (TSNode){ 0 };
	t = cg_node_text(src, name, &len);
	for (uint32_t i = 0; i < ts_node_named_child_count(ts_node_parent(impl)); i++) {
		TSNode item = ts_node_named_child(ts_node_parent(impl), i), vis, iname;
		size_t vlen, nlen;
		const char *vt, *nt;
		if (cg_node_kind(item) != CG_K_STRUCT_ITEM && cg_node_kind(item) != CG_K_ENUM_ITEM)
			continue;
		iname = cg_child(item, CG_F_NAME);
		nt = ts_node_is_null(iname) ? NULL : cg_node_text(src, iname, &nlen);
		if (!nt || nlen != len || memcmp(nt, t, len))
			continue;
		vis = ts_node_named_child(item, 0);
		if (cg_node_kind(vis) != CG_K_VISIBILITY_MODIFIER)
			return name;
		vt = cg_node_text(src, vis, &vlen);
		return vlen > 3 && vt[3] == '(' ? name : (TSNode){ 0 };
	}
	return (TSNode){ 0 };
}

/* What one file of the crate does with a crate-private type's name. */
struct type_uses {
	const struct cg_source *src;
	const char *name;
	size_t len;
	bool is_home;	  /* the file declaring the type: its declaration and impls do not count */
	bool is_shadowed; /* the file declares an item of that name of its own: only paths `a::Name` count */
	bool has_use;	  /* a `use` of the file names it: then its own item shadows nothing for sure */
	bool is_named;
};

/* Items a file declares under a name: they shadow a type of the same name brought in by `use`. */
static bool is_named_decl(const struct type_uses *u, TSNode node)
{
	const char *type = ts_node_type(node);
	return (cg_node_kind(node) == CG_K_STRUCT_ITEM || cg_node_kind(node) == CG_K_ENUM_ITEM ||
		cg_node_kind(node) == CG_K_TRAIT_ITEM || !strcmp(type, "union_item") || !strcmp(type, "type_item")) &&
	       cg_node_is(u->src, cg_child(node, CG_F_NAME), u->name);
}

/*
 * An identifier in a macro's tokens that a `use` item there names
 * (`cfg_sync! { pub use barrier::{Barrier, …}; }`), not renamed with `as`.
 */
static bool is_in_macro_use(const struct cg_source *src, TSNode ident, size_t len)
{
	TSNode mac = ident;
	const char *text = src->text, *p, *at = src->text + ts_node_start_byte(ident), *end, *start;
	while (!ts_node_is_null(mac) && cg_node_kind(mac) != CG_K_MACRO_INVOCATION)
		mac = ts_node_parent(mac);
	if (ts_node_is_null(mac))
		return false;
	/* The item around: from the `;` before (or the macro's first `{`) to the `;` after. */
	start = text + ts_node_start_byte(mac);
	for (p = at; p > start && p[-1] != ';'; p--)
		;
	if (p == start) {
		const char *brace = memchr(p, '{', (size_t)(at - p));
		if (!brace)
			return false;
		p = brace + 1;
	}
	end = memchr(at, ';', (size_t)(text + ts_node_end_byte(mac) - at));
	if (!end)
		return false;
	for (;;) {
		while (p < at && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p < at && *p == '#') { /* an attribute: past its brackets */
			int depth = 0;
			for (; p < at; p++) {
				depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
				if (*p == ']' && !depth) {
					p++;
					break;
				}
			}
			continue;
		}
		break;
	}
	if (at - p > 3 && !memcmp(p, "pub", 3) && !cg_is_ident_byte(p[3])) {
		p += 3;
		while (p < at && *p == ' ')
			p++;
		if (p < at && *p == '(' && (p = memchr(p, ')', (size_t)(at - p))) == NULL)
			return false;
		p += *p == ')';
		while (p < at && *p == ' ')
			p++;
	}
	return at - p > 3 && !memcmp(p, "use", 3) && !cg_is_ident_byte(p[3]) &&
	       !cg_has_word(at + len, (size_t)(end - at - len), "as", 2);
}

static int find_shadow(TSNode node, void *payload)
{
	struct type_uses *u = payload;
	size_t len;
	const char *t;
	if (is_named_decl(u, node))
		u->is_shadowed = true;
	if (cg_node_kind(node) == CG_K_USE_DECLARATION) {
		t = cg_node_text(u->src, node, &len);
		u->has_use = u->has_use || cg_has_word(t, len, u->name, u->len);
		return CG_WALK_SKIP;
	}
	if (cg_node_kind(node) == CG_K_IDENTIFIER && cg_node_kind(ts_node_parent(node)) == CG_K_TOKEN_TREE &&
	    cg_node_is(u->src, node, u->name) && is_in_macro_use(u->src, node, u->len))
		u->has_use = true;
	return CG_WALK_ENTER;
}

static int find_type_use(TSNode node, void *payload)
{
	struct type_uses *u = payload;
	enum cg_kind kind = cg_node_kind(node), pkind;
	size_t len;
	const char *t;

	if (u->is_named || kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL)
		return CG_WALK_SKIP;
	if (kind == CG_K_USE_DECLARATION) {
		/* A `use` makes no value; one that renames the type (`use …::Barrier as B`) hides later uses. */
		t = cg_node_text(u->src, node, &len);
		u->is_named = cg_has_word(t, len, u->name, u->len) && cg_has_word(t, len, "as", 2);
		return CG_WALK_SKIP;
	}
	if ((u->is_home || u->is_shadowed) &&
	    (is_named_decl(u, node) ||
	     (cg_node_kind(node) == CG_K_IMPL_ITEM && cg_node_is(u->src, impl_type_name(node), u->name))))
		return CG_WALK_SKIP;
	if ((kind != CG_K_IDENTIFIER && kind != CG_K_TYPE_IDENTIFIER) || !cg_node_is(u->src, node, u->name))
		return CG_WALK_ENTER;
	pkind = cg_node_kind(ts_node_parent(node));
	if (pkind == CG_K_TOKEN_TREE && is_in_macro_use(u->src, node, u->len))
		return CG_WALK_ENTER;
	u->is_named = !u->is_shadowed || ((pkind == CG_K_SCOPED_IDENTIFIER || pkind == CG_K_SCOPED_TYPE_IDENTIFIER) &&
					  ts_node_eq(cg_child(ts_node_parent(node), CG_F_NAME), node));
	return CG_WALK_ENTER;
}

struct path_list {
	char **paths;
	size_t n, cap;
};

static int collect_path(const char *path, void *payload)
{
	struct path_list *pl = payload;
	if (cg_ends_with(path, ".rs")) {
		cg_array_grow((void **)&pl->paths, &pl->cap, pl->n + 1, sizeof(*pl->paths));
		pl->paths[pl->n++] = cg_strdup(path);
	}
	return 0;
}

/*
 * Calls `cb` with each .rs file under `prefix` at the change's new
 * revision that `mentions` (a test of its bytes, made before the parse)
 * accepts, parsed; `src` is NULL when the file does not parse, and files
 * that cannot be read are passed over. The paths are listed first and the
 * files read after: cg_change_list holds the change's lock while it calls
 * back, and the gate takes its own lock before the change's
 * (cg_gate_file_excluded), so a `cb` reading a file's gate inside the
 * listing would take them in the other order and could deadlock with a
 * thread of the pool. A negative code when the listing failed.
 */
static int each_crate_file(const struct cg_change *change, const char *prefix,
			   bool (*mentions)(const char *text, size_t len, void *payload),
			   void (*cb)(const char *path, const char *text, size_t len, const struct cg_source *src,
				      void *payload),
			   void *payload)
{
	struct path_list pl = { 0 };
	int err = cg_change_list(change, prefix, collect_path, &pl);

	cg_error_clear();
	for (size_t i = 0; i < pl.n; i++) {
		struct cg_buf text = CG_BUF_INIT;
		struct cg_source src;
		if (cg_change_read(change, pl.paths[i], &text) == 0 && mentions(text.ptr, text.size, payload)) {
			bool is_parsed = cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0;
			cb(pl.paths[i], text.ptr, text.size, is_parsed ? &src : NULL, payload);
			if (is_parsed)
				cg_source_release(&src);
		}
		cg_error_clear();
		cg_buf_release(&text);
		free(pl.paths[i]);
	}
	free(pl.paths);
	return err < 0 ? err : 0;
}

struct type_scan {
	const struct cg_rule_ctx *ctx;
	const struct cg_gate_env *env;
	const char *name;
	bool is_named;
};

static bool mentions_type(const char *text, size_t len, void *payload)
{
	const struct type_scan *ts = payload;
	return !ts->is_named && cg_has_word(text, len, ts->name, strlen(ts->name));
}

static void scan_type_uses(const char *path, const char *text, size_t len, const struct cg_source *src, void *payload)
{
	struct type_scan *ts = payload;
	struct type_uses u = { src, ts->name, strlen(ts->name), !strcmp(path, ts->ctx->path), false, false };
	struct cg_gate_env env = *ts->env;

	if (memmem(text, len, "wasm_bindgen_test", 17))
		env.build &= ~(unsigned)CG_GATE_NOT_TEST;
	if (!u.is_home && cg_gate_file_excluded(ts->ctx->gate, ts->ctx->change, path, &env))
		return;
	if (!src) {
		ts->is_named = true; /* unread: the type may be used there */
		return;
	}
	if (!u.is_home && cg_gate_walk(src, &env, find_shadow, &u) < 0)
		ts->is_named = true;
	u.is_shadowed = u.is_shadowed && !u.has_use;
	if (cg_gate_walk(src, &env, find_type_use, &u) < 0 || u.is_named)
		ts->is_named = true;
	cg_error_clear();
}

/*
 * Answers kept for the run, by key: each finding in a type's methods, under
 * the same flag or the same boolean macro, asks the same question of the
 * whole crate. Two threads may both compute an answer; they agree.
 */
struct answers {
	struct {
		uint64_t key;
		bool value;
	} * at;
	size_t n, cap;
};
static pthread_mutex_t answers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct answers type_answers, flag_answers, macro_answers;

static bool answer_get(const struct answers *a, uint64_t key, int *value)
{
	bool is_known = false;
	pthread_mutex_lock(&answers_lock);
	for (size_t i = 0; i < a->n && !is_known; i++) {
		if (a->at[i].key == key) {
			*value = a->at[i].value;
			is_known = true;
		}
	}
	pthread_mutex_unlock(&answers_lock);
	return is_known;
}

static void answer_put(struct answers *a, uint64_t key, int value)
{
	pthread_mutex_lock(&answers_lock);
	cg_array_grow((void **)&a->at, &a->cap, a->n + 1, sizeof(*a->at));
	a->at[a->n].key = key;
	a->at[a->n++].value = value;
	pthread_mutex_unlock(&answers_lock);
}

/*
 * Whether code of the crate that the wasm build compiles names the
 * crate-private type `name` declared in this file (outside its declaration
 * and impls, and `use` lines): makes a value, holds one in a field, calls
 * an associated fn. If none does, no value of it exists on wasm and its
 * methods never run there (tokio's loom Barrier, used only by the
 * multi-thread scheduler). Files that cannot be read or parsed count as
 * naming it.
 */
static bool type_is_named_on_wasm(const struct walk *w, TSNode name)
{
	const struct cg_crate *cr = cg_crate_of(w->ctx->cargo, w->ctx->path);
	struct cg_buf src_dir = CG_BUF_INIT;
	size_t len;
	const char *t = cg_node_text(w->ctx->src, name, &len);
	char *s = cg_strndup(t, len);
	struct type_scan ts = { w->ctx, w->base_env, s, false };
	uint64_t key;
	int known;

	if (!cr) {
		free(s);
		return true;
	}
	key = cg_hash64(s, len,
			cg_hash64(w->ctx->path, strlen(w->ctx->path),
				  cg_hash64(&w->ctx->change, sizeof(w->ctx->change), cg_gate_env_hash(w->base_env))));
	if (answer_get(&type_answers, key, &known)) {
		ts.is_named = known;
	} else {
		cg_buf_printf(&src_dir, "%s%ssrc/", cr->dir, *cr->dir ? "/" : "");
		if (each_crate_file(w->ctx->change, src_dir.ptr, mentions_type, scan_type_uses, &ts) < 0)
			ts.is_named = true;
		answer_put(&type_answers, key, ts.is_named);
	}
	cg_buf_release(&src_dir);
	free(s);
	return ts.is_named;
}

/* The text of `n` without a leading `&` (`&hash_path`: hash_path). */
static const char *plain_text(const struct cg_source *src, TSNode n, size_t *len)
{
	if (cg_node_kind(n) == CG_K_REFERENCE_EXPRESSION)
		n = cg_child(n, CG_F_VALUE);
	return ts_node_is_null(n) ? NULL : cg_node_text(src, n, len);
}

/*
 * A std::fs call inside `if p.exists() { … }` (or is_file, is_dir) on the
 * path it is handed: on wasm32-unknown-unknown those ask the file system
 * that is not there and answer false, so the call never runs (leptos reads
 * cargo-leptos's hash file only where it exists).
 */
static bool is_under_exists_guard(const struct cg_source *src, TSNode fn, const char *full)
{
	TSNode call = ts_node_parent(fn), args, arg, n, prev;
	size_t alen;
	const char *at;

	if (!full || !cg_starts_with(full, "std::fs::") || cg_node_kind(call) != CG_K_CALL_EXPRESSION ||
	    !ts_node_eq(cg_child(call, CG_F_FUNCTION), fn))
		return false;
	args = cg_child(call, CG_F_ARGUMENTS);
	arg = ts_node_is_null(args) ? args : ts_node_named_child(args, 0);
	if (ts_node_is_null(arg) || !(at = plain_text(src, arg, &alen)))
		return false;
	for (prev = call, n = ts_node_parent(call); !ts_node_is_null(n); prev = n, n = ts_node_parent(n)) {
		TSNode cond, f, recv, name;
		size_t rlen;
		const char *rt;
		if (cg_node_kind(n) == CG_K_FUNCTION_ITEM || cg_node_kind(n) == CG_K_CLOSURE_EXPRESSION)
			return false;
		if (cg_node_kind(n) != CG_K_IF_EXPRESSION || !ts_node_eq(cg_child(n, CG_F_CONSEQUENCE), prev))
			continue;
		cond = cg_child(n, CG_F_CONDITION);
		f = cg_node_kind(cond) == CG_K_CALL_EXPRESSION ? cg_child(cond, CG_F_FUNCTION) : (TSNode){ 0 };
		if (ts_node_is_null(f) || cg_node_kind(f) != CG_K_FIELD_EXPRESSION ||
		    ts_node_named_child_count(cg_child(cond, CG_F_ARGUMENTS)))
			continue;
		name = cg_child(f, CG_F_FIELD);
		recv = cg_child(f, CG_F_VALUE);
		if (!(cg_node_is(src, name, "exists") || cg_node_is(src, name, "is_file") ||
		      cg_node_is(src, name, "is_dir")) ||
		    !(rt = plain_text(src, recv, &rlen)))
			continue;
		if (rlen == alen && !memcmp(rt, at, alen))
			return true;
	}
	return false;
}

/* A macro's text without white space, in `out`. */
static void squeeze(const char *t, size_t len, struct cg_buf *out)
{
	cg_buf_truncate(out, 0);
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
			cg_buf_putc(out, t[i]);
}

/* What one `macro_rules! name` of the repository gives for `name!()` on wasm. */
struct bool_macro_scan {
	const struct cg_change *change;
	const char *name;
	enum cg_tri value; /* CG_TRI_UNKNOWN until a definition says; disagreeing ones make it unknown */
	bool is_found, is_mixed;
	char *next; /* a macro it forwards to (`$crate::_is_not_ssr! { $($tt)* }`), owned */
};

/*
 * The value `name!()` expands to under a definition active on wasm: its
 * first rule that matches no tokens (`()` or `($($t:tt)*)`) expands to
 * `true`, `false`, or another macro called with the same tokens.
 */
static void read_bool_macro(struct bool_macro_scan *bs, const struct cg_source *src, TSNode def)
{
	struct cg_gate_env env = cg_gate_env_of(CG_GATE_WASM32 | CG_GATE_NOT_TEST);
	struct cg_buf left = CG_BUF_INIT, right = CG_BUF_INIT;
	enum cg_tri v = CG_TRI_UNKNOWN;
	char *next = NULL;
	size_t len;
	const char *t;

	env.is_custom_off = true; /* --cfg flags (sycamore_force_ssr) are off in a plain build */
	for (TSNode a = ts_node_prev_named_sibling(def); !ts_node_is_null(a) && cg_node_kind(a) == CG_K_ATTRIBUTE_ITEM;
	     a = ts_node_prev_named_sibling(a)) {
		TSNode attr = ts_node_named_child(a, 0), args = cg_child(attr, CG_F_ARGUMENTS);
		if (!ts_node_is_null(args) && cg_node_is(src, ts_node_named_child(attr, 0), "cfg")) {
			enum cg_tri c = cg_gate_cfg_eval(src, args, &env);
			if (c == CG_TRI_FALSE)
				return; /* not this build's definition */
			if (c == CG_TRI_UNKNOWN)
				goto unknown;
		}
	}
	for (uint32_t i = 0; i < ts_node_named_child_count(def); i++) {
		TSNode rule = ts_node_named_child(def, i);
		TSNode l = cg_child(rule, CG_F_LEFT), r = cg_child(rule, CG_F_RIGHT);
		if (ts_node_is_null(l) || ts_node_is_null(r))
			continue;
		t = cg_node_text(src, l, &len);
		squeeze(t, len, &left);
		if (strcmp(left.ptr, "()") && !(cg_starts_with(left.ptr, "($($") && cg_ends_with(left.ptr, ":tt)*)")))
			continue;
		t = cg_node_text(src, r, &len);
		squeeze(t, len, &right);
		if (!strcmp(right.ptr, "{true}") || !strcmp(right.ptr, "(true)"))
			v = CG_TRI_TRUE;
		else if (!strcmp(right.ptr, "{false}") || !strcmp(right.ptr, "(false)"))
			v = CG_TRI_FALSE;
		else {
			/* `{ $crate::m! { $($tt)* } }`, `{ m!() }`: the macro it hands the (no) tokens to. */
			const char *p = right.ptr + 1, *bang;
			if (cg_starts_with(p, "$crate::"))
				p += 8;
			bang = strchr(p, '!');
			if (bang && bang > p &&
			    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
				    (size_t)(bang - p))
				next = cg_strndup(p, (size_t)(bang - p));
		}
		break;
	}
unknown:
	if (bs->is_found && (bs->value != v || (next && (!bs->next || strcmp(next, bs->next))) || (!next && bs->next)))
		bs->is_mixed = true;
	bs->is_found = true;
	bs->value = v;
	if (next && !bs->next)
		bs->next = next;
	else
		free(next);
	cg_buf_release(&left);
	cg_buf_release(&right);
}

static bool mentions_bool_macro(const char *text, size_t len, void *payload)
{
	const struct bool_macro_scan *bs = payload;
	return memmem(text, len, "macro_rules!", 12) && cg_has_word(text, len, bs->name, strlen(bs->name));
}

static void scan_bool_macro(const char *path, const char *text, size_t len, const struct cg_source *src, void *payload)
{
	struct bool_macro_scan *bs = payload;
	TSTreeCursor c;
	bool is_done = false;

	(void)path;
	(void)text;
	(void)len;
	if (!src)
		return;
	c = ts_tree_cursor_new(cg_source_root(src));
	while (!is_done) {
		TSNode n = ts_tree_cursor_current_node(&c);
		bool is_def = cg_node_kind(n) == CG_K_MACRO_DEFINITION;
		if (is_def && cg_node_is(src, cg_child(n, CG_F_NAME), bs->name))
			read_bool_macro(bs, src, n);
		if (!is_def && ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c)) {
				is_done = true;
				break;
			}
		}
	}
	ts_tree_cursor_delete(&c);
}

/*
 * What `name!()` is on wasm, from the `macro_rules!` of that name anywhere
 * in the repository (a workspace crate's, such as sycamore-web's
 * `is_not_ssr!`, two definitions under opposite cfgs): the definitions
 * active on wasm must agree; forwarding to another macro is followed a few
 * steps. Unknown when no definition, or no agreement, is found.
 */
static enum cg_tri bool_macro_value(const struct cg_change *change, const char *name)
{
	char *cur = cg_strdup(name);
	enum cg_tri v = CG_TRI_UNKNOWN;
	uint64_t key = cg_hash64(name, strlen(name), cg_hash64(&change, sizeof(change), 0));
	int known;

	if (answer_get(&macro_answers, key, &known)) {
		free(cur);
		return (enum cg_tri)known;
	}
	for (int step = 0; step < 4 && cur; step++) {
		struct bool_macro_scan bs = { change, cur, CG_TRI_UNKNOWN, false, false, NULL };
		if (each_crate_file(change, "", mentions_bool_macro, scan_bool_macro, &bs) < 0)
			bs.is_mixed = true;
		free(cur);
		cur = NULL;
		if (bs.is_found && !bs.is_mixed) {
			v = bs.value;
			cur = bs.next;
			bs.next = NULL;
		}
		free(bs.next);
	}
	answer_put(&macro_answers, key, (int)v);
	free(cur);
	return v;
}

/*
 * `at` in a branch of `if m!() { … } else { … }` that a boolean macro's
 * value on wasm rules out (sycamore's `if is_not_ssr!() {} else { … }`).
 */
static bool is_in_dead_macro_branch(const struct walk *w, TSNode at)
{
	const struct cg_source *src = w->ctx->src;
	for (TSNode prev = at, n = ts_node_parent(at); !ts_node_is_null(n); prev = n, n = ts_node_parent(n)) {
		TSNode cond, mac, tt;
		bool is_then;
		char *name;
		size_t len;
		const char *t;
		enum cg_tri v;
		if (cg_node_kind(n) == CG_K_FUNCTION_ITEM || cg_node_kind(n) == CG_K_CLOSURE_EXPRESSION)
			return false;
		if (cg_node_kind(n) != CG_K_IF_EXPRESSION)
			continue;
		is_then = ts_node_eq(cg_child(n, CG_F_CONSEQUENCE), prev);
		if (!is_then && !ts_node_eq(cg_child(n, CG_F_ALTERNATIVE), prev))
			continue;
		cond = cg_child(n, CG_F_CONDITION);
		if (cg_node_kind(cond) != CG_K_MACRO_INVOCATION)
			continue;
		mac = cg_child(cond, CG_F_MACRO);
		tt = ts_node_named_child(cond, 1);
		if (cg_node_kind(mac) != CG_K_IDENTIFIER || ts_node_is_null(tt) || ts_node_named_child_count(tt) ||
		    cg_node_is(src, mac, "cfg"))
			continue;
		t = cg_node_text(src, mac, &len);
		name = cg_strndup(t, len);
		v = bool_macro_value(w->ctx->change, name);
		free(name);
		if ((is_then && v == CG_TRI_FALSE) || (!is_then && v == CG_TRI_TRUE))
			return true;
	}
	return false;
}

/* What the crate's wasm build does with bool fields named `name`: declares them, sets them to what. */
struct flag_scan {
	const struct cg_rule_ctx *ctx;
	const struct cg_gate_env *env;
	const char *name;
	size_t len;
	const struct cg_source *src; /* the file being walked */
	size_t ndecls;
	bool may_be_true; /* a write of something else than `false` or a copy of such a field, or a user may set it */
};

/* `false`, or `x.name` (a field of the same name, false by the same reasoning). */
static bool is_false_value(const struct flag_scan *fs, TSNode v)
{
	if (ts_node_is_null(v))
		return false;
	if (cg_node_kind(v) == CG_K_FIELD_EXPRESSION)
		return cg_node_is(fs->src, cg_child(v, CG_F_FIELD), fs->name);
	return cg_node_is(fs->src, v, "false");
}

/* Derives that make a value from what the code writes, never from outside (a deserializer, a parser). */
static bool derives_only_plain(const struct cg_source *src, TSNode item)
{
	static const char *const plain[] = { "derive",	  "Clone", "Copy",	 "Debug", "Default",
					     "PartialEq", "Eq",	   "PartialOrd", "Ord",	  "Hash" };
	for (TSNode a = ts_node_prev_named_sibling(item);
	     !ts_node_is_null(a) && (cg_node_kind(a) == CG_K_ATTRIBUTE_ITEM || cg_node_kind(a) == CG_K_LINE_COMMENT ||
				     cg_node_kind(a) == CG_K_BLOCK_COMMENT);
	     a = ts_node_prev_named_sibling(a)) {
		size_t len;
		const char *t = cg_node_text(src, a, &len), *end = t + len;
		if (cg_node_kind(a) != CG_K_ATTRIBUTE_ITEM)
			continue;
		if (!memmem(t, len, "derive", 6)) {
			if (memmem(t, len, "serde", 5))
				return false;
			continue;
		}
		for (const char *p = t; p < end;) {
			const char *q = p;
			bool is_plain = false;
			while (q < end && cg_is_ident_byte(*q))
				q++;
			for (size_t i = 0; q > p && i < sizeof(plain) / sizeof(plain[0]) && !is_plain; i++)
				is_plain = strlen(plain[i]) == (size_t)(q - p) && !memcmp(plain[i], p, (size_t)(q - p));
			if (q > p && !is_plain)
				return false;
			p = q > p ? q : p + 1;
		}
	}
	return true;
}

/*
 * `name` among a macro call's tokens (not a cfg-alias macro false on wasm):
 * whether these tokens may set it to anything but false. Reads (`if
 * self.name`), `name: bool` and `name = false` / `name: false` or a copy
 * `x.name` do not; `mut name`, `pub name: bool`, `name |= …`, a shorthand
 * `{ name, … }` and any other value do.
 */
static bool token_may_set(const struct flag_scan *fs, TSNode ident)
{
	TSNode prev = ts_node_prev_sibling(ident), next = ts_node_next_sibling(ident), v;
	size_t len;
	const char *t;
	if (!ts_node_is_null(prev) && (cg_node_is(fs->src, prev, "mut") || cg_node_is(fs->src, prev, "pub")))
		return true;
	if (ts_node_is_null(next))
		return !ts_node_is_null(prev) && (cg_node_is(fs->src, prev, "{") || cg_node_is(fs->src, prev, ","));
	t = cg_node_text(fs->src, next, &len);
	if ((len == 1 && (*t == ',' || *t == '}')) && !ts_node_is_null(prev) &&
	    (cg_node_is(fs->src, prev, "{") || cg_node_is(fs->src, prev, ",")))
		return true;
	if (len == 1 && *t == ':') {
		v = ts_node_next_sibling(next);
		if (!ts_node_is_null(v) && cg_node_is(fs->src, v, "bool"))
			return false;
	} else if (len >= 2 && t[len - 1] == '=' && strcmp("==", t) &&
		   !(len == 2 && (*t == '!' || *t == '<' || *t == '>'))) {
		return true; /* `|=`, `^=`, … */
	} else if (!(len == 1 && *t == '=')) {
		return false; /* a read */
	}
	/* The value: `false`, or `a.b.name` up to a `,`, `;` or the end. */
	v = ts_node_next_sibling(next);
	if (!ts_node_is_null(v) && cg_node_is(fs->src, v, "false"))
		return false;
	for (TSNode last = (TSNode){ 0 }; !ts_node_is_null(v); v = ts_node_next_sibling(v)) {
		if (cg_node_is(fs->src, v, ",") || cg_node_is(fs->src, v, ";"))
			return !(!ts_node_is_null(last) && cg_node_is(fs->src, last, fs->name));
		if (!cg_node_is(fs->src, v, ".") && cg_node_kind(v) != CG_K_IDENTIFIER && cg_node_kind(v) != CG_K_SELF)
			return true;
		last = v;
	}
	return true;
}

static int find_flag_writes(TSNode node, void *payload)
{
	struct flag_scan *fs = payload;
	enum cg_kind kind = cg_node_kind(node);
	const char *type = ts_node_type(node);

	if (fs->may_be_true)
		return CG_WALK_SKIP;
	if (kind == CG_K_MACRO_INVOCATION) {
		/* A cfg-alias macro false on wasm wraps code the wasm build leaves out (tokio's cfg_schedule_latency!).
		 */
		TSNode mac = cg_child(node, CG_F_MACRO);
		for (size_t i = 0; !ts_node_is_null(mac) && i < fs->env->nmacros; i++)
			if (fs->env->macros[i].value == CG_TRI_FALSE &&
			    cg_node_is(fs->src, mac, fs->env->macros[i].name))
				return CG_WALK_SKIP;
	} else if (kind == CG_K_FIELD_DECLARATION && cg_node_is(fs->src, cg_child(node, CG_F_NAME), fs->name)) {
		TSNode vis = ts_node_named_child(node, 0), ftype = cg_child(node, CG_F_TYPE);
		TSNode item = node;
		while (!ts_node_is_null(item) && cg_node_kind(item) != CG_K_STRUCT_ITEM)
			item = ts_node_parent(item);
		fs->ndecls++;
		/* Another crate sets a `pub` field; a bool only is a flag; a deserializer sets any. */
		if ((cg_node_kind(vis) == CG_K_VISIBILITY_MODIFIER && cg_node_is(fs->src, vis, "pub")) ||
		    !cg_node_is(fs->src, ftype, "bool") || ts_node_is_null(item) ||
		    !derives_only_plain(fs->src, item) ||
		    (!ts_node_is_null(ts_node_prev_named_sibling(node)) &&
		     cg_node_kind(ts_node_prev_named_sibling(node)) == CG_K_ATTRIBUTE_ITEM))
			fs->may_be_true = true;
	} else if (!strcmp(type, "assignment_expression") || !strcmp(type, "compound_assignment_expr")) {
		TSNode left = cg_child(node, CG_F_LEFT);
		if (cg_node_kind(left) == CG_K_FIELD_EXPRESSION &&
		    cg_node_is(fs->src, cg_child(left, CG_F_FIELD), fs->name))
			fs->may_be_true = !strcmp(type, "compound_assignment_expr") ||
					  !is_false_value(fs, cg_child(node, CG_F_RIGHT));
	} else if (kind == CG_K_FIELD_INITIALIZER) {
		if (cg_node_is(fs->src, cg_child(node, CG_F_FIELD), fs->name))
			fs->may_be_true = !is_false_value(fs, cg_child(node, CG_F_VALUE));
	} else if (!strcmp(type, "shorthand_field_initializer")) {
		fs->may_be_true = cg_node_is(fs->src, ts_node_named_child(node, 0), fs->name);
	} else if (kind == CG_K_REFERENCE_EXPRESSION) {
		TSNode v = cg_child(node, CG_F_VALUE);
		fs->may_be_true = cg_node_kind(v) == CG_K_FIELD_EXPRESSION &&
				  cg_node_is(fs->src, cg_child(v, CG_F_FIELD), fs->name) &&
				  ts_node_child_count(node) > 2; /* `&mut x.name` */
	} else if (kind == CG_K_IDENTIFIER && cg_node_kind(ts_node_parent(node)) == CG_K_TOKEN_TREE &&
		   cg_node_is(fs->src, node, fs->name)) {
		fs->may_be_true = token_may_set(fs, node);
	}
	return CG_WALK_ENTER;
}

static bool mentions_flag(const char *text, size_t len, void *payload)
{
	const struct flag_scan *fs = payload;
	return !fs->may_be_true && cg_has_word(text, len, fs->name, fs->len);
}

static void scan_flag_writes(const char *path, const char *text, size_t len, const struct cg_source *src, void *payload)
{
	struct flag_scan *fs = payload;
	(void)text;
	(void)len;
	if (cg_gate_file_excluded(fs->ctx->gate, fs->ctx->change, path, fs->env))
		return;
	fs->src = src;
	if (!src || cg_gate_walk(src, fs->env, find_flag_writes, fs) < 0)
		fs->may_be_true = true; /* unread: it may set the field */
	cg_error_clear();
}

/*
 * Whether the bool fields named `name` of the crate are false whenever the
 * wasm build runs: each is declared `bool`, narrower than `pub` (no other
 * crate sets it), in a struct no deserializer fills, and every write the
 * wasm build compiles sets `false` or copies another such field (tokio's
 * `track_task_schedule_latency`, set true only by a Builder method of a
 * feature it rejects on wasm, copied from Builder into Config).
 */
static bool flag_is_false_on_wasm(const struct walk *w, TSNode field)
{
	const struct cg_crate *cr = cg_crate_of(w->ctx->cargo, w->ctx->path);
	struct cg_buf src_dir = CG_BUF_INIT;
	size_t len;
	const char *t = cg_node_text(w->ctx->src, field, &len);
	char *s = cg_strndup(t, len);
	struct flag_scan fs = { w->ctx, w->base_env, s, len, NULL, 0, false };
	uint64_t key;
	int known;
	bool is_false = false;

	if (!cr)
		goto done;
	key = cg_hash64(s, len,
			cg_hash64(cr->manifest_path, strlen(cr->manifest_path),
				  cg_hash64(&w->ctx->change, sizeof(w->ctx->change), cg_gate_env_hash(w->base_env))));
	if (answer_get(&flag_answers, key, &known)) {
		is_false = known;
		goto done;
	}
	cg_buf_printf(&src_dir, "%s%ssrc/", cr->dir, *cr->dir ? "/" : "");
	if (each_crate_file(w->ctx->change, src_dir.ptr, mentions_flag, scan_flag_writes, &fs) < 0)
		fs.may_be_true = true;
	is_false = fs.ndecls && !fs.may_be_true;
	answer_put(&flag_answers, key, is_false);
done:
	cg_buf_release(&src_dir);
	free(s);
	return is_false;
}

/* The field of `x.f` (a flag's read), or a null node. */
static TSNode flag_field(TSNode e)
{
	return cg_node_kind(e) == CG_K_FIELD_EXPRESSION ? cg_child(e, CG_F_FIELD) : (TSNode){ 0 };
}

/*
 * `at` runs only when a flag field is true, and that flag is false on
 * wasm: in the consequence of `if x.f { … }` (or `if x.f && …`), or in the
 * argument of `x.f.then(…)`.
 */
static bool is_under_false_flag(const struct walk *w, TSNode at)
{
	const struct cg_source *src = w->ctx->src;
	for (TSNode prev = at, n = ts_node_parent(at); !ts_node_is_null(n); prev = n, n = ts_node_parent(n)) {
		if (cg_node_kind(n) == CG_K_FUNCTION_ITEM)
			return false;
		if (cg_node_kind(n) == CG_K_IF_EXPRESSION && ts_node_eq(cg_child(n, CG_F_CONSEQUENCE), prev)) {
			TSNode cond = cg_child(n, CG_F_CONDITION);
			/* Down the left of `a && b && c`, each right operand on the way. */
			for (int i = 0; i < 16 && !ts_node_is_null(cond); i++) {
				TSNode op = cg_child(cond, CG_F_OPERATOR), f;
				bool is_and = cg_node_kind(cond) == CG_K_BINARY_EXPRESSION && !ts_node_is_null(op) &&
					      cg_node_kind(op) == CG_K_AND_AND;
				f = flag_field(is_and ? cg_child(cond, CG_F_RIGHT) : cond);
				if (!ts_node_is_null(f) && flag_is_false_on_wasm(w, f))
					return true;
				cond = is_and ? cg_child(cond, CG_F_LEFT) : (TSNode){ 0 };
			}
		} else if (cg_node_kind(n) == CG_K_ARGUMENTS &&
			   cg_node_kind(ts_node_parent(n)) == CG_K_CALL_EXPRESSION) {
			TSNode fn = cg_child(ts_node_parent(n), CG_F_FUNCTION), f;
			if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION &&
			    cg_node_is(src, cg_child(fn, CG_F_FIELD), "then")) {
				f = flag_field(cg_child(fn, CG_F_VALUE));
				if (!ts_node_is_null(f) && flag_is_false_on_wasm(w, f))
					return true;
			}
		}
	}
	return false;
}

/*
 * A std::fs call in code written for wasm32-unknown-unknown alone: the
 * statement, expression or item around it, up to its fn, carries
 * `#[cfg(P)]` where P names wasm and holds on it (RustPython reads
 * pyvenv.cfg with `.ok()?` under `cfg(all(target_arch = "wasm32",
 * not(target_os = "wasi")))`). There std::fs returns an error, it does not
 * panic, and a branch written for wasm alone expects that error.
 */
static bool is_in_wasm_only_branch(const struct walk *w, TSNode at, const char *full)
{
	const struct cg_source *src = w->ctx->src;

	if (!full || !cg_starts_with(full, "std::fs::"))
		return false;
	for (TSNode n = ts_node_parent(at); !ts_node_is_null(n); n = ts_node_parent(n)) {
		for (TSNode a = ts_node_prev_named_sibling(n);
		     !ts_node_is_null(a) &&
		     (cg_node_kind(a) == CG_K_ATTRIBUTE_ITEM || cg_node_kind(a) == CG_K_LINE_COMMENT);
		     a = ts_node_prev_named_sibling(a)) {
			TSNode attr = cg_node_kind(a) == CG_K_ATTRIBUTE_ITEM && ts_node_named_child_count(a)
					      ? ts_node_named_child(a, 0)
					      : (TSNode){ 0 };
			TSNode args = ts_node_is_null(attr) ? attr : cg_child(attr, CG_F_ARGUMENTS);
			size_t len;
			const char *t;
			if (ts_node_is_null(args) || !ts_node_named_child_count(attr) ||
			    !cg_node_is(src, ts_node_named_child(attr, 0), "cfg"))
				continue;
			t = cg_node_text(src, args, &len);
			if (memmem(t, len, "wasm", 4) && cg_gate_cfg_eval(src, args, w->env) == CG_TRI_TRUE)
				return true;
		}
		if (cg_node_kind(n) == CG_K_FUNCTION_ITEM)
			break;
	}
	return false;
}

/* Reports now, or holds a finding in a private helper until the walk has seen its callers. */
static void report_or_hold(struct walk *w, TSNode at, const struct cg_conf_node *call, char **full)
{
	TSNode helper = w->has_wasm_tests ? private_helper_of(w->ctx->src, at) : (TSNode){ 0 };
	TSNode type = private_impl_type(w->ctx->src, at);
	if (is_under_exists_guard(w->ctx->src, at, *full) || is_in_wasm_only_branch(w, at, *full) ||
	    is_in_dead_macro_branch(w, at) || is_under_false_flag(w, at) ||
	    (!ts_node_is_null(type) && !type_is_named_on_wasm(w, type)))
		return;
	if (ts_node_is_null(helper)) {
		report(w, at, call, *full);
		return;
	}
	cg_array_grow((void **)&w->held, &w->held_cap, w->nheld + 1, sizeof(*w->held));
	w->held[w->nheld++] = (struct held){ at, helper, call, *full };
	*full = NULL;
}

/*
 * The held findings whose helper the wasm build names somewhere (a call, a
 * fn pointer). The pass may have parsed only the items that can hold a
 * finding (is_item_local), so the callers are read from a parse of the
 * whole file, made only when a finding is held.
 */
static void report_held(struct walk *w)
{
	const struct cg_source *src = w->ctx->src;
	struct cg_source full;
	struct names names = { 0 };
	bool is_parsed = false;

	if (w->nheld && cg_source_parse(&full, CG_LANG_RUST, src->text, src->len) == 0) {
		is_parsed = true;
		if (cg_gate_walk(&full, w->env, collect_names, &names) < 0)
			names.n = 0;
	}
	cg_error_clear();
	for (size_t i = 0; i < w->nheld; i++) {
		TSNode name = cg_child(w->held[i].helper, CG_F_NAME);
		size_t len;
		const char *t = cg_node_text(src, name, &len);
		bool is_named = !is_parsed; /* unread callers: report, as before holding */
		for (size_t k = 0; k < names.n && !is_named; k++) {
			size_t klen;
			const char *kt = cg_node_text(&full, names.at[k], &klen);
			is_named = klen == len && !memcmp(kt, t, len);
		}
		if (is_named)
			report(w, w->held[i].at, w->held[i].call, w->held[i].full);
		free(w->held[i].full);
	}
	if (is_parsed)
		cg_source_release(&full);
	free(names.at);
	free(w->held);
}

/* Whether squeezed use text `u` (after `use`) reaches native path `np` (`tokio::net`), also in a `{…}` list. */
static bool use_reaches(const char *u, const char *np)
{
	const char *sep = strstr(np, "::"), *p;
	size_t klen = sep ? (size_t)(sep - np) : strlen(np);
	if (cg_starts_with(u, "::"))
		u += 2;
	if (strncmp(u, np, klen) || cg_is_ident_byte(u[klen]))
		return false;
	if (!sep)
		return true;
	p = u + klen;
	if (strncmp(p, "::", 2))
		return false;
	p += 2;
	if (*p != '{') {
		size_t flen = strlen(sep + 2);
		return !strncmp(p, sep + 2, flen) && !cg_is_ident_byte(p[flen]);
	}
	/* `tokio::{net::TcpListener, sync}`: an element of the list at its first level. */
	for (int depth = 0; *p; p++) {
		if (*p == '{' || *p == '}') {
			depth += *p == '{' ? 1 : -1;
			if (depth <= 0)
				return false;
		}
		if (depth == 1 && (*p == '{' || *p == ',')) {
			size_t flen = strlen(sep + 2);
			if (!strncmp(p + 1, sep + 2, flen) && !cg_is_ident_byte(p[1 + flen]))
				return true;
		}
	}
	return false;
}

/*
 * A file with a top-level `use` of a dependency the wasm build lacks does
 * not compile for wasm: a crate that builds there leaves its module out
 * (axum's test_helpers, `use tokio::net::TcpListener`, under
 * `cfg(any(test, feature = "__private"))`). A `use` with a cfg of its own
 * is passed over.
 */
static bool uses_native_dep(const struct wasm_crate *wc, const char *text, size_t len)
{
	struct cg_items items = CG_ITEMS_INIT;
	struct cg_buf u = CG_BUF_INIT;
	bool is = false;
	if (!wc || !wc->nnative_paths || cg_items_scan(&items, text, len) < 0) {
		cg_error_clear();
		return false;
	}
	for (size_t i = 0; i < items.n && !is; i++) {
		const struct cg_item *it = &items.items[i];
		const char *at;
		if (it->kind != CG_ITEM_USE || it->parent != CG_ITEM_TOP ||
		    memmem(text + it->start, it->decl - it->start, "cfg", 3))
			continue;
		/* Without white space, but where it parts two words (`fs as tfs`). */
		cg_buf_truncate(&u, 0);
		for (const char *p = text + it->decl, *end = text + it->end; p < end; p++) {
			if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
				cg_buf_putc(&u, *p);
			else if (u.size && cg_is_ident_byte(u.ptr[u.size - 1]) && p + 1 < end && cg_is_ident_byte(p[1]))
				cg_buf_putc(&u, ' ');
		}
		at = strstr(u.ptr, "use ");
		for (size_t k = 0; at && k < wc->nnative_paths && !is; k++)
			is = use_reaches(at + 4, wc->native_paths[k]);
	}
	cg_items_release(&items);
	cg_buf_release(&u);
	return is;
}

/* A finding in hand: is the file compiled at all? Asked once, it may read the parent module files. */
static bool file_is_compiled(struct walk *w)
{
	if (!w->file_state)
		w->file_state = cg_gate_file_excluded(w->ctx->gate, w->ctx->change, w->ctx->path, w->env) ||
						uses_native_dep(w->wc, w->ctx->src->text, w->ctx->src->len)
					? -1
					: 1;
	return w->file_state > 0;
}

static bool type_is(const struct walk *w, TSNode at, TSNode type, const char *full)
{
	char *written, *resolved;
	bool is;
	if (ts_node_is_null(type) ||
	    !(cg_node_kind(type) == CG_K_TYPE_IDENTIFIER || cg_node_kind(type) == CG_K_SCOPED_TYPE_IDENTIFIER))
		return false;
	written = cg_rust_path_text(w->ctx->src, type);
	resolved = cg_rust_resolve_scoped(w->rf, ts_node_start_byte(at), written, strlen(written),
					  cg_rust_path_is_crate_root(w->ctx->path));
	is = !strcmp(resolved, full);
	free(written);
	free(resolved);
	return is;
}

/*
 * The std clock type `recv` holds, when the code around says so: a
 * parameter or a `let` of the enclosing fn written with that type, or
 * `self.f` / `x.f` for a field `f` a struct of the file declares so.
 * NULL when unknown (a method call on anything else is not judged).
 */
static const char *clock_type_of(const struct walk *w, TSNode recv)
{
	static const char *const clocks[] = { "std::time::Instant", "std::time::SystemTime" };
	const struct cg_source *src = w->ctx->src;
	TSNode scope = recv, name;
	bool is_field = cg_node_kind(recv) == CG_K_FIELD_EXPRESSION;

	if (is_field)
		name = cg_child(recv, CG_F_FIELD);
	else if (cg_node_kind(recv) == CG_K_IDENTIFIER)
		name = recv;
	else
		return NULL;
	if (ts_node_is_null(name))
		return NULL;
	if (is_field) {
		scope = cg_source_root(src);
	} else {
		while (!ts_node_is_null(scope) && cg_node_kind(scope) != CG_K_FUNCTION_ITEM)
			scope = ts_node_parent(scope);
		if (ts_node_is_null(scope))
			return NULL;
	}
	/* The declarations: parameters and lets in the fn, fields in the file (a bounded, iterative walk). */
	{
		TSTreeCursor c = ts_tree_cursor_new(scope);
		const char *found = NULL;
		bool is_done = false;
		while (!is_done && !found) {
			TSNode n = ts_tree_cursor_current_node(&c);
			TSNode pat = { 0 }, type = { 0 };
			if (!is_field &&
			    (cg_node_kind(n) == CG_K_PARAMETER || cg_node_kind(n) == CG_K_LET_DECLARATION)) {
				pat = cg_child(n, CG_F_PATTERN);
				type = cg_child(n, CG_F_TYPE);
			} else if (is_field && cg_node_kind(n) == CG_K_FIELD_DECLARATION) {
				pat = cg_child(n, CG_F_NAME);
				type = cg_child(n, CG_F_TYPE);
			}
			if (!ts_node_is_null(pat) && !ts_node_is_null(type) &&
			    ts_node_end_byte(n) <= ts_node_start_byte(recv) + (is_field ? ~0u / 2 : 0)) {
				size_t a, b;
				const char *pt = cg_node_text(src, pat, &a), *nt = cg_node_text(src, name, &b);
				for (size_t i = 0; i < 2 && a == b && !memcmp(pt, nt, a); i++)
					if (type_is(w, n, type, clocks[i]))
						found = clocks[i];
			}
			if (ts_tree_cursor_goto_first_child(&c))
				continue;
			while (!ts_tree_cursor_goto_next_sibling(&c)) {
				if (!ts_tree_cursor_goto_parent(&c)) {
					is_done = true;
					break;
				}
			}
		}
		ts_tree_cursor_delete(&c);
		return found;
	}
}

/*
 * A method call that std code makes on wasm's missing clock or threads:
 * `.elapsed()` on a std Instant/SystemTime (it calls `now`), and `.spawn()`
 * on a `std::thread::Builder::new()` chain. Written into *full (owned) as
 * the path the config names (`std::time::Instant::elapsed`).
 */
static const struct cg_conf_node *method_call(struct walk *w, TSNode fn, char **full)
{
	TSNode field = cg_child(fn, CG_F_FIELD);
	TSNode recv = cg_child(fn, CG_F_VALUE);
	const struct cg_source *src = w->ctx->src;
	struct cg_buf path = CG_BUF_INIT;
	const struct cg_conf_node *call = NULL;

	if (ts_node_is_null(field) || ts_node_is_null(recv))
		return NULL;
	if (cg_node_is(src, field, "elapsed")) {
		const char *clock = clock_type_of(w, recv);
		if (clock)
			cg_buf_printf(&path, "%s::elapsed", clock);
	} else if (cg_node_is(src, field, "spawn") || cg_node_is(src, field, "spawn_scoped")) {
		/* Down the builder chain `Builder::new().name(…).stack_size(…)` to its first call. */
		TSNode n = recv;
		for (int i = 0; i < 32 && cg_node_kind(n) == CG_K_CALL_EXPRESSION; i++) {
			TSNode f = cg_child(n, CG_F_FUNCTION);
			if (cg_node_kind(f) == CG_K_FIELD_EXPRESSION) {
				n = cg_child(f, CG_F_VALUE);
				continue;
			}
			if (cg_node_kind(f) == CG_K_SCOPED_IDENTIFIER) {
				char *written = cg_rust_path_text(src, f);
				char *resolved =
					cg_rust_resolve_scoped(w->rf, ts_node_start_byte(f), written, strlen(written),
							       cg_rust_path_is_crate_root(w->ctx->path));
				if (!strcmp(resolved, "std::thread::Builder::new"))
					cg_buf_puts(&path, "std::thread::Builder::spawn");
				free(written);
				free(resolved);
			}
			break;
		}
	}
	if (path.size && (call = call_of(path.ptr, w)) != NULL)
		*full = cg_buf_detach(&path, NULL);
	cg_buf_release(&path);
	return call;
}

/*
 * A function used as a value, not called: `let now = Instant::now;`,
 * `.map(File::open)`; not a constant or variant (`Shutdown::Write`).
 */
static bool is_value_path(const struct cg_source *src, TSNode node)
{
	TSNode parent = ts_node_parent(node), name = cg_child(node, CG_F_NAME);
	const char *pt;
	enum cg_kind pkind;
	size_t len;
	if (ts_node_is_null(parent) || ts_node_is_null(name))
		return false;
	pt = cg_node_text(src, name, &len);
	if (!len || !(pt[0] >= 'a' && pt[0] <= 'z'))
		return false;
	pkind = cg_node_kind(parent);
	if (pkind == CG_K_CALL_EXPRESSION && ts_node_eq(cg_child(parent, CG_F_FUNCTION), node))
		return false;
	return pkind != CG_K_SCOPED_IDENTIFIER && pkind != CG_K_GENERIC_FUNCTION && pkind != CG_K_MACRO_INVOCATION &&
	       pkind != CG_K_SCOPED_TYPE_IDENTIFIER && pkind != CG_K_STRUCT_EXPRESSION && pkind != CG_K_USE_AS_CLAUSE &&
	       pkind != CG_K_TUPLE_STRUCT_PATTERN && pkind != CG_K_STRUCT_PATTERN && pkind != CG_K_MATCH_PATTERN &&
	       pkind != CG_K_ATTRIBUTE;
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	const struct cg_conf_node *call = NULL;
	char *full = NULL;
	TSNode fn = node;
	enum cg_kind kind = cg_node_kind(node);

	if (w->file_state < 0 || kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL ||
	    kind == CG_K_USE_DECLARATION)
		return CG_WALK_SKIP;
	if (kind == CG_K_CALL_EXPRESSION) {
		fn = cg_child(node, CG_F_FUNCTION);
		if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
			fn = cg_child(fn, CG_F_FUNCTION);
		if (ts_node_is_null(fn))
			return CG_WALK_ENTER;
		if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION)
			call = method_call(w, fn, &full);
		else if (cg_node_kind(fn) == CG_K_IDENTIFIER || cg_node_kind(fn) == CG_K_SCOPED_IDENTIFIER)
			call = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, fn, call_of, w, &full);
	} else if (cg_node_kind(node) == CG_K_SCOPED_IDENTIFIER && is_value_path(w->ctx->src, node)) {
		call = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, node, call_of, w, &full);
		if (call) {
			if (file_is_compiled(w))
				report_or_hold(w, node, call, &full);
			free(full);
			return CG_WALK_SKIP;
		}
	}
	if (call && file_is_compiled(w))
		report_or_hold(w, fn, call, &full);
	free(full);
	return CG_WALK_ENTER;
}

/* A cfg predicate as a TOML target key writes it (`cfg(target_arch = "wasm32")`), under the wasm32 build. */
static enum cg_tri target_value(const char *target)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;
	struct cg_gate_env env = cg_gate_env_of(CG_GATE_WASM32);
	enum cg_tri v = CG_TRI_UNKNOWN;

	if (!cg_starts_with(target, "cfg("))
		return cg_starts_with(target, "wasm32-") || cg_starts_with(target, "wasm64-") ? CG_TRI_TRUE
											      : CG_TRI_FALSE;
	cg_buf_printf(&text, "#[%s]\nfn f() {}\n", target);
	if (cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0) {
		TSNode item = ts_node_named_child(cg_source_root(&src), 0);
		TSNode attr = ts_node_is_null(item) ? item : ts_node_named_child(item, 0);
		TSNode args = ts_node_is_null(attr) ? attr : cg_child(attr, CG_F_ARGUMENTS);
		if (!ts_node_is_null(args))
			v = cg_gate_cfg_eval(&src, args, &env);
		cg_source_release(&src);
	} else {
		cg_error_clear();
	}
	cg_buf_release(&text);
	return v;
}

/* A table that only wasm reads: its cfg holds there and names wasm (not `cfg(not(windows))`). */
static bool is_wasm_target(const char *target)
{
	return strstr(target, "wasm") && target_value(target) == CG_TRI_TRUE;
}

/* `getrandom/js`: the dependency with that feature; `wasm-bindgen`: the dependency. */
static bool is_marker(const char *marker, const struct cg_crate_dep *d)
{
	const char *slash = strchr(marker, '/');
	struct cg_buf name = CG_BUF_INIT;
	bool is;
	cg_buf_put(&name, marker, slash ? (size_t)(slash - marker) : strlen(marker));
	is = cg_crate_name_eq(name.ptr, cg_crate_dep_crate(d));
	cg_buf_release(&name);
	if (!is || !slash)
		return is;
	for (size_t i = 0; i < d->nfeatures; i++)
		if (!strcmp(d->features[i].text, slash + 1))
			return true;
	return false;
}

/*
 * A wasm32 target in .cargo/config.toml (build.target: every package builds
 * for it) or, for a library, rust-toolchain.toml (targets) at `dir` or
 * above. The toolchain file only installs the target for the workspace:
 * its libraries are what a wasm build compiles, not its tools (wgpu's
 * naga-cli, lock-analyzer and xtasks are packages without a library).
 */
static bool toolchain_targets_wasm(const struct cg_change *change, const char *dir, bool is_library, struct cg_buf *why)
{
	static const char *const files[] = { ".cargo/config.toml", ".cargo/config", "rust-toolchain.toml" };
	char *cur = cg_strdup(dir);
	bool is_wasm = false;
	for (int level = 0; level < 32 && !is_wasm; level++) {
		for (size_t i = 0; i < (is_library ? 3u : 2u) && !is_wasm; i++) {
			struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT;
			cg_buf_printf(&path, "%s%s%s", cur, *cur ? "/" : "", files[i]);
			if (cg_change_exists(change, path.ptr) && cg_change_read(change, path.ptr, &text) == 0) {
				/* A line `target = "wasm32-…"` or `targets = [… "wasm32-…" …]`, not in a comment. */
				const char *line = text.ptr;
				while (line && *line && !is_wasm) {
					const char *end = strchr(line, '\n'), *hash, *hit;
					size_t len = end ? (size_t)(end - line) : strlen(line);
					hash = memchr(line, '#', len);
					len = hash ? (size_t)(hash - line) : len;
					hit = memmem(line, len, "\"wasm32-", 8);
					if (hit && memmem(line, len, "target", 6)) {
						cg_buf_printf(why, "%s names the %.*s target", path.ptr,
							      (int)strcspn(hit + 1, "\""), hit + 1);
						is_wasm = true;
					}
					line = end ? end + 1 : NULL;
				}
			}
			cg_error_clear();
			cg_buf_release(&path);
			cg_buf_release(&text);
		}
		if (!*cur)
			break;
		{
			char *slash = strrchr(cur, '/');
			if (slash)
				*slash = '\0';
			else
				*cur = '\0';
		}
	}
	free(cur);
	return is_wasm;
}

/* Why the crate targets WASM, written into `why`; false when nothing positive says so. */
/*
 * The crate asks, in its own [dependencies] (no target table, not
 * optional), for a crate or feature that cannot build for
 * wasm32-unknown-unknown (config native_dependencies: tokio's `net`, which
 * tokio rejects there with a compile_error!; axum's `tokio`; socket2): it
 * never builds there, so its wasm32 target table is for WASI (dioxus-server).
 */
static bool needs_native_dependency(const struct cg_rule_ctx *ctx, const struct cg_crate *cr)
{
	const struct cg_conf_node *natives = cg_conf_child(ctx->rule_cfg, "native_dependencies");
	for (size_t i = 0; natives && i < cr->manifest.ndeps; i++) {
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		if (d->kind != CG_DEP_NORMAL || d->is_workspace_decl || d->target || d->is_optional)
			continue;
		for (size_t k = 0; k < natives->nkids; k++)
			if (natives->kids[k]->value && is_marker(natives->kids[k]->value, d))
				return true;
	}
	return false;
}

static bool crate_targets_wasm(const struct cg_rule_ctx *ctx, const struct cg_crate *cr, struct cg_buf *why)
{
	const struct cg_conf_node *markers = cg_conf_child(ctx->rule_cfg, "markers");

	/* A proc-macro runs inside the compiler, on the host, whatever the target (bevy_reflect_derive). */
	if (cr->manifest.is_proc_macro || needs_native_dependency(ctx, cr))
		return false;
	for (size_t i = 0; i < cr->manifest.ndeps; i++) {
		const struct cg_crate_dep *d = &cr->manifest.deps[i];
		bool is_wasm_table = d->target && is_wasm_target(d->target);
		if (d->is_workspace_decl || (d->target && !is_wasm_table))
			continue; /* a table wasm never reads (`cfg(not(target_arch = "wasm32"))`) says nothing */
		if (is_wasm_table) {
			cg_buf_printf(why, "%s has a [target.'%s'] table", cr->manifest_path, d->target);
			return true;
		}
		for (size_t k = 0; markers && d->kind == CG_DEP_NORMAL && k < markers->nkids; k++) {
			const char *m = markers->kids[k]->value;
			if (m && is_marker(m, d)) {
				if (strchr(m, '/'))
					cg_buf_printf(why, "%s depends on %s with its `%s` feature", cr->manifest_path,
						      cg_crate_dep_crate(d), strchr(m, '/') + 1);
				else
					cg_buf_printf(why, "%s depends on %s", cr->manifest_path,
						      cg_crate_dep_crate(d));
				return true;
			}
		}
	}
	return toolchain_targets_wasm(ctx->change, cr->dir, cr->is_library, why);
}

static void strings_add(char ***list, size_t *n, size_t *cap, const char *s, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*list)[i]) == len && !memcmp((*list)[i], s, len))
			return;
	cg_array_grow((void **)list, cap, *n + 1, sizeof(**list));
	(*list)[(*n)++] = cg_strndup(s, len);
}

/*
 * Features the crate rejects on wasm: each feature F whose `#[cfg(P)]
 * compile_error!(…)` in the crate root fires on wasm32 when F is on
 * (other features unknown; --cfg flags off as in a plain build when P names
 * wasm, else unknown: tokio's 64-bit-only schedule-latency); then every
 * feature that enables one of them (`full = ["fs", …]`).
 */
static void rejected_features(struct cg_gate_env *env, const struct cg_rule_ctx *ctx, const struct cg_crate *cr,
			      size_t *cap)
{
	struct cg_buf root = CG_BUF_INIT, text = CG_BUF_INIT;
	struct cg_source src;
	const struct cg_manifest *m = &cr->manifest;
	bool is_grown = true;

	cg_buf_printf(&root, "%s%s%s", cr->dir, *cr->dir ? "/" : "", m->lib_path ? m->lib_path : "src/lib.rs");
	if (cg_change_exists(ctx->change, root.ptr) && cg_change_read(ctx->change, root.ptr, &text) == 0 &&
	    memmem(text.ptr, text.size, "compile_error", 13) &&
	    cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0) {
		TSNode top = cg_source_root(&src);
		for (uint32_t i = 1; i < ts_node_named_child_count(top); i++) {
			TSNode call = ts_node_named_child(top, i), attr = ts_node_named_child(top, i - 1), mac, a, args;
			size_t len;
			bool names_wasm;
			const char *t;
			/* `compile_error!(…);` is a statement, `compile_error! { … }` an item. */
			if (cg_node_kind(call) == CG_K_EXPRESSION_STATEMENT)
				call = ts_node_named_child(call, 0);
			mac = cg_child(call, CG_F_MACRO);
			if (ts_node_is_null(mac) || !cg_node_is(&src, mac, "compile_error") ||
			    cg_node_kind(attr) != CG_K_ATTRIBUTE_ITEM)
				continue;
			a = ts_node_named_child(attr, 0);
			args = cg_child(a, CG_F_ARGUMENTS);
			if (ts_node_is_null(args) || !cg_node_is(&src, ts_node_named_child(a, 0), "cfg"))
				continue;
			t = cg_node_text(&src, args, &len);
			if (!memmem(t, len, "feature", 7))
				continue;
			names_wasm = memmem(t, len, "wasm", 4) != NULL;
			{
				/* True whatever the features: it checks flags a build script sets (tokio_wasm), not
				 * them. */
				struct cg_gate_env base = cg_gate_env_of(CG_GATE_WASM32 | CG_GATE_NOT_TEST);
				base.is_custom_off = true;
				if (cg_gate_cfg_eval(&src, args, &base) == CG_TRI_TRUE)
					continue;
			}
			for (size_t f = 0; f < m->nfeatures; f++) {
				struct cg_gate_env probe = cg_gate_env_of(CG_GATE_WASM32 | CG_GATE_NOT_TEST);
				/* A check that does not name wasm (`not(target_pointer_width = "64")`) counts only
				 * whatever --cfg flags the build passes (not under `not(tokio_unstable)`). */
				probe.is_custom_off = names_wasm;
				probe.on_feature = m->features[f].name;
				if (cg_gate_cfg_eval(&src, args, &probe) == CG_TRI_TRUE)
					strings_add(&env->off_features, &env->noff_features, cap, m->features[f].name,
						    strlen(m->features[f].name));
			}
		}
		cg_source_release(&src);
	}
	cg_error_clear();
	while (is_grown) {
		is_grown = false;
		for (size_t f = 0; f < m->nfeatures; f++) {
			const struct cg_crate_feature *ft = &m->features[f];
			bool is_off = false;
			for (size_t i = 0; i < env->noff_features && !is_off; i++)
				is_off = !strcmp(env->off_features[i], ft->name);
			for (size_t k = 0; k < ft->nitems && !is_off; k++) {
				for (size_t i = 0; i < env->noff_features; i++) {
					if (!strcmp(ft->items[k].text, env->off_features[i])) {
						strings_add(&env->off_features, &env->noff_features, cap, ft->name,
							    strlen(ft->name));
						is_grown = true;
						break;
					}
				}
				is_off = is_grown;
			}
		}
	}
	cg_buf_release(&root);
	cg_buf_release(&text);
}

struct macro_scan {
	const struct cg_change *change;
	struct cg_gate_env *env;
	size_t cap;
};

/*
 * The crate's cfg-alias macros false on wasm: `macro_rules! cfg_net {
 * ($($item:item)*) => { $( #[cfg(feature = "net")] $item )* } }` adds
 * `#[cfg(feature = "net")]` to what it wraps; its value comes from the cfg
 * its first rule writes before `$item`.
 */
static bool mentions_cfg_macro(const char *text, size_t len, void *payload)
{
	(void)payload;
	return memmem(text, len, "macro_rules!", 12) && memmem(text, len, "#[cfg(", 6);
}

static void scan_macros(const char *path, const char *text, size_t len, const struct cg_source *src, void *payload)
{
	struct macro_scan *ms = payload;

	(void)path;
	(void)text;
	(void)len;
	if (!src)
		return;
	for (uint32_t i = 0; i < ts_node_named_child_count(cg_source_root(src)); i++) {
		TSNode def = ts_node_named_child(cg_source_root(src), i);
		TSNode name = cg_child(def, CG_F_NAME);
		TSNode rule, right, rep;
		if (cg_node_kind(def) != CG_K_MACRO_DEFINITION || ts_node_is_null(name))
			continue;
		rule = ts_node_named_child(def, 1);
		right = ts_node_is_null(rule) ? rule : cg_child(rule, CG_F_RIGHT);
		/* `{ $( #[cfg(P)] … $item )* }`: the repetition holds the attribute's token tree first. */
		rep = ts_node_is_null(right) ? right : ts_node_named_child(right, 0);
		if (ts_node_is_null(rep) || cg_node_kind(rep) != CG_K_TOKEN_REPETITION)
			continue;
		for (uint32_t k = 0; k < ts_node_named_child_count(rep); k++) {
			TSNode tt = ts_node_named_child(rep, k), key, args;
			enum cg_tri v;
			if (cg_node_kind(tt) != CG_K_TOKEN_TREE)
				continue;
			key = ts_node_named_child(tt, 0);
			args = ts_node_named_child(tt, 1);
			if (ts_node_is_null(key) || !cg_node_is(src, key, "cfg") ||
			    cg_node_kind(args) != CG_K_TOKEN_TREE)
				break;
			v = cg_gate_cfg_eval(src, args, ms->env);
			if (v == CG_TRI_FALSE) {
				size_t nlen;
				const char *t = cg_node_text(src, name, &nlen);
				cg_array_grow((void **)&ms->env->macros, &ms->cap, ms->env->nmacros + 1,
					      sizeof(*ms->env->macros));
				ms->env->macros[ms->env->nmacros++] = (struct cg_gate_macro){ cg_strndup(t, nlen), v };
			}
			break;
		}
	}
}

/*
 * The dependencies the wasm build lacks, from the manifest: a dependency
 * declared only in [target.…] tables whose cfg is false on wasm32
 * (`hyper`); and for one it has, a feature turned on only in such tables
 * and by no [features] entry, as the module of that name (`tokio::net` of
 * axum's `cfg(not(target_arch = "wasm32"))` table asking tokio for "net",
 * its wasm32 table not): the crates name their feature-gated modules so.
 */
static void native_deps(struct wasm_crate *wc, const struct cg_crate *cr)
{
	const struct cg_manifest *m = &cr->manifest;
	size_t cap = 0;
	for (size_t i = 0; i < m->ndeps; i++) {
		const struct cg_crate_dep *d = &m->deps[i];
		bool is_on_wasm = false, has_off = false, is_seen = false;
		struct cg_buf path = CG_BUF_INIT;
		if (d->kind != CG_DEP_NORMAL || d->is_workspace_decl)
			continue;
		for (size_t k = 0; k < i && !is_seen; k++)
			is_seen = m->deps[k].kind == CG_DEP_NORMAL && !m->deps[k].is_workspace_decl &&
				  !strcmp(m->deps[k].key, d->key);
		if (is_seen)
			continue;
		/* d: the key's first table; is any of its tables off on wasm, does the wasm build read one? */
		for (size_t k = 0; k < m->ndeps; k++) {
			const struct cg_crate_dep *o = &m->deps[k];
			if (o->kind != CG_DEP_NORMAL || o->is_workspace_decl || strcmp(o->key, d->key))
				continue;
			if (o->target && target_value(o->target) == CG_TRI_FALSE)
				has_off = true;
			else
				is_on_wasm = true;
		}
		if (!has_off)
			continue;
		for (const char *c = d->key; *c; c++)
			cg_buf_putc(&path, *c == '-' ? '_' : *c);
		if (!is_on_wasm) {
			strings_add(&wc->native_paths, &wc->nnative_paths, &cap, path.ptr, path.size);
			cg_buf_release(&path);
			continue;
		}
		for (size_t k = 0; k < m->ndeps; k++) {
			const struct cg_crate_dep *o = &m->deps[k];
			if (o->kind != CG_DEP_NORMAL || o->is_workspace_decl || strcmp(o->key, d->key) || !o->target ||
			    target_value(o->target) != CG_TRI_FALSE)
				continue;
			for (size_t f = 0; f < o->nfeatures; f++) {
				const char *feat = o->features[f].text;
				bool is_wasm_too = false;
				for (size_t j = 0; j < m->ndeps && !is_wasm_too; j++) {
					const struct cg_crate_dep *x = &m->deps[j];
					if (x->kind != CG_DEP_NORMAL || strcmp(x->key, d->key) ||
					    (x->target && target_value(x->target) == CG_TRI_FALSE))
						continue;
					for (size_t g = 0; g < x->nfeatures && !is_wasm_too; g++)
						is_wasm_too = !strcmp(x->features[g].text, feat);
				}
				/* `net = ["tokio/net"]`, `tokio?/net`: a feature of the crate may turn it on anywhere.
				 */
				for (size_t j = 0; j < m->nfeatures && !is_wasm_too; j++) {
					for (size_t g = 0; g < m->features[j].nitems && !is_wasm_too; g++) {
						const char *it = m->features[j].items[g].text, *slash = strchr(it, '/');
						size_t klen = strlen(d->key);
						is_wasm_too = slash && !strcmp(slash + 1, feat) &&
							      !strncmp(it, d->key, klen) &&
							      (it + klen == slash ||
							       (it[klen] == '?' && it + klen + 1 == slash));
					}
				}
				if (!is_wasm_too && strspn(feat, "abcdefghijklmnopqrstuvwxyz_-") == strlen(feat)) {
					struct cg_buf np = CG_BUF_INIT;
					cg_buf_printf(&np, "%s::", path.ptr);
					for (const char *c = feat; *c; c++)
						cg_buf_putc(&np, *c == '-' ? '_' : *c);
					strings_add(&wc->native_paths, &wc->nnative_paths, &cap, np.ptr, np.size);
					cg_buf_release(&np);
				}
			}
		}
		cg_buf_release(&path);
	}
}

/* Whether folder `dir` is or lies under an `examples` folder. */
static bool is_in_examples(const char *dir)
{
	for (const char *p = dir; (p = strstr(p, "examples")) != NULL; p += 8)
		if ((p == dir || p[-1] == '/') && (p[8] == '\0' || p[8] == '/'))
			return true;
	return false;
}

/*
 * A workspace member that is a wasm program: a cdylib (wasm-pack, trunk's
 * library builds) or a package with no library (a trunk app), that targets
 * WASM. Libraries are built for wasm by what uses them. Not an example: a
 * library's examples show a few of its features, and its users build it
 * with others (iced's examples never turn on iced_winit's `sysinfo`).
 */
static bool is_wasm_app(const struct cg_crate *cr, void *payload)
{
	const struct cg_rule_ctx *ctx = payload;
	struct cg_buf why = CG_BUF_INIT;
	bool yes = (cr->manifest.is_cdylib || !cr->is_library) && !is_in_examples(cr->dir) &&
		   crate_targets_wasm(ctx, cr, &why);
	cg_buf_release(&why);
	return yes;
}

static bool is_target_off(const char *cfg)
{
	return target_value(cfg) == CG_TRI_FALSE;
}

/* What the workspace's wasm apps can turn on, once per workspace and run (crates_lock held). */
struct wasm_workspace {
	uint64_t key;
	struct cg_feature_reach *reach;
};

static struct wasm_workspace **workspaces;
static size_t nworkspaces, workspaces_cap;

static const struct cg_feature_reach *workspace_reach(const struct cg_rule_ctx *ctx, const struct cg_crate *ws)
{
	uint64_t key = cg_hash64(ws->manifest_path, strlen(ws->manifest_path),
				 cg_hash64(&ws, sizeof(ws), cg_hash64(&ctx->change, sizeof(ctx->change), 0)));
	struct wasm_workspace *w;
	for (size_t i = 0; i < nworkspaces; i++)
		if (workspaces[i]->key == key)
			return workspaces[i]->reach;
	cg_array_grow((void **)&workspaces, &workspaces_cap, nworkspaces + 1, sizeof(*workspaces));
	w = workspaces[nworkspaces++] = cg_calloc(1, sizeof(*w));
	w->key = key;
	w->reach = cg_feature_reach_new(ctx->cargo, ws, is_wasm_app, (void *)ctx, is_target_off);
	return w->reach;
}

/* The wasm build of the crate: what it rejects, what config says never builds for wasm, its cfg-alias macros. */
static void flag_set(struct cg_gate_env *env, size_t *cap, const char *name, size_t len, enum cg_tri value,
		     bool is_opaque)
{
	for (size_t i = 0; i < env->nflags; i++)
		if (strlen(env->flags[i].name) == len && !memcmp(env->flags[i].name, name, len)) {
			env->flags[i].value = value;
			env->flags[i].is_opaque = is_opaque;
			return;
		}
	cg_array_grow((void **)&env->flags, cap, env->nflags + 1, sizeof(*env->flags));
	env->flags[env->nflags++] = (struct cg_gate_flag){ cg_strndup(name, len), value, is_opaque };
}

/* Each `name: { predicate }` of a cfg_aliases! call, evaluated under `env` (a cg_walk callback). */
struct alias_scan {
	const struct cg_source *src;
	struct cg_gate_env *env;
	size_t *cap;
};

static int eval_aliases(TSNode n, void *payload)
{
	struct alias_scan *as = payload;
	TSNode macro, tt;
	size_t len;
	const char *name;

	if (cg_node_kind(n) != CG_K_MACRO_INVOCATION)
		return CG_WALK_ENTER;
	macro = cg_child(n, CG_F_MACRO);
	if (cg_node_kind(macro) == CG_K_SCOPED_IDENTIFIER)
		macro = cg_child(macro, CG_F_NAME);
	tt = ts_node_named_child(n, ts_node_named_child_count(n) - 1);
	if (ts_node_is_null(macro) || !cg_node_is(as->src, macro, "cfg_aliases") || cg_node_kind(tt) != CG_K_TOKEN_TREE)
		return CG_WALK_SKIP;
	for (uint32_t i = 0; i + 1 < ts_node_named_child_count(tt); i++) {
		TSNode id = ts_node_named_child(tt, i), body = ts_node_named_child(tt, i + 1);
		if (cg_node_kind(id) != CG_K_IDENTIFIER || cg_node_kind(body) != CG_K_TOKEN_TREE)
			continue;
		name = cg_node_text(as->src, id, &len);
		flag_set(as->env, as->cap, name, len, cg_gate_cfg_eval(as->src, body, as->env), false);
	}
	return CG_WALK_SKIP;
}

/*
 * The cfgs the crate's build script sets, judged for wasm32: each
 * `cfg_aliases!` entry (`native: { not(target_arch = "wasm32") }`) is the
 * value of its predicate, the others known to it (evaluated twice, for an
 * alias named before it is defined); a name the script prints as
 * `cargo:rustc-cfg=NAME` under conditions not read here is opaque (gate.h),
 * unless its name says wasm or wasi (eval_flag reads those). rerun's
 * `#[cfg(with_ffmpeg)] mod ffmpeg_cli;` and `#[cfg(load_shaders_from_disk)]`
 * file server, wgpu-hal's `#[cfg(metal)]`: native code.
 */
static void build_script_flags(struct cg_gate_env *env, const struct cg_rule_ctx *ctx, const struct cg_crate *cr)
{
	struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT;
	size_t cap = 0;

	cg_buf_printf(&path, "%s%sbuild.rs", cr->dir, *cr->dir ? "/" : "");
	if (cg_change_exists(ctx->change, path.ptr) && cg_change_read(ctx->change, path.ptr, &text) == 0) {
		struct cg_source src;
		if (memmem(text.ptr, text.size, "cfg_aliases", 11) &&
		    cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0) {
			struct alias_scan as = { &src, env, &cap };
			for (int pass = 0; pass < 2; pass++)
				cg_walk(cg_source_root(&src), eval_aliases, &as);
			cg_source_release(&src);
		}
		for (const char *p = text.ptr, *end = text.ptr + text.size;
		     (p = memmem(p, (size_t)(end - p), "rustc-cfg=", 10)) != NULL;) {
			const char *name = p += 10;
			bool is_known = false;
			while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
					   (*p >= '0' && *p <= '9') || *p == '_'))
				p++;
			/* A whole name (not `{}` of a format, nor `key="value"`), that no alias set. */
			if (p == name || p == end || *p != '"' || memmem(name, (size_t)(p - name), "wasm", 4) ||
			    memmem(name, (size_t)(p - name), "wasi", 4))
				continue;
			for (size_t i = 0; i < env->nflags && !is_known; i++)
				is_known = strlen(env->flags[i].name) == (size_t)(p - name) &&
					   !memcmp(env->flags[i].name, name, (size_t)(p - name));
			if (!is_known)
				flag_set(env, &cap, name, (size_t)(p - name), CG_TRI_UNKNOWN, true);
		}
	}
	cg_error_clear();
	cg_buf_release(&path);
	cg_buf_release(&text);
}

static void crate_env(struct cg_gate_env *env, const struct cg_rule_ctx *ctx, const struct cg_crate *cr)
{
	const struct cg_conf_node *feats = cg_conf_child(ctx->rule_cfg, "native_features");
	const struct cg_conf_node *attrs = cg_conf_child(ctx->rule_cfg, "native_attributes");
	struct macro_scan ms = { ctx->change, env, 0 };
	size_t fcap = 0, acap = 0;
	struct cg_buf src_dir = CG_BUF_INIT;

	*env = cg_gate_env_of(CG_GATE_WASM32 | CG_GATE_NOT_TEST);
	for (size_t i = 0; feats && i < feats->nkids; i++)
		if (feats->kids[i]->value)
			strings_add(&env->off_features, &env->noff_features, &fcap, feats->kids[i]->value,
				    strlen(feats->kids[i]->value));
	for (size_t i = 0; attrs && i < attrs->nkids; i++)
		if (attrs->kids[i]->value)
			strings_add(&env->off_attrs, &env->noff_attrs, &acap, attrs->kids[i]->value,
				    strlen(attrs->kids[i]->value));
	rejected_features(env, ctx, cr, &fcap);
	build_script_flags(env, ctx, cr);
	if (cr->workspace) {
		const struct cg_feature_reach *reach = workspace_reach(ctx, cr->workspace);
		size_t n;
		char *const *may = cg_feature_reach_of(reach, cr, &n);
		/*
		 * A library the workspace's wasm apps build: what they can turn on,
		 * with every feature of their own, is all its wasm build has. An
		 * app's own features are the user's to pick.
		 */
		if (may && !cg_feature_reach_is_root(reach, cr)) {
			env->has_may_features = true;
			env->may_features = may;
			env->nmay_features = n;
		}
	}
	cg_buf_printf(&src_dir, "%s%ssrc/", cr->dir, *cr->dir ? "/" : "");
	each_crate_file(ctx->change, src_dir.ptr, mentions_cfg_macro, scan_macros, &ms);
	cg_buf_release(&src_dir);
}

/*
 * The crate of the file, asked about once per run; NULL when the file is in
 * no crate. Borrowed: entries live until the process ends.
 */
static struct wasm_crate *wasm_crate_of(const struct cg_rule_ctx *ctx, bool wants_env)
{
	const struct cg_conf_node *globs = cg_conf_child(ctx->rule_cfg, "crates");
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	struct wasm_crate *wc = NULL;
	uint64_t key;

	if (!cr)
		return NULL;
	/* The cache of manifests is per run; so is its crate's address with the change's. */
	key = cg_hash64(cr->manifest_path, strlen(cr->manifest_path),
			cg_hash64(&cr, sizeof(cr), cg_hash64(&ctx->change, sizeof(ctx->change), 0)));
	pthread_mutex_lock(&crates_lock);
	for (size_t i = 0; i < ncrates && !wc; i++)
		if (crates[i]->key == key)
			wc = crates[i];
	if (!wc) {
		struct cg_buf why = CG_BUF_INIT;
		cg_array_grow((void **)&crates, &crates_cap, ncrates + 1, sizeof(*crates));
		wc = crates[ncrates++] = cg_calloc(1, sizeof(*wc));
		wc->key = key;
		for (size_t i = 0; globs && i < globs->nkids && !wc->is_wasm; i++) {
			if (globs->kids[i]->value && cg_glob_match(globs->kids[i]->value, cr->manifest_path)) {
				cg_buf_printf(&why, "its path matches `%s` in rules.wasm-unsafe-std.crates",
					      globs->kids[i]->value);
				wc->is_wasm = true;
			}
		}
		wc->is_wasm = wc->is_wasm || crate_targets_wasm(ctx, cr, &why);
		wc->why = cg_buf_detach(&why, NULL);
	}
	if (wants_env && wc->is_wasm && !wc->has_env) {
		crate_env(&wc->env, ctx, cr);
		native_deps(wc, cr);
		wc->has_env = true;
	}
	pthread_mutex_unlock(&crates_lock);
	return wc;
}

/*
 * No call's owner in the bytes, no call to check. The owner is the segment
 * before the last (`Instant` of `std::time::Instant::now`, `thread` of
 * `std::thread::sleep`, `fs` of `std::fs::*`): any `use` or path that
 * reaches the call names it, where the last segment may hide behind an alias.
 */
static bool may_match(const char *text, size_t len, const struct cg_conf_node *calls)
{
	for (size_t i = 0; calls && i < calls->nkids; i++) {
		const char *p = cg_conf_str(calls->kids[i], "path", ""), *q, *seg = p, *prev = NULL;
		while ((q = strstr(seg, "::")) != NULL) {
			prev = seg;
			seg = q + 2;
		}
		if (!prev || cg_has_word(text, len, prev, strcspn(prev, ":")))
			return true;
	}
	return false;
}

/*
 * Code that never runs in the crate's wasm build: build.rs, and what lies
 * outside the crate's src/ (tests/, examples/, benches/, scripts such as a
 * trunk post-build hook), unless the file runs its tests on wasm through
 * wasm_bindgen_test; and the binaries of a package whose lib is a cdylib. Paths are taken from the crate's folder, so
 * an example app that is a crate of its own (examples/todo/src/…) counts.
 */
static bool is_outside_wasm_build(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	const char *rel = ctx->path, *base = strrchr(ctx->path, '/');
	base = base ? base + 1 : ctx->path;
	if (!strcmp(base, "build.rs"))
		return true;
	if (cr && *cr->dir && cg_starts_with(ctx->path, cr->dir) && ctx->path[strlen(cr->dir)] == '/')
		rel = ctx->path + strlen(cr->dir) + 1;
	if ((!strcmp(rel, "src/main.rs") || cg_starts_with(rel, "src/bin/")) && cr && cr->manifest.is_cdylib)
		return true;
	if (cg_starts_with(rel, "src/") || (cr && cr->manifest.lib_path && !strcmp(rel, cr->manifest.lib_path)))
		return false;
	return !(text && memmem(text, len, "wasm_bindgen_test", 17));
}

/* Before parsing: host-only files, no call's owner in the bytes, or a crate that does not target WASM. */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	const struct wasm_crate *wc;

	if (is_outside_wasm_build(ctx, text, len) || !may_match(text, len, cg_conf_child(ctx->rule_cfg, "calls")))
		return false;
	wc = wasm_crate_of(ctx, false);
	return wc && wc->is_wasm;
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { 0 };
	struct cg_gate_env env;
	const struct wasm_crate *wc;
	const struct cg_source *src = ctx->src;
	int err;

	if (!ctx->file_data || is_outside_wasm_build(ctx, src->text, src->len) || !(wc = wasm_crate_of(ctx, true)) ||
	    !wc->is_wasm)
		return 0;
	w.ctx = ctx;
	w.rf = ctx->file_data;
	w.calls = cg_conf_child(ctx->rule_cfg, "calls");
	w.except = cg_conf_child(ctx->rule_cfg, "except");
	w.why_wasm = wc->why;
	w.wc = wc;
	w.base_env = &wc->env;
	env = wc->env;
	/* A file of wasm_bindgen_test tests runs them on wasm: its tests count. */
	if (memmem(src->text, src->len, "wasm_bindgen_test", 17)) {
		env.build &= ~(unsigned)CG_GATE_NOT_TEST;
		w.has_wasm_tests = true;
	}
	w.env = &env;
	err = cg_gate_walk(src, &env, visit, &w);
	report_held(&w);
	return err;
}

const struct cg_rule cg_rule_wasm_unsafe_std = {
	.id = "wasm-unsafe-std",
	.default_severity = CG_SEV_WARNING,
	.is_opt_in = true,
	.summary = "crates that target WASM avoid std APIs that panic on wasm32-unknown-unknown",
	.explain = "wasm32-unknown-unknown has no clock, no threads, no file system and no sockets. The\n"
		   "std APIs over them compile for it, then panic (`Instant::now`, `SystemTime::now`,\n"
		   "`thread::spawn`, `thread::sleep`) or fail every call with an Unsupported error\n"
		   "(`std::fs`, `std::net`) at run time, in the browser, far from the commit that\n"
		   "added them. The team keeps native and WASM builds at parity, so a crate that\n"
		   "targets WASM uses portable replacements or keeps native-only code out of the\n"
		   "wasm build.\n"
		   "\n"
		   "A crate targets WASM on positive evidence only, named in the message: a\n"
		   "dependency on wasm-bindgen, web-sys, js-sys or getrandom with `js`\n"
		   "(`rules.wasm-unsafe-std.markers`), a [target.'cfg(…)'.…] table whose cfg holds\n"
		   "on wasm32 (never a `cfg(not(target_arch = \"wasm32\"))` one), a wasm32 target in\n"
		   ".cargo/config.toml (build.target), in rust-toolchain.toml (targets: for\n"
		   "libraries, not the workspace's tools), or `rules.wasm-unsafe-std.crates`;\n"
		   "never a proc-macro, which runs in the compiler, on the host, nor a crate whose\n"
		   "own [dependencies] ask for one of `rules.wasm-unsafe-std.native_dependencies`\n"
		   "(tokio's net, fs, rt-multi-thread…, axum's tokio, socket2): it cannot build for\n"
		   "wasm32-unknown-unknown, and its wasm32 table is for WASI.\n"
		   "Calls are resolved through `use` declarations; `.elapsed()` on a std Instant or\n"
		   "SystemTime the code declares, `.spawn()` on a thread::Builder and functions named\n"
		   "as values (`let now = Instant::now;`) count too. Only what the wasm build\n"
		   "compiles is checked: cfg on items, modules, `mod x;`, statements, expressions\n"
		   "and struct-literal fields, `if cfg!(…)`, `cfg_if!` branches, the crate's own\n"
		   "cfg-alias macros (`cfg_net! { … }`) and `#[cfg_attr(P, path = …)] mod x;`,\n"
		   "judged for wasm32 (unix, windows and test false; the build script's\n"
		   "`cfg_aliases!` by their predicates, and code under a cfg it prints with\n"
		   "`cargo:rustc-cfg=` under conditions not read, left out), and the right side of `&&`\n"
		   "after a false `cfg!(…)` (of `||` after a true one); features the crate rejects\n"
		   "on wasm with `compile_error!` (and features enabling them),\n"
		   "`rules.wasm-unsafe-std.native_features` (ssr, server) and, in a library the\n"
		   "workspace's own wasm apps build (a cdylib or a package without a library that\n"
		   "targets WASM, not under examples/), every feature those apps cannot turn on\n"
		   "with any of their own (Cargo's feature unification over path dependencies)\n"
		   "are off, and so are items under\n"
		   "`native_attributes` (leptos's #[server]). Not checked: tests (#[test],\n"
		   "#[cfg(test)], tests tagged `#[cfg_attr(target_arch = \"wasm32\", ignore)]`) unless\n"
		   "the file uses wasm_bindgen_test (then its private helpers that only tests\n"
		   "ignored on wasm call are not checked either); files outside the crate's src/ (tests/,\n"
		   "examples/, benches/, scripts) unless they use wasm_bindgen_test; build.rs; the\n"
		   "binaries (src/main.rs, src/bin/) of a package whose [lib] is a cdylib, the\n"
		   "library being its wasm build (wasm-pack, cargo-leptos). Nor code that cannot run\n"
		   "on wasm: the methods of a crate-private type that no code the wasm build\n"
		   "compiles names (outside its own impls and `use` lines), a file whose `use`\n"
		   "names a dependency the crate declares only for other targets, or a module of\n"
		   "one behind a feature it asks for only there (`use tokio::net::…` with \"net\" in\n"
		   "a `cfg(not(target_arch = \"wasm32\"))` table alone), a std::fs call under\n"
		   "`if p.exists()` (or is_file, is_dir) on the path it reads (false on wasm), or in\n"
		   "code written for wasm alone (under a `#[cfg(…)]` that names wasm and holds there:\n"
		   "std::fs returns an error on wasm, it does not panic, and such a branch expects\n"
		   "it; clocks and threads there are still reported), code\n"
		   "under a flag no wasm-built code sets (`if cfg.flag { … }`, `cfg.flag.then(…)`,\n"
		   "where every `flag` field is a crate-private bool that the wasm build only sets\n"
		   "to false or copies from another such field), and the\n"
		   "branch of `if m!() { … } else { … }` that a boolean macro rules out on wasm, its\n"
		   "value read from the repository's `macro_rules! m` under cfg (sycamore's\n"
		   "`is_not_ssr!`).\n"
		   "\n"
		   "Bad:\n"
		   "    pub fn elapsed_ms(start: std::time::Instant) -> u128 {\n"
		   "        std::time::Instant::now().duration_since(start).as_millis() // panics in the browser\n"
		   "    }\n"
		   "\n"
		   "Good:\n"
		   "    pub fn elapsed_ms(start: web_time::Instant) -> u128 {\n"
		   "        web_time::Instant::now().duration_since(start).as_millis() // performance.now() on wasm\n"
		   "    }\n"
		   "\n"
		   "    #[cfg(not(target_arch = \"wasm32\"))]\n"
		   "    fn load_cache() -> std::io::Result<Vec<u8>> { std::fs::read(\"cache.bin\") }\n"
		   "\n"
		   "Off by default: on 24 real repositories its findings were right 24 times in 42\n"
		   "(bench/RESULTS.md; wrong: code compiled for wasm that only native paths reach,\n"
		   "such as leptos's SSR shell components or a logger only native setup builds, and\n"
		   "features that cannot build for wasm through another crate), under the 19 in 20\n"
		   "every default rule must reach. Turn it on with `rules.wasm-unsafe-std.enabled: true`.\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
	/* Calls resolve through the use map; gates come from the item's own attributes. */
	.is_item_local = true,
};
