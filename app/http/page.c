#include "http/page.h"

#include "http/validators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/crypto.h"
#include "db/value.h"

#define MAC_BYTES 16

static const struct db_stmt q_secret = {
	"page_secret", "SELECT encode(value, 'hex') FROM server_secrets WHERE name = 'cursor'", 0,
	true};

/* The signing key: read once per process (it never changes). */
static int secret(struct request *req, unsigned char key[32])
{
	static unsigned char cached[32];
	static int loaded;
	PGresult *r;

	if (!loaded) {
		if (db_query(req->app->db, req->arena, &q_secret, NULL, &r) || PQntuples(r) != 1 ||
		    hex_decode(PQgetvalue(r, 0, 0), cached, 32) < 0)
			return -1;
		loaded = 1;
	}
	memcpy(key, cached, 32);
	return 0;
}

static void mac_of(const unsigned char key[32], const struct request *req, const char *payload,
		   size_t n, unsigned char out[32])
{
	/* bound to the route: a cursor of one list is garbage to another */
	struct buf msg;
	buf_init(&msg, 2048);
	buf_puts(&msg, req->route ? req->route->name : "-");
	buf_putc(&msg, '\n');
	buf_append(&msg, payload, n);
	crypto_hmac_sha256(key, 32, msg.data, msg.len, out);
	buf_release(&msg);
}

const char *page_cursor(struct request *req, const char *key, const char *id)
{
	unsigned char k[32], mac[32];
	struct buf payload;
	char *out, *p;

	if (secret(req, k) < 0)
		return NULL;
	buf_init(&payload, 1024);
	buf_printf(&payload, "%s\n%s", id, key);
	mac_of(k, req, payload.data, payload.len, mac);
	out = arena_alloc(req->arena, (payload.len + 2) / 3 * 4 + 1 + (MAC_BYTES + 2) / 3 * 4 + 2);
	if (out) {
		size_t n = base64url_encode(payload.data, payload.len, out);
		out[n] = '.';
		p = out + n + 1;
		base64url_encode(mac, MAC_BYTES, p);
	}
	buf_release(&payload);
	return out;
}

static enum app_err decode_cursor(struct request *req, const char *c, struct page *p,
				  struct field_error *fe)
{
	const char *dot = strchr(c, '.');
	unsigned char k[32], want[32], got[MAC_BYTES + 2];
	char *payload;
	long n, m;

	if (!dot)
		goto bad;
	payload = arena_alloc(req->arena, strlen(c) + 1);
	if (!payload)
		return APP_ERR_NOMEM;
	n = base64url_decode(c, (size_t)(dot - c), payload, strlen(c));
	m = base64url_decode(dot + 1, strlen(dot + 1), got, sizeof(got));
	if (n <= 0 || m != MAC_BYTES)
		goto bad;
	payload[n] = '\0';
	if (secret(req, k) < 0)
		return APP_ERR_DB;
	mac_of(k, req, payload, (size_t)n, want);
	if (!crypto_equal(want, got, MAC_BYTES))
		goto bad;
	char *nl = memchr(payload, '\n', (size_t)n);
	if (!nl || memchr(payload, '\0', (size_t)n))
		goto bad;
	*nl = '\0';
	p->id = payload;
	p->key = nl + 1;
	p->after = true;
	return APP_OK;
bad:
	return field_fail(fe, APP_ERR_VALIDATION, "cursor", "is not a cursor this list issued");
}

enum app_err page_parse(struct request *req, struct page *p, struct field_error *fe)
{
	const struct param_value *limit = req_query(req, "limit");
	const struct param_value *cursor = req_query(req, "cursor");
	const struct param_value *offset = req_query(req, "offset");

	memset(p, 0, sizeof(*p));
	p->limit = limit ? limit->num : PAGE_DEFAULT_LIMIT;
	if (cursor && offset)
		return field_fail(fe, APP_ERR_VALIDATION, "offset", "cannot be combined with cursor");
	if (offset) {
		p->offset_mode = true;
		p->offset = offset->num;
		return APP_OK;
	}
	return cursor ? decode_cursor(req, cursor->str, p, fe) : APP_OK;
}

