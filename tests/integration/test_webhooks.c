/*
 * Radarr and Sonarr webhooks (integrations/integrations.h) through the real
 * FastCGI pool, with every recorded payload of tests/fixtures/arr-webhooks
 * posted as Radarr/Sonarr send it; the integration.event jobs they queue
 * are then run as the worker runs them, and the database checked.
 *
 * The payloads name /home36/adbtech/media/{Movies,TV Shows}/…; the
 * integrations' path maps rewrite those to a temporary tree holding one
 * movie and one TV library, with a real one-second clip (ffmpeg) wherever a
 * payload says a file was imported. The fake TMDb (recorded responses)
 * identifies the movie of a folder whose name says nothing, by the tmdbId a
 * Download payload gave for it.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "api.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "fake_tmdb_proc.h"
#include "fcgi_client.h"
#include "jobrun.h"
#include "library_kinds.h"
#include "metadata/identify.h"
#include "metadata/tmdb.h"
#include "server.h"
#include "testenv.h"

#define KEY "webhooks-key"
#define RM "/home36/adbtech/media/Movies"
#define RT "/home36/adbtech/media/TV Shows"

static char conf[1200], sock[256], log_path[PATH_MAX], base[1024], movies[1100], tv[1100];
static char clip[1100], movie_lib[37], tv_lib[37], radarr_secret[64];
static const char *sonarr_secret = "sonarr-secret-0123456789";
static char db_url[1024];
static pid_t server = -1;
static PGconn *pg;
static struct db *db;
static struct arena *ar;
static struct fake_tmdb fake;
static struct api_user admin, plain;


/* --- helpers ------------------------------------------------------------------- */

static char *fixture(const char *name)
{
	char *text = testenv_fixture(api_fmt("arr-webhooks/%s.json", name));
	assert_non_null(text);
	return text;
}

