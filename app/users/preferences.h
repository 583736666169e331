/*
 * preferences: the caller's preferences (/api/v1/users/me/preferences;
 * SPEC §2.1). The row is created with its defaults when missing.
 */
#ifndef REVENGE_USERS_PREFERENCES_H
#define REVENGE_USERS_PREFERENCES_H

#include "http/http.h"

/* GET and PUT /api/v1/users/me/preferences. PUT changes only the fields it
 * is given and answers every preference:
 *   theme                               system | light | dark
 *   display_language, metadata_language ISO 639-1 ("en"); metadata_language
 *                                       may be null (follow Accept-Language)
 *   content_languages                   up to 10 distinct ISO 639-1 codes
 *   show_adult, show_spoilers, autoplay, allow_unrated   booleans
 *   max_age_rating                      0..21 or null (no limit)
 *   rating_country                      ISO 3166-1 alpha-2 ("US")
 * max_age_rating, rating_country and allow_unrated may be locked by an
 * administrator (users/parental.h): changing a locked one is a 403 naming
 * it, and nothing of the request is written. */
extern const struct body_field users_update_preferences_body[];
enum app_err users_get_preferences(struct request *req, struct response *res,
                                   struct field_error *fe);
enum app_err users_update_preferences(struct request *req, struct response *res,
                                      struct field_error *fe);

/* body_field check of an ISO 3166-1 alpha-2 country ("US"). */
enum app_err users_check_country(const char *s, const char *field, struct field_error *fe);

#endif
