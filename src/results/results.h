/*
 * Writers of run results: the terminal table, JSON, CSV and the SQLite results database. Not API:
 * the `twinsim` command and the experiment drivers call these; a library user reads
 * struct tsim_result directly.
 *
 * Every writer reads one struct tsim__report: the run's settings, one summarised row per KPI,
 * ordered the same way for every writer (the system, then blocks in model order, then operator
 * pools; within each, the engine's KPI order), and, for the writers that list replications one
 * by one (the database, replications.csv), each replication's values in replication order. Those
 * come either from results in memory or from a spill file that tsim__collect wrote while the
 * replications ran, so that a run of a million replications holds one KPI row at a time.
 *
 * Files are written whole or not at all (tsim__out_open / tsim__out_commit): into a temporary
 * file beside the target, renamed over it once every byte is written and closed.
 */
#ifndef TSIM_OUT_H
#define TSIM_OUT_H

#include "twinsim.h"

#include <stdatomic.h>
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

/* One replication as the writers that list replications see it. */
struct tsim__rep_row {
    uint64_t fingerprint, events;
    double start_time, end_time;
    const double *values; /* one per KPI, in the results' order (struct tsim__row.index) */
};

struct tsim__report {
    const char *model_name;
    const char *time_unit;
    uint64_t seed;
    int replications;
    double horizon; /* 0: until no event was left */
    double warmup;  /* the warm-up used, chosen or given */
    int warmup_auto;
    size_t nrows;
    struct tsim__row *rows;         /* owned */
    uint64_t fingerprint;           /* tsim__fingerprint_combine (run/replicate.h) over reps */
    uint64_t events;                /* sum over replications */
    double wall_seconds;
    /* The orders table of replication `orders_rep` (`twinsim run --orders`), owned; none without
     * (blocks/picking.h: the rows borrow the model's names). */
    struct tsim__order_row *orders;
    size_t norders;
    uint64_t orders_rep;
    /* Where tsim__report_each finds the replications: `reps` (borrowed), else `spill`. */
    const struct tsim_result *reps;
    FILE *spill;                    /* borrowed from the tsim__collect that built the report */
};

/**
 * Fill `r` from `n` results of model `m`: summary rows (tsim_results_summarize at 95%), combined
 * fingerprint, event count. The caller then sets seed, horizon, warmup and wall_seconds.
 * Ownership: `reps` and `m` are borrowed; the names in rows point into `m` and into `reps`, so
 * both must outlive `r`. Release with tsim__report_release.
 * Errors: TSIM_EINVAL when n == 0 or the replications' KPI lists differ.
 */
int tsim__report_init(struct tsim__report *r, const struct tsim_model *m,
                      const struct tsim_result *reps, size_t n);
void tsim__report_release(struct tsim__report *r);

/**
 * Call `fn` for every replication of `r`, in replication order (0-based `rep`), until it returns
 * nonzero. Returns that value, 0, or TSIM_EIO if the spill cannot be read back.
 */
typedef int tsim__rep_each_fn(void *ctx, int rep, const struct tsim__rep_row *row);
int tsim__report_each(const struct tsim__report *r, tsim__rep_each_fn *fn, void *ctx);

/*
 * A report built as replications arrive, in replication order: one tally per KPI (the same
 * sums, in the same order, as tsim_results_summarize), the combined fingerprint and the event
 * count; with a spill directory, also each replication's row in an unlinked temporary file there,
 * for the writers that list replications. Memory does not depend on the number of replications.
 */
struct tsim__collect {
    size_t n, done;        /* replications expected, and added so far */
    size_t nkpi;
    struct tsim_kpi *kpis; /* replication 0's KPI list (names copied into `names`) */
    char **names;
    struct tsim_tally *t;
    uint64_t fp, events;
    FILE *spill;
    double *buf;           /* one spill record */
};

/**
 * Start collecting `n` replications; `spill_dir` (NULL: no spill) is the directory for the
 * spill file, best on the disk the outputs go to.
 * Errors: TSIM_EIO (with the directory and the reason) if the spill file cannot be made.
 */
int tsim__collect_init(struct tsim__collect *c, size_t n, const char *spill_dir);
/**
 * Add the next replication's result. Errors: TSIM_EINVAL if its KPIs differ from replication
 * 0's; TSIM_EIO if the spill cannot be written (a full disk).
 */
int tsim__collect_add(struct tsim__collect *c, const struct tsim_result *res);
/**
 * The report of the replications added (all `n` of them), for model `m`. The report borrows
 * the collector's spill and names: release the report before the collector.
 * Errors: TSIM_EINVAL (none added, KPIs of no block), TSIM_EIO (the spill cannot be flushed).
 */
int tsim__collect_report(struct tsim__collect *c, const struct tsim_model *m,
                         struct tsim__report *r);
void tsim__collect_release(struct tsim__collect *c);

