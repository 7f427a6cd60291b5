/*
 * The picking block's state and what its files share: picking.c (the block: release, tours,
 * consolidation, packing, the live twin's calls), pickcrane.c (its lines brought by a storage
 * block's crane, `picked_by`), pickrack.c (`pick_from`: the crew's picks from storage blocks'
 * stock, and the lines waiting for stock), pickgen.c (drawn orders) and pickview.c (what the
 * live twin and the results read). Included by those files only, so the block's short names (its
 * event kinds EV_, its keys K_, AT) stay theirs; picking.h is what other files see. Not API.
 */
#ifndef TSIM_BLOCKS_PICKSTATE_H
#define TSIM_BLOCKS_PICKSTATE_H
#include "blocks/sim.h"

#include <math.h>

enum { EV_ARRIVE, EV_WAVE, EV_TOUR, EV_PACK, EV_CRANE, EV_LINE, EV_STOCK };
enum {
    K_ORDERS_FILE, K_RELEASE, K_WAVE, K_BATCH, K_PICKERS, K_TOUR_LINES, K_PICK_LINE, K_PICK_UNIT,
    K_AISLES, K_AISLE_LENGTH, K_AISLE_PITCH, K_LOCATIONS, K_WALK_SPEED, K_PACKERS, K_PACK_TIME,
    K_STOCK, K_ROUTING, K_ORDER_INTERARRIVAL, K_ORDER_LIMIT, K_ORDER_LINES, K_LINE_UNITS, K_DUE,
    K_PRODUCT, K_PICKED_BY, K_PICK_FROM, K_STOCKOUT, K_LOAD_UNITS, K_LINES_TO, K_AISLE_ORDER
}; /* indices in picking.c's `keys` */

struct tsim__picking {
    struct tsim__bhdr h;
    uint32_t npick, npack, norders, nprod;
    uint32_t arrived, released, next_line;
    uint32_t pq_head, pq_n;
    uint32_t busy_pickers;
    uint32_t line_order; /* the order of line next_line */
    uint64_t pick_off, pack_off, ord_off, pq_off, stock_off; /* bytes from the state's start */
    uint64_t gen_off; /* generated orders (struct tsim__picking_gen, its arrays); 0 with a file */
    uint64_t done_off; /* a bit a line: the plant reported it picked (picking.h) */
    uint64_t lw_off; /* per picker, `tour_lines` pick times (ticks) of its tour's lines */
    uint64_t in_off; /* picked_by: a bit a line, at the pack station (0 without) */
    uint64_t short_off; /* per line, its units short (int32_t); 0 where no line can be short */
    /* per product, 3 uint64_t: lines and units of the orders shipped, and whether the block's
     * lines may have it (its KPIs by product list those) */
    uint64_t prod_off;
    /* pick_from: per aisle (storage block) its reach on the tour being planned, scratch
     * (picking.c, dispatch_pickers). `stockout: wait`: per line its wait (struct
     * tsim__pick_wait), per product the units promised to lines ready again; 0 without. */
    uint64_t reach_off, wait_off, prom_off;
    uint64_t open_off; /* pick_from: per product the units left of the load last opened */
    /* `lines_to`: the line entities its target refused, waiting to leave, a FIFO ring of entity
     * slots (room for every line; 0 without) */
    uint64_t lq_off;
    uint32_t lq_head, lq_n;
    /* `stockout: wait`: lines waiting for stock and lines ready again (stock came) waiting for a
     * picker, FIFO lists through their wait records, TSIM__NIL: empty */
    uint32_t wait_head, wait_tail, ready_head, ready_tail;
    uint64_t waited; /* lines that waited for stock */
    struct tsim__sum stock_wait; /* a line's wait, from its tour's end to the stock it needs */
    struct tsim__area busy; /* pickers on a tour */
    uint64_t lines, units, shipped, on_time, stockouts, short_units;
    struct tsim__sum cycle, lead, consol, pack_wait;
    double travel, work; /* of tours ended, model time */
};

/* Generated orders, followed in the arena by rel[n], due[n] (ticks; TSIM__NEVER: none),
 * first[n + 1], product[lines] and qty[lines], each array from an 8-byte boundary. */
struct tsim__picking_gen {
    uint64_t rel_off, due_off, first_off, product_off, qty_off; /* bytes from the state's start */
};

/* The order lines a replication releases: the file's or the generated ones. */
struct tsim__picking_lines {
    const int32_t *first, *product, *qty;
};

#define AT(s, off, type) ((type *)((unsigned char *)(s) + (s)->off))
#define GEN(s) ((struct tsim__picking_gen *)((unsigned char *)(s) + (s)->gen_off))
#define GAT(s, off, type) ((type *)((unsigned char *)(s) + GEN(s)->off))

