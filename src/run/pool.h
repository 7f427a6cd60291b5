/*
 * A fork-join thread pool (pool.c), and the one clock reading that the run layer's timed waits
 * share.
 */
#ifndef TSIM_RUN_POOL_H
#define TSIM_RUN_POOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

/* Run fn(ctx, worker, i) for i in [0, n) on `threads` threads, calling
 * done(ctx, i) on the calling thread as items finish. Stops taking new items once *stop is set;
 * items already started finish (fn sees the flag too, and may cut them short). Returns the
 * number of items finished. */
typedef void tsim__pool_fn(void *ctx, int worker, size_t i);
typedef void tsim__pool_done_fn(void *ctx, size_t i);
typedef void tsim__pool_tick_fn(void *ctx);
size_t tsim__pool_run(int threads, size_t n, tsim__pool_fn *fn, tsim__pool_done_fn *done,
                      tsim__pool_tick_fn *tick, void *ctx, const atomic_int *stop);
/* Cores available to this process. */
int tsim__pool_cores(void);

/* The time `ns` nanoseconds (less than a second) from now on CLOCK_REALTIME, the clock of
 * pthread_cond_timedwait. */
void tsim__deadline(struct timespec *ts, long ns);

#endif
