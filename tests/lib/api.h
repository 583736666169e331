/*
 * api: a small HTTP-over-FastCGI harness for integration tests that drive
 * the pool with bearer tokens and read JSON answers (the last response is
 * kept for assertions).
 */
#ifndef REVENGE_TESTS_API_H
#define REVENGE_TESTS_API_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "fcgi_client.h"

/* Set by the test before the first call. */
extern const char *api_sock;
extern PGconn *api_pg;

/* The last response and its body parsed (NULL when not JSON). */
extern struct fcgi_response api_last;
extern cJSON *api_last_json;

/* One request; token and user_agent may be NULL. Returns the status. */
int api_callx(const char *method, const char *uri, const char *token, const char *body,
	      const char *user_agent);
int api_call(const char *method, const char *uri, const char *token, const char *body);

const cJSON *api_get(const cJSON *o, const char *key);
/* A string member or NULL. */
const char *api_str(const cJSON *o, const char *key);
/* The last problem's "field" ("" when none). */
const char *api_problem_field(void);

/* Fail the test at `line` unless got == want (and, with fld, the problem
 * names that field). */
void api_expect_at(int line, int got, int want, const char *fld);
#define EXPECT(got, want) api_expect_at(__LINE__, (got), (want), NULL)
#define EXPECT_FIELD(got, want, fld) api_expect_at(__LINE__, (got), (want), (fld))

/* First column of the first row of a query with up to two text parameters
 * (a copy in rotating storage; "" without rows). Fails the test on an SQL
 * error. */
const char *api_q(const char *sql, const char *a, const char *b);

/* First column of the first row of sql on conn, with the text parameters
 * that follow up to a NULL (a copy in rotating storage of eight; "" without
 * rows). Fails the test on an SQL error. */
const char *api_value(PGconn *conn, const char *sql, ...);

/* Run sql on api_pg; fails the test unless it succeeds. */
void api_exec(const char *sql);

/* printf into rotating storage (eight strings of up to 8 KiB each, reused
 * in turn), for URIs, bodies and paths built inline in a call. */
const char *api_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command made like printf; fails the test when it fails. */
void api_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A registered, logged-in account. */
struct api_user {
	char id[37];
	char token[96];
	char name[32];
};

/* Add role to u with SQL (bypassing the API's rules and its cache
 * invalidation: do it before u's first authenticated request). */
void api_grant_sql(const struct api_user *u, const char *role);

/* A movie library on movies and a TV library on tv, made with SQL on
 * api_pg; their ids into movie_lib and tv_lib. */
void api_two_libraries(const char *movies, const char *tv, char movie_lib[37], char tv_lib[37]);

/* Register and log in `name` (password "pw-<name>-long"); `role` (may be
 * NULL) is added with SQL before the login. */
void api_new_user(struct api_user *u, const char *name, const char *role);

#endif
