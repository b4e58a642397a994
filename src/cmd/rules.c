#include <cjson/cJSON.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "rules/rule.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * The configuration as `check` would see it here: inside a repository its
 * .crabgate.yaml counts too (the command runs without needing one, so main
 * loaded only the defaults and --config). *owned is freed by the caller.
 */
static int project_config(const struct cg_config **out, struct cg_config **owned)
{
	git_repository *repo = NULL;
	int err = 0;

	*out = cg_globals.cfg;
	*owned = NULL;
	if (cg_globals.repo || git_repository_open_ext(&repo, ".", 0, NULL) < 0) {
		git_error_clear();
		return 0;
	}
	if (git_repository_workdir(repo)) {
		if ((err = cg_rules_config_load(owned, git_repository_workdir(repo), cg_globals.config_path)) == 0)
			*out = *owned;
	}
	git_repository_free(repo);
	return err;
}

/* Whether a rule is on, and at which severity, under the `rules:` map of a configuration. */
static const char *rule_state(const struct cg_conf_node *rules, const struct cg_rule *r, const char **sev_out)
{
	const struct cg_conf_node *rc = cg_conf_child(rules, r->id);
	const char *sev = cg_conf_str(rc, "severity", cg_severity_name(r->default_severity));
	*sev_out = sev;
	return cg_conf_bool(rc, "enabled", !r->is_opt_in) && strcmp(sev, "off") ? sev : "off";
}

/* The registry for tools (the case driver): each rule's defaults, and its state here. */
static int print_json(const struct cg_conf_node *rules)
{
	cJSON *doc = cJSON_CreateObject(), *list;
	char *text;

	cJSON_AddNumberToObject(doc, "version", 1);
	list = cJSON_AddArrayToObject(doc, "rules");
	for (size_t i = 0; i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		cJSON *it = cJSON_CreateObject();
		const char *sev;
		cJSON_AddStringToObject(it, "id", r->id);
		cJSON_AddStringToObject(it, "default_severity", cg_severity_name(r->default_severity));
		cJSON_AddBoolToObject(it, "enabled_by_default", !r->is_opt_in);
		cJSON_AddStringToObject(it, "state", rule_state(rules, r, &sev));
		cJSON_AddStringToObject(it, "summary", r->summary);
		cJSON_AddItemToArray(list, it);
	}
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!text)
		return cg_error_set(CG_E_IO, "rules: cannot render the list");
	printf("%s\n", text);
	free(text);
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	const struct cg_config *cfg;
	struct cg_config *owned = NULL;
	const struct cg_conf_node *rules;
	bool is_json = false;
	int status = CG_EXIT_CLEAN;

	if (argc == 3 && !strcmp(argv[1], "--format") && (!strcmp(argv[2], "json") || !strcmp(argv[2], "text")))
		is_json = !strcmp(argv[2], "json");
	else if (argc > 1) {
		cg_err("rules: takes only --format text|json; `crabgate explain RULE` explains one");
		return CG_EXIT_USAGE;
	}
	if (project_config(&cfg, &owned) < 0) {
		cg_err("%s", cg_error_last());
		return CG_EXIT_USAGE;
	}
	rules = cg_config_get(cfg, "rules");
	if (is_json && print_json(rules) < 0) {
		cg_err("%s", cg_error_last());
		status = CG_EXIT_RUNTIME;
	}
	for (size_t i = 0; !is_json && i < cg_nrules; i++) {
		const struct cg_rule *r = cg_rules[i];
		const char *sev;
		printf("%-22s %-8s %s\n", r->id, rule_state(rules, r, &sev), r->summary);
	}
	cg_config_free(owned);
	return status;
}

/* An id that holds the name (`bench` in missing-bench); shorter names match too much. */
static bool is_part_of(const char *name, const char *id)
{
	return strlen(name) >= 3 && strstr(id, name);
}

/*
 * "did you mean" for an id that is no rule: ids the name is part of, then
 * ids a few typos away, nearest first. 0 when nothing is close.
 */
static size_t suggest(const struct cg_rule **out, size_t max, const char *name)
{
	size_t n = 0, limit = strlen(name) / 3 < 2 ? 2 : strlen(name) / 3;

	for (size_t i = 0; i < cg_nrules && n < max; i++)
		if (is_part_of(name, cg_rules[i]->id))
			out[n++] = cg_rules[i];
	for (size_t d = 1; d <= limit; d++)
		for (size_t i = 0; i < cg_nrules && n < max; i++)
			if (!is_part_of(name, cg_rules[i]->id) && cg_edit_distance(name, cg_rules[i]->id, limit) == d)
				out[n++] = cg_rules[i];
	return n;
}

void cg_options_did_you_mean(struct cg_buf *out, const char *name)
{
	const struct cg_rule *near[4];
	size_t n = suggest(near, sizeof(near) / sizeof(near[0]), name);
	for (size_t i = 0; i < n; i++)
		cg_buf_printf(out, "%s%s", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ", near[i]->id);
	cg_buf_puts(out, n ? "? `crabgate rules` lists them" : "; `crabgate rules` lists them");
}

int cmd_explain(int argc, char **argv)
{
	const struct cg_rule *r;
	const struct cg_config *cfg;
	struct cg_config *owned = NULL;
	struct cg_conf_node *defaults = NULL;
	const char *def_state, *def_sev, *state, *sev;
	int status = CG_EXIT_USAGE;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cg_command_usage(cg_command_find("explain"), false);
		return CG_EXIT_CLEAN;
	}
	if (argc != 2) {
		cg_err("explain: name one rule; `crabgate rules` lists them");
		return CG_EXIT_USAGE;
	}
	r = cg_rule_find(argv[1]);
	if (!r) {
		struct cg_buf msg = CG_BUF_INIT;
		cg_options_did_you_mean(&msg, argv[1]);
		cg_err("explain: no rule '%s'%s", argv[1], msg.ptr);
		cg_buf_release(&msg);
		return CG_EXIT_USAGE;
	}
	/* The header says what `crabgate rules` says: the shipped default, and this repository's when it differs. */
	if (cg_conf_parse(&defaults, "config.yaml", cg_config_default_yaml, cg_config_default_yaml_len) < 0 ||
	    project_config(&cfg, &owned) < 0) {
		cg_err("%s", cg_error_last());
		goto done;
	}
	def_state = rule_state(cg_conf_child(defaults, "rules"), r, &def_sev);
	state = rule_state(cg_config_get(cfg, "rules"), r, &sev);
	printf("%s (%s by default", r->id, def_state);
	if (!strcmp(def_state, "off") && strcmp(def_sev, "off"))
		printf(", %s when enabled", def_sev);
	if (strcmp(state, def_state))
		printf("; %s as configured", state);
	printf("): %s\n\n%s", r->summary, r->explain);
	status = CG_EXIT_CLEAN;
done:
	cg_conf_node_free(defaults);
	cg_config_free(owned);
	return status;
}
