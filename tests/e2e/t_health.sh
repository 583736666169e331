#!/usr/bin/env bash
# Health endpoints, protocol and transport set-up of nginx in front of the
# pool: HTTP/2, TLS versions, security headers, the plain-HTTP redirect,
# /metrics counting requests, and the public system information.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- the three probes --------------------------------------------------------
http GET /healthz
check_status "healthz: 200" 200
check_body "healthz: body" '{"status":"ok"}'
check_header "healthz: content type" Content-Type application/json
check_header "healthz: not cached" Cache-Control no-store

http HEAD /healthz
check_status "healthz HEAD: 200" 200
check_header "healthz HEAD: content length of the GET body" Content-Length 15

http GET /readyz
check_status "readyz: 200" 200
check_header "readyz: content type" Content-Type application/json
check_json "readyz: status" status '"ready"'
check_json "readyz: database" database '"ok"'
check_json "readyz: redis" redis '"ok"'
check_json "readyz: migrations" migrations '"ok"'

http GET '/readyz?verbose=true'
check_status "readyz verbose: 200" 200
check_json "readyz verbose: no pending migrations" pending_migrations 0

http GET /startupz
check_status "startupz: 200" 200
check_json "startupz: status" status '"started"'

# --- HTTP/2 and TLS ------------------------------------------------------------
v=$(curl -sk --http2 -o /dev/null -w '%{http_version}' "$BASE/healthz")
check_eq "http/2 is negotiated" "$v" 2
v=$(curl -sk --http1.1 -o /dev/null -w '%{http_version} %{http_code}' "$BASE/healthz")
check_eq "http/1.1 still works" "$v" "1.1 200"

# OpenSSL 3 on the client refuses TLS 1.1 by itself at its default security
# level, which would make "TLS 1.1 fails" true whatever nginx does. With
# SECLEVEL=0 the client offers TLS 1.1 for real, and the failure must be the
# server's protocol_version alert.
err=$(curl -sSk --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' -o /dev/null \
	-w '%{http_code}' "$BASE/healthz" 2>&1 >/dev/null)
rc=$?
check_eq "tls 1.1: handshake fails (curl exit 35)" "$rc" 35
check_match "tls 1.1: refused by the server (protocol version alert)" "$err" 'alert protocol version'

v=$(curl -sk --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$BASE/healthz")
check_eq "tls 1.2: accepted" "$v" 200
v=$(curl -sk --tlsv1.3 --tls-max 1.3 -o /dev/null -w '%{http_code}' "$BASE/healthz")
check_eq "tls 1.3: accepted" "$v" 200
# TLS 1.2 offers only forward-secret AEAD suites: a client that knows
# nothing else is refused.
v=$(curl -sk --tlsv1.2 --tls-max 1.2 --ciphers 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256' \
	-o /dev/null -w '%{http_code}' "$BASE/healthz" 2>/dev/null)
check_eq "tls 1.2: static-RSA / CBC suites refused" "$v" 000

# --- security headers, exactly once each --------------------------------------
check_security_headers() {
	local what=$1
	check_header "$what: HSTS" Strict-Transport-Security "max-age=63072000; includeSubDomains"
	check_header "$what: X-Content-Type-Options" X-Content-Type-Options nosniff
	check_header "$what: X-Frame-Options" X-Frame-Options DENY
	check_header "$what: Referrer-Policy" Referrer-Policy no-referrer
	check_header "$what: CSP" Content-Security-Policy "default-src 'self'; frame-ancestors 'none'"
	check_header_match "$what: one X-Request-ID" X-Request-ID '^[A-Za-z0-9._:-]{1,64}$'
}

http GET /api/v1/system/info
check_security_headers "api response headers"
http GET /api/v1/nope
check_security_headers "api problem headers"
http GET /
check_security_headers "static file headers"

# --- plain HTTP only redirects -------------------------------------------------
http GET "http://localhost:$HTTP_PORT/api/v1/system/info?x=1"
check_status "http: 301" 301
check_header "http: Location keeps path and query" Location \
	"https://localhost:$HTTPS_PORT/api/v1/system/info?x=1"
http POST "http://localhost:$HTTP_PORT/healthz"
check_status "http: POST is redirected too, not served" 301
check_no_header "http: no HSTS over plain HTTP" Strict-Transport-Security

# --- /metrics counts requests --------------------------------------------------
# metric NAME_AND_LABELS: the sample's value in the last body (empty if absent).
metric() {
	printf '%s\n' "$RES_BODY" | awk -v want="$1" '$1 == want { print $2; exit }'
}

series='revenge_http_requests_total{route="health.live",status="200"}'
http GET /metrics
check_status "metrics: 200" 200
check_header "metrics: prometheus text" Content-Type "text/plain; version=0.0.4"
before=$(metric "$series")
check_ge "metrics: health.live 200 counts this file's requests" "${before:-missing}" 2
for _ in 1 2 3 4 5; do
	curl -sk -o /dev/null "$BASE/healthz"
done
http GET /metrics
after=$(metric "$series")
check_ge "metrics: counter grows by at least 5 after 5 requests" \
	"$(( ${after:-0} - ${before:-0} ))" 5
check_eq "metrics: live children gauge = server.pool_size" \
	"$(metric revenge_fcgi_children)" "$(conf_value server pool_size 4)"

# --- public system information -------------------------------------------------
http GET /api/v1/system/info
check_status "system info: 200" 200
check_header "system info: content type" Content-Type application/json
check_json "system info: name" name '"Revenge"'
check_json "system info: api version" api_version '"v1"'
check_match "system info: version" "$(json_get version)" '^"[0-9]+\.[0-9]+\.[0-9]+'
