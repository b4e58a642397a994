/*
 * `crabgate init`: a commented .crabgate.yaml holding the built-in defaults;
 * `crabgate init --memory`: the three memory files that are missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg_version.h" /* generated: cmake/version.cmake */
#include "cmd/cmd.h"
#include "rules/rule.h"
#include "memory/memory.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/banned.h"

/*
 * Where editors fetch the schema of this file (`crabgate schema config`,
 * shipped as docs/schema/crabgate.schema.json): a release's own tag, so the
 * keys offered are the ones this binary takes; main for any other build.
 */
#define SCHEMA_URL_BASE "https://raw.githubusercontent.com/crabgate/crabgate/"
#define SCHEMA_URL_PATH "/docs/schema/crabgate.schema.json"

static const char init_header[] = "# crabgate configuration for this repository, written by `crabgate init`.\n"
				  "#\n"
				  "# Below is crabgate's built-in default configuration, commented out: it is\n"
				  "# what applies while the lines stay comments. To change a setting, uncomment\n"
				  "# its line together with the lines of the mappings it sits in (keep the\n"
				  "# indentation). A key the default does not have is an error, so a typo never\n"
				  "# passes silently. `crabgate rules` shows the rules as configured.\n"
				  "#\n";

/* Whether a setting's line opens a block scalar (`key: |`, `- >-`): its value is the lines below. */
static bool opens_block(const char *line, size_t len)
{
	while (len && line[len - 1] == ' ')
		len--;
	while (len && (line[len - 1] == '-' || line[len - 1] == '+' || (line[len - 1] >= '0' && line[len - 1] <= '9')))
		len--;
	if (len < 3 || (line[len - 1] != '|' && line[len - 1] != '>') || line[len - 2] != ' ')
		return false;
	len -= 2;
	while (len && line[len - 1] == ' ')
		len--;
	return len && (line[len - 1] == ':' || line[len - 1] == '-');
}

/*
 * The default with every setting turned into a comment. Its own comments stay
 * as they are, so uncommenting a block of settings (removing "# ") leaves its
 * explanations as comments. A block scalar's lines are the setting's value,
 * whatever they start with (`## {key}: {title}` is markdown there, not a
 * comment), so they are commented out with it.
 */
static int render(struct cg_buf *out)
{
	const char *p = cg_config_default_yaml, *end = p + cg_config_default_yaml_len;
	size_t block_lead = 0;
	bool is_in_block = false;
	/* The YAML language server reads this line (VS Code, Neovim: docs/editors.md). */
	int err = cg_buf_printf(out, "# yaml-language-server: $schema=%s%s%s\n", SCHEMA_URL_BASE,
				strstr(CG_VERSION_FULL, "(commit") ? "main" : "v" CG_VERSION, SCHEMA_URL_PATH);

	if (!err)
		err = cg_buf_puts(out, init_header);

	/* The default's own opening comment says what the header above says. */
	while (p < end && *p == '#') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	while (p < end && *p == '\n')
		p++;
	while (!err && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t lead = strspn(p, " ");
		bool is_blank = lead >= len, is_comment = !is_blank && p[lead] == '#';

		if (is_in_block && !is_blank && lead > block_lead)
			is_comment = false;
		else if (!is_blank)
			is_in_block = false;
		if (!is_blank && !is_comment && !is_in_block && opens_block(p, len)) {
			is_in_block = true;
			block_lead = lead;
		}
		if (!is_blank && !is_comment)
			err = cg_buf_puts(out, "# ");
		if (!err && !is_blank)
			err = cg_buf_put(out, p, len);
		if (!err)
			err = cg_buf_putc(out, '\n');
		p += len + (nl ? 1 : 0);
	}
	return err;
}

/* cg_rule_memory_headers lists the files in the memory module's order. */
_Static_assert(CG_MEMORY_NFILES == 3 && CG_MEMORY_MEMORIES == 0 && CG_MEMORY_LESSONS == 1 && CG_MEMORY_SCRATCHPAD == 2,
	       "memory files and their headers in one order");

/* Creates `path` with `text`; 1 when it exists already (never overwritten). */
static int create_new(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0;
	int fd, err = 0;

	if ((err = cg_fs_mkparents(path)) < 0)
		return err;
	/* O_EXCL: a file that appears meanwhile is still not overwritten. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 1 : cg_error_set(CG_E_IO, "%s: %s", path, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = cg_error_set(CG_E_IO, "%s: %s", path, strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0 && !err)
		err = cg_error_set(CG_E_IO, "%s: %s", path, strerror(errno));
	return err;
}

/* The memory files at the paths memory.files names, relative to `root` ("" or ".../"). */
static int write_memory_files(const char *root)
{
	struct cg_config *cfg = NULL;
	struct cg_memory_config mc;
	int err;

	if ((err = cg_rules_config_load(&cfg, *root ? root : NULL, cg_globals.config_path)) < 0 ||
	    (err = cg_memory_config_load(&mc, cfg)) < 0)
		goto done;
	for (int i = 0; i < CG_MEMORY_NFILES && err >= 0; i++) {
		struct cg_buf path = CG_BUF_INIT;
		cg_buf_printf(&path, "%s%s", root, mc.paths[i]);
		err = create_new(path.ptr, cg_rule_memory_headers[i]);
		if (err == 1)
			printf("crabgate: kept %s (it exists)\n", path.ptr);
		else if (err == 0)
			printf("crabgate: wrote %s\n", path.ptr);
		cg_buf_release(&path);
	}
	if (err > 0)
		err = 0;
done:
	cg_config_free(cfg);
	return err;
}

int cmd_init(int argc, char **argv)
{
	struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT;
	git_repository *repo = NULL;
	bool force = false, is_memory = false;
	struct stat st;
	int err = 0, status = CG_EXIT_CLEAN;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (!strcmp(argv[i], "--memory")) {
			is_memory = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cg_command_usage(cg_command_find("init"), false);
			goto done;
		} else {
			cg_err("init: unexpected argument '%s'; see `crabgate help init`", argv[i]);
			status = CG_EXIT_USAGE;
			goto done;
		}
	}
	/* The root of the work tree, where crabgate looks for the file; else here. */
	if (git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) == 0 &&
	    git_repository_workdir(repo))
		cg_buf_printf(&path, "%s.crabgate.yaml", git_repository_workdir(repo));
	else
		cg_buf_puts(&path, ".crabgate.yaml");
	git_error_clear();

	if (is_memory) {
		/* Beside .crabgate.yaml: the repository root, or here outside one. */
		cg_buf_truncate(&path, path.size - strlen(".crabgate.yaml"));
		err = write_memory_files(path.ptr);
		goto done;
	}
	if (!force && lstat(path.ptr, &st) == 0) {
		err = cg_error_set(CG_E_INPUT, "%s exists already; edit it, or replace it with `crabgate init --force`",
				   path.ptr);
		goto done;
	}
	if ((err = render(&text)) < 0 || (err = cg_fs_write_atomic(path.ptr, text.ptr, text.size)) < 0)
		goto done;
	printf("crabgate: wrote %s (the defaults, commented out)\n", path.ptr);
done:
	if (err < 0) {
		cg_err("%s", cg_error_last());
		status = cg_error_exit_status(err);
	}
	git_repository_free(repo);
	cg_buf_release(&path);
	cg_buf_release(&text);
	return status;
}
