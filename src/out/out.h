/*
 * Writers of run results: the terminal table, JSON, CSV and the SQLite results database. Not API:
 * the `twinsim` command and the experiment drivers call these; a library user reads
 * struct tsim_result directly.
 *
 * Every writer reads one struct tsim__report: the run's settings, the replications' results and
 * one summarised row per KPI, ordered the same way for every writer (the system, then blocks in
 * model order, then operator pools; within each, the engine's KPI order). A report owns its rows;
 * it borrows the replications' results, which must outlive it.
 */
#ifndef TSIM_OUT_H
#define TSIM_OUT_H

#include "twinsim.h"

#include <stdint.h>
#include <stdio.h>

/* One KPI summarised over the replications, named for people and files. */
struct tsim__row {
    int block;         /* as in struct tsim_kpi: block index, TSIM_KPI_SYSTEM, TSIM_KPI_POOL(p) */
    const char *owner; /* block or pool name, or "system" */
    const char *type;  /* "system", a block type name ("machine"), or "operators" */
    const char *kpi;   /* "throughput", "states.busy", ... */
    size_t index;      /* position of this KPI in every replication's result */
    struct tsim_summary s;
};

struct tsim__report {
    const char *model_name;
    const char *time_unit;
    uint64_t seed;
    int replications;
    double horizon; /* 0: until no event was left */
    double warmup;  /* the warm-up used, chosen or given */
    int warmup_auto;
    const struct tsim_result *reps; /* `replications` results, borrowed */
    size_t nrows;
    struct tsim__row *rows;         /* owned */
    uint64_t fingerprint;           /* tsim__fingerprint_combine (run/replicate.h) over reps */
    uint64_t events;                /* sum over replications */
    double wall_seconds;
};

/**
 * Fill `r` from `n` results of model `m`: summary rows (tsim_results_summarize at 95%), combined
 * fingerprint, event count. The caller then sets seed, horizon, warmup and wall_seconds.
 * Ownership: `reps` and `m` are borrowed; the names in rows point into `m` (and into the static
 * KPI names), so `m` must outlive `r`. Release with tsim__report_release.
 * Errors: TSIM_EINVAL when n == 0 or the replications' KPI lists differ.
 */
int tsim__report_init(struct tsim__report *r, const struct tsim_model *m,
                      const struct tsim_result *reps, size_t n);
void tsim__report_release(struct tsim__report *r);

/* Small streaming JSON writer: pretty-printed with two-space indents; objects opened `inline`
 * stay on one line (the summaries, so that a document reads one KPI per line). Doubles use %.17g
 * so they read back exactly; NaN and infinities are written as null to stay valid JSON. */
#define TSIM__JSON_DEPTH 16
struct tsim__json {
    FILE *f;
    int depth;
    int items[TSIM__JSON_DEPTH];  /* members written so far at each depth */
    int inl[TSIM__JSON_DEPTH];    /* 1 if the container at that depth is inline */
};

void tsim__json_init(struct tsim__json *j, FILE *f);
/* `key` is NULL inside arrays and for the top-level value. `kind` is '{' or '['. */
void tsim__json_open(struct tsim__json *j, const char *key, int kind, int inline_);
void tsim__json_close(struct tsim__json *j, int kind);
void tsim__json_string(struct tsim__json *j, const char *key, const char *value);
void tsim__json_number(struct tsim__json *j, const char *key, double value);
void tsim__json_uint(struct tsim__json *j, const char *key, uint64_t value);
void tsim__json_int(struct tsim__json *j, const char *key, int64_t value);
void tsim__json_bool(struct tsim__json *j, const char *key, int value);
/* `s` as a JSON string literal with quotes, escaping what RFC 8259 requires. */
void tsim__json_escape(FILE *f, const char *s);

/**
 * Write the run's JSON document (format v1, see docs) to `f`.
 * Errors: TSIM_EIO if the stream reports an error.
 */
int tsim__json_write(FILE *f, const struct tsim__report *r);

/* Columns of the terminal table, and how each KPI is shown. */
enum tsim__unit_kind { TSIM__UNIT_COUNT, TSIM__UNIT_TIME, TSIM__UNIT_RATE, TSIM__UNIT_SHARE };
enum tsim__unit_kind tsim__kpi_unit(const char *kpi);

/**
 * Print `n` rows as an aligned table (block, type, KPI, mean ± 95% half-width, unit), shares in
 * percent, fitting 100 columns for names up to 24 characters. `time_unit` labels times and rates.
 */
void tsim__table_write(FILE *f, const struct tsim__row *rows, size_t n, const char *time_unit);

/**
 * Write DIR/summary.csv (block,kpi,mean,half_width,sd,n) and DIR/replications.csv
 * (replication,block,kpi,value), creating DIR if missing. Pools are named "operators.NAME".
 * Errors: TSIM_EIO with the path in tsim_errmsg().
 */
int tsim__csv_write(const char *dir, const struct tsim__report *r);

/* What the results database keeps about a run beyond the report itself. */
struct tsim__db_meta {
    const char *model_path;
    const char *model_text; /* may be NULL */
    size_t model_len;
    const char *options;    /* JSON object of the run's options */
    const char *command;    /* the command line as typed */
    const char *json;       /* the run's JSON document (may be NULL) */
    int threads;
};

/**
 * Record a run in the SQLite database at `path` (created with the schema if new; WAL mode; one
 * transaction). `*run_id` receives the new run's id.
 * Errors: TSIM_EIO with SQLite's message in tsim_errmsg().
 */
int tsim__db_record(const char *path, const struct tsim__report *r,
                    const struct tsim__db_meta *meta, int64_t *run_id);

/** Print the newest `limit` runs (0: all), newest first. Errors: TSIM_EIO. */
int tsim__db_list(const char *path, FILE *out, int limit);

/* What tsim__db_show prints. */
enum tsim__db_show_what { TSIM__SHOW_TABLE, TSIM__SHOW_JSON, TSIM__SHOW_MODEL };

/**
 * Print run `id` (0: the newest): its settings and KPI table, its stored JSON document, or its
 * model text.
 * Errors: TSIM_ENOENT for no such run, TSIM_EIO.
 */
int tsim__db_show(const char *path, int64_t id, enum tsim__db_show_what what, FILE *out);

/**
 * Print runs `a` and `b` (0: the newest) side by side: each KPI's means and the difference b - a
 * with a 95% Welch interval from the two summaries (not paired), marked '*' when it excludes 0;
 * and whether their fingerprints are equal. Errors: TSIM_ENOENT for no such run, TSIM_EIO.
 */
int tsim__db_compare(const char *path, int64_t a, int64_t b, FILE *out);

/**
 * The comparison table of tsim__db_compare: rows of `a` in their order, matched in `b` by owner,
 * type and KPI; rows found in one run only are listed as such.
 */
void tsim__table_compare(FILE *f, const struct tsim__row *a, size_t na, const struct tsim__row *b,
                         size_t nb, const char *time_unit, const char *label_a,
                         const char *label_b);

#endif
