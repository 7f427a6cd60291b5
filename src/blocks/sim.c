/*
 * Sims: creating one replication's state from a model, the run loop, user events, warm-up,
 * entities, results, clones and the live-state calls the twin uses. Block behaviour lives in
 * the block files; the flow protocol in flow.c.
 *
 * The run loop is the hot path: take the next event, from its slot or the heap's top (held there
 * while it runs, see calendar.h), fold it into the fingerprint, dispatch. Nothing else happens
 * per event. A sim gives its blocks their calendar slots when it starts (tsim__block_vt.slots).
 */
#include "blocks/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct tsim__block_vt *const vts[TSIM_BLOCK_TYPE_COUNT] = {
    [TSIM_SOURCE] = &tsim__source_vt,   [TSIM_BUFFER] = &tsim__buffer_vt,
    [TSIM_DELAY] = &tsim__delay_vt,     [TSIM_MACHINE] = &tsim__machine_vt,
    [TSIM_ASSEMBLY] = &tsim__assembly_vt, [TSIM_SPLIT] = &tsim__split_vt,
    [TSIM_SINK] = &tsim__sink_vt,
};

static const char *const state_names[TSIM_STATE_COUNT] = {
    "idle", "busy", "blocked", "down", "setup", "off_shift", "waiting",
};

const char *tsim_state_name(enum tsim_state s)
{
    return (unsigned)s < TSIM_STATE_COUNT ? state_names[s] : "unknown";
}

/* FNV-style fold: cheap enough for every event, and any change of time, block, kind or entity
 * changes the result. */
#define FP_PRIME UINT64_C(0x100000001b3)
static inline uint64_t fp_fold(uint64_t fp, uint64_t x) { return (fp ^ x) * FP_PRIME; }

#define ALIGN(x) (((x) + 15) & ~(size_t)15)

/* Layout ------------------------------------------------------------------------------------ */

static void derive_streams(struct tsim_sim *sim)
{
    static const char *const purpose[TSIM__RNG_COUNT] = {"main", "aux", "fail", "route"};
    char name[512];
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        struct tsim__bhdr *h = tsim__hdr(sim, b);
        for (int k = 0; k < TSIM__RNG_COUNT; k++) {
            snprintf(name, sizeof name, "%s/%s", sim->m->blocks[b].name, purpose[k]);
            tsim_rng_stream(&h->rng[k], sim->seed, sim->rep, name);
        }
    }
}

/* The block state pointers into the (new) arena. */
static void point(struct tsim_sim *sim)
{
    for (uint32_t b = 0; b < sim->nblocks; b++) sim->st[b] = sim->arena + sim->off[b];
}

static void layout(struct tsim_sim *sim)
{
    const struct tsim_model *m = sim->m;
    size_t off = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        sim->vt[b] = vts[d->type];
        sim->off[b] = (uint32_t)off;
        off = ALIGN(off + sim->vt[b]->state_size(m, d));
        off = ALIGN(off + (size_t)(d->indegree > 0 ? d->indegree : 1) * sizeof(uint32_t));
    }
    size_t pools = off;
    off = ALIGN(off + tsim__pools_size(m));
    size_t shifts = off;
    off = ALIGN(off + tsim__shifts_size(m));
    TSIM__ASSERT(off < UINT32_MAX, "model state of %zu bytes is too large", off);
    if (off > sim->arena_size) {
        tsim__free(sim->arena);
        sim->arena = tsim__malloc(off);
    }
    sim->arena_size = off;
    point(sim);
    for (int p = 0; p < m->npools; p++) sim->pool_off[p] = (uint32_t)pools;
    for (int s = 0; s < m->nshifts; s++) sim->shift_off[s] = (uint32_t)shifts;
}

