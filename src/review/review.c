/*
 * The model review, start to end: choose the provider, build the chunks,
 * answer from the cache what it has, send the rest concurrently, fall back
 * from json_schema to json_object where a server refuses it, and turn valid
 * comments on added lines into findings. Everything that went wrong becomes
 * a note; nothing the model says can do more than add a comment.
 */
#include "review/review.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"
#include "review/review_internal.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#define MAX_STANDARDS ((size_t)32 << 10)
#define MAX_LESSONS ((size_t)6 << 10)
#define MAX_ANSWER_BODY ((size_t)4 << 20)
#define MAX_NAMES_IN_NOTE 20

struct settings {
	long timeout_s, max_retries, max_concurrency;
	long max_input_tokens, max_total_tokens, max_output_tokens;
	double temperature;
	const char *standards_file;
	bool is_required, allow_insecure_http;
	double wait_scale;
};

struct job {
	size_t chunk;
	enum cg_review_format format;
	struct cg_buf body;
	char key[CG_SHA1_HEX_SIZE];
	char first_key[CG_SHA1_HEX_SIZE]; /* the key of the first format tried: a re-run looks this up */
	bool has_answer;
	struct cg_review_answer answer;
	char *failure;
};

void cg_review_result_release(struct cg_review_result *res)
{
	free(res->provider);
	free(res->model);
	free(res->summary);
	for (size_t i = 0; i < res->nlessons; i++)
		free(res->lessons[i]);
	free(res->lessons);
	for (size_t i = 0; i < res->ntodos; i++)
		free(res->todos[i]);
	free(res->todos);
	for (size_t i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof(*res));
}

static void note(struct cg_review_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct cg_review_result *res, const char *fmt, ...)
{
	struct cg_buf b = CG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	res->notes = cg_realloc(res->notes, (res->nnotes + 1) * sizeof(*res->notes));
	res->notes[res->nnotes++] = cg_buf_detach(&b, NULL);
}

static void list_add_unique(char ***list, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i], s))
			return;
	*list = cg_realloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = cg_strdup(s);
}

static void names_note(struct cg_review_result *res, const char *what, char **names, size_t n)
{
	struct cg_buf b = CG_BUF_INIT;
	for (size_t i = 0; i < n && i < MAX_NAMES_IN_NOTE; i++)
		cg_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	if (n > MAX_NAMES_IN_NOTE)
		cg_buf_printf(&b, " and %zu more", n - MAX_NAMES_IN_NOTE);
	note(res, "%s: %s", what, b.ptr);
	cg_buf_release(&b);
}

static int read_long(long *out, const struct cg_conf_node *rc, const char *key, long min, long max)
{
	const struct cg_conf_node *n = cg_conf_child(rc, key);
	const char *v = n && n->value ? n->value : NULL;
	if (!v || cg_parse_long(out, v, min, max) < 0)
		return cg_error_set(CG_E_CONFIG,
				    "%s:%u: review.%s: expected a whole number from %ld to %ld, found '%s'",
				    n ? n->file : "config", n ? n->line : 0, key, min, max, v ? v : "");
	return 0;
}

static int read_settings(struct settings *s, const struct cg_conf_node *rc)
{
	const struct cg_conf_node *t = cg_conf_child(rc, "temperature");
	char *end = NULL;
	int err;

	memset(s, 0, sizeof(*s));
	if ((err = read_long(&s->timeout_s, rc, "timeout_s", 1, 3600)) < 0 ||
	    (err = read_long(&s->max_retries, rc, "max_retries", 0, 10)) < 0 ||
	    (err = read_long(&s->max_concurrency, rc, "max_concurrency", 1, 64)) < 0 ||
	    (err = read_long(&s->max_input_tokens, rc, "max_input_tokens", 512, 10000000)) < 0 ||
	    (err = read_long(&s->max_total_tokens, rc, "max_total_tokens", 1, 1000000000)) < 0 ||
	    (err = read_long(&s->max_output_tokens, rc, "max_output_tokens", 64, 1000000)) < 0)
		return err;
	errno = 0;
	s->temperature = t && t->value ? strtod(t->value, &end) : 0.2;
	if (t && (!t->value || !*t->value || *end || errno || s->temperature < 0 || s->temperature > 2))
		return cg_error_set(CG_E_CONFIG, "%s:%u: review.temperature: expected a number from 0 to 2, found '%s'",
				    t->file, t->line, t->value ? t->value : "");
	s->standards_file = cg_conf_str(rc, "standards_file", "");
	s->is_required = cg_conf_bool(rc, "required", false);
	s->allow_insecure_http = cg_conf_bool(rc, "allow_insecure_http", false);
	return 0;
}

