#ifndef CG_CRATE_CACHE_H
#define CG_CRATE_CACHE_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crate/blocking.h"
#include "crate/manifest.h"
#include "crate/summary.h"
#include "util/buf.h"

/*
 * The crate model's summaries kept on disk between runs (issue 18), so a
 * hook on 10 changed files summarizes those 10 and reads the rest back.
 *
 * Entries are keyed by the file's blob id: content-addressed, a summary
 * never goes stale, and worktrees of one repository share the cache (it
 * lives in the common git directory, `$GIT_DIR/crabgate/cache/`). One
 * file per entry, named `<blob>-<key>` where the key hashes crabgate's
 * version and the executable's identity (another build may summarize
 * differently), CG_DISK_CACHE_FORMAT, the entry's kind and the config the
 * summary depends on: a changed config or another crabgate simply looks
 * up other names, and the old entries age out.
 *
 * One file per entry rather than one pack: a hook reads only the entries
 * its call graph reaches, two runs never fight over one file, and each
 * entry is written whole to a temporary name and renamed, so a reader sees
 * an old entry, a new one or none. Each file repeats its key and blob id
 * and checksums its payload: a truncated, corrupt or foreign file is a
 * miss and is written again, never trusted. The folder is kept under a
 * byte bound by removing the least recently used entries (a hit touches
 * its file's mtime) when a run has written.
 */

/*
 * The serializers' version: bump it whenever struct cg_summary, struct
 * cg_manifest or what cg_summary_build and cg_manifest_parse put in them
 * changes (a new field, a new meaning), together with the encoders and
 * decoders in cache.c.
 */
#define CG_DISK_CACHE_FORMAT 6
/* cache.max_bytes when config does not say. */
#define CG_DISK_CACHE_DEFAULT_MAX (64u * 1024 * 1024)

enum cg_disk_cache_kind {
	CG_CACHE_SUMMARY = 1,	   /* struct cg_summary of a file that is not a crate root */
	CG_CACHE_SUMMARY_ROOT = 2, /* the same of a crate root (use paths resolve differently there) */
	CG_CACHE_BENCH_WORDS = 3,  /* a bench file's words (benches.c) */
	CG_CACHE_BENCH_TREE = 4,   /* what a bench file's parse tells missing-bench (benches.c) */
	CG_CACHE_MODS = 5,	   /* struct cg_mod_table: a file's module items, for the call graph's module walk */
	CG_CACHE_MANIFEST = 6,	   /* struct cg_manifest of a Cargo.toml (workspace.c) */
	CG_CACHE_MODULE_FILE = 7,  /* a module file's `mod` declarations and `pub use`s (modules.c) */
	CG_CACHE_PUB_USES = 8,	   /* a file's `pub use` items found by their words (modules.c) */
	CG_CACHE_CRATE_USES = 9,   /* every file's of a crate, by path and blob id; keyed by the folder (modules.c) */
};

/*
 * A file's `mod` items as the call graph walks the module tree from a
 * crate root (callgraph.c), from the item scanner: kept so that walk reads
 * no file it has a cached summary of. In item order.
 */
struct cg_mod_entry {
	char *name;
	bool is_decl;	 /* `mod x;` (its body is another file), else `mod x { … }` */
	char *module;	 /* the inline module it sits in ("self", "self::a"), NULL inside an impl or trait */
	char *path_attr; /* `#[path = "…"]` of a `mod x;`, or NULL */
};

struct cg_mod_table {
	struct cg_mod_entry *items;
	size_t n, cap;
};
void cg_mod_table_release(struct cg_mod_table *t);

struct cg_disk_cache;

struct cg_disk_cache_stats {
	size_t hits;	/* entries read back */
	size_t misses;	/* entries looked up and not found (or not usable) */
	size_t written; /* entries written */
};

/*
 * Opens the cache of `repo` (borrowed, must outlive it) in
 * `$GIT_DIR/crabgate/cache/`, bounded to `max_bytes` (0: the default).
 * Nothing is created until an entry is written. CG_E_GIT when the
 * repository has no git directory.
 */
