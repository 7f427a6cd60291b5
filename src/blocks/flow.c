/*
 * The flow protocol: routing, sending with blocking, waking waiters, and the bookkeeping every
 * block shares (entered, left, content over time, the observer). See sim.h for the invariants.
 *
 * Waiters of a block are kept in a ring of capacity = the block's in-degree: an upstream block is
 * registered at most once per destination, so the ring never overflows. A waiter that is woken
 * and refused again goes back to the front, keeping the order in which waiters were refused.
 */
#include "blocks/sim.h"
#include "blocks/station.h"

#include <math.h>

static inline uint32_t *ring(struct tsim_sim *sim, struct tsim__bhdr *h)
{
    return (uint32_t *)(sim->arena + h->wait_off);
}

/* Ring positions wrap by comparison: a division per step would cost more than the rest. */
static inline uint32_t wrap(uint32_t i, uint32_t cap) { return i >= cap ? i - cap : i; }

static int is_waiting(struct tsim_sim *sim, struct tsim__bhdr *h, uint32_t up)
{
    uint32_t *r = ring(sim, h);
    for (uint32_t i = 0, k = h->wait_head; i < h->wait_n; i++, k = wrap(k + 1, h->wait_cap))
        if (r[k] == up) return 1;
    return 0;
}

static void add_waiter(struct tsim_sim *sim, uint32_t d, uint32_t up)
{
    struct tsim__bhdr *h = tsim__hdr(sim, d);
    if (h->wait_n == 0) {
        /* The common case: nobody waits yet, and an empty ring has no order to keep. */
        ring(sim, h)[h->wait_head] = up;
        h->wait_n = 1;
        return;
    }
    if (is_waiting(sim, h, up)) return;
    TSIM__ASSERT(h->wait_n < h->wait_cap, "waiter ring of '%s' is full", sim->m->blocks[d].name);
    uint32_t *r = ring(sim, h);
    if (h->waking == up) {
        h->wait_head = h->wait_head ? h->wait_head - 1 : h->wait_cap - 1;
        r[h->wait_head] = up;
    } else {
        r[wrap(h->wait_head + h->wait_n, h->wait_cap)] = up;
    }
    h->wait_n++;
}

void tsim__wake_waiters(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    /* Each waiter gets at most one turn per wake: one that is refused again returns to the front,
     * and then the block is full again. */
    uint32_t turns = h->wait_n;
    while (turns-- > 0 && h->wait_n > 0) {
        uint32_t up = ring(sim, h)[h->wait_head];
        h->wait_head = wrap(h->wait_head + 1, h->wait_cap);
        h->wait_n--;
        uint32_t saved = h->waking;
        h->waking = up;
        sim->vt[up]->pull(sim, up);
        h = tsim__hdr(sim, b);
        h->waking = saved;
        if (h->wait_n > 0 && ring(sim, h)[h->wait_head] == up) break;
    }
}

void tsim__wake_each(struct tsim_sim *sim, uint32_t b)
{
    /* A refused waiter goes to the back (waking is not set to it), so after one pass over those
     * waiting now, the ones refused again keep their order. */
    uint32_t turns = tsim__hdr(sim, b)->wait_n;
    while (turns-- > 0) {
        struct tsim__bhdr *h = tsim__hdr(sim, b);
        if (h->wait_n == 0) return;
        uint32_t up = ring(sim, h)[h->wait_head];
        h->wait_head = wrap(h->wait_head + 1, h->wait_cap);
        h->wait_n--;
        sim->vt[up]->pull(sim, up);
    }
}

void tsim__area_restart(struct tsim__area *a, int64_t now, uint64_t n)
{
    a->in = (tsim__wide)now * (tsim__wide)n;
    a->out = 0;
    a->start = now;
    a->max = n;
}

double tsim__area_mean(const struct tsim__area *a, int64_t now, uint64_t n)
{
    if (now <= a->start) return (double)n;
    return (double)(a->out - a->in + (tsim__wide)now * (tsim__wide)n) / (double)(now - a->start);
}

uint64_t tsim__load(const struct tsim_sim *sim, uint32_t b) { return tsim__hdr(sim, b)->content; }

