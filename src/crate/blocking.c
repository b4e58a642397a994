#define _GNU_SOURCE
#include "crate/blocking.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

void cg_blocking_list_load(struct cg_blocking_list *list, const struct cg_conf_node *rule_cfg)
{
	const struct cg_conf_node *blocking = cg_conf_child(rule_cfg, "blocking");
	memset(list, 0, sizeof(*list));
	list->wrappers = cg_conf_child(rule_cfg, "wrappers");
	list->inline_calls = cg_conf_child(rule_cfg, "inline");
	list->lock_types = cg_conf_child(rule_cfg, "lock_types");
	for (size_t i = 0; blocking && i < blocking->nkids; i++) {
		const char *path = cg_conf_str(blocking->kids[i], "path", NULL);
		struct cg_blocking_entry *e;
		if (!path || !*path)
			continue;
		cg_array_grow((void **)&list->entries, &list->cap, list->n + 1, sizeof(*list->entries));
		e = &list->entries[list->n++];
		e->path = path;
		e->replacement = cg_conf_str(blocking->kids[i], "replacement", "the async equivalent, awaited");
		e->matched = cg_conf_str(blocking->kids[i], "matched", NULL);
		e->is_any_receiver = path[0] == '.';
		e->last = cg_blocking_last_seg(path);
		e->last_len = strcmp(e->last, "*") && strcmp(e->last, "**") ? strlen(e->last) : 0;
	}
}

void cg_blocking_list_release(struct cg_blocking_list *list)
{
	free(list->entries);
	memset(list, 0, sizeof(*list));
}

bool cg_blocking_path_match(const char *pat, const char *path)
{
	for (;;) {
		const char *pe = strstr(pat, "::"), *se = strstr(path, "::");
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl == 2 && !memcmp(pat, "**", 2) && !pe)
			return sl > 0;
		if (!(pl == 1 && pat[0] == '*') && (pl != sl || memcmp(pat, path, pl)))
			return false;
		if (!pl || !sl)
			return false;
		if (!pe || !se)
			return !pe && !se;
		pat = pe + 2;
		path = se + 2;
	}
}

const char *cg_blocking_last_seg(const char *path)
{
	const char *q, *p = path;
	while ((q = strstr(p, "::")) != NULL)
		p = q + 2;
	return p;
}

const struct cg_blocking_entry *cg_blocking_match_path(const struct cg_blocking_list *list, const char *path)
{
	const char *last;
	size_t len;

	if (!path)
		return NULL;
	last = cg_blocking_last_seg(path);
	len = strlen(last);
	/* Every call of every async fn comes here: compare last segments before whole paths. */
	for (size_t i = 0; i < list->n; i++) {
		const struct cg_blocking_entry *e = &list->entries[i];
		if (e->is_any_receiver || (e->last_len && (e->last_len != len || memcmp(e->last, last, len))))
			continue;
		if (cg_blocking_path_match(e->path, path))
			return e;
	}
	return NULL;
}

const struct cg_blocking_entry *cg_blocking_match_call(const struct cg_blocking_list *list,
						       const struct cg_rust_file *rf, const char *resolved, uint32_t at,
						       char **what)
{
	const struct cg_blocking_entry *e = cg_blocking_match_path(list, resolved);
	*what = NULL;
	if (e) {
		*what = cg_strdup(resolved);
	} else if (!strstr(resolved, "::") && !cg_rust_defines_fn(rf, resolved, strlen(resolved))) {
		char **globs;
		size_t n = cg_rust_globs_at(rf, at, &globs);
		for (size_t i = 0; i < n && !e; i++) {
			struct cg_buf p = CG_BUF_INIT;
			cg_buf_printf(&p, "%s::%s", globs[i], resolved);
			if ((e = cg_blocking_match_path(list, p.ptr)) != NULL)
				*what = cg_buf_detach(&p, NULL);
			cg_buf_release(&p);
		}
		cg_rust_strings_free(globs, n);
	}
	return e;
}

