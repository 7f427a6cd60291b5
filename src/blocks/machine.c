/*
 * Machine: 1..n parallel servers with processing time per product, setups on product change,
 * failures and repairs (preempt-resume), operators, shifts, scrap, and blocking after service.
 * It has no queue of its own: it takes an entity only when a server is idle and available, so
 * a buffer in front of it holds the queue. The server behaviour is in station.c.
 */
#include "blocks/station.h"
#include "core/core.h"

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return tsim__station_size(d->servers) + (size_t)d->servers * sizeof(uint32_t);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__station_init(sim, b, d->servers, tsim__station_size(d->servers));
    /* Every server holds an entity: none is idle (content counts what the servers hold). */
    struct tsim__station *st = tsim__state(sim, b);
    if (!d->drop) st->h.full_at = (uint64_t)d->servers;
    st->ring = d->ring != 0;
}

static uint32_t slots(const struct tsim__block_desc *d)
{
    return tsim__station_slots(d, d->servers);
}

const struct tsim__block_vt tsim__machine_vt = {
    .state_size = state_size,
    .slots = slots,
    .init = init,
    .offer = tsim__station_offer,
    .stuck_on = tsim__station_stuck_on,
    TSIM__STATION_VT,
};

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_machine_set_drop(struct tsim_model *m, int block, int drop)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_MACHINE), __func__, "when_full", &rc);
    if (!b) return rc;
    b->drop = drop != 0;
    return 0;
}

int tsim_machine_set_servers(struct tsim_model *m, int block, int servers)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get_whole(m, block, TSIM__T(TSIM_MACHINE), __func__, "servers", servers, 1,
                              100000, TSIM_ERANGE, "servers of '%s' must be in 1..100000", &rc);
    if (!b) return rc;
    b->servers = servers;
    return 0;
}

int tsim_machine_set_setup(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    return tsim__block_set_time(m, block, TSIM__T(TSIM_MACHINE), __func__, "setup", d,
                                TSIM__AT(setup), TSIM__AT(has_setup));
}

int tsim_machine_set_scrap(struct tsim_model *m, int block, double fraction)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_MACHINE), __func__, "scrap", &rc);
    if (!b) return rc;
    if (!(fraction >= 0 && fraction < 1))
        return tsim__fail(TSIM_ERANGE, __func__, "scrap of '%s' must be in [0, 1)", b->name);
    b->scrap = fraction;
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_servers(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_servers(m, b, (int)v->i);
}

static int set_setup(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_setup(m, b, v->d);
}

static int set_scrap(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_scrap(m, b, v->r);
}

/* A machine 'full' is a machine with no free server: drop makes it a loss system. */
static int set_drop(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_drop(m, b, (int)v->i);
}

extern const char *const tsim__when_full_values[]; /* buffer.c */

static const struct tsim__key keys[] = {
    {"servers", TSIM__KEY_INT, 0, 1, TSIM__SERVERS_MAX, .dflt = "1",
     .help = "identical servers", .set = set_servers},
    TSIM__STATION_PROCESS,
    {"setup", TSIM__KEY_DIST, 0, .dflt = "no setup",
     .help = "changeover time when a server starts a product other than its last one",
     .set = set_setup},
    TSIM__STATION_FAILURES,
    TSIM__STATION_NEEDS,
    {"scrap", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1, .dflt = "0",
     .help = "the share of finished parts that are scrap", .set = set_scrap},
    {"when_full", TSIM__KEY_CHOICE, 0, .choices = tsim__when_full_values,
     .noun = "'when_full' value", .dflt = "block",
     .help = "block (the sender waits) or drop (a loss system)", .set = set_drop},
    TSIM__STATION_SHIFT,
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {TSIM__STATION_KPIS, "scrapped", "dropped", "availability",
                                   "performance", "quality", "oee", NULL};

/* No time passes at a machine whose every processing time has mean 0 (so every draw is 0), unless
 * it may wait: for a setup, a repair, its shift or operators. */
static int zero_time(const struct tsim__block_desc *b)
{
    if (b->has_setup || b->has_failures || b->shift >= 0 || b->need.pool >= 0) return 0;
    const struct tsim__pdist *pd = &b->process;
    if (pd->has_default && tsim_dist_mean(&pd->dflt) > 0) return 0;
    for (int i = 0; i < pd->n; i++)
        if (tsim_dist_mean(&pd->dist[i]) > 0) return 0;
    return 1;
}

/* The mean processing time here of what source `s` sends, by its product mix. */
static double mean_work(const struct tsim__block_desc *s, const struct tsim__block_desc *mc)
{
    const struct tsim_dist *const *by = mc->process.by_product;
    if (!by) return 0;
    if (s->mix_n == 0) return by[0] ? tsim_dist_mean(by[0]) : 0;
    double w = 0, prev = 0;
    for (int i = 0; i < s->mix_n; i++) {
        double p = s->mix_cum[i] - prev;
        prev = s->mix_cum[i];
        const struct tsim_dist *dd = by[s->mix_product[i]];
        if (dd) w += p * tsim_dist_mean(dd);
    }
    return w;
}

/* The servers of a machine are what a stream arriving here keeps busy; one that drops what it
 * cannot take at once lets nothing pile up before it. Its full capacity counts (no failure, no
 * shift, no setup): a finding must be certain. */
static enum tsim__flow flow(const struct tsim__block_desc *b, const struct tsim__block_desc *src,
                            struct tsim__stream *s)
{
    if (b->drop || b->servers <= 0) return TSIM__FLOW_STOP;
    s->work = mean_work(src, b);
    return TSIM__FLOW_SERVE;
}

const struct tsim__block_type tsim__machine_type = {
    .name = "machine",
    .help = "one or more identical servers without a queue of their own",
    .keys = keys,
    .kpis = kpis,
    .vt = &tsim__machine_vt,
    .flags = TSIM__TYPE_SERVERS,
    .check = tsim__station_check,
    .lint = {.zero_time = zero_time, .flow = flow},
};
