#ifndef CG_UTIL_GIT_TLS_H
#define CG_UTIL_GIT_TLS_H

#include <stdbool.h>

/*
 * libgit2's set-up without its TLS trust store, which only a push or fetch
 * over https uses (see git_tls.c for how and why).
 *
 * cg_git_init: git_libgit2_init, leaving the system CA bundle unparsed when
 * libgit2 is built on mbedTLS (Debian's build).
 * cg_git_tls_load: parses the bundle libgit2 would have parsed; call it
 * before any https connection of libgit2's. Idempotent; 0 or -1 with
 * cg_error_last() set.
 * cg_git_tls_deferred: whether cg_git_init left a bundle unparsed (tests).
 */
int cg_git_init(void);
int cg_git_tls_load(void);
bool cg_git_tls_deferred(void);

#endif
