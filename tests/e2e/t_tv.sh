#!/usr/bin/env bash
# A TV library through the whole running stack: generated episode files in
# a series folder (two episodes, a multi-episode file, a special in
# Specials/, an external subtitle) are scanned through the API; the worker
# scans and identifies them locally (the test stack has no TMDb key); then,
# over HTTPS through nginx:
#   - the series, its seasons (0 and 1) and its episodes are listed, the
#     multi-episode file under both of its episodes;
#   - an episode's stream_url streams its own bytes (a range and the
#     whole), the multi-episode file for either episode, and its subtitle
#     (as it is and as WebVTT);
#   - watched, next up and a bulk mark of the season change what lists show;
#   - every other TV route answers what it should (lists, search, stats,
#     relations, air dates, progress, refresh);
#   - a library only granted users see and an age limit hide the series
#     from a plain user on every route, until a grant lets them in;
#   - detail answers carry an ETag that a conditional GET turns into a 304.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for c in jq ffmpeg psql; do
	command -v "$c" >/dev/null || { fail "tv: $c" "missing (deploy/stack.sh deps)"; exit 0; }
done

tag=$$
# under the stack's media folder: the stack's library.allowed_roots
media=$STACK_DIR/media/e2e-tv-$tag
root=$media/tv
show="Pine Ridge (2001)"
e1="$show/Season 01/Pine Ridge (2001) - S01E01.mkv"
e2="$show/Season 01/Pine Ridge (2001) - S01E02.mkv"
e34="$show/Season 01/Pine Ridge (2001) - S01E03E04.mkv"
sp="$show/Specials/Pine Ridge (2001) - S00E01.mkv"
sub="$show/Season 01/Pine Ridge (2001) - S01E02.en.srt"
mkdir -p "$root/$show/Season 01" "$root/$show/Specials"
cleanup() {
	[ -z "${LIB:-}" ] || curl -sk -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/libraries/$LIB"
	rm -rf "$media" "$E2E_TMP"
}
trap cleanup EXIT

clip() { # SECONDS OUT
	ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=320x180:rate=24:duration=$1" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p "$2"
}
clip 1 "$root/$e1" && clip 2 "$root/$e2" && clip 3 "$root/$e34" && clip 1 "$root/$sp" ||
	{ fail "tv: ffmpeg" "could not make the media"; exit 0; }
printf '1\n00:00:00,500 --> 00:00:01,500\nPine Ridge.\n' >"$root/$sub"
chmod -R a+rX "$media"

e2e_admin e2etv$tag
pw=$USER_PW

http POST /api/v1/libraries "${AUTH[@]}" "${JSON[@]}" \
	--data "$(jq -cn --arg r "$root" '{name: "E2E TV", type: "tvshow", paths: [$r]}')"
check_status "tv: library created" 201
LIB=$(printf '%s' "$RES_BODY" | jq -r '.id // empty')
http POST "/api/v1/libraries/$LIB/scan" "${AUTH[@]}" "${JSON[@]}" --data '{}'
check_status "tv: scan queued" 202

ready_series() {
	local body
	body=$(curl -sk --max-time 5 "${AUTH[@]}" "$BASE/api/v1/tvshows?library_id=$LIB&limit=10")
	[ "$(printf '%s' "$body" | jq -r '[.items[] | select(.file_count == 4)] | length')" = 1 ] || return 1
	SERIES=$(printf '%s' "$body" | jq -r '.items[0].id')
}
SERIES=""
if ! wait_for 60 ready_series; then
	fail "tv: one series with four files" \
		"not within 60 s: $(curl -sk "${AUTH[@]}" "$BASE/api/v1/tvshows?library_id=$LIB" | head -c 300)"
	exit 0
fi
ok "tv: one series with four files"

http GET "/api/v1/tvshows/$SERIES/seasons" "${AUTH[@]}"
check_status "tv: seasons 200" 200
check_eq "tv: specials and season 1" "$(printf '%s' "$RES_BODY" | jq -r '[.items[].season_number] | join(",")')" "0,1"
http GET "/api/v1/tvshows/$SERIES/episodes?season=1" "${AUTH[@]}"
check_status "tv: episodes 200" 200
check_eq "tv: episodes 1 to 4, each with a file" \
	"$(printf '%s' "$RES_BODY" | jq -r '[.items[] | "\(.episode_number):\(.has_file)"] | join(",")')" \
	"1:true,2:true,3:true,4:true"
E1=$(printf '%s' "$RES_BODY" | jq -r '.items[0].id')
E2=$(printf '%s' "$RES_BODY" | jq -r '.items[1].id')
E3=$(printf '%s' "$RES_BODY" | jq -r '.items[2].id')
E4=$(printf '%s' "$RES_BODY" | jq -r '.items[3].id')

