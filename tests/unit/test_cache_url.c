/*
 * Redis URL parsing (the only part of the cache that needs no server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cache/cache.h"

static void tcp_urls(void **state)
{
	struct cache_url u;

	(void)state;
	assert_int_equal(cache_url_parse("redis://127.0.0.1:6380/2", &u), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 2);
	assert_null(u.password);
	assert_null(u.path);
	cache_url_release(&u);

	assert_int_equal(cache_url_parse("redis://:s3cret@cache.local", &u), 0);
	assert_string_equal(u.host, "cache.local");
	assert_int_equal(u.port, 6379);
	assert_string_equal(u.password, "s3cret");
	assert_int_equal(u.db, 0);
	cache_url_release(&u);

	assert_int_equal(cache_url_parse("redis://user:pw@h:1/", &u), 0);
	assert_string_equal(u.password, "pw");
	cache_url_release(&u);
}

static void unix_urls(void **state)
{
	struct cache_url u;

	(void)state;
	assert_int_equal(cache_url_parse("unix:///run/redis/redis.sock", &u), 0);
	assert_string_equal(u.path, "/run/redis/redis.sock");
	assert_null(u.host);
	cache_url_release(&u);
	assert_int_equal(cache_url_parse("unix:///tmp/r.sock?db=3", &u), 0);
	assert_string_equal(u.path, "/tmp/r.sock");
	assert_int_equal(u.db, 3);
	cache_url_release(&u);
}

static void bad_urls(void **state)
{
	struct cache_url u;
	const char *bad[] = {"",
			     "http://h:6379",
			     "redis://",
			     "redis://h:0",
			     "redis://h:65536",
			     "redis://h:port",
			     "redis://h:6379/x",
			     "redis://h/99999",
			     "unix://relative.sock",
			     "unix:///tmp/r.sock?database=1",
			     "unix:///tmp/r.sock?db=-1",
			     NULL};

	(void)state;
	for (int i = 0; bad[i]; i++) {
		if (cache_url_parse(bad[i], &u) == 0)
			fail_msg("accepted a bad Redis URL: \"%s\"", bad[i]);
	}
	assert_null(cache_new("nonsense", 100, "p:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_urls),
		cmocka_unit_test(unix_urls),
		cmocka_unit_test(bad_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
