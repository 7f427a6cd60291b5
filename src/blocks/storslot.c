/*
 * Where a storage block puts a load and where a retrieval takes one (storstate.h): the crane's
 * travel between the I/O point and the rack's places, each place's tag (a dedicated product or
 * a class zone), the put-away policies (random, closest, dedicated, class; slots of several
 * loads filled first; lanes of drive-in and flow racks) and the retrieval rules (FIFO, LIFO,
 * closest, random; in a lane only its front load). It chooses and never changes the state.
 *
 * Each choice scans the slot table: O(slots) a put-away or a retrieval (a class put-away ranks
 * the products too, O(products)); the block caps an aisle's slots (storage.c's SLOTS_MAX).
 */
#include "blocks/storstate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The acceleration of one axis (`key` K_ACCEL_X or K_ACCEL_Y, else `accel`), 0 for none. */
static double accel_of(const struct tsim__block_desc *d, int key)
{
    if (d->val[key].set) return d->val[key].r;
    return d->val[K_ACCEL].set ? d->val[K_ACCEL].r : 0;
}

/* The time one axis takes to move `dist` at top speed `speed_key`: dist / v without an
 * acceleration; with one, a, that also brakes at a, a trapezoidal speed profile, dist / v + v / a,
 * when the move is long enough to reach v (dist >= v^2 / a), else a triangular one, 2 sqrt(dist /
 * a). 0 without a speed (checked: no acceleration then). */
static double axis_time(const struct tsim__block_desc *d, double dist, int speed_key,
                        int accel_key)
{
    if (!d->val[speed_key].set) return 0;
    double v = d->val[speed_key].r, a = accel_of(d, accel_key);
    if (a <= 0) return dist / v;
    if (dist >= v * v / a) return dist / v + v / a;
    return 2 * sqrt(dist / a);
}

/* Travel time in model time from the I/O point, or between two places (from < 0: the I/O point);
 * a place of a lane is reached at the lane's face, each load of a slot at the slot's centre. */
