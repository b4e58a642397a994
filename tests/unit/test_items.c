/*
 * The item scanner (syntax/items.h): the lexical cases one by one, a
 * mutation test for robustness (run it under the sanitizers), and the
 * property that the scanner's items are tree-sitter's, checked on the
 * distribution's crate sources when they are installed.
 */
#define _GNU_SOURCE
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syntax/items.h"
#include "syntax/syntax.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

#define TOP CG_ITEM_TOP

struct want {
	enum cg_item_kind kind;
	uint32_t parent;
	const char *text; /* from decl to end */
	const char *name; /* NULL: none */
};

/* Scans a copy of exactly `len` bytes, so the sanitizers see any read past the end. */
static void scan_exact(struct cg_items *out, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	assert_int_equal(cg_items_scan(out, copy, len), 0);
	free(copy);
}

static void expect_items(const char *src, const struct want *w, size_t n, bool is_clean)
{
	struct cg_items items;
	size_t len = strlen(src);
	scan_exact(&items, src, len);
	if (items.n != n) {
		for (size_t i = 0; i < items.n; i++)
			print_message("item %zu: kind %d [%.*s]\n", i, items.items[i].kind,
				      (int)(items.items[i].end - items.items[i].decl), src + items.items[i].decl);
	}
	assert_int_equal(items.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct cg_item *it = &items.items[i];
		size_t tl = strlen(w[i].text);
		if (it->end - it->decl != tl || memcmp(src + it->decl, w[i].text, tl))
			fail_msg("item %zu: [%.*s], want [%s]", i, (int)(it->end - it->decl), src + it->decl,
				 w[i].text);
		assert_int_equal(it->kind, w[i].kind);
		assert_int_equal(it->parent, w[i].parent);
		if (w[i].name) {
			if (it->name_len != strlen(w[i].name) || memcmp(src + it->name, w[i].name, it->name_len))
				fail_msg("item %zu: name [%.*s], want [%s]", i, (int)it->name_len, src + it->name,
					 w[i].name);
		} else {
			assert_int_equal(it->name_len, 0);
		}
	}
	assert_int_equal(items.is_clean, is_clean);
	cg_items_release(&items);
}

#define EXPECT(src, ...)                                                                                               \
	do {                                                                                                           \
		const struct want w_[] = { __VA_ARGS__ };                                                              \
		expect_items(src, w_, sizeof(w_) / sizeof(w_[0]), true);                                               \
	} while (0)

/* The item whose decl..end text starts with `prefix`. */
static const struct cg_item *find(const struct cg_items *items, const char *src, const char *prefix)
{
	for (size_t i = 0; i < items->n; i++)
		if (!strncmp(src + items->items[i].decl, prefix, strlen(prefix)))
			return &items->items[i];
	fail_msg("no item starts with [%s]", prefix);
	return NULL;
}

static void test_kinds(void **state)
{
	(void)state;
	EXPECT("use std::{fs, io::{self, Read}};\n"
	       "extern crate alloc as a;\n"
	       "mod decl;\n"
	       "pub mod m {\n"
	       "    #![allow(dead_code)]\n"
	       "    pub struct S { a: u8 }\n"
	       "    enum E { A = 1, B }\n"
	       "    union U { a: u8 }\n"
	       "    type T = [u8; 3];\n"
	       "    fn f() -> u8 { if true { 1 } else { 2 } }\n"
	       "}\n"
	       "const C: u8 = 1;\n"
	       "static mut S: [u8; 2] = [0; 2];\n"
	       "trait Tr { type A; fn g(&self); fn h() {} }\n"
	       "impl Tr for () { type A = u8; fn g(&self) {} }\n"
	       "extern \"C\" { fn x(); }\n"
	       "struct Tuple(u8, u16);\n"
	       "struct Unit;\n",
	       { CG_ITEM_USE, TOP, "use std::{fs, io::{self, Read}};", NULL },
	       { CG_ITEM_EXTERN_CRATE, TOP, "extern crate alloc as a;", NULL },
	       { CG_ITEM_MOD_DECL, TOP, "mod decl;", "decl" },
	       { CG_ITEM_MOD, TOP,
		 "pub mod m {\n    #![allow(dead_code)]\n    pub struct S { a: u8 }\n    enum E { A = 1, B }\n"
		 "    union U { a: u8 }\n    type T = [u8; 3];\n    fn f() -> u8 { if true { 1 } else { 2 } }\n}",
		 "m" },
	       { CG_ITEM_INNER_ATTR, 3, "#![allow(dead_code)]", NULL },
	       { CG_ITEM_TYPE, 3, "pub struct S { a: u8 }", "S" }, { CG_ITEM_TYPE, 3, "enum E { A = 1, B }", "E" },
	       { CG_ITEM_TYPE, 3, "union U { a: u8 }", "U" }, { CG_ITEM_TYPE, 3, "type T = [u8; 3];", "T" },
	       { CG_ITEM_FN, 3, "fn f() -> u8 { if true { 1 } else { 2 } }", "f" },
	       { CG_ITEM_OTHER, TOP, "const C: u8 = 1;", NULL },
	       { CG_ITEM_OTHER, TOP, "static mut S: [u8; 2] = [0; 2];", NULL },
	       { CG_ITEM_TRAIT, TOP, "trait Tr { type A; fn g(&self); fn h() {} }", "Tr" },
	       { CG_ITEM_TYPE, 12, "type A;", "A" }, { CG_ITEM_FN, 12, "fn g(&self);", "g" },
	       { CG_ITEM_FN, 12, "fn h() {}", "h" },
	       { CG_ITEM_IMPL, TOP, "impl Tr for () { type A = u8; fn g(&self) {} }", "()" },
	       { CG_ITEM_TYPE, 16, "type A = u8;", "A" }, { CG_ITEM_FN, 16, "fn g(&self) {}", "g" },
	       { CG_ITEM_OTHER, TOP, "extern \"C\" { fn x(); }", NULL },
	       { CG_ITEM_TYPE, TOP, "struct Tuple(u8, u16);", "Tuple" },
	       { CG_ITEM_TYPE, TOP, "struct Unit;", "Unit" }, );
}

