/*
 * Libraries through the real FastCGI pool against PostgreSQL and Redis:
 * CRUD with its exact fields and audit rows, every path and field rule
 * (named by field, the database left as it was), per-library visibility
 * with grants, scans queued as unique jobs in one transaction, the
 * unmatched list, manual matches, and delete cancelling the scan job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "api.h"
#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

static char conf[400], sock[256], log_path[256];
static pid_t server = -1;
static PGconn *pg;
static struct api_user admin, moder, plain;

/* the temporary tree: base/{a/inner, b/sub, c, d, e, locked, file.txt, link -> a} */
static char base[256], dir_a[300], dir_inner[300], dir_b[300], dir_b_sub[300], dir_c[300],
    dir_d[300], dir_e[300], dir_locked[300], file_txt[300], link_a[300];
static char movies_id[37], secret_id[37], shows_id[37];
/* library.allowed_roots of the server: the stack directory (where base
 * lies) and state/etc/media. The server's own state: its configuration
 * in state/etc, its storage in state/storage. outside: a directory in no
 * allowed root, reached by the link base/escape. */
static char state_dir[300], outside[300], link_out[300];

/* --- helpers ---------------------------------------------------------------- */

static void mkdir_or_fail(const char *p)
{
	if (mkdir(p, 0755) < 0)
		fail_msg("mkdir %s failed", p);
}

static long q_long(const char *sql, const char *a, const char *b)
{
	return strtol(api_q(sql, a, b), NULL, 10);
}

static const cJSON *item_with(const cJSON *items, const char *key, const char *value)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, items)
	{
		if (api_str(it, key) && !strcmp(api_str(it, key), value))
			return it;
	}
	return NULL;
}

/* Is library id in the caller's list? */
static bool listed(const char *token, const char *id)
{
	EXPECT(api_call("GET", "/api/v1/libraries?limit=100", token, NULL), 200);
	return item_with(api_get(api_last_json, "items"), "id", id) != NULL;
}

static int create(const char *token, const char *body)
{
	return api_call("POST", "/api/v1/libraries", token, body);
}

static const char *lib_uri(const char *id, const char *tail)
{
	return api_fmt("/api/v1/libraries/%s%s", id, tail ? tail : "");
}

static long count_libraries(void)
{
	return q_long("SELECT count(*) FROM libraries", NULL, NULL);
}

/* --- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
	const char *db = testenv_new_database(NULL);
	FILE *f;

	(void)state;
	snprintf(sock, sizeof(sock), "/tmp/revenge-libs-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_libraries.log", testenv_stack_dir());
	snprintf(base, sizeof(base), "%s/libs-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(base))
		return -1;
	snprintf(dir_a, sizeof(dir_a), "%s/a", base);
	snprintf(dir_inner, sizeof(dir_inner), "%s/a/inner", base);
	snprintf(dir_b, sizeof(dir_b), "%s/b", base);
	snprintf(dir_b_sub, sizeof(dir_b_sub), "%s/b/sub", base);
	snprintf(dir_c, sizeof(dir_c), "%s/c", base);
	snprintf(dir_d, sizeof(dir_d), "%s/d", base);
	snprintf(dir_e, sizeof(dir_e), "%s/e", base);
	snprintf(dir_locked, sizeof(dir_locked), "%s/locked", base);
	snprintf(file_txt, sizeof(file_txt), "%s/file.txt", base);
	snprintf(link_a, sizeof(link_a), "%s/link", base);
	mkdir_or_fail(dir_a);
	mkdir_or_fail(dir_inner);
	mkdir_or_fail(dir_b);
	mkdir_or_fail(dir_b_sub);
	mkdir_or_fail(dir_c);
	mkdir_or_fail(dir_d);
	mkdir_or_fail(dir_e);
	mkdir_or_fail(dir_locked);
	chmod(dir_locked, 0);
	if (!(f = fopen(file_txt, "w")))
		return -1;
	fputs("not a directory\n", f);
	fclose(f);
	if (symlink(dir_a, link_a) < 0)
		return -1;
	/* the stack directory is resolved too, so compare against resolved paths */
	char real[4096];
	if (!realpath(base, real) || strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	snprintf(dir_a, sizeof(dir_a), "%s/a", base);
	snprintf(dir_inner, sizeof(dir_inner), "%s/a/inner", base);
	snprintf(dir_b, sizeof(dir_b), "%s/b", base);
	snprintf(dir_b_sub, sizeof(dir_b_sub), "%s/b/sub", base);
	snprintf(dir_c, sizeof(dir_c), "%s/c", base);
	snprintf(dir_d, sizeof(dir_d), "%s/d", base);
	snprintf(dir_e, sizeof(dir_e), "%s/e", base);
	snprintf(dir_locked, sizeof(dir_locked), "%s/locked", base);
	snprintf(file_txt, sizeof(file_txt), "%s/file.txt", base);
	snprintf(link_a, sizeof(link_a), "%s/link", base);

	snprintf(state_dir, sizeof(state_dir), "%s/libstate-XXXXXX", testenv_stack_dir());
	snprintf(outside, sizeof(outside), "/tmp/revenge-libs-outside-XXXXXX");
	if (!mkdtemp(state_dir) || !realpath(state_dir, real) || strlen(real) >= sizeof(state_dir) ||
	    !mkdtemp(outside))
		return -1;
	memcpy(state_dir, real, strlen(real) + 1);
	snprintf(link_out, sizeof(link_out), "%s/escape", base);
	if (symlink(outside, link_out) < 0)
		return -1;
	/* deep enough to reach "/" from anywhere, then /etc */
	if (symlink("../../../../../../../../../../../../../../../../etc",
	            api_fmt("%s/dotdot", base)) < 0)
		return -1;
	mkdir_or_fail(api_fmt("%s/etc", state_dir));
	mkdir_or_fail(api_fmt("%s/etc/media", state_dir));
	mkdir_or_fail(api_fmt("%s/etc/other", state_dir));
	mkdir_or_fail(api_fmt("%s/storage", state_dir));
	mkdir_or_fail(api_fmt("%s/storage/images", state_dir));
	mkdir_or_fail(api_fmt("%s/media", state_dir));
	snprintf(conf, sizeof(conf), "%s/etc/revenge.conf", state_dir);

	pg = testenv_connect(db);
	api_pg = pg;
	api_sock = sock;
	testenv_write_config(conf, db, sock,
	                     api_fmt("pool_size = 2\n" TESTENV_FAST_AUTH
	                         "[library]\nallowed_roots = %s, %s/etc/media\n"
	                         "[storage]\npath = %s/storage\n",
	                         testenv_stack_dir(), state_dir, state_dir));
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "lib_admin", "admin");
	api_new_user(&moder, "lib_moderator", "moderator");
	api_new_user(&plain, "lib_plain", NULL);
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
	chmod(dir_locked, 0755);
	unlink(link_out);
	unlink(api_fmt("%s/dotdot", base));
	rmdir(outside);
	if (state_dir[0] && system(api_fmt("rm -rf '%s'", state_dir)) != 0)
		print_message("could not remove %s\n", state_dir);
	unlink(link_a);
	unlink(file_txt);
	rmdir(dir_locked);
	rmdir(dir_e);
	rmdir(dir_d);
	rmdir(dir_c);
	rmdir(dir_b_sub);
	rmdir(dir_b);
	rmdir(dir_inner);
	rmdir(dir_a);
	rmdir(base);
	return 0;
}

