/*
 * GitLab: one merge request discussion per new finding, positioned with the
 * MR's diff_refs (new_line for an added line, old_line and new_line for an
 * unchanged one), and one summary note edited in place.
 *
 * GitLab takes discussions one by one, so a position it refuses (400) costs
 * only that finding its inline place: it moves to the summary note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forge/forge_internal.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

struct gl {
	const struct cg_forge_input *in;
	const struct cg_forge_opts *opts;
	struct cg_forge_result *res;
	struct cg_forge_client client;
	struct cg_buf mr_path; /* /projects/{id}/merge_requests/{iid} */
	char base_sha[GIT_OID_HEXSZ + 1], start_sha[GIT_OID_HEXSZ + 1], head_sha[GIT_OID_HEXSZ + 1];
	struct cg_forge_posted_list old;
	struct cg_forge_notes notes;
};

static void print_dry_run(const char *api, const char *method, const char *url, const cJSON *body)
{
	char *json = body ? cJSON_Print(body) : NULL;
	printf("crabgate ci --dry-run: would %s %s%s\n%s%s", method, api ? api : "", url, json ? json : "",
	       json ? "\n" : "");
	fflush(stdout);
	cJSON_free(json);
}

static int fall_back(struct gl *g, const char *why)
{
	g->res->is_fallback = true;
	free(g->res->fallback_reason);
	g->res->fallback_reason = cg_strdup(why);
	cg_warn("ci: %s; the findings are in the job log (and the Code Quality report when --output gitlab=FILE is "
		"given) instead",
		why);
	return 0;
}

/* What GitLab made of a request that got an answer: done, or one of the refusals a run falls back on. */
enum gl_outcome {
	GL_DONE,
	GL_FORBIDDEN, /* the token may not do this (401/403, and 404 for a read) */
	GL_REFUSED,   /* GitLab refused the discussion's position (400) */
};

/* GET the merge request for its diff_refs. Returns 0 with *out set, or an error. */
static int read_diff_refs(enum gl_outcome *out, struct gl *g)
{
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	cJSON *mr = NULL;
	int err;

	*out = GL_DONE;
	if ((err = cg_forge__request(&g->client, &resp, "GET", g->mr_path.ptr, NULL)) < 0)
		goto done;
	if (resp.status == 401 || resp.status == 403 || resp.status == 404) {
		*out = GL_FORBIDDEN;
		goto done;
	}
	if (resp.status != 200) {
		err = cg_forge__http_error(&resp, "GET the merge request");
		goto done;
	}
	if (!(mr = cg_forge__json(&resp, "GET the merge request"))) {
		err = CG_E_NET;
		goto done;
	}
	if (!cg_forge__read_diff_refs(g->base_sha, g->start_sha, g->head_sha, mr))
		err = cg_error_set(CG_E_NET,
				   "GET the merge request: no diff_refs with base_sha, start_sha and head_sha");
done:
	cJSON_Delete(mr);
	cg_http_response_release(&resp);
	return err;
}

static int on_discussion(const cJSON *item, void *payload)
{
	struct gl *g = payload;
	g->res->existing_read += cg_forge__read_discussion(&g->old, item);
	return 0;
}

static cJSON *discussion_json(const struct gl *g, const struct cg_finding *f, const struct cg_line_pos *at,
			      const struct cg_changed_file *file)
{
	struct cg_buf text = CG_BUF_INIT, info = CG_BUF_INIT;
	cJSON *d = cJSON_CreateObject(), *pos;

	/* GitLab's suggestion replaces the commented line and the N below it: `suggestion:-0+N`. */
	if (f->fix && cg_forge_fix_fits(f, f->line, f->fix->last_line))
		cg_buf_printf(&info, "suggestion:-0+%u", f->fix->last_line - f->line);
	/* links to the GitLab instance stay */
	cg_forge_comment_body(&text, f, g->in->env->api_url, info.size ? info.ptr : NULL);
	cJSON_AddStringToObject(d, "body", text.ptr);
	pos = cJSON_AddObjectToObject(d, "position");
	cJSON_AddStringToObject(pos, "position_type", "text");
	cJSON_AddStringToObject(pos, "base_sha", g->base_sha);
	cJSON_AddStringToObject(pos, "start_sha", g->start_sha);
	cJSON_AddStringToObject(pos, "head_sha", g->head_sha);
	cJSON_AddStringToObject(pos, "old_path", file->old_path);
	cJSON_AddStringToObject(pos, "new_path", file->path);
	/* An unchanged line needs both numbers, or GitLab finds no line_code. */
	if (!at->is_added)
		cJSON_AddNumberToObject(pos, "old_line", at->old_line);
	cJSON_AddNumberToObject(pos, "new_line", f->line);
	cg_buf_release(&text);
	cg_buf_release(&info);
	return d;
}

