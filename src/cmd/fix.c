#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "rules/rule.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

enum { OPT_RULE = CG_OPT_OWN, OPT_DRY_RUN, OPT_UNSAFE, OPT_NO_CACHE };

static const struct option long_opts[] = {
	{ "staged", no_argument, NULL, CG_OPT_STAGED },
	{ "base", required_argument, NULL, CG_OPT_BASE },
	{ "head", required_argument, NULL, CG_OPT_HEAD },
	{ "range", required_argument, NULL, CG_OPT_RANGE },
	{ "all", no_argument, NULL, CG_OPT_ALL },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "unsafe", no_argument, NULL, OPT_UNSAFE },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options into `s`; `rules` receives the --rule ids (the array is the caller's to free). */
static int parse_args(struct cg_run_fix_settings *s, char ***rules, bool *is_help, int argc, char **argv)
{
	size_t cap = 0;
	unsigned sources = 0;
	int c;

	*is_help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (cg_options_take_source(&s->run.change, &sources, c, optarg))
			continue;
		switch (c) {
		case OPT_RULE:
			if (!cg_rule_find(optarg)) {
				struct cg_buf msg = CG_BUF_INIT;
				cg_options_did_you_mean(&msg, optarg);
				cg_error_set(CG_E_USAGE, "fix: --rule %s: no such rule%s", optarg, msg.ptr);
				cg_buf_release(&msg);
				return CG_E_USAGE;
			}
			cg_array_grow((void **)rules, &cap, s->nrules + 1, sizeof(**rules));
			(*rules)[s->nrules++] = optarg;
			break;
		case OPT_DRY_RUN:
			s->is_dry_run = true;
			break;
		case OPT_UNSAFE:
			s->is_unsafe = true;
			break;
		case OPT_NO_CACHE:
			s->run.pass.is_cache_used = false;
			break;
		case 'h':
			cg_command_usage(cg_command_find("fix"), false);
			*is_help = true;
			return 0;
		default:
			return cg_error_set(CG_E_USAGE, "fix: unknown option '%s'; see `crabgate help fix`",
					    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cg_error_set(CG_E_USAGE, "fix: unexpected argument '%s'; see `crabgate help fix`", argv[optind]);
	s->rules = *rules;
	return cg_options_check_source(&s->run.change, sources, "fix", "--staged, --base, --range, --all");
}

int cmd_fix(int argc, char **argv)
{
	struct cg_run_fix_settings s = { .run = CG_RUN_SETTINGS_INIT };
	char **rules = NULL;
	bool is_help;
	int status;

	if (cg_run_settings_from_config(&s.run, cg_globals.cfg) < 0 ||
	    parse_args(&s, &rules, &is_help, argc, argv) < 0) {
		cg_err("%s", cg_error_last());
		free(rules);
		return CG_EXIT_USAGE;
	}
	status = is_help ? CG_EXIT_CLEAN : cg_run_fix(cg_globals.repo, cg_globals.cfg, &s);
	free(rules);
	return status;
}
