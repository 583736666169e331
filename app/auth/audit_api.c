#include "auth/audit_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/log.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "db/sql.h"
#include "http/page.h"

/* --- query parameters ------------------------------------------------------- */

/* clang-format off */
#define Q_USER {.name = "user_id", .type = PT_UUID, .doc = "Only entries of this actor."}
#define Q_ACTION {.name = "action", .type = PT_STRING, .min = 1, .max = 64, \
		  .doc = "Only this action (exact), e.g. user.login."}
#define Q_RTYPE {.name = "resource_type", .type = PT_STRING, .min = 1, .max = 64, \
		 .doc = "Only this resource type (exact)."}
#define Q_RID {.name = "resource_id", .type = PT_STRING, .min = 1, .max = 128, \
	       .doc = "Only this resource id (exact)."}
#define Q_SUCCESS {.name = "success", .type = PT_BOOL, .doc = "Only successes or only failures."}
#define Q_FROM {.name = "from", .type = PT_STRING, .min = 1, .max = 64, \
		.doc = "RFC 3339 timestamp; entries at or after it."}
#define Q_TO {.name = "to", .type = PT_STRING, .min = 1, .max = 64, \
	      .doc = "RFC 3339 timestamp; entries before it."}

static const char *const formats[] = {"csv", "jsonl", NULL};

const struct param_spec audit_list_query[] = {
	Q_USER, Q_ACTION, Q_RTYPE, Q_RID, Q_SUCCESS, Q_FROM, Q_TO, PAGE_PARAMS, {0}};
const struct param_spec audit_user_query[] = {
	Q_ACTION, Q_RTYPE, Q_RID, Q_SUCCESS, Q_FROM, Q_TO, PAGE_PARAMS, {0}};
const struct param_spec audit_resource_query[] = {
	Q_USER, Q_ACTION, Q_SUCCESS, Q_FROM, Q_TO, PAGE_PARAMS, {0}};
const struct param_spec audit_stats_query[] = {Q_FROM, Q_TO, {0}};
const struct param_spec audit_export_query[] = {
	{.name = "format", .type = PT_ENUM, .required = true, .choices = formats,
	 .doc = "csv or jsonl."},
	Q_USER, Q_ACTION, Q_RTYPE, Q_RID, Q_SUCCESS, Q_FROM, Q_TO, {0}};
/* clang-format on */

/* --- RFC 3339 ----------------------------------------------------------------- */

/* n decimal digits exactly at s. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int audit_parse_time(const char *s, char out[AUDIT_TIME_TEXT], int64_t *epoch_us)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, fn = 0;
	char frac[7] = "000000", sign = '+';
	const char *p = s;

	if (strlen(s) < 20 || digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) ||
	    p[7] != '-' || digits(p + 8, 2, &d) || !strchr("Tt ", p[10]) || p[10] == '\0' ||
	    digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &mi) || p[16] != ':' ||
	    digits(p + 17, 2, &sec))
		return -1;
	p += 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fn++)
			if (fn < 6)
				frac[fn] = *p; /* PostgreSQL keeps microseconds */
		if (fn == 0 || fn > 9)
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-' || *p == ' ') {
		/* ' ': a '+' that was not percent-encoded in the query string */
		sign = *p == '-' ? '-' : '+';
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p || y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 59 || oh > 23 || om > 59)
		return -1;
	/* the casts tell the compiler what the checks above proved */
	snprintf(out, AUDIT_TIME_TEXT, "%04u-%02u-%02uT%02u:%02u:%02u.%s%c%02u:%02u",
	         (unsigned short)y, (unsigned char)mo, (unsigned char)d, (unsigned char)h,
	         (unsigned char)mi, (unsigned char)sec, frac, sign, (unsigned char)oh,
	         (unsigned char)om);
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	               (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	*epoch_us = secs * 1000000 + strtoll(frac, NULL, 10);
	return 0;
}

/* --- filters and the statements built from them -------------------------- */

enum {
	F_USER,
	F_ACTION,
	F_RTYPE,
	F_RID,
	F_SUCCESS,
	F_FROM,
	F_TO,
	F_AFTER, /* cursor: two parameters, at and id */
	F_N
};
#define NMASKS (1u << F_N)

