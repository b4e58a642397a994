#include <stdio.h>

#include "cmd/cmd.h"
#include "util/error.h"
#include "util/banned.h"

#ifndef CG_VERSION
#define CG_VERSION "0.0.0"
#endif

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("crabgate %s\n", CG_VERSION);
	return CG_EXIT_CLEAN;
}
