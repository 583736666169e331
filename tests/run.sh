#!/usr/bin/env bash
# tests/run.sh TIER [BUILD_DIR] — run a test tier: unit | web | integration | e2e |
# browser | all.
#
# integration and e2e start a throwaway stack (PostgreSQL, Redis, nginx)
# under BUILD_DIR/test-stack on ports 18443/18080 and destroy it at the end.
# Every tier's results are added up into one closing line:
#   tests: N passed, M failed
set -uo pipefail

tier=${1:-all}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "$ROOT" && mkdir -p "${2:-build}" && cd "${2:-build}" && pwd)
STACK=$BUILD/test-stack
export TEST_ROOT=$ROOT TEST_BUILD_DIR=$BUILD
PASSED=0
FAILED=0
FAILED_NAMES=()

cd "$ROOT" || exit 1

# Run one cmocka binary and add its counts. A binary that dies before its
# summary counts as one failure.
run_cmocka() {
	local bin=$1 out rc p f
	echo "-- $(basename "$bin")"
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^\[ *(RUN|OK|FAILED|PASSED|SKIPPED|ERROR) *\]|^\[=+\]|FAIL|ERROR|ASan|runtime error|Sanitizer' | grep -v '^\[ RUN' | grep -v '^\[       OK' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		printf '%s\n' "$out" | tail -20
		f=1
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	[ "$f" -eq 0 ] || FAILED_NAMES+=("$(basename "$bin")")
}

stack_up() {
	[ -n "${STACK_UP:-}" ] && return 0
	# a stack left by an interrupted run is reused after a clean restart
	deploy/stack.sh down "$STACK" >/dev/null 2>&1 || true
	deploy/stack.sh up "$STACK" --https-port 18443 --http-port 18080 --fast >/dev/null || {
		echo "tests: could not start the test stack" >&2
		exit 1
	}
	# tests make many requests from one address and log in often: no rate
	# limits (their own tests turn them on) and cheap password hashing
	grep -q '^\[ratelimit\]' "$STACK/revenge.conf" ||
		printf '\n[ratelimit]\nenabled = false\n[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n' >>"$STACK/revenge.conf"
	# a web client on another origin, for the CORS tests (tests/e2e/t_edge.sh)
	grep -q '^cors_origins' "$STACK/revenge.conf" ||
		printf '\n[http]\ncors_origins = https://app.example.test\n' >>"$STACK/revenge.conf"
	eval "$(deploy/stack.sh env "$STACK")"
	# the application rejects REVENGE_* variables that are not settings
	export STACK_DIR=$STACK
	unset REVENGE_STACK_DIR REVENGE_CONFIG
	trap stack_down EXIT
	STACK_UP=1
	# template database every integration binary clones; old clones go
	for db in $(psql -d postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE 't\_%' OR datname = 'revenge_template'"); do
		psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
	done
	psql -q -d postgres -c "CREATE DATABASE revenge_template" >/dev/null
	REVENGE_DATABASE_URL="postgresql:///revenge_template?host=$PGHOST&user=$PGUSER" \
		"$BUILD/revenge" --config "$STACK/revenge.conf" migrate >/dev/null || {
		echo "tests: migrating the template failed" >&2
		exit 1
	}
	open_registration revenge_template
}

# Processes under test log to the stack's log directory; a sanitizer report
# there is a failure even when every assertion passed.
check_sanitizer_logs() {
	local hits
	hits=$(grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$STACK"/log/*.log 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "sanitizer reports in: $hits"
		grep -h -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' $hits | head -80
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("sanitizer")
	fi
}

# Registration is closed by default (migration 0013). The tests register
# their users through the public route, so the test databases open it, as
# an administrator would; the tests of the closed default switch it off in
# their own database.
open_registration() {
	psql -q -d "$1" -c "UPDATE server_settings SET value = 'true' WHERE key = 'auth.registration_enabled'" >/dev/null
}

stack_down() {
	deploy/stack.sh stop-app "$STACK" >/dev/null 2>&1 || true
	deploy/stack.sh destroy "$STACK" >/dev/null 2>&1 || true
}

# TESTS=glob (e.g. TESTS='test_lib*') runs only the matching binaries.
selected() {
	[ -x "$1" ] || return 1
	[ -z "${TESTS:-}" ] && return 0
	# shellcheck disable=SC2053
	[[ $(basename "$1") == $TESTS ]]
}

run_unit() {
	echo "== unit"
	for t in "$BUILD"/tests/unit/test_*; do
		selected "$t" && run_cmocka "$t"
	done
}

run_integration() {
	echo "== integration"
	stack_up
	for t in "$BUILD"/tests/integration/test_*; do
		selected "$t" && run_cmocka "$t"
	done
}

run_e2e() {
	echo "== e2e"
	stack_up
	"$BUILD/revenge" --config "$STACK/revenge.conf" migrate >/dev/null || {
		FAILED=$((FAILED + 1))
		return
	}
	open_registration "$PGDATABASE"
	deploy/stack.sh start-app "$STACK" "$BUILD" >/dev/null || {
		echo "e2e: the application did not start" >&2
		FAILED=$((FAILED + 1))
		return
	}
	local out
	out=$(tests/e2e/run.sh "$STACK" "$BUILD" 2>&1)
	printf '%s\n' "$out" | grep -v '^ok ' || true
	local p f
	p=$(printf '%s\n' "$out" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	PASSED=$((PASSED + ${p:-0}))
	FAILED=$((FAILED + ${f:-1}))
	[ "${f:-1}" -eq 0 ] || FAILED_NAMES+=("e2e")
	deploy/stack.sh stop-app "$STACK" >/dev/null 2>&1 || true
}

# The web client's own unit tests (Vitest, in web/).
run_web() {
	echo "== web"
	local out p f
	# no colours (CI sets CI=true, which turns them on); strip any left over
	out=$(cd web && NO_COLOR=1 FORCE_COLOR=0 npx --no-install vitest run --reporter=default 2>&1 |
		sed 's/\x1b\[[0-9;]*m//g')
	printf '%s\n' "$out" | grep -E 'FAIL|✗|×|Error|Test Files|Tests ' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^ *Tests  .*\b\([0-9][0-9]*\) passed.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^ *Tests  \([0-9][0-9]*\) failed.*/\1/p' | tail -1)
	[ -n "$p$f" ] || f=1
	PASSED=$((PASSED + ${p:-0}))
	FAILED=$((FAILED + ${f:-0}))
	[ "${f:-0}" -eq 0 ] || FAILED_NAMES+=("web")
}

# The browser tests: the stack as `make run` leaves it (an admin, the demo
# movie and TV libraries), the built client in its web root, and Debian's
# Chromium driven by playwright-core (tests/browser/run.mjs).
run_browser() {
	echo "== browser"
	stack_up
	local log=$STACK/log/browser-run.log out p f
	# the stack as a first `make run` leaves it: the e2e tier's libraries,
	# users and grants go (a fresh database, admin and demo; Redis emptied)
	deploy/stack.sh stop-app "$STACK" >/dev/null 2>&1 || true
	psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$PGDATABASE\" WITH (FORCE)" -c "CREATE DATABASE \"$PGDATABASE\"" >/dev/null
	rm -f "$STACK/admin-credentials" "$STACK/demo-removed"
	redis-cli -s "$REDIS_SOCKET" FLUSHALL >/dev/null
	REVENGE_DEMO=1 deploy/stack.sh run "$STACK" "$BUILD" >"$log" 2>&1 || {
		echo "browser: deploy/stack.sh run failed:" >&2
		tail -20 "$log" >&2
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("browser")
		return
	}
	out=$(BROWSER_SHOTS=$BUILD/screenshots node tests/browser/run.mjs "https://localhost:18443" "$STACK" 2>&1)
	printf '%s\n' "$out" | grep -v '^ok ' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	PASSED=$((PASSED + ${p:-0}))
	FAILED=$((FAILED + ${f:-1}))
	[ "${f:-1}" -eq 0 ] || FAILED_NAMES+=("browser")
	deploy/stack.sh stop-app "$STACK" >/dev/null 2>&1 || true
}

case $tier in
unit) run_unit ;;
integration) run_integration ;;
e2e) run_e2e ;;
web) run_web ;;
browser) run_browser ;;
all)
	run_unit
	run_web
	run_integration
	run_e2e
	run_browser
	;;
*)
	echo "usage: tests/run.sh unit|web|integration|e2e|browser|all [BUILD_DIR]" >&2
	exit 2
	;;
esac

[ -z "${STACK_UP:-}" ] || check_sanitizer_logs
[ ${#FAILED_NAMES[@]} -eq 0 ] || echo "failing: ${FAILED_NAMES[*]}"
echo "tests: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