static void b64(const char *in, char *out)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;
	const unsigned char *s = (const unsigned char *)in;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
		             (i + 2 < n ? s[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = 0;
}

enum auth { NONE, BASIC, HEADER };

/* POST body to the kind's webhook with secret presented as auth says;
 * the status (the answer in api_last / api_last_json) */
static int post(const char *kind, enum auth how, const char *secret, const char *body)
{
	char p1[512], user[300], enc[420];
	const char *params[3] = {"CONTENT_TYPE=application/json", NULL, NULL};

	if (how == BASIC) {
		snprintf(user, sizeof(user), "%s:%s", kind, secret);
		b64(user, enc);
		snprintf(p1, sizeof(p1), "HTTP_AUTHORIZATION=Basic %s", enc);
		params[1] = p1;
	} else if (how == HEADER) {
		snprintf(p1, sizeof(p1), "HTTP_X_WEBHOOK_SECRET=%s", secret);
		params[1] = p1;
	}
	assert_int_equal(
	    fcgi_call(sock, "POST", api_fmt("/api/v1/webhooks/%s", kind), params, body, &api_last),
	    0);
	cJSON_Delete(api_last_json);
	api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

static int radarr(const char *body)
{
	return post("radarr", BASIC, radarr_secret, body);
}

static int sonarr(const char *body)
{
	return post("sonarr", HEADER, sonarr_secret, body);
}

static int post_fixture(const char *name)
{
	char *text = fixture(name);
	int st = !strncmp(name, "radarr", 6) ? radarr(text) : sonarr(text);
	free(text);
	return st;
}

static const char *q(const char *sql, const char *a, const char *b)
{
	return api_q(sql, a, b);
}

static long qn(const char *sql, const char *a, const char *b)
{
	return atol(q(sql, a, b));
}

/* what webhooks have written so far, as one comparable string */
static const char *written(void)
{
	return q("SELECT (SELECT count(*) FROM webhook_receipts) || '/' || (SELECT count(*)"
	         " FROM jobs WHERE kind = 'integration.event') || '/' || (SELECT count(*) FROM"
	         " path_hints) || '/' || (SELECT count(*) FROM media_files)",
	         NULL, NULL);
}

/* run the integration.event job the last answer queued, as the worker does */
static void run_job(void)
{
	struct job_result res;
	const cJSON *id = api_get(api_last_json, "job_id");

	assert_true(cJSON_IsNumber(id));
	const char *args =
	    q("SELECT args::text FROM jobs WHERE id = $1 AND kind = 'integration.event'",
	      api_fmt("%lld", (long long)id->valuedouble), NULL);
	assert_true(args[0]);
	assert_int_equal(jobrun(kind_integration_event, db, ar, args, NULL, &res), JOB_OK);
}

/* run every queued library.match job of the files below folder */
static void run_matches(const char *folder)
{
	struct job_result res;
	PGresult *r = PQexecParams(pg,
	                           "SELECT j.args::text FROM jobs j JOIN media_files f ON f.id ="
	                           " (j.args->>'file_id')::uuid WHERE j.kind = 'library.match'"
	                           " AND j.state = 'available' AND starts_with(f.path, $1 || '/')",
	                           1, NULL, (const char *const[]){folder}, NULL, NULL, 0);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_true(PQntuples(r) > 0);
	for (int i = 0; i < PQntuples(r); i++)
		assert_int_equal(
		    jobrun(kind_library_match, db, ar, PQgetvalue(r, i, 0), NULL, &res), JOB_OK);
	PQclear(r);
	api_exec("UPDATE jobs SET state = 'completed', finalized_at = now() WHERE kind ="
	               " 'library.match' AND state = 'available'");
}

/* a copy of the clip at path, its folders made (names may hold quotes) */
static void put_clip(const char *path)
{
	char dir[PATH_MAX], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *c = dir + 1; *c; c++)
		if (*c == '/') {
			*c = 0;
			mkdir(dir, 0755);
			*c = '/';
		}
	assert_non_null(in = fopen(clip, "rb"));
	assert_non_null(out = fopen(path, "wb"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static const char *action(void)
{
	return api_str(api_last_json, "action");
}

/* --- settings ------------------------------------------------------------------- */

static void settings(void **state)
{
	(void)state;
	EXPECT(api_call("GET", "/api/v1/admin/integrations", admin.token, NULL), 200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(api_str(cJSON_GetArrayItem(items, 0), "kind"), "radarr");
	assert_true(cJSON_IsFalse(api_get(cJSON_GetArrayItem(items, 1), "configured")));
	EXPECT(api_call("GET", "/api/v1/admin/integrations", plain.token, NULL), 403);
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", plain.token, "{}"), 403);
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/integrations/lidarr", admin.token, NULL), 404,
	             "kind");
	EXPECT_FIELD(api_call("GET", "/api/v1/admin/integrations/radarr", admin.token, NULL), 404,
	             "kind");

	/* bad settings: nothing is set up */
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                      "{\"base_url\": \"ftp://radarr.lan\"}"),
	             400, "base_url");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                      "{\"path_map\": [{\"remote\": \"/data\", \"local\": \"rel/x\"}]}"),
	             400, "path_map[0].local");
	EXPECT_FIELD(
	    api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	             "{\"path_map\": [{\"remote\": \"/data/../etc\", \"local\": \"/x\"}]}"),
	    400, "path_map[0].remote");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                      "{\"webhook_secret\": \"short\"}"),
	             400, "webhook_secret");
	EXPECT_FIELD(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                      "{\"path_map\": [{\"remote\": \"/data\"}]}"),
	             400, "path_map[0].local");
	assert_int_equal(qn("SELECT count(*) FROM integrations", NULL, NULL), 0);

	/* a new Radarr without a secret gets one, shown once */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                api_fmt("{\"base_url\": \"http://radarr.lan:7878\", \"path_map\":"
	                        " [{\"remote\": \"" RM "\", \"local\": \"%s\"}]}",
	                        movies)),
	       201);
	const char *gen = api_str(api_last_json, "webhook_secret");
	assert_non_null(gen);
	assert_int_equal(strlen(gen), 43);
	snprintf(radarr_secret, sizeof(radarr_secret), "%s", gen);
	assert_string_equal(api_str(api_last_json, "webhook_url"), "/api/v1/webhooks/radarr");
	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr", admin.token, NULL), 200);
	assert_null(api_get(api_last_json, "webhook_secret"));
	assert_true(cJSON_IsTrue(api_get(api_last_json, "configured")));
	assert_string_equal(api_str(api_last_json, "base_url"), "http://radarr.lan:7878");
	assert_true(cJSON_IsNull(api_get(api_last_json, "last_webhook")));
	/* only the hash is kept, and the activity log never has the secret */
	assert_string_equal(q("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') ="
	                      " encode(webhook_secret_sha256, 'hex') FROM integrations"
	                      " WHERE kind = 'radarr'",
	                      radarr_secret, NULL),
	                    "t");
	assert_string_equal(q("SELECT count(*) FROM audit_log WHERE action = 'integration.update'"
	                      " AND position($1 IN new_values::text) = 0",
	                      radarr_secret, NULL),
	                    "1");
	/* a change keeps what it does not name; null clears the address */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                "{\"base_url\": null}"),
	       200);
	assert_true(cJSON_IsNull(api_get(api_last_json, "base_url")));
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "path_map")), 1);
	assert_null(api_get(api_last_json, "webhook_secret"));

	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                api_fmt("{\"webhook_secret\": \"%s\", \"path_map\": [{\"remote\": \"" RT
	                        "\", \"local\": \"%s\"}]}",
	                        sonarr_secret, tv)),
	       201);
	assert_null(api_get(api_last_json, "webhook_secret"));
	/* removed and set up again */
	EXPECT(api_call("DELETE", "/api/v1/admin/integrations/sonarr", admin.token, NULL), 204);
	EXPECT_FIELD(api_call("DELETE", "/api/v1/admin/integrations/sonarr", admin.token, NULL),
	             404, "kind");
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/sonarr", admin.token,
	                api_fmt("{\"webhook_secret\": \"%s\", \"path_map\": [{\"remote\": \"" RT
	                        "\", \"local\": \"%s\"}]}",
	                        sonarr_secret, tv)),
	       201);
}

