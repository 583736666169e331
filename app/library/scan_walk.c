/* scan_walk: the directory walk of a scan (see scan_int.h). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/json.h"
#include "core/text.h"
#include "db/value.h"
#include "library/parse.h"
#include "library/scan_int.h"

static const char *const default_exts[] = {"mp4", "mkv", "avi",  "mov", "wmv", "flv",
					   "webm", "m4v", "mpg", "mpeg", "3gp", "ts",
					   "m2ts", "vob", "ogv", NULL};

const char *scan_ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && dot != name ? dot + 1 : NULL;
}

bool scan_is_video(const char *name, const char *const *exts)
{
	const char *e = scan_ext_of(name);

	if (!e || strlen(e) > 8)
		return false;
	for (const char *const *x = exts ? exts : default_exts; *x; x++)
		if (ascii_ieq(e, *x))
			return true;
	return false;
}

bool scan_skip_dir(const char *name)
{
	static const char *const skip[] = {
	    "sample",  "samples",          "extras",         "extra",        "featurettes",
	    "trailers", "behind the scenes", "deleted scenes", "interviews",  "shorts",
	    "scenes",  "other",            "@eadir",         "#recycle",     "lost+found",
	    "$recycle.bin", "system volume information", NULL};

	if (name[0] == '.')
		return true;
	for (int i = 0; skip[i]; i++)
		if (ascii_ieq(name, skip[i]))
			return true;
	return false;
}

/* "-sample.mkv", ".sample.mkv", "sample.mkv", "-trailer.mkv" */
bool scan_skip_file(const char *name)
{
	static const char *const tails[] = {"sample", "trailer", "featurette", "behindthescenes",
					    "deleted", "interview", "scene", "short", "extra", NULL};
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);

	if (name[0] == '.')
		return true;
	for (int i = 0; tails[i]; i++) {
		size_t n = strlen(tails[i]);
		if (stem < n)
			continue;
		if (strncasecmp(name + stem - n, tails[i], n))
			continue;
		if (stem == n)
			return true;
		char sep = name[stem - n - 1];
		if (sep == '-' || sep == '.' || sep == '_')
			return true;
	}
	return false;
}

