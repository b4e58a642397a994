/* Cargo manifests, lockfiles and the crate model, read once per run. */
#include "syntax/cargo.h"

#include <stdlib.h>
#include <string.h>

#include "syntax/toml.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* Manifests and bench files bigger than this are not Cargo's business. */
#define CARGO_MAX_FILE (8u * 1024 * 1024)

/* --- positions --- */

static struct cg_cargo_pos pos_of(TSNode node)
{
	TSPoint s = ts_node_start_point(node), e = ts_node_end_point(node);
	struct cg_cargo_pos p = { s.row + 1, s.column + 1, e.row + 1, e.column + 1 };
	/* A table ends at the start of the next line: that line is not part of it. */
	if (e.column == 0 && e.row > s.row) {
		p.end_line = e.row;
		p.end_column = 1;
	}
	return p;
}

/* A table from its header to its last key (not the blank lines and comments after it). */
static struct cg_cargo_pos table_pos(TSNode table)
{
	struct cg_cargo_pos p = pos_of(table);
	for (uint32_t i = ts_node_named_child_count(table); i-- > 0;) {
		TSNode last = ts_node_named_child(table, i);
		if (cg_node_type_is(last, "comment"))
			continue;
		struct cg_cargo_pos q = pos_of(last);
		p.end_line = q.end_line;
		p.end_column = q.end_column;
		break;
	}
	return p;
}

static void pos_extend(struct cg_cargo_pos *p, struct cg_cargo_pos q)
{
	if (!p->line) {
		*p = q;
		return;
	}
	if (q.line < p->line || (q.line == p->line && q.column < p->column)) {
		p->line = q.line;
		p->column = q.column;
	}
	if (q.end_line > p->end_line || (q.end_line == p->end_line && q.end_column > p->end_column)) {
		p->end_line = q.end_line;
		p->end_column = q.end_column;
	}
}

/* --- manifests --- */

