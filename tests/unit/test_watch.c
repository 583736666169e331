/*
 * The folder watcher's parts that need no database (workers/watch_*.h):
 * filesystem classification and the job key (watch_fs), the debounce table
 * (watch_pending: quiet time, the longest wait, folding folders into their
 * ancestors, the bound, deferral), and the inotify watches on a real
 * temporary tree (watch_tree: what is watched and what is skipped, events
 * found by descriptor, removal of a subtree, the watch cap, many adds and
 * removals through the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "watch_fs.h"
#include "watch_pending.h"
#include "watch_tree.h"

#define MS 1000LL /* watch_pending counts microseconds */

static void test_remote_filesystems(void **state)
{
	(void)state;
	assert_string_equal(watch_fs_remote(0x6969), "nfs");
	assert_string_equal(watch_fs_remote(0xFF534D42), "cifs");
	assert_string_equal(watch_fs_remote(0xFE534D42), "smb2");
	assert_string_equal(watch_fs_remote(0x517B), "smb");
	assert_string_equal(watch_fs_remote(0x65735546), "fuse");
	assert_string_equal(watch_fs_remote(0x01021997), "9p");
	assert_string_equal(watch_fs_remote(0x00C36400), "ceph");
	/* f_type as a sign-extended 32-bit value */
	assert_string_equal(watch_fs_remote((int64_t)(int32_t)0xFF534D42u), "cifs");
	/* local: ext4, xfs, btrfs, tmpfs, overlay, zfs */
	assert_null(watch_fs_remote(0xEF53));
	assert_null(watch_fs_remote(0x58465342));
	assert_null(watch_fs_remote(0x9123683E));
	assert_null(watch_fs_remote(0x01021994));
	assert_null(watch_fs_remote(0x794C7630));
	assert_null(watch_fs_remote(0x2FC12FC1));
	assert_null(watch_fs_remote(0));
	/* this machine's / and /tmp are local; a path that is not there too */
	assert_null(watch_fs_remote_path("/"));
	assert_null(watch_fs_remote_path("/tmp"));
	assert_null(watch_fs_remote_path("/nonexistent/watch/test"));
}

static void test_skipped_and_key(void **state)
{
	char a[WATCH_KEY_MAX], b[WATCH_KEY_MAX];
	const char *id = "0f6b2c1e-3c5e-4c58-9a6f-2f1d1b7e9a10";
	(void)state;

	assert_false(watch_fs_skipped("Movie (2001)"));
	assert_false(watch_fs_skipped("Movies/Movie (2001)/Subs"));
	assert_true(watch_fs_skipped(".hidden"));
	assert_true(watch_fs_skipped("Movie (2001)/Sample"));
	assert_true(watch_fs_skipped("Movie (2001)/extras/x"));
	assert_true(watch_fs_skipped("@eaDir"));

	watch_fs_key(a, sizeof(a), id, "/srv/media/Movie (2001)");
	watch_fs_key(b, sizeof(b), id, "/srv/media/Movie (2001)");
	assert_string_equal(a, b);
	assert_int_equal(strncmp(a, "watch:0f6b2c1e-3c5e-4c58-9a6f-2f1d1b7e9a10:", 43), 0);
	assert_int_equal(strlen(a), 43 + 16);
	watch_fs_key(b, sizeof(b), id, "/srv/media/Movie (2002)");
	assert_string_not_equal(a, b);
}

static void test_pending_quiet_and_longest_wait(void **state)
{
	struct watch_pending p;
	struct watch_pending_entry e;
	(void)state;

	watch_pending_init(&p, 16, 1000 * MS, 3000 * MS);
	assert_int_equal(watch_pending_next(&p), INT64_MAX);
	assert_int_equal(watch_pending_add(&p, 1, "/r/a", 0), WP_ADDED);
	assert_int_equal(watch_pending_next(&p), 1000 * MS);
	assert_false(watch_pending_take(&p, 999 * MS, &e));
	/* another event renews the quiet time */
	assert_int_equal(watch_pending_add(&p, 1, "/r/a", 800 * MS), WP_MERGED);
	assert_false(watch_pending_take(&p, 1000 * MS, &e));
	assert_int_equal(watch_pending_next(&p), 1800 * MS);
	assert_true(watch_pending_take(&p, 1800 * MS, &e));
	assert_string_equal(e.path, "/r/a");
	assert_int_equal(e.lib, 1);
	assert_int_equal(e.first_us, 0);
	assert_int_equal(e.last_us, 800 * MS);
	free(e.path);
	assert_int_equal(p.n, 0);

	/* never quiet: due after the longest wait all the same */
	for (int64_t t = 10000; t <= 12500; t += 500) {
		assert_false(watch_pending_take(&p, t * MS, &e));
		watch_pending_add(&p, 1, "/r/busy", t * MS);
	}
	assert_int_equal(watch_pending_next(&p), 13000 * MS);
	assert_true(watch_pending_take(&p, 13000 * MS, &e));
	free(e.path);
	watch_pending_release(&p);
}

