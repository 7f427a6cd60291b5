/*
 * Fleets on path networks: a trip computed by hand, queueing theory (a single vehicle whose
 * every job starts and ends at its home is an M/G/1 queue), the textbook fleet-sizing case,
 * Little's law on the requests, zone control (the same trip driven node by node; a single-lane
 * corridor that must deadlock, with the cycle named, and the same with a passing lane that must
 * not), and the errors of bad networks and fleets.
 *
 * Statistical checks have the shape of test_validation.c's (tests/unit/reps.h): |mean over
 * replications - theory| <= Student-t half-width + bias allowance, at a Bonferroni level for
 * the file's 20 interval checks (1% family-wise).
 */
#include "blocks/fleet.h"
#include "blocks/network.h"
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 20.0)
#define MAX_REPS 16
#define SEED UINT64_C(20261204)
static int verbose;

#include "reps.h"
#include "model_text.h"
#include "fleet_trip.h"

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "fleet.yaml", diag, size);
}

/* One vehicle, home H; requests at P (times 1 and 2) go to D. Segments: H-P 4 (two-way),
 * P->D 6, D->H 2 (one-way). Empty speed 2, loaded 1; load 1, unload 0.5; idle: home.
 *   r1 at 1: H->P empty 4/2 = 2, at P 3, loaded 4, P->D 6/1 = 6, at D 10, delivered 10.5
 *   r2 (waiting since 2): D->H->P empty (2+4)/2 = 3, at P 13.5, loaded 14.5, at D 20.5,
 *      delivered 21; then home D->H 2/2 = 1: the run ends at 22
 * Request waits 2 and 11.5 (mean 6.75); delivery times 9.5 and 19 (mean 14.25). The vehicle:
 * idle 1, to pickup 5, loading 2, loaded 12, unloading 1, to home 1 of 22; empty travel 6 of 18;
 * one request waits from 2 to 10.5: 8.5 / 22 on average. */
static char trip_yaml[2048]; /* fleet_trip.h's trip with two requests (made in main) */

/* The model of `yaml` with `extra` appended, run to its end: the sim (NULL, and the test failed,
 * when the model does not load), the model in *m, the index of fleet 'amr' in *f, the result in
 * *r (released by the caller when the sim is not NULL). */
static struct tsim_sim *run_text(const char *yaml, const char *extra, struct tsim_model **m,
                                 int *f, struct tsim_result *r)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", yaml, extra);
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", m);
    if (!sim) return NULL;
    *f = tsim_model_find_block(*m, "amr");
    run_to_end(sim, r);
    return sim;
}

/* The trip above, with `extra` appended to its network. */
static void trip(const char *extra)
{
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(trip_yaml, extra, &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), 22, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 2, 0);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&r, f, "deliveries_per_hour"), 2.0 / 22 * 60, 1e-9);
    CHECK_NEAR(kpi(&r, f, "request_wait"), 6.75, 1e-9);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), 14.25, 1e-9);
    CHECK_NEAR(kpi(&r, f, "idle"), 1.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "to_pickup"), 5.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loading"), 2.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loaded"), 12.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "unloading"), 1.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "to_home"), 1.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "blocked"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "utilization"), 21.0 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "empty_travel_share"), 6.0 / 18, 1e-9);
    CHECK_NEAR(kpi(&r, f, "requests_waiting"), 8.5 / 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "requests_waiting_end"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "zone_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "zone_waits"), 0, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_fleet_trip_by_hand(void) { trip(""); }

/* The trip with three requests (at 1, 2, 3) and the fleet key `line` before its `idle: home`,
 * into text[size]. */
static void trip3_with(char *text, size_t size, const char *line)
{
    snprintf(text, size, "%s", trip_yaml);
    char *p = strstr(text, "    limit: 2\n");
    p[11] = '3';
    p = strstr(text, "    idle: home\n");
    snprintf(p, size - (size_t)(p - text), "%s%s", line, strstr(trip_yaml, "    idle: home\n"));
}

/* A sim of `m` run to `t` and cloned, the original destroyed, the clone run to its end: the
 * clone, its result in *r. */
static struct tsim_sim *clone_at(const struct tsim_model *m, double t, struct tsim_result *r)
{
    struct tsim_sim *part = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(part, t);
    struct tsim_sim *copy = tsim_sim_clone(part);
    tsim_sim_destroy(part);
    run_to_end(copy, r);
    return copy;
}

/* With zones on every node, one vehicle never waits: it drives node by node (H->P, P->D, D->H
 * are single segments here) and every time is as above. */
static void test_fleet_trip_with_zones(void) { trip("  node_capacity: 1\n"); }

/* Zone control on a corridor H - D - c - P (lengths 1, 2, 2, both ways), one vehicle per node,
 * two at home H; speed 1, load 1, idle: home. Requests at P at 6 and 12, carried to D.
 *   amr 1 takes r1 at 6: H->D->c->P, at P 11, loaded 12, enters P->c (c is free): at c 14.
 *   amr 2 takes r2 at 12: H->D, at D 13; wants c, held by amr 1 (driving to it): waits.
 *   At 14 amr 1 at c wants D, held by amr 2, which waits for c, held by amr 1: a deadlock. */
static const char corridor_yaml[] = "name: corridor\n"
                                    "time_unit: min\n"
                                    "blocks:\n"
                                    "  - source: in\n"
                                    "    interarrival: 6\n"
                                    "    limit: 2\n"
                                    "    to: amr\n"
                                    "  - fleet: amr\n"
                                    "    count: 2\n"
                                    "    speed: 1\n"
                                    "    load: 1\n"
                                    "    idle: home\n"
                                    "    to: out\n"
                                    "  - sink: out\n"
                                    "network:\n"
                                    "  nodes: [H, D, c, P]\n"
                                    "  segments:\n"
                                    "    - {from: H, to: D, length: 1}\n"
                                    "    - {from: D, to: c, length: 2}\n"
                                    "    - {from: c, to: P, length: 2}\n"
                                    "  at: {in: P, amr: H, out: D}\n"
                                    "  node_capacity: 1\n"
                                    "  zones: {H: 2}\n";

static void test_fleet_zone_deadlock_named(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(corridor_yaml, "fleet.yaml", &m);
    if (!sim) return;
    tsim_sim_run(sim);
    CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
    const char *e = tsim_sim_error(sim);
    CHECK_STR(e ? e : "", "deadlock at 14 min: amr 1 at 'c' waits for 'D' held by amr 2, "
                          "amr 2 at 'D' waits for 'c' held by amr 1");
    CHECK_NEAR(tsim_sim_now(sim), 14, 1e-9);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A clone of a fleet with zones, taken at 13.5 (amr 2 at D, amr 1 driving to c) and run on its
 * own after the original is gone, meets the same deadlock at 14: its zone tables are its own,
 * not the original's (they are reached through pointers that a clone copies). */
static void test_fleet_zone_clone(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(corridor_yaml, "fleet.yaml", &m);
    if (!sim) return;
    tsim_sim_run_until(sim, 13.5);
    struct tsim_sim *c = tsim_sim_clone(sim);
    tsim_sim_destroy(sim);
    tsim_sim_run(c);
    CHECK_EQ(tsim_sim_status(c), TSIM_ESTATE);
    const char *e = tsim_sim_error(c);
    CHECK_STR(e ? e : "", "deadlock at 14 min: amr 1 at 'c' waits for 'D' held by amr 2, "
                          "amr 2 at 'D' waits for 'c' held by amr 1");
    tsim_sim_destroy(c);
    tsim_model_destroy(m);
}

/* The corridor with a passing lane: D -> c -> P one way, and back from P by its own lane
 * P -> c2 -> D (lengths 2, 2). amr 1 as above to P (11), loaded 12, P->c2 at 14; wants D, held
 * by amr 2 (at D since 13, driving D->c since 13 as c is free): waits 14 to 15, when amr 2
 * reaches c and gives D back. amr 1 at D 17, delivers, home at 18. amr 2 at P 17, loaded 18,
 * at c2 20, D 22, delivers, home 23. One wait of 1 in 2 x 23 vehicle-minutes; no deadlock. */
static void test_fleet_zone_passing_lane(void)
{
    char text[2048];
    const char *seg = strstr(corridor_yaml, "    - {from: D, to: c,");
    const char *at = strstr(corridor_yaml, "  at:");
    snprintf(text, sizeof text, "%.*s%s%s",
             (int)(seg - corridor_yaml), corridor_yaml,
             "    - {from: D, to: c, length: 2, one_way: true}\n"
             "    - {from: c, to: P, length: 2, one_way: true}\n"
             "    - {from: P, to: c2, length: 2, one_way: true}\n"
             "    - {from: c2, to: D, length: 2, one_way: true}\n", at);
    char *nodes = strstr(text, "c, P]");
    CHECK(nodes != NULL);
    if (!nodes) return;
    memmove(nodes + 4, nodes, strlen(nodes) + 1);
    memcpy(nodes, "c, c2", 5);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    tsim_sim_run(sim);
    CHECK_EQ(tsim_sim_status(sim), 0);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 23, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&r, f, "zone_waits"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "zone_wait"), 1.0 / 46, 1e-12);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), (17 - 6 + 22 - 12) / 2.0, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The trip with two vehicles, three requests (at 1, 2, 3) and per_vehicle: true.
 *   r1 at 1, amr 1 (both idle, the lower number): at P 3, loaded 4, at D 10, delivered 10.5.
 *   r2 at 2, amr 2: at P 4, loaded 5, at D 11, delivered 11.5, home 12.5, idle until 22.
 *   r3 at 3 waits; amr 1 takes it at 10.5: D->H->P 3, at P 13.5, loaded 14.5, at D 20.5,
 *      delivered 21, home 22: the run ends at 22.
 * amr 1: idle 1, to pickup 2 + 3, loading 2, loaded 12, unloading 1, to home 1; 2 deliveries.
 * amr 2: idle 2 + 9.5, to pickup 2, loading 1, loaded 6, unloading 0.5, to home 1; 1 delivery. */
