/*
 * Routing sheets: the route that sends an entity to the group of its product's next operation
 * (a block's `to: {rule: sheet, done: BLOCK}`). The sheets as data are in src/blocks/sheets.c,
 * the machines' side (the operation's time, setups by family) in src/blocks/station.c. Not API.
 *
 * Invariants: an entity's `step` counts the operations it has been sent to, so it lives in the
 * sim's plain data (a clone continues from it) and the route needs no state of its own; the
 * route's targets are every group of every sheet, then `done`, so finalize sees every edge.
 */
#include "blocks/sim.h"
#include "logic/logic.h"

#include <stdio.h>
#include <string.h>

/* The hook's route: the group of the next operation, or `done` (the last target) after the
 * last one and for a product without a sheet. */
static int sheet_route(struct tsim_sim *sim, uint32_t b, uint32_t e, void *ctx)
{
    (void)ctx;
    struct tsim__entity *en = &sim->ents[e];
    const struct tsim__route *r = &sim->m->blocks[b].route;
    const struct tsim__sheet *sh = &sim->m->sheets[en->product];
    if ((uint32_t)en->step >= (uint32_t)sh->n) return r->n - 1;
    int g = sh->op[en->step++].group;
    for (int i = 0; i < r->n - 1; i++)
        if (r->to[i] == g) return i;
    return r->n - 1; /* not reached: every group is a target */
}

int tsim__sheet_route_attach(struct tsim_model *m, int block, char *err, size_t errlen)
{
    struct tsim__hook *h = tsim__block_hook(m, block);
    if (h->fn[TSIM__HOOK_ROUTE]) {
        snprintf(err, errlen, "block '%s' has a route rule already", m->blocks[block].name);
        return -1;
    }
    h->fn[TSIM__HOOK_ROUTE] = sheet_route;
    h->ctx[TSIM__HOOK_ROUTE] = NULL;
    return 0;
}

int tsim__sheet_groups(const struct tsim_model *m, int *out)
{
    int n = 0;
    if (!m->sheets) return 0;
    int np = m->nproducts > 0 ? m->nproducts : 1;
    for (int p = 0; p < np; p++)
        for (int k = 0; k < m->sheets[p].n; k++) {
            int g = m->sheets[p].op[k].group, seen = 0;
            for (int i = 0; i < n && !seen; i++) seen = out[i] == g;
            if (!seen) out[n++] = g;
        }
    return n;
}

void tsim__sheet_mark_machines(struct tsim_model *m)
{
    int *g = tsim__malloc((size_t)(m->nblocks + 1) * sizeof *g);
    int n = tsim__sheet_groups(m, g);
    for (int i = 0; i < n; i++) {
        struct tsim__block_desc *d = &m->blocks[g[i]];
        if (d->type == TSIM_MACHINE) d->sheet = 1;
        for (int k = 0; k < d->route.n; k++)
            if (m->blocks[d->route.to[k]].type == TSIM_MACHINE) m->blocks[d->route.to[k]].sheet = 1;
    }
    tsim__free(g);
    m->finalized = 0;
}
