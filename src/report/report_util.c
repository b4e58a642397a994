/* Text hygiene shared by the reporters: UTF-8 repair and escaping. */
#include <string.h>

#include "report/report_internal.h"
#include "util/banned.h"

static const char hexdigits[] = "0123456789abcdef";

size_t cg_report_utf8_next(const char *str, size_t len, size_t i, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[i];
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		v = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		v = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n > len - i)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

bool cg_report_is_control(uint32_t cp)
{
	/*
	 * C1 matters as much as C0: U+009B is a one-character CSI on many
	 * terminals. The bidi embeddings, overrides and isolates make code read
	 * differently from how it compiles ("trojan source").
	 */
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

int cg_report_put_utf8(struct cg_buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;
	int err = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = cg_report_utf8_next(s, len, i, &cp);
		if (n) {
			run += n;
			i += n;
			continue;
		}
		if ((err = cg_buf_put(b, s + i - run, run)) < 0 || (err = cg_buf_puts(b, "\xef\xbf\xbd")) < 0)
			return err;
		run = 0;
		i++;
	}
	return cg_buf_put(b, s + len - run, run);
}

int cg_report_put_json(struct cg_buf *b, const char *s)
{
	struct cg_buf clean = CG_BUF_INIT;
	int err;

	if (!s)
		return cg_buf_puts(b, "null");
	if ((err = cg_report_put_utf8(&clean, s, strlen(s))) == 0)
		err = cg_buf_put_json_str(b, clean.ptr, clean.size);
	cg_buf_release(&clean);
	return err;
}

int cg_report_put_display(struct cg_buf *b, const char *s, size_t len, const char *indent)
{
	size_t i = 0;
	int err = 0;

	while (i < len && !err) {
		uint32_t cp;
		size_t n = cg_report_utf8_next(s, len, i, &cp);
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
		} else if (cg_report_is_control(cp)) {
			err = cg_buf_printf(b, "\\u{%x}", (unsigned)cp);
		} else {
			err = cg_buf_put(b, s + i, n);
		}
		i += n;
	}
	return err;
}

uint32_t cg_report_char_column(const char *line, uint32_t column)
{
	size_t len, i = 0, n = 0;
	if (!line || !column)
		return column;
	len = strlen(line);
	while (i < len && i < (size_t)column - 1) {
		uint32_t cp;
		size_t k = cg_report_utf8_next(line, len, i, &cp);
		i += k ? k : 1;
		n++;
	}
	return (uint32_t)(n + 1 + (column - 1 > len ? column - 1 - len : 0));
}

int cg_report_put_uri_path(struct cg_buf *b, const char *s)
{
	int err = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && !err; p++) {
		unsigned char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			    c == '.' || c == '_' || c == '~' || c == '/';
		if (keep) {
			err = cg_buf_putc(b, (char)c);
		} else {
			char x[4] = { '%', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15], 0 };
			err = cg_buf_puts(b, x);
		}
	}
	return err;
}

const char *cg_report_sarif_level(enum cg_severity sev)
{
	switch (sev) {
	case CG_SEV_ERROR:
		return "error";
	case CG_SEV_WARNING:
		return "warning";
	case CG_SEV_NOTE:
		return "note";
	default:
		return "none";
	}
}
