/*
 * twinsim.h: the public C API of twinsim, a discrete-event simulation engine for factories and
 * logistics. This header is the contract and the manual: what is not declared here is not API.
 *
 * Data flows one way: a `struct tsim_model` (an immutable description: products, blocks, routes,
 * distributions) is instantiated into a `struct tsim_sim` (all mutable state of one replication),
 * which runs and yields a `struct tsim_result` (that replication's KPIs). Summaries over
 * replications carry 95% confidence intervals.
 *
 * Conventions: functions returning `int` return 0 (TSIM_OK) or a negative TSIM_E* code, and leave
 * a message naming the function and the problem in tsim_errmsg(). Times at the API are doubles in
 * the model's time unit; inside a sim they are 64-bit integer ticks (see tsim_model_set_resolution).
 */
#ifndef TWINSIM_H
#define TWINSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TSIM_VERSION "0.1.0"
#define TSIM_API __attribute__((visibility("default")))

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

/* One list of error codes; tsim_strerror() is generated from the same list. */
#define TSIM_ERRNO_MAP(X)                                  \
    X(EINVAL, -1, "invalid argument")                      \
    X(ENOMEM, -2, "out of memory")                         \
    X(ENOENT, -3, "no such name")                          \
    X(ERANGE, -4, "value out of range")                    \
    X(EEXIST, -5, "name already defined")                  \
    X(ESTATE, -6, "operation not allowed in this state")   \
    X(EIO, -7, "input/output error")                       \
    X(EPARSE, -8, "syntax error")                          \
    X(EMODEL, -9, "the model has errors")                  \
    X(ELIMIT, -10, "a size limit was exceeded")

enum tsim_errno {
    TSIM_OK = 0,
#define TSIM__ERR_ENUM(name, code, text) TSIM_##name = code,
    TSIM_ERRNO_MAP(TSIM__ERR_ENUM)
#undef TSIM__ERR_ENUM
};

/**
 * The text of error code `err` ("invalid argument"); "unknown error" for a code not in the list.
 * Ownership: the string is static.
 */
TSIM_API const char *tsim_strerror(int err);

/**
 * The message of the last error raised by a twinsim call on this thread, naming the function and
 * the problem ("tsim_model_add_block: duplicate name 'filler'"). Empty when there was none.
 * Ownership: thread-local buffer, valid until the next failing call on this thread.
 */
TSIM_API const char *tsim_errmsg(void);

/**
 * Receives the text the library has for the user beyond a call's return code: progress, notes
 * ("nothing to resume ...: starting afresh"), the diagnostics of a long-running driver and the
 * lines of an interrupted one. `text` is meant to be shown verbatim: it ends in a newline, or
 * starts with '\r' and redraws a progress line.
 */
typedef void tsim_message_fn(void *ctx, const char *text);

/**
 * Set the one receiver of the library's messages for the whole process (the command sets one
 * that writes to stderr); NULL, the default, drops them. The library itself never writes to
 * stdout or stderr, never exits and never installs a signal handler; a misused call (a programmer
 * error) asserts: it says why on stderr and aborts.
 * Ownership: `ctx` is borrowed until the next call. Errors: none. Not thread-safe: set it before
 * starting any work; `fn` may be called from worker threads, one call at a time.
 */
TSIM_API void tsim_set_message_fn(tsim_message_fn *fn, void *ctx);

/* ---------------------------------------------------------------------------------------------
 * Random streams: xoshiro256** seeded through splitmix64.
 * ------------------------------------------------------------------------------------------- */

/* A random stream. A value type: copy it to fork the stream, no release needed. */
struct tsim_rng {
    uint64_t s[4];
};

/**
 * Seed `r` from one 64-bit value through splitmix64, as the xoshiro authors recommend.
 */
TSIM_API void tsim_rng_seed(struct tsim_rng *r, uint64_t seed);

/**
 * Derive the stream for (seed, replication, name): the same inputs give the same stream on any
 * machine; different names give streams that do not depend on each other's existence, so adding
 * a block never shifts another block's draws. `name` is a block name, optionally with a purpose
 * ("filler/process"). Errors: a NULL `name` asserts.
 */
TSIM_API void tsim_rng_stream(struct tsim_rng *r, uint64_t seed, uint64_t replication,
                              const char *name);

/** The next 64 random bits. */
TSIM_API uint64_t tsim_rng_next(struct tsim_rng *r);

/** A uniform double in the open interval (0, 1) with 53 random bits: k / 2^53 for the top 53 bits
 * k of the next output, and 2^-54 for k = 0. */
TSIM_API double tsim_rng_uniform(struct tsim_rng *r);

/** Advance `r` by 2^128 draws (the reference jump), giving a non-overlapping substream. */
TSIM_API void tsim_rng_jump(struct tsim_rng *r);

/* ---------------------------------------------------------------------------------------------
 * Distributions
 * ------------------------------------------------------------------------------------------- */

enum tsim_dist_kind {
    TSIM_DIST_CONSTANT,    /* (value) */
    TSIM_DIST_UNIFORM,     /* (a, b) */
    TSIM_DIST_TRIANGULAR,  /* (min, mode, max) */
    TSIM_DIST_EXPONENTIAL, /* (mean) */
    TSIM_DIST_NORMAL,      /* (mean, sd); negative draws are clamped to 0 when used as a time */
    TSIM_DIST_LOGNORMAL,   /* (mean, sd) of the variable itself, not of its logarithm */
    TSIM_DIST_GAMMA,       /* (shape, scale) */
    TSIM_DIST_ERLANG,      /* (k, mean): the sum of k exponentials, total mean `mean` */
    TSIM_DIST_WEIBULL,     /* (shape, scale) */
    TSIM_DIST_BETA,        /* (a, b, min, max): beta(a, b) scaled to [min, max] */
    TSIM_DIST_PERT,        /* (min, mode, max): beta-PERT with lambda 4 */
    TSIM_DIST_DISCRETE,    /* values with probabilities (table) */
    TSIM_DIST_EMPIRICAL,   /* piecewise-linear inverse CDF through data points (table) */
    TSIM_DIST_KIND_COUNT
};

/*
 * A distribution: a small value type. `p` holds the parameters as given; `q` holds values
 * precomputed by tsim_dist_init (so that a draw does no setup work). Table kinds own `x` and `c`
 * (values and cumulative probabilities, length `n`): release them with tsim_dist_release; copy
 * such a distribution only with tsim_dist_copy.
 */
struct tsim_dist {
    enum tsim_dist_kind kind;
    uint32_t n;
    double p[4];
    double q[4];
    double *x;
    double *c;
};

/**
 * Initialise `d` as `kind` with `nparams` parameters (see enum tsim_dist_kind for their order).
 * Ranges may be empty (min == max: a constant); erlang's k is a whole number >= 1.
 * Errors: TSIM_EINVAL for a table kind or a wrong count, TSIM_ERANGE for impossible values
 * (negative mean, sd < 0, min > max, shape <= 0, not finite, ...); `d` is then a constant 0.
 */
