/*
 * Debian builds libgit2 on mbedTLS, and git_libgit2_init parses the whole
 * system CA bundle into mbedTLS's trust store: about 2.5 ms of a 12 ms
 * pre-commit hook on tokio (perf: a fifth of the hook's samples in
 * mbedtls_x509_crt_parse and base64 decoding), for a store only a push or
 * fetch over https reads. libgit2 has no switch for it.
 *
 * So crabgate defines the two mbedTLS functions that parse a bundle. The
 * dynamic linker binds libgit2's calls to the executable's definitions
 * before the library's (the executable comes first in the lookup scope, and
 * ld exports these because libgit2.so refers to them). While cg_git_init
 * runs they only remember what they were asked to parse; at any other time
 * they hand the call to mbedTLS's own functions (dlsym RTLD_NEXT).
 * cg_git_tls_load then gives libgit2 the remembered locations
 * (GIT_OPT_SET_SSL_CERT_LOCATIONS), which parses them for real.
 *
 * Fails closed: had a connection been made without the load, mbedTLS would
 * have verified the server against an empty store, and libgit2 refuses a
 * certificate that does not verify. A libgit2 built on OpenSSL never calls
 * these, and nothing changes there.
 */
#define _GNU_SOURCE
#include "util/git_tls.h"

#include <dlfcn.h>
#include <git2.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR, without its headers. */
#define X509_FILE_IO_ERROR (-0x2900)

typedef int (*parse_fn)(void *chain, const char *location);

static bool is_deferring;
static char *deferred_file, *deferred_dir;

static int parse_or_defer(const char *name, char **deferred, void *chain, const char *location)
{
	parse_fn real;

	if (is_deferring) {
		free(*deferred);
		*deferred = location ? cg_strdup(location) : NULL;
		return 0;
	}
	real = (parse_fn)dlsym(RTLD_NEXT, name);
	return real ? real(chain, location) : X509_FILE_IO_ERROR;
}

/* The prototypes mbedTLS declares (mbedtls_x509_crt * is opaque here). */
int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return parse_or_defer("mbedtls_x509_crt_parse_file", &deferred_file, chain, path);
}

int mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	return parse_or_defer("mbedtls_x509_crt_parse_path", &deferred_dir, chain, path);
}

int cg_git_init(void)
{
	int rc;

	is_deferring = true;
	rc = git_libgit2_init();
	is_deferring = false;
	return rc;
}

bool cg_git_tls_deferred(void)
{
	return deferred_file || deferred_dir;
}

int cg_git_tls_load(void)
{
	int rc;

	if (!cg_git_tls_deferred())
		return 0;
	rc = git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, deferred_file, deferred_dir);
	if (rc < 0)
		return cg_error_set_git("cannot load the system's CA certificates");
	free(deferred_file);
	free(deferred_dir);
	deferred_file = deferred_dir = NULL;
	return 0;
}
