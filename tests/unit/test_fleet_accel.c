/*
 * A fleet's acceleration (`acceleration`, `deceleration`): each drive starts from standstill and
 * stops at its end, a trapezoid of speed over time, or a triangle on a leg too short to reach the
 * top speed. One vehicle's trip, its legs timed by hand; the travel tables (which the dispatch
 * reads) against the same hand times; the trip under zone control, where a vehicle keeps its
 * speed through the nodes it passes; the bad values.
 */
#include "blocks/desc.h"
#include "blocks/network.h"
#include "blocks/zone.h"
#include "check.h"
#include "fleet_trip.h"
#include "model_text.h"
#include "twinsim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The trip of fleet_trip.h with its loaded leg through a node M that it passes: P->M 1 long, M->D
 * 5 (`pd`, NULL: so); the fleet's keys `keys`, the network's `net`. */
static const char via_m[] = "    - {from: P, to: M, length: 1, one_way: true}\n"
                            "    - {from: M, to: D, length: 5, one_way: true}\n";

static void trip_text(char *text, size_t size, const char *keys, const char *pd, const char *net)
{
    fleet_trip(text, size, keys, "H, P, M, D", pd ? pd : via_m, net);
}

/* A model run to its end: fleet 'amr''s block `f`, its KPIs in `r`. */
struct arun {
    struct tsim_model *m;
    struct tsim_sim *sim;
    struct tsim_result r;
    int f;
};

/* Runs model `text` to its end, which must come at `end`, with `n` deliveries whose mean time
 * (request to hand-over) is `delivery`, times within `tol`. 0 when the model does not load. */
static int arun_open(struct arun *a, const char *text, double end, double n, double delivery,
                     double tol)
{
    a->sim = sim_from_text(text, "fleet.yaml", &a->m);
    if (!a->sim) return 0;
    a->f = tsim_model_find_block(a->m, "amr");
    run_to_end(a->sim, &a->r);
    CHECK_NEAR(tsim_sim_now(a->sim), end, tol);
    CHECK_NEAR(kpi(&a->r, a->f, "deliveries"), n, 0);
    CHECK_NEAR(kpi(&a->r, a->f, "delivery_time"), delivery, tol);
    return 1;
}

static void arun_close(struct arun *a)
{
    tsim_result_release(&a->r);
    tsim_sim_destroy(a->sim);
    tsim_model_destroy(a->m);
}

/* The trip with fleet keys `keys`, the segments `pd` from P to D (NULL: via_m) and network keys
 * `net`: it must end at `end` with the request's delivery time `delivery` (from its request at 1
 * to its hand-over). */
static void trip_pd(const char *keys, const char *pd, const char *net, double end,
                    double delivery)
{
    char text[4096];
    trip_text(text, sizeof text, keys, pd, net);
    struct arun a;
    if (arun_open(&a, text, end, 1, delivery, 1e-6)) arun_close(&a);
}

static void trip(const char *keys, const char *net, double end, double delivery)
{
    trip_pd(keys, NULL, net, end, delivery);
}

/* Without acceleration: H->P 2, loading 3..4, P->D 6, unloading to 10.5, D->H 1: the end at
 * 11.5, the delivery 9.5 after the request. */
static void test_accel_none(void)
{
    trip("", "", 11.5, 9.5);
}

/* acceleration 0.5, deceleration the same. H->P, 4 long at top 2: reaching 2 takes 2^2 / (2 x
 * 0.5) = 4 of length, and as much to stop: 8 > 4, a triangle, 2 sqrt(4 / 0.5) = 4 sqrt 2
 * (5.657). P->D, 6 long at top 1: 1 of length to reach it and 1 to stop, a trapezoid, 6 / 1 + 1
 * / 0.5 = 8 (the vehicle keeps its speed through M). D->H, 2 long at 2: a triangle, 2 sqrt(2 /
 * 0.5) = 4. So: at P at 1 + 4 sqrt 2, loaded 1 later, at D 8 later, handed over 0.5 later
 * (9.5 + 4 sqrt 2 after the request), home 4 later: the end at 14.5 + 4 sqrt 2. */
