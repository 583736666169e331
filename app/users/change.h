/*
 * change: a change to an account's own fields, shared by PUT /users/me
 * and PATCH /admin/users/{id} (SPEC §2.1). Internal to app/users.
 *
 * Input rules:
 *   display_name  1 to 100 characters without control characters, or null
 *                 (clears it)
 *   email         an email address, unique among live accounts (409 naming
 *                 "email"); a changed address is no longer verified
 *   locale        2 to 35 bytes, BCP 47 shaped ("en", "pt-BR", "zh-Hant-TW")
 *   timezone      1 to 64 bytes of letters, digits and _ + - / starting
 *                 with a letter ("Europe/Berlin", "Etc/GMT+5")
 *   is_active     boolean (admin only; false revokes every session)
 * Unknown fields, wrong types and null for a field that cannot be null are
 * 400 naming the field. Changes and their audit row are one transaction.
 */
#ifndef REVENGE_USERS_CHANGE_H
#define REVENGE_USERS_CHANGE_H

#include <stdbool.h>

#include "http/http.h"

struct user_change {
	bool set_display;                      /* display_name was given */
	const char *display;                   /* NULL clears it */
	const char *email, *locale, *timezone; /* NULL: unchanged */
	int active;                            /* -1 unchanged, else 0/1 */
};

/* Read a change from a JSON body whose members must be among allowed
 * (NULL-terminated). Strings point into body. APP_ERR_VALIDATION naming
 * the field. */
enum app_err user_change_parse(const cJSON *body, const char *const *allowed,
                               struct user_change *ch, struct field_error *fe);

/* Apply ch to account id in one transaction with its audit row (action
 * names it), then answer the account (full) in res. Disabling revokes
 * every session of the account. APP_ERR_NOT_FOUND ("no such user"),
 * APP_ERR_CONFLICT naming email, or a database error. */
enum app_err user_change_apply(struct request *req, struct response *res, const char *id,
                               const struct user_change *ch, const char *action,
                               struct field_error *fe);

/* APP_ERR_VALIDATION naming key when obj has key as JSON null. */
enum app_err user_refuse_null(const cJSON *obj, const char *key, struct field_error *fe);

#endif
