/*
 * Readiness and start-up probes against real dependencies: a schema with
 * pending migrations, Redis going away and coming back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fcgi_client.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256];
static pid_t current = -1;

static void start(const char *db_url)
{
	testenv_write_config(conf, db_url, sock, "pool_size = 1\n");
	current = server_start(conf, sock, log_path);
	assert_true(current > 0);
}

static int teardown(void **state)
{
	(void)state;
	if (current > 0 && waitpid(current, NULL, WNOHANG) == 0) {
		kill(current, SIGKILL);
		waitpid(current, NULL, 0);
	}
	current = -1;
	return 0;
}

static int get_status(const char *uri, struct fcgi_response *res)
{
	assert_int_equal(fcgi_call(sock, "GET", uri, NULL, NULL, res), 0);
	return res->status;
}

static void pending_migrations_not_ready(void **state)
{
	struct fcgi_response res;

	(void)state;
	start(testenv_new_database("template0"));
	assert_int_equal(get_status("/readyz", &res), 503);
	assert_non_null(strstr(res.head, "application/problem+json"));
	assert_non_null(strstr(res.body, "\"migrations\":\"pending\""));
	assert_non_null(strstr(res.body, "\"database\":\"ok\""));
	assert_int_equal(get_status("/startupz", &res), 503);
	assert_int_equal(get_status("/healthz", &res), 200);
	assert_int_equal(server_stop(current, 5000), 0);
}

static void ready_follows_redis(void **state)
{
	struct fcgi_response res;
	int back = 0;

	(void)state;
	start(testenv_new_database(NULL));
	assert_int_equal(get_status("/readyz?verbose=true", &res), 200);
	assert_non_null(strstr(res.body, "\"status\":\"ready\""));
	assert_non_null(strstr(res.body, "\"pending_migrations\":0"));
	assert_int_equal(get_status("/startupz", &res), 200);

	assert_int_equal(testenv_stack("redis-stop"), 0);
	assert_int_equal(get_status("/readyz", &res), 503);
	assert_non_null(strstr(res.body, "\"redis\":\"unreachable\""));
	assert_non_null(strstr(res.body, "\"database\":\"ok\""));
	/* liveness does not depend on Redis, and start-up already happened */
	assert_int_equal(get_status("/healthz", &res), 200);
	assert_int_equal(get_status("/startupz", &res), 200);

	assert_int_equal(testenv_stack("redis-start"), 0);
	for (int i = 0; i < 50 && !back; i++) {
		back = get_status("/readyz", &res) == 200;
		if (!back)
			sleep_ms(100);
	}
	assert_true(back);
	assert_int_equal(server_stop(current, 5000), 0);
}

static void ready_follows_postgres(void **state)
{
	struct fcgi_response res;
	int back = 0;

	(void)state;
	start(testenv_new_database(NULL));
	assert_int_equal(get_status("/readyz", &res), 200);
	assert_int_equal(testenv_stack("pg-stop"), 0);
	assert_int_equal(get_status("/readyz", &res), 503);
	assert_non_null(strstr(res.body, "\"database\":\"unreachable\""));
	assert_int_equal(testenv_stack("pg-start"), 0);
	for (int i = 0; i < 50 && !back; i++) {
		back = get_status("/readyz", &res) == 200;
		if (!back)
			sleep_ms(100);
	}
	assert_true(back);
	assert_int_equal(server_stop(current, 5000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(pending_migrations_not_ready, teardown),
		cmocka_unit_test_teardown(ready_follows_redis, teardown),
		cmocka_unit_test_teardown(ready_follows_postgres, teardown),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-health-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-health-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_health.log", testenv_stack_dir());
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	return rc;
}
