#ifndef CG_UTIL_BUF_H
#define CG_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer. `ptr` is never NULL and always NUL-terminated, so
 * a buffer can be read as a C string at any time. `limit` (0 = none) bounds
 * what untrusted producers (servers, models, pull requests) may make us hold;
 * `asize` is what is allocated.
 */
struct cg_buf {
	char *ptr;
	size_t size;
	size_t asize;
	size_t limit;
	/* Optional (cg_buf_set_sink): where a streamed buffer's bytes go. */
	int (*sink)(const char *data, size_t len, void *payload);
	void *sink_payload;
	size_t sink_at;
};

extern char cg_buf__empty[];
/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_BUF_INIT { cg_buf__empty, 0, 0, 0 }
/* clang-format on */

void cg_buf_init(struct cg_buf *b);
/* Frees the contents; the buffer is left initialised and reusable. */
void cg_buf_release(struct cg_buf *b);
/* Hands the contents to the caller (free() them); the buffer is re-initialised. */
char *cg_buf_detach(struct cg_buf *b, size_t *len_out);
/* Ensures room for `extra` more bytes. CG_E_TOOBIG past the limit. */
int cg_buf_grow(struct cg_buf *b, size_t extra);
int cg_buf_put(struct cg_buf *b, const void *data, size_t len);
int cg_buf_puts(struct cg_buf *b, const char *s);
int cg_buf_putc(struct cg_buf *b, char c);
int cg_buf_printf(struct cg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cg_buf_vprintf(struct cg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void cg_buf_truncate(struct cg_buf *b, size_t len);
/* Appends `text` with white space folded: runs become one space, none leads or trails. */
int cg_buf_put_folded(struct cg_buf *b, const char *text, size_t len);
/*
 * Streams the buffer: once it would grow past `at` bytes, what it holds goes
 * to `sink` and it starts over empty, so a report of a hundred thousand
 * findings never sits whole in memory. Only for writers that append and
 * never read back; cg_buf_flush hands over the rest. Errors from the sink
 * come back from the put that triggered them.
 */
void cg_buf_set_sink(struct cg_buf *b, int (*sink)(const char *data, size_t len, void *payload), void *payload,
		     size_t at);
int cg_buf_flush(struct cg_buf *b);

#endif
