/*
 * Dock: a set of `doors` where trucks are unloaded (inbound) or loaded (outbound), `unload` or
 * `load` time per pallet. Trucks come from the block's appointments file (arrival, pallets,
 * direction, and optionally the appointment's planned time and the latest planned departure) or
 * at drawn intervals (`interarrival`, `pallets` each, `direction`, up to `limit`). A truck that
 * finds every door taken waits in the yard, and a door that comes free takes the truck that came
 * first (`yard: fifo`) or the one with the earliest appointment (`appointment`, its planned time,
 * or its arrival when it has none; ties by arrival). An inbound truck's pallets leave along
 * `to` one by one as entities (of the truck's `product` in the appointments, else of the dock's
 * `product`, or drawn pallet by pallet from its mix), each as its unloading ends; a pallet the
 * next block refuses stays on the truck, which waits at its door (blocked) until it is taken,
 * blocked doors retrying in door order when woken. An outbound truck's pallets are times only: it leaves when
 * they are loaded, and the dock takes no entities.
 *
 * With `loads: orders` the dock takes entities instead, the orders a picking block ships, and
 * they wait at the dock (staged, in arrival order) for an outbound truck. A truck of the
 * appointments file at a door loads, one `load` draw each, the staged orders due by its departure
 * (an order without a due time goes on any truck), as many as its `pallets` (its room, one order
 * a pallet). It leaves when full or at its departure time, after the order it is loading, with
 * what is ready; a truck that gets its door after its departure loads what is staged for it and
 * leaves (late). An order that a truck due to take it left behind, or that comes after that truck
 * left, is missed once (`cut`: the latest departure of the trucks that have left; an order due by
 * it is one some truck has missed), and stays staged for a later truck: missed, not lost.
 *
 * A truck of the appointments file may name its orders (its `orders` column, resolved by the
 * loader into trucks.truck_of): it loads those, and only those, as they come (an unnamed truck
 * takes no named order), has room for them all, and leaves once it has them or at its
 * departure; the named orders it leaves without count as missed then, staged or not yet come,
 * and one that comes after it left stays staged (no other truck takes it). Named orders play no
 * part in `cut`.
 *
 * A truck of the appointments file may be for one door (its `door` column): it takes that door
 * when it is free and otherwise waits in the yard for it, though another is free; a door that
 * comes free takes, by the yard rule, only a waiting truck for it or for any door.
 *
 * Doors may serve one direction: the first `inbound_doors` only inbound trucks, the next
 * `outbound_doors` only outbound ones, the rest both. A truck takes the lowest-numbered free door
 * that serves it (so a door of its own direction before a shared one), and a door that comes free
 * takes, by the yard rule, only a waiting truck that it serves.
 *
 * Trucks known by an id (the appointments', and those the live twin adds: dock.h) each have a
 * record, in the state, of when it came, took a door and left, and what it loaded: whether it
 * left full and on time. A truck of the file that the plant reported earlier is not brought
 * again by the file.
 *
 * Invariants: a truck is in exactly one place, the yard (`yard`, `yn` of them, in arrival order)
 * or a door; a door is IDLE only while no truck it serves and may take waits in the yard (a
 * truck of the appointments may be for one door, and takes no other); a BLOCKED door holds one
 * pallet entity, the block's whole content. At most `yard_capacity` trucks wait; one more is
 * turned away (counted). State lives in the arena, located by offsets; the records of the trucks
 * the plant adds in room the dock adds at the arena's end as they come (live_room).
 */
#include "blocks/dock.h"
#include "blocks/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { EV_ARRIVE, EV_DONE, EV_PALLET, EV_LOADED, EV_CLOSE };
enum { IDLE, BUSY, BLOCKED };
enum { YARD_FIFO, YARD_APPOINTMENT };
enum { DIR_INBOUND, DIR_OUTBOUND };
enum { LOADS_PALLETS, LOADS_ORDERS };
enum {
    K_DOORS, K_APPOINTMENTS, K_INTERARRIVAL, K_PALLETS, K_DIRECTION, K_LIMIT, K_UNLOAD, K_LOAD,
    K_YARD, K_YARD_CAPACITY, K_PRODUCT, K_LOADS, K_INBOUND_DOORS, K_OUTBOUND_DOORS
}; /* indices in `keys` */

struct truck {
    int64_t t_arrive, planned, departure; /* ticks; planned and departure TSIM__NEVER if none */
    uint32_t pallets, outbound;
    uint32_t rec; /* its record, TSIM__NIL if none (a drawn truck) */
    int32_t door; /* the door it waits for (its appointment's), -1: any that serves it */
};

/* A truck's record (dock.h); times in ticks, TSIM__NEVER while not yet. */
struct trec {
    int64_t arrive, start, depart, due_out;
    uint32_t planned, pallets, loaded;
    unsigned char outbound, where, full, late;
};

struct door {
    uint32_t state;
    uint32_t left;    /* pallets still to unload; a truck loading orders: its room left */
    uint32_t pallet;  /* held while BLOCKED, or the order being loaded; else TSIM__NIL */
    uint32_t closing; /* a truck loading orders: its departure has come (or had, at its door) */
    struct truck truck;
};

struct dock {
    struct tsim__bhdr h;
    uint32_t ndoors, ycap, yn, busy_doors;
    uint64_t next;                  /* trucks that have come (appointments read, or drawn) */
    uint64_t doors_off, yard_off;   /* bytes from the state's start */
    struct tsim__area yard_level, busy;
    uint64_t done, late, pallets_in, pallets_out, turned_away;
    uint32_t staged_head, staged_tail; /* `loads: orders`: orders waiting, linked by `next` */
    int64_t cut;                       /* the latest departure of a truck gone, ticks */
    uint64_t orders_loaded, missed;
    struct tsim__sum turnaround, yard_wait;
    uint32_t nrec, nlive;       /* records: the file's trucks, then nlive the plant added */
    uint32_t live_cap, pad_;    /* room for added trucks (a power of two from 16; 0: none yet) */
    uint64_t rec_off, live_off; /* the file's records; the added trucks (0: none yet) */
};

