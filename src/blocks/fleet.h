/*
 * What the live twin (src/twin/vda.c) may see and correct of a fleet's vehicles in a sim: the
 * functions at the end of fleet.c, and (vehicles.h) how many vehicles a fleet has. Not API.
 */
#ifndef TSIM_BLOCKS_FLEET_H
#define TSIM_BLOCKS_FLEET_H
#include "blocks/vehicles.h"

struct tsim_model;
struct tsim_sim;

/* The network node where vehicle `i` of fleet `block` stands or last stood (with zones: the node
 * it stands at or last left; without: the node where its current leg started). */
int tsim__fleet_vehicle_node(const struct tsim_sim *sim, int block, int i);
/* Is vehicle `i` of fleet `block` driving (to a pickup, loaded, home, or to a charger)? */
int tsim__fleet_vehicle_driving(const struct tsim_sim *sim, int block, int i);
/* The plant reports vehicle `i` at network node `node`. Returns 1 if it was moved there, 0 if it
 * was there already, -1 if the sim cannot follow (see fleet.c). */
int tsim__fleet_observe(struct tsim_sim *sim, int block, int i, int node);
/* Vehicle i's charge now in percent of its capacity; -1 when the fleet has no battery. */
double tsim__fleet_vehicle_charge(const struct tsim_sim *sim, int block, int i);
/* Is vehicle i charging (at a point, its charge rising)? */
int tsim__fleet_vehicle_charging(const struct tsim_sim *sim, int block, int i);
/* The plant reports vehicle i's charge at `percent` (0 to 100) of its capacity. Returns 1 if the
 * sim's charge was set to it, 0 if the sim had it already, -1 if the fleet has no battery (see
 * fleet.c). */
int tsim__fleet_observe_battery(struct tsim_sim *sim, int block, int i, double percent);
/* Fleet block `block`'s delivery target (`deliver_within`) in model time; -1 when it has none. */
double tsim__fleet_deliver_within(const struct tsim_model *m, int block);
/* The late deliveries of fleet `block` since the sim began (a statistics restart keeps them);
 * 0 without `deliver_within`. */
uint64_t tsim__fleet_late_all(const struct tsim_sim *sim, int block);

/* A transport request in a fleet, not yet handed over. */
struct tsim__fleet_request {
    uint64_t entity;  /* the entity's id (struct tsim_obs's `entity`) */
    double since;     /* model time it came to the fleet */
    int from;         /* the block at its pickup (the first that sends from that node; the fleet
                       * itself for a request from outside the flow) */
    int to;           /* its destination block; -1 while it is not chosen (before loading) */
};
/* The requests of fleet `block` not yet handed over: those waiting for a vehicle, oldest first,
 * then those the vehicles hold, vehicle by vehicle (the load in hand, then those on board), the
 * first `max` of them into out[]; returns how many there are. */
int tsim__fleet_requests(const struct tsim_sim *sim, int block, struct tsim__fleet_request *out,
                         int max);
/* Is vehicle i failed (its own failure or the plant's)? */
int tsim__fleet_vehicle_failed(const struct tsim_sim *sim, int block, int i);
/* The plant reports vehicle i with a fatal error (`fatal` 1) or with none (0). Returns 1 if the
 * sim's vehicle was failed or resumed by it (or will be, at its next step: see fleet.c), 0 if the
 * sim had that already. */
int tsim__fleet_observe_failure(struct tsim_sim *sim, int block, int i, int fatal);
#endif
