/* scan_sidecars: a video's sidecar files (see scan_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/json.h"
#include "core/text.h"
#include "library/nfo.h"
#include "library/scan_int.h"

/* The NFO at path as JSON text (malloc'd), or NULL when absent/unusable. */
static char *nfo_text(struct scan *s, const char *path, bool report)
{
	size_t len = 0;
	char *text, *out = NULL;
	struct nfo *n;
	char why[160];

	if (file_read_capped(path, NFO_INPUT_MAX, &text, &len) != FILE_READ_OK)
		return NULL;
	if (!(n = malloc(sizeof(*n))))
		goto out;
	if (nfo_parse(text, len, n, why, sizeof(why)) == APP_OK) {
		struct buf b;
		struct jw w;
		buf_init(&b, 64 * 1024);
		jw_init(&w, &b);
		nfo_json(n, &w);
		if (buf_ok(&b))
			out = buf_detach(&b, NULL);
		buf_release(&b);
	} else if (report) {
		char msg[200];
		snprintf(msg, sizeof(msg), "malformed NFO: %s", why);
		scan_record_error(s, path, msg);
	}
	free(n);
out:
	free(text);
	return out;
}

static bool has_ext(const char *name, const char *const *list)
{
	const char *e = scan_ext_of(name);
	if (!e)
		return false;
	for (; *list; list++)
		if (ascii_ieq(e, *list))
			return true;
	return false;
}

/* The series folder's tvshow.nfo as JSON: in dir, or one or two folders
 * up (not above the root). Read once per directory: every episode of a
 * season folder shares the answer. NULL when there is none. */
static const char *tvshow_for(struct scan *s, const char *dir)
{
	char up[PATH_MAX], path[PATH_MAX];

	if (s->tv_dir_set && !strcmp(s->tv_dir, dir))
		return s->tv_nfo;
	free(s->tv_nfo);
	s->tv_nfo = NULL;
	snprintf(s->tv_dir, sizeof(s->tv_dir), "%s", dir);
	s->tv_dir_set = true;
	snprintf(up, sizeof(up), "%s", dir);
	for (int lvl = 0; lvl < 3 && strlen(up) >= s->rootlen; lvl++) {
		if (scan_join(path, sizeof(path), up, "tvshow.nfo") &&
		    (s->tv_nfo = nfo_text(s, path, lvl == 0)))
			break;
		char *slash = strrchr(up, '/');
		if (!slash || (size_t)(slash - up) < s->rootlen)
			break;
		*slash = 0;
	}
	return s->tv_nfo;
}

char *scan_sidecars_json(struct scan *s, const char *dir, const char *name, char **names,
			   int n, char **nfo_out)
{
	static const char *const subs[] = {"srt", "ass", "ssa", "vtt", "sub", NULL};
	static const char *const imgs[] = {"jpg", "jpeg", "png", "webp", NULL};
	static const char *const folder_imgs[] = {"poster", "folder", "cover", "fanart",
						  "backdrop", "banner", "logo", "thumb", NULL};
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	char path[PATH_MAX];
	struct buf b;
	struct jw w;
	const char *nfo_name = NULL;

	buf_init(&b, 256 * 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_key(&w, "subtitles");
	jw_arr_open(&w);
	for (int i = 0; i < n; i++) {
		const char *o = names[i];
		if (strncmp(o, name, stem) || o[stem] != '.' || !has_ext(o, subs))
			continue;
		/* "Movie.en.forced.srt": the parts between stem and extension */
		const char *mid = o + stem + 1, *end = strrchr(o, '.');
		char lang[8] = "";
		bool forced = false;
		while (mid < end) {
			const char *q = memchr(mid, '.', (size_t)(end - mid));
			size_t len = q ? (size_t)(q - mid) : (size_t)(end - mid);
			if ((len == 2 || len == 3) && !lang[0]) {
				for (size_t k = 0; k < len; k++)
					lang[k] = (char)(mid[k] | 0x20);
				lang[len] = 0;
			} else if (len == 6 && !strncasecmp(mid, "forced", 6)) {
				forced = true;
			}
			mid += len + 1;
		}
		jw_obj_open(&w);
		jw_kstr(&w, "file", o);
		if (lang[0])
			jw_kstr(&w, "language", lang);
		else
			jw_knull(&w, "language");
		jw_kbool(&w, "forced", forced);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "images");
	jw_arr_open(&w);
	for (int i = 0; i < n; i++) {
		const char *o = names[i];
		const char *odot = strrchr(o, '.');
		size_t ostem = odot ? (size_t)(odot - o) : strlen(o);
		bool mine = !strncmp(o, name, stem) && (o[stem] == '-' || o[stem] == '.') &&
			    has_ext(o, imgs);
		bool folder = false;
		for (int k = 0; !mine && folder_imgs[k]; k++)
			if (ostem == strlen(folder_imgs[k]) && !strncasecmp(o, folder_imgs[k], ostem) &&
			    has_ext(o, imgs))
				folder = true;
		if (mine || folder)
			jw_str(&w, o);
	}
	jw_arr_close(&w);
	/* "Movie.nfo", else the folder's "movie.nfo" */
	for (int i = 0; i < n && !nfo_name; i++)
		if (!strncmp(names[i], name, stem) && names[i][stem] == '.' &&
		    ascii_ieq(names[i] + stem + 1, "nfo"))
			nfo_name = names[i];
	for (int i = 0; i < n && !nfo_name && !s->tv; i++)
		if (ascii_ieq(names[i], "movie.nfo"))
			nfo_name = names[i];
	if (nfo_name) {
		jw_kstr(&w, "nfo", nfo_name);
		if (scan_join(path, sizeof(path), dir, nfo_name))
			*nfo_out = nfo_text(s, path, true);
	}
	const char *tvshow = s->tv ? tvshow_for(s, dir) : NULL;
	if (tvshow) {
		jw_key(&w, "tvshow");
		jw_raw(&w, tvshow, strlen(tvshow));
	}
	jw_obj_close(&w);
	char *out = buf_ok(&b) ? buf_detach(&b, NULL) : NULL;
	buf_release(&b);
	return out;
}
