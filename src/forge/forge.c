/*
 * What the forges share: the commentable lines, the hidden markers
 * that make posting idempotent, and the markdown of comments and summaries.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forge/forge_internal.h"
#include "util/error.h"
#include "util/escape.h"
#include "util/str.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/banned.h"

/* ---- Lines of the diff ---- */

bool cg_forge_find_line(const struct cg_change *change, const char *path, uint32_t line,
			const struct cg_changed_file **file, struct cg_line_pos *pos)
{
	for (size_t i = 0; i < change->nfiles; i++) {
		const struct cg_changed_file *f = &change->files[i];
		if (f->status == CG_FILE_DELETED || strcmp(f->path, path))
			continue;
		*file = f;
		return cg_changed_file_locate(f, line, pos);
	}
	*file = NULL;
	return false;
}

/* ---- Markers and bodies ---- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool cg_forge_marker_fp(char out[CG_FINGERPRINT_SIZE], const char *body)
{
	const char *p = body;
	while (p && (p = strstr(p, CG_FORGE_FP_MARKER))) {
		const char *fp = p + strlen(CG_FORGE_FP_MARKER);
		size_t n = 0;
		while (n < 16 && is_hex(fp[n]))
			n++;
		if (n == 16 && !strncmp(fp + 16, " -->", 4)) {
			memcpy(out, fp, 16);
			out[16] = '\0';
			return true;
		}
		p = fp;
	}
	return false;
}

static bool is_alnum_ascii(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * Code as a fenced block whose fence is longer than any run of backticks
 * inside (CommonMark's rule), so nothing in it can close the block early and
 * swallow what follows (crabgate's trailer and hidden marker) into code.
 * Inside a code block nothing is markup; what must still go is what could
 * forge or close a marker in the raw body (an HTML comment) and controls.
 */
static int put_code_block(struct cg_buf *out, const char *text, size_t len, const char *lang, size_t lang_len)
{
	const unsigned char *s = (const unsigned char *)text;
	struct cg_buf code = CG_BUF_INIT;
	size_t run = 0, longest = 0, fence;
	int err = 0;

	for (size_t i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest < 3 ? 3 : longest + 1;
	if (out->size && out->ptr[out->size - 1] != '\n')
		cg_buf_putc(out, '\n');
	for (size_t i = 0; i < fence; i++)
		cg_buf_putc(out, '`');
	for (size_t i = 0; i < lang_len && i < 32; i++)
		if (is_alnum_ascii((unsigned char)lang[i]) || strchr("+-_.#", lang[i]))
			cg_buf_putc(out, lang[i]);
	cg_buf_putc(out, '\n');
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, text + i, len - i);
		if (!n) {
			cg_buf_puts(&code, CG_UTF8_REPLACEMENT);
			n = 1;
		} else if (cp != '\n' && cp != '\t' && cg_escape_is_control(cp)) {
			if (cp >= 0x80)
				cg_buf_puts(&code, CG_UTF8_REPLACEMENT);
		} else {
			cg_buf_put(&code, text + i, n);
		}
		i += n;
	}
	if ((err = cg_escape_html_comment(out, code.ptr, code.size)) < 0)
		goto done;
	if (out->ptr[out->size - 1] != '\n')
		cg_buf_putc(out, '\n');
	for (size_t i = 0; i < fence; i++)
		cg_buf_putc(out, '`');
	err = cg_buf_putc(out, '\n');
done:
	cg_buf_release(&code);
	return err;
}

/*
 * A fence line (CommonMark): up to 3 spaces, then 3+ backticks or tildes.
 * Sets its character, length, and where the rest of the line starts.
 */
static bool is_fence(const char *line, size_t len, char *c, size_t *n, size_t *after)
{
	size_t i = 0, k;
	while (i < len && i < 3 && line[i] == ' ')
		i++;
	if (i >= len || (line[i] != '`' && line[i] != '~'))
		return false;
	for (k = i; k < len && line[k] == line[i]; k++)
		;
	if (k - i < 3)
		return false;
	*c = line[i];
	*n = k - i;
	*after = k;
	return true;
}

/* Length of the line at s without its newline; *next is where the next line starts. */
static size_t line_at(const char *s, const char **next)
{
	const char *eol = strchr(s, '\n');
	*next = eol ? eol + 1 : s + strlen(s);
	return eol ? (size_t)(eol - s) : strlen(s);
}

