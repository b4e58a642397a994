#define _GNU_SOURCE
/*
 * chrono-ban: the team keeps all time handling in jiff. Flags banned crates
 * entering Cargo manifests (every dependency table, renames, workspace
 * inheritance, features that pull them in), Cargo.lock, and Rust source
 * (imports, paths, re-exports, serde attribute strings), naming the jiff
 * equivalent of what was used.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "crate/workspace.h"
#include "syntax/items.h"
#include "syntax/rust.h"
#include "syntax/toml.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"
#include "util/banned.h"

/* What chrono names map to in jiff. `key` is a name or "Type::function". */
static const struct {
	const char *key;
	const char *jiff;
} hints[] = {
	{ "Utc::now", "`Utc::now()` -> `jiff::Timestamp::now()`" },
	{ "Local::now", "`Local::now()` -> `jiff::Zoned::now()`" },
	{ "Utc", "`DateTime<Utc>` -> `jiff::Timestamp`, `Utc::now()` -> `jiff::Timestamp::now()`" },
	{ "Local", "`DateTime<Local>` -> `jiff::Zoned`, `Local::now()` -> `jiff::Zoned::now()`" },
	{ "FixedOffset", "`DateTime<FixedOffset>` -> `jiff::Zoned` (an offset alone: `jiff::tz::Offset`)" },
	{ "DateTime",
	  "`DateTime<Utc>` -> `jiff::Timestamp`, `DateTime<FixedOffset>`/`DateTime<Tz>`/`DateTime<Local>` -> "
	  "`jiff::Zoned`" },
	{ "NaiveDate", "`NaiveDate` -> `jiff::civil::Date`" },
	{ "NaiveDateTime", "`NaiveDateTime` -> `jiff::civil::DateTime`" },
	{ "NaiveTime", "`NaiveTime` -> `jiff::civil::Time`" },
	{ "Duration", "`Duration` -> `jiff::SignedDuration` (or `jiff::Span` for calendar units)" },
	{ "TimeDelta", "`TimeDelta` -> `jiff::SignedDuration` (or `jiff::Span` for calendar units)" },
	{ "Weekday", "`Weekday` -> `jiff::civil::Weekday`" },
	{ "Tz", "`DateTime<Tz>` -> `jiff::Zoned`, `Tz` -> `jiff::tz::TimeZone`" },
	{ "TimeZone",
	  "`TimeZone` -> `jiff::tz::TimeZone` (a value, not a trait: take one where chrono has `Tz: TimeZone`)" },
	{ "Days",
	  "`Days::new(n)` -> `jiff::Span::new().days(n)` (calendar days; `jiff::ToSpan` spells it `n.days()`)" },
	{ "LocalResult", "`LocalResult` -> jiff resolves ambiguous civil times itself: `civil::DateTime::to_zoned(tz)` "
			 "picks the compatible one, `tz.to_ambiguous_zoned(dt)` shows the choices" },
	{ "SecondsFormat",
	  "`to_rfc3339_opts(SecondsFormat::Millis, true)` -> `format!(\"{:.3}\", timestamp)` on a "
	  "jiff::Timestamp (its Display takes the precision: 0 for Secs, 6 Micros, 9 Nanos; it prints UTC as `Z`); "
	  "an offset kept: `format!(\"{:.3}\", zoned.timestamp().display_with_offset(zoned.offset()))`; "
	  "AutoSi has no twin: `{}` prints only the digits needed (`.1234`), AutoSi pads to 3, 6 or 9 (`.123400`)" },
	{ "Datelike", "`Datelike`/`Timelike` methods -> inherent methods of jiff's types (`.year()`, `.hour()`, ...)" },
	{ "Timelike", "`Datelike`/`Timelike` methods -> inherent methods of jiff's types (`.year()`, `.hour()`, ...)" },
	{ "parse_from_rfc3339", "`DateTime::parse_from_rfc3339(s)` -> `s.parse::<jiff::Timestamp>()` (the instant; "
				"the written offset is dropped: `jiff::fmt::temporal::Pieces::parse(s)` keeps it)" },
	{ "parse_from_str",
	  "`parse_from_str(s, f)` -> `strptime(f, s)` on the jiff type (format first: the arguments swap)" },
	{ "format", "`.format(f)` -> `.strftime(f)`" },
	{ "format::", "`chrono::format` items -> `jiff::fmt::strtime` (jiff's strftime/strptime formatting)" },
	{ "timestamp", "`.timestamp()` -> `.as_second()`" },
	{ "with_timezone", "`.with_timezone(&tz)` -> `.to_zoned(tz)` on a jiff::Timestamp (on a jiff::Zoned: "
			   "`.with_time_zone(tz)`)" },
	{ "ts_seconds", "`chrono::serde::ts_seconds` -> `jiff::fmt::serde::timestamp::second::required`" },
	{ "ts_seconds_option",
	  "`chrono::serde::ts_seconds_option` -> `jiff::fmt::serde::timestamp::second::optional`" },
	{ "ts_milliseconds",
	  "`chrono::serde::ts_milliseconds` -> `jiff::fmt::serde::timestamp::millisecond::required`" },
	{ "ts_milliseconds_option",
	  "`chrono::serde::ts_milliseconds_option` -> `jiff::fmt::serde::timestamp::millisecond::optional`" },
	{ "prelude", "`Utc::now()` -> `jiff::Timestamp::now()`, `DateTime<Utc>` -> `jiff::Timestamp`, `NaiveDate` -> "
		     "`jiff::civil::Date`, `Duration` -> `jiff::SignedDuration`" },
};

/* The jiff type `strptime` is called on, for a chrono type name. */
static const char *strptime_type(const char *chrono_type)
{
	if (!strcmp(chrono_type, "NaiveDate"))
		return "jiff::civil::Date";
	if (!strcmp(chrono_type, "NaiveDateTime"))
		return "jiff::civil::DateTime";
	if (!strcmp(chrono_type, "NaiveTime"))
		return "jiff::civil::Time";
	if (!strcmp(chrono_type, "DateTime"))
		return "jiff::Zoned";
	return NULL;
}

static const char *hint_of(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strlen(hints[i].key) == len && !memcmp(hints[i].key, key, len))
			return hints[i].jiff;
	return NULL;
}

/*
 * Appends the pieces of `hint` (separated by ", `") to a "; "-separated list,
 * each unless it is there already: `Utc` and `DateTime` share a piece.
 */
static void add_hint(struct cg_buf *b, const char *hint)
{
	const char *p = hint;
	while (p && *p) {
		const char *sep = strstr(p, ", `");
		size_t n = sep ? (size_t)(sep - p) : strlen(p);
		char *one = cg_strndup(p, n);
		if (n && !strstr(b->ptr, one)) {
			if (b->size)
				cg_buf_puts(b, "; ");
			cg_buf_puts(b, one);
		}
		free(one);
		p = sep ? sep + 2 : NULL;
	}
}

/* Splits a path into segments (borrowed pointers into a copy it owns). */
struct segs {
	char *copy;
	const char *s[32];
	size_t n;
	bool is_global; /* written with a leading "::" */
};

static void segs_split(struct segs *g, const char *path)
{
	char *p;
	memset(g, 0, sizeof(*g));
	g->is_global = path[0] == ':' && path[1] == ':';
	g->copy = cg_strdup(g->is_global ? path + 2 : path);
	p = g->copy;
	while (p && g->n < 32) {
		char *sep = strstr(p, "::");
		/* Generic arguments (`DateTime::<Utc>`) end the segment. */
		char *lt = strchr(p, '<');
		if (lt && (!sep || lt < sep))
			*lt = '\0';
		if (sep)
			*sep = '\0';
		if (*p)
			g->s[g->n++] = p;
		p = sep && (!lt || lt > sep) ? sep + 2 : NULL;
	}
}

static void segs_release(struct segs *g)
{
	free(g->copy);
}

/* Hints about calling a method: they fit only the last segment of a path, never a module (`chrono::format::Item`). */
static bool is_method_hint(const char *key)
{
	return !strcmp(key, "format") || !strcmp(key, "timestamp") || !strcmp(key, "with_timezone") ||
	       !strcmp(key, "parse_from_str") || !strcmp(key, "parse_from_rfc3339");
}