/* Posts one discussion. Returns 0 with *out set, or an error. */
static int post_discussion(enum gl_outcome *out, struct gl *g, const cJSON *body)
{
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	struct cg_buf url = CG_BUF_INIT;
	int err;

	*out = GL_DONE;
	cg_buf_printf(&url, "%s/discussions", g->mr_path.ptr);
	if (g->opts->is_dry_run) {
		print_dry_run(g->client.api, "POST", url.ptr, body);
		err = 0;
		goto done;
	}
	if ((err = cg_forge__request(&g->client, &resp, "POST", url.ptr, body)) < 0)
		goto done;
	if (resp.status == 401 || resp.status == 403) {
		*out = GL_FORBIDDEN;
	} else if (resp.status == 400) {
		cg_warn("ci: GitLab refused a discussion's position (%.200s); the finding goes to the summary note",
			resp.body.ptr);
		*out = GL_REFUSED;
	} else if (resp.status != 201 && resp.status != 200) {
		err = cg_forge__http_error(&resp, "POST a discussion");
	}
done:
	cg_http_response_release(&resp);
	cg_buf_release(&url);
	return err;
}

/* PUT `body` to `url` (a dry run prints it). Returns 0 with *ok set, or an error. */
static int put_json(struct gl *g, const char *url, const cJSON *body, bool *ok)
{
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	int err = 0;

	*ok = false;
	if (g->opts->is_dry_run) {
		print_dry_run(g->client.api, "PUT", url, body);
		*ok = true;
	} else if ((err = cg_forge__request(&g->client, &resp, "PUT", url, body)) == 0) {
		*ok = resp.status == 200;
		if (!*ok)
			cg_warn("ci: PUT %s: HTTP %ld", url, resp.status);
	}
	cg_http_response_release(&resp);
	return err;
}

static int resolve_outdated(struct gl *g)
{
	int err = 0;

	for (size_t i = 0; i < g->old.len && !err; i++) {
		const struct cg_forge_posted *p = &g->old.items[i];
		struct cg_buf url = CG_BUF_INIT, text = CG_BUF_INIT;
		cJSON *edit = cJSON_CreateObject(), *resolve = cJSON_CreateObject();
		bool is_edited = false, is_resolved = false;

		if (p->is_fixed || !p->thread || cg_forge__finding_present(g->in->findings, p->fp))
			goto next;
		/* GitLab takes a note's body or its resolved flag per request, not both. */
		cg_forge__fixed_body(&text, p, g->in->env->head_sha);
		cJSON_AddStringToObject(edit, "body", text.ptr);
		cg_buf_printf(&url, "%s/discussions/%s/notes/%lld", g->mr_path.ptr, p->thread, p->id);
		if ((err = put_json(g, url.ptr, edit, &is_edited)) < 0 || !is_edited)
			goto next;
		cJSON_AddBoolToObject(resolve, "resolved", true);
		cg_buf_truncate(&url, 0);
		cg_buf_printf(&url, "%s/discussions/%s", g->mr_path.ptr, p->thread);
		if ((err = put_json(g, url.ptr, resolve, &is_resolved)) < 0)
			goto next;
		g->res->resolved++;
	next:
		cJSON_Delete(edit);
		cJSON_Delete(resolve);
		cg_buf_release(&url);
		cg_buf_release(&text);
	}
	return err;
}

struct summary_find {
	long long id;
};

static int on_note(const cJSON *item, void *payload)
{
	struct summary_find *s = payload;
	if (!s->id)
		s->id = cg_forge__summary_id(item);
	return 0;
}

