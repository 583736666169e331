/*
 * Server and user settings and the activity log API through the real
 * FastCGI pool against PostgreSQL and Redis: secret masking (in reads and
 * in the audit rows), the public subset without login, validation named by
 * field with nothing written, every audit filter against the same query in
 * SQL, cursor pages that neither repeat nor skip while rows arrive, stats
 * equal to direct counts, and CSV / JSON lines exports that parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "api.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

/* --- harness: tests/lib/api.h ------------------------------------------- */

static char conf[256], sock[256], log_path[256];
static pid_t server = -1;
static PGconn *pg;

static const char *keys_of(const cJSON *o)
{
	static char out[2048];
	const cJSON *it;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, o)
	{
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? "," : "", it->string);
	}
	return out;
}

/* A response header's value (copied), or NULL. */
static const char *header(const char *name)
{
	static char out[512];
	size_t n = strlen(name);

	for (const char *p = api_last.head; p && *p;
	     p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, sizeof(out), "%.*s", (int)strcspn(v, "\r\n"), v);
			return out;
		}
	}
	return NULL;
}

static struct api_user admin, moder, plain;

static int setup(void **state)
{
	const char *db = testenv_new_database(NULL);

	(void)state;
	snprintf(conf, sizeof(conf), "/tmp/revenge-auditset-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-auditset-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_audit_settings.log", testenv_stack_dir());
	pg = testenv_connect(db);
	api_pg = pg;
	api_sock = sock;
	testenv_write_config(conf, db, sock,
	                     "pool_size = 2\n" TESTENV_FAST_AUTH);
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "set_admin", "admin");
	api_new_user(&moder, "set_moder", "moderator");
	api_new_user(&plain, "set_plain", NULL);
	/* 60 rows in 2001: actors A/B/none, even/odd actions, five resources,
	 * every fourth a failure */
	api_q("INSERT INTO audit_log (at, user_id, action, resource_type, resource_id, success, error,"
	  " ip, user_agent, request_id, old_values)"
	  " SELECT timestamptz '2001-02-03T04:05:06Z' + i * interval '1 minute',"
	  " CASE i % 3 WHEN 0 THEN 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid"
	  " WHEN 1 THEN 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'::uuid END,"
	  " CASE WHEN i % 2 = 0 THEN 'test.even' ELSE 'test.odd' END, 'doc', 'd' || (i % 5),"
	  " i % 4 <> 0, CASE WHEN i % 4 = 0 THEN 'nope' END, '10.0.0.1', 'seed', 'rq-' || i,"
	  " jsonb_build_object('i', i) FROM generate_series(1, 60) AS i",
	  NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	PQfinish(pg);
	unlink(conf);
	return 0;
}

static const cJSON *setting(const cJSON *items, const char *key)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items)
	{
		if (!strcmp(api_str(it, "key"), key))
			return it;
	}
	fail_msg("setting %s missing", key);
	return NULL;
}

static const char *settings_state(void)
{
	return api_q("SELECT md5(coalesce(string_agg(key || '=' || value::text || '@' || updated_at,"
	         " ',' ORDER BY key), '')) FROM server_settings",
	         NULL, NULL);
}

/* --- server settings ---------------------------------------------------- */

static void server_settings_read(void **state)
{
	const cJSON *items, *s;

	(void)state;
	EXPECT(api_call("GET", "/api/v1/settings/server", admin.token, NULL), 200);
	assert_string_equal(keys_of(api_last_json), "items");
	items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 6);
	s = setting(items, "server.name");
	assert_string_equal(keys_of(s), "key,value,type,public,secret,description,updated_at");
	assert_string_equal(api_str(s, "value"), "Revenge");
	assert_string_equal(api_str(s, "type"), "string");
	assert_true(cJSON_IsTrue(api_get(s, "public")));
	assert_true(cJSON_IsFalse(api_get(s, "secret")));
	assert_string_equal(api_str(s, "description"), "Name of this server shown to clients.");
	assert_non_null(api_str(s, "updated_at"));
	s = setting(items, "server.motd");
	assert_string_equal(api_str(s, "value"), "");
	assert_true(cJSON_IsNull(api_get(s, "updated_at")));
	s = setting(items, "metadata.tmdb_api_key");
	assert_string_equal(api_str(s, "value"), "********");
	assert_true(cJSON_IsTrue(api_get(s, "secret")));
	assert_true(cJSON_IsFalse(api_get(s, "public")));
	s = setting(items, "library.scan_interval_minutes");
	assert_string_equal(api_str(s, "type"), "integer");
	assert_int_equal(api_get(s, "value")->valueint, 360);
	s = setting(items, "auth.registration_enabled");
	assert_string_equal(api_str(s, "type"), "boolean");
	assert_true(cJSON_IsTrue(api_get(s, "value")));

	EXPECT(api_call("GET", "/api/v1/settings/server/auth.default_role", admin.token, NULL), 200);
	assert_string_equal(keys_of(api_last_json),
	                    "key,value,type,public,secret,description,updated_at");
	assert_string_equal(api_str(api_last_json, "value"), "user");
	EXPECT_FIELD(api_call("GET", "/api/v1/settings/server/no.such", admin.token, NULL), 404, "key");
	EXPECT(api_call("GET", "/api/v1/settings/server", moder.token, NULL), 403);
	EXPECT(api_call("GET", "/api/v1/settings/server/server.name", plain.token, NULL), 403);
	EXPECT(api_call("GET", "/api/v1/settings/server", NULL, NULL), 401);
}

