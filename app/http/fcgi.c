#include "http/fcgi.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <openssl/rand.h>

#include "app.h"
#include "core/log.h"
#include "core/text.h"
#include "http/dispatch.h"
#include "http/headers.h"
#include "http/router.h"

#define MAX_CONNS 64
#define POLL_MS 500
/* a peer that stops sending mid-request cannot pin a child for longer */
#define IO_TIMEOUT_S 30
/* a retiring child closes a kept connection idle this long, and exits at
 * the latest this long after it began retiring */
#define RETIRE_IDLE_MS 50
#define RETIRE_MS 10000

struct conn {
	FCGX_Request req;
	int active;
	int64_t last_us; /* when its last request was answered */
};

static int valid_request_id(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return 0;
	}
	return n >= 1 && n <= 64;
}

static const char *new_request_id(struct arena *a)
{
	unsigned char raw[16];
	char *out = arena_alloc(a, 33);

	if (!out)
		return "-";
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		memset(raw, 0, sizeof(raw));
	for (int i = 0; i < 16; i++) {
		out[2 * i] = "0123456789abcdef"[raw[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
	}
	out[32] = '\0';
	return out;
}

/* Split REQUEST_URI into path and query; a missing URI becomes "/". */
static void split_uri(struct request *r, const char *uri)
{
	const char *q;
	size_t len;

	if (!uri || *uri != '/')
		uri = "/";
	q = strchr(uri, '?');
	len = q ? (size_t)(q - uri) : strlen(uri);
	/* "/api/v1/x/" names the same resource as "/api/v1/x" */
	if (len > 1 && uri[len - 1] == '/')
		len--;
	r->path = arena_strndup(r->arena, uri, len);
	r->query = q ? q + 1 : "";
	if (!r->path)
		r->path = "/";
}

static bool plain_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* The FastCGI parameters with every header value (HTTP_*, CONTENT_TYPE)
 * cleaned by http_header_clean(), in the arena. This is the one place
 * header bytes enter the application, so nothing downstream (SQL, the
 * audit log, log lines) ever sees invalid UTF-8, control bytes or an
 * unbounded value. Entries that are already clean are shared, not copied.
 * NULL when the arena is exhausted. */
static char *const *clean_env(struct arena *a, char **envp)
{
	size_t n = 0;
	char **out;

	while (envp && envp[n])
		n++;
	if (!(out = arena_alloc(a, (n + 1) * sizeof(*out))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *e = envp[i], *eq = strchr(e, '=');
		out[i] = e;
		if (!eq || (strncmp(e, "HTTP_", 5) && strncmp(e, "CONTENT_TYPE=", 13)))
			continue;
		size_t name = (size_t)(eq - e), len = strlen(eq + 1);
		size_t cap = !strncmp(e, "HTTP_COOKIE=", 12) ? HTTP_COOKIE_MAX : HTTP_HEADER_MAX;
		if (len <= cap && plain_ascii(eq + 1, len))
			continue; /* the common case: nothing to clean */
		/* each bad byte may grow into three */
		size_t room = (len * 3 < cap ? len * 3 : cap) + 1;
		char *copy = arena_alloc(a, name + 1 + room);
		if (!copy)
			return NULL;
		memcpy(copy, e, name + 1);
		size_t got = http_header_clean(eq + 1, len, copy + name + 1, room);
		if (got != len || memcmp(copy + name + 1, eq + 1, len))
			out[i] = copy;
	}
	out[n] = NULL;
	return out;
}

static void write_response(FCGX_Request *fr, const struct request *req, struct response *res)
{
	struct buf head;

	buf_init(&head, 16384);
	buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n",
		   res->status, http_reason(res->status), res->content_type, res->body.len);
	buf_printf(&head, "X-Request-ID: %s\r\n", req->request_id);
	if (!strstr(res->headers.data, "Cache-Control:"))
		buf_puts(&head, "Cache-Control: no-store\r\n");
	buf_append(&head, res->headers.data, res->headers.len);
	buf_puts(&head, "\r\n");
	FCGX_PutStr(head.data, (int)head.len, fr->out);
	if (req->method != HTTP_HEAD && res->body.len)
		FCGX_PutStr(res->body.data, (int)res->body.len, fr->out);
	buf_release(&head);
}

/* Read the body announced by CONTENT_LENGTH. Over the limit nothing is
 * read: the caller answers 413 and closes the connection, since unread
 * stdin records would otherwise be left on a kept-alive connection. */
static enum app_err read_body(FCGX_Request *fr, struct request *req, int64_t max,
			      struct field_error *fe)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	int64_t len = 0;
	char *body;

	req->body = "";
	req->body_len = 0;
	if (!cl || !*cl)
		return APP_OK;
	if (parse_int64(cl, 0, INT64_MAX, &len) < 0)
		return field_fail(fe, APP_ERR_BAD_REQUEST, "Content-Length", "is not a number");
	if (len > max)
		return field_fail(fe, APP_ERR_TOO_LARGE, "body", "exceeds %lld bytes",
				  (long long)max);
	if (!(body = arena_alloc(req->arena, (size_t)len + 1)))
		return APP_ERR_NOMEM;
	for (int64_t got = 0; got < len;) {
		int n = FCGX_GetStr(body + got, (int)(len - got), fr->in);
		if (n <= 0)
			return field_fail(fe, APP_ERR_BAD_REQUEST, "body", "ended early");
		got += n;
	}
	body[len] = '\0';
	req->body = body;
	req->body_len = (size_t)len;
	return APP_OK;
}

/* The body limit of the route the request is for: server.max_body_size,
 * or more when that route declares it (an avatar upload). Matched on a
 * scratch copy so nothing is read for a body over the limit; the
 * dispatcher matches again and checks the same limit. */
static int64_t body_limit(struct app *app, const struct request *req)
{
	struct request scratch = *req;
	struct field_error fe = {{0}, {0}};
	int64_t max = app->cfg->server_max_body_size;
	int allow = 0;

	if (req->path && req->method &&
	    router_match(app->router, req->method, req->path, &scratch, &allow, &fe) ==
		ROUTE_FOUND &&
	    scratch.route->max_body > max)
		max = scratch.route->max_body;
	return max;
}

static void log_request(const struct request *req, int status, int64_t dur_us)
{
	char st[8], ms[24];
	struct log_field f[] = {
		{"method", req->method_name}, {"path", req->path},
		{"route", req->route ? req->route->name : NULL}, {"status", st},
		{"duration_ms", ms},          {"remote", req->remote_addr},
	};

	snprintf(st, sizeof(st), "%d", status);
	snprintf(ms, sizeof(ms), "%.3f", (double)dur_us / 1000.0);
	log_fields(status >= 500 ? LL_WARN : LL_INFO, "http.request", NULL, f,
		   sizeof(f) / sizeof(f[0]));
}

static void handle(struct app *app, FCGX_Request *fr, struct arena *arena)
{
	struct request req;
	struct response res;
	struct field_error fe = {{0}, {0}};
	const char *rid = FCGX_GetParam("HTTP_X_REQUEST_ID", fr->envp);
	enum app_err e;

	memset(&req, 0, sizeof(req));
	req.started_us = now_mono_us();
	req.arena = arena;
	req.env = clean_env(arena, fr->envp);
	req.route_index = -1;
	req.method_name = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	req.method = http_method_parse(req.method_name);
	if (!req.method_name)
		req.method_name = "-";
	req.remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	req.request_id = valid_request_id(rid) ? rid : new_request_id(arena);
	split_uri(&req, FCGX_GetParam("REQUEST_URI", fr->envp));
	log_set_request_id(req.request_id);

	http_response_init(&res, (size_t)app->cfg->server_request_memory);
	if (!req.env) {
		http_problem(&req, &res, APP_ERR_NOMEM, NULL, NULL);
	} else if ((e = read_body(fr, &req, body_limit(app, &req), &fe))) {
		fr->keepConnection = 0;
		http_problem(&req, &res, e, &fe, NULL);
	} else {
		db_start_work(app->db);
		http_dispatch(app, &req, &res);
	}
	write_response(fr, &req, &res);
	db_end_work(app->db);

	int64_t dur = now_mono_us() - req.started_us;
	metrics_observe(app->metrics, req.route_index, res.status, dur);
	log_request(&req, res.status, dur);
	app_flush_counters(app);
	http_response_release(&res);
	log_set_request_id(NULL);
	arena_reset(arena);
}

static void set_io_timeout(int fd)
{
	struct timeval tv = {IO_TIMEOUT_S, 0};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Read and answer one request on c. Returns 1 when a request was served. */
static int serve(struct app *app, struct conn *c, struct arena *arena)
{
	if (FCGX_Accept_r(&c->req) < 0) {
		/* the peer closed the kept connection (libfcgi closed it too) */
		c->active = 0;
		return 0;
	}
	handle(app, &c->req, arena);
	FCGX_Finish_r(&c->req);
	c->active = c->req.ipcFd >= 0;
	c->last_us = now_mono_us();
	return 1;
}

static struct conn *free_slot(struct conn *conns)
{
	for (int i = 0; i < MAX_CONNS; i++)
		if (!conns[i].active)
			return &conns[i];
	return NULL;
}

/* Stopping: connections already queued on the listener were sent by nginx
 * before the stop, so they are served, not reset; then this child lets go
 * of the listener. Once every child and the master have closed it, new
 * connections are refused at once (nginx answers 502 immediately, or tries
 * another pool host). */
static long drain_backlog(struct app *app, int listen_fd, struct conn *conns, struct arena *arena)
{
	long served = 0;
	int fd;

	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct conn *slot = free_slot(conns), spare;
		if (!slot) {
			memset(&spare, 0, sizeof(spare));
			slot = &spare;
		}
		set_io_timeout(fd);
		FCGX_InitRequest(&slot->req, listen_fd, 0);
		slot->req.ipcFd = fd;
		slot->req.keepConnection = 1;
		slot->active = 1;
		served += serve(app, slot, arena);
		if (slot == &spare && spare.active)
			FCGX_Free(&spare.req, 1);
	}
	close(listen_fd);
	return served;
}

long fcgi_child_serve(struct app *app, int listen_fd, volatile sig_atomic_t *stop,
		      long max_requests, int retire_fd)
{
	struct conn *conns = calloc(MAX_CONNS, sizeof(*conns));
	struct arena *arena = arena_new(64 * 1024, (size_t)app->cfg->server_request_memory);
	struct pollfd pfd[MAX_CONNS + 1];
	struct conn *owner[MAX_CONNS + 1];
	long served = 0;

	if (!conns || !arena) {
		free(conns);
		arena_free(arena);
		log_error("fcgi.oom", "cannot allocate the child's buffers");
		return 0;
	}
	FCGX_Init();
	int64_t retiring_since = 0;
	while (!*stop) {
		struct conn *slot = free_slot(conns);
		int n = 0, ready, kept = 0;

		/*
		 * Past max_requests the child retires: it takes no new connection,
		 * serves what nginx sends on the ones it has, and closes each once
		 * it has been idle for RETIRE_IDLE_MS; it exits when none is left.
		 * Closing a connection the moment its last answer went out would
		 * race the next request nginx sends on it, which nginx cannot retry
		 * for a POST (502); nginx reuses its most recently used kept
		 * connection first, and drops one it sees closed while idle, so an
		 * idle one is safe to close. Keeping every connection until nginx
		 * closed it (keepalive_requests, keepalive_timeout) held a pool slot
		 * for up to 30 s and stalled the pool when children retired together.
		 */
		if (max_requests && served >= max_requests && !retiring_since) {
			pid_t me = getpid();
			retiring_since = now_mono_us();
			/* the master starts a replacement now, not when this exits */
			if (retire_fd >= 0 && write(retire_fd, &me, sizeof(me)) != (ssize_t)sizeof(me))
				log_warn("fcgi.retire", "could not tell the master this child retires");
		}
		if (retiring_since) {
			int64_t now = now_mono_us();
			for (int i = 0; i < MAX_CONNS; i++)
				if (conns[i].active &&
				    now - conns[i].last_us > (int64_t)RETIRE_IDLE_MS * 1000) {
					FCGX_Free(&conns[i].req, 1);
					conns[i].active = 0;
				}
		}
		for (int i = 0; i < MAX_CONNS; i++)
			kept += conns[i].active;
		if (retiring_since &&
		    (!kept || now_mono_us() - retiring_since > (int64_t)RETIRE_MS * 1000))
			break;
		if (slot && !retiring_since) {
			pfd[n] = (struct pollfd){.fd = listen_fd, .events = POLLIN};
			owner[n++] = NULL;
		}
		for (int i = 0; i < MAX_CONNS; i++) {
			if (!conns[i].active)
				continue;
			pfd[n] = (struct pollfd){.fd = conns[i].req.ipcFd, .events = POLLIN};
			owner[n++] = &conns[i];
		}
		ready = poll(pfd, (nfds_t)n, retiring_since ? RETIRE_IDLE_MS : POLL_MS);
		if (ready <= 0)
			continue; /* timeout or EINTR: re-check *stop */
		for (int i = 0; i < n && !*stop; i++) {
			if (!pfd[i].revents)
				continue;
			if (owner[i]) {
				served += serve(app, owner[i], arena);
				continue;
			}
			int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue; /* another child won the race (EAGAIN) */
			set_io_timeout(fd);
			FCGX_InitRequest(&slot->req, listen_fd, 0);
			slot->req.ipcFd = fd;
			/* makes FCGX_Accept_r read from fd instead of accepting */
			slot->req.keepConnection = 1;
			slot->active = 1;
			slot->last_us = now_mono_us();
			served += serve(app, slot, arena);
		}
	}
	if (*stop)
		served += drain_backlog(app, listen_fd, conns, arena);
	/* last look at the kept connections: a request nginx sent just before
	 * the stop is answered rather than reset */
	for (int i = 0; i < MAX_CONNS; i++) {
		struct pollfd one = {.fd = conns[i].req.ipcFd, .events = POLLIN};
		if (conns[i].active && poll(&one, 1, 0) == 1 && (one.revents & POLLIN))
			served += serve(app, &conns[i], arena);
		if (conns[i].active)
			FCGX_Free(&conns[i].req, 1);
	}
	free(conns);
	arena_free(arena);
	return served;
}
