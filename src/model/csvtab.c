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

#include "core/core.h"

#include <csv.h>
#include <errno.h>
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
    char *val[TSIM__CSV_COLS_MAX];   /* this row's fields of interest */
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
    if (p < 0)
        tsim__csv_fail(c, row->line, row->col[col], "product '%s' is not in the model",
                       row->val[col]);
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
                r->val[c] = tsim__malloc(len + 1);
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
    for (int c = 0; c < r->ncols; c++) {
        tsim__free(r->val[c]);
        r->val[c] = NULL;
    }
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
    clear_row(&r);
    return r.failed ? -1 : 0;
}
