-- 0027: multi-factor authentication (SPEC §2.4, docs/internals/auth.md).

-- One TOTP secret per account, sealed with AES-256-GCM under
-- auth.secret_key (aad "mfa:totp:<user id>", so a sealed value copied to
-- another account does not open). enabled_at NULL: set up but not yet
-- confirmed with a code. last_step: the last time step accepted, so a code
-- is never accepted twice (updated with a guarded UPDATE).
CREATE TABLE user_mfa (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret_sealed text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	enabled_at timestamptz,
	last_step bigint NOT NULL DEFAULT -1
);

-- Ten single-use backup codes per account, as SHA-256 of the normalised
-- code (50 random bits each, so a fast hash is enough).
CREATE TABLE mfa_backup_codes (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	used_at timestamptz,
	PRIMARY KEY (user_id, code_hash)
);

-- The second step of a login: a token (stored as its SHA-256) bound to
-- the account and to the login's device name and cookie choice; five
-- minutes, single use, five wrong codes.
CREATE TABLE mfa_challenges (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	token_hash bytea NOT NULL UNIQUE,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_name text,
	cookie boolean NOT NULL DEFAULT false,
	setup_required boolean NOT NULL DEFAULT false,
	attempts integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);
CREATE INDEX mfa_challenges_expiry_idx ON mfa_challenges (expires_at);

-- Administrators may require a second factor of every holder of a role.
ALTER TABLE roles ADD COLUMN mfa_required boolean NOT NULL DEFAULT false;
