#include "watch_tree.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "library/scan.h"
#include "watch_fs.h"

/* Watches by descriptor: open addressing with linear probing and
 * backward-shift deletion (no tombstones, so a long-lived instance that
 * adds and removes watches does not slow down). */
struct watch_tree {
	int fd;
	int64_t max; /* < 0: none of our own */
	struct watch_dir *slots;
	size_t nslots; /* a power of two */
	size_t n;
};

static size_t home(const struct watch_tree *t, int wd)
{
	return ((uint32_t)wd * 2654435761u) & (t->nslots - 1);
}

static struct watch_dir *slot_of(const struct watch_tree *t, int wd)
{
	for (size_t i = home(t, wd);; i = (i + 1) & (t->nslots - 1)) {
		if (!t->slots[i].path)
			return NULL;
		if (t->slots[i].wd == wd)
			return &t->slots[i];
	}
}

static int grow(struct watch_tree *t)
{
	size_t old_n = t->nslots;
	struct watch_dir *old = t->slots;
	size_t nslots = old_n ? old_n * 2 : 64;
	struct watch_dir *s = calloc(nslots, sizeof(*s));

	if (!s)
		return -1;
	t->slots = s;
	t->nslots = nslots;
	for (size_t i = 0; i < old_n; i++) {
		if (!old[i].path)
			continue;
		size_t k = home(t, old[i].wd);
		while (t->slots[k].path)
			k = (k + 1) & (nslots - 1);
		t->slots[k] = old[i];
	}
	free(old);
	return 0;
}

static int put(struct watch_tree *t, int wd, int lib, const char *path)
{
	char *p;

	if ((t->n + 1) * 4 > t->nslots * 3 && grow(t))
		return -1;
	if (!(p = strdup(path)))
		return -1;
	size_t k = home(t, wd);
	while (t->slots[k].path)
		k = (k + 1) & (t->nslots - 1);
	t->slots[k] = (struct watch_dir){.wd = wd, .lib = lib, .path = p};
	t->n++;
	return 0;
}

/* Empty slot i, moving later entries of its probe run back into it. */
static void delete_at(struct watch_tree *t, size_t i)
{
	size_t mask = t->nslots - 1;

	free(t->slots[i].path);
	for (size_t j = (i + 1) & mask; t->slots[j].path; j = (j + 1) & mask) {
		size_t k = home(t, t->slots[j].wd);
		/* j's entry may move to i when its home is not in (i, j] */
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
		if (stays)
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i] = (struct watch_dir){0};
	t->n--;
}

struct watch_tree *watch_tree_new(int64_t max_watches)
{
	struct watch_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max_watches;
	if (grow(t) || (t->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		int e = errno;
		free(t->slots);
		free(t);
		errno = e;
		return NULL;
	}
	return t;
}

void watch_tree_free(struct watch_tree *t)
{
	if (!t)
		return;
	close(t->fd);
	for (size_t i = 0; i < t->nslots; i++)
		free(t->slots[i].path);
	free(t->slots);
	free(t);
}

int watch_tree_fd(const struct watch_tree *t)
{
	return t->fd;
}

const struct watch_dir *watch_tree_find(const struct watch_tree *t, int wd)
{
	return slot_of(t, wd);
}

void watch_tree_forget(struct watch_tree *t, int wd)
{
	struct watch_dir *d = slot_of(t, wd);

	if (d)
		delete_at(t, (size_t)(d - t->slots));
}

/* Whether path is dir or lies below it. */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

void watch_tree_remove_under(struct watch_tree *t, int lib, const char *path)
{
	char own[PATH_MAX];

	/* path may be a watch's own (freed below): compare against a copy */
	if (path) {
		if (strlen(path) >= sizeof(own))
			return; /* no watch has so long a path */
		memcpy(own, path, strlen(path) + 1);
		path = own;
	}
	for (size_t i = 0; i < t->nslots;) {
		struct watch_dir *d = &t->slots[i];
		if (d->path && d->lib == lib && (!path || within(d->path, path))) {
			inotify_rm_watch(t->fd, d->wd);
			/* the deletion may move a later entry into slot i */
			delete_at(t, i);
			continue;
		}
		i++;
	}
}

void watch_tree_remove_lib(struct watch_tree *t, int lib)
{
	watch_tree_remove_under(t, lib, NULL);
}

size_t watch_tree_count(const struct watch_tree *t)
{
	return t->n;
}

size_t watch_tree_count_lib(const struct watch_tree *t, int lib)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nslots; i++)
		n += t->slots[i].path && t->slots[i].lib == lib;
	return n;
}

