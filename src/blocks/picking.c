/*
 * Picking: a warehouse's order picking, from order lines to shipped orders. The block releases
 * the orders of its order-lines file (`orders_file`), a crew of `pickers` picks their lines in
 * tours from a pick area of aisles, the picked lines meet at the pack station, where an order is
 * complete once all its lines are there (consolidation), and `packers` pack complete orders,
 * which then leave along `to` as one entity each (the order's first product, its due time).
 * It takes no entities; it is not a stock of the rack (storage.c holds loads in slots).
 *
 * Release: an order arrives at its release time and is released to the pickers then
 * (`release: at_time`), at the next wave (`wave`: every drawn interval, all orders that have
 * arrived), or once `batch` unreleased orders have arrived (`batch`; the last orders of the file
 * are released with the last arrival).
 *
 * Pick area: `aisles` aisles, `aisle_pitch` apart, each `aisle_length` long with `locations`
 * pick locations; product i is at location floor(i / aisles) mod locations of aisle i mod aisles,
 * its centre ((k + 1/2) aisle_length / locations) into the aisle. The depot (and pack station) is
 * at the front of aisle 0. A tour takes the next `tour_lines` released lines in release order
 * (lines of one order may go on different tours) and is walked at `walk_speed` by return or
 * S-shape routing (`routing`, tour_travel). Each line takes `pick_line` plus `pick_unit` per
 * unit. With `stock` (units per product at time 0, not replenished) a line finds at most
 * what is left: the rest is short (a stock-out) and the order ships without it.
 *
 * Generated orders: instead of a file, orders may be drawn (`order_interarrival` between them,
 * the first one interarrival after time 0, up to `order_limit`), each with `order_lines` lines of
 * `line_units` units (draws rounded to whole numbers, at least 1), each line's product from
 * `product` (a product, a mix, or by default every product alike), due `due` after it comes (no
 * due time without it): pickgen.c.
 *
 * With `picked_by` a storage block's crane brings each line's load instead of a picker's tour:
 * pickcrane.c, with the state the block's files share in pickstate.h. With `pick_from` the crew
 * takes each line's units from the stock of one or several storage blocks (aisles), at the
 * tour's start, and walks them; under `stockout: wait` a line that finds too few waits for a
 * put-away: pickrack.c.
 *
 * The live twin (picking.h) may release an order of the file now, and report a line picked: the
 * line is then at the pack station at once, and a picker skips it (`done`, a bit a line). A line
 * reported while on a tour leaves the tour, which is planned again without it (tour_shorten).
 * What the live twin and the results only read (the orders table) is in pickview.c.
 *
 * Invariants: orders are released in the file's release order, and the lines of order i are
 * first[i]..first[i+1]-1, so the lines waiting for a picker are next_line..first[released]-1 and
 * every tour is a run of consecutive lines (or one line ready again after waiting for stock).
 * An order's entity exists from its arrival until it leaves; `left` counts its lines not yet at
 * the pack station. Complete orders wait for a packer
 * in the ring `pq` (FIFO); a packer whose order the next block refuses keeps it (BLOCKED) and
 * retries when woken, packers in index order. State lives in the arena, located by offsets.
 */
#include "blocks/picking.h"
#include "blocks/pickstate.h"
#include "blocks/storage.h"

#include <stdio.h>
#include <string.h>

enum { REL_AT_TIME, REL_WAVE, REL_BATCH };
enum { IDLE, BUSY, BLOCKED };
enum { ROUTE_RETURN, ROUTE_S_SHAPE };

struct picker {
    uint32_t state, l0, l1, o0; /* its tour: lines l0..l1-1, the first of order o0 */
    uint64_t units;             /* the units its tour finds (short lines: fewer than asked) */
    double travel, work;        /* the tour's, model time */
    uint32_t e0, e1;            /* its last tour ended: lines e0..e1-1, at t_end (ticks) */
    int64_t t_end;
    int64_t t0, t_plan, work_t; /* its tour's start and planned end, and its picks' time (ticks) */
    uint64_t ev;                /* its tour's EV_TOUR event */
};

struct packer {
    uint32_t state, order;
};

static uint32_t count_of(const struct tsim__block_desc *d, int k)
{
    return d->val[k].set ? (uint32_t)d->val[k].i : 1u;
}

/* Whether a line may find fewer units than ordered: from a stock of its own, a storage's, or
 * by a crane that drops a line it finds no load for. */
static int may_short(const struct tsim__block_desc *d)
{
    return d->val[K_STOCK].set || d->val[K_PICK_FROM].set || by_crane(d);
}

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    size_t np = m->nproducts > 0 ? (size_t)m->nproducts : 1;
    size_t no, nl;
    tsim__pickgen_sizes(d, &no, &nl);
    return round8(sizeof(struct tsim__picking)) + count_of(d, K_PICKERS) * sizeof(struct picker) +
           count_of(d, K_PACKERS) * sizeof(struct packer) +
           no * sizeof(struct tsim__picking_order) +
           round8((no ? no : 1) * sizeof(uint32_t)) + round8(np * sizeof(int64_t)) +
           tsim__pickgen_size(d) +
           round8(nl / 8 + 1) +
           (size_t)count_of(d, K_PICKERS) * count_of(d, K_TOUR_LINES) * sizeof(int64_t) +
           (by_crane(d) ? round8(nl / 8 + 1) : 0) + np * 3 * sizeof(uint64_t) +
           (size_t)d->pick_from_n * sizeof(double) + (d->pick_from_n ? np * sizeof(int64_t) : 0) +
           (waits(d) ? nl * sizeof(struct tsim__pick_wait) + np * sizeof(int64_t) : 0) +
           (may_short(d) ? round8(nl * sizeof(int32_t)) : 0) +
           (lines_travel(d) ? round8(nl * sizeof(uint32_t)) : 0);
}

static int64_t release_ticks(const struct tsim_sim *sim, const struct tsim__picking *s,
                             const struct tsim__block_desc *d, uint32_t o)
{
    if (s->gen_off) return GAT(s, rel_off, int64_t)[o];
    return tsim__ticks(sim, d->orders.release[o]);
}

