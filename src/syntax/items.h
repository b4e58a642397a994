#ifndef CG_SYNTAX_ITEMS_H
#define CG_SYNTAX_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A lexical scanner of Rust items, no parse tree: one pass over the bytes
 * with a small hand-written lexer (comments, all string and char literal
 * forms, lifetimes, attributes, bracket matching) that lists the items of a
 * source in order, with where each one starts and ends as tree-sitter would
 * put it. Items are listed at the top level and inside the bodies of
 * `mod x { }`, `impl .. { }` and `trait .. { }`, never inside fn bodies or
 * other expressions. Rules use it to find candidates without a tree, and the
 * rule pass to parse only the items that matter.
 */
enum cg_item_kind {
	CG_ITEM_OTHER,	      /* const, static, macro_rules!, item macro calls, extern blocks, a stray `;` */
	CG_ITEM_USE,	      /* use a::b; */
	CG_ITEM_EXTERN_CRATE, /* extern crate x; */
	CG_ITEM_INNER_ATTR,   /* #![..] */
	CG_ITEM_MOD_DECL,     /* mod x; */
	CG_ITEM_MOD,	      /* mod x { .. } */
	CG_ITEM_TYPE,	      /* struct, enum, union, type */
	CG_ITEM_FN,
	CG_ITEM_IMPL,
	CG_ITEM_TRAIT,
};

/* The parent of a top-level item. */
#define CG_ITEM_TOP UINT32_MAX

struct cg_item {
	enum cg_item_kind kind;
	/*
	 * Byte offsets into the scanned text. `start`: the item's leading
	 * attributes and comments (all since the previous item or the
	 * container's `{`, less leading white space). `decl`: the item proper,
	 * where tree-sitter's node starts (`pub`, `fn`, `impl`, `unsafe`, ..).
	 * `end`: one past its last byte (`}` or `;`).
	 */
	uint32_t start, decl, end;
	uint32_t parent; /* index of the enclosing MOD, IMPL or TRAIT item, or CG_ITEM_TOP */
	/*
	 * fn, mod, type and trait: the name (`r#type` as written). impl: the
	 * self type's last path segment without generics (`Foo` of
	 * `impl<T> a::Foo<T>`), or the whole type when it is not a path
	 * (`dyn Tr + Send`, `&'a Foo`). name_len 0: none.
	 */
	uint32_t name, name_len;
	uint8_t visibility; /* 2 `pub`, 1 `pub(crate)` or `crate`, 0 narrower or private */
	bool is_cfg_test;   /* an attribute is #[cfg(..)] naming `test` and no `not` (#![cfg(test)] too) */
	bool is_test_fn;    /* an attribute's path is `bench` or ends in `test`: #[test], #[tokio::test], #[rstest] */
	bool is_not_api;    /* #[proc_macro*] entry point or #[doc(hidden)]: public, but no one's API */
	bool is_trait_impl; /* impl X for Y */
	bool has_body;	    /* `{ .. }` rather than `;` */
	/*
	 * With has_body: one past the `{` that opens the body (a fn's block, a
	 * module's, impl's or trait's items, a struct's fields), else 0.
	 */
	uint32_t body;
};

struct cg_items {
	struct cg_item *items; /* owned, in source order */
	size_t n, cap;
	/*
	 * False when the bytes are not well-formed Rust as far as the lexer can
	 * tell (unbalanced or mismatched brackets, an unterminated literal or
	 * comment, something at item level that is no item): the items are then
	 * a best effort, and a caller that needs exact ones parses the file.
	 */
	bool is_clean;
};

/* clang-format off */
#define CG_ITEMS_INIT { NULL, 0, 0, true }
/* clang-format on */

/*
 * Scans `len` bytes of `text` (need not be NUL-terminated) into `out`,
 * which it initializes; release with cg_items_release. Reads no byte outside
 * the text whatever it holds; allocates O(items). Errors: CG_E_TOOBIG for
 * 4 GiB or more (offsets are 32-bit), with `out` empty.
 */
int cg_items_scan(struct cg_items *out, const char *text, size_t len);
void cg_items_release(struct cg_items *items);
/*
 * cg_items_scan, and then the items written inside item macro calls
 * (`cfg_net! { pub fn f() {} }`, `a::b! { .. }`) whose brace body scans
 * cleanly as items, each listed after its call with the call as its parent
 * (a CG_ITEM_OTHER), nested calls too. For rules that check items whatever
 * macro wraps them (missing-bench).
 */
int cg_items_scan_expanded(struct cg_items *out, const char *text, size_t len);
/* cg_items_scan_expanded from `flat`, cg_items_scan's of `text`, without scanning the file again. */
void cg_items_expand(struct cg_items *out, const struct cg_items *flat, const char *text);

/*
 * Whether every partial parse of a file holds item `it`: the other items'
 * names resolve through it (use, extern crate, mod x;, inner attributes).
 */
bool cg_item_is_shared(const struct cg_item *it);

/*
 * Whether two spans of Rust hold the same tokens, in order: comments and
 * white space do not count, literals count byte for byte. Reads no byte
 * outside either span.
 */
bool cg_items_same_tokens(const char *a, size_t alen, const char *b, size_t blen);

/*
 * The longest run of tokens in `len` bytes of `text` with no `;`, `,` or
 * bracket among them (nor a line break, with `breaks_at_newline`: TOML),
 * lexed as cg_items_scan lexes (a literal or a comment is one token or
 * none). Code people write resets it every line or so; a flood of tokens
 * that makes tree-sitter's error recovery quadratic does not. UINT32_MAX
 * for 4 GiB or more.
 */
uint32_t cg_items_token_run(const char *text, size_t len, bool breaks_at_newline);

/*
 * The scanner's tokens one by one, for rules that need words, not items:
 * comments and white space are skipped, a literal of any form is one token
 * (words inside strings never show). A word is an identifier, a keyword,
 * a raw identifier (`r#type`) or a number; a lifetime includes its `'`.
 */
enum cg_token_kind {
	CG_TOKEN_END,
	CG_TOKEN_WORD,
	CG_TOKEN_LIFETIME,
	CG_TOKEN_LITERAL,
	CG_TOKEN_PUNCT, /* one byte: `::` is two ':' tokens */
	CG_TOKEN_OPEN,	/* ( [ { */
	CG_TOKEN_CLOSE,
};

struct cg_token {
	enum cg_token_kind kind;
	uint32_t start, end; /* byte offsets into the text */
};

struct cg_tokenizer {
	const char *text;
	uint32_t len, pos;
};

/* Starts at the beginning of `len` bytes of `text`; CG_E_TOOBIG for 4 GiB or more. */
int cg_tokenizer_init(struct cg_tokenizer *tz, const char *text, size_t len);
/* The next token; CG_TOKEN_END at the end of the text, and from then on. */
struct cg_token cg_tokenizer_next(struct cg_tokenizer *tz);

#endif
