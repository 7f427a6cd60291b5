/*
 * twinsim's drivers: the public C API above one sim and its replications (include/twinsim.h).
 * Runs summarised and written (terminal table, JSON, CSV, the SQLite results database),
 * experiments and the optimizer over an experiment file, the HTML report, the model's lint, the
 * MPI farm, and the live twin with its emulator. The `twinsim` command is built on this header
 * and twinsim.h alone.
 *
 * Errors: a call returns 0 or a negative TSIM_E* code with its message in tsim_errmsg(), unless
 * its comment says otherwise. The experiment drivers run long and may have several things to say
 * (every diagnostic of a file, a database that failed mid-run): they hand their text to the
 * receiver set with tsim_set_message_fn() and return an exit status. Nothing here prints to
 * stdout or stderr unless given that stream, exits or installs a signal handler; the caller
 * installs handlers and sets the stop flags below from them.
 */
#ifndef TWINSIM_DRIVERS_H
#define TWINSIM_DRIVERS_H

#include "twinsim.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Runs: replications collected in order, summarised once, written by every writer alike.
 * ------------------------------------------------------------------------------------------- */

/** A run's replications as they arrive, folded in replication order (opaque). */
struct tsim_collect;
/** A run's KPIs summarised over its replications, as every writer reads them (opaque). */
struct tsim_report;

/**
 * Check `o` against the validated model `m` as tsim_run_replications does before it runs: a
 * horizon the model's ticks can count, and a horizon when the model would never end without one.
 * Errors: TSIM_ERANGE, TSIM_EINVAL.
 */
TSIM_API int tsim_run_check(const struct tsim_model *m, const struct tsim_run_opts *o);

/** Threads a run uses for `threads` (0: the online cores) and `n` replications: 1 to n. */
TSIM_API int tsim_thread_count(int threads, size_t n);

/**
 * Choose a warm-up for `o` (horizon > 0) by MSER-5 on pilot runs, into `*warmup`.
 * Returns 0, or 1 when `*stop` became nonzero first. `stop` may be NULL.
 * Errors: TSIM_EINVAL (no horizon), TSIM_EMODEL.
 */
TSIM_API int tsim_warmup_auto(const struct tsim_model *m, const struct tsim_run_opts *o,
                              const atomic_int *stop, double *warmup);

/**
 * Start collecting `n` replications. With `spill_dir` (NULL: none), each replication's row waits
 * in an unlinked file there for the writers that list replications, so memory stays flat.
 * Returns the collector, or NULL. Ownership: the caller destroys it with tsim_collect_destroy().
 * Errors: TSIM_EIO (the spill file cannot be made).
 */
TSIM_API struct tsim_collect *tsim_collect_create(size_t n, const char *spill_dir);

/** Destroy `c`; NULL is a no-op. Destroy its reports first. */
TSIM_API void tsim_collect_destroy(struct tsim_collect *c);

/** Replications collected so far. */
TSIM_API size_t tsim_collect_done(const struct tsim_collect *c);

/**
 * Keep the orders table of replication `replication` (0-based; 0 is the one `twinsim run
 * --trace` samples) of tsim_collect_run: each order of every picking block, with its release,
 * complete, shipped and due times, lines and units, as that replication ends. The report then
 * carries it, with the replication's number, to the JSON document (`orders`), the CSV directory
 * (orders.csv) and the results database (run_orders). A model without a picking block has no
 * orders, and a replication past the last one run none: nothing is kept. Call before
 * tsim_collect_run.
 */
TSIM_API void tsim_collect_keep_orders(struct tsim_collect *c, uint64_t replication);

/**
 * Run replications 0..o->replications-1 of `m` (warm-up, then to the horizon) on `o->threads`
 * threads into `c`, in replication order whatever the thread count.
 * Returns 0, or 1 when `*stop` (may be NULL) stopped the work first.
 * Errors: TSIM_EMODEL, the first failing replication's error, TSIM_EIO (a spill write).
 */
TSIM_API int tsim_collect_run(struct tsim_collect *c, const struct tsim_model *m,
                              const struct tsim_run_opts *o, const atomic_int *stop);

