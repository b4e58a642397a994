/* The change as the other modules see it: lookups, content, shards, names. */
#include "change/change.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

void cg_change__begin(struct cg_change *change, enum cg_change_source source, git_repository *repo)
{
	pthread_mutexattr_t attr;

	memset(change, 0, sizeof(*change));
	change->source = source;
	change->repo = cg_calloc(1, sizeof(*change->repo));
	change->repo->git = repo;
	/* Recursive: the crate cache holds it across its own reads through the change. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&change->repo->lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

git_repository *cg_change_git(const struct cg_change *change)
{
	return change->repo ? change->repo->git : NULL;
}

void cg_change_lock(const struct cg_change *change)
{
	if (change->repo)
		pthread_mutex_lock(&change->repo->lock);
}

void cg_change_unlock(const struct cg_change *change)
{
	if (change->repo)
		pthread_mutex_unlock(&change->repo->lock);
}

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

/* The hunk whose new side holds `line`, or NULL. */
static const struct cg_hunk *hunk_of(const struct cg_changed_file *f, uint32_t line)
{
	size_t lo = 0, hi = f->nhunks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cg_hunk *h = &f->hunks[mid];
		if (line < h->new_start)
			hi = mid;
		else if (line > h->new_start + h->new_count - 1)
			lo = mid + 1;
		else
			return h;
	}
	return NULL;
}

bool cg_changed_file_in_hunks(const struct cg_changed_file *f, uint32_t line)
{
	return f->is_whole_file || hunk_of(f, line) != NULL;
}

/* How many lines of the sorted, disjoint `r` lie in [from, to]. */
static uint32_t count_in(const struct cg_line_range *r, size_t n, uint32_t from, uint32_t to)
{
	uint32_t count = 0;
	for (size_t i = 0; i < n && r[i].start <= to; i++) {
		uint32_t s = r[i].start > from ? r[i].start : from, e = r[i].end < to ? r[i].end : to;
		if (s <= e)
			count += e - s + 1;
	}
	return count;
}

bool cg_changed_file_locate(const struct cg_changed_file *f, uint32_t line, struct cg_line_pos *out)
{
	const struct cg_hunk *h = hunk_of(f, line);
	uint32_t old;

	if (!h)
		return false;
	out->hunk = (size_t)(h - f->hunks);
	out->is_added = in_ranges(f->added, f->nadded, line);
	out->old_line = 0;
	if (out->is_added)
		return true;
	/*
	 * A context line is the k-th of its hunk on both sides: k counts the
	 * hunk's new-side lines above it that are not added, and the old side
	 * skips the removed lines up to there.
	 */
	old = h->old_start + (line - h->new_start) - count_in(f->added, f->nadded, h->new_start, line - 1);
	for (size_t i = 0; i < f->nremoved && f->removed[i].start <= old; i++) {
		uint32_t s = f->removed[i].start > h->old_start ? f->removed[i].start : h->old_start;
		if (f->removed[i].end >= s)
			old += f->removed[i].end - s + 1;
	}
	out->old_line = old;
	return true;
}

