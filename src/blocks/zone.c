/*
 * Zone control of a fleet's vehicles (a network with node or segment capacities, network.h's
 * `zoned`): vehicles drive node by node along their least-time path. A vehicle holds the node it
 * stands at, and on a segment both its end nodes (the one it left is given back when it reaches
 * the other). Before it enters a segment it waits while the segment is full (with a capacity),
 * then reserves the node at its end; when that node is full, or other vehicles already wait for
 * it, it waits (ZONE_WAIT) at the node it stands at, in a first-come first-served queue of that
 * node (or of the segment). A node or segment given back goes to its waiting vehicles in that
 * order. When a vehicle starts to wait for a node (or a charging point), the vehicles it waits
 * for are followed (the holders of the node it wants, the holders of the nodes those want, ...):
 * if all of them wait too, none of them can ever move, a deadlock, and the sim stops with an
 * error that names the cycle, or with `deadlock: back_off` a vehicle of the cycle backs off.
 * Zones count the vehicles of one fleet (fleets do not see each other's vehicles). A parked
 * vehicle (`idle: parking`) holds its node like any other, but the search takes it as one that
 * does not move (parked() below), and runs again when a vehicle parks (tsim__zone_parked).
 *
 * Invariants: `node` is the node a vehicle stands at or last left; `arc` the segment it drives or
 * waits to enter (-1: none); a vehicle waits in at most one queue (linked by `wnext`): a node's
 * (whead/wtail), empty unless the node is full (occ >= cap), or a segment's (shead/stail, `wseg`
 * set), empty unless the segment is full; a vehicle holds a charger's point while CHARGING, or
 * while `plugged` (charged, waiting to drive off).
 *
 * The fleet (fleet.c) calls the functions of zone.h; what this file needs of the fleet (a
 * vehicle's change of state, the end of its leg, the charger at a place) it asks through the
 * hooks in the fleet's state.
 */
#include "blocks/zone.h"
#include "blocks/charger.h"

#include <stdio.h>

size_t tsim__zone_size(const struct tsim__network *net, size_t n)
{
    size_t size = (size_t)net->nnodes * 4 * sizeof(uint32_t) + 6 * n * sizeof(uint32_t);
    if (net->segcap) size += (size_t)net->nsegs * 3 * sizeof(uint32_t);
    return size;
}


/* A node's holders, so that the deadlock search visits them without a look at every vehicle.
 * Vehicle i has two links: LINK_AT(i) is in the list of the node it stands at or last left,
 * LINK_ARC(i) in the list of the node at the end of the arc it drives (not the one it waits to
 * enter). So the list of a node has exactly occ[node] links, and holds() below agrees with it. */
#define LINK_AT(i) (2 * (i))
#define LINK_ARC(i) (2 * (i) + 1)

static void hold(struct fleet *s, uint32_t link, int node)
{
    s->hprev[link] = TSIM__NIL;
    s->hnext[link] = s->hfirst[node];
    if (s->hfirst[node] != TSIM__NIL) s->hprev[s->hfirst[node]] = link;
    s->hfirst[node] = link;
}

static void unhold(struct fleet *s, uint32_t link, int node)
{
    if (s->hprev[link] == TSIM__NIL) s->hfirst[node] = s->hnext[link];
    else s->hnext[s->hprev[link]] = s->hnext[link];
    if (s->hnext[link] != TSIM__NIL) s->hprev[s->hnext[link]] = s->hprev[link];
}

/* The arrays after v[] (state_size counted them) are reached through pointers into the state
 * itself. A clone copies the state byte for byte, pointers included, so they would still point
 * into the original's state: fleet_of points them again whenever the state has moved. */
void tsim__zone_arrays(struct fleet *s)
{
    int nn = s->net->nnodes;
    s->occ = (int *)(void *)&s->v[s->nveh];
    s->whead = (uint32_t *)(void *)(s->occ + nn);
    s->wtail = s->whead + nn;
    s->seen = s->wtail + nn;
    s->todo = s->seen + s->nveh;
    s->hfirst = s->todo + s->nveh;
    s->hnext = s->hfirst + nn;
    s->hprev = s->hnext + 2 * s->nveh;
    s->segocc = s->shead = s->stail = NULL;
    if (!s->net->segcap) return; /* state_size counted them with segment capacities only */
    s->segocc = s->hprev + 2 * s->nveh;
    s->shead = s->segocc + s->net->nsegs;
    s->stail = s->shead + s->net->nsegs;
}

