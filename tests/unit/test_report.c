/*
 * Reports: every format over one shared set of findings with awkward text
 * (quotes, backslashes, newlines, %, :, commas, non-ASCII, invalid UTF-8, a
 * 5 KB line, tabs, terminal escapes), compared with golden files, plus the
 * properties a golden cannot show: valid JSON and UTF-8 for any input, no
 * raw control byte on a terminal, GitHub escapes that parse back, the SARIF
 * and annotation caps.
 *
 * Goldens live in tests/unit/golden/. After a deliberate change to a format,
 * rewrite them with CRABGATE_UPDATE_GOLDEN=1 and review the diff.
 */
#include "helpers.h"

#include <cjson/cJSON.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "finding/finding.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/str.h"
#include "util/utf8.h"

/* A message a model or a pull request could produce: every escaping rule at once. */
#define NASTY_MESSAGE                                                                                                  \
	"say \"hi\" to C:\\dir, 100% sure: a,b\nsecond line \xc3\xa9\xe2\x9c\x93 \xff\xfe bad bytes "                  \
	"\x1b[31mred\x1b[0m \xc2\x9b"                                                                                  \
	"2J | <script>x</script> @octocat #12 *bold* [link](javascript:x) `tick`"
#define NASTY_HELP "first\r\nsecond\tafter a tab; ::set-output name=x::y %0A"

/* The registry as the caller hands it in: one rule with examples, one without a long text, one that never fires. */
static const struct cg_report_rule fixture_rules[] = {
	{ "chrono-ban", "bans the chrono crate in favour of jiff",
	  "chrono is banned: the team uses jiff.\nIt is flagged wherever it enters.\n\nBad:\n\n    use chrono::Utc;\n\n"
	  "    let now = Utc::now();\n\nGood:\n\n    let now = jiff::Timestamp::now();\n",
	  CG_SEV_ERROR },
	{ "allow-without-reason", "a crabgate:allow needs a reason", NULL, CG_SEV_NOTE },
	{ "never-fires", "a rule of this build that found nothing", "Described all the same.", CG_SEV_WARNING },
};

struct fixture {
	struct cg_findings findings;
	struct cg_report_skipped skipped[2];
	const char *notes[2];
	struct cg_report_input in;
	char *long_line;
};

static void add(struct cg_findings *fs, const char *rule, enum cg_severity sev, const char *path, uint32_t line,
		uint32_t col, uint32_t end_line, uint32_t end_col, const char *msg, const char *help, const char *src)
{
	struct cg_finding *f = cg_findings_add(fs);
	f->rule = cg_strdup(rule);
	f->severity = sev;
	f->path = cg_strdup(path);
	f->line = line;
	f->column = col;
	f->end_line = end_line;
	f->end_column = end_col;
	f->message = cg_strdup(msg);
	f->help = cg_strdup(help);
	f->source_line = cg_strdup(src);
	cg_fingerprint(f->fingerprint, rule, path, src ? src : "", src ? strlen(src) : 0, 0);
}

static int setup(void **state)
{
	struct fixture *fx = cg_calloc(1, sizeof(*fx));
	struct cg_findings *fs = &fx->findings;
	struct cg_buf big = CG_BUF_INIT;
	struct cg_finding *f;
	uint32_t span;

	/* A 5 KB line with the span in its middle. */
	cg_buf_puts(&big, "    let table = [");
	while (big.size < 2600)
		cg_buf_puts(&big, "0x00, ");
	cg_buf_puts(&big, "chrono::Utc::now(), ");
	while (big.size < 5200)
		cg_buf_puts(&big, "0x01, ");
	cg_buf_puts(&big, "];");
	fx->long_line = cg_buf_detach(&big, NULL);
	span = (uint32_t)(strstr(fx->long_line, "chrono") - fx->long_line) + 1;

	add(fs, "chrono-ban", CG_SEV_ERROR, "Cargo.toml", 8, 1, 8, 15,
	    "chrono is banned: added to [dependencies]; use jiff instead",
	    "the team's standard is jiff for all time handling; see `crabgate explain chrono-ban`", "chrono = \"0.4\"");
	add(fs, "chrono-ban", CG_SEV_ERROR, "src/lib.rs", 3, 5, 3, 16,
	    "chrono is banned: imported here; use jiff instead", "`Utc::now()` -> `jiff::Timestamp::now()`",
	    "use chrono::Utc;");
	/* Tabs and a multi-byte character before the span; the span runs onto the next line. */
	add(fs, "chrono-ban", CG_SEV_ERROR, "src/lib.rs", 10, 12, 12, 3,
	    "chrono is banned: used by path; use jiff instead", NULL,
	    "\t\"caf\xc3\xa9\" + chrono::Utc::now()\t// \xe6\x97\xa5\xe6\x9c\xac");
	/* Terminal escapes and a C1 CSI in the source line itself. */
	add(fs, "chrono-ban", CG_SEV_ERROR, "src/lib.rs", 20, 26, 20, 32,
	    "chrono is banned: used by path; use jiff instead", NULL,
	    "\x1b]0;pwned\x07 \xc2\x9b"
	    "31m let c = chrono::x; \xe2\x80\xae reversed");
	add(fs, "review/naming", CG_SEV_WARNING, "src/we ird,dir:1/\xc3\xa4\xff.rs", 12, 9, 12, 14, NASTY_MESSAGE,
	    NASTY_HELP, "let \xc3\xa4\xc3\xb6\xc3\xbc = 1;");
	fs->items[fs->len - 1].origin = CG_ORIGIN_REVIEW;
	add(fs, "allow-without-reason", CG_SEV_NOTE, "src/big.rs", 7, span, 7, span + 18,
	    "crabgate:allow(chrono-ban) without a reason does not suppress the finding",
	    "say why after the parenthesis: // crabgate:allow(rule-id) reason", fx->long_line);
	/* A file-level finding: no column, no source line. */
	add(fs, "chrono-ban", CG_SEV_ERROR, "Cargo.lock", 40, 0, 40, 0, "chrono enters Cargo.lock, pulled in by sqlx",
	    NULL, NULL);
	f = cg_findings_add(fs);
	*f = fs->items[1];
	f->rule = cg_strdup("chrono-ban");
	f->path = cg_strdup("src/old.rs");
	f->message = cg_strdup("chrono is banned: imported here; use jiff instead");
	f->help = NULL;
	f->source_line = cg_strdup("use chrono::Utc; // crabgate:allow(chrono-ban) the v1 \"wire\" format");
	f->is_suppressed = true;
	f->suppression_reason = cg_strdup("the v1 \"wire\" format, 100%\\done");
	add(fs, "chrono-ban", CG_SEV_WARNING, "src/legacy.rs", 2, 1, 2, 5, "listed in the baseline", NULL,
	    "use chrono;");
	fs->items[fs->len - 1].is_baselined = true;
	cg_findings_sort(fs);

	fx->skipped[0] = (struct cg_report_skipped){ "assets/logo.png", "binary file" };
	fx->skipped[1] = (struct cg_report_skipped){ "src/gen\x1b[2J|.rs", "larger than the 1 MiB limit" };
	fx->notes[0] = "review skipped: no API key (set CRABGATE_API_KEY)";
	fx->notes[1] = "2 model comments dropped: not on a changed line\n@octocat <b>";

	fx->in.tool_version = "0.0.0-test";
	fx->in.source = "range";
	fx->in.base = "1111111111111111111111111111111111111111";
	fx->in.head = "2222222222222222222222222222222222222222";
	fx->in.files = 5;
	fx->in.findings = fs;
	fx->in.rules = fixture_rules;
	fx->in.nrules = sizeof(fixture_rules) / sizeof(fixture_rules[0]);
	fx->in.skipped = fx->skipped;
	fx->in.nskipped = 2;
	fx->in.notes = fx->notes;
	fx->in.nnotes = 2;
	fx->in.link_base = "https://github.com/acme/widgets/blob/2222222222222222222222222222222222222222/";
	fx->in.review_summary = "Looks fine overall.\nAsk @octocat | see <https://x> \x1b[2J";
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	cg_findings_release(&fx->findings);
	free(fx->long_line);
	free(fx);
	return 0;
}

