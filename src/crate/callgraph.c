#define _GNU_SOURCE
#include "crate/callgraph.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crate/cache.h"
#include "crate/crate_private.h"
#include "syntax/items.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

/* Longest chain followed: deeper ones are cut, never looped. */
#define CHAIN_MAX 64

enum node_state { NODE_NEW, NODE_SEEN, NODE_DONE };

struct edge {
	struct file_entry *file;
	size_t fn;
};

struct node {
	enum node_state state;
	bool has_edges, blocks;
	struct edge *edges; /* the calls that resolve to fns of the crate */
	size_t nedges, edges_cap;
	size_t reason; /* blocks: the edge it blocks through, or NO_EDGE for its own blocking call */
};

#define NO_EDGE ((size_t)-1)

struct file_entry {
	char *path;
	bool is_read_tried, has_items; /* entry_items ran; text and items are there */
	bool is_text_tried;	       /* entry_text ran; text is there when it could be read */
	bool is_tried;		       /* entry_load ran */
	bool is_ok;		       /* read and parsed */
	/* The summary's disk cache key, and whether this run added to what the cache has. */
	bool has_id, is_dirty;
	git_oid id;
	uint64_t key;
	struct cg_buf text;
	struct cg_items flat; /* cg_items_scan of the text, shared by the outline, body reads and items */
	bool is_flat_tried;   /* entry_flat ran; has_flat when flat is there */
	bool has_flat;
	struct cg_items items;	      /* expanded from flat (cg_items_expand): what `mod` walks read */
	bool is_mods_tried, has_mods; /* entry_mods ran; mods are there */
	struct cg_mod_table mods;
	/* The outline, and the bodies of the fns read so far (entry_bodies). */
	struct cg_summary summary;
	struct node *nodes; /* one per summary fn */
	/* Where the file sits in its crate, once known: "a::b" ("" for the root), and the folder of its `mod x;` files.
	 */
	char *modpath, *moddir;
	bool has_place;
	bool has_crate_lookup;
	char *srcdir, *root; /* of its crate (crate_src) */
};

/* The .rs files under a crate's src/ (not src/bin/), listed once per run for reverse lookups. */
struct crate_files {
	char *srcdir;
	size_t skip; /* bytes of "SRCDIR/": what follows is the path in src/ */
	char **paths;
	size_t n, cap;
};

/*
 * The whole parse of a file a rule of this thread is reading (cg_callgraph_lend):
 * only its own thread may read it, so it is kept per thread, not in the graph.
 */
static __thread struct {
	const char *path;
	const struct cg_source *src;
	const struct cg_rust_file *rf;
} lent;

struct cg_callgraph {
	pthread_mutex_t lock;
	struct file_entry **files;
	size_t n, cap;
	struct crate_files *listings;
	size_t nlistings, listings_cap;
};

struct cg_callgraph *cg_crate__callgraph_new(void)
{
	struct cg_callgraph *g = cg_calloc(1, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	return g;
}

void cg_crate__callgraph_free(struct cg_callgraph *g, struct cg_disk_cache *disk)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		struct file_entry *e = g->files[i];
		/* Stored at the end, with every body the run read: the next run reads none of them again. */
		if (disk && e->is_ok && e->has_id && e->is_dirty)
			cg_disk_cache_store_summary(disk, &e->id, e->key, cg_rust_path_is_crate_root(e->path),
						    &e->summary);
		for (size_t j = 0; e->nodes && j < e->summary.nfns; j++)
			free(e->nodes[j].edges);
		free(e->nodes);
		cg_summary_release(&e->summary);
		cg_items_release(&e->items);
		cg_items_release(&e->flat);
		cg_mod_table_release(&e->mods);
		cg_buf_release(&e->text);
		free(e->path);
		free(e->modpath);
		free(e->moddir);
		free(e->srcdir);
		free(e->root);
		free(e);
	}
	free(g->files);
	for (size_t i = 0; i < g->nlistings; i++) {
		for (size_t j = 0; j < g->listings[i].n; j++)
			free(g->listings[i].paths[j]);
		free(g->listings[i].paths);
		free(g->listings[i].srcdir);
	}
	free(g->listings);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static bool exists(struct cg_crate_cache *cache, const char *path)
{
	bool yes;
	cg_change_lock(cg_crate__change(cache));
	yes = cg_change_exists(cg_crate__change(cache), path);
	cg_change_unlock(cg_crate__change(cache));
	return yes;
}

/* The entry of `path`, made on first use, unread. */
static struct file_entry *entry_get(struct cg_crate_cache *cache, const char *path)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	struct file_entry *e;
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->files[i]->path, path))
			return g->files[i];
	e = cg_calloc(1, sizeof(*e));
	e->path = cg_strdup(path);
	cg_array_grow((void **)&g->files, &g->cap, g->n + 1, sizeof(*g->files));
	g->files[g->n++] = e;
	return e;
}

/* Reads an entry's text once. */
static bool entry_text(struct cg_crate_cache *cache, struct file_entry *e)
{
	bool is_read;
	if (e->is_text_tried)
		return e->text.ptr != NULL;
	e->is_text_tried = true;
	cg_change_lock(cg_crate__change(cache));
	is_read = cg_change_exists(cg_crate__change(cache), e->path) && cg_crate__read_file(cache, e->path, &e->text);
	cg_change_unlock(cg_crate__change(cache));
	return is_read && e->text.ptr;
}

