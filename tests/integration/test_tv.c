/*
 * The TV routes (issue 15, item 1, and multi-search of item 2) through a
 * FastCGI pool against real PostgreSQL and Redis (the response cache is
 * on, so every write must show in the next read).
 *
 * Seeded catalog (SQL, as the metadata store writes it):
 *   Northern Lights (2019, US TV-14, de "Nordlichter"): a special, season 1
 *     with three episodes (E03 without a file), season 2 with two episodes
 *     in one multi-episode file, S02E02 airing in three days;
 *   Quiet Harbor (2015, unrated, Ended): two episodes, one file each;
 *   The Dark Tower Chronicles (2021, US TV-16): one episode, no file;
 *   Secret Harbor: in a library only granted users see;
 *   the movie Harbor Nights, for multi-search.
 * Callers: an admin, a viewer (user role), a child (age limit 12), a user
 * granted the hidden library, and fresh accounts for watch state.
 */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "catalog/terms.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "server.h"
#include "testenv.h"

static pid_t server;
static char dir[PATH_MAX], media[PATH_MAX + 16], conf[PATH_MAX + 32], sock[128];
static struct api_user admin, viewer, child, granted;
static char lib_open[37], lib_hidden[37], lib_movies[37];
static char north[37], harbor[37], tower[37], secret[37];
static char n_s0[37], n_s1[37], n_s2[37];
/* Northern Lights S00E01, S01E01..E03, S02E01..E02; Quiet Harbor E01, E02;
 * Dark Tower E01; Secret Harbor E01 */
enum { N0, N11, N12, N13, N21, N22, H1, H2, T1, X1, NEP };
static char ep[NEP][37];
static char f_special[37], f_e1[37], f_e2[37], f_multi[37], f_h1[37], f_h2[37], f_secret[37];
static char movie[37];
static struct db *db;
static struct arena *ar;

/* --- helpers ---------------------------------------------------------------- */

#define SQL_END ((const char *)0)
#define sql(...) api_value(api_pg, __VA_ARGS__)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The ids of the last page's items (item.id for multi-search rows), in
 * order, joined by ','. */
static const char *ids(void)
{
	static char out[8192];
	size_t o = 0;
	const cJSON *it;

	out[0] = 0;
	cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
	{
		const cJSON *x = api_get(it, "item") ? api_get(it, "item") : it;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "",
				      api_str(x, "id"));
	}
	return out;
}

static int nitems(void)
{
	return cJSON_GetArraySize(api_get(api_last_json, "items"));
}

static bool listed(const char *id)
{
	return strstr(ids(), id) != NULL;
}

/* "a,b,c" */
static const char *join(int n, ...)
{
	static char out[2048];
	size_t o = 0;
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "," : "",
				      va_arg(ap, const char *));
	va_end(ap);
	return out;
}

static int num(const cJSON *o, const char *key)
{
	const cJSON *v = api_get(o, key);
	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number in %.400s", key, api_last.body);
	return v->valueint;
}

static const cJSON *item(int i)
{
	return cJSON_GetArrayItem(api_get(api_last_json, "items"), i);
}

