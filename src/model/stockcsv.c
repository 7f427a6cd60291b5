/*
 * The initial stock of a storage block from a CSV file (a table of csvtab.c, on libcsv): a header
 * naming the columns `slot`, `product` and `quantity` (in any order; other columns are not read),
 * then one row per slot. A slot is written BAY-LEVEL, both from 1 (`12-3`); the quantity is 0 or
 * 1 (a slot holds one load).
 *
 * Every problem is reported as "FILE:LINE:COL: message" at the offending field (csvtab.h): a
 * missing column, a row with too few fields, a product not in the model, a slot outside the rack
 * or written wrong, a quantity that is negative, above 1 or not a whole number, a slot given
 * twice, a quote left open. Nothing is skipped silently: the first problem stops the read.
 */
#include "model/stockcsv.h"

#include "blocks/desc.h"
#include "core/core.h"
#include "model/csvtab.h"

#include <stdio.h>
#include <string.h>

enum { COL_SLOT, COL_PRODUCT, COL_QUANTITY, NCOLS };
static const struct tsim__csv_col cols[NCOLS] = {{"slot", 0}, {"product", 0}, {"quantity", 0}};

struct reader {
    const struct tsim_model *m;
    long long bays, levels;
    unsigned char *seen; /* per slot: given already */
    struct tsim__stock *out;
};

static void check_row(struct tsim__csv *c, const struct tsim__csv_row *row, void *ctx)
{
    struct reader *r = ctx;
    long long line = row->line;
    const char *slot = row->val[COL_SLOT];
    const char *dash = strchr(slot, '-');
    char bay_s[32], level_s[32];
    size_t bl = dash ? (size_t)(dash - slot) : 0;
    if (!dash || bl >= sizeof bay_s || strlen(dash + 1) >= sizeof level_s) {
        tsim__csv_fail(c, line, row->col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return;
    }
    memcpy(bay_s, slot, bl);
    bay_s[bl] = '\0';
    strcpy(level_s, dash + 1);
    long long bay = tsim__csv_whole(bay_s), level = tsim__csv_whole(level_s);
    if (bay < 0 || level < 0) {
        tsim__csv_fail(c, line, row->col[COL_SLOT], "slot '%s' is not BAY-LEVEL (as 12-3)", slot);
        return;
    }
    if (bay < 1 || bay > r->bays || level < 1 || level > r->levels) {
        tsim__csv_fail(c, line, row->col[COL_SLOT],
                       "slot '%s' is outside the rack (bays 1..%lld, levels 1..%lld)", slot,
                       r->bays, r->levels);
        return;
    }
    int p = tsim__csv_product(c, row, COL_PRODUCT, r->m);
    if (p < 0) return;
    long long qty = tsim__csv_quantity(c, row, COL_QUANTITY);
    if (qty < 0) return;
    if (qty > 1) {
        tsim__csv_fail(c, line, row->col[COL_QUANTITY],
                       "quantity %lld is more than a slot holds (1)", qty);
        return;
    }
    long long i = (level - 1) * r->bays + (bay - 1);
    if (r->seen[i]) {
        tsim__csv_fail(c, line, row->col[COL_SLOT], "slot '%s' is given twice", slot);
        return;
    }
    r->seen[i] = 1;
    struct tsim__stock *o = r->out;
    if (qty == 0) { /* empty, but its product is the slot's under dedicated put-away */
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
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 64;
        o->slot = tsim__realloc(o->slot, (size_t)o->cap * sizeof *o->slot);
        o->product = tsim__realloc(o->product, (size_t)o->cap * sizeof *o->product);
    }
    o->slot[o->n] = (int32_t)i;
    o->product[o->n] = p;
    o->n++;
}

static int read_stock(const char *path, const char *text, size_t len,
                      const struct tsim_model *m, long long bays, long long levels,
                      const char *shown, struct tsim__stock *out, char *err, size_t errlen)
{
    struct reader r = {m, bays, levels, tsim__calloc((size_t)(bays * levels), 1), out};
    memset(out, 0, sizeof *out);
    int rc = tsim__csv_read(path, text, len, shown, cols, NCOLS, "slot, product, quantity",
                            check_row, &r, err, errlen);
    tsim__free(r.seen);
    if (rc != 0) tsim__stock_release(out);
    return rc;
}

int tsim__stock_parse(const char *text, size_t len, const struct tsim_model *m, long long bays,
                      long long levels, const char *shown, struct tsim__stock *out, char *err,
                      size_t errlen)
{
    return read_stock(NULL, text ? text : "", len, m, bays, levels, shown, out, err, errlen);
}

int tsim__stock_read(const char *path, const struct tsim_model *m, long long bays,
                     long long levels, const char *shown, struct tsim__stock *out, char *err,
                     size_t errlen)
{
    return read_stock(path, NULL, 0, m, bays, levels, shown, out, err, errlen);
}

void tsim__stock_release(struct tsim__stock *s)
{
    tsim__free(s->slot);
    tsim__free(s->product);
    tsim__free(s->empty_slot);
    tsim__free(s->empty_product);
    memset(s, 0, sizeof *s);
}
