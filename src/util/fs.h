#ifndef CG_UTIL_FS_H
#define CG_UTIL_FS_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Reads a whole regular file into `out`, refusing more than `cap` bytes
 * (CG_E_TOOBIG); CG_E_NOTFOUND when absent, CG_E_IO for anything that is
 * not a regular file (a FIFO would block forever) or cannot be read.
 */
int cg_fs_read(struct cg_buf *out, const char *path, size_t cap);
/*
 * Writes `data` to `path`. A regular file, or a name that does not exist yet,
 * is replaced through a temporary file in the same folder and a rename, so
 * readers see the old file or the new one, never half of it; symbolic links
 * are followed first, so the link stays and its target changes. Anything
 * else (a device such as /dev/null, a FIFO, a socket, /dev/stdout) is opened
 * and written in place, never replaced.
 */
int cg_fs_write_atomic(const char *path, const void *data, size_t len);
/* Creates a fresh private folder under $TMPDIR; the path goes to `out`. */
int cg_fs_mkdtemp(struct cg_buf *out, const char *prefix);
/* Removes a folder and everything below it (without following links). */
int cg_fs_rmtree(const char *path);
/* Creates the folders of `path` (mkdir -p of its parent). */
int cg_fs_mkparents(const char *path);

#endif