/* The products the block's lines may have, marked in its KPIs by product: a file's, a drawn
 * line's product or mix, or every product. The same in every replication. */
static void list_products(struct tsim__picking *s, const struct tsim__block_desc *d)
{
    uint64_t *by = AT(s, prod_off, uint64_t);
    if (!generated(d)) {
        for (int l = 0; l < d->orders.nlines; l++) by[3 * d->orders.product[l] + 2] = 1;
    } else if (d->mix_n > 0) {
        for (int i = 0; i < d->mix_n; i++) by[3 * d->mix_product[i] + 2] = 1;
    } else if (d->val[K_PRODUCT].set) {
        by[3 * d->val[K_PRODUCT].i + 2] = 1;
    } else {
        for (uint32_t p = 0; p < s->nprod; p++) by[3 * p + 2] = 1;
    }
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__picking *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->npick = count_of(d, K_PICKERS);
    s->npack = count_of(d, K_PACKERS);
    size_t no, nl;
    tsim__pickgen_sizes(d, &no, &nl);
    s->norders = (uint32_t)no;
    s->nprod = sim->m->nproducts > 0 ? (uint32_t)sim->m->nproducts : 1;
    s->pick_off = round8(sizeof(struct tsim__picking));
    s->pack_off = s->pick_off + s->npick * sizeof(struct picker);
    s->ord_off = s->pack_off + s->npack * sizeof(struct packer);
    s->pq_off = s->ord_off + (uint64_t)s->norders * sizeof(struct tsim__picking_order);
    s->stock_off = s->pq_off + round8((s->norders ? s->norders : 1) * sizeof(uint32_t));
    int64_t *stock = AT(s, stock_off, int64_t);
    for (uint32_t p = 0; p < s->nprod; p++) stock[p] = d->val[K_STOCK].set ? d->val[K_STOCK].i : -1;
    s->gen_off = 0;
    uint64_t after = s->stock_off + round8(s->nprod * sizeof(int64_t));
    if (generated(d)) {
        tsim__pickgen_draw(sim, s, d, after);
        after += tsim__pickgen_size(d);
    }
    s->done_off = after; /* zeroed with the arena */
    s->lw_off = after + round8(nl / 8 + 1);
    s->in_off = by_crane(d) ? s->lw_off + (uint64_t)s->npick * count_of(d, K_TOUR_LINES) * 8 : 0;
    s->prod_off = s->lw_off + (uint64_t)s->npick * count_of(d, K_TOUR_LINES) * 8 +
                  (by_crane(d) ? round8(nl / 8 + 1) : 0);
    list_products(s, d);
    s->reach_off = s->prod_off + (uint64_t)s->nprod * 3 * sizeof(uint64_t);
    s->open_off = s->reach_off + (uint64_t)d->pick_from_n * sizeof(double);
    uint64_t end = s->open_off + (d->pick_from_n ? (uint64_t)s->nprod * sizeof(int64_t) : 0);
    s->wait_off = waits(d) ? s->open_off + (uint64_t)s->nprod * sizeof(int64_t) : 0;
    s->prom_off = waits(d) ? s->wait_off + nl * sizeof(struct tsim__pick_wait) : 0;
    if (waits(d)) end = s->prom_off + (uint64_t)s->nprod * sizeof(int64_t);
    /* each line's shortfall, zeroed with the arena, after all of the above (state_size) */
    s->short_off = may_short(d) ? end : 0;
    end += may_short(d) ? round8(nl * sizeof(int32_t)) : 0;
    s->lq_off = lines_travel(d) ? end : 0; /* after everything above (state_size) */
    s->wait_head = s->wait_tail = s->ready_head = s->ready_tail = TSIM__NIL;
    if (s->norders) tsim__schedule(sim, release_ticks(sim, s, d, 0), b, EV_ARRIVE, 0);
    if (d->val[K_RELEASE].i == REL_WAVE && s->norders)
        tsim__schedule(sim, sim->now + tsim__draw(sim, &d->val[K_WAVE].d, &s->h.rng[TSIM__RNG_AUX]),
                       b, EV_WAVE, 0);
}

/* Where product `p` is picked: its aisle's distance along the front, and its depth. */
static void location(const struct tsim__block_desc *d, int p, double *x, double *y)
{
    long long aisles = count_of(d, K_AISLES), locs = count_of(d, K_LOCATIONS);
    double len = d->val[K_AISLE_LENGTH].set ? d->val[K_AISLE_LENGTH].r : 0;
    double pitch = d->val[K_AISLE_PITCH].set ? d->val[K_AISLE_PITCH].r : 0;
    *x = (double)(p % aisles) * pitch;
    *y = ((double)((p / aisles) % locs) + 0.5) * len / (double)locs;
}

/* The walk over lines l0..l1-1, in model time. Return routing: the front out to the farthest
 * aisle with a pick and back, and each such aisle in to its deepest pick and out. S-shape: each
 * such aisle walked through its whole length, front to back and back to front in turn, and the
 * cross aisles out and back; with an odd count the farthest aisle is entered from the front and
 * left the same way, from its deepest pick. */
static double tour_travel(const struct tsim__block_desc *d, const int32_t *product,
                          const unsigned char *done, uint32_t l0, uint32_t l1)
{
    if (!d->val[K_WALK_SPEED].set) return 0;
    double xmax = 0, depth = 0, far_depth = 0;
    uint32_t visited = 0;
    for (uint32_t i = l0; i < l1; i++) {
        double x, y, ymax;
        if (is_done(done, i)) continue; /* picked already, reported by the plant */
        location(d, product[i], &x, &y);
        int seen = 0;
        for (uint32_t j = l0; j < i && !seen; j++) {
            double xj, yj;
            if (is_done(done, j)) continue;
            location(d, product[j], &xj, &yj);
            seen = xj == x;
        }
        if (seen) continue; /* its aisle was walked already, to its deepest pick */
        ymax = y;
        for (uint32_t j = i + 1; j < l1; j++) {
            double xj, yj;
            if (is_done(done, j)) continue;
            location(d, product[j], &xj, &yj);
            if (xj == x && yj > ymax) ymax = yj;
        }
        depth += ymax;
        visited++;
        if (x >= xmax) xmax = x, far_depth = ymax;
    }
    if (d->val[K_ROUTING].i == ROUTE_S_SHAPE) {
        double len = d->val[K_AISLE_LENGTH].set ? d->val[K_AISLE_LENGTH].r : 0;
        double through = visited % 2 ? (visited - 1) * len + 2 * far_depth : visited * len;
        return (2 * xmax + through) / d->val[K_WALK_SPEED].r;
    }
    return 2 * (xmax + depth) / d->val[K_WALK_SPEED].r;
}

