/*
 * http: the request and response every handler sees, and the route table
 * entry that describes a handler.
 *
 * A handler never touches FastCGI streams, never parses headers or query
 * strings itself and never formats an error body: it reads validated values
 * from struct request, writes JSON into res->body, and returns an app_err
 * (with fe naming the field when it is about input). The dispatcher turns a
 * non-OK return into application/problem+json.
 */
#ifndef REVENGE_HTTP_HTTP_H
#define REVENGE_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"

struct app;
struct principal;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

/* "GET" -> HTTP_GET; 0 for anything else. */
int http_method_parse(const char *s);
const char *http_method_name(int m);

/* Types a path or query parameter can be declared with. */
enum param_type {
	PT_STRING, /* bounded by min/max length in bytes, valid UTF-8, no control bytes */
	PT_INT,    /* decimal int64 within [min, max] */
	PT_BOOL,   /* true/false/1/0 */
	PT_UUID,   /* canonical 8-4-4-4-12 hex, case-insensitive, stored lower case */
	PT_ENUM,   /* one of choices */
};

struct param_spec {
	const char *name;
	enum param_type type;
	bool required;
	int64_t min, max;           /* PT_INT bounds; PT_STRING length bounds (max 0 = 256) */
	const char *const *choices; /* PT_ENUM, NULL-terminated */
	const char *doc;
};

/* A validated parameter value. */
struct param_value {
	const char *name;
	const char *str; /* always set (normalised text) */
	int64_t num;     /* PT_INT, PT_BOOL (0/1), PT_ENUM (index) */
};

#define MAX_PATH_PARAMS 4
#define MAX_QUERY_PARAMS 24

enum body_kind { BODY_NONE = 0, BODY_JSON };

struct request;
struct response;

typedef enum app_err (*handler_fn)(struct request *req, struct response *res,
				   struct field_error *fe);

/* Permission sentinel for routes anyone may call (the short, explicit list). */
#define PERM_PUBLIC "public"

struct route {
	int method;                      /* one enum http_method */
	const char *pattern;             /* "/api/v1/users/{id:uuid}"; types: uuid, int, str */
	const char *name;                /* stable id: metrics label and OpenAPI operationId */
	const char *permission;          /* "resource:action" or PERM_PUBLIC */
	const struct param_spec *query;  /* allowed query parameters, {NULL} terminated; NULL = none */
	enum body_kind body;
	handler_fn handler;
	const char *summary;
	unsigned flags; /* ROUTE_* */
};

/* The stricter rate limit of the authentication routes applies. */
#define ROUTE_AUTH_LIMIT 0x1u

/*
 * Hooks the dispatcher calls through struct app, so http/ needs no domain
 * header (auth/ sits above http/, not beside it).
 *
 * http_authorize_fn: authenticate req and check its route's permission,
 * setting req->who; APP_OK, APP_ERR_UNAUTHORIZED or APP_ERR_FORBIDDEN (fe
 * may say why). Called for every route but the PERM_PUBLIC ones, before
 * any input of the request is validated.
 *
 * http_rate_limit_fn: APP_OK, or APP_ERR_RATE_LIMITED with
 * *retry_after_s (>= 1) set. Called for every matched route.
 */
typedef enum app_err (*http_authorize_fn)(struct request *req, struct field_error *fe);
typedef enum app_err (*http_rate_limit_fn)(struct request *req, int *retry_after_s);

struct request {
	struct app *app;
	struct arena *arena;
	const struct route *route;
	int route_index; /* index in the route table, -1 when unmatched */
	int method;
	const char *method_name;
	const char *path;  /* URL-decoded path without query, normalised */
	const char *query; /* raw query string ("" when none) */
	const char *request_id;
	const char *remote_addr; /* the client as nginx saw it */
	char *const *env;        /* FastCGI parameters, "NAME=value" */
	const char *body;        /* NUL-terminated copy, body_len bytes */
	size_t body_len;
	cJSON *json; /* parsed body for BODY_JSON routes; owned by the arena */
	struct param_value path_params[MAX_PATH_PARAMS];
	int npath;
	struct param_value query_params[MAX_QUERY_PARAMS];
	int nquery;
	int64_t started_us;
	struct principal *who; /* set by the dispatcher for non-public routes */
	struct purge_key *purge; /* Redis keys to delete after the handler */
};

struct purge_key {
	const char *key;
	struct purge_key *next;
};

struct response {
	int status;
	const char *content_type; /* default application/json */
	struct buf headers;       /* extra "Name: value\r\n" lines */
	struct buf body;
};

/* A FastCGI parameter (e.g. "REQUEST_METHOD") or NULL. */
const char *req_env(const struct request *r, const char *name);
/* An HTTP request header by its HTTP name ("Accept-Language"), or NULL. */
const char *req_header(const struct request *r, const char *name);
/* A validated path or query parameter, or NULL when absent. */
const struct param_value *req_path(const struct request *r, const char *name);
const struct param_value *req_query(const struct request *r, const char *name);

/* Add a response header. Names must be tokens; values with CR, LF or NUL
 * are refused (returns -1, header not added). */
int res_header(struct response *res, const char *name, const char *value);

#endif
