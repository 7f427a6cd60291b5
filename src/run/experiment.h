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

#include "twinsim.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

struct tsim__json;
typedef void tsim__xjson_extra_fn(struct tsim__json *j, void *ctx);

/* Caps on what an experiment file may ask for (curl-style: anything from outside is bounded). */
#define TSIM__X_MAX_FACTORS 32
#define TSIM__X_MAX_SCENARIOS 100000
#define TSIM__X_MAX_REPS 10000000
#define TSIM__X_MAX_FILE (1u << 20)
#define TSIM__XROW_EXTRA 4

enum tsim__factor_kind {
    TSIM__FACTOR_LIST, /* values as written: numbers, distributions, anything set_param takes */
    TSIM__FACTOR_INT,  /* integers lo, lo+step, ..., <= hi */
    TSIM__FACTOR_REAL  /* continuous [lo, hi]; a full design needs a step */
};

struct tsim__factor {
    char *path;
    enum tsim__factor_kind kind;
    int nvalues;
    char **values;      /* LIST */
    double lo, hi, step; /* INT, REAL (step 0: continuous) */
    char *format;        /* NULL, or "exponential({})": the text set_param gets for a value */
    int line, col;
};

/* A linear expression over KPIs and factors: constant + sum coef * term. */
enum tsim__term_kind { TSIM__TERM_KPI, TSIM__TERM_FACTOR };
struct tsim__term {
    double coef;
    enum tsim__term_kind kind;
    int index; /* KPI index (after binding) or factor index */
    char *name;
};
struct tsim__expr {
    char *text;
    double constant;
    int n;
    struct tsim__term *terms;
};

enum tsim__cmp { TSIM__LE, TSIM__GE };
struct tsim__constraint {
    struct tsim__expr lhs;
    enum tsim__cmp op;
    double bound;
    char *bound_text;
    int line, col;
};

struct tsim__until {
    struct tsim__expr what;
    double rel; /* relative 95% half-width target, e.g. 0.01 */
};

enum tsim__design { TSIM__DESIGN_FULL, TSIM__DESIGN_LHS };

/* A parsed experiment file. */
struct tsim__xspec {
    char *file;       /* as given */
    char *dir;        /* its directory, for the model path */
    char *model_path; /* resolved */
    uint64_t text_hash;
    int nfactors;
    struct tsim__factor factors[TSIM__X_MAX_FACTORS];
    enum tsim__design design;
    int lhs_n;
    int rep_min, rep_max;
    int nuntil;
    struct tsim__until *until;
    int crn;
    int has_objective, maximize;
    struct tsim__expr objective;
    int obj_line, obj_col;
    int ncons;
    struct tsim__constraint *cons;
    int has_seed;
    uint64_t seed;
    int has_horizon, has_warmup;
    char *horizon_text, *warmup_text; /* converted with the model's time unit when binding */
    /* optimize */
    int budget;       /* total replications the optimizer may spend */
    int initial;      /* points in the initial design (0: automatic) */
    int opt_reps;     /* replications of a new point (0: rep_min) */
};

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

/* Builds a fresh copy of the base model (one per scenario). The default loads spec->model_path. */
typedef struct tsim_model *tsim__model_fn(void *ctx, struct tsim_run_spec *run,
                                          struct tsim_diags *d);

struct tsim__xopts {
    int threads;         /* 0: every core */
    const char *json;    /* may be NULL */
    const char *db;      /* may be NULL */
    int resume;
    int progress;        /* draw a progress bar on stderr */
    int trace;           /* record buffer content over time for the report (needs db) */
    const char *trace_every; /* sample replication 0 of each scenario this often; NULL: no */
    FILE *out;           /* comparison table; NULL: none */
    int has_seed;
    uint64_t seed;
    tsim__model_fn *make_model; /* NULL: load spec->model_path */
    void *make_ctx;
    const char *kind;    /* "experiment" or "optimize" (set by the driver) */
};