/* --- CRUD -------------------------------------------------------------------- */

static void crud_happy_path(void **state)
{
	const cJSON *lib, *counts;

	(void)state;
	/* duplicate and trailing slashes are dropped; the stored root is resolved */
	EXPECT(create(admin.token,
	              api_fmt("{\"name\":\"Movies\",\"type\":\"movie\",\"paths\":[\"%s//a/\"]}", base)),
	       201);
	lib = api_last_json;
	snprintf(movies_id, sizeof(movies_id), "%s", api_str(lib, "id"));
	assert_string_equal(api_str(lib, "name"), "Movies");
	assert_string_equal(api_str(lib, "type"), "movie");
	assert_int_equal(cJSON_GetArraySize(api_get(lib, "paths")), 1);
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "paths"), 0)->valuestring, dir_a);
	assert_true(cJSON_IsTrue(api_get(lib, "enabled")));
	assert_string_equal(api_str(lib, "visibility"), "all");
	assert_int_equal(api_get(lib, "scan_interval_minutes")->valueint, 360);
	assert_string_equal(api_str(lib, "metadata_language"), "en");
	assert_true(cJSON_IsNull(api_get(lib, "extensions")));
	assert_int_equal(cJSON_GetArraySize(api_get(lib, "exclude_patterns")), 0);
	assert_true(cJSON_IsNull(api_get(lib, "last_scan_at")));
	assert_non_null(api_str(lib, "created_at"));
	assert_non_null(api_str(lib, "updated_at"));
	counts = api_get(lib, "counts");
	assert_int_equal(api_get(counts, "files")->valueint, 0);
	assert_int_equal(api_get(counts, "movies")->valueint, 0);
	assert_null(api_get(counts, "series"));
	assert_int_equal(api_get(counts, "unmatched")->valueint, 0);
	assert_true(cJSON_IsFalse(api_get(lib, "scanning")));
	assert_int_equal(q_long("SELECT count(*) FROM audit_log WHERE action = 'library.create'"
	                        " AND resource_id = $1 AND success",
	                        movies_id, NULL),
	                 1);

	/* a tvshow library with every optional field */
	EXPECT(create(moder.token,
	              api_fmt("{\"name\":\"Shows\",\"type\":\"tvshow\",\"paths\":[\"%s\",\"%s\"],"
	                  "\"enabled\":false,\"visibility\":\"all\",\"scan_interval_minutes\":0,"
	                  "\"metadata_language\":\"de\",\"extensions\":[\"mkv\",\"mp4\"],"
	                  "\"exclude_patterns\":[\"*.sample.*\"]}",
	                  dir_d, dir_e)),
	       201);
	lib = api_last_json;
	snprintf(shows_id, sizeof(shows_id), "%s", api_str(lib, "id"));
	assert_true(cJSON_IsFalse(api_get(lib, "enabled")));
	assert_int_equal(api_get(lib, "scan_interval_minutes")->valueint, 0);
	assert_string_equal(api_str(lib, "metadata_language"), "de");
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "extensions"), 1)->valuestring, "mp4");
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "exclude_patterns"), 0)->valuestring,
	                    "*.sample.*");
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "paths"), 1)->valuestring, dir_e);
	assert_int_equal(api_get(api_get(lib, "counts"), "series")->valueint, 0);

	/* read back, singly and in the list (by name) */
	EXPECT(api_call("GET", lib_uri(movies_id, NULL), plain.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "name"), "Movies");
	EXPECT(api_call("GET", "/api/v1/libraries", plain.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "name"), "Movies");
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 1), "name"), "Shows");
	EXPECT(api_call("GET", "/api/v1/libraries?type=tvshow", plain.token, NULL), 200);
	items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "id"), shows_id);
	/* cursor pagination walks both, offset mode counts */
	EXPECT(api_call("GET", "/api/v1/libraries?limit=1", plain.token, NULL), 200);
	char next[600];
	assert_non_null(api_str(api_last_json, "next_cursor"));
	snprintf(next, sizeof(next), "%s", api_str(api_last_json, "next_cursor"));
	EXPECT(api_call("GET", api_fmt("/api/v1/libraries?limit=1&cursor=%s", next), plain.token, NULL),
	       200);
	assert_string_equal(api_str(cJSON_GetArrayItem(api_get(api_last_json, "items"), 0), "name"),
	                    "Shows");
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_cursor")));
	EXPECT(api_call("GET", "/api/v1/libraries?offset=0", plain.token, NULL), 200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 2);
	EXPECT_FIELD(api_call("GET", "/api/v1/libraries?cursor=forged", plain.token, NULL), 400,
	             "cursor");
	EXPECT_FIELD(api_call("GET", "/api/v1/libraries?type=music", plain.token, NULL), 400,
	             "type");

	/* update: only what is given changes */
	EXPECT(api_call("PUT", lib_uri(movies_id, NULL), admin.token,
	                "{\"name\":\"Films\",\"scan_interval_minutes\":60,"
	                "\"extensions\":[\"mkv\"],\"exclude_patterns\":[\"extras\"],"
	                "\"type\":\"movie\"}"),
	       200);
	lib = api_last_json;
	assert_string_equal(api_str(lib, "name"), "Films");
	assert_int_equal(api_get(lib, "scan_interval_minutes")->valueint, 60);
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "extensions"), 0)->valuestring, "mkv");
	assert_string_equal(api_str(lib, "metadata_language"), "en");
	assert_string_equal(cJSON_GetArrayItem(api_get(lib, "paths"), 0)->valuestring, dir_a);
	/* null restores the default extensions */
	EXPECT(api_call("PUT", lib_uri(movies_id, NULL), admin.token, "{\"extensions\":null}"),
	       200);
	assert_true(cJSON_IsNull(api_get(api_last_json, "extensions")));
	assert_string_equal(api_str(api_last_json, "name"), "Films");
	assert_string_equal(api_q("SELECT old_values->>'name' || '>' || (new_values->>'name')"
	                          " FROM audit_log WHERE action = 'library.update'"
	                          " AND resource_id = $1 ORDER BY id LIMIT 1",
	                          movies_id, NULL),
	                    "Movies>Films");
}

