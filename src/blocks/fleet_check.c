/*
 * A fleet's check, once per model: its keys' values, where everything it drives between stands
 * (home, pickups, destinations, chargers, the storage blocks it serves: the places of its travel
 * tables, zone.h), the travel times between every two places at each speed (and, with zone
 * control, acceleration or a draw per length, the first arc toward each place from every node;
 * with acceleration the times include each leg's start and stop, fleet_legs.c), and a path for
 * every leg a vehicle may drive (fleet_legs.c).
 */
#include "blocks/charger.h"
#include "blocks/fleet_int.h"
#include "blocks/vehicles.h"

#include <math.h>
#include <stdio.h>

#define fail(...) tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__)
/* The same, reported at key `k` of the fleet when it gives it (else at the fleet). */
#define fail_at(k, ...) (tsim__model_blame_key(m, d->index, (k)), fail(__VA_ARGS__))

/* The storage blocks a fleet serves ------------------------------------------------------------ */

/* The nodes of the storage blocks fleet `fleet` serves, into `place` when not NULL (-1: one stands
 * at no node); returns how many there are. */
int tsim__fleet_task_places(const struct tsim_model *m, int fleet, int *place)
{
    int n = 0;
    for (int b = 0; b < m->nblocks; b++) {
        if (tsim__storage_served_by(m, b) != fleet) continue;
        if (place) place[n] = tsim__net_node_of(m->net, b);
        n++;
    }
    return n;
}

/* The k-th storage block fleet `fleet` serves; the one at place p (>= first_task); the place of
 * storage block `owner`. */
uint32_t tsim__fleet_task_block(const struct tsim_model *m, int fleet, int k)
{
    for (int b = 0;; b++)
        if (tsim__storage_served_by(m, b) == fleet && k-- == 0) return (uint32_t)b;
}

/* Every storage the fleet serves stands at a node and is reached from every other place (and
 * back): a vehicle may come from, and go on to, any of them. */
static int task_check(const struct tsim_model *m, const struct tsim__block_desc *d,
                      const struct tsim__net_paths *p)
{
    /* A vehicle free at the end of a cycle with nothing to do follows its idle rule: under zone
     * control, staying would hold the storage's node for good, and a vehicle sent there for the
     * next cycle would wait for it for ever. Going home or to a parking, it gives the node back
     * (a home holds every vehicle, and a parking that may fill is at no storage: park_zone_check). */
    if (m->net->zoned && p->first_task < p->first_park && d->val[K_IDLE].i == IDLE_STAY)
        return fail_at(K_IDLE, "fleet '%s' serves storage '%s' under zone control with 'idle: "
                       "stay': a vehicle free after a cycle would stay on the storage's node and "
                       "hold it (give the fleet 'idle: home' or 'idle: parking')", d->name,
                       m->blocks[tsim__fleet_task_block(m, d->index, 0)].name);
    for (int t = p->first_task; t < p->first_park; t++) {
        const char *sname = m->blocks[tsim__fleet_task_block(m, d->index, t - p->first_task)].name;
        if (p->place[t] < 0)
            return fail("storage '%s' is served by fleet '%s' but stands at no node (give it one "
                        "in the network's 'at')", sname, d->name);
        for (int k = 0; k < p->nplaces; k++)
            if (isinf(p->empty[k * p->nplaces + t]) || isinf(p->empty[t * p->nplaces + k]))
                return fail("fleet '%s' has no path between storage '%s' (node '%s') and node "
                            "'%s': the network is not connected there", d->name, sname,
                            m->net->node[p->place[t]], m->net->node[p->place[k]]);
    }
    return 0;
}

/* A vehicle may park after any trip and leave a parking for any place: every parking must be
 * reached from every other place and back. A missing path is reported at the parking's entry. */
