/*
 * Everything made from the command table of main.c: `help`, the man page
 * (`help --man`) and the completion scripts (`completions bash|zsh|fish`).
 * One table, so the help, the manual and the shells agree on every option.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/report.h"
#include "rules/rule.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/banned.h"

/* Help's columns: a command's option text starts at column 22, a global option's at 18. */
#define CMD_COLUMN 20
#define GLOBAL_COLUMN 16

const struct cg_command *cg_command_find(const char *name)
{
	for (const struct cg_command *c = cg_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/*
 * Calls `fn` for each row of `t`, shared tables spliced in where they are
 * included; an include row's flags apply to every row it brings in.
 */
static void each_row_flagged(const struct cg_option *t, unsigned flags,
			     void (*fn)(const struct cg_option *o, void *payload), void *payload)
{
	for (; t && (t->name || t->heading || t->include); t++) {
		struct cg_option row = *t;
		if (t->include) {
			each_row_flagged(t->include, flags | t->flags, fn, payload);
			continue;
		}
		if (flags && row.heading)
			continue; /* the rows are not shown: neither are their headings */
		row.flags |= flags;
		fn(&row, payload);
	}
}

static void each_row(const struct cg_option *t, void (*fn)(const struct cg_option *o, void *payload), void *payload)
{
	each_row_flagged(t, 0, fn, payload);
}

/* "--format FORMAT", or the row's own spelling. */
static void row_left(struct cg_buf *out, const struct cg_option *o)
{
	cg_buf_truncate(out, 0);
	if (o->shown)
		cg_buf_puts(out, o->shown);
	else
		cg_buf_printf(out, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

struct help_state {
	struct cg_buf *out;
	int column;
};

static void put_help_row(const struct cg_option *o, void *payload)
{
	struct help_state *st = payload;
	struct cg_buf left = CG_BUF_INIT;
	const char *p;

	if (o->heading) {
		cg_buf_printf(st->out, "%s\n", o->heading);
		return;
	}
	if (o->flags & CG_OPT_COMPLETE_ONLY)
		return;
	row_left(&left, o);
	/* The text beside the name when two spaces fit between them, else below it. */
	if (left.size + 2 <= (size_t)st->column)
		cg_buf_printf(st->out, "  %-*s", st->column, left.ptr);
	else
		cg_buf_printf(st->out, "  %s\n%*s", left.ptr, st->column + 2, "");
	for (p = o->help; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		cg_buf_put(st->out, p, len);
		cg_buf_putc(st->out, '\n');
		p += len;
		if (*p == '\n' && *++p)
			cg_buf_printf(st->out, "%*s", st->column + 2, "");
	}
	cg_buf_release(&left);
}

void cg_command_usage(const struct cg_command *cmd, bool to_stderr)
{
	struct cg_buf out = CG_BUF_INIT;
	struct help_state st = { &out, CMD_COLUMN };

	if (!cmd)
		return;
	cg_buf_puts(&out, cmd->usage);
	if (cmd->options) {
		struct cg_buf rows = CG_BUF_INIT;
		st.out = &rows;
		each_row(cmd->options, put_help_row, &st);
		if (rows.size)
			cg_buf_printf(&out, "\n%s", rows.ptr);
		cg_buf_release(&rows);
	}
	if (cmd->epilogue)
		cg_buf_printf(&out, "\n%s", cmd->epilogue);
	fputs(out.ptr, to_stderr ? stderr : stdout);
	cg_buf_release(&out);
}

static const char global_usage[] = "usage: crabgate [-C DIR] [--config FILE] [-v | -q] COMMAND [OPTIONS]\n";
static const char global_about[] = "A commit-and-CI guard for Rust teams: checks a change (staged files, a pull\n"
				   "request's range, a diff) against the team's rules and reports what it found.\n";
static const char exit_status[] = "Exit status: 0 clean, 1 findings at or above the fail level, 2 usage, config or\n"
				  "input error, 3 runtime failure (git, I/O, network).\n";

void cg_help_print_global(FILE *out)
{
	struct cg_buf b = CG_BUF_INIT;
	struct help_state st = { &b, GLOBAL_COLUMN };
	int width = 0;

	for (const struct cg_command *c = cg_commands; c->name; c++)
		if ((int)strlen(c->name) > width)
			width = (int)strlen(c->name);
	cg_buf_printf(&b, "%s\n%s\nCommands:\n", global_usage, global_about);
	for (const struct cg_command *c = cg_commands; c->name; c++)
		cg_buf_printf(&b, "  %-*s %s\n", width, c->name, c->summary);
	cg_buf_puts(&b, "\nGlobal options:\n");
	each_row(cg_global_options, put_help_row, &st);
	cg_buf_printf(&b, "\n%s", exit_status);
	fputs(b.ptr, out);
	cg_buf_release(&b);
}

/* ---- the man page ---- */

/* Text for roff: backslashes and hyphens escaped, no line starting with a control character. */
static void roff_text(struct cg_buf *out, const char *s, size_t len)
{
	bool is_line_start = true;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (is_line_start && (c == '.' || c == '\''))
			cg_buf_puts(out, "\\&");
		if (c == '\\')
			cg_buf_puts(out, "\\e");
		else if (c == '-')
			cg_buf_puts(out, "\\-");
		else
			cg_buf_putc(out, c);
		is_line_start = c == '\n';
	}
}

static void roff_puts(struct cg_buf *out, const char *s)
{
	roff_text(out, s, strlen(s));
}

static void put_man_row(const struct cg_option *o, void *payload)
{
	struct cg_buf *out = payload, left = CG_BUF_INIT;

	if (o->heading) {
		if (*o->heading) {
			cg_buf_puts(out, ".PP\n\\fB");
			roff_puts(out, o->heading);
			cg_buf_puts(out, "\\fR\n");
		}
		return;
	}
	if (!o->help || (o->flags & CG_OPT_COMPLETE_ONLY))
		return;
	row_left(&left, o);
	cg_buf_puts(out, ".TP\n\\fB");
	roff_puts(out, left.ptr);
	cg_buf_puts(out, "\\fR\n");
	roff_puts(out, o->help);
	cg_buf_putc(out, '\n');
	cg_buf_release(&left);
}

/* A block of help text as written: line for line, in the page's font. */
static void man_block(struct cg_buf *out, const char *text)
{
	cg_buf_puts(out, ".PP\n.nf\n");
	roff_puts(out, text);
	if (*text && text[strlen(text) - 1] != '\n')
		cg_buf_putc(out, '\n');
	cg_buf_puts(out, ".fi\n");
}

static void write_man(struct cg_buf *out)
{
	cg_buf_printf(out, ".TH CRABGATE 1 \"\" \"crabgate %s\" \"User Commands\"\n", CG_VERSION);
	cg_buf_puts(out, ".SH NAME\ncrabgate \\- a commit\\-and\\-CI guard for Rust teams\n.SH SYNOPSIS\n");
	man_block(out, global_usage + strlen("usage: "));
	cg_buf_puts(out, ".SH DESCRIPTION\n");
	roff_puts(out, global_about);
	cg_buf_puts(out, ".SH OPTIONS\n");
	each_row(cg_global_options, put_man_row, out);
	cg_buf_puts(out, ".SH COMMANDS\n");
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		cg_buf_puts(out, ".SS \"crabgate ");
		roff_puts(out, c->name);
		cg_buf_puts(out, "\"\n");
		roff_puts(out, c->summary);
		cg_buf_putc(out, '\n');
		man_block(out, c->usage);
		each_row(c->options, put_man_row, out);
		if (c->epilogue)
			man_block(out, c->epilogue);
	}
	cg_buf_puts(out, ".SH EXIT STATUS\n");
	roff_puts(out, exit_status + strlen("Exit status: "));
	cg_buf_puts(out, ".SH ENVIRONMENT\n.TP\n.B CRABGATE_CONFIG\nthe configuration file, as \\-\\-config\n"
			 ".TP\n.B CRABGATE_SKIP\n1 skips the check (exit 0)\n.TP\n.B NO_COLOR\nno colour in the text "
			 "report\n.SH SEE ALSO\n\\fBgit\\fR(1), and the docs/ folder of crabgate's sources: README.md, "
			 "docs/config.md, docs/hooks.md, docs/editors.md, docs/reports.md\n");
}

int cmd_help(int argc, char **argv)
{
	const struct cg_command *c;
	struct cg_buf out = CG_BUF_INIT;

	if (argc < 2) {
		cg_help_print_global(stdout);
		return CG_EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--man")) {
		write_man(&out);
		fputs(out.ptr, stdout);
		cg_buf_release(&out);
		return CG_EXIT_CLEAN;
	}
	c = cg_command_find(argv[1]);
	if (!c) {
		cg_err("help: no command '%s'; `crabgate help` lists them", argv[1]);
		return CG_EXIT_USAGE;
	}
	cg_command_usage(c, false);
	return CG_EXIT_CLEAN;
}

/* ---- completion scripts ---- */

/* The words an argument of `kind` completes to, space-separated; "" when none are known. */
static void kind_words(struct cg_buf *out, enum cg_arg_kind kind, const char *words)
{
	cg_buf_truncate(out, 0);
	if (kind == CG_ARG_WORDS)
		cg_buf_puts(out, words);
	else if (kind == CG_ARG_FORMAT)
		for (size_t i = 0; i < cg_nreporters; i++)
			cg_buf_printf(out, "%s%s", i ? " " : "", cg_reporters[i]->name);
	else if (kind == CG_ARG_RULE)
		for (size_t i = 0; i < cg_nrules; i++)
			cg_buf_printf(out, "%s%s", i ? " " : "", cg_rules[i]->id);
	else if (kind == CG_ARG_COMMAND)
		for (const struct cg_command *c = cg_commands; c->name; c++)
			cg_buf_printf(out, "%s%s", c == cg_commands ? "" : " ", c->name);
}

/* Appends the completable option names of a table (no help-only rows, no headings), separated by `sep`. */
struct names_state {
	struct cg_buf *out;
	const char *sep;
};

static void put_name(const struct cg_option *o, void *payload)
{
	struct names_state *st = payload;
	if (!o->name || (o->flags & CG_OPT_HELP_ONLY))
		return;
	cg_buf_printf(st->out, "%s%s", st->out->size ? st->sep : "", o->name);
}

/* The first line of an option's help, for the shells' descriptions. */
static void first_line(struct cg_buf *out, const char *help)
{
	cg_buf_truncate(out, 0);
	if (help)
		cg_buf_put(out, help, strcspn(help, "\n"));
}

/* A single-quoted word for sh, bash, zsh: ' becomes '\''. */
static void sh_quote(struct cg_buf *out, const char *s)
{
	cg_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cg_buf_puts(out, "'\\''");
		else
			cg_buf_putc(out, *s);
	}
	cg_buf_putc(out, '\'');
}

/* bash: the case arm for the argument of each option that takes one. */
static void bash_arg_case(const struct cg_option *o, void *payload)
{
	struct cg_buf *out = payload, words = CG_BUF_INIT;

	if (!o->name || !o->arg || (o->flags & CG_OPT_HELP_ONLY))
		return;
	cg_buf_printf(out, "\t\t%s)\n", o->name);
	if (o->kind == CG_ARG_FILE)
		cg_buf_puts(out, "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n");
	else if (o->kind == CG_ARG_DIR)
		cg_buf_puts(out, "\t\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n");
	else {
		kind_words(&words, o->kind, o->words);
		cg_buf_puts(out, "\t\t\tCOMPREPLY=($(compgen -W ");
		sh_quote(out, words.ptr);
		cg_buf_puts(out, " -- \"$cur\"))\n");
	}
	cg_buf_puts(out, "\t\t\treturn\n\t\t\t;;\n");
	cg_buf_release(&words);
}

static void bash_operands(struct cg_buf *out, const struct cg_command *c)
{
	struct cg_buf words = CG_BUF_INIT;
	if (c->operands == CG_ARG_FILE) {
		cg_buf_puts(out, "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n");
	} else if (c->operands != CG_ARG_NONE) {
		kind_words(&words, c->operands, c->operand_words);
		cg_buf_puts(out, "\t\tCOMPREPLY=($(compgen -W ");
		sh_quote(out, words.ptr);
		cg_buf_puts(out, " -- \"$cur\"))\n");
	}
	cg_buf_release(&words);
}

static void write_bash(struct cg_buf *out)
{
	struct cg_buf names = CG_BUF_INIT, words = CG_BUF_INIT;
	struct names_state ns = { &names, " " };

	cg_buf_puts(out, "# bash completion for crabgate; made by `crabgate completions bash`\n"
			 "_crabgate() {\n"
			 "\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" cmd= i\n"
			 "\t# The command is the first word that is neither a global option nor its argument.\n"
			 "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
			 "\t\tcase \"${COMP_WORDS[i]}\" in\n"
			 "\t\t-C | --config) ((i++)) ;;\n"
			 "\t\t-*) ;;\n"
			 "\t\t*) cmd=\"${COMP_WORDS[i]}\"; break ;;\n"
			 "\t\tesac\n"
			 "\tdone\n"
			 "\tif [[ -z $cmd ]]; then\n"
			 "\t\tcase \"$prev\" in\n");
	each_row(cg_global_options, bash_arg_case, out);
	cg_buf_puts(out, "\t\tesac\n\t\tCOMPREPLY=($(compgen -W ");
	each_row(cg_global_options, put_name, &ns);
	kind_words(&words, CG_ARG_COMMAND, NULL);
	cg_buf_printf(&names, " %s", words.ptr);
	sh_quote(out, names.ptr);
	cg_buf_puts(out, " -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase \"$cmd\" in\n");
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		cg_buf_printf(out, "\t%s)\n\t\tcase \"$prev\" in\n", c->name);
		each_row(c->options, bash_arg_case, out);
		cg_buf_puts(out, "\t\tesac\n");
		cg_buf_truncate(&names, 0);
		each_row(c->options, put_name, &ns);
		cg_buf_puts(out, "\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W ");
		sh_quote(out, names.size ? names.ptr : "--help");
		cg_buf_puts(out, " -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n");
		bash_operands(out, c);
		cg_buf_puts(out, "\t\t;;\n");
	}
	cg_buf_puts(out, "\tesac\n}\ncomplete -F _crabgate crabgate\n");
	cg_buf_release(&names);
	cg_buf_release(&words);
}

