/*
 * Rendering the three memory files: pure functions from (old text, facts,
 * config) to new text. No I/O, no clock: the run's time is a fact, so the
 * same inputs always give the same bytes, and a second run over the output
 * gives it back unchanged.
 */
#define _GNU_SOURCE
#include "memory/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/internal.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/banned.h"

#define BLOCK_BEGIN "<!-- crabgate:begin -->"
#define BLOCK_END "<!-- crabgate:end -->"
#define ENTRY_BEGIN "<!-- crabgate:entry key="
#define ENTRY_END "<!-- crabgate:entry-end key="
#define RULE_MARK "<!-- crabgate:rule "
#define MAX_TEXT 2000 /* bytes of one model- or finding-supplied text */
#define MAX_ITEMS 200 /* task boxes per scratchpad subsection */

static const char *const headers[CG_MEMORY_NFILES] = {
	"# Memories\n"
	"\n"
	"One entry per reviewed change: what changed, what the rules and the review found,\n"
	"and the decisions recorded in commit messages (lines starting `Decision:`).\n"
	"crabgate keeps the entries between its markers; write anything else freely.\n",
	"# Lessons learned\n"
	"\n"
	"One lesson per line, from reviews and from the first time each rule fired here.\n"
	"crabgate only appends, and never repeats a lesson already written.\n",
	"# Scratchpad\n"
	"\n"
	"Open work. crabgate keeps the block between its markers current (open findings,\n"
	"review todos, TODO/FIXME comments added); everything else here is yours.\n",
};

/* ---- lines ------------------------------------------------------------ */

struct line {
	const char *p;
	size_t len;  /* without the line terminator */
	size_t full; /* with it */
};

/* Next line of [*pos, end); false at the end. */
static bool next_line(struct line *l, const char **pos, const char *end)
{
	const char *s = *pos, *nl;
	if (s >= end)
		return false;
	nl = memchr(s, '\n', (size_t)(end - s));
	l->p = s;
	l->full = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
	l->len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	if (l->len && s[l->len - 1] == '\r')
		l->len--;
	*pos = s + l->full;
	return true;
}

/* One past the text; a missing file (NULL) stays NULL, since NULL + 0 is undefined. */
static const char *end_of(const char *text, size_t len)
{
	return text ? text + len : NULL;
}

/*
 * The line terminator the file already uses, so our lines match the team's.
 * A file with no newline that ends in '\r' counts as CRLF: the newline we
 * add after it would make it read as CRLF on the next run.
 */
static const char *eol_of(const char *text, size_t len)
{
	const char *nl = text ? memchr(text, '\n', len) : NULL;
	if (!nl)
		return text && len && text[len - 1] == '\r' ? "\r\n" : "\n";
	return nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
}

static bool line_is(const struct line *l, const char *s)
{
	size_t n = strlen(s), len = l->len;
	while (len && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	return len == n && !memcmp(l->p, s, n);
}

static bool line_starts(const struct line *l, const char *s)
{
	size_t n = strlen(s);
	return l->len >= n && !memcmp(l->p, s, n);
}

/* Puts one line of our own (no terminator inside) and the file's terminator. */
static void put_line(struct cg_buf *out, const char *line, const char *eol)
{
	cg_buf_puts(out, line);
	cg_buf_puts(out, eol);
}

/* Makes sure what we append starts on a fresh line after one blank line. */
static void separate(struct cg_buf *out, const char *eol)
{
	if (out->size == 0)
		return;
	if (out->ptr[out->size - 1] != '\n')
		cg_buf_puts(out, eol);
	if (out->size >= 2 && out->ptr[out->size - 2] == '\n')
		return;
	if (out->size >= 3 && out->ptr[out->size - 2] == '\r' && out->ptr[out->size - 3] == '\n')
		return;
	cg_buf_puts(out, eol);
}

/* ---- text from outside (model, findings, commit messages) ------------- */

/*
 * One line of outside text made safe to embed: white space (newlines too)
 * folded to single spaces, HTML comment delimiters defused so no text can
 * forge or close one of our markers, invalid UTF-8 replaced (a commit
 * message or source comment in Latin-1 must not make the file one the next
 * run refuses), and capped on a UTF-8 boundary.
 */
static void put_inline(struct cg_buf *out, const char *s)
{
	size_t start = out->size, n = 0;
	bool space = false;

	for (; s && *s && n < MAX_TEXT; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
			space = true;
			continue;
		}
		if (space && out->size > start)
			cg_buf_putc(out, ' ');
		space = false;
		if (c == '<' && !strncmp(s, "<!--", 4)) {
			cg_buf_puts(out, "&lt;!--");
			s += 3;
			n += 3;
		} else if (c == '-' && !strncmp(s, "-->", 3)) {
			cg_buf_puts(out, "--&gt;");
			s += 2;
			n += 2;
		} else if (c < 0x20 || c == 0x7f) {
			cg_buf_putc(out, ' ');
		} else if (c >= 0x80) {
			uint32_t cp;
			size_t len = cg_utf8_decode(&cp, s, strnlen(s, 4));
			if (!len) {
				cg_buf_puts(out, CG_UTF8_REPLACEMENT);
			} else {
				cg_buf_put(out, s, len);
				s += len - 1;
				n += len - 1;
			}
		} else {
			cg_buf_putc(out, (char)c);
		}
	}
	if (s && *s) {
		/* Cut back to a character boundary before marking the cut. */
		while (out->size > start && ((unsigned char)out->ptr[out->size - 1] & 0xc0) == 0x80)
			cg_buf_truncate(out, out->size - 1);
		if (out->size > start && (unsigned char)out->ptr[out->size - 1] >= 0xc0)
			cg_buf_truncate(out, out->size - 1);
		cg_buf_puts(out, "...");
	}
}

