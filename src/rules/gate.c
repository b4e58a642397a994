#define _GNU_SOURCE
/* Which code a build compiles: cfg attributes, cfg! branches, gated `mod x;`. */
#include "rules/gate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crate/manifest.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

/* A parent chain deeper than this is not a real crate; stop looking. */
#define MAX_MODULE_DEPTH 32
/* Conditions nest this deep at most before the rest counts as unknown. */
#define MAX_COND_DEPTH 16

static enum cg_tri tri_of(bool b)
{
	return b ? CG_TRI_TRUE : CG_TRI_FALSE;
}

static bool text_is(const char *t, size_t len, const char *s)
{
	return strlen(s) == len && !memcmp(t, s, len);
}

struct cg_gate_env cg_gate_env_of(unsigned build)
{
	struct cg_gate_env env = { 0 };
	env.build = build;
	return env;
}

uint64_t cg_gate_env_hash(const struct cg_gate_env *env)
{
	uint64_t h = cg_hash64(&env->build, sizeof(env->build), env->is_custom_off ? 1 : 2);
	for (size_t i = 0; i < env->noff_features; i++)
		h = cg_hash64(env->off_features[i], strlen(env->off_features[i]) + 1, h);
	h = cg_hash64("|", 1, h);
	for (size_t i = 0; i < env->noff_attrs; i++)
		h = cg_hash64(env->off_attrs[i], strlen(env->off_attrs[i]) + 1, h);
	for (size_t i = 0; i < env->nmacros; i++) {
		h = cg_hash64(env->macros[i].name, strlen(env->macros[i].name) + 1, h);
		h = cg_hash64(&env->macros[i].value, sizeof(env->macros[i].value), h);
	}
	for (size_t i = 0; i < env->nflags; i++) {
		h = cg_hash64(env->flags[i].name, strlen(env->flags[i].name) + 1, h);
		h = cg_hash64(&env->flags[i].value, sizeof(env->flags[i].value), h);
		h = cg_hash64(&env->flags[i].is_opaque, sizeof(env->flags[i].is_opaque), h);
	}
	if (env->on_feature)
		h = cg_hash64(env->on_feature, strlen(env->on_feature) + 1, h);
	h = cg_hash64(&env->has_may_features, sizeof(env->has_may_features), h);
	for (size_t i = 0; env->has_may_features && i < env->nmay_features; i++)
		h = cg_hash64(env->may_features[i], strlen(env->may_features[i]) + 1, h);
	return h;
}

static bool is_in(char *const *list, size_t n, const char *t, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (text_is(t, len, list[i]))
			return true;
	return false;
}

/* `name` alone, as in cfg(unix); *is_opaque when the build script sets it under conditions not read. */
static enum cg_tri eval_flag(const char *name, size_t len, const struct cg_gate_env *env, bool *is_opaque)
{
	for (size_t i = 0; i < env->nflags; i++)
		if (text_is(name, len, env->flags[i].name)) {
			*is_opaque = *is_opaque || env->flags[i].is_opaque;
			return env->flags[i].value;
		}
	if (text_is(name, len, "test"))
		return env->build & CG_GATE_NOT_TEST ? CG_TRI_FALSE : CG_TRI_UNKNOWN;
	if ((env->build & CG_GATE_WASM32) && (text_is(name, len, "unix") || text_is(name, len, "windows")))
		return CG_TRI_FALSE;
	/*
	 * Flags build scripts set for wasm by name (tokio 1.2x's tokio_wasm,
	 * tokio_wasi, tokio_wasm_not_wasi): wasm32-unknown-unknown is wasm, not wasi.
	 */
	if ((env->build & CG_GATE_WASM32) && memmem(name, len, "wasm", 4)) {
		if (memmem(name, len, "not_wasi", 8))
			return CG_TRI_TRUE;
		return memmem(name, len, "wasi", 4) ? CG_TRI_FALSE : CG_TRI_TRUE;
	}
	if ((env->build & CG_GATE_WASM32) && memmem(name, len, "wasi", 4))
		return CG_TRI_FALSE;
	/* --cfg flags (tokio_unstable, loom, docsrs) and doc, miri: off in a plain build. */
	if (env->is_custom_off && !text_is(name, len, "debug_assertions"))
		return CG_TRI_FALSE;
	return CG_TRI_UNKNOWN;
}

/* `key = "value"`, as in cfg(target_arch = "wasm32"). */
static enum cg_tri eval_pair(const char *key, size_t klen, const char *value, size_t vlen,
			     const struct cg_gate_env *env)
{
	static const struct {
		const char *key, *value;
	} wasm32[] = {
		{ "target_arch", "wasm32" },   { "target_family", "wasm" },    { "target_os", "unknown" },
		{ "target_env", "" },	       { "target_vendor", "unknown" }, { "target_pointer_width", "32" },
		{ "target_endian", "little" },
	};
	if (text_is(key, klen, "feature")) {
		if (env->on_feature && text_is(value, vlen, env->on_feature))
			return CG_TRI_TRUE;
		if (is_in(env->off_features, env->noff_features, value, vlen))
			return CG_TRI_FALSE;
		return env->has_may_features && !is_in(env->may_features, env->nmay_features, value, vlen)
			       ? CG_TRI_FALSE
			       : CG_TRI_UNKNOWN;
	}
	if (!(env->build & CG_GATE_WASM32))
		return CG_TRI_UNKNOWN;
	for (size_t i = 0; i < sizeof(wasm32) / sizeof(wasm32[0]); i++)
		if (text_is(key, klen, wasm32[i].key))
			return tri_of(text_is(value, vlen, wasm32[i].value));
	return CG_TRI_UNKNOWN; /* target_feature, panic, … */
}

