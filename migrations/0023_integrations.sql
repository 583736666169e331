-- 0023: Radarr/Sonarr integrations and the ids they give (SPEC §8;
-- docs/internals/integrations.md).

-- One Radarr and one Sonarr. The webhook secret is kept as its SHA-256
-- (only ever compared); path_map rewrites the paths their payloads name
-- ([{"remote": "/data/movies", "local": "/srv/media/movies"}], longest
-- prefix first).
CREATE TABLE integrations (
	kind text PRIMARY KEY CHECK (kind IN ('radarr', 'sonarr')),
	enabled boolean NOT NULL DEFAULT true,
	base_url text,
	webhook_secret_sha256 bytea NOT NULL CHECK (length(webhook_secret_sha256) = 32),
	path_map jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(path_map) = 'array'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every webhook body accepted, by its SHA-256. A body that writes
-- (guarded: content events) may come once, the same body again is a replay
-- and refused; Health, Grab and Test repeat by nature. Kept 7 days
-- (maintenance.retention).
CREATE TABLE webhook_receipts (
	id bigserial PRIMARY KEY,
	kind text NOT NULL,
	event_type text NOT NULL,
	body_sha256 bytea NOT NULL,
	guarded boolean NOT NULL DEFAULT false,
	job_id bigint,
	summary jsonb NOT NULL DEFAULT '{}',
	received_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_receipts_body_idx ON webhook_receipts (kind, body_sha256)
	WHERE guarded;
CREATE INDEX webhook_receipts_kind_idx ON webhook_receipts (kind, id);
CREATE INDEX webhook_receipts_received_idx ON webhook_receipts (received_at);

-- What a Radarr/Sonarr said a folder holds: identification takes these ids
-- as an exact match for every file below the folder (the longest folder
-- wins), before the NFO and the name.
CREATE TABLE path_hints (
	library_id uuid NOT NULL REFERENCES libraries (id) ON DELETE CASCADE,
	path text NOT NULL,
	source text NOT NULL CHECK (source IN ('radarr', 'sonarr')),
	tmdb_id integer,
	imdb_id text,
	tvdb_id integer,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (library_id, path)
);
