/*
 * GitHub Actions workflow commands: each visible finding as an annotation,
 * `::error file=F,line=L,endLine=E,col=C,endColumn=D,title=T::message`.
 *
 * GitHub shows at most 10 annotations of each type per step (and 50 per
 * job): the most severe go first, the rest are printed as plain log lines,
 * and a last notice says how many were not annotated. Every line written
 * starts with "::" (a command crabgate chose) or "crabgate:", and no finding
 * text can start a line: newlines in data are escaped, so a message cannot
 * smuggle in a command of its own.
 */
#include <string.h>

#include "report/report_internal.h"
#include "util/banned.h"

/*
 * Makes finding text safe for a log line before the workflow-command escapes:
 * valid UTF-8, and controls other than tab, CR and LF shown as \u{..}.
 */
static void put_clean(struct cg_buf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, s + i, len - i);
		if (!n) {
			cg_buf_puts(out, "\xef\xbf\xbd");
			n = 1;
		} else if (cp != '\t' && cp != '\r' && cp != '\n' && cg_escape_is_control(cp)) {
			cg_buf_printf(out, "\\u{%x}", (unsigned)cp);
		} else {
			cg_buf_put(out, s + i, n);
		}
		i += n;
	}
}

/* Escapes for the message part (is_property false) or a property value. */
static void put_escaped(struct cg_buf *b, const char *s, bool is_property)
{
	struct cg_buf clean = CG_BUF_INIT;
	put_clean(&clean, s);
	for (size_t i = 0; i < clean.size; i++) {
		char c = clean.ptr[i];
		if (c == '%')
			cg_buf_puts(b, "%25");
		else if (c == '\r')
			cg_buf_puts(b, "%0D");
		else if (c == '\n')
			cg_buf_puts(b, "%0A");
		else if (is_property && c == ':')
			cg_buf_puts(b, "%3A");
		else if (is_property && c == ',')
			cg_buf_puts(b, "%2C");
		else
			cg_buf_putc(b, c);
	}
	cg_buf_release(&clean);
}

static const char *command_of(enum cg_severity sev)
{
	return sev == CG_SEV_ERROR ? "error" : sev == CG_SEV_WARNING ? "warning" : "notice";
}

static void put_annotation(struct cg_buf *b, const struct cg_finding *f)
{
	struct cg_buf msg = CG_BUF_INIT, title = CG_BUF_INIT;

	cg_buf_printf(b, "::%s file=", command_of(f->severity));
	put_escaped(b, f->path, true);
	if (f->line) {
		uint32_t end_line = f->end_line > f->line ? f->end_line : f->line;
		cg_buf_printf(b, ",line=%u,endLine=%u", f->line, end_line);
		if (f->column) {
			cg_buf_printf(b, ",col=%u", cg_report_char_column(f->source_line, f->column));
			if (end_line == f->line && f->end_column > f->column)
				cg_buf_printf(b, ",endColumn=%u", cg_report_char_column(f->source_line, f->end_column));
		}
	}
	cg_buf_printf(&title, "crabgate: %s", f->rule);
	cg_buf_puts(b, ",title=");
	put_escaped(b, title.ptr, true);
	cg_buf_puts(b, "::");
	cg_buf_puts(&msg, f->message);
	if (f->help)
		cg_buf_printf(&msg, "\nhelp: %s", f->help);
	if (f->origin == CG_ORIGIN_REVIEW)
		cg_buf_puts(&msg, "\n(from the model review)");
	put_escaped(b, msg.ptr, false);
	cg_buf_putc(b, '\n');
	cg_buf_release(&msg);
	cg_buf_release(&title);
}

/* A finding that did not fit as an annotation, as one plain log line. */
static void put_log_line(struct cg_buf *b, const struct cg_finding *f)
{
	cg_buf_printf(b, "crabgate: %s[", cg_severity_name(f->severity));
	cg_escape_terminal(b, f->rule, strlen(f->rule), NULL);
	cg_buf_puts(b, "] ");
	cg_escape_terminal(b, f->path, strlen(f->path), NULL);
	cg_buf_printf(b, ":%u:%u: ", f->line, f->column);
	cg_escape_terminal(b, f->message, strlen(f->message), NULL);
	cg_buf_putc(b, '\n');
}

static int write_github(struct cg_buf *b, const struct cg_report_input *in)
{
	struct cg_finding_counts all;
	size_t shown[CG_SEV_COUNT] = { 0 }, cap[CG_SEV_COUNT], hidden = 0;

	cg_findings_count(&all, in->findings);
	for (int s = CG_SEV_NOTE; s <= CG_SEV_ERROR; s++) {
		cap[s] = CG_REPORT_GITHUB_MAX_PER_TYPE;
		hidden += all.visible[s] > cap[s] ? all.visible[s] - cap[s] : 0;
	}
	/* The closing notice is an annotation too: it takes a notice's place. */
	if (hidden && all.visible[CG_SEV_NOTE] >= cap[CG_SEV_NOTE]) {
		cap[CG_SEV_NOTE]--;
		hidden++;
	}

	for (int s = CG_SEV_ERROR; s >= CG_SEV_NOTE; s--) {
		for (size_t i = 0; i < in->findings->len; i++) {
			const struct cg_finding *f = &in->findings->items[i];
			if (!cg_finding_is_visible(f) || (int)f->severity != s)
				continue;
			if (shown[s] < cap[s]) {
				put_annotation(b, f);
				shown[s]++;
			} else {
				put_log_line(b, f);
			}
		}
	}
	if (hidden)
		cg_buf_printf(
			b,
			"::notice title=crabgate::%zu finding%s not shown as annotations (GitHub shows at most %d "
			"of each type per step): see the log lines above and the job summary\n",
			hidden, hidden == 1 ? " is" : "s are", CG_REPORT_GITHUB_MAX_PER_TYPE);
	return 0;
}

const struct cg_reporter cg_report_github = {
	.name = "github",
	.description = "GitHub Actions workflow commands (annotations on the changed lines)",
	.write = write_github,
};
