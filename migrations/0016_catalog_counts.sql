-- 0016: how many movies and series each library holds, by rating country
-- and minimum age, for the `total` of offset pages without counting rows
-- (docs/internals/catalog.md, "Totals"). Counting the visible rows read
-- every row of the catalog and evaluated its age limit: it was the most
-- expensive statement of the list mix at 10 000 movies and grew with the
-- library.
--
-- A row is a delta: (kind, library, '', -1) counts items, (kind, library,
-- country, age) items whose minimum age in that country is age. Writers
-- only insert rows (a statement adds one row per key it changed), so
-- concurrent scans and refreshes never wait on a shared counter; a reader
-- sums the rows of the libraries it sees. When a library has more than 64
-- rows, the writer that finds it so folds them into one row per key, under
-- an advisory lock so two writers never fold the same library at once.
CREATE TABLE catalog_counts (
	kind text NOT NULL,
	library_id uuid NOT NULL,
	country text NOT NULL,
	min_age integer NOT NULL,
	n bigint NOT NULL
);
CREATE INDEX catalog_counts_library_idx ON catalog_counts (kind, library_id);

-- kind, the rows that came (+1) and went (-1): only keys whose sum moved
CREATE FUNCTION catalog_counts_add(k text, d jsonb) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO catalog_counts (kind, library_id, country, min_age, n)
	SELECT k, (e->>'l')::uuid, e->>'c', (e->>'a')::int, sum((e->>'n')::bigint)
	FROM jsonb_array_elements(d) e
	GROUP BY 2, 3, 4 HAVING sum((e->>'n')::bigint) <> 0
$$;

CREATE FUNCTION catalog_counts_fold(k text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE lib uuid;
BEGIN
	FOR lib IN SELECT library_id FROM catalog_counts WHERE kind = k
		GROUP BY library_id HAVING count(*) > 64
	LOOP
		-- the lock lasts until the writer's transaction ends; a writer
		-- that does not get it leaves the folding to the next one
		CONTINUE WHEN NOT pg_try_advisory_xact_lock(hashtext('catalog_counts'),
			hashtext(k || lib::text));
		WITH gone AS (DELETE FROM catalog_counts WHERE kind = k AND library_id = lib
			RETURNING country, min_age, n)
		INSERT INTO catalog_counts (kind, library_id, country, min_age, n)
		SELECT k, lib, country, min_age, sum(n) FROM gone
		GROUP BY country, min_age HAVING sum(n) <> 0;
	END LOOP;
END $$;

-- rows of a transition table as deltas of sign s
CREATE FUNCTION catalog_counts_rows(lib uuid, ages jsonb, s int) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('l', lib, 'c', '', 'a', -1, 'n', s)
	UNION ALL
	SELECT jsonb_build_object('l', lib, 'c', a.key, 'a', a.value::int, 'n', s)
	FROM jsonb_each_text(ages) a
$$;

CREATE FUNCTION catalog_counts_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE d jsonb;
BEGIN
	-- PL/pgSQL plans a statement when it first runs it: the branch of
	-- another event never names a transition table this one lacks
	IF TG_OP = 'INSERT' THEN
		SELECT jsonb_agg(r) INTO d FROM changed_new x,
			catalog_counts_rows(x.library_id, x.min_ages, 1) r;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT jsonb_agg(r) INTO d FROM changed_old x,
			catalog_counts_rows(x.library_id, x.min_ages, -1) r;
	ELSE
		-- most updates change neither the library nor the ages: only
		-- the rows that did count
		SELECT jsonb_agg(r) INTO d FROM (
			SELECT r FROM changed_old o JOIN changed_new n ON n.id = o.id,
				catalog_counts_rows(o.library_id, o.min_ages, -1) r
			WHERE o.library_id IS DISTINCT FROM n.library_id OR o.min_ages <> n.min_ages
			UNION ALL
			SELECT r FROM changed_old o JOIN changed_new n ON n.id = o.id,
				catalog_counts_rows(n.library_id, n.min_ages, 1) r
			WHERE o.library_id IS DISTINCT FROM n.library_id OR o.min_ages <> n.min_ages) x;
	END IF;
	IF d IS NOT NULL THEN
		PERFORM catalog_counts_add(TG_ARGV[0], d);
		PERFORM catalog_counts_fold(TG_ARGV[0]);
	END IF;
	RETURN NULL;
END $$;

DO $$
DECLARE t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES ('movies', 'movie'), ('series', 'series')) v(tbl, kind) LOOP
		EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_new'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_counts_follow(%L)',
			t.tbl || '_counts_ins', t.tbl, t.kind);
		EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_old'
			' FOR EACH STATEMENT EXECUTE FUNCTION catalog_counts_follow(%L)',
			t.tbl || '_counts_del', t.tbl, t.kind);
		EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS changed_old'
			' NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION catalog_counts_follow(%L)',
			t.tbl || '_counts_upd', t.tbl, t.kind);
	END LOOP;
END $$;

INSERT INTO catalog_counts (kind, library_id, country, min_age, n)
SELECT 'movie', library_id, '', -1, count(*) FROM movies GROUP BY library_id
UNION ALL
SELECT 'movie', library_id, a.key, a.value::int, count(*) FROM movies, jsonb_each_text(min_ages) a
GROUP BY library_id, a.key, a.value::int
UNION ALL
SELECT 'series', library_id, '', -1, count(*) FROM series GROUP BY library_id
UNION ALL
SELECT 'series', library_id, a.key, a.value::int, count(*) FROM series, jsonb_each_text(min_ages) a
GROUP BY library_id, a.key, a.value::int;
