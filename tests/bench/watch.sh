#!/usr/bin/env bash
# tests/bench/watch.sh BUILD_DIR — how long a movie copied into a watched
# library takes to be listed by GET /api/v1/movies (the folder watcher,
# docs/internals/watcher.md): the file appears (cp of a small clip), the
# watcher's debounce, the scan that leaves the fresh file until it settled
# (library.settle_seconds) and runs again, the probe, the match (local: no
# TMDb key), the list. Printed, never asserted: the exit status is 0
# whatever the numbers are (1 only when the benchmark could not run).
# What is measured and why: tests/bench/README.md, "bench-watch".
#
# Environment (all optional):
#   BENCH_WATCH_DIR     stack directory (default BUILD_DIR/bench-watch-stack)
#   BENCH_WATCH_HTTPS_PORT  BENCH_WATCH_HTTP_PORT   ports (default 19547 / 19184)
#   BENCH_WATCH_ROUNDS  files copied in, one after the other (default 5)
#   BENCH_WATCH_SETTLE  library.settle_seconds (default 2)
#   BENCH_WATCH_DEBOUNCE  library.watch_debounce (default 1s, the default)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/watch.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$(realpath -m -- "${BENCH_WATCH_DIR:-$BUILD/bench-watch-stack}")
HTTPS_PORT=${BENCH_WATCH_HTTPS_PORT:-19547}
HTTP_PORT=${BENCH_WATCH_HTTP_PORT:-19184}
ROUNDS=${BENCH_WATCH_ROUNDS:-5}
SETTLE=${BENCH_WATCH_SETTLE:-2}
DEBOUNCE=${BENCH_WATCH_DEBOUNCE:-1s}
POOL=2
BASE="https://localhost:$HTTPS_PORT"
TIMEOUT_S=60
# the issue's target: listed within the settle time + 2 s
TARGET_S=$((SETTLE + 2))

. "$ROOT/tests/bench/lib.sh"

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

for c in curl ffmpeg psql; do
	command -v "$c" >/dev/null || die "$c is missing (run: deploy/stack.sh deps)"
done
for b in revenge revenge-fcgi revenge-worker; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b not found (run: make)"
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] && [ "$ROUNDS" -le 20 ] || die "BENCH_WATCH_ROUNDS must be 1..20"
[[ $SETTLE =~ ^[0-9]+$ ]] || die "BENCH_WATCH_SETTLE must be a number of seconds"

trap bench_teardown EXIT
trap 'exit 130' INT TERM

bench_stack_up
stack_env=$("$S" env "$STACK") || die "deploy/stack.sh env failed"
eval "$stack_env"
unset REVENGE_STACK_DIR REVENGE_CONFIG
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

MEDIA=$STACK/media
CLIP=$STACK/bench-clip.mkv
install -d -m 0755 "$MEDIA"
ffmpeg -loglevel error -y -f lavfi -i testsrc=size=320x180:rate=24 -f lavfi -i sine=frequency=440 \
	-t 2 -c:v libx264 -preset ultrafast -c:a aac -shortest "$CLIP" || die "ffmpeg could not make a clip"
sql -v media="$MEDIA" >/dev/null <<'SQL' || die "creating the library failed"
INSERT INTO libraries (name, type, paths, scan_interval_minutes)
VALUES ('Bench watch', 'movie', ARRAY[:'media'], 0);
SQL

ADMIN_PW=$(openssl rand -hex 16)
printf %s "$ADMIN_PW" | "$BUILD/revenge" --config "$STACK/revenge.conf" create-admin \
	--username benchadmin --email benchadmin@example.com --password-stdin >/dev/null 2>&1 ||
	die "revenge create-admin failed"
REVENGE_MOVIES_CACHE_TTL=0 REVENGE_LIBRARY_SETTLE_SECONDS=$SETTLE \
	REVENGE_LIBRARY_WATCH_DEBOUNCE=$DEBOUNCE bench_start_app
token=$(curl -sk -H 'Content-Type: application/json' "$BASE/api/v1/auth/login" \
	--data "{\"username\":\"benchadmin\",\"password\":\"$ADMIN_PW\"}" |
	sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "could not log in the bench admin"
for _ in $(seq 1 100); do
	grep -q 'event=watcher.start' "$STACK/log/worker.log" 2>/dev/null && break
	sleep 0.1
done
grep -q 'event=watcher.start' "$STACK/log/worker.log" || die "the worker's watcher did not start"
sleep 2 # the start scan of the (empty) root

titles=(Aurelian Brasswick Cindermoor Dunmore Everhallow Fenwright Galloway Harrowgate Isenmoor
	Jasperlin Kestrelmark Lindqvist Morrowind Northgale Ostermere Pellinore Quillon Ravensworth
	Sablecourt Thornbury)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "bench: $ROUNDS files, settle ${SETTLE}s, debounce $DEBOUNCE; target: listed within ${TARGET_S} s"
results=()
for i in $(seq 1 "$ROUNDS"); do
	title="${titles[$((i - 1))]} Vale"
	year=$((1990 + i))
	dir="$MEDIA/$title ($year)"
	stored="" listed=""
	t0=$(now)
	mkdir -p "$dir" && cp "$CLIP" "$dir/${title// /.}.$year.1080p.mkv" || die "copying failed"
	while :; do
		t=$(now)
		if [ -z "$stored" ] && [ "$(sql -c "SELECT count(*) FROM media_files WHERE rel_path LIKE
			'$title ($year)/%' AND probe IS NOT NULL")" = 1 ]; then
			stored=$(elapsed "$t0" "$t")
		fi
		if curl -sk -H "Authorization: Bearer $token" "$BASE/api/v1/movies?limit=100" |
			grep -q "\"title\":\"$title\""; then
			listed=$(elapsed "$t0" "$(now)")
			break
		fi
		[ "$(elapsed "$t0" "$t" | cut -d. -f1)" -ge "$TIMEOUT_S" ] && break
		sleep 0.05
	done
	printf 'bench: %-22s stored %6ss  listed %6ss\n' "$title ($year)" "${stored:--}" "${listed:-never}"
	[ -n "$listed" ] && results+=("$listed")
	sleep 1
done

[ "${#results[@]}" -gt 0 ] || die "no movie was listed within $TIMEOUT_S s (see $STACK/log/worker.log)"
summary=$(printf '%s\n' "${results[@]}" | sort -n | awk -v target="$TARGET_S" '
	{ v[NR] = $1 }
	END {
		med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f %s", v[1], med, v[NR], v[NR] <= target ? "ok" : "MISSED"
	}')
read -r min med max verdict <<<"$summary"
echo
printf '%-44s %8s %8s %8s %8s\n' "row" "min s" "median s" "max s" "target"
printf '%-44s %8s %8s %8s %8s\n' "file appears -> listed by /api/v1/movies" "$min" "$med" "$max" \
	"${TARGET_S}s $verdict"
[ "${#results[@]}" -eq "$ROUNDS" ] || echo "bench: $((ROUNDS - ${#results[@]})) file(s) never listed"
exit 0
