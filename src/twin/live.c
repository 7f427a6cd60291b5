/*
 * The live sim: a sim of the model that follows the plant. Model time follows the events' own
 * timestamps, never the clock of the machine the twin runs on. Not a decoder (ingest.c) and not a
 * forecaster (forecast.c): it only keeps the live state right.
 *
 * The reconciliation rule. The plant is the truth for what it reports; the model fills the gaps:
 *  1. An event at plant time t first runs the live sim to t, so the model's own randomness
 *     (arrivals, process times, failures) moves the state between observations.
 *  2. The event is recorded in the observed state: machine states and since when, which part is
 *     where, block contents, orders. The block or server it concerns is marked dirty.
 *  3. When the twin's clock moves past t (the next event is later, or a forecast or checkpoint
 *     asks for the state), every dirty block and server is reconciled: a block whose content in
 *     the sim differs from the plant's gets entities injected or removed until it matches; a
 *     server the plant reports down (or off) and the sim has up is forced down, and one the plant
 *     reports up and the sim has down is forced up. Each disagreement is counted once.
 *     Reconciling only when the clock moves on matters: several events share a timestamp (a part
 *     leaves a buffer and enters a machine at the same instant), and the state between them is
 *     not a state the plant was ever in.
 *  Example: the plant reports 7 parts in a buffer, the twin holds 5. At the next tick, 2 parts of
 *  the buffer's last reported product are injected (recon.content += 1, recon.added += 2).
 *  Blocks the plant never reports keep the model's own state; what the engine cannot correct (a
 *  machine holding more parts than the plant says: parts are not taken off a machine) is counted
 *  in recon.unresolved and left to the next report.
 * Time order: an event earlier than the twin's clock by more than the mapping's `late` tolerance
 * is dropped (counted as late); within the tolerance it is applied at the twin's clock (counted as
 * clamped). An event more than `max_gap` ahead is dropped as future: one bad clock must not run
 * the twin days ahead.
 *
 * The clock defence: one event must not move the clock far on its own, or every true event
 * after it would be late. An event more than `ahead` beyond the twin's clock is held, not
 * applied, until the plant's time is confirmed:
 *  - an event from another source (rule and block) no earlier than the held one's time minus
 *    `ahead` confirms it (the other source's clock has got there too);
 *  - an event of any source earlier than that contradicts it; a held event contradicted
 *    TSIM__HOLD_CONTRA times is dropped as future;
 *  - three events in a row of the held event's own source (itself and two later ones), with no
 *    contradiction, confirm it too: a plant with a single source can still move on.
 * When held events are confirmed, every held event up to the latest confirmed time is applied in
 * time order (ties in arrival order), and held events the clock has come within `ahead` of are
 * applied as it reaches them. So a single event stamped far ahead costs that event and nothing
 * else; a plant that really jumps (a night's pause) is followed one event late. Held events are
 * part of the live state and depend only on the messages, so a replay holds them alike.
 */
#include "blocks/dock.h"
#include "blocks/fleet.h"
#include "blocks/picking.h"
#include "blocks/storage.h"
#include "core/core.h"
#include "core/names.h"
#include "twin/twin.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Part locations: open addressing on the hash of the plant's part id; 0 = empty. Only parts
 * inside a block are kept, so the table is as large as the plant's WIP, not its history. */
/* Blocks a part entered its next block from before their leave was reported: a blocked
 * machine's part may pass through a buffer into the next machine before the leave arrives. */
#define PART_PENDING 4
/* Contradictions that drop a held event (see the clock defence above). */
#define TSIM__HOLD_CONTRA 3
/* Held events at most; the oldest is dropped as future beyond this. */
#define HOLD_MAX 1024
struct tsim__held {
    struct tsim__tev ev;
    double t;             /* model time */
    uint64_t src;
    uint64_t order;       /* arrival, for ties */
    int contra, same, confirmed;
};

struct tsim__part_slot {
    uint64_t key;
    int block; /* -1: left the system, pending leaves still to come */
    int from[PART_PENDING]; /* -1: free */
};

static uint64_t part_key(const char *id)
{
    uint64_t h = tsim__fnv1a_str(id);
    h ^= h >> 31;
    return h ? h : 1;
}

static uint32_t part_home(const struct tsim__live *lv, uint64_t key)
{
    return (uint32_t)(key * 0x9e3779b97f4a7c15ull >> 32) & (lv->parts_cap - 1);
}

static struct tsim__part_slot *part_find(struct tsim__live *lv, uint64_t key)
{
    uint32_t i = part_home(lv, key);
    while (lv->parts[i].key) {
        if (lv->parts[i].key == key) return &lv->parts[i];
        i = (i + 1) & (lv->parts_cap - 1);
    }
    return NULL;
}

static void part_put(struct tsim__live *lv, uint64_t key, int block, const int *from);

static void part_grow(struct tsim__live *lv)
{
    struct tsim__part_slot *old = lv->parts;
    uint32_t n = lv->parts_cap;
    lv->parts_cap = n ? n * 2 : 1024;
    lv->parts = tsim__calloc(lv->parts_cap, sizeof *lv->parts);
    lv->parts_n = 0;
    for (uint32_t i = 0; i < n; i++)
        if (old[i].key) part_put(lv, old[i].key, old[i].block, old[i].from);
    tsim__free(old);
}

