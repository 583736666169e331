-- 0010: the words of the catalog's search documents, for typo correction
-- (docs/internals/catalog.md). A query with no full-text match has each
-- word replaced by the closest known word (trigram similarity over this
-- small table) and is searched again by full text, instead of comparing
-- the spelling against the text of every title and name, which read and
-- scored hundreds of rows per typo.
CREATE TABLE search_words (
	word text PRIMARY KEY
);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

-- Words are added as documents change and never removed: a word no
-- document has any more only yields a search without results.
CREATE FUNCTION search_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words (word)
	SELECT DISTINCT w FROM unnest(tsvector_to_array(NEW.search_doc)) w
	WHERE length(w) BETWEEN 2 AND 64
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
-- the columns search_doc is computed from (a BEFORE trigger sets it, so an
-- UPDATE never names it)
CREATE TRIGGER movies_search_words AFTER INSERT OR UPDATE OF title, original_title, titles_i18n,
	search_people ON movies FOR EACH ROW EXECUTE FUNCTION search_words_add();

INSERT INTO search_words (word)
SELECT DISTINCT w FROM movies, unnest(tsvector_to_array(search_doc)) w
WHERE length(w) BETWEEN 2 AND 64
ON CONFLICT DO NOTHING;

-- The closest known word to w (itself when it is known or nothing is
-- close): for the corrected query of a search without results. A
-- transposition in a short word ("matirx") shares few trigrams, so the
-- bar is lower than pg_trgm's default 0.3.
CREATE FUNCTION rv_correct_word(w text) RETURNS text
LANGUAGE sql STABLE STRICT SET pg_trgm.similarity_threshold = 0.2 AS $$
	SELECT coalesce((SELECT s.word FROM search_words s WHERE s.word = w),
		(SELECT s.word FROM search_words s WHERE s.word % w
		 ORDER BY similarity(s.word, w) DESC, s.word LIMIT 1), w)
$$;

-- plainto_tsquery of the text with every word corrected.
CREATE FUNCTION rv_corrected_tsquery(t text) RETURNS tsquery
LANGUAGE sql STABLE STRICT AS $$
	SELECT plainto_tsquery('simple', coalesce(string_agg(rv_correct_word(x.w), ' ' ORDER BY x.i), ''))
	FROM regexp_split_to_table(rv_fold(t), '[^[:alnum:]]+') WITH ORDINALITY x(w, i)
	WHERE x.w <> ''
$$;
