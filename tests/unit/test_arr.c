/*
 * arr: what every recorded Radarr and Sonarr webhook body asks of the
 * library (tests/fixtures/arr-webhooks), the path map, and bodies that
 * name no folder, unsafe relative paths or too many deleted files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/json.h"
#include "integrations/arr.h"

static struct arena *A;
static cJSON *MAP;
static struct field_error FE;

#define M "/home36/adbtech/media/Movies"
#define T "/home36/adbtech/media/TV Shows"

static cJSON *fixture(const char *name)
{
	const char *root = getenv("TEST_ROOT");
	char path[1024], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/arr-webhooks/%s.json", root ? root : ".",
	         name);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_non_null(text = malloc((size_t)n + 1));
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = 0;
	fclose(f);
	cJSON *j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

/* read fixture name as kind with the test's path map */
static struct arr_event read_ok(enum arr_kind kind, const char *name)
{
	struct arr_event ev;
	cJSON *j = fixture(name);
	enum app_err e = arr_event_read(A, kind, j, MAP, &ev, &FE);
	if (e)
		fail_msg("%s: %s %s", name, FE.field, FE.detail);
	/* strings live in the arena, not the tree */
	cJSON_Delete(j);
	return ev;
}

static enum app_err read_bad(enum arr_kind kind, const char *text, const char *field)
{
	struct arr_event ev;
	cJSON *j = cJSON_Parse(text);
	enum app_err e;

	assert_non_null(j);
	memset(&FE, 0, sizeof(FE));
	e = arr_event_read(A, kind, j, MAP, &ev, &FE);
	cJSON_Delete(j);
	assert_int_equal(e, APP_ERR_VALIDATION);
	assert_string_equal(FE.field, field);
	return e;
}

static void radarr_events(void **state)
{
	(void)state;
	struct arr_event ev = read_ok(ARR_RADARR, "radarr_movie_imported");
	assert_string_equal(ev.event, "Download");
	assert_int_equal(ev.action, ARR_SYNC);
	assert_string_equal(ev.library_type, "movie");
	assert_string_equal(ev.folder, "/srv/movies/Batman v Superman- Dawn of Justice (2016)");
	assert_string_equal(ev.folder_field, "movie.folderPath");
	/* the file lands in the movie's folder (relativePath), not the
	 * download folder its "path" names */
	assert_string_equal(ev.scan, ev.folder);
	assert_int_equal(ev.tmdb_id, 209112);
	assert_string_equal(ev.imdb_id, "tt2975590");
	assert_int_equal(ev.tvdb_id, 0);
	assert_true(ev.rematch);
	assert_false(ev.forget);
	assert_int_equal(ev.ndrop, 0);

	ev = read_ok(ARR_RADARR, "radarr_movie_imported_upgrade");
	assert_string_equal(ev.folder, "/srv/movies/Greenland (2020)");
	assert_int_equal(ev.ndrop, 1);
	assert_non_null(strstr(ev.drop[0], "/srv/movies/Greenland (2020)/Greenland"));
	assert_true(ev.rematch);

	ev = read_ok(ARR_RADARR, "radarr_movie_renamed");
	assert_int_equal(ev.action, ARR_SYNC);
	assert_string_equal(ev.scan, "/srv/movies/Marley & Me (2008)");
	assert_false(ev.rematch);
	assert_int_equal(ev.ndrop, 0);

	ev = read_ok(ARR_RADARR, "radarr_movie_added");
	assert_int_equal(ev.action, ARR_HINT);
	assert_int_equal(ev.tmdb_id, 209112);

	ev = read_ok(ARR_RADARR, "radarr_movie_file_deleted");
	assert_int_equal(ev.action, ARR_SYNC);
	assert_int_equal(ev.ndrop, 1);
	assert_string_equal(ev.drop[0], "/srv/movies/Marley & Me (2008)/<filename>");
	assert_string_equal(ev.scan, "/srv/movies/Marley & Me (2008)");

	ev = read_ok(ARR_RADARR, "radarr_movie_deleted");
	assert_int_equal(ev.action, ARR_SYNC);
	assert_true(ev.forget);
	assert_int_equal(ev.ndrop, 0); /* deletedFiles: true names no file */

	static const char *const logged[] = {"radarr_movie_grabbed", "radarr_health_check_error",
	                                     "radarr_health_check_warning",
	                                     "radarr_application_update", "radarr_test"};
	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++) {
		ev = read_ok(ARR_RADARR, logged[i]);
		assert_int_equal(ev.action, ARR_LOG);
		assert_null(ev.folder);
	}
}

