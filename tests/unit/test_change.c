/* The change model, from each source, against real repositories. */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change/change.h"
#include "change/snapshot.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"

static int setup(void **state)
{
	struct sandbox *sb = calloc(1, sizeof(*sb));
	sandbox_init(sb, 0);
	*state = sb;
	return 0;
}

static int teardown(void **state)
{
	struct sandbox *sb = *state;
	sandbox_free(sb);
	free(sb);
	return 0;
}

static struct cg_changed_file *find(struct cg_change *c, const char *path)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i].path, path))
			return &c->files[i];
	return NULL;
}

static void test_staged_first_commit(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_changed_file *f;

	sandbox_write(sb, "src/lib.rs", "fn a() {}\nfn b() {}\n");
	sandbox_stage(sb, "src/lib.rs");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 1);
	assert_string_equal(c.base, "");
	f = find(&c, "src/lib.rs");
	assert_non_null(f);
	assert_int_equal(f->status, CG_FILE_ADDED);
	assert_true(cg_changed_file_is_added(f, 1));
	assert_true(cg_changed_file_is_added(f, 2));
	cg_change_release(&c);
}

static void test_staged_reads_index_not_worktree(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	const char *data;
	size_t len;

	sandbox_write(sb, "a.rs", "one\n");
	sandbox_stage(sb, "a.rs");
	sandbox_commit(sb, "first", NULL);
	sandbox_write(sb, "a.rs", "one\nstaged\n");
	sandbox_stage(sb, "a.rs");
	sandbox_write(sb, "a.rs", "one\nstaged\nedited later\n");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 1);
	assert_int_equal(c.files[0].status, CG_FILE_MODIFIED);
	assert_false(cg_changed_file_is_added(&c.files[0], 1));
	assert_true(cg_changed_file_is_added(&c.files[0], 2));
	assert_false(cg_changed_file_is_added(&c.files[0], 3));
	assert_int_equal(cg_change_content(&c, &c.files[0], &data, &len), 0);
	assert_int_equal(len, strlen("one\nstaged\n"));
	assert_memory_equal(data, "one\nstaged\n", len);
	assert_int_not_equal(c.base[0], '\0');
	cg_change_release(&c);
}

static void test_range_and_merge_base(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	char base[GIT_OID_HEXSZ + 1], head[GIT_OID_HEXSZ + 1], spec[100];

	sandbox_write(sb, "a.rs", "1\n2\n3\n");
	sandbox_stage(sb, "a.rs");
	sandbox_commit(sb, "base", base);
	sandbox_write(sb, "a.rs", "1\n2\nthree\n4\n");
	sandbox_stage(sb, "a.rs");
	sandbox_commit(sb, "head", head);

	o.source = CG_SOURCE_RANGE;
	o.base = base;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_string_equal(c.base, base);
	assert_string_equal(c.head, head);
	assert_int_equal(c.nfiles, 1);
	assert_false(cg_changed_file_is_added(&c.files[0], 2));
	assert_true(cg_changed_file_is_added(&c.files[0], 3));
	assert_true(cg_changed_file_is_added(&c.files[0], 4));
	assert_true(cg_changed_file_in_hunks(&c.files[0], 1));
	cg_change_release(&c);

	snprintf(spec, sizeof(spec), "%s..%s", base, head);
	o.base = NULL;
	o.range = spec;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 1);
	cg_change_release(&c);

	snprintf(spec, sizeof(spec), "%s...%s", base, head);
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_string_equal(c.base, base);
	cg_change_release(&c);

	o.range = "no-dots-here";
	assert_int_equal(cg_change_load(&c, sb->repo, &o), CG_E_USAGE);
	o.range = NULL;
	o.base = "does-not-exist";
	assert_int_equal(cg_change_load(&c, sb->repo, &o), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "does-not-exist"));
}

