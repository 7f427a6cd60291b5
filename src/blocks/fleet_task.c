/*
 * Storage served by a fleet (a storage block's `served_by`, storserve.c). A storage block that
 * names the fleet has no crane: each of its cycles is done by one vehicle, asked for through the
 * fleet's `granted` hook, and the fleet answers through the storage's (storserve.h), so fleet.c and
 * storage.c call each other only through their vtables. The storage blocks the fleet serves
 * (vehicles.h) are places of its travel tables after the chargers (`first_task` on, in model
 * order), at their nodes (the I/O points). The nearest idle vehicle is sent, driving empty in state
 * TO_HOME (to_home counts empty travel to any place but a pickup); at the storage it is LOADING
 * (drawing `draw_idle`) while the storage's cycle runs at the storage's own speeds, and free there
 * when the cycle ends. With no idle vehicle the storage waits: a vehicle that becomes free (and
 * need not charge) takes the oldest of the waiting storages and the waiting transport requests.
 *
 * This file chooses (which vehicle goes, which waiting storage a free vehicle takes) and tells
 * the storage; fleet.c drives the vehicle and asks here first when one becomes free, so the
 * fleet's files call one way (fleet.c -> fleet_task.c).
 */
#include "blocks/fleet.h"
#include "blocks/sim.h"
#include "blocks/fleet_int.h"

#include <math.h>
#include <stdint.h>

/* The storage block at task place p (>= first_task), and the task place of storage `owner`. */
static uint32_t task_owner(const struct tsim_model *m, const struct fleet *s, int p)
{
    return tsim__fleet_task_block(m, (int)s->h.index, p - s->paths->first_task);
}

static int task_place(const struct tsim_model *m, const struct fleet *s, uint32_t owner)
{
    int p = s->paths->first_task;
    for (uint32_t b = 0; b < owner; b++) p += tsim__storage_served_by(m, (int)b) == (int)s->h.index;
    return p;
}

/* Storage `owner`'s waiting time (ticks since it asked for a vehicle none was sent for), -1 for
 * none: one a storage served, after the vehicles and zone arrays. */
static int64_t *task_waits(struct fleet *s)
{
    size_t size = sizeof(struct fleet) + s->nveh * sizeof(struct vehicle);
    if (s->zoned) size += tsim__zone_size(s->net, s->nveh);
    return (int64_t *)(void *)((unsigned char *)s + ((size + 7) & ~(size_t)7));
}

/* Tell storage `owner` about vehicle i (its `granted` hook; storserve.h). */
static void task_tell(struct tsim_sim *sim, uint32_t owner, uint32_t i, uint32_t what)
{
    sim->vt[owner]->granted(sim, owner, i, what);
}

int tsim__fleet_task_send(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i,
                          uint32_t owner)
{
    int p = task_place(sim->m, s, owner);
    task_tell(sim, owner, i, TSIM__TASK_SENT);
    if (s->v[i].place == p) {
        set_state(sim, b, s, i, LOADING);
        task_tell(sim, owner, i, TSIM__TASK_HERE);
        return -1;
    }
    return p;
}

uint32_t tsim__fleet_task_ask(struct tsim_sim *sim, struct fleet *s, uint32_t owner)
{
    const int np = s->paths->nplaces, p = task_place(sim->m, s, owner);
    uint32_t best = TSIM__NIL;
    double best_t = INFINITY;
    for (uint32_t i = 0; i < s->nveh; i++) {
        if (s->v[i].state != IDLE) continue;
        double t = s->paths->empty[s->v[i].place * np + p];
        if (t < best_t) {
            best_t = t;
            best = i;
        }
    }
    if (best != TSIM__NIL) return best;
    task_waits(s)[p - s->paths->first_task] = sim->now + 1; /* stored + 1: 0 is none */
    task_tell(sim, owner, TSIM__NIL, TSIM__TASK_WAITS);
    return TSIM__NIL;
}

int tsim__fleet_task_arrived(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    if (v->state != TO_HOME || v->place < s->paths->first_task || v->place >= s->paths->first_park)
        return 0;
    set_state(sim, b, s, i, LOADING);
    task_tell(sim, task_owner(sim->m, s, v->place), i, TSIM__TASK_HERE);
    return 1;
}

uint32_t tsim__fleet_task_waiting(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    if (s->battery) {
        charge_now(sim, b, s, i);
        if (v->level < charge_below(tsim__desc(sim, b)) * s->cap) return TSIM__NIL;
    }
    int64_t *wait = task_waits(s), at = INT64_MAX;
    int k = -1;
    for (int j = 0; j < s->paths->first_park - s->paths->first_task; j++)
        if (wait[j] && wait[j] - 1 < at) at = wait[j] - 1, k = j;
    if (k < 0 || (s->nwait > 0 && sim->ents[s->head].t_in <= at)) return TSIM__NIL;
    wait[k] = 0;
    return task_owner(sim->m, s, s->paths->first_task + k);
}