/* The hints a path's segments call for ("chrono::Utc::now" -> Utc::now). */
static void hints_for_path(struct cg_buf *out, const struct segs *g, size_t from)
{
	for (size_t i = g->n; i-- > from;) {
		const char *h = NULL;
		if (i + 1 < g->n && is_method_hint(g->s[i])) {
			/* The `chrono::format` module, not the method. */
			if (!strcmp(g->s[i], "format")) {
				add_hint(out, hint_of("format::", 8));
				return;
			}
			continue;
		}
		if (i > from) {
			struct cg_buf pair = CG_BUF_INIT;
			cg_buf_printf(&pair, "%s::%s", g->s[i - 1], g->s[i]);
			h = hint_of(pair.ptr, pair.size);
			cg_buf_release(&pair);
			if (h) {
				add_hint(out, h);
				return;
			}
		}
		if ((h = hint_of(g->s[i], strlen(g->s[i]))) != NULL) {
			add_hint(out, h);
			return;
		}
	}
}

struct ban {
	struct cg_rule_ctx *ctx;
	const struct cg_conf_node *crates;
	const struct cg_conf_node *enabling;
};

/* The replacement configured for a banned crate, or NULL when not banned. */
static const char *banned_n(const struct ban *b, const char *name, size_t len)
{
	for (size_t i = 0; b->crates && i < b->crates->nkids; i++) {
		const char *n = cg_conf_str(b->crates->kids[i], "name", "");
		size_t nl = strlen(n);
		bool same = nl == len;
		/* Cargo treats - and _ alike in crate names; Rust code spells them with _. */
		for (size_t k = 0; same && k < len; k++)
			same = n[k] == name[k] || ((n[k] == '-' || n[k] == '_') && (name[k] == '-' || name[k] == '_'));
		if (same)
			return cg_conf_str(b->crates->kids[i], "replacement", "jiff");
	}
	return NULL;
}

static const char *banned(const struct ban *b, const char *name)
{
	return name ? banned_n(b, name, strlen(name)) : NULL;
}

/* With `edits`, the finding has a fix: maybe-incorrect, since the code around a jiff value must follow. */
static void emit_fixed(struct cg_rule_ctx *ctx, struct cg_span span, const char *message, const char *help,
		       const struct cg_emit_edit *edits, size_t nedits)
{
	struct cg_emit e = { 0 };
	e.span = span;
	e.message = message;
	e.help = help && *help ? help : NULL;
	e.edits = edits;
	e.nedits = nedits;
	e.applicability = CG_FIX_MAYBE_INCORRECT;
	cg_rule_emit(ctx, &e);
}

static void emit_at(struct cg_rule_ctx *ctx, struct cg_span span, const char *message, const char *help)
{
	emit_fixed(ctx, span, message, help, NULL, 0);
}

/* ---------------------------------------------------------------- Rust -- */

/* A module's body (or the file, or a block declaring a module): where a `mod chrono` shadows the crate. */
struct scope {
	uint32_t start, end;
	bool shadows;
};

struct rust_walk {
	struct ban *ban;
	const struct cg_rust_file *rf;
	const struct cg_source *src;
	struct scope *scopes; /* the file first, then module bodies in source order */
	size_t nscopes, scopes_alloc;
	struct cg_buf extra;	    /* hints for calls through imported names, added to `use` findings */
	TSNode skip;		    /* a callee already reported with its call */
	struct cg_emit_edit fix[2]; /* the fix of the finding emit_rust makes next */
	size_t nfix;
};

static struct scope *scope_add(struct rust_walk *w, TSNode body)
{
	struct scope *sc;
	cg_array_grow((void **)&w->scopes, &w->scopes_alloc, w->nscopes + 1, sizeof(*w->scopes));
	sc = &w->scopes[w->nscopes++];
	sc->start = ts_node_start_byte(body);
	sc->end = ts_node_end_byte(body);
	sc->shadows = false;
	return sc;
}

/*
 * Whether a local module named like the crate is in scope at `byte`: a path
 * resolves in its innermost module, so `mod chrono {}` at the top of a file
 * hides the crate there but not inside `mod tests`, nor inside itself (where
 * `use chrono::..` is the crate again).
 */
static bool is_shadowed_at(const struct rust_walk *w, uint32_t byte)
{
	const struct scope *best = NULL;
	for (size_t i = 0; i < w->nscopes; i++) {
		const struct scope *sc = &w->scopes[i];
		if (sc->start <= byte && byte < sc->end && (!best || sc->end - sc->start <= best->end - best->start))
			best = sc;
	}
	return best && best->shadows;
}

static bool is_local_root(const char *seg)
{
	return !strcmp(seg, "crate") || !strcmp(seg, "self") || !strcmp(seg, "super") || !strcmp(seg, "Self");
}

/*
 * Which segment of a written path at `at_byte` names a banned crate: 0 for
 * `chrono::..` (unless a local module or a `use .. as chrono` shadows it), i > 0 for a
 * re-export like `sqlx::types::chrono::..`. Returns -1 when none.
 */
static int banned_segment(const struct rust_walk *w, const struct segs *g, uint32_t at_byte)
{
	if (!g->n || is_local_root(g->s[0]))
		return -1;
	if (banned(w->ban, g->s[0])) {
		const struct cg_use *u;
		if (!g->is_global && is_shadowed_at(w, at_byte))
			return -1;
		/* `use crate::clock as chrono;` makes `chrono::` local. */
		u = g->is_global ? NULL : cg_rust_use_of(w->rf, g->s[0], strlen(g->s[0]));
		if (u && strcmp(u->path, g->s[0])) {
			struct segs ug;
			int hit = -1;
			segs_split(&ug, u->path);
			for (size_t i = 0; i < ug.n && hit < 0; i++)
				if (banned(w->ban, ug.s[i]) && !(i == 0 && is_local_root(ug.s[0])))
					hit = 0;
			if (ug.n && is_local_root(ug.s[0]))
				hit = -1;
			segs_release(&ug);
			return hit;
		}
		return 0;
	}
	for (size_t i = 1; i + 1 <= g->n; i++)
		if (banned(w->ban, g->s[i]))
			return (int)i;
	return -1;
}

static void emit_rust(struct rust_walk *w, TSNode node, const char *crate, const char *what, const char *equiv,
		      const char *help)
{
	struct cg_buf msg = CG_BUF_INIT, h = CG_BUF_INIT;
	const char *rep = banned(w->ban, crate);

	cg_buf_printf(&msg, "%s is banned: %s; use %s", crate, what, rep ? rep : "jiff");
	if (equiv && *equiv)
		cg_buf_printf(&msg, ": %s", equiv);
	if (help && *help) {
		/* Only what the message does not say already. */
		const char *p = help;
		while (*p) {
			const char *sep = strstr(p, "; ");
			size_t n = sep ? (size_t)(sep - p) : strlen(p);
			char *one = cg_strndup(p, n);
			if (!strstr(msg.ptr, one))
				cg_buf_printf(&h, "%s%s", h.size ? "; " : "also in this file: ", one);
			free(one);
			p += n;
			if (*p)
				p += 2;
		}
	}
	if (!h.size)
		cg_buf_puts(&h, "`crabgate explain chrono-ban` lists the jiff equivalents");
	emit_fixed(w->ban->ctx, cg_span_of(node), msg.ptr, h.ptr, w->fix, w->nfix);
	w->nfix = 0;
	cg_buf_release(&msg);
	cg_buf_release(&h);
}

/*
 * chrono calls with a jiff twin of the same arguments (jiff 0.2's documented
 * API, listed in `crabgate explain chrono-ban`); `suffix` follows the call.
 */
static const struct {
	const char *chrono, *jiff, *suffix;
	/*
	 * The argument types differ (chrono's i32/u32, jiff's i16/i8): only
	 * integer literals, which take either type, keep the call building.
	 */
	bool needs_literals;
} jiff_twins[] = {
	{ "Utc::now", "jiff::Timestamp::now", NULL, false },
	{ "Duration::seconds", "jiff::SignedDuration::from_secs", NULL, false },
	{ "TimeDelta::seconds", "jiff::SignedDuration::from_secs", NULL, false },
	{ "NaiveDate::from_ymd_opt", "jiff::civil::Date::new", ".ok()", true },
};

