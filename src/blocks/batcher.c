/*
 * Batcher: processes up to `size` entities together, as an oven or a washer does. It loads
 * entities until it holds `size` of them, or until `timeout` has passed since the first of the
 * batch came (if a timeout is given), then processes the whole batch for one drawn `process`
 * time, then sends the entities on in the order they came. It takes nothing while it processes
 * or unloads: a buffer in front of it holds the queue. No product mix, setups or failures.
 *
 * Invariants: `n` entities are held, in arrival order, on the list head..tail; phase LOADING
 * holds 0 <= n < size and a pending timeout exactly when n > 0 and a timeout is given; BUSY has
 * one pending EV_DONE and no timeout; UNLOADING holds what the next block refused, and becomes
 * LOADING (empty) when the last has left.
 *
 * Its parameters have no fields in struct tsim__block_desc: they are in the block's value table
 * (registry.h), in the order of `keys` below.
 */
#include "blocks/sim.h"

enum { EV_TIMEOUT, EV_DONE };
enum { LOADING, BUSY, UNLOADING };
enum { K_SIZE, K_TIMEOUT, K_PROCESS }; /* indices in `keys` */

struct batcher {
    struct tsim__bhdr h;
    uint32_t head, tail, n;
    int phase;
    uint64_t timer;                /* the pending timeout's handle; 0: none */
    int64_t busy_since, busy_ticks; /* processing time since the statistics restart */
    uint64_t batches, batched;      /* batches started, and the entities in them, since then */
};

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct batcher);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct batcher *s = tsim__state(sim, b);
    s->head = s->tail = TSIM__NIL;
    s->phase = LOADING;
}

static void start_batch(struct tsim_sim *sim, uint32_t b, struct batcher *s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    tsim__cancel(sim, s->timer);
    s->timer = 0;
    s->phase = BUSY;
    s->busy_since = sim->now;
    s->batches++;
    s->batched += s->n;
    int64_t dt = tsim__draw(sim, &d->val[K_PROCESS].d, &s->h.rng[TSIM__RNG_MAIN]);
    tsim__schedule(sim, sim->now + dt, b, EV_DONE, 0);
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct batcher *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (s->phase != LOADING) return 0;
    tsim__note_enter(sim, b, e);
    sim->ents[e].next = TSIM__NIL;
    if (s->head == TSIM__NIL) s->head = e;
    else sim->ents[s->tail].next = e;
    s->tail = e;
    if (++s->n == 1 && d->val[K_TIMEOUT].set) {
        int64_t dt = tsim__draw(sim, &d->val[K_TIMEOUT].d, &s->h.rng[TSIM__RNG_AUX]);
        s->timer = tsim__schedule(sim, sim->now + dt, b, EV_TIMEOUT, 0);
    }
    if ((long long)s->n >= d->val[K_SIZE].i) start_batch(sim, b, s);
    return 1;
}

/* Send the batch on, in order; what is refused waits for pull. Empty, it loads again. */
static void unload(struct tsim_sim *sim, uint32_t b, struct batcher *s)
{
    while (s->head != TSIM__NIL) {
        uint32_t e = s->head;
        uint32_t next = sim->ents[e].next;
        if (!tsim__send_leave(sim, b, e)) return;
        s->head = next;
    }
    s->n = 0;
    s->phase = LOADING;
    tsim__wake(sim, b);
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct batcher *s = tsim__state(sim, b);
    if (kind == EV_TIMEOUT) {
        s->timer = 0;
        start_batch(sim, b, s); /* the timeout is pending only while a batch loads */
        return;
    }
    s->busy_ticks += sim->now - s->busy_since;
    s->phase = UNLOADING;
    unload(sim, b, s);
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct batcher *s = tsim__state(sim, b);
    if (s->phase == UNLOADING) unload(sim, b, s);
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct batcher *s = tsim__state(sim, b);
    s->busy_ticks = 0;
    s->busy_since = sim->now;
    s->batches = s->batched = 0;
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct batcher *s = tsim__state(sim, b);
    int64_t busy = s->busy_ticks + (s->phase == BUSY ? sim->now - s->busy_since : 0);
    int64_t window = sim->now - sim->stats_start;
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "utilization", window > 0 ? (double)busy / (double)window : 0);
    tsim_result_add(r, (int)b, "batches", (double)s->batches);
    tsim_result_add(r, (int)b, "batch_size",
                    s->batches ? (double)s->batched / (double)s->batches : 0);
}

static const struct tsim__block_vt batcher_vt = {
    .state_size = state_size,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
};

/* The descriptor ---------------------------------------------------------------------------- */

static const struct tsim__key keys[] = {
    [K_SIZE] = {"size", TSIM__KEY_INT, TSIM__KEY_REQUIRED, 1, TSIM__COUNT_MAX, .dflt = "required",
                .help = "the most entities processed together"},
    [K_TIMEOUT] = {"timeout", TSIM__KEY_DIST, 0, .dflt = "none (wait for a full batch)",
                   .help = "how long after the first entity of a batch it starts with fewer"},
    [K_PROCESS] = {"process", TSIM__KEY_DIST, TSIM__KEY_REQUIRED, .dflt = "required",
                   .help = "the processing time of a whole batch"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "left", "throughput", "content", "utilization",
                                   "batches", "batch_size", NULL};

const struct tsim__block_type tsim__batcher_type = {
    .name = "batcher",
    .help = "processes up to `size` entities together",
    .keys = keys,
    .kpis = kpis,
    .vt = &batcher_vt,
};