/**
 * The report of every replication `c` collected, for model `m`, with the run's settings written
 * in it (`warmup_auto` marks a chosen warm-up) and `wall_seconds` the time it took.
 * Returns the report or NULL. Ownership: the caller destroys it with tsim_report_destroy(),
 * before `c` and `m`, whose names and spill it borrows.
 * Errors: TSIM_EINVAL (nothing collected), TSIM_EIO (the spill cannot be read back).
 */
TSIM_API struct tsim_report *tsim_collect_report(struct tsim_collect *c,
                                                 const struct tsim_model *m,
                                                 const struct tsim_run_opts *o, int warmup_auto,
                                                 double wall_seconds);

/** Destroy `r`; NULL is a no-op. */
TSIM_API void tsim_report_destroy(struct tsim_report *r);

/** The run's fingerprint: one hash over its replications' fingerprints, in order. */
TSIM_API uint64_t tsim_report_fingerprint(const struct tsim_report *r);

/** Events executed, summed over the replications. */
TSIM_API uint64_t tsim_report_events(const struct tsim_report *r);

/**
 * Print the KPIs as an aligned table to `f` (block, type, KPI, mean ± 95% half-width, unit).
 * Errors: none; the caller checks `f`.
 */
TSIM_API void tsim_report_write_table(FILE *f, const struct tsim_report *r);

/** Write the run's JSON document (docs/outputs.md) to `f`. Errors: TSIM_EIO. */
TSIM_API int tsim_report_write_json(FILE *f, const struct tsim_report *r);

/**
 * Write DIR/summary.csv and DIR/replications.csv, creating `dir` if missing; each file whole or
 * not at all. Errors: TSIM_EIO with the path.
 */
TSIM_API int tsim_report_write_csv(const char *dir, const struct tsim_report *r);

/** What the results database keeps of a run beyond its report. Every text is borrowed. */
struct tsim_record_info {
    const char *model_path;
    const char *model_text;      /* may be NULL */
    size_t model_len;
    const char *options;         /* JSON object of the run's options */
    const char *command;         /* the command line as typed */
    const char *json;            /* the run's JSON document (may be NULL) */
    int threads;
    const atomic_int *interrupt; /* NULL, or a flag that abandons the record: nothing is kept */
};

/**
 * Record the run of `r` in the SQLite results database at `path` (made if new; one
 * transaction) and put its id in `*run_id`.
 * Errors: TSIM_EIO with SQLite's message (also when `info->interrupt` abandoned it).
 */
TSIM_API int tsim_report_record(const char *path, const struct tsim_report *r,
                                const struct tsim_record_info *info, int64_t *run_id);

/**
 * Trace the first replication of run `run_id`, just recorded in the results database at `path`
 * with model `m` and options `o`: run it again with an observer that samples, every `interval`
 * of model time from 0 to the end, the work in process, the completions and each block's content
 * and busy servers, and store the samples beside the run (tables run_traces, run_trace_blocks;
 * docs/dashboard.md). The replay must give the recorded fingerprint, else nothing is stored.
 * At most 100,000 samples are kept (fewer for models of more than 40 blocks); a longer trace is
 * stored cut off and marked so. `*samples` (may be NULL) gets the count.
 * Returns 0, 1 when `*stop` became nonzero (nothing stored), or an error: TSIM_EINVAL,
 * TSIM_EMODEL, TSIM_ESTATE (the replay differs), TSIM_EIO.
 */
TSIM_API int tsim_trace_record(const char *path, int64_t run_id, const struct tsim_model *m,
                               const struct tsim_run_opts *o, double interval,
                               const atomic_int *stop, size_t *samples);

/**
 * The options of a plain run as the results database keeps them: a one-line JSON object.
 * `warmup` < 0 is written "auto"; `json` and `csv` may be NULL; `orders` is the replication whose
 * orders table was kept (`--orders`), written "orders", or < 0 for none. Returns the text or NULL.
 * Ownership: the caller frees it with free(). Errors: TSIM_ENOMEM.
 */
TSIM_API char *tsim_run_options_json(int replications, uint64_t seed, double horizon,
                                     double warmup, int threads, const char *const *sets,
                                     int nsets, const char *json, const char *csv,
                                     long long orders);

/**
 * Write `len` bytes of `text` to `path` whole or not at all: into a temporary file beside it,
 * renamed over it once complete. "-" is standard output. Errors: TSIM_EIO with the path.
 */
TSIM_API int tsim_write_file(const char *path, const char *text, size_t len);

