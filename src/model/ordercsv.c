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
 * Memory, a file of n lines and o orders being some 30n bytes: while reading, 16 bytes a line
 * and, per order, its id (a pointer and the text's allocation, 32 bytes for an id of up to 23
 * characters) and 24 bytes, besides a hash table of the ids (4 to 8 bytes an order). Grouping
 * moves the lines in place (a bucket sort by order, no copy of them), then the result takes 12
 * bytes a line and 28 an order besides its id. Where a message needs the place of an earlier row
 * (the first line of an order that another line disagrees with, the first of an order line
 * given twice), the file is read again up to there rather than every row's place kept.
 */
#include "model/ordercsv.h"

#include "core/core.h"
#include "core/names.h"
#include "model/csvtab.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COL_ORDER, COL_LINE, COL_PRODUCT, COL_QUANTITY, COL_RELEASE, COL_DUE, COL_PRIORITY, NCOLS };
static const struct tsim__csv_col cols[NCOLS] = {
    {"order", 0},   {"line", 0}, {"product", 0}, {"quantity", 0},
    {"release", 0}, {"due", 0},  {"priority", 1}};

/* Lines are at most this many: far beyond a day of any warehouse, and every index fits int32. */
#define LINES_MAX 100000000

/* A line read: its order's index (in first appearance), its number, product and quantity. */
struct row {
    int32_t order, line, product, qty;
};

struct reader {
    const struct tsim_model *m;
    struct tsim__csv_clock clock;
    struct tsim__csv_tkind kind[2]; /* of release and due */
    struct row *rows;
    size_t nrows, caprows;
    /* per order, in first appearance; nlines becomes each order's next free place when grouping.
     * The ids lie end to end, each with its NUL, in one block, `pool` (the result keeps it): an
     * order's id is at idoff, not an allocation of its own. */
    uint64_t *idoff;
    char *pool;
    size_t npool, cappool;
    double *release, *due;
    int32_t *priority, *nlines;
    size_t nords, capords;
    /* open addressing over the orders by id; capacity a power of two, at most half full */
    int32_t *hash;
    size_t caphash;
    /* an order that a line disagrees with: the message waits for its first line (find_first) */
    int32_t bad_order;
    int bad_what;
    long long bad_line, bad_col;
};

static const char *id_of(const struct reader *r, size_t k) { return r->pool + r->idoff[k]; }

/* Append `id` to the ids' block for order `o`. */
static void keep_id(struct reader *r, int32_t o, const char *id)
{
    size_t n = strlen(id) + 1;
    if (r->npool + n > r->cappool) {
        size_t cap = r->cappool ? 2 * r->cappool : 16384;
        while (cap < r->npool + n) cap *= 2;
        r->pool = tsim__realloc(r->pool, cap);
        r->cappool = cap;
    }
    memcpy(r->pool + r->npool, id, n);
    r->idoff[o] = r->npool;
    r->npool += n;
}

static void rehash(struct reader *r)
{
    size_t cap = r->caphash ? 2 * r->caphash : 1024;
    int32_t *h = tsim__malloc(cap * sizeof *h);
    for (size_t i = 0; i < cap; i++) h[i] = -1;
    for (size_t k = 0; k < r->nords; k++) {
        size_t i = tsim__fnv1a_str(id_of(r, k)) & (cap - 1);
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
    size_t i = tsim__fnv1a_str(id) & (r->caphash - 1);
    while (r->hash[i] >= 0) {
        if (strcmp(id_of(r, (size_t)r->hash[i]), id) == 0) return r->hash[i];
        i = (i + 1) & (r->caphash - 1);
    }
    *slot = i;
    return -1;
}

static void grow_orders(struct reader *r)
{
    if (r->nords < r->capords) return;
    size_t n = r->capords ? 2 * r->capords : 1024;
    r->idoff = tsim__realloc(r->idoff, n * sizeof *r->idoff);
    r->release = tsim__realloc(r->release, n * sizeof *r->release);
    r->due = tsim__realloc(r->due, n * sizeof *r->due);
    r->priority = tsim__realloc(r->priority, n * sizeof *r->priority);
    r->nlines = tsim__realloc(r->nlines, n * sizeof *r->nlines);
    r->capords = n;
}

static const char *const what_name[] = {"release", "due", "priority"};

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
        grow_orders(r);
        o = (int32_t)r->nords++;
        r->hash[slot] = o;
        keep_id(r, o, id);
        r->release[o] = rel;
        r->due[o] = due;
        r->priority[o] = (int32_t)prio;
        r->nlines[o] = 0;
    } else {
        int which = r->release[o] != rel ? 0
                    : r->due[o] != due   ? 1
                    : r->priority[o] != prio ? 2
                                             : -1;
        if (which >= 0) {
            static const int col[] = {COL_RELEASE, COL_DUE, COL_PRIORITY};
            r->bad_order = o;
            r->bad_what = which;
            r->bad_line = line;
            r->bad_col = row->col[col[which]];
            tsim__csv_fail(c, line, r->bad_col, "order '%s' has another %s than on its first line",
                           id, what_name[which]);
            return;
        }
    }
    r->nlines[o]++;
    tsim__grow((void **)&r->rows, &r->caprows, r->nrows + 1, sizeof *r->rows);
    r->rows[r->nrows++] = (struct row){o, (int32_t)ln, p, (int32_t)qty};
}

