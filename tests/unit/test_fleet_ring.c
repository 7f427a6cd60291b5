/*
 * A fleet against closed forms and against itself: a ring of n vehicles and m stations with
 * deterministic times, whose throughput is the lesser of what the vehicles and what the slowest
 * station can do; `request_choice: nearest` against `oldest` at the same load, with common random
 * numbers; Little's law on the requests not yet reached by a vehicle; and a product the fleet
 * does not carry that reaches it where the check at load cannot see.
 *
 * The deterministic checks are exact up to the edges of the statistics window, each bound
 * derived where it is used. The statistical ones have the shape of test_validation.c's
 * (tests/unit/reps.h), at a Bonferroni level for the file's 3 interval checks (1% family-wise).
 */
#include "check.h"
#include "twinsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL (1.0 - 0.01 / 3.0)
#define MAX_REPS 8
#define SEED UINT64_C(20261206)
static int verbose;

#include "reps.h"
#include "model_text.h"

/* A ring of vehicles and stations ------------------------------------------------------------
 *
 * The model. m stations S0 .. S(m-1) stand on a one-way ring of segments S(i) -> S(i+1) of
 * lengths len[i] (S(m-1) -> S0 closes it). At each station stand
 *   - a source `s<i>` of product p<i> whose whole population (K entities, at time 0) is sent to
 *     the fleet: the station's store of outgoing loads, so large that it never runs dry in the
 *     run (K = 1000 against at most X (W + T) + n + 1 <= 837 taken from it, below);
 *   - a machine `m<i>` (one server, no buffer, a fixed `process` proc[i], then a sink): the
 *     station's work on what it receives.
 * The fleet (n vehicles, home S0; a<m-1> with zones, below) carries p<i> to m<i+1> (a route by
 * product), so every request at S(i) goes to the next station. `request_choice: nearest`: a vehicle
 * that has handed its load over at S(i+1) takes a request waiting there (no empty travel), never
 * one elsewhere while one waits there. The stores are never empty, so once each vehicle has taken
 * its first load it goes round the ring for ever: unload at S(i) (u), hand over to m<i> (at once
 * when the machine is free; else `blocked` until it is, the blocked vehicles in the order they
 * came), load the next request (l), drive loaded to S(i+1). No vehicle is idle, none drives empty,
 * and with no zone control vehicles do not hinder one another on the segments.
 *
 * The closed form. A lap takes C = sum(len) / speed_loaded + m (u + l) when nothing waits. Let
 * X be the number of vehicles that pass a station per time unit, the same at every station in
 * the long run (they go round in one order). Two upper bounds:
 *   - a vehicle's laps are at least C apart, so X <= n / C;
 *   - machine m<i> takes one load per proc[i], so X <= 1 / proc[i] for every i.
 * This is a closed cyclic network of single-server stations with fixed times and infinite-
 * server travel: a timed event graph whose elementary circuits are the vehicles' lap (n tokens,
 * time C) and each machine's own cycle (1 token, time proc[i]); its throughput is the least
 * circuit ratio (Ramamoorthy and Ho, 1980; Baccelli et al., Synchronization and Linearity,
 * 1992), so the bounds are reached:
 *       X = min(n / C, 1 / max(proc)),   deliveries per time unit = m X.
 * Which bound holds says what the time of a vehicle is made of:
 *   - vehicles the limit (n / C < 1 / max proc): once spread out, no vehicle ever waits, every
 *     lap takes C, and the shares of vehicle time are travel / C loaded, m l / C loading,
 *     m u / C unloading, 0 blocked;
 *   - a machine the limit (the one of the largest proc, p): it never idles and takes a vehicle
 *     exactly every p, each vehicle's lap takes n p, of which n p - C blocked (at that machine).
 * Every machine is busy X proc[i] of the time.
 *
 * Zones. With zone control (`zoned`) each segment S(i) -> S(i+1) is cut at a node a<i>, out[i]
 * from S(i); the stations' nodes hold one vehicle each (`zones`), the a<i> any number, and the
 * vehicles start at a<m-1>. A vehicle reserves S(i) at a<i-1> (waiting there, `zone_wait`, while
 * another holds it) and holds it from entering the segment to it until it reaches a<i>:
 *       z[i] = (len[i-1] - out[i-1] + out[i]) / speed_loaded + u + l,
 * plus any time blocked at the machine (none in the cases here: each proc[i] <= z[i], and a
 * vehicle reaches a machine at least z[i] after the one before it). Each station's node is one
 * more circuit (1 token, time z[i]), so
 *       X = min(n / C, 1 / max(proc), 1 / max(z)),
 * and when a node is the limit each vehicle waits for it (`zone_wait`, not `blocked`) n z - C
 * of each lap of n z.
 *
 * The window's edges. The run measures from the warm-up W to W + T. After the first laps
 * (W = 20 of the longer of C and n b, b the largest proc or z, far past the one or two laps
 * that a platoon starting at home takes to spread) the motion is periodic:
 *   - vehicles the limit: each vehicle hands over at each station exactly every C, so in the
 *     window it does so floor or ceil of T / C times: the m n counts are each within 1 of T / C,
 *     and the deliveries D within m n of m X T;
 *   - a machine or a node the limit: it takes a vehicle floor or ceil of T / b times; at any
 *     moment the counts of two stations since time 0 differ by at most the n vehicles between
 *     them, so over the window each station's count is within n + 1 of X T, and D within
 *     m (n + 1).
 * Both give |D - m X T| <= m (n + 1). A machine's busy time is its count times proc[i], plus or
 * minus one part cut by each edge: |utilization - X proc[i]| <= (n + 3) proc[i] / T. The blocked
 * (or zone) wait of a vehicle is (n b - C) per lap, at most one lap's worth cut off by the
 * edges: |share - (1 - C X / n)| <= (n b - C) / T. The state shares when vehicles are the limit
 * are off by at most one lap per vehicle: C / T.
 */

