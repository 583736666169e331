#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/log.h"

static char *const noenv[] = {NULL};

/* Load text (NULL: none) with env; returns the error and leaves the message in *msg. */
static enum app_err load(struct config *c, const char *text, char *const *env, struct buf *msg)
{
	buf_init(msg, 4096);
	return config_load_text(c, text, text ? strlen(text) : 0, "t.conf", env, msg);
}

/* Expect a failure whose message is exactly want. */
static void expect_error(const char *text, char *const *env, const char *want)
{
	struct config c;
	struct buf msg;

	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(load(&c, text, env, &msg), APP_ERR_VALIDATION);
	assert_string_equal(msg.data, want);
	/* left released: nothing to free, and safe to release again */
	assert_null(c.server_socket);
	assert_null(c.database_url);
	config_release(&c);
	buf_release(&msg);
}

static void load_ok(struct config *c, const char *text, char *const *env)
{
	struct buf msg;
	enum app_err e = load(c, text, env, &msg);

	if (e)
		fail_msg("unexpected error: %s", msg.data);
	buf_release(&msg);
}

static void test_defaults(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, NULL, noenv);
	assert_string_equal(c.server_socket, "/run/revenge/fcgi.sock");
	assert_int_equal(c.server_socket_mode, 0660);
	assert_int_equal(c.server_backlog, 128);
	assert_int_equal(c.server_pool_size, 4);
	assert_int_equal(c.server_max_requests, 10000);
	assert_int_equal(c.server_drain_timeout, 10000);
	assert_int_equal(c.server_max_body_size, 1024 * 1024);
	assert_int_equal(c.server_request_memory, 16 * 1024 * 1024);
	assert_string_equal(c.database_url, "postgresql:///revenge");
	assert_int_equal(c.database_connect_timeout, 5000);
	assert_int_equal(c.database_statement_timeout, 30000);
	assert_string_equal(c.redis_url, "redis://127.0.0.1:6379/0");
	assert_int_equal(c.redis_timeout, 500);
	assert_string_equal(c.redis_prefix, "revenge:");
	assert_int_equal(c.log_level, LL_INFO);
	assert_int_equal(c.log_format, LOG_FMT_JSON);
	assert_true(c.metrics_enabled);
	assert_int_equal(c.worker_shutdown_timeout, 30000);
	config_release(&c);
	config_release(&c); /* idempotent */
}

static void test_key_table(void **state)
{
	const struct config_key *k;
	size_t n, i, j;

	(void)state;
	k = config_keys(&n);
	assert_true(n >= 18); /* grows with features; uniqueness and docs are checked below */
	for (i = 0; i < n; i++) {
		assert_non_null(k[i].doc);
		assert_true(strlen(k[i].doc) > 0);
		for (j = i + 1; j < n; j++)
			assert_false(strcmp(k[i].section, k[j].section) == 0 &&
			             strcmp(k[i].name, k[j].name) == 0);
		if (k[i].type == CFG_ENUM && strcmp(k[i].name, "level") == 0)
			for (j = 0; k[i].choices[j]; j++)
				assert_int_equal(log_level_parse(k[i].choices[j]), (int)j);
		if (k[i].type == CFG_ENUM && strcmp(k[i].name, "format") == 0)
			for (j = 0; k[i].choices[j]; j++)
				assert_int_equal(log_format_parse(k[i].choices[j]), (int)j);
	}
}

