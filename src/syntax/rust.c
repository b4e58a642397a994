#define _GNU_SOURCE
#include "syntax/rust.h"
#include "syntax/items.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* Re-export chains and glob hops a path may take before we stop following it. */
#define RESOLVE_BUDGET 16
/*
 * Inline modules are tracked up to this nesting and this many bytes of
 * module paths; deeper ones count as part of their tracked ancestor, so a
 * hostile file cannot make the paths grow with the square of its size.
 */
#define MODULE_DEPTH_MAX 32
#define MODULE_BYTES_MAX (8u << 20)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *cg_rust_path_text(const struct cg_source *src, TSNode node)
{
	size_t len;
	const char *t = cg_node_text(src, node, &len);
	struct cg_buf b = CG_BUF_INIT;
	for (size_t i = 0; i < len; i++)
		if (!is_space(t[i]))
			cg_buf_putc(&b, t[i]);
	return cg_buf_detach(&b, NULL);
}

size_t cg_rust_first_segment(const char *path, const char **start)
{
	const char *p = path, *e;
	if (p[0] == ':' && p[1] == ':')
		p += 2;
	e = strstr(p, "::");
	*start = p;
	return e ? (size_t)(e - p) : strlen(p);
}

const char *cg_rust_last_segment(const char *path, size_t len, size_t *seg_len)
{
	const char *last = path;
	for (size_t i = 0; i + 1 < len; i++) {
		if (path[i] == ':' && path[i + 1] == ':') {
			last = path + i + 2;
			i++; /* "a:::b" ends in ":b", as a search for "::" from the left finds */
		}
	}
	if (seg_len)
		*seg_len = len - (size_t)(last - path);
	return last;
}

static bool seg_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static void add_use(struct cg_rust_file *rf, const char *local, size_t llen, const char *path, TSNode decl,
		    TSNode scope, size_t module)
{
	struct cg_use *u;
	cg_array_grow((void **)&rf->uses, &rf->cap, rf->nuses + 1, sizeof(*rf->uses));
	u = &rf->uses[rf->nuses++];
	u->local = cg_strndup(local, llen);
	u->path = cg_strdup(path[0] == ':' && path[1] == ':' ? path + 2 : path);
	u->line = ts_node_start_point(decl).row + 1;
	u->decl = decl;
	/*
	 * The file's own items are in scope everywhere in it: the root node
	 * starts at the first token, or at the first range a partial parse
	 * holds, and a lookup from the module's start (byte 0) must see them.
	 */
	if (cg_node_kind(scope) == CG_K_SOURCE_FILE) {
		u->scope_start = 0;
		u->scope_end = (uint32_t)rf->src->len;
	} else {
		u->scope_start = ts_node_start_byte(scope);
		u->scope_end = ts_node_end_byte(scope);
	}
	u->module = module;
}

struct item {
	TSNode node;
	char *prefix; /* owned */
};

static char *join(const char *prefix, const char *tail)
{
	struct cg_buf b = CG_BUF_INIT;
	if (*prefix && *tail)
		cg_buf_printf(&b, "%s::%s", prefix, tail);
	else
		cg_buf_puts(&b, *prefix ? prefix : tail);
	return cg_buf_detach(&b, NULL);
}

