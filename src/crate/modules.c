#include "crate/modules.h"

#include <stdlib.h>
#include <string.h>

#include "crate/crate_private.h"
#include "syntax/items.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

struct cg_module_files {
	struct cg_module_file **items; /* sorted by path */
	size_t n, cap;
};

struct cg_module_files *cg_crate__module_files_new(void)
{
	return cg_calloc(1, sizeof(struct cg_module_files));
}

void cg_crate__module_files_free(struct cg_module_files *mf)
{
	if (!mf)
		return;
	for (size_t i = 0; i < mf->n; i++) {
		for (size_t k = 0; k < mf->items[i]->nmods; k++)
			free(mf->items[i]->mods[k].name);
		free(mf->items[i]->mods);
		cg_buf_release(&mf->items[i]->uses);
		free(mf->items[i]->path);
		free(mf->items[i]);
	}
	free(mf->items);
	free(mf);
}

static void scan(struct cg_crate_cache *cache, struct cg_module_file *mf)
{
	struct cg_buf text = CG_BUF_INIT;
	struct cg_items items = CG_ITEMS_INIT;
	size_t cap = 0;

	if (!cg_crate__read_file(cache, mf->path, &text))
		return;
	if (cg_items_scan_expanded(&items, text.ptr, text.size) == 0) {
		mf->is_read = true;
		for (size_t i = 0; i < items.n; i++) {
			const struct cg_item *it = &items.items[i];
			uint32_t up = it->parent;
			/* `cfg_net! { mod tcp; }` declares tcp where the macro call stands. */
			while (up != CG_ITEM_TOP && items.items[up].kind == CG_ITEM_OTHER)
				up = items.items[up].parent;
			if (it->kind == CG_ITEM_MOD_DECL && up == CG_ITEM_TOP && it->name_len) {
				cg_array_grow((void **)&mf->mods, &cap, mf->nmods + 1, sizeof(*mf->mods));
				mf->mods[mf->nmods++] =
					(struct cg_module_decl){ cg_strndup(text.ptr + it->name, it->name_len),
								 it->visibility };
			} else if (it->kind == CG_ITEM_USE && it->visibility == 2) {
				cg_buf_put(&mf->uses, text.ptr + it->decl, it->end - it->decl);
				cg_buf_putc(&mf->uses, '\n');
			}
		}
	}
	cg_error_clear();
	cg_items_release(&items);
	cg_buf_release(&text);
}

const struct cg_module_file *cg_crate_module_file(struct cg_crate_cache *cache, const char *path)
{
	struct cg_module_files *files = cg_crate__module_files(cache);
	struct cg_module_file *mf;
	size_t lo = 0, hi;

	cg_change_lock(cg_crate__change(cache));
	hi = files->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(files->items[mid]->path, path);
		if (!c) {
			mf = files->items[mid];
			goto done;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	mf = cg_calloc(1, sizeof(*mf));
	mf->path = cg_strdup(path);
	cg_buf_init(&mf->uses);
	scan(cache, mf);
	cg_array_grow((void **)&files->items, &files->cap, files->n + 1, sizeof(*files->items));
	memmove(&files->items[lo + 1], &files->items[lo], (files->n - lo) * sizeof(*files->items));
	files->items[lo] = mf;
	files->n++;
done:
	cg_change_unlock(cg_crate__change(cache));
	return mf;
}

int cg_module_file_decl(const struct cg_module_file *mf, const char *name, size_t len)
{
	int vis = 0;
	for (size_t i = 0; i < mf->nmods && vis < 2; i++)
		if (strlen(mf->mods[i].name) == len && !memcmp(mf->mods[i].name, name, len))
			vis = mf->mods[i].visibility == 2 ? 2 : 1;
	return vis;
}
