/*
 * The three reference models (../shared/REFERENCE.md, also quoted in docs/bench.md) built through
 * the C API, run once, timed, with their KPIs printed beside the theory so that a reader can see
 * they match the peers'. Also the memory check: one small model run many times through one sim.
 * bench/run.sh reads the line that starts with RESULT; everything else is for people.
 *
 * Usage: bench_models mm1 [N] [SEED]       M/M/1 at rho 0.9, N customers
 *        bench_models serial [N] [SEED]    10 machines, 9 buffers of 5, blocking, N parts
 *        bench_models jobshop [T] [SEED]   5 groups of 2 machines with failures, to time T
 *        bench_models reps [R] [N]         R replications of M/M/1 with N customers, one sim
 */
#include "twinsim.h"

#include "bench_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERIAL_MACHINES 10
#define SERIAL_CAPACITY 5
#define SHOP_GROUPS 5
#define SHOP_TYPES 3

/* A setter's failure is a bug in this program or the engine: say which call and stop. */
static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_models: %s failed: %s (%s)\n", what, tsim_strerror(rc),
                tsim_errmsg());
        exit(1);
    }
    return rc;
}

static struct tsim_dist dist1(enum tsim_dist_kind kind, double p)
{
    struct tsim_dist d;
    check(tsim_dist_init(&d, kind, &p, 1), "tsim_dist_init");
    return d;
}

static double kpi(const struct tsim_result *r, int block, const char *name)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    if (k == NULL) {
        fprintf(stderr, "bench_models: no KPI '%s' for block %d\n", name, block);
        exit(1);
    }
    return k->value;
}

/* ---- (a) M/M/1 ------------------------------------------------------------------------- */

struct mm1_ids {
    int source, queue, server, sink;
};

static struct tsim_model *mm1_build(uint64_t n, struct mm1_ids *id)
{
    struct tsim_model *m = tsim_model_create("mm1");
    id->source = check(tsim_model_add_block(m, TSIM_SOURCE, "arrivals"), "add source");
    id->queue = check(tsim_model_add_block(m, TSIM_BUFFER, "queue"), "add buffer");
    id->server = check(tsim_model_add_block(m, TSIM_MACHINE, "server"), "add machine");
    id->sink = check(tsim_model_add_block(m, TSIM_SINK, "done"), "add sink");
    struct tsim_dist ia = dist1(TSIM_DIST_EXPONENTIAL, 1.0 / 0.9);
    struct tsim_dist st = dist1(TSIM_DIST_EXPONENTIAL, 1.0);
    check(tsim_source_set_interarrival(m, id->source, &ia), "source interarrival");
    check(tsim_source_set_limit(m, id->source, n), "source limit");
    check(tsim_machine_set_process(m, id->server, -1, &st), "machine process");
    check(tsim_route_to(m, id->source, id->queue), "route source");
    check(tsim_route_to(m, id->queue, id->server), "route buffer");
    check(tsim_route_to(m, id->server, id->sink), "route machine");
    check(tsim_model_validate(m), "tsim_model_validate");
    return m;
}

/* Time of the whole run (build, create, run, results) and of the event loop alone. */
struct timing {
    double wall, cpu, loop;
    uint64_t events;
    uint64_t fp; /* the run's fingerprint: the same in every build that keeps the behaviour */
};

static void print_timing(const char *model, const struct timing *t)
{
    double rss = bench_peak_rss_mb();
    printf("  wall %.3f s (event loop %.3f s)  events %" PRIu64 "  %.1f M events/s  %.1f ns/event"
           "  peak RSS %.1f MB  fingerprint %016" PRIx64 "\n",
           t->wall, t->loop, t->events, (double)t->events / t->loop / 1e6,
           t->loop / (double)t->events * 1e9, rss, t->fp);
    printf("RESULT engine=twinsim model=%s wall=%.4f cpu=%.4f loop=%.4f events=%" PRIu64
           " events_per_s=%.0f ns_per_event=%.2f rss_mb=%.1f\n",
           model, t->wall, t->cpu, t->loop, t->events, (double)t->events / t->loop,
           t->loop / (double)t->events * 1e9, rss);
}

