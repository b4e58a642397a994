/* rustc-style findings for people: header, location, code frame, help. */
#include <string.h>

#include "report/report.h"
#include "util/banned.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_BLUE "\033[1;34m"

static const char *sev_color(enum cg_severity s)
{
	return s == CG_SEV_ERROR ? "\033[1;31m" : s == CG_SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

static void put_sanitized(struct cg_buf *b, const char *s, size_t len)
{
	/* Tabs become four spaces; control bytes become '?'; UTF-8 passes through. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			cg_buf_puts(b, "    ");
		else if (c < 0x20 || c == 0x7f)
			cg_buf_putc(b, '?');
		else
			cg_buf_putc(b, (char)c);
	}
}

static size_t display_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			w += 4;
		else if ((c & 0xc0) != 0x80)
			w++;
	}
	return w;
}

static void write_one(struct cg_buf *b, const struct cg_finding *f, bool color)
{
	const char *sev = cg_severity_name(f->severity);
	char gutter[16];
	int gw = snprintf(gutter, sizeof(gutter), "%u", f->line);

	if (color)
		cg_buf_printf(b, "%s%s[%s]" C_RESET C_BOLD ": ", sev_color(f->severity), sev, f->rule);
	else
		cg_buf_printf(b, "%s[%s]: ", sev, f->rule);
	put_sanitized(b, f->message, strlen(f->message));
	cg_buf_printf(b, "%s\n%*s%s-->%s %s:%u:%u\n", color ? C_RESET : "", gw, "", color ? C_BLUE : "",
		      color ? C_RESET : "", f->path, f->line, f->column);
	if (f->source_line) {
		size_t len = strlen(f->source_line);
		size_t col = f->column ? f->column - 1 : 0;
		size_t end = f->end_line == f->line && f->end_column > f->column ? f->end_column - 1 : len;
		if (col > len)
			col = len;
		if (end > len)
			end = len;
		if (end <= col)
			end = col + 1;
		cg_buf_printf(b, "%*s %s|%s\n", gw, "", color ? C_BLUE : "", color ? C_RESET : "");
		cg_buf_printf(b, "%s%s |%s ", color ? C_BLUE : "", gutter, color ? C_RESET : "");
		put_sanitized(b, f->source_line, len);
		cg_buf_printf(b, "\n%*s %s|%s ", gw, "", color ? C_BLUE : "", color ? C_RESET : "");
		for (size_t i = display_width(f->source_line, col); i > 0; i--)
			cg_buf_putc(b, ' ');
		if (color)
			cg_buf_puts(b, sev_color(f->severity));
		for (size_t i = display_width(f->source_line + col, end - col > len - col ? len - col : end - col); i > 0; i--)
			cg_buf_putc(b, '^');
		if (end - col == 0 || col == len)
			cg_buf_putc(b, '^');
		if (color)
			cg_buf_puts(b, C_RESET);
		cg_buf_putc(b, '\n');
	}
	if (f->help) {
		cg_buf_printf(b, "%*s %s=%s %shelp%s: ", gw, "", color ? C_BLUE : "", color ? C_RESET : "", color ? C_BOLD : "",
			      color ? C_RESET : "");
		put_sanitized(b, f->help, strlen(f->help));
		cg_buf_putc(b, '\n');
	}
	if (f->origin == CG_ORIGIN_REVIEW)
		cg_buf_printf(b, "%*s = note: from the model review\n", gw, "");
	cg_buf_putc(b, '\n');
}

static void plural(struct cg_buf *b, size_t n, const char *word, bool *first)
{
	cg_buf_printf(b, "%s%zu %s%s", *first ? "" : ", ", n, word, n == 1 ? "" : "s");
	*first = false;
}

static int write_text(struct cg_buf *b, const struct cg_report_input *in)
{
	size_t counts[4], suppressed;
	bool first = true;

	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		if (!f->is_suppressed && !f->is_baselined)
			write_one(b, f, in->color);
	}
	for (size_t i = 0; i < in->nnotes; i++)
		cg_buf_printf(b, "note: %s\n", in->notes[i]);
	cg_findings_count(in->findings, counts, &suppressed);
	if (counts[CG_SEV_ERROR] + counts[CG_SEV_WARNING] + counts[CG_SEV_NOTE] == 0) {
		cg_buf_printf(b, "crabgate: no findings in %zu changed file%s", in->files, in->files == 1 ? "" : "s");
		first = false;
	} else {
		if (counts[CG_SEV_ERROR])
			plural(b, counts[CG_SEV_ERROR], "error", &first);
		if (counts[CG_SEV_WARNING])
			plural(b, counts[CG_SEV_WARNING], "warning", &first);
		if (counts[CG_SEV_NOTE])
			plural(b, counts[CG_SEV_NOTE], "note", &first);
	}
	if (suppressed)
		cg_buf_printf(b, "; %zu suppressed", suppressed);
	return cg_buf_putc(b, '\n');
}

const struct cg_reporter cg_report_text = {
	.name = "text",
	.description = "rustc-style findings with code frames, for terminals",
	.write = write_text,
};