static void test_fleet_per_vehicle(void)
{
    char text[2048];
    trip3_with(text, sizeof text, "    per_vehicle: true\n");
    char *p = strstr(text, "    count: 1\n");
    memcpy(p, "    count: 2\n", 13);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 22, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "idle"), 12.5 / 44, 1e-9);
    static const char *const st[] = {"idle", "to_pickup", "loading", "loaded", "unloading",
                                     "blocked", "to_home", "zone_wait"};
    static const double want[2][8] = {{1, 5, 2, 12, 1, 0, 1, 0}, {11.5, 2, 1, 6, 0.5, 0, 1, 0}};
    for (int i = 0; i < 2; i++) {
        char name[64];
        for (int k = 0; k < 8; k++) {
            snprintf(name, sizeof name, "vehicle_%d.%s", i + 1, st[k]);
            CHECK_NEAR(kpi(&r, f, name), want[i][k] / 22, 1e-9);
        }
        snprintf(name, sizeof name, "vehicle_%d.utilization", i + 1);
        CHECK_NEAR(kpi(&r, f, name), 1 - want[i][0] / 22, 1e-9);
        snprintf(name, sizeof name, "vehicle_%d.deliveries", i + 1);
        CHECK_NEAR(kpi(&r, f, name), i == 0 ? 2 : 1, 0);
        snprintf(name, sizeof name, "vehicle_%d.empty_travel_share", i + 1);
        CHECK_NEAR(kpi(&r, f, name), i == 0 ? 6.0 / 18 : 3.0 / 9, 1e-9);
    }
    CHECK(tsim_result_find(&r, f, "vehicle_3.idle") == NULL);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Without per_vehicle, a fleet reports no vehicle's KPIs (and its runs' fingerprints stay). */
static void test_fleet_per_vehicle_off(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(trip_yaml, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK(tsim_result_find(&r, f, "idle") != NULL);
    CHECK(tsim_result_find(&r, f, "vehicle_1.idle") == NULL);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The same trip into a buffer of capacity 1 in front of a machine busy for 30: the second
 * delivery waits blocked from 21 until the first entity leaves the buffer at 10.5 + 30... the
 * buffer passes the first on at once, so it holds the second only once the machine is busy:
 * r1 goes buffer -> machine at 10.5 (busy until 40.5); r2 is handed to the empty buffer at 21.
 * A third request (limit 3, at 3) finds the buffer full at its delivery: blocked from 31.5
 * (r3: D->H->P empty 3, at P 24, loaded 25, at D 31, unloaded 31.5) until 40.5.
 * blocked_trip runs it with the fleet key `line` and checks at `t`: three deliveries, `blocked`
 * vehicle time blocked and a mean delivery time of `delivery`. */
static void blocked_trip(const char *line, double t, double blocked, double delivery)
{
    char text[2048];
    trip3_with(text, sizeof text, line);
    char *p = strstr(text, "    to: out\n");
    memcpy(p, "    to: bq \n", 12);
    p = strstr(text, "  - sink: out\n");
    snprintf(p, sizeof text - (size_t)(p - text),
             "  - buffer: bq\n    capacity: 1\n    to: mc\n  - machine: mc\n    process: 30\n"
             "    to: out\n  - sink: out\n%s", strstr(trip_yaml, "network:"));
    p = strstr(text, "out: D}");
    memcpy(p, "bq: D} ", 7);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, t);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "blocked"), blocked / t, 1e-9);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), delivery, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Delivered at 10.5, 21 and 40.5 (requested at 1, 2, 3). */
static void test_fleet_blocked_hand_over(void) { blocked_trip("", 41, 40.5 - 31.5, 66.0 / 3); }

