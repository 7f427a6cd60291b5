/*
 * A CSV table with a header row, read with libcsv: csvtab.h has the contract. A UTF-8 byte order
 * mark and CRLF line ends are read as any other file's; a quote left open, a column named twice,
 * a missing required column, a row with too few fields, a NUL byte and a field longer than
 * TSIM__CSV_FIELD_MAX are reported here, what a field means by the row function.
 *
 * Positions: libcsv reports fields, not where they are, so the text is fed to it in pieces that
 * end at the next delimiter or line end; a field's callback then comes at the end of the piece
 * that ends it, and the reader knows the position of the piece. Within quotes a piece may end
 * inside the field, which libcsv keeps to itself; a field's start is where the piece after the
 * previous field's end began.
 */
#include "model/csvtab.h"

#include "twinsim.h"

#include "blocks/desc.h"
#include "core/core.h"
#include "model/params.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tsim__csv {
    const struct tsim__csv_col *cols;
    int ncols;
    const char *needs;
    tsim__csv_row_fn *row_fn;
    void *ctx;
    const char *shown;
    char *err;
    size_t errlen;
    int failed;
    long long line, col;             /* of the next byte fed */
    long long fline, fcol;           /* where the current field started */
    size_t fbytes;                   /* bytes fed since the current field started */
    int at_field_start;              /* the next byte starts a field */
    long long row;                   /* rows ended, the header included */
    int field;                       /* index of the field in its row */
    int where[TSIM__CSV_COLS_MAX];   /* field index of each column, -1 if the header has none */
    char *val[TSIM__CSV_COLS_MAX];   /* this row's fields of interest; NULL until seen */
    char *buf[TSIM__CSV_COLS_MAX];   /* each column's room, kept from row to row */
    size_t cap[TSIM__CSV_COLS_MAX];
    struct tsim__csv_row cur;
    int skip_bom;
};

