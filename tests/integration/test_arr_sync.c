/*
 * Radarr/Sonarr API v3 (integrations/arr_api.h) through the real FastCGI
 * pool and the sync job, against a stand-in server (tests/lib/http_receiver.c)
 * answering the API v3 bodies of tests/fixtures/arr-api, reached through
 * the integration's base_url as a user configures it:
 *   - the API key is stored sealed (AES-256-GCM under auth.secret_key) and
 *     sent as X-Api-Key; a key the *arr refuses, an *arr that does not
 *     answer, a key that does not open: each a clear problem naming it;
 *   - status, quality profiles and root folders (mapped, with the library
 *     that holds them);
 *   - a full sync: ids kept for the folders in libraries, a folder with
 *     files this server has not scanned gets a targeted scan, a file
 *     identified as something else is identified again, items outside
 *     every library counted; a second sync after an item left Radarr
 *     forgets its ids; a one-item sync; Sonarr's series;
 *   - the periodic check queues a sync once its interval has passed.
 */
#include <limits.h>
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
#include "core/buf.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "http_receiver.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "server.h"
#include "testenv.h"

#define SECRET_KEY "5f0c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a190807060"
#define RADARR_KEY "radarr-api-key-0123456789abcdef"
#define SONARR_KEY "sonarr-api-key-0123456789abcdef"

static char conf[1200], sock[256], log_path[PATH_MAX], base[1024], movies[1100], tv[1100];
static char movie_lib[37], tv_lib[37];
static pid_t server = -1;
static PGconn *pg;
static struct db *db;
static struct arena *ar;
static struct http_receiver *stub;
static struct api_user admin, plain;
static volatile int without_upcoming; /* the stand-in's movie list lacks movie 4 */


/* --- the stand-in -------------------------------------------------------------- */

static char *read_fixture(const char *kind, const char *name)
{
	char rel[1200];
	snprintf(rel, sizeof(rel), "arr-api/%s/%s.json", kind, name);
	return testenv_fixture(rel);
}

/* /radarr/api/v3/... and /sonarr/api/v3/...: one base URL each */
static char *serve(const struct received *req, int *status, void *arg)
{
	char key[128] = "", kind[16] = "", rest[1024] = "";
	(void)arg;

	if (sscanf(req->target, "/%15[a-z]/api/v3/%1023s", kind, rest) != 2) {
		*status = 404;
		return NULL;
	}
	received_header(req, "X-Api-Key", key, sizeof(key));
	if (strcmp(key, !strcmp(kind, "radarr") ? RADARR_KEY : SONARR_KEY)) {
		*status = 401;
		return NULL;
	}
	const char *name = !strcmp(rest, "system/status") ? "system_status" : rest;
	int one = 0;
	if (!strncmp(rest, "movie/", 6) || !strncmp(rest, "series/", 7)) {
		one = atoi(strchr(rest, '/') + 1);
		name = !strncmp(rest, "movie/", 6) ? "movie" : "series";
	}
	char *text = read_fixture(kind, name);
	if (!text) {
		*status = 404;
		return NULL;
	}
	*status = 200;
	if (!one && !without_upcoming)
		return text;
	cJSON *list = cJSON_Parse(text), *it, *pick = NULL;
	free(text);
	for (it = list ? list->child : NULL; it;) {
		cJSON *next = it->next;
		int id = cJSON_GetObjectItem(it, "id")->valueint;
		if (one && id == one)
			pick = cJSON_Duplicate(it, true);
		if (without_upcoming && id == 4)
			cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
		it = next;
	}
	if (one && !pick) {
		cJSON_Delete(list);
		*status = 404;
		return NULL;
	}
	text = cJSON_PrintUnformatted(one ? pick : list);
	cJSON_Delete(list);
	cJSON_Delete(pick);
	return text;
}

/* --- helpers --------------------------------------------------------------------- */

static const char *q(const char *sql, const char *a, const char *b)
{
	return api_q(sql, a, b);
}

