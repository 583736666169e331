/*
 * value: typed reads of one cell of a PGresult.
 *
 * libpq hands every value over as text; reading a number with a bare
 * strtoll() turns a NULL, a column the statement did not select as an
 * integer, or an overflow into a silent 0 or a clamped value. These helpers
 * parse the whole cell and say when it is not what the caller expected.
 *
 * A failure here means the statement and the code reading it disagree (a
 * bug, or a schema the code does not know), never bad client input: each
 * failure is logged with the column's name and is APP_ERR_INTERNAL, which
 * the dispatcher answers with 500.
 */
#ifndef REVENGE_DB_VALUE_H
#define REVENGE_DB_VALUE_H

#include <stdint.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/json.h"

/*
 * The integer in cell (row, col) of r into *out. APP_OK, or
 * APP_ERR_INTERNAL (logged, *out untouched) when r is NULL, the cell does
 * not exist, is SQL NULL, is not a whole decimal integer (leading sign
 * allowed, nothing else around it) or does not fit the type.
 */
enum app_err db_get_int64(const PGresult *r, int row, int col, int64_t *out);
enum app_err db_get_int(const PGresult *r, int row, int col, int *out);

/* The same for a nullable column: SQL NULL gives APP_OK and *out =
 * if_null; every other failure is as above. */
enum app_err db_get_int64_or(const PGresult *r, int row, int col, int64_t if_null, int64_t *out);

/* The row count of an INSERT/UPDATE/DELETE/… result (PQcmdTuples) into
 * *out; APP_ERR_INTERNAL (logged) when the command reports none. */
enum app_err db_cmd_tuples(PGresult *r, int64_t *out);

/* Write key and a column's value as a JSON string, or null when the
 * column is SQL NULL. */
void db_json_str(struct jw *w, const char *key, const PGresult *r, int row, int col);

/* Write key and an integer column as a JSON number, or null when the column
 * is SQL NULL. A cell that is not an integer (see db_get_int64) writes
 * nothing and marks the writer's buffer failed, so the response becomes a
 * 500 instead of carrying a made-up number. */
void db_json_int(struct jw *w, const char *key, const PGresult *r, int row, int col);

struct arena;
struct buf;
struct db;
struct db_stmt;

/* The common listing answer: run st with params (see db_query) and write
 * {"items": [...]} into out, one element per result row written by
 * row(w, r, i) (which writes exactly one value). Errors: db_query's, with
 * nothing written. */
enum app_err db_items_json(struct db *db, struct arena *a, const struct db_stmt *st,
                           const char *const *params, struct buf *out,
                           void (*row)(struct jw *w, const PGresult *r, int i));

#endif
