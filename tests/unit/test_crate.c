/* Cargo manifests, lockfiles, the workspace and bench targets (src/crate/). */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/change.h"
#include "crate/benches.h"
#include "crate/cache.h"
#include "crate/callgraph.h"
#include "crate/features.h"
#include "crate/modules.h"
#include "crate/summary.h"
#include "config/config.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

static int setup(void **state)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	sandbox_init(sb, 0);
	*state = sb;
	return 0;
}

static int teardown(void **state)
{
	struct sandbox *sb = *state;
	sandbox_free(sb);
	free(sb);
	return 0;
}

static const struct cg_crate_dep *dep(const struct cg_manifest *m, const char *key, enum cg_dep_kind kind, bool ws)
{
	for (size_t i = 0; i < m->ndeps; i++)
		if (!strcmp(m->deps[i].key, key) && m->deps[i].kind == kind && m->deps[i].is_workspace_decl == ws)
			return &m->deps[i];
	return NULL;
}

static void test_manifest_model(void **state)
{
	const char *text = "[package]\n"					/* 1 */
			   "name = \"ticker\"\n"				/* 2 */
			   "autobenches = false\n"				/* 3 */
			   "\n"							/* 4 */
			   "[lib]\n"						/* 5 */
			   "path = \"lib/ticker.rs\"\n"				/* 6 */
			   "\n"							/* 7 */
			   "[dependencies]\n"					/* 8 */
			   "time = { package = \"chrono\", optional = true }\n" /* 9 */
			   "serde.workspace = true\n"				/* 10 */
			   "\n"							/* 11 */
			   "[dependencies.sqlx]\n"				/* 12 */
			   "version = \"0.7\"\n"				/* 13 */
			   "features = [\"postgres\", \"chrono\"]\n"		/* 14 */
			   "\n"							/* 15 */
			   "[dev-dependencies]\n"				/* 16 */
			   "criterion = \"0.5\"\n"				/* 17 */
			   "\n"							/* 18 */
			   "[target.'cfg(unix)'.build-dependencies]\n"		/* 19 */
			   "cc = { path = \"../cc\" }\n"			/* 20 */
			   "\n"							/* 21 */
			   "[workspace.dependencies]\n"				/* 22 */
			   "serde = \"1\"\n"					/* 23 */
			   "\n"							/* 24 */
			   "[features]\n"					/* 25 */
			   "clock = [\"dep:time\", \"sqlx/chrono\"]\n"		/* 26 */
			   "\n"							/* 27 */
			   "[[bench]]\n"					/* 28 */
			   "name = \"parse\"\n"					/* 29 */
			   "harness = false\n"					/* 30 */
			   "\n"							/* 31 */
			   "[[bench]]\n"					/* 32 */
			   "name = \"render\"\n"				/* 33 */
			   "path = \"perf/render.rs\"\n";			/* 34 */
	struct cg_source src;
	struct cg_manifest m;
	const struct cg_crate_dep *d;
	(void)state;

	assert_int_equal(cg_source_parse(&src, CG_LANG_TOML, text, strlen(text)), 0);
	cg_manifest_parse(&m, &src);
	assert_true(m.has_package);
	assert_string_equal(m.package_name, "ticker");
	assert_false(m.autobenches);
	assert_true(m.has_lib);
	assert_string_equal(m.lib_path, "lib/ticker.rs");
	assert_true(m.has_workspace);
	assert_int_equal(m.package_pos.line, 1);
	assert_int_equal(m.dev_deps_pos.line, 16);

	d = dep(&m, "time", CG_DEP_NORMAL, false);
	assert_non_null(d);
	assert_string_equal(cg_crate_dep_crate(d), "chrono");
	assert_true(d->is_optional);
	assert_int_equal(d->pos.line, 9);
	assert_int_equal(d->pos.end_line, 9);

	d = dep(&m, "serde", CG_DEP_NORMAL, false);
	assert_non_null(d);
	assert_true(d->is_inherited);
	d = dep(&m, "serde", CG_DEP_NORMAL, true);
	assert_non_null(d);
	assert_int_equal(d->pos.line, 23);

	d = dep(&m, "sqlx", CG_DEP_NORMAL, false);
	assert_non_null(d);
	assert_int_equal(d->pos.line, 12); /* the header through its last key */
	assert_int_equal(d->pos.end_line, 14);
	assert_int_equal(d->nfeatures, 2);
	assert_string_equal(d->features[1].text, "chrono");
	assert_int_equal(d->features[1].pos.line, 14);
	assert_int_equal(d->features[1].pos.column, 25);

	d = dep(&m, "criterion", CG_DEP_DEV, false);
	assert_non_null(d);
	d = dep(&m, "cc", CG_DEP_BUILD, false);
	assert_non_null(d);
	assert_string_equal(d->target, "cfg(unix)");
	assert_string_equal(d->path, "../cc");

	assert_int_equal(m.nfeatures, 1);
	assert_string_equal(m.features[0].name, "clock");
	assert_int_equal(m.features[0].nitems, 2);
	assert_string_equal(m.features[0].items[0].text, "dep:time");

	assert_int_equal(m.nbenches, 2);
	assert_string_equal(m.benches[0].name, "parse");
	assert_true(m.benches[0].has_harness);
	assert_false(m.benches[0].harness);
	assert_int_equal(m.benches[0].pos.line, 28);
	assert_int_equal(m.benches[0].pos.end_line, 30);
	assert_string_equal(m.benches[1].path, "perf/render.rs");
	assert_false(m.benches[1].has_harness);

	cg_manifest_release(&m);
	cg_source_release(&src);
}