static char *inline_dup(const char *s)
{
	struct cg_buf b = CG_BUF_INIT;
	put_inline(&b, s);
	return cg_buf_detach(&b, NULL);
}

/* ---- validation ------------------------------------------------------- */

int cg_memory_check_text(const char *name, const char *text, size_t len)
{
	const char *pos = text, *end = text + len;
	struct line l;
	unsigned lineno = 0;

	if (memchr(text, '\0', len))
		return cg_error_set(CG_E_INPUT,
				    "%s: contains NUL bytes (not a text file); restore it from history or delete it, "
				    "then re-run",
				    name);
	if (!cg_utf8_valid(text, len))
		return cg_error_set(CG_E_INPUT,
				    "%s: is not valid UTF-8; re-save it as UTF-8, then re-run (crabgate will not "
				    "rewrite it)",
				    name);
	while (next_line(&l, &pos, end)) {
		lineno++;
		if ((line_starts(&l, "<<<<<<<") || line_starts(&l, ">>>>>>>") || line_starts(&l, "|||||||")) &&
		    (l.len == 7 || l.p[7] == ' '))
			return cg_error_set(CG_E_INPUT,
					    "%s:%u: has merge-conflict markers; resolve the conflict and commit the "
					    "file, then re-run (crabgate will not overwrite it)",
					    name, lineno);
	}
	return 0;
}

/* ---- memories.md ------------------------------------------------------ */

static void iso_date(char out[32], time_t t)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static void short_id(char out[13], const char *id)
{
	snprintf(out, 13, "%s", id ? id : "");
}