/* A truck the plant added: its record and id. They live at the end of the arena, in room the
 * dock adds as they come (tsim__arena_add), live_cap of them followed by their ids' hash table
 * (2 x live_cap slots, TSIM__NIL when empty), so that a twin may add many without a scan. */
struct live {
    struct trec r;
    char id[TSIM__DOCK_ID_LEN];
};
_Static_assert(sizeof(struct live) % 16 == 0, "the added trucks' room stays aligned");
#define LIVE_BYTES(cap) ((size_t)(cap) * (sizeof(struct live) + 2 * sizeof(uint32_t)))

#define AT(s, off, type) ((type *)((unsigned char *)(s) + (s)->off))

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

static uint32_t ycap_of(const struct tsim__block_desc *d)
{
    return d->val[K_YARD_CAPACITY].set ? (uint32_t)d->val[K_YARD_CAPACITY].i : 10000u;
}

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    (void)m;
    return round8(sizeof(struct dock)) + (size_t)d->val[K_DOORS].i * sizeof(struct door) +
           round8(ycap_of(d) * sizeof(struct truck)) + (size_t)d->trucks.n * sizeof(struct trec);
}

static struct live *lives(struct dock *s)
{
    return (struct live *)((unsigned char *)s + s->live_off);
}

/* Record `k`: of the file's trucks, then of those added. */
static struct trec *rec_of(struct dock *s, uint32_t k)
{
    return k < s->nrec ? &AT(s, rec_off, struct trec)[k] : &lives(s)[k - s->nrec].r;
}

/* The time the next truck comes, ticks (TSIM__NEVER: none). */
static int64_t next_arrival(struct tsim_sim *sim, struct dock *s, const struct tsim__block_desc *d)
{
    if (d->trucks.n) {
        return s->next < (uint64_t)d->trucks.n ? tsim__ticks(sim, d->trucks.arrival[s->next])
                                               : TSIM__NEVER;
    }
    if (!d->val[K_INTERARRIVAL].set) return TSIM__NEVER;
    if (d->val[K_LIMIT].set && s->next >= (uint64_t)d->val[K_LIMIT].i) return TSIM__NEVER;
    return sim->now + tsim__draw(sim, &d->val[K_INTERARRIVAL].d, &s->h.rng[TSIM__RNG_AUX]);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct dock *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->ndoors = (uint32_t)d->val[K_DOORS].i;
    s->ycap = ycap_of(d);
    s->doors_off = round8(sizeof(struct dock));
    s->yard_off = s->doors_off + s->ndoors * sizeof(struct door);
    s->rec_off = s->yard_off + round8(s->ycap * sizeof(struct truck));
    s->nrec = (uint32_t)d->trucks.n;
    struct door *dr = AT(s, doors_off, struct door);
    for (uint32_t i = 0; i < s->ndoors; i++) dr[i].pallet = TSIM__NIL;
    struct trec *rec = AT(s, rec_off, struct trec);
    for (uint32_t k = 0; k < s->nrec; k++) {
        double dep = d->trucks.departure[k];
        uint32_t room = d->trucks.truck_of && d->trucks.named[k] > 0
                            ? (uint32_t)d->trucks.named[k]
                            : (uint32_t)d->trucks.pallets[k];
        rec[k] = (struct trec){TSIM__NEVER, TSIM__NEVER, TSIM__NEVER,
                               isfinite(dep) ? tsim__ticks(sim, dep) : TSIM__NEVER,
                               (uint32_t)d->trucks.pallets[k], room, 0,
                               d->trucks.outbound[k], TSIM__TRUCK_TO_COME, 0, 0};
    }
    s->staged_head = s->staged_tail = TSIM__NIL;
    s->cut = INT64_MIN;
    int64_t t = next_arrival(sim, s, d);
    if (t != TSIM__NEVER) tsim__schedule(sim, t, b, EV_ARRIVE, 0);
}

/* Whether door `i` serves trucks of that direction. */
static int serves(const struct tsim__block_desc *d, uint32_t i, uint32_t outbound)
{
    long long in = d->val[K_INBOUND_DOORS].set ? d->val[K_INBOUND_DOORS].i : 0;
    long long out = d->val[K_OUTBOUND_DOORS].set ? d->val[K_OUTBOUND_DOORS].i : 0;
    if ((long long)i < in) return !outbound;
    if ((long long)i < in + out) return outbound != 0;
    return 1;
}

/* The product of the next pallet off the truck at door `i`: the truck's own (its `product` in the
 * appointments), else the dock's `product`, or one drawn from its mix. (A mix in the file leaves
 * the key's value unset: set, it was set since, as by --set, and wins.) */
static int pallet_product(struct tsim_sim *sim, struct dock *s, const struct tsim__block_desc *d,
                          uint32_t i)
{
    uint32_t rec = AT(s, doors_off, struct door)[i].truck.rec;
    if (d->trucks.product && rec < (uint32_t)d->trucks.n && d->trucks.product[rec] >= 0)
        return d->trucks.product[rec];
    if (d->val[K_PRODUCT].set) return (int)d->val[K_PRODUCT].i;
    if (d->mix_n == 0) return 0;
    double u = tsim__draw_u(sim, &s->h.rng[TSIM__RNG_AUX]);
    int k = 0;
    while (k < d->mix_n - 1 && u > d->mix_cum[k]) k++;
    return d->mix_product[k];
}

static int64_t draw_of(struct tsim_sim *sim, struct dock *s, const struct tsim__block_desc *d,
                       int key)
{
    return d->val[key].set ? tsim__draw(sim, &d->val[key].d, &s->h.rng[TSIM__RNG_MAIN]) : 0;
}