static void test_file_syntax(void **state)
{
	static const char text[] = "# a comment\n"
	                           "; another\n"
	                           "\n"
	                           "[server]\r\n"
	                           "  pool_size   =   8   \n"
	                           "socket = \"/tmp/a b#c.sock\"  # trailing comment\n"
	                           "backlog = 64 ; inline comment\n"
	                           "pool_size = 9\n" /* later wins */
	                           "[ redis ]\n"
	                           "prefix = app#1:\n" /* '#' not after a blank is data */
	                           "url = \"redis://:p\\\"w\\\\d@h/1\"\n"
	                           "[log]\n"
	                           "level = WARN\n"
	                           "format=logfmt\n"
	                           "[metrics]\n"
	                           "enabled = off\n"
	                           "[server]\n" /* a section may come back */
	                           "socket_mode = 600\n";
	struct config c;

	(void)state;
	load_ok(&c, text, noenv);
	assert_int_equal(c.server_pool_size, 9);
	assert_string_equal(c.server_socket, "/tmp/a b#c.sock");
	assert_int_equal(c.server_backlog, 64);
	assert_string_equal(c.redis_prefix, "app#1:");
	assert_string_equal(c.redis_url, "redis://:p\"w\\d@h/1");
	assert_int_equal(c.log_level, LL_WARN);
	assert_int_equal(c.log_format, LOG_FMT_LOGFMT);
	assert_false(c.metrics_enabled);
	assert_int_equal(c.server_socket_mode, 0600);
	/* untouched keys keep their defaults */
	assert_int_equal(c.server_max_requests, 10000);
	config_release(&c);
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
	static const char *const no[] = {"false", "no", "off", "0", "Off"};
	char text[64];
	struct config c;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "[metrics]\nenabled = %s\n", yes[i]);
		load_ok(&c, text, noenv);
		assert_true(c.metrics_enabled);
		config_release(&c);
	}
	for (i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "[metrics]\nenabled = %s\n", no[i]);
		load_ok(&c, text, noenv);
		assert_false(c.metrics_enabled);
		config_release(&c);
	}
	expect_error("[metrics]\nenabled = maybe\n", noenv,
	             "metrics.enabled: must be one of true, false, yes, no, on, off, 1, 0 "
	             "(got \"maybe\", t.conf:2)");
}

static void test_sizes_and_durations(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c,
	        "[server]\nmax_body_size = 4096\nrequest_memory = 1g\ndrain_timeout = 250ms\n"
	        "[database]\nconnect_timeout = 2m\nstatement_timeout = 7\n"
	        "[worker]\nshutdown_timeout = 1h\n[redis]\ntimeout=10ms\n",
	        noenv);
	assert_int_equal(c.server_max_body_size, 4096);
	assert_int_equal(c.server_request_memory, 1024LL * 1024 * 1024);
	assert_int_equal(c.server_drain_timeout, 250);
	assert_int_equal(c.database_connect_timeout, 120000);
	assert_int_equal(c.database_statement_timeout, 7000); /* bare = seconds */
	assert_int_equal(c.worker_shutdown_timeout, 3600000);
	assert_int_equal(c.redis_timeout, 10);
	config_release(&c);

	load_ok(&c, "[server]\nmax_body_size = 64K\nrequest_memory=2M\n", noenv);
	assert_int_equal(c.server_max_body_size, 65536);
	assert_int_equal(c.server_request_memory, 2 * 1024 * 1024);
	config_release(&c);

	expect_error("[server]\nmax_body_size = 2g\n", noenv,
	             "server.max_body_size: must be between 1k and 1g (got \"2g\", t.conf:2)");
	expect_error("[server]\nmax_body_size = 1023\n", noenv,
	             "server.max_body_size: must be between 1k and 1g (got \"1023\", t.conf:2)");
	expect_error("[server]\nmax_body_size = 1x\n", noenv,
	             "server.max_body_size: must be a size such as 4096, 512k, 16m or 1g "
	             "(got \"1x\", t.conf:2)");
	expect_error("[server]\nmax_body_size = -1k\n", noenv,
	             "server.max_body_size: must be a size such as 4096, 512k, 16m or 1g "
	             "(got \"-1k\", t.conf:2)");
	/* overflow while scaling is a range error, not a wrap-around */
	expect_error("[server]\nmax_body_size = 99999999999999g\n", noenv,
	             "server.max_body_size: must be between 1k and 1g "
	             "(got \"99999999999999g\", t.conf:2)");
	expect_error("[server]\ndrain_timeout = 99999999999999999999999h\n", noenv,
	             "server.drain_timeout: must be between 0ms and 1h "
	             "(got \"99999999999999999999999h\", t.conf:2)");
	expect_error("[database]\nconnect_timeout = 999ms\n", noenv,
	             "database.connect_timeout: must be between 1s and 5m (got \"999ms\", "
	             "t.conf:2)");
	expect_error("[redis]\ntimeout = 1.5s\n", noenv,
	             "redis.timeout: must be a duration such as 500ms, 30s, 5m or 1h "
	             "(got \"1.5s\", t.conf:2)");
	expect_error("[redis]\ntimeout = ms\n", noenv,
	             "redis.timeout: must be a duration such as 500ms, 30s, 5m or 1h "
	             "(got \"ms\", t.conf:2)");
}

