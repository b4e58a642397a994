#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/banned.h"

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_DEPTH 32
#define CONFIG_MAX_NODES 100000

/* Scalars whose values are an enumeration, by key name wherever they appear. */
static const struct {
	const char *key;
	const char *values[8];
} enums[] = {
	{ "severity", { "error", "warning", "note", "off", NULL } },
	{ "test_severity", { "error", "warning", "note", "off", NULL } },
	{ "fail_level", { "error", "warning", "note", "never", NULL } },
	{ "filter", { "added", "diff_context", "file", "all", NULL } },
	{ "color", { "auto", "always", "never", NULL } },
	{ "provider", { "auto", "openai", "anthropic", "none", NULL } },
	{ "mode", { "commit", "stage", "off", NULL } },
	{ "visibility", { "pub", "pub(crate)", NULL } },
	{ "match", { "typed", "name", NULL } },
	{ "review_event", { "COMMENT", "REQUEST_CHANGES", NULL } },
};

static struct cg_conf_node *node_new(enum cg_conf_kind kind, const char *file, unsigned line)
{
	struct cg_conf_node *n = cg_calloc(1, sizeof(*n));
	n->kind = kind;
	n->file = file;
	n->line = line;
	return n;
}

static void node_add(struct cg_conf_node *parent, struct cg_conf_node *kid)
{
	cg_array_grow((void **)&parent->kids, &parent->cap, parent->nkids + 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = kid;
}

void cg_conf_node_free(struct cg_conf_node *root)
{
	/* Iterative: a deep tree must not cost stack. */
	struct cg_conf_node **stack = NULL;
	size_t n = 0, cap = 0;

	if (!root)
		return;
	cg_array_grow((void **)&stack, &cap, 1, sizeof(*stack));
	stack[n++] = root;
	while (n) {
		struct cg_conf_node *cur = stack[--n];
		cg_array_grow((void **)&stack, &cap, n + cur->nkids, sizeof(*stack));
		for (size_t i = 0; i < cur->nkids; i++)
			stack[n++] = cur->kids[i];
		free(cur->kids);
		free(cur->key);
		free(cur->value);
		free(cur);
	}
	free(stack);
}

static const char *kind_name(enum cg_conf_kind k)
{
	return k == CG_CONF_MAP ? "a mapping" : k == CG_CONF_SEQ ? "a list" : "a single value";
}

int cg_conf_parse(struct cg_conf_node **out, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct cg_conf_node *stack[CONFIG_MAX_DEPTH + 1];
	size_t depth = 0, nodes = 0;
	struct cg_conf_node *root = NULL;
	char *pending_key = NULL;
	unsigned pending_line = 0;
	int err = 0, done = 0;

	*out = NULL;
	if (len > CONFIG_MAX_BYTES)
		return cg_error_set(CG_E_CONFIG,
				    "%s: the file is larger than %d bytes; a configuration this size is a mistake",
				    name, CONFIG_MAX_BYTES);
	if (!yaml_parser_initialize(&parser))
		return cg_error_set(CG_E_CONFIG, "%s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

	while (!done) {
		unsigned line;
		struct cg_conf_node *parent, *n = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			err = cg_error_set(CG_E_CONFIG, "%s:%zu: invalid YAML: %s%s%s", name,
					   parser.problem_mark.line + 1,
					   parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
					   parser.context ? parser.context : "");
			goto done;
		}
		line = (unsigned)ev.start_mark.line + 1;
		parent = depth ? stack[depth - 1] : NULL;

		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_ALIAS_EVENT:
			err = cg_error_set(CG_E_CONFIG,
					   "%s:%u: YAML aliases (*name) are not supported; write the value out", name,
					   line);
			goto event_done;
		case YAML_SCALAR_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (++nodes > CONFIG_MAX_NODES) {
				err = cg_error_set(CG_E_CONFIG, "%s:%u: too many values in one configuration", name,
						   line);
				goto event_done;
			}
			if (ev.type == YAML_SCALAR_EVENT && parent && parent->kind == CG_CONF_MAP && !pending_key) {
				pending_key = cg_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
				pending_line = line;
				break;
			}
			if (parent && parent->kind == CG_CONF_MAP && !pending_key) {
				err = cg_error_set(CG_E_CONFIG,
						   "%s:%u: a key must be a plain value, not a list or mapping", name,
						   line);
				goto event_done;
			}
			if (ev.type == YAML_SCALAR_EVENT) {
				n = node_new(CG_CONF_SCALAR, name, line);
				n->value = cg_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
				n->is_quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			} else {
				n = node_new(ev.type == YAML_MAPPING_START_EVENT ? CG_CONF_MAP : CG_CONF_SEQ, name,
					     line);
			}
			if (pending_key)
				n->line = pending_line; /* a value's place is its key's line */
			n->key = pending_key;
			pending_key = NULL;
			if (parent) {
				if (parent->kind == CG_CONF_MAP) {
					for (size_t i = 0; i < parent->nkids; i++) {
						if (strcmp(parent->kids[i]->key, n->key) == 0) {
							err = cg_error_set(
								CG_E_CONFIG,
								"%s:%u: %s: duplicate key (first at line %u)", name,
								line, n->key, parent->kids[i]->line);
							cg_conf_node_free(n);
							goto event_done;
						}
					}
				}
				node_add(parent, n);
			} else if (!root) {
				root = n;
			} else {
				cg_conf_node_free(n);
				err = cg_error_set(CG_E_CONFIG, "%s:%u: more than one YAML document; keep one", name,
						   line);
				goto event_done;
			}
			if (n->kind != CG_CONF_SCALAR) {
				if (depth == CONFIG_MAX_DEPTH) {
					err = cg_error_set(CG_E_CONFIG, "%s:%u: nested deeper than %d levels", name,
							   line, CONFIG_MAX_DEPTH);
					goto event_done;
				}
				stack[depth++] = n;
			}
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
	event_done:
		yaml_event_delete(&ev);
		if (err)
			goto done;
	}

	if (!root)
		root = node_new(CG_CONF_MAP, name, 1); /* an empty file configures nothing */
	if (root->kind != CG_CONF_MAP) {
		err = cg_error_set(CG_E_CONFIG, "%s:%u: expected a mapping of keys at the top level", name, root->line);
		goto done;
	}
	*out = root;
	root = NULL;
done:
	free(pending_key);
	cg_conf_node_free(root);
	yaml_parser_delete(&parser);
	return err;
}

const struct cg_conf_node *cg_conf_child(const struct cg_conf_node *map, const char *key)
{
	if (!map || map->kind != CG_CONF_MAP)
		return NULL;
	for (size_t i = 0; i < map->nkids; i++)
		if (strcmp(map->kids[i]->key, key) == 0)
			return map->kids[i];
	return NULL;
}

static bool is_bool(const char *v)
{
	return !strcmp(v, "true") || !strcmp(v, "false");
}

static bool is_int(const char *v)
{
	char *end;
	if (!*v)
		return false;
	errno = 0;
	(void)strtol(v, &end, 10);
	return !errno && !*end;
}

enum cg_conf_type cg_conf_type_of(const struct cg_conf_node *tmpl)
{
	char *end;

	if (tmpl->kind != CG_CONF_SCALAR)
		return CG_CONF_TEXT;
	if (is_bool(tmpl->value))
		return CG_CONF_BOOL;
	if (tmpl->is_quoted || !*tmpl->value)
		return CG_CONF_TEXT;
	if (is_int(tmpl->value))
		return CG_CONF_INT;
	(void)strtod(tmpl->value, &end);
	return *end ? CG_CONF_TEXT : CG_CONF_NUMBER;
}

const char *const *cg_conf_enum(const char *key)
{
	for (size_t i = 0; key && i < sizeof(enums) / sizeof(enums[0]); i++)
		if (!strcmp(enums[i].key, key))
			return enums[i].values;
	return NULL;
}

static int check_value(const struct cg_conf_node *tmpl, const struct cg_conf_node *n, const char *path);

static int check_scalar(const struct cg_conf_node *tmpl, const struct cg_conf_node *n, const char *path)
{
	const char *key = n->key ? n->key : tmpl->key;
	const char *const *allowed;

	if (n->kind != CG_CONF_SCALAR)
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected a single value, found %s", n->file, n->line, path,
				    kind_name(n->kind));
	/* Quoted too: `enabled: "yes please"` would otherwise read as false, silently turning a rule off. */
	if (cg_conf_type_of(tmpl) == CG_CONF_BOOL && !is_bool(n->value))
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected true or false, found '%s'", n->file, n->line,
				    path, n->value);
	if (cg_conf_type_of(tmpl) == CG_CONF_INT && !is_int(n->value))
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected a whole number, found '%s'", n->file, n->line,
				    path, n->value);
	allowed = cg_conf_enum(key);
	for (size_t j = 0; allowed && allowed[j]; j++)
		if (!strcmp(allowed[j], n->value))
			return 0;
	if (allowed) {
		struct cg_buf list = CG_BUF_INIT;
		int err;
		for (size_t j = 0; allowed[j]; j++)
			cg_buf_printf(&list, "%s%s", j ? ", " : "", allowed[j]);
		err = cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected one of %s, found '%s'", n->file, n->line, path,
				   list.ptr, n->value);
		cg_buf_release(&list);
		return err;
	}
	return 0;
}