/* A file of the repository at the change's new revision, else from the work tree. */
static int read_repo_file(struct cg_buf *out, const struct cg_change *change, const char *path, size_t cap)
{
	git_repository *git = cg_change_git(change);
	const char *wd = git ? git_repository_workdir(git) : NULL;
	struct cg_buf full = CG_BUF_INIT;
	int err;

	out->limit = cap;
	err = cg_change_read(change, path, out);
	out->limit = 0;
	if (err == 0 || err == CG_E_TOOBIG)
		return err;
	cg_buf_truncate(out, 0);
	if (!wd)
		return CG_E_NOTFOUND;
	cg_buf_printf(&full, "%s%s", wd, path);
	err = cg_fs_read(out, full.ptr, cap);
	cg_buf_release(&full);
	return err;
}

/* The end of a file, from a line start, within `cap` bytes: lessons are appended, so the newest are last. */
static void keep_tail(struct cg_buf *b, size_t cap)
{
	const char *from;
	size_t n;
	if (b->size <= cap)
		return;
	from = b->ptr + b->size - cap;
	while (*from && *from != '\n')
		from++;
	if (*from)
		from++;
	n = (size_t)(b->ptr + b->size - from);
	memmove(b->ptr, from, n + 1);
	b->size = n;
}

static const char *lessons_path(const struct cg_config *cfg)
{
	const struct cg_conf_node *n = cg_config_get(cfg, "memory.files.lessons");
	if (n && n->kind == CG_CONF_SCALAR && n->value && *n->value)
		return n->value;
	return "lessons-learned.md";
}

static const struct cg_review_shown *shown_for(const struct cg_review_chunk *c, const struct cg_change *change,
					       const char *path, uint32_t line)
{
	for (size_t i = 0; i < c->nshown; i++) {
		const struct cg_review_shown *s = &c->shown[i];
		if (!strcmp(change->files[s->file].path, path) && line >= s->start && line <= s->end)
			return s;
	}
	return NULL;
}

/* The text of `line` of `f` without its line ending: "" when the file cannot be read. */
static void line_text(struct cg_change *change, struct cg_changed_file *f, uint32_t line, const char **text,
		      size_t *len)
{
	const char *data = NULL;
	size_t size = 0, p = 0, n = 0;
	uint32_t at = 1;

	*text = "";
	*len = 0;
	if (cg_change_content(change, f, &data, &size) != 0 || !data)
		return;
	while (p < size && at < line) {
		if (data[p++] == '\n')
			at++;
	}
	while (p + n < size && data[p + n] != '\n')
		n++;
	if (n && data[p + n - 1] == '\r')
		n--;
	*text = data + p;
	*len = n;
}

/*
 * The model's suggested code as a fix of lines first..last of `f`, when it
 * applies cleanly to the new version: the lines are there, written with
 * plain newlines (a CRLF file gets no fix: the suggestion's line ends would
 * not be the file's), and the code differs from them. Maybe-incorrect,
 * always: a model wrote it. NULL otherwise.
 */
static struct cg_fix *suggestion_fix(struct cg_change *change, struct cg_changed_file *f, uint32_t first, uint32_t last,
				     const char *suggestion)
{
	const char *data = NULL;
	size_t size = 0, start = 0, end, last_start = 0, slen = strlen(suggestion);
	uint32_t at = 1;
	struct cg_edit ed;
	struct cg_fix *fix;
	char *code;

	if (cg_change_content(change, f, &data, &size) != 0 || !data || size >= UINT32_MAX)
		return NULL;
	while (start < size && at < first)
		if (data[start++] == '\n')
			at++;
	if (at < first || start >= size)
		return NULL;
	for (end = start, last_start = start; end < size; end++) {
		if (data[end] != '\n')
			continue;
		if (at == last)
			break;
		at++;
		last_start = end + 1;
	}
	if (at < last)
		return NULL;
	while (slen && (suggestion[slen - 1] == '\n' || suggestion[slen - 1] == '\r'))
		slen--;
	if (memchr(data + start, '\r', end - start) || memchr(suggestion, '\r', slen) ||
	    (end - start == slen && !memcmp(data + start, suggestion, slen)))
		return NULL;
	code = cg_strndup(suggestion, slen);
	ed = (struct cg_edit){
		f->path, (uint32_t)start, (uint32_t)end, first, 1, last, (uint32_t)(end - last_start) + 1, code
	};
	fix = cg_calloc(1, sizeof(*fix));
	fix->applicability = CG_FIX_MAYBE_INCORRECT;
	if (!cg_fix_add_edit(fix, &ed)) {
		cg_fix_free(fix);
		free(code);
		return NULL;
	}
	fix->new_lines = code;
	fix->first_line = first;
	fix->last_line = last;
	return fix;
}

