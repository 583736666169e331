#!/usr/bin/env bash
# Cached artwork: what the image jobs write into storage/images is served
# by nginx at /images/ (GET only, no listings, nothing outside the folder).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

img=$STACK_DIR/storage/images/poster/w780
mkdir -p "$img"
printf '\377\330\377\340e2e-jpeg' >"$img/pE2eTest.jpg"
chmod -R a+rX "$STACK_DIR/storage"

http GET /images/poster/w780/pE2eTest.jpg
check_status "image: 200" 200
check_header "image: JPEG type" Content-Type image/jpeg
v=$(curl -sk "$BASE/images/poster/w780/pE2eTest.jpg" | od -An -tx1 | tr -d ' \n' | cut -c1-8)
check_eq "image: the stored bytes" "$v" "ffd8ffe0"
check_header_match "image: cached by clients" Cache-Control 'max-age=[0-9]+'

http GET /images/poster/w780/
check_status "images: no directory listing" 404
http GET /images/poster/w780/absent.jpg
check_status "images: absent file" 404
v=$(curl -sk -o /dev/null -w '%{http_code}' --path-as-is "$BASE/images/../revenge.conf")
check_true "images: nothing outside the folder" "got $v" test "$v" != 200
v=$(curl -sk -o /dev/null -w '%{http_code}' -X POST "$BASE/images/poster/w780/pE2eTest.jpg")
check_true "images: only GET" "got $v" test "$v" = 403 -o "$v" = 405
rm -f "$img/pE2eTest.jpg"