/* Reads an entry's text and scans its items once, for every reader of them; NULL when it cannot. */
static const struct cg_items *entry_flat(struct cg_crate_cache *cache, struct file_entry *e)
{
	if (!e->is_flat_tried) {
		e->is_flat_tried = true;
		if (!entry_text(cache, e))
			return NULL;
		if (cg_items_scan(&e->flat, e->text.ptr, e->text.size) < 0)
			cg_error_clear();
		else
			e->has_flat = true;
	}
	return e->has_flat ? &e->flat : NULL;
}

/* An entry's items with those of item macro bodies, without a parse: enough to walk `mod` items. */
static bool entry_items(struct cg_crate_cache *cache, struct file_entry *e)
{
	const struct cg_items *flat;
	if (e->is_read_tried)
		return e->has_items;
	e->is_read_tried = true;
	if (!(flat = entry_flat(cache, e)))
		return false;
	cg_items_expand(&e->items, flat, e->text.ptr);
	e->has_items = true;
	return true;
}

/*
 * Summarizes an entry once, its fns' bodies left out (cg_summary_build_outline):
 * most of a file's fns are never reached, and a body is parsed when a walk
 * first needs its calls (entry_bodies). False when it cannot be.
 */
static bool entry_load(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e)
{
	struct cg_disk_cache *disk = cg_crate__disk(cache);
	bool is_root = cg_rust_path_is_crate_root(e->path);
	size_t max_file;
	int err;

	if (e->is_tried)
		return e->is_ok;
	e->is_tried = true;
	/* By blob id, before any read: a warm cache spares the text, the parse and the walk. */
	if (disk && cg_change_blob_id(cg_crate__change(cache), e->path, &e->id)) {
		e->has_id = true;
		max_file = cg_crate__max_file(cache);
		e->key = cg_hash64(&max_file, sizeof(max_file), cg_disk_cache_summary_config(list));
		if (cg_disk_cache_load_summary(disk, &e->id, e->key, is_root, &e->summary)) {
			e->nodes = cg_calloc(e->summary.nfns ? e->summary.nfns : 1, sizeof(*e->nodes));
			e->is_ok = true;
			cg_crate__count_summary(cache, true);
			return true;
		}
	}
	if (!entry_text(cache, e))
		return false;
	/* The rule's own tree of the same text: every body, for no parse at all. */
	if (lent.src && !strcmp(lent.path, e->path) && lent.src->len == e->text.size &&
	    !memcmp(lent.src->text, e->text.ptr, e->text.size))
		err = cg_summary_build(&e->summary, lent.src, lent.rf, list, is_root, CG_BODIES_ALL);
	else
		err = cg_summary_build_outline(&e->summary, e->text.ptr, e->text.size, entry_flat(cache, e), list,
					       is_root);
	if (err < 0) {
		cg_error_clear();
		cg_summary_release(&e->summary);
		return false;
	}
	e->nodes = cg_calloc(e->summary.nfns ? e->summary.nfns : 1, sizeof(*e->nodes));
	e->is_ok = e->is_dirty = true;
	cg_crate__count_summary(cache, false);
	return true;
}

/* Reads the bodies of entry `e`'s fns `which` (ascending) that are not read yet, in one parse. */
static void entry_bodies(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e,
			 const size_t *which, size_t n)
{
	size_t *unread = cg_calloc(n ? n : 1, sizeof(*unread)), nunread = 0;
	for (size_t k = 0; k < n; k++)
		if (!e->summary.fns[which[k]].is_body_read)
			unread[nunread++] = which[k];
	if (nunread) {
		if (!entry_text(cache, e) ||
		    cg_summary_read_bodies(&e->summary, e->text.ptr, e->text.size, entry_flat(cache, e), list,
					   cg_rust_path_is_crate_root(e->path), unread, nunread) < 0) {
			/* Unreadable now: no calls to follow, as when the file could not be summarized. */
			cg_error_clear();
			for (size_t k = 0; k < nunread; k++)
				e->summary.fns[unread[k]].is_body_read = true;
		}
		e->is_dirty = true;
		cg_crate__count_bodies(cache, nunread);
	}
	free(unread);
}

/* Every fn body of a loaded entry, for a reader of all its calls. */
static void entry_all_bodies(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e)
{
	size_t *all = cg_calloc(e->summary.nfns ? e->summary.nfns : 1, sizeof(*all));
	for (size_t k = 0; k < e->summary.nfns; k++)
		all[k] = k;
	entry_bodies(cache, list, e, all, e->summary.nfns);
	free(all);
}

/* The src folder ("src", "a/src") and root file of the crate of entry `e`, once per entry; borrowed. */
static bool crate_src(struct cg_crate_cache *cache, struct file_entry *e, const char **srcdir, const char **root)
{
	if (!e->has_crate_lookup) {
		struct cg_crate *cr = cg_crate_of(cache, e->path);
		struct cg_buf b = CG_BUF_INIT;
		e->has_crate_lookup = true;
		if (cr) {
			cg_buf_printf(&b, "%s%ssrc", cr->dir, *cr->dir ? "/" : "");
			e->srcdir = cg_buf_detach(&b, NULL);
			cg_buf_printf(&b, "%s/lib.rs", e->srcdir);
			if (!exists(cache, b.ptr)) {
				cg_buf_release(&b);
				cg_buf_printf(&b, "%s/main.rs", e->srcdir);
			}
			e->root = cg_buf_detach(&b, NULL);
		}
	}
	*srcdir = e->srcdir;
	*root = e->root;
	return e->srcdir != NULL;
}

