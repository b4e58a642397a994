/*
 * The two wire formats: OpenAI-compatible chat completions (OpenAI, Ollama's
 * /v1, llama.cpp, vLLM, LM Studio) and Anthropic Messages. Which one runs is
 * chosen here from config and the environment.
 */
#include "review/review_internal.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

#define OPENAI_DEFAULT_BASE "https://api.openai.com/v1"
#define OPENAI_DEFAULT_MODEL "gpt-4o-mini"
#define ANTHROPIC_DEFAULT_BASE "https://api.anthropic.com"
#define ANTHROPIC_DEFAULT_MODEL "claude-3-5-haiku-latest"

const char *cg_review_provider_name(enum cg_review_provider_kind kind)
{
	return kind == CG_PROVIDER_ANTHROPIC ? "anthropic" : "openai";
}

void cg_review_provider_release(struct cg_review_provider *p)
{
	free(p->base_url);
	free(p->url);
	free(p->model);
	free(p->api_key);
	free(p->key_env);
	free(p->how);
	memset(p, 0, sizeof(*p));
}

static const char *env_nonempty(const char *name)
{
	const char *v = name && *name ? getenv(name) : NULL;
	return v && *v ? v : NULL;
}

/* Fills url and model from the kind, the configured base_url/model and the defaults. */
static void finish(struct cg_review_provider *p, const char *base, const char *model)
{
	size_t n;
	p->base_url = cg_strdup(base && *base			   ? base
				: p->kind == CG_PROVIDER_ANTHROPIC ? ANTHROPIC_DEFAULT_BASE
								   : OPENAI_DEFAULT_BASE);
	n = strlen(p->base_url);
	while (n && p->base_url[n - 1] == '/')
		p->base_url[--n] = '\0';
	{
		struct cg_buf u = CG_BUF_INIT;
		if (p->kind == CG_PROVIDER_ANTHROPIC)
			cg_buf_printf(&u, "%s%s", p->base_url,
				      cg_ends_with(p->base_url, "/v1") ? "/messages" : "/v1/messages");
		else
			cg_buf_printf(&u, "%s/chat/completions", p->base_url);
		p->url = cg_buf_detach(&u, NULL);
	}
	p->model = cg_strdup(model && *model			? model
			     : p->kind == CG_PROVIDER_ANTHROPIC ? ANTHROPIC_DEFAULT_MODEL
								: OPENAI_DEFAULT_MODEL);
}

static void set_key(struct cg_review_provider *p, const char *env)
{
	const char *v = env_nonempty(env);
	free(p->key_env);
	p->key_env = cg_strdup(env);
	if (v) {
		p->api_key = cg_strdup(v);
		cg_log_add_secret(v); /* before anything could print it */
	}
}

