/*
 * `crabgate schema config`: the schema of .crabgate.yaml from its two
 * sources, config.yaml (keys, defaults, comments) and the registry (a block
 * for every rule, with its default state and summary).
 */
#include <string.h>

#include "rules/rule.h"
#include "util/buf.h"
#include "util/banned.h"

/* Rule blocks speak for the registry; their shared keys get a description where config.yaml has none. */
static const char *describe(const char *path, const char *comment, void *arg)
{
	struct cg_buf *b = arg;
	const char *id, *key;
	size_t idlen;
	const struct cg_rule *r = NULL;

	if (!strcmp(path, "rules"))
		return "The rules, by id (`crabgate rules` lists them): each takes enabled, severity and skip, "
		       "and some settings of its own.";
	if (strncmp(path, "rules.", 6))
		return comment;
	id = path + 6;
	key = strchr(id, '.');
	idlen = key ? (size_t)(key - id) : strlen(id);
	for (size_t i = 0; i < cg_nrules && !r; i++)
		if (strlen(cg_rules[i]->id) == idlen && !strncmp(cg_rules[i]->id, id, idlen))
			r = cg_rules[i];
	if (!r)
		return comment;
	cg_buf_truncate(b, 0);
	if (!key) {
		cg_buf_printf(b, "%s (`crabgate explain %s`). %s", r->summary, r->id,
			      r->is_opt_in ? "Off by default (opt-in): `enabled: true` turns it on."
					   : "On by default.");
	} else if (comment) {
		return comment;
	} else if (!strcmp(key, ".enabled")) {
		cg_buf_printf(b, "Whether the rule runs (default: %s).", r->is_opt_in ? "false" : "true");
	} else if (!strcmp(key, ".severity")) {
		cg_buf_printf(b, "The severity of its findings (default: %s); off: not reported.",
			      cg_severity_name(r->default_severity));
	} else if (!strcmp(key, ".skip")) {
		cg_buf_puts(b, "Globs of paths this rule does not check.");
	} else {
		return NULL;
	}
	return b->ptr;
}

int cg_rules_config_schema(char **out)
{
	struct cg_buf standard = CG_BUF_INIT, scratch = CG_BUF_INIT;
	struct cg_config *cfg = NULL;
	int err;

	*out = NULL;
	cg_rules_standard_yaml(&standard);
	if ((err = cg_config_load_defaults(&cfg, "the rule registry", standard.ptr, standard.size)) == 0) {
		const char *const texts[] = { cg_config_default_yaml, standard.ptr };
		err = cg_config_schema(out, cfg, texts, describe, &scratch);
	}
	cg_config_free(cfg);
	cg_buf_release(&standard);
	cg_buf_release(&scratch);
	return err;
}
