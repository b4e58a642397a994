/*
 * The item scanner (items.h). A tree-sitter parse of a whole file costs
 * about 100 ns a byte; most rules only need to know where the items are and
 * what their headers say, which a lexer finds at memory speed. The lexer
 * knows exactly what can hide a bracket or a `;` from it: comments (block
 * comments nest), string literals in all their forms (b"..", r#".."#,
 * br".."#, c".."), and char literals, told from lifetimes by their closing
 * quote. Everything else is brackets and tokens. Bodies of fns, consts and
 * macro calls are skipped by bracket matching in one tight loop.
 */
#include "syntax/items.h"

#include <stdlib.h>
#include <string.h>

#include "syntax/rust.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

enum byte_class { B_OTHER, B_SPACE, B_IDENT, B_OPEN, B_CLOSE, B_QUOTE, B_APOS, B_SLASH };

/* Bytes 0x80 and up are taken as identifier bytes: Rust allows Unicode identifiers. */
/* clang-format off */
static const uint8_t byte_class[256] = {
	[' '] = B_SPACE, ['\t'] = B_SPACE, ['\n'] = B_SPACE, ['\r'] = B_SPACE, ['\f'] = B_SPACE, ['\v'] = B_SPACE,
	['a' ... 'z'] = B_IDENT, ['A' ... 'Z'] = B_IDENT, ['0' ... '9'] = B_IDENT, ['_'] = B_IDENT,
	[0x80 ... 0xff] = B_IDENT,
	['('] = B_OPEN, ['['] = B_OPEN, ['{'] = B_OPEN, [')'] = B_CLOSE, [']'] = B_CLOSE, ['}'] = B_CLOSE,
	['"'] = B_QUOTE, ['\''] = B_APOS, ['/'] = B_SLASH,
};
/* clang-format on */

/* Brackets open at once that are checked for the right closer; deeper ones are only counted. */
#define GROUP_STACK 1024

struct lexer {
	const unsigned char *s;
	uint32_t len; /* every read is below this */
	uint32_t pos;
	bool is_clean;
};

enum tok_kind { T_EOF, T_IDENT, T_LIFETIME, T_LITERAL, T_PUNCT, T_OPEN, T_CLOSE };

struct tok {
	enum tok_kind kind;
	uint32_t start, end;
	unsigned char c; /* T_PUNCT, T_OPEN, T_CLOSE: the byte */
};

static unsigned char closer_of(unsigned char open)
{
	return open == '(' ? ')' : open == '[' ? ']' : '}';
}

/* p at the first '/' of `//`: ends at the line's '\n' (or the end). */
static uint32_t skip_line_comment(const struct lexer *lx, uint32_t p)
{
	const unsigned char *nl = memchr(lx->s + p, '\n', lx->len - p);
	return nl ? (uint32_t)(nl - lx->s) : lx->len;
}

/* p at the '/' of `/ *`; block comments nest. */
static uint32_t skip_block_comment(struct lexer *lx, uint32_t p)
{
	uint32_t depth = 1;
	p += 2;
	while (p + 1 < lx->len) {
		unsigned char c = lx->s[p];
		if (c == '*' && lx->s[p + 1] == '/') {
			p += 2;
			if (!--depth)
				return p;
		} else if (c == '/' && lx->s[p + 1] == '*') {
			p += 2;
			depth++;
		} else {
			p++;
		}
	}
	lx->is_clean = false;
	return lx->len;
}

/* p at the opening '"' of a string with escapes ("..", b"..", c".."). */
static uint32_t skip_quoted(struct lexer *lx, uint32_t p)
{
	p++;
	while (p < lx->len) {
		unsigned char c = lx->s[p];
		if (c == '"')
			return p + 1;
		p += c == '\\' ? 2 : 1;
	}
	lx->is_clean = false;
	return lx->len;
}

/* p just after the opening '"' of a raw string opened with `hashes` '#'. */
static uint32_t skip_raw(struct lexer *lx, uint32_t p, uint32_t hashes)
{
	while (p < lx->len) {
		const unsigned char *q = memchr(lx->s + p, '"', lx->len - p);
		uint32_t k = 0;
		if (!q)
			break;
		p = (uint32_t)(q - lx->s) + 1;
		while (k < hashes && p + k < lx->len && lx->s[p + k] == '#')
			k++;
		if (k == hashes)
			return p + k;
	}
	lx->is_clean = false;
	return lx->len;
}

