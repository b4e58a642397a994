#define _GNU_SOURCE
#include "crate/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/banned.h"

#ifndef CG_VERSION
#define CG_VERSION "unknown"
#endif

/* An entry file: header, then payload. Integers little-endian, as written by put_u32/put_u64. */
static const char MAGIC[8] = { 'c', 'g', 'c', 'a', 'c', 'h', 'e', '\n' };
#define HEADER_SIZE (8 + 4 + 4 + 8 + GIT_OID_RAWSZ + 8 + 8)
/* An entry bigger than this is not a summary crabgate wrote. */
#define ENTRY_MAX (64u * 1024 * 1024)
/* Temporary files older than this were left by a run that died: eviction removes them. */
#define STALE_TMP_SECONDS 3600

struct cg_disk_cache {
	char *dir; /* with its trailing '/' */
	size_t max_bytes;
	uint64_t build;	      /* crabgate's version and this binary's identity (cg_disk_cache_open) */
	pthread_mutex_t lock; /* over stats */
	struct cg_disk_cache_stats stats;
};

void cg_cache_put_u32(struct cg_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	cg_buf_put(b, x, 4);
}

static void put_u64(struct cg_buf *b, uint64_t v)
{
	cg_cache_put_u32(b, (uint32_t)v);
	cg_cache_put_u32(b, (uint32_t)(v >> 32));
}

/* A string; NULL is its own length so it comes back NULL. */
#define NULL_STR 0xffffffffu

void cg_cache_put_str(struct cg_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	cg_cache_put_u32(b, s ? (uint32_t)n : NULL_STR);
	cg_buf_put(b, s, n);
}

uint32_t cg_cache_get_u32(struct cg_cache_reader *r)
{
	uint32_t v;
	if (r->is_bad || r->end - r->p < 4) {
		r->is_bad = true;
		return 0;
	}
	v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t get_u64(struct cg_cache_reader *r)
{
	uint64_t lo = cg_cache_get_u32(r);
	return lo | (uint64_t)cg_cache_get_u32(r) << 32;
}

char *cg_cache_get_str(struct cg_cache_reader *r)
{
	uint32_t n = cg_cache_get_u32(r);
	char *s;
	if (r->is_bad || n == NULL_STR)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->is_bad = true;
		return NULL;
	}
	s = cg_strndup((const char *)r->p, n);
	r->p += n;
	return s;
}

size_t cg_cache_get_count(struct cg_cache_reader *r, size_t min_size)
{
	uint32_t n = cg_cache_get_u32(r);
	if (!r->is_bad && (size_t)n * min_size > (size_t)(r->end - r->p))
		r->is_bad = true;
	return r->is_bad ? 0 : n;
}

/* ---- the summary serializer: the one place a new summary field goes (and CG_DISK_CACHE_FORMAT) ---- */

enum { FN_IS_TRAIT = 1, FN_IS_TEST = 2, FN_IS_ASYNC = 4, FN_IS_RET_RESULT = 8, FN_IS_BODY_READ = 16 };