static void depart(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i);

/* The appointments' truck that names order entity `e` (by the order it carries), or -1: none
 * does, or the dock's trucks name no orders. */
static int32_t truck_naming(const struct tsim_sim *sim, const struct tsim__block_desc *d,
                            uint32_t e)
{
    if (!d->trucks.truck_of) return -1;
    const struct tsim__eorder *eo = tsim__eorder_of(sim, e);
    if (!eo || (int)eo->block != d->trucks.order_block) return -1;
    return d->trucks.truck_of[eo->order];
}

/* Whether truck `t` is one of the appointments that names its orders. */
static int names_orders(const struct tsim__block_desc *d, const struct truck *t)
{
    return d->trucks.truck_of && t->rec < (uint32_t)d->trucks.n && d->trucks.named[t->rec] > 0;
}

/* Unlink and return the first staged order truck `t` takes, or TSIM__NIL: one it names, or, for
 * a truck naming none, an order no truck names due by its departure. O(staged): the orders
 * staged at a dock are those of the next trucks. */
static uint32_t take_staged(struct tsim_sim *sim, struct dock *s, const struct tsim__block_desc *d,
                            const struct truck *t)
{
    uint32_t prev = TSIM__NIL;
    int named = names_orders(d, t);
    for (uint32_t e = s->staged_head; e != TSIM__NIL; prev = e, e = sim->ents[e].next) {
        int32_t k = truck_naming(sim, d, e);
        if (named ? k != (int32_t)t->rec : k >= 0) continue;
        int64_t due = sim->ents[e].due;
        if (!named && due != TSIM__NEVER && due > t->departure) continue;
        uint32_t nx = sim->ents[e].next;
        if (prev == TSIM__NIL) s->staged_head = nx;
        else sim->ents[prev].next = nx;
        if (s->staged_tail == e) s->staged_tail = prev;
        return e;
    }
    return TSIM__NIL;
}

/* Door `i`'s truck, loading orders and holding none: it loads the next staged order it takes,
 * or leaves if full or closing, or waits for orders. */
static void load_next(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i)
{
    struct door *dr = &AT(s, doors_off, struct door)[i];
    uint32_t e = dr->left > 0 ? take_staged(sim, s, tsim__desc(sim, b), &dr->truck) : TSIM__NIL;
    if (e != TSIM__NIL) {
        dr->pallet = e;
        tsim__schedule(sim, sim->now + draw_of(sim, s, tsim__desc(sim, b), K_LOAD), b, EV_LOADED,
                       i);
        return;
    }
    if (dr->left == 0 || dr->closing) depart(sim, b, s, i);
}

/* Door `i` takes truck `t`: its pallets, one draw each. */
static void start(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i,
                  const struct truck *t)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct door *dr = &AT(s, doors_off, struct door)[i];
    dr->truck = *t;
    dr->state = BUSY;
    if (t->rec != TSIM__NIL) {
        rec_of(s, t->rec)->start = sim->now;
        rec_of(s, t->rec)->where = TSIM__TRUCK_DOOR;
    }
    s->busy_doors++;
    tsim__area_in(&s->busy, sim->now, s->busy_doors);
    tsim__sum_add(&s->yard_wait, sim->now - t->t_arrive);
    if (t->outbound && d->val[K_LOADS].i == LOADS_ORDERS) {
        dr->left = t->pallets;
        dr->pallet = TSIM__NIL;
        dr->closing = t->departure <= sim->now;
        if (!dr->closing) tsim__schedule(sim, t->departure, b, EV_CLOSE, i);
        load_next(sim, b, s, i);
        return;
    }
    if (!t->outbound) {
        dr->left = t->pallets;
        tsim__schedule(sim, sim->now + draw_of(sim, s, d, K_UNLOAD), b, EV_PALLET, i);
        return;
    }
    int64_t dt = 0;
    for (uint32_t k = 0; k < t->pallets; k++) dt += draw_of(sim, s, d, K_LOAD);
    tsim__schedule(sim, sim->now + dt, b, EV_DONE, i);
}

/* Truck `t` is at the dock: at door `want` if that is free (-1: none asked for), else the
 * lowest-numbered free door that serves it, else in the yard, or turned away when that is full.
 * Returns 1 when it is not at door `want`. */
static int come(struct tsim_sim *sim, uint32_t b, struct dock *s, const struct truck *t, int want)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct door *dr = AT(s, doors_off, struct door);
    struct trec *r = t->rec != TSIM__NIL ? rec_of(s, t->rec) : NULL;
    if (r) r->arrive = t->t_arrive;
    uint32_t i = 0;
    if (want >= 0 && dr[want].state == IDLE) i = (uint32_t)want;
    else if (want < 0 && t->door >= 0)
        i = dr[t->door].state == IDLE ? (uint32_t)t->door : s->ndoors;
    else
        while (i < s->ndoors && (dr[i].state != IDLE || !serves(d, i, t->outbound))) i++;
    if (r && sim->obs) {
        struct tsim_obs o = {TSIM_OBS_TRUCK, tsim__time(sim, sim->now), (int)b,
                             i < s->ndoors ? (int)i : -1, 0, -1, t->rec,
                             tsim_block_content(sim, (int)b)};
        sim->obs(sim->obs_ctx, &o);
    }
    if (i < s->ndoors) {
        start(sim, b, s, i, t);
        return want >= 0 && i != (uint32_t)want;
    }
    if (s->yn == s->ycap) {
        s->turned_away++;
        if (r) {
            r->depart = sim->now;
            r->where = TSIM__TRUCK_GONE;
        }
        return want >= 0;
    }
    AT(s, yard_off, struct truck)[s->yn++] = *t;
    tsim__area_in(&s->yard_level, sim->now, s->yn);
    if (r) r->where = TSIM__TRUCK_YARD;
    return want >= 0;
}