static uint32_t utf8_width(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/*
 * p at a '\''. A char literal ('a', '\n', '\u{1F600}', 'é') closes with a
 * quote right after one character or escape; otherwise it is a lifetime or
 * a label ('a, 'static), which never closes.
 */
static uint32_t skip_apostrophe(struct lexer *lx, uint32_t p, bool *is_char)
{
	const unsigned char *s = lx->s;
	uint32_t len = lx->len, w;

	*is_char = true;
	if (p + 1 >= len) {
		lx->is_clean = false;
		return len;
	}
	if (s[p + 1] == '\\') {
		/* After the escaped byte, the closing quote comes within `u{10FFFF}`. */
		uint32_t q = p + 3, lim = p + 16;
		while (q < len && q < lim && s[q] != '\'' && s[q] != '\n')
			q++;
		if (q < len && s[q] == '\'')
			return q + 1;
		lx->is_clean = false;
		return q < len ? q : len;
	}
	if (s[p + 1] == '\'') {
		lx->is_clean = false;
		return p + 2;
	}
	w = utf8_width(s[p + 1]);
	if (p + 1 + w < len && s[p + 1 + w] == '\'')
		return p + 2 + w;
	*is_char = false;
	p++;
	if (p >= len || byte_class[s[p]] != B_IDENT)
		lx->is_clean = false;
	while (p < len && byte_class[s[p]] == B_IDENT)
		p++;
	return p;
}

/*
 * p at an identifier byte: an identifier, a number, a raw identifier
 * (r#type), or a literal with a prefix (b"..", br#".."#, r"..", c"..",
 * cr"..", b'x').
 */
static uint32_t skip_word(struct lexer *lx, uint32_t p, enum tok_kind *kind)
{
	const unsigned char *s = lx->s;
	uint32_t start = p, len = lx->len, n;
	unsigned char c;

	while (p < len && byte_class[s[p]] == B_IDENT)
		p++;
	*kind = T_IDENT;
	n = p - start;
	if (p >= len || n > 2)
		return p;
	c = s[p];
	if (c == '"' || c == '#' || c == '\'') {
		bool is_raw = (n == 1 && s[start] == 'r') ||
			      (n == 2 && (s[start] == 'b' || s[start] == 'c') && s[start + 1] == 'r');
		bool is_plain = n == 1 && (s[start] == 'b' || s[start] == 'c');
		if (c == '"' && is_plain) {
			*kind = T_LITERAL;
			return skip_quoted(lx, p);
		}
		if (c == '\'' && n == 1 && s[start] == 'b') {
			bool is_char;
			*kind = T_LITERAL;
			return skip_apostrophe(lx, p, &is_char);
		}
		if (is_raw && c != '\'') {
			uint32_t q = p, hashes = 0;
			while (q < len && s[q] == '#') {
				q++;
				hashes++;
			}
			if (q < len && s[q] == '"') {
				*kind = T_LITERAL;
				return skip_raw(lx, q + 1, hashes);
			}
			if (n == 1 && hashes == 1 && q < len && byte_class[s[q]] == B_IDENT) {
				while (q < len && byte_class[s[q]] == B_IDENT)
					q++;
				return q;
			}
		}
	}
	return p;
}

static uint32_t skip_trivia(struct lexer *lx, uint32_t p)
{
	while (p < lx->len) {
		unsigned char c = lx->s[p];
		if (byte_class[c] == B_SPACE)
			p++;
		else if (c == '/' && p + 1 < lx->len && lx->s[p + 1] == '/')
			p = skip_line_comment(lx, p);
		else if (c == '/' && p + 1 < lx->len && lx->s[p + 1] == '*')
			p = skip_block_comment(lx, p);
		else
			break;
	}
	return p;
}

static struct tok lex(struct lexer *lx)
{
	struct tok t = { T_EOF, 0, 0, 0 };
	uint32_t p = skip_trivia(lx, lx->pos);
	bool is_char;

	t.start = p;
	if (p >= lx->len) {
		t.start = t.end = lx->pos = lx->len;
		return t;
	}
	t.c = lx->s[p];
	switch (byte_class[t.c]) {
	case B_IDENT:
		p = skip_word(lx, p, &t.kind);
		break;
	case B_QUOTE:
		t.kind = T_LITERAL;
		p = skip_quoted(lx, p);
		break;
	case B_APOS:
		p = skip_apostrophe(lx, p, &is_char);
		t.kind = is_char ? T_LITERAL : T_LIFETIME;
		break;
	case B_OPEN:
		t.kind = T_OPEN;
		p++;
		break;
	case B_CLOSE:
		t.kind = T_CLOSE;
		p++;
		break;
	default:
		t.kind = T_PUNCT;
		p++;
		break;
	}
	t.end = lx->pos = p;
	return t;
}

static struct tok peek(struct lexer *lx)
{
	uint32_t save = lx->pos;
	struct tok t = lex(lx);
	lx->pos = save;
	return t;
}

static bool is_punct(const struct tok *t, unsigned char c)
{
	return t->kind == T_PUNCT && t->c == c;
}

static bool is_word(const struct lexer *lx, const struct tok *t, const char *w)
{
	size_t n = strlen(w);
	return t->kind == T_IDENT && t->end - t->start == n && !memcmp(lx->s + t->start, w, n);
}

/* t is a ':' glued to another ':': consumes the second. */
static bool take_path_sep(struct lexer *lx, const struct tok *t)
{
	if (!is_punct(t, ':') || t->end >= lx->len || lx->s[t->end] != ':')
		return false;
	lx->pos = t->end + 1;
	return true;
}

/*
 * lx->pos just after an opening bracket: moves past its closer. The hot
 * loop: every byte of every fn body goes through it.
 */
static void skip_group(struct lexer *lx, unsigned char open)
{
	unsigned char expect[GROUP_STACK];
	const unsigned char *s = lx->s;
	uint32_t depth = 1, p = lx->pos, len = lx->len;
	enum tok_kind kind;
	bool is_char;

	expect[0] = closer_of(open);
	while (p < len) {
		unsigned char c = s[p];
		switch (byte_class[c]) {
		case B_OPEN:
			if (depth < GROUP_STACK)
				expect[depth] = closer_of(c);
			depth++;
			p++;
			break;
		case B_CLOSE:
			depth--;
			if (depth < GROUP_STACK && expect[depth] != c)
				lx->is_clean = false;
			p++;
			if (!depth) {
				lx->pos = p;
				return;
			}
			break;
		case B_QUOTE:
			p = skip_quoted(lx, p);
			break;
		case B_APOS:
			p = skip_apostrophe(lx, p, &is_char);
			break;
		case B_SLASH:
			if (p + 1 < len && s[p + 1] == '/')
				p = skip_line_comment(lx, p);
			else if (p + 1 < len && s[p + 1] == '*')
				p = skip_block_comment(lx, p);
			else
				p++;
			break;
		case B_IDENT:
			/* Most words are plain: only one of 1 or 2 bytes can prefix a literal. */
			{
				uint32_t w = p;
				while (p < len && byte_class[s[p]] == B_IDENT)
					p++;
				if (p - w <= 2 && p < len && (s[p] == '"' || s[p] == '#' || s[p] == '\''))
					p = skip_word(lx, w, &kind);
			}
			break;
		default:
			p++;
			while (p < len && byte_class[s[p]] <= B_SPACE)
				p++;
			break;
		}
	}
	lx->is_clean = false;
	lx->pos = len;
}

/* A '>' that is part of `->` or `=>` closes no generics. */
static bool is_arrow(const struct lexer *lx, const struct tok *t)
{
	return t->start > 0 && (lx->s[t->start - 1] == '-' || lx->s[t->start - 1] == '=');
}

/* lx->pos just after a '<' of generics: moves past its '>'. */
static void skip_angle(struct lexer *lx)
{
	uint32_t angle = 1;
	while (angle) {
		uint32_t save = lx->pos;
		struct tok t = lex(lx);
		if (t.kind == T_EOF || t.kind == T_CLOSE || is_punct(&t, ';')) {
			lx->pos = save;
			lx->is_clean = false;
			return;
		}
		if (t.kind == T_OPEN)
			skip_group(lx, t.c);
		else if (is_punct(&t, '<'))
			angle++;
		else if (is_punct(&t, '>') && !is_arrow(lx, &t))
			angle--;
	}
}

enum header_end { H_BODY, H_SEMI, H_BROKEN };

/*
 * The rest of an item's header (generics, parameters, return type, where
 * clause) up to its body's `{` (consumed) or its `;`. A `{` inside generics
 * is a const argument, so angle brackets are counted: in a header `<` is
 * always generics (comparisons sit inside brackets), and `->` is no closer.
 * H_BROKEN at the end of the text or at a stray closer, left unconsumed for
 * the container.
 */
static enum header_end scan_header(struct lexer *lx, uint32_t *last_end)
{
	uint32_t angle = 0;
	for (;;) {
		uint32_t save = lx->pos;
		struct tok t = lex(lx);
		switch (t.kind) {
		case T_EOF:
		case T_CLOSE:
			lx->pos = save;
			lx->is_clean = false;
			return H_BROKEN;
		case T_OPEN:
			if (t.c == '{' && !angle)
				return H_BODY;
			skip_group(lx, t.c);
			break;
		case T_PUNCT:
			if (t.c == ';')
				return H_SEMI;
			if (t.c == '<')
				angle++;
			else if (t.c == '>' && angle && !is_arrow(lx, &t))
				angle--;
			break;
		default:
			break;
		}
		*last_end = lx->pos;
	}
}

/* Up to and including the `;` at bracket depth 0: use, const, static, extern crate. */
static void end_at_semi(struct lexer *lx, struct cg_item *it, uint32_t last_end)
{
	for (;;) {
		uint32_t save = lx->pos;
		struct tok t = lex(lx);
		if (t.kind == T_EOF || t.kind == T_CLOSE) {
			lx->pos = save;
			lx->is_clean = false;
			break;
		}
		if (t.kind == T_OPEN)
			skip_group(lx, t.c);
		last_end = lx->pos;
		if (is_punct(&t, ';'))
			break;
	}
	it->end = last_end;
}

/* Something that is no item: up to a `;` or the end of a `{ }`, and the scan is not clean. */
static void end_at_junk(struct lexer *lx, struct cg_item *it, uint32_t last_end)
{
	lx->is_clean = false;
	for (;;) {
		uint32_t save = lx->pos;
		struct tok t = lex(lx);
		if (t.kind == T_EOF || t.kind == T_CLOSE) {
			lx->pos = save;
			break;
		}
		if (t.kind == T_OPEN)
			skip_group(lx, t.c);
		last_end = lx->pos;
		if (is_punct(&t, ';') || (t.kind == T_OPEN && t.c == '{'))
			break;
	}
	it->end = last_end;
}

/* An item's header ended: its end and whether its body opens a container of items. */
static bool finish_header(struct lexer *lx, struct cg_item *it, enum header_end h, uint32_t last_end, bool is_container)
{
	switch (h) {
	case H_BODY:
		it->has_body = true;
		it->body = lx->pos;
		if (is_container)
			return true;
		skip_group(lx, '{');
		it->end = lx->pos;
		break;
	case H_SEMI:
		it->end = lx->pos;
		break;
	case H_BROKEN:
		it->end = last_end;
		break;
	}
	return false;
}

/* `pub`, `pub ( crate )`: white space inside is allowed. */
static uint8_t visibility_level(const unsigned char *v, uint32_t n)
{
	char buf[12];
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (byte_class[v[i]] == B_SPACE)
			continue;
		if (k == sizeof(buf))
			return 0;
		buf[k++] = (char)v[i];
	}
	if (k == 3 && !memcmp(buf, "pub", 3))
		return 2;
	return k == 10 && !memcmp(buf, "pub(crate)", 10) ? 1 : 0;
}

