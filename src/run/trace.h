/*
 * The trace of one replication (`twinsim run --trace INTERVAL`): the state of the system sampled
 * every INTERVAL of model time, from 0 to the run's end. Each sample holds the work in process
 * (entities in every block but the sinks), the entities completed so far (entries into sinks),
 * and per block (sources and sinks aside) its content and, for machines and assemblies, how many
 * of its servers are busy.
 *
 * The trace is taken by an observer (tsim_sim_set_observer), so the sim runs as it does without
 * one: the same events, the same fingerprint; a run without --trace sets no observer and pays
 * nothing. A sample at time T shows the state after every event at times <= T. Not API.
 */
#ifndef TSIM_RUN_TRACE_H
#define TSIM_RUN_TRACE_H

#include "twinsim.h"

#include <stddef.h>
#include <stdint.h>

/* Most samples a trace keeps, and most values (samples times traced blocks): past either, the
 * trace stops and says it was cut off. 100,000 samples of 40 blocks are 32 MB. */
#define TSIM__TRACE_MAX_SAMPLES 100000
#define TSIM__TRACE_MAX_VALUES 4000000

struct tsim__trace;

/* Start tracing `sim` (just created, of validated model `m`) every `interval` > 0: sets the
 * sim's observer. Returns the trace (release with tsim__trace_destroy). */
struct tsim__trace *tsim__trace_start(struct tsim_sim *sim, const struct tsim_model *m,
                                      double interval);

/* The run is over: the samples up to the sim's clock now. */
void tsim__trace_finish(struct tsim__trace *tr, struct tsim_sim *sim);

void tsim__trace_destroy(struct tsim__trace *tr);

/* Samples taken, and whether the trace stopped at a limit before the run's end. */
size_t tsim__trace_count(const struct tsim__trace *tr);
int tsim__trace_truncated(const struct tsim__trace *tr);

/* Sample k: its time, WIP and completions so far. */
void tsim__trace_sample(const struct tsim__trace *tr, size_t k, double *t, double *wip,
                        double *done);

/* Content of `block` at sample k, and its busy servers (-1 for a block that is no machine or
 * assembly); both -1 for an untraced block (a source or sink). */
double tsim__trace_content(const struct tsim__trace *tr, size_t k, int block);
double tsim__trace_busy(const struct tsim__trace *tr, size_t k, int block);

/* Store the samples of `tr` (finished; of replication `rep` of model `m`) in `db`, inside the
 * caller's transaction: beside run `run` (scen < 0: tables run_traces, run_trace_blocks, made
 * here when missing), or beside scenario `scen` of experiment run `run` (tables exp_samples,
 * exp_sample_blocks of the results schema). Returns SQLITE_OK or SQLite's error code. */
struct sqlite3;
int tsim__trace_store(struct sqlite3 *db, int64_t run, long scen, uint64_t rep,
                      const struct tsim_model *m, const struct tsim__trace *tr);

#endif
