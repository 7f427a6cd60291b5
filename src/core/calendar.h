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
 * TSIM__CAL_FLAG bit; a user event's is (generation << 33 | record << 1 | 1), so a handle of an
 * event that ran or was cancelled never matches a reused record. A block event's handle may be
 * cancelled only while that event is pending (the blocks keep their handles exactly that long);
 * user-event handles are checked.
 * A running block event's entry stays on top while it runs ("held", dead: not counted live): the
 * first event its handler schedules takes that place and sifts down once, instead of a pop's
 * sift-down and then a push's sift-up. A handler that schedules nothing has the entry popped when
 * it returns. Every other use of the heap first pops a held entry.
 * Memory: 32 bytes of heap entry per pending event, plus 24 bytes of record for user events.
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

struct tsim__user_ev {
    tsim_event_fn *fn;
    void *arg;
    uint32_t gen;      /* odd while pending, even when cancelled or free */
    uint32_t next;     /* free list; while pending, the priority + 32768 */
};

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
};

void tsim__cal_init(struct tsim__calendar *c);
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

/* Pop the next live event into `*t` and `*ev`; returns 0 when none is left. */
int tsim__cal_pop(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev);

/* Remove the top entry (not API outside the calendar and its inline pop). */
void tsim__cal_pop_top(struct tsim__calendar *c);

/* Remove the top entry, which the caller knows to be live, having read what it needs. */
static inline void tsim__cal_drop_top(struct tsim__calendar *c)
{
    tsim__cal_pop_top(c);
    c->live--;
}

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

/* Pop the top entry, which the caller knows to be live (tsim__cal_next_time found it): a block
 * event inline, a user event through tsim__cal_pop. */
static inline int tsim__cal_take(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev)
{
    const struct tsim__hent *h = &c->heap[0];
    if (h->block == TSIM__CAL_USER) return tsim__cal_pop(c, t, ev);
    *t = (int64_t)(h->key >> 64);
    ev->block = h->block;
    ev->kind = (uint16_t)h->kind;
    ev->ent = h->ent;
    ev->prio = (int16_t)(32767 - (int)((uint64_t)h->key >> TSIM__CAL_SEQ_BITS));
    ev->fn = NULL;
    ev->arg = NULL;
    tsim__cal_drop_top(c);
    return 1;
}

/* The run loop's shortest path: the top entry when it is a block event and nothing is cancelled
 * (then it is live), else NULL. The caller reads it and holds it (tsim__cal_hold_top). */
static inline const struct tsim__hent *tsim__cal_block_top(const struct tsim__calendar *c)
{
    /* Never called while an entry is held: the run loop unholds after each event. */
    if (!c->n || c->ncancelled || c->heap[0].block == TSIM__CAL_USER) return NULL;
    return &c->heap[0];
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