/* The file's truck `k`, coming now. */
static struct truck file_truck(struct tsim_sim *sim, const struct tsim__block_desc *d, uint64_t k)
{
    struct truck t = {sim->now, TSIM__NEVER, TSIM__NEVER, (uint32_t)d->trucks.pallets[k],
                      d->trucks.outbound[k], (uint32_t)k, d->trucks.door ? d->trucks.door[k] : -1};
    if (isfinite(d->trucks.planned[k])) t.planned = tsim__ticks(sim, d->trucks.planned[k]);
    if (isfinite(d->trucks.departure[k])) t.departure = tsim__ticks(sim, d->trucks.departure[k]);
    if (names_orders(d, &t)) t.pallets = (uint32_t)d->trucks.named[k]; /* room for them all */
    return t;
}

static void arrive(struct tsim_sim *sim, uint32_t b, struct dock *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct truck t = {sim->now, TSIM__NEVER, TSIM__NEVER, 1, 0, TSIM__NIL, -1};
    if (d->trucks.n) {
        /* a truck the plant reported before its time has come already */
        const struct trec *rec = AT(s, rec_off, struct trec);
        while (s->next < s->nrec && rec[s->next].where != TSIM__TRUCK_TO_COME) s->next++;
        if (s->next == s->nrec) return;
        int64_t ta = tsim__ticks(sim, d->trucks.arrival[s->next]);
        if (ta > sim->now) { /* the one this event was for came early: wait for the next */
            tsim__schedule(sim, ta, b, EV_ARRIVE, 0);
            return;
        }
        t = file_truck(sim, d, s->next);
    } else {
        if (d->val[K_PALLETS].set) t.pallets = (uint32_t)d->val[K_PALLETS].i;
        t.outbound = d->val[K_DIRECTION].i == DIR_OUTBOUND;
    }
    s->next++;
    int64_t tn = next_arrival(sim, s, d);
    if (tn != TSIM__NEVER) tsim__schedule(sim, tn, b, EV_ARRIVE, 0);
    come(sim, b, s, &t, -1);
}

/* Door `i` is free: it takes the next truck of the yard, if any. */
static void next_truck(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (s->yn == 0) return;
    struct truck *y = AT(s, yard_off, struct truck);
    uint32_t k = s->yn; /* the truck it takes: none yet */
    for (uint32_t j = 0; j < s->yn; j++) {
        if (!serves(d, i, y[j].outbound) || (y[j].door >= 0 && (uint32_t)y[j].door != i))
            continue;
        if (k == s->yn) {
            k = j;
            if (d->val[K_YARD].i != YARD_APPOINTMENT) break;
            continue;
        }
        int64_t pj = y[j].planned != TSIM__NEVER ? y[j].planned : y[j].t_arrive;
        int64_t pk = y[k].planned != TSIM__NEVER ? y[k].planned : y[k].t_arrive;
        if (pj < pk) k = j;
    }
    if (k == s->yn) return; /* none it serves waits */
    struct truck t = y[k];
    /* O(yard) to keep arrival order: yards are short next to the work of a truck */
    memmove(&y[k], &y[k + 1], (s->yn - k - 1) * sizeof *y);
    s->yn--;
    tsim__area_out(&s->yard_level, sim->now);
    start(sim, b, s, i, &t);
}

/* Door `i`'s truck leaves, its work done. */
static void depart(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i)
{
    struct door *dr = &AT(s, doors_off, struct door)[i];
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct truck t = dr->truck;
    uint32_t loaded = t.pallets;
    s->done++;
    if (t.outbound && d->val[K_LOADS].i == LOADS_ORDERS) {
        loaded = t.pallets - dr->left;
        s->pallets_out += loaded;
        if (names_orders(d, &t)) {
            s->missed += dr->left; /* its orders it has not loaded, staged or not yet come */
        } else {
            /* the orders it leaves behind that were due by its departure, unless an earlier
             * truck already missed them */
            for (uint32_t e = s->staged_head; e != TSIM__NIL; e = sim->ents[e].next) {
                int64_t due = sim->ents[e].due;
                s->missed += due != TSIM__NEVER && due <= t.departure && due > s->cut &&
                             truck_naming(sim, d, e) < 0;
            }
            if (t.departure > s->cut) s->cut = t.departure;
        }
    } else if (t.outbound) {
        s->pallets_out += t.pallets;
    }
    s->late += sim->now > t.departure;
    if (t.rec != TSIM__NIL) {
        struct trec *r = rec_of(s, t.rec);
        r->depart = sim->now;
        r->where = TSIM__TRUCK_GONE;
        r->loaded = loaded;
        r->full = loaded >= t.pallets;
        r->late = sim->now > t.departure;
    }
    tsim__sum_add(&s->turnaround, sim->now - t.t_arrive);
    dr->state = IDLE;
    s->busy_doors--;
    tsim__area_out(&s->busy, sim->now);
    next_truck(sim, b, s, i);
}

/* Door `i` hands its pallet `e` on; 0 if refused (the door holds it, BLOCKED). Then the next
 * pallet, or the truck leaves. */
