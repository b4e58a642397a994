/*
 * `crabgate install`, `crabgate uninstall` and `crabgate hook`: the git hooks
 * in hooks/, compiled into the binary, written into the folder git runs hooks
 * from, and removed again without touching anything crabgate did not write.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* Generated from hooks/<name> at build time (CMakeLists.txt, cmake/embed.cmake). */
extern const char cg_hook_pre_commit[];
extern const size_t cg_hook_pre_commit_len;
extern const char cg_hook_pre_push[];
extern const size_t cg_hook_pre_push_len;

/* The line every hook crabgate writes carries; uninstall removes only those. */
#define HOOK_MARKER "crabgate-managed-hook"
/* A hook file is a script: anything bigger is not one we wrote. */
#define HOOK_MAX_BYTES (1024 * 1024)

static const struct hook {
	const char *name;
	const char *text;
	const size_t *len;
} hooks[] = {
	{ "pre-commit", cg_hook_pre_commit, &cg_hook_pre_commit_len },
	{ "pre-push", cg_hook_pre_push, &cg_hook_pre_push_len },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

static const struct hook *hook_find(const char *name)
{
	for (size_t i = 0; i < NHOOKS; i++)
		if (!strcmp(hooks[i].name, name))
			return &hooks[i];
	return NULL;
}

/*
 * The folder git runs this repository's hooks from: core.hooksPath when set
 * (`~/` expanded; a relative path is relative to the work tree, where git
 * runs hooks, or to the git folder of a bare repository), otherwise the
 * common git folder's hooks/, which every worktree shares.
 */
static int hooks_dir(struct cg_buf *out, git_repository *repo)
{
	git_config *cfg = NULL;
	git_buf value = { 0 };
	git_buf item = { 0 };
	int err = 0, rc;

	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		err = cg_error_set_git("cannot read the repository's git config");
		goto done;
	}
	rc = git_config_get_string_buf(&value, cfg, "core.hooksPath");
	if (rc < 0 && rc != GIT_ENOTFOUND) {
		err = cg_error_set_git("cannot read core.hooksPath");
		goto done;
	}
	if (rc == 0 && value.size > 0) {
		const char *p = value.ptr;
		if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
			const char *home = getenv("HOME");
			if (!home || !*home) {
				err = cg_error_set(CG_E_INPUT, "core.hooksPath '%s' starts with ~ but HOME is not set",
						   p);
				goto done;
			}
			cg_buf_printf(out, "%s%s", home, p + 1);
		} else if (p[0] == '/') {
			cg_buf_puts(out, p);
		} else {
			const char *base = git_repository_workdir(repo);
			if (!base)
				base = git_repository_path(repo);
			cg_buf_printf(out, "%s%s%s", base, cg_ends_with(base, "/") ? "" : "/", p);
		}
		goto done;
	}
	if (git_repository_item_path(&item, repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
		err = cg_error_set_git("cannot find the repository's hooks folder");
		goto done;
	}
	cg_buf_puts(out, item.ptr);
done:
	/* No trailing '/', so paths join the same way whatever the source. */
	while (!err && out->size > 1 && out->ptr[out->size - 1] == '/')
		cg_buf_truncate(out, out->size - 1);
	git_buf_dispose(&value);
	git_buf_dispose(&item);
	git_config_free(cfg);
	return err;
}

enum hook_state { HOOK_ABSENT, HOOK_OURS, HOOK_FOREIGN };

/* What is at `path`: nothing, a hook crabgate wrote, or someone else's. */
static int hook_state(enum hook_state *out, const char *path)
{
	struct cg_buf text = CG_BUF_INIT;
	struct stat st;
	int err = 0;

	*out = HOOK_ABSENT;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			err = cg_error_set(CG_E_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	*out = HOOK_FOREIGN;
	/* A link, a folder or an unreadable file is not ours, whatever it says. */
	if (S_ISREG(st.st_mode) && cg_fs_read(&text, path, HOOK_MAX_BYTES) == 0 && strstr(text.ptr, HOOK_MARKER))
		*out = HOOK_OURS;
	cg_error_clear();
done:
	cg_buf_release(&text);
	return err;
}

static bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* The line of each hook script `crabgate install` fills in with its own path. */
#define INSTALLED_BY_LINE "\ninstalled_by=''\n"

/* This very binary's absolute path into `out`; CG_E_IO when the system will not say. */
static int self_path(struct cg_buf *out)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return cg_error_set(CG_E_IO, "cannot find this program's own path (/proc/self/exe): %s",
				    strerror(errno));
	cg_buf_put(out, self, (size_t)n);
	return 0;
}

/*
 * The hook's text with `installed_by` set to `self`, single-quoted for sh:
 * the hook falls back on it when crabgate is not on PATH, so a hook installed
 * by a binary that was never installed still runs.
 */