static void dispatch_packers(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s);

/* Idle pickers take tours, lowest-numbered picker first: a line ready again after waiting for
 * stock (a tour of its own), else the next released lines; with a crane, the released lines
 * ask it instead. */
static void dispatch_pickers(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (by_crane(d)) {
        if (tsim__pickcrane_ask(sim, b, s)) dispatch_packers(sim, b, s);
        return;
    }
    struct tsim__picking_lines ol = lines_of(s, d);
    uint32_t end = (uint32_t)ol.first[s->released];
    uint32_t per = count_of(d, K_TOUR_LINES);
    struct picker *pk = AT(s, pick_off, struct picker);
    int64_t *stock = AT(s, stock_off, int64_t);
    struct tsim__pick_wait *w = waits(d) ? AT(s, wait_off, struct tsim__pick_wait) : NULL;
    for (uint32_t i = 0; i < s->npick && (s->next_line < end || s->ready_head != TSIM__NIL);
         i++) {
        if (pk[i].state != IDLE) continue;
        struct picker *p = &pk[i];
        uint32_t again = w ? tsim__pickrack_ready_pop(sim, b, s) : TSIM__NIL;
        if (again != TSIM__NIL) {
            p->l0 = again;
            p->l1 = again + 1;
            p->o0 = order_of(ol.first, s->norders, again);
        } else if (s->next_line < end) {
            p->l0 = s->next_line;
            p->l1 = end - p->l0 > per ? p->l0 + per : end;
            s->next_line = p->l1;
            p->o0 = s->line_order;
            while (s->line_order < s->norders && (uint32_t)ol.first[s->line_order + 1] <= p->l1)
                s->line_order++;
        } else {
            break; /* the ready lines were reported picked */
        }
        int64_t t = 0, *lw = AT(s, lw_off, int64_t) + (size_t)i * per;
        double *reach = AT(s, reach_off, double); /* pick_from: per aisle, -1: not visited */
        for (int k = 0; k < d->pick_from_n; k++) reach[k] = -1;
        p->units = 0;
        const unsigned char *done = AT(s, done_off, unsigned char);
        for (uint32_t l = p->l0; l < p->l1; l++) {
            lw[l - p->l0] = 0;
            if (is_done(done, l)) continue;
            int prod = ol.product[l];
            int64_t want = again != TSIM__NIL ? w[l].rem : ol.qty[l], got = want;
            if (d->val[K_PICK_FROM].set) {
                got = tsim__pickrack_take(sim, s, d, prod, want, reach);
                if (got < want) {
                    for (int k = 0; k < d->pick_from_n; k++)
                        tsim__storage_stockout(sim, (uint32_t)d->pick_from[k]);
                    if (w)
                        s->waited += again == TSIM__NIL; /* its first wait */
                    else
                        line_short(s, l, want - got);
                }
                if (w) w[l].rem = (int32_t)(want - got); /* it waits from the tour's end */
            } else if (stock[prod] >= 0) {
                got = want < stock[prod] ? want : stock[prod];
                stock[prod] -= got;
                if (got < want) line_short(s, l, want - got);
            }
            p->units += (uint64_t)got;
            lw[l - p->l0] = draw_of(sim, s, d, K_PICK_LINE) + got * draw_of(sim, s, d, K_PICK_UNIT);
            t += lw[l - p->l0];
        }
        p->travel = d->val[K_PICK_FROM].set ? tsim__pickrack_walk(d, reach)
                                            : tour_travel(d, ol.product, done, p->l0, p->l1);
        p->work = tsim__time(sim, t);
        int64_t tt = tsim__draw_ticks(sim, p->travel);
        p->state = BUSY;
        s->busy_pickers++;
        tsim__area_in(&s->busy, sim->now, s->busy_pickers);
        p->t0 = sim->now;
        p->work_t = t;
        p->t_plan = sim->now + tt + t;
        p->ev = tsim__schedule(sim, p->t_plan, b, EV_TOUR, i);
    }
}

/* Line `l` has left picker `i`'s tour before its end (the plant reported it picked, done): the
 * tour is planned again without it, by the block's routing over the lines still on it and their
 * picks. The sim does not follow a picker along its route, so the new plan counts from the
 * tour's start as if the line had never been on it, and ends no earlier than now (a picker who
 * has walked longer than the new route ends its tour at once). It never ends later than planned:
 * fewer lines never make either routing longer. */
static void tour_shorten(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t i,
                         uint32_t l)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct picker *p = &AT(s, pick_off, struct picker)[i];
    int64_t *lw = AT(s, lw_off, int64_t) + (size_t)i * count_of(d, K_TOUR_LINES);
    p->work_t -= lw[l - p->l0];
    lw[l - p->l0] = 0;
    /* pick_from: its units were taken from the rack at the tour's start; the walk stays */
    double tr = d->val[K_PICK_FROM].set
                    ? p->travel
                    : tour_travel(d, lines_of(s, d).product, AT(s, done_off, unsigned char),
                                  p->l0, p->l1);
    int64_t end = p->t0 + tsim__draw_ticks(sim, tr) + p->work_t;
    if (end < sim->now) end = sim->now;
    p->travel = tsim__time(sim, end - p->t0 - p->work_t); /* what is not picking is walking */
    p->work = tsim__time(sim, p->work_t);
    if (end >= p->t_plan) return;
    tsim__cancel(sim, p->ev);
    p->t_plan = end;
    p->ev = tsim__schedule(sim, end, b, EV_TOUR, i);
}

