/*
 * What the sources share: the builders of a change's files, and a libgit2
 * diff (staged, ranges) turned into them.
 */
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

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

/* Lines arrive in increasing order: extend the last range when adjacent. */
static void add_to_ranges(struct cg_line_range **r, size_t *n, size_t *cap, uint32_t line)
{
	if (*n && (*r)[*n - 1].end + 1 == line) {
		(*r)[*n - 1].end = line;
		return;
	}
	if (*n && (*r)[*n - 1].end >= line)
		return;
	cg_array_grow((void **)r, cap, *n + 1, sizeof(**r));
	(*r)[*n].start = line;
	(*r)[*n].end = line;
	(*n)++;
}

void cg_changed_file__add_line(struct cg_changed_file *f, uint32_t line)
{
	add_to_ranges(&f->added, &f->nadded, &f->added_cap, line);
}

void cg_changed_file__add_removed(struct cg_changed_file *f, uint32_t old_line)
{
	add_to_ranges(&f->removed, &f->nremoved, &f->removed_cap, old_line);
}

void cg_changed_file__add_hunk(struct cg_changed_file *f, uint32_t old_start, uint32_t old_count, uint32_t new_start,
			       uint32_t new_count)
{
	if (!new_count)
		return;
	cg_array_grow((void **)&f->hunks, &f->hunks_cap, f->nhunks + 1, sizeof(*f->hunks));
	f->hunks[f->nhunks++] = (struct cg_hunk){ old_start, old_count, new_start, new_count };
}

void cg_changed_file__loaded(struct cg_changed_file *f)
{
	f->is_loaded = true;
	if (cg_change__looks_binary(f->content.ptr, f->content.size)) {
		f->is_binary = true;
		f->skip_reason = "binary file";
	}
}

void cg_changed_file__release(struct cg_changed_file *f)
{
	free(f->path);
	free(f->old_path);
	free(f->added);
	free(f->removed);
	free(f->hunks);
	cg_buf_release(&f->content);
}

int cg_change__add_whole(struct cg_change *change, const char *path, const git_oid *id, uint32_t mode)
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

/*
 * New contents the diff has inflated anyway are kept for the rule pass, up
 * to this many bytes in all: reading them again cost a third of a long
 * --range. Past it they are read again on demand, so memory stays bounded
 * however large the change (the pass reads the rest into a buffer it drops after each file).
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
		cg_changed_file__add_hunk(f, (uint32_t)hunk->old_start, (uint32_t)hunk->old_lines,
					  (uint32_t)hunk->new_start, (uint32_t)hunk->new_lines);
		for (size_t i = 0; i < nlines; i++) {
			const git_diff_line *l;
			if (git_patch_get_line_in_hunk(&l, patch, h, i) < 0)
				return cg_error_set_git("cannot read the diff of %s", f->path);
			if (l->origin == GIT_DIFF_LINE_ADDITION) {
				f->lines_added++;
				cg_changed_file__add_line(f, (uint32_t)l->new_lineno);
			} else if (l->origin == GIT_DIFF_LINE_DELETION) {
				f->lines_removed++;
				cg_changed_file__add_removed(f, (uint32_t)l->old_lineno);
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

	if (git_blob_lookup(&blob, cg_change_git(change), &d->new_file.id) < 0)
		return cg_error_set_git("cannot read %s", d->new_file.path);
	if (git_attr_get(&attr, cg_change_git(change), GIT_ATTR_CHECK_INDEX_THEN_FILE, d->new_file.path, "diff") < 0)
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
			cg_changed_file__add_hunk(f, 0, 0, 1, lines);
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
		if ((d->status != GIT_DELTA_ADDED &&
		     git_blob_lookup(&old_blob, cg_change_git(change), &d->old_file.id) < 0) ||
		    git_blob_lookup(&new_blob, cg_change_git(change), &d->new_file.id) < 0 ||
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

int cg_change__collect(struct cg_change *change, git_diff *diff, const git_diff_options *o)
{
	git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
	git_odb *odb = NULL;
	size_t n, kept = 0;
	int err = 0;

	find.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &find) < 0)
		return cg_error_set_git("cannot detect renames");
	if (git_repository_odb(&odb, cg_change_git(change)) < 0)
		return cg_error_set_git("cannot open the object database");
	n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && !err; i++)
		err = collect_delta(change, diff, i, odb, o, &kept);
	git_odb_free(odb);
	return err;
}

void cg_change__diff_opts(git_diff_options *o, const struct cg_change_opts *opts)
{
	o->context_lines = opts->context_lines;
	/* libgit2 treats larger blobs as binary: no patch text for a file we will skip anyway. */
	if (opts->max_file_bytes)
		o->max_size = (git_off_t)opts->max_file_bytes;
	o->flags |= GIT_DIFF_INCLUDE_TYPECHANGE;
}