static void add_str(char ***arr, size_t *n, size_t *cap, const char *s)
{
	cg_array_grow((void **)arr, cap, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = cg_strdup(s);
}

static void add_cstr(struct cg_cargo_str **arr, size_t *n, size_t *cap, const char *s, struct cg_cargo_pos pos)
{
	cg_array_grow((void **)arr, cap, *n + 1, sizeof(**arr));
	(*arr)[*n].text = cg_strdup(s);
	(*arr)[*n].pos = pos;
	(*n)++;
}

static char *string_of(const struct cg_source *src, TSNode value)
{
	struct cg_buf b = CG_BUF_INIT;
	if (ts_node_is_null(value) || !cg_node_type_is(value, "string"))
		return NULL;
	cg_toml_string(src, value, &b);
	return cg_buf_detach(&b, NULL);
}

/* Calls `fn` for each string of an array value. */
static void each_string(const struct cg_source *src, TSNode array,
			void (*fn)(void *, const char *, struct cg_cargo_pos), void *payload)
{
	if (ts_node_is_null(array) || !cg_node_type_is(array, "array"))
		return;
	for (uint32_t i = 0; i < ts_node_named_child_count(array); i++) {
		TSNode s = ts_node_named_child(array, i);
		char *text = string_of(src, s);
		if (text)
			fn(payload, text, pos_of(s));
		free(text);
	}
}

static const struct {
	const char *name;
	enum cg_dep_kind kind;
} dep_tables[] = {
	{ "dependencies", CG_DEP_NORMAL },	{ "dev-dependencies", CG_DEP_DEV },
	{ "dev_dependencies", CG_DEP_DEV },	{ "build-dependencies", CG_DEP_BUILD },
	{ "build_dependencies", CG_DEP_BUILD },
};

static bool dep_table_kind(const char *name, enum cg_dep_kind *kind)
{
	for (size_t i = 0; i < sizeof(dep_tables) / sizeof(dep_tables[0]); i++) {
		if (!strcmp(name, dep_tables[i].name)) {
			*kind = dep_tables[i].kind;
			return true;
		}
	}
	return false;
}

struct parse_state {
	struct cg_manifest *m;
	const struct cg_source *src;
	uint32_t bench_table; /* table_index of the last [[bench]] element */
	/*
	 * Open addressing over m->deps by (kind, workspace, target, key): one
	 * lookup per key of every dependency table, so a manifest of 100,000
	 * dependencies (1 MB) costs 100,000 lookups, not 5 billion compares.
	 * Slots hold index + 1; 0 is empty.
	 */
	size_t *dep_slots, dep_cap;
};

static uint64_t dep_hash(enum cg_dep_kind kind, const char *target, bool ws, const char *key)
{
	uint64_t h = cg_hash64(key, strlen(key), (uint64_t)kind * 2 + ws);
	return target ? cg_hash64(target, strlen(target), h) : h;
}

static void dep_index(struct parse_state *st, size_t i)
{
	const struct cg_cargo_dep *d = &st->m->deps[i];
	size_t k = (size_t)dep_hash(d->kind, d->target, d->is_workspace_decl, d->key) & (st->dep_cap - 1);
	while (st->dep_slots[k])
		k = (k + 1) & (st->dep_cap - 1);
	st->dep_slots[k] = i + 1;
}

static struct cg_cargo_dep *find_dep(struct parse_state *st, enum cg_dep_kind kind, const char *target, bool ws,
				     const char *key, const char *table)
{
	struct cg_manifest *m = st->m;
	struct cg_cargo_dep *d;
	size_t k;

	if ((m->ndeps + 1) * 2 > st->dep_cap) {
		free(st->dep_slots);
		st->dep_cap = st->dep_cap ? st->dep_cap * 2 : 64;
		st->dep_slots = cg_calloc(st->dep_cap, sizeof(*st->dep_slots));
		for (size_t i = 0; i < m->ndeps; i++)
			dep_index(st, i);
	}
	for (k = (size_t)dep_hash(kind, target, ws, key) & (st->dep_cap - 1); st->dep_slots[k];
	     k = (k + 1) & (st->dep_cap - 1)) {
		d = &m->deps[st->dep_slots[k] - 1];
		if (d->kind == kind && d->is_workspace_decl == ws && cg_str_eq(d->target, target) &&
		    !strcmp(d->key, key))
			return d;
	}
	cg_array_grow((void **)&m->deps, &m->deps_cap, m->ndeps + 1, sizeof(*m->deps));
	d = &m->deps[m->ndeps++];
	memset(d, 0, sizeof(*d));
	d->key = cg_strdup(key);
	d->kind = kind;
	d->target = cg_strdup(target);
	d->is_workspace_decl = ws;
	d->table = cg_strdup(table);
	st->dep_slots[k] = m->ndeps;
	return d;
}

static void add_dep_feature(void *payload, const char *text, struct cg_cargo_pos pos)
{
	struct cg_cargo_dep *d = payload;
	add_cstr(&d->features, &d->nfeatures, &d->features_cap, text, pos);
}

static void add_feature_item(void *payload, const char *text, struct cg_cargo_pos pos)
{
	struct cg_cargo_feature *f = payload;
	add_cstr(&f->items, &f->nitems, &f->items_cap, text, pos);
}

static void add_member(void *payload, const char *text, struct cg_cargo_pos pos)
{
	struct cg_manifest *m = payload;
	(void)pos;
	add_str(&m->members, &m->nmembers, &m->members_cap, text);
}

static void add_exclude(void *payload, const char *text, struct cg_cargo_pos pos)
{
	struct cg_manifest *m = payload;
	(void)pos;
	add_str(&m->exclude, &m->nexclude, &m->exclude_cap, text);
}

/* The position of an entry: the header line for a header, else the top-level pair. */
static struct cg_cargo_pos entry_pos(const struct cg_toml_entry *e)
{
	if (ts_node_is_null(e->value)) {
		/* `[dependencies.chrono]`: from the opening bracket to the end of the key. */
		struct cg_cargo_pos p = pos_of(e->table);
		struct cg_cargo_pos k = pos_of(e->outer);
		p.end_line = k.end_line;
		p.end_column = k.end_column + (e->is_array_element ? 2 : 1);
		return p;
	}
	return pos_of(e->outer);
}

static void manifest_dep_entry(struct parse_state *st, const struct cg_toml_entry *e, enum cg_dep_kind kind,
			       const char *target, bool ws, size_t name_at)
{
	struct cg_manifest *m = st->m;
	struct cg_buf table = CG_BUF_INIT;
	struct cg_cargo_dep *d;
	const char *field;

	if (e->nparts <= name_at) {
		/* The table itself: [dev-dependencies] is where a bench dependency goes. */
		if (kind == CG_DEP_DEV && !target && !ws && ts_node_is_null(e->value) && !m->dev_deps_pos.line)
			m->dev_deps_pos = table_pos(e->table);
		return;
	}
	for (size_t i = 0; i < name_at; i++)
		cg_buf_printf(&table, "%s%s", i ? "." : "", e->parts[i]);
	d = find_dep(st, kind, target, ws, e->parts[name_at], table.ptr);
	cg_buf_release(&table);
	pos_extend(&d->pos, entry_pos(e));
	if (ts_node_is_null(e->value) || e->nparts != name_at + 2)
		return;
	field = e->parts[name_at + 1];
	if (!strcmp(field, "package")) {
		free(d->package);
		d->package = string_of(st->src, e->value);
	} else if (!strcmp(field, "path")) {
		free(d->path);
		d->path = string_of(st->src, e->value);
	} else if (!strcmp(field, "features")) {
		each_string(st->src, e->value, add_dep_feature, d);
	} else if (!strcmp(field, "optional")) {
		cg_toml_bool(st->src, e->value, &d->is_optional);
	} else if (!strcmp(field, "workspace")) {
		cg_toml_bool(st->src, e->value, &d->is_inherited);
	}
}

static int manifest_entry(const struct cg_toml_entry *e, void *payload)
{
	struct parse_state *st = payload;
	struct cg_manifest *m = st->m;
	const char *p0 = e->nparts ? e->parts[0] : "";
	enum cg_dep_kind kind;

	if (dep_table_kind(p0, &kind)) {
		manifest_dep_entry(st, e, kind, NULL, false, 1);
	} else if (!strcmp(p0, "target") && e->nparts >= 3 && dep_table_kind(e->parts[2], &kind)) {
		manifest_dep_entry(st, e, kind, e->parts[1], false, 3);
	} else if (!strcmp(p0, "workspace")) {
		m->has_workspace = true;
		if (e->nparts >= 2 && !strcmp(e->parts[1], "dependencies"))
			manifest_dep_entry(st, e, CG_DEP_NORMAL, NULL, true, 2);
		else if (e->nparts == 2 && !strcmp(e->parts[1], "members"))
			each_string(st->src, e->value, add_member, m);
		else if (e->nparts == 2 && !strcmp(e->parts[1], "exclude"))
			each_string(st->src, e->value, add_exclude, m);
	} else if (!strcmp(p0, "package")) {
		m->has_package = true;
		if (e->nparts == 1 && ts_node_is_null(e->value) && !m->package_pos.line)
			m->package_pos = table_pos(e->table);
		if (e->nparts == 2 && !strcmp(e->parts[1], "name")) {
			free(m->package_name);
			m->package_name = string_of(st->src, e->value);
		} else if (e->nparts == 2 && !strcmp(e->parts[1], "autobenches")) {
			cg_toml_bool(st->src, e->value, &m->autobenches);
		}
	} else if (!strcmp(p0, "lib")) {
		m->has_lib = true;
		if (e->nparts == 2 && !strcmp(e->parts[1], "path")) {
			free(m->lib_path);
			m->lib_path = string_of(st->src, e->value);
		}
	} else if (!strcmp(p0, "features") && e->nparts == 2 && !ts_node_is_null(e->value)) {
		struct cg_cargo_feature *f;
		cg_array_grow((void **)&m->features, &m->features_cap, m->nfeatures + 1, sizeof(*m->features));
		f = &m->features[m->nfeatures++];
		memset(f, 0, sizeof(*f));
		f->name = cg_strdup(e->parts[1]);
		f->pos = pos_of(e->outer);
		each_string(st->src, e->value, add_feature_item, f);
	} else if (!strcmp(p0, "bench") && e->is_array_element && e->nheader == 1) {
		struct cg_cargo_bench *b;
		if (ts_node_is_null(e->value)) {
			cg_array_grow((void **)&m->benches, &m->benches_cap, m->nbenches + 1, sizeof(*m->benches));
			b = &m->benches[m->nbenches++];
			memset(b, 0, sizeof(*b));
			b->pos = table_pos(e->table);
			st->bench_table = e->table_index;
			return 0;
		}
		if (!m->nbenches || st->bench_table != e->table_index || e->nparts != 2)
			return 0;
		b = &m->benches[m->nbenches - 1];
		if (!strcmp(e->parts[1], "name")) {
			free(b->name);
			b->name = string_of(st->src, e->value);
		} else if (!strcmp(e->parts[1], "path")) {
			free(b->path);
			b->path = string_of(st->src, e->value);
		} else if (!strcmp(e->parts[1], "harness")) {
			b->has_harness = cg_toml_bool(st->src, e->value, &b->harness);
		}
	}
	return 0;
}

void cg_manifest_parse(struct cg_manifest *out, const struct cg_source *src)
{
	struct parse_state st = { out, src, 0, NULL, 0 };
	memset(out, 0, sizeof(*out));
	out->autobenches = true;
	cg_toml_each(src, manifest_entry, &st);
	free(st.dep_slots);
}

static void free_strs(char **arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i]);
	free(arr);
}