/* "chrono-ban (2), missing-bench (1)" over the visible findings, or "none". */
static void rule_counts(struct cg_buf *out, const struct cg_findings *findings)
{
	const char **seen = NULL;
	size_t *counts = NULL, n = 0, cap = 0, ccap = 0;

	for (size_t i = 0; findings && i < findings->len; i++) {
		const struct cg_finding *f = &findings->items[i];
		size_t j;
		if (!cg_finding_is_visible(f))
			continue;
		for (j = 0; j < n && strcmp(seen[j], f->rule); j++)
			;
		if (j == n) {
			cg_array_grow((void **)&seen, &cap, n + 1, sizeof(*seen));
			cg_array_grow((void **)&counts, &ccap, n + 1, sizeof(*counts));
			seen[n] = f->rule;
			counts[n++] = 0;
		}
		counts[j]++;
	}
	/* Sorted by name so the entry does not depend on the findings' order. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(seen[j - 1], seen[j]) > 0; j--) {
			const char *s = seen[j];
			size_t c = counts[j];
			seen[j] = seen[j - 1];
			counts[j] = counts[j - 1];
			seen[j - 1] = s;
			counts[j - 1] = c;
		}
	for (size_t i = 0; i < n; i++) {
		if (i)
			cg_buf_puts(out, ", ");
		put_inline(out, seen[i]);
		cg_buf_printf(out, " (%zu)", counts[i]);
	}
	if (!n)
		cg_buf_puts(out, "none");
	free(seen);
	free(counts);
}

static const char *const placeholders[] = { "key",   "date",  "title",	 "base",  "head",    "range",
					    "files", "added", "removed", "rules", "summary", "decision" };

bool cg_memory__is_placeholder(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (strlen(placeholders[i]) == len && !memcmp(placeholders[i], name, len))
			return true;
	return false;
}

/* Expands one placeholder into `out`; `decision` is the one for this copy of the line. */
static void expand(struct cg_buf *out, const char *name, size_t len, const struct cg_memory_facts *f, const char *date,
		   const char *decision)
{
	char a[13], b[13];
#define IS(s) (len == strlen(s) && !memcmp(name, s, len))
	if (IS("key"))
		put_inline(out, f->key);
	else if (IS("date"))
		cg_buf_puts(out, date);
	else if (IS("title"))
		put_inline(out, f->title && *f->title ? f->title : "(no title)");
	else if (IS("base")) {
		short_id(a, f->base);
		cg_buf_puts(out, a);
	} else if (IS("head")) {
		short_id(a, f->head);
		cg_buf_puts(out, a);
	} else if (IS("range")) {
		short_id(a, f->base);
		short_id(b, f->head);
		cg_buf_printf(out, "%s..%s", *a ? a : "(root)", *b ? b : "(index)");
	} else if (IS("files"))
		cg_buf_printf(out, "%zu file%s", f->files, f->files == 1 ? "" : "s");
	else if (IS("added"))
		cg_buf_printf(out, "%u", (unsigned)f->lines_added);
	else if (IS("removed"))
		cg_buf_printf(out, "%u", (unsigned)f->lines_removed);
	else if (IS("rules"))
		rule_counts(out, f->findings);
	else if (IS("summary"))
		put_inline(out, f->review ? f->review->summary : NULL);
	else if (IS("decision"))
		put_inline(out, decision);
#undef IS
}

/*
 * Expands one template line. Returns false when the line is to be dropped:
 * it has placeholders and every one of them came out empty (no summary, no
 * decision), so optional lines vanish instead of dangling.
 */
static bool expand_line(struct cg_buf *out, const char *line, size_t len, const struct cg_memory_facts *f,
			const char *date, const char *decision)
{
	size_t start = out->size;
	unsigned nplace = 0, nfilled = 0;

	for (size_t i = 0; i < len; i++) {
		const char *close;
		if (line[i] == '{' && (close = memchr(line + i, '}', len - i)) != NULL &&
		    cg_memory__is_placeholder(line + i + 1, (size_t)(close - line - i - 1))) {
			size_t before = out->size;
			expand(out, line + i + 1, (size_t)(close - line - i - 1), f, date, decision);
			nplace++;
			nfilled += out->size > before;
			i = (size_t)(close - line);
			continue;
		}
		cg_buf_putc(out, line[i]);
	}
	if (nplace && !nfilled) {
		cg_buf_truncate(out, start);
		return false;
	}
	return true;
}

/* One whole entry, markers included, each line ended by `eol`. */
static void render_entry(struct cg_buf *out, const struct cg_memory_facts *f, const struct cg_memory_config *mc,
			 const char *date, const char *eol)
{
	const char *t = mc->entry_template, *end = t + strlen(t);
	struct line l;

	cg_buf_printf(out, ENTRY_BEGIN "%s date=%s -->%s", f->key, date, eol);
	while (next_line(&l, &t, end)) {
		bool has_decision = l.len >= 10 && memmem(l.p, l.len, "{decision}", 10);
		if (has_decision) {
			/* The line is repeated once per decision, and dropped when there is none. */
			for (size_t i = 0; i < f->ndecisions; i++)
				if (expand_line(out, l.p, l.len, f, date, f->decisions[i]))
					cg_buf_puts(out, eol);
			continue;
		}
		if (expand_line(out, l.p, l.len, f, date, NULL))
			cg_buf_puts(out, eol);
	}
	cg_buf_printf(out, ENTRY_END "%s -->%s", f->key, eol);
}

/* Parses `<!-- crabgate:entry key=K date=D -->` (or the end marker); key/date point into the line. */
static bool parse_marker(const struct line *l, const char *prefix, const char **key, size_t *key_len, const char **date,
			 size_t *date_len)
{
	const char *p, *e, *sp;
	size_t len = l->len;
	while (len && (l->p[len - 1] == ' ' || l->p[len - 1] == '\t'))
		len--;
	if (len < strlen(prefix) + 4 || memcmp(l->p, prefix, strlen(prefix)) || memcmp(l->p + len - 4, " -->", 4))
		return false;
	p = l->p + strlen(prefix);
	e = l->p + len - 4;
	sp = memchr(p, ' ', (size_t)(e - p));
	*key = p;
	*key_len = (size_t)((sp ? sp : e) - p);
	*date = NULL;
	*date_len = 0;
	if (sp && date && (size_t)(e - sp) > 6 && !memcmp(sp, " date=", 6)) {
		*date = sp + 6;
		*date_len = (size_t)(e - sp - 6);
	}
	return *key_len > 0;
}

int cg_memory_render_memories(struct cg_buf *out, const char *name, const char *old, size_t old_len,
			      const struct cg_memory_facts *f, const struct cg_memory_config *mc)
{
	const char *eol = eol_of(old, old_len), *pos = old, *end = end_of(old, old_len);
	const char *ours_start = NULL, *ours_end = NULL, *open_key = NULL;
	char date[32], old_date[32] = "";
	struct cg_buf entry = CG_BUF_INIT;
	size_t open_len = 0;
	unsigned lineno = 0, open_line = 0;
	struct line l;
	int err = 0;

	if (!old) {
		cg_buf_puts(out, headers[CG_MEMORY_MEMORIES]);
		eol = "\n";
		goto append;
	}
	if ((err = cg_memory_check_text(name, old, old_len)) < 0)
		goto done;
	while (next_line(&l, &pos, end)) {
		const char *key, *d;
		size_t klen, dlen;
		lineno++;
		if (parse_marker(&l, ENTRY_BEGIN, &key, &klen, &d, &dlen)) {
			if (open_key) {
				err = cg_error_set(
					CG_E_INPUT,
					"%s:%u: entry '%.*s' (line %u) has no end marker before the next entry; "
					"restore `" ENTRY_END "%.*s -->` or delete the entry, then re-run",
					name, lineno, (int)open_len, open_key, open_line, (int)open_len, open_key);
				goto done;
			}
			open_key = key;
			open_len = klen;
			open_line = lineno;
			if (klen == strlen(f->key) && !memcmp(key, f->key, klen)) {
				if (ours_start) {
					err = cg_error_set(
						CG_E_INPUT,
						"%s:%u: a second entry for '%s'; delete one of them, then re-run", name,
						lineno, f->key);
					goto done;
				}
				ours_start = l.p;
				if (d && dlen < sizeof(old_date))
					snprintf(old_date, sizeof(old_date), "%.*s", (int)dlen, d);
			}
		} else if (parse_marker(&l, ENTRY_END, &key, &klen, &d, &dlen)) {
			if (!open_key || klen != open_len || memcmp(key, open_key, klen)) {
				err = cg_error_set(
					CG_E_INPUT,
					"%s:%u: end marker for entry '%.*s' without its start; restore `" ENTRY_BEGIN
					"%.*s date=...-->` or delete the marker, then re-run",
					name, lineno, (int)klen, key, (int)klen, key);
				goto done;
			}
			if (ours_start && !ours_end)
				ours_end = l.p + l.full;
			open_key = NULL;
		}
	}
	if (open_key) {
		err = cg_error_set(CG_E_INPUT,
				   "%s:%u: entry '%.*s' has no end marker; restore `" ENTRY_END
				   "%.*s -->` after it or delete the entry, then re-run",
				   name, open_line, (int)open_len, open_key, (int)open_len, open_key);
		goto done;
	}

	if (ours_start) {
		/* The entry's own date stays when nothing else in it changed: a re-run is a no-op. */
		const char *keep_eol = ours_end > ours_start && ours_end[-1] == '\n' ? eol : "";
		if (*old_date) {
			render_entry(&entry, f, mc, old_date, eol);
			if (!*keep_eol && entry.size >= strlen(eol))
				cg_buf_truncate(&entry, entry.size - strlen(eol));
			if (entry.size == (size_t)(ours_end - ours_start) &&
			    !memcmp(entry.ptr, ours_start, entry.size)) {
				cg_buf_put(out, old, old_len);
				goto done;
			}
			cg_buf_truncate(&entry, 0);
		}
		iso_date(date, f->now);
		render_entry(&entry, f, mc, date, eol);
		if (!*keep_eol && entry.size >= strlen(eol))
			cg_buf_truncate(&entry, entry.size - strlen(eol));
		cg_buf_put(out, old, (size_t)(ours_start - old));
		cg_buf_put(out, entry.ptr, entry.size);
		cg_buf_put(out, ours_end, (size_t)(end - ours_end));
		goto done;
	}
	cg_buf_put(out, old, old_len);
append:
	separate(out, eol);
	iso_date(date, f->now);
	render_entry(out, f, mc, date, eol);
done:
	cg_buf_release(&entry);
	return err;
}

/* ---- lessons-learned.md ----------------------------------------------- */

/*
 * The text a lesson is compared by: comments, list and task markers and
 * emphasis removed, ASCII lower-cased, white space folded, trailing
 * punctuation dropped. "- **Use** `jiff`." and "use jiff" are one lesson.
 */
static char *normalise(const char *s, size_t len)
{
	struct cg_buf b = CG_BUF_INIT;
	const char *end = s + len, *c;
	bool space = false;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s + 1 < end && (*s == '-' || *s == '*' || *s == '+') && (s[1] == ' ' || s[1] == '\t'))
		s += 2;
	else if (s < end && *s >= '0' && *s <= '9') {
		const char *d = s;
		while (d < end && *d >= '0' && *d <= '9')
			d++;
		if (d + 1 < end && (*d == '.' || *d == ')') && d[1] == ' ')
			s = d + 2;
	}
	while (s < end && *s == ' ')
		s++;
	if (end - s >= 4 && s[0] == '[' && (s[1] == ' ' || s[1] == 'x' || s[1] == 'X') && s[2] == ']' && s[3] == ' ')
		s += 4;
	while (s < end) {
		unsigned char ch = (unsigned char)*s;
		if (end - s >= 4 && !memcmp(s, "<!--", 4) && (c = memmem(s, (size_t)(end - s), "-->", 3)) != NULL) {
			s = c + 3;
			space = true;
			continue;
		}
		s++;
		if (ch == '*' || ch == '_' || ch == '`')
			continue;
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			space = true;
			continue;
		}
		if (space && b.size)
			cg_buf_putc(&b, ' ');
		space = false;
		cg_buf_putc(&b, (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch));
	}
	while (b.size && strchr(".!;:,", b.ptr[b.size - 1]))
		cg_buf_truncate(&b, b.size - 1);
	while (b.size && b.ptr[b.size - 1] == ' ')
		cg_buf_truncate(&b, b.size - 1);
	return cg_buf_detach(&b, NULL);
}

