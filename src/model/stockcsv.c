/*
 * The initial stock of a storage block from a CSV file (a table of csvtab.c, on libcsv): a header
 * naming the columns `slot`, `product` and `quantity` (in any order; other columns are not read),
 * then rows of loads. A slot is written BAY-LEVEL, both from 1 (`12-3`); the quantity is a whole
 * number from 0 to the loads a slot holds (stockcsv.h: 1, a selective rack's `slot_loads`, a
 * lane's `depth`); 0 names the slot's (or lane's) product without a load (dedicated put-away).
 *
 * A slot of one load is given once. A slot of several may be given in several rows, one per
 * product, as long as their quantities add up to what it holds; products may share a slot
 * unless the rack holds one product a slot (a lane, or dedicated put-away).
 *
 * Every problem is reported as "FILE:LINE:COL: message" at the offending field (csvtab.h): a
 * missing column, a row with too few fields, a product not in the model, a slot outside the rack
 * or written wrong, a quantity that is negative, not a whole number or more than the slot holds
 * (alone or with the slot's rows before it), a slot given twice (for one product), a second
 * product in a slot of one product, a quote left open. Nothing is skipped silently: the first
 * problem stops the read.
 */
#include "model/stockcsv.h"

#include "blocks/desc.h"
#include "core/core.h"
#include "model/csvtab.h"

#include <stdio.h>
#include <string.h>

enum { COL_SLOT, COL_PRODUCT, COL_QUANTITY, NCOLS };
static const struct tsim__csv_col cols[NCOLS] = {{"slot", 0}, {"product", 0}, {"quantity", 0}};

/* A row read: its slot's rows are linked by `next`, in file order. */
struct row {
    long long line, qty;
    int32_t product, next;
};

struct reader {
    const struct tsim_model *m;
    const struct tsim__stock_room *room;
    int32_t *first, *last; /* per slot: its first and last row, -1 while none */
    struct row *rows;
    size_t nrows, caprows;
    struct tsim__stock *out;
};

