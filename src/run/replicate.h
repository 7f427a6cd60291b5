/*
 * The replication driver under tsim_run_replications and the automatic warm-up: a fixed set of
 * replications spread over threads, each thread reusing one sim. Not API. Experiments and other
 * drivers that need "run these replications in parallel, then look at them in order" use
 * tsim__replicate rather than managing threads themselves.
 */
#ifndef TSIM_RUN_REPLICATE_H
#define TSIM_RUN_REPLICATE_H

#include "twinsim.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* What tsim__replicate returns when its interrupt flag stopped it (not an error code). */
#define TSIM__INTERRUPTED 1

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
 * Every sim watches `interrupt` (NULL: none; see tsim__sim_watch): once it is nonzero, the
 * replications running stop within 4,096 events and no new one starts; their slots hold
 * whatever `fn` left there, to be discarded.
 * Returns 0; TSIM__INTERRUPTED when `interrupt` stopped the work before every replication ended.
 * Errors: TSIM_EMODEL if the model does not validate; the first error `fn` returned (lowest
 * slot), with its message in the caller's tsim_errmsg().
 */
int tsim__replicate(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                    int threads, const atomic_int *interrupt, tsim__rep_fn *fn, void *ctx);

/*
 * Streaming replications: `run` runs one replication on a worker thread and fills `res` (a
 * result the driver owns and reuses); `fold` then receives the results one at a time, in
 * replication order, never two at once (on whichever worker thread is folding). Both return 0
 * or a negative TSIM_E* code that stops the work.
 */
typedef int tsim__rep_run_fn(void *ctx, struct tsim_sim *sim, uint64_t replication,
                             struct tsim_result *res);
typedef int tsim__rep_fold_fn(void *ctx, uint64_t replication, const struct tsim_result *res);

/**
 * As tsim__replicate, but results are folded as they come rather than kept: at most a window of
 * a few results per thread waits for an earlier replication to finish (a worker that gets that
 * far ahead waits), so memory does not grow with `n`. Folding in replication order makes every
 * sum the driver keeps the same whatever the thread count. When interrupted, the replications
 * folded so far are those before the first unfinished one.
 * Returns 0 or TSIM__INTERRUPTED. Errors: as tsim__replicate, and the first error of `fold`.
 */
int tsim__replicate_fold(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                         int threads, const atomic_int *interrupt, tsim__rep_run_fn *run,
                         tsim__rep_fold_fn *fold, void *ctx);

/* Run `sim` as a replication of `o` does: the warm-up, then to the horizon or until no event is
 * left. For tsim__rep_run_fn implementations. Errors: those of tsim_sim_set_warmup, and the
 * error that stopped the sim (tsim_sim_status: a loop at one instant, too many entities). */
int tsim__run_one(struct tsim_sim *sim, const struct tsim_run_opts *o);

/* What tsim_run_replications checks of `o` against a validated model `m` before it runs: a
 * horizon the model's ticks can count, and a horizon when the model would never end without
 * one. Errors: TSIM_ERANGE, TSIM_EINVAL, with the message in tsim_errmsg(). */
int tsim__run_check(const struct tsim_model *m, const struct tsim_run_opts *o);

/** Threads to use for `threads` (0: the online cores) and `n` jobs: at least 1, at most n. */
int tsim__thread_count(int threads, size_t n);

/* Pilot settings of the automatic warm-up, documented in warmup.c. */
#define TSIM__WARMUP_SLICES 200
#define TSIM__WARMUP_PILOTS 10

/**
 * Choose a warm-up period for `o` (horizon > 0) by MSER-5 on the mean WIP series of pilot
 * replications; the pilots are replications first.. of the run itself, so no extra seeds appear.
 * Writes the warm-up in the model's time unit to `*warmup`. The pilots watch `interrupt` as
 * tsim__replicate's replications do.
 * Returns 0 or TSIM__INTERRUPTED. Errors: TSIM_EINVAL (horizon 0), TSIM_EMODEL.
 */
int tsim__warmup_auto(const struct tsim_model *m, const struct tsim_run_opts *o,
                      const atomic_int *interrupt, double *warmup);

#endif
