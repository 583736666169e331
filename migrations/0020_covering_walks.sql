-- 0020: the list orders' indexes carry what a walk tests (docs/internals/
-- catalog.md, "Walks that read no rows"). A filtered or offset page walks
-- the order's index and tests each row against the viewer's libraries and
-- age and the filters; each of those rows was a read of the movie's heap
-- tuple. With the columns those tests read included, the walk is an
-- index-only scan and only the rows shown are read. file_count is left
-- out, so that scans, which move it, still update a movie in place (HOT),
-- for which the table now keeps a tenth of each page free.
ALTER TABLE movies SET (fillfactor = 90);

CREATE INDEX movies_walk_year_idx ON movies ((coalesce(year, 0)), id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average);
CREATE INDEX movies_walk_rating_idx ON movies ((coalesce(vote_average, -1)), id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average);
CREATE INDEX movies_walk_popularity_idx ON movies ((coalesce(popularity, -1)), id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average, popularity);
CREATE INDEX movies_walk_runtime_idx ON movies ((coalesce(runtime, 0)), id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average, runtime);
CREATE INDEX movies_walk_added_idx ON movies (added_at, id)
	INCLUDE (library_id, min_ages, genre_ids, year, vote_average);
DROP INDEX movies_sort_year_idx, movies_sort_rating_idx, movies_sort_popularity_idx,
	movies_sort_runtime_idx, movies_added_idx;
