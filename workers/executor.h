/*
 * executor: the threads that claim and run jobs, grouped in pools
 * (executor.c; the shared state is in worker_int.h).
 */
#ifndef REVENGE_WORKERS_EXECUTOR_H
#define REVENGE_WORKERS_EXECUTOR_H

#include "worker_int.h"

/* Start one executor in pool p; 0, or -1 (logged) when out of memory or
 * threads. Call with w->mu held. */
int executor_start(struct worker *w, struct pool *p);

/* Free an executor whose thread has been joined. */
void executor_free(struct executor *ex);

/* A notification for priority prio (-1: all): the pools that take it
 * claim at once instead of at their next poll. Takes w->mu. */
void pool_wake(struct worker *w, int prio);

/* Hand every queued job of p back to the queue (a release through the
 * completer). [mu] */
void pool_release_queue(struct worker *w, struct pool *p);

/* The registry of held jobs. [mu] */
void held_add(struct worker *w, struct held *h);
/* Remove h when it is in the registry (a no-op otherwise). */
void held_remove(struct worker *w, struct held *h);
void held_free(struct held *h);

#endif