/* Whether every argument of the call is an integer literal (`-1` too). */
static bool args_are_int_literals(TSNode call)
{
	TSNode args = cg_child(call, CG_F_ARGUMENTS);
	for (uint32_t i = 0; !ts_node_is_null(args) && i < ts_node_named_child_count(args); i++) {
		TSNode a = ts_node_named_child(args, i);
		if (cg_node_kind(a) == CG_K_UNARY_EXPRESSION && ts_node_named_child_count(a) == 1)
			a = ts_node_named_child(a, 0);
		if (strcmp(ts_node_type(a), "integer_literal"))
			return false;
	}
	return !ts_node_is_null(args);
}

/* `Utc::now().timestamp()`: jiff's Timestamp names the same i64 `as_second()` (and millis `as_millisecond()`). */
static void plan_timestamp_fix(struct rust_walk *w, TSNode call)
{
	TSNode fe = ts_node_parent(call), field, outer;
	size_t len;
	const char *m;

	if (ts_node_is_null(fe) || cg_node_kind(fe) != CG_K_FIELD_EXPRESSION ||
	    !ts_node_eq(cg_child(fe, CG_F_VALUE), call))
		return;
	field = cg_child(fe, CG_F_FIELD);
	outer = ts_node_parent(fe);
	if (ts_node_is_null(field) || ts_node_is_null(outer) || cg_node_kind(outer) != CG_K_CALL_EXPRESSION)
		return;
	m = cg_node_text(w->src, field, &len);
	if (len == 9 && !memcmp(m, "timestamp", 9))
		w->fix[w->nfix++] =
			(struct cg_emit_edit){ ts_node_start_byte(field), ts_node_end_byte(field), "as_second" };
	else if (len == 16 && !memcmp(m, "timestamp_millis", 16))
		w->fix[w->nfix++] =
			(struct cg_emit_edit){ ts_node_start_byte(field), ts_node_end_byte(field), "as_millisecond" };
}

/* The fix of `chrono::A::b(args)` written in full (g: its segments), when the crate's replacement is jiff. */
static void plan_call_fix(struct rust_walk *w, const struct segs *g, TSNode call, TSNode fn)
{
	const char *rep = banned(w->ban, g->s[0]);
	w->nfix = 0;
	if (g->n != 3 || !rep || strcmp(rep, "jiff") || strcmp(g->s[0], "chrono") ||
	    cg_node_kind(cg_child(call, CG_F_FUNCTION)) != CG_K_SCOPED_IDENTIFIER)
		return;
	for (size_t i = 0; i < sizeof(jiff_twins) / sizeof(*jiff_twins); i++) {
		const char *sep = strstr(jiff_twins[i].chrono, "::");
		if (strncmp(g->s[1], jiff_twins[i].chrono, (size_t)(sep - jiff_twins[i].chrono)) ||
		    g->s[1][sep - jiff_twins[i].chrono] || strcmp(g->s[2], sep + 2))
			continue;
		if (jiff_twins[i].needs_literals && !args_are_int_literals(call))
			return;
		w->fix[w->nfix++] =
			(struct cg_emit_edit){ ts_node_start_byte(fn), ts_node_end_byte(fn), jiff_twins[i].jiff };
		if (jiff_twins[i].suffix)
			w->fix[w->nfix++] = (struct cg_emit_edit){ ts_node_end_byte(call), ts_node_end_byte(call),
								   jiff_twins[i].suffix };
		else if (!strcmp(g->s[2], "now"))
			plan_timestamp_fix(w, call);
		return;
	}
}

/* The text of argument `i` of a call's argument list, or NULL. */
static char *call_arg(const struct cg_source *src, TSNode call, uint32_t i)
{
	TSNode args = cg_child(call, CG_F_ARGUMENTS);
	if (ts_node_is_null(args) || ts_node_named_child_count(args) <= i)
		return NULL;
	return cg_node_strdup(src, ts_node_named_child(args, i));
}

/* Concrete rewrites for calls: parse_from_str with the arguments swapped. */
static void hints_for_call(struct cg_buf *out, const struct cg_source *src, TSNode call, const struct segs *g)
{
	const char *type = g->n >= 2 ? g->s[g->n - 2] : NULL;
	const char *jt = type ? strptime_type(type) : NULL;
	if (g->n >= 1 && !strcmp(g->s[g->n - 1], "parse_from_str") && jt) {
		char *s = call_arg(src, call, 0), *f = call_arg(src, call, 1);
		if (s && f) {
			struct cg_buf h = CG_BUF_INIT;
			cg_buf_printf(&h,
				      "`%s::parse_from_str(%s, %s)` -> `%s::strptime(%s, %s)` (jiff takes the format "
				      "first%s)",
				      type, s, f, jt, f, s,
				      strstr(f, "%z")
					      ? "; chrono's %z also reads `+05:00`, jiff's `%z` only `+0500`: `%:z` "
						"reads the colon form"
					      : "");
			add_hint(out, h.ptr);
			cg_buf_release(&h);
		}
		free(s);
		free(f);
	}
	if (g->n >= 1 && !strcmp(g->s[g->n - 1], "parse_from_rfc3339")) {
		char *s = call_arg(src, call, 0);
		if (s) {
			struct cg_buf h = CG_BUF_INIT;
			/* The receiver of `.parse()`: `&token` is `token`, an expression goes in parentheses. */
			const char *r = s[0] == '&' ? s + 1 : s;
			bool is_simple = !strpbrk(r, " &*+-/|!?<>=");
			cg_buf_printf(&h,
				      "`DateTime::parse_from_rfc3339(%s)` -> `%s%s%s.parse::<jiff::Timestamp>()` (the "
				      "instant; the written offset is dropped: `jiff::fmt::temporal::Pieces::parse` "
				      "keeps it)",
				      s, is_simple ? "" : "(", r, is_simple ? "" : ")");
			add_hint(out, h.ptr);
			cg_buf_release(&h);
		}
		free(s);
	}
}

/* `.format(..)` and friends called right on a chrono value. */
static void hints_for_method_parent(struct cg_buf *out, const struct cg_source *src, TSNode node)
{
	TSNode parent = ts_node_parent(node);
	if (!ts_node_is_null(parent) && cg_node_kind(parent) == CG_K_FIELD_EXPRESSION) {
		TSNode field = cg_child(parent, CG_F_FIELD);
		if (!ts_node_is_null(field)) {
			size_t len;
			const char *t = cg_node_text(src, field, &len);
			if ((len == 6 && !memcmp(t, "format", 6)) || (len == 9 && !memcmp(t, "timestamp", 9)) ||
			    (len == 13 && !memcmp(t, "with_timezone", 13)))
				add_hint(out, hint_of(t, len));
		}
	}
}

/* `DateTime<Utc>` -> Timestamp, `DateTime<Tz>` -> Zoned: by the type argument. */
static void hints_for_generic(struct cg_buf *out, const struct cg_source *src, TSNode generic, const char *base)
{
	TSNode args = cg_child(generic, CG_F_TYPE_ARGUMENTS);
	char *text;
	const char *last;
	if (strcmp(base, "DateTime") || ts_node_is_null(args) || !ts_node_named_child_count(args)) {
		add_hint(out, hint_of(base, strlen(base)));
		return;
	}
	text = cg_rust_path_text(src, ts_node_named_child(args, 0));
	last = strrchr(text, ':');
	last = last ? last + 1 : text;
	if (!strcmp(last, "Utc")) {
		add_hint(out, "`DateTime<Utc>` -> `jiff::Timestamp`");
	} else if (!strcmp(last, "FixedOffset") || !strcmp(last, "Tz") || !strcmp(last, "Local")) {
		struct cg_buf h = CG_BUF_INIT;
		cg_buf_printf(&h, "`DateTime<%s>` -> `jiff::Zoned`", last);
		add_hint(out, h.ptr);
		cg_buf_release(&h);
	} else {
		add_hint(out, hint_of(base, strlen(base)));
	}
	free(text);
}

