#!/usr/bin/env bash
# What the edge (nginx in front of the pool) answers by itself, and what a
# browser on another origin sees (issue 14 items 8, 11, 12):
#   - nginx's own errors are application/problem+json with the right status
#     (malformed request, URI and header too long, TRACE, unknown static
#     path, method on a static file, /metrics from outside is not tested
#     here: every client of the test stack is loopback)
#   - plain HTTP redirects to the configured server name, whatever Host says
#   - a JSON body's media type is compared case-insensitively
#   - CORS: a listed origin's preflight is answered, another origin gets no
#     CORS header (tests/run.sh lists https://app.example.test)
#   - gzip (and brotli when the module is loaded) for JSON, problem+json,
#     /metrics and the OpenAPI document, which is served at
#     /api/v1/openapi.yaml
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

H1=(--http1.1)

# raw REQUEST: send bytes as they are over TLS (curl would refuse to send
# them), fill RES_STATUS, RES_HEADERS and RES_BODY from the answer.
raw() {
	local out=$E2E_TMP/raw
	printf '%b' "$1" | timeout 10 openssl s_client -quiet -ign_eof -connect "localhost:$HTTPS_PORT" \
		-servername localhost >"$out" 2>/dev/null
	RES_CURL_RC=0
	RES_STATUS=$(head -n 1 "$out" | tr -d '\r' | awk '{print $2}')
	RES_HEADERS=$(tr -d '\r' <"$out" | awk 'NR > 1 && /^$/ {exit} NR > 1 {print}')
	RES_BODY=$(tr -d '\r' <"$out" | awk 'body {print} /^$/ {body = 1}')
}

# --- nginx's own errors -----------------------------------------------------------
raw 'GARBAGE\r\n\r\n'
check_problem "malformed request line" 400 bad-request

raw 'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\nConnection: close\r\n\r\n'
check_problem "malformed Content-Length" 400 bad-request

long=$(head -c 20000 /dev/zero | tr '\0' a)
http GET "/api/v1/$long" "${H1[@]}"
check_problem "20k-character URI" 414 uri-too-long

big=$(head -c 65536 /dev/zero | tr '\0' b)
http GET /api/v1/system/info "${H1[@]}" -H "X-Big: $big"
check_problem "64k header" 431 header-too-large
check_json "64k header: title" title '"Request Header Fields Too Large"'

http TRACE /api/v1/system/info "${H1[@]}"
check_problem "TRACE" 405 method-not-allowed
http TRACE /
check_problem "TRACE over HTTP/2" 405 method-not-allowed

http GET /no/such/static/file.txt
check_problem "404 outside /api" 404 not-found
check_json "404 outside /api: detail" detail '"nothing is at this path"'
http GET /images/no/such.jpg
check_problem "404 under /images" 404 not-found

http POST /index.html --data 'x=1'
check_problem "POST to a static file" 405 method-not-allowed

http GET /_problem/404
check_problem "the error locations are internal" 404 not-found

# the application's errors are still its own (they have an instance)
http GET /api/v1/nope
check_problem "app 404 under /api" 404 not-found
check_json "app 404 under /api: instance" instance '"/api/v1/nope"'

# --- the redirect uses the configured name ----------------------------------------
name=$(conf_value http server_name localhost)
http GET "http://localhost:$HTTP_PORT/api/v1/system/info?x=1" -H 'Host: evil.example'
check_status "redirect with a forged Host: 301" 301
check_header "redirect with a forged Host: Location names the server" Location \
	"https://$name:$HTTPS_PORT/api/v1/system/info?x=1"
http GET "http://localhost:$HTTP_PORT/" -H 'Host: evil.example:1234'
check_header "redirect with a forged Host and port" Location "https://$name:$HTTPS_PORT/"

# --- an administrator for the routes below -----------------------------------------
ADMIN="edge$$"
PW="edge-password-$$-long"
printf '%s' "$PW" | "$BUILD_DIR/revenge" --config "$STACK_DIR/revenge.conf" create-admin \
	--username "$ADMIN" --email "$ADMIN@example.com" --password-stdin >/dev/null 2>"$E2E_TMP/admin.err"
check_true "create-admin" "$(head -c 300 "$E2E_TMP/admin.err")" test $? -eq 0

# --- media types compare case-insensitively -----------------------------------------
http POST /api/v1/auth/login -H 'Content-Type: APPLICATION/JSON; Charset=UTF-8' \
	--data "{\"username\":\"$ADMIN\",\"password\":\"$PW\"}"
check_status "login with APPLICATION/JSON; Charset=UTF-8" 200
TOKEN=$(json_get access_token | tr -d '"')
AUTH=(-H "Authorization: Bearer $TOKEN")
http POST /api/v1/auth/login -H 'Content-Type: text/json' \
	--data "{\"username\":\"$ADMIN\",\"password\":\"$PW\"}"
check_problem "login with text/json" 415 unsupported-media-type

# --- CORS ---------------------------------------------------------------------------
ORIGIN=https://app.example.test
http OPTIONS /api/v1/users/me -H "Origin: $ORIGIN" -H 'Access-Control-Request-Method: PUT' \
	-H 'Access-Control-Request-Headers: authorization, content-type, x-csrf-token'
