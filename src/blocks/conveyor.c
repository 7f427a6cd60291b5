/*
 * Conveyor: a belt of `length` moving at `speed` (length units per model time unit). An item
 * enters when its front crosses the entry and leaves when its front reaches the end, so that
 * an item that never waits spends exactly length / speed on it. An item of length L keeps the
 * one behind it at least `spacing` behind its rear, so each item has a pitch p = L + spacing,
 * the least distance from its front to the next item's front: an item may enter once the last
 * one's front is that one's p past the entry. L is the item's product's (`item_length`, one
 * value or one per product), and the belt holds at most capacity = floor(length / p) + 1
 * items of the shortest pitch.
 *
 * Positions are continuous and computed, not stepped: the belt's travel T (the distance it has
 * moved since time 0) advances at `speed` while it runs, and a moving item entered at travel
 * b stands at T - b. Only three things are events: the first moving item reaches its stop (the
 * end, or the tail of the queue there), and the last item's front is its p past the entry (only
 * while an upstream block waits to put an item on). The cost grows with items, not distance.
 *
 * At the end an item is offered downstream by the block's route (a divert at the end: any `to`
 * rule). A refused item waits there:
 * - accumulating: it stops; the items behind close up to pitch p behind it (positions
 *   length, then each its predecessor's p behind) while the belt keeps carrying the others.
 *   When it leaves, the queue behind it moves on together at belt speed, gaps kept. With an
 *   `accumulation_length`, the whole belt stops once the queue is that long (the sum of its
 *   items' p >= it).
 * - non-accumulating: the whole belt stops, gaps kept, until it leaves.
 *
 * Invariants: `n` items are held on the ring, front first; the first `q` of them are queued at
 * the end (accumulating only; the front one at `length` is then refused downstream) and
 * stand still, their `b` being their fronts' places; the others move at T - b. `blocked`: the
 * front item is at the end and was refused. `running`: the belt is not held (not blocked when
 * non-accumulating; the queue shorter than accumulation_length when accumulating); it moves
 * while running at a speed above 0. At most one arrival and one entry-clear event are pending,
 * each in its own calendar slot; neither while the belt stands still.
 *
 * A ring of blocks, each routing to the next, gridlocks when each is stuck on the next: a
 * conveyor is when its front item is refused by the next, nothing on it able to move (all
 * queued, or the belt stopped) and its entry not clear (stuck_on). Nothing in the ring can
 * change then, so the run stops with an error naming the ring and the time (tsim__ring_check,
 * ring.c, run whenever a blocked belt's state changes) instead of running on with the ring
 * stalled. The loader warns of such rings too (model/loadconv.c).
 *
 * Speed changes (a `speed_schedule`, the live twin, tsim_conveyor_set_speed) take effect at
 * the instant they are made: the travel so far is kept, so every position is, and the pending
 * events are timed anew at the new speed. A schedule's next change is one event in a third
 * slot, there only when the block has a schedule; the event carries the change's index.
 */
#include "blocks/sim.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>

enum { EV_ARRIVE, EV_CLEAR, EV_SPEED };
enum { K_LENGTH, K_SPEED, K_SPACING, K_ITEM_LENGTH, K_ACCUMULATING, K_ACC_LENGTH }; /* in `keys` */

struct item {
    uint32_t e;
    uint32_t pad_;
    double b; /* moving: the belt's travel when its front was at the entry; queued: its front */
    double p; /* its pitch: its length + spacing */
};

struct conveyor {
    struct tsim__bhdr h;
    double len, spacing, acc_len; /* acc_len: 0 for none */
    double pitch;               /* an item's pitch when its product has no length of its own */
    double v;                   /* speed in length units per tick */
    double eps;                 /* positions this close are equal (rounding of times to ticks) */
    double T;                   /* the belt's travel at tick t_T */
    int64_t t_T;
    uint32_t cap, head, n, q;
    int accumulating, blocked, running, want_clear;
    uint64_t ev_arrive, ev_clear; /* pending events' handles; 0: none */
    int64_t blocked_since, blocked_ticks, stopped_since, stopped_ticks;
    struct tsim__sum transit;
    struct item ring[];
};