static void test_rename_binary_delete(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_changed_file *f;
	const char *body = "fn main() {\n    println!(\"a fairly long line so that similarity is high\");\n}\n";

	sandbox_write(sb, "old name.rs", body);
	sandbox_write(sb, "gone.rs", "x\n");
	sandbox_stage(sb, "old name.rs");
	sandbox_stage(sb, "gone.rs");
	sandbox_commit(sb, "base", NULL);
	sandbox_remove(sb, "old name.rs");
	sandbox_remove(sb, "gone.rs");
	sandbox_stage(sb, "old name.rs");
	sandbox_stage(sb, "gone.rs");
	sandbox_write(sb, "new name é.rs", body);
	sandbox_stage(sb, "new name é.rs");
	sandbox_write_bytes(sb, "blob.rs", "\0\1\2binary", 9);
	sandbox_stage(sb, "blob.rs");

	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	f = find(&c, "new name é.rs");
	assert_non_null(f);
	assert_int_equal(f->status, CG_FILE_RENAMED);
	assert_string_equal(f->old_path, "old name.rs");
	f = find(&c, "gone.rs");
	assert_non_null(f);
	assert_int_equal(f->status, CG_FILE_DELETED);
	assert_non_null(f->skip_reason);
	f = find(&c, "blob.rs");
	assert_non_null(f);
	{
		const char *d;
		size_t n;
		assert_int_equal(cg_change_content(&c, f, &d, &n), 0);
	}
	assert_true(f->is_binary);
	cg_change_release(&c);
}

/*
 * A range diffs each text file from its two blobs and keeps the new text for
 * the rule pass: the kept text must be the blob, byte for byte, and every
 * other kind of file must come out as it did through git_diff_foreach.
 */
static void test_range_keeps_new_text(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_changed_file *f;
	struct cg_buf big = CG_BUF_INIT;
	char base[GIT_OID_HEXSZ + 1];
	const char *data;
	size_t len;
	const char *body = "fn main() {\n    println!(\"a fairly long line so that similarity is high\");\n}\n"
			   "fn second() {\n    println!(\"another fairly long line, still the same file\");\n}\n";

	for (int i = 0; i < 2000; i++)
		cg_buf_puts(&big, "// generated line of a large file\n");
	sandbox_write(sb, ".gitattributes", "opaque.rs -diff\n");
	sandbox_write(sb, "a.rs", "one\ntwo\n");
	sandbox_write(sb, "moved.rs", body);
	sandbox_write(sb, "opaque.rs", "fn a() {}\n");
	sandbox_write(sb, "big.rs", big.ptr);
	sandbox_stage(sb, ".gitattributes");
	sandbox_stage(sb, "a.rs");
	sandbox_stage(sb, "moved.rs");
	sandbox_stage(sb, "opaque.rs");
	sandbox_stage(sb, "big.rs");
	sandbox_commit(sb, "base", base);
	sandbox_write(sb, "a.rs", "one\n2\ntwo\nthree");
	sandbox_stage(sb, "a.rs");
	sandbox_remove(sb, "moved.rs");
	sandbox_stage(sb, "moved.rs");
	{
		struct cg_buf t = CG_BUF_INIT;
		cg_buf_printf(&t, "// header\n%s", body);
		sandbox_write(sb, "dir/renamed.rs", t.ptr);
		cg_buf_release(&t);
	}
	sandbox_stage(sb, "dir/renamed.rs");
	sandbox_write(sb, "opaque.rs", "fn a() {}\nfn b() {}\n");
	sandbox_stage(sb, "opaque.rs");
	cg_buf_puts(&big, "// one more\n");
	sandbox_write(sb, "big.rs", big.ptr);
	sandbox_stage(sb, "big.rs");
	sandbox_commit(sb, "head", NULL);

	o.source = CG_SOURCE_RANGE;
	o.base = base;
	o.max_file_bytes = 4096;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 4);

	f = find(&c, "a.rs");
	assert_non_null(f);
	assert_true(f->is_loaded);
	assert_int_equal(f->lines_added, 2);
	assert_int_equal(f->lines_removed, 0);
	assert_false(cg_changed_file_is_added(f, 1));
	assert_true(cg_changed_file_is_added(f, 2));
	assert_false(cg_changed_file_is_added(f, 3));
	assert_true(cg_changed_file_is_added(f, 4));
	assert_int_equal(cg_change_content(&c, f, &data, &len), 0);
	assert_int_equal(len, strlen("one\n2\ntwo\nthree"));
	assert_memory_equal(data, "one\n2\ntwo\nthree", len);

	f = find(&c, "dir/renamed.rs");
	assert_non_null(f);
	assert_int_equal(f->status, CG_FILE_RENAMED);
	assert_string_equal(f->old_path, "moved.rs");
	assert_true(cg_changed_file_is_added(f, 1));
	assert_false(cg_changed_file_is_added(f, 2));
	assert_int_equal(cg_change_content(&c, f, &data, &len), 0);
	assert_non_null(strstr(data, "fn second()"));

	/* -diff: binary by attribute, neither lines nor text. */
	f = find(&c, "opaque.rs");
	assert_non_null(f);
	assert_true(f->is_binary);
	assert_string_equal(f->skip_reason, "binary file");
	assert_int_equal(f->nadded, 0);
	assert_false(f->is_loaded);

	/* Over max_file_bytes: skipped unread. */
	f = find(&c, "big.rs");
	assert_non_null(f);
	assert_string_equal(f->skip_reason, CG_SKIP_TOO_LARGE);
	assert_int_equal(f->nadded, 0);
	assert_false(f->is_loaded);
	cg_change_release(&c);
	cg_buf_release(&big);
}

