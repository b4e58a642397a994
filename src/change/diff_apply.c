/*
 * The new content of each file of a unified diff. A work tree's diff
 * (`git diff | crabgate check --diff -`) has a new side that is in no tree:
 * reading HEAD's text at the diff's line numbers checks the wrong lines. The
 * new text is the old version with the hunks applied, as `git apply` builds
 * it, and the hunks' context and removed lines must match that old version,
 * or the diff is not of this repository and no finding could be trusted.
 */
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* One line of a hunk: its kind (' ', '-', '+', '\\') and its text without the kind and the '\n'. */
struct hunk_line {
	char kind;
	const char *text;
	size_t len;
};

/* Reads the hunk line at *pos (below end), as the parser classified it. */
static struct hunk_line next_hunk_line(const char *diff, size_t *pos, size_t end)
{
	const char *s = diff + *pos, *nl = memchr(s, '\n', end - *pos);
	size_t n = nl ? (size_t)(nl - s) : end - *pos;
	struct hunk_line l = { ' ', s, 0 };

	*pos += n + (nl ? 1 : 0);
	/* An empty line, or a lone '\r', is a blank context line whose space was stripped. */
	if (n == 0 || (n == 1 && s[0] == '\r'))
		return l;
	l.kind = s[0];
	l.text = s + 1;
	l.len = n - 1;
	return l;
}

/* A cursor over the old version's lines. */
struct old_text {
	const char *s;
	size_t len, pos;
	uint32_t line; /* number of the line at pos, 1-based */
};

/* The line at the cursor without its '\n' (raw: with it, when it has one); false at the end. */
static bool old_line(const struct old_text *o, const char **text, size_t *len, size_t *raw)
{
	const char *s = o->s + o->pos, *nl;
	if (o->pos >= o->len)
		return false;
	nl = memchr(s, '\n', o->len - o->pos);
	*len = nl ? (size_t)(nl - s) : o->len - o->pos;
	*raw = *len + (nl ? 1 : 0);
	*text = s;
	return true;
}

/* Appends a line's bytes, first ending a previous line that lacked its '\n'. */
static int put_line(struct cg_buf *out, const char *text, size_t len)
{
	if (out->size && out->ptr[out->size - 1] != '\n' && cg_buf_putc(out, '\n') < 0)
		return CG_E_TOOBIG;
	return cg_buf_put(out, text, len);
}

/* Shows at most 60 bytes of a line in a message, a CR at its end as \r (CRLF against LF). */
static void quote_line(struct cg_buf *msg, const char *text, size_t len)
{
	bool has_cr = len && text[len - 1] == '\r';
	if (has_cr)
		len--;
	cg_buf_putc(msg, '`');
	cg_buf_put(msg, text, len > 60 ? 60 : len);
	cg_buf_puts(msg, len > 60 ? "..." : "");
	cg_buf_puts(msg, has_cr ? "\\r`" : "`");
}

/*
 * Applies the hunks of `m` to `old` into `out`. On a mismatch, fills `why`
 * with what differs, naming the hunk, and returns CG_E_INPUT (no error set:
 * the caller may try another old version).
 */
