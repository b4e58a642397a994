#ifndef CG_CMD_CMD_H
#define CG_CMD_CMD_H

#include <git2.h>
#include <stdbool.h>
#include <stdio.h>

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

/* What completes an option's argument (or a command's operands). */
enum cg_arg_kind {
	CG_ARG_NONE = 0, /* a flag: no argument */
	CG_ARG_OTHER,	 /* free text: nothing to offer */
	CG_ARG_FILE,
	CG_ARG_DIR,
	CG_ARG_REF,	/* a git revision: the shell offers nothing, git's own completion is not ours */
	CG_ARG_FORMAT,	/* a report format, from the reporter table */
	CG_ARG_RULE,	/* a rule id, from the registry */
	CG_ARG_COMMAND, /* a crabgate command, from this table */
	CG_ARG_WORDS,	/* one of `words` */
};

enum { CG_OPT_HELP_ONLY = 1 << 0, CG_OPT_COMPLETE_ONLY = 1 << 1 };

/*
 * One row of a command's options: `help` prints it (name and argument, then
 * the text, continuation lines split at '\n'), the completion scripts offer
 * it, the man page lists it. A row with only `heading` is a line of its own
 * ("" for a blank one); one with only `include` stands for a shared table.
 * Rows end with an all-zero one.
 */
struct cg_option {
	const char *name; /* "--format" */
	const char *arg;  /* "FORMAT", or NULL for a flag */
	enum cg_arg_kind kind;
	const char *words; /* CG_ARG_WORDS: the choices, separated by spaces */
	const char *help;
	const char *shown; /* how help spells the row when not "name arg" ("-v, --verbose") */
	unsigned flags; /* CG_OPT_HELP_ONLY: a second line about an option; CG_OPT_COMPLETE_ONLY: help's prose has it */
	const char *heading;
	const struct cg_option *include;
};

struct cg_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
	const char *usage; /* the synopsis and what the command does */
	const struct cg_option *options;
	const char *epilogue; /* after the options: the exit status */
	enum cg_arg_kind operands;
	const char *operand_words; /* CG_ARG_WORDS */
};

enum { NEED_REPO = 1 << 0, NEED_CONFIG = 1 << 1 };

extern const struct cg_command cg_commands[];
extern const struct cg_option cg_global_options[];
const struct cg_command *cg_command_find(const char *name);
/* Prints a command's help (usage, options, epilogue) to stdout (help) or stderr (errors). */
void cg_command_usage(const struct cg_command *cmd, bool to_stderr);
/* `crabgate --help`: the commands and the global options. */
void cg_help_print_global(FILE *out);

int cmd_check(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_fix(int argc, char **argv);
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
int cmd_completions(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_cache(int argc, char **argv);

#endif