enum op { OP_ALL, OP_ANY, OP_NOT, OP_OTHER };

struct frame {
	enum op op;
	unsigned nfalse, ntrue, nunknown;
};

static void frame_add(struct frame *f, enum cg_tri v)
{
	if (v == CG_TRI_FALSE)
		f->nfalse++;
	else if (v == CG_TRI_TRUE)
		f->ntrue++;
	else
		f->nunknown++;
}

static enum cg_tri frame_value(const struct frame *f)
{
	switch (f->op) {
	case OP_ALL:
		return f->nfalse ? CG_TRI_FALSE : f->nunknown ? CG_TRI_UNKNOWN : CG_TRI_TRUE;
	case OP_ANY:
		return f->ntrue ? CG_TRI_TRUE : f->nunknown ? CG_TRI_UNKNOWN : CG_TRI_FALSE;
	case OP_NOT:
		if (f->nfalse + f->ntrue + f->nunknown != 1 || f->nunknown)
			return CG_TRI_UNKNOWN;
		return f->ntrue ? CG_TRI_FALSE : CG_TRI_TRUE;
	default:
		return CG_TRI_UNKNOWN;
	}
}

static enum op op_of(const char *t, size_t len)
{
	if (text_is(t, len, "all"))
		return OP_ALL;
	if (text_is(t, len, "any"))
		return OP_ANY;
	if (text_is(t, len, "not"))
		return OP_NOT;
	return OP_OTHER;
}

static void string_value(const struct cg_source *src, TSNode lit, const char **out, size_t *len)
{
	TSNode content = ts_node_named_child_count(lit) ? ts_node_named_child(lit, 0) : (TSNode){ 0 };
	if (ts_node_is_null(content) || cg_node_kind(content) != CG_K_STRING_CONTENT) {
		*out = "";
		*len = 0;
		return;
	}
	*out = cg_node_text(src, content, len);
}

/*
 * The predicate of a token tree; with `is_first_only`, only its first
 * element (the condition of `cfg_attr(P, …)`).
 */
static enum cg_tri cfg_eval(const struct cg_source *src, TSNode token_tree, const struct cg_gate_env *env,
			    bool is_first_only)
{
	/* The tree cursor keeps the position; `frames` keeps one operator per open
	 * parenthesis, so nesting costs heap, not stack. */
	TSTreeCursor c = ts_tree_cursor_new(token_tree);
	struct frame *frames = NULL;
	size_t n = 0, cap = 0;
	const char *pending = NULL; /* an identifier not yet used */
	size_t plen = 0;
	bool has_eq = false, is_opaque = false;
	enum cg_tri result = CG_TRI_UNKNOWN;

	if (!ts_tree_cursor_goto_first_child(&c))
		goto done;
	cg_array_grow((void **)&frames, &cap, 1, sizeof(*frames));
	frames[n++] = (struct frame){ OP_ALL, 0, 0, 0 };
	for (;;) {
		TSNode node = ts_tree_cursor_current_node(&c);
		enum cg_kind kind = cg_node_kind(node);

		if (kind == CG_K_IDENTIFIER) {
			if (pending)
				frame_add(&frames[n - 1], eval_flag(pending, plen, env, &is_opaque));
			pending = cg_node_text(src, node, &plen);
			has_eq = false;
		} else if (kind == CG_K_EQ) {
			has_eq = pending != NULL;
		} else if (kind == CG_K_STRING_LITERAL && pending && has_eq) {
			const char *v;
			size_t vlen;
			string_value(src, node, &v, &vlen);
			frame_add(&frames[n - 1], eval_pair(pending, plen, v, vlen, env));
			pending = NULL;
		} else if (kind == CG_K_TOKEN_TREE && pending) {
			cg_array_grow((void **)&frames, &cap, n + 1, sizeof(*frames));
			frames[n++] = (struct frame){ op_of(pending, plen), 0, 0, 0 };
			pending = NULL;
			if (ts_tree_cursor_goto_first_child(&c))
				continue;
			n--; /* an empty tree: `all()` */
			frame_add(&frames[n - 1], frame_value(&frames[n]));
		} else if (kind == CG_K_COMMA) {
			if (pending && !has_eq)
				frame_add(&frames[n - 1], eval_flag(pending, plen, env, &is_opaque));
			pending = NULL;
			if (n == 1 && is_first_only) {
				result = frame_value(&frames[0]);
				goto done;
			}
		} else if (kind != CG_K_LPAREN && kind != CG_K_RPAREN && kind != CG_K_LBRACE &&
			   strcmp(ts_node_type(node), "}")) {
			/* Anything else (a number, a path) makes the predicate unknown. */
			frame_add(&frames[n - 1], CG_TRI_UNKNOWN);
			pending = NULL;
		}
		/* Next token; at the end of a parenthesis, close its frame. */
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (pending && !has_eq)
				frame_add(&frames[n - 1], eval_flag(pending, plen, env, &is_opaque));
			pending = NULL;
			if (n == 1) {
				result = frame_value(&frames[0]);
				goto done;
			}
			n--;
			frame_add(&frames[n - 1], frame_value(&frames[n]));
			if (!ts_tree_cursor_goto_parent(&c))
				goto done; /* cannot happen: the frame was opened by entering */
		}
	}
done:
	free(frames);
	ts_tree_cursor_delete(&c);
	return is_opaque ? CG_TRI_FALSE : result;
}

enum cg_tri cg_gate_cfg_eval(const struct cg_source *src, TSNode token_tree, const struct cg_gate_env *env)
{
	return cfg_eval(src, token_tree, env, false);
}