# an episode's own bytes, a range and the whole, and its subtitle
http GET "/api/v1/tvshows/episodes/$E2/files" "${AUTH[@]}"
check_status "tv: files 200" 200
url=$(printf '%s' "$RES_BODY" | jq -r '.items[0].stream_url')
suburl=$(printf '%s' "$RES_BODY" | jq -r '.items[0].subtitles[0].url')
code=$(curl -sk "${AUTH[@]}" -r 100-299 -o "$E2E_TMP/part" -w '%{http_code}' "$BASE$url")
check_eq "tv: range 206" "$code" 206
check_true "tv: range bytes" "bytes 100-299 differ from the file" \
	cmp -s "$E2E_TMP/part" <(tail -c +101 "$root/$e2" | head -c 200)
code=$(curl -sk "${AUTH[@]}" -o "$E2E_TMP/whole" -w '%{http_code}' "$BASE$url")
check_eq "tv: whole 200" "$code" 200
check_true "tv: the episode's own file" "the stream differs from S01E02" cmp -s "$E2E_TMP/whole" "$root/$e2"
code=$(curl -sk "${AUTH[@]}" -o "$E2E_TMP/sub" -w '%{http_code}' "$BASE$suburl")
check_eq "tv: subtitle 200" "$code" 200
check_true "tv: subtitle bytes" "the subtitle differs" cmp -s "$E2E_TMP/sub" "$root/$sub"
# the same subtitle converted to WebVTT by the server, for a browser's <track>
http GET "$suburl?format=vtt" "${AUTH[@]}"
check_status "tv: subtitle as WebVTT 200" 200
check_eq "tv: WebVTT header" "$(printf '%s\n' "$RES_BODY" | head -n 1)" "WEBVTT"
check_header "tv: WebVTT content type" Content-Type "text/vtt; charset=utf-8"
check_eq "tv: SRT cue converted" \
	"$(printf '%s\n' "$RES_BODY" | grep -A1 -- '-->' | tr '\n' '|')" "00:00:00.500 --> 00:00:01.500|Pine Ridge.|"
http GET "$suburl?format=srt" "${AUTH[@]}"
check_problem "tv: subtitle format=srt" 400 validation
check_json "tv: the problem names format" field '"format"'
# the multi-episode file, for either of its episodes
for e in "$E3" "$E4"; do
	http GET "/api/v1/tvshows/episodes/$e/files" "${AUTH[@]}"
	url=$(printf '%s' "$RES_BODY" | jq -r '.items[0].stream_url')
	code=$(curl -sk "${AUTH[@]}" -o "$E2E_TMP/whole" -w '%{http_code}' "$BASE$url")
	check_eq "tv: multi-episode stream 200" "$code" 200
	check_true "tv: multi-episode bytes" "the stream differs from S01E03E04" cmp -s "$E2E_TMP/whole" "$root/$e34"
done
# another episode's file is not this episode's
f1=$(curl -sk "${AUTH[@]}" "$BASE/api/v1/tvshows/episodes/$E1/files" | jq -r '.items[0].id')
http GET "/api/v1/tvshows/episodes/$E2/files/$f1/stream" "${AUTH[@]}"
check_problem "tv: a file of another episode" 404 not-found
check_json "tv: the problem names file_id" field '"file_id"'

# nothing watched yet: the next episode is the first one of season 1
http GET "/api/v1/tvshows/$SERIES/next-episode" "${AUTH[@]}"
check_eq "tv: next episode before watching" "$(printf '%s' "$RES_BODY" | jq -r .episode.id)" "$E1"
http GET "/api/v1/tvshows/$SERIES/next-episode?include_specials=true" "${AUTH[@]}"
check_eq "tv: next episode with specials" "$(printf '%s' "$RES_BODY" | jq -r .episode.season_number)" 0

# watch state through the lists
http POST "/api/v1/tvshows/episodes/$E1/watched" "${AUTH[@]}"
check_status "tv: watched 200" 200
http GET "/api/v1/tvshows/next-up" "${AUTH[@]}"
check_eq "tv: next up is S01E02" "$(printf '%s' "$RES_BODY" | jq -r '[.items[].id] | join(",")')" "$E2"
season=$(curl -sk "${AUTH[@]}" "$BASE/api/v1/tvshows/$SERIES/seasons" | jq -r '.items[] | select(.season_number == 1) | .id')
http POST /api/v1/tvshows/episodes/bulk-watched "${AUTH[@]}" "${JSON[@]}" --data "{\"season_id\":\"$season\"}"
check_status "tv: bulk watched 200" 200
check_eq "tv: three more watched" "$(printf '%s' "$RES_BODY" | jq -r '"\(.episodes)/\(.changed)"')" "4/3"
http GET "/api/v1/tvshows/next-up" "${AUTH[@]}"
check_eq "tv: next up is empty" "$(printf '%s' "$RES_BODY" | jq -r '.items | length')" 0

