#ifndef CG_RULES_RULE_H
#define CG_RULES_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "change/change.h"
#include "config/config.h"
#include "crate/manifest.h"
#include "finding/finding.h"
#include "syntax/syntax.h"

/*
 * The rule framework. A rule is one file and one row in registry.c: it is
 * handed each changed file of the kinds it wants, parsed once and shared,
 * and emits findings anywhere in the file; the pass filters them to the
 * change, applies suppressions and the baseline, and fingerprints them.
 */
enum cg_file_kind {
	CG_KIND_RUST = 1 << 0,	     /* *.rs */
	CG_KIND_CARGO_TOML = 1 << 1, /* Cargo.toml */
	CG_KIND_CARGO_LOCK = 1 << 2, /* Cargo.lock */
};

enum cg_filter { CG_FILTER_ADDED, CG_FILTER_DIFF_CONTEXT, CG_FILTER_FILE, CG_FILTER_ALL };

struct cg_rule_ctx;
struct cg_crate_cache; /* crate/workspace.h */
struct cg_rust_file;   /* syntax/rust.h */

struct cg_rule {
	const char *id;
	enum cg_severity default_severity;
	/*
	 * Off unless a configuration turns it on: a rule not yet right 19 times
	 * in 20 on real code (bench/RESULTS.md) starts this way.
	 */
	bool is_opt_in;
	const char *summary; /* one line, for `crabgate rules` and SARIF */
	const char *explain; /* long text with a bad and a good example */
	unsigned wants;	     /* CG_KIND_* */
	int (*check)(struct cg_rule_ctx *ctx);
	/*
	 * Optional, and cheap: false when the rule cannot fire on this file,
	 * judged from its bytes, path and config (ctx has no tree yet). When no
	 * rule may fire, the file is not parsed at all: this is what keeps a
	 * pre-commit hook instant. NULL means "may fire". Asked of the whole
	 * file with ctx->src unset, then of each item (cg_pass__run_on_items)
	 * with ctx->src the unparsed file, which places the bytes in it.
	 */
	bool (*may_fire)(const struct cg_rule_ctx *ctx, const char *text, size_t len);
	/*
	 * Optional, judged like may_fire: false when the rule reads only this
	 * file's text and line index, never its tree (ctx->src->tree is then
	 * NULL and ctx->file_data too). When no selected rule needs a tree, the
	 * file is not parsed. NULL means it needs one.
	 */
	bool (*needs_tree)(const struct cg_rule_ctx *ctx);
	/*
	 * True when the rule's findings in a top-level item depend only on that
	 * item, the file's use declarations and inline modules, and the names of
	 * its fns, and its may_fire passes on the bytes of any item it could
	 * report in (or on a use declaration that names what it looks for), and
	 * it reports nothing in use declarations, `extern crate`s, inner
	 * attributes or `mod x;` lines. Then the pass may parse just the items
	 * that can matter (plan.c, cg_pass__run_on_items).
	 *
	 * A wrong hook loses findings without a sound: unit.test_rules_hooks
	 * runs every rule with and without the three hooks over real code and
	 * fails when the findings differ. Run it after adding or changing one.
	 */
	bool is_item_local;
	/*
	 * is_item_local, and the same of the members of an impl or trait block:
	 * a finding in a member depends only on that member and the block's head
	 * (`impl<T> Foo<T> for Bar {`, its attributes), never on its sibling
	 * members, and may_fire passes on the bytes of any member it could
	 * report in. Then the pass parses such a block's head, the members that
	 * can matter and its closing brace (plan.c).
	 */
	bool is_member_local;
};

struct cg_rule_ctx {
	const struct cg_rule *rule;
	const struct cg_config *cfg;
	const struct cg_conf_node *rule_cfg; /* rules.<id> */
	enum cg_severity severity;	     /* configured */
	const struct cg_change *change; /* read-only: files it did not touch are read through it (cg_change_read) */
	const struct cg_changed_file *file;
	enum cg_file_kind kind;
	const char *path;
	const struct cg_source *src; /* the parsed file */
	/* The shared analyses of a Rust file (use map, fn names); NULL without a tree. */
	const struct cg_rust_file *file_data;
	struct cg_crate_cache *cargo; /* crates and manifests, read once per run (crate/workspace.h) */
	struct cg_gate_cache *gate;   /* parent module files' declarations, per run (rules/gate.h) */
	struct cg_findings *sink;     /* raw findings of this file */
	enum cg_filter filter;	      /* which findings the pass will show */
};

struct cg_span {
	uint32_t line, column, end_line, end_column; /* 1-based; end_column exclusive */
};

/*
 * One edit of a fix: bytes [start, end) of the rule's file become
 * `replacement`. With a `path` (repository-relative) the edit creates that
 * file, which the change does not have: start and end are then 0.
 */