static void render(struct cg_buf *out, const char *format, const struct cg_report_input *in)
{
	const struct cg_reporter *r = cg_reporter_find(format);
	assert_non_null(r);
	cg_buf_release(out);
	assert_int_equal(r->write(out, in), 0);
}

/* Compares with tests/unit/golden/NAME, or rewrites it when CRABGATE_UPDATE_GOLDEN is set. */
static void check_golden(const struct cg_buf *out, const char *name)
{
	struct cg_buf path = CG_BUF_INIT, want = CG_BUF_INIT;
	char *src = cg_strdup(__FILE__);
	const char *update = getenv("CRABGATE_UPDATE_GOLDEN");

	cg_buf_printf(&path, "%s/golden/%s", dirname(src), name);
	if (update && *update) {
		assert_int_equal(cg_fs_write_atomic(path.ptr, out->ptr, out->size), 0);
	} else {
		if (cg_fs_read(&want, path.ptr, 1 << 24) < 0)
			fail_msg("%s: missing golden file; run with CRABGATE_UPDATE_GOLDEN=1 to write it", path.ptr);
		if (want.size != out->size || memcmp(want.ptr, out->ptr, out->size)) {
			size_t i = 0;
			while (i < want.size && i < out->size && want.ptr[i] == out->ptr[i])
				i++;
			print_error("%s differs from the output at byte %zu; got:\n%s\n", path.ptr, i, out->ptr);
			fail_msg("%s: output differs from the golden file (CRABGATE_UPDATE_GOLDEN=1 rewrites it)",
				 name);
		}
	}
	cg_buf_release(&path);
	cg_buf_release(&want);
	free(src);
}

/*
 * Every byte below 0x20 other than newline (and tab where `allow_tab`), and
 * DEL, is a bug in terminal or log output; so is any escape sequence but
 * colour where `allow_sgr`.
 */
static void assert_no_raw_controls(const struct cg_buf *out, bool allow_sgr, bool allow_tab)
{
	for (size_t i = 0; i < out->size; i++) {
		unsigned char c = (unsigned char)out->ptr[i];
		if (c == 0x1b && allow_sgr) {
			/* Only the colour sequences the text reporter writes: ESC [ digits ; digits m */
			size_t k = i + 1;
			assert_true(k < out->size && out->ptr[k] == '[');
			for (k++; k < out->size && (out->ptr[k] == ';' || (out->ptr[k] >= '0' && out->ptr[k] <= '9'));
			     k++)
				;
			if (k >= out->size || out->ptr[k] != 'm')
				fail_msg("escape sequence other than colour at byte %zu", i);
			continue;
		}
		if ((c < 0x20 && c != '\n' && !(allow_tab && c == '\t')) || c == 0x7f)
			fail_msg("raw control byte 0x%02x at offset %zu", c, i);
	}
	assert_true(cg_utf8_valid(out->ptr, out->size));
	/* No C1 control (U+0080..U+009F, UTF-8 c2 80..c2 9f) either. */
	for (size_t i = 0; i + 1 < out->size; i++)
		if ((unsigned char)out->ptr[i] == 0xc2 && (unsigned char)out->ptr[i + 1] >= 0x80 &&
		    (unsigned char)out->ptr[i + 1] <= 0x9f)
			fail_msg("raw C1 control at offset %zu", i);
}

