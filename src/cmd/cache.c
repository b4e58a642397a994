/* `crabgate cache clear`: removes the crate model's cache of file summaries (crate/cache.h). */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "crate/cache.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

int cmd_cache(int argc, char **argv)
{
	char *dir;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cg_command_usage(cg_command_find("cache"), false);
		return CG_EXIT_CLEAN;
	}
	if (argc != 2 || strcmp(argv[1], "clear")) {
		cg_err("cache: name what to do: crabgate cache clear");
		return CG_EXIT_USAGE;
	}
	if (cg_disk_cache_clear(cg_globals.repo) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_RUNTIME;
	}
	dir = cg_disk_cache_dir(cg_globals.repo);
	cg_info("removed the cache in %s", dir ? dir : "the git directory");
	free(dir);
	return CG_EXIT_CLEAN;
}
