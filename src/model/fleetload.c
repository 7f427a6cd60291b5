/*
 * A fleet's mapping keys that its dispatching reads, read with the network (netload.c) into the
 * network's per-fleet forms (struct tsim__net_fleet, network.h):
 *
 *   - fleet: amr
 *     priority: {urgent: 2, spare: -1}   # a request's priority by its product; 0 otherwise
 *     parking: {P1: 2, P2: unlimited}    # parking nodes and how many vehicles each holds
 *     products: [pallet, cage]           # the only products its vehicles may carry
 *
 * Every problem is reported at its place, a product name with a "did you mean".
 */
#include "blocks/desc.h"
#include "blocks/network.h"
#include "core/core.h"
#include "model/loader.h"
#include "model/params.h"

#include <string.h>

/* The product named by scalar `n` at `at`, or -1 reported with a "did you mean". */
static int product_ref(struct loader *ld, struct fy_node *n, const char *name, struct pos at)
{
    struct tsim_model *m = ld->m;
    int p = tsim_model_find_product(m, name);
    if (p >= 0) return p;
    struct tsim__suggest sg;
    tsim__suggest_init(&sg, name);
    for (int i = 0; i < m->nproducts; i++) tsim__suggest_offer(&sg, m->products[i]);
    tsim__ld_err(ld, tsim__ld_pos(n, at), "undefined product '%s'%s", name,
                 tsim__suggest_text(&sg));
    return -1;
}

/* `priority: {PRODUCT: N, ...}`, N a whole number from -1000 to 1000. */
static void load_priority(struct loader *ld, struct tsim__network *net, int block,
                          struct fy_node *map, struct pos at)
{
    if (!tsim__ld_expect(ld, map, FYNT_MAPPING,
                         "'priority' (a mapping of products to whole numbers)", at))
        return;
    struct tsim_model *m = ld->m;
    struct tsim__net_fleet *f = tsim__net_fleet_of(net, block);
    tsim__free(f->prio);
    f->nprio = m->nproducts;
    f->prio = tsim__calloc((size_t)m->nproducts + 1, sizeof *f->prio);
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, map, at, &pr)) {
        int p = product_ref(ld, pr.key, pr.name, pr.at);
        if (p < 0) continue;
        const char *s = tsim__ld_scalar(ld, pr.v, "a priority", pr.at);
        if (!s) continue;
        struct tsim__perr e;
        long long n;
        if (tsim__parse_int(s, "a priority", -1000, 1000, &n, &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            continue;
        }
        f->prio[p] = (int)n;
    }
}

/* `parking: {NODE: N | unlimited, ...}`, N a whole number from 1 to 100,000. */
static void load_parking(struct loader *ld, struct tsim__network *net, int block,
                         struct fy_node *map, struct pos at)
{
    if (!tsim__ld_expect(ld, map, FYNT_MAPPING,
                         "'parking' (a mapping of nodes to how many vehicles each holds)", at))
        return;
    struct tsim__net_fleet *f = tsim__net_fleet_of(net, block);
    int n = fy_node_mapping_item_count(map);
    if (n <= 0) {
        tsim__ld_err(ld, at, "'parking' names no node");
        return;
    }
    f->park_node = tsim__malloc((size_t)n * sizeof(int));
    f->park_cap = tsim__malloc((size_t)n * sizeof(int));
    f->park_line = tsim__malloc((size_t)n * sizeof(int));
    f->park_col = tsim__malloc((size_t)n * sizeof(int));
    struct tsim__ld_pair pr = {.it = NULL};
    while (tsim__ld_next_pair(ld, map, at, &pr)) {
        int node = tsim__net_find(net, pr.name);
        if (node < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, pr.name);
            for (int k = 0; k < net->nnodes; k++) tsim__suggest_offer(&sg, net->node[k]);
            tsim__ld_err(ld, pr.at, "undefined node '%s'%s", pr.name, tsim__suggest_text(&sg));
            continue;
        }
        const char *s = tsim__ld_scalar(ld, pr.v, "a parking's places", pr.at);
        if (!s) continue;
        struct tsim__perr e;
        long long cap = 0;
        if (strcmp(s, "unlimited") != 0 &&
            tsim__parse_int(s, "a parking's places", 1, 100000, &cap, &e) != 0) {
            tsim__ld_value_err(ld, pr.v, s, &e, pr.at);
            continue;
        }
        f->park_node[f->npark] = node;
        f->park_cap[f->npark] = (int)cap;
        f->park_line[f->npark] = pr.at.line;
        f->park_col[f->npark++] = pr.at.col;
    }
}

/* `products: [PRODUCT, ...]`: the products the fleet's vehicles may carry. */
static void load_carry(struct loader *ld, struct tsim__network *net, int block,
                       struct fy_node *list, struct pos at)
{
    if (!tsim__ld_expect(ld, list, FYNT_SEQUENCE, "'products' (a list of products)", at)) return;
    struct tsim__net_fleet *f = tsim__net_fleet_of(net, block);
    tsim__free(f->carry);
    f->ncarry = ld->m->nproducts;
    f->carry = tsim__calloc((size_t)ld->m->nproducts + 1, 1);
    void *it = NULL;
    struct fy_node *n;
    int given = 0;
    while ((n = fy_node_sequence_iterate(list, &it))) {
        struct pos np = tsim__ld_pos(n, at);
        const char *name = tsim__ld_scalar(ld, n, "a product", np);
        if (!name) continue;
        given++;
        int p = product_ref(ld, n, name, np);
        if (p >= 0) f->carry[p] = 1;
    }
    if (!given) tsim__ld_err(ld, at, "'products' names no product (leave it out for every one)");
}

void tsim__ld_fleet_forms(struct loader *ld, struct tsim__network *net)
{
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].priority)
            load_priority(ld, net, ld->blk[k].index, ld->blk[k].priority,
                          ld->blk[k].priority_pos);
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].parking)
            load_parking(ld, net, ld->blk[k].index, ld->blk[k].parking, ld->blk[k].parking_pos);
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].carry)
            load_carry(ld, net, ld->blk[k].index, ld->blk[k].carry, ld->blk[k].carry_pos);
}