/* The slot index of `slot` (BAY-LEVEL) at `line`, or -1 after reporting why not. */
static long long slot_index(struct tsim__csv *c, const struct tsim__csv_row *row,
                            const struct tsim__stock_room *room)
{
    long long line = row->line;
    const char *slot = row->val[COL_SLOT];
    const char *dash = strchr(slot, '-');
    char bay_s[32], level_s[32];
    size_t bl = dash ? (size_t)(dash - slot) : 0;
    if (!dash || bl >= sizeof bay_s || strlen(dash + 1) >= sizeof level_s) {
        tsim__csv_fail(c, line, row->col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return -1;
    }
    memcpy(bay_s, slot, bl);
    bay_s[bl] = '\0';
    strcpy(level_s, dash + 1);
    long long bay = tsim__csv_whole(bay_s), level = tsim__csv_whole(level_s);
    if (bay < 0 || level < 0) {
        tsim__csv_fail(c, line, row->col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return -1;
    }
    if (bay < 1 || bay > room->bays || level < 1 || level > room->levels) {
        tsim__csv_fail(c, line, row->col[COL_SLOT],
                       "slot '%s' is outside the rack (bays 1..%lld, levels 1..%lld)", slot,
                       room->bays, room->levels);
        return -1;
    }
    return (level - 1) * room->bays + (bay - 1);
}

/* Whether the row of `p` and `qty` at `row` may join slot `i`'s rows before it; reports why not. */
static int joins(struct tsim__csv *c, const struct tsim__csv_row *row, struct reader *r,
                 long long i, int p, long long qty)
{
    const struct tsim__stock_room *room = r->room;
    const char *slot = row->val[COL_SLOT], *unit = room->lanes ? "lane" : "slot";
    long long held = 0;
    for (int32_t k = r->first[i]; k >= 0; k = r->rows[k].next) {
        const struct row *o = &r->rows[k];
        if (room->loads == 1 && !room->lanes) {
            tsim__csv_fail(c, row->line, row->col[COL_SLOT], "slot '%s' is given twice", slot);
            return 0;
        }
        if (o->product == p) {
            tsim__csv_fail(c, row->line, row->col[COL_SLOT],
                           "%s '%s' is given twice for product '%s' (first on line %lld)", unit,
                           slot, r->m->products[p], o->line);
            return 0;
        }
        if (room->one_product) {
            tsim__csv_fail(c, row->line, row->col[COL_PRODUCT],
                           "%s '%s' holds product '%s' (line %lld), and %s", unit, slot,
                           r->m->products[o->product], o->line,
                           room->lanes ? "a lane holds one product"
                                       : "a slot of dedicated put-away holds one product");
            return 0;
        }
        held += o->qty;
    }
    if (held + qty > room->loads) {
        tsim__csv_fail(c, row->line, row->col[COL_QUANTITY],
                       "quantity %lld and the %lld loads on the rows before it are more than "
                       "%s '%s' holds (%lld)",
                       qty, held, unit, slot, room->loads);
        return 0;
    }
    return 1;
}

static void check_row(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct reader *r = ctx;
    long long i = slot_index(c, row, r->room);
    if (i < 0) return;
    int p = tsim__csv_product(c, row, COL_PRODUCT, r->m);
    if (p < 0) return;
    long long qty = tsim__csv_quantity(c, row, COL_QUANTITY);
    if (qty < 0) return;
    if (qty > r->room->loads) {
        tsim__csv_fail(c, row->line, row->col[COL_QUANTITY],
                       "quantity %lld is more than a %s holds (%lld)", qty,
                       r->room->lanes ? "lane" : "slot", r->room->loads);
        return;
    }
    if (!joins(c, row, r, i, p, qty)) return;
    tsim__grow((void **)&r->rows, &r->caprows, r->nrows + 1, sizeof *r->rows);
    int32_t k = (int32_t)r->nrows++;
    r->rows[k] = (struct row){row->line, qty, p, -1};
    if (r->first[i] < 0) r->first[i] = k;
    else r->rows[r->last[i]].next = k;
    r->last[i] = k;
    struct tsim__stock *o = r->out;
    if (qty == 0) { /* empty, but its product is the slot's or lane's under dedicated put-away */
        if (o->nempty == o->capempty) {
            o->capempty = o->capempty ? 2 * o->capempty : 64;
            o->empty_slot = tsim__realloc(o->empty_slot, (size_t)o->capempty * sizeof(int32_t));
            o->empty_product =
                tsim__realloc(o->empty_product, (size_t)o->capempty * sizeof(int32_t));
        }
        o->empty_slot[o->nempty] = (int32_t)i;
        o->empty_product[o->nempty] = p;
        o->nempty++;
        return;
    }
    for (long long q = 0; q < qty; q++) {
        if (o->n == o->cap) {
            o->cap = o->cap ? 2 * o->cap : 64;
            o->slot = tsim__realloc(o->slot, (size_t)o->cap * sizeof *o->slot);
            o->product = tsim__realloc(o->product, (size_t)o->cap * sizeof *o->product);
        }
        o->slot[o->n] = (int32_t)i;
        o->product[o->n] = p;
        o->n++;
    }
}

static int read_stock(const char *path, const char *text, size_t len,
                      const struct tsim_model *m, const struct tsim__stock_room *room,
                      const char *shown, struct tsim__stock *out, char *err, size_t errlen)
{
    size_t nslots = (size_t)(room->bays * room->levels);
    struct reader r = {m, room, tsim__malloc(nslots * sizeof(int32_t)),
                       tsim__malloc(nslots * sizeof(int32_t)), NULL, 0, 0, out};
    memset(r.first, 0xff, nslots * sizeof(int32_t));
    memset(out, 0, sizeof *out);
    int rc = tsim__csv_read(path, text, len, shown, cols, NCOLS, "slot, product, quantity",
                            check_row, &r, err, errlen);
    tsim__free(r.first);
    tsim__free(r.last);
    tsim__free(r.rows);
    if (rc != 0) tsim__stock_release(out);
    return rc;
}

int tsim__stock_parse(const char *text, size_t len, const struct tsim_model *m,
                      const struct tsim__stock_room *room, const char *shown,
                      struct tsim__stock *out, char *err, size_t errlen)
{
    return read_stock(NULL, text ? text : "", len, m, room, shown, out, err, errlen);
}

int tsim__stock_read(const char *path, const struct tsim_model *m,
                     const struct tsim__stock_room *room, const char *shown,
                     struct tsim__stock *out, char *err, size_t errlen)
{
    return read_stock(path, NULL, 0, m, room, shown, out, err, errlen);
}

void tsim__stock_release(struct tsim__stock *s)
{
    tsim__free(s->slot);
    tsim__free(s->product);
    tsim__free(s->empty_slot);
    tsim__free(s->empty_product);
    memset(s, 0, sizeof *s);
}
