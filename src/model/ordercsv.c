/*
 * Order lines from a CSV file (a table of csvtab.c, on libcsv), in the shape a warehouse system
 * exports them: a header naming the columns `order`, `line`, `product`, `quantity`, `release` and
 * `due`, and optionally `priority` (in any order; other columns, such as a customer, are not
 * read), then one row per order line. `order` is any text; `line` a whole number from 1;
 * `quantity` a whole number from 1; `release` and `due` are times (csvtab.h: a number in the
 * model's time unit from time 0, a date-time or a clock time, one kind a column); `due` may be
 * empty (no due time); `priority` a whole number (default
 * 0, higher first). Every line of an order gives the same release, due and priority.
 *
 * Every problem is "FILE:LINE:COL: message" at the offending field: a missing column, a product
 * not in the model, a quantity or line that is not a whole number or is below 1, a time that is
 * not one (a date in another format, no such date, a time zone, a date-time without a date in
 * run.start, a time before the start), a due time before the release, an order
 * line given twice, lines of one order that disagree on release, due or priority. Nothing is
 * skipped silently.
 *
 * Memory: the rows are kept (order id text once per order, 28 bytes a line) until the lines are
 * grouped by order, then the result holds 12 bytes a line and 28 an order besides its id.
 */
#include "model/ordercsv.h"

#include "core/core.h"
#include "model/csvtab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_ORDER, COL_LINE, COL_PRODUCT, COL_QUANTITY, COL_RELEASE, COL_DUE, COL_PRIORITY, NCOLS };
static const struct tsim__csv_col cols[NCOLS] = {
    {"order", 0},   {"line", 0}, {"product", 0}, {"quantity", 0},
    {"release", 0}, {"due", 0},  {"priority", 1}};

/* Lines are at most this many: far beyond a day of any warehouse, and every index fits int32. */
#define LINES_MAX 100000000

struct row {
    int32_t order; /* index in the table of order ids, in first appearance */
    int32_t line, product, qty;
    int64_t at;    /* file line << 20 | column of the line number, for messages */
};

struct ord {
    char *id;
    double release, due;
    long long priority;
    long long at_line, at_col[3]; /* where its release, due and priority were first given */
    int32_t nlines;
};

struct reader {
    const struct tsim_model *m;
    struct row *rows;
    size_t nrows, caprows;
    struct ord *ords;
    size_t nords, capords;
    struct tsim__csv_clock clock;
    struct tsim__csv_tkind kind[2]; /* of release and due */
    /* open addressing over ords by id; capacity a power of two, at most half full */
    int32_t *hash;
    size_t caphash;
};

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void rehash(struct reader *r)
{
    size_t cap = r->caphash ? 2 * r->caphash : 1024;
    int32_t *h = tsim__malloc(cap * sizeof *h);
    for (size_t i = 0; i < cap; i++) h[i] = -1;
    for (size_t k = 0; k < r->nords; k++) {
        size_t i = hash_id(r->ords[k].id) & (cap - 1);
        while (h[i] >= 0) i = (i + 1) & (cap - 1);
        h[i] = (int32_t)k;
    }
    tsim__free(r->hash);
    r->hash = h;
    r->caphash = cap;
}

/* The index of order `id`, -1 if new (then `*slot` is where it goes). */
static int32_t find_order(struct reader *r, const char *id, size_t *slot)
{
    if (2 * (r->nords + 1) > r->caphash) rehash(r);
    size_t i = hash_id(id) & (r->caphash - 1);
    while (r->hash[i] >= 0) {
        if (strcmp(r->ords[r->hash[i]].id, id) == 0) return r->hash[i];
        i = (i + 1) & (r->caphash - 1);
    }
    *slot = i;
    return -1;
}