/* cg_items_scan_expanded: the items of item macro bodies, under their call; other macros stay closed. */
static void test_expanded(void **state)
{
	const char *src = "cfg_net! {\n"
			  "    pub fn a() {}\n"
			  "    impl T { pub fn b(&self) {} }\n"
			  "    crate::feature! { fn c() {} }\n"
			  "}\n"
			  "dsl! { name = x; }\n"
			  "macro_rules! m { () => { fn d() {} } }\n"
			  "fn e() {}\n";
	struct cg_items items;
	(void)state;
	assert_int_equal(cg_items_scan_expanded(&items, src, strlen(src)), 0);
	assert_int_equal(items.n, 9);
	assert_int_equal(items.items[0].kind, CG_ITEM_OTHER);
	assert_int_equal(find(&items, src, "pub fn a")->parent, 0);
	assert_int_equal(find(&items, src, "impl T")->parent, 0);
	assert_int_equal(find(&items, src, "pub fn b")->kind, CG_ITEM_FN);
	assert_int_equal(items.items[find(&items, src, "pub fn b")->parent].kind, CG_ITEM_IMPL);
	assert_int_equal(items.items[find(&items, src, "fn c")->parent].kind, CG_ITEM_OTHER);
	assert_int_equal(find(&items, src, "fn c")->parent,
			 (uint32_t)(find(&items, src, "crate::feature!") - items.items));
	assert_int_equal(find(&items, src, "fn e")->parent, TOP);
	assert_true(items.is_clean);
	for (size_t i = 1; i < items.n; i++)
		assert_true(items.items[i - 1].decl < items.items[i].decl);
	cg_items_release(&items);
}

/* Brackets and `;` inside comments, strings and chars are not structure. */
static void test_comments_and_literals(void **state)
{
	(void)state;
	EXPECT("// fn hidden() {\n"
	       "/* outer /* nested } */ still comment { */\n"
	       "fn a() { let s = \"}\\\" {\"; let t = b\"}\\\\\"; }\n"
	       "fn b() { let r = r\"}\\\"; let h = r##\"}\"# {\"##; let bh = br##\"\"#}\"##; }\n"
	       "fn c() { let c = c\"}\"; let cr = cr#\"}\"#; }\n"
	       "fn d() { let x = ['{', '}', '\\'', '\\\\', '\\u{7d}', 'é', b'}', b'\\'']; }\n"
	       "fn e<'a>(x: &'a str) -> &'static str { 'outer: loop { break 'outer; } x }\n"
	       "fn f() { let _ = 'a'; let _ = '\"'; let s = \"'\"; }\n"
	       "/// doc comment with { and \"\n"
	       "/** block doc } */\n"
	       "fn g() {}\n",
	       { CG_ITEM_FN, TOP, "fn a() { let s = \"}\\\" {\"; let t = b\"}\\\\\"; }", "a" },
	       { CG_ITEM_FN, TOP, "fn b() { let r = r\"}\\\"; let h = r##\"}\"# {\"##; let bh = br##\"\"#}\"##; }",
		 "b" },
	       { CG_ITEM_FN, TOP, "fn c() { let c = c\"}\"; let cr = cr#\"}\"#; }", "c" },
	       { CG_ITEM_FN, TOP, "fn d() { let x = ['{', '}', '\\'', '\\\\', '\\u{7d}', 'é', b'}', b'\\'']; }", "d" },
	       { CG_ITEM_FN, TOP, "fn e<'a>(x: &'a str) -> &'static str { 'outer: loop { break 'outer; } x }", "e" },
	       { CG_ITEM_FN, TOP, "fn f() { let _ = 'a'; let _ = '\"'; let s = \"'\"; }", "f" },
	       { CG_ITEM_FN, TOP, "fn g() {}", "g" }, );
}

