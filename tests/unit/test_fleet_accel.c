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

/* The trip with fleet keys `keys`, the segments `pd` from P to D (NULL: via_m) and network keys
 * `net`: it must end at `end` with the request's delivery time `delivery` (from its request at 1
 * to its hand-over). */
static void trip_pd(const char *keys, const char *pd, const char *net, double end,
                    double delivery)
{
    char text[4096];
    trip_text(text, sizeof text, keys, pd, net);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), end, 1e-6);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), delivery, 1e-6);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
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
 * home 4 empty; without acceleration 2, 6 and 1. */
static void tables(const char *keys, double hp, double pd, double dh)
{
    char text[4096];
    trip_text(text, sizeof text, keys, NULL, NULL);
    struct tsim_model *m = model_must_load(text, "fleet.yaml");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr");
    const struct tsim__net_paths *p = m->net->paths[f];
    int np = p->nplaces;
    CHECK_NEAR(p->empty[P_HOME * np + P_PICKUP], hp, 1e-12);
    CHECK_NEAR(p->loaded[P_PICKUP * np + 2], pd, 1e-12);
    CHECK_NEAR(p->empty[2 * np + P_HOME], dh, 1e-12);
    tsim_model_destroy(m);
}

static void test_accel_tables(void)
{
    tables("", 2, 6, 1);
    tables("    acceleration: 0.5\n", 4 * sqrt(2), 8, 4);
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
    RUN(test_accel_zones);
    RUN(test_accel_bad);
    return CHECK_DONE();
}
