/*
 * `crabgate fix`: the rule pass, then the findings' fixes applied to the
 * files they edit. A file is written only where its work-tree text is the
 * text that was checked (the staged one, or the head's): an edit the user has
 * not staged is never lost, and the fixed bytes are exactly the checked ones
 * plus the edits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run/run.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* A file the chosen fixes edit, and whether it may be written. */
struct target {
	const char *path; /* borrowed from an edit */
	struct cg_buf text;
	const char *left_alone; /* static text: why it is not written, or NULL */
	mode_t mode;
	bool is_new; /* a file the fix creates: the change does not have it */
};

struct plan {
	struct target *targets;
	size_t ntargets, targets_cap;
	const struct cg_edit **edits; /* of the accepted fixes */
	size_t nedits, edits_cap;
};

static bool is_chosen_rule(const struct cg_run_fix_settings *s, const char *rule)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (!strcmp(s->rules[i], rule))
			return true;
	return s->nrules == 0;
}

static bool may_apply(const struct cg_run_fix_settings *s, const struct cg_fix *fix)
{
	/* A placeholder is for a person to fill: no flag applies such a fix. */
	return fix && fix->nedits &&
	       (fix->applicability == CG_FIX_MACHINE_APPLICABLE ||
		(s->is_unsafe && fix->applicability == CG_FIX_MAYBE_INCORRECT));
}

static struct target *target_of(struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->ntargets; i++)
		if (!strcmp(p->targets[i].path, path))
			return &p->targets[i];
	return NULL;
}

/* Where the checked text lives beside the work tree: the index (staged, --all) or a commit. */
static bool is_index_backed(const struct cg_change *change)
{
	return change->source == CG_SOURCE_STAGED || change->source == CG_SOURCE_ALL;
}

/* Reads the checked text of `t` and decides whether its work-tree file may be written. */
static int target_load(struct target *t, const struct cg_run *run, const char *workdir)
{
	struct cg_buf path = CG_BUF_INIT, disk = CG_BUF_INIT;
	struct stat st;
	int err;

	cg_buf_printf(&path, "%s%s", workdir, t->path);
	if (!cg_change_exists(&run->change, t->path)) {
		/* Created from nothing; a work-tree file there is the user's, never overwritten. */
		t->is_new = true;
		t->mode = 0644;
		err = 0;
		if (lstat(path.ptr, &st) == 0)
			t->left_alone = "it exists in the work tree, not in the checked change";
		goto done;
	}
	if ((err = cg_change_read(&run->change, t->path, &t->text)) < 0)
		goto done;
	if (lstat(path.ptr, &st) < 0 || !S_ISREG(st.st_mode)) {
		t->left_alone = "not a regular file in the work tree";
		goto done;
	}
	t->mode = st.st_mode & 07777;
	/* A work-tree file larger than the checked text differs from it: no need to read more. */
	err = cg_fs_read(&disk, path.ptr, t->text.size);
	if (err == CG_E_TOOBIG || (!err && (disk.size != t->text.size || memcmp(disk.ptr, t->text.ptr, disk.size))))
		t->left_alone = is_index_backed(&run->change) ? "it has unstaged edits"
							      : "its work-tree text differs from the checked commit's";
	else if (err < 0)
		goto done;
	err = 0;
done:
	cg_buf_release(&path);
	cg_buf_release(&disk);
	return err;
}

/* The files every fix that may apply edits, read and judged. */
static int plan_targets(struct plan *p, const struct cg_run *run, const struct cg_run_fix_settings *s,
			const char *workdir)
{
	for (size_t i = 0; i < run->findings.len; i++) {
		const struct cg_finding *f = &run->findings.items[i];
		if (!cg_finding_is_visible(f) || !is_chosen_rule(s, f->rule) || !may_apply(s, f->fix))
			continue;
		for (size_t k = 0; k < f->fix->nedits; k++) {
			struct target *t;
			int err;
			if (target_of(p, f->fix->edits[k].path))
				continue;
			cg_array_grow((void **)&p->targets, &p->targets_cap, p->ntargets + 1, sizeof(*p->targets));
			t = &p->targets[p->ntargets++];
			memset(t, 0, sizeof(*t));
			t->path = f->fix->edits[k].path;
			cg_buf_init(&t->text);
			if ((err = target_load(t, run, workdir)) < 0)
				return err;
		}
	}
	return 0;
}

