/*
 * The event calendar: a 4-ary min-heap of (time, priority, sequence) keys. Not a scheduler of its
 * own: the sim's run loop pops and dispatches.
 *
 * Invariants: one total order, (time ascending, priority descending, sequence ascending), so
 * events at equal time and priority run in the order they were scheduled (FIFO), on every
 * machine. A block event (block, kind, entity) lives in its heap entry and nowhere else: pushing
 * and popping touch the heap only. A user event (fn, arg) keeps fn and arg in a pooled record
 * that its heap entry points to. Cancellation is lazy: a cancelled entry stays in the heap and is
 * dropped when it reaches the top. A cancelled block event is remembered by its sequence number
 * in a small hash set; a cancelled user event by its record's generation.
 * Handles: a block event's is (sequence << 2 | flag << 1), where flag is the kind's
 * TSIM__CAL_FLAG bit; a user event's is (generation << 33 | record << 1 | 1), with the low 31
 * bits of the record's 32-bit generation, which goes up by two on each use and wraps: a handle
 * of an event that ran or was cancelled matches its reused record again only after 2^30 more
 * uses of that record. A block event's handle may be cancelled only while that event is pending
 * (the blocks keep their handles exactly that long); user-event handles are checked.
 * A running block event's entry stays on top while it runs ("held", dead: not counted live): the
 * first event its handler schedules takes that place and sifts down once, instead of a pop's
 * sift-down and then a push's sift-up. A handler that schedules nothing has the entry popped when
 * it returns. Every other use of the heap first pops a held entry.
 * Slots: a block event that its block has at most one of pending at a time (a machine server's
 * phase end, its failure or repair; a source's next arrival) may be given a fixed slot instead
 * of a heap entry. The slots are the leaves of a winner tree: every inner node names the leaf
 * with the least key below it, so a new key for one leaf is one comparison per level on the way
 * to the root. It compares times only, by selects and not by branches, whatever the other keys
 * are; a free leaf's time is its own, above every event's, so equal times are two pending
 * events, which a branch then orders by the rest of the key. An event whose slot
 * is taken goes to the heap. The next event is the earlier of the tree's and the heap's; keys are
 * unique (the sequence), so the order is the same one total order as with a heap alone. A slot
 * event's cancellation frees its slot at once. Its handle carries its slot above the sequence.
 * The running slot event is held the same way as a heap entry: a push to its slot replaces it.
 * Memory: 32 bytes of heap entry per pending event, plus 24 bytes of record for user events;
 * the tree 32 bytes per slot (key, event, inner node), pending or not, rounded up to a power of
 * two.
 */
#ifndef TSIM_CORE_CALENDAR_H
#define TSIM_CORE_CALENDAR_H

#include "twinsim.h"

#include <stdint.h>

/* A kind bit that block-event handles carry (the sim marks background events with it). */
#define TSIM__CAL_FLAG 0x8000u

/* A block whose events are user events: `ent` is the record of (fn, arg). */
#define TSIM__CAL_USER (UINT32_MAX - 1)

/* What an event does: either a user function with its argument, or a block event
 * (block, kind, entity) dispatched by the sim. */
struct tsim__ev {
    tsim_event_fn *fn; /* NULL for a block event */
    void *arg;
    uint32_t block;
    uint16_t kind;
    int16_t prio;
    uint32_t ent;
};

/* The whole order as one unsigned 128-bit key: time (never negative) in the high half, then
 * (32767 - priority) << 48 | sequence (48 bits): one comparison orders two events. */
__extension__ typedef unsigned __int128 tsim__key;

struct tsim__hent {
    tsim__key key;
    uint32_t block;
    uint32_t ent;
    uint32_t kind;
    uint32_t pad_;
};

/* The generation bits a user event's handle keeps (above its record's 32 bits and the tag). */
#define TSIM__CAL_GEN_MASK 0x7fffffffu

struct tsim__user_ev {
    tsim_event_fn *fn;
    void *arg;
    uint32_t gen;      /* odd while pending, even when cancelled or free */
    uint32_t next;     /* free list; while pending, the priority + 32768 */
};

/* A slot's event (its key is in the tree's time and low arrays). */
struct tsim__sev {
    uint32_t block;
    uint32_t kind;
    uint32_t ent;
};

