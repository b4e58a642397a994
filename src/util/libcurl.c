/* libcurl by dlopen (libcurl.h): looked up once, by the first caller. */
#include <curl/curl.h>

#include "util/libcurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

/* The soname the build was made against: curl keeps its ABI within it. */
#define LIBCURL_SONAME "libcurl.so.4"

struct cg_libcurl cg_libcurl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];

/* Each field of cg_libcurl and the symbol that fills it. */
#define SYM(field, name)                                                                                               \
	{                                                                                                              \
		offsetof(struct cg_libcurl, field), #name                                                              \
	}
static const struct {
	size_t offset;
	const char *name;
} symbols[] = {
	SYM(global_init, curl_global_init),
	SYM(global_cleanup, curl_global_cleanup),
	SYM(easy_init, curl_easy_init),
	SYM(easy_setopt, curl_easy_setopt),
	SYM(easy_getinfo, curl_easy_getinfo),
	SYM(easy_cleanup, curl_easy_cleanup),
	SYM(easy_strerror, curl_easy_strerror),
	SYM(multi_init, curl_multi_init),
	SYM(multi_setopt, curl_multi_setopt),
	SYM(multi_add_handle, curl_multi_add_handle),
	SYM(multi_remove_handle, curl_multi_remove_handle),
	SYM(multi_perform, curl_multi_perform),
	SYM(multi_poll, curl_multi_poll),
	SYM(multi_info_read, curl_multi_info_read),
	SYM(multi_cleanup, curl_multi_cleanup),
	SYM(slist_append, curl_slist_append),
	SYM(slist_free_all, curl_slist_free_all),
	SYM(free, curl_free),
	SYM(url, curl_url),
	SYM(url_set, curl_url_set),
	SYM(url_get, curl_url_get),
	SYM(url_cleanup, curl_url_cleanup),
	SYM(version_info, curl_version_info),
};
#undef SYM

static void load(void)
{
	struct cg_libcurl api;
	void *lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!lib) {
		why = dlerror();
		snprintf(load_error, sizeof(load_error), "%s", why ? why : "cannot load " LIBCURL_SONAME);
		return;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *fn = dlsym(lib, symbols[i].name);
		if (!fn) {
			snprintf(load_error, sizeof(load_error), LIBCURL_SONAME " has no %s", symbols[i].name);
			return;
		}
		/* POSIX makes a data pointer from dlsym good for a function pointer. */
		memcpy((char *)&api + symbols[i].offset, &fn, sizeof(fn));
	}
	cg_libcurl = api;
}

int cg_libcurl_load(void)
{
	pthread_once(&load_once, load);
	if (!load_error[0])
		return 0;
	return cg_error_set(CG_E_NET,
			    "%s: the network commands need libcurl; install it (the libcurl4 package on Debian and "
			    "Ubuntu)",
			    load_error);
}
