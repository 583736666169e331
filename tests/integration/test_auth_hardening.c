/*
 * The authentication fixes of issue 14, over the pool's socket against the
 * real PostgreSQL and Redis:
 *   - header values that are not UTF-8 (item 2): the login works and the
 *     audit rows, failed or not, are written with U+FFFD in their place;
 *   - lockout per account whichever name was typed, and per address
 *     (item 3);
 *   - authentication before path validation (item 4);
 *   - refresh-token reuse revokes the family (item 6);
 *   - closed registration, admin-made accounts and invitations (item 7).
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

#include "api.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256], db_url[1024];
static pid_t server = -1;

#define BASE "pool_size = 2\n[ratelimit]\nenabled = false\n"
#define CHEAP "[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n"
#define FFFD "\xef\xbf\xbd"

static void restart(const char *extra)
{
	if (server > 0)
		server_stop(server, 5000);
	testenv_write_config(conf, db_url, sock, extra);
	server = server_start(conf, sock, log_path);
	assert_true(server > 0);
}

static long count(const char *sql, const char *a, const char *b)
{
	return strtol(api_q(sql, a, b), NULL, 10);
}

static int login(const char *name, const char *password, const char *ua)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", name, password);
	return api_callx("POST", "/api/v1/auth/login", NULL, body, ua);
}

static int refresh(const char *token)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", token);
	return api_call("POST", "/api/v1/auth/refresh", NULL, body);
}

/* Forget every counted failure (the window has passed), so one test's
 * failures do not spend the next one's budget. */
static void forget_failures(void)
{
	api_q("UPDATE login_failures SET at = at - interval '1 day'", NULL, NULL);
}

static void set_registration(const char *value)
{
	api_q(
	    "UPDATE server_settings SET value = $1::jsonb WHERE key = 'auth.registration_enabled'",
	    value, NULL);
}

/* --- item 2 --------------------------------------------------------------- */

static void user_agent_not_utf8(void **state)
{
	struct api_user u;
	char ua[1200];

	(void)state;
	api_new_user(&u, "uma", NULL);
	/* a correct login with bytes that are not UTF-8 works, and is audited
	 * with the replacement character */
	EXPECT(login("uma", "pw-uma-long", "\xff\xfe"), 200);
	assert_int_equal(
	    count("SELECT count(*) FROM audit_log WHERE action = 'user.login' AND success"
	          " AND user_id = $1 AND user_agent = $2",
	          u.id, FFFD FFFD),
	    1);
	assert_int_equal(
	    count("SELECT count(*) FROM sessions WHERE user_id = $1 AND user_agent = $2", u.id,
	          FFFD FFFD),
	    1);
	/* a failed one writes its audit row and its count */
	EXPECT(login("uma", "wrong-password", "Mozilla\xc3(\x01\x7f\xff"), 401);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.login'"
	                       " AND NOT success AND user_id = $1 AND user_agent = $2",
	                       u.id, "Mozilla" FFFD "(" FFFD),
	                 1);
	assert_int_equal(
	    count("SELECT count(*) FROM login_failures WHERE user_id = $1", u.id, NULL), 1);
	/* an unknown name with such a header too */
	EXPECT(login("nobody-uma", "whatever-pw", "\xfe"), 401);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.login'"
	                       " AND NOT success AND user_id IS NULL AND user_agent = $1",
	                       FFFD, NULL),
	                 1);
	/* long values are cut at a character boundary, at 512 bytes */
	memset(ua, 'a', 1000);
	memcpy(ua + 510, "\xc3\xa9", 2); /* bytes 510..511: é fits exactly */
	memcpy(ua + 600, "\t\n", 2);
	ua[1000] = '\0';
	EXPECT(login("uma", "pw-uma-long", ua), 200);
	assert_int_equal(
	    count("SELECT max(octet_length(user_agent)) FROM audit_log WHERE user_id = $1", u.id,
	          NULL),
	    512);
	memcpy(ua + 510, "a\xc3\xa9", 3); /* é at 511..512: dropped whole */
	EXPECT(login("uma", "pw-uma-long", ua), 200);
	assert_string_equal(api_q("SELECT right(user_agent, 2) FROM audit_log WHERE user_id = $1"
	                          " ORDER BY id DESC LIMIT 1",
	                          u.id, NULL),
	                    "aa");
	forget_failures();
}

