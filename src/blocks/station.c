/*
 * Station servers: see station.h for what they do and their invariants.
 */
#include "blocks/station.h"
#include "blocks/sink.h"
#include "core/core.h"

#include <math.h>
#include <string.h>

enum { EV_DONE, EV_FAIL, EV_REPAIRED, EV_WAKE };

static inline struct tsim__station *st_of(const struct tsim_sim *sim, uint32_t b)
{
    return tsim__state(sim, b);
}

static inline uint32_t *blk_ring(const struct tsim_sim *sim, const struct tsim__station *st)
{
    return (uint32_t *)(sim->arena + st->blk_off);
}

size_t tsim__station_size(int servers)
{
    return sizeof(struct tsim__station) + (size_t)servers * sizeof(struct tsim__server);
}

/* The state a server's phase shows while it is up and on shift. */
static const uint8_t phase_state[] = {
    [TSIM__PH_IDLE] = TSIM_STATE_IDLE,       [TSIM__PH_SETUP] = TSIM_STATE_SETUP,
    [TSIM__PH_BUSY] = TSIM_STATE_BUSY,       [TSIM__PH_BLOCKED] = TSIM_STATE_BLOCKED,
    [TSIM__PH_WAIT] = TSIM_STATE_WAITING,
};

/* Off shift wins over down: time outside the shift is not planned time, and never counts against
 * availability (a failure on the calendar basis, or the plant's word, can come off shift). */
static inline int effective(const struct tsim__server *v)
{
    if (v->down | v->off) return v->off ? TSIM_STATE_OFF_SHIFT : TSIM_STATE_DOWN;
    return phase_state[v->phase];
}

static inline void account_change(struct tsim_sim *sim, uint32_t b, int s,
                                  struct tsim__server *v, int now_state)
{
    int64_t now = sim->now;
    v->acc[v->state] += now - v->since;
    v->since = now;
    v->state = (uint8_t)now_state;
    if (sim->obs) tsim__note_state(sim, b, s, now_state);
}

/* Account server `s` (= `v`) after any change of its phase, down or off flags. Inline: it runs
 * on every start and end of work. */
static inline void account_v(struct tsim_sim *sim, uint32_t b, int s, struct tsim__server *v)
{
    /* Work that waits for a repair, a shift or operators keeps a run going (sim.h). */
    uint8_t stalled = (uint8_t)(v->phase == TSIM__PH_WAIT ||
                                ((v->phase == TSIM__PH_SETUP || v->phase == TSIM__PH_BUSY) && !v->ev));
    if (stalled != v->stalled) {
        sim->stalled += stalled ? 1 : (uint64_t)-1;
        v->stalled = stalled;
    }
    int now_state = effective(v);
    if (now_state != v->state) account_change(sim, b, s, v, now_state);
}

static void account(struct tsim_sim *sim, uint32_t b, int s)
{
    account_v(sim, b, s, &st_of(sim, b)->srv[s]);
}

static inline int available(const struct tsim__server *v) { return !v->down && !v->off; }

/* Calendar slots (tsim__station_slots): each server's phase end, then, with failures, each
 * server's failure or repair. */
static inline uint32_t done_slot(const struct tsim__station *st, int s)
{
    return st->h.slot + (uint32_t)s;
}

static inline uint32_t fail_slot(const struct tsim__station *st, int s)
{
    return st->h.slot + st->n + (uint32_t)s;
}

uint32_t tsim__station_slots(const struct tsim__block_desc *d, int servers)
{
    return (uint32_t)servers * (d->has_failures ? 2 : 1);
}

static inline int needs(const struct tsim__block_desc *d, unsigned purpose)
{
    return d->need.pool >= 0 && (d->need.for_mask & purpose);
}

/* The failure process -------------------------------------------------------------------------
 * A server's failure clock counts down to its next failure while it is up, and to the end of its
 * repair while it is down. It runs always on the calendar basis, and only on shift on the
 * operating basis: then, off shift, the time left is kept in `fail_left` (fail_frozen). */

static inline int fail_clock_runs(const struct tsim__block_desc *d, const struct tsim__server *v)
{
    return d->failure_basis == TSIM_FAILURES_CALENDAR || !v->off;
}

/* Count `dt` ticks on the failure clock of server `s` to its failure (repair's end while
 * repairing), or keep them while the clock stands. */
static void fail_clock(struct tsim_sim *sim, uint32_t b, int s, int64_t dt)
{
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    if (!fail_clock_runs(tsim__desc(sim, b), v)) {
        v->fail_frozen = 1;
        v->fail_left = dt;
        return;
    }
    v->fail_frozen = 0;
    v->fail_at = sim->now + dt;
    v->fail_ev = tsim__schedule_bg_slot(sim, fail_slot(st, s), v->fail_at, b,
                                        v->repairing ? EV_REPAIRED : EV_FAIL, (uint32_t)s);
}

