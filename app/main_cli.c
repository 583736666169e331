/*
 * revenge: the administration command line.
 *
 *   revenge [--config FILE] COMMAND [ARGS]
 *
 *   migrate          apply pending database migrations
 *   migrate status   show applied/pending migrations (exit 1 when pending)
 *   create-admin --username U --email E --password-stdin
 *                    create an administrator (password read from stdin)
 *   enqueue KIND [--args JSON] [--priority P] [--count N] [--unique-key K] [--delay-ms MS]
 *                    add background jobs (N > 1: one statement)
 *   config check     print the effective configuration, secrets masked
 *   routes           print the route table (method, path, permission, name)
 *   parse NAME...    parse file names, one JSON object per line (no config
 *   parse --stdin    or database needed; --stdin reads names line by line)
 *   probe FILE...    probe media files with libavformat, one JSON object per
 *                    line (no config needed; exit 1 if any file failed)
 *   version          print the version
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "users/user.h"
#include "core/config.h"
#include "core/log.h"
#include "db/migrate.h"
#include "jobs/jobs.h"
#include "library/parse.h"
#include "library/probe.h"
#include "core/text.h"
#include "version.h"

extern char **environ;

static void usage(FILE *f)
{
	fputs("usage: revenge [--config FILE] COMMAND\n"
	      "commands:\n"
	      "  migrate            apply pending database migrations\n"
	      "  migrate status     show the schema state (exit 1 when migrations are pending)\n"
	      "  create-admin --username U --email E --password-stdin\n"
	      "                     create an administrator account\n"
	      "  enqueue KIND [--args JSON] [--priority critical|high|default|low|bulk]\n"
	      "          [--count N] [--unique-key K] [--delay-ms MS]   add background jobs\n"
	      "  config check       print the effective configuration (secrets masked)\n"
	      "  routes             print the API route table\n"
	      "  parse NAME...|--stdin   parse file names into JSON, one object per line\n"
	      "  probe FILE...      probe media files into JSON, one object per line\n"
	      "  version            print the version\n",
	      f);
}

/* The catalog keeps title keys for every configured metadata language
 * (docs/internals/catalog.md); a language new to it gets them here. */
static int catalog_languages(PGconn *conn, const char *languages)
{
	char arr[512];
	const char *p[1] = {arr};

	if (snprintf(arr, sizeof(arr), "{%s}", languages ? languages : "") >= (int)sizeof(arr))
		return 1;
	PGresult *r = PQexecParams(conn, "SELECT catalog_languages_sync($1::text[])", 1, NULL, p,
				   NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "revenge: migrate: catalog languages: %s", PQerrorMessage(conn));
	else if (strcmp(PQgetvalue(r, 0, 0), "0"))
		printf("catalog: title keys for %s new language(s)\n", PQgetvalue(r, 0, 0));
	PQclear(r);
	return ok ? 0 : 1;
}

static int cmd_migrate(const struct config *cfg, int status_only)
{
	struct db *db = db_new(cfg->database_url, (int)cfg->database_connect_timeout, 0);
	struct migrate_status st;
	struct buf err;
	PGconn *conn;
	enum app_err e;
	int rc = 0;

	if (!db)
		return 1;
	if (!(conn = db_conn(db))) {
		fprintf(stderr, "revenge: cannot connect to the database (database.url)\n");
		db_free(db);
		return 1;
	}
	buf_init(&err, 2048);
	e = status_only ? migrate_check(conn, migrations_builtin, migrations_builtin_count, &st, &err)
			: migrate_run(conn, migrations_builtin, migrations_builtin_count, &st, &err);
	if (e) {
		fprintf(stderr, "revenge: migrate: %s\n", err.data);
		rc = 1;
	} else if (status_only) {
		printf("schema version %d, %d pending of %zu\n", st.current, st.pending,
		       migrations_builtin_count);
		rc = st.pending ? 1 : 0;
	} else {
		printf("applied %d migration(s); schema version %d\n", st.applied_now, st.current);
		rc = catalog_languages(conn, cfg->metadata_languages);
	}
	buf_release(&err);
	db_free(db);
	return rc;
}