/* The written path of a call's callee or a generic's base, when it is a path. */
static TSNode path_child(TSNode node, const char *field, size_t flen)
{
	TSNode c = ts_node_child_by_field_name(node, field, (uint32_t)flen);
	if (ts_node_is_null(c))
		return c;
	if (cg_node_kind(c) == CG_K_SCOPED_IDENTIFIER || cg_node_kind(c) == CG_K_SCOPED_TYPE_IDENTIFIER ||
	    cg_node_kind(c) == CG_K_IDENTIFIER || cg_node_kind(c) == CG_K_TYPE_IDENTIFIER)
		return c;
	if (cg_node_kind(c) == CG_K_GENERIC_FUNCTION)
		return path_child(c, "function", 8);
	return (TSNode){ 0 };
}

/* Whether the words of [t, t+len) name the banned crate: `chrono::…`, or a name imported from it. */
static bool names_banned(const struct rust_walk *w, uint32_t at, const char *t, size_t len)
{
	struct cg_tokenizer tz;
	struct cg_token k;
	if (cg_tokenizer_init(&tz, t, len) < 0) {
		cg_error_clear();
		return false;
	}
	while ((k = cg_tokenizer_next(&tz)).kind != CG_TOKEN_END) {
		char *resolved;
		struct segs g;
		bool is_banned;
		if (k.kind != CG_TOKEN_WORD)
			continue;
		resolved = cg_rust_resolve_at(w->rf, at, t + k.start, k.end - k.start);
		segs_split(&g, resolved);
		is_banned = g.n && banned(w->ban, g.s[0]);
		segs_release(&g);
		free(resolved);
		if (is_banned)
			return true;
	}
	return false;
}

/*
 * Whether receiver `value` of `.format(..)`, `.timestamp()` or
 * `.with_timezone(..)` is a chrono value: a call of a chrono path or
 * imported name, or a name whose `let` value or declared type in the
 * enclosing fn (a parameter, a typed `let`) names chrono. A receiver the fn does not show the type of gets no hint:
 * those method names are everyone's (a fontconfig font's `.format()`).
 */
static bool is_chrono_value(const struct rust_walk *w, TSNode value)
{
	TSNode fn = value;
	size_t nlen, flen;
	const char *name, *t, *end;

	if (cg_node_kind(value) == CG_K_CALL_EXPRESSION) {
		/* `chrono::Utc::now().timestamp()`, `Utc::now().format(f)`. */
		TSNode callee = cg_child(value, CG_F_FUNCTION);
		if (ts_node_is_null(callee) || cg_node_kind(callee) == CG_K_FIELD_EXPRESSION)
			return false;
		{
			char *written = cg_rust_path_text(w->src, callee), *resolved;
			struct segs g;
			bool is_banned;
			resolved = cg_rust_resolve_at(w->rf, ts_node_start_byte(callee), written, strlen(written));
			segs_split(&g, resolved);
			/* `::chrono::…` is the crate even where a local `mod chrono` is in scope. */
			is_banned =
				g.n && banned(w->ban, g.s[0]) &&
				(g.is_global || written[0] == ':' || !is_shadowed_at(w, ts_node_start_byte(callee)));
			segs_release(&g);
			free(resolved);
			free(written);
			return is_banned;
		}
	}
	if (cg_node_kind(value) != CG_K_IDENTIFIER)
		return false;
	while (!ts_node_is_null(fn) && cg_node_kind(fn) != CG_K_FUNCTION_ITEM &&
	       cg_node_kind(fn) != CG_K_CLOSURE_EXPRESSION)
		fn = ts_node_parent(fn);
	if (ts_node_is_null(fn))
		return false;
	name = cg_node_text(w->src, value, &nlen);
	t = cg_node_text(w->src, fn, &flen);
	end = w->src->text + ts_node_start_byte(value);
	/* The binding before the use: `let name = …;`, `let name: T`, or a parameter `name: T`. */
	for (const char *p = t; (p = memmem(p, (size_t)(end - p), name, nlen)) != NULL; p += nlen) {
		const char *q = p + nlen, *stop;
		if ((p > t && (cg_is_ident_byte((unsigned char)p[-1]) || p[-1] == '.')) ||
		    cg_is_ident_byte((unsigned char)*q))
			continue;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (q >= end || (*q != ':' && *q != '=') || (*q == ':' && q + 1 < end && q[1] == ':') ||
		    (*q == '=' && q + 1 < end && q[1] == '='))
			continue;
		stop = q;
		while (stop < end && *stop != ';' && *stop != ',' && *stop != ')' && *stop != '{')
			stop++;
		if (names_banned(w, ts_node_start_byte(value), q + 1, (size_t)(stop - q - 1)))
			return true;
	}
	return false;
}

/* Pass 1: calls through imported chrono names, whose hints go on the `use` findings. */
static int collect_extra(TSNode node, void *payload)
{
	struct rust_walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL ||
	    kind == CG_K_USE_DECLARATION)
		return CG_WALK_SKIP;
	if (kind == CG_K_MOD_ITEM) {
		TSNode name = cg_child(node, CG_F_NAME);
		TSNode body = cg_child(node, CG_F_BODY);
		size_t len;
		const char *t = ts_node_is_null(name) ? "" : cg_node_text(w->src, name, &len);
		if (!ts_node_is_null(name) && banned_n(w->ban, t, len)) {
			TSNode parent = ts_node_parent(node);
			uint32_t start = ts_node_start_byte(parent), end = ts_node_end_byte(parent);
			struct scope *sc = NULL;
			for (size_t i = 0; i < w->nscopes && !sc; i++)
				if (w->scopes[i].start == start && w->scopes[i].end == end)
					sc = &w->scopes[i];
			/* Not a module body: a block that declares the module is a scope of its own. */
			if (!sc)
				sc = scope_add(w, parent);
			sc->shadows = true;
		}
		if (!ts_node_is_null(body))
			scope_add(w, body);
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_TOKEN_TREE) {
		/* `format!("{}", t.format("%H"))`: method calls in macro arguments are tokens. */
		uint32_t n = ts_node_child_count(node);
		for (uint32_t i = 1; i + 2 < n; i++) {
			TSNode dot = ts_node_child(node, i), name = ts_node_child(node, i + 1);
			size_t len;
			const char *t;
			if (cg_node_kind(dot) != CG_K_DOT || cg_node_kind(name) != CG_K_IDENTIFIER ||
			    cg_node_kind(ts_node_child(node, i + 2)) != CG_K_TOKEN_TREE ||
			    !is_chrono_value(w, ts_node_child(node, i - 1)))
				continue;
			t = cg_node_text(w->src, name, &len);
			if ((len == 6 && !memcmp(t, "format", 6)) || (len == 9 && !memcmp(t, "timestamp", 9)) ||
			    (len == 13 && !memcmp(t, "with_timezone", 13)))
				add_hint(&w->extra, hint_of(t, len));
		}
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_CALL_EXPRESSION || kind == CG_K_GENERIC_TYPE) {
		bool is_call = kind == CG_K_CALL_EXPRESSION;
		TSNode p = is_call ? path_child(node, "function", 8) : path_child(node, "type", 4);
		TSNode fn = is_call ? cg_child(node, CG_F_FUNCTION) : (TSNode){ 0 };
		/* `.format(..)`, `.timestamp()`, `.with_timezone(..)` on a name bound to a chrono value. */
		if (!ts_node_is_null(fn) && cg_node_kind(fn) == CG_K_FIELD_EXPRESSION) {
			TSNode value = cg_child(fn, CG_F_VALUE);
			if (!ts_node_is_null(value) && is_chrono_value(w, value))
				hints_for_method_parent(&w->extra, w->src, value);
		}
		char *written, *resolved;
		struct segs g, r;
		if (ts_node_is_null(p))
			return CG_WALK_ENTER;
		written = cg_rust_path_text(w->src, p);
		resolved = cg_rust_resolve(w->rf, written, strlen(written));
		segs_split(&g, written);
		segs_split(&r, resolved);
		/* Only names imported from a banned crate; written chrono:: paths get findings of their own. */
		if (g.n && r.n && strcmp(written, resolved) && banned(w->ban, r.s[0]) &&
		    banned_segment(w, &g, ts_node_start_byte(node)) < 0) {
			if (is_call) {
				hints_for_call(&w->extra, w->src, node, &g);
				hints_for_method_parent(&w->extra, w->src, node);
			} else {
				hints_for_generic(&w->extra, w->src, node, g.s[g.n - 1]);
			}
		}
		segs_release(&g);
		segs_release(&r);
		free(written);
		free(resolved);
	}
	return CG_WALK_ENTER;
}