static void check_row(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct reader *r = ctx;
    long long line = row->line;
    if (r->nrows >= LINES_MAX) {
        tsim__csv_fail(c, line, 1, "more than %d order lines", LINES_MAX);
        return;
    }
    const char *id = row->val[COL_ORDER];
    if (!*id) {
        tsim__csv_fail(c, line, row->col[COL_ORDER], "order id is empty");
        return;
    }
    long long ln = tsim__csv_whole(row->val[COL_LINE]);
    if (ln < 1 || ln > INT32_MAX) {
        tsim__csv_fail(c, line, row->col[COL_LINE], "line '%s' is not a whole number from 1",
                       row->val[COL_LINE]);
        return;
    }
    int p = tsim__csv_product(c, row, COL_PRODUCT, r->m);
    if (p < 0) return;
    long long qty = tsim__csv_quantity(c, row, COL_QUANTITY);
    if (qty < 0) return;
    if (qty < 1 || qty > INT32_MAX) {
        tsim__csv_fail(c, line, row->col[COL_QUANTITY], "quantity %s is not from 1 to %d",
                       row->val[COL_QUANTITY], INT32_MAX);
        return;
    }
    double rel, due = INFINITY;
    if (tsim__csv_time(c, row, COL_RELEASE, &r->clock, &r->kind[0], "release", &rel) != 0)
        return;
    if (rel < 0) {
        tsim__csv_fail(c, line, row->col[COL_RELEASE], "release %s is negative",
                       row->val[COL_RELEASE]);
        return;
    }
    if (row->val[COL_DUE][0] &&
        tsim__csv_time(c, row, COL_DUE, &r->clock, &r->kind[1], "due", &due) != 0)
        return;
    if (due < rel) {
        tsim__csv_fail(c, line, row->col[COL_DUE], "due time %s is before the release %s",
                       row->val[COL_DUE], row->val[COL_RELEASE]);
        return;
    }
    long long prio = 0;
    if (row->val[COL_PRIORITY] && row->val[COL_PRIORITY][0]) {
        const char *s = row->val[COL_PRIORITY];
        prio = tsim__csv_whole(s[0] == '-' ? s + 1 : s);
        if (prio < 0 || prio > INT32_MAX) {
            tsim__csv_fail(c, line, row->col[COL_PRIORITY], "priority '%s' is not a whole number",
                           s);
            return;
        }
        if (s[0] == '-') prio = -prio;
    }
    size_t slot = 0;
    int32_t o = find_order(r, id, &slot);
    if (o < 0) {
        tsim__grow((void **)&r->ords, &r->capords, r->nords + 1, sizeof *r->ords);
        o = (int32_t)r->nords++;
        r->hash[slot] = o;
        struct ord *d = &r->ords[o];
        d->id = tsim__strdup(id);
        d->release = rel;
        d->due = due;
        d->priority = prio;
        d->at_line = line;
        d->at_col[0] = row->col[COL_RELEASE];
        d->at_col[1] = row->col[COL_DUE];
        d->at_col[2] = row->val[COL_PRIORITY] ? row->col[COL_PRIORITY] : 1;
        d->nlines = 0;
    } else {
        struct ord *d = &r->ords[o];
        int which = d->release != rel ? 0 : d->due != due ? 1 : d->priority != prio ? 2 : -1;
        if (which >= 0) {
            static const char *const what[] = {"release", "due", "priority"};
            static const int col[] = {COL_RELEASE, COL_DUE, COL_PRIORITY};
            tsim__csv_fail(c, line, row->col[col[which]],
                           "order '%s' has another %s than on line %lld (every line of an "
                           "order gives the same)",
                           id, what[which], d->at_line);
            return;
        }
    }
    r->ords[o].nlines++;
    tsim__grow((void **)&r->rows, &r->caprows, r->nrows + 1, sizeof *r->rows);
    struct row *w = &r->rows[r->nrows++];
    w->order = o;
    w->line = (int32_t)ln;
    w->product = p;
    w->qty = (int32_t)qty;
    w->at = (int64_t)line << 20 | (row->col[COL_LINE] & 0xFFFFF);
}

static const struct reader *sort_r;

/* Orders in release order: release time, then priority (highest first), then first appearance. */
static int by_release(const void *a, const void *b)
{
    const struct ord *x = &sort_r->ords[*(const int32_t *)a];
    const struct ord *y = &sort_r->ords[*(const int32_t *)b];
    if (x->release != y->release) return x->release < y->release ? -1 : 1;
    if (x->priority != y->priority) return x->priority > y->priority ? -1 : 1;
    return *(const int32_t *)a < *(const int32_t *)b ? -1 : 1;
}