static void start(struct tsim_sim *sim)
{
    const struct tsim_model *m = sim->m;
    memset(sim->arena, 0, sim->arena_size);
    tsim__cal_clear(&sim->cal);
    sim->now = 0;
    sim->events = 0;
    sim->fg = sim->stalled = 0;
    sim->fp = UINT64_C(0xcbf29ce484222325);
    sim->stop = 0;
    sim->nents = 0;
    sim->free_ent = TSIM__NIL;
    sim->live_ents = 0;
    sim->next_id = 1;
    sim->stats_start = 0;
    sim->warmup_at = -1;
    sim->wip = (struct tsim__area){0};
    sim->lead = (struct tsim__sum){0, 0};
    sim->completed = sim->created = 0;
    sim->norders = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        struct tsim__bhdr *h = tsim__hdr(sim, b);
        size_t state = ALIGN(sim->vt[b]->state_size(m, d));
        h->index = b;
        h->waking = TSIM__NIL;
        h->full_at = UINT64_MAX; /* a block that can be full lowers it in its init */
        h->wait_off = (uint32_t)(sim->off[b] + state);
        h->wait_cap = (uint32_t)(d->indegree > 0 ? d->indegree : 1);
    }
    /* Calendar slots, block by block, while they fit; a block beyond has none (the heap). */
    uint32_t slots = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        uint32_t k = sim->vt[b]->slots ? sim->vt[b]->slots(&m->blocks[b]) : 0;
        struct tsim__bhdr *h = tsim__hdr(sim, b);
        h->slot = TSIM__NOSLOT;
        if (k && k <= TSIM__CAL_MAX_SLOTS - slots) {
            h->slot = slots;
            slots += k;
        }
    }
    tsim__cal_slots(&sim->cal, slots);
    derive_streams(sim);
    tsim__shifts_init(sim);
    tsim__pools_init(sim);
    for (uint32_t b = 0; b < sim->nblocks; b++)
        if (sim->vt[b]->init) sim->vt[b]->init(sim, b);
    /* Only now may entities move: every block they can reach is set up. */
    for (uint32_t b = 0; b < sim->nblocks; b++)
        if (sim->vt[b]->start) sim->vt[b]->start(sim, b);
}

struct tsim_sim *tsim_sim_create(const struct tsim_model *m, uint64_t seed, uint64_t replication)
{
    TSIM__ASSERT(m != NULL, "NULL model");
    if (tsim_model_validate(m) != 0) return NULL;
    struct tsim_sim *sim = tsim__calloc(1, sizeof *sim);
    sim->m = m;
    sim->blocks = m->blocks;
    sim->tpu = m->ticks_per_unit;
    sim->seed = seed;
    sim->rep = replication;
    sim->nblocks = (uint32_t)m->nblocks;
    sim->vt = tsim__calloc(sim->nblocks, sizeof *sim->vt);
    sim->off = tsim__calloc(sim->nblocks, sizeof *sim->off);
    sim->st = tsim__calloc(sim->nblocks, sizeof *sim->st);
    sim->pool_off = tsim__calloc((size_t)m->npools + 1, sizeof *sim->pool_off);
    sim->shift_off = tsim__calloc((size_t)m->nshifts + 1, sizeof *sim->shift_off);
    tsim__cal_init(&sim->cal);
    layout(sim);
    start(sim);
    return sim;
}

void tsim_sim_destroy(struct tsim_sim *sim)
{
    if (!sim) return;
    tsim__cal_release(&sim->cal);
    tsim__free(sim->ents);
    tsim__free(sim->vt);
    tsim__free(sim->off);
    tsim__free(sim->st);
    tsim__free(sim->pool_off);
    tsim__free(sim->shift_off);
    tsim__free(sim->arena);
    tsim__free(sim->orders);
    tsim__free(sim);
}

void tsim_sim_reset(struct tsim_sim *sim, uint64_t seed, uint64_t replication)
{
    sim->seed = seed;
    sim->rep = replication;
    start(sim);
}

static void *dup(const void *p, size_t n)
{
    void *q = tsim__malloc(n);
    if (n) memcpy(q, p, n);
    return q;
}

struct tsim_sim *tsim_sim_clone(const struct tsim_sim *src)
{
    const struct tsim_model *m = src->m;
    struct tsim_sim *sim = tsim__malloc(sizeof *sim);
    *sim = *src;
    tsim__cal_init(&sim->cal);
    tsim__cal_copy(&sim->cal, &src->cal);
    sim->ents = dup(src->ents, (size_t)src->cap_ents * sizeof *src->ents);
    sim->vt = dup(src->vt, src->nblocks * sizeof *src->vt);
    sim->off = dup(src->off, src->nblocks * sizeof *src->off);
    sim->pool_off = dup(src->pool_off, ((size_t)m->npools + 1) * sizeof *src->pool_off);
    sim->shift_off = dup(src->shift_off, ((size_t)m->nshifts + 1) * sizeof *src->shift_off);
    sim->arena = dup(src->arena, src->arena_size);
    sim->st = tsim__malloc(src->nblocks * sizeof *sim->st);
    point(sim);
    sim->orders = dup(src->orders, (size_t)src->cap_orders * sizeof *src->orders);
    sim->obs = NULL;
    sim->obs_ctx = NULL;
    return sim;
}

