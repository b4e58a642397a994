/* Which files the rules read, and which findings a --filter shows. */
#include <string.h>

#include "rules/pass.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

int cg_filter_parse(enum cg_filter *out, const char *name)
{
	static const char *names[] = { "added", "diff_context", "file", "all" };
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum cg_filter)i;
			return 0;
		}
	}
	return cg_error_set(CG_E_USAGE, "--filter '%s': expected one of added, diff_context, file, all", name);
}

const char *cg_filter_name(enum cg_filter filter)
{
	static const char *names[] = { "added", "diff_context", "file", "all" };
	return names[filter];
}

unsigned cg_file_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (cg_ends_with(base, ".rs"))
		return CG_KIND_RUST;
	if (!strcmp(base, "Cargo.toml"))
		return CG_KIND_CARGO_TOML;
	if (!strcmp(base, "Cargo.lock"))
		return CG_KIND_CARGO_LOCK;
	return 0;
}

bool cg_rules_reads_path(const char *path)
{
	return cg_file_kind_of(path) != 0;
}

bool cg_pass__visible(const struct cg_changed_file *f, const struct cg_finding *fd, enum cg_filter filter)
{
	if (filter == CG_FILTER_ALL || filter == CG_FILTER_FILE)
		return true;
	for (uint32_t l = fd->line; l <= fd->end_line; l++) {
		if (filter == CG_FILTER_ADDED ? cg_changed_file_is_added(f, l) : cg_changed_file_in_hunks(f, l))
			return true;
		if (l - fd->line > 10000)
			break;
	}
	return false;
}

/* Whether any line in [first, last] is reported under the filter (ADDED or DIFF_CONTEXT). */
bool cg_pass__lines_visible(const struct cg_changed_file *f, enum cg_filter filter, uint32_t first, uint32_t last)
{
	bool is_added = filter == CG_FILTER_ADDED;
	size_t lo = 0, n = is_added ? f->nadded : f->nhunks, hi = n;
	/* The first range (added lines, or a hunk's new side) that ends at or after `first`; sorted and disjoint. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t end = is_added ? f->added[mid].end : f->hunks[mid].new_start + f->hunks[mid].new_count - 1;
		if (end < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && (is_added ? f->added[lo].start : f->hunks[lo].new_start) <= last;
}
