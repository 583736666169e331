/*
 * pool: the pre-forking master of revenge-fcgi.
 *
 * The master owns the listening socket, the configuration and the shared
 * metrics region; it forks server.pool_size children, replaces a child that
 * dies (with a growing delay when children die straight after start, so a
 * broken deployment does not fork-bomb), and recycles a child that served
 * server.max_requests. Signals only set flags; the loop acts on them:
 *   SIGTERM/SIGINT  stop accepting, let children finish in-flight requests
 *                   for server.drain_timeout, then SIGKILL what is left
 *   SIGHUP          re-read the configuration; if valid, replace the
 *                   children one by one: a new child starts, then one old
 *                   child drains (bounded by server.drain_timeout, like on
 *                   SIGTERM), every 100 ms until all are new
 */
#ifndef REVENGE_HTTP_POOL_H
#define REVENGE_HTTP_POOL_H

#include "core/config.h"

/* Run the master until stopped; the pool owns listen_fd and closes it. cfg is owned by the pool from here on (it
 * is replaced on reload). config_path is re-read on SIGHUP (NULL: default
 * lookup). Returns the process exit status. */
int pool_run(struct config *cfg, const char *config_path, int listen_fd);

/* Open the listening socket: systemd's (LISTEN_FDS) when present, else
 * bind cfg->server_socket. Non-blocking, close-on-exec. -1 on error (logged).
 * *owned is set when we created a unix socket file (to unlink at exit). */
int pool_listen(const struct config *cfg, int *owned);

#endif