static void test_accel_trapezoid_and_triangle(void)
{
    trip("    acceleration: 0.5\n", "", 14.5 + 4 * sqrt(2), 9.5 + 4 * sqrt(2));
}

/* acceleration 0.5, deceleration 1. The triangle's top is sqrt(2 d a b / (a + b)), reached after
 * top / a and left in top / b: H->P (d 4): top sqrt(8 / 3), time 3 sqrt(8 / 3) = 4.899; D->H
 * (d 2): top sqrt(4 / 3), time 3 sqrt(4 / 3) = 3.464. P->D's trapezoid: 6 / 1 + 1 / (2 x 0.5) +
 * 1 / (2 x 1) = 7.5. The delivery 3 sqrt(8 / 3) + 1 + 7.5 + 0.5 after the request. */
static void test_accel_unequal_rates(void)
{
    double hp = 3 * sqrt(8.0 / 3), dh = 3 * sqrt(4.0 / 3);
    trip("    acceleration: 0.5\n    deceleration: 1\n", "", 1 + hp + 9 + dh, hp + 9);
}

/* A speed limit on M->D (0.5, below the loaded top speed 1) is taken at once at M; the drive
 * still stops at D: P->M speeds up for its whole length (1 = 1^2 / (2 x 0.5): top reached at
 * M), 2 sqrt(1 / 0.5) = 2; M->D at 0.5, slowing from 0.5 over its last 0.5^2 / (2 x 0.5) = 0.25:
 * 4.75 / 0.5 + 0.25 x 2 / 0.5 = 10.5. The loaded leg 12.5 against 8: the delivery 14 + 4 sqrt 2
 * after the request, the end 4 (D->H) + 1 after that. */
static void test_accel_limit(void)
{
    trip_pd("    acceleration: 0.5\n",
            "    - {from: P, to: M, length: 1, one_way: true}\n"
            "    - {from: M, to: D, length: 5, one_way: true, speed_limit: 0.5}\n",
            NULL, 19 + 4 * sqrt(2), 14 + 4 * sqrt(2));
}

/* The travel tables hold the same times, so the dispatch's nearest vehicle and the chargers'
 * choice see them: home to the pickup 4 sqrt 2 empty, the pickup to the drop 8 loaded, the drop
 * home 4 empty; without acceleration 2, 6 and 1. `ways`: the segments from P to D (NULL: via_m). */
static void tables_pd(const char *keys, const char *ways, double hp, double pd, double dh)
{
    char text[4096];
    trip_text(text, sizeof text, keys, ways, NULL);
    struct tsim_model *m = model_must_load(text, "fleet.yaml");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr");
    const struct tsim__net_paths *p = m->net->paths[f];
    int np = p->nplaces;
    CHECK_NEAR(p->empty[P_HOME * np + P_PICKUP], hp, 1e-12);
    CHECK_NEAR(p->loaded[P_PICKUP * np + 2], pd, 1e-12);
    CHECK_NEAR(p->empty[2 * np + P_HOME], dh, 1e-12);
    /* The loaded path from P goes through M first (the hops are kept with acceleration). */
    const struct tsim__network *net = m->net;
    int pn = tsim__net_find(net, "P"), mn = tsim__net_find(net, "M");
    if (p->hop_loaded)
        CHECK(p->hop_loaded[2 * net->nnodes + pn] == tsim__net_arc_between(net, pn, mn));
    tsim_model_destroy(m);
}

static void tables(const char *keys, double hp, double pd, double dh)
{
    tables_pd(keys, NULL, hp, pd, dh);
}

static void test_accel_tables(void)
{
    tables("", 2, 6, 1);
    tables("    acceleration: 0.5\n", 4 * sqrt(2), 8, 4);
}