/* What a review finding's fingerprint hashes: the commented line, read again (it may hold a NUL). */
static void finding_text(struct cg_buf *out, const struct cg_finding *f, void *payload)
{
	struct cg_change *change = payload;
	for (size_t i = 0; i < change->nfiles; i++) {
		if (!strcmp(change->files[i].path, f->path)) {
			const char *text;
			size_t len;
			line_text(change, &change->files[i], f->line, &text, &len);
			cg_buf_put(out, text, len);
			return;
		}
	}
}

/* Turns one chunk's valid comments into findings (fingerprinted later, all at once); counts what it drops. */
static void add_findings(struct cg_review_result *res, struct cg_findings *findings, struct cg_change *change,
			 const struct cg_review_chunk *c, const struct cg_review_answer *a)
{
	for (size_t i = 0; i < a->ncomments; i++) {
		const struct cg_review_comment *m = &a->comments[i];
		const struct cg_review_shown *s = shown_for(c, change, m->path, m->line);
		struct cg_changed_file *f;
		struct cg_finding *out;
		struct cg_buf rule = CG_BUF_INIT;
		const char *lt;
		size_t ll;
		bool is_dup = false;

		if (!s || !cg_changed_file_is_added(&change->files[s->file], m->line)) {
			res->comments_dropped++;
			continue;
		}
		f = &change->files[s->file];
		cg_buf_printf(&rule, "review/%s", m->category);
		/* A model repeating a comment on one line says it once. */
		for (size_t k = 0; k < findings->len && !is_dup; k++) {
			const struct cg_finding *o = &findings->items[k];
			is_dup = o->origin == CG_ORIGIN_REVIEW && !strcmp(o->path, f->path) && o->line == m->line &&
				 !strcmp(o->rule, rule.ptr) && !strcmp(o->message, m->body);
		}
		if (is_dup) {
			cg_buf_release(&rule);
			continue;
		}
		line_text(change, f, m->line, &lt, &ll); /* for the report's code frame */
		out = cg_findings_add(findings);
		out->rule = cg_buf_detach(&rule, NULL);
		out->severity = m->severity;
		out->path = cg_strdup(f->path);
		out->line = m->line;
		out->end_line = m->end_line && m->end_line <= s->end ? m->end_line : m->line;
		out->column = 1;
		out->end_column = (uint32_t)ll + 1;
		out->message = cg_strdup(m->body);
		out->origin = CG_ORIGIN_REVIEW;
		out->fix = m->suggestion ? suggestion_fix(change, f, out->line, out->end_line, m->suggestion) : NULL;
		/* A one-line fix is shown as the fix ("replace with"); longer ones are shown by the help too. */
		out->help =
			m->suggestion && !(out->fix && out->line == out->end_line) ? cg_strdup(m->suggestion) : NULL;
		out->source_line = cg_strndup(lt, ll);
		res->comments_kept++;
	}
}

