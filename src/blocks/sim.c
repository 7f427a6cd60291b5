/*
 * Sims: creating one replication's state from a model, the run loop, user events, warm-up,
 * entities, results, clones and the live-state calls the twin uses. Block behaviour lives in
 * the block files; the flow protocol in flow.c.
 *
 * The run loop is the hot path: take the next event, from its slot or the heap's top (held there
 * while it runs, see calendar.h), fold it into the fingerprint, dispatch. Nothing else happens
 * per event. A sim gives its blocks their calendar slots when it starts (tsim__block_vt.slots).
 *
 * Limits of a run, so that no model runs for ever at one instant or grows until memory runs out
 * (docs/model-format.md, Limits of a run):
 * - Zero-time rule: more than `instant_limit` events at one instant stop the run with an error
 *   naming the blocks involved. The loop compares the event count with a checkpoint, the one
 *   comparison it makes anyway to see tsim_sim_stop (check_at). Every instant_limit / 2 events
 *   the checkpoint looks at the clock; if it has not moved since the last one, the sim watches
 *   the instant event by event, and stops once the events seen there pass the limit. So a stop
 *   means more than instant_limit events at one instant, and such a run is stopped within 1.5
 *   times the limit. A source whose interarrival times round to 0 ticks makes entities without
 *   events, a split makes copies without events: they count them against the same limit
 *   (source.c, split.c).
 * - Entities: at most max_ents exist at once; the pool's growth, out of line, checks it.
 * - Time: no event later than TSIM__TMAX runs (tsim_sim_run stops there with an error;
 *   tsim_sim_run_until refuses an end beyond it).
 *
 * Requests to stop from elsewhere (tsim_sim_interrupt from another thread or a signal handler,
 * a driver's flag, tsim__sim_watch) are read at the same checkpoints, which come at least every
 * POLL_EVENTS events for this: a run stops within POLL_EVENTS events of the request, and the
 * event loop pays nothing for it but one call out of line per POLL_EVENTS events.
 */
#include "blocks/sim.h"
#include "blocks/picking.h"
#include "blocks/qtree.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[TSIM_STATE_COUNT] = {
    "idle", "busy", "blocked", "down", "setup", "off_shift", "waiting",
};

const char *tsim_state_name(enum tsim_state s)
{
    return (unsigned)s < TSIM_STATE_COUNT ? state_names[s] : "unknown";
}

/* FNV-style fold: cheap enough for every event, and any change of time, block, kind or entity
 * changes the result. */
static inline uint64_t fp_fold(uint64_t fp, uint64_t x) { return tsim__fnv_fold(fp, x); }

#define ALIGN(x) (((x) + 15) & ~(size_t)15)

/* Layout ------------------------------------------------------------------------------------ */

static void derive_streams(struct tsim_sim *sim)
{
    sim->philox = sim->m->rng == TSIM_RNG_PHILOX;
    if (sim->philox) {
        tsim__philox_streams(sim);
        return;
    }
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
    sim->size_units = sim->nblocks;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        const struct tsim__block_desc *d = &m->blocks[b];
        if (d->type == TSIM_MACHINE) sim->size_units += (uint64_t)d->servers;
        sim->vt[b] = tsim__block_types[d->type]->vt;
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
    sim->arena_size = sim->arena_base = off;
    point(sim);
    for (int p = 0; p < m->npools; p++) sim->pool_off[p] = (uint32_t)pools;
    for (int s = 0; s < m->nshifts; s++) sim->shift_off[s] = (uint32_t)shifts;
}

/* Limits of a run ----------------------------------------------------------------------------- */

/* The default limit of events at one instant: 100 for every block, server and entity in the
 * system, at least a million. Each entity passes a bounded number of blocks in an instant, each
 * server ends a bounded number of phases, so a model that does not loop stays far below it; a
 * loop of one entity is stopped after a million events, a few hundredths of a second. */
/* At most this many events between two looks at the stop requests (see the top). */
#define POLL_EVENTS UINT64_C(4096)

#define INSTANT_MIN UINT64_C(1000000)
#define INSTANT_PER_UNIT 100

uint64_t tsim__instant_limit(const struct tsim_sim *sim)
{
    if (sim->err) return 0;
    if (sim->m->max_instant_events) return sim->m->max_instant_events;
    uint64_t n = INSTANT_PER_UNIT * (sim->size_units + sim->live_ents);
    return n > INSTANT_MIN ? n : INSTANT_MIN;
}

