/*
 * The initial stock of a storage block from a CSV file (libcsv): a header naming the columns
 * `slot`, `product` and `quantity` (in any order; other columns are not read), then one row per
 * slot. A slot is written BAY-LEVEL, both from 1 (`12-3`); the quantity is 0 or 1 (a slot holds
 * one load). A UTF-8 byte order mark and CRLF line ends are read as any other file's.
 *
 * Every problem is reported as "FILE:LINE:COL: message", the line and column (from 1, in bytes)
 * being where the offending field starts in the CSV: a missing column, a row with too few
 * fields, a product not in the model, a slot outside the rack or written wrong, a quantity that
 * is negative, above 1 or not a whole number, a slot given twice, a quote left open. Nothing is
 * skipped silently: the first problem stops the read.
 *
 * Positions: libcsv reports fields, not where they are, so the text is fed to it in pieces that
 * end at the next delimiter or line end; a field's callback then comes at the end of the piece
 * that ends it, and the reader knows the position of the piece. Within quotes a piece may end
 * inside the field, which libcsv keeps to itself; a field's start is where the piece after the
 * previous field's end began.
 */
#include "model/stockcsv.h"

#include "blocks/desc.h"
#include "core/core.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_SLOT, COL_PRODUCT, COL_QUANTITY, NCOLS };
static const char *const col_names[NCOLS] = {"slot", "product", "quantity"};

struct reader {
    const struct tsim_model *m;
    long long bays, levels;
    const char *shown;
    char *err;
    size_t errlen;
    int failed;
    long long line, col;             /* of the next byte fed */
    long long fline, fcol;           /* where the current field started */
    int at_field_start;              /* the next byte starts a field */
    long long row;                   /* rows ended, the header included */
    int field;                       /* index of the field in its row */
    int where[NCOLS];                /* field index of each column, -1 until the header names it */
    int nheader;
    long long row_line, row_col[NCOLS]; /* positions of this row's fields of interest */
    char *val[NCOLS];                /* this row's fields of interest */
    unsigned char *seen;             /* per slot: given already */
    struct tsim__stock *out;
    int skip_bom;
};

static void fail(struct reader *r, long long line, long long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct reader *r, long long line, long long col, const char *fmt, ...)
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

static char *dup_field(const void *s, size_t len)
{
    char *t = tsim__malloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    return t;
}

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->failed) return;
    if (!s) s = ""; /* NULL only for an empty field under CSV_EMPTY_IS_NULL, not set here */
    if (r->row == 0) {
        for (int c = 0; c < NCOLS; c++)
            if (len == strlen(col_names[c]) && memcmp(s, col_names[c], len) == 0) {
                if (r->where[c] >= 0)
                    fail(r, r->fline, r->fcol, "column '%s' is named twice", col_names[c]);
                r->where[c] = r->field;
            }
    } else {
        if (r->field == 0) r->row_line = r->fline;
        for (int c = 0; c < NCOLS; c++)
            if (r->where[c] == r->field) {
                r->val[c] = dup_field(s, len);
                r->row_col[c] = r->fcol;
            }
    }
    r->field++;
    r->at_field_start = 1;
}

static void clear_row(struct reader *r)
{
    for (int c = 0; c < NCOLS; c++) {
        tsim__free(r->val[c]);
        r->val[c] = NULL;
    }
}