static int hand_on(struct tsim_sim *sim, uint32_t b, struct dock *s, uint32_t i, uint32_t e)
{
    struct door *dr = &AT(s, doors_off, struct door)[i];
    if (!tsim__send_leave(sim, b, e)) {
        dr->pallet = e;
        dr->state = BLOCKED;
        return 0;
    }
    dr->pallet = TSIM__NIL;
    dr->state = BUSY;
    s->pallets_in++;
    if (dr->left > 0)
        tsim__schedule(sim, sim->now + draw_of(sim, s, tsim__desc(sim, b), K_UNLOAD), b,
                       EV_PALLET, i);
    else
        depart(sim, b, s, i);
    return 1;
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct dock *s = tsim__state(sim, b);
    if (kind == EV_ARRIVE) {
        arrive(sim, b, s);
    } else if (kind == EV_LOADED) { /* an order is on the truck: it leaves the system */
        struct door *dr = &AT(s, doors_off, struct door)[arg];
        uint32_t e = dr->pallet;
        dr->pallet = TSIM__NIL;
        dr->left--;
        s->orders_loaded++;
        tsim__note_leave(sim, b, e);
        tsim__complete(sim, e);
        tsim__entity_dispose(sim, e);
        load_next(sim, b, s, arg);
    } else if (kind == EV_CLOSE) {
        /* a truck that left early, full, may have given its door to another: this event is
         * that one's only if its departure is now (and then closing it is right anyway) */
        struct door *dr = &AT(s, doors_off, struct door)[arg];
        if (dr->state == BUSY && dr->truck.outbound && !dr->closing &&
            dr->truck.departure == sim->now) {
            dr->closing = 1;
            if (dr->pallet == TSIM__NIL) depart(sim, b, s, arg);
        }
    } else if (kind == EV_DONE) {
        depart(sim, b, s, arg);
    } else { /* a pallet is off the truck */
        const struct tsim__block_desc *d = tsim__desc(sim, b);
        AT(s, doors_off, struct door)[arg].left--;
        uint32_t e = tsim__entity_new(sim, pallet_product(sim, s, d, arg));
        tsim__entity_enter_system(sim, e);
        tsim__note_enter(sim, b, e);
        hand_on(sim, b, s, arg, e);
    }
}

/* `loads: orders`: order `e` is staged, and an idle loading truck that takes it starts on it. */
static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct dock *s = tsim__state(sim, b);
    tsim__note_enter(sim, b, e);
    int64_t due = sim->ents[e].due;
    /* a named order comes too late for its truck: counted when the truck left */
    s->missed +=
        due != TSIM__NEVER && due <= s->cut && truck_naming(sim, tsim__desc(sim, b), e) < 0;
    sim->ents[e].next = TSIM__NIL;
    if (s->staged_tail == TSIM__NIL) s->staged_head = e;
    else sim->ents[s->staged_tail].next = e;
    s->staged_tail = e;
    struct door *dr = AT(s, doors_off, struct door);
    for (uint32_t i = 0; i < s->ndoors; i++) {
        /* a truck waiting for orders had none staged that it takes: only `e` may be */
        if (dr[i].state == BUSY && dr[i].truck.outbound && dr[i].pallet == TSIM__NIL &&
            tsim__desc(sim, b)->val[K_LOADS].i == LOADS_ORDERS) {
            load_next(sim, b, s, i);
            if (dr[i].pallet == e) break;
        }
    }
    return 1;
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct dock *s = tsim__state(sim, b);
    struct door *dr = AT(s, doors_off, struct door);
    for (uint32_t i = 0; i < s->ndoors; i++)
        if (dr[i].state == BLOCKED && !hand_on(sim, b, s, i, dr[i].pallet)) break;
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct dock *s = tsim__state(sim, b);
    tsim__area_restart(&s->yard_level, sim->now, s->yn);
    tsim__area_restart(&s->busy, sim->now, s->busy_doors);
    s->done = s->late = s->pallets_in = s->pallets_out = s->turned_away = 0;
    s->orders_loaded = s->missed = 0;
    s->turnaround = s->yard_wait = (struct tsim__sum){0, 0};
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct dock *s = tsim__state(sim, b);
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "trucks", (double)s->done);
    tsim_result_add(r, (int)b, "turnaround", tsim__sum_mean(sim, &s->turnaround));
    tsim_result_add(r, (int)b, "yard_wait", tsim__sum_mean(sim, &s->yard_wait));
    tsim_result_add(r, (int)b, "trucks_waiting",
                    tsim__area_mean(&s->yard_level, sim->now, s->yn));
    tsim_result_add(r, (int)b, "door_utilization",
                    tsim__area_mean(&s->busy, sim->now, s->busy_doors) / s->ndoors);
    tsim_result_add(r, (int)b, "late_departures", (double)s->late);
    tsim_result_add(r, (int)b, "pallets_unloaded", (double)s->pallets_in);
    tsim_result_add(r, (int)b, "pallets_loaded", (double)s->pallets_out);
    tsim_result_add(r, (int)b, "turned_away", (double)s->turned_away);
    tsim_result_add(r, (int)b, "orders_loaded", (double)s->orders_loaded);
    tsim_result_add(r, (int)b, "orders_missed", (double)s->missed);
}

static const struct tsim__block_vt dock_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
};

void tsim__trucks_release(struct tsim__trucks *t)
{
    tsim__free(t->arrival);
    tsim__free(t->planned);
    tsim__free(t->departure);
    tsim__free(t->pallets);
    tsim__free(t->outbound);
    tsim__free(t->door);
    tsim__free(t->product);
    for (int i = 0; t->id && i < t->n; i++) tsim__free(t->id[i]);
    tsim__free(t->id);
    for (int i = 0; t->orders && i < t->n; i++) tsim__free(t->orders[i]);
    tsim__free(t->orders);
    tsim__free(t->orders_line);
    tsim__free(t->orders_col);
    tsim__free(t->named);
    tsim__free(t->shown);
    tsim__free(t->truck_of);
    tsim__names_release(&t->ids);
    memset(t, 0, sizeof *t);
    t->order_block = -1;
}

void tsim__trucks_index(struct tsim__trucks *t)
{
    tsim__names_release(&t->ids);
    for (int k = 0; k < t->n; k++) tsim__names_put(&t->ids, t->id, k + 1, k);
}

/* The live twin's view (dock.h) ------------------------------------------------------------ */

int tsim__dock_is(const struct tsim_model *m, int block)
{
    return block >= 0 && block < m->nblocks &&
           strcmp(tsim_block_type_name(m->blocks[block].type), "dock") == 0;
}

