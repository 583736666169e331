/*
 * TV shows through the library pipeline against real PostgreSQL and Redis
 * and the local fake TMDb (tests/fake_tmdb; series 1399 from recorded
 * answers, its season translations, season 0 and episode groups from
 * fixtures constructed after the API reference, see
 * tests/fixtures/tmdb/README.md): series folder layouts, specials, NFOs,
 * multi-episode files, translations of the configured languages, daily
 * shows by air date, absolute numbering through an episode group, stills,
 * and what a season costs in requests.
 *
 * Media files are generated here with ffmpeg, never committed.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "fake_tmdb_proc.h"
#include "jobrun.h"
#include "library/scan.h"
#include "library_kinds.h"
#include "metadata/identify.h"
#include "metadata/tmdb.h"
#include "storage/storage.h"
#include "testenv.h"

#define KEY "tv-pipeline-key"
#define GROUP "65f0c0ffee0000000000abcd" /* the absolute group of the fixtures */

static struct fake_tmdb fake;
static struct db *db;
static PGconn *pg;
static struct arena *ar;
static char dir[512], root[600], media[640], store[640];
static char lib[37];

/* en, de and fr; details cached in Redis (so a season costs its requests
 * once, as in production); a fresh key prefix per run */
static void configure(void)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_tv_%d_%lld:\"\n",
	           testenv_redis_url(), (int)getpid(), (long long)time(NULL));
	buf_printf(&text, "[tmdb]\napi_key = \"%s\"\nbase_url = \"%s\"\nimage_base_url = \"%s\"\n",
	           KEY, fake.base_url, fake.image_base);
	buf_puts(&text, "rate = 1000\nrate_window = 1s\nmax_retries = 1\ntimeout = 5s\n"
	                "details_ttl = 1h\nsearch_ttl = 0\n[metadata]\nlanguages = \"en,de,fr\"\n");
	buf_printf(&text, "[storage]\npath = \"%s\"\n", store);
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_tv.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		fail();
	}
	tmdb_configure(&c);
	identify_configure(&c);
	library_kinds_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

/* the first value of sql with up to two parameters (NULL: fewer) */
#define q1(sql, a, b) api_value(pg, sql, a, b, (const char *)0)

static long qn(const char *sql, const char *a, const char *b)
{
	return strtol(q1(sql, a, b), NULL, 10);
}


static void put_video(const char *rel)
{
	api_sh("mkdir -p \"$(dirname '%s/%s')\" && cp '%s' '%s/%s'", root, rel, media, root, rel);
}

static void put_text(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	api_sh("mkdir -p \"$(dirname '%s')\"", path);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void scan(void)
{
	struct scan_stats st;
	char err[256];
	int64_t id =
	    qn("INSERT INTO library_scans (library_id, scan_type) VALUES ($1, 'incremental')"
	       " RETURNING id",
	       lib, NULL);
	struct scan_opts o = {.library_id = lib,
	                      .scan_id = id,
	                      .type = SCAN_INCREMENTAL,
	                      .batch = 3,
	                      .grace_ms = 3600000,
	                      .threads = 2};
	assert_int_equal(scan_run(db, ar, &o, &st, err, sizeof(err)), APP_OK);
	assert_int_equal(st.errors, 0);
	arena_reset(ar);
}

/* Identify every file a match job was queued for, as the worker would. */
static int identify_pending(void)
{
	PGresult *r = PQexec(pg, "DELETE FROM jobs WHERE kind = 'library.match'"
	                         " RETURNING args->>'file_id'");
	int n = PQntuples(r);

	for (int i = 0; i < n; i++) {
		struct identify_args a = {.file_id = PQgetvalue(r, i, 0)};
		struct identify_result res;
		char err[256];
		assert_int_equal(identify_file(db, ar, &a, &res, err, sizeof(err)), APP_OK);
		if (res.retry)
			fprintf(stderr, "identify %s: %s\n", a.file_id, err);
		assert_false(res.retry);
		arena_reset(ar);
	}
	PQclear(r);
	return n;
}

static const char *file_col(const char *rel, const char *col)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT (%s)::text FROM media_files WHERE rel_path = $1", col);
	return q1(sql, rel, NULL);
}

