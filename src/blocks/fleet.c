/*
 * Fleet: `count` vehicles (AGVs, AMRs, forklifts) that carry entities, one per trip, over the
 * model's path network. An entity that enters the fleet is a transport request from the node of
 * the block that sent it (its pickup: the flow says who sends, sim->from) to the node of the
 * block the fleet's route chooses for it (the drop). The fleet block stands at the vehicles'
 * home node.
 *
 * Dispatching: a new request goes to the nearest idle vehicle (least empty travel time to its
 * pickup; the lowest number among equals); with none idle it waits, and a vehicle that becomes
 * idle takes a waiting request, whatever its pickup: the highest `priority` (by product), then
 * by `request_choice` the oldest or the nearest (take_for). A vehicle's trip: empty travel to
 * the pickup, loading, the route's choice of destination, loaded travel, unloading, the hand-over
 * (blocked while the destination refuses). Then it takes a waiting request, or, with
 * none, stays where it is (`idle: stay`) or drives home (`idle: home`, and it takes requests
 * again once home).
 *
 * Several blocks may send to a fleet: each node they stand at is a pickup place, shared by the
 * blocks at that node. A request from outside the flow (tsim_block_inject) is picked up at the
 * first pickup.
 *
 * Zone control (a network with node or segment capacities): vehicles drive node by node and
 * wait for the nodes and segments ahead; zone.c holds it, with the deadlock search (zone.h).
 *
 * Failures (`failures_between`, or the plant's reports): a vehicle stops where it is, FAILED,
 * its step paused until its repair (fleet_fail.c).
 *
 * Invariants: requests wait, oldest first, on the list head..tail (`nwait` of them), each with
 * its pickup place in its `dest` (given back as -1 when a vehicle takes it), and while one waits
 * no vehicle is IDLE; a vehicle has at most one pending event of its own (and, with failures,
 * one of its failure clock: EV_FAIL or EV_REPAIRED), its timed step's in `ev`; a vehicle holds an
 * entity (`ent`) from LOADING to the end of its hand-over, and with `capacity` above 1 its other
 * loads on `aboard` (each with its destination block in its `dest`), never while it is free;
 * `place` is the place (an index into the fleet's tsim__net_paths) where the vehicle is, or
 * where its current leg started; zone.c states those of zone control. The state (struct fleet, struct vehicle) is in zone.h.
 *
 * Its parameters are in the block's value table (registry.h), in the order of `keys` below. Its
 * report and the live twin's read-only queries are fleet_report.c's, its failures fleet_fail.c's,
 * the storage it serves fleet_task.c's, and what the live twin tells it fleet_live.c's.
 */
#include "blocks/charger.h"
#include "blocks/fleet.h"
#include "blocks/network.h"
#include "blocks/sim.h"
#include "blocks/fleet_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)K_COUNT == (int)TSIM__FLEET_K_COUNT &&
                   (int)K_BATTERY == (int)TSIM__FLEET_K_BATTERY,
               "fleet.h reads `count` and `battery` at these places");
_Static_assert((int)K_COUNT == (int)TSIM__STORSERVE_FLEET_COUNT,
               "storserve.c reads `count` at this place");

/* The vehicles, the zone arrays, then (serving storage) a waiting time per storage served. */
static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    size_t n = (size_t)d->val[K_COUNT].i, size = sizeof(struct fleet) + n * sizeof(struct vehicle);
    size = zoned(m) ? size + tsim__zone_size(m->net, n) : size;
    size_t ntask = (size_t)tsim__fleet_task_places(m, d->index, NULL);
    return ntask ? ((size + 7) & ~(size_t)7) + ntask * sizeof(int64_t) : size;
}

static int64_t travel(struct tsim_sim *sim, const struct fleet *s, int loaded, int from, int to)
{
    const double *t = loaded ? s->paths->loaded : s->paths->empty;
    return tsim__ticks(sim, t[from * s->paths->nplaces + to]);
}


/* An IDLE vehicle i with `charge_idle_below` draws on: its EV_IDLE_LOW when its charge falls
 * below it (at once when it is below already). A background event, so that vehicles waiting for
 * work do not keep a run without a horizon going. */
void tsim__fleet_idle_timer(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    double low = charge_idle_below(tsim__desc(sim, b)) * s->cap;
    if (low <= 0 || s->rate[IDLE] >= 0) return;
    double dt = v->level > low ? ceil((v->level - low) / -s->rate[IDLE]) : 0;
    v->timer = tsim__cal_push_block(&sim->cal, v->lvl_at + (int64_t)dt, b, EV_IDLE_LOW | TSIM__BG,
                                    i);
}