static void watch_end(struct tsim_sim *sim)
{
    tsim__free(sim->watch_seen);
    tsim__free(sim->watch_entered);
    sim->watch_seen = NULL;
    sim->watch_entered = NULL;
    sim->watch = 0;
}

/* Where the loop next calls checkpoint(): the zero-time rule's next check, or sooner, to look
 * at the stop requests. */
static inline uint64_t poll_at(const struct tsim_sim *sim)
{
    uint64_t poll = sim->events + POLL_EVENTS;
    return poll < sim->check_next ? poll : sim->check_next;
}

/* Whether someone else asked the sim to stop: tsim_sim_interrupt, or the driver's flag. */
static int stop_asked(const struct tsim_sim *sim)
{
    return atomic_load_explicit(&((struct tsim_sim *)sim)->interrupted, memory_order_relaxed) ||
           (sim->stop_flag && atomic_load_explicit(sim->stop_flag, memory_order_relaxed));
}

/* The next checkpoint, `instant_limit / 2` events after this one (the comparison in the loop
 * then costs nothing until it comes). */
static void next_check(struct tsim_sim *sim)
{
    sim->instant_limit = tsim__instant_limit(sim);
    uint64_t half = sim->instant_limit / 2;
    sim->inst_events = sim->events;
    sim->check_next = sim->events + (half ? half : 1);
    sim->check_at = sim->stop ? 0 : poll_at(sim);
}

static void limits_start(struct tsim_sim *sim)
{
    watch_end(sim);
    sim->inst_t = -1;
    uint64_t max = sim->m->max_entities ? sim->m->max_entities : TSIM_DEFAULT_MAX_ENTITIES;
    sim->max_ents = max < UINT32_MAX / 2 ? (uint32_t)max : UINT32_MAX / 2;
    next_check(sim);
}

void tsim__sim_fail(struct tsim_sim *sim, int err, const char *fmt, ...)
{
    sim->stop = 1;
    sim->check_at = 0;
    sim->instant_limit = 0;
    if (sim->err) return;
    sim->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
}

/* "'a', 'b' and 3 more" of the blocks marked in `seen` (model order), into `buf`. */
static void block_list(const struct tsim_sim *sim, const uint32_t *seen, char *buf, size_t size)
{
    enum { SHOWN = 8 };
    uint32_t n = 0, shown = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) n += seen[b] != 0;
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t b = 0; b < sim->nblocks && shown < SHOWN; b++) {
        if (!seen[b]) continue;
        const char *sep = shown == 0 ? "" : (shown + 1 == n ? " and " : ", ");
        int k = snprintf(buf + len, size - len, "%s'%s'", sep, sim->m->blocks[b].name);
        if (k < 0 || (size_t)k >= size - len) return;
        len += (size_t)k;
        shown++;
    }
    if (shown < n) snprintf(buf + len, size - len, " and %u more", n - shown);
}

/* A number of ticks as model time, for messages. */
static double at_time(const struct tsim_sim *sim) { return tsim__time(sim, sim->now); }

static void zero_time_loop(struct tsim_sim *sim)
{
    for (uint32_t b = 0; b < sim->nblocks; b++)
        if (tsim__hdr(sim, b)->entered != sim->watch_entered[b]) sim->watch_seen[b]++;
    char blocks[300];
    block_list(sim, sim->watch_seen, blocks, sizeof blocks);
    tsim__sim_fail(sim, TSIM_ELIMIT,
                   "zero-time loop at %.10g %s: more than %llu events without the clock moving, "
                   "through %s (a cycle in which no time passes? 'max_instant_events' raises "
                   "the limit)",
                   at_time(sim), sim->m->time_unit, (unsigned long long)sim->instant_limit,
                   blocks[0] ? blocks : "no block");
}

/* The next event's time and block (TSIM__SIM_EVENT for the sim's own, TSIM__CAL_USER for a user
 * event); 0 when none is pending. */
static int peek(struct tsim_sim *sim, int64_t *t, uint32_t *block)
{
    struct tsim__calendar *c = &sim->cal;
    *t = tsim__cal_next_time(c);
    if (*t == INT64_MAX) return 0;
    int slot = c->n ? tsim__cal_top_key(c) < c->heap[0].key : !tsim__cal_slot_free(c, c->stop);
    *block = slot ? c->sev[tsim__cal_slot_top(c)].block : c->heap[0].block;
    return 1;
}

/* The run loop came to check_at: a stop (0: return), or a checkpoint of the zero-time rule
 * (1: go on). Out of line: it runs once in instant_limit / 2 events, or per event only while an
 * instant is watched. */
