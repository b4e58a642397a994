/* The crate model's disk cache of summaries (src/crate/cache.c). */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "config/config.h"
#include "crate/cache.h"
#include "crate/manifest.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/fs.h"

static const char *const YAML = "blocking:\n"
				"  - path: std::fs::*\n"
				"  - path: std::thread::sleep\n"
				"wrappers:\n"
				"  - tokio::task::spawn_blocking\n";
static const char *const TEXT = "use std::fs;\n"
				"use crate::config::load;\n"
				"pub async fn reload(p: &str) { let c = load(p); helper(); }\n"
				"fn helper() -> String { fs::read_to_string(\"a\").unwrap() }\n"
				"impl<T> a::S<T> { fn m(&self) { self.n(); Self::k(); } }\n"
				"trait Tr { fn p(&self) { std::thread::sleep(d); } }\n"
				"#[cfg(test)] mod tests { #[test] fn t() {} }\n"
				"pub use crate::config::load as load_config;\n"
				"struct W { rx: std::sync::Arc<std::sync::Mutex<std::sync::mpsc::Receiver<u8>>> }\n"
				"impl W { fn get(&self) -> Result<W, E> { self.rx.lock().unwrap().recv(); todo!() } }\n"
				"fn use_dyn(x: &dyn Tr) { x.p(); }\n";

struct fixture {
	struct sandbox sb;
	struct cg_conf_node *conf;
	struct cg_blocking_list list;
	struct cg_summary s; /* of TEXT */
	git_oid blob;	     /* any id: the cache never reads the blob */
};

static bool has_new_fields(const struct cg_summary *s)
{
	bool ret = false, field = false, trait = false;
	for (size_t i = 0; i < s->nfns; i++) {
		ret |= s->fns[i].ret_type != NULL && s->fns[i].is_ret_result;
		for (size_t j = 0; j < s->fns[i].ncalls; j++) {
			field |= s->fns[i].calls[j].recv_field != NULL;
			trait |= s->fns[i].calls[j].recv_trait != NULL;
		}
	}
	return ret && field && trait;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct cg_source src;
	struct cg_rust_file *rf;

	sandbox_init(&fx->sb, 0);
	assert_int_equal(cg_conf_parse(&fx->conf, "t.yaml", YAML, strlen(YAML)), 0);
	cg_blocking_list_load(&fx->list, fx->conf);
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, TEXT, strlen(TEXT)), 0);
	rf = cg_rust_file_new(&src);
	assert_int_equal(cg_summary_build(&fx->s, &src, rf, &fx->list, false, CG_BODIES_ALL), 0);
	cg_rust_file_free(rf);
	cg_source_release(&src);
	/* TEXT sets every field the serializer carries: a round trip of NULLs proves nothing. */
	assert_true(fx->s.nfields >= 1 && fx->s.nreexports >= 1);
	assert_true(has_new_fields(&fx->s));
	assert_int_equal(git_oid_fromstr(&fx->blob, "0123456789abcdef0123456789abcdef01234567"), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cg_summary_release(&fx->s);
	cg_blocking_list_release(&fx->list);
	cg_conf_node_free(fx->conf);
	sandbox_free(&fx->sb);
	free(fx);
	return 0;
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* Every field the serializer carries: a new field of struct cg_summary belongs here too. */
static void assert_summary_equal(const struct cg_summary *a, const struct cg_summary *b)
{
	assert_int_equal(a->nfns, b->nfns);
	for (size_t i = 0; i < a->nfns; i++) {
		const struct cg_summary_fn *f = &a->fns[i], *g = &b->fns[i];
		assert_string_equal(f->name, g->name);
		assert_str_or_null(f->impl_type, g->impl_type);
		assert_string_equal(f->module, g->module);
		assert_int_equal(f->is_trait, g->is_trait);
		assert_int_equal(f->is_test, g->is_test);
		assert_int_equal(f->is_async, g->is_async);
		assert_str_or_null(f->ret_type, g->ret_type);
		assert_int_equal(f->is_ret_result, g->is_ret_result);
		assert_int_equal(f->line, g->line);
		assert_int_equal(f->start, g->start);
		assert_int_equal(f->end, g->end);
		assert_int_equal(f->ncalls, g->ncalls);
		for (size_t j = 0; j < f->ncalls; j++) {
			assert_int_equal(f->calls[j].kind, g->calls[j].kind);
			assert_string_equal(f->calls[j].path, g->calls[j].path);
			assert_str_or_null(f->calls[j].recv_field, g->calls[j].recv_field);
			assert_str_or_null(f->calls[j].recv_trait, g->calls[j].recv_trait);
			assert_int_equal(f->calls[j].line, g->calls[j].line);
			assert_int_equal(f->calls[j].start, g->calls[j].start);
			assert_int_equal(f->calls[j].end, g->calls[j].end);
		}
		assert_int_equal(f->nblocks, g->nblocks);
		for (size_t j = 0; j < f->nblocks; j++) {
			assert_string_equal(f->blocks[j].what, g->blocks[j].what);
			assert_int_equal(f->blocks[j].line, g->blocks[j].line);
			assert_int_equal(f->blocks[j].start, g->blocks[j].start);
		}
	}
	assert_int_equal(a->nfields, b->nfields);
	for (size_t i = 0; i < a->nfields; i++) {
		assert_string_equal(a->fields[i].owner, b->fields[i].owner);
		assert_string_equal(a->fields[i].module, b->fields[i].module);
		assert_string_equal(a->fields[i].name, b->fields[i].name);
		assert_string_equal(a->fields[i].type, b->fields[i].type);
		assert_int_equal(a->fields[i].line, b->fields[i].line);
	}
	assert_int_equal(a->nreexports, b->nreexports);
	for (size_t i = 0; i < a->nreexports; i++) {
		assert_string_equal(a->reexports[i].name, b->reexports[i].name);
		assert_string_equal(a->reexports[i].path, b->reexports[i].path);
		assert_string_equal(a->reexports[i].module, b->reexports[i].module);
	}
}

/* The one entry file in the cache folder, as a path into `out`. */
static void only_entry(struct fixture *fx, struct cg_buf *out)
{
	char *dir = cg_disk_cache_dir(fx->sb.repo);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			cg_buf_truncate(out, 0);
			cg_buf_printf(out, "%s%s", dir, de->d_name);
			n++;
		}
	closedir(d);
	free(dir);
	assert_int_equal(n, 1);
}