/* Where a file sits by Cargo's conventions (src/a/b.rs is crate::a::b), when no `mod` walk placed it. */
static void place_by_path(struct cg_crate_cache *cache, struct file_entry *e)
{
	const char *srcdir, *root, *rel;
	size_t sl;
	e->has_place = true;
	if (!crate_src(cache, e, &srcdir, &root))
		return;
	sl = strlen(srcdir);
	rel = e->path + sl + 1;
	if (strncmp(e->path, srcdir, sl) || e->path[sl] != '/' || !strncmp(rel, "bin/", 4) ||
	    !cg_ends_with(rel, ".rs")) {
		/* tests/, benches/, src/bin/: roots of crates of their own, not placed. */
	} else if (!strcmp(e->path, root) || !strcmp(rel, "lib.rs") || !strcmp(rel, "main.rs")) {
		e->modpath = cg_strdup("");
		e->moddir = cg_path_dir(e->path);
	} else {
		struct cg_buf m = CG_BUF_INIT;
		size_t n = strlen(rel) - 3;
		bool is_mod_rs = cg_ends_with(rel, "/mod.rs");
		if (is_mod_rs)
			n -= 4;
		for (size_t i = 0; i < n; i++)
			if (rel[i] == '/')
				cg_buf_puts(&m, "::");
			else
				cg_buf_putc(&m, rel[i]);
		e->modpath = cg_buf_detach(&m, NULL);
		e->moddir = is_mod_rs ? cg_path_dir(e->path) : cg_strndup(e->path, strlen(e->path) - 3);
	}
}

static void place(struct cg_crate_cache *cache, struct file_entry *e)
{
	if (!e->has_place)
		place_by_path(cache, e);
}

/* The inline module path of item `i` ("self", "self::a::b"), or false when it is inside an impl or trait. */
static bool item_module(const struct file_entry *e, size_t i, struct cg_buf *out)
{
	const struct cg_item *segs[64];
	size_t n = 0;
	for (uint32_t p = e->items.items[i].parent; p != CG_ITEM_TOP; p = e->items.items[p].parent) {
		/* An item macro's body (`cfg_net! { mod tcp; }`) is the module around the call. */
		if (e->items.items[p].kind == CG_ITEM_OTHER)
			continue;
		if (e->items.items[p].kind != CG_ITEM_MOD || n == 64)
			return false;
		segs[n++] = &e->items.items[p];
	}
	cg_buf_puts(out, "self");
	while (n--)
		cg_buf_printf(out, "::%.*s", (int)segs[n]->name_len, e->text.ptr + segs[n]->name);
	return true;
}

/* The string of a `#[path = "…"]` among an item's attributes, or NULL. */
static char *path_attr(const struct file_entry *e, const struct cg_item *it)
{
	const char *t = e->text.ptr + it->start, *end = e->text.ptr + it->decl;
	const char *a = memmem(t, (size_t)(end - t), "#[path", 6), *q, *r;
	if (!a || !(q = memchr(a, '"', (size_t)(end - a))) || !(r = memchr(q + 1, '"', (size_t)(end - q - 1))))
		return NULL;
	return cg_strndup(q + 1, (size_t)(r - q - 1));
}

/*
 * An entry's `mod` items once: from the disk cache by blob id, else from
 * the item scan (and then cached), so the module walk of a warm run reads
 * no file.
 */
static bool entry_mods(struct cg_crate_cache *cache, struct file_entry *e)
{
	struct cg_disk_cache *disk = cg_crate__disk(cache);
	bool has_id = false;
	uint64_t key = 0;
	git_oid id;

	if (e->is_mods_tried)
		return e->has_mods;
	e->is_mods_tried = true;
	if (disk && cg_change_blob_id(cg_crate__change(cache), e->path, &id)) {
		size_t max_file = cg_crate__max_file(cache);
		has_id = true;
		key = cg_hash64(&max_file, sizeof(max_file), 0);
		if (cg_disk_cache_load_mods(disk, &id, key, &e->mods))
			return e->has_mods = true;
	}
	if (!entry_items(cache, e))
		return false;
	for (size_t i = 0; i < e->items.n; i++) {
		const struct cg_item *it = &e->items.items[i];
		struct cg_buf where = CG_BUF_INIT;
		struct cg_mod_entry *m;
		if (it->kind != CG_ITEM_MOD && it->kind != CG_ITEM_MOD_DECL)
			continue;
		cg_array_grow((void **)&e->mods.items, &e->mods.cap, e->mods.n + 1, sizeof(*e->mods.items));
		m = &e->mods.items[e->mods.n++];
		m->name = cg_strndup(e->text.ptr + it->name, it->name_len);
		m->is_decl = it->kind == CG_ITEM_MOD_DECL;
		m->module = item_module(e, i, &where) ? cg_buf_detach(&where, NULL) : NULL;
		m->path_attr = m->is_decl ? path_attr(e, it) : NULL;
		cg_buf_release(&where);
	}
	if (has_id)
		cg_disk_cache_store_mods(disk, &id, key, &e->mods);
	return e->has_mods = true;
}

/*
 * The file and inline module of crate module `segs` (n segments below the
 * root), walking `mod` items down from the crate root: files on the way
 * are scanned, not parsed.
 */