/* ---------------------------------------------------------------------------------------------
 * The results database, read back.
 * ------------------------------------------------------------------------------------------- */

/** Print the newest `limit` runs of database `path` (0: all) to `out`. Errors: TSIM_EIO. */
TSIM_API int tsim_db_list(const char *path, FILE *out, int limit);

/** What tsim_db_show prints of a run. */
enum tsim_db_show_what { TSIM_SHOW_TABLE, TSIM_SHOW_JSON, TSIM_SHOW_MODEL };

/**
 * Print run `id` (0: the newest) of database `path` to `out`: its settings and KPI table, its
 * JSON document, or its model text. Errors: TSIM_ENOENT (no such run), TSIM_EIO.
 */
TSIM_API int tsim_db_show(const char *path, int64_t id, enum tsim_db_show_what what, FILE *out);

/**
 * Print runs `a` and `b` (0: the newest) side by side to `out`: each KPI's means and the
 * difference b - a with its 95% interval (paired over common random numbers when the seeds
 * agree, Welch's otherwise). Errors: TSIM_ENOENT, TSIM_EINVAL (an experiment run), TSIM_EIO.
 */
TSIM_API int tsim_db_compare(const char *path, int64_t a, int64_t b, FILE *out);

/**
 * Write the self-contained HTML report of experiment or optimize run `run` (0: the newest
 * finished one) in database `db` to the file `out`.
 * Errors: TSIM_EIO, with the reason in tsim_errmsg().
 */
TSIM_API int tsim_report_html(const char *db, long run, const char *out);

/* ---------------------------------------------------------------------------------------------
 * The model's lint: likely mistakes that are not errors.
 * ------------------------------------------------------------------------------------------- */

/**
 * Append to `d` the warnings of the lint on model `m` run for `horizon` (0: unknown): blocks that
 * can never receive or never release, a buffer that can only fill, and such.
 * Ownership: `m` is borrowed. Errors: none.
 */
TSIM_API void tsim_model_lint(const struct tsim_model *m, double horizon, struct tsim_diags *d);

/* ---------------------------------------------------------------------------------------------
 * Experiments and the optimizer (docs/experiments.md).
 * ------------------------------------------------------------------------------------------- */

/** An experiment file, read and checked (opaque). */
struct tsim_experiment;

/** How an experiment or optimize run runs and what it leaves. Zero it, then set what you need. */
struct tsim_experiment_opts {
    int threads;      /* 0: every core; the results do not depend on it */
    const char *json; /* the JSON document's path ("-": standard output); NULL: none */
    const char *db;   /* the results database; NULL: none (no resume, no report) */
    int resume;       /* continue the last run of this experiment in `db` */
    int progress;     /* progress lines to the message receiver */
    int trace;        /* keep buffer content over time for the report (needs `db`) */
    FILE *out;        /* the comparison table; NULL: none */
    int has_seed;     /* `seed` replaces the file's */
    uint64_t seed;
    /* a duration ("30s", "5min"; a bare number in the model's time unit): also sample the
     * first replication of each scenario this often (WIP, completions, each block's content
     * and busy servers) into `db`, as `twinsim run --trace` does for a run; NULL: none */
    const char *trace_every;
};

/** The status an experiment driver returns when its stop flag stopped it. */
#define TSIM_EXPERIMENT_STOPPED 130

/**
 * Read and check the experiment file at `path`, appending its problems to `d`.
 * Returns the experiment, or NULL when `d` holds an error. Ownership: the caller destroys it
 * with tsim_experiment_destroy().
 */
TSIM_API struct tsim_experiment *tsim_experiment_load(const char *path, struct tsim_diags *d);

/** Destroy `e`; NULL is a no-op. */
TSIM_API void tsim_experiment_destroy(struct tsim_experiment *e);

/**
 * Run every scenario of `e` for the replications its confidence interval needs and compare them.
 * Returns 0; TSIM_EXPERIMENT_STOPPED when the stop flag stopped it (what was kept is said
 * through the message receiver); 1 when it failed, its reasons said through the message
 * receiver (several may come: every diagnostic of the model, the database's problem).
 */
TSIM_API int tsim_experiment_run(const struct tsim_experiment *e,
                                 const struct tsim_experiment_opts *o);