/* Expands one use_declaration's tree with an explicit stack. */
static void collect_use(struct cg_rust_file *rf, TSNode decl, TSNode scope, size_t module)
{
	const struct cg_source *src = rf->src;
	struct item *stack = NULL;
	size_t n = 0, cap = 0;
	TSNode arg = cg_child(decl, CG_F_ARGUMENT);

	if (ts_node_is_null(arg)) {
		/* Some grammar versions put a wildcard as a plain child. */
		for (uint32_t i = 0; i < ts_node_named_child_count(decl); i++) {
			TSNode c = ts_node_named_child(decl, i);
			if (cg_node_kind(c) != CG_K_VISIBILITY_MODIFIER)
				arg = c;
		}
		if (ts_node_is_null(arg))
			return;
	}
	cg_array_grow((void **)&stack, &cap, 1, sizeof(*stack));
	stack[n++] = (struct item){ arg, cg_strdup("") };
	while (n) {
		struct item it = stack[--n];
		enum cg_kind kind = cg_node_kind(it.node);
		char *text = NULL, *full = NULL;

		if (kind == CG_K_IDENTIFIER || kind == CG_K_SCOPED_IDENTIFIER || kind == CG_K_CRATE ||
		    kind == CG_K_SUPER || kind == CG_K_SELF) {
			size_t llen;
			const char *local;
			text = cg_rust_path_text(src, it.node);
			if (!strcmp(text, "self")) {
				/* `use std::fs::{self}` brings `fs` itself. */
				full = cg_strdup(it.prefix);
			} else {
				full = join(it.prefix, text);
			}
			local = cg_rust_last_segment(full, strlen(full), &llen);
			if (llen)
				add_use(rf, local, llen, full, decl, scope, module);
		} else if (kind == CG_K_USE_AS_CLAUSE) {
			TSNode path = cg_child(it.node, CG_F_PATH);
			TSNode alias = cg_child(it.node, CG_F_ALIAS);
			if (!ts_node_is_null(path) && !ts_node_is_null(alias) && !cg_node_is(src, alias, "_")) {
				size_t alen;
				const char *a = cg_node_text(src, alias, &alen);
				text = cg_rust_path_text(src, path);
				full = strcmp(text, "self") ? join(it.prefix, text) : cg_strdup(it.prefix);
				add_use(rf, a, alen, full, decl, scope, module);
			}
		} else if (kind == CG_K_USE_WILDCARD) {
			TSNode path =
				ts_node_named_child_count(it.node) ? ts_node_named_child(it.node, 0) : (TSNode){ 0 };
			text = ts_node_is_null(path) ? cg_strdup("") : cg_rust_path_text(src, path);
			full = join(it.prefix, text);
			add_use(rf, "*", 1, full, decl, scope, module);
			if (!strcmp(full, "super"))
				rf->modules[module].has_super_glob = true;
		} else if (kind == CG_K_SCOPED_USE_LIST || kind == CG_K_USE_LIST) {
			TSNode path = cg_child(it.node, CG_F_PATH);
			TSNode list = kind == CG_K_USE_LIST ? it.node : cg_child(it.node, CG_F_LIST);
			char *prefix;
			text = ts_node_is_null(path) ? cg_strdup("") : cg_rust_path_text(src, path);
			prefix = join(it.prefix, text);
			if (!ts_node_is_null(list)) {
				uint32_t k = ts_node_named_child_count(list);
				cg_array_grow((void **)&stack, &cap, n + k, sizeof(*stack));
				for (uint32_t i = k; i-- > 0;)
					stack[n++] = (struct item){ ts_node_named_child(list, i), cg_strdup(prefix) };
			}
			free(prefix);
		}
		free(text);
		free(full);
		free(it.prefix);
	}
	free(stack);
}

static size_t add_module(struct cg_rust_file *rf, const char *path, uint32_t start, uint32_t end, size_t parent)
{
	struct cg_rust_module *m;
	cg_array_grow((void **)&rf->modules, &rf->modules_cap, rf->nmodules + 1, sizeof(*rf->modules));
	m = &rf->modules[rf->nmodules];
	m->path = cg_strdup(path);
	m->start = start;
	m->end = end;
	m->parent = parent;
	m->has_super_glob = false;
	return rf->nmodules++;
}

struct frame {
	TSNode node;
	size_t module; /* the module the node's children are in */
	unsigned mod_depth;
};

/*
 * Whether a block may hold what collect gathers: an item in a block is a
 * statement written with its keyword (`use`, `extern crate`, `mod`, `fn`).
 * A fn body without any of the four words is not walked: most bodies are
 * most of a file's nodes.
 */
static bool block_may_declare(const struct cg_source *src, TSNode block)
{
	size_t len;
	const char *t = cg_node_text(src, block, &len);
	return cg_has_word(t, len, "fn", 2) || cg_has_word(t, len, "use", 3) || cg_has_word(t, len, "mod", 3) ||
	       cg_has_word(t, len, "extern", 6);
}

/*
 * One pre-order pass with a cursor: the ancestors are kept by depth, so a
 * use knows its enclosing block and module without ts_node_parent (which
 * walks down from the root, quadratic on deep trees).
 */
