/* --staged: the index against HEAD (or against nothing, on a first commit). */
#include <stdlib.h>
#include <string.h>

#include <git2/sys/repository.h>

#include "change/build.h"
#include "change/snapshot.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether `path`, or one of the folders above it, is in the sorted `names`. */
static bool is_named(char *const *names, size_t nnames, const char *path)
{
	struct cg_buf cut = CG_BUF_INIT;
	bool found = false;

	cg_buf_puts(&cut, path);
	for (;;) {
		char *slash;
		const char *key = cut.ptr;
		if (bsearch(&key, names, nnames, sizeof(*names), cmp_path)) {
			found = true;
			break;
		}
		if (!(slash = strrchr(cut.ptr, '/')))
			break;
		cg_buf_truncate(&cut, (size_t)(slash - cut.ptr));
	}
	cg_buf_release(&cut);
	return found;
}

/* Whether one of `globs` matches `path`; marks the ones that do. */
static bool is_globbed(const char *const *globs, size_t nglobs, bool *is_found, const char *path)
{
	bool matched = false;
	for (size_t k = 0; k < nglobs; k++)
		if (cg_change_path_named(globs[k], path))
			matched = is_found[k] = true;
	return matched;
}

/*
 * Narrows a staged change to the named paths (opts->paths). A file the
 * change touches stays as the diff made it, so its findings are still those
 * on changed lines; a named file the change does not touch joins whole from
 * the index, as --filter file would show it. That is what the pre-commit
 * framework needs: it names the files itself, every tracked one under
 * `run --all-files`, where nothing is staged.
 */
static int keep_named(struct cg_change *change, git_index *index, const struct cg_change_opts *opts)
{
	char **names = cg_calloc(opts->npaths, sizeof(*names));
	const char **globs = cg_calloc(opts->npaths, sizeof(*globs));
	bool *is_glob_found = cg_calloc(opts->npaths, sizeof(*is_glob_found));
	char **touched = NULL;
	size_t nnames = 0, nunique = 0, ntouched = 0, nglobs = 0;
	int err = 0;

	for (size_t i = 0; i < opts->npaths; i++) {
		const char *p = opts->paths[i];
		size_t len;
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		len = strlen(p);
		while (len > 0 && p[len - 1] == '/')
			len--;
		if (!len) {
			err = cg_error_set(CG_E_USAGE, "'%s': name a file or folder inside the work tree",
					   opts->paths[i]);
			goto done;
		}
		if (cg_change_path_is_glob(p))
			globs[nglobs++] = p;
		else
			names[nnames++] = cg_strndup(p, len);
	}
	qsort(names, nnames, sizeof(*names), cmp_path);
	/* A name given twice ("a.rs ./a.rs") is one name. */
	for (size_t i = 0; i < nnames; i++) {
		if (nunique && !strcmp(names[i], names[nunique - 1]))
			free(names[i]);
		else
			names[nunique++] = names[i];
	}
	nnames = nunique;

	/* The change's own files that were named stay; the rest go. */
	for (size_t i = 0; i < change->nfiles; i++) {
		bool is_globbed_too = is_globbed(globs, nglobs, is_glob_found, change->files[i].path);
		if (is_named(names, nnames, change->files[i].path) || is_globbed_too)
			change->files[ntouched++] = change->files[i];
		else
			cg_changed_file__release(&change->files[i]);
	}
	change->nfiles = ntouched;
	touched = cg_calloc(ntouched ? ntouched : 1, sizeof(*touched));
	for (size_t i = 0; i < ntouched; i++)
		touched[i] = change->files[i].path;
	qsort(touched, ntouched, sizeof(*touched), cmp_path);

	for (size_t j = 0; j < nnames; j++) {
		size_t pos, len = strlen(names[j]), found = 0;
		const git_index_entry *e;
		const char *slash = strrchr(names[j], '/');

		/* A path inside a folder also named is listed with the folder. */
		if (slash) {
			char *parent = cg_strndup(names[j], (size_t)(slash - names[j]));
			bool is_listed = is_named(names, nnames, parent);
			free(parent);
			if (is_listed)
				continue;
		}
		if (git_index_find_prefix(&pos, index, names[j]) == 0) {
			/* The prefix also matches "src-x/…" next to "src/…": those are skipped. */
			for (; (e = git_index_get_byindex(index, pos)) && !strncmp(e->path, names[j], len); pos++) {
				const char *key = e->path;
				if ((e->path[len] != '\0' && e->path[len] != '/') || git_index_entry_stage(e) != 0)
					continue;
				found++;
				if (bsearch(&key, touched, ntouched, sizeof(*touched), cmp_path))
					continue;
				cg_change__add_whole(change, e->path, &e->id, e->mode);
				change->files[change->nfiles - 1].status = CG_FILE_MODIFIED;
			}
		}
		/* A file the change deletes is in the change, no longer in the index. */
		for (size_t i = 0; i < ntouched && !found; i++)
			found = !strncmp(touched[i], names[j], len) &&
				(touched[i][len] == '\0' || touched[i][len] == '/');
		if (!found) {
			err = cg_error_set(
				CG_E_INPUT,
				"'%s' is not in the index: crabgate checks what git tracks (`git add` it first)",
				names[j]);
			goto done;
		}
	}
	/* A glob names the tracked files it matches, as a shell would expand it over `git ls-files`. */
	for (size_t pos = 0, n = nglobs ? git_index_entrycount(index) : 0; pos < n; pos++) {
		const git_index_entry *e = git_index_get_byindex(index, pos);
		const char *key = e->path;
		if (git_index_entry_stage(e) != 0 || !is_globbed(globs, nglobs, is_glob_found, e->path) ||
		    is_named(names, nnames, e->path) || bsearch(&key, touched, ntouched, sizeof(*touched), cmp_path))
			continue;
		cg_change__add_whole(change, e->path, &e->id, e->mode);
		change->files[change->nfiles - 1].status = CG_FILE_MODIFIED;
	}
	for (size_t j = 0; j < nglobs && !err; j++)
		if (!is_glob_found[j])
			err = cg_error_set(CG_E_INPUT, "'%s' matches no file in the index", globs[j]);
done:
	for (size_t j = 0; j < nnames; j++)
		free(names[j]);
	free(names);
	free(globs);
	free(is_glob_found);
	free(touched);
	return err;
}

