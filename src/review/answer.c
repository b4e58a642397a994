/*
 * Model answers: found in whatever the model wrapped them in, checked
 * against the one shape crabgate accepts, and made inert. A wrong answer is
 * the common case (fences, prose, truncation), not an exception.
 */
#include "review/review_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/banned.h"

#define MAX_ITEMS 20
#define MAX_BODY 4000
#define MAX_ITEM 500
#define MAX_SUMMARY 4000
#define MAX_CANDIDATES 64

void cg_review_answer_release(struct cg_review_answer *a)
{
	for (size_t i = 0; i < a->ncomments; i++) {
		free(a->comments[i].path);
		free(a->comments[i].category);
		free(a->comments[i].body);
		free(a->comments[i].suggestion);
	}
	free(a->comments);
	for (size_t i = 0; i < a->nlessons; i++)
		free(a->lessons[i]);
	free(a->lessons);
	for (size_t i = 0; i < a->ntodos; i++)
		free(a->todos[i]);
	free(a->todos);
	free(a->summary);
	memset(a, 0, sizeof(*a));
}

/* End (one past the closing brace) of the balanced object starting at s[0] == '{', or 0. */
static size_t balanced_end(const char *s, size_t len)
{
	size_t depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth && --depth == 0)
			return i + 1;
	}
	return 0;
}

static bool looks_like_answer(const cJSON *o)
{
	return cJSON_IsObject(o) &&
	       (cJSON_GetObjectItemCaseSensitive(o, "comments") || cJSON_GetObjectItemCaseSensitive(o, "summary"));
}

/* The first JSON object in s[0..len) that looks like an answer, or NULL. */
static cJSON *find_object(const char *s, size_t len)
{
	size_t tries = 0;
	for (size_t i = 0; i < len && tries < MAX_CANDIDATES; i++) {
		size_t end;
		cJSON *o;
		if (s[i] != '{')
			continue;
		tries++;
		if (!(end = balanced_end(s + i, len - i)))
			return NULL; /* nothing closes it: cut off */
		o = cJSON_ParseWithLength(s + i, end);
		if (o && looks_like_answer(o))
			return o;
		cJSON_Delete(o);
	}
	return NULL;
}

/* The body of the first ``` fence, or NULL. */
static const char *fenced(const char *s, size_t len, size_t *out_len)
{
	const char *open = NULL, *start, *close = NULL;
	for (size_t i = 0; i + 3 <= len; i++)
		if (!memcmp(s + i, "```", 3)) {
			open = s + i;
			break;
		}
	if (!open)
		return NULL;
	start = memchr(open, '\n', len - (size_t)(open - s));
	if (!start)
		return NULL;
	start++;
	for (const char *p = start; p + 3 <= s + len; p++)
		if (!memcmp(p, "```", 3)) {
			close = p;
			break;
		}
	*out_len = (size_t)((close ? close : s + len) - start);
	return start;
}

static char *dup_clean(const cJSON *item, size_t max)
{
	if (!cJSON_IsString(item) || !item->valuestring)
		return NULL;
	return cg_review_sanitize(item->valuestring, strlen(item->valuestring), max);
}

static bool read_line(const cJSON *item, uint32_t *out)
{
	double d;
	if (cJSON_IsNumber(item)) {
		d = item->valuedouble;
	} else if (cJSON_IsString(item) && item->valuestring) {
		long v;
		if (cg_parse_long(&v, item->valuestring, 1, 10000000) < 0)
			return false;
		d = (double)v;
	} else {
		return false;
	}
	if (!(d >= 1 && d <= 10000000) || d != (double)(uint32_t)d)
		return false;
	*out = (uint32_t)d;
	return true;
}

static bool read_severity(const cJSON *item, enum cg_severity *out)
{
	static const struct {
		const char *name;
		enum cg_severity sev;
	} names[] = { { "error", CG_SEV_ERROR },
		      { "warning", CG_SEV_WARNING },
		      { "warn", CG_SEV_WARNING },
		      { "note", CG_SEV_NOTE },
		      { "info", CG_SEV_NOTE } };
	if (!cJSON_IsString(item) || !item->valuestring)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(item->valuestring, names[i].name)) {
			*out = names[i].sev;
			return true;
		}
	return false;
}

