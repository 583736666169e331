/*
 * CORS (http/cors.c): the http.cors_origins syntax, origin matching, and
 * what http_dispatch answers with a small route table: preflights of
 * listed origins answered 204 before routing and authentication, actual
 * responses with the echoed origin and credentials, nothing for other
 * origins; and issue 14 item 8, a JSON body whose Content-Type is written
 * in upper case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "app.h"
#include "http/cors.h"
#include "http/dispatch.h"

#define LISTED "https://app.example.test"

static void test_check(void **state)
{
	char why[160];

	(void)state;
	assert_int_equal(cors_origins_check(NULL, why, sizeof(why)), 0);
	assert_int_equal(cors_origins_check("https://a.example", why, sizeof(why)), 0);
	assert_int_equal(
	    cors_origins_check("https://a.example, http://localhost:3000", why, sizeof(why)), 0);
	assert_int_equal(
	    cors_origins_check("HTTPS://A.Example:443,http://[::1]:8080", why, sizeof(why)), 0);
	assert_int_equal(cors_origins_check("http://127.0.0.1:65535", why, sizeof(why)), 0);

	assert_int_equal(cors_origins_check("*", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "origin 1"));
	assert_non_null(strstr(why, "not allowed"));
	assert_int_equal(
	    cors_origins_check("https://a.example, https://b.example/", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "origin 2"));
	assert_non_null(strstr(why, "without a path"));
	assert_int_equal(cors_origins_check("a.example", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "http://"));
	assert_int_equal(cors_origins_check("ftp://a.example", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://.example", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://a.example:0", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://a.example:65536", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://a.example:123456", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://a.example:", why, sizeof(why)), -1);
	assert_int_equal(
	    cors_origins_check("https://a.example,,https://b.example", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "empty"));
	assert_int_equal(cors_origins_check("https://[]", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://[[::1]", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://[::g]", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("https://a_b.example", why, sizeof(why)), -1);
	assert_int_equal(cors_origins_check("null", why, sizeof(why)), -1);
}

static void test_listed(void **state)
{
	const char *list = "https://app.example.test, http://localhost:3000";

	(void)state;
	assert_true(cors_origin_listed(list, "https://app.example.test"));
	assert_true(cors_origin_listed(list, "http://localhost:3000"));
	assert_true(cors_origin_listed("HTTPS://App.Example.Test", "https://app.example.test"));
	/* whole items only */
	assert_false(cors_origin_listed(list, "https://app.example.test.evil.example"));
	assert_false(cors_origin_listed(list, "https://app.example"));
	assert_false(cors_origin_listed(list, "http://app.example.test"));
	assert_false(cors_origin_listed(list, "http://localhost:30000"));
	assert_false(cors_origin_listed(list, "http://localhost"));
	assert_false(cors_origin_listed(list, "null"));
	assert_false(cors_origin_listed(list, ""));
	assert_false(cors_origin_listed(list, NULL));
	assert_false(cors_origin_listed(NULL, "https://app.example.test"));
}

/* app_config_check refuses a bad list or server name, naming the key */
static enum app_err check_conf(const char *text, struct buf *err)
{
	struct config c;
	char *env[] = {NULL};
	enum app_err e;

	buf_reset(err);
	if ((e = config_load_text(&c, text, strlen(text), "test", env, err)))
		return e;
	e = app_config_check(&c, err);
	config_release(&c);
	return e;
}

static void test_config_check(void **state)
{
	struct buf err;

	(void)state;
	buf_init(&err, 1024);
	assert_int_equal(check_conf("[http]\ncors_origins = https://a.example\n", &err), APP_OK);
	assert_int_equal(check_conf("[http]\nserver_name = media.example.org\n", &err), APP_OK);
	assert_int_equal(check_conf("[http]\ncors_origins = *\n", &err), APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "http.cors_origins: origin 1"));
	assert_int_equal(check_conf("[http]\ncors_origins = https://a.example/app\n", &err),
	                 APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "http.cors_origins"));
	/* the name is pasted into nginx.conf: nothing but a host name */
	assert_int_equal(check_conf("[http]\nserver_name = \"a.example; return 200\"\n", &err),
	                 APP_ERR_VALIDATION);
	assert_non_null(strstr(err.data, "http.server_name"));
	assert_int_equal(check_conf("[http]\nserver_name = evil.example/x\n", &err),
	                 APP_ERR_VALIDATION);
	assert_int_equal(check_conf("[http]\nserver_name = -a.example\n", &err),
	                 APP_ERR_VALIDATION);
	buf_release(&err);
}

/* --- through the dispatcher ------------------------------------------------- */

static int handler_calls;

static enum app_err ok_handler(struct request *req, struct response *res, struct field_error *fe)
{
	(void)req, (void)fe;
	handler_calls++;
	buf_puts(&res->body, "{}");
	return APP_OK;
}