int cg_review_provider_pick(struct cg_review_provider *out, const struct cg_conf_node *rc)
{
	const char *kind = cg_conf_str(rc, "provider", "auto");
	const char *base = cg_conf_str(rc, "base_url", "");
	const char *model = cg_conf_str(rc, "model", "");
	const char *key_env = cg_conf_str(rc, "api_key_env", "");
	const char *env_base = env_nonempty("CRABGATE_REVIEW_BASE_URL");
	struct cg_buf how = CG_BUF_INIT;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!*base && env_base)
		base = env_base;
	if (!strcmp(kind, "none")) {
		err = cg_error_set(CG_E_NOTFOUND, "review.provider is none");
		goto done;
	}
	if (!strcmp(kind, "openai")) {
		out->kind = CG_PROVIDER_OPENAI;
		set_key(out, *key_env ? key_env : "OPENAI_API_KEY");
		cg_buf_puts(&how, "review.provider is openai");
	} else if (!strcmp(kind, "anthropic")) {
		out->kind = CG_PROVIDER_ANTHROPIC;
		set_key(out, *key_env ? key_env : "ANTHROPIC_API_KEY");
		cg_buf_puts(&how, "review.provider is anthropic");
	} else if (!strcmp(kind, "auto")) {
		if (*key_env && env_nonempty(key_env)) {
			/* A named key says nothing of its API: a base_url or the default says OpenAI-compatible. */
			out->kind = CG_PROVIDER_OPENAI;
			set_key(out, key_env);
			cg_buf_printf(&how, "auto found %s", key_env);
		} else if (env_nonempty("OPENAI_API_KEY")) {
			out->kind = CG_PROVIDER_OPENAI;
			set_key(out, "OPENAI_API_KEY");
			cg_buf_puts(&how, "auto found OPENAI_API_KEY");
		} else if (env_nonempty("ANTHROPIC_API_KEY")) {
			out->kind = CG_PROVIDER_ANTHROPIC;
			set_key(out, "ANTHROPIC_API_KEY");
			cg_buf_puts(&how, "auto found ANTHROPIC_API_KEY");
		} else if (*base) {
			out->kind = CG_PROVIDER_OPENAI; /* a local OpenAI-compatible server needs no key */
			cg_buf_printf(&how, "auto found %s",
				      env_base && base == env_base ? "CRABGATE_REVIEW_BASE_URL" : "review.base_url");
		} else {
			err = cg_error_set(CG_E_NOTFOUND, "no model provider configured or found (set OPENAI_API_KEY, "
							  "ANTHROPIC_API_KEY or CRABGATE_REVIEW_BASE_URL, or "
							  "review.provider in .crabgate.yaml)");
			goto done;
		}
	} else {
		err = cg_error_set(CG_E_CONFIG,
				   "review.provider: expected one of auto, openai, anthropic, none, found '%s'", kind);
		goto done;
	}
	finish(out, base, model);
	/* Only a server on this machine may go without a key: a hosted API always wants one. */
	if (!out->api_key) {
		struct cg_buf host = CG_BUF_INIT;
		const char *h = strstr(out->base_url, "://");
		h = h ? h + 3 : out->base_url;
		cg_buf_put(&host, h, strcspn(h, "/"));
		if (host.ptr[0] != '[' && strchr(host.ptr, ':'))
			cg_buf_truncate(&host, (size_t)(strrchr(host.ptr, ':') - host.ptr));
		else if (host.ptr[0] == '[' && strchr(host.ptr, ']'))
			cg_buf_truncate(&host, (size_t)(strchr(host.ptr, ']') - host.ptr) + 1);
		if (!cg_http_host_is_loopback(host.ptr) && (!strcmp(kind, "openai") || !strcmp(kind, "anthropic")) &&
		    !*cg_conf_str(rc, "base_url", "") && !env_base)
			err = cg_error_set(CG_E_INPUT,
					   "review.provider is %s but %s is not set; export the API key in it", kind,
					   out->key_env);
		cg_buf_release(&host);
		if (err < 0)
			goto done;
	}
	{
		/* "openai, model gpt-4o-mini at https://… (auto found OPENAI_API_KEY)" */
		struct cg_buf line = CG_BUF_INIT;
		cg_buf_printf(&line, "%s, model %s at %s (%s)", cg_review_provider_name(out->kind), out->model,
			      out->base_url, how.ptr);
		cg_buf_release(&how);
		how = line;
	}
	out->how = cg_buf_detach(&how, NULL);
done:
	cg_buf_release(&how);
	if (err < 0)
		cg_review_provider_release(out);
	return err;
}

static cJSON *review_schema(void)
{
	static const char schema[] =
		"{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"comments\",\"summary\","
		"\"lessons\","
		"\"todos\"],\"properties\":{\"comments\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
		"\"additionalProperties\":false,\"required\":[\"path\",\"line\",\"end_line\",\"severity\",\"category\","
		"\"body\",\"suggestion\"],\"properties\":{\"path\":{\"type\":\"string\"},\"line\":{\"type\":"
		"\"integer\"},"
		"\"end_line\":{\"type\":[\"integer\",\"null\"]},\"severity\":{\"type\":\"string\",\"enum\":[\"error\","
		"\"warning\",\"note\"]},\"category\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"},"
		"\"suggestion\":{\"type\":[\"string\",\"null\"]}}}},\"summary\":{\"type\":\"string\"},\"lessons\":{"
		"\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"todos\":{\"type\":\"array\",\"items\":{\"type\":"
		"\"string\"}}}}";
	return cJSON_Parse(schema);
}

static cJSON *message(const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content);
	return m;
}

int cg_review_request_body(struct cg_buf *out, const struct cg_review_provider *p, const struct cg_review_chunk *c,
			   enum cg_review_format format, size_t max_output_tokens, double temperature)
{
	cJSON *root = cJSON_CreateObject(), *msgs;
	char *text;
	int err = 0;

