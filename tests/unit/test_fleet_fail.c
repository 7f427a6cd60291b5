/*
 * Vehicle failures (`failures_between`, `failures_repair`): a trip with failures computed by
 * hand, plain and under zone control; a clone taken while a vehicle is failed; a failure that
 * falls on a blocked vehicle; the availability of vehicles that fail and are repaired in
 * calendar time (an alternating renewal process: the failed share is MTTR / (MTBF + MTTR)); and
 * the bad keys.
 *
 * The statistical check has the shape of test_validation.c's (tests/unit/reps.h): |mean over
 * replications - theory| <= Student-t half-width + bias allowance, at a Bonferroni level for the
 * file's 2 interval checks (1% family-wise).
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL (1.0 - 0.01 / 2.0)
#define MAX_REPS 16
#define SEED UINT64_C(20261206)
static int verbose;

#include "reps.h"
#include "model_text.h"
#include "fleet_trip.h"

/* One vehicle, home H; requests at P (times 1 and 2) go to D. Segments: H-P 4 (two-way),
 * P->D 6, D->H 2 (one-way). Empty speed 2, loaded 1; load 1, unload 0.5; idle: home. The
 * vehicle fails 6 after the start and 6 after each repair's end; a repair takes 2.
 *   r1 at 1: H->P 1..3, loading 3..4, loaded from 4 (6 to drive, to 10); it fails at 6 with 4
 *      left, is repaired at 8, at D 12, unloads 12..12.5: delivered 12.5 (11.5 after its
 *      request)
 *   r2 (waiting since 2): D->H->P empty 3 from 12.5 (to 15.5); it fails at 8 + 6 = 14 with 1.5
 *      left, repaired at 16, at P 17.5, loading 17.5..18.5, loaded from 18.5 (to 24.5); it
 *      fails at 16 + 6 = 22 with 2.5 left, repaired at 24, at D 26.5, delivered 27 (25 after
 *      its request); home D->H 27..28, where the run ends (the next failure, at 30, is a
 *      background event).
 * Failed 6 of 28, 3 failures of 2 each; idle 1; request waits 2 and 15.5. The model is
 * fleet_trip.h's with two requests and these keys (made in main). */
static const char trip_keys[] = "    failures_between: 6\n"
                                "    failures_repair: 2\n"
                                "    per_vehicle: true\n";
static char trip_yaml[2048];

static void check_trip(const struct tsim_sim *sim, const struct tsim_result *r, int f)
{
    CHECK_NEAR(tsim_sim_now(sim), 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "deliveries"), 2, 0);
    CHECK_NEAR(kpi(r, f, "delivery_time"), (11.5 + 25) / 2, 1e-9);
    CHECK_NEAR(kpi(r, f, "request_wait"), (2 + 15.5) / 2, 1e-9);
    CHECK_NEAR(kpi(r, f, "failed"), 6.0 / 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "failures"), 3, 0);
    CHECK_NEAR(kpi(r, f, "repair_time"), 2, 1e-9);
    CHECK_NEAR(kpi(r, f, "idle"), 1.0 / 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "loaded"), 12.0 / 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "utilization"), 21.0 / 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "vehicle_1.failed"), 6.0 / 28, 1e-9);
    CHECK_NEAR(kpi(r, f, "vehicle_1.failures"), 3, 0);
    CHECK_NEAR(kpi(r, f, "vehicle_1.utilization"), 21.0 / 28, 1e-9);
}

/* The trip with `extra` appended to its network. */
static void trip(const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", trip_yaml, extra);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r;
    run_to_end(sim, &r);
    check_trip(sim, &r, f);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_fleet_fail_trip_by_hand(void) { trip(""); }

/* Under zone control every leg here is one segment: the vehicle fails mid-arc, keeps the node
 * ahead, and every time is as above. */
static void test_fleet_fail_trip_with_zones(void) { trip("  node_capacity: 1\n"); }

/* A clone taken at `t`, the original gone, run to its end: the same end, KPIs and fingerprint as
 * the whole run. At 7 the vehicle is failed mid-leg, loaded; at 15 failed driving empty. */
static void clone_while_failed(double t)
{
    struct tsim_model *m;
    struct tsim_sim *whole = sim_from_text(trip_yaml, "fleet.yaml", &m);
    if (!whole) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r0, r;
    run_to_end(whole, &r0);
    struct tsim_sim *part = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(part, t);
    struct tsim_sim *copy = tsim_sim_clone(part);
    tsim_sim_destroy(part);
    run_to_end(copy, &r);
    check_trip(copy, &r, f);
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(copy));
    tsim_result_release(&r0);
    tsim_result_release(&r);
    tsim_sim_destroy(copy);
    tsim_sim_destroy(whole);
    tsim_model_destroy(m);
}

