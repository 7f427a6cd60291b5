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
 * Invariants: orders are released in the file's release order, and the lines of order i are
 * first[i]..first[i+1]-1, so the lines waiting for a picker are next_line..first[released]-1 and
 * every tour is a run of consecutive lines. An order's entity exists from its arrival until it
 * leaves; `left` counts its lines not yet at the pack station. Complete orders wait for a packer
 * in the ring `pq` (FIFO); a packer whose order the next block refuses keeps it (BLOCKED) and
 * retries when woken, packers in index order. State lives in the arena, located by offsets.
 */
#include "blocks/sim.h"

#include <math.h>
#include <string.h>

enum { EV_ARRIVE, EV_WAVE, EV_TOUR, EV_PACK };
enum { REL_AT_TIME, REL_WAVE, REL_BATCH };
enum { IDLE, BUSY, BLOCKED };
enum {
    K_ORDERS_FILE, K_RELEASE, K_WAVE, K_BATCH, K_PICKERS, K_TOUR_LINES, K_PICK_LINE, K_PICK_UNIT,
    K_AISLES, K_AISLE_LENGTH, K_AISLE_PITCH, K_LOCATIONS, K_WALK_SPEED, K_PACKERS, K_PACK_TIME,
    K_STOCK, K_ROUTING
}; /* indices in `keys` */
enum { ROUTE_RETURN, ROUTE_S_SHAPE };

struct picker {
    uint32_t state, l0, l1, o0; /* its tour: lines l0..l1-1, the first of order o0 */
    uint64_t units;             /* the units its tour finds (short lines: fewer than asked) */
    double travel, work;        /* the tour's, model time */
};

struct packer {
    uint32_t state, order;
};

struct ostate {
    int64_t t_release, t_first; /* ticks; t_first: its first line at the pack station, -1 */
    int64_t t_done;             /* complete (all lines there), ticks */
    uint32_t ent, left;
};

struct picking {
    struct tsim__bhdr h;
    uint32_t npick, npack, norders, nprod;
    uint32_t arrived, released, next_line;
    uint32_t pq_head, pq_n;
    uint32_t busy_pickers;
    uint32_t line_order; /* the order of line next_line */
    uint64_t pick_off, pack_off, ord_off, pq_off, stock_off; /* bytes from the state's start */
    struct tsim__area busy; /* pickers on a tour */
    uint64_t lines, units, shipped, on_time, stockouts, short_units;
    struct tsim__sum cycle, lead, consol, pack_wait;
    double travel, work; /* of tours ended, model time */
};

#define AT(s, off, type) ((type *)((unsigned char *)(s) + (s)->off))

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

static uint32_t count_of(const struct tsim__block_desc *d, int k)
{
    return d->val[k].set ? (uint32_t)d->val[k].i : 1u;
}

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    size_t np = m->nproducts > 0 ? (size_t)m->nproducts : 1;
    size_t no = (size_t)d->orders.norders;
    return round8(sizeof(struct picking)) + count_of(d, K_PICKERS) * sizeof(struct picker) +
           count_of(d, K_PACKERS) * sizeof(struct packer) + no * sizeof(struct ostate) +
           round8((no ? no : 1) * sizeof(uint32_t)) + np * sizeof(int64_t);
}