static int park_check(const struct tsim_model *m, const struct tsim__block_desc *d,
                      const struct tsim__net_paths *p, const int *blk,
                      const struct tsim__net_fleet *ff)
{
    const int np = p->nplaces;
    for (int q = p->first_park; q < np; q++)
        for (int k = 0; k < p->first_park; k++) {
            int to = isinf(p->empty[k * np + q]), from = isinf(p->empty[q * np + k]);
            if (!to && !from) continue;
            tsim__model_blame_at(m, ff->park_line[q - p->first_park],
                                 ff->park_col[q - p->first_park]);
            const char *what = k == P_HOME ? "its home" : m->blocks[blk[k]].name;
            return fail("fleet '%s' has no path %s parking '%s' %s %s%s%s (node '%s'): the "
                        "network is not connected there", d->name, to ? "to" : "from",
                        m->net->node[p->place[q]], to ? "from" : "to", k == P_HOME ? "" : "'",
                        what, k == P_HOME ? "" : "'", m->net->node[p->place[k]]);
        }
    return 0;
}

/* Parking under zone control. A parked vehicle holds its node and leaves it only when work
 * takes it away, which may never come, so a parking node that may fill (a capacity below the
 * fleet's `count`; one that holds them all never fills) must be needed by nothing but parking:
 * it holds its places (a vehicle sent to park there always finds room in the end), no other
 * place of the fleet stands at it, and no least-time path of the fleet (from any node, empty or
 * loaded, to any place) passes through it. And the parkings hold every vehicle, so that a free
 * vehicle always has one to go to and never stays idle on a node others need. Then a vehicle
 * waits for a parking node only to park there, and among the node's holders is one that is not
 * parked (zone.c's deadlock search passes over the parked ones). Errors at the parking's entry,
 * or at `parking`. */
static int park_zone_check(const struct tsim_model *m, const struct tsim__block_desc *d,
                           const struct tsim__net_paths *p, const int *blk,
                           const struct tsim__net_fleet *ff)
{
    const struct tsim__network *net = m->net;
    const long long count = d->val[K_COUNT].i;
    long long places = 0;
    for (int k = 0; k < ff->npark; k++)
        places = ff->park_cap[k] == 0 || places < 0 ? -1 : places + ff->park_cap[k];
    if (places >= 0 && places < count)
        return fail_at(K_PARKING, "fleet '%s' has %lld vehicles but its parkings hold %lld: under "
                       "zone control each vehicle needs a place to park (a free vehicle with none "
                       "would stay on its node and hold it)", d->name, count, places);
    const size_t nn = (size_t)net->nnodes;
    int *via = tsim__malloc(nn * sizeof(int)), *walk = tsim__malloc(nn * sizeof(int));
    int rc = 0;
    for (int k = 0; k < ff->npark && !rc; k++) {
        const int node = ff->park_node[k], cap = net->cap ? net->cap[node] : 0;
        if (cap <= 0 || cap >= count) continue; /* it never fills */
        tsim__model_blame_at(m, ff->park_line[k], ff->park_col[k]);
        if (ff->park_cap[k] == 0 || ff->park_cap[k] > cap) {
            char has[32] = "unlimited";
            if (ff->park_cap[k]) snprintf(has, sizeof has, "%d", ff->park_cap[k]);
            rc = fail("parking '%s' of fleet '%s' has %s places but its node holds %d vehicle%s "
                      "(its zone capacity): under zone control its places must fit in its zone",
                      net->node[node], d->name, has, cap, cap == 1 ? "" : "s");
            break;
        }
        for (int q = 0; q < p->first_park && !rc; q++)
            if (p->place[q] == node)
                rc = fail("parking '%s' of fleet '%s' is at the node of '%s': under zone control "
                          "parked vehicles would fill it and keep the fleet's work there out "
                          "(give the parking a node of its own, or a zone that holds all %lld "
                          "vehicles)", net->node[node], d->name, m->blocks[blk[q]].name, count);
        /* The least-time paths toward each place at each speed: a node's path is its first arc,
         * then the path of the node that arc reaches, so each node is resolved once a place:
         * via[n] is 1 when n's path passes through the parking, 0 when not, -1 not known yet. */
        for (int t = 0; t < p->nplaces && !rc; t++)
            for (int sp = 0; sp < 2 && !rc && p->place[t] != node; sp++) {
                const int *hop = (sp ? p->hop_loaded : p->hop_empty) + (size_t)t * nn;
                for (size_t n = 0; n < nn; n++) via[n] = -1;
                for (size_t n0 = 0; n0 < nn && !rc; n0++) {
                    size_t len = 0;
                    for (int n = (int)n0; via[n] < 0 && len < nn; n = net->arc[hop[n]].to) {
                        walk[len++] = n;
                        if (hop[n] < 0) break;
                    }
                    while (len-- > 0) {
                        int w = walk[len], next = hop[w] < 0 ? -1 : net->arc[hop[w]].to;
                        via[w] = next < 0 ? 0 : next == node ? 1 : via[next];
                    }
                    if (via[n0] == 1)
                        rc = fail("parking '%s' of fleet '%s' is on the way from node '%s' to "
                                  "node '%s' (a least-time path of its vehicles): under zone "
                                  "control parked vehicles would fill it and block the way (give "
                                  "the parking a node off the through paths, such as a spur, or a "
                                  "zone that holds all %lld vehicles)", net->node[node], d->name,
                                  net->node[n0], net->node[p->place[t]], count);
                }
            }
    }
    tsim__free(walk);
    tsim__free(via);
    return rc;
}