static void schedule_failure(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    fail_clock(sim, b, s, tsim__draw(sim, &d->between, &st->h.rng[TSIM__RNG_FAIL]));
}

/* The repair runs: for a drawn time, or for what was left of it when its clock stopped. */
static void start_repair(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    int64_t dt = v->fail_frozen ? v->fail_left
                                : tsim__draw(sim, &d->repair, &st->h.rng[TSIM__RNG_FAIL]);
    fail_clock(sim, b, s, dt);
}

/* A failed server's repair asks for its crew, if it needs one, and runs once it has it. */
static void request_repair(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (needs(d, TSIM_NEED_REPAIR)) {
        if (!tsim__pool_seize(sim, d->need.pool, d->need.count, b, (uint32_t)s, TSIM_NEED_REPAIR)) {
            v->crew_wait = 1; /* the repair starts when the crew comes (granted) */
            return;
        }
        v->crew_held = 1;
    }
    start_repair(sim, b, s);
}

/* The repair crew goes back to its pool, or its request is withdrawn. */
static void release_crew(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (v->crew_held) {
        v->crew_held = 0;
        tsim__pool_release(sim, d->need.pool, d->need.count);
    } else if (v->crew_wait) {
        v->crew_wait = 0;
        tsim__pool_cancel(sim, d->need.pool, b, (uint32_t)s, TSIM_NEED_REPAIR);
    }
}

/* Operating basis, end of shift: the failure clock stops with its time left; a repair under way
 * stops too and lets its crew go (it asks again at the next start of shift). */
static void freeze_failures(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (v->fail_ev) {
        tsim__cancel(sim, v->fail_ev);
        v->fail_ev = 0;
        v->fail_left = v->fail_at - sim->now;
        v->fail_frozen = 1;
    }
    release_crew(sim, b, s);
}

/* Operating basis, start of shift: the failure clock runs on from where it stopped. */
static void thaw_failures(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (v->repairing) {
        if (!v->fail_ev && !v->crew_held && !v->crew_wait) request_repair(sim, b, s);
    } else if (v->fail_frozen) {
        fail_clock(sim, b, s, v->fail_left);
    }
}

void tsim__station_init(struct tsim_sim *sim, uint32_t b, int servers, size_t state_bytes)
{
    struct tsim__station *st = st_of(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    st->n = (uint32_t)servers;
    st->assembly = d->type == TSIM_ASSEMBLY;
    st->blk_off = (uint32_t)(sim->off[b] + state_bytes);
    st->sink = !d->route.slow && d->route.n >= 1 && sim->blocks[d->route.to[0]].type == TSIM_SINK
                   ? d->route.to[0]
                   : -1;
    int on = d->shift < 0 || tsim__shift_on(sim, d->shift);
    for (int s = 0; s < servers; s++) {
        struct tsim__server *v = &st->srv[s];
        v->ent = TSIM__NIL;
        v->last_product = -1;
        v->off = (uint8_t)!on;
        v->state = (uint8_t)effective(v);
        if (d->has_failures) schedule_failure(sim, b, s);
    }
}

int tsim__station_free_server(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__station *st = st_of(sim, b);
    for (uint32_t s = 0; s < st->n; s++) {
        const struct tsim__server *v = &st->srv[s];
        if (v->phase == TSIM__PH_IDLE && available(v)) return (int)s;
    }
    return -1;
}

double tsim__station_mean_ticks(const struct tsim_sim *sim, uint32_t b, int product)
{
    const struct tsim_dist *pd = tsim__desc(sim, b)->process.by_product[product];
    return pd ? tsim_dist_mean(pd) * sim->tpu : 0;
}

double tsim__station_free_after(const struct tsim_sim *sim, uint32_t b, double queued)
{
    const struct tsim__station *st = st_of(sim, b);
    double low = INFINITY;
    for (uint32_t s = 0; s < st->n && low > 0; s++) {
        const struct tsim__server *v = &st->srv[s];
        double left = 0;
        switch (v->phase) {
        case TSIM__PH_SETUP:
        case TSIM__PH_BUSY:
            left = (double)(v->ev ? v->finish - sim->now : v->remaining);
            if (v->phase == TSIM__PH_SETUP)
                left += tsim__station_mean_ticks(sim, b, sim->ents[v->ent].product);
            break;
        case TSIM__PH_WAIT:
            left = v->resuming && v->wait_purpose == TSIM_NEED_PROCESS
                       ? (double)v->remaining
                       : tsim__station_mean_ticks(sim, b, sim->ents[v->ent].product);
            break;
        default:
            break;
        }
        if (left < low) low = left;
    }
    return low + queued / (double)st->n;
}

/* Run (or keep paused) the current phase for `remaining` ticks. */
static void run_phase(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (available(v)) {
        v->finish = sim->now + v->remaining;
        v->ev = tsim__schedule_slot(sim, done_slot(st_of(sim, b), s), v->finish, b, EV_DONE,
                                    (uint32_t)s);
    }
    account_v(sim, b, s, v);
}

static void pause_phase(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (v->ev) {
        tsim__cancel(sim, v->ev);
        v->ev = 0;
        v->remaining = v->finish - sim->now;
    }
}

static inline unsigned purpose_of(int phase)
{
    return phase == TSIM__PH_SETUP ? TSIM_NEED_SETUP : TSIM_NEED_PROCESS;
}

/* Seize the operators phase `phase` needs and does not hold yet: 1 if held (or none needed);
 * 0 if the server now waits for them, `resuming` saying whether the phase's time is drawn. */
static int seize_ops(struct tsim_sim *sim, uint32_t b, int s, int phase, int resuming)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    unsigned purpose = purpose_of(phase);
    if (!needs(d, purpose) || v->ops_held) return 1;
    if (!tsim__pool_seize(sim, d->need.pool, d->need.count, b, (uint32_t)s, purpose)) {
        v->phase = TSIM__PH_WAIT;
        v->wait_purpose = (uint8_t)purpose;
        v->resuming = (uint8_t)resuming;
        v->ops_wait = 1;
        account(sim, b, s);
        return 0;
    }
    v->ops_held = 1;
    return 1;
}

