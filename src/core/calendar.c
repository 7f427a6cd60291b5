/*
 * The event calendar: a winner tree of slots for the blocks' one-at-a-time events and a 4-ary
 * min-heap for the rest (see calendar.h for the order, the slots, the handles and the lazy
 * cancellation). The tree's update is inline in calendar.h; here are its set-up, copy and the
 * general pop, which takes the earlier of the tree's and the heap's next event.
 *
 * A 4-ary heap has half the depth of a binary heap and the four children of a node share one or
 * two cache lines, which matters from 10^4 pending events on; bench/bench_calendar.c measures
 * hold times from 10 to 10^6 pending events, and through slots. Block events carry everything in
 * the heap entry, so the hot path (push, pop) never leaves the heap array.
 *
 * A small heap (a root and up to two full levels below it: at most SMALL entries, what a plant
 * model holds) is sifted down without a data-dependent branch: whether the moving entry goes
 * down a level is a coin flip no branch predictor learns, and a mispredicted branch costs more
 * than the few extra comparisons. Entries n .. SMALL-1 then hold the largest key, so every
 * family has four children, and entry SMALL is scratch space for writes that must not land.
 *
 * The event that runs keeps its entry on top (held, calendar.h), and its first push takes that
 * place and sifts down once: a pop's sift-down and a push's sift-up become one sift.
 */
#include "core/calendar.h"

#include "core/core.h"

#include <string.h>

#define NONE UINT32_MAX
#define SEQ_BITS TSIM__CAL_SEQ_BITS
#define SEQ_MASK TSIM__CAL_SEQ_MASK
#define SMALL 21u       /* 1 + 4 + 16 */
#define SCRATCH SMALL
#define MIN_CAP 64u     /* > SCRATCH */
#define KEY_MAX TSIM__CAL_KEY_MAX

/* Every slot free, each leaf at its own free time; each inner node names its subtree's winner. */
static void clear_slots(struct tsim__calendar *c)
{
    for (uint32_t j = 0; j < c->sl; j++) {
        c->stime[j] = TSIM__CAL_FREE(j);
        c->slow[j] = UINT64_MAX;
    }
    /* A free leaf's time falls with its number: the last leaf of each subtree wins it. */
    for (uint32_t i = c->sl - 1; i >= 1; i--)
        c->swin[i] = 2 * i >= c->sl ? 2 * i + 1 - c->sl : c->swin[2 * i + 1];
    c->sheld = TSIM__CAL_NOSLOT;
    c->stop = c->swin[1];
    c->stop_time = c->stime[c->stop];
}

static void alloc_slots(struct tsim__calendar *c, uint32_t leaves)
{
    tsim__free(c->stime);
    tsim__free(c->slow);
    tsim__free(c->sev);
    tsim__free(c->swin);
    c->sl = leaves;
    c->stime = tsim__malloc((size_t)leaves * sizeof *c->stime);
    c->slow = tsim__malloc((size_t)leaves * sizeof *c->slow);
    c->sev = tsim__calloc(leaves, sizeof *c->sev);
    c->swin = tsim__malloc((size_t)leaves * sizeof *c->swin);
}

void tsim__cal_init(struct tsim__calendar *c)
{
    memset(c, 0, sizeof *c);
    c->free_user = NONE;
    /* Two leaves and no slot: the run loop reads the tree's top without asking whether it has
     * one. */
    alloc_slots(c, 2);
    clear_slots(c);
}

void tsim__cal_slots(struct tsim__calendar *c, uint32_t n)
{
    TSIM__ASSERT(n <= TSIM__CAL_MAX_SLOTS, "%u slots, more than %u", n, TSIM__CAL_MAX_SLOTS);
    uint32_t leaves = 2;
    while (leaves < n) leaves *= 2;
    if (leaves != c->sl) alloc_slots(c, leaves);
    TSIM__ASSERT(c->live == 0 && c->n == 0, "slots are given to an empty calendar");
    c->sn = n;
    clear_slots(c);
}

