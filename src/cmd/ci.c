/*
 * `crabgate ci`: the CI entry point. Detects GitHub Actions or GitLab CI,
 * checks the pull/merge request's change (merge-base(base, head)..head, never
 * the merge commit a pull_request checkout leaves at HEAD), writes the
 * reports asked for, and posts the findings where reviewers look.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/pipeline.h"
#include "forge/forge.h"
#include "memory/memory.h"
#include "report/report.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#ifndef CG_VERSION
#define CG_VERSION "0.0.0"
#endif

static bool is_source_option(const char *a)
{
	static const char *const names[] = { "--staged", "--base", "--range", "--diff", "--all" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(a, names[i], n) && (a[n] == '\0' || a[n] == '='))
			return true;
	}
	return false;
}

/* Fills the change options from the CI's facts; `range` holds a built "A..B". */
static int choose_change(struct cg_pipeline_opts *opts, const struct cg_ci_env *env, struct cg_buf *range)
{
	const char *base = getenv("CRABGATE_BASE");

	if (env->platform != CG_CI_NONE && env->is_review) {
		opts->change.source = CG_SOURCE_RANGE;
		opts->change.base = env->base_sha;
		opts->change.head = env->head_sha;
		return 0;
	}
	if (base && *base) {
		opts->change.source = CG_SOURCE_RANGE;
		opts->change.base = base;
		opts->change.head = env->head_sha[0] ? env->head_sha : NULL;
		return 0;
	}
	if (env->platform == CG_CI_NONE)
		return cg_error_set(CG_E_USAGE,
				    "ci: no CI detected (neither GITHUB_ACTIONS nor GITLAB_CI is true) and "
				    "CRABGATE_BASE is not set: set CRABGATE_BASE to the branch or commit the "
				    "change is compared with, or run `crabgate check --base REF`");
	if (!env->head_sha[0])
		return cg_error_set(CG_E_USAGE,
				    "ci: %s without a commit to check (GITHUB_SHA / CI_COMMIT_SHA unset); set "
				    "CRABGATE_BASE",
				    cg_ci_platform_name(env->platform));
	/* A push: what it added to the branch. A new branch has no old tip: its last commit. */
	if (env->before[0])
		cg_buf_printf(range, "%s..%s", env->before, env->head_sha);
	else
		cg_buf_printf(range, "%s~1..%s", env->head_sha, env->head_sha);
	opts->change.source = CG_SOURCE_RANGE;
	opts->change.range = range->ptr;
	return 0;
}

static void describe(const struct cg_ci_env *env, const struct cg_pipeline_opts *opts)
{
	if (env->platform == CG_CI_NONE) {
		cg_info("ci: no CI detected (neither GITHUB_ACTIONS nor GITLAB_CI is true); checking like `crabgate "
			"check "
			"--base %s`",
			opts->change.base ? opts->change.base : "?");
		return;
	}
	if (env->is_review)
		cg_info("ci: %s, %s %s%ld%s%s, checking merge-base(%.12s, %.12s)..%.12s",
			cg_ci_platform_name(env->platform),
			env->platform == CG_CI_GITHUB ? env->event : "merge request",
			env->platform == CG_CI_GITHUB ? "#" : "!", env->number, env->repo ? " in " : "",
			env->repo ? env->repo : "", env->base_sha, env->head_sha, env->head_sha);
	else
		cg_info("ci: %s, %s event, no pull/merge request: checking %s", cg_ci_platform_name(env->platform),
			*env->event ? env->event : "unknown",
			opts->change.range  ? opts->change.range
			: opts->change.base ? opts->change.base
					    : "the change");
}

static void log_result(const struct cg_forge_result *r, bool is_dry_run, const char *where)
{
	struct cg_buf why = CG_BUF_INIT;
	const struct {
		size_t n;
		const char *what;
	} parts[] = {
		{ r->already_posted, "already posted" }, { r->off_diff, "off the diff" },
		{ r->over_limit, "past the limit" },	 { r->refused, "refused by the server" },
		{ r->resolved, "marked fixed" },	 { r->existing_read, "existing comments read" },
	};

	if (r->is_fallback)
		return; /* the forge said why, once */
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].n)
			cg_buf_printf(&why, "%s%zu %s", why.size ? ", " : "", parts[i].n, parts[i].what);
	cg_info("ci: %s %zu inline comment%s on %s%s%s%s", is_dry_run ? "would post" : "posted", r->inline_posted,
		r->inline_posted == 1 ? "" : "s", where, why.size ? " (" : "", why.ptr, why.size ? ")" : "");
	if (r->is_summary_created)
		cg_info("ci: summary comment created");
	else if (r->is_summary_updated)
		cg_info("ci: summary comment updated");
	cg_buf_release(&why);
}

