#define _GNU_SOURCE /* memmem */
#include "util/str.h"

#include <errno.h>
#include <stdint.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

void *cg_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *cg_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		abort();
	return p;
}

void *cg_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void cg_array_grow(void **arr, size_t *cap, size_t want, size_t size)
{
	size_t n = *cap ? *cap : 8;
	if (want <= *cap)
		return;
	while (n < want)
		n *= 2;
	if (n > SIZE_MAX / size)
		abort();
	*arr = cg_realloc(*arr, n * size);
	*cap = n;
}

char *cg_strdup(const char *s)
{
	return s ? cg_strndup(s, strlen(s)) : NULL;
}

char *cg_strndup(const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = cg_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

bool cg_is_ident_byte(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

bool cg_has_word(const char *text, size_t len, const char *word, size_t wlen)
{
	const char *end = text + len;
	for (const char *p = text; wlen && p < end && (p = memmem(p, (size_t)(end - p), word, wlen)) != NULL; p++)
		if ((p == text || !cg_is_ident_byte(p[-1])) && (p + wlen == end || !cg_is_ident_byte(p[wlen])))
			return true;
	return false;
}

bool cg_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool cg_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool cg_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

size_t cg_edit_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), *row, result;

	/* The lengths alone bound it from below; this also keeps long input cheap. */
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	row = cg_calloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = best = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], d = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
			if (d < best)
				best = d;
		}
		if (best > max) {
			free(row);
			return max + 1;
		}
	}
	result = row[lb] > max ? max + 1 : row[lb];
	free(row);
	return result;
}

int cg_parse_long(long *out, const char *s, long min, long max)
{
	char *end;
	long v;
	errno = 0;
	if (!s || !*s)
		return cg_error_set(CG_E_INPUT, "expected a number");
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return cg_error_set(CG_E_INPUT, "'%s': expected a whole number from %ld to %ld", s, min, max);
	*out = v;
	return 0;
}

/* Iterative glob with single backtracking points for * and **. */
bool cg_glob_match(const char *pat, const char *str)
{
	const char *p = pat, *s = str;
	const char *star_p = NULL, *star_s = NULL;   /* last '*' (within a segment) */
	const char *dstar_p = NULL, *dstar_s = NULL; /* last '**' */

	while (*s) {
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			if (*p == '/')
				p++;
			dstar_p = p;
			dstar_s = s;
			star_p = NULL;
			continue;
		}
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p && (*p == *s || (*p == '?' && *s != '/'))) {
			p++;
			s++;
			continue;
		}
		if (star_p && *star_s != '/') {
			p = star_p;
			s = ++star_s;
			continue;
		}
		if (dstar_p) {
			/* A double star followed by a slash matches whole segments: resume after the next slash. */
			const char *slash = strchr(dstar_s, '/');
			if (dstar_p > pat && dstar_p[-1] == '/' && slash) {
				dstar_s = slash + 1;
			} else if (*dstar_s) {
				dstar_s++;
			} else {
				return false;
			}
			p = dstar_p;
			s = dstar_s;
			star_p = NULL;
			continue;
		}
		return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

uint64_t cg_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL ^ seed;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void cg_sha1_hex(char out[CG_SHA1_HEX_SIZE], const void *data, size_t len)
{
	git_oid oid;
	if (git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB) < 0) {
		memset(out, '0', CG_SHA1_HEX_SIZE - 1);
		out[CG_SHA1_HEX_SIZE - 1] = '\0';
		return;
	}
	git_oid_tostr(out, CG_SHA1_HEX_SIZE, &oid);
}

bool cg_is_generated_text(const char *text, size_t len)
{
	static const char *const markers[] = { "@generated", "DO NOT EDIT", "Code generated", "automatically generated",
					       "Automatically generated" };
	size_t head = len < 1024 ? len : 1024;
	for (size_t i = 0; text && i < sizeof(markers) / sizeof(markers[0]); i++)
		if (memmem(text, head, markers[i], strlen(markers[i])))
			return true;
	return false;
}