/* Whether block `b` would take an entity offered now: a machine with an available idle server,
 * any other block below its content limit (an unlimited one always). A machine that drops what
 * it cannot take counts as not taking: `first_free` is the loss system's hunt for a free
 * server. */
int tsim__takes_now(const struct tsim_sim *sim, uint32_t b)
{
    if (sim->vt[b] == &tsim__machine_vt) return tsim__station_free_server(sim, b) >= 0;
    const struct tsim__bhdr *h = tsim__hdr(sim, b);
    return h->content < h->full_at;
}

/* Busy time per server of block `b` since the statistics began (the numerator of its
 * utilization: every target shares the window); 0 for a block that is not a machine. */
double tsim__busy_share(const struct tsim_sim *sim, uint32_t b)
{
    return sim->vt[b] == &tsim__machine_vt ? tsim__station_busy(sim, b) : 0;
}

/* For earliest_free (and a route's `backlog`): ticks until block `b` would start work on one more entity, by the work
 * started and queued there (docs/semantics.md): a machine's tsim__station_free_after; a buffer
 * whose single route leads to a machine, the same with the buffer's queue as work waiting; any
 * other block 0 while it takes entities, else never. */
double tsim__free_after(const struct tsim_sim *sim, uint32_t b)
{
    if (sim->vt[b] == &tsim__machine_vt) return tsim__station_free_after(sim, b, 0);
    const struct tsim__block_desc *d = &sim->blocks[b];
    if (d->type == TSIM_BUFFER && d->route.rule == TSIM_ROUTE_SINGLE &&
        sim->vt[d->route.to[0]] == &tsim__machine_vt) {
        uint32_t m = (uint32_t)d->route.to[0];
        return tsim__station_free_after(sim, m, tsim__buffer_work(sim, b, m));
    }
    return tsim__takes_now(sim, b) ? 0 : INFINITY;
}

int32_t tsim__route_pick(struct tsim_sim *sim, uint32_t from, uint32_t e)
{
    const struct tsim__route *r = &sim->m->blocks[from].route;
    switch (r->rule) {
    case TSIM_ROUTE_SINGLE:
        return r->to[0];
    case TSIM_ROUTE_PROBABILITY: {
        double u = tsim__draw_u(sim, &tsim__hdr(sim, from)->rng[TSIM__RNG_ROUTE]);
        int i = 0;
        while (i < r->n - 1 && u > r->cum[i]) i++;
        return r->to[i];
    }
    case TSIM_ROUTE_PRODUCT:
        return r->by_product[sim->ents[e].product];
    case TSIM_ROUTE_SHORTEST_QUEUE: {
        int best = r->to[0];
        uint64_t load = tsim__load(sim, (uint32_t)best);
        for (int i = 1; i < r->n; i++) {
            uint64_t l = tsim__load(sim, (uint32_t)r->to[i]);
            if (l < load) {
                load = l;
                best = r->to[i];
            }
        }
        return best;
    }
    case TSIM_ROUTE_ROUND_ROBIN: {
        struct tsim__bhdr *h = tsim__hdr(sim, from);
        return r->to[h->rr++ % (uint64_t)r->n];
    }
    case TSIM_ROUTE_FIRST_FREE:
        for (int i = 0; i < r->n; i++)
            if (tsim__takes_now(sim, (uint32_t)r->to[i])) return r->to[i];
        return r->to[0];
    case TSIM_ROUTE_LEAST_UTILIZED: {
        int best = r->to[0];
        double low = tsim__busy_share(sim, (uint32_t)best);
        for (int i = 1; i < r->n; i++) {
            double u = tsim__busy_share(sim, (uint32_t)r->to[i]);
            if (u < low) {
                low = u;
                best = r->to[i];
            }
        }
        return best;
    }
    case TSIM_ROUTE_EARLIEST_FREE: {
        int best = r->to[0];
        double low = tsim__free_after(sim, (uint32_t)best);
        for (int i = 1; i < r->n && low > 0; i++) {
            double f = tsim__free_after(sim, (uint32_t)r->to[i]);
            if (f < low) {
                low = f;
                best = r->to[i];
            }
        }
        return best;
    }
    case TSIM_ROUTE_NONE:
        break;
    }
    return -1;
}