static void test_pending_folds_folders(void **state)
{
	struct watch_pending p;
	struct watch_pending_entry e;
	(void)state;

	watch_pending_init(&p, 16, 1000 * MS, 30000 * MS);
	/* below a pending folder: covered by it */
	assert_int_equal(watch_pending_add(&p, 1, "/r/a", 0), WP_ADDED);
	assert_int_equal(watch_pending_add(&p, 1, "/r/a/b/c", 500 * MS), WP_MERGED);
	assert_int_equal(p.n, 1);
	assert_int_equal(watch_pending_next(&p), 1500 * MS);
	/* a sibling whose name starts alike is not below it */
	assert_int_equal(watch_pending_add(&p, 1, "/r/ab", 0), WP_ADDED);
	/* another library's folder stays apart */
	assert_int_equal(watch_pending_add(&p, 2, "/r/a/b", 0), WP_ADDED);
	assert_int_equal(p.n, 3);
	/* an ancestor takes in what lies below it, keeping the oldest event */
	assert_int_equal(watch_pending_add(&p, 1, "/r", 700 * MS), WP_ADDED);
	assert_int_equal(p.n, 2);
	assert_true(watch_pending_take(&p, 1700 * MS, &e));
	if (e.lib == 2) {
		free(e.path);
		assert_true(watch_pending_take(&p, 1700 * MS, &e));
	}
	assert_string_equal(e.path, "/r");
	assert_int_equal(e.first_us, 0);
	assert_int_equal(e.last_us, 700 * MS);
	free(e.path);
	/* dropping a library forgets its folders */
	watch_pending_add(&p, 3, "/s", 0);
	watch_pending_add(&p, 3, "/t", 0);
	watch_pending_drop_lib(&p, 3);
	assert_int_equal(p.n, 0);
	watch_pending_release(&p);
}

static void test_pending_bound_and_defer(void **state)
{
	struct watch_pending p;
	struct watch_pending_entry e;
	(void)state;

	watch_pending_init(&p, 2, 1000 * MS, 30000 * MS);
	assert_int_equal(watch_pending_add(&p, 1, "/r/a", 0), WP_ADDED);
	assert_int_equal(watch_pending_add(&p, 1, "/r/b", 0), WP_ADDED);
	assert_int_equal(watch_pending_add(&p, 1, "/r/c", 0), WP_FULL);
	/* still merges into what is there */
	assert_int_equal(watch_pending_add(&p, 1, "/r/a/x", 0), WP_MERGED);
	/* the root folds the library's folders and fits */
	assert_int_equal(watch_pending_add(&p, 1, "/r", 10 * MS), WP_ADDED);
	assert_int_equal(p.n, 1);

	/* a scan that could not be queued comes back no earlier than asked */
	assert_true(watch_pending_take(&p, 1010 * MS, &e));
	watch_pending_defer(&p, &e, 5000 * MS);
	assert_int_equal(p.n, 1);
	assert_false(watch_pending_take(&p, 4999 * MS, &e));
	assert_true(watch_pending_take(&p, 5000 * MS, &e));
	assert_string_equal(e.path, "/r");
	free(e.path);
	watch_pending_release(&p);
}

/* ---- watch_tree on a real folder ------------------------------------------------------ */

static char tmp[64];

