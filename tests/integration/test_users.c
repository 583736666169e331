/*
 * Accounts, preferences, admin user management, sessions and API keys end
 * to end over the pool's socket, against the real PostgreSQL and Redis.
 *
 * Every happy path checks the exact members of the answer; every bad input
 * checks the 4xx, the field it names, and that the database did not change
 * (the row or the row count before and after).
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
#include <cjson/cJSON.h>

#include "core/crypto.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

#define PASSWORD "users-password-1"
#define SQLI "'; DROP TABLE users; --"
#define NO_SUCH_ID "7b0c2f52-3a4d-4e6f-8a9b-0c1d2e3f4a5b"

static char conf[256], sock[256], log_path[256], db_url[1024];
static pid_t server = -1;
static PGconn *pg;

/* The last answer, and its body parsed when it is JSON. */
static struct fcgi_response res;
static cJSON *body;

struct user {
	char name[32];
	char id[37];
	char token[64];   /* access token of the last login */
	char session[37]; /* its session id */
};

/* --- database ------------------------------------------------------------ */

/* First column of the first row as a malloc'd string ("<none>" when no row). */
static char *sql_text(const char *q, const char *a1, const char *a2)
{
	const char *params[] = {a1, a2};
	int n = a2 ? 2 : a1 ? 1 : 0;
	PGresult *r = PQexecParams(pg, q, n, NULL, params, NULL, NULL, 0);
	char *out;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQresultErrorMessage(r));
	out = strdup(PQntuples(r) == 0      ? "<none>"
	             : PQgetisnull(r, 0, 0) ? "<null>"
	                                    : PQgetvalue(r, 0, 0));
	PQclear(r);
	return out;
}

static long sql_long(const char *q, const char *a1, const char *a2)
{
	char *s = sql_text(q, a1, a2);
	long v = strtol(s, NULL, 10);

	free(s);
	return v;
}

static void sql_exec(const char *q, const char *a1, const char *a2)
{
	const char *params[] = {a1, a2};
	PGresult *r = PQexecParams(pg, q, a2 ? 2 : a1 ? 1 : 0, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQresultErrorMessage(r));
	PQclear(r);
}

/* The whole account row, to prove a refused request changed nothing. */
static char *user_row(const struct user *u)
{
	return sql_text("SELECT row(u.*)::text FROM users u WHERE id = $1", u->id, NULL);
}

static char *prefs_row(const struct user *u)
{
	return sql_text("SELECT row(p.*)::text FROM user_preferences p WHERE user_id = $1", u->id,
	                NULL);
}

/* --- HTTP ---------------------------------------------------------------- */

/* Call the pool; cred is an access token, an API key (rv_…) or NULL. */
static int call(const char *method, const char *uri, const char *cred, const char *json)
{
	char hdr[256];
	const char *params[] = {NULL, NULL};

	if (cred) {
		if (!strncmp(cred, "rv_", 3))
			snprintf(hdr, sizeof(hdr), "HTTP_X_API_KEY=%s", cred);
		else
			snprintf(hdr, sizeof(hdr), "HTTP_AUTHORIZATION=Bearer %s", cred);
		params[0] = hdr;
	}
	cJSON_Delete(body);
	body = NULL;
	memset(&res, 0, sizeof(res));
	assert_int_equal(fcgi_call(sock, method, uri, params, json, &res), 0);
	if (res.body_len)
		body = cJSON_Parse(res.body);
	return res.status;
}

#define expect(status, ...)                                                                        \
	do {                                                                                       \
		int got_ = call(__VA_ARGS__);                                                      \
		if (got_ != (status))                                                              \
			fail_msg("line %d: %d, want %d: %s", __LINE__, got_, (status), res.body);  \
	} while (0)

/* A problem+json answer with this status naming this field. */
#define expect_problem(status, field_, ...)                                                        \
	do {                                                                                       \
		expect(status, __VA_ARGS__);                                                       \
		assert_non_null(strstr(res.head, "application/problem+json"));                     \
		const cJSON *f_ = cJSON_GetObjectItemCaseSensitive(body, "field");                 \
		if ((field_)[0] && (!cJSON_IsString(f_) || strcmp(f_->valuestring, (field_))))     \
			fail_msg("line %d: want field %s: %s", __LINE__, (field_), res.body);      \
	} while (0)

static const cJSON *get(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		fail_msg("no member %s in %s", key, res.body);
	return it;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *it = get(o, key);

	if (!cJSON_IsString(it))
		fail_msg("%s is not a string in %s", key, res.body);
	return it->valuestring;
}

static bool is_null(const cJSON *o, const char *key)
{
	return cJSON_IsNull(get(o, key));
}

static bool boolean(const cJSON *o, const char *key)
{
	const cJSON *it = get(o, key);

	if (!cJSON_IsBool(it))
		fail_msg("%s is not a boolean in %s", key, res.body);
	return cJSON_IsTrue(it);
}

/* o has exactly these members (NULL-terminated), in any order. */
static void exact_keys(const cJSON *o, const char *const *keys)
{
	int n = 0, want = 0;

	for (const cJSON *it = o ? o->child : NULL; it; it = it->next) {
		int k = 0;
		while (keys[k] && strcmp(keys[k], it->string))
			k++;
		if (!keys[k])
			fail_msg("unexpected member %s in %s", it->string, res.body);
		n++;
	}
	while (keys[want])
		want++;
	if (n != want)
		fail_msg("%d members, want %d: %s", n, want, res.body);
}

static bool is_timestamp(const char *s)
{
	/* 2026-01-02T03:04:05.678Z */
	return s && strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s[23] == 'Z';
}

static void register_user(struct user *u, const char *name)
{
	char json[256];

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(json, sizeof(json),
	         "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"" PASSWORD "\"}",
	         name, name);
	expect(201, "POST", "/api/v1/auth/register", NULL, json);
	snprintf(u->id, sizeof(u->id), "%s", str(body, "id"));
}

static int login_as(struct user *u, const char *device)
{
	char json[256];

	snprintf(json, sizeof(json),
	         "{\"username\":\"%s\",\"password\":\"" PASSWORD "\",\"device_name\":\"%s\"}",
	         u->name, device ? device : "test");
	if (call("POST", "/api/v1/auth/login", NULL, json) != 200)
		return res.status;
	snprintf(u->token, sizeof(u->token), "%s", str(body, "access_token"));
	snprintf(u->session, sizeof(u->session), "%s", str(body, "session_id"));
	return 200;
}

static void login(struct user *u)
{
	if (login_as(u, NULL) != 200)
		fail_msg("login of %s: %d %s", u->name, res.status, res.body);
}

static void make_admin(const struct user *u)
{
	sql_exec("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = "
	         "'admin'",
	         u->id, NULL);
}

/* A new API key of u with these scopes (JSON array text); returns its id. */
static void new_key(const struct user *u, const char *scopes, char key[80], char id[37])
{
	char json[256];

	snprintf(json, sizeof(json), "{\"name\":\"k\",\"scopes\":%s}", scopes);
	expect(201, "POST", "/api/v1/apikeys", u->token, json);
	snprintf(key, 80, "%s", str(body, "key"));
	snprintf(id, 37, "%s", str(body, "id"));
}

static long audit_count(const char *action, const char *resource_id)
{
	return sql_long("SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2",
	                action, resource_id);
}

/* --- fixtures ------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	testenv_write_config(conf, db_url, sock,
	                     "pool_size = 2\n" TESTENV_FAST_AUTH);
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	pg = testenv_connect(db_url);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	cJSON_Delete(body);
	PQfinish(pg);
	unlink(conf);
	return 0;
}

static const char *const full_user_keys[] = {
    "id",        "username",       "display_name",  "avatar_url", "email", "locale",     "timezone",
    "is_active", "email_verified", "last_login_at", "updated_at", "roles", "created_at", NULL};

/* --- GET /users/me: the effective permissions ---------------------------- */

static bool perms_have(const char *name)
{
	const cJSON *p, *arr = get(body, "permissions");

	assert_true(cJSON_IsArray(arr));
	cJSON_ArrayForEach(p, arr)
	{
		if (cJSON_IsString(p) && !strcmp(p->valuestring, name))
			return true;
	}
	return false;
}

