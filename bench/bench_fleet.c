/*
 * Fleet benchmark: 500 AMRs on a 100 x 100 grid of 10,000 nodes, one 8-hour shift of 20,000
 * transport requests an hour, zone control on. The model is written as a model file in memory
 * and loaded as a user's would be, so the time to load it includes the least-time paths of the
 * network (a Dijkstra search from each place a vehicle stops at).
 *
 *   bench_fleet [SEED]    default seed 1
 *
 * The grid's streets are one-way and alternate (even rows run east, odd rows west, even columns
 * south, odd columns north), so two vehicles never meet head-on on a lane. Segments are 2 m,
 * vehicles drive 180 m/min. Requests arrive at the hub in the middle (exponential, 20,000 an
 * hour) and go to one of 100 drop points spread evenly over the grid; the vehicles' home is the
 * hub. Every node holds three vehicles (node_capacity: 3; BENCH_FLEET_NODE_CAPACITY changes it)
 * except the hub's diamond of radius 6, where the whole flow of 333 vehicles a minute each way
 * converges and a node that held one vehicle would pass at most 90 a minute. With one or two
 * vehicles a node, four to eight vehicles circling a block of the grid close a cycle within the
 * first half hour and the run stops with the deadlock error (docs/logistics.md).
 *
 * It prints the load (paths included) and the run's CPU seconds, events, ns per event, the
 * deliveries and the peak RSS, and a RESULT line. Goals: under 2 s a replication, under 200 MB,
 * paths for 10,000 nodes under 0.5 s.
 */
#include "bench_util.h"
#include "twinsim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDE 100
#define VEHICLES 500
#define DROPS_SIDE 10
#define HUB_RADIUS 6

struct text {
    char *p;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void put(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (k < 0) exit(1);
        if ((size_t)k < t->cap - t->len) {
            t->len += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)k;
        t->p = realloc(t->p, t->cap);
        if (!t->p) exit(1);
    }
}

static int node_cap(void)
{
    const char *e = getenv("BENCH_FLEET_NODE_CAPACITY");
    return e ? atoi(e) : 3;
}

static int absi(int v) { return v < 0 ? -v : v; }

static void model_text(struct text *t)
{
    int hub = SIDE / 2;
    put(t, "name: fleet-bench\ntime_unit: min\nblocks:\n");
    put(t, "  - source: requests\n    interarrival: exponential(%.17g)\n    to: amr\n",
        60.0 / 20000.0);
    put(t, "  - fleet: amr\n    count: %d\n    speed: 180\n    load: 0.02\n    unload: 0.02\n"
           "    idle: home\n    to: {",
        VEHICLES);
    int drops = DROPS_SIDE * DROPS_SIDE;
    for (int i = 0; i < drops; i++) put(t, "%sd%d: %.17g", i ? ", " : "", i, 1.0 / drops);
    put(t, "}\n");
    for (int i = 0; i < drops; i++) put(t, "  - sink: d%d\n", i);
    put(t, "network:\n  node_capacity: %d\n  nodes: [", node_cap());
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c < SIDE; c++) put(t, "%sn%d_%d", r || c ? ", " : "", r, c);
    put(t, "]\n  segments:\n");
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c + 1 < SIDE; c++) {
            int east = r % 2 == 0;
            put(t, "    - {from: n%d_%d, to: n%d_%d, length: 2, one_way: true}\n", r,
                east ? c : c + 1, r, east ? c + 1 : c);
        }
    for (int c = 0; c < SIDE; c++)
        for (int r = 0; r + 1 < SIDE; r++) {
            int south = c % 2 == 0;
            put(t, "    - {from: n%d_%d, to: n%d_%d, length: 2, one_way: true}\n",
                south ? r : r + 1, c, south ? r + 1 : r, c);
        }
    put(t, "  zones: {");
    int first = 1;
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c < SIDE; c++)
            if (absi(r - hub) + absi(c - hub) <= HUB_RADIUS) {
                put(t, "%sn%d_%d: %d", first ? "" : ", ", r, c, VEHICLES);
                first = 0;
            }
    put(t, "}\n  at: {requests: n%d_%d, amr: n%d_%d", hub, hub, hub, hub);
    int step = SIDE / DROPS_SIDE;
    for (int i = 0; i < drops; i++)
        put(t, ", d%d: n%d_%d", i, (i / DROPS_SIDE) * step + step / 2,
            (i % DROPS_SIDE) * step + step / 2);
    put(t, "}\n");
}

static double kpi(const struct tsim_result *r, int block, const char *name)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    if (k == NULL) {
        fprintf(stderr, "bench_fleet: no KPI '%s' for block %d\n", name, block);
        exit(1);
    }
    return k->value;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    double horizon = 8 * 60;
    struct text t = {malloc(1 << 20), 0, 1 << 20};
    if (!t.p) return 1;
    model_text(&t);
    if (getenv("BENCH_FLEET_DUMP")) {
        fwrite(t.p, 1, t.len, stdout);
        return 0;
    }
    struct tsim_diags d;
    tsim_diags_init(&d);
    double l0 = bench_cpu();
    struct tsim_model *m = tsim_model_load(t.p, t.len, "fleet-bench.yaml", NULL, &d);
    double load = bench_cpu() - l0;
    if (!m) {
        tsim_diags_print(&d, "fleet-bench.yaml", stderr);
        return 1;
    }
    tsim_diags_release(&d);
    free(t.p);
    double v0 = bench_cpu();
    if (tsim_model_validate(m) < 0) {
        fprintf(stderr, "bench_fleet: %s\n", tsim_errmsg());
        return 1;
    }
    double validate = bench_cpu() - v0;
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (!sim) {
        fprintf(stderr, "bench_fleet: %s\n", tsim_errmsg());
        return 1;
    }
    double t0 = bench_cpu();
    tsim_sim_run_until(sim, horizon);
    double loop = bench_cpu() - t0;
    if (tsim_sim_error(sim)) {
        fprintf(stderr, "bench_fleet: %s\n", tsim_sim_error(sim));
        return 1;
    }
    uint64_t events = tsim_sim_events(sim);
    uint64_t fp = tsim_sim_fingerprint(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    double delivered = kpi(&r, 1, "deliveries");
    double util = kpi(&r, 1, "utilization");
    double zw = kpi(&r, 1, "zone_waits");
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    printf("twinsim %s fleet: %d AMRs on %d nodes, %.0f min, %" PRIu64
           " events, fingerprint %016" PRIx64 "\n",
           TSIM_VERSION, VEHICLES, SIDE * SIDE, horizon, events, fp);
    printf("  load with paths %.3f s CPU (goal paths < 0.5 s), validate again %.3f s; run %.3f s CPU"
           " (goal < 2 s): %.1f ns per event; deliveries %.0f (%.0f an hour), utilization %.3f,"
           " zone waits %.0f; peak RSS %.1f MB (goal < 200)\n",
           load, validate, loop, loop / (double)events * 1e9, delivered, delivered / 8, util, zw,
           bench_peak_rss_mb());
    printf("RESULT engine=twinsim model=fleet load=%.4f run=%.4f events=%" PRIu64
           " ns_per_event=%.2f rss_mb=%.1f\n",
           load, loop, events, loop / (double)events * 1e9, bench_peak_rss_mb());
    return 0;
}
