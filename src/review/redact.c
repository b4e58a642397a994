/*
 * What leaves the machine: secrets masked before a prompt is built, and what
 * comes back: model text made inert before anyone sees or posts it.
 */
#include "review/review_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/banned.h"

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

static bool is_ident(char c)
{
	return is_alnum(c) || c == '_';
}

static size_t span_of(const char *s, size_t len, const char *set_extra, bool upper_digits_only)
{
	size_t n = 0;
	while (n < len) {
		char c = s[n];
		bool ok = upper_digits_only ? (isupper((unsigned char)c) || isdigit((unsigned char)c))
					    : (is_alnum(c) || (set_extra && c && strchr(set_extra, c)));
		if (!ok)
			break;
		n++;
	}
	return n;
}

static bool has_digit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isdigit((unsigned char)s[i]))
			return true;
	return false;
}

/* log2 for 0 < x <= 1 without libm: halve the range, then the atanh series. */
static double log2_unit(double x)
{
	double y, y2, term, sum = 0;
	int k = 0;
	while (x < 0.5) {
		x *= 2;
		k++;
	}
	y = (x - 1) / (x + 1);
	y2 = y * y;
	term = y;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return 2 * sum / 0.6931471805599453 - k;
}

/* Shannon entropy in bits per character. */
static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = { 0 };
	double h = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (int c = 0; c < 256; c++) {
		if (counts[c]) {
			double p = (double)counts[c] / (double)n;
			h -= p * log2_unit(p);
		}
	}
	return h;
}

struct shape {
	const char *prefix;
	const char *kind;
	size_t min_tail;	/* characters after the prefix */
	size_t max_tail;	/* 0: no limit */
	const char *tail_extra; /* besides letters and digits */
	bool is_upper_digits;	/* tail is [A-Z0-9] only */
	bool needs_digit;
};

/* Token shapes by prefix. Longer prefixes first where one is a prefix of another. */
static const struct shape shapes[] = {
	{ "AKIA", "aws-access-key", 16, 16, NULL, true, false },
	{ "ASIA", "aws-access-key", 16, 16, NULL, true, false },
	{ "AGPA", "aws-access-key", 16, 16, NULL, true, false },
	{ "AIDA", "aws-access-key", 16, 16, NULL, true, false },
	{ "AROA", "aws-access-key", 16, 16, NULL, true, false },
	{ "AIPA", "aws-access-key", 16, 16, NULL, true, false },
	{ "ANPA", "aws-access-key", 16, 16, NULL, true, false },
	{ "ANVA", "aws-access-key", 16, 16, NULL, true, false },
	{ "ABIA", "aws-access-key", 16, 16, NULL, true, false },
	{ "ACCA", "aws-access-key", 16, 16, NULL, true, false },
	{ "AIza", "gcp-api-key", 35, 35, "_-", false, false },
	{ "github_pat_", "github-token", 22, 0, "_", false, false },
	{ "ghp_", "github-token", 36, 0, NULL, false, false },
	{ "gho_", "github-token", 36, 0, NULL, false, false },
	{ "ghu_", "github-token", 36, 0, NULL, false, false },
	{ "ghs_", "github-token", 36, 0, NULL, false, false },
	{ "ghr_", "github-token", 36, 0, NULL, false, false },
	{ "glpat-", "gitlab-token", 20, 0, "_-", false, false },
	{ "gldt-", "gitlab-token", 20, 0, "_-", false, false },
	{ "glrt-", "gitlab-token", 20, 0, "_-", false, false },
	{ "glptt-", "gitlab-token", 20, 0, "_-", false, false },
	{ "glcbt-", "gitlab-token", 20, 0, "_-", false, false },
	{ "glsoat-", "gitlab-token", 20, 0, "_-", false, false },
	{ "GR1348941", "gitlab-token", 20, 0, "_-", false, false },
	{ "xoxa-", "slack-token", 10, 0, "-", false, false },
	{ "xoxb-", "slack-token", 10, 0, "-", false, false },
	{ "xoxp-", "slack-token", 10, 0, "-", false, false },
	{ "xoxo-", "slack-token", 10, 0, "-", false, false },
	{ "xoxs-", "slack-token", 10, 0, "-", false, false },
	{ "xoxr-", "slack-token", 10, 0, "-", false, false },
	{ "xoxe-", "slack-token", 10, 0, "-", false, false },
	{ "https://hooks.slack.com/services/", "slack-webhook", 8, 0, "/_-", false, false },
	{ "sk-ant-", "anthropic-key", 20, 0, "_-", false, false },
	{ "sk-", "openai-key", 20, 0, "_-", false, true },
};

