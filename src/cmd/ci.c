/*
 * `crabgate ci`: the CI entry point. Its options into settings; the run
 * (src/run/ci.c) detects the CI, checks, reports and posts.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

static bool is_source_option(const char *a)
{
	static const char *const names[] = { "--staged", "--base", "--range", "--diff", "--all" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(a, names[i], n) && (a[n] == '\0' || a[n] == '='))
			return true;
	}
	return false;
}

int cmd_ci(int argc, char **argv)
{
	struct cg_run_ci_settings s = { .run = CG_RUN_SETTINGS_INIT };
	char **args = cg_calloc((size_t)argc + 1, sizeof(*args));
	bool is_help;
	int nargs = 0, err, status = CG_EXIT_USAGE;

	/* --dry-run and --no-post are ci's own; the rest are the options every checking command shares. */
	for (int i = 0; i < argc; i++) {
		if (i > 0 && !strcmp(argv[i], "--dry-run")) {
			s.is_dry_run = true;
			continue;
		}
		if (i > 0 && !strcmp(argv[i], "--no-post")) {
			s.is_post_off = true;
			continue;
		}
		if (i > 0 && is_source_option(argv[i]))
			s.has_source = true;
		args[nargs++] = argv[i];
	}
	if ((err = cg_run_settings_from_config(&s.run, cg_globals.cfg)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	/* In CI the model review runs when a provider is configured or found; --no-review wins. */
	s.run.review.mode = CG_REVIEW_AUTO;
	if ((err = cg_check_parse_args(&s.run, &is_help, nargs, args, "ci")) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	status = is_help ? CG_EXIT_CLEAN : cg_run_ci(cg_globals.repo, cg_globals.cfg, &s);
done:
	free(args);
	return status;
}
