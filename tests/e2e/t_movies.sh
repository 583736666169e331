#!/usr/bin/env bash
# The movies API over HTTPS through nginx against a seeded library: the
# assertions are in tests/e2e/movies_e2e.c (built by `make test-bins`),
# which prints the same "ok"/"FAIL" lines as lib.sh.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=$BUILD_DIR/tests/e2e/movies_e2e
if [ ! -x "$bin" ]; then
	fail "movies: $bin" "not built (make test-bins)"
	exit 0
fi
"$bin"