/* Reading the file again, for a message's place: the first rows of order `id` (with line number
 * `line`, unless 0), up to two. */
struct finder {
    const char *id;
    long long line;
    int found;
    long long at_line[2], at_col[2];
};

static void find_row(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct finder *f = ctx;
    if (strcmp(row->val[COL_ORDER], f->id) != 0) return;
    if (f->line && tsim__csv_whole(row->val[COL_LINE]) != f->line) return;
    f->at_line[f->found] = row->line;
    f->at_col[f->found] = row->col[COL_LINE];
    if (++f->found == 2 || !f->line) tsim__csv_fail(c, 1, 1, "found"); /* stops the read */
}

static void find_rows(const char *path, const char *text, size_t len, struct finder *f)
{
    char scratch[64];
    f->found = 0;
    f->at_line[0] = f->at_line[1] = 1;
    f->at_col[0] = f->at_col[1] = 1;
    tsim__csv_read(path, text, len, "", cols, NCOLS, "", find_row, f, scratch, sizeof scratch);
}

static const struct reader *sort_r;

/* Orders in release order: release time, then priority (highest first), then first appearance. */
static int by_release(const void *a, const void *b)
{
    int32_t i = *(const int32_t *)a, j = *(const int32_t *)b;
    const struct reader *r = sort_r;
    if (r->release[i] != r->release[j]) return r->release[i] < r->release[j] ? -1 : 1;
    if (r->priority[i] != r->priority[j]) return r->priority[i] > r->priority[j] ? -1 : 1;
    return i < j ? -1 : 1;
}