static void test_ints_octal_enum(void **state)
{
	struct config c;

	(void)state;
	load_ok(&c, "[server]\nmax_requests = +0\nbacklog=65535\n", noenv);
	assert_int_equal(c.server_max_requests, 0);
	assert_int_equal(c.server_backlog, 65535);
	config_release(&c);

	expect_error("[server]\nbacklog = 1\npool_size = 0\n", noenv,
	             "server.pool_size: must be between 1 and 1024 (got \"0\", t.conf:3)");
	expect_error("[server]\npool_size = -5\n", noenv,
	             "server.pool_size: must be between 1 and 1024 (got \"-5\", t.conf:2)");
	expect_error("[server]\npool_size = 4x\n", noenv,
	             "server.pool_size: must be an integer (got \"4x\", t.conf:2)");
	expect_error("[server]\npool_size = 0x10\n", noenv,
	             "server.pool_size: must be an integer (got \"0x10\", t.conf:2)");
	expect_error("[server]\npool_size =\n", noenv,
	             "server.pool_size: must be an integer (got \"\", t.conf:2)");
	expect_error("[server]\nmax_requests = 99999999999999999999\n", noenv,
	             "server.max_requests: must be between 0 and 1000000000 "
	             "(got \"99999999999999999999\", t.conf:2)");
	expect_error("[server]\nsocket_mode = 0999\n", noenv,
	             "server.socket_mode: must be an octal mode such as 0660 (got \"0999\", "
	             "t.conf:2)");
	expect_error("[server]\nsocket_mode = 01000\n", noenv,
	             "server.socket_mode: must be between 0 and 0777 (got \"01000\", t.conf:2)");
	expect_error("[log]\nlevel = verbose\n", noenv,
	             "log.level: must be one of debug, info, warn, error (got \"verbose\", "
	             "t.conf:2)");
}

static void test_strings(void **state)
{
	(void)state;
	expect_error("[redis]\nprefix = \"\"\n", noenv,
	             "redis.prefix: must not be empty (got \"\", t.conf:2)");
	expect_error("[redis]\nprefix = a\tb\n", noenv,
	             "redis.prefix: must not contain control characters (got \"a\\tb\", t.conf:2)");
	expect_error("[redis]\nprefix = \"abc\n", noenv,
	             "syntax error: missing closing quote (t.conf:2)");
	expect_error("[redis]\nprefix = \"a\\nb\"\n", noenv,
	             "syntax error: only \\\" and \\\\ may follow a backslash (t.conf:2)");
	expect_error("[redis]\nprefix = \"a\" b\n", noenv,
	             "syntax error: text after the closing quote (t.conf:2)");

	/* 2048 bytes load; one more is refused, so a dump always reloads */
	char text[2200];
	struct config c;
	struct buf msg;
	int n = snprintf(text, sizeof(text), "[redis]\nprefix = ");
	memset(text + n, 'p', 2048);
	text[n + 2048] = '\0';
	load_ok(&c, text, noenv);
	assert_int_equal(strlen(c.redis_prefix), 2048);
	config_release(&c);
	text[n + 2048] = 'p';
	text[n + 2049] = '\0';
	assert_int_equal(load(&c, text, noenv, &msg), APP_ERR_VALIDATION);
	assert_non_null(strstr(msg.data, "redis.prefix: must be at most 2048 bytes"));
	buf_release(&msg);
}

static void test_structure_errors(void **state)
{
	static const char nul_text[] = "[server]\npool_size = 1\0\n";
	struct config c;
	struct buf msg;

	(void)state;
	expect_error("# x\n[server]\npool = 3\n", noenv, "unknown key server.pool (t.conf:3)");
	expect_error("[servre]\n", noenv, "unknown section [servre] (t.conf:1)");
	expect_error("\xef\xbb\xbf[server]\nx=1\n", noenv, "unknown key server.x (t.conf:2)");
	expect_error("[server\n", noenv, "syntax error: expected [section] (t.conf:1)");
	expect_error("pool_size = 3\n", noenv, "key pool_size before any [section] (t.conf:1)");
	expect_error("[server]\n\njunk\n", noenv, "syntax error: expected key = value (t.conf:3)");
	/* the key is one of another section's */
	expect_error("[redis]\npool_size = 3\n", noenv, "unknown key redis.pool_size (t.conf:2)");
	/* names from input are shown printable */
	expect_error("[server]\npo\x1bol = 1\n", noenv, "unknown key server.po?ol (t.conf:2)");

	buf_init(&msg, 4096);
	assert_int_equal(
	    config_load_text(&c, nul_text, sizeof(nul_text) - 1, "t.conf", noenv, &msg),
	    APP_ERR_VALIDATION);
	assert_string_equal(msg.data, "syntax error: NUL byte (t.conf:2)");
	buf_release(&msg);
}

