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
#include "cmd/pipeline.h"
#include "memory/memory.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

enum {
	OPT_STAGED = 256,
	OPT_BASE,
	OPT_HEAD,
	OPT_RANGE,
	OPT_ALL,
	OPT_PR,
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
	{ "staged", no_argument, NULL, OPT_STAGED },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "head", required_argument, NULL, OPT_HEAD },
	{ "range", required_argument, NULL, OPT_RANGE },
	{ "all", no_argument, NULL, OPT_ALL },
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

static int parse(struct memory_args *a, struct cg_pipeline_opts *opts, int argc, char **argv)
{
	int c, sources = 0;
	long n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_STAGED:
			opts->change.source = CG_SOURCE_STAGED;
			sources++;
			break;
		case OPT_BASE:
			opts->change.source = CG_SOURCE_RANGE;
			opts->change.base = optarg;
			sources++;
			break;
		case OPT_HEAD:
			opts->change.head = optarg;
			break;
		case OPT_RANGE:
			opts->change.source = CG_SOURCE_RANGE;
			opts->change.range = optarg;
			sources++;
			break;
		case OPT_ALL:
			opts->change.source = CG_SOURCE_ALL;
			sources++;
			break;
		case OPT_PR:
			if (cg_parse_long(&n, optarg, 1, 1000000000L) < 0)
				return cg_error_set(CG_E_USAGE, "memory: --pr '%s': expected a positive number",
						    optarg);
			a->ci.pr_number = n;
			break;
		case OPT_FORGE:
			if (!strcmp(optarg, "github"))
				a->ci.forge = CG_MEMORY_FORGE_GITHUB;
			else if (!strcmp(optarg, "gitlab"))
				a->ci.forge = CG_MEMORY_FORGE_GITLAB;
			else
				return cg_error_set(CG_E_USAGE, "memory: --forge '%s': expected github or gitlab",
						    optarg);
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
			return 1;
		default:
			return cg_error_set(CG_E_USAGE, "memory: unknown option '%s'; see `crabgate help memory`",
					    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cg_error_set(CG_E_USAGE, "memory: unexpected argument '%s'; see `crabgate help memory`",
				    argv[optind]);
	if (sources > 1)
		return cg_error_set(CG_E_USAGE, "memory: choose one of --staged, --base, --range, --all");
	if (opts->change.head && !opts->change.base)
		return cg_error_set(CG_E_USAGE, "memory: --head goes with --base");
	if (a->should_push && (!a->ci.branch || !a->ci.remote))
		return cg_error_set(CG_E_USAGE, "memory: --push needs --branch and --remote");
	a->review.lessons = a->lessons;
	a->review.todos = a->todos;
	return 0;
}

/* The token is read from the environment only, never from argv (which `ps` shows). */
static const char *token_from_env(const struct memory_args *a)
{
	const char *const github[] = { "CRABGATE_GITHUB_TOKEN", "GITHUB_TOKEN" };
	const char *const gitlab[] = { "CRABGATE_GITLAB_TOKEN", "GITLAB_TOKEN" };
	const char *const *names = a->ci.forge == CG_MEMORY_FORGE_GITLAB ? gitlab : github;
	if (a->token_env)
		return getenv(a->token_env);
	for (int i = 0; i < 2; i++) {
		const char *v = getenv(names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
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
	struct cg_pipeline_opts opts = { .change = CG_CHANGE_OPTS_INIT };
	struct memory_args a;
	struct cg_memory_result r;
	struct cg_pipeline p;
	bool has_pipeline = false;
	int err, status = CG_EXIT_USAGE;

	memset(&a, 0, sizeof(a));
	memset(&p, 0, sizeof(p));
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
	if ((err = cg_pipeline_opts_from_config(&opts, cg_globals.cfg)) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	err = parse(&a, &opts, argc - 1, argv + 1);
	if (err == 1) {
		status = CG_EXIT_CLEAN;
		goto done;
	}
	if (err < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	/* The rules run for their findings only: no report is written. */
	has_pipeline = true;
	if ((err = cg_pipeline_run(&p, cg_globals.repo, cg_globals.cfg, &opts)) < 0)
		goto failed;
	if (a.should_push || a.ci.is_fork) {
		if (!p.change.head[0]) {
			err = cg_error_set(CG_E_USAGE, "memory: --push and --fork need a change with a head commit "
						       "(--base REF [--head REF] or --range)");
			goto failed;
		}
		a.ci.head_sha = p.change.head;
		a.ci.token = token_from_env(&a);
		err = cg_memory_update_ci(&r, cg_globals.repo, cg_globals.cfg, &p.change, &p.findings, &a.review,
					  &a.ci);
	} else {
		err = cg_memory_update_local(&r, cg_globals.repo, cg_globals.cfg, &p.change, &p.findings, &a.review, 0);
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
	if (has_pipeline)
		cg_pipeline_release(&p);
	free(a.lessons);
	free(a.todos);
	return status;
}