/*
 * Checks the list `src` against the default's list `tmpl`: elements take the
 * shape of the default's first element, all the way down, so a list item's
 * own list (`features: [chrono]`) is held to its shape too; an empty default
 * takes a list of single values.
 */
static int check_list(const struct cg_conf_node *tmpl, const struct cg_conf_node *src, const char *path)
{
	for (size_t i = 0; i < src->nkids; i++) {
		const struct cg_conf_node *el = src->kids[i];
		int err;
		if (!tmpl->nkids) {
			if (el->kind != CG_CONF_SCALAR)
				return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected a list of values", el->file,
						    el->line, path);
		} else if ((err = check_value(tmpl->kids[0], el, path)) < 0) {
			return err;
		}
	}
	return 0;
}

/* Checks `n` against `tmpl` without merging: the shape of list items. */
static int check_value(const struct cg_conf_node *tmpl, const struct cg_conf_node *n, const char *path)
{
	int err;

	if (tmpl->kind == CG_CONF_SCALAR)
		return check_scalar(tmpl, n, path);
	if (n->kind != tmpl->kind && tmpl->kind == CG_CONF_MAP)
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: each item is a mapping like the default's", n->file,
				    n->line, path);
	if (n->kind != tmpl->kind)
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected %s, found %s", n->file, n->line, path,
				    kind_name(tmpl->kind), kind_name(n->kind));
	if (tmpl->kind == CG_CONF_SEQ)
		return check_list(tmpl, n, path);
	for (size_t k = 0; k < n->nkids; k++) {
		const struct cg_conf_node *t = cg_conf_child(tmpl, n->kids[k]->key);
		if (!t)
			return cg_error_set(CG_E_CONFIG, "%s:%u: %s[].%s: unknown key", n->file, n->kids[k]->line, path,
					    n->kids[k]->key);
		if ((err = check_value(t, n->kids[k], path)) < 0)
			return err;
	}
	return 0;
}

