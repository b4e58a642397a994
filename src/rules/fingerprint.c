/* Fingerprints of a file's raw findings: hashed text and occurrence index. */
#include "rules/pass.h"
#include "util/str.h"
#include "util/banned.h"

#define LONG_LINE_CONTEXT 256

/*
 * The text a fingerprint hashes: the flagged lines, at most 50, and of a
 * long line only a window around the span, so thousands of findings on one
 * megabyte-long line cost kilobytes each, not megabytes.
 */
void cg_pass__span_text(struct cg_buf *out, const struct cg_source *src, const struct cg_finding *f)
{
	for (uint32_t l = f->line; l <= f->end_line && l - f->line < 50; l++) {
		size_t n;
		const char *t = cg_source_line(src, l, &n);
		if (n > CG_LONG_LINE) {
			size_t from = l == f->line && f->column > 1 ? f->column - 1 : 0;
			size_t to = l == f->end_line && f->end_column > 1 ? f->end_column - 1 : from;
			from = from > LONG_LINE_CONTEXT ? from - LONG_LINE_CONTEXT : 0;
			to = to + LONG_LINE_CONTEXT < n ? to + LONG_LINE_CONTEXT : n;
			if (from > n)
				from = n;
			t += from;
			n = to > from ? to - from : 0;
		}
		cg_buf_put(out, t, n);
		cg_buf_putc(out, '\n');
	}
}

/*
 * Fingerprints every raw finding by the one recipe (src/finding/). All raw
 * findings count, visible or not, so a finding's fingerprint does not depend
 * on the filter it was seen through (a baseline written with --all matches a
 * check of the added lines). `slots` gets the groups of identical findings.
 */
static void finding_text(struct cg_buf *out, const struct cg_finding *f, void *src)
{
	cg_pass__span_text(out, src, f);
}

void cg_pass__fingerprint_all(struct cg_findings *raw, const struct cg_source *src, struct cg_fingerprint_slot *slots)
{
	cg_findings_fingerprint(raw->items, raw->len, finding_text, (void *)src, slots);
}