bool cg_change__looks_binary(const char *data, size_t len)
{
	/* git's heuristic: a NUL in the first 8000 bytes. */
	return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

/*
 * The rule pass's threads read blobs at the same time: each read borrows an
 * object database of its own (libgit2's objects serve one thread at a time)
 * and inflates without the change's lock, which the other threads' lookups
 * need. They are opened on first need, at most one per concurrent reader.
 * NULL when the repository's objects are not simply its objects folder: git
 * points GIT_OBJECT_DIRECTORY elsewhere in some hooks, and the repository,
 * opened from the environment, reads there.
 */
static git_odb *odb_take(const struct cg_change *change)
{
	struct cg_repo *r = change->repo;
	git_odb *odb = NULL;
	git_buf dir = { 0 };

	if (getenv("GIT_OBJECT_DIRECTORY") || getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
		return NULL;
	cg_change_lock(change);
	if (r->nodbs)
		odb = r->odbs[--r->nodbs];
	else if (git_repository_item_path(&dir, r->git, GIT_REPOSITORY_ITEM_OBJECTS) < 0 ||
		 git_odb_open(&odb, dir.ptr) < 0)
		odb = NULL;
	cg_change_unlock(change);
	git_buf_dispose(&dir);
	return odb;
}

static void odb_give(const struct cg_change *change, git_odb *odb)
{
	struct cg_repo *r = change->repo;
	cg_change_lock(change);
	cg_array_grow((void **)&r->odbs, &r->odbs_cap, r->nodbs + 1, sizeof(*r->odbs));
	r->odbs[r->nodbs++] = odb;
	cg_change_unlock(change);
}

int cg_change__read_blob(const struct cg_change *change, const git_oid *id, size_t max_bytes, struct cg_buf *out,
			 bool *is_over)
{
	git_odb *odb;
	int err;

	if (!change->repo || !change->repo->git)
		return cg_error_set(CG_E_NOTFOUND, "blob %.12s: no repository to read it from", git_oid_tostr_s(id));
	if (!(odb = odb_take(change))) {
		/* The repository's own database, then, one reader at a time. */
		cg_change_lock(change);
		if (git_repository_odb(&odb, change->repo->git) < 0)
			err = cg_error_set_git("cannot open the object database");
		else
			err = cg_snapshot_read_blob(odb, id, max_bytes, out, is_over);
		git_odb_free(odb);
		cg_change_unlock(change);
		return err;
	}
	err = cg_snapshot_read_blob(odb, id, max_bytes, out, is_over);
	odb_give(change, odb);
	return err;
}

/* Reads the new blob of `f` into `out`; *skip instead when it is over max_file_bytes. */
static int read_new(const struct cg_change *change, const struct cg_changed_file *f, struct cg_buf *out,
		    const char **skip)
{
	bool is_over = false;
	int err = cg_change__read_blob(change, &f->new_id, change->max_file_bytes, out, &is_over);
	if (!err && is_over)
		*skip = CG_SKIP_TOO_LARGE;
	return err;
}

int cg_change_content(struct cg_change *change, struct cg_changed_file *f, const char **data, size_t *len)
{
	int err = 0;

	if (!f->is_loaded) {
		if (f->has_new_id) {
			const char *skip = NULL;
			cg_buf_release(&f->content);
			err = read_new(change, f, &f->content, &skip);
			if (skip)
				f->skip_reason = skip;
		}
		if (err < 0)
			return err;
		cg_changed_file__loaded(f);
	}
	*data = f->content.ptr;
	*len = f->content.size;
	return 0;
}

/* The read cap of a file the change did not touch. */
#define UNCHANGED_MAX_BYTES (256u * 1024 * 1024)

int cg_change_text(const struct cg_change *change, const struct cg_changed_file *f, struct cg_buf *scratch,
		   const char **data, size_t *len, const char **skip)
{
	int err = 0;

	*data = "";
	*len = 0;
	if ((*skip = f->skip_reason) != NULL)
		return 0;
	if (f->is_unchanged) {
		scratch->limit = UNCHANGED_MAX_BYTES;
		err = cg_change_read(change, f->path, scratch);
	} else if (f->is_loaded) {
		*data = f->content.ptr;
		*len = f->content.size;
		return 0;
	} else if (f->has_new_id) {
		if ((err = read_new(change, f, scratch, skip)) == 0 && !*skip &&
		    cg_change__looks_binary(scratch->ptr, scratch->size))
			*skip = "binary file";
	}
	if (err == CG_E_TOOBIG || (f->is_unchanged && err == CG_E_NOTFOUND)) {
		*skip = err == CG_E_TOOBIG ? "too large to check" : "unreadable";
		cg_error_clear();
		err = 0;
	}
	if (err < 0 || *skip)
		return err;
	*data = scratch->ptr;
	*len = scratch->size;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct unchanged_ctx {
	struct cg_change *change;
	bool (*wants)(const char *path);
	char **known; /* sorted paths of the changed files */
	size_t nknown;
};

static int add_unchanged(const char *path, void *payload)
{
	struct unchanged_ctx *uc = payload;
	if (!uc->wants(path) || bsearch(&path, uc->known, uc->nknown, sizeof(*uc->known), cmp_str))
		return 0;
	cg_change__add_file(uc->change, path)->is_unchanged = true;
	return 0;
}

int cg_change_add_unchanged(struct cg_change *change, bool (*wants)(const char *path))
{
	struct unchanged_ctx uc = { change, wants, NULL, change->nfiles };
	int err;

	if (change->source == CG_SOURCE_ALL)
		return 0;
	uc.known = cg_calloc(change->nfiles ? change->nfiles : 1, sizeof(*uc.known));
	for (size_t i = 0; i < change->nfiles; i++)
		uc.known[i] = change->files[i].path;
	qsort(uc.known, uc.nknown, sizeof(*uc.known), cmp_str);
	err = cg_change_list(change, "", add_unchanged, &uc);
	free(uc.known);
	return err;
}

int cg_change_read_old(const struct cg_change *change, const struct cg_changed_file *f, struct cg_buf *out)
{
	if (!f->has_old_id || !cg_change_git(change))
		return cg_error_set(CG_E_NOTFOUND, "%s: no version before the change", f->path);
	return cg_change__read_blob(change, &f->old_id, 0, out, NULL);
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

bool cg_change_path_is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?") != NULL;
}

bool cg_change_path_named(const char *pattern, const char *path)
{
	size_t len = strlen(pattern);

	while (len && pattern[len - 1] == '/')
		len--;
	if (cg_change_path_is_glob(pattern))
		return cg_glob_match(pattern, path);
	return !strncmp(pattern, path, len) && (path[len] == '\0' || path[len] == '/');
}

void cg_change_keep_named(struct cg_change *change, char *const *patterns, size_t npatterns)
{
	size_t kept = 0;

	if (!npatterns)
		return;
	for (size_t i = 0; i < change->nfiles; i++) {
		bool is_named = false;
		for (size_t k = 0; k < npatterns && !is_named; k++)
			is_named = cg_change_path_named(patterns[k], change->files[i].path);
		if (is_named)
			change->files[kept++] = change->files[i];
		else
			cg_changed_file__release(&change->files[i]);
	}
	change->nfiles = kept;
}

/* --all: a path that names no file of the tree is a typo, not a clean check. */
static int check_all_named(const struct cg_change *change, const struct cg_change_opts *opts)
{
	for (size_t k = 0; k < opts->npaths; k++) {
		bool is_found = false;
		for (size_t i = 0; i < change->nfiles && !is_found; i++)
			is_found = cg_change_path_named(opts->paths[k], change->files[i].path);
		if (!is_found)
			return cg_error_set(CG_E_INPUT, "'%s' names no tracked file", opts->paths[k]);
	}
	return 0;
}

void cg_change_release(struct cg_change *change)
{
	for (size_t i = 0; i < change->nfiles; i++)
		cg_changed_file__release(&change->files[i]);
	free(change->files);
	cg_snapshot_free(change->snapshot);
	if (change->repo) {
		for (size_t i = 0; i < change->repo->nodbs; i++)
			git_odb_free(change->repo->odbs[i]);
		free(change->repo->odbs);
		pthread_mutex_destroy(&change->repo->lock);
		free(change->repo);
	}
	memset(change, 0, sizeof(*change));
}

int cg_change_load(struct cg_change *out, git_repository *repo, const struct cg_change_opts *opts)
{
	int err;

	cg_change__begin(out, opts->source, repo);
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
		err = cg_change__load_diff(out, opts);
		break;
	default:
		err = cg_error_set(CG_E_USAGE, "unknown change source");
	}
	/* --staged narrows itself: a path it does not touch joins whole. */
	if (!err && opts->npaths && opts->source == CG_SOURCE_ALL)
		err = check_all_named(out, opts);
	if (!err && opts->source != CG_SOURCE_STAGED)
		cg_change_keep_named(out, opts->paths, opts->npaths);
	if (err < 0)
		cg_change_release(out);
	return err;
}
