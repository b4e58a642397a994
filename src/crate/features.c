/* Cargo's feature unification over a workspace's path dependencies (crate/features.h). */
#define _GNU_SOURCE
#include "crate/features.h"

#include <stdlib.h>
#include <string.h>

#include "crate/crate_private.h"
#include "util/str.h"
#include "util/banned.h"

struct reach_node {
	const struct cg_crate *cr;
	bool is_root;
	char **features; /* may be on; sorted once the walk ends */
	size_t nfeatures, features_cap;
	bool *dep_on; /* per manifest dependency: an optional one some feature turned on */
	bool is_queued, is_walked;
};

struct cg_feature_reach {
	struct reach_node **nodes;
	size_t n, cap;
	size_t nroots;
};

static struct reach_node *node_of(struct cg_feature_reach *r, const struct cg_crate *cr, bool is_new_ok)
{
	struct reach_node *nd;
	for (size_t i = 0; i < r->n; i++)
		if (r->nodes[i]->cr == cr)
			return r->nodes[i];
	if (!is_new_ok)
		return NULL;
	nd = cg_calloc(1, sizeof(*nd));
	nd->cr = cr;
	nd->dep_on = cg_calloc(cr->manifest.ndeps ? cr->manifest.ndeps : 1, sizeof(*nd->dep_on));
	cg_array_grow((void **)&r->nodes, &r->cap, r->n + 1, sizeof(*r->nodes));
	r->nodes[r->n++] = nd;
	return nd;
}

static bool has_feature(const struct reach_node *nd, const char *name, size_t len)
{
	for (size_t i = 0; i < nd->nfeatures; i++)
		if (strlen(nd->features[i]) == len && !memcmp(nd->features[i], name, len))
			return true;
	return false;
}

/* Adds a feature; true when it is new. */
static bool add_feature(struct reach_node *nd, const char *name, size_t len)
{
	if (has_feature(nd, name, len))
		return false;
	cg_array_grow((void **)&nd->features, &nd->features_cap, nd->nfeatures + 1, sizeof(*nd->features));
	nd->features[nd->nfeatures++] = cg_strndup(name, len);
	return true;
}

static const struct cg_crate_feature *feature_decl(const struct cg_manifest *m, const char *name, size_t len)
{
	for (size_t i = 0; i < m->nfeatures; i++)
		if (strlen(m->features[i].name) == len && !memcmp(m->features[i].name, name, len))
			return &m->features[i];
	return NULL;
}

static bool dep_is_key(const struct cg_crate_dep *d, const char *key, size_t len)
{
	return d->kind == CG_DEP_NORMAL && !d->is_workspace_decl && strlen(d->key) == len && !memcmp(d->key, key, len);
}

/* Turns on the optional dependencies keyed `key`; true when one was off. */
static bool enable_dep(struct reach_node *nd, const char *key, size_t len)
{
	bool is_new = false;
	for (size_t i = 0; i < nd->cr->manifest.ndeps; i++)
		if (dep_is_key(&nd->cr->manifest.deps[i], key, len) && nd->cr->manifest.deps[i].is_optional &&
		    !nd->dep_on[i])
			is_new = nd->dep_on[i] = true;
	return is_new;
}

static bool dep_active(const struct reach_node *nd, size_t i)
{
	return !nd->cr->manifest.deps[i].is_optional || nd->dep_on[i];
}

/*
 * The features of the crate turn on others and optional dependencies, to a
 * fixpoint (a `x?/f` waits for x to be on).
 */
