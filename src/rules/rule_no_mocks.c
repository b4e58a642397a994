#define _GNU_SOURCE
/*
 * no-mocks: the team tests against real implementations (temp folders,
 * servers on 127.0.0.1, in-memory implementations written and tested once),
 * never generated mocks that pass while the real thing breaks. Flags mocking
 * crates (config: rules.no-mocks.crates) in every dependency table of a
 * Cargo.toml, renamed or inherited from the workspace, and mockall's
 * `#[automock]` and `mock!` in source.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "crate/workspace.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

static const char help_text[] =
	"test against the real thing: a temporary folder, a server the test starts on 127.0.0.1, or an in-memory "
	"implementation of the trait that has its own tests; see `crabgate explain no-mocks`";

static bool is_mock_crate(const struct cg_rule_ctx *ctx, const char *name)
{
	const struct cg_conf_node *crates = cg_conf_child(ctx->rule_cfg, "crates");
	for (size_t i = 0; name && crates && i < crates->nkids; i++)
		if (crates->kids[i]->value && cg_crate_name_eq(crates->kids[i]->value, name))
			return true;
	return false;
}

/* `x.workspace = true`: the crate the workspace's [workspace.dependencies] entry names. */
static const char *inherited_crate(struct cg_rule_ctx *ctx, const struct cg_crate_dep *dep)
{
	char *dir = cg_path_dir(ctx->path);
	struct cg_crate *cr = ctx->cargo ? cg_crate_manifest_in(ctx->cargo, dir) : NULL;
	const char *crate = dep->key;

	if (cr && cr->workspace) {
		const struct cg_manifest *ws = &cr->workspace->manifest;
		for (size_t i = 0; i < ws->ndeps; i++)
			if (ws->deps[i].is_workspace_decl && !strcmp(ws->deps[i].key, dep->key))
				crate = cg_crate_dep_crate(&ws->deps[i]);
	}
	free(dir);
	return crate;
}

static void emit_at(struct cg_rule_ctx *ctx, struct cg_span span, const char *message)
{
	struct cg_emit e = { 0 };
	e.span = span;
	e.message = message;
	e.help = help_text;
	cg_rule_emit(ctx, &e);
}

static int check_manifest(struct cg_rule_ctx *ctx)
{
	struct cg_manifest m;

	cg_manifest_parse(&m, ctx->src);
	for (size_t i = 0; i < m.ndeps; i++) {
		const struct cg_crate_dep *d = &m.deps[i];
		const char *crate = d->is_inherited && !d->package ? inherited_crate(ctx, d) : cg_crate_dep_crate(d);
		struct cg_buf msg = CG_BUF_INIT;
		struct cg_span span = { d->pos.line, d->pos.column, d->pos.end_line, d->pos.end_column };

		if (!is_mock_crate(ctx, crate))
			continue;
		cg_buf_printf(&msg, "mocking crate `%s` in [%s]", crate, d->table ? d->table : "dependencies");
		if (strcmp(crate, d->key) != 0)
			cg_buf_printf(&msg, " as `%s`", d->key);
		cg_buf_puts(&msg, ": the team tests against real implementations, not mocks");
		emit_at(ctx, span, msg.ptr);
		cg_buf_release(&msg);
	}
	cg_manifest_release(&m);
	return 0;
}

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	bool has_local_mock_macro; /* `macro_rules! mock` shadows mockall's */
};

/* A path naming mockall's item `name` (`automock`, `mock`): written so, or through `use`. */
static bool is_mockall(const struct walk *w, const char *written, size_t len, const char *name, bool bare_ok)
{
	char *full = cg_rust_resolve(w->rf, written, len);
	struct cg_buf want = CG_BUF_INIT;
	bool is_hit;

	cg_buf_printf(&want, "mockall::%s", name);
	/* A bare name no `use` brings in comes from `#[macro_use] extern crate mockall` or a glob. */
	is_hit = !strcmp(full, want.ptr) || (bare_ok && !strcmp(full, name));
	cg_buf_release(&want);
	free(full);
	return is_hit;
}