static void write_index(struct sandbox *sb)
{
	git_index *index;
	assert_int_equal(git_repository_index(&index, sb->repo), 0);
	assert_int_equal(git_index_write(index), 0);
	git_index_free(index);
}

static void assert_staged_layout(struct cg_change *c)
{
	static const struct {
		const char *path;
		enum cg_file_status status;
	} want[] = {
		{ "a/b/c/deep.rs", CG_FILE_MODIFIED },
		{ "d/e/gone.rs", CG_FILE_DELETED },
		{ "f", CG_FILE_ADDED },
		{ "f/was_dir.rs", CG_FILE_DELETED },
		{ "n/m/new.rs", CG_FILE_ADDED },
		{ "top.rs", CG_FILE_DELETED },
		{ "top.rs/inner.rs", CG_FILE_ADDED },
	};
	assert_int_equal(c->nfiles, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct cg_changed_file *f = find(c, want[i].path);
		assert_non_null(f);
		assert_int_equal(f->status, want[i].status);
	}
	assert_true(cg_changed_file_is_added(find(c, "a/b/c/deep.rs"), 2));
	assert_false(cg_changed_file_is_added(find(c, "a/b/c/deep.rs"), 1));
}

/*
 * Staged changes are found through the index's cache-tree (the folders git
 * recorded as unchanged are not read): folders added, removed, turned into
 * files and back, deep edits, and a cache-tree that is valid but for another
 * commit than HEAD all give what a full diff gives.
 */
static void test_staged_through_cache_tree(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	git_object *base_commit;
	char base[GIT_OID_HEXSZ + 1];

	sandbox_write(sb, "a/b/c/deep.rs", "fn deep() {}\n");
	sandbox_write(sb, "a/b/other.rs", "fn other() {}\n");
	sandbox_write(sb, "d/e/gone.rs", "fn gone() { let _ = 1; }\n");
	sandbox_write(sb, "f/was_dir.rs", "fn was_dir() { let _ = 2; }\n");
	sandbox_write(sb, "top.rs", "fn top() { let _ = 3; }\n");
	sandbox_write(sb, "x/keep.rs", "fn keep() {}\n");
	sandbox_write(sb, "a-b.rs", "fn sorts_before_a_slash() {}\n");
	sandbox_stage(sb, "a/b/c/deep.rs");
	sandbox_stage(sb, "a/b/other.rs");
	sandbox_stage(sb, "d/e/gone.rs");
	sandbox_stage(sb, "f/was_dir.rs");
	sandbox_stage(sb, "top.rs");
	sandbox_stage(sb, "x/keep.rs");
	sandbox_stage(sb, "a-b.rs");
	sandbox_commit(sb, "base", base);
	write_index(sb); /* now with a cache-tree valid everywhere */

	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 0);
	cg_change_release(&c);

	sandbox_write(sb, "a/b/c/deep.rs", "fn deep() {}\nfn deeper() {}\n");
	sandbox_stage(sb, "a/b/c/deep.rs");
	sandbox_remove(sb, "d/e/gone.rs");
	sandbox_stage(sb, "d/e/gone.rs");
	sandbox_write(sb, "n/m/new.rs", "fn brand_new() { let _ = 4; }\n");
	sandbox_stage(sb, "n/m/new.rs");
	sandbox_remove(sb, "f/was_dir.rs");
	sandbox_stage(sb, "f/was_dir.rs");
	sandbox_remove(sb, "f"); /* the folder, empty now */
	sandbox_write(sb, "f", "a file where a folder was\n");
	sandbox_stage(sb, "f");
	sandbox_remove(sb, "top.rs");
	sandbox_stage(sb, "top.rs");
	sandbox_write(sb, "top.rs/inner.rs", "fn inner() { let _ = 5; }\n");
	sandbox_stage(sb, "top.rs/inner.rs");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_staged_layout(&c);
	cg_change_release(&c);

	/* Commit, then move HEAD back: the cache-tree is valid, but for the other commit. */
	sandbox_commit(sb, "head", NULL);
	write_index(sb);
	assert_int_equal(git_revparse_single(&base_commit, sb->repo, base), 0);
	assert_int_equal(git_reset(sb->repo, base_commit, GIT_RESET_SOFT, NULL), 0);
	git_object_free(base_commit);
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_staged_layout(&c);
	cg_change_release(&c);
}