TSIM_API int tsim_dist_init(struct tsim_dist *d, enum tsim_dist_kind kind, const double *params,
                            int nparams);

/**
 * Initialise `d` as a table kind. DISCRETE: `values[i]` with probability `probs[i]` (they must
 * sum to 1 within 1e-9). EMPIRICAL: data points; the inverse CDF is piecewise linear through the
 * sorted points, `probs` must be NULL.
 * Ownership: the arrays are copied; release `d` with tsim_dist_release.
 * Errors: TSIM_EINVAL (n == 0, probabilities that do not sum to 1, negative probability).
 */
TSIM_API int tsim_dist_init_table(struct tsim_dist *d, enum tsim_dist_kind kind,
                                  const double *values, const double *probs, uint32_t n);

/** Free what a table kind owns; `d` becomes a constant 0. A no-op for other kinds. */
TSIM_API void tsim_dist_release(struct tsim_dist *d);

/** Deep-copy `src` into `dst` (which must not own tables). Errors: TSIM_ENOMEM never returns. */
TSIM_API void tsim_dist_copy(struct tsim_dist *dst, const struct tsim_dist *src);

/** One draw from `d` using stream `r` (normal draws are not clamped here). `d` is not changed:
 * the same stream state gives the same draw. */
TSIM_API double tsim_dist_sample(const struct tsim_dist *d, struct tsim_rng *r);

/** The theoretical mean and variance of `d`. */
TSIM_API double tsim_dist_mean(const struct tsim_dist *d);
/** The theoretical variance of `d` (0 for a constant). Errors: none. */
TSIM_API double tsim_dist_variance(const struct tsim_dist *d);

/** The name of `kind` as written in model files ("exponential"). */
TSIM_API const char *tsim_dist_kind_name(enum tsim_dist_kind kind);

/**
 * Parse a distribution written as in model files: a bare number, "constant(x)", "uniform(a, b)",
 * "exponential(2min)", "discrete(1: 0.5, 2: 0.5)", ... Durations with units are converted to
 * `time_unit` ("s", "min", "h", "d"; NULL or "" means no unit may be written).
 * `empirical("file.csv")` reads the file relative to `base_dir` (may be NULL).
 * Errors: TSIM_EPARSE with a message in `err` (lowercase, subject in single quotes) and the byte
 * offset of the problem in `*err_at` (may be NULL).
 */
TSIM_API int tsim_dist_parse(struct tsim_dist *d, const char *text, const char *time_unit,
                             const char *base_dir, char *err, size_t errlen, size_t *err_at);

/**
 * Parse a duration such as "30s", "5min", "2h", "1.5d" or a bare number (already in
 * `time_unit`) into `*out` in `time_unit`. Errors: TSIM_EPARSE (unknown unit, not a number).
 */
TSIM_API int tsim_duration_parse(const char *text, const char *time_unit, double *out);

/** How many of `to_unit` make one `from_unit` (units "s", "min", "h", "d"); 0 if unknown. */
TSIM_API double tsim_unit_factor(const char *from_unit, const char *to_unit);

/* ---------------------------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------------------------- */

/* Observations: count, Welford mean and sum of squared deviations, min, max. */
struct tsim_tally {
    uint64_t n;
    double mean, m2, min, max;
};

/** An empty tally. Ownership: a caller-owned value; nothing to release. */
TSIM_API void tsim_tally_init(struct tsim_tally *t);
/** Add observation `x`. */
TSIM_API void tsim_tally_add(struct tsim_tally *t, double x);
/** Sample variance (n - 1 in the denominator); 0 when n < 2. */
TSIM_API double tsim_tally_variance(const struct tsim_tally *t);
/** Merge `b` into `a` (Chan et al.): as if every observation of `b` had been added to `a`. */
TSIM_API void tsim_tally_merge(struct tsim_tally *a, const struct tsim_tally *b);

/* A level over time (queue content, WIP): its time-weighted mean and maximum. Times are any
 * consistent unit (the engine uses ticks). */
struct tsim_level {
    double t_start, t_last, value, area, max;
};

/** Start the level at `value` at time `t0`. Ownership: a caller-owned value; nothing to release. */
TSIM_API void tsim_level_init(struct tsim_level *l, double t0, double value);
/** The level becomes `value` at time `t` (t >= the last change; an earlier `t` asserts, as it
 * does in restart and mean). */
TSIM_API void tsim_level_set(struct tsim_level *l, double t, double value);
/** Restart the observation at `t`, keeping the current value (warm-up deletion). */
TSIM_API void tsim_level_restart(struct tsim_level *l, double t);
/** Time-weighted mean from the start to `t_now`; the current value if no time has passed. */
TSIM_API double tsim_level_mean(const struct tsim_level *l, double t_now);

/* A histogram with equal-width bins over [lo, hi) plus an underflow and an overflow count;
 * quantiles interpolate linearly within a bin. */
struct tsim_hist {
    double lo, hi, width;
    uint32_t nbins;
    uint64_t n, under, over;
    uint64_t *bins;
};

/** Errors: TSIM_EINVAL for nbins == 0 or hi <= lo. Ownership: release with tsim_hist_release. */
TSIM_API int tsim_hist_init(struct tsim_hist *h, double lo, double hi, uint32_t nbins);
/** Free the bins of `h` and zero it; a zeroed or released `h` is a no-op. */
TSIM_API void tsim_hist_release(struct tsim_hist *h);
/** Count `x`; NaN is not counted. */
TSIM_API void tsim_hist_add(struct tsim_hist *h, double x);
/** The `p`-quantile (0 <= p <= 1); clamps to lo or hi when it falls in under- or overflow; NaN
 * for an empty histogram. */
TSIM_API double tsim_hist_quantile(const struct tsim_hist *h, double p);

/* A figure over replications: mean, sample sd, 95% half-width (Student t), min, max. */
struct tsim_summary {
    uint64_t n;
    double mean, sd, half_width, min, max;
};

/**
 * The quantile of Student's t distribution with `df` degrees of freedom at probability `p`
 * (0 < p < 1), exact to about 1e-10 (inverse of the regularized incomplete beta function).
 * `df` may be fractional; df = +inf gives the normal quantile. p = 0 and p = 1 give -inf and
 * +inf; p outside [0, 1], or df <= 0 or NaN, give NaN.
 */
TSIM_API double tsim_t_quantile(double p, double df);

/** Summarise `n` values with a `level` (e.g. 0.95) confidence interval for the mean. With n = 1
 * the sd is 0 and half_width is NaN (no interval from one value); with n = 0 every figure is NaN.
 * Errors: `level` outside (0, 1) asserts. */
TSIM_API void tsim_summary_of(struct tsim_summary *s, const double *x, size_t n, double level);

/**
 * Batch means for one long run: split `x` (n observations, in order) into `nbatches` equal
 * batches (a tail that does not fill a batch is dropped) and summarise the batch means.
 * Errors: TSIM_EINVAL when nbatches < 2 or n < nbatches.
 */