static void part_put(struct tsim__live *lv, uint64_t key, int block, const int *from)
{
    if ((lv->parts_n + 1) * 2 > lv->parts_cap) part_grow(lv);
    uint32_t i = part_home(lv, key);
    while (lv->parts[i].key && lv->parts[i].key != key) i = (i + 1) & (lv->parts_cap - 1);
    if (!lv->parts[i].key) lv->parts_n++;
    lv->parts[i].key = key;
    lv->parts[i].block = block;
    memcpy(lv->parts[i].from, from, sizeof lv->parts[i].from);
}

/* Backward-shift deletion keeps probe chains whole without tombstones. */
static void part_del(struct tsim__live *lv, struct tsim__part_slot *slot)
{
    uint32_t mask = lv->parts_cap - 1, i = (uint32_t)(slot - lv->parts);
    lv->parts_n--;
    for (;;) {
        lv->parts[i].key = 0;
        uint32_t j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (!lv->parts[j].key) return;
            uint32_t home = part_home(lv, lv->parts[j].key);
            int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) break;
        }
        lv->parts[i] = lv->parts[j];
        i = j;
    }
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

struct tsim__live *tsim__live_create(struct tsim_model *m, const struct tsim__map *map,
                                     uint64_t seed)
{
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (!sim) return NULL;
    struct tsim__live *lv = tsim__calloc(1, sizeof *lv);
    lv->model = m;
    lv->map = map;
    lv->sim = sim;
    lv->seed = seed;
    double f = tsim_unit_factor(tsim_model_time_unit(m), "s");
    lv->unit_s = f > 0 ? f : 1;
    lv->has_origin = map->has_origin;
    lv->origin = map->origin;
    int nb = lv->nblocks = tsim_model_block_count(m);
    size_t n = (size_t)(nb > 0 ? nb : 1);
    lv->observed = tsim__calloc(n, 1);
    lv->dirty = tsim__calloc(n, 1);
    lv->content = tsim__calloc(n, sizeof *lv->content);
    lv->entered = tsim__calloc(n, sizeof *lv->entered);
    lv->left = tsim__calloc(n, sizeof *lv->left);
    lv->last_product = tsim__malloc(n * sizeof *lv->last_product);
    lv->count_last = tsim__malloc(n * sizeof *lv->count_last);
    lv->srv_off = tsim__malloc((n + 1) * sizeof *lv->srv_off);
    /* Servers per machine: probe tsim_machine_state, which answers -1 past the last one. */
    int total = 0;
    for (int b = 0; b < nb; b++) {
        lv->last_product[b] = -1;
        lv->count_last[b] = -1;
        lv->srv_off[b] = total;
        if (tsim_model_block_servers(m, b) > 0)
            while (total - lv->srv_off[b] < 4096 &&
                   tsim_machine_state(sim, b, total - lv->srv_off[b]) >= 0)
                total++;
    }
    lv->srv_off[nb] = total;
    lv->nsrv = total;
    size_t ns = (size_t)(total > 0 ? total : 1);
    lv->srv_state = tsim__malloc(ns);
    memset(lv->srv_state, -1, ns);
    lv->srv_since = tsim__calloc(ns, sizeof *lv->srv_since);
    lv->srv_dirty = tsim__calloc(ns, 1);
    lv->srv_forced = tsim__calloc(ns, 1);
    lv->cp_next = INFINITY;
    part_grow(lv);
    if (map->vda) {
        int nv = tsim__fleet_vehicles(m, map->vda->fleet);
        lv->vda = tsim__calloc((size_t)(nv > 0 ? nv : 1), sizeof *lv->vda);
        for (int i = 0; i < nv; i++) lv->vda[i].online = -2;
    }
    return lv;
}

void tsim__live_destroy(struct tsim__live *lv)
{
    if (!lv) return;
    tsim_sim_destroy(lv->sim);
    tsim__free(lv->observed);
    tsim__free(lv->dirty);
    tsim__free(lv->content);
    tsim__free(lv->entered);
    tsim__free(lv->left);
    tsim__free(lv->last_product);
    tsim__free(lv->count_last);
    tsim__free(lv->held);
    tsim__free(lv->srv_off);
    tsim__free(lv->srv_state);
    tsim__free(lv->srv_since);
    tsim__free(lv->srv_dirty);
    tsim__free(lv->srv_forced);
    tsim__free(lv->parts);
    for (int i = 0; i < lv->norders; i++) tsim__free(lv->orders[i].entity);
    tsim__free(lv->orders);
    tsim__free(lv->vda);
    tsim__free(lv);
}

/* ---- time ----------------------------------------------------------------------------------- */

double tsim__live_model_time(struct tsim__live *lv, double ts)
{
    if (!lv->has_origin) {
        lv->has_origin = 1;
        lv->origin = ts;
    }
    /* Model time is kept to a millionth of the time unit: plant timestamps go through decimal
     * seconds and back, and without snapping an event at t could land a hair before t and miss
     * the model's own events at t. A millionth is finer than any plant clock and than the
     * engine's default resolution. */
    return round((ts - lv->origin) / lv->unit_s * 1e6) / 1e6;
}