/* The places of a conveyor: floor(length / pitch) + 1, rounding errors of the division kept
 * from costing a place. */
static double places(double len, double pitch) { return floor(len / pitch * (1 + 1e-12)) + 1; }

/* The length of an item of product `p`: its own, or the one `item_length`. */
static double item_length(const struct tsim__block_desc *d, int p)
{
    if (d->item_len && p < d->item_len_n && !isnan(d->item_len[p])) return d->item_len[p];
    return d->val[K_ITEM_LENGTH].r;
}

/* The shortest pitch of an item on it. */
static double pitch_of(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    if (!d->item_len) return d->val[K_SPACING].r + d->val[K_ITEM_LENGTH].r;
    double p = INFINITY;
    for (int i = 0; i < m->nproducts; i++) p = fmin(p, d->val[K_SPACING].r + item_length(d, i));
    return p;
}

/* The fewest items conveyor `d` holds while stuck for good (see stuck_on() below): accumulating,
 * with neither an accumulation_length nor a speed 0 in its schedule, a queue from the end to
 * within a pitch of the entry, which takes floor(length / P) + 1 items of the longest pitch P
 * (k items span (k - 1) x P at most, and the last must stand less than P in); otherwise 1, the
 * refused front item (a stopped belt may hold its front item and one at the entry). At least 1;
 * 1 while its keys are not yet valid (its check reports them). */
double tsim__conveyor_least_stuck(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    if (d->val[K_ACCUMULATING].i != 0 || d->val[K_ACC_LENGTH].set) return 1;
    for (int i = 0; i < d->nspeeds; i++)
        if (!(d->speed_to[i] > 0)) return 1;
    double p = d->val[K_SPACING].r + d->val[K_ITEM_LENGTH].r;
    for (int i = 0; d->item_len && i < m->nproducts; i++)
        p = fmax(p, d->val[K_SPACING].r + item_length(d, i));
    double k = places(d->val[K_LENGTH].r, p);
    return k >= 1 && k < INFINITY ? k : 1;
}

static size_t state_size(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    return sizeof(struct conveyor) +
           (size_t)places(d->val[K_LENGTH].r, pitch_of(m, d)) * sizeof(struct item);
}

static uint32_t slots(const struct tsim__block_desc *d) { return d->nspeeds > 0 ? 3 : 2; }

/* The schedule's change `i`, if there is one and it is not past the end of time. */
static void sched_speed(struct tsim_sim *sim, uint32_t b, uint32_t i)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if ((int)i >= d->nspeeds) return;
    int64_t t = tsim__ticks(sim, d->speed_at[i]);
    if (t == TSIM__NEVER) return;
    tsim__schedule_slot(sim, tsim__hdr(sim, b)->slot + EV_SPEED, t < sim->now ? sim->now : t, b,
                        EV_SPEED, i);
}

static void init(struct tsim_sim *sim, uint32_t b)
{
    struct conveyor *s = tsim__state(sim, b);
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    s->len = d->val[K_LENGTH].r;
    s->spacing = d->val[K_SPACING].r;
    s->pitch = s->spacing + d->val[K_ITEM_LENGTH].r;
    s->acc_len = d->val[K_ACC_LENGTH].set ? d->val[K_ACC_LENGTH].r : 0;
    s->v = d->val[K_SPEED].r / sim->tpu;
    s->eps = 1e-9 * s->len;
    s->cap = (uint32_t)places(s->len, pitch_of(sim->m, d));
    s->accumulating = d->val[K_ACCUMULATING].i == 0;
    s->running = 1;
    sched_speed(sim, b, 0);
}

static inline struct item *at(struct conveyor *s, uint32_t i)
{
    uint32_t k = s->head + i;
    return &s->ring[k >= s->cap ? k - s->cap : k];
}

static inline double travel(const struct conveyor *s, int64_t now)
{
    return s->running ? s->T + s->v * (double)(now - s->t_T) : s->T;
}

static inline void sync(struct conveyor *s, int64_t now)
{
    s->T = travel(s, now);
    s->t_T = now;
}