static int apply(struct cg_buf *out, struct cg_buf *why, const char *old, size_t old_len, const char *from,
		 const struct cg_diff_file *m, const char *diff)
{
	struct old_text o = { old, old_len, 0, 1 };
	const char *t;
	size_t tlen, raw;
	uint32_t nout = 0; /* lines written to out */
	int err = 0;

	for (size_t h = 0; h < m->nhunks; h++) {
		const struct cg_diff_hunk *hk = &m->hunks[h];
		/* A hunk of no old lines follows line old_start; any other starts at it. */
		uint32_t first = hk->old_count ? hk->old_start : hk->old_start + 1;
		uint32_t at_new = hk->new_count ? hk->new_start : hk->new_start + 1;
		size_t pos = hk->body;
		char last = ' ';

		cg_buf_printf(why, "hunk %zu (diff line %zu, @@ -%u,%u +%u,%u @@) does not apply to %s: ", h + 1,
			      hk->lineno, hk->old_start, hk->old_count, hk->new_start, hk->new_count, from);
		if (first < o.line) {
			cg_buf_puts(why, "it overlaps the hunk before it");
			return CG_E_INPUT;
		}
		while (o.line < first) {
			if (!old_line(&o, &t, &tlen, &raw)) {
				cg_buf_printf(why, "the old version has only %u lines", o.line - 1);
				return CG_E_INPUT;
			}
			if ((err = put_line(out, t, raw)) < 0)
				return err;
			nout++;
			o.pos += raw;
			o.line++;
		}
		if (nout + 1 != at_new) {
			cg_buf_printf(why, "it starts at new line %u, but the old version puts it at line %u", at_new,
				      nout + 1);
			return CG_E_INPUT;
		}
		while (pos < hk->body_end) {
			struct hunk_line l = next_hunk_line(diff, &pos, hk->body_end);
			if (l.kind == '\\') {
				/* The line before it ends the file without a '\n'. */
				if (last == '+' && out->size && out->ptr[out->size - 1] == '\n')
					cg_buf_truncate(out, out->size - 1);
				continue;
			}
			last = l.kind;
			if (l.kind == '+') {
				if ((err = put_line(out, l.text, l.len)) < 0 || (err = cg_buf_putc(out, '\n')) < 0)
					return err;
				nout++;
				continue;
			}
			if (!old_line(&o, &t, &tlen, &raw)) {
				cg_buf_printf(why, "old line %u is past the old version's end", o.line);
				return CG_E_INPUT;
			}
			if (tlen != l.len || memcmp(t, l.text, tlen)) {
				cg_buf_printf(why, "old line %u is ", o.line);
				quote_line(why, t, tlen);
				cg_buf_printf(why, ", the diff has ");
				quote_line(why, l.text, l.len);
				return CG_E_INPUT;
			}
			if (l.kind == ' ') {
				if ((err = put_line(out, t, raw)) < 0)
					return err;
				nout++;
			}
			o.pos += raw;
			o.line++;
		}
		cg_buf_truncate(why, 0);
	}
	if (o.pos < o.len)
		err = put_line(out, o.s + o.pos, o.len - o.pos);
	return err;
}

/* Checks the new side of the hunks (context and added lines) against `text`. */
static int verify_new(struct cg_buf *why, const char *text, size_t len, const struct cg_diff_file *m, const char *diff)
{
	struct old_text n = { text, len, 0, 1 };
	const char *t;
	size_t tlen, raw;

	for (size_t h = 0; h < m->nhunks; h++) {
		const struct cg_diff_hunk *hk = &m->hunks[h];
		size_t pos = hk->body;
		cg_buf_printf(why, "hunk %zu (diff line %zu) does not match the diff's own new object: ", h + 1,
			      hk->lineno);
		while (n.line < hk->new_start && old_line(&n, &t, &tlen, &raw)) {
			n.pos += raw;
			n.line++;
		}
		while (pos < hk->body_end) {
			struct hunk_line l = next_hunk_line(diff, &pos, hk->body_end);
			if (l.kind != ' ' && l.kind != '+')
				continue;
			if (!old_line(&n, &t, &tlen, &raw) || tlen != l.len || memcmp(t, l.text, tlen)) {
				cg_buf_printf(why, "new line %u differs", n.line);
				return CG_E_INPUT;
			}
			n.pos += raw;
			n.line++;
		}
		cg_buf_truncate(why, 0);
	}
	return 0;
}

/* The blob an abbreviated id names, when the repository has exactly one. */
static bool find_blob(git_oid *out, git_repository *repo, const char *hex)
{
	git_object *obj = NULL;
	git_oid prefix;
	size_t len = strlen(hex);

	if (!repo || !len || strspn(hex, "0") == len || git_oid_fromstrn(&prefix, hex, len) < 0)
		return false;
	if (git_object_lookup_prefix(&obj, repo, &prefix, len, GIT_OBJECT_BLOB) < 0) {
		git_error_clear();
		return false;
	}
	git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	return true;
}

/* The old versions to try, best first: the diff's own, then HEAD's, then the index's. */
struct candidate {
	git_oid id;
	const char *from; /* for messages */
};

static size_t candidates(struct candidate out[3], git_repository *repo, const struct cg_changed_file *f,
			 const struct cg_diff_file *m, git_tree *head, git_index *index, bool *is_named)
{
	size_t n = 0;
	git_tree_entry *e = NULL;
	const git_index_entry *ie;

	*is_named = find_blob(&out[0].id, repo, m->old_id);
	if (*is_named) {
		out[0].from = "the diff's index line";
		return 1;
	}
	if (head && git_tree_entry_bypath(&e, head, f->old_path) < 0) {
		git_error_clear();
	} else if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(&out[n].id, git_tree_entry_id(e));
		out[n++].from = "HEAD";
	}
	git_tree_entry_free(e);
	ie = index ? git_index_get_bypath(index, f->old_path, 0) : NULL;
	if (ie && (ie->mode & 0170000) == 0100000 && !(n && git_oid_equal(&out[0].id, &ie->id))) {
		git_oid_cpy(&out[n].id, &ie->id);
		out[n++].from = "the index";
	}
	return n;
}

