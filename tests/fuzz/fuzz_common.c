#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "change/build.h" /* until the harness builds its change from a diff (below) */
#include "config/config.h"
#include "rules/rule.h"
#include "util/error.h"

static struct cg_config *cfg;

/* One changed file, wholly added, with no repository behind it. */
int fuzz_rules_on(const char *path, const uint8_t *data, size_t size)
{
	struct cg_change change;
	struct cg_changed_file *f;
	struct cg_findings out = CG_FINDINGS_INIT;
	struct cg_pass_stats stats = { 0 };
	struct cg_pass_opts opts = { CG_FILTER_ALL, NULL };

	if (!cfg) {
		git_libgit2_init();
		if (cg_config_load(&cfg, NULL, NULL) < 0)
			abort();
		/* Every rule on, including those off by default. */
		struct cg_buf on = CG_BUF_INIT;
		cg_buf_puts(&on, "rules:\n");
		for (size_t i = 0; i < cg_nrules; i++)
			cg_buf_printf(&on, "  %s: {enabled: true}\n", cg_rules[i]->id);
		if (cg_config_merge_text(cfg, "fuzz", on.ptr, on.size) < 0)
			abort();
		cg_buf_release(&on);
	}
	memset(&change, 0, sizeof(change));
	change.source = CG_SOURCE_ALL;
	f = cg_change__add_file(&change, path);
	f->status = CG_FILE_ADDED;
	f->is_whole_file = true;
	cg_buf_put(&f->content, data, size);
	f->is_loaded = true;
	opts.filter = CG_FILTER_FILE; /* ALL would list the (absent) tree */
	cg_rules_run(&out, &stats, &change, cfg, &opts);
	for (size_t i = 0; i < out.len; i++) {
		const struct cg_finding *x = &out.items[i];
		if (!x->rule || !x->path || !x->message || x->line == 0 || x->end_line < x->line)
			abort();
	}
	cg_findings_release(&out);
	cg_pass_stats_release(&stats);
	cg_change_release(&change);
	cg_error_clear();
	return 0;
}