/*
 * Checks `n` against the default's shape `tmpl` and, for maps, merges it in
 * place; the caller swaps whole values in for scalars and lists. Recursion
 * depth is bounded by the default's depth, which we write.
 */
static int merge(struct cg_conf_node *dst, struct cg_conf_node *src, const char *path)
{
	int err = 0;

	if (dst->kind != src->kind)
		return cg_error_set(CG_E_CONFIG, "%s:%u: %s: expected %s, found %s", src->file, src->line,
				    *path ? path : "(top level)", kind_name(dst->kind), kind_name(src->kind));

	if (dst->kind == CG_CONF_SCALAR)
		return check_scalar(dst, src, path);

	if (dst->kind == CG_CONF_SEQ)
		return check_list(dst, src, path); /* lists replace: nothing to merge */

	for (size_t i = 0; i < src->nkids; i++) {
		struct cg_conf_node *s = src->kids[i];
		struct cg_conf_node *d = NULL;
		size_t di = 0;
		struct cg_buf sub = CG_BUF_INIT;

		for (di = 0; di < dst->nkids; di++) {
			if (!strcmp(dst->kids[di]->key, s->key)) {
				d = dst->kids[di];
				break;
			}
		}
		cg_buf_printf(&sub, "%s%s%s", path, *path ? "." : "", s->key);
		if (!d) {
			struct cg_buf allowed = CG_BUF_INIT;
			for (size_t j = 0; j < dst->nkids; j++)
				cg_buf_printf(&allowed, "%s%s", j ? ", " : "", dst->kids[j]->key);
			err = cg_error_set(CG_E_CONFIG, "%s:%u: %s: unknown key; expected one of: %s", s->file, s->line,
					   sub.ptr, allowed.ptr);
			cg_buf_release(&allowed);
		} else if ((err = merge(d, s, sub.ptr)) == 0 && d->kind != CG_CONF_MAP) {
			/* Take the whole value: the node moves from src to dst. */
			src->kids[i] = d;
			dst->kids[di] = s;
		}
		cg_buf_release(&sub);
		if (err < 0)
			return err;
	}
	return 0;
}

