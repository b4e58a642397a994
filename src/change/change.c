#include "change/change.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static void file_release(struct cg_changed_file *f);
static int add_whole(struct cg_change *change, const char *path, const git_oid *id, uint32_t mode);

#define DIFF_MAX_BYTES (512u * 1024 * 1024)

static const char shallow_fix[] =
	"the clone is shallow or lacks the history; fetch it: in GitHub Actions set `fetch-depth: 0` on "
	"actions/checkout, in GitLab CI set `GIT_DEPTH: 0`, elsewhere run `git fetch --unshallow`";

const char *cg_change_source_name(enum cg_change_source source)
{
	static const char *names[] = { "staged", "range", "diff", "all" };
	return names[source];
}

const char *cg_file_status_name(enum cg_file_status status)
{
	static const char *names[] = { "added", "modified", "deleted", "renamed", "copied", "typechange" };
	return names[status];
}

struct cg_changed_file *cg_change__add_file(struct cg_change *change, const char *path)
{
	struct cg_changed_file *f;
	cg_array_grow((void **)&change->files, &change->files_cap, change->nfiles + 1, sizeof(*change->files));
	f = &change->files[change->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = cg_strdup(path);
	f->old_path = cg_strdup(path);
	f->status = CG_FILE_MODIFIED;
	cg_buf_init(&f->content);
	return f;
}

void cg_changed_file__add_line(struct cg_changed_file *f, uint32_t line)
{
	/* Lines arrive in increasing order: extend the last range when adjacent. */
	if (f->nadded && f->added[f->nadded - 1].end + 1 == line) {
		f->added[f->nadded - 1].end = line;
		return;
	}
	if (f->nadded && f->added[f->nadded - 1].end >= line)
		return;
	cg_array_grow((void **)&f->added, &f->added_cap, f->nadded + 1, sizeof(*f->added));
	f->added[f->nadded].start = line;
	f->added[f->nadded].end = line;
	f->nadded++;
}

void cg_changed_file__add_hunk(struct cg_changed_file *f, uint32_t start, uint32_t count)
{
	if (!count)
		return;
	cg_array_grow((void **)&f->hunks, &f->hunks_cap, f->nhunks + 1, sizeof(*f->hunks));
	f->hunks[f->nhunks].start = start;
	f->hunks[f->nhunks].end = start + count - 1;
	f->nhunks++;
}

static bool in_ranges(const struct cg_line_range *r, size_t n, uint32_t line)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (line < r[mid].start)
			hi = mid;
		else if (line > r[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool cg_changed_file_is_added(const struct cg_changed_file *f, uint32_t line)
{
	return f->is_whole_file || in_ranges(f->added, f->nadded, line);
}

bool cg_changed_file_in_hunks(const struct cg_changed_file *f, uint32_t line)
{
	return f->is_whole_file || in_ranges(f->hunks, f->nhunks, line);
}

static bool looks_binary(const char *data, size_t len)
{
	/* git's heuristic: a NUL in the first 8000 bytes. */
	return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

void cg_changed_file__loaded(struct cg_changed_file *f)
{
	f->is_loaded = true;
	if (looks_binary(f->content.ptr, f->content.size)) {
		f->is_binary = true;
		f->skip_reason = "binary file";
	}
}

int cg_change_content(struct cg_change *change, struct cg_changed_file *f, const char **data, size_t *len)
{
	int err = 0;

	if (!f->is_loaded) {
		if (f->has_new_id) {
			git_object_size_t size = 0;
			cg_buf_release(&f->content);
			cg_change_lock();
			/* The header alone says how big it is: never inflate a blob we will skip. */
			if (change->max_file_bytes && cg_snapshot_blob_size(change->repo, &f->new_id, &size) == 0 &&
			    size > change->max_file_bytes)
				f->skip_reason = CG_SKIP_TOO_LARGE;
			else
				err = cg_snapshot_read_blob(change->repo, &f->new_id, &f->content);
			cg_change_unlock();
		}
		if (err < 0)
			return err;
		cg_changed_file__loaded(f);
	}
	*data = f->content.ptr;
	*len = f->content.size;
	return 0;
}

int cg_change_read_old(const struct cg_change *change, const struct cg_changed_file *f, struct cg_buf *out)
{
	int err;
	if (!f->has_old_id || !change->repo)
		return cg_error_set(CG_E_NOTFOUND, "%s: no version before the change", f->path);
	cg_change_lock();
	err = cg_snapshot_read_blob(change->repo, &f->old_id, out);
	cg_change_unlock();
	return err;
}

unsigned cg_change_shard_of(const char *path, unsigned count)
{
	return count ? (unsigned)(cg_hash64(path, strlen(path), 0) % count) + 1 : 1;
}

void cg_change_keep_shard(struct cg_change *change, unsigned index, unsigned count)
{
	size_t kept = 0;
	if (count <= 1)
		return;
	for (size_t i = 0; i < change->nfiles; i++) {
		if (cg_change_shard_of(change->files[i].path, count) == index)
			change->files[kept++] = change->files[i];
		else
			file_release(&change->files[i]);
	}
	change->nfiles = kept;
}

static void file_release(struct cg_changed_file *f)
{
	free(f->path);
	free(f->old_path);
	free(f->added);
	free(f->hunks);
	cg_buf_release(&f->content);
}

void cg_change_release(struct cg_change *change)
{
	for (size_t i = 0; i < change->nfiles; i++)
		file_release(&change->files[i]);
	free(change->files);
	cg_snapshot_free(change->snapshot);
	memset(change, 0, sizeof(*change));
}

/* --- libgit2 diffs: staged and ranges --- */

/*
 * New contents the diff has inflated anyway are kept for the rule pass, up
 * to this many bytes in all: reading them again cost a third of a long
 * --range. Past it they are read again on demand, so memory stays bounded
 * however large the change (the pass drops each file's text after use).
 */
#define KEEP_MAX_BYTES (32u * 1024 * 1024)

static bool is_blob_mode(uint32_t mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static struct cg_changed_file *add_delta(struct cg_change *change, const git_diff_delta *d, uint32_t flags,
					 git_object_size_t new_size)
{
	struct cg_changed_file *f;
	const git_diff_file *nf = d->status == GIT_DELTA_DELETED ? &d->old_file : &d->new_file;

	f = cg_change__add_file(change, nf->path);
	free(f->old_path);
	f->old_path = cg_strdup(d->old_file.path);
	f->mode = d->new_file.mode;
	f->old_mode = d->old_file.mode;
	switch (d->status) {
	case GIT_DELTA_ADDED:
		f->status = CG_FILE_ADDED;
		f->is_whole_file = true;
		break;
	case GIT_DELTA_DELETED:
		f->status = CG_FILE_DELETED;
		f->skip_reason = "deleted";
		break;
	case GIT_DELTA_RENAMED:
		f->status = CG_FILE_RENAMED;
		break;
	case GIT_DELTA_COPIED:
		f->status = CG_FILE_COPIED;
		break;
	case GIT_DELTA_TYPECHANGE:
		f->status = CG_FILE_TYPECHANGE;
		break;
	default:
		f->status = CG_FILE_MODIFIED;
	}
	if (d->new_file.mode == GIT_FILEMODE_COMMIT || d->old_file.mode == GIT_FILEMODE_COMMIT) {
		f->is_submodule = true;
		f->skip_reason = "submodule";
	} else if (d->new_file.mode == GIT_FILEMODE_LINK && d->status != GIT_DELTA_DELETED) {
		f->skip_reason = "symbolic link";
	}
	if ((flags & GIT_DIFF_FLAG_BINARY) && change->max_file_bytes && new_size > change->max_file_bytes &&
	    !f->skip_reason) {
		f->skip_reason = CG_SKIP_TOO_LARGE;
	} else if (flags & GIT_DIFF_FLAG_BINARY) {
		f->is_binary = true;
		if (!f->skip_reason)
			f->skip_reason = "binary file";
	}
	if (d->status != GIT_DELTA_ADDED && is_blob_mode(d->old_file.mode) && !git_oid_is_zero(&d->old_file.id)) {
		git_oid_cpy(&f->old_id, &d->old_file.id);
		f->has_old_id = true;
	}
	if (d->status != GIT_DELTA_DELETED && !git_oid_is_zero(&d->new_file.id)) {
		git_oid_cpy(&f->new_id, &d->new_file.id);
		f->has_new_id = true;
	}
	return f;
}

static int add_patch_lines(struct cg_changed_file *f, git_patch *patch)
{
	size_t nhunks = git_patch_num_hunks(patch);

	for (size_t h = 0; h < nhunks; h++) {
		const git_diff_hunk *hunk;
		size_t nlines;
		if (git_patch_get_hunk(&hunk, &nlines, patch, h) < 0)
			return cg_error_set_git("cannot read the diff of %s", f->path);
		cg_changed_file__add_hunk(f, (uint32_t)hunk->new_start, (uint32_t)hunk->new_lines);
		for (size_t i = 0; i < nlines; i++) {
			const git_diff_line *l;
			if (git_patch_get_line_in_hunk(&l, patch, h, i) < 0)
				return cg_error_set_git("cannot read the diff of %s", f->path);
			if (l->origin == GIT_DIFF_LINE_ADDITION) {
				f->lines_added++;
				cg_changed_file__add_line(f, (uint32_t)l->new_lineno);
			} else if (l->origin == GIT_DIFF_LINE_DELETION) {
				f->lines_removed++;
			}
		}
	}
	return 0;
}

/* Whether the blob `id` is small enough to diff (max_size 0: no limit); the header alone says. */
static bool fits(git_odb *odb, const git_oid *id, git_off_t max_size, git_object_size_t *size)
{
	size_t len = 0;
	git_object_t type;

	if (git_odb_read_header(&len, &type, odb, id) < 0) {
		git_error_clear();
		return false;
	}
	*size = (git_object_size_t)len;
	return type == GIT_OBJECT_BLOB && (!max_size || len <= (size_t)max_size);
}

/*
 * One file of the diff. A text file changed or added is diffed from its two
 * blobs, read once here, and its new text stays in the file for the rule
 * pass (while `kept` is under KEEP_MAX_BYTES): git_diff_foreach would
 * inflate both blobs and drop them, and the pass would inflate the new one
 * again. Anything else (deletions, submodules, type changes, files over
 * max_size) goes through git_patch_from_diff, which reads no more than it must.
 */
/*
 * A new file of megabytes: every line is added, and the patch would only
 * say so, after building a record per line (xdiff took 360 MB for a 50 MB
 * generated file). Lines are counted instead; binary is judged as libgit2's
 * patch judges it, by the `diff` attribute and the content.
 */
#define WHOLE_NEW_FILE_MIN (4u * 1024 * 1024)

static int collect_new_file(struct cg_change *change, const git_diff_delta *d, git_object_size_t size, size_t *kept)
{
	git_blob *blob = NULL;
	const char *attr = NULL, *text, *end, *p;
	struct cg_changed_file *f;
	uint32_t flags = 0, lines = 0;
	int err = 0;

	if (git_blob_lookup(&blob, change->repo, &d->new_file.id) < 0)
		return cg_error_set_git("cannot read %s", d->new_file.path);
	if (git_attr_get(&attr, change->repo, GIT_ATTR_CHECK_INDEX_THEN_FILE, d->new_file.path, "diff") < 0)
		git_error_clear();
	if (GIT_ATTR_IS_FALSE(attr) || git_blob_is_binary(blob))
		flags |= GIT_DIFF_FLAG_BINARY;
	f = add_delta(change, d, flags, size);
	text = git_blob_rawcontent(blob);
	end = text + (size_t)size;
	if (!f->skip_reason) {
		for (p = text; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			lines++;
		if (size && end[-1] != '\n')
			lines++;
		f->lines_added = lines;
		if (lines) {
			cg_changed_file__add_hunk(f, 1, lines);
			for (uint32_t l = 1; l <= lines; l++)
				cg_changed_file__add_line(f, l); /* one range, extended */
		}
	}
	if (!f->skip_reason && size <= KEEP_MAX_BYTES - *kept) {
		if ((err = cg_buf_put(&f->content, text, (size_t)size)) == 0) {
			*kept += (size_t)size;
			cg_changed_file__loaded(f);
		}
	}
	git_blob_free(blob);
	return err;
}

static int collect_delta(struct cg_change *change, git_diff *diff, size_t idx, git_odb *odb, const git_diff_options *o,
			 size_t *kept)
{
	const git_diff_delta *d = git_diff_get_delta(diff, idx);
	git_blob *old_blob = NULL, *new_blob = NULL;
	git_patch *patch = NULL;
	git_object_size_t old_size = 0, new_size = 0;
	const git_diff_delta *pd;
	struct cg_changed_file *f;
	bool by_blobs = (d->status == GIT_DELTA_MODIFIED || d->status == GIT_DELTA_ADDED ||
			 d->status == GIT_DELTA_RENAMED || d->status == GIT_DELTA_COPIED) &&
			is_blob_mode(d->new_file.mode) &&
			(d->status == GIT_DELTA_ADDED || is_blob_mode(d->old_file.mode));
	int err = 0;

	if (by_blobs)
		by_blobs = fits(odb, &d->new_file.id, o->max_size, &new_size) &&
			   (d->status == GIT_DELTA_ADDED || fits(odb, &d->old_file.id, o->max_size, &old_size));
	if (by_blobs && d->status == GIT_DELTA_ADDED && new_size >= WHOLE_NEW_FILE_MIN)
		return collect_new_file(change, d, new_size, kept);
	if (by_blobs) {
		if ((d->status != GIT_DELTA_ADDED && git_blob_lookup(&old_blob, change->repo, &d->old_file.id) < 0) ||
		    git_blob_lookup(&new_blob, change->repo, &d->new_file.id) < 0 ||
		    git_patch_from_blobs(&patch, old_blob, d->old_file.path, new_blob, d->new_file.path, o) < 0) {
			err = cg_error_set_git("cannot diff %s", d->new_file.path);
			goto done;
		}
	} else if (git_patch_from_diff(&patch, diff, idx) < 0) {
		err = cg_error_set_git("cannot diff %s", d->new_file.path);
		goto done;
	}
	/* The patch's copy of the delta has what reading the blobs taught: binary, sizes. */
	pd = git_patch_get_delta(patch);
	f = add_delta(change, d, pd->flags, by_blobs ? new_size : pd->new_file.size);
	if ((err = add_patch_lines(f, patch)) < 0)
		goto done;
	if (new_blob && !f->skip_reason && new_size <= KEEP_MAX_BYTES - *kept) {
		if ((err = cg_buf_put(&f->content, git_blob_rawcontent(new_blob), (size_t)new_size)) < 0)
			goto done;
		*kept += (size_t)new_size;
		cg_changed_file__loaded(f);
	}
done:
	git_patch_free(patch);
	git_blob_free(old_blob);
	git_blob_free(new_blob);
	return err;
}

static int collect(struct cg_change *change, git_diff *diff, const git_diff_options *o)
{
	git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
	git_odb *odb = NULL;
	size_t n, kept = 0;
	int err = 0;

	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &find) < 0)
		return cg_error_set_git("cannot detect renames");
	if (git_repository_odb(&odb, change->repo) < 0)
		return cg_error_set_git("cannot open the object database");
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && !err; i++)
		err = collect_delta(change, diff, i, odb, o, &kept);
	git_odb_free(odb);
	return err;
}

static void diff_opts(git_diff_options *o, const struct cg_change_opts *opts)
{
	o->context_lines = opts->context_lines;
	/* libgit2 treats larger blobs as binary: no patch text for a file we will skip anyway. */
	if (opts->max_file_bytes)
		o->max_size = (git_off_t)opts->max_file_bytes;
	o->flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
}

static int resolve_commit(git_commit **out, git_repository *repo, const char *ref, const char *what)
{
	git_object *obj = NULL;
	int err;

	if ((err = git_revparse_single(&obj, repo, ref)) < 0) {
		if (git_repository_is_shallow(repo))
			return cg_error_set(CG_E_INPUT, "%s '%s' is not in this clone: %s", what, ref, shallow_fix);
		return cg_error_set(CG_E_INPUT, "%s '%s': no such commit or ref in this repository (fetch it first?)",
				    what, ref);
	}
	err = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (err < 0)
		return cg_error_set(CG_E_INPUT, "%s '%s' does not name a commit", what, ref);
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether `path`, or one of the folders above it, is in the sorted `names`. */
static bool is_named(char *const *names, size_t nnames, const char *path)
{
	struct cg_buf cut = CG_BUF_INIT;
	bool found = false;

	cg_buf_puts(&cut, path);
	for (;;) {
		char *slash;
		const char *key = cut.ptr;
		if (bsearch(&key, names, nnames, sizeof(*names), cmp_path)) {
			found = true;
			break;
		}
		if (!(slash = strrchr(cut.ptr, '/')))
			break;
		cg_buf_truncate(&cut, (size_t)(slash - cut.ptr));
	}
	cg_buf_release(&cut);
	return found;
}

/*
 * Narrows a staged change to the named paths (opts->paths). A file the
 * change touches stays as the diff made it, so its findings are still those
 * on changed lines; a named file the change does not touch joins whole from
 * the index, as --filter file would show it. That is what the pre-commit
 * framework needs: it names the files itself, every tracked one under
 * `run --all-files`, where nothing is staged.
 */
static int keep_named(struct cg_change *change, git_index *index, const struct cg_change_opts *opts)
{
	char **names = cg_calloc(opts->npaths, sizeof(*names));
	char **touched = NULL;
	size_t nnames = 0, nunique = 0, ntouched = 0;
	int err = 0;

	for (size_t i = 0; i < opts->npaths; i++) {
		const char *p = opts->paths[i];
		size_t len;
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		len = strlen(p);
		while (len > 0 && p[len - 1] == '/')
			len--;
		if (!len) {
			err = cg_error_set(CG_E_USAGE, "'%s': name a file or folder inside the work tree",
					   opts->paths[i]);
			goto done;
		}
		names[nnames++] = cg_strndup(p, len);
	}
	qsort(names, nnames, sizeof(*names), cmp_path);
	/* A name given twice ("a.rs ./a.rs") is one name. */
	for (size_t i = 0; i < nnames; i++) {
		if (nunique && !strcmp(names[i], names[nunique - 1]))
			free(names[i]);
		else
			names[nunique++] = names[i];
	}
	nnames = nunique;

	/* The change's own files that were named stay; the rest go. */
	for (size_t i = 0; i < change->nfiles; i++) {
		if (is_named(names, nnames, change->files[i].path))
			change->files[ntouched++] = change->files[i];
		else
			file_release(&change->files[i]);
	}
	change->nfiles = ntouched;
	touched = cg_calloc(ntouched ? ntouched : 1, sizeof(*touched));
	for (size_t i = 0; i < ntouched; i++)
		touched[i] = change->files[i].path;
	qsort(touched, ntouched, sizeof(*touched), cmp_path);

	for (size_t j = 0; j < nnames; j++) {
		size_t pos, len = strlen(names[j]), found = 0;
		const git_index_entry *e;
		const char *slash = strrchr(names[j], '/');

		/* A path inside a folder also named is listed with the folder. */
		if (slash) {
			char *parent = cg_strndup(names[j], (size_t)(slash - names[j]));
			bool is_listed = is_named(names, nnames, parent);
			free(parent);
			if (is_listed)
				continue;
		}
		if (git_index_find_prefix(&pos, index, names[j]) == 0) {
			/* The prefix also matches "src-x/…" next to "src/…": those are skipped. */
			for (; (e = git_index_get_byindex(index, pos)) && !strncmp(e->path, names[j], len); pos++) {
				const char *key = e->path;
				if ((e->path[len] != '\0' && e->path[len] != '/') || git_index_entry_stage(e) != 0)
					continue;
				found++;
				if (bsearch(&key, touched, ntouched, sizeof(*touched), cmp_path))
					continue;
				add_whole(change, e->path, &e->id, e->mode);
				change->files[change->nfiles - 1].status = CG_FILE_MODIFIED;
			}
		}
		/* A file the change deletes is in the change, no longer in the index. */
		for (size_t i = 0; i < ntouched && !found; i++)
			found = !strncmp(touched[i], names[j], len) &&
				(touched[i][len] == '\0' || touched[i][len] == '/');
		if (!found) {
			err = cg_error_set(
				CG_E_INPUT,
				"'%s' is not in the index: crabgate checks what git tracks (`git add` it first)",
				names[j]);
			goto done;
		}
	}
done:
	for (size_t j = 0; j < nnames; j++)
		free(names[j]);
	free(names);
	free(touched);
	return err;
}

static int load_staged(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	struct cg_pathlist paths = { 0 };
	int err = 0, rc;

	if (git_repository_is_bare(repo)) {
		err = cg_error_set(CG_E_INPUT, "a bare repository has no index to check; use --base, --range or --all");
		goto done;
	}
	rc = git_repository_head(&head, repo);
	if (rc == 0) {
		if (git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
		    git_commit_tree(&tree, commit) < 0) {
			err = cg_error_set_git("cannot read HEAD");
			goto done;
		}
		git_oid_tostr(change->base, sizeof(change->base), git_commit_id(commit));
	} else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND) {
		err = cg_error_set_git("cannot read HEAD");
		goto done;
	}
	if (git_repository_index(&index, repo) < 0) {
		err = cg_error_set_git("cannot read the index");
		goto done;
	}
	diff_opts(&o, opts);
	/*
	 * The index's cache-tree names the few paths a commit would change, so
	 * the diff reads only the trees above them, as git does, instead of all
	 * of HEAD's. Without a usable cache-tree, diff everything.
	 */
	if (tree && cg_index_changed_paths(&paths, repo, index, tree) == 0) {
		if (!paths.len)
			goto snapshot; /* nothing staged */
		o.pathspec.strings = paths.items;
		o.pathspec.count = paths.len;
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_index(&diff, repo, tree, index, &o) < 0) {
		err = cg_error_set_git("cannot diff the index against HEAD");
		goto done;
	}
	if ((err = collect(change, diff, &o)) < 0)
		goto done;
snapshot:
	if (opts->npaths && (err = keep_named(change, index, opts)) < 0)
		goto done;
	err = cg_snapshot_open_index(&change->snapshot, repo, index);
	index = NULL;
done:
	cg_pathlist_release(&paths);
	git_diff_free(diff);
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}

static int diff_commits(struct cg_change *change, git_repository *repo, git_commit *from, git_commit *to,
			const struct cg_change_opts *opts)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	int err = 0;

	if (git_commit_tree(&a, from) < 0 || git_commit_tree(&b, to) < 0) {
		err = cg_error_set_git("cannot read the commits' trees");
		goto done;
	}
	git_oid_tostr(change->base, sizeof(change->base), git_commit_id(from));
	git_oid_tostr(change->head, sizeof(change->head), git_commit_id(to));
	diff_opts(&o, opts);
	if (git_diff_tree_to_tree(&diff, repo, a, b, &o) < 0) {
		err = cg_error_set_git("cannot diff %s..%s", change->base, change->head);
		goto done;
	}
	if ((err = collect(change, diff, &o)) < 0)
		goto done;
	err = cg_snapshot_open_tree(&change->snapshot, repo, b);
	b = NULL;
done:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	return err;
}

static int merge_base(git_commit **out, git_repository *repo, git_commit *a, git_commit *b, const char *an,
		      const char *bn)
{
	git_oid mb;
	int rc = git_merge_base(&mb, repo, git_commit_id(a), git_commit_id(b));
	if (rc == GIT_ENOTFOUND) {
		if (git_repository_is_shallow(repo))
			return cg_error_set(CG_E_INPUT, "no merge base of '%s' and '%s' in this clone: %s", an, bn,
					    shallow_fix);
		return cg_error_set(CG_E_INPUT,
				    "'%s' and '%s' have no common history; compare with --range %s..%s instead", an, bn,
				    an, bn);
	}
	if (rc < 0)
		return cg_error_set_git("cannot compute the merge base of '%s' and '%s'", an, bn);
	if (git_commit_lookup(out, repo, &mb) < 0)
		return cg_error_set(CG_E_INPUT, "the merge base of '%s' and '%s' is missing: %s", an, bn, shallow_fix);
	return 0;
}

static int load_range(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts)
{
	git_commit *base = NULL, *head = NULL, *mb = NULL;
	const char *head_ref = opts->head ? opts->head : "HEAD";
	char *left = NULL, *right = NULL;
	int err = 0;

	if (opts->range) {
		const char *dots = strstr(opts->range, "..");
		bool three = dots && dots[2] == '.';
		if (!dots) {
			err = cg_error_set(CG_E_USAGE, "--range '%s': expected A..B or A...B", opts->range);
			goto done;
		}
		left = cg_strndup(opts->range, (size_t)(dots - opts->range));
		right = cg_strdup(dots + (three ? 3 : 2));
		if ((err = resolve_commit(&base, repo, *left ? left : "HEAD", "range start")) < 0 ||
		    (err = resolve_commit(&head, repo, *right ? right : "HEAD", "range end")) < 0)
			goto done;
		if (three) {
			if ((err = merge_base(&mb, repo, base, head, left, right)) < 0)
				goto done;
			err = diff_commits(change, repo, mb, head, opts);
		} else {
			err = diff_commits(change, repo, base, head, opts);
		}
		goto done;
	}
	if ((err = resolve_commit(&base, repo, opts->base, "base")) < 0 ||
	    (err = resolve_commit(&head, repo, head_ref, "head")) < 0 ||
	    (err = merge_base(&mb, repo, base, head, opts->base, head_ref)) < 0)
		goto done;
	err = diff_commits(change, repo, mb, head, opts);
done:
	free(left);
	free(right);
	git_commit_free(base);
	git_commit_free(head);
	git_commit_free(mb);
	return err;
}

static int add_whole(struct cg_change *change, const char *path, const git_oid *id, uint32_t mode)
{
	struct cg_changed_file *f = cg_change__add_file(change, path);
	f->status = CG_FILE_ADDED;
	f->is_whole_file = true;
	f->mode = mode;
	git_oid_cpy(&f->new_id, id);
	f->has_new_id = true;
	if (mode == GIT_FILEMODE_COMMIT) {
		f->is_submodule = true;
		f->has_new_id = false;
		f->skip_reason = "submodule";
	} else if (mode == GIT_FILEMODE_LINK) {
		f->skip_reason = "symbolic link";
	}
	return 0;
}

static int add_tree_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct cg_change *change = payload;
	struct cg_buf path = CG_BUF_INIT;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	cg_buf_printf(&path, "%s%s", root, git_tree_entry_name(e));
	add_whole(change, path.ptr, git_tree_entry_id(e), git_tree_entry_filemode(e));
	cg_buf_release(&path);
	return 0;
}

static int load_all(struct cg_change *change, git_repository *repo)
{
	git_index *index = NULL;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int err = 0;

	if (git_repository_head(&head, repo) == 0 &&
	    git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) == 0)
		git_oid_tostr(change->head, sizeof(change->head), git_commit_id(commit));

