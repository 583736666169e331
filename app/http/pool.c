#include "http/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "app.h"
#include "core/log.h"
#include "core/text.h"
#include "http/fcgi.h"

#define MAX_CHILDREN 1024
#define TICK_MS 100

/* child.retiring of a child that retired itself past server.max_requests
 * (it said so through the retire pipe): a recycle, not a reload's */
#define RETIRED_ITSELF 2

struct child {
	pid_t pid;
	int generation;
	int retiring;      /* SIGTERM sent as part of a reload or shutdown, or
			    * RETIRED_ITSELF */
	int64_t started_us;
	int64_t retired_us; /* when SIGTERM was sent; SIGKILL after the drain timeout */
};

static volatile sig_atomic_t got_term, got_hup, got_chld;
static volatile sig_atomic_t child_stop;

static void on_master_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static void on_child_term(int sig)
{
	(void)sig;
	child_stop = 1;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int listen_unix(const struct config *cfg, int *owned)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(cfg->server_socket) >= sizeof(sun.sun_path)) {
		log_error("fcgi.listen", "server.socket path is too long");
		return -1;
	}
	memcpy(sun.sun_path, cfg->server_socket, strlen(cfg->server_socket) + 1);
	/* a socket file left by a killed master would make bind fail */
	if (lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(sun.sun_path, (mode_t)cfg->server_socket_mode) < 0 ||
	    listen(fd, (int)cfg->server_backlog) < 0) {
		log_error("fcgi.listen", "cannot listen on %s: %s", cfg->server_socket,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*owned = 1;
	return fd;
}

static int listen_tcp(const struct config *cfg)
{
	char host[256];
	const char *colon = strrchr(cfg->server_socket, ':');
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1;
	size_t hl = colon ? (size_t)(colon - cfg->server_socket) : 0;

	if (!colon || hl == 0 || hl >= sizeof(host)) {
		log_error("fcgi.listen", "server.socket must be a path or host:port");
		return -1;
	}
	memcpy(host, cfg->server_socket, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai) {
		log_error("fcgi.listen", "cannot resolve %s", cfg->server_socket);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, (int)cfg->server_backlog) < 0) {
		log_error("fcgi.listen", "cannot listen on %s: %s", cfg->server_socket,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int pool_listen(const struct config *cfg, int *owned)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	int64_t n = 0, p = 0;
	int fd;

	*owned = 0;
	if (fds && pid && parse_int64(fds, 1, 64, &n) == 0 &&
	    parse_int64(pid, 1, INT32_MAX, &p) == 0 && p == getpid()) {
		fd = 3; /* SD_LISTEN_FDS_START */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		log_info("fcgi.listen", "using the socket passed by systemd");
	} else if (cfg->server_socket[0] == '/') {
		fd = listen_unix(cfg, owned);
	} else {
		fd = listen_tcp(cfg);
	}
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

struct pool {
	struct config *cfg;
	const char *config_path;
	int listen_fd;
	struct metrics *metrics;
	struct child children[MAX_CHILDREN];
	int generation;
	int stopping;
	int64_t drain_deadline_us;
	int64_t spawn_delay_us;  /* grows while children die young */
	int64_t next_spawn_us;
	int retire_pipe[2]; /* children past max_requests write their pid */
};

static int count_live(const struct pool *p, int current_only)
{
	int n = 0;
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (p->children[i].pid > 0 &&
		    (!current_only || (p->children[i].generation == p->generation &&
				       !p->children[i].retiring)))
			n++;
	return n;
}

static void child_main(struct pool *p)
{
	struct app app;
	sigset_t none;
	long served;
	int status = 0;

	/* SA_RESTART: a SIGTERM mid-request must not break libfcgi's reads and
	 * writes; poll() in the serve loop still returns EINTR and sees it. */
	set_handler(SIGTERM, on_child_term, SA_RESTART);
	set_handler(SIGINT, SIG_IGN, 0);
	set_handler(SIGHUP, SIG_IGN, 0);
	set_handler(SIGCHLD, SIG_DFL, 0);
	set_handler(SIGPIPE, SIG_IGN, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(0); /* the master died between fork and prctl */
	if (app_init(&app, p->cfg, p->metrics)) {
		log_error("fcgi.child", "child initialisation failed");
		_exit(3);
	}
	/* children started together would retire together: each takes its
	 * limit with up to half again (a limit under 100 is taken as it is, a
	 * test's) */
	long limit = (long)p->cfg->server_max_requests;
	if (limit >= 100)
		limit += (long)((unsigned)getpid() * 2654435761u % (unsigned)(limit / 2 + 1));
	close(p->retire_pipe[0]);
	served = fcgi_child_serve(&app, p->listen_fd, &child_stop, limit, p->retire_pipe[1]);
	log_debug("fcgi.child_exit", "served %ld requests", served);
	app_release(&app);
	/* exit status 0 tells the master this was an orderly recycle or stop */
	exit(status);
}

static void spawn(struct pool *p)
{
	int slot = -1;
	pid_t pid;

	for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
		if (p->children[i].pid == 0)
			slot = i;
	if (slot < 0)
		return;
	pid = fork();
	if (pid < 0) {
		log_error("fcgi.fork", "fork failed: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		child_main(p);
	p->children[slot] = (struct child){pid, p->generation, 0, now_mono_us(), 0};
	metrics_add(p->metrics, MC_CHILDREN_STARTED, 1);
}

static void reap(struct pool *p)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++) {
			struct child *c = &p->children[i];
			if (c->pid != pid)
				continue;
			int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			int64_t lived = now_mono_us() - c->started_us;
			if (clean) {
				if ((!c->retiring || c->retiring == RETIRED_ITSELF) && !p->stopping)
					metrics_add(p->metrics, MC_CHILDREN_RECYCLED, 1);
				p->spawn_delay_us = 0;
			} else {
				metrics_add(p->metrics, MC_CHILDREN_CRASHED, 1);
				if (WIFSIGNALED(status))
					log_warn("fcgi.child_died", "child %d killed by signal %d",
						 (int)pid, WTERMSIG(status));
				else
					log_warn("fcgi.child_died", "child %d exited with %d",
						 (int)pid, WEXITSTATUS(status));
				/* dying within a second of start: back off up to 5 s */
				if (lived < 1000000) {
					p->spawn_delay_us = p->spawn_delay_us
								    ? p->spawn_delay_us * 2
								    : 100000;
					if (p->spawn_delay_us > 5000000)
						p->spawn_delay_us = 5000000;
					p->next_spawn_us = now_mono_us() + p->spawn_delay_us;
				}
			}
			memset(c, 0, sizeof(*c));
		}
	}
}

/* Children that retired themselves (past server.max_requests) are no
 * longer counted, so the loop starts their replacements at once. */
static void read_retired(struct pool *p)
{
	pid_t pid;

	while (p->retire_pipe[0] >= 0 && read(p->retire_pipe[0], &pid, sizeof(pid)) == sizeof(pid))
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (p->children[i].pid == pid && !p->children[i].retiring)
				p->children[i].retiring = RETIRED_ITSELF; /* exits on its own: no deadline */
}

static void retire(struct child *c)
{
	kill(c->pid, SIGTERM);
	c->retiring = 1;
	c->retired_us = now_mono_us();
}

static void signal_children(struct pool *p, int sig)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &p->children[i];
		if (c->pid <= 0)
			continue;
		if (sig == SIGTERM)
			retire(c);
		else
			kill(c->pid, sig);
	}
}

/* Old-generation children still serving (not yet told to stop). */
static struct child *old_active(struct pool *p, int *count)
{
	struct child *first = NULL;

	*count = 0;
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &p->children[i];
		if (c->pid > 0 && c->generation != p->generation && !c->retiring) {
			(*count)++;
			if (!first)
				first = c;
		}
	}
	return first;
}

