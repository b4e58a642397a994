/*
 * GitHub: one pull request review per run with inline comments on lines of
 * the PR's diff, one summary issue comment edited in place, and workflow
 * annotations plus the job summary when the token cannot write (fork PRs).
 *
 * Idempotence rests on the hidden fingerprint marker each comment ends with:
 * every page of the PR's review comments is read before posting, and a
 * finding whose marker is there is not posted again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forge/forge_internal.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

struct gh {
	const struct cg_forge_input *in;
	const struct cg_forge_opts *opts;
	struct cg_forge_result *res;
	struct cg_forge_client client;
	struct cg_buf repo_path;	 /* /repos/{owner}/{repo} */
	struct cg_forge_posted_list old; /* crabgate's review comments already on the PR */
	struct cg_forge_notes notes;	 /* for the summary */
};

static int on_review_comment(const cJSON *item, void *payload)
{
	struct gh *g = payload;
	g->res->existing_read += (size_t)cg_forge__read_comment(&g->old, item);
	return 0;
}

/* ---- The fallback: annotations and the job summary ---- */

static int write_job_summary(struct gh *g)
{
	const char *path = g->in->env->step_summary;
	struct cg_buf md = CG_BUF_INIT;
	int err = 0;

	if (!path)
		return 0;
	/* GitHub takes job summaries up to 1 MiB. */
	if ((err = cg_forge_summary_body(&md, g->in->report, (const char *const *)g->notes.items, g->notes.len,
					 (size_t)1000 * 1000)) == 0)
		err = cg_report_append(&md, path);
	cg_buf_release(&md);
	return err;
}

static int annotate(const struct cg_forge_input *fin)
{
	const struct cg_report_input *report = fin->report;
	const struct cg_reporter *gh_report = cg_reporter_find("github"); /* one of the built-in reporters */
	struct cg_report_input in = *report;
	struct cg_buf out = CG_BUF_INIT;
	int err = 0;

	/* Printed twice, GitHub would show each finding twice (and hit its limit sooner). */
	if (fin->has_annotations)
		return 0;
	in.color = false;
	if ((err = gh_report->write(&out, &in)) == 0)
		err = cg_report_emit(&out, NULL);
	cg_buf_release(&out);
	return err;
}

static int fall_back(struct gh *g, const char *why)
{
	g->res->is_fallback = true;
	free(g->res->fallback_reason);
	g->res->fallback_reason = cg_strdup(why);
	cg_forge__note(&g->notes, "Not posted as a review: %s.", why);
	cg_warn("ci: %s; the findings are written as workflow annotations and to the job summary instead", why);
	return annotate(g->in);
}

int cg_forge_github_annotate(const struct cg_forge_input *in, const char *why)
{
	struct gh g = { in, NULL, NULL, { 0 }, CG_BUF_INIT, { 0 }, { 0 } };
	int err;

	if (why)
		cg_forge__note(&g.notes, "%s", why);
	if ((err = annotate(in)) == 0)
		err = write_job_summary(&g);
	cg_forge__notes_release(&g.notes);
	return err;
}

/* ---- The review ---- */

static cJSON *review_comment_json(const struct cg_finding *f, const struct cg_change *change, const char *web)
{
	const struct cg_changed_file *file;
	struct cg_line_pos at, end;
	bool has_at = cg_forge_find_line(change, f->path, f->line, &file, &at);
	bool has_end = f->end_line > f->line && cg_forge_find_line(change, f->path, f->end_line, &file, &end);
	struct cg_buf body = CG_BUF_INIT;
	cJSON *c = cJSON_CreateObject();
	/*
	 * A range needs both ends in the same hunk; otherwise the comment sits
	 * on the finding's first line alone, which is in the diff.
	 */
	bool is_range = has_at && has_end && end.hunk == at.hunk;

	/* A suggestion replaces the lines the comment covers: the fix must be exactly those. */
	cg_forge_comment_body(&body, f, web,
			      cg_forge_fix_fits(f, f->line, is_range ? f->end_line : f->line) ? "suggestion" : NULL);
	cJSON_AddStringToObject(c, "path", f->path);
	cJSON_AddStringToObject(c, "body", body.ptr);
	if (is_range) {
		cJSON_AddNumberToObject(c, "start_line", f->line);
		cJSON_AddStringToObject(c, "start_side", "RIGHT");
		cJSON_AddNumberToObject(c, "line", f->end_line);
	} else {
		cJSON_AddNumberToObject(c, "line", f->line);
	}
	cJSON_AddStringToObject(c, "side", "RIGHT");
	cg_buf_release(&body);
	return c;
}

