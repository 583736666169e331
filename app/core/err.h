/*
 * One error enum for the whole program, mapped to HTTP in one place
 * (err.c). Functions return enum app_err; APP_OK is 0 so `if (err)` reads
 * naturally.
 */
#ifndef REVENGE_CORE_ERR_H
#define REVENGE_CORE_ERR_H

enum app_err {
	APP_OK = 0,
	APP_ERR_BAD_REQUEST,    /* 400 malformed syntax (JSON, query string) */
	APP_ERR_VALIDATION,     /* 400 a field has a bad value */
	APP_ERR_UNAUTHORIZED,   /* 401 */
	APP_ERR_FORBIDDEN,      /* 403 */
	APP_ERR_NOT_FOUND,      /* 404 */
	APP_ERR_METHOD,         /* 405 */
	APP_ERR_NOT_ACCEPTABLE, /* 406 */
	APP_ERR_CONFLICT,       /* 409 */
	APP_ERR_GONE,           /* 410 */
	APP_ERR_PRECONDITION,   /* 412 */
	APP_ERR_TOO_LARGE,      /* 413 */
	APP_ERR_UNSUPPORTED,    /* 415 unsupported media type */
	APP_ERR_RANGE,          /* 416 */
	APP_ERR_UNPROCESSABLE,  /* 422 */
	APP_ERR_LOCKED,         /* 423 */
	APP_ERR_RATE_LIMITED,   /* 429 */
	APP_ERR_INTERNAL,       /* 500 programming or unexpected error */
	APP_ERR_NOMEM,          /* 500 allocation failed or a cap was hit */
	APP_ERR_DB,             /* 503 PostgreSQL unreachable or failed */
	APP_ERR_CACHE,          /* 503 Redis unreachable or failed */
	APP_ERR_UNAVAILABLE,    /* 503 not ready, shutting down */
	APP_ERR__COUNT
};

/* HTTP status for an error (200 for APP_OK). */
int app_err_status(enum app_err e);
/* Short human title, e.g. "Not Found". Never NULL. */
const char *app_err_title(enum app_err e);
/* Stable machine slug used in problem+json `type`, e.g. "not-found". */
const char *app_err_slug(enum app_err e);
/* Reason phrase for any HTTP status code ("OK", "Created", ...); "Unknown" otherwise. */
const char *http_reason(int status);

#endif