static int cmd_create_admin(const struct config *cfg, int argc, char **argv)
{
	const char *username = NULL, *email = NULL;
	char password[PASSWORD_MAX + 2], id[37];
	int from_stdin = 0, rc = 1;
	struct field_error fe = {{0}, {0}};
	struct app app;
	struct request req;
	size_t n;
	enum app_err e;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--username") && i + 1 < argc)
			username = argv[++i];
		else if (!strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else if (!strcmp(argv[i], "--password-stdin"))
			from_stdin = 1;
		else {
			fprintf(stderr, "revenge: create-admin: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!username || !email || !from_stdin) {
		fprintf(stderr, "usage: revenge create-admin --username U --email E --password-stdin\n");
		return 2;
	}
	n = fread(password, 1, sizeof(password) - 1, stdin);
	password[n] = '\0';
	while (n && (password[n - 1] == '\n' || password[n - 1] == '\r'))
		password[--n] = '\0';
	if ((e = user_check_username(username, "username", &fe)) ||
	    (e = user_check_email(email, "email", &fe)) ||
	    (e = user_check_password(password, "password", &fe))) {
		fprintf(stderr, "revenge: create-admin: %s %s\n", fe.field, fe.detail);
		return 1;
	}
	if (app_init(&app, cfg, NULL))
		return 1;
	memset(&req, 0, sizeof(req));
	req.app = &app;
	req.arena = arena_new(4096, 1 << 20);
	req.request_id = "cli";
	if (db_begin(app.db) == APP_OK &&
	    !(e = user_create(&app, req.arena, username, email, password, NULL, "admin", id, &fe))) {
		struct audit_entry a = {id, "admin.user.create", "user", id, true, NULL, NULL,
					"{\"source\":\"cli\",\"role\":\"admin\"}"};
		if (!(e = audit_write(&req, &a)) && !(e = db_commit(app.db))) {
			printf("created administrator %s (%s)\n", username, id);
			rc = 0;
		}
	}
	if (rc) {
		db_rollback(app.db);
		fprintf(stderr, "revenge: create-admin: %s%s%s\n", fe.field,
			fe.field[0] ? " " : "", fe.detail[0] ? fe.detail : app_err_title(e));
	}
	memset(password, 0, sizeof(password));
	arena_free(req.arena);
	app_release(&app);
	return rc;
}

static int cmd_enqueue(const struct config *cfg, int argc, char **argv)
{
	struct job_spec spec = {.priority = JOB_DEFAULT};
	int64_t count = 1, delay = 0, id = 0;
	struct db *db;
	struct arena *a;
	bool dup = false;
	enum app_err e;
	int rc = 1;

	if (argc < 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: revenge enqueue KIND [--args JSON] [--priority P] [--count N]\n");
		return 2;
	}
	spec.kind = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "revenge: enqueue: %s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "--args")) {
			spec.args = v;
		} else if (!strcmp(argv[i], "--priority")) {
			if ((spec.priority = job_priority_parse(v)) < 0) {
				fprintf(stderr, "revenge: enqueue: --priority must be critical, high, "
						"default, low or bulk\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--count")) {
			if (parse_int64(v, 1, 10000000, &count) < 0) {
				fprintf(stderr, "revenge: enqueue: --count must be 1 to 10000000\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--unique-key")) {
			spec.unique_key = v;
		} else if (!strcmp(argv[i], "--delay-ms")) {
			if (parse_int64(v, 0, 366LL * 86400 * 1000, &delay) < 0) {
				fprintf(stderr, "revenge: enqueue: --delay-ms must be a number of ms\n");
				return 2;
			}
			spec.delay_ms = delay;
		} else {
			fprintf(stderr, "revenge: enqueue: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
		i++;
	}
	if (count > 1 && spec.unique_key) {
		fprintf(stderr, "revenge: enqueue: --unique-key names one job; drop --count\n");
		return 2;
	}
	spec.request_id = "cli";
	db = db_new(cfg->database_url, (int)cfg->database_connect_timeout, 0);
	a = arena_new(64 * 1024, (size_t)2 << 30);
	if (!db || !a)
		goto out;
	int64_t t0 = now_mono_us();
	if (count == 1) {
		e = job_enqueue(db, a, &spec, &id, &dup);
	} else {
		/* one statement per 50 000 jobs keeps each array literal modest */
		const int64_t chunk = 50000;
		struct job_spec *specs = calloc((size_t)(count < chunk ? count : chunk), sizeof(*specs));
		e = specs ? db_begin(db) : APP_ERR_NOMEM;
		for (int64_t done = 0; !e && done < count; done += chunk) {
			int64_t n = count - done < chunk ? count - done : chunk, first = 0;
			for (int64_t k = 0; k < n; k++)
				specs[k] = spec;
			e = job_enqueue_bulk(db, a, specs, (size_t)n, &first);
			if (!done)
				id = first;
			arena_reset(a);
		}
		e = e ? e : db_commit(db);
		if (e)
			db_rollback(db);
		free(specs);
	}
	if (e) {
		fprintf(stderr, "revenge: enqueue: %s\n",
			e == APP_ERR_VALIDATION ? "invalid kind, priority or --args (a JSON object)"
						: app_err_title(e));
		goto out;
	}
	double secs = (double)(now_mono_us() - t0) / 1e6;
	if (dup)
		printf("job %lld already queued under that unique key\n", (long long)id);
	else if (count == 1)
		printf("enqueued job %lld (%s, %s)\n", (long long)id, spec.kind,
		       job_priority_name(spec.priority));
	else
		printf("enqueued %lld %s jobs from id %lld in %.3f s (%.0f jobs/s)\n", (long long)count,
		       spec.kind, (long long)id, secs, secs > 0 ? (double)count / secs : 0.0);
	rc = 0;
out:
	arena_free(a);
	db_free(db);
	return rc;
}

static int cmd_routes(void)
{
	for (size_t i = 0; i < app_routes_count; i++)
		printf("%-7s %-40s %-22s %s\n", http_method_name(app_routes[i].method),
		       app_routes[i].pattern, app_routes[i].permission, app_routes[i].name);
	return 0;
}

static void parse_print(const char *name, struct buf *out)
{
	struct parsed_name p;
	struct jw w;

	buf_reset(out);
	jw_init(&w, out);
	name_parse(name, &p);
	name_parse_json(&p, &w);
	if (buf_ok(out)) {
		fwrite(out->data, 1, out->len, stdout);
		fputc('\n', stdout);
	}
}

static int cmd_parse(int argc, char **argv)
{
	struct buf out;
	int rc = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: revenge parse NAME... | revenge parse --stdin\n");
		return 2;
	}
	buf_init(&out, 64 * 1024);
	if (argc == 1 && !strcmp(argv[0], "--stdin")) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, stdin)) >= 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			parse_print(line, &out);
		}
		free(line);
	} else {
		for (int i = 0; i < argc; i++)
			parse_print(argv[i], &out);
	}
	if (fflush(stdout))
		rc = 1;
	buf_release(&out);
	return rc;
}

