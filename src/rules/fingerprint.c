/* Fingerprints of a file's raw findings: hashed text and occurrence index. */
#include <stdlib.h>
#include <string.h>

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

static int cmp_fp_slot(const void *a, const void *b)
{
	const struct fp_slot *x = a, *y = b;
	int c = strcmp(x->fp, y->fp);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Fingerprints every raw finding: the base hash of rule, path and text, and
 * when several findings share it, the occurrence index in file order. All
 * raw findings count, visible or not, so a finding's fingerprint does not
 * depend on the filter it was seen through (a baseline written with --all
 * matches a check of the added lines). `slots` gets each finding's base
 * hash, sorted by hash and then file order: the groups of identical findings.
 */
void cg_pass__fingerprint_all(struct cg_findings *raw, const struct cg_source *src, struct fp_slot *slots)
{
	for (size_t i = 0; i < raw->len; i++) {
		struct cg_buf span = CG_BUF_INIT;
		cg_pass__span_text(&span, src, &raw->items[i]);
		cg_fingerprint(slots[i].fp, raw->items[i].rule, raw->items[i].path, span.ptr, span.size, 0);
		memcpy(raw->items[i].fingerprint, slots[i].fp, sizeof(slots[i].fp));
		slots[i].index = i;
		cg_buf_release(&span);
	}
	qsort(slots, raw->len, sizeof(*slots), cmp_fp_slot);
	for (size_t i = 1, occ = 0; i < raw->len; i++) {
		struct cg_finding *f = &raw->items[slots[i].index];
		struct cg_buf span = CG_BUF_INIT;
		if (strcmp(slots[i].fp, slots[i - 1].fp)) {
			occ = 0;
			continue;
		}
		cg_pass__span_text(&span, src, f);
		cg_fingerprint(f->fingerprint, f->rule, f->path, span.ptr, span.size, (unsigned)++occ);
		cg_buf_release(&span);
	}
}