/* `automock` among the tokens of `#[cfg_attr(test, automock)]` (or `mockall::automock`). */
static bool cfg_attr_has_automock(const struct walk *w, TSNode tt)
{
	for (uint32_t i = 0; i < ts_node_named_child_count(tt); i++) {
		TSNode c = ts_node_named_child(tt, i);
		size_t len;
		const char *t = cg_node_text(w->ctx->src, c, &len);
		if (cg_node_kind(c) == CG_K_IDENTIFIER && is_mockall(w, t, len, "automock", true))
			return true;
	}
	return false;
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_ATTRIBUTE_ITEM) {
		TSNode attr = ts_node_named_child(node, 0);
		TSNode path = ts_node_named_child_count(attr) ? ts_node_named_child(attr, 0) : (TSNode){ 0 };
		TSNode args = cg_child(attr, CG_F_ARGUMENTS);
		size_t len;
		const char *t;
		bool is_hit = false;

		if (ts_node_is_null(path))
			return CG_WALK_SKIP;
		t = cg_node_text(w->ctx->src, path, &len);
		if (len == 8 && !memcmp(t, "cfg_attr", 8))
			is_hit = !ts_node_is_null(args) && cfg_attr_has_automock(w, args);
		else
			is_hit = is_mockall(w, t, len, "automock", true);
		if (is_hit)
			emit_at(w->ctx, cg_span_of(node),
				"`#[automock]` generates a mock of this trait: the team tests against real "
				"implementations, "
				"not mocks");
		return CG_WALK_SKIP;
	}
	if (kind == CG_K_MACRO_INVOCATION) {
		TSNode mac = cg_child(node, CG_F_MACRO);
		size_t len;
		const char *t = ts_node_is_null(mac) ? "" : cg_node_text(w->ctx->src, mac, &len);
		if (!ts_node_is_null(mac) && is_mockall(w, t, len, "mock", !w->has_local_mock_macro)) {
			emit_at(w->ctx, cg_span_of(mac),
				"`mock!` generates a mock type: the team tests against real implementations, not "
				"mocks");
			return CG_WALK_SKIP;
		}
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_MACRO_DEFINITION || kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL ||
	    kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_USE_DECLARATION)
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

/* `macro_rules! mock` anywhere in the file, found before the walk that reports. */
static int find_local_macro(TSNode node, void *payload)
{
	struct walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);
	if (kind == CG_K_MACRO_DEFINITION) {
		TSNode name = cg_child(node, CG_F_NAME);
		if (!ts_node_is_null(name) && cg_node_is(w->ctx->src, name, "mock"))
			w->has_local_mock_macro = true;
		return CG_WALK_SKIP;
	}
	return kind == CG_K_SOURCE_FILE || kind == CG_K_MOD_ITEM || kind == CG_K_DECLARATION_LIST ? CG_WALK_ENTER
												  : CG_WALK_SKIP;
}

/* `macro_rules! mock` in `n` bytes from an item's declaration. */
static bool is_mock_macro_def(const char *text, size_t n)
{
	struct cg_tokenizer tz;
	struct cg_token t[3];
	if (cg_tokenizer_init(&tz, text, n) < 0) {
		cg_error_clear();
		return false;
	}
	for (size_t i = 0; i < 3; i++)
		t[i] = cg_tokenizer_next(&tz);
	return t[0].kind == CG_TOKEN_WORD && t[0].end - t[0].start == 11 &&
	       !memcmp(text + t[0].start, "macro_rules", 11) && t[1].kind == CG_TOKEN_PUNCT &&
	       text[t[1].start] == '!' && t[2].kind == CG_TOKEN_WORD && t[2].end - t[2].start == 4 &&
	       !memcmp(text + t[2].start, "mock", 4);
}

/*
 * Whether the tree holds only some of the file's items (plan.c parses the
 * items a rule may fire on): a `macro_rules! mock` under no shown line is
 * then left out of it, and is looked for among the scanner's items, which
 * are those find_local_macro walks (the file's, its modules', impls' and
 * traits').
 */
static bool has_unparsed_local_macro(const struct cg_source *src)
{
	uint32_t n;
	TSRange *r = ts_tree_included_ranges(src->tree, &n);
	bool is_partial = n != 1 || r[0].start_byte > 0 || r[0].end_byte < src->len, is_found = false;
	struct cg_items items;

	cg_ts_free(r);
	if (!is_partial || !memmem(src->text, src->len, "macro_rules", 11))
		return false;
	if (cg_items_scan(&items, src->text, src->len) < 0) {
		cg_error_clear();
		return false;
	}
	for (size_t i = 0; i < items.n && !is_found; i++) {
		const struct cg_item *it = &items.items[i];
		is_found = it->kind == CG_ITEM_OTHER && is_mock_macro_def(src->text + it->decl, it->end - it->decl);
	}
	cg_items_release(&items);
	return is_found;
}

static bool word_is(const char *w, size_t n, const char *want)
{
	if (n > 2 && w[0] == 'r' && w[1] == '#') {
		w += 2;
		n -= 2;
	}
	return n == strlen(want) && !memcmp(w, want, n);
}

