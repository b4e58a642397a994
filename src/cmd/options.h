#ifndef CG_CMD_OPTIONS_H
#define CG_CMD_OPTIONS_H

#include <stdbool.h>

#include "run/run.h"
#include "util/buf.h"

/*
 * Options into run settings, for the commands that run a check. Private to
 * src/cmd/.
 */

/* getopt codes of the change sources; a command's own codes start at CG_OPT_OWN. */
enum { CG_OPT_STAGED = 256, CG_OPT_BASE, CG_OPT_HEAD, CG_OPT_RANGE, CG_OPT_DIFF, CG_OPT_ALL, CG_OPT_OWN };

/*
 * Takes getopt's answer `c` into `change` when it is a change source
 * (CG_OPT_STAGED to CG_OPT_ALL), counting the sources named in *nsources.
 * Returns whether it was one.
 */
bool cg_options_take_source(struct cg_change_opts *change, unsigned *nsources, int c, const char *arg);
/*
 * After the options: CG_E_USAGE for more than one source ("CMD: choose one
 * of CHOICES") and for --head without --base.
 */
int cg_options_check_source(const struct cg_change_opts *change, unsigned nsources, const char *cmd,
			    const char *choices);

/*
 * Parses the options every checking command shares (check.c: sources,
 * formats, outputs, fail level, filter, baseline, colour, review) into `s`,
 * then validates the settings. *is_help is set when help was printed.
 * Returns 0 or CG_E_USAGE. argv strings may be modified (FORMAT=FILE).
 */
int cg_check_parse_args(struct cg_run_settings *s, bool *is_help, int argc, char **argv, const char *cmd_name);

/*
 * Appends "; did you mean A or B? `crabgate rules` lists them" for `name`,
 * which is no rule id (without the question when no id is close).
 */
void cg_options_did_you_mean(struct cg_buf *out, const char *name);

#endif