/* Item i's front, counted from the entry (i from the front item). */
static inline double belt_pos(struct conveyor *s, uint32_t i, double T)
{
    if (i < s->q) return at(s, i)->b;
    return T - at(s, i)->b;
}

/* Where the first moving item stops: the end, or its pitch behind the queue's tail. */
static inline double stop_of(struct conveyor *s)
{
    if (s->q == 0) return s->len;
    const struct item *tail = at(s, s->q - 1);
    return tail->b - tail->p;
}

/* The pitch of entity `e` on block `b`. */
static double pitch_for(const struct tsim_sim *sim, uint32_t b, const struct conveyor *s,
                        uint32_t e)
{
    const struct tsim__block_desc *d = tsim__desc(sim, b);
    if (!d->item_len) return s->pitch;
    return s->spacing + item_length(d, sim->ents[e].product);
}

/* Ticks for the belt to carry an item `dist` on: rounded up, so that the item has arrived when
 * the event runs, but a count of ticks within 1/1000 of a whole one is that whole one: the
 * rounding error of a position, T - b, grows with the travel T (about T x 2^-52), and must not
 * cost a tick. */
static inline int64_t ticks_for(const struct conveyor *s, double dist)
{
    if (dist <= s->eps) return 0;
    double x = dist / s->v, r = nearbyint(x);
    x = fabs(x - r) < 1e-3 ? r : ceil(x);
    return x >= TSIM__TMAX_D ? TSIM__TMAX : (int64_t)x;
}

static int entry_clear(struct conveyor *s, int64_t now)
{
    if (s->n == 0) return 1;
    return s->n < s->cap && belt_pos(s, s->n - 1, travel(s, now)) >= at(s, s->n - 1)->p - s->eps;
}

/* Whether the belt moves: running, at a speed above 0. */
static inline int moving(const struct conveyor *s) { return s->running && s->v > 0; }

/* Count the time the belt stands still, after a change that found it moving if `was`. */
static void mark_stopped(struct tsim_sim *sim, struct conveyor *s, int was)
{
    int is = moving(s);
    if (is == was) return;
    if (is) s->stopped_ticks += sim->now - s->stopped_since;
    else s->stopped_since = sim->now;
}

static void set_running(struct tsim_sim *sim, struct conveyor *s, int on)
{
    if (on == s->running) return;
    int was = moving(s);
    sync(s, sim->now);
    s->running = on;
    mark_stopped(sim, s, was);
}

/* The arrival of the first moving item at its stop (the end, or the queue's tail there). */
static void sched_arrive(struct tsim_sim *sim, uint32_t b, struct conveyor *s)
{
    tsim__cancel(sim, s->ev_arrive);
    s->ev_arrive = 0;
    if (!moving(s) || s->q == s->n || (s->q == 0 && s->blocked)) return;
    int64_t dt = ticks_for(s, stop_of(s) - belt_pos(s, s->q, travel(s, sim->now)));
    s->ev_arrive = tsim__schedule_slot(sim, s->h.slot + EV_ARRIVE, sim->now + dt, b, EV_ARRIVE, 0);
}

/* The instant the entry is clear again, while an upstream block waits to put an item on: now,
 * or when the last item is a pitch in; none while that item stands still (a departure calls
 * this again). */
static void sched_clear(struct tsim_sim *sim, uint32_t b, struct conveyor *s)
{
    tsim__cancel(sim, s->ev_clear);
    s->ev_clear = 0;
    if (!s->want_clear && !s->h.wait_n) return;
    int64_t dt;
    if (entry_clear(s, sim->now)) dt = 0;
    else if (moving(s) && s->n > s->q && s->n < s->cap)
        dt = ticks_for(s, at(s, s->n - 1)->p - belt_pos(s, s->n - 1, travel(s, sim->now)));
    else return;
    s->ev_clear = tsim__schedule_slot(sim, s->h.slot + EV_CLEAR, sim->now + dt, b, EV_CLEAR, 0);
}

/* Reschedule both after a change of the belt's state. */
static void update(struct tsim_sim *sim, uint32_t b, struct conveyor *s)
{
    sched_arrive(sim, b, s);
    sched_clear(sim, b, s);
}

