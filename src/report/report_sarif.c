/*
 * SARIF 2.1.0 for code scanning and other SARIF viewers: one run, the rule
 * registry (cg_report_input.rules) as the driver's rules, every finding as a result (suppressed and
 * baselined ones carry `suppressions`, so viewers can show them as such).
 *
 * What GitHub's upload checks: one run per tool, relative URIs (here against
 * %SRCROOT%), at most 5000 results per run. Columns are counted in Unicode
 * code points (`columnKind`), converted from the findings' byte columns with
 * the source line each finding carries.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/str.h"
#include "util/banned.h"

#ifndef CG_HOMEPAGE
#define CG_HOMEPAGE "https://github.com/crabgate/crabgate"
#endif

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* One entry of runs[0].tool.driver.rules: a registered rule or one only the findings name. */
struct rule_entry {
	const char *id;
	const struct cg_report_rule *rule; /* NULL: a review category or an unknown id */
	enum cg_severity level;
};

struct rule_table {
	struct rule_entry *items;
	size_t len, cap;
};

static size_t rule_index(const struct rule_table *t, const char *id)
{
	for (size_t i = 0; i < t->len; i++)
		if (!strcmp(t->items[i].id, id))
			return i;
	return t->len;
}

static void rules_collect(struct rule_table *t, const struct cg_report_input *in)
{
	for (size_t i = 0; i < in->nrules; i++) {
		cg_array_grow((void **)&t->items, &t->cap, t->len + 1, sizeof(*t->items));
		t->items[t->len++] = (struct rule_entry){ in->rules[i].id, &in->rules[i], in->rules[i].severity };
	}
	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		if (rule_index(t, f->rule) < t->len)
			continue;
		cg_array_grow((void **)&t->items, &t->cap, t->len + 1, sizeof(*t->items));
		t->items[t->len++] = (struct rule_entry){ f->rule, NULL, f->severity };
	}
}

static void put_key_str(struct cg_buf *b, const char *key, const char *value)
{
	cg_buf_printf(b, "\"%s\":", key);
	cg_report_put_json(b, value);
}

/* The explanation's first paragraph: what the rule is about, without the examples. */
static void put_first_paragraph(struct cg_buf *b, const char *text)
{
	const char *end = strstr(text, "\n\n");
	char *para = cg_strndup(text, end ? (size_t)(end - text) : strlen(text));
	for (char *p = para; *p; p++)
		if (*p == '\n')
			*p = ' ';
	cg_report_put_json(b, para);
	free(para);
}

/* The explanation as markdown: its four-space-indented examples become Rust code blocks. */
static void put_explain_markdown(struct cg_buf *b, const char *id, const char *text)
{
	struct cg_buf md = CG_BUF_INIT;
	bool in_code = false;
	size_t blanks = 0; /* held back: inside a code block only when more code follows */
	const char *line = text;

	while (*line) {
		const char *start = line, *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		bool is_code = len >= 4 && !strncmp(line, "    ", 4);
		line += len + (nl ? 1 : 0);
		if (len == 0) {
			blanks++;
			continue;
		}
		if (is_code && !in_code) {
			for (; blanks; blanks--)
				cg_buf_putc(&md, '\n');
			cg_buf_puts(&md, "```rust\n");
			in_code = true;
		} else if (!is_code && in_code) {
			cg_buf_puts(&md, "```\n");
			in_code = false;
		}
		for (; blanks; blanks--)
			cg_buf_putc(&md, '\n');
		cg_buf_put(&md, is_code ? start + 4 : start, is_code ? len - 4 : len);
		cg_buf_putc(&md, '\n');
	}
	if (in_code)
		cg_buf_puts(&md, "```\n");
	cg_buf_printf(&md, "\n`crabgate explain %s` prints this text.\n", id);
	cg_report_put_json(b, md.ptr);
	cg_buf_release(&md);
}

static void put_rule(struct cg_buf *b, const struct rule_entry *e)
{
	struct cg_buf t = CG_BUF_INIT;

	cg_buf_puts(b, "{");
	put_key_str(b, "id", e->id);
	if (e->rule) {
		cg_buf_puts(b, ",\"shortDescription\":{\"text\":");
		cg_report_put_json(b, e->rule->summary);
		cg_buf_puts(b, "},\"fullDescription\":{\"text\":");
		put_first_paragraph(b, e->rule->explain ? e->rule->explain : e->rule->summary);
		cg_buf_puts(b, "},\"help\":{\"text\":");
		cg_report_put_json(b, e->rule->explain ? e->rule->explain : e->rule->summary);
		cg_buf_puts(b, ",\"markdown\":");
		put_explain_markdown(b, e->id, e->rule->explain ? e->rule->explain : e->rule->summary);
		cg_buf_puts(b, "},\"properties\":{\"tags\":[\"crabgate\"]}");
	} else {
		bool is_review = cg_starts_with(e->id, "review/");
		const char *what = is_review ? e->id + strlen("review/") : e->id;
		if (is_review)
			cg_buf_printf(&t, "model review: %s", what);
		else
			cg_buf_printf(&t, "%s", what);
		cg_buf_puts(b, ",\"shortDescription\":{\"text\":");
		cg_report_put_json(b, t.ptr);
		cg_buf_truncate(&t, 0);
		if (is_review)
			cg_buf_printf(
				&t,
				"A comment of the optional model review, in its category '%s'. The model's text is "
				"advice to weigh, not a rule: it never fails a check unless the configuration "
				"makes the review required.",
				what);
		else
			cg_buf_printf(&t, "Findings of '%s', a rule this build of crabgate does not describe.", what);
		cg_buf_puts(b, "},\"fullDescription\":{\"text\":");
		cg_report_put_json(b, t.ptr);
		cg_buf_puts(b, "},\"help\":{\"text\":");
		cg_report_put_json(b, t.ptr);
		cg_buf_puts(b, ",\"markdown\":");
		cg_report_put_json(b, t.ptr);
		cg_buf_printf(b, "},\"properties\":{\"tags\":[\"crabgate\"%s]}", is_review ? ",\"review\"" : "");
	}
	cg_buf_printf(b, ",\"defaultConfiguration\":{\"level\":\"%s\"}}", cg_report_sarif_level(e->level));
	cg_buf_release(&t);
}

