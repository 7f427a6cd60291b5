/*
 * What a fleet's files share (fleet.c runs the vehicles, fleet_check.c checks a fleet and finds
 * its travel times once, fleet_charge.c chooses the charger a vehicle drives to, fleet_report.c
 * reports its KPIs and answers the live twin's read-only queries, fleet_fail.c fails and repairs
 * vehicles, fleet_task.c serves storage blocks, fleet_live.c takes what the live twin tells of
 * the plant): the places of
 * the fleet's keys in its value table, the rules those keys choose, the charge thresholds with
 * their defaults, and what each file gives the others. The state is zone.h's. Not API.
 */
#ifndef TSIM_BLOCKS_FLEET_INT_H
#define TSIM_BLOCKS_FLEET_INT_H
#include "blocks/zone.h"

enum { K_COUNT, K_SPEED, K_SPEED_LOADED, K_LOAD, K_UNLOAD, K_IDLE, K_PER_VEHICLE, K_BATTERY,
       K_DRAW_IDLE, K_DRAW_EMPTY, K_DRAW_LOADED, K_CHARGE_RATE, K_CHARGE_BELOW,
       K_CHARGE_UNTIL, K_CHARGE_IDLE, K_DEADLOCK, K_SPEED_BY_CLASS,
       K_CHARGER_CHOICE, K_CAPACITY, K_DELIVER_WITHIN, K_FAIL_BETWEEN, K_FAIL_REPAIR,
       K_BATTERY_UNIT, K_VOLTAGE, K_DRAW_EMPTY_LEN, K_DRAW_LOADED_LEN, K_REQUEST_CHOICE,
       K_PRIORITY, K_PARKING, K_PRODUCTS, K_ACCEL, K_DECEL }; /* in `keys` */
enum { IDLE_STAY, IDLE_HOME, IDLE_PARKING };
enum { DL_STOP, DL_BACK_OFF }; /* the deadlock rule */
enum { CHG_NEAREST, CHG_SHORTEST_WAIT, CHG_EARLIEST_CHARGE }; /* the charger choice */
enum { UNIT_KWH, UNIT_AH }; /* `battery_unit` */
enum { RC_OLDEST, RC_NEAREST }; /* the request a vehicle that becomes free takes */

/* The charge thresholds, shares of the capacity, with their defaults. */
static inline double charge_below(const struct tsim__block_desc *d)
{
    return d->val[K_CHARGE_BELOW].set ? d->val[K_CHARGE_BELOW].r : 0.2;
}

static inline double charge_until(const struct tsim__block_desc *d)
{
    return d->val[K_CHARGE_UNTIL].set ? d->val[K_CHARGE_UNTIL].r : 0.9;
}

/* 0 when not given: no idle vehicle is below it. */
static inline double charge_idle_below(const struct tsim__block_desc *d)
{
    return d->val[K_CHARGE_IDLE].set ? d->val[K_CHARGE_IDLE].r : 0;
}

/* `capacity`: 1 when not given. */
static inline uint32_t loads_of(const struct tsim__block_desc *d)
{
    return d->val[K_CAPACITY].set ? (uint32_t)d->val[K_CAPACITY].i : 1;
}

/* `deliver_within` in ticks of `sim`: a request delivered later than this after it came is late;
 * -1 when not given (no request is late). The check made it a fixed time. */
static inline int64_t deliver_within(const struct tsim_sim *sim, const struct tsim__block_desc *d)
{
    return d->val[K_DELIVER_WITHIN].set ? tsim__ticks(sim, d->val[K_DELIVER_WITHIN].d.p[0]) : -1;
}

static inline int zoned(const struct tsim_model *m) { return m->net && m->net->zoned; }

/* Vehicle v's charge's rate now (kWh per tick): its state's, or, driving with a draw per
 * length, its leg's or arc's. */
static inline double rate_of(const struct fleet *s, const struct vehicle *v)
{
    return s->by_len[v->state] ? v->drate : s->rate[v->state];
}

/* Vehicle v's charge at `now`, its rate unchanged since `lvl_at` (0 at the least). */
static inline double level_at(const struct fleet *s, const struct vehicle *v, int64_t now)
{
    double l = v->level + rate_of(s, v) * (double)(now - v->lvl_at);
    return l < 0 ? 0 : l;
}

/* The fleet's state, its zone arrays pointed into it again when it has moved (a clone). */
static inline struct fleet *fleet_of(struct tsim_sim *sim, uint32_t b)
{
    struct fleet *s = tsim__state(sim, b);
    if (s->zoned && s->occ != (int *)(void *)&s->v[s->nveh]) tsim__zone_arrays(s);
    return s;
}

/* fleet_report.c: the KPI names of the vehicle states, and the block type's report. */
extern const char *const tsim__fleet_state_kpi[NSTATES];
void tsim__fleet_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r);

/* fleet_check.c: the block type's check (the places, the travel times, every leg's path). */
int tsim__fleet_check(const struct tsim_model *m, const struct tsim__block_desc *d);
/* The nodes of the storage blocks fleet block `fleet` serves (`served_by`), into `place` when not
 * NULL (-1: one stands at no node); returns how many there are. */
