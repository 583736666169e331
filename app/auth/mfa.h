/*
 * mfa: the second factor of a login (SPEC §2.4): TOTP (auth/totp.h) with
 * ten single-use backup codes, behind /api/v1/mfa/... and the second step
 * of a login, POST /api/v1/auth/mfa. The design is in
 * docs/internals/auth.md ("Multi-factor authentication").
 *
 * Secrets: the TOTP secret is sealed with AES-256-GCM under
 * auth.secret_key (aad "mfa:totp:<user id>"); backup codes and challenge
 * tokens are stored as SHA-256 only. A code is accepted for the time steps
 * now-1..now+1 and never twice: the step is recorded with a guarded UPDATE
 * (last_step < step), so two requests with one code cannot both pass.
 *
 * Management needs a session: API keys read the status only (403 naming
 * X-API-Key otherwise), and an API key never meets a second factor.
 */
#ifndef REVENGE_AUTH_MFA_H
#define REVENGE_AUTH_MFA_H

#include <stdbool.h>

#include "http/http.h"

/* The header carrying a login's challenge token to setup and verify, for
 * an account that must set MFA up before its first session. */
#define MFA_TOKEN_HEADER "X-MFA-Token"
#define MFA_CHALLENGE_TTL 300    /* seconds */
#define MFA_CHALLENGE_ATTEMPTS 5 /* wrong codes before a challenge is dead */
#define MFA_BACKUP_CODES 10

extern const struct body_field mfa_verify_body[];
extern const struct body_field mfa_confirm_body[]; /* disable, regenerate */
extern const struct body_field auth_mfa_body[];

/*
 * The login's gate, after the password was verified: when the account has
 * TOTP enabled, or holds a role with mfa_required, a challenge is made and
 * answered (200 {mfa_required: true, mfa_token, expires_in, methods,
 * mfa_setup_required?}), *challenged set, and no session exists yet.
 * Otherwise nothing is written and *challenged stays false.
 */
enum app_err mfa_login_gate(struct request *req, struct response *res, const char *user_id,
                            const char *device, bool cookie, bool *challenged);

/* auth_check_route's path for setup and verify called with X-MFA-Token
 * instead of a session: a live challenge of an account that must set MFA
 * up fills req->who (via AUTH_MFA_TOKEN); APP_ERR_UNAUTHORIZED naming the
 * header otherwise. */
enum app_err mfa_authorize_token(struct request *req, struct field_error *fe);
/* Do the route's handler take X-MFA-Token? */
bool mfa_route_takes_token(const struct request *req);

/* GET /mfa/status: {enabled, pending, backup_codes_remaining,
 * required_by_role, enabled_at}. */
enum app_err mfa_status(struct request *req, struct response *res, struct field_error *fe);
/* POST /mfa/totp/setup: a new pending secret (409 while enabled) and
 * {secret, otpauth_url, qr_svg, algorithm, digits, period}. */
enum app_err mfa_totp_setup(struct request *req, struct response *res, struct field_error *fe);
/* POST /mfa/totp/verify {code}: enables the pending secret and answers
 * {enabled, backup_codes} (shown once); with X-MFA-Token the answer is the
 * login's, with backup_codes added. */
enum app_err mfa_totp_verify(struct request *req, struct response *res, struct field_error *fe);
/* DELETE /mfa/totp {code | password}: 204; 403 while a role requires MFA. */
enum app_err mfa_totp_disable(struct request *req, struct response *res, struct field_error *fe);
/* POST /mfa/backup-codes/regenerate {code | password}: {backup_codes}. */
enum app_err mfa_backup_regenerate(struct request *req, struct response *res,
                                   struct field_error *fe);
/* POST /auth/mfa {mfa_token, code | backup_code}: the login's answer. */
enum app_err auth_mfa(struct request *req, struct response *res, struct field_error *fe);

#endif
