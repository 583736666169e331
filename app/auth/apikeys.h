/*
 * apikeys: a user's API keys (SPEC §2.3), /api/v1/apikeys/...
 *
 * A key is "rv_" + 64 lower-case hex digits (32 random bytes). Only its
 * SHA-256 is stored, with the 8 characters after "rv_" as a prefix the
 * owner can recognise it by. The key itself appears exactly once, in the
 * answer to its creation; it is never logged or audited.
 *
 * Metadata as the API shows it:
 *   {"id", "name", "prefix", "scopes", "expires_at", "last_used_at",
 *    "created_at"}
 * A key is live while it is neither revoked nor expired; the list shows
 * live keys and at most APIKEYS_MAX of them may exist per account. GET and
 * DELETE by id also reach an expired (but not revoked) key. Keys of other
 * accounts are answered like unknown ids (404).
 */
#ifndef REVENGE_AUTH_APIKEYS_H
#define REVENGE_AUTH_APIKEYS_H

#include "http/http.h"

#define APIKEYS_MAX 10

/* PAGE_PARAMS. */
extern const struct param_spec apikeys_list_query[];

/* GET /api/v1/apikeys: the caller's live keys, newest first. */
enum app_err apikeys_list(struct request *req, struct response *res, struct field_error *fe);

/*
 * POST /api/v1/apikeys {"name", "scopes", "expires_at"? | "expires_in_days"?}
 *   name             1 to 100 characters, no control characters
 *   scopes           non-empty array of distinct "read", "write", "admin";
 *                    "admin" needs the admin:* permission, and a request
 *                    made with an API key cannot grant scopes it lacks
 *                    (403 naming scopes)
 *   expires_at       RFC 3339 timestamp in the future, or
 *   expires_in_days  1..3650 (not both; neither: no expiry)
 * 201 with the metadata plus "key"; 409 past APIKEYS_MAX live keys. Audit
 * `apikey.create`. apikeys_create_body declares the members; the rules that
 * span members or need the database stay in the handler.
 */
extern const struct body_field apikeys_create_body[];
enum app_err apikeys_create(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/apikeys/{id}: one of the caller's keys (not revoked). */
enum app_err apikeys_get(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/apikeys/{id}: revoke; 204; 404 when already revoked.
 * Audit `apikey.revoke`. */
enum app_err apikeys_revoke(struct request *req, struct response *res, struct field_error *fe);

#endif