static void release_upto(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t k)
{
    struct tsim__picking_order *os = AT(s, ord_off, struct tsim__picking_order);
    for (uint32_t o = s->released; o < k; o++) {
        os[o].t_release = sim->now;
        observe(sim, b, TSIM_OBS_RELEASE, o);
    }
    if (k > s->released) s->released = k;
    dispatch_pickers(sim, b, s);
}

/* The orders before `k` that have not arrived arrive now. */
static void arrive_upto(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t k)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__picking_order *os = AT(s, ord_off, struct tsim__picking_order);
    struct tsim__picking_lines ol = lines_of(s, d);
    while (s->arrived < k) {
        uint32_t o = s->arrived++;
        uint32_t e = tsim__entity_new(sim, ol.product[ol.first[o]]);
        int64_t due = due_ticks(sim, s, d, o);
        if (due != TSIM__NEVER) sim->ents[e].due = due;
        tsim__eorder_set(sim, e, b, o, (uint32_t)(ol.first[o + 1] - ol.first[o]),
                         order_units(ol, o), 0);
        tsim__entity_enter_system(sim, e);
        tsim__note_enter(sim, b, e);
        os[o].ent = e;
        os[o].left = (uint32_t)(ol.first[o + 1] - ol.first[o]);
        os[o].t_first = -1;
        os[o].t_shipped = -1;
        os[o].t_release = sim->now;
    }
}

static void arrive(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    uint32_t upto = s->arrived;
    while (upto < s->norders && release_ticks(sim, s, d, upto) <= sim->now) upto++;
    arrive_upto(sim, b, s, upto);
    /* one arrival event is pending at a time; orders the twin brought early are skipped */
    if (s->arrived < s->norders)
        tsim__schedule(sim, release_ticks(sim, s, d, s->arrived), b, EV_ARRIVE, 0);
    long long rule = d->val[K_RELEASE].i;
    if (rule == REL_AT_TIME) {
        release_upto(sim, b, s, s->arrived);
    } else if (rule == REL_BATCH) {
        uint32_t n = (uint32_t)d->val[K_BATCH].i;
        uint32_t k = s->released + (s->arrived - s->released) / n * n;
        release_upto(sim, b, s, s->arrived == s->norders ? s->norders : k);
    }
}

static void dispatch_packers(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct packer *pk = AT(s, pack_off, struct packer);
    struct tsim__picking_order *os = AT(s, ord_off, struct tsim__picking_order);
    uint32_t *pq = AT(s, pq_off, uint32_t);
    for (uint32_t i = 0; i < s->npack && s->pq_n > 0; i++) {
        if (pk[i].state != IDLE) continue;
        uint32_t o = pq[s->pq_head];
        s->pq_head = (s->pq_head + 1) % s->norders;
        s->pq_n--;
        tsim__sum_add(&s->pack_wait, sim->now - os[o].t_done);
        pk[i].state = BUSY;
        pk[i].order = o;
        tsim__schedule(sim, sim->now + draw_of(sim, s, d, K_PACK_TIME), b, EV_PACK, i);
    }
}

/* `lines_to`: line entity `e` leaves along it; 0 when its target refuses it (it then waits in
 * the block's ring, the block waiting on that target). Line entities are not counted in the
 * block's entered, left and content, which are its orders'. */
static int line_send(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    int32_t to = (int32_t)tsim__desc(sim, b)->val[K_LINES_TO].i;
    sim->ents[e].dest = -1; /* a refusal sets it; the next block must choose afresh */
    if (!tsim__offer_to(sim, b, e, to)) return 0;
    sim->ents[e].dest = -1;
    return 1;
}

/* `lines_to`: line `l` of order `o` is picked and its picker back at the depot: it leaves as an
 * entity of its product, due when its order is, carrying its order, its line and the units found
 * (struct tsim__eorder), behind the lines that wait to leave. */
static void line_out(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t o,
                     uint32_t l)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__picking_lines ol = lines_of(s, d);
    uint32_t e = tsim__entity_new(sim, ol.product[l]);
    int64_t due = due_ticks(sim, s, d, o);
    if (due != TSIM__NEVER) sim->ents[e].due = due;
    int64_t units = ol.qty[l] - (s->short_off ? AT(s, short_off, int32_t)[l] : 0);
    tsim__eorder_set(sim, e, b, o, 1, (uint64_t)units, l + 1);
    tsim__entity_enter_system(sim, e);
    uint32_t *lq = AT(s, lq_off, uint32_t);
    size_t cap = (size_t)lines_of(s, d).first[s->norders];
    if (s->lq_n == 0 && line_send(sim, b, e)) return;
    lq[(s->lq_head + s->lq_n) % cap] = e;
    s->lq_n++;
}

/* `lines_to`: the lines waiting to leave go, in the order they were picked, until one is
 * refused. */
static void lines_flush(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s)
{
    uint32_t *lq = AT(s, lq_off, uint32_t);
    size_t cap = (size_t)lines_of(s, tsim__desc(sim, b)).first[s->norders];
    while (s->lq_n > 0 && line_send(sim, b, lq[s->lq_head])) {
        s->lq_head = (uint32_t)((s->lq_head + 1) % cap);
        s->lq_n--;
    }
}

static void tour_end(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct picker *p = &AT(s, pick_off, struct picker)[i];
    const int32_t *first = lines_of(s, d).first;
    const unsigned char *done = AT(s, done_off, unsigned char);
    struct tsim__pick_wait *w = waits(d) ? AT(s, wait_off, struct tsim__pick_wait) : NULL;
    uint32_t o = p->o0;
    for (uint32_t l = p->l0; l < p->l1; l++) {
        while ((uint32_t)first[o + 1] <= l) o++;
        if (is_done(done, l)) continue; /* it came when the plant said */
        if (w && w[l].rem > 0) { /* short: it waits for stock, its order at the pack station */
            w[l].t = sim->now;
            tsim__pickrack_append(s, l, 0);
            tsim__pickrack_ready_check(sim, b, s, d, lines_of(s, d).product[l]);
            continue;
        }
        if (lines_travel(d)) {
            line_out(sim, b, s, o, l);
            continue;
        }
        line_in(sim, s, o);
        observe(sim, b, TSIM_OBS_PICK, l);
    }
    p->e0 = p->l0;
    p->e1 = p->l1;
    p->t_end = sim->now;
    s->units += p->units;
    s->travel += p->travel;
    s->work += p->work;
    p->state = IDLE;
    s->busy_pickers--;
    tsim__area_out(&s->busy, sim->now);
    dispatch_pickers(sim, b, s);
    dispatch_packers(sim, b, s);
}