/* "Async / Await!" -> "async-await"; a rule id part, whatever the model wrote. */
static char *category_id(const cJSON *item)
{
	struct cg_buf b = CG_BUF_INIT;
	const char *s = cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
	bool dash = false;
	for (; *s && b.size < 32; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) && c < 0x80) {
			if (dash && b.size)
				cg_buf_putc(&b, '-');
			cg_buf_putc(&b, (char)tolower(c));
			dash = false;
		} else {
			dash = true;
		}
	}
	if (!b.size)
		cg_buf_puts(&b, "general");
	return cg_buf_detach(&b, NULL);
}

static char *clean_path(const char *p)
{
	if (!p || !*p || !cg_utf8_valid(p, strlen(p)))
		return NULL;
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20)
			return NULL;
	while (!strncmp(p, "./", 2))
		p += 2;
	if (!strncmp(p, "b/", 2) || !strncmp(p, "a/", 2))
		p += 2; /* a diff's prefixes, echoed back */
	while (*p == '/')
		p++;
	return *p ? cg_strdup(p) : NULL;
}

static void read_list(char ***out, size_t *n, size_t *cap, const cJSON *arr)
{
	const cJSON *it;
	if (!cJSON_IsArray(arr))
		return;
	cJSON_ArrayForEach(it, arr)
	{
		char *s;
		if (*n >= MAX_ITEMS)
			break;
		if (!(s = dup_clean(it, MAX_ITEM)))
			continue;
		if (!*s) {
			free(s);
			continue;
		}
		cg_array_grow((void **)out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = s;
	}
}

int cg_review_answer_parse(struct cg_review_answer *out, const char *text, size_t len)
{
	const char *body;
	size_t blen = 0;
	cJSON *root = NULL;
	const cJSON *comments, *it;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if ((body = fenced(text, len, &blen)) != NULL)
		root = find_object(body, blen);
	if (!root)
		root = find_object(text, len);
	if (!root) {
		bool has_brace = memchr(text, '{', len) != NULL;
		err = cg_error_set(CG_E_INPUT, "%s",
				   !len ? "the answer was empty"
				   : has_brace
					   ? "the answer holds no complete JSON object of the review's shape (cut off?)"
					   : "the answer holds no JSON object");
		goto done;
	}
	comments = cJSON_GetObjectItemCaseSensitive(root, "comments");
	if (comments && !cJSON_IsArray(comments) && !cJSON_IsNull(comments)) {
		err = cg_error_set(CG_E_INPUT, "the answer's \"comments\" is not a list");
		goto done;
	}
	cJSON_ArrayForEach(it, comments)
	{
		struct cg_review_comment c;
		const cJSON *end = cJSON_GetObjectItemCaseSensitive(it, "end_line");
		const cJSON *sugg = cJSON_GetObjectItemCaseSensitive(it, "suggestion");
		memset(&c, 0, sizeof(c));
		if (out->ncomments >= CG_REVIEW_MAX_COMMENTS) {
			out->nover_cap++;
			continue;
		}
		if (!cJSON_IsObject(it) ||
		    !(c.path = clean_path(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "path")))) ||
		    !read_line(cJSON_GetObjectItemCaseSensitive(it, "line"), &c.line) ||
		    !read_severity(cJSON_GetObjectItemCaseSensitive(it, "severity"), &c.severity) ||
		    !(c.body = dup_clean(cJSON_GetObjectItemCaseSensitive(it, "body"), MAX_BODY)) || !*c.body ||
		    (end && !cJSON_IsNull(end) && !read_line(end, &c.end_line)) ||
		    (sugg && !cJSON_IsNull(sugg) && !cJSON_IsString(sugg))) {
			free(c.path);
			free(c.body);
			out->ninvalid++;
			continue;
		}
		c.category = category_id(cJSON_GetObjectItemCaseSensitive(it, "category"));
		c.suggestion = dup_clean(sugg, MAX_BODY);
		if (c.suggestion && !*c.suggestion) {
			free(c.suggestion);
			c.suggestion = NULL;
		}
		if (c.end_line && c.end_line <= c.line)
			c.end_line = 0;
		cg_array_grow((void **)&out->comments, &out->comments_cap, out->ncomments + 1, sizeof(*out->comments));
		out->comments[out->ncomments++] = c;
	}
	out->summary = dup_clean(cJSON_GetObjectItemCaseSensitive(root, "summary"), MAX_SUMMARY);
	if (!out->summary)
		out->summary = cg_strdup("");
	read_list(&out->lessons, &out->nlessons, &out->lessons_cap, cJSON_GetObjectItemCaseSensitive(root, "lessons"));
	read_list(&out->todos, &out->ntodos, &out->todos_cap, cJSON_GetObjectItemCaseSensitive(root, "todos"));
done:
	cJSON_Delete(root);
	return err;
}