/* An entry of the mapped index copied into libgit2's in-memory `mem`. */
static int copy_entry(git_index *mem, const struct cg_index_entry *e)
{
	git_index_entry entry;
	memset(&entry, 0, sizeof(entry));
	entry.mode = e->mode;
	entry.file_size = e->file_size;
	entry.id = e->id;
	entry.path = e->path;
	return git_index_add(mem, &entry) < 0 ? cg_error_set_git("cannot copy %s into an index in memory", e->path) : 0;
}

/*
 * The staged change of the cache-tree's `paths` (cache_tree.c) only: their
 * entries copied from the mapped index into an in-memory index, which
 * libgit2 diffs against HEAD as it would the whole one. CG_E_NOTFOUND
 * (nothing collected) on a conflict: the full index reports those.
 *
 * The patches look up .gitattributes (diff drivers, binary), which libgit2
 * reads from the work tree, then from the repository's index, loading it
 * whole: for the diff, the repository's index is the in-memory one, which
 * holds every .gitattributes of the real one too.
 */
static int diff_paths(struct cg_change *change, git_repository *repo, git_tree *tree, const struct cg_index_file *file,
		      const struct cg_pathlist *paths, git_diff_options *o)
{
	git_index *mem = NULL;
	git_diff *diff = NULL;
	int err = 0;

	if (git_index_new(&mem) < 0)
		return cg_error_set_git("cannot make an index in memory");
	for (size_t pos = 0; pos < file->n && !err; pos++) {
		const char *base = strrchr(file->entries[pos].path, '/');
		if (!strcmp(base ? base + 1 : file->entries[pos].path, ".gitattributes") &&
		    file->entries[pos].stage == 0)
			err = copy_entry(mem, &file->entries[pos]);
	}
	for (size_t i = 0; i < paths->len && !err; i++) {
		const char *p = paths->items[i];
		size_t len = strlen(p);
		bool is_folder = len && p[len - 1] == '/';
		for (size_t pos = cg_index_file_find_prefix(file, p); pos < file->n && !err; pos++) {
			const struct cg_index_entry *e = &file->entries[pos];
			if (is_folder ? !cg_starts_with(e->path, p) : strcmp(e->path, p) != 0)
				break;
			if (e->stage != 0) {
				err = CG_E_NOTFOUND;
				break;
			}
			err = copy_entry(mem, e);
		}
	}
	if (err < 0)
		goto done;
	o->pathspec.strings = paths->items;
	o->pathspec.count = paths->len;
	o->flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	if (git_repository_set_index(repo, mem) < 0) {
		err = cg_error_set_git("cannot use an index in memory");
		goto done;
	}
	if (git_diff_tree_to_index(&diff, repo, tree, mem, o) < 0)
		err = cg_error_set_git("cannot diff the index against HEAD");
	else
		err = cg_change__collect(change, diff, o);
	/* Whoever asks for the repository's index later (fix writes it) gets the real one. */
	git_repository_set_index(repo, NULL);
done:
	if (err == CG_E_NOTFOUND)
		cg_error_clear();
	git_diff_free(diff);
	git_index_free(mem);
	return err;
}