#define RING_MAX 8
#define RING_POP 1000

struct ring {
    int m, n, zoned;
    double len[RING_MAX], proc[RING_MAX], out[RING_MAX];
};

/* Common to every ring: speeds empty 1 and loaded 2, load 1, unload 0.5. */
static const double ring_speed_loaded = 2, ring_load = 1, ring_unload = 0.5;

/* The model text of ring `g` into text[size]. */
static void ring_text(const struct ring *g, char *text, size_t size)
{
    size_t k = 0;
#define PUT(...) (k += (size_t)snprintf(text + k, k < size ? size - k : 0, __VA_ARGS__))
    PUT("name: ring\ntime_unit: min\nproducts: [");
    for (int i = 0; i < g->m; i++) PUT("%sp%d", i ? ", " : "", i);
    PUT("]\nblocks:\n");
    for (int i = 0; i < g->m; i++)
        PUT("  - {source: s%d, product: p%d, population: %d, to: amr}\n", i, i, RING_POP);
    PUT("  - fleet: amr\n    count: %d\n    speed: 1\n    speed_loaded: %g\n    load: %g\n"
        "    unload: %g\n    request_choice: nearest\n    to: {by: product",
        g->n, ring_speed_loaded, ring_load, ring_unload);
    for (int i = 0; i < g->m; i++) PUT(", p%d: m%d", i, (i + 1) % g->m);
    PUT("}\n");
    for (int i = 0; i < g->m; i++)
        PUT("  - {machine: m%d, process: %g, to: done}\n", i, g->proc[i]);
    PUT("  - sink: done\nnetwork:\n  nodes: [");
    for (int i = 0; i < g->m; i++) PUT(g->zoned ? "%sS%d, a%d" : "%sS%d", i ? ", " : "", i, i);
    PUT("]\n  segments:\n");
    for (int i = 0; i < g->m; i++) {
        const int j = (i + 1) % g->m;
        if (!g->zoned) {
            PUT("    - {from: S%d, to: S%d, length: %g, one_way: true}\n", i, j, g->len[i]);
            continue;
        }
        PUT("    - {from: S%d, to: a%d, length: %g, one_way: true}\n", i, i, g->out[i]);
        PUT("    - {from: a%d, to: S%d, length: %g, one_way: true}\n", i, j, g->len[i] - g->out[i]);
    }
    if (g->zoned) {
        PUT("  zones: {");
        for (int i = 0; i < g->m; i++) PUT("%sS%d: 1", i ? ", " : "", i);
        PUT("}\n");
    }
    if (g->zoned) PUT("  at: {amr: a%d", g->m - 1);
    else PUT("  at: {amr: S0");
    for (int i = 0; i < g->m; i++) PUT(", s%d: S%d, m%d: S%d", i, i, i, i);
    PUT("}\n");
#undef PUT
    CHECK(k < size);
}