static void test_fleet_fail_clone_while_failed(void)
{
    clone_while_failed(7);
    clone_while_failed(15);
}

/* A vehicle blocked at a full buffer does not stop there: its failure waits until it is free.
 * Source `first` sends two entities at 0: the first to the press (busy 0..20), the second waits
 * in buffer `out` (capacity 1), which is full. The vehicle's request at 1: H->P 1..3, loading
 * 3..4, loaded 4..10, unloading 10..10.5, then blocked: the failure at 11 waits. At 20 the press
 * takes the buffer's entity and the vehicle hands its load over (delivery 19): free and idle
 * (stay), it stops at once, failed 20..22. Idle, it fails at once from then on: 33..35, 46..48,
 * and 59, when the run ends at 60 (the press's last entity, 40..60): failed 2 + 2 + 2 + 1 = 7 of
 * 60, 4 failures, 3 repairs of 2 ended. */
static const char blocked_yaml[] = "name: blocked\n"
                                   "time_unit: min\n"
                                   "blocks:\n"
                                   "  - source: first\n"
                                   "    interarrival: 0\n"
                                   "    limit: 2\n"
                                   "    to: out\n"
                                   "  - source: in\n"
                                   "    interarrival: 1\n"
                                   "    limit: 1\n"
                                   "    to: amr\n"
                                   "  - fleet: amr\n"
                                   "    count: 1\n"
                                   "    speed: 2\n"
                                   "    speed_loaded: 1\n"
                                   "    load: 1\n"
                                   "    unload: 0.5\n"
                                   "    failures_between: 11\n"
                                   "    failures_repair: 2\n"
                                   "    to: out\n"
                                   "  - buffer: out\n"
                                   "    capacity: 1\n"
                                   "    to: press\n"
                                   "  - machine: press\n"
                                   "    process: 20\n"
                                   "    to: done\n"
                                   "  - sink: done\n"
                                   "network:\n"
                                   "  nodes: [H, P, D]\n"
                                   "  segments:\n"
                                   "    - {from: H, to: P, length: 4}\n"
                                   "    - {from: P, to: D, length: 6, one_way: true}\n"
                                   "    - {from: D, to: H, length: 2, one_way: true}\n"
                                   "  at: {in: P, amr: H, out: D}\n";