/* A new file of megabytes is taken whole without a patch (change.c, collect_new_file): same answers. */
static void test_big_new_file(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct cg_changed_file *f;
	struct cg_buf big = CG_BUF_INIT, bin = CG_BUF_INIT;
	const char *data;
	size_t len;
	uint32_t lines = 0;

	while (big.size < 5u * 1024 * 1024) {
		cg_buf_printf(&big, "pub const K%u: u32 = %u;\n", lines, lines);
		lines++;
	}
	cg_buf_puts(&big, "// no newline at the end");
	lines++;
	cg_buf_put(&bin, big.ptr, big.size);
	bin.ptr[100] = '\0';
	sandbox_write(sb, ".gitattributes", "opaque.rs -diff\n");
	sandbox_write(sb, "gen.rs", big.ptr);
	sandbox_write(sb, "opaque.rs", big.ptr);
	sandbox_write_bytes(sb, "nul.rs", bin.ptr, bin.size);
	sandbox_stage(sb, ".gitattributes");
	sandbox_stage(sb, "gen.rs");
	sandbox_stage(sb, "opaque.rs");
	sandbox_stage(sb, "nul.rs");
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);

	f = find(&c, "gen.rs");
	assert_non_null(f);
	assert_int_equal(f->status, CG_FILE_ADDED);
	assert_null(f->skip_reason);
	assert_int_equal(f->lines_added, lines);
	assert_true(cg_changed_file_is_added(f, 1));
	assert_true(cg_changed_file_is_added(f, lines));
	assert_int_equal(cg_change_content(&c, f, &data, &len), 0);
	assert_int_equal(len, big.size);
	assert_memory_equal(data, big.ptr, len);
	f = find(&c, "opaque.rs");
	assert_non_null(f);
	assert_true(f->is_binary);
	f = find(&c, "nul.rs");
	assert_non_null(f);
	assert_true(f->is_binary);
	cg_change_release(&c);
	cg_buf_release(&big);
	cg_buf_release(&bin);
}

static void test_all(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;

	sandbox_write(sb, "a.rs", "a\n");
	sandbox_write(sb, "b/Cargo.toml", "[package]\n");
	sandbox_stage(sb, "a.rs");
	sandbox_stage(sb, "b/Cargo.toml");
	sandbox_commit(sb, "c", NULL);
	o.source = CG_SOURCE_ALL;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 2);
	assert_true(cg_changed_file_is_added(&c.files[0], 1));
	assert_true(cg_change_exists(&c, "b/Cargo.toml"));
	assert_false(cg_change_exists(&c, "b/missing.toml"));
	cg_change_release(&c);
}

struct reader {
	const struct cg_change *change;
	int nbad;
};

/* Reads every file of the change back, checking its text (f%d.rs holds "fn f%d() {}\n" repeated). */
static void *read_all(void *arg)
{
	struct reader *r = arg;
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < r->change->nfiles; i++) {
			struct cg_buf got = CG_BUF_INIT, want = CG_BUF_INIT;
			int n = atoi(r->change->files[i].path + 1);
			for (int k = 0; k < 50; k++)
				cg_buf_printf(&want, "fn f%d() {}\n", n);
			if (cg_change_read(r->change, r->change->files[i].path, &got) != 0 || got.size != want.size ||
			    memcmp(got.ptr, want.ptr, got.size))
				r->nbad++;
			cg_buf_release(&got);
			cg_buf_release(&want);
		}
	}
	return NULL;
}

/*
 * Threads read blobs at once, each through an object database of its own;
 * with GIT_OBJECT_DIRECTORY set (git sets it in some hooks) the reads go
 * through the repository's own database, which reads from there.
 */
