/*
 * What a fleet tells: its report (the KPIs of the fleet and, with `per_vehicle`, of each vehicle)
 * and the read-only queries the live twin makes of it (where a vehicle is, its charge, its state,
 * the requests in the fleet). Nothing here changes a fleet's state; what changes it is fleet.c's.
 */
#include "blocks/fleet.h"
#include "blocks/sim.h"
#include "blocks/fleet_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tsim__fleet_state_kpi[NSTATES] = {
    "idle",      "to_pickup", "loading",    "loaded",   "unloading",       "blocked",
    "to_home",   "zone_wait", "to_charger", "charging", "waiting_charger", "failed"};

/* The report ------------------------------------------------------------------------------- */

/* Per-vehicle KPIs: "vehicle_N.KPI", N from 1. A result keeps its KPIs' names by pointer and
 * may outlive the model and the sim (an experiment's design points re-check the model), so the
 * names live in one table for the whole process, made once per vehicle number and never freed;
 * the replications of parallel runs report at once, hence the lock. */
enum { VK_UTIL = NBASE, VK_DELIVERIES, VK_EMPTY, VK_FAILED, VK_FAILURES, NVK };
static const char *const vehicle_kpi[NVK] = {
    "idle", "to_pickup", "loading", "loaded", "unloading", "blocked", "to_home", "zone_wait",
    "utilization", "deliveries", "empty_travel_share", "failed", "failures"};
static pthread_mutex_t vnames_lock = PTHREAD_MUTEX_INITIALIZER;
static char **vnames; /* vnames[i * NVK + k]: KPI k of vehicle i + 1 */
static uint32_t vnames_n; /* vehicles named */

/* Copies the names of vehicle i's KPIs, NVK of them, into `names`. They are copied under the
 * lock, not returned as a pointer into `vnames`: another replication's thread may grow (realloc)
 * the table as soon as the lock is released, which would leave such a pointer dangling. The
 * strings themselves never move and are never freed. */
static void vehicle_names(uint32_t i, char *names[NVK])
{
    pthread_mutex_lock(&vnames_lock);
    if (vnames_n <= i) {
        vnames = tsim__realloc(vnames, (size_t)(i + 1) * NVK * sizeof *vnames);
        for (; vnames_n <= i; vnames_n++)
            for (int k = 0; k < NVK; k++) {
                char buf[64];
                snprintf(buf, sizeof buf, "vehicle_%u.%s", vnames_n + 1, vehicle_kpi[k]);
                vnames[(size_t)vnames_n * NVK + (size_t)k] = tsim__strdup(buf);
            }
    }
    memcpy(names, vnames + (size_t)i * NVK, NVK * sizeof *names);
    pthread_mutex_unlock(&vnames_lock);
}

static void report_vehicle(struct tsim_sim *sim, uint32_t b, const struct fleet *s, uint32_t i,
                           struct tsim_result *r)
{
    const struct vehicle *v = &s->v[i];
    char *name[NVK];
    vehicle_names(i, name);
    int64_t ticks[NSTATES];
    for (int k = 0; k < NSTATES; k++) ticks[k] = v->ticks[k];
    ticks[v->state] += sim->now - v->since;
    double all = (double)(sim->now - sim->stats_start);
    for (int k = 0; k < NBASE; k++)
        tsim_result_add(r, (int)b, name[k], all > 0 ? (double)ticks[k] / all : 0);
    tsim_result_add(r, (int)b, name[VK_UTIL],
                    all > 0 ? 1 - (double)(ticks[IDLE] + ticks[FAILED]) / all : 0);
    tsim_result_add(r, (int)b, name[VK_DELIVERIES], (double)v->deliveries);
    double empty = (double)(ticks[TO_PICKUP] + ticks[TO_HOME]);
    double moving = empty + (double)ticks[LOADED];
    tsim_result_add(r, (int)b, name[VK_EMPTY], moving > 0 ? empty / moving : 0);
    if (!s->failing && !s->failed_seen) return;
    tsim_result_add(r, (int)b, name[VK_FAILED], all > 0 ? (double)ticks[FAILED] / all : 0);
    tsim_result_add(r, (int)b, name[VK_FAILURES], (double)v->failures);
}