/*
 * Whether `mock` or `automock` is a word of the code: whatever path or
 * alias a finding's attribute or macro is written with, one of the two
 * names is spelled in it or in the `use` that brings it in. tokio's "mock"
 * sits in comments and in names (`mocks`, `MockFile`) of files that hold
 * no finding, and each would be parsed whole for nothing.
 */
static bool says_mock(const char *text, size_t len)
{
	struct cg_tokenizer tz;
	if (!memmem(text, len, "mock", 4))
		return false;
	if (cg_tokenizer_init(&tz, text, len) < 0) {
		cg_error_clear();
		return true;
	}
	for (struct cg_token t; (t = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END;)
		if (t.kind == CG_TOKEN_WORD && (word_is(text + t.start, t.end - t.start, "mock") ||
						word_is(text + t.start, t.end - t.start, "automock")))
			return true;
	return false;
}

/*
 * Before parsing. A manifest must spell a configured crate (the part before
 * any '-' or '_', so either spelling passes; a workspace-inherited rename is
 * read through the workspace, whose own manifest spells it); a source file
 * must say `mock` or `automock` as code (says_mock).
 */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	const struct cg_conf_node *crates = cg_conf_child(ctx->rule_cfg, "crates");
	if (ctx->kind != CG_KIND_CARGO_TOML)
		return says_mock(text, len);
	for (size_t i = 0; crates && i < crates->nkids; i++) {
		const char *n = crates->kids[i]->value;
		size_t nlen = n ? strcspn(n, "-_") : 0;
		if (nlen && memmem(text, len, n, nlen))
			return true;
	}
	/* `x = { workspace = true }` may name a renamed mocking crate of the workspace. */
	return memmem(text, len, "workspace", 9) != NULL;
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { ctx, ctx->file_data, false };

	if (ctx->kind == CG_KIND_CARGO_TOML)
		return check_manifest(ctx);
	if (ctx->kind != CG_KIND_RUST || !w.rf)
		return 0;
	cg_walk(cg_source_root(ctx->src), find_local_macro, &w);
	w.has_local_mock_macro = w.has_local_mock_macro || has_unparsed_local_macro(ctx->src);
	return cg_walk(cg_source_root(ctx->src), visit, &w);
}

const struct cg_rule cg_rule_no_mocks = {
	.id = "no-mocks",
	.default_severity = CG_SEV_WARNING,
	.summary = "tests use real implementations, not mocking crates",
	.explain = "A mock checks that the code made the calls the test author expected, not that\n"
		   "it works: it keeps passing when the real dependency changes its behaviour, and it\n"
		   "pins the implementation so every refactoring breaks tests that found no bug. The\n"
		   "team tests against real implementations: a temporary folder instead of a mocked\n"
		   "file system, a server the test starts on 127.0.0.1 instead of a mocked HTTP client,\n"
		   "an in-memory implementation of a trait (with its own tests) instead of a generated\n"
		   "mock.\n"
		   "\n"
		   "Flagged: mocking crates in any dependency table of a Cargo.toml (dev-, build-,\n"
		   "target-specific, [workspace.dependencies], renamed with `package = `, inherited\n"
		   "with `workspace = true`), and mockall's `#[automock]` (also inside `cfg_attr`)\n"
		   "and `mock!` in source. The crates are `rules.no-mocks.crates` in config: mockall,\n"
		   "mockito, mockers, faux, mry, mock_instant, wiremock, httpmock.\n"
		   "\n"
		   "Bad:\n"
		   "    [dev-dependencies]\n"
		   "    mockall = \"0.12\"\n"
		   "\n"
		   "    #[cfg_attr(test, mockall::automock)]\n"
		   "    trait Store { fn get(&self, key: &str) -> Option<String>; }\n"
		   "\n"
		   "Good:\n"
		   "    trait Store { fn get(&self, key: &str) -> Option<String>; }\n"
		   "    /// The in-memory store, tested like the others, used by the service's tests.\n"
		   "    struct MemStore(std::collections::HashMap<String, String>);\n"
		   "    impl Store for MemStore { fn get(&self, key: &str) -> Option<String> { "
		   "self.0.get(key).cloned() } }\n",
	.wants = CG_KIND_RUST | CG_KIND_CARGO_TOML,
	.check = check,
	.may_fire = may_fire,
	/* `macro_rules! mock` elsewhere in the file is found by the scanner (has_unparsed_local_macro). */
	.is_item_local = true,
	.is_member_local = true,
};
