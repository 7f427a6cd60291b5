/*
 * A fleet's state (src/blocks/fleet.c) and its zone control (src/blocks/zone.c): the vehicles'
 * holds on nodes and segments, their reservations ahead and waits, the deadlock search with its
 * message, and backing off. fleet.c calls zone.c; zone.c reaches back only through the hooks
 * the fleet's state carries. The invariants are fleet.c's and zone.c's head comments. Not API.
 */
#ifndef TSIM_BLOCKS_ZONE_H
#define TSIM_BLOCKS_ZONE_H
#include "blocks/network.h"
#include "blocks/sim.h"

#include <stddef.h>
#include <stdint.h>

enum { EV_ARRIVE, EV_LOADED, EV_UNLOADED, EV_NODE, EV_CHARGED, EV_IDLE_LOW, EV_FAIL, EV_REPAIRED };
/* The vehicle states are the public enum tsim_vehicle_state: observers are told them. */
enum { IDLE = TSIM_VEHICLE_IDLE, TO_PICKUP = TSIM_VEHICLE_TO_PICKUP,
       LOADING = TSIM_VEHICLE_LOADING, LOADED = TSIM_VEHICLE_LOADED,
       UNLOADING = TSIM_VEHICLE_UNLOADING, BLOCKED = TSIM_VEHICLE_BLOCKED,
       TO_HOME = TSIM_VEHICLE_TO_HOME, ZONE_WAIT = TSIM_VEHICLE_ZONE_WAIT,
       TO_CHARGER = TSIM_VEHICLE_TO_CHARGER, CHARGING = TSIM_VEHICLE_CHARGING,
       WAIT_CHARGER = TSIM_VEHICLE_WAITING_CHARGER, FAILED = TSIM_VEHICLE_FAILED,
       NSTATES = TSIM_VEHICLE_STATE_COUNT };
enum { NBASE = TO_CHARGER }; /* the states of a fleet without a battery, reported always */

struct vehicle {
    int state;
    int place, to_place; /* where it is (or its leg started), and where its leg ends */
    int pick;            /* the pickup place of the request it drives to or loads */
    int64_t since;       /* when it entered its state (or the statistics restarted) */
    uint32_t ent;        /* the entity it carries (loads, unloads); TSIM__NIL: none */
    uint32_t aboard;     /* with `capacity` above 1: its other loads, on board with their `dest`
                          * set, in load order (linked by `next`); TSIM__NIL: none */
    uint32_t naboard;    /* how many */
    int32_t dest;        /* the block it carries `ent` to */
    uint64_t blocked_seq; /* order of becoming blocked, for the hand-over retries */
    int node, arc;        /* with zones: see the invariants */
    int back;             /* with zones: the arc by which it came to `node` (-1: none) */
    int drive;            /* with zones: the driving state (TO_PICKUP, LOADED, TO_HOME) of its leg */
    uint32_t wnext;       /* with zones: the next vehicle in the queue of the node it waits for */
    unsigned char plugged; /* with zones: charged, it keeps its point until it drives off */
    unsigned char wseg;   /* with zones: it waits (ZONE_WAIT) for the segment of `arc`, not for
                           * the node at its end */
    double run;           /* with zones and acceleration: the length from where it last stood
                           * still to the end of its arc (or to its node) */
    int64_t ticks[NSTATES]; /* time in each state since the statistics restart, `since` excluded */
    uint64_t deliveries;    /* hand-overs since the statistics restart */
    double level;           /* with a battery: its charge in kWh at `lvl_at` */
    double drate;           /* with a draw per length, its charge's rate (kWh per tick) while
                             * it drives its leg (without zones) or its arc (with them) */
    int64_t lvl_at;
    uint64_t timer;         /* while IDLE with `charge_idle_below`: its EV_IDLE_LOW; while
                             * CHARGING: its EV_CHARGED; 0: none */
    /* Failures (fleet.c, "Failures"): */
    uint64_t ev;            /* its timed step's event (EV_ARRIVE, EV_LOADED, EV_UNLOADED, EV_NODE)
                             * while one is pending, 0: none */
    int64_t ev_at;          /* when that event falls */
    signed char ev_kind;    /* its kind; while FAILED: the kind of the step paused, -1: none */
    signed char resume;     /* while FAILED: the state it goes back to after its repair */
    unsigned char due;      /* failures waiting for the vehicle to stop (FAIL_MODEL, FAIL_PLANT) */
    unsigned char down;     /* while FAILED: what holds it (FAIL_MODEL: a repair, FAIL_PLANT) */
    int64_t rest;           /* while FAILED: the ticks its paused step has left */
    uint64_t failures;      /* failures since the statistics restart */
};
/* 256 bytes on a 64-bit host, a power of two, so that finding v[i] is a shift, not a multiply:
 * at 272 bytes every vehicle access on the zones' hot path cost more (the fleet bench, callgrind:
 * 15,932 M instructions at 272 bytes, 15,330 M at 256 with enter_arc's short path). */