/* The same with `capacity: 3`: r1, r2 (waiting since 2) and r3 (since 3) load from 3 to 6, at D
 * 12; r1 is unloaded at 12.5 and goes on to mc (busy until 42.5), r2 at 13 into bq, which is
 * then full: r3, unloaded at 13.5, waits blocked with the vehicle until mc takes r2 from bq at
 * 42.5. Delivery times 11.5, 11 and 39.5. */
static void test_fleet_capacity_blocked(void)
{
    blocked_trip("    capacity: 3\n", 45, 42.5 - 13.5, 62.0 / 3);
}

/* A single vehicle whose home is the drop node: every job starts and ends there, so with Poisson
 * requests it is an M/G/1 queue whose service is the empty leg D->P (3), loading uniform(0, 2),
 * the loaded leg P->D (4) and unloading (1): E[S] = 9, Var[S] = 4/12, E[S^2] = 81 + 1/3.
 * lambda = 0.08: rho = 0.72, Pollaczek-Khinchine Wq = lambda E[S^2] / (2 (1 - rho)). A request
 * waits Wq for its vehicle plus the empty leg before loading; it is delivered after Wq + E[S]. */
static const char mg1_yaml[] = "name: mg1\n"
                               "time_unit: min\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: exponential(12.5)\n"
                               "    to: agv\n"
                               "  - fleet: agv\n"
                               "    count: 1\n"
                               "    speed: 1\n"
                               "    load: uniform(0, 2)\n"
                               "    unload: 1\n"
                               "    idle: home\n"
                               "    to: out\n"
                               "  - sink: out\n"
                               "network:\n"
                               "  nodes: [P, D]\n"
                               "  segments:\n"
                               "    - {from: P, to: D, length: 4, one_way: true}\n"
                               "    - {from: D, to: P, length: 3, one_way: true}\n"
                               "  at: {in: P, agv: D, out: D}\n";

static void test_fleet_single_vehicle_is_mg1(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(mg1_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "agv");
    const double lambda = 0.08, es = 9, es2 = 81 + 1.0 / 3, rho = lambda * es;
    const double wq = lambda * es2 / (2 * (1 - rho));
    const double warm = 5000, window = 200000, tau = mm1_tau(rho, 1 / es);
    const double l = lambda * (wq + es);
    struct reps x;
    run_reps(&x, m, MAX_REPS, warm, warm + window);
    CHECK_KPI(&x, f, "utilization", rho, bias_allowance(rho, warm, tau, l, lambda, window));
    CHECK_KPI(&x, f, "request_wait", wq + 3, bias_allowance(wq + 3, warm, tau, l, lambda, window));
    CHECK_KPI(&x, f, "delivery_time", wq + es, bias_allowance(wq + es, warm, tau, l, lambda, window));
    CHECK_KPI(&x, f, "requests_waiting", lambda * wq,
              bias_allowance(lambda * wq, warm, tau, l, lambda, window));
    CHECK_KPI(&x, f, "deliveries_per_hour", 60 * lambda,
              bias_allowance(60 * lambda, warm, tau, l, lambda, window));
    /* Little's law on the requests: those in the fleet (waiting or carried) = throughput x
     * delivery time. */
    CHECK_LITTLE(&x, f, "content", "delivery_time", l * exp(-warm / tau));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* The textbook fleet-sizing case: one pickup and one drop station on a one-way loop, loaded leg
 * 250 ft, return leg 300 ft, 200 ft/min, 1.5 min handling per delivery (0.75 to load, 0.75 to
 * unload), 40 deliveries/h. A delivery cycle is 250/200 + 300/200 + 1.5 = 4.25 min, the workload
 * 40 x 4.25 = 170 min/h. The vehicles wait at the drop station (their home), so every delivery
 * takes exactly one cycle: n vehicles are busy 170 / (60 n) of the time when n >= 3. */
static const char sizing_yaml[] = "name: sizing\n"
                                  "time_unit: min\n"
                                  "blocks:\n"
                                  "  - source: requests\n"
                                  "    interarrival: exponential(1.5)\n"
                                  "    to: amr\n"
                                  "  - fleet: amr\n"
                                  "    count: 3\n"
                                  "    speed: 200\n"
                                  "    load: 0.75\n"
                                  "    unload: 0.75\n"
                                  "    to: drop\n"
                                  "  - sink: drop\n"
                                  "network:\n"
                                  "  nodes: [pickup, dropoff]\n"
                                  "  segments:\n"
                                  "    - {from: pickup, to: dropoff, length: 250, one_way: true}\n"
                                  "    - {from: dropoff, to: pickup, length: 300, one_way: true}\n"
                                  "  at: {requests: pickup, amr: dropoff, drop: dropoff}\n";

static void sizing(int n)
{
    char diag[512] = "";
    struct tsim_model *m = load(sizing_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr");
    CHECK_EQ(tsim_block_set_number(m, f, "count", n), 0);
    const double lambda = 40.0 / 60, cycle = 4.25, u = 170.0 / (60 * n);
    struct reps x;
    if (n >= 3) {
        /* Relaxation: an M/M/1 of the fleet's load at the fleet's rate bounds the M/D/n's. */
        const double warm = 20000, window = 200000, tau = mm1_tau(u, n / cycle);
        const double l = lambda * 2 * cycle + 10; /* above the mean content */
        run_reps(&x, m, 10, warm, warm + window);
        CHECK_KPI(&x, f, "utilization", u, bias_allowance(u, warm, tau, l, lambda, window));
        CHECK_KPI(&x, f, "deliveries_per_hour", 40, bias_allowance(40, warm, tau, l, lambda, window));
        CHECK_LITTLE(&x, f, "content", "delivery_time", l * exp(-warm / tau));
    } else {
        /* Two vehicles deliver at most 2 x 60 / 4.25 = 28.2 per hour: the queue grows by
         * 40 - 28.2 = 11.8 requests an hour, and the fleet never idles once it is loaded. From
         * time 0 over T, the queue at the end is (lambda - n / cycle) T, off by at most the
         * n requests on vehicles and the first empty legs (n + 1 requests). */
        const double T = 20000;
        run_reps(&x, m, 10, 0, T);
        double growth[MAX_REPS];
        for (int i = 0; i < x.n; i++) growth[i] = kpi(&x.r[i], f, "requests_waiting_end") / T;
        CHECK_CI("queue growth per minute", growth, x.n, lambda - n / cycle, (n + 1) / T);
        CHECK_KPI(&x, f, "deliveries_per_hour", 60 * n / cycle, 60 * (n + 1) / T);
        CHECK_KPI(&x, f, "utilization", 1, 1.5 / T); /* idle only during the first arrival */
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

static void test_fleet_sizing_2_cannot_keep_up(void) { sizing(2); }
static void test_fleet_sizing_3(void) { sizing(3); }
static void test_fleet_sizing_4(void) { sizing(4); }

/* Two pickup places: blocks a1 and a2 at node A, b at node B; one vehicle at home H, speed 1,
 * load 1, unload 1, idle: stay, every segment both ways: H-A 2, H-B 1, A-D 3, B-D 5.
 *   r1 (a1) at 1: H->A 2, at A 3, loaded 4, A->D 3, at D 7, delivered 8.
 *   r2 (b) at 2 and r3 (a2, at A as a1) at 5 wait. At 8 the vehicle takes the oldest, r2,
 *      though A is nearer: D->B 5 (D-A-H-B is 6), at B 13, loaded 14, at D 19, delivered 20.
 *   r3: D->A 3, at A 23, loaded 24, at D 27, delivered 28: the run ends at 28.
 * Delivery times 7, 18, 23; request waits 2, 11, 18. The vehicle: idle 1, to pickup 2 + 5 + 3,
 * loading 3, loaded 3 + 5 + 3, unloading 3 of 28; empty travel 10 of 21. */
static const char pickups_yaml[] = "name: pickups\n"
                                   "time_unit: min\n"
                                   "blocks:\n"
                                   "  - source: a1\n"
                                   "    interarrival: 1\n"
                                   "    limit: 1\n"
                                   "    to: amr\n"
                                   "  - source: b\n"
                                   "    interarrival: 2\n"
                                   "    limit: 1\n"
                                   "    to: amr\n"
                                   "  - source: a2\n"
                                   "    interarrival: 5\n"
                                   "    limit: 1\n"
                                   "    to: amr\n"
                                   "  - fleet: amr\n"
                                   "    count: 1\n"
                                   "    speed: 1\n"
                                   "    load: 1\n"
                                   "    unload: 1\n"
                                   "    to: out\n"
                                   "  - sink: out\n"
                                   "network:\n"
                                   "  nodes: [H, A, B, D]\n"
                                   "  segments:\n"
                                   "    - {from: H, to: A, length: 2}\n"
                                   "    - {from: H, to: B, length: 1}\n"
                                   "    - {from: A, to: D, length: 3}\n"
                                   "    - {from: B, to: D, length: 5}\n"
                                   "  at: {a1: A, a2: A, b: B, amr: H, out: D}\n";

static void test_fleet_two_pickups_by_hand(void)
{
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(pickups_yaml, "", &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), (7 + 18 + 23) / 3.0, 1e-9);
    CHECK_NEAR(kpi(&r, f, "request_wait"), (2 + 11 + 18) / 3.0, 1e-9);
    CHECK_NEAR(kpi(&r, f, "idle"), 1.0 / 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "to_pickup"), 10.0 / 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loading"), 3.0 / 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loaded"), 11.0 / 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "unloading"), 3.0 / 28, 1e-9);
    CHECK_NEAR(kpi(&r, f, "empty_travel_share"), 10.0 / 21, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The model of `text` cloned at 10 and the clone run on its own after the original is gone: the
 * end 28, mean delivery time `delivery`, and the fingerprint of the run without a clone. */
static void pickups_clone(const char *text, double delivery)
{
    struct tsim_model *m;
    struct tsim_sim *whole = sim_from_text(text, "fleet.yaml", &m);
    if (!whole) return;
    struct tsim_result r;
    run_to_end(whole, &r);
    tsim_result_release(&r);
    struct tsim_sim *copy = clone_at(m, 10, &r);
    CHECK_NEAR(tsim_sim_now(copy), 28, 1e-9);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "amr"), "delivery_time"), delivery, 1e-9);
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(copy));
    tsim_result_release(&r);
    tsim_sim_destroy(copy);
    tsim_sim_destroy(whole);
    tsim_model_destroy(m);
}