void page_close(struct request *req, struct jw *w, const struct page *p, bool has_more,
		const char *last_key, const char *last_id, int64_t total)
{
	if (p->offset_mode) {
		jw_kint(w, "total", total);
		jw_kint(w, "limit", p->limit);
		jw_kint(w, "offset", p->offset);
		return;
	}
	if (has_more && last_id) {
		const char *c = page_cursor(req, last_key ? last_key : "", last_id);
		if (!c)
			w->b->failed = 1; /* the dispatcher answers 500, never a short list */
		jw_kstr(w, "next_cursor", c);
	} else
		jw_knull(w, "next_cursor");
}

/* One page of rows. */
struct page_rows {
	PGresult *rows; /* owned by the request's arena */
	int n;          /* rows to show (the extra probe row is cut) */
	bool more;      /* cursor mode: another page follows */
	int64_t total;  /* offset mode: rows in the whole list */
};

/* Run the list statement (its last two parameters the row limit and
 * offset) and, in offset mode, the count. */
static enum app_err fetch(struct request *req, const struct page *p, const struct page_list *l,
			  const char **params, struct page_rows *out)
{
	const struct db_stmt *list = l->list;
	PGresult *c;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	params[list->nparams - 2] =
		arena_printf(req->arena, "%lld", (long long)(p->offset_mode ? p->limit : p->limit + 1));
	params[list->nparams - 1] = arena_printf(req->arena, "%lld", (long long)p->offset);
	if (!params[list->nparams - 2] || !params[list->nparams - 1])
		return APP_ERR_NOMEM;
	if ((e = db_query(req->app->db, req->arena, list, params, &out->rows)))
		return e;
	out->n = PQntuples(out->rows);
	if (p->offset_mode) {
		out->total = out->n;
		if (l->count && ((e = db_query(req->app->db, req->arena, l->count, params, &c)) ||
				 (e = db_get_int64(c, 0, 0, &out->total))))
			return e;
	}
	out->more = !p->offset_mode && out->n > p->limit;
	if (out->more)
		out->n = (int)p->limit;
	return APP_OK;
}

enum app_err page_start(struct request *req, const char *key_prefix, struct page *p,
			struct field_error *fe)
{
	size_t n = strlen(key_prefix);
	enum app_err e;

	if ((e = page_parse(req, p, fe)))
		return e;
	if (p->after) {
		if (strncmp(p->key, key_prefix, n))
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
					  "was issued for another order of this list");
		p->key += n;
	}
	return APP_OK;
}

enum app_err page_run(struct request *req, struct response *res, const struct page *p,
		      const struct page_list *l, const char **params, int nparams,
		      struct field_error *fe)
{
	int key_col = l->item ? l->key_col : 1, id_col = l->item ? l->id_col : 2;
	struct page_rows rows;
	struct jw w;
	enum app_err e;

	switch (l->list->nparams - nparams) {
	case 4:
		params[nparams] = p->after ? p->key : NULL;
		params[nparams + 1] = p->after ? p->id : NULL;
		break;
	case 3:
		params[nparams] = !p->after ? NULL : l->id_only ? p->id : p->key;
		break;
	case 2:
		break;
	default:
		return APP_ERR_INTERNAL;
	}
	if ((e = fetch(req, p, l, params, &rows)))
		return e == APP_ERR_VALIDATION
			   ? field_fail(fe, e, "cursor", "is not a cursor this list issued")
			   : e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < rows.n; i++) {
		if (l->item)
			l->item(&w, rows.rows, i, l->ctx);
		else
			jw_pg_json(&w, PQgetvalue(rows.rows, i, 0),
				   (size_t)PQgetlength(rows.rows, i, 0));
	}
	jw_arr_close(&w);
	const char *key = NULL, *id = NULL;
	if (rows.n) {
		key = arena_printf(req->arena, "%s%s", l->key_prefix ? l->key_prefix : "",
				   PQgetvalue(rows.rows, rows.n - 1, key_col));
		id = PQgetvalue(rows.rows, rows.n - 1, id_col);
		if (!key)
			return APP_ERR_NOMEM;
	}
	page_close(req, &w, p, rows.more, key, id, rows.total);
	jw_obj_close(&w);
	return APP_OK;
}
