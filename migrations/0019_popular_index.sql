-- 0019: movies in the order autocomplete and common-word searches rank
-- them (most popular first, unknown last, then id), so a word-prefix
-- suggestion can walk the most popular movies and stop at the first ones
-- that match (docs/internals/catalog.md, "Search").
CREATE INDEX movies_popular_idx ON movies (popularity DESC NULLS LAST, id);