/* The two pickups cloned at 10 (the vehicle driving to B, r3 waiting at A) and the clone run on
 * its own after the original is gone: the same end and fingerprint as the run without a clone
 * (a waiting request keeps its pickup in the clone). */
static void test_fleet_two_pickups_clone(void) { pickups_clone(pickups_yaml, 16); }

/* An entity put into the fleet from outside the flow (tsim_block_inject) is picked up at the
 * first pickup, the node A of a1: injected at 0, the vehicle is at A at 2 and loads until 3 (at
 * B, 1 away, it would load from 1 to 2). At 2.5 it has loaded for 0.5 of 2.5. */
static void test_fleet_two_pickups_inject(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(pickups_yaml, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    CHECK_EQ(tsim_block_inject(sim, f, 0, 1), 1);
    tsim_sim_run_until(sim, 2.5);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, f, "to_pickup"), 2 / 2.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loading"), 0.5 / 2.5, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A second pickup with no way out (B is reached only by one-way segments): the error names it,
 * the destination and the fleet, at the fleet's line. */
static void test_fleet_two_pickups_disconnected(void)
{
    char text[4096], diag[1024] = "";
    const char *net = strstr(pickups_yaml, "network:");
    snprintf(text, sizeof text, "%.*s%s", (int)(net - pickups_yaml), pickups_yaml,
             "network:\n"
             "  nodes: [H, A, B, D]\n"
             "  segments:\n"
             "    - {from: H, to: A, length: 2}\n"
             "    - {from: H, to: B, length: 1, one_way: true}\n"
             "    - {from: A, to: D, length: 3}\n"
             "    - {from: D, to: B, length: 5, one_way: true}\n"
             "  at: {a1: A, a2: A, b: B, amr: H, out: D}\n");
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    tsim_model_destroy(m);
    CHECK_STR(diag, "fleet.yaml:16:5: error: no path from 'b' to 'out' for fleet 'amr': the "
                    "network is not connected there\n");
}

/* Bad networks and fleets: each a FILE:LINE:COL error. */
static void expect_error(const char *from, const char *to, const char *want)
{
    char text[4096], diag[1024] = "";
    const char *p = strstr(sizing_yaml, from);
    CHECK(p != NULL);
    if (!p) return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(p - sizing_yaml), sizing_yaml, to,
             p + strlen(from));
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    tsim_model_destroy(m);
    if (!strstr(diag, want)) {
        fprintf(stderr, "  got: %s  want: %s\n", diag, want);
        check_failed_ = 1;
    }
}