static void mk(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static const char *at(const char *rel)
{
	static char out[4][256];
	static int slot;
	char *o = out[slot++ % 4];
	snprintf(o, 256, "%s%s%s", tmp, rel[0] ? "/" : "", rel);
	return o;
}

static int remotes;

static void on_remote(void *arg, int lib, const char *path, const char *fs)
{
	(void)arg, (void)lib, (void)path, (void)fs;
	remotes++;
}

static void test_tree_watches(void **state)
{
	struct watch_tree *t;
	char buf[4096];
	(void)state;

	snprintf(tmp, sizeof(tmp), "/tmp/test_watch-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	mk("A");
	mk("A/B");
	mk("C");
	mk(".hidden");
	mk("Sample");
	mk("A/Extras");
	assert_int_equal(symlink(at("A"), at("link")), 0);

	assert_non_null(t = watch_tree_new(-1));
	assert_int_equal(watch_tree_add(t, 7, at(""), 0, on_remote, NULL), WATCH_TREE_OK);
	/* the root, A, A/B, C: not the hidden, sample or extras folders nor the link */
	assert_int_equal(watch_tree_count(t), 4);
	assert_int_equal(watch_tree_count_lib(t, 7), 4);
	assert_int_equal(watch_tree_count_lib(t, 8), 0);
	assert_int_equal(remotes, 0);
	/* adding again changes nothing */
	assert_int_equal(watch_tree_add(t, 7, at(""), 0, on_remote, NULL), WATCH_TREE_OK);
	assert_int_equal(watch_tree_count(t), 4);

	/* an event names its watch */
	mk("A/B/New");
	ssize_t n = read(watch_tree_fd(t), buf, sizeof(buf));
	assert_true(n >= (ssize_t)sizeof(struct inotify_event));
	const struct inotify_event *ev = (const struct inotify_event *)(void *)buf;
	assert_true(ev->mask & IN_CREATE);
	assert_true(ev->mask & IN_ISDIR);
	assert_string_equal(ev->name, "New");
	const struct watch_dir *d = watch_tree_find(t, ev->wd);
	assert_non_null(d);
	assert_string_equal(d->path, at("A/B"));
	assert_int_equal(d->lib, 7);
	assert_int_equal(watch_tree_add(t, 7, at("A/B/New"), 3, on_remote, NULL), WATCH_TREE_OK);
	assert_int_equal(watch_tree_count(t), 5);

	/* a watched folder moved without its events being read: watched
	 * afresh under its new path, the old paths forgotten */
	assert_int_equal(rename(at("C"), at("A/B/C2")), 0);
	assert_int_equal(watch_tree_add(t, 7, at("A/B/C2"), 3, on_remote, NULL), WATCH_TREE_OK);
	assert_int_equal(watch_tree_count(t), 5);
	assert_int_equal(rename(at("A/B/C2"), at("C")), 0);
	assert_int_equal(watch_tree_add(t, 7, at("C"), 1, on_remote, NULL), WATCH_TREE_OK);
	assert_int_equal(watch_tree_count(t), 5);

	/* a subtree goes; an unrelated name with the same start stays */
	mk("AB");
	assert_int_equal(watch_tree_add(t, 7, at("AB"), 1, on_remote, NULL), WATCH_TREE_OK);
	assert_int_equal(watch_tree_count(t), 6);
	watch_tree_remove_under(t, 7, at("A"));
	assert_int_equal(watch_tree_count(t), 3);
	assert_null(watch_tree_find(t, ev->wd));
	/* not a folder (or gone): nothing */
	assert_int_equal(watch_tree_add(t, 7, at("nothing"), 1, on_remote, NULL), WATCH_TREE_GONE);
	assert_int_equal(watch_tree_add(t, 7, at("link"), 1, on_remote, NULL), WATCH_TREE_GONE);
	watch_tree_remove_lib(t, 7);
	assert_int_equal(watch_tree_count(t), 0);
	watch_tree_free(t);

	/* the cap: the add stops and says so */
	assert_non_null(t = watch_tree_new(2));
	assert_int_equal(watch_tree_add(t, 1, at(""), 0, on_remote, NULL), WATCH_TREE_LIMIT);
	assert_int_equal(watch_tree_count(t), 2);
	watch_tree_free(t);
	assert_non_null(t = watch_tree_new(0));
	assert_int_equal(watch_tree_add(t, 1, at(""), 0, on_remote, NULL), WATCH_TREE_LIMIT);
	assert_int_equal(watch_tree_count(t), 0);
	watch_tree_free(t);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

/* Many folders in, out and in again: the table finds every one. */
static void test_tree_table(void **state)
{
	struct watch_tree *t;
	char name[64];
	(void)state;

	snprintf(tmp, sizeof(tmp), "/tmp/test_watch-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "d%03d", i);
		mk(name);
	}
	assert_non_null(t = watch_tree_new(-1));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 300; i++) {
			snprintf(name, sizeof(name), "d%03d", i);
			assert_int_equal(watch_tree_add(t, i % 3, at(name), 1, NULL, NULL),
			                 WATCH_TREE_OK);
		}
		assert_int_equal(watch_tree_count(t), 300);
		/* every other one out, then one library */
		for (int i = 0; i < 300; i += 2) {
			snprintf(name, sizeof(name), "d%03d", i);
			watch_tree_remove_under(t, i % 3, at(name));
		}
		assert_int_equal(watch_tree_count(t), 150);
		watch_tree_remove_lib(t, 1);
		assert_int_equal(watch_tree_count(t), 100);
		assert_int_equal(watch_tree_count_lib(t, 1), 0);
		watch_tree_remove_lib(t, 0);
		watch_tree_remove_lib(t, 2);
		assert_int_equal(watch_tree_count(t), 0);
	}
	watch_tree_free(t);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_remote_filesystems),
	    cmocka_unit_test(test_skipped_and_key),
	    cmocka_unit_test(test_pending_quiet_and_longest_wait),
	    cmocka_unit_test(test_pending_folds_folders),
	    cmocka_unit_test(test_pending_bound_and_defer),
	    cmocka_unit_test(test_tree_watches),
	    cmocka_unit_test(test_tree_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
