/*
 * Storage blocks served by the operators of a pool (`served_by`) in place of their crane: runs
 * whose every time is computed by hand (two operators at work in the aisle at once); one
 * operator at the crane's speeds gives the crane's run exactly; the checks of the key; and
 * statistical checks whose tolerances are confidence intervals over replications plus a derived
 * bias allowance (reps.h):
 * - one operator with Poisson put-aways into a rack of random storage: M/G/1, the wait by
 *   Pollaczek-Khinchine;
 * - two operators with exponential handling and no travel: M/M/2, the wait by Erlang C.
 * Set TSIM_TEST_VERBOSE=1 to print every figure with its interval.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 5.0) /* Bonferroni over the file's interval checks */
#define MAX_REPS 20
#define SEED UINT64_C(20261206)
static int verbose;

#include "reps.h"
#include "model_text.h"

/* A rack of 2 x 1 slots, 1 wide, speed 1, pick-up and drop 0.5, closest free slot, FIFO
 * retrieval, lost sales; loads come at 1 and 2, requests every 10; `%s` is the server line.
 * With two operators (`served_by: crew`, count 2):
 *   put-away 1: 1 + 0.5 pick + 0.5 travel + 0.5 drop: stored in slot 0 at 2.5, back at 3
 *   put-away 2: the second operator at 2 (slot 0 is reserved): 2 + 0.5 + 1.5 + 0.5, stored in
 *               slot 1 at 4.5, back at 6; both wait 0
 *   request 10: slot 0, travel 0.5, pick at 11 (dwell 8.5), back 0.5, dropped and sent at 12
 *   request 20: slot 1, travel 1.5, pick at 22 (dwell 17.5), back 1.5, sent at 24
 *   requests 30 and 40 (the run's last instant): no stock: stock-outs, dropped
 * At 40: cycles under way 2 + 4 + 2 + 4 = 12 of 2 operators x 40 (crane_utilization and the
 * pool's utilization 0.15, the pool's mean busy 0.3);
 * stock area 8.5 + 17.5 = 26 -> 0.65.
 * With the crane (no server line), put-away 2 waits for it until 3: stored in slot 1 at 5.5,
 * back at 7; put-away wait (0 + 1) / 2; dwell (8.5 + 16.5) / 2. */
static const char two_yaml[] = "name: rack\n"
                               "operators:\n"
                               "  - name: crew\n"
                               "    count: 2\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 1\n"
                               "    limit: 2\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: 2\n"
                               "    levels: 1\n"
                               "    bay_width: 1\n"
                               "    level_height: 1\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "    pick_time: 0.5\n"
                               "    drop_time: 0.5\n"
                               "    put_away: closest\n"
                               "    demand: 10\n"
                               "    stockout: drop\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";

/* The run of two_yaml with `server` as its server line, to 40, into `r`. */
static int run_two(const char *server, struct tsim_result *r)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, two_yaml, server);
    struct tsim_model *m = model_must_load(yaml, "rack.yaml");
    if (!m) return -1;
    int rack = tsim_model_find_block(m, "rack");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_result_init(r);
    if (sim) {
        tsim_sim_run_until(sim, 40);
        tsim_sim_result(sim, r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
    return rack;
}

static void test_served_two_operators(void)
{
    struct tsim_result r;
    int rack = run_two("    served_by: crew\n", &r);
    if (rack < 0) return;
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "retrieval_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 13, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "stock"), 0.65, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "crane_utilization"), 0.15, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "cycles_single"), 4, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), 2, 1e-12);
    CHECK_NEAR(kpi(&r, TSIM_KPI_POOL(0), "utilization"), 0.15, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_POOL(0), "busy"), 0.3, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_POOL(0), "waiting"), 0, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 2, 0);
    /* lead times: 12 - 1 and 24 - 2 */
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 16.5, 1e-9);
    tsim_result_release(&r);

    rack = run_two("", &r); /* the crane: the second put-away waits */
    if (rack < 0) return;
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 0.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 12.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "crane_utilization"), 0.3, 1e-9);
    tsim_result_release(&r);
}