static void test_attributes(void **state)
{
	static const char src[] = "/// doc\n"
				  "#[derive(Debug)] // why\n"
				  "#[doc = \"] }\"]\n"
				  "pub struct A;\n"
				  "#[cfg(test)]\nmod t1 {}\n"
				  "#[cfg(all(test, feature = \"x\"))]\nmod t2 {}\n"
				  "#[cfg(any(unix, test))]\nmod t3 {}\n"
				  "#[cfg(not(test))]\nmod t4 {}\n"
				  "#[cfg(all(test, not(miri)))]\nmod t5 {}\n"
				  "#[cfg_attr(test, derive(Debug))]\nmod t6 {}\n"
				  "#[cfg(feature = \"test\")]\nmod t7 {}\n"
				  "#[cfg(any(test, feature = \"test-util\"))]\nmod t8 {}\n"
				  "#[cfg(any(feature = \"std\", test))]\nmod t9 {}\n"
				  "#[cfg(any(test, fuzzing))]\nmod t10 {}\n"
				  "#[test]\nfn f1() {}\n"
				  "#[tokio::test(flavor = \"multi_thread\")]\nfn f2() {}\n"
				  "#[rstest]\nfn f3() {}\n"
				  "#[bench]\nfn f4() {}\n"
				  "#[divan::bench]\nfn f5() {}\n"
				  "#[test_case(1)]\nfn f6() {}\n"
				  "# [ test ]\nfn f7() {}\n"
				  "#[inline] #[::core::prelude::v1::test] fn f8() {}\n";
	struct cg_items items;
	const struct cg_item *a;
	(void)state;
	scan_exact(&items, src, strlen(src));
	assert_true(items.is_clean);
	a = find(&items, src, "pub struct A;");
	assert_int_equal(a->start, 0);
	assert_int_equal(a->end - a->decl, strlen("pub struct A;"));
	assert_false(a->is_cfg_test);
	assert_true(find(&items, src, "mod t1")->is_cfg_test);
	assert_true(find(&items, src, "mod t2")->is_cfg_test);
	/* any(unix, test) builds on unix without tests: library code (base64's `any(feature = "std", test)`). */
	assert_false(find(&items, src, "mod t3")->is_cfg_test);
	assert_false(find(&items, src, "mod t4")->is_cfg_test);
	assert_true(find(&items, src, "mod t5")->is_cfg_test); /* all(test, …): only in a test build */
	assert_false(find(&items, src, "mod t6")->is_cfg_test);
	assert_false(find(&items, src, "mod t7")->is_cfg_test);
	assert_true(find(&items, src, "mod t8")->is_cfg_test);
	assert_false(find(&items, src, "mod t9")->is_cfg_test);
	assert_true(find(&items, src, "mod t10")->is_cfg_test);
	assert_false(find(&items, src, "mod t1")->is_test_fn);
	assert_true(find(&items, src, "fn f1")->is_test_fn);
	assert_true(find(&items, src, "fn f2")->is_test_fn);
	assert_true(find(&items, src, "fn f3")->is_test_fn);
	assert_true(find(&items, src, "fn f4")->is_test_fn);
	assert_false(find(&items, src, "fn f5")->is_test_fn);
	assert_false(find(&items, src, "fn f6")->is_test_fn);
	assert_true(find(&items, src, "fn f7")->is_test_fn);
	assert_true(find(&items, src, "fn f8")->is_test_fn);
	/* An item's start is its first attribute; its decl the item proper. */
	a = find(&items, src, "fn f8");
	assert_memory_equal(src + a->start, "#[inline]", 9);
	cg_items_release(&items);

	EXPECT("#![cfg(test)]\n#![allow(x)]\nmod m {\n    // c\n    #![cfg(test)]\n    fn f() {}\n}\n",
	       { CG_ITEM_INNER_ATTR, TOP, "#![cfg(test)]", NULL }, { CG_ITEM_INNER_ATTR, TOP, "#![allow(x)]", NULL },
	       { CG_ITEM_MOD, TOP, "mod m {\n    // c\n    #![cfg(test)]\n    fn f() {}\n}", "m" },
	       { CG_ITEM_INNER_ATTR, 2, "#![cfg(test)]", NULL }, { CG_ITEM_FN, 2, "fn f() {}", "f" }, );
	scan_exact(&items, "#![cfg(test)]", 13);
	assert_true(items.items[0].is_cfg_test);
	cg_items_release(&items);
}

