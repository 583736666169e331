/*
 * http_receiver: a small HTTP/1.1 server a test runs in a thread of its
 * own on 127.0.0.1, recording every request it is sent (method, target,
 * headers, body) and answering with statuses the test scripts: what the
 * code under test talks to instead of a webhook, Discord or Gotify.
 *
 * One request per connection (it answers with Connection: close); a body
 * needs Content-Length (no chunked uploads). Thread-safe: the test reads
 * the records while the server runs.
 */
#ifndef REVENGE_TESTS_HTTP_RECEIVER_H
#define REVENGE_TESTS_HTTP_RECEIVER_H

#include <stddef.h>

#define RECEIVER_MAX_REQUESTS 64

struct received {
	char method[16];
	char target[1024]; /* path and query as sent */
	char *head;        /* the header lines, "Name: value\r\n" each */
	char *body;        /* NUL-terminated, body_len bytes */
	size_t body_len;
	int answered; /* the status sent back (0: closed without one) */
};

struct http_receiver;

/* Listen on 127.0.0.1 (a free port) and serve from a new thread; NULL when
 * that fails. */
struct http_receiver *receiver_start(void);
int receiver_port(const struct http_receiver *r);

/* The next n requests are answered statuses[0..n) in order (0: the
 * connection is closed without an answer); after them, 200. Replaces any
 * script left. */
void receiver_script(struct http_receiver *r, const int *statuses, int n);

/* Answer every request with fn instead of the script: fn sets *status and
 * returns the body (malloc'd, freed by the receiver; NULL for none). For a
 * stand-in that answers what it is asked (Radarr's API). Called on the
 * receiver's thread. */
typedef char *(*receiver_fn)(const struct received *q, int *status, void *arg);
void receiver_answer_with(struct http_receiver *r, receiver_fn fn, void *arg);

/* How many requests came since the last receiver_clear. */
int receiver_count(struct http_receiver *r);
/* A copy of request i (the caller frees it with received_free), or NULL. */
struct received *receiver_get(struct http_receiver *r, int i);
void received_free(struct received *q);
/* Forget the requests recorded and the script. */
void receiver_clear(struct http_receiver *r);

/* The value of header name (case-insensitive) of q in out (cap bytes), or
 * NULL when q has none. */
const char *received_header(const struct received *q, const char *name, char *out, size_t cap);

/* Stop the thread and free everything. */
void receiver_stop(struct http_receiver *r);

#endif