static void test_blob_reads(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	struct reader r[2];
	pthread_t t[2];
	struct cg_buf objects = CG_BUF_INIT, got = CG_BUF_INIT;

	for (int i = 0; i < 16; i++) {
		struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT;
		cg_buf_printf(&path, "f%d.rs", i);
		for (int k = 0; k < 50; k++)
			cg_buf_printf(&text, "fn f%d() {}\n", i);
		sandbox_write(sb, path.ptr, text.ptr);
		sandbox_stage(sb, path.ptr);
		cg_buf_release(&path);
		cg_buf_release(&text);
	}
	sandbox_commit(sb, "c", NULL);
	o.source = CG_SOURCE_ALL;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(c.nfiles, 16);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct reader){ &c, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, read_all, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].nbad, 0);
	}
	cg_buf_printf(&objects, "%s/.git/objects", sb->dir);
	setenv("GIT_OBJECT_DIRECTORY", objects.ptr, 1);
	assert_int_equal(cg_change_read(&c, "f3.rs", &got), 0);
	unsetenv("GIT_OBJECT_DIRECTORY");
	assert_int_equal(got.size, 50 * strlen("fn f3() {}\n"));
	assert_int_equal(cg_change_read(&c, "missing.rs", &got), CG_E_NOTFOUND);
	cg_error_clear();
	cg_buf_release(&got);
	cg_buf_release(&objects);
	cg_change_release(&c);
}

static void test_diff_text(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	const char *data;
	size_t len;
	static const char diff[] = "diff --git a/src/x.rs b/src/x.rs\n"
				   "index 1111111..2222222 100644\n"
				   "--- a/src/x.rs\n"
				   "+++ b/src/x.rs\n"
				   "@@ -1,2 +1,3 @@\n"
				   " fn a() {}\n"
				   "+use chrono::Utc;\n"
				   " fn b() {}\n"
				   "@@ -10,1 +11,2 @@\n"
				   " x\n"
				   "+y\n"
				   "diff --git a/with space.rs b/with space.rs\n"
				   "new file mode 100644\n"
				   "--- /dev/null\n"
				   "+++ b/with space.rs\n"
				   "@@ -0,0 +1 @@\n"
				   "+fn new() {}\n"
				   "\\ No newline at end of file\n"
				   "--- plain.rs\t2024-01-01 00:00:00\n"
				   "+++ plain.rs\t2024-01-02 00:00:00\n"
				   "@@ -3 +3 @@\n"
				   "-old\n"
				   "+new\n"
				   "diff --git a/img.rs b/img.rs\n"
				   "Binary files a/img.rs and b/img.rs differ\n";

	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, diff, sizeof(diff) - 1), 0);
	assert_int_equal(c.nfiles, 4);
	assert_string_equal(c.files[0].path, "src/x.rs");
	assert_true(cg_changed_file_is_added(&c.files[0], 2));
	assert_false(cg_changed_file_is_added(&c.files[0], 1));
	assert_true(cg_changed_file_is_added(&c.files[0], 12));
	assert_int_equal(cg_change_content(&c, &c.files[0], &data, &len), 0);
	assert_true(c.files[0].is_partial);
	assert_non_null(strstr(data, "use chrono::Utc;\n"));
	assert_string_equal(c.files[1].path, "with space.rs");
	assert_int_equal(c.files[1].status, CG_FILE_ADDED);
	assert_string_equal(c.files[2].path, "plain.rs");
	assert_true(cg_changed_file_is_added(&c.files[2], 3));
	assert_true(c.files[3].is_binary);
	cg_change_release(&c);
}

/* A diff's hunks map new lines to old ones: removed lines shift the context below them. */
static void test_diff_line_mapping(void **state)
{
	struct cg_change c;
	struct cg_line_pos at;
	static const char diff[] = "--- a/m.rs\n"
				   "+++ b/m.rs\n"
				   "@@ -10,6 +10,5 @@\n"
				   " ten\n"
				   "-eleven\n"
				   "-twelve\n"
				   "+twelve!\n"
				   " thirteen\n"
				   "+new\n"
				   " fourteen\n"
				   "-fifteen\n";
	(void)state;

	assert_int_equal(cg_change_from_diff_text(&c, NULL, diff, sizeof(diff) - 1), 0);
	assert_int_equal(c.files[0].nhunks, 1);
	assert_int_equal(c.files[0].hunks[0].old_start, 10);
	assert_int_equal(c.files[0].hunks[0].old_count, 6);
	assert_true(cg_changed_file_locate(&c.files[0], 10, &at));
	assert_false(at.is_added);
	assert_int_equal(at.old_line, 10);
	assert_true(cg_changed_file_locate(&c.files[0], 11, &at));
	assert_true(at.is_added);
	assert_true(cg_changed_file_locate(&c.files[0], 12, &at)); /* thirteen, after two removed lines */
	assert_int_equal(at.old_line, 13);
	assert_true(cg_changed_file_locate(&c.files[0], 14, &at)); /* fourteen */
	assert_false(at.is_added);
	assert_int_equal(at.old_line, 14);
	assert_false(cg_changed_file_locate(&c.files[0], 15, &at));
	assert_false(cg_changed_file_locate(&c.files[0], 9, &at));
	cg_change_release(&c);
}

