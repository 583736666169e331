/*
 * headers: the request headers handlers read beyond the router (language, byte ranges), parsed
 * without any I/O (so the fuzzer and the unit tests drive them directly).
 */
#ifndef REVENGE_HTTP_HEADERS_H
#define REVENGE_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>

/* The longest header value the application keeps, in bytes after cleaning
 * (the user_agent columns hold 512 characters). Cookie gets more room:
 * the session cookie may follow other cookies of the same site. */
#define HTTP_HEADER_MAX 512
#define HTTP_COOKIE_MAX 8192

/*
 * Clean one header value for everything downstream (SQL, logs, JSON):
 * bytes that are not well-formed UTF-8 each become U+FFFD, control
 * characters (C0, DEL, and C1 encoded as UTF-8) are dropped except TAB,
 * which becomes a space, and the result is cut to at most cap - 1 bytes
 * at a character boundary. in[0..n) may hold any bytes; out (cap ≥ 1
 * bytes) receives valid UTF-8 without NUL or control characters and is
 * always NUL-terminated. Returns the length written.
 */
size_t http_header_clean(const char *in, size_t n, char *out, size_t cap);

/* The Accept-Language pick (RFC 9110 §12.5.4): the highest-q language
 * (first among equals; q=0 never) whose primary subtag is one of
 * `languages` ("en,de,fr"), as two lower-case letters in out[3]; "" when
 * none is (also for NULL). */
void http_accept_language(const char *header, const char *languages, char out[3]);

/* A Range header against a file of size bytes (RFC 9110 §14.2): 0 when it
 * is absent (NULL) or "bytes=" with ranges "a-b", "a-" or "-n" of which
 * one at least is satisfiable (nginx then serves them); -1 when it is
 * malformed or nothing is satisfiable (416). */
int http_range_check(const char *header, long long size);

/* Is the media type of a Content-Type value (RFC 9110 §8.3.1) `type`
 * ("application/json")? Type and subtype compare case-insensitively,
 * blanks before parameters are allowed and the parameters (";
 * charset=UTF-8") are not looked at. NULL or malformed: false. */
bool http_media_type_is(const char *content_type, const char *type);

#endif
