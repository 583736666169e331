#include "smtp_sink.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"
#include "core/buf.h"
#include "server.h"

int test_free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool accepts(int port)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* under Debian's python3, the one python3-aiosmtpd is for */
pid_t smtp_sink_start(int port, const char *maildir, const char *cert, const char *key,
                      const char *user, const char *password, const char *log)
{
	char script[PATH_MAX], p[16];
	pid_t pid;

	snprintf(script, sizeof(script), "%s/tests/lib/smtp_sink.py",
	         getenv("TEST_ROOT") ? getenv("TEST_ROOT") : ".");
	snprintf(p, sizeof(p), "%d", port);
	if ((pid = fork()) == 0) {
		FILE *lg = log ? fopen(log, "a") : NULL;
		if (lg) {
			dup2(fileno(lg), 1);
			dup2(fileno(lg), 2);
		}
		if (cert && user)
			execl("/usr/bin/python3", "python3", script, p, maildir, cert, key, user,
			      password, (char *)NULL);
		else if (cert)
			execl("/usr/bin/python3", "python3", script, p, maildir, cert, key,
			      (char *)NULL);
		else
			execl("/usr/bin/python3", "python3", script, p, maildir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; pid > 0 && i < 200; i++) {
		if (accepts(port))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		sleep_ms(50);
	}
	return -1;
}

void smtp_sink_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

char *smtp_mailbox(const char *maildir, int *count)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	struct buf b;
	DIR *d;

	*count = 0;
	buf_init(&b, 16 << 20);
	snprintf(dir, sizeof(dir), "%s/new", maildir);
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			FILE *f = fopen(path, "rb");
			int c;
			assert_non_null(f);
			while ((c = fgetc(f)) != EOF)
				if (c != '\r')
					buf_putc(&b, (char)c);
			fclose(f);
			buf_puts(&b, "\n=====\n");
			(*count)++;
		}
		closedir(d);
	}
	return buf_detach(&b, NULL);
}

void smtp_mailbox_clear(const char *maildir)
{
	api_sh("rm -f '%s'/new/* '%s'/cur/* '%s'/tmp/*", maildir, maildir, maildir);
}
