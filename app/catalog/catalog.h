/*
 * catalog: the read layer every browsable kind shares (movies now, series,
 * seasons and episodes for the TV routes): who is looking, what they may
 * see, in which language, and lists of a kind in any of its orders, built
 * from a table per kind (kind.c) the way app/metadata/store.c writes them.
 * Design and query plans: docs/internals/catalog.md.
 *
 * Statements start with CAT_VIEW_CTE and take the viewer's four parameters
 * first ($1 user id, $2 sees every library, $3 ?language or NULL, $4 the
 * Accept-Language pick or NULL). The CTE `v` resolves in the same round
 * trip:
 *   v.lang       ?language, else the user's metadata_language, else the
 *                Accept-Language pick, else en (SPEC §1.3)
 *   v.sort_lang  v.lang when the catalog keeps title keys for it, else en
 *   v.max_age, v.country, v.unrated   parental control: the limit (NULL:
 *                none), the rating country, the age an unrated item counts
 *                as (0, or 99 when the user hides unrated items)
 *   v.all_libs, v.libs   every library, or the ids of the visible ones
 * An item failing CAT_VISIBLE does not exist for the viewer (404, counted
 * nowhere).
 */
#ifndef REVENGE_CATALOG_CATALOG_H
#define REVENGE_CATALOG_CATALOG_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

#define CAT_LANG_EXPR "coalesce($3::text, p.metadata_language, $4::text, 'en')"

#define CAT_VIEW_CTE                                                                               \
	"WITH v AS (SELECT " CAT_LANG_EXPR " AS lang, coalesce((SELECT cl.lang FROM"               \
	" catalog_languages cl WHERE cl.lang = " CAT_LANG_EXPR "), 'en') AS sort_lang,"          \
	" p.max_age_rating AS max_age, coalesce(p.rating_country, 'US') AS country,"               \
	" CASE WHEN coalesce(p.allow_unrated, true) THEN 0 ELSE 99 END AS unrated,"               \
	" $2::boolean AS all_libs, CASE WHEN $2::boolean THEN NULL ELSE ARRAY(SELECT l.id"        \
	" FROM libraries l WHERE l.visibility = 'all' OR EXISTS (SELECT 1 FROM library_grants g"  \
	" WHERE g.library_id = l.id AND g.user_id = $1::uuid)) END AS libs"                        \
	" FROM (VALUES (1)) one(x) LEFT JOIN user_preferences p ON p.user_id = $1::uuid)"

#define CAT_NPARAMS 4

/* The minimum age of an item for the viewer, from its {country: age}
 * column (unrated: v.unrated). */
#define CAT_MIN_AGE(ages) "coalesce((" ages "->>v.country)::int, v.unrated)"

/* The item's library is visible and its age within the viewer's limit. */
#define CAT_VISIBLE(lib, ages)                                                                     \
	"((v.all_libs OR " lib " = ANY (v.libs)) AND (v.max_age IS NULL OR " CAT_MIN_AGE(ages)    \
	" <= v.max_age))"

/* A localised field: requested -> en -> original language (-> the base
 * column, which the caller adds, after the original title for titles). */
#define CAT_I18N(col, orig_lang)                                                                   \
	"nullif(" col "->>v.lang, ''), nullif(" col "->>'en', ''), nullif(" col "->>" orig_lang  \
	", '')"

/* A genre's, collection's or season's name in the viewer's language. */
#define CAT_NAME(t) "coalesce(nullif(" t ".names_i18n->>v.lang, ''), " t ".name)"

/* The public URL of a stored image (null until the worker fetched it). */
#define CAT_IMAGE(kind, path)                                                                      \
	"(SELECT '/' || i.storage_key FROM images i WHERE i.kind = '" kind "'"                     \
	" AND i.provider_path = " path " AND i.state = 'stored')"

/* A movie's or series' picture of kind poster|backdrop: the provider's
 * once stored, else the local artwork found next to its files (migration
 * 0009, library/artwork.h). */
#define CAT_ART(kind, m)                                                                           \
	"coalesce(" CAT_IMAGE(kind, m "." kind "_path") ", (SELECT '/' || i.storage_key FROM"      \
	" images i WHERE i.id = " m ".local_" kind "_id AND i.state = 'stored'))"

/* Who is looking. */
struct viewer {
	const char *user_id; /* canonical uuid */
	bool sees_all;       /* admin:* or libraries:update */
	const char *lang;    /* ?language (ISO 639-1) or NULL */
	const char *pick;    /* the Accept-Language pick or NULL */
};

/* The viewer's parameters in p[0..3] (strings owned by v). */
void catalog_viewer_params(const struct viewer *v, const char **p);

/*
 * The catalog generation as text: it changes whenever anything a catalog
 * response shows changes (a sequence that statement triggers advance) or
 * the user's watch state or preferences change. NULL on a database error.
 * For the response cache's vary string.
 */
const char *catalog_generation(struct db *db, struct arena *a, const char *user_id);

#endif