/* Writes the summary note. Returns 0 with *out set, or an error. */
static int post_summary(enum gl_outcome *out, struct gl *g)
{
	struct summary_find found = { 0 };
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	struct cg_buf url = CG_BUF_INIT, md = CG_BUF_INIT;
	cJSON *body = NULL;
	const char *method;
	int err;

	*out = GL_DONE;
	/* Oldest first, so the first summary ever written is the one kept. */
	cg_buf_printf(&url, "%s/notes?sort=asc&order_by=created_at&per_page=100", g->mr_path.ptr);
	if (g->client.auth.size && (err = cg_forge__get_all(&g->client, url.ptr, on_note, &found)) < 0)
		goto done;
	/* GitLab notes hold up to 1,000,000 characters. */
	if ((err = cg_forge_summary_body(&md, g->in->report, (const char *const *)g->notes.items, g->notes.len,
					 (size_t)900 * 1000)) < 0)
		goto done;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "body", md.ptr);
	cg_buf_truncate(&url, 0);
	if (found.id) {
		method = "PUT";
		cg_buf_printf(&url, "%s/notes/%lld", g->mr_path.ptr, found.id);
	} else {
		method = "POST";
		cg_buf_printf(&url, "%s/notes", g->mr_path.ptr);
	}
	if (g->opts->is_dry_run) {
		print_dry_run(g->client.api, method, url.ptr, body);
		goto done;
	}
	if ((err = cg_forge__request(&g->client, &resp, method, url.ptr, body)) < 0)
		goto done;
	if (resp.status == 401 || resp.status == 403) {
		*out = GL_FORBIDDEN;
		goto done;
	}
	if (resp.status != 200 && resp.status != 201) {
		err = cg_forge__http_error(&resp, found.id ? "PUT the summary note" : "POST the summary note");
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

static void client_init(struct gl *g)
{
	struct cg_forge_client *c = &g->client;
	const struct cg_http_policy init = CG_HTTP_POLICY_INIT;

	c->api = g->in->env->api_url;
	c->policy = init;
	if (g->opts && g->opts->timeout_s > 0)
		c->policy.timeout_ms = g->opts->timeout_s * 1000;
	c->policy.max_retries = 5;
	if (g->opts)
		c->policy.wait_scale = g->opts->http_wait_scale;
	c->paging = CG_PAGING_X_NEXT_PAGE;
	c->headers[c->nheaders++] = (struct cg_http_header){ "Accept", "application/json" };
	c->headers[c->nheaders++] = (struct cg_http_header){ "User-Agent", "crabgate/" CG_VERSION };
	if (g->in->env->token) {
		cg_buf_puts(&c->auth, g->in->env->token);
		c->headers[c->nheaders++] = (struct cg_http_header){ "PRIVATE-TOKEN", c->auth.ptr };
	}
}

/* Project ids are numbers; a "group/project" path is percent-encoded. */
static void put_project(struct cg_buf *b, const char *id)
{
	for (const char *p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			cg_buf_putc(b, (char)c);
		else
			cg_buf_printf(b, "%%%02X", c);
	}
}

int cg_forge_gitlab_post(struct cg_forge_result *result, const struct cg_forge_input *in,
			 const struct cg_forge_opts *opts)
{
	const struct cg_ci_env *env = in->env;
	struct gl g = { in, opts, result, { 0 }, CG_BUF_INIT, "", "", "", { 0 }, { 0 } };
	struct cg_buf url = CG_BUF_INIT;
	size_t ninl = 0;
	enum gl_outcome outcome;
	int err = 0;

	memset(result, 0, sizeof(*result));
	g.client.auth = (struct cg_buf)CG_BUF_INIT;
	client_init(&g);

	if (!env->api_url || !env->project_id) {
		err = fall_back(
			&g, "CI_API_V4_URL or CI_PROJECT_ID is not set, so there is no merge request to comment on");
		goto done;
	}
	cg_buf_puts(&g.mr_path, "/projects/");
	put_project(&g.mr_path, env->project_id);
	cg_buf_printf(&g.mr_path, "/merge_requests/%ld", env->number);
	if (!env->token && !opts->is_dry_run) {
		err = fall_back(
			&g, env->has_job_token_only
				    ? "only CI_JOB_TOKEN is available, and the job token cannot post merge request "
				      "notes: add a project access token (scope api, role Reporter or higher) as a "
				      "masked CI/CD variable named GITLAB_TOKEN (docs/gitlab.md)"
				    : "no token: set GITLAB_TOKEN (or CRABGATE_GITLAB_TOKEN) to an access token with "
				      "the api scope");
		goto done;
	}

	if (!env->token)
		cg_info("ci --dry-run: no API token%s: a real run would post nothing; this shows what a token would "
			"post",
			env->has_job_token_only ? " (CI_JOB_TOKEN cannot post notes)" : "");
	if (env->token) {
		if ((err = read_diff_refs(&outcome, &g)) < 0)
			goto done;
		if (outcome == GL_FORBIDDEN) {
			err = fall_back(&g, "the token cannot read this merge request (HTTP 401/403/404)");
			goto done;
		}
	} else {
		/* A dry run without a token: the CI's own shas stand in for diff_refs. */
		memcpy(g.base_sha, in->change->base, sizeof(g.base_sha));
		memcpy(g.start_sha, env->base_sha[0] ? env->base_sha : in->change->base, sizeof(g.start_sha));
		memcpy(g.head_sha, in->change->head, sizeof(g.head_sha));
	}
	if (env->token) {
		cg_buf_printf(&url, "%s/discussions?per_page=100", g.mr_path.ptr);
		if ((err = cg_forge__get_all(&g.client, url.ptr, on_discussion, &g)) < 0)
			goto done;
	}

	for (size_t i = 0; i < in->findings->len; i++) {
		const struct cg_finding *f = &in->findings->items[i];
		const struct cg_changed_file *file = NULL;
		struct cg_line_pos at;
		cJSON *body;

		if (!cg_finding_is_visible(f))
			continue;
		if (cg_forge__posted_find(&g.old, f->fingerprint)) {
			result->already_posted++;
			continue;
		}
		if (strcmp(g.head_sha, in->change->head)) {
			/* The MR moved on since this pipeline started: its lines are not ours. */
			result->off_diff++;
			continue;
		}
		if (!cg_forge_find_line(in->change, f->path, f->line, &file, &at)) {
			result->off_diff++;
			continue;
		}
		if (ninl >= opts->max_inline) {
			result->over_limit++;
			continue;
		}
		body = discussion_json(&g, f, &at, file);
		err = post_discussion(&outcome, &g, body);
		cJSON_Delete(body);
		if (err < 0)
			goto done;
		if (outcome == GL_FORBIDDEN) {
			err = fall_back(&g, "the token cannot post discussions on this merge request (HTTP 401/403)");
			goto done;
		}
		if (outcome == GL_REFUSED) {
			result->refused++;
			continue;
		}
		ninl++;
	}
	result->inline_posted = ninl;
	if (strcmp(g.head_sha, in->change->head))
		cg_forge__note(&g.notes,
			       "The merge request's head is now %.12s, not this pipeline's %.12s: no inline "
			       "discussions from this run; the pipeline of the new head will add them.",
			       g.head_sha, in->change->head);
	if (result->already_posted)
		cg_forge__note(&g.notes, "%zu finding%s already discussed by an earlier run, not posted again.",
			       result->already_posted, result->already_posted == 1 ? " was" : "s were");
	if (result->off_diff)
		cg_forge__note(&g.notes,
			       "%zu finding%s on lines outside this merge request's diff, so listed here only.",
			       result->off_diff, result->off_diff == 1 ? " is" : "s are");
	if (result->over_limit)
		cg_forge__note(&g.notes,
			       "%zu finding%s past the limit of %zu inline discussions per run "
			       "(forge.max_inline_comments), so listed here only.",
			       result->over_limit, result->over_limit == 1 ? " is" : "s are", opts->max_inline);
	if (result->refused)
		cg_forge__note(&g.notes,
			       "GitLab refused the position of %zu discussion%s (HTTP 400); listed here instead.",
			       result->refused, result->refused == 1 ? "" : "s");
	if (opts->should_resolve_outdated && (err = resolve_outdated(&g)) < 0)
		goto done;
	if (result->resolved)
		cg_forge__note(&g.notes, "%zu earlier discussion%s marked fixed and resolved.", result->resolved,
			       result->resolved == 1 ? "" : "s");
	if (opts->has_summary_comment) {
		if ((err = post_summary(&outcome, &g)) < 0)
			goto done;
		if (outcome == GL_FORBIDDEN)
			err = fall_back(&g, "the token cannot post notes on this merge request (HTTP 401/403)");
	}
done:
	cg_forge__posted_release(&g.old);
	cg_forge__notes_release(&g.notes);
	cg_buf_release(&g.mr_path);
	cg_forge__client_release(&g.client);
	cg_buf_release(&url);
	return err;
}

const struct cg_forge cg_forge__gitlab = {
	.name = "gitlab",
	.ci_name = "GitLab CI",
	.request = "merge request",
	.review_label = "merge request",
	.token_vars = { "CRABGATE_GITLAB_TOKEN", "GITLAB_TOKEN" },
	.number_sign = '!',
	.push_user = "oauth2",
	.detect = cg_forge__gitlab_detect,
	.post = cg_forge_gitlab_post,
	.annotate = NULL,
	.link_base = NULL,
};
