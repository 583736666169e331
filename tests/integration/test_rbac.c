/*
 * Roles, permissions and assignments through the real FastCGI pool (no
 * nginx) against PostgreSQL and Redis: the happy paths with their exact
 * fields and audit rows, every escalation rule of auth/rbac.h refused with
 * the database left as it was, bad input named by field, and cached
 * permission sets dropped the moment a change commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
/* Everything the RBAC endpoints can change, as one digest. */
static const char *rbac_state(void)
{
	return api_q("SELECT md5(coalesce((SELECT string_agg(name || '|' || description || '|' ||"
	         " is_builtin || '|' || updated_at, ',' ORDER BY name) FROM roles), '') ||"
	         " coalesce((SELECT string_agg(r.name || ':' || permission, ',' ORDER BY r.name,"
	         " permission) FROM role_permissions rp JOIN roles r ON r.id = rp.role_id), '') ||"
	         " coalesce((SELECT string_agg(user_id || ':' || role_id, ',' ORDER BY user_id,"
	         " role_id) FROM user_roles), ''))",
	         NULL, NULL);
}

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return true;
	}
	return false;
}

/* The keys of object o, in order, joined by commas. */
static const char *keys_of(const cJSON *o)
{
	static char out[1024];
	const cJSON *it;
	size_t n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, o)
	{
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? "," : "", it->string);
	}
	return out;
}

static const cJSON *item_named(const cJSON *items, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items)
	{
		if (api_str(it, "name") && !strcmp(api_str(it, "name"), name))
			return it;
	}
	return NULL;
}

static struct api_user admin, moder, plain;

static int setup(void **state)
{
	const char *db = testenv_new_database(NULL);

	(void)state;
	snprintf(conf, sizeof(conf), "/tmp/revenge-rbac-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-rbac-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_rbac.log", testenv_stack_dir());
	pg = testenv_connect(db);
	api_pg = pg;
	api_sock = sock;
	testenv_write_config(conf, db, sock,
	                     "pool_size = 2\n" TESTENV_FAST_AUTH);
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "root_admin", "admin");
	api_new_user(&moder, "the_moderator", "moderator");
	api_new_user(&plain, "plain_user", NULL);
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

/* --- reading --------------------------------------------------------------- */

static void permissions_and_roles_read(void **state)
{
	char uri[1024], seen[64][64];
	int pages = 0, total = 0;
	const cJSON *items, *it, *role;

	(void)state;
	EXPECT(api_call("GET", "/api/v1/rbac/permissions?limit=100", admin.token, NULL), 200);
	items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items),
	                 atoi(api_q("SELECT count(*) FROM permissions", NULL, NULL)));
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_cursor")));
	assert_string_equal(keys_of(cJSON_GetArrayItem(items, 0)), "name,description");
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "name"), "admin:*");
	assert_string_equal(api_str(item_named(items, "audit:export"), "description"),
	                    "Export the activity log");

	/* cursor pages of 20 cover the whole list once */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/permissions?limit=20");
	for (;;) {
		EXPECT(api_call("GET", uri, moder.token, NULL), 200);
		pages++;
		cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
		{
			assert_true(total < 64);
			for (int k = 0; k < total; k++)
				assert_string_not_equal(seen[k], api_str(it, "name"));
			snprintf(seen[total++], sizeof(seen[0]), "%s", api_str(it, "name"));
		}
		if (!api_str(api_last_json, "next_cursor"))
			break;
		snprintf(uri, sizeof(uri), "/api/v1/rbac/permissions?limit=20&cursor=%s",
		         api_str(api_last_json, "next_cursor"));
	}
	assert_int_equal(pages, 3);
	assert_int_equal(total, 52);

	EXPECT(api_call("GET", "/api/v1/rbac/permissions?offset=50&limit=10", admin.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 2);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 52);

	EXPECT(api_call("GET", "/api/v1/rbac/roles", admin.token, NULL), 200);
	items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 4);
	role = item_named(items, "admin");
	assert_non_null(role);
	assert_string_equal(keys_of(role), "id,name,description,is_builtin,permissions,user_count,"
	                                   "mfa_required,created_at,updated_at");
	assert_false(cJSON_IsTrue(api_get(role, "mfa_required")));
	assert_true(cJSON_IsTrue(api_get(role, "is_builtin")));
	assert_int_equal(cJSON_GetArraySize(api_get(role, "permissions")), 1);
	assert_true(has_string(api_get(role, "permissions"), "admin:*"));
	assert_int_equal(api_get(role, "user_count")->valueint, 1);
	assert_int_equal(api_get(item_named(items, "user"), "user_count")->valueint, 3);
	assert_string_equal(api_str(role, "id"),
	                    api_q("SELECT id FROM roles WHERE name = 'admin'", NULL, NULL));

	EXPECT(api_call("GET", "/api/v1/rbac/roles/moderator", moder.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "permissions")),
	                 atoi(api_q("SELECT count(*) FROM role_permissions rp JOIN roles r ON"
	                        " r.id = rp.role_id WHERE r.name = 'moderator'",
	                        NULL, NULL)));
	assert_true(has_string(api_get(api_last_json, "permissions"), "audit:read"));
	assert_string_equal(api_str(api_last_json, "description"),
	                    "Manages content, libraries, requests and integrations");

	EXPECT_FIELD(api_call("GET", "/api/v1/rbac/roles/no-such-role", admin.token, NULL), 404,
	             "name");
	EXPECT(api_call("GET", "/api/v1/rbac/roles", plain.token, NULL), 403);
	EXPECT(api_call("GET", "/api/v1/rbac/roles", NULL, NULL), 401);
	EXPECT_FIELD(api_call("GET", "/api/v1/rbac/roles?limit=0", admin.token, NULL), 400, "limit");
	EXPECT_FIELD(api_call("GET", "/api/v1/rbac/roles?cursor=forged.x", admin.token, NULL), 400,
	             "cursor");
	EXPECT_FIELD(api_call("GET", "/api/v1/rbac/roles?sort=name", admin.token, NULL), 400, "sort");
}

