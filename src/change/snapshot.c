/* The new revision as a read-only file system: the index or a tree. */
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/change.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define SNAPSHOT_MAX_FILE (256u * 1024 * 1024)

struct cg_snapshot {
	git_repository *repo;
	git_index *index; /* one of index, file or tree */
	struct cg_index_file *file;
	git_tree *tree;
};

int cg_snapshot_open_index(struct cg_snapshot **out, git_repository *repo, git_index *index)
{
	struct cg_snapshot *s = cg_calloc(1, sizeof(*s));
	s->repo = repo;
	s->index = index;
	*out = s;
	return 0;
}

int cg_snapshot_open_index_file(struct cg_snapshot **out, git_repository *repo, struct cg_index_file *file)
{
	struct cg_snapshot *s = cg_calloc(1, sizeof(*s));
	s->repo = repo;
	s->file = file;
	*out = s;
	return 0;
}

int cg_snapshot_open_tree(struct cg_snapshot **out, git_repository *repo, git_tree *tree)
{
	struct cg_snapshot *s = cg_calloc(1, sizeof(*s));
	s->repo = repo;
	s->tree = tree;
	*out = s;
	return 0;
}

void cg_snapshot_free(struct cg_snapshot *s)
{
	if (!s)
		return;
	git_index_free(s->index);
	cg_index_file_free(s->file);
	git_tree_free(s->tree);
	free(s);
}

static int lookup(const struct cg_snapshot *s, const char *path, git_oid *id)
{
	if (!s)
		return CG_E_NOTFOUND;
	if (s->index) {
		const git_index_entry *e = git_index_get_bypath(s->index, path, 0);
		if (!e || (e->mode & 0170000) == 0160000)
			return CG_E_NOTFOUND;
		git_oid_cpy(id, &e->id);
		return 0;
	}
	if (s->file) {
		const struct cg_index_entry *e = cg_index_file_get(s->file, path);
		if (!e || (e->mode & 0170000) == 0160000)
			return CG_E_NOTFOUND;
		git_oid_cpy(id, &e->id);
		return 0;
	}
	if (s->tree) {
		git_tree_entry *e = NULL;
		int ok = git_tree_entry_bypath(&e, s->tree, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_BLOB;
		if (ok)
			git_oid_cpy(id, git_tree_entry_id(e));
		git_tree_entry_free(e);
		return ok ? 0 : CG_E_NOTFOUND;
	}
	return CG_E_NOTFOUND;
}

int cg_snapshot_read_blob(git_odb *odb, const git_oid *id, size_t max_bytes, struct cg_buf *out, bool *is_over)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size;
	int err = 0;

	if (is_over)
		*is_over = false;
	/* The header says the size without inflating a blob that would be refused. */
	if (git_odb_read_header(&size, &type, odb, id) < 0)
		return cg_error_set_git("cannot read blob %.12s", git_oid_tostr_s(id));
	if (type != GIT_OBJECT_BLOB)
		return cg_error_set(CG_E_INPUT, "object %.12s is no blob", git_oid_tostr_s(id));
	if (size > SNAPSHOT_MAX_FILE)
		return cg_error_set(CG_E_TOOBIG, "blob %.12s is larger than %u MiB", git_oid_tostr_s(id),
				    SNAPSHOT_MAX_FILE >> 20);
	if (max_bytes && size > max_bytes && is_over) {
		*is_over = true;
		return 0;
	}
	if (git_odb_read(&obj, odb, id) < 0)
		return cg_error_set_git("cannot read blob %.12s", git_oid_tostr_s(id));
	err = cg_buf_put(out, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return err;
}

/*
 * A diff's new side is in no tree: the snapshot is HEAD's, and the change
 * itself holds the new text of the files it touches (when it could build
 * it whole) and knows the paths it removed.
 */
enum { DIFF_UNTOUCHED, DIFF_GONE, DIFF_HELD };

static int diff_file(const struct cg_change *change, const char *path, const struct cg_changed_file **out)
{
	if (change->source != CG_SOURCE_DIFF)
		return DIFF_UNTOUCHED;
	for (size_t i = 0; i < change->nfiles; i++) {
		const struct cg_changed_file *f = &change->files[i];
		if (f->is_unchanged || strcmp(f->path, path))
			continue;
		if (f->status == CG_FILE_DELETED)
			return DIFF_GONE;
		*out = f;
		return f->is_loaded && !f->is_partial && !f->is_binary ? DIFF_HELD : DIFF_UNTOUCHED;
	}
	for (size_t i = 0; i < change->nfiles; i++)
		if (change->files[i].status == CG_FILE_RENAMED && !strcmp(change->files[i].old_path, path))
			return DIFF_GONE;
	return DIFF_UNTOUCHED;
}

bool cg_change_exists(const struct cg_change *change, const char *path)
{
	const struct cg_changed_file *f;
	git_oid id;
	bool found;
	int held = diff_file(change, path, &f);
	if (held != DIFF_UNTOUCHED)
		return held == DIFF_HELD;
	cg_change_lock(change);
	found = lookup(change->snapshot, path, &id) == 0;
	cg_change_unlock(change);
	return found;
}

bool cg_change_blob_id(const struct cg_change *change, const char *path, git_oid *out)
{
	const struct cg_changed_file *f = NULL;
	bool found;
	int held = diff_file(change, path, &f);
	if (held != DIFF_UNTOUCHED)
		return false; /* a diff's new text is in no object: it has no id */
	cg_change_lock(change);
	found = lookup(change->snapshot, path, out) == 0;
	cg_change_unlock(change);
	return found;
}

struct walk_ctx {
	const char *base;   /* folder the walk started in, with its '/' */
	const char *prefix; /* full prefix the paths must start with */
	int (*cb)(const char *, void *);
	void *payload;
	int err;
};

static int tree_walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk_ctx *w = payload;
	struct cg_buf path = CG_BUF_INIT;
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	cg_buf_printf(&path, "%s%s%s", w->base, root, git_tree_entry_name(entry));
	if (cg_starts_with(path.ptr, w->prefix))
		w->err = w->cb(path.ptr, w->payload);
	cg_buf_release(&path);
	return w->err < 0 ? -1 : 0;
}

