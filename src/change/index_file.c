/*
 * The index file read the way git reads it: mapped, its entries parsed in
 * place, its checksum not computed. libgit2 1.5's git_repository_index
 * SHA-1s the whole file and hashes every entry into a map on each load: on
 * a 1,800-file workspace that was 12 of a hook's 80 million instructions,
 * and it grows with the repository, not the change. git itself checks the
 * checksum only under fsck.
 *
 * Anything this reader does not know answers CG_E_NOTFOUND and the caller
 * loads libgit2's index as before: an extension git marks as required (a
 * split or sparse index), intent-to-add entries, a case-insensitive
 * repository, a malformed file.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "change/snapshot.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define INDEX_MAX_BYTES (1024u * 1024 * 1024)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* git's offset varint (version 4 paths): each continuation adds one before the shift. */
static bool get_varint(const unsigned char **p, const unsigned char *end, size_t *out)
{
	const unsigned char *s = *p;
	size_t v;
	if (s >= end)
		return false;
	v = *s & 0x7f;
	while (*s++ & 0x80) {
		if (s >= end || v > (SIZE_MAX >> 8))
			return false;
		v = ((v + 1) << 7) | (*s & 0x7f);
	}
	*p = s;
	*out = v;
	return true;
}

/* Entries in file order (path, then stage). Version 4's paths are rebuilt into `arena`. */
static int parse_entries(struct cg_index_file *f, const unsigned char *data, size_t size)
{
	const unsigned char *p = data + 12, *end = data + size - GIT_OID_RAWSZ;
	uint32_t version = be32(data + 4), count = be32(data + 8);
	struct cg_buf prev = CG_BUF_INIT;
	size_t *offsets = NULL; /* version 4: each path's offset in the arena, until it stops moving */
	int err = 0;

	if (version < 2 || version > 4 || (size_t)count > (size - 12) / 62)
		return CG_E_NOTFOUND;
	f->entries = cg_calloc(count ? count : 1, sizeof(*f->entries));
	if (version == 4)
		offsets = cg_calloc(count ? count : 1, sizeof(*offsets));
	for (uint32_t i = 0; i < count; i++) {
		struct cg_index_entry *e = &f->entries[i];
		size_t path_at = 62, name_len;
		unsigned flags;

		if (end - p < 64) {
			err = CG_E_NOTFOUND;
			goto done;
		}
		e->mode = be32(p + 24);
		e->file_size = be32(p + 36);
		git_oid_fromraw(&e->id, p + 40);
		flags = be16(p + 60);
		e->stage = (flags >> 12) & 3;
		if (flags & 0x4000) {
			/* Extended flags (version 3+): skip-worktree is fine, intent-to-add is libgit2's to handle. */
			if (version < 3 || (be16(p + 62) & GIT_INDEX_ENTRY_INTENT_TO_ADD)) {
				err = CG_E_NOTFOUND;
				goto done;
			}
			path_at += 2;
		}
		if (version == 4) {
			const unsigned char *s = p + path_at, *nul;
			size_t strip;
			if (!get_varint(&s, end, &strip) || strip > prev.size ||
			    !(nul = memchr(s, '\0', (size_t)(end - s)))) {
				err = CG_E_NOTFOUND;
				goto done;
			}
			cg_buf_truncate(&prev, prev.size - strip);
			cg_buf_put(&prev, s, (size_t)(nul - s));
			offsets[i] = f->arena.size;
			cg_buf_put(&f->arena, prev.ptr, prev.size + 1); /* with its NUL */
			p = nul + 1;
			continue;
		}
		name_len = flags & 0xfff;
		if (name_len == 0xfff) {
			const unsigned char *nul = memchr(p + path_at, '\0', (size_t)(end - p - (long)path_at));
			if (!nul) {
				err = CG_E_NOTFOUND;
				goto done;
			}
			name_len = (size_t)(nul - p) - path_at;
		}
		/* Versions 2 and 3 pad each entry with 1 to 8 NULs to a multiple of 8: the path ends in the file. */
		if ((size_t)(end - p) < ((path_at + name_len + 8) & ~(size_t)7) || p[path_at + name_len] != '\0' ||
		    memchr(p + path_at, '\0', name_len)) {
			err = CG_E_NOTFOUND;
			goto done;
		}
		e->path = (const char *)p + path_at;
		p += (path_at + name_len + 8) & ~(size_t)7;
	}
	if (version == 4)
		for (uint32_t i = 0; i < count; i++)
			f->entries[i].path = f->arena.ptr + offsets[i];
	f->n = count;
	f->ext = p;
	f->ext_end = end;
	/* An extension whose signature starts with a lowercase letter must be understood: not by us. */
	while (end - p >= 8) {
		uint32_t len = be32(p + 4);
		if ((uint64_t)len > (uint64_t)(end - p - 8) || p[0] < 'A' || p[0] > 'Z') {
			err = CG_E_NOTFOUND;
			goto done;
		}
		p += 8 + len;
	}
	if (p != end)
		err = CG_E_NOTFOUND;
	/* Sorted as git sorts (bytes, then stage), or the lookups below would miss. */
	for (uint32_t i = 1; i < count && !err; i++) {
		int c = strcmp(f->entries[i - 1].path, f->entries[i].path);
		if (c > 0 || (c == 0 && f->entries[i - 1].stage >= f->entries[i].stage))
			err = CG_E_NOTFOUND;
	}
done:
	free(offsets);
	cg_buf_release(&prev);
	return err;
}

