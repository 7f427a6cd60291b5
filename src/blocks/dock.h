/*
 * What the live twin (src/twin) may see and tell of a dock's trucks in a sim: the functions at
 * the end of dock.c. Not API.
 *
 * Every truck known by an id has a record in the sim's state: the trucks of the appointments
 * file (records 0..n-1, in the file's arrival order) and those the plant reports that the file
 * does not know (from n on, up to TSIM__DOCK_LIVE_MAX of them, in room the dock adds to the sim's
 * state as they come: a clone has them, a reset forgets them). Trucks drawn at intervals have
 * no id and no record.
 */
#ifndef TSIM_BLOCKS_DOCK_H
#define TSIM_BLOCKS_DOCK_H
#include <stddef.h>
#include <stdint.h>
struct tsim_model;
struct tsim_sim;

/* Trucks a dock records besides its appointments, at most: about 120 bytes of the sim's state
 * each (record, id and index), copied by every clone a forecast takes, so a million is some
 * 130 MB. One more is refused. */
#define TSIM__DOCK_LIVE_MAX 1000000
/* Longest truck id a dock records for a truck the plant adds, with its terminating 0. */
#define TSIM__DOCK_ID_LEN 64

enum tsim__truck_where { TSIM__TRUCK_TO_COME, TSIM__TRUCK_YARD, TSIM__TRUCK_DOOR, TSIM__TRUCK_GONE };

/* One truck's record; times in model time units, negative while not yet. */
struct tsim__dock_truck {
    const char *id; /* valid while the sim (and its model) is, and no truck is added */
    int outbound;
    enum tsim__truck_where where;
    double arrive, start, depart; /* came, took a door, left (or was turned away) */
    double due_out;               /* the latest planned departure; negative: none */
    int64_t planned;              /* pallets of the appointment (the plant's, for a truck added) */
    int64_t pallets;              /* pallets it came with: its room, for an outbound truck */
    int64_t loaded;               /* pallets loaded (outbound) or unloaded (inbound), once gone */
    int full;                     /* gone, and loaded all its room (outbound) or every pallet */
    int late;                     /* gone after its latest planned departure */
};

/* Is block `block` of `m` a dock? */
int tsim__dock_is(const struct tsim_model *m, int block);
/* Is block `block` of `m` a dock with `loads: orders` (its trucks load the orders shipped to
 * it)? Valid once its keys are read. */
int tsim__dock_loads_orders(const struct tsim_model *m, int block);
/* Whether the plant may report truck `id` (`outbound` or inbound) at dock `block`, at `door`
 * (0-based, -1: none said), as far as the model tells: 0, or -1 with the reason in `err`. */
int tsim__dock_check_arrival(const struct tsim_model *m, int block, const char *id, int outbound,
                             int door, char *err, size_t errlen);
/* The plant says truck `id` came to dock `block` now with `pallets` (1..10^6), at `door` (0-based,
 * checked with tsim__dock_check_arrival; -1: none said). A truck of the appointments is marked
 * come now (its arrival in the file no longer counts); another is added. It takes that door if
 * free in the sim, else the first free door that serves it, else waits in the yard. A truck the
 * sim brought at this same instant is left as it is (the plant agrees). `depart` (model time;
 * negative: none said) is its latest planned departure, in place of the file's. Returns 0,
 * 1 when it is not at the door the plant said (that door is busy in the sim), or -1 with the
 * reason in `err` when nothing was done (it came already; no room for another record). Adding
 * a truck may move the sim's state (tsim__arena_add). */
int tsim__dock_arrive(struct tsim_sim *sim, int block, const char *id, int outbound,
                      int64_t pallets, int door, double depart, char *err, size_t errlen);
/* The records of dock `block`'s trucks in `sim`, and record `k` of them. */
int tsim__dock_trucks(const struct tsim_sim *sim, int block);
void tsim__dock_truck(const struct tsim_sim *sim, int block, int k, struct tsim__dock_truck *out);
#endif
