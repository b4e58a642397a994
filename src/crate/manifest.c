/* Cargo.toml and Cargo.lock read into plain structs; paths relative to a crate. */
#include "crate/manifest.h"

#include <stdlib.h>
#include <ctype.h>
#include <string.h>

#include "syntax/rust.h"
#include "syntax/toml.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* --- positions --- */

static struct cg_crate_pos pos_of(TSNode node)
{
	TSPoint s = ts_node_start_point(node), e = ts_node_end_point(node);
	struct cg_crate_pos p = { s.row + 1, s.column + 1, e.row + 1, e.column + 1 };
	/* A table ends at the start of the next line: that line is not part of it. */
	if (e.column == 0 && e.row > s.row) {
		p.end_line = e.row;
		p.end_column = 1;
	}
	return p;
}

/* A table from its header to its last key (not the blank lines and comments after it). */
static struct cg_crate_pos table_pos(TSNode table)
{
	struct cg_crate_pos p = pos_of(table);
	for (uint32_t i = ts_node_named_child_count(table); i-- > 0;) {
		TSNode last = ts_node_named_child(table, i);
		if (cg_node_kind(last) == CG_K_COMMENT)
			continue;
		struct cg_crate_pos q = pos_of(last);
		p.end_line = q.end_line;
		p.end_column = q.end_column;
		break;
	}
	return p;
}

static void pos_extend(struct cg_crate_pos *p, struct cg_crate_pos q)
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

static void add_cstr(struct cg_crate_str **arr, size_t *n, size_t *cap, const char *s, struct cg_crate_pos pos)
{
	cg_array_grow((void **)arr, cap, *n + 1, sizeof(**arr));
	(*arr)[*n].text = cg_strdup(s);
	(*arr)[*n].pos = pos;
	(*n)++;
}

static char *string_of(const struct cg_source *src, TSNode value)
{
	struct cg_buf b = CG_BUF_INIT;
	if (ts_node_is_null(value) || cg_node_kind(value) != CG_K_STRING)
		return NULL;
	cg_toml_string(src, value, &b);
	return cg_buf_detach(&b, NULL);
}

/* A string setting written again replaces the first, as the last key wins in our best-effort read. */
static void set_string(char **out, const struct cg_source *src, TSNode value)
{
	free(*out);
	*out = string_of(src, value);
}

/* Calls `fn` for each string of an array value. */
static void each_string(const struct cg_source *src, TSNode array,
			void (*fn)(void *, const char *, struct cg_crate_pos), void *payload)
{
	if (ts_node_is_null(array) || cg_node_kind(array) != CG_K_ARRAY)
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
	const struct cg_crate_dep *d = &st->m->deps[i];
	size_t k = (size_t)dep_hash(d->kind, d->target, d->is_workspace_decl, d->key) & (st->dep_cap - 1);
	while (st->dep_slots[k])
		k = (k + 1) & (st->dep_cap - 1);
	st->dep_slots[k] = i + 1;
}

