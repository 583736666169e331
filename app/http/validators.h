/*
 * validators: conditional GET for JSON responses (RFC 9110 §13).
 */
#ifndef REVENGE_HTTP_VALIDATORS_H
#define REVENGE_HTTP_VALIDATORS_H

#include "http/http.h"

/*
 * A weak ETag over res's body and private revalidation (Cache-Control:
 * private, no-cache; Vary on language and credentials): responses are per
 * user, and a scan may change them any time. A matching If-None-Match
 * turns the response into 304 without a body. Only 200 responses are
 * touched. Call last, after the body is written.
 */
void http_validators(struct request *req, struct response *res);

/* Append JSON text (a value PostgreSQL printed) to b without the blanks
 * between tokens ("a" : 1 -> "a":1); strings are copied as they are. */
void http_json_compact(struct buf *b, const char *json, size_t n);

/* The same as the next value of w (after a separator when needed). */
void jw_pg_json(struct jw *w, const char *json, size_t n);

#endif