static void print_dry_run(const char *api, const char *method, const char *url, const cJSON *body)
{
	char *json = body ? cJSON_Print(body) : NULL;
	printf("crabgate ci --dry-run: would %s %s%s\n%s%s", method, api ? api : "", url, json ? json : "",
	       json ? "\n" : "");
	fflush(stdout);
	cJSON_free(json);
}

/*
 * Posts the review. Returns 0, 1 when the token cannot write (the caller
 * falls back), or a negative error.
 */
static int post_review(struct gh *g, const struct cg_change *change, const struct cg_finding **inl, size_t ninl,
		       bool has_new)
{
	const struct cg_ci_env *env = g->in->env;
	const char *web = env->server_url ? env->server_url : "https://github.com"; /* links there stay live */
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	struct cg_buf url = CG_BUF_INIT, text = CG_BUF_INIT;
	bool has_errors = false;
	cJSON *body = NULL, *comments;
	int err = 0;

	for (size_t i = 0; i < g->in->findings->len; i++)
		if (cg_finding_is_visible(&g->in->findings->items[i]) &&
		    g->in->findings->items[i].severity == CG_SEV_ERROR)
			has_errors = true;
	/* Nothing new to say: no review (REQUEST_CHANGES stands from the run that found it). */
	if (!ninl && !(has_new && has_errors && g->opts->should_request_changes))
		goto done;

	cg_buf_printf(&url, "%s/pulls/%ld/reviews", g->repo_path.ptr, env->number);
	for (int attempt = 0; attempt < 2; attempt++) {
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "commit_id", env->head_sha);
		cg_buf_truncate(&text, 0);
		if (attempt == 0)
			cg_buf_printf(&text,
				      "crabgate found %zu new finding%s in this change; the summary comment lists "
				      "every finding.",
				      ninl, ninl == 1 ? "" : "s");
		else
			cg_buf_printf(
				&text,
				"crabgate: GitHub refused the inline comments of this review (they must sit on the "
				"pull request's diff); the %zu finding%s are listed in the summary comment instead.",
				ninl, ninl == 1 ? "" : "s");
		if (!ninl)
			cg_buf_puts(&text, " New errors were found off the diff; see the summary comment.");
		cJSON_AddStringToObject(body, "body", text.ptr);
		cJSON_AddStringToObject(body, "event",
					g->opts->should_request_changes && has_errors ? "REQUEST_CHANGES" : "COMMENT");
		comments = cJSON_AddArrayToObject(body, "comments");
		if (attempt == 0)
			for (size_t i = 0; i < ninl; i++)
				cJSON_AddItemToArray(comments, review_comment_json(inl[i], change, web));
		if (g->opts->is_dry_run) {
			print_dry_run(g->client.api, "POST", url.ptr, body);
			g->res->inline_posted = ninl;
			g->res->is_review_posted = true;
			goto done;
		}
		if ((err = cg_forge__request(&g->client, &resp, "POST", url.ptr, body)) < 0)
			goto done;
		if (resp.status == 200 || resp.status == 201) {
			g->res->is_review_posted = true;
			g->res->inline_posted = attempt == 0 ? ninl : 0;
			goto done;
		}
		if (resp.status == 403 || resp.status == 404) {
			err = 1;
			goto done;
		}
		if (resp.status != 422 || attempt == 1 || !ninl) {
			err = cg_forge__http_error(&resp, "POST the review");
			goto done;
		}
		/* GitHub does not say which comment it refused: move them all. */
		cg_warn("ci: GitHub refused the review's inline comments (422, %.200s); retrying once with them in the "
			"summary",
			resp.body.ptr);
		cg_forge__note(
			&g->notes,
			"GitHub refused the review's %zu inline comment%s (HTTP 422: a line outside the pull request's "
			"diff); they are listed in this summary instead.",
			ninl, ninl == 1 ? "" : "s");
		g->res->refused = ninl;
		cg_http_response_release(&resp);
		cJSON_Delete(body);
		body = NULL;
	}
done:
	cJSON_Delete(body);
	cg_http_response_release(&resp);
	cg_buf_release(&url);
	cg_buf_release(&text);
	return err;
}

/* Marks crabgate's old comments whose finding is gone as fixed. */
static int resolve_outdated(struct gh *g)
{
	int err = 0;

	for (size_t i = 0; i < g->old.len && !err; i++) {
		const struct cg_forge_posted *p = &g->old.items[i];
		struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
		struct cg_buf url = CG_BUF_INIT, text = CG_BUF_INIT;
		cJSON *body;

		if (p->is_fixed || cg_forge__finding_present(g->in->findings, p->fp))
			continue;
		cg_forge__fixed_body(&text, p, g->in->env->head_sha);
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "body", text.ptr);
		cg_buf_printf(&url, "%s/pulls/comments/%lld", g->repo_path.ptr, p->id);
		if (g->opts->is_dry_run) {
			print_dry_run(g->client.api, "PATCH", url.ptr, body);
			g->res->resolved++;
		} else if ((err = cg_forge__request(&g->client, &resp, "PATCH", url.ptr, body)) == 0) {
			if (resp.status == 200)
				g->res->resolved++;
			else /* someone else's comment carrying the marker, or it is gone: not ours to fail on */
				cg_warn("ci: could not mark review comment %lld as fixed (HTTP %ld)", p->id,
					resp.status);
		}
		cJSON_Delete(body);
		cg_http_response_release(&resp);
		cg_buf_release(&url);
		cg_buf_release(&text);
	}
	return err;
}

