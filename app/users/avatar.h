/*
 * avatar: the caller's profile picture (SPEC §2.1, §9):
 * POST and DELETE /api/v1/users/me/avatar.
 *
 * The body of the upload is the image itself (a browser's fetch sends a
 * File as it is), or a multipart/form-data body with exactly one part,
 * named "avatar" (FormData; http/multipart.h says what is accepted). The
 * bytes decide
 * what the picture is: image_sniff (core/image.h) must find a JPEG, PNG or
 * WebP header with dimensions from AVATAR_MIN_SIDE to AVATAR_MAX_SIDE,
 * and the stored key takes the sniffed format's extension. The declared
 * Content-Type only has to say "an image" (image/jpeg, image/png,
 * image/webp or application/octet-stream, whichever of them): a browser
 * derives it from the file name, which the bytes overrule. Pixels are not
 * decoded or re-encoded, only the header is checked (as for artwork).
 *
 * Each upload gets a new key, images/avatars/<user id>/<16 hex>.<ext>, so
 * avatar_url ("/images/…", users/user.h) changes with every picture and
 * nginx and browsers may cache one URL forever.
 *
 * Order of an upload: the object is stored (storage.h), then ONE
 * transaction updates users.avatar_path and writes the audit row
 * (`user.avatar.update`); when that fails, the new object is removed.
 * After the commit the previous picture's object is removed, best effort
 * (a failure is logged as avatar.orphan: the object is unreachable, the
 * account correct). A delete clears the column in a transaction
 * (`user.avatar.delete`), then removes the object the same way.
 */
#ifndef REVENGE_USERS_AVATAR_H
#define REVENGE_USERS_AVATAR_H

#include "http/http.h"

#define AVATAR_MAX_BYTES (2 * 1024 * 1024)
/* the route's body limit: the picture plus room for a form's framing */
#define AVATAR_BODY_MAX (AVATAR_MAX_BYTES + 16 * 1024)
#define AVATAR_MIN_SIDE 16
#define AVATAR_MAX_SIDE 4096

/*
 * POST /api/v1/users/me/avatar: store the body as the caller's avatar and
 * answer the updated account (200). Problems:
 *   415 Content-Type  neither an image type nor multipart/form-data
 *   400 avatar        empty body; a form that is not one part named
 *                     avatar (or is malformed)
 *   415 avatar        a form part declared as another type
 *   415 avatar        the bytes are not a JPEG, PNG or WebP image (a text
 *                     file, a truncated header, a GIF)
 *   400 avatar        a side under 16 or over 4096 pixels
 *   413 avatar        a picture of more than AVATAR_MAX_BYTES
 *   413 body          a body past the route's limit (AVATAR_BODY_MAX)
 *   503               storage unavailable (nothing changed)
 */
enum app_err users_upload_avatar(struct request *req, struct response *res, struct field_error *fe);

/* DELETE /api/v1/users/me/avatar: 204, also when there was none. */
enum app_err users_delete_avatar(struct request *req, struct response *res, struct field_error *fe);

/* Remove a former avatar's object (key as stored in users.avatar_path;
 * NULL or "" is nothing to do) after the transaction that dropped it
 * committed; a failure is logged, never returned. */
void avatar_forget_object(const char *key, const char *user_id);

#endif