static void test_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf raw = CG_BUF_INIT;
	struct cg_disk_cache *c;
	struct cg_disk_cache_stats st;
	struct cg_summary back;
	uint64_t key = cg_disk_cache_summary_config(&fx->list);

	assert_true(fx->s.nfns >= 5);
	cg_disk_cache_encode_summary(&raw, &fx->s);
	assert_true(cg_disk_cache_decode_summary(&back, raw.ptr, raw.size));
	assert_summary_equal(&fx->s, &back);
	cg_summary_release(&back);

	/* Through the disk, from another cache object (another run). */
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	cg_disk_cache_store_summary(c, &fx->blob, key, false, &fx->s);
	cg_disk_cache_close(c);
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_true(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	assert_summary_equal(&fx->s, &back);
	cg_summary_release(&back);
	/* A crate root's entry, and another config's, are other entries. */
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, true, &back));
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, key + 1, false, &back));
	cg_disk_cache_get_stats(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.written, 0);
	cg_disk_cache_close(c);

	/* clear removes the folder; a second clear has nothing to do. */
	assert_int_equal(cg_disk_cache_clear(fx->sb.repo), 0);
	assert_int_equal(cg_disk_cache_clear(fx->sb.repo), 0);
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	cg_disk_cache_close(c);
	cg_buf_release(&raw);
}

