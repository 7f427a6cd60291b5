/*
 * Chargers and batteries: a duty cycle whose every charge start and end is computed by hand, a
 * vehicle that waits for the one point of a charger exactly as long as the hand computation
 * says, a clone taken while one vehicle charges and the other waits, an idle vehicle that goes
 * to charge before a request comes, the long-run charging share against the energy balance, and
 * the errors of bad chargers; a charge the plant reports (the live twin's setter, blocks/fleet.h)
 * and the forecast from it.
 *
 * Times are ticks of the default resolution (1e-6 time unit); a charge ends at the first tick
 * at which its target is reached, so hand-computed times hold to a tick or two (TICKS) and
 * charges to the rounding of doubles (1e-9 kWh).
 *
 * The statistical check has the shape of test_validation.c's (tests/unit/reps.h): |mean over
 * replications - theory| <= Student-t half-width + bias allowance, at a Bonferroni level for
 * the file's 2 interval checks (1% family-wise).
 */
#include "check.h"
#include "twinsim.h"
#include "blocks/fleet.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 2.0)
#define MAX_REPS 10
#define SEED UINT64_C(20261205)
static int verbose;

#include "reps.h"
#include "model_text.h"

#define TICKS 3e-6

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "charger.yaml", diag, size);
}

/* A line P - D - C (5 and 5, two-way), speed 10: each leg between neighbours takes 0.5 h. One
 * vehicle at home P, a battery of 10 kWh, full; draws 2 kW empty, 4 kW loaded, 0 otherwise;
 * charges at 10 kW below 5.5 kWh up to 9 kWh, at the charger at C. Requests at P at 1, 2, 3 h,
 * to D; no load or unload time. By hand (h: kWh):
 *   r1: 1 to 1.5 loaded P->D: 10 -> 8; free at D (8 >= 5.5), idle.
 *   r2: 2 to 2.5 empty D->P: 8 -> 7; 2.5 to 3 loaded: 7 -> 5; free, 5 < 5.5: to C.
 *   3 to 3.5 D->C: 5 -> 4; charges from 4 (3.5) to 9 (4.0).
 *   r3 (waiting since 3): 4 to 5 empty C->D->P: 9 -> 7; 5 to 5.5 loaded: 7 -> 5; to C.
 *   5.5 to 6 D->C: 5 -> 4; charges from 4 (6.0) to 9 (6.5); idle at C: the run ends at 6.5.
 * Charge over time (trapezoids): 10 + 4.5 + 4 + 3.75 + 3 + 2.25 + 3.25 + 8 + 3 + 2.25 + 3.25 =
 * 47.25 kWh h over 6.5 h. Charging 1 h, to the charger 1 h, waiting for it 0. */
static const char duty_yaml[] = "name: duty\n"
                                "time_unit: h\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 1\n"
                                "    limit: 3\n"
                                "    to: amr\n"
                                "  - fleet: amr\n"
                                "    count: 1\n"
                                "    speed: 10\n"
                                "    battery: 10\n"
                                "    draw_empty: 2\n"
                                "    draw_loaded: 4\n"
                                "    charge_rate: 10\n"
                                "    charge_below: 0.55\n"
                                "    charge_until: 0.9\n"
                                "    to: out\n"
                                "  - sink: out\n"
                                "  - charger: chg\n"
                                "network:\n"
                                "  nodes: [P, D, C]\n"
                                "  segments:\n"
                                "    - {from: P, to: D, length: 5}\n"
                                "    - {from: D, to: C, length: 5}\n"
                                "  at: {in: P, amr: P, out: D, chg: C}\n";

/* The result of `sim` now, KPI `name` of block `b`. */
static double kpi_now(struct tsim_sim *sim, int b, const char *name)
{
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    double v = kpi(&r, b, name);
    tsim_result_release(&r);
    return v;
}