/*
 * Commits the memory files on the PR's head and pushes them to its branch
 * (src/memory). A failure is reported and leaves the exit status alone: the
 * findings decide the check, and the log names what went wrong.
 */
static void update_memory(struct cg_pipeline *p, const struct cg_ci_env *env)
{
	const struct cg_memory_review review = { p->review.summary, (const char *const *)p->review.lessons,
						 p->review.nlessons, (const char *const *)p->review.todos,
						 p->review.ntodos };
	const char *remote = getenv("CRABGATE_MEMORY_REMOTE");
	struct cg_memory_ci mci = { 0 };
	struct cg_memory_result r;
	int err;

	if (!env->branch) {
		cg_warn("ci: memory update skipped: no branch to push to (detached run, tag, or unknown event)");
		return;
	}
	mci.forge = env->platform == CG_CI_GITLAB ? CG_MEMORY_FORGE_GITLAB : CG_MEMORY_FORGE_GITHUB;
	mci.pr_number = env->is_review ? env->number : 0;
	mci.title = env->title;
	mci.branch = env->branch;
	mci.head_sha = env->head_sha;
	/* CRABGATE_MEMORY_REMOTE: another remote (a name, URL or path), e.g. a mirror or a test's bare repository. */
	mci.remote = remote && *remote ? remote : env->push_url;
	mci.token = env->token;
	mci.is_fork = env->is_fork;
	if (!mci.remote) {
		cg_warn("ci: memory update skipped: the repository URL is unknown; set CRABGATE_MEMORY_REMOTE");
		return;
	}
	cg_memory_result_init(&r);
	err = cg_memory_update_ci(&r, cg_globals.repo, cg_globals.cfg, &p->change, &p->findings, &review, &mci);
	/* On failure there is no outcome to tell (an empty "skipped: "): the warning below says what went wrong. */
	if (!err)
		cg_memory_result_log(&r);
	if (r.diff.size)
		cg_info("ci: the memory files would change like this (not pushed: %s):\n%s", r.reason, r.diff.ptr);
	if (err < 0)
		cg_warn("ci: memory update failed: %s", cg_error_last());
	cg_memory_result_release(&r);
}

