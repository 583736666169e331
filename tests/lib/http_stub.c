#include "http_stub.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_IN (1024 * 1024)

static void answer(struct http_stub *s, int fd)
{
	char *in = malloc(MAX_IN + 1);
	size_t n = 0, head = 0, want = 0;
	struct http_stub_request req;

	if (!in)
		return;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) != 1)
			goto out;
		ssize_t r = read(fd, in + n, MAX_IN - n);
		if (r <= 0)
			goto out;
		n += (size_t)r;
		in[n] = 0;
		char *end = head ? NULL : strstr(in, "\r\n\r\n");
		if (end && !head) {
			head = (size_t)(end - in) + 4;
			char len[32];
			*end = 0;
			want = http_stub_header(in, "Content-Length", len, sizeof(len))
			           ? (size_t)strtoul(len, NULL, 10)
			           : 0;
			*end = '\r';
		}
		if (head && n >= head + want)
			break;
		if (n == MAX_IN)
			goto out;
	}
	memset(&req, 0, sizeof(req));
	sscanf(in, "%15s %2047s", req.method, req.path);
	char *eol = strstr(in, "\r\n");
	size_t hl = eol ? head - 4 - (size_t)(eol + 2 - in) : 0;
	if (eol && hl < sizeof(req.headers))
		memcpy(req.headers, eol + 2, hl);
	req.body = in + head;
	req.body_len = want;
	pthread_mutex_lock(&s->mu);
	s->requests++;
	snprintf(s->last_headers, sizeof(s->last_headers), "%s", req.headers);
	snprintf(s->last_path, sizeof(s->last_path), "%s", req.path);
	pthread_mutex_unlock(&s->mu);
	int status = 500;
	char *body = s->fn(&req, &status, s->arg);
	size_t blen = body ? strlen(body) : 0;
	char hdr[256];
	int h =
	    snprintf(hdr, sizeof(hdr),
	             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	             "Connection: close\r\n\r\n",
	             status, blen);
	if (write(fd, hdr, (size_t)h) == h && blen) {
		size_t off = 0;
		while (off < blen) {
			ssize_t w = write(fd, body + off, blen - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	free(body);
out:
	free(in);
}

static void *loop(void *arg)
{
	struct http_stub *s = arg;

	while (!s->stop) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 100) != 1)
			continue;
		int fd = accept(s->fd, NULL, NULL);
		if (fd < 0)
			continue;
		answer(s, fd);
		close(fd);
	}
	return NULL;
}

int http_stub_start(struct http_stub *s, http_stub_fn fn, void *arg)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->fn = fn;
	s->arg = arg;
	pthread_mutex_init(&s->mu, NULL);
	if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&a, sizeof(a)) || listen(s->fd, 64) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len))
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, loop, s) ? -1 : 0;
}

void http_stub_stop(struct http_stub *s)
{
	s->stop = true;
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->mu);
}

bool http_stub_header(const char *headers, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *l = headers; l && *l;) {
		if (!strncasecmp(l, name, n) && l[n] == ':') {
			const char *v = l + n + 1, *e = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			size_t vl = e ? (size_t)(e - v) : strlen(v);
			snprintf(out, cap, "%.*s", (int)vl, v);
			return true;
		}
		l = strstr(l, "\r\n");
		if (l)
			l += 2;
	}
	return false;
}
