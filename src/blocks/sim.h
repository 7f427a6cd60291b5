/*
 * The inside of a sim, shared by the blocks: the sim struct, entities, the block interface and
 * the flow protocol by which blocks hand entities on. Not API.
 *
 * Invariants:
 * - All mutable state is plain data owned by the sim: the calendar, the entity pool and one
 *   arena holding every block's state, pool and shift state, addressed by offsets. Nothing in the
 *   arena points into the arena, so tsim_sim_clone is a copy of a few arrays; only the table of
 *   block state pointers (`st`, arena + off) is made anew.
 * - Entities are referred to by index into the pool; a free entity is on the free list.
 * - Flow is push with blocking: a block that finishes an entity offers it to the block its route
 *   picks (tsim__send). A refused offer leaves the entity with the sender, which is registered as
 *   a waiter of that destination (once per destination). A block that gains room calls
 *   tsim__wake, which lets its waiters retry in the order they were refused. An accepting offer
 *   never wakes upstream: the room it used is its own (no re-entry into the sender).
 * - Times inside are integer ticks (sim->tpu per model time unit).
 */
#ifndef TSIM_BLOCKS_SIM_H
#define TSIM_BLOCKS_SIM_H

#include "blocks/desc.h"
#include "core/calendar.h"
#include "core/fast.h"
#include "core/philox.h"

#include <stdatomic.h>
#include <stdint.h>

/* A helper on the path of every event, inlined into each of its few callers even where GCC's
 * size limits would call it: on that path a call's saved registers and argument moves cost more
 * than the code they save (measured: 5-7% fewer instructions per event, and faster). */
#define TSIM__HOT static inline __attribute__((always_inline))

#define TSIM__NIL UINT32_MAX
#define TSIM__NEVER INT64_MAX

struct tsim__entity {
    int64_t t_created; /* when it entered the system (left its source) */
    int64_t t_in;      /* when it entered its current block */
    int64_t due;       /* TSIM__NEVER: none */
    uint64_t id;
    uint32_t next;     /* intrusive list link */
    uint16_t product;
    uint16_t tracked : 1; /* an order whose completion is recorded */
    /* operations of its routing sheet it has been sent to (a sheet has at most 10,000, so the
     * entity keeps its 48 bytes) */
    uint16_t step : 15;
    int32_t dest;      /* destination chosen while the entity waits blocked; -1: none */
    uint32_t card;     /* released by a CONWIP source: its index + 1, while it counts; else 0 */
};

/* The order an entity carries: the shipped order of picking block `block` (its order `order` of
 * the block's file or draws, `lines` lines of `units` units in all), or one line of it (a picking
 * block with `lines_to`: `line` is 1 + the line's index among the block's lines, `lines` 1 and
 * `units` the units picked for it; `line` 0: the whole order). It lives in a side table by
 * entity slot (sim->eorders), made only in a model with a picking block, so that the entity keeps
 * its 48 bytes and no path of other models stores or loads it. An entry is the entity's only
 * while `id` is that entity's id (ids start at 1, and 0 is none): a slot that a later entity
 * takes reads as none, so making and freeing entities never touches the table. */
struct tsim__eorder {
    uint64_t id;
    uint64_t units;
    uint32_t block, order, lines;
    uint32_t line;
};

/* A mean of durations where only the mean is reported (waits, lead times): a sum of ticks and
 * a count. Welford's update (struct tsim_tally) divides on every observation; this does not. */
struct tsim__sum {
    double ticks;
    uint64_t n;
};

static inline void tsim__sum_add(struct tsim__sum *s, int64_t ticks)
{
    s->ticks += (double)ticks;
    s->n++;
}

/* A count over time (a block's content, the system's WIP) in integer ticks, exactly: the area
 * under it is the sum of the times units left minus the sum of the times they came, plus
 * count x now for the units still there. A change is one addition, no floating point; 128-bit
 * sums cannot overflow. The count itself is kept by the owner (content, live_ents). */
__extension__ typedef __int128 tsim__wide;
struct tsim__area {
    tsim__wide in, out; /* sums of the ticks of every unit's coming and leaving since `start` */
    int64_t start;      /* where the statistics start */
    uint64_t max;
};

/* One unit comes at `now`; the count is then `n`. Times are never negative, so `now` widens
 * unsigned: an add with carry, where a signed widening costs a shift and, as GCC allocates it,
 * a trip through the stack. */
static inline void tsim__area_in(struct tsim__area *a, int64_t now, uint64_t n)
{
    a->in += (uint64_t)now;
    if (n > a->max) a->max = n;
}