/* --- changing ---------------------------------------------------------------- */

static void role_lifecycle(void **state)
{
	struct api_user u;
	char uri[256];
	const cJSON *p;

	(void)state;
	api_new_user(&u, "lifecycle_user", NULL);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	            "{\"name\":\"editors\",\"description\":\"Edit the catalogue\","
	            "\"permissions\":[\"movies:update\",\"movies:get\"]}"),
	       201);
	assert_string_equal(keys_of(api_last_json), "id,name,description,is_builtin,permissions,"
	                                        "user_count,mfa_required,created_at,updated_at");
	assert_string_equal(api_str(api_last_json, "name"), "editors");
	assert_string_equal(api_str(api_last_json, "description"), "Edit the catalogue");
	assert_true(cJSON_IsFalse(api_get(api_last_json, "is_builtin")));
	p = api_get(api_last_json, "permissions");
	assert_int_equal(cJSON_GetArraySize(p), 2);
	assert_string_equal(cJSON_GetArrayItem(p, 0)->valuestring, "movies:get");
	assert_string_equal(cJSON_GetArrayItem(p, 1)->valuestring, "movies:update");
	assert_int_equal(api_get(api_last_json, "user_count")->valueint, 0);
	assert_string_equal(api_str(api_last_json, "id"),
	                    api_q("SELECT id FROM roles WHERE name = 'editors'", NULL, NULL));
	assert_string_equal(
	    api_q("SELECT new_values::text FROM audit_log WHERE action = 'admin.role.create'"
	      " AND resource_id = 'editors' AND success",
	      NULL, NULL),
	    "{\"name\": \"editors\", \"description\": \"Edit the catalogue\", \"permissions\":"
	    " [\"movies:update\", \"movies:get\"]}");
	assert_string_equal(api_q("SELECT user_id FROM audit_log WHERE action = 'admin.role.create'"
	                      " AND resource_id = 'editors'",
	                      NULL, NULL),
	                    admin.id);

	EXPECT_FIELD(api_call("POST", "/api/v1/rbac/roles", admin.token, "{\"name\":\"editors\"}"), 409,
	             "name");
	EXPECT(api_call("GET", "/api/v1/rbac/roles/editors", moder.token, NULL), 200);

	EXPECT(api_call("PUT", "/api/v1/rbac/roles/editors/permissions", admin.token,
	            "{\"permissions\":[\"tvshows:get\"]}"),
	       200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "permissions")), 1);
	assert_string_equal(
	    api_q("SELECT string_agg(permission, ',') FROM role_permissions rp JOIN roles r"
	      " ON r.id = rp.role_id WHERE r.name = 'editors'",
	      NULL, NULL),
	    "tvshows:get");
	assert_string_equal(api_q("SELECT old_values::text || ' -> ' || new_values::text FROM audit_log"
	                      " WHERE action = 'admin.role.update' AND resource_id = 'editors'",
	                      NULL, NULL),
	                    "{\"permissions\": [\"movies:get\", \"movies:update\"]} -> "
	                    "{\"permissions\": [\"tvshows:get\"]}");

	/* assign, list, unassign */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", u.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"editors\"}"), 201);
	assert_string_equal(keys_of(api_last_json), "user_id,roles");
	assert_string_equal(api_str(api_last_json, "user_id"), u.id);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "roles")), 2);
	assert_string_equal(cJSON_GetArrayItem(api_get(api_last_json, "roles"), 0)->valuestring, "editors");
	assert_string_equal(
	    api_q("SELECT granted_by FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	      " WHERE r.name = 'editors' AND ur.user_id = $1",
	      u.id, NULL),
	    admin.id);
	assert_string_equal(
	    api_q("SELECT old_values::text || ' -> ' || new_values::text FROM audit_log"
	      " WHERE action = 'admin.role.assign' AND resource_id = $1 AND success",
	      u.id, NULL),
	    "{\"roles\": [\"user\"]} -> {\"roles\": [\"editors\", \"user\"]}");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":\"editors\"}"), 409, "role");

	EXPECT(api_call("GET", uri, moder.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 2);
	p = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(api_str(p, "name"), "editors");
	assert_string_equal(api_str(p, "granted_by"), admin.id);
	assert_non_null(api_str(p, "granted_at"));
	/* a page of one has a cursor to the next */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles?limit=1", u.id);
	EXPECT(api_call("GET", uri, moder.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "items")), 1);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles?limit=1&cursor=%s", u.id,
	         api_str(api_last_json, "next_cursor"));
	EXPECT(api_call("GET", uri, moder.token, NULL), 200);
	assert_string_equal(api_str(cJSON_GetArrayItem(api_get(api_last_json, "items"), 0), "name"), "user");
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_cursor")));

	EXPECT(api_call("GET", "/api/v1/rbac/roles/editors", admin.token, NULL), 200);
	assert_int_equal(api_get(api_last_json, "user_count")->valueint, 1);

	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/editors", u.id);
	EXPECT(api_call("DELETE", uri, admin.token, NULL), 204);
	assert_int_equal(api_last.body_len, 0);
	EXPECT_FIELD(api_call("DELETE", uri, admin.token, NULL), 404, "role");
	assert_string_equal(api_q("SELECT new_values::text FROM audit_log WHERE action ="
	                      " 'admin.role.unassign' AND resource_id = $1 AND success",
	                      u.id, NULL),
	                    "{\"roles\": [\"user\"]}");

	/* deleting a role takes it from its holders */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", u.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"editors\"}"), 201);
	EXPECT(api_call("DELETE", "/api/v1/rbac/roles/editors", admin.token, NULL), 204);
	EXPECT(api_call("GET", "/api/v1/rbac/roles/editors", admin.token, NULL), 404);
	assert_string_equal(api_q("SELECT count(*) FROM user_roles WHERE user_id = $1", u.id, NULL),
	                    "1");
	assert_string_equal(
	    api_q("SELECT old_values->>'user_count' || ' ' || (old_values->'permissions')::text"
	      " FROM audit_log WHERE action = 'admin.role.delete' AND resource_id = 'editors'",
	      NULL, NULL),
	    "1 [\"tvshows:get\"]");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/rbac/roles/editors", admin.token, NULL), 404, "name");

	/* unknown account, unknown role */
	EXPECT_FIELD(api_call("POST", "/api/v1/rbac/users/00000000-0000-4000-8000-000000000000/roles",
	                  admin.token, "{\"role\":\"user\"}"),
	             404, "id");
	EXPECT_FIELD(api_call("DELETE",
	                  "/api/v1/rbac/users/00000000-0000-4000-8000-000000000000/roles/user",
	                  admin.token, NULL),
	             404, "id");
	EXPECT_FIELD(api_call("GET", "/api/v1/rbac/users/00000000-0000-4000-8000-000000000000/roles",
	                  admin.token, NULL),
	             404, "id");
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/ghosts", u.id);
	EXPECT_FIELD(api_call("DELETE", uri, admin.token, NULL), 404, "role");
}

