/*
 * A dock's truck appointments from a CSV file (a table of csvtab.c, on libcsv): a header naming
 * the columns `truck`, `arrival`, `pallets` and `direction`, and optionally `planned` (the
 * appointment's time, by which the yard may order trucks), `departure` (the latest planned
 * departure) and `door` (the door it is for, from 1, or empty or `any`), in any order (other
 * columns, as a carrier, are not read), then one row per truck. `truck` is any text, given once;
 * times are numbers from 0 in the model's time unit, date-times or clock times (csvtab.h; one
 * kind a column; `planned` and `departure` may be empty); `pallets` a whole number from 1;
 * `direction` `inbound` or `outbound`; `orders` (optional) the ids of the orders an outbound
 * truck loads, separated by '|' (empty: none), at most its `pallets` (one order a pallet), each
 * once; whether each is an order of a picking block whose shipped orders reach the dock is checked
 * once every block is loaded (tsim__trucks_resolve, below), at its line and column here;
 * `product` (optional) the product of an inbound truck's pallets (empty: the dock's).
 *
 * Every problem is "FILE:LINE:COL: message" at the offending field: a missing column, a time
 * that is not one (a date in another format, no such date, a time zone, a date-time without a
 * date in run.start, a time before the start), pallets that are not a whole number from 1, an
 * unknown direction, a departure before the planned time, a truck given twice, a door that is
 * not one of the dock's or serves only the other direction; orders named by an inbound truck,
 * an empty order id, one named twice, more orders than pallets; a product not in the model (with
 * a did-you-mean) or on an outbound truck. Nothing is skipped silently.
 */
#include "model/truckcsv.h"

#include "core/core.h"
#include "model/csvtab.h"
#include "model/params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_TRUCK, COL_ARRIVAL, COL_PALLETS, COL_DIRECTION, COL_PLANNED, COL_DEPARTURE, COL_DOOR,
    COL_ORDERS, COL_PRODUCT, NCOLS
};
static const struct tsim__csv_col cols[NCOLS] = {
    {"truck", 0},   {"arrival", 0},   {"pallets", 0}, {"direction", 0},
    {"planned", 1}, {"departure", 1}, {"door", 1},    {"orders", 1}, {"product", 1}};

#define TRUCKS_MAX 10000000

struct row {
    char *id;
    long long line, col;
    int index; /* file order */
};

struct reader {
    struct tsim__trucks *out;
    int cap;
    struct row *rows;
    struct tsim__csv_clock clock;
    struct tsim__csv_tkind kind[3]; /* of arrival, planned and departure */
    const struct tsim__truck_doors *doors;
    int has_orders;  /* the file has an `orders` column */
    int has_product; /* the file has a `product` column */
    const struct tsim_model *m;
};

/* The door in `s` for a truck of that direction, from 0, or -1 for any (empty or "any"); -2
 * after reporting why not. */
static int door_of(struct tsim__csv *c, const struct tsim__csv_row *row,
                   const struct tsim__truck_doors *d, int outbound)
{
    const char *s = row->val[COL_DOOR];
    if (!s || !s[0] || strcmp(s, "any") == 0) return -1;
    long long n = tsim__csv_whole(s);
    if (n < 1 || n > d->doors) {
        tsim__csv_fail(c, row->line, row->col[COL_DOOR],
                       "door '%s' is not one of the dock's doors (1 to %lld, or 'any')", s,
                       d->doors);
        return -2;
    }
    int in_only = n <= d->inbound, out_only = !in_only && n <= d->inbound + d->outbound;
    if (outbound ? in_only : out_only) {
        tsim__csv_fail(c, row->line, row->col[COL_DOOR],
                       "door %lld serves only %s trucks (the dock's %s), and this one is %s", n,
                       in_only ? "inbound" : "outbound",
                       in_only ? "'inbound_doors'" : "'outbound_doors'",
                       outbound ? "outbound" : "inbound");
        return -2;
    }
    return (int)(n - 1);
}

/* The orders an outbound truck of `pallets` names in its `orders` cell: their count (0: none), or
 * -1 after reporting why not. An id's column is the cell's plus its offset in the cell. */