/* The block conveyor `c` is stuck on for good (ring.c): its front item refused by it, nothing
 * on the belt able to move (all queued, or the belt stopped) and its entry not clear; else
 * TSIM__NIL. */
static uint32_t stuck_on(const struct tsim_sim *sim, uint32_t c)
{
    struct conveyor *s = tsim__state(sim, c);
    if (!s->blocked || !(s->q == s->n || !s->running) || entry_clear(s, sim->now))
        return TSIM__NIL;
    int32_t d = sim->ents[at(s, 0)->e].dest;
    return d >= 0 ? (uint32_t)d : TSIM__NIL;
}

static int offer(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct conveyor *s = tsim__state(sim, b);
    if (!entry_clear(s, sim->now)) {
        if (!s->want_clear) {
            s->want_clear = 1;
            sched_clear(sim, b, s);
        }
        return 0;
    }
    tsim__note_enter(sim, b, e);
    if (s->n == 0) {
        /* An empty belt restarts its travel at 0: positions' rounding errors grow with it. */
        s->T = 0;
        s->t_T = sim->now;
    }
    struct item *it = at(s, s->n++);
    it->e = e;
    it->b = travel(s, sim->now);
    it->p = pitch_for(sim, b, s, e);
    if (s->n - s->q == 1) sched_arrive(sim, b, s);
    if (s->ev_clear || s->h.wait_n) sched_clear(sim, b, s);
    if (s->blocked) tsim__ring_check(sim, b);
    return 1;
}

/* Send the front item on (it is at the end). Returns 1 if it left. */
static int send_front(struct tsim_sim *sim, uint32_t b, struct conveyor *s)
{
    uint32_t e = at(s, 0)->e;
    int64_t t_in = sim->ents[e].t_in;
    if (!tsim__send_leave(sim, b, e)) return 0;
    s = tsim__state(sim, b);
    tsim__sum_add(&s->transit, sim->now - t_in);
    s->head = s->head + 1 == s->cap ? 0 : s->head + 1;
    s->n--;
    return 1;
}

/* A speed change from now on: the travel so far is kept, so are positions; the pending events
 * are timed anew at the new speed (none at 0). */
static void change_speed(struct tsim_sim *sim, uint32_t b, struct conveyor *s, double speed)
{
    int was = moving(s);
    sync(s, sim->now);
    s->v = speed / sim->tpu;
    mark_stopped(sim, s, was);
    update(sim, b, s);
}

/* The front item has left: a queue behind it moves on, the belt runs. */
static void released(struct tsim_sim *sim, uint32_t b, struct conveyor *s)
{
    if (s->blocked) {
        s->blocked = 0;
        s->blocked_ticks += sim->now - s->blocked_since;
    }
    set_running(sim, s, 1);
    if (s->q > 0) {
        s->q--; /* the front one, gone */
        double T = travel(s, sim->now);
        for (uint32_t i = 0; i < s->q; i++) at(s, i)->b = T - at(s, i)->b;
        s->q = 0;
    }
    update(sim, b, s);
}

static void event(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg)
{
    struct conveyor *s = tsim__state(sim, b);
    if (kind == EV_SPEED) {
        change_speed(sim, b, s, tsim__desc(sim, b)->speed_to[arg]);
        sched_speed(sim, b, arg + 1);
        return;
    }
    if (kind == EV_CLEAR) {
        s->ev_clear = 0;
        s->want_clear = 0;
        tsim__wake(sim, b);
        return;
    }
    s->ev_arrive = 0;
    if (s->q > 0) {
        /* The first moving item reaches the queue's tail. */
        at(s, s->q)->b = stop_of(s);
        s->q++;
        const struct item *tail = at(s, s->q - 1);
        if (s->acc_len > 0 && s->len - tail->b + tail->p >= s->acc_len - s->eps)
            set_running(sim, s, 0);
        update(sim, b, s);
        if (s->blocked) tsim__ring_check(sim, b);
        return;
    }
    if (send_front(sim, b, s)) {
        s = tsim__state(sim, b);
        sched_arrive(sim, b, s);
        if (s->want_clear || s->h.wait_n) sched_clear(sim, b, s);
        return;
    }
    s = tsim__state(sim, b);
    s->blocked = 1;
    s->blocked_since = sim->now;
    if (s->accumulating) {
        s->q = 1;
        at(s, 0)->b = s->len;
        if (s->acc_len > 0 && at(s, 0)->p >= s->acc_len - s->eps) set_running(sim, s, 0);
    } else {
        set_running(sim, s, 0);
        at(s, 0)->b = s->T - s->len; /* exactly at the end */
    }
    update(sim, b, s);
    tsim__ring_check(sim, b);
}

