#define _GNU_SOURCE
/*
 * wasm-unsafe-std: native and WASM builds keep parity, so a crate that
 * targets WASM must not call the std APIs that panic or always fail on
 * wasm32-unknown-unknown (no clock, no threads, no file system, no sockets)
 * in code its wasm build compiles. A crate targets WASM when its manifest
 * depends on wasm-bindgen/web-sys/js-sys (config: markers), has a
 * [target.'cfg(… wasm …)'] table, or its path matches config `crates`.
 * Code gated by cfg (attributes on the item or an enclosing module, a
 * `#[cfg] mod x;` in the parent file, `if cfg!(…)` branches) under which
 * wasm32 does not compile it is left alone (rules/gate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/gate.h"
#include "rules/rule.h"
#include "syntax/cargo.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_gate_symbols *sym;
	const struct cg_rust_file *rf;
	const struct cg_conf_node *calls, *except;
	const char *why_wasm; /* why the crate counts as a WASM crate, for the message */
	int file_state;       /* 0: not asked yet, 1: compiled for wasm32, -1: its module is gated away */
};

/* `pattern` is a full path, `m::*` for anything under module m, or `*::name` for any path ending so. */
static bool path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern), len = strlen(path);
	if (n >= 3 && !memcmp(pattern, "*::", 3))
		return len >= n - 1 && !memcmp(path + len - (n - 1), pattern + 1, n - 1);
	if (n >= 3 && !strcmp(pattern + n - 3, "::*"))
		return !strncmp(path, pattern, n - 1) && path[n - 1] != '\0';
	return !strcmp(pattern, path);
}

static const void *call_of(const char *path, void *payload)
{
	const struct walk *w = payload;
	for (size_t i = 0; w->except && i < w->except->nkids; i++)
		if (w->except->kids[i]->value && path_matches(w->except->kids[i]->value, path))
			return NULL;
	for (size_t i = 0; w->calls && i < w->calls->nkids; i++)
		if (path_matches(cg_conf_str(w->calls->kids[i], "path", ""), path))
			return w->calls->kids[i];
	return NULL;
}

static void report(struct walk *w, TSNode fn, const struct cg_conf_node *call, const char *full)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit e = { 0 };

	cg_buf_printf(&msg, "`%s` %s; this crate targets WASM (%s)", full,
		      cg_conf_str(call, "effect", "does not work on wasm32-unknown-unknown"), w->why_wasm);
	cg_buf_printf(&help,
		      "use %s, or keep the call out of the wasm build with `#[cfg(not(target_arch = \"wasm32\"))]` on "
		      "the item or its module",
		      cg_conf_str(call, "instead", "a WASM-aware replacement"));
	e.span = cg_span_of(fn);
	e.message = msg.ptr;
	e.help = help.ptr;
	cg_rule_emit(w->ctx, &e);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	const struct cg_conf_node *call;
	char *full = NULL;
	TSNode fn;
	const struct cg_gate_symbols *sym = w->sym;
	TSSymbol s = ts_node_symbol(node);

	if (w->file_state < 0 || s == sym->string_literal || s == sym->raw_string_literal || s == sym->use_declaration)
		return CG_WALK_SKIP;
	if (s != sym->call_expression)
		return CG_WALK_ENTER;
	fn = ts_node_child_by_field_name(node, "function", 8);
	if (!ts_node_is_null(fn) && cg_node_type_is(fn, "generic_function"))
		fn = ts_node_child_by_field_name(fn, "function", 8);
	if (ts_node_is_null(fn) || !(cg_node_type_is(fn, "identifier") || cg_node_type_is(fn, "scoped_identifier")))
		return CG_WALK_ENTER;
	call = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, fn, call_of, w, &full);
	if (call) {
		/* Asked once, with a finding in hand: it may read the parent module files. */
		if (!w->file_state)
			w->file_state = cg_gate_file_excluded(w->ctx->change, w->ctx->path, CG_GATE_WASM32) ? -1 : 1;
		if (w->file_state > 0)
			report(w, fn, call, full);
	}
	free(full);
	return CG_WALK_ENTER;
}

/* Crate names compare with '-' and '_' as one character, as Cargo does. */
static bool crate_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/*
 * Why the crate of the file targets WASM, written into `why`; false when it
 * does not. The manifest comes from the run's cache, read once per crate.
 */
static bool targets_wasm(const struct cg_rule_ctx *ctx, struct cg_buf *why)
{
	const struct cg_conf_node *globs = cg_conf_child(ctx->rule_cfg, "crates");
	const struct cg_conf_node *markers = cg_conf_child(ctx->rule_cfg, "markers");
	const struct cg_crate *cr = ctx->cargo ? cg_cargo_crate_of(ctx->cargo, ctx->path) : NULL;

	for (size_t i = 0; globs && i < globs->nkids; i++) {
		if (globs->kids[i]->value && cg_glob_match(globs->kids[i]->value, ctx->path)) {
			cg_buf_printf(why, "its path matches `%s` in rules.wasm-unsafe-std.crates", globs->kids[i]->value);
			return true;
		}
	}
	for (size_t i = 0; cr && i < cr->manifest.ndeps; i++) {
		const struct cg_cargo_dep *d = &cr->manifest.deps[i];
		const char *crate = cg_cargo_dep_crate(d);
		if (d->target && strstr(d->target, "wasm")) {
			cg_buf_printf(why, "%s has a [target.'%s'] table", cr->manifest_path, d->target);
			return true;
		}
		for (size_t k = 0; markers && k < markers->nkids; k++) {
			if (markers->kids[k]->value && crate_name_eq(markers->kids[k]->value, crate)) {
				cg_buf_printf(why, "%s depends on %s", cr->manifest_path, crate);
				return true;
			}
		}
	}
	return false;
}

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* `word` in `text` as a whole identifier. */
static bool has_word(const char *text, size_t len, const char *word, size_t wlen)
{
	const char *p = text, *end = text + len, *hit;
	while (wlen && (hit = memmem(p, (size_t)(end - p), word, wlen)) != NULL) {
		if ((hit == text || !is_ident_char(hit[-1])) && (hit + wlen == end || !is_ident_char(hit[wlen])))
			return true;
		p = hit + 1;
	}
	return false;
}

