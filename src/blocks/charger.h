/*
 * What a fleet (src/blocks/fleet.c) asks of a charger block: a point for one of its vehicles,
 * and to give it back. The functions are in charger.c. Not API.
 */
#ifndef TSIM_BLOCKS_CHARGER_H
#define TSIM_BLOCKS_CHARGER_H
#include <stdint.h>
struct tsim_model;
struct tsim_sim;

/* Whether block `block` of `m` is a charger. */
int tsim__is_charger(const struct tsim_model *m, int block);
/* Vehicle `veh` of fleet block `owner` is at charger `c` and wants a point: returns 1 if it has
 * one now; 0 if it waits in the charger's queue, first come first served, and the fleet's
 * `granted` hook (its block vtable's) is called with (veh, c) when a point is its. */
int tsim__charger_arrive(struct tsim_sim *sim, uint32_t c, uint32_t owner, uint32_t veh);
/* Whether block `c` of `m` is a charger that stands at a node and fleet block `fleet` may use
 * (its `fleets` names that fleet, or it has none). */
int tsim__charger_serves(const struct tsim_model *m, int c, int fleet);
/* The expected wait for a point at charger `c` of a vehicle that arrives after the vehicles there
 * now (charging and queued) and `coming` more, each charging for `charge`: nothing while a point
 * is left for it, else charge x (those ahead - points + 1) / points. */
double tsim__charger_wait(const struct tsim_sim *sim, uint32_t c, uint32_t coming, double charge);
/* The `k`-th vehicle (from 0) waiting at charger `c`, in queue order: its fleet block and
 * vehicle number into *owner and *veh; returns 0 when fewer than k + 1 wait. */
int tsim__charger_waiting(const struct tsim_sim *sim, uint32_t c, uint32_t k, uint32_t *owner,
                          uint32_t *veh);
/* How many points charger `c` has. */
uint32_t tsim__charger_points(const struct tsim_sim *sim, uint32_t c);
/* What a forecast follows of a charger (src/twin/forecast.c) over a window from
 * tsim__charger_window_start to now: the vehicles that had to wait for a point (those waiting at
 * the start included), the longest queue, the queue's area (vehicles x model time), the points
 * taken and the waits of those vehicles (model time, from their arrival). Not a KPI: statistics
 * restarts leave it alone. */
struct tsim__charger_window {
    uint64_t waited, charges;
    uint32_t queue_max;
    double queue_area, wait;
};
void tsim__charger_window_start(struct tsim_sim *sim, uint32_t c);
void tsim__charger_window(const struct tsim_sim *sim, uint32_t c, struct tsim__charger_window *out);
/* A vehicle leaves charger `c` and gives its point back (to the first waiting, if any). */
void tsim__charger_leave(struct tsim_sim *sim, uint32_t c);
#endif