static inline struct tsim__picking_lines lines_of(const struct tsim__picking *s,
                                                  const struct tsim__block_desc *d)
{
    if (!s->gen_off)
        return (struct tsim__picking_lines){d->orders.first, d->orders.product, d->orders.qty};
    return (struct tsim__picking_lines){GAT(s, first_off, int32_t), GAT(s, product_off, int32_t),
                                        GAT(s, qty_off, int32_t)};
}

/* Bit `l` of a bit-a-line array (`done_off`, `in_off`). */
static inline int is_done(const unsigned char *done, uint32_t l)
{
    return done[l / 8] >> (l % 8) & 1;
}

static inline int64_t draw_of(struct tsim_sim *sim, struct tsim__picking *s,
                              const struct tsim__block_desc *d, int key)
{
    return d->val[key].set ? tsim__draw(sim, &d->val[key].d, &s->h.rng[TSIM__RNG_MAIN]) : 0;
}

/* The order of line `l`: the last of the `n` orders whose first line is at most l. O(log n). */
static inline uint32_t order_of(const int32_t *first, uint32_t n, uint32_t l)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if ((uint32_t)first[mid] <= l) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

static inline int by_crane(const struct tsim__block_desc *d) { return d->val[K_PICKED_BY].set; }

/* With `lines_to`, each picked line leaves as an entity along it and comes back to the block. */
static inline int lines_travel(const struct tsim__block_desc *d) { return d->val[K_LINES_TO].set; }

/* An order of the replication, from its arrival. */
struct tsim__picking_order {
    int64_t t_release, t_first; /* ticks; t_first: its first line at the pack station, -1 */
    int64_t t_done;             /* complete (all lines there), ticks */
    int64_t t_shipped;          /* handed on, ticks; -1 before */
    uint32_t ent, left;
};

/* A line of order `o` is settled: at the pack station (`in`), or dropped for want of stock (not
 * picked, it never comes; the order waits no longer for it). The order is complete with its last
 * line, and then waits for a packer (the caller dispatches them); an order whose every line was
 * dropped is complete at once, with no consolidation wait. */
static inline void line_settle(struct tsim_sim *sim, struct tsim__picking *s, uint32_t o, int in)
{
    struct tsim__picking_order *os = AT(s, ord_off, struct tsim__picking_order);
    uint32_t *pq = AT(s, pq_off, uint32_t);
    if (in) {
        s->lines++;
        if (os[o].t_first < 0) os[o].t_first = sim->now;
    }
    if (--os[o].left == 0) {
        if (os[o].t_first < 0) os[o].t_first = sim->now;
        os[o].t_done = sim->now;
        tsim__sum_add(&s->consol, sim->now - os[o].t_first);
        pq[(s->pq_head + s->pq_n) % s->norders] = o;
        s->pq_n++;
    }
}

/* Line `l` found `n` > 0 units fewer than ordered (a stock-out): the block's `stockouts` and
 * `units_short`, and the line's own shortfall, which its order's KPIs by product take off. */
static inline void line_short(struct tsim__picking *s, uint32_t l, int64_t n)
{
    s->stockouts++;
    s->short_units += (uint64_t)n;
    if (s->short_off) AT(s, short_off, int32_t)[l] += (int32_t)n;
}

static inline void line_in(struct tsim_sim *sim, struct tsim__picking *s, uint32_t o)
{
    line_settle(sim, s, o, 1);
}

/* Tell the observer, if any, of order or line `k` (TSIM_OBS_RELEASE, TSIM_OBS_PICK). */
static inline void observe(struct tsim_sim *sim, uint32_t b, enum tsim_obs_kind what, uint32_t k)
{
    if (!sim->obs) return;
    struct tsim_obs o = {what, tsim__time(sim, sim->now), (int)b, 0, 0, -1, k,
                         tsim_block_content(sim, (int)b)};
    sim->obs(sim->obs_ctx, &o);
}

/* pickcrane.c, called by picking.c only (it calls nothing of picking.c: the link runs one way,
 * picking.c -> pickcrane.c -> storage.c). Those that return 1 have brought a line to the pack
 * station, so the caller dispatches its packers. */

/* The released lines not asked yet ask the crane, in release order, while its queue has room;
 * a line the storage drops for want of stock is settled short at once. */
int tsim__pickcrane_ask(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s);
/* EV_CRANE: the crane has dropped line `l`'s load at its I/O point. */
int tsim__pickcrane_drop(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l);
/* EV_LINE: line `l`, picked from its load, is at the pack station. */
int tsim__pickcrane_line_in(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l);
/* The plant reports line `l` picked (tsim__picking_pick, before it marks the line `done`): 1 when
 * the crane's load had been picked already (the sim picked it first, or dropped the line), else
 * 0, its request withdrawn if the crane has not set off for it. */