/* A string in an attribute that names a banned path: #[serde(with = "chrono::serde::ts_seconds")]. */
static void check_attr_string(struct rust_walk *w, TSNode lit)
{
	struct cg_buf content = CG_BUF_INIT, eq = CG_BUF_INIT, what = CG_BUF_INIT;
	struct segs g;
	size_t len;
	const char *t = cg_node_text(w->src, lit, &len);
	bool is_path = len >= 2 && t[0] == '"' && t[len - 1] == '"';

	if (is_path)
		cg_buf_put(&content, t + 1, len - 2);
	for (size_t i = 0; is_path && i < content.size; i++) {
		char c = content.ptr[i];
		is_path = c == ':' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9');
	}
	if (!is_path || !strstr(content.ptr, "::")) {
		cg_buf_release(&content);
		return;
	}
	segs_split(&g, content.ptr);
	if (g.n && banned(w->ban, g.s[0])) {
		hints_for_path(&eq, &g, 1);
		cg_buf_printf(&what, "`%s` named in an attribute", content.ptr);
		emit_rust(w, lit, g.s[0], what.ptr, eq.ptr, NULL);
	}
	segs_release(&g);
	cg_buf_release(&content);
	cg_buf_release(&eq);
	cg_buf_release(&what);
}

static int attr_strings(TSNode node, void *payload)
{
	if (cg_node_kind(node) == CG_K_STRING_LITERAL) {
		check_attr_string(payload, node);
		return CG_WALK_SKIP;
	}
	return CG_WALK_ENTER;
}

/* A token that can be a segment of a path in a macro's arguments. */
static bool is_path_token(TSNode t)
{
	enum cg_kind kind = cg_node_kind(t);
	return kind == CG_K_IDENTIFIER || kind == CG_K_CRATE || kind == CG_K_SELF || kind == CG_K_SUPER;
}

/*
 * Macro arguments are token trees: `chrono :: Utc :: now` is a run of tokens,
 * not a path. Each run that starts a path (not the middle of `a::chrono::x`)
 * is read whole, so re-exports (`sqlx::types::chrono::NaiveTime`) are seen too.
 */
static void check_token_tree(struct rust_walk *w, TSNode tt)
{
	uint32_t n = ts_node_child_count(tt);
	for (uint32_t i = 0; i < n; i++) {
		TSNode id = ts_node_child(tt, i);
		TSNode prev = i ? ts_node_child(tt, i - 1) : (TSNode){ 0 };
		struct cg_buf path = CG_BUF_INIT, eq = CG_BUF_INIT, what = CG_BUF_INIT, msg = CG_BUF_INIT;
		struct segs g;
		uint32_t j = i;
		bool after_colons = !ts_node_is_null(prev) && cg_node_kind(prev) == CG_K_COLON_COLON;
		bool is_global = after_colons && (i < 2 || !is_path_token(ts_node_child(tt, i - 2)));
		size_t len;
		const char *t;
		int at;

		if (!is_path_token(id) || i + 2 >= n || cg_node_kind(ts_node_child(tt, i + 1)) != CG_K_COLON_COLON ||
		    (after_colons && !is_global))
			continue;
		if (is_global)
			cg_buf_puts(&path, "::");
		t = cg_node_text(w->src, id, &len);
		cg_buf_put(&path, t, len);
		while (j + 2 < n && cg_node_kind(ts_node_child(tt, j + 1)) == CG_K_COLON_COLON &&
		       is_path_token(ts_node_child(tt, j + 2))) {
			t = cg_node_text(w->src, ts_node_child(tt, j + 2), &len);
			cg_buf_puts(&path, "::");
			cg_buf_put(&path, t, len);
			j += 2;
		}
		segs_split(&g, path.ptr);
		at = j > i ? banned_segment(w, &g, ts_node_start_byte(id)) : -1;
		if (at >= 0) {
			struct cg_span s = cg_span_of(id), e = cg_span_of(ts_node_child(tt, j));
			struct cg_emit em = { 0 };
			const char *rep = banned(w->ban, g.s[at]);
			const char *written = path.ptr + (is_global ? 2 : 0);
			hints_for_path(&eq, &g, (size_t)at + 1);
			if (at > 0)
				cg_buf_printf(&what, "`%s` in a macro's arguments reaches it through a re-export",
					      written);
			else
				cg_buf_printf(&what, "`%s` used in a macro's arguments", written);
			s.end_line = e.end_line;
			s.end_column = e.end_column;
			cg_buf_printf(&msg, "%s is banned: %s; use %s", g.s[at], what.ptr, rep ? rep : "jiff");
			if (eq.size)
				cg_buf_printf(&msg, ": %s", eq.ptr);
			em.span = s;
			em.message = msg.ptr;
			em.help = "`crabgate explain chrono-ban` lists the jiff equivalents";
			cg_rule_emit(w->ban->ctx, &em);
		}
		segs_release(&g);
		cg_buf_release(&path);
		cg_buf_release(&eq);
		cg_buf_release(&what);
		cg_buf_release(&msg);
		i = j;
	}
}

static void check_use(struct rust_walk *w, TSNode node)
{
	struct cg_buf eq = CG_BUF_INIT, what = CG_BUF_INIT, names = CG_BUF_INIT;
	const char *crate = NULL;
	char *crate_own = NULL;

	for (size_t i = 0; i < w->rf->nuses; i++) {
		const struct cg_use *u = &w->rf->uses[i];
		struct segs g;
		int at;
		if (!ts_node_eq(u->decl, node))
			continue;
		segs_split(&g, u->path);
		at = banned_segment(w, &g, ts_node_start_byte(node));
		if (at >= 0) {
			if (!crate_own)
				crate = crate_own = cg_strdup(g.s[at]);
			if ((size_t)at + 1 < g.n || !strcmp(u->local, "*")) {
				if (strcmp(u->local, "*"))
					cg_buf_printf(&names, "%s%s", names.size ? ", " : "", g.s[g.n - 1]);
				hints_for_path(&eq, &g, (size_t)at + 1);
			}
		}
		segs_release(&g);
	}
	if (crate) {
		/* `use chrono;` and `use chrono::*;` bring the whole crate: the common equivalents. */
		if (!eq.size)
			add_hint(&eq, hint_of("prelude", 7));
		if (names.size)
			cg_buf_printf(&what, "`use` imports %s from it", names.ptr);
		else
			cg_buf_puts(&what, "imported by `use`");
		emit_rust(w, node, crate, what.ptr, eq.ptr, w->extra.ptr);
	}
	free(crate_own);
	cg_buf_release(&eq);
	cg_buf_release(&what);
	cg_buf_release(&names);
}

/* A written path (in an expression, type, pattern or attribute), reported on its outermost construct. */
static bool check_path(struct rust_walk *w, TSNode construct, TSNode path)
{
	char *text = cg_rust_path_text(w->src, path);
	struct cg_buf eq = CG_BUF_INIT, what = CG_BUF_INIT;
	struct segs g;
	int at;

	segs_split(&g, text);
	at = banned_segment(w, &g, ts_node_start_byte(construct));
	if (at >= 0) {
		if (cg_node_kind(construct) == CG_K_CALL_EXPRESSION) {
			if (at == 0)
				plan_call_fix(w, &g, construct, path);
			hints_for_call(&eq, w->src, construct, &g);
			if (!eq.size)
				hints_for_path(&eq, &g, (size_t)at + 1);
			hints_for_method_parent(&eq, w->src, construct);
		} else if (cg_node_kind(construct) == CG_K_GENERIC_TYPE && g.n) {
			hints_for_generic(&eq, w->src, construct, g.s[g.n - 1]);
			if (!eq.size)
				hints_for_path(&eq, &g, (size_t)at + 1);
		} else {
			hints_for_path(&eq, &g, (size_t)at + 1);
		}
		if (at > 0)
			cg_buf_printf(&what, "`%s` reaches it through a re-export", text);
		else
			cg_buf_printf(&what, "`%s` used here", text);
		emit_rust(w, construct, g.s[at], what.ptr, eq.ptr, NULL);
	}
	segs_release(&g);
	free(text);
	cg_buf_release(&eq);
	cg_buf_release(&what);
	return at >= 0;
}

