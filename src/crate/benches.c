#define _GNU_SOURCE
/* A crate's bench targets: which files they are, what they run on, which names they use. */
#include "crate/benches.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crate/cache.h"
#include "crate/crate_private.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "syntax/syntax.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !n || (!strncmp(path, dir, n) && path[n] == '/');
}

static void add_bench_file(struct cg_crate *cr, const char *path)
{
	for (size_t i = 0; i < cr->nbench_files; i++)
		if (!strcmp(cr->bench_files[i], path))
			return;
	cg_array_grow((void **)&cr->bench_files, &cr->bench_files_cap, cr->nbench_files + 1, sizeof(*cr->bench_files));
	cr->bench_files[cr->nbench_files++] = cg_strdup(path);
}

struct list_rs {
	struct cg_crate *into;
};

static int list_bench_rs(const char *path, void *payload)
{
	struct list_rs *l = payload;
	if (cg_ends_with(path, ".rs"))
		add_bench_file(l->into, path);
	return 0;
}

/* The bench files `pkg` declares or Cargo discovers for it, added to `into`. */
static void collect_bench_paths(struct cg_crate_cache *cache, const struct cg_crate *pkg, struct cg_crate *into)
{
	struct cg_buf prefix = CG_BUF_INIT;
	struct list_rs l = { into };

	/* benches/ counts even with `autobenches = false`: its files are benchmarks by intent,
	 * and packaged crates often ship the folder without their [[bench]] entries. */
	cg_buf_printf(&prefix, "%s%sbenches/", pkg->dir, *pkg->dir ? "/" : "");
	if (cg_change_list(cg_crate__change(cache), prefix.ptr, list_bench_rs, &l) < 0)
		cg_error_clear();
	for (size_t i = 0; i < pkg->manifest.nbenches; i++) {
		const struct cg_crate_bench *b = &pkg->manifest.benches[i];
		struct cg_buf rel = CG_BUF_INIT;
		char *full;
		if (b->path)
			cg_buf_puts(&rel, b->path);
		else if (b->name)
			cg_buf_printf(&rel, "benches/%s.rs", b->name);
		full = rel.size ? cg_crate_join(pkg->dir, rel.ptr) : NULL;
		if (full && !cg_change_exists(cg_crate__change(cache), full) && !b->path && b->name) {
			free(full);
			cg_buf_release(&rel);
			cg_buf_printf(&rel, "benches/%s/main.rs", b->name);
			full = cg_crate_join(pkg->dir, rel.ptr);
		}
		if (full && cg_change_exists(cg_crate__change(cache), full))
			add_bench_file(into, full);
		free(full);
		cg_buf_release(&rel);
	}
	cg_buf_release(&prefix);
}

/* True when `pkg` depends (in any table) on the package `cr`. */
static bool depends_on(const struct cg_crate *pkg, const struct cg_crate *cr)
{
	for (size_t i = 0; i < pkg->manifest.ndeps; i++) {
		const struct cg_crate_dep *d = &pkg->manifest.deps[i];
		if (d->is_workspace_decl)
			continue;
		if (d->path) {
			char *target = cg_crate_join(pkg->dir, d->path);
			bool same = target && !strcmp(target, cr->dir);
			free(target);
			if (same)
				return true;
		}
		if (cr->manifest.package_name && !strcmp(cg_crate_dep_crate(d), cr->manifest.package_name))
			return true;
	}
	return false;
}

/* ------------------------------------------------------ one bench file -- */

/*
 * What one bench file says, read once per run however many crates count it
 * (a workspace's bench package counts for every crate it depends on), and
 * only as far as a rule asks: its words first, a parse only when the words
 * cannot answer.
 */
struct word {
	char *name;
	bool is_sure; /* in one place at least, surely an identifier of the tree (see words_scan) */
};

/* How a bench names a fn, for typed matching (cg_crate_bench_calls). */
enum ref_kind {
	REF_PATH,   /* `a::b::name`, `Type::name`, `<Type as Trait>::name`: qual is the segment before name */
	REF_METHOD, /* `x.name(..)` on a receiver of type qual */
	REF_CALL,   /* `name(..)` by its bare name */
};

struct bench_ref {
	char *name;
	char *qual;  /* REF_PATH: the type or module before name; REF_METHOD: the receiver's type; else NULL */
	char *first; /* REF_PATH: the path's first segment */
	enum ref_kind kind;
};

/* `use a::b::c;` as path "a::b::c" and local "c"; `use a::b as d;` local "d"; `use a::*;` local "*". */
struct bench_use {
	char *path, *local;
};

struct bench_scan {
	char *path;
	bool has_text;
	struct cg_buf text; /* empty when the file cannot be read */
	bool has_words;
	struct word *words; /* sorted by name, unique */
	size_t nwords;
	bool has_tree;
	struct cg_bench_file flags; /* what it runs on; flags.path is path */
	char **names;		    /* sorted, unique: the identifiers the tree names */
	size_t nnames;
	struct bench_ref *refs; /* sorted by name: how the tree names fns (typed matching) */
	size_t nrefs;
	struct bench_use *uses; /* the paths its `use` declarations bring in */
	size_t nuses;
	unsigned nsearches; /* bench_word's searches of its bytes (atomic) */
};

struct cg_bench_index {
	pthread_mutex_t lock;
	struct bench_scan **files; /* sorted by path */
	size_t n, cap;
};

/* --- the words, without a parse --- */

/*
 * Words that are never a plain identifier of a tree wherever they stand, or
 * are one only in some places: keywords, contextual keywords, primitive
 * types, the Fn traits of `Fn(u8)` sugar.
 */
static const char *const unsure_words[] = {
	"as",	  "async", "await",   "break",	     "const",	 "continue", "crate",  "dyn",	  "else",     "enum",
	"extern", "false", "fn",      "for",	     "if",	 "impl",     "in",     "let",	  "loop",     "match",
	"mod",	  "move",  "mut",     "pub",	     "ref",	 "return",   "self",   "Self",	  "static",   "struct",
	"super",  "trait", "true",    "type",	     "unsafe",	 "use",	     "where",  "while",	  "abstract", "become",
	"box",	  "do",	   "final",   "macro",	     "override", "priv",     "typeof", "unsized", "virtual",  "yield",
	"try",	  "union", "default", "macro_rules", "gen",	 "raw",	     "safe",   "auto",	  "Fn",	      "FnMut",
	"FnOnce", "bool",  "char",    "str",	     "i8",	 "i16",	     "i32",    "i64",	  "i128",     "isize",
	"u8",	  "u16",   "u32",     "u64",	     "u128",	 "usize",    "f32",    "f64",	  "_",	      NULL,
};

static bool is_unsure_word(const char *w, size_t n)
{
	for (size_t i = 0; unsure_words[i]; i++)
		if (strlen(unsure_words[i]) == n && !memcmp(unsure_words[i], w, n))
			return true;
	return false;
}

/* Where a token stands: code, a macro call's or an attribute's tokens, or a macro_rules! body. */
enum region { REGION_CODE, REGION_TOKENS, REGION_MACRO_RULES };

struct word_scan {
	const char *text;
	struct cg_token *toks;
	size_t n;
};

/* Every token of `len` bytes of ws->text into ws->toks; false (the error cleared) when the tokenizer refuses it. */
static bool word_scan_tokenize(struct word_scan *ws, size_t len)
{
	struct cg_tokenizer tz;
	size_t cap = 0;

	if (cg_tokenizer_init(&tz, ws->text, len) < 0) {
		cg_error_clear();
		return false;
	}
	for (;;) {
		struct cg_token t = cg_tokenizer_next(&tz);
		if (t.kind == CG_TOKEN_END)
			return true;
		cg_array_grow((void **)&ws->toks, &cap, ws->n + 1, sizeof(*ws->toks));
		ws->toks[ws->n++] = t;
	}
}

static bool tok_is(const struct word_scan *ws, size_t i, enum cg_token_kind kind, const char *text)
{
	size_t n = strlen(text);
	return i < ws->n && ws->toks[i].kind == kind && ws->toks[i].end - ws->toks[i].start == n &&
	       !memcmp(ws->text + ws->toks[i].start, text, n);
}

static bool is_punct_at(const struct word_scan *ws, size_t i, const char *c)
{
	return tok_is(ws, i, CG_TOKEN_PUNCT, c);
}

