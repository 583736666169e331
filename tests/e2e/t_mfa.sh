#!/usr/bin/env bash
# Multi-factor authentication through nginx over HTTPS: TOTP setup and
# verify, a login answered with a challenge, the code that completes it
# (bearer and cookie mode), a replayed code, a backup code, bad inputs, and
# disabling. Codes are computed here with Python's standard library (RFC
# 6238: HMAC-SHA-1 of the time step), independently of the server's code.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U="mfa$$"
PW="mfa-password-$$"
JSON=(-H 'Content-Type: application/json')
JAR="$E2E_TMP/jar"

# totp SECRET STEP: the 6-digit code of a base32 secret for a time step
totp() {
	python3 -c '
import base64, hashlib, hmac, struct, sys
s = sys.argv[1]
key = base64.b32decode(s + "=" * (-len(s) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2])), hashlib.sha1).digest()
o = mac[19] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
' "$1" "$2"
}
# the current step, once at least 4 s of it are left (the server's clock
# must not cross into the next step between our computing and its checking)
step() {
	while [ $(($(date +%s) % 30)) -lt 2 ] || [ $(($(date +%s) % 30)) -gt 25 ]; do sleep 1; done
	echo $(($(date +%s) / 30))
}
# member NAME INDEX: item INDEX of the array member NAME of the last body
member() {
	python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]][int(sys.argv[2])])' \
		"$1" "$2" <<<"$RES_BODY"
}

http POST /api/v1/auth/register "${JSON[@]}" --data "{\"username\":\"$U\",\"email\":\"$U@example.com\",\"password\":\"$PW\"}"
check_status "register: 201" 201
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login before MFA: a session" 200
ACCESS=$(json_get access_token | tr -d '"')
AUTH=(-H "Authorization: Bearer $ACCESS")

# --- setup and verify -------------------------------------------------------------
http POST /api/v1/mfa/totp/setup "${AUTH[@]}"
check_status "setup: 200" 200
SECRET=$(json_get secret | tr -d '"')
check_match "setup: base32 secret of 160 bits" "$SECRET" '^[A-Z2-7]{32}$'
check_match "setup: otpauth URL" "$(json_get otpauth_url)" "^\"otpauth://totp/[^:]+:$U\\?secret=$SECRET&issuer="
check_match "setup: QR code as SVG" "$(json_get qr_svg)" '^"<svg xmlns=.*<path fill=.*</svg>"$'

S=$(step)
http POST /api/v1/mfa/totp/verify "${AUTH[@]}" "${JSON[@]}" --data '{"code":"12345x"}'
check_problem "verify: malformed code" 400 validation
check_json "verify: malformed code names it" field '"code"'
http POST /api/v1/mfa/totp/verify "${AUTH[@]}" "${JSON[@]}" --data "{\"code\":\"$(totp "$SECRET" "$S")\"}"
check_status "verify: 200" 200
check_json "verify: enabled" enabled true
BACKUP=$(member backup_codes 0)
check_match "verify: backup code shape" "$BACKUP" '^[a-z2-7]{5}-[a-z2-7]{5}$'

# --- login with a challenge -------------------------------------------------------
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\",\"device_name\":\"e2e-mfa\"}"
check_status "login: 200" 200
check_json "login: mfa_required" mfa_required true
check_json "login: expires_in" expires_in 300
check_true "login: no session yet" "an access token came back" \
	bash -c '! grep -q access_token <<<"$1"' _ "$RES_BODY"
TOKEN=$(json_get mfa_token | tr -d '"')
check_match "login: challenge token shape" "$TOKEN" '^rvm_[A-Za-z0-9_-]{43}$'