void tsim__zone_init(struct fleet *s, int home)
{
    int nn = s->net->nnodes;
    tsim__zone_arrays(s); /* the state is zeroed when it is made */
    for (int k = 0; k < nn; k++) s->whead[k] = s->wtail[k] = s->hfirst[k] = TSIM__NIL;
    for (int k = 0; s->net->segcap && k < s->net->nsegs; k++) s->shead[k] = s->stail[k] = TSIM__NIL;
    s->occ[home] = (int)s->nveh; /* check made sure that home holds them all */
    s->exact = s->paths->acc > 0 || s->by_len[TO_PICKUP] || s->by_len[LOADED];
    for (uint32_t i = s->nveh; i-- > 0;) hold(s, LINK_AT(i), home);
}

static int node_full(const struct fleet *s, int node)
{
    const int *cap = s->net->cap;
    return cap && cap[node] > 0 && s->occ[node] >= cap[node];
}

/* Whether segment `seg` keeps a vehicle out now: it is full, or vehicles already wait for it. */
static int seg_blocked(const struct fleet *s, int seg)
{
    const int *cap = s->net->segcap;
    return cap && cap[seg] > 0 && (s->shead[seg] != TSIM__NIL || s->segocc[seg] >= (uint32_t)cap[seg]);
}

/* Vehicle i joins the end of the queue head[k]..tail[k] (of a node or a segment). */
static void enqueue(struct fleet *s, uint32_t *head, uint32_t *tail, int k, uint32_t i)
{
    s->v[i].wnext = TSIM__NIL;
    if (head[k] == TSIM__NIL) head[k] = i;
    else s->v[tail[k]].wnext = i;
    tail[k] = i;
}

static uint32_t dequeue(struct fleet *s, uint32_t *head, uint32_t *tail, int k)
{
    uint32_t j = head[k];
    head[k] = s->v[j].wnext;
    if (head[k] == TSIM__NIL) tail[k] = TSIM__NIL;
    return j;
}

/* Vehicle i, charged, drives off (or has no wait before it does): its point is given back. */
void tsim__zone_unplug(struct tsim_sim *sim, struct fleet *s, uint32_t i)
{
    s->v[i].plugged = 0;
    tsim__charger_leave(sim, s->hooks->charger(sim, s, s->v[i].place));
}

/* With acceleration: whether vehicle v, about to drive arc `a` to a node short of its leg's end,
 * brakes to stand at that node: the node after it on its path is full or waited for, or the
 * segment to it is blocked, now, as it enters the arc (what tsim__zone_step would find there). */
static int brakes(const struct fleet *s, const struct vehicle *v, const struct tsim__net_arc *a)
{
    const int *hop = v->drive == LOADED ? s->paths->hop_loaded : s->paths->hop_empty;
    const struct tsim__net_arc *n =
        &s->net->arc[hop[(size_t)v->to_place * (size_t)s->net->nnodes + (size_t)a->to]];
    return s->whead[n->to] != TSIM__NIL || node_full(s, n->to) || seg_blocked(s, n->seg);
}

/* With acceleration, the time vehicle i takes on arc `a` at top speed `sp` (`run` after it last
 * stood still): as a part of one drive from there to where it will stand next. That is the end
 * of its leg, unless it brakes at the arc's end (brakes(): it would wait there) or `stop` (it
 * backs off). So a vehicle keeps its speed through the nodes it passes, and slows to stand where
 * it waits. The look is one node ahead, as the vehicle enters the arc: it stands at the arc's
 * end even when the node ahead is given back while it brakes (it starts again from standstill),
 * and a node taken while it drives the arc at speed stops it at once at the arc's end (the
 * slowing down before a wait it could not foresee is left out). An arc too short to brake on
 * from the speed the vehicle has slows it at once to the speed it can stop from, as a lower speed
 * limit does. */
