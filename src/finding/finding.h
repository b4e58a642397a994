#ifndef CG_FINDING_FINDING_H
#define CG_FINDING_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A finding is what every producer (rules, model review) emits and every
 * consumer (reports, forges, memory) reads. It carries the flagged source
 * line so reporters never need to read git.
 */
enum cg_severity { CG_SEV_OFF = 0, CG_SEV_NOTE = 1, CG_SEV_WARNING = 2, CG_SEV_ERROR = 3 };
/* Entries of an array indexed by severity, CG_SEV_OFF included. */
#define CG_SEV_COUNT (CG_SEV_ERROR + 1)
/* A fingerprint: 16 hex digits and a NUL. */
#define CG_FINGERPRINT_SIZE 17
enum cg_origin { CG_ORIGIN_RULES = 0, CG_ORIGIN_REVIEW = 1 };

/*
 * Whether a fix may be applied without a human reading it, in rustc's words:
 * machine-applicable fixes are correct by construction; maybe-incorrect ones
 * are offered, and applied only when asked (`crabgate fix --unsafe`); one
 * with placeholders holds a name a person must replace (`CAPACITY`), so it is
 * shown and never applied.
 */
enum cg_applicability { CG_FIX_MACHINE_APPLICABLE = 0, CG_FIX_MAYBE_INCORRECT = 1, CG_FIX_HAS_PLACEHOLDERS = 2 };

/* One replacement in the new version of a file. */
struct cg_edit {
	char *path;		       /* repository-relative, like the finding's */
	uint32_t byte_start, byte_end; /* [start, end) of the replaced bytes; equal for an insertion */
	uint32_t line, column;	       /* byte_start, 1-based (column in bytes) */
	uint32_t end_line, end_column; /* byte_end, 1-based; end_column one past the last byte */
	char *replacement;
};

/* A finding's fix: its edits, sorted by path and offset, never overlapping. */
struct cg_fix {
	enum cg_applicability applicability;
	struct cg_edit *edits;
	size_t nedits, edits_cap;
	/*
	 * Lines first_line..last_line of the edits' file as the fix leaves them,
	 * without the last line's newline: what a review suggestion puts in place
	 * of those lines. NULL when the edits are in more than one file.
	 */
	char *new_lines;
	uint32_t first_line, last_line;
};

struct cg_finding {
	char *rule;
	enum cg_severity severity;
	char *path;	     /* repository-relative, '/'-separated */
	uint32_t line;	     /* 1-based */
	uint32_t end_line;   /* >= line */
	uint32_t column;     /* 1-based, in bytes */
	uint32_t end_column; /* 1-based, one past the last byte of the span on end_line */
	char *message;
	char *help; /* may be NULL */
	char fingerprint[CG_FINGERPRINT_SIZE];
	enum cg_origin origin;
	char *source_line; /* text of `line` without its newline; may be NULL */
	bool is_suppressed;
	char *suppression_reason; /* when is_suppressed via crabgate:allow */
	bool is_baselined;
	struct cg_fix *fix; /* owned; NULL: no fix (a fingerprint never depends on it) */
};

struct cg_findings {
	struct cg_finding *items;
	size_t len, cap;
};

/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_FINDINGS_INIT { NULL, 0, 0 }
/* clang-format on */

/* Appends a zeroed finding and returns it (owned by the list). */
struct cg_finding *cg_findings_add(struct cg_findings *list);
void cg_findings_release(struct cg_findings *list);
/* Frees one finding's strings and zeroes it. */
void cg_finding_release(struct cg_finding *f);
/* Orders by path, line, column, rule: the order every report uses. */
void cg_findings_sort(struct cg_findings *list);
/*
 * Whether reports, forges and memory show the finding: it is neither
 * suppressed in the source (crabgate:allow with a reason) nor listed in the
 * baseline. Hidden findings still count, apart (cg_findings_count).
 */
bool cg_finding_is_visible(const struct cg_finding *f);

struct cg_finding_counts {
	size_t visible[CG_SEV_COUNT]; /* by severity */
	size_t suppressed;	      /* in the source */
	size_t baselined;	      /* listed in the baseline, and not suppressed */
};

/* Counts a list's findings: the visible ones by severity, the hidden ones by why. */
void cg_findings_count(struct cg_finding_counts *out, const struct cg_findings *list);

/*
 * Adds an edit to `fix`, kept in order; false (and nothing added) when it
 * overlaps an edit already there. Strings are copied.
 */
bool cg_fix_add_edit(struct cg_fix *fix, const struct cg_edit *edit);
void cg_fix_free(struct cg_fix *fix);
/* "machine-applicable", "maybe-incorrect" or "has-placeholders". */
const char *cg_applicability_name(enum cg_applicability a);

const char *cg_severity_name(enum cg_severity sev);
/* Parses error|warning|note|off; CG_E_INPUT otherwise. */
int cg_severity_parse(enum cg_severity *out, const char *name);

/*
 * A fingerprint stable across unrelated line shifts: a hash of the rule, the
 * path, the flagged text with white space folded, and `occurrence` (the
 * how-many-th identical triple in the file, from 0). Baselines and forge
 * comments keep these: the recipe never changes. Producers fingerprint
 * their findings with cg_findings_fingerprint, which numbers the occurrences.
 */
void cg_fingerprint(char out[CG_FINGERPRINT_SIZE], const char *rule, const char *path, const char *text,
		    size_t text_len, unsigned occurrence);

struct cg_buf;

/*
 * Appends to `out` the text a finding's fingerprint hashes: what its
 * producer flagged (the rule pass: the flagged lines; the model review: the
 * commented line).
 */
typedef void (*cg_finding_text_fn)(struct cg_buf *out, const struct cg_finding *f, void *payload);

/* A finding by its fingerprint of occurrence 0 (cg_findings_fingerprint). */
struct cg_fingerprint_slot {
	char base[CG_FINGERPRINT_SIZE];
	size_t index; /* into the findings fingerprinted */
};

/*
 * Fingerprints items[0..n), findings of one producer: each hashes its rule,
 * path and text (text_of) as occurrence 0, and of the findings that share
 * that hash (the same rule and text in one file) the later ones, in item
 * order, take occurrences 1, 2, ... So no two of the items share a
 * fingerprint, and each finding's depends on no line number. `slots`, when
 * not NULL, gets n entries sorted by base and then index: each run of one
 * base is a group of identical findings, as a baseline counts them.
 */
void cg_findings_fingerprint(struct cg_finding *items, size_t n, cg_finding_text_fn text_of, void *payload,
			     struct cg_fingerprint_slot *slots);

#endif