/* zsh's _arguments spec of an option: '*--format[text]:FORMAT:(text json)'. */
static void zsh_spec(struct cg_buf *out, const struct cg_option *o)
{
	struct cg_buf desc = CG_BUF_INIT, words = CG_BUF_INIT, spec = CG_BUF_INIT;

	first_line(&desc, o->help);
	/* Brackets and colons end a description in a spec; backslashes would escape. */
	for (char *p = desc.ptr; *p; p++)
		if (*p == '[' || *p == ']' || *p == ':' || *p == '\\')
			*p = *p == ':' ? ',' : *p == '[' ? '(' : *p == ']' ? ')' : '/';
	cg_buf_printf(&spec, "*%s", o->name);
	if (desc.size)
		cg_buf_printf(&spec, "[%s]", desc.ptr);
	if (o->arg) {
		cg_buf_printf(&spec, ":%s:", o->arg);
		if (o->kind == CG_ARG_FILE)
			cg_buf_puts(&spec, "_files");
		else if (o->kind == CG_ARG_DIR)
			cg_buf_puts(&spec, "_files -/");
		else if (o->kind != CG_ARG_OTHER && o->kind != CG_ARG_REF) {
			kind_words(&words, o->kind, o->words);
			cg_buf_printf(&spec, "(%s)", words.ptr);
		}
	}
	cg_buf_puts(out, " \\\n\t\t");
	sh_quote(out, spec.ptr);
	cg_buf_release(&desc);
	cg_buf_release(&words);
	cg_buf_release(&spec);
}

