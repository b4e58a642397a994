#define _GNU_SOURCE
/*
 * unbounded-channel: every queue between tasks is bounded, so that a slow
 * consumer slows its producers down instead of letting memory grow until
 * the process dies. Flags calls to the constructors of unbounded channels
 * (config: rules.unbounded-channel.constructors), resolved through the
 * file's `use` declarations, in code that a build of the library compiles:
 * not in tests/, benches/, examples/, build.rs, #[cfg(test)] or #[test];
 * and only channels that can grow: not those whose structure bounds what
 * they hold (one message, a reply the sender waits for, a Semaphore or
 * want::Giver beside them, a collector drained after its producers).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crate/modules.h"
#include "crate/workspace.h"
#include "rules/gate.h"
#include "rules/rule.h"
#include "syntax/rust.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static const struct cg_gate_env not_test = { .build = CG_GATE_NOT_TEST };

struct walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	const struct cg_conf_node *ctors;
	int file_state; /* 0: not asked yet, 1: library code, -1: declared only for tests */
};

/* The configured constructor `path` names, or NULL. */
static const void *constructor_of(const char *path, void *payload)
{
	const struct walk *w = payload;
	for (size_t i = 0; w->ctors && i < w->ctors->nkids; i++)
		if (!strcmp(cg_conf_str(w->ctors->kids[i], "path", ""), path))
			return w->ctors->kids[i];
	return NULL;
}

/*
 * tokio's `unbounded_channel()` becomes `channel(CAPACITY)`: a sketch, not a
 * fix, since only a person knows the capacity, and the sender's `send`
 * becomes async (it waits for room) so its callers change too. The path keeps
 * its spelling (`mpsc::`); a bare or renamed import is spelled in full.
 * Returns the number of edits (0: none).
 */
static size_t bounded_sketch(const struct cg_source *src, TSNode fn, const char *path, struct cg_emit_edit edits[2])
{
	TSNode call = ts_node_parent(fn), args, name;

	if (strcmp(path, "tokio::sync::mpsc::unbounded_channel"))
		return 0;
	if (!ts_node_is_null(call) && cg_node_kind(call) == CG_K_GENERIC_FUNCTION)
		call = ts_node_parent(call);
	if (ts_node_is_null(call) || cg_node_kind(call) != CG_K_CALL_EXPRESSION)
		return 0;
	args = cg_child(call, CG_F_ARGUMENTS);
	if (ts_node_is_null(args) || ts_node_named_child_count(args) != 0 || ts_node_end_byte(args) < 2)
		return 0;
	name = cg_node_kind(fn) == CG_K_SCOPED_IDENTIFIER ? cg_child(fn, CG_F_NAME) : fn;
	if (ts_node_is_null(name))
		return 0;
	if (ts_node_end_byte(name) - ts_node_start_byte(name) == 17 &&
	    !memcmp(src->text + ts_node_start_byte(name), "unbounded_channel", 17))
		edits[0] = (struct cg_emit_edit){ ts_node_start_byte(name), ts_node_end_byte(name), "channel" };
	else
		edits[0] = (struct cg_emit_edit){ ts_node_start_byte(fn), ts_node_end_byte(fn),
						  "tokio::sync::mpsc::channel" };
	edits[1] = (struct cg_emit_edit){ ts_node_end_byte(args) - 1, ts_node_end_byte(args) - 1, "CAPACITY" };
	return 2;
}

static void report(struct walk *w, TSNode fn, const struct cg_conf_node *ctor)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	struct cg_emit_edit edits[2];
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
	e.edits = edits;
	e.nedits = bounded_sketch(w->ctx->src, fn, path, edits);
	e.applicability = CG_FIX_HAS_PLACEHOLDERS;
	cg_rule_emit(w->ctx, &e);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

/* The innermost function, closure or async block around `node` that holds its statements. */
static TSNode body_of(TSNode node)
{
	for (TSNode n = ts_node_parent(node); !ts_node_is_null(n); n = ts_node_parent(n))
		if (cg_node_kind(n) == CG_K_FUNCTION_ITEM)
			return cg_child(n, CG_F_BODY);
	return (TSNode){ 0 };
}

static bool text_has(const struct cg_source *src, TSNode n, const char *word)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(n))
		return false;
	t = cg_node_text(src, n, &len);
	return memmem(t, len, word, strlen(word)) != NULL;
}

struct uses {
	const struct cg_source *src;
	const char *name;
	size_t len;
	uint32_t after;	     /* only uses past the let */
	unsigned n;	     /* uses of the name */
	unsigned in_loop;    /* uses inside a loop, a closure or an async block */
	unsigned reads;	     /* `.recv()`, `.try_recv()`, `.next()`, `.await` on it, outside loops */
	unsigned sends;	     /* `.send(…)`, `.unbounded_send(…)` outside loops and closures */
	unsigned drops;	     /* `drop(name)` */
	unsigned clones;     /* `name.clone()` */
	unsigned drains;     /* `.try_iter()` outside loops, `while let … = name.try_recv()` */
	unsigned stores;     /* `Struct { field: name }`, `Struct { name }` */
	unsigned empties;    /* `name.is_empty()` */
	unsigned coalesced;  /* sends only into an empty queue (is_coalesced_send) */
	unsigned rebinds;    /* `let name = name.clone();`, counted at its pattern */
	unsigned task_sends; /* sends in an async block, no loop or closure between */
	unsigned handed;     /* moved into a message sent on another channel: `other.send((id, tx))` */
	unsigned streams;    /* made a Stream: `UnboundedReceiverStream::new(rx)`, `rx.into_stream()` */
	bool follows_calls;  /* a sender passed to a fn of the file counts as what that fn does with it */
	TSNode stored_in;    /* the field name of the last store */
	TSNode first;	     /* the first use */
	uint32_t first_use;  /* byte of the first use */
	uint32_t drop_at;    /* byte of the last drop */
	TSNode body; /* the let's block; loops count from inside it (a let in a loop makes a channel per turn) */
};

static bool is_repeating(TSNode n)
{
	enum cg_kind kind = cg_node_kind(n);
	/* `move |m| _ = tx.send(m)`: the grammar ends the closure at its `_` body and assigns the rest to it. */
	if (!strcmp(ts_node_type(n), "assignment_expression"))
		return cg_node_kind(cg_child(n, CG_F_LEFT)) == CG_K_CLOSURE_EXPRESSION;
	return kind == CG_K_LOOP_EXPRESSION || kind == CG_K_WHILE_EXPRESSION || kind == CG_K_FOR_EXPRESSION ||
	       kind == CG_K_CLOSURE_EXPRESSION || kind == CG_K_ASYNC_BLOCK;
}

/*
 * `recv` (a receiver, or the field holding one) emptied once without
 * waiting: `recv.try_iter()`, or `while let Ok(x) = recv.try_recv()` as the
 * loop's own condition, with no loop, closure or async block around up to
 * `top`. A receiver only ever emptied so is a collector read after its
 * producers ran: nothing consumes while they send, so a bounded channel
 * would block them for good.
 */
