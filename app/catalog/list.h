/*
 * list: the statements that list a kind (kind.h) in one of its orders.
 *
 * A statement has one shape per (kind, order, direction, first page or
 * after a cursor, set of filters present): only the present filters are in
 * its SQL, and the cursor is a row comparison the sort's index answers, so
 * every shape gets a plan that walks its index and stops after the page
 * (no "$n IS NULL OR ..." predicates that a generic plan must scan for).
 * Shapes are built on first use and kept for the life of the process.
 * A page names the rows its order walks as a constant (rows: the page and
 * the probe row, and for an offset page the offset too, rounded up to a
 * power of two so a shape has a few statements whatever the page size and
 * offset), so the generic plan is costed for the rows it reads
 * and PostgreSQL keeps it instead of planning every execution; how far an
 * offset reaches still decides between walking the index and sorting.
 * Counts that read rows (filtered, or a kind without kept totals) and
 * shapes without rows are planned with their values each time.
 *
 * Parameters: the viewer's four (catalog.h), the present filters' values
 * in the kind's filter order, then (after a cursor) the cursor key and id,
 * then the row limit and offset. Rows: (item json, sort key text, id), the
 * layout page_run (http/page.h) reads. The count statement takes the
 * viewer's and the filters' parameters.
 */
#ifndef REVENGE_CATALOG_LIST_H
#define REVENGE_CATALOG_LIST_H

#include <stdbool.h>

#include "catalog/kind.h"
#include "core/arena.h"
#include "db/db.h"

struct catalog_shape {
	const struct catalog_kind *kind;
	int sort;          /* index into kind->sorts */
	bool desc;
	bool after;        /* rows after a cursor (key, id) */
	bool offset;       /* offset pagination: planned with the offset's value */
	unsigned filters;  /* bit i: kind->filters[i] is present */
	/* the rows the order walks, a constant in the statement (see
	 * above); 0: the limit and offset parameters alone */
	int rows;
};

/* The list or count statement of a shape; NULL when out of memory. The
 * statements live as long as the process. */
const struct db_stmt *catalog_list_stmt(const struct catalog_shape *s);
const struct db_stmt *catalog_count_stmt(const struct catalog_shape *s);

/*
 * A process keeps at most this many shapes (and as many filter sets of
 * catalog_masked): past it a shape it has not kept is built for the one
 * request, in a's memory, and sent with its values instead of prepared, so
 * a client walking every order, filter set, page size and offset cannot
 * grow a process without bound. catalog_list_stmt_in is catalog_list_stmt
 * (count: catalog_count_stmt) with that limit; NULL when out of memory.
 */
#define CATALOG_MAX_SHAPES 1024
const struct db_stmt *catalog_list_stmt_in(const struct catalog_shape *s, bool count,
					   struct arena *a);

/* The number of parameters before the cursor's (viewer + filters). */
int catalog_shape_nparams(const struct catalog_shape *s);

/*
 * Statements that filter by a kind's filters in fixed parameter positions
 * (search, facets): base->sql holds CATALOG_FILTERS where the filters go,
 * and their values are parameters first..first+nfilters-1, NULL when
 * absent. catalog_masked returns base with the filters of mask in their
 * place and the absent ones as no-ops the planner drops (each still names
 * its parameter, so the statement keeps its parameters), so a generic
 * plan is the plan of exactly the filters given; NULL when out of memory.
 * Kept for the life of the process, like the shapes, up to
 * CATALOG_MAX_SHAPES; past it built for the request in a (below).
 */
#define CATALOG_FILTERS " {FILTERS}"
const struct db_stmt *catalog_masked(const struct db_stmt *base, const struct catalog_kind *k,
				     int first, unsigned mask, struct arena *a);

/* The mask of the non-NULL values among vals[0..k->nfilters-1]. */
unsigned catalog_filter_mask(const struct catalog_kind *k, const char *const *vals);

/* The SQL of a shape's statement in a malloc'd string (for tests and the
 * documentation's EXPLAIN); NULL when out of memory. */
char *catalog_list_sql(const struct catalog_shape *s, bool count);

#endif
