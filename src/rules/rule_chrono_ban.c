#define _GNU_SOURCE
/*
 * chrono-ban: the team keeps all time handling in jiff. Flags banned crates
 * entering Cargo manifests and their use in Rust source, naming the jiff
 * equivalent of what was used.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule.h"
#include "syntax/rust.h"
#include "syntax/toml.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/* What chrono names map to in jiff, by the last path segment used. */
static const struct {
	const char *name;
	const char *jiff;
} equivalents[] = {
	{ "now", "`Utc::now()` -> `jiff::Timestamp::now()`; `Local::now()` -> `jiff::Zoned::now()`" },
	{ "Utc", "`Utc::now()` -> `jiff::Timestamp::now()`; `DateTime<Utc>` -> `jiff::Timestamp`" },
	{ "Local", "`Local::now()` -> `jiff::Zoned::now()`; `DateTime<Local>` -> `jiff::Zoned`" },
	{ "DateTime", "`DateTime<Utc>` -> `jiff::Timestamp`; `DateTime<FixedOffset>`/`DateTime<Tz>`/`DateTime<Local>` -> `jiff::Zoned`" },
	{ "FixedOffset", "`DateTime<FixedOffset>` -> `jiff::Zoned`; an offset alone -> `jiff::tz::Offset`" },
	{ "NaiveDate", "`NaiveDate` -> `jiff::civil::Date`" },
	{ "NaiveDateTime", "`NaiveDateTime` -> `jiff::civil::DateTime`" },
	{ "NaiveTime", "`NaiveTime` -> `jiff::civil::Time`" },
	{ "Duration", "`Duration` -> `jiff::SignedDuration` (or `jiff::Span` for calendar units)" },
	{ "TimeDelta", "`TimeDelta` -> `jiff::SignedDuration` (or `jiff::Span` for calendar units)" },
	{ "Weekday", "`Weekday` -> `jiff::civil::Weekday`" },
	{ "Tz", "`DateTime<Tz>` -> `jiff::Zoned`; `Tz` -> `jiff::tz::TimeZone`" },
	{ "parse_from_rfc3339", "`DateTime::parse_from_rfc3339(s)` -> `s.parse::<jiff::Timestamp>()`" },
	{ "parse_from_str", "`parse_from_str(s, f)` -> `jiff::Timestamp::strptime(f, s)` (argument order reversed)" },
	{ "ts_seconds", "`chrono::serde::ts_seconds` -> `jiff::fmt::serde::timestamp::second::required`" },
};

static const char *equivalent_of(const char *path)
{
	const char *seg = path, *q;
	while ((q = strstr(seg, "::")) != NULL) {
		const char *next = q + 2;
		for (size_t i = 0; i < sizeof(equivalents) / sizeof(equivalents[0]); i++) {
			size_t n = strlen(equivalents[i].name);
			if (!strncmp(next, equivalents[i].name, n) && (next[n] == '\0' || next[n] == ':' || next[n] == '<'))
				return equivalents[i].jiff;
		}
		seg = next;
	}
	return NULL;
}

/* The replacement configured for a banned crate, or NULL when not banned. */
static const char *banned(const struct cg_rule_ctx *ctx, const char *name, size_t len)
{
	const struct cg_conf_node *crates = cg_conf_child(ctx->rule_cfg, "crates");
	for (size_t i = 0; crates && i < crates->nkids; i++) {
		const char *n = cg_conf_str(crates->kids[i], "name", "");
		if (strlen(n) == len && !memcmp(n, name, len))
			return cg_conf_str(crates->kids[i], "replacement", "jiff");
	}
	return NULL;
}

static void emit(struct cg_rule_ctx *ctx, TSNode node, const char *crate, const char *replacement, const char *what,
		 const char *path)
{
	struct cg_buf msg = CG_BUF_INIT, help = CG_BUF_INIT;
	struct cg_emit e = { 0 };
	const char *eq = path ? equivalent_of(path) : NULL;

	cg_buf_printf(&msg, "%s is banned: %s; use %s instead", crate, what, replacement);
	if (eq)
		cg_buf_printf(&help, "%s", eq);
	else
		cg_buf_printf(&help, "the team's standard is %s for all time handling; see `crabgate explain chrono-ban`",
			      replacement);
	e.span = cg_span_of(node);
	e.message = msg.ptr;
	e.help = help.ptr;
	cg_rule_emit(ctx, &e);
	cg_buf_release(&msg);
	cg_buf_release(&help);
}