static void take_name(struct lexer *lx, struct cg_item *it)
{
	struct tok t = peek(lx);
	if (t.kind != T_IDENT)
		return;
	lex(lx);
	it->name = t.start;
	it->name_len = t.end - t.start;
}

/*
 * The name of an impl's self type, given as the bytes from its first token
 * to the end of its last: the last segment of a path without generics, or
 * the whole type when it is no path.
 */
static void impl_name(const unsigned char *s, uint32_t from, uint32_t to, struct cg_item *it)
{
	struct lexer sub = { s, to, from, true };
	struct tok t = lex(&sub), last = t;
	bool is_path = false;

	if (take_path_sep(&sub, &t))
		t = lex(&sub);
	if (t.kind == T_IDENT && !is_word(&sub, &t, "dyn") && !is_word(&sub, &t, "fn") &&
	    !is_word(&sub, &t, "unsafe") && !is_word(&sub, &t, "extern") && !is_word(&sub, &t, "for") &&
	    !is_word(&sub, &t, "impl")) {
		is_path = true;
		last = t;
		for (;;) {
			t = lex(&sub);
			if (is_punct(&t, '<')) {
				skip_angle(&sub);
				continue;
			}
			if (!take_path_sep(&sub, &t))
				break;
			t = peek(&sub);
			if (t.kind == T_IDENT) {
				lex(&sub);
				last = t;
			}
		}
	}
	if (is_path) {
		it->name = last.start;
		it->name_len = last.end - last.start;
	} else if (to > from) {
		it->name = from;
		it->name_len = to - from;
	}
}

