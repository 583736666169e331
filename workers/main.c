/*
 * revenge-worker: the job daemon (workers/worker.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "version.h"
#include "worker.h"

extern char **environ;

int main(int argc, char **argv)
{
	const char *path = config_path_from_env(environ);

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
	return worker_run(path);
}
