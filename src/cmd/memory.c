/*
 * `crabgate memory update`: a maintenance command that runs the memory
 * update on its own, the way `ci --update-memory` does (--push) or the way
 * `check --update-memory` does (without). It exists to repair or backfill
 * the files by hand and to drive the update in tests; the review's output
 * can be given on the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

enum {
	OPT_PR = CG_OPT_OWN,
	OPT_FORGE,
	OPT_TITLE,
	OPT_PUSH,
	OPT_BRANCH,
	OPT_REMOTE,
	OPT_TOKEN_ENV,
	OPT_FORK,
	OPT_SUMMARY,
	OPT_LESSON,
	OPT_TODO,
};

static const struct option long_opts[] = {
	{ "staged", no_argument, NULL, CG_OPT_STAGED },
	{ "base", required_argument, NULL, CG_OPT_BASE },
	{ "head", required_argument, NULL, CG_OPT_HEAD },
	{ "range", required_argument, NULL, CG_OPT_RANGE },
	{ "all", no_argument, NULL, CG_OPT_ALL },
	{ "pr", required_argument, NULL, OPT_PR },
	{ "forge", required_argument, NULL, OPT_FORGE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "push", no_argument, NULL, OPT_PUSH },
	{ "branch", required_argument, NULL, OPT_BRANCH },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "token-env", required_argument, NULL, OPT_TOKEN_ENV },
	{ "fork", no_argument, NULL, OPT_FORK },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "lesson", required_argument, NULL, OPT_LESSON },
	{ "todo", required_argument, NULL, OPT_TODO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct memory_args {
	struct cg_memory_ci ci;
	struct cg_memory_review review;
	const char **lessons, **todos;
	size_t lessons_cap, todos_cap;
	const char *token_env;
	bool should_push;
};

static void push_arg(const char ***arr, size_t *n, size_t *cap, const char *v)
{
	cg_array_grow((void **)arr, cap, *n + 1, sizeof(**arr));
	(*arr)[(*n)++] = v;
}

static int parse(struct memory_args *a, struct cg_run_settings *s, bool *is_help, int argc, char **argv)
{
	const char *forge = "github";
	unsigned sources = 0;
	int c, err;
	long n;

	*is_help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (cg_options_take_source(&s->change, &sources, c, optarg))
			continue;
		switch (c) {
		case OPT_PR:
			if (cg_parse_long(&n, optarg, 1, 1000000000L) < 0)
				return cg_error_set(CG_E_USAGE, "memory: --pr '%s': expected a positive number",
						    optarg);
			a->ci.pr_number = n;
			break;
		case OPT_FORGE:
			if ((err = cg_run_memory_forge(&a->ci.forge, NULL, optarg)) < 0)
				return err;
			forge = optarg;
			break;
		case OPT_TITLE:
			a->ci.title = optarg;
			break;
		case OPT_PUSH:
			a->should_push = true;
			break;
		case OPT_BRANCH:
			a->ci.branch = optarg;
			break;
		case OPT_REMOTE:
			a->ci.remote = optarg;
			break;
		case OPT_TOKEN_ENV:
			a->token_env = optarg;
			break;
		case OPT_FORK:
			a->ci.is_fork = true;
			break;
		case OPT_SUMMARY:
			a->review.summary = optarg;
			break;
		case OPT_LESSON:
			push_arg(&a->lessons, &a->review.nlessons, &a->lessons_cap, optarg);
			break;
		case OPT_TODO:
			push_arg(&a->todos, &a->review.ntodos, &a->todos_cap, optarg);
			break;
		case 'h':
			cg_command_usage(cg_command_find("memory"), false);
			*is_help = true;
			return 0;
		default:
			return cg_error_set(CG_E_USAGE, "memory: unknown option '%s'; see `crabgate help memory`",
					    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cg_error_set(CG_E_USAGE, "memory: unexpected argument '%s'; see `crabgate help memory`",
				    argv[optind]);
	if ((err = cg_options_check_source(&s->change, sources, "memory", "--staged, --base, --range, --all")) < 0)
		return err;
	if (a->should_push && (!a->ci.branch || !a->ci.remote))
		return cg_error_set(CG_E_USAGE, "memory: --push needs --branch and --remote");
	a->review.lessons = a->lessons;
	a->review.todos = a->todos;
	/* The token is read from the environment only, never from argv (which `ps` shows). */
	if ((err = cg_run_memory_forge(&a->ci.forge, a->token_env ? NULL : &a->ci.token, forge)) < 0)
		return err;
	if (a->token_env)
		a->ci.token = getenv(a->token_env);
	return 0;
}

static void print_result(const struct cg_memory_result *r)
{
	printf("outcome: %s\n", cg_memory_outcome_name(r->outcome));
	if (*r->commit)
		printf("commit: %s\n", r->commit);
	if (r->attempts)
		printf("attempts: %u\n", r->attempts);
	if (*r->reason)
		printf("reason: %s\n", r->reason);
	if (r->diff.size) {
		printf("diff:\n");
		fwrite(r->diff.ptr, 1, r->diff.size, stdout);
	}
	fflush(stdout);
}

int cmd_memory(int argc, char **argv)
{
	struct cg_run_settings settings = CG_RUN_SETTINGS_INIT;
	struct memory_args a;
	struct cg_memory_result r;
	struct cg_run run;
	bool is_help;
	int err, status = CG_EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	cg_run_init(&run, cg_globals.repo, cg_globals.cfg, &settings);
	cg_memory_result_init(&r);
	if (argc < 2 || strcmp(argv[1], "update")) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			cg_command_usage(cg_command_find("memory"), false);
			status = CG_EXIT_CLEAN;
		} else {
			cg_err("memory: expected `crabgate memory update [options]`; see `crabgate help memory`");
		}
		goto done;
	}
	if ((err = cg_run_settings_from_config(&settings, cg_globals.cfg)) < 0 ||
	    (err = parse(&a, &settings, &is_help, argc - 1, argv + 1)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	if (is_help) {
		status = CG_EXIT_CLEAN;
		goto done;
	}
	/* The rules run for their findings only: no report is written. */
	if ((err = cg_run_local(&run)) < 0)
		goto failed;
	if (a.should_push || a.ci.is_fork) {
		if (!run.change.head[0]) {
			err = cg_error_set(CG_E_USAGE, "memory: --push and --fork need a change with a head commit "
						       "(--base REF [--head REF] or --range)");
			goto failed;
		}
		a.ci.head_sha = run.change.head;
		err = cg_run_remember(&r, &run, &a.review, &a.ci);
	} else {
		err = cg_run_remember(&r, &run, &a.review, NULL);
	}
	if (err == 0 || r.outcome == CG_MEMORY_REJECTED)
		print_result(&r);
	if (err == 0) {
		cg_memory_result_log(&r);
		status = CG_EXIT_CLEAN;
		goto done;
	}
failed:
	cg_err("%s", cg_error_last());
	status = cg_error_exit_status(err);
done:
	cg_memory_result_release(&r);
	cg_run_release(&run);
	free(a.lessons);
	free(a.todos);
	return status;
}