static int64_t release_ticks(const struct tsim_sim *sim, const struct tsim__block_desc *d,
                             uint32_t o)
{
    return tsim__ticks(sim, d->orders.release[o]);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct picking *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->npick = count_of(d, K_PICKERS);
    s->npack = count_of(d, K_PACKERS);
    s->norders = (uint32_t)d->orders.norders;
    s->nprod = sim->m->nproducts > 0 ? (uint32_t)sim->m->nproducts : 1;
    s->pick_off = round8(sizeof(struct picking));
    s->pack_off = s->pick_off + s->npick * sizeof(struct picker);
    s->ord_off = s->pack_off + s->npack * sizeof(struct packer);
    s->pq_off = s->ord_off + (uint64_t)s->norders * sizeof(struct ostate);
    s->stock_off = s->pq_off + round8((s->norders ? s->norders : 1) * sizeof(uint32_t));
    int64_t *stock = AT(s, stock_off, int64_t);
    for (uint32_t p = 0; p < s->nprod; p++) stock[p] = d->val[K_STOCK].set ? d->val[K_STOCK].i : -1;
    if (s->norders) tsim__schedule(sim, release_ticks(sim, d, 0), b, EV_ARRIVE, 0);
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
static double tour_travel(const struct tsim__block_desc *d, uint32_t l0, uint32_t l1)
{
    if (!d->val[K_WALK_SPEED].set) return 0;
    double xmax = 0, depth = 0, far_depth = 0;
    uint32_t visited = 0;
    for (uint32_t i = l0; i < l1; i++) {
        double x, y, ymax;
        location(d, d->orders.product[i], &x, &y);
        int seen = 0;
        for (uint32_t j = l0; j < i && !seen; j++) {
            double xj, yj;
            location(d, d->orders.product[j], &xj, &yj);
            seen = xj == x;
        }
        if (seen) continue; /* its aisle was walked already, to its deepest pick */
        ymax = y;
        for (uint32_t j = i + 1; j < l1; j++) {
            double xj, yj;
            location(d, d->orders.product[j], &xj, &yj);
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

static int64_t draw_of(struct tsim_sim *sim, struct picking *s, const struct tsim__block_desc *d,
                       int key)
{
    return d->val[key].set ? tsim__draw(sim, &d->val[key].d, &s->h.rng[TSIM__RNG_MAIN]) : 0;
}

/* Idle pickers take tours of the released lines, lowest-numbered picker first. */
static void dispatch_pickers(struct tsim_sim *sim, uint32_t b, struct picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    uint32_t end = (uint32_t)d->orders.first[s->released];
    uint32_t per = count_of(d, K_TOUR_LINES);
    struct picker *pk = AT(s, pick_off, struct picker);
    int64_t *stock = AT(s, stock_off, int64_t);
    for (uint32_t i = 0; i < s->npick && s->next_line < end; i++) {
        if (pk[i].state != IDLE) continue;
        struct picker *p = &pk[i];
        p->l0 = s->next_line;
        p->l1 = end - p->l0 > per ? p->l0 + per : end;
        s->next_line = p->l1;
        p->o0 = s->line_order;
        while (s->line_order < s->norders && (uint32_t)d->orders.first[s->line_order + 1] <= p->l1)
            s->line_order++;
        int64_t t = 0;
        p->units = 0;
        for (uint32_t l = p->l0; l < p->l1; l++) {
            int prod = d->orders.product[l];
            int64_t want = d->orders.qty[l], got = want;
            if (stock[prod] >= 0) {
                got = want < stock[prod] ? want : stock[prod];
                stock[prod] -= got;
                if (got < want) {
                    s->stockouts++;
                    s->short_units += (uint64_t)(want - got);
                }
            }
            p->units += (uint64_t)got;
            t += draw_of(sim, s, d, K_PICK_LINE) + got * draw_of(sim, s, d, K_PICK_UNIT);
        }
        p->travel = tour_travel(d, p->l0, p->l1);
        p->work = tsim__time(sim, t);
        int64_t tt = tsim__draw_ticks(sim, p->travel);
        p->state = BUSY;
        s->busy_pickers++;
        tsim__area_in(&s->busy, sim->now, s->busy_pickers);
        tsim__schedule(sim, sim->now + tt + t, b, EV_TOUR, i);
    }
}

static void release_upto(struct tsim_sim *sim, uint32_t b, struct picking *s, uint32_t k)
{
    struct ostate *os = AT(s, ord_off, struct ostate);
    for (uint32_t o = s->released; o < k; o++) os[o].t_release = sim->now;
    if (k > s->released) s->released = k;
    dispatch_pickers(sim, b, s);
}

static void arrive(struct tsim_sim *sim, uint32_t b, struct picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct ostate *os = AT(s, ord_off, struct ostate);
    while (s->arrived < s->norders && release_ticks(sim, d, s->arrived) <= sim->now) {
        uint32_t o = s->arrived++;
        uint32_t e = tsim__entity_new(sim, d->orders.product[d->orders.first[o]]);
        if (isfinite(d->orders.due[o])) sim->ents[e].due = tsim__ticks(sim, d->orders.due[o]);
        tsim__entity_enter_system(sim, e);
        tsim__note_enter(sim, b, e);
        os[o].ent = e;
        os[o].left = (uint32_t)(d->orders.first[o + 1] - d->orders.first[o]);
        os[o].t_first = -1;
        os[o].t_release = sim->now;
    }
    if (s->arrived < s->norders)
        tsim__schedule(sim, release_ticks(sim, d, s->arrived), b, EV_ARRIVE, 0);
    long long rule = d->val[K_RELEASE].i;
    if (rule == REL_AT_TIME) {
        release_upto(sim, b, s, s->arrived);
    } else if (rule == REL_BATCH) {
        uint32_t n = (uint32_t)d->val[K_BATCH].i;
        uint32_t k = s->released + (s->arrived - s->released) / n * n;
        release_upto(sim, b, s, s->arrived == s->norders ? s->norders : k);
    }
}

static void dispatch_packers(struct tsim_sim *sim, uint32_t b, struct picking *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct packer *pk = AT(s, pack_off, struct packer);
    struct ostate *os = AT(s, ord_off, struct ostate);
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

static void tour_end(struct tsim_sim *sim, uint32_t b, struct picking *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct picker *p = &AT(s, pick_off, struct picker)[i];
    struct ostate *os = AT(s, ord_off, struct ostate);
    uint32_t *pq = AT(s, pq_off, uint32_t);
    uint32_t o = p->o0;
    for (uint32_t l = p->l0; l < p->l1; l++) {
        while ((uint32_t)d->orders.first[o + 1] <= l) o++;
        s->lines++;
        if (os[o].t_first < 0) os[o].t_first = sim->now;
        if (--os[o].left == 0) {
            os[o].t_done = sim->now;
            tsim__sum_add(&s->consol, sim->now - os[o].t_first);
            pq[(s->pq_head + s->pq_n) % s->norders] = o;
            s->pq_n++;
        }
    }
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
static int ship(struct tsim_sim *sim, uint32_t b, struct picking *s, uint32_t i)
{
    struct packer *pk = &AT(s, pack_off, struct packer)[i];
    struct ostate *os = &AT(s, ord_off, struct ostate)[pk->order];
    const struct tsim__entity *en = &sim->ents[os->ent];
    int64_t lead = sim->now - en->t_created, due = en->due;
    if (!tsim__send_leave(sim, b, os->ent)) {
        pk->state = BLOCKED;
        return 0;
    }
    s->shipped++;
    s->on_time += sim->now <= due;
    tsim__sum_add(&s->lead, lead);
    tsim__sum_add(&s->cycle, sim->now - os->t_release);
    pk->state = IDLE;
    return 1;
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct picking *s = tsim__state(sim, b);
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
    default:
        if (ship(sim, b, s, arg)) dispatch_packers(sim, b, s);
        return;
    }
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct picking *s = tsim__state(sim, b);
    struct packer *pk = AT(s, pack_off, struct packer);
    for (uint32_t i = 0; i < s->npack; i++)
        if (pk[i].state == BLOCKED && !ship(sim, b, s, i)) break;
    dispatch_packers(sim, b, s);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct picking *s = tsim__state(sim, b);
    tsim__area_restart(&s->busy, sim->now, s->busy_pickers);
    s->lines = s->units = s->shipped = s->on_time = s->stockouts = s->short_units = 0;
    s->cycle = s->lead = s->consol = s->pack_wait = (struct tsim__sum){0, 0};
    s->travel = s->work = 0;
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct picking *s = tsim__state(sim, b);
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
}

static const struct tsim__block_vt picking_vt = {
    .state_size = state_size,
    .init = init,
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
    memset(o, 0, sizeof *o);
}

/* The descriptor ---------------------------------------------------------------------------- */

/* Lines of one tour at most: a tour's travel looks at every pair of its lines. */
#define TOUR_LINES_MAX 1000

static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    (void)m;
    if (d->orders.norders == 0)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "picking '%s' has no order lines",
                          d->name);
    if (d->val[K_RELEASE].i == REL_WAVE && !d->val[K_WAVE].set)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "picking '%s' releases in waves but has no 'wave' interval", d->name);
    if (d->val[K_RELEASE].i == REL_WAVE && tsim_dist_mean(&d->val[K_WAVE].d) <= 0)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "picking '%s' has a 'wave' interval of mean 0", d->name);
    if (d->val[K_RELEASE].i == REL_BATCH && !d->val[K_BATCH].set)
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "picking '%s' releases by batch but has no 'batch' size", d->name);
    return 0;
}

static const char *const releases[] = {"at_time", "wave", "batch", NULL};
static const char *const routings[] = {"return", "s_shape", NULL};

static const struct tsim__key keys[] = {
    [K_ORDERS_FILE] = {"orders_file", TSIM__KEY_FORM, TSIM__KEY_REQUIRED, .dflt = "required",
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
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route of shipped orders"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {
    "entered", "left", "throughput", "content", "orders_shipped", "lines_picked", "units_picked",
    "lines_per_hour", "units_per_hour", "cycle_time", "lead_time", "on_time",
    "picker_utilization", "travel_share", "consolidation_wait", "pack_wait", "stockouts",
    "units_short", "orders_unreleased", NULL};

const struct tsim__block_type tsim__picking_type = {
    .name = "picking",
    .help = "order lines from a CSV file released, picked in tours, consolidated, packed, shipped",
    .keys = keys,
    .kpis = kpis,
    .vt = &picking_vt,
    .flags = TSIM__TYPE_NO_INPUT,
    .check = check,
};
