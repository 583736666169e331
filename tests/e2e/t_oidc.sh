#!/usr/bin/env bash
# Single sign-on through nginx over HTTPS against a real OpenID provider
# (tests/oidc/provider.mjs: npm's oidc-provider on a free loopback port):
# an admin sets the provider up, a browser (curl with a cookie jar) logs in
# and comes back with the session cookie, which then works; a replayed
# callback and a tampered ID token are refused with problem+json.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JSON=(-H 'Content-Type: application/json')
SLUG="e2e-$$"
# the redirect URI Revenge sends: http.public_url, else https://<server_name>
PUBLIC=$(conf_value http public_url "https://$(conf_value http server_name localhost)")
JAR="$E2E_TMP/jar"

node "$ROOT/tests/oidc/provider.mjs" "$PUBLIC/api/v1/auth/oidc" "$SLUG" \
	>"$E2E_TMP/idp.out" 2>"$E2E_TMP/idp.err" &
IDP=$!
cleanup() {
	kill "$IDP" 2>/dev/null
	wait "$IDP" 2>/dev/null
	[ -z "${TOKEN:-}" ] || curl -sk -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/admin/auth/providers/$SLUG"
	rm -rf "$E2E_TMP"
}
trap cleanup EXIT
wait_for 20 grep -q '^port ' "$E2E_TMP/idp.out"
ISSUER="http://127.0.0.1:$(awk '/^port /{print $2}' "$E2E_TMP/idp.out")"
check_true "provider: listening" "no port in $(cat "$E2E_TMP/idp.err")" test "$ISSUER" != "http://127.0.0.1:"

e2e_admin "e2eoidc$$"
http POST /api/v1/admin/auth/providers "${AUTH[@]}" "${JSON[@]}" --data "$(jq -cn \
	--arg s "$SLUG" --arg i "$ISSUER" \
	'{slug: $s, display_name: "E2E", issuer: $i, client_id: "revenge-es",
	  client_secret: "secret-es-0123456789abcdef", auto_create: true}')"
check_status "provider: created" 201
check_json "provider: has_secret" has_secret true

http GET /api/v1/auth/providers
check_status "login page: providers" 200
check_true "login page: lists it" "$RES_BODY" grep -q "\"slug\":\"$SLUG\"" <<<"$RES_BODY"

# begin: 302 to the provider, with the flow's browser cookie
http GET "/api/v1/auth/oidc/$SLUG/authorize?redirect=/library"
check_status "authorize: 302" 302
LOC=$(header_values Location)
check_match "authorize: to the provider" "$LOC" "^$ISSUER/auth\\?"
check_match "authorize: PKCE S256" "$LOC" "code_challenge_method=S256"
FLOW=$(header_values Set-Cookie | sed -n 's/^revenge_oidc=\([^;]*\);.*/\1/p')
check_true "authorize: browser cookie" "no revenge_oidc cookie" test -n "$FLOW"
check_match "authorize: cookie Lax, Secure" "$(header_values Set-Cookie)" "SameSite=Lax; Secure"

# the provider's side: follow its redirects until it sends the browser back
next=$LOC
for _ in 1 2 3 4 5 6 7 8; do
	case $next in "$PUBLIC"/*) break ;; esac
	case $next in */interaction/*) next="$next?account=e2e$$" ;; esac
	next=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{redirect_url}' "$next")
done
CALLBACK=${next#"$PUBLIC"}
check_match "provider: back to the callback" "$CALLBACK" "^/api/v1/auth/oidc/$SLUG/callback\\?code="

http GET "$CALLBACK" -H "Cookie: revenge_oidc=$FLOW"
check_status "callback: 302" 302
check_header "callback: to the redirect" Location /library
SESSION=$(header_values Set-Cookie | sed -n 's/^revenge_session=\([^;]*\);.*/\1/p')
check_true "callback: session cookie" "no revenge_session cookie" test -n "$SESSION"
check_match "callback: session cookie HttpOnly, Secure" "$(header_values Set-Cookie)" \
	"HttpOnly; SameSite=Strict; Secure"

http GET /api/v1/users/me -H "Cookie: revenge_session=$SESSION"
check_status "session: works" 200
check_json "session: the new account" username "\"e2e$$\""

# the same callback again: the state was used
http GET "$CALLBACK" -H "Cookie: revenge_oidc=$FLOW"
check_problem "replayed callback" 401 unauthorized
check_json "replayed callback: field" field '"state"'

# a tampered ID token
http GET "/api/v1/auth/oidc/$SLUG/authorize"
LOC=$(header_values Location)
FLOW=$(header_values Set-Cookie | sed -n 's/^revenge_oidc=\([^;]*\);.*/\1/p')
next=$LOC
for _ in 1 2 3 4 5 6 7 8; do
	case $next in "$PUBLIC"/*) break ;; esac
	next=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{redirect_url}' "$next")
done
curl -s -o /dev/null -X POST --data '{"mode":"tamper"}' "$ISSUER/__mode"
http GET "${next#"$PUBLIC"}" -H "Cookie: revenge_oidc=$FLOW"
check_problem "tampered token" 401 unauthorized
check_json "tampered token: field" field '"id_token"'
check_no_header "tampered token: no session" Set-Cookie