static void sonarr_events(void **state)
{
	(void)state;
	struct arr_event ev = read_ok(ARR_SONARR, "sonarr_episode_imported");
	assert_int_equal(ev.action, ARR_SYNC);
	assert_string_equal(ev.library_type, "tvshow");
	assert_string_equal(ev.folder, "/srv/tv/Grey's Anatomy");
	assert_string_equal(ev.folder_field, "series.path");
	assert_string_equal(ev.scan, "/srv/tv/Grey's Anatomy/Season 17");
	assert_int_equal(ev.tvdb_id, 73762);
	assert_string_equal(ev.imdb_id, "tt0413573");
	assert_true(ev.rematch);

	ev = read_ok(ARR_SONARR, "sonarr_episode_imported_upgrade");
	assert_int_equal(ev.ndrop, 1);
	assert_non_null(strstr(ev.drop[0], "/srv/tv/NCIS/Season 18/NCIS - S18E10"));

	ev = read_ok(ARR_SONARR, "sonarr_episodes_renamed");
	assert_string_equal(ev.scan, "/srv/tv/The L Word");

	ev = read_ok(ARR_SONARR, "sonarr_episode_deleted");
	assert_int_equal(ev.ndrop, 1);
	assert_string_equal(ev.drop[0], "/srv/tv/Breaking Bad/Breaking Bad - 1x01 - Pilot.mkv");
	assert_string_equal(ev.scan, "/srv/tv/Breaking Bad");
	ev = read_ok(ARR_SONARR, "sonarr_episode_deleted_upgrade");
	assert_int_equal(ev.ndrop, 1);

	ev = read_ok(ARR_SONARR, "sonarr_series_deleted");
	assert_true(ev.forget);
	assert_string_equal(ev.scan, "/srv/tv/Breaking Bad");

	static const char *const logged[] = {"sonarr_episode_grabbed", "sonarr_health_check_error",
	                                     "sonarr_health_check_warning", "sonarr_test"};
	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++) {
		ev = read_ok(ARR_SONARR, logged[i]);
		assert_int_equal(ev.action, ARR_LOG);
	}
	/* a Radarr body sent to the Sonarr hook names no series */
	cJSON *j = fixture("radarr_movie_imported");
	assert_int_equal(arr_event_read(A, ARR_SONARR, j, MAP, &ev, &FE), APP_ERR_VALIDATION);
	assert_string_equal(FE.field, "series");
	cJSON_Delete(j);
}

static void path_map(void **state)
{
	(void)state;
	cJSON *map = cJSON_Parse("[{\"remote\": \"/data\", \"local\": \"/mnt/a\"},"
	                         " {\"remote\": \"/data/movies/\", \"local\": \"/srv/m\"},"
	                         " {\"remote\": \"/\", \"local\": \"/root-map\"}]");
	assert_string_equal(arr_map_path(A, map, "/data/movies/X (1999)"), "/srv/m/X (1999)");
	assert_string_equal(arr_map_path(A, map, "/data/movies"), "/srv/m");
	/* whole segments only: /data/movies2 is under /data, not /data/movies */
	assert_string_equal(arr_map_path(A, map, "/data/movies2/Y"), "/mnt/a/movies2/Y");
	assert_string_equal(arr_map_path(A, map, "/other/Z/"), "/root-map/other/Z");
	assert_string_equal(arr_map_path(A, NULL, "/plain//"), "/plain");
	assert_null(arr_map_path(A, map, "/data/../etc"));
	assert_null(arr_map_path(A, map, "relative/x"));
	assert_null(arr_map_path(A, map, "/a//b"));
	assert_null(arr_map_path(A, map, "/a/./b"));
	assert_null(arr_map_path(A, map, ""));
	assert_null(arr_map_path(A, map, NULL));
	cJSON_Delete(map);
	assert_true(arr_safe_relative("Season 1/a.mkv"));
	assert_false(arr_safe_relative("../a.mkv"));
	assert_false(arr_safe_relative("a/../../b"));
	assert_false(arr_safe_relative("/abs.mkv"));
	assert_false(arr_safe_relative("a\\..\\b"));
	assert_false(arr_safe_relative(""));
	assert_int_equal(arr_kind_parse("radarr"), ARR_RADARR);
	assert_int_equal(arr_kind_parse("sonarr"), ARR_SONARR);
	assert_int_equal(arr_kind_parse("lidarr"), -1);
}

