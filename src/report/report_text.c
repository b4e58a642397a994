/*
 * rustc-style findings for people: header, location, code frame with a caret
 * under the span, help, and a one-line summary.
 *
 * Every byte shown comes from the repository or, later, from a model: nothing
 * reaches the terminal raw. Controls are shown as \u{..}, invalid UTF-8 as
 * \xNN, tabs as four spaces (as rustc does), and the escape sequences this
 * file writes for colour are the only ones in the output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/str.h"
#include "util/banned.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_BLUE "\033[1;34m"

/* Width used for the code frame when the terminal's is unknown (a pipe, a file). */
#define DEFAULT_WIDTH 120
#define MIN_FRAME 40
#define ELLIPSIS "..."
#define MAX_SKIPPED_SHOWN 5

struct style {
	bool on;
	const char *sev; /* the severity's colour */
};

static const char *paint(const struct style *st, const char *code)
{
	return st->on ? code : "";
}

static const char *sev_color(enum cg_severity s)
{
	return s == CG_SEV_ERROR ? "\033[1;31m" : s == CG_SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/* One shown character of the source line: where it came from and how it is drawn. */
struct cell {
	size_t src;   /* byte offset in the source line */
	size_t off;   /* byte offset of its drawing in the frame buffer */
	size_t len;   /* bytes of its drawing */
	size_t width; /* terminal columns */
};

struct frame {
	struct cg_buf draw; /* every cell's drawing, concatenated */
	struct cell *cells;
	size_t n, cap;
	size_t *col; /* col[i]: display column where cell i starts; col[n] = total */
};

/* Terminal columns of a printable code point: East Asian wide is 2, combining marks 0. */
static size_t cp_width(uint32_t cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200d) || cp == 0xfe0f)
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) ||
	    (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

static void frame_build(struct frame *fr, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		struct cell *c;
		size_t start = fr->draw.size, n;
		uint32_t cp;

		cg_array_grow((void **)&fr->cells, &fr->cap, fr->n + 1, sizeof(*fr->cells));
		c = &fr->cells[fr->n++];
		c->src = i;
		n = cg_utf8_decode(&cp, s + i, len - i);
		if (!n) {
			cg_escape_terminal(&fr->draw, s + i, 1, NULL);
			n = 1;
			c->width = fr->draw.size - start;
		} else if (cp == '\t' || cg_escape_is_control(cp)) {
			cg_escape_terminal(&fr->draw, s + i, n, NULL);
			c->width = fr->draw.size - start;
		} else {
			cg_buf_put(&fr->draw, s + i, n);
			c->width = cp_width(cp);
		}
		c->off = start;
		c->len = fr->draw.size - start;
		i += n;
	}
	fr->col = cg_calloc(fr->n + 1, sizeof(*fr->col));
	for (size_t k = 0; k < fr->n; k++)
		fr->col[k + 1] = fr->col[k] + fr->cells[k].width;
}

static void frame_release(struct frame *fr)
{
	cg_buf_release(&fr->draw);
	free(fr->cells);
	free(fr->col);
}