static int is_down_word(int s) { return s == TSIM__PS_DOWN || s == TSIM__PS_OFF; }

/* Make `sim` agree with what the plant reported since the last reconciliation. `commit`: this is
 * the live sim, so count the disagreements and clear the marks; else `sim` is a copy (a forecast's
 * start), corrected the same way while the live state is left exactly as it was. */
static void reconcile_blocks(const struct tsim__live *lv_c, struct tsim_sim *sim, int commit,
                             int only)
{
    struct tsim__live *lv = (struct tsim__live *)lv_c; /* written only when commit */
    struct tsim__recon scratch = lv->recon, *rc = commit ? &lv->recon : &scratch;
    for (int b = 0; b < lv->nblocks; b++) {
        if (!lv->dirty[b] || (only >= 0 && b != only)) continue;
        if (commit) lv->dirty[b] = 0;
        enum tsim_block_type t = tsim_model_block_type(lv->model, b);
        if (t == TSIM_SOURCE || t == TSIM_SINK) continue;
        int64_t have = (int64_t)tsim_block_content(sim, b), want = lv->content[b];
        if (have == want) continue;
        rc->content++;
        if (have < want) {
            int product = lv->last_product[b] >= 0 ? lv->last_product[b] : 0;
            int got = tsim_block_inject(sim, b, product, (uint64_t)(want - have));
            if (got < 0) got = 0;
            rc->added += (uint64_t)got;
            if (got < want - have) rc->unresolved++;
        } else {
            int got = t == TSIM_BUFFER ? tsim_block_remove(sim, b, (uint64_t)(have - want)) : 0;
            if (got < 0) got = 0;
            rc->removed += (uint64_t)got;
            if (got < have - want) rc->unresolved++;
        }
    }
}

static void reconcile(const struct tsim__live *lv_c, struct tsim_sim *sim, int commit,
                      unsigned char *forced)
{
    struct tsim__live *lv = (struct tsim__live *)lv_c; /* written only when commit */
    struct tsim__recon scratch = lv->recon, *rc = commit ? &lv->recon : &scratch;
    reconcile_blocks(lv, sim, commit, -1);
    for (int b = 0; b < lv->nblocks; b++) {
        for (int s = 0; s < lv->srv_off[b + 1] - lv->srv_off[b]; s++) {
            int k = lv->srv_off[b] + s;
            if (!lv->srv_dirty[k]) continue;
            if (commit) lv->srv_dirty[k] = 0;
            int es = tsim_machine_state(sim, b, s);
            int plant_down = is_down_word(lv->srv_state[k]);
            if (plant_down && es != TSIM_STATE_DOWN && es != TSIM_STATE_OFF_SHIFT) {
                rc->state++;
                if (tsim_machine_force_down(sim, b, s, 1) == 0) forced[k] = 1;
            } else if (!plant_down && es == TSIM_STATE_DOWN && forced[k]) {
                rc->state++;
                tsim_machine_force_down(sim, b, s, 0);
                forced[k] = 0;
            } else if (!plant_down && es == TSIM_STATE_DOWN) {
                /* Down by the model's own failure while the plant runs: the model's repair
                 * ends it. Forcing it up here would be the plant's word, but the engine does not
                 * yet withdraw a repair's queued crew request when forced (reported), so only
                 * breakdowns the twin itself imposed are lifted. */
                rc->state++;
                rc->unresolved++;
            } else if (!plant_down && es == TSIM_STATE_OFF_SHIFT) {
                /* The plant works where the model's shift says off: no way to force a shift. */
                rc->state++;
                rc->unresolved++;
            }
        }
    }
}

void tsim__live_settle(struct tsim__live *lv) { reconcile(lv, lv->sim, 1, lv->srv_forced); }

struct tsim_sim *tsim__live_snapshot(const struct tsim__live *lv, unsigned char *forced)
{
    struct tsim_sim *c = tsim_sim_clone(lv->sim);
    memcpy(forced, lv->srv_forced, (size_t)(lv->nsrv > 0 ? lv->nsrv : 1));
    reconcile(lv, c, 0, forced);
    return c;
}

static int due(const struct tsim__live *lv, double upto);
static void apply_held(struct tsim__live *lv, int i);

void tsim__live_set_hooks(struct tsim__live *lv, const struct tsim__live_hooks *h)
{
    lv->hooks = *h;
    lv->cp_next = h->checkpoint_every > 0 ? h->checkpoint_every : INFINITY;
}

/* Checkpoints at or before `t` (strictly before unless `inclusive`): each is written with the
 * state at its time, reconciled, before the clock moves past it. */
