#define _GNU_SOURCE /* memmem */
#include "util/escape.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"
#include "util/utf8.h"
#include "util/banned.h"

static const char hexdigits[] = "0123456789abcdef";

#define ZWSP "\xe2\x80\x8b" /* zero-width space: invisible, and breaks what markdown or an autolinker would see */

bool cg_escape_is_control(uint32_t cp)
{
	/*
	 * C1 matters as much as C0: U+009B is a one-character CSI on many
	 * terminals. The bidi embeddings, overrides and isolates make code read
	 * differently from how it compiles ("trojan source").
	 */
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

int cg_escape_utf8(struct cg_buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;
	int err = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, s + i, len - i);
		if (n) {
			run += n;
			i += n;
			continue;
		}
		if ((err = cg_buf_put(b, s + i - run, run)) < 0 || (err = cg_buf_puts(b, CG_UTF8_REPLACEMENT)) < 0)
			return err;
		run = 0;
		i++;
	}
	return cg_buf_put(b, s + len - run, run);
}

int cg_escape_terminal(struct cg_buf *b, const char *s, size_t len, const char *indent)
{
	size_t i = 0;
	int err = 0;

	while (i < len && !err) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, s + i, len - i);
		if (!n) {
			char x[5] = { '\\', 'x', hexdigits[(unsigned char)s[i] >> 4],
				      hexdigits[(unsigned char)s[i] & 15], 0 };
			err = cg_buf_puts(b, x);
			i++;
			continue;
		}
		if (cp == '\t') {
			err = cg_buf_puts(b, "    ");
		} else if (cp == '\n' && indent) {
			if (!(err = cg_buf_putc(b, '\n')))
				err = cg_buf_puts(b, indent);
		} else if (cp == '\r' && indent && i + 1 < len && s[i + 1] == '\n') {
			/* CRLF: the LF carries the line break. */
		} else if (cg_escape_is_control(cp)) {
			err = cg_buf_printf(b, "\\u{%x}", (unsigned)cp);
		} else {
			err = cg_buf_put(b, s + i, n);
		}
		i += n;
	}
	return err;
}

int cg_escape_json(struct cg_buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;
	int err = 0;

	if ((err = cg_buf_putc(b, '"')) < 0)
		return err;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char uesc[7];
		uint32_t cp;
		size_t seq = 1;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				memcpy(uesc, "\\u00", 4);
				uesc[4] = hexdigits[c >> 4];
				uesc[5] = hexdigits[c & 15];
				uesc[6] = 0;
				esc = uesc;
			} else if (c >= 0x80 && (seq = cg_utf8_decode(&cp, s + i, len - i)) == 0) {
				/* JSON must be UTF-8. */
				esc = CG_UTF8_REPLACEMENT;
				seq = 1;
			}
		}
		if (esc) {
			if ((err = cg_buf_put(b, s + i - run, run)) < 0 || (err = cg_buf_puts(b, esc)) < 0)
				return err;
			run = 0;
		} else {
			run += seq;
		}
		i += seq;
	}
	if ((err = cg_buf_put(b, s + len - run, run)) < 0)
		return err;
	return cg_buf_putc(b, '"');
}

int cg_escape_html_comment(struct cg_buf *b, const char *s, size_t len)
{
	struct cg_buf clean = CG_BUF_INIT;
	size_t i = 0, run = 0;
	int err;

	if ((err = cg_escape_utf8(&clean, s, len)) < 0)
		goto done;
	while (i < clean.size && !err) {
		const char *p = clean.ptr + i;
		size_t rest = clean.size - i;
		if (rest >= 4 && !memcmp(p, "<!--", 4)) {
			/* Its dashes stay in the input: "<!-->" must not come out holding "-->". */
			if ((err = cg_buf_put(b, p - run, run)) == 0)
				err = cg_buf_puts(b, "<" ZWSP "!");
			i += 2;
			run = 0;
		} else if (rest >= 3 && !memcmp(p, "-->", 3)) {
			if ((err = cg_buf_put(b, p - run, run)) == 0)
				err = cg_buf_puts(b, "--" ZWSP ">");
			i += 3;
			run = 0;
		} else {
			i++;
			run++;
		}
	}
	if (!err)
		err = cg_buf_put(b, clean.ptr + clean.size - run, run);
done:
	cg_buf_release(&clean);
	return err;
}

