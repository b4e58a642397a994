/* Which CI a run is in, and which pull/merge request: from the environment only. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "forge/forge_internal.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* GitHub's payloads hold whole repository objects; 64 MiB is far past any. */
#define EVENT_MAX_BYTES ((size_t)64 << 20)

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static bool is_sha(const char *s)
{
	size_t i;
	if (!s)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == GIT_OID_HEXSZ;
}

static bool is_zero_sha(const char *s)
{
	return s && *s && strspn(s, "0") == strlen(s);
}

/* Copies a 40-hex sha into out; CG_E_INPUT naming `what` when it is not one. */
static int take_sha(char out[GIT_OID_HEXSZ + 1], const char *value, const char *what)
{
	if (!is_sha(value))
		return cg_error_set(CG_E_INPUT, "%s: expected a 40-digit commit sha, found '%.60s'", what,
				    value ? value : "(none)");
	memcpy(out, value, GIT_OID_HEXSZ + 1);
	return 0;
}

static const char *json_str(const cJSON *obj, const char *a, const char *b, const char *c)
{
	const cJSON *n = obj;
	if (a)
		n = cJSON_GetObjectItemCaseSensitive(n, a);
	if (b)
		n = cJSON_GetObjectItemCaseSensitive(n, b);
	if (c)
		n = cJSON_GetObjectItemCaseSensitive(n, c);
	return cJSON_IsString(n) ? n->valuestring : NULL;
}