/* --- who may post ---------------------------------------------------------------- */

static void secrets(void **state)
{
	(void)state;
	char *test = fixture("radarr_test"), before[64];

	snprintf(before, sizeof(before), "%s", written());

	EXPECT_FIELD(post("radarr", NONE, NULL, test), 401, "secret");
	assert_non_null(strstr(api_last.head, "WWW-Authenticate: Basic"));
	EXPECT_FIELD(post("radarr", HEADER, "not-the-secret-at-all", test), 401, "secret");
	EXPECT_FIELD(post("radarr", BASIC, "not-the-secret-at-all", test), 401, "secret");
	/* Sonarr's secret opens Sonarr's hook only */
	EXPECT_FIELD(post("radarr", BASIC, sonarr_secret, test), 401, "secret");
	/* a wrong secret is refused before the body is read */
	EXPECT_FIELD(post("radarr", BASIC, "nope-nope-nope-nope", "{not json"), 401, "secret");
	/* disabled */
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                "{\"enabled\": false}"),
	       200);
	EXPECT_FIELD(radarr(test), 401, "secret");
	EXPECT(api_call("PUT", "/api/v1/admin/integrations/radarr", admin.token,
	                "{\"enabled\": true}"),
	       200);
	assert_string_equal(written(), before);

	/* the right secret, either way; a Test is logged, and may come again */
	EXPECT(radarr(test), 202);
	assert_string_equal(action(), "log");
	assert_true(cJSON_IsNull(api_get(api_last_json, "job_id")));
	assert_string_equal(api_str(api_last_json, "event"), "Test");
	EXPECT(post("radarr", HEADER, radarr_secret, test), 202);
	free(test);
	test = fixture("sonarr_test");
	EXPECT(sonarr(test), 202);
	free(test);
	assert_string_equal(q("SELECT string_agg(event_type || ':' || guarded, ',' ORDER BY id)"
	                      " FROM webhook_receipts",
	                      NULL, NULL),
	                    "Test:false,Test:false,Test:false");
	EXPECT(api_call("GET", "/api/v1/admin/integrations/radarr", admin.token, NULL), 200);
	assert_string_equal(api_str(api_get(api_last_json, "last_webhook"), "event_type"), "Test");
	assert_int_equal(api_get(api_last_json, "webhooks_24h")->valueint, 2);
}