static bool is_drain(const struct cg_source *src, TSNode recv, TSNode top)
{
	TSNode field_expr = ts_node_parent(recv), call, up, field;
	if (ts_node_is_null(field_expr) || cg_node_kind(field_expr) != CG_K_FIELD_EXPRESSION ||
	    !ts_node_eq(cg_child(field_expr, CG_F_VALUE), recv))
		return false;
	call = ts_node_parent(field_expr);
	field = cg_child(field_expr, CG_F_FIELD);
	if (ts_node_is_null(call) || cg_node_kind(call) != CG_K_CALL_EXPRESSION)
		return false;
	up = ts_node_parent(call);
	if (cg_node_is(src, field, "try_recv")) {
		/* The while-let's own condition, not a try_recv polled in the loop's body. */
		if (ts_node_is_null(up) || strcmp(ts_node_type(up), "let_condition") ||
		    ts_node_is_null(ts_node_parent(up)) || cg_node_kind(ts_node_parent(up)) != CG_K_WHILE_EXPRESSION)
			return false;
		up = ts_node_parent(ts_node_parent(up));
	} else if (!cg_node_is(src, field, "try_iter")) {
		return false;
	}
	for (; !ts_node_is_null(up) && !ts_node_eq(up, top); up = ts_node_parent(up))
		if (is_repeating(up))
			return false;
	return true;
}

/* `name.is_empty()`, or with `negated` `!name.is_empty()`. */
static bool is_empty_ask(const struct cg_source *src, TSNode expr, const char *name, bool negated)
{
	TSNode fn;
	if (negated) {
		if (ts_node_is_null(expr) || cg_node_kind(expr) != CG_K_UNARY_EXPRESSION ||
		    cg_node_kind(ts_node_child(expr, 0)) != CG_K_BANG)
			return false;
		expr = ts_node_named_child(expr, 0);
	}
	while (!ts_node_is_null(expr) && cg_node_kind(expr) == CG_K_PARENTHESIZED_EXPRESSION)
		expr = ts_node_named_child(expr, 0);
	if (ts_node_is_null(expr) || cg_node_kind(expr) != CG_K_CALL_EXPRESSION)
		return false;
	fn = cg_child(expr, CG_F_FUNCTION);
	return cg_node_kind(fn) == CG_K_FIELD_EXPRESSION && cg_node_is(src, cg_child(fn, CG_F_FIELD), "is_empty") &&
	       cg_node_is(src, cg_child(fn, CG_F_VALUE), name);
}

/* A block that only leaves: `{ return; }`, `{ continue }`, `{ break; }`. */
static bool is_exit_block(const struct cg_source *src, TSNode block)
{
	static const char *const exits[] = { "return", "continue", "break" };
	size_t len;
	const char *t;
	if (ts_node_is_null(block) || cg_node_kind(block) != CG_K_BLOCK || ts_node_named_child_count(block) != 1)
		return false;
	t = cg_node_text(src, ts_node_named_child(block, 0), &len);
	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		if (len >= strlen(exits[i]) && !memcmp(t, exits[i], strlen(exits[i])))
			return true;
	return false;
}

/*
 * The send at `n` only runs while the queue is empty: after
 * `if !name.is_empty() { return; }` in its block, or inside
 * `if name.is_empty() { … }`, in the same turn of any loop or closure around
 * it. A wake-up that coalesces so holds one message at most.
 */
static bool is_coalesced_send(const struct cg_source *src, TSNode n, const char *name)
{
	for (TSNode up = n, parent = ts_node_parent(n); !ts_node_is_null(parent) && !is_repeating(up);
	     up = parent, parent = ts_node_parent(parent)) {
		enum cg_kind kind = cg_node_kind(parent);
		if (kind == CG_K_BLOCK) {
			for (TSNode sib = ts_node_prev_named_sibling(up); !ts_node_is_null(sib);
			     sib = ts_node_prev_named_sibling(sib)) {
				TSNode guard = cg_node_kind(sib) == CG_K_EXPRESSION_STATEMENT
						       ? ts_node_named_child(sib, 0)
						       : sib;
				if (!ts_node_is_null(guard) && cg_node_kind(guard) == CG_K_IF_EXPRESSION &&
				    ts_node_is_null(cg_child(guard, CG_F_ALTERNATIVE)) &&
				    is_empty_ask(src, cg_child(guard, CG_F_CONDITION), name, true) &&
				    is_exit_block(src, cg_child(guard, CG_F_CONSEQUENCE)))
					return true;
			}
		} else if (kind == CG_K_IF_EXPRESSION && ts_node_eq(cg_child(parent, CG_F_CONSEQUENCE), up) &&
			   is_empty_ask(src, cg_child(parent, CG_F_CONDITION), name, false)) {
			return true;
		}
	}
	return false;
}

/*
 * A closure handed to a spawn (`thread::spawn(move || …)`,
 * `Builder::new().spawn(move || …)`, `spawn_blocking`, `spawn_*`): a thread's body,
 * which runs once, as an async block does.
 */
static bool is_spawned_body(const struct cg_source *src, TSNode n)
{
	TSNode args = ts_node_parent(n), call, fn;
	const char *t, *last;
	size_t len, last_len;
	if (cg_node_kind(n) != CG_K_CLOSURE_EXPRESSION || ts_node_is_null(args) ||
	    cg_node_kind(args) != CG_K_ARGUMENTS || cg_node_kind(call = ts_node_parent(args)) != CG_K_CALL_EXPRESSION)
		return false;
	fn = cg_rust_call_function(call);
	if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION)
		fn = cg_child(fn, CG_F_FIELD);
	if (ts_node_is_null(fn))
		return false;
	t = cg_node_text(src, fn, &len);
	last = cg_rust_last_segment(t, len, &last_len);
	/* `spawn`, `spawn_blocking`, and a runtime's own names for them (`spawn_blocking_named`, `spawn_local`). */
	return last_len >= 5 && !memcmp(last, "spawn", 5) && (last_len == 5 || last[5] == '_');
}

/* A body that runs once: an async block, a spawned thread's closure. */
static bool runs_once(const struct cg_source *src, TSNode n)
{
	return cg_node_kind(n) == CG_K_ASYNC_BLOCK || is_spawned_body(src, n);
}

/* `n`, in `n.send(…)` or `n.unbounded_send(…)`, lies in a body that runs once with no loop or closure between. */
static bool is_task_send(const struct cg_source *src, TSNode n, TSNode top)
{
	for (TSNode up = ts_node_parent(n); !ts_node_is_null(up) && !ts_node_eq(up, top); up = ts_node_parent(up))
		if (is_repeating(up))
			return runs_once(src, up);
	return false;
}

/* `recv`, `try_recv`, …: a read of a receiver; `rx.next().await` is how a futures receiver (a Stream) is read. */
static bool is_read_method(const struct cg_source *src, TSNode method)
{
	static const char *const reads[] = {
		"recv", "try_recv", "recv_timeout", "blocking_recv", "recv_async", "next"
	};
	for (size_t i = 0; !ts_node_is_null(method) && i < sizeof(reads) / sizeof(reads[0]); i++)
		if (cg_node_is(src, method, reads[i]))
			return true;
	return false;
}

/* In a macro's tokens, the method `n` calls: `recv` of `rx . recv ()`, or a null node. */
static TSNode token_method(TSNode n)
{
	TSNode dot = ts_node_next_sibling(n), method;
	if (ts_node_is_null(dot) || strcmp(ts_node_type(dot), "."))
		return (TSNode){ 0 };
	method = ts_node_next_sibling(dot);
	if (ts_node_is_null(method) || cg_node_kind(method) != CG_K_IDENTIFIER)
		return (TSNode){ 0 };
	return method;
}

/* A send: `send`, `unbounded_send`, `try_send`, … */
static bool is_send_method(const struct cg_source *src, TSNode method)
{
	static const char *const sends[] = { "send",	   "unbounded_send", "try_send",
					     "send_async", "blocking_send",  "send_blocking" };
	for (size_t i = 0; !ts_node_is_null(method) && i < sizeof(sends) / sizeof(sends[0]); i++)
		if (cg_node_is(src, method, sends[i]))
			return true;
	return false;
}

