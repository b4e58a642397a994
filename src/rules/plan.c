/*
 * Partial-parse planning: which bytes of a Rust file get parsed, a slice at
 * a time for huge files, or only the items that can matter when every rule
 * reading the tree is item-local; falls back to a whole parse.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rules/pass.h"
#include "syntax/items.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * A file over CG_CHUNKED_FILE_MIN is parsed a slice of top-level items at a
 * time: the tree of a whole 50 MB file takes gigabytes, a slice's some tens
 * of megabytes.
 */
#define SLICE_BYTES (1u << 20)

/* The byte offset of a finding's start. */
static uint32_t finding_offset(const struct cg_source *src, const struct cg_finding *f)
{
	uint32_t line = f->line <= src->nlines ? f->line : src->nlines;
	return src->line_starts[line - 1] + f->column - 1;
}

static bool in_shared_item(const struct cg_items *items, const size_t *shared, size_t nshared, uint32_t at)
{
	size_t lo = 0, hi = nshared;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cg_item *it = &items->items[shared[mid]];
		if (at < it->start)
			hi = mid;
		else if (at >= it->end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* A file's top-level items, and which of them are shared (indices into items). */
struct top_items {
	struct cg_items items;
	size_t *top, *shared;
	size_t ntop, nshared;
};

/*
 * The ranges of the slice starting at top item `next`: the shared items, and
 * the next items up to SLICE_BYTES (at least one). Returns the slice's end.
 */
static size_t slice_ranges(struct cg_byte_ranges *ranges, const struct top_items *t, size_t next)
{
	size_t end = next, budget = 0;

	for (; end < t->ntop; end++) {
		const struct cg_item *it = &t->items.items[t->top[end]];
		if (cg_item_is_shared(it))
			continue;
		if (budget && budget + (it->end - it->start) > SLICE_BYTES)
			break;
		budget += it->end - it->start;
	}
	ranges->n = 0;
	for (size_t k = 0; k < t->ntop; k++) {
		const struct cg_item *it = &t->items.items[t->top[k]];
		if (cg_item_is_shared(it) || (k >= next && k < end))
			cg_byte_ranges_add(ranges, it->start, it->end);
	}
	return end;
}

/* Drops the findings raw[from..] in shared items: they were checked with the first slice. */
static void drop_shared_findings(struct cg_findings *raw, size_t from, const struct top_items *t,
				 const struct cg_source *src)
{
	size_t kept = from;
	for (size_t i = from; i < raw->len; i++) {
		if (in_shared_item(&t->items, t->shared, t->nshared, finding_offset(src, &raw->items[i])))
			cg_finding_release(&raw->items[i]);
		else
			raw->items[kept++] = raw->items[i];
	}
	raw->len = kept;
}

/*
 * Runs the rules over a huge Rust file a slice at a time. Each parse holds
 * the file's use declarations, `extern crate`s, inner attributes and `mod x;`
 * lines, and about SLICE_BYTES of its other top-level items; findings in the
 * shared items are kept from the first slice only. What one slice defines (a
 * local fn, an inline module's re-exports, a local macro) is not seen from
 * another: the price of bounded memory, paid only by files of megabytes.
 * Sets CG_PLAN_WHOLE_FILE when the file's items cannot be told apart
 * lexically (unbalanced brackets, an unterminated literal): the caller
 * parses it whole.
 */
int cg_pass__run_in_slices(enum cg_plan_result *result, struct cg_findings *out, struct cg_findings *raw,
			   const struct pass_run *run, const struct rule_slot *slots, size_t nslots,
			   const struct cg_changed_file *file, struct cg_source *src)
{
	struct top_items t = { .ntop = 0 };
	struct cg_byte_ranges ranges = { NULL, 0, 0 };
	size_t next = 0;
	int err = 0;

	*result = CG_PLAN_WHOLE_FILE;
	if (cg_items_scan(&t.items, src->text, src->len) < 0 || !t.items.is_clean) {
		cg_error_clear();
		cg_items_release(&t.items);
		return 0;
	}
	*result = CG_PLAN_DONE;
	t.top = cg_calloc(t.items.n ? t.items.n : 1, sizeof(*t.top));
	t.shared = cg_calloc(t.items.n ? t.items.n : 1, sizeof(*t.shared));
	for (size_t i = 0; i < t.items.n; i++) {
		if (t.items.items[i].parent != CG_ITEM_TOP)
			continue;
		t.top[t.ntop++] = i;
		if (cg_item_is_shared(&t.items.items[i]))
			t.shared[t.nshared++] = i;
	}
	do {
		struct cg_rust_file *rust;
		size_t from = raw->len;
		bool is_first = next == 0;

		next = slice_ranges(&ranges, &t, next);
		if (!cg_byte_ranges_merge(&ranges, src->text))
			break;
		if ((err = cg_source_parse_ranges(src, ranges.r, ranges.n)) < 0)
			break;
		rust = cg_rust_file_new(src);
		err = cg_pass__run_rules(raw, run, slots, nslots, file, CG_KIND_RUST, src, rust);
		cg_rust_file_free(rust);
		if (!is_first)
			drop_shared_findings(raw, from, &t, src);
		if (!err)
			cg_pass__settle(out, raw, from, file, src, run->env);
		cg_source_drop_tree(src);
	} while (!err && next < t.ntop);
	free(ranges.r);
	free(t.top);
	free(t.shared);
	cg_items_release(&t.items);
	return err;
}

/*
 * Whether a finding's fingerprint text occurs twice in the file: then an
 * identical finding may sit in an item left unparsed, and its occurrence
 * index (cg_findings_fingerprint) would differ from a whole parse's.
 */
static bool has_twin(const struct cg_source *src, const struct cg_findings *raw, size_t from)
{
	struct cg_buf file = CG_BUF_INIT;
	bool twin = false;
	if (from == raw->len)
		return false;
	cg_buf_put_folded(&file, src->text, src->len); /* as cg_fingerprint folds it */
	for (size_t i = from; i < raw->len && !twin; i++) {
		struct cg_buf span = CG_BUF_INIT, folded = CG_BUF_INIT;
		const char *hit;
		cg_pass__span_text(&span, src, &raw->items[i]);
		cg_buf_put_folded(&folded, span.ptr, span.size);
		hit = folded.size ? memmem(file.ptr, file.size, folded.ptr, folded.size) : NULL;
		twin = hit && memmem(hit + 1, file.size - (size_t)(hit + 1 - file.ptr), folded.ptr, folded.size);
		cg_buf_release(&span);
		cg_buf_release(&folded);
	}
	cg_buf_release(&file);
	return twin;
}

/* The rules that read this file's tree; false when one of them is not item-local. */
static bool tree_rules(const struct rule_slot *slots, size_t nslots, const struct rule_slot **out, size_t *nout)
{
	*nout = 0;
	for (size_t r = 0; r < nslots; r++) {
		if (!slots[r].reads_tree)
			continue;
		if (!slots[r].rule->is_item_local)
			return false;
		out[(*nout)++] = &slots[r];
	}
	return true;
}

/*
 * Whether rule `s` may fire on bytes [start, end) of the file, by its
 * prefilter, which is not shown the comments before the first token: an
 * item's doc comment is no code a rule reports in or resolves a name by,
 * and tokio's doc comments name channels and async everywhere.
 */
static bool may_fire_on(const struct pass_run *run, const struct rule_slot *s, const struct cg_changed_file *file,
			const struct cg_source *src, uint32_t start, uint32_t end)
{
	struct cg_rule_ctx ctx;
	struct cg_tokenizer tz;
	if (!s->rule->may_fire)
		return true;
	if (cg_tokenizer_init(&tz, src->text + start, end - start) == 0)
		start += cg_tokenizer_next(&tz).start;
	cg_pass__fill_ctx(&ctx, run, s, file, CG_KIND_RUST);
	ctx.src = src;
	return s->rule->may_fire(&ctx, src->text + start, end - start);
}

/*
 * Parses only the top-level items that matter, when every rule that reads
 * this file's tree is item-local (struct cg_rule.is_item_local): an item
 * matters when it holds a shown line (a hook changes a few lines of big
 * files) and one of those rules may fire on its bytes (a full scan of a
 * file with one async fn); of an impl or trait block, when the rules that
 * may fire on it are member-local, only its head, the members that matter
 * and its closing brace. The parse always holds every use declaration,
 * `extern crate`, inner attribute and `mod x;` of the file, with the heads
 * and closing braces of the inline modules around them, so names and
 * scopes resolve as in a whole parse; the use map takes every fn name from
 * the scanner; and a rule whose prefilter passes on one of those shared
 * items (an alias naming a call) reads every shown item. Falls back to the
 * whole file (CG_PLAN_WHOLE_FILE) when the scanner cannot split it, when most of it
 * matters anyway, or when a finding's text occurs twice while a shown-line
 * filter left out an item a rule wanted (has_twin: the occurrence index).
 */
/* What run_on_items keeps of a file: byte ranges, and what the filter left out. */
struct item_plan {
	struct cg_byte_ranges keep;
	const struct rule_slot *tree[64]; /* the rules that read the tree */
	bool wants_all[64];		  /* tree[r]'s prefilter passed on a shared item */
	size_t ntree, nitems;
	bool is_hidden_wanted; /* a rule wanted an item no shown line is in */
};

/* Every shared item, with the heads and closing braces of the inline modules around it. */
static void plan_shared_items(struct item_plan *plan, const struct cg_items *items, const struct pass_run *run,
			      const struct cg_changed_file *file, const struct cg_source *src)
{
	for (size_t i = 0; i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		if (!cg_item_is_shared(it))
			continue;
		cg_byte_ranges_add(&plan->keep, it->start, it->end);
		for (size_t r = 0; r < plan->ntree; r++)
			plan->wants_all[r] =
				plan->wants_all[r] || may_fire_on(run, plan->tree[r], file, src, it->start, it->end);
		for (uint32_t p = it->parent; p != CG_ITEM_TOP; p = items->items[p].parent) {
			const struct cg_item *m = &items->items[p];
			uint32_t open = m->kind == CG_ITEM_MOD ? m->body : 0;
			if (!open) {
				cg_byte_ranges_add(&plan->keep, m->start, m->end);
				continue;
			}
			cg_byte_ranges_add(&plan->keep, m->start, open);
			cg_byte_ranges_add(&plan->keep, m->end - 1, m->end);
		}
	}
}

/*
 * Whether a tree-reading rule may fire on bytes [start, end); *is_splittable
 * turns false when one that may is not member-local (rule.h).
 */
static bool is_wanted(const struct item_plan *plan, const struct pass_run *run, const struct cg_changed_file *file,
		      const struct cg_source *src, uint32_t start, uint32_t end, bool *is_splittable)
{
	bool is_any = false;
	for (size_t r = 0; r < plan->ntree; r++) {
		if (!plan->wants_all[r] && !may_fire_on(run, plan->tree[r], file, src, start, end))
			continue;
		is_any = true;
		if (!plan->tree[r]->rule->is_member_local) {
			*is_splittable = false;
			return true;
		}
	}
	return is_any;
}

/* Keeps [start, end) as a wanted item when a shown line is in it. */
static void keep_if_shown(struct item_plan *plan, const struct cg_changed_file *file, enum cg_filter filter,
			  bool is_all_shown, const struct cg_source *src, uint32_t start, uint32_t end)
{
	if (is_all_shown || cg_pass__lines_visible(file, filter, cg_source_line_of(src, start),
						   cg_source_line_of(src, end ? end - 1 : 0))) {
		cg_byte_ranges_add(&plan->keep, start, end);
		plan->nitems++;
	} else {
		plan->is_hidden_wanted = true;
	}
}

/* A stray `;` the scanner lists after a macro call in a block body: it belongs to the call. */
static bool is_lone_semi(const struct cg_source *src, const struct cg_item *it)
{
	return it->kind == CG_ITEM_OTHER && it->end == it->decl + 1 && src->text[it->decl] == ';';
}

/*
 * Impl or trait block `items[i]`, which a rule may fire on: keeps its head,
 * the members a rule may fire on and its closing brace, when every rule
 * that may fire on them is member-local and its head and tail (after the
 * last member) are no reason to fire. One async method in a big impl is
 * then parsed without its sibling methods. False: keep the block whole.
 */
static bool plan_members(struct item_plan *plan, const struct cg_items *items, size_t i, const struct pass_run *run,
			 const struct cg_changed_file *file, const struct cg_source *src, bool is_all_shown)
{
	const struct cg_item *it = &items->items[i];
	size_t first = i + 1, last = i + 1, nkeep = plan->keep.n, nitems = plan->nitems;
	bool is_splittable = true, is_hidden_wanted = plan->is_hidden_wanted;

	if ((it->kind != CG_ITEM_IMPL && it->kind != CG_ITEM_TRAIT) || !it->has_body)
		return false;
	for (; last < items->n && items->items[last].parent == i; last++) {
		enum cg_item_kind k = items->items[last].kind;
		if (k == CG_ITEM_MOD || k == CG_ITEM_IMPL || k == CG_ITEM_TRAIT)
			return false;
	}
	if (first == last || is_wanted(plan, run, file, src, it->start, items->items[first].start, &is_splittable) ||
	    is_wanted(plan, run, file, src, items->items[last - 1].end, it->end, &is_splittable))
		return false;
	for (size_t j = first; j < last; j++) {
		const struct cg_item *m = &items->items[j];
		uint32_t end = m->end;
		if (!is_wanted(plan, run, file, src, m->start, m->end, &is_splittable))
			continue;
		if (!is_splittable) {
			plan->keep.n = nkeep;
			plan->nitems = nitems;
			plan->is_hidden_wanted = is_hidden_wanted;
			return false;
		}
		if (j + 1 < last && is_lone_semi(src, &items->items[j + 1]))
			end = items->items[j + 1].end;
		keep_if_shown(plan, file, run->env->filter, is_all_shown, src, m->start, end);
	}
	/* Otherwise what the block's prefilter passed on was a member's doc comment: no code to read. */
	if (plan->keep.n > nkeep) {
		cg_byte_ranges_add(&plan->keep, it->start, items->items[first].start);
		cg_byte_ranges_add(&plan->keep, it->end - 1, it->end);
	}
	return true;
}

/*
 * The other top-level items that a tree-reading rule may fire on and a shown
 * line is in; of an impl or trait block, only the members that matter
 * (plan_members).
 */
static void plan_wanted_items(struct item_plan *plan, const struct cg_items *items, const struct pass_run *run,
			      const struct cg_changed_file *file, const struct cg_source *src)
{
	enum cg_filter filter = run->env->filter;
	bool is_all_shown = file->is_whole_file || filter == CG_FILTER_ALL || filter == CG_FILTER_FILE;

	for (size_t i = 0; i < items->n; i++) {
		const struct cg_item *it = &items->items[i];
		bool is_splittable = true;
		if (it->parent != CG_ITEM_TOP || cg_item_is_shared(it))
			continue;
		if (!is_wanted(plan, run, file, src, it->start, it->end, &is_splittable))
			continue;
		if (is_splittable && plan_members(plan, items, i, run, file, src, is_all_shown))
			continue;
		keep_if_shown(plan, file, filter, is_all_shown, src, it->start, it->end);
	}
}

/* No item to read (the shared ones hold no calls): only the rules that read no tree work. */
static int run_textual_rules(struct cg_findings *raw, const struct pass_run *run, const struct rule_slot *slots,
			     size_t nslots, const struct cg_changed_file *file, const struct cg_source *src)
{
	struct rule_slot textual[64];
	size_t ntextual = 0;
	for (size_t r = 0; r < nslots; r++)
		if (!slots[r].reads_tree)
			textual[ntextual++] = slots[r];
	return cg_pass__run_rules(raw, run, textual, ntextual, file, CG_KIND_RUST, src, NULL);
}

int cg_pass__run_on_items(enum cg_plan_result *result, struct cg_findings *raw, const struct pass_run *run,
			  const struct rule_slot *slots, size_t nslots, const struct cg_changed_file *file,
			  struct cg_source *src)
{
	struct cg_items items;
	struct item_plan plan = { .keep = { NULL, 0, 0 } };
	struct cg_rust_file *rust = NULL;
	size_t from = raw->len;
	int err = 0;

	*result = CG_PLAN_WHOLE_FILE;
	if (!tree_rules(slots, nslots, plan.tree, &plan.ntree) || !plan.ntree)
		return 0;
	if (cg_items_scan(&items, src->text, src->len) < 0 || !items.is_clean) {
		goto done;
	}
	plan_shared_items(&plan, &items, run, file, src);
	plan_wanted_items(&plan, &items, run, file, src);
	/* Most of the file anyway: one whole parse is simpler and as cheap. */
	if (cg_byte_ranges_merge(&plan.keep, src->text) > src->len / 10 * 9)
		goto done;
	*result = CG_PLAN_DONE;
	if (!plan.nitems) {
		err = run_textual_rules(raw, run, slots, nslots, file, src);
		goto done;
	}
	if ((err = cg_source_parse_ranges(src, plan.keep.r, plan.keep.n)) < 0)
		goto done;
	rust = cg_rust_file_new_partial(src, &items);
	err = cg_pass__run_rules(raw, run, slots, nslots, file, CG_KIND_RUST, src, rust);
	if (!err && plan.is_hidden_wanted && has_twin(src, raw, from)) {
		while (raw->len > from)
			cg_finding_release(&raw->items[--raw->len]);
		cg_source_drop_tree(src);
		*result = CG_PLAN_WHOLE_FILE;
	}
done:
	cg_rust_file_free(rust);
	free(plan.keep.r);
	cg_items_release(&items);
	return err;
}