void tsim__csv_fail(struct tsim__csv *r, long long line, long long col, const char *fmt, ...)
{
    if (r->failed) return;
    r->failed = 1;
    int k = snprintf(r->err, r->errlen, "%s:%lld:%lld: ", r->shown, line, col);
    if (k < 0 || (size_t)k >= r->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

long long tsim__csv_whole(const char *s)
{
    if (!*s) return -1;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int tsim__csv_product(struct tsim__csv *c, const struct tsim__csv_row *row, int col,
                      const struct tsim_model *m)
{
    int p = tsim_model_find_product(m, row->val[col]);
    if (p < 0) {
        struct tsim__suggest s;
        tsim__suggest_init(&s, row->val[col]);
        for (int k = 0; k < m->nproducts; k++) tsim__suggest_offer(&s, m->products[k]);
        tsim__csv_fail(c, row->line, row->col[col], "product '%s' is not in the model%s",
                       row->val[col], tsim__suggest_text(&s));
    }
    return p;
}

long long tsim__csv_quantity(struct tsim__csv *c, const struct tsim__csv_row *row, int col)
{
    const char *q = row->val[col];
    long long qty = tsim__csv_whole(q[0] == '-' ? q + 1 : q);
    if (qty < 0) {
        tsim__csv_fail(c, row->line, row->col[col], "quantity '%s' is not a whole number", q);
        return -1;
    }
    if (q[0] == '-' && qty > 0) {
        tsim__csv_fail(c, row->line, row->col[col], "quantity %s is negative", q);
        return -1;
    }
    return qty;
}

/* ---------------------------------------------------------------------------------------------
 * Times: numbers, date-times and clock times
 * ------------------------------------------------------------------------------------------- */

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (the civil-days count: a
 * year taken from March, so that the leap day ends it). */
static long long civil_days(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The inverse of civil_days: "YYYY-MM-DD" of `days` in `buf`. */
static void civil_text(long long days, char *buf, size_t len)
{
    days += 719468;
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    snprintf(buf, len, "%04lld-%02d-%02d", yoe + era * 400 + (m <= 2), m, d);
}

static int month_days(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

/* "HH:MM[:SS[.fff]]" at `s` (H:MM too when `loose`): seconds from midnight in `*sec` and the
 * end in `*end`. Returns 0, 1 when not of that shape, -1 (why in `why`) when out of range. */
static int clock_of(const char *s, int loose, double *sec, const char **end, char *why,
                    size_t whylen)
{
    int h, mi, se = 0, nh = loose && s[0] && s[1] == ':' ? 1 : 2;
    if (digits(s, nh, &h) != 0 || s[nh] != ':' || digits(s + nh + 1, 2, &mi) != 0) return 1;
    const char *c = s + nh + 3;
    double frac = 0;
    if (*c == ':') {
        if (digits(c + 1, 2, &se) != 0) return 1;
        c += 3;
        if (*c == '.' && c[1] >= '0' && c[1] <= '9') {
            double w = 0.1;
            for (c++; *c >= '0' && *c <= '9'; c++, w /= 10) frac += (*c - '0') * w;
        }
    }
    *end = c;
    if (h > 23 || mi > 59 || se > 59) {
        snprintf(why, whylen, "%s is out of range (hours 00-23, minutes and seconds 00-59)",
                 h > 23 ? "the hour" : mi > 59 ? "the minute" : "the second");
        return -1;
    }
    *sec = h * 3600.0 + mi * 60.0 + se + frac;
    return 0;
}

int tsim__parse_datetime(const char *s, long long *day, double *sec, char *why, size_t whylen)
{
    static const char *const names[12] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};
    int y, mo, d;
    if (digits(s, 4, &y) != 0 || s[4] != '-' || digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
        digits(s + 8, 2, &d) != 0)
        return 1;
    if (mo < 1 || mo > 12) {
        snprintf(why, whylen, "there is no month %02d", mo);
        return -1;
    }
    if (d < 1 || d > month_days(y, mo)) {
        snprintf(why, whylen, "there is no day %02d in %s %d (it has %d days)", d,
                 names[mo - 1], y, month_days(y, mo));
        return -1;
    }
    *day = civil_days(y, mo, d);
    *sec = 0;
    const char *c = s + 10;
    if (*c == ' ' || *c == 'T') {
        int rc = clock_of(c + 1, 0, sec, &c, why, whylen);
        if (rc != 0) return rc;
    }
    if (*c == 'Z' || ((*c == '+' || *c == '-') && c[1] >= '0' && c[1] <= '9')) {
        snprintf(why, whylen,
                 "a time zone ('%s') is not read: write the time on the model's clock, "
                 "without a zone",
                 c);
        return -1;
    }
    return *c ? 1 : 0;
}

void tsim__csv_clock_of(const struct tsim_model *m, struct tsim__csv_clock *k)
{
    k->has_date = m->has_start_date;
    k->day = m->start_day;
    k->start_s = m->start_clock * 3600.0;
    k->unit_s = tsim_unit_factor(m->time_unit, "s");
}

int tsim__csv_time(struct tsim__csv *c, const struct tsim__csv_row *row, int col,
                   const struct tsim__csv_clock *k, struct tsim__csv_tkind *tk, const char *what,
                   double *t)
{
    static const char *const kinds[] = {"", "a number", "a date-time", "a clock time"};
    const char *s = row->val[col];
    long long line = row->line, at = row->col[col];
    char why[160];
    long long day = 0;
    double sec = 0;
    const char *end = s;
    int kind, rc = tsim__parse_datetime(s, &day, &sec, why, sizeof why);
    if (rc == 0) {
        kind = 2;
    } else if (rc < 0) {
        tsim__csv_fail(c, line, at, "%s '%s' is not a date-time: %s", what, s, why);
        return -1;
    } else if ((rc = clock_of(s, 1, &sec, &end, why, sizeof why)) <= 0 && (rc < 0 || !*end)) {
        if (rc < 0) {
            tsim__csv_fail(c, line, at, "%s '%s' is not a clock time: %s", what, s, why);
            return -1;
        }
        kind = 3;
    } else {
        char *e;
        kind = 1;
        if (!*s || strpbrk(s, "xXnN") || (*t = strtod(s, &e), *e) || !isfinite(*t)) {
            tsim__csv_fail(c, line, at,
                           "%s '%s' is not a time (a number in the model's time unit, a "
                           "date-time YYYY-MM-DD HH:MM[:SS] or a clock time HH:MM[:SS])",
                           what, s);
            return -1;
        }
    }
    if (tk->kind == 0) {
        tk->kind = kind;
        tk->line = line;
    } else if (tk->kind != kind) {
        tsim__csv_fail(c, line, at,
                       "%s '%s' is %s, but the column's first time (line %lld) is %s: a column "
                       "gives its times one way",
                       what, s, kinds[kind], tk->line, kinds[tk->kind]);
        return -1;
    }
    if (kind == 1) return 0;
    if (kind == 2 && !k->has_date) {
        tsim__csv_fail(c, line, at,
                       "%s '%s' is a date-time, but the model's run.start gives no date to "
                       "count from (write it as 'start: YYYY-MM-DD HH:MM')",
                       what, s);
        return -1;
    }
    double from_start = (double)(kind == 2 ? day - k->day : 0) * 86400.0 + sec - k->start_s;
    if (from_start < 0) {
        char date[32] = "";
        if (k->has_date) {
            civil_text(k->day, date, sizeof date - 1);
            strcat(date, " ");
        }
        int h = (int)(k->start_s / 3600), mi = (int)fmod(k->start_s / 60, 60);
        tsim__csv_fail(c, line, at, "%s '%s' is before the model's start, %s%02d:%02d%s", what,
                       s, date, h, mi,
                       kind == 3 ? " (a clock time is on the start's day: write a date-time for "
                                   "a later day)"
                                 : "");
        return -1;
    }
    *t = from_start / k->unit_s;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct tsim__csv *r = data;
    if (r->failed) return;
    if (!s) s = ""; /* NULL only for an empty field under CSV_EMPTY_IS_NULL, not set here */
    if (r->row == 0) {
        for (int c = 0; c < r->ncols; c++)
            if (len == strlen(r->cols[c].name) && memcmp(s, r->cols[c].name, len) == 0) {
                if (r->where[c] >= 0)
                    tsim__csv_fail(r, r->fline, r->fcol, "column '%s' is named twice",
                                   r->cols[c].name);
                r->where[c] = r->field;
            }
    } else {
        if (r->field == 0) r->cur.line = r->fline;
        for (int c = 0; c < r->ncols; c++)
            if (r->where[c] == r->field) {
                if (len + 1 > r->cap[c]) {
                    r->cap[c] = len + 1 > 64 ? len + 1 : 64;
                    tsim__free(r->buf[c]);
                    r->buf[c] = tsim__malloc(r->cap[c]);
                }
                r->val[c] = r->buf[c];
                memcpy(r->val[c], s, len);
                r->val[c][len] = '\0';
                r->cur.col[c] = r->fcol;
            }
    }
    r->field++;
    r->at_field_start = 1;
}

static void clear_row(struct tsim__csv *r)
{
    for (int c = 0; c < r->ncols; c++) r->val[c] = NULL;
}

static void on_row(int term, void *data)
{
    (void)term;
    struct tsim__csv *r = data;
    if (r->failed) return;
    if (r->row == 0) {
        for (int c = 0; c < r->ncols; c++)
            if (r->where[c] < 0 && !r->cols[c].optional) {
                tsim__csv_fail(r, 1, 1, "no column '%s' in the header (it needs %s)",
                               r->cols[c].name, r->needs);
                return;
            }
    } else {
        for (int c = 0; c < r->ncols; c++) {
            if (r->where[c] >= 0 && !r->val[c]) {
                tsim__csv_fail(r, r->cur.line, 1,
                               "row has %d fields, too few for column '%s' (field %d)", r->field,
                               r->cols[c].name, r->where[c] + 1);
                break;
            }
            r->cur.val[c] = r->val[c];
        }
        if (!r->failed) r->row_fn(r, &r->cur, r->ctx);
    }
    clear_row(r);
    r->row++;
    r->field = 0;
}

/* Feed `s[0..n)`: in pieces that end at a delimiter or line end, so that a field's callback
 * comes with the reader's position at the field's end. */
static void feed(struct csv_parser *p, struct tsim__csv *r, const char *s, size_t n)
{
    size_t i = 0;
    if (r->skip_bom) {
        /* The BOM is only ever at the start of the file; the caller feeds it whole there. */
        r->skip_bom = 0;
        if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) i = 3;
    }
    while (i < n && !r->failed) {
        size_t j = i;
        while (j < n && s[j] != ',' && s[j] != '\n' && s[j] != '\r') j++;
        if (j < n) j++;
        if (r->at_field_start) {
            /* A lone line end may end a row (CRLF's second half, a blank line) rather than a
             * field: the next piece may still start the next field. */
            r->fline = r->line;
            r->fcol = r->col;
            r->fbytes = 0;
            r->at_field_start = j - i == 1 && (s[i] == '\n' || s[i] == '\r');
        }
        /* A NUL would end the field's text early (the rest silently dropped), and a field of a
         * gigabyte would be held whole before any check saw it: both refused before libcsv
         * takes the piece. The piece's last byte may be the delimiter that ends the field. */
        const char *nul = memchr(s + i, '\0', j - i);
        if (nul) {
            tsim__csv_fail(r, r->line, r->col + (nul - (s + i)),
                           "a NUL byte in a field (a CSV file is text)");
            return;
        }
        int ends = s[j - 1] == ',' || s[j - 1] == '\n' || s[j - 1] == '\r';
        r->fbytes += j - i;
        if (r->fbytes - (size_t)ends > TSIM__CSV_FIELD_MAX) {
            tsim__csv_fail(r, r->fline, r->fcol, "field is longer than %d bytes",
                           TSIM__CSV_FIELD_MAX);
            return;
        }
        if (csv_parse(p, s + i, j - i, on_field, on_row, r) != j - i) {
            tsim__csv_fail(r, r->line, r->col, "%s", csv_strerror(csv_error(p)));
            return;
        }
        for (size_t k = i; k < j; k++) {
            if (s[k] == '\n') r->line++, r->col = 1;
            else r->col++;
        }
        i = j;
    }
}

int tsim__csv_read(const char *path, const char *text, size_t len, const char *shown,
                   const struct tsim__csv_col *cols, int ncols, const char *needs,
                   tsim__csv_row_fn *row_fn, void *ctx, char *err, size_t errlen)
{
    TSIM__ASSERT(ncols > 0 && ncols <= TSIM__CSV_COLS_MAX, "%d CSV columns", ncols);
    FILE *f = NULL;
    if (!text) {
        f = fopen(path, "rb");
        if (!f) {
            snprintf(err, errlen, "%s: cannot open: %s", shown, strerror(errno));
            return -1;
        }
    }
    struct tsim__csv r;
    memset(&r, 0, sizeof r);
    r.cols = cols;
    r.ncols = ncols;
    r.needs = needs;
    r.row_fn = row_fn;
    r.ctx = ctx;
    r.shown = shown;
    r.err = err;
    r.errlen = errlen;
    r.line = r.col = 1;
    r.at_field_start = 1;
    r.skip_bom = 1;
    for (int c = 0; c < ncols; c++) r.where[c] = -1;
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    if (text) {
        feed(&p, &r, text, len);
    } else {
        /* Pieces of the file; a BOM is whole in the first (it is 3 bytes of 64 KiB). */
        static const size_t piece = 65536;
        char *buf = tsim__malloc(piece);
        size_t n;
        while (!r.failed && (n = fread(buf, 1, piece, f)) > 0) feed(&p, &r, buf, n);
        if (!r.failed && ferror(f)) tsim__csv_fail(&r, r.line, r.col, "read error");
        tsim__free(buf);
        fclose(f);
    }
    if (!r.failed && csv_fini(&p, on_field, on_row, &r) != 0)
        tsim__csv_fail(&r, r.line, r.col, "a quoted field is not closed");
    if (!r.failed && r.row == 0) tsim__csv_fail(&r, 1, 1, "no header (it needs %s)", needs);
    csv_free(&p);
    for (int c = 0; c < ncols; c++) tsim__free(r.buf[c]);
    return r.failed ? -1 : 0;
}
