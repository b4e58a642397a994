/* Config loading: defaults, overrides key by key, and errors that name the place. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/error.h"

static struct cg_config *load_default(void)
{
	struct cg_config *cfg = NULL;
	assert_int_equal(cg_config_load(&cfg, NULL, NULL), 0);
	return cfg;
}

static int merge(struct cg_config *cfg, const char *text)
{
	return cg_config_merge_text(cfg, ".crabgate.yaml", text, strlen(text));
}

static void test_defaults(void **state)
{
	struct cg_config *cfg = load_default();
	(void)state;
	assert_string_equal(cg_conf_str(cfg->root, "fail_level", NULL), "error");
	assert_string_equal(cg_conf_str(cg_config_get(cfg, "rules.chrono-ban"), "severity", NULL), "error");
	assert_true(cg_conf_bool(cg_config_get(cfg, "rules.chrono-ban"), "enabled", false));
	assert_true(cg_conf_seq_glob(cfg->root, "exclude", "target/debug/x.rs"));
	assert_false(cg_conf_seq_glob(cfg->root, "exclude", "src/target.rs"));
	cg_config_free(cfg);
}

static void test_override_key_by_key(void **state)
{
	struct cg_config *cfg = load_default();
	(void)state;
	assert_int_equal(merge(cfg, "fail_level: warning\nrules:\n  chrono-ban:\n    severity: warning\n"), 0);
	assert_string_equal(cg_conf_str(cfg->root, "fail_level", NULL), "warning");
	assert_string_equal(cg_conf_str(cg_config_get(cfg, "rules.chrono-ban"), "severity", NULL), "warning");
	/* Untouched siblings keep their defaults. */
	assert_true(cg_conf_bool(cg_config_get(cfg, "rules.chrono-ban"), "enabled", false));
	assert_string_equal(cg_conf_str(cfg->root, "filter", NULL), "added");
	/* Lists replace the default whole. */
	assert_int_equal(merge(cfg, "exclude:\n  - \"gen/**\"\n"), 0);
	assert_true(cg_conf_seq_glob(cfg->root, "exclude", "gen/a.rs"));
	assert_false(cg_conf_seq_glob(cfg->root, "exclude", "target/a.rs"));
	/* A list of maps takes the shape of the default's items. */
	assert_int_equal(
		merge(cfg, "rules:\n  chrono-ban:\n    crates:\n      - name: time\n        replacement: jiff\n"), 0);
	assert_string_equal(cg_conf_str(cg_config_get(cfg, "rules.chrono-ban.crates")->kids[0], "name", NULL), "time");
	cg_config_free(cfg);
}

static void expect_error(const char *text, const char *needle)
{
	struct cg_config *cfg = load_default();
	int err = merge(cfg, text);
	if (err != CG_E_CONFIG || !strstr(cg_error_last(), needle))
		fail_msg("for %s\n got %d '%s', expected one containing '%s'", text, err, cg_error_last(), needle);
	cg_config_free(cfg);
}

static void test_errors_name_file_line_key(void **state)
{
	(void)state;
	expect_error("fail_level: sometimes\n",
		     ".crabgate.yaml:1: fail_level: expected one of error, warning, note, never");
	expect_error("\nrules:\n  chrono-bam:\n    enabled: false\n",
		     ".crabgate.yaml:3: rules.chrono-bam: unknown key; expected one of");
	expect_error("rules:\n  chrono-ban:\n    enabled: maybe\n",
		     ".crabgate.yaml:3: rules.chrono-ban.enabled: expected true or false");
	expect_error("rules: [1, 2]\n", "rules: expected a mapping, found a list");
	expect_error("exclude: target\n", "exclude: expected a list, found a single value");
	expect_error("rules:\n  chrono-ban:\n    crates:\n      - nme: x\n", "unknown key");
	/* A list item's own list is held to the default's shape too, as the schema holds it. */
	expect_error("rules:\n  chrono-ban:\n    enabling_features:\n      - crate: sqlx\n        features: chrono\n",
		     ".crabgate.yaml:5: rules.chrono-ban.enabling_features: expected a list, found a single value");
	expect_error("rules:\n  chrono-ban:\n    enabling_features:\n      - features: [[chrono]]\n",
		     "expected a single value, found a list");
	expect_error("a: &x 1\nb: *x\n", "aliases");
	expect_error("key: [unclosed\n", "invalid YAML");
	expect_error("fail_level: error\nfail_level: note\n", "duplicate key");
	expect_error("- just\n- a list\n", "expected a mapping of keys at the top level");
	/* Found by fuzz_config: a complex key left a keyless node. */
	expect_error("? [a, b]\n: c\n", ".crabgate.yaml:1: a key must be a plain value");
}

static void test_deep_and_big(void **state)
{
	struct cg_config *cfg = load_default();
	char *deep = malloc(200000), *big;
	size_t n = 0;
	(void)state;
	for (int i = 0; i < 50000; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(merge(cfg, deep), CG_E_CONFIG);
	free(deep);
	big = malloc(2 * 1024 * 1024 + 1);
	memset(big, '#', 2 * 1024 * 1024);
	big[2 * 1024 * 1024] = '\0';
	assert_int_equal(merge(cfg, big), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "larger than"));
	free(big);
	cg_config_free(cfg);
}

static void test_project_file_and_env(void **state)
{
	struct sandbox sb;
	struct cg_config *cfg = NULL;
	char path[8192];
	(void)state;
	sandbox_init(&sb, 0);
	sandbox_write(&sb, ".crabgate.yaml", "filter: file\n");
	assert_int_equal(cg_config_load(&cfg, sb.dir, NULL), 0);
	assert_string_equal(cg_conf_str(cfg->root, "filter", NULL), "file");
	cg_config_free(cfg);

	sandbox_write(&sb, "other.yaml", "filter: all\n");
	snprintf(path, sizeof(path), "%s/other.yaml", sb.dir);
	assert_int_equal(cg_config_load(&cfg, sb.dir, path), 0);
	assert_string_equal(cg_conf_str(cfg->root, "filter", NULL), "all");
	cg_config_free(cfg);

	setenv("CRABGATE_CONFIG", path, 1);
	assert_int_equal(cg_config_load(&cfg, sb.dir, NULL), 0);
	assert_string_equal(cg_conf_str(cfg->root, "filter", NULL), "all");
	cg_config_free(cfg);
	unsetenv("CRABGATE_CONFIG");

	sandbox_write(&sb, ".crabgate.yaml", "filter: sideways\n");
	assert_int_equal(cg_config_load(&cfg, sb.dir, NULL), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), ".crabgate.yaml:1: filter"));
	assert_int_equal(cg_config_load(&cfg, sb.dir, "/nonexistent/x.yaml"), CG_E_CONFIG);
	assert_non_null(strstr(cg_error_last(), "/nonexistent/x.yaml"));
	sandbox_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_override_key_by_key),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_deep_and_big),
		cmocka_unit_test(test_project_file_and_env),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
