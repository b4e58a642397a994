#define _GNU_SOURCE
#include "syntax/syntax.h"

#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/items.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

const TSLanguage *tree_sitter_rust(void);
const TSLanguage *tree_sitter_toml(void);

const TSLanguage *cg_lang_rust(void)
{
	return tree_sitter_rust();
}

const TSLanguage *cg_lang_toml(void)
{
	return tree_sitter_toml();
}

static void index_lines(struct cg_source *src)
{
	uint32_t cap = 64;
	src->line_starts = cg_malloc(cap * sizeof(*src->line_starts));
	src->line_starts[0] = 0;
	src->nlines = 1;
	for (const char *p = src->text, *end = src->text + src->len;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL;) {
		p++;
		if (src->nlines == cap) {
			cap *= 2;
			src->line_starts = cg_realloc(src->line_starts, cap * sizeof(*src->line_starts));
		}
		src->line_starts[src->nlines++] = (uint32_t)(p - src->text);
	}
}

/*
 * Every parse has a budget of CPU time proportional to its bytes, with a
 * floor: a legitimate parse runs at 0.3 to 0.5 µs a byte here (1.5 under
 * the sanitizers, hence their factor), while error recovery on a flood of
 * tokens is quadratic (8,000 repeats of `0x ` in a fn body: 4 s for 24 KB).
 * CPU time of the parsing thread, not wall time: a busy runner (or the
 * other threads of the rule pass) must not make a good file fail, and the
 * same file gets the same answer on every machine of the same speed.
 */
#define BUDGET_FLOOR_NS 1000000000ull
#define BUDGET_NS_PER_BYTE 5000ull
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifdef UNDER_ASAN
#define BUDGET_FACTOR 4
static const bool use_arenas = false;
#else
#define BUDGET_FACTOR 1
static const bool use_arenas = true;
#endif

/*
 * A run of tokens with no `;`, `,` or bracket (nor line break, in TOML) this
 * long is no code or manifest a person wrote, and tree-sitter's error
 * recovery on one costs seconds, growing as the square of its length:
 * refused before parsing (items.c counts). TOML on one line: 20,000 tokens
 * take 10 s; the same split into lines of 100 take 0.25 s.
 */
#define MAX_TOKEN_RUN 8192

struct budget {
	uint64_t cpu_end;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void budget_start(struct budget *b, uint64_t bytes)
{
	uint64_t ns = (BUDGET_FLOOR_NS + bytes * BUDGET_NS_PER_BYTE) * BUDGET_FACTOR;
	b->cpu_end = now_ns(CLOCK_THREAD_CPUTIME_ID) + ns;
}

/* tree-sitter calls this every hundred operations or so; true cancels the parse. */
static bool is_over_budget(TSParseState *state)
{
	const struct budget *b = state->payload;
	return now_ns(CLOCK_THREAD_CPUTIME_ID) > b->cpu_end;
}

/*
 * A parse's memory. tree-sitter makes and frees many small objects while
 * it parses (subtrees, stack nodes; malloc and free were a tenth of a cold
 * `check --all`), and freeing a tree walks every subtree once more. Each
 * parse takes its memory from an arena of its own instead, where freeing is
 * nothing, and the source drops the arena with the tree in one go. Memory
 * tree-sitter takes outside a parse (a tree cursor's stack) comes from the
 * heap as before: every block carries a header that says which, so
 * tree-sitter's free and realloc find their way. An arena stops growing at
 * ARENA_MAX (the heap serves the rest), so error recovery on a huge file
 * cannot hold garbage without bound. Under AddressSanitizer every block
 * comes from the heap, where it can see an overrun: hostile input does its
 * harm in tree-sitter's memory.
 */
#define ARENA_CHUNK (256u << 10)
#define ARENA_MAX (256u << 20)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct cg_parse_arena {
	struct arena_chunk *chunks;
	size_t total;
};

struct block {
	size_t size;
	size_t is_arena;
} __attribute__((aligned(16)));