/* The last identifier at the top of a token tree: `ignore` of cfg_attr(P, ignore). */
static bool last_word_is(const struct cg_source *src, TSNode tt, const char *word)
{
	for (uint32_t i = ts_node_named_child_count(tt); i > 0; i--) {
		TSNode c = ts_node_named_child(tt, i - 1);
		if (cg_node_kind(c) == CG_K_IDENTIFIER)
			return cg_node_is(src, c, word);
		if (cg_node_kind(c) != CG_K_TOKEN_TREE)
			return false;
	}
	return false;
}

/* The last segment of an attribute's path is in `list` (`server` of `#[leptos::server(…)]`). */
static bool attr_named(const struct cg_source *src, TSNode path, char *const *list, size_t n)
{
	size_t len;
	const char *t;
	if (cg_node_kind(path) == CG_K_SCOPED_IDENTIFIER)
		path = cg_child(path, CG_F_NAME);
	if (ts_node_is_null(path) || !n)
		return false;
	t = cg_node_text(src, path, &len);
	return is_in(list, n, t, len);
}

/* `#[cfg(…)]` under the build, a test marker or an ignored test for CG_GATE_NOT_TEST, an off attribute. */
static bool attr_leaves_out(const struct cg_source *src, TSNode attr_item, const struct cg_gate_env *env)
{
	TSNode attr = ts_node_named_child_count(attr_item) ? ts_node_named_child(attr_item, 0) : (TSNode){ 0 };
	TSNode path, args;
	size_t len;
	const char *t;

	if (ts_node_is_null(attr) || cg_node_kind(attr) != CG_K_ATTRIBUTE || !ts_node_named_child_count(attr))
		return false;
	path = ts_node_named_child(attr, 0);
	args = cg_child(attr, CG_F_ARGUMENTS);
	t = cg_node_text(src, path, &len);
	if (text_is(t, len, "cfg"))
		return !ts_node_is_null(args) && cfg_eval(src, args, env, false) == CG_TRI_FALSE;
	/* A test ignored on this build never runs in it, whether tests count or not. */
	if (text_is(t, len, "cfg_attr") && !ts_node_is_null(args) && last_word_is(src, args, "ignore"))
		return cfg_eval(src, args, env, true) == CG_TRI_TRUE;
	if ((env->build & CG_GATE_NOT_TEST) && cg_rust_attr_is_test(src, attr_item))
		return true;
	return attr_named(src, path, env->off_attrs, env->noff_attrs);
}

static bool is_comment(TSNode node)
{
	return cg_node_kind(node) == CG_K_LINE_COMMENT || cg_node_kind(node) == CG_K_BLOCK_COMMENT;
}

struct range {
	uint32_t start, end;
};

struct gate_walk {
	const struct cg_source *src;
	const struct cg_gate_env *env;
	int (*cb)(TSNode, void *);
	void *payload;
	struct range *ranges; /* byte ranges left out; few at any time */
	size_t nranges, cap;
};

static void leave_out(struct gate_walk *w, uint32_t start, uint32_t end)
{
	if (end <= start)
		return;
	cg_array_grow((void **)&w->ranges, &w->cap, w->nranges + 1, sizeof(*w->ranges));
	w->ranges[w->nranges++] = (struct range){ start, end };
}

/* Whether a byte is left out; drops ranges the walk has passed (it only moves forward). */
static bool is_left_out(struct gate_walk *w, uint32_t byte)
{
	bool out = false;
	for (size_t i = 0; i < w->nranges;) {
		if (w->ranges[i].end <= byte) {
			w->ranges[i] = w->ranges[--w->nranges];
			continue;
		}
		if (byte >= w->ranges[i].start)
			out = true;
		i++;
	}
	return out;
}

/* A condition made of cfg!(…), !, &&, || and parentheses; anything else is unknown. */
static enum cg_tri eval_cond(const struct cg_source *src, TSNode e, const struct cg_gate_env *env, int depth)
{
	enum cg_kind kind = cg_node_kind(e);
	if (depth > MAX_COND_DEPTH)
		return CG_TRI_UNKNOWN;
	if (kind == CG_K_MACRO_INVOCATION) {
		TSNode mac = cg_child(e, CG_F_MACRO);
		TSNode tt = ts_node_named_child(e, ts_node_named_child_count(e) - 1);
		if (ts_node_is_null(mac) || !cg_node_is(src, mac, "cfg") || cg_node_kind(tt) != CG_K_TOKEN_TREE)
			return CG_TRI_UNKNOWN;
		return cg_gate_cfg_eval(src, tt, env);
	}
	if (kind == CG_K_PARENTHESIZED_EXPRESSION && ts_node_named_child_count(e) == 1)
		return eval_cond(src, ts_node_named_child(e, 0), env, depth + 1);
	if (kind == CG_K_UNARY_EXPRESSION && ts_node_named_child_count(e) == 1 && ts_node_child_count(e) == 2 &&
	    cg_node_kind(ts_node_child(e, 0)) == CG_K_BANG) {
		enum cg_tri v = eval_cond(src, ts_node_named_child(e, 0), env, depth + 1);
		return v == CG_TRI_UNKNOWN ? v : tri_of(v == CG_TRI_FALSE);
	}
	if (kind == CG_K_BINARY_EXPRESSION) {
		TSNode op = cg_child(e, CG_F_OPERATOR);
		enum cg_kind op_kind = ts_node_is_null(op) ? CG_K_OTHER : cg_node_kind(op);
		bool is_and = op_kind == CG_K_AND_AND, is_or = op_kind == CG_K_OR_OR;
		enum cg_tri l, r;
		if (!is_and && !is_or)
			return CG_TRI_UNKNOWN;
		l = eval_cond(src, cg_child(e, CG_F_LEFT), env, depth + 1);
		r = eval_cond(src, cg_child(e, CG_F_RIGHT), env, depth + 1);
		if (is_and)
			return l == CG_TRI_FALSE || r == CG_TRI_FALSE ? CG_TRI_FALSE
			       : l == CG_TRI_TRUE && r == CG_TRI_TRUE ? CG_TRI_TRUE
								      : CG_TRI_UNKNOWN;
		return l == CG_TRI_TRUE || r == CG_TRI_TRUE	? CG_TRI_TRUE
		       : l == CG_TRI_FALSE && r == CG_TRI_FALSE ? CG_TRI_FALSE
								: CG_TRI_UNKNOWN;
	}
	return CG_TRI_UNKNOWN;
}

