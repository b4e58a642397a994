/*
 * The cfg gate the charter rules share (rules/gate.h), below the command
 * line: predicates judged three-valued under a wasm32 build and a non-test
 * build, walks that leave gated code out, and inputs nested far deeper than
 * a case folder would hold (no recursion may follow them).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/gate.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/str.h"

/* The token tree of the first `cfg` attribute in `src`. */
static int find_cfg_args(TSNode node, void *payload)
{
	TSNode *out = payload;
	if (!ts_node_is_null(*out))
		return CG_WALK_SKIP;
	if (cg_node_kind(node) == CG_K_ATTRIBUTE) {
		TSNode args = ts_node_child_by_field_name(node, "arguments", 9);
		if (!ts_node_is_null(args))
			*out = args;
		return CG_WALK_SKIP;
	}
	return CG_WALK_ENTER;
}

static enum cg_tri eval_in(const char *predicate, const struct cg_gate_env *env)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_source src;
	TSNode args = { 0 };
	enum cg_tri v;

	cg_buf_printf(&text, "#[cfg(%s)]\nfn f() {}\n", predicate);
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size), 0);
	cg_walk(cg_source_root(&src), find_cfg_args, &args);
	assert_false(ts_node_is_null(args));
	v = cg_gate_cfg_eval(&src, args, env);
	cg_source_release(&src);
	cg_buf_release(&text);
	return v;
}

/*
 * Build-script cfgs: an alias's value stands for its name; an opaque one
 * (set under conditions not read) makes any predicate naming it false, its
 * not(…) too.
 */
static void test_build_script_flags(void **state)
{
	struct cg_gate_flag flags[] = { { "native", CG_TRI_FALSE, false },
					{ "gles", CG_TRI_UNKNOWN, false },
					{ "from_disk", CG_TRI_UNKNOWN, true } };
	struct cg_gate_env env = cg_gate_env_of(CG_GATE_WASM32 | CG_GATE_NOT_TEST);
	(void)state;
	env.flags = flags;
	env.nflags = 3;
	assert_int_equal(eval_in("native", &env), CG_TRI_FALSE);
	assert_int_equal(eval_in("not(native)", &env), CG_TRI_TRUE);
	assert_int_equal(eval_in("all(not(native), gles)", &env), CG_TRI_UNKNOWN);
	assert_int_equal(eval_in("from_disk", &env), CG_TRI_FALSE);
	assert_int_equal(eval_in("not(from_disk)", &env), CG_TRI_FALSE);
	assert_int_equal(eval_in("any(target_arch = \"wasm32\", from_disk)", &env), CG_TRI_FALSE);
	/* The hash that keys caches by environment tells them apart. */
	env.nflags = 2;
	{
		uint64_t two = cg_gate_env_hash(&env);
		env.nflags = 3;
		assert_true(two != cg_gate_env_hash(&env));
	}
}

static enum cg_tri eval(const char *predicate, unsigned build)
{
	struct cg_gate_env env = cg_gate_env_of(build);
	return eval_in(predicate, &env);
}