/* Public items that are no one's API: proc-macro entry points and #[doc(hidden)]. */
static void test_not_api(void **state)
{
	static const char src[] = "#[proc_macro]\npub fn a(i: T) -> T { i }\n"
				  "#[proc_macro_derive(X, attributes(x))]\npub fn b(i: T) -> T { i }\n"
				  "#[proc_macro_attribute]\npub fn c(a: T, i: T) -> T { i }\n"
				  "#[doc(hidden)]\npub mod d {}\n"
				  "#[doc(hidden)] impl E {}\n"
				  "#[doc = \"hidden\"]\npub fn f() {}\n"
				  "#[doc(hidden, alias = \"x\")]\npub fn g() {}\n"
				  "#[my::proc_macro]\npub fn h() {}\n"
				  "#[inline]\npub fn i() {}\n";
	struct cg_items items;
	(void)state;
	scan_exact(&items, src, strlen(src));
	assert_true(find(&items, src, "pub fn a")->is_not_api);
	assert_true(find(&items, src, "pub fn b")->is_not_api);
	assert_true(find(&items, src, "pub fn c")->is_not_api);
	assert_true(find(&items, src, "pub mod d")->is_not_api);
	assert_true(find(&items, src, "impl E")->is_not_api);
	assert_false(find(&items, src, "pub fn f")->is_not_api);
	/* Only a bare doc(hidden): an alias list is read as shown (rare, and safe to report). */
	assert_false(find(&items, src, "pub fn g")->is_not_api);
	assert_false(find(&items, src, "pub fn h")->is_not_api);
	assert_false(find(&items, src, "pub fn i")->is_not_api);
	cg_items_release(&items);
}

static void test_visibility(void **state)
{
	static const char src[] = "pub fn a() {}\n"
				  "pub(crate) fn b() {}\n"
				  "pub ( crate ) fn c() {}\n"
				  "crate fn d() {}\n"
				  "pub(super) fn e() {}\n"
				  "pub(in crate::x) fn f() {}\n"
				  "pub(self) fn g() {}\n"
				  "fn h() {}\n"
				  "crate::m! {}\n"
				  "pub\n(\ncrate\n)\nstruct S;\n";
	struct cg_items items;
	(void)state;
	scan_exact(&items, src, strlen(src));
	assert_true(items.is_clean);
	assert_int_equal(items.n, 10);
	assert_int_equal(find(&items, src, "pub fn a")->visibility, 2);
	assert_int_equal(find(&items, src, "pub(crate) fn b")->visibility, 1);
	assert_int_equal(find(&items, src, "pub ( crate ) fn c")->visibility, 1);
	assert_int_equal(find(&items, src, "crate fn d")->visibility, 1);
	assert_int_equal(find(&items, src, "pub(super)")->visibility, 0);
	assert_int_equal(find(&items, src, "pub(in")->visibility, 0);
	assert_int_equal(find(&items, src, "pub(self)")->visibility, 0);
	assert_int_equal(find(&items, src, "fn h")->visibility, 0);
	assert_int_equal(find(&items, src, "crate::m!")->kind, CG_ITEM_OTHER);
	assert_int_equal(find(&items, src, "crate::m!")->visibility, 0);
	assert_int_equal(find(&items, src, "pub\n(")->visibility, 1);
	assert_int_equal(find(&items, src, "pub\n(")->kind, CG_ITEM_TYPE);
	cg_items_release(&items);
}

static void test_qualifiers(void **state)
{
	(void)state;
	EXPECT("pub async fn a() {}\n"
	       "pub const fn b() {}\n"
	       "const unsafe fn c() {}\n"
	       "pub unsafe extern \"C\" fn d() {}\n"
	       "extern fn e() {}\n"
	       "async unsafe fn f() {}\n"
	       "const _: () = ();\n"
	       "unsafe impl Send for X {}\n"
	       "unsafe trait T {}\n"
	       "impl X { default fn g() {} pub(crate) const K: u8 = 1; }\n"
	       "extern { static E: u8; }\n",
	       { CG_ITEM_FN, TOP, "pub async fn a() {}", "a" }, { CG_ITEM_FN, TOP, "pub const fn b() {}", "b" },
	       { CG_ITEM_FN, TOP, "const unsafe fn c() {}", "c" },
	       { CG_ITEM_FN, TOP, "pub unsafe extern \"C\" fn d() {}", "d" },
	       { CG_ITEM_FN, TOP, "extern fn e() {}", "e" }, { CG_ITEM_FN, TOP, "async unsafe fn f() {}", "f" },
	       { CG_ITEM_OTHER, TOP, "const _: () = ();", NULL },
	       { CG_ITEM_IMPL, TOP, "unsafe impl Send for X {}", "X" },
	       { CG_ITEM_TRAIT, TOP, "unsafe trait T {}", "T" },
	       { CG_ITEM_IMPL, TOP, "impl X { default fn g() {} pub(crate) const K: u8 = 1; }", "X" },
	       { CG_ITEM_FN, 9, "default fn g() {}", "g" }, { CG_ITEM_OTHER, 9, "pub(crate) const K: u8 = 1;", NULL },
	       { CG_ITEM_OTHER, TOP, "extern { static E: u8; }", NULL }, );
}