void tsim__fleet_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct fleet *s = fleet_of(sim, b);
    int64_t ticks[NSTATES];
    for (int k = 0; k < NSTATES; k++) ticks[k] = s->state_ticks[k];
    for (uint32_t i = 0; i < s->nveh; i++) ticks[s->v[i].state] += sim->now - s->v[i].since;
    double all = (double)(sim->now - sim->stats_start) * (double)s->nveh;
    tsim__hdr_report(sim, b, r, 1);
    int nstates = s->battery ? FAILED : NBASE;
    for (int k = 0; k < nstates; k++)
        tsim_result_add(r, (int)b, tsim__fleet_state_kpi[k], all > 0 ? (double)ticks[k] / all : 0);
    if (s->failing || s->failed_seen) {
        tsim_result_add(r, (int)b, tsim__fleet_state_kpi[FAILED], all > 0 ? (double)ticks[FAILED] / all : 0);
        tsim_result_add(r, (int)b, "failures", (double)s->failures);
        tsim_result_add(r, (int)b, "repair_time", tsim__sum_mean(sim, &s->repair));
    }
    if (s->battery) {
        double sum = 0, low = INFINITY, area = s->lvl_area, least = s->lvl_min;
        for (uint32_t i = 0; i < s->nveh; i++) {
            const struct vehicle *v = &s->v[i];
            double l = level_at(s, v, sim->now);
            sum += l;
            low = l < low ? l : low;
            area += (v->level + l) / 2 * (double)(sim->now - v->lvl_at);
        }
        least = low < least ? low : least;
        double span = (double)(sim->now - sim->stats_start) * (double)s->nveh * s->cap;
        tsim_result_add(r, (int)b, "battery_end", sum / s->nveh / s->cap);
        tsim_result_add(r, (int)b, "battery_end_min", low / s->cap);
        tsim_result_add(r, (int)b, "battery_mean", span > 0 ? area / span : sum / s->nveh / s->cap);
        tsim_result_add(r, (int)b, "battery_min", least / s->cap);
        tsim_result_add(r, (int)b, "charger_wait", tsim__sum_mean(sim, &s->chg_wait));
    }
    tsim_result_add(r, (int)b, "utilization",
                    all > 0 ? 1 - (double)(ticks[IDLE] + ticks[FAILED]) / all : 0);
    double empty = (double)(ticks[TO_PICKUP] + ticks[TO_HOME]);
    double moving = empty + (double)ticks[LOADED];
    tsim_result_add(r, (int)b, "empty_travel_share", moving > 0 ? empty / moving : 0);
    double w = tsim__window(sim);
    tsim_result_add(r, (int)b, "deliveries", (double)s->deliveries);
    tsim_result_add(r, (int)b, "deliveries_per_hour",
                    w > 0 ? (double)s->deliveries / w * tsim__units_per_hour(sim->m) : 0);
    tsim_result_add(r, (int)b, "request_wait", tsim__sum_mean(sim, &s->wait));
    tsim_result_add(r, (int)b, "delivery_time", tsim__sum_mean(sim, &s->delivery));
    if (s->within >= 0) {
        tsim_result_add(r, (int)b, "late_deliveries", (double)s->late);
        tsim_result_add(r, (int)b, "on_time_share",
                        s->deliveries ? 1 - (double)s->late / (double)s->deliveries : 1);
    }
    tsim_result_add(r, (int)b, "requests_waiting", tsim__area_mean(&s->waiting, sim->now, s->nwait));
    tsim_result_add(r, (int)b, "requests_waiting_end", (double)s->nwait);
    tsim_result_add(r, (int)b, "zone_waits", (double)s->zone_waits);
    if (s->zoned) tsim_result_add(r, (int)b, "deadlocks", (double)s->deadlocks);
    if (tsim__desc(sim, b)->val[K_PER_VEHICLE].i == 1)
        for (uint32_t i = 0; i < s->nveh; i++) report_vehicle(sim, b, s, i, r);
}

/* What the live twin reads of a vehicle (blocks/fleet.h; what it changes, fleet.c's observe
 * hooks) ------------------------------------------------------------------------------------ */