/* A bracket token at i opens a macro call's or an attribute's tokens, a macro_rules! body, or code. */
static enum region region_opened(const struct word_scan *ws, size_t i)
{
	bool is_square = ws->text[ws->toks[i].start] == '[';
	if (i >= 1 && is_punct_at(ws, i - 1, "#") && is_square)
		return REGION_TOKENS;
	if (i >= 2 && is_punct_at(ws, i - 1, "!") && is_punct_at(ws, i - 2, "#") && is_square)
		return REGION_TOKENS;
	/* Not `try!(…)`: tree-sitter reads the keyword's call as code. */
	if (i >= 2 && is_punct_at(ws, i - 1, "!") && ws->toks[i - 2].kind == CG_TOKEN_WORD &&
	    !is_unsure_word(ws->text + ws->toks[i - 2].start, ws->toks[i - 2].end - ws->toks[i - 2].start))
		return REGION_TOKENS;
	if (i >= 3 && ws->toks[i - 1].kind == CG_TOKEN_WORD && is_punct_at(ws, i - 2, "!") &&
	    tok_is(ws, i - 3, CG_TOKEN_WORD, "macro_rules"))
		return REGION_MACRO_RULES;
	return REGION_CODE;
}

/*
 * Whether the word at i is surely an `identifier` node of tree-sitter's
 * tree: in a use declaration; in a macro call's or an attribute's tokens; a field or method after
 * `.`; a call or a macro's name; a path segment before `::name`. Elsewhere
 * it may be a type_identifier, a declared name or a pattern's shorthand,
 * which the tree does not count: unsure.
 */
static bool is_sure_identifier(const struct word_scan *ws, size_t i, enum region region, bool is_in_use)
{
	const struct cg_token *t = &ws->toks[i];
	const char *w = ws->text + t->start;
	size_t n = t->end - t->start;

	if (region == REGION_MACRO_RULES || is_unsure_word(w, n) || (i && is_punct_at(ws, i - 1, "$")))
		return false;
	/* Outside ASCII, tree-sitter's idea of an identifier is Unicode's, not the scanner's. */
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)w[k] >= 0x80)
			return false;
	/* After `::<…>::` tree-sitter may not see a path at all. */
	if (i >= 3 && is_punct_at(ws, i - 1, ":") && is_punct_at(ws, i - 2, ":") && is_punct_at(ws, i - 3, ">"))
		return false;
	if (region == REGION_TOKENS || is_in_use || (i && is_punct_at(ws, i - 1, ".")))
		return true;
	if (is_punct_at(ws, i + 1, "!") && i + 2 < ws->n && ws->toks[i + 2].kind == CG_TOKEN_OPEN)
		return true;
	if (i + 1 < ws->n && ws->toks[i + 1].kind == CG_TOKEN_OPEN && ws->text[ws->toks[i + 1].start] == '(')
		return !(i && ws->toks[i - 1].kind == CG_TOKEN_WORD);
	return is_punct_at(ws, i + 1, ":") && is_punct_at(ws, i + 2, ":") &&
	       ws->toks[i + 1].end == ws->toks[i + 2].start && i + 3 < ws->n && ws->toks[i + 3].kind == CG_TOKEN_WORD;
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(((const struct word *)a)->name, ((const struct word *)b)->name);
}

/*
 * Every word of the file outside comments and literals, and the names of
 * its lifetimes and labels: a superset of the identifiers tree-sitter would
 * find (scan_tree_node), each marked sure when it is one of them for
 * certain. A name not among them is named by no identifier of the tree; a
 * name sure somewhere is named by one.
 */
static void words_scan(struct bench_scan *bs, const char *text, size_t len)
{
	struct word_scan ws = { text, NULL, 0 };
	size_t wcap = 0, nstack = 0, stack_cap = 0, use_depth = SIZE_MAX;
	enum region *stack = NULL;
	struct word *words = NULL;
	size_t nwords = 0;

	if (!word_scan_tokenize(&ws, len))
		return;
	for (size_t i = 0; i < ws.n; i++) {
		const struct cg_token *t = &ws.toks[i];
		enum region region = nstack ? stack[nstack - 1] : REGION_CODE;
		const char *w = text + t->start;
		size_t n = t->end - t->start;
		if (t->kind == CG_TOKEN_OPEN) {
			cg_array_grow((void **)&stack, &stack_cap, nstack + 1, sizeof(*stack));
			stack[nstack++] = region == REGION_CODE ? region_opened(&ws, i) : region;
			continue;
		}
		if (t->kind == CG_TOKEN_CLOSE) {
			nstack -= nstack > 0;
			if (nstack < use_depth)
				use_depth = SIZE_MAX;
			continue;
		}
		/* `use a::{b, c as d};`: every word a path segment or an alias (not `use<'a>` bounds). */
		if (region == REGION_CODE && tok_is(&ws, i, CG_TOKEN_WORD, "use") && !is_punct_at(&ws, i + 1, "<")) {
			use_depth = nstack;
			continue;
		}
		if (use_depth == nstack && is_punct_at(&ws, i, ";"))
			use_depth = SIZE_MAX;
		if (t->kind == CG_TOKEN_LIFETIME) {
			w++;
			n--;
		} else if (t->kind != CG_TOKEN_WORD) {
			continue;
		}
		if (!n)
			continue;
		/* A number with a suffix no literal has (`1u256`) is a number and an identifier to tree-sitter. */
		if (*w >= '0' && *w <= '9') {
			for (size_t k = 1; k < n; k++) {
				if ((w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z') || w[k] == '_') {
					cg_array_grow((void **)&words, &wcap, nwords + 1, sizeof(*words));
					words[nwords].name = cg_strndup(w + k, n - k);
					words[nwords++].is_sure = false;
				}
			}
			continue;
		}
		cg_array_grow((void **)&words, &wcap, nwords + 1, sizeof(*words));
		words[nwords].name = cg_strndup(w, n);
		words[nwords++].is_sure =
			t->kind == CG_TOKEN_WORD && is_sure_identifier(&ws, i, region, use_depth != SIZE_MAX);
	}
	if (nwords)
		qsort(words, nwords, sizeof(*words), cmp_word);
	bs->nwords = 0;
	for (size_t i = 0; i < nwords; i++) {
		if (bs->nwords && !strcmp(words[bs->nwords - 1].name, words[i].name)) {
			words[bs->nwords - 1].is_sure |= words[i].is_sure;
			free(words[i].name);
			continue;
		}
		words[bs->nwords++] = words[i];
	}
	bs->words = words;
	free(ws.toks);
	free(stack);
}

/* --- the tree, when the words cannot answer --- */

struct tree_scan {
	const struct cg_source *src;
	struct cg_bench_file *file;
	char **names;
	size_t n, cap;
};

static bool path_starts_with(const struct cg_source *src, TSNode node, const char *crate)
{
	size_t len, n = strlen(crate);
	const char *t = cg_node_text(src, node, &len);
	if (len >= 2 && t[0] == ':' && t[1] == ':') {
		t += 2;
		len -= 2;
	}
	return len > n + 1 && !strncmp(t, crate, n) && (t[n] == ':' || t[n] == ' ');
}

static bool names_harness(const struct cg_source *src, TSNode path, const char *const *crates)
{
	for (size_t i = 0; crates[i]; i++)
		if (path_starts_with(src, path, crates[i]) || cg_node_is(src, path, crates[i]))
			return true;
	return false;
}

static const char *const criterion_crates[] = { "criterion", "codspeed_criterion_compat", NULL };
static const char *const divan_crates[] = { "divan", "codspeed_divan_compat", NULL };

static int scan_tree_node(TSNode node, void *payload)
{
	struct tree_scan *s = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL ||
	    kind == CG_K_RAW_STRING_LITERAL)
		return CG_WALK_SKIP;
	if (kind == CG_K_USE_DECLARATION || kind == CG_K_SCOPED_IDENTIFIER || kind == CG_K_SCOPED_TYPE_IDENTIFIER) {
		TSNode arg = cg_child(node, CG_F_ARGUMENT);
		TSNode path = ts_node_is_null(arg) ? node : arg;
		if (names_harness(s->src, path, criterion_crates))
			s->file->uses_criterion = true;
		if (names_harness(s->src, path, divan_crates))
			s->file->uses_divan = true;
	} else if (kind == CG_K_MACRO_INVOCATION) {
		TSNode mac = cg_child(node, CG_F_MACRO);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(mac) ? "" : cg_node_text(s->src, mac, &len);
		const char *last = cg_rust_last_segment(t, len, &llen);
		if (!ts_node_is_null(mac) && ((llen == 14 && !memcmp(last, "criterion_main", 14)) ||
					      (llen == 15 && !memcmp(last, "criterion_group", 15)))) {
			s->file->uses_criterion = true;
			if (llen == 14)
				s->file->has_main_macro = true;
		}
	} else if (kind == CG_K_CALL_EXPRESSION) {
		TSNode fn = cg_child(node, CG_F_FUNCTION);
		size_t len = 0, llen = 0;
		const char *t = ts_node_is_null(fn) ? "" : cg_node_text(s->src, fn, &len);
		const char *last = cg_rust_last_segment(t, len, &llen);
		/* divan::main() runs the benches: the target needs harness = false. */
		if (!ts_node_is_null(fn) && names_harness(s->src, fn, divan_crates) && llen == 4 &&
		    !memcmp(last, "main", 4)) {
			s->file->uses_divan = true;
			s->file->has_main_macro = true;
		}
	} else if (kind == CG_K_IDENTIFIER || kind == CG_K_FIELD_IDENTIFIER) {
		TSNode parent = ts_node_parent(node);
		enum cg_kind pkind = ts_node_is_null(parent) ? CG_K_OTHER : cg_node_kind(parent);
		TSNode name = ts_node_is_null(parent) ? parent : cg_child(parent, CG_F_NAME);
		/* A bench's own items do not name the crate's functions. */
		bool is_decl = !ts_node_is_null(name) && ts_node_eq(name, node) &&
			       (pkind == CG_K_FUNCTION_ITEM || pkind == CG_K_FUNCTION_SIGNATURE_ITEM ||
				pkind == CG_K_STRUCT_ITEM || pkind == CG_K_ENUM_ITEM || pkind == CG_K_MOD_ITEM ||
				pkind == CG_K_CONST_ITEM || pkind == CG_K_STATIC_ITEM);
		if (!is_decl) {
			cg_array_grow((void **)&s->names, &s->cap, s->n + 1, sizeof(*s->names));
			s->names[s->n++] = cg_node_strdup(s->src, node);
		}
	}
	return CG_WALK_ENTER;
}