int cg_change__load_staged(struct cg_change *change, git_repository *repo, const struct cg_change_opts *opts)
{
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	struct cg_pathlist paths = { 0 };
	struct cg_index_file *file = NULL;
	bool has_paths = false;
	int err = 0, rc;

	if (git_repository_is_bare(repo)) {
		err = cg_error_set(CG_E_INPUT, "a bare repository has no index to check; use --base, --range or --all");
		goto done;
	}
	rc = git_repository_head(&head, repo);
	if (rc == 0) {
		if (git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
		    git_commit_tree(&tree, commit) < 0) {
			err = cg_error_set_git("cannot read HEAD");
			goto done;
		}
		git_oid_tostr(change->base, sizeof(change->base), git_commit_id(commit));
	} else if (rc != GIT_EUNBORNBRANCH && rc != GIT_ENOTFOUND) {
		err = cg_error_set_git("cannot read HEAD");
		goto done;
	}
	cg_change__diff_opts(&o, opts);
	/*
	 * The index's cache-tree names the few paths a commit would change, so
	 * the diff reads only the trees above them, as git does, instead of all
	 * of HEAD's. Without a usable cache-tree, diff everything.
	 */
	if (tree && cg_index_file_open(&file, repo) == 0 && cg_index_changed_paths(&paths, repo, file, tree) == 0)
		has_paths = true;
	/*
	 * A plain hook needs nothing else from the index: the mapped file is the
	 * snapshot, and libgit2's loader, which hashes the whole file and every
	 * entry, is never run.
	 */
	if (has_paths && !opts->npaths) {
		if (paths.len && (err = diff_paths(change, repo, tree, file, &paths, &o)) < 0 && err != CG_E_NOTFOUND)
			goto done;
		if (!err) {
			err = cg_snapshot_open_index_file(&change->snapshot, repo, file);
			file = NULL;
			goto done;
		}
		err = 0;
		has_paths = false;
	}
	if (git_repository_index(&index, repo) < 0) {
		err = cg_error_set_git("cannot read the index");
		goto done;
	}
	/* The file mapped must be the one libgit2 loaded: a `git add` in between would make it another. */
	if (has_paths && (!git_index_checksum(index) ||
			  memcmp(git_index_checksum(index)->id, file->map + file->size - GIT_OID_RAWSZ, GIT_OID_RAWSZ)))
		has_paths = false;
	if (has_paths) {
		if (!paths.len)
			goto snapshot; /* nothing staged */
		o.pathspec.strings = paths.items;
		o.pathspec.count = paths.len;
		o.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_index(&diff, repo, tree, index, &o) < 0) {
		err = cg_error_set_git("cannot diff the index against HEAD");
		goto done;
	}
	if ((err = cg_change__collect(change, diff, &o)) < 0)
		goto done;
snapshot:
	if (opts->npaths && (err = keep_named(change, index, opts)) < 0)
		goto done;
	err = cg_snapshot_open_index(&change->snapshot, repo, index);
	index = NULL;
done:
	cg_pathlist_release(&paths);
	cg_index_file_free(file);
	git_diff_free(diff);
	git_index_free(index);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return err;
}