static void test_lockfile_model(void **state)
{
	const char *text = "version = 3\n"
			   "\n"
			   "[[package]]\n"
			   "name = \"sqlx-core\"\n"
			   "version = \"0.7.0\"\n"
			   "dependencies = [\n"
			   " \"chrono\",\n"
			   " \"serde 1.0.1 (registry+https://example.invalid)\",\n"
			   "]\n"
			   "\n"
			   "[[package]]\n"
			   "name = \"chrono\"\n"
			   "version = \"0.4.23\"\n";
	struct cg_source src;
	struct cg_lockfile lock;
	(void)state;

	assert_int_equal(cg_source_parse(&src, CG_LANG_TOML, text, strlen(text)), 0);
	cg_lockfile_parse(&lock, &src);
	assert_int_equal(lock.npackages, 2);
	assert_string_equal(lock.packages[0].name, "sqlx-core");
	assert_int_equal(lock.packages[0].ndeps, 2);
	assert_string_equal(lock.packages[0].deps[0], "chrono");
	assert_string_equal(lock.packages[0].deps[1], "serde");
	assert_string_equal(lock.packages[1].name, "chrono");
	assert_string_equal(lock.packages[1].version, "0.4.23");
	assert_int_equal(lock.packages[1].name_pos.line, 12);
	cg_lockfile_release(&lock);
	cg_source_release(&src);
}