int cg_disk_cache_open(struct cg_disk_cache **out, git_repository *repo, size_t max_bytes);
/* Evicts down to the bound when this run wrote, and frees the cache. NULL is fine. */
void cg_disk_cache_close(struct cg_disk_cache *cache);
/* Removes `repo`'s cache folder. 0 when there was none. CG_E_IO. */
int cg_disk_cache_clear(git_repository *repo);
/* The folder of `repo`'s cache, owned by the caller. */
char *cg_disk_cache_dir(git_repository *repo);
/* Counts so far; safe from several threads. */
void cg_disk_cache_get_stats(const struct cg_disk_cache *cache, struct cg_disk_cache_stats *out);

/*
 * The raw entries: `config` is a hash of what the entry depends on beyond
 * the blob's bytes. get: true and the payload in `out` on a valid entry.
 * put: best effort (a read-only git directory just keeps nothing).
 */
bool cg_disk_cache_get(struct cg_disk_cache *cache, enum cg_disk_cache_kind kind, const git_oid *blob, uint64_t config,
		       struct cg_buf *out);
void cg_disk_cache_put(struct cg_disk_cache *cache, enum cg_disk_cache_kind kind, const git_oid *blob, uint64_t config,
		       const void *data, size_t len);

/*
 * The codec every entry's payload is written in: little-endian integers
 * and length-prefixed strings (NULL survives). A reader goes bad for good
 * once a get runs past its end or a count could not fit, so a decoder
 * checks is_bad once, at the end, and a corrupt count allocates nothing.
 */
struct cg_cache_reader {
	const unsigned char *p, *end;
	bool is_bad;
};
void cg_cache_put_u32(struct cg_buf *b, uint32_t v);
void cg_cache_put_str(struct cg_buf *b, const char *s);
uint32_t cg_cache_get_u32(struct cg_cache_reader *r);
char *cg_cache_get_str(struct cg_cache_reader *r); /* owned; NULL for a NULL or on error */
/* A count of records of at least `min_size` bytes each, or 0 and is_bad when the rest cannot hold them. */
size_t cg_cache_get_count(struct cg_cache_reader *r, size_t min_size);

/* The hash of the blocking lists a summary depends on (crate/blocking.h). */
uint64_t cg_disk_cache_summary_config(const struct cg_blocking_list *list);
/*
 * A file's summary (cg_summary_build, possibly with some bodies unread) by blob id:
 * load fills `out` (release with cg_summary_release) on a hit; store
 * writes one. `is_crate_root` as given to cg_summary_build.
 */
bool cg_disk_cache_load_summary(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config, bool is_crate_root,
				struct cg_summary *out);
void cg_disk_cache_store_summary(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config, bool is_crate_root,
				 const struct cg_summary *s);
/* A file's module items by blob id; `config` hashes what else they depend on (the size bound). */
bool cg_disk_cache_load_mods(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
			     struct cg_mod_table *out);
void cg_disk_cache_store_mods(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
			      const struct cg_mod_table *t);
/*
 * A Cargo.toml's struct cg_manifest by blob id, so a hook parses only the
 * manifests that changed; `config` hashes what else it depends on (the
 * size bound). load fills `out` (release with cg_manifest_release).
 */
bool cg_disk_cache_load_manifest(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
				 struct cg_manifest *out);
void cg_disk_cache_store_manifest(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
				  const struct cg_manifest *m);
/* The serializers themselves, for the tests: encode appends to `out`; decode is false on bytes it cannot trust. */
void cg_disk_cache_encode_summary(struct cg_buf *out, const struct cg_summary *s);
bool cg_disk_cache_decode_summary(struct cg_summary *out, const void *data, size_t len);
void cg_disk_cache_encode_manifest(struct cg_buf *out, const struct cg_manifest *m);
bool cg_disk_cache_decode_manifest(struct cg_manifest *out, const void *data, size_t len);

#endif