static void hook_text(struct cg_buf *out, const struct hook *h, const char *self)
{
	const char *at = strstr(h->text, INSTALLED_BY_LINE), *tail;
	size_t head;

	if (!at || !self) {
		cg_buf_put(out, h->text, *h->len);
		return;
	}
	head = (size_t)(at - h->text) + 1;
	cg_buf_put(out, h->text, head);
	cg_buf_puts(out, "installed_by='");
	for (const char *c = self; *c; c++) {
		if (*c == '\'')
			cg_buf_puts(out, "'\\''");
		else
			cg_buf_putc(out, *c);
	}
	cg_buf_puts(out, "'");
	/* The rest from the line's own '\n' on. */
	tail = at + strlen(INSTALLED_BY_LINE) - 1;
	cg_buf_put(out, tail, *h->len - (size_t)(tail - h->text));
}

/*
 * Whether `bin` sits in a CMake build folder (a CMakeCache.txt beside it or
 * one folder up): a rebuild replaces it and a clean removes it, so hooks that
 * lean on it break.
 */
static bool is_in_build_folder(const char *bin)
{
	struct cg_buf dir = CG_BUF_INIT, probe = CG_BUF_INIT;
	bool found = false;
	char *slash;

	cg_buf_puts(&dir, bin);
	for (int up = 0; up < 2 && !found && (slash = strrchr(dir.ptr, '/')) && slash != dir.ptr; up++) {
		cg_buf_truncate(&dir, (size_t)(slash - dir.ptr));
		cg_buf_truncate(&probe, 0);
		cg_buf_printf(&probe, "%s/CMakeCache.txt", dir.ptr);
		found = path_exists(probe.ptr);
	}
	cg_buf_release(&dir);
	cg_buf_release(&probe);
	return found;
}

static int write_hook(const char *path, const struct hook *h, const char *self)
{
	struct cg_buf text = CG_BUF_INIT;
	int err;

	hook_text(&text, h, self);
	err = cg_fs_write_atomic(path, text.ptr, text.size);
	cg_buf_release(&text);
	/* Git skips a hook it cannot execute (with only a hint), so this matters. */
	if (!err && chmod(path, 0755) < 0)
		err = cg_error_set(CG_E_IO, "%s: cannot make it executable: %s", path, strerror(errno));
	return err;
}

static int move_aside(const char *from, const char *to)
{
	if (path_exists(to))
		return cg_error_set(CG_E_INPUT, "%s exists already; move it away first so nothing is lost", to);
	if (rename(from, to) < 0)
		return cg_error_set(CG_E_IO, "cannot move %s to %s: %s", from, to, strerror(errno));
	return 0;
}

static int install_one(const char *dir, const struct hook *h, bool force, bool chain, const char *self)
{
	struct cg_buf path = CG_BUF_INIT, aside = CG_BUF_INIT;
	enum hook_state state;
	int err;

	cg_buf_printf(&path, "%s/%s", dir, h->name);
	if ((err = hook_state(&state, path.ptr)) < 0)
		goto done;
	if (state == HOOK_FOREIGN) {
		if (!chain && !force) {
			err = cg_error_set(CG_E_INPUT,
					   "%s: a hook that crabgate did not write is there; keep it and run it before "
					   "crabgate's with `crabgate install --chain`, or set it aside with --force",
					   path.ptr);
			goto done;
		}
		cg_buf_printf(&aside, "%s.%s", path.ptr, chain ? "local" : "crabgate-backup");
		if ((err = move_aside(path.ptr, aside.ptr)) < 0)
			goto done;
	}
	if ((err = cg_fs_mkparents(path.ptr)) < 0 || (err = write_hook(path.ptr, h, self)) < 0)
		goto done;
	if (state == HOOK_FOREIGN && chain)
		printf("crabgate: installed %s (your hook is kept as %s and runs first)\n", path.ptr, aside.ptr);
	else if (state == HOOK_FOREIGN)
		printf("crabgate: installed %s (your hook was moved to %s and no longer runs)\n", path.ptr, aside.ptr);
	else
		printf("crabgate: %s %s\n", state == HOOK_OURS ? "updated" : "installed", path.ptr);
done:
	cg_buf_release(&path);
	cg_buf_release(&aside);
	return err;
}

static int uninstall_one(const char *dir, const struct hook *h)
{
	struct cg_buf path = CG_BUF_INIT, local = CG_BUF_INIT;
	enum hook_state state;
	int err;

	cg_buf_printf(&path, "%s/%s", dir, h->name);
	cg_buf_printf(&local, "%s.local", path.ptr);
	if ((err = hook_state(&state, path.ptr)) < 0)
		goto done;
	if (state == HOOK_ABSENT) {
		cg_verbose("no %s hook in %s", h->name, dir);
		goto done;
	}
	if (state == HOOK_FOREIGN) {
		printf("crabgate: %s is not crabgate's; left alone\n", path.ptr);
		goto done;
	}
	if (unlink(path.ptr) < 0) {
		err = cg_error_set(CG_E_IO, "%s: cannot remove: %s", path.ptr, strerror(errno));
		goto done;
	}
	/* The hook `install --chain` set aside was running all along: put it back. */
	if (path_exists(local.ptr)) {
		if (rename(local.ptr, path.ptr) < 0) {
			err = cg_error_set(CG_E_IO, "cannot restore %s from %s: %s", path.ptr, local.ptr,
					   strerror(errno));
			goto done;
		}
		printf("crabgate: removed crabgate's %s; your hook is back from %s\n", path.ptr, local.ptr);
	} else {
		printf("crabgate: removed %s\n", path.ptr);
	}
done:
	cg_buf_release(&path);
	cg_buf_release(&local);
	return err;
}

