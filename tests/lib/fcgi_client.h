/*
 * fcgi_client: a minimal FastCGI client for tests that talk to the pool
 * directly (no nginx), e.g. to hold a request half-sent while the master
 * drains. Written from the FastCGI 1.0 specification.
 */
#ifndef REVENGE_TESTS_FCGI_CLIENT_H
#define REVENGE_TESTS_FCGI_CLIENT_H

#include <stddef.h>

struct fcgi_response {
	int status;
	char head[8192];
	char body[65536];
	size_t body_len;
};

/* Connect to a unix socket; -1 on failure. */
int fcgi_connect(const char *path);

/* Encode a complete request (BEGIN_REQUEST, PARAMS, STDIN) into out (cap
 * bytes); returns the length. headers: NULL-terminated "NAME=value" CGI
 * params added to the standard ones (e.g. "HTTP_X_REQUEST_ID=abc"); a
 * "CONTENT_TYPE=…" among them replaces the default application/json. */
size_t fcgi_encode(unsigned char *out, size_t cap, const char *method, const char *uri,
		   const char *const *params, const char *body, size_t body_len, int keep_conn);

/* Read records until END_REQUEST (or timeout_ms passes): fills status,
 * head (CGI headers) and body. 0 on success, -1 on EOF/timeout/error. */
int fcgi_read(int fd, struct fcgi_response *res, int timeout_ms);

/* Connect, send a whole request, read the response, close. */
int fcgi_call(const char *path, const char *method, const char *uri, const char *const *params,
	      const char *body, struct fcgi_response *res);

/* Send all of buf. 0 or -1. */
int fcgi_send(int fd, const void *buf, size_t n);

#endif