static struct file_entry *find_module(struct cg_crate_cache *cache, const char *root, char **segs, size_t n,
				      struct cg_buf *inline_path)
{
	struct file_entry *e = entry_get(cache, root);
	struct cg_buf cur = CG_BUF_INIT;
	char *moddir;
	if (!entry_mods(cache, e))
		return NULL;
	place(cache, e);
	if (!e->moddir)
		return NULL;
	moddir = cg_strdup(e->moddir);
	cg_buf_puts(&cur, "self");
	for (size_t s = 0; s < n && e; s++) {
		const struct cg_mod_entry *hit = NULL;
		for (size_t i = 0; i < e->mods.n && !hit; i++) {
			const struct cg_mod_entry *m = &e->mods.items[i];
			if (!strcmp(m->name, segs[s]) && m->module && !strcmp(m->module, cur.ptr))
				hit = m;
		}
		if (!hit) {
			e = NULL;
		} else if (!hit->is_decl) {
			cg_buf_printf(&cur, "::%s", segs[s]);
		} else {
			/* `mod x;` in inline module self::a::b of a file: its folder is moddir/a/b. */
			struct cg_buf dir = CG_BUF_INIT, file = CG_BUF_INIT, child = CG_BUF_INIT;
			char *attr = hit->path_attr ? cg_strdup(hit->path_attr) : NULL;
			cg_buf_puts(&dir, moddir);
			for (const char *p = cur.ptr + 4; *p;) {
				if (!strncmp(p, "::", 2)) {
					cg_buf_putc(&dir, '/');
					p += 2;
				} else {
					cg_buf_putc(&dir, *p++);
				}
			}
			if (attr) {
				char *fdir = cur.size == 4 ? cg_path_dir(e->path) : cg_strdup(dir.ptr);
				cg_buf_printf(&file, "%s%s%s", fdir, *fdir ? "/" : "", attr);
				free(fdir);
				if (cg_ends_with(file.ptr, "/mod.rs")) {
					char *d = cg_path_dir(file.ptr);
					cg_buf_puts(&child, d);
					free(d);
				} else {
					cg_buf_printf(&child, "%.*s", (int)(file.size - 3), file.ptr);
				}
			} else {
				cg_buf_printf(&child, "%s/%s", dir.ptr, segs[s]);
				cg_buf_printf(&file, "%s.rs", child.ptr);
				if (!exists(cache, file.ptr)) {
					cg_buf_truncate(&file, 0);
					cg_buf_printf(&file, "%s/mod.rs", child.ptr);
				}
			}
			free(attr);
			e = entry_get(cache, file.ptr);
			if (!entry_mods(cache, e))
				e = NULL;
			if (e && !e->has_place) {
				struct cg_buf mp = CG_BUF_INIT;
				for (size_t k = 0; k <= s; k++)
					cg_buf_printf(&mp, "%s%s", k ? "::" : "", segs[k]);
				e->modpath = cg_buf_detach(&mp, NULL);
				e->moddir = cg_strdup(child.ptr);
				e->has_place = true;
			}
			free(moddir);
			moddir = cg_strdup(child.ptr);
			cg_buf_truncate(&cur, 0);
			cg_buf_puts(&cur, "self");
			cg_buf_release(&dir);
			cg_buf_release(&file);
			cg_buf_release(&child);
		}
	}
	free(moddir);
	if (e)
		cg_buf_puts(inline_path, cur.ptr);
	cg_buf_release(&cur);
	return e;
}

/* The fn of entry `e` in inline module `module` with this impl type (NULL: a free fn) and name, or -1. */
static long find_fn(const struct file_entry *e, const char *module, const char *impl_type, const char *name)
{
	for (size_t i = 0; i < e->summary.nfns; i++) {
		const struct cg_summary_fn *f = &e->summary.fns[i];
		if (!strcmp(f->name, name) && !strcmp(f->module, module) &&
		    (impl_type ? f->impl_type && !strcmp(f->impl_type, impl_type) : !f->impl_type))
			return (long)i;
	}
	return -1;
}

static void split_push(char ***segs, size_t *n, size_t *cap, const char *s, size_t len)
{
	cg_array_grow((void **)segs, cap, *n + 1, sizeof(**segs));
	(*segs)[(*n)++] = cg_strndup(s, len);
}

/* Appends the `::` segments of `path` to segs. */
static void split_path(char ***segs, size_t *n, size_t *cap, const char *path)
{
	while (*path) {
		const char *q = strstr(path, "::");
		size_t len = q ? (size_t)(q - path) : strlen(path);
		split_push(segs, n, cap, path, len);
		path = q ? q + 2 : path + len;
	}
}

static bool is_plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool is_type_name(const char *s)
{
	return *s >= 'A' && *s <= 'Z';
}

static void segs_free(char **segs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(segs[k]);
	free(segs);
}

/*
 * The crate path (segments below the root) that path `p`, written in fn
 * `f` of entry `e`, names: `crate::…`, `self::…`, `super::…`, or a path
 * into a module of the caller's module. False for anything else: another
 * crate, a type's associated fn of a type named alone.
 */