/*
 * Whole files or none. tsim__out_open creates a temporary file beside `path` (same directory,
 * so that the rename stays on one file system; the mode a new file would get, or the mode of the
 * file it replaces) and returns it for writing; tsim__out_commit flushes, checks every write,
 * syncs and closes it, then renames it over `path`; on any failure it removes the temporary file
 * and leaves `path` as it was. `path` "-" is standard output: written directly and flushed, the
 * stream's error state checked. A `path` that exists and is not a regular file (a terminal, a
 * pipe, /dev/null) is written directly too. Errors: TSIM_EIO with the path and the reason.
 */
struct tsim__out {
    FILE *f;
    char *path, *tmp; /* tmp NULL: writing to the target itself */
    int closed;       /* tsim__out_close succeeded: only the rename is left */
    int err;          /* errno of the first failed tsim__out_write */
};
int tsim__out_open(struct tsim__out *o, const char *path);
/* fwrite, keeping the reason of a failure for the message (a large block goes past the buffer
 * and fails at once, so flushing later would not tell). */
void tsim__out_write(struct tsim__out *o, const void *p, size_t n);
int tsim__out_commit(struct tsim__out *o);
/* The first half of commit: everything but the rename, so that several files can all be
 * complete before any replaces its target. On failure the output is abandoned. */
int tsim__out_close(struct tsim__out *o);
/* Give up: close and remove the temporary file; `path` stays as it was. */
void tsim__out_abandon(struct tsim__out *o);

/* Shortest text that reads back as exactly `v`: the first of %.15g, %.16g, %.17g that does
 * (the shortest of all when it has at most 15 digits, as %g drops trailing zeros). `buf` holds
 * at least 32 bytes. Non-finite values give "nan", "inf", "-inf". */
void tsim__fmt_double(char *buf, size_t len, double v);

/* A growable text buffer; out of memory aborts (tsim__malloc). `p` is NUL-terminated once
 * anything was added. Zero-initialise it; tsim__sb_release frees it. */
