/*
 * Storage: one aisle of a selective rack, `bays` x `levels` slots of one load unit each (or of
 * `slot_loads`, each reached at once, a place of the slot table apiece), served
 * by one storage and retrieval machine (an AS/RS crane) whose I/O point is at the rack's lower
 * front corner. Entities that enter are loads to put away; retrievals are asked for by the
 * block's own `demand` (requests at drawn intervals, for `demand_product` or for any product)
 * and the loads retrieved leave along `to`.
 *
 * The crane travels in both axes at once, so a move takes the longer of its horizontal and
 * vertical times (Chebyshev travel), each at constant speed or, with an acceleration, speeding
 * up and braking at it (axis_time); a slot is reached at its centre, ((bay + 1/2) bay_width,
 * (level + 1/2) level_height) from the I/O point. A cycle is single-command (one put-away: pick
 * up at I/O, travel, drop, travel back; or one retrieval: travel, pick up, travel back, drop) or,
 * with `cycle: dual` and both kinds waiting, dual-command (put away, then travel from that slot
 * to the retrieval's, pick up, travel back). Without speeds the crane travels in no time.
 *
 * Invariants: every held entity is in exactly one place: the put-away queue (head..tail, `nput`
 * of them), a slot (stored), or the crane (`carry` while a cycle carries it to a slot, `out`
 * from its pick-up until it has left). A slot is FREE, STORED or RESERVED (a put-away travels to
 * it, or a retrieval has it as its target and its load is no longer available). The block takes
 * a load only while free slots outnumber the queued put-aways, so every accepted load has a
 * slot. `avail` counts stored loads not reserved, per product; a waiting retrieval request
 * (ring of `req_cap`) is served only when a load it may take is available, the first such in
 * the ring's order (one that waits for stock keeps its place, the ones behind it go on). At
 * most one event is pending a cycle; EV_DEMAND is pending while `demand` is given.
 *
 * State lives in the arena: the struct, then the slots, the per-product counts and the request
 * ring, located by offsets from the state (nothing points into the arena); its layout is in
 * storstate.h. Which place a put-away goes to and which load a retrieval takes, and the crane's
 * travel times, are storslot.c's: this file runs the cycles with what it chooses.
 */
#include "blocks/storage.h"
#include "blocks/storstate.h"
#include "blocks/storserve.h"
#include "blocks/sim.h"

#include <string.h>

/* storslot.c's travel time, by the short name the cycles' arithmetic reads best with. */
static double travel(const struct tsim__block_desc *d, int32_t from, int32_t to)
{
    return tsim__storslot_travel(d, from, to);
}

enum { EV_DEMAND, EV_PUT_DONE, EV_RET_PICK, EV_END };
_Static_assert((int)K_SERVED_BY == (int)TSIM__STORAGE_K_SERVED_BY,
               "storserve.h names `served_by`'s place");

/* Cycles that may be under way at once: one for the crane; with `served_by`, one a server. */
static uint32_t ncyc_of(const struct tsim_model *m, const struct tsim__block_desc *d, uint32_t n)
{
    return d->val[K_SERVED_BY].set ? tsim__storserve_servers(m, d->val[K_SERVED_BY].i, n) : 1u;
}

static uint32_t req_cap_of(const struct tsim__block_desc *d)
{
    return d->val[K_REQUESTS].set ? (uint32_t)d->val[K_REQUESTS].i : 1000u;
}

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }
static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; } /* a struct tsim__area's */

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    size_t np = m->nproducts > 0 ? (size_t)m->nproducts : 1;
    size_t nlanes = lanes_on(d) ? nslots_of(d) / depth_of(d) : 0;
    return round8(sizeof(struct storage)) + (size_t)nslots_of(d) * sizeof(struct slot) +
           np * sizeof(uint64_t) + req_cap_of(d) * sizeof(struct request) +
           nlanes * sizeof(struct lane) + round8((size_t)nslots_of(d) * sizeof(int32_t)) +
           np * sizeof(uint64_t) + ncyc_of(m, d, nslots_of(d)) * sizeof(struct cycle) + 8 +
           np * sizeof(struct prod_stat) + (size_t)m->nblocks * sizeof(struct watcher) +
           round8(np);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->nslots = nslots_of(d);
    s->nprod = sim->m->nproducts > 0 ? (uint32_t)sim->m->nproducts : 1;
    s->req_cap = req_cap_of(d);
    s->slots_off = round8(sizeof(struct storage));
    s->avail_off = s->slots_off + (uint64_t)s->nslots * sizeof(struct slot);
    s->req_off = s->avail_off + (uint64_t)s->nprod * sizeof(uint64_t);
    s->lanes_off = s->req_off + (uint64_t)s->req_cap * sizeof(struct request);
    s->tag_off = s->lanes_off + (lanes_on(d) ? (uint64_t)(s->nslots / depth_of(d)) : 0) *
                                    sizeof(struct lane);
    s->turn_off = s->tag_off + round8((size_t)s->nslots * sizeof(int32_t));
    s->cyc_off = s->turn_off + s->nprod * sizeof(uint64_t);
    s->ncyc = ncyc_of(sim->m, d, s->nslots);
    s->prod_off = round16(s->cyc_off + s->ncyc * sizeof(struct cycle));
    memset(prods_of(s), 0, s->nprod * sizeof(struct prod_stat));
    s->watch_off = s->prod_off + s->nprod * sizeof(struct prod_stat);
    s->nwatch = 0;
    memset(watchers_of(s) + sim->m->nblocks, 0, s->nprod);
    memset(turn_of(s), 0, s->nprod * sizeof(uint64_t));
    tsim__storslot_tag(s, d);
    s->head = s->tail = TSIM__NIL;
    for (uint32_t k = 0; k < s->ncyc; k++)
        cyc_of(s)[k] = (struct cycle){.put_slot = -1, .ret_slot = -1, .carry = TSIM__NIL,
                                      .out = TSIM__NIL, .tell_to = TSIM__NIL, .phase = IDLE};
    s->nfree = s->nslots;
    struct slot *sl = slots_of(s);
    for (uint32_t i = 0; i < s->nslots; i++) sl[i].ent = TSIM__NIL;
    if (d->val[K_DEMAND].set) {
        int64_t dt = tsim__draw(sim, &d->val[K_DEMAND].d, &s->h.rng[TSIM__RNG_AUX]);
        tsim__schedule(sim, sim->now + dt, b, EV_DEMAND, 0);
    }
}

