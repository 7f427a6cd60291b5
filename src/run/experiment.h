/*
 * Experiments: run a model under many factor settings (scenarios), each for as many replications
 * as its confidence interval needs, and compare them. Not a simulator: every replication is the
 * public model -> sim -> result path (tsim_sim_create/reset, tsim_sim_run*, tsim_sim_result);
 * this layer only decides which (scenario, replication) jobs to run, runs them on threads or MPI
 * ranks, and merges their KPI vectors in a fixed order. Internal, not API.
 *
 * Invariants:
 * - Scenario s, replication r always runs tsim_sim_*(model_s, seed_s, r). With common random
 *   numbers seed_s is the experiment seed for every s, so replication r of two scenarios shares
 *   its random streams (paired comparisons); without, seed_s is derived from (seed, s).
 * - Every decision (how many replications, which point the optimizer tries next) is taken on the
 *   merging process from results alone, folded in (scenario, replication) order; never from timing,
 *   completion order, thread count or rank count. That is what makes the output bit-identical
 *   for 1 thread, 8 threads or 3 MPI ranks.
 * - A job's output is one row of doubles: the KPI values in the probe's order, then
 *   TSIM__XROW_EXTRA fields (window start and end, and events and fingerprint as raw bits), so
 *   rows travel between ranks and through SQLite blobs bit for bit.
 */
#ifndef TSIM_RUN_EXPERIMENT_H
#define TSIM_RUN_EXPERIMENT_H

#include "run/exp_store.h"
#include "run/pool.h"
#include "run/xrun.h"

/* Parse "2 * a.b - c + 3" into `e`; on error returns -1 with a message in `err`. */
int tsim__xexpr_parse(struct tsim__expr *e, const char *text, char *err, size_t errlen);
void tsim__xexpr_release(struct tsim__expr *e);

/* Parse experiment text; every problem goes to `d` with its line and column. Returns 0 or
 * TSIM_EPARSE. `file` names the text and its directory resolves `model:`. */
int tsim__xspec_parse(struct tsim__xspec *s, const char *text, size_t len, const char *file,
                      struct tsim_diags *d);
/* Read `path` and parse it. */
int tsim__xspec_load(struct tsim__xspec *s, const char *path, struct tsim_diags *d);
void tsim__xspec_release(struct tsim__xspec *s);

/* Lifecycle: init binds the spec (factor names, expressions) and builds the probe; then add
 * scenarios; run rounds; compare; write. Call release after init whether or not it failed. */
int tsim__xrun_init(struct tsim__xrun *x, const struct tsim__xspec *s, const struct tsim__xopts *o,
                    struct tsim_diags *d);
void tsim__xrun_release(struct tsim__xrun *x);
/* Add a scenario with one value text per factor; returns its index or a negative TSIM_E*. */
long tsim__xrun_add_scenario(struct tsim__xrun *x, char **values, struct tsim_diags *d);
/* Bring every listed scenario to its `want` replications (one round, chunked). 0, 1 if stopped. */
int tsim__xrun_round(struct tsim__xrun *x, const size_t *scen, size_t nscen);
/* Draw the progress bar (`final`: the last time, whatever the time since the last one). */
void tsim__xrun_progress(struct tsim__xrun *x, int final);
/* Pick the best feasible scenario among `among` (NULL: all) and mark those that paired
 * comparisons cannot tell from it. Returns the best index or -1. */
long tsim__xrun_compare(struct tsim__xrun *x, const size_t *among, size_t n);
/* Run rounds until every listed scenario met its targets or its maximum. 0, 1 if stopped. */
int tsim__xrun_until_done(struct tsim__xrun *x, const size_t *scen, size_t n);
/* Add every point of the full factorial design (exp_design.c). */
int tsim__x_full(struct tsim__xrun *x, struct tsim_diags *d);
/* Add up to n Latin-hypercube points (`salt` picks an independent design). */
int tsim__x_lhs(struct tsim__xrun *x, int n, uint64_t salt, struct tsim_diags *d);
/* Record buffer traces of replication 0 (for the report) into the database, if one is open.
 * 0, or 1 if tsim__x_stop stopped it. */
int tsim__xrun_traces(struct tsim__xrun *x);
/* Close the store as "interrupted", say what was kept; returns TSIM__X_INTERRUPTED. */
int tsim__xrun_interrupted(struct tsim__xrun *x);
/* Write JSON, database summaries and the table; returns the exit code. */
int tsim__xrun_finish(struct tsim__xrun *x, tsim__xjson_extra_fn *extra, void *extra_ctx,
                      double t0);
/* Called by executors for each finished job i of the current batch (on the merging thread). */
void tsim__xrun_job_done(struct tsim__xrun *x, size_t i);

/* Run one job into `row` (row_len doubles) on worker `w`. Thread-safe across workers. A row
 * left all NaN did not run to its end: the sim could not be made, or tsim__x_stop cut it short.
 * Such a row is never stored; folded, it is an error unless the run was stopped. */
void tsim__xjob_run(struct tsim__xworker *w, const struct tsim_model *m, uint64_t seed,
                    uint64_t rep, double horizon, double warmup, double *row, size_t nkpi);
void tsim__xworker_release(struct tsim__xworker *w);


/* Whole commands, used by the CLI (and the MPI farm's rank 0). Return a process exit code. */
int tsim__experiment_main(const struct tsim__xspec *s, const struct tsim__xopts *o);
int tsim__optimize_main(const struct tsim__xspec *s, const struct tsim__xopts *o);

/* The start of a command (`kind`: "experiment" or "optimize"): `d` made empty, then
 * tsim__xrun_init with options `o` under that kind. Returns what init returns; release `d` and
 * `x` after it, whatever it returned (tsim__xrun_abort does both). */
int tsim__xrun_begin(struct tsim__xrun *x, const struct tsim__xspec *s, const struct tsim__xopts *o,
                     const char *kind, struct tsim_diags *d);
/* The end of a command after its rounds: `rc` 0 writes the results (tsim__xrun_finish), 1
 * (stopped) keeps what finished (tsim__xrun_interrupted), anything else or an error in the run
 * closes the store as "failed". Returns the exit code. */
int tsim__xrun_end(struct tsim__xrun *x, int rc, tsim__xjson_extra_fn *extra, void *extra_ctx,
                  double t0);
/* A command that failed before its rounds: says `d`'s diagnostics (of `file`), closes the store
 * as "failed" and releases `d` and `x`. Returns 1, the exit code. */
int tsim__xrun_abort(struct tsim__xrun *x, struct tsim_diags *d, const char *file);

/* The HTML report (src/results/report.c) of run `run` (0: the newest finished one) in database
 * `db`, written to `out`. Returns 0, or -1 with a message for people in `err`. */
int tsim__report_html(const char *db, long run, const char *out, char *err, size_t errlen);

/* MPI farm (mpi_farm.c, built with TSIM_HAVE_MPI only). */
#ifdef TSIM_HAVE_MPI
/* Called at the start of a command: initialises MPI; returns 1 on a worker rank, 0 on rank 0
 * or a single rank, and -1 (MPI already finalised, the reason said) when this binary's MPI is
 * not the launcher's: every process would then run the whole experiment. */
int tsim__mpi_start(int *argc, char ***argv, int *rank, int *size);
/* Install the MPI executor on rank 0 of a multi-rank run. */
void tsim__mpi_attach(struct tsim__xrun *x);
/* Serve jobs on a worker rank until told to stop; returns an exit code. */
int tsim__mpi_serve(const struct tsim__xspec *s, const struct tsim__xopts *o);
void tsim__mpi_finish(void);
#endif

#endif