static void collect(struct cg_rust_file *rf)
{
	const struct cg_source *src = rf->src;
	TSNode root = cg_source_root(src);
	TSTreeCursor c = ts_tree_cursor_new(root);
	struct frame *frames = NULL;
	size_t cap = 0, depth = 0, mod_bytes = 0;

	/* "self" is this file's module; whether `crate` names it too depends on the file's path. */
	add_module(rf, "self", 0, ts_node_end_byte(root), 0);
	cg_array_grow((void **)&frames, &cap, 1, sizeof(*frames));
	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		enum cg_kind kind = cg_node_kind(n);
		size_t module = depth ? frames[depth - 1].module : 0;
		bool should_enter = true;

		frames[depth].node = n;
		frames[depth].module = module;
		frames[depth].mod_depth = depth ? frames[depth - 1].mod_depth : 0;
		if (kind == CG_K_MOD_ITEM) {
			TSNode name = cg_child(n, CG_F_NAME);
			TSNode body = cg_child(n, CG_F_BODY);
			if (!ts_node_is_null(name) && !ts_node_is_null(body) &&
			    frames[depth].mod_depth < MODULE_DEPTH_MAX && mod_bytes < MODULE_BYTES_MAX) {
				struct cg_buf p = CG_BUF_INIT;
				size_t len;
				const char *t = cg_node_text(src, name, &len);
				cg_buf_printf(&p, "%s::%.*s", rf->modules[module].path, (int)len, t);
				mod_bytes += p.size;
				frames[depth].module =
					add_module(rf, p.ptr, ts_node_start_byte(body), ts_node_end_byte(body), module);
				frames[depth].mod_depth++;
				cg_buf_release(&p);
			}
		} else if (kind == CG_K_USE_DECLARATION) {
			collect_use(rf, n, depth ? frames[depth - 1].node : n, module);
			should_enter = false;
		} else if (kind == CG_K_EXTERN_CRATE_DECLARATION) {
			/* `extern crate foo as bar;` makes `bar::x` mean `foo::x`. */
			TSNode name = cg_child(n, CG_F_NAME);
			TSNode alias = cg_child(n, CG_F_ALIAS);
			if (!ts_node_is_null(name) && !ts_node_is_null(alias) && !cg_node_is(src, alias, "_")) {
				size_t alen;
				const char *a = cg_node_text(src, alias, &alen);
				char *target = cg_node_strdup(src, name);
				add_use(rf, a, alen, target, n, depth ? frames[depth - 1].node : n, module);
				free(target);
			}
			should_enter = false;
		} else if (kind == CG_K_FUNCTION_ITEM) {
			TSNode name = cg_child(n, CG_F_NAME);
			if (!ts_node_is_null(name)) {
				cg_array_grow((void **)&rf->fns, &rf->fns_cap, rf->nfns + 1, sizeof(*rf->fns));
				rf->fns[rf->nfns++] = cg_node_strdup(src, name);
			}
		} else if (kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL ||
			   kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_TOKEN_TREE) {
			/* Macro token trees hold no declarations we could trust. */
			should_enter = false;
		} else if (kind == CG_K_BLOCK) {
			should_enter = block_may_declare(src, n);
		}

		if (should_enter && ts_tree_cursor_goto_first_child(&c)) {
			depth++;
			cg_array_grow((void **)&frames, &cap, depth + 1, sizeof(*frames));
			continue;
		}
		for (;;) {
			if (depth == 0)
				goto done;
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			ts_tree_cursor_goto_parent(&c);
			depth--;
		}
	}
done:
	ts_tree_cursor_delete(&c);
	free(frames);
}

static int cmp_fn(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_use(const void *a, const void *b)
{
	const struct cg_use *x = *(const struct cg_use *const *)a, *y = *(const struct cg_use *const *)b;
	int c = strcmp(x->local, y->local);
	return c ? c : (x > y) - (x < y);
}

/* The last segment of a module's path, its name in its parent. */
static const char *module_name(const struct cg_rust_module *m, size_t *len)
{
	return cg_rust_last_segment(m->path, strlen(m->path), len);
}

/* Orders (parent, name) against a module; names compare as counted strings. */
static int cmp_module_key(size_t parent, const char *name, size_t len, const struct cg_rust_module *m)
{
	size_t ml;
	const char *mn;
	int c;
	if (parent != m->parent)
		return parent < m->parent ? -1 : 1;
	mn = module_name(m, &ml);
	c = memcmp(name, mn, len < ml ? len : ml);
	return c ? c : (len > ml) - (len < ml);
}

static int cmp_module(const void *a, const void *b)
{
	const struct cg_rust_module *x = *(const struct cg_rust_module *const *)a;
	const struct cg_rust_module *y = *(const struct cg_rust_module *const *)b;
	size_t xl;
	const char *xn = module_name(x, &xl);
	int c = cmp_module_key(x->parent, xn, xl, y);
	return c ? c : (x > y) - (x < y);
}

/* Sorted indexes, so lookups stay logarithmic on files with thousands of uses or modules. */
static void build_indexes(struct cg_rust_file *rf)
{
	rf->uses_by_name = cg_malloc((rf->nuses + 1) * sizeof(*rf->uses_by_name));
	rf->modules_by_name = cg_malloc((rf->nmodules + 1) * sizeof(*rf->modules_by_name));
	for (size_t i = 0; i < rf->nuses; i++)
		rf->uses_by_name[i] = &rf->uses[i];
	for (size_t i = 0; i < rf->nmodules; i++)
		rf->modules_by_name[i] = &rf->modules[i];
	qsort(rf->uses_by_name, rf->nuses, sizeof(*rf->uses_by_name), cmp_use);
	/* The root (0) is its own parent but no child of anything: it stays first, outside the search. */
	if (rf->nmodules > 1)
		qsort(rf->modules_by_name + 1, rf->nmodules - 1, sizeof(*rf->modules_by_name), cmp_module);
	if (rf->nfns)
		qsort(rf->fns, rf->nfns, sizeof(*rf->fns), cmp_fn);
}

struct cg_rust_file *cg_rust_file_new(const struct cg_source *src)
{
	struct cg_rust_file *rf = cg_calloc(1, sizeof(*rf));
	rf->src = src;
	collect(rf);
	build_indexes(rf);
	return rf;
}

struct cg_rust_file *cg_rust_file_new_partial(const struct cg_source *src, const struct cg_items *items)
{
	struct cg_rust_file *rf = cg_calloc(1, sizeof(*rf));
	rf->src = src;
	rf->items = items;
	collect(rf);
	for (size_t i = 0; i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		if (it->kind != CG_ITEM_FN || !it->name_len)
			continue;
		cg_array_grow((void **)&rf->fns, &rf->fns_cap, rf->nfns + 1, sizeof(*rf->fns));
		rf->fns[rf->nfns++] = cg_strndup(src->text + it->name, it->name_len);
	}
	build_indexes(rf);
	return rf;
}

void cg_rust_strings_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void cg_rust_file_free(struct cg_rust_file *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < rf->nuses; i++) {
		free(rf->uses[i].local);
		free(rf->uses[i].path);
	}
	free(rf->uses);
	for (size_t i = 0; i < rf->nmodules; i++)
		free(rf->modules[i].path);
	free(rf->modules);
	cg_rust_strings_free(rf->fns, rf->nfns);
	free(rf->uses_by_name);
	free(rf->modules_by_name);
	free(rf);
}

