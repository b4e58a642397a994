#ifndef CG_UTIL_LOG_H
#define CG_UTIL_LOG_H

#include <stdbool.h>

/*
 * Messages for people on stderr. Everything crabgate logs passes through
 * here, so secrets registered with cg_log_add_secret() are masked in one
 * place whatever the caller forgot.
 */
enum cg_log_level { CG_LOG_QUIET = 0, CG_LOG_NORMAL = 1, CG_LOG_VERBOSE = 2 };

void cg_log_set_level(enum cg_log_level level);
enum cg_log_level cg_log_get_level(void);
/* Registers a value that must never be printed (tokens, API keys). */
void cg_log_add_secret(const char *value);
/* Replaces every registered secret in `s` (in place) with "***". Returns s. */
char *cg_log_mask(char *s);

void cg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cg_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
