/* crabgate: a commit-and-CI guard for Rust teams. */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "rules/rule.h"
#include "util/error.h"
#include "util/git_tls.h"
#include "util/log.h"
#include "util/banned.h"

struct cg_globals cg_globals;

/*
 * The options of each command, one table for `help`, the completion scripts
 * and the man page (src/cmd/help.c), so none of them can drift from another.
 * Help lines continue with '\n'; see struct cg_option.
 */
#define END                                                                                                            \
	{                                                                                                              \
		0                                                                                                      \
	}
#define HEADING(text)                                                                                                  \
	{                                                                                                              \
		.heading = text                                                                                        \
	}
#define INCLUDE(table)                                                                                                 \
	{                                                                                                              \
		.include = table                                                                                       \
	}

/* The change sources, but --staged: its line differs between check (the default) and ci. */
static const struct cg_option source_opts[] = {
	{ "--base", "REF", CG_ARG_REF, NULL, "merge-base(REF, head)..head, as a pull request shows it",
	  .shown = "--base REF [--head REF]" },
	{ "--head", "REF", CG_ARG_REF, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "--range", "A..B|A...B", CG_ARG_OTHER, NULL, "a range with git's meaning of two and three dots" },
	{ "--diff", "FILE|-", CG_ARG_FILE, NULL, "a unified diff from a file or standard input" },
	{ "--all", NULL, 0, NULL, "every tracked file, as if wholly added" },
	END,
};

static const struct cg_option check_opts_common[] = {
	HEADING("Output:"),
	{ "--format", "FORMAT", CG_ARG_FORMAT, NULL,
	  "on standard output: text (default), json, sarif, gitlab (Code\n"
	  "Quality), github (workflow commands), markdown (job summary),\n"
	  "rustc-json (cargo's JSON messages, for editors: docs/editors.md)" },
	{ "--output", "FILE", CG_ARG_FILE, NULL, "write the --format report to FILE instead of standard output" },
	{ "--output", "FORMAT=FILE", CG_ARG_FILE, NULL, "also write FORMAT to FILE (repeatable)",
	  .flags = CG_OPT_HELP_ONLY },
	{ "--color", "WHEN", CG_ARG_WORDS, "auto always never", "auto (default; honours NO_COLOR), always, never" },
	{ "--summary", "FILE", CG_ARG_FILE, NULL, "write a markdown summary (counts, findings, skipped) to FILE" },
	HEADING(""),
	HEADING("Policy:"),
	{ "--fail-level", "LEVEL", CG_ARG_WORDS, "error warning note never",
	  "error (default), warning, note or never: exit 1 at or above it" },
	{ "--filter", "MODE", CG_ARG_WORDS, "added diff_context file all",
	  "added (default): findings on added lines; diff_context: inside the\n"
	  "hunks; file: anywhere in a changed file; all: anywhere in the tree" },
	{ "--baseline", "FILE", CG_ARG_FILE, NULL, "hide findings whose fingerprints FILE lists (crabgate baseline)" },
	{ "--rule", "ID", CG_ARG_RULE, NULL,
	  "run only this rule (repeatable), on even when off by default;\n"
	  "an unknown id is refused before any work, with the ids it may mean" },
	{ "--skip-rule", "ID", CG_ARG_RULE, NULL, "do not run this rule (repeatable; wins over --rule)" },
	{ "--severity-override", "ID=LEVEL", CG_ARG_OTHER, NULL,
	  "report rule ID at LEVEL: error, warning, note or off (repeatable)" },
	{ "--jobs", "N", CG_ARG_OTHER, NULL, "threads for the rule pass (default: one per core, at most 8)" },
	{ "--shard", "I/N", CG_ARG_OTHER, NULL,
	  "check only the files of shard I of N (by a hash of the path), for\n"
	  "CI job matrices; join the reports with `crabgate merge`" },
	HEADING(""),
	HEADING("Model review (docs/review.md):"),
	{ "--review", NULL, 0, NULL,
	  "ask a language model to review the change too (off by default in\n"
	  "check; on in ci when a provider is configured or found)" },
	{ "--no-review", NULL, 0, NULL, "do not, whatever the command's default" },
	{ "--no-cache", NULL, 0, NULL,
	  "neither read nor write the crate model's cache of file summaries\n"
	  "(cache: in config; `crabgate cache clear`), and ask the model again\n"
	  "instead of reusing cached answers" },
	END,
};

