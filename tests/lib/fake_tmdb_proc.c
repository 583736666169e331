#include "fake_tmdb_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>

#include "server.h"
#include "testenv.h"

int fake_tmdb_start(struct fake_tmdb *f, const char *key, const char *log)
{
	const char *root = getenv("TEST_ROOT");
	char fixtures[1024], port_file[256], bin[512];
	const char *tmp = getenv("TMPDIR");

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "%s/fake_tmdb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(port_file, sizeof(port_file), "%s/port", f->dir);
	snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/tmdb", root ? root : ".");
	snprintf(bin, sizeof(bin), "%s", testenv_bin("tests/fake_tmdb"));
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		/* never the test's stdout: see server_start */
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (key)
			execl(bin, "fake_tmdb", "--fixtures", fixtures, "--port-file", port_file,
			      "--key", key, (char *)NULL);
		else
			execl(bin, "fake_tmdb", "--fixtures", fixtures, "--port-file", port_file,
			      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		FILE *pf = fopen(port_file, "r");
		if (pf) {
			int ok = fscanf(pf, "%d", &f->port) == 1 && f->port > 0;
			fclose(pf);
			if (ok) {
				snprintf(f->root, sizeof(f->root), "http://127.0.0.1:%d", f->port);
				snprintf(f->base_url, sizeof(f->base_url), "http://127.0.0.1:%d/3",
				         f->port);
				snprintf(f->image_base, sizeof(f->image_base),
				         "http://127.0.0.1:%d/t/p", f->port);
				return 0;
			}
		}
		if (waitpid(f->pid, NULL, WNOHANG) == f->pid) {
			f->pid = -1;
			break;
		}
		sleep_ms(50);
	}
	fake_tmdb_stop(f);
	return -1;
}

void fake_tmdb_stop(struct fake_tmdb *f)
{
	char path[256];

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		if (server_wait(f->pid, 2000) < 0) {
			kill(f->pid, SIGKILL);
			waitpid(f->pid, NULL, 0);
		}
	}
	f->pid = -1;
	if (f->dir[0]) {
		snprintf(path, sizeof(path), "%s/port", f->dir);
		unlink(path);
		rmdir(f->dir);
		f->dir[0] = '\0';
	}
}

struct reply {
	char *d;
	size_t n;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n;
	char *d;

	if (r->n + len > (16u << 20) || !(d = realloc(r->d, r->n + len + 1)))
		return 0;
	memcpy(d + r->n, p, len);
	r->n += len;
	d[r->n] = '\0';
	r->d = d;
	return len;
}

/* One request to a control endpoint; the body (malloc'd) in *body when not
 * NULL. 0 when it answered 200. */
static int control(struct fake_tmdb *f, bool post, const char *path_query, char **body)
{
	char url[1024];
	struct reply r = {NULL, 0};
	long status = 0;
	CURL *h = curl_easy_init();
	CURLcode rc;

	if (!h)
		return -1;
	snprintf(url, sizeof(url), "%s%s", f->root, path_query);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	if (post)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK || status != 200) {
		free(r.d);
		return -1;
	}
	if (body)
		*body = r.d ? r.d : strdup("");
	else
		free(r.d);
	return 0;
}

int fake_tmdb_fail(struct fake_tmdb *f, int status, int count, int retry_after, const char *prefix)
{
	char pq[512];

	snprintf(pq, sizeof(pq), "/__fail?status=%d&count=%d&retry_after=%d&prefix=%s", status,
	         count, retry_after, prefix ? prefix : "/");
	return control(f, true, pq, NULL);
}

int fake_tmdb_garbage(struct fake_tmdb *f, int count, const char *kind)
{
	char pq[128];

	snprintf(pq, sizeof(pq), "/__garbage?count=%d&kind=%s", count, kind);
	return control(f, true, pq, NULL);
}

int fake_tmdb_reset(struct fake_tmdb *f)
{
	return control(f, true, "/__reset", NULL);
}

cJSON *fake_tmdb_stats(struct fake_tmdb *f)
{
	char *body = NULL;
	cJSON *j;

	if (control(f, false, "/__stats", &body))
		return NULL;
	j = cJSON_Parse(body);
	free(body);
	return j;
}

long fake_tmdb_requests(struct fake_tmdb *f)
{
	cJSON *j = fake_tmdb_stats(f);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "requests");
	long v = cJSON_IsNumber(n) ? (long)n->valuedouble : -1;

	cJSON_Delete(j);
	return v;
}
