#include "run/run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crate/cache.h"
#include "crate/workspace.h"
#include "net/http.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

int cg_run_parse_fail_level(enum cg_severity *out, const char *name)
{
	if (!strcmp(name, "never")) {
		*out = CG_SEV_OFF;
		return 0;
	}
	if (!strcmp(name, "off") || cg_severity_parse(out, name) < 0)
		return cg_error_set(CG_E_USAGE, "fail level '%s': expected one of error, warning, note, never", name);
	return 0;
}

int cg_run_settings_from_config(struct cg_run_settings *s, const struct cg_config *cfg)
{
	const struct cg_conf_node *root = cfg->root;
	const char *color = cg_conf_str(cg_conf_child(root, "output"), "color", "auto");
	long jobs, max_bytes;
	int err;

	if ((err = cg_run_parse_fail_level(&s->fail_level, cg_conf_str(root, "fail_level", "error"))) < 0 ||
	    (err = cg_filter_parse(&s->pass.filter, cg_conf_str(root, "filter", "added"))) < 0)
		return cg_error_set(CG_E_CONFIG, "config: %s", cg_error_last());
	s->color = !strcmp(color, "always") ? 1 : !strcmp(color, "never") ? 0 : -1;
	jobs = cg_conf_int(root, "jobs", 0);
	if (jobs < 0 || jobs > 64)
		return cg_error_set(CG_E_CONFIG, "%s:%u: jobs: expected a whole number from 0 to 64, found '%ld'",
				    cg_conf_child(root, "jobs")->file, cg_conf_child(root, "jobs")->line, jobs);
	s->pass.jobs = (unsigned)jobs;
	max_bytes = cg_conf_int(root, "max_file_bytes", 0);
	if (max_bytes < 0)
		return cg_error_set(CG_E_CONFIG,
				    "%s:%u: max_file_bytes: expected 0 (no limit) or a size in bytes, found '%ld'",
				    cg_conf_child(root, "max_file_bytes")->file,
				    cg_conf_child(root, "max_file_bytes")->line, max_bytes);
	s->pass.max_file_bytes = (size_t)max_bytes;
	if ((err = cg_http_wait_scale_from_config(&s->http_wait_scale, cfg)) < 0)
		return err;
	s->change.max_file_bytes = (uint64_t)max_bytes;
	{
		const struct cg_conf_node *cache = cg_conf_child(root, "cache");
		long cache_max = cg_conf_int(cache, "max_bytes", CG_DISK_CACHE_DEFAULT_MAX);
		if (cache_max < 0)
			return cg_error_set(CG_E_CONFIG,
					    "%s:%u: cache.max_bytes: expected a size in bytes, found '%ld'",
					    cg_conf_child(cache, "max_bytes")->file,
					    cg_conf_child(cache, "max_bytes")->line, cache_max);
		s->pass.is_cache_used = cg_conf_bool(cache, "enabled", true);
		s->pass.cache_max_bytes = (size_t)cache_max;
	}
	if (!s->pass.baseline_path) {
		const char *b = cg_conf_str(root, "baseline", "");
		s->pass.baseline_path = *b ? b : NULL;
		s->is_baseline_from_config = *b != '\0';
	}
	return 0;
}

static bool is_stdout(const char *path)
{
	return !path || !strcmp(path, "-");
}

bool cg_run_has_stdout_output(const struct cg_run_settings *s)
{
	for (size_t i = 0; i < s->noutputs; i++)
		if (is_stdout(s->outputs[i].path))
			return true;
	return false;
}

/* How the user spelled an output, for messages: "--format F", "--output F=PATH", "--output PATH". */
static void describe_output(struct cg_buf *out, const struct cg_run_output *o)
{
	cg_buf_truncate(out, 0);
	if (!o->path)
		cg_buf_printf(out, "--format %s", o->format);
	else
		cg_buf_printf(out, "--output %s=%s", o->format, o->path);
}

