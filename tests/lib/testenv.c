#include "testenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char url_buf[1024];

static const char *need(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "testenv: %s is not set; run the tests with tests/run.sh\n", name);
		exit(1);
	}
	return v;
}

const char *testenv_stack_dir(void)
{
	return need("STACK_DIR");
}

PGconn *testenv_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testenv: cannot connect to %s: %s\n", url, PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static const char *admin_url(void)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "postgresql:///postgres?host=%s&user=%s", need("PGHOST"),
		 need("PGUSER"));
	return buf;
}

const char *testenv_new_database(const char *template_name)
{
	static int seq;
	char sql[256], name[64];
	PGconn *c = testenv_connect(admin_url());
	PGresult *r;

	snprintf(name, sizeof(name), "t_%d_%d", (int)getpid(), ++seq);
	if (template_name)
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", name, template_name);
	else
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE revenge_template", name);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "testenv: %s: %s\n", sql, PQresultErrorMessage(r));
		exit(1);
	}
	PQclear(r);
	PQfinish(c);
	snprintf(url_buf, sizeof(url_buf), "postgresql:///%s?host=%s&user=%s", name,
		 need("PGHOST"), need("PGUSER"));
	return url_buf;
}

const char *testenv_redis_url(void)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "unix://%s", need("REDIS_SOCKET"));
	return buf;
}

int testenv_stack(const char *cmd)
{
	char line[1024];
	const char *root = getenv("TEST_ROOT");
	snprintf(line, sizeof(line), "%s/deploy/stack.sh %s %s >/dev/null", root ? root : ".", cmd,
		 testenv_stack_dir());
	return system(line);
}

void testenv_write_config(const char *path, const char *db_url, const char *sock,
			  const char *extra_server_lines)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f,
		"[database]\nurl = \"%s\"\n"
		"[redis]\nurl = \"%s\"\n"
		"[log]\nlevel = warn\nformat = logfmt\n"
		"[server]\nsocket = \"%s\"\nsocket_mode = 0600\n%s",
		db_url, testenv_redis_url(), sock, extra_server_lines ? extra_server_lines : "");
	fclose(f);
}

const char *testenv_bin(const char *name)
{
	static char buf[512];
	const char *b = getenv("TEST_BUILD_DIR");
	snprintf(buf, sizeof(buf), "%s/%s", b ? b : "build", name);
	return buf;
}

char *testenv_fixture(const char *rel)
{
	const char *root = getenv("TEST_ROOT");
	char path[4096];
	char *text = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", root ? root : ".", rel);
	if (!(f = fopen(path, "rb")))
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (text = malloc((size_t)n + 1)) && fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = 0;
	} else {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}