/* --- item 3 --------------------------------------------------------------- */

static void lockout_per_account(void **state)
{
	struct api_user u;

	(void)state;
	api_new_user(&u, "lena", NULL);
	/* five failures under the name lock the e-mail address too */
	for (int i = 0; i < 5; i++)
		EXPECT(login("lena", "wrong-password", NULL), 401);
	EXPECT(login("lena@example.com", "pw-lena-long", NULL), 423);
	assert_non_null(strstr(api_last.head, "Retry-After: "));
	EXPECT(login("LENA", "pw-lena-long", NULL), 423);
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'user.locked'"
	                       " AND user_id = $1",
	                       u.id, NULL),
	                 1);
	forget_failures();
	EXPECT(login("lena", "pw-lena-long", NULL), 200);
	/* mixed names add up to one count */
	for (int i = 0; i < 3; i++)
		EXPECT(login("lena", "wrong-password", NULL), 401);
	for (int i = 0; i < 2; i++)
		EXPECT(login("Lena@Example.com", "wrong-password", NULL), 401);
	EXPECT(login("lena", "pw-lena-long", NULL), 423);
	/* names without an account still lock, so a lock reveals nothing */
	for (int i = 0; i < 5; i++)
		EXPECT(login("ghost-lena", "whatever-pw", NULL), 401);
	EXPECT(login("ghost-lena", "whatever-pw", NULL), 423);
	forget_failures();
}

static void lockout_per_address(void **state)
{
	struct api_user u;
	char name[32];

	(void)state;
	restart(BASE CHEAP "lockout_ip_attempts = 6\n");
	api_new_user(&u, "ines", NULL);
	/* six failures spread over names that each stay below the account
	 * limit, unknown names included, spend the address's budget */
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "unknown-%d", i);
		EXPECT(login(name, "whatever-pw", NULL), 401);
	}
	for (int i = 0; i < 3; i++)
		EXPECT(login(i ? "ines" : "ines@example.com", "wrong-password", NULL), 401);
	/* now even a right password from this address is refused */
	EXPECT(login("ines", "pw-ines-long", NULL), 429);
	assert_non_null(strstr(api_last.head, "Retry-After: "));
	assert_non_null(strstr(api_last.body, "from this address"));
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'auth.address_locked'"
	                       " AND resource_id = '127.0.0.1'",
	                       NULL, NULL),
	                 1);
	/* the window passing lifts it */
	forget_failures();
	EXPECT(login("ines", "pw-ines-long", NULL), 200);
	restart(BASE CHEAP);
}

/* --- item 4 --------------------------------------------------------------- */

static void authentication_before_path_validation(void **state)
{
	struct api_user u;

	(void)state;
	api_new_user(&u, "pam", NULL);
	EXPECT(api_call("GET", "/api/v1/movies/not-a-uuid", NULL, NULL), 401);
	assert_non_null(strstr(api_last.head, "WWW-Authenticate: Bearer"));
	EXPECT(api_call("GET", "/api/v1/admin/users/not-a-uuid", NULL, NULL), 401);
	EXPECT_FIELD(api_call("GET", "/api/v1/movies/not-a-uuid", u.token, NULL), 400, "id");
	/* a caller without the route's permission learns nothing either */
	EXPECT(api_call("GET", "/api/v1/admin/users/not-a-uuid", u.token, NULL), 403);
	EXPECT(api_call("DELETE", "/api/v1/admin/invitations/nope", u.token, NULL), 403);
}

/* --- item 6 --------------------------------------------------------------- */

