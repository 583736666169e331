/*
 * revenge: the administration command line.
 *
 *   revenge [--config FILE] COMMAND [ARGS]
 *
 *   migrate          apply pending database migrations
 *   migrate status   show applied/pending migrations (exit 1 when pending)
 *   create-admin --username U --email E --password-stdin
 *                    create an administrator (password read from stdin)
 *   config check     print the effective configuration, secrets masked
 *   routes           print the route table (method, path, permission, name)
 *   version          print the version
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "users/user.h"
#include "core/config.h"
#include "core/log.h"
#include "db/migrate.h"
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
	      "  config check       print the effective configuration (secrets masked)\n"
	      "  routes             print the API route table\n"
	      "  version            print the version\n",
	      f);
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
	if ((e = user_check_username(username, &fe)) || (e = user_check_email(email, &fe)) ||
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

static int cmd_routes(void)
{
	for (size_t i = 0; i < app_routes_count; i++)
		printf("%-7s %-40s %-22s %s\n", http_method_name(app_routes[i].method),
		       app_routes[i].pattern, app_routes[i].permission, app_routes[i].name);
	return 0;
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