struct walk {
	struct watch_tree *t;
	int lib;
	watch_tree_remote_fn on_remote;
	void *arg;
};

/* Watch one directory; recurse into its subdirectories. */
static enum watch_tree_add add_dir(struct walk *w, const char *dir, dev_t dev, int depth)
{
	struct watch_tree *t = w->t;
	DIR *d;
	struct dirent *de;
	enum watch_tree_add r = WATCH_TREE_OK;

	if (t->max >= 0 && (int64_t)t->n >= t->max)
		return WATCH_TREE_LIMIT;
	/* a root may be a symlink to its folder (the scan follows it too);
	 * below it links are never followed */
	uint32_t mask = depth ? WATCH_TREE_MASK : WATCH_TREE_MASK & ~(uint32_t)IN_DONT_FOLLOW;
	int wd = inotify_add_watch(t->fd, dir, mask);
	const struct watch_dir *known = wd >= 0 ? slot_of(t, wd) : NULL;
	if (known && within(dir, known->path)) {
		/* the folder we are in, met again below itself (a bind mount
		 * of a parent): a loop, not walked */
		return WATCH_TREE_OK;
	}
	if (known && strcmp(known->path, dir) != 0) {
		/* a watched directory that moved here unseen (from another
		 * library, or while events were lost): its old watches name
		 * the old paths; drop them and watch it afresh */
		watch_tree_remove_under(t, known->lib, known->path);
		wd = inotify_add_watch(t->fd, dir, mask);
		known = NULL;
	}
	if (wd < 0) {
		if (errno == ENOSPC)
			return WATCH_TREE_LIMIT;
		if (errno == ENOMEM)
			return WATCH_TREE_ERROR;
		/* gone meanwhile, not a directory, no permission: the scan says
		 * so on its own */
		log_debug("watcher.skip", "%s: %s", dir, strerror(errno));
		return WATCH_TREE_GONE;
	}
	if (known) {
		/* the same directory reached again under the same path: its
		 * watches are in place */
		return WATCH_TREE_OK;
	}
	if (put(t, wd, w->lib, dir)) {
		inotify_rm_watch(t->fd, wd);
		return WATCH_TREE_ERROR;
	}
	if (depth >= WATCH_TREE_MAX_DEPTH || !(d = opendir(dir)))
		return WATCH_TREE_OK;
	while (r != WATCH_TREE_LIMIT && r != WATCH_TREE_ERROR && (de = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;
		const char *name = de->d_name;
		int n;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (!strcmp(name, ".") || !strcmp(name, "..") || scan_skip_dir(name) ||
		    !utf8_valid(name, strlen(name)) || has_control(name, strlen(name)))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &sb) || !S_ISDIR(sb.st_mode))
			continue;
		if (sb.st_dev != dev) {
			const char *fs = watch_fs_remote_path(path);
			if (fs) {
				if (w->on_remote)
					w->on_remote(w->arg, w->lib, path, fs);
				continue;
			}
		}
		enum watch_tree_add sub = add_dir(w, path, sb.st_dev, depth + 1);
		if (sub == WATCH_TREE_LIMIT || sub == WATCH_TREE_ERROR)
			r = sub;
	}
	closedir(d);
	return r;
}

enum watch_tree_add watch_tree_add(struct watch_tree *t, int lib, const char *dir, int depth,
                                   watch_tree_remote_fn on_remote, void *arg)
{
	struct walk w = {.t = t, .lib = lib, .on_remote = on_remote, .arg = arg};
	struct stat sb;

	if ((depth ? lstat(dir, &sb) : stat(dir, &sb)) || !S_ISDIR(sb.st_mode))
		return WATCH_TREE_GONE;
	if (depth > WATCH_TREE_MAX_DEPTH)
		return WATCH_TREE_OK; /* deeper than the scan walks */
	return add_dir(&w, dir, sb.st_dev, depth);
}
