/*
 * Answers cached by a hash of what was asked, so a re-run of the same change
 * asks nothing. Only the model's answer text is stored: the request (the
 * masked code) is only hashed, and the API key is never part of either.
 */
#include "review/review_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/banned.h"

#define CACHE_MAX_ENTRY ((size_t)4 << 20)

int cg_review_cache_dir(struct cg_buf *out, git_repository *repo)
{
	const char *gitdir = repo ? git_repository_path(repo) : NULL;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	cg_buf_truncate(out, 0);
	if (gitdir && *gitdir)
		return cg_buf_printf(out, "%s%scrabgate/review-cache", gitdir, cg_ends_with(gitdir, "/") ? "" : "/");
	if (xdg && *xdg)
		return cg_buf_printf(out, "%s/crabgate/review-cache", xdg);
	if (home && *home)
		return cg_buf_printf(out, "%s/.cache/crabgate/review-cache", home);
	return cg_error_set(CG_E_NOTFOUND, "no place for the review cache (no git dir, XDG_CACHE_HOME or HOME)");
}

void cg_review_cache_key(char out[CG_SHA1_HEX_SIZE], const struct cg_review_provider *p, const char *body, size_t len)
{
	struct cg_buf b = CG_BUF_INIT;
	/* Version first: a change to what is stored invalidates old entries. */
	cg_buf_printf(&b, "crabgate-review-cache-1\n%s\n%s\n%s\n", cg_review_provider_name(p->kind), p->model, p->url);
	cg_buf_put(&b, body, len);
	cg_sha1_hex(out, b.ptr, b.size);
	cg_buf_release(&b);
}

static void entry_path(struct cg_buf *out, const char *dir, const char *key)
{
	cg_buf_printf(out, "%s/%.2s/%s.txt", dir, key, key + 2);
}

int cg_review_cache_get(struct cg_buf *out, const char *dir, const char *key)
{
	struct cg_buf path = CG_BUF_INIT;
	int err;
	cg_buf_truncate(out, 0);
	entry_path(&path, dir, key);
	err = cg_fs_read(out, path.ptr, CACHE_MAX_ENTRY);
	if (err < 0) {
		cg_buf_truncate(out, 0);
		err = cg_error_set(CG_E_NOTFOUND, "no cached answer");
	}
	cg_buf_release(&path);
	return err;
}

int cg_review_cache_put(const char *dir, const char *key, const char *text, size_t len)
{
	struct cg_buf path = CG_BUF_INIT;
	int err;
	entry_path(&path, dir, key);
	if ((err = cg_fs_mkparents(path.ptr)) == 0)
		err = cg_fs_write_atomic(path.ptr, text, len);
	cg_buf_release(&path);
	return err;
}