int cg_run_settings_check(const struct cg_run_settings *s)
{
	struct cg_buf a = CG_BUF_INIT, b = CG_BUF_INIT;
	struct stat st;
	int err = 0;

	for (size_t i = 0; i < s->noutputs && !err; i++) {
		const struct cg_run_output *o = &s->outputs[i];
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
			const struct cg_run_output *p = &s->outputs[j];
			bool is_same = is_stdout(o->path) ? is_stdout(p->path)
							  : !is_stdout(p->path) && !strcmp(o->path, p->path);
			if (!is_same)
				continue;
			describe_output(&b, p);
			err = cg_error_set(CG_E_USAGE, "%s and %s both write to %s; give each report its own file",
					   b.ptr, a.ptr, is_stdout(o->path) ? "standard output" : o->path);
		}
	}
	if (!err && s->summary_path && !*s->summary_path)
		err = cg_error_set(CG_E_USAGE, "--summary: expected a file name");
	cg_buf_release(&a);
	cg_buf_release(&b);
	return err;
}

void cg_run_init(struct cg_run *run, git_repository *repo, const struct cg_config *cfg,
		 const struct cg_run_settings *settings)
{
	memset(run, 0, sizeof(*run));
	run->repo = repo;
	run->cfg = cfg;
	run->settings = settings;
}

void cg_run_release(struct cg_run *run)
{
	cg_findings_release(&run->findings);
	cg_pass_stats_release(&run->stats);
	cg_review_result_release(&run->review);
	cg_change_release(&run->change);
	free(run->skipped);
	free(run->rules);
	free(run->files);
	free(run->here);
	for (size_t i = 0; i < run->nkept; i++)
		free(run->kept[i]);
	free(run->kept);
	cg_crate_cache_free(run->cargo);
	memset(run, 0, sizeof(*run));
}

int cg_run_load_change(struct cg_run *run)
{
	int err = cg_change_load(&run->change, run->repo, &run->settings->change);
	if (!err)
		cg_change_keep_shard(&run->change, run->settings->shard_index, run->settings->shard_count);
	return err;
}

/* The progress line: drawn at once, then at most every PROGRESS_PERIOD_NS, so it costs the pass nothing. */
#define PROGRESS_PERIOD_NS 100000000LL

struct progress {
	struct timespec start;
	long long last_ns; /* since start, of the last drawing; -1: none yet */
	size_t width;	   /* of the line drawn, to blank it */
};

static long long since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - start->tv_sec) * 1000000000LL + (now.tv_nsec - start->tv_nsec);
}

/* Overwrites the line, blanking what a longer one left: no escape sequences, so any terminal. */
static void progress_put(struct progress *p, const char *text, size_t len)
{
	fprintf(stderr, "\r%s%*s", text, (int)(p->width > len ? p->width - len : 0), "");
	p->width = len;
	fflush(stderr);
}

static void progress_draw(void *payload, size_t done, size_t total)
{
	struct progress *p = payload;
	long long ns = since(&p->start);
	char line[96];
	int n;

	if (p->last_ns >= 0 && ns - p->last_ns < PROGRESS_PERIOD_NS)
		return;
	p->last_ns = ns;
	n = snprintf(line, sizeof(line), "crabgate: %zu/%zu files, %.0f files/s", done, total,
		     ns > 0 ? (double)done * 1e9 / (double)ns : 0.0);
	progress_put(p, line, n > 0 ? (size_t)n : 0);
}

static void progress_clear(struct progress *p)
{
	if (p->last_ns < 0)
		return;
	fprintf(stderr, "\r%*s\r", (int)p->width, "");
	fflush(stderr);
}

int cg_run_check(struct cg_run *run)
{
	struct progress progress = { .last_ns = -1 };
	struct cg_pass_opts pass = run->settings->pass;
	struct cg_buf baseline = CG_BUF_INIT;
	const char *workdir = git_repository_workdir(run->repo);
	int err;

	if (run->settings->is_baseline_from_config && pass.baseline_path && pass.baseline_path[0] != '/' && workdir) {
		/* `baseline:` in .crabgate.yaml names a file of the repository, wherever crabgate runs. */
		cg_buf_printf(&baseline, "%s%s", workdir, pass.baseline_path);
		pass.baseline_path = baseline.ptr;
	}
	/* --filter all: the rest of the tree joins the change, so every file is checked whole. */
	err = pass.filter == CG_FILTER_ALL ? cg_change_add_unchanged(&run->change, cg_rules_reads_path) : 0;
	/* ...except what `check -- PATH...` leaves out. */
	if (!err && pass.filter == CG_FILTER_ALL)
		cg_change_keep_named(&run->change, run->settings->change.paths, run->settings->change.npaths);
	if (!err && run->settings->is_progress_shown) {
		clock_gettime(CLOCK_MONOTONIC, &progress.start);
		pass.progress = progress_draw;
		pass.progress_payload = &progress;
		progress_draw(&progress, 0, run->change.nfiles);
	}
	if (!err)
		err = cg_rules_run(&run->findings, &run->stats, &run->change, run->cfg, &pass);
	progress_clear(&progress);
	cg_buf_release(&baseline);
	return err;
}

