#include "users/change.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/session.h"
#include "mail/flows.h"
#include "users/user.h"

/* --- field rules --------------------------------------------------------- */

void user_change_read(const struct request *req, struct user_change *ch)
{
	bool active;

	memset(ch, 0, sizeof(*ch));
	ch->set_display = req_body(req, "display_name") != NULL;
	ch->display = req_body_str(req, "display_name");
	ch->email = req_body_str(req, "email");
	ch->locale = req_body_str(req, "locale");
	ch->timezone = req_body_str(req, "timezone");
	ch->active = req_body_bool(req, "is_active", &active) ? active : -1;
}

/* Old and new values of the fields a change really changes, as two JSON
 * objects for the audit row. */
struct diff {
	struct buf old, new;
	struct jw wo, wn;
	int n;
};

static void diff_init(struct diff *d)
{
	buf_init(&d->old, 16 * 1024);
	buf_init(&d->new, 16 * 1024);
	jw_init(&d->wo, &d->old);
	jw_init(&d->wn, &d->new);
	jw_obj_open(&d->wo);
	jw_obj_open(&d->wn);
	d->n = 0;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Record key when was != now; returns whether it did. */
static bool diff_str(struct diff *d, const char *key, const char *was, const char *now)
{
	if (same(was, now))
		return false;
	jw_kstr(&d->wo, key, was);
	jw_kstr(&d->wn, key, now);
	d->n++;
	return true;
}

static bool diff_bool(struct diff *d, const char *key, bool was, bool now)
{
	if (was == now)
		return false;
	jw_kbool(&d->wo, key, was);
	jw_kbool(&d->wn, key, now);
	d->n++;
	return true;
}

static bool diff_close(struct diff *d)
{
	jw_obj_close(&d->wo);
	jw_obj_close(&d->wn);
	return buf_ok(&d->old) && buf_ok(&d->new);
}

static void diff_release(struct diff *d)
{
	buf_release(&d->old);
	buf_release(&d->new);
}

static const struct db_stmt q_lock_user = {
    "users_lock",
    "SELECT display_name, email, locale, timezone, is_active FROM users"
    " WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    1, false};

/* Only changed fields are passed (NULL otherwise); a new email address is
 * not verified, a new spelling of the same one keeps its state. */
static const struct db_stmt q_update_user = {
    "users_update",
    "UPDATE users SET display_name = CASE WHEN $2::boolean THEN $3::text ELSE display_name END,"
    " email_verified = CASE WHEN $4::text IS NOT NULL AND lower($4::text) <> lower(email)"
    " THEN false ELSE email_verified END,"
    " email = coalesce($4::text, email), locale = coalesce($5::text, locale),"
    " timezone = coalesce($6::text, timezone), is_active = coalesce($7::boolean, is_active)"
    " WHERE id = $1",
    7, false};

static const char *nullable(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

enum app_err user_change_apply(struct request *req, struct response *res, const char *id,
                               const struct user_change *ch, const char *action,
                               struct field_error *fe)
{
	struct db *db = req->app->db;
	struct diff d;
	PGresult *r, *u;
	struct jw w;
	enum app_err e;
	const char *idp[] = {id};

	diff_init(&d);
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, req->arena, &q_lock_user, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
		goto rollback;
	}
	bool was_active = PQgetvalue(r, 0, 4)[0] == 't';
	bool set_display =
	    ch->set_display && diff_str(&d, "display_name", nullable(r, 0), ch->display);
	const char *email =
	    ch->email && diff_str(&d, "email", PQgetvalue(r, 0, 1), ch->email) ? ch->email : NULL;
	const char *locale = ch->locale && diff_str(&d, "locale", PQgetvalue(r, 0, 2), ch->locale)
	                         ? ch->locale
	                         : NULL;
	const char *tz = ch->timezone && diff_str(&d, "timezone", PQgetvalue(r, 0, 3), ch->timezone)
	                     ? ch->timezone
	                     : NULL;
	bool disable = ch->active == 0 && was_active;
	const char *active = NULL;
	if (ch->active >= 0 && diff_bool(&d, "is_active", was_active, ch->active == 1))
		active = ch->active ? "true" : "false";
	if (!diff_close(&d)) {
		e = APP_ERR_NOMEM;
		goto rollback;
	}
	if (d.n > 0) {
		const char *up[] = {
		    id, set_display ? "true" : "false", ch->display, email, locale, tz, active};
		struct audit_entry a = {NULL, action, "user",     id,
		                        true, NULL,   d.old.data, d.new.data};
		if ((e = db_query(db, req->arena, &q_update_user, up, NULL))) {
			if (e == APP_ERR_CONFLICT)
				e = user_conflict(req, fe);
			goto rollback;
		}
		if ((disable &&
		     (e = session_revoke_all(req, id, NULL, "account disabled", NULL))) ||
		    (e = audit_write(req, &a)) || (email && (e = mail_verify_queue(req, id))))
			goto rollback;
	}
	if ((e = user_load(req, id, &u)))
		goto rollback;
	if ((e = db_commit(db)))
		goto out;
	user_cache_forget(req, id);
	jw_init(&w, &res->body);
	user_json(&w, u, 0, true);
	goto out;
rollback:
	db_rollback(db);
out:
	diff_release(&d);
	return e;
}
