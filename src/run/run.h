#ifndef CG_RUN_RUN_H
#define CG_RUN_RUN_H

#include <git2.h>
#include <stdbool.h>

#include "change/change.h"
#include "config/config.h"
#include "memory/memory.h"
#include "report/report.h"
#include "review/review.h"
#include "finding/finding.h"
#include "rules/rule.h"

struct cg_crate_cache; /* crate/workspace.h */

/*
 * One run of crabgate over a change, in the one-way order of DESIGN.md:
 * load the change, check it (the rules), review it (the model), report,
 * post (ci), remember (the memory files). Commands turn their options into
 * settings, have them validated before any work, and call the steps, or
 * cg_run_local / cg_run_ci which call them in order.
 */
#define CG_RUN_MAX_OUTPUTS 8

struct cg_run_output {
	const char *format; /* a reporter name */
	const char *path;   /* NULL or "-" = stdout */
};

struct cg_run_settings {
	struct cg_change_opts change;
	struct cg_pass_opts pass;
	enum cg_severity fail_level;			      /* CG_SEV_OFF = never fail */
	struct cg_run_output outputs[CG_RUN_MAX_OUTPUTS + 1]; /* the --output files, then standard output's */
	size_t noutputs;
	int color;			   /* -1 auto, 0 never, 1 always */
	const char *summary_path;	   /* the markdown job summary (check --summary FILE), or NULL */
	unsigned shard_index, shard_count; /* --shard i/n; count 0 = no sharding */
	bool is_baseline_from_config;	   /* then a relative path is relative to the work tree */
	double http_wait_scale;		   /* http.retry_wait_scale, for the review's and the forge's requests */
	/*
	 * --update-memory: cg_run_local ends with the local memory update
	 * (memory.mode stage or commit, src/memory/memory.h); cg_run_ci pushes
	 * instead when it posts to a pull/merge request of the CI.
	 */
	bool update_memory;
	/*
	 * Draw the rule pass's progress (files done of all, files a second) on
	 * standard error, in place, and clear it at the end: for long runs on a
	 * terminal (`check --all`); the command decides when.
	 */
	bool is_progress_shown;
	/*
	 * The model review, after the rules: check leaves it off unless
	 * --review; ci sets mode CG_REVIEW_AUTO (on when a provider is configured
	 * or found, cg_review_is_available) before parsing, so --no-review wins.
	 */
	struct cg_review_opts review;
};

/* Settings at their defaults, before cg_run_settings_from_config. */
#define CG_RUN_SETTINGS_INIT                                                                                           \
	{                                                                                                              \
		.change = CG_CHANGE_OPTS_INIT                                                                          \
	}

/* Fills defaults from config (fail level, filter, colour, jobs, file size cap, baseline). CG_E_CONFIG. */
int cg_run_settings_from_config(struct cg_run_settings *s, const struct cg_config *cfg);
/*
 * CG_E_USAGE, naming the option, for settings no run can carry out: an
 * unknown format, an empty or folder path, two reports to one file or to
 * standard output, an empty --summary. Called before any work: a typo must
 * not cost a rule pass and a paid model review first.
 */
int cg_run_settings_check(const struct cg_run_settings *s);
/* Whether one of s->outputs goes to standard output (path NULL or "-"). */
bool cg_run_has_stdout_output(const struct cg_run_settings *s);
/* error|warning|note|never into a severity (never = CG_SEV_OFF). CG_E_USAGE. */
int cg_run_parse_fail_level(enum cg_severity *out, const char *name);

struct cg_run {
	git_repository *repo;			/* borrowed */
	const struct cg_config *cfg;		/* borrowed */
	const struct cg_run_settings *settings; /* borrowed */
	struct cg_change change;
	struct cg_findings findings;
	struct cg_pass_stats stats;
	struct cg_review_result review; /* summary, lessons, todos, notes; zero when off */
	/* What the reports are made of, once the run reported (pointers into the run). */
	struct cg_report_input report;
	struct cg_report_skipped *skipped; /* owned */
	struct cg_report_rule *rules;	   /* owned: the registry as reports describe it */
	/* For reporters with needs_files (rustc-json): the files findings are in, read once. */
	struct cg_report_file *files; /* owned, sorted by path */
	size_t nfiles;
	char **kept; /* owned: texts of files read outside the change, names built for them */
	size_t nkept, kept_cap;
	char *here;		      /* owned: the current folder from the root (cg_report_input.here) */
	struct cg_crate_cache *cargo; /* owned: the packages those files belong to */
	int exit_status; /* 0 or 1 from the rules' findings; 3 when review.required and the review failed */
};

