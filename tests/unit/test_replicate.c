/*
 * Replications (src/run/replicate.c) and the automatic warm-up (src/run/warmup.c), on a model
 * built through the C API: results must be the same whatever the thread count, replication i
 * must be tsim_sim_create(m, seed, i) whichever sim ran it, and bad options are refused.
 */
#include "check.h"
#include "core/core.h"
#include "run/replicate.h"
#include "twinsim.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

/* source -> buffer (10 places) -> machine -> sink, a busy M/M/1-like line. */
static struct tsim_model *line_model(uint64_t limit)
{
    struct tsim_model *m = tsim_model_create("line");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int buf = tsim_model_add_block(m, TSIM_BUFFER, "buf");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist ia, st;
    tsim_dist_init(&ia, TSIM_DIST_EXPONENTIAL, (double[]){1.0}, 1);
    tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, (double[]){0.9}, 1);
    CHECK(tsim_source_set_interarrival(m, src, &ia) == 0);
    if (limit) CHECK(tsim_source_set_limit(m, src, limit) == 0);
    CHECK(tsim_buffer_set_capacity(m, buf, 10) == 0);
    CHECK(tsim_machine_set_process(m, mc, -1, &st) == 0);
    CHECK(tsim_route_to(m, src, buf) == 0);
    CHECK(tsim_route_to(m, buf, mc) == 0);
    CHECK(tsim_route_to(m, mc, out) == 0);
    return m;
}

static void release_all(struct tsim_result *r, int n)
{
    for (int i = 0; i < n; i++) tsim_result_release(&r[i]);
}

#define NREPS 12

static void test_thread_count_independent(void)
{
    struct tsim_model *m = line_model(0);
    struct tsim_run_opts o = {.seed = 42, .replications = NREPS, .horizon = 500, .warmup = 50,
                              .threads = 1};
    struct tsim_result base[NREPS], other[NREPS];
    CHECK(tsim_run_replications(m, &o, base) == 0);
    CHECK(base[0].n > 0);
    CHECK(base[0].events > 0);
    CHECK_NEAR(base[0].start_time, 50, 1e-9);
    CHECK_NEAR(base[0].end_time, 500, 1e-9);
    /* different replications differ */
    CHECK(base[0].fingerprint != base[1].fingerprint);
    int threads[] = {2, 3, 4, 0, 64};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        o.threads = threads[t];
        CHECK(tsim_run_replications(m, &o, other) == 0);
        for (int i = 0; i < NREPS; i++) CHECK(same_results(&base[i], &other[i]));
        CHECK(tsim__fingerprint_combine(base, NREPS) == tsim__fingerprint_combine(other, NREPS));
        release_all(other, NREPS);
    }
    /* replication i is tsim_sim_create(m, seed, i), with a fresh sim */
    struct tsim_sim *sim = tsim_sim_create(m, 42, 7);
    CHECK(sim != NULL);
    CHECK(tsim_sim_set_warmup(sim, 50) == 0);
    tsim_sim_run_until(sim, 500);
    struct tsim_result one;
    tsim_result_init(&one);
    tsim_sim_result(sim, &one);
    CHECK(same_results(&one, &base[7]));
    tsim_result_release(&one);
    tsim_sim_destroy(sim);
    /* a window of replications: first_replication shifts the indices, not the results */
    o.first_replication = 5;
    o.replications = 4;
    o.threads = 2;
    CHECK(tsim_run_replications(m, &o, other) == 0);
    for (int i = 0; i < 4; i++) CHECK(same_results(&other[i], &base[5 + i]));
    release_all(other, 4);
    release_all(base, NREPS);
    tsim_model_destroy(m);
}

static void test_until_empty(void)
{
    /* horizon 0: tsim_sim_run until no event is left; a limited source ends the run */
    struct tsim_model *m = line_model(200);
    struct tsim_run_opts o = {.seed = 1, .replications = 3, .threads = 2};
    struct tsim_result r[3];
    CHECK(tsim_run_replications(m, &o, r) == 0);
    for (int i = 0; i < 3; i++) {
        const struct tsim_kpi *done = tsim_result_find(&r[i], TSIM_KPI_SYSTEM, "completed");
        CHECK(done != NULL);
        if (done) CHECK_NEAR(done->value, 200, 0);
        CHECK(r[i].end_time > 100);
    }
    release_all(r, 3);
    tsim_model_destroy(m);
}

