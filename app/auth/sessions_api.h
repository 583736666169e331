/*
 * sessions_api: a user's view of their own sessions (SPEC §2.3),
 * /api/v1/sessions/...
 *
 * A session as the API shows it:
 *   {"id", "device_name", "ip", "user_agent", "created_at",
 *    "last_active_at", "expires_at", "current"}
 * where current is true for the session the request was made with. Only
 * live sessions (not revoked, not expired) are listed. Another user's
 * session id is answered like an unknown one (404), so ids reveal nothing.
 * A request made with an API key has no current session: the /current
 * routes answer 404 for it.
 */
#ifndef REVENGE_AUTH_SESSIONS_API_H
#define REVENGE_AUTH_SESSIONS_API_H

#include "http/http.h"

/* PAGE_PARAMS. */
extern const struct param_spec sessions_list_query[];

/* GET /api/v1/sessions: the caller's live sessions, newest first. */
enum app_err sessions_list(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/sessions: revoke every session of the caller, the current
 * one included; 204; audit `session.revoke_all`. */
enum app_err sessions_revoke_all(struct request *req, struct response *res, struct field_error *fe);

/* GET /api/v1/sessions/current. */
enum app_err sessions_current(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/sessions/current: log out (clears the cookies); 204;
 * audit `user.logout`. */
enum app_err sessions_revoke_current(struct request *req, struct response *res,
                                     struct field_error *fe);

/* DELETE /api/v1/sessions/{id}: revoke one of the caller's sessions; 204;
 * audit `session.revoke`. */
enum app_err sessions_revoke(struct request *req, struct response *res, struct field_error *fe);

#endif
