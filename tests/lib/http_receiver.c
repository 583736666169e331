#include "http_receiver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEAD (64 * 1024)
#define MAX_BODY (4 * 1024 * 1024)
#define MAX_SCRIPT 32
#define IO_TIMEOUT_MS 5000

struct http_receiver {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t mu;
	volatile int stop; /* [mu] */
	struct received reqs[RECEIVER_MAX_REQUESTS];
	int nreqs;
	int script[MAX_SCRIPT];
	int nscript, next;
	receiver_fn fn; /* [mu] */
	void *fn_arg;
};

/* Read into buf until the head is complete and the body has arrived;
 * total bytes, or -1. */
static long read_request(int c, char *buf, size_t cap, size_t *head_len, size_t *body_len)
{
	size_t len = 0;
	long want = -1;

	for (;;) {
		struct pollfd p = {c, POLLIN, 0};
		if (poll(&p, 1, IO_TIMEOUT_MS) != 1)
			return -1;
		ssize_t n = read(c, buf + len, cap - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = 0;
		if (want < 0) {
			char *end = strstr(buf, "\r\n\r\n");
			if (!end) {
				if (len >= MAX_HEAD)
					return -1;
				continue;
			}
			*head_len = (size_t)(end - buf) + 4;
			*body_len = 0;
			for (char *l = strstr(buf, "\r\n"); l && l < end; l = strstr(l + 2, "\r\n"))
				if (!strncasecmp(l + 2, "Content-Length:", 15))
					*body_len = strtoul(l + 17, NULL, 10);
			if (*body_len > MAX_BODY)
				return -1;
			want = (long)(*head_len + *body_len);
		}
		if ((long)len >= want)
			return want;
	}
}

static void answer(int c, int status, const char *body)
{
	char out[256];
	size_t len = strlen(body), off = 0;
	int n = snprintf(out, sizeof(out),
	                 "HTTP/1.1 %d Scripted\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                 status, len);
	if (write(c, out, (size_t)n) < 0)
		return;
	while (off < len) {
		ssize_t w = write(c, body + off, len - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void serve(struct http_receiver *r, int c)
{
	char *buf = malloc(MAX_HEAD + MAX_BODY + 1);
	size_t head_len = 0, body_len = 0;
	struct received q = {{0}, {0}, NULL, NULL, 0, 0};

	if (!buf || read_request(c, buf, MAX_HEAD + MAX_BODY + 1, &head_len, &body_len) < 0) {
		free(buf);
		return;
	}
	/* "METHOD TARGET HTTP/1.1\r\n" then the header lines */
	char *sp = strchr(buf, ' '), *sp2 = sp ? strchr(sp + 1, ' ') : NULL,
	     *eol = strstr(buf, "\r\n");
	if (sp && sp2 && eol && sp2 < eol) {
		snprintf(q.method, sizeof(q.method), "%.*s", (int)(sp - buf), buf);
		snprintf(q.target, sizeof(q.target), "%.*s", (int)(sp2 - sp - 1), sp + 1);
	}
	q.head = strndup(eol ? eol + 2 : buf, head_len - 2 - (size_t)((eol ? eol + 2 : buf) - buf));
	q.body = malloc(body_len + 1);
	if (q.body) {
		memcpy(q.body, buf + head_len, body_len);
		q.body[body_len] = 0;
		q.body_len = body_len;
	}
	free(buf);
	pthread_mutex_lock(&r->mu);
	receiver_fn fn = r->fn;
	void *fn_arg = r->fn_arg;
	pthread_mutex_unlock(&r->mu);
	char *reply = NULL;
	int status = 200;
	if (fn)
		reply = fn(&q, &status, fn_arg);
	pthread_mutex_lock(&r->mu);
	if (!fn)
		status = r->next < r->nscript ? r->script[r->next++] : 200;
	q.answered = status;
	if (r->nreqs < RECEIVER_MAX_REQUESTS) {
		r->reqs[r->nreqs++] = q;
	} else {
		free(q.head);
		free(q.body);
	}
	pthread_mutex_unlock(&r->mu);
	if (status)
		answer(c, status, fn ? (reply ? reply : "") : "{\"receiver\":\"scripted\"}");
	free(reply);
}

static void *loop(void *arg)
{
	struct http_receiver *r = arg;

	for (;;) {
		struct pollfd p = {r->fd, POLLIN, 0};
		pthread_mutex_lock(&r->mu);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			return NULL;
		if (poll(&p, 1, 50) != 1)
			continue;
		int c = accept(r->fd, NULL, NULL);
		if (c < 0)
			continue;
		serve(r, c);
		close(c);
	}
}

struct http_receiver *receiver_start(void)
{
	struct http_receiver *r = calloc(1, sizeof(*r));
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof(a);
	int one = 1;

	if (!r)
		return NULL;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(r->fd, (struct sockaddr *)&a, sizeof(a)) || listen(r->fd, 16) ||
	    getsockname(r->fd, (struct sockaddr *)&a, &alen)) {
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	r->port = ntohs(a.sin_port);
	pthread_mutex_init(&r->mu, NULL);
	if (pthread_create(&r->thread, NULL, loop, r)) {
		close(r->fd);
		free(r);
		return NULL;
	}
	return r;
}

int receiver_port(const struct http_receiver *r)
{
	return r->port;
}

void receiver_answer_with(struct http_receiver *r, receiver_fn fn, void *arg)
{
	pthread_mutex_lock(&r->mu);
	r->fn = fn;
	r->fn_arg = arg;
	pthread_mutex_unlock(&r->mu);
}

void receiver_script(struct http_receiver *r, const int *statuses, int n)
{
	pthread_mutex_lock(&r->mu);
	r->nscript = n < MAX_SCRIPT ? n : MAX_SCRIPT;
	memcpy(r->script, statuses, (size_t)r->nscript * sizeof(int));
	r->next = 0;
	pthread_mutex_unlock(&r->mu);
}

int receiver_count(struct http_receiver *r)
{
	pthread_mutex_lock(&r->mu);
	int n = r->nreqs;
	pthread_mutex_unlock(&r->mu);
	return n;
}

struct received *receiver_get(struct http_receiver *r, int i)
{
	struct received *q = NULL;

	pthread_mutex_lock(&r->mu);
	if (i >= 0 && i < r->nreqs && (q = malloc(sizeof(*q)))) {
		*q = r->reqs[i];
		q->head = strdup(r->reqs[i].head ? r->reqs[i].head : "");
		q->body = malloc(r->reqs[i].body_len + 1);
		if (q->body) {
			memcpy(q->body, r->reqs[i].body ? r->reqs[i].body : "",
			       r->reqs[i].body_len);
			q->body[r->reqs[i].body_len] = 0;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return q;
}

void received_free(struct received *q)
{
	if (!q)
		return;
	free(q->head);
	free(q->body);
	free(q);
}

void receiver_clear(struct http_receiver *r)
{
	pthread_mutex_lock(&r->mu);
	for (int i = 0; i < r->nreqs; i++) {
		free(r->reqs[i].head);
		free(r->reqs[i].body);
	}
	r->nreqs = 0;
	r->nscript = r->next = 0;
	pthread_mutex_unlock(&r->mu);
}

const char *received_header(const struct received *q, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *l = q->head; l && *l;) {
		const char *end = strstr(l, "\r\n");
		if (!end)
			break;
		if (!strncasecmp(l, name, n) && l[n] == ':') {
			const char *v = l + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(end - v), v);
			return out;
		}
		l = end + 2;
	}
	return NULL;
}

void receiver_stop(struct http_receiver *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	close(r->fd);
	receiver_clear(r);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