/*
 * After `impl`: generics, the trait and `for` when there is one, the self
 * type, a where clause, then the body. A `for` followed by `<` is a
 * higher-ranked bound, not the trait's `for`.
 */
static enum header_end scan_impl(struct lexer *lx, struct cg_item *it, uint32_t *last_end)
{
	uint32_t angle = 0, type_start, type_end = 0;
	bool is_where = false;
	struct tok t = peek(lx);

	if (is_punct(&t, '<')) {
		lex(lx);
		skip_angle(lx);
	}
	*last_end = lx->pos;
	type_start = peek(lx).start;
	for (;;) {
		uint32_t save = lx->pos;
		t = lex(lx);
		if (t.kind == T_EOF || t.kind == T_CLOSE) {
			lx->pos = save;
			lx->is_clean = false;
			break;
		}
		if (t.kind == T_OPEN && t.c == '{' && !angle)
			break;
		if (is_punct(&t, ';'))
			break;
		if (!angle && !is_where && t.kind == T_IDENT) {
			if (is_word(lx, &t, "where")) {
				is_where = true;
				type_end = *last_end;
				continue;
			}
			struct tok next = peek(lx);
			if (is_word(lx, &t, "for") && !it->is_trait_impl && !is_punct(&next, '<')) {
				it->is_trait_impl = true;
				type_start = next.start;
				*last_end = lx->pos;
				continue;
			}
		}
		if (t.kind == T_OPEN)
			skip_group(lx, t.c);
		else if (is_punct(&t, '<'))
			angle++;
		else if (is_punct(&t, '>') && angle && !is_arrow(lx, &t))
			angle--;
		*last_end = lx->pos;
	}
	if (!is_where)
		type_end = *last_end;
	if (type_end > type_start)
		impl_name(lx->s, type_start, type_end, it);
	if (t.kind == T_OPEN)
		return H_BODY;
	return is_punct(&t, ';') ? H_SEMI : H_BROKEN;
}