/* A run of `settings` over `repo` with `cfg` (all borrowed, outliving the run); no allocation. */
void cg_run_init(struct cg_run *run, git_repository *repo, const struct cg_config *cfg,
		 const struct cg_run_settings *settings);
void cg_run_release(struct cg_run *run);

/* The steps, in their order. Each returns 0 or a negative error (the caller maps it to 2/3). */
int cg_run_load_change(struct cg_run *run);
/* The rules over the change, with the baseline (`baseline:` in config is relative to the work tree). */
int cg_run_check(struct cg_run *run);
/* The model review adds findings of origin review; its failures are notes, not errors. */
int cg_run_review(struct cg_run *run);
/* Writes every output and the summary, and sets run->exit_status. */
int cg_run_report(struct cg_run *run);
/*
 * The memory files learn from this run: committed on ci->head_sha and
 * pushed when `ci` is given, else staged or committed as memory.mode says.
 * `review` stands in for the run's model review when not NULL. `out` is the
 * caller's (cg_memory_result_init before, _release after).
 */
int cg_run_remember(struct cg_memory_result *out, struct cg_run *run, const struct cg_memory_review *review,
		    const struct cg_memory_ci *ci);

/*
 * `crabgate baseline`: writes the fingerprints of the run's findings to
 * `path` atomically; *nwritten is how many findings were not suppressed.
 */
int cg_run_write_baseline(size_t *nwritten, const struct cg_run *run, const char *path);

/*
 * check, baseline, demo: validates the settings, then loads the change,
 * checks, reviews, reports and, with settings->update_memory, remembers.
 */
int cg_run_local(struct cg_run *run);

/* ---- fix.c: the findings' fixes, applied ---- */

struct cg_run_fix_settings {
	struct cg_run_settings run; /* the change, the pass, the fail level; no outputs */
	char *const *rules;	    /* --rule: only these rules' findings (borrowed); none: every rule's */
	size_t nrules;
	bool is_dry_run; /* print the diff, write nothing */
	bool is_unsafe;	 /* maybe-incorrect fixes too */
};

/*
 * `crabgate fix`: checks the change and applies the visible findings' fixes
 * (machine-applicable ones; maybe-incorrect ones too when is_unsafe; never
 * one with placeholders) to each
 * file whose work-tree text is the text checked: for --staged and --all the
 * index and the work tree, for a range the work tree only. A file with other
 * edits is left alone and named. Prints the unified diff of what it changed
 * on standard output, and returns the exit status: 0 applied or nothing to
 * apply, 1 when findings at or above the fail level remain unfixed, 2/3 on
 * errors (printed).
 */
int cg_run_fix(git_repository *repo, const struct cg_config *cfg, const struct cg_run_fix_settings *s);

/* ---- ci.c: the run in CI, which also posts ---- */

struct cg_run_ci_settings {
	struct cg_run_settings run;
	bool has_source;  /* the change comes from the command line, not from the CI */
	bool is_dry_run;  /* print what would be posted; read, never write */
	bool is_post_off; /* --no-post */
};

/*
 * `crabgate ci`: detects the forge's CI, checks the pull/merge request's
 * change (merge-base(base, head)..head), reports, posts the findings where
 * reviewers look, and pushes the memory files to the request's branch.
 * Prints what goes wrong and returns the process's exit status.
 */
int cg_run_ci(git_repository *repo, const struct cg_config *cfg, struct cg_run_ci_settings *s);

/*
 * The forge the memory commit names a request for (`memory update --forge`):
 * CG_E_USAGE naming the expected ones when `name` is none of cg_forges.
 * `token` (borrowed from the environment, or NULL) is that forge's API token.
 */
int cg_run_memory_forge(const struct cg_forge **out, const char **token, const char *name);

#endif