TSIM_API int tsim_batch_means(struct tsim_summary *s, const double *x, size_t n, size_t nbatches,
                              double level);

/**
 * MSER-5 warm-up detection: average `x` in batches of 5, then find the truncation point d that
 * minimises the marginal standard error of the remaining batches, searching the first half only.
 * Returns the number of raw observations to delete (a multiple of 5), 0 for n < 10.
 */
TSIM_API size_t tsim_mser5(const double *x, size_t n);

/* ---------------------------------------------------------------------------------------------
 * Models: immutable descriptions built once and shared by any number of sims.
 * ------------------------------------------------------------------------------------------- */

struct tsim_model;

/*
 * Block types. The enum names the built-in types; the library may have more, each with an index
 * from TSIM_BLOCK_TYPE_COUNT on, found by name (tsim_block_type_find) and given parameters by key
 * (tsim_block_set_number, tsim_block_set_dist, tsim_model_set_param). Any index below
 * tsim_block_type_count() is a valid `enum tsim_block_type`.
 */
enum tsim_block_type {
    TSIM_SOURCE,
    TSIM_BUFFER,
    TSIM_DELAY,
    TSIM_MACHINE,
    TSIM_ASSEMBLY,
    TSIM_SPLIT,
    TSIM_SINK,
    TSIM_BLOCK_TYPE_COUNT /* the types with an enum name; tsim_block_type_count() counts all */
};

enum tsim_discipline { TSIM_FIFO, TSIM_LIFO, TSIM_PRIORITY, TSIM_SPT, TSIM_EDD };

enum tsim_route_rule {
    TSIM_ROUTE_NONE,           /* no way out (a sink) */
    TSIM_ROUTE_SINGLE,         /* one target */
    TSIM_ROUTE_PROBABILITY,    /* targets drawn with given probabilities */
    TSIM_ROUTE_PRODUCT,        /* target chosen by the entity's product */
    TSIM_ROUTE_SHORTEST_QUEUE, /* the target with the fewest entities (ties: first listed) */
    TSIM_ROUTE_ROUND_ROBIN,    /* targets in turn */
    TSIM_ROUTE_FIRST_FREE,     /* the first target that takes an entity now (else the first) */
    TSIM_ROUTE_LEAST_UTILIZED, /* the machine busy the least since the statistics began */
    TSIM_ROUTE_EARLIEST_FREE   /* the target whose server is free first, by work started and queued */
};

/* Which work of a machine needs operators (a bit mask). */
enum tsim_need_for { TSIM_NEED_SETUP = 1, TSIM_NEED_PROCESS = 2, TSIM_NEED_REPAIR = 4 };

/* The clock a machine's failures run on (tsim_machine_set_failure_basis). */
enum tsim_failure_basis {
    TSIM_FAILURES_OPERATING, /* only while on shift: off shift, neither the time to failure nor a
                                repair advances (the default) */
    TSIM_FAILURES_CALENDAR,  /* always, busy, idle or off shift; repairs too */
};

/**
 * Create an empty model named `name`, time unit "min", resolution 1e6 ticks per unit.
 * Ownership: the caller owns it; free with tsim_model_destroy. Errors: NULL name asserts.
 */
TSIM_API struct tsim_model *tsim_model_create(const char *name);

/** Free `m` and everything it owns. A no-op for NULL. */
TSIM_API void tsim_model_destroy(struct tsim_model *m);

/** The name given to tsim_model_create(). Ownership: owned by `m`. */
TSIM_API const char *tsim_model_name(const struct tsim_model *m);

/** Set the time unit ("s", "min", "h", "d"). Errors: TSIM_EINVAL for another unit. */
TSIM_API int tsim_model_set_time_unit(struct tsim_model *m, const char *unit);
/** The time unit ("min" by default). Ownership: owned by `m`. */
TSIM_API const char *tsim_model_time_unit(const struct tsim_model *m);

/**
 * Set how many integer ticks make one time unit (default 1e6): the finest time step a sim can
 * tell apart. Horizons must stay below 2^62 ticks. Errors: TSIM_ERANGE outside [1, 1e12].
 */
TSIM_API int tsim_model_set_resolution(struct tsim_model *m, double ticks_per_unit);

/**
 * The latest time a sim of `m` reaches, in its time unit: 2^62 - 1 ticks at its resolution
 * (4.6e12 time units at the default). tsim_sim_run_until refuses a later end, tsim_sim_run
 * stops there with an error.
 */
TSIM_API double tsim_model_max_time(const struct tsim_model *m);

/* Entities that may exist at once in a sim unless tsim_model_set_max_entities says otherwise. */
#define TSIM_DEFAULT_MAX_ENTITIES 1000000

/**
 * Limits of a run, so that a model that grows without bound or loops without time passing
 * stops with an error (tsim_sim_status) instead of filling memory or running for ever:
 * at most `n` entities exist at once (0: TSIM_DEFAULT_MAX_ENTITIES), and at most `n` events run
 * at one instant (0: 100 for every block, machine server and entity in the system, at least
 * 1,000,000). Errors: TSIM_ERANGE for more than 1,000,000,000 entities or 10^15 events.
 */
TSIM_API int tsim_model_set_max_entities(struct tsim_model *m, uint64_t n);
/** The second limit above: events at one instant. Errors: TSIM_ERANGE. */
TSIM_API int tsim_model_set_max_instant_events(struct tsim_model *m, uint64_t n);

/* The generators a model's sims can draw from. */
enum tsim_rng_kind {
    TSIM_RNG_XOSHIRO, /* xoshiro256** streams keyed by (seed, replication, block name/purpose) */
    TSIM_RNG_PHILOX,  /* Philox4x32-10 counters, the same draws on CPU and GPU (docs/gpu.md) */
    TSIM_RNG_KIND_COUNT
};

/**
 * Choose the generator of the sims of `m` (default TSIM_RNG_XOSHIRO). With TSIM_RNG_PHILOX every
 * draw is a function of (seed, replication, block, purpose, draw number) computed with the
 * engine's own logarithm and exponential, so that a GPU reproduces it bit for bit; replication
 * numbers must then be below 2^32 (tsim_sim_create asserts). Errors: TSIM_EINVAL for another
 * value.
 */
TSIM_API int tsim_model_set_rng(struct tsim_model *m, enum tsim_rng_kind kind);

/** The generator of the sims of `m`. */
TSIM_API enum tsim_rng_kind tsim_model_rng(const struct tsim_model *m);

/** The name of a generator ("xoshiro", "philox"), "unknown" for another value. */
TSIM_API const char *tsim_rng_kind_name(enum tsim_rng_kind kind);

/** 1 if this build has GPU support (`make gpu`, where nvcc exists), else 0. */
TSIM_API int tsim_gpu_built(void);

/**
 * NULL if replications can run as a GPU batch here; otherwise why not, in one line ("no GPU
 * support built in ...", "no CUDA device: ..." with CUDA's message).
 * Ownership: a static or thread-local string, valid until the next call on this thread.
 */