static void me_permissions(void **state)
{
	struct user a, b;

	(void)state;
	register_user(&a, "perm_user");
	register_user(&b, "perm_admin");
	make_admin(&b);
	login(&a);
	login(&b);
	/* twice: the second account comes from the cached session entry, the
	 * permissions from the principal either way */
	for (int i = 0; i < 2; i++) {
		expect(200, "GET", "/api/v1/users/me", a.token, NULL);
		assert_string_equal(str(body, "username"), "perm_user");
		assert_true(perms_have("movies:list"));
		assert_true(perms_have("playback:stream"));
		assert_false(perms_have("users:list"));
		assert_false(perms_have("admin:*"));
	}
	expect(200, "GET", "/api/v1/users/me", b.token, NULL);
	assert_true(perms_have("admin:*"));
	/* a role granted later shows at once: the cached entries were dropped */
	char uri[160];
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", a.id);
	expect(201, "POST", uri, b.token, "{\"role\":\"moderator\"}");
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	assert_true(perms_have("users:list"));
	assert_true(perms_have("libraries:create"));
	/* the other tests count this database's admins */
	sql_exec("DELETE FROM user_roles WHERE user_id = $1 AND role_id = (SELECT id FROM roles"
	         " WHERE name = 'admin')",
	         b.id, NULL);
}

/* --- PUT /users/me ------------------------------------------------------- */