/* Length of a token shape at s (0: none). s[-1] must not continue a word. */
static size_t match_shape(const char *s, size_t len, const char **kind)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *sh = &shapes[i];
		size_t plen = strlen(sh->prefix), tail;
		if (len < plen + sh->min_tail || memcmp(s, sh->prefix, plen) != 0)
			continue;
		tail = span_of(s + plen, len - plen, sh->tail_extra, sh->is_upper_digits);
		if (tail < sh->min_tail || (sh->max_tail && tail > sh->max_tail))
			continue;
		if (sh->needs_digit && !has_digit(s + plen, tail))
			continue;
		*kind = sh->kind;
		return plen + tail;
	}
	return 0;
}

static bool is_b64url(char c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/*
 * Length of a JSON Web Token at s (0: none): three base64url parts joined by
 * dots, the first an encoded JSON object ("eyJ" is '{"'), the signature
 * empty for an unsigned token.
 */
static size_t match_jwt(const char *s, size_t len)
{
	size_t i = 0, parts[3];
	if (len < 3 || memcmp(s, "eyJ", 3) != 0)
		return 0;
	for (int k = 0; k < 3; k++) {
		size_t start = i;
		while (i < len && is_b64url(s[i]))
			i++;
		parts[k] = i - start;
		if (k < 2) {
			if (i >= len || s[i] != '.')
				return 0;
			i++;
		}
	}
	/* A header holds at least {"alg":"none"} (19 characters encoded), a payload at least {} (3). */
	return parts[0] >= 19 && parts[1] >= 3 ? i : 0;
}

/*
 * After the word "Bearer" (any case) at s[0..6): the token that follows
 * (RFC 6750's b64token) as [*start, *end), when it looks like one: a JWT, a
 * known token shape, or 16+ characters mixing letters and digits ("Bearer
 * token-based auth" is prose).
 */
static bool match_bearer(const char *s, size_t len, size_t *start, size_t *end, const char **kind)
{
	size_t i = 6, n;
	bool has_alpha = false;
	if (len < 7 || (s[6] != ' ' && s[6] != '\t'))
		return false;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*start = i;
	while (i < len && (is_alnum(s[i]) || strchr("-._~+/", s[i])))
		i++;
	while (i < len && s[i] == '=')
		i++;
	*end = i;
	n = i - *start;
	if (!n || (i < len && is_ident(s[i])))
		return false;
	if (match_jwt(s + *start, n) == n) {
		*kind = "jwt";
		return true;
	}
	if (match_shape(s + *start, n, kind) == n)
		return true;
	for (size_t k = *start; k < i; k++)
		has_alpha |= isalpha((unsigned char)s[k]) != 0;
	*kind = "bearer-token";
	return n >= 16 && has_alpha && has_digit(s + *start, n);
}

static const char *find_in(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && !memcmp(s + i, needle, n))
			return s + i;
	return NULL;
}

/*
 * A private key block at s: "-----BEGIN ... PRIVATE KEY...-----" to the end
 * of its "-----END ...-----" line (or, without one, to the last line of
 * base64 after it). Returns its length, 0 when s does not start one.
 */
static size_t match_key_block(const char *s, size_t len)
{
	const char *label_end, *eol, *end, *p;
	size_t line_len;

	if (len < 11 || memcmp(s, "-----BEGIN ", 11) != 0)
		return 0;
	eol = memchr(s, '\n', len);
	line_len = eol ? (size_t)(eol - s) : len;
	label_end = find_in(s + 11, line_len - 11, "-----");
	if (!label_end || !find_in(s, (size_t)(label_end - s), "PRIVATE KEY"))
		return 0;
	p = label_end + 5;
	end = find_in(p, len - (size_t)(p - s), "-----END ");
	if (end) {
		const char *close = find_in(end + 9, len - (size_t)(end + 9 - s), "-----");
		if (close)
			return (size_t)(close + 5 - s);
		return (size_t)(end + 9 - s);
	}
	/* No END: take the base64 lines that follow. */
	p = eol ? eol + 1 : s + len;
	while (p < s + len) {
		const char *nl = memchr(p, '\n', len - (size_t)(p - s));
		size_t n = nl ? (size_t)(nl - p) : len - (size_t)(p - s), k = 0;
		while (k < n && (is_alnum(p[k]) || strchr("+/=\r \t", p[k])))
			k++;
		if (k != n || n == 0)
			break;
		p = nl ? nl + 1 : s + len;
	}
	return (size_t)(p - s);
}

static const char *const secret_words[] = { "password", "passwd",      "secret",     "token",	   "api_key", "apikey",
					    "api-key",	"private_key", "access_key", "credential", "auth_key" };