static cJSON *parse_json(const struct cg_buf *out)
{
	cJSON *doc;
	assert_true(cg_utf8_valid(out->ptr, out->size));
	doc = cJSON_ParseWithLength(out->ptr, out->size);
	if (!doc)
		fail_msg("not JSON near: %.60s", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
	return doc;
}

static void test_text(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;

	render(&out, "text", &fx->in);
	check_golden(&out, "text.txt");
	assert_no_raw_controls(&out, false, false);
	assert_non_null(strstr(out.ptr, "error[chrono-ban]: chrono is banned: imported here; use jiff instead\n"
					" --> src/lib.rs:3:5\n"
					"  |\n"
					"3 | use chrono::Utc;\n"
					"  |     ^^^^^^^^^^^\n"));
	assert_non_null(strstr(out.ptr, "5 errors, 1 warning, 1 note; 1 suppressed, 1 in the baseline\n"));
	/* The 5 KB line is cut around its span, on both sides. */
	assert_non_null(strstr(out.ptr, "\n7 | ...00, 0x00, "));
	assert_non_null(strstr(out.ptr, " 0x00, chrono::Utc::now(), 0x01, 0x01, "));
	assert_non_null(strstr(out.ptr, ", 0x...\n"));
	for (const char *line = out.ptr; *line;) {
		const char *nl = strchr(line, '\n');
		if (!strncmp(line, "7 | ", 4))
			assert_true((size_t)(nl - line) <= 120);
		line = nl + 1;
	}
	/* Escapes are shown, never sent. */
	assert_non_null(strstr(out.ptr, "\\u{1b}[31mred\\u{1b}[0m \\u{9b}2J"));
	assert_non_null(strstr(out.ptr, "\\xff\\xfe bad bytes"));
	assert_non_null(strstr(out.ptr, "\\u{202e} reversed"));

	fx->in.color = true;
	render(&out, "text", &fx->in);
	check_golden(&out, "text-color.txt");
	assert_no_raw_controls(&out, true, false);
	assert_non_null(strstr(out.ptr, "\033[1;31merror[chrono-ban]\033[0m"));
	fx->in.color = false;

	/* A narrow terminal: the frame fits it. */
	fx->in.width = 60;
	render(&out, "text", &fx->in);
	for (const char *line = out.ptr; *line;) {
		const char *nl = strchr(line, '\n');
		if (!strncmp(line, "7 | ", 4))
			assert_true((size_t)(nl - line) <= 60);
		line = nl + 1;
	}
	fx->in.width = 0;
	cg_buf_release(&out);
}

static void test_text_no_findings(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings none = CG_FINDINGS_INIT;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT;

	in.findings = &none;
	in.nskipped = 0;
	in.nnotes = 0;
	in.review_summary = NULL;
	in.files = 1;
	render(&out, "text", &in);
	assert_string_equal(out.ptr, "crabgate: no findings in 1 changed file\n");
	/* --all changes nothing: it checks files. */
	in.source = "all";
	in.files = 3;
	render(&out, "text", &in);
	assert_string_equal(out.ptr, "crabgate: no findings; 3 files checked\n");
	render(&out, "markdown", &in);
	assert_true(cg_starts_with(out.ptr, "## crabgate: no findings\n\nChecked 3 files (all "));
	cg_buf_release(&out);
}

static void test_json(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;
	cJSON *doc;

	render(&out, "json", &fx->in);
	check_golden(&out, "report.json");
	doc = parse_json(&out);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")), 7);
	cJSON_Delete(doc);
	cg_buf_release(&out);
}

/* The string at a dotted path of keys (digits index arrays), or NULL. */
static const cJSON *node_at(const cJSON *obj, const char *path)
{
	char *copy = cg_strdup(path), *tok = copy;
	const cJSON *cur = obj;
	while (tok && cur) {
		char *dot = strchr(tok, '.');
		if (dot)
			*dot = '\0';
		cur = (*tok >= '0' && *tok <= '9') ? cJSON_GetArrayItem(cur, (int)strtol(tok, NULL, 10))
						   : cJSON_GetObjectItem(cur, tok);
		tok = dot ? dot + 1 : NULL;
	}
	free(copy);
	return cur;
}

static const char *str_at(const cJSON *obj, const char *path)
{
	const cJSON *cur = node_at(obj, path);
	return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

/* The golden, pretty-printed so a change reads as a diff; every rule entry has what viewers show. */
static void check_sarif_golden(const cJSON *doc, const char *name)
{
	const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0), *rule;
	const cJSON *rules =
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver"), "rules");
	struct cg_buf out = CG_BUF_INIT;
	char *text;

	cJSON_ArrayForEach(rule, rules)
	{
		assert_non_null(str_at(rule, "shortDescription.text"));
		assert_non_null(str_at(rule, "fullDescription.text"));
		assert_non_null(str_at(rule, "help.text"));
		assert_non_null(str_at(rule, "help.markdown"));
		assert_non_null(str_at(rule, "defaultConfiguration.level"));
	}
	text = cJSON_Print(doc);
	cg_buf_puts(&out, text);
	cg_buf_putc(&out, '\n');
	check_golden(&out, name);
	cg_buf_release(&out);
	free(text);
}

static void test_sarif(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;
	const cJSON *run, *results, *rules;
	cJSON *doc;
	int nsuppressed = 0;

	render(&out, "sarif", &fx->in);
	doc = parse_json(&out);
	check_sarif_golden(doc, "report.sarif");
	assert_string_equal(str_at(doc, "version"), "2.1.0");
	run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "runs")), 1);
	assert_string_equal(str_at(run, "tool.driver.name"), "crabgate");
	rules = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver"), "rules");
	results = cJSON_GetObjectItem(run, "results");
	/* Suppressed and baselined findings are results too, marked as such. */
	assert_int_equal(cJSON_GetArraySize(results), (int)fx->findings.len);
	for (int i = 0; i < cJSON_GetArraySize(results); i++) {
		const cJSON *r = cJSON_GetArrayItem(results, i);
		int idx = cJSON_GetObjectItem(r, "ruleIndex")->valueint;
		const char *uri = str_at(r, "locations.0.physicalLocation.artifactLocation.uri");
		assert_string_equal(str_at(cJSON_GetArrayItem(rules, idx), "id"), str_at(r, "ruleId"));
		assert_string_equal(str_at(r, "locations.0.physicalLocation.artifactLocation.uriBaseId"), "%SRCROOT%");
		assert_non_null(str_at(r, "partialFingerprints.crabgate/v1"));
		assert_non_null(str_at(r, "message.text"));
		for (const char *p = uri; *p; p++)
			assert_true(*p > 0x20 && *p < 0x7f && *p != ' ' && *p != ',' && *p != ':');
		if (cJSON_GetObjectItem(r, "suppressions"))
			nsuppressed++;
	}
	assert_int_equal(nsuppressed, 2);
	/* The review category has a rule entry of its own. */
	{
		bool has_review = false;
		for (int i = 0; i < cJSON_GetArraySize(rules); i++)
			if (!strcmp(str_at(cJSON_GetArrayItem(rules, i), "id"), "review/naming"))
				has_review = true;
		assert_true(has_review);
	}
	cJSON_Delete(doc);
	cg_buf_release(&out);
}

