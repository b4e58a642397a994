/*
 * The registry is the one source of truth for a rule's standard settings:
 * config.yaml documents them (and must agree), and a rule config.yaml does
 * not list still takes them from a project's file.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "rules/rule.h"
#include "util/error.h"

static int merge(struct cg_config *cfg, const char *text)
{
	return cg_config_merge_text(cfg, ".crabgate.yaml", text, strlen(text));
}

/* Every registered rule has a block in config.yaml with its defaults, and every block is a registered rule. */
static void test_config_yaml_documents_every_rule(void **state)
{
	struct cg_conf_node *root = NULL;
	const struct cg_conf_node *rules;
	(void)state;

	assert_int_equal(cg_conf_parse(&root, "config.yaml", cg_config_default_yaml, cg_config_default_yaml_len), 0);
	rules = cg_conf_child(root, "rules");
	assert_non_null(rules);
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		const struct cg_conf_node *block = cg_conf_child(rules, r->id);
		const struct cg_conf_node *skip = cg_conf_child(block, "skip");
		if (!block)
			fail_msg("config.yaml has no block rules.%s (ci/new-rule.sh writes one)", r->id);
		if (strcmp(cg_conf_str(block, "severity", ""), cg_severity_name(r->default_severity)))
			fail_msg("rules.%s.severity: config.yaml says '%s', the registry %s", r->id,
				 cg_conf_str(block, "severity", ""), cg_severity_name(r->default_severity));
		if (!cg_conf_str(block, "enabled", NULL) || cg_conf_bool(block, "enabled", false) == r->is_opt_in)
			fail_msg("rules.%s.enabled: config.yaml and the registry (is_opt_in) disagree", r->id);
		if (!skip || skip->kind != CG_CONF_SEQ)
			fail_msg("rules.%s.skip: config.yaml lacks the list", r->id);
	}
	for (size_t i = 0; i < rules->nkids; i++)
		if (!cg_rule_find(rules->kids[i]->key))
			fail_msg("config.yaml:%u: rules.%s is no registered rule (src/rules/registry.c)",
				 rules->kids[i]->line, rules->kids[i]->key);
	cg_conf_node_free(root);
}

/* A rule config.yaml does not list gets enabled, severity and skip from the standard text. */
static void test_standard_settings_without_a_block(void **state)
{
	static const char standard[] = "rules:\n"
				       "  new-rule:\n    enabled: true\n    severity: note\n    skip: []\n"
				       "  chrono-ban:\n    enabled: false\n    severity: note\n    skip: []\n";
	struct cg_config *cfg = NULL;
	const struct cg_conf_node *rc;
	(void)state;

	assert_int_equal(cg_config_load_standard(&cfg, NULL, NULL, "registry", standard, strlen(standard)), 0);
	/* config.yaml's block wins over the standard text. */
	rc = cg_config_get(cfg, "rules.chrono-ban");
	assert_string_equal(cg_conf_str(rc, "severity", NULL), "error");
	assert_true(cg_conf_bool(rc, "enabled", false));
	assert_non_null(cg_conf_child(rc, "crates"));
	assert_int_equal(merge(cfg, "rules:\n  new-rule:\n    enabled: false\n    severity: warning\n"
				    "    skip: [\"gen/**\"]\n"),
			 0);
	rc = cg_config_get(cfg, "rules.new-rule");
	assert_false(cg_conf_bool(rc, "enabled", true));
	assert_string_equal(cg_conf_str(rc, "severity", NULL), "warning");
	assert_true(cg_conf_seq_glob(rc, "skip", "gen/a.rs"));
	/* The standard settings are checked like any other key. */
	assert_int_equal(merge(cfg, "rules:\n  new-rule:\n    severity: loud\n"), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "rules.new-rule.severity: expected one of"));
	cg_config_free(cfg);
	assert_int_equal(cg_config_load_standard(&cfg, NULL, NULL, "registry", standard, strlen(standard)), 0);
	assert_int_equal(merge(cfg, "rules:\n  new-rule:\n    colour: red\n"), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "rules.new-rule.colour: unknown key"));
	cg_config_free(cfg);
}

/* What crabgate runs with: every registered rule's settings, and still no unknown rule. */
static void test_rules_config_load(void **state)
{
	struct cg_config *cfg = NULL;
	(void)state;

	assert_int_equal(cg_rules_config_load(&cfg, NULL, NULL), 0);
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_conf_node *rc = cg_conf_child(cg_config_get(cfg, "rules"), cg_rules[i]->id);
		assert_non_null(rc);
		assert_string_equal(cg_conf_str(rc, "severity", NULL), cg_severity_name(cg_rules[i]->default_severity));
		assert_int_equal(cg_conf_bool(rc, "enabled", cg_rules[i]->is_opt_in), !cg_rules[i]->is_opt_in);
	}
	assert_int_equal(merge(cfg, "rules:\n  unbounded-channel:\n    enabled: true\n"), 0);
	assert_int_equal(merge(cfg, "rules:\n  chrono-bam:\n    enabled: false\n"), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "rules.chrono-bam: unknown key"));
	cg_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_yaml_documents_every_rule),
		cmocka_unit_test(test_standard_settings_without_a_block),
		cmocka_unit_test(test_rules_config_load),
	};
	return cmocka_run_group_tests_name("rules_registry", tests, NULL, NULL);
}