/*
 * `n` lies in the arguments of a send on another channel, below `top`:
 * `subscriptions.send((id, tx))`, `.send(Request { reply: tx })`. A sender
 * handed over so is a reply address: its channel answers that request.
 */
static bool is_in_sent_message(const struct cg_source *src, TSNode n, TSNode top)
{
	for (TSNode up = ts_node_parent(n); !ts_node_is_null(up) && !ts_node_eq(up, top); up = ts_node_parent(up)) {
		TSNode fn;
		if (is_repeating(up))
			return false;
		if (cg_node_kind(up) != CG_K_ARGUMENTS)
			continue;
		fn = cg_child(ts_node_parent(up), CG_F_FUNCTION);
		if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_FIELD_EXPRESSION &&
		    is_send_method(src, cg_child(fn, CG_F_FIELD)))
			return true;
	}
	return false;
}

/* `n` is a `return …` or `break …`, or a statement of one. */
static bool is_leaving(TSNode n)
{
	if (!ts_node_is_null(n) && cg_node_kind(n) == CG_K_EXPRESSION_STATEMENT)
		n = ts_node_named_child(n, 0);
	return !ts_node_is_null(n) &&
	       (!strcmp(ts_node_type(n), "return_expression") || !strcmp(ts_node_type(n), "break_expression"));
}

/*
 * In the loop `loop`, a statement after `n`'s, in `n`'s block or one around
 * it, leaves the loop: `Ok(x) => { tx.send(x)?; return Ok(()); }`. A send
 * so placed runs once, however many turns come before it.
 */
static bool leaves_loop_after(TSNode n, TSNode loop)
{
	for (TSNode child = n, up = ts_node_parent(n); !ts_node_is_null(up) && !ts_node_eq(up, loop);
	     child = up, up = ts_node_parent(up))
		if (cg_node_kind(up) == CG_K_BLOCK)
			for (TSNode sib = ts_node_next_named_sibling(child); !ts_node_is_null(sib);
			     sib = ts_node_next_named_sibling(sib))
				if (is_leaving(sib))
					return true;
	return false;
}

static int count_use(TSNode n, void *payload);

/*
 * A fn of the file, called with a sender at argument `index`: whether it
 * sends through that parameter at most once, outside loops and closures,
 * and does nothing else with it (wezterm's ssh session hands each of four
 * pty parts over once). Only a fn the file defines once under that name.
 */
struct callee {
	const struct cg_source *src;
	const char *name;
	uint32_t index;	  /* the argument's position, `self` not counted */
	unsigned matches; /* fns of that name */
	bool sends_once;
};

static bool walk_whole_file(const struct cg_source *file, struct cg_source *whole, const struct cg_source **src,
			    TSNode *root, int (*cb)(TSNode n, void *payload), void *payload);

static bool param_sends_once(const struct cg_source *src, TSNode fn, uint32_t index)
{
	TSNode params = cg_child(fn, CG_F_PARAMETERS), body = cg_child(fn, CG_F_BODY), pat = { 0 };
	struct uses u;
	char *name;
	uint32_t k = 0;

	for (uint32_t i = 0; !ts_node_is_null(params) && i < ts_node_named_child_count(params); i++) {
		TSNode p = ts_node_named_child(params, i);
		if (strcmp(ts_node_type(p), "parameter"))
			continue;
		if (k++ == index) {
			pat = cg_child(p, CG_F_PATTERN);
			break;
		}
	}
	if (!ts_node_is_null(pat) && cg_node_kind(pat) == CG_K_MUT_PATTERN)
		pat = ts_node_named_child(pat, ts_node_named_child_count(pat) - 1);
	if (ts_node_is_null(pat) || cg_node_kind(pat) != CG_K_IDENTIFIER || ts_node_is_null(body))
		return false;
	name = cg_node_strdup(src, pat);
	u = (struct uses){
		.src = src, .name = name, .len = strlen(name), .after = ts_node_start_byte(body), .body = body
	};
	cg_walk(body, count_use, &u);
	free(name);
	return u.n && u.n == u.sends + u.drops && u.sends <= 1 && !u.clones && !u.stores;
}

static int check_callee(TSNode n, void *payload)
{
	struct callee *c = payload;
	if (cg_node_kind(n) != CG_K_FUNCTION_ITEM)
		return CG_WALK_ENTER;
	if (cg_node_is(c->src, cg_child(n, CG_F_NAME), c->name) && c->matches++ == 0)
		c->sends_once = param_sends_once(c->src, n, c->index);
	return CG_WALK_SKIP;
}

static bool callee_sends_once(const struct cg_source *file, TSNode arg)
{
	TSNode args = ts_node_parent(arg), call = ts_node_parent(args), fn = cg_child(call, CG_F_FUNCTION), name;
	struct callee c = { 0 };
	struct cg_source whole;
	TSNode root;
	bool is_read;

	if (ts_node_is_null(fn))
		return false;
	if (cg_node_kind(fn) == CG_K_IDENTIFIER) {
		name = fn;
	} else if (cg_node_kind(fn) == CG_K_SCOPED_IDENTIFIER && cg_node_is(file, cg_child(fn, CG_F_PATH), "Self")) {
		name = cg_child(fn, CG_F_NAME);
	} else if (cg_node_kind(fn) == CG_K_FIELD_EXPRESSION && cg_node_is(file, cg_child(fn, CG_F_VALUE), "self")) {
		name = cg_child(fn, CG_F_FIELD);
	} else {
		return false;
	}
	for (TSNode sib = ts_node_prev_named_sibling(arg); !ts_node_is_null(sib); sib = ts_node_prev_named_sibling(sib))
		c.index++;
	c.name = cg_node_strdup(file, name);
	is_read = walk_whole_file(file, &whole, &c.src, &root, check_callee, &c);
	free((char *)c.name);
	return is_read && c.matches == 1 && c.sends_once;
}