/* A file under the libraries' folder (its folders made), its path. */
static const char *put_media(const char *rel)
{
	char path[PATH_MAX + 256];
	snprintf(path, sizeof(path), "%s/%s", media, rel);
	for (char *s = path + strlen(media) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	write_file(path, "not a video, but bytes to stream");
	return api_fmt("%s", path);
}

/* A present file of series at rel (under the test's folder) holding e1
 * and e2 (NULL: one episode). */
static void seed_file(char *out, const char *lib, const char *series, const char *rel,
		      const char *sidecars, const char *e1, const char *e2)
{
	const char *path = put_media(rel);
	snprintf(out, 37, "%s",
		 sql("INSERT INTO media_files (library_id, path, rel_path, size, mtime_ns,"
		     " series_id, container, width, height, duration_ms, sidecars, match_status)"
		     " VALUES ($1, $2, $3, 32, 1, $4, 'matroska', 1920, 1080, 1500000, $5::jsonb,"
		     " 'matched') RETURNING id",
		     lib, path, rel, series, sidecars ? sidecars : "{}", SQL_END));
	sql("INSERT INTO media_file_episodes (file_id, episode_id) VALUES ($1, $2)", out, e1,
	    SQL_END);
	if (e2)
		sql("INSERT INTO media_file_episodes (file_id, episode_id) VALUES ($1, $2)", out,
		    e2, SQL_END);
}

static void seed_series(char *out, const char *lib, const char *title, const char *year,
			const char *pop, const char *status)
{
	snprintf(out, 37, "%s",
		 sql("INSERT INTO series (library_id, title, original_title, original_language,"
		     " year, first_air_date, popularity, status, networks) VALUES ($1, $2, $2, 'en',"
		     " $3::int, make_date($3::int, 3, 1), $4::float8, $5,"
		     " '[{\"id\": 49, \"name\": \"HBO\"}]') RETURNING id",
		     lib, title, year, pop, status, SQL_END));
}

static void seed_season(char *out, const char *series, const char *n)
{
	snprintf(out, 37, "%s",
		 sql("INSERT INTO seasons (series_id, season_number, name) VALUES ($1, $2::int,"
		     " CASE WHEN $2 = '0' THEN 'Specials' ELSE 'Season ' || $2 END) RETURNING id",
		     series, n, SQL_END));
}

/* air: days from today */
static void seed_episode(char *out, const char *series, const char *season, const char *sn,
			 const char *en, const char *title, const char *air)
{
	snprintf(out, 37, "%s",
		 sql("INSERT INTO episodes (series_id, season_id, season_number, episode_number,"
		     " title, air_date, runtime) VALUES ($1, $2, $3::int, $4::int, $5,"
		     " current_date + $6::int, 25) RETURNING id",
		     series, season, sn, en, title, air, SQL_END));
}

static void seed(void)
{
	char s[37];

	snprintf(lib_open, 37, "%s",
		 sql("INSERT INTO libraries (name, type, paths) VALUES ('TV', 'tvshow', ARRAY[$1])"
		     " RETURNING id",
		     media, SQL_END));
	snprintf(lib_hidden, 37, "%s",
		 sql("INSERT INTO libraries (name, type, paths, visibility) VALUES ('Hidden TV',"
		     " 'tvshow', ARRAY[$1], 'granted') RETURNING id",
		     media, SQL_END));
	snprintf(lib_movies, 37, "%s",
		 sql("INSERT INTO libraries (name, type, paths) VALUES ('Movies', 'movie',"
		     " ARRAY[$1]) RETURNING id",
		     media, SQL_END));

	seed_series(north, lib_open, "Northern Lights", "2019", "50", "Returning Series");
	sql("UPDATE series SET titles_i18n = '{\"de\": \"Nordlichter\"}' WHERE id = $1", north,
	    SQL_END);
	sql("INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)"
	    " VALUES ($1, 'US', 'US TV', 'TV-14', 14)",
	    north, SQL_END);
	seed_season(n_s0, north, "0");
	seed_season(n_s1, north, "1");
	seed_season(n_s2, north, "2");
	seed_episode(ep[N0], north, n_s0, "0", "1", "Behind the Lights", "-400");
	seed_episode(ep[N11], north, n_s1, "1", "1", "Pilot", "-300");
	sql("UPDATE episodes SET titles_i18n = '{\"de\": \"Der Anfang\"}' WHERE id = $1",
	    ep[N11], SQL_END);
	seed_episode(ep[N12], north, n_s1, "1", "2", "Polar Night", "-293");
	seed_episode(ep[N13], north, n_s1, "1", "3", "Aurora", "-286");
	seed_episode(ep[N21], north, n_s2, "2", "1", "Thaw", "-10");
	seed_episode(ep[N22], north, n_s2, "2", "2", "Midnight Sun", "3");
	seed_file(f_special, lib_open, north, "Northern Lights/Specials/Northern Lights S00E01.mkv",
		  NULL, ep[N0], NULL);
	seed_file(f_e1, lib_open, north, "Northern Lights/Season 01/Northern Lights S01E01.mkv",
		  NULL, ep[N11], NULL);
	write_file(api_fmt("%s/Northern Lights/Season 01/Northern Lights S01E02.en.srt", media),
		   "1\n00:00:01,000 --> 00:00:02,000\nHello.\n");
	seed_file(f_e2, lib_open, north, "Northern Lights/Season 01/Northern Lights S01E02.mkv",
		  "{\"subtitles\": [{\"file\": \"Northern Lights S01E02.en.srt\", \"language\":"
		  " \"en\", \"forced\": false}]}",
		  ep[N12], NULL);
	seed_file(f_multi, lib_open, north,
		  "Northern Lights/Season 02/Northern Lights S02E01E02.mkv", NULL, ep[N21],
		  ep[N22]);
	/* credits and a genre */
	const char *p1 = sql("INSERT INTO people (tmdb_id, name) VALUES (700001, 'Ada Frost')"
			     " RETURNING id",
			     SQL_END);
	sql("INSERT INTO series_credits (series_id, person_id, credit_id, kind, character, ord)"
	    " VALUES ($1, $2, 'c1', 'cast', 'Captain', 0)",
	    north, p1, SQL_END);
	const char *p2 = sql("INSERT INTO people (tmdb_id, name) VALUES (700002, 'Bo Winter')"
			     " RETURNING id",
			     SQL_END);
	sql("INSERT INTO series_credits (series_id, person_id, credit_id, kind, job, department,"
	    " ord) VALUES ($1, $2, 'c2', 'crew', 'Creator', 'Writing', 0)",
	    north, p2, SQL_END);
	const char *g = sql("INSERT INTO genres (tmdb_id, kind, name) VALUES (18, 'tv', 'Drama')"
			    " ON CONFLICT DO NOTHING RETURNING id",
			    SQL_END);
	if (!g[0])
		g = sql("SELECT id FROM genres WHERE name = 'Drama' LIMIT 1", SQL_END);
	sql("INSERT INTO series_genres (series_id, genre_id) VALUES ($1, $2::int)", north, g,
	    SQL_END);

	seed_series(harbor, lib_open, "Quiet Harbor", "2015", "20", "Ended");
	seed_season(s, harbor, "1");
	seed_episode(ep[H1], harbor, s, "1", "1", "Harbor Lights", "-900");
	seed_episode(ep[H2], harbor, s, "1", "2", "Low Tide", "-893");
	seed_file(f_h1, lib_open, harbor, "Quiet Harbor/Quiet Harbor S01E01.mkv", NULL, ep[H1],
		  NULL);
	seed_file(f_h2, lib_open, harbor, "Quiet Harbor/Quiet Harbor S01E02.mkv", NULL, ep[H2],
		  NULL);

	seed_series(tower, lib_open, "The Dark Tower Chronicles", "2021", "30", "Returning Series");
	sql("INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)"
	    " VALUES ($1, 'US', 'US TV', 'TV-MA', 16)",
	    tower, SQL_END);
	seed_season(s, tower, "1");
	seed_episode(ep[T1], tower, s, "1", "1", "The Gate", "-40");

	seed_series(secret, lib_hidden, "Secret Harbor", "2018", "99", "Ended");
	seed_season(s, secret, "1");
	seed_episode(ep[X1], secret, s, "1", "1", "Hidden Cove", "-20");
	seed_file(f_secret, lib_hidden, secret, "Secret Harbor/Secret Harbor S01E01.mkv", NULL,
		  ep[X1], NULL);

	snprintf(movie, 37, "%s",
		 sql("INSERT INTO movies (library_id, title, original_title, original_language,"
		     " year, popularity) VALUES ($1, 'Harbor Nights', 'Harbor Nights', 'en', 2010,"
		     " 5) RETURNING id",
		     lib_movies, SQL_END));
	/* 1 100 movies with "the" in every title, and the statistics that make
	 * "the" a common word (catalog/terms.h) before the first search */
	sql("INSERT INTO movies (library_id, title, original_title, original_language, year,"
	    " popularity) SELECT $1, 'The Film ' || i, 'The Film ' || i, 'en', 2000, i"
	    " FROM generate_series(1, 1100) i",
	    lib_movies, SQL_END);
	sql("ANALYZE movies", SQL_END);
}

/* --- lists, access and age limits ------------------------------------------ */

static void lists_follow_access_and_age(void **state)
{
	(void)state;
	EXPECT(api_call("GET", "/api/v1/tvshows?sort=year&order=asc", viewer.token, NULL), 200);
	assert_string_equal(ids(), join(3, harbor, north, tower));
	assert_string_equal(api_str(item(1), "title"), "Northern Lights");
	assert_int_equal(num(item(1), "file_count"), 4);

	/* a child (12) sees the unrated series only */
	EXPECT(api_call("GET", "/api/v1/tvshows", child.token, NULL), 200);
	assert_string_equal(ids(), harbor);
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/%s", north), child.token, NULL), 404,
		     "id");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s", ep[N11]), child.token,
			      NULL),
		     404, "id");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/seasons/%s", n_s1), child.token, NULL),
		     404, "id");

	/* the hidden library: nowhere for the viewer, everywhere once granted */
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/%s", secret), viewer.token, NULL), 404,
		     "id");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/stream", ep[X1],
					 f_secret),
			      viewer.token, NULL),
		     404, "id");
	EXPECT(api_call("GET", "/api/v1/tvshows/stats", viewer.token, NULL), 200);
	assert_int_equal(num(api_last_json, "series"), 3);
	assert_int_equal(num(api_last_json, "episodes"), 9);
	assert_int_equal(num(api_last_json, "specials"), 1);
	assert_int_equal(num(api_last_json, "files"), 6);
	assert_int_equal(num(api_last_json, "episodes_with_files"), 7);
	EXPECT(api_call("GET", "/api/v1/tvshows?sort=popularity", granted.token, NULL), 200);
	assert_string_equal(ids(), join(4, secret, north, tower, harbor));
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s", secret), granted.token, NULL), 200);

	/* filters and both pagination modes */
	EXPECT(api_call("GET", "/api/v1/tvshows?status=Ended", viewer.token, NULL), 200);
	assert_string_equal(ids(), harbor);
	EXPECT(api_call("GET", "/api/v1/tvshows?has_file=false", viewer.token, NULL), 200);
	assert_string_equal(ids(), tower);
	EXPECT(api_call("GET", "/api/v1/tvshows?year_min=2016&sort=year", viewer.token, NULL), 200);
	assert_string_equal(ids(), join(2, north, tower));
	EXPECT(api_call("GET", "/api/v1/tvshows?sort=year&limit=2", viewer.token, NULL), 200);
	assert_string_equal(ids(), join(2, harbor, north));
	char cursor[512], next[700];
	assert_non_null(api_str(api_last_json, "next_cursor"));
	snprintf(cursor, sizeof(cursor), "%s", api_str(api_last_json, "next_cursor"));
	snprintf(next, sizeof(next), "/api/v1/tvshows?sort=year&limit=2&cursor=%s", cursor);
	EXPECT(api_call("GET", next, viewer.token, NULL), 200);
	assert_string_equal(ids(), tower);
	/* a cursor of another order */
	snprintf(next, sizeof(next), "/api/v1/tvshows?sort=title&limit=2&cursor=%s", cursor);
	EXPECT_FIELD(api_call("GET", next, viewer.token, NULL), 400, "cursor");
	EXPECT(api_call("GET", "/api/v1/tvshows?sort=year&offset=1&limit=1", viewer.token, NULL),
	       200);
	assert_string_equal(ids(), north);
	assert_int_equal(num(api_last_json, "total"), 3);
	EXPECT_FIELD(api_call("GET", "/api/v1/tvshows?year_min=2020&year_max=2010", viewer.token,
			      NULL),
		     400, "year_min");
	EXPECT_FIELD(api_call("GET", "/api/v1/tvshows?sort=runtime", viewer.token, NULL), 400,
		     "sort");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows?library_id=%s", lib_hidden),
			      viewer.token, NULL),
		     404, "library_id");

	/* recently added: by the newest file */
	sql("UPDATE media_files SET created_at = now() + interval '1 minute' WHERE id = $1", f_h2,
	    SQL_END);
	EXPECT(api_call("GET", "/api/v1/tvshows/recently-added", viewer.token, NULL), 200);
	assert_string_equal(ids(), join(2, harbor, north));
}

