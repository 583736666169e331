/*
 * Direct play of movie files (SPEC §4.3): the application authorises,
 * nginx serves (http/accel.h).
 *
 * The handler checks the session, playback:stream (the route), library
 * access and the age limit (the viewer) and that the file is one of the
 * movie's; catalog_send_file (catalog/files.h) checks the file against its library's roots and
 * the Range header and hands it to nginx.
 */
#include "app.h"
#include "catalog/files.h"
#include "movies/movies.h"
#include "movies/view.h"

/* clang-format off */
/* $5 movie, $6 file: its path, its library's roots, its sidecars */
static const struct db_stmt q_file = {
	"stream_file",
	MV_VIEW_CTE " SELECT f.path, array_to_json(l.paths)::text, f.sidecars::text FROM v, movies m"
	" JOIN media_files f ON f.movie_id = m.id AND f.state = 'present'"
	" JOIN libraries l ON l.id = f.library_id"
	" WHERE " MV_VISIBLE("m") " AND m.id = $5::uuid AND f.id = $6::uuid",
	MV_NPARAMS + 2, true};
/* clang-format on */

enum app_err movies_stream(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_play(req, res, &mv_q_visible, "is not a movie", &q_file,
			    "is not a file of this movie", false, fe);
}

/* An external subtitle: sidecar `index` of the file, from its directory. */
enum app_err movies_subtitle(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_play(req, res, &mv_q_visible, "is not a movie", &q_file,
			    "is not a file of this movie", true, fe);
}
