#define _GNU_SOURCE
/*
 * missing-memory-files: every Rust crate root keeps the team's three memory
 * files (memories.md, lessons-learned.md, scratchpad.md; names from
 * config `memory.files` when set). A file counts when it sits beside the
 * crate's Cargo.toml or in any folder above it up to the repository root,
 * so one set at the root (where `crabgate init --memory` writes them and
 * the memory updates keep them) covers every crate of a workspace.
 * Reported on the [package] (or [workspace]) table of the manifest.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "syntax/toml.h"
#include "util/buf.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

/* Short headers; the memory updates add their entries and blocks below them. */
const char *const cg_rule_memory_headers[3] = {
	"# Memories\n"
	"\n"
	"One entry per reviewed change: what changed, what the rules and the review found,\n"
	"and the decisions recorded in commit messages (lines starting `Decision:`).\n",
	"# Lessons learned\n"
	"\n"
	"One lesson per line, from reviews and from the first time each rule fired here.\n",
	"# Scratchpad\n"
	"\n"
	"Open work: findings, review todos and TODO/FIXME comments, kept current by crabgate.\n",
};

/* True when `name` exists in `dir` or a folder above it, at the change's new revision. */
static bool exists_here_or_above(const struct cg_change *change, const char *dir, const char *name)
{
	char *d = cg_strdup(dir);
	bool is_found = false;

	for (;;) {
		struct cg_buf path = CG_BUF_INIT;
		char *up;
		cg_buf_printf(&path, "%s%s%s", d, *d ? "/" : "", name);
		is_found = cg_change_exists(change, path.ptr);
		cg_buf_release(&path);
		if (is_found || !*d)
			break;
		up = cg_path_dir(d);
		free(d);
		d = up;
	}
	free(d);
	return is_found;
}

/* The [package] table, else the [workspace] table, else a null node. */
static TSNode crate_table(const struct cg_source *src)
{
	TSNode root = cg_source_root(src), workspace = { 0 };
	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode t = ts_node_named_child(root, i);
		struct cg_buf name = CG_BUF_INIT;
		bool is_package, is_workspace;
		if (cg_node_kind(t) != CG_K_TABLE)
			continue;
		cg_toml_key(src, cg_toml_key_node(t), &name);
		is_package = !strcmp(name.ptr, "package");
		is_workspace = !strcmp(name.ptr, "workspace");
		cg_buf_release(&name);
		if (is_package)
			return t;
		if (is_workspace && ts_node_is_null(workspace))
			workspace = t;
	}
	return workspace;
}

/* Before parsing: a crate root's manifest spells its [package] or [workspace] table. */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	(void)ctx;
	return memmem(text, len, "package", 7) || memmem(text, len, "workspace", 9);
}

static int check(struct cg_rule_ctx *ctx)
{
	static const struct {
		const char *key, *def;
	} files[] = { { "memories", "memories.md" },
		      { "lessons", "lessons-learned.md" },
		      { "scratchpad", "scratchpad.md" } };
	const struct cg_conf_node *names = ctx->cfg ? cg_config_get(ctx->cfg, "memory.files") : NULL;
	struct cg_buf missing = CG_BUF_INIT, msg = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	/* The fix: each missing file at the repository root, as `crabgate init --memory` writes it. */
	struct cg_emit_edit edits[3];
	size_t nmissing = 0;
	TSNode table;
	char *dir = NULL;

	if (ctx->kind != CG_KIND_CARGO_TOML || ts_node_is_null(table = crate_table(ctx->src)))
		goto done;
	dir = cg_path_dir(ctx->path);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *name = cg_conf_str(names, files[i].key, files[i].def);
		if (exists_here_or_above(ctx->change, dir, name))
			continue;
		cg_buf_printf(&missing, "%s%s", nmissing ? ", " : "", name);
		edits[nmissing++] = (struct cg_emit_edit){ 0, 0, cg_rule_memory_headers[i], name };
	}
	if (!nmissing)
		goto done;
	cg_buf_printf(&msg, "crate root %s has no %s beside it or in a folder above; run `crabgate init --memory`",
		      ctx->path, missing.ptr);
	/* The table from its header to its last line (a table's node ends at the next line's start). */
	e.span = cg_span_of(table);
	if (e.span.end_column == 1 && e.span.end_line > e.span.line) {
		size_t len;
		e.span.end_line--;
		cg_source_line(ctx->src, e.span.end_line, &len);
		e.span.end_column = (uint32_t)len + 1;
	}
	e.message = msg.ptr;
	e.edits = edits;
	e.nedits = nmissing;
	e.applicability = CG_FIX_MACHINE_APPLICABLE;
	e.help = "memories.md records decisions, lessons-learned.md what the team learned, scratchpad.md the open "
		 "work; `crabgate init --memory` (or `crabgate fix`, which also stages them) writes the missing ones "
		 "at the repository root, where every crate shares them";
	cg_rule_emit(ctx, &e);
done:
	free(dir);
	cg_buf_release(&missing);
	cg_buf_release(&msg);
	return 0;
}

const struct cg_rule cg_rule_missing_memory_files = {
	.id = "missing-memory-files",
	.default_severity = CG_SEV_NOTE,
	.summary = "every crate root has memories.md, lessons-learned.md and scratchpad.md",
	.explain = "The team keeps three memory files with the code: memories.md (one entry per\n"
		   "change: what changed and the decisions taken), lessons-learned.md (what a bug or\n"
		   "a review taught) and scratchpad.md (open work). crabgate updates them after each\n"
		   "reviewed change; they are the context the next person, or the next model review,\n"
		   "starts from.\n"
		   "\n"
		   "A crate root is a Cargo.toml with [package] or [workspace]. Its files count when\n"
		   "they sit beside the Cargo.toml or in any folder above it up to the repository\n"
		   "root, so one set at the root covers a whole workspace. The names are those of\n"
		   "`memory.files` in config. The note sits on the [package] (or [workspace]) table:\n"
		   "it shows when a crate is created or that table is edited, and for every crate\n"
		   "with `crabgate check --all`.\n"
		   "\n"
		   "Bad (a new crate, and no memory files anywhere above it):\n"
		   "    crates/parser/Cargo.toml\n"
		   "    crates/parser/src/lib.rs\n"
		   "\n"
		   "Good (`crabgate init --memory` writes the three files at the root):\n"
		   "    memories.md  lessons-learned.md  scratchpad.md\n"
		   "    crates/parser/Cargo.toml\n"
		   "    crates/parser/src/lib.rs\n",
	.wants = CG_KIND_CARGO_TOML,
	.check = check,
	.may_fire = may_fire,
};