static const struct cg_blocking_entry *match_any_receiver(const struct cg_blocking_list *list, const char *method,
							  size_t len)
{
	for (size_t i = 0; i < list->n; i++) {
		const char *m = list->entries[i].path + 1;
		if (list->entries[i].is_any_receiver && strlen(m) == len && !memcmp(m, method, len))
			return &list->entries[i];
	}
	return NULL;
}

const struct cg_blocking_entry *cg_blocking_match_method(const struct cg_blocking_list *list, const char *recv_type,
							 const char *m, size_t len, char **what)
{
	const struct cg_blocking_entry *e = NULL;
	*what = NULL;
	if (recv_type) {
		struct cg_buf p = CG_BUF_INIT;
		cg_buf_printf(&p, "%s::%.*s", recv_type, (int)len, m);
		if ((e = cg_blocking_match_path(list, p.ptr)) != NULL)
			*what = cg_buf_detach(&p, NULL);
		cg_buf_release(&p);
	}
	if (!e && (e = match_any_receiver(list, m, len)) != NULL) {
		struct cg_buf p = CG_BUF_INIT;
		cg_buf_printf(&p, ".%.*s()", (int)len, m);
		*what = cg_buf_detach(&p, NULL);
	}
	return e;
}

bool cg_blocking_is_wrapper(const struct cg_blocking_list *list, const char *resolved_or_method, bool is_method,
			    bool *is_block_in_place)
{
	const struct cg_conf_node *wrappers = list->wrappers;
	for (size_t i = 0; wrappers && i < wrappers->nkids; i++) {
		const char *e = wrappers->kids[i]->value;
		bool hit;
		if (!e)
			continue;
		/* The crate's own fn of a wrapper's name (`Self::spawn_blocking`) wraps that wrapper (neon's Layer). */
		if (is_method || !strstr(e, "::") || cg_starts_with(resolved_or_method, "Self::") ||
		    cg_starts_with(resolved_or_method, "crate::") || cg_starts_with(resolved_or_method, "self::") ||
		    cg_starts_with(resolved_or_method, "super::"))
			hit = !strcmp(cg_blocking_last_seg(e), cg_blocking_last_seg(resolved_or_method));
		else
			hit = !strcmp(e, resolved_or_method);
		if (hit) {
			*is_block_in_place = !strcmp(cg_blocking_last_seg(e), "block_in_place");
			return true;
		}
	}
	return false;
}

