/*
 * An experiment's data: the parsed experiment file, the options, the scenarios and the run that
 * holds them, with the few helpers that every part of the experiment driver shares (xrun.c).
 * The lowest floor of the experiment files: the store (exp_store.c), the engine of rounds
 * (experiment.c), the designs, the comparison, the traces, the MPI farm and the commands
 * (exp_main.c, optimize.c) stand on it, and it calls none of them. Internal, not API.
 */
#ifndef TSIM_RUN_XRUN_H
#define TSIM_RUN_XRUN_H

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

/* What the command mains return when tsim__x_stop stopped them (the CLI turns it into
 * 128 + the signal's number). */
#define TSIM__X_INTERRUPTED 130

/* Small helpers shared by the run layer. */
double tsim__x_now(void);
/* The diagnostics `d` of `file`, as tsim_diags_print writes them, to the message receiver. */
void tsim__x_say_diags(const struct tsim_diags *d, const char *file);
/* Shortest text that reads back as exactly `v`. */
void tsim__x_fmt_double(char *buf, size_t len, double v);
/* Evaluate expression e on a row (KPIs) of scenario s. */
double tsim__xexpr_eval(const struct tsim__xrun *x, const struct tsim__expr *e, size_t s,
                        const double *row);
/* Seed of scenario s (common random numbers or not). */
uint64_t tsim__xscen_seed(uint64_t seed, int crn, size_t s);
/* The objective of scenario s: mean and half-width over its replications (track[0]). */
void tsim__xrun_objective(const struct tsim__xrun *x, size_t s, struct tsim_summary *out);
/* Is scenario s feasible by its means (every constraint)? */
int tsim__xrun_feasible(const struct tsim__xrun *x, size_t s);
/* Summary of the j-th tracked value (0: the objective, 1 + c: constraint c's left side) over
 * replications [0, m) of scenario sc, with a `level` confidence interval. */
struct tsim_summary;
void tsim__xrun_track(const struct tsim__xrun *x, const struct tsim__scen *sc, int j, size_t m,
                      double level, struct tsim_summary *out);

#endif