static void zsh_row(const struct cg_option *o, void *payload)
{
	if (o->name && !(o->flags & CG_OPT_HELP_ONLY))
		zsh_spec(payload, o);
}

static void write_zsh(struct cg_buf *out)
{
	struct cg_buf words = CG_BUF_INIT;

	cg_buf_puts(out, "#compdef crabgate\n"
			 "# zsh completion for crabgate; made by `crabgate completions zsh`\n"
			 "_crabgate() {\n"
			 "\tlocal curcontext=\"$curcontext\" state line ret=1\n"
			 "\tlocal -a commands\n"
			 "\t_arguments -C");
	each_row(cg_global_options, zsh_row, out);
	cg_buf_puts(out, " \\\n\t\t'1:command:->command' \\\n\t\t'*::argument:->argument' && ret=0\n"
			 "\tcase $state in\n\tcommand)\n\t\tcommands=(");
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		struct cg_buf item = CG_BUF_INIT;
		cg_buf_printf(&item, "%s:%s", c->name, c->summary);
		cg_buf_puts(out, "\n\t\t\t");
		sh_quote(out, item.ptr);
		cg_buf_release(&item);
	}
	cg_buf_puts(out, "\n\t\t)\n\t\t_describe -t commands 'crabgate command' commands && ret=0\n\t\t;;\n"
			 "\targument)\n\t\tcase $words[1] in\n");
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		cg_buf_printf(out, "\t\t%s)\n\t\t\t_arguments", c->name);
		each_row(c->options, zsh_row, out);
		if (c->operands == CG_ARG_FILE) {
			cg_buf_puts(out, " \\\n\t\t'*:file:_files'");
		} else if (c->operands != CG_ARG_NONE) {
			struct cg_buf spec = CG_BUF_INIT;
			kind_words(&words, c->operands, c->operand_words);
			cg_buf_printf(&spec, "*:argument:(%s)", words.ptr);
			cg_buf_puts(out, " \\\n\t\t");
			sh_quote(out, spec.ptr);
			cg_buf_release(&spec);
		}
		cg_buf_puts(out, " && ret=0\n\t\t\t;;\n");
	}
	cg_buf_puts(out, "\t\tesac\n\t\t;;\n\tesac\n\treturn ret\n}\n"
			 "if [[ $funcstack[1] == _crabgate ]]; then\n\t_crabgate \"$@\"\nelse\n"
			 "\tcompdef _crabgate crabgate\nfi\n");
	cg_buf_release(&words);
}