static void validation_errors(void **state)
{
	long before = count_libraries();
	const char *state_before =
	    api_q("SELECT md5(string_agg(l::text, ',' ORDER BY id)) FROM libraries l", NULL, NULL);
	char saved[64];

	(void)state;
	snprintf(saved, sizeof(saved), "%s", state_before);
#define LIB(paths) api_fmt("{\"name\":\"X\",\"type\":\"movie\",\"paths\":[%s]}", paths)
	/* path syntax: 400 */
	EXPECT_FIELD(create(admin.token, LIB("\"relative/dir\"")), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/a/../b\"", base))), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/./b\"", base))), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB("\"/\"")), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB("\"\"")), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB("42")), 400, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\",\"%s/../c\"", dir_b, dir_a))), 400,
	             "paths[1]");
	EXPECT_FIELD(create(admin.token, LIB("")), 400, "paths");
	EXPECT_FIELD(create(admin.token, "{\"name\":\"X\",\"type\":\"movie\",\"paths\":\"/srv\"}"),
	             400, "paths");
	EXPECT_FIELD(create(admin.token, "{\"name\":\"X\",\"type\":\"movie\"}"), 400, "paths");
	char many[8192] = "";
	for (int i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s\"%s/x%d\"",
		         i ? "," : "", base, i);
	EXPECT_FIELD(create(admin.token, LIB(many)), 400, "paths");
	/* the filesystem: 422 */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/nope\"", base))), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", file_txt))), 422, "paths[0]");
	if (geteuid() == 0) {
		/* root passes access(2) on a mode-000 directory: this one
		 * assertion cannot hold when the tests run as root (CI) */
		print_message("skipping the unreadable-directory assertion: running as root\n");
	} else {
		EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", dir_locked))), 422, "paths[0]");
	}
	/* overlaps with another library (Films owns a): 409 */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", dir_a))), 409, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\",\"%s\"", dir_b, dir_inner))), 409,
	             "paths[1]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", base))), 409, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", link_a))), 409, "paths[0]");
	/* and with each other */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\",\"%s\"", dir_b, dir_b_sub))), 409,
	             "paths[1]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\",\"%s/\"", dir_b, dir_b))), 409,
	             "paths[1]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\",\"%s\"", dir_b_sub, dir_b))), 409,
	             "paths[1]");
	/* an update may not move onto another library's root either */
	EXPECT_FIELD(api_call("PUT", lib_uri(shows_id, NULL), admin.token,
	                      api_fmt("{\"paths\":[\"%s\"]}", dir_inner)),
	             409, "paths[0]");
	/* name: taken case-insensitively, bounds */
	EXPECT_FIELD(create(admin.token, api_fmt("{\"name\":\"FILMS\",\"type\":\"movie\",\"paths\":"
	                                     "[\"%s\"]}",
	                                     dir_b)),
	             409, "name");
	EXPECT_FIELD(api_call("PUT", lib_uri(shows_id, NULL), admin.token, "{\"name\":\"films\"}"),
	             409, "name");
	EXPECT_FIELD(create(admin.token,
	                    api_fmt("{\"name\":\"\",\"type\":\"movie\",\"paths\":[\"%s\"]}", dir_b)),
	             400, "name");
	char longname[160];
	memset(longname, 'n', 101);
	longname[101] = '\0';
	EXPECT_FIELD(create(admin.token, api_fmt("{\"name\":\"%s\",\"type\":\"movie\",\"paths\":"
	                                     "[\"%s\"]}",
	                                     longname, dir_b)),
	             400, "name");
	EXPECT_FIELD(create(admin.token, api_fmt("{\"type\":\"movie\",\"paths\":[\"%s\"]}", dir_b)),
	             400, "name");
	/* the other fields */
	char ok_paths[512];
	snprintf(ok_paths, sizeof(ok_paths), "\"paths\":[\"%s\"]", dir_b);
	struct {
		const char *extra, *field;
	} bad[] = {
	    {"\"type\":\"music\"", "type"},
	    {"\"type\":\"movie\",\"visibility\":\"some\"", "visibility"},
	    {"\"type\":\"movie\",\"enabled\":\"yes\"", "enabled"},
	    {"\"type\":\"movie\",\"scan_interval_minutes\":10081", "scan_interval_minutes"},
	    {"\"type\":\"movie\",\"scan_interval_minutes\":-1", "scan_interval_minutes"},
	    {"\"type\":\"movie\",\"metadata_language\":\"EN\"", "metadata_language"},
	    {"\"type\":\"movie\",\"metadata_language\":\"eng\"", "metadata_language"},
	    {"\"type\":\"movie\",\"extensions\":[\".mkv\"]", "extensions[0]"},
	    {"\"type\":\"movie\",\"extensions\":[\"mkv\",\"mkv\"]", "extensions[1]"},
	    {"\"type\":\"movie\",\"extensions\":[]", "extensions"},
	    {"\"type\":\"movie\",\"extensions\":\"mkv\"", "extensions"},
	    {"\"type\":\"movie\",\"exclude_patterns\":[\"\"]", "exclude_patterns[0]"},
	    {"\"type\":\"movie\",\"exclude_patterns\":[1]", "exclude_patterns[0]"},
	    {"\"type\":\"movie\",\"colour\":\"blue\"", "colour"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_FIELD(
		    create(admin.token, api_fmt("{\"name\":\"Y\",%s,%s}", bad[i].extra, ok_paths)), 400,
		    bad[i].field);
	char longpat[300];
	memset(longpat, 'p', 201);
	longpat[201] = '\0';
	EXPECT_FIELD(create(admin.token, api_fmt("{\"name\":\"Y\",\"type\":\"movie\",%s,"
	                                     "\"exclude_patterns\":[\"%s\"]}",
	                                     ok_paths, longpat)),
	             400, "exclude_patterns[0]");
	/* type is fixed after create; repeating it is fine (tested above) */
	EXPECT_FIELD(
	    api_call("PUT", lib_uri(movies_id, NULL), admin.token, "{\"type\":\"tvshow\"}"), 409,
	    "type");
	EXPECT_FIELD(api_call("PUT", lib_uri(movies_id, NULL), admin.token, "{\"paint\":1}"), 400,
	             "paint");
	/* ids */
	EXPECT_FIELD(api_call("GET", "/api/v1/libraries/not-a-uuid", admin.token, NULL), 400, "id");
	EXPECT(api_call("GET", "/api/v1/libraries/00000000-0000-4000-8000-000000000000",
	                admin.token, NULL),
	       404);
	EXPECT(api_call("PUT", "/api/v1/libraries/00000000-0000-4000-8000-000000000000",
	                admin.token, "{\"name\":\"Z\"}"),
	       404);
	/* malformed JSON names the body */
	EXPECT_FIELD(create(admin.token, "{\"name\":"), 400, "body");
#undef LIB
	assert_int_equal(count_libraries(), before);
	assert_string_equal(
	    api_q("SELECT md5(string_agg(l::text, ',' ORDER BY id)) FROM libraries l", NULL, NULL),
	    saved);
}

static void permissions_by_role(void **state)
{
	const char *body = api_fmt("{\"name\":\"Nope\",\"type\":\"movie\",\"paths\":[\"%s\"]}", dir_b);

	(void)state;
	EXPECT(create(plain.token, body), 403);
	EXPECT(api_call("PUT", lib_uri(movies_id, NULL), plain.token, "{\"name\":\"Mine\"}"), 403);
	EXPECT(api_call("DELETE", lib_uri(movies_id, NULL), plain.token, NULL), 403);
	EXPECT(api_call("POST", lib_uri(movies_id, "/scan"), plain.token, "{}"), 403);
	EXPECT(api_call("GET", lib_uri(movies_id, "/permissions"), plain.token, NULL), 403);
	EXPECT(api_call("POST", "/api/v1/files/00000000-0000-4000-8000-000000000000/match",
	                plain.token, "{\"tmdb_id\":1}"),
	       403);
	EXPECT(create(NULL, body), 401);
	EXPECT(api_call("GET", "/api/v1/libraries", NULL, NULL), 401);
	/* the plain user reads */
	EXPECT(api_call("GET", lib_uri(movies_id, "/scans"), plain.token, NULL), 200);
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched"), plain.token, NULL), 200);
	assert_int_equal(count_libraries(), 2);
}

/* --- visibility and grants -------------------------------------------------- */

static void visibility_and_grants(void **state)
{
	(void)state;
	EXPECT(create(admin.token, api_fmt("{\"name\":\"Secret\",\"type\":\"movie\",\"paths\":[\"%s\"],"
	                               "\"visibility\":\"granted\"}",
	                               dir_c)),
	       201);
	snprintf(secret_id, sizeof(secret_id), "%s", api_str(api_last_json, "id"));

	/* invisible to the plain user: 404 everywhere, absent from lists */
	EXPECT_FIELD(api_call("GET", lib_uri(secret_id, NULL), plain.token, NULL), 404, "id");
	EXPECT(api_call("GET", lib_uri(secret_id, "/scans"), plain.token, NULL), 404);
	EXPECT(api_call("GET", lib_uri(secret_id, "/unmatched"), plain.token, NULL), 404);
	assert_false(listed(plain.token, secret_id));
	EXPECT(api_call("GET", "/api/v1/libraries?offset=0", plain.token, NULL), 200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 2);
	/* managers and admins see it */
	assert_true(listed(moder.token, secret_id));
	assert_true(listed(admin.token, secret_id));
	EXPECT(api_call("GET", lib_uri(secret_id, NULL), moder.token, NULL), 200);

	/* grant: bad input first */
	EXPECT_FIELD(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                      api_fmt("{\"user_id\":\"%s\",\"level\":\"own\"}", plain.id)),
	             400, "level");
	EXPECT_FIELD(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                      "{\"user_id\":\"bob\",\"level\":\"view\"}"),
	             400, "user_id");
	EXPECT_FIELD(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                      api_fmt("{\"user_id\":\"%s\",\"level\":\"view\",\"x\":1}", plain.id)),
	             400, "x");
	EXPECT_FIELD(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                      "{\"user_id\":\"00000000-0000-4000-8000-000000000000\","
	                      "\"level\":\"view\"}"),
	             404, "user_id");
	EXPECT(api_call("POST",
	                "/api/v1/libraries/00000000-0000-4000-8000-000000000000/permissions",
	                admin.token, api_fmt("{\"user_id\":\"%s\",\"level\":\"view\"}", plain.id)),
	       404);
	assert_int_equal(q_long("SELECT count(*) FROM library_grants", NULL, NULL), 0);

	/* a grant makes it visible */
	EXPECT(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                api_fmt("{\"user_id\":\"%s\",\"level\":\"view\"}", plain.id)),
	       201);
	assert_string_equal(api_str(api_last_json, "user_id"), plain.id);
	assert_string_equal(api_str(api_last_json, "username"), "lib_plain");
	assert_string_equal(api_str(api_last_json, "level"), "view");
	assert_string_equal(api_str(api_last_json, "granted_by"), admin.id);
	EXPECT(api_call("GET", lib_uri(secret_id, NULL), plain.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "name"), "Secret");
	assert_true(listed(plain.token, secret_id));
	EXPECT(api_call("GET", lib_uri(secret_id, "/unmatched"), plain.token, NULL), 200);

	/* upsert changes the level (200) */
	EXPECT(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                api_fmt("{\"user_id\":\"%s\",\"level\":\"download\"}", plain.id)),
	       200);
	assert_string_equal(api_str(api_last_json, "level"), "download");
	EXPECT(api_call("GET", lib_uri(secret_id, "/permissions"), moder.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	const cJSON *g = item_with(items, "user_id", plain.id);
	assert_non_null(g);
	assert_string_equal(api_str(g, "level"), "download");
	assert_non_null(api_str(g, "granted_at"));
	assert_int_equal(q_long("SELECT count(*) FROM audit_log WHERE action = 'library.grant'"
	                        " AND resource_id = $1",
	                        secret_id, NULL),
	                 2);

	/* taken away: invisible again */
	EXPECT(api_call("DELETE", lib_uri(secret_id, api_fmt("/permissions/%s", plain.id)), admin.token,
	                NULL),
	       204);
	EXPECT(api_call("GET", lib_uri(secret_id, NULL), plain.token, NULL), 404);
	assert_false(listed(plain.token, secret_id));
	EXPECT_FIELD(api_call("DELETE", lib_uri(secret_id, api_fmt("/permissions/%s", plain.id)),
	                      admin.token, NULL),
	             404, "user_id");
	EXPECT_FIELD(
	    api_call("DELETE", lib_uri(secret_id, "/permissions/nobody"), admin.token, NULL), 400,
	    "user_id");
	assert_int_equal(q_long("SELECT count(*) FROM audit_log WHERE action = 'library.revoke'"
	                        " AND resource_id = $1",
	                        secret_id, NULL),
	                 1);
}

/* --- scans ------------------------------------------------------------------ */

static void scans(void **state)
{
	char scan_id[24], job_id[24];

	(void)state;
	EXPECT_FIELD(
	    api_call("POST", lib_uri(movies_id, "/scan"), admin.token, "{\"scan_type\":\"deep\"}"),
	    400, "scan_type");
	EXPECT_FIELD(
	    api_call("POST", lib_uri(movies_id, "/scan"), admin.token, "{\"kind\":\"full\"}"), 400,
	    "kind");
	/* a disabled library is not scanned */
	EXPECT_FIELD(api_call("POST", lib_uri(shows_id, "/scan"), admin.token, "{}"), 409,
	             "enabled");
	assert_int_equal(q_long("SELECT count(*) FROM library_scans", NULL, NULL), 0);
	assert_int_equal(
	    q_long("SELECT count(*) FROM jobs WHERE kind = 'library.scan'", NULL, NULL), 0);

	EXPECT(api_call("POST", lib_uri(movies_id, "/scan"), moder.token, "{}"), 202);
	assert_string_equal(api_str(api_last_json, "status"), "queued");
	snprintf(scan_id, sizeof(scan_id), "%lld",
	         (long long)api_get(api_last_json, "scan_id")->valuedouble);
	snprintf(job_id, sizeof(job_id), "%lld",
	         (long long)api_get(api_last_json, "job_id")->valuedouble);
	/* the job: kind, unique key, args, priority, request id */
	assert_string_equal(api_q("SELECT kind || '|' || unique_key || '|' || priority || '|' ||"
	                          " (args->>'library_id') || '|' || (args->>'scan_id') || '|' ||"
	                          " (args->>'scan_type') || '|' || (request_id IS NOT NULL)"
	                          " FROM jobs WHERE id = $1::bigint",
	                          job_id, NULL),
	                    api_fmt("library.scan|library.scan:%s|2|%s|%s|incremental|true", movies_id,
	                        movies_id, scan_id));
	/* the scan row points at it */
	assert_string_equal(api_q("SELECT status || '|' || job_id || '|' || scan_type || '|' ||"
	                          " requested_by FROM library_scans WHERE id = $1::bigint",
	                          scan_id, NULL),
	                    api_fmt("queued|%s|incremental|%s", job_id, moder.id));
	assert_int_equal(q_long("SELECT count(*) FROM audit_log WHERE action = 'library.scan'"
	                        " AND resource_id = $1 AND new_values->>'job_id' = $2",
	                        movies_id, job_id),
	                 1);

	/* a second scan while the first is queued */
	long jobs_before = q_long("SELECT count(*) FROM jobs", NULL, NULL);
	EXPECT_FIELD(
	    api_call("POST", lib_uri(movies_id, "/scan"), admin.token, "{\"scan_type\":\"full\"}"),
	    409, "scan");
	assert_int_equal(q_long("SELECT count(*) FROM jobs", NULL, NULL), jobs_before);
	assert_int_equal(q_long("SELECT count(*) FROM library_scans", NULL, NULL), 1);

	/* history and detail */
	EXPECT(api_call("GET", lib_uri(movies_id, NULL), plain.token, NULL), 200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "scanning")));
	EXPECT(api_call("GET", lib_uri(movies_id, "/scans"), plain.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	const cJSON *s = cJSON_GetArrayItem(items, 0);
	assert_string_equal(api_str(s, "status"), "queued");
	assert_string_equal(api_str(s, "library_id"), movies_id);
	assert_int_equal(api_get(api_get(s, "files"), "seen")->valueint, 0);
	assert_null(api_get(s, "errors"));
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/scans/%s", scan_id)), plain.token, NULL),
	       200);
	assert_true(cJSON_IsArray(api_get(api_last_json, "errors")));
	assert_true(cJSON_IsNull(api_get(api_last_json, "elapsed_ms")));
	assert_int_equal((long long)api_get(api_last_json, "job_id")->valuedouble, atoll(job_id));
	EXPECT_FIELD(api_call("GET", lib_uri(movies_id, "/scans/999999"), plain.token, NULL), 404,
	             "scan_id");
	EXPECT_FIELD(api_call("GET", lib_uri(movies_id, "/scans/x"), plain.token, NULL), 400,
	             "scan_id");
	/* another library's scan is not this library's */
	EXPECT(api_call("GET", lib_uri(secret_id, api_fmt("/scans/%s", scan_id)), admin.token, NULL),
	       404);

	/* progress as the worker writes it, then finished: newest first */
	api_q("UPDATE library_scans SET status = 'running', started_at = now() - interval '2 s',"
	      " files_seen = 7, dirs_walked = 3 WHERE id = $1::bigint",
	      scan_id, NULL);
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/scans/%s", scan_id)), plain.token, NULL),
	       200);
	assert_string_equal(api_str(api_last_json, "status"), "running");
	assert_int_equal(api_get(api_get(api_last_json, "files"), "seen")->valueint, 7);
	assert_true(api_get(api_last_json, "elapsed_ms")->valuedouble >= 2000);
	EXPECT_FIELD(api_call("POST", lib_uri(movies_id, "/scan"), admin.token, "{}"), 409, "scan");
	api_q(
	    "UPDATE library_scans SET status = 'completed', finished_at = now(), duration_ms = 2500"
	    " WHERE id = $1::bigint",
	    scan_id, NULL);
	/* the job has not finished yet: its unique key still holds */
	EXPECT_FIELD(api_call("POST", lib_uri(movies_id, "/scan"), admin.token, "{}"), 409, "scan");
	api_q("UPDATE jobs SET state = 'completed', finalized_at = now() WHERE id = $1::bigint",
	      job_id, NULL);
	EXPECT(api_call("POST", lib_uri(movies_id, "/scan"), admin.token,
	                "{\"scan_type\":\"metadata\"}"),
	       202);
	EXPECT(api_call("GET", lib_uri(movies_id, "/scans?limit=1"), plain.token, NULL), 200);
	s = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(api_str(s, "scan_type"), "metadata");
	char next[600];
	assert_non_null(api_str(api_last_json, "next_cursor"));
	snprintf(next, sizeof(next), "%s", api_str(api_last_json, "next_cursor"));
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/scans?limit=1&cursor=%s", next)),
	                plain.token, NULL),
	       200);
	s = cJSON_GetArrayItem(api_get(api_last_json, "items"), 0);
	assert_string_equal(api_str(s, "status"), "completed");
	assert_int_equal(api_get(s, "duration_ms")->valueint, 2500);
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_cursor")));
	/* a cursor of another list is refused */
	EXPECT_FIELD(api_call("GET", lib_uri(movies_id, api_fmt("/unmatched?cursor=%s", next)),
	                      plain.token, NULL),
	             400, "cursor");
}

