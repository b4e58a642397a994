/*
 * Findings as cargo's `--message-format=json` prints compiler diagnostics:
 * one `compiler-message` object a line, the rustc diagnostic inside, so
 * rust-analyzer (check.overrideCommand), cargo-based tools and problem
 * matchers read crabgate's findings as they read rustc's (docs/editors.md).
 *
 * rustc counts lines from 1, columns from 1 in characters (end exclusive)
 * and bytes from 0 in the file (end exclusive); findings count columns in
 * bytes of their line, so each is converted with the line at hand.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/banned.h"

/* A line of a file: its bytes without the newline (nor a '\r' before it) and its offset. */
struct line {
	const char *text;
	size_t len;
	size_t offset;
};

/* Line `n` (1-based) of `file`; false when the file's text is not at hand or is shorter. */
static bool line_of(struct line *out, const struct cg_report_file *file, uint32_t n)
{
	const char *p, *end;
	uint32_t k = 1;

	if (!file || !file->text || n == 0)
		return false;
	p = file->text;
	end = file->text + file->len;
	while (k < n) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
		k++;
	}
	if (p == end && n > 1 && end[-1] == '\n')
		return false; /* past the last line */
	out->text = p;
	out->offset = (size_t)(p - file->text);
	out->len = (size_t)(end - p);
	if (memchr(p, '\n', out->len))
		out->len = (size_t)((const char *)memchr(p, '\n', out->len) - p);
	if (out->len && p[out->len - 1] == '\r')
		out->len--;
	return true;
}

/* The character column (1-based) of byte column `col` (1-based) on `l`; bytes past the end count one each. */
static uint32_t char_col(const struct line *l, uint32_t col)
{
	size_t i = 0, n = 0;
	while (i < l->len && i + 1 < col) {
		uint32_t cp;
		size_t k = cg_utf8_decode(&cp, l->text + i, l->len - i);
		i += k ? k : 1;
		n++;
	}
	return (uint32_t)(n + 1 + (col - 1 > l->len ? col - 1 - l->len : 0));
}

/* Characters on `l`: the column one past its end is this plus one. */
static uint32_t char_len(const struct line *l)
{
	return char_col(l, (uint32_t)l->len + 1) - 1;
}

