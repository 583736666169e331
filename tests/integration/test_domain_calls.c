/*
 * Domain functions called the way a job or the CLI calls them: with a
 * database handle, an arena and a principal, no struct request anywhere.
 * Library access, the audit log and loading an account, against the real
 * PostgreSQL with the migrated schema.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/log.h"
#include "db/db.h"
#include "library/libraries.h"
#include "testenv.h"
#include "users/user.h"

#define ALICE "11111111-1111-4111-8111-111111111111"
#define BOB "22222222-2222-4222-8222-222222222222"
#define OPEN_LIB "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define SHUT_LIB "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define NO_LIB "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

static char url[1024];

struct fixture {
	struct db *db;
	struct arena *a;
	PGconn *pg;
};

static void sql(PGconn *pg, const char *q)
{
	PGresult *r = PQexec(pg, q);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQerrorMessage(pg));
	PQclear(r);
}

static int setup(void **state)
{
	static struct fixture f;

	f.db = db_new(url, 5000, 10000);
	f.a = arena_new(16 * 1024, 1 << 20);
	f.pg = testenv_connect(url);
	sql(f.pg, "INSERT INTO users (id, username, email, password_hash) VALUES"
	          " ('" ALICE "', 'alice', 'alice@example.org', 'x'),"
	          " ('" BOB "', 'bob', 'bob@example.org', 'x')");
	sql(f.pg, "INSERT INTO libraries (id, name, type, paths, visibility) VALUES"
	          " ('" OPEN_LIB "', 'Open', 'movie', ARRAY['/srv/open'], 'all'),"
	          " ('" SHUT_LIB "', 'Shut', 'movie', ARRAY['/srv/shut'], 'granted')");
	sql(f.pg, "INSERT INTO library_grants (user_id, library_id, level) VALUES"
	          " ('" ALICE "', '" SHUT_LIB "', 'manage')");
	*state = &f;
	return f.db && f.a ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	PQfinish(f->pg);
	arena_free(f->a);
	db_free(f->db);
	return 0;
}

static void library_access_without_a_request(void **state)
{
	struct fixture *f = *state;
	struct principal alice, bob, admin;
	static const char *admin_perms[] = {"admin:*"};
	struct field_error fe = {{0}, {0}};

	memset(&alice, 0, sizeof(alice));
	snprintf(alice.user_id, sizeof(alice.user_id), "%s", ALICE);
	bob = alice;
	snprintf(bob.user_id, sizeof(bob.user_id), "%s", BOB);
	admin = bob;
	admin.admin = true;
	admin.perms = admin_perms;
	admin.nperms = 1;

	/* an open library: everyone views and downloads, nobody manages by default */
	assert_int_equal(library_access_for(f->db, f->a, &bob, OPEN_LIB, "download"), APP_OK);
	assert_int_equal(library_access_for(f->db, f->a, &bob, OPEN_LIB, "manage"),
	                 APP_ERR_FORBIDDEN);
	assert_int_equal(library_access_for(f->db, f->a, NULL, OPEN_LIB, "view"), APP_OK);
	/* a granted-only library: invisible without a grant, the grant's level with one */
	assert_int_equal(library_access_for(f->db, f->a, &bob, SHUT_LIB, "view"),
	                 APP_ERR_NOT_FOUND);
	assert_int_equal(library_access_for(f->db, f->a, NULL, SHUT_LIB, "view"),
	                 APP_ERR_NOT_FOUND);
	assert_int_equal(library_access_for(f->db, f->a, &alice, SHUT_LIB, "manage"), APP_OK);
	assert_int_equal(library_access_for(f->db, f->a, &admin, SHUT_LIB, "manage"), APP_OK);
	assert_true(library_sees_all_for(&admin));
	assert_false(library_sees_all_for(&alice));
	assert_false(library_sees_all_for(NULL));
	/* no such library, a level that does not exist */
	assert_int_equal(library_access_for(f->db, f->a, &admin, NO_LIB, "view"),
	                 APP_ERR_NOT_FOUND);
	assert_int_equal(library_access_for(f->db, f->a, &admin, OPEN_LIB, "own"),
	                 APP_ERR_INTERNAL);
	/* the field_error form names the caller's field */
	assert_int_equal(library_access_fe_for(f->db, f->a, &bob, SHUT_LIB, "view", "library_id",
	                                       &fe),
	                 APP_ERR_NOT_FOUND);
	assert_string_equal(fe.field, "library_id");
	assert_int_equal(
	    library_access_fe_for(f->db, f->a, &bob, OPEN_LIB, "manage", "library_id", &fe),
	    APP_ERR_FORBIDDEN);
	assert_string_equal(fe.field, "library_id");
}