static bool crate_segs(struct cg_crate_cache *cache, struct file_entry *e, const char *module, const char *p,
		       char ***segs, size_t *n)
{
	size_t cap = 0;
	*segs = NULL;
	*n = 0;
	place(cache, e);
	if (!strncmp(p, "crate::", 7)) {
		split_path(segs, n, &cap, p + 7);
	} else if (!strncmp(p, "self::", 6) || !strncmp(p, "super::", 7)) {
		if (!e->modpath)
			return false;
		split_path(segs, n, &cap, e->modpath);
		if (!strncmp(p, "self::", 6))
			p += 6;
		while (!strncmp(p, "super::", 7)) {
			if (!*n)
				goto fail;
			free((*segs)[--*n]);
			p += 7;
		}
		split_path(segs, n, &cap, p);
	} else if (e->modpath && ((p[0] >= 'a' && p[0] <= 'z') || is_type_name(p))) {
		/*
		 * `store::load` names a module of the caller's module when one is
		 * declared there, `Store::load` a type of it; find_module or
		 * find_fn fails otherwise (another crate).
		 */
		split_path(segs, n, &cap, e->modpath);
		if (strcmp(module, "self"))
			split_path(segs, n, &cap, module + 6);
		split_path(segs, n, &cap, p);
	} else {
		return false;
	}
	return true;
fail:
	segs_free(*segs, *n);
	*segs = NULL;
	*n = 0;
	return false;
}

/* How many `pub use` hops a call is followed through. */
#define REEXPORT_MAX 8

/* The fn a call resolves to in the crate; false when it does not resolve. */
static bool resolve_call_at(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e,
			    const struct cg_summary_fn *f, const struct cg_summary_call *c, struct edge *out,
			    int reexports)
{
	char **segs = NULL;
	const char *srcdir, *root, *type = NULL;
	size_t n = 0, nmod;
	const char *p = c->path;
	struct cg_buf inline_path = CG_BUF_INIT;
	bool ok = false;
	long i;

	if (c->kind == CG_CALL_METHOD && !c->recv_trait)
		return false;
	if (c->kind == CG_CALL_METHOD) {
		/* `x.f()` with `x: &dyn T`: T's provided method, as the path call `T::f` finds it. */
		struct cg_summary_call via = *c;
		struct cg_buf tp = CG_BUF_INIT;
		cg_buf_printf(&tp, "%s::%s", c->recv_trait, c->path);
		via.kind = CG_CALL_PATH;
		via.path = tp.ptr;
		via.recv_trait = NULL;
		ok = resolve_call_at(cache, list, e, f, &via, out, reexports) &&
		     out->file->summary.fns[out->fn].is_trait;
		cg_buf_release(&tp);
		return ok;
	}
	if (c->kind == CG_CALL_SELF_METHOD || !strncmp(p, "Self::", 6)) {
		const char *name = c->kind == CG_CALL_SELF_METHOD ? p : p + 6;
		if (!f->impl_type || !entry_load(cache, list, e) || (i = find_fn(e, f->module, f->impl_type, name)) < 0)
			return false;
		*out = (struct edge){ e, (size_t)i };
		return true;
	}
	if (!strstr(p, "::")) {
		if (!entry_load(cache, list, e) || (i = find_fn(e, f->module, NULL, p)) < 0)
			return false;
		*out = (struct edge){ e, (size_t)i };
		return true;
	}
	if (!crate_segs(cache, e, f->module, p, &segs, &n))
		return false;
	/* `Type::f`: an associated fn of an impl in the module that declares the type. */
	nmod = n - 1;
	if (n >= 2 && is_type_name(segs[n - 2])) {
		type = segs[n - 2];
		nmod = n - 2;
	}
	for (size_t k = 0; k < nmod; k++)
		if (!is_plain_name(segs[k]))
			goto done;
	if (!n || !is_plain_name(segs[n - 1]) || !crate_src(cache, e, &srcdir, &root))
		goto done;
	{
		struct file_entry *m = find_module(cache, root, segs, nmod, &inline_path);
		if (!m || !entry_load(cache, list, m))
			goto done;
		if ((i = find_fn(m, inline_path.ptr, type, segs[n - 1])) >= 0) {
			*out = (struct edge){ m, (size_t)i };
			ok = true;
			goto done;
		}
		/* `pub use self::x::helper;` in that module: follow what it names, from there. */
		for (size_t r = 0; !type && reexports < REEXPORT_MAX && r < m->summary.nreexports; r++) {
			const struct cg_summary_reexport *re = &m->summary.reexports[r];
			struct cg_summary_fn at = { 0 };
			struct cg_summary_call via = { 0 };
			if (strcmp(re->name, segs[n - 1]) || strcmp(re->module, inline_path.ptr))
				continue;
			at.module = re->module;
			via.kind = CG_CALL_PATH;
			via.path = re->path;
			ok = resolve_call_at(cache, list, m, &at, &via, out, reexports + 1);
			break;
		}
	}
done:
	segs_free(segs, n);
	cg_buf_release(&inline_path);
	return ok;
}

static bool resolve_call(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e,
			 const struct cg_summary_fn *f, const struct cg_summary_call *c, struct edge *out)
{
	return resolve_call_at(cache, list, e, f, c, out, 0);
}

static void load_edges(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e,
		       size_t fn)
{
	const struct cg_summary_fn *f = &e->summary.fns[fn];
	struct node *nd = &e->nodes[fn];
	nd->has_edges = true;
	entry_bodies(cache, list, e, &fn, 1);
	for (size_t i = 0; i < f->ncalls; i++) {
		struct edge to;
		if (!resolve_call(cache, list, e, f, &f->calls[i], &to))
			continue;
		/* entry_get may grow the file list, never move an entry: nd stays valid. */
		cg_array_grow((void **)&nd->edges, &nd->edges_cap, nd->nedges + 1, sizeof(*nd->edges));
		nd->edges[nd->nedges++] = to;
	}
}