/* Findings with fixes: one on its own line, one maybe-incorrect after a wide character, one elsewhere. */
static void fixed_findings(struct cg_findings *fs, struct cg_report_input *in)
{
	struct cg_edit path = { "src/lib.rs", 60, 78, 4, 5, 4, 23, "tokio::time::sleep" };
	struct cg_edit await = { "src/lib.rs", 105, 105, 4, 50, 4, 50, ".await" };
	struct cg_edit wide = { "src/lib.rs", 137, 150, 5, 18, 5, 31, "tokio::fs::read" };
	struct cg_edit wide_await = { "src/lib.rs", 153, 153, 5, 34, 5, 34, ".await" };
	struct cg_edit manifest = { "Cargo.toml", 80, 94, 7, 1, 7, 15, "jiff = \"0.2\"" };

	memset(in, 0, sizeof(*in));
	add(fs, "blocking-in-async", CG_SEV_ERROR, "src/lib.rs", 4, 5, 4, 50, "`std::thread::sleep` blocks", NULL,
	    "    std::thread::sleep(Duration::from_millis(10));");
	fs->items[0].fix = cg_calloc(1, sizeof(struct cg_fix));
	cg_fix_add_edit(fs->items[0].fix, &await);
	cg_fix_add_edit(fs->items[0].fix, &path);
	fs->items[0].fix->new_lines = cg_strdup("    tokio::time::sleep(Duration::from_millis(10)).await;");
	fs->items[0].fix->first_line = fs->items[0].fix->last_line = 4;
	add(fs, "blocking-in-async", CG_SEV_ERROR, "src/lib.rs", 5, 18, 5, 34, "`std::fs::read` blocks", NULL,
	    "    let \xe6\x97\xa5 = ok(std::fs::read(p)?);");
	fs->items[1].fix = cg_calloc(1, sizeof(struct cg_fix));
	fs->items[1].fix->applicability = CG_FIX_MAYBE_INCORRECT;
	cg_fix_add_edit(fs->items[1].fix, &wide);
	cg_fix_add_edit(fs->items[1].fix, &wide_await);
	fs->items[1].fix->new_lines = cg_strdup("    let \xe6\x97\xa5 = ok(tokio::fs::read(p).await?);");
	fs->items[1].fix->first_line = fs->items[1].fix->last_line = 5;
	add(fs, "chrono-ban", CG_SEV_ERROR, "src/lib.rs", 9, 5, 9, 11, "chrono is banned", NULL, "use chrono;");
	fs->items[2].fix = cg_calloc(1, sizeof(struct cg_fix));
	cg_fix_add_edit(fs->items[2].fix, &manifest);
	fs->items[2].fix->new_lines = cg_strdup("jiff = \"0.2\"");
	fs->items[2].fix->first_line = fs->items[2].fix->last_line = 7;
	in->tool_version = "0.0.0-test";
	in->source = "staged";
	in->files = 1;
	in->findings = fs;
}

static void test_text_fix(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_report_input in;
	struct cg_buf out = CG_BUF_INIT;
	(void)state;

	fixed_findings(&fs, &in);
	render(&out, "text", &in);
	assert_non_null(strstr(out.ptr, "4 |     std::thread::sleep(Duration::from_millis(10));\n"
					"  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
					"help: replace with (`crabgate fix` applies it)\n"
					"  |\n"
					"4 |     tokio::time::sleep(Duration::from_millis(10)).await;\n"
					"  |     ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"));
	/* Columns of the new line are counted in cells: the wide character takes two. */
	assert_non_null(strstr(out.ptr,
			       "help: replace with (maybe incorrect: check it; `crabgate fix --unsafe` applies it)\n"
			       "  |\n"
			       "5 |     let \xe6\x97\xa5 = ok(tokio::fs::read(p).await?);\n"
			       "  |                 ~~~~~~~~~~~~~~~~~~~~~~~~\n"));
	/* A fix outside the finding's line is not drawn on it. */
	assert_null(strstr(strstr(strstr(out.ptr, "help: replace with") + 1, "help: replace with") + 1,
			   "help: replace with"));
	assert_no_raw_controls(&out, false, false);
	cg_buf_release(&out);
	cg_findings_release(&fs);
}