/* "S01E02,S01E03" of the episodes a file is linked to. */
static const char *episodes_of(const char *rel)
{
	return q1(
	    "SELECT coalesce(string_agg(format('S%s E%s', lpad(e.season_number::text, 2, '0'),"
	    " lpad(e.episode_number::text, 2, '0')), ',' ORDER BY e.season_number,"
	    " e.episode_number), '') FROM media_files f JOIN media_file_episodes fe"
	    " ON fe.file_id = f.id JOIN episodes e ON e.id = fe.episode_id WHERE f.rel_path = $1",
	    rel, NULL);
}

/* A column of episode season/number of series 1399. */
static const char *episode_col(int season, int number, const char *col)
{
	char sql[512], s[16], n[16];
	snprintf(sql, sizeof(sql),
	         "SELECT (%s)::text FROM episodes WHERE series_id = (SELECT id FROM series"
	         " WHERE tmdb_id = 1399) AND season_number = $1::int AND episode_number = $2::int",
	         col);
	snprintf(s, sizeof(s), "%d", season);
	snprintf(n, sizeof(n), "%d", number);
	return q1(sql, s, n);
}

/* Requests the fake answered for exactly this path since the last reset. */
static long path_requests(const char *path)
{
	cJSON *st = fake_tmdb_stats(&fake);
	const cJSON *n =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "by_path"), path);
	long v = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
	cJSON_Delete(st);
	return v;
}

/* Requests for paths containing part. */
static long requests_like(const char *part)
{
	cJSON *st = fake_tmdb_stats(&fake);
	const cJSON *it;
	long v = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, "by_path"))
	{
		if (strstr(it->string, part))
			v += (long)it->valuedouble;
	}
	cJSON_Delete(st);
	return v;
}

#define S01E01 "Game of Thrones (2011)/Season 01/Game.of.Thrones.S01E01.720p.mkv"
#define S01E02 "Game of Thrones (2011)/Season 01/Game.of.Thrones.S01E02.720p.mkv"
#define MULTI "Game of Thrones (2011)/Season 01/Game.of.Thrones.S01E08E09.720p.mkv"
#define FLAT "Game of Thrones (2011)/Game of Thrones - 1x04 - Cripples.mkv"
#define ROOTED "Game.of.Thrones.S01E05.720p.mkv"

/* Season folders, a flat series folder, a file in the root and a
 * multi-episode file: one series, each file on its episodes; season 1 with
 * its translations in en, de and fr, for three requests. */
