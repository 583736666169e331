-- 0001: extensions and helpers every later migration relies on.
-- pgcrypto: gen_random_uuid() for UUID primary keys (built into PG13+, kept
-- for clarity); pg_trgm + unaccent: search (SPEC §10).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- keeps updated_at honest without every UPDATE having to remember it
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;