/* `d.d.d.d`, optionally `:port`; or `[v6]:port`. Host names need a resolver; these do not. */
static bool is_ip_text(const char *t, size_t len, bool needs_port)
{
	size_t i = 0, dots = 0, digits = 0;
	if (len && t[0] == '[') {
		const char *close = memchr(t, ']', len);
		return close && close + 1 < t + len && close[1] == ':';
	}
	for (; i < len && t[i] != ':'; i++) {
		if (t[i] == '.' && digits) {
			dots++;
			digits = 0;
		} else if (t[i] >= '0' && t[i] <= '9' && digits < 3) {
			digits++;
		} else {
			return false;
		}
	}
	if (dots != 3 || !digits)
		return false;
	if (i == len)
		return !needs_port;
	for (i++, digits = 0; i < len; i++, digits++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return digits > 0;
}

bool cg_blocking_is_socket_addr_type(const char *name, size_t len)
{
	if (len > 10 && !memcmp(name, "std::net::", 10)) {
		name += 10;
		len -= 10;
	} else if (len > 11 && !memcmp(name, "core::net::", 11)) {
		name += 11;
		len -= 11;
	}
	return (len == 10 && !memcmp(name, "SocketAddr", 10)) ||
	       (len == 12 && (!memcmp(name, "SocketAddrV4", 12) || !memcmp(name, "SocketAddrV6", 12)));
}

static bool is_ip_literal(const struct cg_source *src, TSNode e, bool needs_port)
{
	size_t len;
	const char *t;
	if (ts_node_is_null(e) || cg_node_kind(e) != CG_K_STRING_LITERAL)
		return false;
	t = cg_node_text(src, e, &len);
	return len >= 2 && t[0] == '"' && is_ip_text(t + 1, len - 2, needs_port);
}

static char *resolve_path(const struct cg_source *src, const struct cg_rust_file *rf, bool is_crate_root, TSNode path)
{
	size_t len;
	const char *text = cg_node_text(src, path, &len);
	return cg_rust_resolve_scoped(rf, ts_node_start_byte(path), text, len, is_crate_root);
}

static bool same_text(const struct cg_source *src, TSNode a, TSNode b)
{
	size_t alen, blen;
	const char *at, *bt;
	if (ts_node_is_null(a) || ts_node_is_null(b))
		return false;
	at = cg_node_text(src, a, &alen);
	bt = cg_node_text(src, b, &blen);
	return alen == blen && !memcmp(at, bt, alen);
}

/* `IpAddr`, `Ipv4Addr` or `Ipv6Addr`, a type's last segment. */
static bool is_ip_type_text(const char *last, size_t last_len)
{
	return (last_len == 6 && !memcmp(last, "IpAddr", 6)) ||
	       (last_len == 8 && (!memcmp(last, "Ipv4Addr", 8) || !memcmp(last, "Ipv6Addr", 8)));
}

/* `x.local_addr()`, past `?`, `.unwrap()` or `.expect(..)`: a bound socket's SocketAddr. */
static bool is_local_addr_value(const struct cg_source *src, TSNode v)
{
	for (;;) {
		TSNode fn;
		if (ts_node_is_null(v))
			return false;
		if (cg_node_kind(v) == CG_K_TRY_EXPRESSION) {
			v = ts_node_named_child(v, 0);
			continue;
		}
		if (cg_node_kind(v) != CG_K_CALL_EXPRESSION)
			return false;
		fn = cg_child(v, CG_F_FUNCTION);
		if (ts_node_is_null(fn) || cg_node_kind(fn) != CG_K_FIELD_EXPRESSION)
			return false;
		if (cg_node_is(src, cg_child(fn, CG_F_FIELD), "local_addr"))
			return true;
		if (!cg_node_is(src, cg_child(fn, CG_F_FIELD), "unwrap") &&
		    !cg_node_is(src, cg_child(fn, CG_F_FIELD), "expect"))
			return false;
		v = cg_child(fn, CG_F_VALUE);
	}
}

/* A written type that names an address needing no lookup: an IP address or, with `socket`, a SocketAddr. */
static bool is_addr_type_text(const char *t, size_t len, bool socket)
{
	const char *last;
	size_t last_len;
	while (len && (*t == '&' || *t == ' '))
		t++, len--;
	last = cg_rust_last_segment(t, len, &last_len);
	return is_ip_type_text(last, last_len) || (socket && cg_blocking_is_socket_addr_type(last, last_len));
}

/*
 * `name` is a parameter of the fn around it, or a `let` of that fn before
 * it, whose written type is an IP address (or with `socket` a SocketAddr),
 * or with `socket` a let of `x.local_addr()`: `(ip, 0)`, `bind(addr)` bind
 * without a lookup.
 */
static bool is_addr_typed_name(const struct cg_source *src, TSNode name, bool socket)
{
	TSNode fn = ts_node_parent(name), params;
	while (!ts_node_is_null(fn) && cg_node_kind(fn) != CG_K_FUNCTION_ITEM)
		fn = ts_node_parent(fn);
	params = ts_node_is_null(fn) ? fn : cg_child(fn, CG_F_PARAMETERS);
	for (uint32_t i = 0; !ts_node_is_null(params) && i < ts_node_named_child_count(params); i++) {
		TSNode p = ts_node_named_child(params, i), type;
		size_t len;
		const char *t;
		if (strcmp(ts_node_type(p), "parameter") || !same_text(src, cg_child(p, CG_F_PATTERN), name))
			continue;
		type = cg_child(p, CG_F_TYPE);
		t = ts_node_is_null(type) ? NULL : cg_node_text(src, type, &len);
		return t && is_addr_type_text(t, len, socket);
	}
	for (TSNode up = ts_node_parent(name); !ts_node_is_null(up) && !ts_node_eq(up, fn); up = ts_node_parent(up)) {
		bool found = false, is_addr = false;
		if (cg_node_kind(up) != CG_K_BLOCK)
			continue;
		/* The last let of the name before it, in this block, decides. */
		for (uint32_t i = 0; i < ts_node_named_child_count(up); i++) {
			TSNode let = ts_node_named_child(up, i), type;
			size_t len;
			const char *t;
			if (ts_node_start_byte(let) >= ts_node_start_byte(name))
				break;
			if (cg_node_kind(let) != CG_K_LET_DECLARATION ||
			    !same_text(src, cg_child(let, CG_F_PATTERN), name))
				continue;
			found = true;
			type = cg_child(let, CG_F_TYPE);
			t = ts_node_is_null(type) ? NULL : cg_node_text(src, type, &len);
			is_addr = t ? is_addr_type_text(t, len, socket)
				    : socket && is_local_addr_value(src, cg_child(let, CG_F_VALUE));
		}
		if (found)
			return is_addr;
	}
	return false;
}

bool cg_blocking_addr_is_literal(const struct cg_source *src, const struct cg_rust_file *rf, bool is_crate_root,
				 TSNode e)
{
	TSNode head;
	char *p;
	bool is_addr = false;
	e = cg_rust_strip_refs(e);
	if (is_ip_literal(src, e, true) ||
	    (!ts_node_is_null(e) && cg_node_kind(e) == CG_K_IDENTIFIER && is_addr_typed_name(src, e, true)))
		return true;
	if (!ts_node_is_null(e) && cg_node_kind(e) == CG_K_TUPLE_EXPRESSION && ts_node_named_child_count(e) == 2) {
		TSNode ip = cg_rust_strip_refs(ts_node_named_child(e, 0));
		if (is_ip_literal(src, ip, false) ||
		    (cg_node_kind(ip) == CG_K_IDENTIFIER && is_addr_typed_name(src, ip, false)))
			return true;
		head = cg_node_kind(ip) == CG_K_CALL_EXPRESSION ? cg_rust_call_function(ip) : ip;
		if (ts_node_is_null(head) || cg_node_kind(head) != CG_K_SCOPED_IDENTIFIER)
			return false;
		p = resolve_path(src, rf, is_crate_root, head);
		is_addr = cg_starts_with(p, "std::net::Ipv4Addr::") || cg_starts_with(p, "std::net::Ipv6Addr::") ||
			  cg_starts_with(p, "std::net::IpAddr::");
		free(p);
		return is_addr;
	}
	if (ts_node_is_null(e) || cg_node_kind(e) != CG_K_CALL_EXPRESSION ||
	    cg_node_kind(head = cg_rust_call_function(e)) != CG_K_SCOPED_IDENTIFIER)
		return false;
	/* `SocketAddr::new(ip, port)`, also a SocketAddr the file names without resolving it (`use super::*`). */
	p = resolve_path(src, rf, is_crate_root, head);
	{
		const char *last = cg_blocking_last_seg(p), *type = p;
		if (last != p && (!strcmp(last, "new") || !strcmp(last, "from"))) {
			size_t tlen = (size_t)(last - p) - 2;
			for (const char *q = p; (q = strstr(q, "::")) != NULL && q < p + tlen; q += 2)
				type = q + 2;
			is_addr = cg_blocking_is_socket_addr_type(type, (size_t)(last - 2 - type));
		}
	}
	free(p);
	return is_addr;
}

bool cg_blocking_is_inline(const struct cg_blocking_list *list, const char *method, size_t len)
{
	const struct cg_conf_node *l = list->inline_calls;
	for (size_t i = 0; l && i < l->nkids; i++) {
		const char *e = l->kids[i]->value;
		if (e && strlen(e) == len && !memcmp(e, method, len))
			return true;
	}
	return false;
}

bool cg_blocking_is_lock_type(const struct cg_blocking_list *list, const char *type)
{
	const struct cg_conf_node *l = list->lock_types;
	for (size_t i = 0; type && l && i < l->nkids; i++)
		if (l->kids[i]->value && !strcmp(l->kids[i]->value, type))
			return true;
	return false;
}
