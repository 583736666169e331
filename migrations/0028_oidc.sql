-- 0028: single sign-on with OpenID Connect (SPEC §2.5;
-- docs/internals/oidc.md).

-- Identity providers an administrator set up. The client secret is sealed
-- (AES-256-GCM under auth.secret_key, aad "oidc:<id>:client_secret", so a
-- sealed value copied into another row does not open) and never answered.
-- role_map maps a value of roles_claim to a role name; the first match in
-- the claim's order wins, none gives auth.default_role.
CREATE TABLE oidc_providers (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,31}$'),
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
	issuer text NOT NULL CHECK (length(issuer) BETWEEN 8 AND 500),
	client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 255),
	client_secret_sealed text,
	scopes text NOT NULL DEFAULT 'openid profile email' CHECK (length(scopes) <= 500),
	username_claim text NOT NULL DEFAULT 'preferred_username',
	email_claim text NOT NULL DEFAULT 'email',
	display_name_claim text NOT NULL DEFAULT 'name',
	roles_claim text,
	role_map jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(role_map) = 'object'),
	auto_create boolean NOT NULL DEFAULT false,
	enabled boolean NOT NULL DEFAULT true,
	is_default boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
-- at most one default provider (the login page offers it first)
CREATE UNIQUE INDEX oidc_providers_one_default ON oidc_providers ((true)) WHERE is_default;
CREATE TRIGGER oidc_providers_updated BEFORE UPDATE ON oidc_providers
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- An account at a provider: the provider's subject identifies it for good
-- (never the e-mail address, which the provider may let a user change).
CREATE TABLE user_identities (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	provider_id uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
	subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
	email text CHECK (length(email) <= 254),
	created_at timestamptz NOT NULL DEFAULT now(),
	last_login_at timestamptz,
	UNIQUE (provider_id, subject),
	UNIQUE (provider_id, user_id)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- Authorization requests in flight: keyed by the SHA-256 of the state
-- (the state itself only travels in the browser's URL), single use (the
-- callback deletes the row it consumes), 10 minutes. link_user_id: the
-- flow links the provider's account to this user instead of logging in.
-- browser_sha256: the hash of a cookie set where the flow began, so a
-- callback URL carried to another browser does not log that browser into
-- the account that began it (login CSRF).
CREATE TABLE oidc_states (
	state_sha256 bytea PRIMARY KEY CHECK (length(state_sha256) = 32),
	browser_sha256 bytea NOT NULL CHECK (length(browser_sha256) = 32),
	provider_id uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
	nonce text NOT NULL,
	code_verifier text NOT NULL,
	redirect text NOT NULL,
	link_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
	expires_at timestamptz NOT NULL DEFAULT now() + interval '10 minutes'
);
CREATE INDEX oidc_states_expires_idx ON oidc_states (expires_at);