static void run_mm1(uint64_t n, uint64_t seed)
{
    struct timing tm;
    struct mm1_ids id;
    double t0 = bench_now(), c0 = bench_cpu();
    struct tsim_model *m = mm1_build(n, &id);
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (sim == NULL) {
        check(TSIM_EMODEL, "tsim_sim_create");
    }
    double t1 = bench_now();
    tsim_sim_run(sim);
    tm.loop = bench_now() - t1;
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    tm.events = tsim_sim_events(sim);
    tm.fp = tsim_sim_fingerprint(sim);
    double end = tsim_sim_now(sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    tm.wall = bench_now() - t0;
    tm.cpu = bench_cpu() - c0;

    printf("twinsim %s mm1: customers %.0f  end time %.1f\n", TSIM_VERSION,
           kpi(&r, id.sink, "entered"), end);
    printf("  Wq %.4f (theory 9.0)  W %.4f (theory 10.0)  throughput %.4f (theory 0.9)"
           "  utilization %.4f (theory 0.9)\n",
           kpi(&r, id.queue, "wait"), kpi(&r, id.sink, "lead_time"),
           kpi(&r, TSIM_KPI_SYSTEM, "throughput"), kpi(&r, id.server, "utilization"));
    print_timing("mm1", &tm);
    tsim_result_release(&r);
}

/* ---- (b) serial line with blocking ----------------------------------------------------- */

struct serial_ids {
    int source, machine[SERIAL_MACHINES], buffer[SERIAL_MACHINES - 1], sink;
};

static void run_serial(uint64_t n, uint64_t seed)
{
    struct timing tm;
    struct serial_ids id;
    char name[32];
    double t0 = bench_now(), c0 = bench_cpu();
    struct tsim_model *m = tsim_model_create("serial");
    /* Machine 1 always has material: a source that releases a part whenever machine 1 takes
     * one (interarrival 0, blocked otherwise), N parts in all. */
    id.source = check(tsim_model_add_block(m, TSIM_SOURCE, "release"), "add source");
    for (int i = 0; i < SERIAL_MACHINES; i++) {
        snprintf(name, sizeof(name), "m%d", i + 1);
        id.machine[i] = check(tsim_model_add_block(m, TSIM_MACHINE, name), "add machine");
        if (i < SERIAL_MACHINES - 1) {
            snprintf(name, sizeof(name), "b%d", i + 1);
            id.buffer[i] = check(tsim_model_add_block(m, TSIM_BUFFER, name), "add buffer");
        }
    }
    id.sink = check(tsim_model_add_block(m, TSIM_SINK, "done"), "add sink");
    struct tsim_dist zero = dist1(TSIM_DIST_CONSTANT, 0.0);
    struct tsim_dist st = dist1(TSIM_DIST_EXPONENTIAL, 1.0);
    check(tsim_source_set_interarrival(m, id.source, &zero), "source interarrival");
    check(tsim_source_set_limit(m, id.source, n), "source limit");
    check(tsim_route_to(m, id.source, id.machine[0]), "route source");
    for (int i = 0; i < SERIAL_MACHINES; i++) {
        check(tsim_machine_set_process(m, id.machine[i], -1, &st), "machine process");
        if (i < SERIAL_MACHINES - 1) {
            check(tsim_buffer_set_capacity(m, id.buffer[i], SERIAL_CAPACITY), "capacity");
            check(tsim_route_to(m, id.machine[i], id.buffer[i]), "route machine");
            check(tsim_route_to(m, id.buffer[i], id.machine[i + 1]), "route buffer");
        } else {
            check(tsim_route_to(m, id.machine[i], id.sink), "route last machine");
        }
    }
    check(tsim_model_validate(m), "tsim_model_validate");
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (sim == NULL) {
        check(TSIM_EMODEL, "tsim_sim_create");
    }
    double t1 = bench_now();
    tsim_sim_run(sim);
    tm.loop = bench_now() - t1;
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    tm.events = tsim_sim_events(sim);
    tm.fp = tsim_sim_fingerprint(sim);
    double end = tsim_sim_now(sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    tm.wall = bench_now() - t0;
    tm.cpu = bench_cpu() - c0;

    double done = kpi(&r, id.sink, "entered");
    double thr = kpi(&r, TSIM_KPI_SYSTEM, "throughput");
    double lead = kpi(&r, id.sink, "lead_time");
    /* The lead time starts when a part leaves the source, that is when machine 1 takes it
     * (src/blocks/source.c): the flow time of REFERENCE.md. */
    printf("twinsim %s serial: parts %.0f  end time %.1f\n", TSIM_VERSION, done, end);
    printf("  throughput %.4f (parts / end time %.4f)  flow time %.3f  in buffers and blocked"
           " %.3f  source blocked %.3f\n",
           thr, done / end, lead, lead - SERIAL_MACHINES, kpi(&r, id.source, "blocked_time"));
    printf("  blocked fraction M1..M9:");
    for (int i = 0; i < SERIAL_MACHINES - 1; i++) {
        printf(" %.3f", kpi(&r, id.machine[i], "states.blocked"));
    }
    printf("\n  reference: throughput 0.763, flow 41.6, blocked 0.237 0.190 0.165 0.146 0.130"
           " 0.115 0.098 0.079 0.052\n");
    print_timing("serial", &tm);
    tsim_result_release(&r);
}

/* ---- (c) job shop with breakdowns ------------------------------------------------------ */

struct shop_step {
    int group;
    double mean;
};

static const int shop_len[SHOP_TYPES] = {4, 5, 3};
static const struct shop_step shop_route[SHOP_TYPES][5] = {
    {{0, 1.0}, {2, 1.2}, {1, 0.9}, {4, 0.8}},
    {{1, 1.1}, {3, 1.3}, {4, 0.9}, {0, 0.8}, {2, 1.0}},
    {{2, 0.9}, {4, 1.0}, {3, 1.4}},
};

static void run_jobshop(double horizon, uint64_t seed)
{
    struct timing tm;
    int source, sink, buf[SHOP_GROUPS], mach[SHOP_GROUPS], prod[SHOP_TYPES];
    char name[32];
    double t0 = bench_now(), c0 = bench_cpu();
    struct tsim_model *m = tsim_model_create("jobshop");
    for (int p = 0; p < SHOP_TYPES; p++) {
        snprintf(name, sizeof(name), "type%d", p);
        prod[p] = check(tsim_model_add_product(m, name), "add product");
    }
    source = check(tsim_model_add_block(m, TSIM_SOURCE, "arrivals"), "add source");
    for (int g = 0; g < SHOP_GROUPS; g++) {
        snprintf(name, sizeof(name), "g%d_queue", g);
        buf[g] = check(tsim_model_add_block(m, TSIM_BUFFER, name), "add buffer");
        snprintf(name, sizeof(name), "g%d", g);
        mach[g] = check(tsim_model_add_block(m, TSIM_MACHINE, name), "add machine");
    }
    sink = check(tsim_model_add_block(m, TSIM_SINK, "done"), "add sink");

    struct tsim_dist ia = dist1(TSIM_DIST_EXPONENTIAL, 1.0 / 1.4);
    struct tsim_dist up = dist1(TSIM_DIST_EXPONENTIAL, 60.0);
    struct tsim_dist repair = dist1(TSIM_DIST_EXPONENTIAL, 5.0);
    const double mix[SHOP_TYPES] = {0.3, 0.5, 0.2};
    check(tsim_source_set_interarrival(m, source, &ia), "source interarrival");
    check(tsim_source_set_mix(m, source, prod, mix, SHOP_TYPES), "source mix");
    /* Validation asks every machine for a processing time for every product, including the
     * products that never visit it: a default that is never drawn. */
    struct tsim_dist unused = dist1(TSIM_DIST_CONSTANT, 1.0);
    for (int g = 0; g < SHOP_GROUPS; g++) {
        check(tsim_machine_set_process(m, mach[g], -1, &unused), "default process");
        check(tsim_route_to(m, buf[g], mach[g]), "route buffer");
        check(tsim_machine_set_servers(m, mach[g], 2), "servers");
        check(tsim_machine_set_failures(m, mach[g], &up, &repair), "failures");
    }
    for (int p = 0; p < SHOP_TYPES; p++) {
        check(tsim_route_add_product(m, source, prod[p], buf[shop_route[p][0].group]),
              "route source by product");
        for (int s = 0; s < shop_len[p]; s++) {
            const struct shop_step *st = &shop_route[p][s];
            struct tsim_dist d = dist1(TSIM_DIST_EXPONENTIAL, st->mean);
            check(tsim_machine_set_process(m, mach[st->group], prod[p], &d), "process");
            int to = s + 1 < shop_len[p] ? buf[shop_route[p][s + 1].group] : sink;
            check(tsim_route_add_product(m, mach[st->group], prod[p], to),
                  "route machine by product");
        }
    }
    check(tsim_model_validate(m), "tsim_model_validate");
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (sim == NULL) {
        check(TSIM_EMODEL, "tsim_sim_create");
    }
    double t1 = bench_now();
    tsim_sim_run_until(sim, horizon);
    tm.loop = bench_now() - t1;
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    tm.events = tsim_sim_events(sim);
    tm.fp = tsim_sim_fingerprint(sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    tm.wall = bench_now() - t0;
    tm.cpu = bench_cpu() - c0;

    /* Wait per operation: every buffer's mean wait weighted by the operations it fed. */
    double ops = 0.0, wait = 0.0, down = 0.0;
    for (int g = 0; g < SHOP_GROUPS; g++) {
        double left = kpi(&r, buf[g], "left");
        ops += left;
        wait += left * kpi(&r, buf[g], "wait");
        down += kpi(&r, mach[g], "states.down");
    }
    printf("twinsim %s jobshop: jobs done %.0f  to time %.0f\n", TSIM_VERSION,
           kpi(&r, sink, "entered"), horizon);
    printf("  throughput %.4f (theory 1.4)  flow time %.3f  wait per operation %.3f"
           "  downtime %.4f (theory 0.0769)\n",
           kpi(&r, TSIM_KPI_SYSTEM, "throughput"), kpi(&r, sink, "lead_time"), wait / ops,
           down / SHOP_GROUPS);
    printf("  utilization G0..G4:");
    for (int g = 0; g < SHOP_GROUPS; g++) {
        printf(" %.3f", kpi(&r, mach[g], "utilization"));
    }
    printf("  (theory 0.490 0.574 0.728 0.651 0.623)\n");
    printf("  states.busy G0..G4:");
    for (int g = 0; g < SHOP_GROUPS; g++) {
        printf(" %.3f", kpi(&r, mach[g], "states.busy"));
    }
    printf("\n  reference: flow time SimPy 11.72, cimba 11.86; wait per operation SimPy 1.621,"
           " cimba 1.656\n");
    print_timing("jobshop", &tm);
    tsim_result_release(&r);
}

/* ---- memory across replications -------------------------------------------------------- */

static void run_reps(uint64_t reps, uint64_t n)
{
    struct mm1_ids id;
    struct tsim_model *m = mm1_build(n, &id);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    if (sim == NULL) {
        check(TSIM_EMODEL, "tsim_sim_create");
    }
    struct tsim_result r;
    tsim_result_init(&r);
    double rss_100 = 0.0, t0 = bench_now();
    size_t mem_100 = 0;
    uint64_t events = 0;
    for (uint64_t i = 0; i < reps; i++) {
        tsim_sim_reset(sim, 1, i);
        tsim_sim_run(sim);
        tsim_sim_result(sim, &r);
        events += tsim_sim_events(sim);
        if (i + 1 == 100) {
            rss_100 = bench_peak_rss_mb();
            mem_100 = tsim_sim_memory(sim);
        }
    }
    double wall = bench_now() - t0;
    double rss_end = bench_peak_rss_mb();
    size_t mem_end = tsim_sim_memory(sim);
    printf("twinsim replications: %" PRIu64 " x M/M/1 with %" PRIu64 " customers through one sim"
           " (tsim_sim_reset), %.2f s, %" PRIu64 " events\n",
           reps, n, wall, events);
    printf("  peak RSS after 100: %.2f MB   after %" PRIu64 ": %.2f MB   sim memory %zu -> %zu"
           " bytes\n",
           rss_100, reps, rss_end, mem_100, mem_end);
    printf("RESULT engine=twinsim model=reps reps=%" PRIu64 " rss_100=%.2f rss_end=%.2f"
           " mem_100=%zu mem_end=%zu\n",
           reps, rss_100, rss_end, mem_100, mem_end);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_models mm1|serial|jobshop|reps [COUNT] [SEED]\n");
        return 2;
    }
    const char *model = argv[1];
    if (strcmp(model, "mm1") == 0) {
        run_mm1(argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000u,
                argc > 3 ? strtoull(argv[3], NULL, 10) : 1u);
    } else if (strcmp(model, "serial") == 0) {
        run_serial(argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000u,
                   argc > 3 ? strtoull(argv[3], NULL, 10) : 1u);
    } else if (strcmp(model, "jobshop") == 0) {
        run_jobshop(argc > 2 ? strtod(argv[2], NULL) : 130000.0,
                    argc > 3 ? strtoull(argv[3], NULL, 10) : 1u);
    } else if (strcmp(model, "reps") == 0) {
        run_reps(argc > 2 ? strtoull(argv[2], NULL, 10) : 10000u,
                 argc > 3 ? strtoull(argv[3], NULL, 10) : 1000u);
    } else {
        fprintf(stderr, "bench_models: unknown model '%s'\n", model);
        return 2;
    }
    return 0;
}