/* One operator works as the crane: a pool of one and the crane give the same run, every KPI of
 * the storage block equal bit for bit, on a rack of random storage with dual cycles, Poisson
 * put-aways and retrievals, and drawn handling times. */
static const char one_yaml[] = "name: rack\n"
                               "products: [a, b]\n"
                               "operators:\n"
                               "  - name: crew\n"
                               "    count: 1\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: exponential(2)\n"
                               "    product: {a: 0.5, b: 0.5}\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: 20\n"
                               "    levels: 8\n"
                               "    speed_x: 20\n"
                               "    speed_y: 4\n"
                               "    pick_time: uniform(0.1, 0.3)\n"
                               "    drop_time: 0.2\n"
                               "    demand: exponential(2.2)\n"
                               "    retrieval: random\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";

static void test_served_one_is_crane(void)
{
    struct tsim_result r[2];
    int rack = -1;
    for (int k = 0; k < 2; k++) {
        char yaml[2048];
        snprintf(yaml, sizeof yaml, one_yaml, k ? "    served_by: crew\n" : "");
        struct tsim_model *m = model_must_load(yaml, "rack.yaml");
        if (!m) return;
        rack = tsim_model_find_block(m, "rack");
        struct tsim_sim *sim = tsim_sim_create(m, 7, 0);
        CHECK(sim != NULL);
        if (!sim) return;
        tsim_sim_run_until(sim, 5000);
        tsim_result_init(&r[k]);
        tsim_sim_result(sim, &r[k]);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    static const char *const names[] = {"put_aways", "retrievals", "stock", "dwell",
                                        "put_away_wait", "retrieval_wait", "crane_utilization",
                                        "cycles_single", "cycles_dual", "travel_single",
                                        "travel_dual", "stockouts"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        double crane = kpi(&r[0], rack, names[i]), op = kpi(&r[1], rack, names[i]);
        if (crane != op) {
            fprintf(stderr, "  %s: crane %.17g, one operator %.17g\n", names[i], crane, op);
            check_failed_ = 1;
        }
    }
    CHECK(kpi(&r[0], rack, "cycles_dual") > 100); /* the run did dual cycles */
    CHECK_NEAR(kpi(&r[1], TSIM_KPI_POOL(0), "utilization"), kpi(&r[1], rack, "crane_utilization"),
               1e-12);
    tsim_result_release(&r[0]);
    tsim_result_release(&r[1]);
}

/* ---------------------------------------------------------------------------------------------
 * Queues: one operator as M/G/1, two as M/M/2
 * ------------------------------------------------------------------------------------------- */

/* Poisson put-aways (rate 0.3) into a 100 x 100 rack (b = 1), nothing retrieved, served by a pool
 * of one: each cycle is pick-up 0.1 + 2 t(A) + drop 0.1 with A uniform over the rack, so the
 * operator is an M/G/1 server and the put-aways' wait is Pollaczek-Khinchine's
 * Wq = lambda E[S^2] / (2 (1 - rho)), with the bias allowance of test_storage.c's crane check
 * (slots drawn without replacement: a share 4 / (N - 1) of Wq). */
static void test_served_mg1(void)
{
    const int n = 100;
    const double lambda = 0.3, handling = 0.2;
    double es, es2;
    rack_cycle_moments(n, handling, &es, &es2);
    double rho = lambda * es, wq = lambda * es2 / (2 * (1 - rho));
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "operators:\n"
             "  - name: pickers\n"
             "    count: 1\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: %d\n"
             "    levels: %d\n"
             "    speed_x: %d\n"
             "    speed_y: %d\n"
             "    pick_time: 0.1\n"
             "    drop_time: 0.1\n"
             "    cycle: single\n"
             "    served_by: pickers\n"
             "    to: out\n"
             "  - sink: out\n",
             1 / lambda, n, n, n, n);
    struct tsim_model *m = model_must_load(yaml, "rack.yaml");
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack");
    struct reps x;
    double warmup = 100, window = 5000;
    double tau = mm1_tau(rho, 1 / es);
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    double bias = bias_allowance(wq, warmup, tau, lambda * wq, lambda, window) +
                  wq * 4.0 / (n * n - 1);
    CHECK_KPI(&x, rack, "put_away_wait", wq, bias);
    CHECK_KPI(&x, TSIM_KPI_POOL(0), "utilization", rho,
              bias_allowance(rho, warmup, tau, 1, lambda, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Erlang C: with a = lambda / mu offered load on c servers, the probability of waiting
 * C = (a^c / c!) (c / (c - a)) / (sum_{k<c} a^k / k! + (a^c / c!) (c / (c - a))), and
 * Wq = C / (c mu - lambda). */
static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a);
    return top / (sum + top) / (c * mu - lambda);
}

/* Poisson put-aways (rate 1.2) served by two operators, with no travel (no speeds) and an
 * exponential pick-up (mean 1, drop 0): an M/M/2 queue, rho 0.6, the put-aways' wait by Erlang C
 * and the pool's utilization rho. The transient is bounded as for an M/M/1 at rate c mu (the
 * relaxation of M/M/c is no slower once both servers are busy), which the allowance uses. */
static void test_served_mm2(void)
{
    const double lambda = 1.2, mu = 1;
    const int c = 2;
    double rho = lambda / (c * mu), wq = erlang_c_wq(c, lambda, mu);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "operators:\n"
             "  - name: pickers\n"
             "    count: %d\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 50\n"
             "    levels: 60\n"
             "    pick_time: exponential(%.17g)\n"
             "    put_away: closest\n"
             "    served_by: pickers\n"
             "    to: out\n"
             "  - sink: out\n",
             c, 1 / lambda, 1 / mu);
    struct tsim_model *m = model_must_load(yaml, "rack.yaml");
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack");
    struct reps x;
    double warmup = 100, window = 2000;
    double tau = mm1_tau(rho, c * mu);
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    CHECK_KPI(&x, rack, "put_away_wait", wq,
              bias_allowance(wq, warmup, tau, lambda * wq, lambda, window));
    CHECK_KPI(&x, TSIM_KPI_POOL(0), "utilization", rho,
              bias_allowance(rho, warmup, tau, 1, lambda, window));
    CHECK_KPI(&x, rack, "crane_utilization", rho,
              bias_allowance(rho, warmup, tau, 1, lambda, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Served by a fleet
 * ------------------------------------------------------------------------------------------- */

/* The rack of two_yaml at node S, served by fleet amr (home H, H-S 6 long both ways, speed 2: 3
 * to drive), loads from `in` (`%s`: its interarrival and limit), requests every 10, horizon 20.
 * `%s`: the fleet's count, and any more blocks. */
static const char fleet_yaml[] = "name: rack\n"
                                 "blocks:\n"
                                 "  - source: in\n"
                                 "%s"
                                 "    to: rack\n"
                                 "  - storage: rack\n"
                                 "    bays: 2\n"
                                 "    levels: 1\n"
                                 "    speed_x: 1\n"
                                 "    speed_y: 1\n"
                                 "    pick_time: 0.5\n"
                                 "    drop_time: 0.5\n"
                                 "    put_away: closest\n"
                                 "    demand: 10\n"
                                 "    stockout: drop\n"
                                 "    served_by: amr\n"
                                 "    to: out\n"
                                 "  - fleet: amr\n"
                                 "    speed: 2\n"
                                 "    to: out\n"
                                 "%s"
                                 "  - sink: out\n"
                                 "network:\n"
                                 "  nodes: [H, S, P]\n"
                                 "  segments:\n"
                                 "    - {from: H, to: S, length: 6}\n"
                                 "    - {from: S, to: P, length: 4}\n"
                                 "  at: {rack: S, amr: H, out: H%s}\n";

static struct tsim_sim *fleet_sim(const char *in, const char *more, const char *at,
                                  struct tsim_model **m)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, fleet_yaml, in, more, at);
    return sim_from_text(yaml, "rack.yaml", m);
}

/* One vehicle parked at H; one load at 1:
 *   the vehicle drives H -> S, 3, from 1 (to_home): at S at 4, where the put-away waited 3;
 *   cycle: 0.5 pick + 0.5 travel + 0.5 drop, stored in slot 0 at 5.5, back at 6: the vehicle is
 *   free at S (idle: stay)
 *   request 10: the vehicle is there: travel 0.5, pick at 11 (dwell 5.5), back, dropped at 12
 *   request 20: a stock-out
 * Of 20: the vehicle drove 3, was loading (the cycles) 2 + 2, idle 13; the storage's cycles
 * took 4 of its one vehicle's 20 (crane_utilization 0.2). */
static void test_served_fleet_one(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = fleet_sim("    interarrival: 1\n    limit: 1\n", "    count: 1\n", "",
                                     &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 20);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 3, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "retrieval_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 5.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "crane_utilization"), 0.2, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, amr, "to_home"), 3.0 / 20, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "loading"), 4.0 / 20, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "idle"), 13.0 / 20, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "deliveries"), 0, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 1, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 11, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Two vehicles at H; loads at 1 and 2, each sent for a vehicle of its own:
 *   vehicle 1 from 1, at S 4: slot 0, stored 5.5, free at 6
 *   vehicle 2 from 2, at S 5: slot 1 (0 is reserved): 0.5 + 1.5 + 0.5, stored 7.5, free at 9
 *   request 10: vehicle 1 (the first idle one, both at S): slot 0 (FIFO), picked at 11 (dwell
 *   5.5), dropped at 12; request 20: its cycle starts as the run ends at 20
 * Put-away waits 3 and 3; the cycles took 2 + 4 + 2 of 2 vehicles x 20 (crane_utilization and
 * loading 0.2); to_home 3 + 3 of 40. */
static void test_served_fleet_two(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = fleet_sim("    interarrival: 1\n    limit: 2\n", "    count: 2\n", "",
                                     &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 20);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 3, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 5.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "crane_utilization"), 8.0 / 40, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "to_home"), 6.0 / 40, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "loading"), 8.0 / 40, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* One vehicle, loads at 1 and 2: the second load's storage waits for a vehicle (none is idle);
 * the vehicle, free at S at 6 after the first cycle, takes it there at once: slot 1, 0.5 + 1.5 +
 * 0.5, stored at 8.5, back at 10. Put-away waits 3 and 4. */
