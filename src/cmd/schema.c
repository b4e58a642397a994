/* `crabgate schema config`: the JSON Schema of .crabgate.yaml, for editors and docs/schema/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

int cmd_schema(int argc, char **argv)
{
	char *json = NULL;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cg_command_usage(cg_command_find("schema"), false);
		return CG_EXIT_CLEAN;
	}
	if (argc != 2 || strcmp(argv[1], "config")) {
		cg_err("schema: name the file: crabgate schema config");
		return CG_EXIT_USAGE;
	}
	if (cg_rules_config_schema(&json) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_RUNTIME;
	}
	fputs(json, stdout);
	free(json);
	return CG_EXIT_CLEAN;
}