/* Every cut and every flipped byte of an entry is a miss, never a crash or a wrong summary. */
static void test_corrupt(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf path = CG_BUF_INIT, good = CG_BUF_INIT, raw = CG_BUF_INIT;
	struct cg_disk_cache *c;
	struct cg_summary back;
	uint64_t key = cg_disk_cache_summary_config(&fx->list);

	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	cg_disk_cache_store_summary(c, &fx->blob, key, false, &fx->s);
	only_entry(fx, &path);
	assert_int_equal(cg_fs_read(&good, path.ptr, 1 << 20), 0);
	for (size_t cut = 0; cut < good.size; cut += 7) {
		assert_int_equal(cg_fs_write_atomic(path.ptr, good.ptr, cut), 0);
		assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	}
	for (size_t at = 0; at < good.size; at += 3) {
		cg_buf_truncate(&raw, 0);
		cg_buf_put(&raw, good.ptr, good.size);
		raw.ptr[at] ^= 0x5a;
		assert_int_equal(cg_fs_write_atomic(path.ptr, raw.ptr, raw.size), 0);
		assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	}
	/* Rewritten, it serves again. */
	cg_disk_cache_store_summary(c, &fx->blob, key, false, &fx->s);
	assert_true(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	assert_summary_equal(&fx->s, &back);
	cg_summary_release(&back);
	cg_disk_cache_close(c);

	/* The decoder alone, on every prefix of a good payload. */
	cg_buf_truncate(&raw, 0);
	cg_disk_cache_encode_summary(&raw, &fx->s);
	for (size_t cut = 0; cut < raw.size; cut++)
		assert_false(cg_disk_cache_decode_summary(&back, raw.ptr, cut));
	cg_buf_release(&path);
	cg_buf_release(&good);
	cg_buf_release(&raw);
}

/* An entry another format version wrote is ignored, and replaced by this one's. */
static void test_foreign_version(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf path = CG_BUF_INIT, raw = CG_BUF_INIT;
	struct cg_disk_cache *c;
	struct cg_summary back;
	uint64_t key = cg_disk_cache_summary_config(&fx->list);

	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	cg_disk_cache_store_summary(c, &fx->blob, key, false, &fx->s);
	only_entry(fx, &path);
	assert_int_equal(cg_fs_read(&raw, path.ptr, 1 << 20), 0);
	/* The format version follows the 8-byte magic. */
	raw.ptr[8] = (char)(CG_DISK_CACHE_FORMAT + 1);
	assert_int_equal(cg_fs_write_atomic(path.ptr, raw.ptr, raw.size), 0);
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	cg_disk_cache_store_summary(c, &fx->blob, key, false, &fx->s);
	assert_true(cg_disk_cache_load_summary(c, &fx->blob, key, false, &back));
	cg_summary_release(&back);
	/* A config with another blocking list looks up another entry. */
	cg_blocking_list_release(&fx->list);
	cg_blocking_list_load(&fx->list, NULL);
	assert_true(cg_disk_cache_summary_config(&fx->list) != key);
	cg_disk_cache_close(c);
	cg_buf_release(&path);
	cg_buf_release(&raw);
}

/* Ages every entry by an hour: file times are coarse, so a test cannot count on writes apart to order them. */
static void age_entries(struct fixture *fx)
{
	char *dir = cg_disk_cache_dir(fx->sb.repo);
	DIR *d = opendir(dir);
	struct dirent *de;
	struct timespec when[2];
	clock_gettime(CLOCK_REALTIME, &when[0]);
	when[0].tv_sec -= 3600;
	when[1] = when[0];
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			assert_int_equal(utimensat(dirfd(d), de->d_name, when, 0), 0);
	closedir(d);
	free(dir);
}

/* A file's module items survive the disk as the call graph's walk needs them, NULLs included. */
static void test_mods_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct cg_mod_entry items[] = {
		{ "api", true, "self", NULL },
		{ "inner", false, "self", NULL },
		{ "deep", true, "self::inner", "other/deep.rs" },
		{ "in_impl", false, NULL, NULL },
	};
	struct cg_mod_table t = { items, 4, 4 }, back;
	struct cg_summary other;
	struct cg_disk_cache *c;

	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_false(cg_disk_cache_load_mods(c, &fx->blob, 7, &back));
	cg_disk_cache_store_mods(c, &fx->blob, 7, &t);
	assert_true(cg_disk_cache_load_mods(c, &fx->blob, 7, &back));
	assert_int_equal(back.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(back.items[i].name, items[i].name);
		assert_int_equal(back.items[i].is_decl, items[i].is_decl);
		assert_str_or_null(back.items[i].module, items[i].module);
		assert_str_or_null(back.items[i].path_attr, items[i].path_attr);
	}
	cg_mod_table_release(&back);
	/* Another kind of entry of the same blob is not mistaken for it. */
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, 7, false, &other));
	cg_disk_cache_close(c);
}

/* A manifest that sets every field the manifest serializer carries: a round trip of NULLs proves nothing. */
static const char *const MANIFEST =
	"[package]\n"
	"name = \"svc\"\n"
	"version = \"0.1.0\"\n"
	"edition = \"2021\"\n"
	"autobenches = false\n"
	"\n"
	"[lib]\n"
	"path = \"src/svc.rs\"\n"
	"\n"
	"[workspace]\n"
	"members = [\"a\", \"b/*\"]\n"
	"exclude = [\"old\"]\n"
	"\n"
	"[workspace.package]\n"
	"edition = \"2018\"\n"
	"\n"
	"[workspace.dependencies]\n"
	"serde = \"1\"\n"
	"\n"
	"[dependencies]\n"
	"tok = { package = \"tokio\", version = \"1\", features = [\"rt\", \"net\"], optional = true }\n"
	"core_dep = { path = \"../core\" }\n"
	"serde = { workspace = true }\n"
	"\n"
	"[target.'cfg(unix)'.build-dependencies]\n"
	"cc = \"1\"\n"
	"\n"
	"[dev-dependencies]\n"
	"criterion = \"0.5\"\n"
	"\n"
	"[features]\n"
	"default = [\"tok\"]\n"
	"full = [\"tok/full\", \"dep:core_dep\"]\n"
	"\n"
	"[[bench]]\n"
	"name = \"load\"\n"
	"harness = false\n"
	"\n"
	"[[bench]]\n"
	"name = \"other\"\n"
	"path = \"benches/o.rs\"\n";

