#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "change/change.h"
#include "config/config.h"
#include "rules/rule.h"
#include "util/error.h"

static struct cg_config *cfg;

/* The diff that adds `path` with `data` as its text: every line a '+' line. */
static void diff_adding(struct cg_buf *out, const char *path, const uint8_t *data, size_t size)
{
	size_t nlines = 0;

	for (size_t i = 0; i < size; i++)
		nlines += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		nlines++;
	cg_buf_printf(out, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n", path, path, path);
	if (!nlines)
		return;
	cg_buf_printf(out, "@@ -0,0 +1,%zu @@\n", nlines);
	for (size_t i = 0; i < size;) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;
		cg_buf_putc(out, '+');
		cg_buf_put(out, data + i, n);
		cg_buf_putc(out, '\n');
		i += n + 1;
	}
	if (data[size - 1] != '\n')
		cg_buf_puts(out, "\\ No newline at end of file\n");
}

/* One changed file, wholly added, with no repository behind it. */
int fuzz_rules_on(const char *path, const uint8_t *data, size_t size)
{
	struct cg_change change;
	struct cg_buf diff = CG_BUF_INIT;
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
	diff_adding(&diff, path, data, size);
	if (cg_change_from_diff_text(&change, NULL, diff.ptr, diff.size) < 0)
		abort(); /* the harness's own diff is well formed */
	cg_buf_release(&diff);
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