static void update_me(void **state)
{
	struct user a, b;
	char *before, *after;

	(void)state;
	register_user(&a, "upd_alice");
	register_user(&b, "upd_bob");
	login(&a);
	/* twice: the second answer comes from the cached session entry */
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	assert_true(is_null(body, "display_name"));

	expect(200, "PUT", "/api/v1/users/me", a.token,
	       "{\"display_name\":\"Alice Ä\",\"email\":\"alice.new@example.com\","
	       "\"locale\":\"pt-BR\",\"timezone\":\"America/Sao_Paulo\"}");
	exact_keys(body, full_user_keys);
	assert_string_equal(str(body, "id"), a.id);
	assert_string_equal(str(body, "username"), "upd_alice");
	assert_string_equal(str(body, "display_name"), "Alice Ä");
	assert_string_equal(str(body, "email"), "alice.new@example.com");
	assert_string_equal(str(body, "locale"), "pt-BR");
	assert_string_equal(str(body, "timezone"), "America/Sao_Paulo");
	assert_true(boolean(body, "is_active"));
	assert_false(boolean(body, "email_verified"));
	assert_true(is_null(body, "avatar_url"));
	assert_true(is_timestamp(str(body, "last_login_at")));
	assert_true(is_timestamp(str(body, "created_at")));
	assert_true(is_timestamp(str(body, "updated_at")));
	assert_int_equal(cJSON_GetArraySize(get(body, "roles")), 1);
	assert_string_equal(cJSON_GetArrayItem(get(body, "roles"), 0)->valuestring, "user");
	/* the cached account was dropped with the change */
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	assert_string_equal(str(body, "display_name"), "Alice Ä");
	assert_string_equal(str(body, "email"), "alice.new@example.com");
	/* stored, and audited with the changed fields only, never a hash */
	assert_int_equal(
	    sql_long("SELECT count(*) FROM users WHERE id = $1 AND email = 'alice.new@example.com'"
	             " AND locale = 'pt-BR' AND display_name = 'Alice Ä'",
	             a.id, NULL),
	    1);
	char *old = sql_text("SELECT old_values::text FROM audit_log WHERE action = 'user.update'"
	                     " AND resource_id = $1",
	                     a.id, NULL);
	char *new = sql_text("SELECT new_values::text FROM audit_log WHERE action = 'user.update'"
	                     " AND resource_id = $1",
	                     a.id, NULL);
	assert_non_null(strstr(old, "\"email\": \"upd_alice@example.com\""));
	assert_non_null(strstr(old, "\"display_name\": null"));
	assert_non_null(strstr(new, "\"email\": \"alice.new@example.com\""));
	assert_non_null(strstr(new, "\"timezone\": \"America/Sao_Paulo\""));
	assert_null(strstr(new, "password"));
	assert_null(strstr(old, "password"));
	free(old);
	free(new);
	assert_int_equal(sql_long("SELECT count(*) FROM audit_log WHERE action = 'user.update'"
	                          " AND resource_id = $1 AND user_id::text = $1",
	                          a.id, NULL),
	                 1);

	/* only the given fields change; null clears the display name */
	expect(200, "PUT", "/api/v1/users/me", a.token, "{\"display_name\":null}");
	assert_true(is_null(body, "display_name"));
	assert_string_equal(str(body, "locale"), "pt-BR");
	new = sql_text("SELECT new_values::text FROM audit_log WHERE action = 'user.update'"
	               " AND resource_id = $1 ORDER BY id DESC LIMIT 1",
	               a.id, NULL);
	assert_string_equal(new, "{\"display_name\": null}");
	free(new);
	/* nothing to change: no audit row */
	expect(200, "PUT", "/api/v1/users/me", a.token, "{\"locale\":\"pt-BR\"}");
	assert_int_equal(audit_count("user.update", a.id), 2);
	/* SQL metacharacters are data */
	expect(200, "PUT", "/api/v1/users/me", a.token, "{\"display_name\":\"" SQLI "\"}");
	assert_string_equal(str(body, "display_name"), SQLI);
	assert_int_equal(sql_long("SELECT count(*) FROM users WHERE display_name = $1", SQLI, NULL),
	                 1);

	/* the email of another account, in any letter case: 409 naming email */
	before = user_row(&a);
	expect_problem(409, "email", "PUT", "/api/v1/users/me", a.token,
	               "{\"email\":\"UPD_BOB@example.com\",\"locale\":\"de\"}");
	after = user_row(&a);
	assert_string_equal(before, after);
	free(after);

	static const struct {
		const char *json, *field;
		int status;
	} bad[] = {
	    {"{", "body", 400},
	    {"[]", "body", 400},
	    {"\"x\"", "body", 400},
	    {"{\"display_name\":5}", "display_name", 400},
	    {"{\"display_name\":\"\"}", "display_name", 400},
	    {"{\"display_name\":\"bad\\u0007bell\"}", "display_name", 400},
	    {"{\"display_name\":\"a\\u0000b\"}", "body", 400},
	    {"{\"email\":\"not-an-email\"}", "email", 400},
	    {"{\"email\":\"" SQLI "@x.org\"}", "email", 400},
	    {"{\"email\":null}", "email", 400},
	    {"{\"email\":true}", "email", 400},
	    {"{\"locale\":\"e\"}", "locale", 400},
	    {"{\"locale\":\"en_US\"}", "locale", 400},
	    {"{\"locale\":\"en-\"}", "locale", 400},
	    {"{\"locale\":\"" SQLI "\"}", "locale", 400},
	    {"{\"locale\":\"abcdefgh-abcdefgh-abcdefgh-abcdefgh-a\"}", "locale", 400},
	    {"{\"locale\":\"en-abcdefghi\"}", "locale", 400},
	    {"{\"locale\":\"1en\"}", "locale", 400},
	    {"{\"timezone\":\"\"}", "timezone", 400},
	    {"{\"timezone\":\"Europe/Berlin; DROP\"}", "timezone", 400},
	    {"{\"timezone\":\"/etc/passwd\"}", "timezone", 400},
	    {"{\"timezone\":\"a\\u0000\"}", "body", 400},
	    {"{\"timezone\":[\"UTC\"]}", "timezone", 400},
	    {"{\"is_active\":false}", "is_active", 400},
	    {"{\"username\":\"other\"}", "username", 400},
	    {"{\"password_hash\":\"x\"}", "password_hash", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_problem(bad[i].status, bad[i].field, "PUT", "/api/v1/users/me", a.token,
		               bad[i].json);
		after = user_row(&a);
		if (strcmp(before, after))
			fail_msg("%s changed the row: %s -> %s", bad[i].json, before, after);
		free(after);
	}
	/* over-long display name (101 characters) and time zone (65 bytes) */
	char json[512];
	snprintf(json, sizeof(json), "{\"display_name\":\"%0101d\"}", 0);
	expect_problem(400, "display_name", "PUT", "/api/v1/users/me", a.token, json);
	snprintf(json, sizeof(json), "{\"display_name\":\"%0100d\"}", 0);
	expect(200, "PUT", "/api/v1/users/me", a.token, json);
	snprintf(json, sizeof(json), "{\"timezone\":\"A%064d\"}", 0);
	expect_problem(400, "timezone", "PUT", "/api/v1/users/me", a.token, json);
	/* the widest accepted shapes */
	expect(200, "PUT", "/api/v1/users/me", a.token,
	       "{\"locale\":\"abcdefgh-abcdefgh-abcdefgh-abcdefgh\",\"timezone\":\"Etc/GMT+5\"}");
	expect(200, "PUT", "/api/v1/users/me", a.token,
	       "{\"locale\":\"zh-Hant-TW\",\"timezone\":\"America/Argentina/Buenos_Aires\"}");
	assert_string_equal(str(body, "locale"), "zh-Hant-TW");
	free(before);
	before = user_row(&a);
	/* no body at all */
	expect_problem(400, "body", "PUT", "/api/v1/users/me", a.token, NULL);
	after = user_row(&a);
	assert_string_equal(before, after);
	free(after);
	free(before);
	/* the users table is still there, with both accounts */
	assert_int_equal(
	    sql_long("SELECT count(*) FROM users WHERE username LIKE 'upd_%'", NULL, NULL), 2);
}

/* --- preferences ----------------------------------------------------------- */

static void preferences(void **state)
{
	static const char *const keys[] = {
	    "theme",          "display_language", "metadata_language", "content_languages",
	    "show_adult",     "show_spoilers",    "autoplay",          "max_age_rating",
	    "rating_country", "allow_unrated",    "parental_locked",   "updated_at",
	    NULL};
	struct user u;
	char *before, *after;

	(void)state;
	register_user(&u, "prefs_user");
	login(&u);
	/* an account without a row gets one with the defaults */
	sql_exec("DELETE FROM user_preferences WHERE user_id = $1", u.id, NULL);
	expect(200, "GET", "/api/v1/users/me/preferences", u.token, NULL);
	exact_keys(body, keys);
	assert_string_equal(str(body, "theme"), "system");
	assert_string_equal(str(body, "display_language"), "en");
	/* null: localised reads follow Accept-Language, then English */
	assert_true(is_null(body, "metadata_language"));
	assert_int_equal(cJSON_GetArraySize(get(body, "content_languages")), 0);
	assert_false(boolean(body, "show_adult"));
	assert_false(boolean(body, "show_spoilers"));
	assert_true(boolean(body, "autoplay"));
	assert_true(is_null(body, "max_age_rating"));
	assert_string_equal(str(body, "rating_country"), "US");
	assert_true(boolean(body, "allow_unrated"));
	assert_true(is_timestamp(str(body, "updated_at")));
	assert_int_equal(
	    sql_long("SELECT count(*) FROM user_preferences WHERE user_id = $1", u.id, NULL), 1);

	/* partial update: only the given fields change */
	sql_exec("DELETE FROM user_preferences WHERE user_id = $1", u.id, NULL);
	expect(200, "PUT", "/api/v1/users/me/preferences", u.token,
	       "{\"theme\":\"dark\",\"content_languages\":[\"en\",\"de\",\"ja\"],\"max_age_"
	       "rating\":12,"
	       "\"rating_country\":\"DE\",\"show_spoilers\":true}");
	exact_keys(body, keys);
	assert_string_equal(str(body, "theme"), "dark");
	assert_string_equal(str(body, "display_language"), "en");
	const cJSON *langs = get(body, "content_languages");
	assert_int_equal(cJSON_GetArraySize(langs), 3);
	assert_string_equal(cJSON_GetArrayItem(langs, 2)->valuestring, "ja");
	assert_int_equal(get(body, "max_age_rating")->valueint, 12);
	assert_string_equal(str(body, "rating_country"), "DE");
	assert_true(boolean(body, "show_spoilers"));
	assert_true(boolean(body, "autoplay"));
	expect(200, "PUT", "/api/v1/users/me/preferences", u.token,
	       "{\"display_language\":\"fr\",\"metadata_language\":\"de\",\"autoplay\":false,"
	       "\"show_adult\":true,\"allow_unrated\":false,\"max_age_rating\":null}");
	assert_string_equal(str(body, "theme"), "dark");
	assert_string_equal(str(body, "display_language"), "fr");
	assert_string_equal(str(body, "metadata_language"), "de");
	assert_false(boolean(body, "autoplay"));
	assert_true(boolean(body, "show_adult"));
	assert_false(boolean(body, "allow_unrated"));
	assert_true(is_null(body, "max_age_rating"));
	assert_int_equal(cJSON_GetArraySize(get(body, "content_languages")), 3);
	expect(200, "GET", "/api/v1/users/me/preferences", u.token, NULL);
	assert_string_equal(str(body, "metadata_language"), "de");
	/* null clears it again (back to following the client) */
	expect(200, "PUT", "/api/v1/users/me/preferences", u.token, "{\"metadata_language\":null}");
	assert_true(is_null(body, "metadata_language"));
	assert_string_equal(str(body, "display_language"), "fr");
	expect(200, "PUT", "/api/v1/users/me/preferences", u.token, "{\"metadata_language\":\"de\"}");
	assert_int_equal(sql_long("SELECT count(*) FROM user_preferences WHERE user_id = $1"
	                          " AND content_languages = '{en,de,ja}' AND theme = 'dark'",
	                          u.id, NULL),
	                 1);

	static const struct {
		const char *json, *field;
	} bad[] = {
	    {"{\"theme\":\"blue\"}", "theme"},
	    {"{\"theme\":null}", "theme"},
	    {"{\"theme\":1}", "theme"},
	    {"{\"display_language\":\"EN\"}", "display_language"},
	    {"{\"display_language\":\"eng\"}", "display_language"},
	    {"{\"metadata_language\":\"" SQLI "\"}", "metadata_language"},
	    {"{\"metadata_language\":\"e\\u0000\"}", "body"},
	    {"{\"content_languages\":\"en\"}", "content_languages"},
	    {"{\"content_languages\":null}", "content_languages"},
	    {"{\"content_languages\":[\"en\",\"en\"]}", "content_languages[1]"},
	    {"{\"content_languages\":[\"en\",1]}", "content_languages[1]"},
	    {"{\"content_languages\":[\"de\",\"fr\",\"x'\"]}", "content_languages[2]"},
	    {"{\"content_languages\":[\"aa\",\"ab\",\"ac\",\"ad\",\"ae\",\"af\",\"ag\",\"ah\","
	     "\"ai\",\"aj\",\"ak\"]}",
	     "content_languages"},
	    {"{\"show_adult\":\"yes\"}", "show_adult"},
	    {"{\"show_adult\":null}", "show_adult"},
	    {"{\"autoplay\":1}", "autoplay"},
	    {"{\"max_age_rating\":22}", "max_age_rating"},
	    {"{\"max_age_rating\":-1}", "max_age_rating"},
	    {"{\"max_age_rating\":1.5}", "max_age_rating"},
	    {"{\"max_age_rating\":\"12\"}", "max_age_rating"},
	    {"{\"rating_country\":\"us\"}", "rating_country"},
	    {"{\"rating_country\":\"USA\"}", "rating_country"},
	    {"{\"updated_at\":\"2020-01-01T00:00:00Z\"}", "updated_at"},
	    {"{\"user_id\":\"" NO_SUCH_ID "\"}", "user_id"},
	    {"{\"theme\":\"light\",\"colour\":\"red\"}", "colour"},
	    {"{\"theme\":\"light\",\"max_age_rating\":99}", "max_age_rating"},
	    {"{not json}", "body"},
	};
	before = prefs_row(&u);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_problem(400, bad[i].field, "PUT", "/api/v1/users/me/preferences", u.token,
		               bad[i].json);
		after = prefs_row(&u);
		if (strcmp(before, after))
			fail_msg("%s changed the row: %s -> %s", bad[i].json, before, after);
		free(after);
	}
	free(before);
}

/* --- public profile -------------------------------------------------------- */