struct rust_walk {
	struct cg_rule_ctx *ctx;
	const struct cg_rust_file *rf;
	bool has_local_mod; /* `mod chrono` shadows the crate */
};

static int rust_node(TSNode node, void *payload)
{
	struct rust_walk *w = payload;
	struct cg_rule_ctx *ctx = w->ctx;
	const char *type = ts_node_type(node);

	if (!strcmp(type, "use_declaration")) {
		for (size_t i = 0; i < w->rf->nuses; i++) {
			const struct cg_use *u = &w->rf->uses[i];
			const char *first;
			size_t flen = cg_rust_first_segment(u->path, &first);
			const char *rep;
			if (!ts_node_eq(u->decl, node) || !(rep = banned(ctx, first, flen)))
				continue;
			char *crate = cg_strndup(first, flen);
			emit(ctx, node, crate, rep, "imported here", u->path);
			free(crate);
			break;
		}
		return CG_WALK_SKIP;
	}
	if (!strcmp(type, "extern_crate_declaration")) {
		TSNode name = ts_node_child_by_field_name(node, "name", 4);
		size_t len;
		const char *t = ts_node_is_null(name) ? "" : cg_node_text(ctx->src, name, &len);
		const char *rep = ts_node_is_null(name) ? NULL : banned(ctx, t, len);
		if (rep) {
			char *crate = cg_strndup(t, len);
			emit(ctx, node, crate, rep, "linked with `extern crate`", NULL);
			free(crate);
		}
		return CG_WALK_SKIP;
	}
	if (!strcmp(type, "scoped_identifier") || !strcmp(type, "scoped_type_identifier")) {
		char *path = cg_rust_path_text(ctx->src, node);
		const char *first;
		size_t flen = cg_rust_first_segment(path, &first);
		const char *rep = banned(ctx, first, flen);
		if (rep && !(w->has_local_mod && first == path)) {
			char *crate = cg_strndup(first, flen);
			emit(ctx, node, crate, rep, "used by path", path);
			free(crate);
			free(path);
			return CG_WALK_SKIP; /* the outermost path is enough */
		}
		free(path);
		return CG_WALK_ENTER;
	}
	if (!strcmp(type, "line_comment") || !strcmp(type, "block_comment") || !strcmp(type, "string_literal"))
		return CG_WALK_SKIP;
	return CG_WALK_ENTER;
}

static int find_local_mod(TSNode node, void *payload)
{
	struct rust_walk *w = payload;
	if (cg_node_type_is(node, "mod_item")) {
		TSNode name = ts_node_child_by_field_name(node, "name", 4);
		size_t len;
		const char *t = ts_node_is_null(name) ? "" : cg_node_text(w->ctx->src, name, &len);
		if (!ts_node_is_null(name) && banned(w->ctx, t, len))
			w->has_local_mod = true;
		return CG_WALK_SKIP;
	}
	return cg_node_type_is(node, "source_file") ? CG_WALK_ENTER : CG_WALK_SKIP;
}

static void check_dep_pair(struct cg_rule_ctx *ctx, TSNode pair, const char *table)
{
	struct cg_buf key = CG_BUF_INIT, pkg = CG_BUF_INIT;
	TSNode value = cg_toml_value_node(pair);
	const char *dot, *rep;
	size_t klen;

	cg_toml_key(ctx->src, cg_toml_key_node(pair), &key);
	dot = strchr(key.ptr, '.'); /* chrono.workspace = true */
	klen = dot ? (size_t)(dot - key.ptr) : key.size;
	/* A rename names the real crate in `package`. */
	if (!ts_node_is_null(value) && cg_node_type_is(value, "inline_table")) {
		for (uint32_t i = 0; i < ts_node_named_child_count(value); i++) {
			TSNode p = ts_node_named_child(value, i);
			struct cg_buf k = CG_BUF_INIT;
			if (!cg_node_type_is(p, "pair"))
				continue;
			cg_toml_key(ctx->src, cg_toml_key_node(p), &k);
			if (!strcmp(k.ptr, "package"))
				cg_toml_string(ctx->src, cg_toml_value_node(p), &pkg);
			cg_buf_release(&k);
		}
	}
	if (pkg.size && (rep = banned(ctx, pkg.ptr, pkg.size)) != NULL) {
		struct cg_buf what = CG_BUF_INIT;
		cg_buf_printf(&what, "added to [%s] as `%.*s`", table, (int)klen, key.ptr);
		emit(ctx, pair, pkg.ptr, rep, what.ptr, NULL);
		cg_buf_release(&what);
	} else if (!pkg.size && (rep = banned(ctx, key.ptr, klen)) != NULL) {
		struct cg_buf what = CG_BUF_INIT;
		char *crate = cg_strndup(key.ptr, klen);
		cg_buf_printf(&what, "added to [%s]", table);
		emit(ctx, pair, crate, rep, what.ptr, NULL);
		free(crate);
		cg_buf_release(&what);
	}
	cg_buf_release(&key);
	cg_buf_release(&pkg);
}