static void refresh_reuse_revokes_family(void **state)
{
	struct api_user u;
	char a1[64], r1[64], a2[64], r2[64], other[96];

	(void)state;
	api_new_user(&u, "rita", NULL);
	snprintf(other, sizeof(other), "%s", u.token); /* another family */
	EXPECT(login("rita", "pw-rita-long", NULL), 200);
	snprintf(a1, sizeof(a1), "%s", api_str(api_last_json, "access_token"));
	snprintf(r1, sizeof(r1), "%s", api_str(api_last_json, "refresh_token"));
	EXPECT(refresh(r1), 200);
	snprintf(a2, sizeof(a2), "%s", api_str(api_last_json, "access_token"));
	snprintf(r2, sizeof(r2), "%s", api_str(api_last_json, "refresh_token"));
	EXPECT(api_call("GET", "/api/v1/users/me", a2, NULL), 200); /* cached now */
	/* the rotated token comes back: 401, and B dies with it */
	EXPECT_FIELD(refresh(r1), 401, "refresh_token");
	assert_non_null(strstr(api_last.body, "already used"));
	EXPECT(api_call("GET", "/api/v1/users/me", a2, NULL), 401);
	EXPECT(refresh(r2), 401);
	EXPECT(api_call("GET", "/api/v1/users/me", a1, NULL), 401);
	assert_int_equal(
	    count("SELECT count(*) FROM audit_log WHERE action = 'session.refresh_reuse'"
	          " AND user_id = $1 AND NOT success",
	          u.id, NULL),
	    1);
	/* the user's other sessions are not of this family */
	EXPECT(api_call("GET", "/api/v1/users/me", other, NULL), 200);

	/* detected even after maintenance deleted the rotated session row */
	EXPECT(login("rita", "pw-rita-long", NULL), 200);
	snprintf(r1, sizeof(r1), "%s", api_str(api_last_json, "refresh_token"));
	EXPECT(refresh(r1), 200);
	snprintf(a2, sizeof(a2), "%s", api_str(api_last_json, "access_token"));
	api_q("DELETE FROM sessions WHERE revoked_reason = 'refreshed' AND user_id = $1", u.id,
	      NULL);
	EXPECT(refresh(r1), 401);
	EXPECT(api_call("GET", "/api/v1/users/me", a2, NULL), 401);
	/* rotated tokens are kept hashed only */
	assert_int_equal(count("SELECT count(*) FROM session_rotations"
	                       " WHERE encode(refresh_hash, 'escape') LIKE 'rvr_%'",
	                       NULL, NULL),
	                 0);
}

/* --- item 7 --------------------------------------------------------------- */

static void registration_closed_by_default(void **state)
{
	char mconf[300], cmd[1024];
	char fresh[1024];

	(void)state;
	/* a database migrated from nothing has registration off */
	snprintf(fresh, sizeof(fresh), "%s", testenv_new_database("template0"));
	snprintf(mconf, sizeof(mconf), "%s.fresh", conf);
	testenv_write_config(mconf, fresh, sock, BASE);
	snprintf(cmd, sizeof(cmd), "%s --config %s migrate >/dev/null 2>&1", testenv_bin("revenge"),
	         mconf);
	assert_int_equal(system(cmd), 0);
	unlink(mconf);
	PGconn *c = testenv_connect(fresh);
	PGresult *r = PQexec(c, "SELECT value::text FROM server_settings"
	                        " WHERE key = 'auth.registration_enabled'");
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), "false");
	PQclear(r);
	PQfinish(c);

	/* off: 403 problem+json; unset: the declared default, off too */
	set_registration("false");
	EXPECT(
	    api_call(
	        "POST", "/api/v1/auth/register", NULL,
	        "{\"username\":\"walker\",\"email\":\"w@example.com\",\"password\":\"password1\"}"),
	    403);
	assert_non_null(strstr(api_last.head, "application/problem+json"));
	api_q("DELETE FROM server_settings WHERE key = 'auth.registration_enabled'", NULL, NULL);
	EXPECT(
	    api_call(
	        "POST", "/api/v1/auth/register", NULL,
	        "{\"username\":\"walker\",\"email\":\"w@example.com\",\"password\":\"password1\"}"),
	    403);
	EXPECT(api_call("GET", "/api/v1/settings/public", NULL, NULL), 200);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "auth.registration_enabled")));
	assert_int_equal(count("SELECT count(*) FROM users WHERE username = 'walker'", NULL, NULL),
	                 0);
	api_q(
	    "INSERT INTO server_settings (key, value) VALUES ('auth.registration_enabled', 'true')",
	    NULL, NULL);
}

