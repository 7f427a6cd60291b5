/*
 * Replications (src/run/replicate.c) and the automatic warm-up (src/run/warmup.c), on a model
 * built through the C API: results must be the same whatever the thread count, replication i
 * must be tsim_sim_create(m, seed, i) whichever sim ran it, and bad options are refused.
 */
#include "check.h"
#include "run/replicate.h"
#include "twinsim.h"

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

static int same_results(const struct tsim_result *a, const struct tsim_result *b)
{
    if (a->n != b->n || a->fingerprint != b->fingerprint || a->events != b->events) return 0;
    for (size_t k = 0; k < a->n; k++) {
        if (a->kpis[k].block != b->kpis[k].block) return 0;
        if (strcmp(a->kpis[k].name, b->kpis[k].name) != 0) return 0;
        /* bit-identical, NaN included */
        if (memcmp(&a->kpis[k].value, &b->kpis[k].value, sizeof(double)) != 0) return 0;
    }
    return 1;
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
    CHECK(tsim__warmup_auto(m, &o, &w1) == 0);
    o.threads = 4;
    CHECK(tsim__warmup_auto(m, &o, &w4) == 0);
    CHECK(w1 == w4);
    CHECK(w1 >= 0 && w1 <= 1000);
    /* a multiple of the slice length times 5 (MSER-5 deletes whole batches) */
    double slice = 2000.0 / TSIM__WARMUP_SLICES;
    double batches = w1 / (5 * slice);
    CHECK_NEAR(batches, floor(batches + 0.5), 1e-9);
    o.horizon = 0;
    CHECK(tsim__warmup_auto(m, &o, &w1) == TSIM_EINVAL);
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
        CHECK(tsim__warmup_auto(m, &o, &w) == 0);
        CHECK(w >= 300 && w <= 2000);
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
    return CHECK_DONE();
}
