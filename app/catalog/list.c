#include "catalog/list.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/buf.h"

/* b's text, malloc'd; NULL when it could not all be written. */
static char *detach_sql(struct buf *b)
{
	char *sql = buf_detach(b, NULL);
	if (sql && !buf_ok(b)) {
		free(sql);
		sql = NULL;
	}
	return sql;
}

/* Append sql with every "{}" replaced by $n. */
static void put_param_sql(struct buf *b, const char *sql, int n)
{
	for (const char *p = sql; *p;) {
		const char *q = strstr(p, "{}");
		if (!q) {
			buf_append(b, p, strlen(p));
			break;
		}
		buf_append(b, p, (size_t)(q - p));
		buf_printf(b, "$%d", n);
		p = q + 2;
	}
}

int catalog_shape_nparams(const struct catalog_shape *s)
{
	int n = CAT_NPARAMS;
	for (int i = 0; i < s->kind->nfilters; i++)
		n += (s->filters >> i) & 1u;
	return n;
}

/* FROM + WHERE of the shape: visible rows passing the present filters
 * (parameters from $5 in filter order), of FROM with JOIN and the condition
 * WHERE (a trailing AND, or ""). Returns the next parameter. */
static int put_where(struct buf *b, const struct catalog_shape *s, const char *from,
		     const char *join, const char *where)
{
	const struct catalog_kind *k = s->kind;
	int n = CAT_NPARAMS + 1;

	buf_printf(b, " FROM %s%s WHERE %s", from, join, where);
	buf_printf(b, CAT_VISIBLE("%s", "%s"), k->library, k->ages);
	for (int i = 0; i < k->nfilters; i++)
		if ((s->filters >> i) & 1u) {
			buf_append(b, " AND ", 5);
			put_param_sql(b, k->filters[i].sql, n++);
		}
	return n;
}

/* Whether the shape's page walks its order's walk relation (kind.h). */
static bool walks(const struct catalog_shape *s)
{
	const struct catalog_kind *k = s->kind;

	if (!k->sorts[s->sort].walk || !k->columns)
		return false;
	for (int i = 0; i < k->nfilters; i++)
		if ((s->filters >> i) & 1u && !k->filters[i].walks)
			return false;
	return true;
}

char *catalog_list_sql(const struct catalog_shape *s, bool count)
{
	const struct catalog_kind *k = s->kind;
	const struct catalog_sort *o = &k->sorts[s->sort];
	const char *dir = s->desc ? "DESC" : "ASC";
	struct buf b;
	int n;

	buf_init(&b, 1 << 16);
	buf_append(&b, CAT_VIEW_CTE, strlen(CAT_VIEW_CTE));
	if (count && !s->filters && k->counts) {
		/* every visible item: summed from the kept counts by library,
		 * country and age (migration 0016) instead of reading each row.
		 * Items without a rating in the viewer's country count as
		 * v.unrated, as CAT_MIN_AGE has it. */
		buf_printf(&b,
			   " SELECT coalesce(CASE WHEN v.max_age IS NULL THEN sum(c.n) FILTER (WHERE"
			   " c.country = '') ELSE coalesce(sum(c.n) FILTER (WHERE c.country = v.country"
			   " AND c.min_age <= v.max_age), 0) + CASE WHEN v.unrated <= v.max_age THEN"
			   " coalesce(sum(c.n) FILTER (WHERE c.country = ''), 0) - coalesce(sum(c.n)"
			   " FILTER (WHERE c.country = v.country), 0) ELSE 0 END END, 0)"
			   " FROM v LEFT JOIN catalog_counts c ON c.kind = '%s' AND (v.all_libs OR"
			   " c.library_id = ANY (v.libs)) GROUP BY v.max_age, v.country, v.unrated",
			   k->counts);
	} else if (count) {
		buf_printf(&b, " SELECT count(*) FROM v CROSS JOIN LATERAL (SELECT 1");
		put_where(&b, s, k->from, "", "");
		buf_printf(&b, ") m");
	} else {
		/* the page is chosen in the lateral subquery, which walks the
		 * order's index; only the rows shown are turned into JSON. With
		 * rows, the walk is capped by that constant and the page taken
		 * from it by the parameters: its order is the walk's, so no
		 * sort is needed and the walk stops at offset + limit rows */
		buf_printf(&b, " SELECT %s, m.sort_key::text, m.sort_id FROM v CROSS JOIN LATERAL (",
			   k->item);
		if (s->rows > 0)
			buf_printf(&b, "SELECT * FROM (");
		bool walk = walks(s);
		const char *key = walk ? o->walk_key : o->key, *id = walk ? "m.id" : o->id;
		buf_printf(&b, "SELECT %s, %s AS sort_key, %s AS sort_id",
			   k->columns ? k->columns : "m.*", key, id);
		if (walk)
			n = put_where(&b, s, o->walk, "", o->walk_where);
		else
			n = put_where(&b, s, k->from, o->join, "");
		if (s->after) {
			buf_printf(&b, " AND (%s, %s) %c ($%d::%s, $%d::uuid)", key, id,
				   s->desc ? '<' : '>', n, o->type, n + 1);
			n += 2;
		}
		buf_printf(&b, " ORDER BY %s %s, %s %s", key, dir, id, dir);
		if (s->rows <= 0)
			buf_printf(&b, " LIMIT $%d OFFSET $%d) m ORDER BY m.sort_key %s, m.sort_id %s",
				   n, n + 1, dir, dir);
		else
			buf_printf(&b, " LIMIT %d) w ORDER BY w.sort_key %s, w.sort_id %s LIMIT $%d"
				       " OFFSET $%d) m ORDER BY m.sort_key %s, m.sort_id %s",
				   s->rows, dir, dir, n, n + 1, dir, dir);
	}
	return detach_sql(&b);
}

