/*
 * The three ways a memory update lands: staged into the commit being made
 * (pre-commit hook), committed on the local branch (check), or committed on
 * the PR's head and pushed, re-rendered over the branch tip when someone
 * else pushed first (CI).
 */
#include "memory/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

void cg_memory_result_init(struct cg_memory_result *r)
{
	memset(r, 0, sizeof(*r));
	cg_buf_init(&r->diff);
}

void cg_memory_result_release(struct cg_memory_result *r)
{
	cg_buf_release(&r->diff);
}

const char *cg_memory_outcome_name(enum cg_memory_outcome outcome)
{
	switch (outcome) {
	case CG_MEMORY_SKIPPED:
		return "skipped";
	case CG_MEMORY_STAGED:
		return "staged";
	case CG_MEMORY_COMMITTED:
		return "committed";
	case CG_MEMORY_PUSHED:
		return "pushed";
	case CG_MEMORY_REJECTED:
		return "rejected";
	}
	return "unknown";
}

void cg_memory_result_log(const struct cg_memory_result *r)
{
	switch (r->outcome) {
	case CG_MEMORY_SKIPPED:
		cg_info("memory: skipped: %s", r->reason);
		break;
	case CG_MEMORY_STAGED:
		cg_info("memory: memory files updated and staged");
		break;
	case CG_MEMORY_COMMITTED:
		cg_info("memory: committed %.12s on the current branch (not pushed)", r->commit);
		break;
	case CG_MEMORY_PUSHED:
		cg_info("memory: pushed %.12s (%u attempt%s)", r->commit, r->attempts, r->attempts == 1 ? "" : "s");
		break;
	case CG_MEMORY_REJECTED:
		cg_info("memory: the push was refused: %s", r->reason);
		break;
	}
}

time_t cg_memory_now(void)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	long v;
	if (env && *env && cg_parse_long(&v, env, 0, 253402300799L) == 0)
		return (time_t)v;
	return time(NULL);
}

static int skip(struct cg_memory_result *out, const char *why)
{
	out->outcome = CG_MEMORY_SKIPPED;
	out->commit[0] = '\0'; /* an attempt's commit that was not pushed is nobody's business */
	snprintf(out->reason, sizeof(out->reason), "%s", why);
	return 0;
}

/* ---- stage: the pre-commit hook -------------------------------------- */

/*
 * git runs the hook with GIT_INDEX_FILE naming the index the commit is made
 * from (a temporary one for `git commit -a` or with paths); staging into
 * any other index would miss the commit.
 */
static int open_index(git_index **out, git_repository *repo)
{
	const char *env = getenv("GIT_INDEX_FILE");
	int rc = env && *env ? git_index_open(out, env) : git_repository_index(out, repo);
	if (rc < 0 || git_index_read(*out, 1) < 0)
		return cg_error_set_git("memory: cannot read the index");
	return 0;
}

/*
 * Refuses while another git process holds the index (or one crashed holding
 * it): the update writes the index last, and would fail there half done,
 * after the commit or the files. Inside `git commit`, GIT_INDEX_FILE names
 * the index git is building, whose lock is then the one that matters.
 */
static int check_index_unlocked(git_repository *repo)
{
	const char *env = getenv("GIT_INDEX_FILE");
	struct cg_buf lock = CG_BUF_INIT;
	struct stat st;
	int err = 0;

	if (env && *env)
		cg_buf_printf(&lock, "%s.lock", env);
	else
		cg_buf_printf(&lock, "%sindex.lock", git_repository_path(repo));
	if (lstat(lock.ptr, &st) == 0)
		err = cg_error_set(CG_E_IO,
				   "memory: %s exists: another git process is using the index (or one crashed); wait "
				   "for it to finish, or delete the file if no git process is running, then re-run",
				   lock.ptr);
	cg_buf_release(&lock);
	return err;
}

/*
 * A memory file's path in the work tree must not pass through a symbolic
 * link: the change under review can commit one (scratchpad.md ->
 * ~/.ssh/id_rsa), and reading through it would copy that file into the
 * repository, writing through it would overwrite it.
 */
