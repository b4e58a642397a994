/*
 * GitLab Code Quality: a JSON array of issues, shown in the merge request's
 * widget and diff. Only visible findings: a suppressed one is not an issue.
 * GitLab requires description, check_name, fingerprint, severity and
 * location.path/lines.begin; fingerprints must be unique within the report.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/str.h"
#include "util/banned.h"

/* error fails the check: critical; a warning does not: minor; a note is info. */
static const char *gitlab_severity(enum cg_severity sev)
{
	return sev == CG_SEV_ERROR ? "critical" : sev == CG_SEV_WARNING ? "minor" : "info";
}

struct by_fp {
	const char *fp;
	size_t index;
};

static int cmp_fp(const void *a, const void *b)
{
	const struct by_fp *x = a, *y = b;
	int c = strcmp(x->fp, y->fp);
	return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

/*
 * dup[i]: how many earlier findings share finding i's fingerprint; GitLab
 * would merge two issues of one fingerprint. cg_findings_fingerprint makes
 * each producer's unique but for one case kept as it was, as baselines list
 * it: the allow-without-reason notes of two bare crabgate:allow comments on
 * identical lines of one file.
 */
static size_t *count_duplicates(const struct cg_findings *fs)
{
	struct by_fp *order = cg_calloc(fs->len + 1, sizeof(*order));
	size_t *dup = cg_calloc(fs->len + 1, sizeof(*dup));
	size_t n = 0;
	for (size_t i = 0; i < fs->len; i++)
		if (cg_finding_is_visible(&fs->items[i]))
			order[n++] = (struct by_fp){ fs->items[i].fingerprint, i };
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_fp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(order[i].fp, order[i - 1].fp))
			dup[order[i].index] = dup[order[i - 1].index] + 1;
	free(order);
	return dup;
}

static int write_gitlab(struct cg_buf *b, const struct cg_report_input *in)
{
	const struct cg_findings *fs = in->findings;
	size_t *dup = count_duplicates(fs);
	struct cg_buf fp = CG_BUF_INIT;
	size_t n = 0;

	cg_buf_putc(b, '[');
	for (size_t i = 0; i < fs->len; i++) {
		const struct cg_finding *f = &fs->items[i];
		if (!cg_finding_is_visible(f))
			continue;
		cg_buf_truncate(&fp, 0);
		cg_buf_puts(&fp, f->fingerprint[0] ? f->fingerprint : "0000000000000000");
		if (dup[i])
			cg_buf_printf(&fp, "-%zu", dup[i] + 1);
		cg_buf_puts(b, n++ ? ",\n{" : "\n{");
		cg_buf_puts(b, "\"type\":\"issue\",\"description\":");
		cg_report_put_json(b, f->message);
		cg_buf_puts(b, ",\"check_name\":");
		cg_report_put_json(b, f->rule);
		cg_buf_puts(b, ",\"fingerprint\":");
		cg_report_put_json(b, fp.ptr);
		cg_buf_printf(b, ",\"severity\":\"%s\",\"location\":{\"path\":", gitlab_severity(f->severity));
		cg_report_put_json(b, f->path);
		cg_buf_printf(b, ",\"lines\":{\"begin\":%u,\"end\":%u}}", f->line ? f->line : 1,
			      f->end_line > f->line ? f->end_line : (f->line ? f->line : 1));
		if (f->help) {
			cg_buf_puts(b, ",\"content\":{\"body\":");
			cg_report_put_json(b, f->help);
			cg_buf_putc(b, '}');
		}
		cg_buf_putc(b, '}');
	}
	cg_buf_release(&fp);
	free(dup);
	return cg_buf_puts(b, n ? "\n]\n" : "]\n");
}

const struct cg_reporter cg_report_gitlab = {
	.name = "gitlab",
	.description = "GitLab Code Quality report (the codequality artifact)",
	.write = write_gitlab,
};
