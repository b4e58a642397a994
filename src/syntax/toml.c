#include "syntax/toml.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/banned.h"

TSNode cg_toml_key_node(TSNode node)
{
	return ts_node_named_child_count(node) ? ts_node_named_child(node, 0) : (TSNode){ 0 };
}

TSNode cg_toml_value_node(TSNode pair)
{
	uint32_t n = ts_node_named_child_count(pair);
	return n >= 2 ? ts_node_named_child(pair, n - 1) : (TSNode){ 0 };
}

/* `n` hex digits at `t` (of `len` bytes) naming a Unicode scalar value. */
static bool hex_escape(const char *t, size_t len, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return false;
		v = v * 16 + (uint32_t)d;
	}
	*out = v;
	return v <= 0x10ffff && (v < 0xd800 || v > 0xdfff);
}

static void put_utf8(struct cg_buf *out, uint32_t cp)
{
	if (cp < 0x80) {
		cg_buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		cg_buf_putc(out, (char)(0xc0 | cp >> 6));
		cg_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		cg_buf_putc(out, (char)(0xe0 | cp >> 12));
		cg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		cg_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		cg_buf_putc(out, (char)(0xf0 | cp >> 18));
		cg_buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		cg_buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		cg_buf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Writes the contents of a quoted TOML text (key or string); `"` forms
 * decode every escape TOML has (\uXXXX and \UXXXXXXXX too), so that
 * `"ch\u0072ono" = "1"` names chrono as Cargo reads it.
 */
static void put_unquoted(const char *t, size_t len, struct cg_buf *out)
{
	bool is_basic;
	if (len >= 6 && (!strncmp(t, "\"\"\"", 3) || !strncmp(t, "'''", 3)) && !memcmp(t, t + len - 3, 3)) {
		is_basic = t[0] == '"';
		t += 3;
		len -= 6;
		/* A newline right after the opening quotes is not part of the string. */
		if (len && t[0] == '\n') {
			t++;
			len--;
		} else if (len >= 2 && t[0] == '\r' && t[1] == '\n') {
			t += 2;
			len -= 2;
		}
	} else if (len >= 2 && (t[0] == '"' || t[0] == '\'') && t[len - 1] == t[0]) {
		is_basic = t[0] == '"';
		t++;
		len -= 2;
	} else {
		cg_buf_put(out, t, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char c = t[i];
		uint32_t cp;
		if (!is_basic || c != '\\' || i + 1 == len) {
			cg_buf_putc(out, c);
			continue;
		}
		c = t[++i];
		switch (c) {
		case 'b':
			cg_buf_putc(out, '\b');
			break;
		case 't':
			cg_buf_putc(out, '\t');
			break;
		case 'n':
			cg_buf_putc(out, '\n');
			break;
		case 'f':
			cg_buf_putc(out, '\f');
			break;
		case 'r':
			cg_buf_putc(out, '\r');
			break;
		case 'e':
			cg_buf_putc(out, '\x1b');
			break;
		case '"':
		case '\\':
			cg_buf_putc(out, c);
			break;
		case 'u':
		case 'U':
			if (hex_escape(t + i + 1, len - i - 1, c == 'u' ? 4 : 8, &cp)) {
				put_utf8(out, cp);
				i += c == 'u' ? 4 : 8;
				break;
			}
			cg_buf_putc(out, '\\');
			cg_buf_putc(out, c);
			break;
		default:
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				/* A line-ending backslash: the white space and line breaks after it go. */
				size_t j = i;
				while (j < len && (t[j] == ' ' || t[j] == '\t'))
					j++;
				if (j < len && (t[j] == '\n' || t[j] == '\r')) {
					while (j < len && (t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r'))
						j++;
					i = j - 1;
					break;
				}
			}
			cg_buf_putc(out, '\\');
			cg_buf_putc(out, c);
		}
	}
}

static void put_key_part(const struct cg_source *src, TSNode part, struct cg_buf *out)
{
	size_t len;
	const char *t = cg_node_text(src, part, &len);
	put_unquoted(t, len, out);
}

/* The parts of a key node, left to right, at most `max`; returns how many. */
static size_t key_parts(TSNode key, TSNode *parts, size_t max)
{
	TSNode rev[CG_TOML_MAX_PARTS + 1];
	size_t n = 0;
	TSNode cur = key;

	if (ts_node_is_null(key) || max == 0)
		return 0;
	/* dotted_key nests to the left: ((a.b).c); walk the left spine. */
	while (cg_node_kind(cur) == CG_K_DOTTED_KEY && n < CG_TOML_MAX_PARTS) {
		uint32_t k = ts_node_named_child_count(cur);
		if (k < 2)
			break;
		rev[n++] = ts_node_named_child(cur, k - 1);
		cur = ts_node_named_child(cur, 0);
	}
	rev[n++] = cur;
	if (n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		parts[i] = rev[n - 1 - i];
	return n;
}

void cg_toml_key(const struct cg_source *src, TSNode key, struct cg_buf *out)
{
	TSNode parts[CG_TOML_MAX_PARTS + 1];
	size_t n = key_parts(key, parts, CG_TOML_MAX_PARTS + 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			cg_buf_putc(out, '.');
		put_key_part(src, parts[i], out);
	}
}

void cg_toml_string(const struct cg_source *src, TSNode value, struct cg_buf *out)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(value) || cg_node_kind(value) != CG_K_STRING)
		return;
	t = cg_node_text(src, value, &len);
	put_unquoted(t, len, out);
}

bool cg_toml_bool(const struct cg_source *src, TSNode value, bool *out)
{
	if (ts_node_is_null(value) || cg_node_kind(value) != CG_K_BOOLEAN)
		return false;
	*out = cg_node_is(src, value, "true");
	return true;
}

bool cg_toml_is_dep_table(const char *name)
{
	static const char *kinds[] = { "dependencies", "dev-dependencies", "build-dependencies" };
	const char *last = strrchr(name, '.');
	const char *tail = last ? last + 1 : name;
	bool kind = false;
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(tail, kinds[i]))
			kind = true;
	if (!kind)
		return false;
	if (!last)
		return true;
	if (!strcmp(name, "workspace.dependencies"))
		return true;
	return cg_starts_with(name, "target.");
}

struct work {
	TSNode pair;
	size_t depth; /* parts kept from the enclosing key */
};

struct each_state {
	const struct cg_source *src;
	char *own[CG_TOML_MAX_PARTS];
	size_t n;
	struct cg_toml_entry e;
};

static void truncate_parts(struct each_state *st, size_t depth)
{
	while (st->n > depth)
		free(st->own[--st->n]);
}

/* Appends the parts of `key`; false when they do not fit. */
static bool push_key(struct each_state *st, TSNode key)
{
	TSNode parts[CG_TOML_MAX_PARTS];
	size_t k = key_parts(key, parts, CG_TOML_MAX_PARTS - st->n);
	if (!k)
		return false;
	for (size_t i = 0; i < k; i++) {
		struct cg_buf b = CG_BUF_INIT;
		put_key_part(st->src, parts[i], &b);
		st->own[st->n++] = cg_buf_detach(&b, NULL);
	}
	return true;
}

static bool is_key(TSNode n)
{
	enum cg_kind kind = cg_node_kind(n);
	return kind == CG_K_BARE_KEY || kind == CG_K_QUOTED_KEY || kind == CG_K_DOTTED_KEY;
}

/* Walks the pairs of one table (or the top level) with an explicit stack. */
static int each_pairs(struct each_state *st, TSNode container, uint32_t first, size_t base,
		      int (*cb)(const struct cg_toml_entry *, void *), void *payload)
{
	struct work *stack = NULL;
	size_t n = 0, cap = 0;
	uint32_t count = ts_node_named_child_count(container);
	int rc = 0;

	for (uint32_t i = first; i < count; i++) {
		TSNode top = ts_node_named_child(container, i);
		if (cg_node_kind(top) != CG_K_PAIR)
			continue;
		cg_array_grow((void **)&stack, &cap, 1, sizeof(*stack));
		n = 0;
		stack[n++] = (struct work){ top, base };
		while (n && rc >= 0) {
			struct work w = stack[--n];
			TSNode value = cg_toml_value_node(w.pair);
			truncate_parts(st, w.depth);
			if (!push_key(st, cg_toml_key_node(w.pair)) || ts_node_is_null(value))
				continue;
			if (cg_node_kind(value) == CG_K_INLINE_TABLE) {
				uint32_t k = ts_node_named_child_count(value);
				cg_array_grow((void **)&stack, &cap, n + k, sizeof(*stack));
				for (uint32_t j = k; j-- > 0;) {
					TSNode p = ts_node_named_child(value, j);
					if (cg_node_kind(p) == CG_K_PAIR)
						stack[n++] = (struct work){ p, st->n };
				}
				continue;
			}
			memcpy(st->e.parts, st->own, st->n * sizeof(*st->own));
			st->e.nparts = st->n;
			st->e.value = value;
			st->e.pair = w.pair;
			st->e.outer = top;
			rc = cb(&st->e, payload);
		}
		if (rc < 0)
			break;
	}
	free(stack);
	return rc < 0 ? rc : 0;
}

int cg_toml_each(const struct cg_source *src, int (*cb)(const struct cg_toml_entry *e, void *payload), void *payload)
{
	struct each_state st;
	TSNode root = cg_source_root(src);
	uint32_t count = ts_node_named_child_count(root);
	uint32_t table_index = 0;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	st.src = src;
	/* Keys before the first table header belong to the top level. */
	rc = each_pairs(&st, root, 0, 0, cb, payload);
	for (uint32_t i = 0; i < count && rc >= 0; i++) {
		TSNode t = ts_node_named_child(root, i);
		bool is_array = cg_node_kind(t) == CG_K_TABLE_ARRAY_ELEMENT;
		TSNode key;
		if (!is_array && cg_node_kind(t) != CG_K_TABLE)
			continue;
		table_index++;
		key = cg_toml_key_node(t);
		truncate_parts(&st, 0);
		if (ts_node_is_null(key) || !is_key(key) || !push_key(&st, key))
			continue;
		memset(&st.e, 0, sizeof(st.e));
		memcpy(st.e.parts, st.own, st.n * sizeof(*st.own));
		st.e.nparts = st.e.nheader = st.n;
		st.e.outer = key;
		st.e.table = t;
		st.e.is_array_element = is_array;
		st.e.table_index = table_index;
		if ((rc = cb(&st.e, payload)) < 0)
			break;
		rc = each_pairs(&st, t, 1, st.e.nheader, cb, payload);
	}
	truncate_parts(&st, 0);
	return rc < 0 ? rc : 0;
}