struct strset {
	char **items;
	size_t n, cap;
};

static bool strset_has(const struct strset *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i], v))
			return true;
	return false;
}

/* Takes ownership of `v`. */
static void strset_add(struct strset *s, char *v)
{
	cg_array_grow((void **)&s->items, &s->cap, s->n + 1, sizeof(*s->items));
	s->items[s->n++] = v;
}

static void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* Appends "- text" when its normalised form is new; `seen` remembers it. */
static void add_lesson(struct cg_buf *lessons, struct strset *seen, const char *text, const char *suffix)
{
	struct cg_buf line = CG_BUF_INIT;
	char *norm;
	if (!text || !*text)
		return;
	/* Compared as the line will read back on the next run, or a text that itself looks like a list item repeats. */
	cg_buf_puts(&line, "- ");
	cg_buf_puts(&line, text);
	if (suffix)
		cg_buf_puts(&line, suffix);
	norm = normalise(line.ptr, line.size);
	if (!*norm || strset_has(seen, norm)) {
		free(norm);
		cg_buf_release(&line);
		return;
	}
	strset_add(seen, norm);
	cg_buf_put(lessons, line.ptr, line.size);
	cg_buf_putc(lessons, '\n');
	cg_buf_release(&line);
}

/* The fix a rule lesson names: the finding's help, else the rule's summary. */
static const char *fix_of(const struct cg_finding *f)
{
	const struct cg_rule *r;
	if (f->help && *f->help)
		return f->help;
	r = cg_rule_find(f->rule);
	return r ? r->summary : NULL;
}