/* A load of product `p` is stored, or a withdrawn request gave back its claim on one: if a
 * watcher waits for one, every watcher is told now (the watch is one-shot; a watcher that still
 * waits watches again). */
static void tell_watchers(struct tsim_sim *sim, struct storage *s, int p)
{
    unsigned char *wanted = (unsigned char *)(watchers_of(s) + sim->m->nblocks);
    if (!wanted[p]) return;
    wanted[p] = 0;
    for (uint32_t k = 0; k < s->nwatch; k++)
        tsim__schedule(sim, sim->now, watchers_of(s)[k].to, watchers_of(s)[k].kind, (uint32_t)p);
}

static void store(struct tsim_sim *sim, struct storage *s, int32_t i, uint32_t e)
{
    struct slot *sl = &slots_of(s)[i];
    sl->ent = e;
    sl->state = STORED;
    sl->t_stored = sim->now;
    avail_of(s)[sim->ents[e].product]++;
    s->avail_all++;
    s->stock++;
    tsim__area_in(&s->stock_level, sim->now, s->stock);
    struct prod_stat *ps = &prods_of(s)[sim->ents[e].product];
    tsim__area_in(&ps->level, sim->now, ++ps->held);
    tell_watchers(sim, s, sim->ents[e].product);
}

/* Load `e`, stored since `stored`, leaves the stock: picked up by a retrieval (`retrieved`: its
 * dwell and the product's retrievals count) or taken out to match the plant's report. */
static void stock_out(struct tsim_sim *sim, struct storage *s, uint32_t e, int64_t stored,
                      int retrieved)
{
    struct prod_stat *ps = &prods_of(s)[sim->ents[e].product];
    s->stock--;
    tsim__area_out(&s->stock_level, sim->now);
    ps->held--;
    tsim__area_out(&ps->level, sim->now);
    if (!retrieved) return;
    tsim__sum_add(&s->dwell, sim->now - stored);
    tsim__sum_add(&ps->dwell, sim->now - stored);
    ps->retrievals++;
}

/* The load of reserved or stored place `i` is picked up by a retrieval: the place is free (a
 * lane's front moves), the load leaves the stock; returns it. */
static uint32_t take_load(struct tsim_sim *sim, struct storage *s,
                          const struct tsim__block_desc *d, int32_t i)
{
    struct slot *sl = &slots_of(s)[i];
    uint32_t e = sl->ent;
    int64_t stored = sl->t_stored;
    sl->ent = TSIM__NIL;
    sl->state = FREE;
    s->nfree++;
    if (lanes_on(d)) { /* the front load left its lane */
        uint32_t depth = depth_of(d);
        struct lane *ln = &lanes_of(s)[(uint32_t)i / depth];
        if (d->val[K_RACK].i == RACK_FLOW) ln->head = (ln->head + 1) % depth;
        ln->n--;
    }
    s->retrievals++;
    turn_of(s)[sim->ents[e].product]++;
    stock_out(sim, s, e, stored, 1);
    return e;
}

static void store_new(struct tsim_sim *sim, uint32_t b, struct storage *s, int32_t i, int product)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (lanes_on(d)) { /* a full rack: each lane filled from its head, one product */
        struct lane *ln = &lanes_of(s)[(uint32_t)i / depth_of(d)];
        ln->n++;
        ln->product = (uint32_t)product;
    }
    uint32_t e = tsim__entity_new(sim, product);
    tsim__entity_enter_system(sim, e);
    tsim__note_enter(sim, b, e);
    store(sim, s, i, e);
    s->nfree--;
}

/* The stock at time 0: a full rack (the model's products in turn, slot by slot), or the loads
 * of the stock file, each in the first free place of its slot in file order (a lane's first load
 * is the first put away). */
static void start(struct tsim_sim *sim, uint32_t b)
{
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (d->val[K_INITIAL].i == INITIAL_FULL) {
        uint32_t places = places_of(d); /* a lane, or a slot, holds one product */
        for (uint32_t i = 0; i < s->nslots; i++)
            store_new(sim, b, s, (int32_t)i, (int)(i / places % s->nprod));
    } else {
        uint32_t places = places_of(d);
        const struct slot *sl = slots_of(s);
        for (int i = 0; i < d->stock.n; i++) {
            uint32_t at = (uint32_t)d->stock.slot[i] * places;
            while (sl[at].state != FREE) at++; /* the slot has room: checked */
            store_new(sim, b, s, (int32_t)at, d->stock.product[i]);
        }
    }
}

/* Loads a retrieval may take, stored and not reserved. */
static uint64_t avail_n(struct storage *s, const struct tsim__block_desc *d)
{
    return d->val[K_DEMAND_PRODUCT].set ? avail_of(s)[d->val[K_DEMAND_PRODUCT].i] : s->avail_all;
}

/* The waiting request `k` places behind the head (0: the head; k < req_n). */
static struct request *req_at(struct storage *s, uint32_t k)
{
    return &reqs_of(s)[(s->req_head + k) % s->req_cap];
}

/* Take waiting request `k` out of the queue: the ones behind it move up, in order. */
static void req_take(struct storage *s, uint32_t k)
{
    if (k == 0) {
        s->req_head = (s->req_head + 1) % s->req_cap;
    } else {
        for (; k + 1 < s->req_n; k++) *req_at(s, k) = *req_at(s, k + 1);
    }
    s->req_n--;
}

/* The product waiting request `k` asks for, -1 for any. */
static int req_product(struct storage *s, const struct tsim__block_desc *d, uint32_t k)
{
    int p = req_at(s, k)->product;
    if (p < 0 && d->val[K_DEMAND_PRODUCT].set) p = (int)d->val[K_DEMAND_PRODUCT].i;
    return p;
}

/* Loads waiting request `k` may take, stored and not reserved. */
static uint64_t req_avail(struct storage *s, const struct tsim__block_desc *d, uint32_t k)
{
    int p = req_product(s, d, k);
    return p >= 0 ? avail_of(s)[p] : s->avail_all;
}