static void assert_pos_equal(struct cg_crate_pos a, struct cg_crate_pos b)
{
	assert_int_equal(a.line, b.line);
	assert_int_equal(a.column, b.column);
	assert_int_equal(a.end_line, b.end_line);
	assert_int_equal(a.end_column, b.end_column);
}

static void assert_strs_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

static void assert_cstrs_equal(const struct cg_crate_str *a, size_t na, const struct cg_crate_str *b, size_t nb)
{
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].text, b[i].text);
		assert_pos_equal(a[i].pos, b[i].pos);
	}
}

/* Every field of struct cg_manifest: a new field belongs here, in the serializer and in MANIFEST. */
static void assert_manifest_equal(const struct cg_manifest *a, const struct cg_manifest *b)
{
	assert_int_equal(a->has_package, b->has_package);
	assert_str_or_null(a->package_name, b->package_name);
	assert_str_or_null(a->package_version, b->package_version);
	assert_str_or_null(a->edition, b->edition);
	assert_str_or_null(a->workspace_edition, b->workspace_edition);
	assert_int_equal(a->autobenches, b->autobenches);
	assert_int_equal(a->has_lib, b->has_lib);
	assert_str_or_null(a->lib_path, b->lib_path);
	assert_int_equal(a->has_workspace, b->has_workspace);
	assert_strs_equal(a->members, a->nmembers, b->members, b->nmembers);
	assert_strs_equal(a->exclude, a->nexclude, b->exclude, b->nexclude);
	assert_int_equal(a->ndeps, b->ndeps);
	for (size_t i = 0; i < a->ndeps; i++) {
		const struct cg_crate_dep *d = &a->deps[i], *e = &b->deps[i];
		assert_string_equal(d->key, e->key);
		assert_str_or_null(d->package, e->package);
		assert_int_equal(d->kind, e->kind);
		assert_str_or_null(d->target, e->target);
		assert_str_or_null(d->table, e->table);
		assert_int_equal(d->is_workspace_decl, e->is_workspace_decl);
		assert_int_equal(d->is_inherited, e->is_inherited);
		assert_int_equal(d->is_optional, e->is_optional);
		assert_str_or_null(d->path, e->path);
		assert_cstrs_equal(d->features, d->nfeatures, e->features, e->nfeatures);
		assert_pos_equal(d->pos, e->pos);
	}
	assert_int_equal(a->nfeatures, b->nfeatures);
	for (size_t i = 0; i < a->nfeatures; i++) {
		assert_string_equal(a->features[i].name, b->features[i].name);
		assert_cstrs_equal(a->features[i].items, a->features[i].nitems, b->features[i].items,
				   b->features[i].nitems);
		assert_pos_equal(a->features[i].pos, b->features[i].pos);
	}
	assert_int_equal(a->nbenches, b->nbenches);
	for (size_t i = 0; i < a->nbenches; i++) {
		assert_str_or_null(a->benches[i].name, b->benches[i].name);
		assert_str_or_null(a->benches[i].path, b->benches[i].path);
		assert_int_equal(a->benches[i].has_harness, b->benches[i].has_harness);
		assert_int_equal(a->benches[i].harness, b->benches[i].harness);
		assert_pos_equal(a->benches[i].pos, b->benches[i].pos);
	}
	assert_pos_equal(a->package_pos, b->package_pos);
	assert_pos_equal(a->dev_deps_pos, b->dev_deps_pos);
}

