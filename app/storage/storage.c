/*
 * storage: the backend switch and the local directory backend (the S3
 * backend is storage/s3.c). See storage.h for the contract.
 *
 * Atomicity comes from rename(2) within one directory: the temporary file
 * is a sibling of the target, so the rename never crosses file systems.
 * Temporary names start with "." and keys never have a segment that does,
 * so a key can never name (or be served as) a half-written file.
 */
#include "storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/crypto.h"
#include "storage/s3.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char root[PATH_MAX] = "/var/lib/revenge/storage";
static bool use_s3;
static struct s3_target s3; /* under lock; copied per request */

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

void storage_configure(const struct config *cfg)
{
	size_t n;

	pthread_mutex_lock(&lock);
	if (cfg->storage_path) {
		snprintf(root, sizeof(root), "%s", cfg->storage_path);
		/* "/srv/storage/" and "/srv/storage" are one root */
		n = strlen(root);
		while (n > 1 && root[n - 1] == '/')
			root[--n] = '\0';
	}
	use_s3 = cfg->storage_backend == STORAGE_S3;
	OPENSSL_cleanse(&s3, sizeof(s3));
	if (use_s3) {
		copy(s3.endpoint, sizeof(s3.endpoint), cfg->storage_s3_endpoint);
		n = strlen(s3.endpoint);
		while (n && s3.endpoint[n - 1] == '/')
			s3.endpoint[--n] = '\0';
		copy(s3.region, sizeof(s3.region), cfg->storage_s3_region);
		copy(s3.bucket, sizeof(s3.bucket), cfg->storage_s3_bucket);
		copy(s3.access_key, sizeof(s3.access_key), cfg->storage_s3_access_key);
		copy(s3.secret_key, sizeof(s3.secret_key), cfg->storage_s3_secret_key);
		s3.path_style = cfg->storage_s3_path_style;
		s3.timeout_ms = (long)cfg->storage_s3_timeout;
	}
	pthread_mutex_unlock(&lock);
}

/* bucket names as S3 allows them: 3 to 63 of a-z 0-9 . - */
static bool bucket_valid(const char *b)
{
	size_t n = b ? strlen(b) : 0;

	if (n < 3 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
		      b[i] == '-'))
			return false;
	return true;
}

static bool endpoint_valid(const char *e)
{
	const char *h;

	if (!e || strlen(e) >= sizeof(s3.endpoint))
		return false;
	if (!strncmp(e, "http://", 7))
		h = e + 7;
	else if (!strncmp(e, "https://", 8))
		h = e + 8;
	else
		return false;
	/* host[:port] and at most a trailing "/": no path, query or userinfo */
	size_t n = strcspn(h, "/?#@ ");
	return n > 0 && (!h[n] || (h[n] == '/' && !h[n + 1]));
}

int storage_config_check(const struct config *cfg, struct buf *err)
{
	const char *why = NULL;

	if (cfg->storage_backend != STORAGE_S3)
		return 0;
	if (!endpoint_valid(cfg->storage_s3_endpoint))
		why = "storage.s3_endpoint must be http(s)://host[:port] when storage.backend = s3";
	else if (!bucket_valid(cfg->storage_s3_bucket))
		why = "storage.s3_bucket must be 3 to 63 of a-z 0-9 . - when storage.backend = s3";
	else if (!cfg->storage_s3_access_key || !cfg->storage_s3_secret_key)
		why = "storage.s3_access_key and storage.s3_secret_key are needed when "
		      "storage.backend = s3";
	else if (!cfg->storage_s3_region || strlen(cfg->storage_s3_region) >= sizeof(s3.region) ||
	         strlen(cfg->storage_s3_access_key) >= sizeof(s3.access_key) ||
	         strlen(cfg->storage_s3_secret_key) >= sizeof(s3.secret_key))
		why = "storage.s3_region, s3_access_key or s3_secret_key is too long";
	if (!why)
		return 0;
	if (err)
		buf_puts(err, why);
	return -1;
}

bool storage_is_s3(void)
{
	bool b;

	pthread_mutex_lock(&lock);
	b = use_s3;
	pthread_mutex_unlock(&lock);
	return b;
}

/* the S3 settings for one request, when that backend is chosen */
static bool s3_snapshot(struct s3_target *t)
{
	bool b;

	pthread_mutex_lock(&lock);
	b = use_s3;
	if (b)
		*t = s3;
	pthread_mutex_unlock(&lock);
	return b;
}