/* Slots a calendar can have: a handle keeps slot + 1 in its top 14 bits. */
#define TSIM__CAL_SLOT_SHIFT 50
#define TSIM__CAL_MAX_SLOTS ((1u << (64 - TSIM__CAL_SLOT_SHIFT)) - 1)
#define TSIM__CAL_KEY_MAX (~(tsim__key)0)
#define TSIM__CAL_NOSLOT UINT32_MAX

struct tsim__calendar {
    struct tsim__hent *heap;
    uint32_t n, cap;
    struct tsim__user_ev *user;
    uint32_t nuser, cap_user;
    uint32_t free_user;  /* UINT32_MAX: none */
    uint32_t live;       /* pending and not cancelled */
    uint32_t held;       /* the top entry is the running event's (see the top) */
    uint64_t seq;
    uint64_t *cancelled; /* open addressing set of sequence numbers; 0 is empty */
    uint32_t ncancelled, cap_cancelled;
    /* The slot tree (see the top): leaves 0 .. sl-1, of which 0 .. sn-1 are slots.
     * A leaf's key in two halves: its time, and below it (32767 << 48 | sequence), a slot
     * event's priority being 0. A free leaf's time is TSIM__CAL_FREE(leaf), above every event's
     * and different for each leaf, so two times can be equal only for two pending events. */
    uint64_t *stime;       /* per leaf */
    uint64_t *slow;        /* per leaf */
    struct tsim__sev *sev; /* per leaf: its event */
    uint32_t *swin;        /* per inner node 2 .. sl-1: the leaf with the least key below it */
    uint32_t sl, sn;       /* leaves (a power of two, at least 2) and slots */
    uint32_t sheld;        /* the running event's slot, or TSIM__CAL_NOSLOT */
    uint32_t stop;         /* the root's (node 1's) winner, kept where the run loop reads it */
    uint64_t stop_time;    /* and its time */
};

/* The time of free leaf `j`: 2^64 - 1 - j, at least 2^63 (event times are below). */
#define TSIM__CAL_FREE(j) (UINT64_MAX - (uint64_t)(j))

void tsim__cal_init(struct tsim__calendar *c);
/* Give the calendar `n` slots (at most TSIM__CAL_MAX_SLOTS), all free. */
void tsim__cal_slots(struct tsim__calendar *c, uint32_t n);
void tsim__cal_release(struct tsim__calendar *c);
/* Empty the calendar, keeping its memory. */
void tsim__cal_clear(struct tsim__calendar *c);
/* Make `dst` (initialised) an exact copy of `src`. */
void tsim__cal_copy(struct tsim__calendar *dst, const struct tsim__calendar *src);

/* Schedule an event at tick `t` with `priority`: a user function `fn(arg)`, or (fn NULL) the
 * block event (block, kind, ent). Returns its handle (never 0). Fields are passed one by one,
 * not as a struct built on the caller's stack: copying such a struct right after writing it
 * stalls on store forwarding, and this is the hottest call of the engine. */
uint64_t tsim__cal_push(struct tsim__calendar *c, int64_t t, int priority, tsim_event_fn *fn,
                        void *arg, uint32_t block, uint32_t kind, uint32_t ent);

/* Bits of the sequence number in a key (see tsim__key). */
#define TSIM__CAL_SEQ_BITS 48
#define TSIM__CAL_SEQ_MASK ((UINT64_C(1) << TSIM__CAL_SEQ_BITS) - 1)

/* The key of an event at tick `t` with `priority` and sequence number `seq`. */
static inline tsim__key tsim__cal_key(int64_t t, int priority, uint64_t seq)
{
    uint64_t low = (uint64_t)(32767 - priority) << TSIM__CAL_SEQ_BITS | seq;
    return (tsim__key)(uint64_t)t << 64 | low;
}

/* The handle of block event `seq` of `kind` (see the top). */
static inline uint64_t tsim__cal_block_handle(uint64_t seq, uint32_t kind)
{
    return seq << 2 | (kind & TSIM__CAL_FLAG ? 2 : 0);
}

/* tsim__cal_push of a block event at priority 0, for the cases the inline one leaves (out of
 * line). */
uint64_t tsim__cal_push_block_far(struct tsim__calendar *c, int64_t t, uint32_t block,
                                  uint32_t kind, uint32_t ent);

