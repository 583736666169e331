-- 0024: Radarr/Sonarr API v3 sync (docs/internals/integrations.md, "Sync").
-- The API key is sealed at rest (core/crypto.h: AES-256-GCM under
-- auth.secret_key, aad "integration:<kind>:api_key"); the sync's outcome is
-- kept on the integration for the admin's status page.
ALTER TABLE integrations
	ADD COLUMN api_key_sealed text CHECK (api_key_sealed LIKE 'gcm1.%'),
	ADD COLUMN sync_interval_minutes integer NOT NULL DEFAULT 360
		CHECK (sync_interval_minutes BETWEEN 0 AND 10080),
	ADD COLUMN last_sync_at timestamptz,
	ADD COLUMN last_sync jsonb;
