#ifndef CG_SYNTAX_TOML_H
#define CG_SYNTAX_TOML_H

#include <stdbool.h>

#include "syntax/syntax.h"
#include "util/buf.h"

/*
 * Small readers over tree-sitter-toml trees: keys as plain text (quotes
 * removed, dotted parts joined by '.'), string values unescaped.
 */

/* Writes the key of a table header or pair ("target.'cfg(x)'.dependencies" -> target.cfg(x).dependencies). */
void cg_toml_key(const struct cg_source *src, TSNode key, struct cg_buf *out);
/* The key node of a table / table_array_element / pair (its first named child). */
TSNode cg_toml_key_node(TSNode node);
/* The value node of a pair (its last named child). */
TSNode cg_toml_value_node(TSNode pair);
/* A string value's contents without quotes (escapes kept as written). */
void cg_toml_string(const struct cg_source *src, TSNode value, struct cg_buf *out);
/* True when a table name is a dependency table: dependencies, dev-/build-,
 * target.<cfg>.*, workspace.dependencies. */
bool cg_toml_is_dep_table(const char *name);

#endif