static void public_profile(void **state)
{
	static const char *const keys[] = {"id",         "username",   "display_name",
	                                   "avatar_url", "created_at", NULL};
	struct user a, b;
	char uri[128];

	(void)state;
	register_user(&a, "pub_viewer");
	register_user(&b, "pub_shown");
	login(&a);
	login(&b);
	expect(200, "PUT", "/api/v1/users/me", b.token, "{\"display_name\":\"Shown\"}");
	snprintf(uri, sizeof(uri), "/api/v1/users/%s", b.id);
	expect(200, "GET", uri, a.token, NULL);
	exact_keys(body, keys);
	assert_string_equal(str(body, "id"), b.id);
	assert_string_equal(str(body, "username"), "pub_shown");
	assert_string_equal(str(body, "display_name"), "Shown");
	assert_true(is_null(body, "avatar_url"));
	assert_true(is_timestamp(str(body, "created_at")));
	assert_null(strstr(res.body, "example.com"));
	/* upper-case ids are the same id */
	for (char *p = uri; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 32);
	memcpy(uri, "/api/v1/users/", 14);
	expect(200, "GET", uri, a.token, NULL);
	expect_problem(404, "", "GET", "/api/v1/users/" NO_SUCH_ID, a.token, NULL);
	expect_problem(400, "id", "GET", "/api/v1/users/not-a-uuid", a.token, NULL);
	expect_problem(400, "id", "GET", "/api/v1/users/7b0c2f52-3a4d-4e6f-8a9b-0c1d2e3f4a5",
	               a.token, NULL);
	expect_problem(400, "id", "GET", "/api/v1/users/%27%3B%20DROP%20TABLE%20users%3B%20--",
	               a.token, NULL);
	expect_problem(401, "", "GET", uri, NULL, NULL);
}

/* --- parental limits an administrator locks (issue 14, item 5) ------------- */

static void parental_lock(void **state)
{
	struct user admin, kid;
	char uri[128], *before;

	(void)state;
	register_user(&admin, "par_admin");
	make_admin(&admin);
	login(&admin);
	register_user(&kid, "par_kid");
	login(&kid);
	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s/parental", kid.id);
	/* the user's own preferences say whether the limits are locked */
	expect(200, "GET", "/api/v1/users/me/preferences", kid.token, NULL);
	assert_false(boolean(body, "parental_locked"));

	/* only holders of users:get / users:update; unknown accounts are 404 */
	expect(403, "GET", uri, kid.token, NULL);
	expect(403, "PUT", uri, kid.token, "{\"locked\":false}");
	expect_problem(404, "id", "GET",
	               "/api/v1/admin/users/00000000-0000-4000-8000-000000000000/parental",
	               admin.token, NULL);
	expect_problem(400, "max_age_rating", "PUT", uri, admin.token, "{\"max_age_rating\":22}");
	expect_problem(400, "locked", "PUT", uri, admin.token, "{\"locked\":\"yes\"}");
	expect_problem(400, "rating_country", "PUT", uri, admin.token, "{\"rating_country\":\"us\"}");

	/* the admin sets and locks the limits */
	expect(200, "PUT", uri, admin.token,
	       "{\"max_age_rating\":12,\"rating_country\":\"DE\",\"allow_unrated\":false,"
	       "\"locked\":true}");
	assert_int_equal(get(body, "max_age_rating")->valueint, 12);
	assert_string_equal(str(body, "rating_country"), "DE");
	assert_false(boolean(body, "allow_unrated"));
	assert_true(boolean(body, "locked"));
	assert_string_equal(str(body, "user_id"), kid.id);
	assert_int_equal(audit_count("admin.user.parental", kid.id), 1);
	expect(200, "GET", uri, admin.token, NULL);
	assert_true(boolean(body, "locked"));

	/* the child cannot clear or change any of them: 403 naming the field,
	 * and nothing of the request is written (not even the theme) */
	before = prefs_row(&kid);
	expect_problem(403, "max_age_rating", "PUT", "/api/v1/users/me/preferences", kid.token,
	               "{\"theme\":\"dark\",\"max_age_rating\":null}");
	expect_problem(403, "max_age_rating", "PUT", "/api/v1/users/me/preferences", kid.token,
	               "{\"max_age_rating\":18}");
	expect_problem(403, "rating_country", "PUT", "/api/v1/users/me/preferences", kid.token,
	               "{\"rating_country\":\"US\"}");
	expect_problem(403, "allow_unrated", "PUT", "/api/v1/users/me/preferences", kid.token,
	               "{\"allow_unrated\":true}");
	char *after = prefs_row(&kid);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(sql_long("SELECT max_age_rating FROM user_preferences WHERE user_id = $1",
	                          kid.id, NULL),
	                 12);
	/* the other preferences stay the child's, and repeating a locked
	 * value is no change */
	expect(200, "PUT", "/api/v1/users/me/preferences", kid.token,
	       "{\"theme\":\"dark\",\"max_age_rating\":12,\"rating_country\":\"DE\"}");
	assert_string_equal(str(body, "theme"), "dark");
	assert_int_equal(get(body, "max_age_rating")->valueint, 12);
	assert_true(boolean(body, "parental_locked"));
	expect(200, "GET", "/api/v1/users/me/preferences", kid.token, NULL);
	assert_true(boolean(body, "parental_locked"));

	/* the admin can clear the limit; once unlocked the child decides */
	expect(200, "PUT", uri, admin.token, "{\"max_age_rating\":null}");
	assert_true(is_null(body, "max_age_rating"));
	assert_true(boolean(body, "locked"));
	assert_true(sql_long("SELECT count(*) FROM user_preferences WHERE user_id = $1"
	                     " AND max_age_rating IS NULL",
	                     kid.id, NULL) == 1);
	expect_problem(403, "max_age_rating", "PUT", "/api/v1/users/me/preferences", kid.token,
	               "{\"max_age_rating\":10}");
	expect(200, "PUT", uri, admin.token, "{\"locked\":false}");
	assert_false(boolean(body, "locked"));
	expect(200, "PUT", "/api/v1/users/me/preferences", kid.token, "{\"max_age_rating\":10}");
	assert_int_equal(get(body, "max_age_rating")->valueint, 10);
	assert_false(boolean(body, "parental_locked"));
	assert_int_equal(audit_count("admin.user.parental", kid.id), 3);
	free(before);
}

/* --- admin: list and pagination --------------------------------------------- */

/* Walk every page of uri (which has a query string) as token; registers a
 * new account between pages when grow is set. Returns the ids in order. */
static int walk(const char *uri, const char *token, bool grow, char ids[][37], int cap,
                bool by_name)
{
	char next[2048], prev_key[64] = "";
	int n = 0, pages = 0;

	snprintf(next, sizeof(next), "%s", uri);
	for (;;) {
		if (call("GET", next, token, NULL) != 200)
			fail_msg("walk %s: %d %s", next, res.status, res.body);
		const cJSON *items = get(body, "items"), *it;
		const cJSON *cursor = get(body, "next_cursor");
		assert_null(cJSON_GetObjectItemCaseSensitive(body, "total"));
		cJSON_ArrayForEach(it, items)
		{
			assert_true(n < cap);
			exact_keys(it, full_user_keys);
			snprintf(ids[n], 37, "%s", str(it, "id"));
			for (int k = 0; k < n; k++)
				if (!strcmp(ids[k], ids[n]))
					fail_msg("%s twice in the walk", ids[n]);
			if (by_name) {
				char low[64];
				snprintf(low, sizeof(low), "%s", str(it, "username"));
				for (char *p = low; *p; p++)
					if (*p >= 'A' && *p <= 'Z')
						*p = (char)(*p + 32);
				if (prev_key[0] && strcmp(prev_key, low) >= 0)
					fail_msg("%s after %s", low, prev_key);
				snprintf(prev_key, sizeof(prev_key), "%s", low);
			}
			n++;
		}
		pages++;
		if (cJSON_IsNull(cursor))
			break;
		assert_true(cJSON_IsString(cursor));
		snprintf(next, sizeof(next), "%s&cursor=%s", uri, cursor->valuestring);
		/* the next body frees this one, cursor included */
		if (grow) {
			static int grown;
			struct user extra;
			char name[32];
			snprintf(name, sizeof(name), "grow%03d", ++grown);
			register_user(&extra, name);
		}
	}
	assert_true(pages > 2);
	return n;
}