int cg_memory_render_lessons(struct cg_buf *out, const char *name, const char *old, size_t old_len,
			     const struct cg_memory_facts *f, const struct cg_memory_config *mc)
{
	const char *eol = old ? eol_of(old, old_len) : "\n", *pos = old, *end = end_of(old, old_len);
	struct strset seen = { 0 }, rules_seen = { 0 };
	struct cg_buf lessons = CG_BUF_INIT, text = CG_BUF_INIT, suffix = CG_BUF_INIT;
	struct line l;
	bool follows_list = false;
	int err = 0;

	if (old && (err = cg_memory_check_text(name, old, old_len)) < 0)
		goto done;
	while (old && next_line(&l, &pos, end)) {
		const char *m = l.len ? memmem(l.p, l.len, RULE_MARK, strlen(RULE_MARK)) : NULL;
		if (m) {
			const char *id = m + strlen(RULE_MARK), *sp = memchr(id, ' ', (size_t)(l.p + l.len - id));
			if (sp)
				strset_add(&rules_seen, cg_strndup(id, (size_t)(sp - id)));
		}
		strset_add(&seen, normalise(l.p, l.len));
		follows_list = line_starts(&l, "- ") || line_starts(&l, "* ");
	}

	/* The first time each rule fires here: a lesson naming it and its fix. */
	for (size_t i = 0; mc->has_rule_lessons && f->findings && i < f->findings->len; i++) {
		const struct cg_finding *fd = &f->findings->items[i];
		const char *fix;
		if (!cg_finding_is_visible(fd) || fd->origin != CG_ORIGIN_RULES || !fd->rule ||
		    strset_has(&rules_seen, fd->rule))
			continue;
		strset_add(&rules_seen, cg_strdup(fd->rule));
		cg_buf_truncate(&text, 0);
		cg_buf_truncate(&suffix, 0);
		cg_buf_puts(&text, "`");
		put_inline(&text, fd->rule);
		cg_buf_puts(&text, "` first fired in ");
		put_inline(&text, f->key);
		cg_buf_puts(&text, " at `");
		put_inline(&text, fd->path);
		cg_buf_printf(&text, ":%u`: ", fd->line);
		put_inline(&text, fd->message);
		if ((fix = fix_of(fd)) != NULL) {
			cg_buf_puts(&text, ". Fix: ");
			put_inline(&text, fix);
		}
		cg_buf_puts(&suffix, " " RULE_MARK);
		put_inline(&suffix, fd->rule);
		cg_buf_puts(&suffix, " -->");
		add_lesson(&lessons, &seen, text.ptr, suffix.ptr);
	}
	for (size_t i = 0; mc->has_review_lessons && f->review && i < f->review->nlessons; i++) {
		cg_buf_truncate(&text, 0);
		put_inline(&text, f->review->lessons[i]);
		add_lesson(&lessons, &seen, text.ptr, NULL);
	}

	if (!old)
		cg_buf_puts(out, headers[CG_MEMORY_LESSONS]);
	else
		cg_buf_put(out, old, old_len);
	if (lessons.size) {
		const char *p = lessons.ptr, *e = lessons.ptr + lessons.size;
		/* Lessons continue a list directly; after anything else, a blank line first. */
		if (out->size && out->ptr[out->size - 1] != '\n')
			cg_buf_puts(out, eol);
		if (!follows_list)
			separate(out, eol);
		while (next_line(&l, &p, e)) {
			cg_buf_put(out, l.p, l.len);
			cg_buf_puts(out, eol);
		}
	}
done:
	strset_release(&seen);
	strset_release(&rules_seen);
	cg_buf_release(&lessons);
	cg_buf_release(&text);
	cg_buf_release(&suffix);
	return err;
}