static int check_no_symlink(const char *workdir, const char *path)
{
	struct cg_buf full = CG_BUF_INIT;
	const char *p = path;
	int err = 0;

	cg_buf_puts(&full, workdir);
	while (*p && !err) {
		size_t n = strcspn(p, "/");
		struct stat st;
		cg_buf_put(&full, p, n);
		if (lstat(full.ptr, &st) == 0 && S_ISLNK(st.st_mode))
			err = cg_error_set(CG_E_INPUT,
					   "memory: %s is a symbolic link (%.*s); crabgate will not read or write "
					   "through it: replace it with a regular file, or set memory.files to another "
					   "path",
					   path, (int)(p + n - path), path);
		p += n;
		if (*p == '/') {
			cg_buf_putc(&full, '/');
			p++;
		}
	}
	cg_buf_release(&full);
	return err;
}

static int update_stage(struct cg_memory_result *out, git_repository *repo, const struct cg_memory_facts *facts,
			const struct cg_memory_config *mc)
{
	const char *workdir = git_repository_workdir(repo);
	struct cg_buf old_wt[CG_MEMORY_NFILES], new_wt[CG_MEMORY_NFILES], old_ix[CG_MEMORY_NFILES],
		new_ix[CG_MEMORY_NFILES], full = CG_BUF_INIT;
	bool has_wt[CG_MEMORY_NFILES] = { 0 }, has_ix[CG_MEMORY_NFILES] = { 0 }, any = false;
	git_filemode_t modes[CG_MEMORY_NFILES];
	git_index *index = NULL;
	int err = 0;

	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		cg_buf_init(&old_wt[i]);
		cg_buf_init(&new_wt[i]);
		cg_buf_init(&old_ix[i]);
		cg_buf_init(&new_ix[i]);
		modes[i] = GIT_FILEMODE_BLOB;
	}
	if (!workdir) {
		err = cg_error_set(CG_E_INPUT, "memory: memory.mode stage needs a work tree; use commit in a bare "
					       "repository");
		goto done;
	}
	if ((err = open_index(&index, repo)) < 0)
		goto done;

	/* Render everything first: a damaged file stops the update before anything is written. */
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		const char *path = mc->paths[i];
		const git_index_entry *e = git_index_get_bypath(index, path, 0);
		const git_index_entry *anc, *ours, *theirs;
		git_blob *blob = NULL;

		if (git_index_conflict_get(&anc, &ours, &theirs, index, path) == 0) {
			err = cg_error_set(CG_E_INPUT,
					   "memory: %s has an unresolved merge conflict in the index; resolve it and "
					   "`git add` it, then re-run",
					   path);
			goto done;
		}
		git_error_clear();
		if ((err = check_no_symlink(workdir, path)) < 0)
			goto done;
		if (e && e->mode == GIT_FILEMODE_LINK) {
			err = cg_error_set(
				CG_E_INPUT,
				"memory: %s is staged as a symbolic link; crabgate will not follow it: replace "
				"it with a regular file, or set memory.files to another path",
				path);
			goto done;
		}
		if (e) {
			if (git_blob_lookup(&blob, repo, &e->id) < 0) {
				err = cg_error_set_git("memory: cannot read the staged %s", path);
				goto done;
			}
			cg_buf_put(&old_ix[i], git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
			git_blob_free(blob);
			has_ix[i] = true;
			modes[i] = e->mode == GIT_FILEMODE_BLOB_EXECUTABLE ? GIT_FILEMODE_BLOB_EXECUTABLE
									   : GIT_FILEMODE_BLOB;
		}
		cg_buf_truncate(&full, 0);
		cg_buf_printf(&full, "%s%s", workdir, path);
		err = cg_fs_read(&old_wt[i], full.ptr, CG_MEMORY_MAX_FILE);
		if (err == CG_E_NOTFOUND)
			err = 0;
		else if (err < 0)
			goto done;
		else
			has_wt[i] = true;
		if ((err = cg_memory_render((enum cg_memory_file)i, &new_ix[i], path, has_ix[i] ? old_ix[i].ptr : NULL,
					    old_ix[i].size, facts, mc)) < 0 ||
		    (err = cg_memory_render((enum cg_memory_file)i, &new_wt[i], path, has_wt[i] ? old_wt[i].ptr : NULL,
					    old_wt[i].size, facts, mc)) < 0)
			goto done;
	}

	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		bool ix_changed = !has_ix[i] || old_ix[i].size != new_ix[i].size ||
				  memcmp(old_ix[i].ptr, new_ix[i].ptr, new_ix[i].size);
		bool wt_changed = !has_wt[i] || old_wt[i].size != new_wt[i].size ||
				  memcmp(old_wt[i].ptr, new_wt[i].ptr, new_wt[i].size);
		if (wt_changed) {
			cg_buf_truncate(&full, 0);
			cg_buf_printf(&full, "%s%s", workdir, mc->paths[i]);
			if ((err = cg_fs_write_atomic(full.ptr, new_wt[i].ptr, new_wt[i].size)) < 0)
				goto done;
		}
		if (ix_changed) {
			git_index_entry entry;
			memset(&entry, 0, sizeof(entry));
			entry.path = mc->paths[i];
			entry.mode = modes[i];
			if (git_blob_create_from_buffer(&entry.id, repo, new_ix[i].ptr, new_ix[i].size) < 0 ||
			    git_index_add(index, &entry) < 0) {
				err = cg_error_set_git("memory: cannot stage %s", mc->paths[i]);
				goto done;
			}
		}
		any |= ix_changed || wt_changed;
	}
	if (!any) {
		err = skip(out, "the memory files are already up to date");
		goto done;
	}
	if (git_index_write(index) < 0) {
		err = cg_error_set_git("memory: cannot write the index");
		goto done;
	}
	out->outcome = CG_MEMORY_STAGED;
