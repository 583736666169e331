/*
 * The Redis client against the real server: commands, the guarded write
 * that keeps caches from being refilled with data older than an
 * invalidation, and the fast failure and recovery around an outage.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cache/cache.h"
#include "core/log.h"
#include "core/text.h"
#include "server.h"
#include "testenv.h"

static struct cache *c;

static const char *get(const char *key, char *out, size_t cap)
{
	const char *argv[] = {"GET", key};
	redisReply *r = NULL;

	out[0] = '\0';
	if (cache_cmd(c, NULL, &r, 2, argv, NULL))
		return NULL;
	if (r->type == REDIS_REPLY_STRING)
		snprintf(out, cap, "%s", r->str);
	freeReplyObject(r);
	return out;
}

static void cmd(const char *a, const char *b)
{
	const char *argv[] = {a, b};
	assert_int_equal(cache_cmd(c, NULL, NULL, 2, argv, NULL), APP_OK);
}

static void guarded_write(void **state)
{
	char v[64];
	int stored = -1;

	(void)state;
	cmd("DEL", "t:gen");
	cmd("DEL", "t:val");
	/* a missing guard reads as "0" */
	assert_int_equal(cache_set_guarded(c, "t:gen", "0", "t:val", "first", 5000, &stored), APP_OK);
	assert_int_equal(stored, 1);
	assert_string_equal(get("t:val", v, sizeof(v)), "first");
	/* an invalidation between reading the guard and writing: refused */
	cmd("INCR", "t:gen");
	assert_int_equal(cache_set_guarded(c, "t:gen", "0", "t:val", "stale", 5000, &stored), APP_OK);
	assert_int_equal(stored, 0);
	assert_string_equal(get("t:val", v, sizeof(v)), "first");
	/* with the current guard it goes through, and expires */
	assert_int_equal(cache_set_guarded(c, "t:gen", "1", "t:val", "fresh", 200, &stored), APP_OK);
	assert_int_equal(stored, 1);
	assert_string_equal(get("t:val", v, sizeof(v)), "fresh");
	sleep_ms(300);
	assert_string_equal(get("t:val", v, sizeof(v)), "");
}

static void outage_fails_fast_and_recovers(void **state)
{
	char v[64];
	int64_t t0;

	(void)state;
	assert_int_equal(testenv_stack("redis-stop"), 0);
	t0 = now_mono_us();
	assert_int_equal(cache_ping(c), APP_ERR_CACHE);
	/* inside the back-off no connection is even attempted */
	assert_int_equal(cache_ping(c), APP_ERR_CACHE);
	assert_false(cache_up(c));
	assert_true(now_mono_us() - t0 < 600000);
	assert_int_equal(testenv_stack("redis-start"), 0);
	sleep_ms(1100);
	assert_int_equal(cache_ping(c), APP_OK);
	/* a restart empties the instance (no persistence): nothing stale survives */
	assert_string_equal(get("t:val", v, sizeof(v)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guarded_write),
		cmocka_unit_test(outage_fails_fast_and_recovers),
	};
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	/* as in every Revenge process: a write to a closed socket is an error
	 * return, not a signal */
	signal(SIGPIPE, SIG_IGN);
	c = cache_new(testenv_redis_url(), 500, "test:");
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	cache_free(c);
	return rc;
}