_Static_assert(sizeof(struct vehicle) == 256 || sizeof(void *) < 8, "struct vehicle grew");
enum { FAIL_MODEL = 1, FAIL_PLANT = 2 }; /* a vehicle's `due` and `down`: the model's failure
                                          * draws, the plant's report (VDA 5050) */

struct fleet;

/* What zone.c asks of fleet.c, through the fleet's state (`hooks`), so that zone.c calls nothing
 * of fleet.c by name: vehicle i, whose failure is due (`due`), stops at the start of its timed
 * step (tsim__vehicle_after); vehicle i's draw on the arc it enters; vehicle i enters `state`
 * (its time in states and its battery are brought up to now); vehicle i reached the end of its
 * leg; the charger block at place `p`. */
struct tsim__zone_hooks {
    int (*fail_due)(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
    /* With a draw per length: vehicle i drives `length` in `dt` ticks from now. */
    void (*arc_draw)(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, double length,
                     int64_t dt);
    void (*enter)(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int state);
    void (*leg_done)(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
    uint32_t (*charger)(const struct tsim_sim *sim, const struct fleet *s, int p);
};

struct fleet {
    struct tsim__bhdr h;
    uint32_t head, tail, nwait; /* waiting requests, oldest first; each one's `dest` holds its
                                 * pickup place while it waits */
    uint32_t nveh;
    uint32_t loads;      /* `capacity`: the most loads a vehicle carries at once */
    int nearest;         /* `request_choice: nearest`: a free vehicle takes the nearest request */
    int nprio;           /* products with a priority in `prio` */
    const int *prio;     /* `priority`: per product, its requests' priority (the model's);
                          * NULL: every request 0 */
    int ncarry;          /* products with a slot in `carry` */
    const unsigned char *carry; /* `products`: per product, whether it is carried (the
                                 * model's); NULL: every product */
    const int *park_cap; /* `parking`: the vehicles each parking holds (0: unlimited), the
                          * model's; its nodes are the places from the paths' `first_park` on */
    const struct tsim__net_paths *paths;
    int64_t state_ticks[NSTATES]; /* summed over vehicles since the statistics restart */
    struct tsim__area waiting;    /* waiting requests over time */
    struct tsim__sum wait, delivery;
    uint64_t deliveries, blocked_n;
    uint64_t zone_waits; /* vehicles that began to wait for a node */
    uint64_t deadlocks;  /* with zones: deadlocks found */
    uint64_t stalled;    /* with zones: back-offs since the last hand-over */
    int64_t within;      /* `deliver_within` in ticks; -1: not given */
    uint64_t late;       /* with `deliver_within`: late deliveries since the statistics restart */
    uint64_t late_all;   /* the same since the sim began (a forecast counts from it) */
    int zoned;
    int back_off;          /* with zones: the deadlock rule is `back_off` */
    int exact;             /* with zones: acceleration or a draw per length (by_len) make each
                            * arc's time or draw more than its length over its top speed */
    const struct tsim__zone_hooks *hooks; /* set by init; a clone's copy still points at it */
    const struct tsim__network *net;
    int *occ;              /* with zones, per node: vehicles holding it */
    uint32_t *whead, *wtail; /* with zones, per node: its queue of waiting vehicles */
    uint32_t *seen;        /* with zones, per vehicle: the deadlock search's marks */
    uint32_t *todo;        /* with zones: the deadlock search's list */
    uint32_t stamp;        /* the mark of the current deadlock search */
    uint32_t *hfirst;      /* with zones, per node: the first of its holders' links */
    uint32_t *hnext, *hprev; /* with zones, per link: a node's holders, doubly linked */
    uint32_t *segocc;      /* with segment capacities, per segment: vehicles on it */
    uint32_t *shead, *stail; /* with segment capacities, per segment: its waiting vehicles */
    int battery;           /* the fleet has a battery (`battery` given) */
    double rate[NSTATES];  /* with a battery: kWh gained per tick in each state (draws < 0) */
    double per_len[2];     /* with a draw per length, kWh per length unit driven empty and
                            * loaded (0: that draw is per time) */
    unsigned char by_len[NSTATES]; /* the driving states whose draw is per length: a vehicle's
                                    * rate in them is its `drate`, not `rate` */
    double cap;            /* with a battery: its capacity, kWh */
    int first_chg;         /* the place of the first charger (nplaces: none) */
    struct tsim__sum chg_wait; /* arrival at a charger block to a point, each visit */
    double lvl_area;       /* with a battery: the vehicles' charge over time (kWh ticks) since
                            * the statistics restart, up to each one's `lvl_at` */
    double lvl_min;        /* the lowest charge a vehicle had since then, up to its `lvl_at` */
    int failing;           /* `failures_between` given */
    int failed_seen;       /* a vehicle has failed (the failure KPIs are reported) */
    uint64_t failures;     /* failures since the statistics restart */
    struct tsim__sum repair; /* each failure's time in FAILED, counted at its end */
    struct vehicle v[];
};

/* Vehicle i's next timed step ends after `dt` ticks with event `kind` (EV_ARRIVE, EV_LOADED,
 * EV_UNLOADED, EV_NODE): kept in `ev` so that a failure can pause it; a failure due stops the
 * vehicle at its start. Inline: every step of every vehicle goes through it. */
static inline void tsim__vehicle_after(struct tsim_sim *sim, uint32_t b, struct fleet *s,
                                       uint32_t i, int64_t dt, int kind)
{
    struct vehicle *v = &s->v[i];
    v->ev = tsim__schedule(sim, sim->now + dt, b, (uint32_t)kind, i);
    v->ev_at = sim->now + dt;
    v->ev_kind = kind;
    if (v->due) s->hooks->fail_due(sim, b, s, i);
}

/* Places in a fleet's travel-time tables (struct tsim__net_paths): the home, the first pickup,
 * then the destinations (2 + k for route target k), then the other pickups (pickup_place), then
 * (with a battery) the charger blocks the fleet may use in model order, from `first_chg` on,
 * then the storage blocks it serves (`served_by`), from the paths' `first_task` on, then its
 * parking nodes (`parking`) in the order written, from the paths' `first_park` on. New places
 * go last, so that the places before them keep their numbers. */
enum { P_HOME, P_PICKUP };

/* The place of pickup k (0 .. npick) of a fleet whose route has `nto` targets. */
static inline int pickup_place(int nto, int k) { return k == 0 ? P_PICKUP : 1 + nto + k; }

/* The pickups of fleet `d` (fleet_legs.c): for each node a block that sends to it stands at,
 * the first such block in model order, into up[] (room for m->nblocks). Returns how many; -1 - b
 * when block b sends to it but stands at no node. */
int tsim__fleet_pickups(const struct tsim_model *m, const struct tsim__block_desc *d, int *up);
/* Whether every leg a vehicle of fleet `d` may drive has a path in `p` (blk[]: the block at each
 * place): home to each pickup, each pickup to each destination and back and to each other
 * pickup, each destination home when vehicles go home (`idle_home`), with `loads` above 1 each
 * destination to each other (all this when `sent`: some block sends to the fleet), and each
 * charger from every other place and back to the pickups (or home). 0, or the model error. */
int tsim__fleet_check_legs(const struct tsim_model *m, const struct tsim__block_desc *d,
                           const struct tsim__net_paths *p, const int *blk, int sent,
                           int idle_home, int loads);

/* The leg from node `from` to node `to` along the arcs hop[] (toward `to`), at top speed
 * `speed` and class speeds `cls_speed`, as one drive with acceleration `acc`, `dec` (0: none):
 * its time into `time`; returns its length (INFINITY, and the time, when there is no path). */
double tsim__fleet_leg(const struct tsim__network *net, const int *hop, int from, int to,
                       double speed, const double *cls_speed, double acc, double dec,
                       double *time);
/* Into rem[] (nnodes entries): the length from each node to node `to` along the arcs hop[]
 * (toward `to`); INFINITY where there is no path. */
void tsim__fleet_rem(const struct tsim__network *net, const int *hop, int to, double *rem);

/* The bytes a zoned fleet of `nveh` vehicles needs after its v[] on network `net`. */
size_t tsim__zone_size(const struct tsim__network *net, size_t nveh);
/* Points the arrays after v[] (tsim__zone_size counted them) into the state: after init, and
 * whenever the state has moved (a clone copies it byte for byte, pointers included). */
void tsim__zone_arrays(struct fleet *s);
/* Zone control starts: every vehicle stands at node `home`, which holds them all; `exact` is set
 * from the paths' acceleration and the draws per length (`by_len`, set before). */
void tsim__zone_init(struct fleet *s, int home);
/* Vehicle i stands at a node short of its leg's end: on to the next node, or it waits. */
void tsim__zone_step(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i's EV_NODE: it reached the node at the end of its arc. */
void tsim__zone_at_node(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i began to wait (for a node or a charging point): the deadlock search. */
void tsim__zone_deadlock_check(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i has parked at its node (`idle: parking`): the deadlock search for the vehicles
 * waiting for the node, as the node's holders that may move are one fewer. */
void tsim__zone_parked(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i);
/* Vehicle i, charged, drives off (or has no wait before it does): its point is given back. */
void tsim__zone_unplug(struct tsim_sim *sim, struct fleet *s, uint32_t i);
#endif
