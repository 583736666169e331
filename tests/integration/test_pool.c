/*
 * The FastCGI pool end to end over its socket (no nginx): routing and
 * problem+json, request ids, keep-alive connections, recycling, crash
 * replacement, SIGHUP reload and SIGTERM draining.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
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
static const char *db_url;

static void write_conf(const char *server_extra)
{
	testenv_write_config(conf, db_url, sock, server_extra);
}

static pid_t current = -1; /* the master of the running test, for teardown */

static pid_t start(const char *server_extra)
{
	write_conf(server_extra);
	current = server_start(conf, sock, log_path);
	assert_true(current > 0);
	return current;
}

/* A failed assertion must not leave a master behind for the next test. */
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

static void get(const char *uri, struct fcgi_response *res)
{
	assert_int_equal(fcgi_call(sock, "GET", uri, NULL, NULL, res), 0);
}

/* Value of a sample line "NAME{labels} VALUE" in /metrics (0 when absent). */
static long metric(const char *name_and_labels)
{
	struct fcgi_response res;
	char needle[256];
	const char *p;

	get("/metrics", &res);
	assert_int_equal(res.status, 200);
	snprintf(needle, sizeof(needle), "\n%s ", name_and_labels);
	p = strstr(res.body, needle);
	return p ? strtol(p + strlen(needle), NULL, 10) : 0;
}

static void routes_and_problems(void **state)
{
	struct fcgi_response res;
	const char *rid[] = {"HTTP_X_REQUEST_ID=req-42.a", NULL};
	const char *bad_rid[] = {"HTTP_X_REQUEST_ID=has space", NULL};
	pid_t pid = start("pool_size = 2\n");

	(void)state;
	get("/healthz", &res);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.body, "{\"status\":\"ok\"}");
	assert_non_null(strstr(res.head, "Content-Type: application/json"));

	assert_int_equal(fcgi_call(sock, "GET", "/healthz", rid, NULL, &res), 0);
	assert_non_null(strstr(res.head, "X-Request-ID: req-42.a\r"));

	/* an id that is not a safe token is replaced by a generated one */
	assert_int_equal(fcgi_call(sock, "GET", "/nope", bad_rid, NULL, &res), 0);
	assert_null(strstr(res.head, "has space"));
	assert_int_equal(res.status, 404);
	assert_non_null(strstr(res.head, "application/problem+json"));
	assert_non_null(strstr(res.body, "\"status\":404"));
	assert_non_null(strstr(res.body, "\"instance\":\"/nope\""));
	const char *hdr = strstr(res.head, "X-Request-ID: ");
	assert_non_null(hdr);
	char id[40] = {0};
	sscanf(hdr + 14, "%32[0-9a-f]", id);
	assert_int_equal(strlen(id), 32);
	char want[64];
	snprintf(want, sizeof(want), "\"request_id\":\"%s\"", id);
	assert_non_null(strstr(res.body, want));

	assert_int_equal(fcgi_call(sock, "POST", "/healthz", NULL, "{}", &res), 0);
	assert_int_equal(res.status, 405);
	assert_non_null(strstr(res.head, "Allow: GET, HEAD"));

	/* a method no route uses still names the allowed ones */
	assert_int_equal(fcgi_call(sock, "TRACE", "/healthz", NULL, NULL, &res), 0);
	assert_int_equal(res.status, 405);
	assert_non_null(strstr(res.head, "Allow: GET, HEAD"));
	assert_int_equal(fcgi_call(sock, "TRACE", "/nowhere", NULL, NULL, &res), 0);
	assert_int_equal(res.status, 404);

	assert_int_equal(fcgi_call(sock, "HEAD", "/healthz", NULL, NULL, &res), 0);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.body_len, 0);
	assert_non_null(strstr(res.head, "Content-Length: 15"));

	get("/readyz?verbose=maybe", &res);
	assert_int_equal(res.status, 400);
	assert_non_null(strstr(res.body, "\"field\":\"verbose\""));
	get("/readyz?colour=1", &res);
	assert_int_equal(res.status, 400);
	assert_non_null(strstr(res.body, "\"field\":\"colour\""));
	get("/readyz?verbose=true&verbose=false", &res);
	assert_int_equal(res.status, 400);
	get("/readyz?verbose=%zz", &res);
	assert_int_equal(res.status, 400);

	/* trailing slash names the same resource */
	get("/api/v1/system/info/", &res);
	assert_int_equal(res.status, 200);
	assert_non_null(strstr(res.body, "\"name\":\"Revenge\""));

	assert_int_equal(server_stop(pid, 5000), 0);
}

