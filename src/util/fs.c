#define _GNU_SOURCE
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

int cg_fs_read(struct cg_buf *out, const char *path, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n;
	int err = 0;
	size_t old_cap = out->cap;

	if (fd < 0)
		return cg_error_set(errno == ENOENT ? CG_E_NOTFOUND : CG_E_IO, "%s: cannot read: %s", path, strerror(errno));
	out->cap = cap;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = cg_error_set(CG_E_IO, "%s: read error: %s", path, strerror(errno));
			break;
		}
		if (cg_buf_put(out, chunk, (size_t)n) < 0) {
			err = cg_error_set(CG_E_TOOBIG, "%s: larger than %zu bytes", path, cap);
			break;
		}
	}
	out->cap = old_cap;
	close(fd);
	return err;
}

int cg_fs_mkparents(const char *path)
{
	char *dup = cg_strdup(path);
	int err = 0;
	for (char *p = dup + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dup, 0777) < 0 && errno != EEXIST) {
			err = cg_error_set(CG_E_IO, "%s: cannot create folder: %s", dup, strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dup);
	return err;
}

int cg_fs_write_atomic(const char *path, const void *data, size_t len)
{
	struct cg_buf tmp = CG_BUF_INIT;
	const char *p = data;
	int fd, err = 0;

	if ((err = cg_fs_mkparents(path)) < 0)
		return err;
	cg_buf_printf(&tmp, "%s.crabgate-XXXXXX", path);
	fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (fd < 0) {
		err = cg_error_set(CG_E_IO, "%s: cannot write: %s", path, strerror(errno));
		goto done;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = cg_error_set(CG_E_IO, "%s: write error: %s", path, strerror(errno));
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!err && fchmod(fd, 0644) < 0)
		err = cg_error_set(CG_E_IO, "%s: cannot set permissions: %s", path, strerror(errno));
	if (close(fd) < 0 && !err)
		err = cg_error_set(CG_E_IO, "%s: write error: %s", path, strerror(errno));
	if (!err && rename(tmp.ptr, path) < 0)
		err = cg_error_set(CG_E_IO, "%s: cannot replace: %s", path, strerror(errno));
	if (err)
		unlink(tmp.ptr);
done:
	cg_buf_release(&tmp);
	return err;
}

int cg_fs_mkdtemp(struct cg_buf *out, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	cg_buf_printf(out, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(out->ptr))
		return cg_error_set(CG_E_IO, "cannot create a temporary folder in %s: %s", tmp && *tmp ? tmp : "/tmp",
				    strerror(errno));
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int cg_fs_rmtree(const char *path)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return cg_error_set(CG_E_IO, "%s: cannot remove: %s", path, strerror(errno));
	return 0;
}