/* One use of the name in the block of its let, and how it is made (a cg_walk callback). */
static int count_use(TSNode n, void *payload)
{
	struct uses *u = payload;

	if (cg_node_kind(n) == CG_K_IDENTIFIER && ts_node_start_byte(n) > u->after && cg_node_is(u->src, n, u->name)) {
		TSNode parent = ts_node_parent(n), up = parent, inner = { 0 };
		bool is_repeated = false;
		unsigned loops = 0;
		/*
		 * An async block or a spawned thread's body runs once: a send in it
		 * (a task or thread that reports how it ended) is one message.
		 */
		for (; !ts_node_is_null(up) && !ts_node_eq(up, u->body); up = ts_node_parent(up)) {
			is_repeated = is_repeated || is_repeating(up);
			if (is_repeating(up) && !runs_once(u->src, up) && !loops++)
				inner = up;
		}
		/* The one loop around it is left right after: the send runs once. */
		bool is_looped = loops > 1 || (loops == 1 && (cg_node_kind(inner) == CG_K_CLOSURE_EXPRESSION ||
							      !leaves_loop_after(n, inner)));
		if (!u->n++) {
			u->first_use = ts_node_start_byte(n);
			u->first = n;
		}
		if (is_repeated)
			u->in_loop++;
		if (is_in_sent_message(u->src, n, u->body))
			u->handed++;
		if (cg_node_kind(parent) == CG_K_TOKEN_TREE) {
			/* `select! { _ = rx.recv() => … }`: the macro's tokens, read as the parser cannot. */
			if (!is_repeated && is_read_method(u->src, token_method(n)))
				u->reads++;
		} else if (cg_node_kind(parent) == CG_K_FIELD_EXPRESSION) {
			TSNode field = cg_child(parent, CG_F_FIELD), call = ts_node_parent(parent);
			bool is_call = cg_node_kind(call) == CG_K_CALL_EXPRESSION;
			bool is_send = is_call && (cg_node_is(u->src, field, "send") ||
						   cg_node_is(u->src, field, "unbounded_send"));
			if (!is_repeated && is_call && is_read_method(u->src, field))
				u->reads++;
			if (is_send && is_coalesced_send(u->src, n, u->name))
				u->coalesced++;
			else if (is_send && !is_looped)
				u->sends++;
			if (is_send && is_task_send(u->src, n, u->body))
				u->task_sends++;
			if (is_call && cg_node_is(u->src, field, "is_empty"))
				u->empties++;
			if (is_call && cg_node_is(u->src, field, "clone"))
				u->clones++;
			if (is_call && cg_node_is(u->src, field, "into_stream"))
				u->streams++;
			if (is_drain(u->src, n, u->body))
				u->drains++;
		} else if (cg_node_kind(parent) == CG_K_LET_DECLARATION &&
			   ts_node_eq(cg_child(parent, CG_F_PATTERN), n)) {
			TSNode value = cg_child(parent, CG_F_VALUE), fn;
			fn = cg_node_kind(value) == CG_K_CALL_EXPRESSION ? cg_child(value, CG_F_FUNCTION)
									 : (TSNode){ 0 };
			if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_FIELD_EXPRESSION &&
			    cg_node_is(u->src, cg_child(fn, CG_F_FIELD), "clone") &&
			    cg_node_is(u->src, cg_child(fn, CG_F_VALUE), u->name))
				u->rebinds++;
		} else if (cg_node_kind(parent) == CG_K_FIELD_INITIALIZER &&
			   ts_node_eq(cg_child(parent, CG_F_VALUE), n)) {
			u->stores++;
			u->stored_in = cg_child(parent, CG_F_FIELD);
		} else if (!strcmp(ts_node_type(parent), "shorthand_field_initializer")) {
			u->stores++;
			u->stored_in = n;
		} else if (cg_node_kind(parent) == CG_K_AWAIT_EXPRESSION && !is_repeated) {
			u->reads++;
		} else if (cg_node_kind(parent) == CG_K_ARGUMENTS) {
			TSNode call = ts_node_parent(parent), fn = cg_child(call, CG_F_FUNCTION);
			u->streams += text_has(u->src, fn, "Stream");
			if (!ts_node_is_null(fn) && cg_node_is(u->src, fn, "drop")) {
				u->drops++;
				u->drop_at = ts_node_start_byte(n);
			} else if (u->follows_calls && !is_looped && callee_sends_once(u->src, n)) {
				u->sends++;
			}
		}
	}
	return CG_WALK_ENTER;
}

/*
 * `n` is in a method that takes `self` by value, so it runs once per
 * struct: a drain there happens once, where one in `&mut self` (a UI's
 * update, called every frame) is a consumer polling as the senders send.
 */
static bool is_in_consuming_method(const struct cg_source *src, TSNode n)
{
	TSNode params, first;
	size_t len;
	const char *t;
	while (!ts_node_is_null(n) && cg_node_kind(n) != CG_K_FUNCTION_ITEM)
		n = ts_node_parent(n);
	params = ts_node_is_null(n) ? n : cg_child(n, CG_F_PARAMETERS);
	first = ts_node_is_null(params) ? params : ts_node_named_child(params, 0);
	if (ts_node_is_null(first) || strcmp(ts_node_type(first), "self_parameter"))
		return false;
	t = cg_node_text(src, first, &len);
	return !memchr(t, '&', len);
}

/*
 * A receiver stored in a struct field: the file's uses of fields of that
 * name empty it once without waiting (is_drain) in methods that consume
 * the struct, at least once, and do nothing else with it. Sends through a field of the same name are the
 * sender's side (senders and receivers often share field names); a method
 * call of that name is no field.
 */
struct field_uses {
	const struct cg_source *src;
	TSNode root;
	const char *name;
	unsigned drains, others;
};

static int count_field_use(TSNode n, void *payload)
{
	struct field_uses *f = payload;
	const struct cg_source *src = f->src;

	if (cg_node_kind(n) == CG_K_FIELD_EXPRESSION && cg_node_is(src, cg_child(n, CG_F_FIELD), f->name)) {
		TSNode up = ts_node_parent(n);
		TSNode method = cg_node_kind(up) == CG_K_FIELD_EXPRESSION ? cg_child(up, CG_F_FIELD) : (TSNode){ 0 };
		if ((!ts_node_is_null(method) &&
		     (cg_node_is(src, method, "send") || cg_node_is(src, method, "unbounded_send"))) ||
		    (cg_node_kind(up) == CG_K_CALL_EXPRESSION && ts_node_eq(cg_child(up, CG_F_FUNCTION), n)))
			; /* the sender's side, or a method of that name (`self.state.elements()`) */
		else if (is_drain(src, n, f->root) && is_in_consuming_method(src, n))
			f->drains++;
		else
			f->others++;
	}
	return CG_WALK_ENTER;
}

/*
 * Walks a whole parse of the file with `cb`, for a question about every use
 * of a field: the pass may have parsed only the items that can hold a
 * finding (is_item_local). `*src` and `*root` are set for the callback;
 * false when the file does not parse.
 */
static bool walk_whole_file(const struct cg_source *file, struct cg_source *whole, const struct cg_source **src,
			    TSNode *root, int (*cb)(TSNode n, void *payload), void *payload)
{
	if (cg_source_parse(whole, CG_LANG_RUST, file->text, file->len) < 0) {
		cg_error_clear();
		return false;
	}
	*src = whole;
	*root = cg_source_root(whole);
	cg_walk(*root, cb, payload);
	cg_source_release(whole);
	return true;
}

static bool field_is_drained(const struct cg_source *file, TSNode field_name)
{
	struct cg_source whole;
	struct field_uses f = { 0 };
	char *name = cg_node_strdup(file, field_name);
	bool is_read;

	f.name = name;
	is_read = walk_whole_file(file, &whole, &f.src, &f.root, count_field_use, &f);
	free(name);
	return is_read && f.drains && !f.others;
}

/*
 * How the file uses a struct field holding a sender: its methods that only
 * ask about the channel (`close`, `is_empty`, …), sends through it, `&x.field`
 * handed on, and any other use (a clone, a move) that may give the sender
 * away; and whether the field is `pub`, where others may do anything.
 */
struct sender_field {
	const struct cg_source *src;
	const char *name;
	unsigned closes, sends, refs, others;
	bool is_pub;
};