static void body_limit(void **state)
{
	struct fcgi_response res;
	size_t n = 100 * 1024;
	char *big = malloc(n + 1);
	pid_t pid = start("pool_size = 1\nmax_body_size = 64k\n");

	(void)state;
	memset(big, 'x', n);
	big[n] = '\0';
	assert_int_equal(fcgi_call(sock, "POST", "/healthz", NULL, big, &res), 0);
	assert_int_equal(res.status, 413);
	assert_non_null(strstr(res.body, "\"field\":\"body\""));
	/* the child is still healthy afterwards */
	get("/healthz", &res);
	assert_int_equal(res.status, 200);
	free(big);
	assert_int_equal(server_stop(pid, 5000), 0);
}

static void keep_alive_connection(void **state)
{
	static unsigned char buf[65536];
	struct fcgi_response res;
	pid_t pid = start("pool_size = 1\n");
	int fd = fcgi_connect(sock);

	(void)state;
	assert_true(fd >= 0);
	for (int i = 0; i < 3; i++) {
		size_t n = fcgi_encode(buf, sizeof(buf), "GET", "/healthz", NULL, NULL, 0, 1);
		assert_int_equal(fcgi_send(fd, buf, n), 0);
		assert_int_equal(fcgi_read(fd, &res, 5000), 0);
		assert_int_equal(res.status, 200);
	}
	/* with one child holding this kept connection, a second connection is
	 * still served: the child polls the listener too */
	get("/healthz", &res);
	assert_int_equal(res.status, 200);
	close(fd);
	assert_int_equal(server_stop(pid, 5000), 0);
}

static void recycle_after_max_requests(void **state)
{
	struct fcgi_response res;
	pid_t pid = start("pool_size = 2\nmax_requests = 5\n");

	(void)state;
	assert_int_equal(server_wait_children(pid, 2, 3000), 0);
	for (int i = 0; i < 40; i++) {
		get("/healthz", &res);
		assert_int_equal(res.status, 200);
	}
	/* a retired child is counted when the master reaps it, after its last
	 * connection closed and (under the sanitizers, slowly) it exited: wait
	 * for the count rather than read it at once */
	long recycled = 0;
	for (int tries = 0;
	     tries < 100 && (recycled = metric("revenge_fcgi_children_recycled_total")) < 5;
	     tries++)
		sleep_ms(100);
	assert_true(recycled >= 5);
	assert_int_equal(metric("revenge_fcgi_children_crashed_total"), 0);
	assert_int_equal(server_wait_children(pid, 2, 3000), 0);
	assert_true(metric("revenge_http_requests_total{route=\"health.live\",status=\"200\"}") >= 40);
	assert_int_equal(server_stop(pid, 5000), 0);
}

static void killed_child_is_replaced(void **state)
{
	struct fcgi_response res;
	pid_t kids[16], after[16];
	pid_t pid = start("pool_size = 2\nmax_requests = 0\n");

	(void)state;
	assert_int_equal(server_wait_children(pid, 2, 3000), 0);
	assert_int_equal(server_children(pid, kids, 16), 2);
	assert_int_equal(kill(kids[0], SIGKILL), 0);
	sleep_ms(300);
	assert_int_equal(server_wait_children(pid, 2, 3000), 0);
	assert_int_equal(server_children(pid, after, 16), 2);
	assert_true(after[0] != kids[0] && after[1] != kids[0]);
	for (int i = 0; i < 10; i++) {
		get("/healthz", &res);
		assert_int_equal(res.status, 200);
	}
	assert_int_equal(metric("revenge_fcgi_children_crashed_total"), 1);
	assert_int_equal(metric("revenge_fcgi_children_started_total"), 3);
	assert_int_equal(metric("revenge_fcgi_children"), 2);
	assert_int_equal(server_stop(pid, 5000), 0);
}

