/*
 * accel: direct play through nginx (SPEC §4.3). The application authorises
 * and names the file; nginx's internal /_media/ location sends it with
 * sendfile, byte ranges (206/416) and its own validators, so no byte of
 * media passes through a FastCGI process. Any kind with files (movies,
 * episodes) answers its stream and subtitle routes with accel_send_file.
 */
#ifndef REVENGE_HTTP_ACCEL_H
#define REVENGE_HTTP_ACCEL_H

#include <stdbool.h>

#include "core/arena.h"
#include "http/http.h"

/* Is real, a resolved path (realpath), inside one of roots, a JSON array
 * of directories ("["/srv/movies"]")? Roots are resolved too, so a library
 * configured through a symlink still matches; false for anything that is
 * not such an array. */
bool accel_inside_roots(const char *real, const char *roots_json);

/* The X-Accel-Redirect target of real: "/_media" + the path with every
 * byte outside [A-Za-z0-9/._~-] percent-encoded (spaces, "?", "#", "%",
 * non-ASCII names). In a; NULL when out of memory. */
const char *accel_uri(struct arena *a, const char *real);

/* The Content-Type of a media or subtitle file by its extension
 * (application/octet-stream when unknown). nginx keeps the type the
 * application sends with X-Accel-Redirect, so the application names it
 * (the same map as nginx/revenge.conf.in's). Static strings. */
const char *accel_media_type(const char *path);

/*
 * Hand path to nginx: it must resolve to a regular file inside one of roots
 * (a symlink out of the library is refused and logged), and the request's
 * Range header must fit its size. APP_OK with X-Accel-Redirect,
 * Cache-Control and the content type set on res; APP_ERR_NOT_FOUND naming
 * field ("is not on disk any more"); APP_ERR_RANGE naming Range with
 * Content-Range: bytes * / size set; APP_ERR_NOMEM.
 */
enum app_err accel_send_file(struct request *req, struct response *res, const char *path,
                             const char *roots_json, const char *field, struct field_error *fe);

#endif