/* Routing sheets ------------------------------------------------------------------------------
 * A machine of a sheet's group (desc `sheet`) draws the time of the operation its entity is at,
 * and sets up when that operation's family differs from the family of the last operation it
 * ran (v->last_product holds a family there): for the time the model's setup matrix gives for
 * that pair, else its own `setup`. An operation without a family, or an entity without a sheet,
 * sets nothing up and leaves the last family as it was. */

/* Whether machine `b` serves group block `g`: it is `g`, or a target of `g`'s route. */
static int in_group(const struct tsim_model *m, int g, uint32_t b)
{
    if (g == (int)b) return 1;
    const struct tsim__route *r = &m->blocks[g].route;
    for (int i = 0; i < r->n; i++)
        if (r->to[i] == (int)b) return 1;
    return 0;
}

/* The operation entity `e` is at on machine `b`, or NULL (no sheet, or not this group's). */
static const struct tsim__sheet_op *sheet_op(const struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    const struct tsim__entity *en = &sim->ents[e];
    if (!sim->m->sheets) return NULL;
    const struct tsim__sheet *sh = &sim->m->sheets[en->product];
    if (en->step == 0 || (uint32_t)en->step > (uint32_t)sh->n) return NULL;
    const struct tsim__sheet_op *op = &sh->op[en->step - 1];
    return in_group(sim->m, op->group, b) ? op : NULL;
}

static const struct tsim_dist *sheet_setup(const struct tsim_sim *sim,
                                           const struct tsim__block_desc *d,
                                           const struct tsim__server *v)
{
    const struct tsim__setups *su = &sim->m->setups;
    size_t cell = (size_t)v->prev_family * (size_t)su->nfam + (size_t)v->last_product;
    return su->has && su->has[cell] ? &su->time[cell] : &d->setup;
}

/* start of a machine of routing sheets: the family decides the setup. */
static __attribute__((noinline)) void start_sheet(struct tsim_sim *sim, uint32_t b, int s,
                                                  uint32_t e);

/* Begin phase `phase` (SETUP or BUSY) once its operators are held. */
static void begin(struct tsim_sim *sim, uint32_t b, int s, int phase)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    if (!seize_ops(sim, b, s, phase, 0)) return;
    v->phase = (uint8_t)phase;
    if (phase == TSIM__PH_SETUP) {
        v->remaining = tsim__draw(sim, d->sheet ? sheet_setup(sim, d, v) : &d->setup,
                                  &st->h.rng[TSIM__RNG_AUX]);
    } else {
        const struct tsim__sheet_op *op = d->sheet ? sheet_op(sim, b, v->ent) : NULL;
        const struct tsim_dist *pd =
            op ? &op->time : d->process.by_product[sim->ents[v->ent].product];
        v->remaining = pd ? tsim__draw(sim, pd, &st->h.rng[TSIM__RNG_MAIN]) : 0;
    }
    run_phase(sim, b, s);
}

