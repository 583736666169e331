# shellcheck shell=bash
# tests/e2e/lib.sh — assertions for the end-to-end tests (sourced, bash).
#
# A test file sources this and then makes requests through nginx:
#
#   . "$(dirname "$0")/lib.sh"
#   http GET /healthz                 # fills RES_STATUS, RES_BODY, RES_HEADERS
#   check_status "healthz answers" 200
#   check_header "healthz type" Content-Type application/json
#   check_json   "healthz body" status '"ok"'
#
# Every assertion prints exactly one line, "ok NAME" or "FAIL NAME: why";
# tests/e2e/run.sh counts those lines. Nothing here exits on a failed
# assertion: a file keeps going and reports every check it makes.
#
# The environment comes from tests/e2e/run.sh: STACK_DIR, BUILD_DIR,
# HTTPS_PORT, HTTP_PORT, BASE (https://localhost:$HTTPS_PORT) and ROOT (the
# repository).
#
# JSON is checked without jq: the application and nginx answer compact JSON
# (no whitespace between tokens), so a member is found textually. json_get
# returns the first member of that name at any depth, which is what these
# tests need (their bodies have no repeated names).

: "${STACK_DIR:?run through tests/e2e/run.sh}" "${BASE:?run through tests/e2e/run.sh}"

# Per file scratch space for response headers and bodies.
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/revenge-e2e.XXXXXX")
trap 'rm -rf "$E2E_TMP"' EXIT

RES_STATUS=""
RES_BODY=""
RES_HEADERS=""   # the final response's header block, CR stripped
RES_CURL_RC=0
RES_CURL_ERR=""

ok() { printf 'ok %s\n' "$1"; }

# fail NAME WHY: the reason is kept on one line so run.sh counts one failure.
fail() {
	local why=${2//$'\n'/ }
	printf 'FAIL %s: %s\n' "$1" "${why:0:400}"
}

# http METHOD PATH [curl options...]: one request to $BASE$PATH. PATH may
# also be a full URL (for the plain-HTTP port). Never follows redirects.
# HEAD is sent with -I (curl -X HEAD would wait for a body).
http() {
	local method=$1 path=$2 url
	local -a how=(-X "$method")
	shift 2
	case $path in
	http://* | https://*) url=$path ;;
	*) url=$BASE$path ;;
	esac
	[ "$method" != HEAD ] || how=(-I)
	: >"$E2E_TMP/headers"
	: >"$E2E_TMP/body"
	RES_CURL_RC=0
	RES_STATUS=$(curl -sk --max-time 20 "${how[@]}" -D "$E2E_TMP/headers" \
		-o "$E2E_TMP/body" -w '%{http_code}' "$@" "$url" 2>"$E2E_TMP/err") || RES_CURL_RC=$?
	RES_CURL_ERR=$(head -c 400 "$E2E_TMP/err")
	RES_BODY=$(cat "$E2E_TMP/body")
	[ "$method" != HEAD ] || RES_BODY="" # -I writes the headers there
	# with interim responses (100 Continue) -D holds several blocks: keep the last
	RES_HEADERS=$(tr -d '\r' <"$E2E_TMP/headers" | awk '/^HTTP\//{blk=""} {blk=blk $0 "\n"} END{printf "%s", blk}')
}

# header_values NAME: every value of header NAME in the last response, one
# per line (names compare case-insensitively; HTTP/2 sends them lower case).
header_values() {
	printf '%s\n' "$RES_HEADERS" | awk -v want="$1" '
		BEGIN { want = tolower(want) }
		{
			i = index($0, ":")
			if (i == 0) next
			name = tolower(substr($0, 1, i - 1))
			if (name != want) next
			v = substr($0, i + 1)
			sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
			print v
		}'
}

# header_count NAME: how often header NAME occurs in the last response.
header_count() {
	local v
	v=$(header_values "$1")
	[ -n "$v" ] || { echo 0; return; }
	printf '%s\n' "$v" | wc -l | tr -d ' '
}

