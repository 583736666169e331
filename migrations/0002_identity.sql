-- 0002: accounts, sessions, API keys, roles and permissions, lockout,
-- audit log, settings, library grants (SPEC §2).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	username text NOT NULL
		CHECK (length(username) BETWEEN 3 AND 30 AND username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	password_hash text NOT NULL,
	display_name text CHECK (length(display_name) <= 100),
	avatar_path text,
	locale text NOT NULL DEFAULT 'en' CHECK (length(locale) BETWEEN 2 AND 35),
	timezone text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
	is_active boolean NOT NULL DEFAULT true,
	email_verified boolean NOT NULL DEFAULT false,
	last_login_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);
-- case-insensitive uniqueness among accounts that are not deleted
CREATE UNIQUE INDEX users_username_uniq ON users (lower(username)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_email_uniq ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX users_created_idx ON users (created_at, id);
CREATE TRIGGER users_updated BEFORE UPDATE ON users
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_preferences (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	theme text NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark')),
	display_language text NOT NULL DEFAULT 'en' CHECK (display_language ~ '^[a-z]{2}$'),
	metadata_language text NOT NULL DEFAULT 'en' CHECK (metadata_language ~ '^[a-z]{2}$'),
	content_languages text[] NOT NULL DEFAULT '{}',
	show_adult boolean NOT NULL DEFAULT false,
	show_spoilers boolean NOT NULL DEFAULT false,
	autoplay boolean NOT NULL DEFAULT true,
	max_age_rating integer CHECK (max_age_rating BETWEEN 0 AND 21),
	rating_country text NOT NULL DEFAULT 'US' CHECK (rating_country ~ '^[A-Z]{2}$'),
	allow_unrated boolean NOT NULL DEFAULT true,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER user_preferences_updated BEFORE UPDATE ON user_preferences
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE permissions (
	name text PRIMARY KEY CHECK (name ~ '^[a-z_]+:([a-z_]+|\*)$'),
	description text NOT NULL
);

CREATE TABLE roles (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9_-]{1,31}$'),
	description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
	is_builtin boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER roles_updated BEFORE UPDATE ON roles
	FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE role_permissions (
	role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	permission text NOT NULL REFERENCES permissions (name),
	PRIMARY KEY (role_id, permission)
);

CREATE TABLE user_roles (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
	granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
	granted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

CREATE TABLE sessions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL UNIQUE,
	refresh_hash bytea NOT NULL UNIQUE,
	ip inet,
	user_agent text CHECK (length(user_agent) <= 512),
	device_name text CHECK (length(device_name) <= 100),
	via_cookie boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_active_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	refresh_expires_at timestamptz NOT NULL,
	revoked_at timestamptz,
	revoked_reason text
);
CREATE INDEX sessions_user_live_idx ON sessions (user_id, created_at) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expiry_idx ON sessions (refresh_expires_at);

CREATE TABLE api_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	prefix text NOT NULL CHECK (length(prefix) = 8),
	key_hash bytea NOT NULL UNIQUE,
	scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin'] AND cardinality(scopes) > 0),
	expires_at timestamptz,
	last_used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz
);
CREATE INDEX api_keys_user_live_idx ON api_keys (user_id) WHERE revoked_at IS NULL;

-- failed logins per account name (lower-cased), for lockout
CREATE TABLE login_failures (
	id bigserial PRIMARY KEY,
	username_key text NOT NULL,
	ip inet,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (username_key, at);

CREATE TABLE audit_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	user_id uuid,
	action text NOT NULL CHECK (length(action) <= 64),
	resource_type text CHECK (length(resource_type) <= 64),
	resource_id text CHECK (length(resource_id) <= 128),
	success boolean NOT NULL DEFAULT true,
	error text,
	ip inet,
	user_agent text,
	request_id text,
	old_values jsonb,
	new_values jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at);
CREATE INDEX audit_log_resource_idx ON audit_log (resource_type, resource_id, at);
CREATE INDEX audit_log_action_idx ON audit_log (action, at);

CREATE TABLE server_settings (
	key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_.]{0,63}$'),
	value jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE user_settings (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	value jsonb NOT NULL CHECK (pg_column_size(value) <= 16384),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, key)
);

-- secrets the servers share (e.g. the key that signs pagination cursors),
-- generated here so every host of a deployment agrees without configuration
CREATE TABLE server_secrets (
	name text PRIMARY KEY,
	value bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_secrets (name, value) VALUES ('cursor', gen_random_bytes(32));

-- per-library grants, enforced once libraries exist (library issue adds the
-- foreign key to libraries)
CREATE TABLE library_grants (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	library_id uuid NOT NULL,
	level text NOT NULL CHECK (level IN ('view', 'download', 'manage')),
	granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
	granted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, library_id)
);