static void test_sarif_fix(void **state)
{
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_report_input in;
	struct cg_buf out = CG_BUF_INIT;
	const cJSON *results, *del;
	cJSON *doc;
	(void)state;

	fixed_findings(&fs, &in);
	render(&out, "sarif", &in);
	doc = parse_json(&out);
	results = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0), "results");
	assert_string_equal(str_at(cJSON_GetArrayItem(results, 0), "fixes.0.properties.applicability"),
			    "machine-applicable");
	assert_string_equal(str_at(cJSON_GetArrayItem(results, 0), "fixes.0.artifactChanges.0.artifactLocation.uri"),
			    "src/lib.rs");
	assert_string_equal(
		str_at(cJSON_GetArrayItem(results, 0), "fixes.0.artifactChanges.0.replacements.0.insertedContent.text"),
		"tokio::time::sleep");
	assert_string_equal(
		str_at(cJSON_GetArrayItem(results, 0), "fixes.0.artifactChanges.0.replacements.1.insertedContent.text"),
		".await");
	assert_string_equal(str_at(cJSON_GetArrayItem(results, 1), "fixes.0.properties.applicability"),
			    "maybe-incorrect");
	assert_string_equal(str_at(cJSON_GetArrayItem(results, 2), "fixes.0.artifactChanges.0.artifactLocation.uri"),
			    "Cargo.toml");
	del = node_at(cJSON_GetArrayItem(results, 0), "fixes.0.artifactChanges.0.replacements.1.deletedRegion");
	assert_int_equal(cJSON_GetObjectItem(del, "byteOffset")->valueint, 105);
	assert_int_equal(cJSON_GetObjectItem(del, "byteLength")->valueint, 0);
	cJSON_Delete(doc);
	cg_buf_release(&out);
	cg_findings_release(&fs);
}

static void test_sarif_cap(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings many = CG_FINDINGS_INIT;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT;
	const cJSON *run, *results, *notes;
	cJSON *doc;
	int suppressed = 0, notes_kept = 0;

	for (unsigned i = 0; i < CG_REPORT_SARIF_MAX_RESULTS + 3; i++) {
		struct cg_buf msg = CG_BUF_INIT;
		/* The first three are notes and one is suppressed: they are what gets cut. */
		cg_buf_printf(&msg, "finding %u", i);
		add(&many, i < 3 ? "allow-without-reason" : "chrono-ban", i < 3 ? CG_SEV_NOTE : CG_SEV_ERROR,
		    "src/lib.rs", i + 1, 1, i + 1, 2, msg.ptr, NULL, "x");
		cg_buf_release(&msg);
	}
	many.items[3].is_suppressed = true;
	in.findings = &many;
	render(&out, "sarif", &in);
	doc = parse_json(&out);
	run = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0);
	results = cJSON_GetObjectItem(run, "results");
	assert_int_equal(cJSON_GetArraySize(results), CG_REPORT_SARIF_MAX_RESULTS);
	for (int i = 0; i < cJSON_GetArraySize(results); i++) {
		const cJSON *r = cJSON_GetArrayItem(results, i);
		if (cJSON_GetObjectItem(r, "suppressions"))
			suppressed++;
		if (!strcmp(str_at(r, "level"), "note"))
			notes_kept++;
	}
	assert_int_equal(suppressed, 0);
	assert_int_equal(notes_kept, 1);
	notes = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(run, "invocations"), 0),
				    "toolExecutionNotifications");
	assert_string_equal(str_at(notes, "0.level"), "warning");
	assert_non_null(strstr(str_at(notes, "0.message.text"), "3 of 5003 findings are not in this file"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "properties"), "resultsCut")->valueint, 3);
	cJSON_Delete(doc);
	cg_buf_release(&out);
	cg_findings_release(&many);
}

static void test_gitlab(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;
	const char *fields[] = { "description", "check_name", "fingerprint", "severity", "location.path" };
	cJSON *doc;

	render(&out, "gitlab", &fx->in);
	check_golden(&out, "gl-code-quality.json");
	doc = parse_json(&out);
	assert_true(cJSON_IsArray(doc));
	assert_int_equal(cJSON_GetArraySize(doc), 7); /* visible findings only */
	for (int i = 0; i < cJSON_GetArraySize(doc); i++) {
		const cJSON *issue = cJSON_GetArrayItem(doc, i);
		const cJSON *begin = cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(issue, "location"), "lines"), "begin");
		const char *sev = str_at(issue, "severity");
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			assert_non_null(str_at(issue, fields[k]));
		assert_true(cJSON_IsNumber(begin) && begin->valueint >= 1);
		assert_true(!strcmp(sev, "info") || !strcmp(sev, "minor") || !strcmp(sev, "major") ||
			    !strcmp(sev, "critical") || !strcmp(sev, "blocker"));
		for (int k = 0; k < i; k++)
			assert_string_not_equal(str_at(cJSON_GetArrayItem(doc, k), "fingerprint"),
						str_at(issue, "fingerprint"));
	}
	cJSON_Delete(doc);
	cg_buf_release(&out);
}

/* Undoes GitHub's workflow-command escapes into `out`. */
static void unescape(struct cg_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len)
				fail_msg("a %% at the end of %s", s);
			if (!strncmp(s + i, "%25", 3)) {
				cg_buf_putc(out, '%');
			} else if (!strncmp(s + i, "%0D", 3)) {
				cg_buf_putc(out, '\r');
			} else if (!strncmp(s + i, "%0A", 3)) {
				cg_buf_putc(out, '\n');
			} else if (!strncmp(s + i, "%3A", 3)) {
				cg_buf_putc(out, ':');
			} else if (!strncmp(s + i, "%2C", 3)) {
				cg_buf_putc(out, ',');
			} else {
				fail_msg("unescaped %% in %s", s);
			}
			i += 2;
		} else {
			cg_buf_putc(out, s[i]);
		}
	}
}