static void layouts_translations_and_requests(void **state)
{
	(void)state;
	put_video(S01E01);
	put_video(S01E02);
	put_video(MULTI);
	put_video(FLAT);
	put_video(ROOTED);
	scan();
	assert_int_equal(fake_tmdb_reset(&fake), 0);
	assert_int_equal(identify_pending(), 5);

	assert_int_equal(qn("SELECT count(*) FROM series WHERE library_id = $1", lib, NULL), 1);
	assert_string_equal(q1("SELECT tmdb_id FROM series WHERE library_id = $1", lib, NULL),
	                    "1399");
	assert_int_equal(
	    qn("SELECT count(DISTINCT series_id) FROM media_files WHERE library_id = $1", lib,
	       NULL),
	    1);
	assert_string_equal(episodes_of(S01E01), "S01 E01");
	assert_string_equal(episodes_of(S01E02), "S01 E02");
	assert_string_equal(episodes_of(MULTI), "S01 E08,S01 E09");
	assert_string_equal(episodes_of(FLAT), "S01 E04");
	assert_string_equal(episodes_of(ROOTED), "S01 E05");
	assert_int_equal(qn("SELECT count(*) FROM media_file_episodes fe JOIN media_files f"
	                    " ON f.id = fe.file_id WHERE f.rel_path = $1",
	                    MULTI, NULL),
	                 2);

	/* the series in every configured language it has (constructed fixture) */
	assert_string_equal(
	    q1("SELECT titles_i18n->>'fr' FROM series WHERE tmdb_id = 1399", NULL, NULL),
	    "Le Trône de fer");
	assert_true(strlen(q1("SELECT overviews_i18n->>'de' FROM series WHERE tmdb_id = 1399", NULL,
	                      NULL)) > 20);
	/* the season's own name and overview from its translations */
	assert_string_equal(q1("SELECT (names_i18n->>'de') || '|' || (names_i18n->>'fr') || '|' ||"
	                       " (names_i18n->>'en') FROM seasons WHERE season_number = 1",
	                       NULL, NULL),
	                    "Staffel 1|Saison 1|Season 1");
	assert_true(strlen(q1("SELECT overviews_i18n->>'de' FROM seasons WHERE season_number = 1",
	                      NULL, NULL)) > 10);
	/* the fr season overview is "" upstream: none stored */
	assert_string_equal(
	    q1("SELECT overviews_i18n ? 'fr' FROM seasons WHERE season_number = 1", NULL, NULL),
	    "f");
	/* episode titles and overviews in German from the de season, every
	 * episode of the season (with a file or not) */
	assert_string_equal(episode_col(1, 1, "titles_i18n->>'de'"), "Der Winter naht");
	assert_string_equal(episode_col(1, 1, "titles_i18n->>'en'"), "Winter Is Coming");
	assert_string_equal(episode_col(1, 10, "titles_i18n->>'de'"), "Feuer und Blut");
	assert_string_equal(episode_col(1, 2, "overviews_i18n->>'de'"),
	                    "Konstruierter Testtext zu Folge 2.");
	/* TMDb's stand-ins for missing translations are not titles: "Episode 9"
	 * in de, every name in fr; "" overviews neither */
	assert_string_equal(episode_col(1, 9, "titles_i18n ? 'de'"), "false");
	assert_string_equal(episode_col(1, 9, "title"), "Baelor");
	assert_string_equal(
	    q1("SELECT count(*) FROM episodes WHERE season_number = 1 AND (titles_i18n ? 'fr'"
	       " OR overviews_i18n ? 'fr')",
	       NULL, NULL),
	    "0");
	assert_string_equal(episode_col(1, 3, "overviews_i18n ? 'de'"), "false");
	assert_string_equal(q1("SELECT count(*) FROM episodes WHERE season_number = 1 AND"
	                       " titles_i18n ? 'en' AND titles_i18n ? 'de'",
	                       NULL, NULL),
	                    "9");

	/* what it cost: the series once, season 1 once per language (en with
	 * the season's translations appended, then de, then fr), never an
	 * episode, whatever the number of files */
	assert_int_equal(path_requests("/3/tv/1399"), 1);
	assert_int_equal(path_requests("/3/tv/1399/season/1"), 3);
	assert_int_equal(requests_like("/episode/"), 0);
	fprintf(stderr, "tv requests: season 1 of 1399 for 5 files in 3 languages: %ld\n",
	        path_requests("/3/tv/1399/season/1"));
}

#define SPECIAL_FOLDER "Game of Thrones (2011)/Specials/01 - Constructed Special One.mkv"
#define SPECIAL_NAME "Game.of.Thrones.S00E02.mkv"

/* Specials: a Specials/ folder and an S00 name are season 0. */
static void specials_are_season_zero(void **state)
{
	(void)state;
	put_video(SPECIAL_FOLDER);
	put_video(SPECIAL_NAME);
	scan();
	/* the scanner reads Specials/ as a season folder: series from the
	 * folder above, season 0, the number from the name */
	assert_string_equal(file_col(SPECIAL_FOLDER, "parsed->>'title'"), "Game of Thrones");
	assert_string_equal(file_col(SPECIAL_FOLDER, "parsed->>'year'"), "2011");
	assert_string_equal(file_col(SPECIAL_FOLDER, "parsed->>'season'"), "0");
	assert_string_equal(file_col(SPECIAL_FOLDER, "parsed->>'episode'"), "1");
	assert_int_equal(identify_pending(), 2);
	assert_string_equal(episodes_of(SPECIAL_FOLDER), "S00 E01");
	assert_string_equal(episodes_of(SPECIAL_NAME), "S00 E02");
	assert_string_equal(episode_col(0, 1, "title"), "Constructed Special One");
	assert_string_equal(episode_col(0, 2, "tmdb_id"), "900002");
	assert_string_equal(
	    q1("SELECT s.name || ' ' || s.tmdb_id FROM seasons s JOIN series r"
	       " ON r.id = s.series_id WHERE r.tmdb_id = 1399 AND s.season_number = 0",
	       NULL, NULL),
	    "Specials 3627");
	/* the same series as the regular episodes */
	assert_int_equal(qn("SELECT count(*) FROM series WHERE library_id = $1", lib, NULL), 1);
}

