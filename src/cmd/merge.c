/*
 * crabgate merge OUT IN...: joins the JSON or SARIF reports of the shards of
 * one CI job matrix into the report a single run would have written.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#define MERGE_MAX_INPUT (512u * 1024 * 1024)

enum kind { KIND_JSON, KIND_SARIF };

static int load(cJSON **out, enum kind *kind, const char *path)
{
	struct cg_buf text = CG_BUF_INIT;
	cJSON *doc = NULL;
	int err;

	if ((err = cg_fs_read(&text, path, MERGE_MAX_INPUT)) < 0)
		goto done;
	doc = cJSON_ParseWithLength(text.ptr, text.size);
	if (!doc || !cJSON_IsObject(doc)) {
		err = cg_error_set(CG_E_INPUT, "%s: not a JSON document", path);
		goto done;
	}
	if (cJSON_IsArray(cJSON_GetObjectItem(doc, "runs"))) {
		*kind = KIND_SARIF;
	} else if (cJSON_IsArray(cJSON_GetObjectItem(doc, "findings")) &&
		   cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "version")) == 1) {
		*kind = KIND_JSON;
	} else {
		err = cg_error_set(CG_E_INPUT, "%s: neither crabgate JSON (version 1) nor SARIF", path);
		goto done;
	}
	*out = doc;
	doc = NULL;
done:
	cJSON_Delete(doc);
	cg_buf_release(&text);
	return err;
}

static const char *str_of(const cJSON *obj, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(obj, key));
	return s ? s : "";
}

/* A finding's identity across shards: rule, path, fingerprint. */
static void json_key(struct cg_buf *b, const cJSON *f)
{
	cg_buf_release(b);
	cg_buf_printf(b, "%s\n%s\n%s", str_of(f, "rule"), str_of(f, "path"), str_of(f, "fingerprint"));
}

static bool seen_add(char ***set, size_t *n, size_t *cap, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*set)[i], key))
			return true;
	cg_array_grow((void **)set, cap, *n + 1, sizeof(**set));
	(*set)[(*n)++] = cg_strdup(key);
	return false;
}

static void set_free(char **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(set[i]);
	free(set);
}

static void add_number(cJSON *obj, const char *key, double delta)
{
	cJSON *item = cJSON_GetObjectItem(obj, key);
	if (cJSON_IsNumber(item))
		cJSON_SetNumberValue(item, item->valuedouble + delta);
	else
		cJSON_AddNumberToObject(obj, key, delta);
}

static int merge_json(cJSON *into, cJSON *from, char ***seen, size_t *nseen, size_t *cap)
{
	cJSON *findings = cJSON_GetObjectItem(into, "findings"), *f;
	struct cg_buf key = CG_BUF_INIT;

	cJSON_ArrayForEach(f, cJSON_GetObjectItem(from, "findings"))
	{
		json_key(&key, f);
		if (!seen_add(seen, nseen, cap, key.ptr))
			cJSON_AddItemToArray(findings, cJSON_Duplicate(f, 1));
	}
	add_number(into, "suppressed", cJSON_GetNumberValue(cJSON_GetObjectItem(from, "suppressed")));
	add_number(cJSON_GetObjectItem(into, "change"), "files",
		   cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(from, "change"), "files")));
	for (const char *const *k = (const char *const[]){ "skipped", "notes", NULL }; *k; k++) {
		cJSON *dst = cJSON_GetObjectItem(into, *k), *item;
		if (!cJSON_IsArray(dst))
			continue;
		cJSON_ArrayForEach(item, cJSON_GetObjectItem(from, *k))
		{
			bool dup = false;
			cJSON *have;
			cJSON_ArrayForEach(have, dst) dup |= cJSON_Compare(have, item, 1);
			if (!dup)
				cJSON_AddItemToArray(dst, cJSON_Duplicate(item, 1));
		}
	}
	cg_buf_release(&key);
	return 0;
}

static void json_recount(cJSON *doc)
{
	cJSON *summary = cJSON_GetObjectItem(doc, "summary"), *f;
	double counts[3] = { 0 };
	static const char *names[] = { "error", "warning", "note" };
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(doc, "findings"))
	{
		for (int i = 0; i < 3; i++)
			if (!strcmp(str_of(f, "severity"), names[i]))
				counts[i]++;
	}
	for (int i = 0; i < 3 && summary; i++) {
		cJSON_DeleteItemFromObject(summary, names[i]);
		cJSON_AddNumberToObject(summary, names[i], counts[i]);
	}
}

static const char *sarif_fp(const cJSON *result)
{
	const cJSON *pf = cJSON_GetObjectItem(result, "partialFingerprints");
	return pf && pf->child ? cJSON_GetStringValue(pf->child) : NULL;
}

static void sarif_key(struct cg_buf *b, const cJSON *r)
{
	const cJSON *loc = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "locations"), 0);
	const cJSON *art = cJSON_GetObjectItem(cJSON_GetObjectItem(loc, "physicalLocation"), "artifactLocation");
	const char *fp = sarif_fp(r);
	cg_buf_release(b);
	cg_buf_printf(b, "%s\n%s\n", str_of(r, "ruleId"), str_of(art, "uri"));
	if (fp) {
		cg_buf_puts(b, fp);
	} else {
		char *text = cJSON_PrintUnformatted(r);
		cg_buf_puts(b, text ? text : "");
		free(text);
	}
}