static void close_features(struct reach_node *nd)
{
	const struct cg_manifest *m = &nd->cr->manifest;
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < nd->nfeatures; i++) {
			const struct cg_crate_feature *f = feature_decl(m, nd->features[i], strlen(nd->features[i]));
			if (!f) {
				/* An optional dependency's own feature (no `dep:` anywhere names it). */
				changed |= enable_dep(nd, nd->features[i], strlen(nd->features[i]));
				continue;
			}
			for (size_t k = 0; k < f->nitems; k++) {
				const char *it = f->items[k].text, *slash = strchr(it, '/');
				if (cg_starts_with(it, "dep:")) {
					changed |= enable_dep(nd, it + 4, strlen(it + 4));
				} else if (slash) {
					/* `x/f` turns x on; `x?/f` does not. */
					if (slash[-1] != '?')
						changed |= enable_dep(nd, it, (size_t)(slash - it));
				} else if (feature_decl(m, it, strlen(it))) {
					changed |= add_feature(nd, it, strlen(it));
				} else {
					changed |= enable_dep(nd, it, strlen(it));
				}
			}
		}
	}
}

/* Whether an on feature of the crate names dependency `d` with `x/f` or `x?/f` (and which f). */
static void features_for_dep(const struct reach_node *nd, const struct cg_crate_dep *d,
			     void (*fn)(void *, const char *, size_t), void *payload)
{
	size_t klen = strlen(d->key);
	for (size_t i = 0; i < nd->nfeatures; i++) {
		const struct cg_crate_feature *f =
			feature_decl(&nd->cr->manifest, nd->features[i], strlen(nd->features[i]));
		for (size_t k = 0; f && k < f->nitems; k++) {
			const char *it = f->items[k].text, *slash = strchr(it, '/');
			size_t n = slash ? (size_t)(slash - it) : 0;
			if (n && it[n - 1] == '?')
				n--;
			if (slash && n == klen && !memcmp(it, d->key, klen))
				fn(payload, slash + 1, strlen(slash + 1));
		}
	}
}

/* The [workspace.dependencies] entry a `workspace = true` dependency inherits, or NULL. */
static const struct cg_crate_dep *workspace_decl(const struct cg_crate *ws, const struct cg_crate_dep *d)
{
	for (size_t i = 0; ws && i < ws->manifest.ndeps; i++)
		if (ws->manifest.deps[i].is_workspace_decl && !strcmp(ws->manifest.deps[i].key, d->key))
			return &ws->manifest.deps[i];
	return NULL;
}

struct request {
	struct reach_node *to;
	bool grew;
};

static void request_feature(void *payload, const char *name, size_t len)
{
	struct request *rq = payload;
	rq->grew |= add_feature(rq->to, name, len);
}

/* The workspace crate dependency `d` of `from` names, with what it asks of it; NULL when it is none. */
static const struct cg_crate *dep_crate(struct cg_crate_cache *cache, const struct cg_crate *from,
					const struct cg_crate_dep *d, const struct cg_crate_dep **decl)
{
	const struct cg_crate *base = from;
	const struct cg_crate *to;
	char *dir;

	*decl = d->is_inherited ? workspace_decl(from->workspace, d) : NULL;
	if (d->path) {
		dir = cg_crate_join(from->dir, d->path);
	} else if (*decl && (*decl)->path) {
		base = from->workspace;
		dir = cg_crate_join(base->dir, (*decl)->path);
	} else {
		return NULL;
	}
	to = dir ? cg_crate_manifest_in(cache, dir) : NULL;
	free(dir);
	return to && to->manifest.has_package ? to : NULL;
}