/* With `products`, every product a block sends the fleet straight must be one of them: a
 * branch of a route by product, or a source's product (each of its mix). Products that come
 * through other blocks are checked as they come (fleet.c, carry_check). */
static int carry_check(const struct tsim_model *m, const struct tsim__block_desc *d,
                       const struct tsim__net_fleet *ff)
{
    if (!ff || !ff->carry) return 0;
    for (int b = 0; b < m->nblocks; b++) {
        const struct tsim__block_desc *from = &m->blocks[b];
        const struct tsim__route *r = &from->route;
        for (int k = 0; k < r->n; k++) {
            if (r->to[k] != d->index) continue;
            int n = r->rule == TSIM_ROUTE_PRODUCT ? 1
                    : from->type == TSIM_SOURCE   ? (from->mix_n ? from->mix_n : 1)
                                                  : 0;
            for (int j = 0; j < n; j++) {
                int p = r->rule == TSIM_ROUTE_PRODUCT ? r->product[k]
                        : from->mix_n                 ? from->mix_product[j]
                                                      : 0;
                if (p < ff->ncarry && ff->carry[p]) continue;
                if (m->nproducts == 0) break; /* no products: `products` named none */
                return fail_at(K_PRODUCTS, "'%s' sends product '%s' to fleet '%s', whose "
                               "'products' do not include it", from->name, m->products[p],
                               d->name);
            }
        }
    }
    return 0;
}

/* The travel tables with acceleration or a draw per length ---------------------------------- */

/* Each leg of `p` at speed `speed` (`loaded` or empty), driven along the hops: with
 * acceleration its time replaces the one at top speed (the path stays the least-time one at top
 * speed, which is the least-time one with acceleration too where the top speed is the same on
 * every segment, but need not be where it varies: docs/logistics.md, "Which path, with
 * acceleration"); with `per_len` its length is kept; with zones and acceleration, the length
 * left to each place from every node. */
static void legs(struct tsim__network *net, struct tsim__net_paths *p, double speed, int loaded,
                 int per_len)
{
    const int np = p->nplaces;
    const size_t nn = (size_t)net->nnodes;
    double *t = loaded ? p->loaded : p->empty, *len = NULL;
    const int *hop = loaded ? p->hop_loaded : p->hop_empty;
    if (per_len) len = tsim__malloc((size_t)np * (size_t)np * sizeof(double));
    for (int i = 0; i < np; i++)
        for (int j = 0; j < np; j++) {
            double time, l = tsim__fleet_leg(net, hop + (size_t)j * nn, p->place[i], p->place[j],
                                             speed, p->cls_speed, p->acc, p->dec, &time);
            if (p->acc > 0) t[i * np + j] = time;
            if (len) len[i * np + j] = l;
        }
    *(loaded ? &p->len_loaded : &p->len_empty) = len;
    if (!net->zoned || !(p->acc > 0)) return;
    double *rem = tsim__malloc((size_t)np * nn * sizeof(double));
    for (int j = 0; j < np; j++)
        tsim__fleet_rem(net, hop + (size_t)j * nn, p->place[j], rem + (size_t)j * nn);
    *(loaded ? &p->rem_loaded : &p->rem_empty) = rem;
}