static int rule_index(cJSON *rules, const char *id, const cJSON *def)
{
	int i = 0;
	cJSON *r;
	cJSON_ArrayForEach(r, rules)
	{
		if (!strcmp(str_of(r, "id"), id))
			return i;
		i++;
	}
	cJSON_AddItemToArray(rules, def ? cJSON_Duplicate(def, 1) : cJSON_CreateObject());
	if (!def)
		cJSON_AddStringToObject(cJSON_GetArrayItem(rules, i), "id", id);
	return i;
}

static int merge_sarif(cJSON *into, cJSON *from, char ***seen, size_t *nseen, size_t *cap, const char *name)
{
	cJSON *run_to = cJSON_GetArrayItem(cJSON_GetObjectItem(into, "runs"), 0);
	cJSON *run_from = cJSON_GetArrayItem(cJSON_GetObjectItem(from, "runs"), 0);
	cJSON *driver_to, *rules_to, *rules_from, *results_to, *r;
	struct cg_buf key = CG_BUF_INIT;

	if (!run_to || !run_from)
		return cg_error_set(CG_E_INPUT, "%s: a SARIF log without runs", name);
	driver_to = cJSON_GetObjectItem(cJSON_GetObjectItem(run_to, "tool"), "driver");
	rules_from = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run_from, "tool"), "driver"), "rules");
	if (!driver_to)
		return cg_error_set(CG_E_INPUT, "SARIF log without tool.driver");
	rules_to = cJSON_GetObjectItem(driver_to, "rules");
	if (!rules_to)
		rules_to = cJSON_AddArrayToObject(driver_to, "rules");
	results_to = cJSON_GetObjectItem(run_to, "results");
	if (!results_to)
		results_to = cJSON_AddArrayToObject(run_to, "results");

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(run_from, "results"))
	{
		cJSON *copy;
		const char *id = str_of(r, "ruleId");
		const cJSON *def = NULL, *d;
		sarif_key(&key, r);
		if (seen_add(seen, nseen, cap, key.ptr))
			continue;
		cJSON_ArrayForEach(d, rules_from) if (!strcmp(str_of(d, "id"), id)) def = d;
		copy = cJSON_Duplicate(r, 1);
		if (cJSON_GetObjectItem(copy, "ruleIndex") || def) {
			cJSON_DeleteItemFromObject(copy, "ruleIndex");
			cJSON_AddNumberToObject(copy, "ruleIndex", rule_index(rules_to, id, def));
		}
		cJSON_AddItemToArray(results_to, copy);
	}
	cg_buf_release(&key);
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	cJSON *out = NULL;
	enum kind kind = KIND_JSON;
	char **seen = NULL;
	size_t nseen = 0, cap = 0;
	char *text = NULL;
	int err = 0, status = CG_EXIT_USAGE;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cg_command_usage(cg_command_find("merge"), false);
		return CG_EXIT_CLEAN;
	}
	if (argc < 3) {
		cg_err("merge: name the output and at least one input: crabgate merge OUT IN...");
		return CG_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		cJSON *doc = NULL;
		enum kind k = KIND_JSON;
		if ((err = load(&doc, &k, argv[i])) < 0)
			goto done;
		if (!out) {
			/* The first input is the frame; its findings are merged like the others'. */
			kind = k;
			out = cJSON_Duplicate(doc, 1);
			if (kind == KIND_JSON) {
				cJSON_ReplaceItemInObject(out, "findings", cJSON_CreateArray());
				cJSON_ReplaceItemInObject(out, "suppressed", cJSON_CreateNumber(0));
				cJSON_ReplaceItemInObject(cJSON_GetObjectItem(out, "change"), "files",
							  cJSON_CreateNumber(0));
				cJSON_ReplaceItemInObject(out, "skipped", cJSON_CreateArray());
				cJSON_ReplaceItemInObject(out, "notes", cJSON_CreateArray());
			} else {
				cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "runs"), 0);
				if (run)
					cJSON_ReplaceItemInObject(run, "results", cJSON_CreateArray());
			}
		} else if (k != kind) {
			cJSON_Delete(doc);
			err = cg_error_set(CG_E_INPUT, "%s: %s, but %s is %s; merge reports of one format", argv[i],
					   k == KIND_SARIF ? "SARIF" : "crabgate JSON", argv[2],
					   kind == KIND_SARIF ? "SARIF" : "crabgate JSON");
			goto done;
		}
		err = kind == KIND_JSON ? merge_json(out, doc, &seen, &nseen, &cap)
					: merge_sarif(out, doc, &seen, &nseen, &cap, argv[i]);
		cJSON_Delete(doc);
		if (err < 0)
			goto done;
	}
	if (kind == KIND_JSON)
		json_recount(out);
	text = cJSON_Print(out);
	if (!text) {
		err = cg_error_set(CG_E_IO, "merge: cannot render the output");
		goto done;
	}
	{
		struct cg_buf b = CG_BUF_INIT;
		cg_buf_puts(&b, text);
		cg_buf_putc(&b, '\n');
		err = cg_fs_write_atomic(argv[1], b.ptr, b.size);
		cg_buf_release(&b);
	}
	if (!err)
		cg_info("merged %d report%s into %s (%zu findings)", argc - 2, argc == 3 ? "" : "s", argv[1], nseen);
done:
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	} else {
		status = CG_EXIT_CLEAN;
	}
	free(text);
	set_free(seen, nseen);
	cJSON_Delete(out);
	return status;
}
