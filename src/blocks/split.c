/*
 * Split: one entity in, `into` entities of the same product out (the original and copies that
 * keep its creation time, so lead times stay true). It takes the next entity only when all parts
 * of the last one have left.
 *
 * Copies are made without events, so they count against the limit of events at one instant
 * (sim.c): splits in a row multiply (into 10^6 twice is 10^12 entities at one instant), and the
 * run would otherwise work inside one event without end. After an error the split stops sending.
 */
#include "blocks/sim.h"
#include "core/core.h"

struct split {
    struct tsim__bhdr h;
    uint32_t head, tail; /* parts waiting to leave */
    int64_t copies_t;    /* the instant of the last copies made */
    uint64_t copies_n;   /* copies made at that instant */
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct split);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct split *s = tsim__state(sim, b);
    s->head = s->tail = TSIM__NIL;
    s->copies_t = -1;
}

static void hold(struct tsim_sim *sim, struct split *s, uint32_t e)
{
    sim->ents[e].next = TSIM__NIL;
    if (s->head == TSIM__NIL) s->head = e;
    else sim->ents[s->tail].next = e;
    s->tail = e;
}

static void flush(struct tsim_sim *sim, uint32_t b, struct split *s)
{
    while (s->head != TSIM__NIL && !sim->err) {
        uint32_t e = s->head;
        uint32_t next = sim->ents[e].next;
        if (!tsim__send_leave(sim, b, e)) return;
        s->head = next;
    }
}

/* Count `n` more copies at this instant; 1 when they pass the limit (the sim then stops). */
static int too_many_copies(struct tsim_sim *sim, uint32_t b, struct split *s, uint64_t n)
{
    if (s->copies_t != sim->now) {
        s->copies_t = sim->now;
        s->copies_n = 0;
    }
    s->copies_n += n;
    /* The limit of the last checkpoint first; it only grows with the entities since. */
    if (s->copies_n <= sim->instant_limit || s->copies_n <= tsim__instant_limit(sim)) return 0;
    tsim__too_many_copies(sim, b, s->copies_n);
    return 1;
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct split *s = tsim__state(sim, b);
    if (s->head != TSIM__NIL) return 0;
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__note_enter(sim, b, e);
    hold(sim, s, e);
    if (d->into > 1 && too_many_copies(sim, b, s, (uint64_t)d->into - 1)) return 1;
    for (int i = 1; i < d->into; i++) {
        uint32_t c = tsim__entity_new(sim, sim->ents[e].product);
        int64_t born = sim->ents[e].t_created;
        tsim__entity_enter_system(sim, c);
        sim->created--; /* copies are not arrivals */
        sim->ents[c].t_created = born;
        sim->ents[c].due = sim->ents[e].due;
        if (sim->nattrs) tsim__attrs_copy(sim, c, e);
        s->h.content++;
        tsim__area_in(&s->h.level, sim->now, s->h.content);
        hold(sim, s, c);
    }
    flush(sim, b, s);
    return 1;
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct split *s = tsim__state(sim, b);
    flush(sim, b, s);
    if (s->head == TSIM__NIL) tsim__wake(sim, b);
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    tsim__hdr_report(sim, b, r, 0);
}

static const struct tsim__block_vt split_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .report = report,
};

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_split_set_into(struct tsim_model *m, int block, int into)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, TSIM__T(TSIM_SPLIT), __func__, "into", &rc);
    if (!b) return rc;
    if (into < 1 || into > 1000000)
        return tsim__fail(TSIM_ERANGE, __func__, "'into' of '%s' must be >= 1", b->name);
    b->into = into;
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_into(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_split_set_into(m, b, (int)v->i);
}

static const struct tsim__key keys[] = {
    {"into", TSIM__KEY_INT, 0, 1, TSIM__COUNT_MAX, .dflt = "1",
     .help = "entities that leave for each one that enters", .set = set_into},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "left", "throughput", NULL};

/* A split takes no time and sends on `into` entities for each one. */
static enum tsim__flow flow(const struct tsim__block_desc *b, const struct tsim__block_desc *src,
                            struct tsim__stream *s)
{
    (void)src;
    s->rate *= b->into;
    return TSIM__FLOW_PASS;
}

const struct tsim__block_type tsim__split_type = {
    .name = "split",
    .help = "turns each entity into several of the same product",
    .keys = keys,
    .kpis = kpis,
    .vt = &split_vt,
    .lint = {.zero_time = tsim__zero_time_always, .flow = flow},
};