/* ---- The summary comment ---- */

struct summary_find {
	long long id;
	struct gh *g;
};

static int on_issue_comment(const cJSON *item, void *payload)
{
	struct summary_find *s = payload;
	if (!s->id)
		s->id = cg_forge__summary_id(item);
	return 0;
}

static int post_summary(struct gh *g)
{
	const struct cg_ci_env *env = g->in->env;
	struct summary_find found = { 0, g };
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	struct cg_buf url = CG_BUF_INIT, md = CG_BUF_INIT;
	cJSON *body = NULL;
	const char *method;
	int err;

	cg_buf_printf(&url, "%s/issues/%ld/comments?per_page=100", g->repo_path.ptr, env->number);
	if (g->client.auth.size && (err = cg_forge__get_all(&g->client, url.ptr, on_issue_comment, &found)) < 0)
		goto done;
	/* GitHub refuses comments over 65,536 characters; bytes are a safe bound. */
	if ((err = cg_forge_summary_body(&md, g->in->report, (const char *const *)g->notes.items, g->notes.len,
					 65000)) < 0)
		goto done;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "body", md.ptr);
	cg_buf_truncate(&url, 0);
	if (found.id) {
		method = "PATCH";
		cg_buf_printf(&url, "%s/issues/comments/%lld", g->repo_path.ptr, found.id);
	} else {
		method = "POST";
		cg_buf_printf(&url, "%s/issues/%ld/comments", g->repo_path.ptr, env->number);
	}
	if (g->opts->is_dry_run) {
		print_dry_run(g->client.api, method, url.ptr, body);
		goto done;
	}
	if ((err = cg_forge__request(&g->client, &resp, method, url.ptr, body)) < 0)
		goto done;
	if (resp.status == 403 || resp.status == 404) {
		err = 1;
		goto done;
	}
	if (resp.status != 200 && resp.status != 201) {
		err = cg_forge__http_error(&resp, found.id ? "PATCH the summary comment" : "POST the summary comment");
		goto done;
	}
	if (found.id)
		g->res->is_summary_updated = true;
	else
		g->res->is_summary_created = true;
done:
	cJSON_Delete(body);
	cg_http_response_release(&resp);
	cg_buf_release(&url);
	cg_buf_release(&md);
	return err;
}

/* ---- The whole run ---- */

static void client_init(struct gh *g)
{
	struct cg_forge_client *c = &g->client;
	const struct cg_http_policy init = CG_HTTP_POLICY_INIT;

	c->api = g->in->env->api_url;
	c->policy = init;
	if (g->opts && g->opts->timeout_s > 0)
		c->policy.timeout_ms = g->opts->timeout_s * 1000;
	/* Secondary rate limits answer 403 with Retry-After: wait those out too. */
	c->policy.retry_rate_limited_403 = true;
	c->policy.max_retries = 5;
	if (g->opts)
		c->policy.wait_scale = g->opts->http_wait_scale;
	c->paging = CG_PAGING_LINK;
	c->headers[c->nheaders++] = (struct cg_http_header){ "Accept", "application/vnd.github+json" };
	c->headers[c->nheaders++] = (struct cg_http_header){ "X-GitHub-Api-Version", "2022-11-28" };
	c->headers[c->nheaders++] = (struct cg_http_header){ "User-Agent", "crabgate/" CG_VERSION };
	if (g->in->env->token) {
		cg_buf_printf(&c->auth, "Bearer %s", g->in->env->token);
		c->headers[c->nheaders++] = (struct cg_http_header){ "Authorization", c->auth.ptr };
	}
}