static int list_locked(const struct cg_change *change, const char *prefix, int (*cb)(const char *, void *),
		       void *payload)
{
	const struct cg_snapshot *s = change->snapshot;
	int err = 0;

	if (!s)
		return 0;
	if (s->index) {
		size_t pos = 0, n = git_index_entrycount(s->index);
		if (*prefix && git_index_find_prefix(&pos, s->index, prefix) < 0)
			return 0;
		for (; pos < n; pos++) {
			const git_index_entry *e = git_index_get_byindex(s->index, pos);
			if (!cg_starts_with(e->path, prefix))
				break;
			if (git_index_entry_stage(e) != 0 || (e->mode & 0170000) == 0160000)
				continue;
			if ((err = cb(e->path, payload)) < 0)
				return err;
		}
		return 0;
	}
	if (s->file) {
		for (size_t pos = cg_index_file_find_prefix(s->file, prefix); pos < s->file->n; pos++) {
			const struct cg_index_entry *e = &s->file->entries[pos];
			if (!cg_starts_with(e->path, prefix))
				break;
			if (e->stage != 0 || (e->mode & 0170000) == 0160000)
				continue;
			if ((err = cb(e->path, payload)) < 0)
				return err;
		}
		return 0;
	}
	if (s->tree) {
		struct cg_buf base = CG_BUF_INIT;
		struct walk_ctx w = { "", prefix, cb, payload, 0 };
		git_tree *sub = NULL;
		const char *slash = strrchr(prefix, '/');

		/* Walk only the deepest folder the prefix names, not the whole tree. */
		if (slash) {
			git_tree_entry *e = NULL;
			cg_buf_put(&base, prefix, (size_t)(slash - prefix));
			if (git_tree_entry_bypath(&e, s->tree, base.ptr) < 0 ||
			    git_tree_entry_type(e) != GIT_OBJECT_TREE ||
			    git_tree_lookup(&sub, cg_change_git(change), git_tree_entry_id(e)) < 0) {
				git_tree_entry_free(e);
				cg_buf_release(&base);
				return 0;
			}
			git_tree_entry_free(e);
			cg_buf_putc(&base, '/');
			w.base = base.ptr;
		}
		err = git_tree_walk(sub ? sub : s->tree, GIT_TREEWALK_PRE, tree_walk_cb, &w);
		git_tree_free(sub);
		cg_buf_release(&base);
		if (w.err < 0)
			return w.err;
		if (err < 0)
			return cg_error_set_git("cannot walk the tree");
	}
	return 0;
}

int cg_change_read(const struct cg_change *change, const char *path, struct cg_buf *out)
{
	const struct cg_changed_file *f = NULL;
	git_oid id;
	int err, held = diff_file(change, path, &f);
	if (held == DIFF_HELD)
		return cg_buf_put(out, f->content.ptr, f->content.size);
	cg_change_lock(change);
	err = held == DIFF_GONE ? CG_E_NOTFOUND : lookup(change->snapshot, path, &id);
	cg_change_unlock(change);
	if (err < 0)
		return cg_error_set(CG_E_NOTFOUND, "%s: not in the checked revision", path);
	return cg_change__read_blob(change, &id, 0, out, NULL);
}

struct diff_list {
	const struct cg_change *change;
	int (*cb)(const char *, void *);
	void *payload;
};

static int list_but_gone(const char *path, void *payload)
{
	struct diff_list *dl = payload;
	const struct cg_changed_file *f;
	return diff_file(dl->change, path, &f) == DIFF_GONE ? 0 : dl->cb(path, dl->payload);
}

int cg_change_list(const struct cg_change *change, const char *prefix, int (*cb)(const char *, void *), void *payload)
{
	struct diff_list dl = { change, cb, payload };
	git_oid id;
	int err;

	cg_change_lock(change);
	if (change->source != CG_SOURCE_DIFF) {
		err = list_locked(change, prefix, cb, payload);
		goto done;
	}
	/* The tree's paths less those the diff removed, then the paths it brought. */
	if ((err = list_locked(change, prefix, list_but_gone, &dl)) < 0)
		goto done;
	for (size_t i = 0; i < change->nfiles && !err; i++) {
		const struct cg_changed_file *f = &change->files[i];
		if (f->status != CG_FILE_DELETED && cg_starts_with(f->path, prefix) &&
		    lookup(change->snapshot, f->path, &id) < 0)
			err = cb(f->path, payload);
	}
done:
	cg_change_unlock(change);
	return err;
}
