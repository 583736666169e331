/*
 * http_stub: a small HTTP/1.1 server for integration tests that stand in
 * for a third-party service (Radarr/Sonarr's API): one thread on
 * 127.0.0.1 at an ephemeral port, one request per connection (the answer
 * closes it), GET and POST, the request's path and headers handed to the
 * test's function, which chooses the status and body. Requests are counted
 * and the last one's headers kept, for assertions.
 */
#ifndef REVENGE_TESTS_HTTP_STUB_H
#define REVENGE_TESTS_HTTP_STUB_H

#include <pthread.h>
#include <stdbool.h>

struct http_stub_request {
	char method[16];
	char path[2048]; /* with the query */
	char headers[8192];
	const char *body;
	size_t body_len;
};

/* Answer req: set *status and return the body (malloc'd, freed by the
 * stub; NULL for none). */
typedef char *(*http_stub_fn)(const struct http_stub_request *req, int *status, void *arg);

struct http_stub {
	int fd, port;
	pthread_t thread;
	volatile bool stop;
	http_stub_fn fn;
	void *arg;
	pthread_mutex_t mu;
	int requests;            /* [mu] */
	char last_headers[8192]; /* [mu] */
	char last_path[2048];    /* [mu] */
};

/* 0, or -1 when it could not listen. */
int http_stub_start(struct http_stub *s, http_stub_fn fn, void *arg);
void http_stub_stop(struct http_stub *s);
/* The value of header name (case-insensitive) in headers, copied into out;
 * false when absent. */
bool http_stub_header(const char *headers, const char *name, char *out, size_t cap);

#endif