/* --- bodies that are refused --------------------------------------------------------- */

static void bad_bodies(void **state)
{
	(void)state;
	char before[64], *big = malloc(300 * 1024);

	snprintf(before, sizeof(before), "%s", written());

	EXPECT_FIELD(radarr("{\"eventType\": \"Download\""), 400, "body");
	EXPECT_FIELD(radarr("[1, 2]"), 400, "body");
	EXPECT_FIELD(radarr(""), 400, "body");
	EXPECT_FIELD(radarr("{\"movie\": {}}"), 400, "eventType");
	memset(big, ' ', 300 * 1024 - 1);
	big[0] = '{';
	memcpy(big + 300 * 1024 - 3, "}", 2);
	EXPECT_FIELD(radarr(big), 413, "body");
	free(big);
	/* a folder outside every library (no map rule: the path stays) */
	EXPECT_FIELD(radarr("{\"eventType\": \"Download\", \"movie\": {\"folderPath\":"
	                    " \"/elsewhere/Movie (2001)\", \"tmdbId\": 5},"
	                    " \"movieFile\": {\"relativePath\": \"m.mkv\"}}"),
	             400, "movie.folderPath");
	assert_non_null(strstr(api_str(api_last_json, "detail"), "/elsewhere/Movie (2001)"));
	/* a movie folder is not a TV library's */
	EXPECT_FIELD(sonarr("{\"eventType\": \"Rename\", \"series\": {\"path\": \"" RM "/X\"}}"),
	             400, "series.path");
	EXPECT_FIELD(
	    radarr("{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"" RM
	           "/X (2001)\"}, \"movieFile\": {\"relativePath\": \"../../../etc/passwd\"}}"),
	    400, "movieFile.relativePath");
	EXPECT_FIELD(radarr("{\"eventType\": \"Rename\", \"movie\": {\"folderPath\": \"" RM
	                    "/../../etc\"}}"),
	             400, "movie.folderPath");
	char *wrong = fixture("radarr_movie_imported");
	EXPECT_FIELD(sonarr(wrong), 400, "series");
	free(wrong);
	assert_string_equal(written(), before);
}

/* --- Radarr's events --------------------------------------------------------------------- */