static bool excluded(const struct scan *s, const char *rel, const char *name)
{
	for (int i = 0; s->excludes[i]; i++)
		if (!fnmatch(s->excludes[i], name, FNM_CASEFOLD) ||
		    !fnmatch(s->excludes[i], rel, FNM_CASEFOLD))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * In a TV library a file directly in a "Specials" (or "Special") folder is
 * season 0, as in Kodi's and Jellyfin's layout: the parser is given the
 * path with that folder named "Season 00", so it reads it as it reads any
 * season folder (the series name and year from the folder above, a bare
 * "01 - Title.mkv" as episode 1). Writes that path into out and returns
 * true when rel has such a folder (and it fits).
 */
static bool specials_path(const char *rel, char *out, size_t cap)
{
	const char *file = strrchr(rel, '/'), *dir;
	size_t dlen;
	int n;

	if (!file)
		return false;
	for (dir = file; dir > rel && dir[-1] != '/'; dir--)
		;
	dlen = (size_t)(file - dir);
	if (!((dlen == 8 && !strncasecmp(dir, "specials", 8)) ||
	      (dlen == 7 && !strncasecmp(dir, "special", 7))))
		return false;
	n = snprintf(out, cap, "%.*sSeason 00%s", (int)(dir - rel), rel, file);
	return n > 0 && (size_t)n < cap;
}

/* The parse of a new or changed file, as JSON text (malloc'd), or NULL. */
static char *parse_json(const struct scan *s, const char *rel)
{
	struct parsed_name pn;
	struct buf pb;
	struct jw w;
	char special[PATH_MAX];
	bool in_specials = s->tv && specials_path(rel, special, sizeof(special));
	char *out;

	name_parse(in_specials ? special : rel, &pn);
	if (in_specials && pn.season < 0) {
		/* "Specials/Making Of.mkv": season 0, episode unknown */
		pn.season = 0;
		pn.type = NAME_EPISODE;
	}
	buf_init(&pb, 16 * 1024);
	jw_init(&w, &pb);
	name_parse_json(&pn, &w);
	out = buf_ok(&pb) ? buf_detach(&pb, NULL) : NULL;
	buf_release(&pb);
	return out;
}

static void add_video(struct scan *s, const char *dir, const char *name, const struct stat *sb,
		      char **names, int n)
{
	char path[PATH_MAX];
	bool fits = scan_join(path, sizeof(path), dir, name);
	int64_t mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
	int row;

	if (!fits) {
		scan_record_error(s, dir, "path too long");
		return;
	}
	row = scan_known_find(&s->known, path);
	if (s->o->settle_ms > 0) {
		/* a copy in progress: left for a later scan, and not missing */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int64_t age_ms = ((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - mtime) / 1000000;
		if (age_ms < s->o->settle_ms) {
			if (row >= 0)
				s->known.seen[row] = 1;
			s->st->unsettled++;
			if (s->o->settle_ms - age_ms > s->st->settle_wait_ms)
				s->st->settle_wait_ms = s->o->settle_ms - age_ms;
			return;
		}
	}
	s->st->seen++;
	if (row >= 0) {
		s->known.seen[row] = 1;
		int64_t size, known_mtime;
		/* a cell that does not read (logged) counts as a change */
		bool same = !db_get_int64(s->known.rows, row, 2, &size) &&
			    !db_get_int64(s->known.rows, row, 3, &known_mtime) &&
			    size == sb->st_size && known_mtime == mtime;
		if (same && s->o->type != SCAN_FULL) {
			s->st->unchanged++;
			if (PQgetvalue(s->known.rows, row, 4)[0] == 't') {
				/* back after being missing: only its state changes */
				if (s->present_ids.len)
					buf_putc(&s->present_ids, ',');
				buf_puts(&s->present_ids, PQgetvalue(s->known.rows, row, 1));
			}
			return;
		}
		s->st->changed++;
	} else {
		s->st->added++;
	}
	struct item *it = &s->batch[s->nbatch];

	memset(it, 0, sizeof(*it));
	it->is_new = row < 0;
	it->path = strdup(path);
	it->rel = it->path ? it->path + s->rootlen + 1 : NULL;
	it->size = sb->st_size;
	it->mtime_ns = mtime;
	it->parsed = parse_json(s, it->rel ? it->rel : name);
	it->sidecars = scan_sidecars_json(s, dir, name, names, n, &it->nfo);
	if (!it->path || !it->parsed || !it->sidecars) {
		scan_record_error(s, path, "out of memory");
		scan_item_release(it);
		return;
	}
	if (++s->nbatch >= s->o->batch)
		scan_flush_batch(s);
}

/* Whether the symlink at path resolves inside the current root. */
static bool link_inside(const struct scan *s, const char *path)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return false;
	return !strncmp(real, s->root, s->rootlen) && (real[s->rootlen] == '/' || !real[s->rootlen]);
}

void scan_walk_dir(struct scan *s, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	int n = 0, cap = 0;

	if (scan_stop_now(s))
		return;
	if (depth > MAX_DEPTH) {
		scan_record_error(s, dir, "directory nesting too deep");
		return;
	}
	if (!(d = opendir(dir))) {
		scan_record_error(s, dir, errno == ENOENT ? "directory vanished during the scan"
						     : "directory cannot be read");
		return;
	}
	s->st->dirs++;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, (size_t)cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	/* an empty folder has no array at all: qsort must not see NULL */
	if (n > 1)
		qsort(names, (size_t)n, sizeof(*names), cmp_str);

	for (int i = 0; i < n && !scan_stop_now(s); i++) {
		const char *name = names[i];
		char path[PATH_MAX];
		struct stat sb;

		if (!scan_join(path, sizeof(path), dir, name)) {
			scan_record_error(s, dir, "path too long");
			continue;
		}
		if (name[0] == '.')
			continue;
		if (lstat(path, &sb)) {
			if (errno == ENOENT)
				scan_record_error(s, path, "file vanished during the scan");
			else
				scan_record_error(s, path, "cannot be read");
			continue;
		}
		if (S_ISLNK(sb.st_mode)) {
			if (!link_inside(s, path) || stat(path, &sb)) {
				scan_record_error(s, path, "symlink leaves the library root");
				continue;
			}
			/* a directory link inside the root adds nothing the walk does
			 * not reach by the real path, and could make a loop */
			if (S_ISDIR(sb.st_mode))
				continue;
		}
		bool is_dir = S_ISDIR(sb.st_mode);
		if (!is_dir && !S_ISREG(sb.st_mode))
			continue;
		if (is_dir ? scan_skip_dir(name) : !scan_is_video(name, s->custom_exts ? s->exts : NULL))
			continue;
		if (!utf8_valid(name, strlen(name)) || has_control(name, strlen(name))) {
			scan_record_error(s, path, "name is not valid UTF-8");
			continue;
		}
		if (excluded(s, path + s->rootlen + 1, name))
			continue;
		if (is_dir) {
			scan_walk_dir(s, path, depth + 1);
			continue;
		}
		if (scan_skip_file(name))
			continue;
		add_video(s, dir, name, &sb, names, n);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