static void test_errors(void)
{
    struct tsim_model *m = line_model(0);
    struct tsim_result r[2];
    struct tsim_run_opts o = {.seed = 1, .replications = 0, .horizon = 10};
    CHECK(tsim_run_replications(m, &o, r) == TSIM_EINVAL);
    o.replications = 2;
    o.warmup = 10;
    CHECK(tsim_run_replications(m, &o, r) == TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "warm-up") != NULL);
    o.warmup = -1;
    CHECK(tsim_run_replications(m, &o, r) == TSIM_EINVAL);
    o.warmup = 0;
    o.horizon = -5;
    CHECK(tsim_run_replications(m, &o, r) == TSIM_EINVAL);
    release_all(r, 2);
    tsim_model_destroy(m);

    /* a machine with no way out does not validate: no sim is created, nothing crashes */
    m = tsim_model_create("broken");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    struct tsim_dist d;
    tsim_dist_init(&d, TSIM_DIST_CONSTANT, (double[]){1.0}, 1);
    tsim_source_set_interarrival(m, src, &d);
    tsim_machine_set_process(m, mc, -1, &d);
    tsim_route_to(m, src, mc);
    o = (struct tsim_run_opts){.seed = 1, .replications = 2, .horizon = 10, .threads = 2};
    CHECK(tsim_run_replications(m, &o, r) == TSIM_EMODEL);
    CHECK(tsim_errmsg()[0] != '\0');
    release_all(r, 2);
    tsim_model_destroy(m);
}

static void test_thread_count(void)
{
    CHECK(tsim__thread_count(4, 2) == 2);
    CHECK(tsim__thread_count(3, 100) == 3);
    CHECK(tsim__thread_count(0, 1) == 1);
    CHECK(tsim__thread_count(0, 100000) >= 1);
    CHECK(tsim__thread_count(-3, 10) >= 1);
}

static void test_warmup_auto(void)
{
    struct tsim_model *m = line_model(0);
    struct tsim_run_opts o = {.seed = 3, .replications = 20, .horizon = 2000, .threads = 1};
    double w1 = -1, w4 = -1;
    CHECK(tsim__warmup_auto(m, &o, NULL, &w1) == 0);
    o.threads = 4;
    CHECK(tsim__warmup_auto(m, &o, NULL, &w4) == 0);
    CHECK(w1 == w4);
    CHECK(w1 >= 0 && w1 <= 1000);
    /* a multiple of the slice length times 5 (MSER-5 deletes whole batches) */
    double slice = 2000.0 / TSIM__WARMUP_SLICES;
    double batches = w1 / (5 * slice);
    CHECK_NEAR(batches, floor(batches + 0.5), 1e-9);
    o.horizon = 0;
    CHECK(tsim__warmup_auto(m, &o, NULL, &w1) == TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "horizon") != NULL);
    tsim_model_destroy(m);
}

/* A queue that starts with a backlog of 300 in front of a machine at utilisation 0.5: the WIP
 * falls from 300 to its steady level (about 1) over roughly 600 minutes whatever the draws, so
 * MSER-5 must delete a start, and never more than half the horizon. (A queue that starts empty
 * climbs too slowly against its own noise for every seed to show it.) */
static void test_warmup_detects_transient(void)
{
    struct tsim_model *m = tsim_model_create("backlog");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "src");
    int backlog = tsim_model_add_block(m, TSIM_SOURCE, "backlog");
    int buf = tsim_model_add_block(m, TSIM_BUFFER, "buf");
    int mc = tsim_model_add_block(m, TSIM_MACHINE, "mc");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    struct tsim_dist ia, st;
    tsim_dist_init(&ia, TSIM_DIST_EXPONENTIAL, (double[]){2.0}, 1);
    tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, (double[]){1.0}, 1);
    tsim_source_set_interarrival(m, src, &ia);
    tsim_source_set_population(m, backlog, 300);
    tsim_machine_set_process(m, mc, -1, &st);
    tsim_route_to(m, src, buf);
    tsim_route_to(m, backlog, buf);
    tsim_route_to(m, buf, mc);
    tsim_route_to(m, mc, out);
    struct tsim_run_opts o = {.seed = 1, .replications = 10, .horizon = 4000, .threads = 2};
    for (uint64_t seed = 1; seed <= 5; seed++) {
        double w = 0;
        o.seed = seed;
        CHECK(tsim__warmup_auto(m, &o, NULL, &w) == 0);
        CHECK(w >= 300 && w <= 2000);
    }
    tsim_model_destroy(m);
}

