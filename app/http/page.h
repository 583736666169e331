/*
 * page: cursor and offset pagination (SPEC §1.3).
 *
 * Cursor mode (default): the response carries next_cursor, an opaque token
 * naming the last row's sort key and id, signed with HMAC-SHA-256 under a
 * key every host reads from server_secrets, and bound to the route, so a
 * cursor cannot be forged, edited or replayed on another list. Keyset
 * pagination ("rows after (key, id)") is stable while rows are inserted.
 * Offset mode (?offset=N) adds `total`.
 *
 * A list route puts PAGE_PARAMS among its query parameters.
 */
#ifndef REVENGE_HTTP_PAGE_H
#define REVENGE_HTTP_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/json.h"
#include "db/db.h"
#include "http/http.h"

#define PAGE_DEFAULT_LIMIT 20
#define PAGE_MAX_LIMIT 100

#define PAGE_PARAMS                                                                                \
	{.name = "limit", .type = PT_INT, .min = 1, .max = PAGE_MAX_LIMIT,                         \
	 .doc = "Items per page (default 20)."},                                                   \
	    {.name = "cursor", .type = PT_STRING, .min = 1, .max = 512,                            \
	     .doc = "next_cursor of the previous page."},                                          \
	{                                                                                          \
		.name = "offset", .type = PT_INT, .min = 0, .max = 1000000,                        \
		.doc = "Offset pagination instead of cursors; the response adds total."            \
	}

struct page {
	int64_t limit;
	bool offset_mode;
	int64_t offset;
	bool after;        /* a cursor was given: rows after (key, id) */
	const char *key;   /* sort key of the last row seen (text) */
	const char *id;    /* id of the last row seen */
};

/* Read limit/cursor/offset from req's validated query. A cursor that does
 * not verify, or cursor together with offset, is APP_ERR_VALIDATION naming
 * the parameter. */
enum app_err page_parse(struct request *req, struct page *p, struct field_error *fe);

/* A signed cursor for "after (key, id)" on req's route, in the arena. */
const char *page_cursor(struct request *req, const char *key, const char *id);

/* Fetch limit+1 rows and pass has_more = (rows > limit): writes the
 * closing members after the caller's "items" array: next_cursor (cursor
 * mode; null on the last page) or total (offset mode). */
void page_close(struct request *req, struct jw *w, const struct page *p, bool has_more,
		const char *last_key, const char *last_id, int64_t total);

/* One page of rows. */
struct page_rows {
	PGresult *rows; /* owned by the request's arena */
	int n;          /* rows to show (the extra probe row is cut) */
	bool more;      /* cursor mode: another page follows */
	int64_t total;  /* offset mode: rows in the whole list */
};

/*
 * Run a list statement for page p. The statement's last two parameters
 * are the row limit and the offset: page_fetch fills params[nparams-2] and
 * params[nparams-1] (cursor mode asks for one row more than the page to
 * learn whether another follows). In offset mode `count`, which takes the
 * same parameters, gives the total.
 */
enum app_err page_fetch(struct request *req, const struct page *p, const struct db_stmt *list,
			const struct db_stmt *count, const char **params, struct page_rows *out);

/* `{"items":[` — the caller writes the items, then page_finish closes the
 * array and adds next_cursor or total from the last shown row's sort key
 * and id. */
void page_begin(struct jw *w, struct buf *body);
void page_finish(struct request *req, struct jw *w, const struct page *p,
		 const struct page_rows *pr, const char *last_key, const char *last_id);

/*
 * page_start: page_parse, then the cursor's key must begin with key_prefix
 * (which p->key then skips): a cursor walks the order it was issued for
 * ("added|desc|"), anything else is APP_ERR_VALIDATION naming `cursor`.
 */
enum app_err page_start(struct request *req, const char *key_prefix, struct page *p,
			struct field_error *fe);

/*
 * page_run: one page of a list whose statement returns (item json, sort
 * key text, id) rows, written as {"items":[...], "next_cursor"|"total"}.
 * params holds the caller's nparams values and room for list->nparams.
 * The list statement takes, after the caller's: the cursor key and id when
 * it has nparams + 4 parameters (NULL on the first page; a statement built
 * for "after a cursor" has them, one for the first page need not), then
 * the row limit and offset. count takes the caller's nparams (offset mode
 * only; NULL: total is the rows shown). The next cursor's key is
 * key_prefix + the last row's key. A cursor key the statement cannot cast
 * is APP_ERR_VALIDATION naming `cursor`.
 */
enum app_err page_run(struct request *req, struct response *res, const struct page *p,
		      const struct db_stmt *list, const struct db_stmt *count, const char **params,
		      int nparams, const char *key_prefix, struct field_error *fe);

#endif