static int rust_node(TSNode node, void *payload)
{
	struct rust_walk *w = payload;
	enum cg_kind kind = cg_node_kind(node);

	if (!ts_node_is_null(w->skip) && ts_node_eq(node, w->skip)) {
		w->skip = (TSNode){ 0 };
		return CG_WALK_SKIP;
	}
	if (kind == CG_K_LINE_COMMENT || kind == CG_K_BLOCK_COMMENT || kind == CG_K_STRING_LITERAL ||
	    kind == CG_K_RAW_STRING_LITERAL)
		return CG_WALK_SKIP;
	if (kind == CG_K_USE_DECLARATION) {
		check_use(w, node);
		return CG_WALK_SKIP;
	}
	if (kind == CG_K_EXTERN_CRATE_DECLARATION) {
		TSNode name = cg_child(node, CG_F_NAME);
		size_t len;
		const char *t = ts_node_is_null(name) ? "" : cg_node_text(w->src, name, &len);
		if (!ts_node_is_null(name) && banned_n(w->ban, t, len)) {
			char *crate = cg_strndup(t, len);
			emit_rust(w, node, crate, "linked with `extern crate`", hint_of("prelude", 7), NULL);
			free(crate);
		}
		return CG_WALK_SKIP;
	}
	if (kind == CG_K_ATTRIBUTE_ITEM || kind == CG_K_INNER_ATTRIBUTE_ITEM) {
		cg_walk(node, attr_strings, w);
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_TOKEN_TREE) {
		check_token_tree(w, node);
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_CALL_EXPRESSION) {
		TSNode p = path_child(node, "function", 8);
		/* Reported on the whole call; the callee is not reported again, the arguments are still seen. */
		if (!ts_node_is_null(p) && cg_node_kind(p) != CG_K_IDENTIFIER && check_path(w, node, p))
			w->skip = cg_child(node, CG_F_FUNCTION);
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_GENERIC_TYPE) {
		TSNode p = path_child(node, "type", 4);
		if (!ts_node_is_null(p) && cg_node_kind(p) == CG_K_SCOPED_TYPE_IDENTIFIER && check_path(w, node, p))
			return CG_WALK_SKIP;
		return CG_WALK_ENTER;
	}
	if (kind == CG_K_SCOPED_IDENTIFIER || kind == CG_K_SCOPED_TYPE_IDENTIFIER) {
		if (check_path(w, node, node))
			return CG_WALK_SKIP; /* the outermost path is enough */
		return CG_WALK_ENTER;
	}
	return CG_WALK_ENTER;
}

/* Sources of a package named like a banned crate are that crate itself, not a use of it. */
static bool is_banned_crate_itself(struct cg_rule_ctx *ctx, const struct ban *b)
{
	const struct cg_crate *cr = ctx->cargo ? cg_crate_of(ctx->cargo, ctx->path) : NULL;
	return cr && banned(b, cr->manifest.package_name);
}

static int check_rust(struct cg_rule_ctx *ctx, struct ban *b)
{
	struct rust_walk w = { .ban = b, .rf = ctx->file_data, .src = ctx->src, .extra = CG_BUF_INIT };
	TSNode root = cg_source_root(ctx->src);
	size_t len;
	const char *text = cg_node_text(ctx->src, root, &len);
	bool any = false;
	int err;

	/* Cheap prefilter: no banned name in the bytes, no finding. */
	for (size_t i = 0; b->crates && i < b->crates->nkids && !any; i++) {
		const char *n = cg_conf_str(b->crates->kids[i], "name", "");
		struct cg_buf rust_name = CG_BUF_INIT;
		for (const char *p = n; *p; p++)
			cg_buf_putc(&rust_name, *p == '-' ? '_' : *p);
		any = cg_has_word(text, len, rust_name.ptr, rust_name.size);
		cg_buf_release(&rust_name);
	}
	if (!any || !w.rf || is_banned_crate_itself(ctx, b))
		return 0;
	scope_add(&w, root);
	cg_walk(root, collect_extra, &w);
	err = cg_walk(root, rust_node, &w);
	cg_buf_release(&w.extra);
	free(w.scopes);
	return err;
}

/* ------------------------------------------------------------ manifests -- */

static bool same_crate_name(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') && (b[i] == '-' || b[i] == '_')))
			return false;
	return true;
}

/* `sqlx-core` is of the `sqlx` family: its features are the ones sqlx forwards to it. */
static bool same_crate_family(const char *family, const char *crate)
{
	size_t n = strlen(family);
	if (same_crate_name(family, crate))
		return true;
	return n && !strncmp(family, crate, n) && (crate[n] == '-' || crate[n] == '_');
}

/* The configured entry when `feature` of `crate` pulls a banned crate in. */
static const struct cg_conf_node *enabling(const struct ban *b, const char *crate, const char *feature)
{
	for (size_t i = 0; b->enabling && i < b->enabling->nkids; i++) {
		const struct cg_conf_node *e = b->enabling->kids[i];
		if (!same_crate_family(cg_conf_str(e, "crate", ""), crate))
			continue;
		if (feature && !cg_conf_seq_has(e, "features", feature))
			continue;
		return e;
	}
	return NULL;
}

static const struct cg_crate_dep *dep_by_key(const struct cg_manifest *m, const char *key)
{
	for (size_t i = 0; i < m->ndeps; i++)
		if (!m->deps[i].is_workspace_decl && !strcmp(m->deps[i].key, key))
			return &m->deps[i];
	return NULL;
}

/* The crate a dependency names, following `workspace = true` to the workspace's table. */
static const char *dep_crate(const struct cg_crate_dep *d, const struct cg_crate *ws)
{
	if (d->is_inherited && !d->package && ws) {
		for (size_t i = 0; i < ws->manifest.ndeps; i++) {
			const struct cg_crate_dep *w = &ws->manifest.deps[i];
			if (w->is_workspace_decl && !strcmp(w->key, d->key))
				return cg_crate_dep_crate(w);
		}
	}
	return cg_crate_dep_crate(d);
}

/*
 * The banned crate a feature's name says it turns on, when no configured
 * entry knows the crate: `chrono`, `chrono-impl` (ts-rs), `with-chrono-0_4`,
 * `chrono_0_4` all name chrono between separators; `no-chrono` does not.
 */
static const char *feature_names_banned(const struct ban *b, const char *feature, char **crate_out)
{
	size_t flen = strlen(feature);
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; b->crates && i < b->crates->nkids; i++) {
		const char *n = cg_conf_str(b->crates->kids[i], "name", "");
		size_t nl = strlen(n);
		for (size_t at = 0; nl && nl <= flen && at + nl <= flen; at++) {
			bool starts = at == 0 || feature[at - 1] == '-' || feature[at - 1] == '_';
			bool ends = at + nl == flen || feature[at + nl] == '-' || feature[at + nl] == '_';
			bool negated = at >= 3 && (!strncmp(feature + at - 3, "no", 2) ||
						   (at >= 8 && !strncmp(feature + at - 8, "without", 7)));
			if (starts && ends && !negated && banned_n(b, feature + at, nl) && nl > best_len) {
				best = n;
				best_len = nl;
			}
		}
	}
	*crate_out = best ? cg_strdup(best) : NULL;
	return best ? banned(b, best) : NULL;
}

static void emit_feature(struct cg_rule_ctx *ctx, const struct ban *b, const char *enables, const char *instead,
			 const char *crate, const char *feature, struct cg_crate_pos pos)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	const char *rep = banned(b, enables);
	cg_buf_printf(&msg, "%s's feature `%s` pulls in %s, which is banned; use %s: %s", crate, feature, enables,
		      rep ? rep : "jiff", instead);
	cg_buf_printf(&help,
		      "drop the `%s` feature and convert at the boundary with jiff types; the list of such features "
		      "is rules.chrono-ban.enabling_features",
		      feature);
	emit_at(ctx, cg_span_of_pos(pos), msg.ptr, help.ptr);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

