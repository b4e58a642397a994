/* The index file reader (src/change/index_file.c) on arbitrary bytes: it answers or declines, never reads outside them.
 */
#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "change/snapshot.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_index_file *f;
	/* An exact-size copy, so ASan sees a read one byte past the file. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (cg_index_file_parse(&f, copy, size) == 0) {
		for (size_t i = 0; i < f->n; i++) {
			const struct cg_index_entry *e = &f->entries[i];
			if (cg_index_file_find_prefix(f, e->path) > i)
				abort(); /* entries are sorted: a path's first entry is at or before it */
			if (e->stage == 0 && cg_index_file_get(f, e->path) != e)
				abort();
		}
		if (f->ext > f->ext_end)
			abort();
		cg_index_file_free(f);
	}
	cg_error_clear();
	free(copy);
	return 0;
}
