#!/usr/bin/env bash
# tests/fuzz/run.sh [fuzz_NAME...] — build every libFuzzer target
# tests/fuzz/fuzz_*.c (or the named ones) with clang under ASan+UBSan and
# run each for FUZZ_SECONDS (default 30). Exit status 1 when a target does
# not build or finds a crash, a leak, a timeout or an oracle abort.
#
# What a target links: the app sources named on a line
#   fuzz-sources: app/core app/http/router.c
# in its comment (a directory stands for its *.c files; default: app/core),
# plus the libraries on a line
#   fuzz-libs: -lcjson -lm
# (default: -lcjson -lm -lcrypto -lutf8proc, which app/core needs).
#
# Working files live in FUZZ_BUILD (default build/fuzz):
#   bin/NAME          the instrumented binary
#   corpus/NAME/      the growing corpus, kept between runs (libFuzzer
#                     writes new inputs here); tests/fuzz/corpus/NAME/ is
#                     read as extra seeds when it exists
#   artifacts/NAME-*  crash-/leak-/timeout-/oom- inputs; reproduce with
#                     FUZZ_BUILD/bin/NAME FILE
#   logs/NAME.log     libFuzzer's output
# A dictionary tests/fuzz/NAME.dict is passed with -dict when it exists.
# Seed inputs may be declared in the target's comment, one per line as
#   fuzz-seed: \x01\x00/api/v1/movies?limit=10
# (printf %b escapes); they are written into an empty corpus directory.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_BUILD=$(realpath -m -- "${FUZZ_BUILD:-build/fuzz}")
CC_FUZZ=${CC_FUZZ:-clang}

[[ $FUZZ_SECONDS =~ ^[0-9]+$ ]] && [ "$FUZZ_SECONDS" -gt 0 ] ||
	{ echo "fuzz: FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2; }

deploy/stack.sh deps-fuzz || { echo "fuzz: could not install clang and libFuzzer" >&2; exit 1; }

# The warning flags of the Makefile (WARN := ... with continuation lines),
# so the harnesses and the app code are held to the same standard.
WARN=$(awk '/^WARN[ \t]*:=/ { f = 1; sub(/^WARN[ \t]*:=/, "") }
	f { line = $0; sub(/\\$/, "", line); printf "%s ", line; if ($0 !~ /\\$/) exit }' Makefile)
[ -n "${WARN// /}" ] || { echo "fuzz: cannot read WARN from the Makefile" >&2; exit 1; }

# marker FILE KEY: the text after "KEY:" on its first line in FILE.
marker() {
	sed -n "s/^.*$2:[[:space:]]*//p" "$1" | head -n 1
}

# seed_corpus NAME DIR: the target's fuzz-seed lines as files in an empty DIR.
seed_corpus() {
	local n=0 line
	[ -z "$(ls -A "$2")" ] || return 0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%b' "$line" >"$2/seed-$n"
	done < <(sed -n 's/^.*fuzz-seed:[[:space:]]*//p' "tests/fuzz/$1.c")
}

targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=$(basename "${t%.c}")
		[ -f "tests/fuzz/$t.c" ] || { echo "fuzz: no tests/fuzz/$t.c" >&2; exit 2; }
		targets+=("$t")
	done
else
	for f in tests/fuzz/fuzz_*.c; do
		[ -f "$f" ] && targets+=("$(basename "$f" .c)")
	done
fi
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz: no targets in tests/fuzz/" >&2; exit 1; }

mkdir -p "$FUZZ_BUILD/bin" "$FUZZ_BUILD/corpus" "$FUZZ_BUILD/artifacts" "$FUZZ_BUILD/logs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
results=()

build() {
	local t=$1 src="tests/fuzz/$1.c" list libs item
	local -a sources=()
	list=$(marker "$src" fuzz-sources)
	libs=$(marker "$src" fuzz-libs)
	for item in ${list:-app/core}; do
		if [ -d "$item" ]; then
			sources+=("$item"/*.c)
		else
			sources+=("$item")
		fi
	done
	# shellcheck disable=SC2086 # the flag lists are split on purpose
	"$CC_FUZZ" -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=c11 -D_GNU_SOURCE $WARN -Iapp -I/usr/include/postgresql \
		-o "$FUZZ_BUILD/bin/$t" "$src" "${sources[@]}" ${libs:--lcjson -lm -lcrypto -lutf8proc} \
		>"$FUZZ_BUILD/logs/$t.build.log" 2>&1
}

run() {
	local t=$1 corpus=$FUZZ_BUILD/corpus/$1 log=$FUZZ_BUILD/logs/$1.log rc
	local -a opts=() seeds=()
	mkdir -p "$corpus"
	seed_corpus "$t" "$corpus"
	[ -f "tests/fuzz/$t.dict" ] && opts+=("-dict=tests/fuzz/$t.dict")
	# libFuzzer adds new inputs to the first directory only: ours
	[ -d "tests/fuzz/corpus/$t" ] && seeds+=("tests/fuzz/corpus/$t")
	# artifacts of an earlier run are kept under their own names; only new
	# ones count for this run
	local before
	before=$(find "$FUZZ_BUILD/artifacts" -name "$t-*" | wc -l)
	"$FUZZ_BUILD/bin/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$t-" \
		"${opts[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	local runs cov after
	runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	after=$(find "$FUZZ_BUILD/artifacts" -name "$t-*" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		echo "fuzz: $t: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
		grep -E 'oracle failed|ERROR: |SUMMARY: |runtime error|Test unit written|^    #[0-9]+ ' "$log" | head -n 20
		failed+=("$t")
		results+=("$(printf '%-14s %-8s %12s runs  cov %s' "$t" FAILED "${runs:-?}" "${cov:-?}")")
	else
		results+=("$(printf '%-14s %-8s %12s runs  cov %-6s corpus %s files' "$t" ok "${runs:-?}" \
			"${cov:-?}" "$(find "$corpus" -type f | wc -l)")")
	fi
}

for t in "${targets[@]}"; do
	echo "fuzz: building $t"
	if ! build "$t"; then
		echo "fuzz: $t: does not build"
		head -n 30 "$FUZZ_BUILD/logs/$t.build.log"
		failed+=("$t")
		results+=("$(printf '%-14s %-8s' "$t" "NO BUILD")")
		continue
	fi
	echo "fuzz: running $t for ${FUZZ_SECONDS}s"
	run "$t"
done

echo
printf '%s\n' "${results[@]}"
echo "fuzz: ${#targets[@]} targets, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ "${#failed[@]}" -eq 0 ]
