/*
 * tv: the TV routes of SPEC §5 and the route map's "tv" and "search" rows —
 * series, seasons and episodes over the catalog read layer (app/catalog:
 * the kinds catalog_series, catalog_season and catalog_episode), the
 * caller's episode watch state, next up, direct play, and search across
 * movies, series and episodes. Every read goes through the catalog's
 * viewer: a series outside the caller's libraries or above their age limit
 * (TMDb content ratings of their rating country) is a 404 everywhere, with
 * its seasons and episodes, and counted nowhere.
 */
#ifndef REVENGE_TV_TV_H
#define REVENGE_TV_TV_H

#include "http/http.h"

extern const struct param_spec tv_list_query[];
extern const struct param_spec tv_lang_query[];       /* language */
extern const struct param_spec tv_page_query[];       /* page + language */
extern const struct param_spec tv_plain_page_query[]; /* page */
extern const struct param_spec tv_episodes_query[];   /* page + language + season + sort */
extern const struct param_spec tv_next_up_query[];    /* page + language + include_specials */
extern const struct param_spec tv_next_episode_query[]; /* language + include_specials */
extern const struct param_spec tv_search_query[];
extern const struct param_spec multi_search_query[];
extern const struct body_field tv_bulk_watched_body[];

/* series (tv.c) */
enum app_err tv_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_seasons(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_series_episodes(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_cast(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_crew(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_genres(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_networks(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_all_genres(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_recently_added(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_stats(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_refresh(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_season_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_season_episodes(struct request *req, struct response *res, struct field_error *fe);

/* episodes and watch state (episodes.c) */
enum app_err tv_episode_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_episode_files(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_episodes_recent(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_episodes_upcoming(struct request *req, struct response *res,
				  struct field_error *fe);
enum app_err tv_progress_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_progress_put(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_progress_delete(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_watched_add(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_watched_remove(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_bulk_watched(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_continue(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_history(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_next_up(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_next_episode(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_stream(struct request *req, struct response *res, struct field_error *fe);
enum app_err tv_subtitle(struct request *req, struct response *res, struct field_error *fe);

/* search (search.c) */
enum app_err tv_search(struct request *req, struct response *res, struct field_error *fe);
enum app_err multi_search(struct request *req, struct response *res, struct field_error *fe);

#endif