/* Macros at item level; a `;` after a call is its own item inside a body, part of it at the top. */
static void test_macros(void **state)
{
	(void)state;
	EXPECT("macro_rules! a { () => { } }\n"
	       "macro_rules! b ( () => { } );\n"
	       "macro_rules! c [ () => { } ];\n"
	       "foo! { x }\n"
	       "foo!( y );\n"
	       "foo![ z ];\n"
	       "bar! { };\n"
	       "a::b::c!(1);\n"
	       "::m!{}\n"
	       "thread_local!(static K: u8 = 1);\n"
	       "mod m { foo!(); bar! {} baz![]; }\n",
	       { CG_ITEM_OTHER, TOP, "macro_rules! a { () => { } }", NULL },
	       { CG_ITEM_OTHER, TOP, "macro_rules! b ( () => { } );", NULL },
	       { CG_ITEM_OTHER, TOP, "macro_rules! c [ () => { } ];", NULL },
	       { CG_ITEM_OTHER, TOP, "foo! { x }", NULL }, { CG_ITEM_OTHER, TOP, "foo!( y );", NULL },
	       { CG_ITEM_OTHER, TOP, "foo![ z ];", NULL }, { CG_ITEM_OTHER, TOP, "bar! { };", NULL },
	       { CG_ITEM_OTHER, TOP, "a::b::c!(1);", NULL }, { CG_ITEM_OTHER, TOP, "::m!{}", NULL },
	       { CG_ITEM_OTHER, TOP, "thread_local!(static K: u8 = 1);", NULL },
	       { CG_ITEM_MOD, TOP, "mod m { foo!(); bar! {} baz![]; }", "m" }, { CG_ITEM_OTHER, 10, "foo!()", NULL },
	       { CG_ITEM_OTHER, 10, ";", NULL }, { CG_ITEM_OTHER, 10, "bar! {}", NULL },
	       { CG_ITEM_OTHER, 10, "baz![]", NULL }, { CG_ITEM_OTHER, 10, ";", NULL }, );
}

/* Generics: `->` closes nothing, `>>` closes two, braces inside them are const arguments. */
static void test_generics_and_impls(void **state)
{
	static const char src[] = "impl<T: Fn() -> U, U> a::Foo<T> where T: Into<Vec<Vec<u8>>> { fn f() {} }\n"
				  "impl<T> Tr for Vec<T> where for<'a> &'a T: Fn(&'a u8) -> u8 {}\n"
				  "impl<T> Tr for for<'a> fn(&'a T) {}\n"
				  "impl dyn Any + Send { }\n"
				  "impl<'a> &'a Foo { }\n"
				  "impl ::std::fmt::Display for crate::Bar<'_> {}\n"
				  "impl<const N: usize> Arr<{ N }> {}\n"
				  "impl !Send for r#Raw {}\n"
				  "struct S<const N: usize = { 3 }>;\n"
				  "struct W<T>(T) where T: Fn() -> u8;\n"
				  "fn g<F: Fn() -> u8>(f: F) -> impl Fn() -> Box<dyn Fn() -> u8> where F: Copy { f }\n"
				  "const F: fn() = || { let x = 1; };\n"
				  "const G: &dyn Fn(u8) -> u8 = &|x| { x >> 1 };\n"
				  "fn r#type() {}\n"
				  "fn cmp() -> bool { 1 < 2 && 3 > 2 }\n"
				  "trait T2: Fn() -> u8 where Self: Sized { fn m() -> Vec<Vec<u8>>; }\n";
	struct cg_items items;
	const struct cg_item *it;
	(void)state;
	scan_exact(&items, src, strlen(src));
	assert_true(items.is_clean);
	it = find(&items, src, "impl<T: Fn");
	assert_int_equal(it->kind, CG_ITEM_IMPL);
	assert_false(it->is_trait_impl);
	assert_true(it->has_body);
	assert_memory_equal(src + it->name, "Foo", 3);
	assert_int_equal(it->name_len, 3);
	assert_int_equal(src[it->end - 1], '}');
	assert_int_equal(src[it->end], '\n');
	assert_int_equal(find(&items, src, "fn f()")->parent, (uint32_t)(it - items.items));
	it = find(&items, src, "impl<T> Tr for Vec<T>");
	assert_true(it->is_trait_impl);
	assert_memory_equal(src + it->name, "Vec", 3);
	it = find(&items, src, "impl<T> Tr for for<'a>");
	assert_true(it->is_trait_impl);
	assert_int_equal(it->name_len, strlen("for<'a> fn(&'a T)"));
	it = find(&items, src, "impl dyn");
	assert_false(it->is_trait_impl);
	assert_int_equal(it->name_len, strlen("dyn Any + Send"));
	assert_memory_equal(src + it->name, "dyn Any + Send", it->name_len);
	it = find(&items, src, "impl<'a> &'a Foo");
	assert_memory_equal(src + it->name, "&'a Foo", it->name_len);
	it = find(&items, src, "impl ::std");
	assert_true(it->is_trait_impl);
	assert_memory_equal(src + it->name, "Bar", it->name_len);
	it = find(&items, src, "impl<const N");
	assert_memory_equal(src + it->name, "Arr", it->name_len);
	it = find(&items, src, "impl !Send");
	assert_true(it->is_trait_impl);
	assert_memory_equal(src + it->name, "r#Raw", it->name_len);
	it = find(&items, src, "struct S<");
	assert_int_equal(it->end - it->decl, strlen("struct S<const N: usize = { 3 }>;"));
	assert_false(it->has_body);
	it = find(&items, src, "struct W<");
	assert_int_equal(it->end - it->decl, strlen("struct W<T>(T) where T: Fn() -> u8;"));
	it = find(&items, src, "fn g<");
	assert_true(it->has_body);
	assert_memory_equal(src + it->end - 5, "{ f }", 5);
	it = find(&items, src, "const F");
	assert_memory_equal(src + it->end - 4, "; };", 4);
	it = find(&items, src, "const G");
	assert_memory_equal(src + it->end - 4, "1 };", 4);
	it = find(&items, src, "fn r#type");
	assert_memory_equal(src + it->name, "r#type", it->name_len);
	it = find(&items, src, "fn cmp");
	assert_memory_equal(src + it->end - 3, "2 }", 3);
	it = find(&items, src, "trait T2");
	assert_int_equal(it->kind, CG_ITEM_TRAIT);
	assert_int_equal(find(&items, src, "fn m()")->parent, (uint32_t)(it - items.items));
	assert_false(find(&items, src, "fn m()")->has_body);
	assert_int_equal(it->end, strlen(src) - 1);
	cg_items_release(&items);
}