/* Packer `i` hands its order on; 0 if the next block refuses it (then it waits, BLOCKED). */
static int ship(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t i)
{
    struct packer *pk = &AT(s, pack_off, struct packer)[i];
    struct tsim__picking_order *os = &AT(s, ord_off, struct tsim__picking_order)[pk->order];
    const struct tsim__entity *en = &sim->ents[os->ent];
    int64_t lead = sim->now - en->t_created, due = en->due;
    if (!tsim__send_leave(sim, b, os->ent)) {
        pk->state = BLOCKED;
        return 0;
    }
    s->shipped++;
    s->on_time += sim->now <= due;
    os->t_shipped = sim->now;
    struct tsim__picking_lines ol = lines_of(s, tsim__desc(sim, b));
    uint64_t *by = AT(s, prod_off, uint64_t);
    const int32_t *short_by = s->short_off ? AT(s, short_off, int32_t) : NULL;
    for (int32_t l = ol.first[pk->order]; l < ol.first[pk->order + 1]; l++) {
        by[3 * ol.product[l]]++;
        by[3 * ol.product[l] + 1] += (uint64_t)(ol.qty[l] - (short_by ? short_by[l] : 0));
    }
    tsim__sum_add(&s->lead, lead);
    tsim__sum_add(&s->cycle, sim->now - os->t_release);
    pk->state = IDLE;
    return 1;
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct tsim__picking *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    switch (kind) {
    case EV_ARRIVE: arrive(sim, b, s); return;
    case EV_WAVE:
        release_upto(sim, b, s, s->arrived);
        if (s->released < s->norders)
            tsim__schedule(sim,
                           sim->now + tsim__draw(sim, &d->val[K_WAVE].d, &s->h.rng[TSIM__RNG_AUX]),
                           b, EV_WAVE, 0);
        return;
    case EV_TOUR: tour_end(sim, b, s, arg); return;
    case EV_CRANE:
        if (tsim__pickcrane_drop(sim, b, s, arg)) dispatch_packers(sim, b, s);
        return;
    case EV_LINE:
        if (tsim__pickcrane_line_in(sim, b, s, arg)) dispatch_packers(sim, b, s);
        return;
    case EV_STOCK: /* a put-away of product `arg` in an aisle the block watches */
        if (tsim__pickrack_ready_check(sim, b, s, d, (int)arg)) dispatch_pickers(sim, b, s);
        return;
    default:
        if (ship(sim, b, s, arg)) dispatch_packers(sim, b, s);
        return;
    }
}

/* `lines_to`: entity `e`, sent by block sim->from, comes back: it must be a line of one of the
 * block's orders (else the run stops with an error naming the sender); it is at the pack station
 * now and leaves the system. */
static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__picking *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    const struct tsim__eorder *eo = tsim__eorder_of(sim, e);
    if (!lines_travel(d) || !eo || eo->block != b || eo->line == 0) {
        int outside = sim->from == TSIM__NIL;
        unsigned p = sim->ents[e].product;
        tsim__sim_fail(sim, TSIM_ESTATE,
                       "picking '%s' was sent %s of product '%s' %s%s%s at %.10g %s, but it takes "
                       "back only its own order lines (those it sends along 'lines_to')",
                       d->name,
                       !eo                ? "an entity"
                       : eo->block != b   ? "a line of another picking block"
                       : eo->line == 0    ? "a whole order"
                                          : "a line",
                       p < (unsigned)sim->m->nproducts ? sim->m->products[p] : "?",
                       outside ? "from outside the flow" : "by '",
                       outside ? "" : tsim__desc(sim, sim->from)->name, outside ? "" : "'",
                       tsim__time(sim, sim->now), sim->m->time_unit);
        return 0;
    }
    uint32_t l = eo->line - 1;
    line_in(sim, s, eo->order);
    observe(sim, b, TSIM_OBS_PICK, l);
    tsim__entity_dispose(sim, e);
    dispatch_packers(sim, b, s);
    return 1;
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__picking *s = tsim__state(sim, b);
    if (s->lq_n) lines_flush(sim, b, s);
    struct packer *pk = AT(s, pack_off, struct packer);
    for (uint32_t i = 0; i < s->npack; i++)
        if (pk[i].state == BLOCKED && !ship(sim, b, s, i)) break;
    dispatch_packers(sim, b, s);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__picking *s = tsim__state(sim, b);
    tsim__area_restart(&s->busy, sim->now, s->busy_pickers);
    s->lines = s->units = s->shipped = s->on_time = s->stockouts = s->short_units = 0;
    s->cycle = s->lead = s->consol = s->pack_wait = (struct tsim__sum){0, 0};
    s->travel = s->work = 0;
    s->waited = 0;
    s->stock_wait = (struct tsim__sum){0, 0};
    uint64_t *by = AT(s, prod_off, uint64_t);
    for (uint32_t p = 0; p < s->nprod; p++) by[3 * p] = by[3 * p + 1] = 0;
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct tsim__picking *s = tsim__state(sim, b);
    double w = tsim__window(sim);
    double per_hour = w > 0 ? tsim__units_per_hour(sim->m) / w : 0;
    double busy = tsim__area_mean(&s->busy, sim->now, s->busy_pickers);
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "orders_shipped", (double)s->shipped);
    tsim_result_add(r, (int)b, "lines_picked", (double)s->lines);
    tsim_result_add(r, (int)b, "units_picked", (double)s->units);
    tsim_result_add(r, (int)b, "lines_per_hour", (double)s->lines * per_hour);
    tsim_result_add(r, (int)b, "units_per_hour", (double)s->units * per_hour);
    tsim_result_add(r, (int)b, "cycle_time", tsim__sum_mean(sim, &s->cycle));
    tsim_result_add(r, (int)b, "lead_time", tsim__sum_mean(sim, &s->lead));
    tsim_result_add(r, (int)b, "on_time", s->shipped ? (double)s->on_time / (double)s->shipped : 0);
    tsim_result_add(r, (int)b, "picker_utilization", busy / s->npick);
    tsim_result_add(r, (int)b, "travel_share",
                    s->travel + s->work > 0 ? s->travel / (s->travel + s->work) : 0);
    tsim_result_add(r, (int)b, "consolidation_wait", tsim__sum_mean(sim, &s->consol));
    tsim_result_add(r, (int)b, "pack_wait", tsim__sum_mean(sim, &s->pack_wait));
    tsim_result_add(r, (int)b, "stockouts", (double)s->stockouts);
    tsim_result_add(r, (int)b, "units_short", (double)s->short_units);
    tsim_result_add(r, (int)b, "orders_unreleased", (double)(s->arrived - s->released));
    if (waits(tsim__desc(sim, b))) {
        tsim_result_add(r, (int)b, "lines_waited", (double)s->waited);
        tsim_result_add(r, (int)b, "stock_wait", tsim__sum_mean(sim, &s->stock_wait));
    }
    const uint64_t *by = AT(s, prod_off, uint64_t);
    for (uint32_t p = 0; sim->m->product_kpis && p < s->nprod; p++) {
        if (!by[3 * p + 2]) continue; /* no line of the block has it */
        char *const *pk = sim->m->product_kpis + TSIM__PK_N * p;
        tsim_result_add(r, (int)b, pk[TSIM__PK_LINES_PH], (double)by[3 * p] * per_hour);
        tsim_result_add(r, (int)b, pk[TSIM__PK_UNITS_PH], (double)by[3 * p + 1] * per_hour);
    }
}

