#ifndef CG_CRATE_PRIVATE_H
#define CG_CRATE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "crate/workspace.h"
#include "util/buf.h"

/*
 * What the crate module's files share and no other module sees. Each is
 * called under the change's lock (cg_change_lock), from an entry point that holds it.
 */

/* The change the cache reads; borrowed. */
const struct cg_change *cg_crate__change(const struct cg_crate_cache *cache);
/* Reads a text file of the new revision into `out`, bounded; false when absent or too big. */
bool cg_crate__read_file(const struct cg_crate_cache *cache, const char *path, struct cg_buf *out);
/* The folders of every Cargo.toml at the new revision, sorted; listed once per cache. Borrowed. */
char *const *cg_crate__manifest_dirs(struct cg_crate_cache *cache, size_t *n);
/* Whether a .rs file is under `dir`/benches/ at the new revision (from the same listing). */
bool cg_crate__has_benches_dir(struct cg_crate_cache *cache, const char *dir);
/* Frees what cg_crate_benches filled in `crate`. */
void cg_crate__benches_release(struct cg_crate *crate);
/*
 * What every bench file read in the run says (benches.c), shared by the
 * crates that count it and kept with the cache; it has its own lock.
 */
struct cg_bench_index;
struct cg_bench_index *cg_crate__bench_index_new(void);
void cg_crate__bench_index_free(struct cg_bench_index *index);
/* The cache's index. */
struct cg_bench_index *cg_crate__bench_index(const struct cg_crate_cache *cache);
/* Manifest texts by folder, read once per run to rule packages out unparsed (benches.c). */
struct manifest_texts;
struct cg_module_files;
struct cg_module_files *cg_crate__module_files_new(void);
void cg_crate__module_files_free(struct cg_module_files *files);
struct cg_module_files *cg_crate__module_files(const struct cg_crate_cache *cache);

struct manifest_texts *cg_crate__manifest_texts_new(void);
void cg_crate__manifest_texts_free(struct manifest_texts *texts);
struct manifest_texts *cg_crate__manifest_texts(const struct cg_crate_cache *cache);
/* The run's call graph (callgraph.c), kept with the cache; it has its own lock. */
struct cg_callgraph;
struct cg_callgraph *cg_crate__callgraph_new(void);
/* Stores the summaries the run built or added bodies to in `disk` (NULL: none), then frees. */
void cg_crate__callgraph_free(struct cg_callgraph *g, struct cg_disk_cache *disk);
struct cg_callgraph *cg_crate__callgraph(const struct cg_crate_cache *cache);
/* The on-disk summary cache (crate/cache.h), or NULL; borrowed. */
struct cg_disk_cache *cg_crate__disk(const struct cg_crate_cache *cache);
/* The bound of cg_crate__read_file: a summary depends on it (a bigger file is absent). */
size_t cg_crate__max_file(const struct cg_crate_cache *cache);
/* Counts a summary read back from the disk cache, or built from a parse (cg_crate_cache_counts). */
void cg_crate__count_summary(const struct cg_crate_cache *cache, bool is_cached);
void cg_crate__count_bodies(const struct cg_crate_cache *cache, size_t n);
/* qsort/bsearch order of `char *` elements. */
int cg_crate__cmp_str(const void *a, const void *b);

#endif