static void test_diff_errors(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	static const char bad_header[] = "--- a/x.rs\n+++ b/x.rs\n@@ -1,x +1 @@\n";
	static const char short_hunk[] = "--- a/x.rs\n+++ b/x.rs\n@@ -1,2 +1,2 @@\n a\n";
	static const char huge[] = "--- a/x.rs\n+++ b/x.rs\n@@ -1 +4000000000 @@\n+x\n";

	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, bad_header, sizeof(bad_header) - 1), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "diff:3"));
	cg_change_release(&c);
	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, short_hunk, sizeof(short_hunk) - 1), CG_E_INPUT);
	cg_change_release(&c);
	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, huge, sizeof(huge) - 1), CG_E_INPUT);
	cg_change_release(&c);
}

/* Found by fuzz_diff: header tests ran past the end of an unterminated input. */
static void test_diff_unterminated_input(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	static const char text[] = "diff --git a/s b/s\nindex 1..2 1600";
	char *exact = malloc(sizeof(text) - 1);
	memcpy(exact, text, sizeof(text) - 1);
	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, exact, sizeof(text) - 1), 0);
	assert_int_equal(c.nfiles, 1);
	assert_false(c.files[0].is_submodule);
	cg_change_release(&c);
	free(exact);
}

/*
 * A work tree's diff: the new text is the old blob with the hunks applied,
 * wherever the old blob comes from, and lines between hunks are the old
 * file's, not HEAD's text at the new line numbers.
 */
static void test_diff_applies_to_old_blob(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_buf old = CG_BUF_INIT;
	const char *data;
	size_t len;
	static const char diff[] = "diff --git a/a.rs b/a.rs\n"
				   "index da9dfd0..0000001 100644\n" /* abbreviated, as git writes it */
				   "--- a/a.rs\n"
				   "+++ b/a.rs\n"
				   "@@ -1,2 +1,3 @@\n"
				   "+// new first line\n"
				   " one\n"
				   " two\n"
				   "@@ -5 +6,2 @@\n"
				   "-five\n"
				   "\\ No newline at end of file\n"
				   "+five\n"
				   "+six\n"
				   "\\ No newline at end of file\n"
				   "diff --git a/old.rs b/moved.rs\n"
				   "similarity index 100%\n"
				   "rename from old.rs\n"
				   "rename to moved.rs\n"
				   "diff --git a/old.rs b/copied.rs\n"
				   "similarity index 100%\n"
				   "copy from old.rs\n"
				   "copy to copied.rs\n"
				   "diff --git a/gone.rs b/gone.rs\n"
				   "deleted file mode 100644\n"
				   "index 1111111..0000000\n"
				   "--- a/gone.rs\n"
				   "+++ /dev/null\n"
				   "@@ -1 +0,0 @@\n"
				   "-x\n";

	sandbox_write(sb, "a.rs", "one\ntwo\nthree\nfour\nfive");
	sandbox_write(sb, "old.rs", "kept\n");
	sandbox_write(sb, "gone.rs", "x\n");
	sandbox_stage(sb, "a.rs");
	sandbox_stage(sb, "old.rs");
	sandbox_stage(sb, "gone.rs");
	sandbox_commit(sb, "base", NULL);

	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, diff, sizeof(diff) - 1), 0);
	assert_int_equal(c.nfiles, 4);
	assert_int_equal(cg_change_content(&c, &c.files[0], &data, &len), 0);
	assert_false(c.files[0].is_partial);
	assert_int_equal(len, strlen("// new first line\none\ntwo\nthree\nfour\nfive\nsix"));
	assert_memory_equal(data, "// new first line\none\ntwo\nthree\nfour\nfive\nsix", len);
	assert_true(cg_changed_file_is_added(&c.files[0], 1));
	assert_false(cg_changed_file_is_added(&c.files[0], 2));
	assert_true(cg_changed_file_is_added(&c.files[0], 7));
	/* The rules compare with the old version (missing-bench). */
	assert_int_equal(cg_change_read_old(&c, &c.files[0], &old), 0);
	assert_memory_equal(old.ptr, "one\ntwo\nthree\nfour\nfive", old.size);
	/* A rename without hunks keeps the old text; the old path is gone from the new side. */
	assert_int_equal(c.files[1].status, CG_FILE_RENAMED);
	assert_int_equal(cg_change_content(&c, &c.files[1], &data, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "kept\n", 5);
	assert_true(cg_change_exists(&c, "moved.rs"));
	assert_false(cg_change_exists(&c, "old.rs"));
	assert_false(cg_change_exists(&c, "gone.rs"));
	/* A copy leaves its source in place. */
	assert_int_equal(c.files[2].status, CG_FILE_COPIED);
	assert_true(cg_change_exists(&c, "copied.rs"));
	cg_buf_release(&old);
	cg_change_release(&c);
}