/* A product with no branch of a by-product route: it leaves the system as dropped at the block
 * that could not route it (the loader warns about such models). The sender does its leave
 * bookkeeping as for an accepted entity. */
static __attribute__((noinline)) int unroutable(struct tsim_sim *sim, uint32_t from, uint32_t e)
{
    tsim__note_drop(sim, from, e);
    tsim__entity_dispose(sim, e);
    return 1;
}

/* `d` refused `e`: the entity keeps its destination and `from` waits on `d`. */
__attribute__((noinline)) int tsim__refused(struct tsim_sim *sim, uint32_t from, uint32_t e,
                                            int32_t d)
{
    sim->ents[e].dest = d;
    add_waiter(sim, (uint32_t)d, from);
    return 0;
}

/* A block with a hook: its sets and rule run once per entity, as its destination is picked (a
 * refused entity keeps its destination, so a retry does not run them again). */
static __attribute__((noinline)) int32_t pick_hooked(struct tsim_sim *sim, uint32_t from,
                                                     uint32_t e)
{
    int k = tsim__hook_run(sim, from, e);
    if (k == -2) return -2;
    if (k >= 0) return sim->blocks[from].route.to[k];
    return tsim__route_pick(sim, from, e);
}

int tsim__send_picked(struct tsim_sim *sim, uint32_t from, uint32_t e)
{
    int32_t d =
        sim->blocks[from].hook ? pick_hooked(sim, from, e) : tsim__route_pick(sim, from, e);
    if (d == -2) {
        /* The sim has failed: the entity stays, its sender waits on nobody. */
        return 0;
    }
    if (d < 0) return unroutable(sim, from, e);
    return tsim__offer_to(sim, from, e, d);
}

void tsim__note_observe(struct tsim_sim *sim, enum tsim_obs_kind what, uint32_t b, uint32_t e)
{
    struct tsim_obs o = {what, tsim__time(sim, sim->now), (int)b, 0, 0, sim->ents[e].product,
                         sim->ents[e].id, tsim__hdr(sim, b)->content};
    sim->obs(sim->obs_ctx, &o);
}

void tsim__note_observe_seen(struct tsim_sim *sim, enum tsim_obs_kind what, uint32_t b,
                             uint64_t id, int product)
{
    struct tsim_obs o = {what, tsim__time(sim, sim->now), (int)b, 0, 0, product, id,
                         tsim__hdr(sim, b)->content};
    sim->obs(sim->obs_ctx, &o);
}

int tsim__send_leave_observed(struct tsim_sim *sim, uint32_t b, uint32_t e,
                              int (*offer)(struct tsim_sim *, uint32_t, uint32_t), int32_t d)
{
    uint64_t id = sim->ents[e].id;
    int product = sim->ents[e].product;
    if (!(offer ? tsim__offer_by(sim, b, e, d, offer) : tsim__send(sim, b, e))) return 0;
    tsim__count_leave(sim, b);
    if (sim->obs) tsim__note_observe_seen(sim, TSIM_OBS_LEAVE, b, id, product);
    return 1;
}

void tsim__note_drop(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    if (sim->obs) tsim__note_observe(sim, TSIM_OBS_DROP, b, e);
}

void tsim__note_state(struct tsim_sim *sim, uint32_t b, int server, int state)
{
    if (sim->obs) {
        struct tsim_obs o = {TSIM_OBS_STATE, tsim__time(sim, sim->now), (int)b, server, state,
                             0, 0, tsim__hdr(sim, b)->content};
        sim->obs(sim->obs_ctx, &o);
    }
}

void tsim__hdr_restart(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    h->entered = h->left = 0;
    tsim__area_restart(&h->level, sim->now, h->content);
}

void tsim__hdr_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r, int with_content)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    double w = tsim__window(sim);
    tsim_result_add(r, (int)b, "entered", (double)h->entered);
    tsim_result_add(r, (int)b, "left", (double)h->left);
    tsim_result_add(r, (int)b, "throughput", w > 0 ? (double)h->left / w : 0);
    if (with_content) tsim_result_add(r, (int)b, "content", tsim__area_mean(&h->level, sim->now, h->content));
}