static void test_predicates(void **state)
{
	static const struct {
		const char *predicate;
		enum cg_tri wasm32, not_test;
	} cases[] = {
		{ "target_arch = \"wasm32\"", CG_TRI_TRUE, CG_TRI_UNKNOWN },
		{ "not(target_arch = \"wasm32\")", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "target_arch = \"x86_64\"", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "target_family = \"wasm\"", CG_TRI_TRUE, CG_TRI_UNKNOWN },
		{ "target_os = \"linux\"", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "target_os = \"unknown\"", CG_TRI_TRUE, CG_TRI_UNKNOWN },
		{ "unix", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "any(unix, windows)", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "feature = \"x\"", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		{ "all(not(target_family = \"wasm\"), feature = \"x\")", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "any(target_arch = \"wasm32\", feature = \"x\")", CG_TRI_TRUE, CG_TRI_UNKNOWN },
		{ "all(target_arch = \"wasm32\", feature = \"x\")", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		{ "test", CG_TRI_UNKNOWN, CG_TRI_FALSE },
		{ "not(test)", CG_TRI_UNKNOWN, CG_TRI_TRUE },
		{ "all(test, feature = \"slow\")", CG_TRI_UNKNOWN, CG_TRI_FALSE },
		{ "any(test, feature = \"testing\")", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		{ "all()", CG_TRI_TRUE, CG_TRI_TRUE },
		{ "any()", CG_TRI_FALSE, CG_TRI_FALSE },
		/* Malformed or foreign: never a definite answer. */
		{ "not(unix, windows)", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		{ "version(\"1.0\")", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		{ "tokio_unstable", CG_TRI_UNKNOWN, CG_TRI_UNKNOWN },
		/* Flags build scripts set by target name: wasm32-unknown-unknown is wasm, not wasi. */
		{ "tokio_wasi", CG_TRI_FALSE, CG_TRI_UNKNOWN },
		{ "tokio_wasm", CG_TRI_TRUE, CG_TRI_UNKNOWN },
		{ "tokio_wasm_not_wasi", CG_TRI_TRUE, CG_TRI_UNKNOWN },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum cg_tri w = eval(cases[i].predicate, CG_GATE_WASM32),
			    t = eval(cases[i].predicate, CG_GATE_NOT_TEST);
		if (w != cases[i].wasm32 || t != cases[i].not_test)
			fail_msg("cfg(%s): wasm32 %d, not-test %d; expected %d, %d", cases[i].predicate, w, t,
				 cases[i].wasm32, cases[i].not_test);
	}
}

/* not(not(...target_arch = "wasm32"...)) nested `depth` times. */
static void deep_not(struct cg_buf *out, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		cg_buf_puts(out, "not(");
	cg_buf_puts(out, "target_arch = \"wasm32\"");
	for (size_t i = 0; i < depth; i++)
		cg_buf_putc(out, ')');
}

static void test_deep_nesting_uses_no_stack(void **state)
{
	struct cg_buf p = CG_BUF_INIT;
	(void)state;
	deep_not(&p, 9000); /* syntax.c refuses files nested past 10,000 */
	assert_int_equal(eval(p.ptr, CG_GATE_WASM32), CG_TRI_TRUE);
	cg_buf_release(&p);
	deep_not(&p, 9001);
	assert_int_equal(eval(p.ptr, CG_GATE_WASM32), CG_TRI_FALSE);
	cg_buf_release(&p);
}

struct seen {
	const struct cg_source *src;
	struct cg_buf calls; /* the called paths the walk showed, one a line */
};

static int record_call(TSNode node, void *payload)
{
	struct seen *s = payload;
	if (cg_node_kind(node) == CG_K_CALL_EXPRESSION) {
		TSNode fn = ts_node_child_by_field_name(node, "function", 8);
		size_t len;
		const char *t = cg_node_text(s->src, fn, &len);
		cg_buf_put(&s->calls, t, len);
		cg_buf_putc(&s->calls, '\n');
	}
	return CG_WALK_ENTER;
}

static char *walk_calls(const char *text, unsigned build)
{
	struct cg_source src;
	struct seen s = { &src, CG_BUF_INIT };
	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text, strlen(text)), 0);
	struct cg_gate_env env = cg_gate_env_of(build);
	assert_int_equal(cg_gate_walk(&src, &env, record_call, &s), 0);
	cg_source_release(&src);
	return cg_buf_detach(&s.calls, NULL);
}

static void test_walk_leaves_out_gated_code(void **state)
{
	static const char text[] =
		"#[cfg(not(target_arch = \"wasm32\"))]\n"
		"fn native() { item_gate(); }\n"
		"#[cfg(not(target_arch = \"wasm32\"))]\n"
		"mod native_mod { fn f() { module_gate(); } }\n"
		"mod inner { #![cfg(unix)] fn g() { inner_attr_gate(); } }\n"
		"fn branches() {\n"
		"    if cfg!(target_arch = \"wasm32\") { wasm_branch(); } else { native_branch(); }\n"
		"    if !cfg!(target_arch = \"wasm32\") && ready() { negated_gate(); }\n"
		"    if cfg!(feature = \"x\") { unknown_branch(); }\n"
		"    #[cfg(windows)]\n"
		"    statement_gate();\n"
		"    match 1 { #[cfg(unix)] 1 => arm_gate(), _ => open_arm() }\n"
		"}\n"
		"#[cfg(test)]\n"
		"mod tests { fn t() { test_only(); } }\n"
		"#[tokio::test]\n"
		"async fn async_test() { test_fn(); }\n";
	char *wasm, *lib;
	(void)state;

	wasm = walk_calls(text, CG_GATE_WASM32);
	/* `ready()` sits after a false `!cfg!(…) &&`: wasm never calls it. */
	assert_string_equal(wasm, "wasm_branch\nunknown_branch\nopen_arm\ntest_only\ntest_fn\n");
	lib = walk_calls(text, CG_GATE_NOT_TEST);
	assert_non_null(strstr(lib, "item_gate\n"));
	assert_non_null(strstr(lib, "native_branch\n"));
	assert_null(strstr(lib, "test_only"));
	assert_null(strstr(lib, "test_fn"));
	free(wasm);
	free(lib);
}

static void test_deep_conditions_stay_bounded(void **state)
{
	struct cg_buf text = CG_BUF_INIT;
	char *calls;
	(void)state;
	/* A condition nested past the evaluator's depth cap is unknown: both branches stay. */
	cg_buf_puts(&text, "fn f() { if ");
	for (int i = 0; i < 5000; i++)
		cg_buf_putc(&text, '(');
	cg_buf_puts(&text, "cfg!(unix)");
	for (int i = 0; i < 5000; i++)
		cg_buf_putc(&text, ')');
	cg_buf_puts(&text, " { a(); } else { b(); } }\n");
	calls = walk_calls(text.ptr, CG_GATE_WASM32);
	assert_string_equal(calls, "a\nb\n");
	free(calls);
	cg_buf_release(&text);
}

static const void *match_any_std(const char *full, void *payload)
{
	(void)payload;
	return cg_starts_with(full, "std::") ? full : NULL;
}

/* The first call's path resolved where it is, in a file at `path`. */
static char *resolve_first_call(const char *text, const char *path)
{
	struct cg_source src;
	struct cg_rust_file *rf;
	TSNode root, call = { 0 };
	char *full = NULL;

	assert_int_equal(cg_source_parse(&src, CG_LANG_RUST, text, strlen(text)), 0);
	rf = cg_rust_file_new(&src);
	root = cg_source_root(&src);
	for (uint32_t i = 0; i < ts_node_named_child_count(root) && ts_node_is_null(call); i++) {
		TSNode fn = ts_node_named_child(root, i), body;
		if (cg_node_kind(fn) != CG_K_FUNCTION_ITEM)
			continue;
		body = ts_node_child_by_field_name(fn, "body", 4);
		call = ts_node_named_child(ts_node_named_child(body, 0), 0); /* `x();` -> x() */
	}
	assert_false(ts_node_is_null(call));
	cg_gate_resolve_call(&src, rf, path, ts_node_child_by_field_name(call, "function", 8), match_any_std, NULL,
			     &full);
	cg_rust_file_free(rf);
	cg_source_release(&src);
	return full;
}

static void test_resolve_call(void **state)
{
	char *full;
	(void)state;
	/* A glob brings the name unless the file defines it. */
	full = resolve_first_call("use std::thread::*;\nfn f() { sleep(d); }\n", "src/lib.rs");
	assert_string_equal(full, "std::thread::sleep");
	free(full);
	full = resolve_first_call("use std::thread::*;\nfn f() { sleep(d); }\nfn sleep(d: u8) {}\n", "src/lib.rs");
	assert_string_equal(full, "sleep");
	free(full);
	/* In a module file, crate::net is the crate's own module, not this file's `use std::net`. */
	full = resolve_first_call("use crate::net::addrs;\nuse std::net;\nfn f() { addrs(); }\n", "src/net/udp.rs");
	assert_string_equal(full, "crate::net::addrs");
	free(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_build_script_flags),
		cmocka_unit_test(test_deep_nesting_uses_no_stack),
		cmocka_unit_test(test_walk_leaves_out_gated_code),
		cmocka_unit_test(test_deep_conditions_stay_bounded),
		cmocka_unit_test(test_resolve_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
