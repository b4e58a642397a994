#include "cmd/options.h"

#include "util/error.h"
#include "util/banned.h"

bool cg_options_take_source(struct cg_change_opts *change, unsigned *nsources, int c, const char *arg)
{
	switch (c) {
	case CG_OPT_STAGED:
		change->source = CG_SOURCE_STAGED;
		break;
	case CG_OPT_BASE:
		change->source = CG_SOURCE_RANGE;
		change->base = arg;
		break;
	case CG_OPT_HEAD:
		/* Not a source of its own: it ends --base's range. */
		change->head = arg;
		return true;
	case CG_OPT_RANGE:
		change->source = CG_SOURCE_RANGE;
		change->range = arg;
		break;
	case CG_OPT_DIFF:
		change->source = CG_SOURCE_DIFF;
		change->diff_path = arg;
		break;
	case CG_OPT_ALL:
		change->source = CG_SOURCE_ALL;
		break;
	default:
		return false;
	}
	(*nsources)++;
	return true;
}

int cg_options_check_source(const struct cg_change_opts *change, unsigned nsources, const char *cmd,
			    const char *choices)
{
	if (nsources > 1)
		return cg_error_set(CG_E_USAGE, "%s: choose one of %s", cmd, choices);
	if (change->head && !change->base)
		return cg_error_set(CG_E_USAGE, "%s: --head goes with --base", cmd);
	return 0;
}