/* tsim__cal_push of a block event at priority 0: what every block schedules. Inline for a single
 * queue's calendar: one other event pending beside a held top, or up to 4 pending and nothing
 * held (the new entry's only possible parent is then the root). A branch on the key mispredicts
 * here about every other push, yet measured faster than an arithmetic select, which puts the
 * comparison on the path of every later load. */
static inline uint64_t tsim__cal_push_block(struct tsim__calendar *c, int64_t t, uint32_t block,
                                            uint32_t kind, uint32_t ent)
{
    uint32_t n = c->n, held = c->held;
    /* One branch, not one on `held`: in a line of machines, whether a push is an event's first
     * follows the flow, and the far path takes both kinds. A held top needs no room. */
    if (n > 4 - 2 * held || n == c->cap) return tsim__cal_push_block_far(c, t, block, kind, ent);
    uint64_t seq = ++c->seq & TSIM__CAL_SEQ_MASK;
    tsim__key key = tsim__cal_key(t, 0, seq);
    struct tsim__hent *hp = c->heap;
    uint32_t i;
    if (held) {
        /* In the held top's place, or below the other entry if that one comes first. */
        c->held = 0;
        i = 0;
        if (n == 2 && hp[1].key < key) {
            hp[0] = hp[1];
            i = 1;
        }
    } else {
        c->n = n + 1;
        i = n;
        if (n && key < hp[0].key) {
            hp[n] = hp[0];
            i = 0;
        }
    }
    hp[i].key = key;
    hp[i].block = block;
    hp[i].ent = ent;
    hp[i].kind = kind;
    c->live++;
    return tsim__cal_block_handle(seq, kind);
}

/* Leaf `j` has the new key (`tw`, `lw`): the winners on its way to the root again. One
 * comparison of times per level, against the winner of the sibling subtree, by selects, not
 * branches. Equal times are two pending events (free leaves' times differ): a branch, taken
 * only then, orders them by the key's low half. */
static inline __attribute__((always_inline)) void
tsim__cal_slot_set(struct tsim__calendar *c, uint32_t j, uint64_t tw, uint64_t lw)
{
    uint64_t *time = c->stime, *low = c->slow;
    uint32_t *win = c->swin;
    time[j] = tw;
    low[j] = lw;
    uint32_t w = j, i = (c->sl + j) >> 1;
    uint32_t o = j ^ 1;
    uint64_t to = time[o];
    if (__builtin_expect(to == tw, 0)) w = low[o] < lw ? o : w;
    w = to < tw ? o : w;
    tw = to < tw ? to : tw;
    while (i > 1) {
        win[i] = w;
        o = win[i ^ 1];
        to = time[o];
        if (__builtin_expect(to == tw, 0)) w = low[o] < low[w] ? o : w;
        w = to < tw ? o : w;
        tw = to < tw ? to : tw;
        i >>= 1;
    }
    /* The root's winner from registers, in place of win[1]: the next event's lookup reads it
     * without going through the tree (one dependent load less on every event's path). */
    c->stop = w;
    c->stop_time = tw;
}

/* Leaf `j` is free again. */
static inline void tsim__cal_slot_clear(struct tsim__calendar *c, uint32_t j)
{
    tsim__cal_slot_set(c, j, TSIM__CAL_FREE(j), UINT64_MAX);
}

/* Whether slot `j` is free. */
static inline int tsim__cal_slot_free(const struct tsim__calendar *c, uint32_t j)
{
    return c->stime[j] >> 63 != 0;
}

/* The whole key of the tree's top (TSIM__CAL_FREE in its time when no slot is pending). */
static inline tsim__key tsim__cal_top_key(const struct tsim__calendar *c)
{
    return (tsim__key)c->stop_time << 64 | c->slow[c->stop];
}

/* tsim__cal_push_block into slot `slot`: the heap's push when `slot` is not a slot or its event
 * is pending (the running event's slot counts as free). Inline everywhere: a call's saved
 * registers would cost a third of it. */
