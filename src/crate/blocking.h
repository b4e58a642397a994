#ifndef CG_CRATE_BLOCKING_H
#define CG_CRATE_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "syntax/rust.h"

/*
 * Which calls block an executor thread, and which calls take a closure off
 * it: the blocking-in-async lists (`blocking`, `wrappers`) read from the
 * rule's config. One decision shared by the rule, which checks a body, and
 * the crate model, which summarizes what each fn of a crate calls, so both
 * call the same thing blocking.
 */
struct cg_blocking_entry {
	const char *path; /* "std::fs::*", "std::process::Command::output", ".blocking_lock" */
	const char *replacement;
	const char *matched;  /* the replacement where the call's Result is matched (`if let Err(e) = …`), or NULL */
	bool is_any_receiver; /* a method of that name whatever the receiver (".blocking_lock") */
	/* The pattern's last segment when it is a name, not `*`/`**`: a path ending otherwise cannot match. */
	const char *last;
	size_t last_len;
};

struct cg_blocking_list {
	struct cg_blocking_entry *entries; /* owned array; strings borrowed from the config */
	size_t n, cap;
	const struct cg_conf_node *wrappers;	 /* borrowed */
	const struct cg_conf_node *inline_calls; /* borrowed: methods that call their closure in place */
	const struct cg_conf_node *lock_types;	 /* borrowed: types whose lock()/read()/write() give a guard */
};

/* Reads the lists from the rule's config (borrowed, must outlive the list). */
void cg_blocking_list_load(struct cg_blocking_list *list, const struct cg_conf_node *rule_cfg);
void cg_blocking_list_release(struct cg_blocking_list *list);

/*
 * Whether a resolved path matches a list pattern: segments compare exactly,
 * `*` is one segment, a final `**` one or more.
 */
bool cg_blocking_path_match(const char *pat, const char *path);
/* The last `::` segment of a path, borrowed from it. */
const char *cg_blocking_last_seg(const char *path);

/* The entry a resolved path call matches, or NULL. */
const struct cg_blocking_entry *cg_blocking_match_path(const struct cg_blocking_list *list, const char *path);
/*
 * The entry a path call written in file `rf` at byte `at` matches, its
 * path already resolved (cg_rust_resolve_scoped): a single unresolved
 * segment may come from a glob (`use std::thread::*; sleep(d)`) unless the
 * file defines a fn of that name. *what: the call as shown (owned), when
 * an entry matches.
 */
const struct cg_blocking_entry *cg_blocking_match_call(const struct cg_blocking_list *list,
						       const struct cg_rust_file *rf, const char *resolved, uint32_t at,
						       char **what);
/*
 * The entry a method call `m` matches on a receiver of type `recv_type`
 * (a full path; NULL when unknown), or by name whatever the receiver.
 * *what: the call as shown (owned), when an entry matches.
 */
const struct cg_blocking_entry *cg_blocking_match_method(const struct cg_blocking_list *list, const char *recv_type,
							 const char *m, size_t len, char **what);

/*
 * Whether a call hands its closure off the executor thread (`wrappers`):
 * a method or a bare wrapper name compares by last segment, a path
 * exactly. *is_block_in_place: the wrapper is `block_in_place`.
 */
bool cg_blocking_is_wrapper(const struct cg_blocking_list *list, const char *resolved_or_method, bool is_method,
			    bool *is_block_in_place);

/*
 * Whether a method runs its closure argument in place, on the caller's
 * thread (`inline`: `Option::map`, iterator adapters, …), so the closure
 * stays in the caller's async context.
 */
/*
 * std's socket address types (SocketAddr, V4, V6; `std::net::`, `core::net::`
 * or bare: a name the file does not resolve, `use super::*;` bringing std's
 * in, is no other crate's type).
 */
bool cg_blocking_is_socket_addr_type(const char *name, size_t len);
/*
 * An address written so that binding or resolving it does no name lookup,
 * as far as the syntax shows: an IP literal with its port ("127.0.0.1:0",
 * "[::1]:0"), an `(ip, port)` pair whose ip is a literal, an
 * Ipv4Addr/Ipv6Addr/IpAddr value or a name the fn types so (a parameter, a
 * typed let), a `SocketAddr::new(..)`/`::from(..)` (V4, V6 too), or a name
 * the fn types as a SocketAddr or binds to `x.local_addr()`. Borrows and
 * parentheses around it do not count.
 */
bool cg_blocking_addr_is_literal(const struct cg_source *src, const struct cg_rust_file *rf, bool is_crate_root,
				 TSNode e);

bool cg_blocking_is_inline(const struct cg_blocking_list *list, const char *method, size_t len);
/* Whether a resolved type path is a lock whose guard must not live across an await (`lock_types`). */
bool cg_blocking_is_lock_type(const struct cg_blocking_list *list, const char *type);

#endif