/* Inline into the machine's offer, where every part starts. */
TSIM__HOT void start(struct tsim_sim *sim, uint32_t b, int s, uint32_t e)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    if (__builtin_expect(d->sheet, 0)) {
        start_sheet(sim, b, s, e);
        return;
    }
    int product = sim->ents[e].product;
    int setup = d->has_setup && v->last_product >= 0 && v->last_product != product;
    v->ent = e;
    v->last_product = product;
    if (!setup && d->need.pool < 0 && available(v)) {
        /* The common case, begin's and run_phase's shortest path: no setup, no operators, the
         * server up. The phase ends by its event, so the server is not stalled. Values are kept
         * in locals: a store through the byte-sized fields may alias anything, and the compiler
         * would reload every pointer after it. */
        const struct tsim_dist *pd = d->process.by_product[product];
        int64_t dt = pd ? tsim__draw(sim, pd, &st->h.rng[TSIM__RNG_MAIN]) : 0;
        int64_t finish = sim->now + dt;
        uint64_t ev = tsim__schedule_slot(sim, done_slot(st, s), finish, b, EV_DONE, (uint32_t)s);
        v->phase = TSIM__PH_BUSY;
        v->finish = finish;
        v->remaining = dt;
        v->ev = ev;
        if (v->stalled) {
            v->stalled = 0;
            sim->stalled--;
        }
        if (v->state != TSIM_STATE_BUSY) account_change(sim, b, s, v, TSIM_STATE_BUSY);
        return;
    }
    begin(sim, b, s, setup ? TSIM__PH_SETUP : TSIM__PH_BUSY);
}

static void start_sheet(struct tsim_sim *sim, uint32_t b, int s, uint32_t e)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    const struct tsim__sheet_op *op = sheet_op(sim, b, e);
    int fam = op ? op->family : -1, setup = 0;
    v->ent = e;
    if (fam >= 0) {
        if (v->last_product >= 0 && v->last_product != fam) {
            const struct tsim__setups *su = &sim->m->setups;
            setup = d->has_setup || su->has[(size_t)v->last_product * (size_t)su->nfam +
                                            (size_t)fam];
            v->prev_family = v->last_product;
        }
        v->last_product = fam;
    }
    begin(sim, b, s, setup ? TSIM__PH_SETUP : TSIM__PH_BUSY);
}

void tsim__station_start(struct tsim_sim *sim, uint32_t b, int s, uint32_t e)
{
    start(sim, b, s, e);
}

int tsim__station_offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    int s = tsim__station_free_server(sim, b);
    if (s < 0) {
        if (!tsim__desc(sim, b)->drop) return 0;
        st_of(sim, b)->dropped++;
        tsim__note_drop(sim, b, e);
        tsim__entity_dispose(sim, e);
        return 1;
    }
    tsim__note_enter(sim, b, e);
    start(sim, b, s, e);
    return 1;
}

static inline void release_ops(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (v->ops_held) {
        const struct tsim__block_desc *d = tsim__desc(sim, b);
        v->ops_held = 0;
        tsim__pool_release(sim, d->need.pool, d->need.count);
    }
}

/* A server became free and is up: an assembly first tries its next set, a machine wakes the
 * blocks waiting on it. */
static inline void room_freed(struct tsim_sim *sim, const struct tsim__station *st, uint32_t b)
{
    if (st->assembly) {
        tsim__assembly_server_free(sim, b);
        return;
    }
    /* The common case of one buffer waiting: it hands its head over directly (buffer.c). */
    const uint32_t *ring = (const uint32_t *)(sim->arena + st->h.wait_off);
    if (st->h.wait_n == 1 && tsim__buffer_feed(sim, ring[st->h.wait_head], b)) return;
    tsim__wake(sim, b);
}

/* After buffer `q` handed its head to one-server machine `b` (server_free): `q` leaves b's
 * waiters once it is empty, and its own waiters are woken with `q` as b's `waking`, as
 * tsim__wake_waiters would have had it while `q` was pulled. */
static inline void fed(struct tsim_sim *sim, uint32_t b, uint32_t q, int empty)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    if (empty) {
        h->wait_head = h->wait_head + 1 == h->wait_cap ? 0 : h->wait_head + 1;
        h->wait_n--;
    }
    if (tsim__hdr(sim, q)->wait_n) {
        uint32_t saved = h->waking;
        h->waking = q;
        tsim__wake_waiters(sim, q);
        tsim__hdr(sim, b)->waking = saved;
    }
}

