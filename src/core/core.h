/*
 * Internal helpers shared by every layer: the one allocator, error messages, hidden visibility.
 * Not API: nothing here is declared in include/twinsim.h.
 */
#ifndef TSIM_CORE_H
#define TSIM_CORE_H

#include "twinsim.h"

#include <stddef.h>

#define TSIM__HIDDEN __attribute__((visibility("hidden")))

/* The one allocator. Out of memory aborts with the size asked for: a simulation that cannot get
 * memory has no sensible way on. Test builds can make the n-th allocation fail
 * (tsim__alloc_fail_after) to exercise error paths that do not abort. */
void *tsim__malloc(size_t size);
void *tsim__calloc(size_t n, size_t size);
void *tsim__realloc(void *p, size_t size);
char *tsim__strdup(const char *s);
void tsim__free(void *p);

/* Grow `*arr` (element size `elem`) so that index `need - 1` fits; doubles the capacity. */
void tsim__grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Set the thread's error message ("FUNC: message") and return `err`. */
int tsim__fail(int err, const char *func, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tsim__clear_error(void);

/* Programmer errors in the C API: abort with the function and the problem. */
#define TSIM__ASSERT(cond, ...)                                        \
    do {                                                               \
        if (!(cond)) tsim__assert_fail(__func__, __VA_ARGS__);         \
    } while (0)
_Noreturn void tsim__assert_fail(const char *func, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