/* Two edits of one file that cannot both apply: they share a byte, or insert at one offset. */
static bool collide(const struct cg_edit *a, const struct cg_edit *b)
{
	if (strcmp(a->path, b->path))
		return false;
	return a->byte_start == b->byte_start || (a->byte_start < b->byte_end && b->byte_start < a->byte_end);
}

/*
 * Whether the whole fix applies: every file it edits may be written, its
 * edits lie inside the checked text, and none collides with an edit already
 * taken (the first fix in report order wins; the other waits for a re-run).
 */
static bool fix_fits(struct plan *p, const struct cg_fix *fix)
{
	for (size_t k = 0; k < fix->nedits; k++) {
		const struct cg_edit *e = &fix->edits[k];
		const struct target *t = target_of(p, e->path);
		if (!t || t->left_alone || e->byte_end > t->text.size)
			return false;
		for (size_t j = 0; j < p->nedits; j++)
			if (collide(p->edits[j], e))
				return false;
	}
	return true;
}

static int cmp_edit_ptr(const void *a, const void *b)
{
	const struct cg_edit *x = *(const struct cg_edit *const *)a, *y = *(const struct cg_edit *const *)b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	return (x->byte_start > y->byte_start) - (x->byte_start < y->byte_start);
}

/* `edits` (sorted, of one file) applied to `text`. */
static void apply_edits(struct cg_buf *out, const struct cg_buf *text, const struct cg_edit *const *edits, size_t n)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		cg_buf_put(out, text->ptr + at, edits[i]->byte_start - at);
		cg_buf_puts(out, edits[i]->replacement);
		at = edits[i]->byte_end;
	}
	cg_buf_put(out, text->ptr + at, text->size - at);
}

/* The diff of one file; `is_new`: it has no old side (a file the fix creates). */
static int put_diff(struct cg_buf *out, const char *path, bool is_new, const struct cg_buf *before,
		    const struct cg_buf *after)
{
	git_patch *patch = NULL;
	git_buf text = { 0 };
	int err = 0;

	if (git_patch_from_buffers(&patch, is_new ? NULL : before->ptr, before->size, is_new ? NULL : path, after->ptr,
				   after->size, path, NULL) < 0 ||
	    git_patch_to_buf(&text, patch) < 0)
		err = cg_error_set(CG_E_GIT, "%s: cannot make the diff: %s", path, git_error_last()->message);
	else
		cg_buf_put(out, text.ptr, text.size);
	git_buf_dispose(&text);
	git_patch_free(patch);
	return err;
}

/* Writes one fixed file: the work tree, then the index from it (so git's stat cache is right too). */
static int write_target(const struct target *t, const struct cg_buf *fixed, const char *workdir, git_index *index)
{
	struct cg_buf path = CG_BUF_INIT;
	int err;

	cg_buf_printf(&path, "%s%s", workdir, t->path);
	if ((t->is_new && (err = cg_fs_mkparents(path.ptr)) < 0) ||
	    (err = cg_fs_write_atomic(path.ptr, fixed->ptr, fixed->size)) < 0)
		goto done;
	if (chmod(path.ptr, t->mode) < 0) {
		err = cg_error_set(CG_E_IO, "%s: cannot restore its permissions", t->path);
		goto done;
	}
	if (index && git_index_add_bypath(index, t->path) < 0)
		err = cg_error_set(CG_E_GIT, "%s: cannot stage the fix: %s", t->path, git_error_last()->message);
done:
	cg_buf_release(&path);
	return err;
}