int tsim__fleet_task_places(const struct tsim_model *m, int fleet, int *place);
/* The k-th storage block fleet block `fleet` serves, in model order. */
uint32_t tsim__fleet_task_block(const struct tsim_model *m, int fleet, int k);

/* fleet_charge.c: the charger block at place `p` (>= first_chg) of fleet `s`. */
uint32_t tsim__fleet_charger_at(const struct tsim_sim *sim, const struct fleet *s, int p);
/* The place vehicle i of fleet `s` (free, holding nothing) drives to to charge, by the fleet's
 * `charger_choice`; P_HOME when the model has no charger. */
int tsim__fleet_charger_for(struct tsim_sim *sim, const struct fleet *s, uint32_t i);

/* The vehicle's state and charge, which every file that runs vehicles changes ------------------ */

/* Brings vehicle i's charge up to now, and the fleet's charge statistics with it (the charge
 * changes linearly between two calls: its area is a trapezoid, its least value at an end); a
 * vehicle whose charge fell below zero stops the run with an error that names it, the time it
 * ran empty and the charge it had when its state began. */
static inline void charge_now(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    double r = rate_of(s, v), l0 = v->level;
    v->level = l0 + r * (double)(sim->now - v->lvl_at);
    s->lvl_area += (l0 + (v->level < 0 ? 0 : v->level)) / 2 * (double)(sim->now - v->lvl_at);
    if (v->level < s->lvl_min) s->lvl_min = v->level < 0 ? 0 : v->level;
    if (v->level < 0) {
        int64_t at = v->lvl_at + (int64_t)(l0 / -r);
        tsim__sim_fail(sim, TSIM_ESTATE,
                       "%s %u ran empty at %.10g %s while %s: its battery had %.6g of %.6g kWh "
                       "at %.10g %s (raise 'charge_below' or lower the draws)",
                       tsim__desc(sim, b)->name, i + 1, tsim__time(sim, at), sim->m->time_unit,
                       tsim__fleet_state_kpi[v->state], l0, s->cap, tsim__time(sim, v->lvl_at),
                       sim->m->time_unit);
        v->level = 0;
    }
    v->lvl_at = sim->now;
}

/* Vehicle i of fleet block `b` enters `state`: its time in the old one counted, its charge
 * brought up to now, its idle timer (tsim__fleet_idle_timer) cancelled. */
static inline void set_state(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i,
                             int state)
{
    struct vehicle *v = &s->v[i];
    if (s->battery) charge_now(sim, b, s, i);
    if (v->timer) { /* it leaves IDLE before its charge fell below `charge_idle_below` */
        tsim__cancel(sim, v->timer);
        v->timer = 0;
    }
    s->state_ticks[v->state] += sim->now - v->since;
    v->ticks[v->state] += sim->now - v->since;
    v->state = state;
    v->since = sim->now;
    tsim__note_state(sim, b, (int)i, state);
}

/* fleet.c, for fleet_live.c: vehicle i, CHARGING, its charge up to now: its EV_CHARGED when it
 * reaches `charge_until`. */
void tsim__fleet_charge_end(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i (free, holding nothing) drives to the charger its `charger_choice` picks. */
void tsim__fleet_go_charge(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* IDLE vehicle i's EV_IDLE_LOW, with `charge_idle_below`, when its charge falls below it. */
void tsim__fleet_idle_timer(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i, FAILED, with nothing holding it any more: back to what it did. */
void tsim__fleet_repaired(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);

/* fleet_fail.c: vehicle i's next failure (with `failures_between`). */
void tsim__fleet_next_failure(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i, which can stop now, stops for its failures due (FAILED). Returns 1. */
int tsim__fleet_fail_due(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* A failure (`why`: FAIL_MODEL or FAIL_PLANT) falls on vehicle i: it stops now when it can,
 * else when it next can. Returns 0 when it changes nothing (a plant failure known already). */
int tsim__fleet_fail(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int why);

/* fleet_task.c, the storage blocks the fleet serves. Storage `owner` asks for a vehicle: the
 * nearest idle one, which fleet.c sends (tsim__fleet_task_send); TSIM__NIL when none is idle, and
 * the storage waits (it is told TSIM__TASK_WAITS). */
uint32_t tsim__fleet_task_ask(struct tsim_sim *sim, struct fleet *s, uint32_t owner);
/* Vehicle i goes to storage `owner`, which is told it is sent, then, when the vehicle is there
 * already, that it is there (now LOADING). Returns the place the vehicle drives to, -1 when it
 * is there. */
int tsim__fleet_task_send(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i,
                          uint32_t owner);
/* Free vehicle i, when it has reached a storage it was sent to, starts its cycle there (LOADING,
 * the storage told TSIM__TASK_HERE): returns 1; else 0. */
int tsim__fleet_task_arrived(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* The waiting storage free vehicle i takes, no longer waiting: the one that has waited longest,
 * when it has waited longer than the oldest transport request and the vehicle need not charge;
 * TSIM__NIL: none. */
uint32_t tsim__fleet_task_waiting(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
#endif