/* --- unmatched files and manual matches -------------------------------------- */

static const char *insert_file(const char *rel, const char *status, const char *state)
{
	static char id[37];

	snprintf(id, sizeof(id), "%s",
	         api_q(api_fmt("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns,"
	                   " state, parsed, match_status, match_confidence, match_candidates)"
	                   " VALUES ($1, '%s/' || $2, $2, 1000, 1, '%s',"
	                   " jsonb_build_object('title', $2), '%s', 41.5,"
	                   " '[{\"tmdb_id\":603,\"title\":\"The Matrix\",\"year\":1999,"
	                   "\"confidence\":41}]') RETURNING id",
	                   dir_a, state, status),
	               movies_id, rel));
	return id;
}

static void unmatched_and_match(void **state)
{
	char unmatched_id[37], local_id[37], matched_id[37];

	(void)state;
	snprintf(unmatched_id, sizeof(unmatched_id), "%s",
	         insert_file("Some.Movie.2001.mkv", "unmatched", "present"));
	snprintf(local_id, sizeof(local_id), "%s",
	         insert_file("Home Video (2010)/home.mkv", "local", "present"));
	snprintf(matched_id, sizeof(matched_id), "%s",
	         insert_file("The.Matrix.1999.mkv", "matched", "present"));
	insert_file("Gone.2003.mkv", "unmatched", "missing");

	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched"), plain.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	const cJSON *f = item_with(items, "id", unmatched_id);
	assert_non_null(f);
	assert_string_equal(api_str(f, "path"), "Some.Movie.2001.mkv");
	assert_string_equal(api_str(api_get(f, "parsed"), "title"), "Some.Movie.2001.mkv");
	assert_string_equal(api_str(f, "match_status"), "unmatched");
	assert_true(api_get(f, "match_confidence")->valuedouble > 41.4);
	assert_int_equal(
	    api_get(cJSON_GetArrayItem(api_get(f, "match_candidates"), 0), "tmdb_id")->valueint,
	    603);
	assert_non_null(item_with(items, "id", local_id));
	assert_null(item_with(items, "id", matched_id));
	/* cursor pages of one */
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched?limit=1"), plain.token, NULL), 200);
	char next[600];
	assert_non_null(api_str(api_last_json, "next_cursor"));
	snprintf(next, sizeof(next), "%s", api_str(api_last_json, "next_cursor"));
	char first[37];
	snprintf(first, sizeof(first), "%s",
	         api_str(cJSON_GetArrayItem(api_get(api_last_json, "items"), 0), "id"));
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/unmatched?limit=1&cursor=%s", next)),
	                plain.token, NULL),
	       200);
	const char *second = api_str(cJSON_GetArrayItem(api_get(api_last_json, "items"), 0), "id");
	assert_string_not_equal(first, second);
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_cursor")));
	/* the counts of the library */
	EXPECT(api_call("GET", lib_uri(movies_id, NULL), plain.token, NULL), 200);
	const cJSON *counts = api_get(api_last_json, "counts");
	assert_int_equal(api_get(counts, "files")->valueint, 3);
	assert_int_equal(api_get(counts, "unmatched")->valueint, 2);

	/* manual match: bad input, unknown file, then the real thing */
	long jobs_before =
	    q_long("SELECT count(*) FROM jobs WHERE kind = 'library.match'", NULL, NULL);
	const char *uri = api_fmt("/api/v1/files/%s/match", unmatched_id);
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"tmdb_id\":0}"), 400, "tmdb_id");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"tmdb_id\":\"603\"}"), 400, "tmdb_id");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{}"), 400, "tmdb_id");
	EXPECT_FIELD(api_call("POST", uri, admin.token, "{\"tmdb_id\":603,\"force\":true}"), 400,
	             "force");
	EXPECT_FIELD(api_call("POST", "/api/v1/files/nope/match", admin.token, "{\"tmdb_id\":603}"),
	             400, "id");
	EXPECT_FIELD(api_call("POST", "/api/v1/files/00000000-0000-4000-8000-000000000000/match",
	                      admin.token, "{\"tmdb_id\":603}"),
	             404, "id");
	assert_int_equal(
	    q_long("SELECT count(*) FROM jobs WHERE kind = 'library.match'", NULL, NULL),
	    jobs_before);
	assert_string_equal(
	    api_q("SELECT match_status FROM media_files WHERE id = $1", unmatched_id, NULL),
	    "unmatched");

	EXPECT(api_call("POST", uri, moder.token, "{\"tmdb_id\":603}"), 202);
	char job_id[24];
	snprintf(job_id, sizeof(job_id), "%lld",
	         (long long)api_get(api_last_json, "job_id")->valuedouble);
	assert_string_equal(
	    api_q("SELECT match_status FROM media_files WHERE id = $1", unmatched_id, NULL),
	    "manual");
	assert_string_equal(api_q("SELECT kind || '|' || priority || '|' || (args->>'file_id') ||"
	                          " '|' || (args->>'tmdb_id') || '|' || (args->>'manual') ||"
	                          " '|' || jsonb_typeof(args->'tmdb_id') || '|' ||"
	                          " jsonb_typeof(args->'manual') FROM jobs WHERE id = $1::bigint",
	                          job_id, NULL),
	                    api_fmt("library.match|1|%s|603|true|number|boolean", unmatched_id));
	/* the manual file has left the unmatched list */
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched"), plain.token, NULL), 200);
	assert_null(item_with(api_get(api_last_json, "items"), "id", unmatched_id));
	assert_int_equal(q_long("SELECT count(*) FROM audit_log WHERE action = 'library.file.match'"
	                        " AND resource_id = $1",
	                        unmatched_id, NULL),
	                 1);

	/* a file of a library the caller cannot see does not exist for them */
	api_q(api_fmt("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns,"
	          " match_status) VALUES ($1, '%s/x.mkv', 'x.mkv', 1, 1, 'unmatched')",
	          dir_c),
	      secret_id, NULL);
	EXPECT(api_call("GET", lib_uri(secret_id, NULL), admin.token, NULL), 200);
	assert_int_equal(api_get(api_get(api_last_json, "counts"), "unmatched")->valueint, 1);
}