void cg_disk_cache_encode_summary(struct cg_buf *out, const struct cg_summary *s)
{
	cg_cache_put_u32(out, (uint32_t)s->nfns);
	for (size_t i = 0; i < s->nfns; i++) {
		const struct cg_summary_fn *f = &s->fns[i];
		cg_cache_put_str(out, f->name);
		cg_cache_put_str(out, f->impl_type);
		cg_cache_put_str(out, f->module);
		cg_cache_put_str(out, f->ret_type);
		cg_cache_put_u32(out, (f->is_trait ? FN_IS_TRAIT : 0) | (f->is_test ? FN_IS_TEST : 0) |
					      (f->is_async ? FN_IS_ASYNC : 0) |
					      (f->is_ret_result ? FN_IS_RET_RESULT : 0) |
					      (f->is_body_read ? FN_IS_BODY_READ : 0));
		cg_cache_put_u32(out, f->line);
		cg_cache_put_u32(out, f->start);
		cg_cache_put_u32(out, f->end);
		cg_cache_put_u32(out, (uint32_t)f->ncalls);
		for (size_t j = 0; j < f->ncalls; j++) {
			const struct cg_summary_call *c = &f->calls[j];
			cg_cache_put_u32(out, (uint32_t)c->kind);
			cg_cache_put_str(out, c->path);
			cg_cache_put_str(out, c->recv_field);
			cg_cache_put_str(out, c->recv_trait);
			cg_cache_put_u32(out, c->line);
			cg_cache_put_u32(out, c->start);
			cg_cache_put_u32(out, c->end);
		}
		cg_cache_put_u32(out, (uint32_t)f->nblocks);
		for (size_t j = 0; j < f->nblocks; j++) {
			const struct cg_summary_block *k = &f->blocks[j];
			cg_cache_put_str(out, k->what);
			cg_cache_put_u32(out, k->line);
			cg_cache_put_u32(out, k->start);
		}
	}
	cg_cache_put_u32(out, (uint32_t)s->nfields);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct cg_summary_field *d = &s->fields[i];
		cg_cache_put_str(out, d->owner);
		cg_cache_put_str(out, d->module);
		cg_cache_put_str(out, d->name);
		cg_cache_put_str(out, d->type);
		cg_cache_put_u32(out, d->line);
	}
	cg_cache_put_u32(out, (uint32_t)s->nreexports);
	for (size_t i = 0; i < s->nreexports; i++) {
		const struct cg_summary_reexport *x = &s->reexports[i];
		cg_cache_put_str(out, x->name);
		cg_cache_put_str(out, x->path);
		cg_cache_put_str(out, x->module);
	}
}

bool cg_disk_cache_decode_summary(struct cg_summary *out, const void *data, size_t len)
{
	struct cg_cache_reader r = { data, (const unsigned char *)data + len, false };
	size_t n;

	memset(out, 0, sizeof(*out));
	/*
	 * The smallest records: a fn is 4 strings and 6 integers, a call 3 and 4,
	 * a block 1 and 2, a field 4 and 1, a re-export 3.
	 */
	n = cg_cache_get_count(&r, 10 * 4);
	out->fns = cg_calloc(n ? n : 1, sizeof(*out->fns));
	out->fns_cap = n ? n : 1;
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_summary_fn *f = &out->fns[out->nfns++];
		uint32_t flags;
		size_t m;
		f->name = cg_cache_get_str(&r);
		f->impl_type = cg_cache_get_str(&r);
		f->module = cg_cache_get_str(&r);
		f->ret_type = cg_cache_get_str(&r);
		flags = cg_cache_get_u32(&r);
		f->is_trait = (flags & FN_IS_TRAIT) != 0;
		f->is_test = (flags & FN_IS_TEST) != 0;
		f->is_async = (flags & FN_IS_ASYNC) != 0;
		f->is_ret_result = (flags & FN_IS_RET_RESULT) != 0;
		f->is_body_read = (flags & FN_IS_BODY_READ) != 0;
		f->line = cg_cache_get_u32(&r);
		f->start = cg_cache_get_u32(&r);
		f->end = cg_cache_get_u32(&r);
		m = cg_cache_get_count(&r, 7 * 4);
		if (m) {
			f->calls = cg_calloc(m, sizeof(*f->calls));
			f->calls_cap = m;
		}
		for (size_t j = 0; j < m && !r.is_bad; j++) {
			struct cg_summary_call *c = &f->calls[f->ncalls++];
			uint32_t kind = cg_cache_get_u32(&r);
			c->kind = (enum cg_call_kind)kind;
			c->path = cg_cache_get_str(&r);
			c->recv_field = cg_cache_get_str(&r);
			c->recv_trait = cg_cache_get_str(&r);
			c->line = cg_cache_get_u32(&r);
			c->start = cg_cache_get_u32(&r);
			c->end = cg_cache_get_u32(&r);
			if (kind > CG_CALL_METHOD || !c->path)
				r.is_bad = true;
		}
		m = cg_cache_get_count(&r, 3 * 4);
		if (m) {
			f->blocks = cg_calloc(m, sizeof(*f->blocks));
			f->blocks_cap = m;
		}
		for (size_t j = 0; j < m && !r.is_bad; j++) {
			struct cg_summary_block *k = &f->blocks[f->nblocks++];
			k->what = cg_cache_get_str(&r);
			k->line = cg_cache_get_u32(&r);
			k->start = cg_cache_get_u32(&r);
			if (!k->what)
				r.is_bad = true;
		}
		if (!f->name || !f->module)
			r.is_bad = true;
	}
	n = cg_cache_get_count(&r, 5 * 4);
	if (n) {
		out->fields = cg_calloc(n, sizeof(*out->fields));
		out->fields_cap = n;
	}
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_summary_field *d = &out->fields[out->nfields++];
		d->owner = cg_cache_get_str(&r);
		d->module = cg_cache_get_str(&r);
		d->name = cg_cache_get_str(&r);
		d->type = cg_cache_get_str(&r);
		d->line = cg_cache_get_u32(&r);
		if (!d->owner || !d->module || !d->name || !d->type)
			r.is_bad = true;
	}
	n = cg_cache_get_count(&r, 3 * 4);
	if (n) {
		out->reexports = cg_calloc(n, sizeof(*out->reexports));
		out->reexports_cap = n;
	}
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_summary_reexport *x = &out->reexports[out->nreexports++];
		x->name = cg_cache_get_str(&r);
		x->path = cg_cache_get_str(&r);
		x->module = cg_cache_get_str(&r);
		if (!x->name || !x->path || !x->module)
			r.is_bad = true;
	}
	if (r.is_bad || r.p != r.end) {
		cg_summary_release(out);
		return false;
	}
	return true;
}