static void bad_input_named(void **state)
{
	char uri[256], body[1024];
	const char *before;
	char long_desc[600];

	(void)state;
	before = rbac_state();
	static const struct {
		const char *body, *field;
		int status;
	} cases[] = {
	    {"{", "body", 400},
	    {"[]", "body", 400},
	    {"{\"name\":5}", "name", 400},
	    {"{\"name\":null}", "name", 400},
	    {"{\"description\":\"x\"}", "name", 400},
	    {"{\"name\":\"Bad Name\"}", "name", 400},
	    {"{\"name\":\"x\"}", "name", 400},
	    {"{\"name\":\"9lives\"}", "name", 400},
	    {"{\"name\":\"a'; DROP TABLE roles; --\"}", "name", 400},
	    {"{\"name\":\"ok-name\",\"description\":7}", "description", 400},
	    {"{\"name\":\"ok-name\",\"description\":\"bell\\u0007\"}", "description", 400},
	    {"{\"name\":\"ok-name\",\"permissions\":\"movies:get\"}", "permissions", 400},
	    {"{\"name\":\"ok-name\",\"permissions\":[1]}", "permissions[0]", 400},
	    {"{\"name\":\"ok-name\",\"permissions\":[\"movies:get\",\"movies:fly\"]}",
	     "permissions[1]", 400},
	    {"{\"name\":\"ok-name\",\"permissions\":[\"movies:get\",\"movies:get\"]}",
	     "permissions[1]", 400},
	    {"{\"name\":\"ok-name\",\"permissions\":[\"x' OR '1'='1\"]}", "permissions[0]", 400},
	    {"{\"name\":\"ok-name\",\"colour\":\"red\"}", "colour", 400},
	    {"{\"name\":\"ok\\u0000name\"}", "body", 400},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = api_call("POST", "/api/v1/rbac/roles", admin.token, cases[i].body);
		if (got != cases[i].status || strcmp(api_problem_field(), cases[i].field))
			fail_msg("case %zu (%s): %d %s", i, cases[i].body, got, api_last.body);
	}
	memset(long_desc, 'd', 501);
	long_desc[501] = '\0';
	snprintf(body, sizeof(body), "{\"name\":\"long-desc\",\"description\":\"%s\"}", long_desc);
	EXPECT_FIELD(api_call("POST", "/api/v1/rbac/roles", admin.token, body), 400, "description");

	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/moderator/permissions", admin.token, "{}"),
	             400, "permissions");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/moderator/permissions", admin.token,
	                  "{\"permissions\":[],\"name\":\"x\"}"),
	             400, "name");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/moderator/permissions", admin.token,
	                  "{\"permissions\":[true]}"),
	             400, "permissions[0]");

	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", plain.id);
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{}"), 400, "role");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":5}"), 400, "role");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":\"ghost-role\"}"), 400, "role");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":\"user'--\"}"), 400, "role");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":\"user\",\"expires\":1}"), 400,
	             "expires");
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/rbac/users/not-a-uuid/roles", admin.token, "{\"role\":\"user\"}"),
	    400, "id");
	assert_string_equal(rbac_state(), before);

	/* SQL metacharacters in free text are data */
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	            "{\"name\":\"quoted\",\"description\":\"it's \\\"fine\\\"; DROP TABLE roles; "
	            "--\"}"),
	       201);
	assert_string_equal(api_q("SELECT description FROM roles WHERE name = 'quoted'", NULL, NULL),
	                    "it's \"fine\"; DROP TABLE roles; --");
	EXPECT(api_call("DELETE", "/api/v1/rbac/roles/quoted", admin.token, NULL), 204);
}

