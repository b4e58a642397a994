/* Which code a build compiles: cfg attributes, cfg! branches, gated `mod x;`. */
#include "rules/gate.h"

#include <stdlib.h>
#include <string.h>

#include "syntax/cargo.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
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

/* `name` alone, as in cfg(unix). */
static enum cg_tri eval_flag(const char *name, size_t len, enum cg_gate_build build)
{
	if (build == CG_GATE_NOT_TEST)
		return text_is(name, len, "test") ? CG_TRI_FALSE : CG_TRI_UNKNOWN;
	if (text_is(name, len, "unix") || text_is(name, len, "windows"))
		return CG_TRI_FALSE;
	return CG_TRI_UNKNOWN;
}

/* `key = "value"`, as in cfg(target_arch = "wasm32"). */
static enum cg_tri eval_pair(const char *key, size_t klen, const char *value, size_t vlen, enum cg_gate_build build)
{
	static const struct {
		const char *key, *value;
	} wasm32[] = {
		{ "target_arch", "wasm32" },	     { "target_family", "wasm" },	{ "target_os", "unknown" },
		{ "target_env", "" },		     { "target_vendor", "unknown" },	{ "target_pointer_width", "32" },
		{ "target_endian", "little" },
	};
	if (build != CG_GATE_WASM32)
		return CG_TRI_UNKNOWN;
	for (size_t i = 0; i < sizeof(wasm32) / sizeof(wasm32[0]); i++)
		if (text_is(key, klen, wasm32[i].key))
			return tri_of(text_is(value, vlen, wasm32[i].value));
	return CG_TRI_UNKNOWN; /* feature = "…", target_feature, panic, … */
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
	if (ts_node_is_null(content) || !cg_node_type_is(content, "string_content")) {
		*out = "";
		*len = 0;
		return;
	}
	*out = cg_node_text(src, content, len);
}

enum cg_tri cg_gate_cfg_eval(const struct cg_source *src, TSNode token_tree, enum cg_gate_build build)
{
	/* The tree cursor keeps the position; `frames` keeps one operator per open
	 * parenthesis, so nesting costs heap, not stack. */
	TSTreeCursor c = ts_tree_cursor_new(token_tree);
	struct frame *frames = NULL;
	size_t n = 0, cap = 0;
	const char *pending = NULL; /* an identifier not yet used */
	size_t plen = 0;
	bool has_eq = false;
	enum cg_tri result = CG_TRI_UNKNOWN;