/* One line per file: the probe result, or {"file", "error"} for a failure. */
static int cmd_probe(int argc, char **argv)
{
	struct probe_result p;
	char err[128];
	struct buf out;
	struct jw w;
	int rc = 0;

	if (argc < 1) {
		fprintf(stderr, "usage: revenge probe FILE...\n");
		return 2;
	}
	buf_init(&out, 64 * 1024);
	for (int i = 0; i < argc; i++) {
		buf_reset(&out);
		jw_init(&w, &out);
		if (probe_file(argv[i], &p, err, sizeof(err)) == APP_OK) {
			probe_json(&p, &w);
		} else {
			jw_obj_open(&w);
			jw_key(&w, "file");
			jw_str(&w, argv[i]);
			jw_key(&w, "error");
			jw_str(&w, err);
			jw_obj_close(&w);
			rc = 1;
		}
		if (buf_ok(&out)) {
			fwrite(out.data, 1, out.len, stdout);
			fputc('\n', stdout);
		} else {
			rc = 1;
		}
	}
	if (fflush(stdout))
		rc = 1;
	buf_release(&out);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = config_path_from_env(environ);
	struct config cfg;
	struct buf err;
	int i = 1, rc;

	if (i + 1 < argc && !strcmp(argv[i], "--config")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "version") || !strcmp(argv[i], "--version")) {
		printf("revenge %s\n", REVENGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "routes"))
		return cmd_routes();
	if (!strcmp(argv[i], "parse"))
		return cmd_parse(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "probe"))
		return cmd_probe(argc - i - 1, argv + i + 1);
	buf_init(&err, 1024);
	if (config_load(&cfg, path, environ, &err) ||
	    (app_config_check(&cfg, &err) && (config_release(&cfg), 1))) {
		fprintf(stderr, "revenge: configuration error: %s\n", err.data);
		buf_release(&err);
		return 78;
	}
	buf_release(&err);
	log_setup((enum log_level)cfg.log_level, (enum log_format)cfg.log_format, 2);
	if (!strcmp(argv[i], "migrate") && (i + 1 == argc || !strcmp(argv[i + 1], "status"))) {
		rc = cmd_migrate(&cfg, i + 1 < argc);
	} else if (!strcmp(argv[i], "enqueue")) {
		rc = cmd_enqueue(&cfg, argc - i - 1, argv + i + 1);
	} else if (!strcmp(argv[i], "create-admin")) {
		rc = cmd_create_admin(&cfg, argc - i - 1, argv + i + 1);
	} else if (!strcmp(argv[i], "config") && i + 1 < argc && !strcmp(argv[i + 1], "check")) {
		struct buf out;
		buf_init(&out, 1 << 20);
		config_dump(&cfg, &out);
		fputs(out.data, stdout);
		fputs("# configuration OK\n", stdout);
		buf_release(&out);
		rc = 0;
	} else {
		fprintf(stderr, "revenge: unknown command '%s'\n", argv[i]);
		usage(stderr);
		rc = 2;
	}
	config_release(&cfg);
	return rc;
}