/* Every refused attempt leaves roles, grants and assignments as they were,
 * and is in the activity log as a failure. */
static void escalation_refused(void **state)
{
	struct api_user mgr, target;
	char uri[256];
	const char *before;
	int failures;

	(void)state;
	api_new_user(&mgr, "mod_manager", "moderator");
	api_new_user(&target, "esc_target", NULL);
	/* a moderator who may manage users: the handler's rules are what stop them */
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	            "{\"name\":\"usermgr\",\"permissions\":[\"users:get\",\"users:update\"]}"),
	       201);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", mgr.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"usermgr\"}"), 201);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token,
	            "{\"name\":\"root\",\"permissions\":[\"admin:*\"]}"),
	       201);

	before = rbac_state();
	failures = atoi(
	    api_q("SELECT count(*) FROM audit_log WHERE NOT success AND action LIKE 'admin.role.%'",
	      NULL, NULL));

	/* without users:update the route itself is closed */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", plain.id);
	EXPECT(api_call("POST", uri, plain.token, "{\"role\":\"admin\"}"), 403);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", plain.token, "{\"name\":\"mine\"}"), 403);
	EXPECT(api_call("POST", uri, moder.token, "{\"role\":\"moderator\"}"), 403);

	/* nobody changes their own roles */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", mgr.id);
	EXPECT_FIELD(api_call("POST", uri, mgr.token, "{\"role\":\"guest\"}"), 403, "id");
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/moderator", mgr.id);
	EXPECT_FIELD(api_call("DELETE", uri, mgr.token, NULL), 403, "id");
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", admin.id);
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"role\":\"moderator\"}"), 403, "id");
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/admin", admin.id);
	EXPECT_FIELD(api_call("DELETE", uri, admin.token, NULL), 403, "id");

	/* admin and admin:* are for holders of admin:* only */
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", target.id);
	EXPECT_FIELD(api_call("POST", uri, mgr.token, "{\"role\":\"admin\"}"), 403, "role");
	EXPECT_FIELD(api_call("POST", uri, mgr.token, "{\"role\":\"root\"}"), 403, "role");
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/admin", admin.id);
	EXPECT_FIELD(api_call("DELETE", uri, mgr.token, NULL), 403, "role");
	EXPECT_FIELD(api_call("POST", "/api/v1/rbac/roles", mgr.token,
	                  "{\"name\":\"root2\",\"permissions\":[\"admin:*\"]}"),
	             403, "permissions[0]");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/rbac/roles/root", mgr.token, NULL), 403, "name");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/root/permissions", mgr.token,
	                  "{\"permissions\":[\"movies:get\"]}"),
	             403, "name");

	/* only permissions one holds */
	EXPECT_FIELD(
	    api_call("POST", "/api/v1/rbac/roles", mgr.token,
	         "{\"name\":\"sneaky\",\"permissions\":[\"movies:get\",\"settings:write\"]}"),
	    403, "permissions[1]");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/usermgr/permissions", mgr.token,
	                  "{\"permissions\":[\"users:get\",\"users:update\",\"audit:export\"]}"),
	             403, "permissions[2]");

	/* built-in roles stay */
	EXPECT_FIELD(api_call("DELETE", "/api/v1/rbac/roles/user", admin.token, NULL), 409, "name");
	EXPECT_FIELD(api_call("DELETE", "/api/v1/rbac/roles/admin", admin.token, NULL), 409, "name");
	EXPECT_FIELD(api_call("PUT", "/api/v1/rbac/roles/guest/permissions", admin.token,
	                  "{\"permissions\":[\"profile:read\"]}"),
	             409, "name");
	assert_non_null(strstr(api_last.body, "built-in"));

	assert_string_equal(rbac_state(), before);
	assert_int_equal(atoi(api_q("SELECT count(*) FROM audit_log WHERE NOT success AND action LIKE"
	                        " 'admin.role.%'",
	                        NULL, NULL)),
	                 failures + 15);
	assert_string_equal(
	    api_q("SELECT error FROM audit_log WHERE NOT success AND action ="
	      " 'admin.role.create' AND resource_id = 'sneaky'",
	      NULL, NULL),
	    "permissions[1] is settings:write, which you do not hold (you can manage "
	    "only permissions you hold)");

	/* within their own permissions the same manager may act */
	EXPECT(api_call("POST", "/api/v1/rbac/roles", mgr.token,
	            "{\"name\":\"catalog\",\"permissions\":[\"movies:list\",\"movies:get\"]}"),
	       201);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", target.id);
	EXPECT(api_call("POST", uri, mgr.token, "{\"role\":\"catalog\"}"), 201);
	EXPECT(api_call("POST", uri, mgr.token, "{\"role\":\"moderator\"}"), 201);
}