static const struct route table[] = {
    {HTTP_GET, "/api/v1/things", "things.list", PERM_PUBLIC, NULL, BODY_NONE, ok_handler, "l"},
    {HTTP_POST, "/api/v1/things", "things.create", PERM_PUBLIC, NULL, BODY_JSON, ok_handler, "c"},
    {HTTP_DELETE, "/api/v1/things/{id:uuid}", "things.delete", "things:delete", NULL, BODY_NONE,
     ok_handler, "d"},
};

struct fixture {
	struct config cfg;
	struct app app;
	struct arena *arena;
	struct response res;
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.cfg.server_max_body_size = 1024 * 1024;
	fx.cfg.http_cors_origins = "https://app.example.test, http://localhost:3000";
	fx.cfg.http_cors_max_age = 600 * 1000;
	fx.app.cfg = &fx.cfg;
	fx.app.router = router_new(table, sizeof(table) / sizeof(table[0]));
	fx.arena = arena_new(4096, 1 << 20);
	handler_calls = 0;
	return fx.app.router && fx.arena ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	http_response_release(&fx.res);
	router_free(fx.app.router);
	arena_free(fx.arena);
	return 0;
}

/* One request through http_dispatch; env: NULL-terminated "NAME=value". */
static struct response *call(const char *method, const char *path, char *const *env,
                             const char *body)
{
	static struct request req;

	http_response_release(&fx.res);
	arena_reset(fx.arena);
	memset(&req, 0, sizeof(req));
	req.arena = fx.arena;
	req.method_name = method;
	req.method = http_method_parse(method);
	req.path = path;
	req.query = "";
	req.request_id = "test";
	req.env = env;
	req.body = body ? body : "";
	req.body_len = body ? strlen(body) : 0;
	http_response_init(&fx.res, 1 << 20);
	http_dispatch(&fx.app, &req, &fx.res);
	return &fx.res;
}

/* The value of header name in res ("" when absent; the first one). */
static const char *header(const struct response *res, const char *name)
{
	static char v[512];
	size_t n = strlen(name);

	v[0] = '\0';
	for (const char *p = res->headers.data; p && *p;) {
		const char *eol = strstr(p, "\r\n");
		if (!eol)
			break;
		if (!strncmp(p, name, n) && p[n] == ':') {
			snprintf(v, sizeof(v), "%.*s", (int)(eol - p - n - 2), p + n + 2);
			return v;
		}
		p = eol + 2;
	}
	return v;
}

static int header_count(const struct response *res, const char *name)
{
	char line[128];
	int count = 0;

	snprintf(line, sizeof(line), "%s: ", name);
	for (const char *p = res->headers.data; p && (p = strstr(p, line)); p++)
		if (p == res->headers.data || p[-1] == '\n')
			count++;
	return count;
}

static void preflight_listed(void **state)
{
	char *env[] = {"HTTP_ORIGIN=https://app.example.test",
	               "HTTP_ACCESS_CONTROL_REQUEST_METHOD=DELETE",
	               "HTTP_ACCESS_CONTROL_REQUEST_HEADERS=authorization, x-csrf-token", NULL};
	struct response *res;

	(void)state;
	/* a protected route: the preflight carries no credentials and is
	 * answered anyway, without calling the handler */
	res = call("OPTIONS", "/api/v1/things/0b8e9a5e-6f7d-4e0a-9a51-2f3b0e8f6c11", env, NULL);
	assert_int_equal(res->status, 204);
	assert_int_equal(res->body.len, 0);
	assert_string_equal(header(res, "Access-Control-Allow-Origin"), LISTED);
	assert_string_equal(header(res, "Access-Control-Allow-Credentials"), "true");
	assert_string_equal(header(res, "Access-Control-Allow-Methods"), "DELETE");
	assert_string_equal(header(res, "Access-Control-Allow-Headers"), CORS_ALLOW_HEADERS);
	assert_non_null(strstr(CORS_ALLOW_HEADERS, "Authorization"));
	assert_non_null(strstr(CORS_ALLOW_HEADERS, "Content-Type"));
	assert_non_null(strstr(CORS_ALLOW_HEADERS, "X-CSRF-Token"));
	assert_non_null(strstr(CORS_ALLOW_HEADERS, "X-MFA-Token")); /* MFA setup before a session */
	assert_string_equal(header(res, "Access-Control-Max-Age"), "600");
	assert_non_null(strstr(header(res, "Vary"), "Origin"));
	assert_int_equal(handler_calls, 0);

	/* the methods of the path, HEAD with GET */
	char *env2[] = {"HTTP_ORIGIN=http://localhost:3000",
	                "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST", NULL};
	res = call("OPTIONS", "/api/v1/things", env2, NULL);
	assert_int_equal(res->status, 204);
	assert_string_equal(header(res, "Access-Control-Allow-Origin"), "http://localhost:3000");
	assert_string_equal(header(res, "Access-Control-Allow-Methods"), "GET, HEAD, POST");
}