/* ---- inline markdown ---- */

static bool is_alnum_ascii(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Length of a URL-ish run at s (printable ASCII up to white space, <, >, ", `): what an autolinker takes. */
static size_t url_run(const unsigned char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n] > 0x20 && s[n] < 0x7f && !strchr("<>\"`", s[n]))
		n++;
	return n;
}

static bool is_scheme_char(unsigned char c)
{
	return is_alnum_ascii(c) || c == '+' || c == '.' || c == '-';
}

/* Whether s[0..len) starts with "scheme://" (a letter, then letters, digits, + . -). */
static bool has_scheme(const unsigned char *s, size_t len)
{
	size_t n = 0;
	if (!len || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (n < len && is_scheme_char(s[n]))
		n++;
	return len - n >= 3 && !memcmp(s + n, "://", 3);
}

/* Whether the URL s[0..n) is on the forge's own origin (so a link to it may stay live). */
static bool is_forge_url(const unsigned char *s, size_t n, const char *link_origin)
{
	char url[2048];
	if (!link_origin || n >= sizeof(url))
		return false;
	memcpy(url, s, n);
	url[n] = '\0';
	return cg_url_same_origin(link_origin, url);
}

/* At "](" (p[0..rest)): the length of the URL after it when it links to the forge's origin, else 0. */
static size_t forge_link(const unsigned char *p, size_t rest, const char *link_origin)
{
	size_t u;
	if (rest < 2 || p[0] != ']' || p[1] != '(')
		return 0;
	u = url_run(p + 2, rest - 2);
	while (u && p[2 + u - 1] == ')')
		u--; /* "(https://…)" ends before its parenthesis */
	return has_scheme(p + 2, u) && is_forge_url(p + 2, u, link_origin) ? u : 0;
}

/* Whether the "[" at p[0] opens a link text that a "](" to the forge's origin closes. */
static bool opens_forge_link(const unsigned char *p, size_t rest, const char *link_origin)
{
	for (size_t k = 1; k < rest && p[k] != '[' && p[k] != '\n'; k++)
		if (p[k] == ']')
			return forge_link(p + k, rest - k, link_origin) > 0;
	return false;
}

/*
 * The end (just past the closing run) of the code span whose opening run of
 * `run` backticks starts at s[0], or 0 when no run of that length closes it:
 * CommonMark's rule, so what is a code span here is one on the forge.
 */
static size_t code_span_end(const unsigned char *s, size_t len, size_t run)
{
	size_t j = run;
	while (j < len) {
		size_t k = j;
		if (s[j] != '`') {
			j++;
			continue;
		}
		while (k < len && s[k] == '`')
			k++;
		if (k - j == run)
			return k;
		j = k;
	}
	return 0;
}

/* A zero-width space as an entity: markdown decodes it outside code, and it breaks the markup around it. */
#define MD_ZWSP "&#8203;"

/*
 * One character markdown shows as it is only with care: an invalid byte
 * becomes U+FFFD, a control a visible `\u{1b}` (`\\u{1b}` where backslashes
 * are read), line breaks and tabs a space inside code or <br> and a space
 * outside it, so the text stays on its line, in its cell or list item. Sets
 * *n to the bytes taken. Returns false when the caller writes the character.
 */
static bool put_special_char(struct cg_buf *b, const unsigned char *p, size_t rest, bool is_code, size_t *n, int *err)
{
	uint32_t cp;
	*n = cg_utf8_decode(&cp, (const char *)p, rest);
	if (!*n) {
		*n = 1;
		*err = cg_buf_puts(b, CG_UTF8_REPLACEMENT);
		return true;
	}
	if (cp == '\r')
		*err = 0;
	else if (cp == '\n')
		*err = cg_buf_puts(b, is_code ? " " : "<br>");
	else if (cp == '\t')
		*err = cg_buf_putc(b, ' ');
	else if (cg_escape_is_control(cp))
		*err = cg_buf_printf(b, is_code ? "\\u{%x}" : "\\\\u{%x}", (unsigned)cp);
	else
		return false;
	return true;
}

/*
 * The inside of a closed code span: markup is not read there, so it goes as
 * it is but for the characters above and, in a table cell, `|`, which GFM
 * lets `\|` escape even inside a code span (else it ends the cell).
 */
static int put_code_span(struct cg_buf *b, const unsigned char *s, size_t len, unsigned flags)
{
	size_t i = 0, n;
	int err = 0;
	while (i < len && !err) {
		if (put_special_char(b, s + i, len - i, true, &n, &err))
			;
		else if (s[i] == '|' && (flags & CG_MD_TABLE_CELL))
			err = cg_buf_puts(b, "\\|");
		else
			err = cg_buf_put(b, s + i, n);
		i += n;
	}
	return err;
}

/*
 * A link elsewhere is broken with a zero-width space where the markup needs
 * two characters side by side: "](" and "]:" (inline links, images,
 * reference definitions), "scheme://" and "www." (autolinks, on GitHub and
 * GitLab alike). It reads the same; it leads nowhere.
 */
int cg_escape_md_inline(struct cg_buf *out, const char *text, size_t len, unsigned flags, const char *link_origin)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;
	int err = 0;

	while (i < len && !err) {
		const unsigned char *p = s + i;
		size_t rest = len - i;
		if (put_special_char(out, p, rest, false, &n, &err)) {
			i += n;
			continue;
		}
		if (rest >= 3 && !memcmp(p, "://", 3) && i && is_scheme_char(s[i - 1])) {
			/* Autolinkers look back from "://" for the scheme: so does this. */
			size_t start = i, u;
			while (start && is_scheme_char(s[start - 1]))
				start--;
			while (start < i && !has_scheme(s + start, len - start))
				start++;
			u = url_run(s + start, len - start);
			if (start < i && is_forge_url(s + start, u, link_origin)) {
				/* As it is: an autolinker does not decode "&amp;" in a URL. */
				err = cg_buf_put(out, s + i, start + u - i);
				i = start + u;
			} else {
				err = cg_buf_puts(out, MD_ZWSP "://");
				i += 3;
			}
			continue;
		}
		if (rest >= 4 && !strncasecmp((const char *)p, "www.", 4)) {
			cg_buf_put(out, p, 3);
			err = cg_buf_puts(out, MD_ZWSP ".");
			i += 4;
			continue;
		}
		switch (*p) {
		case '`': {
			size_t run = 1, close;
			while (run < rest && p[run] == '`')
				run++;
			close = flags & CG_MD_CODE ? code_span_end(p, rest, run) : 0;
			/* crabgate's comment markers are HTML comments: none may appear raw, code or not. */
			if (close && !memmem(p, close, "<!--", 4)) {
				if (!(err = cg_buf_put(out, p, run)) &&
				    !(err = put_code_span(out, p + run, close - 2 * run, flags)))
					err = cg_buf_put(out, p, run);
				i += close;
				continue;
			}
			for (size_t k = 0; k < run && !err; k++)
				err = cg_buf_puts(out, "\\`");
			i += run;
			continue;
		}
		case '[':
			err = opens_forge_link(p, rest, link_origin) ? cg_buf_putc(out, '[') : cg_buf_puts(out, "\\[");
			break;
		case ']': {
			size_t u = forge_link(p, rest, link_origin);
			if (u) {
				err = cg_buf_put(out, p, 2 + u);
				i += 2 + u;
				continue;
			}
			if (rest >= 2 && (p[1] == '(' || p[1] == ':'))
				err = cg_buf_puts(out, "\\]" MD_ZWSP);
			else
				err = cg_buf_puts(out, "\\]");
			break;
		}
		case '\\':
		case '*':
		case '_':
		case '~':
		case '|':
		case '!':
			if (!(err = cg_buf_putc(out, '\\')))
				err = cg_buf_putc(out, (char)*p);
			break;
		case '<':
			err = cg_buf_puts(out, "&lt;");
			break;
		case '>':
			err = cg_buf_puts(out, "&gt;");
			break;
		case '&':
			err = cg_buf_puts(out, "&amp;");
			break;
		case '@':
		case '#':
			err = cg_buf_putc(out, (char)*p);
			if (!err && rest > 1 && is_alnum_ascii(p[1]))
				err = cg_buf_puts(out, MD_ZWSP);
			break;
		default:
			err = cg_buf_put(out, p, n);
		}
		i += n;
	}
	return err;
}
