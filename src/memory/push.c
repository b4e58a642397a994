/*
 * Getting a memory commit onto the remote branch, never by force.
 *
 * Network remotes (https, ssh, git): git_remote_push with an explicit
 * refspec to refs/heads/<branch>, never `+`. libgit2 1.5 cannot push a bare
 * object id, so the source is a throwaway ref refs/crabgate/push/<oid>,
 * deleted again whatever happens. A rejected ref still returns 0, so
 * the verdict comes from the push_update_reference callback; the server's
 * own words (GH006, hook output) arrive on the sideband and go into the
 * report. The token goes through a credentials callback that gives up after
 * a few calls, because libgit2 calls it again for as long as it succeeds.
 *
 * The token goes to the remote's own scheme, host and port and nowhere
 * else. libgit2 1.5 cannot be told so: follow_redirects only refuses a
 * redirect to another host name (another port of the same host is
 * followed), the credentials callback is handed the configured URL whichever
 * server asked, and a redirect that carries a WWW-Authenticate challenge
 * makes it send credentials it already holds to the new server unasked. So
 * during a network push or fetch crabgate registers its own socket stream
 * with libgit2: every connection, plain or under TLS, starts there, and one
 * to any origin but the remote's (cg_url_same_origin's rule) is refused
 * before a byte is sent.
 *
 * Local remotes (paths, file://): libgit2's local transport writes the ref
 * with force after its own fast-forward check, so a writer that lands in
 * between would be overwritten. Here the objects are packed into the remote
 * and the ref moved with git_reference_create_matching, a compare-and-swap
 * under the ref's lock, the same guarantee receive-pack gives.
 */
#define _GNU_SOURCE
#include "memory/internal.h"

#include <errno.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"
#include "util/git_tls.h"
#include "util/log.h"
#include "util/str.h"
#include "util/url.h"
#include "util/banned.h"

#define MAX_CREDENTIAL_CALLS 2

struct push_ctx {
	const struct cg_memory_remote *rm;
	unsigned credential_calls;
	bool is_rejected;
	char status[512];
	struct cg_buf remote_says; /* sideband text, capped */
};

