/*
 * Kernel-level tests of a sim through the public API: the calendar's order (time, then priority
 * descending, then scheduling order), cancel and reschedule, run_until, step and stop, user
 * events scheduled from handlers, warm-up, and the determinism contracts: a clone and its
 * original run on to identical results, tsim_sim_reset repeats a fresh sim exactly, and
 * tsim_sim_reseed gives independent but reproducible continuations.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define SEED UINT64_C(77)

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

/* A model whose sim starts with an empty calendar: one entity goes from a source straight into
 * a sink at creation, so every pending event is a user event of the test. */
static struct tsim_model *quiet_model(void)
{
    struct tsim_model *m = tsim_model_create("quiet");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    CHECK(tsim_source_set_population(m, src, 1) == 0);
    CHECK(tsim_route_to(m, src, out) == 0);
    return m;
}

/* A busy random model: Poisson arrivals -> buffer -> 2 exponential servers with failures ->
 * probability split to a delay that feeds back, or out. Every kind of random stream is used. */
static struct tsim_model *busy_model(void)
{
    struct tsim_model *m = tsim_model_create("busy");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    int back = tsim_model_add_block(m, TSIM_DELAY, "rework");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist ia, st, up, down, dl;
    CHECK(tsim_dist_init(&ia, TSIM_DIST_EXPONENTIAL, (double[]){1.0}, 1) == 0);
    CHECK(tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, (double[]){1.5}, 1) == 0);
    CHECK(tsim_dist_init(&up, TSIM_DIST_EXPONENTIAL, (double[]){50.0}, 1) == 0);
    CHECK(tsim_dist_init(&down, TSIM_DIST_EXPONENTIAL, (double[]){4.0}, 1) == 0);
    CHECK(tsim_dist_init(&dl, TSIM_DIST_UNIFORM, (double[]){1.0, 3.0}, 2) == 0);
    CHECK(tsim_source_set_interarrival(m, src, &ia) == 0);
    CHECK(tsim_machine_set_servers(m, mc, 2) == 0);
    CHECK(tsim_machine_set_process(m, mc, -1, &st) == 0);
    CHECK(tsim_machine_set_failures(m, mc, &up, &down) == 0);
    CHECK(tsim_delay_set_time(m, back, &dl) == 0);
    CHECK(tsim_route_to(m, src, q) == 0);
    CHECK(tsim_route_to(m, q, mc) == 0);
    CHECK(tsim_route_add_probability(m, mc, back, 0.1) == 0);
    CHECK(tsim_route_add_probability(m, mc, out, 0.9) == 0);
    CHECK(tsim_route_to(m, back, q) == 0);
    return m;
}

static void result_of(struct tsim_sim *sim, struct tsim_result *r)
{
    tsim_result_init(r);
    tsim_sim_result(sim, r);
}

/* The log user events write: which event ran, and when. */
struct log {
    int n;
    int id[64];
    double t[64];
};

struct tag {
    struct log *log;
    int id;
};

static void record(struct tsim_sim *sim, void *arg)
{
    struct tag *g = arg;
    if (g->log->n < 64) {
        g->log->id[g->log->n] = g->id;
        g->log->t[g->log->n] = tsim_sim_now(sim);
        g->log->n++;
    }
}

/* ---------------------------------------------------------------------------------------------
 * The calendar
 * ------------------------------------------------------------------------------------------- */