static const struct cg_option check_opts[] = {
	HEADING("What to check (one of):"),
	{ "--staged", NULL, 0, NULL, "the index against HEAD (default; works before the first commit)" },
	INCLUDE(source_opts),
	HEADING(""),
	INCLUDE(check_opts_common),
	HEADING(""),
	/* check's meaning of --update-memory; ci has its own (it pushes). */
	HEADING("Memory:"),
	{ "--update-memory", NULL, 0, NULL,
	  "update memories.md, lessons-learned.md and scratchpad.md from this\n"
	  "change as memory.mode says: stage them, or commit them on the\n"
	  "current branch (docs/memory.md)" },
	END,
};

static const struct cg_option ci_opts[] = {
	{ "--dry-run", NULL, 0, NULL, "print what would be posted; read, never write" },
	{ "--no-post", NULL, 0, NULL, "post nothing (reports, annotations and job summary only)" },
	{ "--update-memory", NULL, 0, NULL,
	  "commit the memory files on the PR's head and push them to\n"
	  "its branch (docs/memory.md; skipped for forks); outside CI,\n"
	  "or with a change named below, as `check --update-memory`" },
	HEADING(""),
	HEADING("Instead of the CI's change, check (one of):"),
	{ "--staged", NULL, 0, NULL, "the index against HEAD (works before the first commit)" },
	INCLUDE(source_opts),
	HEADING(""),
	INCLUDE(check_opts_common),
	END,
};

/* baseline takes check's options; its help points there. */
static const struct cg_option baseline_opts[] = {
	{ .include = check_opts, .flags = CG_OPT_COMPLETE_ONLY },
	END,
};

static const struct cg_option fix_opts[] = {
	HEADING("What to fix (one of):"),
	{ "--staged", NULL, 0, NULL, "the index against HEAD (default)" },
	{ "--all", NULL, 0, NULL, "every tracked file" },
	{ "--base", "REF", CG_ARG_REF, NULL, "merge-base(REF, head)..head, in the work tree",
	  .shown = "--base REF [--head REF]" },
	{ "--head", "REF", CG_ARG_REF, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "--range", "A..B|A...B", CG_ARG_OTHER, NULL, "a range, in the work tree" },
	HEADING(""),
	{ "--rule", "ID", CG_ARG_RULE, NULL, "only the findings of rule ID (repeatable)" },
	{ "--dry-run", NULL, 0, NULL, "print the diff, change nothing" },
	{ "--unsafe", NULL, 0, NULL, "apply maybe-incorrect fixes too (review the diff)" },
	{ "--no-cache", NULL, 0, NULL, "neither read nor write the crate model's cache of file summaries" },
	END,
};

/* The commands below describe their few options in their prose: the rows only complete them. */
#define QUIET_ROW(name, arg, kind, words)                                                                              \
	{                                                                                                              \
		name, arg, kind, words, NULL, .flags = CG_OPT_COMPLETE_ONLY                                            \
	}

static const struct cg_option rules_opts[] = { QUIET_ROW("--format", "FORMAT", CG_ARG_WORDS, "text json"), END };
static const struct cg_option demo_opts[] = { QUIET_ROW("--keep", NULL, 0, NULL), END };
static const struct cg_option install_opts[] = {
	QUIET_ROW("--hook", "HOOK", CG_ARG_WORDS, "pre-commit pre-push all"),
	QUIET_ROW("--chain", NULL, 0, NULL),
	QUIET_ROW("--force", NULL, 0, NULL),
	END,
};
static const struct cg_option uninstall_opts[] = { QUIET_ROW("--hook", "HOOK", CG_ARG_WORDS, "pre-commit pre-push all"),
						   END };
static const struct cg_option init_opts[] = { QUIET_ROW("--force", NULL, 0, NULL), QUIET_ROW("--memory", NULL, 0, NULL),
					      END };
