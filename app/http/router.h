/*
 * router: matches a method and path against the one route table.
 *
 * Patterns are compiled once (router_new) into segments. A segment is a
 * literal or a typed parameter {name:type} with type uuid, int or str.
 * Matching is segment by segment, literals first: a route whose literals
 * match but whose typed parameter does not parse is remembered so that
 * "/api/v1/users/not-a-uuid" answers 400 naming the parameter rather than a
 * bare 404.
 */
#ifndef REVENGE_HTTP_ROUTER_H
#define REVENGE_HTTP_ROUTER_H

#include "http/http.h"

struct router;

/* Compile the table. A malformed pattern is a programmer error: the
 * function logs it and returns NULL. routes must outlive the router. */
struct router *router_new(const struct route *routes, size_t n);
void router_free(struct router *r);

const struct route *router_routes(const struct router *r, size_t *n);

enum route_match {
	ROUTE_FOUND = 0,
	ROUTE_NOT_FOUND,   /* 404 */
	ROUTE_BAD_METHOD,  /* 405: *allow holds the methods the path supports */
	ROUTE_BAD_PARAM,   /* 400: fe names the parameter */
};

/*
 * Match path (already split from its query, percent-encoded as received).
 * On ROUTE_FOUND fills req->route, req->route_index, req->path_params and
 * req->npath (decoded values in req->arena). On ROUTE_BAD_PARAM fills
 * req->route and req->route_index with the first route whose parameter did
 * not parse (req->npath is 0), so the caller can authenticate for that
 * route before it answers 400. HEAD matches GET routes.
 */
enum route_match router_match(const struct router *r, int method, const char *path,
			      struct request *req, int *allow, struct field_error *fe);

/* Validate one parameter's text against its spec into out (strings copied
 * into the arena). APP_ERR_VALIDATION with fe naming `field` otherwise. */
enum app_err param_validate(const struct param_spec *spec, const char *text, struct arena *a,
			    const char *field, struct param_value *out, struct field_error *fe);

/* Parse a raw query string against the route's declared parameters:
 * unknown, repeated or invalid parameters and missing required ones are
 * APP_ERR_VALIDATION naming the parameter. */
enum app_err query_parse(const struct param_spec *specs, const char *query, struct request *req,
			 struct field_error *fe);

/* Percent-decode s[0..n) into the arena ('+' as space when plus_space).
 * NULL when an escape is malformed or decodes to NUL. */
char *url_decode(struct arena *a, const char *s, size_t n, int plus_space);

/* Write "GET, HEAD, POST" for a method mask into out. */
void http_allow_header(int allow, struct buf *out);

#endif
