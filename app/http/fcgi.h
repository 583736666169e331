/*
 * fcgi: the FastCGI side of one pool child.
 *
 * libfcgi parses the protocol; this file owns the connections. A child
 * polls the shared listening socket and every connection nginx keeps open to
 * it (fastcgi_keep_conn), so a kept-alive connection never pins a child
 * while requests queue elsewhere: whichever child is idle accepts new
 * connections, and a child serves its own kept connections in turn.
 *
 * Shutdown: when *stop becomes non-zero the child stops accepting, finishes
 * the request in hand, closes its kept connections and returns.
 */
#ifndef REVENGE_HTTP_FCGI_H
#define REVENGE_HTTP_FCGI_H

#include <signal.h>

struct app;

/* Serve until *stop or max_requests (0 = unlimited) requests were served.
 * Returns the number of requests served. listen_fd must be non-blocking.
 * When the limit is reached the child retires (it takes no new connection
 * and lets its kept ones go idle) and first writes its pid to retire_fd
 * (-1: none), so the master starts its replacement at once. */
long fcgi_child_serve(struct app *app, int listen_fd, volatile sig_atomic_t *stop,
		      long max_requests, int retire_fd);

#endif