static void radarr_events(void **state)
{
	(void)state;
	char bvs[PATH_MAX];
	snprintf(bvs, sizeof(bvs), "%s/Batman v Superman- Dawn of Justice (2016)", movies);
	char bvs_file[PATH_MAX + 128];
	snprintf(bvs_file, sizeof(bvs_file),
	         "%s/Batman v Superman- Dawn of Justice (2016) WEBDL-720p.mp4", bvs);
	char *body;

	/* MovieAdded: the ids are kept, nothing to scan */
	EXPECT(post_fixture("radarr_movie_added"), 202);
	assert_string_equal(action(), "hint");
	assert_true(cJSON_IsNull(api_get(api_last_json, "job_id")));
	assert_string_equal(q("SELECT tmdb_id || ' ' || imdb_id || ' ' || source FROM path_hints"
	                      " WHERE path = $1 AND library_id = $2",
	                      bvs, movie_lib),
	                    "209112 tt2975590 radarr");

	/* Download: the imported file is scanned into the library */
	put_clip(bvs_file);
	EXPECT(post_fixture("radarr_movie_imported"), 202);
	assert_string_equal(action(), "sync");
	run_job();
	assert_string_equal(q("SELECT state FROM media_files WHERE path = $1", bvs_file, NULL),
	                    "present");
	assert_int_equal(
	    qn("SELECT count(*) FROM jobs WHERE kind = 'library.match' AND"
	       " args->>'file_id' = (SELECT id::text FROM media_files WHERE path = $1)",
	       bvs_file, NULL),
	    1);
	/* the same body again is a replay: refused, nothing written */
	char before[64], file_id[37], movie_id[37];
	snprintf(before, sizeof(before), "%s", written());
	EXPECT_FIELD(post_fixture("radarr_movie_imported"), 409, "body");
	assert_string_equal(written(), before);

	/* Grab, Health (twice) and ApplicationUpdate are logged */
	static const char *const logged[] = {
	    "radarr_movie_grabbed", "radarr_health_check_error", "radarr_health_check_error",
	    "radarr_health_check_warning", "radarr_application_update"};
	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++) {
		EXPECT(post_fixture(logged[i]), 202);
		assert_string_equal(action(), "log");
	}
	assert_string_equal(written(),
	                    api_fmt("%ld/%s", atol(before) + 5, strchr(before, '/') + 1));

	/* an upgrade: the new file in, the replaced one dropped at once */
	char gl[PATH_MAX];
	snprintf(gl, sizeof(gl), "%s/Greenland (2020)", movies);
	put_clip(api_fmt("%s/Greenland (2020) WEBRip-1080p.mkv", gl));
	api_sh("psql -q -d '%s' -c \"INSERT INTO media_files (library_id, path, rel_path, size,"
	       " mtime_ns) VALUES ('%s', '%s/Greenland (2020) WEBRip-720p.mkv',"
	       " 'Greenland (2020)/Greenland (2020) WEBRip-720p.mkv', 1, 1)\"",
	       PQdb(pg), movie_lib, gl);
	EXPECT(post_fixture("radarr_movie_imported_upgrade"), 202);
	run_job();
	assert_string_equal(q("SELECT string_agg(rel_path || ':' || state, ',' ORDER BY path) FROM"
	                      " media_files WHERE starts_with(path, $1)",
	                      gl, NULL),
	                    "Greenland (2020)/Greenland (2020) WEBRip-1080p.mkv:present");

	/* Rename: the file renamed on disk keeps its row, its movie and the
	 * watch state (a body with the renamed files, so not a replay) */
	char mm[PATH_MAX];
	snprintf(mm, sizeof(mm), "%s/Marley & Me (2008)", movies);
	put_clip(api_fmt("%s/Marley.and.Me.2008.mkv", mm));
	EXPECT(post_fixture("radarr_movie_renamed"), 202);
	run_job();
	run_matches(mm);
	snprintf(file_id, sizeof(file_id), "%s",
	         q("SELECT id FROM media_files WHERE path = $1",
	           api_fmt("%s/Marley.and.Me.2008.mkv", mm), NULL));
	snprintf(movie_id, sizeof(movie_id), "%s",
	         q("SELECT movie_id FROM media_files WHERE id = $1", file_id, NULL));
	assert_true(movie_id[0]);
	api_sh("psql -q -d '%s' -c \"INSERT INTO movie_watch (user_id, movie_id, position_seconds)"
	       " VALUES ('%s', '%s', 31)\"",
	       PQdb(pg), admin.id, movie_id);
	api_sh("mv '%s/Marley.and.Me.2008.mkv' '%s/Marley & Me (2008) Bluray-1080p.mkv'", mm, mm);
	body = fixture("radarr_movie_renamed");
	cJSON *j = cJSON_Parse(body);
	cJSON_AddItemToObject(
	    j, "renamedMovieFiles",
	    cJSON_Parse("[{\"relativePath\": \"Marley & Me (2008) Bluray-1080p.mkv\","
	                " \"previousRelativePath\": \"Marley.and.Me.2008.mkv\"}]"));
	free(body);
	body = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	EXPECT(radarr(body), 202);
	free(body);
	run_job();
	assert_string_equal(q("SELECT id::text || ' ' || movie_id || ' ' || state FROM media_files"
	                      " WHERE path = $1",
	                      api_fmt("%s/Marley & Me (2008) Bluray-1080p.mkv", mm), NULL),
	                    api_fmt("%s %s present", file_id, movie_id));
	assert_int_equal(
	    qn("SELECT count(*) FROM media_files WHERE starts_with(path, $1)", mm, NULL), 1);
	assert_string_equal(
	    q("SELECT position_seconds FROM movie_watch WHERE movie_id = $1", movie_id, NULL),
	    "31");

	/* MovieFileDelete: that file's row goes */
	api_sh("psql -q -d '%s' -c \"INSERT INTO media_files (library_id, path, rel_path, size,"
	       " mtime_ns) VALUES ('%s', '%s/<filename>', 'Marley & Me (2008)/<filename>', 1, 2)\"",
	       PQdb(pg), movie_lib, mm);
	EXPECT(post_fixture("radarr_movie_file_deleted"), 202);
	run_job();
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE path = $1",
	                    api_fmt("%s/<filename>", mm), NULL),
	                 0);
	assert_int_equal(
	    qn("SELECT count(*) FROM media_files WHERE starts_with(path, $1)", mm, NULL), 1);

	/* MovieDelete with its files: they go missing, the ids are forgotten */
	api_sh("rm -rf '%s'", bvs);
	EXPECT(post_fixture("radarr_movie_deleted"), 202);
	run_job();
	assert_string_equal(q("SELECT state FROM media_files WHERE path = $1", bvs_file, NULL),
	                    "missing");
	assert_int_equal(qn("SELECT count(*) FROM path_hints WHERE path = $1", bvs, NULL), 0);
}

