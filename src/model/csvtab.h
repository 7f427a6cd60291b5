/*
 * A CSV table with a header row, read with libcsv (csvtab.c): the columns a reader asks for are
 * found by name in the header, in any order (other columns are not read), and each data row is
 * handed to the reader's row function with its fields and where each starts. Every problem is
 * "FILE:LINE:COL: message" at the offending field. The stock of a storage block (stockcsv.c)
 * and the order lines of a picking block (ordercsv.c) are read through it. Not API.
 */
#ifndef TSIM_MODEL_CSVTAB_H
#define TSIM_MODEL_CSVTAB_H

#include <stddef.h>

#define TSIM__CSV_COLS_MAX 16

/* The longest field, in bytes of the file (its quotes included): a longer one is refused where
 * it starts, before more of it is read. */
#define TSIM__CSV_FIELD_MAX 65536

struct tsim__csv;
struct tsim_model;

struct tsim__csv_col {
    const char *name;
    int optional; /* 0: the header must name it */
};

/* One data row: per asked column, its text (NULL when an optional column is not in the header)
 * and the column (from 1, in bytes) where it starts; `line` is where the row starts. */
struct tsim__csv_row {
    long long line;
    const char *val[TSIM__CSV_COLS_MAX];
    long long col[TSIM__CSV_COLS_MAX];
};

/* Called once per data row, in file order; reports a problem with tsim__csv_fail, which stops
 * the read. */
typedef void tsim__csv_row_fn(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx);

/* Report a problem at `line`:`col` of the file; only the first one is kept. */
void tsim__csv_fail(struct tsim__csv *c, long long line, long long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Read the table in file `path` (text NULL) or in `text[0..len)`, named `shown` in messages,
 * with the `ncols` columns `cols` (at most TSIM__CSV_COLS_MAX); `needs` is the list of required
 * columns as the messages name them ("slot, product, quantity"). Returns 0, or -1 with
 * "SHOWN:LINE:COL: message" in `err`. */
int tsim__csv_read(const char *path, const char *text, size_t len, const char *shown,
                   const struct tsim__csv_col *cols, int ncols, const char *needs,
                   tsim__csv_row_fn *row_fn, void *ctx, char *err, size_t errlen);

/* A whole number in `s` (digits only, below 10^13), or -1. */
long long tsim__csv_whole(const char *s);

/* The product named in column `col` of `row`: its index in `m`, or -1 after reporting it. */
int tsim__csv_product(struct tsim__csv *c, const struct tsim__csv_row *row, int col,
                      const struct tsim_model *m);

/* The quantity in column `col` of `row`, a whole number >= 0, or -1 after reporting why not
 * (not a number, or negative). */
long long tsim__csv_quantity(struct tsim__csv *c, const struct tsim__csv_row *row, int col);

/* A date and time of day "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" or the same with 'T' for
 * the space: its day (days from 1970-01-01) in `*day` and its seconds from midnight in `*sec`.
 * Returns 0; 1 when `s` is not of that shape; -1 when it is but is no date or time (2026-02-30,
 * 25:00, a time zone suffix) with why in `why[0..whylen)`. */
int tsim__parse_datetime(const char *s, long long *day, double *sec, char *why, size_t whylen);

/* The model's clock, for times written as dates or clock times (tsim__csv_clock_of). */
struct tsim__csv_clock {
    int has_date;      /* run.start gives a date */
    long long day;     /* run.start's day, days from 1970-01-01 (when has_date) */
    double start_s;    /* run.start's seconds from midnight */
    double unit_s;     /* seconds in the model's time unit */
};
void tsim__csv_clock_of(const struct tsim_model *m, struct tsim__csv_clock *k);

/* The kind of time a column gives: that of its first value; a later value of another kind is
 * refused. Zero it before the read. */
struct tsim__csv_tkind {
    int kind; /* 0: no value yet; 1 a number, 2 a date-time, 3 a clock time */
    long long line;
};

/* The time in column `col` of `row`, named `what` in messages, in the model's time unit from
 * time 0: a plain number (any sign: the caller checks its range), a date-time (its distance from
 * run.start, which must give a date) or a clock time HH:MM[:SS] (on run.start's day, not before
 * it). Returns 0 with `*t`, or -1 after reporting why not. */
int tsim__csv_time(struct tsim__csv *c, const struct tsim__csv_row *row, int col,
                   const struct tsim__csv_clock *k, struct tsim__csv_tkind *tk, const char *what,
                   double *t);

#endif
