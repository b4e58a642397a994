/* Baselines: the file of accepted fingerprints, and which findings it hides. */
#include <stdlib.h>
#include <string.h>

#include "rules/pass.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/banned.h"

int cg_pass__baseline_load(char ***fps, size_t *n, const char *path)
{
	*fps = NULL;
	*n = 0;
	return path && *path ? cg_baseline_load(fps, n, path) : 0;
}

int cg_pass__cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cg_baseline_load(char ***out, size_t *n, const char *path)
{
	struct cg_buf text = CG_BUF_INIT;
	char **fps = NULL;
	size_t len = 0, cap = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = cg_fs_read(&text, path, 64u * 1024 * 1024)) < 0)
		return cg_error_set(CG_E_INPUT, "baseline %s: %s", path, cg_error_last());
	for (char *line = text.ptr; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' '))
			l--;
		if (l && line[0] != '#') {
			size_t w = 0;
			while (w < l && line[w] != ' ' && line[w] != '\t')
				w++;
			cg_array_grow((void **)&fps, &cap, len + 1, sizeof(*fps));
			fps[len++] = cg_strndup(line, w);
		}
		line = nl ? nl + 1 : NULL;
	}
	qsort(fps, len, sizeof(*fps), cg_pass__cmp_str);
	cg_buf_release(&text);
	*out = fps;
	*n = len;
	return 0;
}

int cg_baseline_write(const char *path, const struct cg_findings *findings)
{
	struct cg_buf out = CG_BUF_INIT;
	int err;
	cg_buf_puts(&out,
		    "# crabgate baseline: findings listed here are hidden by `crabgate check --baseline`.\n"
		    "# fingerprint  rule  path (the path and rule are for people; only the fingerprint counts)\n");
	for (size_t i = 0; i < findings->len; i++) {
		const struct cg_finding *f = &findings->items[i];
		if (f->is_suppressed)
			continue;
		cg_buf_printf(&out, "%s %s %s\n", f->fingerprint, f->rule, f->path);
	}
	err = cg_fs_write_atomic(path, out.ptr, out.size);
	cg_buf_release(&out);
	return err;
}

bool cg_pass__is_baselined(const struct pass_env *env, const char *fingerprint)
{
	return env->nbaseline &&
	       bsearch(&fingerprint, env->baseline, env->nbaseline, sizeof(*env->baseline), cg_pass__cmp_str) != NULL;
}

/*
 * Suppressed copies take occurrence numbers but are never written to a
 * baseline, so a group's baselined numbers may skip a few past its size.
 */
#define BASELINE_GAP_SLACK 16

/*
 * The baseline is a multiset: of n identical findings (one group of
 * `slots`) it hides as many as it lists, whatever their occurrence numbers,
 * and shows the surplus, on added lines first and latest first. Numbers
 * alone would let an added copy take the old copy's number, as git's diff
 * may mark either copy as the added one.
 */
void cg_pass__mark_baselined(struct cg_findings *raw, const struct cg_fingerprint_slot *slots,
			     const struct cg_source *src, const struct cg_changed_file *file,
			     const struct pass_env *env)
{
	for (size_t g = 0, end; g < raw->len; g = end) {
		struct cg_finding *first = &raw->items[slots[g].index];
		struct cg_buf span = CG_BUF_INIT;
		size_t members = 0, listed = 0, shown;

		for (end = g; end < raw->len && !strcmp(slots[end].base, slots[g].base); end++)
			members += !raw->items[slots[end].index].is_suppressed;
		cg_pass__span_text(&span, src, first);
		for (size_t occ = 0; listed < members && occ < end - g + BASELINE_GAP_SLACK; occ++) {
			char fp[CG_FINGERPRINT_SIZE];
			cg_fingerprint(fp, first->rule, first->path, span.ptr, span.size, (unsigned)occ);
			listed += cg_pass__is_baselined(env, fp);
		}
		cg_buf_release(&span);
		shown = members - listed;
		for (size_t i = g; i < end; i++) {
			struct cg_finding *f = &raw->items[slots[i].index];
			f->is_baselined = !f->is_suppressed;
		}
		for (int pass = 0; pass < 2 && shown; pass++) {
			for (size_t i = end; i-- > g && shown;) {
				struct cg_finding *f = &raw->items[slots[i].index];
				if (!f->is_baselined || (pass == 0 && !cg_pass__visible(file, f, CG_FILTER_ADDED)))
					continue;
				f->is_baselined = false;
				shown--;
			}
		}
	}
}