int tsim__dock_loads_orders(const struct tsim_model *m, int block)
{
    return tsim__dock_is(m, block) && m->blocks[block].val &&
           m->blocks[block].val[K_LOADS].i == LOADS_ORDERS;
}

/* The appointment of truck `id`, or -1: through the ids' hash table (tsim__trucks_index). */
static int find_file_truck(const struct tsim__block_desc *d, const char *id)
{
    if (d->trucks.n == 0) return -1;
    int k = tsim__names_find(&d->trucks.ids, d->trucks.id, id);
    return k >= 0 ? k : -1;
}

int tsim__dock_check_arrival(const struct tsim_model *m, int block, const char *id, int outbound,
                             int door, char *err, size_t errlen)
{
    if (!tsim__dock_is(m, block)) {
        snprintf(err, errlen, "block '%s' (a '%s' block) has no trucks: only docks do",
                 m->blocks[block].name, tsim_block_type_name(m->blocks[block].type));
        return -1;
    }
    const struct tsim__block_desc *d = &m->blocks[block];
    const char *dir = outbound ? "outbound" : "inbound";
    int k = find_file_truck(d, id);
    if (k >= 0 && d->trucks.outbound[k] != outbound) {
        snprintf(err, errlen, "truck '%s' is %s in the appointments of dock '%s', not %s", id,
                 outbound ? "inbound" : "outbound", d->name, dir);
        return -1;
    }
    if (door >= 0 && door >= d->val[K_DOORS].i) {
        snprintf(err, errlen, "dock '%s' has no door %d (its doors are 1 to %lld)", d->name,
                 door + 1, d->val[K_DOORS].i);
        return -1;
    }
    if (door >= 0 && !serves(d, (uint32_t)door, (uint32_t)outbound)) {
        snprintf(err, errlen, "door %d of dock '%s' serves only %s trucks", door + 1, d->name,
                 outbound ? "inbound" : "outbound");
        return -1;
    }
    uint32_t i = 0;
    while (i < (uint32_t)d->val[K_DOORS].i && !serves(d, i, (uint32_t)outbound)) i++;
    if (i == (uint32_t)d->val[K_DOORS].i) { /* it would wait in the yard for ever */
        snprintf(err, errlen, "dock '%s' has no door for %s trucks", d->name, dir);
        return -1;
    }
    return 0;
}

static uint32_t *live_slots(struct dock *s) { return (uint32_t *)(lives(s) + s->live_cap); }

/* The added truck `id`, or TSIM__NIL. */
static uint32_t live_find(struct dock *s, const char *id)
{
    if (s->live_cap == 0) return TSIM__NIL;
    const uint32_t *slot = live_slots(s);
    uint32_t mask = 2 * s->live_cap - 1;
    for (uint32_t h = (uint32_t)tsim__fnv1a_str(id) & mask;; h = (h + 1) & mask) {
        if (slot[h] == TSIM__NIL || strcmp(lives(s)[slot[h]].id, id) == 0) return slot[h];
    }
}

/* Index added truck `j` by its id (not there yet). */
static void live_put(struct dock *s, uint32_t j)
{
    uint32_t *slot = live_slots(s), mask = 2 * s->live_cap - 1;
    uint32_t h = (uint32_t)tsim__fnv1a_str(lives(s)[j].id) & mask;
    while (slot[h] != TSIM__NIL) h = (h + 1) & mask;
    slot[h] = j;
}

/* Room for one more added truck at dock `b`: twice the room (16 at first), grown in place when
 * it ends the arena, else moved to the arena's end (the old room stays unused until a reset).
 * Returns the dock's state, which may have moved, or NULL when the arena would be too large. */
static struct dock *live_room(struct tsim_sim *sim, uint32_t b)
{
    struct dock *s = tsim__state(sim, b);
    if (s->nlive < s->live_cap) return s;
    uint32_t cap = s->live_cap ? 2 * s->live_cap : 16;
    size_t at = sim->off[b] + s->live_off; /* in the arena */
    if (s->live_off && at + LIVE_BYTES(s->live_cap) == sim->arena_size) {
        if (!tsim__arena_add(sim, LIVE_BYTES(cap) - LIVE_BYTES(s->live_cap))) return NULL;
        s = tsim__state(sim, b);
    } else {
        at = tsim__arena_add(sim, LIVE_BYTES(cap));
        if (!at) return NULL;
        s = tsim__state(sim, b);
        if (s->nlive) memcpy(sim->arena + at, lives(s), s->nlive * sizeof(struct live));
        s->live_off = at - sim->off[b];
    }
    s->live_cap = cap; /* the ids' table anew, after the records */
    memset(live_slots(s), 0xff, 2 * (size_t)cap * sizeof(uint32_t));
    for (uint32_t j = 0; j < s->nlive; j++) live_put(s, j);
    return s;
}

/* Add truck `id`'s record (come at none of its times yet) to dock `b`: its number, or -1 with
 * the reason in `err`. The dock's state may move (live_room). */
static int live_add(struct tsim_sim *sim, uint32_t b, const char *id, int outbound,
                    int64_t pallets, char *err, size_t errlen)
{
    const char *name = tsim__desc(sim, b)->name;
    struct dock *s = tsim__state(sim, b);
    if (s->nlive == TSIM__DOCK_LIVE_MAX) {
        snprintf(err, errlen,
                 "dock '%s' has recorded %d trucks that its appointments do not know, the most "
                 "it keeps",
                 name, TSIM__DOCK_LIVE_MAX);
        return -1;
    }
    s = live_room(sim, b);
    if (!s) {
        snprintf(err, errlen,
                 "dock '%s' has no room for another truck that its appointments do not know: "
                 "the sim's state would pass %zu bytes",
                 name, TSIM__ARENA_MAX);
        return -1;
    }
    uint32_t j = s->nlive++;
    struct live *x = &lives(s)[j];
    snprintf(x->id, sizeof x->id, "%s", id);
    x->r = (struct trec){TSIM__NEVER, TSIM__NEVER, TSIM__NEVER, TSIM__NEVER, (uint32_t)pallets,
                         0, 0, (unsigned char)(outbound != 0), TSIM__TRUCK_TO_COME, 0, 0};
    live_put(s, j);
    return (int)(s->nrec + j);
}

