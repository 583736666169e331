#!/usr/bin/env bash
# Cached artwork: what the image jobs write into storage/images (the
# stack's [storage] path is $STACK_DIR/storage) is served by nginx at
# /images/: the stored bytes with an image type and an immutable
# Cache-Control; GET and HEAD only; no listings, no hidden (temporary)
# files, nothing outside the folder, and 404s that are not cached.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

img=$STACK_DIR/storage/images/poster/w780
mkdir -p "$img"
printf '\377\330\377\340e2e-jpeg' >"$img/x.jpg"
printf '\211PNG\r\n\032\n' >"$img/pE2eMixed.png"
printf 'half' >"$img/.tmp-0123456789abcdef"
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$img/logo.svg"
chmod -R a+rX "$STACK_DIR/storage"

conf_path=$(conf_value storage path none)
check_eq "images: the stack's storage path" "$conf_path" "$STACK_DIR/storage"

http GET /images/poster/w780/x.jpg
check_status "image: 200" 200
check_header "image: JPEG type" Content-Type image/jpeg
v=$(curl -sk "$BASE/images/poster/w780/x.jpg" | od -An -tx1 | tr -d ' \n')
check_eq "image: the stored bytes" "$v" "$(printf '\377\330\377\340e2e-jpeg' | od -An -tx1 | tr -d ' \n')"
check_header "image: immutable for a year" Cache-Control "public, max-age=31536000, immutable"
check_header "image: nosniff" X-Content-Type-Options nosniff
check_header_match "image: an ETag" ETag '^"[0-9a-f]+-[0-9a-f]+"$'

http HEAD /images/poster/w780/x.jpg
check_status "image: HEAD 200" 200
check_header "image: HEAD type" Content-Type image/jpeg

http GET /images/poster/w780/pE2eMixed.png
check_status "image: provider (mixed case) name" 200
check_header "image: PNG type" Content-Type image/png
http GET /images/poster/w780/logo.svg
check_header "image: SVG is never rendered" Content-Type application/octet-stream

http GET /images/
check_status "images: no listing of the root" 404
check_no_header "images: a 404 is not cached" Cache-Control
http GET /images/poster/w780/
check_status "images: no directory listing" 404
http GET /images/poster/w780
check_status "images: a directory is not a file" 404
http GET /images/poster/w780/absent.jpg
check_status "images: absent file" 404
check_no_header "images: absent is not cached" Cache-Control
http GET /images/poster/w780/.tmp-0123456789abcdef
check_status "images: no hidden (temporary) files" 404

for path in /images/../revenge.conf /images/..%2frevenge.conf /images/%2e%2e/revenge.conf \
	/images/poster/../../revenge.conf /images/poster/w780/..%2f..%2f..%2frevenge.conf; do
	v=$(curl -sk -o "$E2E_TMP/escape" -w '%{http_code}' --path-as-is "$BASE$path")
	check_true "images: nothing outside the folder ($path)" "got $v" test "$v" != 200
	check_true "images: no configuration leaks ($path)" "the body has [database]" \
		bash -c "! grep -q 'database' '$E2E_TMP/escape'"
done

for m in POST PUT DELETE; do
	v=$(curl -sk -o /dev/null -w '%{http_code}' -X "$m" "$BASE/images/poster/w780/x.jpg")
	check_true "images: no $m" "got $v" test "$v" = 403 -o "$v" = 405
done
check_true "images: the file is still there" "x.jpg is gone" test -f "$img/x.jpg"

rm -f "$img/x.jpg" "$img/pE2eMixed.png" "$img/.tmp-0123456789abcdef" "$img/logo.svg"
