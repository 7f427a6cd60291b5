/*
 * What the live twin (src/twin) may tell a picking block in a sim: an order of its file released
 * now, a line of it picked now (the plant's order ids and line numbers of the orders file). The
 * functions at the end of picking.c. Not API.
 */
#ifndef TSIM_BLOCKS_PICKING_H
#define TSIM_BLOCKS_PICKING_H
#include <stddef.h>
#include <stdint.h>
struct tsim_model;
struct tsim_sim;

/* Is block `block` of `m` a picking block? */
int tsim__picking_is(const struct tsim_model *m, int block);
/* Does `m` have a picking block, whose shipped orders carry their order data (struct
 * tsim__eorder, sim.h) to the KPIs by product? */
int tsim__picking_any(const struct tsim_model *m);
/* Does picking block `block` take entities back, its own order lines (`lines_to`)? 0 for any
 * other block. */
int tsim__picking_takes(const struct tsim_model *m, int block);
/* Where picking block `block` sends its lines (`lines_to`), or -1: none, or not a picking block. */
int tsim__picking_lines_to(const struct tsim_model *m, int block);
/* The loader: picking block `block` sends its lines to block `to` (`lines_to`). */
void tsim__picking_set_lines_to(struct tsim_model *m, int block, int to);
/* Whether the plant may name order `order` (and its line number `line`, or 0 for none) of picking
 * `block`, as far as the model tells: 0, or -1 with the reason in `err` (not a picking block,
 * orders drawn rather than read from a file, no such order or line). */
int tsim__picking_check(const struct tsim_model *m, int block, const char *order, int line,
                        char *err, size_t errlen);
/* Order `order` (checked) is released to the pickers now, with every order before it in release
 * order that is not (the block picks in release order); one whose time has not come arrives now.
 * Returns 0, or -1 with the reason in `err` when it was released already. */
int tsim__picking_release(struct tsim_sim *sim, int block, const char *order, char *err,
                          size_t errlen);
/* Line `line` of order `order` (checked) was picked: it is at the pack station now (its order
 * released first if it was not), and no picker picks it again. Returns 0; 1 when the sim had
 * picked it already (a difference not resolved); -1 with the reason in `err` when the plant
 * reported it before. */
int tsim__picking_pick(struct tsim_sim *sim, int block, const char *order, int line, char *err,
                       size_t errlen);
/* Line `l` (its index among the orders file's lines, as TSIM_OBS_PICK tells it) of picking
 * `block`: its number in its order, and that order's id in `*order`; -1 when the block draws its
 * orders (they have no ids). O(log orders). */
int tsim__picking_line_of(const struct tsim_model *m, int block, uint32_t l, const char **order);
/* Order `o` (its index in the file's release order, as TSIM_OBS_RELEASE tells it): its id, or
 * NULL when the block draws its orders. */
const char *tsim__picking_order_id(const struct tsim_model *m, int block, uint32_t o);

/* One row of the orders table (results): order `index` of picking `block` as a sim has it. Times
 * are model time, NaN for what has not happened yet (release, complete: its last line at the
 * pack station, shipped: handed on) or for no due time. */
struct tsim__order_row {
    const char *block; /* the picking block's name (the model's) */
    uint32_t index;
    const char *id; /* the file's id (the model's); NULL for a drawn order */
    double release, complete, shipped, due;
    uint32_t lines;
    uint64_t units; /* the sum of its lines' quantities */
};
/* Whether shipped order `o` was on time: shipped by its due time, or with none. */
static inline int tsim__order_on_time(const struct tsim__order_row *o)
{
    return o->due != o->due || o->shipped <= o->due; /* a NaN due is none */
}
/* The orders of picking `block` in `sim`: its file's, or those drawn for this replication. */
uint32_t tsim__picking_orders(const struct tsim_sim *sim, int block);
/* Row `o` (< tsim__picking_orders) of picking `block` in `sim`. */
void tsim__picking_order_row(const struct tsim_sim *sim, int block, uint32_t o,
                             struct tsim__order_row *row);
#endif