void tsim__cal_release(struct tsim__calendar *c)
{
    tsim__free(c->heap);
    tsim__free(c->user);
    tsim__free(c->cancelled);
    tsim__free(c->stime);
    tsim__free(c->slow);
    tsim__free(c->sev);
    tsim__free(c->swin);
    memset(c, 0, sizeof *c);
    c->free_user = NONE;
}

/* Entries from `from` up to SMALL hold the largest key (see the top). */
static void fill_max(struct tsim__hent *h, uint32_t from)
{
    for (uint32_t i = from; i < SMALL; i++) h[i].key = KEY_MAX;
}

void tsim__cal_clear(struct tsim__calendar *c)
{
    c->n = 0;
    if (c->heap) fill_max(c->heap, 0);
    c->nuser = 0;
    c->free_user = NONE;
    c->live = 0;
    c->held = 0;
    c->seq = 0;
    if (c->ncancelled) memset(c->cancelled, 0, (size_t)c->cap_cancelled * sizeof *c->cancelled);
    c->ncancelled = 0;
    clear_slots(c);
}

/* Make `*dst` (capacity `*dcap`) hold `n` elements of `src` (capacity `scap`). */
static void copy_array(void **dst, uint32_t *dcap, const void *src, uint32_t n, uint32_t scap,
                       size_t elem)
{
    if (*dcap < n) {
        tsim__free(*dst);
        *dst = tsim__malloc((size_t)scap * elem);
        *dcap = scap;
    }
    if (n) memcpy(*dst, src, (size_t)n * elem);
}

void tsim__cal_copy(struct tsim__calendar *dst, const struct tsim__calendar *src)
{
    copy_array((void **)&dst->heap, &dst->cap, src->heap, src->n, src->cap, sizeof *src->heap);
    copy_array((void **)&dst->user, &dst->cap_user, src->user, src->nuser, src->cap_user,
               sizeof *src->user);
    /* The set is probed by position: it is copied whole, at its own capacity. */
    tsim__free(dst->cancelled);
    dst->cancelled = NULL;
    dst->cap_cancelled = 0;
    if (src->cap_cancelled) {
        dst->cancelled = tsim__malloc((size_t)src->cap_cancelled * sizeof *src->cancelled);
        memcpy(dst->cancelled, src->cancelled, (size_t)src->cap_cancelled * sizeof *src->cancelled);
        dst->cap_cancelled = src->cap_cancelled;
    }
    dst->ncancelled = src->ncancelled;
    dst->n = src->n;
    if (dst->heap) fill_max(dst->heap, dst->n);
    dst->nuser = src->nuser;
    dst->free_user = src->free_user;
    dst->live = src->live;
    dst->seq = src->seq;
    if (dst->sl != src->sl) alloc_slots(dst, src->sl);
    dst->sn = src->sn;
    memcpy(dst->stime, src->stime, (size_t)src->sl * sizeof *src->stime);
    memcpy(dst->slow, src->slow, (size_t)src->sl * sizeof *src->slow);
    memcpy(dst->sev, src->sev, (size_t)src->sl * sizeof *src->sev);
    memcpy(dst->swin, src->swin, (size_t)src->sl * sizeof *src->swin);
    /* A copy taken while an event runs starts without that event's entry. */
    dst->held = src->held;
    dst->sheld = src->sheld;
    dst->stop = src->stop;
    dst->stop_time = src->stop_time;
    tsim__cal_unhold(dst);
    tsim__cal_unhold_slot(dst);
}

/* The heap ------------------------------------------------------------------------------------ */

static inline int before(const struct tsim__hent *a, const struct tsim__hent *b)
{
    return a->key < b->key;
}