/* --- detail, seasons, episodes ---------------------------------------------- */

static void detail_seasons_and_episodes(void **state)
{
	(void)state;
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s?language=de", north), viewer.token, NULL),
	       200);
	assert_string_equal(api_str(api_last_json, "title"), "Nordlichter");
	assert_string_equal(api_str(api_last_json, "language"), "de");
	assert_int_equal(num(api_last_json, "episode_count"), 5);
	const cJSON *seasons = api_get(api_last_json, "seasons");
	assert_int_equal(cJSON_GetArraySize(seasons), 3);
	assert_int_equal(num(cJSON_GetArrayItem(seasons, 0), "season_number"), 0);
	assert_int_equal(num(cJSON_GetArrayItem(seasons, 1), "episode_count"), 3);
	assert_string_equal(api_str(api_get(api_last_json, "age_rating"), "certification"),
			    "TV-14");
	assert_string_equal(api_str(cJSON_GetArrayItem(api_get(api_last_json, "genres"), 0),
				    "name"),
			    "Drama");

	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/seasons", north), viewer.token, NULL), 200);
	assert_string_equal(ids(), join(3, n_s0, n_s1, n_s2));
	assert_int_equal(num(item(2), "episode_count"), 2);

	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/episodes", north), viewer.token, NULL),
	       200);
	assert_string_equal(ids(), join(6, ep[N0], ep[N11], ep[N12], ep[N13], ep[N21], ep[N22]));
	assert_string_equal(api_str(item(1), "series_title"), "Northern Lights");
	assert_true(cJSON_IsTrue(api_get(item(1), "has_file")));
	assert_true(cJSON_IsFalse(api_get(item(3), "has_file")));
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/episodes?season=1&language=de", north),
			viewer.token, NULL),
	       200);
	assert_string_equal(ids(), join(3, ep[N11], ep[N12], ep[N13]));
	assert_string_equal(api_str(item(0), "title"), "Der Anfang");
	assert_string_equal(api_str(item(1), "title"), "Polar Night");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/episodes?sort=aired&limit=2", north),
			viewer.token, NULL),
	       200);
	assert_string_equal(ids(), join(2, ep[N22], ep[N21]));
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/%s/episodes?season=-1", north),
			      viewer.token, NULL),
		     400, "season");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/seasons/%s/episodes", n_s2), viewer.token,
			NULL),
	       200);
	assert_string_equal(ids(), join(2, ep[N21], ep[N22]));
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/seasons/%s", n_s1), viewer.token, NULL), 200);
	assert_string_equal(api_str(api_get(api_last_json, "series"), "id"), north);
	assert_string_equal(api_str(api_last_json, "name"), "Season 1");

	/* neighbours, specials apart from the seasons */
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s", ep[N12]), viewer.token, NULL),
	       200);
	assert_string_equal(api_str(api_last_json, "previous_id"), ep[N11]);
	assert_string_equal(api_str(api_last_json, "next_id"), ep[N13]);
	assert_int_equal(num(api_get(api_last_json, "season"), "season_number"), 1);
	assert_int_equal(cJSON_GetArraySize(api_get(api_last_json, "versions")), 1);
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s", ep[N11]), viewer.token, NULL),
	       200);
	assert_true(cJSON_IsNull(api_get(api_last_json, "previous_id")));
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s", ep[N0]), viewer.token, NULL),
	       200);
	assert_true(cJSON_IsNull(api_get(api_last_json, "next_id")));

	/* a multi-episode file is a file of both episodes */
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files", ep[N21]), viewer.token,
			NULL),
	       200);
	assert_string_equal(ids(), f_multi);
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files", ep[N22]), viewer.token,
			NULL),
	       200);
	assert_string_equal(ids(), f_multi);
	assert_string_equal(api_str(item(0), "stream_url"),
			    api_fmt("/api/v1/tvshows/episodes/%s/files/%s/stream", ep[N22], f_multi));

	/* relations */
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/cast", north), viewer.token, NULL), 200);
	assert_int_equal(nitems(), 1);
	assert_string_equal(api_str(item(0), "name"), "Ada Frost");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/crew", north), viewer.token, NULL), 200);
	assert_string_equal(api_str(item(0), "job"), "Creator");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/genres", north), viewer.token, NULL), 200);
	assert_string_equal(api_str(item(0), "name"), "Drama");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/networks", north), viewer.token, NULL),
	       200);
	assert_string_equal(api_str(item(0), "name"), "HBO");
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/%s/cast", secret), viewer.token, NULL),
		     404, "id");
	/* TV genres with the series each holds for the caller */
	sql("INSERT INTO series_genres (series_id, genre_id) SELECT $1, id FROM genres"
	    " WHERE kind = 'tv' AND name = 'Drama'",
	    secret, SQL_END);
	EXPECT(api_call("GET", "/api/v1/tvshows/genres", viewer.token, NULL), 200);
	assert_int_equal(nitems(), 1);
	assert_string_equal(api_str(item(0), "name"), "Drama");
	assert_int_equal(num(item(0), "series_count"), 1);
	EXPECT(api_call("GET", "/api/v1/tvshows/genres", granted.token, NULL), 200);
	assert_int_equal(num(item(0), "series_count"), 2);
	EXPECT(api_call("GET", "/api/v1/tvshows/genres", child.token, NULL), 200);
	assert_int_equal(num(item(0), "series_count"), 0);
}