/* Condition of each filter: text before and after its $n. */
/* clang-format off */
static const char *const cond[F_N][2] = {
	{"user_id = ", "::uuid"},
	{"action = ", ""},
	{"resource_type = ", ""},
	{"resource_id = ", ""},
	{"success = ", "::boolean"},
	{"at >= ", "::timestamptz"},
	{"at < ", "::timestamptz"},
	{"", ""}, /* two parameters: built apart */
};
/* clang-format on */

struct filter {
	unsigned mask;
	const char *v[F_N]; /* F_AFTER: the cursor's at */
	const char *after_id;
	const char *from_text, *to_text; /* as given, for echoing */
};

/* clang-format off */
#define ENTRY_COLUMNS                                                                              \
	"SELECT id, " SQL_TS("at") ","                                                             \
	" " SQL_TS_US("at") ", user_id, action,"                                                   \
	" resource_type, resource_id, success, error, host(ip), user_agent, request_id,"          \
	" old_values::text, new_values::text FROM audit_log"
/* clang-format on */
enum {
	E_ID,
	E_AT,
	E_KEY,
	E_USER,
	E_ACTION,
	E_RTYPE,
	E_RID,
	E_SUCCESS,
	E_ERROR,
	E_IP,
	E_UA,
	E_RQ,
	E_OLD,
	E_NEW
};

enum kind { K_PAGE, K_OFFSET, K_COUNT, K_TOTALS, K_ACTIONS, K_N };

static const char *const heads[K_N] = {
    ENTRY_COLUMNS,
    ENTRY_COLUMNS,
    "SELECT count(*) FROM audit_log",
    "SELECT count(*), count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success),"
    " count(DISTINCT user_id) FROM audit_log",
    "SELECT action, count(*), count(*) FILTER (WHERE NOT success) FROM audit_log",
};

/* Statements are prepared per connection by address, so each (kind, mask)
 * gets one static slot; its SQL is built on first use and kept for the
 * life of the process (at most K_N * NMASKS small strings). */
struct built {
	struct db_stmt st;
	char name[32];
};
static struct built cache[K_N][NMASKS];

static const struct db_stmt *stmt_for(enum kind k, unsigned mask)
{
	struct built *b = &cache[k][mask];
	struct buf sql;
	int n = 0;

	if (b->st.sql)
		return &b->st;
	buf_init(&sql, 8192);
	buf_puts(&sql, heads[k]);
	for (int i = 0; i < F_N; i++) {
		if (!(mask & (1u << i)))
			continue;
		buf_puts(&sql, n ? " AND " : " WHERE ");
		if (i == F_AFTER) {
			buf_printf(&sql, "(at, id) < ($%d::timestamptz, $%d::bigint)", n + 1,
			           n + 2);
			n += 2;
		} else {
			buf_printf(&sql, "%s$%d%s", cond[i][0], ++n, cond[i][1]);
		}
	}
	if (k == K_PAGE)
		buf_printf(&sql, " ORDER BY at DESC, id DESC LIMIT $%d", ++n);
	else if (k == K_OFFSET)
		n += 2,
		    buf_printf(&sql, " ORDER BY at DESC, id DESC LIMIT $%d OFFSET $%d", n - 1, n);
	else if (k == K_ACTIONS)
		buf_puts(&sql, " GROUP BY action ORDER BY 2 DESC, 1 LIMIT 1000");
	if (!buf_ok(&sql)) {
		buf_release(&sql);
		return NULL;
	}
	snprintf(b->name, sizeof(b->name), "audit_k%d_m%u", (int)k, mask);
	b->st.name = b->name;
	b->st.nparams = n;
	b->st.idempotent = true;
	b->st.sql = buf_detach(&sql, NULL);
	return b->st.sql ? &b->st : NULL;
}

/* The parameters of f in statement order, then extra (NULL-terminated). */
static int filter_params(const struct filter *f, const char **out, const char *x1, const char *x2)
{
	int n = 0;

	for (int i = 0; i < F_N; i++) {
		if (!(f->mask & (1u << i)))
			continue;
		out[n++] = f->v[i];
		if (i == F_AFTER)
			out[n++] = f->after_id;
	}
	if (x1)
		out[n++] = x1;
	if (x2)
		out[n++] = x2;
	return n;
}

static void set(struct filter *f, int bit, const char *v)
{
	f->mask |= 1u << bit;
	f->v[bit] = v;
}

