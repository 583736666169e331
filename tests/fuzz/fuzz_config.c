/*
 * libFuzzer target for the config file parser (config_load_text).
 *
 * Oracle beyond "no crash": an accepted file, dumped by config_dump, must
 * load again and give the same values (secrets aside, which are masked).
 * The library.allowed_roots list of an accepted file is checked as well.
 *
 * fuzz-sources: app/core app/library/roots.c
 * fuzz-seed: [library]\nallowed_roots = /srv/media, relative , ,/mnt/films/\n
 * fuzz-seed: [library]\nallowed_roots = ",,,/a,\\"b"\n[storage]\npath = /var/x\n
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "library/roots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_opt(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same(const struct config *a, const struct config *b)
{
	return same_opt(a->library_allowed_roots, b->library_allowed_roots) && strcmp(a->server_socket, b->server_socket) == 0 &&
	       strcmp(a->redis_prefix, b->redis_prefix) == 0 &&
	       a->server_socket_mode == b->server_socket_mode &&
	       a->server_backlog == b->server_backlog &&
	       a->server_pool_size == b->server_pool_size &&
	       a->server_max_requests == b->server_max_requests &&
	       a->server_drain_timeout == b->server_drain_timeout &&
	       a->server_max_body_size == b->server_max_body_size &&
	       a->server_request_memory == b->server_request_memory &&
	       a->database_connect_timeout == b->database_connect_timeout &&
	       a->database_statement_timeout == b->database_statement_timeout &&
	       a->redis_timeout == b->redis_timeout && a->log_level == b->log_level &&
	       a->log_format == b->log_format && a->metrics_enabled == b->metrics_enabled &&
	       a->worker_shutdown_timeout == b->worker_shutdown_timeout;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const noenv[] = {NULL};
	struct config a, b;
	struct buf err, dump;

	buf_init(&err, 1024);
	if (config_load_text(&a, (const char *)data, size, "fuzz", noenv, &err) != APP_OK) {
		buf_release(&err);
		return 0;
	}
	/* the library.allowed_roots list (library/roots.c) takes any value the
	 * table lets through */
	library_roots_config_check(&a, &err);
	buf_init(&dump, 1 << 16);
	config_dump(&a, &dump);
	if (!buf_ok(&dump) ||
	    config_load_text(&b, dump.data, dump.len, "dump", noenv, &err) != APP_OK)
		abort();
	if (!same(&a, &b))
		abort();
	config_release(&a);
	config_release(&b);
	buf_release(&dump);
	buf_release(&err);
	return 0;
}
