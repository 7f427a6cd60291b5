/*
 * What the live twin tells a fleet (blocks/fleet.h; src/twin/vda.c follows a real fleet over VDA
 * 5050): where a vehicle stands, its battery, its fatal errors. Each is the plant's truth, taken
 * as far as the sim can follow it; what the twin only reads of a fleet is fleet_report.c's.
 */
#include "blocks/fleet.h"
#include "blocks/sim.h"
#include "blocks/fleet_int.h"

#include <math.h>

/* Where a vehicle stands. The plant is the truth for it, but the sim can take that only from a
 * vehicle with nothing under way: an IDLE vehicle has no pending event and holds no entity, so
 * moving it to the place at the reported node only changes where its next empty leg starts (the
 * next dispatch measures from there; with `idle: home` it stays there until its next trip ends).
 * A vehicle on a trip keeps the sim's own trip (the next report after it is followed), a node
 * that is none of the fleet's places (home, pickup, destinations) has no travel times, and with
 * zones a move would change node holdings and queues: these return -1 and the twin counts them
 * as unresolved. */

int tsim__fleet_observe(struct tsim_sim *sim, int block, int i, int node)
{
    struct fleet *s = tsim__state(sim, (uint32_t)block);
    struct vehicle *v = &s->v[i];
    if (tsim__fleet_vehicle_node(sim, block, i) == node) return 0;
    if (v->state != IDLE || s->zoned) return -1;
    for (int p = 0; p < s->paths->nplaces; p++)
        if (s->paths->place[p] == node) {
            v->place = v->to_place = p;
            return 1;
        }
    return -1;
}

/* The battery the plant reports (VDA 5050's batteryState.batteryCharge) is the truth for a
 * vehicle's charge, in every state: the charge is set from now on, and what depends on it follows.
 * A CHARGING vehicle's charge end moves to when the new charge reaches `charge_until` (at once
 * when it is there already); an IDLE vehicle below `charge_below` (or `charge_idle_below`) drives
 * to charge at once, as a vehicle that becomes free does, and otherwise its idle timer starts
 * again from the new charge. A driving vehicle decides at the end of its trip, as always. A
 * reported charge the draws empty before the vehicle decides or reaches a charger stops the run
 * as the sim's own would ("ran empty"): the model cannot follow that plant. A report within
 * 10^-9 of the capacity of the sim's charge changes nothing (the emulator's reports come back as
 * the sim has them). The charge statistics count the sim's charge up to now, the reported one
 * after it. */

int tsim__fleet_observe_battery(struct tsim_sim *sim, int block, int i, double percent)
{
    uint32_t b = (uint32_t)block, k = (uint32_t)i;
    struct fleet *s = fleet_of(sim, b);
    if (!s->battery) return -1;
    struct vehicle *v = &s->v[k];
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    charge_now(sim, b, s, k);
    double level = percent / 100 * s->cap;
    if (fabs(level - v->level) <= 1e-9 * s->cap) return 0;
    v->level = level;
    if (level < s->lvl_min) s->lvl_min = level;
    if (v->state == CHARGING) {
        tsim__cancel(sim, v->timer);
        tsim__fleet_charge_end(sim, b, s, k);
    } else if (v->state == IDLE) {
        tsim__cancel(sim, v->timer);
        v->timer = 0;
        if (level < charge_below(d) * s->cap || level < charge_idle_below(d) * s->cap)
            tsim__fleet_go_charge(sim, b, s, k);
        else
            tsim__fleet_idle_timer(sim, b, s, k);
    }
    return 1;
}

/* The plant's fatal errors (VDA 5050 errors of level FATAL) fail a vehicle as the model's own
 * failures do (fleet_fail.c): at once when it is idle, charging or on a timed step, else at
 * its next step; it stays failed until a report with no fatal error, and resumes then unless a
 * repair of the model's own still holds it. A failure is counted once however many reports
 * repeat it. */

int tsim__fleet_observe_failure(struct tsim_sim *sim, int block, int i, int fatal)
{
    uint32_t b = (uint32_t)block, k = (uint32_t)i;
    struct fleet *s = fleet_of(sim, b);
    struct vehicle *v = &s->v[k];
    if (fatal) return tsim__fleet_fail(sim, b, s, k, FAIL_PLANT);
    if (v->due & FAIL_PLANT) {
        v->due &= ~FAIL_PLANT;
        return 1;
    }
    if (v->state != FAILED || !(v->down & FAIL_PLANT)) return 0;
    v->down &= ~FAIL_PLANT;
    if (!v->down) tsim__fleet_repaired(sim, b, s, k);
    return 1;
}