/*
 * A macro call at item level: `path! (..);`, `path! [..];`, `path! {..}`.
 * At the top level a `;` after it is part of it (tree-sitter makes it an
 * expression statement, braces or not); in a mod, impl or trait body it is
 * an item of its own, as after `macro_rules! x { }` anywhere.
 */
static void finish_macro_call(struct lexer *lx, struct cg_item *it, bool is_macro_rules)
{
	struct tok t = lex(lx);
	struct tok next;
	if (t.kind == T_IDENT) /* macro_rules! name { } */
		t = lex(lx);
	if (t.kind != T_OPEN) {
		end_at_junk(lx, it, t.start);
		return;
	}
	skip_group(lx, t.c);
	it->end = lx->pos;
	next = peek(lx);
	if (is_punct(&next, ';') && (is_macro_rules ? t.c != '{' : it->parent == CG_ITEM_TOP)) {
		lex(lx);
		it->end = next.end;
	}
}

static bool is_one_of(const struct lexer *lx, const struct tok *t, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (is_word(lx, t, words[i]))
			return true;
	return false;
}

struct attr_flags {
	bool is_cfg_test, is_test_fn, is_not_api;
};

static const char *const proc_macro_attrs[] = { "proc_macro", "proc_macro_derive", "proc_macro_attribute", NULL };

/*
 * An attribute, lx->pos just after its '[': `#[cfg(..)]` naming `test`
 * (at any depth) and no `not`, and test attributes, whose path is `bench`
 * or ends in `test`. Leaves lx->pos after the closing ']'.
 */
static void scan_attr(struct lexer *lx, uint32_t open, struct attr_flags *f)
{
	struct tok t = lex(lx), first = t, last = t;
	bool is_rooted = false;
	uint32_t nseg = 0;

	if (take_path_sep(lx, &t)) {
		is_rooted = true;
		t = lex(lx);
	}
	while (t.kind == T_IDENT) {
		if (!nseg)
			first = t;
		last = t;
		nseg++;
		t = lex(lx);
		if (!take_path_sep(lx, &t))
			break;
		t = lex(lx);
	}
	if (nseg) {
		uint32_t n = last.end - last.start;
		if ((n >= 4 && !memcmp(lx->s + last.end - 4, "test", 4)) ||
		    (nseg == 1 && !is_rooted && is_word(lx, &first, "bench")))
			f->is_test_fn = true;
		/* The compiler calls proc-macro entry points, and #[doc(hidden)] marks macro support: no API to bench.
		 */
		if (nseg == 1 && !is_rooted && is_one_of(lx, &first, proc_macro_attrs))
			f->is_not_api = true;
		if (nseg == 1 && !is_rooted && is_word(lx, &first, "doc") && t.kind == T_OPEN) {
			t = lex(lx);
			if (is_word(lx, &t, "hidden") && (t = lex(lx)).kind == T_CLOSE)
				f->is_not_api = true;
		}
		if (nseg == 1 && !is_rooted && is_word(lx, &first, "cfg") && t.kind == T_OPEN) {
			uint32_t depth = 1, args = t.start;
			while (depth) {
				t = lex(lx);
				if (t.kind == T_EOF)
					break;
				if (t.kind == T_OPEN)
					depth++;
				else if (t.kind == T_CLOSE)
					depth--;
			}
			if (!depth && cg_rust_cfg_is_test((const char *)lx->s + args, t.end - args))
				f->is_cfg_test = true;
		}
	}
	lx->pos = open + 1;
	skip_group(lx, '[');
}

/* A `#!` on the first line that does not open an inner attribute is a shebang. */
static void skip_shebang(struct lexer *lx)
{
	uint32_t p = lx->pos;
	struct lexer probe = *lx;
	if (p + 1 >= lx->len || lx->s[p] != '#' || lx->s[p + 1] != '!')
		return;
	p = skip_trivia(&probe, p + 2);
	if (p < lx->len && lx->s[p] == '[')
		return;
	lx->pos = skip_line_comment(lx, lx->pos);
}

static const char *const qualifiers[] = { "unsafe", "async", "safe", "auto", "default", NULL };
static const char *const fn_after_const[] = { "fn", "unsafe", "async", "extern", "safe", NULL };

/*
 * One item from its first token after the attributes. Returns true when its
 * body is a container of items (mod, impl, trait), whose `{` was consumed
 * and whose end is set when its `}` comes.
 */
