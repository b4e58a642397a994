#ifndef CG_UTIL_UTF8_H
#define CG_UTIL_UTF8_H

/*
 * UTF-8 as crabgate reads it: the one decoder of text from outside (source
 * files, commit messages, a model's answer, a server's body). Valid means
 * RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* U+FFFD, what every cleaner writes for a byte that is not valid UTF-8. */
#define CG_UTF8_REPLACEMENT "\xef\xbf\xbd"

/*
 * Decodes the character at s[0..len) (len >= 1). Returns its length (1-4)
 * and sets *out, or 0 when the bytes there are not valid UTF-8 (overlong,
 * surrogate, truncated, stray continuation byte); *out is then untouched.
 */
size_t cg_utf8_decode(uint32_t *out, const char *s, size_t len);

/* Whether s[0..len) is valid UTF-8 throughout. */
bool cg_utf8_valid(const char *s, size_t len);

#endif
