#include "db/value.h"

#include <limits.h>

#include "core/log.h"
#include "core/text.h"
#include "db/db.h"

static enum app_err cell_int(const PGresult *r, int row, int col, int64_t min, int64_t max,
                             bool null_ok, int64_t if_null, int64_t *out)
{
	const char *why;
	int64_t v;

	if (!r || row < 0 || col < 0 || row >= PQntuples(r) || col >= PQnfields(r)) {
		log_error("db.bad_cell", "no cell (%d, %d) in the result", row, col);
		return APP_ERR_INTERNAL;
	}
	if (PQgetisnull(r, row, col)) {
		if (null_ok) {
			*out = if_null;
			return APP_OK;
		}
		why = "is NULL";
	} else if (parse_int64(PQgetvalue(r, row, col), min, max, &v) < 0) {
		why = "is not an integer in range";
	} else {
		*out = v;
		return APP_OK;
	}
	log_error("db.bad_int", "column %s (row %d) %s", PQfname(r, col), row, why);
	return APP_ERR_INTERNAL;
}

enum app_err db_get_int64(const PGresult *r, int row, int col, int64_t *out)
{
	return cell_int(r, row, col, INT64_MIN, INT64_MAX, false, 0, out);
}

enum app_err db_get_int(const PGresult *r, int row, int col, int *out)
{
	int64_t v;
	enum app_err e = cell_int(r, row, col, INT_MIN, INT_MAX, false, 0, &v);

	if (!e)
		*out = (int)v;
	return e;
}

enum app_err db_get_int64_or(const PGresult *r, int row, int col, int64_t if_null, int64_t *out)
{
	return cell_int(r, row, col, INT64_MIN, INT64_MAX, true, if_null, out);
}

enum app_err db_cmd_tuples(PGresult *r, int64_t *out)
{
	const char *n = r ? PQcmdTuples(r) : "";

	if (parse_int64(n, 0, INT64_MAX, out) < 0) {
		log_error("db.bad_count", "the command reported no row count (\"%s\")", n);
		return APP_ERR_INTERNAL;
	}
	return APP_OK;
}

void db_json_str(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_kstr(w, key, PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col));
}

void db_json_int(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	int64_t v;

	if (r && row >= 0 && row < PQntuples(r) && col >= 0 && col < PQnfields(r) &&
	    PQgetisnull(r, row, col)) {
		jw_knull(w, key);
		return;
	}
	if (db_get_int64(r, row, col, &v)) {
		w->b->failed = 1;
		return;
	}
	jw_kint(w, key, v);
}

enum app_err db_items_json(struct db *db, struct arena *a, const struct db_stmt *st,
                           const char *const *params, struct buf *out,
                           void (*row)(struct jw *w, const PGresult *r, int i))
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = db_query(db, a, st, params, &r)))
		return e;
	jw_init(&w, out);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(r); i++)
		row(&w, r, i);
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}