static void checkpoints(struct tsim__live *lv, double t, int inclusive)
{
    const struct tsim__live_hooks *h = &lv->hooks;
    if (!(h->checkpoint_every > 0)) return;
    while ((lv->cp_next < t || (inclusive && lv->cp_next == t)) &&
           (h->checkpoint_until < 0 || lv->cp_next <= h->checkpoint_until)) {
        double cp = lv->cp_next;
        lv->cp_next += h->checkpoint_every;
        if (cp > lv->now) {
            tsim_sim_run_until(lv->sim, cp);
            lv->now = cp;
        }
        tsim__live_settle(lv);
        if (h->checkpoint) h->checkpoint(h->ctx, cp);
    }
}

void tsim__live_checkpoints_through(struct tsim__live *lv, double t)
{
    tsim__live_settle(lv);
    checkpoints(lv, t, 1);
}

void tsim__live_advance(struct tsim__live *lv, double t)
{
    /* Held events the clock reaches are applied on the way, at their own times. */
    int i;
    while (!lv->releasing && (i = due(lv, t)) >= 0) apply_held(lv, i);
    tsim__live_settle(lv);
    checkpoints(lv, t, 0);
    if (t > lv->now) {
        tsim_sim_run_until(lv->sim, t);
        lv->now = t;
    }
}

/* ---- events --------------------------------------------------------------------------------- */

static enum tsim__drop bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum tsim__drop bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return TSIM__D_VALUE;
}

/* Plants report a move as "left A, entered B" or, as the engine does, "entered B, left A". An
 * entry into B of a part still at A counts as its leave from A at once and remembers A, so that
 * the report of that leave, arriving second, is recognised and not counted twice. */
static void part_event(struct tsim__live *lv, const struct tsim__tev *ev)
{
    int b = ev->block;
    int sink = tsim_model_block_type(lv->model, b) == TSIM_SINK;
    uint64_t key = part_key(ev->part);
    struct tsim__part_slot *at = part_find(lv, key);
    lv->observed[b] = 1;
    lv->dirty[b] = 1;
    if (ev->product >= 0) lv->last_product[b] = ev->product;
    if (ev->enter) {
        lv->entered[b]++;
        if (sink) lv->completed++;
        if (at && at->block == b) return; /* a repeated report */
        int from[PART_PENDING];
        for (int i = 0; i < PART_PENDING; i++) from[i] = at ? at->from[i] : -1;
        if (at && at->block >= 0) {
            int a = at->block;
            if (lv->content[a] > 0) lv->content[a]--;
            lv->left[a]++;
            lv->dirty[a] = 1;
            /* Remember it; when all slots are taken the oldest is forgotten and its late leave
             * will count as an unknown part. */
            memmove(from + 1, from, sizeof from[0] * (PART_PENDING - 1));
            from[0] = a;
        }
        if (!sink) lv->content[b]++;
        part_put(lv, key, b, from);
        return;
    }
    if (at) {
        int pending = 0, hit = 0;
        for (int i = 0; i < PART_PENDING; i++) {
            if (!hit && at->from[i] == b) {
                at->from[i] = -1;
                hit = 1;
            }
            pending += at->from[i] >= 0;
        }
        if (hit) {
            /* Already counted when it entered its next block. */
            if (at->block < 0 && !pending) part_del(lv, at);
            return;
        }
        if (at->block == b) {
            /* Leaving the block it is in, with no entry elsewhere first: out of the system. The
             * slot stays while leaves from earlier blocks are still to come. */
            lv->left[b]++;
            if (!sink && lv->content[b] > 0) lv->content[b]--;
            if (pending) at->block = -1;
            else part_del(lv, at);
            return;
        }
    }
    lv->left[b]++;
    /* A part that was here before the twin started (or whose entry was lost). */
    lv->recon.unknown_part++;
    if (!sink && lv->content[b] > 0) lv->content[b]--;
}

static enum tsim__drop order_event(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                   size_t errlen)
{
    for (int i = 0; i < lv->norders; i++)
        if (strcmp(lv->orders[i].id, ev->order) == 0)
            return bad(err, errlen, "order '%s' was already released", ev->order);
    struct tsim__order o;
    memset(&o, 0, sizeof o);
    snprintf(o.id, sizeof o.id, "%s", ev->order);
    o.product = ev->product;
    o.quantity = ev->quantity;
    o.released = lv->now;
    o.due = ev->due >= 0 ? tsim__live_model_time(lv, ev->due) : -1;
    /* The target's reported content (a level at this same instant) applies before the jobs go
     * in: the plant counted them without the order. Entities are removed newest first, so the
     * other order would take the order's own jobs out again. */
    reconcile_blocks(lv, lv->sim, 1, ev->block);
    o.entity = tsim__malloc(sizeof *o.entity * (size_t)ev->quantity);
    for (int64_t q = 0; q < ev->quantity; q++) {
        int64_t id = tsim_block_inject_order(lv->sim, ev->block, ev->product, o.due);
        if (id <= 0) {
            tsim__free(o.entity);
            return bad(err, errlen, "order '%s' cannot enter block '%s': %s", ev->order,
                       tsim_model_block_name(lv->model, ev->block), tsim_errmsg());
        }
        o.entity[o.nentity++] = (uint64_t)id;
    }
    /* The jobs are in the block now, for the plant as for the twin: a block whose content the
     * plant reports counts them, or the next reconciliation would take them out again. */
    if (lv->observed[ev->block]) lv->content[ev->block] += o.nentity;
    if (lv->norders == lv->cap_orders) {
        lv->cap_orders = lv->cap_orders ? lv->cap_orders * 2 : 16;
        lv->orders = tsim__realloc(lv->orders, sizeof *lv->orders * (size_t)lv->cap_orders);
    }
    lv->orders[lv->norders++] = o;
    return TSIM__OK;
}

