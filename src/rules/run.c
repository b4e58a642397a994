/* The rule pass: parse each changed file once, run the rules, filter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rule.h"
#include "syntax/rust.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#define ALLOW_MARK "crabgate:allow("

int cg_filter_parse(enum cg_filter *out, const char *name)
{
	static const char *names[] = { "added", "diff_context", "file", "all" };
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum cg_filter)i;
			return 0;
		}
	}
	return cg_error_set(CG_E_USAGE, "--filter '%s': expected one of added, diff_context, file, all", name);
}

const char *cg_filter_name(enum cg_filter filter)
{
	static const char *names[] = { "added", "diff_context", "file", "all" };
	return names[filter];
}

unsigned cg_file_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (cg_ends_with(base, ".rs"))
		return CG_KIND_RUST;
	if (!strcmp(base, "Cargo.toml"))
		return CG_KIND_CARGO_TOML;
	if (!strcmp(base, "Cargo.lock"))
		return CG_KIND_CARGO_LOCK;
	return 0;
}

struct cg_span cg_span_of(TSNode node)
{
	TSPoint s = ts_node_start_point(node), e = ts_node_end_point(node);
	struct cg_span span = { s.row + 1, s.column + 1, e.row + 1, e.column + 1 };
	return span;
}

void cg_rule_emit(struct cg_rule_ctx *ctx, const struct cg_emit *e)
{
	struct cg_finding *f = cg_findings_add(ctx->sink);
	f->rule = cg_strdup(ctx->rule->id);
	f->severity = e->severity != CG_SEV_OFF ? e->severity : ctx->severity;
	f->path = cg_strdup(ctx->path);
	f->line = e->span.line ? e->span.line : 1;
	f->end_line = e->span.end_line >= f->line ? e->span.end_line : f->line;
	f->column = e->span.column ? e->span.column : 1;
	f->end_column = e->span.end_column ? e->span.end_column : f->column + 1;
	if (f->end_line == f->line && f->end_column <= f->column)
		f->end_column = f->column + 1;
	f->message = cg_strdup(e->message);
	f->help = cg_strdup(e->help);
	f->origin = CG_ORIGIN_RULES;
}

void cg_pass_stats_release(struct cg_pass_stats *stats)
{
	for (size_t i = 0; i < stats->nskipped; i++)
		free(stats->skipped[i].path);
	free(stats->skipped);
	memset(stats, 0, sizeof(*stats));
}

static void note_skipped(struct cg_pass_stats *stats, const char *path, const char *reason)
{
	cg_array_grow((void **)&stats->skipped, &stats->skipped_cap, stats->nskipped + 1, sizeof(*stats->skipped));
	stats->skipped[stats->nskipped].path = cg_strdup(path);
	stats->skipped[stats->nskipped].reason = reason;
	stats->nskipped++;
	stats->files_skipped++;
}

static bool visible_by_filter(const struct cg_changed_file *f, const struct cg_finding *fd, enum cg_filter filter)
{
	if (filter == CG_FILTER_ALL || filter == CG_FILTER_FILE)
		return true;
	for (uint32_t l = fd->line; l <= fd->end_line; l++) {
		if (filter == CG_FILTER_ADDED ? cg_changed_file_is_added(f, l) : cg_changed_file_in_hunks(f, l))
			return true;
		if (l - fd->line > 10000)
			break;
	}
	return false;
}

/*
 * Looks for `crabgate:allow(id[, id]) reason` in a comment on `line`.
 * Returns 1 and the reason (maybe empty) when `rule` is listed, else 0.
 */
