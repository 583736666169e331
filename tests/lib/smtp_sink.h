/*
 * smtp_sink: a real SMTP server for integration tests — tests/lib/
 * smtp_sink.py (Debian's python3-aiosmtpd) started as a child process on
 * a port chosen at run time, keeping every message in a Maildir.
 */
#ifndef REVENGE_TESTS_SMTP_SINK_H
#define REVENGE_TESTS_SMTP_SINK_H

#include <stdbool.h>
#include <sys/types.h>

/* A TCP port on 127.0.0.1 free right now (-1 when none could be had). */
int test_free_port(void);

/* Start the sink on port, storing into maildir; with cert and key it
 * requires STARTTLS, with user and password (cert and key given) AUTH too
 * (NULL: not). Its output goes to log (NULL: inherited). Waits (≤ 10 s)
 * until it accepts; its pid, or -1. */
pid_t smtp_sink_start(int port, const char *maildir, const char *cert, const char *key,
                      const char *user, const char *password, const char *log);

/* SIGTERM and reap (pid ≤ 0: nothing). */
void smtp_sink_stop(pid_t pid);

/* The messages in maildir/new, concatenated with LF line ends and a line
 * "=====" after each (malloc'd), and how many there are. */
char *smtp_mailbox(const char *maildir, int *count);

/* Remove every message of maildir. */
void smtp_mailbox_clear(const char *maildir);

#endif