void tsim_sim_reseed(struct tsim_sim *sim, uint64_t seed, uint64_t replication)
{
    sim->seed = seed;
    sim->rep = replication;
    derive_streams(sim);
}

const struct tsim_model *tsim_sim_model(const struct tsim_sim *sim) { return sim->m; }

double tsim_sim_now(const struct tsim_sim *sim) { return tsim__time(sim, sim->now); }

uint64_t tsim_sim_events(const struct tsim_sim *sim) { return sim->events; }

uint64_t tsim_sim_pending(const struct tsim_sim *sim) { return sim->cal.live; }

uint64_t tsim_sim_fingerprint(const struct tsim_sim *sim) { return sim->fp; }

size_t tsim_sim_memory(const struct tsim_sim *sim)
{
    return sizeof *sim + tsim__cal_memory(&sim->cal) + (size_t)sim->cap_ents * sizeof *sim->ents +
           sim->arena_size + sim->nblocks * (sizeof *sim->vt + sizeof *sim->off + sizeof *sim->st) +
           (size_t)sim->cap_orders * sizeof *sim->orders;
}

void tsim_sim_set_observer(struct tsim_sim *sim, tsim_observer_fn *fn, void *ctx)
{
    sim->obs = fn;
    sim->obs_ctx = ctx;
}

/* Events ------------------------------------------------------------------------------------- */

void tsim__cancel(struct tsim_sim *sim, uint64_t handle)
{
    if (!handle || tsim__cal_cancel(&sim->cal, handle) != 0) return;
    if (!tsim__cal_flagged(handle)) sim->fg--; /* user events are foreground too */
}

uint64_t tsim_event_schedule(struct tsim_sim *sim, tsim_event_fn *fn, void *arg, double t,
                             int priority)
{
    TSIM__ASSERT(fn != NULL, "NULL event function");
    int64_t ticks = tsim__ticks(sim, t);
    TSIM__ASSERT(ticks >= sim->now, "time %g is earlier than now (%g)", t, tsim_sim_now(sim));
    TSIM__ASSERT(priority >= -32768 && priority <= 32767, "priority %d out of range", priority);
    sim->fg++;
    return tsim__cal_push(&sim->cal, ticks, priority, fn, arg, 0, 0, 0);
}

int tsim_event_cancel(struct tsim_sim *sim, uint64_t handle)
{
    struct tsim__ev ev;
    if (tsim__cal_get(&sim->cal, handle, &ev) != 0)
        return tsim__fail(TSIM_ENOENT, __func__, "event %llu is not pending",
                          (unsigned long long)handle);
    tsim__cancel(sim, handle);
    return 0;
}

uint64_t tsim_event_reschedule(struct tsim_sim *sim, uint64_t handle, double t)
{
    struct tsim__ev ev;
    if (tsim__cal_get(&sim->cal, handle, &ev) != 0) return 0;
    int64_t ticks = tsim__ticks(sim, t);
    TSIM__ASSERT(ticks >= sim->now, "time %g is earlier than now (%g)", t, tsim_sim_now(sim));
    tsim__cal_cancel(&sim->cal, handle); /* fg is unchanged: one out, one in */
    return tsim__cal_push(&sim->cal, ticks, ev.prio, ev.fn, ev.arg, ev.block, ev.kind, ev.ent);
}

static void warmup_now(struct tsim_sim *sim)
{
    sim->stats_start = sim->now;
    tsim__area_restart(&sim->wip, sim->now, sim->live_ents);
    sim->lead = (struct tsim__sum){0, 0};
    sim->completed = sim->created = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        tsim__hdr_restart(sim, b);
        if (sim->vt[b]->restart) sim->vt[b]->restart(sim, b);
    }
    tsim__pools_restart(sim);
}