static __attribute__((noinline)) int checkpoint(struct tsim_sim *sim)
{
    if (sim->stop) return 0;
    if (stop_asked(sim)) {
        sim->stop = 1;
        sim->check_at = 0;
        return 0;
    }
    if (sim->events < sim->check_next) {
        /* Only a look at the stop requests. */
        sim->check_at = poll_at(sim);
        return 1;
    }
    if (sim->watch) {
        int64_t t;
        uint32_t block;
        if (!peek(sim, &t, &block) || t != sim->now) {
            /* The instant is over: the loop runs free again. */
            watch_end(sim);
            sim->inst_t = -1;
            next_check(sim);
            return 1;
        }
        if (block < sim->nblocks && sim->watch_seen[block] < UINT32_MAX) sim->watch_seen[block]++;
        if (++sim->watch > sim->instant_limit) {
            zero_time_loop(sim);
            return 0;
        }
        sim->check_at = sim->check_next = sim->events + 1;
        return 1;
    }
    if (sim->now != sim->inst_t) {
        sim->inst_t = sim->now;
        next_check(sim);
        return 1;
    }
    /* The clock has not moved over the last instant_limit / 2 events, which all ran at this
     * instant with the one before them: watch it from here, event by event. */
    sim->watch = sim->events - sim->inst_events + 1;
    sim->watch_seen = tsim__calloc(sim->nblocks, sizeof *sim->watch_seen);
    sim->watch_entered = tsim__malloc(sim->nblocks * sizeof *sim->watch_entered);
    for (uint32_t b = 0; b < sim->nblocks; b++) sim->watch_entered[b] = tsim__hdr(sim, b)->entered;
    sim->check_at = sim->check_next = sim->events + 1;
    return 1;
}

void tsim__zero_arrivals(struct tsim_sim *sim, uint32_t b, uint64_t n)
{
    if (sim->err) return;
    const struct tsim__block_desc *d = &sim->m->blocks[b];
    char why[160];
    if (tsim_dist_mean(&d->interarrival) > 0)
        snprintf(why, sizeof why,
                 "its interarrival times below one tick (%g %s): a finer 'resolution', or "
                 "another unit for 'interarrival'?",
                 1.0 / sim->tpu, sim->m->time_unit);
    else
        snprintf(why, sizeof why, "its interarrival times 0");
    tsim__sim_fail(sim, TSIM_ELIMIT,
                   "source '%s' at %.10g %s: more than %llu entities arrived without the clock "
                   "moving, %s ('max_instant_events' raises the limit)",
                   d->name, at_time(sim), sim->m->time_unit, (unsigned long long)(n - 1), why);
}

void tsim__too_many_copies(struct tsim_sim *sim, uint32_t b, uint64_t n)
{
    if (sim->err) return;
    tsim__sim_fail(sim, TSIM_ELIMIT,
                   "split '%s' at %.10g %s: %llu copies made without the clock moving, more than "
                   "%llu ('max_instant_events' raises the limit)",
                   sim->m->blocks[b].name, at_time(sim), sim->m->time_unit,
                   (unsigned long long)n, (unsigned long long)tsim__instant_limit(sim));
}

/* The next event lies past TSIM__TMAX: the run cannot go on. */
static void past_time(struct tsim_sim *sim)
{
    tsim__sim_fail(sim, TSIM_ERANGE,
                   "the clock would pass the latest time this model's resolution can count "
                   "(%.10g %s) at %.10g %s (give the run a horizon, or a coarser 'resolution')",
                   tsim_model_max_time(sim->m), sim->m->time_unit, at_time(sim),
                   sim->m->time_unit);
}

/* More entities than max_ents: name the block holding the most, where work piles up. */
static void too_many_entities(struct tsim_sim *sim)
{
    uint32_t most = 0;
    uint64_t content = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        uint64_t c = tsim__hdr(sim, b)->content;
        if (c > content) content = c, most = b;
    }
    char where[200] = "";
    if (content > 0)
        snprintf(where, sizeof where, ": %llu of them in %s '%s'", (unsigned long long)content,
                 tsim_block_type_name(sim->m->blocks[most].type), sim->m->blocks[most].name);
    tsim__sim_fail(sim, TSIM_ELIMIT,
                   "more than %u entities at once at %.10g %s%s (work in process grows: do arrivals "
                   "outpace the blocks after them? 'max_entities' raises the limit)",
                   sim->max_ents, at_time(sim), sim->m->time_unit, where);
}

