/*
 * change: a change to an account's own fields, shared by PUT /users/me
 * and PATCH /admin/users/{id} (SPEC §2.1). Internal to app/users.
 *
 * The members a body may carry are declared as the USER_FIELD_* entries
 * of users/user.h, which the routes' body tables use, so the dispatcher has checked
 * them before a handler reads them. Changes and their audit row are one
 * transaction.
 */
#ifndef REVENGE_USERS_CHANGE_H
#define REVENGE_USERS_CHANGE_H

#include <stdbool.h>

#include "http/http.h"
#include "users/user.h"

struct user_change {
	bool set_display;                      /* display_name was given */
	const char *display;                   /* NULL clears it */
	const char *email, *locale, *timezone; /* NULL: unchanged */
	int active;                            /* -1 unchanged, else 0/1 */
};

/* Read the change from req's body, which the route's table has checked
 * (USER_FIELD_*). Strings point into the body. */
void user_change_read(const struct request *req, struct user_change *ch);

/* Apply ch to account id in one transaction with its audit row (action
 * names it), then answer the account (full) in res. Disabling revokes
 * every session of the account. APP_ERR_NOT_FOUND ("no such user"),
 * APP_ERR_CONFLICT naming email, or a database error. */
enum app_err user_change_apply(struct request *req, struct response *res, const char *id,
                               const struct user_change *ch, const char *action,
                               struct field_error *fe);

#endif
