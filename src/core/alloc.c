/*
 * The one allocator. Every allocation in the library goes through here so that out-of-memory has
 * one behaviour: abort with the size asked for.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void oom(size_t size)
{
    fprintf(stderr, "twinsim: out of memory allocating %zu bytes\n", size);
    abort();
}

void *tsim__malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) oom(size);
    return p;
}

void *tsim__calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *tsim__realloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
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
