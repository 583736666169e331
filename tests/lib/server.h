/*
 * server: start and inspect a revenge-fcgi master from a test.
 */
#ifndef REVENGE_TESTS_SERVER_H
#define REVENGE_TESTS_SERVER_H

#include <sys/types.h>

/* Start build/revenge-fcgi --config conf; wait (≤5 s) for sock to accept.
 * Returns the master's pid or -1. stderr goes to log (NULL: inherit). */
pid_t server_start(const char *conf, const char *sock, const char *log);

/* SIGTERM and wait (≤ timeout_ms); returns the exit status, or -1 when it
 * had to be killed. */
int server_stop(pid_t pid, int timeout_ms);

/* Wait for the master to exit by itself (≤ timeout_ms): exit status or -1. */
int server_wait(pid_t pid, int timeout_ms);

/* The master's current children (from /proc); returns how many (≤ max). */
int server_children(pid_t pid, pid_t *out, int max);

/* Poll until the master has exactly n children (≤ timeout_ms); 0 or -1. */
int server_wait_children(pid_t pid, int n, int timeout_ms);

void sleep_ms(int ms);

#endif