/* Every event that runs: the clock, the count and the fingerprint. */
static inline void note_event(struct tsim_sim *sim, int64_t t, uint32_t block, uint32_t kind,
                              uint32_t ent)
{
    sim->now = t;
    sim->events++;
    sim->fp = fp_fold(fp_fold(sim->fp, (uint64_t)t),
                      ((uint64_t)block << 32) ^ ((uint64_t)kind << 24) ^ ent);
}

/* Run block event (block, kind, ent) at `t`. Events of the sim itself (warm-up, shifts) come as
 * block TSIM__SIM_EVENT. */
static inline void run_block(struct tsim_sim *sim, int64_t t, uint32_t block, uint32_t kind,
                             uint32_t ent)
{
    note_event(sim, t, block, kind, ent);
    if (!(kind & TSIM__BG)) sim->fg--;
    kind &= ~TSIM__BG;
    if (block != TSIM__SIM_EVENT) sim->vt[block]->event(sim, block, kind, ent);
    else if (kind == TSIM__EV_WARMUP) warmup_now(sim);
    else tsim__shift_event(sim, ent);
}

/* Run a popped event: a user event's function, or a block event. */
static inline void run_one(struct tsim_sim *sim, int64_t t, const struct tsim__ev *ev)
{
    if (!ev->fn) {
        run_block(sim, t, ev->block, ev->kind, ev->ent);
        return;
    }
    note_event(sim, t, ev->block, ev->kind, ev->ent);
    sim->fg--;
    ev->fn(sim, ev->arg);
}

/* Run the next block event, which tsim__cal_next_block found: its fields go from the heap entry
 * or the slot to the dispatch in registers, and it is held while it runs (calendar.h), so that
 * the event's first push (to the heap, or to its own slot) takes its place. */
static inline void run_next(struct tsim_sim *sim, uint32_t slot)
{
    struct tsim__calendar *c = &sim->cal;
    if (slot == TSIM__CAL_NOSLOT) {
        const struct tsim__hent *h = &c->heap[0];
        int64_t t = (int64_t)(h->key >> 64);
        uint32_t block = h->block, kind = (uint16_t)h->kind, ent = h->ent;
        tsim__cal_hold_top(c);
        run_block(sim, t, block, kind, ent);
        tsim__cal_unhold(c);
    } else {
        int64_t t = (int64_t)c->stop_time;
        const struct tsim__sev *e = &c->sev[slot];
        uint32_t block = e->block, kind = (uint16_t)e->kind, ent = e->ent;
        tsim__cal_hold_slot(c, slot);
        run_block(sim, t, block, kind, ent);
        tsim__cal_unhold_slot(c);
    }
}

/* The time of the event tsim__cal_next_block found. */
static inline int64_t next_block_time(const struct tsim__calendar *c, uint32_t slot)
{
    return slot == TSIM__CAL_NOSLOT ? (int64_t)(c->heap[0].key >> 64) : (int64_t)c->stop_time;
}

int tsim_sim_step(struct tsim_sim *sim)
{
    int64_t t;
    struct tsim__ev ev;
    if (!tsim__cal_pop(&sim->cal, &t, &ev)) return 0;
    run_one(sim, t, &ev);
    return 1;
}

uint64_t tsim_sim_run_until(struct tsim_sim *sim, double t)
{
    int64_t end = tsim__ticks(sim, t);
    TSIM__ASSERT(end >= sim->now, "time %g is earlier than now (%g)", t, tsim_sim_now(sim));
    uint64_t before = sim->events;
    sim->stop = 0;
    while (!sim->stop) {
        uint32_t slot;
        if (tsim__cal_next_block(&sim->cal, &slot)) {
            if (next_block_time(&sim->cal, slot) > end) break;
            run_next(sim, slot);
            continue;
        }
        int64_t et;
        struct tsim__ev ev;
        if (tsim__cal_next_time(&sim->cal) > end || !tsim__cal_pop(&sim->cal, &et, &ev)) break;
        run_one(sim, et, &ev);
    }
    if (!sim->stop) sim->now = end;
    return sim->events - before;
}