static bool is_ignore_case(git_repository *repo)
{
	git_config *cfg = NULL;
	int value = 0;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		git_error_clear();
		return true; /* unknown: let libgit2 decide */
	}
	if (git_config_get_bool(&value, cfg, "core.ignorecase") < 0)
		git_error_clear();
	git_config_free(cfg);
	return value != 0;
}

int cg_index_file_open(struct cg_index_file **out, git_repository *repo)
{
	struct cg_buf path = CG_BUF_INIT;
	const char *gitdir = git_repository_path(repo), *env = getenv("GIT_INDEX_FILE");
	struct stat st;
	void *map;
	int fd, err;

	*out = NULL;
	if (!gitdir || git_repository_is_bare(repo) || is_ignore_case(repo))
		return CG_E_NOTFOUND;
	/*
	 * git runs a pre-commit hook with GIT_INDEX_FILE naming the index the
	 * commit is made from; main.c opens the repository FROM_ENV, so
	 * libgit2's index is that file too, taken as given (from the cwd).
	 */
	if (env && *env)
		cg_buf_puts(&path, env);
	else
		cg_buf_printf(&path, "%s%sindex", gitdir, cg_ends_with(gitdir, "/") ? "" : "/");
	fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
	cg_buf_release(&path);
	if (fd < 0)
		return CG_E_NOTFOUND;
	/* Mapped, not read: copying a megabyte-sized index into fresh heap pages costs more than parsing it. */
	if (fstat(fd, &st) < 0 || st.st_size < 12 + GIT_OID_RAWSZ || (uint64_t)st.st_size > INDEX_MAX_BYTES ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return CG_E_NOTFOUND;
	}
	close(fd);
	err = cg_index_file_parse(out, map, (size_t)st.st_size);
	if (err < 0) {
		munmap(map, (size_t)st.st_size);
		return err;
	}
	(*out)->is_mapped = true;
	return 0;
}

int cg_index_file_parse(struct cg_index_file **out, const void *data, size_t size)
{
	struct cg_index_file *f;

	*out = NULL;
	if (size < 12 + GIT_OID_RAWSZ || memcmp(data, "DIRC", 4))
		return CG_E_NOTFOUND;
	f = cg_calloc(1, sizeof(*f));
	f->map = data;
	f->size = size;
	cg_buf_init(&f->arena);
	if (parse_entries(f, data, size) < 0) {
		cg_index_file_free(f);
		return CG_E_NOTFOUND;
	}
	*out = f;
	return 0;
}

void cg_index_file_free(struct cg_index_file *f)
{
	if (!f)
		return;
	if (f->is_mapped)
		munmap((void *)f->map, f->size);
	free(f->entries);
	cg_buf_release(&f->arena);
	free(f);
}

size_t cg_index_file_find_prefix(const struct cg_index_file *f, const char *prefix)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(f->entries[mid].path, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct cg_index_entry *cg_index_file_get(const struct cg_index_file *f, const char *path)
{
	size_t pos = cg_index_file_find_prefix(f, path);
	for (; pos < f->n && !strcmp(f->entries[pos].path, path); pos++)
		if (f->entries[pos].stage == 0)
			return &f->entries[pos];
	return NULL;
}
