#ifndef CG_CRATE_FEATURES_H
#define CG_CRATE_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "crate/workspace.h"

/*
 * Cargo's feature unification over a workspace's own crates: which features
 * of each crate some build of a set of root packages (the workspace's wasm
 * apps, say) can turn on. A rule then knows that code under a feature no
 * such build reaches is no part of any of them (ruffle_core's `known_stubs`,
 * which only a native tool asks for).
 */
struct cg_feature_reach;

/*
 * The workspace members under `ws` for which `is_root` holds, built with
 * every feature of their own (any build a user may ask for), and what that
 * turns on in the crates their normal dependencies reach by path, directly
 * or through [workspace.dependencies]: the features a declaration asks for,
 * `default` unless it opts out, and what enabled features turn on (`dep:x`,
 * `x/f`, `x?/f` when x is on, a feature naming an optional dependency). A
 * [target.'cfg(…)'] table counts unless `is_target_off(cfg)` says the build
 * never reads it. Dependencies outside the workspace (registries, git) are
 * not followed. Free with cg_feature_reach_free.
 */
struct cg_feature_reach *cg_feature_reach_new(struct cg_crate_cache *cache, const struct cg_crate *ws,
					      bool (*is_root)(const struct cg_crate *cr, void *payload), void *payload,
					      bool (*is_target_off)(const char *cfg));
void cg_feature_reach_free(struct cg_feature_reach *r);

/* How many roots there are. */
size_t cg_feature_reach_roots(const struct cg_feature_reach *r);
/* Whether `cr` is a root. */
bool cg_feature_reach_is_root(const struct cg_feature_reach *r, const struct cg_crate *cr);
/*
 * The features of `cr` some root's build may turn on (borrowed, sorted), or
 * NULL when no root reaches `cr`.
 */
char *const *cg_feature_reach_of(const struct cg_feature_reach *r, const struct cg_crate *cr, size_t *n);

#endif
