#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "core/log.h"

static int pipefd[2];
static char out[65536];

static int setup(void **state)
{
	(void)state;
	if (pipe2(pipefd, O_NONBLOCK) < 0)
		return -1;
	log_set_request_id(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(pipefd[0]);
	close(pipefd[1]);
	log_setup(LL_INFO, LOG_FMT_JSON, 2);
	log_set_request_id(NULL);
	return 0;
}

/* Everything written since the last call, NUL-terminated. */
static size_t drain(void)
{
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(out) - 1 && (r = read(pipefd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	return n;
}

/* Exactly one line: one '\n', at the end. */
static void assert_one_line(size_t n)
{
	assert_true(n > 0);
	assert_int_equal(out[n - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_non_null(it);
	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

static void test_json_line(void **state)
{
	cJSON *o;
	const char *ts;
	size_t n;

	(void)state;
	log_setup(LL_INFO, LOG_FMT_JSON, pipefd[1]);
	log_set_request_id("req-123");
	log_info("http.request", "served %d bytes", 42);
	n = drain();
	assert_one_line(n);
	o = cJSON_Parse(out);
	assert_non_null(o);
	ts = jstr(o, "ts");
	/* 2026-11-26T10:00:00.123Z */
	assert_int_equal(strlen(ts), 24);
	assert_int_equal(ts[10], 'T');
	assert_int_equal(ts[19], '.');
	assert_int_equal(ts[23], 'Z');
	assert_string_equal(jstr(o, "level"), "info");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "pid")));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(o, "pid")->valueint, getpid());
	assert_string_equal(jstr(o, "request_id"), "req-123");
	assert_string_equal(jstr(o, "event"), "http.request");
	assert_string_equal(jstr(o, "msg"), "served 42 bytes");
	cJSON_Delete(o);

	/* without a request id the key is absent */
	log_set_request_id(NULL);
	assert_string_equal(log_request_id(), "");
	log_info("x", NULL);
	drain();
	o = cJSON_Parse(out);
	assert_non_null(o);
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "request_id"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "msg"));
	cJSON_Delete(o);
}

static void test_json_escaping(void **state)
{
	static const char evil[] = "a\nb\r\"c\\\x1b[31m\x01\x7f \xc2\x85 \xff end";
	struct log_field f[] = {{"path", evil}, {"nothing", NULL}};
	cJSON *o;
	size_t n;

	(void)state;
	log_setup(LL_DEBUG, LOG_FMT_JSON, pipefd[1]);
	log_fields(LL_WARN, "evt", evil, f, 2);
	n = drain();
	assert_one_line(n);
	assert_null(memchr(out, '\x1b', n));
	assert_null(memchr(out, '\r', n));
	assert_null(memchr(out, '\x01', n));
	assert_null(memchr(out, '\x7f', n));
	assert_null(strstr(out, "\xc2\x85"));        /* C1 NEL escaped */
	assert_null(memchr(out, 0xff, strlen(out))); /* invalid UTF-8 replaced */
	assert_non_null(strstr(out, "\\u001b"));
	assert_non_null(strstr(out, "\\u0085"));
	o = cJSON_Parse(out);
	assert_non_null(o);
	assert_string_equal(jstr(o, "level"), "warn");
	/* everything but the bad byte survives the round trip */
	assert_string_equal(jstr(o, "msg"),
	                    "a\nb\r\"c\\\x1b[31m\x01\x7f \xc2\x85 \xef\xbf\xbd end");
	assert_string_equal(jstr(o, "path"), jstr(o, "msg"));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "nothing")));
	cJSON_Delete(o);
}