static int orders_of(struct tsim__csv *c, const struct tsim__csv_row *row, int outbound,
                     long long pallets)
{
    const char *s = row->val[COL_ORDERS];
    if (!s || !s[0]) return 0;
    long long line = row->line, col = row->col[COL_ORDERS];
    if (!outbound) {
        tsim__csv_fail(c, line, col, "truck '%s' is inbound: only an outbound truck loads orders",
                       row->val[COL_TRUCK]);
        return -1;
    }
    long long n = 0;
    for (const char *a = s;; n++) {
        size_t len = strcspn(a, "|");
        if (len == 0) {
            tsim__csv_fail(c, line, col + (a - s), "empty order id in '%s' (ids are separated "
                           "by '|')", s);
            return -1;
        }
        for (const char *b = s; b < a; b += strcspn(b, "|") + 1)
            if (strcspn(b, "|") == len && strncmp(a, b, len) == 0) {
                tsim__csv_fail(c, line, col + (a - s), "order '%.*s' is named twice by truck "
                               "'%s'", (int)len, a, row->val[COL_TRUCK]);
                return -1;
            }
        if (!a[len]) break;
        a += len + 1;
    }
    n++;
    if (n > pallets) {
        tsim__csv_fail(c, line, col, "truck '%s' names %lld orders, more than its %lld pallets "
                       "(one order a pallet)", row->val[COL_TRUCK], n, pallets);
        return -1;
    }
    return (int)n;
}

/* The product of an inbound truck's pallets in its `product` cell: its index in the model, -1
 * for none (the dock's), or -2 after reporting why not (an outbound truck's pallets are times
 * or orders, and have none). */
static int product_of(struct tsim__csv *c, const struct tsim__csv_row *row, int outbound,
                      const struct tsim_model *m)
{
    const char *s = row->val[COL_PRODUCT];
    if (!s || !s[0]) return -1;
    if (outbound) {
        tsim__csv_fail(c, row->line, row->col[COL_PRODUCT], "truck '%s' is outbound: only an "
                       "inbound truck's pallets have a product", row->val[COL_TRUCK]);
        return -2;
    }
    int p = tsim__csv_product(c, row, COL_PRODUCT, m);
    return p < 0 ? -2 : p;
}

static void check_row(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct reader *r = ctx;
    struct tsim__trucks *o = r->out;
    long long line = row->line;
    if (o->n == 0) { /* the same for every row */
        r->has_orders = row->val[COL_ORDERS] != NULL;
        r->has_product = row->val[COL_PRODUCT] != NULL;
    }
    if (o->n >= TRUCKS_MAX) {
        tsim__csv_fail(c, line, 1, "more than %d trucks", TRUCKS_MAX);
        return;
    }
    if (!row->val[COL_TRUCK][0]) {
        tsim__csv_fail(c, line, row->col[COL_TRUCK], "truck id is empty");
        return;
    }
    double t[3] = {0, INFINITY, INFINITY};
    static const int tcol[3] = {COL_ARRIVAL, COL_PLANNED, COL_DEPARTURE};
    for (int k = 0; k < 3; k++) {
        const char *s = row->val[tcol[k]];
        if (k > 0 && (!s || !s[0])) continue;
        if (tsim__csv_time(c, row, tcol[k], &r->clock, &r->kind[k], cols[tcol[k]].name,
                           &t[k]) != 0)
            return;
        if (t[k] < 0) {
            tsim__csv_fail(c, line, row->col[tcol[k]], "%s %s is negative", cols[tcol[k]].name,
                           s);
            return;
        }
    }
    if (isfinite(t[1]) && t[2] < t[1]) {
        tsim__csv_fail(c, line, row->col[COL_DEPARTURE],
                       "departure %s is before the planned time %s", row->val[COL_DEPARTURE],
                       row->val[COL_PLANNED]);
        return;
    }
    long long pallets = tsim__csv_whole(row->val[COL_PALLETS]);
    if (pallets < 1 || pallets > 1000000) {
        tsim__csv_fail(c, line, row->col[COL_PALLETS],
                       "pallets '%s' is not a whole number from 1 to 1000000",
                       row->val[COL_PALLETS]);
        return;
    }
    const char *dir = row->val[COL_DIRECTION];
    int out = strcmp(dir, "outbound") == 0;
    if (!out && strcmp(dir, "inbound") != 0) {
        tsim__csv_fail(c, line, row->col[COL_DIRECTION],
                       "direction '%s' is not 'inbound' or 'outbound'", dir);
        return;
    }
    int door = door_of(c, row, r->doors, out);
    if (door < -1) return;
    int named = orders_of(c, row, out, pallets);
    if (named < 0) return;
    int product = product_of(c, row, out, r->m);
    if (product < -1) return;
    if (o->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        size_t n = (size_t)r->cap;
        o->arrival = tsim__realloc(o->arrival, n * sizeof *o->arrival);
        o->planned = tsim__realloc(o->planned, n * sizeof *o->planned);
        o->departure = tsim__realloc(o->departure, n * sizeof *o->departure);
        o->pallets = tsim__realloc(o->pallets, n * sizeof *o->pallets);
        o->outbound = tsim__realloc(o->outbound, n * sizeof *o->outbound);
        o->door = tsim__realloc(o->door, n * sizeof *o->door);
        o->id = tsim__realloc(o->id, n * sizeof *o->id);
        r->rows = tsim__realloc(r->rows, n * sizeof *r->rows);
        if (r->has_product) o->product = tsim__realloc(o->product, n * sizeof *o->product);
        if (r->has_orders) {
            o->orders = tsim__realloc(o->orders, n * sizeof *o->orders);
            o->orders_line = tsim__realloc(o->orders_line, n * sizeof *o->orders_line);
            o->orders_col = tsim__realloc(o->orders_col, n * sizeof *o->orders_col);
            o->named = tsim__realloc(o->named, n * sizeof *o->named);
        }
    }
    int i = o->n++;
    o->arrival[i] = t[0];
    o->planned[i] = t[1];
    o->departure[i] = t[2];
    o->pallets[i] = (int32_t)pallets;
    o->outbound[i] = (unsigned char)out;
    o->door[i] = door;
    o->id[i] = tsim__strdup(row->val[COL_TRUCK]);
    if (r->has_product) o->product[i] = product;
    if (r->has_orders) {
        o->orders[i] = named ? tsim__strdup(row->val[COL_ORDERS]) : NULL;
        o->orders_line[i] = line;
        o->orders_col[i] = row->col[COL_ORDERS];
        o->named[i] = named;
    }
    r->rows[i] = (struct row){o->id[i], line, row->col[COL_TRUCK], i};
}

