/*
 * A unified diff (git's format, with or without `diff --git` headers) into
 * a change. One pass over the lines, no recursion, bounded memory: the
 * new side of each hunk is kept so files absent from the repository can
 * still be checked where the diff shows them.
 */
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_PAD_LINES (16u * 1024 * 1024)

struct parser {
	struct cg_change *change;
	struct cg_diff_files *meta;   /* one entry per file of the change */
	struct cg_changed_file *file; /* current, or NULL */
	bool file_has_git_header;
	bool saw_minus; /* a `---` line was seen for the current file */
	uint32_t old_left, new_left, new_line;
	uint32_t content_lines; /* lines written to file->content */
	size_t lineno;		/* in the diff, for messages */
};

/* Undoes git's C-style quoting ("a/caf\303\251.rs"); returns a new string. */
static char *unquote(const char *s, size_t len)
{
	struct cg_buf b = CG_BUF_INIT;
	if (len < 2 || s[0] != '"')
		return cg_strndup(s, len);
	for (size_t i = 1; i < len - 1; i++) {
		char c = s[i];
		if (c != '\\' || i + 1 >= len - 1) {
			cg_buf_putc(&b, c);
			continue;
		}
		c = s[++i];
		switch (c) {
		case 'n':
			cg_buf_putc(&b, '\n');
			break;
		case 't':
			cg_buf_putc(&b, '\t');
			break;
		case 'r':
			cg_buf_putc(&b, '\r');
			break;
		case 'a':
			cg_buf_putc(&b, '\a');
			break;
		case 'b':
			cg_buf_putc(&b, '\b');
			break;
		case 'f':
			cg_buf_putc(&b, '\f');
			break;
		case 'v':
			cg_buf_putc(&b, '\v');
			break;
		default:
			if (c >= '0' && c <= '3' && i + 2 < len - 1) {
				int v = (c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0');
				cg_buf_putc(&b, (char)v);
				i += 2;
			} else {
				cg_buf_putc(&b, c);
			}
		}
	}
	return cg_buf_detach(&b, NULL);
}

/* A path from a ---/+++ line: unquoted, without a/ b/ and a trailing timestamp. */
static char *header_path(const char *s, size_t len)
{
	char *p;
	if (len && s[0] != '"') {
		const char *tab = memchr(s, '\t', len);
		if (tab)
			len = (size_t)(tab - s);
	}
	p = unquote(s, len);
	if (!strcmp(p, "/dev/null"))
		return p;
	if ((p[0] == 'a' || p[0] == 'b') && p[1] == '/') {
		char *q = cg_strdup(p + 2);
		free(p);
		return q;
	}
	return p;
}

/*
 * A diff names paths crabgate reports, posts and may read: one that is
 * absolute or climbs out with '..' is not a file of this repository.
 */
static bool is_inside(const char *path)
{
	const char *p = path;
	if (!p)
		return true;
	if (*p == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static void finish_file(struct parser *ps)
{
	struct cg_changed_file *f = ps->file;
	if (!f)
		return;
	if (f->status == CG_FILE_ADDED)
		f->is_whole_file = true;
	f->is_partial = !f->is_whole_file;
	f->is_loaded = false;
	ps->file = NULL;
}

static struct cg_changed_file *start_file(struct parser *ps, const char *path)
{
	finish_file(ps);
	ps->file = cg_change__add_file(ps->change, path);
	cg_array_grow((void **)&ps->meta->files, &ps->meta->cap, ps->meta->n + 1, sizeof(*ps->meta->files));
	memset(&ps->meta->files[ps->meta->n++], 0, sizeof(*ps->meta->files));
	ps->file_has_git_header = false;
	ps->saw_minus = false;
	ps->content_lines = 0;
	ps->old_left = ps->new_left = 0;
	return ps->file;
}

static void set_path(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

/* `diff --git a/X b/Y`: split where both halves name the same file when they can. */
static void git_header(struct parser *ps, const char *rest, size_t len)
{
	char *a = NULL, *b = NULL;
	if (len && rest[0] == '"') {
		const char *end = rest + 1;
		while (end < rest + len && (*end != '"' || end[-1] == '\\'))
			end++;
		if (end < rest + len) {
			a = header_path(rest, (size_t)(end - rest) + 1);
			if (end + 2 <= rest + len)
				b = header_path(end + 2, len - (size_t)(end + 2 - rest));
		}
	} else if (len % 2 == 1 && rest[len / 2] == ' ' && len > 4 &&
		   memcmp(rest + 2, rest + len / 2 + 3, len / 2 - 2) == 0) {
		a = header_path(rest, len / 2);
		b = header_path(rest + len / 2 + 1, len / 2);
	} else {
		const char *sp = NULL;
		for (const char *p = rest; p + 3 < rest + len; p++)
			if (p[0] == ' ' && p[1] == 'b' && p[2] == '/')
				sp = p;
		if (sp) {
			a = header_path(rest, (size_t)(sp - rest));
			b = header_path(sp + 1, len - (size_t)(sp + 1 - rest));
		}
	}
	start_file(ps, b ? b : "(unknown)");
	ps->file_has_git_header = true;
	if (a)
		set_path(&ps->file->old_path, a);
	free(b);
}

static bool parse_range(const char **p, uint32_t *start, uint32_t *count)
{
	char *end;
	unsigned long v = strtoul(*p, &end, 10);
	if (end == *p || v > UINT32_MAX)
		return false;
	*start = (uint32_t)v;
	*count = 1;
	if (*end == ',') {
		const char *c = end + 1;
		v = strtoul(c, &end, 10);
		if (end == c || v > UINT32_MAX)
			return false;
		*count = (uint32_t)v;
	}
	*p = end;
	return true;
}

static struct cg_diff_file *meta_of(struct parser *ps)
{
	return &ps->meta->files[ps->meta->n - 1];
}

/* `index 1a2b3c4..5d6e7f8 100644`: the abbreviated blob ids, kept as written. */
static void index_ids(struct parser *ps, const char *rest)
{
	struct cg_diff_file *m = meta_of(ps);
	size_t a = strspn(rest, "0123456789abcdefABCDEF"), b;
	if (a < 4 || a > GIT_OID_HEXSZ || rest[a] != '.' || rest[a + 1] != '.')
		return;
	b = strspn(rest + a + 2, "0123456789abcdefABCDEF");
	if (b < 4 || b > GIT_OID_HEXSZ || (rest[a + 2 + b] && rest[a + 2 + b] != ' '))
		return;
	memcpy(m->old_id, rest, a);
	m->old_id[a] = '\0';
	memcpy(m->new_id, rest + a + 2, b);
	m->new_id[b] = '\0';
}

static int hunk_header(struct parser *ps, const char *line, size_t len, size_t body)
{
	struct cg_diff_file *m;
	struct cg_diff_hunk *h;
	const char *p = line + 3;
	uint32_t os, oc, ns, nc;
	(void)len;
	if (*p != '-' || (++p, !parse_range(&p, &os, &oc)) || *p != ' ' || p[1] != '+' ||
	    (p += 2, !parse_range(&p, &ns, &nc)))
		return cg_error_set(CG_E_INPUT, "diff:%zu: malformed hunk header; expected '@@ -a,b +c,d @@'",
				    ps->lineno);
	if (!ps->file)
		return cg_error_set(CG_E_INPUT, "diff:%zu: hunk before any file header (---/+++ or diff --git)",
				    ps->lineno);
	if (nc && ns < ps->new_line)
		return cg_error_set(CG_E_INPUT, "diff:%zu: hunks of %s are out of order", ps->lineno, ps->file->path);
	ps->old_left = oc;
	ps->new_left = nc;
	ps->new_line = ns;
	cg_changed_file__add_hunk(ps->file, os, oc, ns, nc);
	m = meta_of(ps);
	cg_array_grow((void **)&m->hunks, &m->cap, m->nhunks + 1, sizeof(*m->hunks));
	h = &m->hunks[m->nhunks++];
	h->old_start = os;
	h->old_count = oc;
	h->new_start = ns;
	h->new_count = nc;
	h->body = h->body_end = body;
	h->lineno = ps->lineno;
	return 0;
}

static int put_new_line(struct parser *ps, const char *text, size_t len)
{
	struct cg_changed_file *f = ps->file;
	if (ps->new_line > ps->content_lines + 1) {
		uint32_t pad = ps->new_line - 1 - ps->content_lines;
		if (pad > MAX_PAD_LINES)
			return cg_error_set(CG_E_INPUT, "diff:%zu: line number %u is implausibly large", ps->lineno,
					    ps->new_line);
		while (pad--) {
			cg_buf_putc(&f->content, '\n');
			ps->content_lines++;
		}
	}
	if (cg_buf_put(&f->content, text, len) < 0 || cg_buf_putc(&f->content, '\n') < 0)
		return cg_error_set(CG_E_TOOBIG, "diff:%zu: %s is too large", ps->lineno, f->path);
	ps->content_lines++;
	ps->new_line++;
	return 0;
}

/* The last hunk of the current file runs to the end of the line just read. */
static void hunk_grows(struct parser *ps, size_t to)
{
	struct cg_diff_file *m = meta_of(ps);
	if (m->nhunks)
		m->hunks[m->nhunks - 1].body_end = to;
}

int cg_diff_parse(struct cg_change *change, const char *text, size_t len, struct cg_diff_files *meta)
{
	struct parser ps = { .change = change, .meta = meta };
	struct cg_buf scratch = CG_BUF_INIT;
	const char *p = text, *end = text + len;
	int err = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line;
		/* A NUL-terminated copy: the prefix and substring tests below must
		 * not run into the next line or past the end of the input. */
		cg_buf_truncate(&scratch, 0);
		cg_buf_put(&scratch, p, n);
		line = scratch.ptr;
		p = nl ? nl + 1 : end;
		ps.lineno++;

		if (ps.file && (ps.old_left || ps.new_left)) {
			char c = n ? line[0] : ' ';
			hunk_grows(&ps, (size_t)(p - text));
			if (c == ' ' || (c == '\r' && n == 1)) {
				if (!ps.old_left || !ps.new_left) {
					err = cg_error_set(CG_E_INPUT,
							   "diff:%zu: the hunk has more lines than its header says",
							   ps.lineno);
					goto done;
				}
				ps.old_left--;
				ps.new_left--;
				if ((err = put_new_line(&ps, n ? line + 1 : line, n ? n - 1 : 0)) < 0)
					goto done;
				continue;
			}
			if (c == '+') {
				if (!ps.new_left) {
					err = cg_error_set(
						CG_E_INPUT,
						"diff:%zu: the hunk has more added lines than its header says",
						ps.lineno);
					goto done;
				}
				ps.new_left--;
				cg_changed_file__add_line(ps.file, ps.new_line);
				ps.file->lines_added++;
				if ((err = put_new_line(&ps, line + 1, n - 1)) < 0)
					goto done;
				continue;
			}
			if (c == '-') {
				if (!ps.old_left) {
					err = cg_error_set(
						CG_E_INPUT,
						"diff:%zu: the hunk has more removed lines than its header says",
						ps.lineno);
					goto done;
				}
				const struct cg_diff_hunk *h = &meta_of(&ps)->hunks[meta_of(&ps)->nhunks - 1];
				cg_changed_file__add_removed(ps.file, h->old_start + h->old_count - ps.old_left);
				ps.old_left--;
				ps.file->lines_removed++;
				continue;
			}
			if (c == '\\')
				continue;
			err = cg_error_set(CG_E_INPUT,
					   "diff:%zu: the hunk ends early (%u old and %u new lines missing)", ps.lineno,
					   ps.old_left, ps.new_left);
			goto done;
		}
		if (n && line[0] == '\\') {
			/* "\ No newline at end of file" after the last hunk line */
			if (ps.file)
				hunk_grows(&ps, (size_t)(p - text));
			continue;
		}

		if (cg_starts_with(line, "diff --git ") && n > 11) {
			git_header(&ps, line + 11, n - 11);
		} else if (n >= 4 && cg_starts_with(line, "--- ")) {
			char *path = header_path(line + 4, n - 4);
			if (!ps.file || !ps.file_has_git_header || ps.saw_minus || ps.file->nhunks)
				start_file(&ps, "(unknown)");
			ps.saw_minus = true;
			if (!strcmp(path, "/dev/null")) {
				ps.file->status = CG_FILE_ADDED;
				free(path);
			} else {
				set_path(&ps.file->old_path, path);
			}
		} else if (n >= 4 && cg_starts_with(line, "+++ ") && ps.file) {
			char *path = header_path(line + 4, n - 4);
			if (!strcmp(path, "/dev/null")) {
				ps.file->status = CG_FILE_DELETED;
				ps.file->skip_reason = "deleted";
				free(path);
				set_path(&ps.file->path, cg_strdup(ps.file->old_path));
			} else {
				set_path(&ps.file->path, path);
			}
		} else if (cg_starts_with(line, "@@ ")) {
			ps.new_line = 0;
			if ((err = hunk_header(&ps, line, n, (size_t)(p - text))) < 0)
				goto done;
		} else if (ps.file && cg_starts_with(line, "new file mode")) {
			ps.file->status = CG_FILE_ADDED;
		} else if (ps.file && cg_starts_with(line, "deleted file mode")) {
			ps.file->status = CG_FILE_DELETED;
			ps.file->skip_reason = "deleted";
		} else if (ps.file && cg_starts_with(line, "rename from ")) {
			ps.file->status = CG_FILE_RENAMED;
			set_path(&ps.file->old_path, unquote(line + 12, n - 12));
		} else if (ps.file && cg_starts_with(line, "rename to ")) {
			ps.file->status = CG_FILE_RENAMED;
			set_path(&ps.file->path, unquote(line + 10, n - 10));
		} else if (ps.file && cg_starts_with(line, "copy from ")) {
			ps.file->status = CG_FILE_COPIED;
			set_path(&ps.file->old_path, unquote(line + 10, n - 10));
		} else if (ps.file && cg_starts_with(line, "copy to ")) {
			ps.file->status = CG_FILE_COPIED;
			set_path(&ps.file->path, unquote(line + 8, n - 8));
		} else if (ps.file &&
			   (cg_starts_with(line, "Binary files ") || cg_starts_with(line, "GIT binary patch"))) {
			ps.file->is_binary = true;
			ps.file->skip_reason = "binary file";
		} else if (ps.file && (cg_starts_with(line, "new mode ") || cg_starts_with(line, "old mode "))) {
			long mode = strtol(line + 9, NULL, 8);
			if (line[0] == 'n')
				ps.file->mode = (uint32_t)mode;
			else
				ps.file->old_mode = (uint32_t)mode;
			if (mode == 0160000) {
				ps.file->is_submodule = true;
				ps.file->skip_reason = "submodule";
			}
		} else if (ps.file && cg_starts_with(line, "index ")) {
			index_ids(&ps, line + 6);
			if (strstr(line, " 160000") && strstr(line, " 160000") < line + n) {
				ps.file->is_submodule = true;
				ps.file->skip_reason = "submodule";
			}
		}
		/* Anything else (commit messages, "similarity index", mail headers) is prose. */
	}
	if (ps.file && (ps.old_left || ps.new_left)) {
		err = cg_error_set(CG_E_INPUT, "diff:%zu: the diff ends inside a hunk of %s (%u new lines missing)",
				   ps.lineno, ps.file->path, ps.new_left);
		goto done;
	}
	finish_file(&ps);
	for (size_t i = 0; i < change->nfiles; i++) {
		struct cg_changed_file *f = &change->files[i];
		const char *bad = !is_inside(f->path) ? f->path : !is_inside(f->old_path) ? f->old_path : NULL;
		if (bad) {
			err = cg_error_set(
				CG_E_INPUT,
				"diff: '%s' is not a path inside the repository (absolute, or with a '..' "
				"part); make the diff from the repository's root with repository-relative paths",
				bad);
			goto done;
		}
		if (f->status == CG_FILE_DELETED)
			cg_buf_release(&f->content);
		if (f->status == CG_FILE_MODIFIED && !cg_str_eq(f->path, f->old_path))
			f->status = CG_FILE_RENAMED;
	}
done:
	cg_buf_release(&scratch);
	return err;
}

void cg_diff_files_release(struct cg_diff_files *meta)
{
	for (size_t i = 0; i < meta->n; i++)
		free(meta->files[i].hunks);
	free(meta->files);
	memset(meta, 0, sizeof(*meta));
}