static void admin_list(void **state)
{
	static char ids[200][37];
	struct user admin, plain, u;
	char name[32], uri[2048], cursor[1024];
	int n;

	(void)state;
	register_user(&admin, "list_admin");
	make_admin(&admin);
	login(&admin);
	register_user(&plain, "list_plain");
	login(&plain);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "%s_%02d", i % 2 ? "Zed" : "amy", i);
		register_user(&u, name);
	}
	expect(200, "PUT", "/api/v1/users/me", plain.token, "{\"display_name\":\"Findme Person\"}");

	/* created_at order, with accounts registered between pages: every
	 * account appears exactly once, the new ones included */
	n = walk("/api/v1/admin/users?limit=4", admin.token, true, ids, 200, false);
	assert_int_equal(
	    n, sql_long("SELECT count(*) FROM users WHERE deleted_at IS NULL", NULL, NULL));
	for (int i = 0; i < n; i++)
		assert_int_equal(
		    sql_long("SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NULL",
		             ids[i], NULL),
		    1);
	/* and the walk did see accounts that did not exist when it began */
	assert_true(
	    sql_long("SELECT count(*) FROM users WHERE username LIKE 'grow%'", NULL, NULL) >= 3);
	/* username order (case-insensitive), also while growing: accounts
	 * named behind the cursor are not seen, every one that existed before
	 * the walk is seen exactly once */
	PGresult *before = PQexec(pg, "SELECT id FROM users WHERE deleted_at IS NULL");
	assert_int_equal(PQresultStatus(before), PGRES_TUPLES_OK);
	n = walk("/api/v1/admin/users?sort=username&limit=5", admin.token, true, ids, 200, true);
	assert_true(n >= PQntuples(before));
	for (int i = 0; i < PQntuples(before); i++) {
		int found = 0;
		for (int k = 0; k < n; k++)
			found += !strcmp(ids[k], PQgetvalue(before, i, 0));
		if (found != 1)
			fail_msg("%s seen %d times", PQgetvalue(before, i, 0), found);
	}
	PQclear(before);

	/* offset mode adds total */
	expect(200, "GET", "/api/v1/admin/users?offset=2&limit=3", admin.token, NULL);
	static const char *const offset_keys[] = {"items", "total", "limit", "offset", NULL};
	exact_keys(body, offset_keys);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 3);
	assert_int_equal(
	    get(body, "total")->valueint,
	    sql_long("SELECT count(*) FROM users WHERE deleted_at IS NULL", NULL, NULL));
	assert_int_equal(get(body, "offset")->valueint, 2);
	assert_int_equal(get(body, "limit")->valueint, 3);

	/* filters */
	expect(200, "GET", "/api/v1/admin/users?q=FINDME&limit=100", admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 1);
	assert_string_equal(str(cJSON_GetArrayItem(get(body, "items"), 0), "id"), plain.id);
	expect(200, "GET", "/api/v1/admin/users?q=zED_&limit=100&offset=0", admin.token, NULL);
	assert_int_equal(get(body, "total")->valueint, 6);
	expect(200, "GET", "/api/v1/admin/users?q=list_plain%40EXAMPLE&limit=100", admin.token,
	       NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 1);
	expect(200, "GET", "/api/v1/admin/users?role=admin&limit=100", admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 1);
	assert_string_equal(str(cJSON_GetArrayItem(get(body, "items"), 0), "id"), admin.id);
	sql_exec("UPDATE users SET is_active = false WHERE username = 'amy_00'", NULL, NULL);
	expect(200, "GET", "/api/v1/admin/users?is_active=false", admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 1);
	assert_string_equal(str(cJSON_GetArrayItem(get(body, "items"), 0), "username"), "amy_00");
	assert_false(boolean(cJSON_GetArrayItem(get(body, "items"), 0), "is_active"));
	expect(200, "GET", "/api/v1/admin/users?is_active=true&q=amy_&offset=0", admin.token, NULL);
	assert_int_equal(get(body, "total")->valueint, 5);
	/* wildcards and quotes are plain text */
	expect(200, "GET", "/api/v1/admin/users?q=%25", admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 0);
	expect(200, "GET", "/api/v1/admin/users?q=%27%3B%20DROP%20TABLE%20users%3B%20--",
	       admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 0);
	assert_true(sql_long("SELECT count(*) FROM users", NULL, NULL) > 10);

	/* bad input, each named */
	expect(200, "GET", "/api/v1/admin/users?limit=2", admin.token, NULL);
	snprintf(cursor, sizeof(cursor), "%s", str(body, "next_cursor"));
	static const struct {
		const char *query, *field;
	} bad[] = {
	    {"limit=0", "limit"},
	    {"limit=101", "limit"},
	    {"limit=-1", "limit"},
	    {"limit=ten", "limit"},
	    {"offset=-1", "offset"},
	    {"cursor=garbage", "cursor"},
	    {"cursor=", "cursor"},
	    {"cursor=abc.def", "cursor"},
	    {"sort=email", "sort"},
	    {"sort=created_at%3B%20DROP%20TABLE%20users", "sort"},
	    {"is_active=maybe", "is_active"},
	    {"q=", "q"},
	    {"role=nope", "role"},
	    {"role=ADMIN", "role"},
	    {"role=%27%3B--", "role"},
	    {"colour=red", "colour"},
	    {"limit=5&limit=6", "limit"},
	    {"q=a%00b", "q"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/v1/admin/users?%s", bad[i].query);
		expect_problem(400, bad[i].field, "GET", uri, admin.token, NULL);
	}
	snprintf(uri, sizeof(uri), "/api/v1/admin/users?q=%0101d", 0);
	expect_problem(400, "q", "GET", uri, admin.token, NULL);
	/* a cursor with cursor + offset, tampered, or of another order or list */
	snprintf(uri, sizeof(uri), "/api/v1/admin/users?cursor=%s&offset=0", cursor);
	expect_problem(400, "offset", "GET", uri, admin.token, NULL);
	for (size_t i = 0; i < strlen(cursor); i += 7) {
		char tampered[1024];
		snprintf(tampered, sizeof(tampered), "%s", cursor);
		tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
		snprintf(uri, sizeof(uri), "/api/v1/admin/users?cursor=%s", tampered);
		expect_problem(400, "cursor", "GET", uri, admin.token, NULL);
	}
	snprintf(uri, sizeof(uri), "/api/v1/admin/users?sort=username&cursor=%s", cursor);
	expect_problem(400, "cursor", "GET", uri, admin.token, NULL);
	snprintf(uri, sizeof(uri), "/api/v1/sessions?cursor=%s", cursor);
	expect_problem(400, "cursor", "GET", uri, admin.token, NULL);
	snprintf(uri, sizeof(uri), "/api/v1/admin/users?cursor=%s", cursor);
	expect(200, "GET", uri, admin.token, NULL);

	/* not for plain users */
	expect_problem(403, "", "GET", "/api/v1/admin/users", plain.token, NULL);
}

/* --- admin: get, update, disable ------------------------------------------- */