/* Parental limits reach the lists outside the catalog (issue 14, item 5):
 * a child limited to 12 sees neither the file of an R-rated movie in the
 * unmatched list nor its scan error; a file no item claims is unrated. */
static void unmatched_respects_parental_limits(void **state)
{
	struct api_user kid;
	char movie[37], rated[37], loose[37], scan[24];
	const cJSON *items;

	(void)state;
	api_new_user(&kid, "lib_kid", NULL);
	api_q("INSERT INTO user_preferences (user_id, max_age_rating, rating_country, allow_unrated)"
	      " VALUES ($1, 12, 'US', true) ON CONFLICT (user_id) DO UPDATE SET max_age_rating = 12,"
	      " rating_country = 'US', allow_unrated = true",
	      kid.id, NULL);
	snprintf(movie, sizeof(movie), "%s",
	         api_q("INSERT INTO movies (library_id, title) VALUES ($1, 'Grim Film') RETURNING id",
	               movies_id, NULL));
	api_q("INSERT INTO movie_age_ratings (movie_id, country, system, certification, min_age)"
	      " VALUES ($1, 'US', 'MPAA', 'R', 17)",
	      movie, NULL);
	snprintf(rated, sizeof(rated), "%s", insert_file("Grim Film (1990)/grim.mkv", "local", "present"));
	api_q("UPDATE media_files SET movie_id = $2 WHERE id = $1", rated, movie);
	snprintf(loose, sizeof(loose), "%s", insert_file("Loose.Clip.mkv", "unmatched", "present"));
	snprintf(scan, sizeof(scan), "%s",
	         api_q(api_fmt("INSERT INTO library_scans (library_id, scan_type, status, errors)"
	                   " VALUES ($1, 'full', 'completed', jsonb_build_array("
	                   "jsonb_build_object('path', '%s/Grim Film (1990)/grim.mkv', 'error', 'x'),"
	                   "jsonb_build_object('path', '%s/Loose.Clip.mkv', 'error', 'y')))"
	                   " RETURNING id",
	                   dir_a, dir_a),
	               movies_id, NULL));

	/* without a limit both are there */
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched?limit=100"), plain.token, NULL), 200);
	items = api_get(api_last_json, "items");
	assert_non_null(item_with(items, "id", rated));
	assert_non_null(item_with(items, "id", loose));
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/scans/%s", scan)), plain.token, NULL), 200);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "errors")), 2);

	/* the child: the R-rated file is gone from the list, its count and the scan */
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched?limit=100"), kid.token, NULL), 200);
	items = api_get(api_last_json, "items");
	assert_null(item_with(items, "id", rated));
	assert_non_null(item_with(items, "id", loose));
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched?offset=0&limit=100"), kid.token, NULL),
	       200);
	assert_int_equal(api_get(api_last_json, "total")->valueint,
	                 cJSON_GetArraySize(api_get(api_last_json, "items")));
	assert_null(item_with(api_get(api_last_json, "items"), "id", rated));
	EXPECT(api_call("GET", lib_uri(movies_id, api_fmt("/scans/%s", scan)), kid.token, NULL), 200);
	items = api_get(api_last_json, "errors");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_non_null(strstr(api_str(cJSON_GetArrayItem(items, 0), "path"), "Loose.Clip.mkv"));

	/* hiding unrated items hides the file no item claims as well */
	api_q("UPDATE user_preferences SET allow_unrated = false WHERE user_id = $1", kid.id, NULL);
	EXPECT(api_call("GET", lib_uri(movies_id, "/unmatched?limit=100"), kid.token, NULL), 200);
	assert_null(item_with(api_get(api_last_json, "items"), "id", loose));

	api_q("DELETE FROM library_scans WHERE id = $1::bigint", scan, NULL);
	api_q("DELETE FROM media_files WHERE id IN ($1::uuid, $2::uuid)", rated, loose);
	api_q("DELETE FROM movies WHERE id = $1", movie, NULL);
}

