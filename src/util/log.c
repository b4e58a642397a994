#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

static enum cg_log_level level = CG_LOG_NORMAL;
static char *secrets[16];
static size_t nsecrets;

void cg_log_set_level(enum cg_log_level l)
{
	level = l;
}

enum cg_log_level cg_log_get_level(void)
{
	return level;
}

void cg_log_add_secret(const char *value)
{
	/* Short values would mask ordinary words; real tokens are long. */
	if (!value || strlen(value) < 6 || nsecrets == sizeof(secrets) / sizeof(secrets[0]))
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], value) == 0)
			return;
	secrets[nsecrets++] = cg_strdup(value);
}

char *cg_log_mask(char *s)
{
	for (size_t i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);
		char *hit;
		while ((hit = strstr(s, secrets[i])) != NULL) {
			memcpy(hit, "***", 3);
			memmove(hit + 3, hit + n, strlen(hit + n) + 1);
		}
	}
	return s;
}

__attribute__((format(printf, 2, 0))) static void emit(const char *prefix, const char *fmt, va_list ap)
{
	struct cg_buf b = CG_BUF_INIT;
	cg_buf_puts(&b, prefix);
	cg_buf_vprintf(&b, fmt, ap);
	cg_log_mask(b.ptr);
	b.size = strlen(b.ptr);
	cg_buf_putc(&b, '\n');
	/* What the report wrote so far comes first, when both streams go to one place. */
	fflush(stdout);
	fputs(b.ptr, stderr);
	cg_buf_release(&b);
}

#define CG_LOG_FN(name, min, prefix)                                                                                   \
	void name(const char *fmt, ...)                                                                                \
	{                                                                                                              \
		va_list ap;                                                                                            \
		if (level < (min))                                                                                     \
			return;                                                                                        \
		va_start(ap, fmt);                                                                                     \
		emit(prefix, fmt, ap);                                                                                 \
		va_end(ap);                                                                                            \
	}

CG_LOG_FN(cg_info, CG_LOG_NORMAL, "crabgate: ")
CG_LOG_FN(cg_warn, CG_LOG_NORMAL, "crabgate: warning: ")
CG_LOG_FN(cg_err, CG_LOG_QUIET, "crabgate: error: ")
CG_LOG_FN(cg_verbose, CG_LOG_VERBOSE, "crabgate: debug: ")
