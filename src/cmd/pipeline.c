#include "cmd/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory/memory.h"
#include "report/report.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#ifndef CG_VERSION
#define CG_VERSION "0.0.0"
#endif

int cg_pipeline_parse_fail_level(enum cg_severity *out, const char *name)
{
	if (!strcmp(name, "never")) {
		*out = CG_SEV_OFF;
		return 0;
	}
	if (!strcmp(name, "off") || cg_severity_parse(out, name) < 0)
		return cg_error_set(CG_E_USAGE, "fail level '%s': expected one of error, warning, note, never", name);
	return 0;
}

int cg_pipeline_opts_from_config(struct cg_pipeline_opts *opts, const struct cg_config *cfg)
{
	const struct cg_conf_node *root = cfg->root;
	const char *color = cg_conf_str(cg_conf_child(root, "output"), "color", "auto");
	long jobs, max_bytes;
	int err;

	if ((err = cg_pipeline_parse_fail_level(&opts->fail_level, cg_conf_str(root, "fail_level", "error"))) < 0 ||
	    (err = cg_filter_parse(&opts->pass.filter, cg_conf_str(root, "filter", "added"))) < 0)
		return cg_error_set(CG_E_CONFIG, "config: %s", cg_error_last());
	opts->color = !strcmp(color, "always") ? 1 : !strcmp(color, "never") ? 0 : -1;
	jobs = cg_conf_int(root, "jobs", 0);
	if (jobs < 0 || jobs > 64)
		return cg_error_set(CG_E_CONFIG, "%s:%u: jobs: expected a whole number from 0 to 64, found '%ld'",
				    cg_conf_child(root, "jobs")->file, cg_conf_child(root, "jobs")->line, jobs);
	opts->pass.jobs = (unsigned)jobs;
	max_bytes = cg_conf_int(root, "max_file_bytes", 0);
	if (max_bytes < 0)
		return cg_error_set(CG_E_CONFIG,
				    "%s:%u: max_file_bytes: expected 0 (no limit) or a size in bytes, found '%ld'",
				    cg_conf_child(root, "max_file_bytes")->file,
				    cg_conf_child(root, "max_file_bytes")->line, max_bytes);
	opts->pass.max_file_bytes = (size_t)max_bytes;
	opts->change.max_file_bytes = (uint64_t)max_bytes;
	if (!opts->pass.baseline_path) {
		const char *b = cg_conf_str(root, "baseline", "");
		opts->pass.baseline_path = *b ? b : NULL;
		opts->is_baseline_from_config = *b != '\0';
	}
	return 0;
}

static bool is_stdout(const char *path)
{
	return !path || !strcmp(path, "-");
}

bool cg_pipeline_has_stdout_output(const struct cg_pipeline_opts *opts)
{
	for (size_t i = 0; i < opts->noutputs; i++)
		if (is_stdout(opts->outputs[i].path))
			return true;
	return false;
}

/* How the user spelled an output, for messages: "--format F", "--output F=PATH", "--output PATH". */
static void describe_output(struct cg_buf *out, const struct cg_output *o)
{
	cg_buf_truncate(out, 0);
	if (!o->path)
		cg_buf_printf(out, "--format %s", o->format);
	else
		cg_buf_printf(out, "--output %s=%s", o->format, o->path);
}