/*
 * No call's owner in the bytes, no call to check. The owner is the segment
 * before the last (`Instant` of `std::time::Instant::now`, `thread` of
 * `std::thread::sleep`, `fs` of `std::fs::*`): any `use` or path that
 * reaches the call names it, where the last segment may hide behind an alias.
 */
static bool may_match(const char *text, size_t len, const struct cg_conf_node *calls)
{
	for (size_t i = 0; calls && i < calls->nkids; i++) {
		const char *p = cg_conf_str(calls->kids[i], "path", ""), *q, *seg = p, *prev = NULL;
		while ((q = strstr(seg, "::")) != NULL) {
			prev = seg;
			seg = q + 2;
		}
		if (!prev || has_word(text, len, prev, strcspn(prev, ":")))
			return true;
	}
	return false;
}

/* Build scripts and benchmarks run on the host, never in the wasm build. */
static bool is_host_only(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return !strcmp(base, "build.rs") || cg_starts_with(path, "benches/") || strstr(path, "/benches/") != NULL;
}

/* Before parsing: host-only files, no call's owner in the bytes, or a crate that does not target WASM. */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	struct cg_buf why = CG_BUF_INIT;
	bool is_wasm;

	/* The crate first: a cached lookup, where matching the calls reads the bytes once per call. */
	if (is_host_only(ctx->path))
		return false;
	is_wasm = targets_wasm(ctx, &why);
	cg_buf_release(&why);
	return is_wasm && may_match(text, len, cg_conf_child(ctx->rule_cfg, "calls"));
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { 0 };
	struct cg_buf why = CG_BUF_INIT;
	int err = 0;

	w.ctx = ctx;
	w.sym = cg_gate_symbols();
	w.rf = ctx->file_data;
	w.calls = cg_conf_child(ctx->rule_cfg, "calls");
	w.except = cg_conf_child(ctx->rule_cfg, "except");
	/* The crate lookup is a cached hash lookup; it also says why, for the message. */
	if (!w.rf || is_host_only(ctx->path) || !targets_wasm(ctx, &why))
		goto done;
	w.why_wasm = why.ptr;
	err = cg_gate_walk(ctx->src, CG_GATE_WASM32, visit, &w);
done:
	cg_buf_release(&why);
	return err;
}

const struct cg_rule cg_rule_wasm_unsafe_std = {
	.id = "wasm-unsafe-std",
	.default_severity = CG_SEV_WARNING,
	.summary = "crates that target WASM avoid std APIs that panic on wasm32-unknown-unknown",
	.explain =
		"wasm32-unknown-unknown has no clock, no threads, no file system and no sockets. The\n"
		"std APIs over them compile for it, then panic (`Instant::now`, `SystemTime::now`,\n"
		"`thread::spawn`, `thread::sleep`) or fail every call with an Unsupported error\n"
		"(`std::fs`, `std::net`) at run time, in the browser, far from the commit that\n"
		"added them. The team keeps native and WASM builds at parity, so a crate that\n"
		"targets WASM uses portable replacements or keeps native-only code out of the\n"
		"wasm build.\n"
		"\n"
		"A crate targets WASM when its Cargo.toml depends on wasm-bindgen, web-sys or\n"
		"js-sys (`rules.wasm-unsafe-std.markers`), has a [target.'cfg(target_arch =\n"
		"\"wasm32\")'.…] table, or its files match `rules.wasm-unsafe-std.crates`. Calls\n"
		"are resolved through `use` declarations. Not flagged: code under\n"
		"#[cfg(not(target_arch = \"wasm32\"))] (or any cfg false on wasm32, such as unix,\n"
		"windows, target_os = \"linux\") on the item, an enclosing module, the `mod x;` that\n"
		"declares the file, or the branch of `if cfg!(…)` that wasm32 does not take;\n"
		"build.rs and benches/.\n"
		"\n"
		"Bad:\n"
		"    pub fn elapsed_ms(start: std::time::Instant) -> u128 {\n"
		"        std::time::Instant::now().duration_since(start).as_millis() // panics in the browser\n"
		"    }\n"
		"\n"
		"Good:\n"
		"    pub fn elapsed_ms(start: web_time::Instant) -> u128 {\n"
		"        web_time::Instant::now().duration_since(start).as_millis() // performance.now() on wasm\n"
		"    }\n"
		"\n"
		"    #[cfg(not(target_arch = \"wasm32\"))]\n"
		"    fn load_cache() -> std::io::Result<Vec<u8>> { std::fs::read(\"cache.bin\") }\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
	/* Calls resolve through the use map; gates come from the item's own attributes. */
	.is_item_local = true,
};