/* --- watch state, next up, bulk ---------------------------------------------- */

static void watch_next_up_and_bulk(void **state)
{
	struct api_user u;
	(void)state;
	api_new_user(&u, "binge", NULL);

	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_int_equal(nitems(), 0);
	/* nothing watched: the first episode, specials apart */
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/next-episode", north), u.token, NULL), 200);
	assert_string_equal(api_str(api_get(api_last_json, "episode"), "id"), ep[N11]);
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/next-episode?include_specials=true", north),
			u.token, NULL),
	       200);
	assert_string_equal(api_str(api_get(api_last_json, "episode"), "id"), ep[N0]);
	/* one episode, not a page */
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/%s/next-episode?limit=5", north), u.token,
			      NULL),
		     400, "limit");

	EXPECT(api_call("POST", api_fmt("/api/v1/tvshows/episodes/%s/watched", ep[N11]), u.token, NULL),
	       200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "watched")));
	assert_string_equal(api_str(api_last_json, "episode_id"), ep[N11]);
	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_string_equal(ids(), ep[N12]);

	/* half of S01E02 (1500 s files): continue watching, still next up */
	EXPECT(api_call("PUT", api_fmt("/api/v1/tvshows/episodes/%s/progress", ep[N12]), u.token,
			"{\"position_seconds\": 700}"),
	       200);
	assert_int_equal(num(api_last_json, "duration_seconds"), 1500);
	EXPECT(api_call("GET", "/api/v1/tvshows/continue-watching", u.token, NULL), 200);
	assert_string_equal(ids(), ep[N12]);
	assert_int_equal(num(api_get(item(0), "user_data"), "position_seconds"), 700);
	/* past 90 %: completed; next up skips S01E03 (no file) to S02E01 */
	EXPECT(api_call("PUT", api_fmt("/api/v1/tvshows/episodes/%s/progress", ep[N12]), u.token,
			"{\"position_seconds\": 1400}"),
	       200);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "watched")));
	EXPECT(api_call("GET", "/api/v1/tvshows/continue-watching", u.token, NULL), 200);
	assert_int_equal(nitems(), 0);
	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_string_equal(ids(), ep[N21]);
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s/next-episode", north), u.token, NULL), 200);
	assert_string_equal(api_str(api_get(api_last_json, "episode"), "id"), ep[N13]);

	/* a second series watched later comes first */
	EXPECT(api_call("POST", api_fmt("/api/v1/tvshows/episodes/%s/watched", ep[H1]), u.token, NULL),
	       200);
	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_string_equal(ids(), join(2, ep[H2], ep[N21]));

	/* a season at once: next up of the series is done */
	EXPECT(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			api_fmt("{\"season_id\": \"%s\"}", n_s2)),
	       200);
	assert_int_equal(num(api_last_json, "episodes"), 2);
	assert_int_equal(num(api_last_json, "changed"), 2);
	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_string_equal(ids(), ep[H2]);
	/* marking again changes nothing */
	EXPECT(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			api_fmt("{\"season_id\": \"%s\"}", n_s2)),
	       200);
	assert_int_equal(num(api_last_json, "changed"), 0);
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/%s", north), u.token, NULL), 200);
	assert_int_equal(num(api_get(api_last_json, "user_data"), "watched_episodes"), 4);

	/* the whole series unwatched: every state reset, one event each */
	EXPECT(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			api_fmt("{\"series_id\": \"%s\", \"watched\": false}", north)),
	       200);
	assert_int_equal(num(api_last_json, "episodes"), 6);
	assert_int_equal(num(api_last_json, "changed"), 4);
	assert_string_equal(sql("SELECT count(*) FROM episode_watch w JOIN episodes e ON"
				" e.id = w.episode_id WHERE w.user_id = $1 AND e.series_id = $2"
				" AND w.watched",
				u.id, north, SQL_END),
			    "0");
	assert_string_equal(sql("SELECT count(*) FROM episode_watch_history h JOIN episodes e"
				" ON e.id = h.episode_id WHERE h.user_id = $1 AND e.series_id = $2"
				" AND h.event = 'unmarked'",
				u.id, north, SQL_END),
			    "4");
	EXPECT(api_call("GET", "/api/v1/tvshows/watch-history?limit=1", u.token, NULL), 200);
	assert_string_equal(api_str(item(0), "event"), "unmarked");
	EXPECT(api_call("GET", "/api/v1/tvshows/next-up", u.token, NULL), 200);
	assert_string_equal(ids(), ep[H2]);

	/* bad bulk requests write nothing */
	const char *before = api_fmt("%s", sql("SELECT count(*) || '/' || count(*) FILTER (WHERE"
					   " watched) FROM episode_watch WHERE user_id = $1",
					   u.id, SQL_END));
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      api_fmt("{\"episode_ids\": [\"%s\", \"%s\"]}", ep[N13], ep[X1])),
		     404, "episode_ids");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      api_fmt("{\"series_id\": \"%s\"}", secret)),
		     404, "series_id");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      api_fmt("{\"series_id\": \"%s\", \"season_id\": \"%s\"}", north, n_s1)),
		     400, "season_id");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token, "{}"),
		     400, "series_id");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      "{\"episode_ids\": [\"nope\"]}"),
		     400, "episode_ids[0]");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      "{\"episode_ids\": []}"),
		     400, "episode_ids");
	EXPECT_FIELD(api_call("POST", "/api/v1/tvshows/episodes/bulk-watched", u.token,
			      api_fmt("{\"season_id\": \"%s\", \"watched\": \"yes\"}", n_s1)),
		     400, "watched");
	assert_string_equal(sql("SELECT count(*) || '/' || count(*) FILTER (WHERE watched) FROM"
				" episode_watch WHERE user_id = $1",
				u.id, SQL_END),
			    before);
	EXPECT_FIELD(api_call("PUT", api_fmt("/api/v1/tvshows/episodes/%s/progress", ep[N12]),
			      u.token, "{\"position_seconds\": -1}"),
		     400, "position_seconds");
	EXPECT_FIELD(api_call("GET", "/api/v1/tvshows/next-up?include_specials=maybe", u.token,
			      NULL),
		     400, "include_specials");
	EXPECT_FIELD(api_call("POST", api_fmt("/api/v1/tvshows/episodes/%s/watched", ep[X1]), u.token,
			      NULL),
		     404, "id");
}