/* strcmp order between a counted name and a C string. */
static int cmp_counted(const char *name, size_t len, const char *s)
{
	size_t sl = strlen(s);
	int c = memcmp(name, s, len < sl ? len : sl);
	return c ? c : (len > sl) - (len < sl);
}

bool cg_rust_defines_fn(const struct cg_rust_file *rf, const char *name, size_t len)
{
	size_t lo = 0, hi = rf->nfns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_counted(name, len, rf->fns[mid]);
		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* The first position in uses_by_name whose local name is `name`; the range runs while equal. */
static size_t first_use_named(const struct cg_rust_file *rf, const char *name, size_t len)
{
	size_t lo = 0, hi = rf->nuses;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_counted(name, len, rf->uses_by_name[mid]->local) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct cg_use *cg_rust_use_of(const struct cg_rust_file *rf, const char *name, size_t len)
{
	/* The last declaration wins, as a later `use` would shadow in practice. */
	for (size_t i = rf->nuses; i-- > 0;) {
		const struct cg_use *u = &rf->uses[i];
		if (strlen(u->local) == len && !memcmp(u->local, name, len))
			return u;
	}
	return NULL;
}

/* White space and generic arguments (`::<u8>`, `<K, V>`) removed. */
static void clean_path(struct cg_buf *out, const char *written, size_t len)
{
	int angle = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = written[i];
		if (is_space(ch))
			continue;
		if (ch == '<') {
			if (!angle && out->size >= 2 && !memcmp(out->ptr + out->size - 2, "::", 2))
				cg_buf_truncate(out, out->size - 2);
			angle++;
			continue;
		}
		if (ch == '>' && angle) {
			/* `->` inside `Fn() -> T` is not a closing bracket. */
			if (!(i > 0 && written[i - 1] == '-'))
				angle--;
			continue;
		}
		if (!angle)
			cg_buf_putc(out, ch);
	}
}

char *cg_rust_resolve(const struct cg_rust_file *rf, const char *written, size_t len)
{
	struct cg_buf clean = CG_BUF_INIT, out = CG_BUF_INIT;
	const char *first;
	size_t flen;
	const struct cg_use *u;

	for (size_t i = 0; i < len; i++)
		if (!is_space(written[i]))
			cg_buf_putc(&clean, written[i]);
	flen = cg_rust_first_segment(clean.ptr, &first);
	if (first == clean.ptr && (u = cg_rust_use_of(rf, first, flen)) != NULL)
		cg_buf_printf(&out, "%s%s", u->path, first + flen);
	else
		cg_buf_puts(&out, first);
	cg_buf_release(&clean);
	return cg_buf_detach(&out, NULL);
}

static size_t module_at(const struct cg_rust_file *rf, uint32_t at)
{
	/* Modules are recorded in pre-order, so by ascending start: take the last that starts at or
	 * before `at`, then climb to the first ancestor that still holds it. */
	size_t lo = 1, hi = rf->nmodules, m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rf->modules[mid].start <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	m = lo - 1;
	while (m && !(rf->modules[m].start <= at && at < rf->modules[m].end))
		m = rf->modules[m].parent;
	return m;
}

static bool scope_has(const struct cg_use *u, uint32_t at)
{
	return u->scope_start <= at && at < u->scope_end;
}

/* A named (not glob) use of module `m` visible at `at`, the innermost scope winning. */
static const struct cg_use *lookup_name(const struct cg_rust_file *rf, size_t m, uint32_t at, const char *name,
					size_t len)
{
	const struct cg_use *best = NULL;
	for (size_t k = first_use_named(rf, name, len); k < rf->nuses; k++) {
		const struct cg_use *u = rf->uses_by_name[k];
		if (!seg_is(name, len, u->local))
			break;
		if (u->module != m || !scope_has(u, at))
			continue;
		if (!best || u->scope_end - u->scope_start <= best->scope_end - best->scope_start)
			best = u;
	}
	return best;
}

static size_t module_prefix(const struct cg_rust_file *rf, const char *path, size_t len, size_t *used);

static size_t module_by_path(const struct cg_rust_file *rf, const char *path, size_t len)
{
	size_t used, m = module_prefix(rf, path, len, &used);
	return m != (size_t)-1 && used == len ? m : (size_t)-1;
}

static size_t child_module(const struct cg_rust_file *rf, size_t m, const char *name, size_t len)
{
	size_t lo = 1, hi = rf->nmodules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cg_rust_module *k = rf->modules_by_name[mid];
		int c = cmp_module_key(m, name, len, k);
		if (!c)
			return (size_t)(k - rf->modules);
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

/*
 * The deepest module of this file that the path `self::a::b::…` (from this
 * file's module down) enters, found segment by segment; *used is how many
 * bytes of the path its name takes. (size_t)-1 when it does not start with
 * `self`.
 */
static size_t module_prefix(const struct cg_rust_file *rf, const char *path, size_t len, size_t *used)
{
	size_t m = 0, pos;
	if (len < 4 || memcmp(path, "self", 4) || (len > 4 && path[4] != ':'))
		return (size_t)-1;
	pos = 4;
	while (pos + 2 < len && path[pos] == ':' && path[pos + 1] == ':') {
		const char *seg = path + pos + 2, *end = memchr(seg, ':', len - pos - 2);
		size_t slen = end ? (size_t)(end - seg) : len - pos - 2, k = child_module(rf, m, seg, slen);
		if (k == (size_t)-1)
			break;
		m = k;
		pos += 2 + slen;
	}
	*used = pos;
	return m;
}

/* How one resolution goes: `crate` is this file only in a crate root; a budget ends cycles. */
struct resolving {
	const struct cg_rust_file *rf;
	bool is_crate_root;
	int budget;
};

static char *resolve_in(struct resolving *r, size_t m, uint32_t at, char *cur);

/*
 * The use that brings `name` into scope at `at` in module `m`: named uses
 * first, then globs of the file's own modules, then the parent module when
 * `use super::*` makes its names visible.
 */
static const struct cg_use *lookup_scoped(struct resolving *r, size_t m, uint32_t at, const char *name, size_t len)
{
	const struct cg_rust_file *rf = r->rf;
	for (int hops = 0; r->budget > 0 && hops < RESOLVE_BUDGET; hops++) {
		const struct cg_use *u = lookup_name(rf, m, at, name, len);
		if (u)
			return u;
		for (size_t gi = first_use_named(rf, "*", 1); r->budget > 0 && gi < rf->nuses; gi++) {
			const struct cg_use *g = rf->uses_by_name[gi];
			char *gp;
			size_t k;
			if (strcmp(g->local, "*"))
				break;
			if (g->module != m || !strcmp(g->path, "super") || !scope_has(g, at))
				continue;
			r->budget--;
			gp = resolve_in(r, m, at, cg_strdup(g->path));
			k = module_by_path(rf, gp, strlen(gp));
			free(gp);
			if (k != (size_t)-1 && k != m &&
			    (u = lookup_name(rf, k, rf->modules[k].start, name, len)) != NULL)
				return u;
		}
		if (m == 0 || !rf->modules[m].has_super_glob)
			break;
		m = rf->modules[m].parent;
		at = rf->modules[m].start;
	}
	return NULL;
}

static char *concat(const char *a, size_t alen, const char *b)
{
	struct cg_buf out = CG_BUF_INIT;
	cg_buf_put(&out, a, alen);
	cg_buf_puts(&out, b);
	return cg_buf_detach(&out, NULL);
}

/*
 * Rewrites `cur` (owned, consumed) until it names something outside the
 * file's own modules or cannot be followed further.
 */
static char *resolve_in(struct resolving *r, size_t m, uint32_t at, char *cur)
{
	const struct cg_rust_file *rf = r->rf;
	while (r->budget-- > 0) {
		const char *first, *rest;
		size_t flen = cg_rust_first_segment(cur, &first), k;
		const struct cg_use *u;
		char *next = NULL;

		rest = first + flen;
		if (first != cur)
			break; /* `::krate::…` is always an external crate */
		if (seg_is(first, flen, "self")) {
			next = concat(rf->modules[m].path, strlen(rf->modules[m].path), rest);
		} else if (seg_is(first, flen, "super")) {
			if (m == 0)
				break; /* the parent of the file's module lives in another file */
			next = concat(rf->modules[rf->modules[m].parent].path,
				      strlen(rf->modules[rf->modules[m].parent].path), rest);
		} else if (seg_is(first, flen, "crate")) {
			/* In a module file, `crate::` is another file: keep the path as written. */
			if (!r->is_crate_root)
				break;
			next = concat("self", 4, rest);
		} else {
			if ((u = lookup_scoped(r, m, at, first, flen)) != NULL) {
				next = concat(u->path, strlen(u->path), rest);
				free(cur);
				cur = next;
				m = u->module;
				at = rf->modules[m].start;
				continue;
			}
			if ((k = child_module(rf, m, first, flen)) == (size_t)-1)
				break; /* an external crate, a type, or something we cannot see */
			next = concat(rf->modules[k].path, strlen(rf->modules[k].path), rest);
		}
		if (next) {
			free(cur);
			cur = next;
		}
		/* A `self::…` path from the file's module: find the deepest inline module it enters. */
		{
			size_t blen, best = module_prefix(rf, cur, strlen(cur), &blen);
			/* Only a whole `::` after the module's prefix continues the path (found by fuzz_rules_rust). */
			if (best == (size_t)-1 || cur[blen] != ':' || cur[blen + 1] != ':')
				break;
			const char *seg = cur + blen + 2, *after = strstr(seg, "::");
			size_t slen = after ? (size_t)(after - seg) : strlen(seg);
			if ((u = lookup_name(rf, best, rf->modules[best].start, seg, slen)) == NULL)
				break;
			next = concat(u->path, strlen(u->path), seg + slen);
			free(cur);
			cur = next;
			m = u->module;
			at = rf->modules[m].start;
		}
	}
	return cur;
}

char *cg_rust_resolve_scoped(const struct cg_rust_file *rf, uint32_t at, const char *written, size_t len,
			     bool is_crate_root)
{
	struct cg_buf clean = CG_BUF_INIT;
	struct resolving r = { rf, is_crate_root, RESOLVE_BUDGET };
	char *cur;

	while (len && is_space(*written)) {
		written++;
		len--;
	}
	if (len && *written == '<') {
		/* `<T as Trait>::f`: a qualified path names a trait item, not an import. */
		for (size_t i = 0; i < len; i++)
			if (!is_space(written[i]))
				cg_buf_putc(&clean, written[i]);
		return cg_buf_detach(&clean, NULL);
	}
	clean_path(&clean, written, len);
	if (clean.ptr[0] == ':' && clean.ptr[1] == ':') {
		cur = cg_strdup(clean.ptr + 2);
		cg_buf_release(&clean);
		return cur;
	}
	cur = resolve_in(&r, module_at(rf, at), at, cg_buf_detach(&clean, NULL));
	if (is_crate_root && !strncmp(cur, "self", 4) && (cur[4] == '\0' || cur[4] == ':')) {
		/* In a crate root, this file's module is the crate. */
		char *named = concat("crate", 5, cur + 4);
		free(cur);
		cur = named;
	}
	return cur;
}

char *cg_rust_resolve_at(const struct cg_rust_file *rf, uint32_t at, const char *written, size_t len)
{
	return cg_rust_resolve_scoped(rf, at, written, len, false);
}

bool cg_rust_path_is_crate_root(const char *path)
{
	static const char *roots[] = { "src/lib.rs", "src/main.rs" };
	static const char *dirs[] = { "src/bin/", "tests/", "benches/", "examples/" };
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "build.rs"))
		return true;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t pl = strlen(path), rl = strlen(roots[i]);
		if (pl >= rl && !strcmp(path + pl - rl, roots[i]) && (pl == rl || path[pl - rl - 1] == '/'))
			return true;
	}
	/* A target file right in one of the target folders, or its folder's main.rs. */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		for (const char *hit = strstr(path, dirs[i]); hit; hit = strstr(hit + 1, dirs[i])) {
			const char *rest, *slash;
			if (hit != path && hit[-1] != '/')
				continue;
			rest = hit + strlen(dirs[i]);
			slash = strchr(rest, '/');
			if (!slash || (!strcmp(slash, "/main.rs") && slash != rest))
				return true;
		}
	}
	return false;
}

