/*
 * What a fleet's files share (fleet.c runs the vehicles, fleet_check.c checks a fleet and finds
 * its travel times once, fleet_charge.c chooses the charger a vehicle drives to, fleet_report.c
 * reports its KPIs and answers the live twin's read-only queries): the places of
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
#endif
