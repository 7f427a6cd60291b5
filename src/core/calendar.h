/*
 * The event calendar: a 4-ary min-heap of (time, priority, sequence) keys over a pool of event
 * records. Not a scheduler of its own: the sim's run loop pops and dispatches.
 *
 * Invariants: one total order, (time ascending, priority descending, sequence ascending), so
 * events at equal time and priority run in the order they were scheduled (FIFO), on every
 * machine. Cancellation is lazy: a cancelled record stays in the heap, marked, and is skipped and
 * freed when it reaches the top; this keeps sift-up/down free of back-pointer updates, which is
 * where an indexed heap spends its time. A handle is (generation << 32 | slot + 1), so a handle
 * to an event that ran or was cancelled never matches a reused slot.
 * Memory: 24 bytes of heap entry plus 32 bytes of record per pending event.
 */
#ifndef TSIM_CORE_CALENDAR_H
#define TSIM_CORE_CALENDAR_H

#include "twinsim.h"

#include <stdint.h>

/* What an event does: either a user function with its argument, or a block event
 * (block, kind, entity) dispatched by the sim. */
struct tsim__ev {
    tsim_event_fn *fn; /* NULL for a block event */
    void *arg;
    uint32_t block;
    uint16_t kind;
    int16_t prio;      /* set by tsim__cal_push */
    uint32_t ent;
    uint32_t gen;      /* generation of the slot; odd while pending, even when cancelled/free */
};

struct tsim__hent {
    int64_t t;
    uint64_t key;      /* (32767 - priority) << 48 | sequence (48 bits) */
    uint32_t slot;
    uint32_t pad_;
};

struct tsim__calendar {
    struct tsim__hent *heap;
    uint32_t n, cap;
    struct tsim__ev *slots;
    uint32_t nslots, cap_slots;
    uint32_t free_head;  /* free slot list threaded through ev.ent; UINT32_MAX: none */
    uint32_t live;       /* pending and not cancelled */
    uint64_t seq;
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

/* Pop the next live event into `*t` and `*ev`; returns 0 when none is left. */
int tsim__cal_pop(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev);

/* The time of the next live event, or INT64_MAX when none. Frees cancelled records on top. */
int64_t tsim__cal_next_time(struct tsim__calendar *c);

/* Cancel the event of `handle`; returns 0, or TSIM_ENOENT when it is no longer pending. */
int tsim__cal_cancel(struct tsim__calendar *c, uint64_t handle);

/* Copy the pending event of `handle` into `*ev` (its prio field included); returns 0, or
 * TSIM_ENOENT when it is no longer pending. */
int tsim__cal_get(const struct tsim__calendar *c, uint64_t handle, struct tsim__ev *ev);

/* Bytes held. */
size_t tsim__cal_memory(const struct tsim__calendar *c);

#endif