static __thread struct cg_parse_arena *current_arena;

static struct block *arena_take(struct cg_parse_arena *a, size_t bytes)
{
	struct arena_chunk *c = a->chunks;
	bytes = (bytes + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < bytes) {
		size_t cap = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;
		if (a->total + cap > ARENA_MAX || !(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->chunks;
		a->chunks = c;
		a->total += cap;
	}
	c->used += bytes;
	return (struct block *)((char *)c->data + c->used - bytes);
}

static void *ts_take(size_t size)
{
	struct block *b = NULL;
	if (size > SIZE_MAX - 2 * sizeof(*b))
		abort();
	if (current_arena && (b = arena_take(current_arena, sizeof(*b) + size)) != NULL) {
		b->is_arena = 1;
	} else {
		b = malloc(sizeof(*b) + size);
		if (!b)
			abort(); /* tree-sitter's own allocator aborts too: its callers do not check */
		b->is_arena = 0;
	}
	b->size = size;
	return b + 1;
}

static void *ts_take_zeroed(size_t n, size_t size)
{
	void *p;
	if (size && n > SIZE_MAX / size)
		abort();
	p = ts_take(n * size);
	memset(p, 0, n * size);
	return p;
}

static void ts_give_back(void *p)
{
	struct block *b;
	if (!p)
		return;
	b = (struct block *)p - 1;
	if (!b->is_arena)
		free(b);
}

static void *ts_retake(void *p, size_t size)
{
	struct block *b, *nb;
	void *q;
	if (!p)
		return ts_take(size);
	b = (struct block *)p - 1;
	if (!b->is_arena) {
		if (size > SIZE_MAX - 2 * sizeof(*b) || !(nb = realloc(b, sizeof(*b) + size)))
			abort();
		nb->size = size;
		return nb + 1;
	}
	q = ts_take(size);
	memcpy(q, p, b->size < size ? b->size : size);
	return q;
}

void cg_ts_free(void *p)
{
	ts_give_back(p);
}

/* Before main, so that every block tree-sitter ever frees came from ts_take. */
__attribute__((constructor)) static void use_parse_arenas(void)
{
	ts_set_allocator(ts_take, ts_take_zeroed, ts_retake, ts_give_back);
}

static void arena_free(struct cg_parse_arena *a)
{
	if (!a)
		return;
	for (struct arena_chunk *c = a->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

struct string_input {
	const char *text;
	uint32_t len;
};

static const char *read_input(void *payload, uint32_t byte, TSPoint point, uint32_t *nread)
{
	const struct string_input *in = payload;
	(void)point;
	if (byte >= in->len) {
		*nread = 0;
		return "";
	}
	*nread = in->len - byte;
	return in->text + byte;
}

static bool is_ident_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       (unsigned char)c >= 0x80;
}

static bool is_space_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The whole word `word` at `p` (within text..end). */
static bool is_word_at(const char *text, const char *end, const char *p, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && !memcmp(p, word, n) && (p == text || !is_ident_byte(p[-1])) &&
	       (p + n == end || !is_ident_byte(p[n]));
}

/*
 * tree-sitter-rust 0.23.2 predates Rust 2024's `unsafe extern "C" { … }`
 * blocks and the `safe fn` / `safe static` items in them: the parse breaks
 * there, and the fn around such a block loses its attributes (its #[cfg]).
 * The parser reads a copy with those keywords blanked, the same length, so
 * every byte offset and line holds; no rule asks about them. An `unsafe
 * extern "C" fn` keeps its `unsafe`: only a block's is blanked. NULL when
 * there is nothing to blank; comments and strings may be blanked too, which
 * changes no node.
 */
static char *blank_rust2024_keywords(const char *text, size_t len)
{
	const char *end = text + len;
	char *copy = NULL;

	for (const char *p = text; (p = memmem(p, (size_t)(end - p), "extern", 6)) != NULL; p += 6) {
		const char *after = p + 6, *before = p;
		if (!is_word_at(text, end, p, "extern"))
			continue;
		while (after < end && is_space_byte(*after))
			after++;
		if (after < end && *after == '"') {
			after = memchr(after + 1, '"', (size_t)(end - after - 1));
			if (!after)
				continue;
			for (after++; after < end && is_space_byte(*after); after++)
				;
		}
		if (after == end || *after != '{')
			continue;
		while (before > text && is_space_byte(before[-1]))
			before--;
		if (before == p || before - text < 6 || !is_word_at(text, end, before - 6, "unsafe"))
			continue;
		if (!copy)
			copy = memcpy(cg_malloc(len), text, len);
		memset(copy + (before - 6 - text), ' ', 6);
	}
	for (const char *p = text; copy && (p = memmem(p, (size_t)(end - p), "safe", 4)) != NULL; p += 4) {
		const char *next = p + 4;
		if (!is_word_at(text, end, p, "safe"))
			continue;
		while (next < end && is_space_byte(*next))
			next++;
		if (next > p + 4 && (is_word_at(text, end, next, "fn") || is_word_at(text, end, next, "static")))
			memset(copy + (p - text), ' ', 4);
	}
	return copy;
}

/* Refuses the source for good: later parses of it fail at once, with the same reason. */
static int refuse(struct cg_source *src, const char *reason)
{
	src->refusal = reason;
	return cg_error_set(CG_E_INPUT, "%s", reason);
}

int cg_source_open(struct cg_source *out, enum cg_lang lang, const char *text, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (len >= UINT32_MAX)
		return cg_error_set(CG_E_TOOBIG, "file too large to parse (%zu bytes)", len);
	out->lang = lang;
	out->text = text;
	out->len = len;
	index_lines(out);
	return 0;
}

static TSPoint point_of(const struct cg_source *src, uint32_t byte)
{
	uint32_t line = cg_source_line_of(src, byte);
	TSPoint p = { line - 1, byte - src->line_starts[line - 1] };
	return p;
}

void cg_byte_ranges_add(struct cg_byte_ranges *l, uint32_t start, uint32_t end)
{
	cg_array_grow((void **)&l->r, &l->cap, l->n + 1, sizeof(*l->r));
	l->r[l->n++] = (struct cg_byte_range){ start, end };
}

static int cmp_range(const void *a, const void *b)
{
	const struct cg_byte_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static bool is_blank_between(const char *text, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			return false;
	return true;
}

size_t cg_byte_ranges_merge(struct cg_byte_ranges *l, const char *text)
{
	size_t n = 0, bytes = 0;
	if (!l->n)
		return 0;
	qsort(l->r, l->n, sizeof(*l->r), cmp_range);
	for (size_t i = 0; i < l->n; i++) {
		if (n && (l->r[i].start <= l->r[n - 1].end || is_blank_between(text, l->r[n - 1].end, l->r[i].start))) {
			if (l->r[i].end > l->r[n - 1].end)
				l->r[n - 1].end = l->r[i].end;
		} else {
			l->r[n++] = l->r[i];
		}
	}
	l->n = n;
	for (size_t i = 0; i < n; i++)
		bytes += l->r[i].end - l->r[i].start;
	return bytes;
}

int cg_source_parse_ranges(struct cg_source *src, const struct cg_byte_range *ranges, size_t n)
{
	struct cg_byte_range whole = { 0, (uint32_t)src->len };
	struct string_input input = { src->text, (uint32_t)src->len };
	struct cg_parse_arena *outer = current_arena;
	char *blanked = NULL;
	struct budget budget;
	TSParseOptions options = { &budget, is_over_budget };
	TSParser *parser;
	TSRange *ts_ranges = NULL;
	uint64_t bytes = 0;
	int err = 0;

	cg_source_drop_tree(src);
	if (src->refusal)
		return cg_error_set(CG_E_INPUT, "%s", src->refusal);
	if (!n) {
		ranges = &whole;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		bytes += ranges[i].end - ranges[i].start;
		if (cg_items_token_run(src->text + ranges[i].start, ranges[i].end - ranges[i].start,
				       src->lang == CG_LANG_TOML) > MAX_TOKEN_RUN)
			return refuse(src, CG_SKIP_TOKEN_FLOOD);
	}
	/* The parser too: its stack and buffers go with the arena. */
	src->arena = use_arenas ? cg_calloc(1, sizeof(*src->arena)) : NULL;
	current_arena = src->arena;
	parser = ts_parser_new();
	ts_parser_set_language(parser, src->lang == CG_LANG_RUST ? cg_lang_rust() : cg_lang_toml());
	if (ranges != &whole) {
		ts_ranges = cg_calloc(n, sizeof(*ts_ranges));
		for (size_t i = 0; i < n; i++) {
			ts_ranges[i].start_byte = ranges[i].start;
			ts_ranges[i].end_byte = ranges[i].end;
			ts_ranges[i].start_point = point_of(src, ranges[i].start);
			ts_ranges[i].end_point = point_of(src, ranges[i].end);
		}
		if (!ts_parser_set_included_ranges(parser, ts_ranges, (uint32_t)n)) {
			err = cg_error_set(CG_E_INPUT, "parse ranges are not sorted and disjoint");
			goto done;
		}
	}
	if (src->lang == CG_LANG_RUST && (blanked = blank_rust2024_keywords(src->text, src->len)) != NULL)
		input.text = blanked;
	budget_start(&budget, bytes);
	src->tree = ts_parser_parse_with_options(parser, NULL,
						 (TSInput){ &input, read_input, TSInputEncodingUTF8, NULL }, options);
	if (!src->tree)
		err = refuse(src, CG_SKIP_PARSE_BUDGET);
done:
	free(blanked);
	free(ts_ranges);
	ts_parser_delete(parser);
	current_arena = outer;
	return err;
}

int cg_source_parse(struct cg_source *out, enum cg_lang lang, const char *text, size_t len)
{
	int err = cg_source_open(out, lang, text, len);
	if (!err && (err = cg_source_parse_ranges(out, NULL, 0)) < 0)
		cg_source_release(out);
	return err;
}

void cg_source_drop_tree(struct cg_source *src)
{
	/* A tree parsed into an arena goes with it, unwalked. */
	if (src->tree && !src->arena)
		ts_tree_delete(src->tree);
	arena_free(src->arena);
	src->arena = NULL;
	src->tree = NULL;
}

void cg_source_release(struct cg_source *src)
{
	cg_source_drop_tree(src);
	free(src->line_starts);
	memset(src, 0, sizeof(*src));
}

TSNode cg_source_root(const struct cg_source *src)
{
	return ts_tree_root_node(src->tree);
}

const char *cg_source_line(const struct cg_source *src, uint32_t line, size_t *len)
{
	uint32_t start, end;
	if (line == 0 || line > src->nlines) {
		*len = 0;
		return "";
	}
	start = src->line_starts[line - 1];
	end = line < src->nlines ? src->line_starts[line] - 1 : (uint32_t)src->len;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	*len = end - start;
	return src->text + start;
}

uint32_t cg_source_line_of(const struct cg_source *src, uint32_t byte)
{
	uint32_t lo = 0, hi = src->nlines;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (src->line_starts[mid] <= byte)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

const char *cg_node_text(const struct cg_source *src, TSNode node, size_t *len)
{
	uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
	if (e > src->len)
		e = (uint32_t)src->len;
	if (s > e)
		s = e;
	*len = e - s;
	return src->text + s;
}

bool cg_node_is(const struct cg_source *src, TSNode node, const char *text)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(node))
		return false;
	t = cg_node_text(src, node, &len);
	return strlen(text) == len && memcmp(t, text, len) == 0;
}

char *cg_node_strdup(const struct cg_source *src, TSNode node)
{
	size_t len;
	const char *t = cg_node_text(src, node, &len);
	return cg_strndup(t, len);
}

/* Names in enum cg_kind order. */
static const char *const kind_names[CG_K_COUNT] = {
	[CG_K_OTHER] = "",
	[CG_K_ERROR] = "ERROR",
	[CG_K_ARGUMENTS] = "arguments",
	[CG_K_ARRAY] = "array",
	[CG_K_ASYNC_BLOCK] = "async_block",
	[CG_K_ATTRIBUTE] = "attribute",
	[CG_K_ATTRIBUTE_ITEM] = "attribute_item",
	[CG_K_AWAIT_EXPRESSION] = "await_expression",
	[CG_K_BARE_KEY] = "bare_key",
	[CG_K_BINARY_EXPRESSION] = "binary_expression",
	[CG_K_BLOCK] = "block",
	[CG_K_BLOCK_COMMENT] = "block_comment",
	[CG_K_BOOLEAN] = "boolean",
	[CG_K_BRACKETED_TYPE] = "bracketed_type",
	[CG_K_CALL_EXPRESSION] = "call_expression",
	[CG_K_CLOSURE_EXPRESSION] = "closure_expression",
	[CG_K_COMMENT] = "comment",
	[CG_K_CONST_ITEM] = "const_item",
	[CG_K_CRATE] = "crate",
	[CG_K_DECLARATION_LIST] = "declaration_list",
	[CG_K_DOCUMENT] = "document",
	[CG_K_DOTTED_KEY] = "dotted_key",
	[CG_K_ENUM_ITEM] = "enum_item",
	[CG_K_EXPRESSION_STATEMENT] = "expression_statement",
	[CG_K_EXTERN_CRATE_DECLARATION] = "extern_crate_declaration",
	[CG_K_FIELD_DECLARATION] = "field_declaration",
	[CG_K_FIELD_EXPRESSION] = "field_expression",
	[CG_K_FIELD_IDENTIFIER] = "field_identifier",
	[CG_K_FIELD_INITIALIZER] = "field_initializer",
	[CG_K_FOR_EXPRESSION] = "for_expression",
	[CG_K_FUNCTION_ITEM] = "function_item",
	[CG_K_FUNCTION_MODIFIERS] = "function_modifiers",
	[CG_K_FUNCTION_SIGNATURE_ITEM] = "function_signature_item",
	[CG_K_GENERIC_FUNCTION] = "generic_function",
	[CG_K_GENERIC_TYPE] = "generic_type",
	[CG_K_IDENTIFIER] = "identifier",
	[CG_K_IF_EXPRESSION] = "if_expression",
	[CG_K_INDEX_EXPRESSION] = "index_expression",
	[CG_K_IMPL_ITEM] = "impl_item",
	[CG_K_INLINE_TABLE] = "inline_table",
	[CG_K_INNER_ATTRIBUTE_ITEM] = "inner_attribute_item",
	[CG_K_LET_DECLARATION] = "let_declaration",
	[CG_K_LET_CONDITION] = "let_condition",
	[CG_K_LINE_COMMENT] = "line_comment",
	[CG_K_LOOP_EXPRESSION] = "loop_expression",
	[CG_K_MACRO_DEFINITION] = "macro_definition",
	[CG_K_MACRO_INVOCATION] = "macro_invocation",
	[CG_K_MATCH_ARM] = "match_arm",
	[CG_K_MATCH_BLOCK] = "match_block",
	[CG_K_MATCH_EXPRESSION] = "match_expression",
	[CG_K_MATCH_PATTERN] = "match_pattern",
	[CG_K_MOD_ITEM] = "mod_item",
	[CG_K_MUT_PATTERN] = "mut_pattern",
	[CG_K_PAIR] = "pair",
	[CG_K_PARAMETER] = "parameter",
	[CG_K_PARENTHESIZED_EXPRESSION] = "parenthesized_expression",
	[CG_K_QUALIFIED_TYPE] = "qualified_type",
	[CG_K_QUOTED_KEY] = "quoted_key",
	[CG_K_RAW_STRING_LITERAL] = "raw_string_literal",
	[CG_K_REFERENCE_EXPRESSION] = "reference_expression",
	[CG_K_REFERENCE_TYPE] = "reference_type",
	[CG_K_SCOPED_IDENTIFIER] = "scoped_identifier",
	[CG_K_SCOPED_TYPE_IDENTIFIER] = "scoped_type_identifier",
	[CG_K_SCOPED_USE_LIST] = "scoped_use_list",
	[CG_K_SELF] = "self",
	[CG_K_SELF_PARAMETER] = "self_parameter",
	[CG_K_SOURCE_FILE] = "source_file",
	[CG_K_STATIC_ITEM] = "static_item",
	[CG_K_STRING] = "string",
	[CG_K_STRING_CONTENT] = "string_content",
	[CG_K_STRING_LITERAL] = "string_literal",
	[CG_K_STRUCT_EXPRESSION] = "struct_expression",
	[CG_K_STRUCT_ITEM] = "struct_item",
	[CG_K_STRUCT_PATTERN] = "struct_pattern",
	[CG_K_SUPER] = "super",
	[CG_K_TABLE] = "table",
	[CG_K_TABLE_ARRAY_ELEMENT] = "table_array_element",
	[CG_K_TOKEN_REPETITION] = "token_repetition",
	[CG_K_TOKEN_TREE] = "token_tree",
	[CG_K_TRAIT_ITEM] = "trait_item",
	[CG_K_TRY_EXPRESSION] = "try_expression",
	[CG_K_TUPLE_EXPRESSION] = "tuple_expression",
	[CG_K_TUPLE_PATTERN] = "tuple_pattern",
	[CG_K_TUPLE_STRUCT_PATTERN] = "tuple_struct_pattern",
	[CG_K_TYPE_IDENTIFIER] = "type_identifier",
	[CG_K_UNARY_EXPRESSION] = "unary_expression",
	[CG_K_USE_AS_CLAUSE] = "use_as_clause",
	[CG_K_USE_DECLARATION] = "use_declaration",
	[CG_K_USE_LIST] = "use_list",
	[CG_K_USE_WILDCARD] = "use_wildcard",
	[CG_K_VISIBILITY_MODIFIER] = "visibility_modifier",
	[CG_K_WHILE_EXPRESSION] = "while_expression",
	[CG_K_ASYNC] = "async",
	[CG_K_AWAIT] = "await",
	[CG_K_ELSE] = "else",
	[CG_K_IF] = "if",
	[CG_K_MOD] = "mod",
	[CG_K_PUB] = "pub",
	[CG_K_AND_AND] = "&&",
	[CG_K_BANG] = "!",
	[CG_K_COLON_COLON] = "::",
	[CG_K_COMMA] = ",",
	[CG_K_DOT] = ".",
	[CG_K_EQ] = "=",
	[CG_K_HASH] = "#",
	[CG_K_LBRACE] = "{",
	[CG_K_LBRACKET] = "[",
	[CG_K_LPAREN] = "(",
	[CG_K_OR_OR] = "||",
	[CG_K_QUESTION] = "?",
	[CG_K_RPAREN] = ")",
	[CG_K_SEMICOLON] = ";",
};

static enum cg_kind kind_by_name(const char *name)
{
	for (int k = 1; k < CG_K_COUNT; k++)
		if (!strcmp(name, kind_names[k]))
			return (enum cg_kind)k;
	return CG_K_OTHER;
}

/* One table per grammar, filled once: symbols are dense small integers. */
struct kind_table {
	pthread_once_t once;
	const TSLanguage *(*lang)(void);
	uint8_t *by_symbol;
	uint32_t count;
};

static struct kind_table rust_kinds = { PTHREAD_ONCE_INIT, cg_lang_rust, NULL, 0 };
static struct kind_table toml_kinds = { PTHREAD_ONCE_INIT, cg_lang_toml, NULL, 0 };

static void fill_table(struct kind_table *t)
{
	const TSLanguage *lang = t->lang();
	t->count = ts_language_symbol_count(lang);
	/* Lives as long as the process: the grammars do. */
	t->by_symbol = cg_calloc(t->count ? t->count : 1, 1);
	for (uint32_t sym = 0; sym < t->count; sym++)
		t->by_symbol[sym] = (uint8_t)kind_by_name(ts_language_symbol_name(lang, (TSSymbol)sym));
}

static void fill_rust(void)
{
	fill_table(&rust_kinds);
}

static void fill_toml(void)
{
	fill_table(&toml_kinds);
}

enum cg_kind cg_node_kind(TSNode node)
{
	const TSLanguage *lang = ts_tree_language(node.tree);
	struct kind_table *t = lang == cg_lang_rust() ? &rust_kinds : &toml_kinds;
	TSSymbol sym = ts_node_symbol(node);

	pthread_once(&t->once, t == &rust_kinds ? fill_rust : fill_toml);
	if (sym < t->count)
		return (enum cg_kind)t->by_symbol[sym];
	return kind_by_name(ts_node_type(node)); /* ERROR and other built-ins */
}

static const char *const field_names[CG_F_COUNT] = {
	[CG_F_ALIAS] = "alias",
	[CG_F_ALTERNATIVE] = "alternative",
	[CG_F_ARGUMENT] = "argument",
	[CG_F_ARGUMENTS] = "arguments",
	[CG_F_BODY] = "body",
	[CG_F_BOUNDS] = "bounds",
	[CG_F_CONDITION] = "condition",
	[CG_F_CONSEQUENCE] = "consequence",
	[CG_F_FIELD] = "field",
	[CG_F_FUNCTION] = "function",
	[CG_F_LEFT] = "left",
	[CG_F_LIST] = "list",
	[CG_F_MACRO] = "macro",
	[CG_F_NAME] = "name",
	[CG_F_OPERATOR] = "operator",
	[CG_F_PARAMETERS] = "parameters",
	[CG_F_PATH] = "path",
	[CG_F_PATTERN] = "pattern",
	[CG_F_RETURN_TYPE] = "return_type",
	[CG_F_RIGHT] = "right",
	[CG_F_TRAIT] = "trait",
	[CG_F_TYPE] = "type",
	[CG_F_TYPE_ARGUMENTS] = "type_arguments",
	[CG_F_TYPE_PARAMETERS] = "type_parameters",
	[CG_F_VALUE] = "value",
};
static TSFieldId field_ids[CG_F_COUNT];
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static void fill_fields(void)
{
	for (size_t i = 0; i < CG_F_COUNT; i++)
		field_ids[i] =
			ts_language_field_id_for_name(cg_lang_rust(), field_names[i], (uint32_t)strlen(field_names[i]));
}

TSNode cg_child(TSNode node, enum cg_field field)
{
	if (ts_node_is_null(node))
		return node;
	if (ts_tree_language(node.tree) != cg_lang_rust())
		return ts_node_child_by_field_name(node, field_names[field], (uint32_t)strlen(field_names[field]));
	pthread_once(&fields_once, fill_fields);
	return ts_node_child_by_field_id(node, field_ids[field]);
}

int cg_walk(TSNode root, int (*cb)(TSNode, void *), void *payload)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	int rc = 0;

	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		rc = cb(n, payload);
		if (rc < 0)
			break;
		if (rc == CG_WALK_ENTER && ts_tree_cursor_goto_first_child(&c))
			continue;
		/* Climb until a sibling exists; stop at the root. */
		for (;;) {
			if (ts_node_eq(ts_tree_cursor_current_node(&c), root)) {
				rc = 0;
				goto done;
			}
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (!ts_tree_cursor_goto_parent(&c)) {
				rc = 0;
				goto done;
			}
		}
	}
done:
	ts_tree_cursor_delete(&c);
	return rc < 0 ? rc : 0;
}