uint64_t tsim_sim_run(struct tsim_sim *sim)
{
    uint64_t before = sim->events;
    sim->stop = 0;
    while (!sim->stop) {
        uint32_t slot;
        if (tsim__cal_next_block(&sim->cal, &slot)) {
            run_next(sim, slot);
        } else {
            int64_t t;
            struct tsim__ev ev;
            if (!tsim__cal_pop(&sim->cal, &t, &ev)) break;
            run_one(sim, t, &ev);
        }
        /* Only failures, repairs and shift changes left, and nothing waits for them. */
        if (sim->fg == 0 && sim->stalled == 0) break;
    }
    return sim->events - before;
}

void tsim_sim_stop(struct tsim_sim *sim) { sim->stop = 1; }

int tsim_sim_set_warmup(struct tsim_sim *sim, double t)
{
    int64_t ticks = tsim__ticks(sim, t);
    if (ticks < sim->now)
        return tsim__fail(TSIM_ESTATE, __func__, "warm-up %g is already past (now %g)", t,
                          tsim_sim_now(sim));
    if (ticks == 0) return 0;
    /* Lowest priority: every event at the warm-up instant belongs to the deleted period. */
    tsim__cal_push(&sim->cal, ticks, -32768, NULL, NULL, TSIM__SIM_EVENT,
                   TSIM__EV_WARMUP | TSIM__BG, 0);
    sim->warmup_at = ticks;
    return 0;
}

/* Entities ----------------------------------------------------------------------------------- */

/* No free entity: a new one at the end of the pool, which doubles when full. */
uint32_t tsim__entity_grow(struct tsim_sim *sim)
{
    if (sim->nents == sim->cap_ents) {
        TSIM__ASSERT(sim->cap_ents < UINT32_MAX / 2, "too many entities");
        uint32_t cap = sim->cap_ents ? sim->cap_ents * 2 : 256;
        sim->ents = tsim__realloc(sim->ents, (size_t)cap * sizeof *sim->ents);
        sim->cap_ents = cap;
    }
    return sim->nents++;
}

void tsim__complete_order(struct tsim_sim *sim, uint32_t e)
{
    const struct tsim__entity *en = &sim->ents[e];
    for (uint32_t i = 0; i < sim->norders; i++) {
        if (sim->orders[i].id == en->id) {
            sim->orders[i].done = sim->now;
            break;
        }
    }
}

double tsim__sum_mean(const struct tsim_sim *sim, const struct tsim__sum *s)
{
    return s->n ? s->ticks / (double)s->n / sim->tpu : 0;
}

double tsim__window(const struct tsim_sim *sim)
{
    return tsim__time(sim, sim->now - sim->stats_start);
}

/* Results ------------------------------------------------------------------------------------ */

void tsim_sim_result(struct tsim_sim *sim, struct tsim_result *out)
{
    out->n = 0;
    double window = tsim__window(sim);
    for (uint32_t b = 0; b < sim->nblocks; b++) sim->vt[b]->report(sim, b, out);
    tsim__pools_report(sim, out);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "throughput", window > 0 ? sim->completed / window : 0);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "lead_time", tsim__sum_mean(sim, &sim->lead));
    tsim_result_add(out, TSIM_KPI_SYSTEM, "wip", tsim__area_mean(&sim->wip, sim->now, sim->live_ents));
    tsim_result_add(out, TSIM_KPI_SYSTEM, "completed", (double)sim->completed);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "created", (double)sim->created);
    out->start_time = tsim__time(sim, sim->stats_start);
    out->end_time = tsim_sim_now(sim);
    out->events = sim->events;
    uint64_t fp = sim->fp;
    for (size_t i = 0; i < out->n; i++) {
        uint64_t bits;
        memcpy(&bits, &out->kpis[i].value, sizeof bits);
        fp = fp_fold(fp, bits);
    }
    out->fingerprint = fp;
}

/* Live state --------------------------------------------------------------------------------- */

static int check_block(const struct tsim_sim *sim, int block, const char *func)
{
    if (block < 0 || (uint32_t)block >= sim->nblocks)
        return tsim__fail(TSIM_ENOENT, func, "no block %d", block);
    return 0;
}

uint64_t tsim_block_content(const struct tsim_sim *sim, int block)
{
    return check_block(sim, block, __func__) ? 0 : tsim__hdr(sim, (uint32_t)block)->content;
}

uint64_t tsim_block_entered(const struct tsim_sim *sim, int block)
{
    return check_block(sim, block, __func__) ? 0 : tsim__hdr(sim, (uint32_t)block)->entered;
}