static void admin_creates_users(void **state)
{
	struct api_user admin, plain;

	(void)state;
	api_new_user(&admin, "alma", "admin");
	api_new_user(&plain, "petra", NULL);
	set_registration("false");
	EXPECT(
	    api_call(
	        "POST", "/api/v1/admin/users", plain.token,
	        "{\"username\":\"made1\",\"email\":\"m1@example.com\",\"password\":\"password1\"}"),
	    403);
	EXPECT(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"made1\",\"email\":\"m1@example.com\",\"password\":\"password1\","
	        "\"display_name\":\"Made One\",\"role\":\"moderator\"}"),
	    201);
	const char *id = api_str(api_last_json, "id");
	assert_non_null(id);
	assert_non_null(strstr(api_last.body, "\"roles\":[\"moderator\"]"));
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action = 'admin.user.create'"
	                       " AND resource_id = $1 AND user_id = $2",
	                       id, admin.id),
	                 1);
	assert_int_equal(
	    count("SELECT count(*) FROM user_preferences WHERE user_id = $1", id, NULL), 1);
	EXPECT(login("made1", "password1", NULL), 200);
	/* taken names and addresses, in any case: 409 naming the field */
	EXPECT_FIELD(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"MADE1\",\"email\":\"m2@example.com\",\"password\":\"password1\"}"),
	    409, "username");
	EXPECT_FIELD(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"made2\",\"email\":\"M1@example.com\",\"password\":\"password1\"}"),
	    409, "email");
	/* the body spec and the role rules */
	EXPECT_FIELD(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"made2\",\"email\":\"m2@example.com\",\"password\":\"short\"}"),
	    400, "password");
	EXPECT_FIELD(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"made2\",\"email\":\"m2@example.com\",\"password\":\"password1\","
	        "\"role\":\"no-such-role\"}"),
	    400, "role");
	EXPECT_FIELD(
	    api_call(
	        "POST", "/api/v1/admin/users", admin.token,
	        "{\"username\":\"made2\",\"email\":\"m2@example.com\",\"password\":\"password1\","
	        "\"is_admin\":true}"),
	    400, "is_admin");
	assert_int_equal(count("SELECT count(*) FROM users WHERE username = 'made2'", NULL, NULL),
	                 0);
	set_registration("true");
}

