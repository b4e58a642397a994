/*
 * A markdown job summary (GitHub's $GITHUB_STEP_SUMMARY, or any CI that shows
 * markdown): counts per rule and severity, a table of the findings linked to
 * their lines when a base URL is known, what was skipped and why, notes.
 *
 * Finding text may come from a pull request or a model, and this markdown is
 * rendered as HTML next to the project's own pages: every piece of it is
 * escaped (table pipes, code spans, emphasis, links, raw HTML), @mentions
 * and #references are broken so a finding cannot ping people or cross-link
 * issues (all of it util/escape's inline markdown, as forge comments have),
 * and the output is bounded (GitHub refuses summaries over 1 MiB).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_ROWS 200  /* findings listed in the table */
#define MAX_CELL 1000 /* bytes of one message shown */
#define MAX_LIST 50   /* skipped files and notes listed */

/*
 * At most `max` bytes of `s` (0 = all), cut at a character boundary and
 * marked with "…", as inline markdown for `flags` (util/escape).
 */
static void put_md_text(struct cg_buf *b, const char *s, size_t max, unsigned flags)
{
	size_t len = s ? strlen(s) : 0;
	bool cut = max && len > max;

	if (cut) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--; /* not inside a character */
	}
	cg_escape_md_inline(b, s ? s : "", len, flags, NULL);
	if (cut)
		cg_buf_puts(b, "…");
}

/* Names (paths, rule ids, refs): every character shown as it is. */
static void put_md(struct cg_buf *b, const char *s, size_t max)
{
	put_md_text(b, s, max, CG_MD_TABLE_CELL);
}

/* Prose (messages, help, notes): its code spans stay code spans. */
static void put_md_prose(struct cg_buf *b, const char *s, size_t max, unsigned place)
{
	put_md_text(b, s, max, CG_MD_CODE | place);
}

/* A commit id shortened as git shows it; anything else (a ref name) escaped whole. */
static void put_short_id(struct cg_buf *b, const char *id)
{
	size_t n = strspn(id, "0123456789abcdef");
	if (n >= 12 && id[n] == '\0')
		cg_buf_put(b, id, 12);
	else
		put_md(b, id, 200);
}

static bool is_safe_base(const char *base)
{
	return base && (cg_starts_with(base, "https://") || cg_starts_with(base, "http://"));
}

/* The base URL, with what would end a markdown link destination percent-encoded. */
static void put_url_base(struct cg_buf *b, const char *base)
{
	for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
		unsigned char c = *p;
		if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == '\\' ||
		    c == '`' || c == '|')
			cg_buf_printf(b, "%%%02X", c);
		else
			cg_buf_putc(b, (char)c);
	}
}

static void put_location(struct cg_buf *b, const struct cg_finding *f, const char *link_base)
{
	bool is_linked = is_safe_base(link_base);
	if (is_linked)
		cg_buf_putc(b, '[');
	put_md(b, f->path, 0);
	if (f->line)
		cg_buf_printf(b, ":%u", f->line);
	if (!is_linked)
		return;
	cg_buf_puts(b, "](");
	put_url_base(b, link_base);
	if (!cg_ends_with(link_base, "/"))
		cg_buf_putc(b, '/');
	cg_report_put_uri_path(b, f->path);
	if (f->line) {
		cg_buf_printf(b, "#L%u", f->line);
		if (f->end_line > f->line)
			cg_buf_printf(b, "-L%u", f->end_line);
	}
	cg_buf_putc(b, ')');
}

struct rule_count {
	const char *rule;
	size_t n[CG_SEV_COUNT];
};

static void count_rules(struct rule_count **out, size_t *len, const struct cg_findings *fs)
{
	size_t cap = 0;
	*out = NULL;
	*len = 0;
	for (size_t i = 0; i < fs->len; i++) {
		const struct cg_finding *f = &fs->items[i];
		size_t k = 0;
		if (!cg_finding_is_visible(f) || f->severity >= CG_SEV_COUNT)
			continue;
		while (k < *len && strcmp((*out)[k].rule, f->rule))
			k++;
		if (k == *len) {
			cg_array_grow((void **)out, &cap, *len + 1, sizeof(**out));
			memset(&(*out)[k], 0, sizeof(**out));
			(*out)[k].rule = f->rule;
			(*len)++;
		}
		(*out)[k].n[f->severity]++;
	}
}

static void put_counts(struct cg_buf *b, const size_t counts[CG_SEV_COUNT])
{
	static const struct {
		enum cg_severity sev;
		const char *word;
	} words[] = { { CG_SEV_ERROR, "error" }, { CG_SEV_WARNING, "warning" }, { CG_SEV_NOTE, "note" } };
	bool first = true;
	for (size_t i = 0; i < 3; i++) {
		size_t n = counts[words[i].sev];
		if (!n)
			continue;
		cg_buf_printf(b, "%s%zu %s%s", first ? "" : ", ", n, words[i].word, n == 1 ? "" : "s");
		first = false;
	}
}