/* Ring `g` run over the window [W, W + T) and checked against the closed form above. */
static void ring_check(const struct ring *g, const char *limit)
{
    char text[8192];
    ring_text(g, text, sizeof text);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "ring.yaml", &m);
    if (!sim) return;
    const int n = g->n, ms = g->m;
    double travel = 0, pm = 0, pz = 0; /* the largest proc and z */
    for (int i = 0; i < ms; i++) {
        travel += g->len[i] / ring_speed_loaded;
        if (g->proc[i] > pm) pm = g->proc[i];
        if (!g->zoned) continue;
        const int h = (i + ms - 1) % ms;
        const double z = (g->len[h] - g->out[h] + g->out[i]) / ring_speed_loaded + ring_load +
                         ring_unload;
        CHECK(g->proc[i] <= z);
        if (z > pz) pz = z;
    }
    const double C = travel + ms * (ring_load + ring_unload), p = pm > pz ? pm : pz;
    const int by_vehicles = n / C < 1 / p, by_zone = !by_vehicles && pz > pm;
    const double X = by_vehicles ? n / C : 1 / p;
    /* The test's cases are meant to show each limit: `limit` says which. */
    CHECK(strcmp(limit, by_vehicles ? "vehicles" : by_zone ? "zone" : "machine") == 0);
    const double W = 20 * (C > n * p ? C : n * p), T = 2000;
    /* The stores outlast the run: at most X (W + T) + n + 1 loads are taken from each. */
    CHECK(X * (W + T) + n + 1 < RING_POP);
    CHECK(tsim_sim_set_warmup(sim, W) == 0);
    tsim_sim_run_until(sim, W + T);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    const int f = tsim_model_find_block(m, "amr");
    const double D = kpi(&r, f, "deliveries");
    if (verbose)
        printf("  m %d, n %d: C %g, X %g (%s), deliveries %g against %g\n", ms, n, C, X, limit, D,
               ms * X * T);
    CHECK_NEAR(D, ms * X * T, ms * (n + 1));
    CHECK_NEAR(kpi(&r, f, "deliveries_per_hour"), 60 * ms * X, 60.0 * ms * (n + 1) / T);
    CHECK_NEAR(kpi(&r, f, "idle"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "to_pickup"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "empty_travel_share"), 0, 0);
    /* The vehicles' wait a lap, n p - C when a machine or a node is the limit, is `blocked` at
     * the machine or `zone_wait` for the node. */
    const double wait = by_vehicles ? 0 : 1 - C * X / n;
    const double wait_tol = by_vehicles ? 0 : (n * p - C) / T;
    CHECK_NEAR(kpi(&r, f, "blocked"), by_zone ? 0 : wait, wait_tol);
    CHECK_NEAR(kpi(&r, f, "zone_wait"), by_zone ? wait : 0, wait_tol);
    if (by_vehicles) {
        CHECK_NEAR(kpi(&r, f, "loaded"), travel / C, C / T);
        CHECK_NEAR(kpi(&r, f, "loading"), ms * ring_load / C, C / T);
        CHECK_NEAR(kpi(&r, f, "unloading"), ms * ring_unload / C, C / T);
    }
    for (int i = 0; i < ms; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        int b = tsim_model_find_block(m, name);
        CHECK_NEAR(kpi(&r, b, "utilization"), X * g->proc[i], (n + 3) * g->proc[i] / T);
    }
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Two stations, lengths 6 and 14 (a lap of 10 + 2 x 1.5 = 13), machines 2 and 5. One vehicle:
 * X = 1 / 13, 9.23 deliveries an hour. Three: 3 / 13 = 0.231 is above 1 / 5, so the machine of 5
 * holds them to X = 0.2, 24 deliveries an hour, each vehicle blocked 1 - 13 / 15 of its time. */
static void test_fleet_ring_two_stations(void)
{
    struct ring g = {.m = 2, .n = 1, .len = {6, 14}, .proc = {2, 5}};
    ring_check(&g, "vehicles");
    g.n = 3;
    ring_check(&g, "machine");
}

/* Three stations, lengths 8, 12, 10 (a lap of 15 + 3 x 1.5 = 19.5), machines 2, 3, 2. Two and six
 * vehicles: X = 2 / 19.5 and 6 / 19.5 = 0.308, below 1 / 3. Eight: 0.410, held to 1 / 3 by the
 * machine of 3 (60 deliveries an hour). */