struct tsim__sb {
    char *p;
    size_t n, cap;
};
void tsim__sb_add(struct tsim__sb *b, const char *s, size_t n);
void tsim__sb_printf(struct tsim__sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tsim__sb_release(struct tsim__sb *b);

/*
 * The JSON writer, the one every JSON twinsim writes goes through: run documents, experiment
 * and optimizer files, the twin's MQTT messages and records, the dashboard's answers. It streams
 * into a FILE or into a struct tsim__sb. By default it pretty-prints with two-space indents;
 * containers opened `inline` stay on one line (`{"a": 1, "b": 2}`, the summaries, so that a
 * document reads one KPI per line). Doubles are written in their shortest form that reads back
 * exactly (tsim__fmt_double); NaN and infinities as null, to stay valid JSON. Strings escape
 * what RFC 8259 requires (", \ and bytes below 0x20); UTF-8 passes unchanged. A top-level value
 * written to a FILE ends with a newline; one written to a buffer does not.
 */
enum {
    /* No space and no newline anywhere: {"a":1,"b":[2,3]} (the twin's messages). */
    TSIM__JSON_COMPACT = 1,
    /* Numbers as the twin's messages have always had them: a whole number in int range as an
     * integer, else 15 significant digits when they read back within a relative DBL_EPSILON,
     * else 17 (recorded forecasts are compared byte for byte on replay). */
    TSIM__JSON_MSG_NUMBERS = 2,
    /* Also escape <, >, & and DEL, and every control byte as \u00XX: the text can then never
     * close a <script> element it is embedded in (the dashboard's answers and the report). */
    TSIM__JSON_HTML = 4,
    /* The twin's messages (MQTT payloads, the records and the SSE stream): compact, and numbers
     * as they have always been. */
    TSIM__JSON_MSG = TSIM__JSON_COMPACT | TSIM__JSON_MSG_NUMBERS,
};
/* How a container is laid out (tsim__json_open's `inline_`); what is inside a container is laid
 * out at least as tightly as the container. */
enum {
    TSIM__JSON_LINES = 0,  /* one member a line, indented by two spaces a level */
    TSIM__JSON_INLINE = 1, /* on one line: {"a": 1, "b": 2} */
    TSIM__JSON_TIGHT = 2,  /* on one line without spaces: [1,2,3] */
};
#define TSIM__JSON_DEPTH 16
struct tsim__json {
    FILE *f;           /* the stream written to, or NULL to append to `sb` */
    struct tsim__sb *sb;
    unsigned flags;    /* TSIM__JSON_*; may be set after tsim__json_init */
    int brk;           /* the next member starts a new line (tsim__json_break) */
    int depth;
    int items[TSIM__JSON_DEPTH];  /* members written so far at each depth */
    int inl[TSIM__JSON_DEPTH];    /* 1 if the container at that depth is inline */
};

/* Write to `f`, pretty-printed, shortest numbers (flags 0). */
void tsim__json_init(struct tsim__json *j, FILE *f);
/* Append to `b` (which keeps what it holds) with `flags`. */
void tsim__json_init_sb(struct tsim__json *j, struct tsim__sb *b, unsigned flags);
/* `key` is NULL inside arrays and for the top-level value. `kind` is '{' or '['. `inline_` is a
 * layout, TSIM__JSON_LINES, _INLINE or _TIGHT. */
void tsim__json_open(struct tsim__json *j, const char *key, int kind, int inline_);
/* Start the next member on a new line, unindented, instead of after a space: long one-line
 * answers then read one row a line. */
void tsim__json_break(struct tsim__json *j);
void tsim__json_close(struct tsim__json *j, int kind);
/* A NULL `value` is written as null. */
void tsim__json_string(struct tsim__json *j, const char *key, const char *value);
/* `n` bytes of `value`, which need not be NUL-terminated. */
void tsim__json_string_n(struct tsim__json *j, const char *key, const char *value, size_t n);
void tsim__json_number(struct tsim__json *j, const char *key, double value);
/* An inline array of `n` numbers. */
void tsim__json_numbers(struct tsim__json *j, const char *key, const double *v, size_t n);
void tsim__json_uint(struct tsim__json *j, const char *key, uint64_t value);
void tsim__json_int(struct tsim__json *j, const char *key, int64_t value);
void tsim__json_bool(struct tsim__json *j, const char *key, int value);
void tsim__json_null(struct tsim__json *j, const char *key);
/* `json`, a value already written as JSON (a stored document), as it is. */
void tsim__json_raw(struct tsim__json *j, const char *key, const char *json);
/* `s` as a JSON string literal with quotes (flags 0). */
void tsim__json_escape(FILE *f, const char *s);
/* One value appended to `b` with `flags`, for text that is not all JSON (a Server-Sent Event). */
void tsim__sb_json_str(struct tsim__sb *b, const char *s, unsigned flags);
void tsim__sb_json_num(struct tsim__sb *b, double v, unsigned flags);

/**
 * Write the run's JSON document (format v1, see docs) to `f`.
 * Errors: TSIM_EIO if the stream reports an error.
 */
int tsim__json_write(FILE *f, const struct tsim__report *r);

/* The trace stored beside run `id` (`twinsim run --trace`, scen < 0) or beside scenario `scen`
 * of experiment run `id` (`twinsim experiment --trace`), as its JSON document on `f`
 * (trace_read.c; docs/dashboard.md). Returns TSIM__TRACE_OK; TSIM__TRACE_NONE where there is no
 * such trace (nothing written); TSIM__TRACE_DAMAGED where a series has the wrong length and
 * TSIM__TRACE_DB where SQLite failed (sqlite3_errmsg says why): then part of a document may
 * have been written, to be thrown away. */
enum { TSIM__TRACE_OK = 0, TSIM__TRACE_NONE = 1, TSIM__TRACE_DAMAGED = -1, TSIM__TRACE_DB = -2 };
struct sqlite3;
int tsim__trace_json(struct sqlite3 *db, int64_t id, long long scen, FILE *f);

/* Columns of the terminal table, and how each KPI is shown. */
enum tsim__unit_kind {
    TSIM__UNIT_COUNT,
    TSIM__UNIT_TIME,
    TSIM__UNIT_RATE,
    TSIM__UNIT_SHARE,
    TSIM__UNIT_PER_HOUR /* per hour whatever the model's time unit (lines_per_hour, ...) */
};
enum tsim__unit_kind tsim__kpi_unit(const char *kpi);
/* The unit of `kpi` as the JSON and the database give it: the time unit for times ("min"), per
 * time unit for rates ("/min"), "/h" for the rates per hour, "fraction" for shares (0 to 1),
 * "count" for the rest (counts and mean numbers of entities or operators). Returns `buf`. */
const char *tsim__unit_json(char *buf, size_t len, const char *kpi, const char *time_unit);

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
    const atomic_int *interrupt; /* NULL, or a flag that abandons the record (nothing kept) */
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
 * Print runs `a` and `b` of `twinsim run` (0: the newest) side by side: each KPI's means and the
 * difference b - a with its 95% interval, marked '*' when the interval excludes 0; and whether
 * their fingerprints are equal. Runs with the same seed drew the same random numbers replication
 * by replication (common random numbers), so the interval is a paired t interval over the
 * replications both have; runs with different seeds are independent and get Welch's interval
 * from the two summaries.
 * Errors: TSIM_ENOENT for no such run, TSIM_EINVAL for an experiment run, TSIM_EIO.
 */
int tsim__db_compare(const char *path, int64_t a, int64_t b, FILE *out);

/* A difference b - a estimated from paired replications. */
struct tsim__diff {
    double mean, half_width; /* NaN where it cannot be estimated */
    uint64_t pairs;
};

/**
 * The comparison table of tsim__db_compare: rows of `a` in their order, matched in `b` by owner,
 * type and KPI; rows found in one run only are listed as such. `paired` (NULL: none) holds the
 * paired difference for each row of `a`; without it, differences get Welch's interval.
 */
void tsim__table_compare(FILE *f, const struct tsim__row *a, size_t na, const struct tsim__row *b,
                         size_t nb, const char *time_unit, const char *label_a,
                         const char *label_b, const struct tsim__diff *paired);

#endif
