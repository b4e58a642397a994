#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

int cmd_rules(int argc, char **argv)
{
	const struct cg_conf_node *rules = cg_config_get(cg_globals.cfg, "rules");
	(void)argv;
	if (argc > 1) {
		cg_err("rules: takes no arguments; `crabgate explain RULE` explains one");
		return CG_EXIT_USAGE;
	}
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		const struct cg_conf_node *rc = cg_conf_child(rules, r->id);
		const char *sev = cg_conf_str(rc, "severity", cg_severity_name(r->default_severity));
		bool on = cg_conf_bool(rc, "enabled", true) && strcmp(sev, "off");
		printf("%-22s %-8s %s\n", r->id, on ? sev : "off", r->summary);
	}
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
