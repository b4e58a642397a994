/*
 * What a model server sends back, on arbitrary bytes: the 2xx answer body of
 * both providers, the reason shown for an error answer, and the secret
 * masking that runs over the change before anything is sent (untrusted too:
 * it is the pull request's text). Masking keeps every line where it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "review/review_internal.h"
#include "util/error.h"
#include "util/str.h"
#include "util/utf8.h"

static size_t count_nl(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct cg_review_provider p;
	struct cg_buf out = CG_BUF_INIT, nul = CG_BUF_INIT;
	size_t masked = 0;
	bool is_cut;
	char *reason;

	memset(&p, 0, sizeof(p));
	for (int kind = 0; kind < 2; kind++) {
		p.kind = kind ? CG_PROVIDER_ANTHROPIC : CG_PROVIDER_OPENAI;
		cg_buf_truncate(&out, 0);
		if (cg_review_response_text(&out, &is_cut, &p, text, size) == 0 && out.ptr[out.size] != '\0')
			abort();
	}

	reason = cg_review_error_reason(429, text, size);
	if (!reason || strlen(reason) > 300 + 16 || strchr(reason, '\n') || !cg_utf8_valid(reason, strlen(reason)))
		abort();
	free(reason);
	/* rejects_schema reads a C string: the body as the client holds it (NUL-terminated). */
	cg_buf_put(&nul, text, size);
	cg_review_rejects_schema(400, nul.ptr);

	cg_buf_truncate(&out, 0);
	if (cg_review_redact(&out, text, size, &masked) == 0 && count_nl(out.ptr, out.size) != count_nl(text, size))
		abort();
	cg_buf_release(&out);
	cg_buf_release(&nul);
	cg_error_clear();
	return 0;
}
