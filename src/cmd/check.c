#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

enum {
	OPT_FORMAT = CG_OPT_OWN,
	OPT_OUTPUT,
	OPT_FAIL_LEVEL,
	OPT_FILTER,
	OPT_BASELINE,
	OPT_COLOR,
	OPT_SUMMARY,
	OPT_SHARD,
	OPT_JOBS,
	OPT_UPDATE_MEMORY,
	OPT_REVIEW,
	OPT_NO_REVIEW,
	OPT_NO_CACHE,
	OPT_RULE,
	OPT_SKIP_RULE,
	OPT_SEVERITY_OVERRIDE,
};

static const struct option long_opts[] = {
	{ "staged", no_argument, NULL, CG_OPT_STAGED },
	{ "base", required_argument, NULL, CG_OPT_BASE },
	{ "head", required_argument, NULL, CG_OPT_HEAD },
	{ "range", required_argument, NULL, CG_OPT_RANGE },
	{ "diff", required_argument, NULL, CG_OPT_DIFF },
	{ "all", no_argument, NULL, CG_OPT_ALL },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "fail-level", required_argument, NULL, OPT_FAIL_LEVEL },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "summary", required_argument, NULL, OPT_SUMMARY },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "update-memory", no_argument, NULL, OPT_UPDATE_MEMORY },
	{ "review", no_argument, NULL, OPT_REVIEW },
	{ "no-review", no_argument, NULL, OPT_NO_REVIEW },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "rule", required_argument, NULL, OPT_RULE },
	{ "skip-rule", required_argument, NULL, OPT_SKIP_RULE },
	{ "severity-override", required_argument, NULL, OPT_SEVERITY_OVERRIDE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --rule, --skip-rule, --severity-override: per rule of the registry, what the command line says. */
struct rule_choice {
	bool has_only;	    /* a --rule: only the named rules run */
	char *state;	    /* per rule: 0 unsaid, 'r' named by --rule, 's' by --skip-rule */
	const char **level; /* per rule: --severity-override's level, or NULL */
};

/* The registry index of `id`; CG_E_USAGE naming the option when it is no rule, with the ids it may have meant. */
static int rule_index(size_t *out, const char *option, const char *id)
{
	struct cg_buf msg = CG_BUF_INIT;
	int err;
	for (size_t i = 0; i < cg_nrules; i++)
		if (!strcmp(cg_rules[i]->id, id)) {
			*out = i;
			return 0;
		}
	cg_options_did_you_mean(&msg, id);
	err = cg_error_set(CG_E_USAGE, "%s %s: no such rule%s", option, id, msg.ptr);
	cg_buf_release(&msg);
	return err;
}

static int take_rule_choice(struct rule_choice *rc, int c, char *arg)
{
	enum cg_severity sev;
	size_t i = 0;
	char *eq;
	int err;

	if (c == OPT_RULE || c == OPT_SKIP_RULE) {
		if ((err = rule_index(&i, c == OPT_RULE ? "--rule" : "--skip-rule", arg)) < 0)
			return err;
		/* --skip-rule wins over --rule, whichever comes first. */
		if (rc->state[i] != 's')
			rc->state[i] = c == OPT_RULE ? 'r' : 's';
		rc->has_only |= c == OPT_RULE;
		return 0;
	}
	eq = strchr(arg, '=');
	if (!eq)
		return cg_error_set(CG_E_USAGE, "--severity-override %s: expected RULE=LEVEL, e.g. missing-bench=error",
				    arg);
	*eq = '\0';
	if ((err = rule_index(&i, "--severity-override", arg)) < 0)
		return err;
	if (cg_severity_parse(&sev, eq + 1) < 0)
		return cg_error_set(CG_E_USAGE,
				    "--severity-override %s=%s: expected a level of error, warning, note or off", arg,
				    eq + 1);
	rc->level[i] = cg_severity_name(sev);
	return 0;
}

/*
 * The choices merged over the configuration, as if the project's file said
 * them: with --rule only the named rules run (on even when off by default),
 * --skip-rule turns a rule off, --severity-override sets its level.
 */
static int apply_rule_choice(const struct rule_choice *rc)
{
	struct cg_buf yaml = CG_BUF_INIT;
	bool is_said = false;
	int err = 0;

	cg_buf_puts(&yaml, "rules:\n");
	for (size_t i = 0; i < cg_nrules; i++) {
		const char *enabled = rc->state[i] == 's'   ? "false"
				      : rc->state[i] == 'r' ? "true"
				      : rc->has_only	    ? "false"
							    : NULL;
		if (!enabled && !rc->level[i])
			continue;
		is_said = true;
		cg_buf_printf(&yaml, "  %s:\n", cg_rules[i]->id);
		if (enabled)
			cg_buf_printf(&yaml, "    enabled: %s\n", enabled);
		if (rc->level[i])
			cg_buf_printf(&yaml, "    severity: %s\n", rc->level[i]);
	}
	if (is_said)
		err = cg_config_merge_text(cg_globals.cfg, "the command line", yaml.ptr, yaml.size);
	cg_buf_release(&yaml);
	return err;
}

static int parse_args(struct cg_run_settings *s, bool *is_help, int argc, char **argv, const char *cmd_name,
		      struct rule_choice *rc)
{
	const char *stdout_format = NULL, *stdout_path = NULL;
	unsigned sources = 0;
	int c, err;

	*is_help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (cg_options_take_source(&s->change, &sources, c, optarg))
			continue;
		switch (c) {
		case OPT_FORMAT:
			stdout_format = optarg;
			break;
		case OPT_OUTPUT: {
			const char *eq = strchr(optarg, '=');
			if (eq && eq != optarg) {
				if (s->noutputs == CG_RUN_MAX_OUTPUTS)
					return cg_error_set(CG_E_USAGE, "too many --output options (at most %d)",
							    CG_RUN_MAX_OUTPUTS);
				/* FORMAT=FILE: the format name is cut off in place. */
				*(char *)eq = '\0';
				s->outputs[s->noutputs].format = optarg;
				s->outputs[s->noutputs].path = eq + 1;
				s->noutputs++;
			} else {
				stdout_path = optarg;
			}
			break;
		}
		case OPT_FAIL_LEVEL:
			if (cg_run_parse_fail_level(&s->fail_level, optarg) < 0)
				return CG_E_USAGE;
			break;
		case OPT_FILTER:
			if (cg_filter_parse(&s->pass.filter, optarg) < 0)
				return CG_E_USAGE;
			break;
		case OPT_BASELINE:
			s->pass.baseline_path = optarg;
			s->is_baseline_from_config = false;
			break;
		case OPT_COLOR:
			if (!strcmp(optarg, "always"))
				s->color = 1;
			else if (!strcmp(optarg, "never"))
				s->color = 0;
			else if (!strcmp(optarg, "auto"))
				s->color = -1;
			else
				return cg_error_set(CG_E_USAGE, "--color '%s': expected auto, always or never", optarg);
			break;
		case OPT_JOBS: {
			long n;
			if (cg_parse_long(&n, optarg, 1, 64) < 0)
				return cg_error_set(CG_E_USAGE, "--jobs '%s': expected a whole number from 1 to 64",
						    optarg);
			s->pass.jobs = (unsigned)n;
			break;
		}
		case OPT_SHARD: {
			const char *slash = strchr(optarg, '/');
			char idx[16];
			long i = 0, n = 0;
			if (!slash || (size_t)(slash - optarg) >= sizeof(idx))
				return cg_error_set(CG_E_USAGE, "--shard '%s': expected I/N, e.g. 2/4", optarg);
			memcpy(idx, optarg, (size_t)(slash - optarg));
			idx[slash - optarg] = '\0';
			if (cg_parse_long(&n, slash + 1, 1, 1024) < 0 || cg_parse_long(&i, idx, 1, n) < 0)
				return cg_error_set(CG_E_USAGE, "--shard '%s': expected I/N with 1 <= I <= N <= 1024",
						    optarg);
			s->shard_index = (unsigned)i;
			s->shard_count = (unsigned)n;
			break;
		}
		case OPT_SUMMARY:
			s->summary_path = optarg;
			break;
		case OPT_REVIEW:
			s->review.mode = CG_REVIEW_ON;
			break;
		case OPT_NO_REVIEW:
			s->review.mode = CG_REVIEW_OFF;
			break;
		case OPT_NO_CACHE:
			s->review.skip_cache = true;
			s->pass.is_cache_used = false;
			break;
		case OPT_UPDATE_MEMORY:
			s->update_memory = true;
			break;
		case OPT_RULE:
		case OPT_SKIP_RULE:
		case OPT_SEVERITY_OVERRIDE:
			if ((err = take_rule_choice(rc, c, optarg)) < 0)
				return err;
			break;
		case 'h':
			cg_command_usage(cg_command_find(cmd_name), false);
			*is_help = true;
			return 0;
		default:
			return cg_error_set(CG_E_USAGE, "%s: unknown option '%s'; see `crabgate help %s`", cmd_name,
					    argv[optind - 1], cmd_name);
		}
	}
	if (optind < argc && strcmp(cmd_name, "check"))
		return cg_error_set(CG_E_USAGE, "%s: unexpected argument '%s'; see `crabgate help %s`", cmd_name,
				    argv[optind], cmd_name);
	if ((err = cg_options_check_source(&s->change, sources, cmd_name, "--staged, --base, --range, --diff, --all")) <
	    0)
		return err;
	s->change.paths = argv + optind;
	s->change.npaths = (size_t)(argc - optind);
	/*
	 * --output FORMAT=FILE writes more: the terminal report stays, unless
	 * something else goes to standard output or -q asks for silence.
	 */
	if (stdout_format || stdout_path || (cg_log_get_level() != CG_LOG_QUIET && !cg_run_has_stdout_output(s))) {
		/* The stdout report comes last, so the files are written even if stdout fails. */
		s->outputs[s->noutputs].format = stdout_format ? stdout_format : "text";
		s->outputs[s->noutputs].path = stdout_path;
		s->noutputs++;
	}
	/* Before any work: a typo must not cost a rule pass and a paid model review first. */
	return cg_run_settings_check(s);
}