static char *strip_slash(const char *url)
{
	char *s = cg_strdup(url);
	size_t n = strlen(s);
	while (n && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* The forge's API token; the crabgate-specific variable wins: a workflow sets it on purpose. */
static void take_token(struct cg_ci_env *env)
{
	for (size_t i = 0; i < 2 && !env->token; i++) {
		env->token = env_nonempty(env->forge->token_vars[i]);
		env->token_var = env->forge->token_vars[i];
	}
	if (!env->token)
		env->token_var = NULL;
}

/* Whether the CI set `name` to "true", as GitHub Actions and GitLab CI both do for theirs. */
static bool is_true(const char *name)
{
	const char *v = getenv(name);
	return v && !strcmp(v, "true");
}

int cg_forge__github_detect(struct cg_ci_env *env)
{
	const char *event_path = env_nonempty("GITHUB_EVENT_PATH");
	const char *v;
	struct cg_buf text = CG_BUF_INIT;
	cJSON *ev = NULL;
	int err = 0;

	if (!is_true("GITHUB_ACTIONS"))
		return 0;
	env->forge = &cg_forge__github;
	env->event = cg_strdup(env_nonempty("GITHUB_EVENT_NAME") ? env_nonempty("GITHUB_EVENT_NAME") : "");
	env->api_url =
		strip_slash(env_nonempty("GITHUB_API_URL") ? env_nonempty("GITHUB_API_URL") : "https://api.github.com");
	env->repo = cg_strdup(env_nonempty("GITHUB_REPOSITORY"));
	env->step_summary = cg_strdup(env_nonempty("GITHUB_STEP_SUMMARY"));
	env->server_url = env_nonempty("GITHUB_SERVER_URL") ? strip_slash(env_nonempty("GITHUB_SERVER_URL")) : NULL;
	take_token(env);
	if (env->token)
		cg_log_add_secret(env->token);

	if (!event_path)
		goto head_only;
	if ((err = cg_fs_read(&text, event_path, EVENT_MAX_BYTES)) < 0) {
		err = cg_error_set(CG_E_INPUT, "GITHUB_EVENT_PATH %s: %s", event_path, cg_error_last());
		goto done;
	}
	if (!(ev = cJSON_ParseWithLength(text.ptr, text.size)) || !cJSON_IsObject(ev)) {
		err = cg_error_set(CG_E_INPUT, "GITHUB_EVENT_PATH %s: not a JSON object", event_path);
		goto done;
	}
	if (!strcmp(env->event, "pull_request") || !strcmp(env->event, "pull_request_target")) {
		const cJSON *pr = cJSON_GetObjectItemCaseSensitive(ev, "pull_request");
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(ev, "number");
		if (!cJSON_IsNumber(num))
			num = cJSON_GetObjectItemCaseSensitive(pr, "number");
		if (!cJSON_IsObject(pr) || !cJSON_IsNumber(num) || num->valuedouble < 1) {
			err = cg_error_set(CG_E_INPUT, "GITHUB_EVENT_PATH %s: a %s event without pull_request.number",
					   event_path, env->event);
			goto done;
		}
		env->number = (long)num->valuedouble;
		/* HEAD of a pull_request checkout is a merge commit: the PR's own head is here. */
		if ((err = take_sha(env->base_sha, json_str(pr, "base", "sha", NULL),
				    "the event's pull_request.base.sha")) < 0 ||
		    (err = take_sha(env->head_sha, json_str(pr, "head", "sha", NULL),
				    "the event's pull_request.head.sha")) < 0)
			goto done;
		if ((v = json_str(pr, "base", "repo", "full_name"))) {
			free(env->repo);
			env->repo = cg_strdup(v);
		}
		/* A fork that was deleted leaves head.repo null: not the base repository either. */
		v = json_str(pr, "head", "repo", "full_name");
		env->head_repo = cg_strdup(v ? v : "(deleted fork)");
		env->is_fork = !env->repo || strcmp(env->head_repo, env->repo) != 0;
		env->title = cg_strdup(json_str(pr, "title", NULL, NULL));
		env->branch = cg_strdup(json_str(pr, "head", "ref", NULL));
		env->is_review = true;
		goto done;
	}
	if (!strcmp(env->event, "push")) {
		const char *before = json_str(ev, "before", NULL, NULL);
		const char *ref = json_str(ev, "ref", NULL, NULL);
		if (ref && cg_starts_with(ref, "refs/heads/"))
			env->branch = cg_strdup(ref + strlen("refs/heads/"));
		if ((err = take_sha(env->head_sha, json_str(ev, "after", NULL, NULL), "the event's after")) < 0)
			goto done;
		if (before && !is_zero_sha(before) && (err = take_sha(env->before, before, "the event's before")) < 0)
			goto done;
		goto done;
	}
head_only:
	/* workflow_dispatch, schedule, …: the commit the run is for. */
	if ((v = env_nonempty("GITHUB_SHA")) && (err = take_sha(env->head_sha, v, "GITHUB_SHA")) < 0)
		goto done;
done:
	if (!err) {
		const char *server = env->server_url ? env->server_url : "https://github.com";
		const char *holder = env->is_review ? env->head_repo : env->repo;
		if (!env->branch && !env->is_review && (v = env_nonempty("GITHUB_REF_NAME")))
			env->branch = cg_strdup(v);
		if (holder && strchr(holder, '/')) {
			struct cg_buf url = CG_BUF_INIT;
			cg_buf_printf(&url, "%s/%s.git", server, holder);
			env->push_url = cg_buf_detach(&url, NULL);
		}
	}
	cJSON_Delete(ev);
	cg_buf_release(&text);
	return err;
}

int cg_forge__gitlab_detect(struct cg_ci_env *env)
{
	const char *v, *head_var, *iid = env_nonempty("CI_MERGE_REQUEST_IID");
	int err = 0;

	if (!is_true("GITLAB_CI"))
		return 0;
	env->forge = &cg_forge__gitlab;
	env->event = cg_strdup(env_nonempty("CI_PIPELINE_SOURCE") ? env_nonempty("CI_PIPELINE_SOURCE") : "");
	env->api_url = env_nonempty("CI_API_V4_URL") ? strip_slash(env_nonempty("CI_API_V4_URL")) : NULL;
	env->project_id = cg_strdup(env_nonempty("CI_PROJECT_ID"));
	take_token(env);
	if (!env->token && (v = env_nonempty("CI_JOB_TOKEN"))) {
		/* Never used for the API: it cannot write notes. Masked all the same. */
		cg_log_add_secret(v);
		env->has_job_token_only = true;
	}
	if (env->token)
		cg_log_add_secret(env->token);

	/*
	 * In a merged-results pipeline CI_COMMIT_SHA is the merge of the MR into
	 * its target; the MR's own head is CI_MERGE_REQUEST_SOURCE_BRANCH_SHA.
	 */
	head_var = "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA";
	if (!(v = env_nonempty(head_var)))
		v = env_nonempty(head_var = "CI_COMMIT_SHA");
	if (v && (err = take_sha(env->head_sha, v, head_var)) < 0)
		return err;
	if (iid) {
		long n;
		if (cg_parse_long(&n, iid, 1, 0x7fffffffL) < 0)
			return cg_error_set(CG_E_INPUT, "CI_MERGE_REQUEST_IID: expected a number, found '%.40s'", iid);
		env->number = n;
		if ((err = take_sha(env->base_sha, env_nonempty("CI_MERGE_REQUEST_DIFF_BASE_SHA"),
				    "CI_MERGE_REQUEST_DIFF_BASE_SHA")) < 0)
			return err;
		env->is_review = true;
		env->title = cg_strdup(env_nonempty("CI_MERGE_REQUEST_TITLE"));
		env->branch = cg_strdup(env_nonempty("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"));
		v = env_nonempty("CI_MERGE_REQUEST_SOURCE_PROJECT_ID");
		env->is_fork = v && env_nonempty("CI_MERGE_REQUEST_PROJECT_ID") &&
			       strcmp(v, env_nonempty("CI_MERGE_REQUEST_PROJECT_ID"));
		v = env_nonempty("CI_MERGE_REQUEST_SOURCE_PROJECT_URL");
		if (!v)
			v = env_nonempty("CI_PROJECT_URL");
		if (v) {
			struct cg_buf url = CG_BUF_INIT;
			cg_buf_printf(&url, "%s.git", v);
			env->push_url = cg_buf_detach(&url, NULL);
		}
		return 0;
	}
	env->branch = cg_strdup(env_nonempty("CI_COMMIT_BRANCH"));
	if ((v = env_nonempty("CI_PROJECT_URL"))) {
		struct cg_buf url = CG_BUF_INIT;
		cg_buf_printf(&url, "%s.git", v);
		env->push_url = cg_buf_detach(&url, NULL);
	}
	v = env_nonempty("CI_COMMIT_BEFORE_SHA");
	if (v && !is_zero_sha(v) && (err = take_sha(env->before, v, "CI_COMMIT_BEFORE_SHA")) < 0)
		return err;
	return 0;
}

int cg_ci_detect(struct cg_ci_env *out)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < cg_nforges && !err && !out->forge; i++)
		err = cg_forges[i]->detect(out);
	return err;
}

void cg_ci_env_release(struct cg_ci_env *env)
{
	free(env->event);
	free(env->repo);
	free(env->head_repo);
	free(env->api_url);
	free(env->project_id);
	free(env->step_summary);
	free(env->server_url);
	free(env->title);
	free(env->branch);
	free(env->push_url);
	memset(env, 0, sizeof(*env));
}

const char *cg_ci_env_name(const struct cg_ci_env *env)
{
	return env->forge ? env->forge->ci_name : "no CI";
}