/* ---- scratchpad.md ---------------------------------------------------- */

struct subsection {
	char *title;
	char *body;	      /* its lines, each ended by '\n' (our text; eol applied on output) */
	struct strset ticked; /* item texts a person ticked ("- [x] ") */
};

struct block {
	struct subsection *subs;
	size_t n, cap;
};

static void block_release(struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->subs[i].title);
		free(b->subs[i].body);
		strset_release(&b->subs[i].ticked);
	}
	free(b->subs);
	memset(b, 0, sizeof(*b));
}

/*
 * Reads the subsections between the markers; lines before the first `### `
 * are ours and regenerated. A line is kept as written up to its terminator,
 * `eol` (the file's): next_line also drops a CR before '\n' in an LF file,
 * and rendering would then lose one more of "x\r\r\n" on every run.
 */
static void block_parse(struct block *b, const char *pos, const char *end, const char *eol)
{
	struct cg_buf body = CG_BUF_INIT;
	struct subsection *cur = NULL;
	struct line l;

	while (next_line(&l, &pos, end)) {
		size_t len = l.full, cr = 0;
		if (len && l.p[len - 1] == '\n')
			len--;
		if (eol[0] == '\r' && len && l.p[len - 1] == '\r')
			len--;
		if (len >= 4 && !memcmp(l.p, "### ", 4)) {
			if (cur)
				cur->body = cg_buf_detach(&body, NULL);
			cg_array_grow((void **)&b->subs, &b->cap, b->n + 1, sizeof(*b->subs));
			cur = &b->subs[b->n++];
			memset(cur, 0, sizeof(*cur));
			cur->title = cg_strndup(l.p + 4, len - 4);
			continue;
		}
		while (cr < len && l.p[cr] == '\r')
			cr++;
		/* A line of lone CRs is blank too: rendered, it comes back empty and would be dropped next time. */
		if (!cur || cr == len)
			continue;
		if (len > 6 && (!memcmp(l.p, "- [x] ", 6) || !memcmp(l.p, "- [X] ", 6)))
			strset_add(&cur->ticked, cg_strndup(l.p + 6, len - 6));
		cg_buf_put(&body, l.p, len);
		cg_buf_putc(&body, '\n');
	}
	if (cur)
		cur->body = cg_buf_detach(&body, NULL);
	cg_buf_release(&body);
}