static void pull(struct tsim_sim *sim, uint32_t b)
{
    struct conveyor *s = tsim__state(sim, b);
    if (!s->blocked) return;
    if (!send_front(sim, b, s)) {
        /* Refused again: the room it was woken for went to another, and the ring may have
         * closed behind it. */
        tsim__ring_check(sim, b);
        return;
    }
    released(sim, b, tsim__state(sim, b));
}

static void restart(struct tsim_sim *sim, uint32_t b)
{
    struct conveyor *s = tsim__state(sim, b);
    tsim__hdr_restart(sim, b);
    s->blocked_ticks = s->stopped_ticks = 0;
    s->blocked_since = s->stopped_since = sim->now;
    s->transit = (struct tsim__sum){0, 0};
}

static void report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r)
{
    struct conveyor *s = tsim__state(sim, b);
    int64_t window = sim->now - sim->stats_start;
    int64_t blocked = s->blocked_ticks + (s->blocked ? sim->now - s->blocked_since : 0);
    int64_t stopped = s->stopped_ticks + (!moving(s) ? sim->now - s->stopped_since : 0);
    struct tsim__bhdr *h = &s->h;
    tsim__hdr_report(sim, b, r, 1);
    tsim_result_add(r, (int)b, "occupied_share",
                    tsim__area_mean(&h->level, sim->now, h->content) / (double)s->cap);
    tsim_result_add(r, (int)b, "blocked_share", window > 0 ? (double)blocked / (double)window : 0);
    tsim_result_add(r, (int)b, "stopped_share", window > 0 ? (double)stopped / (double)window : 0);
    tsim_result_add(r, (int)b, "transit_time", tsim__sum_mean(sim, &s->transit));
}

static const struct tsim__block_vt conveyor_vt = {
    .state_size = state_size,
    .slots = slots,
    .init = init,
    .offer = offer,
    .pull = pull,
    .event = event,
    .restart = restart,
    .report = report,
    .stuck_on = stuck_on,
};

int tsim_conveyor_set_speed(struct tsim_sim *sim, int block, double speed)
{
    TSIM__ASSERT(sim != NULL, "NULL sim");
    if (block < 0 || block >= sim->m->nblocks || sim->vt[block] != &conveyor_vt)
        return tsim__fail(TSIM_ENOENT, __func__, "no conveyor %d", block);
    if (!(speed >= 0 && speed < 1e12))
        return tsim__fail(TSIM_ERANGE, __func__, "speed must be at least 0 and below 1e12, got %g",
                          speed);
    change_speed(sim, (uint32_t)block, tsim__state(sim, (uint32_t)block), speed);
    return 0;
}

/* The descriptor ---------------------------------------------------------------------------- */

/* A check's error, reported at key `k` of the conveyor when the file gives it (else at the
 * block). */
#define fail_at(k, ...)                                                                            \
    (tsim__model_blame_key(m, d->index, (k)), tsim__fail(TSIM_EMODEL, TSIM__VALIDATE, __VA_ARGS__))