static long qn(const char *sql, const char *a, const char *b)
{
	return atol(q(sql, a, b));
}

/* what the stand-in was asked last: its target and one header */
static const char *last_asked(const char *header)
{
	static char out[2048];
	struct received *q = receiver_get(stub, receiver_count(stub) - 1);
	assert_non_null(q);
	if (header)
		assert_non_null(received_header(q, header, out, sizeof(out)));
	else
		snprintf(out, sizeof(out), "%s", q->target);
	received_free(q);
	return out;
}

static void put_clip(const char *dir, const char *name)
{
	api_sh("mkdir -p '%s' && ffmpeg -loglevel error -y -f lavfi -i testsrc=size=64x36:rate=24"
	       " -t 1 -c:v libx264 -preset ultrafast '%s/%s'",
	       dir, dir, name);
}

static void run_sync_job(void)
{
	struct job_result res;
	const cJSON *id = api_get(api_last_json, "job_id");
	assert_true(cJSON_IsNumber(id));
	const char *args = q("SELECT args::text FROM jobs WHERE id = $1",
	                     api_fmt("%lld", (long long)id->valuedouble), NULL);
	assert_int_equal(jobrun(kind_integration_sync, db, ar, args, NULL, &res), JOB_OK);
}

static const cJSON *last_sync(const char *kind)
{
	EXPECT(api_call("GET", api_fmt("/api/v1/admin/integrations/%s", kind), admin.token, NULL),
	       200);
	return api_get(api_last_json, "last_sync");
}

static long sync_count(const char *kind, const char *key)
{
	const cJSON *v = api_get(last_sync(kind), key);
	assert_true(cJSON_IsNumber(v));
	return (long)v->valuedouble;
}

/* --- tests ------------------------------------------------------------------------- */

