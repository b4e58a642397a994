#include "util/error.h"

#include <git2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Per thread: the rule pass checks files on several threads at once. */
static __thread char last_msg[4096];
static __thread int last_code;

/*
 * Formats into a local buffer first: a caller wrapping the last message
 * (`cg_error_set(…, "…: %s", cg_error_last())`) hands us a pointer into
 * last_msg, which vsnprintf would overwrite while reading it.
 */
__attribute__((format(printf, 2, 0))) static void vset(int code, const char *fmt, va_list ap)
{
	char msg[sizeof(last_msg)];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(last_msg, msg, sizeof(msg));
	last_code = code;
}

int cg_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int cg_error_set_git(const char *fmt, ...)
{
	const git_error *ge = git_error_last();
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* A damaged object database is not the user's input: say what fixes it. */
	if (ge && ge->message &&
	    (ge->klass == GIT_ERROR_ZLIB ||
	     ((ge->klass == GIT_ERROR_ODB || ge->klass == GIT_ERROR_OBJECT || ge->klass == GIT_ERROR_TREE) &&
	      (strstr(ge->message, "corrupt") || strstr(ge->message, "inflate") || strstr(ge->message, "malformed") ||
	       strstr(ge->message, "failed to parse") || strstr(ge->message, "invalid object") ||
	       strstr(ge->message, "header")))))
		return cg_error_set(CG_E_GIT,
				    "%s: %s; the repository's object database looks damaged: run `git fsck`, then "
				    "fetch the missing objects or clone again",
				    what, ge->message);
	/* Reading objects, this is most often a damaged one whose header claims gigabytes. */
	if (ge && ge->klass == GIT_ERROR_NOMEMORY)
		return cg_error_set(CG_E_GIT,
				    "%s: out of memory; if `git fsck` finds a damaged object (one whose header claims "
				    "more than it holds), fetch the missing objects or clone again",
				    what);
	if (ge && ge->message)
		return cg_error_set(CG_E_GIT, "%s: %s", what, ge->message);
	return cg_error_set(CG_E_GIT, "%s", what);
}

const char *cg_error_last(void)
{
	return last_msg;
}

int cg_error_last_code(void)
{
	return last_code;
}

void cg_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}

int cg_error_exit_status(int code)
{
	switch (code) {
	case CG_OK:
		return CG_EXIT_CLEAN;
	case CG_E_USAGE:
	case CG_E_CONFIG:
	case CG_E_INPUT:
	case CG_E_TOOBIG:
	case CG_E_NOTFOUND:
		return CG_EXIT_USAGE;
	default:
		return CG_EXIT_RUNTIME;
	}
}
