/*
 * A fleet's mapping keys that its dispatching reads, read with the network (netload.c) into the
 * network's per-fleet forms (struct tsim__net_fleet, network.h):
 *
 *   - fleet: amr
 *     priority: {urgent: 2, spare: -1}   # a request's priority by its product; 0 otherwise
 *
 * Every problem is reported at its place, a product name with a "did you mean".
 */
#include "blocks/desc.h"
#include "blocks/network.h"
#include "core/core.h"
#include "model/loader.h"
#include "model/params.h"

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
        int p = tsim_model_find_product(m, pr.name);
        if (p < 0) {
            struct tsim__suggest sg;
            tsim__suggest_init(&sg, pr.name);
            for (int i = 0; i < m->nproducts; i++) tsim__suggest_offer(&sg, m->products[i]);
            tsim__ld_err(ld, pr.at, "undefined product '%s'%s", pr.name, tsim__suggest_text(&sg));
            continue;
        }
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

void tsim__ld_fleet_forms(struct loader *ld, struct tsim__network *net)
{
    for (size_t k = 0; k < ld->nblk; k++)
        if (ld->blk[k].priority)
            load_priority(ld, net, ld->blk[k].index, ld->blk[k].priority,
                          ld->blk[k].priority_pos);
}