/** Search the factors of `e` for the best objective (its `optimize` section). As above. */
TSIM_API int tsim_optimize_run(const struct tsim_experiment *e,
                               const struct tsim_experiment_opts *o);

/**
 * The flag every sim of a running experiment watches: a signal handler stores the signal's
 * number in it (atomic_exchange is async-signal-safe) to stop the run at a point that keeps the
 * database whole. Ownership: static, process-wide.
 */
TSIM_API atomic_int *tsim_experiment_stop_flag(void);

/**
 * The MPI farm (docs/experiments.md). tsim_mpi_start initialises MPI and returns 1 on a worker
 * rank (which then calls tsim_mpi_serve), 0 on rank 0 or a single rank, and -1 (MPI already
 * finalised, the reason said through the message receiver) when this binary's MPI is not the
 * launcher's. tsim_mpi_serve serves jobs until rank 0 is done and returns an exit status;
 * tsim_mpi_finish finalises MPI (a no-op when it was never started). A rank that fails ends the
 * whole job with MPI_Abort: the other ranks wait on it inside MPI and could not be told
 * otherwise. In a build without MPI, tsim_mpi_start says rank 0 of 1, tsim_mpi_serve returns 1
 * with TSIM_EINVAL's message in tsim_errmsg(), and tsim_mpi_finish does nothing.
 */
TSIM_API int tsim_mpi_start(int *argc, char ***argv, int *rank, int *size);
TSIM_API int tsim_mpi_serve(const struct tsim_experiment *e, const struct tsim_experiment_opts *o);
TSIM_API void tsim_mpi_finish(void);

/* ---------------------------------------------------------------------------------------------
 * The live twin and the emulator (docs/twin.md), in a build with MQTT (libmosquitto, cJSON).
 * ------------------------------------------------------------------------------------------- */

/** How to reach the MQTT broker. Set it with tsim_mqtt_opts_init(), then change fields. */
struct tsim_mqtt_opts {
    const char *host;     /* loopback by default */
    int port;
    const char *client_id;
    const char *username, *password;
    const char *cafile, *capath, *certfile, *keyfile;
    int tls_insecure;
    int keepalive;
    int clean;            /* 0: persistent session (the twin's default) */
    int qos;
    int verbose;
    /* Status for late subscribers (all three or none): `status_online` is published retained on
     * `status_topic` after every connect, `status_lost` is the will the broker publishes when
     * the connection breaks, `status_offline` is published retained on a clean stop. */
    const char *status_topic, *status_online, *status_lost, *status_offline;
};
/**
 * Set `o` to the defaults: the broker at 127.0.0.1:1883, keepalive 30 s, QoS 1, a persistent
 * session, no TLS, no status topic. Errors: none.
 */
TSIM_API void tsim_mqtt_opts_init(struct tsim_mqtt_opts *o);

/* How the twin and the emulator report: the library prints nothing, the command prints what
 * its log callback receives. `key` is one word naming what happened (a stable interface, listed
 * in docs/twin.md); `text` is one line for people. */
enum tsim_log_level {
    TSIM_LOG_PROBLEM,    /* always worth a line */
    TSIM_LOG_RECOVERED,  /* a problem said before is over (a connection made) */
    TSIM_LOG_INFO        /* progress: --verbose */
};
/** Receives what the twin or the emulator has to say (called on the twin's own thread). */
typedef void tsim_log_fn(void *ctx, enum tsim_log_level level, const char *key,
                         const char *text);

/** How the live twin runs (docs/twin.md). Zero it, set `mqtt` with tsim_mqtt_opts_init(). */
struct tsim_twin_opts {
    struct tsim_mqtt_opts mqtt;
    uint64_t seed;        /* the live sim's seed */
    const char *db;       /* SQLite file; NULL: none */
    int sync_full;        /* every commit on disk before the broker hears of it (power cuts) */
    /* What the recording must have been made with (the command passes hashes of the model and
     * mapping files); NULL: not checked. */
    const char *model_id, *mapping_id;
    double until;         /* stop once the plant time reaches this model time; < 0: never */
    double checkpoint;    /* write both views every this much model time; 0: never */
    FILE *state_out;
    double idle_exit_s;   /* stop after this many wall seconds without a message; 0: never */
    int verbose;
    int has_origin;
    double origin;        /* overrides the mapping's */
    const volatile sig_atomic_t *stop; /* set (by a signal handler) to stop; may be NULL */
    tsim_log_fn *log;
    void *log_ctx;
    /* Live news for a dashboard in the same process, called on the twin's thread: `kind`
     * "state" with the twin's state (as published on the state topic) at most every
     * `live_every_s` wall seconds while messages are handled, and once at the start and the
     * end; "forecast" with each finished forecast; "alert" with each alert. NULL: none. */
    void (*live)(void *ctx, const char *kind, const char *json);
    void *live_ctx;
    double live_every_s;  /* 0: 0.2 */
};