done:
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		cg_buf_release(&old_wt[i]);
		cg_buf_release(&new_wt[i]);
		cg_buf_release(&old_ix[i]);
		cg_buf_release(&new_ix[i]);
	}
	cg_buf_release(&full);
	git_index_free(index);
	return err;
}

/* ---- commit: on the local branch ------------------------------------- */

/*
 * The local commit is made from HEAD's versions; a memory file edited but not
 * committed would be silently left behind by it, so that is refused.
 */
static int check_clean(git_repository *repo, git_tree *head_tree, git_index *index, const struct cg_memory_config *mc)
{
	const char *workdir = git_repository_workdir(repo);
	struct cg_buf full = CG_BUF_INIT, data = CG_BUF_INIT;
	int err = 0;

	for (int i = 0; i < CG_MEMORY_NFILES && !err; i++) {
		const char *path = mc->paths[i];
		git_tree_entry *te = NULL;
		const git_index_entry *ie = git_index_get_bypath(index, path, 0);
		bool in_head = git_tree_entry_bypath(&te, head_tree, path) == 0, is_dirty;
		git_oid wt_id;

		git_error_clear();
		is_dirty = in_head != (ie != NULL) || (ie && !git_oid_equal(&ie->id, git_tree_entry_id(te)));
		if (!is_dirty && workdir) {
			int rc;
			cg_buf_truncate(&full, 0);
			cg_buf_truncate(&data, 0);
			cg_buf_printf(&full, "%s%s", workdir, path);
			rc = cg_fs_read(&data, full.ptr, CG_MEMORY_MAX_FILE);
			if (rc == CG_E_NOTFOUND)
				is_dirty = in_head;
			else if (rc < 0)
				err = rc;
			else
				is_dirty = !in_head || git_odb_hash(&wt_id, data.ptr, data.size, GIT_OBJECT_BLOB) < 0 ||
					   !git_oid_equal(&wt_id, git_tree_entry_id(te));
		}
		if (!err && is_dirty)
			err = cg_error_set(CG_E_INPUT,
					   "memory: %s has uncommitted changes; commit or stash them first (the memory "
					   "commit is made on HEAD), or set memory.mode: stage",
					   path);
		git_tree_entry_free(te);
	}
	cg_buf_release(&full);
	cg_buf_release(&data);
	return err;
}