static struct cg_crate_dep *find_dep(struct parse_state *st, enum cg_dep_kind kind, const char *target, bool ws,
				     const char *key, const char *table)
{
	struct cg_manifest *m = st->m;
	struct cg_crate_dep *d;
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

static void add_dep_feature(void *payload, const char *text, struct cg_crate_pos pos)
{
	struct cg_crate_dep *d = payload;
	add_cstr(&d->features, &d->nfeatures, &d->features_cap, text, pos);
}

static void add_feature_item(void *payload, const char *text, struct cg_crate_pos pos)
{
	struct cg_crate_feature *f = payload;
	add_cstr(&f->items, &f->nitems, &f->items_cap, text, pos);
}

static void add_member(void *payload, const char *text, struct cg_crate_pos pos)
{
	struct cg_manifest *m = payload;
	(void)pos;
	add_str(&m->members, &m->nmembers, &m->members_cap, text);
}

static void add_exclude(void *payload, const char *text, struct cg_crate_pos pos)
{
	struct cg_manifest *m = payload;
	(void)pos;
	add_str(&m->exclude, &m->nexclude, &m->exclude_cap, text);
}

/* The position of an entry: the header line for a header, else the top-level pair. */
static struct cg_crate_pos entry_pos(const struct cg_toml_entry *e)
{
	if (ts_node_is_null(e->value)) {
		/* `[dependencies.chrono]`: from the opening bracket to the end of the key. */
		struct cg_crate_pos p = pos_of(e->table);
		struct cg_crate_pos k = pos_of(e->outer);
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
	struct cg_crate_dep *d;
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
	} else if (!strcmp(field, "default-features") || !strcmp(field, "default_features")) {
		d->has_default_features = cg_toml_bool(st->src, e->value, &d->default_features);
	} else if (!strcmp(field, "workspace")) {
		cg_toml_bool(st->src, e->value, &d->is_inherited);
	}
}

static void note_crate_type(void *payload, const char *text, struct cg_crate_pos pos)
{
	struct cg_manifest *m = payload;
	(void)pos;
	m->is_cdylib = m->is_cdylib || !strcmp(text, "cdylib");
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
		else if (e->nparts == 3 && !strcmp(e->parts[1], "package") && !strcmp(e->parts[2], "edition"))
			set_string(&m->workspace_edition, st->src, e->value);
	} else if (!strcmp(p0, "package")) {
		m->has_package = true;
		if (e->nparts == 1 && ts_node_is_null(e->value) && !m->package_pos.line)
			m->package_pos = table_pos(e->table);
		if (e->nparts == 2 && !strcmp(e->parts[1], "name")) {
			free(m->package_name);
			m->package_name = string_of(st->src, e->value);
		} else if (e->nparts == 2 && !strcmp(e->parts[1], "version")) {
			set_string(&m->package_version, st->src, e->value);
		} else if (e->nparts == 2 && !strcmp(e->parts[1], "description")) {
			char *description = string_of(st->src, e->value);
			m->describes_tests = cg_crate_description_is_test_support(description);
			free(description);
		} else if (e->nparts == 2 && !strcmp(e->parts[1], "edition")) {
			set_string(&m->edition, st->src, e->value);
		} else if (e->nparts == 2 && !strcmp(e->parts[1], "autobenches")) {
			cg_toml_bool(st->src, e->value, &m->autobenches);
		}
	} else if (!strcmp(p0, "lib")) {
		m->has_lib = true;
		if (e->nparts == 2 && !strcmp(e->parts[1], "path")) {
			free(m->lib_path);
			m->lib_path = string_of(st->src, e->value);
		} else if (e->nparts == 2 &&
			   (!strcmp(e->parts[1], "proc-macro") || !strcmp(e->parts[1], "proc_macro"))) {
			cg_toml_bool(st->src, e->value, &m->is_proc_macro);
		} else if (e->nparts == 2 &&
			   (!strcmp(e->parts[1], "crate-type") || !strcmp(e->parts[1], "crate_type"))) {
			each_string(st->src, e->value, note_crate_type, m);
		}
	} else if (!strcmp(p0, "features") && e->nparts == 2 && !ts_node_is_null(e->value)) {
		struct cg_crate_feature *f;
		cg_array_grow((void **)&m->features, &m->features_cap, m->nfeatures + 1, sizeof(*m->features));
		f = &m->features[m->nfeatures++];
		memset(f, 0, sizeof(*f));
		f->name = cg_strdup(e->parts[1]);
		f->pos = pos_of(e->outer);
		each_string(st->src, e->value, add_feature_item, f);
	} else if (!strcmp(p0, "bench") && e->is_array_element && e->nheader == 1) {
		struct cg_crate_bench *b;
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

static void free_cstrs(struct cg_crate_str *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i].text);
	free(arr);
}

void cg_manifest_release(struct cg_manifest *m)
{
	free(m->package_name);
	free(m->package_version);
	free(m->edition);
	free(m->workspace_edition);
	free(m->lib_path);
	free_strs(m->members, m->nmembers);
	free_strs(m->exclude, m->nexclude);
	for (size_t i = 0; i < m->ndeps; i++) {
		struct cg_crate_dep *d = &m->deps[i];
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

const char *cg_crate_dep_crate(const struct cg_crate_dep *dep)
{
	return dep->package && *dep->package ? dep->package : dep->key;
}

/* --- lockfiles --- */

struct lock_state {
	struct cg_lockfile *lock;
	const struct cg_source *src;
	uint32_t table; /* table_index of the current [[package]] */
};

static void add_lock_dep(void *payload, const char *text, struct cg_crate_pos pos)
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

char *cg_crate_join(const char *crate_dir, const char *rel)
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

bool cg_crate_name_is_test_support(const char *name)
{
	return name && cg_rust_name_says_tests(name, strlen(name));
}

bool cg_crate_description_is_test_support(const char *description)
{
	for (const char *p = description; p && *p && *p != '\n';) {
		size_t n = 0;
		while (isalnum((unsigned char)p[n]))
			n++;
		if (n && cg_rust_is_test_word(p, n))
			return true;
		p += n ? n : 1;
	}
	return false;
}

bool cg_crate_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}
