#include "api.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

const char *api_sock;
PGconn *api_pg;
struct fcgi_response api_last;
cJSON *api_last_json;

int api_callx(const char *method, const char *uri, const char *token, const char *body,
	      const char *user_agent)
{
	char auth[256], ua[1024];
	const char *params[4];
	int n = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %s", token);
		params[n++] = auth;
	}
	if (user_agent) {
		snprintf(ua, sizeof(ua), "HTTP_USER_AGENT=%s", user_agent);
		params[n++] = ua;
	}
	params[n] = NULL;
	assert_int_equal(fcgi_call(api_sock, method, uri, params, body, &api_last), 0);
	cJSON_Delete(api_last_json);
	api_last_json = cJSON_Parse(api_last.body);
	return api_last.status;
}

int api_call(const char *method, const char *uri, const char *token, const char *body)
{
	return api_callx(method, uri, token, body, NULL);
}

const cJSON *api_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

const char *api_str(const cJSON *o, const char *key)
{
	const cJSON *v = api_get(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *api_problem_field(void)
{
	const char *f = api_str(api_last_json, "field");
	return f ? f : "";
}

void api_expect_at(int line, int got, int want, const char *fld)
{
	if (got != want)
		fail_msg("line %d: status %d, want %d: %.600s", line, got, want, api_last.body);
	if (fld && strcmp(api_problem_field(), fld))
		fail_msg("line %d: field \"%s\", want \"%s\": %.600s", line, api_problem_field(), fld,
			 api_last.body);
}

const char *api_q(const char *sql, const char *a, const char *b)
{
	static char out[8][65536];
	static int turn;
	const char *params[] = {a, b};
	PGresult *r = PQexecParams(api_pg, sql, a ? (b ? 2 : 1) : 0, NULL, params, NULL, NULL, 0);
	char *o = out[turn++ % 8];

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("SQL failed: %s: %s", sql, PQresultErrorMessage(r));
	snprintf(o, sizeof(out[0]), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

void api_grant_sql(const struct api_user *u, const char *role)
{
	api_q("INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE name = $2",
	      u->id, role);
}

void api_new_user(struct api_user *u, const char *name, const char *role)
{
	char body[512];

	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(body, sizeof(body),
		 "{\"username\":\"%s\",\"email\":\"%s@example.com\",\"password\":\"pw-%s-long\"}",
		 name, name, name);
	EXPECT(api_call("POST", "/api/v1/auth/register", NULL, body), 201);
	snprintf(u->id, sizeof(u->id), "%s", api_str(api_last_json, "id"));
	if (role)
		api_grant_sql(u, role);
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"pw-%s-long\"}", name,
		 name);
	EXPECT(api_call("POST", "/api/v1/auth/login", NULL, body), 200);
	snprintf(u->token, sizeof(u->token), "%s", api_str(api_last_json, "access_token"));
}

const char *api_value(PGconn *conn, const char *sql, ...)
{
	static char out[8][4096];
	static int turn;
	const char *params[16];
	int n = 0;
	va_list ap;

	va_start(ap, sql);
	for (const char *p; n < 16 && (p = va_arg(ap, const char *));)
		params[n++] = p;
	va_end(ap);
	PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		PQclear(r);
		fail_msg("SQL failed: %s: %s", sql, msg);
	}
	char *o = out[turn++ % 8];
	snprintf(o, sizeof(out[0]), "%s", PQntuples(r) && PQnfields(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return o;
}

const char *api_fmt(const char *fmt, ...)
{
	static char out[8][8192];
	static int turn;
	char *o = out[turn++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o, sizeof(out[0]), fmt, ap);
	va_end(ap);
	return o;
}

void api_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

void api_two_libraries(const char *movies, const char *tv, char movie_lib[37], char tv_lib[37])
{
	snprintf(movie_lib, 37, "%s",
		 api_value(api_pg, "INSERT INTO libraries (name, type, paths) VALUES ('Movies',"
				   " 'movie', ARRAY[$1]) RETURNING id",
			   movies, NULL));
	snprintf(tv_lib, 37, "%s",
		 api_value(api_pg, "INSERT INTO libraries (name, type, paths) VALUES ('TV', 'tvshow',"
				   " ARRAY[$1]) RETURNING id",
			   tv, NULL));
}

void api_exec(const char *sql)
{
	PGresult *r = PQexec(api_pg, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}