int cmd_ci(int argc, char **argv)
{
	struct cg_pipeline_opts opts = { .change = CG_CHANGE_OPTS_INIT };
	const struct cg_conf_node *fcfg = cg_conf_child(cg_globals.cfg->root, "forge");
	struct cg_forge_opts fopts = { 0 };
	struct cg_forge_result result = { 0 };
	struct cg_ci_env env = { 0 };
	struct cg_pipeline p;
	struct cg_report_skipped *skipped = NULL;
	struct cg_report_input report = { 0 };
	struct cg_forge_input fin = { 0 };
	struct cg_buf range = CG_BUF_INIT, link = CG_BUF_INIT;
	char **args = cg_calloc((size_t)argc + 1, sizeof(*args));
	bool has_source = false, has_pipeline = false, should_post, should_update_memory = false, is_post_off = false;
	int nargs = 0, err, status = CG_EXIT_USAGE;
	long max_inline;

	memset(&p, 0, sizeof(p));
	/* --dry-run is ci's own; the rest are the options every checking command shares. */
	for (int i = 0; i < argc; i++) {
		if (i > 0 && !strcmp(argv[i], "--dry-run")) {
			fopts.is_dry_run = true;
			continue;
		}
		if (i > 0 && !strcmp(argv[i], "--no-post")) {
			is_post_off = true;
			continue;
		}
		if (i > 0 && is_source_option(argv[i]))
			has_source = true;
		args[nargs++] = argv[i];
	}
	if ((err = cg_pipeline_opts_from_config(&opts, cg_globals.cfg)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	/* In CI the model review runs when a provider is configured or found; --no-review wins. */
	opts.review.mode = CG_REVIEW_AUTO;
	err = cg_check_parse_args(&opts, nargs, args, "ci");
	if (err == 1) {
		status = CG_EXIT_CLEAN;
		goto done;
	}
	if (err < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}

	if ((err = cg_ci_detect(&env)) < 0) {
		cg_err("ci: %s", cg_error_last());
		goto done;
	}
	if (!has_source && (err = choose_change(&opts, &env, &range)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	if (has_source)
		cg_info("ci: %s; the change comes from the command line", cg_ci_platform_name(env.platform));
	else
		describe(&env, &opts);

	/* In CI the memory files are pushed to the PR's branch below, not committed locally. */
	if (env.platform != CG_CI_NONE && !has_source) {
		should_update_memory = opts.update_memory;
		opts.update_memory = false;
	}
	/* A shallow clone lacking the base fails here with the fix (fetch-depth: 0 / GIT_DEPTH: 0) named. */
	has_pipeline = true;
	if ((err = cg_pipeline_run(&p, cg_globals.repo, cg_globals.cfg, &opts)) < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
		goto done;
	}
	status = p.exit_status;

	skipped = cg_calloc(p.stats.nskipped + 1, sizeof(*skipped));
	for (size_t i = 0; i < p.stats.nskipped; i++) {
		skipped[i].path = p.stats.skipped[i].path;
		skipped[i].reason = p.stats.skipped[i].reason;
	}
	report.tool_version = CG_VERSION;
	report.source = cg_change_source_name(p.change.source);
	report.base = p.change.base;
	report.head = p.change.head;
	report.files = p.change.nfiles;
	report.findings = &p.findings;
	report.skipped = skipped;
	report.nskipped = p.stats.nskipped;
	report.review_summary = p.review.summary;
	report.notes = (const char *const *)p.review.notes;
	report.nnotes = p.review.nnotes;
	if (env.platform == CG_CI_GITHUB && env.server_url && env.repo && p.change.head[0]) {
		cg_buf_printf(&link, "%s/%s/blob/%s/", env.server_url, env.repo, p.change.head);
		report.link_base = link.ptr;
	}
	fin.env = &env;
	fin.repo = cg_globals.repo;
	fin.change = &p.change;
	fin.findings = &p.findings;
	fin.report = &report;
	for (size_t i = 0; i < opts.noutputs; i++)
		if (!strcmp(opts.outputs[i].format, "github") &&
		    (!opts.outputs[i].path || !strcmp(opts.outputs[i].path, "-")))
			fin.has_annotations = true;

	max_inline = cg_conf_int(fcfg, "max_inline_comments", 30);
	fopts.max_inline = max_inline < 0 ? 0 : (size_t)max_inline;
	fopts.should_resolve_outdated = cg_conf_bool(fcfg, "resolve_outdated", false);
	fopts.should_request_changes = !strcmp(cg_conf_str(fcfg, "review_event", "COMMENT"), "REQUEST_CHANGES");
	fopts.has_summary_comment = cg_conf_bool(fcfg, "summary_comment", true);
	/* Clamped like max_inline: at least a second, at most an hour. */
	fopts.timeout_s = cg_conf_int(fcfg, "timeout_s", 60);
	fopts.timeout_s = fopts.timeout_s < 1 ? 1 : fopts.timeout_s > 3600 ? 3600 : fopts.timeout_s;
	should_post = cg_conf_bool(fcfg, "post_comments", true) && !is_post_off;

	err = 0;
	if (env.platform == CG_CI_GITHUB && env.is_review && should_post && !has_source)
		err = cg_forge_github_post(&result, &fin, &fopts);
	else if (env.platform == CG_CI_GITLAB && env.is_review && should_post && !has_source)
		err = cg_forge_gitlab_post(&result, &fin, &fopts);
	else if (env.platform == CG_CI_GITHUB && !fopts.is_dry_run)
		err = cg_forge_github_annotate(&fin, env.is_review
							     ? "Posting is off (--no-post or forge.post_comments): no "
							       "review was posted."
							     : NULL);
	else if (fopts.is_dry_run)
		cg_info("ci --dry-run: nothing would be posted (%s)",
			env.is_review ? "posting is off" : "no pull/merge request to post to");
	if (err < 0) {
		cg_err("ci: posting the findings failed: %s", cg_error_last());
		if (cg_conf_bool(fcfg, "fail_on_post_error", false))
			status = CG_EXIT_RUNTIME;
		else
			cg_warn("ci: the findings above stand; forge.fail_on_post_error: true makes this exit 3");
	} else if (env.is_review && should_post && !has_source) {
		log_result(&result, fopts.is_dry_run,
			   env.platform == CG_CI_GITHUB ? "the pull request" : "the merge request");
	}

	/*
	 * Last: a failed post must not stop the memory, and the memory commit
	 * (a new head of the PR) comes after the review posted for this head.
	 */
	if (should_update_memory && fopts.is_dry_run)
		cg_info("ci --dry-run: the memory files are not updated (a dry run writes nothing)");
	else if (should_update_memory)
		update_memory(&p, &env);

done:
	cg_forge_result_release(&result);
	if (has_pipeline)
		cg_pipeline_release(&p);
	cg_ci_env_release(&env);
	free(skipped);
	free(args);
	cg_buf_release(&range);
	cg_buf_release(&link);
	return status;
}