static void put_region(struct cg_buf *b, const struct cg_finding *f)
{
	uint32_t end_line = f->end_line >= f->line ? f->end_line : f->line;
	uint32_t start_col = cg_report_char_column(f->source_line, f->column), end_col = 0;

	cg_buf_printf(b, ",\"region\":{\"startLine\":%u", f->line);
	if (f->column) {
		cg_buf_printf(b, ",\"startColumn\":%u", start_col);
		if (f->end_column && end_line == f->line && f->end_column >= f->column)
			end_col = cg_report_char_column(f->source_line, f->end_column);
		else if (f->end_column && end_line > f->line)
			end_col = f->end_column; /* that line is not at hand: bytes, the best there is */
	}
	cg_buf_printf(b, ",\"endLine\":%u", end_line);
	if (end_col)
		cg_buf_printf(b, ",\"endColumn\":%u", end_col);
	if (f->source_line) {
		cg_buf_puts(b, ",\"snippet\":{\"text\":");
		cg_report_put_json(b, f->source_line);
		cg_buf_putc(b, '}');
	}
	cg_buf_putc(b, '}');
}

/*
 * The fix as SARIF's replacements, one artifactChange per file. Regions are
 * byte offsets: the edits' lines are not at hand to count code points in.
 */
static void put_fixes(struct cg_buf *b, const struct cg_fix *fix)
{
	struct cg_buf uri = CG_BUF_INIT;

	cg_buf_puts(b, ",\"fixes\":[{\"artifactChanges\":[");
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct cg_edit *e = &fix->edits[i];
		bool is_new_file = i == 0 || strcmp(e->path, fix->edits[i - 1].path);
		if (is_new_file) {
			cg_buf_truncate(&uri, 0);
			cg_report_put_uri_path(&uri, e->path);
			cg_buf_puts(b, i ? "]},{\"artifactLocation\":{\"uri\":" : "{\"artifactLocation\":{\"uri\":");
			cg_report_put_json(b, uri.ptr);
			cg_buf_puts(b, ",\"uriBaseId\":\"%SRCROOT%\"},\"replacements\":[");
		} else {
			cg_buf_putc(b, ',');
		}
		cg_buf_printf(b,
			      "{\"deletedRegion\":{\"byteOffset\":%u,\"byteLength\":%u},\"insertedContent\":{\"text\":",
			      e->byte_start, e->byte_end - e->byte_start);
		cg_report_put_json(b, e->replacement);
		cg_buf_puts(b, "}}");
	}
	cg_buf_printf(b, "%s],\"properties\":{\"applicability\":\"%s\"}}]", fix->nedits ? "]}" : "",
		      cg_applicability_name(fix->applicability));
	cg_buf_release(&uri);
}

static void put_result(struct cg_buf *b, const struct cg_finding *f, size_t ruleindex)
{
	struct cg_buf msg = CG_BUF_INIT, uri = CG_BUF_INIT;

	cg_buf_puts(b, "{");
	put_key_str(b, "ruleId", f->rule);
	cg_buf_printf(b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":", ruleindex,
		      cg_report_sarif_level(f->severity));
	cg_buf_puts(&msg, f->message);
	if (f->help)
		cg_buf_printf(&msg, "\nhelp: %s", f->help);
	cg_report_put_json(b, msg.ptr);
	cg_report_put_uri_path(&uri, f->path);
	cg_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
	cg_report_put_json(b, uri.ptr);
	cg_buf_puts(b, ",\"uriBaseId\":\"%SRCROOT%\"}");
	if (f->line)
		put_region(b, f);
	cg_buf_puts(b, "}}],\"partialFingerprints\":{\"crabgate/v1\":");
	cg_report_put_json(b, f->fingerprint);
	cg_buf_putc(b, '}');
	if (f->is_suppressed) {
		cg_buf_puts(b, ",\"suppressions\":[{\"kind\":\"inSource\",\"justification\":");
		cg_report_put_json(b, f->suppression_reason ? f->suppression_reason : "");
		cg_buf_puts(b, "}]");
	} else if (f->is_baselined) {
		cg_buf_puts(b,
			    ",\"suppressions\":[{\"kind\":\"external\",\"justification\":\"listed in the baseline\"}]");
	}
	if (f->fix && f->fix->nedits)
		put_fixes(b, f->fix);
	cg_buf_printf(b, ",\"properties\":{\"origin\":\"%s\"}}", f->origin == CG_ORIGIN_REVIEW ? "review" : "rules");
	cg_buf_release(&msg);
	cg_buf_release(&uri);
}