/* Whether some waiting request has a load it may take. O(waiting requests). */
static int ret_wanted(struct storage *s, const struct tsim__block_desc *d)
{
    for (uint32_t k = 0; k < s->req_n; k++)
        if (req_avail(s, d, k) > 0) return 1;
    return 0;
}

/* The request a retrieval serves now: the first waiting one, in the queue's order, that a load it
 * may take can be reached for (`busy`: the place of the same cycle's put-away, -1 if none), its
 * place in `*rs`; -1 if none. A request that finds no load of its product (a stock-out under
 * `stockout: wait`) keeps its place while the ones behind it are served, so it goes first once a
 * load of its product is stored. The retrieval rule's draw is made for the request served only.
 * O(waiting requests), and O(slots) for each whose product has a load available. */
static int32_t ret_choose(struct tsim_sim *sim, struct storage *s,
                          const struct tsim__block_desc *d, int32_t busy, int32_t *rs)
{
    for (uint32_t k = 0; k < s->req_n; k++) {
        if (req_avail(s, d, k) == 0) continue;
        *rs = tsim__storslot_ret(sim, s, d, req_product(s, d, k), busy);
        if (*rs >= 0) return (int32_t)k;
    }
    return -1;
}

static int64_t handle(struct tsim_sim *sim, struct storage *s, const struct tsim__block_desc *d,
                      int key)
{
    return d->val[key].set ? tsim__draw(sim, &d->val[key].d, &s->h.rng[TSIM__RNG_MAIN]) : 0;
}

/* Start a cycle on a free record, done by `server` (a fleet's vehicle; 0 otherwise), if there
 * is work a cycle can do now; returns whether one started. */
static int start_cycle(struct tsim_sim *sim, uint32_t b, struct storage *s, uint32_t server)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    uint32_t k = 0;
    while (cyc_of(s)[k].phase != IDLE) k++; /* one is free: the caller's check */
    struct cycle *c = &cyc_of(s)[k];
    int want_ret = ret_wanted(s, d);
    int want_put = s->nput > 0;
    if (!want_ret && !want_put) return 0;
    int32_t ps = -1, rs = -1, rk = -1;
    /* A load no slot takes now (a dedicated rack's slots of its product full, no lane for it)
     * waits at I/O, and the loads behind it too: the queue is FIFO. */
    if (want_put) want_put = (ps = tsim__storslot_put(sim, s, d, sim->ents[s->head].product)) >= 0;
    if (want_ret) want_ret = (rk = ret_choose(sim, s, d, ps, &rs)) >= 0;
    if (!want_ret && !want_put) return 0;
    int dual = want_put && want_ret && d->val[K_CYCLE].i == CYCLE_DUAL;
    if (!dual && want_put && want_ret) {
        /* One of the two: the earlier asked (fifo) or the nearer (nearest). */
        int take_put;
        if (d->val[K_QUEUE].i == QUEUE_NEAREST)
            take_put = travel(d, -1, ps) <= travel(d, -1, rs);
        else
            take_put = sim->ents[s->head].t_in <= req_at(s, (uint32_t)rk)->t;
        if (take_put) rs = -1;
        else ps = -1;
    }
    c->phase = BUSY;
    c->since = sim->now;
    c->put_slot = ps;
    c->ret_slot = rs;
    c->server = server;
    s->nbusy++;
    int64_t t = sim->now;
    if (ps >= 0) {
        uint32_t e = s->head;
        s->head = sim->ents[e].next;
        if (--s->nput == 0) s->tail = TSIM__NIL;
        tsim__sum_add(&s->put_wait, sim->now - sim->ents[e].t_in);
        c->carry = e;
        slots_of(s)[ps].state = RESERVED;
        s->nfree--;
        if (lanes_on(d)) {
            struct lane *ln = &lanes_of(s)[(uint32_t)ps / depth_of(d)];
            ln->n++;
            ln->product = sim->ents[e].product;
        }
    }
    if (rs >= 0) {
        struct slot *sl = &slots_of(s)[rs];
        sl->state = RESERVED;
        avail_of(s)[sim->ents[sl->ent].product]--;
        s->avail_all--;
        const struct request *rq = req_at(s, (uint32_t)rk);
        tsim__sum_add(&s->ret_wait, sim->now - rq->t);
        c->tell_to = rq->to;
        c->tell_kind = rq->kind;
        c->tell_arg = rq->arg;
        req_take(s, (uint32_t)rk);
    }
    double tr;
    if (ps >= 0) {
        double back = rs >= 0 ? travel(d, ps, rs) + travel(d, rs, -1) : travel(d, ps, -1);
        tr = travel(d, -1, ps) + back;
        t += handle(sim, s, d, K_PICK);
        t += tsim__draw_ticks(sim, travel(d, -1, ps));
        t += handle(sim, s, d, K_DROP);
        if (rs >= 0) {
            c->t_ret = t + tsim__draw_ticks(sim, travel(d, ps, rs)) + handle(sim, s, d, K_PICK);
            c->t_end = c->t_ret + tsim__draw_ticks(sim, travel(d, rs, -1)) +
                       handle(sim, s, d, K_DROP);
        } else {
            c->t_end = t + tsim__draw_ticks(sim, travel(d, ps, -1));
        }
        tsim__schedule(sim, t, b, EV_PUT_DONE, k);
    } else {
        tr = 2 * travel(d, -1, rs);
        c->t_ret = t + tsim__draw_ticks(sim, travel(d, -1, rs)) + handle(sim, s, d, K_PICK);
        c->t_end = c->t_ret + tsim__draw_ticks(sim, travel(d, rs, -1)) + handle(sim, s, d, K_DROP);
        tsim__schedule(sim, c->t_ret, b, EV_RET_PICK, k);
    }
    if (ps >= 0 && rs >= 0) {
        s->cycles_dual++;
        s->travel_dual += tr;
    } else {
        s->cycles_single++;
        s->travel_single += tr;
    }
    return 1;
}

/* The cycles that might start now, at most: a put-away each, and a retrieval each while one
 * may take a load; start_cycle then finds whether a slot takes it. */
static uint32_t work_of(struct storage *s, const struct tsim__block_desc *d)
{
    return s->nput + (ret_wanted(s, d) ? s->req_n : 0);
}