/* A feature of `crate` turned on in a manifest: configured, or named after a banned crate. */
static void check_enabled_feature(struct cg_rule_ctx *ctx, const struct ban *b, const char *crate, const char *feature,
				  struct cg_crate_pos pos)
{
	const struct cg_conf_node *e = enabling(b, crate, feature);
	char *named = NULL;
	if (e) {
		emit_feature(ctx, b, cg_conf_str(e, "enables", "chrono"),
			     cg_conf_str(e, "instead", "jiff's own support"), crate, feature, pos);
	} else if (feature_names_banned(b, feature, &named)) {
		emit_feature(ctx, b, named, "jiff's own support in that crate, or convert at the boundary", crate,
			     feature, pos);
	}
	free(named);
}

/*
 * `chrono = …` on one line of a dependency table becomes `jiff = "0.2"`: the
 * code must follow, so it is maybe-incorrect. Returns the number of edits.
 */
static size_t manifest_fix(struct cg_emit_edit *out, const struct cg_rule_ctx *ctx, const struct cg_crate_dep *d,
			   const char *rep)
{
	const struct cg_source *src = ctx->src;
	const struct cg_crate_pos *p = &d->pos;

	if (strcmp(rep, "jiff") || strcmp(d->key, "chrono") || d->package || d->is_workspace_decl || d->is_inherited ||
	    p->line != p->end_line || !p->line || p->line > src->nlines || !p->column || p->end_column <= p->column)
		return 0;
	out->start = src->line_starts[p->line - 1] + p->column - 1;
	out->end = src->line_starts[p->line - 1] + p->end_column - 1;
	out->replacement = "jiff = \"0.2\"";
	return 1;
}

static void check_dep(struct cg_rule_ctx *ctx, const struct ban *b, const struct cg_crate_dep *d,
		      const struct cg_crate *ws)
{
	const char *crate = dep_crate(d, ws);
	const char *rep = banned(b, crate);

	if (rep) {
		struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
		struct cg_emit_edit dep_fix = { 0 };
		if (d->is_workspace_decl)
			cg_buf_printf(&msg, "%s is banned: declared for the workspace in [workspace.dependencies]",
				      crate);
		else
			cg_buf_printf(&msg, "%s is banned: added to [%s]", crate, d->table);
		if (strcmp(crate, d->key))
			cg_buf_printf(&msg, " as `%s`", d->key);
		if (d->is_inherited)
			cg_buf_puts(&msg, " (inherited from the workspace)");
		if (d->is_optional)
			cg_buf_puts(&msg, " as an optional dependency");
		cg_buf_printf(&msg, "; use %s instead", rep);
		cg_buf_printf(&help,
			      "depend on %s and port the code; `crabgate explain chrono-ban` lists the equivalents "
			      "(`Utc::now()` -> `jiff::Timestamp::now()`, `NaiveDate` -> `jiff::civil::Date`, ...)",
			      rep);
		emit_fixed(ctx, cg_span_of_pos(d->pos), msg.ptr, help.ptr, &dep_fix,
			   manifest_fix(&dep_fix, ctx, d, rep));
		cg_buf_release(&msg);
		cg_buf_release(&help);
		return;
	}
	for (size_t i = 0; i < d->nfeatures; i++)
		check_enabled_feature(ctx, b, crate, d->features[i].text, d->features[i].pos);
}

/* `[features]` items: "dep:chrono", "chrono/serde", "chrono?/serde", "sqlx/chrono", "chrono". */
static void check_feature_item(struct cg_rule_ctx *ctx, const struct ban *b, const struct cg_manifest *m,
			       const struct cg_crate *ws, const struct cg_crate_feature *f,
			       const struct cg_crate_str *item)
{
	const char *t = item->text, *slash = strchr(t, '/');
	char *name = NULL, *sub = NULL;
	const struct cg_crate_dep *d;
	const char *crate, *rep;
	struct cg_buf msg = CG_BUF_INIT;

	if (cg_starts_with(t, "dep:")) {
		name = cg_strdup(t + 4);
	} else if (slash) {
		size_t n = (size_t)(slash - t);
		if (n && t[n - 1] == '?')
			n--;
		name = cg_strndup(t, n);
		sub = cg_strdup(slash + 1);
	} else {
		/* A bare name is a feature of this crate, or an optional dependency's implicit feature. */
		if (!(d = dep_by_key(m, t)) || !d->is_optional)
			goto done;
		name = cg_strdup(t);
	}
	d = dep_by_key(m, name);
	crate = d ? dep_crate(d, ws) : name;
	if ((rep = banned(b, crate)) != NULL) {
		cg_buf_printf(&msg, "feature `%s` turns on the banned crate %s (`%s`); use %s instead", f->name, crate,
			      t, rep);
		emit_at(ctx, cg_span_of_pos(item->pos), msg.ptr,
			"remove the item from the feature and port the code to jiff");
	} else if (sub) {
		check_enabled_feature(ctx, b, crate, sub, item->pos);
	}
done:
	free(name);
	free(sub);
	cg_buf_release(&msg);
}

static int check_manifest(struct cg_rule_ctx *ctx, struct ban *b)
{
	struct cg_manifest m;
	const struct cg_crate *ws = NULL;

	cg_manifest_parse(&m, ctx->src);
	if (ctx->cargo) {
		char *dir = cg_path_dir(ctx->path);
		const struct cg_crate *self = cg_crate_manifest_in(ctx->cargo, dir);
		ws = self ? self->workspace : NULL;
		free(dir);
	}
	for (size_t i = 0; i < m.ndeps; i++)
		check_dep(ctx, b, &m.deps[i], ws);
	for (size_t i = 0; i < m.nfeatures; i++)
		for (size_t k = 0; k < m.features[i].nitems; k++)
			check_feature_item(ctx, b, &m, ws, &m.features[i], &m.features[i].items[k]);
	cg_manifest_release(&m);
	return 0;
}

/* A banned crate new in Cargo.lock, and the packages that pull it in. */
static int check_lock(struct cg_rule_ctx *ctx, struct ban *b)
{
	struct cg_lockfile lock;

	cg_lockfile_parse(&lock, ctx->src);
	for (size_t i = 0; i < lock.npackages; i++) {
		const struct cg_lock_package *p = &lock.packages[i];
		struct cg_buf msg = CG_BUF_INIT, by = CG_BUF_INIT, help = CG_BUF_INIT;
		const char *rep = banned(b, p->name);
		size_t nby = 0;
		if (!rep || !p->name_pos.line)
			continue;
		for (size_t k = 0; k < lock.npackages; k++) {
			const struct cg_lock_package *q = &lock.packages[k];
			for (size_t d = 0; d < q->ndeps; d++) {
				if (!q->name || strcmp(q->deps[d], p->name) || strstr(by.ptr, q->name))
					continue;
				cg_buf_printf(&by, "%s%s", nby++ ? ", " : "", q->name);
				/* Name the feature to turn off when the dependent is a known one (sqlx-core -> sqlx).
				 */
				for (size_t e = 0; b->enabling && e < b->enabling->nkids; e++) {
					const struct cg_conf_node *en = b->enabling->kids[e];
					const char *c = cg_conf_str(en, "crate", "");
					size_t cl = strlen(c);
					bool match = same_crate_name(c, q->name) ||
						     (!strncmp(c, q->name, cl) &&
						      (q->name[cl] == '-' || q->name[cl] == '_'));
					if (match && !strstr(help.ptr, c))
						cg_buf_printf(&help, "%sif %s brings it (its feature %s): %s",
							      help.size ? "; " : "", c,
							      cg_conf_child(en, "features") &&
									      cg_conf_child(en, "features")->nkids
								      ? cg_conf_child(en, "features")->kids[0]->value
								      : "?",
							      cg_conf_str(en, "instead", "use jiff's support"));
				}
				break;
			}
		}
		cg_buf_printf(&msg, "%s%s%s enters Cargo.lock and is banned", p->name, p->version ? " " : "",
			      p->version ? p->version : "");
		if (nby)
			cg_buf_printf(&msg, "; pulled in by %s", by.ptr);
		cg_buf_printf(&msg, "; use %s instead", rep);
		cg_buf_printf(&help, "%s`cargo tree -i %s -e features` shows which dependency and feature bring it in",
			      help.size ? "; " : "", p->name);
		emit_at(ctx, cg_span_of_pos(p->name_pos), msg.ptr, help.ptr);
		cg_buf_release(&msg);
		cg_buf_release(&by);
		cg_buf_release(&help);
	}
	cg_lockfile_release(&lock);
	return 0;
}