static void test_file_edges(void **state)
{
	static const char trailing[] = "fn a() {}\n\n  // about b\n  fn b() {}\n// end\n";
	struct cg_items items;
	(void)state;
	/* Byte order mark, shebang, CRLF. */
	EXPECT("\xEF\xBB\xBF#!/usr/bin/env run-cargo-script\r\n//! doc\r\nfn a() {\r\n}\r\n",
	       { CG_ITEM_FN, TOP, "fn a() {\r\n}", "a" }, );
	/* `#!` followed by `[` is an inner attribute, not a shebang. */
	EXPECT("#! /* c */ [allow(x)]\nfn a() {}", { CG_ITEM_INNER_ATTR, TOP, "#! /* c */ [allow(x)]", NULL },
	       { CG_ITEM_FN, TOP, "fn a() {}", "a" }, );
	EXPECT("; fn a() {} ;", { CG_ITEM_OTHER, TOP, ";", NULL }, { CG_ITEM_FN, TOP, "fn a() {}", "a" },
	       { CG_ITEM_OTHER, TOP, ";", NULL }, );
	/* Nothing at all, or only comments. */
	scan_exact(&items, "", 0);
	assert_int_equal(items.n, 0);
	assert_true(items.is_clean);
	cg_items_release(&items);
	scan_exact(&items, "// x\n/* y */\n", 13);
	assert_int_equal(items.n, 0);
	assert_true(items.is_clean);
	cg_items_release(&items);
	/* The leading comment belongs to the next item's start; trailing ones to nobody. */
	scan_exact(&items, trailing, strlen(trailing));
	assert_int_equal(items.n, 2);
	assert_int_equal(items.items[1].start, 13);
	assert_int_equal(items.items[1].decl, 26);
	cg_items_release(&items);
}

/* Broken input: reported as not clean, and scanned without a crash. */
static void test_unclean(void **state)
{
	static const char *const broken[] = {
		"fn a() { \"unterminated }\n",
		"fn a() { /* unterminated }\n",
		"fn a() { r#\"unterminated\" }\n",
		"fn a() { { }\n",
		"fn a() { ( ] }\n",
		"fn a() {} }\n",
		"mod m { fn a() {}\n",
		"let x = 1;\n",
		"#[derive(Debug)]\n",
		"fn a() { let c = '\\u{7d; }\n",
		"# fn a() {}",
		"impl<T Foo {}",
		"pub(crate",
		"'",
		"b'",
		"r#",
		"/*",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct cg_items items;
		scan_exact(&items, broken[i], strlen(broken[i]));
		if (items.is_clean)
			fail_msg("clean: [%s]", broken[i]);
		for (size_t k = 0; k < items.n; k++)
			assert_true(items.items[k].end <= strlen(broken[i]));
		cg_items_release(&items);
	}
}

