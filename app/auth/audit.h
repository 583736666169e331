/*
 * audit: the activity log (SPEC §2.7). Every security-relevant action is
 * one row: who, what, on which resource, old/new values, IP, user agent,
 * request id, success or the error.
 *
 * Write the row in the same transaction as the change it describes, so the
 * log never claims a change that rolled back (failed attempts, which change
 * nothing, are written on their own).
 */
#ifndef REVENGE_AUTH_AUDIT_H
#define REVENGE_AUTH_AUDIT_H

#include <stdbool.h>

#include "core/arena.h"
#include "db/db.h"
#include "http/http.h"

struct principal;

struct audit_entry {
	const char *user_id;       /* actor; NULL = req->who's user, or anonymous */
	const char *action;        /* "user.login", "session.revoke", ... */
	const char *resource_type; /* "user", "session", "role", ... or NULL */
	const char *resource_id;
	bool success;
	const char *error;      /* short reason when !success */
	const char *old_values; /* JSON text or NULL */
	const char *new_values; /* JSON text or NULL */
};

/* Where an action came from, for the row; every member may be NULL (a job
 * or the CLI has no address; a job passes the request id it carries). */
struct audit_origin {
	const char *ip; /* the client address as nginx saw it */
	const char *user_agent;
	const char *request_id;
};

/* Insert one row through db (the result lives in arena a). The actor is
 * e->user_id, else who's user (who may be NULL: anonymous or the system);
 * origin may be NULL. Errors: those of db_query (APP_ERR_VALIDATION for
 * values text that is not JSON). Callable from a handler, a job or the
 * CLI.
 *
 * The result must be used (the compiler refuses a call that drops it): an
 * action whose row cannot be written fails, or, when it already happened,
 * the failure is logged as `audit.write_failed` at least. */
__attribute__((warn_unused_result)) enum app_err
audit_record(struct db *db, struct arena *a, const struct principal *who,
	     const struct audit_origin *origin, const struct audit_entry *e);

/* audit_record for a request: req's caller, address, User-Agent (as
 * cleaned at the FastCGI edge: valid UTF-8, at most HTTP_HEADER_MAX bytes)
 * and request id. */
__attribute__((warn_unused_result)) enum app_err audit_write(struct request *req,
							     const struct audit_entry *e);

#endif
