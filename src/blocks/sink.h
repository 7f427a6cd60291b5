/*
 * The sink's state and its usual completion, inline for a machine or an assembly that sends
 * only to a sink (station.c): the same sums in the same order as the sink's offer makes them,
 * without the route, the block table and a call on the path of every completion. Not API.
 */
#ifndef TSIM_BLOCKS_SINK_H
#define TSIM_BLOCKS_SINK_H

#include "blocks/sim.h"

struct tsim__sink {
    struct tsim__bhdr h;
    struct tsim__sum lead;
    uint32_t np;
    uint32_t orders; /* a model with a picking block: units[np] follow by_product */
    struct tsim__sum by_product[]; /* np: lead time sums and counts */
};

/* Sink `b` takes `e` when it is an entity of a one-product model that is no order and holds
 * no card, and no observer listens: its lead time and the completion are counted and it is
 * disposed of (1). It calls nothing. Otherwise it does nothing (0): the sink's full offer
 * (sink.c) is for those. */
static inline int tsim__sink_take(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__sink *k = tsim__state(sim, b);
    const struct tsim__entity *en = &sim->ents[e];
    if (__builtin_expect(sim->obs || k->np || en->tracked || en->card, 0)) return 0;
    int64_t lead = sim->now - en->t_created;
    k->h.entered++;
    k->h.left++;
    tsim__sum_add(&k->lead, lead);
    sim->completed++;
    tsim__sum_add(&sim->lead, lead);
    tsim__entity_free(sim, e);
    return 1;
}

#endif
