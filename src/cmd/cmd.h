#ifndef CG_CMD_CMD_H
#define CG_CMD_CMD_H

#include <git2.h>
#include <stdbool.h>

#include "config/config.h"

/*
 * Commands: one file each, `int cmd_<name>(int argc, char **argv)` returning
 * the process exit status. main.c opens the repository and loads the config
 * once, as the command's table row asks, and leaves them here.
 */
struct cg_globals {
	const char *config_path; /* --config */
	git_repository *repo;	 /* NEED_REPO */
	const char *workdir;	 /* the repository's work tree (with '/'), or NULL when bare */
	struct cg_config *cfg;	 /* NEED_CONFIG */
};

extern struct cg_globals cg_globals;

struct cg_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
	const char *usage;
};

enum { NEED_REPO = 1 << 0, NEED_CONFIG = 1 << 1 };

extern const struct cg_command cg_commands[];
const struct cg_command *cg_command_find(const char *name);
/* Prints a command's usage to stdout (help) or stderr (errors). */
void cg_command_usage(const struct cg_command *cmd, bool to_stderr);

int cmd_check(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_memory(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
