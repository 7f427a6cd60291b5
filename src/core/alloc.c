/*
 * The one allocator. Every allocation in the library goes through here so that out-of-memory has
 * one behaviour: abort with the size asked for. Tests can make an allocation fail on purpose
 * (tsim__alloc_fail_after) to see that behaviour on a real path.
 */
#include "core/core.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Allocations that still succeed before one fails, or -1 when none is to fail. One count for the
 * whole process, as the allocator is; relaxed atomics keep it exact across threads, and while it
 * is off an allocation pays one plain load for it. */
static _Atomic long fail_left = -1;

void tsim__alloc_fail_after(long n)
{
    atomic_store_explicit(&fail_left, n < 0 ? -1 : n, memory_order_relaxed);
}

/* Whether this allocation is the one to fail: the count reaches 0 in exactly one thread, which
 * leaves it negative (off) for the others. */
static inline int fail_now(void)
{
    if (__builtin_expect(atomic_load_explicit(&fail_left, memory_order_relaxed) < 0, 1)) return 0;
    return atomic_fetch_sub_explicit(&fail_left, 1, memory_order_relaxed) == 0;
}

static _Noreturn void oom(size_t size)
{
    fprintf(stderr, "twinsim: out of memory allocating %zu bytes\n", size);
    abort();
}

void *tsim__malloc(size_t size)
{
    void *p = fail_now() ? NULL : malloc(size ? size : 1);
    if (!p) oom(size);
    return p;
}

void *tsim__calloc(size_t n, size_t size)
{
    void *p = fail_now() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *tsim__realloc(void *p, size_t size)
{
    void *q = fail_now() ? NULL : realloc(p, size ? size : 1);
    if (!q) oom(size);
    return q;
}

char *tsim__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = tsim__malloc(n);
    memcpy(d, s, n);
    return d;
}

void tsim__free(void *p) { free(p); }

void tsim__grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    *arr = tsim__realloc(*arr, c * elem);
    *cap = c;
}