struct command {
	char name[16];
	struct cg_buf props[8][2];
	size_t nprops;
	struct cg_buf message;
};

/* Parses one `::name k=v,k=v::message` line back, as the runner does. */
static void parse_command(struct command *c, const char *line, size_t len)
{
	const char *sp, *sep, *end = line + len;
	memset(c, 0, sizeof(*c));
	assert_true(len > 2 && !strncmp(line, "::", 2));
	sep = strstr(line + 2, "::");
	assert_true(sep && sep < end);
	sp = memchr(line + 2, ' ', (size_t)(sep - line - 2));
	memcpy(c->name, line + 2, (size_t)((sp ? sp : sep) - line - 2));
	for (const char *p = sp ? sp + 1 : sep; p < sep;) {
		const char *comma = memchr(p, ',', (size_t)(sep - p)), *stop = comma ? comma : sep;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		assert_non_null(eq);
		assert_true(c->nprops < 8);
		cg_buf_init(&c->props[c->nprops][0]);
		cg_buf_init(&c->props[c->nprops][1]);
		cg_buf_put(&c->props[c->nprops][0], p, (size_t)(eq - p));
		unescape(&c->props[c->nprops][1], eq + 1, (size_t)(stop - eq - 1));
		c->nprops++;
		p = stop + (comma ? 1 : 0);
	}
	cg_buf_init(&c->message);
	unescape(&c->message, sep + 2, (size_t)(end - sep - 2));
}

static const char *prop(const struct command *c, const char *key)
{
	for (size_t i = 0; i < c->nprops; i++)
		if (!strcmp(c->props[i][0].ptr, key))
			return c->props[i][1].ptr;
	return NULL;
}

static void command_release(struct command *c)
{
	for (size_t i = 0; i < c->nprops; i++) {
		cg_buf_release(&c->props[i][0]);
		cg_buf_release(&c->props[i][1]);
	}
	cg_buf_release(&c->message);
}

static void test_github(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;
	bool seen_nasty = false;
	int commands = 0;

	render(&out, "github", &fx->in);
	check_golden(&out, "github.txt");
	assert_no_raw_controls(&out, false, true);
	for (const char *line = out.ptr; *line;) {
		const char *nl = strchr(line, '\n');
		struct command c;
		assert_non_null(nl);
		assert_true(!strncmp(line, "::", 2) || !strncmp(line, "crabgate: ", 10));
		if (!strncmp(line, "::", 2)) {
			parse_command(&c, line, (size_t)(nl - line));
			commands++;
			assert_true(!strcmp(c.name, "error") || !strcmp(c.name, "warning") ||
				    !strcmp(c.name, "notice"));
			if (prop(&c, "title") && !strcmp(prop(&c, "title"), "crabgate: review/naming")) {
				/* The path's comma and colon and the message's specials all come back. */
				assert_string_equal(prop(&c, "file"), "src/we ird,dir:1/\xc3\xa4\xef\xbf\xbd.rs");
				assert_string_equal(prop(&c, "line"), "12");
				assert_string_equal(prop(&c, "col"), "7"); /* characters, not bytes */
				assert_non_null(strstr(c.message.ptr,
						       "say \"hi\" to C:\\dir, 100% sure: a,b\nsecond line "
						       "\xc3\xa9\xe2\x9c\x93 \xef\xbf\xbd\xef\xbf\xbd bad bytes "
						       "\\u{1b}[31mred\\u{1b}[0m \\u{9b}2J"));
				assert_non_null(strstr(c.message.ptr,
						       "\nhelp: first\r\nsecond\tafter a tab; ::set-output "
						       "name=x::y %0A"));
				seen_nasty = true;
			}
			command_release(&c);
		}
		line = nl + 1;
	}
	assert_true(seen_nasty);
	assert_int_equal(commands, 7);
	cg_buf_release(&out);
}

static void test_github_limits(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings many = CG_FINDINGS_INIT;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT;
	size_t errors = 0, warnings = 0, notices = 0, plain = 0;
	const char *last = NULL;

	for (unsigned i = 0; i < 12; i++)
		add(&many, "chrono-ban", CG_SEV_ERROR, "a.rs", i + 1, 1, i + 1, 2, "e", NULL, "x");
	for (unsigned i = 0; i < 3; i++)
		add(&many, "x-warn", CG_SEV_WARNING, "b.rs", i + 1, 1, i + 1, 2, "w", NULL, "x");
	for (unsigned i = 0; i < 10; i++)
		add(&many, "allow-without-reason", CG_SEV_NOTE, "c.rs", i + 1, 1, i + 1, 2, "n", NULL, "x");
	in.findings = &many;
	render(&out, "github", &in);
	for (const char *line = out.ptr; *line;) {
		const char *nl = strchr(line, '\n');
		if (!strncmp(line, "::error ", 8))
			errors++;
		else if (!strncmp(line, "::warning ", 10))
			warnings++;
		else if (!strncmp(line, "::notice ", 9))
			notices++;
		else
			plain++;
		last = line;
		line = nl + 1;
	}
	/* Errors first; 2 errors and 1 note become log lines; the closing notice takes a note's place. */
	assert_true(!strncmp(out.ptr, "::error ", 8));
	assert_int_equal(errors, 10);
	assert_int_equal(warnings, 3);
	assert_int_equal(notices, 10);
	assert_int_equal(plain, 3);
	{
		const char *want = "::notice title=crabgate::3 findings are not shown as annotations";
		assert_true(!strncmp(last, want, strlen(want)));
	}
	cg_buf_release(&out);
	cg_findings_release(&many);
}

