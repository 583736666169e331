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

-- the rows that held an unknown certification get their new ages: touching
-- them runs the ratings' trigger (0011), which recomputes their items
UPDATE movie_age_ratings SET min_age = min_age WHERE min_age IS NULL;
UPDATE series_age_ratings SET min_age = min_age WHERE min_age IS NULL;

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