int cg_pipeline_check_outputs(const struct cg_pipeline_opts *opts)
{
	struct cg_buf a = CG_BUF_INIT, b = CG_BUF_INIT;
	struct stat st;
	int err = 0;

	for (size_t i = 0; i < opts->noutputs && !err; i++) {
		const struct cg_output *o = &opts->outputs[i];
		describe_output(&a, o);
		if (!cg_reporter_find(o->format)) {
			struct cg_buf names = CG_BUF_INIT;
			for (size_t k = 0; k < cg_nreporters; k++)
				cg_buf_printf(&names, "%s%s", k ? ", " : "", cg_reporters[k]->name);
			err = cg_error_set(CG_E_USAGE, "%s: unknown format '%s'; expected one of %s", a.ptr, o->format,
					   names.ptr);
			cg_buf_release(&names);
		} else if (o->path && !*o->path) {
			err = cg_error_set(CG_E_USAGE, "%s: no file after '='; write --output %s=FILE", a.ptr,
					   o->format);
		} else if (o->path && stat(o->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			err = cg_error_set(CG_E_USAGE, "%s: %s is a folder; name a file in it", a.ptr, o->path);
		}
		for (size_t j = 0; j < i && !err; j++) {
			const struct cg_output *p = &opts->outputs[j];
			bool is_same = is_stdout(o->path) ? is_stdout(p->path)
							  : !is_stdout(p->path) && !strcmp(o->path, p->path);
			if (!is_same)
				continue;
			describe_output(&b, p);
			err = cg_error_set(CG_E_USAGE, "%s and %s both write to %s; give each report its own file",
					   b.ptr, a.ptr, is_stdout(o->path) ? "standard output" : o->path);
		}
	}
	if (!err && opts->summary_path && !*opts->summary_path)
		err = cg_error_set(CG_E_USAGE, "--summary: expected a file name");
	cg_buf_release(&a);
	cg_buf_release(&b);
	return err;
}

/* --color always/never win over the environment; auto honours NO_COLOR and TERM=dumb. */
static bool use_color(int setting, const char *path)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (setting >= 0)
		return setting == 1;
	if (no && *no)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	if (!is_stdout(path))
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

/* The terminal's width for the text report's code frames, 0 when not a terminal. */
static int term_width(const char *path)
{
	struct winsize ws;
	if (!is_stdout(path) || isatty(STDOUT_FILENO) != 1 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return 0;
	return ws.ws_col;
}

static int write_summary(const struct cg_report_input *in, const struct cg_pipeline_opts *opts)
{
	const struct cg_reporter *md = cg_reporter_find("markdown");
	struct cg_buf out = CG_BUF_INIT;
	int err;

	if (!md)
		return cg_error_set(CG_E_USAGE, "no markdown reporter in this build");
	if ((err = md->write(&out, in)) == 0)
		err = opts->summary_append ? cg_report_append(&out, opts->summary_path)
					   : cg_report_emit(&out, opts->summary_path);
	cg_buf_release(&out);
	return err;
}

/* The end of the flow: the memory files learn from this change (check --update-memory). */
static int update_memory(struct cg_pipeline *p, git_repository *repo, const struct cg_config *cfg)
{
	const struct cg_memory_review review = { p->review.summary, (const char *const *)p->review.lessons,
						 p->review.nlessons, (const char *const *)p->review.todos,
						 p->review.ntodos };
	struct cg_memory_result r;
	int err = cg_memory_update_local(&r, repo, cfg, &p->change, &p->findings, &review, 0);
	if (!err)
		cg_memory_result_log(&r);
	cg_memory_result_release(&r);
	return err;
}

/* The registry as reports describe it: they know findings, not the rule framework. */
static struct cg_report_rule *report_rules(void)
{
	struct cg_report_rule *out = cg_calloc(cg_nrules + 1, sizeof(*out));
	for (size_t i = 0; i < cg_nrules; i++)
		out[i] = (struct cg_report_rule){ cg_rules[i]->id, cg_rules[i]->summary, cg_rules[i]->explain,
						  cg_rules[i]->default_severity };
	return out;
}

/* Visible findings of the rules by severity: model comments never decide the exit status. */
static void rule_counts(const struct cg_findings *list, size_t counts[CG_SEV_COUNT])
{
	memset(counts, 0, CG_SEV_COUNT * sizeof(*counts));
	for (size_t i = 0; i < list->len; i++) {
		const struct cg_finding *f = &list->items[i];
		if (f->origin == CG_ORIGIN_RULES && cg_finding_is_visible(f) && f->severity < CG_SEV_COUNT)
			counts[f->severity]++;
	}
}

int cg_pipeline_run(struct cg_pipeline *p, git_repository *repo, const struct cg_config *cfg,
		    const struct cg_pipeline_opts *opts)
{
	struct cg_report_skipped *skipped = NULL;
	struct cg_report_rule *rules = NULL;
	struct cg_report_input in = { 0 };
	struct cg_pass_opts pass;
	struct cg_review_opts review;
	struct cg_buf baseline = CG_BUF_INIT;
	size_t counts[CG_SEV_COUNT];
	int err;

	memset(p, 0, sizeof(*p));
	if ((err = cg_pipeline_check_outputs(opts)) < 0 || (err = cg_change_load(&p->change, repo, &opts->change)) < 0)
		goto done;
	cg_change_keep_shard(&p->change, opts->shard_index, opts->shard_count);
	pass = opts->pass;
	if (opts->is_baseline_from_config && pass.baseline_path && pass.baseline_path[0] != '/' &&
	    git_repository_workdir(repo)) {
		/* `baseline:` in .crabgate.yaml names a file of the repository, wherever crabgate runs. */
		cg_buf_printf(&baseline, "%s%s", git_repository_workdir(repo), pass.baseline_path);
		pass.baseline_path = baseline.ptr;
	}
	if ((err = cg_rules_run(&p->findings, &p->stats, &p->change, cfg, &pass)) < 0)
		goto done;
	/* The model review adds findings of origin review; its failures are notes, not errors. */
	review = opts->review;
	for (size_t i = 0; i < opts->noutputs; i++)
		if (!strcmp(opts->outputs[i].format, "text") && is_stdout(opts->outputs[i].path))
			review.is_noted_on_terminal = true;
	if ((err = cg_review_run(&p->review, &p->findings, &p->change, cfg, &review)) < 0)
		goto done;

	skipped = calloc(p->stats.nskipped + 1, sizeof(*skipped));
	if (!skipped)
		abort();
	for (size_t i = 0; i < p->stats.nskipped; i++) {
		skipped[i].path = p->stats.skipped[i].path;
		skipped[i].reason = p->stats.skipped[i].reason;
	}
	in.tool_version = CG_VERSION;
	in.source = cg_change_source_name(p->change.source);
	in.base = p->change.base;
	in.head = p->change.head;
	in.files = p->change.nfiles;
	in.findings = &p->findings;
	in.rules = rules = report_rules();
	in.nrules = cg_nrules;
	in.skipped = skipped;
	in.nskipped = p->stats.nskipped;
	in.link_base = opts->link_base;
	in.review_summary = p->review.summary;
	in.notes = (const char *const *)p->review.notes;
	in.nnotes = p->review.nnotes;
	for (size_t i = 0; i < opts->noutputs; i++) {
		const struct cg_reporter *r = cg_reporter_find(opts->outputs[i].format); /* checked above */
		struct cg_buf out = CG_BUF_INIT;
		in.color = use_color(opts->color, opts->outputs[i].path);
		in.width = term_width(opts->outputs[i].path);
		cg_report_stream(&out, opts->outputs[i].path);
		err = r->write(&out, &in);
		if (!err)
			err = cg_report_emit(&out, opts->outputs[i].path);
		cg_buf_release(&out);
		if (err < 0)
			goto done;
	}
	in.color = false;
	in.width = 0;
	if (opts->summary_path && (err = write_summary(&in, opts)) < 0)
		goto done;
	rule_counts(&p->findings, counts);
	p->exit_status = 0;
	if (opts->fail_level != CG_SEV_OFF)
		for (int s = opts->fail_level; s <= CG_SEV_ERROR; s++)
			if (counts[s])
				p->exit_status = 1;
	if (p->review.should_fail_run)
		p->exit_status = CG_EXIT_RUNTIME; /* review.required: a failed review fails the run */
	if (opts->update_memory)
		err = update_memory(p, repo, cfg);
done:
	free(skipped);
	free(rules);
	cg_buf_release(&baseline);
	return err;
}

void cg_pipeline_release(struct cg_pipeline *p)
{
	cg_findings_release(&p->findings);
	cg_pass_stats_release(&p->stats);
	cg_review_result_release(&p->review);
	cg_change_release(&p->change);
}