TSIM_API const char *tsim_gpu_unavailable(void);

/**
 * Set the time of day at which sims start, in hours since midnight (default 0): shifts are laid
 * on the clock from there, so a run that starts at 06:00 meets a 06:00-14:00 shift at once.
 * Errors: TSIM_ERANGE outside [0, 24).
 */
TSIM_API int tsim_model_set_start_clock(struct tsim_model *m, double hours);

/** Add a product; returns its index (>= 0). Errors: TSIM_EEXIST, TSIM_EINVAL. */
TSIM_API int tsim_model_add_product(struct tsim_model *m, const char *name);
/** The index of product `name`, or TSIM_ENOENT. */
TSIM_API int tsim_model_find_product(const struct tsim_model *m, const char *name);
/** Products defined; 0 when the model names none (then every entity is product 0, "part"). */
TSIM_API int tsim_model_product_count(const struct tsim_model *m);
/** The name of product `product`, "part" for product 0 of a model that names none, or NULL
 * for an index out of range. Ownership: owned by `m`. */
TSIM_API const char *tsim_model_product_name(const struct tsim_model *m, int product);

/**
 * Add a shift named `name` whose working periods repeat every day: `periods` holds `n` pairs
 * (start, end) in hours since midnight (0 <= start < end <= 24, sorted, not overlapping).
 * Sim time 0 is the start clock (tsim_model_set_start_clock; midnight by default) of day one.
 * Returns the shift index. Errors: TSIM_EEXIST, TSIM_ERANGE.
 */
TSIM_API int tsim_model_add_shift(struct tsim_model *m, const char *name, const double *periods,
                                  int n);
/** The index of shift `name`, or TSIM_ENOENT. */
TSIM_API int tsim_model_find_shift(const struct tsim_model *m, const char *name);

/**
 * Add a pool of `count` operators, working during `shift` (-1: always). Returns the pool index.
 * Errors: TSIM_EEXIST, TSIM_ERANGE (count < 1).
 */
TSIM_API int tsim_model_add_operators(struct tsim_model *m, const char *name, int count,
                                      int shift);
/** The index of operator pool `name`, or TSIM_ENOENT. */
TSIM_API int tsim_model_find_operators(const struct tsim_model *m, const char *name);
/** Operator pools defined. */
TSIM_API int tsim_model_pool_count(const struct tsim_model *m);
/** The name of pool `pool`, or NULL for an index out of range. Ownership: owned by `m`. */
TSIM_API const char *tsim_model_pool_name(const struct tsim_model *m, int pool);
/** Change the size of pool `pool` (>= 1), e.g. for experiments. Errors: TSIM_ERANGE. */
TSIM_API int tsim_model_set_pool_count(struct tsim_model *m, int pool, int count);

/** Add a block; returns its index (>= 0). Errors: TSIM_EEXIST for a duplicate name. */
TSIM_API int tsim_model_add_block(struct tsim_model *m, enum tsim_block_type type,
                                  const char *name);
/** The index of block `name`, or TSIM_ENOENT. */
TSIM_API int tsim_model_find_block(const struct tsim_model *m, const char *name);
/** Blocks added so far; their indices are 0 to the count - 1, in the order added. */
TSIM_API int tsim_model_block_count(const struct tsim_model *m);
/** The name of block `block`, or NULL for an index out of range. Ownership: owned by `m`. */
TSIM_API const char *tsim_model_block_name(const struct tsim_model *m, int block);
/** The type of block `block`. Errors: asserts for an index out of range. */
TSIM_API enum tsim_block_type tsim_model_block_type(const struct tsim_model *m, int block);
/** "source", "buffer", ... as written in model files. */
TSIM_API const char *tsim_block_type_name(enum tsim_block_type type);
/** The number of block types, those without an enum name included. */
TSIM_API int tsim_block_type_count(void);
/** The type whose name in model files is `name` ("machine"), or TSIM_ENOENT. */
TSIM_API int tsim_block_type_find(const char *name);
/**
 * Servers of block `block` if its type has servers with states (machine, assembly: those
 * tsim_machine_state and tsim_machine_force_down take), else 0. Errors: asserts if there is no
 * block `block`.
 */
TSIM_API int tsim_model_block_servers(const struct tsim_model *m, int block);

/*
 * Block parameters. Each setter checks that the parameter exists for the block's type and that
 * the value is possible; errors are TSIM_EINVAL (wrong type or parameter), TSIM_ERANGE
 * (impossible value), TSIM_ENOENT (no such block or product). Distributions are deep-copied.
 */

/** source: time between arrivals. Without it a source creates only its population. */
TSIM_API int tsim_source_set_interarrival(struct tsim_model *m, int block,
                                          const struct tsim_dist *d);
/** source: the product mix: product[i] with probability prob[i] (summing to 1). */
TSIM_API int tsim_source_set_mix(struct tsim_model *m, int block, const int *product,
                                 const double *prob, int n);
/** source: maximum number of entities created (0: unlimited), entities per arrival, and
 * entities created at time 0 (closed loops). */
TSIM_API int tsim_source_set_limit(struct tsim_model *m, int block, uint64_t limit);
/** source: entities per arrival (>= 1, default 1). Errors: TSIM_ERANGE, TSIM_ENOENT (no such
 * block), TSIM_EINVAL (not a source). */
TSIM_API int tsim_source_set_batch(struct tsim_model *m, int block, int batch);
/** source: entities created at time 0, for closed loops (>= 0, default 0). Errors: as
 * tsim_source_set_batch(). */
TSIM_API int tsim_source_set_population(struct tsim_model *m, int block, int population);
/** source: due date of each entity as an offset from its creation (default: none). */
TSIM_API int tsim_source_set_due(struct tsim_model *m, int block, const struct tsim_dist *d);
/** source: release by CONWIP. The source's entities wait in its backlog (arrivals go on) and
 * one is released, entering the system, only while fewer than `wip` of those it released are in
 * the blocks of `over` (`n` of them, copied; `over` NULL: anywhere in the system). A released entity
 * stops counting when it enters a block outside `over` or leaves the system (docs/logic.md,
 * "Release"). Every block the source routes to must be in `over` (checked by
 * tsim_model_validate). Errors: TSIM_ERANGE for `wip` < 1, TSIM_ENOENT for a block that does not
 * exist, TSIM_EINVAL (not a source, `over` given with n < 0). */
TSIM_API int tsim_source_set_release(struct tsim_model *m, int block, int wip, const int *over,
                                     int n);

/** buffer: capacity (0: unlimited, the default), discipline, and what happens when full:
 * `drop` 0 blocks upstream (default), 1 drops the arriving entity and counts it. */
TSIM_API int tsim_buffer_set_capacity(struct tsim_model *m, int block, uint64_t capacity);
/** buffer: the order entities leave in (FIFO by default). Errors: TSIM_ENOENT, TSIM_EINVAL. */
TSIM_API int tsim_buffer_set_discipline(struct tsim_model *m, int block,
                                        enum tsim_discipline discipline);
