/*
 * Router, typed parameters and query validation, without any server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/log.h"
#include "http/router.h"

static enum app_err h(struct request *req, struct response *res, struct field_error *fe)
{
	(void)req, (void)res, (void)fe;
	return APP_OK;
}

static const char *const sorts[] = {"title", "year", NULL};
static const struct param_spec list_q[] = {
	{.name = "limit", .type = PT_INT, .min = 1, .max = 100},
	{.name = "sort", .type = PT_ENUM, .choices = sorts},
	{.name = "q", .type = PT_STRING, .min = 1, .max = 8},
	{.name = "need", .type = PT_BOOL, .required = false},
	{0},
};
static const struct param_spec req_q[] = {
	{.name = "must", .type = PT_STRING, .required = true, .min = 1},
	{0},
};

static const struct route table[] = {
	{HTTP_GET, "/", "root", PERM_PUBLIC, NULL, BODY_NONE, h, "root"},
	{HTTP_GET, "/api/v1/movies", "movies.list", "movies:list", list_q, BODY_NONE, h, "list"},
	{HTTP_POST, "/api/v1/movies", "movies.create", "movies:create", NULL, BODY_JSON, h, "c"},
	{HTTP_GET, "/api/v1/movies/{id:uuid}", "movies.get", "movies:get", NULL, BODY_NONE, h, "g"},
	{HTTP_DELETE, "/api/v1/movies/{id:uuid}", "movies.delete", "movies:delete", NULL, BODY_NONE, h, "d"},
	{HTTP_GET, "/api/v1/movies/{id:uuid}/files/{n:int}", "files.get", "movies:get", req_q, BODY_NONE, h, "f"},
	{HTTP_GET, "/api/v1/movies/recent", "movies.recent", "movies:list", NULL, BODY_NONE, h, "r"},
	{HTTP_GET, "/api/v1/tags/{name:str}", "tags.get", "movies:list", NULL, BODY_NONE, h, "t"},
};

struct fixture {
	struct router *r;
	struct arena *a;
	struct request req;
};

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	f.r = router_new(table, sizeof(table) / sizeof(table[0]));
	f.a = arena_new(4096, 1 << 20);
	f.req.arena = f.a;
	*state = &f;
	return f.r && f.a ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	router_free(f->r);
	arena_free(f->a);
	return 0;
}

static enum route_match match(struct fixture *f, int method, const char *path, int *allow,
			      struct field_error *fe)
{
	memset(fe, 0, sizeof(*fe));
	f->req.route = NULL;
	return router_match(f->r, method, path, &f->req, allow, fe);
}

static void literal_and_typed(void **state)
{
	struct fixture *f = *state;
	struct field_error fe;
	int allow;

	assert_int_equal(match(f, HTTP_GET, "/", &allow, &fe), ROUTE_FOUND);
	assert_string_equal(f->req.route->name, "root");
	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies", &allow, &fe), ROUTE_FOUND);
	assert_string_equal(f->req.route->name, "movies.list");
	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies/0A1B2C3D-0000-4000-8000-00000000000F",
			       &allow, &fe),
			 ROUTE_FOUND);
	assert_string_equal(f->req.route->name, "movies.get");
	/* uuids are normalised to lower case */
	assert_string_equal(req_path(&f->req, "id")->str, "0a1b2c3d-0000-4000-8000-00000000000f");
	assert_int_equal(f->req.route_index, 3);

	assert_int_equal(match(f, HTTP_GET,
			       "/api/v1/movies/0a1b2c3d-0000-4000-8000-00000000000f/files/17",
			       &allow, &fe),
			 ROUTE_FOUND);
	assert_int_equal(req_path(&f->req, "n")->num, 17);
	assert_int_equal(f->req.npath, 2);

	/* a literal segment wins over a typed one that would not parse anyway */
	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies/recent", &allow, &fe), ROUTE_FOUND);
	assert_string_equal(f->req.route->name, "movies.recent");

	/* str parameters are percent-decoded */
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/sci%20fi", &allow, &fe), ROUTE_FOUND);
	assert_string_equal(req_path(&f->req, "name")->str, "sci fi");
}

static void not_found_and_methods(void **state)
{
	struct fixture *f = *state;
	struct field_error fe;
	struct buf b;
	int allow;

	assert_int_equal(match(f, HTTP_GET, "/api/v1/nothing", &allow, &fe), ROUTE_NOT_FOUND);
	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies/a/b/c", &allow, &fe), ROUTE_NOT_FOUND);
	assert_int_equal(match(f, HTTP_GET, "/api/v1", &allow, &fe), ROUTE_NOT_FOUND);
	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies/", &allow, &fe), ROUTE_NOT_FOUND);

	assert_int_equal(match(f, HTTP_PUT, "/api/v1/movies", &allow, &fe), ROUTE_BAD_METHOD);
	assert_int_equal(allow, HTTP_GET | HTTP_HEAD | HTTP_POST);
	buf_init(&b, 128);
	http_allow_header(allow, &b);
	assert_string_equal(b.data, "GET, HEAD, POST");
	buf_release(&b);

	assert_int_equal(match(f, HTTP_POST, "/api/v1/movies/0a1b2c3d-0000-4000-8000-00000000000f",
			       &allow, &fe),
			 ROUTE_BAD_METHOD);
	assert_int_equal(allow, HTTP_GET | HTTP_HEAD | HTTP_DELETE);

	/* HEAD is served by GET routes */
	assert_int_equal(match(f, HTTP_HEAD, "/api/v1/movies", &allow, &fe), ROUTE_FOUND);
}

