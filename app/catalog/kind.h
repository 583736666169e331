/*
 * kind: what the catalog needs to know about each browsable kind — its
 * table, where its library and age limits come from, its list item as
 * JSON, its orders and its filters. One table drives every list statement
 * (list.c), like app/metadata/store.c drives the writes.
 *
 * SQL fragments use the alias m for the kind's row and may use v (the
 * viewer, catalog.h). A filter's SQL uses "{}" for its one parameter
 * (every occurrence is the same parameter).
 */
#ifndef REVENGE_CATALOG_KIND_H
#define REVENGE_CATALOG_KIND_H

#include <stdbool.h>

struct catalog_sort {
	const char *name; /* the ?sort value */
	const char *key;  /* the sort expression (NULLs mapped to a lowest value) */
	const char *type; /* its SQL type, for the cursor parameter */
	const char *join; /* joined for this order ("" none), e.g. the title keys */
	const char *id;   /* the tie-breaker ("m.id" unless the join provides it) */
	bool desc_default;
	/* A relation that holds this order's key and every column a walked
	 * filter reads, as m with the item's id as m.id, and the condition
	 * choosing this kind's rows in it (with a trailing AND), or NULL.
	 * A page whose filters all walk (and whose kind's item is built from
	 * m.id alone) walks it instead of the kind's table and this join: an
	 * index-only scan (migration 0022). */
	const char *walk;
	const char *walk_where;
	const char *walk_key; /* key as the walk relation has it */
};

struct catalog_filter {
	const char *name; /* the query parameter */
	const char *sql;  /* a condition on m with {} for the value */
	/* a range on this sort's expression, or NULL: how many rows it keeps
	 * depends on the value, so a list in another order is planned with
	 * it (list.c) */
	const char *range_of;
	/* reads only m.id, m.library_id, m.min_ages, m.genre_ids, m.year and
	 * m.vote_average, which an order's walk relation carries */
	bool walks;
};

#define CATALOG_MAX_FILTERS 16

struct catalog_kind {
	const char *name;    /* "movie", "series", "season", "episode" */
	const char *from;    /* the kind's table as m, with what its scope needs joined */
	const char *library; /* the library column */
	const char *ages;    /* the {country: min age} column */
	const char *item;    /* the list item as one json value (or its text) */
	/* what a list selects of m for item, NULL: m.*; a wide row costs
	 * copying for each row the order walks */
	const char *columns;
	const char *counts;  /* its kind in catalog_counts (migration 0016), or NULL */
	const struct catalog_sort *sorts;
	int nsorts;
	int default_sort;
	const struct catalog_filter *filters; /* at most CATALOG_MAX_FILTERS */
	int nfilters;
	const char *missing; /* the 404 detail for an id the viewer cannot see */
	/* watch state (watch.h); watch NULL: the kind has none */
	const char *watch;    /* per-user state table ("movie_watch") */
	const char *history;  /* its events ("movie_watch_history") */
	const char *watch_id; /* the item's column in both ("movie_id") */
	const char *duration; /* m's length in seconds, NULL when unknown */
};

extern const struct catalog_kind catalog_movie, catalog_series, catalog_season, catalog_episode;

/* Index of the sort named name in k, or -1. */
int catalog_sort_index(const struct catalog_kind *k, const char *name);

#endif
