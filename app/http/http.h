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

/*
 * Types a member of a JSON request body can be declared with. The
 * dispatcher checks the body against the route's table (body_validate in
 * http/body.h) before the handler runs, and answers 400 naming the member
 * ("display_name", "paths[2]", "filter.kind") when it does not fit:
 *
 *   BT_STRING  a string of min..max bytes (max 0 = 256); with .chars the
 *              bounds count characters; with .text control characters
 *              are refused
 *   BT_INT     an integer (no fraction, within 2^53) in [min, max]
 *   BT_BOOL    true or false
 *   BT_UUID    a canonical UUID string; written back in lower case
 *   BT_ENUM    a string, one of choices
 *   BT_LANG    an ISO 639-1 language code ("en", core/lang.h)
 *   BT_ARRAY   min..max items (max 0 = 100), each checked against *items;
 *              with .unique no item may equal an earlier one
 *   BT_OBJECT  an object, checked against .fields when given
 *   BT_ANY     any JSON value without non-finite numbers
 *
 * JSON null: by default a null member counts as absent (so "is required"
 * when required); BN_REFUSE answers "must not be null"; BN_ALLOW hands the
 * null to the handler, for members where null means something ("clear
 * it"). Members the table does not name are refused ("unknown field").
 * A string-valued member may also name a check function for a rule of its
 * domain (an email address, a role name); it runs after the type checks.
 */
enum body_type { BT_STRING, BT_INT, BT_BOOL, BT_UUID, BT_ENUM, BT_LANG, BT_ARRAY, BT_OBJECT, BT_ANY };
enum body_null { BN_ABSENT = 0, BN_REFUSE, BN_ALLOW };

/* A rule on a string value: APP_OK, or APP_ERR_VALIDATION naming field. */
typedef enum app_err (*body_check_fn)(const char *value, const char *field,
				      struct field_error *fe);

struct body_field {
	const char *name; /* NULL ends a table; not used for array items */
	enum body_type type;
	bool required;
	enum body_null null;
	int64_t min, max;               /* see enum body_type */
	bool chars;                     /* BT_STRING: bounds count characters */
	bool text;                      /* BT_STRING: no control characters */
	bool unique;                    /* BT_ARRAY: no repeated item */
	const char *const *choices;     /* BT_ENUM, NULL-terminated */
	const struct body_field *items; /* BT_ARRAY: what every item is */
	const struct body_field *fields; /* BT_OBJECT: its members, NULL = any */
	body_check_fn check;            /* string-valued types: a further rule */
	const char *doc;
};

#define MAX_PATH_PARAMS 4
#define MAX_QUERY_PARAMS 24

/* BODY_RAW: the handler reads req->body as it came (an image upload);
 * documented with a requestBody like a JSON body */
enum body_kind { BODY_NONE = 0, BODY_JSON, BODY_RAW };

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
	/* BODY_JSON routes: the body's members, {NULL} terminated, checked by
	 * the dispatcher; NULL = the handler checks the body itself */
	const struct body_field *body_spec;
	/* largest request body (413 beyond); 0 = server.max_body_size; only
	 * a larger value has an effect (the FastCGI edge reads no more) */
	int64_t max_body;
};

/* The stricter rate limit of the authentication routes applies. */
#define ROUTE_AUTH_LIMIT 0x1u
/* Not the per-address limit of every route: the handler limits its own
 * failures (auth/ratelimit.h, ratelimit_failure). */
#define ROUTE_OWN_LIMIT 0x2u

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

/* Members of a JSON body (req->json), for handlers whose route declares
 * them (the dispatcher has checked types and bounds):
 *   req_body      the member as given, JSON null included; NULL when absent
 *   req_body_str  a string member; NULL when absent or null
 *   req_body_int  true and *out set when the member is a number
 *   req_body_bool true and *out set when the member is true or false
 *   req_body_null true when the member is given as null */
const cJSON *req_body(const struct request *r, const char *name);
const char *req_body_str(const struct request *r, const char *name);
bool req_body_int(const struct request *r, const char *name, int64_t *out);
bool req_body_bool(const struct request *r, const char *name, bool *out);
bool req_body_null(const struct request *r, const char *name);

/* Add a response header. Names must be tokens; values with CR, LF or NUL
 * are refused (returns -1, header not added). */
int res_header(struct response *res, const char *name, const char *value);

#endif