static void free_cstrs(struct cg_cargo_str *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i].text);
	free(arr);
}

void cg_manifest_release(struct cg_manifest *m)
{
	free(m->package_name);
	free(m->lib_path);
	free_strs(m->members, m->nmembers);
	free_strs(m->exclude, m->nexclude);
	for (size_t i = 0; i < m->ndeps; i++) {
		struct cg_cargo_dep *d = &m->deps[i];
		free(d->key);
		free(d->package);
		free(d->target);
		free(d->table);
		free(d->path);
		free_cstrs(d->features, d->nfeatures);
	}
	free(m->deps);
	for (size_t i = 0; i < m->nfeatures; i++) {
		free(m->features[i].name);
		free_cstrs(m->features[i].items, m->features[i].nitems);
	}
	free(m->features);
	for (size_t i = 0; i < m->nbenches; i++) {
		free(m->benches[i].name);
		free(m->benches[i].path);
	}
	free(m->benches);
	memset(m, 0, sizeof(*m));
}

const char *cg_cargo_dep_crate(const struct cg_cargo_dep *dep)
{
	return dep->package && *dep->package ? dep->package : dep->key;
}

/* --- lockfiles --- */

struct lock_state {
	struct cg_lockfile *lock;
	const struct cg_source *src;
	uint32_t table; /* table_index of the current [[package]] */
};

