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
	/* Non-blocking, so that opening a FIFO returns at once and is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int err = 0;
	size_t old_limit = out->limit;

	if (fd < 0)
		return cg_error_set(errno == ENOENT ? CG_E_NOTFOUND : CG_E_IO, "%s: cannot read: %s", path,
				    strerror(errno));
	/* A FIFO or a device would block the run forever or never end: only regular files are read. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return cg_error_set(CG_E_IO, "%s: not a regular file (a FIFO, device or folder); give a regular file",
				    path);
	}
	out->limit = cap;
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
	out->limit = old_limit;
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

static int write_all(int fd, const char *path, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cg_error_set(CG_E_IO, "%s: write error: %s", path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Follows the symbolic links of `path` to the name they lead to, into `out`,
 * with each parent folder made canonical on the way, so /dev/stdout and
 * /dev/fd/N show as the /proc/PID/fd/N they are. A name that does not exist
 * (a new file, a dangling link's target) ends the walk.
 */
static int resolve_links(struct cg_buf *out, const char *path)
{
	struct cg_buf link = CG_BUF_INIT;
	int err = 0;

	cg_buf_puts(out, path);
	for (int hops = 0; hops < 40; hops++) {
		char *slash = strrchr(out->ptr, '/'), *dir;
		struct stat st;
		ssize_t n;

		if (slash && slash != out->ptr) {
			*slash = '\0';
			dir = realpath(out->ptr, NULL);
			*slash = '/';
			if (dir) {
				char *base = cg_strdup(slash);
				cg_buf_truncate(out, 0);
				cg_buf_printf(out, "%s%s", strcmp(dir, "/") ? dir : "", base);
				free(base);
				free(dir);
			}
		}
		if (cg_starts_with(out->ptr, "/proc/") || lstat(out->ptr, &st) < 0 || !S_ISLNK(st.st_mode))
			goto done;
		cg_buf_truncate(&link, 0);
		cg_buf_grow(&link, (size_t)st.st_size + 1);
		n = readlink(out->ptr, link.ptr, link.asize);
		if (n < 0 || (size_t)n >= link.asize)
			goto done; /* changed meanwhile: rename or open reports what is there */
		link.ptr[n] = '\0';
		link.size = (size_t)n;
		/* A relative target is relative to the link's folder. */
		slash = strrchr(out->ptr, '/');
		cg_buf_truncate(out, link.ptr[0] == '/' || !slash ? 0 : (size_t)(slash - out->ptr + 1));
		cg_buf_puts(out, link.ptr);
	}
	err = cg_error_set(CG_E_IO, "%s: cannot write: too many levels of symbolic links", path);
done:
	cg_buf_release(&link);
	return err;
}

/* This process's file descriptor that `resolved` (/proc/PID/fd/N) names, or -1. */
static int own_fd(const char *resolved)
{
	char own[64];
	long fd;
	int n = snprintf(own, sizeof(own), "/proc/%ld/fd/", (long)getpid());
	if (n < 0 || strncmp(resolved, own, (size_t)n) || cg_parse_long(&fd, resolved + n, 0, 1 << 20) < 0)
		return -1;
	return (int)fd;
}

/*
 * Writes into what stands at `path` (a device, a FIFO, a socket, an open
 * file of ours) instead of replacing it. One of our own descriptors is
 * written through itself, at its own offset: opening /dev/stdout anew when
 * it is a file would start at the top and overwrite what is there.
 */
static int write_in_place(const char *path, const char *resolved, const void *data, size_t len)
{
	int fd = own_fd(resolved), err;

	if (fd >= 0) {
		fflush(NULL); /* whatever stdio holds for that descriptor goes first */
		return write_all(fd, path, data, len);
	}
	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cg_error_set(CG_E_IO, "%s: cannot write: %s", path, strerror(errno));
	err = write_all(fd, path, data, len);
	if (close(fd) < 0 && !err)
		err = cg_error_set(CG_E_IO, "%s: write error: %s", path, strerror(errno));
	return err;
}

int cg_fs_write_atomic(const char *path, const void *data, size_t len)
{
	struct cg_buf target = CG_BUF_INIT, tmp = CG_BUF_INIT;
	struct stat st;
	int fd, err = 0;

	if ((err = resolve_links(&target, path)) < 0)
		goto done;
	/* Only a regular file (or none yet) is replaced; a rename over /dev/null would make it one. */
	if (cg_starts_with(target.ptr, "/proc/") || (stat(target.ptr, &st) == 0 && !S_ISREG(st.st_mode))) {
		err = write_in_place(path, target.ptr, data, len);
		goto done;
	}
	if ((err = cg_fs_mkparents(target.ptr)) < 0)
		goto done;
	cg_buf_printf(&tmp, "%s.crabgate-XXXXXX", target.ptr);
	fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (fd < 0) {
		err = cg_error_set(CG_E_IO, "%s: cannot write: %s", path, strerror(errno));
		goto done;
	}
	err = write_all(fd, path, data, len);
	if (!err && fchmod(fd, 0644) < 0)
		err = cg_error_set(CG_E_IO, "%s: cannot set permissions: %s", path, strerror(errno));
	if (close(fd) < 0 && !err)
		err = cg_error_set(CG_E_IO, "%s: write error: %s", path, strerror(errno));
	if (!err && rename(tmp.ptr, target.ptr) < 0)
		err = cg_error_set(CG_E_IO, "%s: cannot replace: %s", path, strerror(errno));
	if (err)
		unlink(tmp.ptr);
done:
	cg_buf_release(&target);
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
