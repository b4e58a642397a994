/*
 * Where the index may differ from HEAD, found through the index's cache-tree.
 *
 * git keeps in the index (extension "TREE") the tree id of every folder whose
 * entries did not change since a tree was last written from it, and drops the
 * id of every folder on the way to a path it stages. `git diff --cached`
 * compares those ids with HEAD's and never reads an unchanged subtree.
 * libgit2 1.5 reads the extension but offers no API for it, and its
 * git_diff_tree_to_index walks both sides whole: in a 10,000-file repository
 * that is 1,500 trees inflated to find 10 staged files (6 ms of a 48 ms
 * hook). So this file reads the extension from the mapped index file
 * (index_file.c), finds the paths that may have changed, and the caller
 * hands them to libgit2's diff as a path list.
 *
 * Only ever a superset of the changed paths: a folder is skipped only when git
 * recorded its tree id and that id is HEAD's. Anything unexpected (no
 * extension, conflicts, a malformed extension; index_file.c refuses split
 * and sparse indexes, intent-to-add entries and case-insensitive
 * repositories) answers CG_E_NOTFOUND and the caller diffs everything as
 * before.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "change/snapshot.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

#define TREE_MAX_DEPTH 1024

struct ct_node {
	const char *name; /* in the index file's buffer, not NUL-terminated */
	size_t name_len;
	long entry_count;		/* -1: a path under it was staged since the tree was written */
	git_oid id;			/* when entry_count >= 0 */
	long first_child, next_sibling; /* indexes in nodes, -1 for none */
};

struct cache_tree {
	struct ct_node *nodes;
	size_t len, cap;
};

struct work {
	char *prefix; /* "" or "dir/sub/" */
	long node;    /* -1 when the cache-tree has no such folder */
	git_oid head; /* HEAD's tree for the folder */
};

struct walk {
	git_repository *repo;
	const struct cg_index_file *index;
	const struct cache_tree *ct;
	struct cg_pathlist *out;
	struct work *stack;
	size_t depth, cap;
};

