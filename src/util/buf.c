#include "util/buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

char cg_buf__empty[1];

void cg_buf_init(struct cg_buf *b)
{
	b->ptr = cg_buf__empty;
	b->size = 0;
	b->asize = 0;
	b->limit = 0;
	b->sink = NULL;
	b->sink_payload = NULL;
	b->sink_at = 0;
}

void cg_buf_set_sink(struct cg_buf *b, int (*sink)(const char *data, size_t len, void *payload), void *payload,
		     size_t at)
{
	b->sink = sink;
	b->sink_payload = payload;
	b->sink_at = at;
}

int cg_buf_flush(struct cg_buf *b)
{
	int err;
	if (!b->sink || !b->size)
		return 0;
	if ((err = b->sink(b->ptr, b->size, b->sink_payload)) < 0)
		return err;
	b->size = 0;
	b->ptr[0] = '\0';
	return 0;
}

void cg_buf_release(struct cg_buf *b)
{
	size_t limit = b->limit;
	if (b->asize)
		free(b->ptr);
	cg_buf_init(b);
	b->limit = limit;
}

char *cg_buf_detach(struct cg_buf *b, size_t *len_out)
{
	char *p;
	if (len_out)
		*len_out = b->size;
	if (!b->asize) {
		p = calloc(1, 1);
		if (!p)
			abort();
	} else {
		p = b->ptr;
	}
	cg_buf_init(b);
	return p;
}

int cg_buf_grow(struct cg_buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (extra > SIZE_MAX - b->size - 1)
		return cg_error_set(CG_E_TOOBIG, "buffer size overflow");
	if (b->sink && b->size && b->size + extra >= b->sink_at) {
		int err = cg_buf_flush(b);
		if (err < 0)
			return err;
	}
	need = b->size + extra + 1;
	if (b->limit && need - 1 > b->limit)
		return cg_error_set(CG_E_TOOBIG, "input exceeds the limit of %zu bytes", b->limit);
	if (need <= b->asize)
		return 0;
	n = b->asize ? b->asize : 64;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	p = realloc(b->asize ? b->ptr : NULL, n);
	if (!p)
		abort(); /* out of memory is not recoverable for a CLI */
	if (!b->asize)
		p[0] = '\0';
	b->ptr = p;
	b->asize = n;
	return 0;
}

int cg_buf_put(struct cg_buf *b, const void *data, size_t len)
{
	int err;
	if (!len)
		return 0;
	if ((err = cg_buf_grow(b, len)) < 0)
		return err;
	memmove(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
	return 0;
}

int cg_buf_puts(struct cg_buf *b, const char *s)
{
	return cg_buf_put(b, s, strlen(s));
}

int cg_buf_putc(struct cg_buf *b, char c)
{
	return cg_buf_put(b, &c, 1);
}

int cg_buf_vprintf(struct cg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, err;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return cg_error_set(CG_E_IO, "bad format string");
	if ((err = cg_buf_grow(b, (size_t)n)) < 0)
		return err;
	vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
	b->size += (size_t)n;
	return 0;
}

int cg_buf_printf(struct cg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;
	va_start(ap, fmt);
	err = cg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}

int cg_buf_put_folded(struct cg_buf *b, const char *text, size_t len)
{
	bool in_space = false, is_any = false;
	int err = 0;
	for (size_t i = 0; i < len && !err; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			in_space = is_any;
			continue;
		}
		if (in_space)
			err = cg_buf_putc(b, ' ');
		if (!err)
			err = cg_buf_putc(b, c);
		in_space = false;
		is_any = true;
	}
	return err;
}

void cg_buf_truncate(struct cg_buf *b, size_t len)
{
	if (len < b->size) {
		b->size = len;
		b->ptr[len] = '\0';
	}
}