static void test_charger_duty_cycle_by_hand(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(duty_yaml, "charger.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    /* The charge at each charge start and end (just before the end: the event itself sets the
     * charge to its target). */
    const double at[] = {1.5, 3.0, 3.5, 4.0 - TICKS, 5.5, 6.0, 6.5 - TICKS};
    const double want[] = {8, 5, 4, 9, 5, 4, 9};
    for (int k = 0; k < 7; k++) {
        tsim_sim_run_until(sim, at[k]);
        double l = 10 * kpi_now(sim, f, "battery_end");
        double slope = k == 3 || k == 6 ? 10 : 0; /* charging: TICKS short of the end */
        if (!(fabs(l + slope * TICKS - want[k]) < 1e-4)) {
            fprintf(stderr, "  at %g h: charge %.9g kWh, want %g\n", at[k], l, want[k]);
            check_failed_ = 1;
        }
    }
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 6.5, TICKS);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, f, "battery_end"), 0.9, 1e-9);
    CHECK_NEAR(kpi(&r, f, "battery_end_min"), 0.9, 1e-9);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.4, 1e-9);
    CHECK_NEAR(kpi(&r, f, "battery_mean"), 47.25 / 6.5 / 10, 1e-5);
    CHECK_NEAR(kpi(&r, f, "charging"), 1 / 6.5, 1e-5);
    CHECK_NEAR(kpi(&r, f, "to_charger"), 1 / 6.5, 1e-5);
    CHECK_NEAR(kpi(&r, f, "waiting_charger"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "charger_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, c, "charges"), 2, 0);
    CHECK_NEAR(kpi(&r, c, "utilization"), 1 / 6.5, 1e-5);
    CHECK_NEAR(kpi(&r, c, "wait"), 0, 0);
    CHECK_NEAR(kpi(&r, c, "queue"), 0, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Two vehicles, one charging point. The line above; 1 kW drawn while not driving, 4 kW
 * charging, charge below 8.5 kWh; requests at 0.1 and 0.2 h. By hand:
 *   amr 1: idle to 0.1 (10 -> 9.9), loaded to 0.6 (7.9 < 8.5), to C at 1.1 (6.9), charges
 *     2.1 kWh in 0.525 h: to 1.625; idle at C.
 *   amr 2: idle to 0.2 (9.8), loaded to 0.7 (7.8), to C at 1.2 (6.8), waits for the point
 *     from 1.2 to 1.625 (0.425 h, drawing 0.425 kWh: 6.375), charges 2.625 kWh in 0.65625 h:
 *     to 2.28125, when the run ends. */
static const char pair_yaml[] = "name: pair\n"
                                "time_unit: h\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 0.1\n"
                                "    limit: 2\n"
                                "    to: amr\n"
                                "  - fleet: amr\n"
                                "    count: 2\n"
                                "    speed: 10\n"
                                "    battery: 10\n"
                                "    draw_idle: 1\n"
                                "    draw_empty: 2\n"
                                "    draw_loaded: 4\n"
                                "    charge_rate: 4\n"
                                "    charge_below: 0.85\n"
                                "    charge_until: 0.9\n"
                                "    to: out\n"
                                "  - sink: out\n"
                                "  - charger: chg\n"
                                "    points: 1\n"
                                "network:\n"
                                "  nodes: [P, D, C]\n"
                                "  segments:\n"
                                "    - {from: P, to: D, length: 5}\n"
                                "    - {from: D, to: C, length: 5}\n"
                                "  at: {in: P, amr: P, out: D, chg: C}\n";

static void test_charger_second_vehicle_waits(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(pair_yaml, "charger.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    struct tsim_result r;
    run_to_end(sim, &r);
    const double T = 2.28125;
    CHECK_NEAR(tsim_sim_now(sim), T, TICKS);
    CHECK_NEAR(kpi(&r, c, "charges"), 2, 0);
    CHECK_NEAR(kpi(&r, c, "wait"), 0.425 / 2, TICKS);
    CHECK_NEAR(kpi(&r, f, "charger_wait"), 0.425 / 2, TICKS);
    CHECK_NEAR(kpi(&r, f, "waiting_charger"), 0.425 / (2 * T), TICKS);
    CHECK_NEAR(kpi(&r, c, "queue"), 0.425 / T, TICKS);
    CHECK_NEAR(kpi(&r, c, "queue_end"), 0, 0);
    CHECK_NEAR(kpi(&r, c, "utilization"), (0.525 + 0.65625) / T, TICKS);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.6375, 1e-5);
    CHECK_NEAR(kpi(&r, f, "battery_end"), (9 - (T - 1.625) + 9) / 20, 1e-5);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A clone taken at 1.4 h, while amr 1 charges and amr 2 waits for the point, run on its own
 * after the original is gone, ends as a run without a clone does: the same fingerprint (the
 * charger's queue and the vehicles' charges are in the state the clone copies). */
static void test_charger_clone_mid_charge(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(pair_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr");
    struct tsim_sim *whole = tsim_sim_create(m, 1, 0), *sim = tsim_sim_create(m, 1, 0);
    CHECK(whole != NULL && sim != NULL);
    if (!whole || !sim) return;
    tsim_sim_run(whole);
    tsim_sim_run_until(sim, 1.4);
    CHECK_NEAR(kpi_now(sim, f, "waiting_charger") * 2 * 1.4, 0.2, TICKS);
    struct tsim_sim *copy = tsim_sim_clone(sim);
    tsim_sim_destroy(sim);
    tsim_sim_run(copy);
    struct tsim_result a, b;
    tsim_result_init(&a);
    tsim_result_init(&b);
    tsim_sim_result(whole, &a);
    tsim_sim_result(copy, &b);
    CHECK(tsim_sim_fingerprint(whole) == tsim_sim_fingerprint(copy));
    CHECK_NEAR(kpi(&b, f, "charger_wait"), 0.425 / 2, TICKS);
    tsim_result_release(&a);
    tsim_result_release(&b);
    tsim_sim_destroy(copy);
    tsim_sim_destroy(whole);
    tsim_model_destroy(m);
}

/* An idle vehicle charges early: the duty model with one request, 1 kW drawn while idle and
 * `charge_idle_below: 0.6`. r1 at 1: idle to 1 (10 -> 9), loaded to 1.5 (7): free with 7 >= 5.5
 * and no request; idle at D until its charge falls to 6 at 2.5; to C at 3 (5), charges 4 kWh
 * at 10 kW to 3.4. Idle at C again: at 6 kWh (6.4) it charges there 0.3 h to 6.7, and again
 * at 9.7 to 10. A vehicle that waits for its charge to fall keeps no run going: without a
 * horizon the run ends when the vehicle becomes idle at D, at 1.5. */
static void test_charger_idle_vehicle_charges_early(void)
{
    char text[2048], diag[512] = "";
    const char *p = strstr(duty_yaml, "    limit: 3\n"), *q = strstr(duty_yaml, "    draw_empty");
    snprintf(text, sizeof text, "%.*s    limit: 1\n%.*s    draw_idle: 1\n"
             "    charge_idle_below: 0.6\n%s", (int)(p - duty_yaml), duty_yaml,
             (int)(q - p - 13), p + 13, q);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "charger.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 1.5, TICKS);
    tsim_sim_destroy(sim);
    sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 3.5); /* idle at C since 3.4: 9 - 0.1 */
    CHECK_NEAR(kpi_now(sim, f, "battery_end"), 0.89, 1e-5);
    CHECK_NEAR(kpi_now(sim, f, "battery_min"), 0.5, 1e-5);
    CHECK_NEAR(kpi_now(sim, f, "charging"), 0.4 / 3.5, 1e-5);
    CHECK_NEAR(kpi_now(sim, f, "to_charger"), 0.5 / 3.5, 1e-5);
    CHECK_NEAR(kpi_now(sim, f, "idle"), (1 + 1 + 0.1) / 3.5, 1e-5);
    tsim_sim_destroy(sim);
    sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 9.9);
    CHECK_NEAR(kpi_now(sim, c, "charges"), 3, 0);
    CHECK_NEAR(kpi_now(sim, f, "battery_end"), 0.8, 1e-5);
    CHECK_NEAR(kpi_now(sim, f, "charging"), (0.4 + 0.3 + 0.2) / 9.9, 1e-5);
    tsim_sim_destroy(sim);
    /* Without it the vehicle stays idle at D: no charge after its trip. */
    char *k = strstr(text, "    charge_idle_below");
    memmove(k, k + strlen("    charge_idle_below: 0.6\n"),
            strlen(k + strlen("    charge_idle_below: 0.6\n")) + 1);
    tsim_model_destroy(m);
    m = load(text, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) return;
    sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 5);
    CHECK_NEAR(kpi_now(sim, c, "charges"), 0, 0);
    CHECK_NEAR(kpi_now(sim, f, "battery_end"), 0.35, 1e-5);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The long-run charging share. Every state but charging draws the same D = 2 kW, charging gains
 * R = 6 kW: over a run of T hours a vehicle's charge changes by R Tc - D (T - Tc), which is its
 * end charge less its start, so its charging share is D / (R + D) = 0.25 up to (end - start) /
 * ((R + D) T), at most 20 / (8 T) here. Two vehicles, one charger with one point, Poisson
 * requests one an hour; idle vehicles charge below 10 kWh, so none runs empty (the most a
 * vehicle draws from its decision to charge to its point: 0.5 kWh to the charger and 2 h of
 * waiting for the other vehicle's charge, 4 kWh, of the 8 it has). The charger is busy twice
 * the share of one vehicle. */
static const char balance_yaml[] = "name: balance\n"
                                   "time_unit: h\n"
                                   "blocks:\n"
                                   "  - source: in\n"
                                   "    interarrival: exponential(1)\n"
                                   "    to: amr\n"
                                   "  - fleet: amr\n"
                                   "    count: 2\n"
                                   "    speed: 1\n"
                                   "    battery: 20\n"
                                   "    draw_idle: 2\n"
                                   "    draw_empty: 2\n"
                                   "    draw_loaded: 2\n"
                                   "    charge_rate: 6\n"
                                   "    charge_below: 0.4\n"
                                   "    charge_idle_below: 0.5\n"
                                   "    charge_until: 0.9\n"
                                   "    to: out\n"
                                   "  - sink: out\n"
                                   "  - charger: chg\n"
                                   "network:\n"
                                   "  nodes: [P, D, C]\n"
                                   "  segments:\n"
                                   "    - {from: P, to: D, length: 0.25}\n"
                                   "    - {from: D, to: C, length: 0.25}\n"
                                   "  at: {in: P, amr: P, out: D, chg: C}\n";

static void test_charger_share_is_energy_balance(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(balance_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    const double T = 2000, D = 2, R = 6, bias = 20 / ((R + D) * T);
    struct reps x;
    run_reps(&x, m, MAX_REPS, 0, T);
    CHECK_EQ(x.n, MAX_REPS);
    CHECK_KPI(&x, f, "charging", D / (R + D), bias);
    CHECK_KPI(&x, c, "utilization", 2 * D / (R + D), 2 * bias);
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Bad chargers and thresholds: each a FILE:LINE:COL error. */
static void expect_error(const char *base, const char *from, const char *to, const char *want)
{
    char text[4096], diag[1024] = "";
    const char *p = strstr(base, from);
    CHECK(p != NULL);
    if (!p) return;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK(m == NULL);
    tsim_model_destroy(m);
    if (!strstr(diag, want)) {
        fprintf(stderr, "  got: %s  want: %s\n", diag, want);
        check_failed_ = 1;
    }
}

static void test_charger_bad_input(void)
{
    expect_error(pair_yaml, "    points: 1\n", "    points: 0\n",
                 "charger.yaml:21:13: error: 'points' must be at least 1, got '0'");
    expect_error(pair_yaml, "    points: 1\n", "    points: -2\n",
                 "charger.yaml:21:13: error: 'points' must be at least 1, got '-2'");
    expect_error(pair_yaml, "    points: 1\n", "    pionts: 1\n",
                 "charger.yaml:21:5: error: unknown key 'pionts' in charger 'chg' (did you "
                 "mean 'points'?)");
    expect_error(pair_yaml, ", chg: C}", "}",
                 "charger.yaml:20:5: error: charger 'chg' stands at no node, so no vehicle can "
                 "reach it (give it one in the network's 'at')");
    /* A charger at a node that no segment joins. */
    char lone[2048];
    const char *n = strstr(pair_yaml, "C]\n"), *at = strstr(pair_yaml, "chg: C}");
    snprintf(lone, sizeof lone, "%.*sC, X]\n%.*schg: X}\n", (int)(n - pair_yaml), pair_yaml,
             (int)(at - n - 3), n + 3);
    expect_error(lone, "chg: X}", "chg: X}",
                 "charger.yaml:27:31: error: charger 'chg' (node 'X') cannot be reached by fleet "
                 "'amr' from its home (node 'P'): the network is not connected there");
    expect_error(pair_yaml, "    battery: 10\n", "", "charger.yaml:19:5: error: charger 'chg' "
                 "serves no vehicle: no fleet of the model has a 'battery'");
    expect_error(pair_yaml, "    charge_below: 0.85\n", "    charge_below: 0.95\n",
                 "charger.yaml:16:5: error: 'charge_below' (0.95) of fleet 'amr' must be below "
                 "its 'charge_until' (0.9)");
    expect_error(balance_yaml, "    charge_idle_below: 0.5\n", "    charge_idle_below: 0.9\n",
                 "charger.yaml:16:5: error: 'charge_idle_below' (0.9) of fleet 'amr' must be "
                 "below its 'charge_until' (0.9)");
    expect_error(pair_yaml, "    - {from: D, to: C, length: 5}\n",
                 "    - {from: D, to: C, length: 5, one_way: true}\n",
                 "charger.yaml:27:31: error: fleet 'amr' has no path from charger 'chg' (node "
                 "'C') back to 'in': the network is not connected there");
    expect_error(pair_yaml, "    - {from: D, to: C, length: 5}\n",
                 "    - {from: C, to: D, length: 5, one_way: true}\n",
                 "charger.yaml:27:31: error: charger 'chg' (node 'C') cannot be reached by fleet "
                 "'amr' from its home (node 'P'): the network is not connected there");
}

/* `charger_choice: shortest_wait`. The pair's line with a second charger chg2 at E, joined to D
 * by 5.5 (0.55 h; chg at C is 0.5 h from D), requests at 0.6 and 1.2 h. A charge is estimated
 * at (0.9 - 0.85) x 10 kWh / 4 kW = 0.125 h. By hand:
 *   amr 1: idle to 0.6 (9.4), loaded to 1.1 (7.4 < 8.5): to charge; nothing at either charger,
 *     so chg (0.5 h) is the nearer and the shorter; there at 1.6 (6.4), charges 2.6 kWh in
 *     0.65 h: to 2.25; idle at C (at 3.075: 9 - 0.825 = 8.175).
 *   amr 2: idle to 1.2 (8.8), loaded to 1.7 (6.8): to charge while amr 1 charges at chg's one
 *     point: chg 0.5 + 0.125 = 0.625 h, chg2 0.55 + 0 h, so chg2, the farther, wins. There at
 *     2.25 (5.7), charges 3.3 kWh in 0.825 h: to 3.075, when the run ends.
 * With `nearest` (the default) amr 2 goes to chg at 2.2 (5.8), waits 0.05 h for amr 1's point
 * (5.75), charges 3.25 kWh in 0.8125 h: to 3.0625. */
static void choice_model(char *text, size_t size, const char *choice)
{
    const char *q = strstr(pair_yaml, "    to: out\n");
    const char *n = strstr(pair_yaml, "network:\n");
    snprintf(text, size,
             "%.*s%s%.*s"
             "  - charger: chg2\n"
             "network:\n"
             "  nodes: [P, D, C, E]\n"
             "  segments:\n"
             "    - {from: P, to: D, length: 5}\n"
             "    - {from: D, to: C, length: 5}\n"
             "    - {from: D, to: E, length: 5.5}\n"
             "  at: {in: P, amr: P, out: D, chg: C, chg2: E}\n",
             (int)(q - pair_yaml), pair_yaml, choice, (int)(n - q), q);
    char *ia = strstr(text, "interarrival: 0.1");
    if (ia) memcpy(ia, "interarrival: 0.6", strlen("interarrival: 0.6"));
}

static void test_charger_choice_shortest_wait(void)
{
    char text[4096];
    choice_model(text, sizeof text, "    charger_choice: shortest_wait\n");
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "charger.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c1 = tsim_model_find_block(m, "chg"),
        c2 = tsim_model_find_block(m, "chg2");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 3.075, TICKS);
    CHECK_NEAR(kpi(&r, c1, "charges"), 1, 0);
    CHECK_NEAR(kpi(&r, c2, "charges"), 1, 0);
    CHECK_NEAR(kpi(&r, f, "charger_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.57, 1e-5);
    CHECK_NEAR(kpi(&r, f, "battery_end"), (8.175 + 9) / 20, 1e-5);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    /* The nearest: both at chg, the second after a wait. */
    choice_model(text, sizeof text, "");
    sim = sim_from_text(text, "charger.yaml", &m);
    if (!sim) return;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 3.0625, TICKS);
    CHECK_NEAR(kpi(&r, c1, "charges"), 2, 0);
    CHECK_NEAR(kpi(&r, c2, "charges"), 0, 0);
    CHECK_NEAR(kpi(&r, c1, "wait"), 0.05 / 2, TICKS);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.575, 1e-5);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    expect_error(text, "    to: out\n", "    charger_choice: shortest\n    to: out\n",
                 "charger.yaml:18:21: error: unknown charger choice 'shortest' (use nearest, "
                 "shortest_wait or earliest_charge)");
}

/* Chargers kept for one fleet (`fleets:`). The duty cycle above with a second fleet agv (one
 * vehicle, a battery it never draws, one request) and a charger `near` at D, where amr decides
 * to charge, kept for agv: amr does not use it, so its duty cycle is the hand-computed one (both
 * charges at chg, the run ends at 6.5). Without `fleets`, amr charges at D, 0.5 h nearer. */
static void kept_model(char *text, size_t size, const char *near_keys, const char *agv_keys)
{
    const char *n = strstr(duty_yaml, "network:\n");
    snprintf(text, size,
             "%.*s"
             "  - source: in2\n"
             "    interarrival: 1\n"
             "    limit: 1\n"
             "    to: agv\n"
             "  - fleet: agv\n"
             "    count: 1\n"
             "    speed: 10\n"
             "%s"
             "    to: out\n"
             "  - charger: near\n"
             "%s"
             "network:\n"
             "  nodes: [P, D, C]\n"
             "  segments:\n"
             "    - {from: P, to: D, length: 5}\n"
             "    - {from: D, to: C, length: 5}\n"
             "  at: {in: P, amr: P, out: D, chg: C, in2: P, agv: P, near: D}\n",
             (int)(n - duty_yaml), duty_yaml, agv_keys, near_keys);
}

static void test_charger_kept_for_a_fleet(void)
{
    static const char agv_battery[] = "    battery: 10\n    charge_rate: 10\n";
    char text[4096];
    kept_model(text, sizeof text, "    fleets: [agv]\n", agv_battery);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(text, "charger.yaml", &m);
    if (!sim) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg"),
        near = tsim_model_find_block(m, "near");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_NEAR(tsim_sim_now(sim), 6.5, TICKS);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, c, "charges"), 2, 0);
    CHECK_NEAR(kpi(&r, near, "charges"), 0, 0);
    CHECK_NEAR(kpi(&r, f, "to_charger"), 1 / 6.5, 1e-5);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    /* Kept for both fleets, or for none: amr charges at D, where it is, without driving to a
     * charger: from 5 kWh at 3 h to 9 at 3.4; then r3 leaves it at D at 4.4 with 6 >= 5.5, so
     * once. */
    static const char *const open_to_amr[] = {"    fleets: [agv, amr]\n", ""};
    for (int k = 0; k < 2; k++) {
        kept_model(text, sizeof text, open_to_amr[k], agv_battery);
        sim = sim_from_text(text, "charger.yaml", &m);
        if (!sim) return;
        run_to_end(sim, &r);
        CHECK_NEAR(kpi(&r, c, "charges"), 0, 0);
        CHECK_NEAR(kpi(&r, near, "charges"), 1, 0);
        CHECK_NEAR(tsim_sim_now(sim), 4.4, TICKS);
        CHECK_NEAR(kpi(&r, f, "to_charger"), 0, 0);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    /* The errors: a fleet with a battery and no charger it may use, at the first charger's
     * `fleets`; bad names in `fleets`, at the name. */
    char chg_kept[4096];
    kept_model(text, sizeof text, "    fleets: [agv]\n", agv_battery);
    expect_error(text, "  - charger: chg\n", "  - charger: chg\n    fleets: [agv]\n",
                 "charger.yaml:20:5: error: fleet 'amr' has a 'battery' but may use none of the "
                 "model's chargers (their 'fleets' name other fleets)");
    snprintf(chg_kept, sizeof chg_kept, "%s", text);
    expect_error(chg_kept, "[agv]", "[agx]",
                 "charger.yaml:31:14: error: undefined fleet 'agx' (did you mean 'agv'?)");
    expect_error(chg_kept, "[agv]", "[out]", "charger.yaml:31:14: error: not a fleet: 'out'");
    expect_error(chg_kept, "[agv]", "[agv, agv]",
                 "charger.yaml:31:19: error: fleet 'agv' is named twice");
    expect_error(chg_kept, "[agv]", "[]",
                 "charger.yaml:31:5: error: 'fleets' of charger 'near' names no fleet (leave it out for every fleet)");
    expect_error(chg_kept, "[agv]", "agv",
                 "charger.yaml:31:13: error: 'fleets' (a list of fleets) must be a list, not "
                 "'agv'");
    kept_model(text, sizeof text, "    fleets: [agv]\n", "");
    expect_error(text, "[agv]", "[agv]",
                 "charger.yaml:29:14: error: fleet 'agv' has no 'battery', so it never charges");
}

/* The charge a plant reports (VDA 5050), set in the live sim and forecast from by a clone, on
 * the duty cycle above. By hand:
 *   Idle at P at 0.5 h with 10 kWh, reported at 50 % (5 kWh < 5.5): to charge at once, P->D->C
 *   by 1.5 (3 kWh), charges 6 kWh to 2.1. Requests r1 (1 h) and r2 (2 h) wait. r1: C->P by 3.1
 *   (7), loaded to D by 3.6 (5 < 5.5), to C by 4.1 (4), charges to 4.6. r2 the same 2.5 h
 *   later: charged at 7.1; r3 (3 h): charged at 9.6, when the run ends. Request waits: 3.1 - 1,
 *   5.6 - 2, 8.1 - 3: a mean of 3.6 h; the least charge 3 kWh.
 *   Charging at 3.7 h (from 4 kWh at 3.5: 6 kWh), reported at 80 %: the charge ends 0.1 h later,
 *   at 3.8 instead of 4.0, and the run 0.2 h earlier, at 6.3.
 * A report of the charge the sim has changes nothing; a fleet without a battery takes none. */
static void test_charger_reported_charge(void)
{
    struct tsim_model *m;
    struct tsim_sim *live = sim_from_text(duty_yaml, "charger.yaml", &m);
    if (!live) return;
    int f = tsim_model_find_block(m, "amr"), c = tsim_model_find_block(m, "chg");
    tsim_sim_run_until(live, 0.5);
    CHECK_NEAR(tsim__fleet_vehicle_charge(live, f, 0), 100, 1e-9);
    CHECK(tsim__fleet_observe_battery(live, f, 0, 100) == 0);
    CHECK(tsim__fleet_observe_battery(live, f, 0, 50) == 1);
    CHECK_NEAR(tsim__fleet_vehicle_charge(live, f, 0), 50, 1e-9);
    CHECK(tsim__fleet_vehicle_driving(live, f, 0) == 1); /* to the charger */
    struct tsim_sim *fc = tsim_sim_clone(live);
    tsim_sim_destroy(live);
    tsim_sim_run_until(fc, 1.5);
    CHECK_NEAR(tsim__fleet_vehicle_charge(fc, f, 0), 30, 1e-4);
    CHECK(tsim__fleet_vehicle_charging(fc, f, 0) == 1);
    struct tsim_result r;
    run_to_end(fc, &r);
    CHECK_NEAR(tsim_sim_now(fc), 9.6, TICKS);
    CHECK_NEAR(kpi(&r, f, "deliveries"), 3, 0);
    CHECK_NEAR(kpi(&r, c, "charges"), 4, 0);
    CHECK_NEAR(kpi(&r, f, "request_wait"), 3.6, TICKS);
    CHECK_NEAR(kpi(&r, f, "battery_min"), 0.3, 1e-5);
    CHECK_NEAR(kpi(&r, f, "battery_end"), 0.9, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(fc);

    live = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(live, 3.7);
    CHECK(tsim__fleet_vehicle_charging(live, f, 0) == 1);
    CHECK_NEAR(tsim__fleet_vehicle_charge(live, f, 0), 60, 1e-3);
    CHECK(tsim__fleet_observe_battery(live, f, 0, 80) == 1);
    tsim_sim_run_until(live, 3.8 - TICKS);
    CHECK(tsim__fleet_vehicle_charging(live, f, 0) == 1);
    tsim_sim_run_until(live, 3.8 + TICKS);
    CHECK(tsim__fleet_vehicle_charging(live, f, 0) == 0);
    fc = tsim_sim_clone(live);
    run_to_end(fc, &r);
    CHECK_NEAR(tsim_sim_now(fc), 6.3, TICKS);
    CHECK_NEAR(kpi(&r, c, "charges"), 2, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(fc);
    tsim_sim_destroy(live);

    /* Reported at 1 % (0.1 kWh), idle at P at 0.5 h: it drives to charge and, drawing 2 kW,
     * runs empty at 0.55 h on the way: the run stops with the fleet's error, as any run whose
     * vehicle runs empty does. */
    live = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(live, 0.5);
    CHECK(tsim__fleet_observe_battery(live, f, 0, 1) == 1);
    tsim_sim_run_until(live, 2);
    CHECK(tsim_sim_status(live) != 0);
    CHECK_STR(tsim_sim_error(live) ? tsim_sim_error(live) : "",
              "amr 1 ran empty at 0.55 h while to_charger: its battery had 0.1 of 10 kWh at 0.5 h "
              "(raise 'charge_below' or lower the draws)");
    tsim_sim_destroy(live);
    tsim_model_destroy(m);

    /* No battery: the report is not taken, the charge is none. */
    static const char plain[] = "name: plain\n"
                                "time_unit: h\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 1\n"
                                "    to: amr\n"
                                "  - fleet: amr\n"
                                "    count: 1\n"
                                "    speed: 10\n"
                                "    to: out\n"
                                "  - sink: out\n"
                                "network:\n"
                                "  nodes: [P, D]\n"
                                "  segments:\n"
                                "    - {from: P, to: D, length: 5}\n"
                                "  at: {in: P, amr: P, out: D}\n";
    live = sim_from_text(plain, "charger.yaml", &m);
    if (!live) return;
    f = tsim_model_find_block(m, "amr");
    tsim_sim_run_until(live, 0.5);
    CHECK(tsim__fleet_observe_battery(live, f, 0, 5) == -1);
    CHECK(tsim__fleet_vehicle_charge(live, f, 0) == -1);
    tsim_sim_destroy(live);
    tsim_model_destroy(m);
}

/* `charger_choice: earliest_charge` against `shortest_wait`, on the choice model above with chg2
 * at E 5.6 from D (0.56 h). amr 2 decides at 1.7 h at D while amr 1 charges at chg until 2.25.
 * shortest_wait counts one whole charge for amr 1 (0.125 h): chg 0.5 + 0.125 = 0.625 h against
 * chg2 0.56, so chg2: there at 2.26 with 6.8 - 1.12 = 5.68 kWh, charges 3.32 kWh in 0.83 h, to
 * 3.09. earliest_charge counts what amr 1 still needs: at chg a point is free at 2.25, 0.55 h from
 * now, against 0.56 at chg2, so chg: there at 2.2 (5.8), waits 0.05 h (5.75), charges 3.25 kWh in
 * 0.8125 h, to 3.0625. With chg2 at 5.4 (0.54 h) earliest_charge takes chg2 (0.54 < 0.55): there
 * at 2.24 (5.72), charges 3.28 kWh in 0.82 h, to 3.06.
 * A vehicle on its way: requests at 0.1 and 0.2 h, chg2 at 7 (0.7 h). amr 1 decides at 0.6 (7.9
 * kWh): chg, 0.5 h. amr 2 decides at 0.7 while amr 1 drives there: shortest_wait counts it as a
 * whole charge, chg 0.625 h against chg2 0.7, so chg, where it waits for amr 1 (there at 1.1 with
 * 6.9, charging 2.1 kWh to 1.625): from 1.2 (6.8) to 1.625 (6.375), then 2.625 kWh to 2.28125.
 * earliest_charge sees amr 1 arrive in 0.4 h needing 0.525 h: chg's point free in 0.925 h, so
 * chg2 (0.7): there at 1.4 with 6.4, charges 2.6 kWh in 0.65 h, to 2.05. */
static void test_charger_choice_earliest_charge(void)
{
    static const struct {
        const char *choice, *e_len, *every;
        double end, chg, chg2, chg_wait;
    } cases[] = {
        {"    charger_choice: shortest_wait\n", "5.6", "0.6", 3.09, 1, 1, 0},
        {"    charger_choice: earliest_charge\n", "5.6", "0.6", 3.0625, 2, 0, 0.05 / 2},
        {"    charger_choice: earliest_charge\n", "5.4", "0.6", 3.06, 1, 1, 0},
        {"    charger_choice: shortest_wait\n", "7.0", "0.1", 2.28125, 2, 0, 0.425 / 2},
        {"    charger_choice: earliest_charge\n", "7.0", "0.1", 2.05, 1, 1, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char text[4096];
        choice_model(text, sizeof text, cases[k].choice);
        char *len = strstr(text, "length: 5.5}");
        CHECK(len != NULL);
        if (!len) return;
        memcpy(len + strlen("length: "), cases[k].e_len, 3);
        memcpy(strstr(text, "interarrival: 0.6") + strlen("interarrival: "), cases[k].every, 3);
        struct tsim_model *m;
        struct tsim_sim *sim = sim_from_text(text, "charger.yaml", &m);
        if (!sim) return;
        int c1 = tsim_model_find_block(m, "chg"), c2 = tsim_model_find_block(m, "chg2");
        struct tsim_result r;
        run_to_end(sim, &r);
        CHECK_NEAR(tsim_sim_now(sim), cases[k].end, TICKS);
        CHECK_NEAR(kpi(&r, c1, "charges"), cases[k].chg, 0);
        CHECK_NEAR(kpi(&r, c2, "charges"), cases[k].chg2, 0);
        CHECK_NEAR(kpi(&r, c1, "wait"), cases[k].chg_wait, TICKS);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

int main(void)
{
    verbose = getenv("TSIM_TEST_VERBOSE") != NULL;
    RUN(test_charger_duty_cycle_by_hand);
    RUN(test_charger_second_vehicle_waits);
    RUN(test_charger_clone_mid_charge);
    RUN(test_charger_idle_vehicle_charges_early);
    RUN(test_charger_share_is_energy_balance);
    RUN(test_charger_bad_input);
    RUN(test_charger_choice_shortest_wait);
    RUN(test_charger_kept_for_a_fleet);
    RUN(test_charger_reported_charge);
    RUN(test_charger_choice_earliest_charge);
    return CHECK_DONE();
}