/* The built-in admin role keeps an active holder. */
static void last_admin_kept(void **state)
{
	struct api_user keeper, superuser, spare;
	char uri[256];
	const char *before;

	(void)state;
	api_new_user(&keeper, "only_admin", "admin");
	/* granted before the login: a direct SQL change bypasses the cache
	 * invalidation the API performs */
	api_new_user(&superuser, "custom_super", "root");
	/* for this test the keeper is the one active admin-role holder */
	api_q("UPDATE users SET is_active = false WHERE id IN (SELECT ur.user_id FROM user_roles ur"
	  " JOIN roles r ON r.id = ur.role_id WHERE r.name = 'admin') AND id <> $1",
	  keeper.id, NULL);

	before = rbac_state();
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/admin", keeper.id);
	EXPECT_FIELD(api_call("DELETE", uri, superuser.token, NULL), 409, "role");
	assert_non_null(strstr(api_last.body, "last active holder"));
	EXPECT_FIELD(api_call("DELETE", uri, keeper.token, NULL), 403, "id");
	assert_string_equal(rbac_state(), before);
	assert_string_equal(api_q("SELECT count(*) FROM audit_log WHERE action = 'admin.role.unassign'"
	                      " AND NOT success AND resource_id = $1",
	                      keeper.id, NULL),
	                    "2");

	/* with a second admin the first may go */
	api_new_user(&spare, "spare_admin", "admin");
	EXPECT(api_call("DELETE", uri, superuser.token, NULL), 204);
	assert_string_equal(api_q("SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	                      " WHERE r.name = 'admin' AND ur.user_id = $1",
	                      keeper.id, NULL),
	                    "0");
	api_q("UPDATE users SET is_active = true", NULL, NULL);
}

