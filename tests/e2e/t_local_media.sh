#!/usr/bin/env bash
# Local artwork and multiple versions through the whole running stack: a
# library of generated files (one movie in two versions, a poster.jpg next
# to one of them) is created and scanned through the API; the worker scans,
# identifies the files locally (the test stack has no TMDb key) and stores
# the poster; then, over HTTPS through nginx:
#   - the movie's poster_url is served by nginx with the poster's bytes;
#   - the detail lists both versions with their labels, and each version's
#     stream_url streams that version's own bytes (a range and the whole);
#   - before that, the folder picker (GET /admin/directories) shows the
#     stack's media root and the library's folder, and refuses ".." out.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for c in jq ffmpeg psql; do
	command -v "$c" >/dev/null || { fail "local media: $c" "missing (deploy/stack.sh deps)"; exit 0; }
done

tag=$$
# under the stack's media folder: the stack's library.allowed_roots
media=$STACK_DIR/media/e2e-local-$tag
root=$media/movies
title="Local Art (1931)"
sd_rel="$title/$title.mkv"
hd_rel="$title 720p/$title 720p.mkv"
mkdir -p "$root/$title" "$root/$title 720p"
cleanup() {
	[ -z "${LIB:-}" ] || curl -sk -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/libraries/$LIB"
	rm -rf "$media" "$E2E_TMP"
}
trap cleanup EXIT

clip() { # SIZE OUT
	ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=$1:rate=24:duration=1" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p "$2"
}
clip 320x180 "$root/$sd_rel" && clip 1280x720 "$root/$hd_rel" &&
	ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=200x300 -frames:v 1 \
		"$root/$title/poster.jpg" || { fail "local media: ffmpeg" "could not make the media"; exit 0; }
chmod -R a+rX "$media"

# an admin of our own: registered through the API, the role given in SQL
e2e_admin e2elm$tag

# the folder picker leads to the library's folder, and nowhere else
http GET /api/v1/admin/directories "${AUTH[@]}"
check_status "local media: picker roots 200" 200
check_eq "local media: picker lists the stack's media root" \
	"$(printf '%s' "$RES_BODY" | jq -r --arg m "$(realpath "$STACK_DIR/media")" '[.directories[].path] | index($m) != null')" true
http GET /api/v1/admin/directories "${AUTH[@]}" -G --data-urlencode "path=$media"
check_status "local media: picker folder 200" 200
check_eq "local media: picker shows the movies folder" \
	"$(printf '%s' "$RES_BODY" | jq -r '"\(.parent != null) \(.truncated) " + ([.directories[] | .name + "=" + .path] | join(","))')" \
	"true false movies=$(realpath "$root")"
http GET /api/v1/admin/directories "${AUTH[@]}" -G --data-urlencode "path=$media/../../../../../../../etc"
check_problem "local media: picker refuses .. out of the roots" 403 forbidden
check_json "local media: the refusal names path" field '"path"'

http POST /api/v1/libraries "${AUTH[@]}" "${JSON[@]}" \
	--data "$(jq -cn --arg r "$root" '{name: "E2E local media", type: "movie", paths: [$r]}')"
check_status "local media: library created" 201
LIB=$(printf '%s' "$RES_BODY" | jq -r '.id // empty')
http POST "/api/v1/libraries/$LIB/scan" "${AUTH[@]}" "${JSON[@]}" --data '{}'
check_status "local media: scan queued" 202

# the worker scans, identifies both files as one movie and stores the poster
ready_movie() {
	local body
	body=$(curl -sk --max-time 5 "${AUTH[@]}" "$BASE/api/v1/movies?library_id=$LIB&limit=10")
	[ "$(printf '%s' "$body" | jq -r '[.items[] | select(.file_count == 2 and .poster_url != null)] | length')" = 1 ] || return 1
	MOVIE=$(printf '%s' "$body" | jq -r '.items[0].id')
	POSTER=$(printf '%s' "$body" | jq -r '.items[0].poster_url')
}
MOVIE="" POSTER=""
if ! wait_for 60 ready_movie; then
	fail "local media: one movie with two files and a poster" \
		"not within 60 s: $(curl -sk "${AUTH[@]}" "$BASE/api/v1/movies?library_id=$LIB" | head -c 300)"
	exit 0
fi
ok "local media: one movie with two files and a poster"
check_eq "local media: one movie in the library" \
	"$(curl -sk "${AUTH[@]}" "$BASE/api/v1/movies?library_id=$LIB" | jq -r '.items | length')" 1

# the poster, served by nginx from storage: the very bytes of poster.jpg
check_match "local media: poster under /images/poster/local/" "$POSTER" '^/images/poster/local/[0-9a-f]{64}\.jpg$'
code=$(curl -sk -D "$E2E_TMP/poster.h" -o "$E2E_TMP/poster" -w '%{http_code}' "$BASE$POSTER")
RES_STATUS=$code RES_HEADERS=$(tr -d '\r' <"$E2E_TMP/poster.h")
check_status "local media: poster 200" 200
check_header "local media: poster is a JPEG" Content-Type image/jpeg
check_header "local media: poster immutable" Cache-Control "public, max-age=31536000, immutable"
check_true "local media: poster bytes" "the served poster differs from poster.jpg" \
	cmp -s "$E2E_TMP/poster" "$root/$title/poster.jpg"

# two versions, each streamed as itself
http GET "/api/v1/movies/$MOVIE" "${AUTH[@]}"
check_status "local media: detail 200" 200
check_eq "local media: version labels, best first" \
	"$(printf '%s' "$RES_BODY" | jq -r '[.versions[].label] | join("|")')" "720p|SD"
for v in 0 1; do
	label=$(printf '%s' "$RES_BODY" | jq -r ".versions[$v].label")
	url=$(printf '%s' "$RES_BODY" | jq -r ".versions[$v].stream_url")
	case $label in 720p) src=$root/$hd_rel ;; *) src=$root/$sd_rel ;; esac
	code=$(curl -sk "${AUTH[@]}" -r 100-299 -o "$E2E_TMP/part" -w '%{http_code}' "$BASE$url")
	check_eq "local media: $label range 206" "$code" 206
	check_true "local media: $label range bytes" "bytes 100-299 differ from $src" \
		cmp -s "$E2E_TMP/part" <(tail -c +101 "$src" | head -c 200)
	code=$(curl -sk "${AUTH[@]}" -o "$E2E_TMP/whole" -w '%{http_code}' "$BASE$url")
	check_eq "local media: $label whole 200" "$code" 200
	check_true "local media: $label is its own file" "the stream differs from $src" \
		cmp -s "$E2E_TMP/whole" "$src"
done
check_true "local media: the versions differ" "both files are equal" \
	bash -c "! cmp -s '$root/$sd_rel' '$root/$hd_rel'"
http GET "/api/v1/movies/$MOVIE/files" "${AUTH[@]}"
check_eq "local media: files carry the version" \
	"$(printf '%s' "$RES_BODY" | jq -r '[.items[].version] | sort | join("|")')" "720p|SD"
