/*
 * identity: which worker this process is, across restarts.
 *
 * A worker's id (jobs.locked_by) is "host/slot:pid:random". The pair
 * host/slot is its identity: the lowest slot on this host (0, 1, …) whose
 * PostgreSQL advisory lock (CLAIM_IDENTITY_LOCK_CLASS, hashtext of
 * "host/slot") no live session holds. The lock is held on a connection of
 * its own for the life of the process, so two live workers never share an
 * identity, and a worker that restarts after a crash or a kill finds its
 * slot free again (its old session ended with it) and takes it.
 *
 * Whatever an earlier process of the same identity still holds is then
 * dead: identity_take releases those claims at once (claim_release_identity:
 * a claim that never started spends no attempt), instead of leaving them
 * for the leader's rescuer after the full lease.
 */
#ifndef REVENGE_WORKERS_IDENTITY_H
#define REVENGE_WORKERS_IDENTITY_H

#include <stddef.h>

struct identity;
struct worker;

/* Take the lowest free slot on a connection of the worker's settings and
 * set w->id; release the claims of the slot's earlier process (logged as
 * worker.released_at_start). When the database cannot be reached the id
 * is "host/-:pid:random" (no slot: nothing is released early, the leases
 * still rescue) and NULL is returned; the worker runs anyway. */
struct identity *identity_take(struct worker *w);

/* Every few seconds from the main loop: when the connection was replaced
 * (db reconnected) take the lock again; logs an error when another process
 * took the slot meanwhile. NULL is a no-op. */
void identity_check(struct identity *id);

/* Close the connection (the lock goes with it). NULL is a no-op. */
void identity_release(struct identity *id);

#endif