/* --- air dates ---------------------------------------------------------------- */

static void recent_and_upcoming(void **state)
{
	(void)state;
	EXPECT(api_call("GET", "/api/v1/tvshows/episodes/upcoming", viewer.token, NULL), 200);
	assert_string_equal(ids(), ep[N22]);
	EXPECT(api_call("GET", "/api/v1/tvshows/episodes/recent?limit=3", viewer.token, NULL), 200);
	assert_string_equal(ids(), join(3, ep[N21], ep[T1], ep[N13]));
	EXPECT(api_call("GET", "/api/v1/tvshows/episodes/recent", child.token, NULL), 200);
	assert_string_equal(ids(), join(2, ep[H2], ep[H1]));
	/* a time zone far east can make tomorrow's episode today's */
	sql("UPDATE episodes SET air_date = (now() AT TIME ZONE 'Pacific/Kiritimati')::date"
	    " WHERE id = $1",
	    ep[N22], SQL_END);
	sql("UPDATE users SET timezone = 'Pacific/Kiritimati' WHERE id = $1", viewer.id, SQL_END);
	EXPECT(api_call("GET", "/api/v1/tvshows/episodes/upcoming", viewer.token, NULL), 200);
	assert_string_equal(ids(), ep[N22]);
	/* a zone PostgreSQL does not know counts as UTC */
	EXPECT(api_call("PUT", "/api/v1/users/me", viewer.token, "{\"timezone\": \"Mars/Olympus\"}"),
	       200);
	EXPECT(api_call("GET", "/api/v1/tvshows/episodes/upcoming", viewer.token, NULL), 200);
	assert_string_equal(ids(), ep[N22]); /* today or tomorrow in UTC */
	sql("UPDATE users SET timezone = 'UTC' WHERE id = $1", viewer.id, SQL_END);
	sql("UPDATE episodes SET air_date = current_date + 3 WHERE id = $1", ep[N22], SQL_END);
}