static const struct option install_opts[] = {
	{ "hook", required_argument, NULL, 'k' },
	{ "force", no_argument, NULL, 'f' },
	{ "chain", no_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Shared by install and uninstall: parses the options, finds the hooks
 * folder and applies `fn` to each chosen hook. Returns the exit status.
 */
static int run_hooks(int argc, char **argv, const char *cmd_name, const char *default_hook, bool is_install)
{
	struct cg_buf dir = CG_BUF_INIT, self = CG_BUF_INIT;
	const char *which = default_hook;
	bool force = false, chain = false;
	int c, err = 0, status = CG_EXIT_CLEAN;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", install_opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			which = optarg;
			break;
		case 'f':
		case 'c':
			if (!is_install) {
				cg_err("%s: unknown option '%s'; see `crabgate help %s`", cmd_name, argv[optind - 1],
				       cmd_name);
				return CG_EXIT_USAGE;
			}
			if (c == 'f')
				force = true;
			else
				chain = true;
			break;
		case 'h':
			cg_command_usage(cg_command_find(cmd_name), false);
			return CG_EXIT_CLEAN;
		default:
			cg_err("%s: unknown option '%s'; see `crabgate help %s`", cmd_name, argv[optind - 1], cmd_name);
			return CG_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cg_err("%s: unexpected argument '%s'; see `crabgate help %s`", cmd_name, argv[optind], cmd_name);
		return CG_EXIT_USAGE;
	}
	if (strcmp(which, "all") && !hook_find(which)) {
		cg_err("%s: --hook '%s': expected pre-commit, pre-push or all", cmd_name, which);
		return CG_EXIT_USAGE;
	}
	if ((err = hooks_dir(&dir, cg_globals.repo)) < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
		goto done;
	}
	if (is_install) {
		if ((err = self_path(&self)) < 0) {
			cg_err("%s", cg_error_last());
			status = cg_error_exit_status(err);
			goto done;
		}
		if (is_in_build_folder(self.ptr))
			cg_warn("%s is in a build folder: the hooks run it when crabgate is not on PATH, and fail once "
				"the "
				"folder is cleaned; install crabgate (cmake --install BUILD) so it is on PATH",
				self.ptr);
	}
	for (size_t i = 0; i < NHOOKS; i++) {
		if (strcmp(which, "all") && strcmp(which, hooks[i].name))
			continue;
		err = is_install ? install_one(dir.ptr, &hooks[i], force, chain, self.ptr)
				 : uninstall_one(dir.ptr, &hooks[i]);
		/* One hook's trouble does not stop the others; the status remembers it. */
		if (err < 0) {
			cg_err("%s", cg_error_last());
			status = cg_error_exit_status(err);
		}
	}
done:
	cg_buf_release(&dir);
	cg_buf_release(&self);
	return status;
}

int cmd_install(int argc, char **argv)
{
	return run_hooks(argc, argv, "install", "pre-commit", true);
}

int cmd_uninstall(int argc, char **argv)
{
	return run_hooks(argc, argv, "uninstall", "all", false);
}

int cmd_hook(int argc, char **argv)
{
	struct cg_buf self = CG_BUF_INIT;
	const struct hook *h;
	char **args = NULL;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cg_command_usage(cg_command_find("hook"), argc < 2);
		return argc < 2 ? CG_EXIT_USAGE : CG_EXIT_CLEAN;
	}
	if (!(h = hook_find(argv[1]))) {
		cg_err("hook: '%s' is not one of crabgate's hooks (pre-commit, pre-push)", argv[1]);
		return CG_EXIT_USAGE;
	}
	/*
	 * The script runs `crabgate check`: make that this very binary, so a
	 * hook manager that names crabgate by its path needs nothing on PATH.
	 */
	if (!getenv("CRABGATE_BIN") && self_path(&self) == 0)
		setenv("CRABGATE_BIN", self.ptr, 1);
	cg_error_clear();
	cg_buf_release(&self);
	/* sh -c SCRIPT NAME ARGS...: $0 has no '/', so the script chains nothing. */
	args = cg_calloc((size_t)argc + 3, sizeof(*args));
	args[0] = "sh";
	args[1] = "-c";
	args[2] = (char *)h->text;
	args[3] = "crabgate-hook";
	for (int i = 2; i < argc; i++)
		args[i + 2] = argv[i];
	fflush(NULL);
	execv("/bin/sh", args);
	cg_err("hook: cannot run /bin/sh: %s", strerror(errno));
	free(args);
	return CG_EXIT_RUNTIME;
}
