/*
 * files: direct play of an item's files (SPEC §4.3) for every kind: the
 * handler has checked the caller, the route's permission, the viewer's
 * access to the item and that the file is one of its files; these check
 * the path against library.allowed_roots and its library's roots and the
 * Range header, and hand the file to nginx (http/accel.h).
 */
#ifndef REVENGE_CATALOG_FILES_H
#define REVENGE_CATALOG_FILES_H

#include <stdbool.h>

#include "db/db.h"
#include "http/http.h"

/* The video at path (roots: its library's roots as a JSON array); field
 * names the path parameter a refusal blames. */
enum app_err catalog_send_file(struct request *req, struct response *res, const char *path,
			       const char *roots, const char *field, struct field_error *fe);

/* The subtitle routes' query: `format` (enum: vtt), absent for the file as
 * it is. */
extern const struct param_spec catalog_subtitle_query[];

/*
 * External subtitle `index` (the path's index parameter) of the video at
 * path, from the file's sidecars JSON: a plain file name in the video's
 * directory. 404 naming `index` when there is no such subtitle or it is
 * not on disk (or outside the roots).
 *
 * Without ?format the file goes to nginx as it is. With ?format=vtt the
 * application reads it (at most SUBTITLE_VTT_MAX_INPUT bytes,
 * media/subtitle_vtt.h) and answers the WebVTT conversion itself, 200
 * with `text/vtt; charset=utf-8` and no byte ranges; 422 naming `index`
 * when the file is larger than that, or is not SRT, ASS/SSA or WebVTT
 * with at least one cue, or its conversion does not fit the response.
 */
enum app_err catalog_send_subtitle(struct request *req, struct response *res, const char *path,
				   const char *roots, const char *sidecars,
				   struct field_error *fe);

/*
 * The whole route: file (viewer, item $5, file $6; columns: path, roots
 * JSON, sidecars JSON) names the file of the path's item; when it finds
 * none, visible (viewer, item) tells a 404 naming `id` (missing) from one
 * naming `file_id` (not_its). Then the file, or with subtitle its external
 * subtitle `index`.
 */
enum app_err catalog_play(struct request *req, struct response *res, const struct db_stmt *visible,
			  const char *missing, const struct db_stmt *file, const char *not_its,
			  bool subtitle, struct field_error *fe);

#endif