size_t cg_rust_globs_at(const struct cg_rust_file *rf, uint32_t at, char ***out)
{
	char **list = NULL;
	uint32_t *sizes = NULL;
	size_t n = 0, cap = 0, scap = 0;
	size_t m = module_at(rf, at);

	for (int hops = 0; hops < RESOLVE_BUDGET; hops++) {
		for (size_t gi = first_use_named(rf, "*", 1); gi < rf->nuses; gi++) {
			const struct cg_use *g = rf->uses_by_name[gi];
			struct resolving r = { rf, false, RESOLVE_BUDGET };
			char *gp;
			if (strcmp(g->local, "*"))
				break;
			if (g->module != m || !strcmp(g->path, "super") || !scope_has(g, at))
				continue;
			gp = resolve_in(&r, m, at, cg_strdup(g->path));
			if (module_by_path(rf, gp, strlen(gp)) != (size_t)-1 || cg_starts_with(gp, "crate::") ||
			    cg_starts_with(gp, "self") || cg_starts_with(gp, "super")) {
				free(gp);
				continue;
			}
			cg_array_grow((void **)&list, &cap, n + 1, sizeof(*list));
			cg_array_grow((void **)&sizes, &scap, n + 1, sizeof(*sizes));
			/* Outer modules rank after every scope of the inner one. */
			sizes[n] = (uint32_t)hops * 0x10000000u + ((g->scope_end - g->scope_start) >> 4);
			list[n++] = gp;
		}
		if (m == 0 || !rf->modules[m].has_super_glob)
			break;
		m = rf->modules[m].parent;
		at = rf->modules[m].start;
	}
	/* Insertion sort by scope size: a handful of globs at most. */
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && sizes[j] < sizes[j - 1]; j--) {
			uint32_t s = sizes[j];
			char *p = list[j];
			sizes[j] = sizes[j - 1];
			list[j] = list[j - 1];
			sizes[j - 1] = s;
			list[j - 1] = p;
		}
	}
	free(sizes);
	*out = list;
	return n;
}

