#define _GNU_SOURCE
/*
 * unbounded-channel: every queue between tasks is bounded, so that a slow
 * consumer slows its producers down instead of letting memory grow until
 * the process dies. Flags calls to the constructors of unbounded channels
 * (config: rules.unbounded-channel.constructors), resolved through the
 * file's `use` declarations, in code that a build of the library compiles:
 * not in tests/, benches/, examples/, build.rs, #[cfg(test)] or #[test].
 */
#include <stdlib.h>
#include <string.h>

#include "rules/gate.h"
#include "rules/rule.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

static const struct cg_gate_env not_test = { .build = CG_GATE_NOT_TEST };

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_gate_symbols *sym;
	const struct cg_rust_file *rf;
	const struct cg_conf_node *ctors;
	int file_state; /* 0: not asked yet, 1: library code, -1: declared only for tests */
};

static const char *last_segment(const char *path)
{
	const char *p = path, *q;
	while ((q = strstr(p, "::")) != NULL)
		p = q + 2;
	return p;
}

/* The configured constructor `path` names, or NULL. */
static const void *constructor_of(const char *path, void *payload)
{
	const struct walk *w = payload;
	for (size_t i = 0; w->ctors && i < w->ctors->nkids; i++)
		if (!strcmp(cg_conf_str(w->ctors->kids[i], "path", ""), path))
			return w->ctors->kids[i];
	return NULL;
}

static void report(struct walk *w, TSNode fn, const struct cg_conf_node *ctor)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	const char *path = cg_conf_str(ctor, "path", "");
	const char *bounded = cg_conf_str(ctor, "bounded", "a bounded channel");

	cg_buf_printf(&msg,
		      "unbounded channel `%s` has no backpressure: nothing slows the senders, so a slow receiver lets "
		      "the queue and memory grow without limit; use `%s`",
		      path, bounded);
	cg_buf_printf(&help,
		      "with `%s` a sender waits (or `try_send` fails) once N messages are queued, which slows the "
		      "producer to the consumer's pace; pick N from the burst you expect",
		      bounded);
	e.span = cg_span_of(fn);
	e.message = msg.ptr;
	e.help = help.ptr;
	cg_rule_emit(w->ctx, &e);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	TSNode fn;
	const struct cg_conf_node *ctor;
	char *full = NULL;
	const struct cg_gate_symbols *sym = w->sym;
	TSSymbol s = ts_node_symbol(node);

	if (s == sym->string_literal || s == sym->raw_string_literal || s == sym->use_declaration)
		return CG_WALK_SKIP;
	if (s != sym->call_expression)
		return CG_WALK_ENTER;
	fn = ts_node_child_by_field_name(node, "function", 8);
	if (!ts_node_is_null(fn) && cg_node_type_is(fn, "generic_function"))
		fn = ts_node_child_by_field_name(fn, "function", 8);
	if (ts_node_is_null(fn) || !(cg_node_type_is(fn, "identifier") || cg_node_type_is(fn, "scoped_identifier")))
		return CG_WALK_ENTER;
	ctor = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, fn, constructor_of, w, &full);
	free(full);
	if (!ctor)
		return CG_WALK_ENTER;
	/* Asked once, and only with a finding in hand: it may read parent module files. */
	if (!w->file_state)
		w->file_state = cg_gate_file_excluded(w->ctx->change, w->ctx->path, &not_test) ? -1 : 1;
	if (w->file_state < 0)
		return CG_WALK_SKIP;
	report(w, fn, ctor);
	return CG_WALK_ENTER;
}

/*
 * Before parsing: no constructor's last segment in the bytes, no call to
 * one (an alias still names it in its `use`); test files never count.
 */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	const struct cg_conf_node *ctors = cg_conf_child(ctx->rule_cfg, "constructors");
	if (cg_rust_path_is_test(ctx->path))
		return false;
	for (size_t i = 0; ctors && i < ctors->nkids; i++) {
		const char *name = last_segment(cg_conf_str(ctors->kids[i], "path", ""));
		bool is_covered = false;
		/* A name holding an earlier one (unbounded_channel, channel), or equal to it, needs no pass of its own. */
		for (size_t k = 0; k < i && !is_covered; k++) {
			const char *prev = last_segment(cg_conf_str(ctors->kids[k], "path", ""));
			is_covered = *prev && strstr(name, prev) != NULL;
		}
		if (*name && !is_covered && memmem(text, len, name, strlen(name)))
			return true;
	}
	return false;
}

static int check(struct cg_rule_ctx *ctx)
{
	struct walk w = { 0 };
	int err = 0;

	w.ctx = ctx;
	w.sym = cg_gate_symbols();
	w.rf = ctx->file_data;
	w.ctors = cg_conf_child(ctx->rule_cfg, "constructors");
	if (w.rf && !cg_rust_path_is_test(ctx->path))
		err = cg_gate_walk(ctx->src, &not_test, visit, &w);
	return err;
}

const struct cg_rule cg_rule_unbounded_channel = {
	.id = "unbounded-channel",
	.default_severity = CG_SEV_WARNING,
	.summary = "channels between tasks are bounded, so slow consumers push back",
	.explain =
		"An unbounded channel never makes a sender wait: when the receiver falls behind (a\n"
		"slow database, a burst of requests, a stuck task) the queue grows until the process\n"
		"runs out of memory, and the latency of every message in it grows with it. A bounded\n"
		"channel gives backpressure: once N messages are queued, `send` waits (or `try_send`\n"
		"fails, which the sender can turn into shedding load or an error), so the producer\n"
		"runs at the consumer's pace.\n"
		"\n"
		"Flagged in library and binary code (not under tests/, benches/, examples/, not in\n"
		"build.rs, #[cfg(test)] modules or #[test] functions), resolved through `use`\n"
		"declarations, aliases and glob imports:\n"
		"    tokio::sync::mpsc::unbounded_channel  -> tokio::sync::mpsc::channel(N)\n"
		"    std::sync::mpsc::channel              -> std::sync::mpsc::sync_channel(N)\n"
		"    crossbeam_channel::unbounded          -> crossbeam_channel::bounded(N)\n"
		"    flume::unbounded                      -> flume::bounded(N)\n"
		"    async_channel::unbounded              -> async_channel::bounded(N)\n"
		"    futures::channel::mpsc::unbounded     -> futures::channel::mpsc::channel(N)\n"
		"The list is `rules.unbounded-channel.constructors` in config.\n"
		"\n"
		"Bad:\n"
		"    use tokio::sync::mpsc;\n"
		"    let (tx, rx) = mpsc::unbounded_channel::<Job>();\n"
		"    tx.send(job)?; // never waits, whatever the backlog\n"
		"\n"
		"Good:\n"
		"    use tokio::sync::mpsc;\n"
		"    let (tx, rx) = mpsc::channel::<Job>(1024);\n"
		"    tx.send(job).await?; // waits while 1024 jobs are queued\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
	/* Calls resolve through the use map; gates come from the item's own attributes. */
	.is_item_local = true,
};