static void test_served_fleet_waits(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = fleet_sim("    interarrival: 1\n    limit: 2\n", "    count: 1\n", "",
                                     &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 9.5);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 3.5, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "to_home"), 3 / 9.5, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "loading"), 5.5 / 9.5, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The fleet also carries: requests at P (source req at 2) to out at H. One vehicle:
 *   the load at 1 takes it (H -> S, at 4; its cycle ends at 6, the vehicle free at S);
 *   the request at 2 waits for it: from 6 S -> P, 4 / 2 = 2, loads at 8 (waited 6), loaded
 *   P -> S -> H, 10 / 2 = 5, delivered at 13 (delivery time 11). */
static void test_served_fleet_then_request(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = fleet_sim("    interarrival: 1\n    limit: 1\n",
                                     "    count: 1\n"
                                     "  - source: req\n"
                                     "    interarrival: 2\n"
                                     "    limit: 1\n"
                                     "    to: amr\n",
                                     ", req: P", &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 14);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 3, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "deliveries"), 1, 0);
    CHECK_NEAR(kpi(&r, amr, "request_wait"), 6, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "delivery_time"), 11, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 1, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A clone taken while a vehicle is on its way to the storage (at 2) and one taken during the
 * cycle (at 5) each run on to the original's result, and the original is not moved by them. */