static void start(struct tsim_sim *sim)
{
    const struct tsim_model *m = sim->m;
    sim->arena_size = sim->arena_base; /* the room a run added goes with it */
    memset(sim->arena, 0, sim->arena_size);
    tsim__cal_clear(&sim->cal);
    sim->now = 0;
    sim->events = 0;
    sim->fg = sim->stalled = 0;
    sim->bg_since = -1;
    sim->fp = TSIM__FNV_OFFSET;
    sim->stop = 0;
    atomic_store(&sim->interrupted, 0);
    sim->err = 0;
    sim->errmsg[0] = '\0';
    limits_start(sim);
    sim->nents = 0;
    sim->free_ent = TSIM__NIL;
    sim->live_ents = 0;
    sim->next_id = 1;
    /* ids start again: an entry of the last run must not match a new entity's id */
    if (sim->eorders) memset(sim->eorders, 0, (size_t)sim->cap_ents * sizeof *sim->eorders);
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
    if (tsim__model_finalize((struct tsim_model *)m) != 0) return NULL;
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
    sim->nattrs = (uint32_t)m->nattrs;
    sim->eorder_on = tsim__picking_any(m);
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
    tsim__free(sim->watch_seen);
    tsim__free(sim->watch_entered);
    tsim__free(sim->attrs);
    tsim__free(sim->qnodes);
    tsim__free(sim->eorders);
    if (sim->logic) sim->logic_free(sim->logic);
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
    if (src->nattrs)
        sim->attrs = dup(src->attrs, (size_t)src->cap_ents * src->nattrs * sizeof *src->attrs);
    if (src->eorders)
        sim->eorders = dup(src->eorders, (size_t)src->cap_ents * sizeof *src->eorders);
    if (src->qnodes) sim->qnodes = dup(src->qnodes, (size_t)src->cap_qnodes * sizeof *src->qnodes);
    sim->logic = NULL;
    if (src->watch) {
        sim->watch_seen = dup(src->watch_seen, src->nblocks * sizeof *src->watch_seen);
        sim->watch_entered = dup(src->watch_entered, src->nblocks * sizeof *src->watch_entered);
    }
    sim->obs = NULL;
    sim->obs_ctx = NULL;
    /* A clone is a sim of its own: not interrupted, watching no driver's flag. */
    atomic_store(&sim->interrupted, 0);
    sim->stop_flag = NULL;
    return sim;
}

size_t tsim__arena_add(struct tsim_sim *sim, size_t bytes)
{
    size_t off = sim->arena_size;
    if (off > TSIM__ARENA_MAX - 16 || bytes > TSIM__ARENA_MAX - 16 - off) return 0;
    size_t end = ALIGN(off + bytes);
    sim->arena = tsim__realloc(sim->arena, end);
    memset(sim->arena + off, 0, end - off);
    sim->arena_size = end;
    point(sim);
    return off;
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
    else {
        int on = tsim__shift_event(sim, ent);
        if (on >= 0) tsim__pools_shift(sim, (int)ent, on);
    }
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
    if (sim->err) return 0;
    if (tsim__cal_next_time(&sim->cal) > TSIM__TMAX) {
        if (tsim__cal_next_time(&sim->cal) != INT64_MAX) past_time(sim);
        return 0;
    }
    if (!tsim__cal_pop(&sim->cal, &t, &ev)) return 0;
    run_one(sim, t, &ev);
    return 1;
}

/* Whether an entity waits for a machine (or an assembly) whose server is down or off shift: its
 * repair or its shift, background events, will let the entity in. Looked at only when a run
 * without a horizon would otherwise end, so a scan is cheap enough. */
static int waits_on_unavailable(struct tsim_sim *sim)
{
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        if (!sim->vt[b]->state || tsim__hdr(sim, b)->wait_n == 0) continue;
        for (int s = 0;; s++) {
            int state = sim->vt[b]->state(sim, b, s);
            if (state < 0) break;
            if (state == TSIM_STATE_DOWN || state == TSIM_STATE_OFF_SHIFT) return 1;
        }
    }
    return 0;
}

/* Whether a run without a horizon, kept going only by background events (fg is 0 and some
 * work waits for a shift, an operator or a repair), has stalled for good: a whole day went by
 * with no entity moving and no server under repair. Shifts repeat daily, so after such a day
 * every later one is the same: the waiting work would wait for ever (a machine on the night
 * shift whose operators work days is the plain case). The run stops with an error naming where
 * the work waits. Without shifts, waiting work waits for a repair, which comes: never stalled.
 * Looked at only in that state, after each of its events, so a scan is cheap enough. */