static void test_fleet_bad_input(void)
{
    expect_error("{from: dropoff, to: pickup,", "{from: dropoff, to: pikcup,",
                 "fleet.yaml:18:27: error: undefined node 'pikcup' (did you mean 'pickup'?)");
    expect_error("length: 300", "length: 0", "fleet.yaml:18:43: error: 'length' must be more than 0, not 0");
    expect_error("length: 300", "length: -3", "error: 'length' must be more than 0, not -3");
    expect_error("  nodes: [pickup, dropoff]\n  segments:\n"
                 "    - {from: pickup, to: dropoff, length: 250, one_way: true}\n"
                 "    - {from: dropoff, to: pickup, length: 300, one_way: true}",
                 "  nodes: [pickup, dropoff, x]\n  segments:\n"
                 "    - {from: pickup, to: dropoff, length: 250, one_way: true}\n"
                 "    - {from: x, to: pickup, length: 300, one_way: true}",
                 "fleet.yaml:7:5: error: fleet 'amr' has no path from its home 'dropoff' to "
                 "'requests' (node 'pickup'): the network is not connected there");
    expect_error("amr: dropoff, drop: dropoff}", "amr: dropoff}",
                 "error: fleet 'amr' carries to block 'drop', which stands at no node");
    expect_error("  at: {requests: pickup,", "  at: {rquests: pickup,",
                 "fleet.yaml:19:8: error: undefined block 'rquests' (did you mean 'requests'?)");
    expect_error("network:", "netwrk:", "error: unknown top-level key 'netwrk' (did you mean 'network'?)");
    expect_error("    speed: 200\n", "    speed: 0\n", "error: 'speed' of fleet 'amr' must be more than 0");
    expect_error("amr: dropoff, ", "amr: far, ", "undefined node 'far'");
    const char *at = "drop: dropoff}\n";
    expect_error(at, "drop: dropoff}\n  zones: {dropof: 1}\n",
                 "fleet.yaml:20:11: error: undefined node 'dropof' (did you mean 'dropoff'?)");
    expect_error(at, "drop: dropoff}\n  zones: {dropoff: 0}\n",
                 "fleet.yaml:20:20: error: a zone's capacity must be at least 1, got '0'");
    expect_error(at, "drop: dropoff}\n  zones: [dropoff]\n",
                 "fleet.yaml:20:11: error: 'zones' must be a mapping, not a list");
    expect_error(at, "drop: dropoff}\n  node_capacity: x\n",
                 "fleet.yaml:20:18: error: 'node_capacity' must be a whole number, got 'x'");
    /* Three vehicles start at a home that holds one: at the home's zone capacity, its entry in
     * `zones`, else `node_capacity`. */
    expect_error(at, "drop: dropoff}\n  zones: {dropoff: 1}\n",
                 "fleet.yaml:20:11: error: fleet 'amr' has 3 vehicles at its home 'dropoff', which "
                 "holds 1 (its zone capacity)");
    expect_error(at, "drop: dropoff}\n  node_capacity: 2\n  zones: {pickup: 3}\n",
                 "fleet.yaml:20:3: error: fleet 'amr' has 3 vehicles at its home 'dropoff', which "
                 "holds 2 (its zone capacity)");
}

/* `capacity: 2` on the trip with three requests (at 1, 2, 3):
 *   r1 at 1: H->P 2, at P 3, loaded 4; r2 waits (since 2): loaded 4 to 5; full, r3 waits.
 *   P->D 6, at D 11: r1 unloaded and delivered 11.5, r2 12.
 *   r3: D->H->P 3, at P 15, loaded 16, nothing more waits: at D 22, delivered 22.5, home 23.5.
 * Delivery times 10.5, 10, 19.5; request waits 2, 2, 12. The vehicle: idle 1, to pickup 2 + 3,
 * loading 3, loaded 12, unloading 1.5, to home 1 of 23.5. (One a trip, r3 is delivered at
 * 31.5.) */
static void test_fleet_capacity_by_hand(void)
{
    char text[2048];
    trip3_with(text, sizeof text, "    capacity: 2\n");
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(text, "", &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), 40.0 / 3, 1e-9);
    CHECK_NEAR(kpi(&r, f, "request_wait"), 16.0 / 3, 1e-9);
    CHECK_NEAR(kpi(&r, f, "idle"), 1 / 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "to_pickup"), 5 / 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loading"), 3 / 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loaded"), 12 / 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "unloading"), 1.5 / 23.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "to_home"), 1 / 23.5, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Drops nearest first: one vehicle of capacity 3 at home at the pickup P, load 1.5, unload 0.5,
 * speed 1, requests at 1, 2, 3 sent in turn to o1 (node D1), o2 (D2), o1; segments both ways
 * P-D1 6, P-D2 2, D2-D1 3.
 *   r1 loads 1 to 2.5, r2 (waiting since 2) 2.5 to 4, r3 (since 3) 4 to 5.5: full.
 *   The nearest drop is D2 (2; D1 is 5): at 7.5, r2 delivered 8; D2->D1 3, at 11: r1
 *   delivered 11.5, r3 12. The run ends at 12.
 * Delivery times 10.5, 6, 9; request waits 0, 0.5, 1. The vehicle: idle 1, loading 4.5,
 * loaded 5, unloading 1.5 of 12. */
static const char drops_yaml[] = "name: drops\n"
                                 "time_unit: min\n"
                                 "blocks:\n"
                                 "  - source: in\n"
                                 "    interarrival: 1\n"
                                 "    limit: 3\n"
                                 "    to: amr\n"
                                 "  - fleet: amr\n"
                                 "    count: 1\n"
                                 "    capacity: 3\n"
                                 "    speed: 1\n"
                                 "    load: 1.5\n"
                                 "    unload: 0.5\n"
                                 "    to: {rule: round_robin, among: [o1, o2]}\n"
                                 "  - sink: o1\n"
                                 "  - sink: o2\n"
                                 "network:\n"
                                 "  nodes: [P, D1, D2]\n"
                                 "  segments:\n"
                                 "    - {from: P, to: D1, length: 6}\n"
                                 "    - {from: P, to: D2, length: 2}\n"
                                 "    - {from: D2, to: D1, length: 3}\n"
                                 "  at: {in: P, amr: P, o1: D1, o2: D2}\n";

static void drops_nearest_first(const char *extra)
{
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(drops_yaml, extra, &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), 12, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), 8.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "request_wait"), 0.5, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loading"), 4.5 / 12, 1e-9);
    CHECK_NEAR(kpi(&r, f, "loaded"), 5.0 / 12, 1e-9);
    CHECK_NEAR(kpi(&r, f, "unloading"), 1.5 / 12, 1e-9);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "o2"), "entered"), 1, 0);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "o1"), "entered"), 2, 0);
    tsim_result_release(&r);
    /* Cloned at 11.2 (r1 unloading at D1, r3 still on board): the same end and fingerprint. */
    struct tsim_sim *copy = clone_at(m, 11.2, &r);
    CHECK_NEAR(tsim_sim_now(copy), 12, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK(tsim_sim_fingerprint(sim) == tsim_sim_fingerprint(copy));
    tsim_result_release(&r);
    tsim_sim_destroy(copy);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_fleet_capacity_drops_nearest_first(void) { drops_nearest_first(""); }

/* The same with zone control (one vehicle a node): the vehicle drives node by node, P -> D2 ->
 * D1 being single segments, and never waits: every time as above. */
static void test_fleet_capacity_with_zones(void) { drops_nearest_first("  node_capacity: 1\n"); }

/* Deliveries an hour rise with the capacity under load: the single vehicle of mg1_yaml (empty
 * leg 3, loading uniform(0, 2), loaded leg 4, unloading 1) with a request every 3 minutes on
 * average (20 an hour). With c loads a trip a busy vehicle's trip takes 7 + 2c on average and
 * carries c: at most 60 c / (7 + 2c) an hour, 6.67, 10.9 and 16 for c = 1, 2, 4, each below 20,
 * so the queue grows in all three. After a warm-up of 2,000 minutes (a queue of hundreds) it
 * never falls below c again, and every trip carries c: the deliveries over the window are a
 * renewal count of trips, off by at most one trip (c deliveries) at each end. */
static void test_fleet_capacity_raises_deliveries(void)
{
    char text[2048];
    snprintf(text, sizeof text, "%s", mg1_yaml);
    char *p = strstr(text, "exponential(12.5)");
    memcpy(p, "exponential(3)   ", 17);
    char diag[512] = "";
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "agv");
    const double warm = 2000, window = 50000;
    for (int c = 1; c <= 4; c *= 2) {
        CHECK_EQ(tsim_block_set_number(m, f, "capacity", c), 0);
        struct reps x;
        run_reps(&x, m, 10, warm, warm + window);
        CHECK_KPI(&x, f, "deliveries_per_hour", 60.0 * c / (7 + 2 * c), 60 * 2.0 * c / window);
        reps_release(&x);
    }
    tsim_model_destroy(m);
}