int cg_check_parse_args(struct cg_run_settings *s, bool *is_help, int argc, char **argv, const char *cmd_name)
{
	struct rule_choice rc = { false, cg_calloc(cg_nrules + 1, 1), cg_calloc(cg_nrules + 1, sizeof(*rc.level)) };
	int err = parse_args(s, is_help, argc, argv, cmd_name, &rc);

	if (!err && !*is_help)
		err = apply_rule_choice(&rc);
	free(rc.state);
	free(rc.level);
	return err;
}

/* Appends the path `name` to `out`, folding "." and ".." segments; -1 when it leaves the root. */
static int join_path(struct cg_buf *out, const char *name)
{
	while (*name) {
		const char *end = strchr(name, '/');
		size_t len = end ? (size_t)(end - name) : strlen(name);
		if (len == 2 && !strncmp(name, "..", 2)) {
			char *slash = strrchr(out->ptr, '/');
			if (!out->size)
				return -1;
			cg_buf_truncate(out, slash ? (size_t)(slash - out->ptr) : 0);
		} else if (len && !(len == 1 && name[0] == '.')) {
			if (out->size)
				cg_buf_putc(out, '/');
			cg_buf_put(out, name, len);
		}
		name += len + (end != NULL);
	}
	return 0;
}

/*
 * The FILEs of `check -- FILE...` as paths from the work tree's root, into
 * `out` (owned by the caller, each entry and the array). Hook managers run
 * at the root; a person may type them from a subfolder.
 */