static void test_served_fleet_clone(void)
{
    static const char *const names[] = {"put_aways", "retrievals", "put_away_wait", "dwell",
                                        "crane_utilization"};
    for (int k = 0; k < 2; k++) {
        struct tsim_model *m;
        struct tsim_sim *sim = fleet_sim("    interarrival: 1\n    limit: 2\n",
                                         "    count: 2\n", "", &m);
        if (!sim) return;
        int rack = tsim_model_find_block(m, "rack");
        tsim_sim_run_until(sim, k ? 5 : 2);
        struct tsim_sim *c = tsim_sim_clone(sim);
        CHECK(c != NULL);
        if (c) {
            tsim_sim_run_until(c, 40);
            tsim_sim_run_until(sim, 40);
            struct tsim_result a, bb;
            tsim_result_init(&a);
            tsim_result_init(&bb);
            tsim_sim_result(sim, &a);
            tsim_sim_result(c, &bb);
            for (size_t i = 0; i < sizeof names / sizeof *names; i++)
                CHECK_NEAR(kpi(&bb, rack, names[i]), kpi(&a, rack, names[i]), 0);
            CHECK_NEAR(kpi(&a, rack, "retrievals"), 2, 0);
            tsim_result_release(&a);
            tsim_result_release(&bb);
            tsim_sim_destroy(c);
        }
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Bad input
 * ------------------------------------------------------------------------------------------- */

static void expect_error(const char *key_line, const char *want)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "operators:\n"
             "  - name: pickers\n"
             "    count: 2\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 2\n"
             "    levels: 1\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             key_line);
    char diag[1024] = "";
    model_first_error(yaml, "rack.yaml", diag, sizeof diag);
    CHECK_STR(diag, want);
}

static void test_served_bad(void)
{
    expect_error("    served_by: picker\n",
                 "rack.yaml:12:16: error: 'served_by' names 'picker', which is no operators pool "
                 "or fleet (did you mean 'pickers'?)");
    expect_error("    served_by: out\n",
                 "rack.yaml:12:16: error: 'served_by' names sink 'out', not an operators pool or a "
                 "fleet");
    expect_error("    served_by: [pickers]\n", "rack.yaml:12:17: error: 'served_by' must be a "
                                                 "single value, not a list");
    expect_error("    serve_by: pickers\n", "rack.yaml:12:5: error: unknown key 'serve_by' in "
                                              "storage 'rack' (did you mean 'served_by'?)");
}

/* Served under zone control: fleet_yaml's rack (speed 2: 3 to drive H-S) with `demand: 15`, two
 * vehicles at H with `idle: home`, and `capacity: 1` on the segment H-S (no node capacities):
 *   load 1 at 1: vehicle 1 drives H-S from 1, at S 4; its cycle (slot 0) until 6.
 *   load 2 at 2: vehicle 2 waits at H for the segment, which vehicle 1 drives until 4: a zone
 *     wait of 2; at S 7, cycle (slot 1: 0.5 + 1.5 + 0.5, stored 9.5, back) until 11.
 *   6: vehicle 1, free, drives home: it waits at S for the segment, which vehicle 2 drives
 *     until 7 (zone wait 1); home at 10. 11: vehicle 2 home at 14.
 *   request 15: vehicle 1 (both idle at H, the lower number) at S 18, picks slot 0 at 19 (dwell
 *     13.5), drops at 20, drives home from 20; the run is stopped at 22.
 * Put-away waits 3 and 5; of 44 vehicle-minutes: to_home 11 + 6, loading 4 + 4, zone_wait 3. */
static const char zoned_yaml[] = "name: rack\n"
                                 "blocks:\n"
                                 "  - source: in\n"
                                 "    interarrival: 1\n"
                                 "    limit: 2\n"
                                 "    to: rack\n"
                                 "  - storage: rack\n"
                                 "    bays: 2\n"
                                 "    levels: 1\n"
                                 "    speed_x: 1\n"
                                 "    speed_y: 1\n"
                                 "    pick_time: 0.5\n"
                                 "    drop_time: 0.5\n"
                                 "    put_away: closest\n"
                                 "    demand: 15\n"
                                 "    stockout: drop\n"
                                 "    served_by: amr\n"
                                 "    to: out\n"
                                 "  - fleet: amr\n"
                                 "    speed: 2\n"
                                 "    count: 2\n"
                                 "%s"
                                 "    to: out\n"
                                 "  - sink: out\n"
                                 "network:\n"
                                 "  nodes: [H, S]\n"
                                 "  segments:\n"
                                 "    - {from: H, to: S, length: 6%s}\n"
                                 "  at: {rack: S, amr: H, out: H}\n"
                                 "%s";

static struct tsim_sim *zoned_sim(const char *idle, const char *seg, const char *net,
                                  struct tsim_model **m)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, zoned_yaml, idle, seg, net);
    return sim_from_text(yaml, "rack.yaml", m);
}