static int check_sender_field(TSNode n, void *payload)
{
	static const char *const asks[] = { "close",	"is_closed",	  "is_empty",	 "len",
					    "capacity", "receiver_count", "sender_count" };
	struct sender_field *f = payload;
	enum cg_kind kind = cg_node_kind(n);

	if (kind == CG_K_FIELD_DECLARATION && cg_node_is(f->src, cg_child(n, CG_F_NAME), f->name)) {
		f->is_pub |= ts_node_named_child_count(n) &&
			     cg_node_kind(ts_node_named_child(n, 0)) == CG_K_VISIBILITY_MODIFIER;
	} else if (kind == CG_K_FIELD_EXPRESSION && cg_node_is(f->src, cg_child(n, CG_F_FIELD), f->name)) {
		TSNode up = ts_node_parent(n);
		TSNode method = cg_node_kind(up) == CG_K_FIELD_EXPRESSION ? cg_child(up, CG_F_FIELD) : (TSNode){ 0 };
		bool is_call = !ts_node_is_null(method) && cg_node_kind(ts_node_parent(up)) == CG_K_CALL_EXPRESSION;
		bool is_ask = false;
		for (size_t i = 0; is_call && i < sizeof(asks) / sizeof(asks[0]) && !is_ask; i++)
			is_ask = cg_node_is(f->src, method, asks[i]);
		if (is_ask)
			f->closes += cg_node_is(f->src, method, "close");
		else if (is_call &&
			 (cg_node_is(f->src, method, "send") || cg_node_is(f->src, method, "unbounded_send") ||
			  cg_node_is(f->src, method, "try_send")))
			f->sends++;
		else if (cg_node_kind(up) == CG_K_REFERENCE_EXPRESSION)
			f->refs++;
		else
			f->others++;
	}
	return CG_WALK_ENTER;
}

static bool read_sender_field(const struct cg_source *file, TSNode field_name, struct sender_field *f)
{
	struct cg_source whole;
	char *name = cg_node_strdup(file, field_name);
	TSNode root;
	bool is_read;

	*f = (struct sender_field){ .name = name };
	is_read = walk_whole_file(file, &whole, &f->src, &root, check_sender_field, f);
	free(name);
	f->name = NULL;
	return is_read && !f->is_pub;
}

/*
 * A sender kept in a private field that nothing sends through, only
 * closes (`self.shutdown_tx.close()` in Drop: the receiver learns that it
 * closed, and the queue never holds a message). A field with no use here is
 * used elsewhere.
 */
static bool field_is_never_sent(const struct cg_source *file, TSNode field_name)
{
	struct sender_field f;
	return read_sender_field(file, field_name, &f) && f.closes && !f.sends && !f.refs && !f.others;
}

/*
 * A sender kept in a private field that never leaves the struct: the file
 * sends through it, or lends it (`&self.tx`), and nothing clones or moves
 * it. With the receiver in the same struct, the channel is the struct's own
 * queue (a free list, a work queue its workers feed), not a pipe between
 * tasks: a bounded one would block the struct's own callers on it.
 */
static bool field_stays_in_struct(const struct cg_source *file, TSNode field_name)
{
	struct sender_field f;
	return read_sender_field(file, field_name, &f) && (f.sends || f.refs) && !f.others;
}

/*
 * A receiver kept in a struct field that the file only polls: every use of
 * a field of that name is a chain of calls that never waits (`try_recv`,
 * `try_iter`, `try_lock`, no `.await`, `recv`, `next`, `iter`), and no
 * macro's tokens name it (`select!` waits out of the parser's sight).
 */
struct polled_field {
	const struct cg_source *src;
	const char *name;
	unsigned polls, waits;
};

static int check_polled_field(TSNode n, void *payload)
{
	static const char *const waits[] = { "recv",	   "next",	"iter",		 "recv_timeout",
					     "recv_async", "recv_many", "blocking_recv", "recv_deadline" };
	struct polled_field *f = payload;
	enum cg_kind kind = cg_node_kind(n);

	if (kind == CG_K_MACRO_INVOCATION) {
		f->waits += text_has(f->src, n, f->name);
		return CG_WALK_SKIP;
	}
	if (kind != CG_K_FIELD_EXPRESSION || !cg_node_is(f->src, cg_child(n, CG_F_FIELD), f->name))
		return CG_WALK_ENTER;
	for (TSNode up = ts_node_parent(n); !ts_node_is_null(up); up = ts_node_parent(up)) {
		enum cg_kind k = cg_node_kind(up);
		if (k == CG_K_AWAIT_EXPRESSION) {
			f->waits++;
			return CG_WALK_ENTER;
		}
		if (k == CG_K_FIELD_EXPRESSION) {
			for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
				if (cg_node_is(f->src, cg_child(up, CG_F_FIELD), waits[i])) {
					f->waits++;
					return CG_WALK_ENTER;
				}
		} else if (k != CG_K_CALL_EXPRESSION && k != CG_K_TRY_EXPRESSION) {
			break;
		}
	}
	f->polls++;
	return CG_WALK_ENTER;
}

static bool field_is_only_polled(const struct cg_source *file, const char *name)
{
	struct cg_source whole;
	struct polled_field f = { .name = name };
	TSNode root;
	return walk_whole_file(file, &whole, &f.src, &root, check_polled_field, &f) && f.polls && !f.waits;
}

/*
 * `rx` lies in the struct literal that stores `tx`, in a field the file
 * only polls (`Self { tx, rx: Arc::new(Mutex::new(rx)) }`).
 */
static bool is_polled_in_same_literal(const struct cg_source *src, TSNode tx, TSNode rx)
{
	TSNode lit = tx, field = rx;
	char *name;
	bool is_polled;

	while (!ts_node_is_null(lit) && cg_node_kind(lit) != CG_K_STRUCT_EXPRESSION)
		lit = ts_node_parent(lit);
	if (ts_node_is_null(lit) || ts_node_start_byte(rx) < ts_node_start_byte(lit) ||
	    ts_node_end_byte(rx) > ts_node_end_byte(lit))
		return false;
	while (!ts_node_is_null(field) && cg_node_kind(field) != CG_K_FIELD_INITIALIZER &&
	       strcmp(ts_node_type(field), "shorthand_field_initializer"))
		field = ts_node_parent(field);
	if (ts_node_is_null(field))
		return false;
	field = cg_node_kind(field) == CG_K_FIELD_INITIALIZER ? cg_child(field, CG_F_FIELD) : rx;
	name = cg_node_strdup(src, field);
	is_polled = field_is_only_polled(src, name);
	free(name);
	return is_polled;
}

/* The struct or enum named `name`, found by cg_walk over the whole file: whether it carries a oneshot reply. */
/* Text naming a oneshot: a reply sender. */
static bool names_oneshot(const struct cg_source *src, TSNode n)
{
	return text_has(src, n, "neshot");
}

struct message_type {
	const struct cg_source *src;
	const char *name;
	int carries; /* 0: not found, 1: carries a reply, -1: found, carries none (in some variant) */
};

static int find_message_type(TSNode n, void *payload)
{
	struct message_type *m = payload;
	enum cg_kind kind = cg_node_kind(n);
	TSNode body;

	if (kind == CG_K_FUNCTION_ITEM)
		return CG_WALK_SKIP;
	if ((kind != CG_K_STRUCT_ITEM && kind != CG_K_ENUM_ITEM) ||
	    !cg_node_is(m->src, cg_child(n, CG_F_NAME), m->name))
		return CG_WALK_ENTER;
	body = cg_child(n, CG_F_BODY);
	m->carries = ts_node_is_null(body) || !ts_node_named_child_count(body) ? -1 : 1;
	/* Every variant of an enum: one without a reply can be sent again and again. */
	for (uint32_t i = 0; kind == CG_K_ENUM_ITEM && m->carries > 0 && i < ts_node_named_child_count(body); i++) {
		TSNode variant = ts_node_named_child(body, i);
		if (!strcmp(ts_node_type(variant), "enum_variant") && !names_oneshot(m->src, variant))
			m->carries = -1;
	}
	if (kind == CG_K_STRUCT_ITEM && !names_oneshot(m->src, body))
		m->carries = -1;
	return CG_WALK_SKIP;
}

/* Collects the type names under `n` (a type or type arguments) into `names`. */
static int collect_type_names(TSNode n, void *payload)
{
	TSNode *names = payload;
	if (cg_node_kind(n) == CG_K_TYPE_IDENTIFIER)
		for (int i = 0; i < 4; i++)
			if (ts_node_is_null(names[i])) {
				names[i] = n;
				break;
			}
	return CG_WALK_ENTER;
}