/* A capacity that is not a whole number of at least 1: at its place. */
static void test_fleet_capacity_bad(void)
{
    expect_error("    count: 3\n", "    count: 3\n    capacity: 0\n",
                 "fleet.yaml:9:15: error: 'capacity' must be at least 1, got '0'\n");
    expect_error("    count: 3\n", "    count: 3\n    capacity: 1.5\n",
                 "fleet.yaml:9:15: error: 'capacity' must be a whole number, got '1.5'\n");
}

/* Node names are found by a hash: over 5,000 nodes (several growths of the table) each name finds
 * its own index, a name not added finds none, and a name added twice is refused. */
static void test_fleet_node_lookup(void)
{
    struct tsim__network *n = tsim__net_create();
    char name[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "n%d", i);
        CHECK_EQ(tsim__net_add_node(n, name), i);
    }
    int found = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "n%d", i);
        found += tsim__net_find(n, name) == i;
    }
    CHECK_EQ(found, 5000);
    CHECK_EQ(tsim__net_find(n, "n5000"), -1);
    CHECK_EQ(tsim__net_find(n, ""), -1);
    CHECK_EQ(tsim__net_add_node(n, "n4999"), -1);
    CHECK_EQ(tsim__net_add_node(n, "n0"), -1);
    tsim__net_destroy(n);
    expect_error("  nodes: [pickup, dropoff]", "  nodes: [pickup, dropoff, pickup]",
                 "fleet.yaml:15:28: error: duplicate node 'pickup'");
}

/* A disconnected network: the error names both blocks and the fleet. */
static void test_fleet_disconnected(void)
{
    expect_error("  nodes: [pickup, dropoff]\n"
                 "  segments:\n"
                 "    - {from: pickup, to: dropoff, length: 250, one_way: true}\n",
                 "  nodes: [pickup, dropoff, x]\n"
                 "  segments:\n"
                 "    - {from: pickup, to: x, length: 250}\n",
                 "fleet.yaml:7:5: error: no path from 'requests' to 'drop' for fleet 'amr': "
                 "the network is not connected there\n");
}

/* `deliver_within` on the trip computed by hand above (delivery times 9.5 and 19): a request
 * delivered later than the target after it came is late, one delivered exactly at it is not;
 * without the key the two KPIs are not reported. The target may carry a unit; a distribution is
 * refused. */
