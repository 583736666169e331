#include "users/avatar.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/image.h"
#include "core/log.h"
#include "http/headers.h"
#include "http/multipart.h"
#include "storage/storage.h"
#include "users/user.h"

static const struct db_stmt q_lock = {
    "avatar_lock", "SELECT avatar_path FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    1, false};
static const struct db_stmt q_set = {
    "avatar_set", "UPDATE users SET avatar_path = $2, updated_at = now() WHERE id = $1", 2, false};

void avatar_forget_object(const char *key, const char *user_id)
{
	enum app_err e;

	if (!key || !*key)
		return;
	if ((e = storage_remove(key)))
		log_warn("avatar.orphan", "user %s: could not remove %s: %s %s", user_id, key,
		         app_err_slug(e), storage_last_error());
}

/* The declared type only has to say "an image"; see avatar.h. */
static bool declared_ok(const char *ct)
{
	return ct && (http_media_type_is(ct, "image/jpeg") || http_media_type_is(ct, "image/png") ||
	              http_media_type_is(ct, "image/webp") ||
	              http_media_type_is(ct, "application/octet-stream"));
}

/*
 * The picture of the request: the raw body, or the one part named "avatar"
 * of a multipart/form-data body. Checked as avatar.h says.
 */
static enum app_err read_image(const struct request *req, const char **data, size_t *len,
                               struct image_info *img, struct field_error *fe)
{
	const char *ct = req_env(req, "CONTENT_TYPE");
	struct multipart_part part;
	const char *why;

	*data = req->body;
	*len = req->body_len;
	if (ct && http_media_type_is(ct, "multipart/form-data")) {
		if (multipart_single(ct, req->body, req->body_len, &part, &why))
			return field_fail(fe, APP_ERR_VALIDATION, "avatar", "the form %s", why);
		if (strcmp(part.name, "avatar"))
			return field_fail(fe, APP_ERR_VALIDATION, "avatar",
			                  "the form's one part must be named avatar");
		if (part.type[0] && !declared_ok(part.type))
			return field_fail(fe, APP_ERR_UNSUPPORTED, "avatar",
			                  "the part must be image/jpeg, image/png or image/webp");
		*data = part.data;
		*len = part.len;
	} else if (!declared_ok(ct)) {
		return field_fail(fe, APP_ERR_UNSUPPORTED, "Content-Type",
		                  "must be image/jpeg, image/png or image/webp (the picture as the "
		                  "body) or multipart/form-data");
	}
	if (*len == 0)
		return field_fail(fe, APP_ERR_VALIDATION, "avatar",
		                  "is required (the image as the body)");
	if (*len > AVATAR_MAX_BYTES)
		return field_fail(fe, APP_ERR_TOO_LARGE, "avatar", "exceeds %d bytes",
		                  AVATAR_MAX_BYTES);
	if (image_sniff(*data, *len, img))
		return field_fail(fe, APP_ERR_UNSUPPORTED, "avatar",
		                  "is not a JPEG, PNG or WebP image");
	if (img->width < AVATAR_MIN_SIDE || img->height < AVATAR_MIN_SIDE ||
	    img->width > AVATAR_MAX_SIDE || img->height > AVATAR_MAX_SIDE)
		return field_fail(fe, APP_ERR_VALIDATION, "avatar",
		                  "is %ux%u pixels; each side must be %d to %d", img->width,
		                  img->height, AVATAR_MIN_SIDE, AVATAR_MAX_SIDE);
	return APP_OK;
}

/*
 * Set the caller's avatar_path to key (NULL clears it) in one transaction
 * with its audit row; *old gets the previous key (NULL when none), in the
 * arena. APP_ERR_NOT_FOUND when the account is gone.
 */
static enum app_err set_path(struct request *req, const char *key, const char **old,
                             struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req->who->user_id;
	const char *idp[] = {id}, *up[] = {id, key};
	PGresult *r;
	struct buf ov, nv;
	struct jw w;
	enum app_err e;

	*old = NULL;
	buf_init(&ov, 1024);
	buf_init(&nv, 1024);
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, req->arena, &q_lock, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
		goto rollback;
	}
	if (!PQgetisnull(r, 0, 0))
		*old = PQgetvalue(r, 0, 0);
	if (!key && !*old) { /* nothing to delete: no write, no audit row */
		db_rollback(db);
		goto out;
	}
	jw_init(&w, &ov);
	jw_obj_open(&w);
	jw_kstr(&w, "avatar_path", *old);
	jw_obj_close(&w);
	jw_init(&w, &nv);
	jw_obj_open(&w);
	jw_kstr(&w, "avatar_path", key);
	jw_obj_close(&w);
	if (!buf_ok(&ov) || !buf_ok(&nv)) {
		e = APP_ERR_NOMEM;
		goto rollback;
	}
	struct audit_entry a = {NULL,    key ? "user.avatar.update" : "user.avatar.delete",
	                        "user",  id,
	                        true,    NULL,
	                        ov.data, nv.data};
	if ((e = db_query(db, req->arena, &q_set, up, NULL)) || (e = audit_write(req, &a)))
		goto rollback;
	e = db_commit(db);
	goto out;
rollback:
	db_rollback(db);
out:
	buf_release(&ov);
	buf_release(&nv);
	return e;
}

enum app_err users_upload_avatar(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req->who->user_id, *old;
	struct image_info img;
	const char *data;
	size_t len;
	unsigned char rnd[8];
	char ver[2 * sizeof(rnd) + 1], *key;
	PGresult *u;
	struct jw w;
	enum app_err e;

	if ((e = read_image(req, &data, &len, &img, fe)))
		return e;
	if (crypto_random(rnd, sizeof(rnd)))
		return APP_ERR_INTERNAL;
	hex_encode(rnd, sizeof(rnd), ver);
	ver[sizeof(ver) - 1] = '\0';
	if (!(key = arena_printf(req->arena, "images/avatars/%s/%s.%s", id, ver, img.ext)))
		return APP_ERR_NOMEM;
	if ((e = storage_put(key, data, len))) {
		log_warn("avatar.store", "user %s: storing %s failed: %s %s", id, key,
		         app_err_slug(e), storage_last_error());
		return e == APP_ERR_VALIDATION ? APP_ERR_INTERNAL : e;
	}
	if ((e = set_path(req, key, &old, fe))) {
		/* the row did not change: the new object must not stay behind */
		avatar_forget_object(key, id);
		return e;
	}
	user_cache_forget(req, id);
	if (old && strcmp(old, key))
		avatar_forget_object(old, id);
	log_info("avatar.update", "user %s: %s (%ux%u %s, %zu bytes)", id, key, img.width,
	         img.height, img.mime, req->body_len);
	if ((e = user_load(req, id, &u)))
		return e;
	jw_init(&w, &res->body);
	user_json(&w, u, 0, true);
	return APP_OK;
}

enum app_err users_delete_avatar(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req->who->user_id, *old;
	enum app_err e;

	if ((e = set_path(req, NULL, &old, fe)))
		return e;
	if (old) {
		user_cache_forget(req, id);
		avatar_forget_object(old, id);
	}
	res->status = 204;
	return APP_OK;
}