static void test_served_fleet_zones(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = zoned_sim("    idle: home\n", ", capacity: 1", "", &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 22);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), (3 + 5) / 2.0, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 13.5, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "zone_waits"), 2, 0);
    CHECK_NEAR(kpi(&r, amr, "zone_wait"), 3.0 / 44, 1e-12);
    CHECK_NEAR(kpi(&r, amr, "to_home"), 17.0 / 44, 1e-12);
    CHECK_NEAR(kpi(&r, amr, "loading"), 8.0 / 44, 1e-12);
    CHECK_NEAR(kpi(&r, amr, "idle"), 16.0 / 44, 1e-12);
    CHECK_NEAR(kpi(&r, amr, "deadlocks"), 0, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The model that once stalled (the storage's node S holds one vehicle, H both; no segment
 * capacity): vehicle 2, sent for load 2 at 2, waits at H for S, which vehicle 1 holds driving
 * there and through its cycle; at 6 vehicle 1 drives home (H has room for it), giving S back at
 * 9: vehicle 2 at S 12, cycle until 16 (stored 14.5). Put-away waits 3 and 12 - 2 = 10. With
 * `idle: stay` the free vehicle would keep S: refused, at the fleet's line (no `idle` written)
 * or at its `idle`. */
static void test_served_fleet_zones_node(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = zoned_sim("    idle: home\n", "", "  node_capacity: 1\n  zones: {H: 2}\n",
                                     &m);
    if (!sim) return;
    int rack = tsim_model_find_block(m, "rack"), amr = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(sim, 14.75);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), (3 + 10) / 2.0, 1e-9);
    CHECK_NEAR(kpi(&r, amr, "zone_waits"), 1, 0);
    CHECK_NEAR(kpi(&r, amr, "zone_wait"), 7 / 29.5, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    char yaml[4096], diag[1024] = "";
    snprintf(yaml, sizeof yaml, zoned_yaml, "", "", "  node_capacity: 1\n  zones: {H: 2}\n");
    model_first_error(yaml, "rack.yaml", diag, sizeof diag);
    CHECK_STR(diag, "rack.yaml:19:5: error: fleet 'amr' serves storage 'rack' under zone control "
                    "with 'idle: stay': a vehicle free after a cycle would stay on the storage's "
                    "node and hold it (give the fleet 'idle: home' or 'idle: parking')");
    snprintf(yaml, sizeof yaml, zoned_yaml, "    idle: stay\n", ", capacity: 1", "");
    model_first_error(yaml, "rack.yaml", diag, sizeof diag);
    CHECK_STR(diag, "rack.yaml:22:5: error: fleet 'amr' serves storage 'rack' under zone control "
                    "with 'idle: stay': a vehicle free after a cycle would stay on the storage's "
                    "node and hold it (give the fleet 'idle: home' or 'idle: parking')");
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    RUN(test_served_two_operators);
    RUN(test_served_one_is_crane);
    RUN(test_served_bad);
    RUN(test_served_fleet_one);
    RUN(test_served_fleet_two);
    RUN(test_served_fleet_waits);
    RUN(test_served_fleet_then_request);
    RUN(test_served_fleet_clone);
    RUN(test_served_fleet_zones);
    RUN(test_served_fleet_zones_node);
    RUN(test_served_mg1);
    RUN(test_served_mm2);
    return CHECK_DONE();
}
