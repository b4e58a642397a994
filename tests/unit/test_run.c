/* The run: settings validated before any work, and the steps in order on a real repository. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"

struct fixture {
	struct sandbox sb;
	struct cg_config *cfg;
	struct cg_run_settings settings;
	struct cg_buf report_path;
};

static const char manifest[] = "[package]\n"
			       "name = \"ticker\"\n"
			       "version = \"0.1.0\"\n"
			       "edition = \"2021\"\n"
			       "\n"
			       "[dependencies]\n";

/* A repository with a committed crate and a staged change that adds chrono (chrono-ban). */
static int setup(void **state)
{
	struct fixture *fx = cg_calloc(1, sizeof(*fx));
	struct cg_buf text = CG_BUF_INIT;
	char head[41];

	sandbox_init(&fx->sb, 0);
	sandbox_write(&fx->sb, "Cargo.toml", manifest);
	sandbox_write(&fx->sb, "src/lib.rs", "//! Ticks.\n");
	sandbox_stage(&fx->sb, "Cargo.toml");
	sandbox_stage(&fx->sb, "src/lib.rs");
	sandbox_commit(&fx->sb, "a crate", head);
	cg_buf_printf(&text, "%schrono = \"0.4\"\n", manifest);
	sandbox_write(&fx->sb, "Cargo.toml", text.ptr);
	sandbox_stage(&fx->sb, "Cargo.toml");
	cg_buf_release(&text);

	assert_int_equal(cg_config_load(&fx->cfg, fx->sb.dir, NULL), 0);
	fx->settings = (struct cg_run_settings)CG_RUN_SETTINGS_INIT;
	assert_int_equal(cg_run_settings_from_config(&fx->settings, fx->cfg), 0);
	cg_buf_init(&fx->report_path);
	cg_buf_printf(&fx->report_path, "%s/report.json", fx->sb.dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cg_config_free(fx->cfg);
	cg_buf_release(&fx->report_path);
	sandbox_free(&fx->sb);
	free(fx);
	return 0;
}

static void test_settings_from_config(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(fx->settings.fail_level, CG_SEV_ERROR);
	assert_int_equal(fx->settings.color, -1);
	assert_int_equal(fx->settings.change.source, CG_SOURCE_STAGED);
	assert_int_equal(fx->settings.review.mode, CG_REVIEW_OFF);
	assert_null(fx->settings.pass.baseline_path);
}

static void test_fail_level(void **state)
{
	enum cg_severity sev = CG_SEV_ERROR;
	(void)state;
	assert_int_equal(cg_run_parse_fail_level(&sev, "never"), 0);
	assert_int_equal(sev, CG_SEV_OFF);
	assert_int_equal(cg_run_parse_fail_level(&sev, "warning"), 0);
	assert_int_equal(sev, CG_SEV_WARNING);
	assert_int_equal(cg_run_parse_fail_level(&sev, "off"), CG_E_USAGE);
	assert_non_null(strstr(cg_error_last(), "expected one of error, warning, note, never"));
}

static void expect_usage(const struct cg_run_settings *s, const char *message)
{
	assert_int_equal(cg_run_settings_check(s), CG_E_USAGE);
	if (!strstr(cg_error_last(), message))
		fail_msg("expected '%s' in '%s'", message, cg_error_last());
}

static void test_settings_check(void **state)
{
	struct fixture *fx = *state;
	struct cg_run_settings s = fx->settings;

	assert_int_equal(cg_run_settings_check(&s), 0);
	s.outputs[0] = (struct cg_run_output){ "nope", NULL };
	s.noutputs = 1;
	expect_usage(&s, "--format nope: unknown format 'nope'; expected one of text, json");
	s.outputs[0] = (struct cg_run_output){ "json", "" };
	expect_usage(&s, "--output json=: no file after '='");
	s.outputs[0] = (struct cg_run_output){ "json", fx->sb.dir };
	expect_usage(&s, "is a folder; name a file in it");
	s.outputs[0] = (struct cg_run_output){ "json", NULL };
	s.outputs[1] = (struct cg_run_output){ "text", "-" };
	s.noutputs = 2;
	expect_usage(&s, "--format json and --output text=- both write to standard output");
	assert_false(cg_run_has_stdout_output(&fx->settings));
	assert_true(cg_run_has_stdout_output(&s));
	s.outputs[1] = (struct cg_run_output){ "sarif", fx->report_path.ptr };
	assert_int_equal(cg_run_settings_check(&s), 0);
	s.summary_path = "";
	expect_usage(&s, "--summary: expected a file name");
}

/* A wrong setting stops the run before the change is read: a bad --base would fail otherwise. */
static void test_local_checks_settings_first(void **state)
{
	struct fixture *fx = *state;
	struct cg_run_settings s = fx->settings;
	struct cg_run run;

	s.change.source = CG_SOURCE_RANGE;
	s.change.base = "no-such-ref";
	s.outputs[0] = (struct cg_run_output){ "nope", fx->report_path.ptr };
	s.noutputs = 1;
	cg_run_init(&run, fx->sb.repo, fx->cfg, &s);
	assert_int_equal(cg_run_local(&run), CG_E_USAGE);
	assert_non_null(strstr(cg_error_last(), "unknown format 'nope'"));
	assert_int_equal(run.change.nfiles, 0);
	assert_int_equal(run.findings.len, 0);
	cg_run_release(&run);
}

static void test_steps_in_order(void **state)
{
	struct fixture *fx = *state;
	struct cg_run_settings s = fx->settings;
	struct cg_buf json = CG_BUF_INIT;
	struct cg_run run;
	bool has_chrono = false;

	s.outputs[0] = (struct cg_run_output){ "json", fx->report_path.ptr };
	s.noutputs = 1;
	cg_run_init(&run, fx->sb.repo, fx->cfg, &s);
	assert_int_equal(cg_run_settings_check(&s), 0);

	assert_int_equal(cg_run_load_change(&run), 0);
	assert_int_equal(run.change.nfiles, 1);
	assert_int_equal(run.findings.len, 0);

	assert_int_equal(cg_run_check(&run), 0);
	for (size_t i = 0; i < run.findings.len; i++)
		if (!strcmp(run.findings.items[i].rule, "chrono-ban") &&
		    !strcmp(run.findings.items[i].path, "Cargo.toml"))
			has_chrono = true;
	assert_true(has_chrono);

	/* Review off: nothing added, no summary. */
	assert_int_equal(cg_run_review(&run), 0);
	assert_null(run.review.summary);

	assert_int_equal(cg_run_report(&run), 0);
	assert_int_equal(run.exit_status, 1);
	assert_string_equal(run.report.source, "staged");
	assert_int_equal(run.report.files, 1);
	assert_ptr_equal(run.report.findings, &run.findings);
	assert_int_equal(cg_fs_read(&json, fx->report_path.ptr, 1 << 20), 0);
	assert_non_null(strstr(json.ptr, "\"chrono-ban\""));
	cg_buf_release(&json);
	cg_run_release(&run);
}

/* fail_level never: the same findings, exit status 0; cg_run_local runs every step. */
static void test_local_fail_level_never(void **state)
{
	struct fixture *fx = *state;
	struct cg_run_settings s = fx->settings;
	struct cg_run run;

	s.fail_level = CG_SEV_OFF;
	s.outputs[0] = (struct cg_run_output){ "json", fx->report_path.ptr };
	s.noutputs = 1;
	cg_run_init(&run, fx->sb.repo, fx->cfg, &s);
	assert_int_equal(cg_run_local(&run), 0);
	assert_true(run.findings.len > 0);
	assert_int_equal(run.exit_status, 0);
	cg_run_release(&run);
}

static void test_memory_forge(void **state)
{
	const struct cg_forge *forge = NULL;
	const char *token = NULL;
	(void)state;

	setenv("CRABGATE_GITLAB_TOKEN", "", 1);
	setenv("GITLAB_TOKEN", "glpat-test", 1);
	assert_int_equal(cg_run_memory_forge(&forge, &token, "gitlab"), 0);
	assert_ptr_equal(forge, cg_forge_find("gitlab"));
	assert_string_equal(token, "glpat-test");
	unsetenv("GITLAB_TOKEN");
	unsetenv("CRABGATE_GITLAB_TOKEN");
	assert_int_equal(cg_run_memory_forge(&forge, NULL, "github"), 0);
	assert_ptr_equal(forge, cg_forge_find("github"));
	assert_int_equal(cg_run_memory_forge(&forge, NULL, "bitbucket"), CG_E_USAGE);
	assert_string_equal(cg_error_last(), "memory: --forge 'bitbucket': expected github or gitlab");
}

/* Outside CI without CRABGATE_BASE, ci stops with a usage error before reading anything. */
static void test_ci_without_ci(void **state)
{
	struct fixture *fx = *state;
	struct cg_run_ci_settings s = { .run = fx->settings };

	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	unsetenv("CRABGATE_BASE");
	assert_int_equal(cg_run_ci(fx->sb.repo, fx->cfg, &s), CG_EXIT_USAGE);
	assert_non_null(strstr(cg_error_last(), "CRABGATE_BASE is not set"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settings_from_config, setup, teardown),
		cmocka_unit_test(test_fail_level),
		cmocka_unit_test_setup_teardown(test_settings_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_checks_settings_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_fail_level_never, setup, teardown),
		cmocka_unit_test(test_memory_forge),
		cmocka_unit_test_setup_teardown(test_ci_without_ci, setup, teardown),
	};
	git_libgit2_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