static const struct cg_option memory_opts[] = {
	QUIET_ROW("--base", "REF", CG_ARG_REF, NULL),
	QUIET_ROW("--head", "REF", CG_ARG_REF, NULL),
	QUIET_ROW("--range", "A..B", CG_ARG_OTHER, NULL),
	QUIET_ROW("--staged", NULL, 0, NULL),
	QUIET_ROW("--all", NULL, 0, NULL),
	QUIET_ROW("--pr", "N", CG_ARG_OTHER, NULL),
	QUIET_ROW("--forge", "FORGE", CG_ARG_WORDS, "github gitlab"),
	QUIET_ROW("--title", "TEXT", CG_ARG_OTHER, NULL),
	QUIET_ROW("--push", NULL, 0, NULL),
	QUIET_ROW("--branch", "NAME", CG_ARG_OTHER, NULL),
	QUIET_ROW("--remote", "URL", CG_ARG_OTHER, NULL),
	QUIET_ROW("--token-env", "VAR", CG_ARG_OTHER, NULL),
	QUIET_ROW("--fork", NULL, 0, NULL),
	QUIET_ROW("--summary", "TEXT", CG_ARG_OTHER, NULL),
	QUIET_ROW("--lesson", "TEXT", CG_ARG_OTHER, NULL),
	QUIET_ROW("--todo", "TEXT", CG_ARG_OTHER, NULL),
	END,
};
static const struct cg_option version_opts[] = { QUIET_ROW("--verbose", NULL, 0, NULL), END };
static const struct cg_option help_opts[] = { QUIET_ROW("--man", NULL, 0, NULL), END };

const struct cg_option cg_global_options[] = {
	{ "-C", "DIR", CG_ARG_DIR, NULL, "run as if started in DIR" },
	{ "--config", "FILE", CG_ARG_FILE, NULL, "use FILE instead of .crabgate.yaml (also $CRABGATE_CONFIG)" },
	{ "--verbose", NULL, 0, NULL, "say more; -q, --quiet: only errors", .shown = "-v, --verbose" },
	{ "-v", NULL, 0, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "--quiet", NULL, 0, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "-q", NULL, 0, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "--help", NULL, 0, NULL, "this text; `crabgate help COMMAND` for a command", .shown = "-h, --help" },
	{ "-h", NULL, 0, NULL, NULL, .flags = CG_OPT_COMPLETE_ONLY },
	{ "--version", NULL, 0, NULL, "the version (as `crabgate version`)" },
	END,
};

