/*
 * The calendar's inside (src/core/calendar.h) against a plain model of it: a list of pending
 * events and a linear search for the least (time, -priority, sequence). Driven as the sim's run
 * loop drives it: the top block event is held while it "runs" and schedules 0 to 3 events, whose
 * first push takes the held entry's place; user events and cancelled entries go through the
 * popping path. Heap sizes swing across the inline push (up to 4), the small heap (up to 21
 * entries) and the large one; times repeat often, so ties are ordered by priority and sequence.
 * Block events also go to slots (calendar.h): to a random one, taken or not (then the heap takes
 * the event), to one beyond the slots, and to the running event's own slot.
 */
#include "check.h"
#include "core/calendar.h"

#include <stdint.h>
#include <stdlib.h>

#define MAXP 4096
#define NSLOTS 40

struct model_ev {
    int64_t t;
    int prio;
    uint64_t seq;
    uint64_t handle;
    uint32_t id;
    int user;
};

struct model {
    struct model_ev ev[MAXP];
    int n;
    uint64_t seq, x;
    uint32_t next_id;
    int64_t now;
    long wrong, ran;
};

static uint64_t rnd(struct model *m)
{
    m->x ^= m->x << 13;
    m->x ^= m->x >> 7;
    m->x ^= m->x << 17;
    return m->x;
}

static void user_fn(struct tsim_sim *sim, void *arg)
{
    (void)sim;
    (void)arg;
}

/* The least live pending event of the model, or -1. */
static int model_least(const struct model *m)
{
    int best = -1;
    for (int i = 0; i < m->n; i++) {
        const struct model_ev *a = &m->ev[i];
        if (best < 0) {
            best = i;
            continue;
        }
        const struct model_ev *b = &m->ev[best];
        if (a->t < b->t || (a->t == b->t && (a->prio > b->prio ||
                                             (a->prio == b->prio && a->seq < b->seq))))
            best = i;
    }
    return best;
}

static void model_remove(struct model *m, int i) { m->ev[i] = m->ev[--m->n]; }

/* Schedule one event, at a time that often ties, of a random kind; into slot `slot` when that
 * is not TSIM__CAL_NOSLOT. */
static void schedule_in(struct model *m, struct tsim__calendar *c, uint32_t slot)
{
    if (m->n == MAXP) return;
    struct model_ev *e = &m->ev[m->n++];
    e->t = m->now + (int64_t)(rnd(m) % 6);
    e->id = m->next_id++;
    e->seq = ++m->seq;
    uint64_t kind = slot != TSIM__CAL_NOSLOT ? 9 : rnd(m) % 11;
    if (kind >= 8) {
        /* A slot's event: a slot of the calendar, or one beyond them. */
        e->prio = 0;
        e->user = 0;
        if (slot == TSIM__CAL_NOSLOT) slot = (uint32_t)(rnd(m) % (NSLOTS + 4));
        e->handle = tsim__cal_push_slot(c, slot, e->t, 7, (uint32_t)(rnd(m) % 4), e->id);
    } else if (kind < 5) {
        /* What blocks schedule: priority 0, the inline push or its far path. */
        e->prio = 0;
        e->user = 0;
        e->handle = tsim__cal_push_block(c, e->t, 7, (uint32_t)(rnd(m) % 4), e->id);
    } else if (kind < 7) {
        e->prio = (int)(rnd(m) % 3) - 1;
        e->user = 0;
        e->handle = tsim__cal_push(c, e->t, e->prio, NULL, NULL, 7, 0, e->id);
    } else {
        e->prio = (int)(rnd(m) % 3) - 1;
        e->user = 1;
        e->handle = tsim__cal_push(c, e->t, e->prio, user_fn, (void *)(uintptr_t)e->id, 0, 0, 0);
    }
}

static void schedule(struct model *m, struct tsim__calendar *c)
{
    schedule_in(m, c, TSIM__CAL_NOSLOT);
}

/* The event that runs now must be the model's least; it leaves the model. */
static void ran(struct model *m, int64_t t, uint32_t id)
{
    int i = model_least(m);
    m->ran++;
    if (i < 0 || m->ev[i].t != t || m->ev[i].id != id) {
        m->wrong++;
        return;
    }
    m->now = t;
    model_remove(m, i);
}

static uint32_t id_of(const struct tsim__ev *ev)
{
    return ev->fn ? (uint32_t)(uintptr_t)ev->arg : ev->ent;
}

/* Now and then, cancel a pending event (also while an entry is held). */
static void maybe_cancel(struct model *m, struct tsim__calendar *c)
{
    if (rnd(m) % 16 != 0 || m->n == 0) return;
    int i = (int)(rnd(m) % (uint64_t)m->n);
    if (tsim__cal_cancel(c, m->ev[i].handle) == 0) model_remove(m, i);
    else m->wrong++;
}

