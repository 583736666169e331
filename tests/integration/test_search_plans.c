/*
 * How a search chooses its plan (app/catalog/terms.c) on a library big
 * enough for PostgreSQL's statistics to hold common words (12 000 movies),
 * and that every plan answers the same: the most popular visible matches.
 *
 *   "sao paulo"  two words that go together: each in 1 200 titles, so
 *                the statistics estimate them in 120 together, fewer than
 *                the threshold (sqrt(20 * 12 000) = 490), while a count
 *                finds 1 200: common (popularity order), by the index's
 *                matches (catalog_walk_pays false)
 *   "kyoto"      in 1 050 titles: common, and 100 most popular found
 *                cheaper by the index (1 050^2 < 100 * 12 000)
 *   "the"        in every title: common, walked in popularity order
 *   "harbor"     in 30 titles: ranked
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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
static char dir[PATH_MAX], conf[PATH_MAX + 32], sock[128];
static struct api_user viewer;
static char lib[37], hidden[37];
static struct db *db;
static struct arena *ar;

static void seed(void)
{
	snprintf(lib, sizeof(lib), "%s",
	         api_q("INSERT INTO libraries (name, type, paths, visibility) VALUES ('Films',"
	               " 'movie', ARRAY['/srv/films'], 'all') RETURNING id",
	               NULL, NULL));
	snprintf(hidden, sizeof(hidden), "%s",
	         api_q("INSERT INTO libraries (name, type, paths, visibility) VALUES ('Hidden',"
	               " 'movie', ARRAY['/srv/hidden'], 'granted') RETURNING id",
	               NULL, NULL));
	/* the words of title i: "sao paulo" for i % 10 = 0, "kyoto" for
	 * i % 10 = 5 up to 10 500, "harbor" for i % 400 = 7; popularity a
	 * permutation of i (7 919 is prime), so the popularity order is not
	 * the insertion order. Every 7th "sao paulo" and "kyoto" film is in
	 * the hidden library. */
	api_q("INSERT INTO movies (library_id, title, original_title, original_language, year,"
	      " popularity) SELECT CASE WHEN i % 7 = 3 AND i % 5 = 0 THEN $2::uuid"
	      " ELSE $1::uuid END, t, t, 'en', 2000, (i * 7919) % 12000"
	      " FROM (SELECT i, 'The ' || CASE WHEN i % 10 = 0 THEN 'Sao Paulo Story'"
	      " WHEN i % 10 = 5 AND i <= 10500 THEN 'Kyoto Story' WHEN i % 400 = 7 THEN"
	      " 'Harbor Story' ELSE 'Film' END || ' ' || i AS t"
	      " FROM generate_series(1, 12000) i) x",
	      lib, hidden);
	api_exec("ANALYZE movies");
}

/* The ids of the movies of the last multi-search page, in its order, and
 * how many there were. */
static int movie_ids(char *out, size_t n)
{
	const cJSON *it;
	int count = 0;
	out[0] = '\0';
	cJSON_ArrayForEach(it, api_get(api_last_json, "items"))
	{
		if (strcmp(api_str(it, "type"), "movie"))
			continue;
		size_t used = strlen(out);
		snprintf(out + used, n - used, "%s%s", count ? "," : "",
		         api_str(api_get(it, "item"), "id"));
		count++;
	}
	return count;
}

static void decisions_follow_the_statistics_and_counts(void **state)
{
	(void)state;
	const char *n = api_q("SELECT count(*) FROM movies WHERE title LIKE '%Kyoto%'", NULL, NULL);
	assert_string_equal(n, "1050");
	/* the estimate alone misses the words that go together */
	assert_false(catalog_common_query(db, ar, "sao paulo"));
	assert_true(catalog_common_search(db, ar, "sao paulo"));
	assert_false(catalog_walk_pays(db, ar, "sao paulo", 100));
	/* one word: the statistics' count of it */
	assert_true(catalog_common_search(db, ar, "kyoto"));
	assert_false(catalog_walk_pays(db, ar, "kyoto", 100));
	/* for a page of 20, walking tests 20 * 12 000 / 1 050 rows */
	assert_true(catalog_walk_pays(db, ar, "kyoto", 20));
	assert_true(catalog_common_search(db, ar, "the"));
	assert_true(catalog_walk_pays(db, ar, "the", 100));
	/* rare words, and common ones with a rare one, are ranked */
	assert_false(catalog_common_search(db, ar, "harbor"));
	assert_false(catalog_common_search(db, ar, "the harbor"));
	assert_false(catalog_common_search(db, ar, "sao zzzunknown"));
	/* a word PostgreSQL has no statistics for is never common */
	assert_false(catalog_walk_pays(db, ar, "harbor", 100));
}