static void server_settings_write(void **state)
{
	static const struct {
		const char *key, *body, *field;
		int status;
	} bad[] = {
	    {"server.name", "{\"value\":5}", "value", 400},
	    {"server.name", "{\"value\":\"\"}", "value", 400},
	    {"server.name", "{\"value\":null}", "value", 400},
	    {"server.name", "{\"value\":[\"x\"]}", "value", 400},
	    {"server.name", "{}", "value", 400},
	    {"server.name", "{\"value\":\"x\",\"extra\":1}", "extra", 400},
	    {"server.name", "{", "body", 400},
	    {"server.name", "{\"value\":\"a\\u0000b\"}", "body", 400},
	    {"server.name", "\"just a string\"", "body", 400},
	    {"library.scan_interval_minutes", "{\"value\":\"10\"}", "value", 400},
	    {"library.scan_interval_minutes", "{\"value\":10.5}", "value", 400},
	    {"library.scan_interval_minutes", "{\"value\":1e300}", "value", 400},
	    {"library.scan_interval_minutes", "{\"value\":1e999}", "value", 400},
	    {"library.scan_interval_minutes", "{\"value\":-1}", "value", 400},
	    {"library.scan_interval_minutes", "{\"value\":20000}", "value", 400},
	    {"auth.registration_enabled", "{\"value\":\"yes\"}", "value", 400},
	    {"auth.registration_enabled", "{\"value\":1}", "value", 400},
	    {"auth.default_role", "{\"value\":\"ghost\"}", "value", 400},
	    {"auth.default_role", "{\"value\":\"user'; --\"}", "value", 400},
	    {"no.such", "{\"value\":1}", "key", 404},
	};
	char uri[256];
	const char *before = settings_state();
	const cJSON *pub;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/v1/settings/server/%s", bad[i].key);
		int got = api_call("PUT", uri, admin.token, bad[i].body);
		if (got != bad[i].status || strcmp(api_problem_field(), bad[i].field))
			fail_msg("case %zu (%s %s): %d %s", i, bad[i].key, bad[i].body, got,
			         api_last.body);
	}
	EXPECT(api_call("PUT", "/api/v1/settings/server/server.name", moder.token, "{\"value\":\"x\"}"),
	       403);
	assert_string_equal(settings_state(), before);
	assert_string_equal(
	    api_q("SELECT count(*) FROM audit_log WHERE action = 'settings.update'", NULL, NULL), "0");

	/* a secret: stored, never shown, never logged */
	EXPECT(api_call("PUT", "/api/v1/settings/server/metadata.tmdb_api_key", admin.token,
	            "{\"value\":\"sekrit-123\"}"),
	       200);
	assert_string_equal(api_str(api_last_json, "value"), "********");
	assert_non_null(api_str(api_last_json, "updated_at"));
	assert_string_equal(api_q("SELECT value::text || ' ' || updated_by FROM server_settings"
	                      " WHERE key = 'metadata.tmdb_api_key'",
	                      NULL, NULL),
	                    api_q("SELECT '\"sekrit-123\" ' || $1", admin.id, NULL));
	EXPECT(api_call("GET", "/api/v1/settings/server/metadata.tmdb_api_key", admin.token, NULL),
	       200);
	assert_string_equal(api_str(api_last_json, "value"), "********");
	assert_string_equal(
	    api_q("SELECT old_values::text || ' -> ' || new_values::text || ' ' ||"
	      " resource_type || ' ' || user_id FROM audit_log"
	      " WHERE action = 'settings.update' AND resource_id ="
	      " 'metadata.tmdb_api_key'",
	      NULL, NULL),
	    api_q("SELECT '{\"value\": \"********\"} -> {\"value\": \"********\"} setting '"
	      " || $1",
	      admin.id, NULL));
	assert_string_equal(
	    api_q("SELECT count(*) FROM audit_log WHERE coalesce(old_values::text, '') ||"
	      " coalesce(new_values::text, '') || coalesce(error, '') LIKE '%sekrit%'",
	      NULL, NULL),
	    "0");

	EXPECT(api_call("PUT", "/api/v1/settings/server/server.name", admin.token,
	            "{\"value\":\"Home Cinema\"}"),
	       200);
	assert_string_equal(api_str(api_last_json, "value"), "Home Cinema");
	assert_string_equal(api_q("SELECT old_values::text || ' -> ' || new_values::text FROM audit_log"
	                      " WHERE action = 'settings.update' AND resource_id = 'server.name'",
	                      NULL, NULL),
	                    "{\"value\": \"Revenge\"} -> {\"value\": \"Home Cinema\"}");
	EXPECT(api_call("PUT", "/api/v1/settings/server/library.scan_interval_minutes", admin.token,
	            "{\"value\":30}"),
	       200);
	assert_int_equal(api_get(api_last_json, "value")->valueint, 30);
	EXPECT(api_call("PUT", "/api/v1/settings/server/server.motd", admin.token,
	            "{\"value\":\"Welcome, \\\"friends\\\"'; DROP TABLE users; --\"}"),
	       200);
	assert_string_equal(
	    api_q("SELECT value #>> '{}' FROM server_settings WHERE key = 'server.motd'", NULL, NULL),
	    "Welcome, \"friends\"'; DROP TABLE users; --");

	/* the public subset, without logging in */
	EXPECT(api_call("GET", "/api/v1/settings/public", NULL, NULL), 200);
	assert_string_equal(keys_of(api_last_json),
	                    "auth.registration_enabled,server.name,server.motd");
	pub = api_last_json;
	assert_true(cJSON_IsTrue(api_get(pub, "auth.registration_enabled")));
	assert_string_equal(api_str(pub, "server.name"), "Home Cinema");
	assert_null(strstr(api_last.body, "sekrit"));
	assert_null(strstr(api_last.body, "tmdb"));

	/* settings take effect */
	EXPECT(api_call("PUT", "/api/v1/settings/server/auth.registration_enabled", admin.token,
	            "{\"value\":false}"),
	       200);
	EXPECT(api_call("POST", "/api/v1/auth/register", NULL,
	            "{\"username\":\"late_comer\",\"email\":\"late@example.com\","
	            "\"password\":\"long enough\"}"),
	       403);
	EXPECT(api_call("PUT", "/api/v1/settings/server/auth.registration_enabled", admin.token,
	            "{\"value\":true}"),
	       200);
}

