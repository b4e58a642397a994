/*
 * The rule pass's driver: for each file, the rules that may fire, the
 * parse they need, their findings, then suppressions, fingerprints, the
 * baseline and the filter (pass.h names the file of each).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/pass.h"
#include "crate/cache.h"
#include "crate/workspace.h"
#include "rules/gate.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

void cg_pass_stats_release(struct cg_pass_stats *stats)
{
	for (size_t i = 0; i < stats->nskipped; i++)
		free(stats->skipped[i].path);
	free(stats->skipped);
	memset(stats, 0, sizeof(*stats));
}

static void note_skipped(struct cg_pass_stats *stats, const char *path, const char *reason)
{
	cg_array_grow((void **)&stats->skipped, &stats->skipped_cap, stats->nskipped + 1, sizeof(*stats->skipped));
	stats->skipped[stats->nskipped].path = cg_strdup(path);
	stats->skipped[stats->nskipped].reason = reason;
	stats->nskipped++;
	stats->files_skipped++;
}

/* Fingerprints the file's findings (text only) and moves the visible ones to `out`. */
static void finish_file(struct cg_findings *out, struct cg_findings *raw, const struct cg_changed_file *file,
			const struct cg_source *src, const struct pass_env *env)
{
	struct cg_fingerprint_slot *slots = cg_calloc(raw->len ? raw->len : 1, sizeof(*slots));

	cg_findings_sort(raw);
	cg_pass__fingerprint_all(raw, src, slots);
	if (env->nbaseline)
		cg_pass__mark_baselined(raw, slots, src, file, env);
	free(slots);
	for (size_t i = 0; i < raw->len; i++) {
		struct cg_finding *f = &raw->items[i];
		if (!cg_pass__visible(file, f, env->filter))
			continue;
		*cg_findings_add(out) = *f;
		memset(f, 0, sizeof(*f));
	}
	cg_findings_release(raw);
}

static int pass_env_init(struct pass_env *env, const struct cg_config *cfg, const struct cg_pass_opts *opts)
{
	const char *sev;
	int err;

	memset(env, 0, sizeof(*env));
	env->filter = opts->filter;
	env->is_reference_run = opts->is_reference_run;
	env->allow_rule = cg_rule_find("allow-without-reason");
	env->allow_cfg = cg_config_get(cfg, "rules.allow-without-reason");
	env->allow_sev = env->allow_rule ? env->allow_rule->default_severity : CG_SEV_OFF;
	sev = cg_conf_str(env->allow_cfg, "severity", NULL);
	if (sev && cg_severity_parse(&env->allow_sev, sev) < 0)
		return cg_error_set(CG_E_CONFIG, "rules.allow-without-reason.severity: %s", cg_error_last());
	if (env->allow_rule && !cg_conf_bool(env->allow_cfg, "enabled", !env->allow_rule->is_opt_in))
		env->allow_sev = CG_SEV_OFF;
	if ((err = cg_pass__baseline_load(&env->baseline, &env->nbaseline, opts->baseline_path)) < 0)
		return err;
	return 0;
}

static void pass_env_release(struct pass_env *env)
{
	for (size_t i = 0; i < env->nbaseline; i++)
		free(env->baseline[i]);
	free(env->baseline);
	memset(env, 0, sizeof(*env));
}

void cg_pass__fill_ctx(struct cg_rule_ctx *ctx, const struct pass_run *run, const struct rule_slot *slot,
		       const struct cg_changed_file *file, unsigned kind)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->rule = slot->rule;
	ctx->cfg = run->cfg;
	ctx->rule_cfg = slot->cfg;
	ctx->severity = slot->severity;
	ctx->change = run->change;
	ctx->file = file;
	ctx->kind = (enum cg_file_kind)kind;
	ctx->path = file->path;
	ctx->cargo = run->cargo;
	ctx->gate = run->gate;
	ctx->filter = run->env->filter;
}

/*
 * The enabled rules that want this file and, by their cheap byte prefilter,
 * may fire on it. None left means the file need not even be parsed.
 */