/* fish: one `complete` line per option of a command (or of none: the global ones). */
struct fish_state {
	struct cg_buf *out;
	const char *condition;
};

static void fish_row(const struct cg_option *o, void *payload)
{
	struct fish_state *st = payload;
	struct cg_buf desc = CG_BUF_INIT, words = CG_BUF_INIT;

	if (!o->name || (o->flags & CG_OPT_HELP_ONLY))
		return;
	cg_buf_printf(st->out, "complete -c crabgate -n %s", st->condition);
	if (o->name[1] == '-')
		cg_buf_printf(st->out, " -l %s", o->name + 2);
	else
		cg_buf_printf(st->out, " -s %s", o->name + 1);
	if (o->arg) {
		if (o->kind == CG_ARG_FILE)
			cg_buf_puts(st->out, " -r -F");
		else if (o->kind == CG_ARG_DIR)
			cg_buf_puts(st->out, " -x -a '(__fish_complete_directories)'");
		else {
			kind_words(&words, o->kind, o->words);
			cg_buf_puts(st->out, " -x -a ");
			sh_quote(st->out, words.ptr);
		}
	}
	first_line(&desc, o->help);
	if (desc.size) {
		cg_buf_puts(st->out, " -d ");
		sh_quote(st->out, desc.ptr);
	}
	cg_buf_putc(st->out, '\n');
	cg_buf_release(&desc);
	cg_buf_release(&words);
}