static void admin_update(void **state)
{
	struct user admin, carol, other;
	char uri[128], self[128], key[80], key_id[37], *before, *after;

	(void)state;
	register_user(&admin, "upd_admin");
	make_admin(&admin);
	login(&admin);
	register_user(&carol, "upd_carol");
	register_user(&other, "upd_other");
	login(&carol);
	new_key(&carol, "[\"read\",\"write\"]", key, key_id);
	expect(200, "GET", "/api/v1/users/me", key, NULL);
	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s", carol.id);
	snprintf(self, sizeof(self), "/api/v1/admin/users/%s", admin.id);

	expect(200, "GET", uri, admin.token, NULL);
	exact_keys(body, full_user_keys);
	assert_string_equal(str(body, "email"), "upd_carol@example.com");
	expect_problem(404, "", "GET", "/api/v1/admin/users/" NO_SUCH_ID, admin.token, NULL);
	expect_problem(400, "id", "GET", "/api/v1/admin/users/123", admin.token, NULL);
	expect_problem(403, "", "GET", uri, carol.token, NULL);
	expect_problem(403, "", "PATCH", self, carol.token, "{\"is_active\":false}");

	expect(200, "PATCH", uri, admin.token,
	       "{\"display_name\":\"Carol C\",\"email\":\"carol@example.org\"}");
	exact_keys(body, full_user_keys);
	assert_string_equal(str(body, "display_name"), "Carol C");
	assert_string_equal(str(body, "email"), "carol@example.org");
	char *nv =
	    sql_text("SELECT new_values::text FROM audit_log WHERE action = 'admin.user.update'"
	             " AND resource_id = $1 AND user_id = $2",
	             carol.id, admin.id);
	assert_string_equal(nv,
	                    "{\"email\": \"carol@example.org\", \"display_name\": \"Carol C\"}");
	free(nv);

	/* bad input changes nothing */
	before = user_row(&carol);
	static const struct {
		const char *json, *field;
		int status;
	} bad[] = {
	    {"{\"is_active\":\"no\"}", "is_active", 400},
	    {"{\"is_active\":null}", "is_active", 400},
	    {"{\"is_active\":0}", "is_active", 400},
	    {"{\"locale\":\"de\"}", "locale", 400},
	    {"{\"email\":\"upd_other@EXAMPLE.com\"}", "email", 409},
	    {"{\"email\":\"x\"}", "email", 400},
	    {"{\"display_name\":\"\\u0000\"}", "body", 400},
	    {"{\"is_active\":false,\"roles\":[\"admin\"]}", "roles", 400},
	    {"{", "body", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_problem(bad[i].status, bad[i].field, "PATCH", uri, admin.token, bad[i].json);
		after = user_row(&carol);
		if (strcmp(before, after))
			fail_msg("%s changed the row", bad[i].json);
		free(after);
	}
	free(before);
	expect_problem(404, "", "PATCH", "/api/v1/admin/users/" NO_SUCH_ID, admin.token,
	               "{\"is_active\":false}");

	/* an admin cannot disable themselves */
	expect_problem(409, "is_active", "PATCH", self, admin.token, "{\"is_active\":false}");
	assert_non_null(strstr(res.body, "your own account"));
	expect(200, "GET", "/api/v1/users/me", admin.token, NULL);
	assert_true(boolean(body, "is_active"));

	/* disabling ends the sessions at once; keys stop; login is refused */
	expect(200, "PATCH", uri, admin.token, "{\"is_active\":false}");
	assert_false(boolean(body, "is_active"));
	expect_problem(401, "", "GET", "/api/v1/users/me", carol.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", key, NULL);
	assert_int_equal(login_as(&carol, NULL), 403);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
	             carol.id, NULL),
	    0);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
	             carol.id, NULL),
	    1);
	nv = sql_text(
	    "SELECT old_values::text || ' ' || new_values::text FROM audit_log"
	    " WHERE action = 'admin.user.update' AND resource_id = $1 ORDER BY id DESC LIMIT 1",
	    carol.id, NULL);
	assert_string_equal(nv, "{\"is_active\": true} {\"is_active\": false}");
	free(nv);

	/* enabled again: the key works again, old sessions stay revoked */
	char *old_token = strdup(carol.token);
	expect(200, "PATCH", uri, admin.token, "{\"is_active\":true}");
	expect(200, "GET", "/api/v1/users/me", key, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", old_token, NULL);
	login(&carol);
	expect(200, "GET", "/api/v1/users/me", carol.token, NULL);
	free(old_token);
}

/* --- admin: delete ----------------------------------------------------------- */

static void admin_delete(void **state)
{
	struct user admin, dave, again;
	char uri[128], self[128], key[80], key_id[37];

	(void)state;
	register_user(&admin, "del_admin");
	make_admin(&admin);
	login(&admin);
	register_user(&dave, "del_dave");
	login(&dave);
	new_key(&dave, "[\"read\"]", key, key_id);
	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s", dave.id);
	snprintf(self, sizeof(self), "/api/v1/admin/users/%s", admin.id);

	expect_problem(403, "", "DELETE", uri, dave.token, NULL);
	expect_problem(409, "", "DELETE", self, admin.token, NULL);
	assert_non_null(strstr(res.body, "your own account"));
	assert_int_equal(sql_long("SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NULL",
	                          admin.id, NULL),
	                 1);

	expect(204, "DELETE", uri, admin.token, NULL);
	assert_int_equal(res.body_len, 0);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NOT NULL", dave.id,
	             NULL),
	    1);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
	             dave.id, NULL),
	    0);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
	             dave.id, NULL),
	    0);
	assert_int_equal(audit_count("admin.user.delete", dave.id), 1);
	expect_problem(401, "", "GET", "/api/v1/users/me", dave.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", key, NULL);
	assert_int_equal(login_as(&dave, NULL), 401);
	expect_problem(404, "", "GET", uri, admin.token, NULL);
	char pub[128];
	snprintf(pub, sizeof(pub), "/api/v1/users/%s", dave.id);
	expect_problem(404, "", "GET", pub, admin.token, NULL);
	expect_problem(404, "", "PATCH", uri, admin.token, "{\"display_name\":\"ghost\"}");
	expect(200, "GET", "/api/v1/admin/users?q=del_dave", admin.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 0);
	/* twice: 404, and nothing more is written */
	expect_problem(404, "", "DELETE", uri, admin.token, NULL);
	assert_int_equal(audit_count("admin.user.delete", dave.id), 1);
	expect_problem(404, "", "DELETE", "/api/v1/admin/users/" NO_SUCH_ID, admin.token, NULL);
	expect_problem(400, "id", "DELETE", "/api/v1/admin/users/x", admin.token, NULL);
	/* the name is free again */
	register_user(&again, "del_dave");
	assert_string_not_equal(again.id, dave.id);
}

/* --- sessions ---------------------------------------------------------------- */

/* users:update and users:delete alone do not reach an administrator, and
 * the last active administrator stays. */
static void admin_protection(void **state)
{
	struct user boss, deputy, manager;
	char uri[128];

	(void)state;
	register_user(&boss, "prot_boss");
	register_user(&deputy, "prot_deputy");
	register_user(&manager, "prot_manager");
	/* only boss is an administrator here: demote every other admin */
	sql_exec("DELETE FROM user_roles WHERE role_id = (SELECT id FROM roles WHERE name = 'admin')",
	         NULL, NULL);
	make_admin(&boss);
	sql_exec("INSERT INTO roles (name, description) VALUES ('usermgr', 'manages accounts')", NULL,
	         NULL);
	sql_exec("INSERT INTO role_permissions (role_id, permission) SELECT id, p FROM roles,"
	         " unnest(ARRAY['users:list','users:get','users:update','users:delete','profile:read'])"
	         " AS p WHERE name = 'usermgr'",
	         NULL, NULL);
	sql_exec("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = 'usermgr'",
	         manager.id, NULL);
	login(&boss);
	login(&manager);
	char *before = user_row(&boss);

	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s", boss.id);
	expect_problem(403, "id", "PATCH", uri, manager.token, "{\"is_active\":false}");
	expect_problem(403, "id", "DELETE", uri, manager.token, NULL);
	char *after = user_row(&boss);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* the account manager may still manage a plain user */
	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s", deputy.id);
	expect(200, "PATCH", uri, manager.token, "{\"is_active\":false}");
	expect(200, "PATCH", uri, manager.token, "{\"is_active\":true}");

	/* with admin:* through a custom role, boss is still the last holder of
	 * the built-in admin role: deputy-as-superuser cannot remove them */
	sql_exec("INSERT INTO roles (name, description) VALUES ('super', 'all')", NULL, NULL);
	sql_exec("INSERT INTO role_permissions (role_id, permission) SELECT id, 'admin:*' FROM roles"
	         " WHERE name = 'super'", NULL, NULL);
	sql_exec("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = 'super'",
	         deputy.id, NULL);
	login(&deputy);
	snprintf(uri, sizeof(uri), "/api/v1/admin/users/%s", boss.id);
	expect_problem(409, "id", "PATCH", uri, deputy.token, "{\"is_active\":false}");
	expect_problem(409, "id", "DELETE", uri, deputy.token, NULL);
	assert_int_equal(sql_long("SELECT count(*) FROM users WHERE id = $1 AND is_active AND deleted_at IS NULL",
	                          boss.id, NULL), 1);
}