static void reload_replaces_children(void **state)
{
	struct fcgi_response res;
	pid_t before[16], after[16];
	pid_t pid = start("pool_size = 2\n");
	int n;

	(void)state;
	assert_int_equal(server_wait_children(pid, 2, 3000), 0);
	assert_int_equal(server_children(pid, before, 16), 2);
	write_conf("pool_size = 3\n");
	kill(pid, SIGHUP);
	assert_int_equal(server_wait_children(pid, 3, 5000), 0);
	/* children are replaced one by one: three may be counted while an
	 * old one still finishes (seen under ASan); wait for the last one */
	for (int tries = 0; tries < 100; tries++) {
		bool old = false;
		n = server_children(pid, after, 16);
		for (int i = 0; i < n; i++)
			old |= after[i] == before[0] || after[i] == before[1];
		if (n == 3 && !old)
			break;
		sleep_ms(50);
	}
	for (int i = 0; i < n; i++)
		assert_true(after[i] != before[0] && after[i] != before[1]);
	get("/healthz", &res);
	assert_int_equal(res.status, 200);

	/* a broken file is refused and the running pool stays as it is */
	write_conf("pool_size = 0\n");
	kill(pid, SIGHUP);
	sleep_ms(300);
	assert_int_equal(server_children(pid, after, 16), 3);
	get("/healthz", &res);
	assert_int_equal(res.status, 200);
	assert_int_equal(server_stop(pid, 5000), 0);
}

static void sigterm_drains_in_flight(void **state)
{
	static unsigned char buf[65536];
	struct fcgi_response res;
	pid_t pid = start("pool_size = 1\ndrain_timeout = 5s\n");
	int fd = fcgi_connect(sock);
	size_t n = fcgi_encode(buf, sizeof(buf), "GET", "/healthz", NULL, NULL, 0, 0);

	(void)state;
	assert_true(fd >= 0);
	/* the child is now reading this request; stop the master mid-way */
	assert_int_equal(fcgi_send(fd, buf, n / 2), 0);
	sleep_ms(200);
	kill(pid, SIGTERM);
	sleep_ms(500);
	assert_int_equal(fcgi_send(fd, buf + n / 2, n - n / 2), 0);
	assert_int_equal(fcgi_read(fd, &res, 5000), 0);
	assert_int_equal(res.status, 200);
	close(fd);
	assert_int_equal(server_wait(pid, 5000), 0);
	/* the socket file is gone with the master */
	assert_int_equal(access(sock, F_OK), -1);
}

static void drain_deadline_is_bounded(void **state)
{
	static unsigned char buf[65536];
	pid_t pid = start("pool_size = 1\ndrain_timeout = 500ms\n");
	int fd = fcgi_connect(sock);
	size_t n = fcgi_encode(buf, sizeof(buf), "GET", "/healthz", NULL, NULL, 0, 0);

	(void)state;
	assert_int_equal(fcgi_send(fd, buf, n / 2), 0);
	sleep_ms(200);
	kill(pid, SIGTERM);
	/* the stuck request never completes; the master still exits soon after
	 * the deadline */
	assert_int_equal(server_wait(pid, 3000), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(routes_and_problems, teardown),
		cmocka_unit_test_teardown(body_limit, teardown),
		cmocka_unit_test_teardown(keep_alive_connection, teardown),
		cmocka_unit_test_teardown(recycle_after_max_requests, teardown),
		cmocka_unit_test_teardown(killed_child_is_replaced, teardown),
		cmocka_unit_test_teardown(reload_replaces_children, teardown),
		cmocka_unit_test_teardown(sigterm_drains_in_flight, teardown),
		cmocka_unit_test_teardown(drain_deadline_is_bounded, teardown),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-pool-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-pool-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_pool.log", testenv_stack_dir());
	db_url = testenv_new_database(NULL);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	return rc;
}
