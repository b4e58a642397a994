#define _GNU_SOURCE /* memmem */
#include "crate/modules.h"

#include <stdlib.h>
#include <string.h>

#include "crate/cache.h"
#include "crate/crate_private.h"
#include "syntax/items.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

struct crate_uses {
	char *dir;
	struct cg_buf uses;
};

struct cg_module_files {
	struct cg_module_file **items; /* sorted by path */
	size_t n, cap;
	/*
	 * cg_crate_pub_uses, in the order asked. Pointers: callers keep the
	 * uses they were given while other threads add crates, so an entry
	 * must not move when the array grows.
	 */
	struct crate_uses **crates;
	size_t ncrates, crates_cap;
};

struct cg_module_files *cg_crate__module_files_new(void)
{
	return cg_calloc(1, sizeof(struct cg_module_files));
}

void cg_crate__module_files_free(struct cg_module_files *mf)
{
	if (!mf)
		return;
	for (size_t i = 0; i < mf->n; i++) {
		for (size_t k = 0; k < mf->items[i]->nmods; k++)
			free(mf->items[i]->mods[k].name);
		free(mf->items[i]->mods);
		cg_buf_release(&mf->items[i]->uses);
		free(mf->items[i]->path);
		free(mf->items[i]);
	}
	free(mf->items);
	for (size_t i = 0; i < mf->ncrates; i++) {
		free(mf->crates[i]->dir);
		cg_buf_release(&mf->crates[i]->uses);
		free(mf->crates[i]);
	}
	free(mf->crates);
	free(mf);
}

/* What a module file's entry depends on beyond its bytes: the size bound. */
static uint64_t entry_key(const struct cg_crate_cache *cache)
{
	size_t max = cg_crate__max_file(cache);
	return cg_hash64(&max, sizeof(max), 0);
}

static void encode(struct cg_buf *out, const struct cg_module_file *mf)
{
	cg_buf_putc(out, mf->is_read);
	cg_cache_put_u32(out, (uint32_t)mf->nmods);
	for (size_t i = 0; i < mf->nmods; i++) {
		cg_cache_put_str(out, mf->mods[i].name);
		cg_buf_putc(out, (char)(mf->mods[i].visibility | (mf->mods[i].is_cfg_test ? 0x80 : 0)));
	}
	cg_cache_put_str(out, mf->uses.ptr);
}

static bool decode(struct cg_module_file *mf, const struct cg_buf *raw)
{
	struct cg_cache_reader r = { (const unsigned char *)raw->ptr, (const unsigned char *)raw->ptr + raw->size,
				     false };
	char *uses;
	if (r.p == r.end)
		return false;
	mf->is_read = *r.p++;
	mf->nmods = cg_cache_get_count(&r, 5);
	mf->mods = mf->nmods ? cg_calloc(mf->nmods, sizeof(*mf->mods)) : NULL;
	for (size_t i = 0; i < mf->nmods && !r.is_bad; i++) {
		mf->mods[i].name = cg_cache_get_str(&r);
		if (r.p < r.end) {
			mf->mods[i].is_cfg_test = (*r.p & 0x80) != 0;
			mf->mods[i].visibility = *r.p++ & 0x7f;
		} else {
			r.is_bad = true;
		}
	}
	uses = cg_cache_get_str(&r);
	if (uses)
		cg_buf_puts(&mf->uses, uses);
	free(uses);
	return !r.is_bad;
}

static void module_file_clear(struct cg_module_file *mf)
{
	for (size_t k = 0; k < mf->nmods; k++)
		free(mf->mods[k].name);
	free(mf->mods);
	mf->mods = NULL;
	mf->nmods = 0;
	mf->is_read = false;
	cg_buf_truncate(&mf->uses, 0);
}