int tsim__fleet_check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    struct tsim__network *net = m->net;
    const char *name = d->name;
    if (!net) return fail("fleet '%s' needs a 'network' to drive on", name);
    if (d->val[K_SPEED].r <= 0)
        return fail_at(K_SPEED, "'speed' of fleet '%s' must be more than 0", name);
    double sp_empty = d->val[K_SPEED].r;
    double sp_loaded = d->val[K_SPEED_LOADED].set ? d->val[K_SPEED_LOADED].r : sp_empty;
    if (sp_loaded <= 0)
        return fail_at(K_SPEED_LOADED, "'speed_loaded' of fleet '%s' must be more than 0", name);
    if (d->val[K_BATTERY].set) {
        if (d->val[K_BATTERY].r <= 0)
            return fail_at(K_BATTERY, "'battery' of fleet '%s' must be more than 0 kWh", name);
        if (!(d->val[K_CHARGE_RATE].r > 0))
            return fail_at(d->val[K_CHARGE_RATE].set ? K_CHARGE_RATE : K_BATTERY,
                           "fleet '%s' has a 'battery' but no 'charge_rate' (more than 0 kW)",
                           name);
        if (charge_until(d) > 1)
            return fail_at(K_CHARGE_UNTIL, "'charge_until' of fleet '%s' must be at most 1 (a "
                           "full battery)", name);
        if (charge_below(d) >= charge_until(d))
            return fail_at(d->val[K_CHARGE_BELOW].set ? K_CHARGE_BELOW : K_CHARGE_UNTIL,
                           "'charge_below' (%g) of fleet '%s' must be below its 'charge_until' "
                           "(%g)", charge_below(d), name, charge_until(d));
        if (charge_idle_below(d) >= charge_until(d))
            return fail_at(K_CHARGE_IDLE, "'charge_idle_below' (%g) of fleet '%s' must be below "
                           "its 'charge_until' (%g)", charge_idle_below(d), name,
                           charge_until(d));
    }
    if (d->val[K_DELIVER_WITHIN].set && d->val[K_DELIVER_WITHIN].d.kind != TSIM_DIST_CONSTANT)
        return fail("'deliver_within' of fleet '%s' must be a fixed time (a number, or with a "
                    "unit such as 5min), not a distribution", name);
    int ah = d->val[K_BATTERY_UNIT].set && d->val[K_BATTERY_UNIT].i == UNIT_AH;
    if (ah && !(d->val[K_VOLTAGE].r > 0))
        return fail("fleet '%s' has 'battery_unit: Ah' but no 'voltage' (more than 0 V)", name);
    if (!ah && d->val[K_VOLTAGE].set)
        return fail("'voltage' of fleet '%s' is used only with 'battery_unit: Ah'", name);
    if (d->val[K_DRAW_EMPTY_LEN].set && d->val[K_DRAW_EMPTY].set)
        return fail("fleet '%s' has both 'draw_empty' and 'draw_empty_per_length': give one",
                    name);
    if (d->val[K_DRAW_LOADED_LEN].set && d->val[K_DRAW_LOADED].set)
        return fail("fleet '%s' has both 'draw_loaded' and 'draw_loaded_per_length': give one",
                    name);
    if (d->val[K_ACCEL].set && !(d->val[K_ACCEL].r > 0))
        return fail_at(K_ACCEL, "'acceleration' of fleet '%s' must be more than 0", name);
    if (d->val[K_DECEL].set && !(d->val[K_DECEL].r > 0))
        return fail_at(K_DECEL, "'deceleration' of fleet '%s' must be more than 0", name);
    if (d->val[K_DECEL].set && !d->val[K_ACCEL].set)
        return fail_at(K_DECEL, "fleet '%s' has 'deceleration' but no 'acceleration'", name);
    if (d->val[K_FAIL_REPAIR].set && !d->val[K_FAIL_BETWEEN].set)
        return fail("fleet '%s' has 'failures_repair' but no 'failures_between'", name);
    if (d->val[K_FAIL_BETWEEN].set && !(tsim_dist_mean(&d->val[K_FAIL_BETWEEN].d) > 0))
        return fail("'failures_between' of fleet '%s' must have a mean above 0", name);
    const struct tsim__net_fleet *ff = d->index < net->nfleet ? net->fleet[d->index] : NULL;
    const int npark = ff ? ff->npark : 0;
    if (d->val[K_IDLE].i == IDLE_PARKING && npark == 0)
        return fail_at(K_IDLE, "fleet '%s' has 'idle: parking' but no 'parking' (give its "
                       "nodes: {NODE: places, ...})", name);
    if (npark > 0 && d->val[K_IDLE].i != IDLE_PARKING)
        return fail_at(K_PARKING, "fleet '%s' has 'parking' but its 'idle' is not 'parking', so "
                       "no vehicle would park", name);
    int home = tsim__net_node_of(net, d->index);
    if (home < 0)
        return fail("fleet '%s' stands at no node (its home: give it one in the network's "
                    "'at')", name);
    int *up = tsim__malloc((size_t)m->nblocks * sizeof(int));
    int npick = tsim__fleet_pickups(m, d, up);
    if (npick < 0) {
        tsim__free(up);
        return fail("block '%s' sends to fleet '%s' but stands at no node (give it one in the "
                    "network's 'at')", m->blocks[-1 - npick].name, name);
    }
    /* With a battery, the chargers it may use are places too. One that stands at no node is left
     * out here: its own check fails the model, at its line. */
    int nchg = 0, kept = -1; /* the first charger kept for other fleets */
    for (int c = 0; d->val[K_BATTERY].set && c < m->nblocks; c++) {
        nchg += tsim__charger_serves(m, c, d->index);
        if (kept < 0 && tsim__is_charger(m, c) && !tsim__net_may_charge(net, c, d->index))
            kept = c;
    }
    if (nchg == 0 && kept >= 0) {
        tsim__free(up);
        tsim__model_blame_key(m, kept, tsim__key_index(tsim__block_type(m->blocks[kept].type),
                                                       "fleets"));
        return fail("fleet '%s' has a 'battery' but may use none of the model's chargers (their "
                    "'fleets' name other fleets)", name);
    }
    /* A fleet no block sends to (requests only from outside the flow) picks up at its home. */
    const int nto = d->route.n, senders = npick;
    if (npick == 0) up[npick++] = d->index;
    /* After the chargers, the storage blocks the fleet serves (`first_task` on). */
    const int ntask = tsim__fleet_task_places(m, d->index, NULL);
    int first_chg = 1 + nto + npick, nplaces = first_chg + nchg + ntask + npark;
    int *place = tsim__malloc((size_t)nplaces * sizeof(int));
    int *blk = tsim__malloc((size_t)nplaces * sizeof(int)); /* the block at each place */
    tsim__fleet_task_places(m, d->index, place + first_chg + nchg);
    for (int t = 0; t < ntask; t++) blk[first_chg + nchg + t] = (int)tsim__fleet_task_block(m, d->index, t);
    for (int k = 0, q = first_chg + nchg + ntask; k < npark; k++) { /* the parkings, last */
        blk[q + k] = d->index;
        place[q + k] = ff->park_node[k];
    }
    for (int c = 0, k = first_chg; k < first_chg + nchg; c++)
        if (tsim__charger_serves(m, c, d->index)) {
            blk[k] = c;
            place[k++] = tsim__net_node_of(net, c);
        }
    place[P_HOME] = home;
    blk[P_HOME] = d->index;
    for (int k = 0; k < npick; k++) {
        blk[pickup_place(nto, k)] = up[k];
        place[pickup_place(nto, k)] = senders ? tsim__net_node_of(net, up[k]) : home;
    }
    tsim__free(up);
    for (int k = 0; k < nto; k++) {
        blk[2 + k] = d->route.to[k];
        place[2 + k] = tsim__net_node_of(net, d->route.to[k]);
        if (place[2 + k] < 0) {
            const char *to = m->blocks[d->route.to[k]].name;
            tsim__free(place);
            tsim__free(blk);
            return fail("fleet '%s' carries to block '%s', which stands at no node (give it one "
                        "in the network's 'at')", name, to);
        }
    }
    struct tsim__net_paths *p = tsim__calloc(1, sizeof *p);
    p->nplaces = nplaces;
    p->first_task = first_chg + nchg;
    p->first_park = first_chg + nchg + ntask;
    p->place = place;
    p->npick = npick;
    p->speed_empty = sp_empty;
    p->speed_loaded = sp_loaded;
    const double *cs = d->index < net->ncls_speed ? net->cls_speed[d->index] : NULL;
    p->cls_speed = cs;
    p->empty = tsim__malloc((size_t)nplaces * (size_t)nplaces * sizeof(double));
    p->loaded = tsim__malloc((size_t)nplaces * (size_t)nplaces * sizeof(double));
    double *row = tsim__malloc((size_t)net->nnodes * sizeof(double));
    for (int i = 0; i < nplaces; i++) {
        tsim__net_times(net, place[i], sp_empty, cs, row);
        for (int j = 0; j < nplaces; j++) p->empty[i * nplaces + j] = row[place[j]];
        tsim__net_times(net, place[i], sp_loaded, cs, row);
        for (int j = 0; j < nplaces; j++) p->loaded[i * nplaces + j] = row[place[j]];
    }
    tsim__free(row);
    if (net->npaths < m->nblocks) {
        net->paths = tsim__realloc(net->paths, (size_t)m->nblocks * sizeof *net->paths);
        for (int i = net->npaths; i < m->nblocks; i++) net->paths[i] = NULL;
        net->npaths = m->nblocks;
    }
    tsim__net_paths_free(net->paths[d->index]);
    net->paths[d->index] = p;
    p->acc = d->val[K_ACCEL].set ? d->val[K_ACCEL].r : 0;
    p->dec = d->val[K_DECEL].set ? d->val[K_DECEL].r : p->acc;
    int per_len = d->val[K_DRAW_EMPTY_LEN].set || d->val[K_DRAW_LOADED_LEN].set;
    if (net->zoned || p->acc > 0 || per_len) {
        /* Node by node: the first arc toward each place from every node, at each speed. */
        size_t nn = (size_t)net->nnodes;
        p->hop_empty = tsim__malloc((size_t)nplaces * nn * sizeof(int));
        p->hop_loaded = tsim__malloc((size_t)nplaces * nn * sizeof(int));
        row = tsim__malloc(nn * sizeof(double));
        for (int j = 0; j < nplaces; j++) {
            tsim__net_toward(net, place[j], sp_empty, cs, row, p->hop_empty + (size_t)j * nn);
            tsim__net_toward(net, place[j], sp_loaded, cs, row, p->hop_loaded + (size_t)j * nn);
        }
        tsim__free(row);
    }
    if (p->acc > 0 || per_len) {
        legs(net, p, sp_empty, 0, per_len);
        legs(net, p, sp_loaded, 1, per_len);
    }
    if (net->zoned) {
        int cap = net->cap ? net->cap[home] : 0;
        if (cap > 0 && cap < d->val[K_COUNT].i) {
            tsim__free(blk);
            tsim__model_blame_net(m, TSIM__AT_ZONE, home); /* at the home's zone capacity */
            return fail("fleet '%s' has %lld vehicles at its home '%s', which holds %d (its "
                        "zone capacity)", name, (long long)d->val[K_COUNT].i, net->node[home], cap);
        }
    }
    int rc = tsim__fleet_check_legs(m, d, p, blk, senders > 0, d->val[K_IDLE].i == IDLE_HOME,
                                    (int)loads_of(d));
    if (!rc) rc = task_check(m, d, p);
    if (!rc) rc = park_check(m, d, p, blk, ff);
    if (!rc && npark > 0 && net->zoned) rc = park_zone_check(m, d, p, blk, ff);
    if (!rc) rc = carry_check(m, d, ff);
    tsim__free(blk);
    return rc;
}