/* Run until empty; each event schedules k new ones, k drawn to keep the size near `aim`. */
static void drive(struct model *m, struct tsim__calendar *c, int (*aim)(long ran))
{
    for (;;) {
        int target = aim(m->ran);
        int k = (int)(rnd(m) % 3);
        if (target > 0 && (int)c->live < target) k++;
        if (target > 0 && (int)c->live > 2 * target) k = 0;
        if (target == 0) k = rnd(m) % 5 == 0;
        if (target > 0 && c->live == 0) schedule(m, c); /* a cancel took the last one */
        uint32_t slot;
        if (tsim__cal_next_block(c, &slot)) {
            if (slot == TSIM__CAL_NOSLOT) {
                ran(m, (int64_t)(c->heap[0].key >> 64), c->heap[0].ent);
                tsim__cal_hold_top(c);
            } else {
                ran(m, (int64_t)c->stime[slot], c->sev[slot].ent);
                tsim__cal_hold_slot(c, slot);
            }
            /* Half the time a slot's event first schedules into its own slot, as a machine
             * starting its next part does. */
            for (int i = 0; i < k; i++)
                schedule_in(m, c, i == 0 && slot != TSIM__CAL_NOSLOT && rnd(m) % 2 ? slot
                                                                            : TSIM__CAL_NOSLOT);
            maybe_cancel(m, c);
            tsim__cal_unhold(c);
            tsim__cal_unhold_slot(c);
        } else {
            int64_t t;
            struct tsim__ev ev;
            if (!tsim__cal_pop(c, &t, &ev)) break;
            ran(m, t, id_of(&ev));
            for (int i = 0; i < k; i++) schedule(m, c);
            maybe_cancel(m, c);
        }
        CHECK(c->live == (uint32_t)m->n);
    }
}

/* 3000 events each at about 3, 14 and 60 pending, over and over; then drain. */
static int aim_swing(long r)
{
    static const int aims[3] = {3, 14, 60};
    return r < 60000 ? aims[r / 3000 % 3] : 0;
}

static void test_calendar_against_model(void)
{
    struct model *m = calloc(1, sizeof *m);
    struct tsim__calendar c;
    tsim__cal_init(&c);
    tsim__cal_slots(&c, NSLOTS);
    m->x = UINT64_C(0x9e3779b97f4a7c15);
    for (int i = 0; i < 3; i++) schedule(m, &c);
    drive(m, &c, aim_swing);
    CHECK(m->wrong == 0);
    CHECK(m->ran > 60000);
    CHECK(m->n == 0 && c.live == 0);
    tsim__cal_release(&c);
    free(m);
}

/* Pop both calendars to the end: the same events in the same order. Returns how many. */
static int drain_same(struct tsim__calendar *a, struct tsim__calendar *b)
{
    int64_t ta, tb;
    struct tsim__ev ea, eb;
    int n = 0;
    for (;;) {
        int ga = tsim__cal_pop(a, &ta, &ea), gb = tsim__cal_pop(b, &tb, &eb);
        CHECK(ga == gb);
        if (!ga || !gb) return n;
        CHECK(ta == tb && ea.ent == eb.ent);
        n++;
    }
}

/* A copy taken while an event runs (held) and the original, each with that event's pushes done
 * the same way, pop in the same order; the time of the next event skips the held one. */
static void test_calendar_copy_while_held(void)
{
    for (int size = 1; size <= 40; size += 3) {
        struct tsim__calendar a, b;
        tsim__cal_init(&a);
        tsim__cal_init(&b);
        for (int i = 0; i < size; i++) tsim__cal_push_block(&a, 10 + i % 7, 1, 0, (uint32_t)i);
        uint32_t slot;
        CHECK(tsim__cal_next_block(&a, &slot) && slot == TSIM__CAL_NOSLOT);
        CHECK((a.heap[0].key >> 64) == 10 && a.heap[0].ent == 0);
        tsim__cal_hold_top(&a);
        tsim__cal_copy(&b, &a);
        CHECK(b.live == (uint32_t)size - 1 && a.live == (uint32_t)size - 1);
        int64_t want = size > 7 ? 10 : (size > 1 ? 11 : INT64_MAX);
        CHECK(tsim__cal_next_time(&b) == want);
        tsim__cal_push_block(&a, 12, 1, 0, 1000);
        tsim__cal_push_block(&b, 12, 1, 0, 1000);
        tsim__cal_unhold(&a);
        CHECK(drain_same(&a, &b) == size);
        tsim__cal_release(&a);
        tsim__cal_release(&b);
    }
}

/* The same with slots: a copy taken while a slot's event runs (held) starts without it, and a
 * push to the held slot in the original takes its place; both then pop the same events. A
 * cancelled slot event is gone at once, and its handle cannot cancel the slot's next event. */
