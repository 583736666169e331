#!/usr/bin/env bash
# Account mails through nginx over HTTPS (docs/internals/mail.md). The e2e
# stack has no SMTP server, so no mail goes out and no token is made: the
# answers must still be the specified ones (test_mail_flows covers the
# mails themselves against a real SMTP server).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U="mail$$"
PW="mail-password-$$"
psql -qAt -c "DELETE FROM email_requests" >/dev/null

http POST /api/v1/auth/register "${JSON[@]}" --data "{\"username\":\"$U\",\"email\":\"$U@example.com\",\"password\":\"$PW\"}"
check_status "register: 201" 201
USER_ID=$(json_get id | tr -d '"')
check_eq "register without SMTP: no verification token" \
	"$(psql -qAt -c "SELECT count(*) FROM email_tokens WHERE user_id = '$USER_ID'")" 0

# --- forgot password: the same answer for any address --------------------------------
http POST /api/v1/auth/forgot-password "${JSON[@]}" --data "{\"email\":\"$U@EXAMPLE.com\"}"
check_status "forgot, known address: 204" 204
check_body "forgot, known address: no body" ""
http POST /api/v1/auth/forgot-password "${JSON[@]}" --data "{\"email\":\"nobody$U@example.com\"}"
check_status "forgot, unknown address: 204" 204
check_body "forgot, unknown address: no body" ""
check_eq "forgot without SMTP: no token, no job" \
	"$(psql -qAt -c "SELECT (SELECT count(*) FROM email_tokens WHERE user_id = '$USER_ID') ||
		'/' || (SELECT count(*) FROM jobs WHERE kind = 'mail.send' AND created_at > now() - interval '1 minute')")" 0/0
check_eq "forgot: both requests counted for the client address" \
	"$(psql -qAt -c "SELECT count(*) FROM email_requests")" 2

http POST /api/v1/auth/forgot-password "${JSON[@]}" --data '{"email":"not an address"}'
check_problem "forgot, bad address" 400 validation
check_json "forgot, bad address: field" field '"email"'
http POST /api/v1/auth/forgot-password "${JSON[@]}" --data '{"email":'
check_problem "forgot, malformed JSON" 400 bad-request

# --- tokens nobody holds ---------------------------------------------------------------
FORGED="rvm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
http POST /api/v1/auth/reset-password "${JSON[@]}" --data "{\"token\":\"$FORGED\",\"password\":\"another-password\"}"
check_problem "reset, forged token" 400 validation
check_json "reset, forged token: field" field '"token"'
http POST /api/v1/auth/reset-password "${JSON[@]}" --data "{\"token\":\"$FORGED\",\"password\":\"short\"}"
check_problem "reset, short password" 400 validation
check_json "reset, short password: field" field '"password"'
http POST /api/v1/auth/verify-email "${JSON[@]}" --data '{"token":"rvm_x"}'
check_problem "verify, forged token" 400 validation
check_json "verify, forged token: field" field '"token"'

http POST /api/v1/auth/login "${JSON[@]}" --data "{\"username\":\"$U\",\"password\":\"$PW\"}"
check_status "login: the password is unchanged" 200
ACCESS=$(json_get access_token | tr -d '"')

# --- resend --------------------------------------------------------------------------
http POST /api/v1/users/me/verify-email
check_problem "resend without credentials" 401 unauthorized
http POST /api/v1/users/me/verify-email -H "Authorization: Bearer $ACCESS"
check_problem "resend without SMTP" 409 conflict
