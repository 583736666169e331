/*
 * The TMDb client against tests/fake_tmdb (recorded TMDb answers) and the
 * stack's real Redis: composed details, search, the response cache, retries
 * on 429/503 with Retry-After, garbage and error answers, the API key never
 * in an error text, the disabled client, the rate limit shared by threads
 * (checked on the fake's own clock) and its per-process fallback, images.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/text.h"
#include "fake_tmdb_proc.h"
#include "metadata/tmdb.h"
#include "testenv.h"

#define KEY "k3y-for-the-fake-0123456789"

static struct fake_tmdb fake;
static struct arena *ar;
static char err[256];

/* Configure the client: api_key NULL = none; redis NULL = the stack's. */
static void configure(const char *api_key, int rate, const char *window, int retries,
                      const char *redis)
{
	char *const noenv[] = {NULL};
	struct config c;
	struct buf text, msg;

	buf_init(&text, 8192);
	buf_init(&msg, 1024);
	buf_printf(&text, "[redis]\nurl = \"%s\"\nprefix = \"test_tmdb_%d:\"\n",
	           redis ? redis : testenv_redis_url(), (int)getpid());
	buf_printf(&text, "[tmdb]\nbase_url = \"%s\"\nimage_base_url = \"%s\"\n", fake.base_url,
	           fake.image_base);
	if (api_key)
		buf_printf(&text, "api_key = \"%s\"\n", api_key);
	buf_printf(&text, "rate = %d\nrate_window = %s\nmax_retries = %d\ntimeout = 5s\n", rate,
	           window, retries);
	/* two malformed entries and a duplicate, to be skipped */
	buf_puts(&text, "[metadata]\nlanguages = \"en,de,EN,xyz,fr,de\"\n");
	assert_true(buf_ok(&text));
	if (config_load_text(&c, text.data, text.len, "test_tmdb.conf", noenv, &msg)) {
		fprintf(stderr, "config: %s\n", msg.data);
		fail();
	}
	tmdb_configure(&c);
	config_release(&c);
	buf_release(&text);
	buf_release(&msg);
}

static void configure_default(void)
{
	configure(KEY, 1000, "1s", 2, NULL);
}

static int setup(void **state)
{
	(void)state;
	configure_default();
	assert_int_equal(fake_tmdb_reset(&fake), 0);
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_reset(ar);
	return 0;
}

static const cJSON *member(const cJSON *o, const char *k)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_non_null(m);
	return m;
}

static bool has_lang(const cJSON *translations, const char *lang)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, translations)
	{
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(t, "iso_639_1");
		if (cJSON_IsString(l) && !strcmp(l->valuestring, lang))
			return true;
	}
	return false;
}

static bool has_result_id(const cJSON *o, const char *list, int id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, member(o, list))
	{
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(r, "id");
		if (cJSON_IsNumber(i) && (int)i->valuedouble == id)
			return true;
	}
	return false;
}

static void languages_are_validated(void **state)
{
	int n = 0;
	const char *const *l = tmdb_languages(&n);

	(void)state;
	assert_true(tmdb_enabled());
	assert_int_equal(n, 3);
	assert_string_equal(l[0], "en");
	assert_string_equal(l[1], "de");
	assert_string_equal(l[2], "fr");
}

static void movie_details_are_composed(void **state)
{
	cJSON *m = NULL;
	unsigned long sent = tmdb_requests_sent();

	(void)state;
	assert_int_equal(tmdb_movie(ar, 550, &m, err, sizeof(err)), APP_OK);
	assert_string_equal(member(m, "title")->valuestring, "Fight Club");
	const cJSON *tr = member(member(m, "translations"), "translations");
	assert_true(has_lang(tr, "de"));
	assert_true(has_lang(tr, "fr"));
	assert_true(cJSON_GetArraySize(member(member(m, "release_dates"), "results")) > 0);
	assert_true(cJSON_GetArraySize(member(member(m, "credits"), "cast")) > 0);
	assert_string_equal(member(member(m, "external_ids"), "imdb_id")->valuestring, "tt0137523");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(m, "alternative_titles"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(m, "images"));
	assert_int_equal(tmdb_requests_sent(), sent + 1);
	assert_int_equal(fake_tmdb_requests(&fake), 1);
}