/* Settles whether `start` may block: the fns it reaches that are not settled yet, to a fixpoint. */
static void settle(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct edge start)
{
	struct edge *todo = NULL, *seen = NULL;
	size_t ntodo = 0, todo_cap = 0, nseen = 0, seen_cap = 0;
	bool changed = true;

	if (start.file->nodes[start.fn].state == NODE_DONE)
		return;
	cg_array_grow((void **)&todo, &todo_cap, 1, sizeof(*todo));
	todo[ntodo++] = start;
	start.file->nodes[start.fn].state = NODE_SEEN;
	while (ntodo) {
		struct edge at = todo[--ntodo];
		struct node *nd = &at.file->nodes[at.fn];
		cg_array_grow((void **)&seen, &seen_cap, nseen + 1, sizeof(*seen));
		seen[nseen++] = at;
		/*
		 * Calling an async fn only makes a future: its body runs where it is
		 * awaited, and its own blocking calls are reported in it.
		 */
		if (at.file->summary.fns[at.fn].is_async)
			continue;
		if (!nd->has_edges)
			load_edges(cache, list, at.file, at.fn);
		nd = &at.file->nodes[at.fn];
		if (at.file->summary.fns[at.fn].nblocks) {
			nd->blocks = true;
			nd->reason = NO_EDGE;
		}
		for (size_t i = 0; i < nd->nedges; i++) {
			struct edge to = nd->edges[i];
			if (to.file->nodes[to.fn].state != NODE_NEW)
				continue;
			to.file->nodes[to.fn].state = NODE_SEEN;
			cg_array_grow((void **)&todo, &todo_cap, ntodo + 1, sizeof(*todo));
			todo[ntodo++] = to;
		}
	}
	while (changed) {
		changed = false;
		for (size_t s = 0; s < nseen; s++) {
			struct node *nd = &seen[s].file->nodes[seen[s].fn];
			for (size_t i = 0; !nd->blocks && i < nd->nedges; i++)
				if (nd->edges[i].file->nodes[nd->edges[i].fn].blocks) {
					nd->blocks = true;
					nd->reason = i;
					changed = true;
				}
		}
	}
	for (size_t s = 0; s < nseen; s++)
		seen[s].file->nodes[seen[s].fn].state = NODE_DONE;
	free(todo);
	free(seen);
}

static char *fn_name(const struct cg_summary_fn *f)
{
	struct cg_buf b = CG_BUF_INIT;
	if (f->impl_type)
		cg_buf_printf(&b, "%s::", f->impl_type);
	cg_buf_puts(&b, f->name);
	return cg_buf_detach(&b, NULL);
}

/* cg_callgraph_chain from entry `e`, with the graph locked. */
static bool chain_locked(struct cg_crate_cache *cache, const struct cg_blocking_list *list, struct file_entry *e,
			 const struct cg_summary_fn *caller, const struct cg_summary_call *call, struct cg_chain *out)
{
	struct edge at;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!resolve_call(cache, list, e, caller, call, &at))
		return false;
	settle(cache, list, at);
	if (!at.file->nodes[at.fn].blocks)
		return false;
	for (size_t k = 0; k < CHAIN_MAX; k++) {
		const struct cg_summary_fn *f = &at.file->summary.fns[at.fn];
		const struct node *nd = &at.file->nodes[at.fn];
		struct cg_chain_hop *h;
		if (!out->hops)
			out->hops = cg_calloc(CHAIN_MAX, sizeof(*out->hops));
		h = &out->hops[out->n++];
		h->name = fn_name(f);
		h->path = cg_strdup(at.file->path);
		h->line = f->line;
		if (nd->reason == NO_EDGE) {
			out->what = cg_strdup(f->blocks[0].what);
			out->what_path = cg_strdup(at.file->path);
			out->what_line = f->blocks[0].line;
			ok = true;
			break;
		}
		at = nd->edges[nd->reason];
	}
	if (!ok)
		cg_chain_release(out);
	return ok;
}

bool cg_callgraph_chain(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			const struct cg_summary_fn *caller, const struct cg_summary_call *call, struct cg_chain *out)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	bool ok;

	pthread_mutex_lock(&g->lock);
	ok = chain_locked(cache, list, entry_get(cache, path), caller, call, out);
	pthread_mutex_unlock(&g->lock);
	return ok;
}

void cg_callgraph_lend(const char *path, const struct cg_source *src, const struct cg_rust_file *rf)
{
	lent.path = path;
	lent.src = src;
	lent.rf = rf;
}

const struct cg_summary *cg_callgraph_summary(struct cg_crate_cache *cache, const struct cg_blocking_list *list,
					      const char *path)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	struct file_entry *e;
	bool is_ok;
	pthread_mutex_lock(&g->lock);
	e = entry_get(cache, path);
	/* Every body now: the summary is read outside the lock, so nothing may fill it later. */
	if ((is_ok = entry_load(cache, list, e)))
		entry_all_bodies(cache, list, e);
	pthread_mutex_unlock(&g->lock);
	return is_ok ? &e->summary : NULL;
}

char *cg_callgraph_return_type(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			       const char *module, const char *callee, bool *is_result)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	struct cg_summary_fn in = { 0 };
	struct cg_summary_call c = { 0 };
	struct edge to;
	char *out = NULL;

	*is_result = false;
	in.module = (char *)module;
	c.kind = CG_CALL_PATH;
	c.path = (char *)callee;
	pthread_mutex_lock(&g->lock);
	if (resolve_call(cache, list, entry_get(cache, path), &in, &c, &to) && to.file->summary.fns[to.fn].ret_type) {
		out = cg_strdup(to.file->summary.fns[to.fn].ret_type);
		*is_result = to.file->summary.fns[to.fn].is_ret_result;
	}
	pthread_mutex_unlock(&g->lock);
	return out;
}

