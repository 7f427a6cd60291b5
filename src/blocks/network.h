/*
 * A path network: named nodes joined by segments (directed arcs; a two-way segment is two arcs),
 * each with a length and an optional speed limit, and the node each located block stands at.
 * Vehicles of a fleet (src/blocks/fleet.c) travel on it along paths of least travel time. The
 * model owns at most one network (struct tsim_model's `net`). Not API.
 *
 * Invariants: every arc joins two existing nodes and has a length > 0 and a limit > 0 (INFINITY:
 * none); `at` has one entry per block the network was told about, -1 for a block at no node.
 */
#ifndef TSIM_BLOCKS_NETWORK_H
#define TSIM_BLOCKS_NETWORK_H

#include <stddef.h>

struct tsim__net_arc {
    int from, to;
    double length;
    double limit; /* the speed limit, in length per time unit; INFINITY: none */
    int seg;      /* the segment it belongs to (a two-way segment's two arcs share it) */
    int cls;      /* its segment's class, an index into the network's `cls`; 0: none */
};

/* Travel times between the places a fleet's vehicles stop at, found once (fleet.c's check). */
struct tsim__net_paths {
    int nplaces;
    int first_task; /* places first_task.. are the nodes of the storage blocks the fleet serves */
    int first_park; /* places first_park.. (after those) are its parking nodes (`parking`) */
    int *place;    /* the node of each place */
    int npick;     /* the fleet's pickup places, one per node a block sends to it from: place 1,
                    * then from 2 + its route's targets on (fleet.c) */
    double *empty; /* [i * nplaces + j]: the least time from place i to j at the empty speed */
    double *loaded;/* the same at the loaded speed; INFINITY: no path */
    double speed_empty, speed_loaded; /* the speeds they were found for */
    const double *cls_speed; /* the fleet's top speed on each segment class (the network's
                              * `cls_speed` of the fleet block), NULL: none */
    /* With zones, acceleration or a draw per length: the arc to take first from each node toward
     * each place, [place * nnodes + node], -1 at the place itself or where it cannot be reached.
     * The legs of the tables above follow these arcs. */
    int *hop_empty, *hop_loaded;
    double acc, dec; /* `acceleration` and `deceleration` (0: none, speed changes at once) */
    /* With a draw per length: the length of each leg of `empty` and `loaded`; NULL: not needed. */
    double *len_empty, *len_loaded;
    /* With zones and acceleration: the length left from each node to each place along the hops,
     * [place * nnodes + node] (INFINITY: no path); NULL: not needed. */
    double *rem_empty, *rem_loaded;
};

/* What a fleet's mapping keys give its dispatching (src/model/fleetload.c reads them). */
struct tsim__net_fleet {
    int nprio;  /* products with a `priority` slot */
    int *prio;  /* per product, the priority of its requests (higher first; 0 when not given) */
    int npark;  /* `parking`: its nodes, in the order written, and how many vehicles each holds */
    int *park_node, *park_cap; /* (0: unlimited) */
    int *park_line, *park_col; /* where each is written in the model file (0: not known) */
    int ncarry;     /* products with a `carry` slot */
    unsigned char *carry; /* `products`: per product, whether the fleet carries it; NULL: all */
};

struct tsim__network {
    int nnodes, cap_nodes;
    char **node;
    /* Node names hashed (open addressing, linear probing): hidx[h] is a node's index + 1, 0 an
     * empty slot; hcap is a power of two at least twice nnodes, so a lookup stays O(1) and a
     * network of 10,000 nodes and 20,000 segments loads without 10^8 name comparisons. */
    int *hidx, hcap;
    int narcs, cap_arcs;
    struct tsim__net_arc *arc;
    int nat;
    int *at; /* the node of block i, -1: none */
    int npaths;
    struct tsim__net_paths **paths; /* per block (a fleet's), NULL until found */
    /* The adjacency in compressed form (arcs sorted by `from`), built on first use; the same
     * by `to` (rfirst, rorder) for the searches toward a node. */
    int *first, *order;
    int *rfirst, *rorder;
    /* Zone control: the most vehicles of one fleet on each node at once (0: no limit). NULL
     * while no node has a limit; `zoned` says whether one has, or a segment. */
    int *cap;
    int zoned;
    /* The segments (as written; a two-way one is two arcs), and the most vehicles of one fleet
     * on each at once (0: no limit; NULL while no segment has a limit). */
    int nsegs;
    int *segcap;
    /* Segment classes by name: cls[0] is NULL (no class), cls[1 .. ncls) the names. */
    int ncls;
    char **cls;
    /* Per block (a fleet's), its top speed on each class, ncls entries (INFINITY: none given);
     * NULL for a block that gives none. `ncls_speed` blocks have a slot. */
    int ncls_speed;
    double **cls_speed;
    /* Chargers kept for some fleets (a charger's `fleets`): the pairs (keep[2k], keep[2k + 1]),
     * a charger and a fleet that may use it. A charger in no pair serves every fleet. */
    int nkeep;
    int *keep;
    /* Per block (a fleet's), the dispatching forms of its keys (struct tsim__net_fleet), NULL
     * for a block that gives none. `nfleet` blocks have a slot. */
    int nfleet;
    struct tsim__net_fleet **fleet;
};

