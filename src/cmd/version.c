#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cg_version.h" /* generated: cmake/version.cmake */
#include "cmd/cmd.h"
#include "util/error.h"
#include "util/libcurl.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * What a bug report needs beyond the version: the libraries this binary
 * runs with. libgit2 is linked, so its own answer is the truth; libcurl is
 * loaded only by the network commands (util/libcurl.h), so this loads it,
 * which plain `version` does not pay for; tree-sitter and its grammars are
 * built in from pinned source, so the build recorded their versions.
 */
static void print_libraries(void)
{
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	printf("libgit2 %d.%d.%d\n", major, minor, rev);
	if (cg_libcurl_load() == 0) {
		const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
		printf("libcurl %s (%s, loaded at run time)\n", v && v->version ? v->version : "unknown",
		       v && v->ssl_version ? v->ssl_version : "no TLS");
	} else {
		printf("libcurl not loaded: %s\n", cg_error_last());
	}
	printf("tree-sitter %s (built in)\n", CG_TREE_SITTER_VERSION);
	printf("tree-sitter-rust %s (built in)\n", CG_TREE_SITTER_RUST_VERSION);
	printf("tree-sitter-toml %s (built in)\n", CG_TREE_SITTER_TOML_VERSION);
}

int cmd_version(int argc, char **argv)
{
	bool is_verbose = cg_log_get_level() == CG_LOG_VERBOSE;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			is_verbose = true;
		} else {
			cg_err("version: unknown argument '%s'; usage: crabgate version [--verbose]", argv[i]);
			return CG_EXIT_USAGE;
		}
	}
	printf("crabgate %s\n", CG_VERSION_FULL);
	if (is_verbose)
		print_libraries();
	return CG_EXIT_CLEAN;
}