int tsim__fleet_vehicle_node(const struct tsim_sim *sim, int block, int i)
{
    const struct fleet *s = tsim__state(sim, (uint32_t)block);
    const struct vehicle *v = &s->v[i];
    return s->zoned ? v->node : s->paths->place[v->place];
}

int tsim__fleet_vehicle_driving(const struct tsim_sim *sim, int block, int i)
{
    const struct fleet *s = tsim__state(sim, (uint32_t)block);
    int st = s->v[i].state;
    return st == TO_PICKUP || st == LOADED || st == TO_HOME || st == TO_CHARGER;
}

double tsim__fleet_vehicle_charge(const struct tsim_sim *sim, int block, int i)
{
    const struct fleet *s = tsim__state(sim, (uint32_t)block);
    if (!s->battery) return -1;
    return level_at(s, &s->v[i], sim->now) / s->cap * 100;
}

/* Vehicle i's state. */
static int state_of(const struct tsim_sim *sim, int block, int i)
{
    return ((const struct fleet *)tsim__state(sim, (uint32_t)block))->v[i].state;
}

int tsim__fleet_vehicle_charging(const struct tsim_sim *sim, int block, int i)
{
    return state_of(sim, block, i) == CHARGING;
}

int tsim__fleet_vehicle_failed(const struct tsim_sim *sim, int block, int i)
{
    return state_of(sim, block, i) == FAILED;
}

/* What the live twin's forecasts read of a fleet's requests (src/twin/fcfleet.c) --------------- */

double tsim__fleet_deliver_within(const struct tsim_model *m, int block)
{
    const struct tsim__val *v = &m->blocks[block].val[K_DELIVER_WITHIN];
    return v->set ? v->d.p[0] : -1;
}

uint64_t tsim__fleet_late_all(const struct tsim_sim *sim, int block)
{
    const struct fleet *s = tsim__state(sim, (uint32_t)block);
    return s->late_all;
}

/* The block at pickup place `pick` (the first block that sends from its node; pickups[] holds
 * them in the order of pickup_place, tsim__fleet_pickups). */
static int pickup_block(const struct fleet *s, const int *pickups, int npick, int pick)
{
    int nto = s->first_chg - 1 - s->paths->npick;
    for (int k = 0; k < npick; k++)
        if (pickup_place(nto, k) == pick) return pickups[k];
    return (int)s->h.index;
}

/* Request `e` (picked up at place `pick`, bound for block `to`) as out[*n] when there is room. */
static void put_request(const struct tsim_sim *sim, const struct fleet *s, const int *pickups,
                        int npick, uint32_t e, int pick, int to, struct tsim__fleet_request *out,
                        int max, int *n)
{
    if (*n < max)
        out[*n] = (struct tsim__fleet_request){sim->ents[e].id, tsim__time(sim, sim->ents[e].t_in),
                                               pickup_block(s, pickups, npick, pick), to};
    (*n)++;
}

int tsim__fleet_requests(const struct tsim_sim *sim, int block, struct tsim__fleet_request *out,
                         int max)
{
    const struct fleet *s = tsim__state(sim, (uint32_t)block);
    const struct tsim__block_desc *d = tsim__desc(sim, (uint32_t)block);
    int *up = tsim__malloc(sizeof *up * (size_t)(sim->m->nblocks ? sim->m->nblocks : 1));
    int npick = tsim__fleet_pickups(sim->m, d, up), n = 0;
    if (npick < 0) npick = 0;
    for (uint32_t e = s->head; e != TSIM__NIL; e = sim->ents[e].next)
        put_request(sim, s, up, npick, e, sim->ents[e].dest, -1, out, max, &n);
    for (uint32_t i = 0; i < s->nveh; i++) {
        const struct vehicle *v = &s->v[i];
        int st = v->state == FAILED ? v->resume : v->state; /* failed: the step it resumes */
        st = st == ZONE_WAIT ? v->drive : st;
        if (v->ent != TSIM__NIL)
            put_request(sim, s, up, npick, v->ent, v->pick,
                        st == TO_PICKUP || st == LOADING ? -1 : v->dest, out, max, &n);
        for (uint32_t e = v->aboard; e != TSIM__NIL; e = sim->ents[e].next)
            put_request(sim, s, up, npick, e, v->pick, sim->ents[e].dest, out, max, &n);
    }
    tsim__free(up);
    return n;
}
