/* The unified-diff parser on arbitrary bytes. */
#include <git2.h>
#include <stdint.h>
#include <stdlib.h>

#include "change/change.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_change change;
	static int init;
	if (!init) {
		git_libgit2_init();
		init = 1;
	}
	if (cg_change_from_diff_text(&change, NULL, (const char *)data, size) == 0) {
		for (size_t i = 0; i < change.nfiles; i++) {
			struct cg_changed_file *f = &change.files[i];
			const char *text;
			size_t len;
			for (size_t k = 1; k < f->nadded; k++)
				if (f->added[k].start <= f->added[k - 1].end)
					abort(); /* added ranges must stay sorted and disjoint */
			cg_change_content(&change, f, &text, &len);
		}
	}
	cg_change_release(&change);
	cg_error_clear();
	return 0;
}