/** buffer: 1 drops (and counts) an entity arriving when full, 0 blocks upstream (default).
 * Errors: TSIM_ENOENT, TSIM_EINVAL. */
TSIM_API int tsim_buffer_set_drop(struct tsim_model *m, int block, int drop);

/** delay: the time each entity spends in it (unlimited entities in parallel). */
TSIM_API int tsim_delay_set_time(struct tsim_model *m, int block, const struct tsim_dist *d);

/** machine, assembly: processing time for `product` (-1: every product without its own). */
TSIM_API int tsim_machine_set_process(struct tsim_model *m, int block, int product,
                                      const struct tsim_dist *d);
/** machine: what an arrival finds when no server is free: `drop` 0 refuses it, so the sender
 * waits (blocking, the default); 1 takes it and throws it away, counted as 'dropped' (a loss
 * system such as Erlang's M/G/c/c). */
TSIM_API int tsim_machine_set_drop(struct tsim_model *m, int block, int drop);
/** machine: number of parallel servers (>= 1). */
TSIM_API int tsim_machine_set_servers(struct tsim_model *m, int block, int servers);
/** machine: changeover time when a server starts a product other than its last one. */
TSIM_API int tsim_machine_set_setup(struct tsim_model *m, int block, const struct tsim_dist *d);
/** machine, assembly: each server fails after `between` and is repaired in `repair`, both on
 * the clock its failure basis names (operating by default: busy or idle, but only on shift); the
 * part in process stays and resumes its remaining work after repair. */
TSIM_API int tsim_machine_set_failures(struct tsim_model *m, int block,
                                       const struct tsim_dist *between,
                                       const struct tsim_dist *repair);
/** machine, assembly: the clock failures and repairs run on (enum tsim_failure_basis).
 * Errors: TSIM_ERANGE for a value not in the enum. */
TSIM_API int tsim_machine_set_failure_basis(struct tsim_model *m, int block,
                                            enum tsim_failure_basis basis);
/** machine: fraction of finished parts that are scrap (leave the system, counted). */
TSIM_API int tsim_machine_set_scrap(struct tsim_model *m, int block, double fraction);
/** machine: `count` operators of pool `pool` are needed for the work in `for_mask`
 * (TSIM_NEED_*), seized with FIFO waiting and released when that work ends. */
TSIM_API int tsim_machine_set_needs(struct tsim_model *m, int block, int pool, int count,
                                    unsigned for_mask);
/** machine: works only during `shift` (-1: always). Work in process pauses off shift. */
TSIM_API int tsim_machine_set_shift(struct tsim_model *m, int block, int shift);

/** assembly: `count` parts of `product` are consumed per assembly (call once per product). */
TSIM_API int tsim_assembly_set_part(struct tsim_model *m, int block, int product, int count);
/** assembly: product of the assembled entity (default: that of the first part). */
TSIM_API int tsim_assembly_set_product(struct tsim_model *m, int block, int product);

/** split: one entity in, `into` entities of the same product out (>= 1). */
TSIM_API int tsim_split_set_into(struct tsim_model *m, int block, int into);

/**
 * Set parameter `key` of block `block` by its name, for any block type (types without an enum
 * name have no setter of their own): a number for a key that takes a number, a whole number for
 * a count, a choice (its index in the list docs/model-format.md gives), a product or a shift (its
 * index); a number given to a key that takes a distribution sets a constant time. Keys written
 * as a mapping (`to`, `failures`, `needs`, `parts`) have their own calls above.
 * Errors: TSIM_ENOENT (no such block, or no such key for its type), TSIM_EINVAL (a fraction for a
 * whole number), TSIM_ERANGE (out of the key's range); the message says which.
 */
TSIM_API int tsim_block_set_number(struct tsim_model *m, int block, const char *key, double value);
/** The same for a key that takes a distribution of durations; `d` is deep-copied. */
TSIM_API int tsim_block_set_dist(struct tsim_model *m, int block, const char *key,
                                 const struct tsim_dist *d);

/*
 * Routes: where a block sends what leaves it. A single target replaces any earlier route;
 * probability and product routes add one branch per call; rules take a list.
 */
TSIM_API int tsim_route_to(struct tsim_model *m, int from, int to);
/** Add a branch: an entity leaving `from` goes to `to` with probability `p`; the branches of a
 * block must sum to 1 (checked by tsim_model_validate). Errors: TSIM_ERANGE for `p` outside
 * [0, 1], TSIM_ENOENT for a block that does not exist. */
TSIM_API int tsim_route_add_probability(struct tsim_model *m, int from, int to, double p);
/** Add a branch: entities of `product` leaving `from` go to `to`. Errors: TSIM_ENOENT for a
 * product or block that does not exist. */
TSIM_API int tsim_route_add_product(struct tsim_model *m, int from, int product, int to);
/** Route what leaves `from` by `rule` among the `n` blocks of `among` (copied).
 * Errors: TSIM_EINVAL for a rule that takes no list or an empty list, TSIM_ENOENT. */
TSIM_API int tsim_route_set_rule(struct tsim_model *m, int from, enum tsim_route_rule rule,
                                 const int *among, int n);

/**
 * Set a parameter by its path and text, as `--set` and experiment factors do:
 * "filler.process" = "triangular(0.5, 0.6, 0.9)", "filler_buffer.capacity" = "10",
 * "crew.count" = "3". Errors: TSIM_ENOENT (unknown block or parameter), TSIM_EPARSE (bad value),
 * TSIM_ERANGE; the message says which.
 */
TSIM_API int tsim_model_set_param(struct tsim_model *m, const char *path, const char *value);

/**
 * The block a parameter path names, read as tsim_model_set_param reads it ("filler.process.small"
 * names 'filler'), so that a caller can tell which of its changes a later validation error is
 * about (tsim_model_error_block). Returns the block's index, or -1 when the path names an
 * operators pool or nothing.
 */
TSIM_API int tsim_model_param_block(const struct tsim_model *m, const char *path);

/**
 * Check the model as a whole (routes that lead nowhere, probabilities that do not sum to 1,
 * blocks with no way out, processing times missing for a product, ...). Called by
 * tsim_sim_create. Returns 0, or TSIM_EMODEL with the first problem in tsim_errmsg().
 */
TSIM_API int tsim_model_validate(const struct tsim_model *m);

/**
 * The block the last failed tsim_model_validate was about, so that the caller can place the
 * error where that block was written or changed. Returns its index, or -1 when the problem is
 * the model's as a whole (no blocks, the resolution of shifts, servers in all) or the last
 * validation passed.
 */
TSIM_API int tsim_model_error_block(const struct tsim_model *m);

/* ---------------------------------------------------------------------------------------------
 * Model files (YAML). Loading collects every problem as a diagnostic; nothing is fatal.
 * ------------------------------------------------------------------------------------------- */