static void walk(struct cg_feature_reach *r, struct cg_crate_cache *cache, bool (*is_target_off)(const char *cfg))
{
	struct reach_node **queue = NULL;
	size_t nqueue = 0, queue_cap = 0;

	for (size_t i = 0; i < r->n; i++) {
		cg_array_grow((void **)&queue, &queue_cap, nqueue + 1, sizeof(*queue));
		queue[nqueue++] = r->nodes[i];
		r->nodes[i]->is_queued = true;
	}
	while (nqueue) {
		struct reach_node *nd = queue[--nqueue];
		const struct cg_manifest *m = &nd->cr->manifest;
		nd->is_queued = false;
		nd->is_walked = true;
		close_features(nd);
		for (size_t i = 0; i < m->ndeps; i++) {
			const struct cg_crate_dep *d = &m->deps[i], *decl;
			const struct cg_crate *to;
			struct request rq = { NULL, false };
			bool is_default;
			if (d->kind != CG_DEP_NORMAL || d->is_workspace_decl || !dep_active(nd, i) ||
			    (d->target && is_target_off(d->target)) || !(to = dep_crate(cache, nd->cr, d, &decl)))
				continue;
			rq.to = node_of(r, to, true);
			/* A member's `default-features = false` holds only where the workspace's says so too. */
			is_default = decl ? !(decl->has_default_features && !decl->default_features) ||
						     (d->has_default_features && d->default_features)
					  : !(d->has_default_features && !d->default_features);
			if (is_default)
				request_feature(&rq, "default", 7);
			for (size_t k = 0; k < d->nfeatures; k++)
				request_feature(&rq, d->features[k].text, strlen(d->features[k].text));
			for (size_t k = 0; decl && k < decl->nfeatures; k++)
				request_feature(&rq, decl->features[k].text, strlen(decl->features[k].text));
			features_for_dep(nd, d, request_feature, &rq);
			/* A crate asked for no feature is still walked once, for its own dependencies. */
			if ((rq.grew || !rq.to->is_walked) && !rq.to->is_queued) {
				cg_array_grow((void **)&queue, &queue_cap, nqueue + 1, sizeof(*queue));
				queue[nqueue++] = rq.to;
				rq.to->is_queued = true;
			}
		}
	}
	free(queue);
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !n || (!strncmp(path, dir, n) && path[n] == '/');
}

struct cg_feature_reach *cg_feature_reach_new(struct cg_crate_cache *cache, const struct cg_crate *ws,
					      bool (*is_root)(const struct cg_crate *cr, void *payload), void *payload,
					      bool (*is_target_off)(const char *cfg))
{
	struct cg_feature_reach *r = cg_calloc(1, sizeof(*r));
	size_t ndirs;
	char *const *dirs = cg_crate__manifest_dirs(cache, &ndirs);

	for (size_t i = 0; i < ndirs; i++) {
		const struct cg_crate *cr;
		struct reach_node *nd;
		if (!is_under(dirs[i], ws->dir) && strcmp(dirs[i], ws->dir))
			continue;
		cr = cg_crate_manifest_in(cache, dirs[i]);
		if (!cr || !cr->manifest.has_package || cr->workspace != ws || !is_root(cr, payload))
			continue;
		nd = node_of(r, cr, true);
		nd->is_root = true;
		r->nroots++;
		add_feature(nd, "default", 7);
		for (size_t f = 0; f < cr->manifest.nfeatures; f++)
			add_feature(nd, cr->manifest.features[f].name, strlen(cr->manifest.features[f].name));
	}
	walk(r, cache, is_target_off);
	for (size_t i = 0; i < r->n; i++)
		qsort(r->nodes[i]->features, r->nodes[i]->nfeatures, sizeof(char *), cg_crate__cmp_str);
	return r;
}

void cg_feature_reach_free(struct cg_feature_reach *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->nodes[i]->nfeatures; k++)
			free(r->nodes[i]->features[k]);
		free(r->nodes[i]->features);
		free(r->nodes[i]->dep_on);
		free(r->nodes[i]);
	}
	free(r->nodes);
	free(r);
}

size_t cg_feature_reach_roots(const struct cg_feature_reach *r)
{
	return r->nroots;
}

bool cg_feature_reach_is_root(const struct cg_feature_reach *r, const struct cg_crate *cr)
{
	const struct reach_node *nd = node_of((struct cg_feature_reach *)r, cr, false);
	return nd && nd->is_root;
}

char *const *cg_feature_reach_of(const struct cg_feature_reach *r, const struct cg_crate *cr, size_t *n)
{
	static char *const none[1] = { NULL };
	const struct reach_node *nd = node_of((struct cg_feature_reach *)r, cr, false);
	*n = nd ? nd->nfeatures : 0;
	return !nd ? NULL : nd->features ? nd->features : none;
}