int cg_forge_github_post(struct cg_forge_result *result, const struct cg_forge_input *in,
			 const struct cg_forge_opts *opts)
{
	const struct cg_ci_env *env = in->env;
	struct gh g = { in, opts, result, { 0 }, CG_BUF_INIT, { 0 }, { 0 } };
	const struct cg_finding **inl = NULL;
	struct cg_buf url = CG_BUF_INIT, why = CG_BUF_INIT;
	size_t ninl = 0, nnew = 0;
	int err = 0, rc;

	memset(result, 0, sizeof(*result));
	g.client.auth = (struct cg_buf)CG_BUF_INIT;
	client_init(&g);
	cg_buf_printf(&g.repo_path, "/repos/%s", env->repo ? env->repo : "");

	if (!env->repo || !strchr(env->repo, '/')) {
		err = fall_back(&g, "GITHUB_REPOSITORY is not set, so there is no pull request to comment on");
		goto summary_file;
	}
	if (!env->token && !opts->is_dry_run) {
		err = fall_back(&g, "no token: set GITHUB_TOKEN (or CRABGATE_GITHUB_TOKEN) in the step's env, with "
				    "`pull-requests: write` permission");
		goto summary_file;
	}
	if (!strcmp(env->event, "pull_request") && env->head_repo && strcmp(env->head_repo, env->repo)) {
		cg_buf_printf(&why,
			      "this pull request comes from the fork %s, and GITHUB_TOKEN is read-only for forks under "
			      "pull_request (docs/github.md shows the pull_request_target setup)",
			      env->head_repo);
		err = fall_back(&g, why.ptr);
		goto summary_file;
	}

	if (env->token) {
		cg_buf_printf(&url, "%s/pulls/%ld/comments?per_page=100", g.repo_path.ptr, env->number);
		if ((err = cg_forge__get_all(&g.client, url.ptr, on_review_comment, &g)) < 0)
			goto done;
	}

	inl = cg_calloc(in->findings->len + 1, sizeof(*inl));
	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		const struct cg_changed_file *file;
		struct cg_line_pos pos;
		if (!cg_finding_is_visible(f))
			continue;
		if (cg_forge__posted_find(&g.old, f->fingerprint)) {
			result->already_posted++;
			continue;
		}
		nnew++;
		if (!cg_forge_find_line(in->change, f->path, f->line, &file, &pos))
			result->off_diff++;
		else if (ninl >= opts->max_inline)
			result->over_limit++;
		else
			inl[ninl++] = f;
	}
	if (result->already_posted)
		cg_forge__note(&g.notes, "%zu finding%s already commented on by an earlier run, not posted again.",
			       result->already_posted, result->already_posted == 1 ? " was" : "s were");
	if (result->off_diff)
		cg_forge__note(&g.notes,
			       "%zu finding%s on lines outside this pull request's diff, so listed here only.",
			       result->off_diff, result->off_diff == 1 ? " is" : "s are");
	if (result->over_limit)
		cg_forge__note(
			&g.notes,
			"%zu finding%s past the limit of %zu inline comments per run (forge.max_inline_comments), so "
			"listed here only.",
			result->over_limit, result->over_limit == 1 ? " is" : "s are", opts->max_inline);

	rc = post_review(&g, in->change, inl, ninl, nnew > 0);
	if (rc == 1) {
		err = fall_back(&g,
				"the token cannot write to this pull request (HTTP 403/404 on the review API: a fork, "
				"or `pull-requests: write` is missing)");
		goto summary_file;
	}
	if ((err = rc) < 0)
		goto done;
	if (opts->should_resolve_outdated && (err = resolve_outdated(&g)) < 0)
		goto done;
	if (result->resolved)
		cg_forge__note(&g.notes, "%zu earlier comment%s marked fixed.", result->resolved,
			       result->resolved == 1 ? "" : "s");
	if (opts->has_summary_comment) {
		rc = post_summary(&g);
		if (rc == 1) {
			err = fall_back(
				&g, "the token cannot comment on this pull request (HTTP 403/404 on the issue comments "
				    "API)");
			goto summary_file;
		}
		if ((err = rc) < 0)
			goto done;
	}
summary_file:
	if (!err && !opts->is_dry_run)
		err = write_job_summary(&g);
done:
	free(inl);
	cg_forge__posted_release(&g.old);
	cg_forge__notes_release(&g.notes);
	cg_buf_release(&g.repo_path);
	cg_forge__client_release(&g.client);
	cg_buf_release(&url);
	cg_buf_release(&why);
	return err;
}

/* Lines link to the blob of the checked head on the server the workflow runs on. */
static void link_base(struct cg_buf *out, const struct cg_ci_env *env, const char *head)
{
	if (env->server_url && env->repo && head[0])
		cg_buf_printf(out, "%s/%s/blob/%s/", env->server_url, env->repo, head);
}

const struct cg_forge cg_forge__github = {
	.name = "github",
	.ci_name = "GitHub Actions",
	.request = "pull request",
	.review_label = NULL, /* pull_request or pull_request_target */
	.token_vars = { "CRABGATE_GITHUB_TOKEN", "GITHUB_TOKEN" },
	.number_sign = '#',
	.push_user = "x-access-token",
	.detect = cg_forge__github_detect,
	.post = cg_forge_github_post,
	.annotate = cg_forge_github_annotate,
	.link_base = link_base,
};