static __attribute__((noinline)) int idle_day(struct tsim_sim *sim)
{
    if (sim->m->nshifts == 0) return 0;
    uint64_t moves = sim->created + sim->completed;
    int down = 0;
    for (uint32_t b = 0; b < sim->nblocks; b++) {
        const struct tsim__bhdr *h = tsim__hdr(sim, b);
        moves += h->entered + h->left;
        for (int s = 0; sim->vt[b]->state && !down; s++) {
            int state = sim->vt[b]->state(sim, b, s);
            if (state < 0) break;
            down = state == TSIM_STATE_DOWN;
        }
    }
    if (sim->bg_since < 0 || moves != sim->bg_moves || down) {
        sim->bg_since = sim->now;
        sim->bg_moves = moves;
        return 0;
    }
    if (sim->now - sim->bg_since < tsim__ticks_per_day(sim)) return 0;
    uint32_t *held = tsim__calloc(sim->nblocks, sizeof *held);
    for (uint32_t b = 0; b < sim->nblocks; b++)
        held[b] = tsim__hdr(sim, b)->content != 0 || tsim__hdr(sim, b)->wait_n != 0;
    char blocks[300];
    block_list(sim, held, blocks, sizeof blocks);
    free(held);
    tsim__sim_fail(sim, TSIM_ESTATE,
                   "stalled at %.10g %s: %u entities wait in %s and none moved for a whole day "
                   "of shift changes (a machine whose shift never meets its operators' shift? "
                   "give the run a horizon to see its KPIs)",
                   at_time(sim), sim->m->time_unit, sim->live_ents, blocks);
    return 1;
}

/* The run loop of tsim_sim_run (`until` 0: end at TSIM__TMAX, and when only background events
 * are left) and tsim_sim_run_until (`until` 1). `until` is a constant in each caller, so each
 * gets its own loop. */
static inline __attribute__((always_inline)) void run_loop(struct tsim_sim *sim, int64_t end,
                                                           int until)
{
    sim->stop = 0;
    /* A request that came before the run: it ends at once (checkpoint sees it). */
    sim->check_at = stop_asked(sim) ? 0 : poll_at(sim);
    while (sim->events < sim->check_at || checkpoint(sim)) {
        uint32_t slot;
        if (tsim__cal_next_block(&sim->cal, &slot)) {
            if (next_block_time(&sim->cal, slot) > end) break;
            run_next(sim, slot);
        } else {
            int64_t et;
            struct tsim__ev ev;
            if (tsim__cal_next_time(&sim->cal) > end || !tsim__cal_pop(&sim->cal, &et, &ev))
                break;
            run_one(sim, et, &ev);
        }
        /* Only failures, repairs and shift changes left, and nothing waits for them: no work
         * paused or waiting for operators, no entity waiting for a server that is down or off. */
        if (!until && sim->fg == 0) {
            if (sim->stalled == 0 && !waits_on_unavailable(sim)) break;
            if (idle_day(sim)) break;
        }
    }
}

uint64_t tsim_sim_run_until(struct tsim_sim *sim, double t)
{
    int64_t end = tsim__ticks(sim, t);
    TSIM__ASSERT(end >= sim->now, "time %g is earlier than now (%g)", t, tsim_sim_now(sim));
    if (sim->err) return 0;
    if (end > TSIM__TMAX) {
        tsim__sim_fail(sim, TSIM_ERANGE,
                       "time %.10g %s is past the latest time this model's resolution can count "
                       "(%.10g %s)",
                       t, sim->m->time_unit, tsim_model_max_time(sim->m), sim->m->time_unit);
        return 0;
    }
    uint64_t before = sim->events;
    run_loop(sim, end, 1);
    if (!sim->stop) sim->now = end;
    return sim->events - before;
}

uint64_t tsim_sim_run(struct tsim_sim *sim)
{
    if (sim->err) return 0;
    uint64_t before = sim->events;
    run_loop(sim, TSIM__TMAX, 0);
    if (!sim->stop && (sim->fg || sim->stalled)) {
        int64_t next = tsim__cal_next_time(&sim->cal);
        if (next > TSIM__TMAX && next != INT64_MAX) past_time(sim);
    }
    return sim->events - before;
}

void tsim_sim_stop(struct tsim_sim *sim)
{
    sim->stop = 1;
    sim->check_at = 0;
}

