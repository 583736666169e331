/*
 * parental: parental control as administrators set it (issue 14, item 5;
 * SPEC §4.4). The limits themselves are three preferences of the account
 * (users/preferences.h): max_age_rating, rating_country, allow_unrated.
 * An administrator sets them here and may lock them
 * (user_preferences.parental_locked, migration 0012); while locked, the
 * account's own PUT /users/me/preferences that would change one of them is
 * a 403 naming that member and writes nothing.
 *
 * The limits apply everywhere an item can show: the catalog (lists,
 * search, detail, streams: catalog/catalog.h) and the lists outside it
 * (unmatched files, scan errors: SQL function parental_hides).
 */
#ifndef REVENGE_USERS_PARENTAL_H
#define REVENGE_USERS_PARENTAL_H

#include "http/http.h"

/*
 * The limits of an account as JSON:
 *   {user_id, max_age_rating (0..21 or null), rating_country,
 *    allow_unrated, locked, updated_at}
 */

/* GET /api/v1/admin/users/{id}/parental: 404 naming id for an unknown or
 * deleted account (the preferences row is made with its defaults when
 * missing). */
enum app_err users_parental_get(struct request *req, struct response *res, struct field_error *fe);

/* PUT /api/v1/admin/users/{id}/parental {max_age_rating?, rating_country?,
 * allow_unrated?, locked?}: absent members keep their value
 * (max_age_rating null: no limit). One transaction with the audit row
 * admin.user.parental (old and new values). 200 with the limits. */
extern const struct body_field users_parental_body[];
enum app_err users_parental_put(struct request *req, struct response *res, struct field_error *fe);

/*
 * For PUT /users/me/preferences, inside its transaction: when the
 * caller's limits are locked, is one of the members given set to a value
 * other than the current one? APP_OK (nothing locked, or no change);
 * APP_ERR_FORBIDDEN naming the member; APP_ERR_DB. Locks the row
 * (FOR UPDATE) so an administrator's change cannot slip in between.
 */
enum app_err users_parental_check_self(struct request *req, struct field_error *fe);

#endif