static int gate_visit(TSNode node, void *payload)
{
	struct gate_walk *w = payload;
	enum cg_kind kind;

	/* Punctuation and keywords hold nothing a rule looks for. */
	if (!ts_node_is_named(node) || is_left_out(w, ts_node_start_byte(node)))
		return CG_WALK_SKIP;
	kind = cg_node_kind(node);
	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT)
		return CG_WALK_SKIP;
	if (kind == CG_K_ATTRIBUTE_ITEM) {
		TSNode parent = ts_node_parent(node);
		if (attr_leaves_out(w->src, node, w->env) && cg_node_kind(parent) == CG_K_FIELD_INITIALIZER) {
			/* A struct literal's field holds its own attributes: `#[cfg(unix)] at: now()`. */
			leave_out(w, ts_node_end_byte(node), ts_node_end_byte(parent));
		} else if (attr_leaves_out(w->src, node, w->env)) {
			/* The attribute applies to the next item, statement or expression. */
			TSNode next = ts_node_next_named_sibling(node);
			while (!ts_node_is_null(next) &&
			       (cg_node_kind(next) == CG_K_ATTRIBUTE_ITEM || is_comment(next)))
				next = ts_node_next_named_sibling(next);
			if (!ts_node_is_null(next))
				leave_out(w, ts_node_start_byte(next), ts_node_end_byte(next));
		}
	} else if (kind == CG_K_INNER_ATTRIBUTE_ITEM) {
		/* #![cfg(…)] leaves out the rest of the module or file it opens. */
		if (attr_leaves_out(w->src, node, w->env)) {
			TSNode parent = ts_node_parent(node);
			if (!ts_node_is_null(parent))
				leave_out(w, ts_node_end_byte(node), ts_node_end_byte(parent));
		}
	} else if (kind == CG_K_MATCH_ARM) {
		/* A match arm holds its own attributes as its first children. */
		for (uint32_t i = 0; i < ts_node_named_child_count(node); i++) {
			TSNode c = ts_node_named_child(node, i);
			if (cg_node_kind(c) != CG_K_ATTRIBUTE_ITEM)
				break;
			if (attr_leaves_out(w->src, c, w->env))
				return CG_WALK_SKIP;
		}
	} else if (kind == CG_K_BINARY_EXPRESSION) {
		/* `cfg!(windows) && f()`: what a false left side of && (a true one of ||) guards never runs. */
		TSNode op = cg_child(node, CG_F_OPERATOR), right = cg_child(node, CG_F_RIGHT);
		enum cg_kind op_kind = ts_node_is_null(op) ? CG_K_OTHER : cg_node_kind(op);
		if ((op_kind == CG_K_AND_AND || op_kind == CG_K_OR_OR) && !ts_node_is_null(right)) {
			enum cg_tri l = eval_cond(w->src, cg_child(node, CG_F_LEFT), w->env, 0);
			if ((op_kind == CG_K_AND_AND && l == CG_TRI_FALSE) ||
			    (op_kind == CG_K_OR_OR && l == CG_TRI_TRUE))
				leave_out(w, ts_node_start_byte(right), ts_node_end_byte(right));
		}
	} else if (kind == CG_K_IF_EXPRESSION) {
		TSNode cond = cg_child(node, CG_F_CONDITION);
		enum cg_tri v = ts_node_is_null(cond) ? CG_TRI_UNKNOWN : eval_cond(w->src, cond, w->env, 0);
		TSNode then = cg_child(node, CG_F_CONSEQUENCE);
		TSNode alt = cg_child(node, CG_F_ALTERNATIVE);
		if (v == CG_TRI_FALSE && !ts_node_is_null(then))
			leave_out(w, ts_node_start_byte(then), ts_node_end_byte(then));
		if (v == CG_TRI_TRUE && !ts_node_is_null(alt))
			leave_out(w, ts_node_start_byte(alt), ts_node_end_byte(alt));
	}
	return w->cb(node, w->payload);
}

int cg_gate_walk(const struct cg_source *src, const struct cg_gate_env *env, int (*cb)(TSNode node, void *payload),
		 void *payload)
{
	struct gate_walk w = { src, env, cb, payload, NULL, 0, 0 };
	int err;

	err = cg_walk(cg_source_root(src), gate_visit, &w);
	free(w.ranges);
	return err;
}

/* A `mod x;` of a parent module file: what it names, and whether the build compiles it. */
struct mod_decl {
	uint32_t start;
	char *name;
	char *via_path;	    /* `#[path = "…"]` or a cfg_attr's path, joined to the parent's folder, or NULL */
	bool is_off;	    /* via_path comes from `#[cfg_attr(P, path = …)]` under a false P: never open */
	bool is_in_macro;   /* written in a macro call's tokens */
	bool is_token_open; /* is_in_macro: open as the tokens say, if the call itself is compiled */
	bool is_open;
};

/*
 * The module declarations of one parent file under one build. Parent files
 * (lib.rs above all) are asked about again for every file below them that
 * has a finding: keep the last few, keyed by a hash of path, content and
 * environment so a stale entry can never answer.
 */
struct parent_decls {
	uint64_t key;
	struct mod_decl *decls;
	size_t n, cap;
};

