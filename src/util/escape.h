#ifndef CG_UTIL_ESCAPE_H
#define CG_UTIL_ESCAPE_H

/*
 * Text from outside (a pull request, a model, a server) on its way to a
 * destination that would act on some of its bytes: one function per
 * destination. Every one of them writes valid UTF-8, each byte that is not
 * becoming U+FFFD, except the terminal's, which shows it as `\xff` so a
 * reader sees what the file holds. Each appends to `b` and returns 0 or
 * CG_E_TOOBIG (the buffer's limit).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Code points a terminal or a log viewer acts on: C0, DEL, C1, and the bidi controls of "trojan source". */
bool cg_escape_is_control(uint32_t cp);

/* `s` as valid UTF-8: each invalid byte becomes U+FFFD, everything else as it is. */
int cg_escape_utf8(struct cg_buf *b, const char *s, size_t len);

/*
 * `s` for a terminal or a plain log: controls become `\u{1b}`, invalid bytes
 * `\xff`, tabs four spaces; a newline becomes "\n" followed by `indent` (NULL:
 * shown as `\u{a}`) so continuation lines stay inside the frame. No byte a
 * terminal interprets is ever copied.
 */
int cg_escape_terminal(struct cg_buf *b, const char *s, size_t len, const char *indent);

/* `s` as a JSON string literal, quotes included; controls as \n, \t or \u00XX. */
int cg_escape_json(struct cg_buf *b, const char *s, size_t len);

enum cg_md_flags {
	CG_MD_CODE = 1 << 0,	   /* prose: its closed code spans stay code spans (else a backtick is one) */
	CG_MD_TABLE_CELL = 1 << 1, /* inside a GFM table cell: `|` escaped inside code spans too */
};

/*
 * `s` as inert inline markdown (a forge comment, a job summary): emphasis,
 * brackets, `!` and backslashes escaped, raw HTML as entities, @mentions and
 * #references broken, controls shown as `\u{1b}`, invalid bytes U+FFFD,
 * line breaks as <br> (so text stays in its cell or list item), and no live
 * link but to `link_origin` (NULL: none). With CG_MD_CODE a closed code span
 * stays one, its inside copied as it is, unless it would hold an HTML
 * comment opener; an unclosed backtick is a literal one.
 */
int cg_escape_md_inline(struct cg_buf *b, const char *s, size_t len, unsigned flags, const char *link_origin);

/*
 * `s` copied where markup is not read (a code block, a raw body) but an HTML
 * comment would still be: "<!--" and "-->" are broken with a zero-width
 * space, so no text can forge or close one of crabgate's hidden markers.
 */
int cg_escape_html_comment(struct cg_buf *b, const char *s, size_t len);

#endif
