/* The rule pass: parse each changed file once, run the rules, filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rule.h"
#include "crate/workspace.h"
#include "syntax/items.h"
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
	f->message = cg_strdup(e->message ? e->message : "");
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

enum { NOT_COMMENT, LINE_COMMENT, BLOCK_COMMENT };

/* Which kind of comment node byte `off` of the source lies in, if any. */
static int comment_at(const struct cg_source *src, uint32_t off)
{
	TSNode n = ts_node_descendant_for_byte_range(cg_source_root(src), off, off + 1);
	for (; !ts_node_is_null(n); n = ts_node_parent(n)) {
		const char *t = ts_node_type(n);
		if (!strcmp(t, "line_comment") || !strcmp(t, "comment"))
			return LINE_COMMENT;
		if (!strcmp(t, "block_comment"))
			return BLOCK_COMMENT;
		if (!strcmp(t, "source_file") || !strcmp(t, "document"))
			break;
	}
	return NOT_COMMENT;
}

/*
 * Looks for `crabgate:allow(id[, id]) reason` in a comment on `line`. With
 * `is_above`, the comment must be alone on its line (a trailing comment on
 * the line above belongs to that line). Returns 1 and the reason (maybe
 * empty) when `rule` is listed, else 0.
 */
static int find_allow(const struct cg_source *src, uint32_t line, bool is_above, const char *rule, const char **reason,
		      size_t *rlen, uint32_t *col)
{
	size_t len, rule_len = strlen(rule);
	const char *text = cg_source_line(src, line, &len);
	const char *end = text + len, *p = text;

	while (p < end) {
		const char *hit = NULL, *ids, *close, *lead = text;
		int kind;
		for (const char *q = p; q + sizeof(ALLOW_MARK) - 1 <= end; q++) {
			if (!memcmp(q, ALLOW_MARK, sizeof(ALLOW_MARK) - 1)) {
				hit = q;
				break;
			}
		}
		if (!hit)
			return 0;
		ids = hit + sizeof(ALLOW_MARK) - 1;
		close = memchr(ids, ')', (size_t)(end - ids));
		if (!close)
			return 0;
		p = close;
		/* In a comment by the syntax tree, not in a string that happens to hold the words. */
		kind = comment_at(src, src->line_starts[line - 1] + (uint32_t)(hit - text));
		if (kind == NOT_COMMENT)
			continue;
		while (lead < hit && (*lead == ' ' || *lead == '\t'))
			lead++;
		if (is_above && comment_at(src, src->line_starts[line - 1] + (uint32_t)(lead - text)) == NOT_COMMENT)
			continue;
		for (const char *id = ids; id < close;) {
			const char *idend;
			while (id < close && (*id == ' ' || *id == ','))
				id++;
			idend = id;
			while (idend < close && *idend != ',' && *idend != ' ')
				idend++;
			if ((size_t)(idend - id) == rule_len && !memcmp(id, rule, rule_len)) {
				const char *r = close + 1;
				size_t n;
				while (r < end && (*r == ' ' || *r == '\t' || *r == ':' || *r == '-'))
					r++;
				n = (size_t)(end - r);
				/* A block comment's closing marker is not part of the reason. */
				while (n && (r[n - 1] == ' ' || r[n - 1] == '\t'))
					n--;
				if (kind == BLOCK_COMMENT && n >= 2 && r[n - 2] == '*' && r[n - 1] == '/')
					n -= 2;
				while (n && (r[n - 1] == ' ' || r[n - 1] == '\t'))
					n--;
				*reason = r;
				*rlen = n;
				*col = (uint32_t)(hit - text) + 1;
				return 1;
			}
			id = idend;
		}
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
	cg_buf_puts(&out,
		    "# crabgate baseline: findings listed here are hidden by `crabgate check --baseline`.\n"
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

/* The settings the pass needs for every file, looked up once. */
struct pass_env {
	enum cg_filter filter;
	char **baseline;
	size_t nbaseline;
	const struct cg_rule *allow_rule;
	const struct cg_conf_node *allow_cfg;
	enum cg_severity allow_sev; /* CG_SEV_OFF: bare allows are not reported */
};

static bool is_baselined(const struct pass_env *env, const char *fingerprint)
{
	return env->nbaseline &&
	       bsearch(&fingerprint, env->baseline, env->nbaseline, sizeof(*env->baseline), cmp_str) != NULL;
}

/* `crabgate:allow(rule)` with no reason: the finding stands, and so does a note (once per comment and rule). */
static void report_bare_allow(struct cg_findings *out, const struct pass_env *env, const struct cg_source *src,
			      const struct cg_finding *f, uint32_t line, uint32_t col)
{
	struct cg_finding *n;
	struct cg_buf msg = CG_BUF_INIT;
	size_t len;
	const char *text = cg_source_line(src, line, &len);

	if (env->allow_sev == CG_SEV_OFF || !env->allow_rule ||
	    (env->allow_cfg && cg_conf_seq_glob(env->allow_cfg, "skip", f->path)))
		return;
	cg_buf_printf(&msg, "crabgate:allow(%s) without a reason does not suppress the finding", f->rule);
	for (size_t i = 0; i < out->len; i++) {
		const struct cg_finding *o = &out->items[i];
		if (o->line == line && o->column == col && !strcmp(o->rule, env->allow_rule->id) &&
		    !strcmp(o->path, f->path) && !strcmp(o->message, msg.ptr)) {
			cg_buf_release(&msg);
			return;
		}
	}
	n = cg_findings_add(out);
	n->rule = cg_strdup(env->allow_rule->id);
	n->severity = env->allow_sev;
	n->path = cg_strdup(f->path);
	n->line = n->end_line = line;
	n->column = col;
	n->end_column = col + (uint32_t)(sizeof(ALLOW_MARK) - 1 + strlen(f->rule) + 1);
	n->message = cg_buf_detach(&msg, NULL);
	n->help = cg_strdup("say why after the parenthesis: // crabgate:allow(rule-id) reason");
	n->source_line = cg_strndup(text, len);
	n->origin = CG_ORIGIN_RULES;
	cg_fingerprint(n->fingerprint, n->rule, n->path, text, len, 0);
	n->is_baselined = is_baselined(env, n->fingerprint);
}

/* The flagged lines' text (at most 50), the part of a fingerprint that survives line shifts. */
/* Lines longer than this (minified or generated) are hashed and shown only around the span. */
#define LONG_LINE 4096
#define LONG_LINE_CONTEXT 256

/*
 * The text a fingerprint hashes: the flagged lines, at most 50, and of a
 * long line only a window around the span, so thousands of findings on one
 * megabyte-long line cost kilobytes each, not megabytes.
 */
static void span_text(struct cg_buf *out, const struct cg_source *src, const struct cg_finding *f)
{
	for (uint32_t l = f->line; l <= f->end_line && l - f->line < 50; l++) {
		size_t n;
		const char *t = cg_source_line(src, l, &n);
		if (n > LONG_LINE) {
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

struct fp_slot {
	char fp[17];
	size_t index;
};

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
static void fingerprint_all(struct cg_findings *raw, const struct cg_source *src, struct fp_slot *slots)
{
	for (size_t i = 0; i < raw->len; i++) {
		struct cg_buf span = CG_BUF_INIT;
		span_text(&span, src, &raw->items[i]);
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
		span_text(&span, src, f);
		cg_fingerprint(f->fingerprint, f->rule, f->path, span.ptr, span.size, (unsigned)++occ);
		cg_buf_release(&span);
	}
}

/*
 * Suppressed copies take occurrence numbers but are never written to a
 * baseline, so a group's baselined numbers may skip a few past its size.
 */
#define BASELINE_GAP_SLACK 16

/*
 * The baseline is a multiset: of n identical findings (one group of
 * `slots`) it hides as many as it lists, whatever their occurrence numbers,
 * and shows the surplus, on added lines first and latest first. Numbers
 * alone would let an added copy take the old copy's number, as git's diff
 * may mark either copy as the added one.
 */
static void mark_baselined(struct cg_findings *raw, const struct fp_slot *slots, const struct cg_source *src,
			   const struct cg_changed_file *file, const struct pass_env *env)
{
	for (size_t g = 0, end; g < raw->len; g = end) {
		struct cg_finding *first = &raw->items[slots[g].index];
		struct cg_buf span = CG_BUF_INIT;
		size_t members = 0, listed = 0, shown;

		for (end = g; end < raw->len && !strcmp(slots[end].fp, slots[g].fp); end++)
			members += !raw->items[slots[end].index].is_suppressed;
		span_text(&span, src, first);
		for (size_t occ = 0; listed < members && occ < end - g + BASELINE_GAP_SLACK; occ++) {
			char fp[17];
			cg_fingerprint(fp, first->rule, first->path, span.ptr, span.size, (unsigned)occ);
			listed += is_baselined(env, fp);
		}
		cg_buf_release(&span);
		shown = members - listed;
		for (size_t i = g; i < end; i++) {
			struct cg_finding *f = &raw->items[slots[i].index];
			f->is_baselined = !f->is_suppressed;
		}
		for (int pass = 0; pass < 2 && shown; pass++) {
			for (size_t i = end; i-- > g && shown;) {
				struct cg_finding *f = &raw->items[slots[i].index];
				if (!f->is_baselined || (pass == 0 && !visible_by_filter(file, f, CG_FILTER_ADDED)))
					continue;
				f->is_baselined = false;
				shown--;
			}
		}
	}
}

/*
 * The findings raw[from..] were made from the tree `src` has now: settles
 * what needs that tree, the source lines and `crabgate:allow` comments of
 * the visible ones, before the tree goes (a huge file is parsed a slice at
 * a time). A source parsed for no rule is parsed here, only when a line
 * holds the marker.
 */
static void settle_findings(struct cg_findings *out, struct cg_findings *raw, size_t from,
			    const struct cg_changed_file *file, struct cg_source *src, const struct pass_env *env)
{
	for (size_t i = from; i < raw->len; i++) {
		struct cg_finding *f = &raw->items[i];
		size_t tlen;
		const char *text = cg_source_line(src, f->line, &tlen);
		bool is_visible = visible_by_filter(file, f, env->filter);

		/* A baseline counts the unsuppressed copies of a finding, shown or not (mark_baselined). */
		if (!is_visible && !env->nbaseline)
			continue;
		/* A code frame of a line this long helps nobody and would cost its size per finding. */
		if (is_visible)
			f->source_line = tlen <= 4 * LONG_LINE ? cg_strndup(text, tlen) : NULL;
		/* On the flagged line, or alone on the line above it. */
		for (int k = 0; k < 2; k++) {
			uint32_t l = k == 0 ? f->line : f->line - 1, col;
			const char *reason, *lt;
			size_t rlen, llen;
			if (l == 0)
				continue;
			lt = cg_source_line(src, l, &llen);
			if (!memmem(lt, llen, ALLOW_MARK, sizeof(ALLOW_MARK) - 1))
				continue;
			if (!src->tree && cg_source_parse_ranges(src, NULL, 0) < 0) {
				cg_error_clear(); /* unparsable: the marker cannot be told from a string's text */
				continue;
			}
			if (!find_allow(src, l, k == 1, f->rule, &reason, &rlen, &col))
				continue;
			if (rlen) {
				f->is_suppressed = true;
				f->suppression_reason = cg_strndup(reason, rlen);
			} else if (is_visible) {
				report_bare_allow(out, env, src, f, l, col);
			}
			break;
		}
	}
}

/* Fingerprints the file's findings (text only) and moves the visible ones to `out`. */
static void finish_file(struct cg_findings *out, struct cg_findings *raw, const struct cg_changed_file *file,
			const struct cg_source *src, const struct pass_env *env)
{
	struct fp_slot *slots = cg_calloc(raw->len ? raw->len : 1, sizeof(*slots));

	cg_findings_sort(raw);
	fingerprint_all(raw, src, slots);
	if (env->nbaseline)
		mark_baselined(raw, slots, src, file, env);
	free(slots);
	for (size_t i = 0; i < raw->len; i++) {
		struct cg_finding *f = &raw->items[i];
		if (!visible_by_filter(file, f, env->filter))
			continue;
		*cg_findings_add(out) = *f;
		memset(f, 0, sizeof(*f));
	}
	cg_findings_release(raw);
}

struct list_ctx {
	struct cg_change *change;
	char **known; /* sorted paths already in the change */
	size_t nknown;
};

/* --filter all: every other file of the tree joins the change, read when its turn comes. */
static int add_unchanged(const char *path, void *payload)
{
	struct list_ctx *lc = payload;
	if (!cg_file_kind_of(path) || bsearch(&path, lc->known, lc->nknown, sizeof(*lc->known), cmp_str))
		return 0;
	cg_change__add_file(lc->change, path);
	return 0;
}

static int add_whole_tree(struct cg_change *change, size_t *first_unchanged)
{
	struct list_ctx lc = { change, NULL, change->nfiles };
	int err;

	*first_unchanged = change->nfiles;
	if (change->source == CG_SOURCE_ALL)
		return 0; /* every tracked file is in the change already */
	lc.known = cg_calloc(change->nfiles ? change->nfiles : 1, sizeof(*lc.known));
	for (size_t i = 0; i < change->nfiles; i++)
		lc.known[i] = change->files[i].path;
	qsort(lc.known, lc.nknown, sizeof(*lc.known), cmp_str);
	err = cg_change_list(change, "", add_unchanged, &lc);
	free(lc.known);
	return err;
}

static int pass_env_init(struct pass_env *env, const struct cg_config *cfg, const struct cg_pass_opts *opts)
{
	const char *sev;
	int err;

	memset(env, 0, sizeof(*env));
	env->filter = opts->filter;
	env->allow_rule = cg_rule_find("allow-without-reason");
	env->allow_cfg = cg_config_get(cfg, "rules.allow-without-reason");
	env->allow_sev = env->allow_rule ? env->allow_rule->default_severity : CG_SEV_OFF;
	sev = cg_conf_str(env->allow_cfg, "severity", NULL);
	if (sev && cg_severity_parse(&env->allow_sev, sev) < 0)
		return cg_error_set(CG_E_CONFIG, "rules.allow-without-reason.severity: %s", cg_error_last());
	if (env->allow_cfg && !cg_conf_bool(env->allow_cfg, "enabled", true))
		env->allow_sev = CG_SEV_OFF;
	if ((err = load_baseline(&env->baseline, &env->nbaseline, opts->baseline_path)) < 0)
		return err;
	return 0;
}

static void pass_env_release(struct pass_env *env)
{
	for (size_t i = 0; i < env->nbaseline; i++)
		free(env->baseline[i]);
	free(env->baseline);
	memset(env, 0, sizeof(*env));
}

/* A rule that applies to one file, with its configured severity. */
struct rule_slot {
	const struct cg_rule *rule;
	const struct cg_conf_node *cfg;
	enum cg_severity severity;
	bool reads_tree; /* its needs_tree for this file, asked once */
};

/* Everything the workers share; only `next` and `is_stopped` change, under `lock`. */
struct pass_run {
	struct cg_change *change;
	const struct cg_config *cfg;
	const struct cg_conf_node *rules_cfg;
	const struct pass_env *env;
	struct cg_cargo_cache *cargo;
	size_t first_unchanged;
	size_t max_file_bytes;
	struct file_result *results;
	size_t next;
	bool is_stopped;
	pthread_mutex_t lock;
};

/* What checking one file produced; merged in file order, so output never depends on threads. */
struct file_result {
	struct cg_findings out;
	const char *skip_reason;
	bool is_checked;
	int err;
	char *errmsg;
};

static void fill_ctx(struct cg_rule_ctx *ctx, const struct pass_run *run, const struct rule_slot *slot,
		     struct cg_changed_file *file, unsigned kind)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->rule = slot->rule;
	ctx->cfg = run->cfg;
	ctx->rule_cfg = slot->cfg;
	ctx->severity = slot->severity;
	ctx->change = run->change;
	ctx->file = file;
	ctx->kind = (enum cg_file_kind)kind;
	ctx->path = file->path;
	ctx->cargo = run->cargo;
	ctx->filter = run->env->filter;
}

/*
 * The enabled rules that want this file and, by their cheap byte prefilter,
 * may fire on it. None left means the file need not even be parsed.
 */
static int select_rules(struct rule_slot *slots, size_t *nslots, const struct pass_run *run,
			struct cg_changed_file *file, unsigned kind, const char *text, size_t len)
{
	*nslots = 0;
	for (size_t r = 0; r < cg_nrules; r++) {
		const struct cg_rule *rule = cg_rules[r];
		const struct cg_conf_node *rc = cg_conf_child(run->rules_cfg, rule->id);
		const char *sev_name = cg_conf_str(rc, "severity", NULL);
		struct rule_slot slot = { rule, rc, rule->default_severity };
		struct cg_rule_ctx ctx;

		if (!rule->check || !(rule->wants & kind))
			continue;
		if (rc && !cg_conf_bool(rc, "enabled", true))
			continue;
		if (sev_name && cg_severity_parse(&slot.severity, sev_name) < 0)
			return cg_error_set(CG_E_CONFIG, "rules.%s.severity: %s", rule->id, cg_error_last());
		if (slot.severity == CG_SEV_OFF || (rc && cg_conf_seq_glob(rc, "skip", file->path)))
			continue;
		fill_ctx(&ctx, run, &slot, file, kind);
		if (rule->may_fire && !rule->may_fire(&ctx, text, len))
			continue;
		slot.reads_tree = !rule->needs_tree || rule->needs_tree(&ctx);
		slots[(*nslots)++] = slot;
	}
	return 0;
}

/* Whether any selected rule reads this file's tree. */
static bool needs_tree(const struct rule_slot *slots, size_t nslots)
{
	for (size_t r = 0; r < nslots; r++)
		if (slots[r].reads_tree)
			return true;
	return false;
}

/* Runs the selected rules over the parsed file; their findings go to `raw`. */
static int run_rules(struct cg_findings *raw, const struct pass_run *run, const struct rule_slot *slots, size_t nslots,
		     struct cg_changed_file *file, unsigned kind, const struct cg_source *src,
		     struct cg_rust_file *rust)
{
	int err = 0;
	for (size_t r = 0; r < nslots && err >= 0; r++) {
		struct cg_rule_ctx ctx;
		fill_ctx(&ctx, run, &slots[r], file, kind);
		ctx.src = src;
		ctx.file_data = rust;
		ctx.sink = raw;
		err = slots[r].rule->check(&ctx);
	}
	return err < 0 ? err : 0;
}

/*
 * A file this big is parsed a slice of top-level items at a time: the tree
 * of a whole 50 MB file takes gigabytes, a slice's some tens of megabytes.
 */
#define CHUNKED_FILE_MIN (4u << 20)
#define SLICE_BYTES (1u << 20)
#define WHOLE_FILE 1 /* run_in_slices, run_on_items: not done, parse the file whole */

/* Items every slice parses: what the others' names resolve through. */
static bool is_shared_item(const struct cg_item *it)
{
	return it->kind == CG_ITEM_USE || it->kind == CG_ITEM_EXTERN_CRATE || it->kind == CG_ITEM_INNER_ATTR ||
	       it->kind == CG_ITEM_MOD_DECL;
}

/* The byte offset of a finding's start. */
static uint32_t finding_offset(const struct cg_source *src, const struct cg_finding *f)
{
	uint32_t line = f->line <= src->nlines ? f->line : src->nlines;
	return src->line_starts[line - 1] + f->column - 1;
}

static bool in_shared_item(const struct cg_items *items, const size_t *shared, size_t nshared, uint32_t at)
{
	size_t lo = 0, hi = nshared;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cg_item *it = &items->items[shared[mid]];
		if (at < it->start)
			hi = mid;
		else if (at >= it->end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

struct range_list {
	struct cg_byte_range *r;
	size_t n, cap;
};

static void range_add(struct range_list *l, uint32_t start, uint32_t end)
{
	cg_array_grow((void **)&l->r, &l->cap, l->n + 1, sizeof(*l->r));
	l->r[l->n++] = (struct cg_byte_range){ start, end };
}

static int cmp_range(const void *a, const void *b)
{
	const struct cg_byte_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static bool is_blank_between(const char *text, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return false;
	return true;
}

/*
 * Sorts the ranges and joins those that overlap or have only white space
 * between them: each range boundary costs the parser, and a file of small
 * items would otherwise be thousands of ranges. Returns the bytes covered.
 */
static size_t range_merge(struct range_list *l, const char *text)
{
	size_t n = 0, bytes = 0;
	if (!l->n)
		return 0;
	qsort(l->r, l->n, sizeof(*l->r), cmp_range);
	for (size_t i = 0; i < l->n; i++) {
		if (n && (l->r[i].start <= l->r[n - 1].end || is_blank_between(text, l->r[n - 1].end, l->r[i].start))) {
			if (l->r[i].end > l->r[n - 1].end)
				l->r[n - 1].end = l->r[i].end;
		} else {
			l->r[n++] = l->r[i];
		}
	}
	l->n = n;
	for (size_t i = 0; i < n; i++)
		bytes += l->r[i].end - l->r[i].start;
	return bytes;
}

/*
 * Runs the rules over a huge Rust file a slice at a time. Each parse holds
 * the file's use declarations, `extern crate`s, inner attributes and `mod x;`
 * lines, and about SLICE_BYTES of its other top-level items; findings in the
 * shared items are kept from the first slice only. What one slice defines (a
 * local fn, an inline module's re-exports, a local macro) is not seen from
 * another: the price of bounded memory, paid only by files of megabytes.
 * Returns WHOLE_FILE when the file's items cannot be told apart lexically
 * (unbalanced brackets, an unterminated literal): the caller parses it whole.
 */
static int run_in_slices(struct cg_findings *out, struct cg_findings *raw, const struct pass_run *run,
			 const struct rule_slot *slots, size_t nslots, struct cg_changed_file *file,
			 struct cg_source *src)
{
	struct cg_items items;
	struct range_list ranges = { NULL, 0, 0 };
	size_t *top = NULL, *shared = NULL, ntop = 0, nshared = 0, next = 0;
	int err = 0;

	if (cg_items_scan(&items, src->text, src->len) < 0 || !items.is_clean) {
		cg_error_clear();
		cg_items_release(&items);
		return WHOLE_FILE;
	}
	top = cg_calloc(items.n ? items.n : 1, sizeof(*top));
	shared = cg_calloc(items.n ? items.n : 1, sizeof(*shared));
	for (size_t i = 0; i < items.n; i++) {
		if (items.items[i].parent != CG_ITEM_TOP)
			continue;
		top[ntop++] = i;
		if (is_shared_item(&items.items[i]))
			shared[nshared++] = i;
	}
	do {
		struct cg_rust_file *rust;
		size_t end = next, budget = 0, from = raw->len;
		bool is_first = next == 0;

		/* This slice: the next items up to SLICE_BYTES (at least one), besides the shared ones. */
		for (; end < ntop; end++) {
			const struct cg_item *it = &items.items[top[end]];
			if (is_shared_item(it))
				continue;
			if (budget && budget + (it->end - it->start) > SLICE_BYTES)
				break;
			budget += it->end - it->start;
		}
		ranges.n = 0;
		for (size_t k = 0; k < ntop; k++) {
			const struct cg_item *it = &items.items[top[k]];
			if (is_shared_item(it) || (k >= next && k < end))
				range_add(&ranges, it->start, it->end);
		}
		next = end;
		if (!range_merge(&ranges, src->text))
			break;
		if ((err = cg_source_parse_ranges(src, ranges.r, ranges.n)) < 0)
			break;
		rust = cg_rust_file_new(src);
		err = run_rules(raw, run, slots, nslots, file, CG_KIND_RUST, src, rust);
		cg_rust_file_free(rust);
		if (!is_first) {
			/* The shared items were checked with the first slice. */
			size_t kept = from;
			for (size_t i = from; i < raw->len; i++) {
				if (in_shared_item(&items, shared, nshared, finding_offset(src, &raw->items[i])))
					cg_finding_release(&raw->items[i]);
				else
					raw->items[kept++] = raw->items[i];
			}
			raw->len = kept;
		}
		if (!err)
			settle_findings(out, raw, from, file, src, run->env);
		cg_source_drop_tree(src);
	} while (!err && next < ntop);
	free(ranges.r);
	free(top);
	free(shared);
	cg_items_release(&items);
	return err;
}

/* Whether any line in [first, last] is reported under the filter (ADDED or DIFF_CONTEXT). */
static bool lines_visible(const struct cg_changed_file *f, enum cg_filter filter, uint32_t first, uint32_t last)
{
	const struct cg_line_range *r = filter == CG_FILTER_ADDED ? f->added : f->hunks;
	size_t lo = 0, hi = filter == CG_FILTER_ADDED ? f->nadded : f->nhunks;
	/* The first range that ends at or after `first`; sorted and disjoint. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].end < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (filter == CG_FILTER_ADDED ? f->nadded : f->nhunks) && r[lo].start <= last;
}

/* One past the `{` that opens a mod's body, or 0 when the bytes after its name are not white space and `{`. */
static uint32_t mod_body_open(const char *text, const struct cg_item *it)
{
	for (uint32_t i = it->name + it->name_len; i < it->end; i++) {
		if (text[i] == '{')
			return i + 1;
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return 0;
	}
	return 0;
}

/*
 * Whether a finding's fingerprint text occurs twice in the file: then an
 * identical finding may sit in an item left unparsed, and its occurrence
 * index (fingerprint_all) would differ from a whole parse's.
 */
static bool has_twin(const struct cg_source *src, const struct cg_findings *raw, size_t from)
{
	struct cg_buf file = CG_BUF_INIT;
	bool twin = false;
	if (from == raw->len)
		return false;
	cg_buf_put_folded(&file, src->text, src->len); /* as cg_fingerprint folds it */
	for (size_t i = from; i < raw->len && !twin; i++) {
		struct cg_buf span = CG_BUF_INIT, folded = CG_BUF_INIT;
		const char *hit;
		span_text(&span, src, &raw->items[i]);
		cg_buf_put_folded(&folded, span.ptr, span.size);
		hit = folded.size ? memmem(file.ptr, file.size, folded.ptr, folded.size) : NULL;
		twin = hit && memmem(hit + 1, file.size - (size_t)(hit + 1 - file.ptr), folded.ptr, folded.size);
		cg_buf_release(&span);
		cg_buf_release(&folded);
	}
	cg_buf_release(&file);
	return twin;
}

/* The rules that read this file's tree; false when one of them is not item-local. */
static bool tree_rules(const struct rule_slot *slots, size_t nslots, const struct rule_slot **out, size_t *nout)
{
	*nout = 0;
	for (size_t r = 0; r < nslots; r++) {
		if (!slots[r].reads_tree)
			continue;
		if (!slots[r].rule->is_item_local)
			return false;
		out[(*nout)++] = &slots[r];
	}
	return true;
}

/* Whether rule `s` may fire on bytes [start, end) of the file, by its prefilter. */
static bool may_fire_on(const struct pass_run *run, const struct rule_slot *s, struct cg_changed_file *file,
			const struct cg_source *src, uint32_t start, uint32_t end)
{
	struct cg_rule_ctx ctx;
	if (!s->rule->may_fire)
		return true;
	fill_ctx(&ctx, run, s, file, CG_KIND_RUST);
	return s->rule->may_fire(&ctx, src->text + start, end - start);
}

/*
 * Parses only the top-level items that matter, when every rule that reads
 * this file's tree is item-local (struct cg_rule.is_item_local): an item
 * matters when it holds a shown line (a hook changes a few lines of big
 * files) and one of those rules may fire on its bytes (a full scan of a
 * file with one async fn). The parse always holds every use declaration,
 * `extern crate`, inner attribute and `mod x;` of the file, with the heads
 * and closing braces of the inline modules around them, so names and
 * scopes resolve as in a whole parse; the use map takes every fn name from
 * the scanner; and a rule whose prefilter passes on one of those shared
 * items (an alias naming a call) reads every shown item. Falls back to the
 * whole file (WHOLE_FILE) when the scanner cannot split it, when most of it
 * matters anyway, or when a finding's text occurs twice while a shown-line
 * filter left out an item a rule wanted (has_twin: the occurrence index).
 */
static int run_on_items(struct cg_findings *raw, const struct pass_run *run, const struct rule_slot *slots,
			size_t nslots, struct cg_changed_file *file, struct cg_source *src)
{
	struct cg_items items;
	struct range_list keep = { NULL, 0, 0 };
	struct cg_rust_file *rust = NULL;
	const struct rule_slot *tree[64];
	bool wants_all[64] = { false };
	size_t ntree = 0, nitems = 0, from = raw->len;
	bool is_all_shown =
		     file->is_whole_file || run->env->filter == CG_FILTER_ALL || run->env->filter == CG_FILTER_FILE,
	     is_hidden_wanted = false;
	int err = WHOLE_FILE;

	if (!tree_rules(slots, nslots, tree, &ntree) || !ntree)
		return WHOLE_FILE;
	if (cg_items_scan(&items, src->text, src->len) < 0 || !items.is_clean)
		goto done;
	for (size_t i = 0; i < items.n; i++) {
		const struct cg_item *it = &items.items[i];
		if (!is_shared_item(it))
			continue;
		range_add(&keep, it->start, it->end);
		for (size_t r = 0; r < ntree; r++)
			wants_all[r] = wants_all[r] || may_fire_on(run, tree[r], file, src, it->start, it->end);
		/* The inline modules around it: their heads (attributes, `mod x {`) and closing braces. */
		for (uint32_t p = it->parent; p != CG_ITEM_TOP; p = items.items[p].parent) {
			const struct cg_item *m = &items.items[p];
			uint32_t open = m->kind == CG_ITEM_MOD ? mod_body_open(src->text, m) : 0;
			if (!open) {
				range_add(&keep, m->start, m->end);
				continue;
			}
			range_add(&keep, m->start, open);
			range_add(&keep, m->end - 1, m->end);
		}
	}
	for (size_t i = 0; i < items.n; i++) {
		const struct cg_item *it = &items.items[i];
		bool is_wanted = false;
		if (it->parent != CG_ITEM_TOP || is_shared_item(it))
			continue;
		for (size_t r = 0; r < ntree && !is_wanted; r++)
			is_wanted = wants_all[r] || may_fire_on(run, tree[r], file, src, it->start, it->end);
		if (!is_wanted)
			continue;
		if (is_all_shown || lines_visible(file, run->env->filter, cg_source_line_of(src, it->start),
						  cg_source_line_of(src, it->end ? it->end - 1 : 0))) {
			range_add(&keep, it->start, it->end);
			nitems++;
		} else {
			is_hidden_wanted = true;
		}
	}
	/* Most of the file anyway: one whole parse is simpler and as cheap. */
	if (range_merge(&keep, src->text) > src->len / 10 * 9)
		goto done;
	if (!nitems) {
		/* No item to read (the shared ones hold no calls): only the rules that read no tree work. */
		struct rule_slot textual[64];
		size_t ntextual = 0;
		for (size_t r = 0; r < nslots; r++)
			if (!slots[r].reads_tree)
				textual[ntextual++] = slots[r];
		err = run_rules(raw, run, textual, ntextual, file, CG_KIND_RUST, src, NULL);
		goto done;
	}
	if ((err = cg_source_parse_ranges(src, keep.r, keep.n)) < 0)
		goto done;
	rust = cg_rust_file_new_partial(src, &items);
	err = run_rules(raw, run, slots, nslots, file, CG_KIND_RUST, src, rust);
	if (!err && is_hidden_wanted && has_twin(src, raw, from)) {
		while (raw->len > from)
			cg_finding_release(&raw->items[--raw->len]);
		cg_source_drop_tree(src);
		err = WHOLE_FILE;
	}
done:
	cg_rust_file_free(rust);
	free(keep.r);
	cg_items_release(&items);
	return err;
}

/* Reads, parses and checks change->files[i]; everything it learns goes to results[i]. */
static int check_file(struct pass_run *run, size_t i)
{
	struct cg_change *change = run->change;
	struct cg_changed_file *file = &change->files[i];
	struct file_result *res = &run->results[i];
	unsigned kind = cg_file_kind_of(file->path);
	struct cg_findings raw = CG_FINDINGS_INIT;
	struct rule_slot slots[64];
	size_t nslots = 0;
	struct cg_source src;
	struct cg_rust_file *rust = NULL;
	bool is_unchanged = i >= run->first_unchanged, is_open = false;
	const char *text;
	size_t len;
	int err = 0;

	if (!kind)
		return 0;
	if (cg_conf_seq_glob(run->cfg->root, "exclude", file->path)) {
		res->skip_reason = "excluded by config";
		return 0;
	}
	if (file->skip_reason) {
		res->skip_reason = file->skip_reason;
		return 0;
	}
	if (is_unchanged && !file->is_loaded) {
		/* Joined for --filter all: read now, dropped after, so memory stays flat. */
		file->content.cap = 256u * 1024 * 1024;
		err = cg_change_read(change, file->path, &file->content);
		file->is_loaded = true;
		if (err == CG_E_TOOBIG || err == CG_E_NOTFOUND) {
			res->skip_reason = err == CG_E_TOOBIG ? "too large to check" : "unreadable";
			cg_error_clear();
			cg_buf_release(&file->content);
			return 0;
		}
		if (err < 0)
			return err;
	}
	if ((err = cg_change_content(change, file, &text, &len)) < 0) {
		if (err == CG_E_TOOBIG) {
			res->skip_reason = "too large to check";
			cg_error_clear();
			return 0;
		}
		return err;
	}
	if (file->skip_reason) {
		res->skip_reason = file->skip_reason;
		goto done;
	}
	/*
	 * Megabyte-sized Rust files are generated tables, and checking one costs
	 * about half a second per megabyte of a hook's time; the cap is config
	 * (max_file_bytes) and the skip is listed in every report, never silent.
	 */
	if (run->max_file_bytes && len > run->max_file_bytes) {
		res->skip_reason = CG_SKIP_TOO_LARGE;
		goto done;
	}
	if (cg_nrules > sizeof(slots) / sizeof(slots[0]))
		abort(); /* the registry is ours: a build that outgrows this is a bug */
	if ((err = select_rules(slots, &nslots, run, file, kind, text, len)) < 0)
		goto done;
	res->is_checked = true;
	if (!nslots)
		goto done; /* no rule can fire here: no need to parse */
	if (cg_source_open(&src, kind == CG_KIND_RUST ? CG_LANG_RUST : CG_LANG_TOML, text, len) < 0) {
		res->skip_reason = "could not be parsed";
		res->is_checked = false;
		cg_error_clear();
		goto done;
	}
	is_open = true;
	if (!needs_tree(slots, nslots)) {
		err = run_rules(&raw, run, slots, nslots, file, kind, &src, NULL);
		if (!err)
			settle_findings(&res->out, &raw, 0, file, &src, run->env);
	} else if (kind == CG_KIND_RUST && len > CHUNKED_FILE_MIN &&
		   (err = run_in_slices(&res->out, &raw, run, slots, nslots, file, &src)) != WHOLE_FILE) {
		/* checked slice by slice */
	} else if (kind == CG_KIND_RUST && (err = run_on_items(&raw, run, slots, nslots, file, &src)) != WHOLE_FILE) {
		if (!err)
			settle_findings(&res->out, &raw, 0, file, &src, run->env);
	} else if (cg_source_parse_ranges(&src, NULL, 0) < 0) {
		err = 0;
		goto unparsable;
	} else {
		if (kind == CG_KIND_RUST)
			rust = cg_rust_file_new(&src);
		err = run_rules(&raw, run, slots, nslots, file, kind, &src, rust);
		if (!err)
			settle_findings(&res->out, &raw, 0, file, &src, run->env);
	}
	if (err == CG_E_INPUT) {
	unparsable:
		res->skip_reason = src.refusal ? src.refusal : "could not be parsed";
		res->is_checked = false;
		cg_error_clear();
		err = 0;
		cg_findings_release(&res->out);
		goto done;
	}
	if (!err)
		finish_file(&res->out, &raw, file, &src, run->env);
done:
	cg_findings_release(&raw);
	cg_rust_file_free(rust);
	if (is_open)
		cg_source_release(&src);
	/* The text is not needed again: keep memory flat over large changes. */
	if (file->has_new_id || is_unchanged) {
		cg_buf_release(&file->content);
		file->is_loaded = is_unchanged;
	}
	return err;
}

static void *worker(void *arg)
{
	struct pass_run *run = arg;
	for (;;) {
		size_t i;
		int err;
		pthread_mutex_lock(&run->lock);
		i = run->next++;
		if (run->is_stopped)
			i = run->change->nfiles;
		pthread_mutex_unlock(&run->lock);
		if (i >= run->change->nfiles)
			break;
		if ((err = check_file(run, i)) < 0) {
			run->results[i].err = err;
			run->results[i].errmsg = cg_strdup(cg_error_last());
			pthread_mutex_lock(&run->lock);
			run->is_stopped = true;
			pthread_mutex_unlock(&run->lock);
		}
	}
	return NULL;
}

static unsigned thread_count(unsigned jobs, size_t nfiles)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = jobs ? jobs : (unsigned)(cpus > 0 ? (cpus < 8 ? cpus : 8) : 1);
	/* A thread costs about as much to start as a small file costs to check. */
	if (n > nfiles)
		n = nfiles ? (unsigned)nfiles : 1;
	return n;
}

int cg_rules_run(struct cg_findings *out, struct cg_pass_stats *stats, struct cg_change *change,
		 const struct cg_config *cfg, const struct cg_pass_opts *opts)
{
	struct pass_env env;
	struct pass_run run = { 0 };
	pthread_t threads[64];
	unsigned nthreads, started = 0;
	int err = 0;

	if ((err = pass_env_init(&env, cfg, opts)) < 0)
		goto done;
	run.first_unchanged = change->nfiles;
	if (opts->filter == CG_FILTER_ALL && (err = add_whole_tree(change, &run.first_unchanged)) < 0)
		goto done;
	run.change = change;
	run.cfg = cfg;
	run.rules_cfg = cg_config_get(cfg, "rules");
	run.env = &env;
	run.cargo = cg_cargo_cache_new(change);
	run.max_file_bytes = opts->max_file_bytes;
	cg_cargo_cache_set_max_file(run.cargo, run.max_file_bytes);
	run.results = cg_calloc(change->nfiles ? change->nfiles : 1, sizeof(*run.results));
	pthread_mutex_init(&run.lock, NULL);

	nthreads = thread_count(opts->jobs, change->nfiles);
	if (nthreads > sizeof(threads) / sizeof(threads[0]))
		nthreads = sizeof(threads) / sizeof(threads[0]);
	/* The calling thread works too; the others are extra hands. */
	for (unsigned t = 1; t < nthreads; t++)
		if (pthread_create(&threads[started], NULL, worker, &run) == 0)
			started++;
	worker(&run);
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);

	for (size_t i = 0; i < change->nfiles; i++) {
		struct file_result *res = &run.results[i];
		if (res->err < 0 && !err) {
			err = cg_error_set(res->err, "%s", res->errmsg);
		}
		if (res->skip_reason)
			note_skipped(stats, change->files[i].path, res->skip_reason);
		if (res->is_checked)
			stats->files_checked++;
		for (size_t k = 0; k < res->out.len; k++) {
			*cg_findings_add(out) = res->out.items[k];
			memset(&res->out.items[k], 0, sizeof(res->out.items[k]));
		}
		res->out.len = 0;
		cg_findings_release(&res->out);
		free(res->errmsg);
	}
	if (!err)
		cg_findings_sort(out);
	pthread_mutex_destroy(&run.lock);
done:
	free(run.results);
	cg_cargo_cache_free(run.cargo);
	pass_env_release(&env);
	return err;
}