static void test_calendar_copy_slot_held(void)
{
    for (uint32_t size = 1; size <= 20; size += 3) {
        struct tsim__calendar a, b;
        tsim__cal_init(&a);
        tsim__cal_init(&b);
        tsim__cal_slots(&a, size);
        for (uint32_t i = 0; i < size; i++) tsim__cal_push_slot(&a, i, 10 + i % 7, 1, 0, i);
        tsim__cal_push_block(&a, 11, 1, 0, 500); /* a heap event among them */
        /* A copy taken between events, with nothing held, pops what the original would. */
        struct tsim__calendar c0;
        tsim__cal_init(&c0);
        tsim__cal_copy(&c0, &a);
        CHECK(tsim__cal_next_time(&c0) == 10 && c0.live == size + 1);
        tsim__cal_release(&c0);
        uint32_t slot;
        CHECK(tsim__cal_next_block(&a, &slot) && slot == 0);
        tsim__cal_hold_slot(&a, slot);
        tsim__cal_copy(&b, &a);
        CHECK(b.live == size && a.live == size);
        CHECK(tsim__cal_next_time(&b) == (size > 7 ? 10 : 11));
        uint64_t h1 = tsim__cal_push_slot(&a, 0, 12, 1, 0, 1000); /* the held slot: replaced */
        tsim__cal_push_slot(&b, 0, 12, 1, 0, 1000);                /* b's slot 0 is free */
        tsim__cal_unhold_slot(&a);
        CHECK(a.live == size + 1 && b.live == size + 1);
        /* Slot 0 is taken now: another event for it goes to the heap. */
        uint64_t h2 = tsim__cal_push_slot(&a, 0, 13, 1, 0, 1001);
        tsim__cal_push_slot(&b, 0, 13, 1, 0, 1001);
        CHECK((h1 >> TSIM__CAL_SLOT_SHIFT) == 1 && (h2 >> TSIM__CAL_SLOT_SHIFT) == 0);
        CHECK(drain_same(&a, &b) == (int)size + 2);
        /* Cancelling: the slot is free at once; a stale handle does not cancel a newer event. */
        uint64_t h = tsim__cal_push_slot(&a, 0, 20, 1, 0, 1);
        CHECK(tsim__cal_cancel(&a, h) == 0 && a.live == 0);
        CHECK(tsim__cal_next_time(&a) == INT64_MAX);
        tsim__cal_push_slot(&a, 0, 21, 1, 0, 2);
        CHECK(tsim__cal_cancel(&a, h) != 0 && a.live == 1);
        CHECK(tsim__cal_next_time(&a) == 21);
        tsim__cal_release(&a);
        tsim__cal_release(&b);
    }
}

/* A user event's record is reused, its generation going up by two each time, and wraps past
 * 2^32: a handle must cancel its pending event at every generation, the 2^31 boundary that a
 * handle's 31 bits of generation cross included, and a handle of an earlier use must not. The
 * record's generation is set near each boundary instead of reusing it 2^30 times. */
static void test_calendar_user_generation_wraps(void)
{
    static const uint32_t gens[] = {0, 0x7ffffffcu, 0x7ffffffeu, 0x80000000u, 0xfffffffcu,
                                    0xfffffffeu};
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++) {
        struct tsim__calendar c;
        tsim__cal_init(&c);
        int64_t t;
        struct tsim__ev ev;
        tsim__cal_push(&c, 1, 0, user_fn, NULL, 0, 0, 0);
        CHECK(tsim__cal_pop(&c, &t, &ev) == 1 && c.nuser == 1 && c.free_user == 0);
        c.user[0].gen = gens[g]; /* free, as if reused gens[g] / 2 times */
        uint64_t stale = 0;
        for (int use = 0; use < 4; use++) {
            /* Pending: found, cancelled once, and its record then serves the next push. */
            uint64_t h = tsim__cal_push(&c, 2 + use, 0, user_fn, (void *)(uintptr_t)use, 0, 0, 0);
            CHECK(h != 0 && h != stale);
            CHECK(tsim__cal_get(&c, h, &ev) == 0 && ev.arg == (void *)(uintptr_t)use);
            if (stale) CHECK(tsim__cal_cancel(&c, stale) == TSIM_ENOENT);
            if (use % 2 == 0) {
                CHECK(tsim__cal_cancel(&c, h) == 0 && c.live == 0);
                CHECK(tsim__cal_cancel(&c, h) == TSIM_ENOENT);
                CHECK(tsim__cal_pop(&c, &t, &ev) == 0);
            } else {
                CHECK(tsim__cal_pop(&c, &t, &ev) == 1 && ev.arg == (void *)(uintptr_t)use);
                CHECK(tsim__cal_cancel(&c, h) == TSIM_ENOENT);
            }
            CHECK(c.nuser == 1);
            stale = h;
        }
        tsim__cal_release(&c);
    }
}

int main(void)
{
    RUN(test_calendar_against_model);
    RUN(test_calendar_copy_while_held);
    RUN(test_calendar_copy_slot_held);
    RUN(test_calendar_user_generation_wraps);
    return CHECK_DONE();
}