static void sessions(void **state)
{
	static const char *const keys[] = {"id",         "device_name", "ip",
	                                   "user_agent", "created_at",  "last_active_at",
	                                   "expires_at", "current",     NULL};
	struct user a, a2, a3, b;
	char uri[256], key[80], key_id[37], seen[8][37];
	int n = 0;

	(void)state;
	register_user(&a, "ses_alice");
	register_user(&b, "ses_bob");
	a2 = a;
	a3 = a;
	login_as(&a, "phone");
	login_as(&a2, "laptop");
	login_as(&a3, "tv");
	login(&b);

	expect(200, "GET", "/api/v1/sessions", a2.token, NULL);
	const cJSON *items = get(body, "items"), *it;
	assert_int_equal(cJSON_GetArraySize(items), 3);
	assert_true(is_null(body, "next_cursor"));
	int current = 0;
	cJSON_ArrayForEach(it, items)
	{
		exact_keys(it, keys);
		assert_string_equal(str(it, "ip"), "127.0.0.1");
		assert_true(is_null(it, "user_agent"));
		assert_true(is_timestamp(str(it, "created_at")));
		assert_true(is_timestamp(str(it, "last_active_at")));
		assert_true(is_timestamp(str(it, "expires_at")));
		if (boolean(it, "current")) {
			current++;
			assert_string_equal(str(it, "id"), a2.session);
			assert_string_equal(str(it, "device_name"), "laptop");
		}
	}
	assert_int_equal(current, 1);
	/* newest first */
	assert_string_equal(str(cJSON_GetArrayItem(items, 0), "id"), a3.session);
	assert_string_equal(str(cJSON_GetArrayItem(items, 2), "id"), a.session);

	/* cursor pages of one */
	snprintf(uri, sizeof(uri), "/api/v1/sessions?limit=1");
	for (;;) {
		expect(200, "GET", uri, a.token, NULL);
		items = get(body, "items");
		assert_int_equal(cJSON_GetArraySize(items), 1);
		snprintf(seen[n], 37, "%s", str(cJSON_GetArrayItem(items, 0), "id"));
		for (int k = 0; k < n; k++)
			assert_string_not_equal(seen[k], seen[n]);
		n++;
		if (is_null(body, "next_cursor"))
			break;
		snprintf(uri, sizeof(uri), "/api/v1/sessions?limit=1&cursor=%s",
		         str(body, "next_cursor"));
	}
	assert_int_equal(n, 3);
	expect(200, "GET", "/api/v1/sessions?offset=1", a.token, NULL);
	assert_int_equal(get(body, "total")->valueint, 3);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 2);
	expect_problem(400, "limit", "GET", "/api/v1/sessions?limit=0", a.token, NULL);
	expect_problem(400, "limit", "GET", "/api/v1/sessions?limit=101", a.token, NULL);
	expect_problem(400, "cursor", "GET", "/api/v1/sessions?cursor=bm9wZQ.bm9wZQ", a.token,
	               NULL);

	/* current */
	expect(200, "GET", "/api/v1/sessions/current", a.token, NULL);
	exact_keys(body, keys);
	assert_string_equal(str(body, "id"), a.session);
	assert_string_equal(str(body, "device_name"), "phone");
	assert_true(boolean(body, "current"));

	/* bob cannot see or end alice's sessions: 404 like an unknown id */
	snprintf(uri, sizeof(uri), "/api/v1/sessions/%s", a.session);
	expect_problem(404, "", "DELETE", uri, b.token, NULL);
	/* the same detail as for an id that does not exist */
	char *detail = strdup(str(body, "detail"));
	expect_problem(404, "", "DELETE", "/api/v1/sessions/" NO_SUCH_ID, b.token, NULL);
	assert_string_equal(str(body, "detail"), detail);
	free(detail);
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	assert_int_equal(audit_count("session.revoke", a.session), 0);
	expect_problem(400, "id", "DELETE", "/api/v1/sessions/current-ish", a.token, NULL);

	/* alice ends her tv session from the phone */
	snprintf(uri, sizeof(uri), "/api/v1/sessions/%s", a3.session);
	expect(204, "DELETE", uri, a.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", a3.token, NULL);
	expect(200, "GET", "/api/v1/users/me", a.token, NULL);
	assert_int_equal(audit_count("session.revoke", a3.session), 1);
	expect_problem(404, "", "DELETE", uri, a.token, NULL);

	/* an API key has no current session */
	new_key(&a, "[\"read\",\"write\"]", key, key_id);
	expect_problem(404, "", "GET", "/api/v1/sessions/current", key, NULL);
	assert_non_null(strstr(res.body, "API key"));
	expect_problem(404, "", "DELETE", "/api/v1/sessions/current", key, NULL);
	expect(200, "GET", "/api/v1/sessions", key, NULL);
	cJSON_ArrayForEach(it, get(body, "items")) assert_false(boolean(it, "current"));

	/* ending the current session is a logout */
	expect(204, "DELETE", "/api/v1/sessions/current", a2.token, NULL);
	assert_non_null(strstr(res.head, "Set-Cookie: revenge_session=;"));
	expect_problem(401, "", "GET", "/api/v1/sessions/current", a2.token, NULL);
	assert_int_equal(audit_count("user.logout", a2.session), 1);

	/* and all of them, this one included */
	a2 = a;
	login(&a2);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
	             a.id, NULL),
	    2);
	expect(204, "DELETE", "/api/v1/sessions", a.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", a.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", a2.token, NULL);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
	             a.id, NULL),
	    0);
	assert_int_equal(audit_count("session.revoke_all", a.id), 1);
	/* bob was not touched */
	expect(200, "GET", "/api/v1/sessions/current", b.token, NULL);
}

static void session_limit(void **state)
{
	struct user first, u;

	(void)state;
	register_user(&u, "ses_many");
	first = u;
	login_as(&first, "oldest");
	for (int i = 0; i < 10; i++) {
		login(&u);
		expect(200, "GET", "/api/v1/users/me", u.token, NULL);
	}
	/* the eleventh login revoked the oldest session */
	expect_problem(401, "", "GET", "/api/v1/users/me", first.token, NULL);
	expect(200, "GET", "/api/v1/sessions?limit=100", u.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 10);
	assert_null(strstr(res.body, first.session));
	assert_int_equal(
	    sql_long("SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
	             u.id, NULL),
	    10);
}

/* --- API keys ---------------------------------------------------------------- */