#define PARENT_CACHE 16
/* Macro calls nest this deep at most in a module list (`cfg_rt! { cfg_net! { … } }`). */
#define MAX_MACRO_DEPTH 8

/* The rule pass runs files on several threads: the cache is theirs in turn. */
struct cg_gate_cache {
	pthread_mutex_t lock;
	struct parent_decls slots[PARENT_CACHE];
	size_t next; /* the slot to reuse next */
};

struct decl_walk {
	const struct cg_source *src;
	const struct cg_gate_env *env;
	const char *dir; /* where #[path] values start from */
	struct parent_decls *pd;
};

static struct mod_decl *decl_add(struct parent_decls *pd, uint32_t start, char *name, char *via_path)
{
	cg_array_grow((void **)&pd->decls, &pd->cap, pd->n + 1, sizeof(*pd->decls));
	pd->decls[pd->n] = (struct mod_decl){ start, name, via_path, false, false, false, false };
	return &pd->decls[pd->n++];
}

static char *joined_path(const struct decl_walk *w, TSNode lit)
{
	const char *v;
	size_t vlen;
	char *rel, *joined;
	string_value(w->src, lit, &v, &vlen);
	rel = cg_strndup(v, vlen);
	joined = cg_crate_join(w->dir, rel);
	free(rel);
	return joined ? joined : cg_strdup("");
}

/* The string after `path =` at the top of a cfg_attr's token tree, or a null node. */
static TSNode cfg_attr_path(const struct cg_source *src, TSNode tt)
{
	uint32_t n = ts_node_child_count(tt);
	for (uint32_t i = 0; i + 2 < n; i++) {
		TSNode k = ts_node_child(tt, i), eq = ts_node_child(tt, i + 1), v = ts_node_child(tt, i + 2);
		if (cg_node_kind(k) == CG_K_IDENTIFIER && cg_node_is(src, k, "path") && cg_node_kind(eq) == CG_K_EQ &&
		    cg_node_kind(v) == CG_K_STRING_LITERAL)
			return v;
	}
	return (TSNode){ 0 };
}

/*
 * The declarations `mod name;` (item) makes: one by `#[path]` or by name,
 * and one for each `#[cfg_attr(P, path = "…")]`, never open under a false P
 * (it names a file the build never reads).
 */
static void collect_mod(struct decl_walk *w, TSNode item, TSNode name)
{
	char *via = NULL;
	for (TSNode a = ts_node_prev_named_sibling(item); !ts_node_is_null(a) && cg_node_kind(a) == CG_K_ATTRIBUTE_ITEM;
	     a = ts_node_prev_named_sibling(a)) {
		TSNode attr = ts_node_named_child(a, 0);
		TSNode key = ts_node_named_child_count(attr) ? ts_node_named_child(attr, 0) : (TSNode){ 0 };
		TSNode value = cg_child(attr, CG_F_VALUE);
		TSNode args = cg_child(attr, CG_F_ARGUMENTS);
		if (ts_node_is_null(key))
			continue;
		if (!via && !ts_node_is_null(value) && cg_node_is(w->src, key, "path") &&
		    cg_node_kind(value) == CG_K_STRING_LITERAL) {
			via = joined_path(w, value);
		} else if (!ts_node_is_null(args) && cg_node_is(w->src, key, "cfg_attr")) {
			TSNode lit = cfg_attr_path(w->src, args);
			if (!ts_node_is_null(lit))
				decl_add(w->pd, ts_node_start_byte(item), cg_node_strdup(w->src, name),
					 joined_path(w, lit))
					->is_off = cfg_eval(w->src, args, w->env, true) == CG_TRI_FALSE;
		}
	}
	decl_add(w->pd, ts_node_start_byte(item), cg_node_strdup(w->src, name), via);
}

/* The value of the cfg in an attribute's `[…]` token tree (`#[cfg(P)]` in a macro's tokens); TRUE for others. */
static enum cg_tri token_attr_value(const struct decl_walk *w, TSNode tt)
{
	TSNode k = ts_node_named_child_count(tt) == 2 ? ts_node_named_child(tt, 0) : (TSNode){ 0 };
	TSNode args = ts_node_named_child_count(tt) == 2 ? ts_node_named_child(tt, 1) : (TSNode){ 0 };
	if (ts_node_is_null(k) || !cg_node_is(w->src, k, "cfg") || cg_node_kind(args) != CG_K_TOKEN_TREE)
		return CG_TRI_TRUE;
	return cfg_eval(w->src, args, w->env, false);
}

/* What a macro call adds to the items it wraps: a cfg-alias macro's value, else nothing. */
static enum cg_tri macro_value(const struct decl_walk *w, const char *name, size_t len)
{
	for (size_t i = 0; i < w->env->nmacros; i++)
		if (text_is(name, len, w->env->macros[i].name))
			return w->env->macros[i].value;
	return CG_TRI_TRUE;
}

struct tok_frame {
	TSNode tt;
	uint32_t next; /* the child to read next */
	bool is_open;
	bool is_cfg_if;
	enum cg_tri taken; /* cfg_if: TRUE once a branch is surely taken, UNKNOWN once one may be */
};

/*
 * `mod x;` written in a macro call's tokens (`cfg_net! { pub mod tcp; }`,
 * `cfg_if! { if #[cfg(P)] { mod a; } else { mod b; } }`), each open or
 * not under the build: a cfg-alias macro adds its cfg, a cfg_if branch is
 * open when its P may hold and no branch before it surely did, a
 * `#[cfg(P)]` in the tokens gates what follows it. Nested calls go on an
 * explicit stack.
 */
