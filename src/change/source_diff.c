/* --diff: a unified diff from a file or standard input (diff_parse.c, diff_apply.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define DIFF_MAX_BYTES (512u * 1024 * 1024)

/* Fills the begun `change` from the diff `text`. */
static int from_diff(struct cg_change *change, const char *text, size_t len)
{
	git_repository *repo = cg_change_git(change);
	struct cg_diff_files meta = { 0 };
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	int err;

	if ((err = cg_diff_parse(change, text, len, &meta)) < 0)
		goto done;
	if (repo && git_repository_head(&head, repo) == 0 &&
	    git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) == 0 &&
	    git_commit_tree(&tree, commit) == 0)
		git_oid_tostr(change->head, sizeof(change->head), git_commit_id(commit));
	if (repo && !git_repository_is_bare(repo) && git_repository_index(&index, repo) < 0) {
		index = NULL;
		git_error_clear();
	}
	if ((err = cg_diff_resolve(change, text, &meta, tree, index)) < 0)
		goto done;
	if (tree) {
		cg_snapshot_open_tree(&change->snapshot, repo, tree);
		tree = NULL;
	}
done:
	cg_diff_files_release(&meta);
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}

int cg_change_from_diff_text(struct cg_change *change, git_repository *repo, const char *text, size_t len)
{
	cg_change__begin(change, CG_SOURCE_DIFF, repo);
	return from_diff(change, text, len);
}

static int read_diff_input(struct cg_buf *out, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char chunk[65536];
	size_t n;
	int err = 0;

	if (!f)
		return cg_error_set(CG_E_INPUT, "--diff %s: cannot open: %s", path, strerror(errno));
	out->limit = DIFF_MAX_BYTES;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((err = cg_buf_put(out, chunk, n)) < 0)
			break;
	if (!err && ferror(f))
		err = cg_error_set(CG_E_INPUT, "--diff %s: read error", path);
	if (f != stdin)
		fclose(f);
	return err;
}

int cg_change__load_diff(struct cg_change *change, const struct cg_change_opts *opts)
{
	struct cg_buf text = CG_BUF_INIT;
	int err = read_diff_input(&text, opts->diff_path);
	if (err == 0)
		err = from_diff(change, text.ptr, text.size);
	cg_buf_release(&text);
	return err;
}