static int credentials_cb(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
			  void *payload)
{
	struct push_ctx *ctx = payload;
	(void)user_from_url;
	if (!ctx->rm->token || !*ctx->rm->token || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
		return GIT_PASSTHROUGH;
	if (++ctx->credential_calls > MAX_CREDENTIAL_CALLS) {
		/* libgit2 asks again after every 401: stop, or it asks forever. */
		cg_error_set(CG_E_NET,
			     "%s refused the token (offered %d times); give it write access to the repository's "
			     "contents (GitHub: `permissions: contents: write`; GitLab: write_repository)",
			     url, MAX_CREDENTIAL_CALLS);
		git_error_set_str(GIT_ERROR_NET, "authentication failed");
		return GIT_EUSER;
	}
	return git_credential_userpass_plaintext_new(out, ctx->rm->user ? ctx->rm->user : "x-access-token",
						     ctx->rm->token);
}

static int update_reference_cb(const char *refname, const char *status, void *payload)
{
	struct push_ctx *ctx = payload;
	(void)refname;
	if (status) {
		ctx->is_rejected = true;
		snprintf(ctx->status, sizeof(ctx->status), "%s", status);
	}
	return 0;
}

static int sideband_cb(const char *str, int len, void *payload)
{
	struct push_ctx *ctx = payload;
	if (len > 0 && ctx->remote_says.size < 2048)
		cg_buf_put(&ctx->remote_says, str, (size_t)len);
	return 0;
}

/* Refusals that mean "the branch moved under you": fetch the tip and try again. */
static bool is_moved(const char *s)
{
	static const char *const words[] = { "non-fast-forward", "fetch first",	       "failed to update ref",
					     "cannot lock ref",	 "failed to lock",     "stale info",
					     "but expected",	 "incorrect old value" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(s, words[i]))
			return true;
	return false;
}

/* The remote's own words, on one line, with secrets masked. */
static void describe(char *why, size_t why_len, const char *status, const struct cg_buf *remote_says)
{
	struct cg_buf b = CG_BUF_INIT;
	cg_buf_puts(&b, status);
	if (remote_says->size) {
		const char *p = remote_says->ptr;
		cg_buf_puts(&b, " (remote:");
		for (; *p; p++)
			cg_buf_putc(&b, *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p);
		while (b.size && b.ptr[b.size - 1] == ' ')
			cg_buf_truncate(&b, b.size - 1);
		cg_buf_puts(&b, ")");
	}
	cg_log_mask(b.ptr);
	snprintf(why, why_len, "%s", b.ptr);
	cg_buf_release(&b);
}

/* ---- Connections only to the remote's origin ---- */

/*
 * libgit2's stream registration takes no payload: the origin the guard lets
 * through lives here, for the duration of one push or fetch (crabgate pushes
 * from one thread).
 */
static struct {
	bool is_active;
	struct cg_url_origin origin;
	char *refused; /* "host:port" of the first connection refused, or NULL */
} guard;

/* "host:port", with an IPv6 host in brackets. */
static void host_port(struct cg_buf *out, const char *host, const char *port)
{
	cg_buf_printf(out, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
}

struct guarded_stream {
	git_stream parent;
	char *host, *port;
	int fd;
};

static void stream_error(const char *what, const struct guarded_stream *st, const char *why)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s %s port %s: %s", what, st->host, st->port, why);
	git_error_set_str(GIT_ERROR_NET, msg);
}

static int stream_connect(git_stream *stream)
{
	struct guarded_stream *st = (struct guarded_stream *)stream;
	struct addrinfo hints, *res = NULL;
	int rc, last_errno = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(st->host, st->port, &hints, &res)) != 0) {
		stream_error("cannot resolve", st, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = res; ai && st->fd < 0; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			st->fd = fd;
		} else {
			last_errno = errno;
			close(fd);
		}
	}
	freeaddrinfo(res);
	if (st->fd < 0) {
		stream_error("cannot connect to", st, strerror(last_errno));
		return -1;
	}
	return 0;
}

