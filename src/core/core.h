/*
 * Internal helpers shared by every layer: the one allocator, error messages, hidden visibility.
 * Not API: nothing here is declared in include/twinsim.h.
 */
#ifndef TSIM_CORE_H
#define TSIM_CORE_H

#include "twinsim.h"

#include <stddef.h>

#define TSIM__HIDDEN __attribute__((visibility("hidden")))

/* The one allocator. Out of memory aborts with the size asked for ("twinsim: out of memory
 * allocating N bytes" on stderr, then abort()): a simulation that cannot get memory has no
 * sensible way on. tsim__strdup and tsim__grow allocate through it. */
void *tsim__malloc(size_t size);
void *tsim__calloc(size_t n, size_t size);
void *tsim__realloc(void *p, size_t size);
char *tsim__strdup(const char *s);
void tsim__free(void *p);

/* For tests: after `n` more allocations succeed, the next one fails as out of memory does
 * (tsim__malloc's abort, with its size); a negative `n` turns this off. The count is the
 * process's, over every thread. Always built: while off it costs each allocation one load. */
void tsim__alloc_fail_after(long n);

/* Grow `*arr` (element size `elem`) so that index `need - 1` fits; doubles the capacity. */
void tsim__grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Set the thread's error message ("FUNC: message") and return `err`. */
int tsim__fail(int err, const char *func, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tsim__clear_error(void);
/* A message for the user, through the receiver tsim_set_message_fn set (none: dropped). */
void tsim__say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tsim__say_text(const char *text);

/**
 * One hash of `n` replications' fingerprints, taken in replication order, so that it does not
 * depend on the thread count; equal values mean every replication behaved the same.
 */
uint64_t tsim__fingerprint_combine(const struct tsim_result *reps, size_t n);
/* The same hash step by step: start with the count, then each fingerprint in order. */
uint64_t tsim__fingerprint_start(size_t n);
uint64_t tsim__fingerprint_step(uint64_t h, uint64_t fingerprint);

/* Programmer errors in the C API: abort with the function and the problem. */
#define TSIM__ASSERT(cond, ...)                                        \
    do {                                                               \
        if (!(cond)) tsim__assert_fail(__func__, __VA_ARGS__);         \
    } while (0)
_Noreturn void tsim__assert_fail(const char *func, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Read the regular file `path` whole into `*out` (NUL-terminated; free with tsim__free), refusing
 * one larger than `max` bytes. Errors: TSIM_EIO or TSIM_ELIMIT with a message in `err`. */
int tsim__read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                    size_t errlen);

#endif