static void deliver_within_case(const char *within, double late, double share)
{
    char text[4096], key[64];
    const char *p = strstr(trip_yaml, "    idle: home\n");
    CHECK(p != NULL);
    if (!p) return;
    snprintf(key, sizeof key, "    deliver_within: %s\n", within);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(p - trip_yaml), trip_yaml, key, p);
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(text, "", &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(kpi(&r, f, "delivery_time"), 14.25, 1e-9);
    CHECK_NEAR(kpi(&r, f, "late_deliveries"), late, 0);
    CHECK_NEAR(kpi(&r, f, "on_time_share"), share, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_fleet_deliver_within(void)
{
    deliver_within_case("9", 2, 0);
    deliver_within_case("9.5", 1, 0.5);
    deliver_within_case("570s", 1, 0.5);
    deliver_within_case("10", 1, 0.5);
    deliver_within_case("19", 0, 1);
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(trip_yaml, "", &m, &f, &r);
    if (sim) {
        CHECK(tsim_result_find(&r, f, "late_deliveries") == NULL);
        CHECK(tsim_result_find(&r, f, "on_time_share") == NULL);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    expect_error("    count: 3\n", "    count: 3\n    deliver_within: uniform(4, 6)\n",
                 "fleet.yaml:7:5: error: 'deliver_within' of fleet 'amr' must be a fixed time (a "
                 "number, or with a unit such as 5min), not a distribution\n");
    expect_error("    count: 3\n", "    count: 3\n    deliver_within: soon\n",
                 "fleet.yaml:9:21: error:");
}

/* Dispatching rules ------------------------------------------------------------------------- */

/* `text` (room for `size`) with `line` put in after the first `anchor`. */
static void insert_after(char *text, size_t size, const char *anchor, const char *line)
{
    char *p = strstr(text, anchor);
    CHECK(p != NULL);
    if (!p) return;
    p += strlen(anchor);
    size_t n = strlen(line), rest = strlen(p) + 1;
    CHECK(p + n + rest <= text + size);
    if (p + n + rest > text + size) return;
    memmove(p + n, p, rest);
    memcpy(p, line, n);
}

/* The two pickups with products lo and hi (a1 lo, b `b_product`, a2 `a2_product`) and the fleet
 * keys `fleet` after its count, into text[size]. */
static void pickups_with(char *text, size_t size, const char *b_product, const char *a2_product,
                         const char *fleet)
{
    char line[128];
    snprintf(text, size, "%s", pickups_yaml);
    insert_after(text, size, "time_unit: min\n", "products: [lo, hi]\n");
    insert_after(text, size, "  - source: a1\n", "    product: lo\n");
    snprintf(line, sizeof line, "    product: %s\n", b_product);
    insert_after(text, size, "  - source: b\n", line);
    snprintf(line, sizeof line, "    product: %s\n", a2_product);
    insert_after(text, size, "  - source: a2\n", line);
    insert_after(text, size, "    count: 1\n", fleet);
}

/* The two pickups run to the end: its end, mean delivery time and request wait. */
static void pickups_expect(const char *text, double end, double delivery, double wait)
{
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(text, "", &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), end, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), delivery, 1e-9);
    CHECK_NEAR(kpi(&r, f, "request_wait"), wait, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The two pickups with `request_choice: nearest`: at 8 the vehicle at D has r2 (at B, since 2)
 * and r3 (at A, since 5) waiting; A is 3 away, B 5, so it takes r3, the later:
 *   r3: D->A 3, at A 11, loaded 12, A->D 3, at D 15, delivered 16.
 *   r2: D->B 5, at B 21, loaded 22, B->D 5, at D 27, delivered 28: the run ends at 28, as with
 *   `oldest`, but r3 is delivered 12 earlier and r2 5 later.
 * Delivery times 7, 11, 26 (7, 18, 23 with `oldest`); request waits 2, 6, 19 (2, 11, 18). */
static void test_fleet_request_nearest_by_hand(void)
{
    char text[4096];
    pickups_with(text, sizeof text, "lo", "lo", "    request_choice: nearest\n");
    pickups_expect(text, 28, 44.0 / 3, 9);
    /* `oldest` written out is the default: the times of test_fleet_two_pickups_by_hand. */
    pickups_with(text, sizeof text, "lo", "lo", "    request_choice: oldest\n");
    pickups_expect(text, 28, 48.0 / 3, 31.0 / 3);
}

/* Priority first, then the rule. r3 (a2) of product hi with `priority: {hi: 1}` overtakes the
 * older r2 under `oldest`: the times of `nearest` above. r2 (b) of product hi under `nearest`
 * goes first though B is farther: the times of `oldest`. A priority below 0 is below the
 * products not named: r2 of lo at -1 under `oldest` waits for r3 (hi, not named, 0). */
static void test_fleet_request_priority_by_hand(void)
{
    char text[4096];
    pickups_with(text, sizeof text, "lo", "hi", "    priority: {hi: 1}\n");
    pickups_expect(text, 28, 44.0 / 3, 9);
    pickups_with(text, sizeof text, "hi", "lo",
                 "    priority: {hi: 1}\n    request_choice: nearest\n");
    pickups_expect(text, 28, 48.0 / 3, 31.0 / 3);
    pickups_with(text, sizeof text, "lo", "hi", "    priority: {lo: -1}\n");
    pickups_expect(text, 28, 44.0 / 3, 9);
}

/* `nearest` cloned at 10 (the vehicle driving to A for r3, r2 waiting at B) and the clone run on
 * its own after the original is gone: the same end and fingerprint as the run without it. */
static void test_fleet_request_nearest_clone(void)
{
    char text[4096];
    pickups_with(text, sizeof text, "lo", "hi",
                 "    request_choice: nearest\n    priority: {hi: 1, lo: 0}\n");
    pickups_clone(text, 44.0 / 3);
}

/* The first error of the two pickups with the fleet keys `fleet`: `want`. */
static void pickups_error(const char *fleet, const char *want)
{
    char text[4096], diag[1024] = "";
    pickups_with(text, sizeof text, "lo", "hi", fleet);
    model_first_error(text, "fleet.yaml", diag, sizeof diag);
    CHECK_STR(diag, want);
}

/* Bad dispatching keys, each at its place. */
static void test_fleet_request_bad(void)
{
    pickups_error("    priority: {hii: 1}\n",
                  "fleet.yaml:22:16: error: undefined product 'hii' (did you mean 'hi'?)");
    pickups_error("    priority: {hi: 1.5}\n",
                  "fleet.yaml:22:20: error: a priority must be a whole number, got '1.5'");
    pickups_error("    priority: {hi: 5000}\n",
                  "fleet.yaml:22:20: error: a priority must be at most 1000, got '5000'");
    pickups_error("    priority: [hi]\n", "fleet.yaml:22:16: error: 'priority' (a mapping of "
                                           "products to whole numbers) must be a mapping, not a "
                                           "list");
    pickups_error("    request_choice: nearst\n",
                  "fleet.yaml:22:21: error: unknown request choice 'nearst' (did you mean "
                  "'nearest'?)");
}

/* Parking -------------------------------------------------------------------------------------
 *
 * Two vehicles at home H, requests at 1 and 2 from P to D, speed 1, load 1, unload 1, `idle:
 * parking` with K1 (1 place, 1 from D) and K2 (unlimited, 3 from D); segments both ways H-P 2,
 * P-D 4, D-K1 1, D-K2 3.
 *   r1 at 1, amr 1: H->P 2, at P 3, loaded 4, P->D 4, at D 8, delivered 9; to K1, there at 10.
 *   r2 at 2, amr 2: at P 4, loaded 5, at D 9, delivered 10; K1 holds amr 1: to K2, there at 13.
 * The run ends at 13. Vehicle time 26: to_home 1 + 3, idle 1 + 3 (amr 1) and 2 (amr 2). */
static const char park_yaml[] = "name: park\n"
                                "time_unit: min\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 1\n"
                                "    limit: 2\n"
                                "    to: amr\n"
                                "  - fleet: amr\n"
                                "    count: 2\n"
                                "    speed: 1\n"
                                "    load: 1\n"
                                "    unload: 1\n"
                                "    idle: parking\n"
                                "    parking: {K1: 1, K2: unlimited}\n"
                                "    to: out\n"
                                "  - sink: out\n"
                                "network:\n"
                                "  nodes: [H, P, D, K1, K2]\n"
                                "  segments:\n"
                                "    - {from: H, to: P, length: 2}\n"
                                "    - {from: P, to: D, length: 4}\n"
                                "    - {from: D, to: K1, length: 1}\n"
                                "    - {from: D, to: K2, length: 3}\n"
                                "  at: {in: P, amr: H, out: D}\n";

/* The parking model with `from` replaced by `to` run to its end: its end, and the nodes the two
 * vehicles stand at then. */
static void park_expect(const char *from, const char *to, double end, double to_home,
                        const char *node1, const char *node2)
{
    char text[4096];
    const char *p = strstr(park_yaml, from);
    CHECK(p != NULL);
    if (!p) return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(p - park_yaml), park_yaml, to, p + strlen(from));
    struct tsim_model *m;
    struct tsim_result r;
    int f;
    struct tsim_sim *sim = run_text(text, "", &m, &f, &r);
    if (!sim) return;
    CHECK_NEAR(tsim_sim_now(sim), end, 1e-9);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(&r, f, "to_home"), to_home / (2 * end), 1e-9);
    const struct tsim__network *net = m->net;
    CHECK_STR(net->node[tsim__fleet_vehicle_node(sim, f, 0)], node1);
    CHECK_STR(net->node[tsim__fleet_vehicle_node(sim, f, 1)], node2);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* K1 full: amr 2 parks at K2. With 2 places at K1 both park there (amr 2 at 11); with 1 place
 * at K2 (room for amr 2) as with unlimited. */
static void test_fleet_parking_by_hand(void)
{
    park_expect("{K1: 1,", "{K1: 1,", 13, 4, "K1", "K2");
    park_expect("{K1: 1,", "{K1: 2,", 11, 2, "K1", "K1");
    park_expect("K2: unlimited}", "K2: 1}", 13, 4, "K1", "K2");
    /* A drop at a parking node with room: the vehicles stay there, no parking drive. */
    park_expect("{K1: 1, K2: unlimited}", "{D: 2, K1: 1}", 10, 0, "D", "D");
}

/* Bad parking input, each at its place. */
static void park_error(const char *from, const char *to, const char *want)
{
    char text[4096], diag[1024] = "";
    const char *p = strstr(park_yaml, from);
    CHECK(p != NULL);
    if (!p) return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(p - park_yaml), park_yaml, to, p + strlen(from));
    model_first_error(text, "fleet.yaml", diag, sizeof diag);
    CHECK_STR(diag, want);
}

static void test_fleet_parking_bad(void)
{
    park_error("{K1: 1,", "{K3: 1,",
               "fleet.yaml:14:15: error: undefined node 'K3' (did you mean 'K1'?)");
    park_error("{K1: 1,", "{K1: 0,",
               "fleet.yaml:14:19: error: a parking's places must be at least 1, got '0'");
    park_error("K2: unlimited}", "K1: 2}", "fleet.yaml:14:22: error: duplicate key 'K1'");
    /* K2 reached by a one-way segment only: no way out of it. */
    park_error("{from: D, to: K2, length: 3}", "{from: D, to: K2, length: 3, one_way: true}",
               "fleet.yaml:14:22: error: fleet 'amr' has no path from parking 'K2' to its home "
               "(node 'H'): the network is not connected there");
    park_error("    parking: {K1: 1, K2: unlimited}\n", "",
               "fleet.yaml:13:5: error: fleet 'amr' has 'idle: parking' but no 'parking' (give "
               "its nodes: {NODE: places, ...})");
    park_error("    idle: parking\n", "    idle: home\n",
               "fleet.yaml:14:5: error: fleet 'amr' has 'parking' but its 'idle' is not "
               "'parking', so no vehicle would park");
    /* Under zone control (more in test_fleet_zones.c). */
    park_error("  at: {in: P, amr: H, out: D}\n",
               "  at: {in: P, amr: H, out: D}\n  zones: {K2: 1}\n",
               "fleet.yaml:14:22: error: parking 'K2' of fleet 'amr' has unlimited places but its "
               "node holds 1 vehicle (its zone capacity): under zone control its places must fit "
               "in its zone");
}

/* The fleet's key errors found by its check are reported at the key, not at the fleet. */
static void test_fleet_key_errors_at_key(void)
{
    expect_error("    speed: 200\n", "    speed: 0\n",
                 "fleet.yaml:9:5: error: 'speed' of fleet 'amr' must be more than 0");
    expect_error("    speed: 200\n", "    speed: 200\n    speed_loaded: 0\n",
                 "fleet.yaml:10:5: error: 'speed_loaded' of fleet 'amr' must be more than 0");
    expect_error("    speed: 200\n", "    speed: 200\n    battery: 2\n",
                 "fleet.yaml:10:5: error: fleet 'amr' has a 'battery' but no 'charge_rate'");
    expect_error("    speed: 200\n",
                 "    speed: 200\n    battery: 2\n    charge_rate: 1\n    charge_below: 0.95\n",
                 "fleet.yaml:12:5: error: 'charge_below' (0.95) of fleet 'amr' must be below its "
                 "'charge_until' (0.9)");
    expect_error("    speed: 200\n",
                 "    speed: 200\n    battery: 2\n    charge_rate: 1\n    charge_until: 0.1\n",
                 "fleet.yaml:12:5: error: 'charge_below' (0.2) of fleet 'amr' must be below its "
                 "'charge_until' (0.1)");
    expect_error("    speed: 200\n",
                 "    speed: 200\n    battery: 2\n    charge_rate: 1\n    charge_until: 1.5\n",
                 "fleet.yaml:12:5: error: 'charge_until' of fleet 'amr' must be at most 1");
    expect_error("    speed: 200\n", "    speed: 200\n    charger_choice: nearst\n",
                 "fleet.yaml:10:21: error: unknown charger choice 'nearst' (did you mean "
                 "'nearest'?)");
    expect_error("    speed: 200\n", "    speed: 200\n    idle: park\n",
                 "fleet.yaml:10:11: error: unknown idle rule 'park' (use stay, home or parking)");
}

/* `products`: a source sending the fleet a product it does not carry is refused at load, naming
 * both, at the fleet's key; a product not defined, with a did-you-mean. With both products
 * carried the two pickups run as before. */
static void test_fleet_products(void)
{
    pickups_error("    products: [lo]\n", "fleet.yaml:22:5: error: 'a2' sends product 'hi' to "
                                           "fleet 'amr', whose 'products' do not include it");
    pickups_error("    products: [lo, hii]\n",
                  "fleet.yaml:22:20: error: undefined product 'hii' (did you mean 'hi'?)");
    pickups_error("    products: lo\n", "fleet.yaml:22:15: error: 'products' (a list of products) "
                                         "must be a list, not 'lo'");
    char text[4096];
    pickups_with(text, sizeof text, "lo", "hi", "    products: [hi, lo]\n");
    pickups_expect(text, 28, 48.0 / 3, 31.0 / 3);
}

int main(void)
{
    verbose = getenv("TSIM_TEST_VERBOSE") != NULL;
    fleet_trip_n(trip_yaml, sizeof trip_yaml, 2, "", NULL, NULL, NULL);
    RUN(test_fleet_trip_by_hand);
    RUN(test_fleet_trip_with_zones);
    RUN(test_fleet_zone_deadlock_named);
    RUN(test_fleet_zone_clone);
    RUN(test_fleet_zone_passing_lane);
    RUN(test_fleet_blocked_hand_over);
    RUN(test_fleet_per_vehicle);
    RUN(test_fleet_per_vehicle_off);
    RUN(test_fleet_single_vehicle_is_mg1);
    RUN(test_fleet_sizing_2_cannot_keep_up);
    RUN(test_fleet_sizing_3);
    RUN(test_fleet_sizing_4);
    RUN(test_fleet_bad_input);
    RUN(test_fleet_disconnected);
    RUN(test_fleet_node_lookup);
    RUN(test_fleet_two_pickups_by_hand);
    RUN(test_fleet_two_pickups_clone);
    RUN(test_fleet_two_pickups_inject);
    RUN(test_fleet_two_pickups_disconnected);
    RUN(test_fleet_capacity_by_hand);
    RUN(test_fleet_capacity_drops_nearest_first);
    RUN(test_fleet_capacity_with_zones);
    RUN(test_fleet_capacity_blocked);
    RUN(test_fleet_capacity_raises_deliveries);
    RUN(test_fleet_capacity_bad);
    RUN(test_fleet_deliver_within);
    RUN(test_fleet_request_nearest_by_hand);
    RUN(test_fleet_request_priority_by_hand);
    RUN(test_fleet_request_nearest_clone);
    RUN(test_fleet_request_bad);
    RUN(test_fleet_parking_by_hand);
    RUN(test_fleet_parking_bad);
    RUN(test_fleet_key_errors_at_key);
    RUN(test_fleet_products);
    return CHECK_DONE();
}