/* Where the choice of path matters: from P to D the way through M is 16 long with no limit, the
 * direct segment 6 long at a limit of 0.25; loaded, the vehicle's top speed is 1. At top speed
 * M's way takes 16 and the direct one 24, so the paths (least time at top speed) go through M.
 * With acceleration 0.01 a drive needs 1 / (2 x 0.01) = 50 to reach 1, and 0.25^2 / 0.02 =
 * 3.125 to reach 0.25: both ways are triangles, M's 2 sqrt(16 / 0.01) = 80, the direct one's
 * 2 sqrt(6 / 0.01) = 20 sqrt 6 (49.0). The vehicle still drives through M, and the tables hold
 * that drive's 80, not the 49 of the way it does not take (docs/logistics.md, "Which path, with
 * acceleration"). The empty legs are triangles too: H->P 2 sqrt(4 / 0.01) = 40, D->H
 * 2 sqrt(2 / 0.01) = 20 sqrt 2. So: at P at 41, loaded at 42, at D at 122, handed over at 122.5
 * (121.5 after the request), home at 122.5 + 20 sqrt 2; with zones the same (no wait: it keeps
 * its speed through M). Without acceleration: 2, 16 and 1, the end at 21.5. */
static const char ways[] = "    - {from: P, to: M, length: 8, one_way: true}\n"
                           "    - {from: M, to: D, length: 8, one_way: true}\n"
                           "    - {from: P, to: D, length: 6, one_way: true, speed_limit: 0.25}\n";

static void test_accel_path_choice(void)
{
    const char *acc = "    acceleration: 0.01\n";
    trip_pd("", ways, NULL, 21.5, 19.5);
    tables_pd("", ways, 2, 16, 1);
    trip_pd(acc, ways, NULL, 122.5 + 20 * sqrt(2), 121.5);
    trip_pd(acc, ways, "  node_capacity: 1\n", 122.5 + 20 * sqrt(2), 121.5);
    tables_pd(acc, ways, 40, 80, 20 * sqrt(2));
}

/* Under zone control (every node holds one vehicle) the vehicle drives node by node; with no
 * other vehicle it never waits, so it keeps its speed through M and its trip is the one above:
 * P->M 2 (speeding up all the way), M->D 6 (on at top speed 1 for 3, then 1 to stop in 2). */
static void test_accel_zones(void)
{
    trip("    acceleration: 0.5\n", "  node_capacity: 1\n", 14.5 + 4 * sqrt(2),
         9.5 + 4 * sqrt(2));
    trip("", "  node_capacity: 1\n", 11.5, 9.5);
}

/* Two vehicles under zone control (every node holds one, the home two) on a one-way loop H -> X ->
 * P -> D -> H of lengths 1, 1, 0.5 and 0.5; speed 1 empty and loaded, acceleration 1 (so a drive
 * of length d >= 1 takes d + 1, a shorter one 2 sqrt d); requests at P at 2.5 and 5, loading
 * `load`, unloading 0.5, `idle: home`. Vehicle 1 takes the first: H -> X -> P without a stop (its
 * 2-long drive, 1.5 on each arc), at P at 5.5, holding X until then. Vehicle 2 takes the second at
 * 5 and waits at H for X until 5.5; entering H -> X it finds P held (vehicle 1 loads there), so it
 * brakes to stand at X: a drive of 1, 2 long, at X at 7.5. Vehicle 1 leaves P as it reaches D,
 * sqrt 2 after its loading ends. */
