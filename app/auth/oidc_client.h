/*
 * oidc_client: what Revenge asks an OpenID provider over HTTP (libcurl):
 * its discovery document, its key set, and the exchange of an
 * authorization code. No cookies, no redirects followed, at most
 * OIDC_MAX_RESPONSE bytes, OIDC_TIMEOUT_MS per request.
 *
 * Discovery documents and key sets are cached in the process for
 * OIDC_CACHE_TTL_S per issuer; a key set is fetched again (once per
 * callback) when a token names a key it does not hold, which is how a
 * provider's key rotation reaches us.
 *
 * Addresses: the issuer and every endpoint must be https://, except on a
 * loopback host (127.0.0.1, ::1, localhost), where http:// is allowed for
 * a provider on the same machine (and the tests).
 */
#ifndef REVENGE_AUTH_OIDC_CLIENT_H
#define REVENGE_AUTH_OIDC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "core/err.h"

#define OIDC_MAX_RESPONSE (256u * 1024)
#define OIDC_TIMEOUT_MS 10000L
#define OIDC_CACHE_TTL_S 3600

/* The members of a discovery document Revenge uses; strings point into
 * the process cache and stay valid until the next oidc_discover call. */
struct oidc_meta {
	const char *issuer;
	const char *authorization_endpoint;
	const char *token_endpoint;
	const char *jwks_uri;
	bool secret_post; /* the provider takes client_secret_post, not _basic */
};

/* Is url an https:// URL, or an http:// URL on a loopback host? */
bool oidc_url_allowed(const char *url);

/* The discovery document of issuer ({issuer}/.well-known/openid-configuration),
 * cached. The document's issuer must equal the configured one exactly, and
 * its endpoints pass oidc_url_allowed. APP_OK; APP_ERR_UNAVAILABLE when the
 * provider cannot be reached or answers badly, with err saying why. */
enum app_err oidc_discover(const char *issuer, struct oidc_meta *m, char *err, size_t errlen);

/* The key set of m (cached; refresh: fetch it again first). *out points
 * into the cache, valid until the next call. APP_OK or APP_ERR_UNAVAILABLE. */
enum app_err oidc_jwks(const struct oidc_meta *m, bool refresh, const cJSON **out, char *err,
                       size_t errlen);

/* POST the authorization code to the token endpoint (grant_type
 * authorization_code, with the PKCE verifier; the client authenticated
 * with secret by _basic or _post as m says, or as a public client when
 * secret is NULL). *out: the answer (the caller deletes it) when the
 * provider answered 200 with a JSON object. APP_ERR_UNAUTHORIZED when the
 * provider refused the code (4xx), APP_ERR_UNAVAILABLE when it could not
 * be asked; err says why. */
enum app_err oidc_exchange_code(const struct oidc_meta *m, const char *client_id,
                                const char *secret, const char *code, const char *redirect_uri,
                                const char *verifier, cJSON **out, char *err, size_t errlen);

/* Forget the cache (tests). */
void oidc_cache_clear(void);

#endif
