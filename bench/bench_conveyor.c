/*
 * Conveyor benchmark: N items through 100 conveyor segments joined end to end, against the
 * serial line of bench_models (10 machines, 9 buffers of 5, N parts). The cost compared is the
 * event loop's time per item-event (an item carried over one segment: its arrival at the end,
 * hand-over to the next segment included, and any entry-clear events) against the time per
 * event of the serial line, where nearly every event is a machine's start-to-finish.
 *
 *   bench_conveyor [N] [SEED]    default 1,000,000 items, seed 1
 *
 * It prints both, their ratio (the goal is at most 1.5) and a RESULT line.
 */
#include "bench_util.h"
#include "twinsim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define SEGMENTS 100
#define MACHINES 10

static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_conveyor: %s: %s\n", what, tsim_errmsg());
        exit(1);
    }
    return rc;
}

static void set(struct tsim_model *m, int b, const char *key, double v)
{
    check(tsim_block_set_number(m, b, key, v), key);
}

/* The event loop's CPU seconds (other load on a shared machine disturbs them far less than wall
 * time) and events of a run of `m`, and its fingerprint. */
static double run(struct tsim_model *m, uint64_t seed, uint64_t *events, uint64_t *fp,
                  double *now)
{
    check(tsim_model_validate(m), "tsim_model_validate");
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (!sim) check(TSIM_EMODEL, "tsim_sim_create");
    double t0 = bench_cpu();
    tsim_sim_run(sim);
    double loop = bench_cpu() - t0;
    *events = tsim_sim_events(sim);
    *fp = tsim_sim_fingerprint(sim);
    *now = tsim_sim_now(sim);
    tsim_sim_destroy(sim);
    return loop;
}

/* Items arrive at random (exponential, mean 1) onto 100 accumulating segments of length 10
 * at speed 20, spacing 0.5: the first segment's entry is closed for 0.025 after each item, so
 * the source sometimes waits; the segments behind never refuse (the same speed and pitch). */
static struct tsim_model *conveyors(uint64_t n)
{
    struct tsim_model *m = tsim_model_create("conveyors");
    int type = check(tsim_block_type_find("conveyor"), "conveyor type");
    int src = check(tsim_model_add_block(m, TSIM_SOURCE, "in"), "add source");
    set(m, src, "limit", (double)n);
    struct tsim_dist ia;
    double one = 1;
    check(tsim_dist_init(&ia, TSIM_DIST_EXPONENTIAL, &one, 1), "tsim_dist_init");
    check(tsim_source_set_interarrival(m, src, &ia), "interarrival");
    tsim_dist_release(&ia);
    int prev = src;
    char name[32];
    for (int i = 0; i < SEGMENTS; i++) {
        snprintf(name, sizeof name, "c%d", i + 1);
        int c = check(tsim_model_add_block(m, (enum tsim_block_type)type, name), "add conveyor");
        set(m, c, "length", 10);
        set(m, c, "speed", 20);
        set(m, c, "spacing", 0.5);
        check(tsim_route_to(m, prev, c), "route");
        prev = c;
    }
    int out = check(tsim_model_add_block(m, TSIM_SINK, "out"), "add sink");
    check(tsim_route_to(m, prev, out), "route");
    return m;
}

/* The serial line of bench_models: a source that always has a part for machine 1, machines
 * with exponential(1) process times, buffers of 5 between them. */
static struct tsim_model *serial(uint64_t n)
{
    struct tsim_model *m = tsim_model_create("serial");
    int src = check(tsim_model_add_block(m, TSIM_SOURCE, "release"), "add source");
    set(m, src, "interarrival", 0);
    set(m, src, "limit", (double)n);
    struct tsim_dist st;
    double one = 1;
    check(tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, &one, 1), "tsim_dist_init");
    int prev = src;
    char name[32];
    for (int i = 0; i < MACHINES; i++) {
        snprintf(name, sizeof name, "m%d", i + 1);
        int mc = check(tsim_model_add_block(m, TSIM_MACHINE, name), "add machine");
        check(tsim_machine_set_process(m, mc, -1, &st), "process");
        check(tsim_route_to(m, prev, mc), "route");
        prev = mc;
        if (i < MACHINES - 1) {
            snprintf(name, sizeof name, "b%d", i + 1);
            int b = check(tsim_model_add_block(m, TSIM_BUFFER, name), "add buffer");
            check(tsim_buffer_set_capacity(m, b, 5), "capacity");
            check(tsim_route_to(m, prev, b), "route");
            prev = b;
        }
    }
    tsim_dist_release(&st);
    int out = check(tsim_model_add_block(m, TSIM_SINK, "done"), "add sink");
    check(tsim_route_to(m, prev, out), "route");
    return m;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000u;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    uint64_t ev_c, ev_s, fp_c, fp_s;
    double end_c, end_s;
    struct tsim_model *mc = conveyors(n), *ms = serial(n);
    double loop_c = run(mc, seed, &ev_c, &fp_c, &end_c);
    double loop_s = run(ms, seed, &ev_s, &fp_s, &end_s);
    tsim_model_destroy(mc);
    tsim_model_destroy(ms);
    double item_events = (double)n * SEGMENTS;
    double ns_c = loop_c / item_events * 1e9, ns_s = loop_s / (double)ev_s * 1e9;
    printf("twinsim %s conveyors: %" PRIu64 " items over %d segments, %" PRIu64
           " events (%.3f per item-event), end time %.1f, fingerprint %016" PRIx64 "\n",
           TSIM_VERSION, n, SEGMENTS, ev_c, (double)ev_c / item_events, end_c, fp_c);
    printf("  event loop %.3f s CPU: %.1f ns per item-event; serial line %.3f s CPU for %" PRIu64
           " events: %.1f ns per event; ratio %.2f (goal at most 1.5)  peak RSS %.1f MB\n",
           loop_c, ns_c, loop_s, ev_s, ns_s, ns_c / ns_s, bench_peak_rss_mb());
    printf("RESULT engine=twinsim model=conveyors loop=%.4f item_events=%.0f ns_per_item_event=%.2f"
           " serial_ns_per_event=%.2f ratio=%.3f\n",
           loop_c, item_events, ns_c, ns_s, ns_c / ns_s);
    return 0;
}
