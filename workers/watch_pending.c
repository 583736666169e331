#include "watch_pending.h"

#include <stdlib.h>
#include <string.h>

void watch_pending_init(struct watch_pending *p, size_t max, int64_t quiet_us, int64_t max_wait_us)
{
	memset(p, 0, sizeof(*p));
	p->max = max ? max : 1;
	p->quiet_us = quiet_us;
	p->max_wait_us = max_wait_us > quiet_us ? max_wait_us : quiet_us;
}

void watch_pending_release(struct watch_pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

/* Whether path is anc itself or lies below it. */
static bool within(const char *path, const char *anc)
{
	size_t n = strlen(anc);

	return !strncmp(path, anc, n) && (path[n] == '\0' || path[n] == '/');
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t due_at(const struct watch_pending *p, const struct watch_pending_entry *e)
{
	return max64(e->not_before_us,
	             min64(e->last_us + p->quiet_us, e->first_us + p->max_wait_us));
}

static void remove_at(struct watch_pending *p, size_t i)
{
	p->v[i] = p->v[--p->n];
}

/* Fold e's times into into. */
static void fold(struct watch_pending_entry *into, const struct watch_pending_entry *e)
{
	into->first_us = min64(into->first_us, e->first_us);
	into->last_us = max64(into->last_us, e->last_us);
	into->not_before_us = max64(into->not_before_us, e->not_before_us);
}

/* Insert e (path owned) or fold it into what is there. */
static enum watch_pending_add insert(struct watch_pending *p, struct watch_pending_entry *e)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].lib == e->lib && within(e->path, p->v[i].path)) {
			fold(&p->v[i], e);
			free(e->path);
			return WP_MERGED;
		}
	/* the new folder covers pending ones below it: they become it */
	for (size_t i = 0; i < p->n;)
		if (p->v[i].lib == e->lib && within(p->v[i].path, e->path)) {
			fold(e, &p->v[i]);
			free(p->v[i].path);
			remove_at(p, i);
		} else {
			i++;
		}
	if (p->n == p->max) {
		free(e->path);
		return WP_FULL;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		if (cap > p->max)
			cap = p->max;
		struct watch_pending_entry *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			free(e->path);
			return WP_NOMEM;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *e;
	return WP_ADDED;
}

enum watch_pending_add watch_pending_add(struct watch_pending *p, int lib, const char *path,
                                         int64_t now_us)
{
	struct watch_pending_entry e = {.lib = lib, .first_us = now_us, .last_us = now_us};

	if (!(e.path = strdup(path)))
		return WP_NOMEM;
	return insert(p, &e);
}

int64_t watch_pending_next(const struct watch_pending *p)
{
	int64_t next = INT64_MAX;

	for (size_t i = 0; i < p->n; i++)
		next = min64(next, due_at(p, &p->v[i]));
	return next;
}

bool watch_pending_take(struct watch_pending *p, int64_t now_us, struct watch_pending_entry *out)
{
	for (size_t i = 0; i < p->n; i++)
		if (due_at(p, &p->v[i]) <= now_us) {
			*out = p->v[i];
			remove_at(p, i);
			return true;
		}
	return false;
}

void watch_pending_defer(struct watch_pending *p, struct watch_pending_entry *e, int64_t retry_us)
{
	e->not_before_us = retry_us;
	(void)insert(p, e);
}

void watch_pending_drop_lib(struct watch_pending *p, int lib)
{
	for (size_t i = 0; i < p->n;)
		if (p->v[i].lib == lib) {
			free(p->v[i].path);
			remove_at(p, i);
		} else {
			i++;
		}
}
