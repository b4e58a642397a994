#ifndef CG_SYNTAX_SYNTAX_H
#define CG_SYNTAX_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/*
 * Parsed source: the text (borrowed), its tree-sitter tree and a line
 * index. Parse once per file; every rule shares the result.
 */
enum cg_lang { CG_LANG_RUST, CG_LANG_TOML };

struct cg_source {
	enum cg_lang lang;
	const char *text; /* borrowed; must outlive the source */
	size_t len;
	TSTree *tree;
	struct cg_parse_arena *arena; /* what the parse allocated, the tree with it (syntax.c) */
	uint32_t *line_starts;	      /* byte offset of each line; [0] = 0 */
	uint32_t nlines;
	/* Static text: why this source is not parsed (a CG_SKIP_ reason below), or NULL. */
	const char *refusal;
};

/*
 * Why a source is not parsed, as the reports say it. Hostile or generated
 * input: a flood of tokens that would take the parser minutes, or a parse
 * that ran past its time budget (cg_source_parse_ranges).
 */
#define CG_SKIP_TOKEN_FLOOD                                                                                            \
	"not parsed: more than 8,192 tokens in a row with no `;`, `,` or bracket (hostile or generated input; if "     \
	"it is generated, list it under exclude)"
#define CG_SKIP_PARSE_BUDGET                                                                                           \
	"not parsed: the parser ran past its time budget (hostile or generated input; if it is generated, list "       \
	"it under exclude)"

const TSLanguage *cg_lang_rust(void);
const TSLanguage *cg_lang_toml(void);

/*
 * Parses `text`; CG_E_TOOBIG past 4 GiB, CG_E_INPUT with `refusal` set when
 * it is refused (see cg_source_parse_ranges). Release with cg_source_release.
 */
int cg_source_parse(struct cg_source *out, enum cg_lang lang, const char *text, size_t len);
/*
 * The text and its line index without a tree (tree NULL): what a rule that
 * reads only bytes and lines needs. CG_E_TOOBIG past 4 GiB.
 */
int cg_source_open(struct cg_source *out, enum cg_lang lang, const char *text, size_t len);

/* A byte range of a source's text: [start, end). */
struct cg_byte_range {
	uint32_t start, end;
};

/* A list of byte ranges to parse, built up a range at a time. */
struct cg_byte_ranges {
	struct cg_byte_range *r;
	size_t n, cap;
};

void cg_byte_ranges_add(struct cg_byte_ranges *l, uint32_t start, uint32_t end);
/*
 * Sorts the ranges and joins those that overlap or have only white space
 * of `text` between them: each range boundary costs the parser, and a file
 * of small items would otherwise be thousands of ranges. Returns the bytes
 * covered.
 */
size_t cg_byte_ranges_merge(struct cg_byte_ranges *l, const char *text);

/*
 * (Re)parses an opened source, replacing its tree. With n > 0, only the
 * given ranges (sorted, disjoint, whole syntactic units such as top-level
 * items) are parsed, as if the bytes between them were absent; nodes keep
 * their true offsets, lines and columns. This is how a huge file is parsed
 * a slice at a time in bounded memory.
 * Hostile input is refused, never hung or crashed on: CG_E_INPUT with
 * src->refusal set (CG_SKIP_TOKEN_FLOOD before parsing, CG_SKIP_PARSE_BUDGET
 * when the parse runs past its CPU-time budget, a second plus 5 µs a byte),
 * and every later parse of the source fails at once with the same reason.
 */
int cg_source_parse_ranges(struct cg_source *src, const struct cg_byte_range *ranges, size_t n);
/* Frees the tree, keeps the text and line index. */
void cg_source_drop_tree(struct cg_source *src);
/*
 * Frees what tree-sitter hands its caller to free (ts_tree_included_ranges):
 * tree-sitter allocates through syntax.c, never plain malloc.
 */
void cg_ts_free(void *p);
void cg_source_release(struct cg_source *src);
TSNode cg_source_root(const struct cg_source *src);

/* The text of 1-based `line` without its line ending; len 0 past the end. */
const char *cg_source_line(const struct cg_source *src, uint32_t line, size_t *len);
/* 1-based line of a byte offset. */
uint32_t cg_source_line_of(const struct cg_source *src, uint32_t byte);

/* A node's bytes (borrowed from the source) and comparisons on them. */
const char *cg_node_text(const struct cg_source *src, TSNode node, size_t *len);
bool cg_node_is(const struct cg_source *src, TSNode node, const char *text);
char *cg_node_strdup(const struct cg_source *src, TSNode node);

/*
 * The one way to test a node's type, Rust or TOML, named or keyword or
 * punctuation: a table lookup by symbol instead of a chain of strcmp on
 * ts_node_type (a tenth of a full scan's time). The answer is the same as
 * comparing the type's name; CG_K_OTHER for the rest. A test of a new type
 * adds its name here and in kind_names (syntax.c).
 */