/* --- search --------------------------------------------------------------------- */

static void search_and_multi(void **state)
{
	(void)state;
	EXPECT(api_call("GET", "/api/v1/tvshows/search?q=nordlichter", viewer.token, NULL), 200);
	assert_string_equal(ids(), north);
	/* typos: each word replaced by the closest known word */
	EXPECT(api_call("GET", "/api/v1/search/tvshows?q=nothern%20lihgts", viewer.token, NULL),
	       200);
	assert_string_equal(ids(), north);
	/* the cast */
	EXPECT(api_call("GET", "/api/v1/tvshows/search?q=ada%20frost", viewer.token, NULL), 200);
	assert_string_equal(ids(), north);
	EXPECT(api_call("GET", "/api/v1/tvshows/search?q=harbor", viewer.token, NULL), 200);
	assert_string_equal(ids(), harbor);
	EXPECT(api_call("GET", "/api/v1/tvshows/search?q=harbor", granted.token, NULL), 200);
	assert_int_equal(nitems(), 2);
	EXPECT_FIELD(api_call("GET", "/api/v1/tvshows/search?q=harbor&library_id=x", viewer.token,
			      NULL),
		     400, "library_id");

	/* multi: typed results of every kind in one order */
	EXPECT(api_call("GET", "/api/v1/search/multi?q=harbor", viewer.token, NULL), 200);
	assert_int_equal(nitems(), 3);
	int kinds = 0;
	double last = 1e9;
	const cJSON *it;
	cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
	{
		const char *type = api_str(it, "type"), *id = api_str(api_get(it, "item"), "id");
		double score = api_get(it, "score")->valuedouble;
		assert_true(score <= last);
		last = score;
		if (!strcmp(type, "movie") && !strcmp(id, movie))
			kinds |= 1;
		else if (!strcmp(type, "series") && !strcmp(id, harbor))
			kinds |= 2;
		else if (!strcmp(type, "episode") && !strcmp(id, ep[H1]))
			kinds |= 4;
		else
			fail_msg("unexpected result %s %s", type, id);
	}
	assert_int_equal(kinds, 7);
	/* pages of one result each walk the same order */
	char all[512];
	snprintf(all, sizeof(all), "%s", ids());
	char walked[512] = "", next[700] = "/api/v1/search/multi?q=harbor&limit=1";
	for (int i = 0; i < 3; i++) {
		EXPECT(api_call("GET", next, viewer.token, NULL), 200);
		assert_int_equal(nitems(), 1);
		snprintf(walked + strlen(walked), sizeof(walked) - strlen(walked), "%s%s",
			 i ? "," : "", ids());
		const char *c = api_str(api_last_json, "next_cursor");
		if (i < 2)
			assert_non_null(c);
		else
			assert_null(c);
		if (c)
			snprintf(next, sizeof(next), "/api/v1/search/multi?q=harbor&limit=1&cursor=%s",
				 c);
	}
	assert_string_equal(walked, all);
	/* the hidden series for the granted user only */
	EXPECT(api_call("GET", "/api/v1/search/multi?q=harbor&offset=0", granted.token, NULL),
	       200);
	assert_int_equal(num(api_last_json, "total"), 4);
	assert_true(listed(secret));
	EXPECT(api_call("GET", "/api/v1/search/multi?q=cove", granted.token, NULL), 200);
	assert_string_equal(ids(), ep[X1]);
	EXPECT(api_call("GET", "/api/v1/search/multi?q=cove", viewer.token, NULL), 200);
	assert_int_equal(nitems(), 0);
	/* a query of common words: the 100 most popular matching movies
	 * (MULTI_CAP), ranked with every series and episode matching */
	assert_true(catalog_common_query(db, ar, "the"));
	EXPECT(api_call("GET", "/api/v1/search/multi?q=the&offset=0&limit=3", viewer.token,
			NULL),
	       200);
	/* + The Dark Tower Chronicles, The Gate, Behind the Lights */
	assert_int_equal(num(api_last_json, "total"), 100 + 3);
	assert_string_equal(api_str(api_get(item(0), "item"), "title"), "The Film 1100");
	EXPECT(api_call("GET", "/api/v1/search/multi?q=the&limit=2", viewer.token, NULL), 200);
	char c2[600];
	snprintf(c2, sizeof(c2), "/api/v1/search/multi?q=the&limit=2&cursor=%s",
		 api_str(api_last_json, "next_cursor"));
	char first2[128];
	snprintf(first2, sizeof(first2), "%s", ids());
	EXPECT(api_call("GET", c2, viewer.token, NULL), 200);
	assert_int_equal(nitems(), 2);
	assert_null(strstr(first2, ids()));
	/* a typo across kinds */
	EXPECT(api_call("GET", "/api/v1/search/multi?q=hrabor", viewer.token, NULL), 200);
	assert_int_equal(nitems(), 3);
	/* without tvshows:list, movies only */
	struct api_user m;
	sql("INSERT INTO roles (name, description) VALUES ('movies_only', 'test')", SQL_END);
	sql("INSERT INTO role_permissions (role_id, permission) SELECT id, 'movies:list' FROM"
	    " roles WHERE name = 'movies_only'",
	    SQL_END);
	api_new_user(&m, "cinephile", NULL);
	sql("DELETE FROM user_roles WHERE user_id = $1", m.id, SQL_END);
	api_grant_sql(&m, "movies_only");
	char body[256];
	snprintf(body, sizeof(body), "{\"username\":\"cinephile\",\"password\":\"pw-cinephile-long\"}");
	EXPECT(api_call("POST", "/api/v1/auth/login", NULL, body), 200);
	snprintf(m.token, sizeof(m.token), "%s", api_str(api_last_json, "access_token"));
	EXPECT(api_call("GET", "/api/v1/search/multi?q=harbor", m.token, NULL), 200);
	assert_string_equal(ids(), movie);
	EXPECT(api_call("GET", "/api/v1/tvshows/search?q=harbor", m.token, NULL), 403);
	EXPECT_FIELD(api_call("GET", "/api/v1/search/multi", viewer.token, NULL), 400, "q");
}

