#include <string.h>

#include "cmd/cmd.h"
#include "cmd/pipeline.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

int cmd_baseline(int argc, char **argv)
{
	struct cg_pipeline_opts opts = { .change = CG_CHANGE_OPTS_INIT };
	struct cg_pipeline p;
	const char *file;
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
	if ((err = cg_pipeline_opts_from_config(&opts, cg_globals.cfg)) < 0 ||
	    (err = cg_check_parse_args(&opts, argc - 1, argv + 1, "baseline")) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_USAGE;
	}
	if (err == 1)
		return CG_EXIT_CLEAN;
	/* The baseline records everything the check sees: no earlier baseline, no report. */
	opts.pass.baseline_path = NULL;
	opts.noutputs = 0;
	err = cg_pipeline_run(&p, cg_globals.repo, cg_globals.cfg, &opts);
	if (!err)
		err = cg_baseline_write(file, &p.findings);
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	} else {
		size_t n = 0;
		for (size_t i = 0; i < p.findings.len; i++)
			n += !p.findings.items[i].is_suppressed;
		cg_info("wrote %zu fingerprint%s to %s", n, n == 1 ? "" : "s", file);
	}
	cg_pipeline_release(&p);
	return status;
}