/* The first generic type under a type named `…Sender<T>` or `…Receiver<T>`: `args` is its <T>. */
struct channel_type {
	const struct cg_source *src;
	TSNode args;
};

static int find_channel_type(TSNode n, void *payload)
{
	struct channel_type *c = payload;
	size_t len, last_len;
	const char *t, *last;

	if (!ts_node_is_null(c->args))
		return CG_WALK_SKIP;
	if (cg_node_kind(n) != CG_K_GENERIC_TYPE)
		return CG_WALK_ENTER;
	t = cg_node_text(c->src, cg_child(n, CG_F_TYPE), &len);
	last = cg_rust_last_segment(t, len, &last_len);
	if ((last_len >= 6 && !memcmp(last + last_len - 6, "Sender", 6)) ||
	    (last_len >= 8 && !memcmp(last + last_len - 8, "Receiver", 8))) {
		c->args = cg_child(n, CG_F_TYPE_ARGUMENTS);
		return CG_WALK_SKIP;
	}
	return CG_WALK_ENTER;
}

/*
 * The channel's item type carries a reply sender: `item` is the item type
 * (`channel::<Msg>()`'s arguments), or with `is_item` false a type holding
 * the channel's end (`Receiver<(Id, Sender<Response>)>`, a tuple of both
 * ends, an `Option<Sender<Msg>>` field). Written out (a oneshot or another
 * Sender inside it), or a struct of this file with a oneshot field, or an
 * enum each variant of which has one: a request whose sender waits for its
 * reply.
 */
static bool type_carries_reply(const struct cg_source *file, TSNode type, bool is_item)
{
	TSNode names[4];
	bool carries = false;

	if (ts_node_is_null(type))
		return false;
	if (!is_item) {
		struct channel_type c = { .src = file };
		cg_walk(type, find_channel_type, &c);
		if (ts_node_is_null(c.args))
			return false;
		type = c.args;
	}
	/*
	 * Written in the item type itself, another channel's Sender is a reply
	 * address too (`(Id, Sender<Response>)`); inside a job struct it may be a
	 * results channel many jobs share, sent in a loop without waiting.
	 */
	if (names_oneshot(file, type) || text_has(file, type, "Sender<"))
		return true;
	memset(names, 0, sizeof(names));
	cg_walk(type, collect_type_names, names);
	for (int i = 0; i < 4 && !carries && !ts_node_is_null(names[i]); i++) {
		struct cg_source whole;
		char *name = cg_node_strdup(file, names[i]);
		struct message_type m = { .name = name };
		TSNode root;
		carries = walk_whole_file(file, &whole, &m.src, &root, find_message_type, &m) && m.carries > 0;
		free(name);
	}
	return carries;
}

/* The item type of the channel `call` makes, at the call or the let, carries a reply (type_carries_reply). */
static bool item_carries_reply(const struct cg_source *file, TSNode call, TSNode let)
{
	TSNode fn = cg_child(call, CG_F_FUNCTION);
	return (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION &&
		type_carries_reply(file, cg_child(fn, CG_F_TYPE_ARGUMENTS), true)) ||
	       type_carries_reply(file, cg_child(let, CG_F_TYPE), false);
}

/* The declared type of the struct fields named `name` in the file carries a reply (type_carries_reply). */
struct field_type {
	const struct cg_source *src;
	const char *name;
	bool carries;
};

static int check_field_type(TSNode n, void *payload)
{
	struct field_type *f = payload;
	if (cg_node_kind(n) == CG_K_FUNCTION_ITEM)
		return CG_WALK_SKIP;
	if (cg_node_kind(n) == CG_K_FIELD_DECLARATION && cg_node_is(f->src, cg_child(n, CG_F_NAME), f->name)) {
		f->carries = f->carries || type_carries_reply(f->src, cg_child(n, CG_F_TYPE), false);
		return CG_WALK_SKIP;
	}
	return CG_WALK_ENTER;
}

static bool field_carries_reply(const struct cg_source *file, TSNode field_name)
{
	struct cg_source whole;
	char *name = cg_node_strdup(file, field_name);
	struct field_type f = { .name = name };
	TSNode root;
	bool is_read = walk_whole_file(file, &whole, &f.src, &root, check_field_type, &f);
	free(name);
	return is_read && f.carries;
}

/* The doc comment above the line of byte `at` (through attributes) says it is for tests. */
static bool doc_says_tests(const struct cg_source *src, uint32_t at)
{
	static const char *const says[] = { "for testing",	"for tests", "only in tests", "to use in tests",
					    "for use in tests", "test-only", "test only" };

	while (at > 0 && src->text[at - 1] != '\n')
		at--;
	while (at > 0) {
		uint32_t end = at - 1, start = end;
		const char *line;
		size_t len;
		while (start > 0 && src->text[start - 1] != '\n')
			start--;
		line = src->text + start;
		len = end - start;
		while (len && (*line == ' ' || *line == '\t'))
			line++, len--;
		if (len >= 3 && !memcmp(line, "///", 3)) {
			for (size_t i = 0; i < sizeof(says) / sizeof(says[0]); i++)
				for (size_t k = 0, plen = strlen(says[i]); k + plen <= len; k++)
					if (!strncasecmp(line + k, says[i], plen))
						return true;
		} else if (!(len >= 2 && !memcmp(line, "#[", 2))) {
			break;
		}
		at = start;
	}
	return false;
}

/* The `struct NAME` or `enum NAME` of this file whose doc says it is for tests. */
static bool type_documented_for_tests(const struct cg_source *src, const char *name, size_t len)
{
	static const char *const kinds[] = { "struct ", "enum " };
	for (size_t i = 0; i < 2; i++) {
		size_t klen = strlen(kinds[i]);
		for (const char *p = src->text, *end = src->text + src->len;
		     (p = memmem(p, (size_t)(end - p), kinds[i], klen)) != NULL; p += klen) {
			const char *q = p + klen;
			if ((p > src->text && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) ||
			    (size_t)(end - q) <= len || memcmp(q, name, len) ||
			    (q[len] == '_' || (q[len] >= 'a' && q[len] <= 'z') || (q[len] >= 'A' && q[len] <= 'Z') ||
			     (q[len] >= '0' && q[len] <= '9')))
				continue;
			if (doc_says_tests(src, (uint32_t)(p - src->text)))
				return true;
		}
	}
	return false;
}

/*
 * The fn around `n` says in its doc comment that it is for tests ("Use
 * this for testing"), or is a method of a type of this file that says so
 * ("An emitter to use in tests"): test support kept in the library, as test
 * code is.
 */
static bool is_documented_for_tests(const struct cg_source *src, TSNode n)
{
	TSNode impl, type;

	while (!ts_node_is_null(n) && cg_node_kind(n) != CG_K_FUNCTION_ITEM)
		n = ts_node_parent(n);
	if (ts_node_is_null(n))
		return false;
	if (doc_says_tests(src, ts_node_start_byte(n)))
		return true;
	for (impl = ts_node_parent(n); !ts_node_is_null(impl) && cg_node_kind(impl) != CG_K_IMPL_ITEM;
	     impl = ts_node_parent(impl))
		;
	if (ts_node_is_null(impl))
		return false;
	type = cg_child(impl, CG_F_TYPE);
	if (!ts_node_is_null(type) && cg_node_kind(type) == CG_K_GENERIC_TYPE)
		type = cg_child(type, CG_F_TYPE);
	if (ts_node_is_null(type) || cg_node_kind(type) != CG_K_TYPE_IDENTIFIER)
		return doc_says_tests(src, ts_node_start_byte(impl));
	{
		size_t len;
		const char *name = cg_node_text(src, type, &len);
		return doc_says_tests(src, ts_node_start_byte(impl)) || type_documented_for_tests(src, name, len);
	}
}