/* --- delete ------------------------------------------------------------------ */

static void delete_library(void **state)
{
	char job_id[24];

	(void)state;
	/* the metadata scan queued above is still in flight */
	snprintf(job_id, sizeof(job_id), "%s",
	         api_q("SELECT job_id FROM library_scans WHERE library_id = $1"
	               " AND status = 'queued'",
	               movies_id, NULL));
	assert_true(job_id[0]);
	EXPECT(api_call("DELETE", lib_uri(movies_id, NULL), moder.token, NULL), 204);
	assert_string_equal(
	    api_q("SELECT state::text FROM jobs WHERE id = $1::bigint", job_id, NULL), "cancelled");
	assert_int_equal(
	    q_long("SELECT count(*) FROM library_scans WHERE library_id = $1", movies_id, NULL), 0);
	assert_int_equal(
	    q_long("SELECT count(*) FROM media_files WHERE library_id = $1", movies_id, NULL), 0);
	assert_string_equal(api_q("SELECT old_values->>'name' FROM audit_log WHERE action ="
	                          " 'library.delete' AND resource_id = $1",
	                          movies_id, NULL),
	                    "Films");
	EXPECT(api_call("GET", lib_uri(movies_id, NULL), admin.token, NULL), 404);
	EXPECT(api_call("DELETE", lib_uri(movies_id, NULL), admin.token, NULL), 404);
	assert_false(listed(admin.token, movies_id));

	/* its roots are free again */
	EXPECT(create(admin.token, api_fmt("{\"name\":\"Films again\",\"type\":\"movie\",\"paths\":"
	                               "[\"%s\"]}",
	                               dir_inner)),
	       201);

	/* deleting a restricted library with grants removes the grants too */
	EXPECT(api_call("POST", lib_uri(secret_id, "/permissions"), admin.token,
	                api_fmt("{\"user_id\":\"%s\",\"level\":\"manage\"}", plain.id)),
	       201);
	EXPECT(api_call("DELETE", lib_uri(secret_id, NULL), admin.token, NULL), 204);
	assert_int_equal(
	    q_long("SELECT count(*) FROM library_grants WHERE library_id = $1", secret_id, NULL),
	    0);

	/* levels: a role that may delete libraries but does not manage them
	 * (no libraries:update) needs a manage grant on the library */
	struct api_user deleter;
	api_q("INSERT INTO roles (name, description) VALUES ($1, 'deletes libraries')",
	      "lib_deleter", NULL);
	api_q(
	    "INSERT INTO role_permissions (role_id, permission) SELECT id, p FROM roles,"
	    " unnest(ARRAY['libraries:list', 'libraries:get', 'libraries:delete', 'profile:read'])"
	    " AS p WHERE name = $1",
	    "lib_deleter", NULL);
	api_new_user(&deleter, "lib_deleter_user", "lib_deleter");
	EXPECT_FIELD(api_call("DELETE", lib_uri(shows_id, NULL), deleter.token, NULL), 403, "id");
	EXPECT(api_call("POST", lib_uri(shows_id, "/permissions"), admin.token,
	                api_fmt("{\"user_id\":\"%s\",\"level\":\"download\"}", deleter.id)),
	       201);
	EXPECT_FIELD(api_call("DELETE", lib_uri(shows_id, NULL), deleter.token, NULL), 403, "id");
	/* a restricted library without a grant is not there at all */
	EXPECT(
	    api_call("PUT", lib_uri(shows_id, NULL), admin.token, "{\"visibility\":\"granted\"}"),
	    200);
	EXPECT(api_call("DELETE", lib_uri(shows_id, api_fmt("/permissions/%s", deleter.id)),
	                admin.token, NULL),
	       204);
	EXPECT_FIELD(api_call("DELETE", lib_uri(shows_id, NULL), deleter.token, NULL), 404, "id");
	EXPECT(api_call("POST", lib_uri(shows_id, "/permissions"), admin.token,
	                api_fmt("{\"user_id\":\"%s\",\"level\":\"manage\"}", deleter.id)),
	       201);
	EXPECT(api_call("GET", lib_uri(shows_id, NULL), deleter.token, NULL), 200);
	EXPECT(api_call("DELETE", lib_uri(shows_id, NULL), deleter.token, NULL), 204);
	assert_int_equal(q_long("SELECT count(*) FROM libraries WHERE id = $1", shows_id, NULL), 0);
}