http POST /api/v1/auth/mfa "${JSON[@]}" --data "{\"mfa_token\":\"$TOKEN\",\"code\":\"$(totp "$SECRET" "$S")\"}"
check_problem "second step: the code verify used is refused" 401 unauthorized
check_json "second step: refusal names code" field '"code"'
CODE=$(totp "$SECRET" $((S + 1)))
http POST /api/v1/auth/mfa "${JSON[@]}" --data "{\"mfa_token\":\"$TOKEN\",\"code\":\"$CODE\"}"
check_status "second step: 200" 200
check_json "second step: token type" token_type '"Bearer"'
MFA_ACCESS=$(json_get access_token | tr -d '"')
http GET /api/v1/users/me -H "Authorization: Bearer $MFA_ACCESS"
check_status "session of the second step works" 200
check_json "session of the second step: username" username "\"$U\""

http POST /api/v1/auth/mfa "${JSON[@]}" --data "{\"mfa_token\":\"$TOKEN\",\"code\":\"$CODE\"}"
check_problem "challenge used twice" 401 unauthorized
check_json "challenge used twice: field" field '"mfa_token"'
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
TOKEN=$(json_get mfa_token | tr -d '"')
http POST /api/v1/auth/mfa "${JSON[@]}" --data "{\"mfa_token\":\"$TOKEN\",\"code\":\"$CODE\"}"
check_problem "replayed code" 401 unauthorized
check_json "replayed code: field" field '"code"'

# --- cookie mode with a backup code -------------------------------------------------
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\",\"cookie\":true}"
TOKEN=$(json_get mfa_token | tr -d '"')
check_true "cookie login: no cookie before the second step" "a session cookie was set" \
	bash -c '! grep -qi "^set-cookie: revenge_session=rvs_" <<<"$1"' _ "$RES_HEADERS"
http POST /api/v1/auth/mfa "${JSON[@]}" -c "$JAR" --data "{\"mfa_token\":\"$TOKEN\",\"backup_code\":\"$BACKUP\"}"
check_status "backup code: 200" 200
check_true "backup code: the login's cookie choice holds" "no session cookie" \
	grep -q revenge_session "$JAR"
check_match "backup code: csrf token" "$(json_get csrf_token)" '^"[A-Za-z0-9_-]{43}"$'
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
TOKEN=$(json_get mfa_token | tr -d '"')
http POST /api/v1/auth/mfa "${JSON[@]}" --data "{\"mfa_token\":\"$TOKEN\",\"backup_code\":\"$BACKUP\"}"
check_problem "backup code used twice" 401 unauthorized
check_json "backup code used twice: field" field '"backup_code"'

# --- bad input -------------------------------------------------------------------------
http POST /api/v1/auth/mfa "${JSON[@]}" --data '{"mfa_token":"rvm_forged","code":"123456"}'
check_problem "forged challenge token" 401 unauthorized
check_json "forged challenge token: field" field '"mfa_token"'
http POST /api/v1/auth/mfa "${JSON[@]}" --data '{"mfa_token": '
check_problem "malformed JSON" 400 bad-request
http POST /api/v1/auth/mfa "${JSON[@]}" --data '{"mfa_token":"x","code":123456}'
check_problem "code as a number" 400 validation
check_json "code as a number: field" field '"code"'
http POST /api/v1/mfa/totp/setup
check_problem "setup without credentials" 401 unauthorized

# --- status and disable ------------------------------------------------------------------
http GET /api/v1/mfa/status "${AUTH[@]}"
check_status "status: 200" 200
check_json "status: enabled" enabled true
check_json "status: nine backup codes left" backup_codes_remaining 9
http DELETE /api/v1/mfa/totp "${AUTH[@]}" "${JSON[@]}" --data '{"password":"not-the-password"}'
check_problem "disable with a wrong password" 403 forbidden
http DELETE /api/v1/mfa/totp "${AUTH[@]}" "${JSON[@]}" --data "{\"password\":\"$PW\"}"
check_status "disable: 204" 204
http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login after disabling: a session" 200
check_match "login after disabling: access token" "$(json_get access_token)" '^"rvs_'
