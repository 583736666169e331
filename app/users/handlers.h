/*
 * The /api/v1/users/... and /api/v1/admin/users/... endpoints (SPEC §2.1).
 *
 * Every handler runs after the dispatcher's permission check, so req->who
 * is set. Input rules shared by PUT /users/me and PATCH /admin/users/{id}:
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
#ifndef REVENGE_USERS_HANDLERS_H
#define REVENGE_USERS_HANDLERS_H

#include "http/http.h"

/* Query parameters of GET /api/v1/admin/users: q, is_active, role, sort
 * and the page parameters. */
extern const struct param_spec users_admin_list_query[];

/* GET /api/v1/users/me: the caller's account (full). */
enum app_err users_me(struct request *req, struct response *res, struct field_error *fe);

/* PUT /api/v1/users/me: change display_name, email, locale, timezone (any
 * subset); answers the updated account. Audit `user.update` with the
 * changed fields' old and new values. */
enum app_err users_update_me(struct request *req, struct response *res, struct field_error *fe);

/* GET and PUT /api/v1/users/me/preferences. The row is created with its
 * defaults when missing. PUT changes only the fields it is given:
 *   theme                               system | light | dark
 *   display_language, metadata_language ISO 639-1 ("en")
 *   content_languages                   up to 10 distinct ISO 639-1 codes
 *   show_adult, show_spoilers, autoplay, allow_unrated   booleans
 *   max_age_rating                      0..21 or null (no limit)
 *   rating_country                      ISO 3166-1 alpha-2 ("US") */
enum app_err users_get_preferences(struct request *req, struct response *res,
                                   struct field_error *fe);
enum app_err users_update_preferences(struct request *req, struct response *res,
                                      struct field_error *fe);

/* GET /api/v1/users/{id}: public profile; 404 for unknown or deleted. */
enum app_err users_get(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/admin/users: full accounts, filtered by q (substring of
 * username, email or display name, any case), is_active and role, sorted
 * by created_at (default) or username, paginated (cursor or offset). */
enum app_err users_admin_list(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/admin/users/{id}: one full account (404 when deleted). */
enum app_err users_admin_get(struct request *req, struct response *res, struct field_error *fe);

/* PATCH /api/v1/admin/users/{id}: is_active, display_name, email. An admin
 * cannot disable their own account (409). Audit `admin.user.update`. */
enum app_err users_admin_update(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/admin/users/{id}: soft delete; every session and API key
 * of the account is revoked; 204; 404 once deleted; 409 for oneself.
 * Audit `admin.user.delete`. */
enum app_err users_admin_delete(struct request *req, struct response *res, struct field_error *fe);

#endif