static const struct tsim__block_vt picking_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
};

void tsim__orderlines_release(struct tsim__orderlines *o)
{
    tsim__free(o->release);
    tsim__free(o->due);
    tsim__free(o->first);
    tsim__free(o->product);
    tsim__free(o->qty);
    tsim__free(o->id_pool);
    tsim__free(o->id);
    tsim__free(o->line);
    tsim__names_release(&o->ids);
    memset(o, 0, sizeof *o);
}

void tsim__orderlines_index(struct tsim__orderlines *o)
{
    tsim__names_release(&o->ids);
    for (int k = 0; k < o->norders; k++) tsim__names_put(&o->ids, o->id, k + 1, k);
}

/* The live twin's calls (picking.h) -------------------------------------------------------- */

/* Order `o` and every order before it in release order are released now, arriving first if
 * their time has not come: the block picks in release order. */
static void release_now(struct tsim_sim *sim, uint32_t b, struct tsim__picking *s, uint32_t o)
{
    if (o < s->released) return;
    arrive_upto(sim, b, s, o + 1);
    release_upto(sim, b, s, o + 1);
}

int tsim__picking_release(struct tsim_sim *sim, int block, const char *order, char *err,
                          size_t errlen)
{
    struct tsim__picking *s = tsim__state(sim, (uint32_t)block);
    const struct tsim__block_desc *d = tsim__desc(sim, (uint32_t)block);
    int o = tsim__picking_find_order(d, order);
    const struct tsim__picking_order *os = AT(s, ord_off, struct tsim__picking_order);
    /* released by the sim at this very instant: the plant agrees */
    if ((uint32_t)o < s->released && os[o].t_release == sim->now) return 0;
    if ((uint32_t)o < s->released) {
        snprintf(err, errlen, "order '%s' of picking '%s' was released already, at %g", order,
                 d->name, tsim__time(sim, os[o].t_release));
        return -1;
    }
    release_now(sim, (uint32_t)block, s, (uint32_t)o);
    return 0;
}

int tsim__picking_pick(struct tsim_sim *sim, int block, const char *order, int line, char *err,
                       size_t errlen)
{
    uint32_t b = (uint32_t)block;
    struct tsim__picking *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    int o = tsim__picking_find_order(d, order);
    uint32_t l = (uint32_t)tsim__picking_find_line(d, o, line);
    unsigned char *done = AT(s, done_off, unsigned char);
    if (is_done(done, l)) {
        snprintf(err, errlen, "line %d of order '%s' of picking '%s' was reported picked already",
                 line, order, d->name);
        return -1;
    }
    /* where it is before the plant's word: on a tour (its units counted at the tour's end), or
     * picked already by the sim, or waiting for a picker (who will skip it) */
    const struct picker *pk = AT(s, pick_off, struct picker);
    uint32_t tp = s->npick; /* the picker whose tour has it */
    for (uint32_t i = 0; i < s->npick && tp == s->npick; i++)
        if (pk[i].state == BUSY && pk[i].l0 <= l && l < pk[i].l1) tp = i;
    int touring = tp < s->npick;
    struct tsim__pick_wait *w = waits(d) ? AT(s, wait_off, struct tsim__pick_wait) : NULL;
    int stocking = !touring && w && w[l].rem > 0; /* it waits for stock, or is ready again */
    int picked = l < s->next_line && !touring && !stocking;
    if (by_crane(d)) picked = tsim__pickcrane_pick(sim, b, s, l); /* else asked at most */
    /* picked by the sim on a tour that ended at this very instant: the plant agrees (the line
     * stays not `done`, as the sim's own picks are) */
    for (uint32_t i = 0; i < s->npick && picked; i++)
        if (pk[i].t_end == sim->now && pk[i].e0 <= l && l < pk[i].e1) return 0;
    done[l / 8] |= (unsigned char)(1u << (l % 8));
    release_now(sim, b, s, (uint32_t)o);
    if (picked) return 1; /* the sim picked it before the plant did */
    if (!touring) { /* no picker has it yet: its units are counted now, a tour's at its end */
        int64_t *stock = AT(s, stock_off, int64_t);
        int64_t want = stocking ? w[l].rem : d->orders.qty[l], got = want;
        int prod = d->orders.product[l];
        if (stocking && w[l].t < 0) AT(s, prom_off, int64_t)[prod] -= want; /* ready again */
        if (stocking) w[l].rem = 0; /* it leaves its list when the list is next read */
        if (stock[prod] >= 0) {
            got = want < stock[prod] ? want : stock[prod];
            stock[prod] -= got;
        }
        s->units += (uint64_t)got;
    } else {
        tour_shorten(sim, b, s, tp, l); /* the picker no longer walks to it */
    }
    line_in(sim, s, (uint32_t)o);
    if (by_crane(d)) tsim__pickcrane_ask(sim, b, s); /* a withdrawn request made room */
    dispatch_packers(sim, b, s);
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

/* Lines of one tour at most: a tour's travel looks at every pair of its lines. */
#define TOUR_LINES_MAX 1000
/* Generated lines of a replication at most (16 bytes each in the state), as a file's. */
#define LINES_MAX 100000000
/* Lines on tours at once at most (pickers times tour_lines): each keeps its pick time, 8 bytes. */
#define TOURS_MAX 10000000

/* A check's error, reported at key `k` of the block when the file gives it (else at the block). */
#define fail_at(k, ...)                                                                            \
    (tsim__model_blame_key(m, d->index, (k)), tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__))

