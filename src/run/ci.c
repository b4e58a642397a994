/*
 * The run in CI: detects the forge's CI, checks the pull/merge request's
 * change (merge-base(base, head)..head, never the merge commit a
 * pull_request checkout leaves at HEAD), writes the reports asked for, posts
 * the findings where reviewers look, and pushes the memory files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forge/forge.h"
#include "run/run.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* Fills the change settings from the CI's facts; `range` holds a built "A..B". */
static int choose_change(struct cg_run_settings *s, const struct cg_ci_env *env, struct cg_buf *range)
{
	const char *base = getenv("CRABGATE_BASE");

	if (env->forge && env->is_review) {
		s->change.source = CG_SOURCE_RANGE;
		s->change.base = env->base_sha;
		s->change.head = env->head_sha;
		return 0;
	}
	if (base && *base) {
		s->change.source = CG_SOURCE_RANGE;
		s->change.base = base;
		s->change.head = env->head_sha[0] ? env->head_sha : NULL;
		return 0;
	}
	if (!env->forge)
		return cg_error_set(CG_E_USAGE,
				    "ci: no CI detected (neither GITHUB_ACTIONS nor GITLAB_CI is true) and "
				    "CRABGATE_BASE is not set: set CRABGATE_BASE to the branch or commit the "
				    "change is compared with, or run `crabgate check --base REF`");
	if (!env->head_sha[0])
		return cg_error_set(CG_E_USAGE,
				    "ci: %s without a commit to check (GITHUB_SHA / CI_COMMIT_SHA unset); set "
				    "CRABGATE_BASE",
				    cg_ci_env_name(env));
	/* A push: what it added to the branch. A new branch has no old tip: its last commit. */
	if (env->before[0])
		cg_buf_printf(range, "%s..%s", env->before, env->head_sha);
	else
		cg_buf_printf(range, "%s~1..%s", env->head_sha, env->head_sha);
	s->change.source = CG_SOURCE_RANGE;
	s->change.range = range->ptr;
	return 0;
}

static void describe(const struct cg_ci_env *env, const struct cg_run_settings *s)
{
	const struct cg_forge *f = env->forge;

	if (!f) {
		cg_info("ci: no CI detected (neither GITHUB_ACTIONS nor GITLAB_CI is true); checking like `crabgate "
			"check "
			"--base %s`",
			s->change.base ? s->change.base : "?");
		return;
	}
	if (env->is_review)
		cg_info("ci: %s, %s %c%ld%s%s, checking merge-base(%.12s, %.12s)..%.12s", f->ci_name,
			f->review_label ? f->review_label : env->event, f->number_sign, env->number,
			env->repo ? " in " : "", env->repo ? env->repo : "", env->base_sha, env->head_sha,
			env->head_sha);
	else
		cg_info("ci: %s, %s event, no pull/merge request: checking %s", f->ci_name,
			*env->event ? env->event : "unknown",
			s->change.range	 ? s->change.range
			: s->change.base ? s->change.base
					 : "the change");
}

/* The forge: section of the config; every value is clamped, none is an error. */
static void forge_opts_from_config(struct cg_forge_opts *out, const struct cg_config *cfg, bool is_dry_run)
{
	const struct cg_conf_node *fcfg = cg_conf_child(cfg->root, "forge");
	long max_inline = cg_conf_int(fcfg, "max_inline_comments", 30);

	memset(out, 0, sizeof(*out));
	out->is_dry_run = is_dry_run;
	out->max_inline = max_inline < 0 ? 0 : (size_t)max_inline;
	out->should_resolve_outdated = cg_conf_bool(fcfg, "resolve_outdated", false);
	out->should_request_changes = !strcmp(cg_conf_str(fcfg, "review_event", "COMMENT"), "REQUEST_CHANGES");
	out->has_summary_comment = cg_conf_bool(fcfg, "summary_comment", true);
	/* Clamped like max_inline: at least a second, at most an hour. */
	out->timeout_s = cg_conf_int(fcfg, "timeout_s", 60);
	out->timeout_s = out->timeout_s < 1 ? 1 : out->timeout_s > 3600 ? 3600 : out->timeout_s;
}

static void log_result(const struct cg_forge_result *r, bool is_dry_run, const char *request)
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
	cg_info("ci: %s %zu inline comment%s on the %s%s%s%s", is_dry_run ? "would post" : "posted", r->inline_posted,
		r->inline_posted == 1 ? "" : "s", request, why.size ? " (" : "", why.ptr, why.size ? ")" : "");
	if (r->is_summary_created)
		cg_info("ci: summary comment created");
	else if (r->is_summary_updated)
		cg_info("ci: summary comment updated");
	cg_buf_release(&why);
}

