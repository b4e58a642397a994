/*
 * The JSON Schema of a configuration file, made from the same default tree
 * the loader checks files against, so the schema cannot accept a key the
 * loader refuses or miss one it takes.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/banned.h"

struct schema_ctx {
	const struct cg_config *cfg;
	const char *const *texts;
	const char *(*describe)(const char *path, const char *comment, void *arg);
	void *arg;
};

/* The text of line `line` (from 1) of `text`, and its length; NULL past the end. */
static const char *line_at(const char *text, unsigned line, size_t *len)
{
	const char *p = text;

	for (unsigned i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return NULL;
	*len = strcspn(p, "\n");
	return p;
}

static char *detach_or_null(struct cg_buf *b)
{
	if (b->size)
		return cg_buf_detach(b, NULL);
	cg_buf_release(b);
	return NULL;
}

/* Appends a comment line without its '#' and the space after it; false when the line is no comment. */
static bool put_comment_line(struct cg_buf *out, const char *p, size_t len)
{
	size_t lead = 0;

	while (lead < len && p[lead] == ' ')
		lead++;
	if (lead == len || p[lead] != '#')
		return false;
	lead++;
	if (lead < len && p[lead] == ' ')
		lead++;
	/* An empty comment line parts paragraphs. */
	if (lead == len)
		cg_buf_puts(out, "\n\n");
	else if (out->size && out->ptr[out->size - 1] != '\n')
		cg_buf_putc(out, ' ');
	cg_buf_put(out, p + lead, len - lead);
	return true;
}

/*
 * The block of comment lines right above line `line` of `text` (no blank
 * line between), joined into one paragraph; NULL when there is none.
 */
static char *comment_above(const char *text, unsigned line)
{
	struct cg_buf out = CG_BUF_INIT;
	unsigned first = line;
	size_t len;
	const char *p;

	while (first > 1 && (p = line_at(text, first - 1, &len)) && len > strspn(p, " ") && p[strspn(p, " ")] == '#')
		first--;
	for (unsigned i = first; i < line; i++)
		if ((p = line_at(text, i, &len)))
			put_comment_line(&out, p, len);
	return detach_or_null(&out);
}

/* The file's opening comment, up to its first blank line. */
static char *opening_comment(const char *text)
{
	struct cg_buf out = CG_BUF_INIT;
	size_t len;
	const char *p;

	for (unsigned i = 1; (p = line_at(text, i, &len)) && put_comment_line(&out, p, len); i++)
		;
	return detach_or_null(&out);
}

static const char *text_of(const struct schema_ctx *c, const struct cg_conf_node *n)
{
	for (size_t i = 0; i < c->cfg->nfiles; i++)
		if (n->file == c->cfg->files[i])
			return c->texts[i];
	return NULL;
}

/* A scalar as the loader reads it, in the JSON type the schema gives it. */
static cJSON *scalar_json(const struct cg_conf_node *n)
{
	switch (cg_conf_type_of(n)) {
	case CG_CONF_BOOL:
		return cJSON_CreateBool(!strcmp(n->value, "true"));
	case CG_CONF_INT:
	case CG_CONF_NUMBER:
		return cJSON_CreateNumber(strtod(n->value, NULL));
	default:
		return cJSON_CreateString(n->value);
	}
}

static cJSON *value_json(const struct cg_conf_node *n)
{
	cJSON *v;

	if (n->kind == CG_CONF_SCALAR)
		return scalar_json(n);
	v = n->kind == CG_CONF_MAP ? cJSON_CreateObject() : cJSON_CreateArray();
	for (size_t i = 0; i < n->nkids; i++) {
		if (n->kind == CG_CONF_MAP)
			cJSON_AddItemToObject(v, n->kids[i]->key, value_json(n->kids[i]));
		else
			cJSON_AddItemToArray(v, value_json(n->kids[i]));
	}
	return v;
}

static void add_type(cJSON *s, const struct cg_conf_node *t)
{
	static const char *const names[] = { [CG_CONF_TEXT] = "string",
					     [CG_CONF_BOOL] = "boolean",
					     [CG_CONF_INT] = "integer",
					     [CG_CONF_NUMBER] = "number" };
	const char *const *allowed = cg_conf_enum(t->key);

	cJSON_AddStringToObject(s, "type", names[cg_conf_type_of(t)]);
	if (allowed) {
		cJSON *e = cJSON_AddArrayToObject(s, "enum");
		for (size_t i = 0; allowed[i]; i++)
			cJSON_AddItemToArray(e, cJSON_CreateString(allowed[i]));
	}
}

/*
 * The schema of the values `t` stands for. A list item (`is_item`) is a
 * template for every item, so its values are no defaults and its comments
 * are not looked for.
 */
static cJSON *schema_of(const struct schema_ctx *c, const struct cg_conf_node *t, const char *path, bool is_item)
{
	cJSON *s = cJSON_CreateObject();
	char *comment = NULL;
	const char *text = text_of(c, t);
	const char *desc;

	if (!is_item && t->key && text)
		comment = comment_above(text, t->line);
	desc = c->describe ? c->describe(path, comment, c->arg) : comment;
	if (desc)
		cJSON_AddStringToObject(s, "description", desc);
	free(comment);

	if (t->kind == CG_CONF_SCALAR) {
		add_type(s, t);
	} else if (t->kind == CG_CONF_SEQ) {
		struct cg_buf sub = CG_BUF_INIT;
		cJSON_AddStringToObject(s, "type", "array");
		cg_buf_printf(&sub, "%s[]", path);
		if (t->nkids) {
			cJSON_AddItemToObject(s, "items", schema_of(c, t->kids[0], sub.ptr, true));
		} else {
			/* An empty default takes a list of single values: text, as globs and names are. */
			cJSON *items = cJSON_AddObjectToObject(s, "items");
			cJSON_AddStringToObject(items, "type", "string");
		}
		cg_buf_release(&sub);
	} else {
		cJSON *props;
		cJSON_AddStringToObject(s, "type", "object");
		props = cJSON_AddObjectToObject(s, "properties");
		for (size_t i = 0; i < t->nkids; i++) {
			struct cg_buf sub = CG_BUF_INIT;
			cg_buf_printf(&sub, "%s%s%s", path, *path ? "." : "", t->kids[i]->key);
			cJSON_AddItemToObject(props, t->kids[i]->key, schema_of(c, t->kids[i], sub.ptr, is_item));
			cg_buf_release(&sub);
		}
		/* The loader refuses a key the default lacks, at every level. */
		cJSON_AddBoolToObject(s, "additionalProperties", false);
	}
	/* A mapping's default is its keys' defaults, shown on each of them. */
	if (!is_item && t->kind != CG_CONF_MAP)
		cJSON_AddItemToObject(s, "default", value_json(t));
	return s;
}

int cg_config_schema(char **out, const struct cg_config *defaults, const char *const *texts,
		     const char *(*describe)(const char *path, const char *comment, void *arg), void *arg)
{
	struct schema_ctx c = { defaults, texts, describe, arg };
	cJSON *doc = cJSON_CreateObject(), *body;
	char *opening = defaults->nfiles ? opening_comment(texts[0]) : NULL;
	struct cg_buf text = CG_BUF_INIT;
	char *json;

	*out = NULL;
	cJSON_AddStringToObject(doc, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(doc, "title", "crabgate configuration (.crabgate.yaml)");
	body = schema_of(&c, defaults->root, "", false);
	if (opening)
		cJSON_AddStringToObject(doc, "description", opening);
	free(opening);
	cJSON_DeleteItemFromObject(body, "description");
	for (cJSON *it = body->child; it;) {
		cJSON *next = it->next;
		cJSON_AddItemToObject(doc, it->string, cJSON_DetachItemViaPointer(body, it));
		it = next;
	}
	cJSON_Delete(body);
	json = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!json)
		return cg_error_set(CG_E_IO, "cannot render the configuration's schema");
	cg_buf_printf(&text, "%s\n", json);
	free(json);
	*out = cg_buf_detach(&text, NULL);
	return 0;
}