/* multi-search of q: its movies are the 100 most popular visible matches,
 * ranked, and the total (offset mode) counts them */
static void multi_lists_the_most_popular(const char *q, const char *like)
{
	static char got[100 * 40], want[100 * 40];
	EXPECT(api_call("GET", api_fmt("/api/v1/search/multi?q=%s&offset=0&limit=100", q),
	                viewer.token, NULL),
	       200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 100);
	assert_int_equal(movie_ids(got, sizeof(got)), 100);
	/* the same set as the 100 most popular visible matches, whatever
	 * order the ranks put them in */
	snprintf(want, sizeof(want), "%s",
	         api_q("SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM movies"
	               " WHERE title LIKE $1 AND library_id = $2 ORDER BY popularity DESC, id"
	               " LIMIT 100) x",
	               like, lib));
	char sorted[100 * 40];
	snprintf(sorted, sizeof(sorted), "%s",
	         api_q("SELECT string_agg(x, ',' ORDER BY x) FROM unnest(string_to_array($1, ','))"
	               " x",
	               got, NULL));
	assert_string_equal(sorted, want);
}

static void every_plan_lists_the_most_popular_matches(void **state)
{
	(void)state;
	multi_lists_the_most_popular("sao%20paulo", "%Sao Paulo%");
	multi_lists_the_most_popular("kyoto", "%Kyoto%");
	multi_lists_the_most_popular("the", "%");
	/* the movie search of words that go together: the popularity order,
	 * hidden films left out, pages by cursor */
	EXPECT(api_call("GET", "/api/v1/movies/search?q=sao%20paulo&limit=3", viewer.token, NULL),
	       200);
	const cJSON *items = api_get(api_last_json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 3);
	const char *top = api_q("SELECT string_agg(id::text, ',' ORDER BY popularity DESC, id) FROM"
	                        " (SELECT id, popularity FROM movies WHERE title LIKE '%Sao Paulo%'"
	                        " AND library_id = $1 ORDER BY popularity DESC, id LIMIT 3) x",
	                        lib, NULL);
	char got[200];
	snprintf(got, sizeof(got), "%s,%s,%s", api_str(cJSON_GetArrayItem(items, 0), "id"),
	         api_str(cJSON_GetArrayItem(items, 1), "id"),
	         api_str(cJSON_GetArrayItem(items, 2), "id"));
	assert_string_equal(got, top);
	assert_non_null(api_str(api_last_json, "next_cursor"));
	/* a rare word is still ranked: all its 30 titles */
	EXPECT(
	    api_call("GET", "/api/v1/search/multi?q=harbor&offset=0&limit=50", viewer.token, NULL),
	    200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 30);
	/* a typo across the words still finds them when nothing matches */
	EXPECT(
	    api_call("GET", "/api/v1/search/multi?q=harbr&offset=0&limit=50", viewer.token, NULL),
	    200);
	assert_int_equal(api_get(api_last_json, "total")->valueint, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decisions_follow_the_statistics_and_counts),
	    cmocka_unit_test(every_plan_lists_the_most_popular_matches),
	};
	const char *stack = testenv_stack_dir();
	const char *url = testenv_new_database(NULL);
	char tmp[PATH_MAX + 32], log[PATH_MAX + 64];
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmp, sizeof(tmp), "%s/plans-XXXXXX", stack);
	if (!mkdtemp(tmp) || !realpath(tmp, dir))
		return 1;
	api_pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	ar = arena_new(1 << 16, 64 << 20);
	snprintf(conf, sizeof(conf), "%s/revenge.conf", dir);
	snprintf(sock, sizeof(sock), "/tmp/revenge-plans-%d.sock", (int)getpid());
	api_sock = sock;
	testenv_write_config(conf, url, sock, "pool_size = 2\n" TESTENV_FAST_AUTH);
	snprintf(log, sizeof(log), "%s/log/test_search_plans.log", stack);
	if ((server = server_start(conf, sock, log)) <= 0) {
		fprintf(stderr, "test_search_plans: the FastCGI pool did not start\n");
		return 1;
	}
	seed();
	api_new_user(&viewer, "plans_viewer", NULL);
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
