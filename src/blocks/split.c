/*
 * Split: one entity in, `into` entities of the same product out (the original and copies that
 * keep its creation time, so lead times stay true). It takes the next entity only when all parts
 * of the last one have left.
 */
#include "blocks/sim.h"

struct split {
    struct tsim__bhdr h;
    uint32_t head, tail; /* parts waiting to leave */
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct split);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct split *s = tsim__state(sim, b);
    s->head = s->tail = TSIM__NIL;
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
    while (s->head != TSIM__NIL) {
        uint32_t e = s->head;
        uint32_t next = sim->ents[e].next;
        if (!tsim__send(sim, b, e)) return;
        s->head = next;
        tsim__note_leave(sim, b, e);
    }
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct split *s = tsim__state(sim, b);
    if (s->head != TSIM__NIL) return 0;
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__note_enter(sim, b, e);
    hold(sim, s, e);
    for (int i = 1; i < d->into; i++) {
        uint32_t c = tsim__entity_new(sim, sim->ents[e].product);
        int64_t born = sim->ents[e].t_created;
        tsim__entity_enter_system(sim, c);
        sim->created--; /* copies are not arrivals */
        sim->ents[c].t_created = born;
        sim->ents[c].due = sim->ents[e].due;
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

const struct tsim__block_vt tsim__split_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .report = report,
};
