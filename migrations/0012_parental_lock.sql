-- 0012: parental control an administrator sets and locks (issue 14,
-- item 5; SPEC §4.4).
--
-- parental_locked: the account's max_age_rating, rating_country and
-- allow_unrated were set by an administrator and the account itself may
-- not change them (PUT /users/me/preferences answers 403 naming the
-- field). Only PUT /admin/users/{id}/parental sets or clears it.
ALTER TABLE user_preferences ADD COLUMN parental_locked boolean NOT NULL DEFAULT false;

-- A certification the table does not know (min_age NULL) counted as
-- unrated until now, so a title TMDb rates with a spelling the table lacks
-- slipped past a child who may see unrated titles. It now counts as the
-- strictest age a limit can name (21, the bound of max_age_rating).
-- "NR"/"UR" and their spelled-out forms are no certification (0006): a
-- title with only those stays unrated and follows allow_unrated.
CREATE OR REPLACE FUNCTION rating_min_age(certification text, min_age smallint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN min_age IS NOT NULL THEN min_age
		WHEN upper(trim(certification)) IN ('NR', 'UR', 'NOT RATED', 'UNRATED') THEN NULL
		ELSE 21 END
$$;

-- the trigger function of every kind's ratings (migration 0011) with the
-- new rule
CREATE OR REPLACE FUNCTION catalog_min_ages_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	items text := TG_ARGV[0]; -- the item table ("movies")
	fk text := TG_ARGV[1];    -- its key in the ratings table ("movie_id")
	changed text;
BEGIN
	-- the transition tables of this event only (INSERT has no old rows,
	-- DELETE no new ones); dynamic SQL sees them like static SQL does
	changed := CASE TG_OP
		WHEN 'INSERT' THEN format('SELECT %I FROM changed_new', fk)
		WHEN 'DELETE' THEN format('SELECT %I FROM changed_old', fk)
		ELSE format('SELECT %1$I FROM changed_new UNION SELECT %1$I FROM changed_old', fk)
	END;
	EXECUTE format('UPDATE %1$I.%2$I x SET min_ages = (SELECT'
		' coalesce(jsonb_object_agg(a.country, rating_min_age(a.certification, a.min_age)),'
		' ''{}'') FROM %1$I.%3$I a WHERE a.%4$I = x.id'
		' AND rating_min_age(a.certification, a.min_age) IS NOT NULL) WHERE x.id IN (%5$s)',
		TG_TABLE_SCHEMA, items, TG_TABLE_NAME, fk, changed);
	RETURN NULL;
END $$;

-- the rows that held an unknown certification get their new ages
UPDATE movies m SET min_ages = (SELECT coalesce(jsonb_object_agg(a.country,
		rating_min_age(a.certification, a.min_age)), '{}') FROM movie_age_ratings a
		WHERE a.movie_id = m.id AND rating_min_age(a.certification, a.min_age) IS NOT NULL)
	WHERE EXISTS (SELECT 1 FROM movie_age_ratings a WHERE a.movie_id = m.id AND a.min_age IS NULL);
UPDATE series s SET min_ages = (SELECT coalesce(jsonb_object_agg(a.country,
		rating_min_age(a.certification, a.min_age)), '{}') FROM series_age_ratings a
		WHERE a.series_id = s.id AND rating_min_age(a.certification, a.min_age) IS NOT NULL)
	WHERE EXISTS (SELECT 1 FROM series_age_ratings a WHERE a.series_id = s.id AND a.min_age IS NULL);

-- Does the parental limit of user u hide an item whose {country: age}
-- column is ages? NULL ages (a file no item claims yet) counts as unrated.
-- The same rule as the catalog's (app/catalog/catalog.h, CAT_VISIBLE), for
-- the lists outside the catalog: unmatched files, scan errors.
CREATE OR REPLACE FUNCTION parental_hides(u uuid, ages jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT p.max_age_rating IS NOT NULL
		AND coalesce((ages->>p.rating_country)::int,
			CASE WHEN p.allow_unrated THEN 0 ELSE 99 END) > p.max_age_rating
		FROM user_preferences p WHERE p.user_id = u), false)
$$;
