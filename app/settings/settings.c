#include "settings/settings.h"

#include <string.h>

#include "app.h"

static const struct setting_def defs[] = {
	{"auth.registration_enabled", ST_BOOL, "false", 0, 0, true, false,
	 "Anyone may create an account with POST /api/v1/auth/register (off: only administrators"
	 " and invitations make accounts)."},
	{"auth.default_role", ST_STRING, "\"user\"", 1, 32, false, false,
	 "Role given to accounts created by registration."},
	{"server.name", ST_STRING, "\"Revenge\"", 1, 100, true, false,
	 "Name of this server shown to clients."},
	/* --- rbac & settings & audit (helper) --- */
	{"server.motd", ST_STRING, "\"\"", 0, 1000, true, false,
	 "Message shown to clients on the login screen and home page (empty: none)."},
	{"library.scan_interval_minutes", ST_INT, "360", 0, 10080, false, false,
	 "Minutes between automatic rescans of every library (0: manual scans only)."},
	{"metadata.tmdb_api_key", ST_STRING, "\"\"", 0, 128, false, true,
	 "TMDb API key for metadata lookups (empty: the configuration file's key)."},
};

static const struct db_stmt q_get = {
	"settings_get", "SELECT value::text FROM server_settings WHERE key = $1", 1, true};

const struct setting_def *settings_defs(size_t *n)
{
	*n = sizeof(defs) / sizeof(defs[0]);
	return defs;
}

const struct setting_def *settings_find(const char *key)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (!strcmp(defs[i].key, key))
			return &defs[i];
	return NULL;
}

const char *settings_get_json(struct request *req, const char *key)
{
	const struct setting_def *d = settings_find(key);
	const char *params[] = {key};
	PGresult *r;

	if (!d || db_query(req->app->db, req->arena, &q_get, params, &r))
		return NULL;
	return PQntuples(r) ? PQgetvalue(r, 0, 0) : d->def;
}

bool settings_get_bool(struct request *req, const char *key, bool def_value)
{
	const char *v = settings_get_json(req, key);
	if (!v)
		return def_value;
	return !strcmp(v, "true") ? true : !strcmp(v, "false") ? false : def_value;
}

const char *settings_get_string(struct request *req, const char *key, const char *def_value)
{
	const char *v = settings_get_json(req, key);
	cJSON *j;
	const char *out = def_value;

	if (!v || !(j = cJSON_Parse(v)))
		return def_value;
	if (cJSON_IsString(j))
		out = arena_strdup(req->arena, j->valuestring);
	cJSON_Delete(j);
	return out ? out : def_value;
}

enum app_err settings_validate(const struct setting_def *d, const cJSON *value,
			       struct field_error *fe)
{
	switch (d->type) {
	case ST_BOOL:
		if (!cJSON_IsBool(value))
			return field_fail(fe, APP_ERR_VALIDATION, "value", "must be a boolean");
		return APP_OK;
	case ST_INT:
		/* range first: converting an out-of-range double (1e300, inf) to
		 * int64_t is undefined behaviour */
		if (!cJSON_IsNumber(value) ||
		    !(value->valuedouble >= (double)d->min && value->valuedouble <= (double)d->max) ||
		    value->valuedouble != (double)(int64_t)value->valuedouble)
			return field_fail(fe, APP_ERR_VALIDATION, "value",
					  "must be an integer from %lld to %lld", (long long)d->min,
					  (long long)d->max);
		return APP_OK;
	case ST_STRING:
		if (!cJSON_IsString(value) || strlen(value->valuestring) < (size_t)d->min ||
		    strlen(value->valuestring) > (size_t)d->max)
			return field_fail(fe, APP_ERR_VALIDATION, "value",
					  "must be a string of %lld to %lld bytes", (long long)d->min,
					  (long long)d->max);
		return APP_OK;
	}
	return APP_ERR_INTERNAL;
}