/* Start the next cycles while there is work and a server for it: the crane when it is idle;
 * with `served_by` (storserve.c), each server does one cycle, while a cycle record is free.
 * Operators: one asked for at a time (the pool grants at once while one is free). Vehicles: one
 * sent for each cycle that might start, none while one waits for a vehicle to become free. A
 * server that comes when no slot takes the work goes back at once. */
static void next_cycle(struct tsim_sim *sim, uint32_t b, struct storage *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (!d->val[K_SERVED_BY].set) {
        if (s->nbusy == 0) start_cycle(sim, b, s, 0);
        return;
    }
    long long by = d->val[K_SERVED_BY].i;
    while (s->nbusy + s->coming < s->ncyc && s->waiting == 0 &&
           s->coming < (by < 0 ? 1u : work_of(s, d)) && work_of(s, d) > 0) {
        uint32_t server;
        s->coming++;
        s->in_ask = 1;
        int got = tsim__storserve_ask(sim, b, by, &server);
        s->in_ask = 0;
        if (got == 2) { /* a fleet's answer, through granted */
            got = s->answer == TSIM__TASK_HERE ? 1 : s->answer == TSIM__TASK_SENT ? 0 : -1;
            server = s->answer_srv;
        }
        if (got <= 0) { /* it comes later: granted */
            if (got < 0) s->coming--, s->waiting = 1;
            if (got < 0 || by < 0) return;
            continue;
        }
        s->coming--;
        if (!start_cycle(sim, b, s, server)) {
            tsim__storserve_release(sim, by, server);
            return;
        }
    }
}

/* The server asked for has come (operators.c's call back, or the fleet's TSIM__TASK_HERE), or
 * a fleet answers (storserve.h): while the block asks, the answer is noted for next_cycle; later,
 * a vehicle sent for the storage that waited is on its way. */
static void granted(struct tsim_sim *sim, uint32_t b, uint32_t server, uint32_t purpose)
{
    struct storage *s = tsim__state(sim, b);
    if (s->in_ask) {
        s->answer = purpose;
        s->answer_srv = server;
        return;
    }
    if (purpose == TSIM__TASK_SENT) {
        s->waiting = 0;
        s->coming++;
        return;
    }
    long long by = tsim__desc(sim, b)->val[K_SERVED_BY].i;
    s->coming--;
    if (!start_cycle(sim, b, s, server)) {
        tsim__storserve_release(sim, by, server);
        return;
    }
    next_cycle(sim, b, s);
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct storage *s = tsim__state(sim, b);
    if (s->nfree <= s->nput) return 0;
    tsim__note_enter(sim, b, e);
    sim->ents[e].next = TSIM__NIL;
    if (s->head == TSIM__NIL) s->head = e;
    else sim->ents[s->tail].next = e;
    s->tail = e;
    s->nput++;
    next_cycle(sim, b, s);
    return 1;
}

/* Cycle c's server is back at I/O with the retrieved load (or none): hand it on, then go on
 * (the server goes back to its pool or fleet first). */
static void end_cycle(struct tsim_sim *sim, uint32_t b, struct storage *s, struct cycle *c)
{
    if (c->out != TSIM__NIL) {
        if (!tsim__send_leave(sim, b, c->out)) {
            c->phase = BLOCKED;
            c->blocked_seq = ++s->blocked_n;
            return;
        }
        c->out = TSIM__NIL;
    }
    s->busy_ticks += sim->now - c->since;
    c->phase = IDLE;
    c->put_slot = c->ret_slot = -1;
    s->nbusy--;
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (d->val[K_SERVED_BY].set) tsim__storserve_release(sim, d->val[K_SERVED_BY].i, c->server);
    if (s->nfree > s->nput) tsim__wake(sim, b);
    next_cycle(sim, b, s);
}

static void demand(struct tsim_sim *sim, uint32_t b, struct storage *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    uint64_t n = avail_n(s, d);
    int64_t dt = tsim__draw(sim, &d->val[K_DEMAND].d, &s->h.rng[TSIM__RNG_AUX]);
    tsim__schedule(sim, sim->now + dt, b, EV_DEMAND, 0);
    if (n <= s->req_n) {
        s->stockouts++;
        if (d->val[K_STOCKOUT].i == STOCKOUT_DROP) return;
    }
    if (s->req_n == s->req_cap) {
        s->lost++;
        return;
    }
    reqs_of(s)[(s->req_head + s->req_n) % s->req_cap] =
        (struct request){sim->now, -1, TSIM__NIL, 0, 0};
    s->req_n++;
    next_cycle(sim, b, s);
}

/* The waiting requests that claim a load of `product`: for it, or the block's own demand for
 * `demand_product` when that is it. Requests for any product are left out: they may take
 * another. O(waiting requests). */
static uint64_t claims(struct storage *s, const struct tsim__block_desc *d, int product)
{
    const struct request *rq = reqs_of(s);
    int own = d->val[K_DEMAND_PRODUCT].set ? (int)d->val[K_DEMAND_PRODUCT].i : -1;
    uint64_t n = 0;
    for (uint32_t k = 0; k < s->req_n; k++) {
        int p = rq[(s->req_head + k) % s->req_cap].product;
        n += (p < 0 ? own : p) == product;
    }
    return n;
}

int tsim__storage_request(struct tsim_sim *sim, uint32_t b, int product, uint32_t to,
                          uint32_t kind, uint32_t arg)
{
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (s->req_n == s->req_cap) return -1;
    if (avail_of(s)[product] <= claims(s, d, product)) { /* a stock-out, as the own demand's */
        s->stockouts++;
        if (d->val[K_STOCKOUT].i == STOCKOUT_DROP) return 1;
    }
    reqs_of(s)[(s->req_head + s->req_n) % s->req_cap] =
        (struct request){sim->now, product, to, kind, arg};
    s->req_n++;
    next_cycle(sim, b, s);
    return 0;
}