/* --- files, refresh --------------------------------------------------------------- */

/* "%XX" for every byte the stream's X-Accel-Redirect encodes */
static const char *accel_encoded(const char *s)
{
	static char out[2048];
	size_t o = 0;
	for (; *s && o + 4 < sizeof(out); s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("/._~-", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%%%02X", c);
	}
	out[o] = 0;
	return out;
}

static void streams_and_refresh(void **state)
{
	(void)state;
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/stream", ep[N12], f_e2),
			viewer.token, NULL),
	       200);
	assert_non_null(strstr(api_last.head, accel_encoded("Northern Lights S01E02.mkv")));
	/* the multi-episode file streams for either episode */
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/stream", ep[N22],
				   f_multi),
			viewer.token, NULL),
	       200);
	assert_non_null(strstr(api_last.head, accel_encoded("Northern Lights S02E01E02.mkv")));
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/stream", ep[N12],
					 f_e1),
			      viewer.token, NULL),
		     404, "file_id");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/subtitles/0", ep[N12],
				   f_e2),
			viewer.token, NULL),
	       200);
	assert_non_null(strstr(api_last.head, accel_encoded("Northern Lights S01E02.en.srt")));
	EXPECT_FIELD(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files/%s/subtitles/1",
					 ep[N12], f_e2),
			      viewer.token, NULL),
		     404, "index");
	EXPECT(api_call("GET", api_fmt("/api/v1/tvshows/episodes/%s/files", ep[N12]), viewer.token,
			NULL),
	       200);
	assert_string_equal(api_str(cJSON_GetArrayItem(api_get(item(0), "subtitles"), 0), "url"),
			    api_fmt("/api/v1/tvshows/episodes/%s/files/%s/subtitles/0", ep[N12], f_e2));

	EXPECT(api_call("POST", api_fmt("/api/v1/tvshows/%s/refresh", north), viewer.token, NULL), 403);
	EXPECT(api_call("POST", api_fmt("/api/v1/tvshows/%s/refresh", north), admin.token, NULL), 202);
	char job[24];
	snprintf(job, sizeof(job), "%d", num(api_last_json, "job_id"));
	assert_string_equal(sql("SELECT kind || ' ' || (args->>'series_id') FROM jobs WHERE"
				" id = $1::bigint",
				job, SQL_END),
			    api_fmt("metadata.refresh %s", north));
	EXPECT(api_call("POST", api_fmt("/api/v1/tvshows/%s/refresh", north), admin.token, NULL), 202);
	assert_true(cJSON_IsTrue(api_get(api_last_json, "already_queued")));
	assert_int_equal(num(api_last_json, "job_id"), atoi(job));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lists_follow_access_and_age),
	    cmocka_unit_test(detail_seasons_and_episodes),
	    cmocka_unit_test(watch_next_up_and_bulk),
	    cmocka_unit_test(recent_and_upcoming),
	    cmocka_unit_test(search_and_multi),
	    cmocka_unit_test(streams_and_refresh),
	};
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	char tmp[PATH_MAX + 32], log[PATH_MAX + 64];
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	/* resolved: the stream route compares real paths with the roots */
	snprintf(tmp, sizeof(tmp), "%s/tv-XXXXXX", stack);
	if (!mkdtemp(tmp) || !realpath(tmp, dir))
		return 1;
	/* the libraries' folder, apart from the server's configuration */
	snprintf(media, sizeof(media), "%s/media", dir);
	mkdir(media, 0755);
	api_pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 64 << 20);
	snprintf(conf, sizeof(conf), "%s/revenge.conf", dir);
	snprintf(sock, sizeof(sock), "/tmp/revenge-tv-%d.sock", (int)getpid());
	api_sock = sock;
	char extra[PATH_MAX + 200];
	snprintf(extra, sizeof(extra),
		 "pool_size = 2\n" TESTENV_FAST_AUTH "[library]\nallowed_roots = %s\n", media);
	testenv_write_config(conf, url, sock, extra);
	snprintf(log, sizeof(log), "%s/log/test_tv.log", stack);
	if ((server = server_start(conf, sock, log)) <= 0) {
		fprintf(stderr, "test_tv: the FastCGI pool did not start\n");
		return 1;
	}
	seed();
	api_new_user(&admin, "tv_admin", "admin");
	api_new_user(&viewer, "tv_viewer", NULL);
	api_new_user(&child, "tv_child", NULL);
	sql("UPDATE user_preferences SET max_age_rating = 12, rating_country = 'US' WHERE"
	    " user_id = $1",
	    child.id, SQL_END);
	api_new_user(&granted, "tv_granted", NULL);
	sql("INSERT INTO library_grants (user_id, library_id, level) VALUES ($1, $2, 'view')",
	    granted.id, lib_hidden, SQL_END);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	server_stop(server, 5000);
	cJSON_Delete(api_last_json);
	arena_free(ar);
	db_free(db);
	PQfinish(api_pg);
	unlink(sock);
	snprintf(tmp, sizeof(tmp), "rm -rf '%s'", dir);
	if (system(tmp) != 0)
		rc = rc ? rc : 1;
	return rc;
}
