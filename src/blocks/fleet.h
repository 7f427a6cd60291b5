/*
 * What the live twin (src/twin/vda.c) may see and correct of a fleet's vehicles in a sim: the
 * functions at the end of fleet.c, and (vehicles.h) how many vehicles a fleet has. Not API.
 */
#ifndef TSIM_BLOCKS_FLEET_H
#define TSIM_BLOCKS_FLEET_H
#include "blocks/vehicles.h"

struct tsim_sim;

/* The network node where vehicle `i` of fleet `block` stands or last stood (with zones: the node
 * it stands at or last left; without: the node where its current leg started). */
int tsim__fleet_vehicle_node(const struct tsim_sim *sim, int block, int i);
/* Is vehicle `i` of fleet `block` driving (to a pickup, loaded, or home)? */
int tsim__fleet_vehicle_driving(const struct tsim_sim *sim, int block, int i);
/* The plant reports vehicle `i` at network node `node`. Returns 1 if it was moved there, 0 if it
 * was there already, -1 if the sim cannot follow (see fleet.c). */
int tsim__fleet_observe(struct tsim_sim *sim, int block, int i, int node);

/* A storage block served by fleet `block` (its `served_by`, storserve.c) asks for a vehicle at
 * its node for one cycle: returns 1 with `*veh` when an idle vehicle is there now (it is the
 * storage's until tsim__fleet_task_done), 0 when one is sent (`*veh`; the storage's `granted`
 * hook is called with it on arrival), -1 when none is idle (a vehicle that becomes free takes
 * the oldest waiting storage or transport request, and is sent; tsim__storage_waits). */
int tsim__fleet_task(struct tsim_sim *sim, uint32_t block, uint32_t owner, uint32_t *veh);
/* Vehicle `veh`'s cycle at the storage has ended: it is free there. */
void tsim__fleet_task_done(struct tsim_sim *sim, uint32_t block, uint32_t veh);
#endif