# progress of an episode: reported, listed, forgotten
http PUT "/api/v1/tvshows/episodes/$E1/progress" "${AUTH[@]}" "${JSON[@]}" --data '{"position_seconds": 1}'
check_status "tv: progress put 200" 200
http GET "/api/v1/tvshows/episodes/$E1/progress" "${AUTH[@]}"
check_eq "tv: progress read back" "$(printf '%s' "$RES_BODY" | jq -r '"\(.position_seconds)/\(.watched)"')" "1/true"
http DELETE "/api/v1/tvshows/episodes/$E1/progress" "${AUTH[@]}"
check_status "tv: progress delete 204" 204
http DELETE "/api/v1/tvshows/episodes/$E1/watched" "${AUTH[@]}"
check_eq "tv: unwatched" "$(printf '%s' "$RES_BODY" | jq -r '"\(.watched)/\(.play_count)"')" "false/0"
http GET "/api/v1/tvshows/watch-history?limit=1" "${AUTH[@]}"
check_eq "tv: history's newest event" "$(printf '%s' "$RES_BODY" | jq -r '.items[0].event + " " + .items[0].episode.id')" "unmarked $E1"
http PUT "/api/v1/tvshows/episodes/$E2/progress" "${AUTH[@]}" "${JSON[@]}" --data '{"position_seconds": 1}'
http GET "/api/v1/tvshows/continue-watching" "${AUTH[@]}"
check_eq "tv: continue watching S01E02" "$(printf '%s' "$RES_BODY" | jq -r '[.items[].id] | join(",")')" "$E2"

# the other routes
season_json=$(curl -sk "${AUTH[@]}" "$BASE/api/v1/tvshows/seasons/$season")
check_eq "tv: season detail" "$(printf '%s' "$season_json" | jq -r '"\(.season_number) \(.series.id)"')" "1 $SERIES"
http GET "/api/v1/tvshows/seasons/$season/episodes" "${AUTH[@]}"
check_eq "tv: season's episodes" "$(printf '%s' "$RES_BODY" | jq -r '[.items[].id] | join(",")')" "$E1,$E2,$E3,$E4"
http GET "/api/v1/tvshows/episodes/$E2" "${AUTH[@]}"
check_eq "tv: episode neighbours" "$(printf '%s' "$RES_BODY" | jq -r '"\(.previous_id) \(.next_id)"')" "$E1 $E3"
http GET "/api/v1/tvshows?library_id=$LIB&offset=0&limit=1&sort=title" "${AUTH[@]}"
check_eq "tv: offset page total" "$(printf '%s' "$RES_BODY" | jq -r '"\(.total) \(.items[0].id)"')" "1 $SERIES"
for path in "/api/v1/tvshows/search?q=pine" "/api/v1/search/tvshows?q=pine%20rigde"; do
	http GET "$path" "${AUTH[@]}"
	check_eq "tv: search $path" "$(printf '%s' "$RES_BODY" | jq -r '.items[0].id')" "$SERIES"
done
http GET "/api/v1/search/multi?q=pine%20ridge" "${AUTH[@]}"
check_eq "tv: multi-search finds the series" \
	"$(printf '%s' "$RES_BODY" | jq -r --arg s "$SERIES" '[.items[] | select(.type == "series" and .item.id == $s)] | length')" 1
http GET "/api/v1/tvshows/recently-added" "${AUTH[@]}"
check_true "tv: recently added" "the series is not listed" bash -c "printf '%s' '$RES_BODY' | jq -e --arg s '$SERIES' '[.items[].id] | index(\$s) != null' >/dev/null"
http GET "/api/v1/tvshows/stats" "${AUTH[@]}"
check_true "tv: stats count the library" "stats: $RES_BODY" \
	bash -c "printf '%s' '$RES_BODY' | jq -e '.series >= 1 and .episodes >= 5 and .specials >= 1 and .files >= 4' >/dev/null"
# air dates: yesterday's episode is recent, tomorrow's upcoming
psql -qAt -c "UPDATE episodes SET air_date = current_date - 1 WHERE id = '$E1';
	UPDATE episodes SET air_date = current_date + 1 WHERE id = '$E2'" >/dev/null