int cg_run_memory_forge(const struct cg_forge **out, const char **token, const char *name)
{
	const struct cg_forge *f = cg_forge_find(name);
	struct cg_buf names = CG_BUF_INIT;
	int err;

	if (f) {
		*out = f;
		for (size_t k = 0; token && k < 2; k++) {
			const char *v = getenv(f->token_vars[k]);
			*token = v && *v ? v : NULL;
			if (*token)
				break;
		}
		return 0;
	}
	for (size_t k = 0; k < cg_nforges; k++)
		cg_buf_printf(&names, "%s%s", !k ? "" : k + 1 == cg_nforges ? " or " : ", ", cg_forges[k]->name);
	err = cg_error_set(CG_E_USAGE, "memory: --forge '%s': expected %s", name, names.ptr);
	cg_buf_release(&names);
	return err;
}

/*
 * Commits the memory files on the PR's head and pushes them to its branch
 * (src/memory). A failure is reported and leaves the exit status alone: the
 * findings decide the check, and the log names what went wrong.
 */
static void remember(struct cg_run *run, const struct cg_ci_env *env)
{
	const char *remote = getenv("CRABGATE_MEMORY_REMOTE");
	struct cg_memory_ci mci = { 0 };
	struct cg_memory_result r;
	int err;

	if (!env->branch) {
		cg_warn("ci: memory update skipped: no branch to push to (detached run, tag, or unknown event)");
		return;
	}
	mci.forge = env->forge;
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
	err = cg_run_remember(&r, run, NULL, &mci);
	/* On failure there is no outcome to tell (an empty "skipped: "): the warning below says what went wrong. */
	if (!err)
		cg_memory_result_log(&r);
	if (r.diff.size)
		cg_info("ci: the memory files would change like this (not pushed: %s):\n%s", r.reason, r.diff.ptr);
	if (err < 0)
		cg_warn("ci: memory update failed: %s", cg_error_last());
	cg_memory_result_release(&r);
}

int cg_run_ci(git_repository *repo, const struct cg_config *cfg, struct cg_run_ci_settings *s)
{
	const struct cg_conf_node *fcfg = cg_conf_child(cfg->root, "forge");
	struct cg_forge_opts fopts;
	struct cg_forge_result result = { 0 };
	struct cg_forge_input fin = { 0 };
	struct cg_ci_env env = { 0 };
	struct cg_run run;
	struct cg_buf range = CG_BUF_INIT, link = CG_BUF_INIT;
	const struct cg_forge *f;
	bool should_post, is_request_posted, should_update_memory = false;
	int err, status = CG_EXIT_USAGE;

	cg_run_init(&run, repo, cfg, &s->run);
	forge_opts_from_config(&fopts, cfg, s->is_dry_run);
	fopts.http_wait_scale = s->run.http_wait_scale;
	should_post = cg_conf_bool(fcfg, "post_comments", true) && !s->is_post_off;
	if ((err = cg_ci_detect(&env)) < 0) {
		cg_err("ci: %s", cg_error_last());
		goto done;
	}
	f = env.forge;
	if (!s->has_source && (err = choose_change(&s->run, &env, &range)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	if (s->has_source)
		cg_info("ci: %s; the change comes from the command line", cg_ci_env_name(&env));
	else
		describe(&env, &s->run);

	/* In CI the memory files are pushed to the PR's branch below, not committed locally. */
	if (f && !s->has_source) {
		should_update_memory = s->run.update_memory;
		s->run.update_memory = false;
	}
	/* A shallow clone lacking the base fails here with the fix (fetch-depth: 0 / GIT_DEPTH: 0) named. */
	if ((err = cg_run_local(&run)) < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
		goto done;
	}
	status = run.exit_status;

	if (f && f->link_base) {
		f->link_base(&link, &env, run.change.head);
		run.report.link_base = link.size ? link.ptr : NULL;
	}
	fin.env = &env;
	fin.change = &run.change;
	fin.findings = &run.findings;
	fin.report = &run.report;
	for (size_t i = 0; i < s->run.noutputs; i++)
		if (!strcmp(s->run.outputs[i].format, "github") &&
		    (!s->run.outputs[i].path || !strcmp(s->run.outputs[i].path, "-")))
			fin.has_annotations = true;

	err = 0;
	is_request_posted = f && env.is_review && should_post && !s->has_source;
	if (is_request_posted)
		err = f->post(&result, &fin, &fopts);
	else if (f && f->annotate && !fopts.is_dry_run)
		err = f->annotate(&fin, env.is_review ? "Posting is off (--no-post or forge.post_comments): no "
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
	} else if (is_request_posted) {
		log_result(&result, fopts.is_dry_run, f->request);
	}

	/*
	 * Last: a failed post must not stop the memory, and the memory commit
	 * (a new head of the PR) comes after the review posted for this head.
	 */
	if (should_update_memory && fopts.is_dry_run)
		cg_info("ci --dry-run: the memory files are not updated (a dry run writes nothing)");
	else if (should_update_memory)
		remember(&run, &env);

done:
	cg_forge_result_release(&result);
	cg_run_release(&run);
	cg_ci_env_release(&env);
	cg_buf_release(&range);
	cg_buf_release(&link);
	return status;
}