/* A folder whose name says nothing is identified by the ids Radarr gave. */
static void ids_are_exact_matches(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/Zzkx Qwv (1999)", movies);
	put_clip(api_fmt("%s/zzkx.qwv.mkv", dir));
	EXPECT(radarr(api_fmt("{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"" RM
	                      "/Zzkx Qwv (1999)\", \"tmdbId\": 550, \"imdbId\": \"tt0137523\","
	                      " \"title\": \"Fight Club\"}, \"movieFile\": {\"relativePath\":"
	                      " \"zzkx.qwv.mkv\"}, \"isUpgrade\": false}")),
	       202);
	run_job();
	run_matches(dir);
	assert_string_equal(q("SELECT m.tmdb_id || ' ' || f.match_status FROM media_files f JOIN"
	                      " movies m ON m.id = f.movie_id WHERE f.path = $1",
	                      api_fmt("%s/zzkx.qwv.mkv", dir), NULL),
	                    "550 matched");
}

/* --- Sonarr's events ----------------------------------------------------------------------- */

static void sonarr_events(void **state)
{
	(void)state;
	char ga[PATH_MAX];
	snprintf(ga, sizeof(ga), "%s/Grey's Anatomy", tv);
	char ep[PATH_MAX + 128];
	snprintf(ep, sizeof(ep), "%s/Season 17/Grey's Anatomy - S17E09 - In My Life HDTV-720p.mkv",
	         ga);

	put_clip(ep);
	EXPECT(post_fixture("sonarr_episode_imported"), 202);
	assert_string_equal(action(), "sync");
	assert_string_equal(q("SELECT tvdb_id || ' ' || imdb_id FROM path_hints WHERE path = $1"
	                      " AND library_id = $2",
	                      ga, tv_lib),
	                    "73762 tt0413573");
	run_job();
	assert_string_equal(q("SELECT state FROM media_files WHERE path = $1", ep, NULL),
	                    "present");

	/* an upgrade drops the replaced episode file */
	char ncis[PATH_MAX];
	snprintf(ncis, sizeof(ncis), "%s/NCIS", tv);
	put_clip(api_fmt("%s/Season 18/NCIS - S18E10 - Watchdog HDTV-720p.mkv", ncis));
	char *body = fixture("sonarr_episode_imported_upgrade");
	cJSON *j = cJSON_Parse(body);
	const char *old_rel = cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(j, "deletedFiles"), 0), "relativePath"));
	api_sh("psql -q -d '%s' -c \"INSERT INTO media_files (library_id, path, rel_path, size,"
	       " mtime_ns) VALUES ('%s', '%s/%s', 'NCIS/%s', 1, 3)\"",
	       PQdb(pg), tv_lib, ncis, old_rel, old_rel);
	cJSON_Delete(j);
	EXPECT(sonarr(body), 202);
	free(body);
	run_job();
	assert_string_equal(q("SELECT string_agg(rel_path, ',') FROM media_files WHERE"
	                      " starts_with(path, $1)",
	                      ncis, NULL),
	                    "NCIS/Season 18/NCIS - S18E10 - Watchdog HDTV-720p.mkv");

	/* EpisodeFileDelete drops it; SeriesDelete forgets the series' ids */
	char bb[PATH_MAX];
	snprintf(bb, sizeof(bb), "%s/Breaking Bad", tv);
	put_clip(api_fmt("%s/Breaking Bad - 1x02 - Cat's in the Bag.mkv", bb));
	api_sh("psql -q -d '%s' -c \"INSERT INTO media_files (library_id, path, rel_path, size,"
	       " mtime_ns) VALUES ('%s', '%s/Breaking Bad - 1x01 - Pilot.mkv',"
	       " 'Breaking Bad/Breaking Bad - 1x01 - Pilot.mkv', 1, 4)\"",
	       PQdb(pg), tv_lib, bb);
	EXPECT(post_fixture("sonarr_episode_deleted"), 202);
	run_job();
	assert_string_equal(q("SELECT string_agg(rel_path || ':' || state, ',') FROM media_files"
	                      " WHERE starts_with(path, $1)",
	                      bb, NULL),
	                    "Breaking Bad/Breaking Bad - 1x02 - Cat's in the Bag.mkv:present");
	assert_int_equal(qn("SELECT count(*) FROM path_hints WHERE path = $1", bb, NULL), 1);
	EXPECT(post_fixture("sonarr_episode_deleted_upgrade"), 202);
	run_job();
	api_sh("rm -rf '%s'", bb);
	EXPECT(post_fixture("sonarr_series_deleted"), 202);
	run_job();
	assert_int_equal(qn("SELECT count(*) FROM path_hints WHERE path = $1", bb, NULL), 0);
	assert_string_equal(q("SELECT string_agg(state, ',') FROM media_files WHERE"
	                      " starts_with(path, $1)",
	                      bb, NULL),
	                    "missing");

	/* Rename of a series scans its folder */
	put_clip(api_fmt("%s/The L Word/Season 1/The L Word - S01E01.mkv", tv));
	EXPECT(post_fixture("sonarr_episodes_renamed"), 202);
	run_job();
	assert_int_equal(qn("SELECT count(*) FROM media_files WHERE starts_with(path, $1)",
	                    api_fmt("%s/The L Word", tv), NULL),
	                 1);

	static const char *const logged[] = {"sonarr_episode_grabbed", "sonarr_health_check_error",
	                                     "sonarr_health_check_warning"};
	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++) {
		EXPECT(post_fixture(logged[i]), 202);
		assert_string_equal(action(), "log");
	}
	/* every content event left exactly one guarded receipt with its job */
	assert_string_equal(q("SELECT count(*) FROM webhook_receipts WHERE guarded AND kind ="
	                      " 'sonarr' AND (job_id IS NOT NULL) <> (event_type = 'SeriesAdd')",
	                      NULL, NULL),
	                    "6");
}

