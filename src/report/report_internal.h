#ifndef CG_REPORT_REPORT_INTERNAL_H
#define CG_REPORT_REPORT_INTERNAL_H

/*
 * Helpers the reporters share; private to src/report/. Every byte a finding
 * carries may come from a pull request or a model, so each output format
 * passes text through one of these (or util/escape.h) before it reaches a terminal, a JSON
 * parser, a CI log or a markdown renderer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "util/escape.h"
#include "util/utf8.h"

/* Appends a JSON string literal of `s` made valid UTF-8 first; NULL -> null. */
int cg_report_put_json(struct cg_buf *b, const char *s);

/*
 * A byte column (1-based) as a character column on `line`: what editors,
 * GitHub and SARIF (columnKind unicodeCodePoints) count. Returned unchanged
 * when the line is unknown; bytes past its end count one each.
 */
uint32_t cg_report_char_column(const char *line, uint32_t column);

/* Appends `s` percent-encoded for a URI path: unreserved bytes and '/' stay. */
int cg_report_put_uri_path(struct cg_buf *b, const char *s);

/*
 * Appends one finding as the text report draws it (header, code frame,
 * help), in colour or not, for a terminal `term_width` wide (0: unknown).
 */
void cg_report_text_finding(struct cg_buf *b, const struct cg_finding *f, bool color, int term_width);

/* "error" -> the SARIF/GitHub words; shared so the mapping lives in one place. */
const char *cg_report_sarif_level(enum cg_severity sev);

#endif
