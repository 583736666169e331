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

#include "http/http.h"

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

/* Insert one row (IP, user agent and request id come from req). */
enum app_err audit_write(struct request *req, const struct audit_entry *e);

#endif