/* Setting the default role is granting it to every future account. */
static void default_role_guarded(void **state)
{
	struct api_user s, later;
	char uri[256];

	(void)state;
	api_new_user(&s, "settings_keeper", NULL);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	            "{\"name\":\"settings-admin\",\"permissions\":[\"settings:read\","
	            "\"settings:write\"]}"),
	       201);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", s.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"settings-admin\"}"), 201);
	EXPECT_FIELD(api_call("PUT", "/api/v1/settings/server/auth.default_role", s.token,
	                  "{\"value\":\"admin\"}"),
	             403, "value");
	EXPECT_FIELD(api_call("PUT", "/api/v1/settings/server/auth.default_role", s.token,
	                  "{\"value\":\"moderator\"}"),
	             403, "value");
	assert_string_equal(api_q("SELECT value #>> '{}' FROM server_settings WHERE key ="
	                      " 'auth.default_role'",
	                      NULL, NULL),
	                    "user");
	EXPECT(api_call("PUT", "/api/v1/settings/server/auth.default_role", s.token,
	            "{\"value\":\"guest\"}"),
	       200);
	api_new_user(&later, "guest_by_default", NULL);
	assert_string_equal(api_q("SELECT string_agg(r.name, ',') FROM user_roles ur JOIN roles r"
	                      " ON r.id = ur.role_id WHERE ur.user_id = $1",
	                      later.id, NULL),
	                    "guest");
	/* guests keep no settings of their own */
	EXPECT(api_call("GET", "/api/v1/settings/user", later.token, NULL), 403);
	EXPECT(api_call("PUT", "/api/v1/settings/server/auth.default_role", admin.token,
	            "{\"value\":\"user\"}"),
	       200);
}

/* --- user settings ---------------------------------------------------------- */

static void user_settings(void **state)
{
	static const struct {
		const char *key, *body, *field;
		int status;
	} bad[] = {
	    {"Bad", "{\"value\":1}", "key", 400},
	    {"_x", "{\"value\":1}", "key", 400},
	    {"9x", "{\"value\":1}", "key", 400},
	    {"a%20b", "{\"value\":1}", "key", 400},
	    {"a%3BDROP%20TABLE", "{\"value\":1}", "key", 400},
	    {"x1234567890123456789012345678901234567890123456789012345678901234", "{\"value\":1}",
	     "key", 400},
	    {"ok", "{", "body", 400},
	    {"ok", "{}", "value", 400},
	    {"ok", "{\"value\":1,\"x\":2}", "x", 400},
	    {"ok", "{\"value\":\"\\u0000\"}", "body", 400},
	    {"ok", "{\"value\":[1e999]}", "value", 400},
	};
	char uri[256];

	(void)state;
	EXPECT(api_call("GET", "/api/v1/settings/user", plain.token, NULL), 200);
	assert_string_equal(api_last.body, "{}");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/v1/settings/user/%s", bad[i].key);
		int got = api_call("PUT", uri, plain.token, bad[i].body);
		if (got != bad[i].status || strcmp(api_problem_field(), bad[i].field))
			fail_msg("case %zu (%s %s): %d %s", i, bad[i].key, bad[i].body, got,
			         api_last.body);
	}
	EXPECT_FIELD(api_call("GET", "/api/v1/settings/user/Bad", plain.token, NULL), 400, "key");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/settings/user/Bad", plain.token, NULL), 400, "key");
	assert_string_equal(api_q("SELECT count(*) FROM user_settings", NULL, NULL), "0");

	EXPECT(api_call("PUT", "/api/v1/settings/user/ui.theme-color", plain.token,
	            "{\"value\":{\"a\":[1,2,\"x\"],\"b\":null}}"),
	       201);
	assert_string_equal(keys_of(api_last_json), "key,value,updated_at");
	assert_string_equal(api_str(api_last_json, "key"), "ui.theme-color");
	assert_int_equal(cJSON_GetArraySize(api_get(api_get(api_last_json, "value"), "a")), 3);
	assert_true(cJSON_IsNull(api_get(api_get(api_last_json, "value"), "b")));
	EXPECT(api_call("PUT", "/api/v1/settings/user/ui.theme-color", plain.token,
	            "{\"value\":\"dark\"}"),
	       200);
	assert_string_equal(api_str(api_last_json, "value"), "dark");
	EXPECT(api_call("GET", "/api/v1/settings/user/ui.theme-color", plain.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "value"), "dark");
	EXPECT(api_call("PUT", "/api/v1/settings/user/empty", plain.token, "{\"value\":null}"), 201);
	assert_true(cJSON_IsNull(api_get(api_last_json, "value")));
	EXPECT(api_call("GET", "/api/v1/settings/user", plain.token, NULL), 200);
	assert_string_equal(keys_of(api_last_json), "empty,ui.theme-color");
	assert_string_equal(api_str(api_last_json, "ui.theme-color"), "dark");

	/* one's own only */
	EXPECT(api_call("GET", "/api/v1/settings/user", moder.token, NULL), 200);
	assert_string_equal(api_last.body, "{}");
	EXPECT_FIELD(api_call("GET", "/api/v1/settings/user/ui.theme-color", moder.token, NULL), 404,
	             "key");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/settings/user/ui.theme-color", moder.token, NULL), 404,
	             "key");

	EXPECT(api_call("DELETE", "/api/v1/settings/user/ui.theme-color", plain.token, NULL), 204);
	EXPECT_FIELD(api_call("DELETE", "/api/v1/settings/user/ui.theme-color", plain.token, NULL), 404,
	             "key");
	EXPECT_FIELD(api_call("GET", "/api/v1/settings/user/ui.theme-color", plain.token, NULL), 404,
	             "key");
	EXPECT(api_call("GET", "/api/v1/settings/user", NULL, NULL), 401);
	EXPECT(api_call("PUT", "/api/v1/settings/user/x", NULL, "{\"value\":1}"), 401);
}