static int by_id(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static const struct tsim__trucks *sort_t; /* set and used within one call of sort_by_arrival */

static int by_arrival(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    double x = sort_t->arrival[i], y = sort_t->arrival[j];
    if (x != y) return x < y ? -1 : 1;
    return (i > j) - (i < j);
}

static void sort_by_arrival(struct tsim__trucks *o)
{
    size_t n = (size_t)o->n;
    int *idx = tsim__malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = (int)i;
    sort_t = o;
    qsort(idx, n, sizeof *idx, by_arrival);
    struct tsim__trucks s = {o->n,
                             tsim__malloc(n * sizeof(double)),
                             tsim__malloc(n * sizeof(double)),
                             tsim__malloc(n * sizeof(double)),
                             tsim__malloc(n * sizeof(int32_t)),
                             tsim__malloc(n),
                             tsim__malloc((n ? n : 1) * sizeof(char *)),
                             {NULL, 0},
                             tsim__malloc((n ? n : 1) * sizeof(int32_t)),
                             NULL, NULL, NULL, NULL, NULL, NULL, -1, 0, NULL};
    if (o->product) s.product = tsim__malloc((n ? n : 1) * sizeof(int32_t));
    if (o->orders) {
        s.orders = tsim__malloc((n ? n : 1) * sizeof(char *));
        s.orders_line = tsim__malloc((n ? n : 1) * sizeof(long long));
        s.orders_col = tsim__malloc((n ? n : 1) * sizeof(long long));
        s.named = tsim__malloc((n ? n : 1) * sizeof(int32_t));
    }
    for (size_t k = 0; k < n; k++) {
        int i = idx[k];
        s.arrival[k] = o->arrival[i];
        s.planned[k] = o->planned[i];
        s.departure[k] = o->departure[i];
        s.pallets[k] = o->pallets[i];
        s.outbound[k] = o->outbound[i];
        s.door[k] = o->door[i];
        s.id[k] = o->id[i];
        o->id[i] = NULL; /* moved */
        if (o->product) s.product[k] = o->product[i];
        if (o->orders) {
            s.orders[k] = o->orders[i];
            o->orders[i] = NULL;
            s.orders_line[k] = o->orders_line[i];
            s.orders_col[k] = o->orders_col[i];
            s.named[k] = o->named[i];
        }
    }
    tsim__free(idx);
    tsim__trucks_release(o);
    *o = s;
}

int tsim__trucks_read(const char *path, const char *text, size_t len, const char *shown,
                      const struct tsim_model *m, const struct tsim__truck_doors *doors,
                      struct tsim__trucks *out, char *err, size_t errlen)
{
    struct reader r = {out, 0, NULL, {0, 0, 0, 0}, {{0, 0}, {0, 0}, {0, 0}}, doors, 0, 0, m};
    tsim__csv_clock_of(m, &r.clock);
    memset(out, 0, sizeof *out);
    int rc = tsim__csv_read(path, text, len, shown, cols, NCOLS,
                            "truck, arrival, pallets, direction", check_row, &r, err, errlen);
    if (rc == 0 && out->n == 0) {
        snprintf(err, errlen, "%s:2:1: no trucks", shown);
        rc = -1;
    }
    if (rc == 0) {
        qsort(r.rows, (size_t)out->n, sizeof *r.rows, by_id);
        for (int i = 1; i < out->n; i++)
            if (strcmp(r.rows[i].id, r.rows[i - 1].id) == 0) {
                snprintf(err, errlen,
                         "%s:%lld:%lld: truck '%s' is given twice (first on line %lld)", shown,
                         r.rows[i].line, r.rows[i].col, r.rows[i].id, r.rows[i - 1].line);
                rc = -1;
                break;
            }
    }
    tsim__free(r.rows); /* the ids are the result's */
    if (rc == 0) {
        sort_by_arrival(out);
        out->shown = tsim__strdup(shown);
    } else {
        tsim__trucks_release(out);
    }
    return rc;
}

/* A copy of the `len` bytes at `a`, as a string. */
static char *copy_id(const char *a, size_t len)
{
    char *id = tsim__malloc(len + 1);
    memcpy(id, a, len);
    id[len] = '\0';
    return id;
}

/* Whether the shipped orders of block `from` can reach block `to` of `m` along routes: a walk
 * over the route graph, O(blocks + routes); `seen` has room for a flag per block. */
static int reaches(const struct tsim_model *m, int from, int to, unsigned char *seen, int *stack)
{
    memset(seen, 0, (size_t)m->nblocks);
    int top = 0;
    seen[from] = 1;
    stack[top++] = from;
    while (top > 0) {
        const struct tsim__route *r = &m->blocks[stack[--top]].route;
        for (int i = 0; i < r->n; i++) {
            int b = r->to[i];
            if (b == to) return 1;
            if (!seen[b]) seen[b] = 1, stack[top++] = b;
        }
    }
    return 0;
}

/* The id at `a` (up to '|' or the end) of truck `k`'s cell is not an order of the picking blocks
 * `pick[0..n)` that reach dock `dock`: the message, with the closest order id of theirs as a
 * suggestion. O(orders), on the error path only. */
static void unknown_order(const struct tsim__trucks *t, int k, const char *a, size_t len,
                          const struct tsim_model *m, const int *pick, int n, const char *dock,
                          char *err, size_t errlen)
{
    char *id = copy_id(a, len);
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, id);
    for (int j = 0; j < n; j++) {
        const struct tsim__block_desc *pd = &m->blocks[pick[j]];
        for (int o = 0; o < pd->orders.norders; o++) tsim__suggest_offer(&sg, pd->orders.id[o]);
    }
    long long line = t->orders_line[k], col = t->orders_col[k] + (a - t->orders[k]);
    if (n == 1)
        snprintf(err, errlen, "%s:%lld:%lld: order '%s' is not in the orders file of picking "
                 "'%s'%s", t->shown, line, col, id, m->blocks[pick[0]].name,
                 tsim__suggest_text(&sg));
    else
        snprintf(err, errlen, "%s:%lld:%lld: order '%s' is not in the orders file of any of the "
                 "%d picking blocks whose orders reach dock '%s'%s", t->shown, line, col, id, n,
                 dock, tsim__suggest_text(&sg));
    tsim__free(id);
}

