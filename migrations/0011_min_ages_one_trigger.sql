-- 0011: one trigger function keeps min_ages for every kind with age
-- ratings, instead of a copy per kind (0008's movie_min_ages_sync and
-- series_min_ages_sync, which differed only in their table names). The
-- triggers name the item table and its key column; the ratings table is
-- the one the trigger fires on. Behaviour is unchanged: after each
-- statement on <kind>_age_ratings, every item a changed row names (before
-- or after the change) gets {country: minimum age} of its rated rows.

-- The minimum age one rating row stands for, NULL when it counts as
-- unrated: the row's min_age (0012 gives unknown certifications an age).
CREATE FUNCTION rating_min_age(certification text, min_age smallint) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT min_age::integer
$$;

CREATE FUNCTION catalog_min_ages_sync() RETURNS trigger
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

DO $$
DECLARE t text; items text;
BEGIN
	FOREACH t IN ARRAY ARRAY['movie', 'series'] LOOP
		items := CASE t WHEN 'movie' THEN 'movies' ELSE 'series' END;
		EXECUTE format('DROP TRIGGER %I ON %I', t || '_ages_ins', t || '_age_ratings');
		EXECUTE format('DROP TRIGGER %I ON %I', t || '_ages_upd', t || '_age_ratings');
		EXECUTE format('DROP TRIGGER %I ON %I', t || '_ages_del', t || '_age_ratings');
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_new'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_min_ages_sync(%L, %L)',
			t || '_ages_ins', t || '_age_ratings', items, t || '_id');
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_new'
			' OLD TABLE AS changed_old FOR EACH STATEMENT'
			' EXECUTE FUNCTION catalog_min_ages_sync(%L, %L)',
			t || '_ages_upd', t || '_age_ratings', items, t || '_id');
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_old'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_min_ages_sync(%L, %L)',
			t || '_ages_del', t || '_age_ratings', items, t || '_id');
	END LOOP;
END $$;

DROP FUNCTION movie_min_ages_sync();
DROP FUNCTION series_min_ages_sync();
DROP FUNCTION movie_min_ages(uuid);
DROP FUNCTION series_min_ages(uuid);