/* The path of an attribute_item's attribute ("tokio::test"), owned. */
static char *attr_path(const struct cg_source *src, TSNode attr_item, TSNode *args)
{
	TSNode attr = ts_node_named_child_count(attr_item) ? ts_node_named_child(attr_item, 0) : (TSNode){ 0 };
	TSNode path;
	*args = (TSNode){ 0 };
	if (ts_node_is_null(attr) || cg_node_kind(attr) != CG_K_ATTRIBUTE || !ts_node_named_child_count(attr))
		return NULL;
	path = ts_node_named_child(attr, 0);
	*args = cg_child(attr, CG_F_ARGUMENTS);
	return cg_rust_path_text(src, path);
}

bool cg_rust_attr_is_test(const struct cg_source *src, TSNode attr_item)
{
	TSNode args;
	char *path = attr_path(src, attr_item, &args);
	size_t len;
	const char *last;
	bool is_test = false;

	if (!path)
		return false;
	last = cg_rust_last_segment(path, strlen(path), &len);
	is_test = seg_is(last, len, "test") || seg_is(last, len, "rstest") || seg_is(last, len, "test_case") ||
		  seg_is(last, len, "bench");
	free(path);
	return is_test;
}

bool cg_rust_is_test_word(const char *w, size_t n)
{
	static const char *const words[] = {
		"test", "tests", "testing", "testkit", "mock", "mocks", "mocking", "fake"
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strlen(words[i]) == n && !strncasecmp(w, words[i], n))
			return true;
	return false;
}

