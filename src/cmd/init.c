/* `crabgate init`: a commented .crabgate.yaml holding the built-in defaults. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/banned.h"

static const char init_header[] =
	"# crabgate configuration for this repository, written by `crabgate init`.\n"
	"#\n"
	"# Below is crabgate's built-in default configuration, commented out: it is\n"
	"# what applies while the lines stay comments. To change a setting, uncomment\n"
	"# its line together with the lines of the mappings it sits in (keep the\n"
	"# indentation). A key the default does not have is an error, so a typo never\n"
	"# passes silently. `crabgate rules` shows the rules as configured.\n"
	"#\n";

/*
 * The default with every setting turned into a comment. Its own comments stay
 * as they are, so uncommenting a block of settings (removing "# ") leaves its
 * explanations as comments.
 */
static int render(struct cg_buf *out)
{
	const char *p = cg_config_default_yaml, *end = p + cg_config_default_yaml_len;
	int err = cg_buf_puts(out, init_header);

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

int cmd_init(int argc, char **argv)
{
	struct cg_buf path = CG_BUF_INIT, text = CG_BUF_INIT;
	git_repository *repo = NULL;
	bool force = false;
	struct stat st;
	int err = 0, status = CG_EXIT_CLEAN;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			force = true;
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