static int find_allow(const struct cg_source *src, uint32_t line, const char *rule, const char **reason, size_t *rlen,
		      uint32_t *col)
{
	size_t len;
	const char *text = cg_source_line(src, line, &len);
	const char *end = text + len, *p = text;

	while (p < end) {
		const char *hit = NULL;
		for (const char *q = p; q + sizeof(ALLOW_MARK) - 1 <= end; q++) {
			if (!memcmp(q, ALLOW_MARK, sizeof(ALLOW_MARK) - 1)) {
				hit = q;
				break;
			}
		}
		if (!hit)
			return 0;
		/* Only in a comment: a `//` or `#` before it on the line. */
		bool in_comment = false;
		for (const char *q = text; q < hit; q++)
			if ((q[0] == '/' && q + 1 < hit && q[1] == '/') || q[0] == '#')
				in_comment = true;
		const char *ids = hit + sizeof(ALLOW_MARK) - 1;
		const char *close = memchr(ids, ')', (size_t)(end - ids));
		if (!in_comment || !close)
			return 0;
		for (const char *id = ids; id < close;) {
			while (id < close && (*id == ' ' || *id == ','))
				id++;
			const char *idend = id;
			while (idend < close && *idend != ',' && *idend != ' ')
				idend++;
			if ((size_t)(idend - id) == strlen(rule) && !memcmp(id, rule, strlen(rule))) {
				const char *r = close + 1;
				while (r < end && (*r == ' ' || *r == '\t' || *r == ':' || *r == '-'))
					r++;
				*reason = r;
				*rlen = (size_t)(end - r);
				while (*rlen && (r[*rlen - 1] == ' ' || r[*rlen - 1] == '\t'))
					(*rlen)--;
				*col = (uint32_t)(hit - text) + 1;
				return 1;
			}
			id = idend;
		}
		p = close;
	}
	return 0;
}

static int load_baseline(char ***fps, size_t *n, const char *path)
{
	*fps = NULL;
	*n = 0;
	return path && *path ? cg_baseline_load(fps, n, path) : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cg_baseline_load(char ***out, size_t *n, const char *path)
{
	struct cg_buf text = CG_BUF_INIT;
	char **fps = NULL;
	size_t len = 0, cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = cg_fs_read(&text, path, 64u * 1024 * 1024)) < 0)
		return cg_error_set(CG_E_INPUT, "baseline %s: %s", path, cg_error_last());
	for (char *line = text.ptr; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' '))
			l--;
		if (l && line[0] != '#') {
			size_t w = 0;
			while (w < l && line[w] != ' ' && line[w] != '\t')
				w++;
			cg_array_grow((void **)&fps, &cap, len + 1, sizeof(*fps));
			fps[len++] = cg_strndup(line, w);
		}
		line = nl ? nl + 1 : NULL;
	}
	qsort(fps, len, sizeof(*fps), cmp_str);
	cg_buf_release(&text);
	*out = fps;
	*n = len;
	return 0;
}

int cg_baseline_write(const char *path, const struct cg_findings *findings)
{
	struct cg_buf out = CG_BUF_INIT;
	int err;
	cg_buf_puts(&out, "# crabgate baseline: findings listed here are hidden by `crabgate check --baseline`.\n"
			  "# fingerprint  rule  path (the path and rule are for people; only the fingerprint counts)\n");
	for (size_t i = 0; i < findings->len; i++) {
		const struct cg_finding *f = &findings->items[i];
		if (f->is_suppressed)
			continue;
		cg_buf_printf(&out, "%s %s %s\n", f->fingerprint, f->rule, f->path);
	}
	err = cg_fs_write_atomic(path, out.ptr, out.size);
	cg_buf_release(&out);
	return err;
}

/* `crabgate:allow(rule)` with no reason: the finding stands, and so does a note. */
static void report_bare_allow(struct cg_findings *out, const struct cg_rule *allow_rule,
			      const struct cg_conf_node *allow_cfg, const struct cg_source *src,
			      const struct cg_finding *f, uint32_t line, uint32_t col)
{
	enum cg_severity sev = allow_rule ? allow_rule->default_severity : CG_SEV_OFF;
	struct cg_finding *n;
	struct cg_buf msg = CG_BUF_INIT;
	size_t len;
	const char *text = cg_source_line(src, line, &len);

	if (allow_cfg && (!cg_conf_bool(allow_cfg, "enabled", true) ||
			  cg_severity_parse(&sev, cg_conf_str(allow_cfg, "severity", "note")) < 0))
		sev = CG_SEV_OFF;
	if (sev == CG_SEV_OFF)
		return;
	cg_buf_printf(&msg, "crabgate:allow(%s) without a reason does not suppress the finding", f->rule);
	n = cg_findings_add(out);
	n->rule = cg_strdup(allow_rule->id);
	n->severity = sev;
	n->path = cg_strdup(f->path);
	n->line = n->end_line = line;
	n->column = col;
	n->end_column = col + (uint32_t)(sizeof(ALLOW_MARK) - 1 + strlen(f->rule) + 1);
	n->message = cg_buf_detach(&msg, NULL);
	n->help = cg_strdup("say why after the parenthesis: // crabgate:allow(rule-id) reason");
	n->source_line = cg_strndup(text, len);
	n->origin = CG_ORIGIN_RULES;
	cg_fingerprint(n->fingerprint, n->rule, n->path, text, len, 0);
}