/* A permission change reaches a user who is already logged in on their
 * very next request. */
static void cache_follows_changes(void **state)
{
	struct api_user v;
	char uri[256];

	(void)state;
	api_new_user(&v, "cache_viewer", NULL);
	EXPECT(api_call("POST", "/api/v1/rbac/roles", admin.token, "{\"name\":\"auditor\"}"), 201);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", v.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"auditor\"}"), 201);
	for (int round = 0; round < 2; round++) {
		/* twice over the pool of two: both children have seen the old set */
		EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 403);
		EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 403);
		EXPECT(api_call("PUT", "/api/v1/rbac/roles/auditor/permissions", admin.token,
		            "{\"permissions\":[\"audit:read\"]}"),
		       200);
		EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 200);
		EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 200);
		EXPECT(api_call("PUT", "/api/v1/rbac/roles/auditor/permissions", admin.token,
		            "{\"permissions\":[]}"),
		       200);
		EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 403);
	}
	/* unassigning and deleting invalidate too */
	EXPECT(api_call("PUT", "/api/v1/rbac/roles/auditor/permissions", admin.token,
	            "{\"permissions\":[\"audit:read\"]}"),
	       200);
	EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 200);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles/auditor", v.id);
	EXPECT(api_call("DELETE", uri, admin.token, NULL), 204);
	EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 403);
	snprintf(uri, sizeof(uri), "/api/v1/rbac/users/%s/roles", v.id);
	EXPECT(api_call("POST", uri, admin.token, "{\"role\":\"auditor\"}"), 201);
	EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 200);
	EXPECT(api_call("DELETE", "/api/v1/rbac/roles/auditor", admin.token, NULL), 204);
	EXPECT(api_call("GET", "/api/v1/admin/activity", v.token, NULL), 403);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(permissions_and_roles_read),
	    cmocka_unit_test(role_lifecycle),
	    cmocka_unit_test(bad_input_named),
	    cmocka_unit_test(escalation_refused),
	    cmocka_unit_test(cache_follows_changes),
	    cmocka_unit_test(last_admin_kept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