static void preflight_refused(void **state)
{
	struct response *res;

	(void)state;
	/* an origin not on the list: no CORS header, the router's 405 */
	char *other[] = {"HTTP_ORIGIN=https://evil.example",
	                 "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST", NULL};
	res = call("OPTIONS", "/api/v1/things", other, NULL);
	assert_int_equal(res->status, 405);
	assert_int_equal(header_count(res, "Access-Control-Allow-Origin"), 0);
	assert_int_equal(header_count(res, "Access-Control-Allow-Credentials"), 0);
	assert_int_equal(header_count(res, "Access-Control-Allow-Methods"), 0);
	assert_string_equal(header(res, "Vary"), "Origin");

	/* a listed origin asking for a method the path does not take */
	char *put[] = {"HTTP_ORIGIN=https://app.example.test",
	               "HTTP_ACCESS_CONTROL_REQUEST_METHOD=PUT", NULL};
	res = call("OPTIONS", "/api/v1/things", put, NULL);
	assert_int_equal(res->status, 405);
	assert_int_equal(header_count(res, "Access-Control-Allow-Methods"), 0);

	/* nothing at the path */
	char *nothing[] = {"HTTP_ORIGIN=https://app.example.test",
	                   "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET", NULL};
	res = call("OPTIONS", "/api/v1/nothing", nothing, NULL);
	assert_int_equal(res->status, 404);
	assert_int_equal(header_count(res, "Access-Control-Allow-Methods"), 0);

	/* an OPTIONS without Access-Control-Request-Method is no preflight */
	char *plain[] = {"HTTP_ORIGIN=https://app.example.test", NULL};
	res = call("OPTIONS", "/api/v1/things", plain, NULL);
	assert_int_equal(res->status, 405);
	assert_int_equal(handler_calls, 0);
}

static void actual_requests(void **state)
{
	struct response *res;

	(void)state;
	char *listed[] = {"HTTP_ORIGIN=https://app.example.test", NULL};
	res = call("GET", "/api/v1/things", listed, NULL);
	assert_int_equal(res->status, 200);
	assert_string_equal(header(res, "Access-Control-Allow-Origin"), LISTED);
	assert_string_equal(header(res, "Access-Control-Allow-Credentials"), "true");
	assert_non_null(strstr(header(res, "Access-Control-Expose-Headers"), "X-Request-ID"));
	assert_string_equal(header(res, "Vary"), "Origin");
	assert_int_equal(header_count(res, "Access-Control-Allow-Origin"), 1);

	/* errors carry them too, so the page can read the problem */
	res = call("DELETE", "/api/v1/things/0b8e9a5e-6f7d-4e0a-9a51-2f3b0e8f6c11", listed, NULL);
	assert_int_equal(res->status, 403); /* no authorize hook: fails closed */
	assert_string_equal(header(res, "Access-Control-Allow-Origin"), LISTED);

	char *other[] = {"HTTP_ORIGIN=https://evil.example", NULL};
	res = call("GET", "/api/v1/things", other, NULL);
	assert_int_equal(res->status, 200);
	assert_int_equal(header_count(res, "Access-Control-Allow-Origin"), 0);
	assert_int_equal(header_count(res, "Access-Control-Allow-Credentials"), 0);
	assert_string_equal(header(res, "Vary"), "Origin");

	char *none[] = {NULL};
	res = call("GET", "/api/v1/things", none, NULL);
	assert_int_equal(header_count(res, "Access-Control-Allow-Origin"), 0);
	assert_string_equal(header(res, "Vary"), "Origin");

	/* without a list nothing changes: no header, not even Vary */
	fx.cfg.http_cors_origins = NULL;
	res = call("GET", "/api/v1/things", listed, NULL);
	assert_int_equal(res->status, 200);
	assert_int_equal(header_count(res, "Access-Control-Allow-Origin"), 0);
	assert_int_equal(header_count(res, "Vary"), 0);
	char *pre[] = {"HTTP_ORIGIN=https://app.example.test",
	               "HTTP_ACCESS_CONTROL_REQUEST_METHOD=POST", NULL};
	res = call("OPTIONS", "/api/v1/things", pre, NULL);
	assert_int_equal(res->status, 405);
}

static void content_type_case(void **state)
{
	struct response *res;

	(void)state;
	char *upper[] = {"CONTENT_TYPE=APPLICATION/JSON; Charset=UTF-8", NULL};
	res = call("POST", "/api/v1/things", upper, "{}");
	assert_int_equal(res->status, 200);
	assert_int_equal(handler_calls, 1);
	char *mixed[] = {"CONTENT_TYPE=Application/Json", NULL};
	res = call("POST", "/api/v1/things", mixed, "{}");
	assert_int_equal(res->status, 200);
	char *other[] = {"CONTENT_TYPE=text/plain", NULL};
	res = call("POST", "/api/v1/things", other, "{}");
	assert_int_equal(res->status, 415);
	char *longer[] = {"CONTENT_TYPE=application/jsonp", NULL};
	res = call("POST", "/api/v1/things", longer, "{}");
	assert_int_equal(res->status, 415);
	assert_int_equal(handler_calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_listed),
	    cmocka_unit_test(test_config_check),
	    cmocka_unit_test_setup_teardown(preflight_listed, setup, teardown),
	    cmocka_unit_test_setup_teardown(preflight_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(actual_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(content_type_case, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