int64_t tsim__storage_pick(struct tsim_sim *sim, uint32_t b, int product, int64_t qty,
                           double *reach)
{
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (qty <= 0 || product < 0 || (uint32_t)product >= s->nprod) return 0;
    uint64_t have = avail_of(s)[product], claimed = claims(s, d, product);
    int64_t got = 0, room = have > claimed ? (int64_t)(have - claimed) : 0;
    long long bays = d->val[K_BAYS].i;
    double w = d->val[K_BAY_WIDTH].set ? d->val[K_BAY_WIDTH].r : 1;
    while (got < qty && got < room) {
        int32_t i = tsim__storslot_ret(sim, s, d, product, -1);
        if (i < 0) break; /* none reachable (a lane's front holds another load) */
        double x = ((double)((uint32_t)i / places_of(d) % (uint32_t)bays) + 0.5) * w;
        if (x > *reach) *reach = x;
        avail_of(s)[product]--;
        s->avail_all--;
        uint32_t e = take_load(sim, s, d, i);
        tsim__note_leave(sim, b, e);
        tsim__entity_dispose(sim, e);
        got++;
    }
    if (got > 0) {
        if (s->nfree > s->nput) tsim__wake(sim, b);
        next_cycle(sim, b, s); /* a put-away may have waited for a slot */
    }
    return got;
}

int64_t tsim__storage_pickable(struct tsim_sim *sim, uint32_t b, int product)
{
    struct storage *s = tsim__state(sim, b);
    if (product < 0 || (uint32_t)product >= s->nprod) return 0;
    uint64_t have = avail_of(s)[product], claimed = claims(s, tsim__desc(sim, b), product);
    return have > claimed ? (int64_t)(have - claimed) : 0;
}

void tsim__storage_stockout(struct tsim_sim *sim, uint32_t b)
{
    ((struct storage *)tsim__state(sim, b))->stockouts++;
}

void tsim__storage_watch(struct tsim_sim *sim, uint32_t b, int product, uint32_t to, uint32_t kind)
{
    struct storage *s = tsim__state(sim, b);
    if (product < 0 || (uint32_t)product >= s->nprod) return;
    struct watcher *w = watchers_of(s);
    uint32_t k = 0;
    while (k < s->nwatch && (w[k].to != to || w[k].kind != kind)) k++;
    if (k == s->nwatch) {
        TSIM__ASSERT(s->nwatch < (uint32_t)sim->m->nblocks, "more watchers of storage than blocks");
        w[s->nwatch++] = (struct watcher){to, kind};
    }
    ((unsigned char *)(w + sim->m->nblocks))[product] = 1;
}

int tsim__storage_withdraw(struct tsim_sim *sim, uint32_t b, uint32_t to, uint32_t kind,
                           uint32_t arg)
{
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    for (uint32_t k = 0; k < s->req_n; k++) {
        const struct request *r = req_at(s, k);
        if (r->to != to || r->kind != kind || r->arg != arg) continue;
        int p = req_product(s, d, k);
        req_take(s, k);
        /* the load it claimed is a picker's again: a line waiting for the product looks now */
        if (p >= 0 && avail_of(s)[p] > claims(s, d, p)) tell_watchers(sim, s, p);
        next_cycle(sim, b, s);
        return 0;
    }
    return -1;
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct storage *s = tsim__state(sim, b);
    struct cycle *c = &cyc_of(s)[kind == EV_DEMAND ? 0 : arg]; /* the cycle's record */
    switch (kind) {
    case EV_DEMAND: demand(sim, b, s); return;
    case EV_PUT_DONE:
        store(sim, s, c->put_slot, c->carry);
        s->put_aways++;
        prods_of(s)[sim->ents[c->carry].product].put_aways++;
        c->carry = TSIM__NIL;
        if (c->ret_slot >= 0) tsim__schedule(sim, c->t_ret, b, EV_RET_PICK, arg);
        else tsim__schedule(sim, c->t_end, b, EV_END, arg);
        return;
    case EV_RET_PICK:
        c->out = take_load(sim, s, tsim__desc(sim, b), c->ret_slot);
        tsim__schedule(sim, c->t_end, b, EV_END, arg);
        return;
    default:
        if (c->tell_to != TSIM__NIL) { /* the load another block asked for is at I/O */
            tsim__schedule(sim, sim->now, c->tell_to, c->tell_kind, c->tell_arg);
            c->tell_to = TSIM__NIL;
        }
        end_cycle(sim, b, s, c);
        return;
    }
}

/* The next block has room: blocked cycles hand their loads on in the order they were blocked,
 * until one is refused again. */
