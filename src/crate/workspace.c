/* The workspace: which manifest a path belongs to, and its workspace root, read once per run. */
#include "crate/workspace.h"

#include <stdlib.h>
#include <string.h>

#include "crate/cache.h"
#include "crate/crate_private.h"
#include "syntax/syntax.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

/* Manifests and bench files bigger than this are not Cargo's business. */
#define CARGO_MAX_FILE (8u * 1024 * 1024)

/* --- the cache --- */

/* A small open-addressing map from folder to crate (NULL = known to have none). */
struct dir_map {
	struct {
		char *dir;
		struct cg_crate *crate;
	} * slots;
	size_t cap, len;
};

static size_t map_find(const struct dir_map *m, const char *dir)
{
	size_t i = (size_t)cg_hash64(dir, strlen(dir), 0) & (m->cap - 1);
	while (m->slots[i].dir && strcmp(m->slots[i].dir, dir))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool map_get(const struct dir_map *m, const char *dir, struct cg_crate **out)
{
	size_t i;
	if (!m->cap)
		return false;
	i = map_find(m, dir);
	if (!m->slots[i].dir)
		return false;
	*out = m->slots[i].crate;
	return true;
}

static void map_put(struct dir_map *m, const char *dir, struct cg_crate *crate)
{
	size_t i;
	if ((m->len + 1) * 2 > m->cap) {
		struct dir_map bigger = { NULL, m->cap ? m->cap * 2 : 64, 0 };
		bigger.slots = cg_calloc(bigger.cap, sizeof(*bigger.slots));
		for (size_t k = 0; k < m->cap; k++) {
			if (m->slots[k].dir) {
				size_t j = map_find(&bigger, m->slots[k].dir);
				bigger.slots[j] = m->slots[k];
				bigger.len++;
			}
		}
		free(m->slots);
		*m = bigger;
	}
	i = map_find(m, dir);
	if (!m->slots[i].dir) {
		m->slots[i].dir = cg_strdup(dir);
		m->len++;
	}
	m->slots[i].crate = crate;
}

static void map_release(struct dir_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].dir);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

struct cg_crate_cache {
	const struct cg_change *change;
	struct dir_map manifests; /* folder -> the manifest in it */
	struct dir_map owners;	  /* folder -> the package its files belong to */
	struct cg_crate **crates; /* owned */
	size_t ncrates, crates_cap;
	bool has_manifest_list;
	char **manifest_dirs; /* folders of every Cargo.toml at the new revision, sorted */
	size_t nmanifest_dirs, manifest_dirs_cap;
	char **bench_dirs; /* folders with a .rs file under their benches/, sorted */
	size_t nbench_dirs, bench_dirs_cap;
	size_t max_file; /* the most bytes a manifest, lockfile or bench file read may have */
	struct cg_bench_index *benches;
	struct manifest_texts *manifest_texts;
	struct cg_module_files *module_files;
	struct cg_callgraph *calls;
	struct cg_disk_cache *disk; /* borrowed, or NULL */
	/* Bumped with __atomic builtins: the readers hold different locks. */
	size_t nsummaries_cached, nsummaries_built, nfiles_read, nbodies_read;
};

struct cg_crate_cache *cg_crate_cache_new(const struct cg_change *change)
{
	struct cg_crate_cache *c = cg_calloc(1, sizeof(*c));
	c->change = change;
	c->max_file = CARGO_MAX_FILE;
	c->benches = cg_crate__bench_index_new();
	c->manifest_texts = cg_crate__manifest_texts_new();
	c->module_files = cg_crate__module_files_new();
	c->calls = cg_crate__callgraph_new();
	return c;
}

void cg_crate_cache_set_max_file(struct cg_crate_cache *cache, size_t max_bytes)
{
	cache->max_file = max_bytes && max_bytes < CARGO_MAX_FILE ? max_bytes : CARGO_MAX_FILE;
}

