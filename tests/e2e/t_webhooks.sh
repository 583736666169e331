#!/usr/bin/env bash
# Radarr webhooks through the whole running stack, over HTTPS through
# nginx: an admin sets up Radarr (the generated secret, a path map from
# Radarr's folders to a folder of the stack's media root) and a movie
# library; a clip appears where Radarr would import it; the Download
# webhook, sent as Radarr sends it (HTTP basic auth), is answered 202 and
# the worker's targeted scan brings the movie into the library without a
# library scan. Around it: a wrong secret, no secret, a replay, an
# oversized body, malformed JSON and a folder outside the library are each
# refused with the right problem, and a Health event is acknowledged.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for c in jq ffmpeg psql; do
	command -v "$c" >/dev/null || { fail "webhooks: $c" "missing (deploy/stack.sh deps)"; exit 0; }
done

tag=$$
media=$STACK_DIR/media/e2e-hooks-$tag
root=$media/movies
folder="Hooked Movie (1950)"
mkdir -p "$root"
cleanup() {
	[ -z "${LIB:-}" ] || curl -sk -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/libraries/$LIB"
	curl -sk -o /dev/null -X DELETE -H "Authorization: Bearer ${TOKEN:-x}" \
		"$BASE/api/v1/admin/integrations/radarr"
	rm -rf "$media" "$E2E_TMP"
}
trap cleanup EXIT

e2e_admin e2ehooks$tag
# receipts left by earlier runs on a stack that is not fresh
receipts0=$(psql -qAt -c "SELECT count(*) FROM webhook_receipts")

http POST /api/v1/libraries "${AUTH[@]}" "${JSON[@]}" \
	--data "$(jq -cn --arg r "$root" '{name: "E2E webhooks", type: "movie", paths: [$r]}')"
check_status "webhooks: library created" 201
LIB=$(printf '%s' "$RES_BODY" | jq -r '.id // empty')

http PUT /api/v1/admin/integrations/radarr "${AUTH[@]}" "${JSON[@]}" \
	--data "$(jq -cn --arg l "$root" '{path_map: [{remote: "/data/movies", local: $l}]}')"
check_status "webhooks: radarr set up" 201
SECRET=$(printf '%s' "$RES_BODY" | jq -r '.webhook_secret // empty')
check_match "webhooks: a generated secret" "$SECRET" '^[A-Za-z0-9_-]{43}$'

body=$(jq -cn --arg f "/data/movies/$folder" \
	'{eventType: "Download", isUpgrade: false, movie: {id: 1, title: "Hooked Movie",
	  folderPath: $f, tmdbId: 0}, movieFile: {id: 2, relativePath: "Hooked.Movie.1950.mkv",
	  path: "/downloads/Hooked.Movie.1950.mkv", size: 1000}, downloadId: "e2e-'"$tag"'"}')

# who may post: nothing is written for a refused caller
http POST /api/v1/webhooks/radarr "${JSON[@]}" --data "$body"
check_problem "webhooks: no secret" 401 unauthorized
check_json "webhooks: no secret names it" field '"secret"'
check_header_match "webhooks: basic challenge" WWW-Authenticate '^Basic '
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:not-the-secret-at-all" --data "$body"
check_problem "webhooks: wrong secret" 401 unauthorized
http POST /api/v1/webhooks/radarr "${JSON[@]}" -H "X-Webhook-Secret: wrong-wrong-wrong-wrong" \
	--data "$body"
check_problem "webhooks: wrong secret header" 401 unauthorized
check_eq "webhooks: nothing written for refused callers" \
	"$(psql -qAt -c "SELECT count(*) FROM webhook_receipts")" "$receipts0"

# bad bodies with the right secret
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" --data '{"eventType": '
check_problem "webhooks: malformed JSON" 400 bad-request
check_json "webhooks: malformed JSON names the body" field '"body"'
head -c 300000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big"
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" --data-binary "@$E2E_TMP/big"
check_problem "webhooks: oversized body" 413 too-large
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" \
	--data '{"eventType": "Rename", "movie": {"folderPath": "/elsewhere/X (2001)"}}'
check_problem "webhooks: a folder outside the library" 400 validation
check_json "webhooks: the folder's member is named" field '"movie.folderPath"'
check_eq "webhooks: nothing written for refused bodies" \
	"$(psql -qAt -c "SELECT count(*) FROM webhook_receipts")" "$receipts0"

# the import: a clip where Radarr put it, then Radarr's webhook
ffmpeg -nostdin -loglevel error -y -f lavfi -i "testsrc=size=320x180:rate=24:duration=1" \
	-c:v libx264 -preset ultrafast -pix_fmt yuv420p "$E2E_TMP/clip.mkv" &&
	mkdir -p "$root/$folder" && cp "$E2E_TMP/clip.mkv" "$root/$folder/Hooked.Movie.1950.mkv" &&
	chmod -R a+rX "$media" || { fail "webhooks: ffmpeg" "could not make the clip"; exit 0; }
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" --data "$body"
check_status "webhooks: Download accepted" 202
check_json "webhooks: a sync" action '"sync"'
JOB=$(printf '%s' "$RES_BODY" | jq -r '.job_id // empty')
check_match "webhooks: with a job" "$JOB" '^[0-9]+$'

listed() {
	[ "$(curl -sk --max-time 5 "${AUTH[@]}" "$BASE/api/v1/movies?library_id=$LIB&limit=10" |
		jq -r '[.items[] | select(.file_count == 1)] | length')" = 1 ]
}
if wait_for 60 listed; then ok "webhooks: the movie is listed"; else
	fail "webhooks: the movie is listed" "not within 60 s: $(psql -qAt -c "SELECT state || ' ' || coalesce(last_error, '') FROM jobs WHERE id = $JOB")"
fi
check_eq "webhooks: no library scan was run" \
	"$(psql -qAt -c "SELECT count(*) FROM library_scans WHERE library_id = '$LIB'")" 0

# the same body again is a replay
http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" --data "$body"
check_problem "webhooks: replay refused" 409 conflict
check_json "webhooks: replay names the body" field '"body"'

# a Health event is logged, twice
for i in 1 2; do
	http POST /api/v1/webhooks/radarr "${JSON[@]}" -u "radarr:$SECRET" \
		--data '{"eventType": "Health", "level": "warning", "message": "Indexers unavailable"}'
	check_status "webhooks: Health $i acknowledged" 202
	check_json "webhooks: Health $i logged" action '"log"'
done
http GET /api/v1/admin/integrations/radarr "${AUTH[@]}"
check_eq "webhooks: the last webhook shown" \
	"$(printf '%s' "$RES_BODY" | jq -r '"\(.last_webhook.event_type) \(.webhooks_24h)"')" \
	"Health $(psql -qAt -c "SELECT count(*) FROM webhook_receipts WHERE kind = 'radarr'
		AND received_at > now() - interval '24 hours'")"
