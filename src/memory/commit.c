/*
 * Building a memory commit without a work tree: the three files are read
 * from a revision's tree, rendered, written as blobs, and a new tree is
 * derived from the revision's with git_tree_create_updated; the commit is
 * made on that revision with no ref moved, so the caller decides where it
 * goes (a compare-and-swap on a local branch, or a push).
 */
#include "memory/internal.h"

#include <string.h>

#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

void cg_memory_files_release(struct cg_memory_files *files)
{
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		cg_buf_release(&files->old[i]);
		cg_buf_release(&files->rendered[i]);
	}
	memset(files, 0, sizeof(*files));
}

bool cg_memory_files_any_changed(const struct cg_memory_files *files)
{
	for (int i = 0; i < CG_MEMORY_NFILES; i++)
		if (files->is_changed[i])
			return true;
	return false;
}

/* Reads `path` from `tree` into `out`; *exists false when it is not there. */
static int read_tree_file(struct cg_buf *out, bool *exists, git_filemode_t *mode, git_repository *repo, git_tree *tree,
			  const char *path, const char *where)
{
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int err = 0, rc;

	*exists = false;
	*mode = GIT_FILEMODE_BLOB;
	if (!tree)
		return 0;
	rc = git_tree_entry_bypath(&entry, tree, path);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return cg_error_set_git("memory: cannot read %s at %s", path, where);
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		err = cg_error_set(CG_E_INPUT,
				   "memory: %s at %s is not a regular file; move it away or set memory.files to "
				   "another path",
				   path, where);
		goto done;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) < 0) {
		err = cg_error_set_git("memory: cannot read %s at %s", path, where);
		goto done;
	}
	if ((size_t)git_blob_rawsize(blob) > CG_MEMORY_MAX_FILE) {
		err = cg_error_set(CG_E_TOOBIG,
				   "memory: %s at %s is larger than %u bytes; move old entries to an archive file",
				   path, where, CG_MEMORY_MAX_FILE);
		goto done;
	}
	cg_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	*exists = true;
	*mode = git_tree_entry_filemode(entry);
done:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return err;
}

int cg_memory_render_tree(struct cg_memory_files *out, git_repository *repo, git_tree *tree, const char *where,
			  const struct cg_memory_facts *facts, const struct cg_memory_config *mc)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		cg_buf_init(&out->old[i]);
		cg_buf_init(&out->rendered[i]);
	}
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		if ((err = read_tree_file(&out->old[i], &out->exists[i], &out->mode[i], repo, tree, mc->paths[i],
					  where)) < 0)
			goto done;
		err = cg_memory_render((enum cg_memory_file)i, &out->rendered[i], mc->paths[i],
				       out->exists[i] ? out->old[i].ptr : NULL, out->old[i].size, facts, mc);
		if (err < 0)
			goto done;
		out->is_changed[i] = !out->exists[i] || out->old[i].size != out->rendered[i].size ||
				     memcmp(out->old[i].ptr, out->rendered[i].ptr, out->old[i].size) != 0;
	}
done:
	if (err < 0)
		cg_memory_files_release(out);
	return err;
}

bool cg_memory_is_own_commit(const git_commit *commit, const struct cg_memory_config *mc)
{
	const char *msg = git_commit_message(commit);
	const git_signature *a = git_commit_author(commit);
	const char *p;

	for (p = msg; p && (p = strstr(p, CG_MEMORY_TRAILER ": ")) != NULL; p++)
		if (p == msg || p[-1] == '\n')
			return true;
	return a && cg_str_eq(a->name, mc->author_name) && cg_str_eq(a->email, mc->author_email);
}

int cg_memory_commit_create(git_oid *out, git_repository *repo, git_commit *parent, const struct cg_memory_files *files,
			    const struct cg_memory_facts *facts, const struct cg_memory_config *mc)
{
	git_tree_update updates[CG_MEMORY_NFILES];
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	struct cg_buf msg = CG_BUF_INIT;
	git_oid tree_id;
	size_t n = 0;
	const char *p;
	int err = 0;

	memset(updates, 0, sizeof(updates));
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		if (!files->is_changed[i])
			continue;
		if (git_blob_create_from_buffer(&updates[n].id, repo, files->rendered[i].ptr, files->rendered[i].size) <
		    0) {
			err = cg_error_set_git("memory: cannot write %s", mc->paths[i]);
			goto done;
		}
		updates[n].action = GIT_TREE_UPDATE_UPSERT;
		updates[n].filemode = files->exists[i] ? files->mode[i] : GIT_FILEMODE_BLOB;
		updates[n].path = mc->paths[i];
		n++;
	}
	cg_memory__crash_point("blob");
	if (git_commit_tree(&base, parent) < 0 || git_tree_create_updated(&tree_id, repo, base, n, updates) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0) {
		err = cg_error_set_git("memory: cannot build the tree of the memory commit");
		goto done;
	}
	if (git_signature_new(&sig, mc->author_name, mc->author_email, (git_time_t)facts->now, 0) < 0) {
		err = cg_error_set_git("memory: bad memory.author");
		goto done;
	}
	/* The message template's {key}, then the trailer the loop guard looks for. */
	for (p = mc->commit_message; *p; p++) {
		if (!strncmp(p, "{key}", 5)) {
			cg_buf_puts(&msg, facts->key);
			p += 4;
		} else {
			cg_buf_putc(&msg, *p);
		}
	}
	while (msg.size && (msg.ptr[msg.size - 1] == '\n' || msg.ptr[msg.size - 1] == ' '))
		cg_buf_truncate(&msg, msg.size - 1);
	cg_buf_printf(&msg, "\n\n" CG_MEMORY_TRAILER ": %s\n", facts->key);
	if (git_commit_create(out, repo, NULL, sig, sig, NULL, msg.ptr, tree, 1, (const git_commit **)&parent) < 0)
		err = cg_error_set_git("memory: cannot create the memory commit");
	else
		cg_memory__crash_point("commit");
done:
	cg_buf_release(&msg);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	return err;
}

int cg_memory_files_diff(struct cg_buf *out, const struct cg_memory_files *files, const struct cg_memory_config *mc)
{
	int err = 0;

	for (int i = 0; i < CG_MEMORY_NFILES && !err; i++) {
		git_patch *patch = NULL;
		git_buf text = { 0 };
		git_diff_options opts = GIT_DIFF_OPTIONS_INIT;

		if (!files->is_changed[i])
			continue;
		opts.context_lines = 2;
		if (git_patch_from_buffers(&patch, files->exists[i] ? files->old[i].ptr : NULL,
					   files->exists[i] ? files->old[i].size : 0, mc->paths[i],
					   files->rendered[i].ptr, files->rendered[i].size, mc->paths[i], &opts) < 0 ||
		    git_patch_to_buf(&text, patch) < 0)
			err = cg_error_set_git("memory: cannot diff %s", mc->paths[i]);
		else
			cg_buf_put(out, text.ptr, text.size);
		git_buf_dispose(&text);
		git_patch_free(patch);
	}
	return err;
}
