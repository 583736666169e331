/*
 * The admin jobs API over the pool's socket, against jobs enqueued through
 * the real enqueue API: filters, pagination, stats, detail, retry, cancel,
 * bad input; plus the enqueue API's own rules (unique keys, scheduling,
 * rollback, bulk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "fcgi_client.h"
#include "jobs/jobs.h"
#include "server.h"
#include "testenv.h"

static char conf[256], sock[256], log_path[256], db_url[1024], token[64];
static pid_t server = -1;
static PGconn *pg;
static struct db *db;
static struct arena *arena;
static struct fcgi_response res;

static int call(const char *method, const char *uri)
{
	char h[128];
	const char *hdrs[] = {h, NULL};

	snprintf(h, sizeof(h), "HTTP_AUTHORIZATION=Bearer %s", token);
	assert_int_equal(fcgi_call(sock, method, uri, hdrs, NULL, &res), 0);
	return res.status;
}

static long sql_long(const char *q)
{
	PGresult *r = PQexec(pg, q);
	long v = PQntuples(r) ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
	PQclear(r);
	return v;
}

static void sql(const char *q)
{
	PQclear(PQexec(pg, q));
}

static int64_t enqueue(const char *kind, int priority, const char *unique, int64_t delay)
{
	struct job_spec s = {.kind = kind, .priority = priority, .unique_key = unique,
			     .delay_ms = delay, .request_id = "rq-test"};
	int64_t id = 0;
	assert_int_equal(job_enqueue(db, arena, &s, &id, NULL), APP_OK);
	return id;
}

static void enqueue_rules(void **state)
{
	struct job_spec bad[] = {
		{.kind = "Bad-Kind", .priority = 2},
		{.kind = "", .priority = 2},
		{.kind = "noop", .priority = 5},
		{.kind = "noop", .priority = 2, .args = "[1,2]"},
		{.kind = "noop", .priority = 2, .args = "{\"a\":"},
		{.kind = "noop", .priority = 2, .max_attempts = 1001},
		{.kind = "noop", .priority = 2, .delay_ms = -1},
	};
	int64_t id, again;
	bool dup;
	long before = sql_long("SELECT count(*) FROM jobs");

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(job_enqueue(db, arena, &bad[i], &id, NULL), APP_ERR_VALIDATION);
	assert_int_equal(sql_long("SELECT count(*) FROM jobs"), before);

	/* one non-final job per unique key */
	struct job_spec u = {.kind = "library.scan", .priority = 1, .unique_key = "scan:lib1"};
	assert_int_equal(job_enqueue(db, arena, &u, &id, &dup), APP_OK);
	assert_false(dup);
	assert_int_equal(job_enqueue(db, arena, &u, &again, &dup), APP_OK);
	assert_true(dup);
	assert_int_equal(again, id);
	sql("UPDATE jobs SET state = 'completed', finalized_at = now() WHERE unique_key = 'scan:lib1'");
	assert_int_equal(job_enqueue(db, arena, &u, &again, &dup), APP_OK);
	assert_false(dup);
	assert_true(again != id);

	/* a delay makes a scheduled job */
	id = enqueue("noop", 2, NULL, 60000);
	char q[160];
	snprintf(q, sizeof(q), "SELECT count(*) FROM jobs WHERE id = %lld AND state = 'scheduled'"
			       " AND run_at > now() + interval '50 seconds'", (long long)id);
	assert_int_equal(sql_long(q), 1);

	/* an enqueue inside a transaction that rolls back leaves nothing */
	before = sql_long("SELECT count(*) FROM jobs");
	assert_int_equal(db_begin(db), APP_OK);
	enqueue("noop", 2, NULL, 0);
	db_rollback(db);
	assert_int_equal(sql_long("SELECT count(*) FROM jobs"), before);

	/* bulk: one statement, many jobs, args kept */
	struct job_spec many[300];
	for (int i = 0; i < 300; i++)
		many[i] = (struct job_spec){.kind = "noop", .priority = 4, .args = "{\"n\":\"a\\\"b\"}"};
	int64_t first = 0;
	assert_int_equal(job_enqueue_bulk(db, arena, many, 300, &first), APP_OK);
	assert_true(first > 0);
	assert_int_equal(sql_long("SELECT count(*) FROM jobs WHERE priority = 4 AND args->>'n' = 'a\"b'"), 300);
}

