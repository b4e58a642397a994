/*
 * The facts of a run, gathered from the change, its commits, the findings
 * and the review. This is the only part of the renderers' input that reads
 * git; everything it produces is plain data.
 */
#define _GNU_SOURCE
#include "memory/memory.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_COMMITS 1000 /* commits of a change read for Decision: lines */
#define MAX_DECISIONS 100
#define MAX_TODOS 500

void cg_memory_facts_add_decision(struct cg_memory_facts *f, const char *text)
{
	for (size_t i = 0; i < f->ndecisions; i++)
		if (!strcmp(f->decisions[i], text))
			return;
	cg_array_grow((void **)&f->decisions, &f->decisions_cap, f->ndecisions + 1, sizeof(*f->decisions));
	f->decisions[f->ndecisions++] = cg_strdup(text);
}

void cg_memory_facts_add_todo(struct cg_memory_facts *f, const char *path, uint32_t line, const char *text)
{
	struct cg_memory_todo *t;
	cg_array_grow((void **)&f->todos, &f->todos_cap, f->ntodos + 1, sizeof(*f->todos));
	t = &f->todos[f->ntodos++];
	t->path = cg_strdup(path);
	t->line = line;
	t->text = cg_strdup(text);
}

void cg_memory_facts_release(struct cg_memory_facts *f)
{
	free(f->key);
	free(f->scope);
	free(f->title);
	free(f->base);
	free(f->head);
	for (size_t i = 0; i < f->ndecisions; i++)
		free(f->decisions[i]);
	free(f->decisions);
	for (size_t i = 0; i < f->ntodos; i++) {
		free(f->todos[i].path);
		free(f->todos[i].text);
	}
	free(f->todos);
	memset(f, 0, sizeof(*f));
}

static bool is_memory_path(const char *path, const struct cg_memory_config *mc)
{
	for (int i = 0; i < CG_MEMORY_NFILES; i++)
		if (!strcmp(path, mc->paths[i]))
			return true;
	return false;
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * A TODO or FIXME inside a comment on this line: the word (upper case, on
 * its own) after a comment opener. Code such as `let todo = "TODO";` is not
 * a comment and is not reported.
 */
static bool find_todo(const char *line, size_t len, const char **text, size_t *text_len)
{
	static const char *const openers[] = { "//", "/*", "#", "<!--", "--" };
	const char *comment = NULL, *p, *end = line + len;

	for (size_t i = 0; i < sizeof(openers) / sizeof(openers[0]); i++) {
		const char *o = memmem(line, len, openers[i], strlen(openers[i]));
		if (o && (!comment || o < comment))
			comment = o;
	}
	p = line;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '*') /* inside a block comment */
		comment = comment && comment < p ? comment : p;
	if (!comment)
		return false;
	for (p = comment; p < end; p++) {
		size_t n = 0;
		if (end - p >= 4 && !memcmp(p, "TODO", 4))
			n = 4;
		else if (end - p >= 5 && !memcmp(p, "FIXME", 5))
			n = 5;
		if (!n || (p > line && is_word_char(p[-1])) || (p + n < end && is_word_char(p[n])))
			continue;
		*text = p;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		if (end - p >= 2 && !memcmp(end - 2, "*/", 2))
			end -= 2;
		else if (end - p >= 3 && !memcmp(end - 3, "-->", 3))
			end -= 3;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*text_len = (size_t)(end - p);
		return true;
	}
	return false;
}

static int gather_todos(struct cg_memory_facts *f, struct cg_change *change, const struct cg_memory_config *mc)
{
	for (size_t i = 0; i < change->nfiles && f->ntodos < MAX_TODOS; i++) {
		struct cg_changed_file *file = &change->files[i];
		const char *data, *pos, *end;
		size_t len;
		uint32_t lineno = 0;
		int err;

		if (file->is_binary || file->is_submodule || file->status == CG_FILE_DELETED || !file->nadded ||
		    is_memory_path(file->path, mc))
			continue;
		if ((err = cg_change_content(change, file, &data, &len)) < 0)
			return err;
		for (pos = data, end = data + len; pos < end && f->ntodos < MAX_TODOS;) {
			const char *nl = memchr(pos, '\n', (size_t)(end - pos)), *t;
			size_t n = nl ? (size_t)(nl - pos) : (size_t)(end - pos), tlen;
			lineno++;
			if (cg_changed_file_is_added(file, lineno) && find_todo(pos, n, &t, &tlen)) {
				char *text = cg_strndup(t, tlen);
				cg_memory_facts_add_todo(f, file->path, lineno, text);
				free(text);
			}
			pos += n + (nl ? 1 : 0);
		}
	}
	return 0;
}

