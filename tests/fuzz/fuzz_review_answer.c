/*
 * The model-answer parser and the sanitiser on arbitrary bytes: whatever the
 * model writes, what crabgate keeps is valid UTF-8 with no control
 * characters, no live @mention and no HTML comment opener (which could forge
 * crabgate's hidden markers), and every kept comment has the shape the
 * review relies on.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_internal.h"
#include "util/error.h"
#include "util/str.h"
#include "util/utf8.h"

/* What cg_review_sanitize promises of its output. */
static void check_inert(const char *s)
{
	size_t len = strlen(s);
	if (!cg_utf8_valid(s, len))
		abort();
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			abort();
		/* C1 controls and bidirectional overrides */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] <= 0x9f)
			abort();
		if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0x8e || (unsigned char)s[i + 2] == 0x8f ||
		     ((unsigned char)s[i + 2] >= 0xaa && (unsigned char)s[i + 2] <= 0xae)))
			abort();
		if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x81 && (unsigned char)s[i + 2] >= 0xa6 &&
		    (unsigned char)s[i + 2] <= 0xa9)
			abort();
		/* An @ that starts a name (not inside an e-mail address) must not be followed by the name. */
		if (c == '@' && i + 1 < len && (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '_') &&
		    (i == 0 ||
		     !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '.' || s[i - 1] == '-')))
			abort();
	}
	if (strstr(s, "<!--"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_review_answer a;
	const char *text = (const char *)data;
	char *clean;

	cg_review_answer_parse(&a, text, size);
	for (size_t i = 0; i < a.ncomments; i++) {
		const struct cg_review_comment *c = &a.comments[i];
		if (!c->path || !*c->path || !c->body || !*c->body || !c->category || !*c->category || c->line == 0 ||
		    (c->end_line && c->end_line <= c->line))
			abort();
		if (strspn(c->category, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(c->category))
			abort();
		check_inert(c->body);
		if (c->suggestion)
			check_inert(c->suggestion);
	}
	if (a.summary)
		check_inert(a.summary);
	for (size_t i = 0; i < a.nlessons; i++)
		check_inert(a.lessons[i]);
	for (size_t i = 0; i < a.ntodos; i++)
		check_inert(a.todos[i]);
	cg_review_answer_release(&a);

	clean = cg_review_sanitize(text, size, 256);
	check_inert(clean);
	/* Cut at the cap (one neutralised marker and the ellipsis may pass it by a few bytes). */
	if (strlen(clean) > 256 + 16)
		abort();
	free(clean);
	cg_error_clear();
	return 0;
}
