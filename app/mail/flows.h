/*
 * flows: the account mails' tokens and routes (SPEC §2.2; docs/internals/
 * mail.md) — forgot password, reset password, address verification.
 *
 * A token is "rvm_" + 43 base64url characters (256 random bits). Only its
 * SHA-256 (hex) is stored, in email_tokens with the account, the purpose,
 * the address it went to, the client address and the expiry (1 h for a
 * reset, 24 h for a verification); it is used once. The token itself is
 * sealed (core/crypto.h, auth.secret_key, aad "email_token:<id>") into the
 * args of the mail.send job queued in the same statement, which opens it
 * only to put it into the link (app/mail/send.h).
 *
 * Account mails need mail.smtp_host, mail.from and auth.secret_key
 * (mail_enabled); without them no token is made and no job queued: the
 * public routes answer as usual, the resend route 409.
 */
#ifndef REVENGE_MAIL_FLOWS_H
#define REVENGE_MAIL_FLOWS_H

#include <stdbool.h>

#include "core/config.h"
#include "core/crypto.h"
#include "http/http.h"

#define MAIL_TOKEN_PREFIX "rvm_"
#define MAIL_TOKEN_LEN CRYPTO_TOKEN_LEN /* prefix + 43 */

/* Whether account mails can go out with cfg: an SMTP host, a sender and a
 * secret key to seal the tokens with. */
bool mail_enabled(const struct config *cfg);

/* The aad a token is sealed with in its job's args ("email_token:<id>",
 * in a). */
const char *mail_token_aad(struct arena *a, const char *token_id);

/*
 * Queue a verification mail for account user_id to its current address,
 * inside the caller's transaction (registration, a changed address): a
 * new token replaces the account's unused ones. Does nothing when mail is
 * not enabled, the address is verified already, or the account had
 * mail.address_limit verification mails in the last hour. Errors: those
 * of the database.
 */
enum app_err mail_verify_queue(struct request *req, const char *user_id);

/*
 * POST /api/v1/auth/forgot-password {"email"}: always 204 — for an
 * unknown address, a disabled account, an account past
 * mail.address_limit reset mails this hour, or with mail not enabled —
 * and the same statements run whichever it is. For a known active
 * account below the limit: a reset token (1 h; earlier unused ones
 * revoked) and its mail.send job. 429 + Retry-After once the client
 * address made mail.ip_limit requests in the last hour.
 */
extern const struct body_field mail_forgot_body[];
enum app_err mail_forgot(struct request *req, struct response *res, struct field_error *fe);

/*
 * POST /api/v1/auth/reset-password {"token", "password"}: one
 * transaction sets the new password (Argon2id), consumes the token,
 * revokes every session of the account, clears its login failures, marks
 * the address verified when the token went to the current address, and
 * writes `user.password_reset`. 204; 400 naming token when it is unknown,
 * expired, used or revoked (nothing written).
 */
extern const struct body_field mail_reset_body[];
enum app_err mail_reset(struct request *req, struct response *res, struct field_error *fe);

/*
 * POST /api/v1/auth/verify-email {"token"}: marks the address verified
 * when the token is live and was sent to the account's current address;
 * `user.email_verified` audited. 204; 400 naming token otherwise.
 */
extern const struct body_field mail_verify_body[];
enum app_err mail_verify(struct request *req, struct response *res, struct field_error *fe);

/*
 * POST /api/v1/users/me/verify-email: send the caller a new verification
 * mail. 202; 409 naming email when it is verified already, 409 naming
 * no field when mail is not enabled on this server (a state of the
 * server, not an outage: 503 would invite retries); 429 + Retry-After
 * past mail.address_limit an hour.
 */
enum app_err mail_verify_resend(struct request *req, struct response *res, struct field_error *fe);

#endif
