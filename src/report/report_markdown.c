/*
 * A markdown job summary (GitHub's $GITHUB_STEP_SUMMARY, or any CI that shows
 * markdown): counts per rule and severity, a table of the findings linked to
 * their lines when a base URL is known, what was skipped and why, notes.
 *
 * Finding text may come from a pull request or a model, and this markdown is
 * rendered as HTML next to the project's own pages: every piece of it is
 * escaped (table pipes, code spans, emphasis, links, raw HTML), @mentions
 * and #references are broken so a finding cannot ping people or cross-link
 * issues, and the output is bounded (GitHub refuses summaries over 1 MiB).
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/report_internal.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_ROWS 200   /* findings listed in the table */
#define MAX_CELL 1000  /* bytes of one message shown */
#define MAX_LIST 50    /* skipped files and notes listed */
#define ZWSP "&#8203;" /* breaks @mention and #123 without changing what people read */

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Where finding text goes: a table cell, or a list item / paragraph. */
enum md_place { MD_CELL, MD_BLOCK };

/*
 * The end (just past the closing run) of the code span whose opening run of
 * `run` backticks starts at s[i], or 0 when no run of that length closes it
 * before len: CommonMark's rule, so what is a code span here is one on GitHub.
 */
static size_t code_span_end(const char *s, size_t len, size_t i, size_t run)
{
	size_t j = i + run;
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

/*
 * The inside of a code span: markdown, HTML, mentions and references are
 * not read there, so it goes as it is, except what would end the table row
 * or the cell (a line break; `|`, which GFM lets `\|` escape even inside a
 * code span in a table) and bytes no one should see raw.
 */
static void put_code(struct cg_buf *b, const char *s, size_t len, enum md_place place)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, s + i, len - i);
		if (!n) {
			cg_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (cp == '\n' || cp == '\r' || cp == '\t')
			cg_buf_putc(b, ' ');
		else if (cp == '|' && place == MD_CELL)
			cg_buf_puts(b, "\\|");
		else if (cg_escape_is_control(cp))
			cg_buf_printf(b, "\\u{%x}", (unsigned)cp);
		else
			cg_buf_put(b, s + i, n);
		i += n;
	}
}

/*
 * Appends at most `max` bytes of `s` (0 = all) escaped for inline markdown;
 * line breaks become <br> so text stays inside its table cell or list item.
 * With `has_code`, code spans in the text (`Utc::now()` in a message) stay
 * code spans; without, a backtick is just a character (paths, ids).
 */
static void put_md_text(struct cg_buf *b, const char *s, size_t max, bool has_code, enum md_place place)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	bool cut = false;

	if (max && len > max) {
		len = max;
		cut = true;
	}
	while (i < len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, s + i, len - i);
		if (!n) {
			if (cut && (unsigned char)s[i] >= 0x80 && len - i < 4)
				break; /* a character the cut split in two */
			cg_buf_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (cp == '`' && has_code) {
			size_t run = strspn(s + i, "`"), close;
			if (run > len - i)
				run = len - i;
			close = code_span_end(s, len, i, run);
			/* crabgate's comment markers are HTML comments: none may appear raw, code or not. */
			if (close && !memmem(s + i, close - i, "<!--", 4)) {
				cg_buf_put(b, s + i, run);
				put_code(b, s + i + run, close - i - 2 * run, place);
				cg_buf_put(b, s + i, run);
				i = close;
				continue;
			}
			/* Not closed (or cut off by max): literal backticks. */
			for (size_t k = 0; k < run; k++)
				cg_buf_puts(b, "\\`");
			i += run;
			continue;
		}
		/*
		 * Autolinks go nowhere: a model's (or a file's) "http://host/…" or
		 * "www.host" would be linked by GitHub and GitLab even with its
		 * brackets escaped. A zero-width space reads the same and breaks it.
		 */
		if (cp == ':' && len - i >= 3 && !memcmp(s + i, "://", 3) && i && is_word(s[i - 1])) {
			cg_buf_puts(b, ZWSP "://");
			i += 3;
			continue;
		}
		if ((cp == 'w' || cp == 'W') && len - i >= 4 && !strncasecmp(s + i, "www.", 4) &&
		    (!i || !is_word(s[i - 1]))) {
			cg_buf_put(b, s + i, 3);
			cg_buf_puts(b, ZWSP ".");
			i += 4;
			continue;
		}
		switch (cp) {
		case '\n':
			cg_buf_puts(b, "<br>");
			break;
		case '\r':
			break;
		case '\t':
			cg_buf_putc(b, ' ');
			break;
		case '<':
			cg_buf_puts(b, "&lt;");
			break;
		case '>':
			cg_buf_puts(b, "&gt;");
			break;
		case '&':
			cg_buf_puts(b, "&amp;");
			break;
		case '@':
		case '#':
			cg_buf_putc(b, (char)cp);
			if (i + 1 < len && is_word(s[i + 1]))
				cg_buf_puts(b, ZWSP);
			break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '|':
		case '~':
		case '!':
			cg_buf_putc(b, '\\');
			cg_buf_putc(b, (char)cp);
			break;
		default:
			if (cg_escape_is_control(cp))
				cg_buf_printf(b, "\\\\u{%x}", (unsigned)cp);
			else
				cg_buf_put(b, s + i, n);
		}
		i += n;
	}
	if (cut)
		cg_buf_puts(b, "…");
}

/* Names (paths, rule ids, refs): every character shown as it is. */
static void put_md(struct cg_buf *b, const char *s, size_t max)
{
	put_md_text(b, s, max, false, MD_CELL);
}

/* Prose (messages, help, notes): its code spans stay code spans. */
static void put_md_prose(struct cg_buf *b, const char *s, size_t max, enum md_place place)
{
	put_md_text(b, s, max, true, place);
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
				put_md_prose(b, f->message, MAX_CELL, MD_CELL);
				if (f->help) {
					cg_buf_puts(b, "<br>help: ");
					put_md_prose(b, f->help, MAX_CELL, MD_CELL);
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
			put_md_prose(b, in->skipped[i].reason, 500, MD_BLOCK);
			cg_buf_puts(b, "\n");
		}
		if (in->nskipped > MAX_LIST)
			cg_buf_printf(b, "- and %zu more\n", in->nskipped - MAX_LIST);
	}
	if (in->nnotes) {
		cg_buf_puts(b, "\n### Notes\n\n");
		for (size_t i = 0; i < in->nnotes && i < MAX_LIST; i++) {
			cg_buf_puts(b, "- ");
			put_md_prose(b, in->notes[i], MAX_CELL, MD_BLOCK);
			cg_buf_puts(b, "\n");
		}
		if (in->nnotes > MAX_LIST)
			cg_buf_printf(b, "- and %zu more\n", in->nnotes - MAX_LIST);
	}
	if (in->review_summary) {
		cg_buf_puts(b, "\n### Model review\n\n");
		put_md_prose(b, in->review_summary, 8 * MAX_CELL, MD_BLOCK);
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