static int64_t accel_ticks(struct tsim_sim *sim, const struct fleet *s, struct vehicle *v,
                           const struct tsim__net_arc *a, double sp, int stop)
{
    const struct tsim__net_paths *p = s->paths;
    const double *rem = v->drive == LOADED ? p->rem_loaded : p->rem_empty;
    double x0 = v->run, x1 = x0 + a->length, d = x1;
    if (!stop) {
        double r = rem[(size_t)v->to_place * (size_t)s->net->nnodes + (size_t)a->to];
        if (r > 0 && !brakes(s, v, a)) d = x1 + r;
    }
    v->run = d > x1 ? x1 : 0;
    double top = tsim__net_arc_speed(a, sp, p->cls_speed);
    return tsim__ticks(sim, tsim__net_drive_time(x0, x1, top, p->acc, p->dec, d));
}

/* The ticks vehicle i takes on arc `a` at top speed `sp` of a fleet with acceleration or a draw
 * per length (`exact`), its draw on the arc set. Apart from enter_arc, so that the fleets without
 * either (most, and the fleet bench) keep a short enter_arc. */
static __attribute__((noinline)) int64_t exact_ticks(struct tsim_sim *sim, uint32_t b,
                                                      struct fleet *s, uint32_t i,
                                                      const struct tsim__net_arc *a, double sp,
                                                      int stop)
{
    struct vehicle *v = &s->v[i];
    int64_t dt = s->paths->acc > 0
                     ? accel_ticks(sim, s, v, a, sp, stop)
                     : tsim__ticks(sim, tsim__net_arc_time(a, sp, s->paths->cls_speed));
    if (s->by_len[v->drive]) s->hooks->arc_draw(sim, b, s, i, a->length, dt);
    return dt;
}

/* Vehicle i holds the node at the end of its arc: it drives the arc (`stop`: and stops there). */
static void enter_arc(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int stop)
{
    struct vehicle *v = &s->v[i];
    const struct tsim__net_arc *a = &s->net->arc[v->arc];
    double sp = v->drive == LOADED ? s->paths->speed_loaded : s->paths->speed_empty;
    s->occ[a->to]++;
    hold(s, LINK_ARC(i), a->to);
    if (s->net->segcap) s->segocc[a->seg]++;
    int64_t dt = s->exact ? exact_ticks(sim, b, s, i, a, sp, stop)
                          : tsim__ticks(sim, tsim__net_arc_time(a, sp, s->paths->cls_speed));
    tsim__vehicle_after(sim, b, s, i, dt, EV_NODE);
    if (v->plugged) tsim__zone_unplug(sim, s, i);
}

/* Vehicle i, standing, may take the segment of its arc: it enters the arc, or waits for the node
 * at its end. `waiting`: it waits already (for the segment), so a wait goes on, not a new one. */
static void to_node(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int waiting)
{
    struct vehicle *v = &s->v[i];
    int w = s->net->arc[v->arc].to;
    v->wseg = 0;
    if (s->whead[w] == TSIM__NIL && !node_full(s, w)) {
        if (waiting) s->hooks->enter(sim, b, s, i, v->drive);
        enter_arc(sim, b, s, i, 0);
        return;
    }
    v->run = 0; /* it stops to wait */
    enqueue(s, s->whead, s->wtail, w, i);
    if (!waiting) {
        s->zone_waits++;
        s->hooks->enter(sim, b, s, i, ZONE_WAIT);
    }
    tsim__zone_deadlock_check(sim, b, s, i);
}

/* Vehicle i stands at a node short of its leg's end: on to the next node, or wait for the
 * segment there (while it is full) or for the node at its end. A vehicle waiting for a segment
 * waits for vehicles that drive on it, which always reach its end: no deadlock check. */
void tsim__zone_step(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    const int *hop = v->drive == LOADED ? s->paths->hop_loaded : s->paths->hop_empty;
    v->arc = hop[v->to_place * s->net->nnodes + v->node];
    int seg = s->net->arc[v->arc].seg;
    if (!seg_blocked(s, seg)) {
        to_node(sim, b, s, i, 0);
        return;
    }
    v->wseg = 1;
    v->run = 0;
    enqueue(s, s->shead, s->stail, seg, i);
    s->zone_waits++;
    s->hooks->enter(sim, b, s, i, ZONE_WAIT);
}

/* A vehicle gave node `node` back: its waiting vehicles enter, first come first served; one
 * whose segment is full now goes on to wait for that (at the end of its queue). */