/* A whole number in `s` (no sign, digits only), or -1. */
static long long whole(const char *s)
{
    if (!*s) return -1;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static void check_row(struct reader *r)
{
    for (int c = 0; c < NCOLS; c++)
        if (!r->val[c]) {
            fail(r, r->row_line, 1,
                 "row has %d fields, too few for column '%s' (field %d)", r->field,
                 col_names[c], r->where[c] + 1);
            return;
        }
    long long line = r->row_line;
    const char *slot = r->val[COL_SLOT];
    const char *dash = strchr(slot, '-');
    char bay_s[32], level_s[32];
    size_t bl = dash ? (size_t)(dash - slot) : 0;
    if (!dash || bl >= sizeof bay_s || strlen(dash + 1) >= sizeof level_s) {
        fail(r, line, r->row_col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return;
    }
    memcpy(bay_s, slot, bl);
    bay_s[bl] = '\0';
    strcpy(level_s, dash + 1);
    long long bay = whole(bay_s), level = whole(level_s);
    if (bay < 0 || level < 0) {
        fail(r, line, r->row_col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return;
    }
    if (bay < 1 || bay > r->bays || level < 1 || level > r->levels) {
        fail(r, line, r->row_col[COL_SLOT],
             "slot '%s' is outside the rack (bays 1..%lld, levels 1..%lld)", slot, r->bays,
             r->levels);
        return;
    }
    int p = tsim_model_find_product(r->m, r->val[COL_PRODUCT]);
    if (p < 0) {
        fail(r, line, r->row_col[COL_PRODUCT], "product '%s' is not in the model",
             r->val[COL_PRODUCT]);
        return;
    }
    const char *q = r->val[COL_QUANTITY];
    long long qty = whole(q[0] == '-' ? q + 1 : q);
    if (qty < 0) {
        fail(r, line, r->row_col[COL_QUANTITY], "quantity '%s' is not a whole number", q);
        return;
    }
    if (q[0] == '-' && qty > 0) {
        fail(r, line, r->row_col[COL_QUANTITY], "quantity %s is negative", q);
        return;
    }
    if (qty > 1) {
        fail(r, line, r->row_col[COL_QUANTITY], "quantity %lld is more than a slot holds (1)",
             qty);
        return;
    }
    long long i = (level - 1) * r->bays + (bay - 1);
    if (r->seen[i]) {
        fail(r, line, r->row_col[COL_SLOT], "slot '%s' is given twice", slot);
        return;
    }
    r->seen[i] = 1;
    if (qty == 0) return;
    struct tsim__stock *o = r->out;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 64;
        o->slot = tsim__realloc(o->slot, (size_t)o->cap * sizeof *o->slot);
        o->product = tsim__realloc(o->product, (size_t)o->cap * sizeof *o->product);
    }
    o->slot[o->n] = (int32_t)i;
    o->product[o->n] = p;
    o->n++;
}

static void on_row(int term, void *data)
{
    struct reader *r = data;
    if (r->failed) return;
    if (r->row == 0) {
        r->nheader = r->field;
        for (int c = 0; c < NCOLS; c++)
            if (r->where[c] < 0) {
                fail(r, 1, 1, "no column '%s' in the header (it needs slot, product, quantity)",
                     col_names[c]);
                return;
            }
    } else {
        check_row(r);
    }
    clear_row(r);
    r->row++;
    r->field = 0;
}

/* Feed `s[0..n)`: in pieces that end at a delimiter or line end, so that a field's callback
 * comes with the reader's position at the field's end. */
static void feed(struct csv_parser *p, struct reader *r, const char *s, size_t n)
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
            r->at_field_start = j - i == 1 && (s[i] == '\n' || s[i] == '\r');
        }
        if (csv_parse(p, s + i, j - i, on_field, on_row, r) != j - i) {
            fail(r, r->line, r->col, "%s", csv_strerror(csv_error(p)));
            return;
        }
        for (size_t k = i; k < j; k++) {
            if (s[k] == '\n') r->line++, r->col = 1;
            else r->col++;
        }
        i = j;
    }
}

static int finish(struct csv_parser *p, struct reader *r)
{
    if (!r->failed && csv_fini(p, on_field, on_row, r) != 0)
        fail(r, r->line, r->col, "a quoted field is not closed");
    if (!r->failed && r->row == 0) fail(r, 1, 1, "no header (it needs slot, product, quantity)");
    csv_free(p);
    clear_row(r);
    tsim__free(r->seen);
    if (r->failed) {
        tsim__stock_release(r->out);
        return -1;
    }
    return 0;
}

static void start(struct reader *r, struct csv_parser *p, const struct tsim_model *m,
                  long long bays, long long levels, const char *shown, struct tsim__stock *out,
                  char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->m = m;
    r->bays = bays;
    r->levels = levels;
    r->shown = shown;
    r->err = err;
    r->errlen = errlen;
    r->line = r->col = 1;
    r->at_field_start = 1;
    r->skip_bom = 1;
    for (int c = 0; c < NCOLS; c++) r->where[c] = -1;
    r->seen = tsim__calloc((size_t)(bays * levels), 1);
    r->out = out;
    memset(out, 0, sizeof *out);
    csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
}

int tsim__stock_parse(const char *text, size_t len, const struct tsim_model *m, long long bays,
                      long long levels, const char *shown, struct tsim__stock *out, char *err,
                      size_t errlen)
{
    struct reader r;
    struct csv_parser p;
    start(&r, &p, m, bays, levels, shown, out, err, errlen);
    feed(&p, &r, text, len);
    return finish(&p, &r);
}

int tsim__stock_read(const char *path, const struct tsim_model *m, long long bays,
                     long long levels, const char *shown, struct tsim__stock *out, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", shown, strerror(errno));
        memset(out, 0, sizeof *out);
        return -1;
    }
    struct reader r;
    struct csv_parser p;
    start(&r, &p, m, bays, levels, shown, out, err, errlen);
    /* Pieces of the file; a BOM is whole in the first (it is 3 bytes of 64 KiB). */
    char buf[65536];
    size_t n;
    while (!r.failed && (n = fread(buf, 1, sizeof buf, f)) > 0) feed(&p, &r, buf, n);
    if (!r.failed && ferror(f)) fail(&r, r.line, r.col, "read error");
    fclose(f);
    return finish(&p, &r);
}

void tsim__stock_release(struct tsim__stock *s)
{
    tsim__free(s->slot);
    tsim__free(s->product);
    memset(s, 0, sizeof *s);
}