static void arrived(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
static void vehicle_free(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);

/* What zone control asks of the fleet (zone.h). */
static void arc_draw(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, double length,
                     int64_t dt);
static const struct tsim__zone_hooks zone_hooks = {
    .fail_due = tsim__fleet_fail_due,
    .arc_draw = arc_draw,
    .enter = set_state,
    .leg_done = arrived,
    .charger = tsim__fleet_charger_at,
};

/* The battery's other spellings, after the kWh and kW ones are set: a draw per length driven
 * (`draw_empty_per_length`, `draw_loaded_per_length`, in kWh per length unit) is kept per length
 * (`per_len`): a vehicle's rate while it drives is that x the length of its leg (or, with zones,
 * its arc) over the leg's time (drive_draw, arc_draw), so each leg takes exactly its length's
 * draw, on slowed segments and with acceleration too. The state's `rate` holds it at the fleet's
 * top speed, which only a charger's estimate of a vehicle's charge on arrival reads when no leg
 * has begun. With `battery_unit: Ah` the capacity is in Ah and the draws and `charge_rate` in A
 * (Ah per length unit): all are brought to kWh and kW at the `voltage`, V / 1000. */
static void battery_units(const struct tsim_sim *sim, const struct tsim__block_desc *d,
                          struct fleet *s)
{
    if (d->val[K_DRAW_EMPTY_LEN].set) {
        s->per_len[0] = d->val[K_DRAW_EMPTY_LEN].r;
        s->by_len[TO_PICKUP] = s->by_len[TO_HOME] = s->by_len[TO_CHARGER] = 1;
        s->rate[TO_PICKUP] = s->rate[TO_HOME] = s->rate[TO_CHARGER] =
            -s->per_len[0] * s->paths->speed_empty / sim->tpu;
    }
    if (d->val[K_DRAW_LOADED_LEN].set) {
        s->per_len[1] = d->val[K_DRAW_LOADED_LEN].r;
        s->by_len[LOADED] = 1;
        s->rate[LOADED] = -s->per_len[1] * s->paths->speed_loaded / sim->tpu;
    }
    if (!d->val[K_BATTERY_UNIT].set || d->val[K_BATTERY_UNIT].i != UNIT_AH) return;
    double kv = d->val[K_VOLTAGE].r / 1000;
    s->cap *= kv;
    for (int k = 0; k < NSTATES; k++) s->rate[k] *= kv;
    s->per_len[0] *= kv;
    s->per_len[1] *= kv;
}

/* With a draw per length: vehicle i, its charge up to now, drives `length` in `dt` ticks. */
static void drive_draw(struct fleet *s, uint32_t i, double length, int64_t dt)
{
    struct vehicle *v = &s->v[i];
    v->drate = dt > 0 ? -s->per_len[v->drive == LOADED] * length / (double)dt : 0;
}

/* Zone control's hook: vehicle i enters an arc `length` long that takes `dt` ticks. */
static void arc_draw(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, double length,
                     int64_t dt)
{
    charge_now(sim, b, s, i);
    drive_draw(s, i, length, dt);
}

/* The dispatching rule of fleet block `b`: `request_choice` and the priorities by product. */
static void dispatch_init(struct tsim_sim *sim, uint32_t b, struct fleet *s)
{
    const struct tsim__network *net = sim->m->net;
    const struct tsim__net_fleet *ff = (int)b < net->nfleet ? net->fleet[b] : NULL;
    s->nearest = tsim__desc(sim, b)->val[K_REQUEST_CHOICE].i == RC_NEAREST;
    s->prio = ff ? ff->prio : NULL;
    s->nprio = ff ? ff->nprio : 0;
    s->park_cap = ff ? ff->park_cap : NULL;
    s->carry = ff ? ff->carry : NULL;
    s->ncarry = ff ? ff->ncarry : 0;
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct fleet *s = fleet_of(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->head = s->tail = TSIM__NIL;
    s->nveh = (uint32_t)d->val[K_COUNT].i;
    s->loads = loads_of(d);
    dispatch_init(sim, b, s);
    s->paths = sim->m->net->paths[b]; /* found by check, which validation ran */
    int home = s->paths->place[P_HOME];
    for (uint32_t i = 0; i < s->nveh; i++)
        s->v[i] = (struct vehicle){.state = IDLE, .place = P_HOME, .to_place = P_HOME,
                                   .pick = P_PICKUP, .since = sim->now, .ent = TSIM__NIL,
                                   .aboard = TSIM__NIL, .dest = -1,
                                   .node = home, .arc = -1, .back = -1, .drive = IDLE,
                                   .wnext = TSIM__NIL, .ev_kind = -1};
    tsim__area_restart(&s->waiting, sim->now, 0);
    s->first_chg = 1 + d->route.n + s->paths->npick;
    s->within = deliver_within(sim, d);
    s->battery = d->val[K_BATTERY].set;
    if (s->battery) {
        /* kW to kWh per tick: a time unit is 1 / units_per_hour hours, of tpu ticks. */
        double per_tick = 1 / (tsim__units_per_hour(sim->m) * sim->tpu);
        s->cap = d->val[K_BATTERY].r;
        for (int k = 0; k < NSTATES; k++) s->rate[k] = -d->val[K_DRAW_IDLE].r * per_tick;
        s->rate[TO_PICKUP] = s->rate[TO_HOME] = s->rate[TO_CHARGER] =
            -d->val[K_DRAW_EMPTY].r * per_tick;
        s->rate[LOADED] = -d->val[K_DRAW_LOADED].r * per_tick;
        s->rate[CHARGING] = d->val[K_CHARGE_RATE].r * per_tick;
        battery_units(sim, d, s);
        for (uint32_t i = 0; i < s->nveh; i++) s->v[i].level = s->cap, s->v[i].lvl_at = sim->now;
        s->lvl_min = s->cap;
        for (uint32_t i = 0; i < s->nveh; i++) tsim__fleet_idle_timer(sim, b, s, i);
    }
    s->failing = d->val[K_FAIL_BETWEEN].set;
    if (s->failing)
        for (uint32_t i = 0; i < s->nveh; i++) tsim__fleet_next_failure(sim, b, s, i);
    s->zoned = zoned(sim->m);
    if (!s->zoned) return;
    s->net = sim->m->net;
    s->back_off = d->val[K_DEADLOCK].i == DL_BACK_OFF;
    s->hooks = &zone_hooks;
    tsim__zone_init(s, home);
}


static void start_loading(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct vehicle *v = &s->v[i];
    v->place = v->pick;
    tsim__sum_add(&s->wait, sim->now - sim->ents[v->ent].t_in);
    set_state(sim, b, s, i, LOADING);
    int64_t dt = d->val[K_LOAD].set ? tsim__draw(sim, &d->val[K_LOAD].d, &s->h.rng[TSIM__RNG_MAIN]) : 0;
    tsim__vehicle_after(sim, b, s, i, dt, EV_LOADED);
}


/* Vehicle i drives its leg to place `to` in `state` (TO_PICKUP, LOADED or TO_HOME). */
static void drive(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int to, int state)
{
    struct vehicle *v = &s->v[i];
    v->to_place = to;
    v->drive = state;
    v->run = 0; /* each leg starts from standstill */
    set_state(sim, b, s, i, state);
    if (s->zoned && v->node != s->paths->place[to]) {
        tsim__zone_step(sim, b, s, i);
        return;
    }
    int64_t dt = travel(sim, s, state == LOADED, v->place, to); /* a leg of no length takes 0 */
    if (s->by_len[state]) {
        const double *len = state == LOADED ? s->paths->len_loaded : s->paths->len_empty;
        drive_draw(s, i, v->place == to ? 0 : len[v->place * s->paths->nplaces + to], dt);
    }
    tsim__vehicle_after(sim, b, s, i, dt, EV_ARRIVE);
}

/* Vehicle i (not moving, holding nothing) takes request `e`, whose `dest` holds its pickup. */
static void assign(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, uint32_t e)
{
    struct vehicle *v = &s->v[i];
    v->ent = e;
    v->pick = sim->ents[e].dest;
    sim->ents[e].dest = -1;
    if (v->place == v->pick) {
        start_loading(sim, b, s, i);
        return;
    }
    drive(sim, b, s, i, v->pick, TO_PICKUP);
}

/* Waiting request `e` (after `prev`, TSIM__NIL: the first) leaves the waiting list. */
static uint32_t unlink_request(struct tsim_sim *sim, struct fleet *s, uint32_t prev, uint32_t e)
{
    uint32_t next = sim->ents[e].next;
    if (prev == TSIM__NIL) s->head = next;
    else sim->ents[prev].next = next;
    if (s->tail == e) s->tail = prev;
    tsim__area_out(&s->waiting, sim->now);
    s->nwait--;
    return e;
}

static uint32_t take_oldest(struct tsim_sim *sim, struct fleet *s)
{
    return unlink_request(sim, s, TSIM__NIL, s->head);
}

/* The priority of request `e`: its product's in `priority`, 0 when that gives none. */
static int prio_of(const struct tsim_sim *sim, const struct fleet *s, uint32_t e)
{
    unsigned p = sim->ents[e].product;
    return s->prio && p < (unsigned)s->nprio ? s->prio[p] : 0;
}

/* The waiting request free vehicle i takes, off the waiting list: the highest priority, then by
 * `request_choice` the oldest, or the one whose pickup is nearest by empty travel from where the
 * vehicle is (the oldest among equals). One walk of the list; without priorities and with
 * `oldest`, the head. */
static uint32_t take_for(struct tsim_sim *sim, struct fleet *s, uint32_t i)
{
    if (!s->prio && !s->nearest) return take_oldest(sim, s);
    const double *row = s->paths->empty + s->v[i].place * s->paths->nplaces;
    uint32_t best = TSIM__NIL, best_prev = TSIM__NIL;
    int best_p = 0;
    double best_t = 0;
    for (uint32_t e = s->head, prev = TSIM__NIL; e != TSIM__NIL; prev = e, e = sim->ents[e].next) {
        int pr = prio_of(sim, s, e);
        double t = s->nearest ? row[sim->ents[e].dest] : 0;
        if (best == TSIM__NIL || pr > best_p || (pr == best_p && t < best_t)) {
            best = e;
            best_prev = prev;
            best_p = pr;
            best_t = t;
        }
    }
    return unlink_request(sim, s, best_prev, best);
}

/* Charging ---------------------------------------------------------------------------------- */


/* Vehicle i (free, holding nothing) drives to charge, to the charger its fleet's
 * `charger_choice` picks (fleet_charge.c); home when the model has no charger. */
void tsim__fleet_go_charge(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    drive(sim, b, s, i, tsim__fleet_charger_for(sim, s, i), TO_CHARGER);
}

/* Vehicle i, CHARGING with its charge brought up to now, reaches `charge_until` at its
 * EV_CHARGED, whose handle it keeps in `timer` (a reported charge moves it: fleet_live.c). */
void tsim__fleet_charge_end(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    double need = charge_until(tsim__desc(sim, b)) * s->cap - v->level;
    v->timer = tsim__schedule(sim, sim->now + (need > 0 ? (int64_t)ceil(need / s->rate[CHARGING])
                                                        : 0),
                              b, EV_CHARGED, i);
}

/* Vehicle i has its charging point (at home: always): it charges to `charge_until`. */
static void start_charging(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    set_state(sim, b, s, i, CHARGING);
    tsim__fleet_charge_end(sim, b, s, i);
    if (s->v[i].due) tsim__fleet_fail_due(sim, b, s, i);
}

/* Vehicle i reached the place it charges at: a charger block's point, or its queue. */
static void at_charger(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    if (v->place >= s->first_chg) {
        if (!tsim__charger_arrive(sim, tsim__fleet_charger_at(sim, s, v->place), b, i)) {
            set_state(sim, b, s, i, WAIT_CHARGER);
            if (s->zoned) tsim__zone_deadlock_check(sim, b, s, i);
            return;
        }
        tsim__sum_add(&s->chg_wait, 0);
    }
    start_charging(sim, b, s, i);
}

/* Vehicle i (free, or idle) goes to storage `owner` (fleet_task.c tells the storage), driving
 * there, empty, unless it is there. */
static void task_go(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, uint32_t owner)
{
    int p = tsim__fleet_task_send(sim, b, s, i, owner);
    if (p >= 0) drive(sim, b, s, i, p, TO_HOME);
}

/* The charger vehicle i waits at gave it a point (charger.c); or a storage asks for a vehicle
 * (`i` the storage block) or ends its cycle (`i` the vehicle, now free): storserve.h. */
static void granted(struct tsim_sim *sim, uint32_t b, uint32_t i, uint32_t charger)
{
    struct fleet *s = fleet_of(sim, b);
    if (charger == TSIM__FLEET_TASK_DONE) {
        vehicle_free(sim, b, s, i);
        return;
    }
    if (charger == TSIM__FLEET_TASK) {
        uint32_t v = tsim__fleet_task_ask(sim, s, i);
        if (v != TSIM__NIL) task_go(sim, b, s, v, i);
        return;
    }
    tsim__sum_add(&s->chg_wait, sim->now - s->v[i].since);
    start_charging(sim, b, s, i);
}

/* Parking (`idle: parking`) -------------------------------------------------------------------
 *
 * A vehicle free with nothing to do stays where it is when that is a parking node with room;
 * else it drives (TO_HOME) to the parking with room nearest by empty travel (the first written
 * among equals), and takes requests again once there, as a vehicle going home does; with no
 * room anywhere it stays where it is, idle. A parking holds the vehicles idle at its node and
 * those driving there: counted when asked, so a vehicle that leaves for any reason (a request,
 * a storage, a charge, the live twin moving it) leaves its place with nothing to undo. Under
 * zone control the drive goes node by node and a parked vehicle holds its node: the check keeps
 * parkings that may fill off the other vehicles' way, and zone.c's deadlock search takes a parked
 * vehicle as one that does not move (tsim__zone_parked when it parks). */

/* Vehicles other than `skip` idle at the node of parking place q or driving there to park: by
 * what each does, so a vehicle waiting for a zone on its way counts as driving, and a failed one
 * as what it does after its repair. */
static int parked(const struct fleet *s, int q, uint32_t skip)
{
    const struct tsim__net_paths *p = s->paths;
    int node = p->place[q], n = 0;
    for (uint32_t j = 0; j < s->nveh; j++) {
        const struct vehicle *v = &s->v[j];
        int st = v->state == FAILED ? v->resume : v->state;
        st = st == ZONE_WAIT ? v->drive : st;
        n += j != skip && ((st == IDLE && p->place[v->place] == node) ||
                           (st == TO_HOME && v->to_place == q));
    }
    return n;
}

/* The parking place free vehicle i drives to; -1: it stays where it is (a parking node with
 * room, or no room anywhere). */
static int park_for(const struct fleet *s, uint32_t i)
{
    const struct tsim__net_paths *p = s->paths;
    const int at = s->v[i].place;
    int best = -1;
    double best_t = INFINITY;
    for (int q = p->first_park; q < p->nplaces; q++) {
        int cap = s->park_cap[q - p->first_park];
        if (cap > 0 && parked(s, q, i) >= cap) continue;
        if (p->place[q] == p->place[at]) return -1;
        double t = p->empty[at * p->nplaces + q];
        if (t < best_t) {
            best_t = t;
            best = q;
        }
    }
    return best;
}

/* Vehicle i is free (not moving, holding nothing): to charge when its battery is below
 * `charge_below` (or, with no request waiting, `charge_idle_below`), else the oldest request,
 * else its idle rule. */
static void vehicle_free(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (s->paths->first_task < s->paths->first_park) { /* serving storage (fleet_task.c) */
        if (tsim__fleet_task_arrived(sim, b, s, i)) return;
        uint32_t owner = tsim__fleet_task_waiting(sim, b, s, i);
        if (owner != TSIM__NIL) {
            task_go(sim, b, s, i, owner);
            return;
        }
    }
    if (s->battery) {
        charge_now(sim, b, s, i);
        if (v->level < charge_below(d) * s->cap ||
            (s->nwait == 0 && v->level < charge_idle_below(d) * s->cap)) {
            tsim__fleet_go_charge(sim, b, s, i);
            return;
        }
    }
    if (s->nwait > 0) {
        assign(sim, b, s, i, take_for(sim, s, i));
        return;
    }
    if (d->val[K_IDLE].i == IDLE_HOME && v->place != P_HOME) {
        drive(sim, b, s, i, P_HOME, TO_HOME);
        return;
    }
    int park = d->val[K_IDLE].i == IDLE_PARKING ? park_for(s, i) : -1;
    if (park >= 0) {
        drive(sim, b, s, i, park, TO_HOME);
        return;
    }
    set_state(sim, b, s, i, IDLE);
    if (v->due) {
        tsim__fleet_fail_due(sim, b, s, i);
        return;
    }
    if (s->battery) tsim__fleet_idle_timer(sim, b, s, i);
    if (s->zoned && s->park_cap) tsim__zone_parked(sim, b, s, i);
}

/* Vehicle i, FAILED, has nothing holding it any more (fleet_fail.c): back to what it did. */
void tsim__fleet_repaired(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    tsim__sum_add(&s->repair, sim->now - v->since);
    if (v->resume == IDLE) {
        vehicle_free(sim, b, s, i);
        return;
    }
    set_state(sim, b, s, i, v->resume);
    if (v->resume == CHARGING) tsim__fleet_charge_end(sim, b, s, i);
    else tsim__vehicle_after(sim, b, s, i, v->rest, v->ev_kind);
}

/* The pickup place of a request that block `from` sends (sim->from): the place at its node; the
 * first pickup for one from outside the flow. Each pickup's node is another place (check). */
static int pickup_of(const struct tsim_sim *sim, const struct fleet *s, uint32_t from)
{
    const struct tsim__net_paths *p = s->paths;
    if (p->npick == 1 || from == TSIM__NIL) return P_PICKUP;
    int node = tsim__net_node_of(sim->m->net, (int)from), nto = s->first_chg - 1 - p->npick;
    for (int k = 0; k < p->npick; k++)
        if (p->place[pickup_place(nto, k)] == node) return pickup_place(nto, k);
    return P_PICKUP;
}

/* With `products`: request `e` of a product the fleet does not carry, come by a way the check
 * cannot see (through a block that passes products on), stops the run with an error that names
 * the product, the block that sent it and the fleet; the request is taken as any other. */
static void carry_check(struct tsim_sim *sim, uint32_t b, const struct fleet *s, uint32_t e)
{
    unsigned p = sim->ents[e].product;
    if (p < (unsigned)s->ncarry && s->carry[p]) return;
    int outside = sim->from == TSIM__NIL;
    tsim__sim_fail(sim, TSIM_ESTATE, "fleet '%s' was sent product '%s' %s%s%s at %.10g %s, but "
                   "its 'products' do not include it", tsim__desc(sim, b)->name,
                   p < (unsigned)sim->m->nproducts ? sim->m->products[p] : "?",
                   outside ? "from outside the flow" : "by '",
                   outside ? "" : tsim__desc(sim, sim->from)->name, outside ? "" : "'",
                   tsim__time(sim, sim->now), sim->m->time_unit);
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct fleet *s = fleet_of(sim, b);
    tsim__note_enter(sim, b, e);
    int pick = pickup_of(sim, s, sim->from);
    sim->ents[e].dest = pick;
    if (s->carry) carry_check(sim, b, s, e);
    /* The nearest idle vehicle; none is idle while requests wait, so this one is the oldest. */
    uint32_t best = TSIM__NIL;
    double best_t = INFINITY;
    const int np = s->paths->nplaces;
    for (uint32_t i = 0; i < s->nveh; i++) {
        if (s->v[i].state != IDLE) continue;
        double t = s->paths->empty[s->v[i].place * np + pick];
        if (t < best_t) {
            best_t = t;
            best = i;
        }
    }
    if (best != TSIM__NIL) {
        assign(sim, b, s, best, e);
        return 1;
    }
    sim->ents[e].next = TSIM__NIL;
    if (s->head == TSIM__NIL) s->head = e;
    else sim->ents[s->tail].next = e;
    s->tail = e;
    s->nwait++;
    tsim__area_in(&s->waiting, sim->now, s->nwait);
    return 1;
}

static void unload_next(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);

/* Hand vehicle i's entity over to its destination; blocked while it is refused. */
static int hand_over(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    uint32_t e = v->ent;
    int64_t t_in = sim->ents[e].t_in;
    sim->ents[e].dest = v->dest;
    if (!tsim__send_leave(sim, b, e)) return 0;
    tsim__sum_add(&s->delivery, sim->now - t_in);
    if (s->within >= 0 && sim->now - t_in > s->within) { /* later than `deliver_within` */
        s->late++;
        s->late_all++;
    }
    s->deliveries++;
    s->stalled = 0;
    v->deliveries++;
    v->ent = TSIM__NIL;
    if (v->naboard > 0) unload_next(sim, b, s, i);
    else vehicle_free(sim, b, s, i);
    return 1;
}

/* The place of destination block `to`: the first of the fleet's route targets that is it. */
static int place_of(const struct tsim__block_desc *d, int32_t to)
{
    int k = 0;
    while (d->route.to[k] != to) k++;
    return 2 + k;
}

/* Vehicle i sets its entity in hand down: its hand-over follows (EV_UNLOADED). */
static void start_unloading(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    set_state(sim, b, s, i, UNLOADING);
    int64_t dt = d->val[K_UNLOAD].set
                     ? tsim__draw(sim, &d->val[K_UNLOAD].d, &s->h.rng[TSIM__RNG_AUX])
                     : 0;
    tsim__vehicle_after(sim, b, s, i, dt, EV_UNLOADED);
}

/* Loads per trip (`capacity` above 1) --------------------------------------------------------
 *
 * A vehicle at a pickup whose load is on takes, while it has room, the oldest request waiting
 * at that pickup and loads it (each `load`); with none waiting, or no room, it drives off. Each
 * load's destination is the route's choice once it is on. It drops its loads nearest first: to
 * the nearest of their destinations by loaded travel time (the earliest loaded among equals),
 * where it unloads every load bound there, in load order, each `unload` and its hand-over
 * (blocked while refused), then on to the nearest of the rest. A request that finds an idle
 * vehicle goes to it, as with one load a trip, not to a vehicle loading at its pickup. */

/* The request waiting at pickup place `pick` of the highest priority, the oldest among equals,
 * taken off the waiting list; TSIM__NIL: none. A walk of the list: without priorities it stops
 * at the first request of that pickup. */
static uint32_t take_at(struct tsim_sim *sim, struct fleet *s, int pick)
{
    uint32_t best = TSIM__NIL, best_prev = TSIM__NIL;
    int best_p = 0;
    for (uint32_t e = s->head, prev = TSIM__NIL; e != TSIM__NIL; prev = e, e = sim->ents[e].next) {
        if (sim->ents[e].dest != pick) continue;
        if (!s->prio) return unlink_request(sim, s, prev, e);
        int pr = prio_of(sim, s, e);
        if (best == TSIM__NIL || pr > best_p) {
            best = e;
            best_prev = prev;
            best_p = pr;
        }
    }
    return best == TSIM__NIL ? TSIM__NIL : unlink_request(sim, s, best_prev, best);
}

/* The first load on board vehicle `v` bound for block `to`, taken off; TSIM__NIL: none. */
static uint32_t take_aboard(struct tsim_sim *sim, struct vehicle *v, int32_t to)
{
    for (uint32_t *link = &v->aboard; *link != TSIM__NIL; link = &sim->ents[*link].next) {
        uint32_t e = *link;
        if (sim->ents[e].dest != to) continue;
        *link = sim->ents[e].next;
        v->naboard--;
        return e;
    }
    return TSIM__NIL;
}

/* Vehicle i, its loads on board: to the nearest of their destinations. */
static void next_drop(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct vehicle *v = &s->v[i];
    const int np = s->paths->nplaces;
    int best = -1;
    double best_t = INFINITY;
    for (uint32_t e = v->aboard; e != TSIM__NIL; e = sim->ents[e].next) {
        int p = place_of(d, sim->ents[e].dest);
        double t = s->paths->loaded[v->place * np + p];
        if (best < 0 || t < best_t) {
            best = p;
            best_t = t;
            v->dest = sim->ents[e].dest;
        }
    }
    drive(sim, b, s, i, best, LOADED);
}

/* Vehicle i's load in hand is on, bound for block `to` (-1: it was dropped): on board with it;
 * then the next request waiting at this pickup while there is room, else the nearest drop, else
 * (every load dropped) the vehicle is free. */
static void loaded_more(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int32_t to)
{
    struct vehicle *v = &s->v[i];
    if (to >= 0) {
        uint32_t *link = &v->aboard;
        while (*link != TSIM__NIL) link = &sim->ents[*link].next;
        *link = v->ent;
        sim->ents[v->ent].dest = to;
        sim->ents[v->ent].next = TSIM__NIL;
        v->naboard++;
    }
    v->ent = v->naboard < s->loads ? take_at(sim, s, v->pick) : TSIM__NIL;
    if (v->ent != TSIM__NIL) {
        sim->ents[v->ent].dest = -1;
        start_loading(sim, b, s, i);
    } else if (v->naboard > 0) {
        next_drop(sim, b, s, i);
    } else {
        vehicle_free(sim, b, s, i);
    }
}

/* Vehicle i handed a load over and has more on board: the next one bound here, else on. */
static void unload_next(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    v->ent = take_aboard(sim, v, v->dest);
    if (v->ent != TSIM__NIL) start_unloading(sim, b, s, i);
    else next_drop(sim, b, s, i);
}

/* Vehicle i is at the end of its leg. */
static void arrived(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    v->place = v->to_place;
    if (v->state == TO_PICKUP) {
        start_loading(sim, b, s, i);
    } else if (v->state == LOADED) {
        if (s->loads > 1) v->ent = take_aboard(sim, v, v->dest);
        start_unloading(sim, b, s, i);
    } else if (v->state == TO_CHARGER) {
        at_charger(sim, b, s, i);
    } else { /* home */
        vehicle_free(sim, b, s, i);
    }
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t i)
{
    struct fleet *s = fleet_of(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct vehicle *v = &s->v[i];
    if (kind <= EV_NODE) v->ev = 0; /* its timed step ends */
    switch (kind) {
    case EV_ARRIVE:
        arrived(sim, b, s, i);
        return;
    case EV_NODE:
        tsim__zone_at_node(sim, b, s, i);
        return;
    case EV_LOADED: {
        int32_t to = tsim__route_pick(sim, b, v->ent);
        if (to < 0) { /* a product the route by product has no branch for: dropped here */
            tsim__note_drop(sim, b, v->ent);
            tsim__entity_dispose(sim, v->ent);
            tsim__count_leave(sim, b);
            v->ent = TSIM__NIL;
        }
        if (s->loads > 1) {
            loaded_more(sim, b, s, i, to);
            return;
        }
        if (to < 0) {
            vehicle_free(sim, b, s, i);
            return;
        }
        v->dest = to;
        drive(sim, b, s, i, place_of(d, to), LOADED);
        return;
    }
    case EV_CHARGED:
        v->timer = 0; /* this event: nothing to cancel */
        set_state(sim, b, s, i, IDLE); /* for the instant; vehicle_free sets its next state */
        v->level = charge_until(d) * s->cap;
        /* With zones a vehicle that must wait to drive off keeps its point until it does. */
        if (v->place >= s->first_chg) {
            if (s->zoned) v->plugged = 1;
            else tsim__charger_leave(sim, tsim__fleet_charger_at(sim, s, v->place));
        }
        vehicle_free(sim, b, s, i);
        if (v->plugged && v->state != ZONE_WAIT) tsim__zone_unplug(sim, s, i);
        return;
    case EV_IDLE_LOW:
        v->timer = 0; /* pending only while the vehicle is IDLE (set_state cancels it) */
        tsim__fleet_go_charge(sim, b, s, i);
        return;
    case EV_FAIL:
        tsim__fleet_fail(sim, b, s, i, FAIL_MODEL);
        return;
    case EV_REPAIRED:
        v->down &= ~FAIL_MODEL;
        tsim__fleet_next_failure(sim, b, s, i);
        if (!v->down) tsim__fleet_repaired(sim, b, s, i);
        return;
    case EV_UNLOADED:
        if (!hand_over(sim, b, s, i)) {
            set_state(sim, b, s, i, BLOCKED);
            v->blocked_seq = ++s->blocked_n;
        }
        return;
    }
}

/* A destination has room: blocked vehicles retry in the order they were blocked. */
static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct fleet *s = fleet_of(sim, b);
    uint64_t after_seq = 0;
    for (;;) {
        uint32_t next = TSIM__NIL;
        for (uint32_t i = 0; i < s->nveh; i++)
            if (s->v[i].state == BLOCKED && s->v[i].blocked_seq > after_seq &&
                (next == TSIM__NIL || s->v[i].blocked_seq < s->v[next].blocked_seq))
                next = i;
        if (next == TSIM__NIL) return;
        after_seq = s->v[next].blocked_seq;
        hand_over(sim, b, s, next);
    }
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct fleet *s = fleet_of(sim, b);
    for (int k = 0; k < NSTATES; k++) s->state_ticks[k] = 0;
    for (uint32_t i = 0; i < s->nveh; i++) {
        struct vehicle *v = &s->v[i];
        v->since = sim->now;
        v->deliveries = 0;
        v->failures = 0;
        for (int k = 0; k < NSTATES; k++) v->ticks[k] = 0;
    }
    tsim__area_restart(&s->waiting, sim->now, s->nwait);
    s->wait = s->delivery = (struct tsim__sum){0, 0};
    s->deliveries = 0;
    s->late = 0;
    s->zone_waits = 0;
    s->deadlocks = 0;
    s->chg_wait = (struct tsim__sum){0, 0};
    s->failures = 0;
    s->repair = (struct tsim__sum){0, 0};
    if (!s->battery) return;
    /* The charge statistics start now: each vehicle's part since its `lvl_at` is taken off the
     * area, which charge_now adds whole later; the least charge is the least now. */
    s->lvl_area = 0;
    s->lvl_min = s->cap;
    for (uint32_t i = 0; i < s->nveh; i++) {
        const struct vehicle *v = &s->v[i];
        double l = level_at(s, v, sim->now);
        s->lvl_area -= (v->level + l) / 2 * (double)(sim->now - v->lvl_at);
        s->lvl_min = l < s->lvl_min ? l : s->lvl_min;
    }
}

static const struct tsim__block_vt fleet_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = tsim__fleet_report,
    .granted = granted,
};


/* The descriptor ---------------------------------------------------------------------------- */

static const char *const idle_choices[] = {"stay", "home", "parking", NULL};
static const char *const booleans[] = {"false", "true", NULL};
static const char *const deadlock_choices[] = {"stop", "back_off", NULL};
static const char *const charger_choices[] = {"nearest", "shortest_wait", "earliest_charge",
                                               NULL};
static const char *const battery_units_choices[] = {"kWh", "Ah", NULL};
static const char *const request_choices[] = {"oldest", "nearest", NULL};

static const struct tsim__key keys[] = {
    [K_COUNT] = {"count", TSIM__KEY_INT, TSIM__KEY_REQUIRED, 1, 100000, .dflt = "required",
                 .help = "how many vehicles"},
    [K_SPEED] = {"speed", TSIM__KEY_REAL, TSIM__KEY_REQUIRED, .rlo = 0, .rhi = 1e12,
                 .dflt = "required", .help = "top speed driving empty, in length per time unit"},
    [K_SPEED_LOADED] = {"speed_loaded", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12,
                        .dflt = "`speed`", .help = "top speed driving loaded"},
    [K_LOAD] = {"load", TSIM__KEY_DIST, 0, .dflt = "0", .help = "the time to take an entity on"},
    [K_UNLOAD] = {"unload", TSIM__KEY_DIST, 0, .dflt = "0",
                  .help = "the time to set an entity down, before its hand-over"},
    [K_IDLE] = {"idle", TSIM__KEY_CHOICE, 0, .choices = idle_choices, .noun = "idle rule",
                .dflt = "stay", .help = "what a vehicle with nothing to do does: `stay`, drive "
                                        "`home`, or drive to the nearest `parking` with room"},
    [K_PER_VEHICLE] = {"per_vehicle", TSIM__KEY_CHOICE, 0, .choices = booleans,
                       .noun = "value", .dflt = "false",
                       .help = "`true`: also each vehicle's state shares, utilization, deliveries "
                               "and empty-travel share (`vehicle_N.KPI`)"},
    [K_BATTERY] = {"battery", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "none",
                   .help = "each vehicle's battery capacity in kWh (none: no battery)"},
    [K_DRAW_IDLE] = {"draw_idle", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "0",
                     .help = "battery draw in kW while not driving"},
    [K_DRAW_EMPTY] = {"draw_empty", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "0",
                      .help = "battery draw in kW while driving empty"},
    [K_DRAW_LOADED] = {"draw_loaded", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "0",
                       .help = "battery draw in kW while driving loaded"},
    [K_CHARGE_RATE] = {"charge_rate", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "0",
                       .help = "charging power in kW"},
    [K_CHARGE_BELOW] = {"charge_below", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1,
                        .dflt = "0.2",
                        .help = "share of capacity below which a vehicle ends its trip and charges"},
    [K_CHARGE_UNTIL] = {"charge_until", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 2,
                        .dflt = "0.9", .help = "share of capacity at which it leaves charging"},
    [K_CHARGE_IDLE] = {"charge_idle_below", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1,
                       .dflt = "none",
                       .help = "share of capacity below which an idle vehicle goes to charge "
                               "before a request comes"},
    [K_DEADLOCK] = {"deadlock", TSIM__KEY_CHOICE, 0, .choices = deadlock_choices,
                    .noun = "deadlock rule", .dflt = "stop",
                    .help = "with zone control, what a deadlock does: `stop` the run with an error "
                            "naming the cycle, or a vehicle of it backs off (`back_off`)"},
    [K_SPEED_BY_CLASS] = {"speed_by_class", TSIM__KEY_FORM, 0, .dflt = "none",
                          .help = "top speed on the segments of each class: {CLASS: speed, ...}"},
    [K_CHARGER_CHOICE] = {"charger_choice", TSIM__KEY_CHOICE, 0, .choices = charger_choices,
                          .noun = "charger choice", .dflt = "nearest",
                          .help = "with a battery, the charger a vehicle goes to: the `nearest` by "
                                  "travel time, `shortest_wait`: travel time plus the expected "
                                  "wait for a point, or `earliest_charge`: where its charge can "
                                  "start first, from what the vehicles ahead still need"},
    [K_CAPACITY] = {"capacity", TSIM__KEY_INT, 0, 1, 10000, .dflt = "1",
                    .help = "the most entities a vehicle carries at once: at a pickup it loads "
                            "the oldest requests waiting there while it has room, and drops them "
                            "nearest destination first"},
    [K_DELIVER_WITHIN] = {"deliver_within", TSIM__KEY_DIST, 0, .dflt = "none",
                          .help = "a fixed time: a request delivered later than this after it "
                                  "came is late (KPIs late_deliveries, on_time_share)"},
    [K_FAIL_BETWEEN] = {"failures_between", TSIM__KEY_DIST, 0, .dflt = "none (no failures)",
                        .help = "each vehicle's time between failures, in calendar time from "
                                "the end of its last repair"},
    [K_FAIL_REPAIR] = {"failures_repair", TSIM__KEY_DIST, 0, .dflt = "0",
                       .help = "a failed vehicle's repair time, where it stopped"},
    [K_BATTERY_UNIT] = {"battery_unit", TSIM__KEY_CHOICE, 0, .choices = battery_units_choices,
                        .noun = "battery unit", .dflt = "kWh",
                        .help = "`kWh`, or `Ah`: `battery` in Ah and the draws and `charge_rate` "
                                "in A, at the `voltage`"},
    [K_VOLTAGE] = {"voltage", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e6, .dflt = "none",
                   .help = "with `battery_unit: Ah`, the battery's nominal voltage in V"},
    [K_DRAW_EMPTY_LEN] = {"draw_empty_per_length", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12,
                          .dflt = "none",
                          .help = "battery draw driving empty per length unit driven (kWh, or "
                                  "Ah), in place of `draw_empty`"},
    [K_DRAW_LOADED_LEN] = {"draw_loaded_per_length", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12,
                           .dflt = "none",
                           .help = "battery draw driving loaded per length unit driven, in place "
                                   "of `draw_loaded`"},
    [K_REQUEST_CHOICE] = {"request_choice", TSIM__KEY_CHOICE, 0, .choices = request_choices,
                          .noun = "request choice", .dflt = "oldest",
                          .help = "the waiting request a vehicle takes when it becomes free: the "
                                  "`oldest`, or the `nearest` by empty travel to its pickup (the "
                                  "oldest among equals); after `priority`"},
    [K_PRIORITY] = {"priority", TSIM__KEY_FORM, 0, .dflt = "none",
                    .help = "a request's priority by its product, {PRODUCT: N, ...} (whole "
                            "numbers from -1000 to 1000, 0 for a product not named): a free "
                            "vehicle takes the highest first, then by `request_choice`"},
    [K_PARKING] = {"parking", TSIM__KEY_FORM, 0, .dflt = "none",
                   .help = "with `idle: parking`, the parking nodes and the vehicles each holds, "
                           "{NODE: N or `unlimited`, ...}"},
    [K_PRODUCTS] = {"products", TSIM__KEY_FORM, 0, .dflt = "every product",
                    .help = "the products its vehicles may carry, [PRODUCT, ...]: a block that "
                            "sends it another is refused at load, naming both"},
    [K_ACCEL] = {"acceleration", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "none",
                 .help = "length per time unit squared: each drive starts from standstill and "
                         "stops at its end (none: speed changes at once)"},
    [K_DECEL] = {"deceleration", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12,
                 .dflt = "`acceleration`", .help = "the rate at which a vehicle slows to a stop"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route: where each entity is carried"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {
    "entered",   "left",        "throughput",         "content",    "idle",
    "to_pickup", "loading",     "loaded",             "unloading",  "blocked",
    "to_home",   "utilization", "empty_travel_share", "deliveries", "deliveries_per_hour",
    "request_wait", "delivery_time", "requests_waiting", "requests_waiting_end", "zone_wait",
    "zone_waits", "deadlocks", NULL}; /* deadlocks with zone control only; with a battery
                                       * also to_charger, charging, waiting_charger,
                                       * battery_end(_min), battery_mean, battery_min,
                                       * charger_wait; with deliver_within
                                       * late_deliveries, on_time_share; with failures failed,
                                       * failures, repair_time */

const struct tsim__block_type tsim__fleet_type = {
    .name = "fleet",
    .help = "vehicles that carry entities over the path network",
    .keys = keys,
    .kpis = kpis,
    .vt = &fleet_vt,
    .check = tsim__fleet_check,
};

