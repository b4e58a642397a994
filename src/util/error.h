#ifndef CG_UTIL_ERROR_H
#define CG_UTIL_ERROR_H

/*
 * Error codes and the one place their message lives. A fallible function
 * returns 0 or a negative CG_E code after calling cg_error_set(); callers
 * pass the code up and the command prints cg_error_last() once.
 */
enum {
	CG_OK = 0,
	CG_E_USAGE = -1,   /* bad command line */
	CG_E_CONFIG = -2,  /* bad configuration file */
	CG_E_INPUT = -3,   /* bad input: diff, manifest, missing base commit */
	CG_E_GIT = -4,	   /* libgit2 failed */
	CG_E_IO = -5,	   /* file system */
	CG_E_NET = -6,	   /* network, HTTP */
	CG_E_TOOBIG = -7,  /* a size cap was hit */
	CG_E_NOTFOUND = -8 /* a lookup that may legitimately miss */
};

/* Exit statuses, fixed and documented in README and --help. */
enum { CG_EXIT_CLEAN = 0, CG_EXIT_FINDINGS = 1, CG_EXIT_USAGE = 2, CG_EXIT_RUNTIME = 3 };

/* Records a message for `code` and returns `code`. */
int cg_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records libgit2's last error prefixed by `what`; returns CG_E_GIT. */
int cg_error_set_git(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last message, or "" (borrowed, valid until the next cg_error_set). */
const char *cg_error_last(void);
int cg_error_last_code(void);
void cg_error_clear(void);
/* Maps an error code to the process exit status (2 for input, 3 for runtime). */
int cg_error_exit_status(int code);

#endif