/* One scenario: a point of the factor space and everything gathered about it. */
struct tsim__scen {
    char **values;           /* one text per factor */
    double *num;             /* numeric value per factor (NaN if not a number) */
    struct tsim_model *model;
    uint64_t seed;
    int n;                   /* replications folded in */
    int want;                /* replications planned */
    int done;                /* no more replications */
    struct tsim_tally *kt;   /* per KPI, folded in replication order */
    double *track;           /* per replication: objective, then each constraint lhs */
    size_t track_cap;
    uint64_t fp;             /* hash of the replications' fingerprints, in order */
    uint64_t events;
};

struct tsim__job {
    uint32_t scen;
    uint32_t rep;
};

struct tsim__xrun;
/* Runs jobs[0..n) filling rows (n * row_len doubles); calls tsim__xrun_job_done as each
 * finishes, on the calling thread. Returns 0, or 1 when stopped (interrupt), or TSIM_E*. */
typedef int tsim__exec_fn(struct tsim__xrun *x, const struct tsim__job *jobs, size_t n,
                          double *rows);

/* A worker's cached sim: replications of one model reuse it through tsim_sim_reset. */
struct tsim__xworker {
    const struct tsim_model *model;
    struct tsim_sim *sim;
    struct tsim_result res;
};

struct tsim__xdb;

struct tsim__xrun {
    const struct tsim__xspec *spec;
    struct tsim__xopts opts;
    uint64_t seed;
    double horizon, warmup;
    double trace_every; /* opts.trace_every in the model's unit; 0: no sampled traces */
    const char *time_unit;
    char unit_buf[8];
    /* KPIs, as the probe sim listed them */
    size_t nkpi, row_len;
    char **kpi_names;      /* "system.throughput", "filler.states.busy" */
    int *kpi_block;
    const char **kpi_short; /* the KPI's own name: the tail of kpi_names[i] */
    int ntrack;            /* 1 + ncons when there is an objective, else 0 */
    /* scenarios */
    size_t nscen, cap_scen;
    struct tsim__scen *scen;
    /* execution */
    tsim__exec_fn *exec;
    void *exec_ctx;
    int nworkers;
    struct tsim__xworker *workers;
    int ranks;
    struct tsim__xdb *db;
    /* progress */
    uint64_t jobs_total, jobs_done;
    double t_start, t_last_draw;
    int interrupted;
    const struct tsim__job *cur_jobs;
    double *cur_rows;
    /* the best and its peers after the last comparison (arrays of nscen) */
    long best;
    int nfeasible;
    int *same_as_best;
    double *cmp_mean, *cmp_hw;
    double cmp_level;
    /* test hooks (environment): stop or die after this many finished jobs */
    uint64_t stop_after, kill_after;
    double last_flush, commit_s; /* commit stored rows at most every commit_s seconds */
    int error;
    int model_warned; /* the model file's warnings were printed */
};

/*
 * The experiment drivers' stop request: nonzero stops them. Set it from any thread or from a
 * signal handler (the CLI stores the signal's number there on SIGINT and SIGTERM). Every sim of
 * an experiment watches it (tsim__sim_watch), so a replication in progress, even one that would
 * never end, returns within 4,096 events; its row is dropped, the finished ones are kept,
 * and the run ends as "interrupted" (resumable with --resume).
 */
extern atomic_int tsim__x_stop;

/* Lifecycle: init binds the spec (factor names, expressions) and builds the probe; then add
 * scenarios; run rounds; compare; write. Call release after init whether or not it failed. */
int tsim__xrun_init(struct tsim__xrun *x, const struct tsim__xspec *s, const struct tsim__xopts *o,
                    struct tsim_diags *d);
void tsim__xrun_release(struct tsim__xrun *x);
/* Add a scenario with one value text per factor; returns its index or a negative TSIM_E*. */
long tsim__xrun_add_scenario(struct tsim__xrun *x, char **values, struct tsim_diags *d);
/* Bring every listed scenario to its `want` replications (one round, chunked). 0, 1 if stopped. */
int tsim__xrun_round(struct tsim__xrun *x, const size_t *scen, size_t nscen);
/* The objective of scenario s: mean and half-width over its replications (track[0]). */
void tsim__xrun_objective(const struct tsim__xrun *x, size_t s, struct tsim_summary *out);
/* Is scenario s feasible by its means (every constraint)? */
int tsim__xrun_feasible(const struct tsim__xrun *x, size_t s);
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
/* What the command mains return when tsim__x_stop stopped them (the CLI turns it into
 * 128 + the signal's number). */