void cg_pathlist_release(struct cg_pathlist *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static void pathlist_add(struct cg_pathlist *list, const char *a, size_t alen, const char *b, size_t blen,
			 bool is_folder)
{
	char *p = malloc(alen + blen + 2);
	if (!p)
		abort();
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	if (is_folder)
		p[alen + blen++] = '/';
	p[alen + blen] = '\0';
	cg_array_grow((void **)&list->items, &list->cap, list->len + 1, sizeof(*list->items));
	list->items[list->len++] = p;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A decimal number ended by `stop`; "-1" allowed when `is_signed`. Advances *p past `stop`. */
static int parse_count(long *out, const unsigned char **p, const unsigned char *end, char stop, bool is_signed)
{
	const unsigned char *s = *p;
	bool is_negative = false;
	long n = 0;

	if (is_signed && s < end && *s == '-') {
		is_negative = true;
		s++;
	}
	if (s >= end || *s < '0' || *s > '9')
		return CG_E_NOTFOUND;
	while (s < end && *s >= '0' && *s <= '9') {
		if (n > 100000000)
			return CG_E_NOTFOUND;
		n = n * 10 + (*s++ - '0');
	}
	if (s >= end || *s != (unsigned char)stop)
		return CG_E_NOTFOUND;
	*out = is_negative ? -n : n;
	*p = s + 1;
	return 0;
}

/*
 * The TREE extension: for each folder in pre-order, "name\0count nsub\n" and
 * the tree id when count >= 0, followed by its nsub subfolders. Parsed with an
 * explicit stack: the file is input, its nesting must not set our stack depth.
 */
static int parse_tree_ext(struct cache_tree *ct, const unsigned char *p, const unsigned char *end)
{
	struct {
		long node, last_child, remaining;
	} stack[TREE_MAX_DEPTH];
	size_t depth = 0;

	do {
		const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
		struct ct_node *n;
		long count, nsub;

		if (!nul)
			return CG_E_NOTFOUND;
		cg_array_grow((void **)&ct->nodes, &ct->cap, ct->len + 1, sizeof(*ct->nodes));
		n = &ct->nodes[ct->len];
		n->name = (const char *)p;
		n->name_len = (size_t)(nul - p);
		n->first_child = n->next_sibling = -1;
		p = nul + 1;
		if (parse_count(&count, &p, end, ' ', true) < 0 || parse_count(&nsub, &p, end, '\n', false) < 0)
			return CG_E_NOTFOUND;
		n->entry_count = count;
		if (count >= 0) {
			if (end - p < GIT_OID_RAWSZ)
				return CG_E_NOTFOUND;
			git_oid_fromraw(&n->id, p);
			p += GIT_OID_RAWSZ;
		}
		if (depth) {
			if (stack[depth - 1].last_child < 0)
				ct->nodes[stack[depth - 1].node].first_child = (long)ct->len;
			else
				ct->nodes[stack[depth - 1].last_child].next_sibling = (long)ct->len;
			stack[depth - 1].last_child = (long)ct->len;
			stack[depth - 1].remaining--;
		} else if (ct->len) {
			return CG_E_NOTFOUND; /* a second root */
		}
		if (nsub > 0) {
			if (depth == TREE_MAX_DEPTH)
				return CG_E_NOTFOUND;
			stack[depth].node = (long)ct->len;
			stack[depth].last_child = -1;
			stack[depth].remaining = nsub;
			depth++;
		}
		ct->len++;
		while (depth && stack[depth - 1].remaining == 0)
			depth--;
	} while (depth && p < end);
	return depth || p != end ? CG_E_NOTFOUND : 0;
}

/* The TREE extension among the index's extensions (index_file.c has checked their lengths). */
static int read_cache_tree(struct cache_tree *ct, const struct cg_index_file *index)
{
	for (const unsigned char *p = index->ext; index->ext_end - p >= 8; p += 8 + be32(p + 4))
		if (!memcmp(p, "TREE", 4))
			return be32(p + 4) ? parse_tree_ext(ct, p + 8, p + 8 + be32(p + 4)) : CG_E_NOTFOUND;
	return CG_E_NOTFOUND;
}

/* The children of a cache-tree folder, sorted by name for find_child: the root may have hundreds. */
struct kids {
	const struct cache_tree *ct;
	long *items;
	size_t len, cap;
};

static int cmp_name(const struct ct_node *a, const char *name, size_t len)
{
	int c = memcmp(a->name, name, a->name_len < len ? a->name_len : len);
	return c ? c : (a->name_len > len) - (a->name_len < len);
}

static int cmp_kids(const void *a, const void *b, void *payload)
{
	const struct cache_tree *ct = payload;
	const struct ct_node *nb = &ct->nodes[*(const long *)b];
	return cmp_name(&ct->nodes[*(const long *)a], nb->name, nb->name_len);
}

static void kids_load(struct kids *k, long node)
{
	k->len = 0;
	if (node < 0)
		return;
	for (long c = k->ct->nodes[node].first_child; c >= 0; c = k->ct->nodes[c].next_sibling) {
		cg_array_grow((void **)&k->items, &k->cap, k->len + 1, sizeof(*k->items));
		k->items[k->len++] = c;
	}
	if (k->len > 1)
		qsort_r(k->items, k->len, sizeof(*k->items), cmp_kids, (void *)k->ct);
}

static long find_child(const struct kids *k, const char *name, size_t len)
{
	size_t lo = 0, hi = k->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_name(&k->ct->nodes[k->items[mid]], name, len);
		if (!c)
			return k->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void push(struct walk *w, char *prefix, long node, const git_oid *head)
{
	cg_array_grow((void **)&w->stack, &w->cap, w->depth + 1, sizeof(*w->stack));
	w->stack[w->depth].prefix = prefix;
	w->stack[w->depth].node = node;
	git_oid_cpy(&w->stack[w->depth].head, head);
	w->depth++;
}

/* One folder whose tree may differ from HEAD's: its files compared one by one, its subfolders queued. */
static int visit(struct walk *w, const struct work *item)
{
	const char *prefix = item->prefix;
	size_t plen = strlen(prefix), n = w->index->n, pos = cg_index_file_find_prefix(w->index, prefix);
	struct cg_buf name = CG_BUF_INIT;
	struct kids kids = { w->ct, NULL, 0, 0 };
	git_tree *tree = NULL;
	int err = 0;

	if (item->node >= 0 && w->ct->nodes[item->node].entry_count >= 0 &&
	    git_oid_equal(&w->ct->nodes[item->node].id, &item->head))
		return 0;
	if (git_tree_lookup(&tree, w->repo, &item->head) < 0) {
		git_error_clear();
		return CG_E_NOTFOUND;
	}
	kids_load(&kids, item->node);
	/* The index's side: sorted by path, so a subfolder's entries are contiguous. */
	while (pos < n && !err) {
		const struct cg_index_entry *e = &w->index->entries[pos];
		const char *rest, *slash;
		const git_tree_entry *te;

		if (!cg_starts_with(e->path, prefix))
			break;
		if (e->stage != 0) {
			err = CG_E_NOTFOUND; /* a conflict: let the full diff report it as it always did */
			break;
		}
		rest = e->path + plen;
		slash = strchr(rest, '/');
		cg_buf_truncate(&name, 0);
		cg_buf_put(&name, rest, slash ? (size_t)(slash - rest) : strlen(rest));
		te = git_tree_entry_byname(tree, name.ptr);
		if (!slash) {
			if (!te || !git_oid_equal(git_tree_entry_id(te), &e->id) ||
			    (uint32_t)git_tree_entry_filemode(te) != e->mode)
				pathlist_add(w->out, e->path, strlen(e->path), "", 0, false);
			pos++;
			continue;
		}
		/* Skip the rest of the subfolder: its entries all start with "prefix/name/". */
		while (++pos < n) {
			const char *next = w->index->entries[pos].path;
			if (strncmp(next, e->path, plen + name.size + 1))
				break;
		}
		if (te && git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			struct cg_buf sub = CG_BUF_INIT;
			cg_buf_put(&sub, e->path, plen + name.size + 1); /* "prefix/name/" */
			push(w, cg_buf_detach(&sub, NULL), find_child(&kids, name.ptr, name.size),
			     git_tree_entry_id(te));
		} else {
			pathlist_add(w->out, prefix, plen, name.ptr, name.size, true); /* a new folder */
		}
	}
	/* HEAD's side: what the index no longer has. */
	for (size_t i = 0, count = git_tree_entrycount(tree); i < count && !err; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(tree, i);
		const char *tname = git_tree_entry_name(te);
		size_t at;
		cg_buf_truncate(&name, 0);
		cg_buf_put(&name, prefix, plen);
		cg_buf_puts(&name, tname);
		if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			cg_buf_putc(&name, '/');
			at = cg_index_file_find_prefix(w->index, name.ptr);
			if (at == w->index->n || !cg_starts_with(w->index->entries[at].path, name.ptr))
				pathlist_add(w->out, name.ptr, name.size, "", 0, false);
		} else if (!cg_index_file_get(w->index, name.ptr)) {
			pathlist_add(w->out, name.ptr, name.size, "", 0, false);
		}
	}
	free(kids.items);
	cg_buf_release(&name);
	git_tree_free(tree);
	return err;
}

int cg_index_changed_paths(struct cg_pathlist *out, git_repository *repo, const struct cg_index_file *index,
			   git_tree *head)
{
	struct cache_tree ct = { 0 };
	struct walk w = { repo, index, &ct, out, NULL, 0, 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = read_cache_tree(&ct, index);
	if (!err)
		push(&w, cg_strdup(""), 0, git_tree_id(head));
	while (w.depth && !err) {
		struct work item = w.stack[--w.depth];
		err = visit(&w, &item);
		free(item.prefix);
	}
	while (w.depth)
		free(w.stack[--w.depth].prefix);
	free(w.stack);
	free(ct.nodes);
	if (err < 0) {
		cg_pathlist_release(out);
		cg_error_clear();
	}
	return err;
}