static int write_markdown(struct cg_buf *b, const struct cg_report_input *in)
{
	const struct cg_findings *fs = in->findings;
	struct rule_count *rules = NULL;
	struct cg_finding_counts all;
	size_t nrules = 0, rows = 0, visible;

	cg_findings_count(&all, fs);
	visible = all.visible[CG_SEV_ERROR] + all.visible[CG_SEV_WARNING] + all.visible[CG_SEV_NOTE];

	cg_buf_puts(b, "## crabgate: ");
	if (visible)
		put_counts(b, all.visible);
	else
		cg_buf_puts(b, "no findings");
	cg_buf_printf(b, "\n\nChecked %zu %sfile%s", in->files,
		      in->source && !strcmp(in->source, "all") ? "" : "changed ", in->files == 1 ? "" : "s");
	if (in->source) {
		cg_buf_puts(b, " (");
		put_md(b, in->source, 0);
		if (in->base && *in->base && in->head && *in->head) {
			cg_buf_puts(b, " ");
			put_short_id(b, in->base);
			cg_buf_puts(b, "..");
			put_short_id(b, in->head);
		}
		cg_buf_puts(b, ")");
	}
	cg_buf_puts(b, ".");
	if (all.suppressed)
		cg_buf_printf(b, " %zu finding%s suppressed in the source.", all.suppressed,
			      all.suppressed == 1 ? "" : "s");
	if (all.baselined)
		cg_buf_printf(b, " %zu finding%s listed in the baseline.", all.baselined,
			      all.baselined == 1 ? "" : "s");
	cg_buf_puts(b, "\n");

	count_rules(&rules, &nrules, fs);
	if (nrules) {
		cg_buf_puts(b, "\n| Rule | Errors | Warnings | Notes |\n| --- | ---: | ---: | ---: |\n");
		for (size_t k = 0; k < nrules; k++) {
			cg_buf_puts(b, "| ");
			put_md(b, rules[k].rule, 200);
			cg_buf_printf(b, " | %zu | %zu | %zu |\n", rules[k].n[CG_SEV_ERROR], rules[k].n[CG_SEV_WARNING],
				      rules[k].n[CG_SEV_NOTE]);
		}
		cg_buf_printf(b, "| **total** | %zu | %zu | %zu |\n", all.visible[CG_SEV_ERROR],
			      all.visible[CG_SEV_WARNING], all.visible[CG_SEV_NOTE]);

		cg_buf_puts(b,
			    "\n### Findings\n\n| Severity | Location | Rule | Message |\n| --- | --- | --- | --- |\n");
		for (int s = CG_SEV_ERROR; s >= CG_SEV_NOTE; s--) {
			for (size_t i = 0; i < fs->len && rows < MAX_ROWS; i++) {
				const struct cg_finding *f = &fs->items[i];
				if (!cg_finding_is_visible(f) || (int)f->severity != s)
					continue;
				cg_buf_printf(b, "| %s | ", cg_severity_name(f->severity));
				put_location(b, f, in->link_base);
				cg_buf_puts(b, " | ");
				put_md(b, f->rule, 200);
				cg_buf_puts(b, " | ");
				put_md_prose(b, f->message, MAX_CELL, CG_MD_TABLE_CELL);
				if (f->help) {
					cg_buf_puts(b, "<br>help: ");
					put_md_prose(b, f->help, MAX_CELL, CG_MD_TABLE_CELL);
				}
				if (f->origin == CG_ORIGIN_REVIEW)
					cg_buf_puts(b, "<br>(from the model review)");
				cg_buf_puts(b, " |\n");
				rows++;
			}
		}
		if (visible > rows)
			cg_buf_printf(
				b, "\n%zu more finding%s not listed here; the SARIF and json reports have them all.\n",
				visible - rows, visible - rows == 1 ? " is" : "s are");
	}

	if (in->nskipped) {
		cg_buf_puts(b, "\n### Skipped\n\n");
		for (size_t i = 0; i < in->nskipped && i < MAX_LIST; i++) {
			cg_buf_puts(b, "- ");
			put_md(b, in->skipped[i].path, 500);
			cg_buf_puts(b, ": ");
			put_md_prose(b, in->skipped[i].reason, 500, 0);
			cg_buf_puts(b, "\n");
		}
		if (in->nskipped > MAX_LIST)
			cg_buf_printf(b, "- and %zu more\n", in->nskipped - MAX_LIST);
	}
	if (in->nnotes) {
		cg_buf_puts(b, "\n### Notes\n\n");
		for (size_t i = 0; i < in->nnotes && i < MAX_LIST; i++) {
			cg_buf_puts(b, "- ");
			put_md_prose(b, in->notes[i], MAX_CELL, 0);
			cg_buf_puts(b, "\n");
		}
		if (in->nnotes > MAX_LIST)
			cg_buf_printf(b, "- and %zu more\n", in->nnotes - MAX_LIST);
	}
	if (in->review_summary) {
		cg_buf_puts(b, "\n### Model review\n\n");
		put_md_prose(b, in->review_summary, 8 * MAX_CELL, 0);
		cg_buf_puts(b, "\n");
	}
	free(rules);
	return 0;
}

const struct cg_reporter cg_report_markdown = {
	.name = "markdown",
	.description = "a markdown job summary: counts, a table of findings, skipped files",
	.write = write_markdown,
};