/* The first cell at or after source byte `pos` (fr->n when none). */
static size_t frame_cell_at(const struct frame *fr, size_t pos)
{
	size_t lo = 0, hi = fr->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fr->cells[mid].src < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first cell starting at or after display column `c`. */
static size_t frame_cell_at_col(const struct frame *fr, size_t c)
{
	size_t k = 0;
	while (k < fr->n && fr->col[k] < c)
		k++;
	return k;
}

static void put_spaces(struct cg_buf *b, size_t n)
{
	while (n--)
		cg_buf_putc(b, ' ');
}

/*
 * Draws the source line (shortened around the span to `max` columns) and the
 * underline of `mark`s. `cs`/`ce` are the span's cells.
 */
static void draw_frame(struct cg_buf *b, const struct frame *fr, size_t cs, size_t ce, size_t max, const char *gutter,
		       size_t gw, const struct style *st, char mark)
{
	size_t lo = 0, hi = fr->n, total = fr->col[fr->n], start, width;

	if (total > max) {
		size_t room = max - 2 * (sizeof(ELLIPSIS) - 1);
		size_t sw = fr->col[ce] - fr->col[cs], left, right;
		if (sw + 1 >= room)
			left = fr->col[cs] > 8 ? fr->col[cs] - 8 : 0; /* a long span: show its start */
		else
			left = fr->col[cs] > (room - sw) / 2 ? fr->col[cs] - (room - sw) / 2 : 0;
		right = left + room;
		if (right > total) {
			right = total;
			left = total > room ? total - room : 0;
		}
		lo = frame_cell_at_col(fr, left);
		hi = lo;
		while (hi < fr->n && fr->col[hi + 1] <= right)
			hi++;
	}

	cg_buf_printf(b, "%s%s |%s ", paint(st, C_BLUE), gutter, paint(st, C_RESET));
	if (lo > 0)
		cg_buf_puts(b, ELLIPSIS);
	if (hi > lo)
		cg_buf_put(b, fr->draw.ptr + fr->cells[lo].off,
			   fr->cells[hi - 1].off + fr->cells[hi - 1].len - fr->cells[lo].off);
	if (hi < fr->n)
		cg_buf_puts(b, ELLIPSIS);
	cg_buf_putc(b, '\n');

	if (cs < lo)
		cs = lo;
	if (ce > hi)
		ce = hi;
	start = (lo > 0 ? sizeof(ELLIPSIS) - 1 : 0) + fr->col[cs < hi ? cs : hi] - fr->col[lo];
	width = ce > cs ? fr->col[ce] - fr->col[cs] : 0;
	put_spaces(b, gw + 1);
	cg_buf_printf(b, "%s|%s ", paint(st, C_BLUE), paint(st, C_RESET));
	put_spaces(b, start);
	cg_buf_puts(b, paint(st, st->sev));
	for (size_t k = width ? width : 1; k > 0; k--)
		cg_buf_putc(b, mark);
	cg_buf_printf(b, "%s\n", paint(st, C_RESET));
}

/*
 * Where the fix changed its new line, [*start, *end): from the first edit to
 * the unchanged rest after the last one. False when the fix is not all on the
 * finding's line.
 */
static bool fix_span(size_t *start, size_t *end, const struct cg_finding *f, size_t len)
{
	const struct cg_fix *fix = f->fix;
	const struct cg_edit *first = NULL, *last = NULL;
	size_t n = fix->new_lines ? strlen(fix->new_lines) : 0, rest;

	/* The edits of the suggested line: one aside (a `use` line it drops) is not shown. */
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct cg_edit *e = &fix->edits[i];
		if (e->line < fix->first_line || e->end_line > fix->last_line || strcmp(e->path, f->path))
			continue;
		first = first ? first : e;
		last = e;
	}
	if (!first || !fix->new_lines || fix->first_line != f->line || fix->last_line != f->line ||
	    strcmp(last->path, f->path) || last->end_column > len + 1 || strchr(fix->new_lines, '\n'))
		return false;
	rest = len - (last->end_column - 1);
	*start = first->column - 1;
	*end = n - rest;
	return *start <= *end && *end <= n;
}

/* rustc's suggestion: the line as the fix leaves it, the changed part underlined. */
static void write_fix(struct cg_buf *b, const struct cg_finding *f, size_t len, const char *gutter, size_t gw,
		      size_t max, const struct style *st)
{
	struct style plain = { st->on, C_BLUE };
	struct frame fr = { CG_BUF_INIT, NULL, 0, 0, NULL };
	size_t start = 0, end = 0;

	if (!f->fix->nedits || !fix_span(&start, &end, f, len))
		return;
	cg_buf_printf(b, "%shelp%s: replace with (%s)\n", paint(st, C_BOLD), paint(st, C_RESET),
		      f->fix->applicability == CG_FIX_MACHINE_APPLICABLE ? "`crabgate fix` applies it"
		      : f->fix->applicability == CG_FIX_HAS_PLACEHOLDERS
			      ? "a sketch: replace its placeholder; `crabgate fix` never applies it"
			      : "maybe incorrect: check it; `crabgate fix --unsafe` applies it");
	frame_build(&fr, f->fix->new_lines, strlen(f->fix->new_lines));
	put_spaces(b, gw + 1);
	cg_buf_printf(b, "%s|%s\n", paint(st, C_BLUE), paint(st, C_RESET));
	draw_frame(b, &fr, frame_cell_at(&fr, start), frame_cell_at(&fr, end), max, gutter, gw, &plain, '~');
	frame_release(&fr);
}