/* --- typed references: which fn of which type a name stands for --- */

struct binding {
	char *var, *type;
};

struct typed_scan {
	const struct cg_source *src;
	struct binding *binds; /* let and parameter bindings, in source order */
	size_t nbinds, bcap;
	struct binding *fns; /* the bench's own fns and the types they return */
	size_t nfns, fcap;
	struct binding *fields; /* the fields of the bench's own structs and their types */
	size_t nfields, fdcap;
	struct bench_ref *refs;
	size_t nrefs, rcap;
	struct bench_use *uses;
	size_t nuses, ucap;
};

static TSNode field(TSNode n, const char *name)
{
	return ts_node_child_by_field_name(n, name, (uint32_t)strlen(name));
}

/* The text of a node's field, or NULL when an error-recovered tree lacks it. */
static char *field_text(const struct cg_source *src, TSNode n)
{
	return ts_node_is_null(n) ? NULL : cg_node_strdup(src, n);
}

/* Wrappers a method call sees through (auto-deref): `Arc<Runtime>` calls Runtime's methods, `Pin<&mut Sender>`
 * Sender's. */
static bool is_wrapper(const char *type)
{
	return !strcmp(type, "Arc") || !strcmp(type, "Rc") || !strcmp(type, "Box") || !strcmp(type, "Pin");
}

/*
 * The name of the type a type (or path) node names: its last segment,
 * through references, `<T as Trait>`, generics and Arc/Rc/Box. NULL for
 * none (a tuple, `impl Trait`, a fn pointer).
 */
static char *type_name(const struct cg_source *src, TSNode t, int depth)
{
	if (ts_node_is_null(t) || depth > 16)
		return NULL;
	switch (cg_node_kind(t)) {
	case CG_K_TYPE_IDENTIFIER:
	case CG_K_IDENTIFIER:
		return cg_node_strdup(src, t);
	case CG_K_SCOPED_TYPE_IDENTIFIER:
	case CG_K_SCOPED_IDENTIFIER:
		return type_name(src, field(t, "name"), depth + 1);
	case CG_K_REFERENCE_TYPE:
	case CG_K_QUALIFIED_TYPE:
		return type_name(src, field(t, "type"), depth + 1);
	case CG_K_BRACKETED_TYPE:
		return ts_node_named_child_count(t) ? type_name(src, ts_node_named_child(t, 0), depth + 1) : NULL;
	case CG_K_GENERIC_TYPE: {
		char *n = type_name(src, field(t, "type"), depth + 1);
		TSNode args = field(t, "type_arguments");
		if (n && is_wrapper(n) && !ts_node_is_null(args) && ts_node_named_child_count(args)) {
			free(n);
			return type_name(src, ts_node_named_child(args, 0), depth + 1);
		}
		return n;
	}
	default:
		return NULL;
	}
}

static bool is_type_like(const char *name)
{
	return name && name[0] >= 'A' && name[0] <= 'Z';
}

static const struct binding *find_binding(const struct binding *b, size_t n, const char *var)
{
	/* The latest binding of the name: shadowing. */
	for (size_t i = n; i-- > 0;)
		if (!strcmp(b[i].var, var))
			return &b[i];
	return NULL;
}

/*
 * The type of an expression as far as the bench shows it: a constructor
 * (`Type::new(..)`, `Type { .. }`, `Arc::new(Type::new())`), a variable
 * bound to one, a call of the bench's own fn with a return type, a field of
 * the bench's own struct (`self.interval`), and these
 * through `?`, `.await`, `&`, `.unwrap()`, `.expect(..)`, `.clone()`,
 * `.as_mut()`, `.as_ref()`, and
 * `XBuilder::build()` as X. NULL when it does not show.
 */
static char *expr_type(struct typed_scan *ts, TSNode e, int depth)
{
	if (ts_node_is_null(e) || depth > 16)
		return NULL;
	switch (cg_node_kind(e)) {
	case CG_K_IDENTIFIER: {
		char *var = cg_node_strdup(ts->src, e);
		const struct binding *b = find_binding(ts->binds, ts->nbinds, var);
		if (b || !is_type_like(var)) {
			free(var);
			return b ? cg_strdup(b->type) : NULL;
		}
		return var; /* a unit struct's value: `Clock.advance()` */
	}
	case CG_K_SCOPED_IDENTIFIER: {
		char *name = field_text(ts->src, field(e, "name"));
		if (is_type_like(name))
			return name; /* `krate::Clock.advance()` */
		free(name);
		return NULL;
	}
	case CG_K_TRY_EXPRESSION:
	case CG_K_AWAIT_EXPRESSION:
	case CG_K_PARENTHESIZED_EXPRESSION:
	case CG_K_REFERENCE_EXPRESSION:
	case CG_K_UNARY_EXPRESSION:
		return ts_node_named_child_count(e)
			       ? expr_type(ts, ts_node_named_child(e, ts_node_named_child_count(e) - 1), depth + 1)
			       : NULL;
	case CG_K_STRUCT_EXPRESSION:
		return type_name(ts->src, field(e, "name"), depth + 1);
	case CG_K_FIELD_EXPRESSION: { /* `self.interval` of a bench struct's field `interval: Interval` */
		char *name = field_text(ts->src, field(e, "field"));
		const struct binding *b = name ? find_binding(ts->fields, ts->nfields, name) : NULL;
		free(name);
		return b ? cg_strdup(b->type) : NULL;
	}
	case CG_K_CALL_EXPRESSION: {
		TSNode fn = field(e, "function");
		if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
			fn = field(fn, "function");
		if (ts_node_is_null(fn))
			return NULL;
		if (cg_node_kind(fn) == CG_K_SCOPED_IDENTIFIER) {
			char *q = type_name(ts->src, field(fn, "path"), depth + 1);
			TSNode args = field(e, "arguments");
			if (!is_type_like(q)) {
				free(q);
				return NULL;
			}
			if (is_wrapper(q) && !ts_node_is_null(args) && ts_node_named_child_count(args) == 1) {
				free(q);
				return expr_type(ts, ts_node_named_child(args, 0), depth + 1);
			}
			return q;
		}
		if (cg_node_kind(fn) == CG_K_IDENTIFIER) {
			char *name = cg_node_strdup(ts->src, fn);
			const struct binding *b = find_binding(ts->fns, ts->nfns, name);
			free(name);
			return b ? cg_strdup(b->type) : NULL;
		}
		if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION) {
			TSNode m = field(fn, "field");
			char *inner;
			size_t n;
			if (cg_node_is(ts->src, m, "unwrap") || cg_node_is(ts->src, m, "expect") ||
			    cg_node_is(ts->src, m, "clone") || cg_node_is(ts->src, m, "as_mut") ||
			    cg_node_is(ts->src, m, "as_ref"))
				return expr_type(ts, field(fn, "value"), depth + 1);
			if (!cg_node_is(ts->src, m, "build"))
				return NULL;
			inner = expr_type(ts, field(fn, "value"), depth + 1);
			n = inner ? strlen(inner) : 0;
			if (n > 7 && !strcmp(inner + n - 7, "Builder")) {
				inner[n - 7] = '\0';
				return inner;
			}
			free(inner);
		}
		return NULL;
	}
	default:
		return NULL;
	}
}

static void add_binding(struct binding **b, size_t *n, size_t *cap, char *var, char *type)
{
	if (!var || !type) {
		free(var);
		free(type);
		return;
	}
	cg_array_grow((void **)b, cap, *n + 1, sizeof(**b));
	(*b)[*n].var = var;
	(*b)[(*n)++].type = type;
}