const char *storage_content_type(const char *key)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".jpg", "image/jpeg"},  {".jpeg", "image/jpeg"}, {".png", "image/png"},
	             {".webp", "image/webp"}, {".avif", "image/avif"}, {".gif", "image/gif"}};
	const char *dot = key ? strrchr(key, '.') : NULL;

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(dot, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

const char *storage_last_error(void)
{
	return s3_last_error();
}

const char *storage_root(void)
{
	return root;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '/';
}

bool storage_key_valid(const char *key)
{
	size_t n, i;

	if (!key)
		return false;
	n = strnlen(key, STORAGE_KEY_MAX + 1);
	if (n == 0 || n > STORAGE_KEY_MAX)
		return false;
	if (!((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= '0' && key[0] <= '9')))
		return false;
	if (key[n - 1] == '/' || strstr(key, "..") || strstr(key, "//") || strstr(key, "/."))
		return false;
	for (i = 0; i < n; i++)
		if (!key_char(key[i]))
			return false;
	return true;
}

/* root + "/" + key into out; false when it does not fit. */
static bool full_path(const char *key, char *out, size_t cap)
{
	int n;

	pthread_mutex_lock(&lock);
	n = snprintf(out, cap, "%s/%s", root, key);
	pthread_mutex_unlock(&lock);
	return n > 0 && (size_t)n < cap;
}

/* mkdir -p of every directory above the file at path, each new one 0755
 * whatever the umask (nginx's user must traverse them). */
static int make_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == 0) {
			if (chmod(path, 0755)) {
				*p = '/';
				return -1;
			}
		} else if (errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Make the rename durable. Best effort: the object is already in place and
 * complete, so a failure here is not reported as a failed put. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

enum app_err storage_put(const char *key, const void *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	char *slash;
	enum app_err e = APP_ERR_UNAVAILABLE;
	int fd = -1, n;

	struct s3_target t;

	if (!storage_key_valid(key))
		return APP_ERR_VALIDATION;
	if (s3_snapshot(&t)) {
		e = s3_put(&t, key, data, len, storage_content_type(key));
		OPENSSL_cleanse(&t, sizeof(t));
		return e;
	}
	if (!full_path(key, path, sizeof(path)))
		return APP_ERR_VALIDATION;
	/* a hidden sibling: ".tmp-<random>" fits NAME_MAX whatever the key */
	slash = strrchr(path, '/');
	if (crypto_random(rnd, sizeof(rnd)))
		return APP_ERR_UNAVAILABLE;
	hex_encode(rnd, sizeof(rnd), hex);
	n = snprintf(tmp, sizeof(tmp), "%.*s/.tmp-%s", (int)(slash - path), path, hex);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return APP_ERR_VALIDATION;
	if (make_parents(path))
		return APP_ERR_UNAVAILABLE;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return APP_ERR_UNAVAILABLE;
	if ((len && write_all(fd, data, len)) || fchmod(fd, 0644) || fsync(fd))
		goto out;
	n = close(fd);
	fd = -1;
	if (n || rename(tmp, path))
		goto out;
	*slash = '\0';
	sync_dir(path);
	e = APP_OK;
out:
	if (fd >= 0)
		close(fd);
	if (e)
		unlink(tmp);
	return e;
}

bool storage_exists(const char *key)
{
	char path[PATH_MAX];
	struct stat sb;
	struct s3_target t;

	if (storage_key_valid(key) && s3_snapshot(&t)) {
		int found = s3_head(&t, key);

		OPENSSL_cleanse(&t, sizeof(t));
		return found == 1;
	}
	return storage_key_valid(key) && full_path(key, path, sizeof(path)) &&
	       stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

enum app_err storage_remove(const char *key)
{
	char path[PATH_MAX];
	struct s3_target t;

	if (!storage_key_valid(key))
		return APP_ERR_VALIDATION;
	if (s3_snapshot(&t)) {
		enum app_err e = s3_delete(&t, key);

		OPENSSL_cleanse(&t, sizeof(t));
		return e;
	}
	if (!full_path(key, path, sizeof(path)))
		return APP_ERR_VALIDATION;
	if (unlink(path) && errno != ENOENT)
		return APP_ERR_UNAVAILABLE;
	return APP_OK;
}