static int check(struct cg_rule_ctx *ctx)
{
	struct ban b = { ctx, cg_conf_child(ctx->rule_cfg, "crates"),
			 cg_conf_child(ctx->rule_cfg, "enabling_features") };
	if (ctx->kind == CG_KIND_CARGO_TOML)
		return check_manifest(ctx, &b);
	if (ctx->kind == CG_KIND_CARGO_LOCK)
		return check_lock(ctx, &b);
	if (ctx->kind == CG_KIND_RUST)
		return check_rust(ctx, &b);
	return 0;
}

/*
 * Source and lockfiles that never spell a banned crate's name cannot bring it
 * in (re-exports and serde strings spell it too). A manifest can, through the
 * workspace (`time.workspace = true` over a renamed chrono): always checked.
 */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	struct ban b = { (struct cg_rule_ctx *)ctx, cg_conf_child(ctx->rule_cfg, "crates"), NULL };
	bool any = false;

	if (ctx->kind == CG_KIND_CARGO_TOML || !b.crates)
		return true;
	/* The banned crate's own sources (a vendored chrono) use it by definition: not parsed at all. */
	if (ctx->kind == CG_KIND_RUST && is_banned_crate_itself(b.ctx, &b))
		return false;
	for (size_t i = 0; i < b.crates->nkids && !any; i++) {
		const char *name = cg_conf_str(b.crates->kids[i], "name", "");
		struct cg_buf rust_name = CG_BUF_INIT;
		/* Rust code spells `chrono-tz` as chrono_tz; Cargo.lock as chrono-tz. */
		for (const char *p = name; *p; p++)
			cg_buf_putc(&rust_name, *p == '-' ? '_' : *p);
		any = cg_has_word(text, len, name, strlen(name)) ||
		      cg_has_word(text, len, rust_name.ptr, rust_name.size);
		cg_buf_release(&rust_name);
	}
	return any;
}

const struct cg_rule cg_rule_chrono_ban = {
	.id = "chrono-ban",
	.default_severity = CG_SEV_ERROR,
	.summary = "time handling uses jiff, never chrono",
	.explain = "The team keeps all time handling in jiff: one crate with time zones done right, a\n"
		   "single Timestamp type for instants and Zoned for civil time in a zone. chrono is\n"
		   "banned wherever it can enter:\n"
		   "\n"
		   "  Cargo.toml  every dependency table ([dependencies], dev-, build-, target-specific,\n"
		   "              [workspace.dependencies]), dotted headers, `chrono.workspace = true`,\n"
		   "              renames (`time = { package = \"chrono\" }`), optional dependencies and\n"
		   "              `dep:chrono` features, and features of other crates that pull it in\n"
		   "              (sqlx \"chrono\", serde_with \"chrono_0_4\", diesel \"chrono\", ...)\n"
		   "  Cargo.lock  a new [[package]] named chrono, with the packages that depend on it\n"
		   "  Rust        `use chrono::..`, `extern crate chrono`, `chrono::` paths in code, types,\n"
		   "              patterns, attributes and macro arguments, re-exports such as\n"
		   "              `sqlx::types::chrono`, and `#[serde(with = \"chrono::serde::..\")]`\n"
		   "\n"
		   "Names that merely contain the word (`chrono_helper`), comments and strings are not\n"
		   "chrono, and neither is a local `mod chrono` where it is in scope (its own module, not\n"
		   "`mod tests` below it, nor `::chrono::` paths). A feature of any dependency whose name\n"
		   "says it turns chrono on (`chrono`, `chrono-impl`, `with-chrono-0_4`, `dep/chrono`\n"
		   "forwarded by a feature of the crate itself) is reported even when it is not in\n"
		   "`enabling_features`, which only adds the advice for known crates. Tests, benches and\n"
		   "examples are not exempt: a dev-dependency on chrono is chrono in Cargo.lock all the\n"
		   "same, so the rule stays an error there. Each finding names the jiff equivalent of\n"
		   "what was used.\n"
		   "\n"
		   "Bad:\n"
		   "    use chrono::{DateTime, NaiveDate, Utc};\n"
		   "    fn stamp() -> DateTime<Utc> { Utc::now() }\n"
		   "    let d = NaiveDate::parse_from_str(input, \"%Y-%m-%d\")?;\n"
		   "\n"
		   "Good:\n"
		   "    use jiff::{civil::Date, Timestamp};\n"
		   "    fn stamp() -> Timestamp { Timestamp::now() }\n"
		   "    let d = Date::strptime(\"%Y-%m-%d\", input)?; // jiff takes the format first\n"
		   "\n"
		   "Equivalents:\n"
		   "    Utc::now()                  jiff::Timestamp::now()\n"
		   "    Local::now()                jiff::Zoned::now()\n"
		   "    DateTime<Utc>               jiff::Timestamp\n"
		   "    DateTime<FixedOffset>, DateTime<Tz>, DateTime<Local>\n"
		   "                                jiff::Zoned\n"
		   "    NaiveDate, NaiveDateTime, NaiveTime\n"
		   "                                jiff::civil::Date, civil::DateTime, civil::Time\n"
		   "    Duration, TimeDelta         jiff::SignedDuration (jiff::Span for calendar units)\n"
		   "    DateTime::parse_from_rfc3339(s)\n"
		   "                                s.parse::<jiff::Timestamp>() (the instant; the offset\n"
		   "                                written in s: jiff::fmt::temporal::Pieces::parse(s))\n"
		   "    parse_from_str(s, f)        strptime(f, s)   (the arguments swap)\n"
		   "    .format(f)                  .strftime(f)\n"
		   "    .timestamp()                .as_second()\n"
		   "    .with_timezone(&tz)         .to_zoned(tz) on a Timestamp, .with_time_zone(tz) on a Zoned\n"
		   "    Days::new(n)                jiff::Span::new().days(n)\n"
		   "    TimeZone (a trait)          jiff::tz::TimeZone is a value: take one, not a `Tz: TimeZone`\n"
		   "    LocalResult                 to_zoned picks the compatible time; to_ambiguous_zoned shows all\n"
		   "    to_rfc3339_opts(SecondsFormat::Millis, true)\n"
		   "                                format!(\"{:.3}\", timestamp) (Secs .0, Micros .6, Nanos .9; UTC,\n"
		   "                                `Z`); with the offset kept, on a Zoned z:\n"
		   "                                format!(\"{:.3}\", z.timestamp().display_with_offset(z.offset()))\n"
		   "    SecondsFormat::AutoSi       no twin: `{}` prints only the digits needed (.1234), AutoSi pads\n"
		   "                                to 3, 6 or 9 (.123400)\n"
		   "    chrono::serde::ts_seconds   jiff::fmt::serde::timestamp::second::required\n"
		   "    sqlx/diesel \"chrono\"        the jiff-sqlx / jiff-diesel crates\n"
		   "\n"
		   "Fixes, all maybe-incorrect (the code around the value must follow; `crabgate fix\n"
		   "--unsafe` applies them), when jiff is the configured replacement:\n"
		   "    chrono::Utc::now()                     jiff::Timestamp::now()\n"
		   "    chrono::Utc::now().timestamp()         jiff::Timestamp::now().as_second()\n"
		   "    chrono::Utc::now().timestamp_millis()  jiff::Timestamp::now().as_millisecond()\n"
		   "    chrono::Duration::seconds(n)           jiff::SignedDuration::from_secs(n)\n"
		   "    chrono::NaiveDate::from_ymd_opt(y, m, d)\n"
		   "                                           jiff::civil::Date::new(y, m, d).ok()\n"
		   "                                           (integer literals only: jiff takes i16, i8, i8)\n"
		   "    chrono = ... (one line, Cargo.toml)    jiff = \"0.2\"\n"
		   "\n"
		   "The banned crates and their replacements are `rules.chrono-ban.crates` in config;\n"
		   "features that pull chrono in are `rules.chrono-ban.enabling_features`.\n",
	.wants = CG_KIND_RUST | CG_KIND_CARGO_TOML | CG_KIND_CARGO_LOCK,
	.check = check,
	.may_fire = may_fire,
};