static void test_markdown(void **state)
{
	struct fixture *fx = *state;
	struct cg_buf out = CG_BUF_INIT;

	render(&out, "markdown", &fx->in);
	check_golden(&out, "summary.md");
	assert_true(cg_utf8_valid(out.ptr, out.size));
	assert_null(strchr(out.ptr, '\033'));
	assert_null(strstr(out.ptr, "<script"));
	assert_null(strstr(out.ptr, "@octocat"));
	assert_non_null(strstr(out.ptr, "@&#8203;octocat"));
	assert_non_null(strstr(out.ptr, "\\[link\\]&#8203;(javascript:x)")); /* text, not a link */
	assert_non_null(strstr(out.ptr, "[src/lib.rs:3](https://github.com/acme/widgets/blob/"
					"2222222222222222222222222222222222222222/src/lib.rs#L3)"));
	assert_non_null(strstr(out.ptr, "| chrono-ban | 5 | 0 | 0 |"));
	/* Every table row keeps its cells: pipes in the text are escaped. */
	for (const char *line = out.ptr; *line;) {
		const char *nl = strchr(line, '\n');
		if (line[0] == '|') {
			size_t pipes = 0;
			for (const char *p = line; p < nl; p++)
				if (*p == '|' && (p == line || p[-1] != '\\'))
					pipes++;
			assert_true(pipes == 5);
		}
		/* No HTML but the line breaks this file writes. */
		for (const char *p = line; p < nl; p++)
			if (*p == '<')
				assert_true(!strncmp(p, "<br>", 4));
		line = nl + 1;
	}

	/* Without a base URL (or with one that is not http), locations are plain text. */
	fx->in.link_base = "javascript:alert(1)//";
	render(&out, "markdown", &fx->in);
	assert_null(strstr(out.ptr, "](javascript:alert"));
	assert_non_null(strstr(out.ptr, "| src/lib.rs:3 |"));
	fx->in.link_base = NULL;
	cg_buf_release(&out);
}

/* Code spans in finding text stay code spans (GitHub shows them as code); only what breaks a table is escaped. */
static void test_markdown_code_spans(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT;
	const char *note = "see `a|b` and `x\ny`";

	add(&fs, "missing-bench", CG_SEV_WARNING, "src/lib.rs", 1, 1, 1, 2,
	    "pub fn `parse` is new; `a|b` ``x`y`` `@octocat #12 *no* <b>` `open",
	    "`Utc::now()` -> `jiff::Timestamp::now()`; `<!-- crabgate:fp=0123456789abcdef -->`", "pub fn parse() {}");
	in.findings = &fs;
	in.nskipped = 0;
	in.notes = &note;
	in.nnotes = 1;
	in.review_summary = NULL;
	render(&out, "markdown", &in);
	assert_non_null(strstr(out.ptr, "| pub fn `parse` is new; `a\\|b` ``x`y`` `@octocat #12 *no* <b>` \\`open<br>"
					"help: `Utc::now()` -&gt; `jiff::Timestamp::now()`; "
					"\\`&lt;\\!-- crabgate:fp=0123456789abcdef --&gt;\\` |\n"));
	/* Outside a table a pipe in code needs no escape (it would show); a line break inside code is a space. */
	assert_non_null(strstr(out.ptr, "\n- see `a|b` and `x y`\n"));
	cg_buf_release(&out);
	cg_findings_release(&fs);
}

/* Any bytes at all in every field: each format still gives valid UTF-8 (and JSON where it is JSON). */
/* The integer at `key` of `obj`, failing when it is missing or not a whole number. */
static long int_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(obj, key);
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
		fail_msg("%s: expected a whole number", key);
	return (long)v->valuedouble;
}

