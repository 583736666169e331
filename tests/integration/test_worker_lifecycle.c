/*
 * revenge-worker as a process: it starts with a valid configuration, logs,
 * stops cleanly on SIGTERM and SIGINT, survives SIGHUP, and refuses a bad
 * configuration naming the key.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "server.h"
#include "testenv.h"

static char conf[256], log_path[256];

static pid_t current = -1; /* killed by teardown if a test fails midway */

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

static pid_t start_worker(void)
{
	/* emptied here, before the fork: the parent must not read the last
	 * worker's lines as this one's */
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		fd = open(log_path, O_WRONLY | O_APPEND);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(testenv_bin("revenge-worker"), "revenge-worker", "--config", conf, (char *)NULL);
		_exit(127);
	}
	current = pid;
	return pid;
}

static int log_contains(const char *needle)
{
	char buf[65536];
	FILE *f = fopen(log_path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void starts_and_stops(void **state)
{
	(void)state;
	for (int sig = 0; sig < 2; sig++) {
		pid_t pid = start_worker();
		int started = 0;
		for (int i = 0; i < 100 && !started; i++) {
			started = log_contains("worker.start");
			if (!started)
				sleep_ms(20);
		}
		assert_true(started);
		kill(pid, SIGHUP);
		sleep_ms(100);
		int status = 0;
		if (waitpid(pid, &status, WNOHANG) != 0) {
			char buf[4096] = {0};
			FILE *f = fopen(log_path, "r");
			if (f) {
				size_t got = fread(buf, 1, sizeof(buf) - 1, f);
				buf[got] = 0;
				fclose(f);
			}
			fail_msg("worker exited after SIGHUP (status %#x): %s", status, buf);
		}
		kill(pid, sig ? SIGINT : SIGTERM);
		assert_int_equal(server_wait(pid, 3000), 0);
		assert_true(log_contains("worker.stop"));
	}
}

static void bad_configuration_refused(void **state)
{
	FILE *f;
	(void)state;
	f = fopen(conf, "a");
	fputs("[worker]\nshutdown_timeout = forever\n", f);
	fclose(f);
	pid_t pid = start_worker();
	assert_int_equal(server_wait(pid, 3000), 78);
	assert_true(log_contains("worker.shutdown_timeout"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(starts_and_stops, teardown),
		cmocka_unit_test_teardown(bad_configuration_refused, teardown),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-worker-%d.conf", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_worker_lifecycle.log", testenv_stack_dir());
	testenv_write_config(conf, testenv_new_database(NULL), "/tmp/unused.sock", "[log]\nlevel = info\n");
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(conf);
	return rc;
}