struct cg_emit_edit {
	uint32_t start, end;
	const char *replacement;
	const char *path; /* NULL: the rule's file */
	/* Away from the finding and not needed for the fix to build (an unused `use` it drops): no suggestion shows it.
	 */
	bool is_aside;
};

struct cg_emit {
	struct cg_span span;
	const char *message;
	const char *help;	   /* may be NULL */
	enum cg_severity severity; /* CG_SEV_OFF: the configured one */
	/* The fix, when the rule has one: edits of this file (or new ones), in any order, not overlapping. */
	const struct cg_emit_edit *edits;
	size_t nedits;
	enum cg_applicability applicability;
};

/*
 * Records a finding at `e->span`, with its fix (a fix whose edits overlap or
 * run past the file is dropped); the pass decides later whether it shows.
 */
void cg_rule_emit(struct cg_rule_ctx *ctx, const struct cg_emit *e);
struct cg_span cg_span_of(TSNode node);
/* The span of a place in a Cargo manifest or lock file (crate/manifest.h). */
struct cg_span cg_span_of_pos(struct cg_crate_pos pos);

/*
 * The text a new memory file starts with, what `crabgate init --memory` and
 * the missing-memory-files fix write: memories.md, lessons-learned.md,
 * scratchpad.md (memory.files keys memories, lessons, scratchpad), in order.
 */
extern const char *const cg_rule_memory_headers[3];

/* The registry (registry.c): every rule, in the order `crabgate rules` lists them. */
extern const struct cg_rule *const cg_rules[];
extern const size_t cg_nrules;
const struct cg_rule *cg_rule_find(const char *id);

/*
 * The configuration crabgate runs with: cg_config_load's, where every
 * registered rule has its standard settings (enabled, severity, skip, from
 * its row here) even when config.yaml has no block for it, so a project's
 * file may set them. *out is owned by the caller (cg_config_free);
 * CG_E_CONFIG on bad input.
 */
int cg_rules_config_load(struct cg_config **out, const char *repo_root, const char *explicit_path);
struct cg_buf;
/* Every registered rule's standard settings, as YAML (`rules:` and a block per rule). */
void cg_rules_standard_yaml(struct cg_buf *out);
/*
 * The JSON Schema of .crabgate.yaml (schema.c): config.yaml's keys and
 * comments, and a block for every registered rule. *out: caller frees.
 */
int cg_rules_config_schema(char **out);

struct cg_pass_stats {
	size_t files_checked;
	size_t files_skipped;
	struct {
		char *path;
		const char *reason;
	} * skipped; /* owned; each path freed by cg_pass_stats_release */
	size_t nskipped, skipped_cap;
};

struct cg_pass_opts {
	enum cg_filter filter;
	const char *baseline_path; /* NULL: none */
	unsigned jobs;		   /* worker threads; 0 = one per core, at most 8 */
	size_t max_file_bytes;	   /* larger files are skipped; 0 = no limit */
	/*
	 * For tests: run every enabled rule that wants a file on a whole parse,
	 * ignoring may_fire, needs_tree and is_item_local. A run with the hooks
	 * must find exactly what this one finds (tests/unit/test_rules_hooks.c).
	 */
	bool is_reference_run;
	/*
	 * Keep the crate model's file summaries in the repository's git
	 * directory between runs (crate/cache.h; cache.enabled, --no-cache),
	 * bounded to cache_max_bytes (0: the default).
	 */
	bool is_cache_used;
	size_t cache_max_bytes;
	/*
	 * Called after each file with how many of the change's files are done,
	 * from whichever thread finished one, one call at a time (under the
	 * pass's lock: keep it short); NULL: none.
	 */
	void (*progress)(void *payload, size_t done, size_t total);
	void *progress_payload;
};

/*
 * Runs every enabled rule over the change's files and appends visible and
 * suppressed findings to `out`, sorted. The change is only read: for
 * --filter all the caller first has the tree's other files join it
 * (cg_change_add_unchanged(change, cg_rules_reads_path)). Errors: CG_E_CONFIG for a bad rule
 * setting, CG_E_GIT/IO when content cannot be read.
 */
int cg_rules_run(struct cg_findings *out, struct cg_pass_stats *stats, const struct cg_change *change,
		 const struct cg_config *cfg, const struct cg_pass_opts *opts);
void cg_pass_stats_release(struct cg_pass_stats *stats);

int cg_filter_parse(enum cg_filter *out, const char *name);
const char *cg_filter_name(enum cg_filter filter);
/* Which kind a path is, or 0 when no rule reads it. */
unsigned cg_file_kind_of(const char *path);
/* Whether some rule reads files at `path`: what --filter all adds (cg_change_add_unchanged). */
bool cg_rules_reads_path(const char *path);

/* Reads a baseline file of fingerprints into a sorted list (owned). */
int cg_baseline_load(char ***out, size_t *n, const char *path);
/* Writes the visible findings' fingerprints atomically. */
int cg_baseline_write(const char *path, const struct cg_findings *findings);

#endif