int cg_run_review(struct cg_run *run)
{
	const struct cg_run_settings *s = run->settings;
	struct cg_review_opts review = s->review;

	review.http_wait_scale = s->http_wait_scale;
	for (size_t i = 0; i < s->noutputs; i++)
		if (!strcmp(s->outputs[i].format, "text") && is_stdout(s->outputs[i].path))
			review.is_noted_on_terminal = true;
	return cg_review_run(&run->review, &run->findings, &run->change, run->cfg, &review);
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

/* The registry as reports describe it: they know findings, not the rule framework. */
static struct cg_report_rule *report_rules(void)
{
	struct cg_report_rule *out = cg_calloc(cg_nrules + 1, sizeof(*out));
	for (size_t i = 0; i < cg_nrules; i++)
		out[i] = (struct cg_report_rule){ cg_rules[i]->id, cg_rules[i]->summary, cg_rules[i]->explain,
						  cg_rules[i]->default_severity };
	return out;
}

/* The one report input of a run: every report, the summary and the forges read it. */
static void build_report_input(struct cg_run *run)
{
	struct cg_report_input *in = &run->report;

	run->skipped = cg_calloc(run->stats.nskipped + 1, sizeof(*run->skipped));
	for (size_t i = 0; i < run->stats.nskipped; i++) {
		run->skipped[i].path = run->stats.skipped[i].path;
		run->skipped[i].reason = run->stats.skipped[i].reason;
	}
	memset(in, 0, sizeof(*in));
	in->tool_version = CG_VERSION;
	in->source = cg_change_source_name(run->change.source);
	in->base = run->change.base;
	in->head = run->change.head;
	in->files = run->change.nfiles;
	in->findings = &run->findings;
	free(run->rules);
	in->rules = run->rules = report_rules();
	in->nrules = cg_nrules;
	in->skipped = run->skipped;
	in->nskipped = run->stats.nskipped;
	in->review_summary = run->review.summary;
	in->notes = (const char *const *)run->review.notes;
	in->nnotes = run->review.nnotes;
}

/* Keeps `b`'s bytes until cg_run_release (a file's text, a name built for a report); b is left empty. */
static const char *run_keep(struct cg_run *run, struct cg_buf *b)
{
	cg_array_grow((void **)&run->kept, &run->kept_cap, run->nkept + 1, sizeof(*run->kept));
	return run->kept[run->nkept++] = cg_buf_detach(b, NULL);
}

static const char *run_path(struct cg_run *run, const char *dir, const char *rel)
{
	struct cg_buf b = CG_BUF_INIT;
	cg_buf_printf(&b, "%s%s%s", dir, *dir ? "/" : "", rel);
	return run_keep(run, &b);
}

/* The new content of `path`: the change's copy when it changed, else read at the new revision. */
static void read_file(struct cg_run *run, struct cg_report_file *out)
{
	for (size_t i = 0; i < run->change.nfiles; i++) {
		struct cg_changed_file *f = &run->change.files[i];
		if (!strcmp(f->path, out->path)) {
			if (cg_change_content(&run->change, f, &out->text, &out->len) < 0)
				out->text = NULL;
			return;
		}
	}
	struct cg_buf b = CG_BUF_INIT;
	if (cg_change_read(&run->change, out->path, &b) == 0) {
		out->len = b.size;
		out->text = run_keep(run, &b);
	}
	cg_buf_release(&b);
}

/*
 * The target of a package a file compiles into, as cargo's auto-discovery
 * lays them out: build.rs, src/bin/, tests/, benches/, examples/, else the
 * library when there is one, else the main binary.
 */
static void find_target(struct cg_run *run, struct cg_report_file *out, const struct cg_crate *cr)
{
	static const struct {
		const char *dir, *kind;
	} dirs[] = { { "src/bin/", "bin" }, { "tests/", "test" }, { "benches/", "bench" }, { "examples/", "example" } };
	const char *rel = out->path + strlen(cr->dir) + (*cr->dir ? 1 : 0);
	struct cg_buf name = CG_BUF_INIT;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i].dir), len;
		const char *end;
		struct cg_buf src = CG_BUF_INIT;
		if (strncmp(rel, dirs[i].dir, n))
			continue;
		/* NAME.rs, or NAME/main.rs and the modules beside it */
		end = strchr(rel + n, '/');
		len = end ? (size_t)(end - rel - n) : strlen(rel + n);
		if (!end && len > 3 && !strcmp(rel + n + len - 3, ".rs"))
			len -= 3;
		cg_buf_put(&name, rel + n, len);
		out->target_kind = dirs[i].kind;
		out->target_name = run_keep(run, &name);
		cg_buf_printf(&src, "%s%s%s%.*s%s", cr->dir, *cr->dir ? "/" : "", dirs[i].dir, (int)len, rel + n,
			      end ? "/main.rs" : ".rs");
		out->target_src = run_keep(run, &src);
		return;
	}
	if (!strcmp(rel, "build.rs")) {
		out->target_kind = "custom-build";
		out->target_name = "build-script-build";
		out->target_src = run_path(run, cr->dir, "build.rs");
		return;
	}
	/* Cargo names a target after its package, with '-' as '_'. */
	for (const char *p = cr->manifest.package_name; *p; p++)
		cg_buf_putc(&name, *p == '-' ? '_' : *p);
	out->target_name = run_keep(run, &name);
	if (cr->is_library) {
		out->target_kind = "lib";
		out->target_src = run_path(run, cr->dir, cr->manifest.lib_path ? cr->manifest.lib_path : "src/lib.rs");
	} else {
		out->target_kind = "bin";
		out->target_src = run_path(run, cr->dir, "src/main.rs");
	}
}

