#ifndef CG_UTIL_LIBCURL_H
#define CG_UTIL_LIBCURL_H

#include <curl/curl.h>

/*
 * libcurl, loaded with dlopen by the first command that needs it (a
 * request, a URL to split): a check never uses the network, and libcurl
 * with the twenty-odd libraries it pulls in cost every hook run several
 * milliseconds of dynamic loading. Include this header after
 * <curl/curl.h>: it points the curl functions crabgate calls at the loaded
 * library, so call sites read as curl's documentation does.
 */

struct cg_libcurl {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
	CURLMcode (*multi_add_handle)(CURLM *multi, CURL *curl);
	CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *curl);
	CURLMcode (*multi_perform)(CURLM *multi, int *running);
	CURLMcode (*multi_poll)(CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms,
				int *ret);
	CURLMsg *(*multi_info_read)(CURLM *multi, int *msgs_in_queue);
	CURLMcode (*multi_cleanup)(CURLM *multi);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	void (*free)(void *p);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *url, CURLUPart part, const char *content, unsigned int flags);
	CURLUcode (*url_get)(const CURLU *url, CURLUPart part, char **content, unsigned int flags);
	void (*url_cleanup)(CURLU *url);
	curl_version_info_data *(*version_info)(CURLversion stamp);
};

/* Filled by cg_libcurl_load; read only after it succeeded. */
extern struct cg_libcurl cg_libcurl;

/*
 * Loads libcurl once per process (thread-safe). CG_E_NET, naming the
 * library and the package that provides it, when it cannot be loaded.
 */
int cg_libcurl_load(void);

/* clang-format off */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init (cg_libcurl.global_init)
#define curl_global_cleanup (cg_libcurl.global_cleanup)
#define curl_easy_init (cg_libcurl.easy_init)
#define curl_easy_setopt (cg_libcurl.easy_setopt)
#define curl_easy_getinfo (cg_libcurl.easy_getinfo)
#define curl_easy_cleanup (cg_libcurl.easy_cleanup)
#define curl_easy_strerror (cg_libcurl.easy_strerror)
#define curl_multi_init (cg_libcurl.multi_init)
#define curl_multi_setopt (cg_libcurl.multi_setopt)
#define curl_multi_add_handle (cg_libcurl.multi_add_handle)
#define curl_multi_remove_handle (cg_libcurl.multi_remove_handle)
#define curl_multi_perform (cg_libcurl.multi_perform)
#define curl_multi_poll (cg_libcurl.multi_poll)
#define curl_multi_info_read (cg_libcurl.multi_info_read)
#define curl_multi_cleanup (cg_libcurl.multi_cleanup)
#define curl_slist_append (cg_libcurl.slist_append)
#define curl_slist_free_all (cg_libcurl.slist_free_all)
#define curl_free (cg_libcurl.free)
#define curl_url (cg_libcurl.url)
#define curl_url_set (cg_libcurl.url_set)
#define curl_url_get (cg_libcurl.url_get)
#define curl_url_cleanup (cg_libcurl.url_cleanup)
#define curl_version_info (cg_libcurl.version_info)
/* clang-format on */

#endif