static void test_quiet_start(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    CHECK(sim != NULL);
    CHECK(tsim_sim_pending(sim) == 0);
    CHECK(tsim_sim_step(sim) == 0);
    CHECK(tsim_sim_run(sim) == 0);
    CHECK(tsim_sim_now(sim) == 0.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Order: time ascending, then priority descending, then the order of scheduling. */
static void test_order(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[8];
    for (int i = 0; i < 8; i++) g[i] = (struct tag){&log, i};
    /* id: (time, priority) */
    tsim_event_schedule(sim, record, &g[0], 5.0, 0);
    tsim_event_schedule(sim, record, &g[1], 1.0, 0);
    tsim_event_schedule(sim, record, &g[2], 5.0, 10);
    tsim_event_schedule(sim, record, &g[3], 5.0, 0);
    tsim_event_schedule(sim, record, &g[4], 1.0, -3);
    tsim_event_schedule(sim, record, &g[5], 5.0, 10);
    tsim_event_schedule(sim, record, &g[6], 3.0, -32768);
    tsim_event_schedule(sim, record, &g[7], 3.0, 32767);
    CHECK(tsim_sim_pending(sim) == 8);
    CHECK(tsim_sim_run(sim) == 8);
    const int want[8] = {1, 4, 7, 6, 2, 5, 0, 3};
    const double when[8] = {1, 1, 3, 3, 5, 5, 5, 5};
    CHECK(log.n == 8);
    for (int i = 0; i < 8 && i < log.n; i++) {
        CHECK(log.id[i] == want[i]);
        CHECK(log.t[i] == when[i]);
    }
    CHECK(tsim_sim_events(sim) == 8);
    CHECK(tsim_sim_pending(sim) == 0);
    CHECK(tsim_sim_now(sim) == 5.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Many events at one time and priority keep their scheduling order whatever the heap does. */
static void test_fifo_many(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    enum { N = 60 };
    struct log log = {0};
    struct tag g[N];
    for (int i = 0; i < N; i++) {
        g[i] = (struct tag){&log, i};
        /* Interleave a later time so the heap has to reorder. */
        tsim_event_schedule(sim, record, &g[i], i % 2 ? 2.0 : 1.0, 0);
    }
    tsim_sim_run(sim);
    CHECK(log.n == N);
    int prev_odd = -1, prev_even = -1, seen_odd = 0;
    for (int i = 0; i < log.n; i++) {
        int id = log.id[i];
        if (id % 2) {
            CHECK(id > prev_odd);
            prev_odd = id;
            seen_odd = 1;
        } else {
            CHECK(!seen_odd); /* every time-1 event before any time-2 one */
            CHECK(id > prev_even);
            prev_even = id;
        }
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A handler schedules at now: it runs after what is already pending at now (same priority). */
struct chain {
    struct log *log;
    struct tag child;
};

static void spawn(struct tsim_sim *sim, void *arg)
{
    struct chain *c = arg;
    struct tag self = {c->log, 100};
    record(sim, &self);
    tsim_event_schedule(sim, record, &c->child, tsim_sim_now(sim), 0);
}

static void test_schedule_from_handler(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct chain c = {&log, {&log, 101}};
    struct tag later = {&log, 1};
    tsim_event_schedule(sim, spawn, &c, 2.0, 0);
    tsim_event_schedule(sim, record, &later, 2.0, 0);
    tsim_sim_run(sim);
    CHECK(log.n == 3);
    CHECK(log.id[0] == 100 && log.id[1] == 1 && log.id[2] == 101);
    CHECK(log.t[2] == 2.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_cancel(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
    uint64_t h0 = tsim_event_schedule(sim, record, &g[0], 1.0, 0);
    uint64_t h1 = tsim_event_schedule(sim, record, &g[1], 2.0, 0);
    uint64_t h2 = tsim_event_schedule(sim, record, &g[2], 3.0, 0);
    CHECK(h0 != 0 && h1 != 0 && h2 != 0 && h0 != h1 && h1 != h2);
    CHECK(tsim_event_cancel(sim, h1) == 0);
    CHECK(tsim_sim_pending(sim) == 2);
    CHECK(tsim_event_cancel(sim, h1) == TSIM_ENOENT);
    CHECK(tsim_sim_step(sim) == 1);
    CHECK(tsim_event_cancel(sim, h0) == TSIM_ENOENT); /* already ran */
    /* A slot freed by the cancel is reused; the old handle must not reach the new event. */
    struct tag g3 = {&log, 3};
    uint64_t h3 = tsim_event_schedule(sim, record, &g3, 4.0, 0);
    CHECK(h3 != h1 && h3 != h0);
    CHECK(tsim_event_cancel(sim, h1) == TSIM_ENOENT);
    CHECK(tsim_event_cancel(sim, h0) == TSIM_ENOENT);
    CHECK(tsim_sim_run(sim) == 2);
    CHECK(log.n == 3);
    CHECK(log.id[0] == 0 && log.id[1] == 2 && log.id[2] == 3);
    CHECK(tsim_sim_events(sim) == 3); /* cancelled events are not counted */
    CHECK(tsim_event_cancel(sim, 0) == TSIM_ENOENT);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The heap against its contract at every size: events with random times (many ties) and
 * priorities are scheduled from handlers and cancelled at random. In the first phase the number
 * pending swings between a few and a few dozen, again and again (across the calendar's small
 * heap limit); in the second it drains from thousands to none. Every event must run exactly
 * once unless cancelled, and never before an event that was pending with it and comes earlier
 * in (time, priority descending, scheduling) order. */
enum { RANDOM_MAX = 40000 };

struct random_ev {
    struct random_cal *rc;
    int id, prio, cancelled, ran;
    double t;
    uint64_t handle;
};

struct random_cal {
    struct random_ev ev[RANDOM_MAX];
    int n;            /* scheduled so far (ids in scheduling order) */
    uint64_t x;       /* xorshift state */
    int swing;        /* 1: the first phase (pending between 5 and 40), 0: drain */
    int runs;
    int last;         /* id of the last event run, -1 before the first */
    int known;        /* events scheduled when the last one started running */
    int out_of_order, twice;
    uint64_t lo, hi;  /* fewest and most events pending seen by a handler */
    int crossings;    /* times the pending count went from at most 10 to at least 30 */
    int low;          /* whether it was last at most 10 */
};

static uint64_t random_next(struct random_cal *rc)
{
    rc->x ^= rc->x << 13;
    rc->x ^= rc->x >> 7;
    rc->x ^= rc->x << 17;
    return rc->x;
}

static void random_run(struct tsim_sim *sim, void *arg);

static void random_schedule(struct tsim_sim *sim, struct random_cal *rc)
{
    if (rc->n == RANDOM_MAX) return;
    struct random_ev *e = &rc->ev[rc->n];
    e->rc = rc;
    e->id = rc->n++;
    e->t = tsim_sim_now(sim) + (double)(random_next(rc) % 8);
    e->prio = (int)(random_next(rc) % 3) - 1;
    e->handle = tsim_event_schedule(sim, random_run, e, e->t, e->prio);
}

static void random_run(struct tsim_sim *sim, void *arg)
{
    struct random_ev *e = arg;
    struct random_cal *rc = e->rc;
    if (e->ran || e->cancelled) rc->twice++;
    e->ran = 1;
    if (rc->last >= 0) {
        /* An event scheduled while the last one ran may come first in the order, not in time. */
        const struct random_ev *p = &rc->ev[rc->last];
        int pending_with = e->id < rc->known;
        int in_order = p->t < e->t || (p->t == e->t && (!pending_with || p->prio > e->prio ||
                                                        (p->prio == e->prio && p->id < e->id)));
        if (!in_order) rc->out_of_order++;
    }
    rc->last = e->id;
    rc->known = rc->n;
    rc->runs++;
    uint64_t pending = tsim_sim_pending(sim);
    if (pending < rc->lo) rc->lo = pending;
    if (pending > rc->hi) rc->hi = pending;
    if (pending <= 10) rc->low = 1;
    if (pending >= 30 && rc->low) {
        rc->crossings++;
        rc->low = 0;
    }
    /* Swing: aim at 40 pending for 300 runs, then at 5 for 300. Drain: one in four adds one. */
    uint64_t target = rc->swing ? (rc->runs / 300 % 2 ? 5 : 40) : 0;
    int k = (int)(random_next(rc) % 2) + (pending < target ? 1 : 0);
    if (!rc->swing) k = random_next(rc) % 4 == 0;
    for (int i = 0; i < k; i++) random_schedule(sim, rc);
    if (random_next(rc) % 8 == 0 && rc->n > 0) {
        /* One of the latest 64 scheduled: most of those are still pending. */
        uint64_t back = random_next(rc) % (rc->n < 64 ? (uint64_t)rc->n : 64);
        struct random_ev *c = &rc->ev[(uint64_t)rc->n - 1 - back];
        if (!c->ran && !c->cancelled && tsim_event_cancel(sim, c->handle) == 0) c->cancelled = 1;
    }
}

static void random_calendar(int start, int swing)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct random_cal *rc = calloc(1, sizeof *rc);
    rc->x = UINT64_C(88172645463325252);
    rc->swing = swing;
    rc->last = -1;
    rc->lo = UINT64_MAX;
    for (int i = 0; i < start; i++) random_schedule(sim, rc);
    uint64_t events = tsim_sim_run(sim);
    CHECK(rc->out_of_order == 0);
    CHECK(rc->twice == 0);
    int ran = 0, cancelled = 0;
    for (int i = 0; i < rc->n; i++) {
        CHECK(rc->ev[i].ran != rc->ev[i].cancelled); /* each exactly one of the two */
        ran += rc->ev[i].ran;
        cancelled += rc->ev[i].cancelled;
    }
    CHECK((uint64_t)ran == events);
    CHECK(cancelled > 0);
    CHECK(rc->n > start + 1000); /* handlers did schedule */
    CHECK(tsim_sim_pending(sim) == 0);
    if (swing) CHECK(rc->crossings >= 20);
    else CHECK(rc->hi >= (uint64_t)start - 1);
    free(rc);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_calendar_random(void)
{
    random_calendar(20, 1);
    random_calendar(5000, 0);
}

static void test_reschedule(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};
    uint64_t h0 = tsim_event_schedule(sim, record, &g[0], 2.0, 0);
    tsim_event_schedule(sim, record, &g[1], 3.0, 0);
    uint64_t h2 = tsim_event_schedule(sim, record, &g[2], 9.0, 5);
    tsim_event_schedule(sim, record, &g[3], 1.0, 0);
    /* Later, to a time already taken: it now orders as newly scheduled (after event 1). */
    uint64_t n0 = tsim_event_reschedule(sim, h0, 3.0);
    CHECK(n0 != 0 && n0 != h0);
    CHECK(tsim_event_cancel(sim, h0) == TSIM_ENOENT);
    /* Earlier, keeping its priority 5: first among the events at 3. */
    uint64_t n2 = tsim_event_reschedule(sim, h2, 3.0);
    CHECK(n2 != 0);
    CHECK(tsim_sim_pending(sim) == 4);
    CHECK(tsim_sim_run(sim) == 4);
    const int want[4] = {3, 2, 1, 0};
    CHECK(log.n == 4);
    for (int i = 0; i < 4 && i < log.n; i++) CHECK(log.id[i] == want[i]);
    CHECK(tsim_event_reschedule(sim, n0, 10.0) == 0); /* no longer pending */
    CHECK(tsim_sim_now(sim) == 3.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* run_until runs every event at or before t, then sets the clock to t. */
static void test_run_until(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
    tsim_event_schedule(sim, record, &g[0], 1.0, 0);
    tsim_event_schedule(sim, record, &g[1], 2.0, 0);
    tsim_event_schedule(sim, record, &g[2], 3.0, 0);
    CHECK(tsim_sim_run_until(sim, 2.0) == 2);
    CHECK(log.n == 2);
    CHECK(tsim_sim_now(sim) == 2.0);
    CHECK(tsim_sim_run_until(sim, 2.5) == 0);
    CHECK(tsim_sim_now(sim) == 2.5);
    CHECK(tsim_sim_pending(sim) == 1);
    /* Scheduling at now after the clock moved is allowed. */
    struct tag g3 = {&log, 3};
    tsim_event_schedule(sim, record, &g3, 2.5, 0);
    CHECK(tsim_sim_run_until(sim, 10.0) == 2);
    CHECK(log.n == 4 && log.id[2] == 3 && log.t[2] == 2.5 && log.id[3] == 2);
    CHECK(tsim_sim_now(sim) == 10.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A run without a horizon goes on while a part waits for a machine that is down or off shift:
 * its repair or its shift is a background event, yet the part waits for it. One part arrives at
 * t = 1 in front of a machine down since t = 0.5 (repairs of 10, a failure after every 0.5 of up
 * time): it is processed from 10.5 to 10.75. The same part before a machine whose shift starts at
 * 06:00 is done at 361 min. Both runs used to end at t = 1 with the part still waiting. */
static struct tsim_model *one_part_model(void)
{
    struct tsim_model *m = tsim_model_create("one");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist one;
    CHECK(tsim_dist_init(&one, TSIM_DIST_CONSTANT, (double[]){1.0}, 1) == 0);
    CHECK(tsim_source_set_interarrival(m, src, &one) == 0);
    CHECK(tsim_source_set_limit(m, src, 1) == 0);
    CHECK(tsim_machine_set_process(m, mc, -1, &one) == 0);
    CHECK(tsim_route_to(m, src, q) == 0);
    CHECK(tsim_route_to(m, q, mc) == 0);
    CHECK(tsim_route_to(m, mc, out) == 0);
    return m;
}

static void check_one_part_done(struct tsim_model *m, double at)
{
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    tsim_sim_run(sim);
    struct tsim_result r;
    result_of(sim, &r);
    CHECK_NEAR(tsim_result_find(&r, TSIM_KPI_SYSTEM, "completed")->value, 1, 0);
    CHECK_NEAR(tsim_sim_now(sim), at, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
}

static void test_run_waits_for_background(void)
{
    struct tsim_model *m = one_part_model();
    int mc = tsim_model_find_block(m, "mc");
    struct tsim_dist up, down, quarter;
    CHECK(tsim_dist_init(&quarter, TSIM_DIST_CONSTANT, (double[]){0.25}, 1) == 0);
    CHECK(tsim_machine_set_process(m, mc, -1, &quarter) == 0);
    CHECK(tsim_dist_init(&up, TSIM_DIST_CONSTANT, (double[]){0.5}, 1) == 0);
    CHECK(tsim_dist_init(&down, TSIM_DIST_CONSTANT, (double[]){10.0}, 1) == 0);
    CHECK(tsim_machine_set_failures(m, mc, &up, &down) == 0);
    check_one_part_done(m, 10.75);
    tsim_model_destroy(m);

    m = one_part_model();
    mc = tsim_model_find_block(m, "mc");
    int day = tsim_model_add_shift(m, "day", (double[]){6.0, 14.0}, 1);
    CHECK(day >= 0);
    CHECK(tsim_machine_set_shift(m, mc, day) == 0);
    check_one_part_done(m, 361);
    tsim_model_destroy(m);
}

static void test_step(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[2] = {{&log, 0}, {&log, 1}};
    tsim_event_schedule(sim, record, &g[0], 1.5, 0);
    tsim_event_schedule(sim, record, &g[1], 4.0, 0);
    CHECK(tsim_sim_step(sim) == 1);
    CHECK(tsim_sim_now(sim) == 1.5 && log.n == 1);
    CHECK(tsim_sim_step(sim) == 1);
    CHECK(tsim_sim_now(sim) == 4.0 && log.n == 2);
    CHECK(tsim_sim_step(sim) == 0);
    CHECK(tsim_sim_now(sim) == 4.0);
    CHECK(tsim_sim_events(sim) == 2);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void stopper(struct tsim_sim *sim, void *arg)
{
    record(sim, arg);
    tsim_sim_stop(sim);
}

/* stop returns from run / run_until after the current event; the clock stays at that event;
 * the next run goes on from there. */
static void test_stop(void)
{
    struct tsim_model *m = quiet_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    struct log log = {0};
    struct tag g[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};
    tsim_event_schedule(sim, record, &g[0], 1.0, 0);
    tsim_event_schedule(sim, stopper, &g[1], 2.0, 0);
    tsim_event_schedule(sim, record, &g[2], 2.0, 0);
    tsim_event_schedule(sim, stopper, &g[3], 5.0, 0);
    CHECK(tsim_sim_run(sim) == 2);
    CHECK(log.n == 2 && tsim_sim_now(sim) == 2.0);
    CHECK(tsim_sim_pending(sim) == 2);
    CHECK(tsim_sim_run_until(sim, 8.0) == 2);
    CHECK(log.n == 4);
    CHECK(tsim_sim_now(sim) == 5.0); /* stopped at the event, not moved on to 8 */
    CHECK(tsim_sim_run_until(sim, 8.0) == 0);
    CHECK(tsim_sim_now(sim) == 8.0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* User events and the engine's own events share one calendar and one fingerprint. */
static void nothing(struct tsim_sim *sim, void *arg)
{
    (void)sim;
    (void)arg;
}

static void test_user_events_in_model(void)
{
    struct tsim_model *m = busy_model();
    struct tsim_sim *a = tsim_sim_create(m, SEED, 0);
    struct tsim_sim *b = tsim_sim_create(m, SEED, 0);
    CHECK(tsim_sim_pending(a) > 0);
    tsim_event_schedule(b, nothing, NULL, 50.0, 0);
    tsim_sim_run_until(a, 100.0);
    tsim_sim_run_until(b, 100.0);
    /* The extra event ran and changed the fingerprint; the model's behaviour did not change. */
    CHECK(tsim_sim_events(b) == tsim_sim_events(a) + 1);
    CHECK(tsim_sim_fingerprint(a) != tsim_sim_fingerprint(b));
    struct tsim_result ra, rb;
    result_of(a, &ra);
    result_of(b, &rb);
    CHECK(ra.n == rb.n);
    for (size_t k = 0; k < ra.n && k < rb.n; k++)
        CHECK(memcmp(&ra.kpis[k].value, &rb.kpis[k].value, sizeof(double)) == 0);
    tsim_result_release(&ra);
    tsim_result_release(&rb);
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Warm-up
 * ------------------------------------------------------------------------------------------- */

static void test_warmup(void)
{
    struct tsim_model *m = busy_model();
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    CHECK(tsim_sim_set_warmup(sim, 200.0) == 0);
    tsim_sim_run_until(sim, 1000.0);
    struct tsim_result r;
    result_of(sim, &r);
    CHECK(r.start_time == 200.0 && r.end_time == 1000.0);
    CHECK(tsim_sim_set_warmup(sim, 500.0) == TSIM_ESTATE);
    /* Entities counted from the warm-up only: fewer than the ~1000 arrivals since 0. */
    const struct tsim_kpi *created = tsim_result_find(&r, TSIM_KPI_SYSTEM, "created");
    CHECK(created && created->value > 600 && created->value < 1000);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Determinism: clone, reset, reseed
 * ------------------------------------------------------------------------------------------- */

static void test_clone_runs_identically(void)
{
    struct tsim_model *m = busy_model();
    struct tsim_sim *straight = tsim_sim_create(m, SEED, 4);
    struct tsim_sim *orig = tsim_sim_create(m, SEED, 4);
    tsim_sim_run_until(orig, 700.0);
    struct tsim_sim *copy = tsim_sim_clone(orig);
    CHECK(copy != NULL);
    CHECK(tsim_sim_now(copy) == tsim_sim_now(orig));
    CHECK(tsim_sim_pending(copy) == tsim_sim_pending(orig));
    CHECK(tsim_sim_fingerprint(copy) == tsim_sim_fingerprint(orig));
    tsim_sim_run_until(orig, 3000.0);
    tsim_sim_run_until(copy, 3000.0);
    tsim_sim_run_until(straight, 3000.0);
    struct tsim_result a, b, c;
    result_of(orig, &a);
    result_of(copy, &b);
    result_of(straight, &c);
    CHECK(same_results_window(&a, &b));
    CHECK(same_results_window(&a, &c)); /* taking a clone does not disturb the original */
    tsim_result_release(&a);
    tsim_result_release(&b);
    tsim_result_release(&c);
    /* The clone owns its memory: destroying the original first leaves it whole. */
    tsim_sim_destroy(orig);
    tsim_sim_run_until(copy, 3500.0);
    CHECK(tsim_sim_now(copy) == 3500.0);
    tsim_sim_destroy(copy);
    tsim_sim_destroy(straight);
    tsim_model_destroy(m);
}

static void test_reset_reuse(void)
{
    struct tsim_model *m = busy_model();
    uint64_t fresh[3];
    for (int rep = 0; rep < 3; rep++) {
        struct tsim_sim *sim = tsim_sim_create(m, SEED, (uint64_t)rep);
        tsim_sim_run_until(sim, 2000.0);
        struct tsim_result r;
        result_of(sim, &r);
        fresh[rep] = r.fingerprint;
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    CHECK(fresh[0] != fresh[1] && fresh[1] != fresh[2]);
    /* One sim, reset between replications, in another order and with a warm-up and a user
     * event left pending from before the reset. */
    struct tsim_sim *sim = tsim_sim_create(m, SEED + 1, 9);
    CHECK(tsim_sim_set_warmup(sim, 100.0) == 0);
    tsim_event_schedule(sim, nothing, NULL, 5000.0, 0);
    tsim_sim_run_until(sim, 50.0);
    size_t mem = 0;
    const int order[4] = {2, 0, 1, 0};
    for (int i = 0; i < 4; i++) {
        tsim_sim_reset(sim, SEED, (uint64_t)order[i]);
        CHECK(tsim_sim_now(sim) == 0.0 && tsim_sim_events(sim) == 0);
        tsim_sim_run_until(sim, 2000.0);
        struct tsim_result r;
        result_of(sim, &r);
        CHECK(r.fingerprint == fresh[order[i]]);
        CHECK(r.start_time == 0.0);
        tsim_result_release(&r);
        if (i == 1) mem = tsim_sim_memory(sim);
        if (i == 3) CHECK(tsim_sim_memory(sim) == mem); /* reuse keeps memory flat */
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_reseed(void)
{
    struct tsim_model *m = busy_model();
    struct tsim_sim *base = tsim_sim_create(m, SEED, 0);
    tsim_sim_run_until(base, 500.0);
    struct tsim_sim *a = tsim_sim_clone(base);
    struct tsim_sim *b = tsim_sim_clone(base);
    struct tsim_sim *c = tsim_sim_clone(base);
    tsim_sim_reseed(a, SEED, 7);
    tsim_sim_reseed(b, SEED, 7);
    tsim_sim_reseed(c, SEED, 8);
    /* Reseeding keeps the state: same time, same pending events. */
    CHECK(tsim_sim_now(a) == 500.0 && tsim_sim_pending(a) == tsim_sim_pending(base));
    tsim_sim_run_until(base, 2000.0);
    tsim_sim_run_until(a, 2000.0);
    tsim_sim_run_until(b, 2000.0);
    tsim_sim_run_until(c, 2000.0);
    struct tsim_result rbase, ra, rb, rc;
    result_of(base, &rbase);
    result_of(a, &ra);
    result_of(b, &rb);
    result_of(c, &rc);
    CHECK(same_results_window(&ra, &rb));
    CHECK(ra.fingerprint != rc.fingerprint);
    CHECK(ra.fingerprint != rbase.fingerprint);
    tsim_result_release(&rbase);
    tsim_result_release(&ra);
    tsim_result_release(&rb);
    tsim_result_release(&rc);
    tsim_sim_destroy(base);
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);
    tsim_sim_destroy(c);
    tsim_model_destroy(m);
}

/* The same (model, seed, replication) gives the same fingerprint; another seed or replication
 * another one. */
static void test_fingerprint(void)
{
    struct tsim_model *m = busy_model();
    uint64_t fp[2][2];
    for (int s = 0; s < 2; s++) {
        for (int rep = 0; rep < 2; rep++) {
            uint64_t twice[2];
            for (int k = 0; k < 2; k++) {
                struct tsim_sim *sim = tsim_sim_create(m, SEED + (uint64_t)s, (uint64_t)rep);
                tsim_sim_run_until(sim, 1000.0);
                twice[k] = tsim_sim_fingerprint(sim);
                tsim_sim_destroy(sim);
            }
            CHECK(twice[0] == twice[1]);
            fp[s][rep] = twice[0];
        }
    }
    CHECK(fp[0][0] != fp[0][1] && fp[0][0] != fp[1][0] && fp[0][1] != fp[1][1]);
    tsim_model_destroy(m);
}

/* More calendar slots than a calendar has (calendar.h): a machine of 8,100 servers with failures
 * takes 16,200 slots, the next one's 4 still fit, the last one's 200 do not, and its events go to
 * the heap. The run must be the one the engine gave before it had slots (the heap alone): the
 * same fingerprint as then, over events, KPIs and the order of every event. */
#define GOLDEN_SLOT_OVERFLOW UINT64_C(0xaa476b3d428f4e32) /* the heap-only engine, 2a3dc7f */
static void test_slot_overflow(void)
{
    struct tsim_model *m = tsim_model_create("slots");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int big = tsim_model_add_block(m, TSIM_MACHINE, "big");
    int mid = tsim_model_add_block(m, TSIM_MACHINE, "mid");
    int last = tsim_model_add_block(m, TSIM_MACHINE, "last");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist ia, st, st2, up, down;
    CHECK(tsim_dist_init(&ia, TSIM_DIST_EXPONENTIAL, (double[]){0.01}, 1) == 0);
    CHECK(tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, (double[]){20.0}, 1) == 0);
    CHECK(tsim_dist_init(&st2, TSIM_DIST_EXPONENTIAL, (double[]){0.004}, 1) == 0);
    CHECK(tsim_dist_init(&up, TSIM_DIST_EXPONENTIAL, (double[]){40.0}, 1) == 0);
    CHECK(tsim_dist_init(&down, TSIM_DIST_EXPONENTIAL, (double[]){2.0}, 1) == 0);
    CHECK(tsim_source_set_interarrival(m, src, &ia) == 0);
    CHECK(tsim_machine_set_servers(m, big, 8100) == 0);
    CHECK(tsim_machine_set_servers(m, mid, 2) == 0);
    CHECK(tsim_machine_set_servers(m, last, 100) == 0);
    CHECK(tsim_machine_set_process(m, big, -1, &st) == 0);
    CHECK(tsim_machine_set_process(m, mid, -1, &st2) == 0);
    CHECK(tsim_machine_set_process(m, last, -1, &st) == 0);
    int mc[3] = {big, mid, last};
    for (int i = 0; i < 3; i++) CHECK(tsim_machine_set_failures(m, mc[i], &up, &down) == 0);
    CHECK(tsim_route_to(m, src, q) == 0);
    CHECK(tsim_route_to(m, q, big) == 0);
    CHECK(tsim_route_to(m, big, mid) == 0);
    CHECK(tsim_route_to(m, mid, last) == 0);
    CHECK(tsim_route_to(m, last, out) == 0);
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    tsim_sim_run_until(sim, 60.0);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    /* The last machine, all on the heap, worked and failed. */
    const struct tsim_kpi *left = tsim_result_find(&r, last, "left");
    const struct tsim_kpi *down_share = tsim_result_find(&r, last, "states.down");
    CHECK(left && left->value > 100);
    CHECK(down_share && down_share->value > 0.01);
    CHECK(r.fingerprint == GOLDEN_SLOT_OVERFLOW);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_quiet_start);
    RUN(test_order);
    RUN(test_fifo_many);
    RUN(test_schedule_from_handler);
    RUN(test_cancel);
    RUN(test_calendar_random);
    RUN(test_reschedule);
    RUN(test_run_until);
    RUN(test_run_waits_for_background);
    RUN(test_step);
    RUN(test_stop);
    RUN(test_user_events_in_model);
    RUN(test_warmup);
    RUN(test_clone_runs_identically);
    RUN(test_reset_reuse);
    RUN(test_reseed);
    RUN(test_fingerprint);
    RUN(test_slot_overflow);
    return CHECK_DONE();
}
