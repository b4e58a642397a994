#ifndef CG_CONFIG_CONFIG_H
#define CG_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Configuration: config.yaml (compiled in) is the default and the schema;
 * a project's file overrides it key by key. Any key the default lacks, a
 * value of another type, or a value outside an enumeration is an error that
 * names the file, line and key. Maps merge; lists replace.
 */
enum cg_conf_kind { CG_CONF_SCALAR, CG_CONF_MAP, CG_CONF_SEQ };

struct cg_conf_node {
	enum cg_conf_kind kind;
	char *key;   /* key in the parent map, or NULL */
	char *value; /* scalars only */
	bool is_quoted;
	unsigned line;
	const char *file; /* borrowed from the config */
	struct cg_conf_node **kids;
	size_t nkids, cap;
};

struct cg_config {
	struct cg_conf_node *root;
	char *files[4]; /* names for messages; [0] is the built-in default */
	size_t nfiles;
};

/* The built-in default, generated from config.yaml at build time. */
extern const char cg_config_default_yaml[];
extern const size_t cg_config_default_yaml_len;

/*
 * Loads the default, then the first of: `explicit_path`, $CRABGATE_CONFIG,
 * `<repo_root>/.crabgate.yaml` (when repo_root is not NULL and it exists).
 * *out is owned by the caller (cg_config_free). CG_E_CONFIG on bad input.
 */
int cg_config_load(struct cg_config **out, const char *repo_root, const char *explicit_path);
/*
 * cg_config_load, with `standard` (YAML, named `name` in messages) added to
 * the default wherever config.yaml lacks its keys, before the project's file
 * is checked against it: how the rules' registry gives every rule its
 * standard settings (cg_rules_config_load). config.yaml's values win.
 */
int cg_config_load_standard(struct cg_config **out, const char *repo_root, const char *explicit_path, const char *name,
			    const char *standard, size_t len);
/*
 * The default and `standard` (as cg_config_load_standard adds it) alone:
 * no project file, no $CRABGATE_CONFIG. What `crabgate schema config` describes.
 */
int cg_config_load_defaults(struct cg_config **out, const char *name, const char *standard, size_t len);
/* Parses and merges one more YAML text over `cfg` (used by tests and --set). */
int cg_config_merge_text(struct cg_config *cfg, const char *name, const char *text, size_t len);
void cg_config_free(struct cg_config *cfg);

/* Looks up a dotted path ("rules.chrono-ban.severity"); NULL if absent. Borrowed. */
const struct cg_conf_node *cg_config_get(const struct cg_config *cfg, const char *path);
const struct cg_conf_node *cg_conf_child(const struct cg_conf_node *map, const char *key);
/* Typed reads of a child of `map`; `def` when absent (the schema makes that rare). */
const char *cg_conf_str(const struct cg_conf_node *map, const char *key, const char *def);
bool cg_conf_bool(const struct cg_conf_node *map, const char *key, bool def);
long cg_conf_int(const struct cg_conf_node *map, const char *key, long def);
/* True when the sequence child `key` of `map` holds the scalar `value`. */
bool cg_conf_seq_has(const struct cg_conf_node *map, const char *key, const char *value);
/* True when `path` matches one of the globs in the sequence child `key`. */
bool cg_conf_seq_glob(const struct cg_conf_node *map, const char *key, const char *path);

/*
 * What a scalar of the default holds, which is what the loader holds a
 * project's value to: true or false, a whole number, a number (checked where
 * it is read), or any text.
 */
enum cg_conf_type { CG_CONF_TEXT, CG_CONF_BOOL, CG_CONF_INT, CG_CONF_NUMBER };
enum cg_conf_type cg_conf_type_of(const struct cg_conf_node *tmpl);
/* The values a scalar named `key` may take wherever it appears (NULL-terminated), or NULL: any. */
const char *const *cg_conf_enum(const char *key);

/*
 * A JSON Schema (draft 2020-12) of the files cg_config_load accepts over
 * `defaults` (from cg_config_load_defaults): every key with its type, enum
 * and default, the comment above it in its file as its description (`texts`
 * holds the text of each of defaults->files, in order), unknown keys
 * refused. `describe`, when set, picks a key's description given its dotted
 * path and that comment (NULL when none); it returns NULL for none.
 * Pretty-printed JSON, with a final newline, into *out (caller frees).
 */
int cg_config_schema(char **out, const struct cg_config *defaults, const char *const *texts,
		     const char *(*describe)(const char *path, const char *comment, void *arg), void *arg);

/* Parses YAML into a node tree without the default (for tests, fuzzing). */
int cg_conf_parse(struct cg_conf_node **out, const char *name, const char *text, size_t len);
void cg_conf_node_free(struct cg_conf_node *node);

#endif