static void keys_and_errors(void **state)
{
	(void)state;
	const char *url = api_fmt("http://127.0.0.1:%d/radarr", receiver_port(stub));

	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                api_fmt("{\"base_url\": \"%s\", \"api_key\": \"%s\", \"path_map\":"
	                        " [{\"remote\": \"/movies\", \"local\": \"%s\"}]}",
	                        url, RADARR_KEY, movies)),
	       201);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "api_key_set")));
	assert_null(api_get(api_last_json, "api_key"));
	/* sealed at rest: not the key, opens with the server's key and its place */
	const char *sealed = api_fmt("%s", q("SELECT api_key_sealed FROM integrations WHERE kind ="
	                                     " 'radarr'",
	                                     NULL, NULL));
	assert_int_equal(strncmp(sealed, "gcm1.", 5), 0);
	assert_null(strstr(sealed, RADARR_KEY));
	unsigned char key[32];
	assert_int_equal(crypto_key_parse(SECRET_KEY, key), 0);
	char *open = crypto_open_text(key, "integration:radarr:api_key", sealed);
	assert_non_null(open);
	assert_string_equal(open, RADARR_KEY);
	free(open);
	assert_string_equal(q("SELECT count(*) FROM audit_log WHERE action = 'integration.update'"
	                      " AND position($1 IN new_values::text) > 0",
	                      RADARR_KEY, NULL),
	                    "0");

	/* the key is sent, the answer shown */
	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr/status", admin.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "version"), "5.14.0.9383");
	assert_string_equal(api_str(api_last_json, "app_name"), "Radarr");
	assert_string_equal(last_asked("X-Api-Key"), RADARR_KEY);
	assert_string_equal(last_asked(NULL), "/radarr/api/v3/system/status");
	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr/status", plain.token, NULL), 403);

	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr/quality-profiles", admin.token,
	                NULL),
	       200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 3);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 1), "name"), "HD-1080p");
	assert_true(cJSON_IsTrue(api_get(cJSON_GetArrayItem(items, 1), "upgrade_allowed")));

	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr/root-folders", admin.token, NULL),
	       200);
	items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "local_path"), movies);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "library_id"), movie_lib);
	assert_true(cJSON_IsNull(api_get(cJSON_GetArrayItem(items, 1), "library_id")));
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 1), "local_path"), "/other");

	/* a key the *arr refuses */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                api_fmt("{\"base_url\": \"http://127.0.0.1:%d/sonarr\", \"api_key\":"
	                        " \"wrong-key-0123456789\", \"path_map\": [{\"remote\": \"/tv\","
	                        " \"local\": \"%s\"}]}",
	                        receiver_port(stub), tv)),
	       201);
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/integrations/sonarr/status", admin.token, NULL),
	             422, "api_key");
	/* a sealed key moved to another integration does not open */
	api_sh(
	    "psql -q -d '%s' -c \"UPDATE integrations SET api_key_sealed = (SELECT api_key_sealed"
	    " FROM integrations WHERE kind = 'radarr') WHERE kind = 'sonarr'\"",
	    PQdb(pg));
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/integrations/sonarr/status", admin.token, NULL),
	             409, "api_key");
	/* an *arr that does not answer */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                "{\"base_url\": \"http://127.0.0.1:9/sonarr\", \"api_key\": \"" SONARR_KEY
	                "\"}"),
	       200);
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/integrations/sonarr/status", admin.token, NULL),
	             503, "base_url");
	/* no key: nothing to ask with; a sync is refused before it is queued */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                api_fmt("{\"base_url\": \"http://127.0.0.1:%d/sonarr\", \"api_key\": null}",
	                        receiver_port(stub))),
	       200);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "api_key_set")));
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/integrations/sonarr/sync", admin.token, "{}"),
	             409, "api_key");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                      "{\"api_key\": \"short\"}"),
	             400, "api_key");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                      "{\"sync_interval_minutes\": -1}"),
	             400, "sync_interval_minutes");
	EXPECT_FIELD(api_call("POST", "/api/v1/admin/integrations/radarr/sync", admin.token,
	                      "{\"item_id\": 0}"),
	             400, "item_id");
	assert_int_equal(
	    qn("SELECT count(*) FROM jobs WHERE kind = 'integration.sync'", NULL, NULL), 0);
}