/* Higher ranks are kept first when results must be cut: errors, warnings, notes, then suppressed. */
static int rank(const struct cg_finding *f)
{
	return cg_finding_is_visible(f) ? (int)f->severity : 0;
}

/*
 * Chooses which findings fit under the cap: all when they fit, otherwise the
 * highest ranks, ties in report order. Returns how many were left out.
 */
static size_t choose(bool *keep, const struct cg_findings *findings, size_t max)
{
	size_t kept = 0;
	for (int r = CG_SEV_ERROR; r >= 0; r--)
		for (size_t i = 0; i < findings->len; i++)
			if (rank(&findings->items[i]) == r && kept < max) {
				keep[i] = true;
				kept++;
			}
	return findings->len - kept;
}

static void put_notification(struct cg_buf *b, bool *first, const char *level, const char *text)
{
	cg_buf_printf(b, "%s{\"level\":\"%s\",\"message\":{\"text\":", *first ? "" : ",", level);
	cg_report_put_json(b, text);
	cg_buf_puts(b, "}}");
	*first = false;
}

static int write_sarif(struct cg_buf *b, const struct cg_report_input *in)
{
	struct rule_table rules = { NULL, 0, 0 };
	bool *keep = cg_calloc(in->findings->len + 1, sizeof(*keep));
	size_t cut = choose(keep, in->findings, CG_REPORT_SARIF_MAX_RESULTS), n = 0;
	bool first = true;
	struct cg_buf t = CG_BUF_INIT;

	rules_collect(&rules, in);
	cg_buf_puts(b, "{\"$schema\":\"" SARIF_SCHEMA "\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{");
	put_key_str(b, "name", "crabgate");
	cg_buf_puts(b, ",");
	put_key_str(b, "version", in->tool_version ? in->tool_version : "0.0.0");
	cg_buf_puts(b, ",\"informationUri\":\"" CG_HOMEPAGE "\",\"rules\":[");
	for (size_t i = 0; i < rules.len; i++) {
		cg_buf_puts(b, i ? ",\n" : "\n");
		put_rule(b, &rules.items[i]);
	}
	cg_buf_puts(b, "]}},\n\"invocations\":[{\"executionSuccessful\":true,\"toolExecutionNotifications\":[");
	if (cut) {
		cg_buf_printf(
			&t,
			"%zu of %zu findings are not in this file: code scanning accepts at most %d results "
			"per run, so suppressed findings, then notes, then warnings were left out first; the json "
			"report has every visible finding",
			cut, in->findings->len, CG_REPORT_SARIF_MAX_RESULTS);
		put_notification(b, &first, "warning", t.ptr);
	}
	for (size_t i = 0; i < in->nskipped; i++) {
		cg_buf_truncate(&t, 0);
		cg_buf_printf(&t, "skipped %s: %s", in->skipped[i].path ? in->skipped[i].path : "",
			      in->skipped[i].reason ? in->skipped[i].reason : "");
		put_notification(b, &first, "note", t.ptr);
	}
	for (size_t i = 0; i < in->nnotes; i++)
		put_notification(b, &first, "note", in->notes[i]);
	cg_buf_puts(b,
		    "]}],\n\"originalUriBaseIds\":{\"%SRCROOT%\":{\"description\":{\"text\":"
		    "\"the root of the repository's work tree\"}}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		if (!keep[i])
			continue;
		cg_buf_puts(b, n++ ? ",\n" : "\n");
		put_result(b, f, rule_index(&rules, f->rule));
	}
	cg_buf_printf(b, "%s],\"properties\":{\"change\":{", n ? "\n" : "");
	put_key_str(b, "source", in->source);
	cg_buf_puts(b, ",");
	put_key_str(b, "base", in->base && *in->base ? in->base : NULL);
	cg_buf_puts(b, ",");
	put_key_str(b, "head", in->head && *in->head ? in->head : NULL);
	cg_buf_printf(b, ",\"files\":%zu},\"resultsCut\":%zu", in->files, cut);
	if (in->review_summary) {
		cg_buf_puts(b, ",");
		put_key_str(b, "reviewSummary", in->review_summary);
	}
	cg_buf_puts(b, "}}]}\n");
	cg_buf_release(&t);
	free(rules.items);
	free(keep);
	return 0;
}

const struct cg_reporter cg_report_sarif = {
	.name = "sarif",
	.description = "SARIF 2.1.0, for GitHub code scanning and SARIF viewers",
	.write = write_sarif,
};