static void expect_join(const char *dir, const char *rel, const char *want)
{
	char *got = cg_crate_join(dir, rel);
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void test_join(void **state)
{
	(void)state;
	expect_join("", "benches/a.rs", "benches/a.rs");
	expect_join("crates/a", "./benches//a.rs", "crates/a/benches/a.rs");
	expect_join("crates/a", "../b", "crates/b");
	expect_join("crates/a", "../../..", NULL);
	expect_join("a", "/etc/passwd", NULL);
	expect_join("a", "..", "");
}

static void test_name_eq(void **state)
{
	(void)state;
	assert_true(cg_crate_name_eq("wasm-bindgen", "wasm_bindgen"));
	assert_true(cg_crate_name_eq("serde", "serde"));
	assert_false(cg_crate_name_eq("serde", "serde_json"));
	assert_true(cg_crate_name_is_test_support("nu-plugin-test-support"));
	assert_true(cg_crate_name_is_test_support("linkerd-pool-mock"));
	assert_true(cg_crate_name_is_test_support("tokio_test"));
	assert_true(cg_crate_name_is_test_support("fake"));
	assert_false(cg_crate_name_is_test_support("attest"));
	assert_false(cg_crate_name_is_test_support("mockingbird"));
	assert_false(cg_crate_name_is_test_support("contest-utils"));
	assert_false(cg_crate_name_is_test_support(""));
	assert_true(cg_crate_description_is_test_support("Proxy integration tests\n\nThe test utilities are costly"));
	assert_true(cg_crate_description_is_test_support("Mocking HTTP servers"));
	assert_true(cg_crate_description_is_test_support("Testing utilities for Tokio- and futures-based code"));
	assert_false(cg_crate_description_is_test_support("An async runtime\nwell tested"));
	assert_false(cg_crate_description_is_test_support("Attestation and contest tools"));
	assert_false(cg_crate_description_is_test_support(NULL));
	assert_false(cg_crate_name_eq("serde-json", "serde"));
	assert_false(cg_crate_name_eq("Serde", "serde"));
}

static void stage(struct sandbox *sb, const char *path, const char *text)
{
	sandbox_write(sb, path, text);
	sandbox_stage(sb, path);
}

static bool is_named_app(const struct cg_crate *cr, void *payload)
{
	(void)payload;
	return cr->manifest.package_name && !strcmp(cr->manifest.package_name, "app");
}

static bool is_windows_table(const char *cfg)
{
	return strstr(cfg, "windows") != NULL;
}

/* The features `want` (space-separated, sorted) are what `cr` may have on. */
static void assert_reach(const struct cg_feature_reach *r, const struct cg_crate *cr, const char *want)
{
	struct cg_buf got = CG_BUF_INIT;
	size_t n;
	char *const *f = cg_feature_reach_of(r, cr, &n);
	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		cg_buf_printf(&got, "%s%s", i ? " " : "", f[i]);
	assert_string_equal(got.ptr ? got.ptr : "", want);
	cg_buf_release(&got);
}

/* Cargo's feature unification over path dependencies, from the roots (crate/features.h). */
static void test_feature_reach(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_crate_cache *cache;
	struct cg_feature_reach *r;

	stage(sb, "Cargo.toml",
	      "[workspace]\nmembers = [\"app\", \"lib\", \"util\", \"win\", \"tool\"]\n"
	      "[workspace.dependencies]\nlib = { path = \"lib\", default-features = false }\n");
	/* The root: every feature of its own is on (a user may build it with any). */
	stage(sb, "app/Cargo.toml",
	      "[package]\nname = \"app\"\n[dependencies]\nlib = { workspace = true, features = [\"net\"] }\n"
	      "[target.'cfg(windows)'.dependencies]\nwin = { path = \"../win\" }\n"
	      "[dev-dependencies]\nlib = { path = \"lib\", features = [\"testing\"] }\n"
	      "[features]\nfast = [\"lib/simd\"]\n");
	stage(sb, "lib/Cargo.toml",
	      "[package]\nname = \"lib\"\n[dependencies]\nutil = { path = \"../util\", optional = true }\n"
	      "helper = { path = \"../util\", package = \"util\", optional = true }\n"
	      "[features]\ndefault = [\"std\"]\nstd = []\nnet = [\"dep:util\", \"util?/tls\", \"helper?/never\"]\n"
	      "simd = []\ntesting = []\nos = []\n");
	stage(sb, "util/Cargo.toml", "[package]\nname = \"util\"\n[features]\ntls = []\nnever = []\n");
	stage(sb, "win/Cargo.toml", "[package]\nname = \"win\"\n");
	stage(sb, "tool/Cargo.toml",
	      "[package]\nname = \"tool\"\n[dependencies]\nlib = { path = \"../lib\", features = [\"os\"] }\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	cache = cg_crate_cache_new(&c);

	r = cg_feature_reach_new(cache, cg_crate_manifest_in(cache, ""), is_named_app, NULL, is_windows_table);
	assert_int_equal(cg_feature_reach_roots(r), 1);
	assert_true(cg_feature_reach_is_root(r, cg_crate_manifest_in(cache, "app")));
	assert_reach(r, cg_crate_manifest_in(cache, "app"), "default fast");
	/* default-features = false in [workspace.dependencies]; dev-dependencies and the native tool do not count. */
	assert_reach(r, cg_crate_manifest_in(cache, "lib"), "net simd");
	/* `dep:util` turned it on and `util?/tls` then holds; `helper?/never` waits for a dependency that stays off. */
	assert_reach(r, cg_crate_manifest_in(cache, "util"), "default tls");
	assert_null(cg_feature_reach_of(r, cg_crate_manifest_in(cache, "win"), &(size_t){ 0 }));
	assert_null(cg_feature_reach_of(r, cg_crate_manifest_in(cache, "tool"), &(size_t){ 0 }));
	cg_feature_reach_free(r);
	cg_crate_cache_free(cache);
	cg_change_release(&c);
}

static void test_crate_of_and_workspace(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_crate_cache *cache;
	struct cg_crate *a, *again, *ws;

	stage(sb, "Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
	stage(sb, "crates/a/Cargo.toml", "[package]\nname = \"a\"\n");
	stage(sb, "crates/a/src/lib.rs", "pub fn f() {}\n");
	stage(sb, "crates/a/src/deep/er/mod.rs", "pub fn g() {}\n");
	stage(sb, "crates/bin/Cargo.toml", "[package]\nname = \"bin\"\n");
	stage(sb, "crates/bin/src/main.rs", "fn main() {}\n");
	stage(sb, "tools/x.rs", "fn main() {}\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	cache = cg_crate_cache_new(&c);

	a = cg_crate_of(cache, "crates/a/src/deep/er/mod.rs");
	assert_non_null(a);
	assert_string_equal(a->dir, "crates/a");
	assert_string_equal(a->manifest_path, "crates/a/Cargo.toml");
	assert_true(a->is_library);
	again = cg_crate_of(cache, "crates/a/src/lib.rs");
	assert_ptr_equal(a, again); /* one read per run */
	ws = a->workspace;
	assert_non_null(ws);
	assert_string_equal(ws->dir, "");
	assert_false(ws->manifest.has_package);

	assert_false(cg_crate_of(cache, "crates/bin/src/main.rs")->is_library);
	/* The virtual manifest at the root is no package: loose files belong to none. */
	assert_null(cg_crate_of(cache, "tools/x.rs"));
	assert_null(cg_crate_of(cache, "README.md"));
	assert_non_null(cg_crate_manifest_in(cache, ""));
	assert_null(cg_crate_manifest_in(cache, "tools"));

	cg_crate_cache_free(cache);
	cg_change_release(&c);
}

/*
 * A module file's `mod` declarations (also inside item macros) and `pub use`
 * items, read once per run; an absent file is known as unread.
 */
static void test_module_file(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_crate_cache *cache;
	const struct cg_module_file *mf;
	const struct cg_buf *uses;

	stage(sb, "Cargo.toml", "[package]\nname = \"a\"\n");
	stage(sb, "src/api.rs", "pub mod dev {\n    pub use crate::inner::Other;\n}\nuse crate::helpers::g;\n");
	stage(sb, "src/lib.rs",
	      "pub mod api;\nmod inner;\npub(crate) mod helpers;\ncfg_net! { pub mod net; }\n"
	      "mod x { mod nested; }\npub use inner::Thing;\nuse helpers::h;\n#[cfg(test)]\nmod tests;\n");
	stage(sb, "src/tests/deep.rs", "async fn t() {}\n");
	stage(sb, "src/tests.rs", "mod deep;\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	cache = cg_crate_cache_new(&c);

	mf = cg_crate_module_file(cache, "src/lib.rs");
	assert_true(mf->is_read);
	assert_ptr_equal(mf, cg_crate_module_file(cache, "src/lib.rs"));
	assert_int_equal(cg_module_file_decl(mf, "api", 3), 2);
	assert_int_equal(cg_module_file_decl(mf, "inner", 5), 1);
	assert_int_equal(cg_module_file_decl(mf, "helpers", 7), 1);
	assert_int_equal(cg_module_file_decl(mf, "net", 3), 2);
	/* Declared inside an inline module: that module's file is another. */
	assert_int_equal(cg_module_file_decl(mf, "nested", 6), 0);
	assert_non_null(strstr(mf->uses.ptr, "pub use inner::Thing;"));
	assert_null(strstr(mf->uses.ptr, "helpers::h"));
	assert_false(cg_crate_module_file(cache, "src/absent.rs")->is_read);
	/* `#[cfg(test)] mod tests;`: the module and every one below it are test code. */
	assert_true(cg_module_file_decl_is_test(mf, "tests", 5));
	assert_false(cg_module_file_decl_is_test(mf, "inner", 5));
	assert_true(cg_crate_file_is_cfg_test(cache, "src/tests.rs"));
	assert_true(cg_crate_file_is_cfg_test(cache, "src/tests/deep.rs"));
	assert_false(cg_crate_file_is_cfg_test(cache, "src/api.rs"));
	assert_false(cg_crate_file_is_cfg_test(cache, "src/lib.rs"));
	/* Every file's, a module's that is no ancestor too; asked twice, read once. */
	uses = cg_crate_pub_uses(cache, "src/");
	assert_non_null(strstr(uses->ptr, "pub use inner::Thing;"));
	assert_non_null(strstr(uses->ptr, "pub use crate::inner::Other;"));
	assert_null(strstr(uses->ptr, "helpers::g"));
	assert_ptr_equal(uses, cg_crate_pub_uses(cache, "src/"));
	/*
	 * What was handed out stays where it is while other crates are added
	 * (threads keep it): the table once grew under a caller's pointer.
	 */
	for (int i = 0; i < 64; i++) {
		char dir[32];
		snprintf(dir, sizeof(dir), "crate%d/src/", i);
		assert_int_equal(cg_crate_pub_uses(cache, dir)->size, 0);
	}
	assert_non_null(strstr(uses->ptr, "pub use inner::Thing;"));
	assert_ptr_equal(uses, cg_crate_pub_uses(cache, "src/"));

	cg_crate_cache_free(cache);
	cg_change_release(&c);
}

/*
 * The async fns of other files that reach a helper's blocking call: through
 * a sync fn of a third file too, never from a file of another crate, from
 * spawn_blocking, from a test, or through another blocking call first.
 */
static void test_async_callers(void **state)
{
	struct sandbox *sb = *state;
	const char *yaml = "blocking:\n"
			   "  - path: std::fs::*\n"
			   "wrappers:\n"
			   "  - tokio::task::spawn_blocking\n";
	struct cg_conf_node *conf;
	struct cg_blocking_list list;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_crate_cache *cache;
	struct cg_async_caller *callers;
	const struct cg_summary *s;
	struct cg_crate_counts counts;
	size_t n;

	stage(sb, "Cargo.toml", "[workspace]\nmembers = [\"app\", \"other\"]\n");
	stage(sb, "app/Cargo.toml", "[package]\nname = \"app\"\n");
	stage(sb, "app/src/lib.rs", "pub mod a;\npub mod b;\npub mod mid;\nmod quiet;\n");
	stage(sb, "app/src/a.rs",
	      "pub fn helper(p: &str) -> String {\n"	  /* 1 */
	      "    std::fs::read_to_string(p).unwrap()\n" /* 2 */
	      "}\n");
	stage(sb, "app/src/mid.rs",
	      "pub fn load(p: &str) -> usize {\n"	/* 1 */
	      "    crate::a::helper(p).len()\n"		/* 2 */
	      "}\n"					/* 3 */
	      "pub fn other(p: &str) -> usize {\n"	/* 4 */
	      "    std::fs::remove_file(p).unwrap();\n" /* 5 */
	      "    crate::a::helper(p).len()\n"		/* 6 */
	      "}\n");
	stage(sb, "app/src/b.rs",
	      "use crate::a::helper;\n"					     /* 1 */
	      "pub async fn direct(p: &str) -> String {\n"		     /* 2 */
	      "    helper(p)\n"						     /* 3 */
	      "}\n"							     /* 4 */
	      "pub async fn hop(p: &str) -> usize {\n"			     /* 5 */
	      "    super::mid::load(p)\n"				     /* 6 */
	      "}\n"							     /* 7 */
	      "pub async fn first(p: &str) -> usize {\n"		     /* 8 */
	      "    super::mid::other(p)\n"				     /* 9 */
	      "}\n"							     /* 10 */
	      "pub async fn off(p: String) {\n"				     /* 11 */
	      "    tokio::task::spawn_blocking(move || helper(&p)).await;\n" /* 12 */
	      "}\n"							     /* 13 */
	      "#[tokio::test]\n"					     /* 14 */
	      "async fn t() { helper(\"x\"); }\n");
	/* Never names the helper: its summary is not needed. */
	stage(sb, "app/src/quiet.rs", "pub async fn q() {}\n");
	stage(sb, "other/Cargo.toml", "[package]\nname = \"other\"\n");
	stage(sb, "other/src/lib.rs", "use app::a::helper;\npub async fn far(p: &str) { helper(p); }\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(cg_conf_parse(&conf, "t.yaml", yaml, strlen(yaml)), 0);
	cg_blocking_list_load(&list, conf);
	cache = cg_crate_cache_new(&c);

	s = cg_callgraph_summary(cache, &list, "app/src/a.rs");
	assert_non_null(s);
	assert_int_equal(s->nfns, 1);
	n = cg_callgraph_async_callers(cache, &list, "app/src/a.rs", 0, 2, &callers);
	assert_int_equal(n, 2);
	assert_string_equal(callers[0].path, "app/src/b.rs");
	assert_string_equal(callers[0].name, "direct");
	assert_int_equal(callers[0].line, 3);
	assert_string_equal(callers[0].through, "helper");
	assert_string_equal(callers[1].name, "hop");
	assert_int_equal(callers[1].line, 6);
	assert_string_equal(callers[1].through, "load");
	cg_async_callers_release(callers, n);
	/* Summarized: a.rs, mid.rs, b.rs; not quiet.rs nor lib.rs (no word `helper` or `load`), nor other/. */
	cg_crate_cache_counts(cache, &counts);
	assert_int_equal(counts.summaries_built, 3);
	/* A line that is no blocking call of the helper: nobody reaches it. */
	assert_int_equal(cg_callgraph_async_callers(cache, &list, "app/src/a.rs", 0, 1, &callers), 0);
	assert_null(callers);

	cg_crate_cache_free(cache);
	cg_blocking_list_release(&list);
	cg_conf_node_free(conf);
	cg_change_release(&c);
}

static void test_bench_scan(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_crate_cache *cache;
	struct cg_crate *core;
	const struct cg_bench_file *bf;

	stage(sb, "Cargo.toml", "[workspace]\nmembers = [\"core\", \"perf\"]\n");
	stage(sb, "core/Cargo.toml", "[package]\nname = \"core-lib\"\n\n[[bench]]\nname = \"own\"\nharness = false\n");
	stage(sb, "core/src/lib.rs", "pub fn parse() {}\n");
	stage(sb, "core/benches/own.rs",
	      "use criterion::{criterion_group, criterion_main, Criterion};\n"
	      "fn helper_defined_here() {}\n"
	      "fn b(c: &mut Criterion) { c.bench_function(\"p\", |b| b.iter(|| core_lib::parse())); }\n"
	      "criterion_group!(benches, b);\n"
	      "criterion_main!(benches);\n");
	stage(sb, "perf/Cargo.toml",
	      "[package]\nname = \"perf\"\n\n[dev-dependencies]\ncore-lib = { path = \"../core\" }\n");
	stage(sb, "perf/benches/more.rs",
	      "fn main() { let x = core_lib::Thing::new(); x.render(); }\n"
	      "// comment_only()\n"
	      "fn by_value() { b.iter(passed); let Opts { shorthand, .. } = o; let t: type_only = 1; }\n");
	/* A dependency by path alone, the package's name nowhere in the manifest. */
	stage(sb, "perf2/Cargo.toml", "[package]\nname = \"perf2\"\n\n[dev-dependencies.alias]\npath = \"../core\"\n");
	stage(sb, "perf2/benches/b.rs", "fn main() { via_path_only(); }\n");
	stage(sb, "unrelated/Cargo.toml", "# rewrites `path` dependencies\n[package]\nname = \"unrelated\"\n");
	stage(sb, "unrelated/benches/u.rs", "fn main() { secret(); }\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	cache = cg_crate_cache_new(&c);

	core = cg_crate_of(cache, "core/src/lib.rs");
	assert_non_null(core);
	cg_crate_benches(cache, core);
	assert_int_equal(core->nown_bench_files, 1);
	assert_int_equal(core->nbench_files, 3);
	bf = cg_crate_bench_file(cache, core, "core/benches/own.rs");
	assert_non_null(bf);
	assert_true(bf->uses_criterion);
	assert_true(bf->has_main_macro);
	assert_false(bf->uses_divan);
	assert_null(cg_crate_bench_file(cache, core, "perf/benches/more.rs")); /* not its own */
	assert_true(cg_crate_bench_names(cache, core, "parse"));
	assert_true(cg_crate_bench_names(cache, core, "render")); /* a method call in the bench package */
	assert_true(cg_crate_bench_names(cache, core, "new"));
	assert_false(cg_crate_bench_names(cache, core, "helper_defined_here"));
	assert_false(cg_crate_bench_names(cache, core, "secret")); /* not a package that depends on core */
	/* Words in unsure places are settled by a parse, as the words alone cannot tell. */
	assert_true(cg_crate_bench_names(cache, core, "passed"));
	assert_true(cg_crate_bench_names(cache, core, "via_path_only"));
	assert_false(cg_crate_bench_names(cache, core, "shorthand"));
	assert_false(cg_crate_bench_names(cache, core, "type_only"));
	assert_false(cg_crate_bench_names(cache, core, "by_value"));
	assert_false(cg_crate_bench_names(cache, core, "comment_only"));

	cg_crate_cache_free(cache);
	cg_change_release(&c);
}

static const struct cg_summary_fn *summary_fn(const struct cg_summary *s, const char *type, const char *name)
{
	for (size_t i = 0; i < s->nfns; i++)
		if (!strcmp(s->fns[i].name, name) &&
		    (type ? s->fns[i].impl_type && !strcmp(s->fns[i].impl_type, type) : !s->fns[i].impl_type))
			return &s->fns[i];
	fail_msg("no fn %s::%s in the summary", type ? type : "", name);
	return NULL;
}

static void assert_calls(const struct cg_summary_fn *f, const char *want)
{
	struct cg_buf got = CG_BUF_INIT;
	for (size_t i = 0; i < f->ncalls; i++)
		cg_buf_printf(&got, "%s%s%s@%u", i ? " " : "",
			      f->calls[i].kind == CG_CALL_SELF_METHOD ? "self."
			      : f->calls[i].kind == CG_CALL_METHOD    ? "."
								      : "",
			      f->calls[i].path, f->calls[i].line);
	for (size_t i = 0; i < f->nblocks; i++)
		cg_buf_printf(&got, " !%s@%u", f->blocks[i].what, f->blocks[i].line);
	assert_string_equal(got.ptr ? got.ptr : "", want);
	cg_buf_release(&got);
}

/* One parse of a file gives each fn's calls and its direct blocking calls (crate/summary.h). */
static void test_summary(void **state)
{
	const char *yaml = "blocking:\n"
			   "  - path: std::fs::*\n"
			   "  - path: std::thread::sleep\n"
			   "  - path: .blocking_lock\n"
			   "wrappers:\n"
			   "  - tokio::task::spawn_blocking\n";
	const char *text = "use std::fs;\n"							/* 1 */
			   "use crate::config::load;\n"						/* 2 */
			   "use tokio::task::spawn_blocking;\n"					/* 3 */
			   "pub async fn reload(p: &str) {\n"					/* 4 */
			   "    let c = load(p);\n"						/* 5 */
			   "    spawn_blocking(move || fs::read(p));\n"				/* 6 */
			   "    super::x::g::<u8>();\n"						/* 7 */
			   "}\n"								/* 8 */
			   "fn helper() -> String { fs::read_to_string(\"a\").unwrap() }\n"	/* 9 */
			   "struct S;\n"							/* 10 */
			   "impl<T> a::S<T> {\n"						/* 11 */
			   "    fn m(&self) { self.n(); Self::k(); m.blocking_lock(); }\n"	/* 12 */
			   "}\n"								/* 13 */
			   "trait Tr { fn p(&self) { std::thread::sleep(d); } fn q(&self); }\n" /* 14 */
			   "mod inner {\n"							/* 15 */
			   "    fn deep() { let f = || std::fs::remove_file(\"x\"); f(); }\n"	/* 16 */
			   "}\n";								/* 17 */
	struct cg_conf_node *conf;
	struct cg_blocking_list list;
	struct cg_source src;
	struct cg_rust_file *rf;
	struct cg_summary s;
	const struct cg_summary_fn *f;
	(void)state;

	assert_int_equal(cg_conf_parse(&conf, "t.yaml", yaml, strlen(yaml)), 0);
	cg_blocking_list_load(&list, conf);
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text, strlen(text)), 0);
	rf = cg_rust_file_new(&src);
	assert_non_null(rf);
	assert_int_equal(cg_summary_build(&s, &src, rf, &list, false, CG_BODIES_ASYNC), 0);
	assert_int_equal(s.nfns, 5);
	assert_calls(summary_fn(&s, NULL, "helper"), "");
	assert_int_equal(summary_fn(&s, NULL, "reload")->ncalls, 3);
	cg_summary_release(&s);
	assert_int_equal(cg_summary_build(&s, &src, rf, &list, false, CG_BODIES_ALL), 0);

	/* A required method (`q`) has no body and is no fn of the summary. */
	assert_int_equal(s.nfns, 5);
	f = summary_fn(&s, NULL, "reload");
	assert_true(f->is_async);
	assert_int_equal(f->line, 4);
	/* The closure handed to spawn_blocking leaves the thread: its fs::read is neither a call nor blocking. */
	assert_calls(f, "crate::config::load@5 tokio::task::spawn_blocking@6 super::x::g@7");
	f = summary_fn(&s, NULL, "helper");
	assert_false(f->is_async);
	assert_calls(f, ".unwrap@9 std::fs::read_to_string@9 !std::fs::read_to_string@9");
	f = summary_fn(&s, "S", "m");
	assert_false(f->is_trait);
	assert_calls(f, "self.n@12 Self::k@12 .blocking_lock@12 !.blocking_lock()@12");
	f = summary_fn(&s, "Tr", "p");
	assert_true(f->is_trait);
	assert_calls(f, "std::thread::sleep@14 !std::thread::sleep@14");
	/* A closure that stays on the thread keeps its calls. */
	assert_calls(summary_fn(&s, NULL, "deep"), "std::fs::remove_file@16 f@16 !std::fs::remove_file@16");

	cg_summary_release(&s);
	cg_rust_file_free(rf);
	cg_source_release(&src);
	cg_blocking_list_release(&list);
	cg_conf_node_free(conf);
}

/* Field types and re-exports: what the call graph needs to type `self.rx` and follow `pub use`. */
/* An enum's tuple variants give their payloads as fields `Variant.N`; struct-like and unit variants none. */
static void test_summary_variants(void **state)
{
	const char *text = "mod m {\n"
			   "    use std::sync::mpsc::Receiver;\n"
			   "    pub enum E {\n"
			   "        A(Receiver<u8>, (u8, u8), Box<Fs>),\n"
			   "        B { x: Receiver<u8> },\n"
			   "        C,\n"
			   "    }\n"
			   "}\n";
	struct cg_blocking_list list;
	struct cg_source src;
	struct cg_rust_file *rf;
	struct cg_summary s;
	(void)state;

	cg_blocking_list_load(&list, NULL);
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text, strlen(text)), 0);
	rf = cg_rust_file_new(&src);
	assert_non_null(rf);
	assert_int_equal(cg_summary_build(&s, &src, rf, &list, true, CG_BODIES_ALL), 0);
	/* The tuple is no path: it has no field, but it still counts as a position. */
	assert_int_equal(s.nfields, 2);
	assert_string_equal(s.fields[0].owner, "E");
	assert_string_equal(s.fields[0].module, "self::m");
	assert_string_equal(s.fields[0].name, "A.0");
	assert_string_equal(s.fields[0].type, "std::sync::mpsc::Receiver");
	assert_int_equal(s.fields[0].line, 4);
	assert_string_equal(s.fields[1].name, "A.2");
	assert_string_equal(s.fields[1].type, "Fs");
	cg_summary_release(&s);
	cg_rust_file_free(rf);
	cg_source_release(&src);
	cg_blocking_list_release(&list);
}

static void test_summary_fields(void **state)
{
	const char *yaml = "blocking:\n"
			   "  - path: std::sync::mpsc::Receiver::recv\n";
	const char *text =
		"use std::sync::mpsc::{Receiver, SyncSender};\n"					 /* 1 */
		"use std::sync::{Arc, Mutex};\n"							 /* 2 */
		"pub use self::util::helper;\n"								 /* 3 */
		"use self::util::private;\n"								 /* 4 */
		"pub struct W {\n"									 /* 5 */
		"    rx: Receiver<u32>,\n"								 /* 6 */
		"    shared: Arc<Mutex<Receiver<u32>>>,\n"						 /* 7 */
		"    tx: &'static SyncSender<u32>,\n"							 /* 8 */
		"    n: (u32, u32),\n"									 /* 9 */
		"}\n"											 /* 10 */
		"impl W {\n"										 /* 11 */
		"    fn f(&self) { self.rx.recv(); self.shared.lock().unwrap().recv(); x.rx.recv(); }\n" /* 12 */
		"}\n"
		"fn g<B: Tr>(x: &dyn Tr, y: impl a::Tr2, z: &B, w: u32) { x.p(); y.q(); z.r(); w.s(); }\n";
	struct cg_conf_node *conf;
	struct cg_blocking_list list;
	struct cg_source src;
	struct cg_rust_file *rf;
	struct cg_summary s;
	const struct cg_summary_fn *f;
	(void)state;

	assert_int_equal(cg_conf_parse(&conf, "t.yaml", yaml, strlen(yaml)), 0);
	cg_blocking_list_load(&list, conf);
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text, strlen(text)), 0);
	rf = cg_rust_file_new(&src);
	assert_non_null(rf);
	assert_int_equal(cg_summary_build(&s, &src, rf, &list, true, CG_BODIES_ALL), 0);

	/* Methods on parameters typed by a trait carry the trait: a dyn, an impl, a generic's bound. */
	f = summary_fn(&s, NULL, "g");
	assert_int_equal(f->ncalls, 4);
	assert_string_equal(f->calls[0].recv_trait, "Tr");
	assert_string_equal(f->calls[1].recv_trait, "a::Tr2");
	assert_string_equal(f->calls[2].recv_trait, "Tr");
	assert_null(f->calls[3].recv_trait);

	/* A tuple type is no path: `n` is left out. */
	assert_int_equal(s.nfields, 3);
	assert_string_equal(s.fields[0].owner, "W");
	assert_string_equal(s.fields[0].module, "self");
	assert_string_equal(s.fields[0].name, "rx");
	assert_string_equal(s.fields[0].type, "std::sync::mpsc::Receiver");
	assert_int_equal(s.fields[0].line, 6);
	assert_string_equal(s.fields[1].type, "std::sync::mpsc::Receiver");
	assert_string_equal(s.fields[2].name, "tx");
	assert_string_equal(s.fields[2].type, "std::sync::mpsc::SyncSender");

	f = summary_fn(&s, "W", "f");
	assert_int_equal(f->ncalls, 5);
	assert_string_equal(f->calls[0].recv_field, "rx");
	/* `.lock()` and `.unwrap()` reach through to the field; their own receiver is the field too. */
	for (size_t i = 1; i < 4; i++)
		assert_string_equal(f->calls[i].recv_field, "shared");
	assert_null(f->calls[4].recv_field);

	/* Only the `pub use` re-exports. */
	assert_int_equal(s.nreexports, 1);
	assert_string_equal(s.reexports[0].name, "helper");
	assert_string_equal(s.reexports[0].module, "self");

	cg_summary_release(&s);
	cg_rust_file_free(rf);
	cg_source_release(&src);
	cg_blocking_list_release(&list);
	cg_conf_node_free(conf);
}

/* ---- the crate model reads a file in parts: outline, then bodies (crate/summary.h) ---- */

/* Fails, naming the file and the first fn that differs, unless `got` encodes as `want` does. */
static void assert_same_summary(const char *path, const char *how, const struct cg_summary *want,
				const struct cg_summary *got)
{
	struct cg_buf a = CG_BUF_INIT, b = CG_BUF_INIT;
	cg_disk_cache_encode_summary(&a, want);
	cg_disk_cache_encode_summary(&b, got);
	if (a.size != b.size || memcmp(a.ptr, b.ptr, a.size)) {
		for (size_t i = 0; i < want->nfns && i < got->nfns; i++) {
			struct cg_summary one = { .fns = want->fns + i, .nfns = 1 },
					  two = { .fns = got->fns + i, .nfns = 1 };
			struct cg_buf x = CG_BUF_INIT, y = CG_BUF_INIT;
			bool same;
			cg_disk_cache_encode_summary(&x, &one);
			cg_disk_cache_encode_summary(&y, &two);
			same = x.size == y.size && !memcmp(x.ptr, y.ptr, x.size);
			cg_buf_release(&x);
			cg_buf_release(&y);
			if (!same) {
				struct cg_buf w = CG_BUF_INIT, g = CG_BUF_INIT;
				for (size_t k = 0; k < want->fns[i].ncalls; k++)
					cg_buf_printf(
						&w, " %s@%u:%u-%u[%s|%s]", want->fns[i].calls[k].path,
						want->fns[i].calls[k].line, want->fns[i].calls[k].start,
						want->fns[i].calls[k].end,
						want->fns[i].calls[k].recv_field ? want->fns[i].calls[k].recv_field
										 : "",
						want->fns[i].calls[k].recv_trait ? want->fns[i].calls[k].recv_trait
										 : "");
				for (size_t k = 0; k < got->fns[i].ncalls; k++)
					cg_buf_printf(
						&g, " %s@%u:%u-%u[%s|%s]", got->fns[i].calls[k].path,
						got->fns[i].calls[k].line, got->fns[i].calls[k].start,
						got->fns[i].calls[k].end,
						got->fns[i].calls[k].recv_field ? got->fns[i].calls[k].recv_field : "",
						got->fns[i].calls[k].recv_trait ? got->fns[i].calls[k].recv_trait : "");
				fail_msg("%s (%s): fn %s (line %u) differs from the whole parse's: %u-%u %s %s%s%s "
					 "calls%s "
					 "there, %u-%u %s %s%s%s calls%s here",
					 path, how, want->fns[i].name, want->fns[i].line, want->fns[i].start,
					 want->fns[i].end, want->fns[i].module,
					 want->fns[i].ret_type ? want->fns[i].ret_type : "-",
					 want->fns[i].is_test ? " test" : "", want->fns[i].is_async ? " async" : "",
					 w.ptr ? w.ptr : "", got->fns[i].start, got->fns[i].end, got->fns[i].module,
					 got->fns[i].ret_type ? got->fns[i].ret_type : "-",
					 got->fns[i].is_test ? " test" : "", got->fns[i].is_async ? " async" : "",
					 g.ptr ? g.ptr : "");
			}
		}
		fail_msg("%s (%s): the summary differs from the whole parse's (%zu fns there, %zu here; %zu fields, "
			 "%zu; %zu re-exports, %zu)",
			 path, how, want->nfns, got->nfns, want->nfields, got->nfields, want->nreexports,
			 got->nreexports);
	}
	cg_buf_release(&a);
	cg_buf_release(&b);
}

/*
 * Over the distribution's crate sources that tree-sitter parses without
 * an error, a file's outline with every body then read, all at once or a fn at a time, is the summary of its whole
 * parse, field for field. A fixed fifth of the files keeps the test short;
 * CG_SUMMARY_CORPUS_ALL=1 checks them all.
 */
static void test_summary_in_parts(void **state)
{
	const char *yaml = "blocking:\n"
			   "  - path: std::fs::*\n"
			   "  - path: std::thread::sleep\n"
			   "  - path: std::net::TcpStream::connect\n"
			   "  - path: .blocking_lock\n"
			   "  - path: .recv\n"
			   "wrappers:\n"
			   "  - tokio::task::spawn_blocking\n"
			   "  - std::thread::spawn\n";
	struct {
		char **paths;
		size_t n;
	} files;
	struct cg_conf_node *conf;
	struct cg_blocking_list list;
	size_t stride = getenv("CG_SUMMARY_CORPUS_ALL") ? 1 : 5, nfiles = 0, nfns = 0;
	(void)state;

	if (!(files.n = rs_files("/usr/share/cargo/registry", &files.paths)))
		skip();
	assert_int_equal(cg_conf_parse(&conf, "t.yaml", yaml, strlen(yaml)), 0);
	cg_blocking_list_load(&list, conf);
	for (size_t i = 0; i < files.n; i += stride) {
		struct cg_buf text = CG_BUF_INIT;
		struct cg_source src;
		struct cg_summary whole, all, each;
		struct cg_rust_file *rf;
		bool is_root = cg_rust_path_is_crate_root(files.paths[i]);
		size_t *which;
		if (cg_fs_read(&text, files.paths[i], (size_t)4 << 20) < 0 ||
		    cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) < 0) {
			cg_error_clear();
			cg_buf_release(&text);
			continue;
		}
		/* Where tree-sitter recovers from an error, a part recovers on its own: no whole parse to match. */
		if (ts_node_has_error(cg_source_root(&src))) {
			cg_source_release(&src);
			cg_buf_release(&text);
			continue;
		}
		rf = cg_rust_file_new(&src);
		assert_int_equal(cg_summary_build(&whole, &src, rf, &list, is_root, CG_BODIES_ALL), 0);
		assert_int_equal(cg_summary_build_outline(&all, text.ptr, text.size, NULL, &list, is_root), 0);
		which = calloc(all.nfns + 1, sizeof(*which));
		for (size_t k = 0; k < all.nfns; k++)
			which[k] = k;
		assert_int_equal(
			cg_summary_read_bodies(&all, text.ptr, text.size, NULL, &list, is_root, which, all.nfns), 0);
		assert_same_summary(files.paths[i], "all bodies at once", &whole, &all);
		/* A fn at a time, last first, on every fourth file: each parse holds one fn. */
		if ((i / stride) % 4 == 0) {
			assert_int_equal(cg_summary_build_outline(&each, text.ptr, text.size, NULL, &list, is_root), 0);
			for (size_t k = each.nfns; k-- > 0;)
				if (!each.fns[k].is_body_read)
					assert_int_equal(cg_summary_read_bodies(&each, text.ptr, text.size, NULL, &list,
										is_root, &k, 1),
							 0);
			assert_same_summary(files.paths[i], "a body at a time", &whole, &each);
			cg_summary_release(&each);
		}
		nfns += whole.nfns;
		nfiles++;
		free(which);
		cg_summary_release(&whole);
		cg_summary_release(&all);
		cg_rust_file_free(rf);
		cg_source_release(&src);
		cg_buf_release(&text);
	}
	print_message("compared the summaries of %zu fns in %zu files\n", nfns, nfiles);
	assert_true(nfiles > 0);
	cg_blocking_list_release(&list);
	cg_conf_node_free(conf);
	rs_files_free(files.paths, files.n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_model),
		cmocka_unit_test(test_lockfile_model),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_name_eq),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_fields),
		cmocka_unit_test(test_summary_variants),
		cmocka_unit_test(test_summary_in_parts),
		cmocka_unit_test_setup_teardown(test_crate_of_and_workspace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_module_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feature_reach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bench_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_callers, setup, teardown),
	};
	git_libgit2_init();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	git_libgit2_shutdown();
	return rc;
}