const struct cg_command cg_commands[] = {
	{ "check", cmd_check, NEED_REPO | NEED_CONFIG, "check a change (staged files by default)",
	  "usage: crabgate check [--staged | --base REF [--head REF] | --range A..B | --diff FILE|- | --all]\n"
	  "                      [--format FORMAT] [--output [FORMAT=]FILE]... [--color WHEN]\n"
	  "                      [--summary FILE] [--fail-level LEVEL] [--filter MODE]\n"
	  "                      [--baseline FILE] [--jobs N] [--shard I/N] [--update-memory]\n"
	  "                      [--rule ID]... [--skip-rule ID]... [--severity-override ID=LEVEL]...\n"
	  "                      [--review | --no-review] [--no-cache] [-- PATH...]\n"
	  "\n"
	  "Reads the change through git, runs the rules over the new version of each changed\n"
	  "Rust and Cargo file, and reports findings on the changed lines.\n"
	  "With PATHs, checks only those: files, folders (the files under them) and globs\n"
	  "(quoted: `*` and `?` within a folder, `**` across folders, as 'src/**/*.rs'),\n"
	  "relative to where crabgate runs. With --staged (as the pre-commit framework passes\n"
	  "files), a staged file on its changed lines, any other whole, as committed\n"
	  "(`--filter file`); with --base, --range, --diff or --all, the change's files they\n"
	  "name.\n"
	  "--all on a terminal shows its progress on standard error (files done, files a\n"
	  "second), redrawn in place and cleared at the end; -q or no terminal: none.\n"
	  "CRABGATE_SKIP=1 skips the check (exit 0, one line on standard error).\n",
	  check_opts,
	  "Exit status: 0 nothing at or above the fail level, 1 findings at or above it,\n"
	  "2 usage, config or input error, 3 runtime failure (git, I/O, network).\n",
	  CG_ARG_FILE },
	{ "ci", cmd_ci, NEED_REPO | NEED_CONFIG, "check a pull/merge request in CI and post the findings on it",
	  "usage: crabgate ci [--dry-run] [--no-post] [--update-memory] [check options]\n"
	  "\n"
	  "Detects GitHub Actions (GITHUB_ACTIONS, GITHUB_EVENT_PATH) or GitLab CI (GITLAB_CI,\n"
	  "CI_MERGE_REQUEST_IID), checks the pull/merge request's change as merge-base(base,\n"
	  "head)..head (a push: before..after), writes the reports asked for, and posts the\n"
	  "findings: one GitHub review with inline comments on the diff's lines and one\n"
	  "summary comment edited in place, or one GitLab discussion per finding and one\n"
	  "summary note. Re-runs never post a finding twice. A read-only token (fork pull\n"
	  "requests) falls back to workflow annotations and the job summary.\n"
	  "\n"
	  "Tokens: GITHUB_TOKEN or CRABGATE_GITHUB_TOKEN; GITLAB_TOKEN or\n"
	  "CRABGATE_GITLAB_TOKEN (CI_JOB_TOKEN cannot post notes). Outside CI it checks\n"
	  "merge-base($CRABGATE_BASE, HEAD)..HEAD like `crabgate check --base`.\n"
	  "The forge: section of config.yaml sets the review event, the inline limit,\n"
	  "resolve_outdated. docs/github.md and docs/gitlab.md show the CI setup.\n",
	  ci_opts,
	  "Exit status: as `crabgate check`; a shallow clone without the base is 2 (fetch\n"
	  "the history: `fetch-depth: 0`, `GIT_DEPTH: 0`).\n" },
	{ "baseline", cmd_baseline, NEED_REPO | NEED_CONFIG, "record current findings so they are hidden later",
	  "usage: crabgate baseline FILE [check options]\n"
	  "\n"
	  "Runs the check (use --all when adopting crabgate on an existing code base) and\n"
	  "writes the fingerprints of its findings to FILE. `crabgate check --baseline FILE`\n"
	  "(or `baseline: FILE` in config) then hides exactly those findings; fingerprints\n"
	  "survive unrelated line shifts, so the baseline does not decay on every rebase.\n"
	  "\n"
	  "The check options are those of `crabgate help check`. No report goes to standard\n"
	  "output (--format and --output FILE are ignored), and an earlier baseline is not\n"
	  "applied: FILE records every finding the check sees.\n",
	  baseline_opts, NULL, CG_ARG_FILE },
	{ "fix", cmd_fix, NEED_REPO | NEED_CONFIG, "apply the findings' fixes and show the diff",
	  "usage: crabgate fix [--staged | --all | --base REF [--head REF] | --range A..B]\n"
	  "                    [--rule ID]... [--dry-run] [--unsafe] [--no-cache]\n"
	  "\n"
	  "Checks the change like `crabgate check` and applies the fixes of its findings:\n"
	  "the machine-applicable ones, which are correct by construction (such as\n"
	  "`std::fs::read(p)` -> `tokio::fs::read(p).await` in async code on tokio), and\n"
	  "with --unsafe the maybe-incorrect ones too. Prints the unified diff of what it\n"
	  "changed on standard output.\n"
	  "\n"
	  "--staged (the default) and --all write each fixed file to the index and the work\n"
	  "tree; --base and --range to the work tree only. A file whose work-tree text is\n"
	  "not the checked text (an unstaged edit) is left alone and named: no edit of\n"
	  "yours is ever lost.\n",
	  fix_opts,
	  "Exit status: 0 applied, or nothing to apply; 1 findings at or above the fail level\n"
	  "remain without a fix applied; 2 usage or input error; 3 runtime failure.\n" },
	{ "rules", cmd_rules, NEED_CONFIG, "list the rules and whether they are on",
	  "usage: crabgate rules [--format text|json]\n"
	  "\n"
	  "Lists every rule with its severity (as configured) and summary. With --format\n"
	  "json, for tools: {\"version\": 1, \"rules\": [{\"id\", \"default_severity\",\n"
	  "\"enabled_by_default\", \"state\" (as configured), \"summary\"}]}.\n",
	  rules_opts, NULL },
	{ "explain", cmd_explain, NEED_CONFIG, "explain a rule, with a bad and a good example",
	  "usage: crabgate explain RULE\n"
	  "\n"
	  "Says what RULE checks and why, whether it is on and at which severity (by\n"
	  "default, and in this repository's configuration when that differs, as `crabgate\n"
	  "rules` shows it), a bad and a good example, and the settings it takes under\n"
	  "rules.RULE in .crabgate.yaml. `crabgate rules` lists the rules; a rule id that\n"
	  "is not one gets the closest ids suggested.\n",
	  NULL, NULL, CG_ARG_RULE },
	{ "demo", cmd_demo, 0, "run a check on a built-in example repository",
	  "usage: crabgate demo [--keep]\n"
	  "\n"
	  "Builds a throwaway repository in a temporary folder, stages a small Rust crate\n"
	  "with a chrono dependency, a blocking call in an async fn, an unbenchmarked pub\n"
	  "fn and no memory files, checks it as the pre-commit hook would, and removes the\n"
	  "folder (--keep leaves it and prints where). Works offline.\n",
	  demo_opts, NULL },
	{ "install", cmd_install, NEED_REPO, "install the git hooks (pre-commit by default)",
	  "usage: crabgate install [--hook pre-commit|pre-push|all] [--chain | --force]\n"
	  "\n"
	  "Writes crabgate's hook scripts into the folder git runs hooks from: core.hooksPath\n"
	  "when it is set (relative to the work tree), otherwise the repository's hooks\n"
	  "folder, which all its worktrees share. pre-commit runs `crabgate check --staged`;\n"
	  "pre-push checks each pushed ref against what the remote has.\n"
	  "\n"
	  "A hook crabgate did not write is never overwritten. --chain keeps it as\n"
	  "HOOK.local and crabgate's hook runs it first; --force moves it to\n"
	  "HOOK.crabgate-backup, where it no longer runs.\n"
	  "\n"
	  "Skip the hooks once with CRABGATE_SKIP=1 (or git's --no-verify).\n",
	  install_opts, NULL },
	{ "uninstall", cmd_uninstall, NEED_REPO, "remove the git hooks crabgate installed",
	  "usage: crabgate uninstall [--hook pre-commit|pre-push|all]\n"
	  "\n"
	  "Removes only hooks crabgate wrote (they carry a marker line), all by default,\n"
	  "and puts back a hook that `install --chain` had kept as HOOK.local.\n",
	  uninstall_opts, NULL },
	{ "hook", cmd_hook, 0, "run one of crabgate's hook scripts (for hook managers)",
	  "usage: crabgate hook pre-commit|pre-push [ARGS...]\n"
	  "\n"
	  "Runs the hook script `crabgate install` would write, with git's arguments and\n"
	  "standard input, so lefthook, husky and other hook managers need no copy of it:\n"
	  "for example `crabgate hook pre-push \"$@\"` in a pre-push hook.\n",
	  NULL, NULL, CG_ARG_WORDS, "pre-commit pre-push" },
	{ "init", cmd_init, 0, "write a commented .crabgate.yaml with the defaults",
	  "usage: crabgate init [--force]\n"
	  "       crabgate init --memory\n"
	  "\n"
	  "Writes .crabgate.yaml at the root of the work tree (or here, outside a\n"
	  "repository) with every default setting commented out. An existing file is\n"
	  "kept unless --force is given.\n"
	  "\n"
	  "With --memory, writes the memory files instead (memories.md,\n"
	  "lessons-learned.md, scratchpad.md, at the paths memory.files names), each\n"
	  "with a short header; a file that exists is never overwritten.\n",
	  init_opts, NULL },
	{ "merge", cmd_merge, 0, "merge the JSON or SARIF reports of several shards",
	  "usage: crabgate merge OUT IN...\n"
	  "\n"
	  "Joins reports written by `crabgate check --shard I/N` runs of one CI job matrix\n"
	  "into the report one unsharded run would have written: findings are kept once\n"
	  "(by rule, path and fingerprint), counts are recomputed, SARIF rules are united\n"
	  "and results re-indexed. All inputs must be of one format (crabgate JSON or SARIF).\n",
	  NULL, NULL, CG_ARG_FILE },
	{ "memory", cmd_memory, NEED_REPO | NEED_CONFIG, "maintenance: update the memory files by hand",
	  "usage: crabgate memory update [--base REF [--head REF] | --range A..B | --staged | --all]\n"
	  "                              [--pr N] [--forge github|gitlab] [--title TEXT]\n"
	  "                              [--push --branch NAME --remote URL|NAME] [--token-env VAR]\n"
	  "                              [--fork] [--summary TEXT] [--lesson TEXT]... [--todo TEXT]...\n"
	  "\n"
	  "A maintenance command: runs the rules over the change and updates memories.md,\n"
	  "lessons-learned.md and scratchpad.md the way `ci --update-memory` does (with\n"
	  "--push: commit on the change's head and push to --branch, retrying on the new tip\n"
	  "when the branch moved) or `check --update-memory` does (without: stage or commit\n"
	  "locally as memory.mode says). --fork prints the would-be diff instead of pushing.\n"
	  "--summary, --lesson and --todo stand in for a model review's output. The token\n"
	  "is read from --token-env VAR, else CRABGATE_GITHUB_TOKEN/GITHUB_TOKEN (github) or\n"
	  "CRABGATE_GITLAB_TOKEN/GITLAB_TOKEN (gitlab). Prints `outcome: pushed|committed|\n"
	  "staged|skipped|rejected` and the commit. See docs/memory.md.\n"
	  "\n"
	  "Exit status: 0 done or skipped, 2 usage or damaged memory file, 3 push refused or\n"
	  "failed.\n",
	  memory_opts, NULL, CG_ARG_WORDS, "update" },
	{ "version", cmd_version, 0, "print the version",
	  "usage: crabgate version [-v | --verbose]\n"
	  "\n"
	  "Prints crabgate's version, and the commit of a build that is not a tagged release.\n"
	  "With --verbose (or `crabgate -v --version`), also the libraries it runs with:\n"
	  "libgit2, libcurl (loaded to ask it; other commands load it only for the network)\n"
	  "and the tree-sitter runtime and grammars built in.\n",
	  version_opts, NULL },
	{ "completions", cmd_completions, 0, "print a shell completion script (bash, zsh, fish)",
	  "usage: crabgate completions bash|zsh|fish\n"
	  "\n"
	  "Prints a completion script for the shell, made from the same table as the help,\n"
	  "so it completes every command and option this build has, rule ids and formats.\n"
	  "`cmake --install` installs them where the shells look; by hand:\n"
	  "\n"
	  "  bash   crabgate completions bash >~/.local/share/bash-completion/completions/crabgate\n"
	  "  zsh    crabgate completions zsh >\"${fpath[1]}/_crabgate\"\n"
	  "  fish   crabgate completions fish >~/.config/fish/completions/crabgate.fish\n",
	  NULL, NULL, CG_ARG_WORDS, "bash zsh fish" },
	{ "schema", cmd_schema, 0, "print the JSON Schema of .crabgate.yaml, for editors",
	  "usage: crabgate schema config\n"
	  "\n"
	  "Prints the JSON Schema (draft 2020-12) of .crabgate.yaml this build accepts: every\n"
	  "key with its type, allowed values, default and description, and a block for\n"
	  "every rule. Editors with the YAML language server complete and check the file\n"
	  "against it; `crabgate init` writes the line that points them at it\n"
	  "(docs/editors.md). docs/schema/crabgate.schema.json is this output.\n",
	  NULL, NULL, CG_ARG_WORDS, "config" },
	{ "cache", cmd_cache, NEED_REPO, "clear the cache of file summaries in the git directory",
	  "usage: crabgate cache clear\n"
	  "\n"
	  "check, ci and fix keep what they learn of each Rust file (its fns, their calls,\n"
	  "the blocking calls in them) in the repository's git directory, under\n"
	  "crabgate/cache/, keyed by the file's blob id, so a hook summarizes only the files\n"
	  "that changed. `cache clear` removes that folder; the next run fills it again.\n"
	  "A damaged or outdated entry is ignored and rewritten, so clearing is never\n"
	  "needed for correctness. `cache: enabled: false` in config or --no-cache turn\n"
	  "it off; cache.max_bytes bounds it (docs/performance.md).\n",
	  NULL, NULL, CG_ARG_WORDS, "clear" },
	{ "help", cmd_help, 0, "show help for a command",
	  "usage: crabgate help [COMMAND]\n"
	  "       crabgate help --man\n"
	  "\n"
	  "With --man, prints crabgate's manual page (roff) made from every command's help:\n"
	  "`crabgate help --man | man -l -`.\n",
	  help_opts, NULL, CG_ARG_COMMAND },
	{ NULL, NULL, 0, NULL, NULL },
};

