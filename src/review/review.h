#ifndef CG_REVIEW_REVIEW_H
#define CG_REVIEW_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "change/change.h"
#include "config/config.h"
#include "finding/finding.h"

/*
 * The model review: after the rules, a language model reads the change
 * (chunked under a token budget, secrets masked) against the team's
 * standards and answers with comments on added lines, a summary, lessons and
 * todos. Providers: OpenAI-compatible chat completions and Anthropic
 * Messages, through net/http.h. Settings: `review:` in config.yaml;
 * docs/review.md for users.
 *
 * Model text is data: it can add findings of origin CG_ORIGIN_REVIEW (rule
 * id "review/<category>") and fill the summary, lessons and todos below,
 * nothing else. A review that fails or is partial is reported in `notes`
 * and sets is_failed; only the caller decides what that does to the exit
 * status (`should_fail_run` is true when review.required says it must).
 */
enum cg_review_mode {
	CG_REVIEW_OFF = 0, /* check's default, --no-review */
	CG_REVIEW_ON,	   /* --review: run it, or say in one line why it cannot */
	CG_REVIEW_AUTO	   /* ci's default: run when a provider is configured or found, else say so in one line */
};

struct cg_review_opts {
	enum cg_review_mode mode;
	bool skip_cache; /* --no-cache: the cache is neither read nor written */
	/*
	 * A text report goes to the terminal, and it prints the run's notes: a
	 * skipped review is then said there only, not logged a second time.
	 */
	bool is_noted_on_terminal;
	double http_wait_scale; /* http.retry_wait_scale (cg_http_policy.wait_scale); 0 counts as 1 */
};

/* Zeroed is the default too: off, cache used. */
/* One line: clang-format would spread this initializer over four. */
/* clang-format off */
#define CG_REVIEW_OPTS_INIT { CG_REVIEW_OFF, false, false, 1.0 }
/* clang-format on */

struct cg_review_result {
	bool has_run;	      /* a provider was chosen and requests were planned */
	bool is_failed;	      /* at least one chunk (or the whole review) failed */
	bool should_fail_run; /* is_failed (or skipped) and review.required: exit 3 */
	char *provider;	      /* "openai" or "anthropic"; NULL when skipped */
	char *model;
	char *summary;	/* the model's summary (chunks joined), or NULL */
	char **lessons; /* deduplicated, sanitised */
	size_t nlessons;
	char **todos;
	size_t ntodos;
	char **notes; /* for people and every report: what was skipped, dropped, masked, failed */
	size_t nnotes;
	size_t chunks, chunks_cached, chunks_failed;
	size_t requests;	  /* HTTP requests sent, retries included */
	size_t comments_kept;	  /* became findings */
	size_t comments_dropped;  /* not on an added line shown to the model */
	size_t comments_invalid;  /* did not match the schema */
	size_t comments_over_cap; /* past the cap of comments kept from one answer */
	size_t secrets_masked;	  /* values replaced before anything was sent */
};

/*
 * Reviews `change` and appends the kept comments to `findings` (re-sorted).
 * `findings` holds the rule pass's findings on entry: they are listed in the
 * prompt so the model does not repeat them, and are never changed. `out` is
 * owned by the caller (cg_review_result_release) and filled in every case.
 * Returns 0 whatever the provider answered (failures are in out->notes);
 * CG_E_CONFIG for a bad `review:` setting.
 */
int cg_review_run(struct cg_review_result *out, struct cg_findings *findings, struct cg_change *change,
		  const struct cg_config *cfg, const struct cg_review_opts *opts);
void cg_review_result_release(struct cg_review_result *res);

/*
 * Whether a review would run under CG_REVIEW_AUTO: `review.provider` names
 * one, or `auto` finds OPENAI_API_KEY, ANTHROPIC_API_KEY or
 * CRABGATE_REVIEW_BASE_URL (or a base_url in config). For `crabgate ci`.
 */
bool cg_review_is_available(const struct cg_config *cfg);

#endif