/* The picking block of `m` among `pick[0..n)` whose orders file has order `id`: its index in
 * `pick`, and the order in *order; -1 when none has. */
static int find_order(const struct tsim_model *m, const int *pick, int n, const char *id,
                      int *order)
{
    for (int j = 0; j < n; j++) {
        const struct tsim__block_desc *pd = &m->blocks[pick[j]];
        int o = tsim__names_find(&pd->orders.ids, pd->orders.id, id);
        if (o >= 0) {
            *order = o;
            return j;
        }
    }
    return -1;
}

/* Truck k's named order at `a` (length `len`): 0 with truck_of filled for it (allocated for
 * picking block `*block`, set by the first order), or -1 with the message in `err`. `pick[0..
 * nreach)` are the picking blocks that reach the dock, `pick[nreach..n)` those that do not. */
static int resolve_one(struct tsim__trucks *t, int k, const char *a, size_t len,
                       const struct tsim_model *m, const int *pick, int nreach, int n,
                       const char *dock, int *block, char *err, size_t errlen)
{
    long long line = t->orders_line[k], col = t->orders_col[k] + (a - t->orders[k]);
    char *id = copy_id(a, len);
    int o = -1, j = find_order(m, pick, nreach, id, &o), rc = -1;
    if (j < 0) {
        int far = find_order(m, pick + nreach, n - nreach, id, &o);
        if (far >= 0)
            snprintf(err, errlen, "%s:%lld:%lld: order '%s' is in the orders file of picking "
                     "'%s', whose shipped orders cannot reach dock '%s' along routes", t->shown,
                     line, col, id, m->blocks[pick[nreach + far]].name, dock);
        else
            unknown_order(t, k, a, len, m, pick, nreach, dock, err, errlen);
    } else if (*block >= 0 && pick[j] != *block) {
        snprintf(err, errlen, "%s:%lld:%lld: order '%s' is of picking '%s', but the dock's trucks "
                 "name orders of picking '%s' already: a dock's trucks name the orders of one "
                 "picking block", t->shown, line, col, id, m->blocks[pick[j]].name,
                 m->blocks[*block].name);
    } else {
        if (*block < 0) {
            *block = pick[j];
            int no = m->blocks[*block].orders.norders;
            t->truck_of = tsim__malloc((size_t)(no ? no : 1) * sizeof *t->truck_of);
            for (int i = 0; i < no; i++) t->truck_of[i] = -1;
        }
        if (t->truck_of[o] >= 0) {
            int f = t->truck_of[o];
            snprintf(err, errlen, "%s:%lld:%lld: order '%s' is on truck '%s' (line %lld) and on "
                     "truck '%s': an order goes on one truck", t->shown, line, col, id, t->id[f],
                     t->orders_line[f], t->id[k]);
        } else {
            t->truck_of[o] = k;
            rc = 0;
        }
    }
    tsim__free(id);
    return rc;
}