void cg_mod_table_release(struct cg_mod_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->items[i].name);
		free(t->items[i].module);
		free(t->items[i].path_attr);
	}
	free(t->items);
	memset(t, 0, sizeof(*t));
}

static void encode_mods(struct cg_buf *out, const struct cg_mod_table *t)
{
	cg_cache_put_u32(out, (uint32_t)t->n);
	for (size_t i = 0; i < t->n; i++) {
		cg_cache_put_str(out, t->items[i].name);
		cg_cache_put_u32(out, t->items[i].is_decl);
		cg_cache_put_str(out, t->items[i].module);
		cg_cache_put_str(out, t->items[i].path_attr);
	}
}

static bool decode_mods(struct cg_mod_table *out, const void *data, size_t len)
{
	struct cg_cache_reader r = { data, (const unsigned char *)data + len, false };
	size_t n = cg_cache_get_count(&r, 4 * 4);
	memset(out, 0, sizeof(*out));
	out->items = cg_calloc(n ? n : 1, sizeof(*out->items));
	out->cap = n ? n : 1;
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_mod_entry *m = &out->items[out->n++];
		m->name = cg_cache_get_str(&r);
		m->is_decl = cg_cache_get_u32(&r) != 0;
		m->module = cg_cache_get_str(&r);
		m->path_attr = cg_cache_get_str(&r);
		r.is_bad |= !m->name;
	}
	if (r.is_bad || r.p != r.end) {
		cg_mod_table_release(out);
		return false;
	}
	return true;
}

/* ---- the manifest serializer: every field of struct cg_manifest (and CG_DISK_CACHE_FORMAT) ---- */

enum {
	M_HAS_PACKAGE = 1,
	M_AUTOBENCHES = 2,
	M_HAS_LIB = 4,
	M_HAS_WORKSPACE = 8,
	M_IS_PROC_MACRO = 16,
	M_IS_CDYLIB = 32,
	M_DESCRIBES_TESTS = 64
};
enum {
	DEP_IS_WORKSPACE_DECL = 1,
	DEP_IS_INHERITED = 2,
	DEP_IS_OPTIONAL = 4,
	DEP_HAS_DEFAULT_FEATURES = 8,
	DEP_DEFAULT_FEATURES = 16
};
enum { BENCH_HAS_HARNESS = 1, BENCH_HARNESS = 2 };