static void test_fleet_ring_three_stations(void)
{
    struct ring g = {.m = 3, .n = 2, .len = {8, 12, 10}, .proc = {2, 3, 2}};
    ring_check(&g, "vehicles");
    g.n = 6;
    ring_check(&g, "vehicles");
    g.n = 8;
    ring_check(&g, "machine");
}

/* Five stations, lengths 6, 8, 4, 10, 12 (a lap of 20 + 5 x 1.5 = 27.5), machines 1, 2, 4, 1, 2.
 * Three vehicles: X = 3 / 27.5 = 0.109. Seven: 7 / 27.5 = 0.2545, just above 1 / 4: the machine of
 * 4 holds them to 0.25 (75 deliveries an hour), a close call between the two limits. */
static void test_fleet_ring_five_stations(void)
{
    struct ring g = {.m = 5, .n = 3, .len = {6, 8, 4, 10, 12}, .proc = {1, 2, 4, 1, 2}};
    ring_check(&g, "vehicles");
    g.n = 7;
    ring_check(&g, "machine");
}

/* Which waiting request a free vehicle takes -------------------------------------------------
 *
 * Four stations on a one-way ring (segments of 5, speed 1), each with Poisson requests (mean
 * 40 min apart) for the next station; two vehicles, load 1, unload 1, `idle: stay`. A free
 * vehicle stands where it has just delivered, and the requests that wait are spread over the
 * ring. `oldest` sends it to the oldest, wherever it is (up to three segments, 15 min, of empty
 * driving); `nearest` to the one it reaches first, often at its own station. Less empty driving
 * is more capacity for the same load: the vehicles are busy about 69% of the time under
 * `oldest` and 64% under `nearest`, and a request waits for its vehicle about 15.2 against 9.9
 * min (8 replications of 20,000 min). No closed form is known for either rule's wait; what the
 * test checks is the ordering, on differences of the two rules run on the same random numbers
 * (same seed and replication: each source draws its arrivals from its own streams, so the two
 * runs see the same requests at the same times), whose interval must lie wholly above 0. The
 * differences are 3.2 to 8.2 min a replication: their interval is 5.3 +- 2.4.
 */
static const char near_yaml[] = "name: near\n"
                                "time_unit: min\n"
                                "products: [p0, p1, p2, p3]\n"
                                "blocks:\n"
                                "  - {source: s0, product: p0, interarrival: exponential(40), "
                                "to: amr}\n"
                                "  - {source: s1, product: p1, interarrival: exponential(40), "
                                "to: amr}\n"
                                "  - {source: s2, product: p2, interarrival: exponential(40), "
                                "to: amr}\n"
                                "  - {source: s3, product: p3, interarrival: exponential(40), "
                                "to: amr}\n"
                                "  - fleet: amr\n"
                                "    count: 2\n"
                                "    speed: 1\n"
                                "    load: 1\n"
                                "    unload: 1\n"
                                "    request_choice: %s\n"
                                "    to: {by: product, p0: d1, p1: d2, p2: d3, p3: d0}\n"
                                "  - sink: d0\n"
                                "  - sink: d1\n"
                                "  - sink: d2\n"
                                "  - sink: d3\n"
                                "network:\n"
                                "  nodes: [S0, S1, S2, S3]\n"
                                "  segments:\n"
                                "    - {from: S0, to: S1, length: 5, one_way: true}\n"
                                "    - {from: S1, to: S2, length: 5, one_way: true}\n"
                                "    - {from: S2, to: S3, length: 5, one_way: true}\n"
                                "    - {from: S3, to: S0, length: 5, one_way: true}\n"
                                "  at: {amr: S0, s0: S0, s1: S1, s2: S2, s3: S3, d0: S0, d1: S1, "
                                "d2: S2, d3: S3}\n";

/* The window: 8 replications, 6,000 min of warm-up and 20,000 measured (about 2,000
 * deliveries each), a tenth of a second in all. The warm-up, for the interval checks of
 * Little's law below: a relaxation time bounded, as in test_fleet.c's sizing case, by an M/M/1
 * of the fleet's load at the fleet's rate, two vehicles each done in at most 7 min plus 15 empty
 * (checked: busy under 80% in every replication), tau = mm1_tau(0.8, 2 / 22) = 987 min; 6,000
 * leaves exp(-6.08) = 0.2% of the start's bias, on fewer than 5 requests in the fleet. (The
 * ordering check needs no allowance: starting empty shortens the waits, most under `oldest`,
 * the busier rule, which only works against it.) */
