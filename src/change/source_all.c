/* --all: every tracked file counts as added. */
#include <stdlib.h>
#include <string.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static int add_tree_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct cg_change *change = payload;
	struct cg_buf path = CG_BUF_INIT;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	cg_buf_printf(&path, "%s%s", root, git_tree_entry_name(e));
	cg_change__add_whole(change, path.ptr, git_tree_entry_id(e), git_tree_entry_filemode(e));
	cg_buf_release(&path);
	return 0;
}

int cg_change__load_all(struct cg_change *change, git_repository *repo)
{
	git_index *index = NULL;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int err = 0;

	if (git_repository_head(&head, repo) == 0 &&
	    git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) == 0)
		git_oid_tostr(change->head, sizeof(change->head), git_commit_id(commit));

	if (!git_repository_is_bare(repo)) {
		size_t n;
		if (git_repository_index(&index, repo) < 0) {
			err = cg_error_set_git("cannot read the index");
			goto done;
		}
		n = git_index_entrycount(index);
		for (size_t i = 0; i < n; i++) {
			const git_index_entry *e = git_index_get_byindex(index, i);
			if (git_index_entry_stage(e) == 0) {
				cg_change__add_whole(change, e->path, &e->id, e->mode);
				change->files[change->nfiles - 1].size_hint = e->file_size;
			}
		}
		err = cg_snapshot_open_index(&change->snapshot, repo, index);
		index = NULL;
		goto done;
	}
	if (!commit) {
		err = cg_error_set(CG_E_INPUT, "the repository has no commits and no index: nothing to check");
		goto done;
	}
	if (git_commit_tree(&tree, commit) < 0 || git_tree_walk(tree, GIT_TREEWALK_PRE, add_tree_entry, change) < 0) {
		err = cg_error_set_git("cannot list the HEAD tree");
		goto done;
	}
	err = cg_snapshot_open_tree(&change->snapshot, repo, tree);
	tree = NULL;
done:
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}
