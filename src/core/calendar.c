/*
 * The event calendar: a 4-ary min-heap over pooled event records (see calendar.h for the order
 * and the lazy-cancellation invariant). A 4-ary heap has half the depth of a binary heap and the
 * four children of a node share one or two cache lines, which matters from 10^4 pending events
 * on; bench/bench_calendar.c measures hold times from 10 to 10^6 pending events.
 */
#include "core/calendar.h"

#include "core/core.h"

#include <string.h>

#define NONE UINT32_MAX
#define SEQ_BITS 48
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)

void tsim__cal_init(struct tsim__calendar *c)
{
    memset(c, 0, sizeof *c);
    c->free_head = NONE;
}

void tsim__cal_release(struct tsim__calendar *c)
{
    tsim__free(c->heap);
    tsim__free(c->slots);
    tsim__cal_init(c);
}

void tsim__cal_clear(struct tsim__calendar *c)
{
    c->n = 0;
    c->nslots = 0;
    c->free_head = NONE;
    c->live = 0;
    c->seq = 0;
}

void tsim__cal_copy(struct tsim__calendar *dst, const struct tsim__calendar *src)
{
    if (dst->cap < src->n) {
        tsim__free(dst->heap);
        dst->heap = tsim__malloc((size_t)src->cap * sizeof *dst->heap);
        dst->cap = src->cap;
    }
    if (dst->cap_slots < src->nslots) {
        tsim__free(dst->slots);
        dst->slots = tsim__malloc((size_t)src->cap_slots * sizeof *dst->slots);
        dst->cap_slots = src->cap_slots;
    }
    if (src->n) memcpy(dst->heap, src->heap, (size_t)src->n * sizeof *dst->heap);
    if (src->nslots) memcpy(dst->slots, src->slots, (size_t)src->nslots * sizeof *dst->slots);
    dst->n = src->n;
    dst->nslots = src->nslots;
    dst->free_head = src->free_head;
    dst->live = src->live;
    dst->seq = src->seq;
}

static inline int before(const struct tsim__hent *a, const struct tsim__hent *b)
{
    return a->t < b->t || (a->t == b->t && a->key < b->key);
}

static void sift_up(struct tsim__hent *h, uint32_t i, struct tsim__hent e)
{
    while (i > 0) {
        uint32_t parent = (i - 1) >> 2;
        if (!before(&e, &h[parent])) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

static void sift_down(struct tsim__hent *h, uint32_t n, uint32_t i, struct tsim__hent e)
{
    for (;;) {
        uint32_t first = 4 * i + 1;
        if (first >= n) break;
        uint32_t best = first;
        uint32_t last = first + 4 < n ? first + 4 : n;
        for (uint32_t k = first + 1; k < last; k++)
            if (before(&h[k], &h[best])) best = k;
        if (!before(&h[best], &e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static uint32_t slot_alloc(struct tsim__calendar *c)
{
    if (c->free_head != NONE) {
        uint32_t s = c->free_head;
        c->free_head = c->slots[s].ent;
        return s;
    }
    if (c->nslots == c->cap_slots) {
        uint32_t cap = c->cap_slots ? c->cap_slots * 2 : 64;
        c->slots = tsim__realloc(c->slots, (size_t)cap * sizeof *c->slots);
        c->cap_slots = cap;
    }
    c->slots[c->nslots].gen = 0;
    return c->nslots++;
}

static void slot_free(struct tsim__calendar *c, uint32_t s)
{
    struct tsim__ev *e = &c->slots[s];
    e->gen = (e->gen | 1) + 1; /* the next even generation: stale handles never match */
    e->ent = c->free_head;
    c->free_head = s;
}

uint64_t tsim__cal_push(struct tsim__calendar *c, int64_t t, int priority, tsim_event_fn *fn,
                        void *arg, uint32_t block, uint32_t kind, uint32_t ent)
{
    uint32_t s = slot_alloc(c);
    struct tsim__ev *rec = &c->slots[s];
    uint32_t gen = rec->gen + 1; /* odd: pending */
    rec->fn = fn;
    rec->arg = arg;
    rec->block = block;
    rec->kind = (uint16_t)kind;
    rec->prio = (int16_t)priority;
    rec->ent = ent;
    rec->gen = gen;
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 64;
        c->heap = tsim__realloc(c->heap, (size_t)cap * sizeof *c->heap);
        c->cap = cap;
    }
    struct tsim__hent h = {
        .t = t,
        .key = ((uint64_t)(32767 - priority) << SEQ_BITS) | (c->seq++ & SEQ_MASK),
        .slot = s,
    };
    sift_up(c->heap, c->n++, h);
    c->live++;
    return ((uint64_t)gen << 32) | (s + 1);
}

/* Remove the top of the heap. */
static void pop_top(struct tsim__calendar *c)
{
    struct tsim__hent last = c->heap[--c->n];
    if (c->n) sift_down(c->heap, c->n, 0, last);
}

/* Drop cancelled records from the top; they were already uncounted from `live`. */
static void skip_cancelled(struct tsim__calendar *c)
{
    while (c->n && !(c->slots[c->heap[0].slot].gen & 1)) {
        uint32_t s = c->heap[0].slot;
        pop_top(c);
        slot_free(c, s);
    }
}

int tsim__cal_pop(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev)
{
    skip_cancelled(c);
    if (!c->n) return 0;
    uint32_t s = c->heap[0].slot;
    *t = c->heap[0].t;
    *ev = c->slots[s];
    pop_top(c);
    slot_free(c, s);
    c->live--;
    return 1;
}

int64_t tsim__cal_next_time(struct tsim__calendar *c)
{
    skip_cancelled(c);
    return c->n ? c->heap[0].t : INT64_MAX;
}

static struct tsim__ev *lookup(const struct tsim__calendar *c, uint64_t handle)
{
    uint32_t s = (uint32_t)(handle & 0xffffffffu);
    uint32_t gen = (uint32_t)(handle >> 32);
    if (s == 0 || s > c->nslots) return NULL;
    struct tsim__ev *e = &c->slots[s - 1];
    return (e->gen == gen && (gen & 1)) ? e : NULL;
}

int tsim__cal_cancel(struct tsim__calendar *c, uint64_t handle)
{
    struct tsim__ev *e = lookup(c, handle);
    if (!e) return TSIM_ENOENT;
    e->gen++; /* even: cancelled; the heap entry is dropped when it reaches the top */
    c->live--;
    return 0;
}

int tsim__cal_get(const struct tsim__calendar *c, uint64_t handle, struct tsim__ev *ev)
{
    struct tsim__ev *e = lookup(c, handle);
    if (!e) return TSIM_ENOENT;
    *ev = *e;
    return 0;
}

size_t tsim__cal_memory(const struct tsim__calendar *c)
{
    return (size_t)c->cap * sizeof *c->heap + (size_t)c->cap_slots * sizeof *c->slots;
}
