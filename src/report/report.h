#ifndef CG_REPORT_REPORT_H
#define CG_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "finding/finding.h"
#include "util/buf.h"

/*
 * Reports: one file per format, each a pure function from the findings (and
 * plain facts about the run) to bytes. A reporter never reads git or the
 * network; adding a format is one file and one row in report.c.
 */
struct cg_report_skipped {
	const char *path;
	const char *reason;
};

/*
 * A rule as a report describes it (SARIF's driver rules), handed in by the
 * caller from the registry: reports know findings, not the rule framework.
 */
struct cg_report_rule {
	const char *id;
	const char *summary;	   /* one line */
	const char *explain;	   /* the long text, or NULL: the summary stands for it */
	enum cg_severity severity; /* the default one */
};

/*
 * A file findings are in, as the rustc-json report places them: the bytes
 * (for byte offsets and span text) and the Cargo package and target that
 * cargo would name. Filled by the run only for reporters with needs_files.
 */
struct cg_report_file {
	const char *path; /* repository-relative; the array is sorted by it */
	const char *text; /* the new content, or NULL when it could not be read */
	size_t len;
	const char *package;	   /* the package's name, or NULL when no package holds the file */
	const char *version;	   /* its version, or NULL */
	const char *edition;	   /* "2015" when the manifest names none */
	const char *manifest_path; /* the package's Cargo.toml, repository-relative */
	const char *package_dir;   /* "" for the root, else "a/b" */
	const char *target_kind;   /* cargo's kind: lib, bin, test, bench, example, custom-build */
	const char *target_name;
	const char *target_src; /* the target's root file, repository-relative */
};

struct cg_report_input {
	const char *tool_version;
	const char *source; /* "staged", "range", "diff", "all" */
	const char *base;   /* NULL or hex sha */
	const char *head;
	size_t files; /* changed files */
	const struct cg_findings *findings;
	const struct cg_report_rule *rules; /* every rule this build has, described whether it fired or not */
	size_t nrules;
	const struct cg_report_skipped *skipped;
	size_t nskipped;
	const char *review_summary; /* the model's summary, or NULL */
	const char *const *notes;   /* run notes for people (review skipped, comments dropped…) */
	size_t nnotes;
	bool color; /* text: ANSI colour */
	int width;  /* text: terminal width, 0 = unknown */
	/*
	 * markdown: where a file's lines can be browsed, or NULL. The path is
	 * appended percent-encoded, then "#L<line>": a GitHub blob URL such as
	 * "https://github.com/o/r/blob/<sha>/" fits.
	 */
	const char *link_base;
	/* Reporters with needs_files (rustc-json): the work tree's absolute path with a final '/' ("" when bare). */
	const char *root;
	/*
	 * Where crabgate runs, from the root, with a final '/' ("" at the root;
	 * NULL outside the work tree): rustc names files relative to the folder
	 * it runs in, and editors resolve them from there.
	 */
	const char *here;
	const struct cg_report_file *places; /* sorted by path */
	size_t nplaces;
};

struct cg_reporter {
	const char *name;
	const char *description;
	int (*write)(struct cg_buf *out, const struct cg_report_input *in);
	bool needs_files; /* reads in->places: the run reads the files and their packages first */
};

const struct cg_reporter *cg_reporter_find(const char *name);
extern const struct cg_reporter *const cg_reporters[];
extern const size_t cg_nreporters;

/* Writes `buf` to `path` atomically, or to stdout when path is NULL or "-". */
int cg_report_emit(const struct cg_buf *buf, const char *path);
/*
 * For a report going to stdout (path NULL or "-"): `buf` streams there as
 * the reporter writes it, cg_report_emit then writes the rest. A file is
 * still written whole and atomically.
 */
void cg_report_stream(struct cg_buf *buf, const char *path);
/*
 * Appends `buf` to `path` (created when missing), as GitHub's
 * $GITHUB_STEP_SUMMARY file wants: other steps' summaries stay. CG_E_IO.
 */
int cg_report_append(const struct cg_buf *buf, const char *path);

/* Code scanning keeps at most this many SARIF results per run; the rest are cut with a note. */
#define CG_REPORT_SARIF_MAX_RESULTS 5000
/* GitHub shows at most this many annotations of one type (error, warning, notice) per step. */
#define CG_REPORT_GITHUB_MAX_PER_TYPE 10

#endif