static enum app_err time_param(struct request *req, const char *name, int bit, struct filter *f,
                               int64_t *us, struct field_error *fe)
{
	const struct param_value *q = req_query(req, name);
	char canon[AUDIT_TIME_TEXT];

	if (!q)
		return APP_OK;
	if (audit_parse_time(q->str, canon, us) < 0)
		return field_fail(fe, APP_ERR_VALIDATION, name,
		                  "must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z");
	if (!(f->v[bit] = arena_strdup(req->arena, canon)))
		return APP_ERR_NOMEM;
	f->mask |= 1u << bit;
	if (bit == F_FROM)
		f->from_text = q->str;
	else
		f->to_text = q->str;
	return APP_OK;
}

/* The filters the route declares, from the validated query. */
static enum app_err read_filters(struct request *req, struct filter *f, struct field_error *fe)
{
	static const struct {
		const char *name;
		int bit;
	} plain[] = {{"user_id", F_USER},
	             {"action", F_ACTION},
	             {"resource_type", F_RTYPE},
	             {"resource_id", F_RID},
	             {"success", F_SUCCESS}};
	int64_t from = 0, to = 0;
	enum app_err e;

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const struct param_value *q = req_query(req, plain[i].name);
		if (q)
			set(f, plain[i].bit, q->str);
	}
	if ((e = time_param(req, "from", F_FROM, f, &from, fe)) ||
	    (e = time_param(req, "to", F_TO, f, &to, fe)))
		return e;
	if ((f->mask & (1u << F_FROM)) && (f->mask & (1u << F_TO)) && to < from)
		return field_fail(fe, APP_ERR_VALIDATION, "to", "must not be before from");
	return APP_OK;
}

/* --- output ----------------------------------------------------------------- */

