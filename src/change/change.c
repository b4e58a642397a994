/* The change as the other modules see it: lookups, content, shards, names. */
#include "change/change.h"

#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

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

bool cg_change__looks_binary(const char *data, size_t len)
{
	/* git's heuristic: a NUL in the first 8000 bytes. */
	return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
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
			cg_changed_file__release(&change->files[i]);
	}
	change->nfiles = kept;
}

void cg_change_release(struct cg_change *change)
{
	for (size_t i = 0; i < change->nfiles; i++)
		cg_changed_file__release(&change->files[i]);
	free(change->files);
	cg_snapshot_free(change->snapshot);
	memset(change, 0, sizeof(*change));
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
		err = cg_change__load_staged(out, repo, opts);
		break;
	case CG_SOURCE_RANGE:
		err = cg_change__load_range(out, repo, opts);
		break;
	case CG_SOURCE_ALL:
		err = cg_change__load_all(out, repo);
		break;
	case CG_SOURCE_DIFF:
		err = cg_change__load_diff(out, repo, opts);
		break;
	default:
		err = cg_error_set(CG_E_USAGE, "unknown change source");
	}
	if (err < 0)
		cg_change_release(out);
	return err;
}