/* "crew.count" where `crew` is an operator pool changes the live sim (clones inherit it);
 * anything else is a model parameter and reaches the sim at its next draw. */
static enum tsim__drop param_event(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                   size_t errlen)
{
    const char *dot = strrchr(ev->name, '.');
    if (dot && strcmp(dot, ".count") == 0) {
        char pool[TSIM__TEV_STR];
        snprintf(pool, sizeof pool, "%.*s", (int)(dot - ev->name), ev->name);
        int p = tsim_model_find_operators(lv->model, pool);
        if (p >= 0) {
            char *end;
            long n = strtol(ev->value, &end, 10);
            if (*end || n < 0 || n > 100000)
                return bad(err, errlen, "bad crew size '%s' for '%s'", ev->value, pool);
            if (tsim_sim_set_pool_count(lv->sim, p, (int)n) != 0)
                return bad(err, errlen, "%s", tsim_errmsg());
            return TSIM__OK;
        }
    }
    if (tsim_model_set_param(lv->model, ev->name, ev->value) != 0)
        return bad(err, errlen, "%s", tsim_errmsg());
    return TSIM__OK;
}

int tsim__live_param_touches_model(const struct tsim__live *lv, const struct tsim__tev *ev)
{
    const char *dot = strrchr(ev->name, '.');
    if (!dot || strcmp(dot, ".count") != 0) return 1;
    char pool[TSIM__TEV_STR];
    snprintf(pool, sizeof pool, "%.*s", (int)(dot - ev->name), ev->name);
    return tsim_model_find_operators(lv->model, pool) < 0;
}

/* "count": the block's cumulative count of parts that entered it (a PLC's part counter). The
 * first report is a baseline (what happened before the twin started is not known); a count
 * below the last one is a lie and dropped, except 0: a counter that restarts. */
static enum tsim__drop count_event(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                   size_t errlen)
{
    int b = ev->block;
    int64_t last = lv->count_last[b];
    if (last >= 0 && ev->level < last && ev->level != 0)
        return bad(err, errlen, "count %lld of block '%s' is below its last count %lld",
                   (long long)ev->level, tsim_model_block_name(lv->model, b), (long long)last);
    if (last >= 0 && ev->level > last) {
        uint64_t d = (uint64_t)(ev->level - last);
        lv->entered[b] += d;
        if (tsim_model_block_type(lv->model, b) == TSIM_SINK) lv->completed += d;
    }
    lv->count_last[b] = ev->level;
    lv->observed[b] = 1;
    return TSIM__OK;
}