static void user_settings_limits(void **state)
{
	static char body[40000];
	struct api_user w;

	(void)state;
	api_new_user(&w, "many_settings", NULL);
	/* 16385 bytes serialized (16383 + quotes): over */
	snprintf(body, sizeof(body), "{\"value\":\"%0*d\"}", 16383, 0);
	EXPECT_FIELD(api_call("PUT", "/api/v1/settings/user/big", w.token, body), 413, "value");
	snprintf(body, sizeof(body), "{\"value\":\"%0*d\"}", 10000, 0);
	EXPECT(api_call("PUT", "/api/v1/settings/user/big", w.token, body), 201);
	assert_string_equal(
	    api_q("SELECT length(value #>> '{}') FROM user_settings WHERE user_id = $1", w.id, NULL),
	    "10000");

	api_q("INSERT INTO user_settings (user_id, key, value) SELECT $1, 'k' || i, to_jsonb(i)"
	  " FROM generate_series(1, 99) AS i",
	  w.id, NULL);
	EXPECT_FIELD(api_call("PUT", "/api/v1/settings/user/one-more", w.token, "{\"value\":1}"), 409,
	             "key");
	assert_string_equal(api_q("SELECT count(*) FROM user_settings WHERE user_id = $1", w.id, NULL),
	                    "100");
	EXPECT(api_call("PUT", "/api/v1/settings/user/k5", w.token, "{\"value\":\"replaced\"}"), 200);
	EXPECT(api_call("DELETE", "/api/v1/settings/user/k6", w.token, NULL), 204);
	EXPECT(api_call("PUT", "/api/v1/settings/user/one-more", w.token, "{\"value\":1}"), 201);
	EXPECT(api_call("GET", "/api/v1/settings/user", w.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_last_json), 100);
	assert_string_equal(api_str(api_last_json, "k5"), "replaced");
}

/* --- activity log ------------------------------------------------------------ */

#define ACTOR_A "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define ENTRY_KEYS                                                                                 \
	"id,at,user_id,action,resource_type,resource_id,success,error,ip,user_agent,request_id,"   \
	"old_values,new_values"

/* Ids of every page of `uri` (which has a query string), walked by cursor,
 * comma-joined; between pages `between` runs (may be NULL). */
static char *walk(const char *uri, const char *token, void (*between)(void))
{
	static char ids[65536];
	char next[2048];
	size_t n = 0;
	int pages = 0;

	ids[0] = '\0';
	snprintf(next, sizeof(next), "%s", uri);
	for (;;) {
		const cJSON *it;

		EXPECT(api_call("GET", next, token, NULL), 200);
		assert_true(++pages < 1000);
		cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
		{
			n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%lld", n ? "," : "",
			                      (long long)api_get(it, "id")->valuedouble);
		}
		if (!api_str(api_last_json, "next_cursor"))
			break;
		assert_true(api_get(api_last_json, "items")->child != NULL);
		snprintf(next, sizeof(next), "%s&cursor=%s", uri, api_str(api_last_json, "next_cursor"));
		if (between)
			between();
	}
	return ids;
}

static const char *sql_ids(const char *where)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
	         "SELECT coalesce(string_agg(id::text, ',' ORDER BY at DESC, id DESC), '')"
	         " FROM audit_log WHERE %s",
	         where);
	return api_q(sql, NULL, NULL);
}

