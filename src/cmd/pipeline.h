#ifndef CG_CMD_PIPELINE_H
#define CG_CMD_PIPELINE_H

#include <git2.h>
#include <stdbool.h>

#include "change/change.h"
#include "config/config.h"
#include "finding/finding.h"
#include "rules/rule.h"
#include "review/review.h"

/*
 * The one-way flow every checking command shares: change -> rules ->
 * findings -> reports. `check`, `baseline`, `demo` and `ci` drive it with
 * different options.
 */
#define CG_MAX_OUTPUTS 8

struct cg_output {
	const char *format; /* a reporter name */
	const char *path;   /* NULL or "-" = stdout */
};

struct cg_pipeline_opts {
	struct cg_change_opts change;
	struct cg_pass_opts pass;
	enum cg_severity fail_level;		      /* CG_SEV_OFF = never fail */
	struct cg_output outputs[CG_MAX_OUTPUTS + 1]; /* the --output files, then standard output's */
	size_t noutputs;
	int color; /* -1 auto, 0 never, 1 always */
	/*
	 * The markdown job summary: written to summary_path (check --summary
	 * FILE), or appended to it when summary_append is set (ci sets both for
	 * $GITHUB_STEP_SUMMARY, so other steps' summaries stay). NULL: none.
	 */
	const char *summary_path;
	bool summary_append;
	/* Base URL the summary links lines under (report.h: link_base), or NULL. */
	const char *link_base;
	unsigned shard_index, shard_count; /* --shard i/n; count 0 = no sharding */
	bool is_baseline_from_config;	   /* then a relative path is relative to the work tree */
	/*
	 * --update-memory: cg_pipeline_run ends with the local memory update
	 * (memory.mode stage or commit, src/memory/memory.h). ci, which pushes,
	 * clears it before running and calls cg_memory_update_ci itself.
	 */
	bool update_memory;
	/*
	 * The model review, after the rules: check leaves it off unless
	 * --review; ci sets mode CG_REVIEW_AUTO (on when a provider is configured
	 * or found, cg_review_is_available) before parsing, so --no-review wins.
	 */
	struct cg_review_opts review;
};

struct cg_pipeline {
	struct cg_change change;
	struct cg_findings findings;
	struct cg_pass_stats stats;
	struct cg_review_result review; /* summary, lessons, todos, notes; zero when off */
	int exit_status;
};

/* Fills defaults from config (fail_level, filter, color). */
int cg_pipeline_opts_from_config(struct cg_pipeline_opts *opts, const struct cg_config *cfg);
/*
 * Reads the change, runs the rules (and the review when asked), writes every
 * output. Returns 0 and sets p->exit_status (0 or 1 from the rules' findings
 * only; 3 when review.required and the review failed), or a negative error
 * (the caller maps it to 2/3).
 */
int cg_pipeline_run(struct cg_pipeline *p, git_repository *repo, const struct cg_config *cfg,
		    const struct cg_pipeline_opts *opts);
void cg_pipeline_release(struct cg_pipeline *p);

/* Whether one of opts->outputs goes to standard output (path NULL or "-"). */
bool cg_pipeline_has_stdout_output(const struct cg_pipeline_opts *opts);
/*
 * CG_E_USAGE, naming the option, for an output that cannot be written: an
 * unknown format, an empty or folder path, two reports to one file or to
 * standard output. cg_pipeline_run checks again before reading the change.
 */
int cg_pipeline_check_outputs(const struct cg_pipeline_opts *opts);

/* error|warning|note|never into a severity (never = CG_SEV_OFF). */
int cg_pipeline_parse_fail_level(enum cg_severity *out, const char *name);
/*
 * Parses the options every checking command shares (sources, formats,
 * outputs, fail level, filter, baseline, colour). Returns 0, 1 when help was
 * printed, or CG_E_USAGE. argv strings may be modified (FORMAT=FILE).
 */
int cg_check_parse_args(struct cg_pipeline_opts *opts, int argc, char **argv, const char *cmd_name);

#endif