static int root_relative(char ***out, char *const *names, size_t n)
{
	struct cg_buf here = CG_BUF_INIT, path = CG_BUF_INIT;
	char *cwd = realpath(".", NULL);
	char *root = cg_globals.workdir ? realpath(cg_globals.workdir, NULL) : NULL;
	size_t root_len = root ? strlen(root) : 0;
	int err = 0;

	*out = cg_calloc(n ? n : 1, sizeof(**out));
	if (!cwd || !root) {
		err = cg_error_set(CG_E_INPUT, "file names need a work tree to be relative to");
		goto done;
	}
	/* Where we are, from the root: "" at the root itself. */
	if (!strncmp(cwd, root, root_len) && cwd[root_len] == '/')
		cg_buf_puts(&here, cwd + root_len + 1);
	for (size_t i = 0; i < n; i++) {
		const char *name = names[i];
		cg_buf_truncate(&path, 0);
		if (name[0] == '/') {
			if (strncmp(name, root, root_len) || name[root_len] != '/') {
				err = cg_error_set(CG_E_USAGE, "'%s' is outside the work tree %s", name, root);
				goto done;
			}
			name += root_len + 1;
		} else {
			cg_buf_puts(&path, here.ptr);
		}
		if (join_path(&path, name) < 0) {
			err = cg_error_set(CG_E_USAGE, "'%s' is outside the work tree %s", names[i], root);
			goto done;
		}
		(*out)[i] = cg_buf_detach(&path, NULL);
	}
done:
	cg_buf_release(&here);
	cg_buf_release(&path);
	free(cwd);
	free(root);
	return err;
}

int cmd_check(int argc, char **argv)
{
	struct cg_run_settings settings = CG_RUN_SETTINGS_INIT;
	struct cg_run run;
	char **paths = NULL;
	bool is_help;
	int err, status;

	if ((err = cg_run_settings_from_config(&settings, cg_globals.cfg)) < 0 ||
	    (err = cg_check_parse_args(&settings, &is_help, argc, argv, "check")) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_USAGE;
	}
	if (is_help)
		return CG_EXIT_CLEAN;
	/* A whole tree takes long enough to want a sign of life; a hook's few files do not. */
	settings.is_progress_shown =
		settings.change.source == CG_SOURCE_ALL && isatty(STDERR_FILENO) && cg_log_get_level() != CG_LOG_QUIET;
	cg_run_init(&run, cg_globals.repo, cg_globals.cfg, &settings);
	if (settings.change.npaths) {
		if ((err = root_relative(&paths, settings.change.paths, settings.change.npaths)) < 0) {
			cg_err("%s", cg_error_last());
			status = cg_error_exit_status(err);
			goto done;
		}
		settings.change.paths = paths;
	}
	err = cg_run_local(&run);
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	} else {
		status = run.exit_status;
	}
done:
	cg_run_release(&run);
	for (size_t i = 0; paths && i < settings.change.npaths; i++)
		free(paths[i]);
	free(paths);
	return status;
}