/* Every line parses as cargo's compiler-message, and the spans point at the file's bytes. */
static void test_rustc_json(void **state)
{
	struct fixture *fx = *state;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT, text = CG_BUF_INIT;
	struct cg_report_file places[1] = { { 0 } };
	size_t nlines = 0, nlib = 0;
	const char *p;

	for (int n = 1; n <= 20; n++) {
		if (n == 3)
			cg_buf_puts(&text, "use chrono::Utc;\n");
		else if (n == 10)
			cg_buf_puts(&text, "\t\"caf\xc3\xa9\" + chrono::Utc::now()\t// \xe6\x97\xa5\xe6\x9c\xac\n");
		else if (n == 12)
			cg_buf_puts(&text, "\xc3\xa9t;\r\n");
		else
			cg_buf_printf(&text, "// line %d\n", n);
	}
	places[0] = (struct cg_report_file){ .path = "src/lib.rs",
					     .text = text.ptr,
					     .len = text.size,
					     .package = "widgets",
					     .version = "1.2.0",
					     .edition = "2021",
					     .manifest_path = "crates/w/Cargo.toml",
					     .package_dir = "crates/w",
					     .target_kind = "lib",
					     .target_name = "widgets",
					     .target_src = "crates/w/src/lib.rs" };
	in.root = "/work/repo/";
	in.here = "";
	in.places = places;
	in.nplaces = 1;
	in.color = true; /* `rendered` is plain text all the same */
	render(&out, "rustc-json", &in);
	assert_true(cg_utf8_valid(out.ptr, out.size));
	for (p = out.ptr; *p; nlines++) {
		const char *nl = strchr(p, '\n');
		cJSON *doc, *msg, *span, *target;
		assert_non_null(nl);
		doc = cJSON_ParseWithLength(p, (size_t)(nl - p));
		assert_non_null(doc);
		assert_string_equal(str_at(doc, "reason"), "compiler-message");
		assert_non_null(str_at(doc, "package_id"));
		assert_non_null(str_at(doc, "manifest_path"));
		target = cJSON_GetObjectItem(doc, "target");
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(target, "kind")));
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(target, "crate_types")));
		assert_true(cJSON_IsBool(cJSON_GetObjectItem(target, "doctest")));
		msg = cJSON_GetObjectItem(doc, "message");
		assert_string_equal(str_at(msg, "$message_type"), "diagnostic");
		assert_null(strchr(str_at(msg, "rendered"), '\x1b'));
		assert_non_null(str_at(msg, "code.code"));
		assert_true(cJSON_IsArray(cJSON_GetObjectItem(msg, "children")));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(msg, "spans")), 1);
		span = cJSON_GetArrayItem(cJSON_GetObjectItem(msg, "spans"), 0);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(span, "is_primary")));
		assert_true(int_at(span, "line_start") >= 1 && int_at(span, "column_start") >= 1);
		assert_true(int_at(span, "line_end") >= int_at(span, "line_start"));
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(span, "suggested_replacement")));
		if (!strcmp(str_at(span, "file_name"), "src/lib.rs")) {
			long bs = int_at(span, "byte_start"), be = int_at(span, "byte_end");
			nlib++;
			assert_string_equal(str_at(doc, "package_id"), "path+file:///work/repo/crates/w#widgets@1.2.0");
			assert_string_equal(str_at(doc, "manifest_path"), "/work/repo/crates/w/Cargo.toml");
			assert_string_equal(str_at(doc, "target.src_path"), "/work/repo/crates/w/src/lib.rs");
			assert_string_equal(str_at(doc, "target.kind.0"), "lib");
			assert_true(bs <= be && (size_t)be <= text.size);
			if (int_at(span, "line_start") == 3) {
				assert_int_equal(be - bs, 11);
				assert_memory_equal(text.ptr + bs, "chrono::Utc", 11);
			} else if (int_at(span, "line_start") == 10) {
				/* Byte column 12 after a tab and an "é": character 11. */
				assert_int_equal(int_at(span, "column_start"), 11);
				assert_memory_equal(text.ptr + bs, "chrono::Utc", 11);
				assert_int_equal(int_at(span, "line_end"), 12);
				/* Byte column 3 of "ét;" is after the é: character 2. */
				assert_int_equal(int_at(span, "column_end"), 2);
				assert_memory_equal(text.ptr + be, "t;", 2);
				assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(span, "text")), 3);
				assert_string_equal(str_at(span, "text.2.text"), "\xc3\xa9t;");
				assert_int_equal(int_at(cJSON_GetArrayItem(cJSON_GetObjectItem(span, "text"), 0),
							"highlight_start"),
						 11);
			}
		}
		cJSON_Delete(doc);
		p = nl + 1;
	}
	/* Visible findings only: the suppressed and the baselined ones stay out, as in every report. */
	assert_int_equal(nlines, 7);
	assert_int_equal(nlib, 3);
	cg_buf_release(&out);
	cg_buf_release(&text);
}

static void test_any_bytes(void **state)
{
	struct fixture *fx = *state;
	struct cg_findings fs = CG_FINDINGS_INIT;
	struct cg_report_input in = fx->in;
	struct cg_buf out = CG_BUF_INIT;
	char junk[256];
	unsigned seed = 12345;

	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i + 1 < sizeof(junk); i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = (char)(1 + (seed >> 16) % 255);
		}
		junk[sizeof(junk) - 1] = '\0';
		add(&fs, junk + 200, (enum cg_severity)(1 + round % 3), junk + 100, (uint32_t)round + 1,
		    (uint32_t)round % 7, (uint32_t)round + 1, (uint32_t)round % 11, junk, junk + 50, junk + 20);
	}
	in.findings = &fs;
	for (size_t k = 0; k < cg_nreporters; k++) {
		render(&out, cg_reporters[k]->name, &in);
		assert_true(cg_utf8_valid(out.ptr, out.size));
		if (!strcmp(cg_reporters[k]->name, "text"))
			assert_no_raw_controls(&out, false, false);
		if (!strcmp(cg_reporters[k]->name, "github"))
			assert_no_raw_controls(&out, false, true);
		if (!strcmp(cg_reporters[k]->name, "json") || !strcmp(cg_reporters[k]->name, "sarif") ||
		    !strcmp(cg_reporters[k]->name, "gitlab"))
			cJSON_Delete(parse_json(&out));
		if (!strcmp(cg_reporters[k]->name, "rustc-json"))
			for (const char *p = out.ptr, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
				cJSON *doc = cJSON_ParseWithLength(p, (size_t)(nl - p));
				assert_non_null(doc);
				cJSON_Delete(doc);
			}
	}
	cg_buf_release(&out);
	cg_findings_release(&fs);
}

static void test_append(void **state)
{
	struct cg_buf dir = CG_BUF_INIT, path = CG_BUF_INIT, a = CG_BUF_INIT, got = CG_BUF_INIT;
	(void)state;
	assert_int_equal(cg_fs_mkdtemp(&dir, "cg-report"), 0);
	cg_buf_printf(&path, "%s/summary.md", dir.ptr);
	cg_buf_puts(&a, "one\n");
	assert_int_equal(cg_report_append(&a, path.ptr), 0);
	assert_int_equal(cg_report_append(&a, path.ptr), 0);
	assert_int_equal(cg_fs_read(&got, path.ptr, 1024), 0);
	assert_string_equal(got.ptr, "one\none\n");
	assert_int_equal(cg_report_append(&a, "/nonexistent-folder/x/summary.md"), CG_E_IO);
	cg_fs_rmtree(dir.ptr);
	cg_buf_release(&dir);
	cg_buf_release(&path);
	cg_buf_release(&a);
	cg_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_no_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif_cap, setup, teardown),
		cmocka_unit_test(test_text_fix),
		cmocka_unit_test(test_sarif_fix),
		cmocka_unit_test_setup_teardown(test_gitlab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_github, setup, teardown),
		cmocka_unit_test_setup_teardown(test_github_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown_code_spans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rustc_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_bytes, setup, teardown),
		cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