static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    if (generated(d) && d->orders.norders > 0)
        return fail_at(K_ORDER_INTERARRIVAL, "picking '%s' needs one of 'orders_file' and "
                       "'order_interarrival', not both", d->name);
    if (generated(d)) {
        if (!d->val[K_ORDER_LIMIT].set)
            return fail_at(K_ORDER_INTERARRIVAL, "picking '%s' draws orders, which needs an "
                           "'order_limit' (the orders of a replication at most)", d->name);
        if (d->val[K_ORDER_LINES].set && !tsim__pickgen_lines_max(&d->val[K_ORDER_LINES].d))
            return fail_at(K_ORDER_LINES, "'order_lines' of picking '%s' is not bounded (use a "
                           "constant, uniform, triangular, pert, beta, discrete or empirical "
                           "one): the block keeps room for its largest order", d->name);
        size_t no, nl;
        tsim__pickgen_sizes(d, &no, &nl);
        if (nl > LINES_MAX)
            return fail_at(K_ORDER_LIMIT, "picking '%s' may draw %zu order lines ('order_limit' "
                           "times the most 'order_lines'), more than %d", d->name, nl, LINES_MAX);
    } else if (d->orders.norders == 0) {
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "picking '%s' needs one of 'orders_file' and 'order_interarrival'",
                          d->name);
    }
    if ((uint64_t)count_of(d, K_PICKERS) * count_of(d, K_TOUR_LINES) > TOURS_MAX)
        return fail_at(d->val[K_TOUR_LINES].set ? K_TOUR_LINES : K_PICKERS,
                       "picking '%s' has %u pickers of %u-line tours, more than %d lines on "
                       "tours at once", d->name, count_of(d, K_PICKERS),
                       count_of(d, K_TOUR_LINES), TOURS_MAX);
    int rc = by_crane(d) ? tsim__pickcrane_check(m, d) : 0;
    if (rc != 0) return rc;
    if (d->val[K_PICK_FROM].set && d->val[K_STOCK].set)
        return fail_at(K_STOCK, "picking '%s' has 'stock' and 'pick_from': with 'pick_from' its "
                       "stock is what storage '%s' holds (give one of the two)", d->name,
                       m->blocks[d->val[K_PICK_FROM].i].name);
    if (d->val[K_LOAD_UNITS].set && !d->val[K_PICK_FROM].set)
        return fail_at(K_LOAD_UNITS, "picking '%s' has 'load_units' but no 'pick_from': only a "
                       "storage block's loads hold units", d->name);
    if (d->val[K_AISLE_ORDER].set && !d->val[K_PICK_FROM].set)
        return fail_at(K_AISLE_ORDER, "picking '%s' has 'aisle_order' but no 'pick_from': only "
                       "storage blocks are aisles to choose from", d->name);
    if (waits(d) && !d->val[K_PICK_FROM].set)
        return fail_at(K_STOCKOUT, "picking '%s' has 'stockout: wait' but no 'pick_from': only a "
                       "storage block's put-aways bring stock to wait for", d->name);
    if (d->val[K_RELEASE].i == REL_WAVE && !d->val[K_WAVE].set)
        return fail_at(K_RELEASE, "picking '%s' releases in waves but has no 'wave' interval",
                       d->name);
    if (d->val[K_RELEASE].i == REL_WAVE && tsim_dist_mean(&d->val[K_WAVE].d) <= 0)
        return fail_at(K_WAVE, "picking '%s' has a 'wave' interval of mean 0", d->name);
    if (d->val[K_RELEASE].i == REL_BATCH && !d->val[K_BATCH].set)
        return fail_at(K_RELEASE, "picking '%s' releases by batch but has no 'batch' size",
                       d->name);
    if (lines_travel(d) && by_crane(d))
        return fail_at(K_LINES_TO, "picking '%s' has 'lines_to' and 'picked_by': a crane's lines "
                       "are picked at its I/O point, beside the pack station (give one of the two)",
                       d->name);
    return 0;
}

static const char *const releases[] = {"at_time", "wave", "batch", NULL};
static const char *const routings[] = {"return", "s_shape", NULL};
static const char *const stockouts[] = {"short", "wait", NULL};
static const char *const aisle_orders[] = {"list", "nearest", NULL};

