#!/usr/bin/env bash
# X-Request-ID through nginx and the pool: a well-formed client id is kept
# (response header, problem body, the pool's request log line); anything
# else is replaced by a generated 32-hex-digit id, used consistently.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FCGI_LOG=$STACK_DIR/log/fcgi.log

# logged_request ID OFFSET: an http.request line with exactly this request id
# was written to the pool's log after OFFSET (the child writes it right after
# the response, so allow it a moment).
logged_request() {
	local id=$1 off=$2
	wait_for 2 log_has "$FCGI_LOG" "$off" " event=http.request " " request_id=$id "
}

# --- a well-formed id is kept --------------------------------------------------
id=e2e-abc.123
off=$(log_offset "$FCGI_LOG")
http GET /healthz -H "X-Request-ID: $id"
check_status "valid id: 200" 200
check_header "valid id: echoed exactly once" X-Request-ID "$id"
check_true "valid id: on the pool's http.request line" \
	"no 'event=http.request' line with request_id=$id in $FCGI_LOG" logged_request "$id" "$off"

http GET /api/v1/nope -H "X-Request-ID: $id"
check_status "valid id on a problem: 404" 404
check_header "valid id on a problem: echoed" X-Request-ID "$id"
check_json "valid id on a problem: request_id member" request_id "\"$id\""

# the longest id nginx and the pool keep: 64 characters of [A-Za-z0-9._:-]
id64=$(printf 'A%.0s' $(seq 1 60))-:_.
http GET /healthz -H "X-Request-ID: $id64"
check_header "64-character id: kept" X-Request-ID "$id64"

# --- anything else is replaced ----------------------------------------------------
# check_replaced NAME SENT: SENT is not echoed, a 32-hex id is, the problem
# body carries the same id, and so does the pool's log line.
check_replaced() {
	local name=$1 sent=$2 got off
	off=$(log_offset "$FCGI_LOG")
	http GET /api/v1/nope -H "X-Request-ID: $sent"
	check_status "$name: 404" 404
	check_header_match "$name: a generated 32-hex id is echoed once" X-Request-ID '^[0-9a-f]{32}$'
	got=$(header_values X-Request-ID)
	check_true "$name: the sent id is not echoed" "response carries '$sent'" \
		test "$got" != "$sent"
	check_json "$name: problem request_id = X-Request-ID" request_id "\"$got\""
	check_true "$name: the generated id is on the pool's log line" \
		"no http.request line with request_id=$got" logged_request "$got" "$off"
	check_true "$name: the sent id is not logged" "'$sent' reached $FCGI_LOG" \
		eval '! log_has "$FCGI_LOG" "$off" "$sent"'
}

check_replaced "id with space and '!'" 'bad id!'
check_replaced "100-character id" "$(printf 'a%.0s' $(seq 1 100))"
check_replaced "65-character id" "${id64}x"
check_replaced "id with a quote" 'abc"def'
check_replaced "id with a slash" 'a/b'

# --- no id: one is generated per request ------------------------------------------
http GET /healthz
check_header_match "no id: a generated one is echoed" X-Request-ID '^[0-9a-f]{32}$'
first=$(header_values X-Request-ID)
http GET /healthz
second=$(header_values X-Request-ID)
check_true "no id: each request gets its own id" "two requests both got $first" \
	test -n "$second" -a "$first" != "$second"

# nginx's access log carries the same id, so one grep follows a request
id=e2e-access.$$
http GET /healthz -H "X-Request-ID: $id"
check_true "valid id: in nginx's access log" "request_id=$id not in nginx-access.log" \
	wait_for 2 log_has "$STACK_DIR/log/nginx-access.log" 0 "request_id=$id "