/* The variable a pattern binds: `x`, `mut x`, `ref x`; NULL for destructuring. */
static char *pattern_var(const struct cg_source *src, TSNode p)
{
	if (ts_node_is_null(p))
		return NULL;
	if (cg_node_kind(p) == CG_K_MUT_PATTERN && ts_node_named_child_count(p))
		p = ts_node_named_child(p, ts_node_named_child_count(p) - 1);
	return cg_node_kind(p) == CG_K_IDENTIFIER ? cg_node_strdup(src, p) : NULL;
}

static bool is_skipped(enum cg_kind kind)
{
	return kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL ||
	       kind == CG_K_RAW_STRING_LITERAL || kind == CG_K_MACRO_INVOCATION || kind == CG_K_MACRO_DEFINITION;
}

/* The bench's own fns and their return types, wherever they stand in the file. */
static int typed_fns(TSNode node, void *payload)
{
	struct typed_scan *ts = payload;
	enum cg_kind kind = cg_node_kind(node);
	if (is_skipped(kind))
		return CG_WALK_SKIP;
	if (kind == CG_K_FUNCTION_ITEM)
		add_binding(&ts->fns, &ts->nfns, &ts->fcap, field_text(ts->src, field(node, "name")),
			    type_name(ts->src, field(node, "return_type"), 0));
	else if (kind == CG_K_FIELD_DECLARATION)
		add_binding(&ts->fields, &ts->nfields, &ts->fdcap, field_text(ts->src, field(node, "name")),
			    type_name(ts->src, field(node, "type"), 0));
	return CG_WALK_ENTER;
}

static void add_ref(struct typed_scan *ts, enum ref_kind kind, char *name, char *qual, char *first)
{
	if (!name) {
		free(qual);
		free(first);
		return;
	}
	cg_array_grow((void **)&ts->refs, &ts->rcap, ts->nrefs + 1, sizeof(*ts->refs));
	ts->refs[ts->nrefs++] = (struct bench_ref){ name, qual, first, kind };
}

static void add_use(struct typed_scan *ts, char *path, char *local)
{
	if (!path || !local) {
		free(path);
		free(local);
		return;
	}
	cg_array_grow((void **)&ts->uses, &ts->ucap, ts->nuses + 1, sizeof(*ts->uses));
	ts->uses[ts->nuses].path = path;
	ts->uses[ts->nuses++].local = local;
}

/* A node's text without white space or comments' bytes between tokens (`a :: b` as `a::b`). */
static char *squeezed(const struct cg_source *src, TSNode n)
{
	size_t len = 0;
	const char *t = ts_node_is_null(n) ? "" : cg_node_text(src, n, &len);
	char *out = cg_calloc(len + 1, 1), *o = out;
	for (size_t i = 0; i < len; i++)
		if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
			*o++ = t[i];
	return out;
}

static char *joined(const char *prefix, const char *rest)
{
	struct cg_buf b = CG_BUF_INIT;
	if (*prefix && *rest)
		cg_buf_printf(&b, "%s::%s", prefix, rest);
	else
		cg_buf_puts(&b, *prefix ? prefix : rest);
	char *out = cg_buf_detach(&b, NULL);
	return out ? out : cg_strdup("");
}

static char *last_segment_dup(const char *path)
{
	const char *p = strrchr(path, ':');
	return cg_strdup(p ? p + 1 : path);
}

static void flatten_use(struct typed_scan *ts, TSNode n, const char *prefix, int depth)
{
	enum cg_kind kind = cg_node_kind(n);
	char *text, *path;

	if (ts_node_is_null(n) || depth > 32)
		return;
	if (kind == CG_K_SCOPED_USE_LIST) {
		TSNode p = field(n, "path"), list = field(n, "list");
		char *pt = ts_node_is_null(p) ? cg_strdup("") : squeezed(ts->src, p);
		char *sub = joined(prefix, pt);
		flatten_use(ts, list, sub, depth + 1);
		free(pt);
		free(sub);
		return;
	}
	if (kind == CG_K_USE_LIST) {
		for (uint32_t i = 0; i < ts_node_named_child_count(n); i++)
			flatten_use(ts, ts_node_named_child(n, i), prefix, depth + 1);
		return;
	}
	if (kind == CG_K_USE_AS_CLAUSE) {
		text = squeezed(ts->src, field(n, "path"));
		add_use(ts, joined(prefix, text), field_text(ts->src, field(n, "alias")));
		free(text);
		return;
	}
	if (kind == CG_K_USE_WILDCARD) {
		size_t len;
		text = squeezed(ts->src, n);
		len = strlen(text);
		text[len >= 3 ? len - 3 : 0] = '\0'; /* less the `::*` */
		add_use(ts, joined(prefix, text), cg_strdup("*"));
		free(text);
		return;
	}
	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT)
		return;
	text = squeezed(ts->src, n);
	if (!strcmp(text, "self")) { /* `use a::b::{self}` brings `b` */
		add_use(ts, cg_strdup(prefix), last_segment_dup(prefix));
		free(text);
		return;
	}
	path = joined(prefix, text);
	add_use(ts, path, last_segment_dup(path));
	free(text);
}

/* The first segment of a path expression (`a` of `a::b::c`), or NULL. */
static char *first_segment(const struct cg_source *src, TSNode n)
{
	for (int depth = 0; !ts_node_is_null(n) && depth < 64; depth++) {
		enum cg_kind kind = cg_node_kind(n);
		if (kind == CG_K_SCOPED_IDENTIFIER) {
			TSNode p = field(n, "path");
			if (ts_node_is_null(p)) /* `::a::b` */
				return cg_node_strdup(src, field(n, "name"));
			n = p;
			continue;
		}
		return kind == CG_K_IDENTIFIER ? cg_node_strdup(src, n) : type_name(src, n, 0);
	}
	return NULL;
}

/*
 * `let (tx, rx) = m::channel(..)`: a channel constructor's two ends, the
 * one tuple whose types a bench shows by convention (tokio's and std's
 * mpsc, oneshot, watch, broadcast; crossbeam's and flume's bounded and
 * unbounded).
 */
static void bind_channel_ends(struct typed_scan *ts, TSNode pattern, TSNode value)
{
	TSNode fn = ts_node_is_null(value) || cg_node_kind(value) != CG_K_CALL_EXPRESSION ? value
											  : field(value, "function");
	size_t len, last_len;
	const char *text, *last;
	bool is_unbounded;

	if (ts_node_is_null(fn) || ts_node_named_child_count(pattern) != 2)
		return;
	if (cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
		fn = field(fn, "function");
	if (ts_node_is_null(fn))
		return;
	text = cg_node_text(ts->src, fn, &len);
	last = cg_rust_last_segment(text, len, &last_len);
	is_unbounded = last_len == 17 && !memcmp(last, "unbounded_channel", 17);
	if (!is_unbounded && !(last_len == 7 && !memcmp(last, "channel", 7)) &&
	    !(last_len == 12 && !memcmp(last, "sync_channel", 12)) && !(last_len == 7 && !memcmp(last, "bounded", 7)) &&
	    !(last_len == 9 && !memcmp(last, "unbounded", 9)))
		return;
	add_binding(&ts->binds, &ts->nbinds, &ts->bcap, pattern_var(ts->src, ts_node_named_child(pattern, 0)),
		    cg_strdup(is_unbounded ? "UnboundedSender" : "Sender"));
	add_binding(&ts->binds, &ts->nbinds, &ts->bcap, pattern_var(ts->src, ts_node_named_child(pattern, 1)),
		    cg_strdup(is_unbounded ? "UnboundedReceiver" : "Receiver"));
}

/* Bindings, then references, in one walk: a let is seen before the calls after it. */
static int typed_refs(TSNode node, void *payload)
{
	struct typed_scan *ts = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (is_skipped(kind))
		return CG_WALK_SKIP;
	switch (kind) {
	case CG_K_USE_DECLARATION:
		flatten_use(ts, field(node, "argument"), "", 0);
		return CG_WALK_SKIP;
	case CG_K_LET_DECLARATION: {
		TSNode type = field(node, "type"), pattern = field(node, "pattern");
		char *var, *t;
		if (!ts_node_is_null(pattern) && cg_node_kind(pattern) == CG_K_TUPLE_PATTERN) {
			bind_channel_ends(ts, pattern, field(node, "value"));
			break;
		}
		var = pattern_var(ts->src, pattern);
		t = ts_node_is_null(type) ? expr_type(ts, field(node, "value"), 0) : type_name(ts->src, type, 0);
		add_binding(&ts->binds, &ts->nbinds, &ts->bcap, var, t);
		break;
	}
	case CG_K_PARAMETER:
		add_binding(&ts->binds, &ts->nbinds, &ts->bcap, pattern_var(ts->src, field(node, "pattern")),
			    type_name(ts->src, field(node, "type"), 0));
		break;
	case CG_K_SCOPED_IDENTIFIER: {
		TSNode parent = ts_node_parent(node), path = field(node, "path");
		/* `a::b` inside `a::b::c` is a module, not what the path names. */
		if (!ts_node_is_null(parent) && cg_node_kind(parent) == CG_K_SCOPED_IDENTIFIER &&
		    ts_node_eq(field(parent, "path"), node))
			break;
		add_ref(ts, REF_PATH, field_text(ts->src, field(node, "name")),
			ts_node_is_null(path) ? NULL : type_name(ts->src, path, 0), first_segment(ts->src, node));
		break;
	}
	case CG_K_CALL_EXPRESSION: {
		TSNode fn = field(node, "function");
		if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
			fn = field(fn, "function");
		if (ts_node_is_null(fn))
			break;
		if (cg_node_kind(fn) == CG_K_IDENTIFIER) {
			add_ref(ts, REF_CALL, cg_node_strdup(ts->src, fn), NULL, NULL);
		} else if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION) {
			char *t = expr_type(ts, field(fn, "value"), 0);
			if (t)
				add_ref(ts, REF_METHOD, field_text(ts->src, field(fn, "field")), t, NULL);
		}
		break;
	}
	default:
		break;
	}
	return CG_WALK_ENTER;
}

