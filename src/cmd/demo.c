/* A throwaway repository with a bad staged change, checked as the hook would. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "rules/rule.h"
#include "run/run.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/banned.h"

static const struct {
	const char *path;
	const char *text;
} demo_files[] = {
	{ "Cargo.toml", "[package]\n"
			"name = \"ticker\"\n"
			"version = \"0.1.0\"\n"
			"edition = \"2021\"\n"
			"\n"
			"[dependencies]\n"
			"chrono = \"0.4\"\n"
			"tokio = { version = \"1\", features = [\"full\"] }\n"
			"\n"
			"[dev-dependencies]\n"
			"criterion = \"0.5\"\n" },
	{ "src/lib.rs", "//! Counts ticks, one a second.\n"
			"\n"
			"use std::time::Duration;\n"
			"\n"
			"/// Waits a second, then counts the tick.\n"
			"pub(crate) async fn tick(count: &mut u64) {\n"
			"    std::thread::sleep(Duration::from_secs(1));\n"
			"    *count += 1;\n"
			"}\n"
			"\n"
			"/// Parses an interval like \"5s\" into seconds.\n"
			"pub fn parse_interval(spec: &str) -> Option<u64> {\n"
			"    spec.strip_suffix('s')?.parse().ok()\n"
			"}\n" },
};

static int build_repo(const char *dir)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	struct cg_buf path = CG_BUF_INIT;
	int err = 0;

	if (git_repository_init(&repo, dir, 0) < 0) {
		err = cg_error_set_git("demo: cannot create a repository in %s", dir);
		goto done;
	}
	if (git_repository_index(&index, repo) < 0) {
		err = cg_error_set_git("demo: cannot open the index");
		goto done;
	}
	for (size_t i = 0; i < sizeof(demo_files) / sizeof(demo_files[0]); i++) {
		cg_buf_release(&path);
		cg_buf_printf(&path, "%s/%s", dir, demo_files[i].path);
		if ((err = cg_fs_write_atomic(path.ptr, demo_files[i].text, strlen(demo_files[i].text))) < 0)
			goto done;
		if (git_index_add_bypath(index, demo_files[i].path) < 0) {
			err = cg_error_set_git("demo: cannot stage %s", demo_files[i].path);
			goto done;
		}
	}
	if (git_index_write(index) < 0)
		err = cg_error_set_git("demo: cannot write the index");
done:
	cg_buf_release(&path);
	git_index_free(index);
	git_repository_free(repo);
	return err;
}

int cmd_demo(int argc, char **argv)
{
	struct cg_buf dir = CG_BUF_INIT;
	struct cg_run_settings settings = CG_RUN_SETTINGS_INIT;
	struct cg_run run;
	struct cg_config *cfg = NULL;
	git_repository *repo = NULL;
	bool keep = argc > 1 && !strcmp(argv[1], "--keep");
	int err, status = CG_EXIT_RUNTIME;

	cg_run_init(&run, NULL, NULL, &settings);
	if (argc > 1 && !keep) {
		cg_command_usage(cg_command_find("demo"),
				 argc > 1 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help"));
		return strcmp(argv[1], "-h") && strcmp(argv[1], "--help") ? CG_EXIT_USAGE : CG_EXIT_CLEAN;
	}
	if ((err = cg_fs_mkdtemp(&dir, "crabgate-demo")) < 0 || (err = build_repo(dir.ptr)) < 0)
		goto done;
	printf("crabgate demo: a new repository in %s with a small crate staged:\n"
	       "  Cargo.toml  depends on chrono                    (chrono-ban)\n"
	       "              has no memory files beside it        (missing-memory-files)\n"
	       "  src/lib.rs  sleeps in an async fn                (blocking-in-async)\n"
	       "              adds a pub fn without a benchmark    (missing-bench)\n"
	       "Running `crabgate check --staged` there, as the pre-commit hook does:\n\n",
	       dir.ptr);
	fflush(stdout);
	if (git_repository_open(&repo, dir.ptr) < 0) {
		err = cg_error_set_git("demo: cannot open %s", dir.ptr);
		goto done;
	}
	/* The built-in defaults only: the demo must not depend on the caller's config. */
	if ((err = cg_rules_config_load(&cfg, NULL, NULL)) < 0 ||
	    (err = cg_run_settings_from_config(&settings, cfg)) < 0)
		goto done;
	settings.outputs[0].format = "text";
	settings.noutputs = 1;
	cg_run_init(&run, repo, cfg, &settings);
	if ((err = cg_run_local(&run)) < 0)
		goto done;
	status = CG_EXIT_CLEAN;
	printf("\nThe commit would be %s (exit status %d). In a real repository, `crabgate install`\n"
	       "puts this check in the pre-commit hook; `crabgate explain RULE` tells more.\n",
	       run.exit_status ? "refused" : "accepted", run.exit_status);
done:
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	}
	cg_run_release(&run);
	cg_config_free(cfg);
	git_repository_free(repo);
	if (dir.size) {
		if (keep)
			printf("The repository is kept in %s.\n", dir.ptr);
		else if (cg_fs_rmtree(dir.ptr) == 0)
			printf("The demo repository was removed.\n");
	}
	cg_buf_release(&dir);
	return status;
}
