-- 0013: authentication hardening (issue 14, docs/internals/auth.md).

-- Lockout counts per account, whichever of its names was typed, and per
-- client address. username_key stays: it is what was typed, and the key
-- of the count when the name matches no account.
ALTER TABLE login_failures ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX login_failures_user_idx ON login_failures (user_id, at) WHERE user_id IS NOT NULL;
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

-- A refresh makes a new session of the same family. A rotated refresh
-- token presented again means it leaked (or the client is broken): the
-- whole family is revoked. Rotated hashes are kept in their own table
-- until their refresh lifetime is over, since the maintenance job deletes
-- revoked sessions long before that.
ALTER TABLE sessions ADD COLUMN family_id uuid;
UPDATE sessions SET family_id = id;
ALTER TABLE sessions ALTER COLUMN family_id SET NOT NULL,
	ALTER COLUMN family_id SET DEFAULT gen_random_uuid();
CREATE INDEX sessions_family_live_idx ON sessions (family_id) WHERE revoked_at IS NULL;

CREATE TABLE session_rotations (
	refresh_hash bytea PRIMARY KEY,
	family_id uuid NOT NULL,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rotated_at timestamptz NOT NULL DEFAULT now(),
	refresh_expires_at timestamptz NOT NULL
);
CREATE INDEX session_rotations_expiry_idx ON session_rotations (refresh_expires_at);

-- Invitations: a single-use token (stored as its SHA-256) that lets one
-- person register with a given role, also while open registration is off.
CREATE TABLE invitations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	token_hash bytea NOT NULL UNIQUE,
	role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	email text CHECK (length(email) <= 254),
	created_by uuid REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	used_by uuid REFERENCES users (id) ON DELETE SET NULL,
	revoked_at timestamptz
);
CREATE INDEX invitations_created_idx ON invitations (created_at, id);

-- Registration is closed by default: accounts come from administrators
-- or invitations. An installation whose administrator set the value
-- (updated_by) keeps it; the value shipped by 0002 is switched off.
UPDATE server_settings SET value = 'false'
WHERE key = 'auth.registration_enabled' AND updated_by IS NULL;