bool cg_rust_name_says_tests(const char *name, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		while (i + n < len && name[i + n] != '-' && name[i + n] != '_')
			n++;
		if (n && cg_rust_is_test_word(name + i, n))
			return true;
		i += n + 1;
	}
	return false;
}

struct cfg_scan {
	const char *t;
	size_t len, i;
};

static void cfg_skip_space(struct cfg_scan *c)
{
	while (c->i < c->len && (c->t[c->i] == ' ' || c->t[c->i] == '\t' || c->t[c->i] == '\n' || c->t[c->i] == '\r'))
		c->i++;
}

/*
 * Reads one cfg predicate at c->i: 2 when it holds only in a test build
 * (`test`; `all(..)` with such a part; `any(..)` whose every part is `test`
 * or test support, one of them `test`), 1 for test support (a feature named
 * for tests, `feature = "test-util"`, which other crates' builds may turn
 * on too; cargo-fuzz's `fuzzing`), 0 otherwise, and under `not(..)`. `any(feature = "std", test)`
 * builds without tests too.
 */
static int cfg_implies_test(struct cfg_scan *c, int depth)
{
	size_t start, wlen;
	cfg_skip_space(c);
	start = c->i;
	while (c->i < c->len && (c->t[c->i] == '_' || (c->t[c->i] >= 'a' && c->t[c->i] <= 'z') ||
				 (c->t[c->i] >= 'A' && c->t[c->i] <= 'Z') || (c->t[c->i] >= '0' && c->t[c->i] <= '9')))
		c->i++;
	wlen = c->i - start;
	cfg_skip_space(c);
	if (c->i < c->len && c->t[c->i] == '=') {
		size_t vstart;
		c->i++;
		cfg_skip_space(c);
		if (c->i >= c->len || c->t[c->i] != '"')
			return 0;
		vstart = ++c->i;
		while (c->i < c->len && c->t[c->i] != '"')
			c->i++;
		c->i += c->i < c->len;
		return wlen == 7 && !memcmp(c->t + start, "feature", 7) &&
		       cg_rust_name_says_tests(c->t + vstart, c->i - 1 - vstart);
	}
	if (c->i < c->len && c->t[c->i] == '(') {
		bool is_all = wlen == 3 && !memcmp(c->t + start, "all", 3);
		bool is_any = wlen == 3 && !memcmp(c->t + start, "any", 3);
		int best = 0, worst = 2;
		bool seen = false;
		c->i++;
		for (;;) {
			int part;
			cfg_skip_space(c);
			if (c->i >= c->len || c->t[c->i] == ')') {
				c->i += c->i < c->len;
				break;
			}
			part = depth < 16 ? cfg_implies_test(c, depth + 1) : 0;
			seen = true;
			best = part > best ? part : best;
			worst = part < worst ? part : worst;
			cfg_skip_space(c);
			if (c->i < c->len && c->t[c->i] == ',')
				c->i++;
			else if (c->i < c->len && c->t[c->i] != ')')
				return 0; /* not a predicate we read */
		}
		if (!seen)
			return 0;
		if (is_all)
			return best;
		if (is_any)
			return worst >= 1 ? best : 0;
		return 0;
	}
	if (wlen == 4 && !memcmp(c->t + start, "test", 4))
		return 2;
	/* cargo-fuzz's cfg: a fuzz build, test support like a feature named for tests. */
	return wlen == 7 && !memcmp(c->t + start, "fuzzing", 7) ? 1 : 0;
}