static long count(PGconn *pg, const char *q)
{
	PGresult *r = PQexec(pg, q);
	long n = PQresultStatus(r) == PGRES_TUPLES_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;

	PQclear(r);
	return n;
}

static void audit_without_a_request(void **state)
{
	struct fixture *f = *state;
	struct principal alice;
	struct audit_entry job = {NULL,   "library.scan.done", "library", OPEN_LIB, true,
	                          NULL,   NULL,                "{\"files\":3}"};
	struct audit_entry cli = {BOB, "admin.user.create", "user", BOB, true, NULL, NULL, NULL};
	struct audit_origin from_job = {NULL, NULL, "req-1234"};

	memset(&alice, 0, sizeof(alice));
	snprintf(alice.user_id, sizeof(alice.user_id), "%s", ALICE);
	/* a job acting for alice, carrying the request id that queued it */
	assert_int_equal(audit_record(f->db, f->a, &alice, &from_job, &job), APP_OK);
	assert_int_equal(count(f->pg, "SELECT count(*) FROM audit_log WHERE action ="
	                              " 'library.scan.done' AND user_id = '" ALICE "'"
	                              " AND request_id = 'req-1234' AND ip IS NULL"
	                              " AND new_values->>'files' = '3'"),
	                 1);
	/* the CLI: no principal, no origin, the actor named in the entry */
	assert_int_equal(audit_record(f->db, f->a, NULL, NULL, &cli), APP_OK);
	assert_int_equal(count(f->pg, "SELECT count(*) FROM audit_log WHERE action ="
	                              " 'admin.user.create' AND user_id = '" BOB "'"
	                              " AND request_id IS NULL AND user_agent IS NULL"),
	                 1);
	/* values that are not JSON are refused by the database, not stored */
	struct audit_entry bad = {NULL, "x.bad", NULL, NULL, true, NULL, "{not json", NULL};
	assert_int_not_equal(audit_record(f->db, f->a, NULL, NULL, &bad), APP_OK);
	assert_int_equal(count(f->pg, "SELECT count(*) FROM audit_log WHERE action = 'x.bad'"),
	                 0);
}

static void user_load_without_a_request(void **state)
{
	struct fixture *f = *state;
	PGresult *r;

	assert_int_equal(user_load_from(f->db, f->a, ALICE, &r), APP_OK);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 1), "alice");
	sql(f->pg, "UPDATE users SET deleted_at = now() WHERE id = '" BOB "'");
	assert_int_equal(user_load_from(f->db, f->a, BOB, &r), APP_ERR_NOT_FOUND);
	assert_int_equal(user_load_from(f->db, f->a, NO_LIB, &r), APP_ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(library_access_without_a_request),
	    cmocka_unit_test(audit_without_a_request),
	    cmocka_unit_test(user_load_without_a_request),
	};
	/* the refused audit row is logged on purpose: keep the output clean */
	int devnull = open("/dev/null", O_WRONLY);
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, devnull >= 0 ? devnull : 2);
	snprintf(url, sizeof(url), "%s", testenv_new_database(NULL));
	return cmocka_run_group_tests(tests, setup, teardown);
}