# json_get KEY [JSON]: the raw value of the first member "KEY" of compact
# JSON (default: the last body). Strings keep their quotes ("ok"), numbers,
# booleans and null are bare; objects and arrays are not extracted. Prints
# nothing and returns 1 when there is no such scalar member.
json_get() {
	local key=$1 json=${2-$RES_BODY} rest v
	rest=${json#*\"$key\":}
	[ "$rest" != "$json" ] || return 1
	v=$(printf '%s' "$rest" | sed -nE \
		's/^("([^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)([],}]).*/\1/p' | head -n 1)
	[ -n "$v" ] || return 1
	printf '%s' "$v"
}

# --- assertions -------------------------------------------------------------

# check_eq NAME GOT WANT
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# check_match NAME GOT ERE: GOT matches the extended regular expression.
check_match() {
	if [[ $2 =~ $3 ]]; then ok "$1"; else fail "$1" "'$2' does not match /$3/"; fi
}

# check_ge NAME GOT MIN: integers.
check_ge() {
	if [[ $2 =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ]; then
		ok "$1"
	else
		fail "$1" "got '$2', want at least $3"
	fi
}

# check_true NAME WHY COMMAND...: the command succeeds (WHY explains a failure).
check_true() {
	local name=$1 why=$2
	shift 2
	if "$@"; then ok "$name"; else fail "$name" "$why"; fi
}

# check_status NAME WANT: the last response's status code.
check_status() {
	if [ "$RES_STATUS" == "$2" ]; then
		ok "$1"
	elif [ "$RES_CURL_RC" -ne 0 ]; then
		fail "$1" "want status $2, curl failed ($RES_CURL_RC): $RES_CURL_ERR"
	else
		fail "$1" "got status $RES_STATUS, want $2; body: ${RES_BODY:0:200}"
	fi
}

# check_header NAME HEADER WANT: HEADER occurs exactly once with value WANT.
check_header() {
	local n v
	n=$(header_count "$2")
	v=$(header_values "$2")
	if [ "$n" -ne 1 ]; then
		fail "$1" "header $2 occurs $n times (want once): ${v//$'\n'/ | }"
	elif [ "$v" != "$3" ]; then
		fail "$1" "header $2 is '$v', want '$3'"
	else
		ok "$1"
	fi
}

# check_header_match NAME HEADER ERE: HEADER occurs exactly once and matches.
check_header_match() {
	local n v
	n=$(header_count "$2")
	v=$(header_values "$2")
	if [ "$n" -ne 1 ]; then
		fail "$1" "header $2 occurs $n times (want once): ${v//$'\n'/ | }"
	elif ! [[ $v =~ $3 ]]; then
		fail "$1" "header $2 is '$v', which does not match /$3/"
	else
		ok "$1"
	fi
}

# check_no_header NAME HEADER
check_no_header() {
	local n
	n=$(header_count "$2")
	if [ "$n" -eq 0 ]; then ok "$1"; else fail "$1" "unexpected header $2: $(header_values "$2")"; fi
}

# check_json NAME KEY WANT: member KEY of the last body has the raw JSON
# value WANT ('"ok"' for a string, 404 for a number).
check_json() {
	local v
	if ! v=$(json_get "$2"); then
		fail "$1" "no member \"$2\" in body: ${RES_BODY:0:300}"
	elif [ "$v" != "$3" ]; then
		fail "$1" "\"$2\" is $v, want $3"
	else
		ok "$1"
	fi
}

# check_body NAME WANT: the whole body.
check_body() {
	if [ "$RES_BODY" == "$2" ]; then ok "$1"; else fail "$1" "body is '${RES_BODY:0:300}', want '$2'"; fi
}

# check_problem NAME STATUS TYPE_SLUG: the last response is application/
# problem+json with that status (header and body) and type urn, and its
# request_id member equals its X-Request-ID header.
check_problem() {
	local name=$1 status=$2 slug=$3
	check_status "$name: status" "$status"
	check_header "$name: problem content type" Content-Type application/problem+json
	check_json "$name: status member" status "$status"
	check_json "$name: type" type "\"urn:revenge:problem:$slug\""
	check_request_id_matches "$name"
}

# check_request_id_matches NAME: one X-Request-ID header, equal to the body's
# request_id member.
check_request_id_matches() {
	local rid n
	n=$(header_count X-Request-ID)
	rid=$(header_values X-Request-ID)
	if [ "$n" -ne 1 ]; then
		fail "$1: request id" "X-Request-ID occurs $n times"
		return
	fi
	check_json "$1: request_id member = X-Request-ID" request_id "\"$rid\""
}

# --- helpers for tests that look at processes and logs ----------------------

# log_offset FILE: current size, to read only what is written afterwards.
log_offset() { stat -c %s "$1" 2>/dev/null || echo 0; }

# log_since FILE OFFSET: what was appended to FILE after OFFSET.
log_since() { tail -c +"$(($2 + 1))" "$1" 2>/dev/null; }

# log_has FILE OFFSET NEEDLE...: some line appended to FILE after OFFSET
# contains every NEEDLE (fixed strings). Reads to the end on purpose: a
# `| grep -q` would exit early, and under pipefail the writer's SIGPIPE
# would turn a match into a failure.
log_has() {
	local file=$1 off=$2
	shift 2
	log_since "$file" "$off" | NEEDLES=$(printf '%s\n' "$@") awk '
		BEGIN { n = split(ENVIRON["NEEDLES"], nd, "\n") }
		{
			for (i = 1; i <= n; i++)
				if (index($0, nd[i]) == 0)
					next
			found = 1
		}
		END { exit !found }'
}

# conf_value SECTION KEY DEFAULT: a value from the stack's revenge.conf.
conf_value() {
	local v
	v=$(awk -v sec="[$1]" -v key="$2" '
		/^[ \t]*\[/ { gsub(/[ \t]/, ""); in_sec = ($0 == sec); next }
		in_sec && $0 ~ "^[ \t]*" key "[ \t]*=" {
			sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t]*(#.*)?$/, ""); gsub(/^"|"$/, ""); print; exit
		}' "$STACK_DIR/revenge.conf")
	printf '%s' "${v:-$3}"
}

# duration_ms TEXT: "10s", "500ms", "2m", "3" (seconds) as milliseconds.
duration_ms() {
	case $1 in
	*ms) echo "${1%ms}" ;;
	*s) echo $((${1%s} * 1000)) ;;
	*m) echo $((${1%m} * 60000)) ;;
	*h) echo $((${1%h} * 3600000)) ;;
	*) echo $(($1 * 1000)) ;;
	esac
}