static void radarr_sync(void **state)
{
	(void)state;
	const char *matrix = api_fmt("%s/The Matrix (1999)", movies);
	char fight[PATH_MAX];

	snprintf(fight, sizeof(fight), "%s/Fight Club (1999)", movies);
	/* The Matrix has a file Radarr imported that this server never saw;
	 * Fight Club's file is known, linked to a movie that is not 550 */
	put_clip(matrix, "The.Matrix.1999.mkv");
	put_clip(fight, "Fight.Club.1999.mkv");
	api_sh("psql -q -d '%s' -c \"WITH m AS (INSERT INTO movies (library_id, title, year,"
	       " tmdb_id) VALUES ('%s', 'Fight Club', 1999, 99999) RETURNING id)"
	       " INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns, movie_id,"
	       " match_status) SELECT '%s', '%s/Fight.Club.1999.mkv', 'Fight Club "
	       "(1999)/Fight.Club.1999.mkv',"
	       " 1, 1, id, 'matched' FROM m\"",
	       PQdb(pg), movie_lib, movie_lib, fight);

	EXPECT(api_call("POST", "/api/v1/admin/integrations/radarr/sync", admin.token, "{}"), 202);
	assert_true(cJSON_IsFalse(api_get(api_last_json, "already_queued")));
	char job[24];
	snprintf(job, sizeof(job), "%d", api_get(api_last_json, "job_id")->valueint);
	/* one full sync queued at a time */
	EXPECT(api_call("POST", "/api/v1/admin/integrations/radarr/sync", admin.token, "{}"), 202);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "already_queued")));
	assert_string_equal(api_fmt("%d", api_get(api_last_json, "job_id")->valueint), job);
	run_sync_job();

	/* ids for the three folders in the library, not the one outside */
	assert_string_equal(q("SELECT string_agg(substr(path, length($1) + 2) || '=' ||"
	                      " coalesce(tmdb_id::text, '-') || '/' || coalesce(imdb_id, '-'), ','"
	                      " ORDER BY path) FROM path_hints WHERE source = 'radarr'",
	                      movies, NULL),
	                    "Fight Club (1999)=550/tt0137523,The Matrix (1999)=603/tt0133093,"
	                    "Upcoming Picture (2027)=100002/-");
	/* The Matrix is scanned, Fight Club identified again, nothing else */
	assert_string_equal(
	    q("SELECT string_agg(kind || ':' || coalesce(args->>'path', '') ||"
	      " coalesce(args->>'file_id', ''), ',' ORDER BY kind) FROM jobs WHERE kind"
	      " IN ('library.scan_path', 'library.match')",
	      NULL, NULL),
	    api_fmt("library.match:%s,library.scan_path:%s",
	            q("SELECT id::text FROM media_files WHERE rel_path LIKE 'Fight%'", NULL, NULL),
	            matrix));
	assert_int_equal(sync_count("radarr", "items"), 4);
	assert_int_equal(sync_count("radarr", "in_library"), 3);
	assert_int_equal(sync_count("radarr", "outside"), 1);
	assert_int_equal(sync_count("radarr", "hints_changed"), 3);
	assert_int_equal(sync_count("radarr", "rematched"), 1);
	assert_int_equal(sync_count("radarr", "scans"), 1);
	assert_true(api_str(api_last_json, "last_sync_at") != NULL);

	/* again, after Radarr dropped the upcoming movie: its ids go, the rest
	 * is unchanged */
	api_exec("UPDATE jobs SET state = 'completed', finalized_at = now()"
	                           " WHERE state IN ('available', 'scheduled')");
	without_upcoming = 1;
	EXPECT(api_call("POST", "/api/v1/admin/integrations/radarr/sync", admin.token, "{}"), 202);
	run_sync_job();
	without_upcoming = 0;
	assert_int_equal(sync_count("radarr", "hints_changed"), 0);
	assert_int_equal(sync_count("radarr", "forgotten"), 1);
	assert_int_equal(qn("SELECT count(*) FROM path_hints WHERE source = 'radarr'", NULL, NULL),
	                 2);

	/* one item: Radarr's movie 2 */
	EXPECT(api_call("POST", "/api/v1/admin/integrations/radarr/sync", admin.token,
	                "{\"item_id\": 2}"),
	       202);
	run_sync_job();
	assert_string_equal(last_asked(NULL), "/radarr/api/v3/movie/2");
	assert_int_equal(sync_count("radarr", "items"), 1);
	assert_int_equal(sync_count("radarr", "forgotten"), 0);
	assert_int_equal(qn("SELECT count(*) FROM path_hints WHERE source = 'radarr'", NULL, NULL),
	                 2);
}

static void sonarr_sync(void **state)
{
	(void)state;
	const char *bb = api_fmt("%s/Breaking Bad/Season 01", tv);

	put_clip(bb, "Breaking.Bad.S01E01.mkv");
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                "{\"api_key\": \"" SONARR_KEY "\"}"),
	       200);
	EXPECT(api_call("GET", "/api/v1/admin/integrations/sonarr/status", admin.token, NULL), 200);
	assert_string_equal(api_str(api_last_json, "version"), "4.0.10.2544");
	EXPECT(api_call("POST", "/api/v1/admin/integrations/sonarr/sync", admin.token, "{}"), 202);
	run_sync_job();
	assert_string_equal(
	    q("SELECT string_agg(substr(path, length($1) + 2) || '=' ||"
	      " coalesce(tvdb_id::text, '-') || '/' || coalesce(tmdb_id::text, '-'),"
	      " ',' ORDER BY path) FROM path_hints WHERE source = 'sonarr'",
	      tv, NULL),
	    "Breaking Bad=81189/1396,Future Show=999001/-");
	/* the series with episode files this server does not know: scanned */
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'library.scan_path' AND"
	                    " args->>'path' = $1 AND args->>'library_id' = $2",
	                    api_fmt("%s/Breaking Bad", tv), tv_lib),
	                 1);
	assert_int_equal(sync_count("sonarr", "scans"), 1);
	assert_int_equal(sync_count("sonarr", "in_library"), 2);
}