int tsim__pickcrane_pick(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t l);
/* The keys a block picked by a crane has no use for: 0, or the error (check). */
int tsim__pickcrane_check(const struct tsim_model *m, const struct tsim__block_desc *d);


/* What picking.c, pickgen.c, pickrack.c and pickview.c share ------------------------------- */

enum { STOCKOUT_SHORT, STOCKOUT_WAIT };
enum { AISLE_LIST, AISLE_NEAREST }; /* `aisle_order` */

/* `stockout: wait`: a line's wait for stock. `rem`: its units still to pick (0: none waiting);
 * `t`: while it waits for stock, since when (ticks), -1 once it is ready again (its units
 * promised); `next`: the next line of its list (the state's wait or ready list). */
struct tsim__pick_wait {
    int64_t t;
    uint32_t next;
    int32_t rem;
};

static inline size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Whether the block draws its orders (else they are its file's). */
static inline int generated(const struct tsim__block_desc *d)
{
    return d->val[K_ORDER_INTERARRIVAL].set;
}

/* Whether a `pick_from` line that finds too few units waits for stock (else it is short). */
static inline int waits(const struct tsim__block_desc *d)
{
    return d->val[K_STOCKOUT].i == STOCKOUT_WAIT;
}

/* Order `o`'s due time in ticks, TSIM__NEVER if none. */
static inline int64_t due_ticks(const struct tsim_sim *sim, const struct tsim__picking *s,
                                const struct tsim__block_desc *d, uint32_t o)
{
    if (s->gen_off) return GAT(s, due_off, int64_t)[o];
    return isfinite(d->orders.due[o]) ? tsim__ticks(sim, d->orders.due[o]) : TSIM__NEVER;
}

/* The units of order `o`: the sum of its lines' quantities. */
static inline uint64_t order_units(struct tsim__picking_lines ol, uint32_t o)
{
    uint64_t units = 0;
    for (int32_t l = ol.first[o]; l < ol.first[o + 1]; l++) units += (uint64_t)ol.qty[l];
    return units;
}

/* pickgen.c: drawn orders (`order_interarrival`), drawn into the state at a replication's start;
 * called by picking.c's state_size, init and check. */

/* The most lines a draw of `d` gives (rounded, at least 1), or 0 if its draws are not bounded. */
long long tsim__pickgen_lines_max(const struct tsim_dist *d);
/* Orders and lines of the block's state: the file's, or room for the drawn ones. */
void tsim__pickgen_sizes(const struct tsim__block_desc *d, size_t *no, size_t *nl);
/* Bytes of the state the drawn orders take (0 with a file). */
size_t tsim__pickgen_size(const struct tsim__block_desc *d);
/* Draw every order of the replication into the arena at `off`, laid out after the stock. */
void tsim__pickgen_draw(struct tsim_sim *sim, struct tsim__picking *s,
                        const struct tsim__block_desc *d, uint64_t off);

/* pickrack.c: `pick_from`, the crew's picks from storage blocks' stock (aisles), and under
 * `stockout: wait` the lines waiting for stock; called by picking.c's flow. */

/* The walk of a tour that took loads from the aisles whose `reach` is not negative, each reach
 * the farthest bay taken from along that aisle from its I/O point, in model time. */
double tsim__pickrack_walk(const struct tsim__block_desc *d, const double *reach);
/* A line takes up to `want` units of `product` from its open load and the aisles, and marks
 * the aisles' `reach` (as tsim__pickrack_walk reads it). Returns the units taken. */
int64_t tsim__pickrack_take(struct tsim_sim *sim, struct tsim__picking *s,
                            const struct tsim__block_desc *d, int product, int64_t want,
                            double *reach);
/* `stockout: wait`: append line `l` to the wait list (`ready` 0) or the ready list. */
void tsim__pickrack_append(struct tsim__picking *s, uint32_t l, int ready);
/* `stockout: wait`: the lines waiting for `product` that the aisles now hold the units of are
 * ready again; the block watches its aisles for the rest. Returns whether a line is ready. */
int tsim__pickrack_ready_check(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s,
                               const struct tsim__block_desc *d, int product);
/* `stockout: wait`: the first line ready again that the plant has not reported picked, taken
 * off the ready list with its promise, or TSIM__NIL. */
uint32_t tsim__pickrack_ready_pop(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s);

/* pickview.c: what the live twin and the results read of a picking block (picking.h), and its
 * file's orders by id, which picking.c's live twin calls use too. */

/* Order `id` of the file, or -1: through the ids' hash table (tsim__orderlines_index). */
int tsim__picking_find_order(const struct tsim__block_desc *d, const char *id);
/* Line number `line` of order `o`, as its index among all lines, or -1. */
int tsim__picking_find_line(const struct tsim__block_desc *d, int o, int line);
#endif