static void opt_raw(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_key(w, key);
	if (PQgetisnull(r, row, col))
		jw_null(w);
	else
		jw_raw(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static void entry_json(struct jw *w, const PGresult *r, int row)
{
	jw_obj_open(w);
	db_json_int(w, "id", r, row, E_ID);
	jw_kstr(w, "at", PQgetvalue(r, row, E_AT));
	db_json_str(w, "user_id", r, row, E_USER);
	jw_kstr(w, "action", PQgetvalue(r, row, E_ACTION));
	db_json_str(w, "resource_type", r, row, E_RTYPE);
	db_json_str(w, "resource_id", r, row, E_RID);
	jw_kbool(w, "success", PQgetvalue(r, row, E_SUCCESS)[0] == 't');
	db_json_str(w, "error", r, row, E_ERROR);
	db_json_str(w, "ip", r, row, E_IP);
	db_json_str(w, "user_agent", r, row, E_UA);
	db_json_str(w, "request_id", r, row, E_RQ);
	opt_raw(w, "old_values", r, row, E_OLD);
	opt_raw(w, "new_values", r, row, E_NEW);
	jw_obj_close(w);
}

/* A snapshot for reads that must agree with each other (page and total,
 * totals and per-action counts). */
static enum app_err snapshot_begin(struct request *req)
{
	return db_exec(req->app->db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

/* --- listing ---------------------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s || strlen(s) > 19)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static enum app_err list(struct request *req, struct response *res, struct filter *f,
                         struct field_error *fe)
{
	const char *params[F_N + 4];
	char lim[24], off[24];
	const struct db_stmt *st, *cst;
	struct page p;
	PGresult *r, *c = NULL;
	int64_t total = 0;
	int rows;
	struct jw w;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	if (p.after) {
		/* signed by us, so well formed unless the code changed under it */
		if (!all_digits(p.id))
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
			                  "is not a cursor this list issued");
		set(f, F_AFTER, p.key);
		f->after_id = p.id;
	}
	snprintf(lim, sizeof(lim), "%lld", (long long)p.limit + 1);
	snprintf(off, sizeof(off), "%lld", (long long)p.offset);
	if (!p.offset_mode) {
		if (!(st = stmt_for(K_PAGE, f->mask)))
			return APP_ERR_NOMEM;
		filter_params(f, params, lim, NULL);
		if ((e = db_query(req->app->db, req->arena, st, params, &r)))
			return e;
	} else {
		if (!(st = stmt_for(K_OFFSET, f->mask)) || !(cst = stmt_for(K_COUNT, f->mask)))
			return APP_ERR_NOMEM;
		if ((e = snapshot_begin(req)))
			return e;
		filter_params(f, params, lim, off);
		if ((e = db_query(req->app->db, req->arena, st, params, &r)) ||
		    (filter_params(f, params, NULL, NULL),
		     (e = db_query(req->app->db, req->arena, cst, params, &c))) ||
		    (e = db_commit(req->app->db))) {
			db_rollback(req->app->db);
			return e;
		}
		if ((e = db_get_int64(c, 0, 0, &total)))
			return e;
	}
	rows = PQntuples(r) > p.limit ? (int)p.limit : PQntuples(r);
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < rows; i++)
		entry_json(&w, r, i);
	jw_arr_close(&w);
	page_close(req, &w, &p, PQntuples(r) > p.limit,
	           rows ? PQgetvalue(r, rows - 1, E_KEY) : NULL,
	           rows ? PQgetvalue(r, rows - 1, E_ID) : NULL,
	           total);
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err audit_list(struct request *req, struct response *res, struct field_error *fe)
{
	struct filter f = {0};
	enum app_err e;

	if ((e = read_filters(req, &f, fe)))
		return e;
	return list(req, res, &f, fe);
}

enum app_err audit_user(struct request *req, struct response *res, struct field_error *fe)
{
	struct filter f = {0};
	enum app_err e;

	if ((e = read_filters(req, &f, fe)))
		return e;
	set(&f, F_USER, req_path(req, "id")->str);
	return list(req, res, &f, fe);
}

enum app_err audit_resource(struct request *req, struct response *res, struct field_error *fe)
{
	const char *type = req_path(req, "type")->str, *id = req_path(req, "id")->str;
	struct filter f = {0};
	enum app_err e;

	if (strlen(type) > 64)
		return field_fail(fe, APP_ERR_VALIDATION, "type", "must be at most 64 bytes long");
	if (strlen(id) > 128)
		return field_fail(fe, APP_ERR_VALIDATION, "id", "must be at most 128 bytes long");
	if ((e = read_filters(req, &f, fe)))
		return e;
	set(&f, F_RTYPE, type);
	set(&f, F_RID, id);
	return list(req, res, &f, fe);
}

/* --- stats ------------------------------------------------------------------ */

enum app_err audit_stats(struct request *req, struct response *res, struct field_error *fe)
{
	const char *params[F_N + 2];
	const struct db_stmt *ts, *as;
	struct filter f = {0};
	PGresult *t, *a;
	struct jw w;
	enum app_err e;

	if ((e = read_filters(req, &f, fe)))
		return e;
	if (!(ts = stmt_for(K_TOTALS, f.mask)) || !(as = stmt_for(K_ACTIONS, f.mask)))
		return APP_ERR_NOMEM;
	filter_params(&f, params, NULL, NULL);
	if ((e = snapshot_begin(req)))
		return e;
	if ((e = db_query(req->app->db, req->arena, ts, params, &t)) ||
	    (e = db_query(req->app->db, req->arena, as, params, &a)) ||
	    (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "from", f.from_text);
	jw_kstr(&w, "to", f.to_text);
	db_json_int(&w, "total", t, 0, 0);
	db_json_int(&w, "succeeded", t, 0, 1);
	db_json_int(&w, "failed", t, 0, 2);
	db_json_int(&w, "distinct_users", t, 0, 3);
	jw_key(&w, "by_action");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(a); i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "action", PQgetvalue(a, i, 0));
		db_json_int(&w, "count", a, i, 1);
		db_json_int(&w, "failed", a, i, 2);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}

/* --- export ----------------------------------------------------------------- */

#define EXPORT_BATCH 1000

static const char *const csv_header[] = {
    "id",    "at", "user_id",    "action",     "resource_type", "resource_id", "success",
    "error", "ip", "user_agent", "request_id", "old_values",    "new_values",  NULL};
/* Columns of the entry query in csv_header order. */
static const int csv_cols[] = {E_ID,    E_AT, E_USER, E_ACTION, E_RTYPE, E_RID, E_SUCCESS,
                               E_ERROR, E_IP, E_UA,   E_RQ,     E_OLD,   E_NEW};

/* One RFC 4180 field; NULL is an empty field. A leading = + - @ TAB or CR
 * would make a spreadsheet evaluate the cell: a single quote goes first. */
static void csv_cell(struct buf *b, const char *s)
{
	bool formula = s && s[0] && strchr("=+-@\t\r", s[0]);

	if (!s)
		return;
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

static void csv_row(struct buf *b, const PGresult *r, int row)
{
	for (int i = 0; csv_header[i]; i++) {
		int col = csv_cols[i];
		if (i)
			buf_putc(b, ',');
		if (col == E_SUCCESS)
			buf_puts(b, PQgetvalue(r, row, col)[0] == 't' ? "true" : "false");
		else
			csv_cell(b, PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col));
	}
	buf_puts(b, "\r\n");
}

static void export_headers(struct response *res, bool csv)
{
	char name[96], disp[160];
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(name, sizeof(name), "activity-%Y%m%dT%H%M%SZ", &tm);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", name, csv ? "csv" : "jsonl");
	res->content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
	res_header(res, "Content-Disposition", disp);
}

/* Append rows of f to the body, newest first, within the caps. */
static enum app_err export_rows(struct request *req, struct response *res, struct filter *f,
                                bool csv, long *rows, bool *truncated)
{
	const char *params[F_N + 3];
	char lim[24], last_at[64] = "", last_id[24] = "";
	struct buf line;
	enum app_err e = APP_OK;

	snprintf(lim, sizeof(lim), "%d", EXPORT_BATCH);
	buf_init(&line, res->body.max);
	for (;;) {
		const struct db_stmt *st = stmt_for(K_PAGE, f->mask);
		PGresult *r;
		int n;

		if (!st) {
			e = APP_ERR_NOMEM;
			break;
		}
		filter_params(f, params, lim, NULL);
		if ((e = db_query(req->app->db, req->arena, st, params, &r)))
			break;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			if (*rows == AUDIT_EXPORT_MAX_ROWS) {
				*truncated = true;
				goto out;
			}
			buf_reset(&line);
			if (csv) {
				csv_row(&line, r, i);
			} else {
				struct jw w;
				jw_init(&w, &line);
				entry_json(&w, r, i);
				buf_putc(&line, '\n');
			}
			/* a row that does not fit ends the export, never the response */
			if (!buf_ok(&line) || res->body.len + line.len > res->body.max) {
				*truncated = true;
				goto out;
			}
			buf_append(&res->body, line.data, line.len);
			(*rows)++;
		}
		if (n < EXPORT_BATCH)
			break;
		snprintf(last_at, sizeof(last_at), "%s", PQgetvalue(r, n - 1, E_KEY));
		snprintf(last_id, sizeof(last_id), "%s", PQgetvalue(r, n - 1, E_ID));
		set(f, F_AFTER, last_at);
		f->after_id = last_id;
	}
out:
	buf_release(&line);
	return e;
}

