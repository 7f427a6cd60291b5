/*
 * Sink: where entities leave the system. Records lead time (system KPI and its own) and
 * completed orders, and in a model of two products or more the lead time and count of each
 * product (`np` of them; 0 in a model of fewer, which then pays one test per entity). A sink that
 * a picking block's orders may reach (one product is enough) keeps them too, and the count and
 * units of the orders that entities carry (struct tsim__eorder), by the entity's product. Never
 * refuses.
 */
#include "blocks/sink.h"

/* A sink's units by product, after its lead-time sums; valid when k->orders. */
static uint64_t *units_of(struct tsim__sink *k) { return (uint64_t *)(k->by_product + k->np); }

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    size_t np = (size_t)tsim__products_kept(m, d), per = sizeof(struct tsim__sum);
    if (np && d->orders_reach) per += sizeof(uint64_t);
    return sizeof(struct tsim__sink) + np * per;
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__sink *k = tsim__state(sim, b);
    k->lead = (struct tsim__sum){0, 0};
    k->np = (uint32_t)tsim__products_kept(sim->m, tsim__desc(sim, b));
    k->orders = k->np && tsim__desc(sim, b)->orders_reach;
}

static __attribute__((noinline)) int offer_full(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__sink *k = tsim__state(sim, b);
    if (sim->obs) {
        tsim__note_enter(sim, b, e);
        tsim__note_leave(sim, b, e);
    } else {
        /* In and out at the same instant: the content over time does not change. */
        k->h.entered++;
        k->h.left++;
    }
    tsim__sum_add(&k->lead, sim->now - sim->ents[e].t_created);
    if (k->np) tsim__sum_add(&k->by_product[sim->ents[e].product], sim->now - sim->ents[e].t_created);
    if (k->orders) {
        const struct tsim__eorder *eo = tsim__eorder_of(sim, e);
        if (eo) units_of(k)[sim->ents[e].product] += eo->units;
    }
    tsim__complete(sim, e);
    tsim__entity_dispose(sim, e);
    return 1;
}

/* offer_full's shortest path (sink.h), which calls nothing, so no register is saved on the
 * path of every completion. */
static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    if (__builtin_expect(tsim__sink_take(sim, b, e), 1)) return 1;
    return offer_full(sim, b, e);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__sink *k = tsim__state(sim, b);
    k->lead = (struct tsim__sum){0, 0};
    for (uint32_t p = 0; p < k->np; p++) k->by_product[p] = (struct tsim__sum){0, 0};
    for (uint32_t p = 0; p < k->np && k->orders; p++) units_of(k)[p] = 0;
}

void tsim__product_kpis(struct tsim_sim *sim, struct tsim_result *r, int block,
                        const struct tsim__sum *by_product, const uint64_t *units, uint32_t np)
{
    double w = tsim__window(sim);
    char *const *name = sim->m->product_kpis; /* the model's: results borrow KPI names */
    for (uint32_t p = 0; p < np; p++) {
        char *const *pk = name + TSIM__PK_N * p;
        tsim_result_add(r, block, pk[TSIM__PK_LEAD], tsim__sum_mean(sim, &by_product[p]));
        tsim_result_add(r, block, pk[TSIM__PK_THROUGHPUT],
                        w > 0 ? (double)by_product[p].n / w : 0);
        if (!units) continue;
        tsim_result_add(r, block, pk[TSIM__PK_COUNT], (double)by_product[p].n);
        tsim_result_add(r, block, pk[TSIM__PK_UNITS], (double)units[p]);
    }
}

uint32_t tsim__sink_products(const struct tsim_sim *sim, uint32_t b, struct tsim__sum *by_product)
{
    const struct tsim__sink *k = tsim__state(sim, b);
    for (uint32_t p = 0; p < k->np; p++) {
        by_product[p].ticks += k->by_product[p].ticks;
        by_product[p].n += k->by_product[p].n;
    }
    return k->np;
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct tsim__sink *k = tsim__state(sim, b);
    tsim__hdr_report(sim, b, r, 0);
    tsim_result_add(r, (int)b, "lead_time", tsim__sum_mean(sim, &k->lead));
    tsim__product_kpis(sim, r, (int)b, k->by_product, k->orders ? units_of(k) : NULL, k->np);
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