int cg_config_merge_text(struct cg_config *cfg, const char *name, const char *text, size_t len)
{
	struct cg_conf_node *over = NULL;
	const char *kept;
	int err;

	if (cfg->nfiles == sizeof(cfg->files) / sizeof(cfg->files[0]))
		return cg_error_set(CG_E_CONFIG, "too many configuration files");
	cfg->files[cfg->nfiles] = cg_strdup(name);
	kept = cfg->files[cfg->nfiles++];
	if ((err = cg_conf_parse(&over, kept, text, len)) < 0)
		return err;
	if (!cfg->root) {
		cfg->root = over;
		return 0;
	}
	err = merge(cfg->root, over, "");
	cg_conf_node_free(over);
	return err;
}

/*
 * Moves into `dst` the keys of `src` it lacks, recursing into maps both
 * have; what `dst` has is kept. Depth is bounded by the standard text, which
 * the registry writes.
 */
static void add_missing(struct cg_conf_node *dst, struct cg_conf_node *src)
{
	size_t kept = 0;

	if (dst->kind != CG_CONF_MAP || src->kind != CG_CONF_MAP)
		return;
	for (size_t i = 0; i < src->nkids; i++) {
		struct cg_conf_node *s = src->kids[i];
		struct cg_conf_node *d = (struct cg_conf_node *)cg_conf_child(dst, s->key);
		if (d) {
			add_missing(d, s);
			src->kids[kept++] = s;
		} else {
			node_add(dst, s);
		}
	}
	src->nkids = kept;
}

static int add_standard(struct cg_config *cfg, const char *name, const char *text, size_t len)
{
	struct cg_conf_node *std = NULL;
	const char *kept;
	int err;

	if (cfg->nfiles == sizeof(cfg->files) / sizeof(cfg->files[0]))
		return cg_error_set(CG_E_CONFIG, "too many configuration files");
	cfg->files[cfg->nfiles] = cg_strdup(name);
	kept = cfg->files[cfg->nfiles++];
	if ((err = cg_conf_parse(&std, kept, text, len)) < 0)
		return err;
	add_missing(cfg->root, std);
	cg_conf_node_free(std);
	return 0;
}

static int read_file(struct cg_buf *out, const char *path)
{
	int err = cg_fs_read(out, path, CONFIG_MAX_BYTES);
	if (err == CG_E_TOOBIG)
		return cg_error_set(CG_E_CONFIG,
				    "%s: the file is larger than %d bytes; a configuration this size is a mistake",
				    path, CONFIG_MAX_BYTES);
	if (err == CG_E_IO)
		return cg_error_set(CG_E_CONFIG, "%s", cg_error_last());
	return err;
}

/*
 * The repository's .crabgate.yaml comes with the change under review: as a
 * symbolic link it could make crabgate read any file of the CI machine
 * (/proc/self/environ, a credentials file) and quote it in an error.
 * Refuse one that resolves outside the repository or is not a regular file.
 */
