/*
 * Watch state of movies (SPEC §4.2): the movie routes over the catalog's
 * watch state (catalog/watch.h), bound to the movie kind.
 */
#include "movies/movies.h"

#include "catalog/watch.h"

enum app_err movies_progress_get(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_progress_get(req, res, &catalog_movie, fe);
}

enum app_err movies_progress_put(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_progress_put(req, res, &catalog_movie, fe);
}

enum app_err movies_progress_delete(struct request *req, struct response *res,
                                    struct field_error *fe)
{
	return catalog_progress_delete(req, res, &catalog_movie, fe);
}

enum app_err movies_watched_add(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_watched(req, res, &catalog_movie, true, fe);
}

enum app_err movies_watched_remove(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	return catalog_watched(req, res, &catalog_movie, false, fe);
}

enum app_err movies_continue(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_continue(req, res, &catalog_movie, fe);
}

enum app_err movies_history(struct request *req, struct response *res, struct field_error *fe)
{
	return catalog_history(req, res, &catalog_movie, fe);
}