static void crate_free(struct cg_crate *cr)
{
	free(cr->dir);
	free(cr->manifest_path);
	cg_manifest_release(&cr->manifest);
	cg_crate__benches_release(cr);
	free(cr);
}

void cg_crate_cache_free(struct cg_crate_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->ncrates; i++)
		crate_free(cache->crates[i]);
	free(cache->crates);
	map_release(&cache->manifests);
	map_release(&cache->owners);
	for (size_t i = 0; i < cache->nmanifest_dirs; i++)
		free(cache->manifest_dirs[i]);
	free(cache->manifest_dirs);
	for (size_t i = 0; i < cache->nbench_dirs; i++)
		free(cache->bench_dirs[i]);
	free(cache->bench_dirs);
	cg_crate__bench_index_free(cache->benches);
	cg_crate__manifest_texts_free(cache->manifest_texts);
	cg_crate__module_files_free(cache->module_files);
	cg_crate__callgraph_free(cache->calls, cache->disk);
	free(cache);
}

void cg_crate_cache_set_disk(struct cg_crate_cache *cache, struct cg_disk_cache *disk)
{
	cache->disk = disk;
}

struct cg_disk_cache *cg_crate__disk(const struct cg_crate_cache *cache)
{
	return cache->disk;
}

size_t cg_crate__max_file(const struct cg_crate_cache *cache)
{
	return cache->max_file;
}

void cg_crate__count_summary(const struct cg_crate_cache *cache, bool is_cached)
{
	struct cg_crate_cache *c = (struct cg_crate_cache *)cache;
	__atomic_fetch_add(is_cached ? &c->nsummaries_cached : &c->nsummaries_built, 1, __ATOMIC_RELAXED);
}

void cg_crate__count_bodies(const struct cg_crate_cache *cache, size_t n)
{
	__atomic_fetch_add(&((struct cg_crate_cache *)cache)->nbodies_read, n, __ATOMIC_RELAXED);
}

void cg_crate_cache_counts(const struct cg_crate_cache *cache, struct cg_crate_counts *out)
{
	out->summaries_cached = __atomic_load_n(&cache->nsummaries_cached, __ATOMIC_RELAXED);
	out->summaries_built = __atomic_load_n(&cache->nsummaries_built, __ATOMIC_RELAXED);
	out->files_read = __atomic_load_n(&cache->nfiles_read, __ATOMIC_RELAXED);
	out->bodies_read = __atomic_load_n(&cache->nbodies_read, __ATOMIC_RELAXED);
}

bool cg_crate__read_file(const struct cg_crate_cache *cache, const char *path, struct cg_buf *out)
{
	__atomic_fetch_add(&((struct cg_crate_cache *)cache)->nfiles_read, 1, __ATOMIC_RELAXED);
	out->limit = cache->max_file;
	if (cg_change_read(cache->change, path, out) < 0) {
		cg_error_clear();
		cg_buf_release(out);
		return false;
	}
	return true;
}

/*
 * The manifest at `path` parsed, or read back from the disk cache by blob
 * id: a hook on a workspace of fifty packages parses the manifests that
 * changed, not all those missing-bench looks at. False when it cannot be
 * read or parsed.
 */
static bool manifest_of(struct cg_crate_cache *cache, const char *path, struct cg_manifest *out)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;
	/* What is read depends on the size bound too: a manifest over it is absent. */
	uint64_t key = cg_hash64(&cache->max_file, sizeof(cache->max_file), 0);
	bool has_id;
	git_oid id;

	has_id = cache->disk && cg_change_blob_id(cache->change, path, &id);
	if (has_id && cg_disk_cache_load_manifest(cache->disk, &id, key, out))
		return true;
	if (!cg_crate__read_file(cache, path, &text))
		return false;
	if (cg_source_parse(&src, CG_LANG_TOML, text.ptr, text.size) < 0) {
		cg_error_clear();
		cg_buf_release(&text);
		return false;
	}
	cg_manifest_parse(out, &src);
	cg_source_release(&src);
	cg_buf_release(&text);
	if (has_id)
		cg_disk_cache_store_manifest(cache->disk, &id, key, out);
	return true;
}

