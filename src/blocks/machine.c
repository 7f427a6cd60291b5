/*
 * Machine: 1..n parallel servers with processing time per product, setups on product change,
 * failures and repairs (preempt-resume), operators, shifts, scrap, and blocking after service.
 * It has no queue of its own: it takes an entity only when a server is idle and available, so
 * a buffer in front of it holds the queue. The server behaviour is in station.c.
 */
#include "blocks/station.h"

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return tsim__station_size(d->servers) + (size_t)d->servers * sizeof(uint32_t);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__station_init(sim, b, d->servers, tsim__station_size(d->servers));
    /* Every server holds an entity: none is idle (content counts what the servers hold). */
    if (!d->drop) ((struct tsim__station *)tsim__state(sim, b))->h.full_at = (uint64_t)d->servers;
}

static void restart(struct tsim_sim *sim, uint32_t b) { tsim__station_restart(sim, b); }

static uint32_t slots(const struct tsim__block_desc *d)
{
    return tsim__station_slots(d, d->servers);
}

const struct tsim__block_vt tsim__machine_vt = {
    .state_size = state_size,
    .slots = slots,
    .init = init,
    .offer = tsim__station_offer,
    .pull = tsim__station_pull,
    .event = tsim__station_event,
    .restart = restart,
    .report = tsim__station_report,
    .granted = tsim__station_granted,
    .shift = tsim__station_shift,
    .force_down = tsim__station_force_down,
    .state = tsim__station_state,
};