static int check(const struct tsim_model *m, const struct tsim__block_desc *d)
{
    double len = d->val[K_LENGTH].r, speed = d->val[K_SPEED].r;
    double spacing = d->val[K_SPACING].r, item = d->val[K_ITEM_LENGTH].r;
    if (!(len > 0))
        return fail_at(K_LENGTH, "conveyor '%s' has length %g: it must be above 0", d->name, len);
    if (!(speed > 0))
        return fail_at(K_SPEED, "conveyor '%s' has speed %g: it must be above 0", d->name, speed);
    if (spacing > len)
        return fail_at(K_SPACING, "conveyor '%s' has spacing %g, longer than its length %g",
                       d->name, spacing, len);
    if (item > len)
        return fail_at(K_ITEM_LENGTH, "conveyor '%s' has item_length %g, longer than its length "
                       "%g", d->name, item, len);
    for (int i = 0; d->item_len && i < m->nproducts; i++)
        if (item_length(d, i) > len)
            return fail_at(K_ITEM_LENGTH, "conveyor '%s' has item_length %g for product '%s', "
                           "longer than its length %g", d->name, item_length(d, i),
                           m->products[i], len);
    double p = pitch_of(m, d);
    if (!(p > 0))
        return fail_at(K_SPACING, "conveyor '%s' needs a spacing or an item_length above 0%s: "
                       "its capacity follows from them", d->name,
                       d->item_len ? " for every product" : "");
    if (places(len, p) > (double)TSIM__COUNT_MAX)
        return fail_at(K_SPACING, "conveyor '%s' would hold %g items, more than %lld: raise its "
                       "spacing", d->name, places(len, p), TSIM__COUNT_MAX);
    if (d->val[K_ACC_LENGTH].set) {
        double a = d->val[K_ACC_LENGTH].r;
        if (d->val[K_ACCUMULATING].i != 0)
            return fail_at(K_ACC_LENGTH, "conveyor '%s' has an accumulation_length but does not "
                           "accumulate", d->name);
        if (!(a > 0) || a > len)
            return fail_at(K_ACC_LENGTH, "conveyor '%s' has accumulation_length %g: it must be "
                           "above 0 and at most its length %g", d->name, a, len);
    }
    return 0;
}

static const char *const booleans[] = {"true", "false", NULL};

static const struct tsim__key keys[] = {
    [K_LENGTH] = {"length", TSIM__KEY_REAL, TSIM__KEY_REQUIRED, .rlo = 0, .rhi = 1e12,
                  .dflt = "required", .help = "the belt's length, entry to end (above 0)"},
    [K_SPEED] = {"speed", TSIM__KEY_REAL, TSIM__KEY_REQUIRED, .rlo = 0, .rhi = 1e12,
                 .dflt = "required",
                 .help = "length units per model time unit (above 0)"},
    [K_SPACING] = {"spacing", TSIM__KEY_REAL, TSIM__KEY_REQUIRED, .rlo = 0, .rhi = 1e12,
                   .dflt = "required",
                   .help = "the least gap from an item's rear to the next item's front"},
    [K_ITEM_LENGTH] = {"item_length", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12, .dflt = "0",
                       .help = "an item's length, or one per product ({box: 0.4, ...}; a "
                               "product not named: 0); pitch = item_length + spacing > 0"},
    [K_ACCUMULATING] = {"accumulating", TSIM__KEY_CHOICE, 0, .choices = booleans,
                        .noun = "value", .dflt = "true",
                        .help = "items close up behind a refused front item (true) or the belt "
                                "stops (false)"},
    [K_ACC_LENGTH] = {"accumulation_length", TSIM__KEY_REAL, 0, .rlo = 0, .rhi = 1e12,
                      .dflt = "none",
                      .help = "accumulating: the belt stops once the queue at the end is this long"},
    {"speed_schedule", TSIM__KEY_FORM, 0, .dflt = "none",
     .help = "changes of speed: a list of {at: TIME, speed: SPEED}, in time order; 0 stops it"},
    {"to", TSIM__KEY_FORM, 0, .dflt = "required", .help = "route, taken at the end"},
    {"description", TSIM__KEY_TEXT, 0, .help = "any single value, not used by the engine"},
    {.name = NULL},
};

static const char *const kpis[] = {"entered", "left", "throughput", "content", "occupied_share",
                                   "blocked_share", "stopped_share", "transit_time", NULL};

const struct tsim__block_type tsim__conveyor_type = {
    .name = "conveyor",
    .help = "a belt of a length and speed; accumulating or not",
    .keys = keys,
    .kpis = kpis,
    .vt = &conveyor_vt,
    .check = check,
};