static void audit_filters(void **state)
{
	static const struct {
		const char *query, *where;
	} cases[] = {
	    {"user_id=" ACTOR_A, "user_id = '" ACTOR_A "'"},
	    {"user_id=AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA", "user_id = '" ACTOR_A "'"},
	    {"action=test.even", "action = 'test.even'"},
	    {"resource_type=doc&resource_id=d3", "resource_type = 'doc' AND resource_id = 'd3'"},
	    {"resource_id=d3", "resource_id = 'd3'"},
	    {"success=false", "NOT success"},
	    {"success=0&action=test.even", "NOT success AND action = 'test.even'"},
	    {"from=2001-02-03T04:30:00Z&to=2001-02-03T05:00:00Z",
	     "at >= '2001-02-03T04:30:00Z' AND at < '2001-02-03T05:00:00Z'"},
	    {"from=2001-02-03T06:30:00%2B02:00&to=2001-02-03T07:00:00%2B02:00",
	     "at >= '2001-02-03T04:30:00Z' AND at < '2001-02-03T05:00:00Z'"},
	    {"from=2001-02-03T06:30:00+02:00&to=2001-02-03T01:00:00-04:00",
	     "at >= '2001-02-03T04:30:00Z' AND at < '2001-02-03T05:00:00Z'"},
	    {"from=2001-02-03%2004:30:06.5z", "at >= '2001-02-03T04:30:06.5Z'"},
	    {"to=2001-02-03T04:10:06Z&user_id=" ACTOR_A,
	     "at < '2001-02-03T04:10:06Z' AND user_id = '" ACTOR_A "'"},
	    {"action=test.even&success=true&resource_id=d4&from=2001-01-01T00:00:00Z",
	     "action = 'test.even' AND success AND resource_id = 'd4'"},
	    {"action=no.such.action", "false"},
	};
	char uri[1024];
	const cJSON *e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = sql_ids(cases[i].where);
		snprintf(uri, sizeof(uri), "/api/v1/admin/activity?limit=7&%s", cases[i].query);
		const char *got = walk(uri, admin.token, NULL);
		if (strcmp(got, want))
			fail_msg("case %zu (%s): got %s, want %s", i, cases[i].query, got, want);
		assert_true(*want || !strcmp(cases[i].where, "false"));
	}
	/* the per-user and per-resource views are the same filters */
	assert_string_equal(
	    walk("/api/v1/admin/activity/users/" ACTOR_A "?limit=9", moder.token, NULL),
	    sql_ids("user_id = '" ACTOR_A "'"));
	assert_string_equal(walk("/api/v1/admin/activity/users/" ACTOR_A
	                         "?limit=50&action=test.odd",
	                         moder.token, NULL),
	                    sql_ids("user_id = '" ACTOR_A "' AND action = 'test.odd'"));
	assert_string_equal(
	    walk("/api/v1/admin/activity/resources/doc/d2?limit=5", admin.token, NULL),
	    sql_ids("resource_type = 'doc' AND resource_id = 'd2'"));
	assert_string_equal(
	    walk("/api/v1/admin/activity/resources/doc/d2?limit=5&success=false", admin.token,
	         NULL),
	    sql_ids("resource_type = 'doc' AND resource_id = 'd2' AND NOT success"));

	/* an entry, field by field */
	EXPECT(api_call("GET", "/api/v1/admin/activity?action=test.even&limit=1", admin.token, NULL),
	       200);
	e = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(keys_of(e), ENTRY_KEYS);
	assert_string_equal(api_str(e, "at"), "2001-02-03T05:05:06.000Z");
	assert_string_equal(api_str(e, "user_id"), ACTOR_A);
	assert_string_equal(api_str(e, "resource_type"), "doc");
	assert_string_equal(api_str(e, "resource_id"), "d0");
	assert_true(cJSON_IsFalse(api_get(e, "success")));
	assert_string_equal(api_str(e, "error"), "nope");
	assert_string_equal(api_str(e, "ip"), "10.0.0.1");
	assert_string_equal(api_str(e, "user_agent"), "seed");
	assert_string_equal(api_str(e, "request_id"), "rq-60");
	assert_int_equal(api_get(api_get(e, "old_values"), "i")->valueint, 60);
	assert_true(cJSON_IsNull(api_get(e, "new_values")));
	assert_non_null(api_str(api_last_json, "next_cursor"));

	/* offset mode adds the total */
	EXPECT(api_call("GET", "/api/v1/admin/activity?action=test.even&offset=5&limit=5", admin.token,
	            NULL),
	       200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 30);
	assert_int_equal(api_get(api_last_json, "offset")->valueint, 5);
	assert_int_equal(api_get(api_last_json, "limit")->valueint, 5);
	assert_int_equal(
	    (long long)api_get(cJSON_GetArrayItem(api_get(api_last_json, "items"), 0), "id")->valuedouble,
	    atoll(api_q("SELECT id FROM audit_log WHERE action = 'test.even'"
	            " ORDER BY at DESC, id DESC OFFSET 5 LIMIT 1",
	            NULL, NULL)));

	EXPECT(api_call("GET", "/api/v1/admin/activity", plain.token, NULL), 403);
	EXPECT(api_call("GET", "/api/v1/admin/activity/stats", plain.token, NULL), 403);
	EXPECT(api_call("GET", "/api/v1/admin/activity", NULL, NULL), 401);
}