INSERT INTO permissions (name, description) VALUES
	('users:list', 'List and search accounts'),
	('users:get', 'Read any account'),
	('users:create', 'Create accounts'),
	('users:update', 'Change, enable and disable accounts'),
	('users:delete', 'Delete accounts'),
	('profile:read', 'Read one''s own profile, sessions and keys'),
	('profile:update', 'Change one''s own profile, sessions and keys'),
	('movies:list', 'Browse movies'),
	('movies:get', 'Read a movie'),
	('movies:create', 'Add movies'),
	('movies:update', 'Change and refresh movies'),
	('movies:delete', 'Remove movies'),
	('tvshows:list', 'Browse TV shows'),
	('tvshows:get', 'Read a TV show'),
	('tvshows:create', 'Add TV shows'),
	('tvshows:update', 'Change and refresh TV shows'),
	('tvshows:delete', 'Remove TV shows'),
	('libraries:list', 'List libraries'),
	('libraries:get', 'Read a library'),
	('libraries:create', 'Create libraries'),
	('libraries:update', 'Change libraries and their grants'),
	('libraries:delete', 'Delete libraries'),
	('libraries:scan', 'Scan libraries'),
	('playback:stream', 'Stream media'),
	('playback:progress', 'Record watch progress'),
	('requests:list', 'List requests'),
	('requests:get', 'Read a request'),
	('requests:create', 'Make requests'),
	('requests:approve', 'Approve requests'),
	('requests:delete', 'Delete requests'),
	('settings:read', 'Read server settings'),
	('settings:write', 'Change server settings'),
	('settings:user_read', 'Read one''s own settings'),
	('settings:user_write', 'Change one''s own settings'),
	('audit:read', 'Read the activity log'),
	('audit:export', 'Export the activity log'),
	('integrations:list', 'List integrations'),
	('integrations:get', 'Read an integration'),
	('integrations:create', 'Add integrations'),
	('integrations:update', 'Change integrations'),
	('integrations:delete', 'Remove integrations'),
	('integrations:sync', 'Synchronise integrations'),
	('notifications:list', 'List notification channels'),
	('notifications:get', 'Read a notification channel'),
	('notifications:create', 'Add notification channels'),
	('notifications:update', 'Change notification channels'),
	('notifications:delete', 'Remove notification channels'),
	('jobs:list', 'List background jobs'),
	('jobs:get', 'Read a background job'),
	('jobs:retry', 'Retry background jobs'),
	('jobs:cancel', 'Cancel background jobs'),
	('admin:*', 'Every permission');

INSERT INTO roles (name, description, is_builtin) VALUES
	('admin', 'Full control of the server', true),
	('moderator', 'Manages content, libraries, requests and integrations', true),
	('user', 'Browses, streams and manages their own account', true),
	('guest', 'Browses and streams', true);

INSERT INTO role_permissions (role_id, permission)
SELECT r.id, p.permission FROM roles r
JOIN (VALUES
	('admin', 'admin:*'),
	('moderator', 'users:list'), ('moderator', 'users:get'),
	('moderator', 'profile:read'), ('moderator', 'profile:update'),
	('moderator', 'movies:list'), ('moderator', 'movies:get'), ('moderator', 'movies:create'),
	('moderator', 'movies:update'), ('moderator', 'movies:delete'),
	('moderator', 'tvshows:list'), ('moderator', 'tvshows:get'), ('moderator', 'tvshows:create'),
	('moderator', 'tvshows:update'), ('moderator', 'tvshows:delete'),
	('moderator', 'libraries:list'), ('moderator', 'libraries:get'), ('moderator', 'libraries:create'),
	('moderator', 'libraries:update'), ('moderator', 'libraries:delete'), ('moderator', 'libraries:scan'),
	('moderator', 'playback:stream'), ('moderator', 'playback:progress'),
	('moderator', 'requests:list'), ('moderator', 'requests:get'), ('moderator', 'requests:create'),
	('moderator', 'requests:approve'), ('moderator', 'requests:delete'),
	('moderator', 'settings:user_read'), ('moderator', 'settings:user_write'),
	('moderator', 'audit:read'),
	('moderator', 'integrations:list'), ('moderator', 'integrations:get'), ('moderator', 'integrations:sync'),
	('user', 'profile:read'), ('user', 'profile:update'),
	('user', 'movies:list'), ('user', 'movies:get'),
	('user', 'tvshows:list'), ('user', 'tvshows:get'),
	('user', 'libraries:list'), ('user', 'libraries:get'),
	('user', 'playback:stream'), ('user', 'playback:progress'),
	('user', 'requests:list'), ('user', 'requests:get'), ('user', 'requests:create'),
	('user', 'settings:user_read'), ('user', 'settings:user_write'),
	('guest', 'profile:read'),
	('guest', 'movies:list'), ('guest', 'movies:get'),
	('guest', 'tvshows:list'), ('guest', 'tvshows:get'),
	('guest', 'libraries:list'), ('guest', 'libraries:get'),
	('guest', 'playback:stream')
) AS p (role, permission) ON p.role = r.name;

-- registration is open by default, as home servers expect; admins close it
INSERT INTO server_settings (key, value) VALUES
	('auth.registration_enabled', 'true'),
	('auth.default_role', '"user"'),
	('server.name', '"Revenge"');
