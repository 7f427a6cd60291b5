/*
 * What the live twin (src/twin) and the results read of a picking block (picking.h): which
 * blocks pick (and which take their lines back, `lines_to`), the orders and lines the plant may
 * name, and a sim's orders table. Read only (but the loader's setting of `lines_to`):
 * what the plant tells the block (an order released, a line picked) acts on its flow, in
 * picking.c.
 */
#include "blocks/picking.h"
#include "blocks/pickstate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int tsim__picking_is(const struct tsim_model *m, int block)
{
    return block >= 0 && block < m->nblocks &&
           strcmp(tsim_block_type_name(m->blocks[block].type), "picking") == 0;
}

int tsim__picking_takes(const struct tsim_model *m, int block)
{
    return tsim__picking_is(m, block) && lines_travel(&m->blocks[block]);
}

int tsim__picking_lines_to(const struct tsim_model *m, int block)
{
    return tsim__picking_takes(m, block) ? (int)m->blocks[block].val[K_LINES_TO].i : -1;
}

/* The loader's one write: where `lines_to` leads, once its name is resolved. */
void tsim__picking_set_lines_to(struct tsim_model *m, int block, int to)
{
    struct tsim__val *v = &m->blocks[block].val[K_LINES_TO];
    v->set = 1;
    v->i = to;
}

int tsim__picking_any(const struct tsim_model *m)
{
    for (int b = 0; b < m->nblocks; b++)
        if (tsim__picking_is(m, b)) return 1;
    return 0;
}

/* Order `id` of the file, or -1: through the ids' hash table (tsim__orderlines_index). */
int tsim__picking_find_order(const struct tsim__block_desc *d, const char *id)
{
    if (d->orders.norders == 0) return -1;
    int o = tsim__names_find(&d->orders.ids, d->orders.id, id);
    return o >= 0 ? o : -1;
}

/* Line number `line` of order `o`, as its index among all lines, or -1. */
int tsim__picking_find_line(const struct tsim__block_desc *d, int o, int line)
{
    for (int l = d->orders.first[o]; l < d->orders.first[o + 1]; l++)
        if (d->orders.line[l] == line) return l;
    return -1;
}

int tsim__picking_check(const struct tsim_model *m, int block, const char *order, int line,
                        char *err, size_t errlen)
{
    if (!tsim__picking_is(m, block)) {
        snprintf(err, errlen, "block '%s' (a '%s' block) has no order lines: only picking "
                 "blocks do", m->blocks[block].name, tsim_block_type_name(m->blocks[block].type));
        return -1;
    }
    const struct tsim__block_desc *d = &m->blocks[block];
    if (generated(d)) {
        snprintf(err, errlen, "picking '%s' draws its orders, which have no ids", d->name);
        return -1;
    }
    int o = tsim__picking_find_order(d, order);
    if (o < 0) {
        snprintf(err, errlen, "picking '%s' has no order '%s'", d->name, order);
        return -1;
    }
    if (line > 0 && tsim__picking_find_line(d, o, line) < 0) {
        snprintf(err, errlen, "order '%s' of picking '%s' has no line %d", order, d->name, line);
        return -1;
    }
    return 0;
}

const char *tsim__picking_order_id(const struct tsim_model *m, int block, uint32_t o)
{
    const struct tsim__block_desc *d = &m->blocks[block];
    return generated(d) || o >= (uint32_t)d->orders.norders ? NULL : d->orders.id[o];
}

int tsim__picking_line_of(const struct tsim_model *m, int block, uint32_t l, const char **order)
{
    const struct tsim__block_desc *d = &m->blocks[block];
    if (generated(d) || l >= (uint32_t)d->orders.nlines) return -1;
    uint32_t o = order_of(d->orders.first, (uint32_t)d->orders.norders, l);
    *order = d->orders.id[o];
    return d->orders.line[l];
}

/* The orders table --------------------------------------------------------------------------- */

uint32_t tsim__picking_orders(const struct tsim_sim *sim, int block)
{
    return ((const struct tsim__picking *)tsim__state(sim, (uint32_t)block))->norders;
}

void tsim__picking_order_row(const struct tsim_sim *sim, int block, uint32_t o,
                             struct tsim__order_row *row)
{
    struct tsim__picking *s = tsim__state(sim, (uint32_t)block);
    const struct tsim__block_desc *d = tsim__desc(sim, (uint32_t)block);
    const struct tsim__picking_order *os = &AT(s, ord_off, struct tsim__picking_order)[o];
    struct tsim__picking_lines ol = lines_of(s, d);
    row->block = d->name;
    row->index = o;
    row->id = tsim__picking_order_id(sim->m, block, o);
    row->release = o < s->released ? tsim__time(sim, os->t_release) : NAN;
    row->complete = o < s->arrived && os->left == 0 ? tsim__time(sim, os->t_done) : NAN;
    row->shipped = o < s->arrived && os->t_shipped >= 0 ? tsim__time(sim, os->t_shipped) : NAN;
    int64_t due = due_ticks(sim, s, d, o);
    row->due = due == TSIM__NEVER ? NAN : tsim__time(sim, due);
    row->lines = (uint32_t)(ol.first[o + 1] - ol.first[o]);
    row->units = order_units(ol, o);
}