static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct storage *s = tsim__state(sim, b);
    uint64_t last = s->blocked_n;
    for (;;) {
        struct cycle *c = NULL;
        for (uint32_t k = 0; k < s->ncyc; k++) {
            struct cycle *x = &cyc_of(s)[k];
            if (x->phase == BLOCKED && x->blocked_seq <= last &&
                (!c || x->blocked_seq < c->blocked_seq))
                c = x;
        }
        if (!c) return;
        c->phase = BUSY;
        end_cycle(sim, b, s, c);
        if (c->phase == BLOCKED) return;
    }
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct storage *s = tsim__state(sim, b);
    tsim__area_restart(&s->stock_level, sim->now, s->stock);
    s->busy_ticks = 0;
    for (uint32_t k = 0; k < s->ncyc; k++) cyc_of(s)[k].since = sim->now;
    s->put_aways = s->retrievals = s->stockouts = s->lost = 0;
    s->cycles_single = s->cycles_dual = 0;
    s->dwell = s->put_wait = s->ret_wait = (struct tsim__sum){0, 0};
    s->travel_single = s->travel_dual = 0;
    for (uint32_t p = 0; p < s->nprod; p++) {
        struct prod_stat *ps = &prods_of(s)[p];
        tsim__area_restart(&ps->level, sim->now, ps->held);
        ps->dwell = (struct tsim__sum){0, 0};
        ps->put_aways = ps->retrievals = 0;
    }
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct storage *s = tsim__state(sim, b);
    int64_t busy = s->busy_ticks;
    for (uint32_t k = 0; k < s->ncyc; k++)
        if (cyc_of(s)[k].phase != IDLE) busy += sim->now - cyc_of(s)[k].since;
    int64_t window = sim->now - sim->stats_start;
    double w = tsim__window(sim);
    double stock = tsim__area_mean(&s->stock_level, sim->now, s->stock);
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "stock", stock);
    tsim_result_add(r, (int)b, "occupancy", s->nslots ? stock / s->nslots : 0);
    tsim_result_add(r, (int)b, "put_aways", (double)s->put_aways);
    tsim_result_add(r, (int)b, "retrievals", (double)s->retrievals);
    tsim_result_add(r, (int)b, "put_away_rate", w > 0 ? (double)s->put_aways / w : 0);
    tsim_result_add(r, (int)b, "retrieval_rate", w > 0 ? (double)s->retrievals / w : 0);
    tsim_result_add(r, (int)b, "dwell", tsim__sum_mean(sim, &s->dwell));
    tsim_result_add(r, (int)b, "stockouts", (double)s->stockouts);
    tsim_result_add(r, (int)b, "requests_lost", (double)s->lost);
    tsim_result_add(r, (int)b, "put_away_wait", tsim__sum_mean(sim, &s->put_wait));
    tsim_result_add(r, (int)b, "retrieval_wait", tsim__sum_mean(sim, &s->ret_wait));
    tsim_result_add(r, (int)b, "crane_utilization", /* served_by: a share of its servers */
                    window > 0 ? (double)busy / (double)window / s->ncyc : 0);
    tsim_result_add(r, (int)b, "cycles_single", (double)s->cycles_single);
    tsim_result_add(r, (int)b, "cycles_dual", (double)s->cycles_dual);
    tsim_result_add(r, (int)b, "travel_single",
                    s->cycles_single ? s->travel_single / (double)s->cycles_single : 0);
    tsim_result_add(r, (int)b, "travel_dual",
                    s->cycles_dual ? s->travel_dual / (double)s->cycles_dual : 0);
    char *const *name = sim->m->product_kpis; /* the model's: results borrow KPI names */
    if (!tsim__desc(sim, b)->val[K_BY_PRODUCT].i || !name) return;
    for (uint32_t p = 0; p < s->nprod; p++) {
        const struct prod_stat *ps = &prods_of(s)[p];
        char *const *at = name + TSIM__PK_N * p;
        tsim_result_add(r, (int)b, at[TSIM__PK_STOCK],
                        tsim__area_mean(&ps->level, sim->now, ps->held));
        tsim_result_add(r, (int)b, at[TSIM__PK_PUT_AWAYS], (double)ps->put_aways);
        tsim_result_add(r, (int)b, at[TSIM__PK_RETRIEVALS], (double)ps->retrievals);
        tsim_result_add(r, (int)b, at[TSIM__PK_DWELL], tsim__sum_mean(sim, &ps->dwell));
    }
}

static const struct tsim__block_vt storage_vt = {
    .state_size = state_size,
    .init = init,
    .start = start,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
    .granted = granted,
};

/* The descriptor ---------------------------------------------------------------------------- */

/* Slots of one aisle at most: its slot table is scanned on every put-away and retrieval. */
#define SLOTS_MAX 1000000LL

/* The first of the `n` rack slots to which the stock file gives more than `room` loads, or, when
 * `one`, two products (its empty rows' products too); -1 if none. The reader refuses such a file
 * at its line (stockcsv.c); this catches a `slot_loads`, `depth` or `put_away` set after it was
 * read. */
static int32_t stock_misfit(const struct tsim__block_desc *d, long long n, long long room, int one,
                            int *mixed)
{
    const struct tsim__stock *st = &d->stock;
    if (st->n + st->nempty == 0) return -1;
    uint32_t *held = tsim__calloc((size_t)n, sizeof *held);
    int32_t *prod = tsim__malloc((size_t)n * sizeof *prod);
    memset(prod, 0xff, (size_t)n * sizeof *prod);
    int32_t bad = -1;
    for (int i = 0; i < st->n + st->nempty && bad < 0; i++) {
        int full = i < st->n;
        int32_t k = full ? st->slot[i] : st->empty_slot[i - st->n];
        int32_t p = full ? st->product[i] : st->empty_product[i - st->n];
        *mixed = one && prod[k] >= 0 && prod[k] != p;
        if (*mixed || (full && ++held[k] > room)) bad = k;
        prod[k] = p;
    }
    tsim__free(held);
    tsim__free(prod);
    return bad;
}

/* A check's error, reported at key `k` of the storage when the file gives it (else at the
 * block). */
#define fail_at(k, ...)                                                                            \
    (tsim__model_blame_key(m, d->index, (k)), tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__))

