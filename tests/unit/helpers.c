#define _XOPEN_SOURCE 700
#include "helpers.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fs.h"

void sandbox_init(struct sandbox *sb, int is_bare)
{
	struct cg_buf dir = CG_BUF_INIT;
	git_libgit2_init();
	assert_int_equal(cg_fs_mkdtemp(&dir, "crabgate-test"), 0);
	snprintf(sb->dir, sizeof(sb->dir), "%s", dir.ptr);
	cg_buf_release(&dir);
	assert_int_equal(git_repository_init(&sb->repo, sb->dir, (unsigned)is_bare), 0);
}

void sandbox_free(struct sandbox *sb)
{
	git_repository_free(sb->repo);
	sb->repo = NULL;
	cg_fs_rmtree(sb->dir);
	git_libgit2_shutdown();
}

void sandbox_write_bytes(struct sandbox *sb, const char *path, const void *data, size_t len)
{
	char full[8192];
	snprintf(full, sizeof(full), "%s/%s", sb->dir, path);
	assert_int_equal(cg_fs_write_atomic(full, data, len), 0);
}

void sandbox_write(struct sandbox *sb, const char *path, const char *text)
{
	sandbox_write_bytes(sb, path, text, strlen(text));
}

void sandbox_remove(struct sandbox *sb, const char *path)
{
	char full[8192];
	snprintf(full, sizeof(full), "%s/%s", sb->dir, path);
	assert_int_equal(remove(full), 0);
}

void sandbox_stage(struct sandbox *sb, const char *path)
{
	git_index *index;
	char full[8192];
	struct stat st;
	assert_int_equal(git_repository_index(&index, sb->repo), 0);
	snprintf(full, sizeof(full), "%s/%s", sb->dir, path);
	if (lstat(full, &st) == 0)
		assert_int_equal(git_index_add_bypath(index, path), 0);
	else
		assert_int_equal(git_index_remove_bypath(index, path), 0);
	assert_int_equal(git_index_write(index), 0);
	git_index_free(index);
}

void sandbox_commit(struct sandbox *sb, const char *message, char out[GIT_OID_HEXSZ + 1])
{
	git_index *index;
	git_oid tree_id, commit_id;
	git_tree *tree;
	git_signature *sig;
	git_reference *head = NULL;
	git_commit *parent = NULL;
	int nparents = 0;

	assert_int_equal(git_repository_index(&index, sb->repo), 0);
	assert_int_equal(git_index_write_tree(&tree_id, index), 0);
	assert_int_equal(git_tree_lookup(&tree, sb->repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&sig, "Test", "test@example.invalid", 1700000000, 0), 0);
	if (git_repository_head(&head, sb->repo) == 0) {
		assert_int_equal(git_reference_peel((git_object **)&parent, head, GIT_OBJECT_COMMIT), 0);
		nparents = 1;
	}
	assert_int_equal(git_commit_create(&commit_id, sb->repo, "HEAD", sig, sig, NULL, message, tree,
					   (size_t)nparents, (const git_commit **)&parent),
			 0);
	if (out)
		git_oid_tostr(out, GIT_OID_HEXSZ + 1, &commit_id);
	git_commit_free(parent);
	git_reference_free(head);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
}

static struct {
	char **paths;
	size_t n, cap;
} collecting;

static int collect_rs(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);
	(void)st;
	(void)ftw;
	if (type == FTW_F && n > 3 && !strcmp(path + n - 3, ".rs")) {
		if (collecting.n == collecting.cap) {
			collecting.cap = collecting.cap ? collecting.cap * 2 : 1024;
			collecting.paths = realloc(collecting.paths, collecting.cap * sizeof(*collecting.paths));
			assert_non_null(collecting.paths);
		}
		collecting.paths[collecting.n++] = strdup(path);
	}
	return 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t rs_files(const char *root, char ***paths)
{
	size_t n;
	memset(&collecting, 0, sizeof(collecting));
	if (nftw(root, collect_rs, 32, FTW_PHYS) != 0) {
		rs_files_free(collecting.paths, collecting.n);
		*paths = NULL;
		return 0;
	}
	qsort(collecting.paths, collecting.n, sizeof(*collecting.paths), cmp_path);
	*paths = collecting.paths;
	n = collecting.n;
	memset(&collecting, 0, sizeof(collecting));
	return n;
}

void rs_files_free(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}
