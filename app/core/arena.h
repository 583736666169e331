/*
 * arena: per-request memory with cleanup hooks (nginx's pool, simplified).
 *
 * Allocations come from large blocks and are freed all at once by
 * arena_reset() or arena_free(). Foreign objects (PGresult, cJSON,
 * redisReply, FILE) are registered with arena_defer(); their cleanup
 * functions run in reverse order of registration (last registered first)
 * before the memory is released, so an object may safely reference memory or
 * objects registered before it.
 *
 * Every arena has a maximum total size; an allocation past it returns NULL.
 * Allocations are aligned to 16 bytes. The cap counts bytes handed out
 * (rounded up to 16), cleanup records included.
 *
 * Not thread-safe: one arena per request, used by one thread.
 */
#ifndef REVENGE_CORE_ARENA_H
#define REVENGE_CORE_ARENA_H

#include <stddef.h>

struct arena;

/* New arena whose blocks are at least block_size bytes and whose total
 * allocation never exceeds max_total bytes. NULL when out of memory. */
struct arena *arena_new(size_t block_size, size_t max_total);

/* n bytes, uninitialised; NULL when over the maximum or out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* nmemb * size zeroed bytes, multiplication overflow-checked. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Register fn(ptr) to run on reset/free. 0 on success, -1 when out of memory,
 * in which case fn(ptr) has been called at once so nothing leaks. A NULL ptr
 * is accepted and ignored (returns 0). */
int arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

/* Run the cleanups (newest first), then free every block but the first. */
void arena_reset(struct arena *a);

/* arena_reset() and free the arena itself. NULL is accepted. */
void arena_free(struct arena *a);

/* Bytes handed out since the last reset (for metrics and tests). */
size_t arena_used(const struct arena *a);

#endif