/** How the emulator plays a model as a plant. Zero it, set `mqtt` with tsim_mqtt_opts_init(). */
struct tsim_emulate_opts {
    struct tsim_mqtt_opts mqtt;
    uint64_t seed;
    double speed;         /* simulated seconds per wall second; 0: as fast as possible */
    double until;         /* model time to stop */
    double checkpoint;    /* write the plant's state every this much model time; 0: never */
    FILE *state_out;
    int has_origin;
    double origin;        /* plant seconds of model time 0; default: the wall clock at start */
    int batch;            /* events per message, at most; 1: one event per message */
    double connect_timeout_s; /* give up when the first connection takes longer; 0: 10 s */
    double drain_s;       /* at the end, wait this long at most for the broker's acks; 0: 60 s */
    int verbose;
    const volatile sig_atomic_t *stop; /* set (by a signal handler) to stop; may be NULL */
    tsim_log_fn *log;
    void *log_ctx;
};

/** A mapping of plant messages onto a model's blocks (opaque). */
struct tsim_mapping;

/**
 * Read the mapping file at `path` and check it against model `m` (block, product and pool names),
 * appending every problem to `d`. Returns the mapping, or NULL when `d` holds an error.
 * Ownership: the caller destroys it with tsim_mapping_destroy(); `m` must outlive it.
 */
TSIM_API struct tsim_mapping *tsim_mapping_load_file(const char *path, const struct tsim_model *m,
                                                     struct tsim_diags *d);

/** Destroy `map`; NULL is a no-op. */
TSIM_API void tsim_mapping_destroy(struct tsim_mapping *map);

/**
 * Override the mapping's forecast settings: `every_s` wall seconds between forecasts (0: only on
 * request; < 0: keep the file's) and `replications` per forecast (0: keep the file's).
 * Errors: none.
 */
TSIM_API void tsim_mapping_set_forecasts(struct tsim_mapping *map, double every_s,
                                         int replications);

/**
 * Run the live twin of `m` on the plant's messages until `*o->stop`, `o->until` or an idle exit.
 * With `o->db` it continues the recording found there (replaying it first) or refuses another
 * model's, mapping's, seed's or origin's. Everything it has to say goes to `o->log`.
 * Returns 0, or 1 when it could not run (model, recording) or never connected before an idle
 * exit. Ownership: `m` and `map` are borrowed; `m` is the twin's live model while it runs.
 */
TSIM_API int tsim_twin_run(struct tsim_model *m, const struct tsim_mapping *map,
                           const struct tsim_twin_opts *o);

/**
 * Replay forecast `id` recorded in database `db`: feed its recorded messages to a fresh twin,
 * forecast again, write the JSON to `out` and compare it with the recorded one.
 * Returns 0 when they are equal. Errors: TSIM_EINVAL (they differ, or the recording cannot be
 * replayed), with the reason in tsim_errmsg().
 */
TSIM_API int tsim_twin_replay(struct tsim_model *m, struct tsim_mapping *map, const char *db,
                              uint64_t id, FILE *out);

/**
 * Play `m` as a plant to `o->until`, publishing its events as the mapping expects them.
 * Returns 0 when the broker acknowledged every message, 1 otherwise (never connected, or messages
 * left unacknowledged; said through `o->log`).
 */
TSIM_API int tsim_emulate_run(const struct tsim_model *m, const struct tsim_mapping *map,
                              const struct tsim_emulate_opts *o);

/**
 * Parse an RFC 3339 UTC time ("2026-11-29T06:00:00Z", fraction and offset allowed) into Unix
 * seconds in `*out`. Errors: TSIM_EINVAL when `s` is not one.
 */
TSIM_API int tsim_iso_time(const char *s, double *out);

#ifdef __cplusplus
}
#endif

#endif
