/* Buffers, strings, globs, UTF-8, URLs, errors, file writes. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/escape.h"
#include "util/git_tls.h"
#include "util/path.h"
#include "util/str.h"
#include "util/utf8.h"
#include "util/url.h"

static int collect_sink(const char *data, size_t len, void *payload)
{
	struct cg_buf *all = payload;
	if (len > 64)
		return CG_E_IO; /* the sink is handed at most about `at` bytes */
	return cg_buf_put(all, data, len);
}

/* A streamed buffer hands everything over, in order, and never holds much. */
static void test_buf_sink(void **state)
{
	struct cg_buf b = CG_BUF_INIT, all = CG_BUF_INIT, want = CG_BUF_INIT;
	(void)state;
	cg_buf_set_sink(&b, collect_sink, &all, 32);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(cg_buf_printf(&b, "line %d\n", i), 0);
		cg_buf_printf(&want, "line %d\n", i);
		assert_true(b.size <= 32);
	}
	assert_int_equal(cg_escape_json(&b, "x\"y", 3), 0);
	cg_buf_puts(&want, "\"x\\\"y\"");
	assert_int_equal(cg_buf_flush(&b), 0);
	assert_int_equal(b.size, 0);
	assert_string_equal(all.ptr, want.ptr);
	cg_buf_release(&b);
	cg_buf_release(&all);
	cg_buf_release(&want);
}

static void test_buf(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	char *p;
	size_t len;
	(void)state;
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	cg_buf_puts(&b, "abc");
	cg_buf_printf(&b, "-%d-", 42);
	assert_string_equal(b.ptr, "abc-42-");
	cg_buf_truncate(&b, 2);
	assert_string_equal(b.ptr, "ab");
	p = cg_buf_detach(&b, &len);
	assert_string_equal(p, "ab");
	assert_int_equal(len, 2);
	assert_string_equal(b.ptr, "");
	free(p);
	b.limit = 4;
	assert_int_equal(cg_buf_puts(&b, "1234"), 0);
	assert_int_equal(cg_buf_puts(&b, "5"), CG_E_TOOBIG);
	cg_buf_release(&b);
}

