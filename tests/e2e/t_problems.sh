#!/usr/bin/env bash
# Errors through nginx are application/problem+json with the right status,
# type and request id, whether the pool produced them (404, 405, 400) or
# nginx did (413 for a body over client_max_body_size).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- 404 -------------------------------------------------------------------------
http GET /api/v1/nope
check_problem "unknown api path" 404 not-found
check_json "unknown api path: instance" instance '"/api/v1/nope"'
check_json "unknown api path: title" title '"Not Found"'

http HEAD /api/v1/nope
check_status "unknown api path HEAD: 404" 404
check_header "unknown api path HEAD: problem content type" Content-Type application/problem+json

# --- 405 -------------------------------------------------------------------------
http POST /healthz -H 'Content-Type: application/json' --data '{}'
check_problem "POST /healthz" 405 method-not-allowed
check_header "POST /healthz: Allow" Allow "GET, HEAD"

http DELETE /api/v1/system/info
check_problem "DELETE system info" 405 method-not-allowed
check_header "DELETE system info: Allow" Allow "GET, HEAD"

# --- 400: query validation ---------------------------------------------------------
http GET '/readyz?verbose=maybe'
check_problem "readyz verbose=maybe" 400 validation
check_json "readyz verbose=maybe: field" field '"verbose"'

http GET '/readyz?nope=1'
check_problem "readyz unknown parameter" 400 validation
check_json "readyz unknown parameter: field names it" field '"nope"'

http GET '/readyz?verbose=%ZZ'
check_problem "readyz malformed escape" 400 bad-request
check_json "readyz malformed escape: field" field '"verbose"'

http GET '/readyz?verbose=true&verbose=false'
check_problem "readyz repeated parameter" 400 validation
check_json "readyz repeated parameter: field" field '"verbose"'

# a decoded NUL must not cut the value short and pass as "true"
http GET '/readyz?verbose=true%00x'
check_problem "readyz escaped NUL" 400 bad-request

# the valid forms still pass
http GET '/readyz?verbose=1'
check_status "readyz verbose=1: 200" 200

# --- 413 from nginx ------------------------------------------------------------------
big=$E2E_TMP/big
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$big"
http POST /api/v1/system/info -H 'Content-Type: application/json' --data-binary "@$big"
check_problem "2 MiB body" 413 too-large
check_true "2 MiB body: nginx's own problem body (it has no instance member)" \
	"body has an instance member: $RES_BODY" eval '! json_get instance >/dev/null'

# nginx's limit, not the pool's, answered: the pool logged no request for it
# shellcheck disable=SC2034 # read by the eval below
off=$(log_offset "$STACK_DIR/log/fcgi.log")
http POST /api/v1/system/info -H 'Content-Type: application/json' --data-binary "@$big" \
	-H 'X-Request-ID: e2e-413-probe'
check_status "2 MiB body again: 413" 413
check_header "2 MiB body: client's id echoed by nginx" X-Request-ID e2e-413-probe
check_json "2 MiB body: request_id member" request_id '"e2e-413-probe"'
sleep 0.3
check_true "2 MiB body: never reached the pool" "the pool logged e2e-413-probe" \
	eval '! log_has "$STACK_DIR/log/fcgi.log" "$off" e2e-413-probe'

# a body under the limit reaches the pool, which answers 405 (GET-only route)
head -c $((64 * 1024)) /dev/zero | tr '\0' 'x' >"$big"
http POST /api/v1/system/info -H 'Content-Type: application/json' --data-binary "@$big"
check_problem "64 KiB body to a GET route" 405 method-not-allowed