#define NEAR_REPS 8
static const double near_warm = 6000, near_window = 20000, near_util = 0.8, near_l = 5;

/* The replications of the ring of four under `choice`, into x; the fleet's index into *f. */
static int near_runs(const char *choice, struct reps *x, int *f)
{
    char text[4096];
    snprintf(text, sizeof text, near_yaml, choice);
    struct tsim_model *m = model_must_load(text, "near.yaml");
    if (!m) return -1;
    *f = tsim_model_find_block(m, "amr");
    run_reps(x, m, NEAR_REPS, near_warm, near_warm + near_window);
    tsim_model_destroy(m);
    for (int i = 0; i < x->n; i++) CHECK(kpi(&x->r[i], *f, "utilization") < near_util);
    return 0;
}

/* `nearest` makes requests wait less than `oldest` at the same load: the paired differences of
 * their mean waits, oldest - nearest, have an interval wholly above 0. */
static void test_fleet_nearest_beats_oldest(void)
{
    struct reps old, near;
    int f;
    if (near_runs("oldest", &old, &f) || near_runs("nearest", &near, &f)) return;
    CHECK_EQ(old.n, NEAR_REPS);
    CHECK_EQ(near.n, NEAR_REPS);
    double d[MAX_REPS];
    for (int i = 0; i < old.n && i < near.n; i++)
        d[i] = kpi(&old.r[i], f, "request_wait") - kpi(&near.r[i], f, "request_wait");
    struct tsim_summary s;
    tsim_summary_of(&s, d, (size_t)old.n, LEVEL);
    if (verbose) {
        for (int i = 0; i < old.n; i++)
            printf("  rep %d: request_wait %.4g and %.4g, busy %.3g and %.3g\n", i,
                   kpi(&old.r[i], f, "request_wait"), kpi(&near.r[i], f, "request_wait"),
                   kpi(&old.r[i], f, "utilization"), kpi(&near.r[i], f, "utilization"));
        printf("  request_wait oldest - nearest = %.4g +- %.3g (%.4g%%, %d reps)\n", s.mean,
               s.half_width, 100 * LEVEL, old.n);
    }
    CHECK(s.mean - s.half_width > 0);
    reps_release(&old);
    reps_release(&near);
}

/* Little's law on the requests not yet reached: a request waits for a vehicle (counted in
 * `requests_waiting`) until one takes it, then for that vehicle to drive to its pickup (the
 * vehicle `to_pickup`, carrying nothing, so one request each), and `request_wait` is the time of
 * both. The requests in that part of the fleet are requests_waiting + count x to_pickup (the
 * vehicles' mean number driving to a pickup), and they leave it at the fleet's throughput, so
 *     requests_waiting + 2 to_pickup = throughput x request_wait.
 * Checked under both rules (two of the file's interval checks) on each replication's
 * difference, as reps.h's CHECK_LITTLE does, with the warm-up's allowance above. */
static void little_reached(const char *choice)
{
    struct reps x;
    int f;
    if (near_runs(choice, &x, &f)) return;
    double d[MAX_REPS];
    for (int i = 0; i < x.n; i++)
        d[i] = kpi(&x.r[i], f, "requests_waiting") + 2 * kpi(&x.r[i], f, "to_pickup") -
               kpi(&x.r[i], f, "throughput") * kpi(&x.r[i], f, "request_wait");
    CHECK_CI(choice, d, x.n, 0, near_l * exp(-near_warm / mm1_tau(near_util, 2.0 / 22)));
    reps_release(&x);
}

static void test_fleet_little_requests(void)
{
    little_reached("oldest");
    little_reached("nearest");
}

/* A product the fleet does not carry, at run time ----------------------------------------------
 *
 * A fleet with `products: [lo]` fed by a machine (a block that passes on what it gets) from a
 * source of `hi`: the check at load cannot tell what the machine sends, so the model loads, and
 * the request stops the run when it comes (the part made at 1, processed until 3), with an
 * error that names the product, the block that sent it and the fleet. With the source's product
 * `lo` the same model runs to its end: the part is carried (at D at 3 + 4 = 7). */
