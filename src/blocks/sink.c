/*
 * Sink: where entities leave the system. Records lead time (system KPI and its own) and
 * completed orders. Never refuses.
 */
#include "blocks/sim.h"

struct sink {
    struct tsim__bhdr h;
    struct tsim__sum lead;
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct sink);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct sink *k = tsim__state(sim, b);
    k->lead = (struct tsim__sum){0, 0};
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct sink *k = tsim__state(sim, b);
    if (sim->obs) {
        tsim__note_enter(sim, b, e);
        tsim__note_leave(sim, b, e);
    } else {
        /* In and out at the same instant: the content over time does not change. */
        k->h.entered++;
        k->h.left++;
    }
    tsim__sum_add(&k->lead, sim->now - sim->ents[e].t_created);
    tsim__complete(sim, e);
    tsim__entity_dispose(sim, e);
    return 1;
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct sink *k = tsim__state(sim, b);
    k->lead = (struct tsim__sum){0, 0};
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct sink *k = tsim__state(sim, b);
    tsim__hdr_report(sim, b, r, 0);
    tsim_result_add(r, (int)b, "lead_time", tsim__sum_mean(sim, &k->lead));
}

static const struct tsim__block_vt sink_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .restart = restart,
    .report = report,
};

/* The descriptor ---------------------------------------------------------------------------- */

static const struct tsim__key keys[] = {
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "throughput", "lead_time", NULL};

const struct tsim__block_type tsim__sink_type = {
    .name = "sink",
    .help = "entities leave the model here",
    .keys = keys,
    .kpis = kpis,
    .vt = &sink_vt,
    .flags = TSIM__TYPE_NO_ROUTE | TSIM__TYPE_DISPOSES,
};