/* True when identifier s[0..n) names a secret (the word ends the name or a segment of it). */
static bool names_secret(const char *s, size_t n)
{
	char low[128];
	if (n >= sizeof(low))
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	for (size_t w = 0; w < sizeof(secret_words) / sizeof(secret_words[0]); w++) {
		const char *at = low;
		size_t wl = strlen(secret_words[w]);
		while ((at = strstr(at, secret_words[w])) != NULL) {
			char after = at[wl];
			if (!after || after == '_' || after == '-' || after == '.' ||
			    (after == 's' && (!at[wl + 1] || at[wl + 1] == '_' || at[wl + 1] == '-')))
				return true;
			at++;
		}
	}
	return false;
}

/*
 * A value that names where the secret is rather than holding it: an
 * environment variable's name (API_KEY_ENV: "OPENAI_API_KEY") or a
 * reference like "${TOKEN}" / "$TOKEN".
 */
static bool names_reference(const char *v, size_t n)
{
	bool has_underscore = false;
	if (n && v[0] == '$')
		return true;
	if (!n || !isupper((unsigned char)v[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '_')
			has_underscore = true;
		else if (!isupper((unsigned char)v[i]) && !isdigit((unsigned char)v[i]))
			return false;
	}
	return has_underscore;
}

/*
 * At an identifier naming a secret: finds an assigned value on the same
 * line. Sets [*vstart, *vend) to the value's bytes (inside its quotes).
 */
static bool match_assignment(const char *s, size_t len, size_t ident_len, size_t *vstart, size_t *vend)
{
	size_t i = ident_len, eol = 0;
	bool has_colon = false, is_quoted = false;
	char q = 0;

	while (eol < len && s[eol] != '\n')
		eol++;
	if (i < eol && (s[i] == '"' || s[i] == '\''))
		i++; /* the end of a quoted key: "password": */
	while (i < eol && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < eol && s[i] == ':' && !(i + 1 < eol && s[i + 1] == ':')) {
		has_colon = true;
		i++;
		if (i < eol && s[i] == '=')
			i++; /* := */
		while (i < eol && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (i < eol && s[i] == '=' && !(i + 1 < eol && s[i + 1] == '=')) {
		i++;
		if (i < eol && s[i] == '>')
			i++;
		while (i < eol && (s[i] == ' ' || s[i] == '\t'))
			i++;
	} else if (has_colon && !(i < eol && (s[i] == '"' || s[i] == '\'' || s[i] == '`'))) {
		/* `api_key: &str = "…"`: a short type annotation before the = */
		size_t j = i;
		while (j < eol && j - i < 48 && !strchr("=;\"'`{(", s[j]))
			j++;
		if (j < eol && s[j] == '=' && !(j + 1 < eol && s[j + 1] == '=')) {
			i = j + 1;
			while (i < eol && (s[i] == ' ' || s[i] == '\t'))
				i++;
		}
	} else if (!has_colon) {
		return false;
	}
	if (i < eol && s[i] == 'r' && i + 1 < eol && (s[i + 1] == '"' || s[i + 1] == '#')) {
		i++; /* Rust raw string r"…" / r#"…"# */
		while (i < eol && s[i] == '#')
			i++;
	}
	if (i < eol && (s[i] == '"' || s[i] == '\'' || s[i] == '`')) {
		q = s[i++];
		is_quoted = true;
	}
	*vstart = i;
	if (is_quoted) {
		while (i < eol && s[i] != q) {
			if (s[i] == '\\' && i + 1 < eol)
				i++;
			i++;
		}
		if (i >= eol)
			return false;
		*vend = i;
		return *vend > *vstart && !names_reference(s + *vstart, *vend - *vstart) &&
		       !(*vend - *vstart >= 8 && !memcmp(s + *vstart, "[MASKED:", 8));
	}
	/* Unquoted (.env, YAML, TOML bare words): only what looks random. */
	while (i < eol && (is_alnum(s[i]) || strchr("+/=_-", s[i])))
		i++;
	*vend = i;
	{
		size_t n = *vend - *vstart;
		const char *v = s + *vstart;
		bool has_alpha = false;
		for (size_t k = 0; k < n; k++)
			has_alpha |= isalpha((unsigned char)v[k]) != 0;
		return n >= 16 && has_alpha && has_digit(v, n) && entropy(v, n) >= 3.5;
	}
}

int cg_review_redact(struct cg_buf *out, const char *text, size_t len, size_t *count)
{
	size_t i = 0, run = 0; /* text[i - run, i) is pending plain text */
	int err = 0;

#define FLUSH()                                                                                                        \
	do {                                                                                                           \
		if (run && (err = cg_buf_put(out, text + i - run, run)) < 0)                                           \
			return err;                                                                                    \
		run = 0;                                                                                               \
	} while (0)

	while (i < len) {
		const char *s = text + i, *kind = NULL;
		size_t rest = len - i, n;
		bool at_word = i == 0 || !is_alnum(text[i - 1]);

		if (*s == '-' && (n = match_key_block(s, rest)) > 0) {
			FLUSH();
			/* One placeholder per line, so the lines after keep their numbers. */
			if ((err = cg_buf_puts(out, "[MASKED:private-key]")) < 0)
				return err;
			for (size_t k = 0; k < n; k++)
				if (s[k] == '\n' && (err = cg_buf_puts(out, "\n[MASKED:private-key]")) < 0)
					return err;
			(*count)++;
			i += n;
			continue;
		}
		if (at_word && (i == 0 || (text[i - 1] != '_' && text[i - 1] != '-')) &&
		    (n = match_shape(s, rest, &kind)) > 0 && (i + n >= len || !is_alnum(text[i + n]))) {
			FLUSH();
			if ((err = cg_buf_printf(out, "[MASKED:%s]", kind)) < 0)
				return err;
			(*count)++;
			i += n;
			continue;
		}
		if (at_word && (i == 0 || (text[i - 1] != '_' && text[i - 1] != '-' && text[i - 1] != '.')) &&
		    (n = match_jwt(s, rest)) > 0 && (i + n >= len || !is_b64url(text[i + n]))) {
			FLUSH();
			if ((err = cg_buf_puts(out, "[MASKED:jwt]")) < 0)
				return err;
			(*count)++;
			i += n;
			continue;
		}
		if (at_word && (i == 0 || !is_ident(text[i - 1])) && (isalpha((unsigned char)*s) || *s == '_')) {
			size_t id = 0, vs, ve;
			while (id < rest && (is_ident(s[id]) || s[id] == '-' || s[id] == '.'))
				id++;
			if (id == 6 && !strncasecmp(s, "bearer", 6) && match_bearer(s, rest, &vs, &ve, &kind)) {
				run += vs;
				i += vs;
				FLUSH();
				if ((err = cg_buf_printf(out, "[MASKED:%s]", kind)) < 0)
					return err;
				(*count)++;
				i += ve - vs;
				continue;
			}
			if (names_secret(s, id) && match_assignment(s, rest, id, &vs, &ve)) {
				run += vs;
				i += vs;
				FLUSH();
				if ((err = cg_buf_puts(out, "[MASKED:secret]")) < 0)
					return err;
				(*count)++;
				i += ve - vs;
				continue;
			}
			/* Skip the word: a shape cannot start inside it (but may after a '.' or '-'). */
			id = 0;
			while (id < rest && is_ident(s[id]))
				id++;
			run += id;
			i += id;
			continue;
		}
		run++;
		i++;
	}
	FLUSH();
#undef FLUSH
	return 0;
}

/* ------------------------------------------------------------- sanitize */

char *cg_review_sanitize(const char *text, size_t len, size_t max_len)
{
	struct cg_buf plain = CG_BUF_INIT, b = CG_BUF_INIT;
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	bool is_cut = false;

	/*
	 * First what must go (controls, invalid bytes), then the mentions and
	 * markers of what is left: in one pass, "<!-\x01-" or "@\x01name" would
	 * close up into a live marker or mention once the control is dropped.
	 * A few bytes past max_len are kept so a marker at the cut is still seen.
	 */
	while (i < len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, text + i, len - i);
		if (plain.size >= max_len + 4) {
			is_cut = true;
			break;
		}
		if (n == 0) {
			cg_buf_puts(&plain, CG_UTF8_REPLACEMENT);
			i++;
		} else if (cp != '\n' && cp != '\t' && cg_escape_is_control(cp)) {
			i += n;
		} else {
			cg_buf_put(&plain, text + i, n);
			i += n;
		}
	}
	s = (const unsigned char *)plain.ptr;
	len = plain.size;
	i = 0;
	while (i < len && b.size < max_len) {
		uint32_t cp;
		size_t n = cg_utf8_decode(&cp, plain.ptr + i, len - i); /* plain holds valid UTF-8 only */
		unsigned char c = s[i];
		if (c == '@' && i + 1 < len && (isalnum(s[i + 1]) || s[i + 1] == '_') &&
		    (i == 0 || !(isalnum(s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '.' || s[i - 1] == '-'))) {
			/* @name stays readable but notifies no one: a zero-width space after the @. */
			cg_buf_puts(&b, "@\xe2\x80\x8b");
			i++;
			continue;
		}
		if (c == '<' && len - i >= 4 && !memcmp(s + i, "<!--", 4)) {
			/* Would open an HTML comment, and could forge crabgate's hidden markers. */
			cg_buf_puts(&b, "<\xe2\x80\x8b!--");
			i += 4;
			continue;
		}
		if (b.size + n > max_len)
			break;
		cg_buf_put(&b, plain.ptr + i, n);
		i += n;
	}
	if (i < len || is_cut)
		cg_buf_puts(&b, "…");
	cg_buf_release(&plain);
	return cg_buf_detach(&b, NULL);
}
