#include "s3_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int s3_proc_start(struct s3_proc *s, const char *bucket)
{
	const char *root = getenv("TEST_ROOT");
	char script[1024], line[512];
	int in[2], out[2];
	size_t got = 0;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(script, sizeof(script), "%s/tests/s3/server.mjs", root ? root : ".");
	snprintf(s->bucket, sizeof(s->bucket), "%s", bucket);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execlp("node", "node", script, bucket, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in_fd = in[1];
	if (s->pid < 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	for (long long end = now_ms() + 20000; got < sizeof(line) - 1 && now_ms() < end;) {
		struct pollfd p = {out[0], POLLIN, 0};
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(out[0], line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
		if (strchr(line, '\n'))
			break;
	}
	close(out[0]);
	line[got] = '\0';
	cJSON *j = strchr(line, '\n') ? cJSON_Parse(line) : NULL;
	const cJSON *p = cJSON_GetObjectItem(j, "port"), *q = cJSON_GetObjectItem(j, "s3rver");
	if (!cJSON_IsNumber(p) || !cJSON_IsNumber(q)) {
		cJSON_Delete(j);
		s3_proc_stop(s);
		return -1;
	}
	s->port = p->valueint;
	s->s3rver_port = q->valueint;
	snprintf(s->endpoint, sizeof(s->endpoint), "http://127.0.0.1:%d", s->port);
	cJSON_Delete(j);
	return 0;
}

void s3_proc_stop(struct s3_proc *s)
{
	int st;

	if (s->in_fd > 0)
		close(s->in_fd);
	s->in_fd = -1;
	if (s->pid <= 0)
		return;
	for (long long end = now_ms() + 5000; now_ms() < end;) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = -1;
			return;
		}
		struct timespec ts = {0, 50 * 1000000};
		nanosleep(&ts, NULL);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = -1;
}

struct sink {
	char *p;
	size_t n;
};

static size_t collect(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *k = ud;
	char *q = realloc(k->p, k->n + size * nmemb + 1);

	if (!q)
		return 0;
	memcpy(q + k->n, p, size * nmemb);
	k->p = q;
	k->n += size * nmemb;
	k->p[k->n] = '\0';
	return size * nmemb;
}

/* one plain request; the status, the body in *k */
static long call(const char *method, const char *url, struct sink *k, char *type, size_t cap)
{
	CURL *c = curl_easy_init();
	long st = -1;
	char *ct = NULL;

	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		if (type && cap && curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK)
			snprintf(type, cap, "%s", ct ? ct : "");
	}
	curl_easy_cleanup(c);
	return st;
}

int s3_proc_control(struct s3_proc *s, const char *what, int count)
{
	char url[256];
	struct sink k = {NULL, 0};
	long st;

	snprintf(url, sizeof(url), "%s/_control/%s?count=%d", s->endpoint, what, count);
	st = call("POST", url, &k, NULL, 0);
	free(k.p);
	return st == 200 ? 0 : -1;
}

int s3_proc_get(struct s3_proc *s, const char *key, char **data, size_t *len, char *type,
                size_t cap)
{
	char url[1024];
	struct sink k = {NULL, 0};
	long st;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s/%s", s->s3rver_port, s->bucket, key);
	st = call("GET", url, &k, type, cap);
	if (st == 200 && data) {
		*data = k.p ? k.p : strdup("");
		*len = k.n;
	} else {
		free(k.p);
	}
	return (int)st;
}

int s3_proc_count(struct s3_proc *s)
{
	char url[256];
	struct sink k = {NULL, 0};
	int n = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", s->s3rver_port, s->bucket);
	if (call("GET", url, &k, NULL, 0) != 200) {
		free(k.p);
		return -1;
	}
	for (const char *p = k.p; p && (p = strstr(p, "<Key>")); p += 5)
		n++;
	free(k.p);
	return n;
}