static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    long long n = d->val[K_BAYS].i * d->val[K_LEVELS].i;
    long long depth = depth_of(d), loads = loads_of(d);
    if (n * depth * loads > SLOTS_MAX)
        return fail_at(loads > 1 ? K_SLOT_LOADS : d->val[K_DEPTH].set ? K_DEPTH : K_BAYS,
                       "storage '%s' has %lld slots (bays x levels x %s), more than %lld",
                       d->name, n * depth * loads, loads > 1 ? "slot_loads" : "depth",
                       SLOTS_MAX);
    long long rack = d->val[K_RACK].i, rule = d->val[K_PUT_AWAY].i;
    if (rack != RACK_SELECTIVE && loads > 1)
        return fail_at(K_SLOT_LOADS, "storage '%s' has 'slot_loads' %lld but a lane's slot holds "
                       "one load (a lane holds 'depth' of them)", d->name, loads);
    if (rack == RACK_SELECTIVE && depth > 1)
        return fail_at(K_DEPTH, "storage '%s' has 'depth' %lld but a selective rack is one slot "
                       "deep (give 'rack: drive_in' or 'rack: flow')", d->name, depth);
    if (rule == PUT_DEDICATED && d->val[K_INITIAL].i != INITIAL_FULL &&
        d->stock.n + d->stock.nempty == 0)
        return fail_at(K_PUT_AWAY, "storage '%s': 'put_away: dedicated' takes each %s's product "
                       "from the initial stock: give a stock file or 'initial: full'", d->name,
                       rack != RACK_SELECTIVE ? "lane" : "slot");
    static const int axes[2][3] = {{K_ACCEL_X, K_SPEED_X, 'x'}, {K_ACCEL_Y, K_SPEED_Y, 'y'}};
    for (int i = 0; i < 2; i++)
        if (d->val[axes[i][0]].set && !d->val[axes[i][1]].set)
            return fail_at(axes[i][0], "storage '%s' has 'accel_%c' but no 'speed_%c' (without a "
                           "speed the crane moves in no time)", d->name, axes[i][2], axes[i][2]);
    if (d->val[K_ACCEL].set && !d->val[K_SPEED_X].set && !d->val[K_SPEED_Y].set)
        return fail_at(K_ACCEL, "storage '%s' has 'accel' but no 'speed_x' or 'speed_y' (without "
                       "a speed the crane moves in no time)", d->name);
    if (d->val[K_CLASSES].set && rule != PUT_CLASS)
        return fail_at(K_CLASSES, "storage '%s' has 'classes' but 'put_away' is not 'class'",
                       d->name);
    if (d->val[K_CLASSES_BY].set && rule != PUT_CLASS)
        return fail_at(K_CLASSES_BY, "storage '%s' has 'classes_by' but 'put_away' is not 'class'",
                       d->name);
    /* The stock file was read for the rack as the file gave it; a size set since may cut it. */
    for (int i = 0; i < d->stock.n; i++)
        if (d->stock.slot[i] >= n)
            return fail_at(K_STOCK_FILE, "storage '%s': its stock file fills slot %d, outside its "
                           "%lld slots", d->name, (int)d->stock.slot[i] + 1, n);
    for (int i = 0; i < d->stock.nempty; i++)
        if (d->stock.empty_slot[i] >= n)
            return fail_at(K_STOCK_FILE, "storage '%s': its stock file names slot %d, outside its "
                           "%lld slots", d->name, (int)d->stock.empty_slot[i] + 1, n);
    if ((d->stock.n || d->stock.nempty) && d->val[K_INITIAL].i == INITIAL_FULL)
        return fail_at(K_INITIAL, "storage '%s' has a stock file and 'initial: full': give one",
                       d->name);
    int mixed = 0;
    int32_t slot = stock_misfit(d, n, depth * loads, rack != RACK_SELECTIVE || rule == PUT_DEDICATED,
                                &mixed);
    if (slot >= 0 && mixed)
        return fail_at(K_STOCK_FILE, "storage '%s': its stock file puts two products in %s %d, "
                       "which holds one (%s)", d->name, rack != RACK_SELECTIVE ? "lane" : "slot",
                       (int)slot + 1, rack != RACK_SELECTIVE ? "a lane" : "'put_away: dedicated'");
    if (slot >= 0)
        return fail_at(K_STOCK_FILE, "storage '%s': its stock file puts more loads in %s %d than "
                       "it holds (%lld)", d->name, rack != RACK_SELECTIVE ? "lane" : "slot",
                       (int)slot + 1, depth * loads);
    return 0;
}
#undef fail_at

static const char *const put_rules[] = {"random", "closest", "dedicated", "class", NULL};
static const char *const racks[] = {"selective", "drive_in", "flow", NULL};
static const char *const ret_rules[] = {"fifo", "lifo", "closest", "random", NULL};
static const char *const cycles[] = {"dual", "single", NULL};
static const char *const queues[] = {"fifo", "nearest", NULL};
static const char *const classes_by[] = {"order", "turnover", NULL};
static const char *const stockout_rules[] = {"wait", "drop", NULL};
static const char *const initials[] = {"empty", "full", NULL};
static const char *const booleans[] = {"false", "true", NULL};