static bool parse_item(struct lexer *lx, struct tok t, struct cg_item *it)
{
	uint32_t last_end = t.end;
	struct tok u;

	if (is_word(lx, &t, "pub")) {
		uint32_t vis_end = t.end;
		u = peek(lx);
		if (u.kind == T_OPEN && u.c == '(') {
			lex(lx);
			skip_group(lx, '(');
			vis_end = lx->pos;
		}
		it->visibility = visibility_level(lx->s + t.start, vis_end - t.start);
		t = lex(lx);
	} else if (is_word(lx, &t, "crate")) {
		u = peek(lx);
		if (!is_punct(&u, ':')) {
			it->visibility = 1;
			t = lex(lx);
		}
	}
	while (t.kind == T_IDENT) {
		if (is_one_of(lx, &t, qualifiers)) {
			if (peek(lx).kind != T_IDENT)
				break;
		} else if (is_word(lx, &t, "extern")) {
			u = peek(lx);
			if (is_word(lx, &u, "crate")) {
				it->kind = CG_ITEM_EXTERN_CRATE;
				end_at_semi(lx, it, t.end);
				return false;
			}
			if (u.kind == T_LITERAL) {
				lex(lx);
				u = peek(lx);
			}
			if (u.kind == T_OPEN && u.c == '{') {
				lex(lx);
				it->body = u.end;
				skip_group(lx, '{');
				it->has_body = true;
				it->end = lx->pos;
				return false;
			}
			if (u.kind != T_IDENT)
				break;
		} else if (is_word(lx, &t, "const")) {
			u = peek(lx);
			if (!is_one_of(lx, &u, fn_after_const)) {
				end_at_semi(lx, it, t.end);
				return false;
			}
		} else {
			break;
		}
		t = lex(lx);
	}
	last_end = t.end;
	if (t.kind == T_IDENT) {
		if (is_word(lx, &t, "fn")) {
			it->kind = CG_ITEM_FN;
			take_name(lx, it);
			return finish_header(lx, it, scan_header(lx, &last_end), last_end, false);
		}
		if (is_word(lx, &t, "struct") || is_word(lx, &t, "enum") || is_word(lx, &t, "type") ||
		    (is_word(lx, &t, "union") && peek(lx).kind == T_IDENT)) {
			it->kind = CG_ITEM_TYPE;
			take_name(lx, it);
			return finish_header(lx, it, scan_header(lx, &last_end), last_end, false);
		}
		if (is_word(lx, &t, "trait")) {
			it->kind = CG_ITEM_TRAIT;
			take_name(lx, it);
			return finish_header(lx, it, scan_header(lx, &last_end), last_end, true);
		}
		if (is_word(lx, &t, "impl")) {
			it->kind = CG_ITEM_IMPL;
			return finish_header(lx, it, scan_impl(lx, it, &last_end), last_end, true);
		}
		if (is_word(lx, &t, "mod")) {
			take_name(lx, it);
			u = lex(lx);
			if (u.kind == T_OPEN && u.c == '{') {
				it->kind = CG_ITEM_MOD;
				it->has_body = true;
				it->body = u.end;
				return true;
			}
			it->kind = CG_ITEM_MOD_DECL;
			if (is_punct(&u, ';'))
				it->end = u.end;
			else
				end_at_junk(lx, it, u.start);
			return false;
		}
		if (is_word(lx, &t, "use")) {
			it->kind = CG_ITEM_USE;
			end_at_semi(lx, it, t.end);
			return false;
		}
		if (is_word(lx, &t, "static")) {
			end_at_semi(lx, it, t.end);
			return false;
		}
	}
	/* A macro: macro_rules! name { }, or a call path! ( ) at item level. */
	{
		bool is_macro_rules = is_word(lx, &t, "macro_rules");
		if (take_path_sep(lx, &t))
			t = lex(lx);
		while (t.kind == T_IDENT) {
			u = lex(lx);
			if (is_punct(&u, '!')) {
				finish_macro_call(lx, it, is_macro_rules);
				return false;
			}
			if (!take_path_sep(lx, &u))
				break;
			is_macro_rules = false;
			t = lex(lx);
		}
	}
	if (is_punct(&t, ';') && t.start == it->decl) {
		it->end = t.end;
		return false;
	}
	end_at_junk(lx, it, last_end);
	return false;
}

static uint32_t push_item(struct cg_items *out, const struct cg_item *it)
{
	cg_array_grow((void **)&out->items, &out->cap, out->n + 1, sizeof(*out->items));
	out->items[out->n] = *it;
	return (uint32_t)out->n++;
}