/* --- rate limits ---------------------------------------------------------------------- */

/* Radarr sends bursts and never resends: webhooks with the right secret are
 * not under the per-address limit, failed secrets are under the strict one. */
static void limits(void **state)
{
	(void)state;
	int limited = 0;

	server_stop(server, 5000);
	testenv_write_config(
	    conf, db_url, sock,
	    api_fmt("pool_size = 2\n[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n"
	            "[ratelimit]\nenabled = true\nrate = 1\nburst = 2\n"
	            "auth_rate = 1\nauth_burst = 3\n[library]\nallowed_roots = %s\n"
	            "[storage]\npath = %s/storage\n",
	            base, base));
	server = server_start(conf, sock, log_path);
	assert_true(server > 0);
	for (int i = 0; i < 12; i++) {
		char body[128];
		snprintf(body, sizeof(body),
		         "{\"eventType\": \"Health\", \"message\": \"burst %d\"}", i);
		EXPECT(radarr(body), 202);
	}
	for (int i = 0; i < 8; i++)
		if (post("radarr", BASIC, "wrong-wrong-wrong-wrong", "{}") == 429)
			limited++;
	assert_true(limited >= 4);
	assert_string_equal(api_problem_field(), "secret");
	assert_non_null(strstr(api_last.head, "Retry-After: "));
	/* the rest of the API still is under the per-address limit */
	limited = 0;
	for (int i = 0; i < 6; i++)
		if (api_call("GET", "/api/v1/admin/integrations", admin.token, NULL) == 429)
			limited++;
	assert_true(limited >= 3);
}

