-- 0025: outgoing notifications (SPEC §8; docs/internals/notifications.md).

-- Where notifications go. settings holds what is not secret (addresses,
-- method, header names, template, SMTP host/port/from/to); secret the one
-- value that is, sealed with auth.secret_key (core/crypto.h, aad
-- "notification:<id>:secret"): the webhook's auth value, the Discord
-- webhook URL, the Gotify application token or the SMTP password.
CREATE TABLE notification_channels (
	id uuid PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	kind text NOT NULL CHECK (kind IN ('webhook', 'discord', 'gotify', 'email')),
	enabled boolean NOT NULL DEFAULT true,
	events text[] NOT NULL DEFAULT '{}',
	settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
	secret text CHECK (secret LIKE 'gcm1.%'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notification_channels_name_idx ON notification_channels (lower(name));
-- notify_event: the enabled channels that want an event
CREATE INDEX notification_channels_events_idx ON notification_channels USING gin (events)
	WITH (fastupdate = off)
	WHERE enabled;

-- One row per message to one channel: queued with its notify.deliver job
-- in the transaction of the event, then sent or failed by the job. payload
-- is what the event said ({"title", "message", "data"}), rendered per
-- channel when sent. Kept 30 days (maintenance.retention).
CREATE TABLE notification_deliveries (
	id bigserial PRIMARY KEY,
	channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
	event text NOT NULL,
	payload jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
	job_id bigint,
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts integer NOT NULL DEFAULT 0,
	last_error text,
	response_status integer,
	created_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz
);
CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel_id, id);
CREATE INDEX notification_deliveries_created_idx ON notification_deliveries (created_at);