/* One step of a rolling replacement: a new child starts, then one old child
 * drains. The pool stays at its size (plus the one draining) throughout. */
static void roll(struct pool *p)
{
	int old;
	struct child *c = old_active(p, &old);

	if (!c)
		return;
	if (count_live(p, 1) + old <= p->cfg->server_pool_size)
		spawn(p);
	retire(c);
}

/* A child retired by a reload gets the same bounded drain as on SIGTERM. */
static void kill_overdue(struct pool *p, int64_t now)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &p->children[i];
		if (c->pid > 0 && c->retiring && c->retired_us &&
		    now - c->retired_us > p->cfg->server_drain_timeout * 1000) {
			kill(c->pid, SIGKILL);
			c->retired_us = 0;
		}
	}
}

/* One line of text for a STATUS= field (the notify protocol is line based). */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/* Re-read the configuration. Tells systemd (RELOADING=1, then READY=1):
 * a refused file is reported with STATUS= and ERRNO=, and the pool goes on
 * with the old configuration. */
static void reload(struct pool *p)
{
	struct config next;
	struct buf err;
	extern char **environ;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading the configuration",
		   (long long)now_mono_us());
	buf_init(&err, 1024);
	if (config_load(&next, p->config_path, environ, &err) ||
	    (app_config_check(&next, &err) && (config_release(&next), 1))) {
		log_error("fcgi.reload_failed", "configuration not reloaded: %s", err.data);
		if (err.data)
			one_line(err.data);
		sd_notifyf(0, "READY=1\nERRNO=%d\nSTATUS=reload refused, old configuration kept: %.200s",
			   EINVAL, err.data);
		buf_release(&err);
		return;
	}
	buf_release(&err);
	if (strcmp(next.server_socket, p->cfg->server_socket))
		log_warn("fcgi.reload", "server.socket changed; it takes effect on restart");
	config_release(p->cfg);
	*p->cfg = next;
	log_setup((enum log_level)p->cfg->log_level, (enum log_format)p->cfg->log_format, 2);
	/* the old generation is replaced child by child, one per tick (roll) */
	p->generation++;
	log_info("fcgi.reload", "configuration reloaded; generation %d with %lld children",
		 p->generation, (long long)p->cfg->server_pool_size);
	sd_notifyf(0, "READY=1\nSTATUS=serving with %lld children (generation %d)",
		   (long long)p->cfg->server_pool_size, p->generation);
}