static int inject_one(struct tsim_sim *sim, uint32_t b, int product, int64_t due, uint32_t *out)
{
    uint32_t e = tsim__entity_new(sim, product);
    sim->ents[e].due = due;
    tsim__entity_enter_system(sim, e);
    if (!sim->vt[b]->offer || !sim->vt[b]->offer(sim, b, e)) {
        tsim__entity_dispose(sim, e);
        sim->created--;
        return 0;
    }
    if (out) *out = e;
    return 1;
}

static int check_inject(struct tsim_sim *sim, int block, int product, const char *func)
{
    int rc = check_block(sim, block, func);
    if (rc) return rc;
    int np = sim->m->nproducts > 0 ? sim->m->nproducts : 1;
    if (product < 0 || product >= np) return tsim__fail(TSIM_ENOENT, func, "no product %d", product);
    enum tsim_block_type t = sim->m->blocks[block].type;
    if (t == TSIM_SOURCE)
        return tsim__fail(TSIM_EINVAL, func, "cannot put entities into source '%s'",
                          sim->m->blocks[block].name);
    return 0;
}

int tsim_block_inject(struct tsim_sim *sim, int block, int product, uint64_t n)
{
    int rc = check_inject(sim, block, product, __func__);
    if (rc) return rc;
    int taken = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (!inject_one(sim, (uint32_t)block, product, TSIM__NEVER, NULL)) break;
        taken++;
    }
    return taken;
}

int64_t tsim_block_inject_order(struct tsim_sim *sim, int block, int product, double due)
{
    int rc = check_inject(sim, block, product, __func__);
    if (rc) return rc;
    uint32_t e;
    /* Tracked before the offer: a machine may finish it at once only in a later event, but a
     * sink takes it now. */
    if (sim->norders == sim->cap_orders) {
        size_t cap = sim->cap_orders;
        tsim__grow((void **)&sim->orders, &cap, (size_t)sim->norders + 1, sizeof *sim->orders);
        sim->cap_orders = (uint32_t)cap;
    }
    uint64_t id = sim->next_id;
    sim->orders[sim->norders++] = (struct tsim__order){id, -1};
    if (!inject_one(sim, (uint32_t)block, product, due < 0 ? TSIM__NEVER : tsim__ticks(sim, due),
                    &e)) {
        sim->norders--;
        return tsim__fail(TSIM_ESTATE, __func__, "block '%s' refused the order",
                          sim->m->blocks[block].name);
    }
    sim->ents[e].tracked = 1;
    return (int64_t)id;
}

double tsim_sim_completion_time(const struct tsim_sim *sim, uint64_t entity)
{
    for (uint32_t i = 0; i < sim->norders; i++)
        if (sim->orders[i].id == entity)
            return sim->orders[i].done < 0 ? -1 : tsim__time(sim, sim->orders[i].done);
    return -1;
}

int tsim_block_remove(struct tsim_sim *sim, int block, uint64_t n)
{
    int rc = check_block(sim, block, __func__);
    if (rc) return rc;
    if (!sim->vt[block]->remove)
        return tsim__fail(TSIM_EINVAL, __func__, "cannot remove entities from %s '%s'",
                          tsim_block_type_name(sim->m->blocks[block].type),
                          sim->m->blocks[block].name);
    return sim->vt[block]->remove(sim, (uint32_t)block, n);
}

int tsim_machine_force_down(struct tsim_sim *sim, int block, int server, int down)
{
    int rc = check_block(sim, block, __func__);
    if (rc) return rc;
    if (!sim->vt[block]->force_down)
        return tsim__fail(TSIM_EINVAL, __func__, "'%s' is not a machine", sim->m->blocks[block].name);
    return sim->vt[block]->force_down(sim, (uint32_t)block, server, down);
}

int tsim_machine_state(const struct tsim_sim *sim, int block, int server)
{
    if (block < 0 || (uint32_t)block >= sim->nblocks || !sim->vt[block]->state) return -1;
    return sim->vt[block]->state(sim, (uint32_t)block, server);
}

int tsim_sim_set_pool_count(struct tsim_sim *sim, int pool, int count)
{
    return tsim__pool_set_count(sim, pool, count);
}