static void test_env(void **state)
{
	char *env[] = {"PATH=/bin",
	               "REVENGE_SERVER_POOL_SIZE=16",
	               "REVENGE_CONFIG=/elsewhere.conf",
	               "REVENGE_LOG_LEVEL=debug",
	               "REVENGE_DATABASE_URL=postgresql://u@h/db",
	               "revenge_server_pool=lowercase is not ours",
	               NULL};
	struct config c;

	(void)state;
	/* the environment wins over the file */
	load_ok(&c, "[server]\npool_size = 8\nbacklog = 10\n", env);
	assert_int_equal(c.server_pool_size, 16);
	assert_int_equal(c.server_backlog, 10);
	assert_int_equal(c.log_level, LL_DEBUG);
	assert_string_equal(c.database_url, "postgresql://u@h/db");
	config_release(&c);

	assert_string_equal(config_path_from_env(env), "/elsewhere.conf");
	assert_null(config_path_from_env(noenv));
	assert_null(config_path_from_env(NULL));
	{
		char *empty[] = {"REVENGE_CONFIG=", NULL};

		assert_null(config_path_from_env(empty));
	}
}

static void test_env_errors(void **state)
{
	char *unknown[] = {"REVENGE_SERVER_POOL=3", NULL};
	char *prefix_only[] = {"REVENGE_SERVER=3", NULL};
	char *bad[] = {"REVENGE_SERVER_POOL_SIZE=0", NULL};
	char *secret[] = {"REVENGE_REDIS_URL=redis://:hunter2@h\x01", NULL};

	(void)state;
	expect_error(NULL, unknown, "REVENGE_SERVER_POOL: unknown key");
	expect_error(NULL, prefix_only, "REVENGE_SERVER: unknown key");
	expect_error("[server]\npool_size = 8\n", bad,
	             "server.pool_size: must be between 1 and 1024 (got \"0\", "
	             "REVENGE_SERVER_POOL_SIZE)");
	/* a secret's value is never echoed */
	expect_error(NULL, secret,
	             "redis.url: must not contain control characters (REVENGE_REDIS_URL)");
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct config c;
	struct buf msg;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[server]\npool = 1\n", 18), 18);
	close(fd);

	buf_init(&msg, 4096);
	assert_int_equal(config_load(&c, path, noenv, &msg), APP_ERR_VALIDATION);
	assert_non_null(strstr(msg.data, "unknown key server.pool ("));
	assert_non_null(strstr(msg.data, path));
	assert_non_null(strstr(msg.data, ":2)"));
	buf_reset(&msg);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[server]\npool_size = 12\n", 24), 24);
	close(fd);
	assert_int_equal(config_load(&c, path, noenv, &msg), APP_OK);
	assert_int_equal(c.server_pool_size, 12);
	config_release(&c);
	unlink(path);

	/* an explicit path that cannot be read is an error */
	assert_int_equal(config_load(&c, path, noenv, &msg), APP_ERR_VALIDATION);
	assert_non_null(strstr(msg.data, "cannot read"));
	buf_release(&msg);
}

