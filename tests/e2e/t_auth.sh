#!/usr/bin/env bash
# Identity through nginx over HTTPS: register, log in, read one's own
# account, refresh, log out; cookie mode with its CSRF header; the 401/403
# answers of protected routes; bad input.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U="e2e$$"
PW="e2e-password-$$"
JSON=(-H 'Content-Type: application/json')

# --- register -------------------------------------------------------------------
http POST /api/v1/auth/register "${JSON[@]}" --data "{\"username\":\"$U\",\"email\":\"$U@example.com\",\"password\":\"$PW\"}"
check_status "register: 201" 201
check_json "register: username" username "\"$U\""
check_json "register: is_active" is_active true
USER_ID=$(json_get id)

http POST /api/v1/auth/register "${JSON[@]}" --data "{\"username\":\"$U\",\"email\":\"other$U@example.com\",\"password\":\"$PW\"}"
check_problem "register twice" 409 conflict
check_json "register twice: field" field '"username"'

http POST /api/v1/auth/register "${JSON[@]}" --data '{"username":"x","email":"bad","password":"short"}'
check_problem "register bad username" 400 validation
check_json "register bad username: field" field '"username"'

http POST /api/v1/auth/register "${JSON[@]}" --data '{"username": '
check_problem "register malformed JSON" 400 bad-request
check_json "register malformed JSON: field" field '"body"'

http POST /api/v1/auth/register -H 'Content-Type: text/plain' --data '{}'
check_problem "register wrong content type" 415 unsupported-media-type

# --- protected routes without and with bad credentials --------------------------
http GET /api/v1/users/me
check_problem "me without credentials" 401 unauthorized
check_header_match "me without credentials: WWW-Authenticate" WWW-Authenticate '^Bearer'

http GET /api/v1/users/me -H 'Authorization: Bearer rvs_forged'
check_problem "me with a forged token" 401 unauthorized
http GET /api/v1/users/me -H 'Authorization: Basic Zm9vOmJhcg=='
check_problem "me with basic auth" 401 unauthorized
check_json "me with basic auth: field" field '"Authorization"'

# --- login, bearer mode ---------------------------------------------------------
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"wrong-password\"}"
check_problem "login wrong password" 401 unauthorized
WRONG_BODY_DETAIL=$(json_get detail)
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"nobody$U\",\"password\":\"wrong-password\"}"
check_eq "login unknown user: same detail as wrong password" "$(json_get detail)" "$WRONG_BODY_DETAIL"

http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\",\"device_name\":\"e2e\"}"
check_status "login: 200" 200
check_json "login: token type" token_type '"Bearer"'
ACCESS=$(json_get access_token | tr -d '"')
REFRESH=$(json_get refresh_token | tr -d '"')
check_match "login: access token shape" "$ACCESS" '^rvs_[A-Za-z0-9_-]{43}$'
check_match "login: refresh token shape" "$REFRESH" '^rvr_[A-Za-z0-9_-]{43}$'

http GET /api/v1/users/me -H "Authorization: Bearer $ACCESS"
check_status "me: 200" 200
check_json "me: id" id "$USER_ID"
check_json "me: email" email "\"$U@example.com\""
check_header "me: not cached" Cache-Control no-store

# a User-Agent that is not UTF-8 passes nginx as raw bytes; the login still
# works (the value is cleaned before it reaches SQL)
http POST /api/v1/auth/login "${JSON[@]}" -A $'\xff\xfe\x01' --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login with a non-UTF-8 User-Agent: 200" 200

# --- refresh and logout -----------------------------------------------------------
http POST /api/v1/auth/refresh "${JSON[@]}" --data "{\"refresh_token\":\"$REFRESH\"}"
check_status "refresh: 200" 200
ACCESS2=$(json_get access_token | tr -d '"')
http GET /api/v1/users/me -H "Authorization: Bearer $ACCESS"
check_status "old access token after refresh: 401" 401
http GET /api/v1/users/me -H "Authorization: Bearer $ACCESS2"
check_status "new access token: 200" 200
http POST /api/v1/auth/refresh "${JSON[@]}" --data "{\"refresh_token\":\"$REFRESH\"}"
check_status "refresh token reused: 401" 401
# the reuse revoked the whole family, the newer session too (issue 14)
http GET /api/v1/users/me -H "Authorization: Bearer $ACCESS2"
check_status "reuse revoked the refreshed session: 401" 401
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login after reuse: 200" 200
ACCESS2=$(json_get access_token | tr -d '"')

http POST /api/v1/auth/logout -H "Authorization: Bearer $ACCESS2"
check_status "logout: 204" 204
http GET /api/v1/users/me -H "Authorization: Bearer $ACCESS2"
check_status "after logout: 401" 401

# --- cookie mode -------------------------------------------------------------------
JAR="$E2E_TMP/jar"
http POST /api/v1/auth/login "${JSON[@]}" -c "$JAR" --data "{\"username\":\"$U\",\"password\":\"$PW\",\"cookie\":true}"
check_status "cookie login: 200" 200
CSRF=$(json_get csrf_token | tr -d '"')
check_true "cookie login: session cookie is HttpOnly, Secure, SameSite=Strict" \
	"Set-Cookie: $(header_values Set-Cookie | head -1)" \
	bash -c 'header=$1; [[ $header == *"revenge_session=rvs_"*"HttpOnly"*"SameSite=Strict"*"Secure"* ]]' _ "$(header_values Set-Cookie | grep revenge_session)"
check_true "cookie login: CSRF cookie readable by the page" "no revenge_csrf cookie" \
	bash -c '[[ $1 == *"revenge_csrf="* && $1 != *HttpOnly* ]]' _ "$(header_values Set-Cookie | grep revenge_csrf)"

http GET /api/v1/users/me -b "$JAR"
check_status "cookie GET me: 200" 200
check_json "cookie GET me: id" id "$USER_ID"

http POST /api/v1/auth/logout -b "$JAR"
check_problem "cookie POST without CSRF header" 403 forbidden
check_json "cookie POST without CSRF header: field" field '"X-CSRF-Token"'
http POST /api/v1/auth/logout -b "$JAR" -H "X-CSRF-Token: ${CSRF}x"
check_status "cookie POST with a wrong CSRF header: 403" 403
http POST /api/v1/auth/logout -b "$JAR" -c "$JAR" -H "X-CSRF-Token: $CSRF"
check_status "cookie POST with the CSRF header: 204" 204
http GET /api/v1/users/me -b "$JAR"
check_status "cookie after logout: 401" 401

# --- permissions: a plain user cannot reach an admin-only route ------------------
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
ACCESS3=$(json_get access_token | tr -d '"')
ADMIN_ROUTE=$("$BUILD_DIR/revenge" routes | awk '$3 ~ /^users:(list|update|delete)$/ && $1 == "GET" {print $2; exit}')
if [ -n "$ADMIN_ROUTE" ]; then
	http GET "$ADMIN_ROUTE" -H "Authorization: Bearer $ACCESS3"
	check_problem "user on $ADMIN_ROUTE" 403 forbidden
else
	ok "no admin GET route in this build yet"
fi
