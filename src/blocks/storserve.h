/*
 * The servers of a storage block with `served_by` (storserve.c): the link from storage.c's
 * cycles to an operators pool or a fleet. Not API.
 */
#ifndef TSIM_BLOCKS_STORSERVE_H
#define TSIM_BLOCKS_STORSERVE_H
#include <stdint.h>
struct tsim_model;
struct tsim_sim;

/* A storage block served by a fleet (its `served_by`; storserve.c) and the fleet talk through
 * their blocks' `granted` hooks, so that neither file calls the other. The storage asks the
 * fleet's hook with (storage block, TSIM__FLEET_TASK) for a vehicle for one cycle, and gives it
 * back with (vehicle, TSIM__FLEET_TASK_DONE) at the cycle's end. The fleet answers the
 * storage's hook with (vehicle, TSIM__TASK_SENT) when a vehicle goes to it (at once, or when a
 * vehicle that became free takes the waiting storage), then (vehicle, TSIM__TASK_HERE) when it is
 * there (at once, or when it arrives); or with (TSIM__NIL, TSIM__TASK_WAITS) at once when no
 * vehicle is idle. An operators pool's grant is TSIM__TASK_HERE too (purpose 0). */
enum { TSIM__FLEET_TASK = 0xfffffff0u, TSIM__FLEET_TASK_DONE };
enum { TSIM__TASK_HERE, TSIM__TASK_SENT, TSIM__TASK_WAITS };

/* The place of `served_by` in a storage block's value table (storage.c's `keys`), and of `count`
 * in a fleet's (fleet.c's), held to them by static assertions there: vehicles.h and storserve.c
 * read them. */
enum { TSIM__STORAGE_K_SERVED_BY = 26, TSIM__STORSERVE_FLEET_COUNT = 0 };

/* The servers of a storage block with `served_by` (storserve.c; `by` is the key's value): how
 * many cycles may be under way at once (one a server, at most `nslots`); ask for one server for
 * block `b`, returning 1 with `*server` when one is there now, else 0: the block's `granted`
 * hook is called with it when it comes; give server `server` back at its cycle's end. With a
 * fleet the ask returns 2: the fleet has answered through the block's `granted` hook
 * (storserve.h). */
uint32_t tsim__storserve_servers(const struct tsim_model *m, long long by, uint32_t nslots);
int tsim__storserve_ask(struct tsim_sim *sim, uint32_t b, long long by, uint32_t *server);
void tsim__storserve_release(struct tsim_sim *sim, long long by, uint32_t server);
#endif