int cg_items_scan(struct cg_items *out, const char *text, size_t len)
{
	struct lexer lx = { (const unsigned char *)text, 0, 0, true };
	uint32_t cur = CG_ITEM_TOP;

	memset(out, 0, sizeof(*out));
	out->is_clean = true;
	if (len >= UINT32_MAX)
		return cg_error_set(CG_E_TOOBIG, "file too large to scan (%zu bytes)", len);
	lx.len = (uint32_t)len;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		lx.pos = 3;
	skip_shebang(&lx);
	for (;;) {
		struct cg_item it = { 0 };
		struct attr_flags af = { false, false, false };
		bool has_attrs = false;
		struct tok t;

		while (lx.pos < lx.len && byte_class[lx.s[lx.pos]] == B_SPACE)
			lx.pos++;
		it.start = lx.pos;
		it.parent = cur;
		for (;;) {
			struct tok bang, open;
			t = lex(&lx);
			if (!is_punct(&t, '#'))
				break;
			bang = peek(&lx);
			if (is_punct(&bang, '!')) {
				lex(&lx);
				open = lex(&lx);
				if (open.kind == T_OPEN && open.c == '[') {
					/* An inner attribute is an item of its own (attributes before it fold in). */
					it.kind = CG_ITEM_INNER_ATTR;
					it.decl = t.start;
					scan_attr(&lx, open.start, &af);
					break;
				}
				lx.is_clean = false;
				lx.pos = open.start;
				continue;
			}
			open = lex(&lx);
			if (open.kind == T_OPEN && open.c == '[') {
				scan_attr(&lx, open.start, &af);
				has_attrs = true;
				continue;
			}
			lx.is_clean = false;
			lx.pos = open.start;
		}
		if (it.kind == CG_ITEM_INNER_ATTR) {
			it.end = lx.pos;
		} else if (t.kind == T_EOF || t.kind == T_CLOSE) {
			if (has_attrs)
				lx.is_clean = false;
			if (t.kind == T_EOF)
				break;
			if (t.c == '}' && cur != CG_ITEM_TOP) {
				out->items[cur].end = t.end;
				cur = out->items[cur].parent;
			} else {
				lx.is_clean = false;
			}
			continue;
		} else {
			it.decl = t.start;
			if (parse_item(&lx, t, &it)) {
				it.is_cfg_test = af.is_cfg_test;
				it.is_test_fn = af.is_test_fn;
				it.is_not_api = af.is_not_api;
				cur = push_item(out, &it);
				continue;
			}
		}
		it.is_cfg_test = af.is_cfg_test;
		it.is_test_fn = af.is_test_fn;
		it.is_not_api = af.is_not_api;
		push_item(out, &it);
	}
	/* Containers still open at the end run to it. */
	if (cur != CG_ITEM_TOP)
		lx.is_clean = false;
	while (cur != CG_ITEM_TOP) {
		out->items[cur].end = lx.len;
		cur = out->items[cur].parent;
	}
	out->is_clean = lx.is_clean;
	return 0;
}

/*
 * The `{ }` body of the item macro call `it` (`cfg_net! { .. }`, `a::b! { .. }`,
 * not macro_rules!): true with [*from, *to) the bytes between the braces.
 */
static bool macro_body(const char *text, const struct cg_item *it, uint32_t *from, uint32_t *to)
{
	struct lexer lx = { (const unsigned char *)text, it->end, it->decl, true };
	struct tok t = lex(&lx), open;

	if (it->kind != CG_ITEM_OTHER)
		return false;
	if (take_path_sep(&lx, &t))
		t = lex(&lx);
	if (is_word(&lx, &t, "macro_rules"))
		return false;
	for (;;) {
		struct tok u;
		if (t.kind != T_IDENT)
			return false;
		u = lex(&lx);
		if (is_punct(&u, '!'))
			break;
		if (!take_path_sep(&lx, &u))
			return false;
		t = lex(&lx);
	}
	open = lex(&lx);
	if (open.kind != T_OPEN || open.c != '{')
		return false;
	skip_group(&lx, '{');
	if (!lx.is_clean || lx.pos < open.end + 1)
		return false;
	*from = open.end;
	*to = lx.pos - 1;
	return true;
}

/* Appends `in` (offsets from `base`, parents local) to `out` under `parent`, expanding its macro bodies. */
static void append_expanded(struct cg_items *out, const struct cg_items *in, const char *text, uint32_t base,
			    uint32_t parent, int depth)
{
	uint32_t *map = cg_calloc(in->n ? in->n : 1, sizeof(*map));

	for (size_t i = 0; i < in->n; i++) {
		struct cg_item it = in->items[i];
		uint32_t from, to;
		struct cg_items body;
		it.start += base;
		it.decl += base;
		it.end += base;
		it.name += base;
		it.parent = it.parent == CG_ITEM_TOP ? parent : map[it.parent];
		map[i] = push_item(out, &it);
		if (depth >= 8 || !macro_body(text, &out->items[map[i]], &from, &to))
			continue;
		/* Only a body that is items through and through: other macros take tokens of their own grammar. */
		if (cg_items_scan(&body, text + from, to - from) == 0 && body.is_clean && body.n)
			append_expanded(out, &body, text, from, map[i], depth + 1);
		cg_items_release(&body);
	}
	free(map);
}