static struct cg_crate *load_manifest(struct cg_crate_cache *cache, const char *dir)
{
	struct cg_buf path = CG_BUF_INIT, lib = CG_BUF_INIT;
	struct cg_manifest manifest;
	struct cg_crate *cr = NULL;

	cg_buf_printf(&path, "%s%sCargo.toml", dir, *dir ? "/" : "");
	if (!cg_change_exists(cache->change, path.ptr) || !manifest_of(cache, path.ptr, &manifest))
		goto done;
	cr = cg_calloc(1, sizeof(*cr));
	cr->dir = cg_strdup(dir);
	cr->manifest_path = cg_buf_detach(&path, NULL);
	cr->manifest = manifest;
	cg_buf_printf(&lib, "%s%ssrc/lib.rs", dir, *dir ? "/" : "");
	cr->is_library = cr->manifest.has_package && (cr->manifest.has_lib || cg_change_exists(cache->change, lib.ptr));
	cg_array_grow((void **)&cache->crates, &cache->crates_cap, cache->ncrates + 1, sizeof(*cache->crates));
	cache->crates[cache->ncrates++] = cr;
done:
	cg_buf_release(&path);
	cg_buf_release(&lib);
	return cr;
}

/* The manifest in `dir`, loaded once; its workspace is not looked for yet. */
static struct cg_crate *manifest_raw(struct cg_crate_cache *cache, const char *dir)
{
	struct cg_crate *cr;
	if (map_get(&cache->manifests, dir, &cr))
		return cr;
	cr = load_manifest(cache, dir);
	map_put(&cache->manifests, dir, cr);
	return cr;
}

/* The nearest manifest with [workspace] at or above the crate's folder. */
static struct cg_crate *find_workspace(struct cg_crate_cache *cache, struct cg_crate *cr)
{
	char *dir;
	struct cg_crate *ws = NULL;

