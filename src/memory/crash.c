/*
 * Named crash points for tests (internal.h, cg_memory__crash_point): the
 * memory commit-back must survive being killed at any step.
 */
#include "memory/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

void cg_memory__crash_point(const char *step)
{
	const char *at = getenv("CRABGATE_TEST_CRASH_AT");
	if (!at || strcmp(at, step) != 0)
		return;
	fprintf(stderr, "crabgate: CRABGATE_TEST_CRASH_AT=%s: exiting here (test only)\n", step);
	fflush(stderr);
	_exit(99);
}