static void add_lock_dep(void *payload, const char *text, struct cg_cargo_pos pos)
{
	struct cg_lock_package *p = payload;
	const char *sp = strchr(text, ' ');
	char *name = cg_strndup(text, sp ? (size_t)(sp - text) : strlen(text));
	(void)pos;
	cg_array_grow((void **)&p->deps, &p->deps_cap, p->ndeps + 1, sizeof(*p->deps));
	p->deps[p->ndeps++] = name;
}

static int lock_entry(const struct cg_toml_entry *e, void *payload)
{
	struct lock_state *st = payload;
	struct cg_lockfile *lock = st->lock;
	struct cg_lock_package *p;

	if (!e->is_array_element || e->nheader != 1 || strcmp(e->parts[0], "package"))
		return 0;
	if (ts_node_is_null(e->value)) {
		cg_array_grow((void **)&lock->packages, &lock->packages_cap, lock->npackages + 1,
			      sizeof(*lock->packages));
		p = &lock->packages[lock->npackages++];
		memset(p, 0, sizeof(*p));
		st->table = e->table_index;
		return 0;
	}
	if (!lock->npackages || st->table != e->table_index || e->nparts != 2)
		return 0;
	p = &lock->packages[lock->npackages - 1];
	if (!strcmp(e->parts[1], "name")) {
		free(p->name);
		p->name = string_of(st->src, e->value);
		p->name_pos = pos_of(e->outer);
	} else if (!strcmp(e->parts[1], "version")) {
		free(p->version);
		p->version = string_of(st->src, e->value);
	} else if (!strcmp(e->parts[1], "dependencies")) {
		each_string(st->src, e->value, add_lock_dep, p);
	}
	return 0;
}

void cg_lockfile_parse(struct cg_lockfile *out, const struct cg_source *src)
{
	struct lock_state st = { out, src, 0 };
	memset(out, 0, sizeof(*out));
	cg_toml_each(src, lock_entry, &st);
}

void cg_lockfile_release(struct cg_lockfile *lock)
{
	for (size_t i = 0; i < lock->npackages; i++) {
		free(lock->packages[i].name);
		free(lock->packages[i].version);
		free_strs(lock->packages[i].deps, lock->packages[i].ndeps);
	}
	free(lock->packages);
	memset(lock, 0, sizeof(*lock));
}

/* --- paths --- */