static void invitations(void **state)
{
	struct api_user admin, plain;
	char token[64], id[40], body[512];

	(void)state;
	api_new_user(&admin, "ivo", "admin");
	api_new_user(&plain, "olga", NULL);
	set_registration("false");
	EXPECT(api_call("POST", "/api/v1/admin/invitations", plain.token, "{}"), 403);
	EXPECT(api_call("GET", "/api/v1/admin/invitations", NULL, NULL), 401);
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/admin/invitations", admin.token, "{\"expires_in_hours\":0}"),
	    400, "expires_in_hours");
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/invitations", admin.token,
	                      "{\"role\":\"no-such-role\"}"),
	             400, "role");

	EXPECT(api_call("POST", "/api/v1/admin/invitations", admin.token,
	                "{\"role\":\"moderator\",\"expires_in_hours\":2}"),
	       201);
	snprintf(token, sizeof(token), "%s", api_str(api_last_json, "token"));
	snprintf(id, sizeof(id), "%s", api_str(api_last_json, "id"));
	assert_int_equal(strncmp(token, "rvi_", 4), 0);
	assert_string_equal(api_str(api_last_json, "state"), "pending");
	assert_string_equal(api_str(api_last_json, "role"), "moderator");
	/* stored hashed only */
	assert_int_equal(count("SELECT count(*) FROM invitations WHERE encode(token_hash, 'escape')"
	                       " LIKE 'rvi_%'",
	                       NULL, NULL),
	                 0);

	/* registration is off, yet the invitation registers, with its role */
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited1\",\"email\":\"i1@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT(api_call("POST", "/api/v1/auth/register", NULL, body), 201);
	assert_non_null(strstr(api_last.body, "\"roles\":[\"moderator\"]"));
	assert_int_equal(
	    count("SELECT count(*) FROM invitations WHERE id = $1 AND used_at IS NOT NULL"
	          " AND used_by = (SELECT id FROM users WHERE username = 'invited1')",
	          id, NULL),
	    1);
	/* single use */
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited2\",\"email\":\"i2@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/register", NULL, body), 403, "invitation");
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/register", NULL,
	                      "{\"username\":\"invited2\",\"email\":\"i2@example.com\","
	                      "\"password\":\"password1\","
	                      "\"invitation\":\"rvi_forged\"}"),
	             403, "invitation");

	/* expired */
	EXPECT(api_call("POST", "/api/v1/admin/invitations", admin.token, "{}"), 201);
	snprintf(token, sizeof(token), "%s", api_str(api_last_json, "token"));
	assert_string_equal(api_str(api_last_json, "role"), "user");
	api_q("UPDATE invitations SET expires_at = now() - interval '1 second'"
	      " WHERE id = $1::uuid",
	      api_str(api_last_json, "id"), NULL);
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited2\",\"email\":\"i2@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/register", NULL, body), 403, "invitation");

	/* bound to an address */
	EXPECT(api_call("POST", "/api/v1/admin/invitations", admin.token,
	                "{\"email\":\"Only@Example.com\"}"),
	       201);
	snprintf(token, sizeof(token), "%s", api_str(api_last_json, "token"));
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited3\",\"email\":\"other@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/register", NULL, body), 403, "email");
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited3\",\"email\":\"only@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT(api_call("POST", "/api/v1/auth/register", NULL, body), 201);

	/* revoked */
	EXPECT(api_call("POST", "/api/v1/admin/invitations", admin.token, "{}"), 201);
	snprintf(token, sizeof(token), "%s", api_str(api_last_json, "token"));
	snprintf(id, sizeof(id), "%s", api_str(api_last_json, "id"));
	char uri[128];
	snprintf(uri, sizeof(uri), "/api/v1/admin/invitations/%s", id);
	EXPECT(api_call("DELETE", uri, plain.token, NULL), 403);
	EXPECT(api_call("DELETE", uri, admin.token, NULL), 204);
	EXPECT(api_call("DELETE", uri, admin.token, NULL), 404);
	snprintf(
	    body, sizeof(body),
	    "{\"username\":\"invited4\",\"email\":\"i4@example.com\",\"password\":\"password1\","
	    "\"invitation\":\"%s\"}",
	    token);
	EXPECT_FIELD(api_call("POST", "/api/v1/auth/register", NULL, body), 403, "invitation");
	assert_int_equal(
	    count("SELECT count(*) FROM users WHERE username IN ('invited2', 'invited4')", NULL,
	          NULL),
	    0);

	/* the list shows every state, never a token */
	EXPECT(api_call("GET", "/api/v1/admin/invitations?limit=100", admin.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 4);
	assert_null(strstr(api_last.body, "rvi_"));
	assert_non_null(strstr(api_last.body, "\"state\":\"used\""));
	assert_non_null(strstr(api_last.body, "\"state\":\"expired\""));
	assert_non_null(strstr(api_last.body, "\"state\":\"revoked\""));
	assert_int_equal(count("SELECT count(*) FROM audit_log WHERE action IN"
	                       " ('admin.invitation.create', 'admin.invitation.revoke')",
	                       NULL, NULL),
	                 5);
	set_registration("true");
}

static int setup(void **state)
{
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	api_pg = testenv_connect(db_url);
	api_sock = sock;
	testenv_write_config(conf, db_url, sock, BASE CHEAP);
	server = server_start(conf, sock, log_path);
	return server > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	PQfinish(api_pg);
	unlink(conf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(user_agent_not_utf8),
	    cmocka_unit_test(lockout_per_account),
	    cmocka_unit_test(lockout_per_address),
	    cmocka_unit_test(authentication_before_path_validation),
	    cmocka_unit_test(refresh_reuse_revokes_family),
	    cmocka_unit_test(registration_closed_by_default),
	    cmocka_unit_test(admin_creates_users),
	    cmocka_unit_test(invitations),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-authh-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-authh-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_auth_hardening.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