	if (!ts_tree_cursor_goto_first_child(&c))
		goto done;
	cg_array_grow((void **)&frames, &cap, 1, sizeof(*frames));
	frames[n++] = (struct frame){ OP_ALL, 0, 0, 0 };
	for (;;) {
		TSNode node = ts_tree_cursor_current_node(&c);
		const char *type = ts_node_type(node);

		if (!strcmp(type, "identifier")) {
			if (pending)
				frame_add(&frames[n - 1], eval_flag(pending, plen, build));
			pending = cg_node_text(src, node, &plen);
			has_eq = false;
		} else if (!strcmp(type, "=")) {
			has_eq = pending != NULL;
		} else if (!strcmp(type, "string_literal") && pending && has_eq) {
			const char *v;
			size_t vlen;
			string_value(src, node, &v, &vlen);
			frame_add(&frames[n - 1], eval_pair(pending, plen, v, vlen, build));
			pending = NULL;
		} else if (!strcmp(type, "token_tree") && pending) {
			cg_array_grow((void **)&frames, &cap, n + 1, sizeof(*frames));
			frames[n++] = (struct frame){ op_of(pending, plen), 0, 0, 0 };
			pending = NULL;
			if (ts_tree_cursor_goto_first_child(&c))
				continue;
			n--; /* an empty tree: `all()` */
			frame_add(&frames[n - 1], frame_value(&frames[n]));
		} else if (!strcmp(type, ",")) {
			if (pending && !has_eq)
				frame_add(&frames[n - 1], eval_flag(pending, plen, build));
			pending = NULL;
		} else if (strcmp(type, "(") && strcmp(type, ")")) {
			/* Anything else (a number, a path) makes the predicate unknown. */
			frame_add(&frames[n - 1], CG_TRI_UNKNOWN);
			pending = NULL;
		}
		/* Next token; at the end of a parenthesis, close its frame. */
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (pending && !has_eq)
				frame_add(&frames[n - 1], eval_flag(pending, plen, build));
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
	return result;
}

/* `#[cfg(…)]` under the build, or a test marker for CG_GATE_NOT_TEST. */
static bool attr_leaves_out(const struct cg_source *src, TSNode attr_item, enum cg_gate_build build)
{
	TSNode attr = ts_node_named_child_count(attr_item) ? ts_node_named_child(attr_item, 0) : (TSNode){ 0 };
	TSNode path, args;
	size_t len;
	const char *t;

	if (ts_node_is_null(attr) || !cg_node_type_is(attr, "attribute") || !ts_node_named_child_count(attr))
		return false;
	path = ts_node_named_child(attr, 0);
	args = ts_node_child_by_field_name(attr, "arguments", 9);
	t = cg_node_text(src, path, &len);
	if (text_is(t, len, "cfg"))
		return !ts_node_is_null(args) && cg_gate_cfg_eval(src, args, build) == CG_TRI_FALSE;
	return build == CG_GATE_NOT_TEST && cg_rust_attr_is_test(src, attr_item);
}

static bool is_comment(TSNode node)
{
	return cg_node_type_is(node, "line_comment") || cg_node_type_is(node, "block_comment");
}

struct range {
	uint32_t start, end;
};

struct gate_walk {
	const struct cg_source *src;
	enum cg_gate_build build;
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
static enum cg_tri eval_cond(const struct cg_source *src, TSNode e, enum cg_gate_build build, int depth)
{
	const char *type = ts_node_type(e);
	if (depth > MAX_COND_DEPTH)
		return CG_TRI_UNKNOWN;
	if (!strcmp(type, "macro_invocation")) {
		TSNode mac = ts_node_child_by_field_name(e, "macro", 5);
		TSNode tt = ts_node_named_child(e, ts_node_named_child_count(e) - 1);
		if (ts_node_is_null(mac) || !cg_node_is(src, mac, "cfg") || !cg_node_type_is(tt, "token_tree"))
			return CG_TRI_UNKNOWN;
		return cg_gate_cfg_eval(src, tt, build);
	}
	if (!strcmp(type, "parenthesized_expression") && ts_node_named_child_count(e) == 1)
		return eval_cond(src, ts_node_named_child(e, 0), build, depth + 1);
	if (!strcmp(type, "unary_expression") && ts_node_named_child_count(e) == 1 && ts_node_child_count(e) == 2 &&
	    !strcmp(ts_node_type(ts_node_child(e, 0)), "!")) {
		enum cg_tri v = eval_cond(src, ts_node_named_child(e, 0), build, depth + 1);
		return v == CG_TRI_UNKNOWN ? v : tri_of(v == CG_TRI_FALSE);
	}
	if (!strcmp(type, "binary_expression")) {
		TSNode op = ts_node_child_by_field_name(e, "operator", 8);
		const char *o = ts_node_is_null(op) ? "" : ts_node_type(op);
		bool is_and = !strcmp(o, "&&"), is_or = !strcmp(o, "||");
		enum cg_tri l, r;
		if (!is_and && !is_or)
			return CG_TRI_UNKNOWN;
		l = eval_cond(src, ts_node_child_by_field_name(e, "left", 4), build, depth + 1);
		r = eval_cond(src, ts_node_child_by_field_name(e, "right", 5), build, depth + 1);
		if (is_and)
			return l == CG_TRI_FALSE || r == CG_TRI_FALSE	? CG_TRI_FALSE
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
	const char *type = ts_node_type(node);

	if (is_left_out(w, ts_node_start_byte(node)) || is_comment(node))
		return CG_WALK_SKIP;
	if (!strcmp(type, "attribute_item")) {
		if (attr_leaves_out(w->src, node, w->build)) {
			/* The attribute applies to the next item, statement or expression. */
			TSNode next = ts_node_next_named_sibling(node);
			while (!ts_node_is_null(next) && (cg_node_type_is(next, "attribute_item") || is_comment(next)))
				next = ts_node_next_named_sibling(next);
			if (!ts_node_is_null(next))
				leave_out(w, ts_node_start_byte(next), ts_node_end_byte(next));
		}
	} else if (!strcmp(type, "inner_attribute_item")) {
		/* #![cfg(…)] leaves out the rest of the module or file it opens. */
		if (attr_leaves_out(w->src, node, w->build)) {
			TSNode parent = ts_node_parent(node);
			if (!ts_node_is_null(parent))
				leave_out(w, ts_node_end_byte(node), ts_node_end_byte(parent));
		}
	} else if (!strcmp(type, "match_arm")) {
		/* A match arm holds its own attributes as its first children. */
		for (uint32_t i = 0; i < ts_node_named_child_count(node); i++) {
			TSNode c = ts_node_named_child(node, i);
			if (!cg_node_type_is(c, "attribute_item"))
				break;
			if (attr_leaves_out(w->src, c, w->build))
				return CG_WALK_SKIP;
		}
	} else if (!strcmp(type, "if_expression")) {
		TSNode cond = ts_node_child_by_field_name(node, "condition", 9);
		enum cg_tri v = ts_node_is_null(cond) ? CG_TRI_UNKNOWN : eval_cond(w->src, cond, w->build, 0);
		TSNode then = ts_node_child_by_field_name(node, "consequence", 11);
		TSNode alt = ts_node_child_by_field_name(node, "alternative", 11);
		if (v == CG_TRI_FALSE && !ts_node_is_null(then))
			leave_out(w, ts_node_start_byte(then), ts_node_end_byte(then));
		if (v == CG_TRI_TRUE && !ts_node_is_null(alt))
			leave_out(w, ts_node_start_byte(alt), ts_node_end_byte(alt));
	}
	return w->cb(node, w->payload);
}

int cg_gate_walk(const struct cg_source *src, enum cg_gate_build build, int (*cb)(TSNode node, void *payload),
		 void *payload)
{
	struct gate_walk w = { src, build, cb, payload, NULL, 0, 0 };
	int err = cg_walk(cg_source_root(src), gate_visit, &w);
	free(w.ranges);
	return err;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? cg_strndup(path, (size_t)(slash - path)) : cg_strdup("");
}

struct mod_find {
	const struct cg_source *src;
	const char *name;       /* the module name the file's own name gives */
	const char *target;     /* the file, for `#[path = "…"] mod x;` */
	const char *parent_dir; /* where #[path] values start from */
	bool is_by_name_ok;     /* false: only a #[path] naming the file counts */
	bool is_found;
};

/* The `#[path = "…"]` among the attributes before `item`, joined to the parent's folder; NULL if none. */
static char *path_attr(const struct mod_find *m, TSNode item)
{
	for (TSNode a = ts_node_prev_named_sibling(item); !ts_node_is_null(a) && cg_node_type_is(a, "attribute_item");
	     a = ts_node_prev_named_sibling(a)) {
		TSNode attr = ts_node_named_child(a, 0);
		TSNode key = ts_node_named_child_count(attr) ? ts_node_named_child(attr, 0) : (TSNode){ 0 };
		TSNode value = ts_node_child_by_field_name(attr, "value", 5);
		const char *v;
		size_t vlen;
		char *rel, *joined;
		if (ts_node_is_null(key) || ts_node_is_null(value) || !cg_node_is(m->src, key, "path") ||
		    !cg_node_type_is(value, "string_literal"))
			continue;
		string_value(m->src, value, &v, &vlen);
		rel = cg_strndup(v, vlen);
		joined = cg_cargo_join(m->parent_dir, rel);
		free(rel);
		return joined ? joined : cg_strdup("");
	}
	return NULL;
}

/* `mod name;` (a declaration whose body is another file), or `#[path = "<the file>"] mod x;`. */
static int find_mod_decl(TSNode node, void *payload)
{
	struct mod_find *m = payload;
	if (cg_node_type_is(node, "mod_item")) {
		TSNode name = ts_node_child_by_field_name(node, "name", 4);
		TSNode body = ts_node_child_by_field_name(node, "body", 4);
		if (ts_node_is_null(body) && !ts_node_is_null(name)) {
			char *via_path = path_attr(m, node);
			if (via_path ? !strcmp(via_path, m->target) : m->is_by_name_ok && cg_node_is(m->src, name, m->name))
				m->is_found = true;
			free(via_path);
		}
		return ts_node_is_null(body) ? CG_WALK_SKIP : CG_WALK_ENTER;
	}
	/* Module declarations live among items, never inside function bodies' expressions. */
	if (cg_node_type_is(node, "function_item") || cg_node_type_is(node, "string_literal"))
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

enum decl_state { DECL_ABSENT, DECL_LEFT_OUT, DECL_OPEN };

static enum decl_state mod_decl_state(const struct cg_change *change, const char *file, const char *name,
				      const char *target, bool is_by_name_ok, enum cg_gate_build build)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;
	char *dir = dir_of(file);
	struct mod_find m = { &src, name, target, dir, is_by_name_ok, false };
	enum decl_state state = DECL_ABSENT;

	if (!cg_change_exists(change, file) || cg_change_read(change, file, &text) < 0 ||
	    cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) < 0) {
		cg_error_clear();
		goto done;
	}
	cg_gate_walk(&src, build, find_mod_decl, &m);
	if (m.is_found) {
		state = DECL_OPEN;
	} else {
		cg_walk(cg_source_root(&src), find_mod_decl, &m);
		state = m.is_found ? DECL_LEFT_OUT : DECL_ABSENT;
	}
	cg_source_release(&src);
done:
	cg_buf_release(&text);
	free(dir);
	return state;
}

bool cg_gate_file_excluded(const struct cg_change *change, const char *path, enum cg_gate_build build)
{
	char *cur = cg_strdup(path);
	bool is_excluded = false;

	for (int level = 0; level < MAX_MODULE_DEPTH; level++) {
		const char *slash = strrchr(cur, '/');
		const char *base = slash ? slash + 1 : cur;
		char *dir = dir_of(cur), *pdir, *name, *open = NULL;
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
			pdir = dir_of(dir);
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
			char *ddir = up == 0 ? cg_strdup(pdir) : *pdir ? dir_of(pdir) : NULL;
			for (size_t i = 0; ddir && i < 4 && !open; i++) {
				struct cg_buf cand = CG_BUF_INIT;
				if (i < 3)
					cg_buf_printf(&cand, "%s%s%s", ddir, *ddir ? "/" : "", leaves[i]);
				else if (*ddir)
					cg_buf_printf(&cand, "%s.rs", ddir);
				if (cand.size && strcmp(cand.ptr, cur) != 0) {
					enum decl_state st = mod_decl_state(change, cand.ptr, name, cur, up == 0, build);
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

/* A file whose `crate::` is not itself: a module file of a crate. */
static bool is_module_file(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dir = slash;

	if (!strcmp(base, "lib.rs") || !strcmp(base, "main.rs") || !strcmp(base, "build.rs"))
		return false;
	if (!slash)
		return true;
	while (dir > path && dir[-1] != '/')
		dir--;
	/* Each file directly in src/bin/, tests/, benches/ or examples/ is a crate of its own. */
	return !(text_is(dir, (size_t)(slash - dir), "bin") || text_is(dir, (size_t)(slash - dir), "tests") ||
		 text_is(dir, (size_t)(slash - dir), "benches") || text_is(dir, (size_t)(slash - dir), "examples"));
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

	*full = cg_rust_resolve_at(rf, at, written, strlen(written));
	if (is_module_file(file_path) && !cg_starts_with(*full, "crate::")) {
		/* resolve_at reads `crate::x` as this file's `x`: right only in a crate root. */
		char *plain = cg_rust_resolve(rf, written, strlen(written));
		if (cg_starts_with(plain, "crate::")) {
			free(*full);
			*full = plain;
		} else {
			free(plain);
		}
	}
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