static void put_pos(struct cg_buf *b, struct cg_crate_pos p)
{
	cg_cache_put_u32(b, p.line);
	cg_cache_put_u32(b, p.column);
	cg_cache_put_u32(b, p.end_line);
	cg_cache_put_u32(b, p.end_column);
}

static struct cg_crate_pos get_pos(struct cg_cache_reader *r)
{
	struct cg_crate_pos p;
	p.line = cg_cache_get_u32(r);
	p.column = cg_cache_get_u32(r);
	p.end_line = cg_cache_get_u32(r);
	p.end_column = cg_cache_get_u32(r);
	return p;
}

static void put_strs(struct cg_buf *b, char *const *strs, size_t n)
{
	cg_cache_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		cg_cache_put_str(b, strs[i]);
}

/* Allocates `n` records (one at least, so an empty array is not NULL), zeroed; cap set to match. */
static void *get_array(size_t n, size_t size, size_t *cap)
{
	*cap = n ? n : 1;
	return cg_calloc(*cap, size);
}

static char **get_strs(struct cg_cache_reader *r, size_t *n, size_t *cap)
{
	size_t count = cg_cache_get_count(r, 4);
	char **strs = get_array(count, sizeof(*strs), cap);
	for (*n = 0; *n < count && !r->is_bad; (*n)++)
		r->is_bad |= !(strs[*n] = cg_cache_get_str(r));
	return strs;
}

static void put_cstrs(struct cg_buf *b, const struct cg_crate_str *strs, size_t n)
{
	cg_cache_put_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		cg_cache_put_str(b, strs[i].text);
		put_pos(b, strs[i].pos);
	}
}

static struct cg_crate_str *get_cstrs(struct cg_cache_reader *r, size_t *n, size_t *cap)
{
	size_t count = cg_cache_get_count(r, 5 * 4);
	struct cg_crate_str *strs = get_array(count, sizeof(*strs), cap);
	for (*n = 0; *n < count && !r->is_bad; (*n)++) {
		r->is_bad |= !(strs[*n].text = cg_cache_get_str(r));
		strs[*n].pos = get_pos(r);
	}
	return strs;
}

void cg_disk_cache_encode_manifest(struct cg_buf *out, const struct cg_manifest *m)
{
	cg_cache_put_u32(out, (m->has_package ? M_HAS_PACKAGE : 0) | (m->autobenches ? M_AUTOBENCHES : 0) |
				      (m->has_lib ? M_HAS_LIB : 0) | (m->has_workspace ? M_HAS_WORKSPACE : 0) |
				      (m->is_proc_macro ? M_IS_PROC_MACRO : 0) | (m->is_cdylib ? M_IS_CDYLIB : 0) |
				      (m->describes_tests ? M_DESCRIBES_TESTS : 0));
	cg_cache_put_str(out, m->package_name);
	cg_cache_put_str(out, m->package_version);
	cg_cache_put_str(out, m->edition);
	cg_cache_put_str(out, m->workspace_edition);
	cg_cache_put_str(out, m->lib_path);
	put_strs(out, m->members, m->nmembers);
	put_strs(out, m->exclude, m->nexclude);
	cg_cache_put_u32(out, (uint32_t)m->ndeps);
	for (size_t i = 0; i < m->ndeps; i++) {
		const struct cg_crate_dep *d = &m->deps[i];
		cg_cache_put_str(out, d->key);
		cg_cache_put_str(out, d->package);
		cg_cache_put_u32(out, (uint32_t)d->kind);
		cg_cache_put_str(out, d->target);
		cg_cache_put_str(out, d->table);
		cg_cache_put_u32(out, (d->is_workspace_decl ? DEP_IS_WORKSPACE_DECL : 0) |
					      (d->is_inherited ? DEP_IS_INHERITED : 0) |
					      (d->is_optional ? DEP_IS_OPTIONAL : 0) |
					      (d->has_default_features ? DEP_HAS_DEFAULT_FEATURES : 0) |
					      (d->default_features ? DEP_DEFAULT_FEATURES : 0));
		cg_cache_put_str(out, d->path);
		put_cstrs(out, d->features, d->nfeatures);
		put_pos(out, d->pos);
	}
	cg_cache_put_u32(out, (uint32_t)m->nfeatures);
	for (size_t i = 0; i < m->nfeatures; i++) {
		cg_cache_put_str(out, m->features[i].name);
		put_cstrs(out, m->features[i].items, m->features[i].nitems);
		put_pos(out, m->features[i].pos);
	}
	cg_cache_put_u32(out, (uint32_t)m->nbenches);
	for (size_t i = 0; i < m->nbenches; i++) {
		const struct cg_crate_bench *b = &m->benches[i];
		cg_cache_put_str(out, b->name);
		cg_cache_put_str(out, b->path);
		cg_cache_put_u32(out, (b->has_harness ? BENCH_HAS_HARNESS : 0) | (b->harness ? BENCH_HARNESS : 0));
		put_pos(out, b->pos);
	}
	put_pos(out, m->package_pos);
	put_pos(out, m->dev_deps_pos);
}