static void test_json_string(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	cg_escape_json(&b, "a\"b\\c\nd\x01\t\xc3\xa9", 11);
	assert_string_equal(b.ptr, "\"a\\\"b\\\\c\\nd\\u0001\\t\xc3\xa9\"");
	cg_buf_release(&b);
	/* Invalid UTF-8 (a lone continuation, a truncated sequence, an overlong) becomes U+FFFD. */
	cg_escape_json(&b,
		       "a\x80"
		       "b\xc3",
		       4);
	assert_string_equal(b.ptr, "\"a\xef\xbf\xbd"
				   "b\xef\xbf\xbd\"");
	cg_buf_release(&b);
	cg_escape_json(&b, "\xc0\xaf\xf0\x9f\xa6\x80", 6);
	assert_string_equal(b.ptr, "\"\xef\xbf\xbd\xef\xbf\xbd\xf0\x9f\xa6\x80\"");
	cg_buf_release(&b);
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(cg_glob_match("*.rs", "lib.rs"));
	assert_false(cg_glob_match("*.rs", "src/lib.rs"));
	assert_true(cg_glob_match("**/*.rs", "src/lib.rs"));
	assert_true(cg_glob_match("**/*.rs", "lib.rs"));
	assert_true(cg_glob_match("target/**", "target/debug/build/x.rs"));
	assert_true(cg_glob_match("src/**/gen/*.rs", "src/a/b/gen/x.rs"));
	assert_true(cg_glob_match("src/**/gen/*.rs", "src/gen/x.rs"));
	assert_false(cg_glob_match("src/**/gen/*.rs", "src/gen/y/x.rs"));
	assert_true(cg_glob_match("?.rs", "a.rs"));
	assert_false(cg_glob_match("?.rs", "ab.rs"));
	assert_true(cg_glob_match("**/node_modules/**", "web/node_modules/x/y.rs"));
	assert_false(cg_glob_match("tests/**", "src/tests.rs"));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(cg_utf8_valid("plain", 5));
	assert_true(cg_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\xa6\x80", 9));
	assert_false(cg_utf8_valid("\xc3", 1));
	assert_false(cg_utf8_valid("\xc0\xaf", 2));	/* overlong */
	assert_false(cg_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(cg_utf8_valid("\xff", 1));
}

static void test_utf8_decode(void **state)
{
	uint32_t cp = 7;
	(void)state;
	assert_int_equal(cg_utf8_decode(&cp, "a", 1), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(cg_utf8_decode(&cp, "\xf0\x9f\xa6\x80", 4), 4);
	assert_int_equal(cp, 0x1f980);
	assert_int_equal(cg_utf8_decode(&cp, "\xf0\x9f\xa6\x80", 3), 0); /* truncated */
	assert_int_equal(cg_utf8_decode(&cp, "\xe0\x80\xaf", 3), 0);	 /* overlong */
	assert_int_equal(cg_utf8_decode(&cp, "\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
	assert_int_equal(cg_utf8_decode(&cp, "\x80", 1), 0);		 /* stray continuation */
	assert_int_equal(cp, 0x1f980);					 /* untouched on failure */
}

/* What a hostile finding or model answer carries, and what each destination must not pass on. */
#define HOSTILE "a\x1b[31m\x9b\xc2\x9b\xe2\x80\xae\xff\xc0\xaf<!-- x --> `c` *b* _i_ [l](u) \\ @team #12 ~s~ |t| &"

static void test_escape_utf8(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	cg_escape_utf8(&b,
		       "a\xff"
		       "b\xc3\xa9\xe2\x82",
		       7);
	assert_string_equal(b.ptr, "a\xef\xbf\xbd"
				   "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(cg_utf8_valid(b.ptr, b.size));
	cg_buf_release(&b);
}

static void test_escape_terminal(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	cg_escape_terminal(&b, HOSTILE, strlen(HOSTILE), NULL);
	assert_null(strchr(b.ptr, '\x1b'));
	assert_null(strstr(b.ptr, "\xc2\x9b"));
	assert_null(strstr(b.ptr, "\xe2\x80\xae"));
	assert_true(cg_utf8_valid(b.ptr, b.size));
	/* Shown, not hidden: the reader sees what the file holds. */
	assert_non_null(strstr(b.ptr, "a\\u{1b}[31m\\x9b\\u{9b}\\u{202e}\\xff\\xc0\\xaf<!-- x -->"));
	cg_buf_release(&b);
	cg_escape_terminal(&b, "one\r\ntwo\tthree\n", 15, "  ");
	assert_string_equal(b.ptr, "one\n  two    three\n  ");
	cg_buf_release(&b);
	cg_escape_terminal(&b, "one\ntwo", 7, NULL);
	assert_string_equal(b.ptr, "one\\u{a}two");
	cg_buf_release(&b);
}

static void test_escape_json(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	cg_escape_json(&b, HOSTILE, strlen(HOSTILE));
	assert_true(cg_utf8_valid(b.ptr, b.size));
	for (size_t i = 0; i < b.size; i++)
		assert_false((unsigned char)b.ptr[i] < 0x20 || b.ptr[i] == 0x7f);
	assert_non_null(strstr(
		b.ptr, "\"a\\u001b[31m\xef\xbf\xbd\xc2\x9b\xe2\x80\xae\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd<!--"));
	cg_buf_release(&b);
}

static void test_escape_html_comment(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	{
		static const char in[] = "<!-- crabgate:fp=0123456789abcdef --> <!--> -->\xff";
		cg_escape_html_comment(&b, in, strlen(in));
	}
	assert_null(strstr(b.ptr, "<!--"));
	assert_null(strstr(b.ptr, "-->"));
	assert_string_equal(
		b.ptr, "<\xe2\x80\x8b!-- crabgate:fp=0123456789abcdef --\xe2\x80\x8b> <\xe2\x80\x8b!--\xe2\x80\x8b> "
		       "--\xe2\x80\x8b>\xef\xbf\xbd");
	cg_buf_release(&b);
}

static void test_escape_md_inline(void **state)
{
	struct cg_buf b = CG_BUF_INIT;
	(void)state;
	cg_escape_md_inline(&b, HOSTILE, strlen(HOSTILE), CG_MD_CODE, NULL);
	assert_null(strchr(b.ptr, '\x1b'));
	assert_null(strstr(b.ptr, "\xc2\x9b"));
	assert_null(strstr(b.ptr, "\xe2\x80\xae"));
	assert_null(strstr(b.ptr, "<!--"));
	assert_null(strstr(b.ptr, "@team"));
	assert_null(strstr(b.ptr, "#12"));
	assert_null(strstr(b.ptr, "]("));
	assert_true(cg_utf8_valid(b.ptr, b.size));
	/* Controls shown (`\\u{1b}` renders as `\u{1b}`), invalid bytes U+FFFD, `!` escaped. */
	assert_string_equal(b.ptr,
			    "a\\\\u{1b}\\[31m\xef\xbf\xbd\\\\u{9b}\\\\u{202e}\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			    "&lt;\\!-- x --&gt; `c` \\*b\\* \\_i\\_ \\[l\\]&#8203;(u) \\\\ @&#8203;team "
			    "#&#8203;12 \\~s\\~ \\|t\\| &amp;");
	cg_buf_release(&b);
	/* A code span stays one, its inside as it is; an unclosed backtick or one around a marker is literal. */
	cg_escape_md_inline(&b, "use `Vec<u8>` and ``a`b`` not `x", 32, CG_MD_CODE, NULL);
	assert_string_equal(b.ptr, "use `Vec<u8>` and ``a`b`` not \\`x");
	cg_buf_release(&b);
	cg_escape_md_inline(&b, "`<!-- crabgate:fp=0123456789abcdef -->`", 39, CG_MD_CODE, NULL);
	assert_null(strstr(b.ptr, "<!--"));
	assert_string_equal(b.ptr, "\\`&lt;\\!-- crabgate:fp=0123456789abcdef --&gt;\\`");
	cg_buf_release(&b);
	/* A name's backticks are characters; a table cell escapes `|` inside code too; breaks stay in the line. */
	cg_escape_md_inline(&b, "a`b`|", 5, CG_MD_TABLE_CELL, NULL);
	assert_string_equal(b.ptr, "a\\`b\\`\\|");
	cg_buf_release(&b);
	cg_escape_md_inline(&b, "`a|b`\n`c\td`\r\n", 13, CG_MD_CODE | CG_MD_TABLE_CELL, NULL);
	assert_string_equal(b.ptr, "`a\\|b`<br>`c d`<br>");
	cg_buf_release(&b);
	cg_escape_md_inline(&b, "`a|b`", 5, CG_MD_CODE, NULL);
	assert_string_equal(b.ptr, "`a|b`");
	cg_buf_release(&b);
	/* Links: live only to the forge's origin. */
	cg_escape_md_inline(&b, "[ok](https://github.com/o/r) [no](https://evil.example/) ![i](x)", 64, CG_MD_CODE,
			    "https://github.com");
	assert_string_equal(b.ptr, "[ok](https://github.com/o/r) \\[no\\]&#8203;(https&#8203;://evil.example/) "
				   "\\!\\[i\\]&#8203;(x)");
	cg_buf_release(&b);
}

static void test_path_dir(void **state)
{
	static const char *const cases[][2] = {
		{ "a/b/c.rs", "a/b" }, { "c.rs", "" }, { "a/", "a" }, { "/x", "" }, { "", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = cg_path_dir(cases[i][0]);
		assert_string_equal(d, cases[i][1]);
		free(d);
	}
}

static void test_parse_long(void **state)
{
	long v;
	(void)state;
	assert_int_equal(cg_parse_long(&v, "12", 0, 100), 0);
	assert_int_equal(v, 12);
	assert_int_equal(cg_parse_long(&v, "12x", 0, 100), CG_E_INPUT);
	assert_int_equal(cg_parse_long(&v, "101", 0, 100), CG_E_INPUT);
	assert_int_equal(cg_parse_long(&v, "", 0, 100), CG_E_INPUT);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(cg_edit_distance("chrono-ban", "chrono-ban", 3), 0);
	assert_int_equal(cg_edit_distance("chrono-bna", "chrono-ban", 3), 2);
	assert_int_equal(cg_edit_distance("no-mock", "no-mocks", 3), 1);
	assert_int_equal(cg_edit_distance("", "abc", 3), 3);
	assert_int_equal(cg_edit_distance("kitten", "sitting", 5), 3);
	/* Past max it says only "more than max". */
	assert_int_equal(cg_edit_distance("chrono", "chrono-ban", 2), 3);
	assert_int_equal(cg_edit_distance("abcdef", "uvwxyz", 2), 3);
}

/* Generated code says so in its first KiB; a marker further down, or none, is hand-written. */
static void test_is_generated_text(void **state)
{
	char big[2048];
	(void)state;
	assert_true(cg_is_generated_text("// This file is @generated by prost-build.\npub fn f() {}", 55));
	assert_true(cg_is_generated_text("// Code generated by x. DO NOT EDIT.\n", 37));
	assert_false(cg_is_generated_text("pub fn generated() {}\n", 22));
	assert_false(cg_is_generated_text(NULL, 0));
	memset(big, ' ', sizeof(big));
	memcpy(big + 1500, "@generated", 10);
	assert_false(cg_is_generated_text(big, sizeof(big)));
	memcpy(big + 1000, "@generated", 10);
	assert_true(cg_is_generated_text(big, sizeof(big)));
}

static void test_has_word(void **state)
{
	const char *t = "// asynchronous\nasync fn a_async() { r#async; chrono::Utc }";
	(void)state;
	assert_true(cg_has_word(t, strlen(t), "async", 5));
	assert_true(cg_has_word(t, strlen(t), "chrono", 6));
	assert_false(cg_has_word(t, strlen(t), "Ut", 2));
	/* A word at either end of the text, and inside a longer identifier. */
	assert_true(cg_has_word("fn", 2, "fn", 2));
	assert_false(cg_has_word("fn_x", 4, "fn", 2));
	assert_false(cg_has_word("x_fn", 4, "fn", 2));
	/* A non-ASCII character is part of an identifier (`fné` is one name). */
	assert_false(cg_has_word("fn\xc3\xa9", 4, "fn", 2));
	assert_true(cg_is_ident_byte('_') && cg_is_ident_byte('9') && cg_is_ident_byte((char)0xc3));
	assert_false(cg_is_ident_byte(':') || cg_is_ident_byte(' '));
	/* An empty word is never found; text past len is not read. */
	assert_false(cg_has_word("abc", 3, "", 0));
	assert_false(cg_has_word("ab fn", 3, "fn", 2));
}

static void test_url_same_origin(void **state)
{
	struct cg_url_origin o;
	(void)state;
	/* The rule every token-carrying request follows: exact scheme, host and port. */
	assert_true(cg_url_same_origin("https://api.github.com", "https://API.github.com:443/repos/o/r?page=2"));
	assert_true(cg_url_same_origin("http://127.0.0.1:8080/api/v4", "http://127.0.0.1:8080/x"));
	assert_true(cg_url_same_origin("https://x-access-token:t@github.com/o/r.git", "https://github.com/o/r"));
	assert_true(cg_url_same_origin("http://[::1]:9/a", "http://[::1]:9/b"));
	assert_false(cg_url_same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8081/x"));
	assert_false(cg_url_same_origin("http://127.0.0.1:8080", "http://localhost:8080/x"));
	assert_false(cg_url_same_origin("http://api.github.com", "https://api.github.com/x")); /* an upgrade too */
	assert_false(cg_url_same_origin("https://api.github.com", "http://api.github.com/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "https://api.github.com.evil.invalid/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "https://api.github.com@evil.invalid/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "https://u@api.github.com/x"));
	assert_false(cg_url_same_origin("https://api.github.com", "/relative"));
	assert_false(cg_url_same_origin("https://api.github.com", NULL));

	assert_int_equal(cg_url_origin_parse(&o, "HTTPS://[::1]:8443/x"), 0);
	assert_string_equal(o.scheme, "https");
	assert_string_equal(o.host, "::1"); /* as libgit2 names it */
	assert_string_equal(o.port, "8443");
	cg_url_origin_release(&o);
	assert_int_equal(cg_url_origin_parse(&o, "github.com/o/r"), CG_E_INPUT);
	cg_url_origin_release(&o);
}

/* Wrapping the last message in a new one reads it whole, even though both live in one buffer. */
static void test_error_wraps_the_last_message(void **state)
{
	(void)state;
	cg_error_set(CG_E_NOTFOUND, "%s: cannot read: %s", "/nonexistent/bl", "No such file or directory");
	assert_int_equal(cg_error_set(CG_E_IO, "baseline %s: %s", "/nonexistent/bl", cg_error_last()), CG_E_IO);
	assert_string_equal(cg_error_last(), "baseline /nonexistent/bl: /nonexistent/bl: cannot read: No such file or "
					     "directory");
	assert_int_equal(cg_error_last_code(), CG_E_IO);
	cg_error_set(CG_E_IO, "inner");
	cg_error_set(CG_E_IO, "%s, %s, %s", cg_error_last(), cg_error_last(), "outer");
	assert_string_equal(cg_error_last(), "inner, inner, outer");
	cg_error_clear();
}

/* A temporary folder for the file tests; never a path outside it. */
static void in_tmp(struct cg_buf *dir, struct cg_buf *path, const char *name)
{
	if (!dir->size)
		assert_int_equal(cg_fs_mkdtemp(dir, "crabgate-fs"), 0);
	cg_buf_truncate(path, 0);
	cg_buf_printf(path, "%s/%s", dir->ptr, name);
}

static void assert_file_is(const char *path, const char *want)
{
	struct cg_buf got = CG_BUF_INIT;
	assert_int_equal(cg_fs_read(&got, path, 1 << 20), 0);
	assert_string_equal(got.ptr, want);
	cg_buf_release(&got);
}

/* A regular file is replaced (a new inode), a missing one is created with its folders. */
static void test_write_regular_file_is_replaced(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, p = CG_BUF_INIT;
	struct stat before, after;
	(void)state;
	in_tmp(&dir, &p, "a/b/new.json");
	assert_int_equal(cg_fs_write_atomic(p.ptr, "one\n", 4), 0);
	assert_file_is(p.ptr, "one\n");
	assert_int_equal(stat(p.ptr, &before), 0);
	assert_int_equal(cg_fs_write_atomic(p.ptr, "two\n", 4), 0);
	assert_file_is(p.ptr, "two\n");
	assert_int_equal(stat(p.ptr, &after), 0);
	assert_true(S_ISREG(after.st_mode));
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
	cg_buf_release(&dir);
	cg_buf_release(&p);
}

/* A symbolic link (relative, in a chain, or dangling) stays a link; its target gets the text. */
static void test_write_through_symlinks(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, p = CG_BUF_INIT, target = CG_BUF_INIT, link2 = CG_BUF_INIT;
	struct stat st;
	(void)state;
	in_tmp(&dir, &target, "real.json");
	assert_int_equal(cg_fs_write_atomic(target.ptr, "old\n", 4), 0);
	in_tmp(&dir, &p, "link.json");
	assert_int_equal(symlink("real.json", p.ptr), 0);
	in_tmp(&dir, &link2, "link2.json");
	assert_int_equal(symlink(p.ptr, link2.ptr), 0);
	assert_int_equal(cg_fs_write_atomic(link2.ptr, "new\n", 4), 0);
	assert_int_equal(lstat(link2.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_is(target.ptr, "new\n");

	in_tmp(&dir, &p, "dangling.json");
	in_tmp(&dir, &target, "sub/made.json");
	assert_int_equal(symlink("sub/made.json", p.ptr), 0);
	assert_int_equal(cg_fs_write_atomic(p.ptr, "made\n", 5), 0);
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_is(target.ptr, "made\n");

	in_tmp(&dir, &p, "loop");
	assert_int_equal(symlink("loop", p.ptr), 0);
	assert_int_equal(cg_fs_write_atomic(p.ptr, "x", 1), CG_E_IO);
	assert_non_null(strstr(cg_error_last(), "symbolic links"));
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
	cg_buf_release(&dir);
	cg_buf_release(&p);
	cg_buf_release(&target);
	cg_buf_release(&link2);
}

/* A FIFO is written into, and stays a FIFO. */
static void test_write_into_fifo(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, p = CG_BUF_INIT;
	char got[16] = "";
	struct stat st;
	int rd;
	(void)state;
	in_tmp(&dir, &p, "fifo");
	assert_int_equal(mkfifo(p.ptr, 0600), 0);
	/* A reader first, so the writer's open does not wait; the text fits the pipe. */
	rd = open(p.ptr, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(cg_fs_write_atomic(p.ptr, "report\n", 7), 0);
	assert_int_equal(read(rd, got, sizeof(got) - 1), 7);
	assert_string_equal(got, "report\n");
	close(rd);
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
	cg_buf_release(&dir);
	cg_buf_release(&p);
}

/* A null device node made in the temporary folder (root only) stays a device; so does a link to it. */
static void test_write_into_char_device(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, p = CG_BUF_INIT, link = CG_BUF_INIT;
	struct stat st;
	(void)state;
	in_tmp(&dir, &p, "null");
	if (mknod(p.ptr, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
		cg_buf_release(&dir);
		cg_buf_release(&p);
		skip(); /* not root, or no devices on this file system */
	}
	assert_int_equal(cg_fs_write_atomic(p.ptr, "{}\n", 3), 0);
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 1);
	assert_int_equal(minor(st.st_rdev), 3);
	in_tmp(&dir, &link, "stdout");
	assert_int_equal(symlink(p.ptr, link.ptr), 0);
	assert_int_equal(cg_fs_write_atomic(link.ptr, "{}\n", 3), 0);
	assert_int_equal(lstat(link.ptr, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(p.ptr, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
	cg_buf_release(&dir);
	cg_buf_release(&p);
	cg_buf_release(&link);
}

/*
 * /dev/fd/N (like /dev/stdout) of a descriptor open on a file is written
 * through that descriptor, after what it already wrote: the file is neither
 * replaced nor overwritten from the top.
 */
static void test_write_to_own_descriptor(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, p = CG_BUF_INIT, fdpath = CG_BUF_INIT;
	struct stat before, after;
	int fd;
	(void)state;
	in_tmp(&dir, &p, "stdout.txt");
	fd = open(p.ptr, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "text report\n", 12), 12);
	assert_int_equal(fstat(fd, &before), 0);
	cg_buf_printf(&fdpath, "/dev/fd/%d", fd);
	assert_int_equal(cg_fs_write_atomic(fdpath.ptr, "{\"json\":1}\n", 11), 0);
	assert_int_equal(write(fd, "more\n", 5), 5);
	close(fd);
	assert_int_equal(stat(p.ptr, &after), 0);
	assert_true(before.st_ino == after.st_ino);
	assert_file_is(p.ptr, "text report\n{\"json\":1}\nmore\n");
	assert_int_equal(cg_fs_rmtree(dir.ptr), 0);
	cg_buf_release(&dir);
	cg_buf_release(&p);
	cg_buf_release(&fdpath);
}

/*
 * libgit2's set-up leaves the CA bundle unparsed (mbedTLS builds), and the
 * load parses it for real: mbedTLS's own parser must accept the system's
 * bundle through crabgate's stand-ins.
 */
static void test_git_tls_deferred_until_loaded(void **state)
{
	(void)state;
	assert_true(cg_git_init() >= 1);
	if (!cg_git_tls_deferred()) {
		git_libgit2_shutdown();
		skip(); /* libgit2 on OpenSSL: nothing is parsed at set-up */
	}
	assert_int_equal(cg_git_tls_load(), 0);
	assert_false(cg_git_tls_deferred());
	assert_int_equal(cg_git_tls_load(), 0);
	git_libgit2_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_buf_sink),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_path_dir),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_url_same_origin),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_has_word),
		cmocka_unit_test(test_is_generated_text),
		cmocka_unit_test(test_error_wraps_the_last_message),
		cmocka_unit_test(test_write_regular_file_is_replaced),
		cmocka_unit_test(test_write_through_symlinks),
		cmocka_unit_test(test_write_into_fifo),
		cmocka_unit_test(test_write_into_char_device),
		cmocka_unit_test(test_write_to_own_descriptor),
		cmocka_unit_test(test_utf8_decode),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_terminal),
		cmocka_unit_test(test_escape_json),
		cmocka_unit_test(test_escape_html_comment),
		cmocka_unit_test(test_escape_md_inline),
		cmocka_unit_test(test_git_tls_deferred_until_loaded),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