static void audit_bad_params(void **state)
{
	static const struct {
		const char *uri, *field;
	} cases[] = {
	    {"/api/v1/admin/activity?user_id=nope", "user_id"},
	    {"/api/v1/admin/activity?user_id=" ACTOR_A "x", "user_id"},
	    {"/api/v1/admin/activity?success=maybe", "success"},
	    {"/api/v1/admin/activity?from=2001-13-01T00:00:00Z", "from"},
	    {"/api/v1/admin/activity?from=yesterday", "from"},
	    {"/api/v1/admin/activity?from=2001-02-29T00:00:00Z", "from"},
	    {"/api/v1/admin/activity?from=2001-02-03", "from"},
	    {"/api/v1/admin/activity?from=2001-02-03T04:00:00.Z", "from"},
	    {"/api/v1/admin/activity?from=2001-02-03T04:00:00.1234567890Z", "from"},
	    {"/api/v1/admin/activity?from=2001-02-03T04:00:00%2B2:00", "from"},
	    {"/api/v1/admin/activity?from=2001-02-03T04:00:00Z%27%20OR%201=1--", "from"},
	    {"/api/v1/admin/activity?from=0000-01-01T00:00:00Z", "from"},
	    {"/api/v1/admin/activity?to=2001-02-03T24:00:00Z", "to"},
	    {"/api/v1/admin/activity?to=2001-02-03T04:00:00", "to"},
	    {"/api/v1/admin/activity?to=2001-02-03T04:60:00Z", "to"},
	    {"/api/v1/admin/activity?from=2001-02-03T05:00:00Z&to=2001-02-03T04:59:59.999Z", "to"},
	    {"/api/v1/admin/activity?cursor=abc", "cursor"},
	    {"/api/v1/admin/activity?cursor=YQ.AAAAAAAAAAAAAAAAAAAAAA", "cursor"},
	    {"/api/v1/admin/activity?limit=0", "limit"},
	    {"/api/v1/admin/activity?limit=101", "limit"},
	    {"/api/v1/admin/activity?limit=ten", "limit"},
	    {"/api/v1/admin/activity?offset=-1", "offset"},
	    {"/api/v1/admin/activity?action=", "action"},
	    {"/api/v1/admin/activity?action=x12345678901234567890123456789012345678901234567890"
	     "12345678901234",
	     "action"},
	    {"/api/v1/admin/activity?action=a%01b", "action"},
	    {"/api/v1/admin/activity?unknown=1", "unknown"},
	    {"/api/v1/admin/activity?success=true&success=false", "success"},
	    {"/api/v1/admin/activity/users/nope", "id"},
	    {"/api/v1/admin/activity/users/" ACTOR_A "?user_id=" ACTOR_A, "user_id"},
	    {"/api/v1/admin/activity/resources/x12345678901234567890123456789012345678901234567890"
	     "12345678901234/y",
	     "type"},
	    {"/api/v1/admin/activity/resources/doc/?x", NULL},
	    {"/api/v1/admin/activity/stats?from=2001", "from"},
	    {"/api/v1/admin/activity/stats?action=test.even", "action"},
	    {"/api/v1/admin/activity/export", "format"},
	    {"/api/v1/admin/activity/export?format=xml", "format"},
	    {"/api/v1/admin/activity/export?format=csv&to=never", "to"},
	};
	char uri[1024], rid[200], cursor[600];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = api_call("GET", cases[i].uri, admin.token, NULL);
		if (!cases[i].field) {
			if (got != 404)
				fail_msg("case %zu (%s): %d %s", i, cases[i].uri, got, api_last.body);
			continue;
		}
		if (got != 400 || strcmp(api_problem_field(), cases[i].field))
			fail_msg("case %zu (%s): %d %s", i, cases[i].uri, got, api_last.body);
	}
	memset(rid, 'r', 129);
	rid[129] = '\0';
	snprintf(uri, sizeof(uri), "/api/v1/admin/activity?resource_id=%s", rid);
	EXPECT_FIELD(api_call("GET", uri, admin.token, NULL), 400, "resource_id");
	snprintf(uri, sizeof(uri), "/api/v1/admin/activity/resources/doc/%s", rid);
	EXPECT_FIELD(api_call("GET", uri, admin.token, NULL), 400, "id");

	/* a cursor of another list, an edited cursor, cursor with offset */
	EXPECT(api_call("GET", "/api/v1/rbac/roles?limit=1", admin.token, NULL), 200);
	snprintf(uri, sizeof(uri), "/api/v1/admin/activity?cursor=%s",
	         api_str(api_last_json, "next_cursor"));
	EXPECT_FIELD(api_call("GET", uri, admin.token, NULL), 400, "cursor");
	EXPECT(api_call("GET", "/api/v1/admin/activity?limit=1", admin.token, NULL), 200);
	snprintf(cursor, sizeof(cursor), "%s", api_str(api_last_json, "next_cursor"));
	cursor[2] = cursor[2] == 'A' ? 'B' : 'A';
	snprintf(uri, sizeof(uri), "/api/v1/admin/activity?cursor=%s", cursor);
	EXPECT_FIELD(api_call("GET", uri, admin.token, NULL), 400, "cursor");
	EXPECT(api_call("GET", "/api/v1/admin/activity?limit=1", admin.token, NULL), 200);
	snprintf(uri, sizeof(uri), "/api/v1/admin/activity?offset=0&cursor=%s",
	         api_str(api_last_json, "next_cursor"));
	EXPECT_FIELD(api_call("GET", uri, admin.token, NULL), 400, "offset");
	/* a leap day is a day */
	EXPECT(api_call("GET", "/api/v1/admin/activity?from=2004-02-29T23:59:59.999999Z", admin.token,
	            NULL),
	       200);
}

static void insert_three(void)
{
	api_q("INSERT INTO audit_log (action, success) SELECT 'test.live', true FROM "
	  "generate_series(1, 3)",
	  NULL, NULL);
}