/* The top speed of a vehicle of top speed `speed` on arc `a`: the least of `speed`, the arc's
 * limit, and the class speed `cls_speed[a->cls]` when given. */
static inline double tsim__net_arc_speed(const struct tsim__net_arc *a, double speed,
                                         const double *cls_speed)
{
    double sp = speed < a->limit ? speed : a->limit;
    return cls_speed && a->cls > 0 && cls_speed[a->cls] < sp ? cls_speed[a->cls] : sp;
}

/* The time it takes on arc `a`: length / that speed. */
static inline double tsim__net_arc_time(const struct tsim__net_arc *a, double speed,
                                        const double *cls_speed)
{
    return a->length / tsim__net_arc_speed(a, speed, cls_speed);
}

/* With acceleration (network.c, "Driving with acceleration"): the time from x0 to x1 of a drive
 * `d` long that starts and ends at standstill (0 <= x0 <= x1 <= d), at top speed `top` there,
 * speeding up at `acc` and slowing down at `dec`; with `acc` 0, (x1 - x0) / top. */
double tsim__net_drive_time(double x0, double x1, double top, double acc, double dec, double d);

struct tsim__network *tsim__net_create(void);
void tsim__net_destroy(struct tsim__network *n);
/* Frees a fleet's travel tables and `p` itself; NULL is a no-op. */
void tsim__net_paths_free(struct tsim__net_paths *p);

/* Add node `name`; returns its index, or -1 if it exists. */
int tsim__net_add_node(struct tsim__network *n, const char *name);
/* The index of node `name`, or -1. */
int tsim__net_find(const struct tsim__network *n, const char *name);
/* Add a segment from node `a` to `b` (and back when `two_way`), `length` > 0, `limit` > 0, of
 * class `cls` (tsim__net_class; 0: none). Returns its index. */
int tsim__net_add_segment(struct tsim__network *n, int a, int b, double length, double limit,
                          int two_way, int cls);
/* Segment `seg` holds at most `cap` vehicles of a fleet at once, both ways together. */
void tsim__net_set_segment_capacity(struct tsim__network *n, int seg, int cap);
/* The index of segment class `name` (from 1), made when `add` and it is new; -1 when not found. */
int tsim__net_class(struct tsim__network *n, const char *name, int add);
/* Block `block` stands at node `node`. */
void tsim__net_set_at(struct tsim__network *n, int block, int node);
/* The node of block `block`, -1 when it stands at none. */
int tsim__net_node_of(const struct tsim__network *n, int block);

/* The least travel time from node `src` to every node, into `out` (nnodes entries; INFINITY:
 * unreachable), for a vehicle of top speed `speed` and class speeds `cls_speed` (NULL: none):
 * an arc takes tsim__net_arc_time.
 * Dijkstra's search with a binary heap: O((nodes + arcs) log nodes). */
void tsim__net_times(struct tsim__network *n, int src, double speed, const double *cls_speed,
                     double *out);
/* The least travel time from every node to node `dst` into `out`, and in `hop` the arc each node
 * takes first on such a path (-1 at `dst` and where `dst` cannot be reached). Ties between paths
 * go the same way on every run (the search's order depends on the input only). */
void tsim__net_toward(struct tsim__network *n, int dst, double speed, const double *cls_speed,
                      double *out, int *hop);
/* Fleet block `block` drives at most `speed` on the segments of class `cls` (> 0). */
void tsim__net_set_class_speed(struct tsim__network *n, int block, int cls, double speed);
/* The arc from node `a` to node `b` (the first of them in the order segments were added), -1
 * when there is none. */
int tsim__net_arc_between(const struct tsim__network *n, int a, int b);
/* Parallel segments: into `beside` (nsegs entries), for each segment that joins two nodes in a
 * direction an earlier segment joins them too, that earlier segment (the first such), else -1.
 * Returns how many segments have one. O(arcs log arcs). */
int tsim__net_parallels(const struct tsim__network *n, int *beside);
/* Charger block `charger` is kept for fleet block `fleet` (and the others it is kept for). */
void tsim__net_keep_charger(struct tsim__network *n, int charger, int fleet);
/* Whether fleet block `fleet` may use charger block `charger`: it is kept for no fleet, or for
 * this one among others. */
int tsim__net_may_charge(const struct tsim__network *n, int charger, int fleet);
/* The dispatching forms of fleet block `block`, made (zeroed) on first use. */
struct tsim__net_fleet *tsim__net_fleet_of(struct tsim__network *n, int block);
/* Node `node` holds at most `cap` vehicles of a fleet at once (0: no limit). */
void tsim__net_set_capacity(struct tsim__network *n, int node, int cap);

#endif