enum tsim_severity { TSIM_WARNING, TSIM_ERROR };

struct tsim_diag {
    enum tsim_severity severity;
    int line, col; /* 1-based; 0 when the problem is not tied to a place */
    char *message;
};

struct tsim_diags {
    size_t n, cap, errors;
    struct tsim_diag *items;
};

/** An empty list. Ownership: the caller releases it with tsim_diags_release(). */
TSIM_API void tsim_diags_init(struct tsim_diags *d);
/** Free every message of `d` and leave it empty, ready for use again. */
TSIM_API void tsim_diags_release(struct tsim_diags *d);
/** Append a diagnostic (printf-style message). */
TSIM_API void tsim_diags_add(struct tsim_diags *d, enum tsim_severity sev, int line, int col,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/** Print each as "FILE:LINE:COL: error: MESSAGE" to `out` (a FILE *). */
TSIM_API void tsim_diags_print(const struct tsim_diags *d, const char *file, void *out);

/* Run settings a model file may carry (`run:`). Horizon 0 means: until no event is left. */
struct tsim_run_spec {
    double horizon;
    double warmup;    /* ignored when warmup_auto */
    int warmup_auto;  /* MSER-5 */
    int replications;
    uint64_t seed;
};

/** Largest model file accepted, in bytes. */
#define TSIM_MODEL_MAX_BYTES (16u * 1024u * 1024u)

/**
 * Load a model from YAML text `text` (`len` bytes); `file` names it in diagnostics and its
 * directory resolves relative paths. Every problem is appended to `diags`.
 * Returns the model, or NULL when `diags` holds at least one error. `run` (may be NULL) receives
 * the file's run settings, defaults filled in (horizon 0, warmup 0, 10 replications, seed 1).
 * Ownership: the caller owns the model. Errors: none beyond diags.
 */
TSIM_API struct tsim_model *tsim_model_load(const char *text, size_t len, const char *file,
                                            struct tsim_run_spec *run, struct tsim_diags *diags);

/** Read `path` and load it as above. A missing or unreadable file is a diagnostic. */
TSIM_API struct tsim_model *tsim_model_load_file(const char *path, struct tsim_run_spec *run,
                                                 struct tsim_diags *diags);

/* ---------------------------------------------------------------------------------------------
 * Sims: one replication's whole mutable state.
 * ------------------------------------------------------------------------------------------- */

struct tsim_sim;

/* A user event handler: `arg` as given to tsim_event_schedule. */
typedef void tsim_event_fn(struct tsim_sim *sim, void *arg);

/**
 * Instantiate `m` for (seed, replication): every block in its initial state, first arrivals
 * scheduled. Returns NULL with tsim_errmsg() set if the model does not validate.
 * Ownership: `m` is borrowed and must outlive the sim; free the sim with tsim_sim_destroy.
 */
TSIM_API struct tsim_sim *tsim_sim_create(const struct tsim_model *m, uint64_t seed,
                                          uint64_t replication);

/** Free `sim`. A no-op for NULL. */
TSIM_API void tsim_sim_destroy(struct tsim_sim *sim);

/**
 * Put `sim` back to its initial state for (seed, replication), reusing its memory: running many
 * replications through one sim keeps memory flat.
 */
TSIM_API void tsim_sim_reset(struct tsim_sim *sim, uint64_t seed, uint64_t replication);

/**
 * A deep copy of the running sim: calendar, entities, block states, random streams and
 * statistics. Running the copy and the original with no outside input gives identical results.
 * Ownership: the caller owns the copy. User events' `arg` pointers are copied, not their targets.
 */
TSIM_API struct tsim_sim *tsim_sim_clone(const struct tsim_sim *sim);

/**
 * Reseed every random stream of a running sim for (seed, replication), keeping its state:
 * forecasts from one cloned state run independent replications this way.
 */
TSIM_API void tsim_sim_reseed(struct tsim_sim *sim, uint64_t seed, uint64_t replication);

/** The model `sim` was created from. Ownership: borrowed; the caller keeps it alive. */
TSIM_API const struct tsim_model *tsim_sim_model(const struct tsim_sim *sim);

/** Current time in the model's time unit. */
TSIM_API double tsim_sim_now(const struct tsim_sim *sim);

/**
 * Delete statistics gathered before time `t` (warm-up): at `t` every block restarts its
 * statistics. Call before running past `t`. Errors: TSIM_ESTATE if `t` is already past.
 */
TSIM_API int tsim_sim_set_warmup(struct tsim_sim *sim, double t);

/**
 * Run every event with time <= `t`, then set the clock to `t` (not when tsim_sim_stop() or
 * tsim_sim_interrupt() ended the run: the clock then stays at the last event's time).
 * Background events count here like any other. Returns the number of events run.
 * Errors: asserts if `t` is earlier than now; a `t` past tsim_model_max_time, or an error while
 * running, stops the sim (tsim_sim_status).
 */
TSIM_API uint64_t tsim_sim_run_until(struct tsim_sim *sim, double t);

/**
 * Run events until tsim_sim_stop() or tsim_sim_interrupt() is called, no event is left, or
 * only background events are left and nothing waits for them. Background events are failures,
 * repairs, shift changes and the warm-up restart: they recur without end in a model that has
 * them, so by themselves they keep a run going only while a machine holds work that waits for
 * one (for a repair, for its shift to start, or for operators). Foreground events are
 * everything else: arrivals, the ends of setups and processing, and every event of
 * tsim_event_schedule(). The check follows each event, so a call runs at least one event when
 * any is pending. Events left pending stay on the calendar (tsim_sim_pending() counts them). A
 * model with failures or shifts usually runs to a horizon with tsim_sim_run_until() instead. An
 * error stops the run too (tsim_sim_status): a stopped sim runs no more events, and no event
 * later than tsim_model_max_time runs. Work that waits for background events that never let it
 * go on (a machine on a shift that never meets its operators' shift) would keep such a run
 * going for ever: when a whole day of background events passes with no entity moving and no
 * server under repair, the run stops with TSIM_ESTATE, naming the blocks where work waits.
 * Returns the events run.
 */
TSIM_API uint64_t tsim_sim_run(struct tsim_sim *sim);

/** Run the single next event. Returns 1, or 0 if the calendar is empty. */
TSIM_API int tsim_sim_step(struct tsim_sim *sim);

/** Make tsim_sim_run / run_until return after the current event. Call it from the sim's own
 * thread (an event, an observer); from elsewhere use tsim_sim_interrupt. */
TSIM_API void tsim_sim_stop(struct tsim_sim *sim);

/**
 * Whether the sim could run as its model says: 0, or the TSIM_E* code of the error that stopped
 * it, with its message put in tsim_errmsg() again: TSIM_ELIMIT when more events ran at one
 * instant than the model allows (a loop in which no time passes) or more entities existed at
 * once (tsim_model_set_max_entities), TSIM_ERANGE when the clock would pass
 * tsim_model_max_time or tsim_sim_run_until was given a later time, TSIM_ESTATE when
 * tsim_sim_run found the work stalled for good or a fleet's vehicles in a deadlock. A stopped sim runs no more
 * events until tsim_sim_reset, and its tsim_sim_result is empty: its numbers mean nothing.
 */
TSIM_API int tsim_sim_status(const struct tsim_sim *sim);

/** The message of the error that stopped `sim` (no function name), or NULL when none. */
TSIM_API const char *tsim_sim_error(const struct tsim_sim *sim);

/**
 * Ask `sim` to stop, from any thread or from a signal handler (it is one lock-free atomic store;
 * the library itself installs no handler): a tsim_sim_run or tsim_sim_run_until in progress
 * returns within 4,096 more events, leaving the clock at the last event run, and every later run
 * returns at once until tsim_sim_reset. The run loop looks at the request at checkpoints it
 * keeps anyway, so asking costs nothing while nobody does. A run that was interrupted did not
 * reach its end: its result covers the simulated time up to tsim_sim_now().
 */
TSIM_API void tsim_sim_interrupt(struct tsim_sim *sim);

/** 1 if tsim_sim_interrupt was called since the sim was created or last reset, else 0. */
TSIM_API int tsim_sim_interrupted(const struct tsim_sim *sim);

/** Events run so far (calendar pops, cancelled events not counted). */
TSIM_API uint64_t tsim_sim_events(const struct tsim_sim *sim);

/** Events now pending. */
TSIM_API uint64_t tsim_sim_pending(const struct tsim_sim *sim);

/** Bytes of memory the sim holds now. */
TSIM_API size_t tsim_sim_memory(const struct tsim_sim *sim);

/**
 * The running hash of every event executed so far (time, block, kind, entity), folded with the
 * final KPIs by tsim_sim_result. Equal fingerprints mean equal behaviour.
 */
TSIM_API uint64_t tsim_sim_fingerprint(const struct tsim_sim *sim);

/**
 * The hash the fingerprints are built on (FNV-1a, 64 bits) over `n` bytes at `p`: stable across
 * machines and versions, not cryptographic. `p` may be NULL when `n` is 0.
 */
TSIM_API uint64_t tsim_hash_bytes(const void *p, size_t n);

/**
 * Schedule `fn(sim, arg)` at absolute time `t` (>= tsim_sim_now(sim)). Events at equal `t` run
 * by descending `priority` (-32768..32767), then in the order they were scheduled.
 * Returns a nonzero handle for tsim_event_cancel().
 * Ownership: `arg` is borrowed; keep it alive until the event runs or is cancelled.
 * Errors: asserts if `t` is earlier than now or `fn` is NULL.
 */
TSIM_API uint64_t tsim_event_schedule(struct tsim_sim *sim, tsim_event_fn *fn, void *arg,
                                      double t, int priority);

/** Cancel a pending event. Returns 0, or TSIM_ENOENT if it already ran or was cancelled. */
TSIM_API int tsim_event_cancel(struct tsim_sim *sim, uint64_t handle);

/**
 * Move a pending event to time `t`, keeping its priority; it then orders as newly scheduled.
 * Returns the new handle, or 0 if `handle` is no longer pending.
 */
TSIM_API uint64_t tsim_event_reschedule(struct tsim_sim *sim, uint64_t handle, double t);

/* Live state for the twin: read and correct what a block holds now. */

/** Entities in a block now (buffer content, parts on a machine, in a delay). */
TSIM_API uint64_t tsim_block_content(const struct tsim_sim *sim, int block);

/** Entities that entered a block since the last statistics restart. */
TSIM_API uint64_t tsim_block_entered(const struct tsim_sim *sim, int block);

/**
 * Put `n` new entities of `product` into `block` now (a buffer; or a machine/delay, which starts
 * them), as if they had arrived. Returns how many were taken. Errors: TSIM_EINVAL.
 */
TSIM_API int tsim_block_inject(struct tsim_sim *sim, int block, int product, uint64_t n);

/** As tsim_block_inject, for one entity with a due date `due` (model time; < 0: none);
 * returns the entity's id (> 0) or a negative TSIM_E* code. */
TSIM_API int64_t tsim_block_inject_order(struct tsim_sim *sim, int block, int product, double due);

/** Completion time (model time) of the entity with id `entity` if it reached a sink, else -1. */
TSIM_API double tsim_sim_completion_time(const struct tsim_sim *sim, uint64_t entity);

/** Remove up to `n` entities from a buffer (the newest first). Returns how many were removed. */
TSIM_API int tsim_block_remove(struct tsim_sim *sim, int block, uint64_t n);

/**
 * Force server `server` of machine `block` down (1) or up (0) now, as the plant reported;
 * while forced down the machine's own failure process is suspended.
 */
TSIM_API int tsim_machine_force_down(struct tsim_sim *sim, int block, int server, int down);

/** Set the size of operator pool `pool` in a running sim (a crew change reported live). Operators
 * above the new size finish their current task first. Errors: TSIM_ERANGE, TSIM_ENOENT. */
TSIM_API int tsim_sim_set_pool_count(struct tsim_sim *sim, int pool, int count);

/** Set the speed of conveyor `block` in a running sim, from now on (a speed change reported live,
 * or scheduled by an event): every item keeps its position, and speed 0 stops the belt until a
 * later change. Errors: TSIM_ERANGE (below 0, or 1e12 and above), TSIM_ENOENT (no such
 * conveyor). */
TSIM_API int tsim_conveyor_set_speed(struct tsim_sim *sim, int block, double speed);

/*
 * Sims read distributions from their model at each draw, so a parameter changed with
 * tsim_model_set_param while a sim exists takes effect at its next draw. Change a model only
 * between events, on the thread that runs its sims.
 */

/* What a machine server is doing. */
enum tsim_state {
    TSIM_STATE_IDLE,
    TSIM_STATE_BUSY,
    TSIM_STATE_BLOCKED,
    TSIM_STATE_DOWN,
    TSIM_STATE_SETUP,
    TSIM_STATE_OFF_SHIFT,
    TSIM_STATE_WAITING, /* for operators */
    TSIM_STATE_COUNT
};

/** "idle", "busy", "blocked", "down", "setup", "off_shift", "waiting". */
TSIM_API const char *tsim_state_name(enum tsim_state s);

/* The states of a `fleet` block's vehicle: what a STATE observation of a fleet says (its `server`
 * is the vehicle's number from 0). The fleet's KPIs name them "idle", "to_pickup", "loading",
 * "loaded", "unloading", "blocked", "to_home", "zone_wait", "to_charger", "charging",
 * "waiting_charger", "failed". */
enum tsim_vehicle_state {
    TSIM_VEHICLE_IDLE,
    TSIM_VEHICLE_TO_PICKUP,
    TSIM_VEHICLE_LOADING,
    TSIM_VEHICLE_LOADED,    /* driving loaded to the drop */
    TSIM_VEHICLE_UNLOADING,
    TSIM_VEHICLE_BLOCKED,   /* loaded at the drop, which takes nothing now */
    TSIM_VEHICLE_TO_HOME,
    TSIM_VEHICLE_ZONE_WAIT, /* waiting for the next node to free (zone control) */
    TSIM_VEHICLE_TO_CHARGER,
    TSIM_VEHICLE_CHARGING,
    TSIM_VEHICLE_WAITING_CHARGER, /* at a charger block whose points are all taken */
    TSIM_VEHICLE_FAILED,          /* stopped where it is, its load kept, until its repair */
    TSIM_VEHICLE_STATE_COUNT
};

/** The state of server `server` of machine (or assembly) `block` now; -1 if not a machine. */
TSIM_API int tsim_machine_state(const struct tsim_sim *sim, int block, int server);

/* Things an observer is told about, as they happen. */
enum tsim_obs_kind {
    TSIM_OBS_ENTER, /* an entity entered `block` */
    TSIM_OBS_LEAVE, /* an entity left `block` (to the next block, or out of the system) */
    TSIM_OBS_STATE, /* server `server` of machine `block` changed to `state`; of a fleet: vehicle
                     * `server` to a `state` of enum tsim_vehicle_state */
    TSIM_OBS_DROP,  /* an entity was dropped (full buffer) or scrapped at `block` */
    /* The warehouse's own events, reported with the block's `content` and no product:
     * TRUCK: a truck known by an id came to dock `block`; `entity` its record's index among the
     * dock's trucks (the appointments, then those the live twin added), `server` the door it
     * took (from 0) or -1 when it waits in the yard or is turned away.
     * RELEASE: order `entity` (its index in the orders file) of picking `block` was released.
     * PICK: line `entity` (its index among the file's lines) of picking `block` reached the pack
     * station at the end of a picker's tour. */
    TSIM_OBS_TRUCK,
    TSIM_OBS_RELEASE,
    TSIM_OBS_PICK
};

struct tsim_obs {
    enum tsim_obs_kind kind;
    double t;          /* model time */
    int block;
    int server;        /* STATE only */
    int state;         /* STATE only: enum tsim_state (a fleet: enum tsim_vehicle_state) */
    int product;       /* ENTER, LEAVE, DROP */
    uint64_t entity;   /* the entity's id: unique within a replication, in creation order */
    uint64_t content;  /* entities in `block` after the change */
};

typedef void tsim_observer_fn(void *ctx, const struct tsim_obs *o);

/**
 * Call `fn(ctx, obs)` on every observable change of `sim` (NULL turns it off). The emulator and
 * the dashboard use it; when none is set it costs one branch per change.
 * Order within one instant: an entity handed on is reported entering its destination before it
 * is reported leaving its sender (the sender notes its leave once the destination has taken it),
 * so an entity passed through several blocks at once is in all of them until their leaves come.
 * Changes made before the observer is set (a population sent in by tsim_sim_create) are not
 * reported.
 * Ownership: `ctx` is borrowed. Clones do not inherit the observer.
 */
TSIM_API void tsim_sim_set_observer(struct tsim_sim *sim, tsim_observer_fn *fn, void *ctx);

/* ---------------------------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------------------------- */

/*
 * One KPI of one replication. `block` is a block index, TSIM_KPI_SYSTEM for the system, or
 * TSIM_KPI_POOL(p) for operator pool p; `name` is a static string (the JSON writer nests on dots):
 *   system:   throughput, lead_time, wip, completed, created
 *   source:   created, entered, left, throughput, blocked_time (share of time blocked)
 *   buffer:   entered, left, dropped, throughput, wait, content, max_content
 *   delay:    entered, left, throughput, content
 *   machine:  entered, left, throughput, scrapped, dropped, content, utilization, availability,
 *             performance, quality, oee, states.busy, states.idle, states.blocked, states.down,
 *             states.setup, states.off_shift, states.waiting (for operators)
 *   assembly: entered, left, throughput, content, utilization, states.* as a machine
 *   split:    entered, left, throughput
 *   sink:     entered, throughput, lead_time
 *   pool:     utilization, busy (mean operators busy), waiting (mean requests waiting)
 * Throughputs are per time unit over the statistics window; times are in the time unit; state
 * shares are fractions of the window, averaged over a machine's servers.
 */
#define TSIM_KPI_SYSTEM (-1)
#define TSIM_KPI_POOL(p) (-2 - (p))
struct tsim_kpi {
    int block;
    const char *name;
    double value;
};

struct tsim_result {
    size_t n, cap;
    struct tsim_kpi *kpis;
    double start_time, end_time; /* statistics window, model time unit */
    uint64_t events;
    uint64_t fingerprint;
};

/** An empty result. Ownership: the caller releases it with tsim_result_release(). */
TSIM_API void tsim_result_init(struct tsim_result *r);
/** Free the KPI list of `r` and zero it; a zeroed `r` is a no-op. */
TSIM_API void tsim_result_release(struct tsim_result *r);
/** Append the KPI (block, name, value). Ownership: `name` is borrowed and must outlive `r`
 * (the engine passes static strings). */
TSIM_API void tsim_result_add(struct tsim_result *r, int block, const char *name, double value);
/** The KPI (block, name), or NULL. */
TSIM_API const struct tsim_kpi *tsim_result_find(const struct tsim_result *r, int block,
                                                 const char *name);

/**
 * Close the statistics at the current time and fill `out` (initialised by the caller, emptied
 * first) with every block's KPIs and the system's: throughput, lead_time, wip, completed.
 * Also folds the KPIs into the fingerprint stored in `out`. For a sim stopped by an error
 * (tsim_sim_status) `out` is left empty (n == 0).
 */
TSIM_API void tsim_sim_result(struct tsim_sim *sim, struct tsim_result *out);

/**
 * Summarise `n` replications KPI by KPI into `out` (length reps[0].n, same order): every
 * replication of one model yields the same KPI list. Errors: TSIM_EINVAL if they differ.
 */
TSIM_API int tsim_results_summarize(const struct tsim_result *reps, size_t n,
                                    struct tsim_summary *out);

/* ---------------------------------------------------------------------------------------------
 * Replications: run one model N times (threads), deterministic whatever the thread count.
 * ------------------------------------------------------------------------------------------- */

struct tsim_run_opts {
    uint64_t seed;
    int replications;
    int first_replication; /* usually 0 */
    double horizon;        /* 0: until no event is left */
    double warmup;
    int threads;           /* 0: every core */
};

/**
 * Run replications first..first+replications-1 of `m`, writing each result into `out[i]`
 * (initialised by this function; release each). Replication i uses tsim_sim_create(m, seed, i).
 * Results do not depend on the thread count. Errors: TSIM_EMODEL, TSIM_EINVAL.
 */
TSIM_API int tsim_run_replications(const struct tsim_model *m, const struct tsim_run_opts *o,
                                   struct tsim_result *out);

#ifdef __cplusplus
}
#endif
#endif /* TWINSIM_H */
