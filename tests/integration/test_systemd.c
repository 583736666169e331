/*
 * The systemd notify protocol of both daemons (Type=notify, WatchdogSec=),
 * without systemd: the test owns a unix datagram socket, hands it to the
 * process in NOTIFY_SOCKET (with WATCHDOG_USEC) and reads what arrives.
 *
 * For the FastCGI pool master and for revenge-worker: READY=1 once
 * serving; WATCHDOG=1 pings at half the interval; SIGHUP gives RELOADING=1
 * (with MONOTONIC_USEC) then READY=1; a refused configuration gives
 * RELOADING=1 then READY=1 with ERRNO= and a STATUS= naming the refusal
 * while the process keeps running; SIGTERM gives STOPPING=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], notify_path[100], log_path[256];
static const char *db_url;
static int notify_fd = -1;
static pid_t current = -1;

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

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drop whatever the last process sent. */
static void drain(void)
{
	char buf[4096];
	while (recv(notify_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Wait (<= timeout_ms) for a datagram containing every one of the
 * NULL-terminated needles; other datagrams are skipped (pings between
 * the messages a test looks for). The matching message is copied to out
 * (may be NULL). Returns 0 when found. */
static int expect(int timeout_ms, char *out, size_t outsz, ...)
{
	int64_t until = mono_ms() + timeout_ms;
	char buf[4096];

	for (;;) {
		int64_t left = until - mono_ms();
		struct pollfd pfd = {notify_fd, POLLIN, 0};
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		ssize_t n = recv(notify_fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		va_list ap;
		const char *needle;
		int all = 1;
		va_start(ap, outsz);
		while ((needle = va_arg(ap, const char *)))
			all &= strstr(buf, needle) != NULL;
		va_end(ap);
		if (all) {
			if (out)
				snprintf(out, outsz, "%s", buf);
			return 0;
		}
	}
}

#define EXPECT(ms, ...) assert_int_equal(expect(ms, NULL, 0, __VA_ARGS__, (char *)NULL), 0)

/* Pings keep coming at about half of WATCHDOG_USEC (200 ms here). */
static void pings(void)
{
	int64_t t0 = mono_ms();
	for (int i = 0; i < 4; i++)
		EXPECT(1000, "WATCHDOG=1");
	int64_t took = mono_ms() - t0;
	if (took > 1000)
		fail_msg("4 watchdog pings took %lld ms", (long long)took);
}

/* The reload sequence, then a refused reload; the process runs on. */
static void reloads(pid_t pid, void (*write_good)(void), void (*write_bad)(void))
{
	char msg[4096];

	write_good();
	kill(pid, SIGHUP);
	assert_int_equal(expect(3000, msg, sizeof(msg), "RELOADING=1", (char *)NULL), 0);
	assert_non_null(strstr(msg, "MONOTONIC_USEC="));
	assert_int_equal(expect(3000, msg, sizeof(msg), "READY=1", (char *)NULL), 0);
	assert_null(strstr(msg, "ERRNO="));

	write_bad();
	kill(pid, SIGHUP);
	EXPECT(3000, "RELOADING=1");
	assert_int_equal(expect(3000, msg, sizeof(msg), "READY=1", (char *)NULL), 0);
	assert_non_null(strstr(msg, "ERRNO="));
	assert_non_null(strstr(msg, "STATUS=reload refused"));
	sleep_ms(200);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0); /* still running */
	pings();
}

static void pool_good(void)
{
	testenv_write_config(conf, db_url, sock, "pool_size = 2\n");
}

static void pool_bad(void)
{
	testenv_write_config(conf, db_url, sock, "pool_size = 0\n");
}

static void pool_master_notifies(void **state)
{
	(void)state;
	drain();
	pool_good();
	current = server_start(conf, sock, log_path);
	assert_true(current > 0);
	EXPECT(5000, "READY=1", "MAINPID=");
	pings();
	reloads(current, pool_good, pool_bad);
	kill(current, SIGTERM);
	EXPECT(3000, "STOPPING=1");
	assert_int_equal(server_wait(current, 5000), 0);
}

static void worker_good(void)
{
	testenv_write_config(conf, db_url, sock, "[worker]\nexecutors = 1\n");
}

static void worker_bad(void)
{
	testenv_write_config(conf, db_url, sock, "[worker]\nshutdown_timeout = forever\n");
}

static void worker_notifies(void **state)
{
	(void)state;
	drain();
	worker_good();
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf,
		      (char *)NULL);
		_exit(127);
	}
	current = pid;
	EXPECT(5000, "READY=1", "MAINPID=");
	pings();
	reloads(pid, worker_good, worker_bad);
	kill(pid, SIGTERM);
	EXPECT(3000, "STOPPING=1");
	assert_int_equal(server_wait(pid, 5000), 0);
}

/* Without NOTIFY_SOCKET nothing is sent and nothing fails (a plain
 * `make run` start): covered by every other test; here only the pings'
 * absence without WATCHDOG_USEC is checked. */
static void no_watchdog_no_pings(void **state)
{
	(void)state;
	drain();
	unsetenv("WATCHDOG_USEC");
	pool_good();
	current = server_start(conf, sock, log_path);
	assert_true(current > 0);
	EXPECT(5000, "READY=1");
	assert_int_equal(expect(600, NULL, 0, "WATCHDOG=1", (char *)NULL), -1);
	assert_int_equal(server_stop(current, 5000), 0);
	setenv("WATCHDOG_USEC", "200000", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(pool_master_notifies, teardown),
	    cmocka_unit_test_teardown(worker_notifies, teardown),
	    cmocka_unit_test_teardown(no_watchdog_no_pings, teardown),
	};
	struct sockaddr_un sun;

	snprintf(conf, sizeof(conf), "/tmp/revenge-sd-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-sd-%d.sock", (int)getpid());
	snprintf(notify_path, sizeof(notify_path), "/tmp/revenge-sd-notify-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_systemd.log", testenv_stack_dir());
	db_url = testenv_new_database(NULL);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_true(strlen(notify_path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, notify_path, strlen(notify_path) + 1);
	unlink(notify_path);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0 || bind(notify_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("notify socket");
		return 1;
	}
	setenv("NOTIFY_SOCKET", notify_path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	close(notify_fd);
	unlink(notify_path);
	unlink(conf);
	return rc;
}