static void test_diff_hunk_does_not_apply(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	static const char diff[] = "--- a/a.rs\n+++ b/a.rs\n@@ -1,2 +1,3 @@\n one\n+new\n TWO\n";

	sandbox_write(sb, "a.rs", "one\ntwo\n");
	sandbox_stage(sb, "a.rs");
	sandbox_commit(sb, "base", NULL);
	assert_int_equal(cg_change_from_diff_text(&c, sb->repo, diff, sizeof(diff) - 1), CG_E_INPUT);
	assert_non_null(strstr(cg_error_last(), "diff: a.rs: hunk 1 (diff line 3"));
	assert_non_null(strstr(cg_error_last(), "old line 2 is `two`, the diff has `TWO`"));
	cg_change_release(&c);
}

static void test_list_under_prefix(void **state)
{
	struct sandbox *sb = *state;
	struct cg_change c;
	struct cg_change_opts o = CG_CHANGE_OPTS_INIT;
	char base[GIT_OID_HEXSZ + 1];
	int count = 0;
	int cb(const char *path, void *payload);

	sandbox_write(sb, "crate/benches/a.rs", "a\n");
	sandbox_write(sb, "crate/benches/sub/b.rs", "b\n");
	sandbox_write(sb, "crate/src/lib.rs", "c\n");
	sandbox_write(sb, "other/benches/c.rs", "c\n");
	sandbox_stage(sb, "crate/benches/a.rs");
	sandbox_stage(sb, "crate/benches/sub/b.rs");
	sandbox_stage(sb, "crate/src/lib.rs");
	sandbox_stage(sb, "other/benches/c.rs");
	sandbox_commit(sb, "one", base);
	sandbox_write(sb, "crate/src/lib.rs", "d\n");
	sandbox_stage(sb, "crate/src/lib.rs");
	sandbox_commit(sb, "two", NULL);

	/* Staged: the index. */
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(cg_change_list(&c, "crate/benches/", cb, &count), 0);
	assert_int_equal(count, 2);
	cg_change_release(&c);
	/* A range: the head tree. */
	count = 0;
	o.source = CG_SOURCE_RANGE;
	o.base = base;
	assert_int_equal(cg_change_load(&c, sb->repo, &o), 0);
	assert_int_equal(cg_change_list(&c, "crate/benches/", cb, &count), 0);
	assert_int_equal(count, 2);
	count = 0;
	assert_int_equal(cg_change_list(&c, "", cb, &count), 0);
	assert_int_equal(count, 4);
	cg_change_release(&c);
}

int cb(const char *path, void *payload)
{
	(void)path;
	(*(int *)payload)++;
	return 0;
}