enum app_err audit_export(struct request *req, struct response *res, struct field_error *fe)
{
	bool csv = req_query(req, "format")->num == 0, truncated = false;
	struct filter f = {0};
	long rows = 0;
	char count[24];
	enum app_err e;

	if ((e = read_filters(req, &f, fe)))
		return e;
	if (csv) {
		for (int i = 0; csv_header[i]; i++) {
			if (i)
				buf_putc(&res->body, ',');
			buf_puts(&res->body, csv_header[i]);
		}
		buf_puts(&res->body, "\r\n");
	}
	/* one snapshot: batches neither skip nor repeat rows */
	if ((e = snapshot_begin(req)))
		return e;
	if ((e = export_rows(req, res, &f, csv, &rows, &truncated)) ||
	    (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	export_headers(res, csv);
	snprintf(count, sizeof(count), "%ld", rows);
	res_header(res, "X-Export-Rows", count);
	if (truncated)
		res_header(res, "X-Export-Truncated", "true");
	const char *v =
	    arena_printf(req->arena, "{\"format\":\"%s\",\"rows\":%ld,\"truncated\":%s}",
	                 csv ? "csv" : "jsonl", rows, truncated ? "true" : "false");
	struct audit_entry a = {NULL, "audit.export", NULL, NULL, true, NULL, NULL, v};
	/* an export that leaves no trace is not handed out */
	if ((e = audit_write(req, &a))) {
		log_error("audit.write_failed", "audit.export not recorded: %s", app_err_slug(e));
		return e;
	}
	return APP_OK;
}
