#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * The configuration as `check` would see it here: inside a repository its
 * .crabgate.yaml counts too (the command runs without needing one, so main
 * loaded only the defaults and --config). *owned is freed by the caller.
 */
static int project_config(const struct cg_config **out, struct cg_config **owned)
{
	git_repository *repo = NULL;
	int err = 0;

	*out = cg_globals.cfg;
	*owned = NULL;
	if (cg_globals.repo || git_repository_open_ext(&repo, ".", 0, NULL) < 0) {
		git_error_clear();
		return 0;
	}
	if (git_repository_workdir(repo)) {
		if ((err = cg_config_load(owned, git_repository_workdir(repo), cg_globals.config_path)) == 0)
			*out = *owned;
	}
	git_repository_free(repo);
	return err;
}

int cmd_rules(int argc, char **argv)
{
	const struct cg_config *cfg;
	struct cg_config *owned = NULL;
	const struct cg_conf_node *rules;
	(void)argv;
	if (argc > 1) {
		cg_err("rules: takes no arguments; `crabgate explain RULE` explains one");
		return CG_EXIT_USAGE;
	}
	if (project_config(&cfg, &owned) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_USAGE;
	}
	rules = cg_config_get(cfg, "rules");
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		const struct cg_conf_node *rc = cg_conf_child(rules, r->id);
		const char *sev = cg_conf_str(rc, "severity", cg_severity_name(r->default_severity));
		bool on = cg_conf_bool(rc, "enabled", true) && strcmp(sev, "off");
		printf("%-22s %-8s %s\n", r->id, on ? sev : "off", r->summary);
	}
	cg_config_free(owned);
	return CG_EXIT_CLEAN;
}

int cmd_explain(int argc, char **argv)
{
	const struct cg_rule *r;
	if (argc != 2) {
		cg_err("explain: name one rule; `crabgate rules` lists them");
		return CG_EXIT_USAGE;
	}
	r = cg_rule_find(argv[1]);
	if (!r) {
		cg_err("explain: no rule '%s'; `crabgate rules` lists them", argv[1]);
		return CG_EXIT_USAGE;
	}
	printf("%s (%s by default): %s\n\n%s", r->id, cg_severity_name(r->default_severity), r->summary, r->explain);
	return CG_EXIT_CLEAN;
}
