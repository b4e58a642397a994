/*
 * What a forge's API sends back, on arbitrary bytes: headers (Link and
 * X-Next-Page paging, Retry-After and rate-limit resets) and a JSON body
 * read as a page of existing comments (GitHub review and issue comments,
 * GitLab discussions and notes), as a merge request's diff_refs, and as an
 * error answer. Input: "Name: value" header lines, a blank line, the body.
 *
 * Invariants: the next page's URL never leaves the API's origin (the token
 * goes with it); a fingerprint read from a comment is 16 hex digits, and a
 * comment crabgate marks fixed keeps its fingerprint and reads back as fixed;
 * ids are positive; diff_refs are 40 hex digits.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forge/forge_internal.h"
#include "util/error.h"
#include "util/str.h"
#include "util/url.h"

#define API "https://api.example.test" /* GitHub's shape: no path after the host */

static void read_headers(struct cg_http_response *resp, const char *p, const char *end)
{
	while (p < end && resp->nheaders < 16) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *colon;
		const char *eol = nl ? nl : end;
		if (eol == p)
			break;
		if ((colon = memchr(p, ':', (size_t)(eol - p))) != NULL) {
			const char *v = colon + 1;
			while (v < eol && *v == ' ')
				v++;
			cg_array_grow((void **)&resp->headers, &resp->headers_cap, resp->nheaders + 1,
				      sizeof(*resp->headers));
			resp->headers[resp->nheaders].name = cg_strndup(p, (size_t)(colon - p));
			resp->headers[resp->nheaders].value = cg_strndup(v, (size_t)(eol - v));
			resp->nheaders++;
		}
		p = nl ? nl + 1 : end;
	}
}

static void check_posted(const struct cg_forge_posted_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		const struct cg_forge_posted *p = &l->items[i];
		struct cg_forge_posted_list again = { 0 };
		struct cg_buf fixed = CG_BUF_INIT;
		if (strlen(p->fp) != 16 || strspn(p->fp, "0123456789abcdef") != 16)
			abort();
		cg_forge__fixed_body(&fixed, p, "0123456789abcdef0123456789abcdef01234567");
		cg_forge__posted_add(&again, p->id, p->thread, fixed.ptr);
		if (again.len != 1 || !again.items[0].is_fixed || strcmp(again.items[0].fp, p->fp))
			abort();
		cg_forge__posted_release(&again);
		cg_buf_release(&fixed);
	}
}

/* The next page's URL as the client would send it (cg_forge__request): never to another origin. */
static void check_next(const char *next)
{
	struct cg_buf full = CG_BUF_INIT;
	if (next && cg_forge__url(&full, API, "GET", next) == 0 && !cg_url_same_origin(API, full.ptr))
		abort();
	cg_buf_release(&full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size, *body = text;
	struct cg_http_response resp = CG_HTTP_RESPONSE_INIT;
	struct cg_http_policy policy = CG_HTTP_POLICY_INIT;
	struct cg_forge_posted_list posted = { 0 };
	const char *sep = size >= 2 ? memmem(text, size, "\n\n", 2) : NULL;
	cJSON *json;
	char *next;

	if (sep) {
		read_headers(&resp, text, sep);
		body = sep + 2;
	}
	cg_buf_put(&resp.body, body, (size_t)(end - body));
	resp.status = size ? 200 + (data[0] % 4) * 100 + (data[size - 1] % 30) : 200;
	resp.attempts = 1;

	next = cg_http_link_next(&resp);
	check_next(next);
	free(next);
	cg_http_response_wait_ms(&resp);
	cg_http_should_retry(&resp, &policy);

	if ((json = cg_forge__json(&resp, "GET page")) != NULL) {
		const cJSON *item;
		char base[GIT_OID_HEXSZ + 1], start[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1];
		/* As GitHub's review/issue comments, GitLab's discussions and notes, and a merge request. */
		cJSON_ArrayForEach(item, json)
		{
			cg_forge__read_comment(&posted, item);
			cg_forge__read_discussion(&posted, item);
			if (cg_forge__summary_id(item) < 0)
				abort();
		}
		check_posted(&posted);
		for (size_t i = 0; i < posted.len; i++) {
			const struct cg_forge_posted *found = cg_forge__posted_find(&posted, posted.items[i].fp);
			if (posted.items[i].id < 1 || (found && found->is_fixed) ||
			    (!found && !posted.items[i].is_fixed))
				abort();
		}
		if (cg_forge__read_diff_refs(base, start, head, json) &&
		    (strlen(base) != 40 || strspn(head, "0123456789abcdef") != 40))
			abort();
		cJSON_Delete(json);
	}
	cg_forge__http_error(&resp, "POST x");
	cg_forge__posted_release(&posted);
	cg_http_response_release(&resp);
	cg_error_clear();
	return 0;
}