static void periodic(void **state)
{
	(void)state;
	struct job_result res;

	api_exec("UPDATE jobs SET state = 'completed', finalized_at = now()"
	                           " WHERE state IN ('available', 'scheduled')");
	/* synced a moment ago: nothing due */
	assert_int_equal(jobrun(kind_integration_sync_due, db, ar, "{}", NULL, &res), JOB_OK);
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'integration.sync' AND state ="
	                    " 'available'",
	                    NULL, NULL),
	                 0);
	/* radarr's interval has passed, sonarr syncs on demand only */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                "{\"sync_interval_minutes\": 0}"),
	       200);
	api_exec("UPDATE integrations SET last_sync_at = now() - interval '7 hours'");
	assert_int_equal(jobrun(kind_integration_sync_due, db, ar, "{}", NULL, &res), JOB_OK);
	assert_int_equal(jobrun(kind_integration_sync_due, db, ar, "{}", NULL, &res), JOB_OK);
	assert_string_equal(q("SELECT string_agg(args->>'kind', ',') FROM jobs WHERE kind ="
	                      " 'integration.sync' AND state = 'available'",
	                      NULL, NULL),
	                    "radarr");
}

/* --- setup ------------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *url = testenv_new_database(NULL);
	char real[PATH_MAX];
	char *const noenv[] = {NULL};
	struct config c;
	struct buf msg;

	(void)state;
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	if (!(stub = receiver_start()))
		return -1;
	receiver_answer_with(stub, serve, NULL);
	snprintf(base, sizeof(base), "%s/arrsync-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(base) || !realpath(base, real) || strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	snprintf(movies, sizeof(movies), "%s/movies", base);
	snprintf(tv, sizeof(tv), "%s/tv", base);
	if (system(api_fmt("mkdir -p '%s' '%s'", movies, tv)) != 0)
		return -1;
	pg = testenv_connect(url);
	api_pg = pg;
	api_two_libraries(movies, tv, movie_lib, tv_lib);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	/* the worker's side: the same secret key */
	buf_init(&msg, 1024);
	const char *text = "[auth]\nsecret_key = " SECRET_KEY "\n";
	if (config_load_text(&c, text, strlen(text), "test_arr_sync.conf", noenv, &msg))
		return -1;
	library_kinds_configure(&c);
	config_release(&c);
	buf_release(&msg);

	snprintf(sock, sizeof(sock), "/tmp/revenge-arrsync-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_arr_sync.log", testenv_stack_dir());
	snprintf(conf, sizeof(conf), "%s/revenge.conf", base);
	api_sock = sock;
	testenv_write_config(
	    conf, url, sock,
	    api_fmt("pool_size = 2\n[auth]\nargon2_memory = 1m\nargon2_iterations = 1\nsecret_key "
	            "= " SECRET_KEY
	            "\n[ratelimit]\nenabled = false\n[library]\nallowed_roots = %s\n"
	            "[storage]\npath = %s/storage\n",
	            base, base));
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "arrsync_admin", "admin");
	api_new_user(&plain, "arrsync_plain", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	receiver_stop(stub);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	if (base[0] && system(api_fmt("rm -rf '%s'", base)) != 0)
		print_message("could not remove the tree\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keys_and_errors),
	    cmocka_unit_test(radarr_sync),
	    cmocka_unit_test(sonarr_sync),
	    cmocka_unit_test(periodic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
