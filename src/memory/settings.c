/* The `memory:` section of config, validated once so the rest can trust it. */
#include "memory/memory.h"

#include <string.h>

#include "memory/internal.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static const char *const file_keys[CG_MEMORY_NFILES] = { "memories", "lessons", "scratchpad" };

/* A path inside the repository: relative, no `..`, not under .git. */
static bool is_safe_path(const char *p)
{
	const char *seg = p;
	if (!*p || *p == '/' || cg_ends_with(p, "/"))
		return false;
	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && !memcmp(seg, "..", 2)) ||
		    (n == 4 && !memcmp(seg, ".git", 4)))
			return false;
		if (!slash)
			return true;
		seg = slash + 1;
	}
}

/* Every {name} in the template must be one we know, so a typo is caught before a run. */
static int check_template(const char *t)
{
	for (const char *p = t; (p = strchr(p, '{')) != NULL; p++) {
		const char *close = strchr(p, '}');
		size_t n, i;
		bool is_name = close != NULL;
		if (!close)
			break;
		n = (size_t)(close - p - 1);
		for (i = 1; is_name && p + i < close; i++)
			is_name = (p[i] >= 'a' && p[i] <= 'z') || p[i] == '_';
		if (!is_name || n == 0)
			continue;
		if (!cg_memory__is_placeholder(p + 1, n))
			return cg_error_set(
				CG_E_CONFIG,
				"memory.entry: unknown placeholder {%.*s}; use one of {key} {date} {title} "
				"{base} {head} {range} {files} {added} {removed} {rules} {summary} {decision}",
				(int)n, p + 1);
	}
	return 0;
}

int cg_memory_config_load(struct cg_memory_config *out, const struct cg_config *cfg)
{
	const struct cg_conf_node *m = cg_config_get(cfg, "memory");
	const struct cg_conf_node *files = cg_conf_child(m, "files"), *secs = cg_conf_child(m, "scratchpad");
	const struct cg_conf_node *lessons = cg_conf_child(m, "lessons"), *author = cg_conf_child(m, "author");
	const char *mode = cg_conf_str(m, "mode", "commit");
	int err;

	memset(out, 0, sizeof(*out));
	out->mode = !strcmp(mode, "stage") ? CG_MEMORY_MODE_STAGE
		    : !strcmp(mode, "off") ? CG_MEMORY_MODE_OFF
					   : CG_MEMORY_MODE_COMMIT;
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		out->paths[i] = cg_conf_str(files, file_keys[i], "");
		if (!is_safe_path(out->paths[i]))
			return cg_error_set(CG_E_CONFIG,
					    "memory.files.%s: '%s' is not a path inside the repository; use a relative "
					    "path such as %s.md without '..' or .git",
					    file_keys[i], out->paths[i], file_keys[i]);
		for (int j = 0; j < i; j++)
			if (!strcmp(out->paths[i], out->paths[j]))
				return cg_error_set(
					CG_E_CONFIG,
					"memory.files: %s and %s are both '%s'; give each file its own path",
					file_keys[j], file_keys[i], out->paths[i]);
	}
	for (size_t i = 0; secs && i < secs->nkids; i++) {
		const char *v = secs->kids[i]->value ? secs->kids[i]->value : "";
		enum cg_memory_section s;
		if (!strcmp(v, "findings"))
			s = CG_MEMORY_SEC_FINDINGS;
		else if (!strcmp(v, "todos"))
			s = CG_MEMORY_SEC_TODOS;
		else if (!strcmp(v, "comments"))
			s = CG_MEMORY_SEC_COMMENTS;
		else
			return cg_error_set(CG_E_CONFIG,
					    "%s:%u: memory.scratchpad: '%s' is not a section; use findings, todos or "
					    "comments",
					    secs->kids[i]->file ? secs->kids[i]->file : "config", secs->kids[i]->line,
					    v);
		for (size_t j = 0; j < out->nsections; j++)
			if (out->sections[j] == s)
				return cg_error_set(CG_E_CONFIG,
						    "memory.scratchpad: '%s' is listed twice; list it once", v);
		out->sections[out->nsections++] = s;
	}
	out->has_review_lessons = cg_conf_bool(lessons, "review", true);
	out->has_rule_lessons = cg_conf_bool(lessons, "rules", true);
	out->entry_template = cg_conf_str(m, "entry", "## {key}: {title}\n");
	if ((err = check_template(out->entry_template)) < 0)
		return err;
	out->push_attempts = cg_conf_int(m, "push_attempts", 3);
	if (out->push_attempts < 1 || out->push_attempts > 20)
		return cg_error_set(CG_E_CONFIG, "memory.push_attempts: %ld is out of range; use 1 to 20",
				    out->push_attempts);
	out->author_name = cg_conf_str(author, "name", "crabgate[bot]");
	out->author_email = cg_conf_str(author, "email", "crabgate[bot]@users.noreply.github.com");
	if (!*out->author_name || !*out->author_email || strpbrk(out->author_name, "<>\n") ||
	    strpbrk(out->author_email, "<>\n"))
		return cg_error_set(
			CG_E_CONFIG,
			"memory.author: name and email must be non-empty and free of '<', '>' and newlines");
	out->commit_message = cg_conf_str(m, "commit_message", "docs(memory): update memory files for {key}");
	if (!*out->commit_message)
		return cg_error_set(CG_E_CONFIG, "memory.commit_message: is empty; write a message, e.g. "
						 "\"docs(memory): update memory files for {key}\"");
	return 0;
}