/* Rows arriving between pages neither repeat nor push rows off a page. */
static void audit_pages_under_inserts(void **state)
{
	char *want;

	(void)state;
	want = strdup(sql_ids("true"));
	assert_string_equal(walk("/api/v1/admin/activity?limit=7", admin.token, insert_three),
	                    want);
	assert_true(
	    atoi(api_q("SELECT count(*) FROM audit_log WHERE action = 'test.live'", NULL, NULL)) >= 30);
	free(want);
	/* the default page size is 20 */
	EXPECT(api_call("GET", "/api/v1/admin/activity", admin.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 20);
}

static long long num(const cJSON *o, const char *key)
{
	const cJSON *v = api_get(o, key);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", key);
	return (long long)v->valuedouble;
}

static void check_stats(const char *where)
{
	char sql[512];
	const cJSON *it;

	snprintf(sql, sizeof(sql),
	         "SELECT count(*) || ',' || count(*) FILTER (WHERE success) || ',' ||"
	         " count(*) FILTER (WHERE NOT success) || ',' || count(DISTINCT user_id) || ',' ||"
	         " count(DISTINCT action) FROM audit_log WHERE %s",
	         where);
	char totals[128];
	snprintf(totals, sizeof(totals), "%lld,%lld,%lld,%lld,%d", num(api_last_json, "total"),
	         num(api_last_json, "succeeded"), num(api_last_json, "failed"),
	         num(api_last_json, "distinct_users"), cJSON_GetArraySize(api_get(api_last_json, "by_action")));
	assert_string_equal(totals, api_q(sql, NULL, NULL));
	cJSON_ArrayForEach(it, api_get(api_last_json, "by_action"))
	{
		char want[64];
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) || ',' || count(*) FILTER (WHERE NOT success) FROM audit_log"
		    " WHERE action = $1 AND %s",
		    where);
		snprintf(want, sizeof(want), "%lld,%lld", num(it, "count"), num(it, "failed"));
		assert_string_equal(want, api_q(sql, api_str(it, "action"), NULL));
	}
}

static void audit_stats_match_sql(void **state)
{
	(void)state;
	EXPECT(api_call("GET", "/api/v1/admin/activity/stats", moder.token, NULL), 200);
	assert_string_equal(keys_of(api_last_json),
	                    "from,to,total,succeeded,failed,distinct_users,by_action");
	assert_true(cJSON_IsNull(api_get(api_last_json, "from")));
	check_stats("true");
	/* sorted by count, descending */
	assert_true(num(cJSON_GetArrayItem(api_get(api_last_json, "by_action"), 0), "count") >=
	            num(cJSON_GetArrayItem(api_get(api_last_json, "by_action"), 1), "count"));

	EXPECT(
	    api_call("GET",
	         "/api/v1/admin/activity/stats?from=2001-02-03T04:30:00Z&to=2001-02-03T05:00:00Z",
	         admin.token, NULL),
	    200);
	assert_string_equal(api_str(api_last_json, "from"), "2001-02-03T04:30:00Z");
	assert_int_equal(num(api_last_json, "total"), 30);
	assert_int_equal(num(api_last_json, "distinct_users"), 2);
	check_stats("at >= '2001-02-03T04:30:00Z' AND at < '2001-02-03T05:00:00Z'");
}

/* --- export ------------------------------------------------------------------- */

struct csv {
	int rows;
	int cols[256];
	char *cell[256][16];
};

/* Strict RFC 4180: quoted fields with "" escapes, CRLF after every record. */
static void csv_parse(const char *s, struct csv *c)
{
	static char field[65536];
	size_t fl = 0;
	int f = 0;
	bool quoted = false, was_quoted = false;

	memset(c, 0, sizeof(*c));
	for (const char *p = s; *p; p++) {
		if (quoted) {
			if (*p == '"' && p[1] == '"')
				field[fl++] = '"', p++;
			else if (*p == '"')
				quoted = false;
			else
				field[fl++] = *p;
			continue;
		}
		if (*p == '"') {
			if (fl || was_quoted)
				fail_msg("a quote inside an unquoted field in row %d", c->rows);
			quoted = was_quoted = true;
			continue;
		}
		if (*p != ',' && *p != '\r') {
			if (*p == '\n' || was_quoted)
				fail_msg("bad byte 0x%02x after a field in row %d", *p, c->rows);
			field[fl++] = *p;
			continue;
		}
		field[fl] = '\0';
		assert_true(c->rows < 256 && f < 16);
		c->cell[c->rows][f++] = strdup(field);
		fl = 0;
		was_quoted = false;
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			p++;
			c->cols[c->rows++] = f;
			f = 0;
		}
	}
	assert_false(quoted);
	assert_int_equal(fl, 0); /* the last record ends with CRLF too */
}

static void csv_free(struct csv *c)
{
	for (int r = 0; r < c->rows; r++)
		for (int f = 0; f < c->cols[r]; f++)
			free(c->cell[r][f]);
}