bool cg_disk_cache_decode_manifest(struct cg_manifest *out, const void *data, size_t len)
{
	struct cg_cache_reader r = { data, (const unsigned char *)data + len, false };
	uint32_t flags;
	size_t n;

	memset(out, 0, sizeof(*out));
	flags = cg_cache_get_u32(&r);
	out->has_package = flags & M_HAS_PACKAGE;
	out->autobenches = flags & M_AUTOBENCHES;
	out->has_lib = flags & M_HAS_LIB;
	out->is_proc_macro = flags & M_IS_PROC_MACRO;
	out->is_cdylib = flags & M_IS_CDYLIB;
	out->describes_tests = flags & M_DESCRIBES_TESTS;
	out->has_workspace = flags & M_HAS_WORKSPACE;
	out->package_name = cg_cache_get_str(&r);
	out->package_version = cg_cache_get_str(&r);
	out->edition = cg_cache_get_str(&r);
	out->workspace_edition = cg_cache_get_str(&r);
	out->lib_path = cg_cache_get_str(&r);
	out->members = get_strs(&r, &out->nmembers, &out->members_cap);
	out->exclude = get_strs(&r, &out->nexclude, &out->exclude_cap);
	/* The smallest records: a dependency is 5 strings, 2 integers, a count and a place; a feature 1 string, a
	 * count and a place; a bench 2 strings, an integer and a place. */
	n = cg_cache_get_count(&r, 12 * 4);
	out->deps = get_array(n, sizeof(*out->deps), &out->deps_cap);
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_crate_dep *d = &out->deps[out->ndeps++];
		d->key = cg_cache_get_str(&r);
		d->package = cg_cache_get_str(&r);
		d->kind = (enum cg_dep_kind)cg_cache_get_u32(&r);
		d->target = cg_cache_get_str(&r);
		d->table = cg_cache_get_str(&r);
		flags = cg_cache_get_u32(&r);
		d->is_workspace_decl = flags & DEP_IS_WORKSPACE_DECL;
		d->is_inherited = flags & DEP_IS_INHERITED;
		d->is_optional = flags & DEP_IS_OPTIONAL;
		d->has_default_features = flags & DEP_HAS_DEFAULT_FEATURES;
		d->default_features = flags & DEP_DEFAULT_FEATURES;
		d->path = cg_cache_get_str(&r);
		d->features = get_cstrs(&r, &d->nfeatures, &d->features_cap);
		d->pos = get_pos(&r);
		r.is_bad |= !d->key || d->kind > CG_DEP_BUILD;
	}
	n = cg_cache_get_count(&r, 6 * 4);
	out->features = get_array(n, sizeof(*out->features), &out->features_cap);
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_crate_feature *f = &out->features[out->nfeatures++];
		f->name = cg_cache_get_str(&r);
		f->items = get_cstrs(&r, &f->nitems, &f->items_cap);
		f->pos = get_pos(&r);
		r.is_bad |= !f->name;
	}
	n = cg_cache_get_count(&r, 7 * 4);
	out->benches = get_array(n, sizeof(*out->benches), &out->benches_cap);
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		struct cg_crate_bench *b = &out->benches[out->nbenches++];
		b->name = cg_cache_get_str(&r);
		b->path = cg_cache_get_str(&r);
		flags = cg_cache_get_u32(&r);
		b->has_harness = flags & BENCH_HAS_HARNESS;
		b->harness = flags & BENCH_HARNESS;
		b->pos = get_pos(&r);
	}
	out->package_pos = get_pos(&r);
	out->dev_deps_pos = get_pos(&r);
	if (r.is_bad || r.p != r.end) {
		cg_manifest_release(out);
		return false;
	}
	return true;
}