static const struct cg_summary_field *find_field(const struct file_entry *e, const char *module, const char *owner,
						 const char *field)
{
	for (size_t i = 0; i < e->summary.nfields; i++) {
		const struct cg_summary_field *f = &e->summary.fields[i];
		if (!strcmp(f->owner, owner) && !strcmp(f->module, module) && !strcmp(f->name, field))
			return f;
	}
	return NULL;
}

/* cg_callgraph_field, with the graph locked; *decl: the entry that declares it. */
static const struct cg_summary_field *field_locked(struct cg_crate_cache *cache, const struct cg_blocking_list *list,
						   const char *path, const char *module, const char *type,
						   const char *field, struct file_entry **decl)
{
	const struct cg_summary_field *out = NULL;
	struct file_entry *e = entry_get(cache, path), *m = NULL;
	struct cg_buf inline_path = CG_BUF_INIT;
	char **segs = NULL;
	size_t n = 0;
	const char *srcdir, *root;

	if (!strstr(type, "::")) {
		if (entry_load(cache, list, e))
			out = find_field(m = e, module, type, field);
	} else if (crate_segs(cache, e, module, type, &segs, &n) && n && crate_src(cache, e, &srcdir, &root)) {
		bool is_plain = true;
		for (size_t k = 0; k + 1 < n; k++)
			is_plain &= is_plain_name(segs[k]);
		if (is_plain && (m = find_module(cache, root, segs, n - 1, &inline_path)) && entry_load(cache, list, m))
			out = find_field(m, inline_path.ptr, segs[n - 1], field);
	}
	*decl = out ? m : NULL;
	segs_free(segs, n);
	cg_buf_release(&inline_path);
	return out;
}

const struct cg_summary_field *cg_callgraph_field(struct cg_crate_cache *cache, const struct cg_blocking_list *list,
						  const char *path, const char *module, const char *type,
						  const char *field, const char **decl_path)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	const struct cg_summary_field *out;
	struct file_entry *m;

	pthread_mutex_lock(&g->lock);
	out = field_locked(cache, list, path, module, type, field, &m);
	*decl_path = out ? m->path : NULL;
	pthread_mutex_unlock(&g->lock);
	return out;
}

char *cg_callgraph_payload(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
			   const char *module, const char *type, const char *variant, unsigned index,
			   const char **decl_path, uint32_t *line)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	const struct cg_summary_field *fd;
	struct cg_buf name = CG_BUF_INIT;
	struct file_entry *m;
	char *out = NULL;

	cg_buf_printf(&name, "%s.%u", variant, index);
	pthread_mutex_lock(&g->lock);
	if ((fd = field_locked(cache, list, path, module, type, name.ptr, &m)) != NULL) {
		const char *t = fd->type;
		*decl_path = m->path;
		*line = fd->line;
		if ((!strstr(t, "::") && is_type_name(t)) || !strncmp(t, "self::", 6) || !strncmp(t, "super::", 7)) {
			/* Named from the enum's module: from the crate root, it means the same from anywhere. */
			char **segs = NULL;
			size_t n = 0;
			if (crate_segs(cache, m, fd->module, t, &segs, &n) && n) {
				struct cg_buf abs = CG_BUF_INIT;
				cg_buf_puts(&abs, "crate");
				for (size_t k = 0; k < n; k++)
					cg_buf_printf(&abs, "::%s", segs[k]);
				out = cg_buf_detach(&abs, NULL);
			}
			segs_free(segs, n);
		} else {
			out = cg_strdup(t);
		}
	}
	pthread_mutex_unlock(&g->lock);
	cg_buf_release(&name);
	return out;
}

void cg_chain_release(struct cg_chain *chain)
{
	for (size_t i = 0; i < chain->n; i++) {
		free(chain->hops[i].name);
		free(chain->hops[i].path);
	}
	free(chain->hops);
	free(chain->what);
	free(chain->what_path);
	memset(chain, 0, sizeof(*chain));
}

/* How many sync fns deep a reverse lookup walks back from the helper. */
#define CALLERS_HOPS_MAX 8

static int list_crate_file(const char *path, void *payload)
{
	struct crate_files *cf = payload;
	/* src/bin/ holds the roots of crates of their own: `crate::` there is not this crate. */
	if (cg_ends_with(path, ".rs") && strncmp(path + cf->skip, "bin/", 4)) {
		cg_array_grow((void **)&cf->paths, &cf->cap, cf->n + 1, sizeof(*cf->paths));
		cf->paths[cf->n++] = cg_strdup(path);
	}
	return 0;
}

struct caller_call {
	struct file_entry *file;
	size_t fn, call;
};

static bool edge_in(const struct edge *edges, size_t from, size_t to, struct edge x)
{
	for (size_t i = from; i < to; i++)
		if (edges[i].file == x.file && edges[i].fn == x.fn)
			return true;
	return false;
}

