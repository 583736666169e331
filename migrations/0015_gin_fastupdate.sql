-- 0015: search indexes without a pending list (docs/internals/catalog.md,
-- "index design"). With GIN's default fastupdate, new and changed rows
-- wait in an unsorted pending list until a vacuum or 4 MB of them; every
-- search scans that whole list. After a scan of 10 000 movies it held
-- about 250 pages per index, and a one-word search read them all: a typo
-- search went from 16 ms to 2 ms once the list was merged. Reads are what
-- users wait for and scans write in batches, so each row goes straight
-- into the index instead.
ALTER INDEX movies_search_doc_idx SET (fastupdate = off);
ALTER INDEX movies_search_titles_trgm_idx SET (fastupdate = off);
ALTER INDEX movies_search_people_trgm_idx SET (fastupdate = off);
ALTER INDEX people_name_trgm_idx SET (fastupdate = off);
ALTER INDEX search_words_trgm_idx SET (fastupdate = off);

-- what is pending now is merged at once, not at the next vacuum
SELECT gin_clean_pending_list(c.oid)
  FROM pg_class c
 WHERE c.relname IN ('movies_search_doc_idx', 'movies_search_titles_trgm_idx',
                     'movies_search_people_trgm_idx', 'people_name_trgm_idx',
                     'search_words_trgm_idx');