static const struct tsim__key keys[] = {
    [K_BAYS] = {"bays", TSIM__KEY_INT, TSIM__KEY_REQUIRED, 1, SLOTS_MAX, .dflt = "required",
                .help = "slots along the aisle"},
    [K_LEVELS] = {"levels", TSIM__KEY_INT, TSIM__KEY_REQUIRED, 1, SLOTS_MAX, .dflt = "required",
                  .help = "slots one above the other"},
    [K_BAY_WIDTH] = {"bay_width", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e9,
                     .dflt = "1", .help = "width of a bay, in any length unit"},
    [K_LEVEL_HEIGHT] = {"level_height", TSIM__KEY_REAL, 0, .rlo = 1e-9,
                        .rhi = 1e9, .dflt = "1", .help = "height of a level, same unit"},
    [K_SPEED_X] = {"speed_x", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e12,
                   .dflt = "none (no travel time)",
                   .help = "the crane's horizontal speed, length per time unit"},
    [K_SPEED_Y] = {"speed_y", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e12,
                   .dflt = "none (no travel time)",
                   .help = "the crane's vertical speed, length per time unit"},
    [K_PICK] = {"pick_time", TSIM__KEY_DIST, 0, .dflt = "0",
                .help = "the crane's time to take a load on"},
    [K_DROP] = {"drop_time", TSIM__KEY_DIST, 0, .dflt = "0",
                .help = "the crane's time to set a load down"},
    [K_CYCLE] = {"cycle", TSIM__KEY_CHOICE, 0, .choices = cycles, .noun = "cycle",
                 .dflt = "dual", .help = "`dual`: a put-away and a retrieval in one cycle when both wait; `single`"},
    [K_QUEUE] = {"queue", TSIM__KEY_CHOICE, 0, .choices = queues, .noun = "queue rule",
                 .dflt = "fifo", .help = "which waiting request a single-command cycle serves"},
    [K_PUT_AWAY] = {"put_away", TSIM__KEY_CHOICE, 0, .choices = put_rules,
                    .noun = "put-away policy", .dflt = "random",
                    .help = "`random` free slot, the free slot `closest` to I/O, `dedicated` "
                            "slots per product, or by `class` into zones"},
    [K_RETRIEVAL] = {"retrieval", TSIM__KEY_CHOICE, 0, .choices = ret_rules,
                     .noun = "retrieval rule", .dflt = "fifo",
                     .help = "which load a retrieval takes: `fifo`, `lifo`, `closest`, `random`"},
    [K_DEMAND] = {"demand", TSIM__KEY_DIST, 0, .dflt = "none (nothing is retrieved)",
                  .help = "time between retrieval requests"},
    [K_DEMAND_PRODUCT] = {"demand_product", TSIM__KEY_PRODUCT, 0, .dflt = "any product",
                          .help = "the product every retrieval request asks for"},
    [K_STOCKOUT] = {"stockout", TSIM__KEY_CHOICE, 0, .choices = stockout_rules,
                    .noun = "stock-out rule", .dflt = "wait",
                    .help = "a request that finds no stock `wait`s for it or is `drop`ped"},
    [K_INITIAL] = {"initial", TSIM__KEY_CHOICE, 0, .choices = initials, .noun = "initial stock",
                   .dflt = "empty", .help = "`empty`, or `full` of the model's products in turn"},
    [K_REQUESTS] = {"requests", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "1000",
                    .help = "retrieval requests that may wait; one more is counted lost"},
    [K_STOCK_FILE] = {"stock_file", TSIM__KEY_FORM, 0, .dflt = "none",
                      .help = "a CSV file of the loads in the rack at time 0"},
    [K_RACK] = {"rack", TSIM__KEY_CHOICE, 0, .choices = racks, .noun = "rack type",
                .dflt = "selective",
                .help = "`selective`, `drive_in` (LIFO per lane) or `flow` (FIFO per lane)"},
    [K_DEPTH] = {"depth", TSIM__KEY_INT, 0, 1, 1000, .dflt = "1",
                 .help = "slots per lane of a drive-in or flow rack"},
    [K_CLASSES] = {"classes", TSIM__KEY_INT, 0, 1, 100, .dflt = "3",
                   .help = "classes (zones) of put_away: class"},
    [K_CLASSES_BY] = {"classes_by", TSIM__KEY_CHOICE, 0, .choices = classes_by,
                      .noun = "class ranking", .dflt = "order",
                      .help = "products ranked fastest first as the model lists them (`order`) "
                              "or by their retrievals so far (`turnover`)"},
    [K_ACCEL] = {"accel", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e15,
                 .dflt = "none (full speed at once)",
                 .help = "the crane's acceleration and braking on both axes, length per time "
                         "unit squared"},
    [K_ACCEL_X] = {"accel_x", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e15, .dflt = "`accel`",
                   .help = "the crane's horizontal acceleration and braking"},
    [K_ACCEL_Y] = {"accel_y", TSIM__KEY_REAL, 0, .rlo = 1e-9, .rhi = 1e15, .dflt = "`accel`",
                   .help = "the crane's vertical acceleration and braking"},
    [K_SLOT_LOADS] = {"slot_loads", TSIM__KEY_INT, 0, 1, 1000, .dflt = "1",
                      .help = "loads one slot of a selective rack holds"},
    [K_SERVED_BY] = {"served_by", TSIM__KEY_FORM, 0, .dflt = "none (its own crane)",
                     .help = "an operators pool or a fleet whose operators or vehicles do the "
                             "cycles in place of the crane, one each, several at once"},
    [K_BY_PRODUCT] = {"by_product", TSIM__KEY_CHOICE, 0, .choices = booleans, .noun = "value",
                      .dflt = "false",
                      .help = "`true`: also the stock, put-aways, retrievals and dwell of each "
                              "product (products.P.stock, ...), in a model of two products or "
                              "more"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route of retrieved loads"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {
    "entered", "left", "throughput", "content", "stock", "occupancy", "put_aways", "retrievals",
    "put_away_rate", "retrieval_rate", "dwell", "stockouts", "requests_lost", "put_away_wait",
    "retrieval_wait", "crane_utilization", "cycles_single", "cycles_dual", "travel_single",
    "travel_dual", NULL};

const struct tsim__block_type tsim__storage_type = {
    .name = "storage",
    .help = "an aisle of rack slots served by an AS/RS crane; retrieves on demand",
    .keys = keys,
    .kpis = kpis,
    .vt = &storage_vt,
    .check = check,
};

void tsim__storage_stock_room(const struct tsim__block_desc *d, long long *loads, int *one_product,
                              int *lanes)
{
    *loads = places_of(d);
    *lanes = lanes_on(d);
    *one_product = *lanes || d->val[K_PUT_AWAY].i == PUT_DEDICATED;
}

/* ---- what the live twin may see and correct (src/twin/wms.c; blocks/storage.h) ------------- */

int tsim__storage_is(const struct tsim_model *m, int block)
{
    return block >= 0 && block < m->nblocks &&
           strcmp(tsim_block_type_name(m->blocks[block].type), "storage") == 0;
}

int64_t tsim__storage_stock(const struct tsim_sim *sim, int block, int product)
{
    struct storage *s = tsim__state((struct tsim_sim *)sim, (uint32_t)block);
    if (product < 0 || (uint32_t)product >= s->nprod) return 0;
    return (int64_t)avail_of(s)[product];
}

/* Loads are added to the first free slot the put-away policy allows for the product, never to a
 * slot a queued put-away will need, and removed from the stored loads of the product the latest
 * put away first (a load a retrieval has reserved stays: it is on its way out). Lane racks are
 * not corrected: a load inside a lane cannot be taken out without the ones in front. */
int64_t tsim__storage_observe(struct tsim_sim *sim, int block, int product, int64_t level)
{
    uint32_t b = (uint32_t)block;
    struct storage *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (product < 0 || (uint32_t)product >= s->nprod || level < 0 || lanes_on(d)) return -1;
    int64_t have = (int64_t)avail_of(s)[product], moved = 0;
    struct slot *sl = slots_of(s);
    long long rule = d->val[K_PUT_AWAY].i;
    for (uint32_t i = 0; i < s->nslots && have < level && s->nfree > s->nput; i++) {
        if (sl[i].state != FREE || !tsim__storslot_may_take(s, rule, i, product, -1)) continue;
        store_new(sim, b, s, (int32_t)i, product);
        have++;
        moved++;
    }
    while (have > level) {
        int32_t last = -1;
        for (uint32_t i = 0; i < s->nslots; i++)
            if (sl[i].state == STORED && sim->ents[sl[i].ent].product == product &&
                (last < 0 || sl[i].t_stored >= sl[last].t_stored))
                last = (int32_t)i;
        if (last < 0) break;
        uint32_t e = sl[last].ent;
        sl[last].ent = TSIM__NIL;
        sl[last].state = FREE;
        s->nfree++;
        avail_of(s)[product]--;
        s->avail_all--;
        stock_out(sim, s, e, sl[last].t_stored, 0);
        tsim__note_leave(sim, b, e);
        tsim__entity_dispose(sim, e);
        have--;
        moved++;
    }
    next_cycle(sim, b, s);
    return have == level ? moved : -1;
}