/* One unit leaves at `now`. */
static inline void tsim__area_out(struct tsim__area *a, int64_t now) { a->out += (uint64_t)now; }

/* Restart at `now` with `n` units present; the time-weighted mean of count `n` at `now`. */
void tsim__area_restart(struct tsim__area *a, int64_t now, uint64_t n);
double tsim__area_mean(const struct tsim__area *a, int64_t now, uint64_t n);

/* Random streams of a block, each derived from (seed, replication, "name/purpose"). */
enum { TSIM__RNG_MAIN, TSIM__RNG_AUX, TSIM__RNG_FAIL, TSIM__RNG_ROUTE, TSIM__RNG_COUNT };

/* The first member of every block's state. */
struct tsim__bhdr {
    uint32_t index;
    uint32_t waking;       /* the waiter being woken now, TSIM__NIL if none */
    uint64_t entered, left, content;
    uint64_t full_at;      /* an offer while content >= full_at is refused: tsim__send skips it */
    struct tsim__area level; /* content over time */
    uint32_t wait_off;     /* arena offset of the waiter ring (uint32_t[wait_cap]) */
    uint32_t wait_head, wait_n, wait_cap;
    uint64_t rr;           /* round-robin turn */
    uint32_t slot;         /* its first calendar slot (see tsim__schedule_slot) */
    uint32_t pad_;
    struct tsim_rng rng[TSIM__RNG_COUNT];
};

struct tsim_sim;
struct tsim__qnode;

/* The block interface: one table per block type. Functions a type does not need are NULL. */
struct tsim__block_vt {
    /* Bytes of state for block `d`, header included; may depend on the model (servers, products). */
    size_t (*state_size)(const struct tsim_model *m, const struct tsim__block_desc *d);
    /* Calendar slots for block `d`'s events that are at most one pending each (NULL: none). */
    uint32_t (*slots)(const struct tsim__block_desc *d);
    /* Set up the zeroed state (header already filled) and schedule first events. */
    void (*init)(struct tsim_sim *sim, uint32_t b);
    /* After every block's init: send what exists at time 0 (a source's population). */
    void (*start)(struct tsim_sim *sim, uint32_t b);
    /* Take entity `e` now (1) or refuse it (0). */
    int (*offer)(struct tsim_sim *sim, uint32_t b, uint32_t e);
    /* A destination this block waits on has room: send what is held, in order. */
    void (*pull)(struct tsim_sim *sim, uint32_t b);
    void (*event)(struct tsim_sim *sim, uint32_t b, uint32_t kind, uint32_t arg);
    /* Warm-up: restart the statistics at now. */
    void (*restart)(struct tsim_sim *sim, uint32_t b);
    void (*report)(struct tsim_sim *sim, uint32_t b, struct tsim_result *r);
    /* Operators asked for by server `server` for `purpose` (TSIM_NEED_*) have been seized. */
    void (*granted)(struct tsim_sim *sim, uint32_t b, uint32_t server, uint32_t purpose);
    /* The block's shift starts (on = 1) or ends. */
    void (*shift)(struct tsim_sim *sim, uint32_t b, int on);
    /* Live corrections (tsim_block_remove, tsim_machine_force_down, tsim_machine_state). */
    int (*remove)(struct tsim_sim *sim, uint32_t b, uint64_t n);
    int (*force_down)(struct tsim_sim *sim, uint32_t b, int server, int down);
    int (*state)(const struct tsim_sim *sim, uint32_t b, int server);
    /* For the gridlock check of rings (ring.c): the block this one waits on for good unless
     * that one takes its entity (it is full, each of its entities waits, nothing in it can move
     * or change its destination), or TSIM__NIL. NULL: a block that never waits so. */
    uint32_t (*stuck_on)(const struct tsim_sim *sim, uint32_t b);
};

/* A block of a ring was refused, or changed while refused (ring.c): when it closes a ring of
 * blocks each stuck on the next (their stuck_on), nothing in the ring can move again, and the
 * sim fails with an error naming the ring and the time. O(ring). */
void tsim__ring_check(struct tsim_sim *sim, uint32_t b);


/* The machine's interface: a buffer whose only way out is a machine calls it directly. */
extern const struct tsim__block_vt tsim__machine_vt;

/* Operator pools and shifts live in the arena too (operators.c, shift.c). */
struct tsim__pool_state;
struct tsim__shift_state;

struct tsim__order {
    uint64_t id;
    int64_t done; /* ticks; -1 while open */
};