int tsim__dock_arrive(struct tsim_sim *sim, int block, const char *id, int outbound,
                      int64_t pallets, int door, double depart, char *err, size_t errlen)
{
    struct dock *s = tsim__state(sim, (uint32_t)block);
    const struct tsim__block_desc *d = tsim__desc(sim, (uint32_t)block);
    int k = find_file_truck(d, id);
    if (k < 0) {
        uint32_t j = live_find(s, id);
        if (j != TSIM__NIL) k = (int)(s->nrec + j);
    }
    const struct trec *was = k >= 0 ? rec_of(s, (uint32_t)k) : NULL;
    /* The sim brought it at this very instant (a twin that follows a plant running the same
     * model): the plant agrees, nothing to do. */
    if (was && was->where != TSIM__TRUCK_TO_COME && was->arrive == sim->now) return 0;
    if (was && was->where != TSIM__TRUCK_TO_COME) {
        snprintf(err, errlen, "truck '%s' came to dock '%s' already, at %g", id, d->name,
                 tsim__time(sim, was->arrive));
        return -1;
    }
    if (pallets < 1 || pallets > 1000000 || strlen(id) >= TSIM__DOCK_ID_LEN) {
        snprintf(err, errlen, "truck '%s' with %lld pallets cannot come to dock '%s'", id,
                 (long long)pallets, d->name);
        return -1;
    }
    struct truck t = {sim->now, TSIM__NEVER, TSIM__NEVER, (uint32_t)pallets, outbound != 0, 0,
                      -1};
    if (k >= 0) {
        t = file_truck(sim, d, (uint64_t)k);
        if (!names_orders(d, &t)) t.pallets = (uint32_t)pallets; /* else room for its orders */
    } else {
        k = live_add(sim, (uint32_t)block, id, outbound, pallets, err, errlen);
        if (k < 0) return -1;
        s = tsim__state(sim, (uint32_t)block);
    }
    struct trec *r = rec_of(s, (uint32_t)k);
    r->pallets = t.pallets;
    if (depart >= 0) { /* the plant's latest planned departure: on time means by it */
        t.departure = tsim__ticks(sim, depart);
        r->due_out = t.departure;
    }
    t.rec = (uint32_t)k;
    return come(sim, (uint32_t)block, s, &t, door);
}

int tsim__dock_trucks(const struct tsim_sim *sim, int block)
{
    const struct dock *s = tsim__state(sim, (uint32_t)block);
    return (int)(s->nrec + s->nlive);
}

void tsim__dock_truck(const struct tsim_sim *sim, int block, int k, struct tsim__dock_truck *out)
{
    struct dock *s = tsim__state(sim, (uint32_t)block);
    const struct tsim__block_desc *d = tsim__desc(sim, (uint32_t)block);
    const struct trec *r = rec_of(s, (uint32_t)k);
    /* a time not yet is negative */
#define T(x) ((x) == TSIM__NEVER ? -1.0 : tsim__time(sim, (x)))
    *out = (struct tsim__dock_truck){
        (uint32_t)k < s->nrec ? d->trucks.id[k] : lives(s)[(uint32_t)k - s->nrec].id,
        r->outbound,
        (enum tsim__truck_where)r->where,
        T(r->arrive),
        T(r->start),
        T(r->depart),
        T(r->due_out),
        r->planned,
        r->pallets,
        r->loaded,
        r->full,
        r->late};
#undef T
}

/* The descriptor ---------------------------------------------------------------------------- */

/* A check's error, reported at key `k` of the dock when the file gives it (else at the block). */
#define fail_at(k, ...)                                                                            \
    (tsim__model_blame_key(m, d->index, (k)), tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__))

/* Of keys `k1` and `k2` of dock `d`, the second when the file gives it, else the first. */
static int written(const struct tsim__block_desc *d, int k1, int k2)
{
    return d->val[k2].set ? k2 : k1;
}