/* A manifest survives the disk whole; a cut, flipped or foreign entry is a miss, and is written again. */
static void test_manifest_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf raw = CG_BUF_INIT, path = CG_BUF_INIT, good = CG_BUF_INIT;
	struct cg_manifest m, back;
	struct cg_summary other;
	struct cg_source src;
	struct cg_disk_cache *c;
	bool has_dep_kinds[3] = { false, false, false };

	assert_int_equal(cg_source_parse(&src, CG_LANG_TOML, MANIFEST, strlen(MANIFEST)), 0);
	cg_manifest_parse(&m, &src);
	cg_source_release(&src);
	assert_true(m.has_package && m.has_workspace && m.has_lib && !m.autobenches);
	assert_true(m.nmembers == 2 && m.nexclude == 1 && m.nfeatures == 2 && m.nbenches == 2);
	assert_true(m.workspace_edition && m.lib_path && m.dev_deps_pos.line);
	for (size_t i = 0; i < m.ndeps; i++)
		has_dep_kinds[m.deps[i].kind] = true;
	assert_true(has_dep_kinds[CG_DEP_NORMAL] && has_dep_kinds[CG_DEP_DEV] && has_dep_kinds[CG_DEP_BUILD]);

	cg_disk_cache_encode_manifest(&raw, &m);
	assert_true(cg_disk_cache_decode_manifest(&back, raw.ptr, raw.size));
	assert_manifest_equal(&m, &back);
	cg_manifest_release(&back);
	for (size_t cut = 0; cut < raw.size; cut++)
		assert_false(cg_disk_cache_decode_manifest(&back, raw.ptr, cut));

	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_false(cg_disk_cache_load_manifest(c, &fx->blob, 3, &back));
	cg_disk_cache_store_manifest(c, &fx->blob, 3, &m);
	cg_disk_cache_close(c);
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 0), 0);
	assert_true(cg_disk_cache_load_manifest(c, &fx->blob, 3, &back));
	assert_manifest_equal(&m, &back);
	cg_manifest_release(&back);
	/* Another size bound, or another kind of entry of the same blob, is another entry. */
	assert_false(cg_disk_cache_load_manifest(c, &fx->blob, 4, &back));
	assert_false(cg_disk_cache_load_summary(c, &fx->blob, 3, false, &other));

	only_entry(fx, &path);
	assert_int_equal(cg_fs_read(&good, path.ptr, 1 << 20), 0);
	for (size_t at = 0; at < good.size; at += 5) {
		cg_buf_truncate(&raw, 0);
		cg_buf_put(&raw, good.ptr, good.size);
		raw.ptr[at] ^= 0x5a;
		assert_int_equal(cg_fs_write_atomic(path.ptr, raw.ptr, raw.size), 0);
		assert_false(cg_disk_cache_load_manifest(c, &fx->blob, 3, &back));
	}
	cg_buf_truncate(&raw, 0);
	cg_buf_put(&raw, good.ptr, good.size);
	raw.ptr[8] = (char)(CG_DISK_CACHE_FORMAT + 1); /* the format version follows the 8-byte magic */
	assert_int_equal(cg_fs_write_atomic(path.ptr, raw.ptr, raw.size), 0);
	assert_false(cg_disk_cache_load_manifest(c, &fx->blob, 3, &back));
	cg_disk_cache_store_manifest(c, &fx->blob, 3, &m);
	assert_true(cg_disk_cache_load_manifest(c, &fx->blob, 3, &back));
	assert_manifest_equal(&m, &back);
	cg_manifest_release(&back);
	cg_disk_cache_close(c);
	cg_manifest_release(&m);
	cg_buf_release(&raw);
	cg_buf_release(&path);
	cg_buf_release(&good);
}

static uint64_t folder_bytes(struct fixture *fx, size_t *n)
{
	char *dir = cg_disk_cache_dir(fx->sb.repo);
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;
	*n = 0;
	while (d && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0) {
			total += (uint64_t)st.st_size;
			(*n)++;
		}
	}
	if (d)
		closedir(d);
	free(dir);
	return total;
}

/* The folder stays under cache.max_bytes; what was used last stays. */
static void test_size_bound(void **state)
{
	struct fixture *fx = *state;
	struct cg_disk_cache *c;
	struct cg_summary back;
	char payload[500];
	git_oid id = fx->blob;
	size_t n;

	memset(payload, 'x', sizeof(payload));
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 8192), 0);
	for (int i = 0; i < 60; i++) {
		id.id[0] = (unsigned char)i;
		cg_disk_cache_put(c, CG_CACHE_SUMMARY, &id, 1, payload, sizeof(payload));
	}
	age_entries(fx);
	cg_disk_cache_store_summary(c, &fx->blob, 2, false, &fx->s);
	assert_true(folder_bytes(fx, &n) > 8192);
	cg_disk_cache_close(c);
	assert_true(folder_bytes(fx, &n) <= 8192);
	assert_true(n > 0);
	assert_int_equal(cg_disk_cache_open(&c, fx->sb.repo, 8192), 0);
	assert_true(cg_disk_cache_load_summary(c, &fx->blob, 2, false, &back));
	cg_summary_release(&back);
	cg_disk_cache_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mods_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_round_trip, setup, teardown),
	};
	git_libgit2_init();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