static void release(struct tsim_sim *sim, uint32_t b, struct fleet *s, int node)
{
    s->occ[node]--;
    while (s->whead[node] != TSIM__NIL && !node_full(s, node)) {
        uint32_t j = dequeue(s, s->whead, s->wtail, node);
        int seg = s->net->arc[s->v[j].arc].seg;
        if (seg_blocked(s, seg)) {
            s->v[j].wseg = 1;
            enqueue(s, s->shead, s->stail, seg, j);
            continue;
        }
        s->hooks->enter(sim, b, s, j, s->v[j].drive);
        enter_arc(sim, b, s, j, 0);
    }
}

/* A vehicle left segment `seg`: its waiting vehicles take it, first come first served, each on
 * to its node or to wait for it. */
static void release_seg(struct tsim_sim *sim, uint32_t b, struct fleet *s, int seg)
{
    s->segocc[seg]--;
    while (s->shead[seg] != TSIM__NIL && s->segocc[seg] < (uint32_t)s->net->segcap[seg])
        to_node(sim, b, s, dequeue(s, s->shead, s->stail, seg), 1);
}

/* Vehicle i reached the node at the end of its arc. */
void tsim__zone_at_node(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    struct vehicle *v = &s->v[i];
    int left = v->node;
    v->node = s->net->arc[v->arc].to;
    v->back = v->arc;
    v->arc = -1;
    unhold(s, LINK_AT(i), left);
    unhold(s, LINK_ARC(i), v->node);
    hold(s, LINK_AT(i), v->node);
    release(sim, b, s, left);
    if (s->net->segcap) release_seg(sim, b, s, s->net->arc[v->back].seg);
    if (v->node == s->paths->place[v->to_place]) s->hooks->leg_done(sim, b, s, i);
    else tsim__zone_step(sim, b, s, i);
}

/* Whether vehicle j holds node `node`: it stands at it, or drives the arc that ends there. */
static int holds(const struct fleet *s, uint32_t j, int node)
{
    const struct vehicle *v = &s->v[j];
    return v->node == node || (v->state != ZONE_WAIT && v->arc >= 0 && s->net->arc[v->arc].to == node);
}

/* A new mark for the deadlock search (marks are stamps, so that none need clearing). */
static uint32_t new_stamp(struct fleet *s)
{
    if (++s->stamp == 0) {
        for (uint32_t j = 0; j < s->nveh; j++) s->seen[j] = 0;
        s->stamp = 1;
    }
    return s->stamp;
}

/* The most back-offs of a fleet, per vehicle, with no hand-over between. Two vehicles may give
 * way to each other without end (on a dead-end lane that the one that must give way cannot
 * leave, the other backs into the lane again and again); past this no vehicle may back off until
 * a delivery is made, so such a livelock stops the run with the deadlock's error instead of
 * running for ever, while a fleet that delivers may back off as often as it needs. */
#define BACK_OFF_MAX 32

/* Whether a vehicle may back off along arc `a` at once: toward a node other than `want` that
 * has room, on a segment that has room. */
static int may_back_to(const struct fleet *s, int a, int want)
{
    int to = s->net->arc[a].to;
    return to != want && !node_full(s, to) && !seg_blocked(s, s->net->arc[a].seg);
}

/* The arc by which waiting vehicle i may back off: to the node it came from (the other end of
 * the last segment it drove) when a segment leads back there and it has room, else along the
 * first segment from its node (in the order the model gives them) to another node with room
 * that is not the node it waits for; -1 when there is none. */
static int back_arc(const struct fleet *s, uint32_t i)
{
    const struct vehicle *v = &s->v[i];
    if (v->state != ZONE_WAIT || v->wseg) return -1;
    int want = s->net->arc[v->arc].to;
    if (v->back >= 0) {
        int a = tsim__net_arc_between(s->net, v->node, s->net->arc[v->back].from);
        if (a >= 0 && may_back_to(s, a, want)) return a;
    }
    const struct tsim__network *n = s->net; /* its adjacency was built by the check's searches */
    TSIM__ASSERT(n->first, "network adjacency not built");
    for (int k = n->first[v->node]; k < n->first[v->node + 1]; k++)
        if (may_back_to(s, n->order[k], want)) return n->order[k];
    return -1;
}

/* Waiting vehicle i backs off along arc r (back_arc): it leaves the queue of the node it waited
 * for and drives back, holding both ends as on any arc, so its node is given back when it
 * arrives; there it goes on along its least-time path from that node, as at any node. */
