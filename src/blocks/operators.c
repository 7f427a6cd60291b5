/*
 * Operator pools: `count` interchangeable workers that machines seize for setup, processing or
 * repair, n at a time, waiting in strict FIFO order (a large request at the head is not
 * overtaken by smaller ones behind it, so nobody starves). Off shift the pool's capacity is 0;
 * operators busy at the end of their shift finish their current task first.
 *
 * Each machine server has at most one request outstanding (for its work or for its repair, see
 * station.h), so a pool's queue holds at most the number of servers that need it; its ring is
 * sized so at sim creation.
 */
#include "blocks/sim.h"

struct request {
    uint32_t block, server, purpose, count;
};

struct pool_state {
    int count;   /* size of the pool */
    int cap;     /* operators available to be seized now: count, or 0 off shift */
    int busy;
    uint32_t q_head, q_n, q_cap, q_off;
    struct tsim_level busy_level, wait_level;
};

static uint32_t queue_cap(const struct tsim_model *m, int p)
{
    uint32_t n = 0;
    for (int b = 0; b < m->nblocks; b++)
        if (m->blocks[b].need.pool == p)
            n += (uint32_t)(m->blocks[b].type == TSIM_MACHINE ? m->blocks[b].servers : 1);
    return n ? n : 1;
}

size_t tsim__pools_size(const struct tsim_model *m)
{
    size_t n = (size_t)m->npools * sizeof(struct pool_state);
    for (int p = 0; p < m->npools; p++) n += queue_cap(m, p) * sizeof(struct request);
    return n;
}

static struct pool_state *pool_st(const struct tsim_sim *sim, int p)
{
    return (struct pool_state *)(sim->arena + sim->pool_off[p]);
}

static struct request *queue(const struct tsim_sim *sim, const struct pool_state *ps)
{
    return (struct request *)(sim->arena + ps->q_off);
}

void tsim__pools_init(struct tsim_sim *sim)
{
    const struct tsim_model *m = sim->m;
    if (m->npools == 0) return;
    uint32_t base = sim->pool_off[0];
    uint32_t q = base + (uint32_t)(m->npools * sizeof(struct pool_state));
    for (int p = 0; p < m->npools; p++) {
        sim->pool_off[p] = base + (uint32_t)(p * sizeof(struct pool_state));
        struct pool_state *ps = pool_st(sim, p);
        ps->count = m->pools[p].count;
        ps->cap = m->pools[p].shift < 0 || tsim__shift_on(sim, m->pools[p].shift) ? ps->count : 0;
        ps->q_cap = queue_cap(m, p);
        ps->q_off = q;
        q += ps->q_cap * (uint32_t)sizeof(struct request);
        tsim_level_init(&ps->busy_level, 0, 0);
        tsim_level_init(&ps->wait_level, 0, 0);
    }
}

/* Grant waiting requests in order while the head fits. */
static void serve(struct tsim_sim *sim, int p)
{
    for (;;) {
        struct pool_state *ps = pool_st(sim, p);
        if (ps->q_n == 0) return;
        struct request r = queue(sim, ps)[ps->q_head];
        if (ps->busy + (int)r.count > ps->cap) return;
        ps->q_head = (ps->q_head + 1) % ps->q_cap;
        ps->q_n--;
        ps->busy += (int)r.count;
        tsim__level_set(&ps->busy_level, (double)sim->now, ps->busy);
        tsim__level_set(&ps->wait_level, (double)sim->now, ps->q_n);
        sim->vt[r.block]->granted(sim, r.block, r.server, r.purpose);
    }
}

int tsim__pool_seize(struct tsim_sim *sim, int p, int count, uint32_t b, uint32_t server,
                     uint32_t purpose)
{
    struct pool_state *ps = pool_st(sim, p);
    if (ps->q_n == 0 && ps->busy + count <= ps->cap) {
        ps->busy += count;
        tsim__level_set(&ps->busy_level, (double)sim->now, ps->busy);
        return 1;
    }
    TSIM__ASSERT(ps->q_n < ps->q_cap, "request queue of pool '%s' is full", sim->m->pools[p].name);
    queue(sim, ps)[(ps->q_head + ps->q_n) % ps->q_cap] =
        (struct request){b, server, purpose, (uint32_t)count};
    ps->q_n++;
    tsim__level_set(&ps->wait_level, (double)sim->now, ps->q_n);
    return 0;
}

void tsim__pool_release(struct tsim_sim *sim, int p, int count)
{
    struct pool_state *ps = pool_st(sim, p);
    ps->busy -= count;
    tsim__level_set(&ps->busy_level, (double)sim->now, ps->busy);
    serve(sim, p);
}

int tsim__pool_cancel(struct tsim_sim *sim, int p, uint32_t b, uint32_t server, uint32_t purpose)
{
    struct pool_state *ps = pool_st(sim, p);
    struct request *q = queue(sim, ps);
    for (uint32_t i = 0; i < ps->q_n; i++) {
        uint32_t at = (ps->q_head + i) % ps->q_cap;
        if (q[at].block != b || q[at].server != server || q[at].purpose != purpose) continue;
        /* Close the gap, keeping the order of the others. */
        for (uint32_t j = i; j + 1 < ps->q_n; j++)
            q[(ps->q_head + j) % ps->q_cap] = q[(ps->q_head + j + 1) % ps->q_cap];
        ps->q_n--;
        tsim__level_set(&ps->wait_level, (double)sim->now, ps->q_n);
        /* The withdrawn request may have held back smaller ones behind it. */
        serve(sim, p);
        return 1;
    }
    return 0;
}

void tsim__pools_shift(struct tsim_sim *sim, int s, int on)
{
    for (int p = 0; p < sim->m->npools; p++) {
        if (sim->m->pools[p].shift != s) continue;
        struct pool_state *ps = pool_st(sim, p);
        ps->cap = on ? ps->count : 0;
        if (on) serve(sim, p);
    }
}

int tsim__pool_set_count(struct tsim_sim *sim, int p, int count)
{
    if (p < 0 || p >= sim->m->npools)
        return tsim__fail(TSIM_ENOENT, "tsim_sim_set_pool_count", "no operator pool %d", p);
    if (count < 1 || count > 1000000)
        return tsim__fail(TSIM_ERANGE, "tsim_sim_set_pool_count", "count %d is not in 1..1000000",
                          count);
    struct pool_state *ps = pool_st(sim, p);
    int on = ps->cap > 0 || ps->count == 0;
    ps->count = count;
    if (on) ps->cap = count;
    serve(sim, p);
    return 0;
}

void tsim__pools_restart(struct tsim_sim *sim)
{
    for (int p = 0; p < sim->m->npools; p++) {
        struct pool_state *ps = pool_st(sim, p);
        tsim_level_restart(&ps->busy_level, (double)sim->now);
        tsim_level_restart(&ps->wait_level, (double)sim->now);
    }
}

void tsim__pools_report(struct tsim_sim *sim, struct tsim_result *r)
{
    for (int p = 0; p < sim->m->npools; p++) {
        struct pool_state *ps = pool_st(sim, p);
        double busy = tsim_level_mean(&ps->busy_level, (double)sim->now);
        tsim_result_add(r, TSIM_KPI_POOL(p), "utilization", busy / ps->count);
        tsim_result_add(r, TSIM_KPI_POOL(p), "busy", busy);
        tsim_result_add(r, TSIM_KPI_POOL(p), "waiting",
                        tsim_level_mean(&ps->wait_level, (double)sim->now));
    }
}
