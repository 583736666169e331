/*
 * session: access/refresh token pairs. PostgreSQL is authoritative; Redis
 * caches each live session (write-through on create, delete on revoke) so
 * an authenticated request costs one Redis GET; with Redis down every
 * lookup goes to PostgreSQL and nothing else changes.
 */
#ifndef REVENGE_AUTH_SESSION_H
#define REVENGE_AUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"

struct session_tokens {
	char id[37];
	char access[48];  /* "rvs_" + 43 base64url chars (256 random bits) */
	char refresh[48]; /* "rvr_" + 43 */
	char csrf[44];
	int64_t expires_in; /* seconds */
};

/* Create a session for user_id (run inside the caller's transaction);
 * revokes the user's oldest live sessions beyond auth.max_sessions. The
 * Redis entry is written after the caller commits: call session_cache(). */
enum app_err session_create(struct request *req, const char *user_id, const char *device,
			    bool cookie, struct session_tokens *out);

/* Write the new session into Redis (best effort). */
void session_cache(struct request *req, const char *user_id, const struct session_tokens *t);

/* Add the rendered account to the caller's cached session entry, unless
 * the user's cache generation moved on from gen (read before the account
 * was loaded). */
void session_cache_profile(struct request *req, const struct principal *who, const char *json,
			   const char *gen);

/* Resolve an access token into who (user_id, session_id). */
enum app_err session_resolve(struct request *req, const char *token, struct principal *who);

/*
 * Exchange a refresh token: one transaction creates the new session (of
 * the same family), revokes the old one, and keeps the old refresh token's
 * hash until its refresh lifetime ends (session_rotations).
 * APP_ERR_UNAUTHORIZED for an unknown, revoked or expired refresh token.
 * user_id_out receives the owner.
 *
 * Reuse: a refresh token that was already exchanged means two parties
 * hold the family (a stolen token, or a client that lost the answer).
 * Every live session of the family is then revoked (the newest included),
 * `session.refresh_reuse` is audited, both committed, and the answer is
 * APP_ERR_UNAUTHORIZED with *reused set. Two concurrent exchanges of one
 * token count as reuse too: the loser revokes the winner's session.
 */
enum app_err session_refresh(struct request *req, const char *refresh, struct session_tokens *out,
			     char user_id_out[37], bool *reused);

/* Revoke one session of user_id (APP_ERR_NOT_FOUND when it is not theirs
 * or already revoked). */
enum app_err session_revoke(struct request *req, const char *user_id, const char *session_id,
			    const char *reason);

/* Revoke every live session of user_id except `except` (may be NULL);
 * *count (may be NULL) receives how many. */
enum app_err session_revoke_all(struct request *req, const char *user_id, const char *except,
				const char *reason, int *count);

/* Set-Cookie headers for cookie mode, and the ones that clear them. */
void session_set_cookies(struct request *req, struct response *res, const struct session_tokens *t);
void session_clear_cookies(struct request *req, struct response *res);

#endif