http GET "/api/v1/tvshows/episodes/recent?limit=100" "${AUTH[@]}"
check_true "tv: recent episodes" "S01E01 not listed" bash -c "printf '%s' '$RES_BODY' | jq -e --arg e '$E1' '[.items[].id] | index(\$e) != null' >/dev/null"
http GET "/api/v1/tvshows/episodes/upcoming?limit=100" "${AUTH[@]}"
check_true "tv: upcoming episodes" "S01E02 not listed" bash -c "printf '%s' '$RES_BODY' | jq -e --arg e '$E2' '[.items[].id] | index(\$e) != null' >/dev/null"
# relations of a series identified locally (no TMDb key): none, but answered
for rel in cast crew genres networks; do
	http GET "/api/v1/tvshows/$SERIES/$rel" "${AUTH[@]}"
	check_eq "tv: $rel of a local series" "$RES_STATUS $(printf '%s' "$RES_BODY" | jq -r '.items | length')" "200 0"
done
http GET "/api/v1/tvshows/genres?offset=0" "${AUTH[@]}"
check_true "tv: genres answered with a total" "HTTP $RES_STATUS: $RES_BODY" \
	bash -c "printf '%s' '$RES_BODY' | jq -e '.total >= 0' >/dev/null"
http POST "/api/v1/tvshows/$SERIES/refresh" "${AUTH[@]}"
check_status "tv: refresh queued" 202
check_true "tv: refresh job" "no job id: $RES_BODY" bash -c "printf '%s' '$RES_BODY' | jq -e '.job_id > 0' >/dev/null"

# grants and age limits, as a plain user
viewer=e2etvv$tag
http POST /api/v1/auth/register "${JSON[@]}" \
	--data "{\"username\":\"$viewer\",\"email\":\"$viewer@example.com\",\"password\":\"$pw\"}"
vid=$(printf '%s' "$RES_BODY" | jq -r .id)
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$viewer\",\"password\":\"$pw\"}"
VAUTH=(-H "Authorization: Bearer $(printf '%s' "$RES_BODY" | jq -r '.access_token // empty')")
psql -qAt -c "UPDATE libraries SET visibility = 'granted' WHERE id = '$LIB'" >/dev/null
http GET "/api/v1/tvshows/$SERIES" "${VAUTH[@]}"
check_problem "tv: a series of a library not granted" 404 not-found
http GET "/api/v1/tvshows/episodes/$E2/files/$(curl -sk "${AUTH[@]}" "$BASE/api/v1/tvshows/episodes/$E2/files" | jq -r '.items[0].id')/stream" "${VAUTH[@]}"
check_status "tv: no stream without the grant" 404
http GET "/api/v1/search/multi?q=pine%20ridge" "${VAUTH[@]}"
check_eq "tv: not found by search without the grant" "$(printf '%s' "$RES_BODY" | jq -r '.items | length')" 0
http POST "/api/v1/libraries/$LIB/permissions" "${AUTH[@]}" "${JSON[@]}" --data "{\"user_id\":\"$vid\",\"level\":\"view\"}"
check_true "tv: grant given" "HTTP $RES_STATUS" test "${RES_STATUS:0:1}" = 2
http GET "/api/v1/tvshows/$SERIES" "${VAUTH[@]}"
check_status "tv: the grant lets the series in" 200
http GET "/api/v1/tvshows/next-up" "${VAUTH[@]}"
check_eq "tv: another user's next up is their own" "$(printf '%s' "$RES_BODY" | jq -r '.items | length')" 0
psql -qAt -c "INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)
	VALUES ('$SERIES', 'US', 'US TV', 'TV-MA', 17)" >/dev/null
http PUT /api/v1/users/me/preferences "${VAUTH[@]}" "${JSON[@]}" --data '{"max_age_rating": 12}'
check_status "tv: an age limit set" 200
http GET "/api/v1/tvshows/$SERIES" "${VAUTH[@]}"
check_status "tv: above the age limit" 404
http GET "/api/v1/tvshows/episodes/$E1" "${VAUTH[@]}"
check_status "tv: its episodes too" 404
http GET "/api/v1/tvshows?library_id=$LIB" "${VAUTH[@]}"
check_eq "tv: and its list" "$(printf '%s' "$RES_BODY" | jq -r '.items | length')" 0
http GET "/api/v1/tvshows/$SERIES" "${AUTH[@]}"
check_status "tv: the admin still sees it" 200

# conditional GET of the detail
http GET "/api/v1/tvshows/$SERIES" "${AUTH[@]}"
check_status "tv: detail 200" 200
etag=$(header_values ETag | head -n 1)
check_true "tv: detail ETag" "no ETag" test -n "$etag"
http GET "/api/v1/tvshows/$SERIES" "${AUTH[@]}" -H "If-None-Match: $etag"
check_status "tv: detail 304" 304
