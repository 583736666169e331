#!/usr/bin/env bash
# tests/bench/scan.sh BUILD_DIR — time the library scanner (printed, never
# asserted): generate a tree of BENCH_FILES (default 100000) small valid
# media files with realistic names (one clip made by ffmpeg, hard-linked),
# time `find` over it for reference, then a full scan of it as a new
# library and a rescan with nothing changed, against a throwaway stack.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/scan.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$BUILD/bench-scan-stack
TREE=${BENCH_TREE:-$BUILD/bench-scan-tree}
N=${BENCH_FILES:-100000}
S=$ROOT/deploy/stack.sh

cleanup() { "$S" destroy "$STACK" >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$S" down "$STACK" >/dev/null 2>&1 || true
"$S" up "$STACK" --https-port 28443 --http-port 28080 --fast >/dev/null
eval "$("$S" env "$STACK")"
unset REVENGE_STACK_DIR REVENGE_CONFIG
"$BUILD/revenge" --config "$STACK/revenge.conf" migrate >/dev/null

if [ ! -f "$TREE/.count" ] || [ "$(cat "$TREE/.count")" != "$N" ]; then
	echo "bench-scan: generating $N files under $TREE"
	rm -rf "$TREE"
	mkdir -p "$TREE"
	ffmpeg -loglevel error -y -f lavfi -i testsrc=size=64x36:rate=24 -f lavfi -i sine=frequency=440 \
		-t 1 -c:v libx264 -preset ultrafast -c:a aac -shortest "$TREE/.clip0.mkv"
	# a file takes at most 65 000 hard links on ext4: four copies to link to
	for k in 1 2 3; do cp "$TREE/.clip0.mkv" "$TREE/.clip$k.mkv"; done
	# movies in "Title (Year)/Title.Year.quality.mkv" folders, 1 to 3 files each
	perl -e '
		my ($dir, $n) = @ARGV;
		my @w = qw(Dark Silent Last Red Lost Iron Golden Night Blue Broken Hidden Wild Frozen
			   Electric Secret Crimson Empty Savage Distant Little);
		my @t = qw(River Empire Garden Signal Harbor Machine Winter Kingdom Mirror Horizon
			   Stranger Frontier Letter Voyage Station Orchard Circus Shadow Engine Island);
		my @q = ("1080p.BluRay.x264-GRP", "720p.WEB-DL.DD5.1.H.264-NTb", "2160p.UHD.BluRay.HEVC.HDR10-TERMiNAL",
			 "DVDRip.XviD-FLAME", "1080p.WEBRip.x265.10bit.AAC5.1-RARBG");
		my $i = 0; my $m = 0;
		while ($i < $n) {
			my $title = $w[$m % 20] . " " . $t[int($m / 20) % 20] . ($m >= 400 ? " " . int($m / 400) : "");
			my $year = 1950 + $m % 73;
			(my $dot = $title) =~ s/ /./g;
			my $d = "$dir/" . chr(65 + $m % 26) . "/$title ($year)";
			system("mkdir", "-p", $d) == 0 or die;
			for my $k (0 .. ($m % 3)) {
				last if $i >= $n;
				my $f = $k ? "$d/$dot.$year.Part$k.$q[($m + $k) % 5].mkv" : "$d/$dot.$year.$q[$m % 5].mkv";
				link("$dir/.clip" . ($i % 4) . ".mkv", $f) or die "$f: $!";
				$i++;
			}
			$m++;
		}' "$TREE" "$N"
	echo "$N" >"$TREE/.count"
fi
sync
start=$(date +%s.%N)
found=$(find "$TREE" -name '*.mkv' -not -name '.*' | wc -l)
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" -v n="$found" 'BEGIN { printf "find:           %.2f s  (%d files)\n", b - a, n }'
"$BUILD/tests/bench/scan_bench" "postgresql:///$PGDATABASE?host=$PGHOST&user=$PGUSER" "$TREE"