/* Apply `ev` at model time `t` (not late, not too far ahead). */
static enum tsim__drop apply_at(struct tsim__live *lv, const struct tsim__tev *ev, double t,
                                char *err, size_t errlen)
{
    /* A tiny tolerance absorbs the rounding of timestamps through seconds and back. */
    double eps = 1e-9 * (fabs(lv->now) + 1);
    if (t < lv->now) {
        if (t < lv->now - eps) lv->recon.clamped++;
        t = lv->now;
    }
    if (t > lv->now) tsim__live_advance(lv, t);

    enum tsim__drop rc = TSIM__OK;
    switch (ev->kind) {
    case TSIM__TEV_STATE: {
        int b = ev->block;
        if (ev->server >= lv->srv_off[b + 1] - lv->srv_off[b])
            return bad(err, errlen, "machine '%s' has no server %d",
                       tsim_model_block_name(lv->model, b), ev->server);
        int k = lv->srv_off[b] + ev->server;
        if (lv->srv_state[k] != (signed char)ev->state) {
            lv->srv_state[k] = (signed char)ev->state;
            lv->srv_since[k] = lv->now;
        }
        lv->srv_dirty[k] = 1;
        lv->observed[b] = 1;
        break;
    }
    case TSIM__TEV_PART:
        part_event(lv, ev);
        break;
    case TSIM__TEV_LEVEL:
        lv->observed[ev->block] = 1;
        lv->content[ev->block] = ev->level;
        if (ev->product >= 0) lv->last_product[ev->block] = ev->product;
        lv->dirty[ev->block] = 1;
        break;
    case TSIM__TEV_COUNT:
        rc = count_event(lv, ev, err, errlen);
        break;
    case TSIM__TEV_ORDER:
        rc = order_event(lv, ev, err, errlen);
        break;
    case TSIM__TEV_PARAM:
        rc = param_event(lv, ev, err, errlen);
        break;
    case TSIM__TEV_VDA_STATE:
    case TSIM__TEV_VDA_CONN:
        rc = tsim__vda_apply(lv, ev, err, errlen);
        break;
    case TSIM__TEV_STOCK: {
        /* The plant is the truth for its stock: loads are added or removed at once (a stock
         * count is not a movement the sim has to wait for), what cannot be is unresolved. */
        int64_t was = tsim__storage_stock(lv->sim, ev->block, ev->product);
        int64_t moved = tsim__storage_observe(lv->sim, ev->block, ev->product, ev->level);
        int64_t now = tsim__storage_stock(lv->sim, ev->block, ev->product);
        if (was != ev->level) lv->recon.content++;
        if (now > was) lv->recon.added += (uint64_t)(now - was);
        else lv->recon.removed += (uint64_t)(was - now);
        if (moved < 0) lv->recon.unresolved++;
        break;
    }
    case TSIM__TEV_TRUCK: {
        /* A truck at the dock now: its appointment is kept (it came, early or late), or it is
         * added; a door the plant names but the sim holds busy is a difference not resolved. */
        double depart = ev->depart >= 0 ? tsim__live_model_time(lv, ev->depart) : -1;
        if (ev->depart >= 0 && depart < 0) depart = 0; /* before the twin's time 0 */
        int placed = tsim__dock_arrive(lv->sim, ev->block, ev->truck, ev->outbound, ev->quantity,
                                       ev->door, depart, err, errlen);
        if (placed < 0) rc = TSIM__D_VALUE;
        else if (placed > 0) lv->recon.unresolved++;
        break;
    }
    case TSIM__TEV_RELEASE:
        if (tsim__picking_release(lv->sim, ev->block, ev->order, err, errlen) != 0)
            rc = TSIM__D_VALUE;
        break;
    case TSIM__TEV_SPEED:
        /* Positions are kept; the new speed holds from the event's time on. */
        if (tsim_conveyor_set_speed(lv->sim, ev->block, ev->speed) != 0)
            rc = bad(err, errlen, "%s", tsim_errmsg());
        break;
    case TSIM__TEV_PICK: {
        /* A line the sim picked before the plant did cannot be unpicked: counted, not resolved */
        int r = tsim__picking_pick(lv->sim, ev->block, ev->order, ev->line, err, errlen);
        if (r < 0) rc = TSIM__D_VALUE;
        else if (r > 0) lv->recon.unresolved++;
        break;
    }
    default:
        break;
    }
    if (rc == TSIM__OK) lv->applied++;
    return rc;
}

/* ---- the clock defence ------------------------------------------------------------------ */

static uint64_t source_of(const struct tsim__live *lv, const struct tsim__tev *ev)
{
    uint64_t rule = ev->rule ? (uint64_t)(ev->rule - lv->map->rules) + 1 : 0;
    return rule << 32 | (uint32_t)(ev->block + 1);
}

static void held_drop(struct tsim__live *lv, int i, const char *why)
{
    struct tsim__held *h = &lv->held[i];
    lv->future++;
    if (lv->hooks.dropped) {
        char msg[200];
        snprintf(msg, sizeof msg, "timestamp %.3f was %.0f s ahead of the twin's clock and %s",
                 h->ev.ts, (h->t - lv->now) * lv->unit_s, why);
        lv->hooks.dropped(lv->hooks.ctx, &h->ev, TSIM__D_FUTURE, msg);
    }
    memmove(lv->held + i, lv->held + i + 1, sizeof *lv->held * (size_t)(lv->nheld - i - 1));
    lv->nheld--;
}

/* What event `ev` at `t` (of source `src`) says about each held event. */
static void weigh(struct tsim__live *lv, const struct tsim__tev *ev, double t, uint64_t src)
{
    double ahead = lv->map->ahead;
    (void)ev;
    for (int i = 0; i < lv->nheld; i++) {
        struct tsim__held *h = &lv->held[i];
        if (t < h->t - ahead) {
            h->contra++;
            h->same = 0;
        } else if (src != h->src) {
            h->confirmed = 1;
        } else if (h->contra == 0 && ++h->same >= 2) {
            h->confirmed = 1;
        }
    }
    for (int i = 0; i < lv->nheld;)
        if (lv->held[i].contra >= TSIM__HOLD_CONTRA && !lv->held[i].confirmed)
            held_drop(lv, i, "was contradicted by later events");
        else i++;
}

/* The earliest held event at or before `upto` (ties: the first to arrive), or -1. */
static int due(const struct tsim__live *lv, double upto)
{
    int best = -1;
    for (int i = 0; i < lv->nheld; i++) {
        const struct tsim__held *h = &lv->held[i];
        if (h->t <= upto && (best < 0 || h->t < lv->held[best].t ||
                             (h->t == lv->held[best].t && h->order < lv->held[best].order)))
            best = i;
    }
    return best;
}

/* Apply held event `i` at its time. Applying moves the clock, which must not release other held
 * events out of order meanwhile (`releasing`). */
static void apply_held(struct tsim__live *lv, int i)
{
    struct tsim__held h = lv->held[i];
    memmove(lv->held + i, lv->held + i + 1, sizeof *lv->held * (size_t)(lv->nheld - i - 1));
    lv->nheld--;
    char err[256] = "";
    int was = lv->releasing;
    lv->releasing = 1;
    enum tsim__drop rc = apply_at(lv, &h.ev, h.t, err, sizeof err);
    lv->releasing = was;
    if (rc != TSIM__OK && lv->hooks.dropped) lv->hooks.dropped(lv->hooks.ctx, &h.ev, rc, err);
}

