/* A crate's bench targets: which files they are, what they run on, which names they use. */
#include "crate/benches.h"

#include <stdlib.h>
#include <string.h>

#include "crate/crate_private.h"
#include "syntax/rust.h"
#include "syntax/syntax.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

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
static void collect_bench_paths(struct cg_crate_cache *cache, const struct cg_crate *pkg, struct cg_crate *into)
{
	struct cg_buf prefix = CG_BUF_INIT;
	struct list_rs l = { into };

	/* benches/ counts even with `autobenches = false`: its files are benchmarks by intent,
	 * and packaged crates often ship the folder without their [[bench]] entries. */
	cg_buf_printf(&prefix, "%s%sbenches/", pkg->dir, *pkg->dir ? "/" : "");
	if (cg_change_list(cg_crate__change(cache), prefix.ptr, list_bench_rs, &l) < 0)
		cg_error_clear();
	for (size_t i = 0; i < pkg->manifest.nbenches; i++) {
		const struct cg_crate_bench *b = &pkg->manifest.benches[i];
		struct cg_buf rel = CG_BUF_INIT;
		char *full;
		if (b->path)
			cg_buf_puts(&rel, b->path);
		else if (b->name)
			cg_buf_printf(&rel, "benches/%s.rs", b->name);
		full = rel.size ? cg_crate_join(pkg->dir, rel.ptr) : NULL;
		if (full && !cg_change_exists(cg_crate__change(cache), full) && !b->path && b->name) {
			free(full);
			cg_buf_release(&rel);
			cg_buf_printf(&rel, "benches/%s/main.rs", b->name);
			full = cg_crate_join(pkg->dir, rel.ptr);
		}
		if (full && cg_change_exists(cg_crate__change(cache), full))
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
		const struct cg_crate_dep *d = &pkg->manifest.deps[i];
		if (d->is_workspace_decl)
			continue;
		if (d->path) {
			char *target = cg_crate_join(pkg->dir, d->path);
			bool same = target && !strcmp(target, cr->dir);
			free(target);
			if (same)
				return true;
		}
		if (cr->manifest.package_name && !strcmp(cg_crate_dep_crate(d), cr->manifest.package_name))
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
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL ||
	    kind == CG_K_RAW_STRING_LITERAL)
		return CG_WALK_SKIP;
	if (kind == CG_K_USE_DECLARATION || kind == CG_K_SCOPED_IDENTIFIER || kind == CG_K_SCOPED_TYPE_IDENTIFIER) {
		TSNode arg = ts_node_child_by_field_name(node, "argument", 8);
		TSNode path = ts_node_is_null(arg) ? node : arg;
		if (names_harness(s->src, path, criterion_crates))
			s->file->uses_criterion = true;
		if (names_harness(s->src, path, divan_crates))
			s->file->uses_divan = true;
	} else if (kind == CG_K_MACRO_INVOCATION) {
		TSNode mac = ts_node_child_by_field_name(node, "macro", 5);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(mac) ? "" : cg_node_text(s->src, mac, &len);
		const char *last = cg_rust_last_segment(t, len, &llen);
		if (!ts_node_is_null(mac) && ((llen == 14 && !memcmp(last, "criterion_main", 14)) ||
					      (llen == 15 && !memcmp(last, "criterion_group", 15)))) {
			s->file->uses_criterion = true;
			if (llen == 14)
				s->file->has_main_macro = true;
		}
	} else if (kind == CG_K_CALL_EXPRESSION) {
		TSNode fn = ts_node_child_by_field_name(node, "function", 8);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(fn) ? "" : cg_node_text(s->src, fn, &len);
		const char *last = cg_rust_last_segment(t, len, &llen);
		/* divan::main() runs the benches: the target needs harness = false. */
		if (!ts_node_is_null(fn) && names_harness(s->src, fn, divan_crates) && llen == 4 &&
		    !memcmp(last, "main", 4)) {
			s->file->uses_divan = true;
			s->file->has_main_macro = true;
		}
	} else if (kind == CG_K_IDENTIFIER || kind == CG_K_FIELD_IDENTIFIER) {
		TSNode parent = ts_node_parent(node);
		enum cg_kind pkind = ts_node_is_null(parent) ? CG_K_OTHER : cg_node_kind(parent);
		TSNode name = ts_node_is_null(parent) ? parent : ts_node_child_by_field_name(parent, "name", 4);
		/* A bench's own items do not name the crate's functions. */
		bool is_decl = !ts_node_is_null(name) && ts_node_eq(name, node) &&
			       (pkind == CG_K_FUNCTION_ITEM || pkind == CG_K_FUNCTION_SIGNATURE_ITEM ||
				pkind == CG_K_STRUCT_ITEM || pkind == CG_K_ENUM_ITEM || pkind == CG_K_MOD_ITEM ||
				pkind == CG_K_CONST_ITEM || pkind == CG_K_STATIC_ITEM);
		if (!is_decl) {
			cg_array_grow((void **)&s->names, &s->cap, s->n + 1, sizeof(*s->names));
			s->names[s->n++] = cg_node_strdup(s->src, node);
		}
	}
	return CG_WALK_ENTER;
}

/* Parses one bench file: what it runs on and the names it uses. */
static void scan_bench_file(struct cg_crate_cache *cache, struct cg_bench_file *bf, struct bench_scan *acc)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;

	if (!cg_crate__read_file(cache, bf->path, &text))
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

static void benches_locked(struct cg_crate_cache *cache, struct cg_crate *cr)
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
		size_t ndirs;
		char *const *dirs = cg_crate__manifest_dirs(cache, &ndirs);
		for (size_t i = 0; i < ndirs; i++) {
			const char *dir = dirs[i];
			struct cg_crate *pkg;
			if (!strcmp(dir, cr->dir) || !is_under(dir, ws->dir))
				continue;
			pkg = cg_crate_manifest_in(cache, dir);
			if (pkg && pkg->manifest.has_package && pkg->workspace == ws && depends_on(pkg, cr))
				collect_bench_paths(cache, pkg, cr);
		}
	}

	for (size_t i = 0; i < cr->nbench_files; i++)
		scan_bench_file(cache, &cr->bench_files[i], &acc);
	if (acc.n)
		qsort(acc.names, acc.n, sizeof(*acc.names), cg_crate__cmp_str);
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

bool cg_crate_bench_names(const struct cg_crate *cr, const char *name)
{
	return cr->nbench_names &&
	       bsearch(&name, cr->bench_names, cr->nbench_names, sizeof(*cr->bench_names), cg_crate__cmp_str) != NULL;
}

const struct cg_bench_file *cg_crate_bench_file(const struct cg_crate *cr, const char *path)
{
	for (size_t i = 0; i < cr->nown_bench_files; i++)
		if (!strcmp(cr->bench_files[i].path, path))
			return &cr->bench_files[i];
	return NULL;
}

void cg_crate__benches_release(struct cg_crate *cr)
{
	for (size_t i = 0; i < cr->nbench_files; i++)
		free(cr->bench_files[i].path);
	free(cr->bench_files);
	for (size_t i = 0; i < cr->nbench_names; i++)
		free(cr->bench_names[i]);
	free(cr->bench_names);
}

/* Under the change's lock, like the workspace's entry points (workspace.c). */
void cg_crate_benches(struct cg_crate_cache *cache, struct cg_crate *cr)
{
	cg_change_lock(cg_crate__change(cache));
	benches_locked(cache, cr);
	cg_change_unlock(cg_crate__change(cache));
}