double tsim__storslot_travel(const struct tsim__block_desc *d, int32_t from, int32_t to)
{
    long long bays = d->val[K_BAYS].i;
    int32_t places = (int32_t)places_of(d);
    if (from >= 0) from /= places;
    if (to >= 0) to /= places;
    double w = d->val[K_BAY_WIDTH].set ? d->val[K_BAY_WIDTH].r : 1;
    double hgt = d->val[K_LEVEL_HEIGHT].set ? d->val[K_LEVEL_HEIGHT].r : 1;
    double fx = 0, fy = 0, tx, ty;
    if (from >= 0) {
        fx = ((double)(from % bays) + 0.5) * w;
        fy = ((double)(from / bays) + 0.5) * hgt;
    }
    if (to >= 0) {
        tx = ((double)(to % bays) + 0.5) * w;
        ty = ((double)(to / bays) + 0.5) * hgt;
    } else {
        tx = ty = 0;
    }
    double h = axis_time(d, fabs(tx - fx), K_SPEED_X, K_ACCEL_X);
    double v = axis_time(d, fabs(ty - fy), K_SPEED_Y, K_ACCEL_Y);
    return h > v ? h : v;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Each place's tag, the same for all places of a slot or a lane (its bay and level).
 * Dedicated: the product the initial stock gives the slot or lane (a full rack's products in
 * turn, or the stock file's rows, empty ones too), -1 for one it does not name. Class: its zone,
 * 0 (nearest the I/O point) to classes - 1, by travel time from the I/O point: zone k holds the
 * places whose travel is between the k/classes and (k+1)/classes quantiles (places of equal
 * travel stay together, a lane's among them, so zones may differ a little in size). */
void tsim__storslot_tag(struct storage *s, const struct tsim__block_desc *d)
{
    int32_t *tag = tags_of(s);
    for (uint32_t i = 0; i < s->nslots; i++) tag[i] = -1;
    if (d->val[K_PUT_AWAY].i == PUT_DEDICATED) {
        uint32_t places = places_of(d); /* a full rack gives each slot one product */
        if (d->val[K_INITIAL].i == INITIAL_FULL)
            for (uint32_t i = 0; i < s->nslots; i++) tag[i] = (int32_t)(i / places % s->nprod);
        /* the stock file's slots each hold one product (checked), at every place */
        for (int i = 0; i < d->stock.n; i++)
            for (uint32_t k = 0; k < places; k++)
                tag[(uint32_t)d->stock.slot[i] * places + k] = d->stock.product[i];
        for (int i = 0; i < d->stock.nempty; i++)
            for (uint32_t k = 0; k < places; k++)
                tag[(uint32_t)d->stock.empty_slot[i] * places + k] = d->stock.empty_product[i];
    } else if (d->val[K_PUT_AWAY].i == PUT_CLASS) {
        uint32_t classes = d->val[K_CLASSES].set ? (uint32_t)d->val[K_CLASSES].i : 3u;
        double *t = tsim__malloc(s->nslots * sizeof *t);
        for (uint32_t i = 0; i < s->nslots; i++) t[i] = tsim__storslot_travel(d, -1, (int32_t)i);
        double *sorted = tsim__malloc(s->nslots * sizeof *sorted);
        memcpy(sorted, t, s->nslots * sizeof *t);
        qsort(sorted, s->nslots, sizeof *sorted, by_value);
        for (uint32_t i = 0; i < s->nslots; i++) {
            int32_t z = 0;
            for (uint32_t k = 1; k < classes; k++)
                if (t[i] >= sorted[(uint64_t)s->nslots * k / classes]) z = (int32_t)k;
            tag[i] = z;
        }
        tsim__free(t);
        tsim__free(sorted);
    }
}

/* The class of product `p`: the classes take equal shares of the products ranked fastest-moving
 * first, as the model lists them (`classes_by: order`) or by their retrievals so far (`turnover`;
 * ties in the model's order, so before the first retrieval both agree). O(products). */
static int32_t class_of(struct storage *s, const struct tsim__block_desc *d, int p)
{
    uint32_t classes = d->val[K_CLASSES].set ? (uint32_t)d->val[K_CLASSES].i : 3u;
    uint64_t rank = (uint64_t)p;
    if (d->val[K_CLASSES_BY].i == CLASSES_BY_TURNOVER) {
        const uint64_t *turn = turn_of(s);
        rank = 0;
        for (uint32_t q = 0; q < s->nprod; q++)
            rank += turn[q] > turn[p] || (turn[q] == turn[p] && q < (uint32_t)p);
    }
    return (int32_t)(rank * classes / s->nprod);
}

/* Whether free slot `i` may take a load of product `p` under the put-away policy, `zone` being
 * p's class (policy class) or -1 for any zone. */
int tsim__storslot_may_take(struct storage *s, long long rule, uint32_t i, int p, int32_t zone)
{
    if (rule == PUT_DEDICATED) return tags_of(s)[i] == p;
    if (rule == PUT_CLASS && zone >= 0) return tags_of(s)[i] == zone;
    return 1;
}

/* Whether free place `i` of a selective rack is in a slot of several loads that holds one
 * already (stored, or a put-away on its way): put-away fills such a slot before it starts an
 * empty one. Never with one load a slot. O(slot_loads). */
static int partly(struct storage *s, const struct tsim__block_desc *d, uint32_t i)
{
    uint32_t n = loads_of(d);
    if (n == 1 || lanes_on(d)) return 0;
    const struct slot *sl = slots_of(s);
    for (uint32_t j = i - i % n; j < i - i % n + n; j++)
        if (sl[j].state != FREE) return 1;
    return 0;
}

/* Whether place `i` is free and may take a load of product `p` (`zone`: see may_take), and,
 * when `fill`, is in a slot that holds a load already. */
static int put_ok(struct storage *s, const struct tsim__block_desc *d, uint32_t i, int p,
                  int32_t zone, int fill)
{
    return slots_of(s)[i].state == FREE &&
           tsim__storslot_may_take(s, d->val[K_PUT_AWAY].i, i, p, zone) &&
           (!fill || partly(s, d, i));
}

/* Among the free places that put_ok allows (`fill` as there), the one nearest the I/O point
 * (the first of equals), or one drawn when `random`; -1 if none. Draws only when one is there. */
static int32_t put_choose(struct tsim_sim *sim, struct storage *s,
                          const struct tsim__block_desc *d, int p, int32_t zone, int fill,
                          int random)
{
    if (random) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < s->nslots; i++) n += put_ok(s, d, i, p, zone, fill);
        if (n == 0) return -1;
        uint32_t k = (uint32_t)(tsim__draw_u(sim, &s->h.rng[TSIM__RNG_ROUTE]) * n);
        if (k >= n) k = n - 1;
        for (uint32_t i = 0; i < s->nslots; i++)
            if (put_ok(s, d, i, p, zone, fill) && k-- == 0) return (int32_t)i;
        return -1;
    }
    int32_t best = -1;
    double bt = 0;
    for (uint32_t i = 0; i < s->nslots; i++) {
        if (!put_ok(s, d, i, p, zone, fill)) continue;
        double t = tsim__storslot_travel(d, -1, (int32_t)i);
        if (best < 0 || t < bt) best = (int32_t)i, bt = t;
    }
    return best;
}

/* The free place for a load of product `p` in a selective rack: with slots of several loads,
 * first among the places of slots that hold a load already, then among all, each time by the
 * policy: the closest (`closest`; `dedicated`, among its product's), one drawn (`random`), or
 * one drawn in the product's class zone, or in any zone when that one is full (`class`). -1 if
 * none. With one load a slot the first round finds nothing and draws nothing. */
static int32_t put_slot_selective(struct tsim_sim *sim, struct storage *s,
                                  const struct tsim__block_desc *d, int p)
{
    long long rule = d->val[K_PUT_AWAY].i;
    int random = rule == PUT_RANDOM || rule == PUT_CLASS;
    int32_t zone = rule == PUT_CLASS ? class_of(s, d, p) : -1;
    for (int fill = loads_of(d) > 1; fill >= 0; fill--) {
        int32_t i = put_choose(sim, s, d, p, zone, fill, random);
        if (i < 0 && zone >= 0) i = put_choose(sim, s, d, p, -1, fill, random);
        if (i >= 0) return i;
    }
    return -1;
}

/* Whether lane `l` may take a load of product `p` now: it holds p and has room (`empty` 0) or
 * is empty (`empty` 1), and the policy allows it (may_take on its first place: a lane's places
 * share their tag, the lane's product under dedicated, its zone under class). */
static int lane_ok(struct storage *s, const struct tsim__block_desc *d, uint32_t l, int p,
                   int32_t zone, int empty)
{
    uint32_t depth = depth_of(d);
    const struct lane *ln = &lanes_of(s)[l];
    int room = empty ? ln->n == 0 : ln->n > 0 && ln->n < depth && ln->product == (uint32_t)p;
    return room && tsim__storslot_may_take(s, d->val[K_PUT_AWAY].i, l * depth, p, zone);
}

/* Among the lanes lane_ok allows (`zone` as there), those that hold p with room, else the
 * empty ones; of them one drawn (`random`) or the one nearest the I/O point (the first of
 * equals); the slot is the lane's next position. -1 if none. Draws only when one is there. */
static int32_t lane_choose(struct tsim_sim *sim, struct storage *s,
                           const struct tsim__block_desc *d, int p, int32_t zone, int random)
{
    uint32_t depth = depth_of(d), nl = s->nslots / depth;
    const struct lane *ln = lanes_of(s);
    int empty = 0;
    uint32_t n = 0;
    for (; empty < 2; empty++) {
        for (uint32_t l = 0; l < nl; l++) n += lane_ok(s, d, l, p, zone, empty);
        if (n) break;
    }
    if (n == 0) return -1;
    uint32_t k = 0;
    if (random) {
        k = (uint32_t)(tsim__draw_u(sim, &s->h.rng[TSIM__RNG_ROUTE]) * n);
        if (k >= n) k = n - 1;
    }
    int32_t best = -1;
    double bt = 0;
    for (uint32_t l = 0; l < nl; l++) {
        if (!lane_ok(s, d, l, p, zone, empty)) continue;
        int32_t i = (int32_t)(l * depth + (ln[l].head + ln[l].n) % depth);
        if (random) {
            if (k-- == 0) return i;
            continue;
        }
        double t = tsim__storslot_travel(d, -1, i);
        if (best < 0 || t < bt) best = i, bt = t;
    }
    return best;
}

/* The slot for a load of product `p` in a drive-in or flow rack: the next position of a lane
 * that holds p and has room, else of an empty lane, by the policy: one drawn (`random`), the
 * nearest (`closest`), the nearest of p's own lanes (`dedicated`), or the nearest in the zone
 * of p's class, and in any zone when none there takes it (`class`). -1 if no lane takes it now. */
static int32_t put_slot_lane(struct tsim_sim *sim, struct storage *s,
                             const struct tsim__block_desc *d, int p)
{
    long long rule = d->val[K_PUT_AWAY].i;
    int32_t zone = rule == PUT_CLASS ? class_of(s, d, p) : -1;
    int32_t i = lane_choose(sim, s, d, p, zone, rule == PUT_RANDOM);
    if (i < 0 && zone >= 0) i = lane_choose(sim, s, d, p, -1, 0);
    return i;
}

/* The slot a put-away of product `p` goes to, -1 if none takes it now (a selective rack under
 * random or closest always has one: the block takes a load only while a slot is free). */
int32_t tsim__storslot_put(struct tsim_sim *sim, struct storage *s,
                           const struct tsim__block_desc *d, int p)
{
    if (lanes_on(d)) return put_slot_lane(sim, s, d, p);
    return put_slot_selective(sim, s, d, p);
}

/* Whether stored slot `i` can be reached: in a selective rack every slot; in a lane only the
 * front load (drive-in: the last put away, LIFO; flow: the first, FIFO), and not in lane
 * `busy`, which a put-away of the same cycle fills (a drive-in lane's new load would stand in
 * front). */
static int reachable(struct storage *s, const struct tsim__block_desc *d, uint32_t i, int32_t busy)
{
    if (!lanes_on(d)) return 1;
    uint32_t depth = depth_of(d), l = i / depth;
    const struct lane *ln = &lanes_of(s)[l];
    if (ln->n == 0) return 0;
    if (d->val[K_RACK].i == RACK_DRIVE_IN && busy >= 0 && (uint32_t)busy / depth == l) return 0;
    uint32_t front = d->val[K_RACK].i == RACK_DRIVE_IN ? (ln->head + ln->n - 1) % depth : ln->head;
    return i == l * depth + front;
}

/* The slot a retrieval takes its load from, -1 if no load it may take is available or
 * reachable; `busy` is the slot of the cycle's put-away, -1 if none. */
int32_t tsim__storslot_ret(struct tsim_sim *sim, struct storage *s,
                           const struct tsim__block_desc *d, int p, int32_t busy)
{
    struct slot *sl = slots_of(s);
    int any = p < 0;
    uint64_t n = any ? s->avail_all : avail_of(s)[p];
    if (n == 0) return -1;
    if (lanes_on(d)) { /* the reachable ones only */
        n = 0;
        for (uint32_t i = 0; i < s->nslots; i++)
            n += sl[i].state == STORED && (any || sim->ents[sl[i].ent].product == p) &&
                 reachable(s, d, i, busy);
        if (n == 0) return -1;
    }
    long long rule = d->val[K_RETRIEVAL].i;
    uint64_t k = 0;
    if (rule == RET_RANDOM) {
        k = (uint64_t)(tsim__draw_u(sim, &s->h.rng[TSIM__RNG_ROUTE]) * (double)n);
        if (k >= n) k = n - 1;
    }
    int32_t best = -1;
    double bt = 0;
    for (uint32_t i = 0; i < s->nslots; i++) {
        if (sl[i].state != STORED || (!any && sim->ents[sl[i].ent].product != p)) continue;
        if (!reachable(s, d, i, busy)) continue;
        if (rule == RET_RANDOM) {
            if (k-- == 0) return (int32_t)i;
            continue;
        }
        double t = rule == RET_CLOSEST ? tsim__storslot_travel(d, -1, (int32_t)i)
                                       : (double)sl[i].t_stored;
        if (best < 0 || (rule == RET_LIFO ? t > bt : t < bt)) best = (int32_t)i, bt = t;
    }
    return best;
}
