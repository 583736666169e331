#include "catalog/catalog.h"

#include <string.h>

void catalog_viewer_params(const struct viewer *v, const char **p)
{
	p[0] = v->user_id;
	p[1] = v->sees_all ? "true" : "false";
	p[2] = v->lang;
	p[3] = v->pick;
}

static const struct db_stmt q_generation = {
	"catalog_generation",
	"SELECT (SELECT last_value FROM catalog_generation)::text || '|' || coalesce((SELECT"
	" max(updated_at) FROM movie_watch WHERE user_id = $1::uuid)::text, '') || '|' ||"
	" coalesce((SELECT max(updated_at) FROM episode_watch WHERE user_id = $1::uuid)::text, '')"
	" || '|' ||"
	" coalesce((SELECT updated_at FROM user_preferences WHERE user_id = $1::uuid)::text, '')",
	1, true};

const char *catalog_generation(struct db *db, struct arena *a, const char *user_id)
{
	const char *p[] = {user_id};
	PGresult *r;

	if (db_query(db, a, &q_generation, p, &r) || PQntuples(r) != 1)
		return NULL;
	return PQgetvalue(r, 0, 0);
}
