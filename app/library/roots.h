/*
 * roots: where a library may point (issue 14, item 1; SPEC §3.1, §3.2).
 *
 * A user who may create libraries (a moderator) must not be able to turn
 * the server into a file server for /etc, /root or its own state. So:
 *
 *   - Every root lies inside one of the directories of
 *     library.allowed_roots (comma-separated absolute paths, resolved with
 *     realpath(3) on every check, so a symlink in the list follows its
 *     target and a listed directory that does not exist allows nothing).
 *     Unset, no library can be created or given new roots: the
 *     administrator chooses the media folders.
 *   - No root contains or lies inside the server's own state: the
 *     directory of the configuration file that was read (in the stack of
 *     deploy/stack.sh that is the stack directory with its database, logs,
 *     keys and sockets) and storage.path. A root inside one of them is
 *     allowed only when an allowed root that admits it lies itself inside
 *     that directory: the administrator listed that one folder on purpose
 *     (the demo folder of `make run` sits in the stack directory), while a
 *     broad allowed root such as /srv never opens the state within it.
 *   - Extensions are video containers and the sidecar types a scan reads
 *     (subtitles, NFO, pictures); "txt" or "pem" are refused.
 *
 * The roots given are resolved before they reach these checks (libraries.c
 * refuses "." and ".." segments and resolves symlinks), so neither can
 * escape an allowed root. Refusals are 422 naming the member (paths[i],
 * extensions[i]); the detail names the rule, never a server path.
 */
#ifndef REVENGE_LIBRARY_ROOTS_H
#define REVENGE_LIBRARY_ROOTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "http/http.h"

/* library.allowed_roots: every entry non-empty and absolute.
 * APP_ERR_VALIDATION with one line naming the key in err. */
enum app_err library_roots_config_check(const struct config *cfg, struct buf *err);

/*
 * May a library have root (an absolute path already resolved by
 * realpath(3), not "/") under cfg? APP_OK, or APP_ERR_UNPROCESSABLE with
 * fe naming field: outside every allowed root (or none configured),
 * containing the server's state, or inside it without an allowed root
 * there.
 */
enum app_err library_root_permitted(const struct config *cfg, const char *root, const char *field,
                                    struct field_error *fe);

/* May a file at path be served (streamed, its sidecars read)? Its real
 * path must pass library_root_permitted: a library made before
 * library.allowed_roots existed, or written straight into the database,
 * still serves nothing outside them. */
bool library_file_permitted(const struct config *cfg, const char *path);

/* At most this many entries in library.allowed_roots (more is a
 * configuration error). */
#define LIBRARY_MAX_ALLOWED 64

/*
 * The allowed roots and the server's own directories of a configuration,
 * resolved once for many checks in a row (the folder picker checks every
 * entry of a directory).
 */
struct library_scope {
	int nroots;
	const char *written[LIBRARY_MAX_ALLOWED]; /* each entry as configured (trimmed) */
	const char *real[LIBRARY_MAX_ALLOWED];    /* its realpath(3); NULL: it does not resolve */
	int nstate;
	const char *state[2]; /* the configuration's directory and storage.path, resolved */
};

/* Fill s from cfg, its strings in a (valid while a is). APP_OK or
 * APP_ERR_NOMEM. An allowed root that does not resolve stays in the list
 * with real NULL and admits nothing. */
enum app_err library_scope_load(const struct config *cfg, struct arena *a,
                                struct library_scope *s);

/*
 * May the folder picker show the directory at real (resolved by
 * realpath(3))? It must be an allowed root or lie inside one, and not lie
 * inside the server's own files unless an allowed root that admits it is
 * listed inside them: the rule of library_root_permitted, less its refusal
 * of a directory that merely contains the server's files (such a folder,
 * /srv holding /srv/revenge, may hold the media folders to pick). *why is
 * set on refusal: "outside" or "state".
 */
bool library_scope_browsable(const struct library_scope *s, const char *real, const char **why);

/* Is ext (lower case, no dot) a video container or a sidecar type? */
bool library_extension_permitted(const char *ext);

#endif