/* One lock-free atomic store, so a signal handler may call it; the loop sees it at its next
 * checkpoint, and so does every later run until tsim_sim_reset clears it. */
void tsim_sim_interrupt(struct tsim_sim *sim) { atomic_store(&sim->interrupted, 1); }

int tsim_sim_interrupted(const struct tsim_sim *sim) { return stop_asked(sim); }

void tsim__sim_watch(struct tsim_sim *sim, const atomic_int *flag) { sim->stop_flag = flag; }

int tsim_sim_status(const struct tsim_sim *sim)
{
    if (!sim->err) return 0;
    return tsim__fail(sim->err, "tsim_sim_run", "%s", sim->errmsg);
}

const char *tsim_sim_error(const struct tsim_sim *sim) { return sim->err ? sim->errmsg : NULL; }

int tsim_sim_set_warmup(struct tsim_sim *sim, double t)
{
    int64_t ticks = tsim__ticks(sim, t);
    if (ticks > TSIM__TMAX)
        return tsim__fail(TSIM_ERANGE, __func__,
                          "warm-up %.10g %s is past the latest time this model's resolution can "
                          "count (%.10g %s)",
                          t, sim->m->time_unit, tsim_model_max_time(sim->m), sim->m->time_unit);
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
    /* Every entity of the pool is in use: one more is one more at once. The caller gets it all
     * the same, and the run stops after the current event. */
    if (sim->nents >= sim->max_ents && !sim->err) too_many_entities(sim);
    if (sim->nents == sim->cap_ents) {
        TSIM__ASSERT(sim->cap_ents < UINT32_MAX / 2, "too many entities");
        uint32_t cap = sim->cap_ents ? sim->cap_ents * 2 : 256;
        sim->ents = tsim__realloc(sim->ents, (size_t)cap * sizeof *sim->ents);
        if (sim->nattrs)
            sim->attrs = tsim__realloc(sim->attrs, (size_t)cap * sim->nattrs * sizeof *sim->attrs);
        if (sim->eorder_on) { /* the new slots carry none */
            sim->eorders = tsim__realloc(sim->eorders, (size_t)cap * sizeof *sim->eorders);
            memset(sim->eorders + sim->cap_ents, 0,
                   (size_t)(cap - sim->cap_ents) * sizeof *sim->eorders);
        }
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
    out->start_time = tsim__time(sim, sim->stats_start);
    out->end_time = tsim_sim_now(sim);
    out->events = sim->events;
    out->fingerprint = 0;
    if (sim->err) return; /* numbers of a run that did not go as the model says: none */
    double window = tsim__window(sim);
    for (uint32_t b = 0; b < sim->nblocks; b++) sim->vt[b]->report(sim, b, out);
    tsim__pools_report(sim, out);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "throughput", window > 0 ? sim->completed / window : 0);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "lead_time", tsim__sum_mean(sim, &sim->lead));
    tsim_result_add(out, TSIM_KPI_SYSTEM, "wip", tsim__area_mean(&sim->wip, sim->now, sim->live_ents));
    tsim_result_add(out, TSIM_KPI_SYSTEM, "completed", (double)sim->completed);
    tsim_result_add(out, TSIM_KPI_SYSTEM, "created", (double)sim->created);
    if (sim->m->nproducts >= 2) {
        /* By product, over every sink (sink.c keeps them). */
        struct tsim__sum *by = tsim__calloc((size_t)sim->m->nproducts, sizeof *by);
        uint32_t np = 0;
        for (uint32_t b = 0; b < sim->nblocks; b++)
            if (sim->blocks[b].type == TSIM_SINK) np = tsim__sink_products(sim, b, by);
        tsim__product_kpis(sim, out, TSIM_KPI_SYSTEM, by, NULL, np);
        tsim__free(by);
    }
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
    if (sim->nattrs) tsim__attrs_start(sim, TSIM__NIL, e);
    sim->ents[e].due = due;
    tsim__entity_enter_system(sim, e);
    sim->from = TSIM__NIL; /* from outside the flow */
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
    /* a source; a picking block, unless it takes back its order lines (`lines_to`) */
    if (!sim->vt[block]->offer || (tsim__picking_is(sim->m, block) &&
                                   !tsim__picking_takes(sim->m, block)))
        return tsim__fail(TSIM_EINVAL, func, "cannot put entities into %s '%s'",
                          tsim_block_type_name(t), sim->m->blocks[block].name);
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