/* Reads and scans the file, or its entry back from the disk cache by blob id: a hook reads no unchanged file. */
static void scan(struct cg_crate_cache *cache, struct cg_module_file *mf)
{
	struct cg_disk_cache *disk = cg_crate__disk(cache);
	struct cg_buf text = CG_BUF_INIT, raw = CG_BUF_INIT;
	struct cg_items items = CG_ITEMS_INIT;
	size_t cap = 0;
	git_oid id;
	bool has_id = disk && cg_change_blob_id(cg_crate__change(cache), mf->path, &id);

	if (has_id && cg_disk_cache_get(disk, CG_CACHE_MODULE_FILE, &id, entry_key(cache), &raw)) {
		bool ok = decode(mf, &raw);
		cg_buf_release(&raw);
		if (ok)
			return;
		module_file_clear(mf);
	}
	if (!cg_crate__read_file(cache, mf->path, &text))
		return;
	if (cg_items_scan_expanded(&items, text.ptr, text.size) == 0) {
		mf->is_read = true;
		for (size_t i = 0; i < items.n; i++) {
			const struct cg_item *it = &items.items[i];
			uint32_t up = it->parent;
			/* `cfg_net! { mod tcp; }` declares tcp where the macro call stands. */
			while (up != CG_ITEM_TOP && items.items[up].kind == CG_ITEM_OTHER)
				up = items.items[up].parent;
			if (it->kind == CG_ITEM_MOD_DECL && up == CG_ITEM_TOP && it->name_len) {
				cg_array_grow((void **)&mf->mods, &cap, mf->nmods + 1, sizeof(*mf->mods));
				mf->mods[mf->nmods++] =
					(struct cg_module_decl){ cg_strndup(text.ptr + it->name, it->name_len),
								 it->visibility, it->is_cfg_test };
			} else if (it->kind == CG_ITEM_USE && it->visibility == 2) {
				cg_buf_put(&mf->uses, text.ptr + it->decl, it->end - it->decl);
				cg_buf_putc(&mf->uses, '\n');
			}
		}
		if (has_id) {
			encode(&raw, mf);
			cg_disk_cache_put(disk, CG_CACHE_MODULE_FILE, &id, entry_key(cache), raw.ptr, raw.size);
		}
	}
	cg_error_clear();
	cg_buf_release(&raw);
	cg_items_release(&items);
	cg_buf_release(&text);
}