/* Fills source lines, suppressions, fingerprints; moves visible ones to `out`. */
static void finish_file(struct cg_findings *out, struct cg_findings *raw, const struct cg_changed_file *file,
			const struct cg_source *src, enum cg_filter filter, char **baseline, size_t nbaseline,
			const struct cg_config *cfg)
{
	const struct cg_rule *allow_rule = cg_rule_find("allow-without-reason");
	const struct cg_conf_node *allow_cfg = cg_config_get(cfg, "rules.allow-without-reason");
	size_t nraw = raw->len;
	char (*base_fp)[17];

	cg_findings_sort(raw);
	/* Base fingerprints of every raw finding first: the occurrence index must
	 * not depend on which findings the filter shows, nor on moved-out items. */
	base_fp = cg_calloc(nraw ? nraw : 1, sizeof(*base_fp));
	for (size_t i = 0; i < nraw; i++) {
		const struct cg_finding *f = &raw->items[i];
		struct cg_buf span = CG_BUF_INIT;
		for (uint32_t l = f->line; l <= f->end_line && l < f->line + 50; l++) {
			size_t n;
			const char *t = cg_source_line(src, l, &n);
			cg_buf_put(&span, t, n);
			cg_buf_putc(&span, '\n');
		}
		cg_fingerprint(base_fp[i], f->rule, f->path, span.ptr, span.size, 0);
		cg_buf_release(&span);
	}
	for (size_t i = 0; i < nraw; i++) {
		struct cg_finding *f = &raw->items[i];
		size_t tlen;
		const char *text = cg_source_line(src, f->line, &tlen);
		struct cg_buf span = CG_BUF_INIT;
		unsigned occ = 0;

		if (!visible_by_filter(file, f, filter))
			continue;
		f->source_line = cg_strndup(text, tlen);
		for (uint32_t l = f->line; l <= f->end_line && l < f->line + 50; l++) {
			size_t n;
			const char *t = cg_source_line(src, l, &n);
			cg_buf_put(&span, t, n);
			cg_buf_putc(&span, '\n');
		}
		/* Occurrence: earlier raw findings (visible or not) with the same base fingerprint. */
		cg_fingerprint(f->fingerprint, f->rule, f->path, span.ptr, span.size, 0);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(base_fp[j], f->fingerprint))
				occ++;
		if (occ)
			cg_fingerprint(f->fingerprint, f->rule, f->path, span.ptr, span.size, occ);
		cg_buf_release(&span);

		uint32_t cands[2] = { f->line, f->line > 1 ? f->line - 1 : 0 };
		for (int k = 0; k < 2 && cands[k]; k++) {
			uint32_t l = cands[k], col;
			const char *reason;
			size_t rlen;
			if (!find_allow(src, l, f->rule, &reason, &rlen, &col))
				continue;
			if (rlen) {
				f->is_suppressed = true;
				f->suppression_reason = cg_strndup(reason, rlen);
			} else {
				report_bare_allow(out, allow_rule, allow_cfg, src, f, l, col);
			}
			break;
		}
		if (nbaseline && bsearch(&(char *){ f->fingerprint }, baseline, nbaseline, sizeof(*baseline), cmp_str))
			f->is_baselined = true;

		/* Move the finding to the output. */
		*cg_findings_add(out) = *f;
		memset(f, 0, sizeof(*f));
	}
	free(base_fp);
	cg_findings_release(raw);
}

struct list_ctx {
	struct cg_change *change;
	size_t known;
};

static int add_unchanged(const char *path, void *payload)
{
	struct list_ctx *lc = payload;
	struct cg_changed_file *f;
	if (!cg_file_kind_of(path))
		return 0;
	for (size_t i = 0; i < lc->known; i++)
		if (!strcmp(lc->change->files[i].path, path))
			return 0;
	f = cg_change__add_file(lc->change, path);
	if (cg_change_read(lc->change, path, &f->content) < 0) {
		f->skip_reason = "unreadable";
		cg_error_clear();
	}
	f->is_loaded = true;
	return 0;
}

