/*
 * The memory-file renderers on arbitrary existing file contents (and
 * arbitrary text in the facts: commit-message decisions, TODO comments, PR
 * titles, model lessons and todos all come from outside). Input: the old
 * file's bytes, then optionally "\0\1" and the outside strings separated by
 * "\0\1". For each of the three files, when rendering succeeds:
 *   - the result passes the renderer's own checks (a run never writes a file
 *     the next run refuses),
 *   - rendering the result again with the same facts gives it back unchanged,
 *   - the team's text is kept: the old file up to crabgate's first marker is
 *     a prefix of the result (all of it for lessons-learned.md).
 */
#define _GNU_SOURCE
#include <git2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "memory/memory.h"
#include "util/error.h"

#define SEP "\0\1"
#define NSTR 7

static struct cg_config *cfg;
static struct cg_memory_config mc;

static const char *const markers[CG_MEMORY_NFILES] = { "<!-- crabgate:entry key=", NULL, "<!-- crabgate:begin -->" };
static const char *const names[CG_MEMORY_NFILES] = { "memories.md", "lessons-learned.md", "scratchpad.md" };

static size_t kept_prefix(enum cg_memory_file which, const char *old, size_t len)
{
	const char *m = markers[which];
	if (!m)
		return len;
	const char *at = memmem(old, len, m, strlen(m));
	return at ? (size_t)(at - old) : len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *sep;
	char *strs[NSTR] = { 0 };
	size_t old_len = size;
	struct cg_memory_facts facts;
	struct cg_memory_review review;
	struct cg_findings findings = CG_FINDINGS_INIT;
	struct cg_finding *fd;
	const char *lessons[1], *todos[1];

	if (!cfg) {
		git_libgit2_init();
		if (cg_config_load(&cfg, NULL, NULL) < 0 || cg_memory_config_load(&mc, cfg) < 0)
			abort();
	}
	/* The outside strings: default ones, replaced by what follows the old text. */
	if ((sep = memmem(text, size, SEP, 2)) != NULL) {
		const char *p = sep + 2, *end = text + size;
		old_len = (size_t)(sep - text);
		for (int i = 0; i < NSTR && p <= end; i++) {
			const char *next = memmem(p, (size_t)(end - p), SEP, 2);
			size_t n = next ? (size_t)(next - p) : (size_t)(end - p);
			strs[i] = strndup(p, n);
			p = next ? next + 2 : end + 1;
		}
	}
	for (int i = 0; i < NSTR; i++)
		if (!strs[i])
			strs[i] = strdup(i == 0 ? "Add the thing" : "use bounded channels");

	memset(&facts, 0, sizeof(facts));
	facts.key = strdup("#12");
	facts.scope = strdup("#12");
	facts.title = strdup(strs[0]);
	facts.base = strdup("0123456789abcdef0123456789abcdef01234567");
	facts.head = strdup("89abcdef0123456789abcdef0123456789abcdef");
	facts.files = 2;
	facts.lines_added = 10;
	facts.lines_removed = 1;
	facts.now = 1767225600; /* 2026-01-01 */
	cg_memory_facts_add_decision(&facts, strs[1]);
	cg_memory_facts_add_todo(&facts, "src/lib.rs", 3, strs[2]);
	fd = cg_findings_add(&findings);
	fd->rule = strdup("chrono-ban");
	fd->severity = CG_SEV_ERROR;
	fd->path = strdup("src/lib.rs");
	fd->line = fd->end_line = 4;
	fd->message = strdup(strs[3]);
	fd->help = strdup("use jiff");
	lessons[0] = strs[4];
	todos[0] = strs[5];
	review = (struct cg_memory_review){ strs[6], lessons, 1, todos, 1 };
	facts.findings = &findings;
	facts.review = &review;

	for (int w = 0; w < CG_MEMORY_NFILES; w++) {
		struct cg_buf out = CG_BUF_INIT, again = CG_BUF_INIT;
		/* An empty old text stands for a missing file half the time. */
		const char *old = old_len == 0 && (size & 1) ? NULL : text;
		size_t keep;
		if (cg_memory_render((enum cg_memory_file)w, &out, names[w], old, old_len, &facts, &mc) == 0) {
			if (cg_memory_check_text(names[w], out.ptr, out.size) < 0)
				abort(); /* the next run would refuse what this one wrote */
			if (cg_memory_render((enum cg_memory_file)w, &again, names[w], out.ptr, out.size, &facts, &mc) <
				    0 ||
			    again.size != out.size || memcmp(again.ptr, out.ptr, out.size))
				abort(); /* not stable */
			keep = old ? kept_prefix((enum cg_memory_file)w, old, old_len) : 0;
			if (keep && (out.size < keep || memcmp(out.ptr, old, keep)))
				abort(); /* the team's text changed */
		}
		cg_buf_release(&out);
		cg_buf_release(&again);
		cg_error_clear();
	}
	cg_memory_facts_release(&facts);
	cg_findings_release(&findings);
	for (int i = 0; i < NSTR; i++)
		free(strs[i]);
	return 0;
}
