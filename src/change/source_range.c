/* --base/--head and --range: the diff of two commits, or of a merge base and a head. */
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static const char shallow_fix[] =
	"the clone is shallow or lacks the history; fetch it: in GitHub Actions set `fetch-depth: 0` on "
	"actions/checkout, in GitLab CI set `GIT_DEPTH: 0`, elsewhere run `git fetch --unshallow`";

static int resolve_commit(git_commit **out, git_repository *repo, const char *ref, const char *what)
{
	git_object *obj = NULL;
	int err;

	if ((err = git_revparse_single(&obj, repo, ref)) < 0) {
		if (git_repository_is_shallow(repo))
			return cg_error_set(CG_E_INPUT, "%s '%s' is not in this clone: %s", what, ref, shallow_fix);
		return cg_error_set(CG_E_INPUT, "%s '%s': no such commit or ref in this repository (fetch it first?)",
				    what, ref);
	}
	err = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (err < 0)
		return cg_error_set(CG_E_INPUT, "%s '%s' does not name a commit", what, ref);
	return 0;
}

static int diff_commits(struct cg_change *change, git_repository *repo, git_commit *from, git_commit *to,
			const struct cg_change_opts *opts)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_tree *a = NULL, *b = NULL;
	git_diff *diff = NULL;
	int err = 0;

	if (git_commit_tree(&a, from) < 0 || git_commit_tree(&b, to) < 0) {
		err = cg_error_set_git("cannot read the commits' trees");
		goto done;
	}
	git_oid_tostr(change->base, sizeof(change->base), git_commit_id(from));
	git_oid_tostr(change->head, sizeof(change->head), git_commit_id(to));
	cg_change__diff_opts(&o, opts);
	if (git_diff_tree_to_tree(&diff, repo, a, b, &o) < 0) {
		err = cg_error_set_git("cannot diff %s..%s", change->base, change->head);
		goto done;
	}
	if ((err = cg_change__collect(change, diff, &o)) < 0)
		goto done;
	err = cg_snapshot_open_tree(&change->snapshot, repo, b);
	b = NULL;
done:
	git_diff_free(diff);
	git_tree_free(a);
	git_tree_free(b);
	return err;
}

static int merge_base(git_commit **out, git_repository *repo, git_commit *a, git_commit *b, const char *an,
		      const char *bn)
{
	git_oid mb;
	int rc = git_merge_base(&mb, repo, git_commit_id(a), git_commit_id(b));
	if (rc == GIT_ENOTFOUND) {
		if (git_repository_is_shallow(repo))
			return cg_error_set(CG_E_INPUT, "no merge base of '%s' and '%s' in this clone: %s", an, bn,
					    shallow_fix);
		return cg_error_set(CG_E_INPUT,
				    "'%s' and '%s' have no common history; compare with --range %s..%s instead", an, bn,
				    an, bn);
	}
	if (rc < 0)
		return cg_error_set_git("cannot compute the merge base of '%s' and '%s'", an, bn);
	if (git_commit_lookup(out, repo, &mb) < 0)
		return cg_error_set(CG_E_INPUT, "the merge base of '%s' and '%s' is missing: %s", an, bn, shallow_fix);
	return 0;
}

int cg_change__load_range(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts)
{
	git_commit *base = NULL, *head = NULL, *mb = NULL;
	const char *head_ref = opts->head ? opts->head : "HEAD";
	char *left = NULL, *right = NULL;
	int err = 0;

	if (opts->range) {
		const char *dots = strstr(opts->range, "..");
		bool three = dots && dots[2] == '.';
		if (!dots) {
			err = cg_error_set(CG_E_USAGE, "--range '%s': expected A..B or A...B", opts->range);
			goto done;
		}
		left = cg_strndup(opts->range, (size_t)(dots - opts->range));
		right = cg_strdup(dots + (three ? 3 : 2));
		if ((err = resolve_commit(&base, repo, *left ? left : "HEAD", "range start")) < 0 ||
		    (err = resolve_commit(&head, repo, *right ? right : "HEAD", "range end")) < 0)
			goto done;
		if (three) {
			if ((err = merge_base(&mb, repo, base, head, left, right)) < 0)
				goto done;
			err = diff_commits(change, repo, mb, head, opts);
		} else {
			err = diff_commits(change, repo, base, head, opts);
		}
		goto done;
	}
	if ((err = resolve_commit(&base, repo, opts->base, "base")) < 0 ||
	    (err = resolve_commit(&head, repo, head_ref, "head")) < 0 ||
	    (err = merge_base(&mb, repo, base, head, opts->base, head_ref)) < 0)
		goto done;
	err = diff_commits(change, repo, mb, head, opts);
done:
	free(left);
	free(right);
	git_commit_free(base);
	git_commit_free(head);
	git_commit_free(mb);
	return err;
}
