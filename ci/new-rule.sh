#!/usr/bin/env bash
# Scaffolds a new rule: ci/new-rule.sh RULE-ID
#
# Writes src/rules/rule_<id>.c (a working skeleton, commented, off by
# default), its row in src/rules/registry.c, its block in config.yaml and a
# passing case, tests/cases/<id>_example/. Then build and run the case:
#   cmake --build build && python3 tests/cases/run_case.py tests/cases/<id>_example
# docs/contributing.md walks through turning the skeleton into a rule.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
id=${1:-}
if [[ $# -ne 1 || -z "$id" ]]; then
  echo "usage: ci/new-rule.sh RULE-ID   (lowercase words joined by '-', e.g. println-in-lib)" >&2
  exit 2
fi
if ! [[ "$id" =~ ^[a-z][a-z0-9]*(-[a-z0-9]+)*$ ]]; then
  echo "new-rule: '$id' is not a rule id: use lowercase letters, digits and single '-' between words, starting with a letter (e.g. println-in-lib)" >&2
  exit 2
fi
sym=${id//-/_}
rule_c="src/rules/rule_$sym.c"
case_dir="tests/cases/${id}_example"
macro="${sym}_example"

cd "$root"
if grep -q "\.id = \"$id\"" src/rules/*.c || [[ -e "$rule_c" ]]; then
  echo "new-rule: a rule '$id' exists already ($(grep -l "\.id = \"$id\"" src/rules/*.c 2>/dev/null || echo "$rule_c")); pick another id" >&2
  exit 1
fi
if grep -qE "^  $id:" config.yaml; then
  echo "new-rule: config.yaml has a block rules.$id already; remove it or pick another id" >&2
  exit 1
fi
if [[ -e "$case_dir" ]]; then
  echo "new-rule: $case_dir exists already; remove it or pick another id" >&2
  exit 1
fi

# The rule: flags calls of a macro no real code calls, so it is listed,
# configurable and tested from the first build.
sed -e "s/@ID@/$id/g" -e "s/@SYM@/$sym/g" -e "s/@MACRO@/$macro/g" >"$rule_c" <<'EOF'
#define _GNU_SOURCE
/*
 * @ID@: TODO say what the rule flags, why the team cares, and what it
 * leaves alone on purpose.
 *
 * Written by ci/new-rule.sh as a working skeleton: it flags calls of the
 * macro `@MACRO@!`, which no real code calls, so the rule is listed,
 * configurable and tested from its first build. Replace may_fire() and
 * visit() with the real thing, and tests/cases/@ID@_example/ with real cases
 * (docs/contributing.md; rule_unbounded_channel.c is a complete rule).
 */
#include <string.h>

#include "rules/rule.h"
#include "syntax/syntax.h"
#include "util/banned.h"

#define MACRO "@MACRO@"

/*
 * Called for every node of the file's tree, in order. Findings may be
 * emitted anywhere: the pass keeps those on the change (--filter), applies
 * crabgate:allow comments and the baseline, and fingerprints them.
 */
static int visit(TSNode node, void *payload)
{
	struct cg_rule_ctx *ctx = payload;
	TSNode name;

	if (cg_node_kind(node) != CG_K_MACRO_INVOCATION)
		return CG_WALK_ENTER;
	name = ts_node_child_by_field_name(node, "macro", 5);
	if (!ts_node_is_null(name) && cg_node_is(ctx->src, name, MACRO)) {
		struct cg_emit e = { 0 };
		e.span = cg_span_of(node);
		e.message = "`" MACRO "!` is the example finding of a rule ci/new-rule.sh wrote";
		e.help = "write the rule's real check in src/rules/rule_@SYM@.c";
		/* e.severity stays CG_SEV_OFF: the configured severity (rules.@ID@.severity). */
		cg_rule_emit(ctx, &e);
	}
	return CG_WALK_SKIP; /* a macro's arguments are a token tree, not code */
}

/*
 * Before parsing, from the file's bytes: false when the rule cannot fire.
 * When no rule may fire on a file it is not parsed at all, which is what
 * keeps a pre-commit hook instant; so say no whenever you can.
 */
static bool may_fire(const struct cg_rule_ctx *ctx, const char *text, size_t len)
{
	(void)ctx;
	return memmem(text, len, MACRO, strlen(MACRO)) != NULL;
}

static int check(struct cg_rule_ctx *ctx)
{
	/* ctx->rule_cfg is rules.@ID@ of the configuration: read the rule's own settings there. */
	return cg_walk(cg_source_root(ctx->src), visit, ctx);
}

const struct cg_rule cg_rule_@SYM@ = {
	.id = "@ID@",
	.default_severity = CG_SEV_WARNING,
	/* Off until it is right 19 times in 20 on real code (bench/RESULTS.md); then delete this line. */
	.is_opt_in = true,
	.summary = "TODO one line: what the rule asks of the code",
	.explain = "TODO why the rule exists, what it flags and what it leaves alone.\n"
		   "\n"
		   "Bad:\n"
		   "    " MACRO "!();\n"
		   "\n"
		   "Good:\n"
		   "    // nothing to flag\n"
		   "\n"
		   "Off by default: turn it on with `rules.@ID@.enabled: true`.\n",
	.wants = CG_KIND_RUST,
	.check = check,
	.may_fire = may_fire,
};
EOF

# The registry row, and the declaration above the table.
python3 - "$sym" <<'EOF'
import re, sys
sym = sys.argv[1]
path = "src/rules/registry.c"
text = open(path, encoding="utf-8").read()
decls = list(re.finditer(r"^extern const struct cg_rule cg_rule_\w+;\n", text, re.M))
at = decls[-1].end()
text = text[:at] + f"extern const struct cg_rule cg_rule_{sym};\n" + text[at:]
table = re.search(r"const struct cg_rule \*const cg_rules\[\] = \{(.*?)\n\};", text, re.S)
text = text[:table.end(1)] + f"\n\t&cg_rule_{sym}," + text[table.end(1):]
open(path, "w", encoding="utf-8").write(text)
EOF

# The config.yaml block: last of the rules: map, before the next top-level key
# and the comments above it.
python3 - "$id" <<'EOF'
import sys
rid = sys.argv[1]
path = "config.yaml"
lines = open(path, encoding="utf-8").read().split("\n")
start = lines.index("rules:")
end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()
            and not lines[i].startswith("#")), len(lines))
while end > start + 1 and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
    end -= 1
block = f"""
  # TODO what {rid} flags (`crabgate explain {rid}`).
  # Off by default until it is right 19 times in 20 on real code
  # (bench/RESULTS.md, "Precision").
  {rid}:
    enabled: false
    severity: warning
    # Globs of paths this rule does not check.
    skip: []""".split("\n")
lines[end:end] = block
open(path, "w", encoding="utf-8").write("\n".join(lines))
EOF

if command -v clang-format >/dev/null 2>&1; then
  clang-format -i "$rule_c" src/rules/registry.c
else
  echo "new-rule: clang-format is missing (ci/setup.sh --tests installs it); format $rule_c and src/rules/registry.c before committing" >&2
fi

# The case: the rule turned on, one finding where the macro is called.
mkdir -p "$case_dir/after/src"
echo "check --staged" >"$case_dir/cmd"
printf 'rules:\n  %s:\n    enabled: true\n' "$id" >"$case_dir/config.yaml"
printf 'pub fn example() {\n    %s!();\n}\n' "$macro" >"$case_dir/after/src/lib.rs"
printf '{"rule": "%s", "path": "src/lib.rs", "line": 2, "severity": "warning", "message_contains": "%s!"}\n' \
  "$id" "$macro" >"$case_dir/expected.jsonl"

cat <<EOF
new-rule: wrote $rule_c, its row in src/rules/registry.c, rules.$id in config.yaml
and the case $case_dir. Next:
  cmake --build build && build/crabgate rules
  build/crabgate schema config > docs/schema/crabgate.schema.json
  CRABGATE_BIN=build/crabgate python3 tests/cases/run_case.py $case_dir
then make it a real rule (docs/contributing.md).
EOF