void cg_items_expand(struct cg_items *out, const struct cg_items *flat, const char *text)
{
	memset(out, 0, sizeof(*out));
	out->is_clean = flat->is_clean;
	append_expanded(out, flat, text, 0, CG_ITEM_TOP, 0);
}

int cg_items_scan_expanded(struct cg_items *out, const char *text, size_t len)
{
	struct cg_items flat;
	int err = cg_items_scan(&flat, text, len);

	if (err < 0) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	cg_items_expand(out, &flat, text);
	cg_items_release(&flat);
	return 0;
}

void cg_items_release(struct cg_items *items)
{
	free(items->items);
	items->items = NULL;
	items->n = items->cap = 0;
}

bool cg_items_same_tokens(const char *a, size_t alen, const char *b, size_t blen)
{
	struct lexer x = { (const unsigned char *)a, (uint32_t)alen, 0, true };
	struct lexer y = { (const unsigned char *)b, (uint32_t)blen, 0, true };

	if (alen >= UINT32_MAX || blen >= UINT32_MAX)
		return alen == blen && !memcmp(a, b, alen);
	for (;;) {
		struct tok s = lex(&x), t = lex(&y);
		if (s.kind != t.kind || s.end - s.start != t.end - t.start ||
		    memcmp(a + s.start, b + t.start, s.end - s.start))
			return false;
		if (s.kind == T_EOF)
			return true;
	}
}

static bool is_run_break(unsigned char c)
{
	return c == ';' || c == ',' || byte_class[c] == B_OPEN || byte_class[c] == B_CLOSE;
}

/*
 * After an unterminated literal the lexer would take the rest of the text
 * as one token, which tree-sitter does not: the rest is counted crudely
 * instead, a word or a punctuation byte a token, in one pass.
 */
static uint32_t crude_run(const unsigned char *s, uint32_t p, uint32_t len, bool breaks_at_newline, uint32_t run,
			  uint32_t longest)
{
	for (; p < len; p++) {
		unsigned char c = s[p];
		if (is_run_break(c) || (breaks_at_newline && c == '\n'))
			run = 0;
		else if (byte_class[c] == B_SPACE || (byte_class[c] == B_IDENT && byte_class[s[p - 1]] == B_IDENT))
			continue;
		else if (++run > longest)
			longest = run;
	}
	return longest;
}

uint32_t cg_items_token_run(const char *text, size_t len, bool breaks_at_newline)
{
	struct lexer lx = { (const unsigned char *)text, (uint32_t)len, 0, true };
	uint32_t run = 0, longest = 0, prev_end = 0;

	if (len >= UINT32_MAX)
		return UINT32_MAX;
	for (;;) {
		struct tok t = lex(&lx);
		if (t.kind == T_EOF)
			break;
		if (breaks_at_newline && memchr(lx.s + prev_end, '\n', t.start - prev_end))
			run = 0;
		prev_end = t.end;
		if (t.kind == T_LITERAL && t.end == lx.len && !lx.is_clean)
			return crude_run(lx.s, t.start + 1, lx.len, breaks_at_newline, run + 1, longest);
		if ((t.kind == T_PUNCT || t.kind == T_OPEN || t.kind == T_CLOSE) && is_run_break(t.c)) {
			run = 0;
			continue;
		}
		if (++run > longest)
			longest = run;
	}
	return longest;
}

int cg_tokenizer_init(struct cg_tokenizer *tz, const char *text, size_t len)
{
	tz->text = text;
	tz->len = tz->pos = 0;
	if (len >= UINT32_MAX)
		return cg_error_set(CG_E_TOOBIG, "file too large to scan (%zu bytes)", len);
	tz->len = (uint32_t)len;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		tz->pos = 3;
	return 0;
}

struct cg_token cg_tokenizer_next(struct cg_tokenizer *tz)
{
	static const enum cg_token_kind kinds[] = {
		[T_EOF] = CG_TOKEN_END,		[T_IDENT] = CG_TOKEN_WORD,  [T_LIFETIME] = CG_TOKEN_LIFETIME,
		[T_LITERAL] = CG_TOKEN_LITERAL, [T_PUNCT] = CG_TOKEN_PUNCT, [T_OPEN] = CG_TOKEN_OPEN,
		[T_CLOSE] = CG_TOKEN_CLOSE,
	};
	struct lexer lx = { (const unsigned char *)tz->text, tz->len, tz->pos, true };
	struct tok t = lex(&lx);
	tz->pos = lx.pos;
	return (struct cg_token){ kinds[t.kind], t.start, t.end };
}

bool cg_item_is_shared(const struct cg_item *it)
{
	return it->kind == CG_ITEM_USE || it->kind == CG_ITEM_EXTERN_CRATE || it->kind == CG_ITEM_INNER_ATTR ||
	       it->kind == CG_ITEM_MOD_DECL;
}