/* The server has nothing: idle, and room for the next entity if it is available. */
TSIM__HOT void server_free(struct tsim_sim *sim, uint32_t b, int s, int wake)
{
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    int up = available(v);
    v->ent = TSIM__NIL;
    v->phase = TSIM__PH_IDLE;
    if (v->stalled) {
        v->stalled = 0;
        sim->stalled--;
    }
    int now_state = up ? TSIM_STATE_IDLE : effective(v);
    /* A one-server machine whose one waiter may be a buffer that hands over directly: its state
     * is accounted after the hand-over. When the next entity starts at once, the server is busy
     * throughout, and the two changes it skips (busy to idle, then idle to busy over zero ticks)
     * would leave every sum as it is (ticks are integers). Nothing runs between that could read
     * the state: the buffer's own senders are woken only after the start, when it is right
     * again. With an observer, which hears every change, the buffer refuses and the general path
     * runs. The start is this file's own, inline: tsim__buffer_feed's work less its calls. */
    if (wake && up && st->n == 1 && !st->assembly && st->h.wait_n == 1) {
        const uint32_t *ring = (const uint32_t *)(sim->arena + st->h.wait_off);
        uint32_t q = ring[st->h.wait_head];
        int empty;
        uint32_t e = st->h.content < st->h.full_at ? tsim__buffer_take(sim, q, b, &empty)
                                                   : TSIM__NIL;
        if (e != TSIM__NIL) {
            tsim__note_enter(sim, b, e);
            start(sim, b, 0, e);
            fed(sim, b, q, empty);
            return;
        }
        if (now_state != v->state) account_change(sim, b, s, v, now_state);
        tsim__wake(sim, b);
        return;
    }
    if (now_state != v->state) account_change(sim, b, s, v, now_state);
    if (wake && up) room_freed(sim, st, b);
}

static void finish(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    struct tsim__server *v = &st->srv[s];
    uint32_t e = v->ent;
    release_ops(sim, b, s);
    if (d->scrap > 0 && tsim__draw_u(sim, &st->h.rng[TSIM__RNG_AUX]) < d->scrap) {
        st->scrapped++;
        tsim__note_leave(sim, b, e);
        tsim__note_drop(sim, b, e);
        tsim__entity_dispose(sim, e);
        server_free(sim, b, s, 1);
        return;
    }
    st->good++;
    /* To a sink of its own, its usual completion inline: what tsim__send_leave does for it (no
     * observer, no destination chosen before, the sink's offer, the leave), with no call. */
    if (st->sink >= 0 && !sim->obs && sim->ents[e].dest < 0 &&
        tsim__sink_take(sim, (uint32_t)st->sink, e)) {
        tsim__count_leave(sim, b);
        server_free(sim, b, s, 1);
        return;
    }
    if (tsim__send_leave(sim, b, e)) {
        server_free(sim, b, s, 1);
        return;
    }
    v->phase = TSIM__PH_BLOCKED;
    uint32_t at = st->blk_head + st->blk_n;
    blk_ring(sim, st)[at >= st->n ? at - st->n : at] = (uint32_t)s;
    st->blk_n++;
    if (__builtin_expect(st->ring, 0)) tsim__ring_check(sim, b);
    account(sim, b, s);
}

void tsim__station_pull(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__station *st = st_of(sim, b);
    int freed = 0;
    while (st->blk_n > 0) {
        uint32_t s = blk_ring(sim, st)[st->blk_head];
        uint32_t e = st->srv[s].ent;
        if (!tsim__send_leave(sim, b, e)) {
            if (__builtin_expect(st->ring, 0)) tsim__ring_check(sim, b);
            break;
        }
        st->blk_head = st->blk_head + 1 == st->n ? 0 : st->blk_head + 1;
        st->blk_n--;
        server_free(sim, b, (int)s, 0);
        freed |= available(&st->srv[s]);
    }
    if (freed) room_freed(sim, st, b);
}

uint32_t tsim__station_stuck_on(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__station *st = st_of(sim, b);
    if (st->assembly || st->blk_n < st->n || st->n == 0) return TSIM__NIL;
    int32_t d = sim->ents[st->srv[blk_ring(sim, st)[st->blk_head]].ent].dest;
    return d >= 0 ? (uint32_t)d : TSIM__NIL;
}

/* Work on server `s` stops for now (a failure, the end of its shift, the plant's word): the phase's
 * end is put off with the ticks left, and the operators held for it go back to their pool, or the
 * request for them is withdrawn. resume_work asks for them again. */
static void pause_work(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    pause_phase(sim, b, s);
    if (v->ops_wait) {
        v->ops_wait = 0;
        tsim__pool_cancel(sim, d->need.pool, b, (uint32_t)s, v->wait_purpose);
    }
    release_ops(sim, b, s);
}