static int update_commit_local(struct cg_memory_result *out, git_repository *repo, const struct cg_memory_facts *facts,
			       const struct cg_memory_config *mc, git_reference *branch, git_commit *head)
{
	struct cg_memory_files files;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_reference *moved = NULL;
	struct cg_buf full = CG_BUF_INIT;
	git_oid id;
	int err;

	memset(&files, 0, sizeof(files));
	if (git_commit_tree(&tree, head) < 0 || git_repository_index(&index, repo) < 0 ||
	    git_index_read(index, 1) < 0) {
		err = cg_error_set_git("memory: cannot read HEAD and the index");
		goto done;
	}
	for (int i = 0; i < CG_MEMORY_NFILES && git_repository_workdir(repo); i++)
		if ((err = check_no_symlink(git_repository_workdir(repo), mc->paths[i])) < 0)
			goto done;
	if ((err = check_clean(repo, tree, index, mc)) < 0)
		goto done;
	if ((err = cg_memory_render_tree(&files, repo, tree, "HEAD", facts, mc)) < 0)
		goto done;
	if (!cg_memory_files_any_changed(&files)) {
		err = skip(out, "the memory files are already up to date");
		goto done;
	}
	if ((err = cg_memory_commit_create(&id, repo, head, &files, facts, mc)) < 0)
		goto done;
	/* Compare-and-swap: a commit made meanwhile (another hook, an IDE) is never lost. */
	if (git_reference_create_matching(&moved, repo, git_reference_name(branch), &id, 1, git_commit_id(head),
					  "crabgate: memory update") < 0) {
		err = cg_error_set_git("memory: %s moved while updating; re-run", git_reference_shorthand(branch));
		goto done;
	}
	git_oid_tostr(out->commit, sizeof(out->commit), &id);
	out->outcome = CG_MEMORY_COMMITTED;
	/* Bring the index and work tree along, so `git status` stays clean. */
	for (int i = 0; i < CG_MEMORY_NFILES; i++) {
		git_index_entry entry;
		if (!files.is_changed[i])
			continue;
		memset(&entry, 0, sizeof(entry));
		entry.path = mc->paths[i];
		entry.mode = files.exists[i] ? files.mode[i] : GIT_FILEMODE_BLOB;
		if (git_blob_create_from_buffer(&entry.id, repo, files.rendered[i].ptr, files.rendered[i].size) < 0 ||
		    git_index_add(index, &entry) < 0) {
			err = cg_error_set_git("memory: committed %s, but cannot update the index", out->commit);
			goto done;
		}
		if (git_repository_workdir(repo)) {
			cg_buf_truncate(&full, 0);
			cg_buf_printf(&full, "%s%s", git_repository_workdir(repo), mc->paths[i]);
			if ((err = cg_fs_write_atomic(full.ptr, files.rendered[i].ptr, files.rendered[i].size)) < 0)
				goto done;
		}
	}
	if (git_index_write(index) < 0)
		err = cg_error_set_git("memory: committed %s, but cannot write the index", out->commit);
done:
	cg_memory_files_release(&files);
	cg_buf_release(&full);
	git_reference_free(moved);
	git_index_free(index);
	git_tree_free(tree);
	return err;
}

/*
 * The loop guard: a change whose head commit crabgate made is its own
 * memory update coming back. 1 (and `out` says so) when skipped. A staged
 * change has no head yet: a new commit is being made, whatever HEAD is.
 */
static int check_own_head(struct cg_memory_result *out, git_repository *repo, const struct cg_change *change,
			  const struct cg_memory_config *mc)
{
	git_commit *c = NULL;
	git_oid id;
	bool is_own;

	if (!*change->head)
		return 0;
	if (git_oid_fromstr(&id, change->head) < 0 || git_commit_lookup(&c, repo, &id) < 0)
		return cg_error_set_git("memory: cannot read the change's head commit %s", change->head);
	is_own = cg_memory_is_own_commit(c, mc);
	git_commit_free(c);
	if (!is_own)
		return 0;
	skip(out, "the change's head commit is crabgate's own memory commit");
	return 1;
}