/*
 * Text that may hold paragraphs and code blocks (a model's comment): a code
 * block it opens is fenced again by put_code_block, up to where CommonMark
 * closes it or to the end of the text; every other line goes through
 * cg_escape_md_inline.
 */
static int put_md_blocks(struct cg_buf *out, const char *s, const char *link_origin)
{
	const char *line = s ? s : "", *next;
	int err = 0;

	while (*line && !err) {
		size_t len = line_at(line, &next), flen, after, lang;
		char fc;
		/* A backtick fence's info string holds no backtick (else the line is a code span). */
		if (is_fence(line, len, &fc, &flen, &after) && (fc == '~' || !memchr(line + after, '`', len - after))) {
			const char *body = next, *p = next, *end = NULL;
			while (*p && !end) {
				const char *pn;
				size_t l = line_at(p, &pn), cn, cafter;
				char cc;
				if (is_fence(p, l, &cc, &cn, &cafter) && cc == fc && cn >= flen &&
				    strspn(p + cafter, " \t") >= l - cafter) {
					end = p;
					next = pn;
				} else {
					p = pn;
				}
			}
			if (!end)
				end = next = p;
			after += strspn(line + after, " \t");
			lang = strcspn(line + after, " \t\n");
			err = put_code_block(out, body, (size_t)(end - body), line + after, lang);
		} else {
			err = cg_escape_md_inline(out, line, len, CG_MD_CODE, link_origin);
			if (!err && line[len] == '\n')
				err = cg_buf_putc(out, '\n');
		}
		line = next;
	}
	return err;
}

/* Rule ids go inside code spans: keep only the characters ids are made of. */
static void put_rule_id(struct cg_buf *out, const char *id)
{
	for (const char *p = id ? id : ""; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_./:", *p))
			cg_buf_putc(out, *p);
}

bool cg_forge_fix_fits(const struct cg_finding *f, uint32_t first, uint32_t last)
{
	const struct cg_fix *fix = f->fix;
	const char *t = fix ? fix->new_lines : NULL;
	size_t len = t ? strlen(t) : 0;

	if (!t || fix->first_line != first || fix->last_line != last || strcmp(fix->edits[0].path, f->path) ||
	    !cg_utf8_valid(t, len))
		return false;
	/* The block is committed as written: a control character would be too, so there is no suggestion. */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, t + i, len - i);
		if (cp != '\n' && cp != '\t' && cg_escape_is_control(cp))
			return false;
		i += n;
	}
	return true;
}

