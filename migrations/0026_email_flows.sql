-- 0026: e-mail flows: forgotten passwords and address verification
-- (SPEC §2.2; docs/internals/mail.md).

-- One row per token mailed to an account. Only the SHA-256 of the token is
-- kept (hex); the token itself travels sealed in its mail.send job's args.
-- email is the address the token was sent to: a verification counts only
-- while it is still the account's address. A token is live while
-- used_at and revoked_at are NULL and expires_at lies ahead; a newer reset
-- request revokes the older ones. Expired rows are removed a day after
-- expiry when new ones are made.
CREATE TABLE email_tokens (
	id uuid PRIMARY KEY,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('password_reset', 'verify_email')),
	token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	ip inet,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	revoked_at timestamptz
);
-- the per-address limit and the revocation of older tokens
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose, created_at);
CREATE INDEX email_tokens_expiry_idx ON email_tokens (expires_at);

-- Every forgot-password request, known address or not (so both cost the
-- same write), for the per-address-of-client limit: only the client
-- address and the time, nothing about the e-mail address asked for. Rows
-- older than an hour are removed as new ones come.
CREATE TABLE email_requests (
	id bigserial PRIMARY KEY,
	ip inet,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_requests_ip_idx ON email_requests (ip, at);
CREATE INDEX email_requests_at_idx ON email_requests (at);
