#ifndef CG_RULES_PASS_H
#define CG_RULES_PASS_H

/*
 * Private to the rule pass (pass.c and the files it is split into); rules
 * never include it. The pass reads each changed file once, picks the rules
 * that may fire on it (pass.c), parses what they need (plan.c), runs them,
 * settles suppressions against the tree (allow.c), fingerprints (fingerprint.c),
 * applies the baseline (baseline.c) and the filter (filter.c), on a pool of
 * threads (pool.c).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "rules/rule.h"
#include "syntax/rust.h"

#define CG_ALLOW_MARK "crabgate:allow("

/* The settings the pass needs for every file, looked up once. */
struct pass_env {
	enum cg_filter filter;
	bool is_reference_run; /* cg_pass_opts.is_reference_run */
	char **baseline;
	size_t nbaseline;
	const struct cg_rule *allow_rule;
	const struct cg_conf_node *allow_cfg;
	enum cg_severity allow_sev; /* CG_SEV_OFF: bare allows are not reported */
};

/* A rule that applies to one file, with its configured severity. */
struct rule_slot {
	const struct cg_rule *rule;
	const struct cg_conf_node *cfg;
	enum cg_severity severity;
	bool reads_tree; /* its needs_tree for this file, asked once */
};

/* What checking one file produced; merged in file order, so output never depends on threads. */
struct file_result {
	struct cg_findings out;
	const char *skip_reason;
	bool is_checked;
	int err;
	char *errmsg;
};

/* Everything the workers share; only `next` and `is_stopped` change, under `lock`. */
struct pass_run {
	const struct cg_change *change;
	const struct cg_config *cfg;
	const struct cg_conf_node *rules_cfg;
	const struct pass_env *env;
	struct cg_crate_cache *cargo;
	struct cg_gate_cache *gate;
	size_t max_file_bytes;
	struct file_result *results;
	const struct cg_pass_opts *opts;
	size_t next, done;
	size_t *order; /* the files in the order the workers take them (pool.c) */
	/* For -v: Rust files parsed whole, and in part (plan.c), with their bytes; atomic. */
	size_t nwhole, whole_bytes, npartial, partial_bytes;
	bool is_stopped;
	pthread_mutex_t lock;
};

/* qsort/bsearch comparator of `char *` elements. */
int cg_pass__cmp_str(const void *a, const void *b);

/* filter.c: whether a finding, or any line of [first, last], shows under the filter. */
bool cg_pass__visible(const struct cg_changed_file *f, const struct cg_finding *fd, enum cg_filter filter);
bool cg_pass__lines_visible(const struct cg_changed_file *f, enum cg_filter filter, uint32_t first, uint32_t last);

/* pass.c: the rule context of one selected rule on one file, without tree. */
void cg_pass__fill_ctx(struct cg_rule_ctx *ctx, const struct pass_run *run, const struct rule_slot *slot,
		       const struct cg_changed_file *file, unsigned kind);
/* pass.c: runs the selected rules over the parsed file; their findings go to `raw`. */
int cg_pass__run_rules(struct cg_findings *raw, const struct pass_run *run, const struct rule_slot *slots,
		       size_t nslots, const struct cg_changed_file *file, unsigned kind, const struct cg_source *src,
		       struct cg_rust_file *rust);
/* pass.c: reads, parses and checks change->files[i] into run->results[i]. */
int cg_pass__check_file(struct pass_run *run, size_t i);

/* allow.c: source lines and `crabgate:allow` comments of raw[from..], while `src` has its tree. */
void cg_pass__settle(struct cg_findings *out, struct cg_findings *raw, size_t from, const struct cg_changed_file *file,
		     struct cg_source *src, const struct pass_env *env);

/* fingerprint.c */
/* Lines longer than this (minified or generated) are hashed and shown only around the span. */
#define CG_LONG_LINE 4096
/* The text a fingerprint hashes for finding `f`. */
void cg_pass__span_text(struct cg_buf *out, const struct cg_source *src, const struct cg_finding *f);
/* Fingerprints every raw finding; `slots` gets the groups of identical ones. */
void cg_pass__fingerprint_all(struct cg_findings *raw, const struct cg_source *src, struct cg_fingerprint_slot *slots);

/* baseline.c */
int cg_pass__baseline_load(char ***fps, size_t *n, const char *path);
bool cg_pass__is_baselined(const struct pass_env *env, const char *fingerprint);
void cg_pass__mark_baselined(struct cg_findings *raw, const struct cg_fingerprint_slot *slots,
			     const struct cg_source *src, const struct cg_changed_file *file,
			     const struct pass_env *env);

/* plan.c: how a Rust file that some rule reads the tree of gets parsed and checked. */
enum cg_plan_result {
	CG_PLAN_DONE,	    /* checked: the findings are in `raw` (and `out` for slices) */
	CG_PLAN_WHOLE_FILE, /* not checked: parse the file whole */
};
/* A huge file, a slice of top-level items at a time; settled findings go to `out`. */
int cg_pass__run_in_slices(enum cg_plan_result *result, struct cg_findings *out, struct cg_findings *raw,
			   const struct pass_run *run, const struct rule_slot *slots, size_t nslots,
			   const struct cg_changed_file *file, struct cg_source *src);
/* Only the top-level items that can matter, when every tree-reading rule is item-local. */
int cg_pass__run_on_items(enum cg_plan_result *result, struct cg_findings *raw, const struct pass_run *run,
			  const struct rule_slot *slots, size_t nslots, const struct cg_changed_file *file,
			  struct cg_source *src);
/* Files bigger than this are parsed a slice at a time. */
#define CG_CHUNKED_FILE_MIN (4u << 20)

/* pool.c: checks every file of run->change on `jobs` threads (0: one per core, at most 8). */
void cg_pass__run_pool(struct pass_run *run, unsigned jobs);

#endif
