#ifndef CG_SYNTAX_TOML_H
#define CG_SYNTAX_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syntax/syntax.h"
#include "util/buf.h"

/*
 * Small readers over tree-sitter-toml trees: keys as plain text (quotes
 * removed, dotted parts joined by '.'), string values unescaped, and a flat
 * walk over every key of a document whatever way it was written (table
 * headers, dotted keys, inline tables).
 */

/* Writes the key of a table header or pair ("target.'cfg(x)'.dependencies" -> target.cfg(x).dependencies). */
void cg_toml_key(const struct cg_source *src, TSNode key, struct cg_buf *out);
/* The key node of a table / table_array_element / pair (its first named child). */
TSNode cg_toml_key_node(TSNode node);
/* The value node of a pair (its last named child). */
TSNode cg_toml_value_node(TSNode pair);
/* A string value's contents without quotes; every escape of basic strings decoded (\u0072 too). */
void cg_toml_string(const struct cg_source *src, TSNode value, struct cg_buf *out);
/* True and *out set when `value` is a boolean. */
bool cg_toml_bool(const struct cg_source *src, TSNode value, bool *out);
/* True when a table name is a dependency table: dependencies, dev-/build-,
 * target.<cfg>.*, workspace.dependencies. */
bool cg_toml_is_dep_table(const char *name);

#define CG_TOML_MAX_PARTS 32

/*
 * One key of a document, flattened: `[dependencies.sqlx]` + `features = [..]`,
 * `dependencies.sqlx.features = [..]` and `sqlx = { features = [..] }` under
 * `[dependencies]` all give parts {"dependencies", "sqlx", "features"}.
 * Everything is borrowed for the duration of the callback.
 */
struct cg_toml_entry {
	const char *parts[CG_TOML_MAX_PARTS]; /* unquoted key parts, header first */
	size_t nparts;
	size_t nheader;	       /* how many of the parts the table header gave */
	TSNode value;	       /* the value; null for a table header entry */
	TSNode pair;	       /* the innermost pair holding the value; null for a header */
	TSNode outer;	       /* the top-level pair of the table, or the header's key node */
	TSNode table;	       /* the enclosing table or [[array]] element; null at top level */
	bool is_array_element; /* the table is a [[x]] element */
	uint32_t table_index;  /* ordinal of the table in the document (0: top level) */
};

/*
 * Calls `cb` once per table header (value null) and once per key whose value
 * is not an inline table (inline tables are entered instead). Iterative: deep
 * inline tables cost no stack; keys deeper than CG_TOML_MAX_PARTS are
 * passed over. Returns the first negative value `cb` returns, else 0.
 */
int cg_toml_each(const struct cg_source *src, int (*cb)(const struct cg_toml_entry *e, void *payload), void *payload);

#endif
