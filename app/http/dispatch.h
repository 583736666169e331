/*
 * dispatch: from a parsed request to a filled response. The one place that
 * matches routes, enforces the body limit and content type, parses JSON
 * bodies, validates query parameters, checks the route's permission, calls
 * the handler and turns errors into application/problem+json.
 */
#ifndef REVENGE_HTTP_DISPATCH_H
#define REVENGE_HTTP_DISPATCH_H

#include "http/http.h"

/* Limits a JSON body is parsed with. */
#define BODY_MAX_DEPTH 32

/* req must carry arena, env, method, path, query, body, request_id and
 * remote_addr. res must be initialised (http_response_init). Never fails:
 * every outcome is a response. */
void http_dispatch(struct app *app, struct request *req, struct response *res);

/* Replace res with a problem+json body for e; fe (may be NULL) names the
 * field. Extra members may be appended by the caller before calling via
 * `extra` (a JSON object's members without braces, or NULL). */
void http_problem(const struct request *req, struct response *res, enum app_err e,
		  const struct field_error *fe, const char *extra);

/* Redis keys to delete again once the handler has returned (its
 * transaction committed): a request that read the old row between the
 * first delete and the commit may have cached it again. */
void http_purge_later(struct request *req, const char *key);
void http_purge_cache(struct request *req);

void http_response_init(struct response *res, size_t max_body);
void http_response_release(struct response *res);

/* Is addr a loopback address ("127.x.x.x", "::1")? */
int http_is_loopback(const char *addr);

#endif