/* Apply held events that are confirmed, every held one before the latest confirmed, and those
 * the clock has come within `ahead` of, in time order; repeat while applying moves the clock. */
static void release(struct tsim__live *lv)
{
    for (;;) {
        double upto = lv->now + lv->map->ahead;
        for (int i = 0; i < lv->nheld; i++)
            if (lv->held[i].confirmed && lv->held[i].t > upto) upto = lv->held[i].t;
        int i = due(lv, upto);
        if (i < 0) return;
        apply_held(lv, i);
    }
}

static void hold(struct tsim__live *lv, const struct tsim__tev *ev, double t, uint64_t src)
{
    if (lv->nheld == HOLD_MAX) held_drop(lv, 0, "was pushed out by newer held events");
    if (lv->nheld == lv->cap_held) {
        lv->cap_held = lv->cap_held ? 2 * lv->cap_held : 16;
        lv->held = tsim__realloc(lv->held, sizeof *lv->held * (size_t)lv->cap_held);
    }
    struct tsim__held *h = &lv->held[lv->nheld++];
    memset(h, 0, sizeof *h);
    h->ev = *ev;
    h->t = t;
    h->src = src;
    h->order = ++lv->held_order;
    /* What the events already held say about this one, as it would have said about them. */
    for (int i = 0; i < lv->nheld - 1; i++) {
        const struct tsim__held *o = &lv->held[i];
        if (o->t >= t - lv->map->ahead && o->src != src) h->confirmed = 1;
    }
}

enum tsim__drop tsim__live_apply(struct tsim__live *lv, const struct tsim__tev *ev, char *err,
                                 size_t errlen)
{
    if (errlen) err[0] = '\0';
    if (ev->kind == TSIM__TEV_COMMAND) return TSIM__OK;
    double t = tsim__live_model_time(lv, ev->ts);
    const struct tsim__map *map = lv->map;
    double eps = 1e-9 * (fabs(lv->now) + 1);
    if (t < lv->now - map->late - eps) {
        lv->late++;
        if (errlen)
            snprintf(err, errlen, "timestamp %.3f is %.3f before the twin's clock", ev->ts,
                     (lv->now - t) * lv->unit_s);
        return TSIM__D_LATE;
    }
    if (t > lv->now + map->max_gap) {
        lv->future++;
        if (errlen)
            snprintf(err, errlen, "timestamp %.3f is %.0f s ahead of the twin's clock", ev->ts,
                     (t - lv->now) * lv->unit_s);
        return TSIM__D_FUTURE;
    }
    uint64_t src = source_of(lv, ev);
    if (lv->nheld) weigh(lv, ev, t, src);
    enum tsim__drop rc = TSIM__OK;
    if (t > lv->now + map->ahead) hold(lv, ev, t, src);
    else rc = apply_at(lv, ev, t, err, errlen);
    if (lv->nheld) release(lv);
    return rc;
}

/* ---- state views ---------------------------------------------------------------------------- */

enum tsim__pstate tsim__pstate_of(int engine_state)
{
    switch (engine_state) {
    case TSIM_STATE_BUSY: return TSIM__PS_RUNNING;
    case TSIM_STATE_DOWN: return TSIM__PS_DOWN;
    case TSIM_STATE_SETUP: return TSIM__PS_SETUP;
    case TSIM_STATE_OFF_SHIFT: return TSIM__PS_OFF;
    default: return TSIM__PS_IDLE; /* idle, blocked, waiting for operators */
    }
}

struct reports {
    int part, level, state;
};

static struct reports reports_of(const struct tsim__map *map)
{
    struct reports r = {0, 0, 0};
    for (int i = 0; i < map->nrules; i++) {
        if (map->rules[i].kind == TSIM__TEV_PART) r.part = 1;
        if (map->rules[i].kind == TSIM__TEV_LEVEL) r.level = 1;
        if (map->rules[i].kind == TSIM__TEV_STATE) r.state = 1;
    }
    return r;
}

/* Does the plant, as mapped, report this block's content? Sinks hold nothing for long. */
static int reports_content(const struct tsim__map *map, struct reports r, int b)
{
    enum tsim_block_type t = tsim_model_block_type(map->model, b);
    if (t == TSIM_SINK || t == TSIM_SOURCE) return 0;
    return r.part || (r.level && t == TSIM_BUFFER);
}

/* The sim's stock of each product in each storage block a `stock_level` rule may name, the
 * loads not reserved by a retrieval (what the plant's count is compared with). */
static void write_stock(const struct tsim__map *map, const struct tsim_sim *sim,
                        struct tsim__json *j)
{
    const struct tsim_model *m = map->model;
    int any = 0;
    for (int i = 0; i < map->nrules; i++) any |= map->rules[i].kind == TSIM__TEV_STOCK;
    if (!any) return;
    tsim__json_open(j, "stock", '{', 0);
    int np = tsim_model_product_count(m);
    for (int b = 0; b < tsim_model_block_count(m); b++) {
        if (!tsim__storage_is(m, b)) continue;
        tsim__json_open(j, tsim_model_block_name(m, b), '{', 0);
        for (int p = 0; p < (np > 0 ? np : 1); p++)
            tsim__json_int(j, np > 0 ? tsim_model_product_name(m, p) : "",
                           (int64_t)tsim__storage_stock(sim, b, p));
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '{');
}

