/*
 * revenge-worker: the job daemon. This first version starts, checks its
 * configuration and the database, logs, and stops cleanly on SIGTERM/SIGINT;
 * the queue consumer arrives with the job-queue issue.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "version.h"

extern char **environ;

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

int main(int argc, char **argv)
{
	const char *path = config_path_from_env(environ);
	struct config cfg;
	struct buf err;
	struct sigaction sa;
	struct db *db;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--version")) {
			printf("revenge-worker %s\n", REVENGE_VERSION);
			return 0;
		} else {
			fprintf(stderr, "usage: revenge-worker [--config FILE] [--version]\n");
			return 2;
		}
	}
	buf_init(&err, 1024);
	if (config_load(&cfg, path, environ, &err) ||
	    (app_config_check(&cfg, &err) && (config_release(&cfg), 1))) {
		fprintf(stderr, "revenge-worker: configuration error: %s\n", err.data);
		buf_release(&err);
		return 78;
	}
	buf_release(&err);
	log_setup((enum log_level)cfg.log_level, (enum log_format)cfg.log_format, 2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	db = db_new(cfg.database_url, (int)cfg.database_connect_timeout,
		    (int)cfg.database_statement_timeout);
	log_info("worker.start", "revenge-worker %s started (pid %d)", REVENGE_VERSION,
		 (int)getpid());
	if (db && db_ensure(db) != APP_OK)
		log_warn("worker.db", "database not reachable yet; will retry");
	while (!stop) {
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
		if (reload) {
			reload = 0;
			log_info("worker.reload", "SIGHUP received; nothing to reload yet");
		}
	}
	log_info("worker.stop", "revenge-worker stopped cleanly");
	db_free(db);
	config_release(&cfg);
	return 0;
}
