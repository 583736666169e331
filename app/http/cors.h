/*
 * cors: Cross-Origin Resource Sharing for web clients served from another
 * origin (https://fetch.spec.whatwg.org/#http-cors-protocol), driven by
 * http.cors_origins.
 *
 * Only origins on the list get CORS headers, each its own value echoed
 * with Access-Control-Allow-Credentials: true; there is no wildcard, since
 * "*" together with credentials would let any site act as the user. An
 * unlisted (or absent) Origin gets no CORS header at all, and the browser
 * keeps the answer from the page. While the list is set every response
 * carries Vary: Origin, so a cache never hands one origin's answer to
 * another.
 */
#ifndef REVENGE_HTTP_CORS_H
#define REVENGE_HTTP_CORS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

/* The request headers a preflight may ask for: every header the API reads
 * beyond the CORS-safelisted ones. */
#define CORS_ALLOW_HEADERS                                                                         \
	"Authorization, Content-Type, If-None-Match, Range, X-API-Key, X-CSRF-Token, "             \
	"X-MFA-Token, "                                                                            \
	"X-Request-ID"
/* Response headers a page's script may read beyond the safelisted ones. */
#define CORS_EXPOSE_HEADERS "ETag, Location, Retry-After, WWW-Authenticate, X-Request-ID"

/*
 * Check an http.cors_origins value: one or more origins separated by
 * commas (blanks around them are ignored), each "http://" or "https://",
 * a host (letters, digits, '.', '-', or a bracketed IPv6 address) and an
 * optional ":port" (1..65535), nothing after it (no path, not even "/").
 * 0 when valid; -1 with a sentence naming the offending item in why
 * (whylen bytes, always NUL-terminated) otherwise. NULL is valid (unset).
 */
int cors_origins_check(const char *list, char *why, size_t whylen);

/* Is origin (an Origin header value) one of list? Items compare whole and
 * ASCII case-insensitively (browsers send scheme and host in lower case;
 * the configuration may not). NULL list or origin: false. */
bool cors_origin_listed(const char *list, const char *origin);

/*
 * Apply CORS to req before it is dispatched, per the configuration in
 * req->app->cfg. A preflight from a listed origin (OPTIONS with Origin and
 * Access-Control-Request-Method) for a method some route at req->path
 * takes is answered here: res becomes 204 with the Allow-Origin,
 * Allow-Credentials, Allow-Methods (the path's methods), Allow-Headers and
 * Max-Age headers, and the function returns true; the caller sends res as
 * it is. Otherwise returns false after adding to res the headers every
 * response to req carries (Allow-Origin, Allow-Credentials and
 * Expose-Headers for a listed origin; Vary: Origin whenever the list is
 * set), and the request goes on; a preflight that was not answered meets
 * the router's 404/405 like any OPTIONS request.
 */
bool http_cors(struct request *req, struct response *res);

#endif