/*
 * The view as one object, member `key` of what `j` is writing (NULL at the top). In a state-out
 * line `t` has six decimals, always (fixed); inside the twin's state message it is the number
 * those six decimals read back as.
 */
static void write_view(const struct tsim__map *map, const char *view, double t,
                       const int64_t *content, const uint64_t *entered,
                       const signed char *srv, const int *srv_off,
                       const struct tsim__vda_seen *seen, const struct tsim_sim *sim,
                       struct tsim__json *j, const char *key, int fixed)
{
    const struct tsim_model *m = map->model;
    struct reports r = reports_of(map);
    int nb = tsim_model_block_count(m);
    char tt[48];
    snprintf(tt, sizeof tt, "%.6f", t);
    tsim__json_open(j, key, '{', 0);
    if (fixed)
        tsim__json_raw(j, "t", tt);
    else
        tsim__json_number(j, "t", strtod(tt, NULL));
    tsim__json_string(j, "view", view);
    tsim__json_open(j, "blocks", '{', 0);
    for (int b = 0; b < nb; b++) {
        int c = reports_content(map, r, b);
        /* A source's parts are reported where they enter the line, not at the source. */
        if (!c && (!r.part || tsim_model_block_type(m, b) == TSIM_SOURCE)) continue;
        tsim__json_open(j, tsim_model_block_name(m, b), '{', 0);
        if (c) tsim__json_int(j, "content", content[b]);
        if (r.part) tsim__json_uint(j, "entered", entered[b]);
        tsim__json_close(j, '{');
    }
    tsim__json_close(j, '{');
    tsim__json_open(j, "machines", '{', 0);
    if (r.state)
        for (int b = 0; b < nb; b++) {
            if (srv_off[b + 1] == srv_off[b]) continue;
            tsim__json_open(j, tsim_model_block_name(m, b), '[', 0);
            for (int k = srv_off[b]; k < srv_off[b + 1]; k++)
                tsim__json_string(j, NULL, srv[k] >= 0 ? map->state_word[(int)srv[k]] : "unknown");
            tsim__json_close(j, '[');
        }
    tsim__json_close(j, '{');
    tsim__vda_write_view(map, seen, sim, j);
    if (sim) write_stock(map, sim, j);
    tsim__json_close(j, '{');
}

static void line_writer(struct tsim__json *j, FILE *out)
{
    tsim__json_init(j, out);
    j->flags = TSIM__JSON_MSG;
}

void tsim__live_write_state(const struct tsim__live *lv, const char *view, double t, FILE *out)
{
    if (strcmp(view, "sim") == 0) {
        tsim__sim_write_state(lv->sim, lv->map, "sim", t, NULL, out);
        return;
    }
    struct tsim__json j;
    line_writer(&j, out);
    write_view(lv->map, view, t, lv->content, lv->entered, lv->srv_state, lv->srv_off, lv->vda,
               NULL, &j, NULL, 1);
}

void tsim__live_json_observed(const struct tsim__live *lv, double t, struct tsim__json *j)
{
    write_view(lv->map, "observed", t, lv->content, lv->entered, lv->srv_state, lv->srv_off,
               lv->vda, NULL, j, "observed", 0);
}

void tsim__sim_write_state(const struct tsim_sim *sim, const struct tsim__map *map,
                           const char *view, double t, const uint64_t *entered, FILE *out)
{
    const struct tsim_model *m = map->model;
    int nb = tsim_model_block_count(m);
    size_t n = (size_t)(nb > 0 ? nb : 1);
    int64_t *content = tsim__malloc(n * sizeof *content);
    uint64_t *ent = tsim__malloc(n * sizeof *ent);
    int *off = tsim__malloc((n + 1) * sizeof *off);
    int total = 0;
    for (int b = 0; b < nb; b++) {
        content[b] = (int64_t)tsim_block_content(sim, b);
        ent[b] = entered ? entered[b] : tsim_block_entered(sim, b);
        off[b] = total;
        if (tsim_model_block_servers(m, b) > 0)
            while (total - off[b] < 4096 && tsim_machine_state(sim, b, total - off[b]) >= 0)
                total++;
    }
    off[nb] = total;
    signed char *srv = tsim__malloc((size_t)(total > 0 ? total : 1));
    for (int b = 0; b < nb; b++)
        for (int k = off[b]; k < off[b + 1]; k++)
            srv[k] = (signed char)tsim__pstate_of(tsim_machine_state(sim, b, k - off[b]));
    struct tsim__json j;
    line_writer(&j, out);
    write_view(map, view, t, content, ent, srv, off, NULL, sim, &j, NULL, 1);
    tsim__free(content);
    tsim__free(ent);
    tsim__free(off);
    tsim__free(srv);
}