void cg_report_text_finding(struct cg_buf *b, const struct cg_finding *f, bool color, int term_width)
{
	struct style st = { color, sev_color(f->severity) };
	struct cg_buf indent = CG_BUF_INIT;
	struct frame fr = { CG_BUF_INIT, NULL, 0, 0, NULL };
	char gutter[16];
	size_t gw = (size_t)snprintf(gutter, sizeof(gutter), "%u", f->line), column = f->column, cs = 0, ce = 0;
	size_t max = term_width > 0 ? (size_t)term_width : DEFAULT_WIDTH, len = 0;

	max = max > gw + 3 + MIN_FRAME ? max - gw - 3 : MIN_FRAME;
	if (f->source_line) {
		size_t s, e;
		len = strlen(f->source_line);
		if (len && f->source_line[len - 1] == '\r')
			len--;
		frame_build(&fr, f->source_line, len);
		s = f->column ? f->column - 1 : 0;
		if (s > len)
			s = len;
		if (f->end_line > f->line)
			e = len; /* the span goes on below: underline to the end of this line */
		else
			e = f->end_column > f->column ? f->end_column - 1 : s;
		if (e > len)
			e = len;
		cs = frame_cell_at(&fr, s);
		ce = frame_cell_at(&fr, e);
		if (f->column)
			column = cs + 1; /* editors count characters, not bytes */
	}

	/* error[rule]: message */
	cg_buf_printf(b, "%s%s[", paint(&st, st.sev), cg_severity_name(f->severity));
	cg_escape_terminal(b, f->rule, strlen(f->rule), NULL);
	cg_buf_printf(b, "]%s%s: ", paint(&st, C_RESET), paint(&st, C_BOLD));
	put_spaces(&indent, gw + 3);
	cg_escape_terminal(b, f->message, strlen(f->message), indent.ptr);
	cg_buf_printf(b, "%s\n", paint(&st, C_RESET));

	/*  --> path:line:col */
	put_spaces(b, gw);
	cg_buf_printf(b, "%s-->%s ", paint(&st, C_BLUE), paint(&st, C_RESET));
	cg_escape_terminal(b, f->path, strlen(f->path), NULL);
	if (f->line)
		cg_buf_printf(b, ":%u", f->line);
	if (f->line && column)
		cg_buf_printf(b, ":%zu", column);
	cg_buf_putc(b, '\n');

	if (f->source_line) {
		put_spaces(b, gw + 1);
		cg_buf_printf(b, "%s|%s\n", paint(&st, C_BLUE), paint(&st, C_RESET));
		draw_frame(b, &fr, cs, ce, max, gutter, gw, &st, '^');
	}
	if (f->help || f->origin == CG_ORIGIN_REVIEW) {
		put_spaces(b, gw + 1);
		cg_buf_printf(b, "%s|%s\n", paint(&st, C_BLUE), paint(&st, C_RESET));
	}
	if (f->help) {
		put_spaces(b, gw + 1);
		cg_buf_printf(b, "%s=%s %shelp%s: ", paint(&st, C_BLUE), paint(&st, C_RESET), paint(&st, C_BOLD),
			      paint(&st, C_RESET));
		cg_buf_truncate(&indent, 0);
		put_spaces(&indent, gw + 9);
		cg_escape_terminal(b, f->help, strlen(f->help), indent.ptr);
		cg_buf_putc(b, '\n');
	}
	if (f->origin == CG_ORIGIN_REVIEW) {
		put_spaces(b, gw + 1);
		cg_buf_printf(b, "%s=%s %snote%s: from the model review\n", paint(&st, C_BLUE), paint(&st, C_RESET),
			      paint(&st, C_BOLD), paint(&st, C_RESET));
	}
	if (f->fix)
		write_fix(b, f, len, gutter, gw, max, &st);
	cg_buf_putc(b, '\n');
	cg_buf_release(&indent);
	frame_release(&fr);
}