static void list_filters_and_pages(void **state)
{
	cJSON *body;
	int seen = 0, pages = 0;
	char uri[1200] = "/api/v1/admin/jobs?priority=bulk&limit=40";

	(void)state;
	/* walk every bulk job, page by page */
	for (;;) {
		assert_int_equal(call("GET", uri), 200);
		body = cJSON_Parse(res.body);
		const cJSON *items = cJSON_GetObjectItem(body, "items"), *it;
		cJSON_ArrayForEach(it, items)
		{
			assert_string_equal(cJSON_GetObjectItem(it, "priority")->valuestring, "bulk");
			seen++;
		}
		pages++;
		const cJSON *next = cJSON_GetObjectItem(body, "next_cursor");
		if (!cJSON_IsString(next)) {
			cJSON_Delete(body);
			break;
		}
		snprintf(uri, sizeof(uri), "/api/v1/admin/jobs?priority=bulk&limit=40&cursor=%s",
			 next->valuestring);
		cJSON_Delete(body);
		assert_true(pages < 50);
	}
	assert_int_equal(seen, sql_long("SELECT count(*) FROM jobs WHERE priority = 4"));
	assert_int_equal(pages, (seen + 39) / 40);

	assert_int_equal(call("GET", "/api/v1/admin/jobs?state=scheduled&offset=0&limit=5"), 200);
	assert_non_null(strstr(res.body, "\"state\":\"scheduled\""));
	char want[64];
	snprintf(want, sizeof(want), "\"total\":%ld", sql_long("SELECT count(*) FROM jobs WHERE state = 'scheduled'"));
	assert_non_null(strstr(res.body, want));
	assert_int_equal(call("GET", "/api/v1/admin/jobs?kind=library.scan"), 200);
	assert_non_null(strstr(res.body, "\"unique_key\":\"scan:lib1\""));
	assert_null(strstr(res.body, "\"kind\":\"noop\""));

	/* bad input names the parameter */
	assert_int_equal(call("GET", "/api/v1/admin/jobs?state=stuck"), 400);
	assert_non_null(strstr(res.body, "\"field\":\"state\""));
	assert_int_equal(call("GET", "/api/v1/admin/jobs?priority=urgent"), 400);
	assert_int_equal(call("GET", "/api/v1/admin/jobs?cursor=forged.cursor"), 400);
	assert_non_null(strstr(res.body, "\"field\":\"cursor\""));
	assert_int_equal(call("GET", "/api/v1/admin/jobs?limit=101"), 400);
	assert_int_equal(call("GET", "/api/v1/admin/jobs/abc"), 400);
	assert_non_null(strstr(res.body, "\"field\":\"id\""));
	assert_int_equal(call("GET", "/api/v1/admin/jobs/999999999"), 404);
}

static void stats_match_the_table(void **state)
{
	cJSON *body;

	(void)state;
	assert_int_equal(call("GET", "/api/v1/admin/jobs/stats"), 200);
	body = cJSON_Parse(res.body);
	const cJSON *bulk = cJSON_GetObjectItem(cJSON_GetObjectItem(body, "by_priority"), "bulk");
	assert_int_equal(cJSON_GetObjectItem(bulk, "available")->valueint,
			 sql_long("SELECT count(*) FROM jobs WHERE priority = 4 AND state = 'available'"));
	const cJSON *by_state = cJSON_GetObjectItem(body, "by_state");
	assert_int_equal(cJSON_GetObjectItem(by_state, "scheduled")->valueint,
			 sql_long("SELECT count(*) FROM jobs WHERE state = 'scheduled'"));
	assert_int_equal(cJSON_GetObjectItem(by_state, "completed")->valueint,
			 sql_long("SELECT count(*) FROM jobs WHERE state = 'completed'"));
	cJSON_Delete(body);

	/* /metrics carries the same depth */
	struct fcgi_response m;
	char want[96];
	assert_int_equal(fcgi_call(sock, "GET", "/metrics", NULL, NULL, &m), 0);
	snprintf(want, sizeof(want), "revenge_jobs{priority=\"bulk\",state=\"available\"} %ld\n",
		 sql_long("SELECT count(*) FROM jobs WHERE priority = 4 AND state = 'available'"));
	assert_non_null(strstr(m.body, want));
	/* the workers' counters and the enqueued approximation */
	sql("INSERT INTO job_counters (name, value) VALUES ('completed', 41), ('duration_ms', 2500)");
	assert_int_equal(fcgi_call(sock, "GET", "/metrics", NULL, NULL, &m), 0);
	assert_non_null(strstr(m.body, "\nrevenge_jobs_completed_total 41\n"));
	assert_non_null(strstr(m.body, "\nrevenge_jobs_duration_seconds_total 2.500\n"));
	snprintf(want, sizeof(want), "\nrevenge_jobs_enqueued_total %ld\n",
		 sql_long("SELECT last_value FROM jobs_id_seq"));
	assert_non_null(strstr(m.body, want));
}

