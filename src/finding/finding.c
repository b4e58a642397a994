#include "finding/finding.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

struct cg_finding *cg_findings_add(struct cg_findings *list)
{
	struct cg_finding *f;
	cg_array_grow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	f = &list->items[list->len++];
	memset(f, 0, sizeof(*f));
	return f;
}

void cg_finding_release(struct cg_finding *f)
{
	free(f->rule);
	free(f->path);
	free(f->message);
	free(f->help);
	free(f->source_line);
	free(f->suppression_reason);
	cg_fix_free(f->fix);
	memset(f, 0, sizeof(*f));
}

void cg_findings_release(struct cg_findings *list)
{
	for (size_t i = 0; i < list->len; i++)
		cg_finding_release(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->len = list->cap = 0;
}

/* NULL sorts first: a producer that left a field out must not crash the sort. */
static int cmp_str_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct cg_finding *x = a, *y = b;
	int c = cmp_str_null(x->path, y->path);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	c = cmp_str_null(x->rule, y->rule);
	if (c)
		return c;
	return cmp_str_null(x->message, y->message);
}

void cg_findings_sort(struct cg_findings *list)
{
	if (list->len > 1)
		qsort(list->items, list->len, sizeof(*list->items), cmp_finding);
}

bool cg_finding_is_visible(const struct cg_finding *f)
{
	return !f->is_suppressed && !f->is_baselined;
}

void cg_findings_count(struct cg_finding_counts *out, const struct cg_findings *list)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < list->len; i++) {
		const struct cg_finding *f = &list->items[i];
		if (f->is_suppressed)
			out->suppressed++;
		else if (f->is_baselined)
			out->baselined++;
		else if (f->severity < CG_SEV_COUNT)
			out->visible[f->severity]++;
	}
}

static int cmp_edit(const struct cg_edit *a, const struct cg_edit *b)
{
	int c = cmp_str_null(a->path, b->path);
	if (c)
		return c;
	if (a->byte_start != b->byte_start)
		return a->byte_start < b->byte_start ? -1 : 1;
	return (a->byte_end > b->byte_end) - (a->byte_end < b->byte_end);
}

/* Two edits of one file collide when their ranges share a byte, or both insert at one offset. */
static bool edits_overlap(const struct cg_edit *a, const struct cg_edit *b)
{
	if (cmp_str_null(a->path, b->path))
		return false;
	if (a->byte_start == b->byte_start)
		return true;
	return a->byte_start < b->byte_end && b->byte_start < a->byte_end;
}

bool cg_fix_add_edit(struct cg_fix *fix, const struct cg_edit *edit)
{
	size_t at = fix->nedits;
	struct cg_edit *e;

	for (size_t i = 0; i < fix->nedits; i++)
		if (edits_overlap(&fix->edits[i], edit))
			return false;
	while (at > 0 && cmp_edit(&fix->edits[at - 1], edit) > 0)
		at--;
	cg_array_grow((void **)&fix->edits, &fix->edits_cap, fix->nedits + 1, sizeof(*fix->edits));
	memmove(&fix->edits[at + 1], &fix->edits[at], (fix->nedits - at) * sizeof(*fix->edits));
	e = &fix->edits[at];
	*e = *edit;
	e->path = cg_strdup(edit->path);
	e->replacement = cg_strdup(edit->replacement ? edit->replacement : "");
	fix->nedits++;
	return true;
}

void cg_fix_free(struct cg_fix *fix)
{
	if (!fix)
		return;
	for (size_t i = 0; i < fix->nedits; i++) {
		free(fix->edits[i].path);
		free(fix->edits[i].replacement);
	}
	free(fix->edits);
	free(fix->new_lines);
	free(fix);
}

const char *cg_applicability_name(enum cg_applicability a)
{
	switch (a) {
	case CG_FIX_MACHINE_APPLICABLE:
		return "machine-applicable";
	case CG_FIX_HAS_PLACEHOLDERS:
		return "has-placeholders";
	default:
		return "maybe-incorrect";
	}
}

const char *cg_severity_name(enum cg_severity sev)
{
	switch (sev) {
	case CG_SEV_ERROR:
		return "error";
	case CG_SEV_WARNING:
		return "warning";
	case CG_SEV_NOTE:
		return "note";
	default:
		return "off";
	}
}

int cg_severity_parse(enum cg_severity *out, const char *name)
{
	static const enum cg_severity all[] = { CG_SEV_OFF, CG_SEV_NOTE, CG_SEV_WARNING, CG_SEV_ERROR };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(name, cg_severity_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	}
	return cg_error_set(CG_E_INPUT, "'%s': expected one of error, warning, note, off", name);
}

void cg_fingerprint(char out[CG_FINGERPRINT_SIZE], const char *rule, const char *path, const char *text,
		    size_t text_len, unsigned occurrence)
{
	struct cg_buf b = CG_BUF_INIT;
	char hex[CG_SHA1_HEX_SIZE];

	cg_buf_printf(&b, "%s\n%s\n%u\n", rule, path, occurrence);
	cg_buf_put_folded(&b, text, text_len);
	cg_sha1_hex(hex, b.ptr, b.size);
	memcpy(out, hex, CG_FINGERPRINT_SIZE - 1);
	out[CG_FINGERPRINT_SIZE - 1] = '\0';
	cg_buf_release(&b);
}

static int cmp_slot(const void *a, const void *b)
{
	const struct cg_fingerprint_slot *x = a, *y = b;
	int c = strcmp(x->base, y->base);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

void cg_findings_fingerprint(struct cg_finding *items, size_t n, cg_finding_text_fn text_of, void *payload,
			     struct cg_fingerprint_slot *slots)
{
	struct cg_fingerprint_slot *own = slots ? NULL : cg_calloc(n ? n : 1, sizeof(*own));
	struct cg_buf text = CG_BUF_INIT;

	if (!slots)
		slots = own;
	for (size_t i = 0; i < n; i++) {
		cg_buf_truncate(&text, 0);
		text_of(&text, &items[i], payload);
		cg_fingerprint(slots[i].base, items[i].rule, items[i].path, text.ptr, text.size, 0);
		memcpy(items[i].fingerprint, slots[i].base, CG_FINGERPRINT_SIZE);
		slots[i].index = i;
	}
	qsort(slots, n, sizeof(*slots), cmp_slot);
	/* Texts are made again rather than kept: only copies need them, and a file may have thousands of findings. */
	for (size_t i = 1, occ = 0; i < n; i++) {
		struct cg_finding *f = &items[slots[i].index];
		if (strcmp(slots[i].base, slots[i - 1].base)) {
			occ = 0;
			continue;
		}
		cg_buf_truncate(&text, 0);
		text_of(&text, f, payload);
		cg_fingerprint(f->fingerprint, f->rule, f->path, text.ptr, text.size, (unsigned)++occ);
	}
	cg_buf_release(&text);
	free(own);
}