static void apikeys(void **state)
{
	static const char *const meta_keys[] = {
	    "id", "name", "prefix", "scopes", "expires_at", "last_used_at", "created_at", NULL};
	static const char *const created_keys[] = {"key",          "id",         "name",
	                                           "prefix",       "scopes",     "expires_at",
	                                           "last_used_at", "created_at", NULL};
	struct user a, b, admin;
	char read_key[80], read_id[37], write_key[80], write_id[37], uri[128], hex[65];
	unsigned char h[32];

	(void)state;
	register_user(&a, "key_alice");
	register_user(&b, "key_bob");
	register_user(&admin, "key_admin");
	make_admin(&admin);
	login(&a);
	login(&b);
	login(&admin);

	expect(201, "POST", "/api/v1/apikeys", a.token,
	       "{\"name\":\"Reader " SQLI "\",\"scopes\":[\"read\"]}");
	exact_keys(body, created_keys);
	snprintf(read_key, sizeof(read_key), "%s", str(body, "key"));
	snprintf(read_id, sizeof(read_id), "%s", str(body, "id"));
	assert_int_equal(strlen(read_key), 67);
	assert_memory_equal(read_key, "rv_", 3);
	for (int i = 3; i < 67; i++)
		assert_non_null(strchr("0123456789abcdef", read_key[i]));
	assert_memory_equal(str(body, "prefix"), read_key + 3, 8);
	assert_int_equal(strlen(str(body, "prefix")), 8);
	assert_string_equal(str(body, "name"), "Reader " SQLI);
	assert_int_equal(cJSON_GetArraySize(get(body, "scopes")), 1);
	assert_string_equal(cJSON_GetArrayItem(get(body, "scopes"), 0)->valuestring, "read");
	assert_true(is_null(body, "expires_at"));
	assert_true(is_null(body, "last_used_at"));
	assert_true(is_timestamp(str(body, "created_at")));
	/* stored as its SHA-256 only; the audit row never holds the key */
	crypto_sha256(read_key, 67, h);
	hex_encode(h, 32, hex);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM api_keys WHERE id = $1 AND key_hash = decode($2, 'hex')",
	             read_id, hex),
	    1);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM audit_log WHERE action = 'apikey.create'"
	             " AND resource_id = $1 AND position($2 in coalesce(new_values::text, '')) = 0"
	             " AND position($2 in coalesce(old_values::text, '')) = 0",
	             read_id, read_key + 3),
	    1);
	assert_int_equal(
	    sql_long("SELECT count(*) FROM audit_log WHERE position($1 in"
	             " coalesce(new_values::text, '') || coalesce(old_values::text, '')) > 0",
	             read_key + 3, NULL),
	    0);

	/* the key authenticates as its owner within its scopes */
	expect(200, "GET", "/api/v1/users/me", read_key, NULL);
	assert_string_equal(str(body, "username"), "key_alice");
	expect_problem(403, "X-API-Key", "PUT", "/api/v1/users/me", read_key,
	               "{\"locale\":\"de\"}");
	expect_problem(403, "X-API-Key", "POST", "/api/v1/apikeys", read_key,
	               "{\"name\":\"x\",\"scopes\":[\"read\"]}");
	new_key(&a, "[\"write\"]", write_key, write_id);
	expect(200, "PUT", "/api/v1/users/me", write_key, "{\"locale\":\"de\"}");
	/* a key cannot mint a stronger one */
	expect_problem(403, "scopes", "POST", "/api/v1/apikeys", write_key,
	               "{\"name\":\"x\",\"scopes\":[\"read\",\"write\"]}");

	/* metadata: list, one, last use */
	snprintf(uri, sizeof(uri), "/api/v1/apikeys/%s", read_id);
	expect(200, "GET", uri, a.token, NULL);
	exact_keys(body, meta_keys);
	assert_true(is_timestamp(str(body, "last_used_at")));
	expect(200, "GET", "/api/v1/apikeys", a.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 2);
	assert_true(is_null(body, "next_cursor"));
	const cJSON *it;
	cJSON_ArrayForEach(it, get(body, "items")) exact_keys(it, meta_keys);
	assert_string_equal(str(cJSON_GetArrayItem(get(body, "items"), 0), "id"), write_id);
	assert_null(strstr(res.body, read_key + 3 + 8));
	expect(200, "GET", "/api/v1/apikeys?offset=0&limit=1", a.token, NULL);
	assert_int_equal(get(body, "total")->valueint, 2);
	expect_problem(400, "limit", "GET", "/api/v1/apikeys?limit=101", a.token, NULL);

	/* expiry */
	expect(201, "POST", "/api/v1/apikeys", a.token,
	       "{\"name\":\"month\",\"scopes\":[\"read\"],\"expires_in_days\":30}");
	char exp_id[37];
	snprintf(exp_id, sizeof(exp_id), "%s", str(body, "id"));
	assert_true(is_timestamp(str(body, "expires_at")));
	assert_int_equal(
	    sql_long(
	        "SELECT count(*) FROM api_keys WHERE id = $1 AND"
	        " expires_at BETWEEN now() + interval '29 days' AND now() + interval '31 days'",
	        exp_id, NULL),
	    1);
	expect(201, "POST", "/api/v1/apikeys", a.token,
	       "{\"name\":\"far\",\"scopes\":[\"write\",\"read\"],\"expires_at\":\"2999-01-02T03:"
	       "04:05+02:00\"}");
	assert_string_equal(str(body, "expires_at"), "2999-01-02T01:04:05.000Z");
	/* canonical order */
	assert_string_equal(cJSON_GetArrayItem(get(body, "scopes"), 0)->valuestring, "read");

	/* bad input: named, nothing stored */
	long keys_before = sql_long("SELECT count(*) FROM api_keys", NULL, NULL);
	static const struct {
		const char *json, *field;
		int status;
	} bad[] = {
	    {"{\"scopes\":[\"read\"]}", "name", 400},
	    {"{\"name\":\"\",\"scopes\":[\"read\"]}", "name", 400},
	    {"{\"name\":7,\"scopes\":[\"read\"]}", "name", 400},
	    {"{\"name\":\"a\\u0000b\",\"scopes\":[\"read\"]}", "body", 400},
	    {"{\"name\":\"tab\\there\",\"scopes\":[\"read\"]}", "name", 400},
	    {"{\"name\":\"x\"}", "scopes", 400},
	    {"{\"name\":\"x\",\"scopes\":[]}", "scopes", 400},
	    {"{\"name\":\"x\",\"scopes\":\"read\"}", "scopes", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\",\"read\"]}", "scopes[1]", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"root\"]}", "scopes[0]", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\",null]}", "scopes[1]", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"" SQLI "\"]}", "scopes[0]", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\",\"write\",\"admin\",\"read\"]}", "scopes", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"admin\"]}", "scopes", 403},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"2000-01-01T00:00:00Z\"}",
	     "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"2030-02-30T00:00:00Z\"}",
	     "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"2030-13-01T00:00:00Z\"}",
	     "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"tomorrow\"}", "expires_at",
	     400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"2030-01-01 00:00:00\"}",
	     "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"2030-01-01T00:00:00Z'; --\"}",
	     "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":20300101}", "expires_at", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_in_days\":0}", "expires_in_days",
	     400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_in_days\":3651}", "expires_in_days",
	     400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_in_days\":\"5\"}", "expires_in_days",
	     400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_in_days\":5,"
	     "\"expires_at\":\"2999-01-01T00:00:00Z\"}",
	     "expires_in_days", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"key\":\"rv_00\"}", "key", 400},
	    {"{\"name\":\"x\",\"scopes\":[\"read\"],\"user_id\":\"" NO_SUCH_ID "\"}", "user_id",
	     400},
	    {"[\"read\"]", "body", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_problem(bad[i].status, bad[i].field, "POST", "/api/v1/apikeys", a.token,
		               bad[i].json);
		if (sql_long("SELECT count(*) FROM api_keys", NULL, NULL) != keys_before)
			fail_msg("%s stored a key", bad[i].json);
	}
	char json[512];
	snprintf(json, sizeof(json), "{\"name\":\"%0101d\",\"scopes\":[\"read\"]}", 0);
	expect_problem(400, "name", "POST", "/api/v1/apikeys", a.token, json);
	assert_int_equal(sql_long("SELECT count(*) FROM api_keys", NULL, NULL), keys_before);

	/* the admin scope: only for admins, and it reaches admin routes */
	char admin_key[80], admin_key_id[37], admin_plain[80], admin_plain_id[37];
	new_key(&admin, "[\"read\",\"admin\"]", admin_key, admin_key_id);
	expect(200, "GET", "/api/v1/admin/users", admin_key, NULL);
	new_key(&admin, "[\"read\",\"write\"]", admin_plain, admin_plain_id);
	expect_problem(403, "X-API-Key", "GET", "/api/v1/admin/users", admin_plain, NULL);
	expect_problem(403, "scopes", "POST", "/api/v1/apikeys", admin_plain,
	               "{\"name\":\"x\",\"scopes\":[\"admin\"]}");

	/* other accounts' keys are unknown ids */
	expect_problem(404, "", "GET", uri, b.token, NULL);
	expect_problem(404, "", "DELETE", uri, b.token, NULL);
	expect(200, "GET", "/api/v1/users/me", read_key, NULL);
	expect(200, "GET", "/api/v1/apikeys", b.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 0);
	expect_problem(404, "", "GET", "/api/v1/apikeys/" NO_SUCH_ID, a.token, NULL);
	expect_problem(400, "id", "GET", "/api/v1/apikeys/zzz", a.token, NULL);

	/* revocation */
	expect(204, "DELETE", uri, a.token, NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", read_key, NULL);
	expect_problem(404, "", "GET", uri, a.token, NULL);
	expect_problem(404, "", "DELETE", uri, a.token, NULL);
	assert_int_equal(audit_count("apikey.revoke", read_id), 1);
	assert_int_equal(audit_count("apikey.create", read_id), 1);

	/* at most 10 live keys: alice holds 3 now */
	long live = sql_long(
	    "SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL", a.id, NULL);
	assert_int_equal(live, 3);
	char k[80], kid[37];
	for (long i = live; i < 10; i++)
		new_key(&a, "[\"read\"]", k, kid);
	expect_problem(409, "", "POST", "/api/v1/apikeys", a.token,
	               "{\"name\":\"eleventh\",\"scopes\":[\"read\"]}");
	assert_int_equal(
	    sql_long("SELECT count(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL",
	             a.id, NULL),
	    10);
	/* an expired key does not count */
	sql_exec("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", kid,
	         NULL);
	expect_problem(401, "", "GET", "/api/v1/users/me", k, NULL);
	new_key(&a, "[\"read\"]", k, kid);
	expect(200, "GET", "/api/v1/apikeys?limit=100", a.token, NULL);
	assert_int_equal(cJSON_GetArraySize(get(body, "items")), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(me_permissions), cmocka_unit_test(update_me),
	    cmocka_unit_test(preferences),
	    cmocka_unit_test(public_profile), cmocka_unit_test(admin_list),
	    cmocka_unit_test(admin_update),   cmocka_unit_test(admin_delete),
	    cmocka_unit_test(sessions),       cmocka_unit_test(session_limit),
	    cmocka_unit_test(apikeys),        cmocka_unit_test(admin_protection),
	    cmocka_unit_test(parental_lock),
	};

	snprintf(conf, sizeof(conf), "/tmp/revenge-users-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-users-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_users.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
