#!/usr/bin/env bash
# Avatars through nginx over HTTPS with the default (local) storage backend
# (it also passes with storage.backend = s3, the stack's nginx then proxying
# /images/ to the bucket):
# upload a real PNG and JPEG from tests/fixtures/avatars, fetch avatar_url
# from nginx and compare the bytes, a new URL per upload with the old one
# gone, the same through a multipart form, nginx letting a 2 MiB picture through to the app (413 from the app
# past it, from nginx past 3m), fake pictures refused, delete.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U="ava$$"
PW="e2e-password-$$"
FIX=$ROOT/tests/fixtures/avatars
JSON=(-H 'Content-Type: application/json')

http POST /api/v1/auth/register "${JSON[@]}" --data "{\"username\":\"$U\",\"email\":\"$U@example.com\",\"password\":\"$PW\"}"
check_status "register: 201" 201
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login: 200" 200
AUTH=(-H "Authorization: Bearer $(json_get access_token | tr -d '"')")

http GET /api/v1/users/me "${AUTH[@]}"
check_json "no avatar yet" avatar_url null

bytes() { od -An -tx1 | tr -d ' \n'; }

# --- a PNG --------------------------------------------------------------------
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$FIX/avatar-64.png"
check_status "upload PNG: 200" 200
URL1=$(json_get avatar_url | tr -d '"')
check_match "upload PNG: a versioned URL" "$URL1" '^/images/avatars/[0-9a-f-]{36}/[0-9a-f]{16}\.png$'
http GET "$URL1"
check_status "PNG through nginx: 200" 200
check_header "PNG through nginx: type" Content-Type image/png
check_header "PNG through nginx: immutable" Cache-Control "public, max-age=31536000, immutable"
check_eq "PNG through nginx: the uploaded bytes" "$(curl -sk "$BASE$URL1" | bytes)" "$(bytes <"$FIX/avatar-64.png")"
http GET /api/v1/users/me "${AUTH[@]}"
check_json "me shows the new URL" avatar_url "\"$URL1\""

# --- a JPEG replaces it -------------------------------------------------------
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/jpeg' --data-binary "@$FIX/avatar-48.jpg"
check_status "upload JPEG: 200" 200
URL2=$(json_get avatar_url | tr -d '"')
check_match "upload JPEG: a .jpg URL" "$URL2" '^/images/avatars/[0-9a-f-]{36}/[0-9a-f]{16}\.jpg$'
check_true "upload JPEG: a new URL" "both are $URL1" test "$URL1" != "$URL2"
check_eq "JPEG through nginx: the uploaded bytes" "$(curl -sk "$BASE$URL2" | bytes)" "$(bytes <"$FIX/avatar-48.jpg")"
http GET "$URL2"
check_header "JPEG through nginx: type" Content-Type image/jpeg
# with storage.backend = s3 nginx's cache may serve a removed picture for up
# to an hour (nginx/revenge.conf.in): "gone" is checked on the local backend
BACKEND=$(conf_value storage backend local)
if [ "$BACKEND" = local ]; then
	http GET "$URL1"
	check_status "the replaced PNG is gone" 404
fi

# --- a form, as a browser's FormData sends it ----------------------------------
http POST /api/v1/users/me/avatar "${AUTH[@]}" -F "avatar=@$FIX/avatar-64.png;type=image/png"
check_status "form upload: 200" 200
URLF=$(json_get avatar_url | tr -d '"')
check_match "form upload: a .png URL" "$URLF" '^/images/avatars/[0-9a-f-]{36}/[0-9a-f]{16}\.png$'
check_eq "form upload through nginx: the bytes" "$(curl -sk "$BASE$URLF" | bytes)" "$(bytes <"$FIX/avatar-64.png")"

# --- refused --------------------------------------------------------------------
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$FIX/avatar-32.gif"
check_problem "GIF" 415 unsupported-media-type
check_json "GIF: field" field '"avatar"'
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary 'not a picture at all'
check_problem "text as PNG" 415 unsupported-media-type
check_json "text as PNG: field" field '"avatar"'
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$FIX/tiny-8.png"
check_problem "8x8" 400 validation
check_json "8x8: field" field '"avatar"'
http POST /api/v1/users/me/avatar "${AUTH[@]}" -F "file=@$FIX/avatar-64.png"
check_problem "form part not named avatar" 400 validation
check_json "form part not named avatar: field" field '"avatar"'
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: text/plain' --data-binary "@$FIX/avatar-64.png"
check_problem "text/plain" 415 unsupported-media-type
check_json "text/plain: field" field '"Content-Type"'
# past 2 MiB the app answers 413 (nginx lets up to 3m through on this route)
head -c $((2 * 1024 * 1024 + 1)) /dev/zero >"$E2E_TMP/big"
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$E2E_TMP/big"
check_problem "2 MiB + 1" 413 too-large
head -c $((4 * 1024 * 1024)) /dev/zero >"$E2E_TMP/huge"
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$E2E_TMP/huge"
check_status "4 MiB: nginx's 413" 413
# exactly 2 MiB of a real picture (the PNG padded) is accepted
{ cat "$FIX/avatar-64.png"; head -c $((2 * 1024 * 1024 - $(stat -c %s "$FIX/avatar-64.png"))) /dev/zero; } >"$E2E_TMP/max"
http POST /api/v1/users/me/avatar "${AUTH[@]}" -H 'Content-Type: image/png' --data-binary "@$E2E_TMP/max"
check_status "2 MiB: 200" 200
URL3=$(json_get avatar_url | tr -d '"')
check_eq "2 MiB through nginx: the bytes" "$(curl -sk "$BASE$URL3" | wc -c | tr -d ' ')" $((2 * 1024 * 1024))
http GET /api/v1/users/me "${AUTH[@]}"
check_json "refusals left the avatar alone" avatar_url "\"$URL3\""

# --- delete -----------------------------------------------------------------------
http DELETE /api/v1/users/me/avatar "${AUTH[@]}"
check_status "delete: 204" 204
http GET /api/v1/users/me "${AUTH[@]}"
check_json "delete: no avatar" avatar_url null
if [ "$BACKEND" = local ]; then
	http GET "$URL3"
	check_status "delete: the picture is gone" 404
fi
http DELETE /api/v1/users/me/avatar
check_status "delete without credentials: 401" 401
