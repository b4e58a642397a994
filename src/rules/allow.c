/*
 * Suppressions: `crabgate:allow(rule) reason` comments, found by the syntax
 * tree, and the note a bare one earns; settled while the tree is there.
 */
#define _GNU_SOURCE
#include <string.h>

#include "rules/pass.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

enum { NOT_COMMENT, LINE_COMMENT, BLOCK_COMMENT };

/* Which kind of comment node byte `off` of the source lies in, if any. */
static int comment_at(const struct cg_source *src, uint32_t off)
{
	TSNode n = ts_node_descendant_for_byte_range(cg_source_root(src), off, off + 1);
	for (; !ts_node_is_null(n); n = ts_node_parent(n)) {
		enum cg_kind kind = cg_node_kind(n);
		if (kind == CG_K_LINE_COMMENT || kind == CG_K_COMMENT)
			return LINE_COMMENT;
		if (kind == CG_K_BLOCK_COMMENT)
			return BLOCK_COMMENT;
		if (kind == CG_K_SOURCE_FILE || kind == CG_K_DOCUMENT)
			break;
	}
	return NOT_COMMENT;
}

/* Whether `rule` is among the comma- or space-separated ids in [ids, close). */
static bool lists_rule(const char *ids, const char *close, const char *rule, size_t rule_len)
{
	for (const char *id = ids; id < close;) {
		const char *idend;
		while (id < close && (*id == ' ' || *id == ','))
			id++;
		idend = id;
		while (idend < close && *idend != ',' && *idend != ' ')
			idend++;
		if ((size_t)(idend - id) == rule_len && !memcmp(id, rule, rule_len))
			return true;
		id = idend;
	}
	return false;
}

/* The reason after the closing parenthesis at `close`, trimmed; its length goes to *rlen. */
static const char *reason_after(const char *close, const char *end, int kind, size_t *rlen)
{
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
	*rlen = n;
	return r;
}

/*
 * Looks for `crabgate:allow(id[, id]) reason` in a comment on `line`. With
 * `is_above`, the comment must be alone on its line (a trailing comment on
 * the line above belongs to that line). True, with the reason (maybe empty)
 * and the marker's column, when `rule` is listed.
 */
static bool find_allow(const struct cg_source *src, uint32_t line, bool is_above, const char *rule, const char **reason,
		       size_t *rlen, uint32_t *col)
{
	size_t len, rule_len = strlen(rule);
	const char *text = cg_source_line(src, line, &len);
	const char *end = text + len, *p = text;

	while (p < end) {
		const char *hit, *ids, *close, *lead = text;
		int kind;
		hit = memmem(p, (size_t)(end - p), CG_ALLOW_MARK, sizeof(CG_ALLOW_MARK) - 1);
		if (!hit)
			return false;
		ids = hit + sizeof(CG_ALLOW_MARK) - 1;
		close = memchr(ids, ')', (size_t)(end - ids));
		if (!close)
			return false;
		p = close;
		/* In a comment by the syntax tree, not in a string that happens to hold the words. */
		kind = comment_at(src, src->line_starts[line - 1] + (uint32_t)(hit - text));
		if (kind == NOT_COMMENT)
			continue;
		while (lead < hit && (*lead == ' ' || *lead == '\t'))
			lead++;
		if (is_above && comment_at(src, src->line_starts[line - 1] + (uint32_t)(lead - text)) == NOT_COMMENT)
			continue;
		if (!lists_rule(ids, close, rule, rule_len))
			continue;
		*reason = reason_after(close, end, kind, rlen);
		*col = (uint32_t)(hit - text) + 1;
		return true;
	}
	return false;
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
	n->end_column = col + (uint32_t)(sizeof(CG_ALLOW_MARK) - 1 + strlen(f->rule) + 1);
	n->message = cg_buf_detach(&msg, NULL);
	n->help = cg_strdup("say why after the parenthesis: // crabgate:allow(rule-id) reason");
	n->source_line = cg_strndup(text, len);
	n->origin = CG_ORIGIN_RULES;
	cg_fingerprint(n->fingerprint, n->rule, n->path, text, len, 0);
	n->is_baselined = cg_pass__is_baselined(env, n->fingerprint);
}

/*
 * The findings raw[from..] were made from the tree `src` has now: settles
 * what needs that tree, the source lines and `crabgate:allow` comments of
 * the visible ones, before the tree goes (a huge file is parsed a slice at
 * a time). A source parsed for no rule is parsed here, only when a line
 * holds the marker.
 */
void cg_pass__settle(struct cg_findings *out, struct cg_findings *raw, size_t from, const struct cg_changed_file *file,
		     struct cg_source *src, const struct pass_env *env)
{
	for (size_t i = from; i < raw->len; i++) {
		struct cg_finding *f = &raw->items[i];
		size_t tlen;
		const char *text = cg_source_line(src, f->line, &tlen);
		bool is_visible = cg_pass__visible(file, f, env->filter);

		/* A baseline counts the unsuppressed copies of a finding, shown or not (mark_baselined). */
		if (!is_visible && !env->nbaseline)
			continue;
		/* A code frame of a line this long helps nobody and would cost its size per finding. */
		if (is_visible)
			f->source_line = tlen <= 4 * CG_LONG_LINE ? cg_strndup(text, tlen) : NULL;
		/* On the flagged line, or alone on the line above it. */
		for (int k = 0; k < 2; k++) {
			uint32_t l = k == 0 ? f->line : f->line - 1, col;
			const char *reason, *lt;
			size_t rlen, llen;
			if (l == 0)
				continue;
			lt = cg_source_line(src, l, &llen);
			if (!memmem(lt, llen, CG_ALLOW_MARK, sizeof(CG_ALLOW_MARK) - 1))
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