/* `Decision:` lines (any case, indented or not) of base..head's messages, oldest first. */
static int gather_decisions(struct cg_memory_facts *f, git_repository *repo, const char *base, const char *head)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int err = 0, n = 0;

	if (git_revwalk_new(&walk, repo) < 0 || git_oid_fromstr(&id, head) < 0 || git_revwalk_push(walk, &id) < 0) {
		err = cg_error_set_git("memory: cannot walk the commits of %s", head);
		goto done;
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (*base && (git_oid_fromstr(&id, base) < 0 || git_revwalk_hide(walk, &id) < 0)) {
		err = cg_error_set_git("memory: cannot walk the commits after %s", base);
		goto done;
	}
	while (n++ < MAX_COMMITS && f->ndecisions < MAX_DECISIONS && git_revwalk_next(&id, walk) == 0) {
		git_commit *c;
		const char *msg, *pos, *end;
		if (git_commit_lookup(&c, repo, &id) < 0) {
			err = cg_error_set_git("memory: cannot read commit %s", git_oid_tostr_s(&id));
			goto done;
		}
		msg = git_commit_message(c);
		for (pos = msg, end = msg + strlen(msg); pos < end;) {
			const char *nl = memchr(pos, '\n', (size_t)(end - pos)), *p = pos;
			const char *e = nl ? nl : end;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			if (e - p > 9 && !strncasecmp(p, "decision:", 9)) {
				char *text;
				p += 9;
				while (p < e && (*p == ' ' || *p == '\t'))
					p++;
				while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
					e--;
				if (e > p) {
					text = cg_strndup(p, (size_t)(e - p));
					cg_memory_facts_add_decision(f, text);
					free(text);
				}
			}
			pos = nl ? nl + 1 : end;
		}
		git_commit_free(c);
	}
done:
	git_revwalk_free(walk);
	return err;
}

/*
 * A change without a head commit (staged, a diff) is keyed by what it holds:
 * the same staged content gives the same key, so an aborted and retried
 * commit replaces its entry instead of adding one.
 */
static char *content_key(const struct cg_change *change, const struct cg_memory_config *mc)
{
	struct cg_buf b = CG_BUF_INIT, key = CG_BUF_INIT;
	char hex[CG_SHA1_HEX_SIZE];

	cg_buf_printf(&b, "%s\n", change->base);
	for (size_t i = 0; i < change->nfiles; i++) {
		const struct cg_changed_file *file = &change->files[i];
		if (is_memory_path(file->path, mc))
			continue;
		cg_buf_printf(&b, "%s\n%s\n", file->path, file->has_new_id ? git_oid_tostr_s(&file->new_id) : "-");
	}
	cg_sha1_hex(hex, b.ptr, b.size);
	cg_buf_printf(&key, "%s-%.12s", cg_change_source_name(change->source), hex);
	cg_buf_release(&b);
	return cg_buf_detach(&key, NULL);
}

int cg_memory_gather(struct cg_memory_facts *out, git_repository *repo, struct cg_change *change,
		     const struct cg_findings *findings, const struct cg_memory_review *review,
		     const struct cg_memory_meta *meta, const struct cg_memory_config *mc)
{
	git_commit *head = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->findings = findings;
	out->review = review;
	out->now = meta->now;
	out->base = cg_strdup(change->base);
	out->head = cg_strdup(change->head);
	for (size_t i = 0; i < change->nfiles; i++) {
		if (is_memory_path(change->files[i].path, mc))
			continue;
		out->files++;
		out->lines_added += change->files[i].lines_added;
		out->lines_removed += change->files[i].lines_removed;
	}
	if (*change->head) {
		git_oid id;
		if (git_oid_fromstr(&id, change->head) < 0 || git_commit_lookup(&head, repo, &id) < 0) {
			err = cg_error_set_git("memory: cannot read the change's head commit %s", change->head);
			goto done;
		}
		if ((err = gather_decisions(out, repo, change->base, change->head)) < 0)
			goto done;
	}
	if (meta->key && *meta->key)
		out->key = cg_strdup(meta->key);
	else if (*change->head)
		out->key = cg_strndup(change->head, 12);
	else
		out->key = content_key(change, mc);
	out->scope = cg_strdup(meta->scope && *meta->scope ? meta->scope : out->key);
	if (meta->title && *meta->title)
		out->title = cg_strdup(meta->title);
	else if (head && git_commit_summary(head))
		out->title = cg_strdup(git_commit_summary(head));
	else if (change->source == CG_SOURCE_STAGED)
		out->title = cg_strdup("staged change");
	err = gather_todos(out, change, mc);
done:
	git_commit_free(head);
	if (err < 0)
		cg_memory_facts_release(out);
	return err;
}