/* --- typed references inside macro_rules! bodies, which the tree leaves as tokens --- */

static char *tok_dup(const struct word_scan *ws, size_t i)
{
	return cg_strndup(ws->text + ws->toks[i].start, ws->toks[i].end - ws->toks[i].start);
}

static bool is_word_at(const struct word_scan *ws, size_t i)
{
	return i < ws->n && ws->toks[i].kind == CG_TOKEN_WORD;
}

static bool is_path_sep_at(const struct word_scan *ws, size_t i)
{
	return is_punct_at(ws, i, ":") && is_punct_at(ws, i + 1, ":");
}

/* `type Alias<..> = a::Target<..>;` at i (the `type` word): Alias bound to Target. */
static void add_alias(const struct word_scan *ws, size_t i, struct binding **b, size_t *n, size_t *cap)
{
	size_t j = i + 2, target = SIZE_MAX;
	if (!is_word_at(ws, i + 1))
		return;
	while (j < ws->n && !is_punct_at(ws, j, "=") && !is_punct_at(ws, j, ";"))
		j++;
	if (!is_punct_at(ws, j, "="))
		return;
	for (j++; is_word_at(ws, j); j += 3) {
		target = j;
		if (!is_path_sep_at(ws, j + 1))
			break;
	}
	if (target != SIZE_MAX && is_type_like(ws->text + ws->toks[target].start))
		add_binding(b, n, cap, tok_dup(ws, i + 1), tok_dup(ws, target));
}

/* The `let [mut] v =` at i binds v (returned, its index in *var) and the value starts at *value. */
static bool let_at(const struct word_scan *ws, size_t i, size_t *var, size_t *value)
{
	size_t v = i + 1;
	if (!tok_is(ws, i, CG_TOKEN_WORD, "let"))
		return false;
	if (tok_is(ws, v, CG_TOKEN_WORD, "mut"))
		v++;
	if (!is_word_at(ws, v) || !is_punct_at(ws, v + 1, "="))
		return false;
	*var = v;
	*value = v + 2;
	return true;
}

/*
 * hashbrown's benches build their maps in macro_rules! bodies: `let mut m =
 * $maptype::default(); .. m.remove(&k)`, the macro called with a type
 * (`bench!(name, AHashMap, 0..)`, AHashMap a `type` alias of HashMap). A
 * receiver bound there from a metavariable's constructor, or a `.clone()` of
 * one, calls its methods on each type-like word the file's macro calls pass
 * as a whole argument (through the file's aliases); `$t::name(..)` names
 * `name` of those types. Other receivers in a body still show no type.
 */
static void macro_body_refs(struct typed_scan *ts)
{
	struct word_scan ws = { ts->src->text, NULL, 0 };
	struct binding *aliases = NULL, *vars = NULL;
	char **types = NULL;
	size_t cap = 0, naliases = 0, acap = 0, ntypes = 0, nvars = 0, vcap = 0;
	size_t *stack = NULL, nstack = 0, scap = 0, body = SIZE_MAX;

	if (!memmem(ws.text, ts->src->len, "macro_rules", 11))
		return;
	if (!word_scan_tokenize(&ws, ts->src->len))
		return;
	/* The aliases, and the types macro calls pass: `m!(a, Type, b)`, in code or in a body. */
	for (size_t i = 0; i < ws.n; i++) {
		if (ws.toks[i].kind == CG_TOKEN_OPEN) {
			cg_array_grow((void **)&stack, &scap, nstack + 1, sizeof(*stack));
			stack[nstack++] = i;
		} else if (ws.toks[i].kind == CG_TOKEN_CLOSE) {
			nstack -= nstack > 0;
		} else if (tok_is(&ws, i, CG_TOKEN_WORD, "type")) {
			add_alias(&ws, i, &aliases, &naliases, &acap);
		} else if (is_word_at(&ws, i) && is_type_like(ws.text + ws.toks[i].start) && nstack &&
			   stack[nstack - 1] >= 1 && is_punct_at(&ws, stack[nstack - 1] - 1, "!") &&
			   (stack[nstack - 1] == i - 1 || is_punct_at(&ws, i - 1, ",")) &&
			   (is_punct_at(&ws, i + 1, ",") || (i + 1 < ws.n && ws.toks[i + 1].kind == CG_TOKEN_CLOSE))) {
			char *type = tok_dup(&ws, i);
			/* Through aliases of aliases, a few deep. */
			for (int depth = 0; depth < 4; depth++) {
				const struct binding *a = find_binding(aliases, naliases, type);
				if (!a)
					break;
				free(type);
				type = cg_strdup(a->type);
			}
			cg_array_grow((void **)&types, &cap, ntypes + 1, sizeof(*types));
			types[ntypes++] = type;
		}
	}
	nstack = 0;
	for (size_t i = 0; ntypes && i < ws.n; i++) {
		size_t var, value;
		if (ws.toks[i].kind == CG_TOKEN_OPEN) {
			if (body == SIZE_MAX && i >= 3 && is_word_at(&ws, i - 1) && is_punct_at(&ws, i - 2, "!") &&
			    tok_is(&ws, i - 3, CG_TOKEN_WORD, "macro_rules"))
				body = nstack; /* a new body: no receiver bound yet */
			nstack++;
			continue;
		}
		if (ws.toks[i].kind == CG_TOKEN_CLOSE) {
			nstack -= nstack > 0;
			if (body != SIZE_MAX && nstack <= body) {
				body = SIZE_MAX;
				for (size_t k = 0; k < nvars; k++) {
					free(vars[k].var);
					free(vars[k].type);
				}
				nvars = 0;
			}
			continue;
		}
		if (body == SIZE_MAX)
			continue;
		if (let_at(&ws, i, &var, &value)) {
			/* `$t::ctor(..)`, or `v.clone()` of a receiver so bound; any other value unbinds. */
			bool is_typed = is_punct_at(&ws, value, "$") && is_word_at(&ws, value + 1) &&
					is_path_sep_at(&ws, value + 2);
			char *name = tok_dup(&ws, var);
			if (!is_typed && is_word_at(&ws, value) && is_punct_at(&ws, value + 1, ".") &&
			    tok_is(&ws, value + 2, CG_TOKEN_WORD, "clone")) {
				char *from = tok_dup(&ws, value);
				const struct binding *b = find_binding(vars, nvars, from);
				is_typed = b && !strcmp(b->type, "$");
				free(from);
			}
			add_binding(&vars, &nvars, &vcap, name, cg_strdup(is_typed ? "$" : ""));
			continue;
		}
		/* `$t::name(..)` and `v.name(..)` on a receiver bound above. */
		if (is_punct_at(&ws, i, "$") && is_word_at(&ws, i + 1) && is_path_sep_at(&ws, i + 2) &&
		    is_word_at(&ws, i + 4) && i + 5 < ws.n && ws.toks[i + 5].kind == CG_TOKEN_OPEN) {
			for (size_t k = 0; k < ntypes; k++)
				add_ref(ts, REF_PATH, tok_dup(&ws, i + 4), cg_strdup(types[k]), NULL);
		} else if (is_word_at(&ws, i) && !(i && is_punct_at(&ws, i - 1, ".")) && is_punct_at(&ws, i + 1, ".") &&
			   is_word_at(&ws, i + 2) && i + 3 < ws.n && ws.toks[i + 3].kind == CG_TOKEN_OPEN) {
			char *recv = tok_dup(&ws, i);
			const struct binding *b = find_binding(vars, nvars, recv);
			free(recv);
			for (size_t k = 0; b && !strcmp(b->type, "$") && k < ntypes; k++)
				add_ref(ts, REF_METHOD, tok_dup(&ws, i + 2), cg_strdup(types[k]), NULL);
		}
	}
	for (size_t k = 0; k < nvars; k++) {
		free(vars[k].var);
		free(vars[k].type);
	}
	free(vars);
	for (size_t k = 0; k < naliases; k++) {
		free(aliases[k].var);
		free(aliases[k].type);
	}
	free(aliases);
	for (size_t k = 0; k < ntypes; k++)
		free(types[k]);
	free(types);
	free(stack);
	free(ws.toks);
}

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct bench_ref *)a)->name, ((const struct bench_ref *)b)->name);
}