/* Operators granted to a waiting server: the phase it waited for begins, or resumes with the
 * time it had left. */
static void proceed(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    int phase = v->wait_purpose == TSIM_NEED_SETUP ? TSIM__PH_SETUP : TSIM__PH_BUSY;
    if (!v->resuming) {
        begin(sim, b, s, phase);
        return;
    }
    v->resuming = 0;
    v->phase = (uint8_t)phase;
    run_phase(sim, b, s);
}

/* Server `s` is available again after a pause: a phase with time left runs on once it holds its
 * operators again, and a server that waited for operators asks again (at the back of the queue). */
static void resume_work(struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if ((v->phase == TSIM__PH_SETUP || v->phase == TSIM__PH_BUSY) && !v->ev) {
        if (seize_ops(sim, b, s, v->phase, 1)) run_phase(sim, b, s);
    } else if (v->phase == TSIM__PH_WAIT && !v->ops_wait) {
        if (!tsim__pool_seize(sim, d->need.pool, d->need.count, b, (uint32_t)s, v->wait_purpose)) {
            v->ops_wait = 1;
            return;
        }
        v->ops_held = 1;
        proceed(sim, b, s);
    }
}

static void fail(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    v->fail_ev = 0;
    pause_work(sim, b, s);
    v->down = 1;
    v->repairing = 1;
    account(sim, b, s);
    request_repair(sim, b, s);
}

/* Back up (repair over, or the plant reported it up): resume what was paused. */
static void back_up(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    v->down = 0;
    if (available(v)) resume_work(sim, b, s);
    account(sim, b, s);
    if (available(v) && v->phase == TSIM__PH_IDLE) server_free(sim, b, s, 1);
}

static void repaired(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    v->fail_ev = 0;
    v->repairing = 0;
    release_crew(sim, b, s);
    schedule_failure(sim, b, s);
    back_up(sim, b, s);
}

void tsim__station_event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    int s = (int)arg;
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    switch (kind) {
    case EV_DONE:
        v->ev = 0;
        if (v->phase == TSIM__PH_SETUP) {
            const struct tsim__block_desc *d = tsim__desc(sim, b);
            /* Operators needed for the setup but not for processing go now. */
            if (!(d->need.for_mask & TSIM_NEED_PROCESS)) release_ops(sim, b, s);
            begin(sim, b, s, TSIM__PH_BUSY);
        } else {
            finish(sim, b, s);
        }
        break;
    case EV_FAIL: fail(sim, b, s); break;
    case EV_REPAIRED: repaired(sim, b, s); break;
    case EV_WAKE: tsim__assembly_server_free(sim, b); break;
    }
}

void tsim__station_granted(struct tsim_sim *sim, uint32_t b, uint32_t s, uint32_t purpose)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    if (purpose == TSIM_NEED_REPAIR) {
        v->crew_wait = 0;
        v->crew_held = 1;
        start_repair(sim, b, (int)s);
        return;
    }
    v->ops_wait = 0;
    v->ops_held = 1;
    proceed(sim, b, (int)s);
}

void tsim__station_shift(struct tsim_sim *sim, uint32_t b, int on)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    int operating = d->has_failures && d->failure_basis == TSIM_FAILURES_OPERATING;
    int freed = 0;
    for (uint32_t s = 0; s < st->n; s++) {
        struct tsim__server *v = &st->srv[s];
        if (v->off == !on) continue;
        if (!on) {
            pause_work(sim, b, (int)s);
            v->off = 1;
            if (operating) freeze_failures(sim, b, (int)s);
            account(sim, b, (int)s);
        } else {
            v->off = 0;
            if (operating) thaw_failures(sim, b, (int)s);
            if (available(v)) resume_work(sim, b, (int)s);
            account(sim, b, (int)s);
            freed |= available(v) && v->phase == TSIM__PH_IDLE;
        }
    }
    if (freed) room_freed(sim, st, b);
}

/* End the model's own failure process of server `s`: a pending failure, a repair running, frozen
 * or waiting for its crew. */
static void abandon_repair(struct tsim_sim *sim, uint32_t b, int s)
{
    struct tsim__server *v = &st_of(sim, b)->srv[s];
    tsim__cancel(sim, v->fail_ev);
    v->fail_ev = 0;
    v->fail_frozen = 0;
    release_crew(sim, b, s);
    v->repairing = 0;
}