/* The fix's lines in a suggestion block, fenced longer than any run of backticks in them. */
static void put_suggestion(struct cg_buf *out, const struct cg_finding *f, const char *info)
{
	const char *t = f->fix->new_lines;
	size_t run = 0, longest = 0, fence;

	for (const char *p = t; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest < 3 ? 3 : longest + 1;
	cg_buf_puts(out, "\n\n");
	for (size_t i = 0; i < fence; i++)
		cg_buf_putc(out, '`');
	cg_buf_printf(out, "%s\n%s\n", info, t);
	for (size_t i = 0; i < fence; i++)
		cg_buf_putc(out, '`');
	if (f->fix->applicability == CG_FIX_HAS_PLACEHOLDERS)
		cg_buf_puts(out, "\n\n_This fix holds a placeholder in capitals: replace it before committing it._");
	else if (f->fix->applicability != CG_FIX_MACHINE_APPLICABLE)
		cg_buf_puts(out, "\n\n_This fix may be incorrect: check it before committing it._");
}

int cg_forge_comment_body(struct cg_buf *out, const struct cg_finding *f, const char *link_origin,
			  const char *suggestion)
{
	cg_buf_printf(out, "**%s** `", cg_severity_name(f->severity));
	put_rule_id(out, f->rule);
	cg_buf_puts(out, "`: ");
	put_md_blocks(out, f->message, link_origin);
	if (f->help && *f->help) {
		cg_buf_puts(out, "\n\n");
		/* A model's help is its suggestion: replacement code. */
		if (f->origin == CG_ORIGIN_REVIEW)
			put_code_block(out, f->help, strlen(f->help), NULL, 0);
		else
			put_md_blocks(out, f->help, link_origin);
	}
	if (suggestion)
		put_suggestion(out, f, suggestion);
	if (f->origin == CG_ORIGIN_REVIEW)
		cg_buf_puts(out, "\n\n_(from the model review)_");
	cg_buf_puts(out, "\n\n<sub>crabgate · suppress with `// crabgate:allow(");
	put_rule_id(out, f->rule);
	cg_buf_puts(out, ") reason`</sub>\n");
	return cg_buf_printf(out, CG_FORGE_FP_MARKER "%s -->", f->fingerprint);
}

int cg_forge_summary_body(struct cg_buf *out, const struct cg_report_input *report, const char *const *notes,
			  size_t nnotes, size_t max_bytes)
{
	const struct cg_reporter *md = cg_reporter_find("markdown"); /* one of the built-in reporters */
	struct cg_report_input in = *report;
	const char **all = cg_calloc(report->nnotes + nnotes + 1, sizeof(*all));
	size_t start = out->size;
	int err = 0;

	/* The run's own notes (model review, …) first, then what the forge did. */
	for (size_t i = 0; i < report->nnotes; i++)
		all[i] = report->notes[i];
	in.nnotes = report->nnotes;
	for (size_t i = 0; i < nnotes; i++)
		all[in.nnotes++] = notes[i];
	in.notes = all;
	in.color = false;
	cg_buf_puts(out, CG_FORGE_SUMMARY_MARKER "\n");
	err = md->write(out, &in);
	/* Forges refuse long comments (GitHub: 65,536 characters): cut at a line. */
	if (!err && max_bytes && out->size - start > max_bytes) {
		static const char cut[] =
			"\n\n_The summary is cut here: the job summary and the reports list every finding._\n";
		size_t keep = max_bytes - sizeof(cut);
		while (keep > 0 && out->ptr[start + keep] != '\n')
			keep--;
		cg_buf_truncate(out, start + keep);
		cg_buf_puts(out, cut);
	}
	free(all);
	return err;
}

const struct cg_forge *const cg_forges[] = { &cg_forge__github, &cg_forge__gitlab };

const size_t cg_nforges = sizeof(cg_forges) / sizeof(cg_forges[0]);

const struct cg_forge *cg_forge_find(const char *name)
{
	for (size_t i = 0; i < cg_nforges; i++)
		if (!strcmp(cg_forges[i]->name, name))
			return cg_forges[i];
	return NULL;
}

void cg_forge_result_release(struct cg_forge_result *r)
{
	free(r->fallback_reason);
	memset(r, 0, sizeof(*r));
}

/* ---- JSON over HTTP (forge_internal.h) ---- */

int cg_forge__url(struct cg_buf *out, const char *api, const char *method, const char *url)
{
	if (strstr(url, "://")) {
		if (!cg_url_same_origin(api, url))
			return cg_error_set(CG_E_INPUT,
					    "%s %s: not on the API's host %s; refusing to send the token there", method,
					    url, api);
		return cg_buf_puts(out, url);
	}
	/*
	 * Appended to the API root, "@evil.example/x" (say, a Link header's next
	 * page) would make the API's host the user name of a URL on another
	 * host, and send it the token: only paths are appended.
	 */
	if (url[0] != '/')
		return cg_error_set(CG_E_INPUT,
				    "%s %s: not a path on the API's host %s; refusing to send the token there", method,
				    url, api);
	{
		/* What the URL parser cannot read as the API's origin (control bytes from a Link header) is not sent
		 * either. */
		struct cg_buf full = CG_BUF_INIT;
		int err = cg_buf_printf(&full, "%s%s", api, url);
		if (!err && !cg_url_same_origin(api, full.ptr))
			err = cg_error_set(CG_E_INPUT,
					   "%s %s: not a path on the API's host %s; refusing to send the token there",
					   method, url, api);
		if (!err)
			err = cg_buf_put(out, full.ptr, full.size);
		cg_buf_release(&full);
		return err;
	}
}

int cg_forge__request(struct cg_forge_client *c, struct cg_http_response *resp, const char *method, const char *url,
		      const cJSON *body)
{
	struct cg_http_header headers[CG_FORGE_MAX_HEADERS + 1];
	struct cg_http_request req = { 0 };
	struct cg_buf full = CG_BUF_INIT;
	char *json = NULL;
	size_t n = c->nheaders;
	int err;

	if ((err = cg_forge__url(&full, c->api, method, url)) < 0)
		goto done;
	memcpy(headers, c->headers, n * sizeof(*headers));
	if (body) {
		if (!(json = cJSON_PrintUnformatted(body)))
			abort();
		headers[n].name = "Content-Type";
		headers[n].value = "application/json";
		n++;
	}
	req.method = method;
	req.url = full.ptr;
	req.headers = headers;
	req.nheaders = n;
	req.body = json;
	req.body_len = json ? strlen(json) : 0;
	err = cg_http_send(resp, &req, &c->policy);
done:
	cJSON_free(json);
	cg_buf_release(&full);
	return err;
}

cJSON *cg_forge__json(const struct cg_http_response *resp, const char *what)
{
	cJSON *j = cJSON_ParseWithLength(resp->body.ptr, resp->body.size);
	if (!j)
		cg_error_set(CG_E_NET, "%s: the answer is not JSON", what);
	return j;
}

int cg_forge__http_error(const struct cg_http_response *resp, const char *what)
{
	cJSON *j = cJSON_ParseWithLength(resp->body.ptr, resp->body.size);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	const char *msg = cJSON_IsString(m) ? m->valuestring : NULL;
	int err;

	if (!msg && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")))
		msg = cJSON_GetObjectItemCaseSensitive(j, "error")->valuestring;
	if (resp->status == 0)
		err = cg_error_set(CG_E_NET, "%s: %s", what, resp->error ? resp->error : "no answer");
	else
		err = cg_error_set(CG_E_NET, "%s: HTTP %ld%s%s%.300s", what, resp->status,
				   resp->attempts > 1 ? " (after retries)" : "", msg ? ": " : "", msg ? msg : "");
	cJSON_Delete(j);
	return err;
}

/* The URL of the next page, or NULL at the end. Owned. */
static char *next_page(const struct cg_forge_client *c, const struct cg_http_response *resp, const char *url)
{
	const char *np;
	struct cg_buf b = CG_BUF_INIT;
	const char *q;

	if (c->paging == CG_PAGING_LINK)
		return cg_http_link_next(resp);
	np = cg_http_response_header(resp, "x-next-page");
	if (!np || !*np || strspn(np, "0123456789") != strlen(np))
		return NULL;
	/* url carries ?per_page=100 and maybe &page=N: rewrite page. */
	q = strstr(url, "&page=");
	if (q)
		cg_buf_put(&b, url, (size_t)(q - url));
	else
		cg_buf_puts(&b, url);
	cg_buf_printf(&b, "&page=%s", np);
	return cg_buf_detach(&b, NULL);
}

int cg_forge__get_all(struct cg_forge_client *c, const char *url, int (*cb)(const cJSON *item, void *payload),
		      void *payload)
{
	char *cur = cg_strdup(url), *next = NULL;
	int err = 0;

	for (size_t page = 0; cur && !err; page++) {
		struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
		cJSON *list = NULL, *item;

		if (page == CG_FORGE_MAX_PAGES) {
			err = cg_error_set(CG_E_NET, "GET %s: more than %d pages; giving up", url, CG_FORGE_MAX_PAGES);
			break;
		}
		if ((err = cg_forge__request(c, &resp, "GET", cur, NULL)) < 0)
			goto next;
		if (resp.status != 200) {
			err = cg_forge__http_error(&resp, url);
			goto next;
		}
		if (!(list = cg_forge__json(&resp, url)) || !cJSON_IsArray(list)) {
			err = cg_error_set(CG_E_NET, "GET %s: expected a JSON list", url);
			goto next;
		}
		cJSON_ArrayForEach(item, list) if ((err = cb(item, payload)) < 0) goto next;
		next = next_page(c, &resp, cur);
	next:
		cJSON_Delete(list);
		cg_http_response_release(&resp);
		free(cur);
		cur = next;
		next = NULL;
	}
	free(cur);
	return err;
}

void cg_forge__client_release(struct cg_forge_client *c)
{
	cg_buf_release(&c->auth);
}

void cg_forge__note(struct cg_forge_notes *n, const char *fmt, ...)
{
	struct cg_buf b = CG_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cg_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	cg_array_grow((void **)&n->items, &n->cap, n->len + 1, sizeof(*n->items));
	n->items[n->len++] = cg_buf_detach(&b, NULL);
}

void cg_forge__notes_release(struct cg_forge_notes *n)
{
	for (size_t i = 0; i < n->len; i++)
		free(n->items[i]);
	free(n->items);
	memset(n, 0, sizeof(*n));
}

void cg_forge__posted_add(struct cg_forge_posted_list *l, long long id, const char *thread, const char *body)
{
	struct cg_forge_posted *p;
	char fp[CG_FINGERPRINT_SIZE];

	if (!body || !cg_forge_marker_fp(fp, body))
		return;
	cg_array_grow((void **)&l->items, &l->cap, l->len + 1, sizeof(*l->items));
	p = &l->items[l->len++];
	memcpy(p->fp, fp, sizeof(fp));
	p->is_fixed = strstr(body, CG_FORGE_FIXED_MARKER) != NULL;
	p->id = id;
	p->thread = cg_strdup(thread);
	p->body = cg_strdup(body);
}

bool cg_forge__json_id(long long *out, const cJSON *v)
{
	double d;
	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* Ids are positive whole numbers; past 2^53 a double no longer holds them exactly. */
	if (!(d >= 1 && d <= 9007199254740992.0) || d != (double)(long long)d)
		return false;
	*out = (long long)d;
	return true;
}

int cg_forge__read_comment(struct cg_forge_posted_list *l, const cJSON *item)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
	long long id;

	if (!cJSON_IsObject(item))
		return 0;
	if (cJSON_IsString(body) && cg_forge__json_id(&id, cJSON_GetObjectItemCaseSensitive(item, "id")))
		cg_forge__posted_add(l, id, NULL, body->valuestring);
	return 1;
}

size_t cg_forge__read_discussion(struct cg_forge_posted_list *l, const cJSON *item)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(item, "notes"), *note;
	size_t n = 0;

	if (!cJSON_IsArray(notes))
		return 0;
	cJSON_ArrayForEach(note, notes)
	{
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(note, "body");
		long long nid;
		n++;
		if (cJSON_IsString(body) && cJSON_IsString(id) &&
		    cg_forge__json_id(&nid, cJSON_GetObjectItemCaseSensitive(note, "id")))
			cg_forge__posted_add(l, nid, id->valuestring, body->valuestring);
	}
	return n;
}

