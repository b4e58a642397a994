#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

int cmd_baseline(int argc, char **argv)
{
	struct cg_run_settings settings = CG_RUN_SETTINGS_INIT;
	struct cg_run run;
	const char *file;
	size_t n;
	bool is_help;
	int err, status = CG_EXIT_CLEAN;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			cg_command_usage(cg_command_find("baseline"), false);
			return CG_EXIT_CLEAN;
		}
		cg_err("baseline: name the file to write first: crabgate baseline FILE [--all]");
		return CG_EXIT_USAGE;
	}
	file = argv[1];
	if ((err = cg_run_settings_from_config(&settings, cg_globals.cfg)) < 0 ||
	    (err = cg_check_parse_args(&settings, &is_help, argc - 1, argv + 1, "baseline")) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_USAGE;
	}
	if (is_help)
		return CG_EXIT_CLEAN;
	/* The baseline records everything the check sees: no earlier baseline, no report. */
	settings.pass.baseline_path = NULL;
	settings.noutputs = 0;
	cg_run_init(&run, cg_globals.repo, cg_globals.cfg, &settings);
	if ((err = cg_run_local(&run)) < 0 || (err = cg_run_write_baseline(&n, &run, file)) < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	} else {
		cg_info("wrote %zu fingerprint%s to %s", n, n == 1 ? "" : "s", file);
	}
	cg_run_release(&run);
	return status;
}