/* --- the process's shapes ------------------------------------------------------ */

struct shape_stmt {
	struct catalog_shape shape;
	bool count;
	struct db_stmt stmt;
	char name[64];
	struct shape_stmt *next;
};

/* A range filter on another order's expression: a generic plan guesses
 * it keeps few rows and reads them by that order's index, then sorts, which
 * for a wide range reads most of the table; planned with the values, the
 * planner walks the page's order instead when the range is wide. */
static bool foreign_range(const struct catalog_shape *s)
{
	const struct catalog_kind *k = s->kind;
	for (int i = 0; i < k->nfilters; i++)
		if ((s->filters >> i) & 1u && k->filters[i].range_of &&
		    strcmp(k->filters[i].range_of, k->sorts[s->sort].name))
			return true;
	return false;
}

/* Parameters of a shape's list or count statement. */
static int shape_nparams(const struct catalog_shape *key, bool count)
{
	return catalog_shape_nparams(key) + (count ? 0 : 2) + (key->after && !count ? 2 : 0);
}

/* --- the statements a process keeps ------------------------------------------- */

/* A list shape (base NULL) or a filter set of a statement (base, mask);
 * zeroed before it is filled, so it compares and hashes as bytes. */
struct kept_key {
	const struct db_stmt *base;
	unsigned mask;
	struct catalog_shape shape;
	bool count;
};

struct kept {
	struct kept_key key;
	struct db_stmt stmt;
	char name[64];
	struct kept *next;
};

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept *kept[64];
static int nkept[2]; /* shapes, filter sets */

static unsigned key_hash(const struct kept_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	unsigned h = 2166136261u;
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h % 64u;
}

static const struct db_stmt *find_kept(const struct kept_key *k)
{
	const struct kept *x;

	pthread_mutex_lock(&kept_lock);
	for (x = kept[key_hash(k)]; x; x = x->next)
		if (!memcmp(&x->key, k, sizeof(*k)))
			break;
	pthread_mutex_unlock(&kept_lock);
	return x ? &x->stmt : NULL;
}

/* A statement for one request, in its arena, sent with its values and never
 * prepared: what a process builds once it keeps as many as it may. */
static const struct db_stmt *one_off(struct arena *a, const struct db_stmt *like)
{
	struct db_stmt *t = arena_alloc(a, sizeof(*t));
	char *copy = t ? arena_strdup(a, like->sql) : NULL;

	if (!copy)
		return NULL;
	*t = *like;
	t->name = "catalog_one_off";
	t->sql = copy;
	t->custom_plan = true;
	return t;
}

/* Keep st with sql (malloc'd, taken over) and name (copied) as k's
 * statement; past CATALOG_MAX_SHAPES of k's sort, a one-off in a instead
 * (a NULL: kept all the same). NULL when out of memory. */
