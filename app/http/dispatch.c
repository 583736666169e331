#include "http/dispatch.h"

#include <string.h>

#include "app.h"
#include "http/body.h"
#include "http/cors.h"
#include "http/headers.h"
#include "core/log.h"
#include "core/text.h"

const char *req_env(const struct request *r, const char *name)
{
	size_t n = strlen(name);

	for (char *const *e = r->env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *req_header(const struct request *r, const char *name)
{
	char key[128] = "HTTP_";
	size_t i = 5;

	for (const char *p = name; *p && i < sizeof(key) - 1; p++, i++) {
		char c = *p;
		key[i] = c == '-' ? '_' : (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	key[i] = '\0';
	/* CGI puts these two outside the HTTP_ namespace */
	if (!strcmp(key, "HTTP_CONTENT_TYPE") || !strcmp(key, "HTTP_CONTENT_LENGTH"))
		return req_env(r, key + 5);
	return req_env(r, key);
}

static const struct param_value *find_param(const struct param_value *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

const struct param_value *req_path(const struct request *r, const char *name)
{
	return find_param(r->path_params, r->npath, name);
}

const struct param_value *req_query(const struct request *r, const char *name)
{
	return find_param(r->query_params, r->nquery, name);
}

int res_header(struct response *res, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") || strpbrk(name, "\r\n: "))
		return -1;
	buf_printf(&res->headers, "%s: %s\r\n", name, value);
	return buf_ok(&res->headers) ? 0 : -1;
}

void http_response_init(struct response *res, size_t max_body)
{
	res->status = 200;
	res->content_type = "application/json";
	buf_init(&res->headers, 8192);
	buf_init(&res->body, max_body);
}

void http_response_release(struct response *res)
{
	buf_release(&res->headers);
	buf_release(&res->body);
}

int http_is_loopback(const char *addr)
{
	return addr && (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1") ||
			!strncmp(addr, "::ffff:127.", 11));
}

void http_problem(const struct request *req, struct response *res, enum app_err e,
		  const struct field_error *fe, const char *extra)
{
	struct jw w;
	char type[64];
	const char *detail = fe && fe->detail[0] ? fe->detail : app_err_title(e);

	res->status = app_err_status(e);
	res->content_type = "application/problem+json";
	buf_reset(&res->body);
	snprintf(type, sizeof(type), "urn:revenge:problem:%s", app_err_slug(e));
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "type", type);
	jw_kstr(&w, "title", app_err_title(e));
	jw_kint(&w, "status", res->status);
	if (fe && fe->field[0]) {
		char sentence[sizeof(fe->field) + sizeof(fe->detail) + 2];
		snprintf(sentence, sizeof(sentence), "%s %s", fe->field, detail);
		jw_kstr(&w, "detail", sentence);
		jw_kstr(&w, "field", fe->field);
	} else {
		jw_kstr(&w, "detail", detail);
	}
	jw_kstr(&w, "instance", req->path ? req->path : "");
	jw_kstr(&w, "request_id", req->request_id ? req->request_id : "");
	if (extra && *extra) {
		/* members without braces: append after a comma */
		buf_putc(&res->body, ',');
		buf_puts(&res->body, extra);
	}
	jw_obj_close(&w);
	if (!buf_ok(&res->body)) {
		buf_reset(&res->body);
		buf_puts(&res->body, "{\"type\":\"urn:revenge:problem:internal\",\"title\":\"Internal "
				     "Server Error\",\"status\":500,\"detail\":\"the response could not be built\"}");
		res->status = 500;
	}
}

static void json_free(void *p)
{
	cJSON_Delete(p);
}

static enum app_err read_json_body(struct app *app, struct request *req, struct field_error *fe)
{
	const char *ct = req_env(req, "CONTENT_TYPE");
	struct json_limits lim = {(size_t)app->cfg->server_max_body_size, BODY_MAX_DEPTH};
	enum app_err e;

	if (req->body_len == 0)
		return field_fail(fe, APP_ERR_VALIDATION, "body", "is required (a JSON object)");
	if (!http_media_type_is(ct, "application/json"))
		return field_fail(fe, APP_ERR_UNSUPPORTED, "Content-Type",
				  "must be application/json");
	if ((e = json_parse(req->body, req->body_len, &lim, &req->json, fe)))
		return e;
	if (arena_defer(req->arena, json_free, req->json) < 0) {
		req->json = NULL; /* already freed by arena_defer */
		return APP_ERR_NOMEM;
	}
	if (!cJSON_IsObject(req->json))
		return field_fail(fe, APP_ERR_VALIDATION, "body", "must be a JSON object");
	return APP_OK;
}

void http_purge_later(struct request *req, const char *key)
{
	struct purge_key *k = arena_alloc(req->arena, sizeof(*k));

	if (!k || !(k->key = arena_strdup(req->arena, key)))
		return;
	k->next = req->purge;
	req->purge = k;
}

void http_purge_cache(struct request *req)
{
	for (struct purge_key *k = req->purge; k; k = k->next) {
		const char *argv[] = {"DEL", k->key};
		cache_cmd(req->app->cache, NULL, NULL, 2, argv, NULL);
	}
	req->purge = NULL;
}

/* Fail closed: an app built without the hook serves only public routes. */
static enum app_err authorize(struct app *app, struct request *req, struct field_error *fe)
{
	if (!app->authorize) {
		log_error("http.no_auth", "no authorization hook: refusing %s", req->path);
		return APP_ERR_FORBIDDEN;
	}
	return app->authorize(req, fe);
}

void http_dispatch(struct app *app, struct request *req, struct response *res)
{
	struct field_error fe = {{0}, {0}}, bad_param = {{0}, {0}};
	enum app_err e;
	int allow = 0;
	bool param_failed = false;

	req->app = app;
	req->route_index = -1;
	if (http_cors(req, res))
		return; /* a preflight, answered */
	/* an unknown method (TRACE, …) matches no route: 405 with Allow, or 404 */
	switch (router_match(app->router, req->method, req->path, req, &allow, &fe)) {
	case ROUTE_FOUND:
		break;
	case ROUTE_NOT_FOUND:
		snprintf(fe.detail, sizeof(fe.detail), "nothing is at this path");
		e = APP_ERR_NOT_FOUND;
		goto fail;
	case ROUTE_BAD_METHOD: {
		struct buf allowed;
		buf_init(&allowed, 128);
		http_allow_header(allow, &allowed);
		res_header(res, "Allow", allowed.data);
		buf_release(&allowed);
		fe.field[0] = '\0';
		snprintf(fe.detail, sizeof(fe.detail), "%s is not allowed here",
			 req->method ? http_method_name(req->method) : req->method_name);
		e = APP_ERR_METHOD;
		goto fail;
	}
	case ROUTE_BAD_PARAM:
		/* answered after the permission check below: a malformed id is
		 * the route's input, which an anonymous caller must not probe */
		bad_param = fe;
		fe = (struct field_error){{0}, {0}};
		param_failed = true;
		break;
	}
	int retry;
	if (app->rate_limit && (e = app->rate_limit(req, &retry))) {
		char secs[16];
		snprintf(secs, sizeof(secs), "%d", retry);
		res_header(res, "Retry-After", secs);
		snprintf(fe.detail, sizeof(fe.detail), "too many requests; retry in %d s", retry);
		goto fail;
	}
	/* a route may take more (an avatar) than server.max_body_size */
	int64_t max_body = app->cfg->server_max_body_size;
	if (req->route->max_body > max_body)
		max_body = req->route->max_body;
	if ((int64_t)req->body_len > max_body) {
		e = field_fail(&fe, APP_ERR_TOO_LARGE, "body", "exceeds %lld bytes",
			       (long long)max_body);
		goto fail;
	}
	/* the one permission check: every route but the explicit public ones;
	 * before input validation (path, query and body alike), so an
	 * anonymous caller learns nothing about a route's parameters */
	if (strcmp(req->route->permission, PERM_PUBLIC) && (e = authorize(app, req, &fe)))
		goto fail;
	if (param_failed) {
		fe = bad_param;
		e = APP_ERR_VALIDATION;
		goto fail;
	}
	if ((e = query_parse(req->route->query, req->query, req, &fe)))
		goto fail;
	if (req->route->body == BODY_JSON &&
	    ((e = read_json_body(app, req, &fe)) ||
	     (req->route->body_spec && (e = body_validate(req->route->body_spec, req->json, &fe)))))
		goto fail;
	e = req->route->handler(req, res, &fe);
	/* the transaction (if any) is over: make cache invalidations stick */
	http_purge_cache(req);
	if (e)
		goto fail;
	if (!buf_ok(&res->body)) {
		/* a capped or failed write would otherwise go out truncated */
		e = APP_ERR_NOMEM;
		goto fail;
	}
	return;
fail:
	/* a handler may have named its own scheme (the webhooks: Basic) */
	if (e == APP_ERR_UNAUTHORIZED &&
	    !(res->headers.data && strstr(res->headers.data, "WWW-Authenticate:")))
		res_header(res, "WWW-Authenticate", "Bearer realm=\"revenge\"");
	if (e == APP_ERR_INTERNAL || e == APP_ERR_NOMEM)
		log_error("http.error", "%s %s failed: %s", http_method_name(req->method),
			  req->path ? req->path : "-", app_err_slug(e));
	http_problem(req, res, e, &fe, NULL);
}
