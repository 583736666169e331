/*
 * revenge-fcgi: the FastCGI application server (master + pre-forked pool).
 *
 *   revenge-fcgi [--config FILE]
 *
 * The configuration file is --config, else $REVENGE_CONFIG, else
 * /etc/revenge/revenge.conf when it exists; REVENGE_* variables override it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "http/pool.h"
#include "version.h"

extern char **environ;

int main(int argc, char **argv)
{
	const char *path = config_path_from_env(environ);
	struct config cfg;
	struct buf err;
	int fd, owned = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "--version")) {
			printf("revenge-fcgi %s\n", REVENGE_VERSION);
			return 0;
		} else {
			fprintf(stderr, "usage: revenge-fcgi [--config FILE] [--version]\n");
			return 2;
		}
	}
	buf_init(&err, 1024);
	if (config_load(&cfg, path, environ, &err) ||
	    (app_config_check(&cfg, &err) && (config_release(&cfg), 1))) {
		fprintf(stderr, "revenge-fcgi: configuration error: %s\n", err.data);
		buf_release(&err);
		return 78; /* EX_CONFIG */
	}
	buf_release(&err);
	log_setup((enum log_level)cfg.log_level, (enum log_format)cfg.log_format, 2);
	if ((fd = pool_listen(&cfg, &owned)) < 0) {
		config_release(&cfg);
		return 1;
	}
	rc = pool_run(&cfg, path, fd);
	if (owned)
		unlink(cfg.server_socket);
	config_release(&cfg);
	return rc;
}