static const struct tsim__key keys[] = {
    [K_ORDERS_FILE] = {"orders_file", TSIM__KEY_FORM, TSIM__KEY_ONE_OF, .dflt = "none",
                       .help = "a CSV file of the order lines to release"},
    [K_RELEASE] = {"release", TSIM__KEY_CHOICE, 0, .choices = releases, .noun = "release rule",
                   .dflt = "at_time",
                   .help = "`at_time` each order's release, in `wave`s, or by `batch`"},
    [K_WAVE] = {"wave", TSIM__KEY_DIST, 0, .dflt = "none",
                .help = "time between waves (release: wave)"},
    [K_BATCH] = {"batch", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "none",
                 .help = "orders released together (release: batch)"},
    [K_PICKERS] = {"pickers", TSIM__KEY_INT, 0, 1, 100000, .dflt = "1",
                   .help = "pickers walking tours"},
    [K_TOUR_LINES] = {"tour_lines", TSIM__KEY_INT, 0, 1, TOUR_LINES_MAX, .dflt = "1",
                      .help = "order lines one tour picks at most"},
    [K_PICK_LINE] = {"pick_line", TSIM__KEY_DIST, 0, .dflt = "0",
                     .help = "time to pick one line, besides its units"},
    [K_PICK_UNIT] = {"pick_unit", TSIM__KEY_DIST, 0, .dflt = "0",
                     .help = "time per unit picked (drawn once per line)"},
    [K_AISLES] = {"aisles", TSIM__KEY_INT, 0, 1, 100000, .dflt = "1",
                  .help = "aisles of the pick area"},
    [K_AISLE_LENGTH] = {"aisle_length", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e9, .dflt = "0",
                        .help = "length of an aisle, in any length unit"},
    [K_AISLE_PITCH] = {"aisle_pitch", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e9, .dflt = "0",
                       .help = "distance between neighbouring aisles, same unit"},
    [K_LOCATIONS] = {"locations", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "1",
                     .help = "pick locations along an aisle"},
    [K_WALK_SPEED] = {"walk_speed", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e12,
                      .dflt = "none (no travel time)",
                      .help = "pickers' speed, length per time unit"},
    [K_PACKERS] = {"packers", TSIM__KEY_INT, 0, 1, 100000, .dflt = "1",
                   .help = "packers at the pack station"},
    [K_PACK_TIME] = {"pack_time", TSIM__KEY_DIST, 0, .dflt = "0",
                     .help = "time to pack a complete order"},
    [K_STOCK] = {"stock", TSIM__KEY_INT, 0, 0, TSIM__CAPACITY_MAX, .dflt = "unlimited",
                 .help = "units of each product at time 0; a line finding fewer is short"},
    [K_ROUTING] = {"routing", TSIM__KEY_CHOICE, 0, .choices = routings, .noun = "routing",
                   .dflt = "return", .help = "pickers' walk: `return` or `s_shape`"},
    [K_ORDER_INTERARRIVAL] = {"order_interarrival", TSIM__KEY_DIST, TSIM__KEY_ONE_OF,
                              .dflt = "none",
                              .help = "time between drawn orders, without an orders file"},
    [K_ORDER_LIMIT] = {"order_limit", TSIM__KEY_INT, 0, 1, 10000000, .dflt = "none",
                       .help = "drawn orders of a replication at most"},
    [K_ORDER_LINES] = {"order_lines", TSIM__KEY_DIST, 0, .dflt = "1",
                       .help = "lines of a drawn order (rounded, at least 1; bounded)"},
    [K_LINE_UNITS] = {"line_units", TSIM__KEY_DIST, 0, .dflt = "1",
                      .help = "units of a drawn line (rounded, at least 1)"},
    [K_DUE] = {"due", TSIM__KEY_DIST, 0, .dflt = "no due time",
               .help = "a drawn order's due time, as a time after it comes"},
    [K_PRODUCT] = {"product", TSIM__KEY_PRODUCT, TSIM__KEY_BY_PRODUCT,
                   .dflt = "every product alike",
                   .help = "a drawn line's product, or a mix {PRODUCT: probability, ...}"},
    [K_PICKED_BY] = {"picked_by", TSIM__KEY_FORM, 0, .dflt = "none (pickers walk tours)",
                     .help = "a storage block whose crane brings each line's load to its I/O "
                             "point"},
    [K_PICK_FROM] = {"pick_from", TSIM__KEY_FORM, 0, .dflt = "none (the pick area's aisles)",
                     .help = "a storage block, or a list of them (aisles), from whose stock the "
                             "pickers take each line's units, walking its aisles"},
    [K_STOCKOUT] = {"stockout", TSIM__KEY_CHOICE, 0, .choices = stockouts, .noun = "stockout rule",
                    .dflt = "short",
                    .help = "a pick_from line finding too few units: picked `short`, or `wait` "
                            "for a put-away"},
    [K_LOAD_UNITS] = {"load_units", TSIM__KEY_INT, 0, 1, 1000000000, .dflt = "1",
                       .help = "with pick_from: units one storage load holds (a line opens "
                               "loads; what is left stays open for the next line)"},
    [K_LINES_TO] = {"lines_to", TSIM__KEY_FORM, 0, .dflt = "none (lines meet in the block)",
                    .help = "a block each picked line leaves to as an entity, on a way that "
                            "leads back to this block (the pack station)"},
    [K_AISLE_ORDER] = {"aisle_order", TSIM__KEY_CHOICE, 0, .choices = aisle_orders,
                       .noun = "aisle order", .dflt = "list",
                       .help = "with pick_from: the aisles a line takes from, in the `list`'s "
                               "order, or `nearest` (those its tour already enters first)"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route of shipped orders"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {
    "entered", "left", "throughput", "content", "orders_shipped", "lines_picked", "units_picked",
    "lines_per_hour", "units_per_hour", "cycle_time", "lead_time", "on_time",
    "picker_utilization", "travel_share", "consolidation_wait", "pack_wait", "stockouts",
    "units_short", "orders_unreleased", NULL}; /* with stockout: wait also lines_waited and
                                                 * stock_wait */

const struct tsim__block_type tsim__picking_type = {
    .name = "picking",
    .help = "order lines from a CSV file or drawn, released, picked in tours, consolidated, "
            "packed, shipped",
    .keys = keys,
    .kpis = kpis,
    .vt = &picking_vt,
    .flags = TSIM__TYPE_NO_INPUT,
    .check = check,
};
