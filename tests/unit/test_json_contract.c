/* The JSON report is the machine contract (version 1): its fields must hold. */
#include "helpers.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/str.h"

static void add(struct cg_findings *l, const char *rule, enum cg_severity sev, const char *path, unsigned line,
		const char *msg, bool suppressed)
{
	struct cg_finding *f = cg_findings_add(l);
	f->rule = cg_strdup(rule);
	f->severity = sev;
	f->path = cg_strdup(path);
	f->line = f->end_line = line;
	f->column = 1;
	f->end_column = 5;
	f->message = cg_strdup(msg);
	f->help = cg_strdup("use jiff");
	memcpy(f->fingerprint, "0123456789abcdef", CG_FINGERPRINT_SIZE);
	f->is_suppressed = suppressed;
}

static void test_contract(void **state)
{
	struct cg_findings l = CG_FINDINGS_INIT;
	struct cg_buf out = CG_BUF_INIT;
	struct cg_report_skipped skipped[] = { { "bin.rs", "binary file" } };
	const char *notes[] = { "review skipped: no provider" };
	struct cg_report_input in = { 0 };
	struct cg_edit edit = { "src/b.rs", 12, 16, 7, 3, 7, 7, "tokio::fs::read" };
	cJSON *doc, *f, *fix, *e;
	(void)state;

	add(&l, "chrono-ban", CG_SEV_ERROR, "src/a \"q\".rs", 3, "line1\nline2 \\ \"quoted\" \x01 é", false);
	add(&l, "missing-bench", CG_SEV_WARNING, "src/b.rs", 7, "w", false);
	add(&l, "chrono-ban", CG_SEV_ERROR, "src/c.rs", 1, "s", true);
	l.items[1].fix = cg_calloc(1, sizeof(*l.items[1].fix));
	cg_fix_add_edit(l.items[1].fix, &edit);
	in.tool_version = "9.9.9";
	in.source = "staged";
	in.base = "";
	in.head = NULL;
	in.files = 3;
	in.findings = &l;
	in.skipped = skipped;
	in.nskipped = 1;
	in.notes = notes;
	in.nnotes = 1;
	assert_int_equal(cg_reporter_find("json")->write(&out, &in), 0);

	doc = cJSON_Parse(out.ptr);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetObjectItem(doc, "version")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tool"), "name")->valuestring, "crabgate");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tool"), "version")->valuestring, "9.9.9");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "change"), "base")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "change"), "head")));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "change"), "files")->valueint, 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "findings")), 2);
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	assert_string_equal(cJSON_GetObjectItem(f, "rule")->valuestring, "chrono-ban");
	assert_string_equal(cJSON_GetObjectItem(f, "severity")->valuestring, "error");
	assert_string_equal(cJSON_GetObjectItem(f, "path")->valuestring, "src/a \"q\".rs");
	assert_int_equal(cJSON_GetObjectItem(f, "line")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(f, "end_line")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(f, "column")->valueint, 1);
	assert_string_equal(cJSON_GetObjectItem(f, "message")->valuestring, "line1\nline2 \\ \"quoted\" \x01 é");
	assert_string_equal(cJSON_GetObjectItem(f, "help")->valuestring, "use jiff");
	assert_string_equal(cJSON_GetObjectItem(f, "fingerprint")->valuestring, "0123456789abcdef");
	assert_string_equal(cJSON_GetObjectItem(f, "origin")->valuestring, "rules");
	/* Only a finding with a fix has the field: the others read as they did before fixes. */
	assert_null(cJSON_GetObjectItem(f, "fix"));
	fix = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 1), "fix");
	assert_string_equal(cJSON_GetObjectItem(fix, "applicability")->valuestring, "machine-applicable");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(fix, "edits")), 1);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(fix, "edits"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "path")->valuestring, "src/b.rs");
	assert_int_equal(cJSON_GetObjectItem(e, "line")->valueint, 7);
	assert_int_equal(cJSON_GetObjectItem(e, "column")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(e, "end_line")->valueint, 7);
	assert_int_equal(cJSON_GetObjectItem(e, "end_column")->valueint, 7);
	assert_int_equal(cJSON_GetObjectItem(e, "byte_start")->valueint, 12);
	assert_int_equal(cJSON_GetObjectItem(e, "byte_end")->valueint, 16);
	assert_string_equal(cJSON_GetObjectItem(e, "replacement")->valuestring, "tokio::fs::read");
	assert_int_equal(cJSON_GetObjectItem(doc, "suppressed")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "summary"), "error")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "summary"), "warning")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "summary"), "note")->valueint, 0);
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "skipped"), 0), "reason")->valuestring,
		"binary file");
	cJSON_Delete(doc);
	cg_buf_release(&out);
	cg_findings_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract),
	};
	return cmocka_run_group_tests_name("json_contract", tests, NULL, NULL);
}