static void test_dump_masks_and_reloads(void **state)
{
	static const char text[] = "[server]\nsocket = \"/tmp/we\\\"ird\\\\.sock\"\n"
	                           "socket_mode = 0640\nmax_body_size = 3000\n"
	                           "drain_timeout = 1500ms\nrequest_memory = 65m\n"
	                           "[database]\nurl = \"postgresql://u:topsecret@h/db\"\n"
	                           "[redis]\nurl = redis://:alsosecret@h/0\ntimeout = 45s\n"
	                           "[log]\nformat = logfmt\nlevel = error\n"
	                           "[metrics]\nenabled = no\n";
	struct config a, b;
	struct buf dump, msg;

	(void)state;
	load_ok(&a, text, noenv);
	buf_init(&dump, 1 << 16);
	config_dump(&a, &dump);
	assert_true(buf_ok(&dump));
	assert_null(strstr(dump.data, "topsecret"));
	assert_null(strstr(dump.data, "alsosecret"));
	assert_non_null(strstr(dump.data, "url = \"********\""));
	assert_non_null(strstr(dump.data, "socket_mode = 0640\n"));
	assert_non_null(strstr(dump.data, "request_memory = 65m\n"));
	assert_non_null(strstr(dump.data, "drain_timeout = 1500ms\n"));
	assert_non_null(strstr(dump.data, "timeout = 45s\n"));

	buf_init(&msg, 4096);
	if (config_load_text(&b, dump.data, dump.len, "dump", noenv, &msg))
		fail_msg("dump does not load: %s", msg.data);
	assert_string_equal(b.server_socket, a.server_socket);
	assert_int_equal(b.server_socket_mode, a.server_socket_mode);
	assert_int_equal(b.server_backlog, a.server_backlog);
	assert_int_equal(b.server_pool_size, a.server_pool_size);
	assert_int_equal(b.server_max_requests, a.server_max_requests);
	assert_int_equal(b.server_drain_timeout, a.server_drain_timeout);
	assert_int_equal(b.server_max_body_size, a.server_max_body_size);
	assert_int_equal(b.server_request_memory, a.server_request_memory);
	assert_string_equal(b.database_url, "********");
	assert_int_equal(b.database_connect_timeout, a.database_connect_timeout);
	assert_int_equal(b.database_statement_timeout, a.database_statement_timeout);
	assert_string_equal(b.redis_url, "********");
	assert_int_equal(b.redis_timeout, a.redis_timeout);
	assert_string_equal(b.redis_prefix, a.redis_prefix);
	assert_int_equal(b.log_level, a.log_level);
	assert_int_equal(b.log_format, a.log_format);
	assert_int_equal(b.metrics_enabled, a.metrics_enabled);
	assert_int_equal(b.worker_shutdown_timeout, a.worker_shutdown_timeout);

	/* the dump of the reloaded config is the same text */
	{
		struct buf again;

		buf_init(&again, 1 << 16);
		config_dump(&b, &again);
		assert_string_equal(again.data, dump.data);
		buf_release(&again);
	}
	config_release(&a);
	config_release(&b);
	buf_release(&dump);
	buf_release(&msg);
}

/* A string key whose default is "" (tmdb.api_key) is NULL until given; the
 * environment sets it and config_dump() masks it like any other secret. */
static void test_tmdb_api_key(void **state)
{
	char *env[] = {"REVENGE_TMDB_API_KEY=0123456789abcdeftopsecret", NULL};
	struct config c;
	struct buf dump;

	(void)state;
	load_ok(&c, NULL, noenv);
	assert_null(c.tmdb_api_key);
	buf_init(&dump, 1 << 16);
	config_dump(&c, &dump);
	assert_true(buf_ok(&dump));
	assert_non_null(strstr(dump.data, "# api_key is unset\n"));
	buf_release(&dump);
	config_release(&c);

	load_ok(&c, NULL, env);
	assert_non_null(c.tmdb_api_key);
	assert_string_equal(c.tmdb_api_key, "0123456789abcdeftopsecret");
	buf_init(&dump, 1 << 16);
	config_dump(&c, &dump);
	assert_true(buf_ok(&dump));
	assert_null(strstr(dump.data, "topsecret"));
	assert_non_null(strstr(dump.data, "[tmdb]\n"));
	assert_non_null(strstr(strstr(dump.data, "[tmdb]\n"), "\napi_key = \"********\"\n"));
	buf_release(&dump);
	config_release(&c);

	/* the file sets it too, and the environment wins over the file */
	load_ok(&c, "[tmdb]\napi_key = fromfile\n", noenv);
	assert_string_equal(c.tmdb_api_key, "fromfile");
	config_release(&c);
	load_ok(&c, "[tmdb]\napi_key = fromfile\n", env);
	assert_string_equal(c.tmdb_api_key, "0123456789abcdeftopsecret");
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_key_table),
	    cmocka_unit_test(test_file_syntax),
	    cmocka_unit_test(test_bools),
	    cmocka_unit_test(test_sizes_and_durations),
	    cmocka_unit_test(test_ints_octal_enum),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_structure_errors),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test(test_env_errors),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_dump_masks_and_reloads),
	    cmocka_unit_test(test_tmdb_api_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
