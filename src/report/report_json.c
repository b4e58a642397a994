/* The machine contract, version 1: field names are kept; fields may be added. */
#include <string.h>

#include "report/report_internal.h"
#include "util/banned.h"

/* Strings are made valid UTF-8 first (U+FFFD per bad byte): JSON parsers reject anything else. */
static void put_str(struct cg_buf *b, const char *s)
{
	cg_report_put_json(b, s);
}

/* Only a finding that has a fix carries the field: the others stay as they were. */
static void put_fix(struct cg_buf *b, const struct cg_fix *fix)
{
	cg_buf_puts(b, ",\"fix\":{\"applicability\":");
	put_str(b, cg_applicability_name(fix->applicability));
	cg_buf_puts(b, ",\"edits\":[");
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct cg_edit *e = &fix->edits[i];
		cg_buf_puts(b, i ? ",{\"path\":" : "{\"path\":");
		put_str(b, e->path);
		cg_buf_printf(b,
			      ",\"line\":%u,\"column\":%u,\"end_line\":%u,\"end_column\":%u,\"byte_start\":%u,"
			      "\"byte_end\":%u,\"replacement\":",
			      e->line, e->column, e->end_line, e->end_column, e->byte_start, e->byte_end);
		put_str(b, e->replacement);
		cg_buf_putc(b, '}');
	}
	cg_buf_puts(b, "]}");
}

static int write_json(struct cg_buf *b, const struct cg_report_input *in)
{
	struct cg_finding_counts counts;
	size_t n = 0;

	cg_findings_count(&counts, in->findings);
	cg_buf_puts(b, "{\"version\":1,\"tool\":{\"name\":\"crabgate\",\"version\":");
	put_str(b, in->tool_version);
	cg_buf_puts(b, "},\"change\":{\"source\":");
	put_str(b, in->source);
	cg_buf_puts(b, ",\"base\":");
	put_str(b, in->base && *in->base ? in->base : NULL);
	cg_buf_puts(b, ",\"head\":");
	put_str(b, in->head && *in->head ? in->head : NULL);
	cg_buf_printf(b, ",\"files\":%zu},\"findings\":[", in->files);
	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		if (!cg_finding_is_visible(f))
			continue;
		cg_buf_puts(b, n++ ? ",\n" : "\n");
		cg_buf_puts(b, "{\"rule\":");
		put_str(b, f->rule);
		cg_buf_puts(b, ",\"severity\":");
		put_str(b, cg_severity_name(f->severity));
		cg_buf_puts(b, ",\"path\":");
		put_str(b, f->path);
		cg_buf_printf(b, ",\"line\":%u,\"end_line\":%u,\"column\":%u,\"end_column\":%u,\"message\":", f->line,
			      f->end_line, f->column, f->end_column);
		put_str(b, f->message);
		cg_buf_puts(b, ",\"help\":");
		put_str(b, f->help);
		cg_buf_puts(b, ",\"fingerprint\":");
		put_str(b, f->fingerprint);
		cg_buf_puts(b, ",\"origin\":");
		put_str(b, f->origin == CG_ORIGIN_REVIEW ? "review" : "rules");
		if (f->fix)
			put_fix(b, f->fix);
		cg_buf_putc(b, '}');
	}
	cg_buf_printf(b, "%s],\"suppressed\":%zu,\"summary\":{\"error\":%zu,\"warning\":%zu,\"note\":%zu}",
		      n ? "\n" : "", counts.suppressed + counts.baselined, counts.visible[CG_SEV_ERROR],
		      counts.visible[CG_SEV_WARNING], counts.visible[CG_SEV_NOTE]);
	cg_buf_puts(b, ",\"skipped\":[");
	for (size_t i = 0; i < in->nskipped; i++) {
		cg_buf_puts(b, i ? ",{\"path\":" : "{\"path\":");
		put_str(b, in->skipped[i].path);
		cg_buf_puts(b, ",\"reason\":");
		put_str(b, in->skipped[i].reason);
		cg_buf_putc(b, '}');
	}
	cg_buf_puts(b, "],\"notes\":[");
	for (size_t i = 0; i < in->nnotes; i++) {
		if (i)
			cg_buf_putc(b, ',');
		put_str(b, in->notes[i]);
	}
	cg_buf_puts(b, "]");
	if (in->review_summary) {
		cg_buf_puts(b, ",\"review\":{\"summary\":");
		put_str(b, in->review_summary);
		cg_buf_putc(b, '}');
	}
	return cg_buf_puts(b, "}\n");
}

const struct cg_reporter cg_report_json = {
	.name = "json",
	.description = "the machine contract (version 1): findings, counts, skipped files",
	.write = write_json,
};