/* Lines of one order by their number. */
static int by_line(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void sort_lines(struct row *v, size_t n)
{
    if (n > 16) {
        qsort(v, n, sizeof *v, by_line);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct row x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1].line > x.line; j--) v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Group the lines by order, the orders in release order, into `out`; 0, or -1 with the order
 * line given twice in `*dup_order` (its rank) and `*dup_line`. */
static int group(struct reader *r, struct tsim__orderlines *out, int32_t *dup_order,
                 int32_t *dup_line)
{
    size_t no = r->nords, nl = r->nrows;
    int32_t *perm = tsim__malloc(no * sizeof *perm);
    for (size_t i = 0; i < no; i++) perm[i] = (int32_t)i;
    sort_r = r; /* qsort has no context argument in C11; the loader is not run concurrently on
                   one reader, and this is set and used within this call */
    qsort(perm, no, sizeof *perm, by_release);
    /* Each order's place: its lines start where those of the orders released before it end;
     * nlines[o] becomes the next free place in o's run. */
    out->first = tsim__malloc((no + 1) * sizeof *out->first);
    int32_t at = 0;
    for (size_t k = 0; k < no; k++) {
        int32_t o = perm[k], n = r->nlines[o];
        out->first[k] = at;
        r->nlines[o] = at;
        at += n;
    }
    out->first[no] = at;
    /* In place: each line swapped into its order's run, every swap putting one in its place. */
    struct row *v = r->rows;
    for (size_t k = 0; k < no; k++) {
        int32_t o = perm[k], end = out->first[k + 1];
        while (r->nlines[o] < end) {
            struct row x = v[r->nlines[o]];
            if (x.order == o) {
                r->nlines[o]++;
                continue;
            }
            int32_t to = r->nlines[x.order]++;
            v[r->nlines[o]] = v[to];
            v[to] = x;
        }
    }
    int rc = 0;
    for (size_t k = 0; k < no && rc == 0; k++) {
        size_t a = (size_t)out->first[k], b = (size_t)out->first[k + 1];
        sort_lines(v + a, b - a);
        for (size_t i = a + 1; i < b; i++)
            if (v[i].line == v[i - 1].line) {
                *dup_order = (int32_t)k;
                *dup_line = v[i].line;
                rc = -1;
                break;
            }
    }
    /* The orders' fields in release order; what only the grouping needed goes first. */
    tsim__free(r->priority);
    tsim__free(r->nlines);
    r->priority = r->nlines = NULL;
    out->norders = (int)no;
    out->nlines = (int)nl;
    out->id_pool = tsim__realloc(r->pool, r->npool); /* its size, before pointing into it */
    r->pool = NULL;
    out->id = tsim__malloc(no * sizeof *out->id);
    for (size_t k = 0; k < no; k++) out->id[k] = out->id_pool + r->idoff[perm[k]];
    tsim__free(r->idoff);
    r->idoff = NULL;
    r->nords = 0; /* the result owns the ids now */
    out->release = tsim__malloc(no * sizeof *out->release);
    for (size_t k = 0; k < no; k++) out->release[k] = r->release[perm[k]];
    tsim__free(r->release);
    out->due = tsim__malloc(no * sizeof *out->due);
    for (size_t k = 0; k < no; k++) out->due[k] = r->due[perm[k]];
    tsim__free(r->due);
    r->release = r->due = NULL;
    tsim__free(perm);
    if (rc != 0) return rc;
    /* The lines' fields: two copied out, the third packed in place in the rows' room. */
    out->line = tsim__malloc(nl * sizeof *out->line);
    out->product = tsim__malloc(nl * sizeof *out->product);
    for (size_t i = 0; i < nl; i++) {
        out->line[i] = v[i].line;
        out->product[i] = v[i].product;
    }
    int32_t *q = (int32_t *)(void *)v;
    for (size_t i = 0; i < nl; i++) {
        int32_t x = v[i].qty; /* read before q[i], at or before v[i], is written */
        q[i] = x;
    }
    out->qty = tsim__realloc(v, nl * sizeof *out->qty);
    r->rows = NULL;
    return 0;
}

static void release_reader(struct reader *r)
{
    tsim__free(r->idoff);
    tsim__free(r->pool);
    tsim__free(r->release);
    tsim__free(r->due);
    tsim__free(r->priority);
    tsim__free(r->nlines);
    tsim__free(r->rows);
    tsim__free(r->hash);
}

int tsim__orders_read(const char *path, const char *text, size_t len, const struct tsim_model *m,
                      const char *shown, struct tsim__orderlines *out, char *err, size_t errlen)
{
    struct reader r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.bad_order = -1;
    tsim__csv_clock_of(m, &r.clock);
    memset(out, 0, sizeof *out);
    int rc = tsim__csv_read(path, text, len, shown, cols, NCOLS,
                            "order, line, product, quantity, release, due", check_row, &r, err,
                            errlen);
    if (rc != 0 && r.bad_order >= 0) {
        struct finder f = {id_of(&r, (size_t)r.bad_order), 0, 0, {0, 0}, {0, 0}};
        find_rows(path, text, len, &f);
        snprintf(err, errlen,
                 "%s:%lld:%lld: order '%s' has another %s than on line %lld (every line of an "
                 "order gives the same)",
                 shown, r.bad_line, r.bad_col, f.id, what_name[r.bad_what], f.at_line[0]);
    }
    if (rc == 0 && r.nrows == 0) {
        snprintf(err, errlen, "%s:2:1: no order lines", shown);
        rc = -1;
    }
    tsim__free(r.hash); /* grouping needs no look-up by id */
    r.hash = NULL;
    if (rc == 0) {
        int32_t dup_order = -1, dup_line = 0;
        if (group(&r, out, &dup_order, &dup_line) != 0) {
            struct finder f = {out->id[dup_order], dup_line, 0, {0, 0}, {0, 0}};
            find_rows(path, text, len, &f);
            snprintf(err, errlen,
                     "%s:%lld:%lld: line %d of order '%s' is given twice (first on line %lld)",
                     shown, f.at_line[1], f.at_col[1], (int)dup_line, f.id, f.at_line[0]);
            rc = -1;
        }
    }
    release_reader(&r);
    if (rc != 0) tsim__orderlines_release(out);
    return rc;
}