static void retry_and_cancel(void **state)
{
	char uri[128], q[256];
	int64_t waiting = enqueue("noop", 2, NULL, 0), running = enqueue("noop", 2, NULL, 0),
		dead = enqueue("noop", 2, NULL, 0);

	(void)state;
	snprintf(q, sizeof(q), "UPDATE jobs SET state = 'running', locked_by = 'w1', attempt = 1 WHERE id = %lld",
		 (long long)running);
	sql(q);
	snprintf(q, sizeof(q), "UPDATE jobs SET state = 'discarded', attempt = 25, finalized_at = now(),"
			       " errors = '[{\"attempt\":25,\"error\":\"boom\"}]' WHERE id = %lld", (long long)dead);
	sql(q);

	/* detail carries the errors and the request id */
	snprintf(uri, sizeof(uri), "/api/v1/admin/jobs/%lld", (long long)dead);
	assert_int_equal(call("GET", uri), 200);
	cJSON *body = cJSON_Parse(res.body);
	const cJSON *err0 = cJSON_GetArrayItem(cJSON_GetObjectItem(body, "errors"), 0);
	assert_string_equal(cJSON_GetObjectItem(err0, "error")->valuestring, "boom");
	assert_string_equal(cJSON_GetObjectItem(body, "request_id")->valuestring, "rq-test");
	cJSON_Delete(body);

	/* cancel: a waiting job at once, a running one by request */
	snprintf(uri, sizeof(uri), "/api/v1/admin/jobs/%lld/cancel", (long long)waiting);
	assert_int_equal(call("POST", uri), 200);
	assert_non_null(strstr(res.body, "\"state\":\"cancelled\""));
	assert_int_equal(call("POST", uri), 409);
	assert_non_null(strstr(res.body, "\"field\":\"id\""));
	snprintf(uri, sizeof(uri), "/api/v1/admin/jobs/%lld/cancel", (long long)running);
	assert_int_equal(call("POST", uri), 200);
	assert_non_null(strstr(res.body, "\"state\":\"running\""));
	assert_non_null(strstr(res.body, "\"cancel_requested\":true"));

	/* retry: only discarded or cancelled */
	snprintf(uri, sizeof(uri), "/api/v1/admin/jobs/%lld/retry", (long long)running);
	assert_int_equal(call("POST", uri), 409);
	snprintf(uri, sizeof(uri), "/api/v1/admin/jobs/%lld/retry", (long long)dead);
	assert_int_equal(call("POST", uri), 200);
	assert_non_null(strstr(res.body, "\"state\":\"available\""));
	assert_non_null(strstr(res.body, "\"attempt\":0"));
	assert_int_equal(call("POST", "/api/v1/admin/jobs/999999999/retry"), 404);
	assert_int_equal(sql_long("SELECT count(*) FROM audit_log WHERE action IN ('admin.job.retry', 'admin.job.cancel')"), 3);
}

static int setup(void **state)
{
	struct fcgi_response r;
	(void)state;
	snprintf(db_url, sizeof(db_url), "%s", testenv_new_database(NULL));
	pg = testenv_connect(db_url);
	db = db_new(db_url, 5000, 0);
	arena = arena_new(65536, 64 << 20);
	testenv_write_config(conf, db_url, sock, "pool_size = 2\n" TESTENV_FAST_AUTH);
	server = server_start(conf, sock, log_path);
	if (server <= 0)
		return -1;
	if (fcgi_call(sock, "POST", "/api/v1/auth/register", NULL,
		      "{\"username\":\"jobadmin\",\"email\":\"jobs@example.com\",\"password\":\"jobs-password\"}",
		      &r) || r.status != 201)
		return -1;
	sql("INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r"
	    " WHERE u.username = 'jobadmin' AND r.name = 'admin'");
	if (fcgi_call(sock, "POST", "/api/v1/auth/login", NULL,
		      "{\"username\":\"jobadmin\",\"password\":\"jobs-password\"}", &r) || r.status != 200)
		return -1;
	const char *t = strstr(r.body, "\"access_token\":\"");
	snprintf(token, sizeof(token), "%.47s", t + 16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0)
		server_stop(server, 5000);
	db_free(db);
	arena_free(arena);
	PQfinish(pg);
	unlink(conf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enqueue_rules),
		cmocka_unit_test(list_filters_and_pages),
		cmocka_unit_test(stats_match_the_table),
		cmocka_unit_test(retry_and_cancel),
	};
	snprintf(conf, sizeof(conf), "/tmp/revenge-jobs-%d.conf", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/revenge-jobs-%d.sock", (int)getpid());
	snprintf(log_path, sizeof(log_path), "%s/log/test_jobs_api.log", testenv_stack_dir());
	return cmocka_run_group_tests(tests, setup, teardown);
}
