#include "fcgi_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR_ = 7 };

int fcgi_connect(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static size_t record(unsigned char *out, size_t cap, size_t at, int type, const void *content,
		     size_t len)
{
	if (at + 8 + len > cap)
		return at;
	out[at + 0] = 1;
	out[at + 1] = (unsigned char)type;
	out[at + 2] = 0;
	out[at + 3] = 1; /* request id 1 */
	out[at + 4] = (unsigned char)(len >> 8);
	out[at + 5] = (unsigned char)len;
	out[at + 6] = 0;
	out[at + 7] = 0;
	if (len)
		memcpy(out + at + 8, content, len);
	return at + 8 + len;
}

static size_t put_len(unsigned char *p, size_t n)
{
	if (n < 128) {
		p[0] = (unsigned char)n;
		return 1;
	}
	p[0] = (unsigned char)((n >> 24) | 0x80);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
	return 4;
}

static size_t put_param(unsigned char *p, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), at = 0;
	at += put_len(p + at, nl);
	at += put_len(p + at, vl);
	memcpy(p + at, name, nl);
	memcpy(p + at + nl, value, vl);
	return at + nl + vl;
}

size_t fcgi_encode(unsigned char *out, size_t cap, const char *method, const char *uri,
		   const char *const *params, const char *body, size_t body_len, int keep_conn)
{
	unsigned char begin[8] = {0, 1, (unsigned char)(keep_conn ? 1 : 0), 0, 0, 0, 0, 0};
	unsigned char p[16384];
	char cl[32];
	size_t at = 0, pl = 0;

	at = record(out, cap, at, BEGIN_REQUEST, begin, sizeof(begin));
	snprintf(cl, sizeof(cl), "%zu", body_len);
	pl += put_param(p + pl, "REQUEST_METHOD", method);
	pl += put_param(p + pl, "REQUEST_URI", uri);
	pl += put_param(p + pl, "REMOTE_ADDR", "127.0.0.1");
	pl += put_param(p + pl, "SERVER_PROTOCOL", "HTTP/1.1");
	/* a CONTENT_TYPE among params (an image upload) replaces the default */
	int own_type = 0;
	for (size_t i = 0; params && params[i]; i++)
		own_type |= !strncmp(params[i], "CONTENT_TYPE=", 13);
	if (body_len) {
		pl += put_param(p + pl, "CONTENT_LENGTH", cl);
		if (!own_type)
			pl += put_param(p + pl, "CONTENT_TYPE", "application/json");
	}
	for (size_t i = 0; params && params[i]; i++) {
		char name[256];
		const char *eq = strchr(params[i], '=');
		size_t nl = eq ? (size_t)(eq - params[i]) : strlen(params[i]);
		if (nl >= sizeof(name))
			continue;
		memcpy(name, params[i], nl);
		name[nl] = '\0';
		pl += put_param(p + pl, name, eq ? eq + 1 : "");
	}
	at = record(out, cap, at, PARAMS, p, pl);
	at = record(out, cap, at, PARAMS, NULL, 0);
	for (size_t off = 0; off < body_len;) {
		size_t chunk = body_len - off > 60000 ? 60000 : body_len - off;
		at = record(out, cap, at, STDIN, body + off, chunk);
		off += chunk;
	}
	return record(out, cap, at, STDIN, NULL, 0);
}

int fcgi_send(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_full(int fd, unsigned char *p, size_t n, int timeout_ms)
{
	while (n) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int fcgi_read(int fd, struct fcgi_response *res, int timeout_ms)
{
	static unsigned char out[1 << 20];
	size_t olen = 0;

	memset(res, 0, sizeof(*res));
	for (;;) {
		unsigned char h[8], content[65536 + 256];
		size_t len, pad;
		if (read_full(fd, h, 8, timeout_ms) < 0)
			return -1;
		len = ((size_t)h[4] << 8) | h[5];
		pad = h[6];
		if (read_full(fd, content, len + pad, timeout_ms) < 0)
			return -1;
		if (h[1] == STDOUT && olen + len < sizeof(out)) {
			memcpy(out + olen, content, len);
			olen += len;
		}
		if (h[1] == END_REQUEST)
			break;
	}
	/* split CGI headers from the body */
	unsigned char *sep = memmem(out, olen, "\r\n\r\n", 4);
	if (!sep)
		return -1;
	size_t hl = (size_t)(sep - out);
	if (hl >= sizeof(res->head))
		hl = sizeof(res->head) - 1;
	memcpy(res->head, out, hl);
	res->head[hl] = '\0';
	res->body_len = olen - (size_t)(sep + 4 - out);
	if (res->body_len >= sizeof(res->body))
		res->body_len = sizeof(res->body) - 1;
	memcpy(res->body, sep + 4, res->body_len);
	res->body[res->body_len] = '\0';
	res->status = 200;
	const char *st = strstr(res->head, "Status: ");
	if (st)
		res->status = atoi(st + 8);
	return 0;
}

int fcgi_call(const char *path, const char *method, const char *uri, const char *const *params,
	      const char *body, struct fcgi_response *res)
{
	static unsigned char buf[1 << 20];
	int fd = fcgi_connect(path), rc;
	size_t n;

	if (fd < 0)
		return -1;
	n = fcgi_encode(buf, sizeof(buf), method, uri, params, body, body ? strlen(body) : 0, 0);
	rc = fcgi_send(fd, buf, n) == 0 ? fcgi_read(fd, res, 10000) : -1;
	close(fd);
	return rc;
}