/* Invariants every scan keeps, whatever the input. */
static void check_invariants(const struct cg_items *items, size_t len)
{
	for (size_t i = 0; i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		assert_true(it->start <= it->decl);
		assert_true(it->decl <= it->end);
		assert_true(it->end <= len);
		assert_true(it->name + it->name_len <= len);
		assert_true(it->parent == TOP || it->parent < i);
		if (it->parent != TOP) {
			const struct cg_item *p = &items->items[it->parent];
			assert_true(p->kind == CG_ITEM_MOD || p->kind == CG_ITEM_IMPL || p->kind == CG_ITEM_TRAIT);
			assert_true(it->start > p->decl && it->end <= p->end);
		}
		if (i && it->parent == items->items[i - 1].parent)
			assert_true(it->start >= items->items[i - 1].end);
	}
}

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: a fixed seed makes every run mutate the same way. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void test_mutations(void **state)
{
	static const char seed_text[] =
		"#!/bin/x\n//! d\n#![cfg(test)]\nuse a::{b, c};\n/// d\n#[cfg(all(test, x))]\npub(crate) mod m {\n"
		"    impl<T: Fn() -> U> Foo<T> where T: A<B<C>> { pub async fn f<'a>(&'a self) -> &'static str {\n"
		"        let s = r#\"}\"#; let c = '}'; let l: &'a u8; /* { /* } */ */ b\"\\\"\" } }\n"
		"    trait Tr { fn g(); type A = u8; }\n}\nmacro_rules! m { ($x:expr) => { $x }; }\n"
		"foo! { }\nconst F: fn() = || { };\nextern \"C\" { fn x(); }\nstruct S<const N: usize = { 3 }>(u8);\n";
	static const char specials[] = "{}()[]<>;'\"#!/*\\rbc\n:-=";
	uint64_t rnd = 0x9e3779b97f4a7c15ULL;
	size_t n = sizeof(seed_text) - 1;
	char *buf = malloc(2 * n);
	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = n, edits = 1 + next_rand(&rnd) % 4;
		struct cg_items items;
		char *exact;
		memcpy(buf, seed_text, n);
		for (size_t e = 0; e < edits; e++) {
			size_t at = next_rand(&rnd) % len;
			uint64_t op = next_rand(&rnd) % 4;
			char c = (next_rand(&rnd) & 1) ? specials[next_rand(&rnd) % (sizeof(specials) - 1)]
						       : (char)(next_rand(&rnd) & 0xff);
			if (op == 0) {
				buf[at] = c;
			} else if (op == 1 && len < 2 * n) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = c;
				len++;
			} else if (op == 2 && len > 1) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			} else {
				len = at + 1; /* truncate: the end of the text anywhere */
			}
		}
		exact = malloc(len);
		memcpy(exact, buf, len);
		assert_int_equal(cg_items_scan(&items, exact, len), 0);
		check_invariants(&items, len);
		cg_items_release(&items);
		free(exact);
	}
	/* And short soups of the bytes that mean something to the lexer. */
	for (int round = 0; round < 50000; round++) {
		static const char soup[] = "{}()[]<>;'\"#!/*\\rbc \n:-=_aé";
		size_t len = next_rand(&rnd) % 24;
		struct cg_items items;
		char *exact = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++)
			exact[i] = soup[next_rand(&rnd) % (sizeof(soup) - 1)];
		assert_int_equal(cg_items_scan(&items, exact, len), 0);
		check_invariants(&items, len);
		cg_items_release(&items);
		free(exact);
	}
	free(buf);
}

/* Deep nesting costs no recursion and no stack. */
static void test_deep_nesting(void **state)
{
	size_t depth = 200000, len = 0;
	char *text = malloc(depth * 20 + 64);
	struct cg_items items;
	(void)state;
	len += (size_t)snprintf(text, 64, "fn f() ");
	for (size_t i = 0; i < depth; i++)
		text[len++] = "{(["[i % 3];
	for (size_t i = depth; i-- > 0;)
		text[len++] = "})]"[i % 3];
	for (size_t i = 0; i < depth / 10; i++)
		len += (size_t)snprintf(text + len, 20, "mod m {");
	for (size_t i = 0; i < depth / 10; i++)
		text[len++] = '}';
	scan_exact(&items, text, len);
	assert_true(items.is_clean);
	assert_int_equal(items.n, 1 + depth / 10);
	assert_int_equal(items.items[1].end, len);
	check_invariants(&items, len);
	cg_items_release(&items);
	free(text);
}

/* ------------------------------------------ the property, on a corpus -- */

static bool is_folded(TSNode n)
{
	const char *t = ts_node_type(n);
	return !strcmp(t, "line_comment") || !strcmp(t, "block_comment") || !strcmp(t, "attribute_item") ||
	       !strcmp(t, "shebang");
}

/*
 * Tree-sitter's items in the order the scanner lists them: the named
 * children of the file and of mod, impl and trait bodies, less comments and
 * attributes (folded into an item's start).
 */