const struct cg_module_file *cg_crate_module_file(struct cg_crate_cache *cache, const char *path)
{
	struct cg_module_files *files = cg_crate__module_files(cache);
	struct cg_module_file *mf;
	size_t lo = 0, hi;

	cg_change_lock(cg_crate__change(cache));
	hi = files->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(files->items[mid]->path, path);
		if (!c) {
			mf = files->items[mid];
			goto done;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	mf = cg_calloc(1, sizeof(*mf));
	mf->path = cg_strdup(path);
	cg_buf_init(&mf->uses);
	scan(cache, mf);
	cg_array_grow((void **)&files->items, &files->cap, files->n + 1, sizeof(*files->items));
	memmove(&files->items[lo + 1], &files->items[lo], (files->n - lo) * sizeof(*files->items));
	files->items[lo] = mf;
	files->n++;
done:
	cg_change_unlock(cg_crate__change(cache));
	return mf;
}

int cg_module_file_decl(const struct cg_module_file *mf, const char *name, size_t len)
{
	int vis = 0;
	for (size_t i = 0; i < mf->nmods && vis < 2; i++)
		if (strlen(mf->mods[i].name) == len && !memcmp(mf->mods[i].name, name, len))
			vis = mf->mods[i].visibility == 2 ? 2 : 1;
	return vis;
}

bool cg_module_file_decl_is_test(const struct cg_module_file *mf, const char *name, size_t len)
{
	bool found = false, all_test = true;
	for (size_t i = 0; i < mf->nmods; i++) {
		if (strlen(mf->mods[i].name) != len || memcmp(mf->mods[i].name, name, len))
			continue;
		found = true;
		all_test = all_test && mf->mods[i].is_cfg_test;
	}
	return found && all_test;
}

bool cg_crate_module_way(struct cg_crate_cache *cache, const struct cg_crate *cr, const char *path,
			 cg_module_step_fn step, void *payload)
{
	const struct cg_change *change = cg_crate__change(cache);
	const char *lib = cr->manifest.lib_path ? cr->manifest.lib_path : "src/lib.rs", *slash, *rel;
	struct cg_buf dir = CG_BUF_INIT, parent = CG_BUF_INIT;
	bool is_below = false;
	size_t n;

	if (cg_starts_with(lib, "./"))
		lib += 2;
	slash = strrchr(lib, '/');
	cg_buf_printf(&dir, "%s%s%.*s", cr->dir, *cr->dir ? "/" : "", slash ? (int)(slash - lib + 1) : 0, lib);
	if (!cg_starts_with(path, dir.ptr) || !cg_ends_with(path, ".rs"))
		goto done;
	rel = path + dir.size;
	if (!strcmp(rel, slash ? slash + 1 : lib) || !strcmp(rel, "main.rs"))
		goto done;
	is_below = true;
	/* a/b/c.rs (or a/b/c/mod.rs) is `mod c;` in a/b.rs or a/b/mod.rs; `mod a;` in the crate root. */
	n = strlen(rel) - 3 - (cg_ends_with(rel, "/mod.rs") ? 4 : 0);
	while (n) {
		size_t start = n;
		while (start && rel[start - 1] != '/')
			start--;
		cg_buf_truncate(&parent, 0);
		if (!start) {
			cg_buf_printf(&parent, "%s%s%s", cr->dir, *cr->dir ? "/" : "", lib);
		} else {
			cg_buf_printf(&parent, "%s%.*s.rs", dir.ptr, (int)(start - 1), rel);
			if (!cg_change_exists(change, parent.ptr)) {
				cg_buf_truncate(&parent, 0);
				cg_buf_printf(&parent, "%s%.*s/mod.rs", dir.ptr, (int)(start - 1), rel);
			}
		}
		if (!step(rel + start, n - start, cg_crate_module_file(cache, parent.ptr), payload))
			break;
		n = start ? start - 1 : 0;
	}
done:
	cg_buf_release(&dir);
	cg_buf_release(&parent);
	return is_below;
}

static bool test_step(const char *name, size_t len, const struct cg_module_file *parent, void *payload)
{
	bool *is_test = payload;
	*is_test = cg_module_file_decl_is_test(parent, name, len);
	return !*is_test && cg_module_file_decl(parent, name, len) != 0;
}

bool cg_crate_file_is_cfg_test(struct cg_crate_cache *cache, const char *path)
{
	const struct cg_crate *cr = cg_crate_of(cache, path);
	bool is_test = false;
	if (cr)
		cg_crate_module_way(cache, cr, path, test_step, &is_test);
	return is_test;
}

struct listing {
	char **paths;
	size_t n, cap;
};

static int list_rs(const char *path, void *payload)
{
	struct listing *l = payload;
	if (cg_ends_with(path, ".rs")) {
		cg_array_grow((void **)&l->paths, &l->cap, l->n + 1, sizeof(*l->paths));
		l->paths[l->n++] = cg_strdup(path);
	}
	return 0;
}

/*
 * Each `pub use …;` of `text` onto `uses`, a line each, found by its words
 * alone, not a scan: one in a comment or a string is taken too, which at
 * worst makes something private look re-exported (unsure is reported).
 */
static void add_pub_uses(struct cg_buf *uses, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *hit;
	while ((hit = memmem(p, (size_t)(end - p), "pub use ", 8)) != NULL) {
		const char *semi = memchr(hit, ';', (size_t)(end - hit));
		p = hit + 8;
		if (hit > text && cg_is_ident_byte(hit[-1]))
			continue;
		if (!semi)
			break;
		cg_buf_put(uses, hit, (size_t)(semi - hit + 1));
		cg_buf_putc(uses, '\n');
		p = semi + 1;
	}
}

/* Each capitalized identifier of [p, end) as `// exposed T;`, a line each. */
static void add_type_words(struct cg_buf *out, const char *p, const char *end)
{
	while (p < end) {
		const char *w = p;
		if (!cg_is_ident_byte(*p)) {
			p++;
			continue;
		}
		while (p < end && cg_is_ident_byte(*p))
			p++;
		if (*w >= 'A' && *w <= 'Z' && !(p - w == 4 && !memcmp(w, "Self", 4)))
			cg_buf_printf(out, "// exposed %.*s;\n", (int)(p - w), w);
	}
}

/*
 * The types a crate hands out beyond its `pub use`s: those named in the
 * return type of a `pub fn` or of a pub trait's fn, and in a `pub` field's
 * type (qdrant's TokenSet comes out of `FullTextIndexRead::parse_tokenset`,
 * tokio-stream's Throttle out of `StreamExt::throttle`). A user holds such a
 * value and can call its pub methods though its module is private. Written
 * as `// exposed T;` lines, which the pub-use reading takes as T brought out.
 */
static void add_exposed_types(struct cg_buf *out, const char *text, size_t len)
{
	struct cg_items items = CG_ITEMS_INIT;
	if (cg_items_scan(&items, text, len) < 0) {
		cg_error_clear();
		return;
	}
	for (size_t i = 0; i < items.n; i++) {
		const struct cg_item *it = &items.items[i];
		const struct cg_item *up = it->parent == CG_ITEM_TOP ? NULL : &items.items[it->parent];
		const char *sig = text + it->decl, *sig_end = text + (it->has_body ? it->body - 1 : it->end);
		if (it->kind == CG_ITEM_FN &&
		    (it->visibility == 2 || (up && up->kind == CG_ITEM_TRAIT && up->visibility == 2))) {
			const char *open = memchr(sig, '(', (size_t)(sig_end - sig)), *arrow;
			size_t depth = 0;
			for (arrow = open; arrow && arrow < sig_end; arrow++) {
				if (*arrow == '(')
					depth++;
				else if (*arrow == ')' && --depth == 0)
					break;
			}
			arrow = arrow && arrow < sig_end ? memmem(arrow, (size_t)(sig_end - arrow), "->", 2) : NULL;
			if (arrow) {
				const char *where = memmem(arrow, (size_t)(sig_end - arrow), " where", 6);
				add_type_words(out, arrow + 2, where ? where : sig_end);
			}
		} else if (it->kind == CG_ITEM_TYPE && it->has_body && it->visibility == 2) {
			/* `pub name: Type,` among the fields. */
			const char *f = text + it->body, *fend = text + it->end;
			while ((f = memmem(f, (size_t)(fend - f), "pub ", 4)) != NULL) {
				const char *colon = f + 4, *stop;
				size_t angle = 0;
				while (colon < fend && (cg_is_ident_byte(*colon) || *colon == ' '))
					colon++;
				f += 4;
				if (colon >= fend || *colon != ':' || (colon + 1 < fend && colon[1] == ':'))
					continue;
				for (stop = colon + 1; stop < fend && !((*stop == ',' || *stop == '}') && !angle);
				     stop++) {
					if (*stop == '<')
						angle++;
					else if (*stop == '>' && angle)
						angle--;
				}
				add_type_words(out, colon + 1, stop);
				f = stop;
			}
		}
	}
	cg_items_release(&items);
}

/* One file's part of a crate's pub uses, as kept in its CG_CACHE_CRATE_USES entry. */
struct file_uses {
	char *path;
	git_oid id;
	char *uses;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The crate entry's files, in path order; 0 when there is none or it does not read back. */
static size_t read_crate_entry(struct cg_disk_cache *disk, const git_oid *key, uint64_t config, struct file_uses **out)
{
	struct cg_buf raw = CG_BUF_INIT;
	struct cg_cache_reader r;
	size_t n = 0;
	*out = NULL;
	if (!cg_disk_cache_get(disk, CG_CACHE_CRATE_USES, key, config, &raw))
		goto done;
	r = (struct cg_cache_reader){ (const unsigned char *)raw.ptr, (const unsigned char *)raw.ptr + raw.size,
				      false };
	n = cg_cache_get_count(&r, 2 + GIT_OID_RAWSZ);
	*out = n ? cg_calloc(n, sizeof(**out)) : NULL;
	for (size_t i = 0; i < n && !r.is_bad; i++) {
		(*out)[i].path = cg_cache_get_str(&r);
		if ((size_t)(r.end - r.p) < GIT_OID_RAWSZ) {
			r.is_bad = true;
			break;
		}
		memcpy((*out)[i].id.id, r.p, GIT_OID_RAWSZ);
		r.p += GIT_OID_RAWSZ;
		(*out)[i].uses = cg_cache_get_str(&r);
		r.is_bad |= !(*out)[i].path || !(*out)[i].uses;
	}
	if (r.is_bad) {
		for (size_t i = 0; i < n; i++) {
			free((*out)[i].path);
			free((*out)[i].uses);
		}
		free(*out);
		*out = NULL;
		n = 0;
	}
done:
	cg_buf_release(&raw);
	return n;
}

/*
 * One file's pub uses: from the crate entry when its blob is the one the
 * entry saw, else from the file's own entry by blob id, else read.
 */
static void file_pub_uses(struct cg_crate_cache *cache, const char *path, const git_oid *id, bool has_id,
			  const struct file_uses *known, struct cg_buf *out)
{
	struct cg_disk_cache *disk = cg_crate__disk(cache);
	struct cg_buf text = CG_BUF_INIT;
	if (known && has_id && git_oid_equal(&known->id, id)) {
		cg_buf_puts(out, known->uses);
	} else if (has_id && disk && cg_disk_cache_get(disk, CG_CACHE_PUB_USES, id, entry_key(cache), out)) {
		;
	} else if (cg_crate__read_file(cache, path, &text)) {
		add_pub_uses(out, text.ptr, text.size);
		add_exposed_types(out, text.ptr, text.size);
		if (has_id && disk)
			cg_disk_cache_put(disk, CG_CACHE_PUB_USES, id, entry_key(cache), out->ptr ? out->ptr : "",
					  out->size);
	}
	cg_buf_release(&text);
}

/*
 * The crate's pub uses come back from one entry of the disk cache, keyed by
 * the crate's folder and checked file by file against the blob ids the
 * index holds: a hook reads that entry and the files it changed, not one
 * entry per file of the crate (2,000 reads on one Debian crate: 33 ms of a
 * 37 ms hook).
 */
const struct cg_buf *cg_crate_pub_uses(struct cg_crate_cache *cache, const char *dir)
{
	struct cg_module_files *files = cg_crate__module_files(cache);
	const struct cg_change *change = cg_crate__change(cache);
	struct cg_disk_cache *disk = cg_crate__disk(cache);
	struct listing l = { 0 };
	struct crate_uses *cu = NULL;
	struct file_uses *known = NULL;
	struct cg_buf entry = CG_BUF_INIT, keytext = CG_BUF_INIT;
	size_t nknown = 0, k = 0;
	bool is_stale;
	git_oid key;

	cg_change_lock(change);
	for (size_t i = 0; i < files->ncrates && !cu; i++)
		if (!strcmp(files->crates[i]->dir, dir))
			cu = files->crates[i];
	if (cu)
		goto done;
	cg_array_grow((void **)&files->crates, &files->crates_cap, files->ncrates + 1, sizeof(*files->crates));
	cu = files->crates[files->ncrates++] = cg_calloc(1, sizeof(*cu));
	cu->dir = cg_strdup(dir);
	cg_buf_init(&cu->uses);
	if (cg_change_list(change, dir, list_rs, &l) < 0)
		cg_error_clear();
	if (l.n) /* qsort's base may not be NULL, even for no element */
		qsort(l.paths, l.n, sizeof(*l.paths), cmp_str);
	cg_buf_printf(&keytext, "crabgate crate pub uses\n%s", dir);
	if (disk && git_odb_hash(&key, keytext.ptr, keytext.size, GIT_OBJECT_BLOB) == 0)
		nknown = read_crate_entry(disk, &key, entry_key(cache), &known);
	is_stale = nknown != l.n;
	cg_cache_put_u32(&entry, (uint32_t)l.n);
	for (size_t i = 0; i < l.n; i++) {
		struct cg_buf raw = CG_BUF_INIT;
		git_oid id;
		bool has_id = cg_change_blob_id(change, l.paths[i], &id);
		const struct file_uses *match = NULL;
		while (k < nknown && strcmp(known[k].path, l.paths[i]) < 0)
			k++;
		if (k < nknown && !strcmp(known[k].path, l.paths[i]))
			match = &known[k];
		is_stale |= !match || !has_id || !git_oid_equal(&match->id, &id);
		file_pub_uses(cache, l.paths[i], &id, has_id, match, &raw);
		cg_buf_put(&cu->uses, raw.ptr, raw.size);
		cg_cache_put_str(&entry, l.paths[i]);
		if (!has_id)
			memset(&id, 0, sizeof(id)); /* no blob id: never matches, read again next time */
		cg_buf_put(&entry, (const char *)id.id, GIT_OID_RAWSZ);
		cg_cache_put_str(&entry, raw.ptr ? raw.ptr : "");
		cg_buf_release(&raw);
		free(l.paths[i]);
	}
	if (disk && is_stale && keytext.size)
		cg_disk_cache_put(disk, CG_CACHE_CRATE_USES, &key, entry_key(cache), entry.ptr, entry.size);
	for (size_t i = 0; i < nknown; i++) {
		free(known[i].path);
		free(known[i].uses);
	}
	free(known);
	free(l.paths);
done:
	cg_change_unlock(change);
	cg_buf_release(&entry);
	cg_buf_release(&keytext);
	return &cu->uses;
}