static int check_manifest(struct cg_rule_ctx *ctx)
{
	TSNode root = cg_source_root(ctx->src);
	for (uint32_t i = 0; i < ts_node_named_child_count(root); i++) {
		TSNode table = ts_node_named_child(root, i);
		struct cg_buf name = CG_BUF_INIT;
		if (!cg_node_type_is(table, "table")) {
			continue;
		}
		cg_toml_key(ctx->src, cg_toml_key_node(table), &name);
		if (cg_toml_is_dep_table(name.ptr)) {
			for (uint32_t k = 1; k < ts_node_named_child_count(table); k++) {
				TSNode pair = ts_node_named_child(table, k);
				if (cg_node_type_is(pair, "pair"))
					check_dep_pair(ctx, pair, name.ptr);
			}
		} else {
			/* [dependencies.chrono]: the table header names the crate. */
			const char *dot = strrchr(name.ptr, '.');
			const char *rep;
			if (dot) {
				char *parent = cg_strndup(name.ptr, (size_t)(dot - name.ptr));
				if (cg_toml_is_dep_table(parent) && (rep = banned(ctx, dot + 1, strlen(dot + 1))) != NULL) {
					struct cg_buf what = CG_BUF_INIT;
					cg_buf_printf(&what, "added as [%s]", name.ptr);
					emit(ctx, cg_toml_key_node(table), dot + 1, rep, what.ptr, NULL);
					cg_buf_release(&what);
				}
				free(parent);
			}
		}
		cg_buf_release(&name);
	}
	return 0;
}

static int check(struct cg_rule_ctx *ctx)
{
	if (ctx->kind == CG_KIND_CARGO_TOML)
		return check_manifest(ctx);
	if (ctx->kind == CG_KIND_RUST) {
		struct rust_walk w = { ctx, ctx->file_data, false };
		TSNode root = cg_source_root(ctx->src);
		size_t len;
		const char *text = cg_node_text(ctx->src, root, &len);
		/* Cheap prefilter: no banned name in the bytes, no finding. */
		const struct cg_conf_node *crates = cg_conf_child(ctx->rule_cfg, "crates");
		bool any = false;
		for (size_t i = 0; crates && i < crates->nkids && !any; i++)
			any = memmem(text, len, cg_conf_str(crates->kids[i], "name", "\x01"),
				     strlen(cg_conf_str(crates->kids[i], "name", "\x01"))) != NULL;
		if (!any)
			return 0;
		cg_walk(root, find_local_mod, &w);
		return cg_walk(root, rust_node, &w);
	}
	return 0;
}

const struct cg_rule cg_rule_chrono_ban = {
	.id = "chrono-ban",
	.default_severity = CG_SEV_ERROR,
	.summary = "time handling uses jiff, never chrono",
	.explain = "The team keeps all time handling in jiff: one crate with time zones done right, a\n"
		   "single Timestamp type for instants and Zoned for civil time in a zone. chrono is\n"
		   "banned in manifests (every dependency table, renames, workspace inheritance) and in\n"
		   "source (use, extern crate, chrono:: paths). Each finding names the jiff equivalent\n"
		   "of what was used.\n"
		   "\n"
		   "Bad:\n"
		   "    use chrono::{DateTime, Utc};\n"
		   "    fn stamp() -> DateTime<Utc> { Utc::now() }\n"
		   "\n"
		   "Good:\n"
		   "    use jiff::Timestamp;\n"
		   "    fn stamp() -> Timestamp { Timestamp::now() }\n"
		   "\n"
		   "Common equivalents: NaiveDate -> jiff::civil::Date, NaiveDateTime -> jiff::civil::DateTime,\n"
		   "Duration -> jiff::SignedDuration, parse_from_str(s, f) -> strptime(f, s) (note the order),\n"
		   ".format(f) -> .strftime(f), .timestamp() -> .as_second().\n"
		   "The banned crates and their replacements are `rules.chrono-ban.crates` in config.\n",
	.wants = CG_KIND_RUST | CG_KIND_CARGO_TOML | CG_KIND_CARGO_LOCK,
	.check = check,
};