static void malformed_bodies(void **state)
{
	(void)state;
	read_bad(ARR_RADARR, "[1, 2]", "body");
	read_bad(ARR_RADARR, "{}", "eventType");
	read_bad(ARR_RADARR, "{\"eventType\": 5}", "eventType");
	read_bad(ARR_RADARR, "{\"eventType\": \"Download\"}", "movie");
	read_bad(ARR_RADARR, "{\"eventType\": \"Download\", \"movie\": {}}", "movie.folderPath");
	read_bad(ARR_RADARR, "{\"eventType\": \"Rename\", \"movie\": {\"folderPath\": \"rel/x\"}}",
	         "movie.folderPath");
	read_bad(ARR_RADARR,
	         "{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"/data/../etc\"}}",
	         "movie.folderPath");
	read_bad(ARR_RADARR,
	         "{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"/m/A\"},"
	         " \"movieFile\": {\"relativePath\": \"../../etc/passwd\"}}",
	         "movieFile.relativePath");
	read_bad(ARR_RADARR,
	         "{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"/m/A\"},"
	         " \"movieFile\": {\"relativePath\": \"a.mkv\"},"
	         " \"deletedFiles\": [{\"relativePath\": \"b.mkv\"}, {\"relativePath\": \"/x\"}]}",
	         "deletedFiles[1].relativePath");
	read_bad(ARR_SONARR,
	         "{\"eventType\": \"EpisodeFileDelete\", \"series\": {\"path\": \"/t/S\"}}",
	         "episodeFile.relativePath");
	/* 65 deleted files */
	char big[8192] = "{\"eventType\": \"Download\", \"movie\": {\"folderPath\": \"/m/A\"},"
	                 " \"movieFile\": {\"relativePath\": \"a.mkv\"}, \"deletedFiles\": [";
	for (int i = 0; i < 65; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		         "%s{\"relativePath\": \"%d.mkv\"}", i ? "," : "", i);
	strcat(big, "]}");
	read_bad(ARR_RADARR, big, "deletedFiles");
	/* an event this server does not know is logged, not refused; ids
	 * that are not ids are left out */
	struct arr_event ev;
	cJSON *j = cJSON_Parse("{\"eventType\": \"ManualInteractionRequired\"}");
	assert_int_equal(arr_event_read(A, ARR_RADARR, j, MAP, &ev, &FE), APP_OK);
	assert_int_equal(ev.action, ARR_LOG);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"eventType\": \"MovieAdded\", \"movie\": {\"folderPath\": \"/m/A\","
	                " \"tmdbId\": -4, \"imdbId\": \"nm000\"}}");
	assert_int_equal(arr_event_read(A, ARR_RADARR, j, MAP, &ev, &FE), APP_OK);
	assert_int_equal(ev.tmdb_id, 0);
	assert_null(ev.imdb_id);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(radarr_events),
	    cmocka_unit_test(sonarr_events),
	    cmocka_unit_test(path_map),
	    cmocka_unit_test(malformed_bodies),
	};
	A = arena_new(1 << 16, 64 << 20);
	MAP = cJSON_Parse("[{\"remote\": \"" M "\", \"local\": \"/srv/movies\"},"
	                  " {\"remote\": \"" T "\", \"local\": \"/srv/tv\"}]");
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	cJSON_Delete(MAP);
	arena_free(A);
	return rc;
}