static void brake_run(const char *load, double end, double delivery, double waits, double wait)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: brake\n"
             "time_unit: min\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 2.5\n"
             "    limit: 2\n"
             "    to: amr\n"
             "  - fleet: amr\n"
             "    count: 2\n"
             "    speed: 1\n"
             "    load: %s\n"
             "    unload: 0.5\n"
             "    idle: home\n"
             "    acceleration: 1\n"
             "    to: out\n"
             "  - sink: out\n"
             "network:\n"
             "  nodes: [H, X, P, D]\n"
             "  segments:\n"
             "    - {from: H, to: X, length: 1, one_way: true}\n"
             "    - {from: X, to: P, length: 1, one_way: true}\n"
             "    - {from: P, to: D, length: 0.5, one_way: true}\n"
             "    - {from: D, to: H, length: 0.5, one_way: true}\n"
             "  node_capacity: 1\n"
             "  zones: {H: 2}\n"
             "  at: {in: P, amr: H, out: D}\n",
             load);
    /* Each timed step is rounded to a tick (1e-6 min), half a tick at most: the longest chain here
     * has 12 steps, so 1e-5 holds it and still parts the times of the two rules (0.09, 0.5). */
    struct arun a;
    if (!arun_open(&a, text, end, 2, delivery, 1e-5)) return;
    CHECK_NEAR(kpi(&a.r, a.f, "zone_waits"), waits, 0);
    CHECK_NEAR(kpi(&a.r, a.f, "zone_wait"), wait / (2 * end), 1e-6);
    CHECK_NEAR(kpi(&a.r, a.f, "deadlocks"), 0, 0);
    arun_close(&a);
}

/* Loading 1.5: vehicle 1 leaves P at 7 + sqrt 2, so vehicle 2, standing at X from 7.5, waits there
 * and starts again from standstill: X -> P 2, at P at 9 + sqrt 2, loaded at 10.5 + sqrt 2, at D
 * sqrt 2 later (vehicle 1 went home at 7.5 + 2 sqrt 2), handed over at 11 + 2 sqrt 2, home at 11 +
 * 3 sqrt 2. Deliveries 5 + sqrt 2 and 6 + 2 sqrt 2 after their requests; two waits, 0.5 at H and 7
 * + sqrt 2 - 7.5 at X: sqrt 2 in all. (Had vehicle 2 kept its speed, it would have reached X at 7
 * and waited 0.5 longer.) Loading 0.5: P is given back at 6 + sqrt 2, while vehicle 2 brakes; it
 * stands at X at 7.5 all the same and starts again at once: at P at 9.5, loaded at 10, at D at 10
 * + sqrt 2 (vehicle 1 left it at 6.5 + 2 sqrt 2), handed over 0.5 later, home at 10.5 + 2 sqrt 2.
 * Deliveries 4 + sqrt 2 and 5.5 + sqrt 2 after their requests, one wait of 0.5 (at H). (Keeping
 * its speed to X and stopping there at once, it would have ended at 9 + 3 sqrt 2, 0.09 sooner.) */
static void test_accel_zone_brake(void)
{
    double r2 = sqrt(2);
    brake_run("1.5", 11 + 3 * r2, 5.5 + 1.5 * r2, 2, r2);
    brake_run("0.5", 10.5 + 2 * r2, 4.75 + r2, 1, 0.5);
}

/* The first error of the trip with fleet keys `keys` must contain `want`. */
static void bad(const char *keys, const char *want)
{
    char text[4096];
    trip_text(text, sizeof text, keys, NULL, NULL);
    fleet_trip_error(text, want);
}

static void test_accel_bad(void)
{
    bad("    acceleration: 0\n",
        "fleet.yaml:15:5: error: 'acceleration' of fleet 'amr' must be more than 0");
    bad("    acceleration: 1\n    deceleration: 0\n",
        "fleet.yaml:16:5: error: 'deceleration' of fleet 'amr' must be more than 0");
    bad("    deceleration: 1\n",
        "fleet.yaml:15:5: error: fleet 'amr' has 'deceleration' but no 'acceleration'");
    bad("    acceleration: -1\n", "acceleration");
    bad("    acceleraton: 1\n", "did you mean 'acceleration'");
}

int main(void)
{
    RUN(test_accel_none);
    RUN(test_accel_trapezoid_and_triangle);
    RUN(test_accel_unequal_rates);
    RUN(test_accel_limit);
    RUN(test_accel_tables);
    RUN(test_accel_path_choice);
    RUN(test_accel_zones);
    RUN(test_accel_zone_brake);
    RUN(test_accel_bad);
    return CHECK_DONE();
}