/* The current folder from the work tree's root, with a final '/'; NULL outside it (caller frees). */
static char *here_in(const char *workdir)
{
	char *cwd = realpath(".", NULL), *root = workdir ? realpath(workdir, NULL) : NULL, *out = NULL;
	size_t n = root ? strlen(root) : 0;
	struct cg_buf b = CG_BUF_INIT;

	if (cwd && root && !strncmp(cwd, root, n) && (cwd[n] == '\0' || cwd[n] == '/')) {
		if (cwd[n] == '/')
			cg_buf_printf(&b, "%s/", cwd + n + 1);
		out = cg_buf_detach(&b, NULL);
	}
	cg_buf_release(&b);
	free(cwd);
	free(root);
	return out;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct cg_report_file *)a)->path, ((const struct cg_report_file *)b)->path);
}

/* For rustc-json: each file a visible finding is in, its bytes and its package. */
static void build_report_files(struct cg_run *run)
{
	const struct cg_findings *list = &run->findings;
	const char *workdir = git_repository_workdir(run->repo);
	size_t n = 0;

	run->files = cg_calloc(list->len + 1, sizeof(*run->files));
	for (size_t i = 0; i < list->len; i++)
		if (cg_finding_is_visible(&list->items[i]))
			run->files[n++].path = list->items[i].path;
	qsort(run->files, n, sizeof(*run->files), cmp_file);
	run->nfiles = 0;
	for (size_t i = 0; i < n; i++)
		if (!run->nfiles || strcmp(run->files[run->nfiles - 1].path, run->files[i].path))
			run->files[run->nfiles++] = run->files[i];
	run->cargo = cg_crate_cache_new(&run->change);
	cg_crate_cache_set_max_file(run->cargo, run->settings->pass.max_file_bytes);
	for (size_t i = 0; i < run->nfiles; i++) {
		struct cg_report_file *f = &run->files[i];
		const struct cg_crate *cr = cg_crate_of(run->cargo, f->path);
		read_file(run, f);
		if (!cr || !cr->manifest.package_name)
			continue;
		f->package = cr->manifest.package_name;
		f->version = cr->manifest.package_version;
		/* Absent, or `edition.workspace = true`: the workspace's, else Cargo's default. */
		f->edition = cr->manifest.edition ? cr->manifest.edition
			     : cr->workspace && cr->workspace->manifest.workspace_edition
				     ? cr->workspace->manifest.workspace_edition
				     : "2015";
		f->manifest_path = cr->manifest_path;
		f->package_dir = cr->dir;
		find_target(run, f, cr);
	}
	run->report.root = workdir ? workdir : "";
	run->report.here = run->here = here_in(workdir);
	run->report.places = run->files;
	run->report.nplaces = run->nfiles;
}