check_status "preflight from a listed origin: 204" 204
check_header "preflight: Allow-Origin echoes the origin" Access-Control-Allow-Origin "$ORIGIN"
check_header "preflight: credentials" Access-Control-Allow-Credentials true
check_header "preflight: the path's methods" Access-Control-Allow-Methods "GET, HEAD, PUT"
check_header_match "preflight: Allow-Headers" Access-Control-Allow-Headers \
	'Authorization.*Content-Type.*X-CSRF-Token'
check_header_match "preflight: Max-Age" Access-Control-Max-Age '^[0-9]+$'
check_header_match "preflight: Vary" Vary 'Origin'

http OPTIONS /api/v1/users/me -H 'Origin: https://evil.example' -H 'Access-Control-Request-Method: PUT'
check_status "preflight from another origin: the router's 405" 405
check_no_header "preflight from another origin: no Allow-Origin" Access-Control-Allow-Origin
check_no_header "preflight from another origin: no credentials" Access-Control-Allow-Credentials
check_no_header "preflight from another origin: no Allow-Methods" Access-Control-Allow-Methods

http GET /api/v1/users/me "${AUTH[@]}" -H "Origin: $ORIGIN"
check_status "GET from a listed origin: 200" 200
check_header "GET from a listed origin: Allow-Origin" Access-Control-Allow-Origin "$ORIGIN"
check_header "GET from a listed origin: credentials" Access-Control-Allow-Credentials true
check_header_match "GET from a listed origin: Expose-Headers" Access-Control-Expose-Headers X-Request-ID

http GET /api/v1/users/me "${AUTH[@]}" -H 'Origin: https://evil.example'
check_status "GET from another origin: served" 200
check_no_header "GET from another origin: no Allow-Origin" Access-Control-Allow-Origin
check_no_header "GET from another origin: no credentials" Access-Control-Allow-Credentials
check_true "GET from another origin: Vary names Origin" "Vary: $(header_values Vary | tr '\n' ' ')" \
	eval 'header_values Vary | grep -q Origin'

# --- compression --------------------------------------------------------------------
# (a compressed body holds NUL bytes, which bash drops with a warning when
# lib.sh reads it into RES_BODY: those calls send stderr away; the body file
# is checked directly)
GZ=(-H 'Accept-Encoding: gzip')
http GET /api/v1/rbac/permissions "${AUTH[@]}" "${GZ[@]}" 2>/dev/null
check_status "permissions list: 200" 200
check_header "JSON: gzip" Content-Encoding gzip
check_true "JSON: Vary names Accept-Encoding" "Vary: $(header_values Vary | tr '\n' ' ')" \
	eval 'header_values Vary | grep -q Accept-Encoding'
# curl did not decode it: the body is gzip data that gunzips to JSON
check_true "JSON: the body gunzips to JSON" "not gzip JSON" \
	eval 'gzip -dc "$E2E_TMP/body" | head -c 1 | grep -q "{"'

http GET /api/v1/rbac/permissions "${AUTH[@]}"
check_no_header "JSON without Accept-Encoding: identity" Content-Encoding

http GET "/api/v1/$(head -c 1500 /dev/zero | tr '\0' p)" "${GZ[@]}" 2>/dev/null
check_status "problem+json of 1.5k: 404" 404
check_header "problem+json: gzip" Content-Encoding gzip

http GET /metrics "${GZ[@]}" 2>/dev/null
check_status "metrics: 200" 200
check_header "metrics: gzip" Content-Encoding gzip

http GET /api/v1/openapi.yaml
check_status "openapi.yaml: 200" 200
check_header "openapi.yaml: YAML" Content-Type application/yaml
check_match "openapi.yaml: the document" "$(head -n 1 <<<"$RES_BODY")" '^openapi: 3\.'
check_true "openapi.yaml: lists itself" "no /api/v1/openapi.yaml path in it" \
	eval 'grep -q "^  /api/v1/openapi.yaml:" <<<"$RES_BODY"'
check_eq "openapi.yaml: the repository's docs/openapi.yaml" "$(printf '%s\n' "$RES_BODY" | cksum)" \
	"$(cksum <"$ROOT/docs/openapi.yaml")"
etag=$(header_values ETag)
http GET /api/v1/openapi.yaml -H "If-None-Match: $etag"
check_status "openapi.yaml: revalidated" 304

http GET /api/v1/openapi.yaml "${GZ[@]}" 2>/dev/null
check_header "openapi.yaml: gzip" Content-Encoding gzip

if grep -q '^load_module .*brotli' "$STACK_DIR/nginx/nginx.conf"; then
	BR=(-H 'Accept-Encoding: br')
	http GET /api/v1/openapi.yaml "${BR[@]}" 2>/dev/null
	check_header "openapi.yaml: brotli" Content-Encoding br
	http GET /api/v1/rbac/permissions "${AUTH[@]}" "${BR[@]}" 2>/dev/null
	check_header "JSON: brotli" Content-Encoding br
	http GET /metrics "${BR[@]}" 2>/dev/null
	check_header "metrics: brotli" Content-Encoding br
else
	ok "brotli: the module is not installed, nginx.conf does not load it (gzip only)"
fi

# tokens are never compressed (BREACH)
http POST /api/v1/auth/login "${GZ[@]}" -H 'Content-Type: application/json' \
	--data "{\"username\":\"$ADMIN\",\"password\":\"$PW\"}"
check_status "login with Accept-Encoding: 200" 200
check_no_header "login: not compressed" Content-Encoding