/* A config list of strings into hash `h`, named so two lists never run together. */
static uint64_t hash_list(uint64_t h, const char *name, const struct cg_conf_node *l)
{
	h = cg_hash64(name, strlen(name) + 1, h);
	for (size_t i = 0; l && i < l->nkids; i++)
		if (l->kids[i]->value)
			h = cg_hash64(l->kids[i]->value, strlen(l->kids[i]->value) + 1, h);
	return h;
}

uint64_t cg_disk_cache_summary_config(const struct cg_blocking_list *list)
{
	uint64_t h = cg_hash64("blocking", 8, 0);
	for (size_t i = 0; i < list->n; i++) {
		const struct cg_blocking_entry *e = &list->entries[i];
		h = cg_hash64(e->path, strlen(e->path) + 1, h);
		h = cg_hash64(e->replacement ? e->replacement : "", e->replacement ? strlen(e->replacement) + 1 : 0, h);
		h = cg_hash64(e->is_any_receiver ? "1" : "0", 1, h);
	}
	/* Every list of struct cg_blocking_list, whether summary.c reads it today or not. */
	h = hash_list(h, "wrappers", list->wrappers);
	h = hash_list(h, "inline", list->inline_calls);
	return hash_list(h, "lock_types", list->lock_types);
}

/* ---- entries on disk ---- */

char *cg_disk_cache_dir(git_repository *repo)
{
	struct cg_buf b = CG_BUF_INIT;
	const char *common = git_repository_commondir(repo);
	if (!common)
		common = git_repository_path(repo);
	if (!common)
		return NULL;
	cg_buf_printf(&b, "%s%scrabgate/cache/", common, cg_ends_with(common, "/") ? "" : "/");
	return cg_buf_detach(&b, NULL);
}

int cg_disk_cache_open(struct cg_disk_cache **out, git_repository *repo, size_t max_bytes)
{
	struct cg_disk_cache *c;
	char *dir = cg_disk_cache_dir(repo);
	struct stat st;
	*out = NULL;
	if (!dir)
		return cg_error_set(CG_E_GIT, "the repository has no git directory to keep a cache in");
	c = cg_calloc(1, sizeof(*c));
	c->dir = dir;
	c->max_bytes = max_bytes ? max_bytes : CG_DISK_CACHE_DEFAULT_MAX;
	/*
	 * Every build of one version says 0.1.0, and a development build that
	 * changes what a summary holds may forget CG_DISK_CACHE_FORMAT: the
	 * executable's size and time tell builds apart, so no build ever reads
	 * what another computed. An installed binary keeps them, and its cache.
	 */
	c->build = cg_hash64(CG_VERSION, sizeof(CG_VERSION), 0);
	if (stat("/proc/self/exe", &st) == 0) {
		uint64_t id[3] = { (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec };
		c->build = cg_hash64(id, sizeof(id), c->build);
	}
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

/* What an entry's name and header commit to: the build, the format, the kind and the config. */
static uint64_t entry_key(const struct cg_disk_cache *c, enum cg_disk_cache_kind kind, uint64_t config)
{
	uint64_t h = c->build;
	uint32_t f = CG_DISK_CACHE_FORMAT, k = (uint32_t)kind;
	h = cg_hash64(&f, sizeof(f), h);
	h = cg_hash64(&k, sizeof(k), h);
	return cg_hash64(&config, sizeof(config), h);
}

static void entry_path(struct cg_buf *out, const struct cg_disk_cache *c, const git_oid *blob, uint64_t key)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), blob);
	cg_buf_printf(out, "%s%s-%016llx", c->dir, hex, (unsigned long long)key);
}