static int write_summary(const struct cg_report_input *in, const char *path)
{
	const struct cg_reporter *md = cg_reporter_find("markdown");
	struct cg_buf out = CG_BUF_INIT;
	int err;

	if (!md)
		return cg_error_set(CG_E_USAGE, "no markdown reporter in this build");
	if ((err = md->write(&out, in)) == 0)
		err = cg_report_emit(&out, path);
	cg_buf_release(&out);
	return err;
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

int cg_run_report(struct cg_run *run)
{
	const struct cg_run_settings *s = run->settings;
	struct cg_report_input *in = &run->report;
	size_t counts[CG_SEV_COUNT];
	int err = 0;

	build_report_input(run);
	for (size_t i = 0; i < s->noutputs; i++)
		if (cg_reporter_find(s->outputs[i].format)->needs_files && !run->files)
			build_report_files(run);
	for (size_t i = 0; i < s->noutputs; i++) {
		const struct cg_reporter *r = cg_reporter_find(s->outputs[i].format); /* checked before the run */
		struct cg_buf out = CG_BUF_INIT;
		in->color = use_color(s->color, s->outputs[i].path);
		in->width = term_width(s->outputs[i].path);
		cg_report_stream(&out, s->outputs[i].path);
		err = r->write(&out, in);
		if (!err)
			err = cg_report_emit(&out, s->outputs[i].path);
		cg_buf_release(&out);
		if (err < 0)
			return err;
	}
	in->color = false;
	in->width = 0;
	if (s->summary_path && (err = write_summary(in, s->summary_path)) < 0)
		return err;
	rule_counts(&run->findings, counts);
	run->exit_status = 0;
	if (s->fail_level != CG_SEV_OFF)
		for (int sev = s->fail_level; sev <= CG_SEV_ERROR; sev++)
			if (counts[sev])
				run->exit_status = 1;
	if (run->review.should_fail_run)
		run->exit_status = CG_EXIT_RUNTIME; /* review.required: a failed review fails the run */
	return 0;
}

int cg_run_remember(struct cg_memory_result *out, struct cg_run *run, const struct cg_memory_review *review,
		    const struct cg_memory_ci *ci)
{
	/* The model review's output, as the memory files take it. */
	const struct cg_memory_review own = { run->review.summary, (const char *const *)run->review.lessons,
					      run->review.nlessons, (const char *const *)run->review.todos,
					      run->review.ntodos };

	if (!review)
		review = &own;
	if (ci)
		return cg_memory_update_ci(out, run->repo, run->cfg, &run->change, &run->findings, review, ci);
	return cg_memory_update_local(out, run->repo, run->cfg, &run->change, &run->findings, review, 0);
}

int cg_run_write_baseline(size_t *nwritten, const struct cg_run *run, const char *path)
{
	*nwritten = 0;
	for (size_t i = 0; i < run->findings.len; i++)
		*nwritten += !run->findings.items[i].is_suppressed;
	return cg_baseline_write(path, &run->findings);
}

int cg_run_local(struct cg_run *run)
{
	int err;

	if ((err = cg_run_settings_check(run->settings)) < 0 || (err = cg_run_load_change(run)) < 0 ||
	    (err = cg_run_check(run)) < 0 || (err = cg_run_review(run)) < 0 || (err = cg_run_report(run)) < 0)
		return err;
	if (run->settings->update_memory) {
		struct cg_memory_result r;
		cg_memory_result_init(&r);
		err = cg_run_remember(&r, run, NULL, NULL);
		if (!err)
			cg_memory_result_log(&r);
		cg_memory_result_release(&r);
	}
	return err;
}