static void describe_failure(struct job *j, const struct cg_review_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void describe_failure(struct job *j, const struct cg_review_plan *plan, const char *fmt, ...)
{
	struct cg_buf b = CG_BUF_INIT;
	va_list ap;
	cg_buf_printf(&b, "chunk %zu of %zu (%s): ", j->chunk + 1, plan->nchunks, plan->chunks[j->chunk].label);
	va_start(ap, fmt);
	cg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(j->failure);
	j->failure = cg_buf_detach(&b, NULL);
}

static void cap_key(char out[CG_SHA1_HEX_SIZE], const struct cg_review_provider *p)
{
	cg_review_cache_key(out, p, "capabilities", 12);
}

/* What the server's answer to a job means: an answer, a fallback to try, or a failure. */
static bool settle(struct job *j, const struct cg_http_call *call, const struct cg_review_provider *p,
		   const struct cg_review_plan *plan, const struct settings *s, const char *cache_dir,
		   struct cg_buf *text)
{
	const struct cg_http_response *r = &call->resp;
	bool is_cut = false;

	cg_buf_truncate(text, 0);
	if (call->err < 0) {
		describe_failure(j, plan, "%s", r->error ? r->error : "the request failed");
		return false;
	}
	if (r->status < 200 || r->status > 299) {
		char *why;
		if (p->kind == CG_PROVIDER_OPENAI && j->format == CG_FORMAT_SCHEMA &&
		    cg_review_rejects_schema(r->status, r->body.ptr)) {
			j->format = CG_FORMAT_OBJECT; /* the caller sends it again */
			return false;
		}
		why = cg_review_error_reason(r->status, r->body.ptr, r->body.size);
		if (r->status == 429 && strstr(r->body.ptr, "insufficient_quota"))
			describe_failure(j, plan, "%s; the account's quota is used up, so crabgate did not retry", why);
		else if (r->status == 401 || r->status == 403)
			describe_failure(j, plan, "%s; check the key in %s", why,
					 p->key_env ? p->key_env : "the key variable");
		else if (r->error)
			describe_failure(j, plan, "%s (%s)", why, r->error);
		else
			describe_failure(j, plan, "%s", why);
		free(why);
		return false;
	}
	if (cg_review_response_text(text, &is_cut, p, r->body.ptr, r->body.size) < 0) {
		describe_failure(j, plan, "%s", cg_error_last());
		return false;
	}
	if (cg_review_answer_parse(&j->answer, text->ptr, text->size) < 0) {
		describe_failure(j, plan, "the model's answer was not usable: %s%s", cg_error_last(),
				 is_cut ? "; it stopped at review.max_output_tokens, raise it" : "");
		cg_review_answer_release(&j->answer);
		(void)s;
		return false;
	}
	j->has_answer = true;
	if (cache_dir) {
		/* Under the key a re-run computes first, and under the one that was answered. */
		if (cg_review_cache_put(cache_dir, j->first_key, text->ptr, text->size) < 0 ||
		    (strcmp(j->key, j->first_key) && cg_review_cache_put(cache_dir, j->key, text->ptr, text->size) < 0))
			cg_verbose("review: could not write the cache: %s", cg_error_last());
	}
	return true;
}

static int send_jobs(struct job *jobs, size_t *idx, size_t n, const struct cg_review_provider *p,
		     const struct cg_review_plan *plan, const struct settings *s, const char *cache_dir,
		     struct cg_review_result *res, size_t *nfallback)
{
	struct cg_http_policy pol = CG_HTTP_POLICY_INIT;
	struct cg_http_call *calls = cg_calloc(n + 1, sizeof(*calls));
	struct cg_http_header hdrs[3];
	struct cg_buf auth = CG_BUF_INIT, text = CG_BUF_INIT;
	size_t nh = 0;
	int err;

	pol.max_retries = (unsigned)s->max_retries;
	pol.timeout_ms = s->timeout_s * 1000;
	pol.max_body = MAX_ANSWER_BODY;
	pol.allow_insecure_http = s->allow_insecure_http;
	pol.wait_scale = s->wait_scale;
	hdrs[nh].name = "Content-Type";
	hdrs[nh++].value = "application/json";
	if (p->kind == CG_PROVIDER_ANTHROPIC) {
		hdrs[nh].name = "anthropic-version";
		hdrs[nh++].value = "2023-06-01";
		if (p->api_key) {
			hdrs[nh].name = "x-api-key";
			hdrs[nh++].value = p->api_key;
		}
	} else if (p->api_key) {
		cg_buf_printf(&auth, "Bearer %s", p->api_key);
		hdrs[nh].name = "Authorization";
		hdrs[nh++].value = auth.ptr;
	}
	for (size_t i = 0; i < n; i++) {
		calls[i].req.method = "POST";
		calls[i].req.url = p->url;
		calls[i].req.headers = hdrs;
		calls[i].req.nheaders = nh;
		calls[i].req.body = jobs[idx[i]].body.ptr;
		calls[i].req.body_len = jobs[idx[i]].body.size;
		cg_verbose("review: sending chunk %zu (%s), about %zu tokens", jobs[idx[i]].chunk + 1,
			   plan->chunks[jobs[idx[i]].chunk].label, plan->chunks[jobs[idx[i]].chunk].tokens);
	}
	err = cg_http_batch(calls, n, (unsigned)s->max_concurrency, &pol);
	for (size_t i = 0; i < n; i++) {
		struct job *j = &jobs[idx[i]];
		enum cg_review_format before = j->format;
		res->requests += calls[i].resp.attempts;
		if (err == 0 && !settle(j, &calls[i], p, plan, s, cache_dir, &text) && j->format != before)
			(*nfallback)++;
		else if (err < 0)
			describe_failure(j, plan, "%s", cg_error_last());
		cg_http_response_release(&calls[i].resp);
	}
	free(calls);
	cg_buf_release(&auth);
	cg_buf_release(&text);
	return 0;
}

static int build_body(struct job *j, const struct cg_review_provider *p, const struct cg_review_plan *plan,
		      const struct settings *s)
{
	cg_buf_truncate(&j->body, 0);
	return cg_review_request_body(&j->body, p, &plan->chunks[j->chunk], j->format, (size_t)s->max_output_tokens,
				      s->temperature);
}

bool cg_review_is_available(const struct cg_config *cfg)
{
	struct cg_review_provider p;
	int err = cg_review_provider_pick(&p, cg_config_get(cfg, "review"));
	if (err == 0)
		cg_review_provider_release(&p);
	cg_error_clear();
	/* A named provider without its key still counts: the run then says what is missing. */
	return err == 0 || err == CG_E_INPUT;
}

int cg_review_run(struct cg_review_result *res, struct cg_findings *findings, struct cg_change *change,
		  const struct cg_config *cfg, const struct cg_review_opts *opts)
{
	const struct cg_conf_node *rc = cg_config_get(cfg, "review");
	struct settings s;
	struct cg_review_provider prov;
	struct cg_review_plan plan;
	struct cg_review_plan_opts po;
	struct cg_buf standards = CG_BUF_INIT, lessons = CG_BUF_INIT, masked_std = CG_BUF_INIT,
		      masked_lessons = CG_BUF_INIT, cache_dir = CG_BUF_INIT, cached = CG_BUF_INIT;
	struct job *jobs = NULL;
	size_t *idx = NULL, nidx = 0, nfallback = 0, failed = 0, first_finding;
	bool has_cache = false, skip_schema = false;
	char capkey[CG_SHA1_HEX_SIZE];
	int err = 0;

	memset(res, 0, sizeof(*res));
	memset(&prov, 0, sizeof(prov));
	memset(&plan, 0, sizeof(plan));
	if (!opts || opts->mode == CG_REVIEW_OFF)
		return 0;
	if ((err = read_settings(&s, rc)) < 0)
		return err;
	s.wait_scale = opts->http_wait_scale;

	if ((err = cg_review_provider_pick(&prov, rc)) < 0) {
		if (err == CG_E_CONFIG)
			goto done;
		if (err == CG_E_NOTFOUND) {
			if (!opts->is_noted_on_terminal)
				cg_info("model review skipped: %s", cg_error_last());
			note(res, "model review skipped: %s", cg_error_last());
			res->should_fail_run = s.is_required;
			if (s.is_required)
				cg_warn("review.required is true, so a skipped review fails the run");
		} else {
			cg_warn("model review failed: %s", cg_error_last());
			note(res, "model review failed: %s", cg_error_last());
			res->is_failed = true;
			res->should_fail_run = s.is_required;
		}
		err = 0;
		goto done;
	}
	cg_info("model review: %s", prov.how);
	res->provider = cg_strdup(cg_review_provider_name(prov.kind));
	res->model = cg_strdup(prov.model);

	/* The standards and the lessons, masked like the code. */
	if (*s.standards_file) {
		err = read_repo_file(&standards, change, s.standards_file, MAX_STANDARDS);
		if (err == CG_E_TOOBIG) {
			err = cg_error_set(CG_E_CONFIG, "review.standards_file '%s' is larger than %zu KiB; shorten it",
					   s.standards_file, MAX_STANDARDS >> 10);
			goto done;
		} else if (err < 0) {
			err = cg_error_set(CG_E_CONFIG,
					   "review.standards_file '%s' was not found in the repository; fix "
					   "the path (relative to the repository root) or remove the setting",
					   s.standards_file);
			goto done;
		}
	} else {
		cg_buf_puts(&standards, cg_review_builtin_standards);
	}
	if (read_repo_file(&lessons, change, lessons_path(cfg), (size_t)1 << 20) < 0)
		cg_buf_truncate(&lessons, 0);
	cg_error_clear();
	keep_tail(&lessons, MAX_LESSONS);
	cg_review_redact(&masked_std, standards.ptr, standards.size, &res->secrets_masked);
	cg_review_redact(&masked_lessons, lessons.ptr, lessons.size, &res->secrets_masked);

	memset(&po, 0, sizeof(po));
	po.max_input_tokens = (size_t)s.max_input_tokens;
	po.max_total_tokens = (size_t)s.max_total_tokens;
	po.max_output_tokens = (size_t)s.max_output_tokens;
	po.standards = masked_std.ptr;
	po.lessons = masked_lessons.ptr;
	po.findings = findings;
	po.review_cfg = rc;
	po.root_cfg = cfg->root;
	if ((err = cg_review_plan_build(&plan, change, &po)) < 0)
		goto done;
	res->secrets_masked += plan.secrets_masked;
	res->chunks = plan.nchunks;
	res->has_run = true;

	if (!opts->skip_cache && cg_review_cache_dir(&cache_dir, cg_change_git(change)) == 0)
		has_cache = true;
	cg_error_clear();
	cap_key(capkey, &prov);
	if (has_cache && prov.kind == CG_PROVIDER_OPENAI && cg_review_cache_get(&cached, cache_dir.ptr, capkey) == 0 &&
	    !strncmp(cached.ptr, "json_object", 11))
		skip_schema = true; /* this server refused json_schema before: do not ask again */
	cg_error_clear();

	jobs = cg_calloc(plan.nchunks + 1, sizeof(*jobs));
	idx = cg_calloc(plan.nchunks + 1, sizeof(*idx));
	for (size_t i = 0; i < plan.nchunks; i++) {
		struct job *j = &jobs[i];
		j->chunk = i;
		cg_buf_init(&j->body);
		j->format = prov.kind == CG_PROVIDER_ANTHROPIC ? CG_FORMAT_PLAIN
			    : skip_schema		       ? CG_FORMAT_OBJECT
							       : CG_FORMAT_SCHEMA;
		if ((err = build_body(j, &prov, &plan, &s)) < 0)
			goto done;
		cg_review_cache_key(j->key, &prov, j->body.ptr, j->body.size);
		memcpy(j->first_key, j->key, sizeof(j->key));
		if (has_cache && cg_review_cache_get(&cached, cache_dir.ptr, j->key) == 0) {
			if (cg_review_answer_parse(&j->answer, cached.ptr, cached.size) == 0) {
				j->has_answer = true;
				res->chunks_cached++;
				continue;
			}
			cg_review_answer_release(&j->answer);
		}
		cg_error_clear();
		idx[nidx++] = i;
	}
	if (nidx)
		send_jobs(jobs, idx, nidx, &prov, &plan, &s, has_cache ? cache_dir.ptr : NULL, res, &nfallback);
	if (nfallback) {
		/* The server refused json_schema: the same chunks again, asking for a plain JSON object. */
		size_t n = 0;
		for (size_t k = 0; k < nidx; k++) {
			struct job *j = &jobs[idx[k]];
			if (j->has_answer || j->failure || j->format != CG_FORMAT_OBJECT)
				continue;
			if ((err = build_body(j, &prov, &plan, &s)) < 0)
				goto done;
			cg_review_cache_key(j->key, &prov, j->body.ptr, j->body.size);
			idx[n++] = idx[k];
		}
		cg_info("model review: the server does not take response_format json_schema; asking for json_object");
		if (has_cache)
			cg_review_cache_put(cache_dir.ptr, capkey, "json_object\n", 12);
		nfallback = 0;
		send_jobs(jobs, idx, n, &prov, &plan, &s, has_cache ? cache_dir.ptr : NULL, res, &nfallback);
		for (size_t k = 0; k < n; k++) {
			struct job *j = &jobs[idx[k]];
			if (!j->has_answer && !j->failure)
				describe_failure(j, &plan, "the server refused both response formats");
		}
	}

	/* Merge, in chunk order so the result does not depend on who answered first. */
	first_finding = findings->len;
	for (size_t i = 0; i < plan.nchunks; i++) {
		struct job *j = &jobs[i];
		if (!j->has_answer) {
			failed++;
			cg_warn("model review: %s", j->failure ? j->failure : "no answer");
			note(res, "model review failed for %s", j->failure ? j->failure : "a chunk: no answer");
			continue;
		}
		add_findings(res, findings, change, &plan.chunks[i], &j->answer);
		res->comments_invalid += j->answer.ninvalid;
		res->comments_over_cap += j->answer.nover_cap;
		if (j->answer.summary && *j->answer.summary) {
			if (!res->summary) {
				res->summary = cg_strdup(j->answer.summary);
			} else {
				struct cg_buf b = CG_BUF_INIT;
				cg_buf_printf(&b, "%s\n\n%s", res->summary, j->answer.summary);
				free(res->summary);
				res->summary = cg_buf_detach(&b, NULL);
			}
		}
		for (size_t k = 0; k < j->answer.nlessons; k++)
			list_add_unique(&res->lessons, &res->nlessons, j->answer.lessons[k]);
		for (size_t k = 0; k < j->answer.ntodos; k++)
			list_add_unique(&res->todos, &res->ntodos, j->answer.todos[k]);
	}
	/* In merge order, as above: a second comment on the same text counts as its second occurrence. */
	cg_findings_fingerprint(findings->items + first_finding, findings->len - first_finding, finding_text, change,
				NULL);
	cg_findings_sort(findings);
	res->chunks_failed = failed;
	if (failed) {
		res->is_failed = true;
		res->should_fail_run = s.is_required;
		note(res, "model review %s: %zu of %zu chunks failed%s",
		     failed == plan.nchunks ? "failed" : "is partial", failed, plan.nchunks,
		     s.is_required ? " (review.required is true: the run fails)"
				   : "; the rules' result stands (set review.required to fail the run instead)");
	}

	note(res, "model review: %s %s, %zu chunk%s (%zu from the cache), %zu request%s sent", res->provider,
	     res->model, plan.nchunks, plan.nchunks == 1 ? "" : "s", res->chunks_cached, res->requests,
	     res->requests == 1 ? "" : "s");
	if (!plan.nchunks && !plan.nover_budget)
		note(res, "model review: nothing to review in this change");
	if (res->secrets_masked)
		note(res, "model review: %zu secret-looking value%s masked before anything was sent",
		     res->secrets_masked, res->secrets_masked == 1 ? " was" : "s were");
	if (plan.nleft_out)
		names_note(res, "model review: left out", plan.left_out, plan.nleft_out);
	if (plan.nover_budget) {
		struct cg_buf what = CG_BUF_INIT;
		cg_buf_printf(&what, "model review: not reviewed, over review.max_total_tokens (%ld)",
			      s.max_total_tokens);
		names_note(res, what.ptr, plan.over_budget, plan.nover_budget);
		cg_warn("%s (%zu files); raise the cap to review them", what.ptr, plan.nover_budget);
		cg_buf_release(&what);
	}
	if (res->comments_dropped)
		note(res, "%zu model comment%s outside the change and %s dropped", res->comments_dropped,
		     res->comments_dropped == 1 ? " was" : "s were", res->comments_dropped == 1 ? "was" : "were");
	if (res->comments_invalid)
		note(res, "%zu model comment%s not match the answer's schema and %s dropped", res->comments_invalid,
		     res->comments_invalid == 1 ? " did" : "s did", res->comments_invalid == 1 ? "was" : "were");
	if (res->comments_over_cap)
		note(res, "%zu model comment%s over the cap of %d comments per answer and %s dropped",
		     res->comments_over_cap, res->comments_over_cap == 1 ? " was" : "s were", CG_REVIEW_MAX_COMMENTS,
		     res->comments_over_cap == 1 ? "was" : "were");
	cg_verbose("model review: %zu comments kept, %zu dropped, %zu invalid, %zu over the cap", res->comments_kept,
		   res->comments_dropped, res->comments_invalid, res->comments_over_cap);
done:
	for (size_t i = 0; jobs && i < plan.nchunks; i++) {
		cg_buf_release(&jobs[i].body);
		cg_review_answer_release(&jobs[i].answer);
		free(jobs[i].failure);
	}
	free(jobs);
	free(idx);
	cg_review_plan_release(&plan);
	cg_review_provider_release(&prov);
	cg_buf_release(&standards);
	cg_buf_release(&lessons);
	cg_buf_release(&masked_std);
	cg_buf_release(&masked_lessons);
	cg_buf_release(&cache_dir);
	cg_buf_release(&cached);
	return err;
}