static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    int orders = d->val[K_LOADS].i == LOADS_ORDERS;
    if (d->indegree > 0 && !orders)
        return fail_at(K_LOADS, "dock '%s' takes entities only with 'loads: orders' (the orders "
                       "its outbound trucks load)", d->name);
    if (!orders && d->trucks.named)
        for (int k = 0; k < d->trucks.n; k++)
            if (d->trucks.named[k])
                return fail_at(written(d, K_APPOINTMENTS, K_LOADS), "dock '%s': truck '%s' of its "
                               "appointments names orders, which only a dock with 'loads: "
                               "orders' loads", d->name, d->trucks.id[k]);
    if (orders) {
        if (!d->trucks.n)
            return fail_at(K_LOADS, "dock '%s' loads orders, which needs an 'appointments_file' "
                           "whose outbound trucks have a departure", d->name);
        for (int k = 0; k < d->trucks.n; k++)
            if (d->trucks.outbound[k] && !isfinite(d->trucks.departure[k]))
                return fail_at(K_APPOINTMENTS, "dock '%s' loads orders, but an outbound truck "
                               "arriving at %g has no departure", d->name, d->trucks.arrival[k]);
    }
    long long in = d->val[K_INBOUND_DOORS].set ? d->val[K_INBOUND_DOORS].i : 0;
    long long out = d->val[K_OUTBOUND_DOORS].set ? d->val[K_OUTBOUND_DOORS].i : 0;
    if (in + out > d->val[K_DOORS].i)
        return fail_at(written(d, K_INBOUND_DOORS, K_OUTBOUND_DOORS), "dock '%s' has %lld inbound "
                       "and %lld outbound doors, more than its %lld 'doors'", d->name, in, out,
                       d->val[K_DOORS].i);
    /* a truck's door, read against the doors the dock had then: 'doors' may have changed since
     * (an experiment's factor) */
    for (int k = 0; d->trucks.door && k < d->trucks.n; k++) {
        int32_t door = d->trucks.door[k];
        int none = door >= d->val[K_DOORS].i;
        if (door >= 0 && (none || !serves(d, (uint32_t)door, d->trucks.outbound[k])))
            return fail_at(none ? K_DOORS : door < in ? K_INBOUND_DOORS : K_OUTBOUND_DOORS,
                           "dock '%s': truck '%s' of its appointments is for door %d, which %s",
                           d->name, d->trucks.id[k], door + 1,
                           none ? "it does not have" : "does not serve its direction");
    }
    /* a truck no door serves would wait for ever */
    int no_in = out == d->val[K_DOORS].i, no_out = in == d->val[K_DOORS].i;
    for (int k = 0; k < (d->trucks.n ? d->trucks.n : 1); k++) {
        int outbound = d->trucks.n ? d->trucks.outbound[k] : d->val[K_DIRECTION].i == DIR_OUTBOUND;
        if (outbound ? no_out : no_in)
            return fail_at(outbound ? K_INBOUND_DOORS : K_OUTBOUND_DOORS,
                           "dock '%s' has no door for %s trucks (all its doors are %s)", d->name,
                           outbound ? "outbound" : "inbound",
                           outbound ? "'inbound_doors'" : "'outbound_doors'");
    }
    int file = d->trucks.n > 0, drawn = d->val[K_INTERARRIVAL].set;
    if (file == drawn) /* neither given is at the block; both, at the one too many */
        return fail_at(K_INTERARRIVAL, "dock '%s' needs one of 'appointments_file' and "
                       "'interarrival'%s", d->name, file ? ", not both" : "");
    if (drawn && !d->val[K_LIMIT].set && tsim_dist_mean(&d->val[K_INTERARRIVAL].d) <= 0)
        return fail_at(K_INTERARRIVAL, "'interarrival' of dock '%s' has mean 0 and no 'limit', so "
                       "it never ends", d->name);
    return 0;
}
#undef fail_at

static const char *const yards[] = {"fifo", "appointment", NULL};
static const char *const directions[] = {"inbound", "outbound", NULL};
static const char *const loads[] = {"pallets", "orders", NULL};

static const struct tsim__key keys[] = {
    [K_DOORS] = {"doors", TSIM__KEY_INT, TSIM__KEY_REQUIRED, 1, 100000, .dflt = "required",
                 .help = "dock doors"},
    [K_APPOINTMENTS] = {"appointments_file", TSIM__KEY_FORM, 0, .dflt = "none",
                        .help = "a CSV file of the trucks that come"},
    [K_INTERARRIVAL] = {"interarrival", TSIM__KEY_DIST, 0, .dflt = "none",
                        .help = "time between trucks, without an appointments file"},
    [K_PALLETS] = {"pallets", TSIM__KEY_INT, 0, 1, 1000000, .dflt = "1",
                   .help = "pallets of each drawn truck"},
    [K_DIRECTION] = {"direction", TSIM__KEY_CHOICE, 0, .choices = directions,
                     .noun = "direction", .dflt = "inbound",
                     .help = "what drawn trucks do: `inbound` (unload) or `outbound` (load)"},
    [K_LIMIT] = {"limit", TSIM__KEY_INT, 0, 1, TSIM__CAPACITY_MAX, .dflt = "none",
                 .help = "drawn trucks at most"},
    [K_UNLOAD] = {"unload", TSIM__KEY_DIST, 0, .dflt = "0", .help = "time to unload a pallet"},
    [K_LOAD] = {"load", TSIM__KEY_DIST, 0, .dflt = "0", .help = "time to load a pallet"},
    [K_YARD] = {"yard", TSIM__KEY_CHOICE, 0, .choices = yards, .noun = "yard rule",
                .dflt = "fifo",
                .help = "which waiting truck a free door takes: `fifo` or by `appointment`"},
    [K_YARD_CAPACITY] = {"yard_capacity", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX,
                         .dflt = "10000", .help = "trucks that may wait; one more is turned away"},
    [K_PRODUCT] = {"product", TSIM__KEY_PRODUCT, TSIM__KEY_BY_PRODUCT,
                   .dflt = "the first product",
                   .help = "the product of unloaded pallets, or a mix {PRODUCT: probability, ...} "
                           "each pallet is drawn from (a truck's `product` in its appointment "
                           "comes first)"},
    [K_LOADS] = {"loads", TSIM__KEY_CHOICE, 0, .choices = loads, .noun = "load",
                 .dflt = "pallets",
                 .help = "what outbound trucks load: `pallets` (times only) or the `orders` "
                         "routed to the dock"},
    [K_INBOUND_DOORS] = {"inbound_doors", TSIM__KEY_INT, 0, 0, 100000, .dflt = "0",
                         .help = "the first doors, serving inbound trucks only"},
    [K_OUTBOUND_DOORS] = {"outbound_doors", TSIM__KEY_INT, 0, 0, 100000, .dflt = "0",
                          .help = "the next doors, serving outbound trucks only"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route of unloaded pallets"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {
    "entered", "left", "throughput", "content", "trucks", "turnaround", "yard_wait",
    "trucks_waiting", "door_utilization", "late_departures", "pallets_unloaded",
    "pallets_loaded", "turned_away", "orders_loaded", "orders_missed", NULL};

const struct tsim__block_type tsim__dock_type = {
    .name = "dock",
    .help = "doors where trucks from appointments or drawn arrivals unload or load pallets",
    .keys = keys,
    .kpis = kpis,
    .vt = &dock_vt,
    .flags = TSIM__TYPE_ORIGIN | TSIM__TYPE_DISPOSES, /* orders leave in trucks */
    .check = check,
};