static inline __attribute__((always_inline)) uint64_t
tsim__cal_push_slot(struct tsim__calendar *c, uint32_t slot, int64_t t, uint32_t block,
                    uint32_t kind, uint32_t ent)
{
    if (slot == c->sheld) {
        c->sheld = TSIM__CAL_NOSLOT;
    } else if (slot >= c->sn || !tsim__cal_slot_free(c, slot)) {
        return tsim__cal_push_block(c, t, block, kind, ent);
    }
    uint64_t seq = ++c->seq & TSIM__CAL_SEQ_MASK;
    c->sev[slot].block = block;
    c->sev[slot].kind = kind;
    c->sev[slot].ent = ent;
    tsim__cal_slot_set(c, slot, (uint64_t)t, (uint64_t)tsim__cal_key(t, 0, seq));
    c->live++;
    return (uint64_t)(slot + 1) << TSIM__CAL_SLOT_SHIFT | tsim__cal_block_handle(seq, kind);
}

/* The slot whose event comes first among the slots (a free one, its time TSIM__CAL_FREE, when
 * none is pending). */
static inline uint32_t tsim__cal_slot_top(const struct tsim__calendar *c) { return c->stop; }

/* The top slot's event runs now: it stays, held, until a push to its slot replaces it or
 * tsim__cal_unhold_slot frees the slot. */
static inline void tsim__cal_hold_slot(struct tsim__calendar *c, uint32_t j)
{
    c->sheld = j;
    c->live--;
}

static inline void tsim__cal_unhold_slot(struct tsim__calendar *c)
{
    uint32_t j = c->sheld;
    if (j != TSIM__CAL_NOSLOT) {
        c->sheld = TSIM__CAL_NOSLOT;
        tsim__cal_slot_clear(c, j);
    }
}

/* Pop the next live event into `*t` and `*ev`; returns 0 when none is left. */
int tsim__cal_pop(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev);

/* Remove the top entry (not API outside the calendar and its inline unhold). */
void tsim__cal_pop_top(struct tsim__calendar *c);

/* The top entry, which the caller knows to be live, is the event that runs now: it stays in place,
 * held, until the event's first push replaces it or tsim__cal_unhold pops it. */
static inline void tsim__cal_hold_top(struct tsim__calendar *c)
{
    c->held = 1;
    c->live--;
}

/* After the running event: pop its entry if no push replaced it. */
static inline void tsim__cal_unhold(struct tsim__calendar *c)
{
    if (c->held) {
        c->held = 0;
        tsim__cal_pop_top(c);
    }
}

/* The run loop's shortest path: whether the next event is a block event that needs no more
 * looking at (nothing cancelled and no user event on the heap's top); then `*slot` is its slot,
 * or TSIM__CAL_NOSLOT for the heap's top. 0 when the general path (tsim__cal_pop) must decide,
 * or nothing is pending. The caller reads the event and holds it (tsim__cal_hold_top or
 * tsim__cal_hold_slot). Never called while an event is held: the run loop unholds after each. */
static inline int tsim__cal_next_block(const struct tsim__calendar *c, uint32_t *slot)
{
    uint32_t j = tsim__cal_slot_top(c);
    if (c->n) {
        const struct tsim__hent *h = &c->heap[0];
        if (c->ncancelled || h->block == TSIM__CAL_USER) {
            *slot = TSIM__CAL_NOSLOT;
            return 0;
        }
        if (h->key < tsim__cal_top_key(c)) {
            *slot = TSIM__CAL_NOSLOT;
            return 1;
        }
    }
    *slot = j;
    return c->stop_time >> 63 == 0;
}

/* The time of the next live event, or INT64_MAX when none. Drops cancelled entries on top. */
int64_t tsim__cal_next_time(struct tsim__calendar *c);

/* Cancel the event of `handle`; returns 0, or TSIM_ENOENT when a user event's handle is no
 * longer pending (a block event's must be: see above). */
int tsim__cal_cancel(struct tsim__calendar *c, uint64_t handle);

/* Whether `handle` is a block event's whose kind had TSIM__CAL_FLAG set. */
static inline int tsim__cal_flagged(uint64_t handle) { return (handle & 3) == 2; }

/* Copy the pending user event of `handle` into `*ev` (its prio field included); returns 0, or
 * TSIM_ENOENT when it is no longer pending or is not a user event's handle. */
int tsim__cal_get(const struct tsim__calendar *c, uint64_t handle, struct tsim__ev *ev);

/* Bytes held. */
size_t tsim__cal_memory(const struct tsim__calendar *c);

#endif