static void write_fish(struct cg_buf *out)
{
	struct fish_state st = { out, "__fish_use_subcommand" };
	struct cg_buf cond = CG_BUF_INIT, words = CG_BUF_INIT;

	cg_buf_puts(out, "# fish completion for crabgate; made by `crabgate completions fish`\n"
			 "complete -c crabgate -f\n");
	each_row(cg_global_options, fish_row, &st);
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		cg_buf_printf(out, "complete -c crabgate -n __fish_use_subcommand -a %s -d ", c->name);
		sh_quote(out, c->summary);
		cg_buf_putc(out, '\n');
	}
	for (const struct cg_command *c = cg_commands; c->name; c++) {
		cg_buf_truncate(&cond, 0);
		cg_buf_printf(&cond, "'__fish_seen_subcommand_from %s'", c->name);
		st.condition = cond.ptr;
		each_row(c->options, fish_row, &st);
		if (c->operands == CG_ARG_FILE) {
			cg_buf_printf(out, "complete -c crabgate -n %s -F\n", cond.ptr);
		} else if (c->operands != CG_ARG_NONE) {
			kind_words(&words, c->operands, c->operand_words);
			cg_buf_printf(out, "complete -c crabgate -n %s -a ", cond.ptr);
			sh_quote(out, words.ptr);
			cg_buf_putc(out, '\n');
		}
	}
	cg_buf_release(&cond);
	cg_buf_release(&words);
}

int cmd_completions(int argc, char **argv)
{
	static const struct {
		const char *shell;
		void (*write)(struct cg_buf *out);
	} shells[] = { { "bash", write_bash }, { "zsh", write_zsh }, { "fish", write_fish } };
	struct cg_buf out = CG_BUF_INIT;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cg_command_usage(cg_command_find("completions"), false);
		return CG_EXIT_CLEAN;
	}
	for (size_t i = 0; argc == 2 && i < sizeof(shells) / sizeof(shells[0]); i++) {
		if (strcmp(argv[1], shells[i].shell))
			continue;
		shells[i].write(&out);
		fputs(out.ptr, stdout);
		cg_buf_release(&out);
		return CG_EXIT_CLEAN;
	}
	cg_err("completions: name the shell: crabgate completions bash|zsh|fish");
	return CG_EXIT_USAGE;
}
