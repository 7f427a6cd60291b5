/*
 * Delay: every entity spends a drawn time in it, any number in parallel, no resource (travel,
 * cooling, the up time of a closed loop). Entities whose time is over but whom the next block
 * refuses wait in order of finishing.
 */
#include "blocks/sim.h"
#include "core/core.h"

enum { EV_DONE };

struct delay {
    struct tsim__bhdr h;
    uint32_t done_head, done_tail; /* finished, refused downstream */
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct delay);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct delay *s = tsim__state(sim, b);
    s->done_head = s->done_tail = TSIM__NIL;
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct delay *s = tsim__state(sim, b);
    tsim__note_enter(sim, b, e);
    int64_t dt = tsim__draw(sim, &tsim__desc(sim, b)->delay, &s->h.rng[TSIM__RNG_MAIN]);
    tsim__schedule(sim, sim->now + dt, b, EV_DONE, e);
    return 1;
}

static void hold(struct tsim_sim *sim, struct delay *s, uint32_t e)
{
    sim->ents[e].next = TSIM__NIL;
    if (s->done_head == TSIM__NIL) s->done_head = e;
    else sim->ents[s->done_tail].next = e;
    s->done_tail = e;
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t e)
{
    struct delay *s = tsim__state(sim, b);
    if (s->done_head != TSIM__NIL) {
        hold(sim, s, e);
        return;
    }
    if (!tsim__send_leave(sim, b, e)) hold(sim, s, e);
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct delay *s = tsim__state(sim, b);
    while (s->done_head != TSIM__NIL) {
        uint32_t e = s->done_head;
        uint32_t next = sim->ents[e].next;
        if (!tsim__send_leave(sim, b, e)) return;
        s->done_head = next;
    }
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    tsim__hdr_report(sim, b, r, 1);
}

static const struct tsim__block_vt delay_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .report = report,
};

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_delay_set_time(struct tsim_model *m, int block, const struct tsim_dist *d)
{
    return tsim__block_set_time(m, block, TSIM__T(TSIM_DELAY), __func__, "time", d,
                                TSIM__AT(delay), TSIM__NO_FLAG);
}

/* The descriptor ---------------------------------------------------------------------------- */

static int set_time(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_delay_set_time(m, b, v->d);
}

static const struct tsim__key keys[] = {
    {"time", TSIM__KEY_DIST, TSIM__KEY_REQUIRED, .dflt = "required",
     .help = "the time each entity spends in it", .set = set_time},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "left", "throughput", "content", NULL};

/* A delay takes no time when its every draw is 0; it holds any number at once, so what it holds
 * is never bounded. */
static int zero_time(const struct tsim__block_desc *b) { return tsim_dist_mean(&b->delay) <= 0; }

static enum tsim__flow flow(const struct tsim__block_desc *b, const struct tsim__block_desc *src,
                            struct tsim__stream *s)
{
    (void)b, (void)src;
    s->waits = 1;
    return TSIM__FLOW_PASS;
}

const struct tsim__block_type tsim__delay_type = {
    .name = "delay",
    .help = "holds every entity for a drawn time, any number at once",
    .keys = keys,
    .kpis = kpis,
    .vt = &delay_vt,
    .lint = {.zero_time = zero_time, .flow = flow},
};
