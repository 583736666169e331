/*
 * movies: the movie routes of SPEC §4.2, §4.3 and §10 — browsing, detail
 * and relations, search, watch state, direct play and refresh. Every read
 * goes through the viewer of movies/view.h: a movie outside the caller's
 * libraries or above their age limit is a 404 everywhere, counted nowhere.
 */
#ifndef REVENGE_MOVIES_MOVIES_H
#define REVENGE_MOVIES_MOVIES_H

#include "http/http.h"

extern const struct param_spec movies_list_query[];
extern const struct param_spec movies_lang_query[];  /* language */
extern const struct param_spec movies_page_query[];  /* page + language */
extern const struct param_spec movies_plain_page_query[]; /* page */
extern const struct param_spec movies_top_query[];   /* page + language + min_votes */
extern const struct param_spec movies_search_query[];
extern const struct param_spec movies_autocomplete_query[];
extern const struct param_spec movies_facets_query[];

/* browse (movies.c) */
enum app_err movies_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_files(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_cast(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_crew(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_genres(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_collection(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_similar(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_recently_added(struct request *req, struct response *res,
                                   struct field_error *fe);
enum app_err movies_top_rated(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_stats(struct request *req, struct response *res, struct field_error *fe);
enum app_err collections_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err collections_movies(struct request *req, struct response *res,
                                struct field_error *fe);
enum app_err genres_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_refresh(struct request *req, struct response *res, struct field_error *fe);

/* search (search.c) */
enum app_err movies_search(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_autocomplete(struct request *req, struct response *res,
                                 struct field_error *fe);
enum app_err movies_facets(struct request *req, struct response *res, struct field_error *fe);

/* watch state (watch.c) */
enum app_err movies_progress_get(struct request *req, struct response *res,
                                 struct field_error *fe);
enum app_err movies_progress_put(struct request *req, struct response *res,
                                 struct field_error *fe);
enum app_err movies_progress_delete(struct request *req, struct response *res,
                                    struct field_error *fe);
enum app_err movies_watched_add(struct request *req, struct response *res,
                                struct field_error *fe);
enum app_err movies_watched_remove(struct request *req, struct response *res,
                                   struct field_error *fe);
enum app_err movies_continue(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_history(struct request *req, struct response *res, struct field_error *fe);

/* direct play (stream.c) */
enum app_err movies_stream(struct request *req, struct response *res, struct field_error *fe);
enum app_err movies_subtitle(struct request *req, struct response *res, struct field_error *fe);

#endif