/* Applies the plan's edits file by file; *nfiles counts the files changed. */
static int apply_plan(struct cg_buf *diff, size_t *nfiles, struct plan *p, const struct cg_run *run,
		      const struct cg_run_fix_settings *s, const char *workdir)
{
	struct cg_buf fixed = CG_BUF_INIT;
	git_index *index = NULL;
	int err = 0;

	*nfiles = 0;
	if (!s->is_dry_run && is_index_backed(&run->change) && git_repository_index(&index, run->repo) < 0) {
		err = cg_error_set(CG_E_GIT, "cannot open the index: %s", git_error_last()->message);
		goto done;
	}
	if (p->nedits) /* qsort's array may not be NULL, even empty */
		qsort(p->edits, p->nedits, sizeof(*p->edits), cmp_edit_ptr);
	for (size_t i = 0, j; i < p->nedits; i = j) {
		const struct target *t = target_of(p, p->edits[i]->path);
		for (j = i; j < p->nedits && !strcmp(p->edits[j]->path, t->path); j++)
			;
		cg_buf_truncate(&fixed, 0);
		apply_edits(&fixed, &t->text, p->edits + i, j - i);
		if ((err = put_diff(diff, t->path, t->is_new, &t->text, &fixed)) < 0 ||
		    (!s->is_dry_run && (err = write_target(t, &fixed, workdir, index)) < 0))
			goto done;
		(*nfiles)++;
	}
	if (index && *nfiles && git_index_write(index) < 0)
		err = cg_error_set(CG_E_GIT, "cannot write the index: %s", git_error_last()->message);
done:
	git_index_free(index);
	cg_buf_release(&fixed);
	return err;
}

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->ntargets; i++)
		cg_buf_release(&p->targets[i].text);
	free(p->targets);
	free(p->edits);
}

int cg_run_fix(git_repository *repo, const struct cg_config *cfg, const struct cg_run_fix_settings *s)
{
	struct cg_run run;
	struct plan p = { 0 };
	struct cg_buf diff = CG_BUF_INIT;
	const char *workdir = git_repository_workdir(repo);
	size_t nfixed = 0, nleft = 0, nunsafe = 0, nfiles = 0;
	int err, status = CG_EXIT_CLEAN;

	cg_run_init(&run, repo, cfg, &s->run);
	if (!workdir) {
		err = cg_error_set(CG_E_INPUT, "fix: the repository has no work tree to write the fixes to");
		goto done;
	}
	if ((err = cg_run_load_change(&run)) < 0 || (err = cg_run_check(&run)) < 0 ||
	    (err = plan_targets(&p, &run, s, workdir)) < 0)
		goto done;
	for (size_t i = 0; i < run.findings.len; i++) {
		const struct cg_finding *f = &run.findings.items[i];
		if (!cg_finding_is_visible(f) || !is_chosen_rule(s, f->rule))
			continue;
		if (may_apply(s, f->fix) && fix_fits(&p, f->fix)) {
			for (size_t k = 0; k < f->fix->nedits; k++) {
				cg_array_grow((void **)&p.edits, &p.edits_cap, p.nedits + 1, sizeof(*p.edits));
				p.edits[p.nedits++] = &f->fix->edits[k];
			}
			nfixed++;
		} else if (s->run.fail_level != CG_SEV_OFF && f->severity >= s->run.fail_level) {
			nleft++;
			nunsafe += f->fix && f->fix->applicability == CG_FIX_MAYBE_INCORRECT && !may_apply(s, f->fix);
		}
	}
	if ((err = apply_plan(&diff, &nfiles, &p, &run, s, workdir)) < 0)
		goto done;
	fwrite(diff.ptr, 1, diff.size, stdout);
	fflush(stdout);
	for (size_t i = 0; i < p.ntargets; i++)
		if (p.targets[i].left_alone)
			cg_warn("fix: %s left alone: %s", p.targets[i].path, p.targets[i].left_alone);
	if (nfixed)
		cg_info("fix: %s %zu fix%s in %zu file%s", s->is_dry_run ? "would apply" : "applied", nfixed,
			nfixed == 1 ? "" : "es", nfiles, nfiles == 1 ? "" : "s");
	else
		cg_info("fix: nothing to apply");
	if (nleft) {
		cg_info("fix: %zu finding%s left without a fix applied (`crabgate check` shows them)", nleft,
			nleft == 1 ? "" : "s");
		if (nunsafe)
			cg_info("fix: %zu of them %s a fix that may be incorrect: review it with `--dry-run --unsafe`, "
				"apply it with `--unsafe`",
				nunsafe, nunsafe == 1 ? "has" : "have");
		status = CG_EXIT_FINDINGS;
	}
done:
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	}
	plan_release(&p);
	cg_buf_release(&diff);
	cg_run_release(&run);
	return status;
}
