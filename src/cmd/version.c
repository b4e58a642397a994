#include <stdio.h>

#include "cg_version.h" /* generated: cmake/version.cmake */
#include "cmd/cmd.h"
#include "util/error.h"
#include "util/banned.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("crabgate %s\n", CG_VERSION_FULL);
	return CG_EXIT_CLEAN;
}