/* ---- stopping runs that would not end ------------------------------------------------- */

/* The line with no horizon and an endless source: tsim_sim_run would never return. */
static struct tsim_sim *signal_sim;

static void on_usr1(int sig)
{
    (void)sig;
    tsim_sim_interrupt(signal_sim);
}

static uint64_t events_at_signal;

static void raise_usr1(struct tsim_sim *sim, void *arg)
{
    (void)arg;
    events_at_signal = tsim_sim_events(sim);
    raise(SIGUSR1);
}

static void test_interrupt_from_signal_handler(void)
{
    struct tsim_model *m = line_model(0);
    struct tsim_sim *sim = tsim_sim_create(m, 5, 0);
    signal_sim = sim;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, &old);
    /* The handler runs inside the event at t = 250: the run, which would never end, returns
     * within 4,096 events of it (the loop looks at requests at its checkpoints). */
    tsim_event_schedule(sim, raise_usr1, NULL, 250, 0);
    CHECK(!tsim_sim_interrupted(sim));
    uint64_t ran = tsim_sim_run(sim);
    CHECK(ran > 0);
    CHECK(tsim_sim_interrupted(sim));
    CHECK(tsim_sim_now(sim) >= 250);
    CHECK(events_at_signal > 0 && tsim_sim_events(sim) - events_at_signal <= 4096);
    /* Interrupted stays interrupted: later runs return at once, until a reset. */
    double at = tsim_sim_now(sim);
    CHECK(tsim_sim_run(sim) == 0);
    CHECK(tsim_sim_run_until(sim, at + 1000) == 0);
    CHECK_NEAR(tsim_sim_now(sim), at, 0);
    tsim_sim_reset(sim, 5, 0);
    CHECK(!tsim_sim_interrupted(sim));
    tsim_sim_run_until(sim, 300);
    CHECK_NEAR(tsim_sim_now(sim), 300, 0);
    struct tsim_sim *fresh = tsim_sim_create(m, 5, 0);
    tsim_sim_run_until(fresh, 300);
    CHECK(tsim_sim_fingerprint(sim) == tsim_sim_fingerprint(fresh));
    sigaction(SIGUSR1, &old, NULL);
    tsim_sim_destroy(fresh);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Another thread interrupts an endless run once the run has certainly started. */
struct interrupter {
    struct tsim_sim *sim;
    atomic_int started;
};

static void note_started(struct tsim_sim *sim, void *arg)
{
    (void)sim;
    atomic_store(&((struct interrupter *)arg)->started, 1);
}

static void *interrupt_when_started(void *arg)
{
    struct interrupter *in = arg;
    while (!atomic_load(&in->started)) sched_yield();
    tsim_sim_interrupt(in->sim);
    return NULL;
}

static void test_interrupt_from_thread(void)
{
    struct tsim_model *m = line_model(0);
    struct interrupter in = {.sim = tsim_sim_create(m, 1, 0)};
    atomic_init(&in.started, 0);
    tsim_event_schedule(in.sim, note_started, &in, 10, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, interrupt_when_started, &in) == 0);
    tsim_sim_run(in.sim);
    pthread_join(t, NULL);
    CHECK(tsim_sim_interrupted(in.sim));
    CHECK(tsim_sim_now(in.sim) >= 10);
    /* A clone is a sim of its own: it does not inherit the interrupt. */
    struct tsim_sim *c = tsim_sim_clone(in.sim);
    CHECK(!tsim_sim_interrupted(c));
    CHECK(tsim_sim_run_until(c, tsim_sim_now(c) + 5) > 0);
    tsim_sim_destroy(c);
    tsim_sim_destroy(in.sim);
    tsim_model_destroy(m);
}

/* Folding: every replication once, in order, the same results as tsim_run_replications. */
struct fold_check {
    const struct tsim_run_opts *o;
    const struct tsim_result *expect;
    uint64_t next;
    int bad;
    atomic_int folded;
    uint64_t endless_from; /* replications from here on run without end (0: none) */
    int fail_at;           /* the fold fails at this replication (-1: never) */
};

static int fold_run(void *ctx, struct tsim_sim *sim, uint64_t rep, struct tsim_result *res)
{
    struct fold_check *fc = ctx;
    if (fc->endless_from && rep >= fc->endless_from) {
        tsim_sim_run(sim); /* ends only by the interrupt */
        return 0;
    }
    int rc = tsim__run_one(sim, fc->o);
    tsim_sim_result(sim, res);
    return rc;
}