static void collect_macro_mods(struct decl_walk *w, TSNode call)
{
	struct tok_frame stack[MAX_MACRO_DEPTH];
	size_t depth = 0;
	TSNode mac = cg_child(call, CG_F_MACRO);
	TSNode body = ts_node_named_child(call, ts_node_named_child_count(call) - 1);
	const char *name;
	size_t len;

	if (ts_node_is_null(mac) || cg_node_kind(body) != CG_K_TOKEN_TREE)
		return;
	if (cg_node_kind(mac) == CG_K_SCOPED_IDENTIFIER)
		mac = cg_child(mac, CG_F_NAME);
	name = cg_node_text(w->src, mac, &len);
	stack[depth++] = (struct tok_frame){ body, 0, macro_value(w, name, len) != CG_TRI_FALSE,
					     text_is(name, len, "cfg_if"), CG_TRI_FALSE };
	while (depth) {
		struct tok_frame *f = &stack[depth - 1];
		uint32_t n = ts_node_child_count(f->tt);
		enum cg_tri attr = CG_TRI_TRUE, cond = CG_TRI_TRUE;
		bool is_if = false;
		TSNode pending_macro = { 0 };

		for (; f->next < n; f->next++) {
			TSNode c = ts_node_child(f->tt, f->next);
			enum cg_kind kind = cg_node_kind(c);
			if (kind == CG_K_IF) {
				is_if = true;
				cond = CG_TRI_TRUE;
			} else if (kind == CG_K_TOKEN_TREE && ts_node_child_count(c) &&
				   cg_node_kind(ts_node_child(c, 0)) == CG_K_LBRACKET) {
				enum cg_tri v = token_attr_value(w, c);
				if (is_if)
					cond = v;
				else if (v == CG_TRI_FALSE || attr == CG_TRI_FALSE)
					attr = CG_TRI_FALSE;
			} else if (kind == CG_K_TOKEN_TREE && ts_node_child_count(c) &&
				   cg_node_kind(ts_node_child(c, 0)) == CG_K_LBRACE) {
				bool is_open = f->is_open && attr != CG_TRI_FALSE;
				if (f->is_cfg_if) {
					/* A branch: `if #[cfg(P)] {…}`, or the last `else {…}`. */
					is_open = is_open && f->taken != CG_TRI_TRUE && cond != CG_TRI_FALSE;
					if (cond == CG_TRI_TRUE && f->taken == CG_TRI_FALSE)
						f->taken = CG_TRI_TRUE;
					else if (cond != CG_TRI_FALSE && f->taken == CG_TRI_FALSE)
						f->taken = CG_TRI_UNKNOWN;
				} else if (!ts_node_is_null(pending_macro)) {
					const char *m = cg_node_text(w->src, pending_macro, &len);
					is_open = is_open && macro_value(w, m, len) != CG_TRI_FALSE;
				}
				is_if = false;
				cond = CG_TRI_TRUE;
				attr = CG_TRI_TRUE;
				if (depth < MAX_MACRO_DEPTH) {
					f->next++;
					stack[depth++] =
						(struct tok_frame){ c, 0, is_open,
								    f->is_cfg_if && ts_node_is_null(pending_macro),
								    CG_TRI_FALSE };
					/* A cfg_if branch holds items, not branches. */
					stack[depth - 1].is_cfg_if = false;
					break;
				}
			} else if (kind == CG_K_MOD && f->next + 2 < n &&
				   cg_node_kind(ts_node_child(f->tt, f->next + 1)) == CG_K_IDENTIFIER &&
				   cg_node_kind(ts_node_child(f->tt, f->next + 2)) == CG_K_SEMICOLON) {
				TSNode id = ts_node_child(f->tt, f->next + 1);
				struct mod_decl *d =
					decl_add(w->pd, ts_node_start_byte(c), cg_node_strdup(w->src, id), NULL);
				d->is_in_macro = true;
				d->is_token_open = f->is_open && attr != CG_TRI_FALSE;
				attr = CG_TRI_TRUE;
				f->next += 2;
			} else if (kind == CG_K_IDENTIFIER) {
				pending_macro = c;
			} else if (kind == CG_K_SEMICOLON) {
				attr = CG_TRI_TRUE;
				pending_macro = (TSNode){ 0 };
			} else if (kind != CG_K_BANG && kind != CG_K_HASH && kind != CG_K_PUB && kind != CG_K_ELSE &&
				   kind != CG_K_TOKEN_TREE) {
				pending_macro = (TSNode){ 0 };
			}
		}
		if (f->next >= n)
			depth--;
	}
}