static void bad_path_params(void **state)
{
	struct fixture *f = *state;
	struct field_error fe;
	int allow;

	assert_int_equal(match(f, HTTP_GET, "/api/v1/movies/not-a-uuid/files/1", &allow, &fe),
			 ROUTE_BAD_PARAM);
	assert_string_equal(fe.field, "id");
	assert_int_equal(match(f, HTTP_GET,
			       "/api/v1/movies/0a1b2c3d-0000-4000-8000-00000000000f/files/-1",
			       &allow, &fe),
			 ROUTE_BAD_PARAM);
	assert_string_equal(fe.field, "n");
	assert_int_equal(match(f, HTTP_GET,
			       "/api/v1/movies/0a1b2c3d-0000-4000-8000-00000000000f/files/99999999999999999999",
			       &allow, &fe),
			 ROUTE_BAD_PARAM);
	/* %00 and broken escapes never become parameters */
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/a%00b", &allow, &fe), ROUTE_BAD_PARAM);
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/a%zz", &allow, &fe), ROUTE_BAD_PARAM);
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/a%2", &allow, &fe), ROUTE_BAD_PARAM);
	/* control characters and invalid UTF-8 in a str parameter */
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/a%0Ab", &allow, &fe), ROUTE_BAD_PARAM);
	assert_int_equal(match(f, HTTP_GET, "/api/v1/tags/%C3%28", &allow, &fe), ROUTE_BAD_PARAM);
	/* a wrong-type id on a path that only has other methods is still 405 */
	assert_int_equal(match(f, HTTP_PUT, "/api/v1/movies/nope", &allow, &fe), ROUTE_BAD_METHOD);
}

static enum app_err q(struct fixture *f, const struct param_spec *specs, const char *query,
		      struct field_error *fe)
{
	memset(fe, 0, sizeof(*fe));
	return query_parse(specs, query, &f->req, fe);
}

static void query_validation(void **state)
{
	struct fixture *f = *state;
	struct field_error fe;

	assert_int_equal(q(f, list_q, "", &fe), APP_OK);
	assert_int_equal(f->req.nquery, 0);
	assert_int_equal(q(f, list_q, "limit=50&sort=year&q=a+b%21&need=1", &fe), APP_OK);
	assert_int_equal(req_query(&f->req, "limit")->num, 50);
	assert_int_equal(req_query(&f->req, "sort")->num, 1);
	assert_string_equal(req_query(&f->req, "q")->str, "a b!");
	assert_int_equal(req_query(&f->req, "need")->num, 1);
	assert_null(req_query(&f->req, "missing"));

	assert_int_equal(q(f, list_q, "limit=0", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "limit");
	assert_int_equal(q(f, list_q, "limit=101", &fe), APP_ERR_VALIDATION);
	assert_int_equal(q(f, list_q, "limit=1e2", &fe), APP_ERR_VALIDATION);
	assert_int_equal(q(f, list_q, "limit=", &fe), APP_ERR_VALIDATION);
	assert_int_equal(q(f, list_q, "sort=rating", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "sort");
	assert_int_equal(q(f, list_q, "q=123456789", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "q");
	assert_int_equal(q(f, list_q, "need=yes", &fe), APP_ERR_VALIDATION);
	assert_int_equal(q(f, list_q, "colour=red", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "colour");
	assert_int_equal(q(f, list_q, "limit=1&limit=2", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "limit");
	assert_int_equal(q(f, list_q, "q=%", &fe), APP_ERR_BAD_REQUEST);
	/* an unknown key that is itself garbage is not echoed back */
	assert_int_equal(q(f, list_q, "%01bad=1", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "query");

	assert_int_equal(q(f, req_q, "", &fe), APP_ERR_VALIDATION);
	assert_string_equal(fe.field, "must");
	assert_int_equal(q(f, req_q, "must=x", &fe), APP_OK);
	assert_int_equal(q(f, NULL, "anything=1", &fe), APP_ERR_VALIDATION);
	assert_int_equal(q(f, NULL, "", &fe), APP_OK);
}

static void bad_patterns_rejected(void **state)
{
	static const struct route broken[] = {
		{HTTP_GET, "/a/{id:float}", "x", PERM_PUBLIC, NULL, BODY_NONE, h, "x"},
	};
	static const struct route broken2[] = {
		{HTTP_GET, "no-slash", "x", PERM_PUBLIC, NULL, BODY_NONE, h, "x"},
	};
	(void)state;
	assert_null(router_new(broken, 1));
	assert_null(router_new(broken2, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_and_typed),
		cmocka_unit_test(not_found_and_methods),
		cmocka_unit_test(bad_path_params),
		cmocka_unit_test(query_validation),
		cmocka_unit_test(bad_patterns_rejected),
	};
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	return cmocka_run_group_tests(tests, setup, teardown);
}
