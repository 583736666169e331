/*
 * dirs: the directories a library may be given, for the web client's folder
 * picker (GET /api/v1/admin/directories, permission libraries:create).
 *
 * Only what library.allowed_roots opens is shown (library/roots.h: the
 * allowed roots, what lies inside them, never the server's own files
 * unless an allowed root is listed inside them), so the picker is no file
 * browser for /etc. Every path is resolved with realpath(3) before it is
 * judged, so neither ".." nor a symlink leads out; a refusal never says
 * what lies outside (a missing path outside is 403 like an existing one).
 *
 * A listing holds directories only (a symlink counts when it resolves to a
 * directory the picker may show), skips names starting with "." and names
 * that are not UTF-8 text without control characters (they could not be
 * sent back as ?path), sorts by name in byte order (strcmp: "Zeta" before
 * "alpha") and stops at DIRS_MAX_LIST entries (`truncated`). A directory is
 * read up to DIRS_MAX_SCAN entries of any kind; past that the listing is
 * truncated as well, so one request's work is bounded.
 */
#ifndef REVENGE_LIBRARY_DIRS_H
#define REVENGE_LIBRARY_DIRS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "http/http.h"
#include "library/roots.h"

#define DIRS_MAX_LIST 1000
#define DIRS_MAX_SCAN 100000

struct dir_entry {
	const char *name; /* as on disk */
	const char *path; /* the listed directory joined with name (a symlink keeps its name) */
};

struct dir_listing {
	const char *path;   /* the listed directory, resolved; NULL for the roots */
	const char *parent; /* its parent when the picker may show it, else NULL */
	struct dir_entry *items;
	size_t n;
	bool truncated;
};

/*
 * List path under scope s into out (strings and items in a). path NULL:
 * the allowed roots that exist, are directories and may be shown, in the
 * configured order without repeats, each named as configured and with its
 * resolved path. Otherwise path must be absolute:
 *   APP_ERR_VALIDATION  not absolute (fe names "path")
 *   APP_ERR_FORBIDDEN   resolves outside the allowed roots or into the
 *                       server's own files (for a missing path: its
 *                       deepest existing ancestor does), or the directory
 *                       cannot be read by the server
 *   APP_ERR_NOT_FOUND   missing inside the roots, or not a directory
 *   APP_ERR_NOMEM
 * Every refusal names "path".
 */
enum app_err dirs_list(const struct library_scope *s, const char *path, struct arena *a,
                       struct dir_listing *out, struct field_error *fe);

/* GET /api/v1/admin/directories[?path=]: dirs_list as
 * {"path", "parent", "directories": [{"name", "path"}], "truncated"}. */
extern const struct param_spec dirs_query[];
enum app_err admin_directories(struct request *req, struct response *res, struct field_error *fe);

#endif