static void count(struct cg_disk_cache *c, size_t *field)
{
	pthread_mutex_lock(&c->lock);
	(*field)++;
	pthread_mutex_unlock(&c->lock);
}

bool cg_disk_cache_get(struct cg_disk_cache *c, enum cg_disk_cache_kind kind, const git_oid *blob, uint64_t config,
		       struct cg_buf *out)
{
	struct cg_buf path = CG_BUF_INIT, raw = CG_BUF_INIT;
	uint64_t key = entry_key(c, kind, config);
	struct cg_cache_reader r;
	bool ok = false;
	uint64_t len, sum;

	entry_path(&path, c, blob, key);
	if (cg_fs_read(&raw, path.ptr, ENTRY_MAX + HEADER_SIZE) < 0) {
		cg_error_clear();
		goto done;
	}
	r = (struct cg_cache_reader){ (const unsigned char *)raw.ptr, (const unsigned char *)raw.ptr + raw.size,
				      false };
	if (raw.size < HEADER_SIZE || memcmp(raw.ptr, MAGIC, sizeof(MAGIC)))
		goto done;
	r.p += sizeof(MAGIC);
	if (cg_cache_get_u32(&r) != CG_DISK_CACHE_FORMAT || cg_cache_get_u32(&r) != (uint32_t)kind ||
	    get_u64(&r) != key)
		goto done;
	if (memcmp(r.p, blob->id, GIT_OID_RAWSZ))
		goto done;
	r.p += GIT_OID_RAWSZ;
	len = get_u64(&r);
	sum = get_u64(&r);
	if (len != (uint64_t)(r.end - r.p) || sum != cg_hash64(r.p, (size_t)len, key))
		goto done;
	cg_buf_put(out, r.p, (size_t)len);
	/* The hit is recent use: eviction goes by mtime. */
	utimensat(AT_FDCWD, path.ptr, NULL, 0);
	ok = true;
done:
	count(c, ok ? &c->stats.hits : &c->stats.misses);
	cg_buf_release(&path);
	cg_buf_release(&raw);
	return ok;
}

void cg_disk_cache_put(struct cg_disk_cache *c, enum cg_disk_cache_kind kind, const git_oid *blob, uint64_t config,
		       const void *data, size_t len)
{
	struct cg_buf path = CG_BUF_INIT, entry = CG_BUF_INIT;
	uint64_t key = entry_key(c, kind, config);

	if (len > ENTRY_MAX)
		return;
	cg_buf_put(&entry, MAGIC, sizeof(MAGIC));
	cg_cache_put_u32(&entry, CG_DISK_CACHE_FORMAT);
	cg_cache_put_u32(&entry, (uint32_t)kind);
	put_u64(&entry, key);
	cg_buf_put(&entry, blob->id, GIT_OID_RAWSZ);
	put_u64(&entry, len);
	put_u64(&entry, cg_hash64(data, len, key));
	cg_buf_put(&entry, data, len);
	entry_path(&path, c, blob, key);
	/* A temporary name and a rename (cg_fs_write_atomic): a concurrent reader sees the whole entry or none. */
	if (cg_fs_write_atomic(path.ptr, entry.ptr, entry.size) < 0)
		cg_error_clear();
	else
		count(c, &c->stats.written);
	cg_buf_release(&path);
	cg_buf_release(&entry);
}

void cg_disk_cache_get_stats(const struct cg_disk_cache *cache, struct cg_disk_cache_stats *out)
{
	struct cg_disk_cache *c = (struct cg_disk_cache *)cache;
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}

