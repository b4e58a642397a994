/* Every rule crabgate knows: adding a rule is one file and one row here. */
#include <string.h>

#include "rules/rule.h"
#include "util/buf.h"
#include "util/banned.h"

extern const struct cg_rule cg_rule_chrono_ban;
extern const struct cg_rule cg_rule_blocking_in_async;
extern const struct cg_rule cg_rule_unbounded_channel;
extern const struct cg_rule cg_rule_thiserror_errors;
extern const struct cg_rule cg_rule_no_mocks;
extern const struct cg_rule cg_rule_wasm_unsafe_std;
extern const struct cg_rule cg_rule_missing_memory_files;
extern const struct cg_rule cg_rule_allow_without_reason;
extern const struct cg_rule cg_rule_missing_bench;

const struct cg_rule *const cg_rules[] = {
	&cg_rule_chrono_ban,	    &cg_rule_blocking_in_async,	   &cg_rule_missing_bench,
	&cg_rule_unbounded_channel, &cg_rule_thiserror_errors,	   &cg_rule_no_mocks,
	&cg_rule_wasm_unsafe_std,   &cg_rule_missing_memory_files, &cg_rule_allow_without_reason,
};

const size_t cg_nrules = sizeof(cg_rules) / sizeof(cg_rules[0]);

const struct cg_rule *cg_rule_find(const char *id)
{
	for (size_t i = 0; i < cg_nrules; i++)
		if (!strcmp(cg_rules[i]->id, id))
			return cg_rules[i];
	return NULL;
}

void cg_rules_standard_yaml(struct cg_buf *yaml)
{
	cg_buf_puts(yaml, "rules:\n");
	for (size_t i = 0; i < cg_nrules; i++)
		cg_buf_printf(yaml, "  %s:\n    enabled: %s\n    severity: %s\n    skip: []\n", cg_rules[i]->id,
			      cg_rules[i]->is_opt_in ? "false" : "true",
			      cg_severity_name(cg_rules[i]->default_severity));
}

int cg_rules_config_load(struct cg_config **out, const char *repo_root, const char *explicit_path)
{
	struct cg_buf yaml = CG_BUF_INIT;
	int err;

	cg_rules_standard_yaml(&yaml);
	err = cg_config_load_standard(out, repo_root, explicit_path, "the rule registry", yaml.ptr, yaml.size);
	cg_buf_release(&yaml);
	return err;
}