/* Lines by (order's rank, line number, file position). */
static int by_line(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int group(struct reader *r, const char *shown, struct tsim__orderlines *out, char *err,
                 size_t errlen)
{
    size_t no = r->nords, nl = r->nrows;
    int32_t *rank_of = tsim__malloc((no ? no : 1) * sizeof *rank_of);
    int32_t *order = tsim__malloc((no ? no : 1) * sizeof *order);
    for (size_t i = 0; i < no; i++) order[i] = (int32_t)i;
    sort_r = r; /* qsort has no context argument in C11; the loader is not run concurrently on
                   one reader, and this is set and used within this call */
    qsort(order, no, sizeof *order, by_release);
    for (size_t i = 0; i < no; i++) rank_of[order[i]] = (int32_t)i;
    for (size_t i = 0; i < nl; i++) r->rows[i].order = rank_of[r->rows[i].order];
    qsort(r->rows, nl, sizeof *r->rows, by_line);
    int rc = 0;
    for (size_t i = 1; i < nl; i++)
        if (r->rows[i].order == r->rows[i - 1].order && r->rows[i].line == r->rows[i - 1].line) {
            snprintf(err, errlen,
                     "%s:%lld:%lld: line %d of order '%s' is given twice (first on line %lld)",
                     shown, (long long)(r->rows[i].at >> 20),
                     (long long)(r->rows[i].at & 0xFFFFF), (int)r->rows[i].line,
                     r->ords[order[r->rows[i].order]].id, (long long)(r->rows[i - 1].at >> 20));
            rc = -1;
            break;
        }
    if (rc == 0) {
        out->norders = (int)no;
        out->nlines = (int)nl;
        out->release = tsim__malloc((no ? no : 1) * sizeof *out->release);
        out->due = tsim__malloc((no ? no : 1) * sizeof *out->due);
        out->first = tsim__malloc((no + 1) * sizeof *out->first);
        out->product = tsim__malloc((nl ? nl : 1) * sizeof *out->product);
        out->qty = tsim__malloc((nl ? nl : 1) * sizeof *out->qty);
        out->id = tsim__malloc((no ? no : 1) * sizeof *out->id);
        out->line = tsim__malloc((nl ? nl : 1) * sizeof *out->line);
        for (size_t i = 0; i < no; i++) {
            out->release[i] = r->ords[order[i]].release;
            out->due[i] = r->ords[order[i]].due;
            out->id[i] = r->ords[order[i]].id; /* moved: the result owns it now */
            r->ords[order[i]].id = NULL;
        }
        size_t k = 0;
        for (size_t i = 0; i < no; i++) {
            out->first[i] = (int32_t)k;
            while (k < nl && r->rows[k].order == (int32_t)i) {
                out->product[k] = r->rows[k].product;
                out->qty[k] = r->rows[k].qty;
                out->line[k] = r->rows[k].line;
                k++;
            }
        }
        out->first[no] = (int32_t)nl;
    }
    tsim__free(rank_of);
    tsim__free(order);
    return rc;
}

int tsim__orders_read(const char *path, const char *text, size_t len, const struct tsim_model *m,
                      const char *shown, struct tsim__orderlines *out, char *err, size_t errlen)
{
    struct reader r;
    memset(&r, 0, sizeof r);
    r.m = m;
    tsim__csv_clock_of(m, &r.clock);
    memset(out, 0, sizeof *out);
    int rc = tsim__csv_read(path, text, len, shown, cols, NCOLS,
                            "order, line, product, quantity, release, due", check_row, &r, err,
                            errlen);
    if (rc == 0 && r.nrows == 0) {
        snprintf(err, errlen, "%s:2:1: no order lines", shown);
        rc = -1;
    }
    if (rc == 0) rc = group(&r, shown, out, err, errlen);
    for (size_t i = 0; i < r.nords; i++) tsim__free(r.ords[i].id);
    tsim__free(r.ords);
    tsim__free(r.rows);
    tsim__free(r.hash);
    if (rc != 0) tsim__orderlines_release(out);
    return rc;
}