static int select_rules(struct rule_slot *slots, size_t *nslots, const struct pass_run *run,
			const struct cg_changed_file *file, unsigned kind, const char *text, size_t len)
{
	*nslots = 0;
	for (size_t r = 0; r < cg_nrules; r++) {
		const struct cg_rule *rule = cg_rules[r];
		const struct cg_conf_node *rc = cg_conf_child(run->rules_cfg, rule->id);
		const char *sev_name = cg_conf_str(rc, "severity", NULL);
		struct rule_slot slot = { rule, rc, rule->default_severity };
		struct cg_rule_ctx ctx;

		if (!rule->check || !(rule->wants & kind))
			continue;
		if (!cg_conf_bool(rc, "enabled", !rule->is_opt_in))
			continue;
		if (sev_name && cg_severity_parse(&slot.severity, sev_name) < 0)
			return cg_error_set(CG_E_CONFIG, "rules.%s.severity: %s", rule->id, cg_error_last());
		if (slot.severity == CG_SEV_OFF || (rc && cg_conf_seq_glob(rc, "skip", file->path)))
			continue;
		cg_pass__fill_ctx(&ctx, run, &slot, file, kind);
		if (run->env->is_reference_run) {
			slot.reads_tree = true;
		} else {
			if (rule->may_fire && !rule->may_fire(&ctx, text, len))
				continue;
			slot.reads_tree = !rule->needs_tree || rule->needs_tree(&ctx);
		}
		slots[(*nslots)++] = slot;
	}
	return 0;
}

/* Whether any selected rule reads this file's tree. */
static bool needs_tree(const struct rule_slot *slots, size_t nslots)
{
	for (size_t r = 0; r < nslots; r++)
		if (slots[r].reads_tree)
			return true;
	return false;
}

/* Runs the selected rules over the parsed file; their findings go to `raw`. */
int cg_pass__run_rules(struct cg_findings *raw, const struct pass_run *run, const struct rule_slot *slots,
		       size_t nslots, const struct cg_changed_file *file, unsigned kind, const struct cg_source *src,
		       struct cg_rust_file *rust)
{
	int err = 0;
	for (size_t r = 0; r < nslots && err >= 0; r++) {
		struct cg_rule_ctx ctx;
		cg_pass__fill_ctx(&ctx, run, &slots[r], file, kind);
		ctx.src = src;
		ctx.file_data = rust;
		ctx.sink = raw;
		err = slots[r].rule->check(&ctx);
	}
	return err < 0 ? err : 0;
}

/* The file's text (its own, or `scratch` holds it), or why it is not checked (*skip, and then no text). */
static int open_text(const char **text, size_t *len, const char **skip, struct cg_buf *scratch,
		     const struct pass_run *run, const struct cg_changed_file *file)
{
	if (cg_conf_seq_glob(run->cfg->root, "exclude", file->path)) {
		*skip = "excluded by config";
		return 0;
	}
	return cg_change_text(run->change, file, scratch, text, len, skip);
}

/* Parses the whole file and runs the rules; *is_unparsable when the parse fails. */
static int run_whole(bool *is_unparsable, struct cg_findings *raw, const struct pass_run *run,
		     const struct rule_slot *slots, size_t nslots, const struct cg_changed_file *file, unsigned kind,
		     struct cg_source *src)
{
	struct cg_rust_file *rust = NULL;
	int err;

	if (cg_source_parse_ranges(src, NULL, 0) < 0) {
		*is_unparsable = true;
		return 0;
	}
	if (kind == CG_KIND_RUST)
		rust = cg_rust_file_new(src);
	err = cg_pass__run_rules(raw, run, slots, nslots, file, kind, src, rust);
	cg_rust_file_free(rust);
	return err;
}