bool cg_disk_cache_load_summary(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config, bool is_crate_root,
				struct cg_summary *out)
{
	struct cg_buf raw = CG_BUF_INIT;
	bool ok = cg_disk_cache_get(cache, is_crate_root ? CG_CACHE_SUMMARY_ROOT : CG_CACHE_SUMMARY, blob, config,
				    &raw) &&
		  cg_disk_cache_decode_summary(out, raw.ptr, raw.size);
	cg_buf_release(&raw);
	return ok;
}

void cg_disk_cache_store_summary(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config, bool is_crate_root,
				 const struct cg_summary *s)
{
	struct cg_buf raw = CG_BUF_INIT;
	cg_disk_cache_encode_summary(&raw, s);
	cg_disk_cache_put(cache, is_crate_root ? CG_CACHE_SUMMARY_ROOT : CG_CACHE_SUMMARY, blob, config, raw.ptr,
			  raw.size);
	cg_buf_release(&raw);
}

bool cg_disk_cache_load_mods(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
			     struct cg_mod_table *out)
{
	struct cg_buf raw = CG_BUF_INIT;
	bool ok = cg_disk_cache_get(cache, CG_CACHE_MODS, blob, config, &raw) && decode_mods(out, raw.ptr, raw.size);
	cg_buf_release(&raw);
	return ok;
}

void cg_disk_cache_store_mods(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
			      const struct cg_mod_table *t)
{
	struct cg_buf raw = CG_BUF_INIT;
	encode_mods(&raw, t);
	cg_disk_cache_put(cache, CG_CACHE_MODS, blob, config, raw.ptr, raw.size);
	cg_buf_release(&raw);
}

bool cg_disk_cache_load_manifest(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
				 struct cg_manifest *out)
{
	struct cg_buf raw = CG_BUF_INIT;
	bool ok = cg_disk_cache_get(cache, CG_CACHE_MANIFEST, blob, config, &raw) &&
		  cg_disk_cache_decode_manifest(out, raw.ptr, raw.size);
	cg_buf_release(&raw);
	return ok;
}

void cg_disk_cache_store_manifest(struct cg_disk_cache *cache, const git_oid *blob, uint64_t config,
				  const struct cg_manifest *m)
{
	struct cg_buf raw = CG_BUF_INIT;
	cg_disk_cache_encode_manifest(&raw, m);
	cg_disk_cache_put(cache, CG_CACHE_MANIFEST, blob, config, raw.ptr, raw.size);
	cg_buf_release(&raw);
}

/* ---- the size bound ---- */

struct aged {
	char *name;
	struct timespec mtime;
	off_t size;
};

static int cmp_aged(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Removes the least recently used entries until the folder holds at most 3/4 of the bound. */
static void evict(struct cg_disk_cache *c)
{
	DIR *d = opendir(c->dir);
	struct aged *all = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (strstr(de->d_name, ".crabgate-")) {
			if (now - st.st_mtime > STALE_TMP_SECONDS)
				unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		cg_array_grow((void **)&all, &cap, n + 1, sizeof(*all));
		all[n++] = (struct aged){ cg_strdup(de->d_name), st.st_mtim, st.st_size };
		total += (uint64_t)st.st_size;
	}
	if (total > c->max_bytes) {
		qsort(all, n, sizeof(*all), cmp_aged);
		for (size_t i = 0; i < n && total > c->max_bytes / 4 * 3; i++)
			if (unlinkat(dirfd(d), all[i].name, 0) == 0 || errno == ENOENT)
				total -= (uint64_t)all[i].size;
	}
	for (size_t i = 0; i < n; i++)
		free(all[i].name);
	free(all);
	closedir(d);
}

void cg_disk_cache_close(struct cg_disk_cache *c)
{
	if (!c)
		return;
	if (c->stats.written)
		evict(c);
	pthread_mutex_destroy(&c->lock);
	free(c->dir);
	free(c);
}

int cg_disk_cache_clear(git_repository *repo)
{
	char *dir = cg_disk_cache_dir(repo);
	struct stat st;
	int err = 0;
	if (!dir)
		return cg_error_set(CG_E_GIT, "the repository has no git directory");
	if (lstat(dir, &st) == 0)
		err = cg_fs_rmtree(dir);
	free(dir);
	return err;
}