int cg_memory_update_local(struct cg_memory_result *out, git_repository *repo, const struct cg_config *cfg,
			   struct cg_change *change, const struct cg_findings *findings,
			   const struct cg_memory_review *review, time_t now)
{
	struct cg_memory_config mc;
	struct cg_memory_facts facts;
	struct cg_memory_meta meta = { 0 };
	git_reference *head_ref = NULL;
	git_commit *head = NULL;
	int err, rc;

	memset(&facts, 0, sizeof(facts));
	cg_memory_result_init(out);
	if ((err = cg_memory_config_load(&mc, cfg)) < 0)
		goto done;
	if (mc.mode == CG_MEMORY_MODE_OFF) {
		err = skip(out, "memory.mode is off");
		goto done;
	}
	rc = git_repository_head(&head_ref, repo);
	if (rc < 0 && rc != GIT_EUNBORNBRANCH) {
		err = cg_error_set_git("memory: cannot read HEAD");
		goto done;
	}
	git_error_clear();
	if (rc == 0 && git_reference_peel((git_object **)&head, head_ref, GIT_OBJECT_COMMIT) < 0) {
		err = cg_error_set_git("memory: cannot read HEAD's commit");
		goto done;
	}
	if ((err = check_own_head(out, repo, change, &mc)) != 0) {
		err = err > 0 ? 0 : err;
		goto done;
	}
	meta.now = now ? now : cg_memory_now();
	meta.scope = head_ref && git_reference_is_branch(head_ref) ? git_reference_shorthand(head_ref) : NULL;
	if ((err = cg_memory_gather(&facts, repo, change, findings, review, &meta, &mc)) < 0)
		goto done;

	if ((err = check_index_unlocked(repo)) < 0)
		goto done;
	if (mc.mode == CG_MEMORY_MODE_STAGE) {
		err = update_stage(out, repo, &facts, &mc);
		goto done;
	}
	if (!head) {
		err = cg_error_set(CG_E_INPUT, "memory: no commit yet to put the memory commit on; make the first "
					       "commit, or set memory.mode: stage");
		goto done;
	}
	if (git_repository_head_detached(repo) == 1) {
		err = cg_error_set(CG_E_INPUT, "memory: HEAD is detached; check out a branch for the memory commit, or "
					       "set memory.mode: stage");
		goto done;
	}
	err = update_commit_local(out, repo, &facts, &mc, head_ref, head);
done:
	cg_memory_facts_release(&facts);
	git_commit_free(head);
	git_reference_free(head_ref);
	return err;
}

/* ---- commit and push: CI --------------------------------------------- */

