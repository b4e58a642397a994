/* Finding creation: what a rule calls to report, and spans of nodes. */
#include <string.h>

#include "rules/rule.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

struct cg_span cg_span_of(TSNode node)
{
	TSPoint s = ts_node_start_point(node), e = ts_node_end_point(node);
	struct cg_span span = { s.row + 1, s.column + 1, e.row + 1, e.column + 1 };
	return span;
}

struct cg_span cg_span_of_pos(struct cg_crate_pos pos)
{
	struct cg_span span = { pos.line, pos.column, pos.end_line, pos.end_column };
	return span;
}

static void locate(const struct cg_source *src, uint32_t byte, uint32_t *line, uint32_t *column)
{
	*line = cg_source_line_of(src, byte);
	*column = byte - src->line_starts[*line - 1] + 1;
}

/* The lines the fix touches, as it leaves them (edits of one file, in order). */
static void put_new_lines(struct cg_fix *fix, const struct cg_source *src)
{
	struct cg_buf b = CG_BUF_INIT;
	uint32_t at, end;

	fix->first_line = fix->edits[0].line;
	fix->last_line = fix->edits[fix->nedits - 1].end_line;
	at = src->line_starts[fix->first_line - 1];
	end = fix->last_line < src->nlines ? src->line_starts[fix->last_line] : (uint32_t)src->len;
	if (end > at && src->text[end - 1] == '\n')
		end--;
	if (end > at && src->text[end - 1] == '\r')
		end--;
	for (size_t i = 0; i < fix->nedits; i++) {
		cg_buf_put(&b, src->text + at, fix->edits[i].byte_start - at);
		cg_buf_puts(&b, fix->edits[i].replacement);
		at = fix->edits[i].byte_end;
	}
	cg_buf_put(&b, src->text + at, end > at ? end - at : 0);
	fix->new_lines = cg_buf_detach(&b, NULL);
}

/* Adds `in` to `fix`; false when it is not a valid edit of the rule's file or a new one. */
static bool add_edit(struct cg_fix *fix, const struct cg_rule_ctx *ctx, const struct cg_emit_edit *in)
{
	struct cg_edit ed = { 0 };

	if (in->path) {
		/* A new file: an insertion at its start. */
		if (in->start || in->end || !strcmp(in->path, ctx->path) || cg_change_exists(ctx->change, in->path))
			return false;
		ed.path = (char *)in->path;
		ed.line = ed.column = ed.end_line = ed.end_column = 1;
	} else {
		if (in->start > in->end || in->end > ctx->src->len)
			return false;
		ed.path = (char *)ctx->path;
		locate(ctx->src, in->start, &ed.line, &ed.column);
		locate(ctx->src, in->end, &ed.end_line, &ed.end_column);
	}
	ed.byte_start = in->start;
	ed.byte_end = in->end;
	ed.replacement = (char *)in->replacement;
	return cg_fix_add_edit(fix, &ed);
}

/*
 * The fix's edits, and the lines it suggests: those its edits of the rule's
 * own file leave, the edits aside (a `use` line to drop) left out, so that a
 * suggestion replaces the finding's lines alone. None when it creates files.
 */
static struct cg_fix *fix_of(const struct cg_rule_ctx *ctx, const struct cg_emit *e)
{
	struct cg_fix *fix = cg_calloc(1, sizeof(*fix));
	bool is_elsewhere = false;

	fix->applicability = e->applicability;
	for (size_t i = 0; i < e->nedits; i++) {
		is_elsewhere |= e->edits[i].path != NULL;
		if (!e->edits[i].is_aside && !add_edit(fix, ctx, &e->edits[i]))
			goto bad;
	}
	if (!is_elsewhere && fix->nedits)
		put_new_lines(fix, ctx->src);
	for (size_t i = 0; i < e->nedits; i++)
		if (e->edits[i].is_aside && !add_edit(fix, ctx, &e->edits[i]))
			goto bad;
	return fix;
bad:
	cg_fix_free(fix);
	return NULL;
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
	if (e->nedits)
		f->fix = fix_of(ctx, e);
}