long long cg_forge__summary_id(const cJSON *item)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
	long long id;
	/* crabgate's summary starts with the marker; a quote of it in someone's reply does not. */
	if (cJSON_IsString(body) && cg_starts_with(body->valuestring, CG_FORGE_SUMMARY_MARKER) &&
	    cg_forge__json_id(&id, cJSON_GetObjectItemCaseSensitive(item, "id")))
		return id;
	return 0;
}

static bool copy_sha(char out[GIT_OID_HEXSZ + 1], const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(v) || strlen(v->valuestring) != GIT_OID_HEXSZ ||
	    strspn(v->valuestring, "0123456789abcdef") != GIT_OID_HEXSZ)
		return false;
	memcpy(out, v->valuestring, GIT_OID_HEXSZ + 1);
	return true;
}

bool cg_forge__read_diff_refs(char base[GIT_OID_HEXSZ + 1], char start[GIT_OID_HEXSZ + 1], char head[GIT_OID_HEXSZ + 1],
			      const cJSON *mr)
{
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(mr, "diff_refs");
	return copy_sha(base, refs, "base_sha") && copy_sha(start, refs, "start_sha") &&
	       copy_sha(head, refs, "head_sha");
}

const struct cg_forge_posted *cg_forge__posted_find(const struct cg_forge_posted_list *l, const char *fp)
{
	for (size_t i = 0; i < l->len; i++)
		if (!l->items[i].is_fixed && !strcmp(l->items[i].fp, fp))
			return &l->items[i];
	return NULL;
}

void cg_forge__posted_release(struct cg_forge_posted_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].thread);
		free(l->items[i].body);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void cg_forge__fixed_body(struct cg_buf *out, const struct cg_forge_posted *p, const char *head_sha)
{
	const char *marker = strstr(p->body, CG_FORGE_FP_MARKER);
	size_t keep = marker ? (size_t)(marker - p->body) : strlen(p->body);

	cg_buf_printf(out,
		      "**Fixed** in %.12s: crabgate no longer finds this.\n\n<details><summary>Original comment"
		      "</summary>\n\n",
		      head_sha);
	cg_buf_put(out, p->body, keep);
	cg_buf_printf(out, "\n</details>\n\n" CG_FORGE_FIXED_MARKER "\n" CG_FORGE_FP_MARKER "%s -->", p->fp);
}

bool cg_forge__finding_present(const struct cg_findings *fs, const char *fp)
{
	for (size_t i = 0; i < fs->len; i++)
		if (cg_finding_is_visible(&fs->items[i]) && !strcmp(fs->items[i].fingerprint, fp))
			return true;
	return false;
}
