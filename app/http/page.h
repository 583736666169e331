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

/*
 * page_start: page_parse, then the cursor's key must begin with key_prefix
 * (which p->key then skips): a cursor walks the order it was issued for
 * ("added|desc|"), anything else is APP_ERR_VALIDATION naming `cursor`.
 */
enum app_err page_start(struct request *req, const char *key_prefix, struct page *p,
			struct field_error *fe);

/* What page_run runs and how it reads the rows. */
struct page_list {
	const struct db_stmt *list;
	/* offset mode: the total, taking the caller's parameters; NULL: the
	 * rows shown */
	const struct db_stmt *count;
	const char *key_prefix; /* the next cursor's key is this + the row's */
	/* NULL: column 0 of a row is the item's JSON, columns 1 and 2 its
	 * sort key (text) and id. Else item writes row `row` of r as one JSON
	 * value (ctx passed through) and key_col, id_col make the cursor. */
	void (*item)(struct jw *w, const PGresult *r, int row, const void *ctx);
	const void *ctx;
	int key_col, id_col;
	/* a list statement with one cursor parameter takes the cursor's id
	 * (an id-ordered list), else its key */
	bool id_only;
};

/*
 * page_run: one page of l->list, written as {"items":[...],
 * "next_cursor"|"total"} (with limit and offset in offset mode). params
 * holds the caller's nparams values and room for the rest of
 * l->list->nparams: after the caller's come the cursor's parameters (key
 * and id when the statement has nparams + 4; the id or the key as
 * l->id_only says when nparams + 3; none when nparams + 2; NULL on the
 * first page), then the row limit and offset. Cursor mode asks for one row
 * more than the page to learn whether another follows. A cursor value the
 * statement cannot cast is APP_ERR_VALIDATION naming `cursor`.
 */
enum app_err page_run(struct request *req, struct response *res, const struct page *p,
		      const struct page_list *l, const char **params, int nparams,
		      struct field_error *fe);

#endif