static void tv_season_and_find(void **state)
{
	cJSON *t = NULL, *s = NULL, *f = NULL;

	(void)state;
	assert_int_equal(tmdb_tv(ar, 1399, &t, err, sizeof(err)), APP_OK);
	assert_string_equal(member(t, "name")->valuestring, "Game of Thrones");
	assert_true(cJSON_GetArraySize(member(member(t, "aggregate_credits"), "cast")) > 0);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(t, "content_ratings"));
	assert_int_equal(tmdb_season(ar, 1399, 1, &s, err, sizeof(err)), APP_OK);
	assert_int_equal(cJSON_GetArraySize(member(s, "episodes")), 10);
	assert_int_equal(tmdb_find(ar, "tt0137523", "imdb_id", &f, err, sizeof(err)), APP_OK);
	assert_true(has_result_id(f, "movie_results", 550));
	/* malformed external ids never reach the wire */
	assert_int_equal(tmdb_find(ar, "tt01&x=1", "imdb_id", &f, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_find(ar, "tt0137523", "freebase", &f, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(fake_tmdb_requests(&fake), 3);
}

/* A season in one more language, and episode groups: the list comes with
 * the series details, a group is one request; malformed arguments never
 * reach the wire. */
static void season_languages_and_episode_groups(void **state)
{
	cJSON *t = NULL, *de = NULL, *g = NULL;
	const cJSON *first;

	(void)state;
	assert_int_equal(tmdb_season_language(ar, 1399, 1, "de", &de, err, sizeof(err)), APP_OK);
	first = cJSON_GetArrayItem(member(de, "episodes"), 0);
	assert_string_equal(member(first, "name")->valuestring, "Der Winter naht");
	assert_int_equal(fake_tmdb_requests(&fake), 1);
	assert_int_equal(tmdb_season_language(ar, 1399, 1, "DE", &de, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_season_language(ar, 1399, 1, "d&", &de, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_season_language(ar, 1399, 1, "deu", &de, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_season_language(ar, 1399, -1, "de", &de, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	/* (the series details may come from the cache of an earlier test) */
	assert_int_equal(tmdb_tv(ar, 1399, &t, err, sizeof(err)), APP_OK);
	const cJSON *groups = member(member(t, "episode_groups"), "results");
	assert_int_equal(cJSON_GetArraySize(groups), 2);
	long before = fake_tmdb_requests(&fake);
	assert_int_equal(tmdb_episode_group(ar, "65f0c0ffee0000000000abcd", &g, err, sizeof(err)),
	                 APP_OK);
	assert_int_equal(member(g, "type")->valueint, 2);
	assert_int_equal(cJSON_GetArraySize(member(g, "groups")), 2);
	assert_int_equal(fake_tmdb_requests(&fake), before + 1);
	assert_int_equal(tmdb_episode_group(ar, "65f0c0ffee0000000000abcd/../x", &g, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_episode_group(ar, "", &g, err, sizeof(err)), APP_ERR_VALIDATION);
	assert_int_equal(tmdb_episode_group(ar, "ffffffffffffffffffffffff", &g, err, sizeof(err)),
	                 APP_ERR_NOT_FOUND);
	assert_int_equal(fake_tmdb_requests(&fake), before + 2);
}

static void search_then_cache_hit(void **state)
{
	cJSON *r = NULL, *again = NULL, *tv = NULL;
	unsigned long sent;
	long seen;

	(void)state;
	assert_int_equal(tmdb_search_movie(ar, "Fight Club", 1999, &r, err, sizeof(err)), APP_OK);
	assert_true(has_result_id(r, "results", 550));
	seen = fake_tmdb_requests(&fake);
	sent = tmdb_requests_sent();
	assert_int_equal(seen, 1);
	/* the same search again comes from Redis */
	assert_int_equal(tmdb_search_movie(ar, "Fight Club", 1999, &again, err, sizeof(err)),
	                 APP_OK);
	assert_true(has_result_id(again, "results", 550));
	assert_int_equal(fake_tmdb_requests(&fake), seen);
	assert_int_equal(tmdb_requests_sent(), sent);
	/* another year is another request, and finds nothing */
	assert_int_equal(tmdb_search_movie(ar, "Fight Club", 2005, &r, err, sizeof(err)), APP_OK);
	assert_int_equal(cJSON_GetArraySize(member(r, "results")), 0);
	assert_int_equal(fake_tmdb_requests(&fake), seen + 1);
	/* a title that needs encoding */
	assert_int_equal(tmdb_search_tv(ar, "game of thrones & co?", 0, &tv, err, sizeof(err)),
	                 APP_OK);
	assert_int_equal(tmdb_search_tv(ar, "Game of", 2011, &tv, err, sizeof(err)), APP_OK);
	assert_true(has_result_id(tv, "results", 1399));
}

static void retries_429_with_retry_after(void **state)
{
	cJSON *m = NULL;
	unsigned long sent = tmdb_requests_sent();
	int64_t t0 = now_mono_us();

	(void)state;
	assert_int_equal(fake_tmdb_fail(&fake, 429, 2, 1, "/3/movie"), 0);
	assert_int_equal(tmdb_get(ar, "/movie/550", NULL, 0, &m, err, sizeof(err)), APP_OK);
	assert_string_equal(member(m, "title")->valuestring, "Fight Club");
	assert_int_equal(fake_tmdb_requests(&fake), 3);
	assert_int_equal(tmdb_requests_sent(), sent + 3);
	/* two waits of Retry-After: 1 */
	assert_true(now_mono_us() - t0 >= 1900000);
}

static void gives_up_after_max_retries(void **state)
{
	cJSON *m = NULL;

	(void)state;
	assert_int_equal(fake_tmdb_fail(&fake, 503, 10, -1, "/3/"), 0);
	assert_int_equal(tmdb_get(ar, "/movie/550", NULL, 0, &m, err, sizeof(err)),
	                 APP_ERR_UNAVAILABLE);
	assert_null(m);
	assert_non_null(strstr(err, "503"));
	assert_int_equal(fake_tmdb_requests(&fake), 3); /* max_retries = 2 */
}

static void garbage_is_unprocessable(void **state)
{
	cJSON *m = NULL;

	(void)state;
	assert_int_equal(fake_tmdb_garbage(&fake, 1, "html"), 0);
	assert_int_equal(tmdb_get(ar, "/movie/550", NULL, 0, &m, err, sizeof(err)),
	                 APP_ERR_UNPROCESSABLE);
	assert_int_equal(fake_tmdb_garbage(&fake, 1, "json"), 0);
	assert_int_equal(tmdb_get(ar, "/movie/550", "x=1", 3600000, &m, err, sizeof(err)),
	                 APP_ERR_UNPROCESSABLE);
	/* not retried, and nothing bad was cached: the next call works */
	assert_int_equal(fake_tmdb_requests(&fake), 2);
	assert_int_equal(tmdb_get(ar, "/movie/550", "x=1", 3600000, &m, err, sizeof(err)), APP_OK);
	assert_string_equal(member(m, "title")->valuestring, "Fight Club");
}

static void not_found(void **state)
{
	cJSON *m = NULL;

	(void)state;
	assert_int_equal(tmdb_movie(ar, 1, &m, err, sizeof(err)), APP_ERR_NOT_FOUND);
	assert_int_equal(tmdb_movie(ar, 0, &m, err, sizeof(err)), APP_ERR_VALIDATION);
	assert_int_equal(fake_tmdb_requests(&fake), 1);
}

static void wrong_key_is_unauthorized(void **state)
{
	static const char wrong[] = "wrong-SECRET-key-42";
	cJSON *m = NULL;

	(void)state;
	configure(wrong, 1000, "1s", 2, NULL);
	assert_int_equal(tmdb_get(ar, "/movie/550", NULL, 0, &m, err, sizeof(err)),
	                 APP_ERR_UNAUTHORIZED);
	assert_null(strstr(err, wrong));
	assert_null(strstr(err, "api_key"));
	assert_int_equal(fake_tmdb_requests(&fake), 1); /* 401 is final */
	/* the transport errors do not carry it either */
	assert_int_equal(fake_tmdb_fail(&fake, 500, 5, -1, "/3/"), 0);
	configure(wrong, 1000, "1s", 0, NULL);
	assert_int_equal(tmdb_get(ar, "/movie/550", NULL, 0, &m, err, sizeof(err)),
	                 APP_ERR_UNAVAILABLE);
	assert_null(strstr(err, wrong));
}

static void no_key_sends_nothing(void **state)
{
	cJSON *m = NULL;
	struct buf b;
	unsigned long sent = tmdb_requests_sent();

	(void)state;
	buf_init(&b, 1 << 20);
	configure(NULL, 1000, "1s", 2, NULL);
	assert_false(tmdb_enabled());
	assert_int_equal(tmdb_movie(ar, 550, &m, err, sizeof(err)), APP_ERR_UNAVAILABLE);
	assert_int_equal(tmdb_search_movie(ar, "Fight Club", 0, &m, err, sizeof(err)),
	                 APP_ERR_UNAVAILABLE);
	assert_int_equal(tmdb_image("w500", "/a.jpg", &b, err, sizeof(err)), APP_ERR_UNAVAILABLE);
	assert_int_equal(tmdb_requests_sent(), sent);
	assert_int_equal(fake_tmdb_requests(&fake), 0);
	buf_release(&b);
}

struct burst {
	int thread;
	enum app_err e[3];
};

static void *burst_thread(void *p)
{
	struct burst *b = p;
	struct arena *a = arena_new(1 << 16, 64 << 20);
	char q[32], e[256];

	for (int i = 0; i < 3; i++) {
		cJSON *m = NULL;
		snprintf(q, sizeof(q), "t=%d&i=%d", b->thread, i);
		b->e[i] = tmdb_get(a, "/movie/550", q, 0, &m, e, sizeof(e));
	}
	arena_free(a);
	return NULL; /* the thread's handles go with the thread (key destructor) */
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* The times the fake saw, sorted; no window of window_ms may hold more than
 * rate of them. slack_ms allows for the time between the limiter's decision
 * (Redis clock) and the fake reading the request. */
static void assert_window(int rate, double window_ms, double slack_ms, int expect)
{
	cJSON *st = fake_tmdb_stats(&fake);
	const cJSON *t, *times = member(st, "times");
	double v[64];
	int n = 0;

	cJSON_ArrayForEach(t, times) if (n < 64) v[n++] = t->valuedouble;
	assert_int_equal(n, expect);
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	for (int i = 0; i + rate < n; i++) {
		if (v[i + rate] - v[i] < window_ms - slack_ms)
			fprintf(stderr, "requests %d and %d only %.0f ms apart\n", i, i + rate,
			        v[i + rate] - v[i]);
		assert_true(v[i + rate] - v[i] >= window_ms - slack_ms);
	}
	cJSON_Delete(st);
}

static void shared_rate_limit(void **state)
{
	struct burst b[2] = {{0, {0}}, {1, {0}}};
	pthread_t th[2];

	(void)state;
	configure(KEY, 3, "2s", 2, NULL);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, burst_thread, &b[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 3; j++)
			assert_int_equal(b[i].e[j], APP_OK);
	assert_window(3, 2000, 100, 6);
}

static void local_rate_limit_without_redis(void **state)
{
	cJSON *m = NULL;
	char q[16];

	(void)state;
	configure(KEY, 2, "1s", 0, "unix:///nonexistent/redis.sock");
	for (int i = 0; i < 5; i++) {
		snprintf(q, sizeof(q), "i=%d", i);
		assert_int_equal(tmdb_get(ar, "/movie/550", q, 60000, &m, err, sizeof(err)),
		                 APP_OK);
	}
	assert_window(2, 1000, 100, 5);
}

static void images(void **state)
{
	struct buf b;
	unsigned long sent = tmdb_requests_sent();

	(void)state;
	buf_init(&b, 21 << 20);
	assert_int_equal(
	    tmdb_image("w500", "/hZkgoQYus5vegHoetLkCJzb17zJ.jpg", &b, err, sizeof(err)), APP_OK);
	assert_true(b.len > 100);
	assert_memory_equal(b.data, "\xFF\xD8\xFF", 3);
	buf_reset(&b);
	assert_int_equal(tmdb_image("original", "/poster_1-x.png", &b, err, sizeof(err)), APP_OK);
	assert_memory_equal(b.data, "\x89PNG", 4);
	buf_reset(&b);
	/* an unknown size is the server's 404 */
	assert_int_equal(tmdb_image("w999", "/a.jpg", &b, err, sizeof(err)), APP_ERR_NOT_FOUND);
	/* an HTML page with 200 is not an image */
	assert_int_equal(fake_tmdb_garbage(&fake, 1, "html"), 0);
	assert_int_equal(tmdb_image("w500", "/a.jpg", &b, err, sizeof(err)), APP_ERR_UNPROCESSABLE);
	assert_int_equal(b.len, 0);
	assert_int_equal(fake_tmdb_requests(&fake), 4);
	assert_int_equal(tmdb_requests_sent(), sent + 4);
	/* refused before any request */
	static const char *const bad_paths[] = {"/../../etc/passwd.jpg",
	                                        "a.jpg",
	                                        "/a.gif",
	                                        "/a b.jpg",
	                                        "/a.jpg?x=1",
	                                        "/.jpg",
	                                        "/a%2f.jpg",
	                                        "//a.jpg",
	                                        NULL};
	for (int i = 0; bad_paths[i]; i++)
		assert_int_equal(tmdb_image("w500", bad_paths[i], &b, err, sizeof(err)),
		                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_image("W500", "/a.jpg", &b, err, sizeof(err)), APP_ERR_VALIDATION);
	assert_int_equal(tmdb_image("w500/../x", "/a.jpg", &b, err, sizeof(err)),
	                 APP_ERR_VALIDATION);
	assert_int_equal(tmdb_image("", "/a.jpg", &b, err, sizeof(err)), APP_ERR_VALIDATION);
	assert_int_equal(fake_tmdb_requests(&fake), 4);
	assert_int_equal(tmdb_requests_sent(), sent + 4);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(languages_are_validated, setup, teardown),
	    cmocka_unit_test_setup_teardown(movie_details_are_composed, setup, teardown),
	    cmocka_unit_test_setup_teardown(tv_season_and_find, setup, teardown),
	    cmocka_unit_test_setup_teardown(season_languages_and_episode_groups, setup, teardown),
	    cmocka_unit_test_setup_teardown(search_then_cache_hit, setup, teardown),
	    cmocka_unit_test_setup_teardown(retries_429_with_retry_after, setup, teardown),
	    cmocka_unit_test_setup_teardown(gives_up_after_max_retries, setup, teardown),
	    cmocka_unit_test_setup_teardown(garbage_is_unprocessable, setup, teardown),
	    cmocka_unit_test_setup_teardown(not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(wrong_key_is_unauthorized, setup, teardown),
	    cmocka_unit_test_setup_teardown(no_key_sends_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(shared_rate_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(local_rate_limit_without_redis, setup, teardown),
	    cmocka_unit_test_setup_teardown(images, setup, teardown),
	};
	char log[512];
	const char *stack = getenv("STACK_DIR");
	int rc;

	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	signal(SIGPIPE, SIG_IGN);
	snprintf(log, sizeof(log), "%s/log/fake_tmdb.log", stack ? stack : "/tmp");
	if (fake_tmdb_start(&fake, KEY, stack ? log : NULL)) {
		fprintf(stderr, "test_tmdb: the fake TMDb server did not start (%s)\n",
		        testenv_bin("tests/fake_tmdb"));
		return 1;
	}
	ar = arena_new(1 << 16, 256 << 20);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_free(ar);
	tmdb_thread_release();
	fake_tmdb_stop(&fake);
	return rc;
}