static int open_repo(void)
{
	git_repository *repo = NULL;
	const char *wd;

	/*
	 * FROM_ENV honours GIT_DIR, GIT_WORK_TREE and above all GIT_INDEX_FILE:
	 * inside a pre-commit hook of `git commit -a` or `git commit PATH`, what
	 * is about to be committed is in the index git names there, not in
	 * .git/index.
	 */
	if (git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		cg_error_set_git("not in a git repository (or any parent folder)");
		return CG_E_INPUT;
	}
	cg_globals.repo = repo;
	wd = git_repository_workdir(repo);
	cg_globals.workdir = wd;
	return 0;
}

int main(int argc, char **argv)
{
	const struct cg_command *cmd;
	bool is_git_used;
	int i = 1, status, err;

	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (!strcmp(a, "-C") && i + 1 < argc) {
			if (chdir(argv[i + 1]) < 0) {
				cg_err("-C %s: cannot change to that folder", argv[i + 1]);
				return CG_EXIT_USAGE;
			}
			i += 2;
		} else if (!strcmp(a, "--config") && i + 1 < argc) {
			cg_globals.config_path = argv[i + 1];
			i += 2;
		} else if (!strncmp(a, "--config=", 9)) {
			cg_globals.config_path = a + 9;
			i++;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cg_log_set_level(CG_LOG_VERBOSE);
			i++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cg_log_set_level(CG_LOG_QUIET);
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cg_help_print_global(stdout);
			return CG_EXIT_CLEAN;
		} else if (!strcmp(a, "--version")) {
			return cmd_version(0, NULL);
		} else {
			cg_err("unknown option '%s'; see `crabgate --help`", a);
			return CG_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		cg_help_print_global(stderr);
		return CG_EXIT_USAGE;
	}
	cmd = cg_command_find(argv[i]);
	if (!cmd) {
		cg_err("'%s' is not a crabgate command; see `crabgate --help`", argv[i]);
		return CG_EXIT_USAGE;
	}

	/*
	 * CRABGATE_SKIP=1 steps `check` aside however it is run (crabgate's own
	 * hooks, lefthook, husky, pre-commit), before a repository or a config
	 * could stop it: the hooks' refusals tell people to set it.
	 */
	if (cmd->fn == cmd_check && getenv("CRABGATE_SKIP") && !strcmp(getenv("CRABGATE_SKIP"), "1")) {
		fputs("crabgate: skipped (CRABGATE_SKIP=1)\n", stderr);
		return CG_EXIT_CLEAN;
	}

	/*
	 * libgit2's set-up is not free (dozens of libraries to bind, and the CA
	 * bundle when a push needs it: util/git_tls.c), so commands that never
	 * touch git skip it.
	 */
	is_git_used =
		cmd->fn != cmd_version && cmd->fn != cmd_help && cmd->fn != cmd_completions && cmd->fn != cmd_schema;
	if (is_git_used) {
		cg_git_init();
		/*
		 * libgit2 re-hashes every object it reads to check its id; git does
		 * that only in fsck and when receiving objects. With SHA-1 collision
		 * detection that costs about 4 ms per MB read, a quarter of a long
		 * --range. We only read objects git already verified when it stored
		 * them (zlib still checks each stream), so skip the second hash.
		 */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		/*
		 * libgit2 maps pack files in windows of up to 1 GiB and keeps 8 GiB
		 * mapped; a full scan reads every blob, so the whole pack ended up
		 * in our resident memory (22 MB of the 79 MB of a --all over the
		 * crate sources). Smaller windows, fewer kept: the kernel's page
		 * cache still holds the pack, so reading costs no more.
		 */
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(1u << 20));
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(8u << 20));
	}
	if ((cmd->flags & NEED_REPO) && (err = open_repo()) < 0) {
		cg_err("%s", cg_error_last());
		status = CG_EXIT_USAGE;
		goto done;
	}
	if (cmd->flags & NEED_CONFIG) {
		err = cg_rules_config_load(&cg_globals.cfg, cg_globals.workdir, cg_globals.config_path);
		if (err < 0) {
			cg_err("%s", cg_error_last());
			status = CG_EXIT_USAGE;
			goto done;
		}
	}
	status = cmd->fn(argc - i, argv + i);
done:
	cg_config_free(cg_globals.cfg);
	/*
	 * The process ends here. Freeing the repository (its index entry by
	 * entry, the pack windows) and libgit2's globals took 1.2 ms of a 35 ms
	 * pre-commit check, for memory exit returns anyway. The repository stays
	 * in cg_globals and libgit2's state in its globals, so leak checkers see
	 * both as reachable, not lost.
	 */
	return status;
}