# children PID: the live (non-zombie) children of PID, one per line, sorted
# as text (the order comm(1) wants).
children() {
	local c st
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		st=$(awk '/^State:/{print $2}' "/proc/$c/status" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && echo "$c"
	done | LC_ALL=C sort
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds;
# 1 when it has not within SECONDS (may be fractional: 0.5).
wait_for() {
	local ticks
	ticks=$(awk -v s="$1" 'BEGIN { printf "%d", s * 10 }')
	shift
	while :; do
		"$@" && return 0
		[ "$ticks" -gt 0 ] || return 1
		ticks=$((ticks - 1))
		sleep 0.1
	done
}

# e2e_admin NAME: register NAME through the API, give it the admin role in
# SQL (psql reaches the stack's database) and log it in: sets USER_ID,
# USER_PW, TOKEN and AUTH (curl arguments with the bearer token); JSON is
# the content-type argument. A failure is reported and TOKEN is empty.
JSON=(-H 'Content-Type: application/json')
e2e_admin() {
	USER_PW="pw-$1-long-enough"
	http POST /api/v1/auth/register "${JSON[@]}" \
		--data "{\"username\":\"$1\",\"email\":\"$1@example.com\",\"password\":\"$USER_PW\"}"
	check_status "$1: register" 201
	USER_ID=$(printf '%s' "$RES_BODY" | jq -r .id)
	psql -qAt -c "INSERT INTO user_roles (user_id, role_id) SELECT '$USER_ID', id FROM roles
		WHERE name = 'admin'" >/dev/null
	http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$1\",\"password\":\"$USER_PW\"}"
	TOKEN=$(printf '%s' "$RES_BODY" | jq -r '.access_token // empty')
	check_true "$1: admin token" "login answered $RES_STATUS" test -n "$TOKEN"
	AUTH=(-H "Authorization: Bearer $TOKEN")
}
