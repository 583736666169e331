/*
 * Authentication end to end over the pool's socket, against the real
 * PostgreSQL and Redis: registration rules, login and lockout, disabled
 * accounts, refresh, logout, password change, cookie mode with CSRF,
 * Redis outages, password rehashing, and rate limits.
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

#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256], db_url[1024];
static pid_t server = -1;
static PGconn *pg;

#define CHEAP "[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n"
#define NO_LIMITS "[ratelimit]\nenabled = false\n"

static void restart(const char *extra)
{
	if (server > 0)
		server_stop(server, 5000);
	testenv_write_config(conf, db_url, sock, extra);
	server = server_start(conf, sock, log_path);
	assert_true(server > 0);
}

static long sql_long(const char *sql, const char *arg)
{
	const char *params[] = {arg};
	PGresult *r = PQexecParams(pg, sql, arg ? 1 : 0, NULL, params, NULL, NULL, 0);
	long v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
	PQclear(r);
	return v;
}

static void sql(const char *q, const char *arg)
{
	const char *params[] = {arg};
	PQclear(PQexecParams(pg, q, arg ? 1 : 0, NULL, params, NULL, NULL, 0));
}

static int req(const char *method, const char *uri, const char *body, const char *const *hdrs,
	       struct fcgi_response *res)
{
	assert_int_equal(fcgi_call(sock, method, uri, hdrs, body, res), 0);
	return res->status;
}

/* "key":"value" from a compact JSON body into out. */
static void field(const char *json, const char *key, char *out, size_t cap)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"%s\":\"", key);
	p = strstr(json, needle);
	if (!p)
		fail_msg("no %s in %s", key, json);
	p += strlen(needle);
	snprintf(out, cap, "%.*s", (int)strcspn(p, "\""), p);
}

static void bearer(char *hdr, size_t cap, const char *token)
{
	snprintf(hdr, cap, "HTTP_AUTHORIZATION=Bearer %s", token);
}

static void register_user(const char *name, const char *password)
{
	char body[512];
	struct fcgi_response res;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"%s\"}",
		 name, name, password);
	if (req("POST", "/api/v1/auth/register", body, NULL, &res) != 201)
		fail_msg("register %s: %d %s", name, res.status, res.body);
}

static int login(const char *name, const char *password, char token[64], char refresh[64],
		 struct fcgi_response *res)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", name, password);
	req("POST", "/api/v1/auth/login", body, NULL, res);
	if (res->status == 200) {
		if (token)
			field(res->body, "access_token", token, 64);
		if (refresh)
			field(res->body, "refresh_token", refresh, 64);
	}
	return res->status;
}

static int me(const char *token)
{
	char h[128];
	const char *hdrs[] = {h, NULL};
	struct fcgi_response res;

	bearer(h, sizeof(h), token);
	return req("GET", "/api/v1/users/me", NULL, hdrs, &res);
}

