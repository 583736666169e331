/*
 * s3_proc: run tests/s3/server.mjs (s3rver, a real S3-compatible server,
 * behind a front proxy that can fail on demand) from a test.
 */
#ifndef REVENGE_TESTS_S3_PROC_H
#define REVENGE_TESTS_S3_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct s3_proc {
	pid_t pid;
	int in_fd;         /* its stdin: closing it stops the server */
	int port;          /* the front proxy: what storage.s3_endpoint names */
	int s3rver_port;   /* s3rver itself, bypassing the proxy */
	char endpoint[64]; /* http://127.0.0.1:PORT */
	char bucket[64];
};

/* Start node tests/s3/server.mjs BUCKET (TEST_ROOT; needs tests/s3/
 * node_modules: `make tests/s3/node_modules/.package-lock.json`) and wait
 * (≤ 20 s) for its line. 0, or -1 with nothing left running. */
int s3_proc_start(struct s3_proc *s, const char *bucket);

/* Close its stdin, wait (≤ 5 s, then SIGKILL). */
void s3_proc_stop(struct s3_proc *s);

/* POST /_control/<what>?count=N ("cut", "fail", "reset"). 0 or -1. */
int s3_proc_control(struct s3_proc *s, const char *what, int count);

/* An anonymous GET of bucket/key straight from s3rver: the status; with
 * 200, the body (malloc'd, *len bytes) in *data and the Content-Type in
 * type (cap bytes). */
int s3_proc_get(struct s3_proc *s, const char *key, char **data, size_t *len, char *type,
                size_t cap);

/* Keys in the bucket (ListObjects, s3rver directly), or -1. */
int s3_proc_count(struct s3_proc *s);

#endif
