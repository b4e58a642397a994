/* Reported by the pass itself (rules/allow.c) when a suppression gives no reason. */
#include "rules/rule.h"
#include "util/banned.h"

const struct cg_rule cg_rule_allow_without_reason = {
	.id = "allow-without-reason",
	.default_severity = CG_SEV_NOTE,
	.summary = "a crabgate:allow comment must say why",
	.explain =
		"A finding is suppressed by a comment on its line or the line above:\n"
		"\n"
		"    // crabgate:allow(blocking-in-async) runs once at start-up, before the runtime serves requests\n"
		"    let cfg = std::fs::read_to_string(path)?;\n"
		"\n"
		"The text after the parenthesis is the reason, and it is required: a suppression\n"
		"without one does not suppress anything and is reported here, so that every\n"
		"exception in the code base carries its justification for the next reader.\n"
		"\n"
		"Bad:\n"
		"    // crabgate:allow(chrono-ban)\n"
		"    use chrono::Utc;\n"
		"\n"
		"Good:\n"
		"    // crabgate:allow(chrono-ban) the wire format of the v1 API is defined by chrono's serde\n"
		"    use chrono::Utc;\n",
	.wants = 0,
	.check = NULL,
};