static ssize_t stream_read(git_stream *stream, void *data, size_t len)
{
	struct guarded_stream *st = (struct guarded_stream *)stream;
	ssize_t n;
	do
		n = recv(st->fd, data, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		stream_error("cannot read from", st, strerror(errno));
	return n;
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t len, int flags)
{
	struct guarded_stream *st = (struct guarded_stream *)stream;
	ssize_t n;
	(void)flags;
	do
		n = send(st->fd, data, len, MSG_NOSIGNAL); /* a closed peer is an error, not SIGPIPE */
	while (n < 0 && errno == EINTR);
	if (n < 0)
		stream_error("cannot write to", st, strerror(errno));
	return n;
}

static int stream_close(git_stream *stream)
{
	struct guarded_stream *st = (struct guarded_stream *)stream;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	return 0;
}

static void stream_free(git_stream *stream)
{
	struct guarded_stream *st = (struct guarded_stream *)stream;
	stream_close(stream);
	free(st->host);
	free(st->port);
	free(st);
}

static int guarded_stream_new(git_stream **out, const char *host, const char *port)
{
	struct cg_url_origin at = { guard.origin.scheme, (char *)host, (char *)port };
	struct guarded_stream *st;

	/*
	 * The scheme is the remote's: libgit2 itself refuses a redirect from
	 * https to http, and the port tells http from https in practice.
	 */
	if (!cg_url_origin_eq(&guard.origin, &at)) {
		char msg[512];
		if (!guard.refused) {
			struct cg_buf b = CG_BUF_INIT;
			host_port(&b, host, port);
			guard.refused = cg_buf_detach(&b, NULL);
		}
		snprintf(msg, sizeof(msg), "refusing to connect to %s: not the remote's host and port", guard.refused);
		git_error_set_str(GIT_ERROR_NET, msg);
		return -1;
	}
	st = cg_calloc(1, sizeof(*st));
	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = stream_connect;
	st->parent.read = stream_read;
	st->parent.write = stream_write;
	st->parent.close = stream_close;
	st->parent.free = stream_free;
	st->host = cg_strdup(host);
	st->port = cg_strdup(port);
	st->fd = -1;
	*out = &st->parent;
	return 0;
}

/*
 * Installs the guard for `remote` (an http or https remote); a no-op for
 * other transports (ssh carries no token of ours). Undone by guard_end.
 */
static int guard_begin(git_remote *remote)
{
	git_stream_registration reg = { GIT_STREAM_VERSION, guarded_stream_new, NULL };
	const char *url = git_remote_url(remote);
	int err;

	if (!cg_starts_with(url, "http://") && !cg_starts_with(url, "https://"))
		return 0;
	if (cg_starts_with(url, "https://") && (err = cg_git_tls_load()) < 0)
		return cg_error_set(err, "memory: %s", cg_error_last());
	if ((err = cg_url_origin_parse(&guard.origin, url)) < 0)
		return cg_error_set(err, "memory: cannot read the remote URL: %s", cg_error_last());
	if (git_stream_register(GIT_STREAM_STANDARD, &reg) < 0) {
		cg_url_origin_release(&guard.origin);
		return cg_error_set_git("memory: cannot set up the connection guard");
	}
	guard.is_active = true;
	return 0;
}

/*
 * Whether libgit2's error is its own refusal of a redirect to another host
 * name ("cannot redirect from 'a' to 'b'"); if so the guard reports it as
 * its own, naming b.
 */
static bool guard_saw_refusal(const char *git_msg)
{
	const char *to;
	if (!guard.is_active || !git_msg || !strstr(git_msg, "cannot redirect from") ||
	    !(to = strstr(git_msg, "' to '")))
		return false;
	if (!guard.refused)
		guard.refused = cg_strndup(to + 6, strcspn(to + 6, "'"));
	return true;
}

/* CG_E_NET with the message when the guard refused a connection (a redirect elsewhere), else 0. */
static int guard_end(void)
{
	struct cg_buf remote = CG_BUF_INIT;
	int err = 0;

	if (!guard.is_active)
		return 0;
	git_stream_register(GIT_STREAM_STANDARD, NULL);
	if (guard.refused) {
		cg_buf_printf(&remote, "%s://", guard.origin.scheme);
		host_port(&remote, guard.origin.host, guard.origin.port);
		err = cg_error_set(CG_E_NET,
				   "memory: the remote %s redirected to %s; crabgate sends the token only to the "
				   "remote's own scheme, host and port, so it did not follow. Set the remote "
				   "(--remote, memory.remote) to the URL the repository really lives at",
				   remote.ptr, guard.refused);
	}
	cg_buf_release(&remote);
	cg_url_origin_release(&guard.origin);
	free(guard.refused);
	memset(&guard, 0, sizeof(guard));
	return err;
}

/* Resolves a configured remote's name to its URL; anything else is taken as a URL or path. */
static int open_remote(git_remote **out, git_repository *repo, const char *name_or_url)
{
	int is_name = 0;
	if (git_remote_name_is_valid(&is_name, name_or_url) == 0 && is_name &&
	    git_remote_lookup(out, repo, name_or_url) == 0)
		return 0;
	git_error_clear();
	if (git_remote_create_anonymous(out, repo, name_or_url) < 0)
		return cg_error_set_git("memory: bad remote '%s'", name_or_url);
	return 0;
}

/* The folder of a local remote, or NULL for network URLs (owned). */
static char *local_path(const char *url)
{
	const char *colon, *slash;
	if (cg_starts_with(url, "file://"))
		return cg_strdup(url + 7);
	if (strstr(url, "://"))
		return NULL;
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (colon && (!slash || colon < slash))
		return NULL; /* scp-like user@host:path */
	return cg_strdup(url);
}

static int hide_ref_cb(git_reference *ref, void *payload)
{
	struct {
		git_revwalk *walk;
		git_odb *odb;
	} *h = payload;
	const git_oid *id = git_reference_target(ref);
	if (id && git_odb_exists(h->odb, id) && git_revwalk_hide(h->walk, id) < 0)
		git_error_clear(); /* not a commit (a tag of a blob): nothing to hide */
	git_reference_free(ref);
	return 0;
}

static int push_local(enum cg_memory_push_status *status, char *why, size_t why_len, git_repository *repo,
		      const char *path, const char *branch, const git_oid *commit, const git_oid *expected)
{
	git_repository *remote = NULL;
	git_reference *current = NULL, *updated = NULL;
	git_revwalk *walk = NULL;
	git_packbuilder *pb = NULL;
	git_odb *odb = NULL;
	struct cg_buf refname = CG_BUF_INIT, packdir = CG_BUF_INIT;
	git_oid tip;
	bool has_tip = false;
	int err = 0, rc;
	struct {
		git_revwalk *walk;
		git_odb *odb;
	} hide;

	*status = CG_PUSH_REJECTED;
	cg_buf_printf(&refname, "refs/heads/%s", branch);
	if (git_repository_open_ext(&remote, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		err = cg_error_set_git("memory: cannot open the remote repository %s", path);
		goto done;
	}
	if (!git_repository_is_bare(remote)) {
		snprintf(why, why_len, "%s is not a bare repository; pushing to a checked-out branch is refused", path);
		goto done;
	}
	if (git_repository_odb(&odb, repo) < 0) {
		err = cg_error_set_git("memory: cannot open the object database");
		goto done;
	}
	rc = git_reference_lookup(&current, remote, refname.ptr);
	if (rc == 0 && git_reference_resolve(&updated, current) == 0) {
		git_oid_cpy(&tip, git_reference_target(updated));
		has_tip = true;
		git_reference_free(updated);
		updated = NULL;
	} else if (rc != GIT_ENOTFOUND) {
		err = cg_error_set_git("memory: cannot read %s in %s", refname.ptr, path);
		goto done;
	}
	git_error_clear();
	/* Fast-forward only: the remote tip must be what we built on, or behind it. */
	if (has_tip && !git_oid_equal(&tip, expected) &&
	    (!git_odb_exists(odb, &tip) || git_graph_descendant_of(repo, commit, &tip) != 1)) {
		*status = CG_PUSH_RETRY;
		snprintf(why, why_len, "non-fast-forward: %s moved to %.12s", refname.ptr, git_oid_tostr_s(&tip));
		goto done;
	}

	/* Pack what the remote lacks: our commits, hiding everything its refs reach. */
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_push(walk, commit) < 0) {
		err = cg_error_set_git("memory: cannot list the objects to push");
		goto done;
	}
	hide.walk = walk;
	hide.odb = odb;
	if (git_reference_foreach(remote, hide_ref_cb, &hide) < 0 || git_packbuilder_new(&pb, repo) < 0 ||
	    git_packbuilder_insert_walk(pb, walk) < 0) {
		err = cg_error_set_git("memory: cannot pack the objects to push");
		goto done;
	}
	cg_buf_printf(&packdir, "%sobjects/pack", git_repository_path(remote));
	if (git_packbuilder_object_count(pb) && git_packbuilder_write(pb, packdir.ptr, 0, NULL, NULL) < 0) {
		err = cg_error_set_git("memory: cannot write objects into %s", path);
		goto done;
	}
	cg_memory__crash_point("push");

	if (has_tip)
		rc = git_reference_create_matching(&updated, remote, refname.ptr, commit, 1, &tip,
						   "crabgate: memory update");
	else
		rc = git_reference_create(&updated, remote, refname.ptr, commit, 0, "crabgate: memory update");
	if (rc == 0) {
		*status = CG_PUSH_OK;
	} else if (rc == GIT_EMODIFIED || rc == GIT_ELOCKED || rc == GIT_EEXISTS) {
		*status = CG_PUSH_RETRY;
		snprintf(why, why_len, "%s moved while pushing: %s", refname.ptr,
			 git_error_last() ? git_error_last()->message : "lock lost");
		git_error_clear();
	} else {
		err = cg_error_set_git("memory: cannot update %s in %s", refname.ptr, path);
	}
done:
	git_reference_free(updated);
	git_reference_free(current);
	git_packbuilder_free(pb);
	git_revwalk_free(walk);
	git_odb_free(odb);
	git_repository_free(remote);
	cg_buf_release(&refname);
	cg_buf_release(&packdir);
	return err;
}

/* Only for the test crash point: the pack is on its way, the remote's branch not moved. */
static int transfer_cb(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	(void)current;
	(void)total;
	(void)payload;
	if (bytes > 0)
		cg_memory__crash_point("push");
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, struct push_ctx *ctx)
{
	cb->credentials = credentials_cb;
	cb->push_transfer_progress = transfer_cb;
	cb->push_update_reference = update_reference_cb;
	cb->sideband_progress = sideband_cb;
	cb->payload = ctx;
}

int cg_memory_push(enum cg_memory_push_status *status, char *why, size_t why_len, git_repository *repo,
		   const struct cg_memory_remote *rm, const char *branch, const git_oid *commit,
		   const git_oid *expected)
{
	git_push_options opts = GIT_PUSH_OPTIONS_INIT;
	struct push_ctx ctx = { .rm = rm, .remote_says = CG_BUF_INIT };
	git_remote *remote = NULL;
	git_reference *src_ref = NULL;
	struct cg_buf spec = CG_BUF_INIT, src = CG_BUF_INIT;
	char *spec_str, *path = NULL;
	git_strarray specs;
	int err = 0, rc;

	*status = CG_PUSH_REJECTED;
	*why = '\0';
	if (rm->token && *rm->token)
		cg_log_add_secret(rm->token);
	if ((err = open_remote(&remote, repo, rm->remote)) < 0)
		goto done;
	if ((path = local_path(git_remote_url(remote))) != NULL) {
		err = push_local(status, why, why_len, repo, path, branch, commit, expected);
		goto done;
	}
	if ((err = guard_begin(remote)) < 0)
		goto done;
	/* Explicit source and destination, and no '+': a push that would lose commits is refused. */
	cg_buf_printf(&src, "refs/crabgate/push/%s", git_oid_tostr_s(commit));
	if (git_reference_create(&src_ref, repo, src.ptr, commit, 1, "crabgate: memory push") < 0) {
		err = cg_error_set_git("memory: cannot name the memory commit for the push");
		goto done;
	}
	cg_buf_printf(&spec, "%s:refs/heads/%s", src.ptr, branch);
	spec_str = spec.ptr;
	specs.strings = &spec_str;
	specs.count = 1;
	callbacks_init(&opts.callbacks, &ctx);
	opts.follow_redirects = GIT_REMOTE_REDIRECT_NONE; /* the guard refuses the rest */
	rc = git_remote_push(remote, &specs, &opts);
	if (rc == GIT_ENONFASTFORWARD) {
		*status = CG_PUSH_RETRY;
		snprintf(why, why_len, "non-fast-forward: %s", git_error_last() ? git_error_last()->message : "");
		git_error_clear();
	} else if (rc == GIT_EUSER && ctx.credential_calls > MAX_CREDENTIAL_CALLS) {
		snprintf(why, why_len, "%s", cg_error_last());
	} else if (rc < 0) {
		const git_error *e = git_error_last();
		const char *m = e && e->message ? e->message : "push failed";
		if (guard_saw_refusal(m)) {
			/* guard_end says it */
		} else if (strstr(m, "not present locally")) {
			/* The remote tip is a commit we have not seen: it moved. */
			*status = CG_PUSH_RETRY;
			snprintf(why, why_len, "non-fast-forward: %s", m);
		} else if (strstr(m, "403") || strstr(m, "401") || strcasestr(m, "authentication") ||
			   strcasestr(m, "permission")) {
			describe(why, why_len, m, &ctx.remote_says);
		} else {
			err = cg_error_set_git("memory: cannot push to %s", git_remote_url(remote));
		}
	} else if (ctx.is_rejected) {
		*status = is_moved(ctx.status) ? CG_PUSH_RETRY : CG_PUSH_REJECTED;
		describe(why, why_len, ctx.status, &ctx.remote_says);
	} else {
		*status = CG_PUSH_OK;
	}
done:
	/* A refused connection explains whatever libgit2 made of it. */
	if ((rc = guard_end()) < 0) {
		*status = CG_PUSH_REJECTED;
		err = rc;
	}
	if (src_ref) {
		git_reference_delete(src_ref);
		git_reference_free(src_ref);
	}
	free(path);
	cg_buf_release(&src);
	cg_buf_release(&spec);
	cg_buf_release(&ctx.remote_says);
	git_remote_free(remote);
	return err;
}

int cg_memory_fetch_tip(git_oid *out, git_repository *repo, const struct cg_memory_remote *rm, const char *branch)
{
	git_remote_connect_options copts = GIT_REMOTE_CONNECT_OPTIONS_INIT;
	git_fetch_options fopts = GIT_FETCH_OPTIONS_INIT;
	struct push_ctx ctx = { .rm = rm, .remote_says = CG_BUF_INIT };
	const git_remote_head **heads;
	git_remote *remote = NULL;
	git_odb *odb = NULL;
	struct cg_buf refname = CG_BUF_INIT, spec = CG_BUF_INIT;
	char *spec_str;
	git_strarray specs;
	size_t nheads, i;
	int err = 0, rc;

	cg_buf_printf(&refname, "refs/heads/%s", branch);
	if ((err = open_remote(&remote, repo, rm->remote)) < 0)
		goto done;
	if ((err = guard_begin(remote)) < 0)
		goto done;
	callbacks_init(&copts.callbacks, &ctx);
	copts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	if (git_remote_connect_ext(remote, GIT_DIRECTION_FETCH, &copts) < 0 ||
	    git_remote_ls(&heads, &nheads, remote) < 0) {
		if (ctx.credential_calls > MAX_CREDENTIAL_CALLS ||
		    guard_saw_refusal(git_error_last() ? git_error_last()->message : NULL))
			err = CG_E_NET; /* the callback's or the guard's message says what to fix */
		else
			err = cg_error_set_git("memory: cannot fetch from %s", git_remote_url(remote));
		goto done;
	}
	for (i = 0; i < nheads && strcmp(heads[i]->name, refname.ptr); i++)
		;
	if (i == nheads) {
		err = cg_error_set(CG_E_NOTFOUND, "memory: branch %s is gone from the remote", branch);
		goto done;
	}
	git_oid_cpy(out, &heads[i]->oid);
	if (git_repository_odb(&odb, repo) < 0) {
		err = cg_error_set_git("memory: cannot open the object database");
		goto done;
	}
	if (!git_odb_exists(odb, out)) {
		/* Only the objects are wanted; no local ref is written (no update_tips). */
		cg_buf_printf(&spec, "%s:refs/crabgate/memory-tip", refname.ptr);
		spec_str = spec.ptr;
		specs.strings = &spec_str;
		specs.count = 1;
		fopts.callbacks = copts.callbacks;
		fopts.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
		if (git_remote_download(remote, &specs, &fopts) < 0) {
			err = cg_error_set_git("memory: cannot fetch %s", refname.ptr);
			goto done;
		}
	}
done:
	if (remote)
		git_remote_disconnect(remote);
	if ((rc = guard_end()) < 0)
		err = rc;
	git_odb_free(odb);
	git_remote_free(remote);
	cg_buf_release(&refname);
	cg_buf_release(&spec);
	cg_buf_release(&ctx.remote_says);
	return err;
}
