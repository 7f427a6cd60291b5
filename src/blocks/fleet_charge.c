/*
 * The charger a fleet's vehicle drives to when it must charge (fleet.c's go_charge): the
 * nearest, or by `charger_choice` the one with the shortest expected wait or the earliest start
 * of its charge. Reads the fleet's state and the chargers' (charger.h); changes nothing.
 */
#include "blocks/charger.h"
#include "blocks/fleet_int.h"
#include "blocks/vehicles.h"

#include <math.h>
#include <stdlib.h>

/* The k-th charger block of `m` in model order that fleet block `fleet` may use (charger.h). */
static int charger_of(const struct tsim_model *m, int fleet, int k)
{
    for (int c = 0;; c++)
        if (tsim__charger_serves(m, c, fleet) && k-- == 0) return c;
}

/* The charger block at place `p` (>= first_chg): the chargers the fleet may use are the places
 * from first_chg on, in model order. Looked up per visit to a charger, which is rare. */
uint32_t tsim__fleet_charger_at(const struct tsim_sim *sim, const struct fleet *s, int p)
{
    return (uint32_t)charger_of(sim->m, (int)s->h.index, p - s->first_chg);
}

/* What a vehicle of fleet `s` with `level` kWh still needs to charge to its `charge_until`, in
 * time units (0 when it is there). */
static double need_of(const struct tsim_sim *sim, const struct fleet *s, double level)
{
    double need = charge_until(tsim__desc(sim, s->h.index)) * s->cap - level;
    return need > 0 ? need / s->rate[CHARGING] / sim->tpu : 0;
}

/* One more vehicle, ready at `ready` (time units from now) and charging for `need`, takes the
 * point of `free` (n points: when each is free, from now) that is free first. */
static void take_first_free(double *free, uint32_t n, double ready, double need)
{
    uint32_t k = 0;
    for (uint32_t j = 1; j < n; j++)
        if (free[j] < free[k]) k = j;
    free[k] = (ready > free[k] ? ready : free[k]) + need;
}

/* A vehicle of fleet `s` on its way to a charger: when it arrives (time units from now: its leg's
 * travel time less the time since it set off, which zone waits make an estimate) and with what
 * charge. */
struct coming {
    double at, level;
};

static int coming_order(const void *a, const void *b)
{
    const struct coming *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* With `charger_choice: earliest_charge`: how long from now until a vehicle of fleet `s` that
 * drives `t` time units to the charger at place `p` could start to charge there. The charger's
 * points are taken by the vehicles charging there (of any fleet) until they reach their
 * `charge_until`; then the vehicles queued there take them in queue order, then the fleet's
 * vehicles driving there in the order they arrive, each charging what it still needs from its
 * charge at arrival. A vehicle that keeps its point after charging (zone control) is not
 * counted. Looked at only when a vehicle goes to charge: O(vehicles of the model). */
static double earliest_charge(struct tsim_sim *sim, const struct fleet *s, int p, double t)
{
    uint32_t c = tsim__fleet_charger_at(sim, s, p), n = tsim__charger_points(sim, c), used = 0;
    double *free = tsim__calloc(n, sizeof *free);
    const struct tsim_model *m = sim->m;
    for (int b = 0; b < m->nblocks; b++) {
        if (!tsim__fleet_charges(m, b)) continue;
        const struct fleet *f = tsim__state(sim, (uint32_t)b);
        for (uint32_t j = 0; j < f->nveh && used < n; j++) {
            const struct vehicle *v = &f->v[j];
            if (v->state == CHARGING && v->place >= f->first_chg &&
                tsim__fleet_charger_at(sim, f, v->place) == c)
                free[used++] = need_of(sim, f, level_at(f, v, sim->now));
        }
    }
    uint32_t owner, veh;
    for (uint32_t k = 0; tsim__charger_waiting(sim, c, k, &owner, &veh); k++) {
        const struct fleet *f = tsim__state(sim, owner);
        take_first_free(free, n, 0, need_of(sim, f, level_at(f, &f->v[veh], sim->now)));
    }
    struct coming *on = tsim__malloc(s->nveh * sizeof *on);
    uint32_t non = 0;
    const int np = s->paths->nplaces;
    for (uint32_t j = 0; j < s->nveh; j++) {
        const struct vehicle *v = &s->v[j];
        if (v->state != TO_CHARGER || v->to_place != p) continue;
        double left = s->paths->empty[v->place * np + p] - (double)(sim->now - v->since) / sim->tpu;
        left = left > 0 ? left : 0;
        on[non++] = (struct coming){left, level_at(s, v, sim->now) +
                                              rate_of(s, v) * sim->tpu * left};
    }
    qsort(on, non, sizeof *on, coming_order); /* equal times: any order gives the same points */
    for (uint32_t k = 0; k < non; k++)
        take_first_free(free, n, on[k].at, need_of(sim, s, on[k].level));
    double first = free[0];
    for (uint32_t j = 1; j < n; j++) first = free[j] < first ? free[j] : first;
    tsim__free(on);
    tsim__free(free);
    return t > first ? t : first;
}

/* Where vehicle i (free, holding nothing) drives to charge: to the charger block nearest by empty
 * travel time; with `charger_choice: shortest_wait` the least travel time plus the expected
 * wait there (tsim__charger_wait, counting the fleet's vehicles driving to it, each charge taken
 * from `charge_below` to `charge_until`); with `earliest_charge` where its charge can start
 * first (earliest_charge above). The first in model order among equals. Home when the model
 * has no charger. */
int tsim__fleet_charger_for(struct tsim_sim *sim, const struct fleet *s, uint32_t i)
{
    const int np = s->paths->nplaces;
    const struct tsim__block_desc *d = tsim__desc(sim, s->h.index);
    int choice = (int)d->val[K_CHARGER_CHOICE].i;
    double charge = (charge_until(d) - charge_below(d)) * s->cap / s->rate[CHARGING] / sim->tpu;
    int to = P_HOME;
    double best = INFINITY;
    for (int p = s->first_chg; p < s->paths->first_task; p++) {
        double t = s->paths->empty[s->v[i].place * np + p];
        if (choice == CHG_SHORTEST_WAIT) {
            uint32_t coming = 0;
            for (uint32_t j = 0; j < s->nveh; j++)
                coming += s->v[j].state == TO_CHARGER && s->v[j].to_place == p;
            t += tsim__charger_wait(sim, tsim__fleet_charger_at(sim, s, p), coming, charge);
        } else if (choice == CHG_EARLIEST_CHARGE) {
            t = earliest_charge(sim, s, p, t);
        }
        if (t < best) {
            best = t;
            to = p;
        }
    }
    return to;
}