static void typed_scan_run(struct bench_scan *bs, const struct cg_source *src)
{
	struct typed_scan ts = { .src = src };

	cg_walk(cg_source_root(src), typed_fns, &ts);
	cg_walk(cg_source_root(src), typed_refs, &ts);
	macro_body_refs(&ts);
	for (size_t i = 0; i < ts.nbinds; i++) {
		free(ts.binds[i].var);
		free(ts.binds[i].type);
	}
	free(ts.binds);
	for (size_t i = 0; i < ts.nfns; i++) {
		free(ts.fns[i].var);
		free(ts.fns[i].type);
	}
	free(ts.fns);
	for (size_t i = 0; i < ts.nfields; i++) {
		free(ts.fields[i].var);
		free(ts.fields[i].type);
	}
	free(ts.fields);
	if (ts.nrefs)
		qsort(ts.refs, ts.nrefs, sizeof(*ts.refs), cmp_ref);
	bs->refs = ts.refs;
	bs->nrefs = ts.nrefs;
	bs->uses = ts.uses;
	bs->nuses = ts.nuses;
}

static void refs_free(struct bench_ref *refs, size_t n, struct bench_use *uses, size_t nuses)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].name);
		free(refs[i].qual);
		free(refs[i].first);
	}
	free(refs);
	for (size_t i = 0; i < nuses; i++) {
		free(uses[i].path);
		free(uses[i].local);
	}
	free(uses);
}

/* Parses one bench file: what it runs on and the identifiers it names. */
static void tree_scan(struct bench_scan *bs, const char *text, size_t len)
{
	struct tree_scan acc = { 0 };
	struct cg_source src;

	if (cg_source_parse(&src, CG_LANG_RUST, text, len) < 0) {
		cg_error_clear();
		return;
	}
	acc.src = &src;
	acc.file = &bs->flags;
	cg_walk(cg_source_root(&src), scan_tree_node, &acc);
	typed_scan_run(bs, &src);
	cg_source_release(&src);
	if (acc.n)
		qsort(acc.names, acc.n, sizeof(*acc.names), cg_crate__cmp_str);
	bs->nnames = 0;
	for (size_t i = 0; i < acc.n; i++) {
		if (bs->nnames && !strcmp(acc.names[bs->nnames - 1], acc.names[i])) {
			free(acc.names[i]);
			continue;
		}
		acc.names[bs->nnames++] = acc.names[i];
	}
	bs->names = acc.names;
}

/* --- the index of every bench file read in a run --- */

static void bench_scan_free(struct bench_scan *bs)
{
	free(bs->path);
	cg_buf_release(&bs->text);
	for (size_t i = 0; i < bs->nwords; i++)
		free(bs->words[i].name);
	free(bs->words);
	for (size_t i = 0; i < bs->nnames; i++)
		free(bs->names[i]);
	free(bs->names);
	refs_free(bs->refs, bs->nrefs, bs->uses, bs->nuses);
	free(bs);
}

void cg_crate__bench_index_free(struct cg_bench_index *index)
{
	if (!index)
		return;
	for (size_t i = 0; i < index->n; i++)
		bench_scan_free(index->files[i]);
	free(index->files);
	pthread_mutex_destroy(&index->lock);
	free(index);
}

struct cg_bench_index *cg_crate__bench_index_new(void)
{
	struct cg_bench_index *index = cg_calloc(1, sizeof(*index));
	pthread_mutex_init(&index->lock, NULL);
	return index;
}

/* The entry of `path`, added empty when new. Under index->lock. */
static struct bench_scan *index_entry(struct cg_bench_index *index, const char *path)
{
	size_t lo = 0, hi = index->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(index->files[mid]->path, path);
		if (!c)
			return index->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	cg_array_grow((void **)&index->files, &index->cap, index->n + 1, sizeof(*index->files));
	memmove(&index->files[lo + 1], &index->files[lo], (index->n - lo) * sizeof(*index->files));
	index->files[lo] = cg_calloc(1, sizeof(**index->files));
	index->files[lo]->path = cg_strdup(path);
	index->n++;
	return index->files[lo];
}

/* How far a bench file has been read: its text, its words, its tree. */
enum scan_level { SCAN_TEXT, SCAN_WORDS, SCAN_TREE };

/* Frees what a scan filled in `fresh` (not its path or text) and zeroes those fields. */
static void scan_release(struct bench_scan *fresh)
{
	for (size_t i = 0; i < fresh->nwords; i++)
		free(fresh->words[i].name);
	free(fresh->words);
	for (size_t i = 0; i < fresh->nnames; i++)
		free(fresh->names[i]);
	free(fresh->names);
	refs_free(fresh->refs, fresh->nrefs, fresh->uses, fresh->nuses);
	fresh->words = NULL;
	fresh->nwords = 0;
	fresh->names = NULL;
	fresh->nnames = 0;
	fresh->refs = NULL;
	fresh->nrefs = 0;
	fresh->uses = NULL;
	fresh->nuses = 0;
	fresh->flags = (struct cg_bench_file){ 0 };
}

/*
 * The words and the tree's findings of a bench file in the disk cache
 * (crate/cache.h), by blob id: a warm hook reads no bench file's text.
 * Bump CG_DISK_CACHE_FORMAT when struct bench_scan's cached parts change.
 */
static void encode_scan(struct cg_buf *out, const struct bench_scan *bs, enum scan_level level)
{
	if (level == SCAN_WORDS) {
		cg_cache_put_u32(out, (uint32_t)bs->nwords);
		for (size_t i = 0; i < bs->nwords; i++) {
			cg_cache_put_str(out, bs->words[i].name);
			cg_cache_put_u32(out, bs->words[i].is_sure);
		}
		return;
	}
	cg_cache_put_u32(
		out, (uint32_t)(bs->flags.uses_criterion | bs->flags.uses_divan << 1 | bs->flags.has_main_macro << 2));
	cg_cache_put_u32(out, (uint32_t)bs->nnames);
	for (size_t i = 0; i < bs->nnames; i++)
		cg_cache_put_str(out, bs->names[i]);
	cg_cache_put_u32(out, (uint32_t)bs->nrefs);
	for (size_t i = 0; i < bs->nrefs; i++) {
		cg_cache_put_str(out, bs->refs[i].name);
		cg_cache_put_str(out, bs->refs[i].qual);
		cg_cache_put_str(out, bs->refs[i].first);
		cg_cache_put_u32(out, (uint32_t)bs->refs[i].kind);
	}
	cg_cache_put_u32(out, (uint32_t)bs->nuses);
	for (size_t i = 0; i < bs->nuses; i++) {
		cg_cache_put_str(out, bs->uses[i].path);
		cg_cache_put_str(out, bs->uses[i].local);
	}
}

/* Fills `fresh` from a cached entry; false (and `fresh` freed by the caller) when it cannot be trusted. */
static bool decode_scan(struct bench_scan *fresh, const struct cg_buf *raw, enum scan_level level)
{
	struct cg_cache_reader r = { (const unsigned char *)raw->ptr, (const unsigned char *)raw->ptr + raw->size,
				     false };
	size_t n;
	if (level == SCAN_WORDS) {
		n = cg_cache_get_count(&r, 8);
		fresh->words = cg_calloc(n ? n : 1, sizeof(*fresh->words));
		for (size_t i = 0; i < n && !r.is_bad; i++) {
			struct word *w = &fresh->words[fresh->nwords++];
			w->name = cg_cache_get_str(&r);
			w->is_sure = cg_cache_get_u32(&r) != 0;
			r.is_bad |= !w->name;
		}
	} else {
		uint32_t flags = cg_cache_get_u32(&r);
		fresh->flags.uses_criterion = flags & 1;
		fresh->flags.uses_divan = (flags >> 1) & 1;
		fresh->flags.has_main_macro = (flags >> 2) & 1;
		n = cg_cache_get_count(&r, 4);
		fresh->names = cg_calloc(n ? n : 1, sizeof(*fresh->names));
		for (size_t i = 0; i < n && !r.is_bad; i++)
			r.is_bad |= !(fresh->names[fresh->nnames++] = cg_cache_get_str(&r));
		n = cg_cache_get_count(&r, 16);
		fresh->refs = cg_calloc(n ? n : 1, sizeof(*fresh->refs));
		for (size_t i = 0; i < n && !r.is_bad; i++) {
			struct bench_ref *f = &fresh->refs[fresh->nrefs++];
			uint32_t kind;
			f->name = cg_cache_get_str(&r);
			f->qual = cg_cache_get_str(&r);
			f->first = cg_cache_get_str(&r);
			kind = cg_cache_get_u32(&r);
			f->kind = (enum ref_kind)kind;
			r.is_bad |= !f->name || kind > REF_CALL;
		}
		n = cg_cache_get_count(&r, 8);
		fresh->uses = cg_calloc(n ? n : 1, sizeof(*fresh->uses));
		for (size_t i = 0; i < n && !r.is_bad; i++) {
			struct bench_use *u = &fresh->uses[fresh->nuses++];
			u->path = cg_cache_get_str(&r);
			u->local = cg_cache_get_str(&r);
			r.is_bad |= !u->path || !u->local;
		}
	}
	return !r.is_bad && r.p == r.end;
}