/*
 * Whether the channel created by `call` is bounded by how the code around
 * uses it. Judged in the enclosing fn, for `let (tx, rx) = ctor();`:
 *  - a reply channel: its item type names a oneshot (requests that carry
 *    their reply sender wait for it), or rx is read once, outside loops,
 *    and tx is not cloned;
 *  - paired with a Semaphore or a want::Giver, which bound it;
 *  - one message: tx sends once outside loops and closures (an async block
 *    or a spawned thread's closure runs once: a task that reports how it
 *    ended), or is only dropped;
 *  - a collector: tx dropped, then rx drained after it, so every producer
 *    has finished (a sync_channel(N) would deadlock there); or rx, kept in
 *    a local (or a struct field, drained by a method taking `self` by
 *    value), only ever emptied once without waiting (`try_iter()`,
 *    `while let Ok(x) = rx.try_recv()`), after the code that sends has run;
 *  - no message: tx kept in a private struct field that nothing sends
 *    through, only closes (a shutdown signal);
 *  - coalesced: every send runs only while the queue is empty
 *    (`if !tx.is_empty() { return; }` before it), so it holds one message;
 *  - one completion per task: tx only cloned as `let tx = tx.clone();`,
 *    each clone sending once from the async block of a task;
 *  - the struct's own queue: tx and rx stored in one struct literal, tx in
 *    a private field that never leaves it, rx only polled, never waited on
 *    (a free list, a work queue): no task consumes it, and a bounded one
 *    would block the struct's own callers;
 *  - the item type carries a reply sender (a oneshot, another channel's
 *    Sender), as the call, the let or the struct field that keeps an end
 *    declares it (item_carries_reply, field_carries_reply);
 *  - a reply address: tx only moved into a message sent on another channel
 *    (`subscriptions.send((id, tx))`), rx not read in a loop here nor made
 *    a Stream (a subscription's events);
 *  - one end dropped at once: `let (tx, _)`, `unbounded_channel().0`;
 *  - no receiver: rx never used while tx sends in no loop
 *    here (it is dropped at the end of the block, and later sends fail);
 *  - rx read once in a macro's tokens (`select! { _ = rx.recv() => … }`).
 * Anything else (tx cloned, stored, returned, sent in a loop, a spawned
 * task or a callback) can grow, and is reported.
 */
static bool is_structurally_bounded(const struct cg_source *src, TSNode call)
{
	TSNode let = ts_node_parent(call), pat, tx, rx, body;
	struct uses su = { 0 }, ru = { 0 };

	if (text_has(src, call, "neshot"))
		return true;
	/* `unbounded_channel().0`: the other end is dropped at once, so nothing queues. */
	if (!ts_node_is_null(let) && cg_node_kind(let) == CG_K_FIELD_EXPRESSION &&
	    !strcmp(ts_node_type(cg_child(let, CG_F_FIELD)), "integer_literal"))
		return true;
	if (ts_node_is_null(let) || cg_node_kind(let) != CG_K_LET_DECLARATION)
		return false;
	if (text_has(src, cg_child(let, CG_F_TYPE), "neshot") || item_carries_reply(src, call, let))
		return true;
	pat = cg_child(let, CG_F_PATTERN);
	body = ts_node_is_null(body_of(let)) ? body_of(let) : ts_node_parent(let);
	/* `let (tx, _) = …`: the receiver is dropped at once, and every send fails. */
	if (!ts_node_is_null(pat) && cg_node_kind(pat) == CG_K_TUPLE_PATTERN && ts_node_child_count(pat) == 5 &&
	    !strcmp(ts_node_type(ts_node_child(pat, 3)), "_"))
		return true;
	if (ts_node_is_null(pat) || cg_node_kind(pat) != CG_K_TUPLE_PATTERN || ts_node_named_child_count(pat) != 2 ||
	    ts_node_is_null(body))
		return false;
	tx = ts_node_named_child(pat, 0);
	rx = ts_node_named_child(pat, 1);
	/* `mut rx`: the name follows the mutable_specifier. */
	if (cg_node_kind(tx) == CG_K_MUT_PATTERN)
		tx = ts_node_named_child(tx, ts_node_named_child_count(tx) - 1);
	if (cg_node_kind(rx) == CG_K_MUT_PATTERN)
		rx = ts_node_named_child(rx, ts_node_named_child_count(rx) - 1);
	if (text_has(src, body_of(let), "Semaphore") || text_has(src, body_of(let), "want::new") ||
	    text_has(src, body_of(let), "Giver"))
		return true;
	if (cg_node_kind(tx) != CG_K_IDENTIFIER || cg_node_kind(rx) != CG_K_IDENTIFIER)
		return false;
	{
		char *txn = cg_node_strdup(src, tx), *rxn = cg_node_strdup(src, rx);
		bool is_bounded;
		su = (struct uses){ .src = src,
				    .name = txn,
				    .len = strlen(txn),
				    .after = ts_node_end_byte(let),
				    .body = body,
				    .follows_calls = true };
		ru = (struct uses){
			.src = src, .name = rxn, .len = strlen(rxn), .after = ts_node_end_byte(let), .body = body
		};
		cg_walk(body, count_use, &su);
		cg_walk(body, count_use, &ru);
		/* A reply is read once; a sender cloned for producers is no reply channel. */
		is_bounded = (ru.n == 1 && ru.reads == 1 && !su.clones) || (!ru.n && !su.in_loop) ||
			     (su.handed && su.n == su.handed + su.drops && !ru.in_loop && !ru.streams) ||
			     (ru.stores && field_carries_reply(src, ru.stored_in)) ||
			     (su.stores && field_carries_reply(src, su.stored_in)) ||
			     (su.n == su.drops + su.sends && su.sends <= 1) ||
			     (su.drops && ru.n && ru.first_use > su.drop_at) || (ru.n && ru.drains == ru.n) ||
			     (ru.n == 1 && ru.stores == 1 && field_is_drained(src, ru.stored_in)) ||
			     (su.n == 1 && su.stores == 1 && field_is_never_sent(src, su.stored_in)) ||
			     (su.coalesced && su.n == su.coalesced + su.empties + su.drops) ||
			     (su.rebinds && su.task_sends == su.rebinds &&
			      su.n == 2 * su.rebinds + su.task_sends + su.drops) ||
			     (su.n == 1 && su.stores == 1 && ru.n == 1 &&
			      is_polled_in_same_literal(src, su.first, ru.first) &&
			      field_stays_in_struct(src, su.stored_in));
		free(txn);
		free(rxn);
		return is_bounded;
	}
}