static void test_logfmt(void **state)
{
	struct log_field f[] = {
	    {"route", "/items"}, {"empty", ""}, {"none", NULL}, {"bad key", "v"}};
	size_t n;

	(void)state;
	log_setup(LL_INFO, LOG_FMT_LOGFMT, pipefd[1]);
	log_set_request_id("r1");
	log_fields(LL_ERROR, "db.fail", "a\nb \"q\" \x1b[0m\xff", f, 4);
	n = drain();
	assert_one_line(n);
	assert_null(memchr(out, '\x1b', n));
	assert_null(memchr(out, 0xff, strlen(out)));
	assert_memory_equal(out, "ts=", 3);
	assert_non_null(strstr(out, " level=error pid="));
	assert_non_null(strstr(out, " request_id=r1 event=db.fail "));
	assert_non_null(strstr(out, " msg=\"a\\nb \\\"q\\\" \\x1b[0m\\xff\""));
	assert_non_null(strstr(out, " route=/items"));
	assert_non_null(strstr(out, " empty=\"\""));
	assert_non_null(strstr(out, " none= "));
	assert_non_null(strstr(out, " bad_key=v\n"));
}

static void test_level_filter(void **state)
{
	int calls = 0;

	(void)state;
	log_setup(LL_WARN, LOG_FMT_JSON, pipefd[1]);
	assert_false(log_enabled(LL_INFO));
	assert_true(log_enabled(LL_ERROR));
	log_info("quiet", "x");
	log_fields(LL_DEBUG, "quiet", "y", NULL, 0);
	/* log_debug does not even evaluate its arguments below the level */
	log_debug("quiet", "%d", ++calls);
	assert_int_equal(calls, 0);
	assert_int_equal(drain(), 0);
	log_warn("loud", "z");
	assert_one_line(drain());
	log_setup(LL_DEBUG, LOG_FMT_JSON, pipefd[1]);
	log_debug("now", "%d", ++calls);
	assert_int_equal(calls, 1);
	assert_one_line(drain());
}

static void test_overlong_is_truncated(void **state)
{
	size_t big = 40000, n;
	char *v = malloc(big + 1);
	struct log_field f[] = {{"a", v}, {"dropped", "x"}};
	cJSON *o;
	const char *msg;

	(void)state;
	memset(v, 'v', big);
	v[big] = '\0';
	v[100] = '\n'; /* escapes near the cut must not break the line */
	log_setup(LL_INFO, LOG_FMT_JSON, pipefd[1]);
	log_fields(LL_INFO, "big", v, f, 2);
	n = drain();
	assert_one_line(n);
	assert_true(n <= 16384);
	assert_true(n > 16000);
	o = cJSON_Parse(out);
	assert_non_null(o);
	msg = jstr(o, "msg");
	assert_string_equal(msg + strlen(msg) - 3, "...");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "dropped"));
	cJSON_Delete(o);

	/* a printf message past its own cap is cut too */
	log_info("big", "%s", v);
	n = drain();
	assert_one_line(n);
	o = cJSON_Parse(out);
	assert_non_null(o);
	assert_true(strlen(jstr(o, "msg")) < 8192);
	cJSON_Delete(o);
	free(v);
}

static void test_request_id_truncated(void **state)
{
	char rid[300];

	(void)state;
	memset(rid, 'r', sizeof(rid) - 1);
	rid[sizeof(rid) - 1] = '\0';
	log_set_request_id(rid);
	assert_int_equal(strlen(log_request_id()), 128);
	log_set_request_id(NULL);
	assert_string_equal(log_request_id(), "");
}

static void test_parse_names(void **state)
{
	(void)state;
	assert_int_equal(log_level_parse("debug"), LL_DEBUG);
	assert_int_equal(log_level_parse("warn"), LL_WARN);
	assert_int_equal(log_level_parse("error"), LL_ERROR);
	assert_int_equal(log_level_parse("warning"), -1);
	assert_int_equal(log_level_parse(NULL), -1);
	assert_int_equal(log_format_parse("logfmt"), LOG_FMT_LOGFMT);
	assert_int_equal(log_format_parse("json"), LOG_FMT_JSON);
	assert_int_equal(log_format_parse("xml"), -1);
	assert_string_equal(log_level_name(LL_INFO), "info");
}

static void test_errno_preserved(void **state)
{
	(void)state;
	log_setup(LL_INFO, LOG_FMT_JSON, -1); /* the write fails with EBADF */
	errno = ENOENT;
	log_error("x", "y");
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_json_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_escaping, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_logfmt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_level_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlong_is_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_id_truncated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_parse_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errno_preserved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