	if (!git_repository_is_bare(repo)) {
		size_t n;
		if (git_repository_index(&index, repo) < 0) {
			err = cg_error_set_git("cannot read the index");
			goto done;
		}
		n = git_index_entrycount(index);
		for (size_t i = 0; i < n; i++) {
			const git_index_entry *e = git_index_get_byindex(index, i);
			if (git_index_entry_stage(e) == 0)
				add_whole(change, e->path, &e->id, e->mode);
		}
		err = cg_snapshot_open_index(&change->snapshot, repo, index);
		index = NULL;
		goto done;
	}
	if (!commit) {
		err = cg_error_set(CG_E_INPUT, "the repository has no commits and no index: nothing to check");
		goto done;
	}
	if (git_commit_tree(&tree, commit) < 0 || git_tree_walk(tree, GIT_TREEWALK_PRE, add_tree_entry, change) < 0) {
		err = cg_error_set_git("cannot list the HEAD tree");
		goto done;
	}
	err = cg_snapshot_open_tree(&change->snapshot, repo, tree);
	tree = NULL;
done:
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}

int cg_change_from_diff_text(struct cg_change *change, git_repository *repo, const char *text, size_t len)
{
	struct cg_diff_files meta = { 0 };
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	int err;

	memset(change, 0, sizeof(*change));
	change->source = CG_SOURCE_DIFF;
	change->repo = repo;
	if ((err = cg_diff_parse(change, text, len, &meta)) < 0)
		goto done;
	if (repo && git_repository_head(&head, repo) == 0 &&
	    git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) == 0 &&
	    git_commit_tree(&tree, commit) == 0)
		git_oid_tostr(change->head, sizeof(change->head), git_commit_id(commit));
	if (repo && !git_repository_is_bare(repo) && git_repository_index(&index, repo) < 0) {
		index = NULL;
		git_error_clear();
	}
	if ((err = cg_diff_resolve(change, text, &meta, tree, index)) < 0)
		goto done;
	if (tree) {
		cg_snapshot_open_tree(&change->snapshot, repo, tree);
		tree = NULL;
	}
