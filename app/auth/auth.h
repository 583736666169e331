/*
 * auth: who is calling, and may they call this route.
 *
 * Credentials, in the order they are looked for:
 *   Authorization: Bearer rvs_…   an access token (sessions.token_hash)
 *   X-API-Key: rv_<64 hex>        an API key (api_keys.key_hash)
 *   Cookie: revenge_session=rvs_… the same access token in cookie mode; a
 *                                 state-changing request must also carry
 *                                 X-CSRF-Token derived from that token
 * Only SHA-256 hashes of tokens and keys are stored or cached.
 *
 * The permission check for every route happens in one place, the
 * dispatcher, through auth_check_route(); handlers never check route
 * permissions themselves (they may check finer rules, e.g. "own session").
 */
#ifndef REVENGE_AUTH_AUTH_H
#define REVENGE_AUTH_AUTH_H

#include <stdbool.h>

#include "http/http.h"

#define SESSION_COOKIE "revenge_session"
#define CSRF_COOKIE "revenge_csrf"
#define CSRF_HEADER "X-CSRF-Token"

/* AUTH_MFA_TOKEN: a login's challenge token (auth/mfa.h), accepted by the
 * MFA setup and verify routes only, for accounts that must set MFA up. */
enum auth_via { AUTH_NONE = 0, AUTH_BEARER, AUTH_COOKIE, AUTH_APIKEY, AUTH_MFA_TOKEN };

#define SCOPE_READ 0x1u
#define SCOPE_WRITE 0x2u
#define SCOPE_ADMIN 0x4u

struct principal {
	enum auth_via via;
	char user_id[37];
	char session_id[37]; /* bearer and cookie */
	char api_key_id[37]; /* API key */
	unsigned scopes;     /* API key scopes; all for sessions */
	const char **perms;  /* permission names, arena-owned */
	int nperms;
	bool admin; /* holds admin:* */
	bool perms_loaded;
	/* the cached session entry: its key, expiry and the rendered account
	 * (GET /users/me), which rides along so a cached request is one GET */
	const char *cache_key;
	long long expires_ms;
	const char *profile_json; /* NULL when not cached yet */
};

/*
 * Authenticate and authorise req for its route, filling req->who:
 * APP_ERR_UNAUTHORIZED without valid credentials, APP_ERR_FORBIDDEN when
 * the principal lacks the route's permission (or a cookie request lacks
 * its CSRF header, or an API key's scope does not cover the route).
 */
enum app_err auth_check_route(struct request *req, struct field_error *fe);

/* Resolve credentials only (no permission check); APP_ERR_UNAUTHORIZED when
 * none or invalid. Used by auth_check_route and by tests. */
enum app_err auth_authenticate(struct request *req, struct principal *who,
			       struct field_error *fe);

/* Does who hold perm (admin:* holds every permission)? */
bool auth_has(const struct principal *who, const char *perm);

/* Load who->perms for who->user_id: Redis first, PostgreSQL on a miss
 * (then cached for auth.session_cache_ttl). */
enum app_err auth_load_permissions(struct request *req, struct principal *who);

/* The permission names of user_id, space-separated (Redis first, then
 * PostgreSQL, cached for auth.session_cache_ttl), in the arena. *gen
 * (may be NULL) receives the user's cache generation read before the
 * source, or NULL when Redis is unreachable (then nothing may be cached). */
enum app_err auth_permission_list(struct request *req, const char *user_id, const char **list,
				  const char **gen);

/* The user's cache generation now ("0" when never bumped; NULL when Redis is
 * unreachable), and its key. Read it before reading what a cache entry is
 * built from, and write the entry with cache_set_guarded. */
const char *auth_generation(struct request *req, const char *user_id);
char *auth_generation_key(struct app *app, struct arena *a, const char *user_id);

/* Set who->perms from a space-separated list. */
enum app_err auth_set_permissions(struct request *req, struct principal *who, const char *list);

/* Drop cached permission sets: of one user, or (user_id NULL) of every
 * user holding role_id, including the copies inside their cached sessions,
 * and bump each user's generation so fills that raced with the change are
 * refused. Call after the change commits. */
void auth_forget_permissions(struct app *app, struct arena *a, const char *user_id,
			     const char *role_id);

/* The CSRF token that goes with an access token (43 base64url chars). */
void auth_csrf_for(const char *access_token, char out[44]);

/* Is a permission name granted to the built-in `user` role? Routes whose
 * permission is not are "admin routes", reachable by API keys only with
 * the admin scope. */
bool auth_is_user_permission(const char *perm);

/* The value of cookie `name` of req's Cookie header (a copy in the
 * request's arena), or NULL. */
const char *auth_cookie(struct request *req, const char *name);

#endif