int cg_rules_run(struct cg_findings *out, struct cg_pass_stats *stats, struct cg_change *change,
		 const struct cg_config *cfg, const struct cg_pass_opts *opts)
{
	char **baseline = NULL;
	size_t nbaseline = 0;
	const struct cg_conf_node *rules_cfg = cg_config_get(cfg, "rules");
	const struct cg_conf_node *root = cfg->root;
	int err = 0;

	if ((err = load_baseline(&baseline, &nbaseline, opts->baseline_path)) < 0)
		return err;
	if (opts->filter == CG_FILTER_ALL) {
		struct list_ctx lc = { change, change->nfiles };
		if ((err = cg_change_list(change, "", add_unchanged, &lc)) < 0)
			goto done;
	}

	for (size_t i = 0; i < change->nfiles; i++) {
		struct cg_changed_file *file = &change->files[i];
		unsigned kind = cg_file_kind_of(file->path);
		struct cg_findings raw = CG_FINDINGS_INIT;
		struct cg_source src;
		struct cg_rust_file *rust = NULL;
		const char *text;
		size_t len;

		if (!kind)
			continue;
		if (cg_conf_seq_glob(root, "exclude", file->path)) {
			note_skipped(stats, file->path, "excluded by config");
			continue;
		}
		if (file->skip_reason) {
			note_skipped(stats, file->path, file->skip_reason);
			continue;
		}
		if ((err = cg_change_content(change, file, &text, &len)) < 0) {
			if (err == CG_E_TOOBIG) {
				note_skipped(stats, file->path, "too large to check");
				cg_error_clear();
				err = 0;
				continue;
			}
			goto done;
		}
		if (file->skip_reason) {
			note_skipped(stats, file->path, file->skip_reason);
			continue;
		}
		if ((err = cg_source_parse(&src, kind == CG_KIND_RUST ? CG_LANG_RUST : CG_LANG_TOML, text, len)) < 0) {
			note_skipped(stats, file->path, "could not be parsed");
			cg_error_clear();
			err = 0;
			continue;
		}
		if (kind == CG_KIND_RUST)
			rust = cg_rust_file_new(&src);
		stats->files_checked++;

		for (size_t r = 0; r < cg_nrules; r++) {
			const struct cg_rule *rule = cg_rules[r];
			const struct cg_conf_node *rc = cg_conf_child(rules_cfg, rule->id);
			struct cg_rule_ctx ctx = { 0 };
			enum cg_severity sev = rule->default_severity;

			if (!rule->check || !(rule->wants & kind))
				continue;
			if (rc && !cg_conf_bool(rc, "enabled", true))
				continue;
			if (rc && cg_conf_str(rc, "severity", NULL) && cg_severity_parse(&sev, cg_conf_str(rc, "severity", NULL)) < 0) {
				err = CG_E_CONFIG;
				break;
			}
			if (sev == CG_SEV_OFF || (rc && cg_conf_seq_glob(rc, "skip", file->path)))
				continue;
			ctx.rule = rule;
			ctx.cfg = cfg;
			ctx.rule_cfg = rc;
			ctx.severity = sev;
			ctx.change = change;
			ctx.file = file;
			ctx.kind = (enum cg_file_kind)kind;
			ctx.path = file->path;
			ctx.src = &src;
			ctx.file_data = rust;
			ctx.sink = &raw;
			if ((err = rule->check(&ctx)) < 0)
				break;
		}
		if (!err)
			finish_file(out, &raw, file, &src, opts->filter, baseline, nbaseline, cfg);
		cg_findings_release(&raw);
		cg_rust_file_free(rust);
		cg_source_release(&src);
		/* The text is not needed again: keep memory flat over large changes. */
		if (file->has_new_id) {
			cg_buf_release(&file->content);
			file->is_loaded = false;
		}
		if (err < 0)
			goto done;
	}
	cg_findings_sort(out);
done:
	for (size_t i = 0; i < nbaseline; i++)
		free(baseline[i]);
	free(baseline);
	return err;
}