static int fold_take(void *ctx, uint64_t rep, const struct tsim_result *res)
{
    struct fold_check *fc = ctx;
    if (rep != fc->next++) fc->bad = 1;
    if (fc->expect && !same_results(res, &fc->expect[rep])) fc->bad = 1;
    if ((int)rep == fc->fail_at) return tsim__fail(TSIM_EINVAL, "test", "refused on purpose");
    atomic_fetch_add(&fc->folded, 1);
    return 0;
}

static void test_fold_in_order(void)
{
    struct tsim_model *m = line_model(0);
    enum { N = 40 };
    struct tsim_run_opts o = {.seed = 9, .replications = N, .horizon = 200, .threads = 1};
    struct tsim_result base[N];
    CHECK(tsim_run_replications(m, &o, base) == 0);
    int threads[] = {1, 2, 3, 8};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        struct fold_check fc = {.o = &o, .expect = base, .fail_at = -1};
        atomic_init(&fc.folded, 0);
        CHECK(tsim__replicate_fold(m, 9, 0, N, threads[t], NULL, fold_run, fold_take, &fc) == 0);
        CHECK(fc.next == N);
        CHECK(!fc.bad);
    }
    /* A failing fold stops the work and names the replication. */
    struct fold_check fc = {.o = &o, .expect = base, .fail_at = 7};
    atomic_init(&fc.folded, 0);
    CHECK(tsim__replicate_fold(m, 9, 0, N, 3, NULL, fold_run, fold_take, &fc) == TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "replication 7") != NULL);
    CHECK(atomic_load(&fc.folded) == 7);
    release_all(base, N);
    tsim_model_destroy(m);
}

/* A replication without end that says it started (counted in `folded`). */
static int endless_slot(void *ctx, struct tsim_sim *sim, uint64_t rep, size_t i)
{
    struct fold_check *fc = ctx;
    (void)rep;
    (void)i;
    atomic_fetch_add(&fc->folded, 1);
    tsim_sim_run(sim);
    return 0;
}

struct raiser {
    atomic_int *flag;
    struct fold_check *fc;
    int after;
};

static void *raise_after(void *arg)
{
    struct raiser *r = arg;
    while (atomic_load(&r->fc->folded) < r->after) sched_yield();
    atomic_store(r->flag, 15);
    return NULL;
}

static void test_fold_interrupted(void)
{
    /* Replications 0-4 end; 5 and later never would. Once the first five are folded, another
     * thread raises the flag (as a signal handler would): the endless ones return, nothing more
     * is folded, and the driver says it was interrupted. */
    struct tsim_model *m = line_model(0);
    struct tsim_run_opts o = {.seed = 2, .replications = 20, .horizon = 100};
    for (int threads = 1; threads <= 4; threads += 3) {
        atomic_int flag;
        atomic_init(&flag, 0);
        struct fold_check fc = {.o = &o, .endless_from = 5, .fail_at = -1};
        atomic_init(&fc.folded, 0);
        struct raiser r = {&flag, &fc, 5};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, raise_after, &r) == 0);
        int rc = tsim__replicate_fold(m, 2, 0, 20, threads, &flag, fold_run, fold_take, &fc);
        pthread_join(t, NULL);
        CHECK(rc == TSIM__INTERRUPTED);
        CHECK(atomic_load(&fc.folded) == 5);
        CHECK(!fc.bad);
    }
    /* The same with tsim__replicate, whose replications all run without end: the flag raised
     * while they run brings every one back. */
    for (int threads = 1; threads <= 3; threads += 2) {
        atomic_int flag;
        atomic_init(&flag, 0);
        struct fold_check fc = {.o = &o, .fail_at = -1};
        atomic_init(&fc.folded, 0);
        struct raiser r = {&flag, &fc, threads};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, raise_after, &r) == 0);
        CHECK(tsim__replicate(m, 2, 0, 6, threads, &flag, endless_slot, &fc) ==
              TSIM__INTERRUPTED);
        pthread_join(t, NULL);
        CHECK(atomic_load(&fc.folded) == threads);
    }
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_thread_count_independent);
    RUN(test_until_empty);
    RUN(test_errors);
    RUN(test_thread_count);
    RUN(test_warmup_auto);
    RUN(test_warmup_detects_transient);
    RUN(test_interrupt_from_signal_handler);
    RUN(test_interrupt_from_thread);
    RUN(test_fold_in_order);
    RUN(test_fold_interrupted);
    return CHECK_DONE();
}