#define DAILY_FIRST "Game of Thrones (2011)/Game.of.Thrones.2011.04.17.mkv"
#define DAILY_SECOND "Game of Thrones (2011)/Game.of.Thrones.2011.04.24.mkv"
#define DAILY_NONE "Game of Thrones (2011)/Game.of.Thrones.2011.04.20.mkv"

/* A dated file is the episode that aired that day; a day without one is
 * the series only. */
static void daily_files_by_air_date(void **state)
{
	(void)state;
	put_video(DAILY_FIRST);
	put_video(DAILY_SECOND);
	put_video(DAILY_NONE);
	scan();
	assert_string_equal(file_col(DAILY_SECOND, "parsed->>'date'"), "2011-04-24");
	assert_int_equal(identify_pending(), 3);
	/* 2011-04-17 is a day before season 1's own air_date in the series
	 * details: still found, in season 1 */
	assert_string_equal(episodes_of(DAILY_FIRST), "S01 E01");
	assert_string_equal(episodes_of(DAILY_SECOND), "S01 E02");
	assert_string_equal(episodes_of(DAILY_NONE), "");
	assert_string_equal(file_col(DAILY_NONE, "match_status"), "matched");
	assert_string_equal(q1("SELECT s.tmdb_id FROM media_files f JOIN series s"
	                       " ON s.id = f.series_id WHERE f.rel_path = $1",
	                       DAILY_NONE, NULL),
	                    "1399");
}

#define ABS_3 "Game of Thrones/[Fans] Game of Thrones - 03 [1080p].mkv"
#define ABS_11 "Game of Thrones/[Fans] Game of Thrones - 11 [1080p].mkv"
#define ABS_12 "Game of Thrones/[Fans] Game of Thrones - 12 [1080p].mkv"

/* Absolute numbers through the series' absolute episode group: its own
 * order (a special at 11), not a count of the seasons (which would make 11
 * S02E01). */
static void absolute_numbers_through_the_episode_group(void **state)
{
	(void)state;
	put_video(ABS_3);
	put_video(ABS_11);
	put_video(ABS_12);
	scan();
	assert_string_equal(file_col(ABS_12, "parsed->>'season'"), "");
	assert_string_equal(file_col(ABS_12, "parsed->>'episode'"), "12");
	assert_int_equal(fake_tmdb_reset(&fake), 0);
	assert_int_equal(identify_pending(), 3);
	assert_string_equal(episodes_of(ABS_3), "S01 E03");
	assert_string_equal(episodes_of(ABS_11), "S00 E01");
	assert_string_equal(episodes_of(ABS_12), "S02 E01");
	/* absolute numbers on the episodes of the seasons stored */
	assert_string_equal(episode_col(1, 3, "absolute_number"), "3");
	assert_string_equal(episode_col(1, 10, "absolute_number"), "10");
	assert_string_equal(episode_col(0, 1, "absolute_number"), "11");
	assert_string_equal(episode_col(2, 1, "absolute_number"), "12");
	/* season 2 is unknown to the fake: the episode is a bare row */
	assert_string_equal(episode_col(2, 1, "tmdb_id IS NULL"), "true");
	assert_string_equal(episode_col(2, 2, "count(*)"), "0");
	/* the group once for the three files (cached), seasons 1 and 0 from
	 * the cache of the tests before */
	assert_int_equal(path_requests("/3/tv/episode_group/" GROUP), 1);
	assert_int_equal(path_requests("/3/tv/1399/season/1"), 0);
	assert_int_equal(path_requests("/3/tv/1399/season/2"), 1);
}

#define NFO_DIR "Kingdom Files"
#define NFO_VIDEO NFO_DIR "/Season 1/kf-seven.mkv"

/* tvshow.nfo names the series (by its TMDb id, whatever the folder is
 * called) and an episode NFO the episode of a file whose name says
 * nothing. */