static void registration_rules_and_bad_input(void **state)
{
	struct fcgi_response res;
	long users = sql_long("SELECT count(*) FROM users", NULL);
	static const char *const bad[][2] = {
		{"{\"username\":\"ab\",\"email\":\"ab@example.com\",\"password\":\"password1\"}", "username"},
		{"{\"username\":\"_lead\",\"email\":\"l@example.com\",\"password\":\"password1\"}", "username"},
		{"{\"username\":\"x'; DROP TABLE users; --\",\"email\":\"d@example.com\",\"password\":\"password1\"}", "username"},
		{"{\"username\":\"nul\\u0000x\",\"email\":\"n@example.com\",\"password\":\"password1\"}", "body"},
		{"{\"username\":\"goodname\",\"email\":\"not-an-email\",\"password\":\"password1\"}", "email"},
		{"{\"username\":\"goodname\",\"email\":\"g@example.com\",\"password\":\"short\"}", "password"},
		{"{\"username\":\"goodname\",\"email\":\"g@example.com\",\"password\":12345678}", "password"},
		{"{\"username\":\"goodname\",\"email\":\"g@example.com\",\"password\":\"password1\",\"is_admin\":true}", "is_admin"},
		{"{\"username\":\"goodname\",\"email\":\"g@example.com\"}", "password"},
		{"{\"username\":\"goodname\",", "body"},
		{"[1,2]", "body"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req("POST", "/api/v1/auth/register", bad[i][0], NULL, &res);
		char want[64];
		snprintf(want, sizeof(want), "\"field\":\"%s\"", bad[i][1]);
		if (res.status != 400 || !strstr(res.body, want))
			fail_msg("register %s: %d %s", bad[i][0], res.status, res.body);
	}
	/* a 1025-byte password is refused; 1024 is fine */
	char *body = malloc(2200), pw[1100];
	memset(pw, 'p', 1025);
	pw[1025] = '\0';
	snprintf(body, 2200, "{\"username\":\"longpw\",\"email\":\"lp@example.com\",\"password\":\"%s\"}", pw);
	assert_int_equal(req("POST", "/api/v1/auth/register", body, NULL, &res), 400);
	assert_int_equal(sql_long("SELECT count(*) FROM users", NULL), users);
	pw[1024] = '\0';
	snprintf(body, 2200, "{\"username\":\"longpw\",\"email\":\"lp@example.com\",\"password\":\"%s\"}", pw);
	assert_int_equal(req("POST", "/api/v1/auth/register", body, NULL, &res), 201);
	free(body);

	register_user("carol", "carol-password");
	/* usernames and emails are unique case-insensitively */
	assert_int_equal(req("POST", "/api/v1/auth/register",
			     "{\"username\":\"CAROL\",\"email\":\"c2@example.com\",\"password\":\"password1\"}",
			     NULL, &res), 409);
	assert_non_null(strstr(res.body, "\"field\":\"username\""));
	assert_int_equal(req("POST", "/api/v1/auth/register",
			     "{\"username\":\"carol2\",\"email\":\"CAROL@example.com\",\"password\":\"password1\"}",
			     NULL, &res), 409);
	assert_non_null(strstr(res.body, "\"field\":\"email\""));
	assert_int_equal(sql_long("SELECT count(*) FROM users", NULL), users + 2);
	/* a new account gets the default role and preferences, in one go */
	assert_int_equal(sql_long("SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
				  " JOIN users u ON u.id = ur.user_id WHERE u.username = $1 AND r.name = 'user'", "carol"), 1);
	assert_int_equal(sql_long("SELECT count(*) FROM user_preferences p JOIN users u ON u.id = p.user_id"
				  " WHERE u.username = $1", "carol"), 1);

	/* registration can be switched off */
	sql("UPDATE server_settings SET value = 'false' WHERE key = $1", "auth.registration_enabled");
	assert_int_equal(req("POST", "/api/v1/auth/register",
			     "{\"username\":\"latecomer\",\"email\":\"late@example.com\",\"password\":\"password1\"}",
			     NULL, &res), 403);
	sql("UPDATE server_settings SET value = 'true' WHERE key = $1", "auth.registration_enabled");
}

static void login_lockout_and_disabled(void **state)
{
	struct fcgi_response res, unknown;
	char token[64];

	(void)state;
	register_user("dave", "dave-password");
	/* unknown user and wrong password: the same answer */
	assert_int_equal(login("nobody-here", "whatever-pw", NULL, NULL, &unknown), 401);
	assert_int_equal(login("dave", "wrong-password", NULL, NULL, &res), 401);
	assert_string_equal(strstr(unknown.body, "\"detail\""), strstr(unknown.body, "\"detail\""));
	assert_non_null(strstr(res.body, "\"detail\":\"invalid username or password\""));
	assert_non_null(strstr(unknown.body, "\"detail\":\"invalid username or password\""));

	/* a success clears the count */
	assert_int_equal(login("dave", "dave-password", token, NULL, &res), 200);
	assert_int_equal(sql_long("SELECT count(*) FROM login_failures WHERE username_key = $1", "dave"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(login("dave", "wrong-password", NULL, NULL, &res), 401);
	assert_int_equal(login("dave", "wrong-password", NULL, NULL, &res), 401); /* the 5th locks */
	/* locked: even the right password is refused for the rest of the window */
	assert_int_equal(login("dave", "dave-password", NULL, NULL, &res), 423);
	assert_non_null(strstr(res.head, "Retry-After: "));
	assert_true(sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.locked'", NULL) >= 1);
	assert_true(sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.login' AND NOT success", NULL) >= 6);
	/* unknown names lock too, so a lock reveals nothing */
	for (int i = 0; i < 5; i++)
		login("ghost-account", "whatever-pw", NULL, NULL, &res);
	assert_int_equal(login("ghost-account", "whatever-pw", NULL, NULL, &res), 423);
	/* the window passing unlocks */
	sql("UPDATE login_failures SET at = at - interval '16 minutes' WHERE username_key = $1", "dave");
	assert_int_equal(login("dave", "dave-password", token, NULL, &res), 200);
	/* email works as the login name, case-insensitively */
	assert_int_equal(login("DAVE@example.com", "dave-password", NULL, NULL, &res), 200);

	/* a disabled account cannot log in, and its sessions die */
	sql("UPDATE users SET is_active = false WHERE username = $1", "dave");
	sql("UPDATE sessions SET revoked_at = now() WHERE user_id = (SELECT id FROM users WHERE username = $1)", "dave");
	assert_int_equal(login("dave", "dave-password", NULL, NULL, &res), 403);
	sql("UPDATE users SET is_active = true WHERE username = $1", "dave");
}

static void refresh_logout_and_password_change(void **state)
{
	struct fcgi_response res;
	char a1[64], r1[64], a2[64], r2[64], b1[64], body[256], h[128];
	const char *hdrs[] = {h, NULL};

	(void)state;
	register_user("erin", "erin-password");
	assert_int_equal(login("erin", "erin-password", a1, r1, &res), 200);
	assert_non_null(strstr(res.body, "\"expires_in\":86400"));
	assert_int_equal(me(a1), 200);

	/* refresh: a new pair; the old access token and refresh token are dead */
	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", r1);
	assert_int_equal(req("POST", "/api/v1/auth/refresh", body, NULL, &res), 200);
	field(res.body, "access_token", a2, sizeof(a2));
	field(res.body, "refresh_token", r2, sizeof(r2));
	assert_string_not_equal(a1, a2);
	assert_int_equal(me(a2), 200);
	assert_int_equal(me(a1), 401);
	assert_int_equal(req("POST", "/api/v1/auth/refresh", body, NULL, &res), 401);
	assert_non_null(strstr(res.body, "\"field\":\"refresh_token\""));
	assert_int_equal(req("POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"rvr_forged\"}", NULL, &res), 401);
	/* reusing the rotated r1 revoked its whole family, a2 included (issue
	 * 14: test_auth_hardening covers it); a new login carries on */
	assert_int_equal(me(a2), 401);
	assert_int_equal(login("erin", "erin-password", a2, NULL, &res), 200);

	/* change password: other sessions end, this one stays */
	assert_int_equal(login("erin", "erin-password", b1, NULL, &res), 200);
	bearer(h, sizeof(h), a2);
	assert_int_equal(req("POST", "/api/v1/auth/change-password",
			     "{\"current_password\":\"wrong-one\",\"new_password\":\"erin-new-password\"}",
			     hdrs, &res), 403);
	assert_int_equal(req("POST", "/api/v1/auth/change-password",
			     "{\"current_password\":\"erin-password\",\"new_password\":\"short\"}", hdrs, &res), 400);
	assert_non_null(strstr(res.body, "\"field\":\"new_password\""));
	assert_int_equal(me(b1), 200);
	assert_int_equal(req("POST", "/api/v1/auth/change-password",
			     "{\"current_password\":\"erin-password\",\"new_password\":\"erin-new-password\"}",
			     hdrs, &res), 204);
	assert_int_equal(me(a2), 200);
	assert_int_equal(me(b1), 401);
	assert_int_equal(login("erin", "erin-password", NULL, NULL, &res), 401);
	assert_int_equal(login("erin", "erin-new-password", NULL, NULL, &res), 200);

	/* logout ends the session at once (the Redis cache entry goes too) */
	assert_int_equal(req("POST", "/api/v1/auth/logout", NULL, hdrs, &res), 204);
	assert_int_equal(me(a2), 401);
	assert_true(sql_long("SELECT count(*) FROM audit_log WHERE action IN ('user.logout', 'user.password_change')", NULL) >= 2);
	/* tokens are stored hashed only */
	assert_int_equal(sql_long("SELECT count(*) FROM sessions WHERE encode(token_hash, 'escape') LIKE 'rvs_%'", NULL), 0);
}

static void cookie_mode_needs_csrf(void **state)
{
	struct fcgi_response res;
	char token[64], csrf[64], cookie[160], csrf_hdr[128];

	(void)state;
	register_user("frank", "frank-password");
	assert_int_equal(req("POST", "/api/v1/auth/login",
			     "{\"username\":\"frank\",\"password\":\"frank-password\",\"cookie\":true}", NULL, &res), 200);
	assert_non_null(strstr(res.head, "Set-Cookie: revenge_session=rvs_"));
	assert_non_null(strstr(res.head, "HttpOnly; SameSite=Strict; Secure"));
	field(res.body, "access_token", token, sizeof(token));
	field(res.body, "csrf_token", csrf, sizeof(csrf));
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=theme=dark; revenge_session=%s", token);
	const char *get[] = {cookie, NULL};
	assert_int_equal(req("GET", "/api/v1/users/me", NULL, get, &res), 200);
	/* a state-changing request with only the cookie is refused */
	assert_int_equal(req("POST", "/api/v1/auth/change-password",
			     "{\"current_password\":\"frank-password\",\"new_password\":\"frank-password-2\"}", get, &res), 403);
	assert_non_null(strstr(res.body, "\"field\":\"X-CSRF-Token\""));
	snprintf(csrf_hdr, sizeof(csrf_hdr), "HTTP_X_CSRF_TOKEN=%sx", csrf);
	const char *wrong[] = {cookie, csrf_hdr, NULL};
	assert_int_equal(req("POST", "/api/v1/auth/logout", NULL, wrong, &res), 403);
	snprintf(csrf_hdr, sizeof(csrf_hdr), "HTTP_X_CSRF_TOKEN=%s", csrf);
	const char *right[] = {cookie, csrf_hdr, NULL};
	assert_int_equal(req("POST", "/api/v1/auth/logout", NULL, right, &res), 204);
	assert_non_null(strstr(res.head, "Set-Cookie: revenge_session=; Path=/; Max-Age=0"));
	assert_int_equal(req("GET", "/api/v1/users/me", NULL, get, &res), 401);
}

static void works_without_redis(void **state)
{
	struct fcgi_response res;
	char token[64], cached[64];

	(void)state;
	register_user("gina", "gina-password");
	assert_int_equal(login("gina", "gina-password", cached, NULL, &res), 200);
	assert_int_equal(testenv_stack("redis-stop"), 0);
	/* login, authenticated reads and revocation all work from PostgreSQL */
	assert_int_equal(login("gina", "gina-password", token, NULL, &res), 200);
	assert_int_equal(me(token), 200);
	assert_int_equal(me(cached), 200);
	char h[128];
	const char *hdrs[] = {h, NULL};
	bearer(h, sizeof(h), cached);
	assert_int_equal(req("POST", "/api/v1/auth/logout", NULL, hdrs, &res), 204);
	assert_int_equal(me(cached), 401);
	assert_int_equal(testenv_stack("redis-start"), 0);
	sleep_ms(1200); /* the pool's Redis back-off */
	assert_int_equal(me(token), 200);
	assert_int_equal(me(cached), 401);
}

static void rehash_when_parameters_change(void **state)
{
	struct fcgi_response res;
	char before[160], after[160];
	PGresult *r;

	(void)state;
	register_user("hank", "hank-password");
	r = PQexec(pg, "SELECT password_hash FROM users WHERE username = 'hank'");
	snprintf(before, sizeof(before), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	assert_non_null(strstr(before, "$argon2id$v=19$m=1024,t=1,p=1$"));
	restart("pool_size = 1\n[auth]\nargon2_memory = 2m\nargon2_iterations = 2\n" NO_LIMITS);
	assert_int_equal(login("hank", "hank-password", NULL, NULL, &res), 200);
	r = PQexec(pg, "SELECT password_hash FROM users WHERE username = 'hank'");
	snprintf(after, sizeof(after), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	assert_non_null(strstr(after, "$argon2id$v=19$m=2048,t=2,p=1$"));
	assert_int_equal(login("hank", "hank-password", NULL, NULL, &res), 200);
	restart("pool_size = 2\n" CHEAP NO_LIMITS);
}

static void rate_limits(void **state)
{
	struct fcgi_response res;
	int limited = 0;

	(void)state;
	restart("pool_size = 2\n" CHEAP "[ratelimit]\nenabled = true\nrate = 1000\nburst = 1000\n"
		"auth_rate = 1\nauth_burst = 3\n");
	for (int i = 0; i < 6; i++)
		if (login("nobody-rl", "whatever-pw", NULL, NULL, &res) == 429)
			limited++;
	assert_true(limited >= 2);
	assert_non_null(strstr(res.head, "Retry-After: "));
	assert_non_null(strstr(res.head, "application/problem+json"));
	/* probes are never limited */
	for (int i = 0; i < 10; i++)
		assert_int_equal(req("GET", "/healthz", NULL, NULL, &res), 200);
	/* shared across children through Redis: the bucket is one for both */
	sleep_ms(3100);
	assert_int_equal(login("nobody-rl", "whatever-pw", NULL, NULL, &res), 401);

	/* with Redis down each child falls back to its own bucket, still limiting */
	assert_int_equal(testenv_stack("redis-stop"), 0);
	limited = 0;
	for (int i = 0; i < 12; i++)
		if (login("nobody-rl2", "whatever-pw", NULL, NULL, &res) == 429)
			limited++;
	assert_true(limited >= 4);
	assert_int_equal(testenv_stack("redis-start"), 0);
	restart("pool_size = 2\n" CHEAP NO_LIMITS);
}

/* revenge create-admin, as make run uses it */
static int create_admin(const char *user, const char *email, const char *password)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s --config %s create-admin --username %s --email %s --password-stdin >/dev/null 2>&1",
		 testenv_bin("revenge"), conf, user, email);
	p = popen(cmd, "w");
	assert_non_null(p);
	fputs(password, p);
	fputs("\n", p);
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_create_admin(void **state)
{
	struct fcgi_response res;
	char token[64];

	(void)state;
	assert_int_equal(create_admin("root_cli", "root@example.com", "cli-admin-password"), 0);
	assert_int_equal(sql_long("SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
				  " JOIN users u ON u.id = ur.user_id WHERE u.username = $1 AND r.name = 'admin'",
				  "root_cli"), 1);
	assert_int_equal(sql_long("SELECT count(*) FROM audit_log WHERE action = 'admin.user.create'", NULL), 1);
	assert_int_equal(login("root_cli", "cli-admin-password", token, NULL, &res), 200);
	assert_non_null(strstr(res.body, "\"roles\":[\"admin\"]"));
	/* taken names, bad emails and short passwords are refused, nothing written */
	long users = sql_long("SELECT count(*) FROM users", NULL);
	assert_int_not_equal(create_admin("ROOT_CLI", "other@example.com", "cli-admin-password"), 0);
	assert_int_not_equal(create_admin("root_cli2", "not-an-email", "cli-admin-password"), 0);
	assert_int_not_equal(create_admin("root_cli3", "r3@example.com", "short"), 0);
	assert_int_equal(sql_long("SELECT count(*) FROM users", NULL), users);
}

static int setup(void **state)
{
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	pg = testenv_connect(db_url);
	testenv_write_config(conf, db_url, sock, "pool_size = 2\n" CHEAP NO_LIMITS);
	server = server_start(conf, sock, log_path);
	return server > 0 ? 0 : -1;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registration_rules_and_bad_input),
		cmocka_unit_test(login_lockout_and_disabled),
		cmocka_unit_test(refresh_logout_and_password_change),
		cmocka_unit_test(cookie_mode_needs_csrf),
		cmocka_unit_test(works_without_redis),
		cmocka_unit_test(rehash_when_parameters_change),
		cmocka_unit_test(rate_limits),
		cmocka_unit_test(cli_create_admin),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-auth-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-auth-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_auth.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