/* The disk cache's key for a bench file's entries: what is read depends on the size bound too. */
static bool scan_disk_key(struct cg_crate_cache *cache, const char *path, git_oid *id, uint64_t *key)
{
	size_t max_file = cg_crate__max_file(cache);
	if (!cg_crate__disk(cache) || !cg_change_blob_id(cg_crate__change(cache), path, id))
		return false;
	*key = cg_hash64(&max_file, sizeof(max_file), 0);
	return true;
}

/*
 * The scan of `path` filled up to `level`. The file is read and scanned
 * outside every lock: two threads may both do it, and the first to finish
 * fills the entry. What an entry holds, once filled, never changes until the
 * cache is freed.
 */
static struct bench_scan *scanned(struct cg_crate_cache *cache, const char *path, enum scan_level level)
{
	struct cg_bench_index *index = cg_crate__bench_index(cache);
	struct bench_scan *bs, fresh = { 0 };
	struct cg_buf text = CG_BUF_INIT, raw = CG_BUF_INIT;
	enum cg_disk_cache_kind kind = level == SCAN_TREE ? CG_CACHE_BENCH_TREE : CG_CACHE_BENCH_WORDS;
	bool has_text, is_done, has_id = false, is_cached = false;
	uint64_t key = 0;
	git_oid id;

	pthread_mutex_lock(&index->lock);
	bs = index_entry(index, path);
	has_text = bs->has_text;
	is_done = level == SCAN_TREE ? bs->has_tree : level == SCAN_WORDS ? bs->has_words : has_text;
	pthread_mutex_unlock(&index->lock);
	if (is_done)
		return bs;
	has_id = level != SCAN_TEXT && scan_disk_key(cache, path, &id, &key);
	if (has_id && cg_disk_cache_get(cg_crate__disk(cache), kind, &id, key, &raw)) {
		is_cached = decode_scan(&fresh, &raw, level);
		if (!is_cached)
			scan_release(&fresh);
	}
	if (!is_cached && !has_text) {
		if (!cg_crate__read_file(cache, path, &text))
			cg_buf_init(&text);
		pthread_mutex_lock(&index->lock);
		if (!bs->has_text) {
			bs->text = text;
			bs->has_text = true;
			cg_buf_init(&text);
		}
		pthread_mutex_unlock(&index->lock);
		cg_buf_release(&text);
	}
	if (!is_cached) {
		if (level == SCAN_TREE && bs->text.size)
			tree_scan(&fresh, bs->text.ptr, bs->text.size);
		else if (level == SCAN_WORDS)
			words_scan(&fresh, bs->text.ptr, bs->text.size);
		if (has_id) {
			cg_buf_truncate(&raw, 0);
			encode_scan(&raw, &fresh, level);
			cg_disk_cache_put(cg_crate__disk(cache), kind, &id, key, raw.ptr, raw.size);
		}
	}
	cg_buf_release(&raw);
	pthread_mutex_lock(&index->lock);
	if (level == SCAN_TREE && !bs->has_tree) {
		bs->has_tree = true;
		bs->flags = fresh.flags;
		bs->flags.path = bs->path;
		bs->names = fresh.names;
		bs->nnames = fresh.nnames;
		bs->refs = fresh.refs;
		bs->nrefs = fresh.nrefs;
		bs->uses = fresh.uses;
		bs->nuses = fresh.nuses;
		fresh.names = NULL;
		fresh.nnames = 0;
		fresh.refs = NULL;
		fresh.nrefs = 0;
		fresh.uses = NULL;
		fresh.nuses = 0;
	} else if (level == SCAN_WORDS && !bs->has_words) {
		bs->has_words = true;
		bs->words = fresh.words;
		bs->nwords = fresh.nwords;
		fresh.words = NULL;
		fresh.nwords = 0;
	}
	pthread_mutex_unlock(&index->lock);
	scan_release(&fresh);
	return bs;
}

static const struct word *find_word(const struct bench_scan *bs, const char *name)
{
	struct word key = { (char *)name, false };
	return bs->nwords ? bsearch(&key, bs->words, bs->nwords, sizeof(*bs->words), cmp_word) : NULL;
}

/*
 * Searches of a bench file's bytes for names, past which lexing it once for
 * its words is cheaper: a lex costs about fifty searches, and a full scan
 * asks each bench file about every pub fn of its crate (thousands on tokio).
 */
#define BYTE_SEARCHES_MAX 32

/*
 * The word `name` of bench file `path`, or NULL. Most names asked about are
 * in no bench at all: the bytes tell without lexing, for the first names
 * asked; with a disk cache the cached words tell without reading the file.
 */
static const struct word *bench_word(struct cg_crate_cache *cache, const char *path, const char *name)
{
	if (!cg_crate__disk(cache)) {
		struct bench_scan *bs = scanned(cache, path, SCAN_TEXT);
		if (__atomic_fetch_add(&bs->nsearches, 1, __ATOMIC_RELAXED) < BYTE_SEARCHES_MAX &&
		    !memmem(bs->text.ptr, bs->text.size, name, strlen(name)))
			return NULL;
	}
	return find_word(scanned(cache, path, SCAN_WORDS), name);
}

/* --- a crate's benches --- */

/*
 * Whether a manifest may give a dependency a `path`: a line with `path` in a
 * table whose header names dependencies, or naming them itself
 * (`dependencies.x.path = ".."`). [lib] and [[bench]] paths are not.
 */
static bool may_have_path_dep(const char *text, size_t len)
{
	bool is_dep_table = false;
	const char *end = text + len;

	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end, *p = line;
		size_t n;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(eol - p);
		if (n && *p == '#')
			; /* a comment: Cargo's packaging header talks of `path` dependencies */
		else if (n && *p == '[')
			is_dep_table = memmem(p, n, "dependencies", 12) != NULL;
		else if (memmem(p, n, "path", 4) && (is_dep_table || memmem(p, n, "dependencies", 12)))
			return true;
		line = eol + 1;
	}
	return false;
}

/*
 * A package's manifest text, read once per run: enough to tell most
 * packages of a workspace out before their manifest is parsed. What does
 * not depend on the crate asking is scanned once, not once per changed
 * crate.
 */
struct manifest_text {
	char *dir;
	struct cg_buf text; /* empty when there is no manifest to read */
	bool has_bench_word, may_have_path_dep, has_backslash;
};

struct manifest_texts {
	struct manifest_text *items; /* sorted by dir */
	size_t n, cap;
};

static const struct manifest_text *manifest_text(struct cg_crate_cache *cache, const char *dir)
{
	struct manifest_texts *mt = cg_crate__manifest_texts(cache);
	struct cg_buf path = CG_BUF_INIT;
	const struct cg_buf *text;
	size_t lo = 0, hi = mt->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(mt->items[mid].dir, dir);
		if (!c)
			return &mt->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	cg_array_grow((void **)&mt->items, &mt->cap, mt->n + 1, sizeof(*mt->items));
	memmove(&mt->items[lo + 1], &mt->items[lo], (mt->n - lo) * sizeof(*mt->items));
	mt->n++;
	mt->items[lo].dir = cg_strdup(dir);
	cg_buf_init(&mt->items[lo].text);
	cg_buf_printf(&path, "%s%sCargo.toml", dir, *dir ? "/" : "");
	if (!cg_crate__read_file(cache, path.ptr, &mt->items[lo].text))
		cg_buf_init(&mt->items[lo].text);
	cg_buf_release(&path);
	text = &mt->items[lo].text;
	mt->items[lo].has_bench_word = memmem(text->ptr, text->size, "bench", 5) != NULL;
	mt->items[lo].may_have_path_dep = may_have_path_dep(text->ptr, text->size);
	mt->items[lo].has_backslash = memchr(text->ptr, '\\', text->size) != NULL;
	return &mt->items[lo];
}

void cg_crate__manifest_texts_free(struct manifest_texts *mt)
{
	if (!mt)
		return;
	for (size_t i = 0; i < mt->n; i++) {
		free(mt->items[i].dir);
		cg_buf_release(&mt->items[i].text);
	}
	free(mt->items);
	free(mt);
}

struct manifest_texts *cg_crate__manifest_texts_new(void)
{
	return cg_calloc(1, sizeof(struct manifest_texts));
}