int tsim__station_force_down(struct tsim_sim *sim, uint32_t b, int s, int down)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    struct tsim__station *st = st_of(sim, b);
    if (s < 0 || (uint32_t)s >= st->n)
        return tsim__fail(TSIM_ERANGE, "tsim_machine_force_down", "'%s' has no server %d", d->name, s);
    struct tsim__server *v = &st->srv[s];
    if (down) {
        if (v->forced && v->down) return 0;
        /* The plant's word replaces the model's own failure process while it lasts. */
        abandon_repair(sim, b, s);
        pause_work(sim, b, s);
        v->down = 1;
        v->forced = 1;
        account(sim, b, s);
        return 0;
    }
    if (!v->down) return 0;
    abandon_repair(sim, b, s);
    v->forced = 0;
    if (d->has_failures) schedule_failure(sim, b, s);
    back_up(sim, b, s);
    return 0;
}

int tsim__station_state(const struct tsim_sim *sim, uint32_t b, int s)
{
    const struct tsim__station *st = st_of(sim, b);
    if (s < 0 || (uint32_t)s >= st->n) return -1;
    return effective(&st->srv[s]);
}

void tsim__station_restart(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__station *st = st_of(sim, b);
    st->scrapped = st->good = st->dropped = 0;
    for (uint32_t s = 0; s < st->n; s++) {
        memset(st->srv[s].acc, 0, sizeof st->srv[s].acc);
        st->srv[s].since = sim->now;
    }
}

double tsim__station_busy(const struct tsim_sim *sim, uint32_t b)
{
    const struct tsim__station *st = st_of(sim, b);
    double busy = 0;
    for (uint32_t s = 0; s < st->n; s++) {
        const struct tsim__server *v = &st->srv[s];
        busy += (double)v->acc[TSIM_STATE_BUSY];
        if (v->state == TSIM_STATE_BUSY) busy += (double)(sim->now - v->since);
    }
    return busy / st->n;
}

void tsim__station_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct tsim__station *st = st_of(sim, b);
    static const char *const names[TSIM_STATE_COUNT] = {
        "states.idle", "states.busy", "states.blocked", "states.down",
        "states.setup", "states.off_shift", "states.waiting",
    };
    double tot[TSIM_STATE_COUNT] = {0};
    for (uint32_t s = 0; s < st->n; s++) {
        const struct tsim__server *v = &st->srv[s];
        for (int k = 0; k < TSIM_STATE_COUNT; k++) tot[k] += (double)v->acc[k];
        tot[v->state] += (double)(sim->now - v->since);
    }
    double window = (double)(sim->now - sim->stats_start) * st->n;
    double share[TSIM_STATE_COUNT];
    for (int k = 0; k < TSIM_STATE_COUNT; k++) share[k] = window > 0 ? tot[k] / window : 0;
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "scrapped", (double)st->scrapped);
    tsim_result_add(r, (int)b, "dropped", (double)st->dropped);
    double planned = 1 - share[TSIM_STATE_OFF_SHIFT];
    double run = planned - share[TSIM_STATE_DOWN] - share[TSIM_STATE_SETUP];
    double availability = planned > 0 ? run / planned : 0;
    double performance = run > 0 ? share[TSIM_STATE_BUSY] / run : 0;
    double made = (double)(st->good + st->scrapped);
    double quality = made > 0 ? (double)st->good / made : 1;
    tsim_result_add(r, (int)b, "utilization", share[TSIM_STATE_BUSY]);
    tsim_result_add(r, (int)b, "availability", availability);
    tsim_result_add(r, (int)b, "performance", performance);
    tsim_result_add(r, (int)b, "quality", quality);
    tsim_result_add(r, (int)b, "oee", availability * performance * quality);
    static const int order[] = {TSIM_STATE_BUSY, TSIM_STATE_IDLE, TSIM_STATE_BLOCKED,
                                TSIM_STATE_DOWN, TSIM_STATE_SETUP, TSIM_STATE_OFF_SHIFT,
                                TSIM_STATE_WAITING};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        tsim_result_add(r, (int)b, names[order[i]], share[order[i]]);
}

/* The types whose blocks are stations. */
#define STATION_TYPES (TSIM__T(TSIM_MACHINE) | TSIM__T(TSIM_ASSEMBLY))

/* Parameters (the public setters) --------------------------------------------------------- */

