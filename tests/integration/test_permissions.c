/*
 * Walks the whole router table against the real pool: every non-public
 * route answers 401 without credentials, and for each built-in role the
 * dispatcher's 403 appears exactly where that role lacks the route's
 * permission (read from the database, as the server does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "app.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256], db_url[1024];
static pid_t server = -1;
static PGconn *pg;

static const char *const roles[] = {"admin", "moderator", "user", "guest"};

/* A concrete path for a pattern: typed parameters get well-formed values. */
static void concrete(const char *pattern, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 40 < cap;) {
		if (*p == '{') {
			const char *colon = strchr(p, ':');
			const char *end = strchr(p, '}');
			const char *v = !strncmp(colon + 1, "uuid", 4)  ? "7b0c2f52-3a4d-4e6f-8a9b-0c1d2e3f4a5b"
					: !strncmp(colon + 1, "int", 3) ? "1"
									: "probe";
			o += (size_t)snprintf(out + o, cap - o, "%s", v);
			p = end + 1;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
}

static int call(const struct route *rt, const char *auth_header, struct fcgi_response *res)
{
	char path[512], hdr[256];
	const char *params[2] = {NULL, NULL};

	concrete(rt->pattern, path, sizeof(path));
	if (auth_header) {
		snprintf(hdr, sizeof(hdr), "HTTP_AUTHORIZATION=Bearer %s", auth_header);
		params[0] = hdr;
	}
	return fcgi_call(sock, http_method_name(rt->method), path, params,
			 rt->body == BODY_JSON ? "{}" : NULL, res);
}

static void login(const char *user, char token[64])
{
	char body[256];
	struct fcgi_response res;
	const char *p;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"walk-password-1\"}", user);
	assert_int_equal(fcgi_call(sock, "POST", "/api/v1/auth/login", NULL, body, &res), 0);
	if (res.status != 200)
		fail_msg("login of %s: %d %s", user, res.status, res.body);
	p = strstr(res.body, "\"access_token\":\"");
	assert_non_null(p);
	snprintf(token, 64, "%.47s", p + 16);
}

static int role_has(const char *role, const char *perm)
{
	const char *params[] = {role, perm};
	PGresult *r = PQexecParams(pg,
				   "SELECT 1 FROM roles ro JOIN role_permissions rp ON rp.role_id = ro.id"
				   " WHERE ro.name = $1 AND (rp.permission = $2 OR rp.permission = 'admin:*')",
				   2, NULL, params, NULL, NULL, 0);
	int has = PQntuples(r) > 0;
	PQclear(r);
	return has;
}

static int setup(void **state)
{
	char extra[] = "pool_size = 2\n" TESTENV_FAST_AUTH;
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	testenv_write_config(conf, db_url, sock, extra);
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	pg = testenv_connect(db_url);
	for (int i = 0; i < 4; i++) {
		char body[256], name[32];
		struct fcgi_response res;
		snprintf(name, sizeof(name), "walk_%s", roles[i]);
		snprintf(body, sizeof(body),
			 "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"walk-password-1\"}",
			 name, name);
		if (fcgi_call(sock, "POST", "/api/v1/auth/register", NULL, body, &res) || res.status != 201)
			return -1;
		const char *params[] = {name, roles[i]};
		PQclear(PQexecParams(pg, "DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE username = $1)",
				     1, NULL, params, NULL, NULL, 0));
		PGresult *r = PQexecParams(pg,
					   "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r"
					   " WHERE u.username = $1 AND r.name = $2",
					   2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdTuples(r), "1"))
			return -1;
		PQclear(r);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	PQfinish(pg);
	unlink(conf);
	return 0;
}

static void unauthenticated_gets_401(void **state)
{
	struct fcgi_response res;
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < app_routes_count; i++) {
		const struct route *rt = &app_routes[i];
		if (!strcmp(rt->permission, PERM_PUBLIC))
			continue;
		assert_int_equal(call(rt, NULL, &res), 0);
		if (res.status != 401)
			fail_msg("%s %s without credentials: %d, want 401", http_method_name(rt->method),
				 rt->pattern, res.status);
		assert_non_null(strstr(res.head, "WWW-Authenticate: Bearer"));
		assert_non_null(strstr(res.head, "application/problem+json"));
		checked++;
		/* a garbage token is no better than none */
		assert_int_equal(call(rt, "rvs_not-a-real-token-at-all-000000000000000000000", &res), 0);
		if (res.status != 401)
			fail_msg("%s %s with a garbage token: %d", http_method_name(rt->method),
				 rt->pattern, res.status);
	}
	assert_true(checked >= 3);
}

static void each_role_forbidden_exactly_where_it_lacks_permission(void **state)
{
	struct fcgi_response res;

	(void)state;
	for (int k = 0; k < 4; k++) {
		char user[32], token[64];
		int denied = 0, allowed = 0;
		snprintf(user, sizeof(user), "walk_%s", roles[k]);
		for (size_t i = 0; i < app_routes_count; i++) {
			const struct route *rt = &app_routes[i];
			if (!strcmp(rt->permission, PERM_PUBLIC))
				continue;
			/* a fresh session per route: some routes end sessions */
			login(user, token);
			assert_int_equal(call(rt, token, &res), 0);
			int forbidden = res.status == 403 && strstr(res.body, "needs the permission");
			int should = !role_has(roles[k], rt->permission);
			if (forbidden != should)
				fail_msg("role %s on %s %s (%s): status %d %s", roles[k],
					 http_method_name(rt->method), rt->pattern, rt->permission,
					 res.status, res.body);
			if (res.status == 401)
				fail_msg("role %s on %s %s: 401 with a valid session", roles[k],
					 http_method_name(rt->method), rt->pattern);
			denied += should;
			allowed += !should;
		}
		/* the admin is never denied, the guest is denied something, and
		 * every role may do something */
		if (k == 0)
			assert_int_equal(denied, 0);
		if (k == 3)
			assert_true(denied > 0);
		assert_true(allowed > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unauthenticated_gets_401),
		cmocka_unit_test(each_role_forbidden_exactly_where_it_lacks_permission),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-perm-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-perm-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_permissions.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