#define TSIM__X_INTERRUPTED 130
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

/* Seed of scenario s (common random numbers or not). */
uint64_t tsim__xscen_seed(uint64_t seed, int crn, size_t s);

/* Whole commands, used by the CLI (and the MPI farm's rank 0). Return a process exit code. */
int tsim__experiment_main(const struct tsim__xspec *s, const struct tsim__xopts *o);
int tsim__optimize_main(const struct tsim__xspec *s, const struct tsim__xopts *o);

/* Thread pool (pool.c): run fn(ctx, worker, i) for i in [0, n) on `threads` threads, calling
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

/* Output (src/results/exp_write.c): JSON, SQLite store, comparison table. */
int tsim__xdb_open(struct tsim__xrun *x, const char *path, int resume);
void tsim__xdb_close(struct tsim__xrun *x, const char *status);
/* Look up a stored replication; fills row and returns 1 if found. */
int tsim__xdb_lookup(struct tsim__xrun *x, uint32_t scen, uint32_t rep, double *row);
/* Store a finished replication's row; commit what is stored. 0, or -1 after saying why (a full
 * disk): the driver then stops, as what it computes could no longer be kept. */
int tsim__xdb_put(struct tsim__xrun *x, uint32_t scen, uint32_t rep, const double *row);
int tsim__xdb_flush(struct tsim__xrun *x);
void tsim__xdb_put_scenario(struct tsim__xrun *x, size_t s);
/* Record the finished run: summaries, JSON and status "done", all or nothing. 0, or -1 after
 * saying why. */
int tsim__xdb_finish(struct tsim__xrun *x, const char *json);
/* A buffer's trace: n points. Exact (lo and hi NULL): the content is v[i] from t[i] on, the
 * last point at the run's end. In intervals: t holds n + 1 edges, the last the run's end, and
 * the interval from t[i] to t[i + 1] has time-weighted mean v[i], lowest content lo[i] and
 * highest hi[i]. */
void tsim__xdb_put_trace(struct tsim__xrun *x, size_t s, int block, const double *t,
                         const double *v, const double *lo, const double *hi, size_t n);
/* The samples of replication 0 of scenario s (`--trace T`, run/trace.h), in the open batch. */
struct tsim__trace;
void tsim__xdb_put_samples(struct tsim__xrun *x, size_t s, const struct tsim__trace *tr);
/* Write the JSON document to `path` (NULL: nowhere; "-": standard output; a file is written
 * whole or not at all) and return its text in *out_text (free()). `extra` adds members (the
 * optimizer's path) before the timing line. 0, or TSIM_EIO with the reason in tsim_errmsg(). */
int tsim__xjson_write(struct tsim__xrun *x, const char *path, tsim__xjson_extra_fn *extra,
                      void *extra_ctx, double wall_s, char **out_text);
void tsim__xtable_print(struct tsim__xrun *x, FILE *f);

/* The HTML report (src/results/report.c) of run `run` (0: the newest finished one) in database
 * `db`, written to `out`. Returns 0, or -1 with a message for people in `err`. */
int tsim__report_html(const char *db, long run, const char *out, char *err, size_t errlen);

/* Small helpers shared by the run layer. */
double tsim__x_now(void);
/* The diagnostics `d` of `file`, as tsim_diags_print writes them, to the message receiver. */
void tsim__x_say_diags(const struct tsim_diags *d, const char *file);
/* Shortest text that reads back as exactly `v`. */
void tsim__x_fmt_double(char *buf, size_t len, double v);
/* Evaluate expression e on a row (KPIs) of scenario s. */
double tsim__xexpr_eval(const struct tsim__xrun *x, const struct tsim__expr *e, size_t s,
                        const double *row);

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
