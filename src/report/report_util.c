/* Text hygiene shared by the reporters, on top of util/escape.h. */
#include <string.h>

#include "report/report_internal.h"
#include "util/banned.h"

int cg_report_put_json(struct cg_buf *b, const char *s)
{
	if (!s)
		return cg_buf_puts(b, "null");
	return cg_escape_json(b, s, strlen(s));
}

uint32_t cg_report_char_column(const char *line, uint32_t column)
{
	size_t len, i = 0, n = 0;
	if (!line || !column)
		return column;
	len = strlen(line);
	while (i < len && i < (size_t)column - 1) {
		uint32_t cp;
		size_t k = cg_utf8_decode(&cp, line + i, len - i);
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