static size_t compare_with_tree(const char *path, const char *text, const struct cg_items *items, TSNode root)
{
	TSNode stack[64];
	uint32_t next[64];
	int top = 0;
	size_t k = 0;

	stack[0] = root;
	next[0] = 0;
	while (top >= 0) {
		TSNode c;
		const char *type;
		if (next[top] >= ts_node_named_child_count(stack[top])) {
			top--;
			continue;
		}
		c = ts_node_named_child(stack[top], next[top]++);
		if (is_folded(c))
			continue;
		type = ts_node_type(c);
		if (k >= items->n)
			fail_msg("%s: tree-sitter's %s at byte %u is missing from the scan", path, type,
				 ts_node_start_byte(c));
		if (items->items[k].decl != ts_node_start_byte(c) || items->items[k].end != ts_node_end_byte(c))
			fail_msg("%s: tree-sitter's %s at %u-%u [%.*s], the scan's item %zu at %u-%u", path, type,
				 ts_node_start_byte(c), ts_node_end_byte(c),
				 (int)(ts_node_end_byte(c) - ts_node_start_byte(c) > 80
					       ? 80
					       : ts_node_end_byte(c) - ts_node_start_byte(c)),
				 text + ts_node_start_byte(c), k, items->items[k].decl, items->items[k].end);
		if (top == 0)
			assert_int_equal(items->items[k].parent, TOP);
		if (!strcmp(type, "function_item") || !strcmp(type, "mod_item") || !strcmp(type, "impl_item") ||
		    !strcmp(type, "trait_item")) {
			TSNode body = ts_node_child_by_field_name(c, "body", 4);
			uint32_t want = ts_node_is_null(body) ? 0 : ts_node_start_byte(body) + 1;
			if (items->items[k].body != want)
				fail_msg("%s: tree-sitter's %s at %u opens its body at %u, the scan says %u", path,
					 type, ts_node_start_byte(c), want, items->items[k].body);
		}
		k++;
		if ((!strcmp(type, "mod_item") || !strcmp(type, "impl_item") || !strcmp(type, "trait_item")) &&
		    top < 63) {
			TSNode body = ts_node_child_by_field_name(c, "body", 4);
			if (!ts_node_is_null(body)) {
				stack[++top] = body;
				next[top] = 0;
			}
		}
	}
	if (k != items->n)
		fail_msg("%s: the scan lists %zu items, tree-sitter %zu", path, items->n, k);
	return k;
}

/*
 * For the .rs files of the distribution's crate sources that tree-sitter
 * parses without an error, the scanner's items (top level, and in mod, impl
 * and trait bodies) start and end where tree-sitter's do, and the scan is
 * clean. A fixed third of the files, in path order, keeps the test short;
 * CG_ITEMS_CORPUS_ALL=1 checks them all.
 */
static void test_corpus_matches_tree_sitter(void **state)
{
	struct {
		char **paths;
		size_t n;
	} c;
	size_t stride = getenv("CG_ITEMS_CORPUS_ALL") ? 1 : 3, files = 0, nitems = 0;
	(void)state;
	if (!(c.n = rs_files("/usr/share/cargo/registry", &c.paths)))
		skip();
	for (size_t i = 0; i < c.n; i += stride) {
		struct cg_buf text = CG_BUF_INIT;
		struct cg_source src;
		struct cg_items items;
		if (cg_fs_read(&text, c.paths[i], (size_t)16 << 20) == 0 &&
		    cg_source_parse(&src, CG_LANG_RUST, text.ptr, text.size) == 0) {
			if (!ts_node_has_error(cg_source_root(&src))) {
				scan_exact(&items, text.ptr, text.size);
				if (!items.is_clean)
					fail_msg("%s: tree-sitter parses it, the scan says it is not clean",
						 c.paths[i]);
				nitems += compare_with_tree(c.paths[i], text.ptr, &items, cg_source_root(&src));
				files++;
				cg_items_release(&items);
			}
			cg_source_release(&src);
		}
		cg_buf_release(&text);
	}
	print_message("compared %zu items of %zu files\n", nitems, files);
	assert_true(files > 0);
	rs_files_free(c.paths, c.n);
}

/* missing-bench tells a comment edit from a code edit by the tokens. */
static void test_same_tokens(void **state)
{
	(void)state;
#define SAME(a, b) cg_items_same_tokens(a, strlen(a), b, strlen(b))
	assert_true(SAME("fn a() { x + 1 }", "fn a() {\n    // why\n    x+1 /* c */\n}"));
	assert_true(SAME("fn a() { /* a /* nested */ b */ }", "fn a() { }"));
	assert_false(SAME("fn a() { x + 1 }", "fn a() { x + 2 }"));
	assert_false(SAME("let ab = 1;", "let a b = 1;"));
	assert_false(SAME("f(\"a b\")", "f(\"a  b\")")); /* literals count byte for byte */
	assert_false(SAME("f(\"// x\")", "f(\"\")"));	 /* a string's slashes are no comment */
	assert_false(SAME("fn a() { x }", "fn a() { x } y"));
	assert_true(SAME("", "  // only a comment\n"));
#undef SAME
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_comments_and_literals),
		cmocka_unit_test(test_attributes),
		cmocka_unit_test(test_not_api),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_qualifiers),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_generics_and_impls),
		cmocka_unit_test(test_file_edges),
		cmocka_unit_test(test_unclean),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_corpus_matches_tree_sitter),
		cmocka_unit_test(test_same_tokens),
		cmocka_unit_test(test_expanded),
	};
	return cmocka_run_group_tests_name("items", tests, NULL, NULL);
}