/* Declarations live among items: modules are entered, function bodies and strings are not. */
static int walk_decls(TSNode node, struct decl_walk *w, bool is_gated_walk)
{
	struct parent_decls *pd = w->pd;
	if (cg_node_kind(node) == CG_K_MOD_ITEM) {
		TSNode name = cg_child(node, CG_F_NAME);
		TSNode body = cg_child(node, CG_F_BODY);
		if (!ts_node_is_null(body) || ts_node_is_null(name))
			return ts_node_is_null(body) ? CG_WALK_SKIP : CG_WALK_ENTER;
		if (is_gated_walk) {
			for (size_t i = 0; i < pd->n; i++)
				if (pd->decls[i].start == ts_node_start_byte(node) && !pd->decls[i].is_off)
					pd->decls[i].is_open = true;
		} else {
			collect_mod(w, node, name);
		}
		return CG_WALK_SKIP;
	}
	if (cg_node_kind(node) == CG_K_MACRO_INVOCATION) {
		uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
		if (!is_gated_walk) {
			collect_macro_mods(w, node);
			return CG_WALK_SKIP;
		}
		/* The call is compiled: its tokens decide. */
		for (size_t i = 0; i < pd->n; i++)
			if (pd->decls[i].is_in_macro && pd->decls[i].start >= start && pd->decls[i].start < end)
				pd->decls[i].is_open = pd->decls[i].is_token_open;
		return CG_WALK_SKIP;
	}
	if (cg_node_kind(node) == CG_K_FUNCTION_ITEM || cg_node_kind(node) == CG_K_STRING_LITERAL)
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

static int collect_decl(TSNode node, void *payload)
{
	return walk_decls(node, payload, false);
}

static int mark_open_decl(TSNode node, void *payload)
{
	return walk_decls(node, payload, true);
}

static void parent_decls_release(struct parent_decls *pd)
{
	for (size_t i = 0; i < pd->n; i++) {
		free(pd->decls[i].name);
		free(pd->decls[i].via_path);
	}
	free(pd->decls);
	memset(pd, 0, sizeof(*pd));
}

struct cg_gate_cache *cg_gate_cache_new(void)
{
	struct cg_gate_cache *c = cg_calloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void cg_gate_cache_free(struct cg_gate_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < PARENT_CACHE; i++)
		parent_decls_release(&c->slots[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Whether a `mod` keyword is among the tokens of text[start, end) (a macro call's included). */
static bool has_mod_token(const char *text, uint32_t start, uint32_t end)
{
	struct cg_tokenizer tz;
	if (!memmem(text + start, end - start, "mod", 3))
		return false;
	if (cg_tokenizer_init(&tz, text + start, end - start) < 0) {
		cg_error_clear();
		return true;
	}
	for (struct cg_token t; (t = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END;)
		if (t.kind == CG_TOKEN_WORD && t.end - t.start == 3 && !memcmp(text + start + t.start, "mod", 3))
			return true;
	return false;
}

static int cmp_range(const void *a, const void *b)
{
	const struct cg_byte_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts the ranges and joins those that overlap or touch; returns how many are left. */
static size_t merge_ranges(struct cg_byte_range *r, size_t n)
{
	size_t k = 0;
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (k && r[i].start <= r[k - 1].end) {
			if (r[i].end > r[k - 1].end)
				r[k - 1].end = r[i].end;
		} else {
			r[k++] = r[i];
		}
	}
	return k;
}

/*
 * Parses what of a parent module file can declare modules, found by the
 * item scanner: inner attributes, `mod x;` items, and items with a `mod`
 * token (macro calls: `cfg_net! { pub mod tcp; }`, cfg_if!), with the heads
 * and closing braces of the inline modules around them. Function bodies
 * never count (walk_decls skips them), and they are most of a lib.rs or
 * mod.rs. *is_empty when nothing can: no parse at all. Falls back to a
 * whole parse when the scanner cannot split the file.
 */
static int parse_mod_items(struct cg_source *src, bool *is_empty)
{
	struct cg_items items;
	struct cg_byte_range *r = NULL;
	size_t n = 0, cap = 0;
	int err;

	*is_empty = false;
	if (cg_items_scan(&items, src->text, src->len) < 0 || !items.is_clean) {
		cg_error_clear();
		cg_items_release(&items);
		return cg_source_parse_ranges(src, NULL, 0);
	}
	for (size_t i = 0; i < items.n; i++) {
		const struct cg_item *it = &items.items[i];
		if (it->kind == CG_ITEM_FN || it->kind == CG_ITEM_MOD ||
		    (it->kind != CG_ITEM_INNER_ATTR && it->kind != CG_ITEM_MOD_DECL &&
		     !has_mod_token(src->text, it->decl, it->end)))
			continue;
		cg_array_grow((void **)&r, &cap, n + 1, sizeof(*r));
		r[n++] = (struct cg_byte_range){ it->start, it->end };
		for (uint32_t p = it->parent; p != CG_ITEM_TOP; p = items.items[p].parent) {
			const struct cg_item *m = &items.items[p];
			uint32_t open = m->kind == CG_ITEM_MOD ? m->body : 0;
			cg_array_grow((void **)&r, &cap, n + 2, sizeof(*r));
			if (!open) {
				r[n++] = (struct cg_byte_range){ m->start, m->end };
				continue;
			}
			r[n++] = (struct cg_byte_range){ m->start, open };
			r[n++] = (struct cg_byte_range){ m->end - 1, m->end };
		}
	}
	*is_empty = n == 0;
	err = n ? cg_source_parse_ranges(src, r, merge_ranges(r, n)) : 0;
	free(r);
	cg_items_release(&items);
	return err;
}

/*
 * The declarations of `file` at the change's new revision; NULL when it
 * cannot be read. Borrowed from the cache: call and use under cache->lock.
 */
static const struct parent_decls *parent_decls_of(struct cg_gate_cache *cache, const struct cg_change *change,
						  const char *file, const struct cg_gate_env *env)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;
	struct parent_decls *pd = NULL;
	char *dir = NULL;
	uint64_t key;
	bool is_empty;

	if (!cg_change_exists(change, file) || cg_change_read(change, file, &text) < 0) {
		cg_error_clear();
		goto done;
	}
	key = cg_hash64(text.ptr, text.size, cg_hash64(file, strlen(file), cg_gate_env_hash(env)));
	for (size_t i = 0; i < PARENT_CACHE; i++) {
		if (cache->slots[i].key == key && cache->slots[i].decls) {
			pd = &cache->slots[i];
			goto done;
		}
	}
	if (cg_source_open(&src, CG_LANG_RUST, text.ptr, text.size) < 0) {
		cg_error_clear();
		goto done;
	}
	if (parse_mod_items(&src, &is_empty) < 0) {
		cg_error_clear();
		cg_source_release(&src);
		goto done;
	}
	pd = &cache->slots[cache->next];
	cache->next = (cache->next + 1) % PARENT_CACHE;
	parent_decls_release(pd);
	pd->key = key;
	/* An empty list is still an answer: allocate so the slot counts as filled. */
	cg_array_grow((void **)&pd->decls, &pd->cap, 1, sizeof(*pd->decls));
	dir = cg_path_dir(file);
	if (!is_empty) {
		struct decl_walk w = { &src, env, dir, pd };
		cg_walk(cg_source_root(&src), collect_decl, &w);
		cg_gate_walk(&src, env, mark_open_decl, &w);
	}
	cg_source_release(&src);
done:
	free(dir);
	cg_buf_release(&text);
	return pd;
}

enum decl_state { DECL_ABSENT, DECL_LEFT_OUT, DECL_OPEN };

/*
 * How `file` declares the module `name` (or, by #[path], the file `target`):
 * not at all, only in code the build leaves out, or in code it compiles.
 */
static enum decl_state mod_decl_state(struct cg_gate_cache *cache, const struct cg_change *change, const char *file,
				      const char *name, const char *target, bool is_by_name_ok,
				      const struct cg_gate_env *env)
{
	const struct parent_decls *pd;
	enum decl_state state = DECL_ABSENT;

	pthread_mutex_lock(&cache->lock);
	pd = parent_decls_of(cache, change, file, env);
	for (size_t i = 0; pd && i < pd->n && state != DECL_OPEN; i++) {
		const struct mod_decl *d = &pd->decls[i];
		if (d->via_path ? strcmp(d->via_path, target) != 0 : !is_by_name_ok || strcmp(d->name, name) != 0)
			continue;
		state = d->is_open ? DECL_OPEN : DECL_LEFT_OUT;
	}
	pthread_mutex_unlock(&cache->lock);
	return state;
}

bool cg_gate_file_excluded(struct cg_gate_cache *cache, const struct cg_change *change, const char *path,
			   const struct cg_gate_env *env)
{
	char *cur = cg_strdup(path);
	bool is_excluded = false;

	for (int level = 0; level < MAX_MODULE_DEPTH; level++) {
		const char *slash = strrchr(cur, '/');
		const char *base = slash ? slash + 1 : cur;
		char *dir = cg_path_dir(cur), *pdir, *name, *open = NULL;
		bool is_left_out = false;

		if (!strcmp(base, "lib.rs") || !strcmp(base, "main.rs") || !strcmp(base, "build.rs") ||
		    !cg_ends_with(base, ".rs")) {
			free(dir);
			break;
		}
		if (!strcmp(base, "mod.rs")) {
			const char *dslash = strrchr(dir, '/');
			if (!*dir) {
				free(dir);
				break;
			}
			name = cg_strdup(dslash ? dslash + 1 : dir);
			pdir = cg_path_dir(dir);
		} else {
			name = cg_strndup(base, strlen(base) - 3);
			pdir = cg_strdup(dir);
		}
		/*
		 * The files that may declare the module: the module file of the folder
		 * above by name (mod.rs, lib.rs, main.rs, <folder>.rs); one more folder
		 * up, only a `#[path = "…"] mod x;` naming this file counts
		 * (`#[path = "unix/fs.rs"] mod fs;` in sys/mod.rs).
		 */
		for (int up = 0; up < 2 && !open && !is_left_out; up++) {
			static const char *const leaves[] = { "mod.rs", "lib.rs", "main.rs" };
			char *ddir = up == 0 ? cg_strdup(pdir) : *pdir ? cg_path_dir(pdir) : NULL;
			for (size_t i = 0; ddir && i < 4 && !open; i++) {
				struct cg_buf cand = CG_BUF_INIT;
				if (i < 3)
					cg_buf_printf(&cand, "%s%s%s", ddir, *ddir ? "/" : "", leaves[i]);
				else if (*ddir)
					cg_buf_printf(&cand, "%s.rs", ddir);
				if (cand.size && strcmp(cand.ptr, cur) != 0) {
					enum decl_state st =
						mod_decl_state(cache, change, cand.ptr, name, cur, up == 0, env);
					if (st == DECL_OPEN)
						open = cg_buf_detach(&cand, NULL);
					else if (st == DECL_LEFT_OUT)
						is_left_out = true;
				}
				cg_buf_release(&cand);
			}
			free(ddir);
		}
		free(dir);
		free(pdir);
		free(name);
		if (!open) {
			is_excluded = is_left_out;
			break;
		}
		free(cur);
		cur = open;
	}
	free(cur);
	return is_excluded;
}

const void *cg_gate_resolve_call(const struct cg_source *src, const struct cg_rust_file *rf, const char *file_path,
				 TSNode fn, const void *(*match)(const char *full, void *payload), void *payload,
				 char **full)
{
	char *written = cg_rust_path_text(src, fn);
	uint32_t at = ts_node_start_byte(fn);
	const void *hit;
	const char *first;
	size_t flen = cg_rust_first_segment(written, &first);

	/* Only in a crate root does `crate::x` name this file's own `x`. */
	*full = cg_rust_resolve_scoped(rf, at, written, strlen(written), cg_rust_path_is_crate_root(file_path));
	hit = match(*full, payload);
	if (!hit && !strcmp(*full, written) && !(first[flen] == '\0' && cg_rust_defines_fn(rf, first, flen))) {
		char **globs = NULL;
		size_t n = cg_rust_globs_at(rf, at, &globs);
		for (size_t i = 0; i < n && !hit; i++) {
			struct cg_buf cand = CG_BUF_INIT;
			cg_buf_printf(&cand, "%s::%s", globs[i], written);
			if ((hit = match(cand.ptr, payload)) != NULL) {
				free(*full);
				*full = cg_buf_detach(&cand, NULL);
			}
			cg_buf_release(&cand);
		}
		cg_rust_strings_free(globs, n);
	}
	free(written);
	return hit;
}
