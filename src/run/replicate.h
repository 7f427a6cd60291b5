/*
 * The replication driver under tsim_run_replications and the automatic warm-up: a fixed set of
 * replications spread over threads, each thread reusing one sim. Not API. Experiments and other
 * drivers that need "run these replications in parallel, then look at them in order" use
 * tsim__replicate rather than managing threads themselves.
 */
#ifndef TSIM_RUN_REPLICATE_H
#define TSIM_RUN_REPLICATE_H

#include "twinsim.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Work for one replication: `sim` is fresh for (seed, replication); `i` is the slot (0..n-1,
 * replication = first + i). Runs on a worker thread: write only to slot i of shared data.
 * Returns 0, or a negative TSIM_E* code that stops the remaining work.
 */
typedef int tsim__rep_fn(void *ctx, struct tsim_sim *sim, uint64_t replication, size_t i);

/**
 * Call `fn` for replications first..first+n-1 of `m` on `threads` threads (0: every core; never
 * more threads than replications). Each thread creates one sim and resets it between
 * replications, so memory stays flat whatever `n`. Which thread runs which replication varies;
 * what each replication computes does not.
 * Errors: TSIM_EMODEL if the model does not validate; the first error `fn` returned (lowest
 * slot), with its message in the caller's tsim_errmsg().
 */
int tsim__replicate(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                    int threads, tsim__rep_fn *fn, void *ctx);

/** Threads to use for `threads` (0: the online cores) and `n` jobs: at least 1, at most n. */
int tsim__thread_count(int threads, size_t n);

/**
 * One hash of `n` replications' fingerprints, taken in replication order, so that it does not
 * depend on the thread count; equal values mean every replication behaved the same.
 */
uint64_t tsim__fingerprint_combine(const struct tsim_result *reps, size_t n);

/* Pilot settings of the automatic warm-up, documented in warmup.c. */
#define TSIM__WARMUP_SLICES 200
#define TSIM__WARMUP_PILOTS 10

/**
 * Choose a warm-up period for `o` (horizon > 0) by MSER-5 on the mean WIP series of pilot
 * replications; the pilots are replications first.. of the run itself, so no extra seeds appear.
 * Writes the warm-up in the model's time unit to `*warmup`.
 * Errors: TSIM_EINVAL (horizon 0), TSIM_EMODEL.
 */
int tsim__warmup_auto(const struct tsim_model *m, const struct tsim_run_opts *o, double *warmup);

#endif