enum cg_kind {
	CG_K_OTHER = 0,
	CG_K_ERROR,
	CG_K_ARGUMENTS,
	CG_K_ARRAY,
	CG_K_ASYNC_BLOCK,
	CG_K_ATTRIBUTE,
	CG_K_ATTRIBUTE_ITEM,
	CG_K_AWAIT_EXPRESSION,
	CG_K_BARE_KEY,
	CG_K_BINARY_EXPRESSION,
	CG_K_BLOCK,
	CG_K_BLOCK_COMMENT,
	CG_K_BOOLEAN,
	CG_K_BRACKETED_TYPE,
	CG_K_CALL_EXPRESSION,
	CG_K_CLOSURE_EXPRESSION,
	CG_K_COMMENT,
	CG_K_CONST_ITEM,
	CG_K_CRATE,
	CG_K_DECLARATION_LIST,
	CG_K_DOCUMENT,
	CG_K_DOTTED_KEY,
	CG_K_ENUM_ITEM,
	CG_K_EXPRESSION_STATEMENT,
	CG_K_EXTERN_CRATE_DECLARATION,
	CG_K_FIELD_DECLARATION,
	CG_K_FIELD_EXPRESSION,
	CG_K_FIELD_IDENTIFIER,
	CG_K_FIELD_INITIALIZER,
	CG_K_FOR_EXPRESSION,
	CG_K_FUNCTION_ITEM,
	CG_K_FUNCTION_MODIFIERS,
	CG_K_FUNCTION_SIGNATURE_ITEM,
	CG_K_GENERIC_FUNCTION,
	CG_K_GENERIC_TYPE,
	CG_K_IDENTIFIER,
	CG_K_IF_EXPRESSION,
	CG_K_INDEX_EXPRESSION,
	CG_K_IMPL_ITEM,
	CG_K_INLINE_TABLE,
	CG_K_INNER_ATTRIBUTE_ITEM,
	CG_K_LET_DECLARATION,
	CG_K_LET_CONDITION,
	CG_K_LINE_COMMENT,
	CG_K_LOOP_EXPRESSION,
	CG_K_MACRO_DEFINITION,
	CG_K_MACRO_INVOCATION,
	CG_K_MATCH_ARM,
	CG_K_MATCH_BLOCK,
	CG_K_MATCH_EXPRESSION,
	CG_K_MATCH_PATTERN,
	CG_K_MOD_ITEM,
	CG_K_MUT_PATTERN,
	CG_K_PAIR,
	CG_K_PARAMETER,
	CG_K_PARENTHESIZED_EXPRESSION,
	CG_K_QUALIFIED_TYPE,
	CG_K_QUOTED_KEY,
	CG_K_RAW_STRING_LITERAL,
	CG_K_REFERENCE_EXPRESSION,
	CG_K_REFERENCE_TYPE,
	CG_K_SCOPED_IDENTIFIER,
	CG_K_SCOPED_TYPE_IDENTIFIER,
	CG_K_SCOPED_USE_LIST,
	CG_K_SELF,
	CG_K_SELF_PARAMETER,
	CG_K_SOURCE_FILE,
	CG_K_STATIC_ITEM,
	CG_K_STRING,
	CG_K_STRING_CONTENT,
	CG_K_STRING_LITERAL,
	CG_K_STRUCT_EXPRESSION,
	CG_K_STRUCT_ITEM,
	CG_K_STRUCT_PATTERN,
	CG_K_SUPER,
	CG_K_TABLE,
	CG_K_TABLE_ARRAY_ELEMENT,
	CG_K_TOKEN_REPETITION,
	CG_K_TOKEN_TREE,
	CG_K_TRAIT_ITEM,
	CG_K_TRY_EXPRESSION,
	CG_K_TUPLE_EXPRESSION,
	CG_K_TUPLE_PATTERN,
	CG_K_TUPLE_STRUCT_PATTERN,
	CG_K_TYPE_IDENTIFIER,
	CG_K_UNARY_EXPRESSION,
	CG_K_USE_AS_CLAUSE,
	CG_K_USE_DECLARATION,
	CG_K_USE_LIST,
	CG_K_USE_WILDCARD,
	CG_K_VISIBILITY_MODIFIER,
	CG_K_WHILE_EXPRESSION,
	/* keywords and punctuation */
	CG_K_ASYNC,
	CG_K_AWAIT,
	CG_K_ELSE,
	CG_K_IF,
	CG_K_MOD,
	CG_K_PUB,
	CG_K_AND_AND,
	CG_K_BANG,
	CG_K_COLON_COLON,
	CG_K_COMMA,
	CG_K_DOT,
	CG_K_EQ,
	CG_K_HASH,
	CG_K_LBRACE,
	CG_K_LBRACKET,
	CG_K_LPAREN,
	CG_K_OR_OR,
	CG_K_QUESTION,
	CG_K_RPAREN,
	CG_K_SEMICOLON,
	CG_K_COUNT
};
enum cg_kind cg_node_kind(TSNode node);

/*
 * The Rust grammar's fields, their ids looked up once:
 * ts_node_child_by_field_name searches the grammar's names on every call.
 */
enum cg_field {
	CG_F_ALIAS,
	CG_F_ALTERNATIVE,
	CG_F_ARGUMENT,
	CG_F_ARGUMENTS,
	CG_F_BODY,
	CG_F_BOUNDS,
	CG_F_CONDITION,
	CG_F_CONSEQUENCE,
	CG_F_FIELD,
	CG_F_FUNCTION,
	CG_F_LEFT,
	CG_F_LIST,
	CG_F_MACRO,
	CG_F_NAME,
	CG_F_OPERATOR,
	CG_F_PARAMETERS,
	CG_F_PATH,
	CG_F_PATTERN,
	CG_F_RETURN_TYPE,
	CG_F_RIGHT,
	CG_F_TRAIT,
	CG_F_TYPE,
	CG_F_TYPE_ARGUMENTS,
	CG_F_TYPE_PARAMETERS,
	CG_F_VALUE,
	CG_F_COUNT
};
/* The child of `node` in `field` (a null node if none); a TOML node is asked by name. */
TSNode cg_child(TSNode node, enum cg_field field);

/*
 * Pre-order walk without recursion. The callback returns CG_WALK_ENTER to
 * visit the node's children, CG_WALK_SKIP to pass over them, or a negative
 * error to stop.
 */
enum { CG_WALK_ENTER = 0, CG_WALK_SKIP = 1 };
int cg_walk(TSNode root, int (*cb)(TSNode node, void *payload), void *payload);

#endif
