#ifndef CG_REPORT_REPORT_INTERNAL_H
#define CG_REPORT_REPORT_INTERNAL_H

/*
 * Helpers the reporters share; private to src/report/. Every byte a finding
 * carries may come from a pull request or a model, so each output format
 * passes text through one of these before it reaches a terminal, a JSON
 * parser, a CI log or a markdown renderer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/*
 * Decodes one UTF-8 sequence at s[i] (i < len). Returns its length (1-4) and
 * sets *cp, or 0 when the bytes there are not valid UTF-8 (overlong, surrogate,
 * truncated, stray continuation byte).
 */
size_t cg_report_utf8_next(const char *s, size_t len, size_t i, uint32_t *cp);

/* Code points a terminal or a log viewer acts on: C0, DEL, C1, bidi overrides. */
bool cg_report_is_control(uint32_t cp);

/*
 * Appends `s` as valid UTF-8: each invalid byte becomes U+FFFD. Everything
 * else is copied as is (the caller escapes for its format).
 */
int cg_report_put_utf8(struct cg_buf *b, const char *s, size_t len);

/* Appends a JSON string literal of `s` made valid UTF-8 first; NULL -> null. */
int cg_report_put_json(struct cg_buf *b, const char *s);

/*
 * Appends `s` for a terminal or a plain log: controls become `\u{1b}`,
 * invalid bytes `\xff`, tabs four spaces; a newline becomes "\n" followed by
 * `indent` so continuation lines stay inside the frame. No byte that a
 * terminal interprets is ever copied.
 */
int cg_report_put_display(struct cg_buf *b, const char *s, size_t len, const char *indent);

/*
 * A byte column (1-based) as a character column on `line`: what editors,
 * GitHub and SARIF (columnKind unicodeCodePoints) count. Returned unchanged
 * when the line is unknown; bytes past its end count one each.
 */
uint32_t cg_report_char_column(const char *line, uint32_t column);

/* Appends `s` percent-encoded for a URI path: unreserved bytes and '/' stay. */
int cg_report_put_uri_path(struct cg_buf *b, const char *s);

/* "error" -> the SARIF/GitHub words; shared so the mapping lives in one place. */
const char *cg_report_sarif_level(enum cg_severity sev);

/* Visible findings: neither suppressed in source nor listed in the baseline. */
static inline bool cg_report_is_visible(const struct cg_finding *f)
{
	return !f->is_suppressed && !f->is_baselined;
}

#endif
