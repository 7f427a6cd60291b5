/*
 * A fleet's places and legs, found once when the model is checked (fleet.c's check builds the
 * travel-time tables): which nodes its requests are picked up at, and that every leg a vehicle
 * may drive between its places has a path. The places are zone.h's (P_HOME, pickup_place).
 */
#include "blocks/zone.h"

#include <math.h>

#define fail(...) tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__)

int tsim__fleet_pickups(const struct tsim_model *m, const struct tsim__block_desc *d, int *up)
{
    int n = 0;
    for (int b = 0; b < m->nblocks; b++) {
        const struct tsim__route *r = &m->blocks[b].route;
        int sends = 0;
        for (int k = 0; k < r->n; k++) sends |= r->to[k] == d->index;
        if (!sends) continue;
        int node = tsim__net_node_of(m->net, b), k = 0;
        if (node < 0) return -1 - b;
        while (k < n && tsim__net_node_of(m->net, up[k]) != node) k++;
        if (k == n) up[n++] = b;
    }
    return n;
}

int tsim__fleet_check_legs(const struct tsim_model *m, const struct tsim__block_desc *d,
                           const struct tsim__net_paths *p, const int *blk, int sent,
                           int idle_home, int loads)
{
    const struct tsim__network *net = m->net;
    const char *name = d->name;
    const int np = p->nplaces, nto = d->route.n, first_chg = 1 + nto + p->npick;
    const int home = p->place[P_HOME];
    for (int j = 0; sent && j < p->npick; j++) {
        int pk = pickup_place(nto, j);
        const char *upname = m->blocks[blk[pk]].name;
        if (isinf(p->empty[P_HOME * np + pk]))
            return fail("fleet '%s' has no path from its home '%s' to '%s' (node '%s'): the "
                        "network is not connected there", name, net->node[home], upname,
                        net->node[p->place[pk]]);
        for (int k = 0; k < nto; k++) {
            const char *to = m->blocks[d->route.to[k]].name;
            if (isinf(p->loaded[pk * np + 2 + k]))
                return fail("no path from '%s' to '%s' for fleet '%s': the network is not "
                            "connected there", upname, to, name);
            if (isinf(p->empty[(2 + k) * np + pk]))
                return fail("no path back from '%s' to '%s' for fleet '%s': the network is not "
                            "connected there", to, upname, name);
            if (j == 0 && idle_home && isinf(p->empty[(2 + k) * np + P_HOME]))
                return fail("no path from '%s' to the home of fleet '%s': the network is not "
                            "connected there", to, name);
        }
        for (int k = 0; j == 0 && loads > 1 && k < nto * nto; k++)
            if (isinf(p->loaded[(2 + k / nto) * np + 2 + k % nto]))
                return fail("no path from '%s' to '%s' for fleet '%s' (a vehicle may carry loads "
                            "for both): the network is not connected there",
                            m->blocks[d->route.to[k / nto]].name,
                            m->blocks[d->route.to[k % nto]].name, name);
        for (int k = 0; k < p->npick; k++)
            if (isinf(p->empty[pk * np + pickup_place(nto, k)]))
                return fail("no path from '%s' to '%s' for fleet '%s' (both pickups): the "
                            "network is not connected there", upname,
                            m->blocks[blk[pickup_place(nto, k)]].name, name);
    }
    /* A vehicle may go to charge from any place but a charger, and from a charger drives to a
     * pickup (or home): every charger must be reachable both ways. The storage blocks the fleet
     * serves come after the chargers (`first_task` on; fleet.c checks their legs). */
    for (int c = first_chg; c < p->first_task; c++) {
        const char *cname = m->blocks[blk[c]].name;
        for (int k = 0; k < first_chg; k++) {
            if (!isinf(p->empty[k * np + c])) continue;
            tsim__model_blame_net(m, TSIM__AT_NODE, blk[c]); /* at the charger's node */
            return fail("charger '%s' (node '%s') cannot be reached by fleet '%s' from %s%s%s "
                        "(node '%s'): the network is not connected there", cname,
                        net->node[p->place[c]], name, k == P_HOME ? "" : "'",
                        k == P_HOME ? "its home" : m->blocks[blk[k]].name,
                        k == P_HOME ? "" : "'", net->node[p->place[k]]);
        }
        for (int j = 0; j < (idle_home ? 1 : p->npick); j++) {
            int back = idle_home ? P_HOME : pickup_place(nto, j);
            if (!isinf(p->empty[c * np + back])) continue;
            tsim__model_blame_net(m, TSIM__AT_NODE, blk[c]);
            return fail("fleet '%s' has no path from charger '%s' (node '%s') back to '%s': the "
                        "network is not connected there", name, cname, net->node[p->place[c]],
                        back == P_HOME ? "its home" : m->blocks[blk[back]].name);
        }
    }
    return 0;
}

double tsim__fleet_leg(const struct tsim__network *net, const int *hop, int from, int to,
                       double speed, const double *cls_speed, double acc, double dec,
                       double *time)
{
    double d = 0, x = 0, t = 0;
    for (int n = from; n != to; n = net->arc[hop[n]].to) {
        if (hop[n] < 0) return *time = INFINITY;
        d += net->arc[hop[n]].length;
    }
    for (int n = from; n != to; n = net->arc[hop[n]].to) {
        const struct tsim__net_arc *a = &net->arc[hop[n]];
        t += tsim__net_drive_time(x, x + a->length, tsim__net_arc_speed(a, speed, cls_speed), acc,
                              dec, d);
        x += a->length;
    }
    *time = t;
    return d;
}

void tsim__fleet_rem(const struct tsim__network *net, const int *hop, int to, double *rem)
{
    int *chain = tsim__malloc((size_t)net->nnodes * sizeof(int));
    for (int n = 0; n < net->nnodes; n++) rem[n] = NAN;
    rem[to] = 0;
    for (int n = 0; n < net->nnodes; n++) {
        int k = 0, m = n;
        while (isnan(rem[m]) && hop[m] >= 0) { /* the hops make a tree toward `to`: no cycle */
            chain[k++] = m;
            m = net->arc[hop[m]].to;
        }
        if (isnan(rem[m])) rem[m] = INFINITY; /* no hop on, and not `to` */
        while (k-- > 0) {
            const struct tsim__net_arc *a = &net->arc[hop[chain[k]]];
            rem[chain[k]] = a->length + rem[a->to];
        }
    }
    tsim__free(chain);
}