static void audit_export_csv(void **state)
{
	static const char *ua = "=HYPERLINK(\"http://evil.example\"),\"x\", y";
	struct csv c;
	char want_ua[256];
	int found = 0;

	(void)state;
	/* a failed login records the user agent */
	EXPECT(api_callx("POST", "/api/v1/auth/login", NULL,
	             "{\"username\":\"no_such_person\",\"password\":\"whatever1\"}", ua),
	       401);
	api_q("INSERT INTO audit_log (action, error, resource_id, user_agent, new_values, success)"
	  " VALUES ('test.csv', '-2+3', '+cmd', '@SUM(1+1)', '{\"a\": 1, \"b\": \"x,\\\"y\\\"\"}',"
	  " false)",
	  NULL, NULL);

	EXPECT(api_call("GET",
	            "/api/v1/admin/activity/export?format=csv&action=user.login&success=false",
	            admin.token, NULL),
	       200);
	assert_string_equal(header("Content-Type"), "text/csv; charset=utf-8");
	assert_non_null(strstr(header("Content-Disposition"), "attachment; filename=\"activity-"));
	assert_non_null(strstr(header("Content-Disposition"), ".csv\""));
	assert_null(header("X-Export-Truncated"));
	csv_parse(api_last.body, &c);
	assert_int_equal(c.rows - 1, atoi(api_q("SELECT count(*) FROM audit_log WHERE action ="
	                                    " 'user.login' AND NOT success",
	                                    NULL, NULL)));
	assert_int_equal(atoi(header("X-Export-Rows")), c.rows - 1);
	assert_int_equal(c.cols[0], 13);
	{
		char hdr[512] = "";
		for (int i = 0; i < 13; i++)
			snprintf(hdr + strlen(hdr), sizeof(hdr) - strlen(hdr), "%s%s", i ? "," : "",
			         c.cell[0][i]);
		assert_string_equal(hdr, ENTRY_KEYS);
	}
	snprintf(want_ua, sizeof(want_ua), "'%s", ua);
	for (int r = 1; r < c.rows; r++) {
		assert_int_equal(c.cols[r], 13);
		assert_string_equal(c.cell[r][3], "user.login");
		assert_string_equal(c.cell[r][6], "false");
		if (!strcmp(c.cell[r][9], want_ua)) {
			found++;
			assert_string_equal(
			    c.cell[r][0],
			    api_q("SELECT id FROM audit_log WHERE user_agent = $1", ua, NULL));
		}
	}
	assert_int_equal(found, 1);
	csv_free(&c);

	/* formula prefixes and JSON with commas and quotes */
	EXPECT(api_call("GET", "/api/v1/admin/activity/export?format=csv&action=test.csv", admin.token,
	            NULL),
	       200);
	csv_parse(api_last.body, &c);
	assert_int_equal(c.rows, 2);
	assert_string_equal(c.cell[1][5], "'+cmd");
	assert_string_equal(c.cell[1][7], "'-2+3");
	assert_string_equal(c.cell[1][9], "'@SUM(1+1)");
	assert_string_equal(c.cell[1][12], "{\"a\": 1, \"b\": \"x,\\\"y\\\"\"}");
	assert_string_equal(c.cell[1][2], ""); /* null */
	csv_free(&c);
	assert_string_equal(api_q("SELECT new_values::text FROM audit_log WHERE action = 'audit.export'"
	                      " ORDER BY id DESC LIMIT 1",
	                      NULL, NULL),
	                    "{\"rows\": 1, \"format\": \"csv\", \"truncated\": false}");

	/* export needs its own permission */
	EXPECT(api_call("GET", "/api/v1/admin/activity/export?format=csv", moder.token, NULL), 403);
}

static void audit_export_jsonl(void **state)
{
	const char *want;
	char got[8192] = "";
	int lines = 0;

	(void)state;
	EXPECT(api_call("GET", "/api/v1/admin/activity/export?format=jsonl&action=test.even",
	            admin.token, NULL),
	       200);
	assert_string_equal(header("Content-Type"), "application/x-ndjson");
	assert_non_null(strstr(header("Content-Disposition"), ".jsonl\""));
	for (char *line = api_last.body, *nl; *line; line = nl + 1) {
		cJSON *o;
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		o = cJSON_Parse(line);
		assert_non_null(o);
		assert_string_equal(keys_of(o), ENTRY_KEYS);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%lld", lines ? "," : "",
		         (long long)api_get(o, "id")->valuedouble);
		cJSON_Delete(o);
		lines++;
	}
	want = sql_ids("action = 'test.even'");
	assert_string_equal(got, want);
	assert_int_equal(lines, 30);
	assert_int_equal(atoi(header("X-Export-Rows")), 30);
}

/* Past AUDIT_EXPORT_MAX_ROWS the export stops and says so. */
static void audit_export_capped(void **state)
{
	(void)state;
	api_q("INSERT INTO audit_log (at, action) SELECT timestamptz '1999-01-01T00:00:00Z' +"
	  " i * interval '1 second', 'cap' FROM generate_series(1, 100005) AS i",
	  NULL, NULL);
	EXPECT(
	    api_call("GET", "/api/v1/admin/activity/export?format=csv&action=cap", admin.token, NULL),
	    200);
	assert_string_equal(header("X-Export-Rows"), "100000");
	assert_string_equal(header("X-Export-Truncated"), "true");
	assert_non_null(strstr(api_last.body, "id,at,user_id"));
	api_q("DELETE FROM audit_log WHERE action = 'cap'", NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(server_settings_read),  cmocka_unit_test(server_settings_write),
	    cmocka_unit_test(default_role_guarded),  cmocka_unit_test(user_settings),
	    cmocka_unit_test(user_settings_limits),  cmocka_unit_test(audit_filters),
	    cmocka_unit_test(audit_bad_params),      cmocka_unit_test(audit_pages_under_inserts),
	    cmocka_unit_test(audit_stats_match_sql), cmocka_unit_test(audit_export_csv),
	    cmocka_unit_test(audit_export_jsonl),    cmocka_unit_test(audit_export_capped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