int tsim_machine_set_process(struct tsim_model *m, int block, int product,
                             const struct tsim_dist *d)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, STATION_TYPES, __func__, "process", &rc);
    if (!b) return rc;
    if ((rc = tsim__check_time(__func__, b, "process", d))) return rc;
    struct tsim__pdist *pd = &b->process;
    if (product < 0) {
        if (pd->has_default) tsim_dist_release(&pd->dflt);
        tsim_dist_copy(&pd->dflt, d);
        pd->has_default = 1;
        return 0;
    }
    if (product >= m->nproducts) return tsim__fail(TSIM_ENOENT, __func__, "no product %d", product);
    for (int i = 0; i < pd->n; i++) {
        if (pd->product[i] == product) {
            tsim__dist_set(&pd->dist[i], d);
            return 0;
        }
    }
    pd->product = tsim__realloc(pd->product, (size_t)(pd->n + 1) * sizeof(int));
    pd->dist = tsim__realloc(pd->dist, (size_t)(pd->n + 1) * sizeof *pd->dist);
    pd->product[pd->n] = product;
    tsim_dist_copy(&pd->dist[pd->n], d);
    pd->n++;
    return 0;
}

void tsim__machine_clear_product_process(struct tsim_model *m, int block)
{
    struct tsim__pdist *pd = &m->blocks[block].process;
    for (int i = 0; i < pd->n; i++) tsim_dist_release(&pd->dist[i]);
    pd->n = 0;
    m->finalized = 0;
}

int tsim_machine_set_failures(struct tsim_model *m, int block, const struct tsim_dist *between,
                              const struct tsim_dist *repair)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, STATION_TYPES, __func__, "failures", &rc);
    if (!b) return rc;
    if ((rc = tsim__check_time(__func__, b, "failures.between", between))) return rc;
    if ((rc = tsim__check_time(__func__, b, "failures.repair", repair))) return rc;
    if (!(tsim_dist_mean(between) > 0))
        return tsim__fail(TSIM_ERANGE, __func__, "'failures.between' of '%s' must have a mean > 0",
                          b->name);
    tsim__dist_set(&b->between, between);
    tsim__dist_set(&b->repair, repair);
    b->has_failures = 1;
    return 0;
}

int tsim_machine_set_failure_basis(struct tsim_model *m, int block, enum tsim_failure_basis basis)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, STATION_TYPES, __func__, "failures", &rc);
    if (!b) return rc;
    if ((unsigned)basis > TSIM_FAILURES_CALENDAR)
        return tsim__fail(TSIM_ERANGE, __func__, "failure basis %d of '%s' is not one of the enum",
                          (int)basis, b->name);
    b->failure_basis = basis;
    return 0;
}

int tsim_machine_set_needs(struct tsim_model *m, int block, int pool, int count, unsigned for_mask)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, STATION_TYPES, __func__, "needs", &rc);
    if (!b) return rc;
    if (pool < 0 || pool >= m->npools) return tsim__fail(TSIM_ENOENT, __func__, "no pool %d", pool);
    if (count < 1 || count > m->pools[pool].count)
        return tsim__fail(TSIM_ERANGE, __func__,
                          "'%s' needs %d of pool '%s', which has %d", b->name, count,
                          m->pools[pool].name, m->pools[pool].count);
    if (!for_mask || (for_mask & ~7u))
        return tsim__fail(TSIM_EINVAL, __func__, "bad 'for' mask %u", for_mask);
    b->need = (struct tsim__need){pool, count, for_mask};
    return 0;
}

int tsim_machine_set_shift(struct tsim_model *m, int block, int shift)
{
    int rc;
    struct tsim__block_desc *b =
        tsim__block_get(m, block, STATION_TYPES, __func__, "shift", &rc);
    if (!b) return rc;
    if (shift < -1 || shift >= m->nshifts) return tsim__fail(TSIM_ENOENT, __func__, "no shift %d", shift);
    b->shift = shift;
    return 0;
}

/* What the descriptors of machines and assemblies share ------------------------------------- */

int tsim__station_set_process(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_process(m, b, -1, v->d);
}

int tsim__station_set_shift(struct tsim_model *m, int b, const struct tsim__value *v)
{
    return tsim_machine_set_shift(m, b, (int)v->i);
}

int tsim__station_check(const struct tsim_model *m, const struct tsim__block_desc *b)
{
    /* Which products reach a machine depends on the routes; a product that arrives with no
     * processing time of its own is processed in zero time (the loader checks the product flow
     * and reports it with a position). */
    const struct tsim__block_type *t = tsim__block_type(b->type);
    if (!b->process.has_default && b->process.n == 0 && !b->sheet) {
        tsim__model_blame_key(m, b->index, tsim__key_index(t, "process"));
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, "'%s' has no processing time", b->name);
    }
    if (b->need.pool >= 0 && b->need.count > m->pools[b->need.pool].count) {
        tsim__model_blame_key(m, b->index, tsim__key_index(t, "needs"));
        return tsim__fail(TSIM_EMODEL, TSIM__VALIDATE,
                          "'%s' needs more operators than pool '%s' has", b->name,
                          m->pools[b->need.pool].name);
    }
    return 0;
}