char *cg_cargo_join(const char *crate_dir, const char *rel)
{
	struct cg_buf in = CG_BUF_INIT, out = CG_BUF_INIT;
	char *result = NULL;

	if (rel[0] == '/')
		goto done; /* absolute paths point outside the repository */
	if (*crate_dir)
		cg_buf_printf(&in, "%s/%s", crate_dir, rel);
	else
		cg_buf_puts(&in, rel);
	for (const char *p = in.ptr; *p;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if ((len == 1 && p[0] == '.') || len == 0) {
			/* "./" and "//" add nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *last;
			if (!out.size)
				goto done;
			last = strrchr(out.ptr, '/');
			cg_buf_truncate(&out, last ? (size_t)(last - out.ptr) : 0);
		} else {
			if (out.size)
				cg_buf_putc(&out, '/');
			cg_buf_put(&out, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	result = cg_buf_detach(&out, NULL);
done:
	cg_buf_release(&in);
	cg_buf_release(&out);
	return result;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? cg_strndup(path, (size_t)(slash - path)) : cg_strdup("");
}

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

struct cg_cargo_cache {
	const struct cg_change *change;
	struct dir_map manifests; /* folder -> the manifest in it */
	struct dir_map owners;	  /* folder -> the package its files belong to */
	struct cg_crate **crates; /* owned */
	size_t ncrates, crates_cap;
	bool has_manifest_list;
	char **manifest_dirs; /* folders of every Cargo.toml at the new revision, sorted */
	size_t nmanifest_dirs, manifest_dirs_cap;
	size_t max_file; /* the most bytes a manifest, lockfile or bench file read may have */
};

struct cg_cargo_cache *cg_cargo_cache_new(const struct cg_change *change)
{
	struct cg_cargo_cache *c = cg_calloc(1, sizeof(*c));
	c->change = change;
	c->max_file = CARGO_MAX_FILE;
	return c;
}

void cg_cargo_cache_set_max_file(struct cg_cargo_cache *cache, size_t max_bytes)
{
	cache->max_file = max_bytes && max_bytes < CARGO_MAX_FILE ? max_bytes : CARGO_MAX_FILE;
}

static void crate_free(struct cg_crate *cr)
{
	free(cr->dir);
	free(cr->manifest_path);
	cg_manifest_release(&cr->manifest);
	for (size_t i = 0; i < cr->nbench_files; i++)
		free(cr->bench_files[i].path);
	free(cr->bench_files);
	free_strs(cr->bench_names, cr->nbench_names);
	free(cr);
}

void cg_cargo_cache_free(struct cg_cargo_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < cache->ncrates; i++)
		crate_free(cache->crates[i]);
	free(cache->crates);
	map_release(&cache->manifests);
	map_release(&cache->owners);
	free_strs(cache->manifest_dirs, cache->nmanifest_dirs);
	free(cache);
}

/* Reads a text file of the new revision, bounded; false when absent or too big. */
static bool read_file(const struct cg_cargo_cache *cache, const char *path, struct cg_buf *out)
{
	out->cap = cache->max_file;
	if (cg_change_read(cache->change, path, out) < 0) {
		cg_error_clear();
		cg_buf_release(out);
		return false;
	}
	return true;
}

static struct cg_crate *load_manifest(struct cg_cargo_cache *cache, const char *dir)
{
	struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT, lib = CG_BUF_INIT;
	struct cg_source src;
	struct cg_crate *cr = NULL;

	cg_buf_printf(&path, "%s%sCargo.toml", dir, *dir ? "/" : "");
	if (!cg_change_exists(cache->change, path.ptr) || !read_file(cache, path.ptr, &text))
		goto done;
	if (cg_source_parse(&src, CG_LANG_TOML, text.ptr, text.size) < 0) {
		cg_error_clear();
		goto done;
	}
	cr = cg_calloc(1, sizeof(*cr));
	cr->dir = cg_strdup(dir);
	cr->manifest_path = cg_buf_detach(&path, NULL);
	cg_manifest_parse(&cr->manifest, &src);
	cg_source_release(&src);
	cg_buf_printf(&lib, "%s%ssrc/lib.rs", dir, *dir ? "/" : "");
	cr->is_library = cr->manifest.has_package && (cr->manifest.has_lib || cg_change_exists(cache->change, lib.ptr));
	cg_array_grow((void **)&cache->crates, &cache->crates_cap, cache->ncrates + 1, sizeof(*cache->crates));
	cache->crates[cache->ncrates++] = cr;
done:
	cg_buf_release(&path);
	cg_buf_release(&text);
	cg_buf_release(&lib);
	return cr;
}

/* The manifest in `dir`, loaded once; its workspace is not looked for yet. */
static struct cg_crate *manifest_raw(struct cg_cargo_cache *cache, const char *dir)
{
	struct cg_crate *cr;
	if (map_get(&cache->manifests, dir, &cr))
		return cr;
	cr = load_manifest(cache, dir);
	map_put(&cache->manifests, dir, cr);
	return cr;
}

/* The nearest manifest with [workspace] at or above the crate's folder. */
static struct cg_crate *find_workspace(struct cg_cargo_cache *cache, struct cg_crate *cr)
{
	char *dir;
	struct cg_crate *ws = NULL;

	if (cr->manifest.has_workspace)
		return cr;
	if (!*cr->dir)
		return NULL;
	dir = dir_of(cr->dir);
	for (;;) {
		struct cg_crate *m = manifest_raw(cache, dir);
		char *up;
		if (m && m->manifest.has_workspace) {
			ws = m;
			break;
		}
		if (!*dir)
			break;
		up = dir_of(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	return ws;
}

static struct cg_crate *manifest_in_locked(struct cg_cargo_cache *cache, const char *dir)
{
	struct cg_crate *cr = manifest_raw(cache, dir);
	if (cr && !cr->has_workspace_lookup) {
		cr->has_workspace_lookup = true;
		cr->workspace = find_workspace(cache, cr);
	}
	return cr;
}

static struct cg_crate *crate_of_locked(struct cg_cargo_cache *cache, const char *path)
{
	char *dir = dir_of(path);
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
		if ((m = cg_cargo_manifest_in(cache, dir)) != NULL) {
			owner = m->manifest.has_package ? m : NULL;
			break;
		}
		if (!*dir) {
			owner = NULL;
			break;
		}
		char *up = dir_of(dir);
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

/* --- benches --- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_manifest(const char *path, void *payload)
{
	struct cg_cargo_cache *cache = payload;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "Cargo.toml")) {
		char *dir = dir_of(path);
		cg_array_grow((void **)&cache->manifest_dirs, &cache->manifest_dirs_cap, cache->nmanifest_dirs + 1,
			      sizeof(*cache->manifest_dirs));
		cache->manifest_dirs[cache->nmanifest_dirs++] = dir;
	}
	return 0;
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !n || (!strncmp(path, dir, n) && path[n] == '/');
}

static void add_bench_file(struct cg_crate *cr, const char *path)
{
	for (size_t i = 0; i < cr->nbench_files; i++)
		if (!strcmp(cr->bench_files[i].path, path))
			return;
	cg_array_grow((void **)&cr->bench_files, &cr->bench_files_cap, cr->nbench_files + 1, sizeof(*cr->bench_files));
	memset(&cr->bench_files[cr->nbench_files], 0, sizeof(*cr->bench_files));
	cr->bench_files[cr->nbench_files++].path = cg_strdup(path);
}

struct list_rs {
	struct cg_crate *into;
};

static int list_bench_rs(const char *path, void *payload)
{
	struct list_rs *l = payload;
	if (cg_ends_with(path, ".rs"))
		add_bench_file(l->into, path);
	return 0;
}

/* The bench files `pkg` declares or Cargo discovers for it, added to `into`. */
static void collect_bench_paths(struct cg_cargo_cache *cache, const struct cg_crate *pkg, struct cg_crate *into)
{
	struct cg_buf prefix = CG_BUF_INIT;
	struct list_rs l = { into };

	/* benches/ counts even with `autobenches = false`: its files are benchmarks by intent,
	 * and packaged crates often ship the folder without their [[bench]] entries. */
	cg_buf_printf(&prefix, "%s%sbenches/", pkg->dir, *pkg->dir ? "/" : "");
	if (cg_change_list(cache->change, prefix.ptr, list_bench_rs, &l) < 0)
		cg_error_clear();
	for (size_t i = 0; i < pkg->manifest.nbenches; i++) {
		const struct cg_cargo_bench *b = &pkg->manifest.benches[i];
		struct cg_buf rel = CG_BUF_INIT;
		char *full;
		if (b->path)
			cg_buf_puts(&rel, b->path);
		else if (b->name)
			cg_buf_printf(&rel, "benches/%s.rs", b->name);
		full = rel.size ? cg_cargo_join(pkg->dir, rel.ptr) : NULL;
		if (full && !cg_change_exists(cache->change, full) && !b->path && b->name) {
			free(full);
			cg_buf_release(&rel);
			cg_buf_printf(&rel, "benches/%s/main.rs", b->name);
			full = cg_cargo_join(pkg->dir, rel.ptr);
		}
		if (full && cg_change_exists(cache->change, full))
			add_bench_file(into, full);
		free(full);
		cg_buf_release(&rel);
	}
	cg_buf_release(&prefix);
}

/* True when `pkg` depends (in any table) on the package `cr`. */
static bool depends_on(const struct cg_crate *pkg, const struct cg_crate *cr)
{
	for (size_t i = 0; i < pkg->manifest.ndeps; i++) {
		const struct cg_cargo_dep *d = &pkg->manifest.deps[i];
		if (d->is_workspace_decl)
			continue;
		if (d->path) {
			char *target = cg_cargo_join(pkg->dir, d->path);
			bool same = target && !strcmp(target, cr->dir);
			free(target);
			if (same)
				return true;
		}
		if (cr->manifest.package_name && !strcmp(cg_cargo_dep_crate(d), cr->manifest.package_name))
			return true;
	}
	return false;
}

struct bench_scan {
	const struct cg_source *src;
	struct cg_bench_file *file;
	char **names;
	size_t n, cap;
};

static bool path_starts_with(const struct cg_source *src, TSNode node, const char *crate)
{
	size_t len, n = strlen(crate);
	const char *t = cg_node_text(src, node, &len);
	if (len >= 2 && t[0] == ':' && t[1] == ':') {
		t += 2;
		len -= 2;
	}
	return len > n + 1 && !strncmp(t, crate, n) && (t[n] == ':' || t[n] == ' ');
}

/* The last segment of a path's text ("criterion_main" of "criterion::criterion_main"). */
static const char *last_segment(const char *t, size_t len, size_t *out_len)
{
	const char *last = t;
	for (size_t i = 0; i + 1 < len; i++)
		if (t[i] == ':' && t[i + 1] == ':')
			last = t + i + 2;
	*out_len = len - (size_t)(last - t);
	return last;
}

static bool names_harness(const struct cg_source *src, TSNode path, const char *const *crates)
{
	for (size_t i = 0; crates[i]; i++)
		if (path_starts_with(src, path, crates[i]) || cg_node_is(src, path, crates[i]))
			return true;
	return false;
}

static const char *const criterion_crates[] = { "criterion", "codspeed_criterion_compat", NULL };
static const char *const divan_crates[] = { "divan", "codspeed_divan_compat", NULL };

static int scan_bench_node(TSNode node, void *payload)
{
	struct bench_scan *s = payload;
	const char *type = ts_node_type(node);

	if (!strcmp(type, "line_comment") || !strcmp(type, "block_comment") || !strcmp(type, "string_literal") ||
	    !strcmp(type, "raw_string_literal"))
		return CG_WALK_SKIP;
	if (!strcmp(type, "use_declaration") || !strcmp(type, "scoped_identifier") ||
	    !strcmp(type, "scoped_type_identifier")) {
		TSNode arg = ts_node_child_by_field_name(node, "argument", 8);
		TSNode path = ts_node_is_null(arg) ? node : arg;
		if (names_harness(s->src, path, criterion_crates))
			s->file->uses_criterion = true;
		if (names_harness(s->src, path, divan_crates))
			s->file->uses_divan = true;
	} else if (!strcmp(type, "macro_invocation")) {
		TSNode mac = ts_node_child_by_field_name(node, "macro", 5);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(mac) ? "" : cg_node_text(s->src, mac, &len);
		const char *last = last_segment(t, len, &llen);
		if (!ts_node_is_null(mac) && ((llen == 14 && !memcmp(last, "criterion_main", 14)) ||
					      (llen == 15 && !memcmp(last, "criterion_group", 15)))) {
			s->file->uses_criterion = true;
			if (llen == 14)
				s->file->has_main_macro = true;
		}
	} else if (!strcmp(type, "call_expression")) {
		TSNode fn = ts_node_child_by_field_name(node, "function", 8);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(fn) ? "" : cg_node_text(s->src, fn, &len);
		const char *last = last_segment(t, len, &llen);
		/* divan::main() runs the benches: the target needs harness = false. */
		if (!ts_node_is_null(fn) && names_harness(s->src, fn, divan_crates) && llen == 4 &&
		    !memcmp(last, "main", 4)) {
			s->file->uses_divan = true;
			s->file->has_main_macro = true;
		}
	} else if (!strcmp(type, "identifier") || !strcmp(type, "field_identifier")) {
		TSNode parent = ts_node_parent(node);
		const char *ptype = ts_node_is_null(parent) ? "" : ts_node_type(parent);
		TSNode name = ts_node_is_null(parent) ? parent : ts_node_child_by_field_name(parent, "name", 4);
		/* A bench's own items do not name the crate's functions. */
		bool is_decl =
			!ts_node_is_null(name) && ts_node_eq(name, node) &&
			(!strcmp(ptype, "function_item") || !strcmp(ptype, "function_signature_item") ||
			 !strcmp(ptype, "struct_item") || !strcmp(ptype, "enum_item") || !strcmp(ptype, "mod_item") ||
			 !strcmp(ptype, "const_item") || !strcmp(ptype, "static_item"));
		if (!is_decl) {
			cg_array_grow((void **)&s->names, &s->cap, s->n + 1, sizeof(*s->names));
			s->names[s->n++] = cg_node_strdup(s->src, node);
		}
	}
	return CG_WALK_ENTER;
}

/* Parses one bench file: what it runs on and the names it uses. */
static void scan_bench_file(struct cg_cargo_cache *cache, struct cg_bench_file *bf, struct bench_scan *acc)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;

	if (!read_file(cache, bf->path, &text))
		return;
	if (cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0) {
		acc->src = &src;
		acc->file = bf;
		cg_walk(cg_source_root(&src), scan_bench_node, acc);
		cg_source_release(&src);
	} else {
		cg_error_clear();
	}
	cg_buf_release(&text);
}

static void benches_locked(struct cg_cargo_cache *cache, struct cg_crate *cr)
{
	struct bench_scan acc = { 0 };
	const struct cg_crate *ws = cr->workspace;

	if (cr->has_bench_scan)
		return;
	cr->has_bench_scan = true;
	collect_bench_paths(cache, cr, cr);
	cr->nown_bench_files = cr->nbench_files;

	/* Bench packages of the workspace that depend on this crate count too. */
	if (ws && cr->manifest.has_package) {
		if (!cache->has_manifest_list) {
			cache->has_manifest_list = true;
			if (cg_change_list(cache->change, "", list_manifest, cache) < 0)
				cg_error_clear();
			qsort(cache->manifest_dirs, cache->nmanifest_dirs, sizeof(*cache->manifest_dirs), cmp_str);
		}
		for (size_t i = 0; i < cache->nmanifest_dirs; i++) {
			const char *dir = cache->manifest_dirs[i];
			struct cg_crate *pkg;
			if (!strcmp(dir, cr->dir) || !is_under(dir, ws->dir))
				continue;
			pkg = cg_cargo_manifest_in(cache, dir);
			if (pkg && pkg->manifest.has_package && pkg->workspace == ws && depends_on(pkg, cr))
				collect_bench_paths(cache, pkg, cr);
		}
	}

	for (size_t i = 0; i < cr->nbench_files; i++)
		scan_bench_file(cache, &cr->bench_files[i], &acc);
	if (acc.n)
		qsort(acc.names, acc.n, sizeof(*acc.names), cmp_str);
	for (size_t i = 0; i < acc.n; i++) {
		if (cr->nbench_names && !strcmp(cr->bench_names[cr->nbench_names - 1], acc.names[i])) {
			free(acc.names[i]);
			continue;
		}
		cg_array_grow((void **)&cr->bench_names, &cr->bench_names_cap, cr->nbench_names + 1,
			      sizeof(*cr->bench_names));
		cr->bench_names[cr->nbench_names++] = acc.names[i];
	}
	free(acc.names);
}

bool cg_cargo_bench_names(const struct cg_crate *cr, const char *name)
{
	return cr->nbench_names &&
	       bsearch(&name, cr->bench_names, cr->nbench_names, sizeof(*cr->bench_names), cmp_str) != NULL;
}

const struct cg_bench_file *cg_cargo_bench_file(const struct cg_crate *cr, const char *path)
{
	for (size_t i = 0; i < cr->nown_bench_files; i++)
		if (!strcmp(cr->bench_files[i].path, path))
			return &cr->bench_files[i];
	return NULL;
}

/*
 * The cache is shared by the rule pass's worker threads: its public entry
 * points hold the repository lock (recursive, so they may call each other
 * and the change module). What they return is never moved or freed before
 * cg_cargo_cache_free, and a crate's bench scan is filled once, under the lock.
 */
struct cg_crate *cg_cargo_manifest_in(struct cg_cargo_cache *cache, const char *dir)
{
	struct cg_crate *cr;
	cg_change_lock();
	cr = manifest_in_locked(cache, dir);
	cg_change_unlock();
	return cr;
}

struct cg_crate *cg_cargo_crate_of(struct cg_cargo_cache *cache, const char *path)
{
	struct cg_crate *cr;
	cg_change_lock();
	cr = crate_of_locked(cache, path);
	cg_change_unlock();
	return cr;
}

void cg_cargo_benches(struct cg_cargo_cache *cache, struct cg_crate *cr)
{
	cg_change_lock();
	benches_locked(cache, cr);
	cg_change_unlock();
}