static void back_off(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i, int r)
{
    struct vehicle *v = &s->v[i];
    int w = s->net->arc[v->arc].to;
    uint32_t prev = TSIM__NIL;
    for (uint32_t j = s->whead[w]; j != i; j = s->v[j].wnext) prev = j;
    if (prev == TSIM__NIL) s->whead[w] = v->wnext;
    else s->v[prev].wnext = v->wnext;
    if (s->wtail[w] == i) s->wtail[w] = prev;
    v->arc = r;
    s->stalled++;
    s->hooks->enter(sim, b, s, i, v->drive);
    enter_arc(sim, b, s, i, 1);
}

/* Whether vehicle j waits for something that only another vehicle's move can give it: a node,
 * or a charging point (a vehicle waiting for a segment waits for vehicles driving it). */
static int stuck(const struct fleet *s, uint32_t j)
{
    return (s->v[j].state == ZONE_WAIT && !s->v[j].wseg) || s->v[j].state == WAIT_CHARGER;
}

/* Whether vehicle j is parked (`idle: parking`: every idle vehicle of such a fleet under zone
 * control stands at a parking, or at its home, which never fills): it holds a place of its
 * parking node and leaves only when work takes it away, which may never come, so the deadlock
 * search takes it as one that does not move and looks at the node's other holders. The fleet's
 * check keeps parking nodes off every other vehicle's way, so a vehicle waits for a parking node
 * only to park there, and then the node holds one vehicle that is not parked (its places fit in
 * its zone, and the vehicles parked or driving there to park fill them at most). */
static int parked(const struct fleet *s, uint32_t j)
{
    return s->park_cap && s->v[j].state == IDLE;
}

/* Whether vehicle j holds a point of the charger vehicle x waits at: it has charged there and
 * waits to drive off (the vehicles charging hold the others, and will give them back). */
static int holds_point(const struct fleet *s, uint32_t j, uint32_t x)
{
    return s->v[j].plugged && s->v[j].place == s->v[x].place;
}

/* The vehicle that waiting vehicle x waits for next on the cycle the search names: the
 * lowest-numbered holder of what x waits for that the walk (stamp `mark`) has not met yet, or
 * the lowest-numbered holder when it met all of them. */
static uint32_t next_on_cycle(const struct fleet *s, uint32_t x, uint32_t mark)
{
    const struct vehicle *v = &s->v[x];
    int node = v->state == WAIT_CHARGER ? v->node : s->net->arc[v->arc].to;
    uint32_t best = TSIM__NIL, best_new = TSIM__NIL;
    for (uint32_t l = s->hfirst[node]; l != TSIM__NIL; l = s->hnext[l]) {
        uint32_t j = l / 2;
        if (v->state == WAIT_CHARGER ? !holds_point(s, j, x) : !holds(s, j, node) || parked(s, j))
            continue;
        if (j < best) best = j;
        if (s->seen[j] != mark && j < best_new) best_new = j;
    }
    return best_new != TSIM__NIL ? best_new : best;
}

/* Vehicle i began to wait, for a node or a charging point. Every vehicle it waits for, directly
 * or through others, is found (breadth first: the holders of the node each one wants, from the
 * node's list of holders, or of the points of its charger, so the search costs the vehicles it
 * meets, not the fleet's size; the order it meets them in decides nothing, only whether all of
 * them wait). If one of them does not wait, it will give its node or point back, and so, one
 * after another, will the vehicles between it and i: no deadlock. If all of them wait, none
 * ever moves: a deadlock, and a cycle among them is followed from i (next_on_cycle). A
 * deadlock that forms always includes the vehicle that began to wait last, so checking it then
 * finds every one. (A vehicle that has charged keeps its point while it waits to drive off, so
 * a cycle may close through a vehicle waiting for a point.)
 * With `deadlock: stop` the sim stops with an error that names the cycle. With `back_off` a
 * vehicle of the cycle that can back off (back_arc) does, which gives its node to the vehicle of
 * the cycle waiting for it, and the run goes on: an empty one before a loaded one (a loaded
 * vehicle keeps the right of way, so on a dead-end lane the vehicle coming out with its load
 * gets out), the highest-numbered among equals (so two vehicles meeting again settle it the
 * same way). When none of the cycle can back off, the sim stops as with `stop`. */