int tsim__trucks_resolve(struct tsim__trucks *t, const struct tsim_model *m, int dock, char *err,
                         size_t errlen)
{
    tsim__free(t->truck_of);
    t->truck_of = NULL;
    t->order_block = -1;
    if (!t->orders) return 0;
    int k0 = 0;
    while (k0 < t->n && !t->named[k0]) k0++;
    if (k0 == t->n) return 0;
    /* the picking blocks with an orders file, those whose orders reach the dock first */
    int n = 0, nreach = 0, nfar = 0, block = -1, rc = 0;
    int *pick = tsim__malloc((size_t)m->nblocks * sizeof *pick);
    int *stack = tsim__malloc((size_t)m->nblocks * sizeof *stack);
    unsigned char *seen = tsim__malloc((size_t)m->nblocks);
    int *far = tsim__malloc((size_t)m->nblocks * sizeof *far);
    for (int b = 0; b < m->nblocks; b++) { /* one route walk a block */
        const struct tsim__block_desc *pd = &m->blocks[b];
        if (!pd->orders.norders || !pd->orders.id) continue;
        if (reaches(m, b, dock, seen, stack)) pick[n++] = b;
        else far[nfar++] = b;
    }
    nreach = n;
    for (int j = 0; j < nfar; j++) pick[n++] = far[j];
    tsim__free(far);
    const char *name = m->blocks[dock].name;
    if (n == 0 || nreach == 0) {
        if (n == 0)
            snprintf(err, errlen, "%s:%lld:%lld: truck '%s' names orders, but no picking block "
                     "of the model reads an 'orders_file'", t->shown, t->orders_line[k0],
                     t->orders_col[k0], t->id[k0]);
        else
            snprintf(err, errlen, "%s:%lld:%lld: truck '%s' names orders, but the shipped orders "
                     "of no picking block with an 'orders_file' reach dock '%s' along routes",
                     t->shown, t->orders_line[k0], t->orders_col[k0], t->id[k0], name);
        rc = -1;
    }
    for (int k = k0; k < t->n && rc == 0; k++)
        for (const char *a = t->orders[k]; t->named[k] && a && rc == 0;) {
            size_t len = strcspn(a, "|");
            rc = resolve_one(t, k, a, len, m, pick, nreach, n, name, &block, err, errlen);
            a = a[len] ? a + len + 1 : NULL;
        }
    tsim__free(pick);
    tsim__free(stack);
    tsim__free(seen);
    if (rc != 0) {
        tsim__free(t->truck_of);
        t->truck_of = NULL;
        return -1;
    }
    t->order_block = block;
    return 0;
}
