#include "syntax/toml.h"

#include <string.h>

#include "util/str.h"
#include "util/banned.h"

TSNode cg_toml_key_node(TSNode node)
{
	return ts_node_named_child_count(node) ? ts_node_named_child(node, 0) : (TSNode){ 0 };
}

TSNode cg_toml_value_node(TSNode pair)
{
	uint32_t n = ts_node_named_child_count(pair);
	return n >= 2 ? ts_node_named_child(pair, n - 1) : (TSNode){ 0 };
}

static void put_key_part(const struct cg_source *src, TSNode part, struct cg_buf *out)
{
	size_t len;
	const char *t = cg_node_text(src, part, &len);
	if (len >= 2 && (t[0] == '"' || t[0] == '\'') && t[len - 1] == t[0]) {
		t++;
		len -= 2;
	}
	cg_buf_put(out, t, len);
}

void cg_toml_key(const struct cg_source *src, TSNode key, struct cg_buf *out)
{
	/* dotted_key nests to the left: ((a.b).c); walk the left spine. */
	TSNode parts[64];
	size_t n = 0;
	TSNode cur = key;
	if (ts_node_is_null(key))
		return;
	while (cg_node_type_is(cur, "dotted_key") && n < 63) {
		uint32_t k = ts_node_named_child_count(cur);
		if (k < 2)
			break;
		parts[n++] = ts_node_named_child(cur, k - 1);
		cur = ts_node_named_child(cur, 0);
	}
	parts[n++] = cur;
	while (n--) {
		put_key_part(src, parts[n], out);
		if (n)
			cg_buf_putc(out, '.');
	}
}

void cg_toml_string(const struct cg_source *src, TSNode value, struct cg_buf *out)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(value) || !cg_node_type_is(value, "string"))
		return;
	t = cg_node_text(src, value, &len);
	if (len >= 6 && (!strncmp(t, "\"\"\"", 3) || !strncmp(t, "'''", 3))) {
		cg_buf_put(out, t + 3, len - 6);
	} else if (len >= 2) {
		cg_buf_put(out, t + 1, len - 2);
	}
}

bool cg_toml_is_dep_table(const char *name)
{
	static const char *kinds[] = { "dependencies", "dev-dependencies", "build-dependencies" };
	const char *last = strrchr(name, '.');
	const char *tail = last ? last + 1 : name;
	bool kind = false;
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(tail, kinds[i]))
			kind = true;
	if (!kind)
		return false;
	if (!last)
		return true;
	if (!strcmp(name, "workspace.dependencies"))
		return true;
	return cg_starts_with(name, "target.");
}