static inline int64_t time_of(const struct tsim__hent *h) { return (int64_t)(h->key >> 64); }
static inline uint64_t seq_of(const struct tsim__hent *h) { return (uint64_t)h->key & SEQ_MASK; }

/* `c` ? x : y for c 0 or 1, as arithmetic: the compiler keeps it free of branches. */
static inline uint32_t pick(uint32_t c, uint32_t x, uint32_t y) { return y ^ ((x ^ y) & -c); }

/* Open the place of a new `key` in a heap whose entry `i` is the free one at the end: parents
 * after it move down. Returns the index where the entry goes. */
static inline uint32_t sift_up(struct tsim__hent *hp, uint32_t i, tsim__key key)
{
    if (i > 4 && i < SMALL) {
        /* Two parents, the root the upper: both looked at, and a move that must not happen
         * copies the scratch entry onto itself (as the small heap's sift-down does). */
        uint32_t p1 = (i - 1) >> 2;
        uint32_t lt1 = (uint32_t)(key < hp[p1].key);
        uint32_t lt2 = (uint32_t)(key < hp[0].key); /* implies lt1: the root is before p1 */
        hp[i] = hp[pick(lt1, p1, SCRATCH)];
        hp[pick(lt2, p1, SCRATCH)] = hp[pick(lt2, 0, SCRATCH)];
        return pick(lt1, pick(lt2, 0, p1), i);
    }
    while (i > 0) {
        uint32_t parent = (i - 1) >> 2;
        if (!(key < hp[parent].key)) break;
        hp[i] = hp[parent];
        i = parent;
    }
    return i;
}

/* The least of the four children h[first .. first+3]: a tournament of pairs. */
static inline uint32_t least4(const struct tsim__hent *h, uint32_t first)
{
    uint32_t a = first + (uint32_t)before(&h[first + 1], &h[first]);
    uint32_t b = first + 2 + (uint32_t)before(&h[first + 3], &h[first + 2]);
    return pick((uint32_t)before(&h[b], &h[a]), b, a);
}

/* Sift `e` down from the root of a heap of 2 .. SMALL entries (entries n .. SMALL-1 hold the
 * largest key; `e` may be entry n). `e` is parked in the scratch entry, and each level moves
 * either the least child or the scratch entry up: where `e` stops, the remaining moves copy the
 * scratch entry onto itself. Selects by arithmetic, no branch on the keys. */
static void sift_down_small(struct tsim__hent *h, uint32_t n, const struct tsim__hent *e)
{
    struct tsim__hent E = *e;
    h[SCRATCH] = E;
    uint32_t b1 = least4(h, 1);
    uint32_t s1 = pick((uint32_t)before(&h[b1], &E), b1, SCRATCH);
    h[0] = h[s1];
    if (n <= 5) {
        h[s1] = E;
        return;
    }
    uint32_t b2 = least4(h, 4 * b1 + 1);
    /* Where `e` stayed at the root, its grandchild b2 is not before it either (heap order). */
    uint32_t s2 = pick((uint32_t)before(&h[b2], &E), b2, SCRATCH);
    h[s1] = h[s2];
    h[s2] = E;
}