static int check_inside(const char *path, const char *repo_root)
{
	char *real = NULL, *root = NULL;
	struct stat st;
	int err = 0;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		return 0; /* missing, or a plain file: read_file says the rest */
	real = realpath(path, NULL);
	root = realpath(repo_root, NULL);
	if (!real || !root || !cg_starts_with(real, root) ||
	    (real[strlen(root)] != '/' && real[strlen(root)] != '\0') || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		err = cg_error_set(CG_E_CONFIG,
				   ".crabgate.yaml: a symbolic link to a file outside the repository (or not a regular "
				   "file); replace it with the file itself, or pass --config");
	free(real);
	free(root);
	return err;
}

int cg_config_load(struct cg_config **out, const char *repo_root, const char *explicit_path)
{
	return cg_config_load_standard(out, repo_root, explicit_path, NULL, NULL, 0);
}

int cg_config_load_defaults(struct cg_config **out, const char *name, const char *standard, size_t len)
{
	struct cg_config *cfg = cg_calloc(1, sizeof(*cfg));
	int err;

	*out = NULL;
	if ((err = cg_config_merge_text(cfg, "config.yaml (built in)", cg_config_default_yaml,
					cg_config_default_yaml_len)) < 0 ||
	    (standard && (err = add_standard(cfg, name ? name : "standard settings", standard, len)) < 0)) {
		cg_config_free(cfg);
		return err;
	}
	*out = cfg;
	return 0;
}

int cg_config_load_standard(struct cg_config **out, const char *repo_root, const char *explicit_path, const char *name,
			    const char *standard, size_t len)
{
	struct cg_config *cfg = NULL;
	struct cg_buf text = CG_BUF_INIT, path = CG_BUF_INIT;
	const char *env = getenv("CRABGATE_CONFIG");
	int err;

	*out = NULL;
	if ((err = cg_config_load_defaults(&cfg, name, standard, len)) < 0)
		goto done;

	if (explicit_path && *explicit_path)
		cg_buf_puts(&path, explicit_path);
	else if (env && *env)
		cg_buf_puts(&path, env);
	if (path.size) {
		if ((err = read_file(&text, path.ptr)) < 0) {
			err = CG_E_CONFIG;
			goto done;
		}
	} else if (repo_root) {
		cg_buf_printf(&path, "%s%s.crabgate.yaml", repo_root,
			      *repo_root && repo_root[strlen(repo_root) - 1] != '/' ? "/" : "");
		if ((err = check_inside(path.ptr, repo_root)) < 0)
			goto done;
		err = read_file(&text, path.ptr);
		if (err == CG_E_NOTFOUND) {
			err = 0;
			cg_buf_release(&path);
		} else if (err < 0) {
			goto done;
		}
	}
	if (path.size) {
		/* Messages name the file as the user knows it. */
		const char *shown = path.ptr;
		if (repo_root && cg_starts_with(shown, repo_root) && !explicit_path && !(env && *env))
			shown = ".crabgate.yaml";
		if ((err = cg_config_merge_text(cfg, shown, text.ptr, text.size)) < 0)
			goto done;
	}
	*out = cfg;
	cfg = NULL;
done:
	cg_buf_release(&text);
	cg_buf_release(&path);
	cg_config_free(cfg);
	return err;
}

void cg_config_free(struct cg_config *cfg)
{
	if (!cfg)
		return;
	cg_conf_node_free(cfg->root);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg);
}

const struct cg_conf_node *cg_config_get(const struct cg_config *cfg, const char *path)
{
	const struct cg_conf_node *n = cfg ? cfg->root : NULL;
	char key[256];

	while (n && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		n = cg_conf_child(n, key);
		path += len + (dot ? 1 : 0);
	}
	return n;
}

const char *cg_conf_str(const struct cg_conf_node *map, const char *key, const char *def)
{
	const struct cg_conf_node *n = cg_conf_child(map, key);
	return n && n->kind == CG_CONF_SCALAR ? n->value : def;
}

bool cg_conf_bool(const struct cg_conf_node *map, const char *key, bool def)
{
	const char *v = cg_conf_str(map, key, NULL);
	return v ? !strcmp(v, "true") : def;
}

long cg_conf_int(const struct cg_conf_node *map, const char *key, long def)
{
	const char *v = cg_conf_str(map, key, NULL);
	char *end;
	long r;
	if (!v)
		return def;
	r = strtol(v, &end, 10);
	return *end ? def : r;
}

bool cg_conf_seq_has(const struct cg_conf_node *map, const char *key, const char *value)
{
	const struct cg_conf_node *s = cg_conf_child(map, key);
	if (!s || s->kind != CG_CONF_SEQ)
		return false;
	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i]->value && !strcmp(s->kids[i]->value, value))
			return true;
	return false;
}

bool cg_conf_seq_glob(const struct cg_conf_node *map, const char *key, const char *path)
{
	const struct cg_conf_node *s = cg_conf_child(map, key);
	if (!s || s->kind != CG_CONF_SEQ)
		return false;
	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i]->value && cg_glob_match(s->kids[i]->value, path))
			return true;
	return false;
}
