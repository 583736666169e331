/*
 * testenv: what integration tests need from the throwaway stack started by
 * tests/run.sh (deploy/stack.sh env exports its coordinates).
 *
 * Every test binary works in its own database cloned from the migrated
 * template "revenge_template", so tests never see each other's rows.
 */
#ifndef REVENGE_TESTS_TESTENV_H
#define REVENGE_TESTS_TESTENV_H

#include <libpq-fe.h>

/* Config text for processes under test that log in a lot from one
 * address: cheap Argon2id and no rate limits (tests of those set their own). */
#define TESTENV_FAST_AUTH \
	"[auth]\nargon2_memory = 1m\nargon2_iterations = 1\n[ratelimit]\nenabled = false\n"

/* Stack directory (STACK_DIR); aborts the test run when unset. */
const char *testenv_stack_dir(void);

/* URL of a new database cloned from `template` (NULL: revenge_template);
 * the name is unique to this process and call. The string is static
 * storage valid until the next call. */
const char *testenv_new_database(const char *template_name);

/* URL of the stack's Redis ("unix:///…/redis.sock"). */
const char *testenv_redis_url(void);

/* Connect to url or abort. */
PGconn *testenv_connect(const char *url);

/* Run `deploy/stack.sh CMD STACK_DIR` (pg-stop, pg-start, pg-restart,
 * redis-stop, redis-start); returns its exit status. */
int testenv_stack(const char *cmd);

/* Write a revenge.conf for a process under test into path: the stack's
 * database (db_url) and Redis, a unix socket at sock, plus extra lines
 * appended verbatim (e.g. "[server]\npool_size = 2\n" — use the sections
 * already written: the file has [server] last so extra server keys can
 * follow directly). */
void testenv_write_config(const char *path, const char *db_url, const char *sock,
			  const char *extra_server_lines);

/* Path of a binary in the build directory (TEST_BUILD_DIR, default build). */
const char *testenv_bin(const char *name);

/* The whole of tests/fixtures/<rel> under TEST_ROOT, NUL-terminated
 * (malloc'd), or NULL when it cannot be read. */
char *testenv_fixture(const char *rel);

#endif