void tsim__zone_deadlock_check(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    uint32_t mark = new_stamp(s), n = 0;
    s->seen[i] = mark;
    s->todo[n++] = i;
    for (uint32_t k = 0; k < n; k++) {
        const struct vehicle *x = &s->v[s->todo[k]];
        /* A vehicle waiting for a point waits for the vehicles holding the points: followed only
         * when all of them are of this fleet, charged and waiting to drive off. */
        int at_point = x->state == WAIT_CHARGER;
        int want = at_point ? x->node : s->net->arc[x->arc].to;
        uint32_t held = 0;
        for (uint32_t l = s->hfirst[want]; l != TSIM__NIL; l = s->hnext[l]) {
            uint32_t j = l / 2;
            if (at_point && !holds_point(s, j, s->todo[k])) continue;
            if (!stuck(s, j)) {
                if (!parked(s, j)) return; /* it will move */
                continue;
            }
            held++;
            if (s->seen[j] != mark) {
                s->seen[j] = mark;
                s->todo[n++] = j;
            }
        }
        if (at_point && held < tsim__charger_points(sim, s->hooks->charger(sim, s, x->place))) return;
        if (held == 0) return; /* only parked vehicles: not a cycle (the check rules it out) */
    }
    /* A deadlock: follow i's waits until a vehicle comes again; the cycle starts there. */
    s->deadlocks++;
    mark = new_stamp(s);
    n = 0;
    uint32_t x = i;
    while (s->seen[x] != mark) {
        s->seen[x] = mark;
        s->todo[n++] = x;
        x = next_on_cycle(s, x, mark);
    }
    uint32_t first = 0;
    while (s->todo[first] != x) first++;
    int back_off_rule = s->back_off;
    if (back_off_rule && s->stalled < (uint64_t)BACK_OFF_MAX * s->nveh) {
        /* Empty vehicles give way to loaded ones, higher numbers to lower ones. */
        uint32_t y = TSIM__NIL;
        int r = -1;
        uint64_t rank = 0;
        for (uint32_t k = first; k < n; k++) {
            uint32_t c = s->todo[k];
            int a = back_arc(s, c);
            uint64_t rk = (uint64_t)(s->v[c].drive != LOADED) * s->nveh + c + 1;
            if (a >= 0 && rk > rank) y = c, r = a, rank = rk;
        }
        if (y != TSIM__NIL) {
            back_off(sim, b, s, y, r);
            return;
        }
    }
    const char *name = tsim__desc(sim, b)->name;
    char msg[sizeof sim->errmsg];
    size_t len = 0;
    for (uint32_t k = first; k < n && len < sizeof msg; k++) {
        uint32_t y = s->todo[k], z = k + 1 < n ? s->todo[k + 1] : x;
        char what[160];
        if (s->v[y].state == WAIT_CHARGER)
            snprintf(what, sizeof what, "a point of charger '%s'",
                     tsim__desc(sim, s->hooks->charger(sim, s, s->v[y].place))->name);
        else
            snprintf(what, sizeof what, "'%s'", s->net->node[s->net->arc[s->v[y].arc].to]);
        int r = snprintf(msg + len, sizeof msg - len, "%s%s %u at '%s' waits for %s held by %s %u",
                         k == first ? "" : ", ", name, y + 1, s->net->node[s->v[y].node], what,
                         name, z + 1);
        if (r < 0) break;
        len += (size_t)r;
    }
    tsim__sim_fail(sim, TSIM_ESTATE, "deadlock at %.10g %s: %s%s", tsim__time(sim, sim->now),
                   sim->m->time_unit, msg,
                   back_off_rule ? " (no vehicle of it can back off)" : "");
}

/* Vehicle i has parked at its node (`idle: parking`): the node's holders that may move are one
 * fewer, so a deadlock may form now without a vehicle beginning to wait. It goes through the
 * vehicles waiting for the node, all of which wait for its holders: the search runs from the
 * first of them. */
void tsim__zone_parked(struct tsim_sim *sim, uint32_t b, struct fleet *s, uint32_t i)
{
    uint32_t w = s->whead[s->v[i].node];
    if (w != TSIM__NIL) tsim__zone_deadlock_check(sim, b, s, w);
}