static void put_item(struct cg_buf *body, const struct strset *ticked, const char *text, size_t *nitems)
{
	if (++*nitems > MAX_ITEMS)
		return;
	cg_buf_puts(body, strset_has(ticked, text) ? "- [x] " : "- [ ] ");
	cg_buf_puts(body, text);
	cg_buf_putc(body, '\n');
}

/* This run's subsection: open findings, review todos, TODO/FIXME comments added. */
static void render_subsection(struct cg_buf *body, const struct cg_memory_facts *f, const struct cg_memory_config *mc,
			      const struct strset *ticked)
{
	struct cg_buf item = CG_BUF_INIT;
	size_t nitems = 0;

	for (size_t s = 0; s < mc->nsections; s++) {
		switch (mc->sections[s]) {
		case CG_MEMORY_SEC_FINDINGS:
			for (size_t i = 0; f->findings && i < f->findings->len; i++) {
				const struct cg_finding *fd = &f->findings->items[i];
				if (!cg_finding_is_visible(fd))
					continue;
				cg_buf_truncate(&item, 0);
				put_inline(&item, fd->path);
				cg_buf_printf(&item, ":%u ", fd->line);
				put_inline(&item, fd->rule);
				cg_buf_puts(&item, " \xe2\x80\x94 ");
				put_inline(&item, fd->message);
				put_item(body, ticked, item.ptr, &nitems);
			}
			break;
		case CG_MEMORY_SEC_TODOS:
			for (size_t i = 0; f->review && i < f->review->ntodos; i++) {
				cg_buf_truncate(&item, 0);
				put_inline(&item, f->review->todos[i]);
				if (item.size)
					put_item(body, ticked, item.ptr, &nitems);
			}
			break;
		case CG_MEMORY_SEC_COMMENTS:
			for (size_t i = 0; i < f->ntodos; i++) {
				cg_buf_truncate(&item, 0);
				put_inline(&item, f->todos[i].path);
				cg_buf_printf(&item, ":%u \xe2\x80\x94 ", f->todos[i].line);
				put_inline(&item, f->todos[i].text);
				put_item(body, ticked, item.ptr, &nitems);
			}
			break;
		}
	}
	if (nitems > MAX_ITEMS)
		cg_buf_printf(body, "- ... and %zu more (see the full report)\n", nitems - MAX_ITEMS);
	cg_buf_release(&item);
}

static void render_block(struct cg_buf *out, const struct block *b, const char *eol)
{
	put_line(out, BLOCK_BEGIN, eol);
	put_line(out, "_Kept by crabgate: open findings, review todos and TODO/FIXME comments, per change._", eol);
	put_line(out, "_Edits inside this block are replaced on the next run; tick boxes are kept._", eol);
	cg_buf_puts(out, eol);
	for (size_t i = 0; i < b->n; i++) {
		const char *p = b->subs[i].body, *e = p + strlen(p);
		cg_buf_puts(out, "### ");
		put_line(out, b->subs[i].title, eol);
		/* Split on '\n' only: block_parse took the terminator's CR already; another would go every run. */
		while (p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			cg_buf_put(out, p, nl ? (size_t)(nl - p) : (size_t)(e - p));
			cg_buf_puts(out, eol);
			p = nl ? nl + 1 : e;
		}
		cg_buf_puts(out, eol);
	}
	if (!b->n) {
		put_line(out, "Nothing open.", eol);
		cg_buf_puts(out, eol);
	}
	cg_buf_puts(out, BLOCK_END);
}