static void test_fleet_fail_waits_while_blocked(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(blocked_yaml, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 60, 1e-9);
    CHECK_NEAR(kpi(&r, f, "delivery_time"), 19, 1e-9);
    CHECK_NEAR(kpi(&r, f, "blocked"), 9.5 / 60, 1e-9);
    CHECK_NEAR(kpi(&r, f, "failed"), 7.0 / 60, 1e-9);
    CHECK_NEAR(kpi(&r, f, "failures"), 4, 0);
    CHECK_NEAR(kpi(&r, f, "repair_time"), 2, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A failure while charging. One vehicle on a line P - D - C (0.5 h a leg), 20 kWh, drawing 4 kW
 * empty, 8 kW loaded and nothing standing, charging at 20 kW (100 % an hour) below 60 % up to
 * 90 %, requests at 1 and 2 h (test_twin_emulate.c's plant): its charge is 50 % at D at 3.0, so it
 * drives to the charger at C, 40 % at 3.5, and charges. It fails at 3.75 (65 %), keeps its point
 * and its charge (no draw standing), is repaired at 4.0 and charges on: 25 % more in 0.25 h, done
 * at 4.25, where the run ends. Charging 0.5 h, failed 0.25 h of 4.25; the point is taken from
 * 3.5 to 4.25. A charge ends at the first tick at its target (ceil): the times may be a tick
 * (1e-6 h) late, hence the tolerances of 2e-6. */
static const char charging_yaml[] =
    "name: charging\n"
    "time_unit: h\n"
    "blocks:\n"
    "  - {source: in, interarrival: 1, limit: 2, to: amr}\n"
    "  - {fleet: amr, count: 1, speed: 10, battery: 20, draw_empty: 4, draw_loaded: 8,\n"
    "     charge_rate: 20, charge_below: 0.6, charge_until: 0.9, failures_between: 3.75,\n"
    "     failures_repair: 0.25, to: out}\n"
    "  - {sink: out}\n"
    "  - {charger: chg}\n"
    "network:\n"
    "  nodes: [P, D, C]\n"
    "  segments: [{from: P, to: D, length: 5}, {from: D, to: C, length: 5}]\n"
    "  at: {in: P, amr: P, out: D, chg: C}\n";

static void test_fleet_fail_while_charging(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(charging_yaml, "fleet.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 4.25, 2e-6);
    CHECK_NEAR(kpi(&r, f, "charging"), 0.5 / 4.25, 2e-6);
    CHECK_NEAR(kpi(&r, f, "failed"), 0.25 / 4.25, 2e-6);
    CHECK_NEAR(kpi(&r, f, "failures"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "battery_end"), 0.9, 1e-6);
    CHECK_NEAR(kpi(&r, c, "utilization"), 0.75 / 4.25, 2e-6);
    CHECK_NEAR(kpi(&r, c, "charges"), 1, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Availability: the textbook sizing loop (test_fleet.c) with 4 vehicles, each failing after
 * exponential(60) of calendar time and repaired in exponential(12). No vehicle ever waits
 * (blocked, for a zone or a charger) there, so every failure stops its vehicle at once and each
 * vehicle is an alternating renewal process: failed a share 12 / (60 + 12) = 1/6 in the steady
 * state. From the start (up) the share at time t is off by (1/6) exp(-t (1/60 + 1/12)): after a
 * warm-up of 1,000 that is e^-100, nothing. The mean repair is 12; the repairs cut by the
 * window's two ends (at most 4 at each) are a share 2 x 4 / (window x 4 / 72) of those counted,
 * each off by at most about the mean: the bias allowance. */
static const char avail_yaml[] = "name: avail\n"
                                 "time_unit: min\n"
                                 "blocks:\n"
                                 "  - source: requests\n"
                                 "    interarrival: exponential(1.5)\n"
                                 "    to: amr\n"
                                 "  - fleet: amr\n"
                                 "    count: 4\n"
                                 "    speed: 200\n"
                                 "    load: 0.75\n"
                                 "    unload: 0.75\n"
                                 "    failures_between: exponential(60)\n"
                                 "    failures_repair: exponential(12)\n"
                                 "    to: drop\n"
                                 "  - sink: drop\n"
                                 "network:\n"
                                 "  nodes: [pickup, dropoff]\n"
                                 "  segments:\n"
                                 "    - {from: pickup, to: dropoff, length: 250, one_way: true}\n"
                                 "    - {from: dropoff, to: pickup, length: 300, one_way: true}\n"
                                 "  at: {requests: pickup, amr: dropoff, drop: dropoff}\n";

static void test_fleet_fail_availability(void)
{
    char diag[512] = "";
    struct tsim_model *m = model_from_text(avail_yaml, "fleet.yaml", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr");
    const double warm = 1000, window = 100000;
    struct reps x;
    run_reps(&x, m, 10, warm, warm + window);
    CHECK_KPI(&x, f, "failed", 12.0 / 72, 1e-12);
    CHECK_KPI(&x, f, "repair_time", 12, 12 * 2 * 4 / (window * 4 / 72));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Bad keys: a repair with no failures, a time between failures of mean 0. */
static void test_fleet_fail_bad(void)
{
    char text[4096], diag[1024];
    snprintf(text, sizeof text, "%s", trip_yaml);
    char *p = strstr(text, "    failures_between: 6\n");
    memmove(p, p + strlen("    failures_between: 6\n"), strlen(p) - strlen("    failures_between: 6\n") + 1);
    model_first_error(text, "fleet.yaml", diag, sizeof diag);
    CHECK(strstr(diag, "fleet 'amr' has 'failures_repair' but no 'failures_between'") != NULL);
    snprintf(text, sizeof text, "%s", trip_yaml);
    p = strstr(text, "    failures_between: 6\n");
    memcpy(p, "    failures_between: 0\n", strlen("    failures_between: 0\n"));
    model_first_error(text, "fleet.yaml", diag, sizeof diag);
    CHECK(strstr(diag, "'failures_between' of fleet 'amr' must have a mean above 0") != NULL);
}

int main(void)
{
    verbose = getenv("TSIM_TEST_VERBOSE") != NULL;
    fleet_trip_n(trip_yaml, sizeof trip_yaml, 2, trip_keys, NULL, NULL, NULL);
    RUN(test_fleet_fail_trip_by_hand);
    RUN(test_fleet_fail_trip_with_zones);
    RUN(test_fleet_fail_clone_while_failed);
    RUN(test_fleet_fail_waits_while_blocked);
    RUN(test_fleet_fail_while_charging);
    RUN(test_fleet_fail_availability);
    RUN(test_fleet_fail_bad);
    return CHECK_DONE();
}