static const char carry_yaml[] = "name: carry\n"
                                 "time_unit: min\n"
                                 "products: [lo, hi]\n"
                                 "blocks:\n"
                                 "  - source: in\n"
                                 "    product: %s\n"
                                 "    interarrival: 1\n"
                                 "    limit: 1\n"
                                 "    to: mc\n"
                                 "  - machine: mc\n"
                                 "    process: 2\n"
                                 "    to: amr\n"
                                 "  - fleet: amr\n"
                                 "    count: 1\n"
                                 "    speed: 1\n"
                                 "    products: [lo]\n"
                                 "    to: out\n"
                                 "  - sink: out\n"
                                 "network:\n"
                                 "  nodes: [P, D]\n"
                                 "  segments:\n"
                                 "    - {from: P, to: D, length: 4}\n"
                                 "  at: {mc: P, amr: P, out: D}\n";

/* A sim of carry_yaml with the source's `product`, its model in *m; NULL (and no model) when
 * either is not made. */
static struct tsim_sim *carry_sim(const char *product, struct tsim_model **m)
{
    char text[2048];
    snprintf(text, sizeof text, carry_yaml, product);
    struct tsim_sim *sim = sim_from_text(text, "carry.yaml", m);
    if (!sim) {
        tsim_model_destroy(*m);
        *m = NULL;
    }
    return sim;
}

/* `sim` stopped with the error `want`. */
static void expect_stopped(const struct tsim_sim *sim, const char *want)
{
    CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
    const char *e = tsim_sim_error(sim);
    CHECK_STR(e ? e : "", want);
}

static void test_fleet_products_refused_at_run_time(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = carry_sim("hi", &m);
    if (!sim) return;
    tsim_sim_run(sim);
    expect_stopped(sim, "fleet 'amr' was sent product 'hi' by 'mc' at 3 min, but its 'products' "
                        "do not include it");
    CHECK_NEAR(tsim_sim_now(sim), 3, 0);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    if (!(sim = carry_sim("lo", &m))) return;
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_EQ(tsim_sim_status(sim), 0);
    CHECK_NEAR(tsim_sim_now(sim), 7, 1e-9);
    CHECK_NEAR(kpi(&r, tsim_model_find_block(m, "amr"), "deliveries"), 1, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The same refusal for a request put in from outside the flow (tsim_block_inject, as the live
 * twin and the API do), which no check at load can see: at 0.5 an entity of `hi` injected into
 * the fleet stops the run, the sender named as outside the flow; one of `lo` is taken. */
static void test_fleet_products_refused_injected(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = carry_sim("lo", &m);
    if (!sim) return;
    const int f = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 0.5);
    CHECK_EQ(tsim_block_inject(sim, f, 0, 1), 1); /* lo */
    CHECK_EQ(tsim_sim_status(sim), 0);
    tsim_block_inject(sim, f, 1, 1); /* hi */
    expect_stopped(sim, "fleet 'amr' was sent product 'hi' from outside the flow at 0.5 min, but "
                        "its 'products' do not include it");
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Three stations with zone control, each segment cut at a node: lengths 2 + 4, 2 + 4, 6 + 2 (a
 * lap of 20 / 2 + 3 x 1.5 = 14.5), machines 2, 3, 2 as above. The station nodes are held z = 3.5,
 * 4.5 and 6.5 a vehicle (S0: 2 in and 2 out, S1: 4 and 2, S2: 4 and 6, at 2, plus 1.5 of handling).
 * Two vehicles: X = 2 / 14.5 = 0.138, below 1 / 6.5 = 0.154. Three and five: held to 1 / 6.5 by
 * node S2 (27.7 deliveries an hour), each vehicle waiting for it 1 - 14.5 / 19.5 and
 * 1 - 14.5 / 32.5 of its time. */
static void test_fleet_ring_zones(void)
{
    struct ring g = {.m = 3, .n = 2, .zoned = 1, .len = {6, 6, 8}, .proc = {2, 3, 2},
                     .out = {2, 2, 6}};
    ring_check(&g, "vehicles");
    g.n = 3;
    ring_check(&g, "zone");
    g.n = 5;
    ring_check(&g, "zone");
}

int main(void)
{
    verbose = getenv("TSIM_TEST_VERBOSE") != NULL;
    RUN(test_fleet_ring_two_stations);
    RUN(test_fleet_ring_three_stations);
    RUN(test_fleet_ring_five_stations);
    RUN(test_fleet_ring_zones);
    RUN(test_fleet_nearest_beats_oldest);
    RUN(test_fleet_little_requests);
    RUN(test_fleet_products_refused_at_run_time);
    RUN(test_fleet_products_refused_injected);
    return CHECK_DONE();
}