static void sift_down(struct tsim__hent *h, uint32_t n, uint32_t i, const struct tsim__hent *e)
{
    for (;;) {
        uint32_t first = 4 * i + 1;
        if (first >= n) break;
        uint32_t best = first;
        if (first + 4 <= n) {
            best = least4(h, first);
        } else {
            for (uint32_t k = first + 1; k < n; k++)
                if (before(&h[k], &h[best])) best = k;
        }
        if (!before(&h[best], e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = *e;
}

/* Remove the top of the heap. */
static inline void pop_top(struct tsim__calendar *c)
{
    struct tsim__hent *h = c->heap;
    uint32_t n = --c->n;
    if (n > SMALL) {
        sift_down(h, n, 0, &h[n]);
    } else if (n > 1) {
        sift_down_small(h, n, &h[n]);
        h[n].key = KEY_MAX;
    } else {
        h[0] = h[n]; /* n 0 or 1: the last entry (the top itself when n is 0) */
        h[n].key = KEY_MAX;
    }
}

void tsim__cal_pop_top(struct tsim__calendar *c) { pop_top(c); }

/* The set of cancelled block events ------------------------------------------------------------ */

static inline uint32_t set_home(const struct tsim__calendar *c, uint64_t seq)
{
    return (uint32_t)((seq * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (c->cap_cancelled - 1);
}

static void set_add(struct tsim__calendar *c, uint64_t seq);

static void set_grow(struct tsim__calendar *c)
{
    uint64_t *old = c->cancelled;
    uint32_t old_cap = c->cap_cancelled;
    c->cap_cancelled = old_cap ? old_cap * 2 : 16;
    c->cancelled = tsim__calloc(c->cap_cancelled, sizeof *c->cancelled);
    c->ncancelled = 0;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i]) set_add(c, old[i]);
    tsim__free(old);
}

static void set_add(struct tsim__calendar *c, uint64_t seq)
{
    if (2 * (c->ncancelled + 1) > c->cap_cancelled) set_grow(c);
    uint32_t mask = c->cap_cancelled - 1;
    uint32_t i = set_home(c, seq);
    while (c->cancelled[i]) i = (i + 1) & mask;
    c->cancelled[i] = seq;
    c->ncancelled++;
}

/* Remove `seq` if it is in the set; returns whether it was. Backward-shift deletion keeps every
 * remaining key reachable from its home without tombstones. */
static int set_take(struct tsim__calendar *c, uint64_t seq)
{
    uint32_t mask = c->cap_cancelled - 1;
    uint32_t i = set_home(c, seq);
    while (c->cancelled[i] != seq) {
        if (!c->cancelled[i]) return 0;
        i = (i + 1) & mask;
    }
    for (uint32_t j = (i + 1) & mask; c->cancelled[j]; j = (j + 1) & mask) {
        uint32_t home = set_home(c, c->cancelled[j]);
        /* Entry j may move to the hole at i when its home does not lie in (i, j]. */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            c->cancelled[i] = c->cancelled[j];
            i = j;
        }
    }
    c->cancelled[i] = 0;
    c->ncancelled--;
    return 1;
}

/* User-event records --------------------------------------------------------------------------- */

static uint32_t user_alloc(struct tsim__calendar *c)
{
    if (c->free_user != NONE) {
        uint32_t s = c->free_user;
        c->free_user = c->user[s].next;
        return s;
    }
    if (c->nuser == c->cap_user) {
        uint32_t cap = c->cap_user ? c->cap_user * 2 : 16;
        c->user = tsim__realloc(c->user, (size_t)cap * sizeof *c->user);
        c->cap_user = cap;
    }
    c->user[c->nuser].gen = 0;
    return c->nuser++;
}

static void user_free(struct tsim__calendar *c, uint32_t s)
{
    struct tsim__user_ev *u = &c->user[s];
    u->gen = (u->gen | 1) + 1; /* the next even generation: stale handles never match */
    u->next = c->free_user;
    c->free_user = s;
}

/* Push and pop --------------------------------------------------------------------------------- */

/* Add entry (key, block, kind, ent): in the held top's place, sifted down from the root, or else
 * at the end of a heap with room, sifted up. Going up, the key is sifted first and the entry
 * written once, at its place: an entry built on the stack and copied would be read back wider
 * than it was written (a store-forwarding stall on every push). */
static inline void place(struct tsim__calendar *c, tsim__key key, uint32_t block, uint32_t kind,
                         uint32_t ent)
{
    c->live++;
    if (c->held) {
        c->held = 0;
        struct tsim__hent e = {key, block, ent, kind, 0};
        if (c->n > SMALL) sift_down(c->heap, c->n, 0, &e);
        else if (c->n > 1) sift_down_small(c->heap, c->n, &e);
        else c->heap[0] = e;
        return;
    }
    struct tsim__hent *hp = &c->heap[sift_up(c->heap, c->n++, key)];
    hp->key = key;
    hp->block = block;
    hp->ent = ent;
    hp->kind = kind;
}

static __attribute__((noinline)) uint64_t push_grown(struct tsim__calendar *c, int64_t t,
                                                     int priority, tsim_event_fn *fn, void *arg,
                                                     uint32_t block, uint32_t kind, uint32_t ent)
{
    uint32_t cap = c->cap ? c->cap * 2 : MIN_CAP;
    c->heap = tsim__realloc(c->heap, (size_t)cap * sizeof *c->heap);
    if (!c->cap) fill_max(c->heap, 0);
    c->cap = cap;
    return tsim__cal_push(c, t, priority, fn, arg, block, kind, ent);
}

uint64_t tsim__cal_push(struct tsim__calendar *c, int64_t t, int priority, tsim_event_fn *fn,
                        void *arg, uint32_t block, uint32_t kind, uint32_t ent)
{
    /* Growing is out of line, as a tail call: the push that need not grow calls nothing. */
    if (c->n == c->cap && !c->held) return push_grown(c, t, priority, fn, arg, block, kind, ent);
    uint64_t seq = ++c->seq & SEQ_MASK;
    uint64_t handle = tsim__cal_block_handle(seq, kind);
    if (fn) {
        uint32_t s = user_alloc(c);
        struct tsim__user_ev *u = &c->user[s];
        u->fn = fn;
        u->arg = arg;
        u->gen++; /* odd: pending */
        u->next = (uint32_t)(priority + 32768);
        block = TSIM__CAL_USER;
        kind = 0;
        ent = s;
        handle = (uint64_t)u->gen << 33 | (uint64_t)s << 1 | 1;
    }
    place(c, tsim__cal_key(t, priority, seq), block, kind, ent);
    return handle;
}

uint64_t tsim__cal_push_block_far(struct tsim__calendar *c, int64_t t, uint32_t block,
                                  uint32_t kind, uint32_t ent)
{
    if (c->n == c->cap && !c->held) return push_grown(c, t, 0, NULL, NULL, block, kind, ent);
    uint64_t seq = ++c->seq & SEQ_MASK;
    place(c, tsim__cal_key(t, 0, seq), block, kind, ent);
    return tsim__cal_block_handle(seq, kind);
}

/* Whether the top entry was cancelled; if so it is forgotten (its record freed, its sequence
 * number taken out of the set) and the caller pops it. */
static inline int top_cancelled(struct tsim__calendar *c)
{
    const struct tsim__hent *h = &c->heap[0];
    if (h->block == TSIM__CAL_USER) {
        if (c->user[h->ent].gen & 1) return 0;
        user_free(c, h->ent);
        return 1;
    }
    return c->ncancelled && set_take(c, seq_of(h));
}

/* Pop held entries and cancelled tops: then the heap's top, if any, and the tree's top are live. */
static void settle(struct tsim__calendar *c)
{
    tsim__cal_unhold(c); /* a held event is popped before any other use of the calendar */
    tsim__cal_unhold_slot(c);
    while (c->n && top_cancelled(c)) pop_top(c);
}

/* Whether the next event is the tree's (else the heap's, or none when both are empty). */
static int slot_first(const struct tsim__calendar *c)
{
    if (c->n) return tsim__cal_top_key(c) < c->heap[0].key;
    return !tsim__cal_slot_free(c, c->stop);
}

int tsim__cal_pop(struct tsim__calendar *c, int64_t *t, struct tsim__ev *ev)
{
    settle(c);
    ev->fn = NULL;
    ev->arg = NULL;
    if (slot_first(c)) {
        uint32_t j = tsim__cal_slot_top(c);
        *t = (int64_t)c->stop_time;
        ev->block = c->sev[j].block;
        ev->kind = (uint16_t)c->sev[j].kind;
        ev->ent = c->sev[j].ent;
        ev->prio = 0;
        tsim__cal_slot_clear(c, j);
        c->live--;
        return 1;
    }
    if (!c->n) return 0;
    const struct tsim__hent *h = &c->heap[0];
    *t = time_of(h);
    ev->prio = (int16_t)(32767 - (int)((uint64_t)h->key >> SEQ_BITS));
    if (h->block != TSIM__CAL_USER) {
        ev->block = h->block;
        ev->kind = (uint16_t)h->kind;
        ev->ent = h->ent;
    } else {
        /* A user event: fn and arg from its record; block, kind and entity 0, as user events
         * have always been seen (the fingerprint folds these). */
        ev->fn = c->user[h->ent].fn;
        ev->arg = c->user[h->ent].arg;
        ev->block = 0;
        ev->kind = 0;
        ev->ent = 0;
        user_free(c, h->ent);
    }
    pop_top(c);
    c->live--;
    return 1;
}

int64_t tsim__cal_next_time(struct tsim__calendar *c)
{
    settle(c);
    if (slot_first(c)) return (int64_t)c->stop_time;
    return c->n ? time_of(&c->heap[0]) : INT64_MAX;
}

/* The pending record of a user event's handle, or NULL. The handle holds the generation's low
 * 31 bits (calendar.h): the record's are compared, so that a generation past 2^31 still finds
 * its event. */
static struct tsim__user_ev *lookup(const struct tsim__calendar *c, uint64_t handle)
{
    if (!(handle & 1)) return NULL;
    uint32_t s = (uint32_t)(handle >> 1);
    uint32_t gen = (uint32_t)(handle >> 33);
    if (s >= c->nuser) return NULL;
    struct tsim__user_ev *u = &c->user[s];
    return ((u->gen & TSIM__CAL_GEN_MASK) == gen && (gen & 1)) ? u : NULL;
}

int tsim__cal_cancel(struct tsim__calendar *c, uint64_t handle)
{
    if (handle & 1) {
        struct tsim__user_ev *u = lookup(c, handle);
        if (!u) return TSIM_ENOENT;
        u->gen++; /* even: cancelled; the heap entry is dropped when it reaches the top */
    } else if (handle >> TSIM__CAL_SLOT_SHIFT) {
        /* A slot's event: its slot is free at once. */
        uint32_t j = (uint32_t)(handle >> TSIM__CAL_SLOT_SHIFT) - 1;
        if (j >= c->sn || j == c->sheld || tsim__cal_slot_free(c, j) ||
            (c->slow[j] & SEQ_MASK) != ((handle >> 2) & SEQ_MASK))
            return TSIM_ENOENT;
        tsim__cal_slot_clear(c, j);
    } else {
        if (!handle) return TSIM_ENOENT;
        set_add(c, handle >> 2);
    }
    c->live--;
    return 0;
}

int tsim__cal_get(const struct tsim__calendar *c, uint64_t handle, struct tsim__ev *ev)
{
    const struct tsim__user_ev *u = lookup(c, handle);
    if (!u) return TSIM_ENOENT;
    ev->fn = u->fn;
    ev->arg = u->arg;
    ev->block = TSIM__CAL_USER;
    ev->kind = 0;
    ev->ent = (uint32_t)(handle >> 1);
    ev->prio = (int16_t)((int)u->next - 32768);
    return 0;
}

size_t tsim__cal_memory(const struct tsim__calendar *c)
{
    return (size_t)c->cap * sizeof *c->heap + (size_t)c->cap_user * sizeof *c->user +
           (size_t)c->cap_cancelled * sizeof *c->cancelled +
           (size_t)c->sl * (sizeof *c->stime + sizeof *c->slow + sizeof *c->sev + sizeof *c->swin);
}