static int resolve_file(struct cg_change *change, struct cg_changed_file *f, const struct cg_diff_file *m,
			const char *diff, git_tree *head, git_index *index)
{
	struct candidate cand[3];
	struct cg_buf out = CG_BUF_INIT, why = CG_BUF_INIT, first_why = CG_BUF_INIT, old = CG_BUF_INIT,
		      from = CG_BUF_INIT;
	bool is_named = false;
	size_t n = 0;
	git_oid new_id;
	int err = 0;

	if (f->status != CG_FILE_ADDED)
		n = candidates(cand, cg_change_git(change), f, m, head, index, &is_named);
	else if ((err = apply(&out, &why, "", 0, "an empty file (the diff adds the file)", m, diff)) == 0)
		goto found;
	else if (err != CG_E_INPUT)
		goto done;
	for (size_t i = 0; i < n && !err; i++) {
		cg_buf_truncate(&old, 0);
		cg_buf_truncate(&out, 0);
		cg_buf_truncate(&why, 0);
		if ((err = cg_change__read_blob(change, &cand[i].id, 0, &old, NULL)) == CG_E_TOOBIG) {
			cg_error_clear();
			f->skip_reason = CG_SKIP_TOO_LARGE;
			err = 0;
			goto done;
		}
		if (err < 0)
			goto done;
		cg_buf_truncate(&from, 0);
		cg_buf_printf(&from, "the old version (blob %.7s, from %s)", git_oid_tostr_s(&cand[i].id),
			      cand[i].from);
		err = apply(&out, &why, old.ptr, old.size, from.ptr, m, diff);
		if (err == 0) {
			git_oid_cpy(&f->old_id, &cand[i].id);
			f->has_old_id = true;
			goto found;
		}
		if (err != CG_E_INPUT)
			goto done;
		if (!first_why.size)
			cg_buf_puts(&first_why, why.ptr);
		err = 0;
	}
	if (n || f->status == CG_FILE_ADDED) {
		err = cg_error_set(
			CG_E_INPUT,
			"diff: %s: %s; make the diff in this repository against HEAD or the index (git diff, "
			"git diff --cached) and pass it unedited",
			f->path, first_why.size ? first_why.ptr : why.ptr);
		goto done;
	}
	/* No old version: the diff's new object, when the repository has it, is the new text. */
	if (find_blob(&new_id, cg_change_git(change), m->new_id)) {
		cg_buf_truncate(&out, 0);
		if ((err = cg_change__read_blob(change, &new_id, 0, &out, NULL)) < 0)
			goto done;
		if (verify_new(&why, out.ptr, out.size, m, diff) < 0) {
			err = cg_error_set(CG_E_INPUT, "diff: %s: %s (blob %.7s); pass the diff unedited", f->path,
					   why.ptr, git_oid_tostr_s(&new_id));
			goto done;
		}
		goto found;
	}
	if (cg_change_git(change))
		cg_warn("diff: %s: its old version is neither the diff's index object nor at HEAD or in the index; "
			"only "
			"the lines the hunks show are checked",
			f->path);
	goto done;
found:
	cg_buf_release(&f->content);
	f->content = out;
	cg_buf_init(&out);
	f->is_partial = false;
	err = 0;
done:
	cg_buf_release(&out);
	cg_buf_release(&why);
	cg_buf_release(&first_why);
	cg_buf_release(&old);
	cg_buf_release(&from);
	return err;
}

int cg_diff_resolve(struct cg_change *change, const char *text, const struct cg_diff_files *meta, git_tree *head,
		    git_index *index)
{
	int err = 0;

	for (size_t i = 0; i < change->nfiles && i < meta->n && !err; i++) {
		struct cg_changed_file *f = &change->files[i];
		if (f->status != CG_FILE_DELETED && !f->is_binary && !f->is_submodule)
			err = resolve_file(change, f, &meta->files[i], text, head, index);
		cg_changed_file__loaded(f);
	}
	return err;
}