/*
 * Whether the package in `dir` may add bench files to crate `cr`'s: it has
 * bench files at all (a .rs file under its benches/, or `bench` in its
 * manifest for a [[bench]] entry) and may depend on `cr` (its manifest names
 * cr's package, has a path dependency, or an escape that could spell
 * either). The others add nothing, so a workspace's manifests are not all
 * parsed on every check to find the few that do.
 */
static bool may_add_benches(struct cg_crate_cache *cache, const char *dir, const struct cg_crate *cr)
{
	const struct manifest_text *mt = manifest_text(cache, dir);
	const char *name = cr->manifest.package_name;

	if (!cg_crate__has_benches_dir(cache, dir) && !mt->has_bench_word)
		return false;
	return (name && memmem(mt->text.ptr, mt->text.size, name, strlen(name))) || mt->may_have_path_dep ||
	       mt->has_backslash;
}

static void benches_locked(struct cg_crate_cache *cache, struct cg_crate *cr)
{
	const struct cg_crate *ws = cr->workspace;

	if (cr->has_bench_scan)
		return;
	cr->has_bench_scan = true;
	collect_bench_paths(cache, cr, cr);
	cr->nown_bench_files = cr->nbench_files;

	/* Bench packages of the workspace that depend on this crate count too. */
	if (ws && cr->manifest.has_package) {
		size_t ndirs;
		char *const *dirs = cg_crate__manifest_dirs(cache, &ndirs);
		for (size_t i = 0; i < ndirs; i++) {
			const char *dir = dirs[i];
			struct cg_crate *pkg;
			if (!strcmp(dir, cr->dir) || !is_under(dir, ws->dir))
				continue;
			/*
			 * With the disk cache, a member's parsed manifest comes back for
			 * less than reading its text: each is parsed once, ever, and the
			 * test below answers exactly. A member without a benches/ folder
			 * or [[bench]] entry adds nothing.
			 */
			if (cg_crate__disk(cache)) {
				pkg = cg_crate_manifest_in(cache, dir);
				if (pkg && !pkg->manifest.nbenches && !cg_crate__has_benches_dir(cache, dir))
					continue;
			} else if (!may_add_benches(cache, dir, cr)) {
				continue;
			} else {
				pkg = cg_crate_manifest_in(cache, dir);
			}
			if (pkg && pkg->manifest.has_package && pkg->workspace == ws && depends_on(pkg, cr))
				collect_bench_paths(cache, pkg, cr);
		}
	}
}

/*
 * The words answer most questions: a name no bench file has as a word is
 * named by none, and one that stands surely as an identifier in one of
 * them is named. Only the files where the name stands in an unsure place
 * alone (a type, a declared name, a pattern) are parsed to settle it.
 */
bool cg_crate_bench_names(struct cg_crate_cache *cache, const struct cg_crate *cr, const char *name)
{
	bool *is_unsure = cg_calloc(cr->nbench_files ? cr->nbench_files : 1, sizeof(*is_unsure));
	bool is_named = false, has_unsure = false;

	for (size_t i = 0; i < cr->nbench_files && !is_named; i++) {
		const struct word *w = bench_word(cache, cr->bench_files[i], name);
		is_named = w && w->is_sure;
		is_unsure[i] = w && !w->is_sure;
		has_unsure = has_unsure || is_unsure[i];
	}
	for (size_t i = 0; i < cr->nbench_files && !is_named && has_unsure; i++) {
		const struct bench_scan *bs;
		if (!is_unsure[i])
			continue;
		bs = scanned(cache, cr->bench_files[i], SCAN_TREE);
		is_named = bs->nnames && bsearch(&name, bs->names, bs->nnames, sizeof(*bs->names), cg_crate__cmp_str);
	}
	free(is_unsure);
	return is_named;
}

/* Whether `path` is the crate's path or under it (`tokio`, `tokio::task`). */
static bool is_crate_path(const char *path, const char *ident)
{
	size_t n = strlen(ident);
	return !strncmp(path, ident, n) && (!path[n] || (path[n] == ':' && path[n + 1] == ':'));
}

/* Whether a path's first segment is the crate or a name the file's `use`s bring from it. */
static bool from_crate(const struct bench_scan *bs, const char *first, const char *ident)
{
	if (!first)
		return false;
	if (!strcmp(first, ident))
		return true;
	for (size_t i = 0; i < bs->nuses; i++)
		if (!strcmp(bs->uses[i].local, first) && is_crate_path(bs->uses[i].path, ident))
			return true;
	return false;
}

/* A bare `name(..)` is the crate's fn when a `use` brings it, or a glob of the crate's paths. */
static bool imports(const struct bench_scan *bs, const char *name, const char *ident)
{
	for (size_t i = 0; i < bs->nuses; i++)
		if ((!strcmp(bs->uses[i].local, name) || !strcmp(bs->uses[i].local, "*")) &&
		    is_crate_path(bs->uses[i].path, ident))
			return true;
	return false;
}

static bool has_ref(const struct bench_scan *bs, const char *name, enum ref_kind kind)
{
	size_t lo = 0, hi = bs->nrefs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(bs->refs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < bs->nrefs && !strcmp(bs->refs[lo].name, name); lo++)
		if (bs->refs[lo].kind == kind)
			return true;
	return false;
}

/* `use krate::m::name as alias;` and a call of `alias(..)`. */
static bool calls_alias(const struct bench_scan *bs, const char *name, const char *ident)
{
	for (size_t i = 0; i < bs->nuses; i++) {
		const char *path = bs->uses[i].path, *last = strrchr(path, ':');
		if (last && !strcmp(last + 1, name) && strcmp(bs->uses[i].local, name) && is_crate_path(path, ident) &&
		    has_ref(bs, bs->uses[i].local, REF_CALL))
			return true;
	}
	return false;
}

/* The standard library's crates: `std::sync::mpsc::channel` is never a crate's own `mpsc::channel`. */
static bool is_std(const char *first)
{
	return first && (!strcmp(first, "std") || !strcmp(first, "core") || !strcmp(first, "alloc"));
}

static bool ref_names_fn(const struct bench_scan *bs, const struct bench_ref *r, const char *owner, const char *module,
			 const char *ident)
{
	if (owner)
		return (r->kind == REF_PATH || r->kind == REF_METHOD) && r->qual && !strcmp(r->qual, owner);
	/* Through the fn's own module, even by a facade crate's re-export (`futures::channel::mpsc::channel`). */
	if (r->kind == REF_PATH)
		return r->qual && !is_type_like(r->qual) &&
		       (from_crate(bs, r->first, ident) || (module && !strcmp(r->qual, module) && !is_std(r->first)));
	return r->kind == REF_CALL && imports(bs, r->name, ident);
}

/*
 * The words filter as in cg_crate_bench_names (a name absent from a file's
 * bytes or words cannot be named there; a method's type need not be spelt,
 * as in `let (tx, rx) = channel()`); only the files that pass are parsed for
 * their typed references.
 */
bool cg_crate_bench_calls(struct cg_crate_cache *cache, const struct cg_crate *cr, const char *owner,
			  const char *module, const char *name)
{
	const char *pkg = cr->manifest.package_name ? cr->manifest.package_name : "";
	char *ident = cg_strdup(pkg);
	bool is_named = false;

	for (char *p = ident; *p; p++)
		if (*p == '-')
			*p = '_';
	for (size_t i = 0; i < cr->nbench_files && !is_named; i++) {
		const struct bench_scan *bs;
		size_t lo = 0, hi;
		if (!bench_word(cache, cr->bench_files[i], name))
			continue;
		bs = scanned(cache, cr->bench_files[i], SCAN_TREE);
		hi = bs->nrefs;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(bs->refs[mid].name, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < bs->nrefs && !strcmp(bs->refs[lo].name, name) && !is_named; lo++)
			is_named = ref_names_fn(bs, &bs->refs[lo], owner, module, ident);
		is_named = is_named || (!owner && calls_alias(bs, name, ident));
	}
	free(ident);
	return is_named;
}

const struct cg_bench_file *cg_crate_bench_file(struct cg_crate_cache *cache, const struct cg_crate *cr,
						const char *path)
{
	for (size_t i = 0; i < cr->nown_bench_files; i++)
		if (!strcmp(cr->bench_files[i], path))
			return &scanned(cache, path, SCAN_TREE)->flags;
	return NULL;
}

void cg_crate__benches_release(struct cg_crate *cr)
{
	for (size_t i = 0; i < cr->nbench_files; i++)
		free(cr->bench_files[i]);
	free(cr->bench_files);
}

/* The file list under the change's lock, like the workspace's entry points (workspace.c). */
void cg_crate_benches(struct cg_crate_cache *cache, struct cg_crate *cr)
{
	cg_change_lock(cg_crate__change(cache));
	benches_locked(cache, cr);
	cg_change_unlock(cg_crate__change(cache));
}