struct tsim_sim {
    int64_t now;
    double tpu; /* ticks per model time unit */
    unsigned char philox; /* its streams are Philox's (the model's rng): draws by philox.h */
    /* During a block's `offer`: the block that offers the entity (tsim__offer_by; TSIM__NIL from
     * outside the flow, tsim_block_inject). A fleet reads it to know a request's pickup. Set by
     * every hand-over (one store, in the padding before `cal`), read by none but the fleet. */
    uint32_t from;
    struct tsim__calendar cal;
    uint64_t events, fp;
    /* The run loop runs while events < check_at; at check_at it looks at the clock (the
     * zero-time rule, sim.c). tsim_sim_stop and errors set it to 0, so that one comparison
     * serves both. */
    uint64_t check_at;
    uint64_t fg;      /* foreground events pending */
    uint64_t stalled; /* servers holding work that waits for a background event */
    int stop;
    int err; /* 0, or the TSIM_E* code of the error that stopped the sim (errmsg) */
    /* Stop requests from other threads or signal handlers, read at the checkpoints (sim.c):
     * tsim_sim_interrupt's, and the flag of the driver that runs the sim (tsim__sim_watch). */
    atomic_int interrupted;
    const atomic_int *stop_flag;
    const struct tsim_model *m;
    const struct tsim__block_desc *blocks; /* m->blocks, one load nearer */
    uint64_t seed, rep;

    struct tsim__entity *ents;
    uint32_t nents, cap_ents, free_ent, live_ents;
    uint64_t next_id;

    uint32_t nblocks;
    const struct tsim__block_vt **vt; /* per block */
    uint32_t *off;                    /* per block: arena offset of its state */
    unsigned char **st;               /* per block: its state (arena + off), the hot path's way */
    uint32_t *pool_off, *shift_off;   /* per pool / shift */
    unsigned char *arena;
    size_t arena_size; /* bytes; from arena_base on, the room added during the run */
    size_t arena_base; /* the layout's bytes: every block's state, pool and shift */

    /* system statistics */
    int64_t stats_start, warmup_at;
    struct tsim__area wip; /* live_ents over time */
    struct tsim__sum lead; /* of every sink */
    uint64_t completed, created;

    struct tsim__order *orders;
    uint32_t norders, cap_orders;

    tsim_observer_fn *obs;
    void *obs_ctx;

    /* Limits of a run (sim.c): events at one instant and entities at once. */
    uint64_t instant_limit;  /* events at one instant now allowed; 0 once the sim has failed */
    uint64_t check_next;     /* the next checkpoint, also while check_at is 0 */
    uint64_t inst_events;    /* the event count at the last checkpoint */
    int64_t inst_t;          /* the clock there; -1: none */
    uint64_t watch;          /* events seen at the instant being watched; 0: not watching */
    uint32_t *watch_seen;    /* while watching: per block, events and entries seen */
    uint64_t *watch_entered; /* while watching: per block, `entered` when watching began */
    uint64_t size_units;     /* blocks + servers, for the default instant limit */
    uint32_t max_ents;       /* entities that may exist at once */
    /* A run without a horizon kept going by background events alone (sim.c, idle_day): when
     * that began (-1: not now) and the count of moves then. */
    int64_t bg_since;
    uint64_t bg_moves;
    char errmsg[400];

    /* Entity attributes (attr.c): nattrs values per entity of the pool, attrs[e * nattrs + i];
     * NULL when the model declares none. Plain data, copied by a clone. */
    uint32_t nattrs;
    double *attrs;
    /* The ordered buffers' index (qtree.h): one node per entity of the pool, made when a buffer
     * first keeps one and grown to the pool's size; NULL while none does. Plain data, copied by a
     * clone. */
    struct tsim__qnode *qnodes;
    uint32_t cap_qnodes;
    /* The rules' run-time state (src/logic: a Lua state), made on first use and freed with
     * logic_free; not copied by a clone, which makes its own (rules keep no state between
     * calls, so a clone continues as the original does). */
    void *logic;
    void (*logic_free)(void *logic);
    /* The environment's state of this sim when an env steps it (src/logic/fenv.c): the buffers
     * with `rule: agent` ask it; NULL otherwise (they serve FIFO). Not owned; an env never
     * clones its sims. */
    void *agent;
    /* The orders entities carry (struct tsim__eorder), cap_ents of them, in a model with a
     * picking block (eorder_on); else NULL. Plain data, copied by a clone. */
    struct tsim__eorder *eorders;
    int eorder_on;
};