/* Waits before the next attempt: exponential, with jitter so racing runners spread out. */
static void backoff(unsigned attempt)
{
	static unsigned seed;
	unsigned long ms = 200ul << (attempt < 5 ? attempt - 1 : 4);
	struct timespec ts;

	if (!seed)
		seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	seed = seed * 1103515245u + 12345u;
	ms += (seed >> 8) % (ms / 2 + 1);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int push_loop(struct cg_memory_result *out, git_repository *repo, git_commit *head,
		     const struct cg_memory_facts *facts, const struct cg_memory_config *mc,
		     const struct cg_memory_ci *ci)
{
	struct cg_memory_remote rm = { ci->remote, ci->token, ci->forge->push_user };
	git_commit *parent = head, *tip = NULL;
	char why[512] = "";
	int err = 0;

	for (unsigned attempt = 1;; attempt++) {
		struct cg_memory_files files;
		enum cg_memory_push_status status;
		git_tree *tree = NULL;
		git_oid id, tip_id;

		if (git_commit_tree(&tree, parent) < 0) {
			err = cg_error_set_git("memory: cannot read the tree of %s",
					       git_oid_tostr_s(git_commit_id(parent)));
			goto done;
		}
		err = cg_memory_render_tree(&files, repo, tree, git_oid_tostr_s(git_commit_id(parent)), facts, mc);
		git_tree_free(tree);
		if (err < 0)
			goto done;
		if (!cg_memory_files_any_changed(&files)) {
			cg_memory_files_release(&files);
			err = skip(out, attempt == 1 ? "the memory files are already up to date"
						     : "the branch tip already has these memory updates");
			goto done;
		}
		err = cg_memory_commit_create(&id, repo, parent, &files, facts, mc);
		cg_memory_files_release(&files);
		if (err < 0)
			goto done;
		git_oid_tostr(out->commit, sizeof(out->commit), &id);
		out->attempts = attempt;
		if ((err = cg_memory_push(&status, why, sizeof(why), repo, &rm, ci->branch, &id,
					  git_commit_id(parent))) < 0)
			goto done;
		if (status == CG_PUSH_OK) {
			out->outcome = CG_MEMORY_PUSHED;
			goto done;
		}
		if (status == CG_PUSH_REJECTED) {
			out->outcome = CG_MEMORY_REJECTED;
			snprintf(out->reason, sizeof(out->reason), "%s", why);
			err = cg_error_set(CG_E_NET,
					   "memory: the push to %s was refused (%s); not retrying. Let the token push "
					   "to this branch (branch protection, `permissions: contents: write`), or set "
					   "memory.mode: off",
					   ci->branch, why);
			goto done;
		}
		cg_verbose("memory: attempt %u: %s", attempt, why);
		if (attempt >= (unsigned)mc->push_attempts) {
			err = cg_error_set(
				CG_E_NET,
				"memory: %s kept moving; gave up after %u push attempts (last: %s); re-run the "
				"job, or raise memory.push_attempts",
				ci->branch, attempt, why);
			goto done;
		}
		backoff(attempt);
		/* Render again over the tip: whoever pushed first keeps their edit. */
		if ((err = cg_memory_fetch_tip(&tip_id, repo, &rm, ci->branch)) < 0)
			goto done;
		git_commit_free(tip);
		tip = NULL;
		if (git_commit_lookup(&tip, repo, &tip_id) < 0) {
			err = cg_error_set_git("memory: cannot read the tip of %s", ci->branch);
			goto done;
		}
		parent = tip;
	}
done:
	git_commit_free(tip);
	return err;
}

int cg_memory_update_ci(struct cg_memory_result *out, git_repository *repo, const struct cg_config *cfg,
			struct cg_change *change, const struct cg_findings *findings,
			const struct cg_memory_review *review, const struct cg_memory_ci *ci)
{
	struct cg_memory_config mc;
	struct cg_memory_facts facts;
	struct cg_memory_meta meta = { 0 };
	struct cg_memory_files files;
	struct cg_buf key = CG_BUF_INIT;
	git_commit *head = NULL;
	git_tree *tree = NULL;
	git_oid head_id;
	int err;

	memset(&facts, 0, sizeof(facts));
	memset(&files, 0, sizeof(files));
	cg_memory_result_init(out);
	if (ci->token && *ci->token)
		cg_log_add_secret(ci->token);
	if ((err = cg_memory_config_load(&mc, cfg)) < 0)
		goto done;
	if (mc.mode == CG_MEMORY_MODE_OFF) {
		err = skip(out, "memory.mode is off");
		goto done;
	}
	if (mc.mode == CG_MEMORY_MODE_STAGE) {
		err = skip(out, "memory.mode is stage (the pre-commit hook stages the files); set commit to commit "
				"them from CI");
		goto done;
	}
	if (!ci->head_sha || git_oid_fromstr(&head_id, ci->head_sha) < 0) {
		err = cg_error_set(CG_E_INPUT, "memory: the PR head '%s' is not a commit id",
				   ci->head_sha ? ci->head_sha : "");
		goto done;
	}
	if (!ci->is_fork && (!ci->branch || !*ci->branch || !ci->remote || !*ci->remote)) {
		err = cg_error_set(CG_E_INPUT, "memory: pushing needs the PR's branch and the remote");
		goto done;
	}
	if (git_commit_lookup(&head, repo, &head_id) < 0) {
		err = cg_error_set_git("memory: the PR head %s is not in this clone; fetch it (actions/checkout with "
				       "fetch-depth: 0, GIT_DEPTH: 0)",
				       ci->head_sha);
		goto done;
	}
	if (cg_memory_is_own_commit(head, &mc)) {
		err = skip(out, "the head commit is crabgate's own memory commit");
		goto done;
	}
	if (ci->pr_number > 0)
		cg_buf_printf(&key, "%c%ld", ci->forge->number_sign, ci->pr_number);
	meta.key = ci->pr_number > 0 ? key.ptr : NULL;
	meta.scope = ci->pr_number > 0 ? key.ptr : ci->branch;
	meta.title = ci->title;
	meta.now = ci->now ? ci->now : cg_memory_now();
	if ((err = cg_memory_gather(&facts, repo, change, findings, review, &meta, &mc)) < 0)
		goto done;

	if (ci->is_fork) {
		/* A fork's token is read-only: show what would have been committed instead. */
		if (git_commit_tree(&tree, head) < 0) {
			err = cg_error_set_git("memory: cannot read the tree of %s", ci->head_sha);
			goto done;
		}
		if ((err = cg_memory_render_tree(&files, repo, tree, ci->head_sha, &facts, &mc)) < 0 ||
		    (err = cg_memory_files_diff(&out->diff, &files, &mc)) < 0)
			goto done;
		err = skip(out, cg_memory_files_any_changed(&files)
					? "fork pull request: its token cannot push; the would-be change is in the diff"
					: "the memory files are already up to date");
		goto done;
	}
	err = push_loop(out, repo, head, &facts, &mc, ci);
done:
	cg_memory_files_release(&files);
	cg_memory_facts_release(&facts);
	cg_buf_release(&key);
	git_tree_free(tree);
	git_commit_free(head);
	return err;
}