/* The .rs files of the crate whose src/ is `srcdir`, listed once per run. */
static const struct crate_files *crate_files(struct cg_crate_cache *cache, const char *srcdir)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	struct crate_files *cf;
	struct cg_buf prefix = CG_BUF_INIT;
	for (size_t i = 0; i < g->nlistings; i++)
		if (!strcmp(g->listings[i].srcdir, srcdir))
			return &g->listings[i];
	cg_array_grow((void **)&g->listings, &g->listings_cap, g->nlistings + 1, sizeof(*g->listings));
	cf = &g->listings[g->nlistings++];
	memset(cf, 0, sizeof(*cf));
	cf->srcdir = cg_strdup(srcdir);
	cg_buf_printf(&prefix, "%s/", srcdir);
	cf->skip = prefix.size;
	cg_change_lock(cg_crate__change(cache));
	if (cg_change_list(cg_crate__change(cache), prefix.ptr, list_crate_file, cf) < 0)
		cg_error_clear();
	cg_change_unlock(cg_crate__change(cache));
	cg_buf_release(&prefix);
	return cf;
}

static int caller_cmp(const void *a, const void *b)
{
	const struct cg_async_caller *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/*
 * Walks back from the helper a round at a time: each round reads the
 * crate's files that name a fn the previous round found (the helper first)
 * and keeps the calls that resolve to one of them; a sync caller is walked
 * back from in the next round, an async one is a candidate. The chain then
 * decides, as at the call site, whether the candidate reaches this
 * blocking call and not another one first.
 */
size_t cg_callgraph_async_callers(struct cg_crate_cache *cache, const struct cg_blocking_list *list, const char *path,
				  size_t fn, uint32_t what_line, struct cg_async_caller **out)
{
	struct cg_callgraph *g = cg_crate__callgraph(cache);
	const struct crate_files *files;
	struct edge *targets = NULL;
	struct caller_call *cands = NULL;
	size_t ntargets = 0, targets_cap = 0, ncands = 0, cands_cap = 0, nout = 0, out_cap = 0, from = 0;
	const struct cg_crate *cr;
	const char *srcdir, *root;
	struct file_entry *e;

	*out = NULL;
	pthread_mutex_lock(&g->lock);
	e = entry_get(cache, path);
	place(cache, e);
	if (!entry_load(cache, list, e) || fn >= e->summary.nfns || !e->modpath ||
	    !crate_src(cache, e, &srcdir, &root) || !(cr = cg_crate_of(cache, path)))
		goto done;
	files = crate_files(cache, srcdir);
	cg_array_grow((void **)&targets, &targets_cap, 1, sizeof(*targets));
	targets[ntargets++] = (struct edge){ e, fn };
	for (size_t round = 0; round < CALLERS_HOPS_MAX && from < ntargets; round++) {
		size_t to = ntargets;
		for (size_t i = 0; i < files->n; i++) {
			struct file_entry *fe = entry_get(cache, files->paths[i]);
			bool is_named = false;
			if (!entry_text(cache, fe))
				continue;
			for (size_t t = from; t < to && !is_named; t++) {
				const char *name = targets[t].file->summary.fns[targets[t].fn].name;
				is_named = cg_has_word(fe->text.ptr, fe->text.size, name, strlen(name));
			}
			/* A nested package under src/ is a crate of its own. */
			if (!is_named || cg_crate_of(cache, files->paths[i]) != cr || !entry_load(cache, list, fe))
				continue;
			entry_all_bodies(cache, list, fe);
			for (size_t k = 0; k < fe->summary.nfns; k++) {
				const struct cg_summary_fn *f = &fe->summary.fns[k];
				for (size_t j = 0; !f->is_test && j < f->ncalls; j++) {
					const char *callee = cg_blocking_last_seg(f->calls[j].path);
					bool is_target_name = false;
					struct edge hit;
					for (size_t t = from; t < to && !is_target_name; t++)
						is_target_name = !strcmp(
							callee, targets[t].file->summary.fns[targets[t].fn].name);
					if (!is_target_name || !resolve_call(cache, list, fe, f, &f->calls[j], &hit) ||
					    !edge_in(targets, from, to, hit))
						continue;
					if (f->is_async) {
						/* The rule names the callers of the helper's own file itself. */
						if (fe == e)
							continue;
						cg_array_grow((void **)&cands, &cands_cap, ncands + 1, sizeof(*cands));
						cands[ncands++] = (struct caller_call){ fe, k, j };
					} else if (!edge_in(targets, 0, ntargets, (struct edge){ fe, k })) {
						cg_array_grow((void **)&targets, &targets_cap, ntargets + 1,
							      sizeof(*targets));
						targets[ntargets++] = (struct edge){ fe, k };
					}
				}
			}
		}
		from = to;
	}
	for (size_t i = 0; i < ncands; i++) {
		const struct cg_summary_fn *f = &cands[i].file->summary.fns[cands[i].fn];
		struct cg_chain ch;
		struct cg_async_caller *c;
		if (!chain_locked(cache, list, cands[i].file, f, &f->calls[cands[i].call], &ch))
			continue;
		if (!strcmp(ch.what_path, path) && ch.what_line == what_line) {
			cg_array_grow((void **)out, &out_cap, nout + 1, sizeof(**out));
			c = &(*out)[nout++];
			c->path = cg_strdup(cands[i].file->path);
			c->name = fn_name(f);
			c->line = f->calls[cands[i].call].line;
			c->through = cg_strdup(ch.hops[0].name);
		}
		cg_chain_release(&ch);
	}
	if (nout)
		qsort(*out, nout, sizeof(**out), caller_cmp);
done:
	pthread_mutex_unlock(&g->lock);
	free(targets);
	free(cands);
	return nout;
}

void cg_async_callers_release(struct cg_async_caller *callers, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(callers[i].path);
		free(callers[i].name);
		free(callers[i].through);
	}
	free(callers);
}