static const struct db_stmt *keep(const struct kept_key *k, struct db_stmt st, char *sql,
				  const char *name, struct arena *a)
{
	int *n = &nkept[k->base != NULL];
	const struct db_stmt *out = NULL;
	struct kept *x;
	unsigned h = key_hash(k);

	if (!sql)
		return NULL;
	st.sql = sql;
	pthread_mutex_lock(&kept_lock);
	for (x = kept[h]; x; x = x->next)
		if (!memcmp(&x->key, k, sizeof(*k)))
			break;
	if (x) {
		out = &x->stmt; /* another thread built it meanwhile */
	} else if (a && *n >= CATALOG_MAX_SHAPES) {
		pthread_mutex_unlock(&kept_lock);
		out = one_off(a, &st);
		free(sql);
		return out;
	} else if ((x = calloc(1, sizeof(*x)))) {
		memcpy(&x->key, k, sizeof(*k));
		x->stmt = st;
		snprintf(x->name, sizeof(x->name), "%s", name);
		x->stmt.name = x->name;
		x->next = kept[h];
		kept[h] = x;
		(*n)++;
		pthread_mutex_unlock(&kept_lock);
		return &x->stmt;
	}
	pthread_mutex_unlock(&kept_lock);
	free(sql);
	return out;
}

static const struct db_stmt *shape_stmt(const struct catalog_shape *s, bool count,
					struct arena *a)
{
	struct kept_key k;
	const struct db_stmt *found;
	char name[64];

	/* field by field: copying *s whole would bring its padding along */
	memset(&k, 0, sizeof(k));
	k.shape.kind = s->kind;
	k.shape.sort = s->sort;
	k.shape.desc = s->desc;
	k.shape.after = s->after;
	k.shape.offset = s->offset;
	k.shape.filters = s->filters;
	k.shape.rows = s->rows;
	k.count = count;
	if (count) {
		/* the order and the cursor do not change a count */
		k.shape.sort = 0;
		k.shape.desc = k.shape.after = k.shape.offset = false;
		/* 1: a request's count (rows given), 0: the legacy shape */
		k.shape.rows = s->rows > 0;
	}
	if ((found = find_kept(&k)))
		return found;

	const struct catalog_shape *key = &k.shape;
	struct db_stmt st = {
		.nparams = shape_nparams(key, count),
		.idempotent = true,
		/* planned with the values: the offset in the LIMIT parameter
		 * alone, a count that reads rows, a range on another order;
		 * the kept totals of an unfiltered count read a few rows
		 * whatever the values */
		.custom_plan = count ? key->filters || !key->kind->counts || !key->rows
				     : (key->offset && key->rows <= 0) || foreign_range(key),
	};
	snprintf(name, sizeof(name), "cat_%s_%s%s_%s_%x_%d", key->kind->name,
		 count ? "count" : key->kind->sorts[key->sort].name, key->desc ? "_desc" : "",
		 key->offset ? "offset" : key->after ? "after" : "first", key->filters, key->rows);
	return keep(&k, st, catalog_list_sql(key, count), name, a);
}

const struct db_stmt *catalog_list_stmt(const struct catalog_shape *s)
{
	return shape_stmt(s, false, NULL);
}

const struct db_stmt *catalog_count_stmt(const struct catalog_shape *s)
{
	return shape_stmt(s, true, NULL);
}

const struct db_stmt *catalog_list_stmt_in(const struct catalog_shape *s, bool count,
					   struct arena *a)
{
	return shape_stmt(s, count, a);
}

/* --- statements with filters in fixed positions ---------------------------------- */

unsigned catalog_filter_mask(const struct catalog_kind *k, const char *const *vals)
{
	unsigned mask = 0;
	for (int i = 0; i < k->nfilters; i++)
		if (vals[i])
			mask |= 1u << i;
	return mask;
}

static char *masked_sql(const char *sql, const struct catalog_kind *k, int first, unsigned mask)
{
	const char *marker = CATALOG_FILTERS;
	size_t mlen = strlen(marker);
	struct buf b;

	buf_init(&b, 1 << 16);
	for (const char *p = sql; *p;) {
		const char *q = strstr(p, marker);
		if (!q) {
			buf_append(&b, p, strlen(p));
			break;
		}
		buf_append(&b, p, (size_t)(q - p));
		for (int i = 0; i < k->nfilters; i++) {
			if ((mask >> i) & 1u) {
				buf_append(&b, " AND ", 5);
				put_param_sql(&b, k->filters[i].sql, first + i);
			} else {
				/* true whatever the value: folded away */
				buf_printf(&b, " AND ($%d::text IS NULL OR true)", first + i);
			}
		}
		p = q + mlen;
	}
	return detach_sql(&b);
}

const struct db_stmt *catalog_masked(const struct db_stmt *base, const struct catalog_kind *k,
				     int first, unsigned mask, struct arena *a)
{
	struct kept_key key;
	const struct db_stmt *found;
	char name[64];

	memset(&key, 0, sizeof(key));
	key.base = base;
	key.mask = mask;
	if ((found = find_kept(&key)))
		return found;
	snprintf(name, sizeof(name), "%.48s_%x", base->name, mask);
	return keep(&key, *base, masked_sql(base->sql, k, first, mask), name, a);
}
