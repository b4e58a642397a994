#include "syntax/rust.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

char *cg_rust_path_text(const struct cg_source *src, TSNode node)
{
	size_t len;
	const char *t = cg_node_text(src, node, &len);
	struct cg_buf b = CG_BUF_INIT;
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
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

static void add_use(struct cg_rust_file *rf, const char *local, size_t llen, const char *path, TSNode decl)
{
	struct cg_use *u;
	cg_array_grow((void **)&rf->uses, &rf->cap, rf->nuses + 1, sizeof(*rf->uses));
	u = &rf->uses[rf->nuses++];
	u->local = cg_strndup(local, llen);
	u->path = cg_strdup(path[0] == ':' && path[1] == ':' ? path + 2 : path);
	u->line = ts_node_start_point(decl).row + 1;
	u->decl = decl;
}

static const char *last_segment(const char *path, size_t *len)
{
	const char *p = path, *q;
	while ((q = strstr(p, "::")) != NULL)
		p = q + 2;
	*len = strlen(p);
	return p;
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
static void collect_use(struct cg_rust_file *rf, TSNode decl)
{
	const struct cg_source *src = rf->src;
	struct item *stack = NULL;
	size_t n = 0, cap = 0;
	TSNode arg = ts_node_child_by_field_name(decl, "argument", 8);

	if (ts_node_is_null(arg)) {
		/* Some grammar versions put a wildcard as a plain child. */
		for (uint32_t i = 0; i < ts_node_named_child_count(decl); i++) {
			TSNode c = ts_node_named_child(decl, i);
			if (!cg_node_type_is(c, "visibility_modifier"))
				arg = c;
		}
		if (ts_node_is_null(arg))
			return;
	}
	cg_array_grow((void **)&stack, &cap, 1, sizeof(*stack));
	stack[n++] = (struct item){ arg, cg_strdup("") };
	while (n) {
		struct item it = stack[--n];
		const char *type = ts_node_type(it.node);
		char *text = NULL, *full = NULL;

		if (!strcmp(type, "identifier") || !strcmp(type, "scoped_identifier") || !strcmp(type, "crate") ||
		    !strcmp(type, "super") || !strcmp(type, "self")) {
			size_t llen;
			const char *local;
			text = cg_rust_path_text(src, it.node);
			if (!strcmp(text, "self")) {
				/* `use std::fs::{self}` brings `fs` itself. */
				full = cg_strdup(it.prefix);
			} else {
				full = join(it.prefix, text);
			}
			local = last_segment(full, &llen);
			if (llen)
				add_use(rf, local, llen, full, decl);
		} else if (!strcmp(type, "use_as_clause")) {
			TSNode path = ts_node_child_by_field_name(it.node, "path", 4);
			TSNode alias = ts_node_child_by_field_name(it.node, "alias", 5);
			if (!ts_node_is_null(path) && !ts_node_is_null(alias) && !cg_node_is(src, alias, "_")) {
				size_t alen;
				const char *a = cg_node_text(src, alias, &alen);
				text = cg_rust_path_text(src, path);
				full = strcmp(text, "self") ? join(it.prefix, text) : cg_strdup(it.prefix);
				add_use(rf, a, alen, full, decl);
			}
		} else if (!strcmp(type, "use_wildcard")) {
			TSNode path = ts_node_named_child_count(it.node) ? ts_node_named_child(it.node, 0) : (TSNode){ 0 };
			text = ts_node_is_null(path) ? cg_strdup("") : cg_rust_path_text(src, path);
			full = join(it.prefix, text);
			add_use(rf, "*", 1, full, decl);
		} else if (!strcmp(type, "scoped_use_list") || !strcmp(type, "use_list")) {
			TSNode path = ts_node_child_by_field_name(it.node, "path", 4);
			TSNode list = !strcmp(type, "use_list") ? it.node : ts_node_child_by_field_name(it.node, "list", 4);
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

static int find_uses(TSNode node, void *payload)
{
	struct cg_rust_file *rf = payload;
	const char *type = ts_node_type(node);
	if (!strcmp(type, "use_declaration")) {
		collect_use(rf, node);
		return CG_WALK_SKIP;
	}
	/* Uses live in items and blocks; expressions hold none worth the walk. */
	if (!strcmp(type, "string_literal") || !strcmp(type, "line_comment") || !strcmp(type, "block_comment"))
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

struct cg_rust_file *cg_rust_file_new(const struct cg_source *src)
{
	struct cg_rust_file *rf = cg_calloc(1, sizeof(*rf));
	rf->src = src;
	cg_walk(cg_source_root(src), find_uses, rf);
	return rf;
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
	free(rf);
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

char *cg_rust_resolve(const struct cg_rust_file *rf, const char *written, size_t len)
{
	struct cg_buf clean = CG_BUF_INIT, out = CG_BUF_INIT;
	const char *first;
	size_t flen;
	const struct cg_use *u;

	for (size_t i = 0; i < len; i++)
		if (written[i] != ' ' && written[i] != '\t' && written[i] != '\n' && written[i] != '\r')
			cg_buf_putc(&clean, written[i]);
	flen = cg_rust_first_segment(clean.ptr, &first);
	if (first == clean.ptr && (u = cg_rust_use_of(rf, first, flen)) != NULL)
		cg_buf_printf(&out, "%s%s", u->path, first + flen);
	else
		cg_buf_puts(&out, first);
	cg_buf_release(&clean);
	return cg_buf_detach(&out, NULL);
}