static const struct cg_report_file *file_of(const struct cg_report_input *in, const char *path)
{
	size_t lo = 0, hi = in->nplaces;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(in->places[mid].path, path);
		if (!c)
			return &in->places[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void put_key(struct cg_buf *b, const char *key, const char *value)
{
	cg_buf_printf(b, "\"%s\":", key);
	cg_report_put_json(b, value);
}

/* `in->root` + `rel`, as cargo's absolute paths. */
static void put_abs(struct cg_buf *b, const char *key, const struct cg_report_input *in, const char *rel)
{
	struct cg_buf p = CG_BUF_INIT;
	cg_buf_printf(&p, "%s%s", in->root ? in->root : "", rel);
	put_key(b, key, p.ptr);
	cg_buf_release(&p);
}

/*
 * rustc's file_name: relative to the folder it runs in (cargo runs it at the
 * workspace's root), absolute for a file outside that folder.
 */
static void put_file_name(struct cg_buf *b, const struct cg_report_input *in, const char *path)
{
	size_t n = in->here ? strlen(in->here) : 0;
	if (in->here && !strncmp(path, in->here, n))
		put_key(b, "file_name", path + n);
	else
		put_abs(b, "file_name", in, path);
}

/* package_id, manifest_path and target, as cargo names the package and target the file belongs to. */
static void put_package(struct cg_buf *b, const struct cg_report_input *in, const struct cg_report_file *file,
			const char *path)
{
	struct cg_buf id = CG_BUF_INIT, dir = CG_BUF_INIT, manifest = CG_BUF_INIT;
	const char *root = in->root ? in->root : "";
	bool is_lib = file && file->package && !strcmp(file->target_kind, "lib");

	cg_buf_printf(&dir, "%s%s", root, file && file->package ? file->package_dir : "");
	if (dir.size > 1 && dir.ptr[dir.size - 1] == '/')
		cg_buf_truncate(&dir, dir.size - 1);
	/* A package id spec (`cargo help pkgid`): the package's folder, then its name and version. */
	cg_buf_printf(&id, "path+file://%s", dir.ptr);
	if (file && file->package) {
		cg_buf_printf(&id, "#%s", file->package);
		if (file->version)
			cg_buf_printf(&id, "@%s", file->version);
		cg_buf_puts(&manifest, file->manifest_path);
	} else {
		/* No package holds the file (a workspace's Cargo.lock, a stray .rs): the root's manifest. */
		cg_buf_puts(&manifest, "Cargo.toml");
	}
	put_key(b, "package_id", id.ptr);
	cg_buf_putc(b, ',');
	put_abs(b, "manifest_path", in, manifest.ptr);
	cg_buf_puts(b, ",\"target\":{");
	if (file && file->package) {
		bool is_bin_like = !strcmp(file->target_kind, "bin");
		cg_buf_puts(b, "\"kind\":[");
		cg_report_put_json(b, file->target_kind);
		cg_buf_puts(b, "],\"crate_types\":[");
		cg_report_put_json(b, is_lib ? "lib" : "bin");
		cg_buf_puts(b, "],");
		put_key(b, "name", file->target_name);
		cg_buf_putc(b, ',');
		put_abs(b, "src_path", in, file->target_src);
		cg_buf_putc(b, ',');
		put_key(b, "edition", file->edition ? file->edition : "2015");
		cg_buf_printf(b, ",\"doc\":%s,\"doctest\":%s,\"test\":%s}", is_lib || is_bin_like ? "true" : "false",
			      is_lib ? "true" : "false",
			      is_lib || is_bin_like || !strcmp(file->target_kind, "test") ? "true" : "false");
	} else {
		cg_buf_puts(b, "\"kind\":[],\"crate_types\":[],\"name\":\"crabgate\",");
		put_abs(b, "src_path", in, path);
		cg_buf_puts(b, ",\"edition\":\"2015\",\"doc\":false,\"doctest\":false,\"test\":false}");
	}
	cg_buf_release(&id);
	cg_buf_release(&dir);
	cg_buf_release(&manifest);
}

/* Where a span is: a finding's place or one edit of its fix, lines and byte columns 1-based. */
struct place {
	const char *path;
	uint32_t line, end_line, column, end_column;
	const char *source_line; /* the first line's text, for a file not at hand; may be NULL */
};

/* A rustc suggestion: the replacement for a span and how sure it is. */
struct suggestion {
	const char *replacement; /* NULL: the span suggests nothing */
	enum cg_applicability applicability;
};

/* A span of `p` in lines, characters and bytes, with the lines' text. */
static void put_span(struct cg_buf *b, const struct cg_report_input *in, const struct place *f,
		     const struct cg_report_file *file, bool is_primary, struct suggestion s)
{
	uint32_t line = f->line ? f->line : 1, end_line = f->end_line >= line ? f->end_line : line;
	uint32_t col = f->column ? f->column : 1, col_start, col_end;
	struct line first, last;
	size_t byte_start = 0, byte_end = 0;
	bool has_first = line_of(&first, file, line), has_last = has_first && line_of(&last, file, end_line);

	if (!has_first && f->source_line) {
		/* The file is not at hand (it could not be read): the finding's own line, without offsets. */
		first = (struct line){ f->source_line, strlen(f->source_line), 0 };
		has_first = true;
	}
	if (!has_last) {
		end_line = line;
		last = first;
		has_last = has_first;
	}
	if (has_first) {
		/* No end column: the span runs to the end of its line. */
		uint32_t end_col = f->end_column ? f->end_column : (uint32_t)last.len + 1;
		if (end_line == line && end_col < col)
			end_col = col;
		col = col - 1 > first.len ? (uint32_t)first.len + 1 : col;
		end_col = end_col - 1 > last.len ? (uint32_t)last.len + 1 : end_col;
		col_start = char_col(&first, col);
		col_end = char_col(&last, end_col);
		if (file && file->text) {
			byte_start = first.offset + col - 1;
			byte_end = last.offset + end_col - 1;
		}
	} else {
		col_start = col;
		col_end = f->end_column > col ? f->end_column : col;
	}
	cg_buf_puts(b, "{");
	put_file_name(b, in, f->path);
	cg_buf_printf(b,
		      ",\"byte_start\":%zu,\"byte_end\":%zu,\"line_start\":%u,\"line_end\":%u,\"column_start\":%u,"
		      "\"column_end\":%u,\"is_primary\":%s,\"text\":[",
		      byte_start, byte_end, line, end_line, col_start, col_end, is_primary ? "true" : "false");
	for (uint32_t n = line; has_first && n <= end_line; n++) {
		struct line l = n == line ? first : last;
		struct cg_buf t = CG_BUF_INIT;
		if (n != line && n != end_line && !line_of(&l, file, n))
			break;
		cg_buf_put(&t, l.text, l.len);
		cg_buf_puts(b, n == line ? "{" : ",{");
		put_key(b, "text", t.ptr);
		cg_buf_printf(b, ",\"highlight_start\":%u,\"highlight_end\":%u}", n == line ? col_start : 1,
			      n == end_line ? col_end : char_len(&l) + 1);
		cg_buf_release(&t);
	}
	cg_buf_puts(b, "],\"label\":null,");
	if (s.replacement) {
		put_key(b, "suggested_replacement", s.replacement);
		cg_buf_printf(b, ",\"suggestion_applicability\":\"%s\",",
			      s.applicability == CG_FIX_MACHINE_APPLICABLE ? "MachineApplicable"
			      : s.applicability == CG_FIX_HAS_PLACEHOLDERS ? "HasPlaceholders"
									   : "MaybeIncorrect");
	} else {
		cg_buf_puts(b, "\"suggested_replacement\":null,\"suggestion_applicability\":null,");
	}
	cg_buf_puts(b, "\"expansion\":null}");
}

/*
 * A child diagnostic of rustc's shape. `fix`, when not NULL, gives it a span
 * for each edit carrying the replacement, as rustc's suggestions do: editors
 * offer those as quick fixes and `cargo fix`-style tools apply them.
 */
static void put_child(struct cg_buf *b, const struct cg_report_input *in, const char *level, const char *message,
		      const struct cg_fix *fix)
{
	cg_buf_puts(b, "{\"children\":[],\"code\":null,");
	put_key(b, "level", level);
	cg_buf_putc(b, ',');
	put_key(b, "message", message);
	cg_buf_puts(b, ",\"rendered\":null,\"spans\":[");
	for (size_t i = 0; fix && i < fix->nedits; i++) {
		const struct cg_edit *e = &fix->edits[i];
		struct place p = { e->path, e->line, e->end_line, e->column, e->end_column, NULL };
		cg_buf_puts(b, i ? "," : "");
		put_span(b, in, &p, file_of(in, e->path), true,
			 (struct suggestion){ e->replacement ? e->replacement : "", fix->applicability });
	}
	cg_buf_puts(b, "]}");
}

static const char *explanation_of(const struct cg_report_input *in, const char *rule)
{
	for (size_t i = 0; i < in->nrules; i++)
		if (!strcmp(in->rules[i].id, rule))
			return in->rules[i].explain ? in->rules[i].explain : in->rules[i].summary;
	return NULL;
}

/*
 * Whether a fix creates a file (an insertion at byte 0 of a path the change
 * does not have): a suggestion's span must lie in an existing file for
 * rustfix and editors, so such a fix is left to `crabgate fix`.
 */
static bool creates_file(const struct cg_report_input *in, const struct cg_fix *fix)
{
	for (size_t i = 0; i < fix->nedits; i++)
		if (fix->edits[i].byte_end == 0 && !file_of(in, fix->edits[i].path))
			return true;
	return false;
}

static int write_rustc_json(struct cg_buf *b, const struct cg_report_input *in)
{
	struct cg_buf rendered = CG_BUF_INIT;

	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		const struct cg_report_file *file = file_of(in, f->path);
		struct place where = { f->path, f->line, f->end_line, f->column, f->end_column, f->source_line };
		bool has_fix = f->fix && f->fix->nedits && !creates_file(in, f->fix);
		if (!cg_finding_is_visible(f))
			continue;
		cg_buf_truncate(&rendered, 0);
		cg_report_text_finding(&rendered, f, false, 0);
		cg_buf_puts(b, "{\"reason\":\"compiler-message\",");
		put_package(b, in, file, f->path);
		cg_buf_puts(b, ",\"message\":{");
		put_key(b, "rendered", rendered.ptr);
		cg_buf_puts(b, ",\"$message_type\":\"diagnostic\",\"children\":[");
		if (f->help || has_fix)
			put_child(b, in, "help", f->help ? f->help : "apply the suggested edits",
				  has_fix ? f->fix : NULL);
		if (f->origin == CG_ORIGIN_REVIEW) {
			cg_buf_puts(b, f->help || has_fix ? "," : "");
			put_child(b, in, "note", "from the model review", NULL);
		}
		cg_buf_puts(b, "],\"code\":{");
		put_key(b, "code", f->rule);
		cg_buf_putc(b, ',');
		put_key(b, "explanation", explanation_of(in, f->rule));
		cg_buf_puts(b, "},");
		put_key(b, "level", cg_severity_name(f->severity));
		cg_buf_putc(b, ',');
		put_key(b, "message", f->message);
		cg_buf_puts(b, ",\"spans\":[");
		put_span(b, in, &where, file, true, (struct suggestion){ NULL, CG_FIX_MACHINE_APPLICABLE });
		cg_buf_puts(b, "]}}\n");
	}
	cg_buf_release(&rendered);
	return 0;
}

const struct cg_reporter cg_report_rustc_json = {
	.name = "rustc-json",
	.description = "cargo's compiler-message JSON lines, for rust-analyzer and cargo tooling",
	.write = write_rustc_json,
	.needs_files = true,
};