	if (!root)
		abort();
	cJSON_AddStringToObject(root, "model", p->model);
	if (p->kind == CG_PROVIDER_ANTHROPIC) {
		cJSON_AddNumberToObject(root, "max_tokens", (double)max_output_tokens);
		cJSON_AddNumberToObject(root, "temperature", temperature);
		cJSON_AddStringToObject(root, "system", c->system.ptr);
		msgs = cJSON_AddArrayToObject(root, "messages");
		cJSON_AddItemToArray(msgs, message("user", c->user.ptr));
	} else {
		msgs = cJSON_AddArrayToObject(root, "messages");
		cJSON_AddItemToArray(msgs, message("system", c->system.ptr));
		cJSON_AddItemToArray(msgs, message("user", c->user.ptr));
		cJSON_AddNumberToObject(root, "max_tokens", (double)max_output_tokens);
		cJSON_AddNumberToObject(root, "temperature", temperature);
		if (format == CG_FORMAT_SCHEMA) {
			cJSON *rf = cJSON_AddObjectToObject(root, "response_format"), *js;
			cJSON_AddStringToObject(rf, "type", "json_schema");
			js = cJSON_AddObjectToObject(rf, "json_schema");
			cJSON_AddStringToObject(js, "name", "crabgate_review");
			cJSON_AddBoolToObject(js, "strict", 1);
			cJSON_AddItemToObject(js, "schema", review_schema());
		} else if (format == CG_FORMAT_OBJECT) {
			cJSON *rf = cJSON_AddObjectToObject(root, "response_format");
			cJSON_AddStringToObject(rf, "type", "json_object");
		}
	}
	if (!(text = cJSON_PrintUnformatted(root)))
		abort();
	err = cg_buf_puts(out, text);
	cJSON_free(text);
	cJSON_Delete(root);
	return err;
}

int cg_review_response_text(struct cg_buf *out, bool *is_cut, const struct cg_review_provider *p, const char *body,
			    size_t len)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	int err = 0;

	*is_cut = false;
	if (!root) {
		err = cg_error_set(CG_E_INPUT, "the server's answer is not JSON");
		goto done;
	}
	if (p->kind == CG_PROVIDER_ANTHROPIC) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(root, "content"), *b;
		const char *stop = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "stop_reason"));
		bool any = false;
		if (!cJSON_IsArray(content)) {
			err = cg_error_set(CG_E_INPUT, "the answer has no content blocks");
			goto done;
		}
		cJSON_ArrayForEach(b, content)
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "text"));
			if (t && cg_str_eq(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "type")), "text")) {
				if ((err = cg_buf_puts(out, t)) < 0)
					goto done;
				any = true;
			}
		}
		*is_cut = cg_str_eq(stop, "max_tokens");
		if (!any)
			err = cg_error_set(CG_E_INPUT, "the answer has no text block");
	} else {
		const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "content"));
		const char *fin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"));
		*is_cut = cg_str_eq(fin, "length");
		if (!t) {
			const char *refusal = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "refusal"));
			err = cg_error_set(CG_E_INPUT, "%s",
					   refusal ? "the model refused to answer"
						   : "the answer has no message content");
			goto done;
		}
		err = cg_buf_puts(out, t);
	}
done:
	cJSON_Delete(root);
	return err;
}

char *cg_review_error_reason(long status, const char *body, size_t len)
{
	struct cg_buf b = CG_BUF_INIT;
	cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
	char *clean, *out;

	if (!msg && cJSON_IsString(e))
		msg = e->valuestring;
	cg_buf_printf(&b, "HTTP %ld", status);
	if (type)
		cg_buf_printf(&b, " %s", type);
	if (msg)
		cg_buf_printf(&b, ": %s", msg);
	else if (len && !root)
		cg_buf_printf(&b, ": %.*s", (int)(len > 120 ? 120 : len), body);
	cJSON_Delete(root);
	/* The server's words are shown to people: no control characters, no mentions, bounded. */
	clean = cg_review_sanitize(b.ptr, b.size, 300);
	cg_buf_release(&b);
	for (char *p = clean; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	out = clean;
	return out;
}

bool cg_review_rejects_schema(long status, const char *body)
{
	if (status != 400 && status != 422)
		return false;
	return strstr(body, "json_schema") || strstr(body, "response_format");
}