/* --- where a library may point (issue 14, item 1) --------------------------- */

static void roots_policy(void **state)
{
	char saved[64], media_id[37], opened_id[37];
	long before;

	(void)state;
	/* accepted: a folder of an allowed root, with video and sidecar types */
	EXPECT(create(moder.token, api_fmt("{\"name\":\"R\",\"type\":\"movie\",\"paths\":"
	                               "[\"%s/media\"],\"extensions\":[\"mkv\",\"mp4\",\"srt\","
	                               "\"nfo\",\"jpg\"]}",
	                               state_dir)),
	       201);
	snprintf(media_id, sizeof(media_id), "%s", api_str(api_last_json, "id"));
	before = count_libraries();
	snprintf(saved, sizeof(saved), "%s",
	         api_q("SELECT md5(string_agg(l::text, ',' ORDER BY id)) FROM libraries l", NULL,
	               NULL));
#define LIB(paths) api_fmt("{\"name\":\"X\",\"type\":\"movie\",\"paths\":[%s]}", paths)
	/* outside every allowed root, for a moderator as for an admin */
	EXPECT_FIELD(create(moder.token, LIB("\"/etc\"")), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB("\"/etc\"")), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/etc/media\",\"/etc\"", state_dir))), 422,
	             "paths[1]");
	/* a symlink inside an allowed root that leads out of it */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", link_out))), 422, "paths[0]");
	/* ".." is refused before anything is resolved, and a link whose
	 * target climbs out with ".." is judged by where it resolves */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/../../../../../../etc\"", base))), 400,
	             "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/dotdot\"", base))), 422, "paths[0]");
	/* the server's own state: its storage, its configuration directory,
	 * what contains them and what lies inside them */
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/storage\"", state_dir))), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/storage/images\"", state_dir))), 422,
	             "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s\"", state_dir))), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/etc\"", state_dir))), 422, "paths[0]");
	EXPECT_FIELD(create(admin.token, LIB(api_fmt("\"%s/etc/other\"", state_dir))), 422,
	             "paths[0]");
	/* extensions: video containers and sidecars only */
	EXPECT_FIELD(create(admin.token, api_fmt("{\"name\":\"X\",\"type\":\"movie\",\"paths\":"
	                                     "[\"%s/etc/media\"],\"extensions\":[\"txt\"]}",
	                                     state_dir)),
	             422, "extensions[0]");
	EXPECT_FIELD(create(admin.token, api_fmt("{\"name\":\"X\",\"type\":\"movie\",\"paths\":"
	                                     "[\"%s/etc/media\"],\"extensions\":[\"mkv\",\"pem\"]}",
	                                     state_dir)),
	             422, "extensions[1]");
	/* an update is held to the same rules */
	EXPECT_FIELD(api_call("PUT", lib_uri(media_id, NULL), admin.token, "{\"paths\":[\"/etc\"]}"),
	             422, "paths[0]");
	EXPECT_FIELD(api_call("PUT", lib_uri(media_id, NULL), moder.token,
	                      api_fmt("{\"paths\":[\"%s\"]}", link_out)),
	             422, "paths[0]");
	EXPECT_FIELD(api_call("PUT", lib_uri(media_id, NULL), admin.token,
	                      "{\"extensions\":[\"txt\"]}"),
	             422, "extensions[0]");
	assert_int_equal(count_libraries(), before);
	assert_string_equal(
	    api_q("SELECT md5(string_agg(l::text, ',' ORDER BY id)) FROM libraries l", NULL, NULL),
	    saved);
	/* an allowed root listed inside the configuration directory opens it */
	EXPECT(create(admin.token, LIB(api_fmt("\"%s/etc/media\"", state_dir))), 201);
	snprintf(opened_id, sizeof(opened_id), "%s", api_str(api_last_json, "id"));
	EXPECT(api_call("DELETE", lib_uri(media_id, NULL), admin.token, NULL), 204);
	EXPECT(api_call("DELETE", lib_uri(opened_id, NULL), admin.token, NULL), 204);
#undef LIB
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(crud_happy_path),
	    cmocka_unit_test(validation_errors),
	    cmocka_unit_test(permissions_by_role),
	    cmocka_unit_test(visibility_and_grants),
	    cmocka_unit_test(scans),
	    cmocka_unit_test(unmatched_and_match),
	    cmocka_unit_test(unmatched_respects_parental_limits),
	    cmocka_unit_test(delete_library),
	    cmocka_unit_test(roots_policy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