/* The mapped index (index_file.c) holds what libgit2's loader reads, whatever version libgit2 wrote. */
static void test_index_file_matches_libgit2(void **state)
{
	struct sandbox *sb = *state;
	const char *const files[] = { "a.rs", "dir-x.rs", "dir/b.rs", "dir/sub/c.rs", "z/long/path/to/d.rs" };
	git_reference *head_ref;
	git_commit *commit;
	git_tree *head;

	for (size_t i = 0; i < 5; i++) {
		sandbox_write(sb, files[i], files[i]);
		sandbox_stage(sb, files[i]);
	}
	sandbox_commit(sb, "base", NULL);
	write_index(sb); /* with the cache-tree the commit computed */
	assert_int_equal(git_repository_head(&head_ref, sb->repo), 0);
	assert_int_equal(git_reference_peel((git_object **)&commit, head_ref, GIT_OBJECT_COMMIT), 0);
	assert_int_equal(git_commit_tree(&head, commit), 0);

	for (unsigned version = 2; version <= 4; version++) {
		struct cg_index_file *f = NULL;
		struct cg_pathlist paths;
		git_index *index;

		assert_int_equal(git_repository_index(&index, sb->repo), 0);
		assert_int_equal(git_index_read(index, 1), 0);
		assert_int_equal(git_index_set_version(index, version), 0);
		assert_int_equal(git_index_write(index), 0);
		assert_int_equal(cg_index_file_open(&f, sb->repo), 0);
		assert_int_equal(f->n, git_index_entrycount(index));
		for (size_t i = 0; i < f->n; i++) {
			const git_index_entry *e = git_index_get_byindex(index, i);
			assert_string_equal(f->entries[i].path, e->path);
			assert_true(git_oid_equal(&f->entries[i].id, &e->id));
			assert_int_equal(f->entries[i].mode, e->mode);
			assert_int_equal(f->entries[i].file_size, e->file_size);
			assert_int_equal(f->entries[i].stage, (unsigned)git_index_entry_stage(e));
		}
		assert_string_equal(f->entries[cg_index_file_find_prefix(f, "dir/")].path, "dir/b.rs");
		assert_int_equal(cg_index_file_find_prefix(f, "zz"), f->n);
		assert_non_null(cg_index_file_get(f, "dir/sub/c.rs"));
		assert_null(cg_index_file_get(f, "dir"));
		/* The commit wrote the cache-tree: nothing is staged. */
		assert_int_equal(cg_index_changed_paths(&paths, sb->repo, f, head), 0);
		assert_int_equal(paths.len, 0);
		cg_pathlist_release(&paths);
		cg_index_file_free(f);
		git_index_free(index);
	}

	/* A staged edit: its folders lose their cache-tree ids, and the path is a candidate. */
	{
		struct cg_index_file *f = NULL;
		struct cg_pathlist paths;
		bool found = false;
		sandbox_write(sb, "dir/sub/c.rs", "changed");
		sandbox_stage(sb, "dir/sub/c.rs");
		assert_int_equal(cg_index_file_open(&f, sb->repo), 0);
		assert_int_equal(cg_index_changed_paths(&paths, sb->repo, f, head), 0);
		for (size_t i = 0; i < paths.len; i++)
			found |= !strcmp(paths.items[i], "dir/sub/c.rs");
		assert_true(found);
		cg_pathlist_release(&paths);
		cg_index_file_free(f);
	}

	/* Anything this reader does not know is left to libgit2: a case-insensitive repository, a cut file. */
	{
		struct cg_index_file *f = NULL;
		struct cg_buf path = CG_BUF_INIT, raw = CG_BUF_INIT;
		git_config *cfg;
		assert_int_equal(git_repository_config(&cfg, sb->repo), 0);
		assert_int_equal(git_config_set_bool(cfg, "core.ignorecase", 1), 0);
		assert_int_equal(cg_index_file_open(&f, sb->repo), CG_E_NOTFOUND);
		assert_null(f);
		assert_int_equal(git_config_set_bool(cfg, "core.ignorecase", 0), 0);
		git_config_free(cfg);
		cg_buf_printf(&path, "%sindex", git_repository_path(sb->repo));
		assert_int_equal(cg_fs_read(&raw, path.ptr, 1 << 20), 0);
		for (size_t cut = 0; cut + 20 < raw.size; cut += 13) {
			assert_int_equal(cg_fs_write_atomic(path.ptr, raw.ptr, cut), 0);
			assert_int_equal(cg_index_file_open(&f, sb->repo), CG_E_NOTFOUND);
		}
		cg_buf_release(&path);
		cg_buf_release(&raw);
	}
	git_tree_free(head);
	git_commit_free(commit);
	git_reference_free(head_ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_staged_first_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_reads_index_not_worktree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_and_merge_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_binary_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_keeps_new_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_through_cache_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blob_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_line_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_unterminated_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_under_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_applies_to_old_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_hunk_does_not_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_file_matches_libgit2, setup, teardown),
	};
	return cmocka_run_group_tests_name("change", tests, NULL, NULL);
}
