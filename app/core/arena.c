/*
 * arena: bump allocation in a chain of blocks, plus a LIFO list of cleanups.
 *
 * Small requests are carved from `cur`; a request larger than a quarter of
 * the block size gets a block of its own so it does not strand the rest of
 * `cur`. The cap (max_total) counts bytes handed out, rounded to the
 * alignment, so waste per block stays under a quarter of block_size.
 *
 * Cleanup records are themselves allocated from the arena, so they count
 * towards the cap; when that fails, arena_defer() runs the cleanup at once
 * (documented in the header) rather than leaking the foreign object.
 *
 * Under AddressSanitizer the unused part of every block is poisoned, so a
 * read past an allocation or after arena_reset() is reported.
 */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN 16
#define ARENA_MIN_BLOCK 256
#define ARENA_DEFAULT_BLOCK 4096

struct block {
	struct block *next;
	size_t size; /* usable bytes from base() */
	size_t off;  /* bytes used */
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *ptr;
};

struct arena {
	struct block *first; /* kept across resets */
	struct block *cur;   /* where small allocations come from */
	struct cleanup *cleanups;
	size_t block_size;
	size_t max_total;
	size_t used;
};

/* The usable area starts at the first aligned address after the header. */
static unsigned char *block_base(struct block *b)
{
	uintptr_t p = (uintptr_t)(b + 1);

	p = (p + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	return (unsigned char *)p;
}

static struct block *block_new(size_t size)
{
	struct block *b;
	size_t total;

	if (size > SIZE_MAX - sizeof(*b) - ARENA_ALIGN)
		return NULL;
	total = sizeof(*b) + ARENA_ALIGN + size;
	b = malloc(total);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->off = 0;
	POISON(block_base(b), size);
	return b;
}

static void block_free(struct block *b)
{
	UNPOISON(block_base(b), b->size);
	free(b);
}

struct arena *arena_new(size_t block_size, size_t max_total)
{
	struct arena *a;

	if (block_size == 0)
		block_size = ARENA_DEFAULT_BLOCK;
	if (block_size < ARENA_MIN_BLOCK)
		block_size = ARENA_MIN_BLOCK;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->first = block_new(block_size);
	if (!a->first) {
		free(a);
		return NULL;
	}
	a->cur = a->first;
	a->block_size = block_size;
	a->max_total = max_total;
	return a;
}

static void *block_take(struct block *b, size_t n)
{
	unsigned char *p = block_base(b) + b->off;

	b->off += n;
	UNPOISON(p, n);
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct block *b;

	if (n == 0)
		n = 1; /* distinct pointers for distinct calls */
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n > a->max_total - a->used)
		return NULL;

	if (a->cur->size - a->cur->off >= n) {
		a->used += n;
		return block_take(a->cur, n);
	}
	if (n > a->block_size / 4) {
		/* Dedicated block, linked after first so `cur` keeps serving small requests. */
		b = block_new(n);
		if (!b)
			return NULL;
		b->next = a->first->next;
		a->first->next = b;
	} else {
		b = block_new(a->block_size);
		if (!b)
			return NULL;
		b->next = a->first->next;
		a->first->next = b;
		a->cur = b;
	}
	a->used += n;
	return block_take(b, n);
}

void *arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	size_t n;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &n))
		return NULL;
	p = arena_alloc(a, n);
	if (p)
		memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);
	size_t len = end ? (size_t)(end - s) : n;
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct cleanup *c;

	if (!ptr)
		return 0;
	c = arena_alloc(a, sizeof(*c));
	if (!c) {
		fn(ptr);
		return -1;
	}
	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

void arena_reset(struct arena *a)
{
	struct cleanup *c;
	struct block *b, *next;

	/* Popping one at a time also copes with a cleanup that defers another. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->ptr);
	}
	for (b = a->first->next; b; b = next) {
		next = b->next;
		block_free(b);
	}
	a->first->next = NULL;
	a->first->off = 0;
	POISON(block_base(a->first), a->first->size);
	a->cur = a->first;
	a->used = 0;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	block_free(a->first);
	free(a);
}

size_t arena_used(const struct arena *a)
{
	return a->used;
}