static void count(struct cg_buf *b, size_t n, const char *word, bool *first)
{
	if (!n)
		return;
	cg_buf_printf(b, "%s%zu %s%s", *first ? "" : ", ", n, word, n == 1 ? "" : "s");
	*first = false;
}

static void note_line(struct cg_buf *b, const struct style *st, const char *text)
{
	cg_buf_printf(b, "%snote%s: ", paint(st, C_BOLD), paint(st, C_RESET));
	cg_escape_terminal(b, text, strlen(text), "      ");
	cg_buf_putc(b, '\n');
}

static int write_text(struct cg_buf *b, const struct cg_report_input *in)
{
	struct style st = { in->color, C_BOLD };
	struct cg_finding_counts all;
	bool first = true;

	cg_findings_count(&all, in->findings);
	for (size_t i = 0; i < in->findings->len; i++)
		if (cg_finding_is_visible(&in->findings->items[i]))
			cg_report_text_finding(b, &in->findings->items[i], in->color, in->width);
	for (size_t i = 0; i < in->nskipped && i < MAX_SKIPPED_SHOWN; i++) {
		struct cg_buf t = CG_BUF_INIT;
		cg_buf_printf(&t, "skipped %s: %s", in->skipped[i].path ? in->skipped[i].path : "",
			      in->skipped[i].reason ? in->skipped[i].reason : "");
		note_line(b, &st, t.ptr);
		cg_buf_release(&t);
	}
	if (in->nskipped > MAX_SKIPPED_SHOWN)
		cg_buf_printf(b, "%snote%s: %zu more skipped files (the json report lists them all)\n",
			      paint(&st, C_BOLD), paint(&st, C_RESET), in->nskipped - MAX_SKIPPED_SHOWN);
	for (size_t i = 0; i < in->nnotes; i++)
		note_line(b, &st, in->notes[i]);
	if (in->review_summary) {
		struct cg_buf t = CG_BUF_INIT;
		cg_buf_printf(&t, "model review: %s", in->review_summary);
		note_line(b, &st, t.ptr);
		cg_buf_release(&t);
	}

	cg_buf_puts(b, paint(&st, C_BOLD));
	if (all.visible[CG_SEV_ERROR] + all.visible[CG_SEV_WARNING] + all.visible[CG_SEV_NOTE] == 0) {
		/* --all: every tracked file is checked and none of them changed. */
		if (in->source && !strcmp(in->source, "all"))
			cg_buf_printf(b, "crabgate: no findings; %zu file%s checked", in->files,
				      in->files == 1 ? "" : "s");
		else
			cg_buf_printf(b, "crabgate: no findings in %zu changed file%s", in->files,
				      in->files == 1 ? "" : "s");
	} else {
		count(b, all.visible[CG_SEV_ERROR], "error", &first);
		count(b, all.visible[CG_SEV_WARNING], "warning", &first);
		count(b, all.visible[CG_SEV_NOTE], "note", &first);
	}
	if (all.suppressed)
		cg_buf_printf(b, "; %zu suppressed", all.suppressed);
	if (all.baselined)
		cg_buf_printf(b, "%s %zu in the baseline", all.suppressed ? "," : ";", all.baselined);
	cg_buf_puts(b, paint(&st, C_RESET));
	return cg_buf_putc(b, '\n');
}

const struct cg_reporter cg_report_text = {
	.name = "text",
	.description = "rustc-style findings with code frames, for terminals",
	.write = write_text,
};