bool cg_rust_cfg_is_test(const char *args, size_t len)
{
	struct cfg_scan c = { 0 };
	bool is_test;
	/* The arguments' parentheses: `(any(test, …))`. */
	if (len < 2 || args[0] != '(' || args[len - 1] != ')')
		return false;
	c.t = args + 1;
	c.len = len - 2;
	is_test = cfg_implies_test(&c, 0) == 2;
	cfg_skip_space(&c);
	return is_test && c.i >= c.len;
}

bool cg_rust_attr_is_cfg_test(const struct cg_source *src, TSNode attr_item)
{
	TSNode args;
	char *path = attr_path(src, attr_item, &args);
	bool is_test = false;

	if (!path)
		return false;
	if (!strcmp(path, "cfg") && !ts_node_is_null(args)) {
		size_t len;
		const char *t = cg_node_text(src, args, &len);
		is_test = cg_rust_cfg_is_test(t, len);
	}
	free(path);
	return is_test;
}

bool cg_rust_path_is_test(const char *path)
{
	static const char *dirs[] = { "tests/", "benches/", "examples/" };
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "build.rs"))
		return true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const char *hit = strstr(path, dirs[i]);
		while (hit && hit != path && hit[-1] != '/')
			hit = strstr(hit + 1, dirs[i]);
		if (hit)
			return true;
	}
	return false;
}

bool cg_rust_passes_value(TSNode holder, TSNode n)
{
	enum cg_kind k = ts_node_is_null(holder) ? CG_K_OTHER : cg_node_kind(holder);
	if (k == CG_K_PARENTHESIZED_EXPRESSION)
		return true;
	if (k != CG_K_BLOCK)
		return false;
	for (TSNode s = ts_node_next_named_sibling(n); !ts_node_is_null(s); s = ts_node_next_named_sibling(s))
		if (!ts_node_is_extra(s))
			return false;
	return true;
}

TSNode cg_rust_strip_refs(TSNode e)
{
	while (!ts_node_is_null(e) &&
	       (cg_node_kind(e) == CG_K_REFERENCE_EXPRESSION || cg_node_kind(e) == CG_K_PARENTHESIZED_EXPRESSION) &&
	       ts_node_named_child_count(e))
		e = ts_node_named_child(e, ts_node_named_child_count(e) - 1);
	return e;
}

TSNode cg_rust_call_function(TSNode call)
{
	TSNode fn = cg_child(call, CG_F_FUNCTION);
	if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
		fn = cg_child(fn, CG_F_FUNCTION);
	return fn;
}