int pool_run(struct config *cfg, const char *config_path, int listen_fd)
{
	static struct pool p; /* large; the master has exactly one */
	sigset_t block, orig;
	int64_t killed = 0, next_ping = 0;
	uint64_t watchdog_us = 0;
	int ready = 0;

	memset(&p, 0, sizeof(p));
	if (pipe2(p.retire_pipe, O_CLOEXEC | O_NONBLOCK)) {
		log_error("fcgi.start", "cannot make the retire pipe: %s", strerror(errno));
		return 1;
	}
	p.cfg = cfg;
	p.config_path = config_path;
	p.listen_fd = listen_fd;
	p.metrics = metrics_create(app_routes_count);
	if (!p.metrics) {
		log_error("fcgi.start", "cannot map the metrics region");
		return 1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	set_handler(SIGTERM, on_master_signal, 0);
	set_handler(SIGINT, on_master_signal, 0);
	set_handler(SIGHUP, on_master_signal, 0);
	set_handler(SIGCHLD, on_master_signal, SA_NOCLDSTOP);
	set_handler(SIGPIPE, SIG_IGN, 0);
	log_info("fcgi.start", "master %d starting %lld children on %s", (int)getpid(),
		 (long long)cfg->server_pool_size, cfg->server_socket);
	/* WatchdogSec=: pinged at half the interval, from this loop only, so a
	 * master stuck anywhere stops the pings and systemd restarts it */
	if (sd_watchdog_enabled(0, &watchdog_us) <= 0)
		watchdog_us = 0;

	for (;;) {
		struct timespec tick = {0, TICK_MS * 1000000L};
		int64_t now = now_mono_us();

		if (got_chld) {
			got_chld = 0;
			reap(&p);
		}
		read_retired(&p);
		if (got_term && !p.stopping) {
			p.stopping = 1;
			p.drain_deadline_us = now + p.cfg->server_drain_timeout * 1000;
			log_info("fcgi.stop", "draining %d children (deadline %lld ms)",
				 count_live(&p, 0), (long long)p.cfg->server_drain_timeout);
			sd_notify(0, "STOPPING=1\nSTATUS=draining");
			signal_children(&p, SIGTERM);
			/* with the children's copies, this closes the listener */
			if (p.listen_fd >= 0) {
				close(p.listen_fd);
				p.listen_fd = -1;
			}
		}
		if (got_hup && !p.stopping) {
			got_hup = 0;
			reload(&p);
		}
		if (p.stopping) {
			if (count_live(&p, 0) == 0)
				break;
			if (now >= p.drain_deadline_us && !killed) {
				log_warn("fcgi.stop", "drain deadline passed; killing %d children",
					 count_live(&p, 0));
				signal_children(&p, SIGKILL);
				killed = now;
			}
		} else if (now >= p.next_spawn_us) {
			int old;
			roll(&p);
			kill_overdue(&p, now);
			old_active(&p, &old);
			while (count_live(&p, 1) + old < p.cfg->server_pool_size &&
			       count_live(&p, 0) < MAX_CHILDREN) {
				spawn(&p);
				if (p.spawn_delay_us)
					break; /* one at a time while backing off */
			}
		}
		metrics_set_children(p.metrics, count_live(&p, 0));
		if (!ready && !p.stopping) {
			/* the socket is listening and the first children are forked */
			sd_notifyf(0, "READY=1\nMAINPID=%d\nSTATUS=serving with %lld children",
				   (int)getpid(), (long long)p.cfg->server_pool_size);
			ready = 1;
		}
		if (watchdog_us && now >= next_ping) {
			sd_notify(0, "WATCHDOG=1");
			next_ping = now + (int64_t)(watchdog_us / 2);
		}
		/* wait for a signal or the tick, with the signals unblocked only here */
		ppoll(NULL, 0, &tick, &orig);
	}
	log_info("fcgi.stop", "all children stopped");
	if (p.listen_fd >= 0)
		close(p.listen_fd);
	metrics_destroy(p.metrics);
	return 0;
}