static void tvshow_and_episode_nfo(void **state)
{
	(void)state;
	put_text(NFO_DIR "/tvshow.nfo",
	         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tvshow><title>Kingdom Files</title>"
	         "<uniqueid type=\"tmdb\" default=\"true\">1399</uniqueid></tvshow>\n");
	put_video(NFO_VIDEO);
	put_text(NFO_DIR "/Season 1/kf-seven.nfo",
	         "<episodedetails><title>You Win or You Die</title><season>1</season>"
	         "<episode>7</episode><aired>2011-05-29</aired></episodedetails>\n");
	scan();
	assert_string_equal(file_col(NFO_VIDEO, "sidecars->'tvshow'->>'tmdb_id'"), "1399");
	assert_string_equal(file_col(NFO_VIDEO, "nfo->>'episode'"), "7");
	assert_int_equal(identify_pending(), 1);
	assert_string_equal(file_col(NFO_VIDEO, "match_strategy"), "id");
	assert_string_equal(episodes_of(NFO_VIDEO), "S01 E07");
	assert_int_equal(qn("SELECT count(*) FROM series WHERE library_id = $1", lib, NULL), 1);
}

/* Stills of the episodes with files become images fetched like posters. */
static void stills_are_images(void **state)
{
	struct job_result res;
	char args[64];
	volatile int cancel = 0;
	(void)state;

	/* E01 has a file; E10 has none, so its still is not fetched */
	const char *img = q1("SELECT id FROM images WHERE kind = 'still'"
	                     " AND provider_path = '/9hGF3WUkBf7cSjMg0cdMDHJkByd.jpg'",
	                     NULL, NULL);
	assert_true(img[0]);
	assert_int_equal(qn("SELECT count(*) FROM images WHERE provider_path ="
	                    " '/7GhSiFhXOg81AevNQWrX6DOEL1U.jpg'",
	                    NULL, NULL),
	                 0);
	assert_int_equal(qn("SELECT count(*) FROM jobs WHERE kind = 'image.fetch'"
	                    " AND args->>'image_id' = $1",
	                    img, NULL),
	                 1);
	/* the special's still too */
	assert_int_equal(qn("SELECT count(*) FROM images WHERE kind = 'still'"
	                    " AND provider_path = '/cnstrSpecialStill1.jpg'",
	                    NULL, NULL),
	                 1);
	snprintf(args, sizeof(args), "{\"image_id\":%s}", img);
	assert_int_equal(jobrun(kind_image_fetch, db, ar, args, &cancel, &res), JOB_OK);
	const char *key = q1(
	    "SELECT storage_key FROM images WHERE id = $1::bigint AND state = 'stored'", img, NULL);
	assert_string_equal(key, "images/still/w300/9hGF3WUkBf7cSjMg0cdMDHJkByd.jpg");
	assert_true(storage_exists(key));
	assert_string_equal(episode_col(1, 1, "still_path"), "/9hGF3WUkBf7cSjMg0cdMDHJkByd.jpg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(layouts_translations_and_requests),
	    cmocka_unit_test(specials_are_season_zero),
	    cmocka_unit_test(daily_files_by_air_date),
	    cmocka_unit_test(absolute_numbers_through_the_episode_group),
	    cmocka_unit_test(tvshow_and_episode_nfo),
	    cmocka_unit_test(stills_are_images),
	};
	char log[512], cmd[1024];
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(log, sizeof(log), "%s/log/fake_tmdb_tv.log", stack);
	if (fake_tmdb_start(&fake, KEY, log)) {
		fprintf(stderr, "test_tv_pipeline: the fake TMDb server did not start\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/tv-pipeline-XXXXXX", stack);
	if (!mkdtemp(dir))
		return 1;
	snprintf(root, sizeof(root), "%s/tv", dir);
	snprintf(media, sizeof(media), "%s/clip.mkv", dir);
	snprintf(store, sizeof(store), "%s/storage", dir);
	mkdir(root, 0755);
	snprintf(
	    cmd, sizeof(cmd),
	    "ffmpeg -loglevel error -y -f lavfi -i testsrc=size=64x36:rate=24 -f lavfi"
	    " -i sine=frequency=440 -t 1 -c:v libx264 -preset ultrafast -c:a aac -shortest '%s'",
	    media);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_tv_pipeline: ffmpeg could not make a clip\n");
		return 1;
	}
	pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 256 << 20);
	configure();
	snprintf(lib, sizeof(lib), "%s",
	         q1("INSERT INTO libraries (name, type, paths) VALUES ('TV', 'tvshow', ARRAY[$1])"
	            " RETURNING id",
	            root, NULL));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_free(ar);
	db_free(db);
	PQfinish(pg);
	tmdb_thread_release();
	fake_tmdb_stop(&fake);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