static void count_parse(struct pass_run *run, enum cg_plan_result plan, size_t bytes)
{
	bool is_whole = plan == CG_PLAN_WHOLE_FILE;
	__atomic_fetch_add(is_whole ? &run->nwhole : &run->npartial, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(is_whole ? &run->whole_bytes : &run->partial_bytes, bytes, __ATOMIC_RELAXED);
}

/*
 * Runs the selected rules over the cheapest parse that serves them: none,
 * a slice at a time, the items that matter, or the whole file (plan.c).
 * Settled findings go to `out` (slices) or stay in `raw` for finish_file.
 */
static int run_planned(bool *is_unparsable, struct cg_findings *out, struct cg_findings *raw, struct pass_run *run,
		       const struct rule_slot *slots, size_t nslots, const struct cg_changed_file *file, unsigned kind,
		       struct cg_source *src)
{
	enum cg_plan_result plan = CG_PLAN_WHOLE_FILE;
	int err;

	*is_unparsable = false;
	if (!needs_tree(slots, nslots))
		err = cg_pass__run_rules(raw, run, slots, nslots, file, kind, src, NULL);
	else if (kind != CG_KIND_RUST || run->env->is_reference_run)
		err = run_whole(is_unparsable, raw, run, slots, nslots, file, kind, src);
	else {
		if (src->len > CG_CHUNKED_FILE_MIN &&
		    ((err = cg_pass__run_in_slices(&plan, out, raw, run, slots, nslots, file, src)) < 0 ||
		     plan == CG_PLAN_DONE))
			return err; /* checked and settled slice by slice */
		err = cg_pass__run_on_items(&plan, raw, run, slots, nslots, file, src);
		if (plan == CG_PLAN_WHOLE_FILE)
			err = run_whole(is_unparsable, raw, run, slots, nslots, file, kind, src);
		count_parse(run, plan, src->len);
	}
	if (!err && !*is_unparsable)
		cg_pass__settle(out, raw, 0, file, src, run->env);
	return err;
}

/* Checks the opened source with the selected rules; an unparsable file is skipped, not an error. */
static int check_source(struct file_result *res, struct pass_run *run, const struct rule_slot *slots, size_t nslots,
			const struct cg_changed_file *file, unsigned kind, struct cg_source *src)
{
	struct cg_findings raw = CG_FINDINGS_INIT;
	bool is_unparsable;
	int err = run_planned(&is_unparsable, &res->out, &raw, run, slots, nslots, file, kind, src);

	if (is_unparsable || err == CG_E_INPUT) {
		res->skip_reason = src->refusal ? src->refusal : "could not be parsed";
		res->is_checked = false;
		cg_error_clear();
		err = 0;
		cg_findings_release(&res->out);
	} else if (!err) {
		finish_file(&res->out, &raw, file, src, run->env);
	}
	cg_findings_release(&raw);
	return err;
}

/* Picks the rules that may fire on the text, and checks it with them. */
static int check_text(struct file_result *res, struct pass_run *run, const struct cg_changed_file *file, unsigned kind,
		      const char *text, size_t len)
{
	struct rule_slot slots[64];
	size_t nslots = 0;
	struct cg_source src;
	int err;

	/*
	 * Megabyte-sized Rust files are generated tables, and checking one costs
	 * about half a second per megabyte of a hook's time; the cap is config
	 * (max_file_bytes) and the skip is listed in every report, never silent.
	 */
	if (run->max_file_bytes && len > run->max_file_bytes) {
		res->skip_reason = CG_SKIP_TOO_LARGE;
		return 0;
	}
	if (cg_nrules > sizeof(slots) / sizeof(slots[0]))
		abort(); /* the registry is ours: a build that outgrows this is a bug */
	if ((err = select_rules(slots, &nslots, run, file, kind, text, len)) < 0)
		return err;
	res->is_checked = true;
	if (!nslots)
		return 0; /* no rule can fire here: no need to parse */
	if (cg_source_open(&src, kind == CG_KIND_RUST ? CG_LANG_RUST : CG_LANG_TOML, text, len) < 0) {
		res->skip_reason = "could not be parsed";
		res->is_checked = false;
		cg_error_clear();
		return 0;
	}
	err = check_source(res, run, slots, nslots, file, kind, &src);
	cg_source_release(&src);
	return err;
}

int cg_pass__check_file(struct pass_run *run, size_t i)
{
	const struct cg_changed_file *file = &run->change->files[i];
	struct file_result *res = &run->results[i];
	unsigned kind = cg_file_kind_of(file->path);
	struct cg_buf scratch = CG_BUF_INIT;
	const char *text = NULL;
	size_t len = 0;
	int err;

	if (!kind)
		return 0;
	/* A text read for this file alone is dropped after it: memory stays flat over large changes. */
	if ((err = open_text(&text, &len, &res->skip_reason, &scratch, run, file)) == 0 && !res->skip_reason)
		err = check_text(res, run, file, kind, text, len);
	cg_buf_release(&scratch);
	return err;
}

/* Moves each file's findings, skips and first error to the caller, in file order. */
static int merge_results(struct cg_findings *out, struct cg_pass_stats *stats, struct pass_run *run)
{
	int err = 0;

	for (size_t i = 0; i < run->change->nfiles; i++) {
		struct file_result *res = &run->results[i];
		if (res->err < 0 && !err)
			err = cg_error_set(res->err, "%s", res->errmsg);
		if (res->skip_reason)
			note_skipped(stats, run->change->files[i].path, res->skip_reason);
		if (res->is_checked)
			stats->files_checked++;
		for (size_t k = 0; k < res->out.len; k++) {
			*cg_findings_add(out) = res->out.items[k];
			memset(&res->out.items[k], 0, sizeof(res->out.items[k]));
		}
		res->out.len = 0;
		cg_findings_release(&res->out);
		free(res->errmsg);
	}
	return err;
}

int cg_rules_run(struct cg_findings *out, struct cg_pass_stats *stats, const struct cg_change *change,
		 const struct cg_config *cfg, const struct cg_pass_opts *opts)
{
	struct pass_env env;
	struct pass_run run = { 0 };
	struct cg_disk_cache *disk = NULL;
	int err = 0;

	if ((err = pass_env_init(&env, cfg, opts)) < 0)
		goto done;
	run.change = change;
	run.cfg = cfg;
	run.rules_cfg = cg_config_get(cfg, "rules");
	run.env = &env;
	run.cargo = cg_crate_cache_new(change);
	run.gate = cg_gate_cache_new();
	run.max_file_bytes = opts->max_file_bytes;
	run.opts = opts;
	cg_crate_cache_set_max_file(run.cargo, run.max_file_bytes);
	if (opts->is_cache_used && cg_change_git(change) &&
	    cg_disk_cache_open(&disk, cg_change_git(change), opts->cache_max_bytes) < 0)
		cg_error_clear(); /* no git directory: the run keeps its summaries to itself */
	cg_crate_cache_set_disk(run.cargo, disk);
	run.results = cg_calloc(change->nfiles ? change->nfiles : 1, sizeof(*run.results));
	pthread_mutex_init(&run.lock, NULL);
	cg_pass__run_pool(&run, opts->jobs);
	err = merge_results(out, stats, &run);
	if (!err)
		cg_findings_sort(out);
	pthread_mutex_destroy(&run.lock);
done:
	free(run.results);
	if (run.cargo) {
		struct cg_crate_counts counts;
		cg_crate_cache_counts(run.cargo, &counts);
		cg_verbose("crate model: %zu summaries read from the cache, %zu computed, %zu files read, %zu fn "
			   "bodies parsed",
			   counts.summaries_cached, counts.summaries_built, counts.files_read, counts.bodies_read);
	}
	cg_verbose("rust files: %zu parsed whole (%zu bytes), %zu in part or not at all (%zu bytes)", run.nwhole,
		   run.whole_bytes, run.npartial, run.partial_bytes);
	cg_crate_cache_free(run.cargo);
	cg_disk_cache_close(disk);
	cg_gate_cache_free(run.gate);
	pass_env_release(&env);
	return err;
}