static int visit(TSNode node, void *payload)
{
	struct walk *w = payload;
	TSNode fn;
	const struct cg_conf_node *ctor;
	char *full = NULL;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_STRING_LITERAL || kind == CG_K_RAW_STRING_LITERAL || kind == CG_K_USE_DECLARATION)
		return CG_WALK_SKIP;
	if (kind != CG_K_CALL_EXPRESSION)
		return CG_WALK_ENTER;
	fn = cg_child(node, CG_F_FUNCTION);
	if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_GENERIC_FUNCTION)
		fn = cg_child(fn, CG_F_FUNCTION);
	if (ts_node_is_null(fn) || !(cg_node_kind(fn) == CG_K_IDENTIFIER || cg_node_kind(fn) == CG_K_SCOPED_IDENTIFIER))
		return CG_WALK_ENTER;
	ctor = cg_gate_resolve_call(w->ctx->src, w->rf, w->ctx->path, fn, constructor_of, w, &full);
	free(full);
	if (!ctor || is_structurally_bounded(w->ctx->src, node) || is_documented_for_tests(w->ctx->src, node))
		return CG_WALK_ENTER;
	/* Asked once, and only with a finding in hand: it may read parent module files. */
	if (!w->file_state)
		w->file_state = cg_gate_file_excluded(w->ctx->gate, w->ctx->change, w->ctx->path, &not_test) ? -1 : 1;
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
		const char *path = cg_conf_str(ctors->kids[i], "path", "");
		const char *name = cg_rust_last_segment(path, strlen(path), NULL);
		bool is_covered = false;
		/* A name holding an earlier one (unbounded_channel, channel), or equal to it, needs no pass of its own.
		 */
		for (size_t k = 0; k < i && !is_covered; k++) {
			const char *prev_path = cg_conf_str(ctors->kids[k], "path", "");
			const char *prev = cg_rust_last_segment(prev_path, strlen(prev_path), NULL);
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
	const struct cg_crate *cr;
	int err = 0;

	w.ctx = ctx;
	w.rf = ctx->file_data;
	w.ctors = cg_conf_child(ctx->rule_cfg, "constructors");
	/*
	 * A crate that exists for tests (a fake plugin, a mock pool, a harness
	 * described as "Proxy integration tests") runs only under them: test code.
	 */
	cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	if (cr && ((cr->manifest.package_name && cg_crate_name_is_test_support(cr->manifest.package_name)) ||
		   cr->manifest.describes_tests))
		return 0;
	if (w.rf && !cg_rust_path_is_test(ctx->path) &&
	    !(ctx->cargo && cg_crate_file_is_cfg_test(ctx->cargo, ctx->path)))
		err = cg_gate_walk(ctx->src, &not_test, visit, &w);
	return err;
}

const struct cg_rule cg_rule_unbounded_channel = {
	.id = "unbounded-channel",
	.default_severity = CG_SEV_WARNING,
	.is_opt_in = true,
	.summary = "channels between tasks are bounded, so slow consumers push back",
	.explain = "An unbounded channel never makes a sender wait: when the receiver falls behind (a\n"
		   "slow database, a burst of requests, a stuck task) the queue grows until the process\n"
		   "runs out of memory, and the latency of every message in it grows with it. A bounded\n"
		   "channel gives backpressure: once N messages are queued, `send` waits (or `try_send`\n"
		   "fails, which the sender can turn into shedding load or an error), so the producer\n"
		   "runs at the consumer's pace.\n"
		   "\n"
		   "Flagged in library and binary code (not under tests/, benches/, examples/, not in\n"
		   "build.rs, #[cfg(test)] modules or #[test] functions, nor in a crate whose name or\n"
		   "description's first line says it exists for tests: a word test, testing, testkit,\n"
		   "mock or fake, as in `foo-test-support` or \"Proxy integration tests\"), resolved\n"
		   "through `use` declarations, aliases and glob imports:\n"
		   "    tokio::sync::mpsc::unbounded_channel  -> tokio::sync::mpsc::channel(N)\n"
		   "    std::sync::mpsc::channel              -> std::sync::mpsc::sync_channel(N)\n"
		   "    crossbeam_channel::unbounded          -> crossbeam_channel::bounded(N)\n"
		   "    flume::unbounded                      -> flume::bounded(N)\n"
		   "    async_channel::unbounded              -> async_channel::bounded(N)\n"
		   "    futures::channel::mpsc::unbounded     -> futures::channel::mpsc::channel(N)\n"
		   "    futures_channel::mpsc::unbounded     -> futures_channel::mpsc::channel(N)\n"
		   "The list is `rules.unbounded-channel.constructors` in config.\n"
		   "\n"
		   "Only channels that can grow are reported: the sender is cloned, stored,\n"
		   "returned, or sends in a loop, a spawned task or a callback. Left alone, because\n"
		   "their structure bounds them: a sender that sends once (in the fn or in an async\n"
		   "block it spawns, outside loops and closures, or right before a `return` or\n"
		   "`break` that leaves its loop; also in a fn of the file it is handed to) or is\n"
		   "only dropped; a receiver read once (`recv`, `next().await`, also inside\n"
		   "`select!`: a reply channel, its sender not cloned); an end dropped at once (`let\n"
		   "(tx, _)`, `unbounded_channel().0`) or a receiver never used; an item type\n"
		   "carrying a reply sender (a oneshot, or another channel's Sender written in the\n"
		   "item type itself, as the call, the let or the struct field keeping an end\n"
		   "declares it; or a struct of the file with a oneshot field, or an enum each\n"
		   "variant of which has one); a sender only handed over in a message on another\n"
		   "channel (a reply address: `subscriptions.send((id, tx))`, its receiver neither\n"
		   "read in a loop nor made a Stream); a Semaphore or want::Giver in the same fn;\n"
		   "sends that only run while the queue is empty (`if !tx.is_empty() { return; }`\n"
		   "before them: a wake-up holds one message); one completion per task (`let tx =\n"
		   "tx.clone();`, each clone sending once from its task's async block); a struct's\n"
		   "own queue (both ends stored in one struct literal, the sender in a private field\n"
		   "that never leaves it, the receiver only polled with `try_recv`/`try_iter`, never\n"
		   "waited on: a free list, a work queue its workers feed); a fn (or the type of its\n"
		   "impl) whose doc comment says it is for testing; and collectors, where\n"
		   "sync_channel(N) could deadlock: drained after `drop(tx)`, or a receiver only\n"
		   "ever emptied once without waiting, by `try_iter()` or `while let Ok(x) =\n"
		   "rx.try_recv()` outside any loop, in its fn or (kept in a struct field) in a\n"
		   "method taking `self` by value; a UI polling a field from `&mut self` every frame\n"
		   "is a consumer, and is reported.\n"
		   "\n"
		   "Bad:\n"
		   "    use tokio::sync::mpsc;\n"
		   "    let (tx, rx) = mpsc::unbounded_channel::<Job>();\n"
		   "    for job in jobs { tx.send(job)?; } // never waits, whatever the backlog\n"
		   "\n"
		   "Good:\n"
		   "    use tokio::sync::mpsc;\n"
		   "    let (tx, rx) = mpsc::channel::<Job>(1024);\n"
		   "    for job in jobs { tx.send(job).await?; } // waits while 1024 jobs are queued\n"
		   "\n"
		   "Off by default: on 24 real repositories its findings were right 90 times in 109,\n"
		   "and on eight read for the first time (reth, helix, lapce, wezterm, vector, atuin,\n"
		   "neon, quinn) 60 times in 108 (bench/RESULTS.md, \"Precision\"), under the 19 in\n"
		   "20 every default rule must reach. Still reported wrongly: protocols that bound a\n"
		   "queue across two channels (a request answered before the next is sent, a step\n"
		   "that sends to N workers and then receives N results), channels whose senders\n"
		   "live elsewhere and send once or a few times (per block, per connection, a\n"
		   "shutdown), collectors read once production is over, and pools recycled through\n"
		   "the channel from callbacks. Turn it on with\n"
		   "`rules.unbounded-channel.enabled: true`.\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
	/* Calls resolve through the use map; gates come from the item's own attributes. */
	.is_item_local = true,
	.is_member_local = true,
};