/* --- setup ------------------------------------------------------------------------------ */

static void configure_worker(void)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_webhooks_%d:\"\n",
	           testenv_redis_url(), (int)getpid());
	buf_printf(&text, "[tmdb]\nbase_url = \"%s\"\nimage_base_url = \"%s\"\napi_key = \"%s\"\n",
	           fake.base_url, fake.image_base, KEY);
	buf_puts(&text, "rate = 1000\nrate_window = 1s\nmax_retries = 2\ntimeout = 5s\n"
	                "details_ttl = 0\nsearch_ttl = 0\n[images]\nenabled = false\n");
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_webhooks.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		exit(1);
	}
	tmdb_configure(&c);
	identify_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static int setup(void **state)
{
	const char *url = testenv_new_database(NULL);
	char real[PATH_MAX], lg[PATH_MAX];

	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", url);
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	snprintf(lg, sizeof(lg), "%s/log/fake_tmdb_webhooks.log", testenv_stack_dir());
	if (fake_tmdb_start(&fake, KEY, lg))
		return -1;
	snprintf(base, sizeof(base), "%s/webhooks-XXXXXX", testenv_stack_dir());
	if (!mkdtemp(base) || !realpath(base, real) || strlen(real) >= sizeof(base))
		return -1;
	memcpy(base, real, strlen(real) + 1);
	snprintf(movies, sizeof(movies), "%s/movies", base);
	snprintf(tv, sizeof(tv), "%s/tv", base);
	snprintf(clip, sizeof(clip), "%s/clip.mkv", base);
	if (system(api_fmt("mkdir -p '%s' '%s' && ffmpeg -loglevel error -y -f lavfi -i"
	                   " testsrc=size=64x36:rate=24 -t 1 -c:v libx264 -preset ultrafast '%s'",
	                   movies, tv, clip)) != 0)
		return -1;
	pg = testenv_connect(url);
	api_pg = pg;
	api_two_libraries(movies, tv, movie_lib, tv_lib);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	configure_worker();

	snprintf(sock, sizeof(sock), "/tmp/revenge-webhooks-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_webhooks.log", testenv_stack_dir());
	snprintf(conf, sizeof(conf), "%s/revenge.conf", base);
	api_sock = sock;
	testenv_write_config(
	    conf, url, sock,
	    api_fmt("pool_size = 2\n" TESTENV_FAST_AUTH
	            "[library]\nallowed_roots = %s\n[storage]\npath = %s/storage\n",
	            base, base));
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	api_new_user(&admin, "hooks_admin", "admin");
	api_new_user(&plain, "hooks_plain", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0 && waitpid(server, NULL, WNOHANG) == 0)
		server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	tmdb_thread_release();
	fake_tmdb_stop(&fake);
	if (base[0] && system(api_fmt("rm -rf '%s'", base)) != 0)
		print_message("could not remove the tree\n");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(settings),
	    cmocka_unit_test(secrets),
	    cmocka_unit_test(bad_bodies),
	    cmocka_unit_test(radarr_events),
	    cmocka_unit_test(ids_are_exact_matches),
	    cmocka_unit_test(sonarr_events),
	    cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