int cg_memory_render_scratchpad(struct cg_buf *out, const char *name, const char *old, size_t old_len,
				const struct cg_memory_facts *f, const struct cg_memory_config *mc)
{
	const char *eol = old ? eol_of(old, old_len) : "\n", *pos = old, *end = end_of(old, old_len);
	bool has_extra = false;
	struct line l, begin = { 0 }, finish = { 0 };
	unsigned lineno = 0, nbegin = 0, nend = 0, begin_line = 0, end_line = 0, bad_line = 0;
	struct block blk = { 0 };
	struct cg_buf body = CG_BUF_INIT;
	char *scope = NULL;
	size_t ours;
	int err = 0;

	if (old && (err = cg_memory_check_text(name, old, old_len)) < 0)
		goto done;
	while (old && next_line(&l, &pos, end)) {
		lineno++;
		if (line_is(&l, BLOCK_BEGIN)) {
			if (nbegin++ == 0) {
				begin = l;
				begin_line = lineno;
			} else if (!has_extra) {
				bad_line = lineno;
				has_extra = true;
			}
		} else if (line_is(&l, BLOCK_END)) {
			if (nend++ == 0) {
				finish = l;
				end_line = lineno;
			} else if (!has_extra) {
				bad_line = lineno;
				has_extra = true;
			}
		}
	}
	if (has_extra || nbegin != nend || (nbegin && end_line < begin_line)) {
		if (nbegin && !nend)
			err = cg_error_set(CG_E_INPUT,
					   "%s:%u: the crabgate block has `" BLOCK_BEGIN "` but no `" BLOCK_END
					   "`; restore the end marker (or delete the block's remains), then re-run "
					   "(crabgate will not rewrite it)",
					   name, begin_line);
		else if (nend && !nbegin)
			err = cg_error_set(CG_E_INPUT,
					   "%s:%u: the crabgate block has `" BLOCK_END "` but no `" BLOCK_BEGIN
					   "`; restore the begin marker (or delete the block's remains), then re-run "
					   "(crabgate will not rewrite it)",
					   name, end_line);
		else if (has_extra)
			err = cg_error_set(CG_E_INPUT,
					   "%s:%u: a second crabgate block marker; keep one `" BLOCK_BEGIN
					   "` ... `" BLOCK_END "` pair, then re-run (crabgate will not rewrite it)",
					   name, bad_line);
		else
			err = cg_error_set(
				CG_E_INPUT,
				"%s:%u: `" BLOCK_END "` comes before `" BLOCK_BEGIN
				"`; put the markers back in order, then re-run (crabgate will not rewrite it)",
				name, end_line);
		goto done;
	}

	if (nbegin)
		block_parse(&blk, begin.p + begin.full, finish.p, eol);
	scope = inline_dup(f->scope && *f->scope ? f->scope : f->key);
	for (ours = 0; ours < blk.n && strcmp(blk.subs[ours].title, scope); ours++)
		;
	if (ours < blk.n) {
		render_subsection(&body, f, mc, &blk.subs[ours].ticked);
		free(blk.subs[ours].body);
		blk.subs[ours].body = cg_buf_detach(&body, NULL);
	} else {
		struct strset none = { 0 };
		render_subsection(&body, f, mc, &none);
		if (body.size) {
			cg_array_grow((void **)&blk.subs, &blk.cap, blk.n + 1, sizeof(*blk.subs));
			memset(&blk.subs[blk.n], 0, sizeof(blk.subs[blk.n]));
			blk.subs[blk.n].title = scope;
			scope = NULL;
			blk.subs[blk.n++].body = cg_buf_detach(&body, NULL);
		}
	}
	/* A change with nothing open leaves no subsection behind. */
	if (ours < blk.n && !*blk.subs[ours].body) {
		free(blk.subs[ours].title);
		free(blk.subs[ours].body);
		strset_release(&blk.subs[ours].ticked);
		memmove(&blk.subs[ours], &blk.subs[ours + 1], (blk.n - ours - 1) * sizeof(*blk.subs));
		blk.n--;
	}

	if (nbegin) {
		/* Everything outside the markers' lines, and the end line's own terminator, stays as it was. */
		cg_buf_put(out, old, (size_t)(begin.p - old));
		render_block(out, &blk, eol);
		cg_buf_put(out, finish.p + finish.len, (size_t)(end - finish.p - finish.len));
	} else {
		if (old)
			cg_buf_put(out, old, old_len);
		else
			cg_buf_puts(out, headers[CG_MEMORY_SCRATCHPAD]);
		separate(out, eol);
		render_block(out, &blk, eol);
		cg_buf_puts(out, eol);
	}
done:
	free(scope);
	block_release(&blk);
	cg_buf_release(&body);
	return err;
}

int cg_memory_render(enum cg_memory_file which, struct cg_buf *out, const char *name, const char *old, size_t old_len,
		     const struct cg_memory_facts *facts, const struct cg_memory_config *mc)
{
	switch (which) {
	case CG_MEMORY_MEMORIES:
		return cg_memory_render_memories(out, name, old, old_len, facts, mc);
	case CG_MEMORY_LESSONS:
		return cg_memory_render_lessons(out, name, old, old_len, facts, mc);
	case CG_MEMORY_SCRATCHPAD:
		return cg_memory_render_scratchpad(out, name, old, old_len, facts, mc);
	default:
		return cg_error_set(CG_E_INPUT, "no memory file %d", (int)which);
	}
}
