#include "server.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fcgi_client.h"
#include "testenv.h"

void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

pid_t server_start(const char *conf, const char *sock, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* never the test's own stdout: a leftover process holding it would
		 * keep the runner's pipe open */
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* nor anything else the test inherited (the suite's lock file:
		 * a pool left behind by a test that crashed held it, and the
		 * next suite waited for it), and the pool goes when the test
		 * does, however it ends */
		close_range(3, ~0U, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(127);
		execl(testenv_bin("revenge-fcgi"), "revenge-fcgi", "--config", conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		int fd = fcgi_connect(sock);
		if (fd >= 0) {
			close(fd);
			return pid;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int server_wait(pid_t pid, int timeout_ms)
{
	int status;

	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		sleep_ms(20);
	}
	return -1;
}

int server_stop(pid_t pid, int timeout_ms)
{
	int rc;

	kill(pid, SIGTERM);
	rc = server_wait(pid, timeout_ms);
	if (rc < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return rc;
}

int server_children(pid_t pid, pid_t *out, int max)
{
	char path[64];
	FILE *f;
	int n = 0;
	long v;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	while (n < max && fscanf(f, "%ld", &v) == 1)
		out[n++] = (pid_t)v;
	fclose(f);
	return n;
}

int server_wait_children(pid_t pid, int n, int timeout_ms)
{
	pid_t kids[256];

	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (server_children(pid, kids, 256) == n)
			return 0;
		sleep_ms(20);
	}
	return -1;
}