done:
	cg_diff_files_release(&meta);
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}

static int read_diff_input(struct cg_buf *out, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	int err = 0;

	if (!f)
		return cg_error_set(CG_E_INPUT, "--diff %s: cannot open: %s", path, strerror(errno));
	out->cap = DIFF_MAX_BYTES;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((err = cg_buf_put(out, chunk, n)) < 0)
			break;
	if (!err && ferror(f))
		err = cg_error_set(CG_E_INPUT, "--diff %s: read error", path);
	if (f != stdin)
		fclose(f);
	return err;
}

int cg_change_load(struct cg_change *out, git_repository *repo, const struct cg_change_opts *opts)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->source = opts->source;
	out->repo = repo;
	out->max_file_bytes = opts->max_file_bytes;
	switch (opts->source) {
	case CG_SOURCE_STAGED:
		err = load_staged(out, repo, opts);
		break;
	case CG_SOURCE_RANGE:
		err = load_range(out, repo, opts);
		break;
	case CG_SOURCE_ALL:
		err = load_all(out, repo);
		break;
	case CG_SOURCE_DIFF: {
		struct cg_buf text = CG_BUF_INIT;
		if ((err = read_diff_input(&text, opts->diff_path)) == 0)
			err = cg_change_from_diff_text(out, repo, text.ptr, text.size);
		cg_buf_release(&text);
		break;
	}
	default:
		err = cg_error_set(CG_E_USAGE, "unknown change source");
	}
	if (err < 0)
		cg_change_release(out);
	return err;
}