/* Stop the sim with error `err` (a TSIM_E* code) and a message (printf-style, no function
 * name): the run loop returns after the current event, and every later run returns at once.
 * The first error stays. */
void tsim__sim_fail(struct tsim_sim *sim, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The limit of events at one instant now (the model's max_instant_events, or 100 for every
 * block, server and entity in the system, at least 10^6); 0 once the sim has failed. The run
 * loop keeps it in instant_limit from checkpoint to checkpoint; work done without events
 * (entities a source makes 0 ticks apart, a split's copies) is counted against it afresh. */
uint64_t tsim__instant_limit(const struct tsim_sim *sim);

/* The error of a source that made `n` entities in a row at one instant, its interarrival times
 * all below one tick (source.c counts them against tsim__instant_limit). */
void tsim__zero_arrivals(struct tsim_sim *sim, uint32_t b, uint64_t n);

/* The error of a split that made `n` copies at one instant, more than sim->instant_limit. */
void tsim__too_many_copies(struct tsim_sim *sim, uint32_t b, uint64_t n);

/* The most bytes an arena holds: its offsets are 32-bit. */
#define TSIM__ARENA_MAX ((size_t)UINT32_MAX)

/* Add `bytes` of zeroed room at the end of the arena, for state a block finds it needs during
 * the run (a dock's trucks that the plant adds): plain data like the rest, so a clone copies it
 * and destroying the sim frees it; a reset forgets it. Returns its offset from the arena's
 * start, or 0 (never a real offset: the layout comes first) when the arena would pass
 * TSIM__ARENA_MAX. The arena may move: every block's state pointer is renewed, and a pointer
 * into the arena held across the call is stale. For what a run meets rarely (a message of the
 * live twin), not the hot path: it may copy the whole arena. */
size_t tsim__arena_add(struct tsim_sim *sim, size_t bytes);

static inline void *tsim__state(const struct tsim_sim *sim, uint32_t b) { return sim->st[b]; }

static inline struct tsim__bhdr *tsim__hdr(const struct tsim_sim *sim, uint32_t b)
{
    return (struct tsim__bhdr *)sim->st[b];
}

static inline const struct tsim__block_desc *tsim__desc(const struct tsim_sim *sim, uint32_t b)
{
    return &sim->blocks[b];
}

static inline struct tsim__entity *tsim__ent(const struct tsim_sim *sim, uint32_t e)
{
    return &sim->ents[e];
}

/* Model time <-> ticks, only at the edges. A time past TSIM__TMAX (or NaN) is TSIM__NEVER: the
 * caller refuses it or takes it as "never". */
static inline int64_t tsim__ticks(const struct tsim_sim *sim, double t)
{
    double x = t * sim->tpu + 0.5;
    return x <= 0 ? 0 : (!(x < TSIM__TMAX_D) ? TSIM__NEVER : (int64_t)x);
}

static inline double tsim__time(const struct tsim_sim *sim, int64_t ticks)
{
    return (double)ticks / sim->tpu;
}

/* tsim__draw_u of a Philox sim (streams.c), out of line as tsim__draw_philox below. */
double tsim__draw_u_philox(struct tsim_rng *r) __attribute__((cold));

/* A uniform in (0, 1) from a block's stream `r`, by the sim's generator. */
static inline double tsim__draw_u(const struct tsim_sim *sim, struct tsim_rng *r)
{
    if (__builtin_expect(sim->philox, 0)) return tsim__draw_u_philox(r);
    return tsim__uniform(r);
}

/* A drawn duration `v` in ticks; negative draws count as 0, longer ones (and a NaN) as
 * TSIM__TMAX, by the one comparison a conversion needs anyway. */
static inline int64_t tsim__draw_ticks(const struct tsim_sim *sim, double v)
{
    double x = v * sim->tpu + 0.5;
    return x <= 0 ? 0 : (x >= TSIM__TMAX_D ? TSIM__TMAX : (int64_t)x);
}

/* tsim__draw of a Philox sim (streams.c), out of line: the default generator's draws stay
 * inline and pay one test for it. */
int64_t tsim__draw_philox(const struct tsim_sim *sim, const struct tsim_dist *d,
                          struct tsim_rng *r) __attribute__((cold));

/* A duration drawn from `d`, in ticks (tsim__draw_ticks). Inline even where GCC would make it
 * a function of its own (it did in the machine's end of work once the next start was inline
 * there, at 14 instructions a call). */
TSIM__HOT int64_t tsim__draw(struct tsim_sim *sim, const struct tsim_dist *d, struct tsim_rng *r)
{
    if (__builtin_expect(sim->philox, 0)) return tsim__draw_philox(sim, d, r);
    return tsim__draw_ticks(sim, tsim__sample(d, r));
}

/*
 * Schedule block event (b, kind, arg) at tick `t`. Background events (failures, repairs, shift
 * changes) do not by themselves keep tsim_sim_run going: a run "until no event is left" ends
 * when no foreground event is pending and no server holds work that waits for a background one
 * (a repair, a shift, operators): see `fg` and `stalled`.
 */
static inline uint64_t tsim__schedule(struct tsim_sim *sim, int64_t t, uint32_t b, uint32_t kind,
                                      uint32_t arg)
{
    sim->fg++;
    return tsim__cal_push_block(&sim->cal, t, b, kind, arg);
}

/* No slots: a block's first slot when the calendar has none for it. Slot numbers from it on are
 * beyond every calendar's, for any server count. */
#define TSIM__NOSLOT 0x80000000u

/* tsim__schedule in calendar slot `slot` (the block's first slot, h->slot, plus the event's own
 * number): for an event the block has at most one of pending in that slot at a time. A slot is
 * cheaper than the heap: calendar.h. */
TSIM__HOT uint64_t tsim__schedule_slot(struct tsim_sim *sim, uint32_t slot, int64_t t, uint32_t b,
                                     uint32_t kind, uint32_t arg)
{
    sim->fg++;
    return tsim__cal_push_slot(&sim->cal, slot, t, b, kind, arg);
}

/* The same for a background event (see tsim__schedule). */
static inline uint64_t tsim__schedule_bg_slot(struct tsim_sim *sim, uint32_t slot, int64_t t,
                                              uint32_t b, uint32_t kind, uint32_t arg)
{
    return tsim__cal_push_slot(&sim->cal, slot, t, b, kind | TSIM__CAL_FLAG, arg);
}
void tsim__cancel(struct tsim_sim *sim, uint64_t handle);
#define TSIM__BG 0x8000u /* in an event's kind: background */
_Static_assert(TSIM__BG == TSIM__CAL_FLAG, "background events are the flagged ones");

/* Entities. Every part a source makes is new, enters the system and is disposed of: inline, with
 * the pool's growth out of line. */
uint32_t tsim__entity_grow(struct tsim_sim *sim);
static inline uint32_t tsim__entity_new(struct tsim_sim *sim, int product)
{
    uint32_t e = sim->free_ent;
    if (e != TSIM__NIL) sim->free_ent = sim->ents[e].next;
    else e = tsim__entity_grow(sim);
    struct tsim__entity *en = &sim->ents[e];
    en->t_created = sim->now;
    en->t_in = sim->now;
    en->due = TSIM__NEVER;
    en->id = sim->next_id++;
    en->next = TSIM__NIL;
    en->product = (uint16_t)(product > 0 ? product : 0);
    en->tracked = 0;
    en->dest = -1;
    en->card = 0;
    en->step = 0;
    return e;
}

/* The order entity `e` carries, or NULL (sim.c keeps the table). */
static inline const struct tsim__eorder *tsim__eorder_of(const struct tsim_sim *sim, uint32_t e)
{
    if (!sim->eorders || sim->eorders[e].id != sim->ents[e].id) return NULL;
    return &sim->eorders[e];
}
/* Entity `e` carries order `order` of picking block `b` from now on, or its line `line` (0: the
 * whole order; a model with a picking block only: eorder_on). */
static inline void tsim__eorder_set(struct tsim_sim *sim, uint32_t e, uint32_t b, uint32_t order,
                                    uint32_t lines, uint64_t units, uint32_t line)
{
    sim->eorders[e] = (struct tsim__eorder){sim->ents[e].id, units, b, order, lines, line};
}

/* A CONWIP card (source.c): entity `e` leaves the system, or enters block `b` (out of line;
 * only an entity with a card calls them). */
void tsim__card_leave(struct tsim_sim *sim, uint32_t e);
void tsim__card_enter(struct tsim_sim *sim, uint32_t b, uint32_t e);

/* The entity leaves the system (sink, scrap, drop, assembly): WIP and the pool are updated.
 * tsim__entity_free is that for an entity known to hold no card: it calls nothing, so a caller's
 * shortest path that uses it needs no registers saved. */
static inline void tsim__entity_free(struct tsim_sim *sim, uint32_t e)
{
    sim->live_ents--;
    tsim__area_out(&sim->wip, sim->now);
    sim->ents[e].next = sim->free_ent;
    sim->free_ent = e;
}

static inline void tsim__entity_dispose(struct tsim_sim *sim, uint32_t e)
{
    if (__builtin_expect(sim->ents[e].card != 0, 0)) tsim__card_leave(sim, e);
    tsim__entity_free(sim, e);
}

/* The entity enters the system now (it leaves its source). */
static inline void tsim__entity_enter_system(struct tsim_sim *sim, uint32_t e)
{
    sim->ents[e].t_created = sim->now;
    sim->live_ents++;
    sim->created++;
    tsim__area_in(&sim->wip, sim->now, sim->live_ents);
}

/* Flow. tsim__send offers `e`, held by `from`, to the block `from`'s route picks (or the one
 * that refused it last); returns 1 if taken, 0 if refused (then `from` waits on that block).
 * The hot path of every hand-over is inline: a single route, a destination that takes it or is
 * known full (content >= full_at, refused without asking); the rest is out of line. */
int tsim__send_picked(struct tsim_sim *sim, uint32_t from, uint32_t e);
/* The destination `from`'s route chooses for `e` now (drawing from its route stream where the
 * rule draws), -1 for a product its route by product has no branch for. */
int32_t tsim__route_pick(struct tsim_sim *sim, uint32_t from, uint32_t e);
/* What the route rules measure of a target `b` (flow.c), also a learned route's features
 * (src/logic/route.c): whether it takes an entity now (first_free), its busy ticks per server
 * since the statistics began (least_utilized; 0 for a block that is not a machine), and the ticks
 * until it would start one more (earliest_free; INFINITY for a full block that is not a machine
 * nor a buffer before one). */
int tsim__takes_now(const struct tsim_sim *sim, uint32_t b);
double tsim__busy_share(const struct tsim_sim *sim, uint32_t b);
double tsim__free_after(const struct tsim_sim *sim, uint32_t b);
int tsim__refused(struct tsim_sim *sim, uint32_t from, uint32_t e, int32_t d);

/* Offer `e` to `d` through `offer`, d's offer function: a caller that knows d's type passes it
 * directly, and the call needs no look in the block table. */
static inline int tsim__offer_by(struct tsim_sim *sim, uint32_t from, uint32_t e, int32_t d,
                                 int (*offer)(struct tsim_sim *, uint32_t, uint32_t))
{
    const struct tsim__bhdr *h = tsim__hdr(sim, (uint32_t)d);
    if (h->content < h->full_at) {
        sim->from = from;
        if (offer(sim, (uint32_t)d, e)) return 1;
    }
    return tsim__refused(sim, from, e, d);
}

static inline int tsim__offer_to(struct tsim_sim *sim, uint32_t from, uint32_t e, int32_t d)
{
    return tsim__offer_by(sim, from, e, d, sim->vt[d]->offer);
}

static inline int tsim__send(struct tsim_sim *sim, uint32_t from, uint32_t e)
{
    struct tsim__entity *en = &sim->ents[e];
    int32_t d = en->dest;
    if (d < 0) {
        const struct tsim__route *r = &sim->blocks[from].route;
        if (r->slow) return tsim__send_picked(sim, from, e);
        d = r->to[0];
    } else {
        en->dest = -1;
    }
    return tsim__offer_to(sim, from, e, d);
}

void tsim__wake_waiters(struct tsim_sim *sim, uint32_t b);
/* `b` has room: its waiters retry in order until one is refused (then `b` is full again). Inline:
 * most calls find nobody waiting. */
static inline void tsim__wake(struct tsim_sim *sim, uint32_t b)
{
    if (tsim__hdr(sim, b)->wait_n) tsim__wake_waiters(sim, b);
}
/* The same for a block whose refusal depends on the entity offered (an assembly's place per
 * product): one refused waiter says nothing of the next, so every waiter gets its turn. */
void tsim__wake_each(struct tsim_sim *sim, uint32_t b);

/* Bookkeeping of the common header, and the observer. Entering and leaving are inline (every
 * hand-over does both); only the observer's call is out of line. */
void tsim__note_observe(struct tsim_sim *sim, enum tsim_obs_kind what, uint32_t b, uint32_t e);
/* The counts of an entering entity, for a caller that knows it has no card and no observer
 * listens (tsim__note_enter is this and both). */
static inline void tsim__count_enter(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    int64_t now = sim->now;
    uint64_t content = h->content + 1;
    h->entered++;
    h->content = content;
    tsim__area_in(&h->level, now, content);
    sim->ents[e].t_in = now;
}
static inline void tsim__note_enter(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    tsim__count_enter(sim, b, e);
    if (__builtin_expect(sim->ents[e].card != 0, 0)) tsim__card_enter(sim, b, e);
    if (sim->obs) tsim__note_observe(sim, TSIM_OBS_ENTER, b, e);
}

static inline void tsim__note_leave(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    h->left++;
    h->content--;
    tsim__area_out(&h->level, sim->now);
    if (sim->obs) tsim__note_observe(sim, TSIM_OBS_LEAVE, b, e);
}
/* The leave of an entity the observer was told of before its hand-over (tsim__send_leave). */
void tsim__note_observe_seen(struct tsim_sim *sim, enum tsim_obs_kind what, uint32_t b,
                             uint64_t id, int product);

/* A sender's hand-over: offer `e`, held by `b`, downstream (tsim__send) and, if it is taken, note
 * its leave. The observer hears of the entity as it was when sent: the receiver may consume it and
 * give its slot to another entity before the send returns (an assembly's unit, a split's copies).
 * With an observer the hand-over goes out of line; without one, this costs what a send and a
 * leave did (the one observer check moves before the send). */
int tsim__send_leave_observed(struct tsim_sim *sim, uint32_t b, uint32_t e,
                              int (*offer)(struct tsim_sim *, uint32_t, uint32_t), int32_t d);
static inline void tsim__count_leave(struct tsim_sim *sim, uint32_t b)
{
    struct tsim__bhdr *h = tsim__hdr(sim, b);
    h->left++;
    h->content--;
    tsim__area_out(&h->level, sim->now);
}
TSIM__HOT int tsim__send_leave(struct tsim_sim *sim, uint32_t b, uint32_t e)
{
    if (__builtin_expect(sim->obs != NULL, 0)) return tsim__send_leave_observed(sim, b, e, NULL, -1);
    if (!tsim__send(sim, b, e)) return 0;
    tsim__count_leave(sim, b);
    return 1;
}
/* The same through tsim__offer_by to `d` with its offer function `offer` (the caller knows that
 * `e` may go nowhere else). */
TSIM__HOT int tsim__offer_leave_by(struct tsim_sim *sim, uint32_t b, uint32_t e, int32_t d,
                                   int (*offer)(struct tsim_sim *, uint32_t, uint32_t))
{
    if (__builtin_expect(sim->obs != NULL, 0)) return tsim__send_leave_observed(sim, b, e, offer, d);
    if (!tsim__offer_by(sim, b, e, d, offer)) return 0;
    tsim__count_leave(sim, b);
    return 1;
}
void tsim__note_drop(struct tsim_sim *sim, uint32_t b, uint32_t e);
void tsim__note_state(struct tsim_sim *sim, uint32_t b, int server, int state);
/* Entities held and waiting to leave, for shortest-queue routing: content of a block. */
uint64_t tsim__load(const struct tsim_sim *sim, uint32_t b);
/* Restart and report the common header statistics (entered, left, throughput, content). */
void tsim__hdr_restart(struct tsim_sim *sim, uint32_t b);
void tsim__hdr_report(struct tsim_sim *sim, uint32_t b, struct tsim_result *r, int with_content);
/* Length of the statistics window in model time. */
double tsim__window(const struct tsim_sim *sim);
/* The mean of `s` in model time, 0 when empty. */
double tsim__sum_mean(const struct tsim_sim *sim, const struct tsim__sum *s);
/* KPIs by product (sink.c): `products.P.lead_time` and `products.P.throughput` of `np` products
 * from their lead-time sums, for `block` (a sink, or TSIM_KPI_SYSTEM); with `units` (a sink that
 * a picking block's orders may reach), `products.P.count` and `products.P.units` too.
 * tsim__sink_products adds sink `b`'s sums into `by_product` (room for every product) and returns
 * how many it keeps (tsim__products_kept). */
void tsim__product_kpis(struct tsim_sim *sim, struct tsim_result *r, int block,
                        const struct tsim__sum *by_product, const uint64_t *units, uint32_t np);
uint32_t tsim__sink_products(const struct tsim_sim *sim, uint32_t b, struct tsim__sum *by_product);
/* A sink records the completion of an entity; a tracked order's is looked up out of line. */
void tsim__complete_order(struct tsim_sim *sim, uint32_t e);
static inline void tsim__complete(struct tsim_sim *sim, uint32_t e)
{
    const struct tsim__entity *en = &sim->ents[e];
    sim->completed++;
    tsim__sum_add(&sim->lead, sim->now - en->t_created);
    if (en->tracked) tsim__complete_order(sim, e);
}

/* Operators (operators.c). Seize `count` of pool `pool` for (block, server, purpose): returns 1 if
 * granted now; otherwise the request waits FIFO and `granted` is called later. */
int tsim__pool_seize(struct tsim_sim *sim, int pool, int count, uint32_t b, uint32_t server,
                     uint32_t purpose);
void tsim__pool_release(struct tsim_sim *sim, int pool, int count);
/* Withdraw the waiting request of (block, server, purpose), if any; returns 1 if one was. */
int tsim__pool_cancel(struct tsim_sim *sim, int pool, uint32_t b, uint32_t server,
                      uint32_t purpose);
size_t tsim__pools_size(const struct tsim_model *m);
void tsim__pools_init(struct tsim_sim *sim);
void tsim__pools_restart(struct tsim_sim *sim);
void tsim__pools_report(struct tsim_sim *sim, struct tsim_result *r);
/* Shift `s` went on or off (tsim__shift_event's answer): the pools that follow it. */
void tsim__pools_shift(struct tsim_sim *sim, int s, int on);
int tsim__pool_set_count(struct tsim_sim *sim, int pool, int count);

/* Shifts (shift.c): whether shift `s` is on now; a shift event tells the machines that follow it
 * and answers the shift's new state, or -1 when it did not change, for the sim to tell the pools
 * (operators.c stands on shift.c, not the other way). */
size_t tsim__shifts_size(const struct tsim_model *m);
void tsim__shifts_init(struct tsim_sim *sim);
int tsim__shift_on(const struct tsim_sim *sim, int shift);
/* Ticks in a day (shifts repeat daily); valid only in a model with shifts. */
int64_t tsim__ticks_per_day(const struct tsim_sim *sim);
int tsim__shift_event(struct tsim_sim *sim, uint32_t shift);

/* Philox streams (streams.c): every block's streams for the sim's (seed, replication), and the
 * stream id of block `b` in them (for drivers that draw the same numbers elsewhere, the GPU). */
void tsim__philox_streams(struct tsim_sim *sim);
uint32_t tsim__philox_block_id(const struct tsim_sim *sim, uint32_t b);

/*
 * Drivers of many sims (src/run): the runs of `sim` return, as after tsim_sim_interrupt, once
 * *flag is nonzero, so that one flag set by a signal handler stops every sim a driver has on its
 * threads. NULL watches nothing. A watch survives tsim_sim_reset, not tsim_sim_clone; `flag` must
 * outlive the sim's runs. The loop reads the flag at its checkpoints, so watching costs nothing
 * per event.
 */
void tsim__sim_watch(struct tsim_sim *sim, const atomic_int *flag);

/* Attributes (attr.c). An unset value is this NaN. */
#define TSIM__UNSET __builtin_nan("")
static inline double *tsim__attrs(const struct tsim_sim *sim, uint32_t e)
{
    return sim->attrs + (size_t)e * sim->nattrs;
}
/* A new entity's attributes: those of source `b` (initial values and draws from its stream),
 * or, for b == TSIM__NIL, the initial values only. Called only when sim->nattrs > 0. */
void tsim__attrs_start(struct tsim_sim *sim, uint32_t b, uint32_t e);
/* Entity `dst` takes `src`'s attributes (a split's copies). */
void tsim__attrs_copy(struct tsim_sim *sim, uint32_t dst, uint32_t src);
/* Run block `b`'s hook for entity `e`: its assignments, then its rule. Returns the index in
 * route.to its rule chose, -1 when its route picks as usual, -2 when the sim failed or the
 * environment has yet to answer (the entity stays; its sender is pulled when it has). */
int tsim__hook_run(struct tsim_sim *sim, uint32_t b, uint32_t e);
/* The value of expression `x` for entity `e`; on an error (an unset attribute read, a result
 * that is no number) the sim fails, naming block `b` and FILE:LINE:COL, and NaN returns. */
double tsim__expr_eval(struct tsim_sim *sim, const struct tsim__aexpr *x, uint32_t b, uint32_t e,
                       int line, int col);

/* Kinds of sim-level events (block field TSIM__SIM_EVENT). */
#define TSIM__SIM_EVENT UINT32_MAX
enum { TSIM__EV_WARMUP, TSIM__EV_SHIFT };

#endif