	if (cr->manifest.has_workspace)
		return cr;
	if (!*cr->dir)
		return NULL;
	dir = cg_path_dir(cr->dir);
	for (;;) {
		struct cg_crate *m = manifest_raw(cache, dir);
		char *up;
		if (m && m->manifest.has_workspace) {
			ws = m;
			break;
		}
		if (!*dir)
			break;
		up = cg_path_dir(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return ws;
}

static struct cg_crate *manifest_in_locked(struct cg_crate_cache *cache, const char *dir)
{
	struct cg_crate *cr = manifest_raw(cache, dir);
	if (cr && !cr->has_workspace_lookup) {
		cr->has_workspace_lookup = true;
		cr->workspace = find_workspace(cache, cr);
	}
	return cr;
}

static struct cg_crate *crate_of_locked(struct cg_crate_cache *cache, const char *path)
{
	char *dir = cg_path_dir(path);
	char **visited = NULL;
	size_t nvisited = 0, cap = 0;
	struct cg_crate *owner = NULL;

	/* Climb folder by folder (no recursion: paths come from the repository). */
	for (;;) {
		struct cg_crate *m;
		if (map_get(&cache->owners, dir, &owner))
			break;
		cg_array_grow((void **)&visited, &cap, nvisited + 1, sizeof(*visited));
		visited[nvisited++] = cg_strdup(dir);
		if ((m = cg_crate_manifest_in(cache, dir)) != NULL) {
			owner = m->manifest.has_package ? m : NULL;
			break;
		}
		if (!*dir) {
			owner = NULL;
			break;
		}
		char *up = cg_path_dir(dir);
		free(dir);
		dir = up;
	}
	for (size_t i = 0; i < nvisited; i++) {
		map_put(&cache->owners, visited[i], owner);
		free(visited[i]);
	}
	free(visited);
	free(dir);
	return owner;
}

int cg_crate__cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_manifest(const char *path, void *payload)
{
	struct cg_crate_cache *cache = payload;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (cg_ends_with(base, ".rs")) {
		/* Every folder this file is under benches/ of (benches.c lists a package's benches/ whole). */
		for (const char *at = path; (at = strstr(at, "benches/")) != NULL; at++) {
			if (at != path && at[-1] != '/')
				continue;
			cg_array_grow((void **)&cache->bench_dirs, &cache->bench_dirs_cap, cache->nbench_dirs + 1,
				      sizeof(*cache->bench_dirs));
			cache->bench_dirs[cache->nbench_dirs++] =
				cg_strndup(path, at == path ? 0 : (size_t)(at - path) - 1);
		}
	}
	if (!strcmp(base, "Cargo.toml")) {
		char *dir = cg_path_dir(path);
		cg_array_grow((void **)&cache->manifest_dirs, &cache->manifest_dirs_cap, cache->nmanifest_dirs + 1,
			      sizeof(*cache->manifest_dirs));
		cache->manifest_dirs[cache->nmanifest_dirs++] = dir;
	}
	return 0;
}

char *const *cg_crate__manifest_dirs(struct cg_crate_cache *cache, size_t *n)
{
	if (!cache->has_manifest_list) {
		cache->has_manifest_list = true;
		if (cg_change_list(cache->change, "", list_manifest, cache) < 0)
			cg_error_clear();
		/* qsort's array may not be NULL, even empty: a repository without manifests has none. */
		if (cache->nmanifest_dirs)
			qsort(cache->manifest_dirs, cache->nmanifest_dirs, sizeof(*cache->manifest_dirs),
			      cg_crate__cmp_str);
		if (cache->nbench_dirs)
			qsort(cache->bench_dirs, cache->nbench_dirs, sizeof(*cache->bench_dirs), cg_crate__cmp_str);
	}
	*n = cache->nmanifest_dirs;
	return cache->manifest_dirs;
}

bool cg_crate__has_benches_dir(struct cg_crate_cache *cache, const char *dir)
{
	size_t n;
	cg_crate__manifest_dirs(cache, &n);
	return cache->nbench_dirs && bsearch(&dir, cache->bench_dirs, cache->nbench_dirs, sizeof(*cache->bench_dirs),
					     cg_crate__cmp_str) != NULL;
}

const struct cg_change *cg_crate__change(const struct cg_crate_cache *cache)
{
	return cache->change;
}

struct cg_callgraph *cg_crate__callgraph(const struct cg_crate_cache *cache)
{
	return cache->calls;
}

struct cg_bench_index *cg_crate__bench_index(const struct cg_crate_cache *cache)
{
	return cache->benches;
}

struct cg_module_files *cg_crate__module_files(const struct cg_crate_cache *cache)
{
	return cache->module_files;
}

struct manifest_texts *cg_crate__manifest_texts(const struct cg_crate_cache *cache)
{
	return cache->manifest_texts;
}

/*
 * The cache is shared by the rule pass's worker threads: its public entry
 * points hold the change's lock (recursive, so they may call each other
 * and the change module). What they return is never moved or freed before
 * cg_crate_cache_free, and a crate's bench scan (benches.c) is filled once,
 * under the lock.
 */
struct cg_crate *cg_crate_manifest_in(struct cg_crate_cache *cache, const char *dir)
{
	struct cg_crate *cr;
	cg_change_lock(cg_crate__change(cache));
	cr = manifest_in_locked(cache, dir);
	cg_change_unlock(cg_crate__change(cache));
	return cr;
}

struct cg_crate *cg_crate_of(struct cg_crate_cache *cache, const char *path)
{
	struct cg_crate *cr;
	cg_change_lock(cg_crate__change(cache));
	cr = crate_of_locked(cache, path);
	cg_change_unlock(cg_crate__change(cache));
	return cr;
}
