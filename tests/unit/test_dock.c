/*
 * Dock blocks (doors where trucks unload or load pallets, trucks from appointments or drawn):
 * runs whose every time is computed by hand under both yard rules; the doors with Poisson trucks
 * of one pallet and exponential unloading as an M/M/c queue, whose yard wait is Erlang C (the
 * tolerance a confidence interval over replications plus the derived bias allowance of reps.h);
 * and every problem of an appointments file at its line and column.
 * Set TSIM_TEST_VERBOSE=1 to print every figure with its interval.
 */
#include "check.h"
#include "twinsim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEVEL (1.0 - 0.01 / 4.0) /* Bonferroni over the file's four interval checks */
#define MAX_REPS 20
#define SEED UINT64_C(20261205)
static int verbose;

#include "reps.h"
#include "model_text.h"
#include "blocks/desc.h"
#include "blocks/dock.h"
#include "blocks/storage.h"

static char tmpdir[64];

/* Write `csv` to trucks.csv in the test's folder and load a model whose dock `dock` reads it,
 * with the keys `keys` (lines of the block, each indented 4); diagnostics in `diag`. */
static struct tsim_model *load_trucks_at(const char *top, const char *csv, size_t len,
                                         const char *keys, char *diag, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/trucks.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return NULL;
    fwrite(csv, 1, len, f);
    fclose(f);
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "%s"
             "blocks:\n"
             "  - dock: dock\n"
             "    appointments_file: %s\n"
             "%s"
             "    to: gone\n"
             "  - sink: gone\n",
             top, path, keys);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

static struct tsim_model *load_trucks(const char *csv, size_t len, const char *keys, char *diag,
                                      size_t size)
{
    return load_trucks_at("", csv, len, keys, diag, size);
}

/* Two doors; unloading 2 a pallet, loading 1.5. T1 (10 pallets in) at 0 takes door 0 to 20; T2
 * (4 out) at 1 takes door 1 to 7; T3 (2 in, planned 5) at 2 and T4 (1 in, planned 2, departure
 * by 12) at 3 wait in the yard.
 * fifo: door 1 takes T3 at 7 (wait 5) to 11, then T4 at 11 (wait 8) to 13: T4 leaves late.
 *   Turnarounds 20, 6, 9, 10; yard waits 0, 0, 5, 8; the yard holds T3 2..7 and T4 3..11.
 * appointment: door 1 takes T4 at 7 (wait 4) to 9, then T3 at 9 (wait 7) to 13: none late.
 *   Turnarounds 20, 6, 11, 6; yard waits 0, 0, 7, 4; the yard holds T3 2..9 and T4 3..7.
 * Either way the doors are busy 20 + 12 of 2 x 20, 13 pallets come in and 4 go out. */
static const char four_csv[] = "truck,arrival,pallets,direction,planned,departure\n"
                               "T1,0,10,inbound,0,30\n"
                               "T2,1,4,outbound,1,10\n"
                               "T4,3,1,inbound,2,12\n"
                               "T3,2,2,inbound,5,\n";

/* What a run of four trucks by hand gives: its end, and the dock's KPIs. */
struct by_hand {
    double end, turnaround, wait, waiting, utilization, late, unloaded, loaded;
};

/* Run the dock of `csv[0..len)` with `keys` to its end and check every figure of `w`. */
static void run_by_hand(const char *csv, size_t len, const char *keys, const struct by_hand *w)
{
    char diag[1024] = "";
    struct tsim_model *m = load_trucks(csv, len, keys, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int dock = tsim_model_find_block(m, "dock");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), w->end, 1e-12);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "trucks"), 4, 0);
    CHECK_NEAR(kpi(&r, dock, "turnaround"), w->turnaround, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "yard_wait"), w->wait, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "trucks_waiting"), w->waiting, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "door_utilization"), w->utilization, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "late_departures"), w->late, 0);
    CHECK_NEAR(kpi(&r, dock, "pallets_unloaded"), w->unloaded, 0);
    CHECK_NEAR(kpi(&r, dock, "pallets_loaded"), w->loaded, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void four_trucks(const char *yard, double turnaround, double wait, double waiting,
                        double late)
{
    char keys[256];
    snprintf(keys, sizeof keys, "    doors: 2\n    unload: 2\n    load: 1.5\n    yard: %s\n", yard);
    struct by_hand w = {20, turnaround, wait, waiting, 32 / 40.0, late, 13, 4};
    run_by_hand(four_csv, sizeof four_csv - 1, keys, &w);
}

static void test_dock_by_hand(void)
{
    four_trucks("fifo", (20 + 6 + 9 + 10) / 4.0, (5 + 8) / 4.0, (5 + 8) / 20.0, 1);
    four_trucks("appointment", (20 + 6 + 11 + 6) / 4.0, (7 + 4) / 4.0, (7 + 4) / 20.0, 0);
}

/* Outbound trucks loading orders (`loads: orders`), one door, 0.4 a load. Orders come at 1, 2,
 * ..., 6, each due 2 later (3, 4, ..., 8). A (room 10, departure 3.5) at 0 loads o1 1..1.4;
 * o2 and o3 (due 4, 5) are not its: it leaves at 3.5 with 1 (none missed; cut 3.5). B (room 2,
 * departure 8) waits 1..3.5, loads o2 and o3 to 4.3 and leaves full, early, leaving o4 (come at
 * 4, due 6 <= 8) behind: missed. C (room 10, departure 12) waits 2..4.3 and loads o4 4.3..4.7,
 * o5 5..5.4 and o6 6..6.4, both missed as they come (due 7, 8 <= cut 8), and leaves at 12 with
 * 3. D (departure 12.5) comes at 13, finds nothing and leaves at once: late. Turnarounds 3.5,
 * 3.3, 10, 0; yard waits 0, 2.5, 2.3, 0. Stopped at 5.2 instead, o5 is on the dock: 5 entered,
 * 4 loaded (flow balance: the missed are still there, not lost). */
static const char orders_csv[] = "truck,arrival,pallets,direction,departure\n"
                                 "A,0,10,outbound,3.5\n"
                                 "B,1,2,outbound,8\n"
                                 "C,2,10,outbound,12\n"
                                 "D,13,5,outbound,12.5\n";

static struct tsim_model *orders_model(const char *csv, size_t len, char *diag, size_t size)
{
    char path[128], yaml[1024];
    snprintf(path, sizeof path, "%s/trucks.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return NULL;
    fwrite(csv, 1, len, f);
    fclose(f);
    snprintf(yaml, sizeof yaml,
             "name: out\n"
             "blocks:\n"
             "  - source: orders\n"
             "    interarrival: 1\n"
             "    limit: 6\n"
             "    due: 2\n"
             "    to: dock\n"
             "  - dock: dock\n"
             "    doors: 1\n"
             "    appointments_file: %s\n"
             "    loads: orders\n"
             "    load: 0.4\n"
             "    to: gone\n"
             "  - sink: gone\n",
             path);
    return model_from_text(yaml, "out.yaml", diag, size);
}

static void test_dock_loads_orders(void)
{
    char diag[1024] = "";
    struct tsim_model *m = orders_model(orders_csv, sizeof orders_csv - 1, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int dock = tsim_model_find_block(m, "dock");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 13, 1e-9);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "trucks"), 4, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_loaded"), 6, 0);
    CHECK_NEAR(kpi(&r, dock, "pallets_loaded"), 6, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_missed"), 3, 0);
    CHECK_NEAR(kpi(&r, dock, "late_departures"), 1, 0);
    CHECK_NEAR(kpi(&r, dock, "turnaround"), (3.5 + 3.3 + 10 + 0) / 4, 1e-9);
    CHECK_NEAR(kpi(&r, dock, "yard_wait"), (0 + 2.5 + 2.3 + 0) / 4, 1e-9);
    CHECK_NEAR(kpi(&r, dock, "entered"), 6, 0);
    CHECK_NEAR(kpi(&r, dock, "left"), 6, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);

    sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 5.2);
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "entered"), 5, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_loaded"), 4, 0);
    CHECK_NEAR(kpi(&r, dock, "left"), 4, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_missed"), 2, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    /* an outbound truck without a departure cannot load orders; a dock without `loads: orders`
     * takes no entities */
    static const char nodep[] = "truck,arrival,pallets,direction,departure\nA,0,1,outbound,\n";
    m = orders_model(nodep, sizeof nodep - 1, diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "dock 'dock' loads orders, but an outbound truck arriving at 0 has no "
                       "departure") != NULL);
    if (m) tsim_model_destroy(m);
    char d2[1024] = "";
    m = model_from_text("name: d\nblocks:\n  - source: s\n    interarrival: 1\n    to: dock\n"
                        "  - dock: dock\n    doors: 1\n    interarrival: 1\n    to: gone\n"
                        "  - sink: gone\n",
                        "d.yaml", d2, sizeof d2);
    CHECK(m == NULL);
    CHECK(strstr(d2, "dock 'dock' takes entities only with 'loads: orders'") != NULL);
    if (m) tsim_model_destroy(m);
}

/* Erlang C: with a = lambda / mu offered load on c servers,
 * C(c, a) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)],
 * Wq = C(c, a) / (c mu - lambda). */
static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, term = 1.0, sum = 0.0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term * c / (c - a);
    return top / (sum + top) / (c * mu - lambda);
}

/* Three doors, Poisson trucks at 2.4 an hour, one pallet each unloaded in exponential(1) hours:
 * M/M/3 at rho = 0.8. The yard wait is Erlang C's Wq, the trucks waiting lambda Wq, the
 * turnaround Wq + 1 and the door utilization rho; the relaxation time is bounded by M/M/1's at
 * the same load, as in test_validation.c. */
static void test_dock_erlang_c(void)
{
    const double lambda = 2.4, mu = 1.0;
    const int c = 3;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: dock\n"
             "blocks:\n"
             "  - dock: dock\n"
             "    doors: %d\n"
             "    interarrival: exponential(%.17g)\n"
             "    unload: exponential(%.17g)\n"
             "    to: gone\n"
             "  - sink: gone\n",
             c, 1 / lambda, 1 / mu);
    char diag[512] = "";
    struct tsim_model *m = model_from_text(yaml, "dock.yaml", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int dock = tsim_model_find_block(m, "dock");
    double wq = erlang_c_wq(c, lambda, mu), w = wq + 1 / mu, rho = lambda / (c * mu);
    double warmup = 1000, window = 30000, tau = mm1_tau(rho, mu), l = lambda * w;
    struct reps x;
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    CHECK_KPI(&x, dock, "yard_wait", wq, bias_allowance(wq, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, dock, "trucks_waiting", lambda * wq,
              bias_allowance(lambda * wq, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, dock, "turnaround", w, bias_allowance(w, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, dock, "door_utilization", rho,
              bias_allowance(rho, warmup, tau, l, lambda, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Doors for one direction: door 0 inbound only, door 1 outbound only, door 2 both; 1 a pallet
 * either way. I1 (5 in) at 0 takes door 0 to 5; O1 (1 out) at 0 door 1 to 1; I2 (2 in) at 0.5
 * door 2 to 2.5; I3 (1 in) at 0.75 waits, and door 1, free at 1, does not take it; O2 (3 out) at
 * 1.5 takes door 1 to 4.5; door 2 takes I3 at 2.5 (wait 1.75) to 3.5. Turnarounds 5, 1, 2,
 * 2.75, 3; the doors busy 5 + 4 + 3 of 3 x 5. With every door for both, I3 would take door 1 at
 * 1 instead. */
static const char directions_csv[] = "truck,arrival,pallets,direction\n"
                                     "I1,0,5,inbound\n"
                                     "O1,0,1,outbound\n"
                                     "I2,0.5,2,inbound\n"
                                     "I3,0.75,1,inbound\n"
                                     "O2,1.5,3,outbound\n";

static void test_dock_directions(void)
{
    char diag[1024] = "";
    struct tsim_model *m = load_trucks(directions_csv, sizeof directions_csv - 1,
                                       "    doors: 3\n    inbound_doors: 1\n"
                                       "    outbound_doors: 1\n    unload: 1\n    load: 1\n",
                                       diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int dock = tsim_model_find_block(m, "dock");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 5, 1e-12);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "trucks"), 5, 0);
    CHECK_NEAR(kpi(&r, dock, "yard_wait"), 1.75 / 5, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "trucks_waiting"), 1.75 / 5, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "turnaround"), (5 + 1 + 2 + 2.75 + 3) / 5, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "door_utilization"), 12 / 15.0, 1e-12);
    CHECK_NEAR(kpi(&r, dock, "pallets_unloaded"), 8, 0);
    CHECK_NEAR(kpi(&r, dock, "pallets_loaded"), 4, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    /* more doors for one direction than doors; trucks no door serves */
    m = load_trucks(directions_csv, sizeof directions_csv - 1,
                    "    doors: 2\n    inbound_doors: 2\n    outbound_doors: 1\n", diag,
                    sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "dock 'dock' has 2 inbound and 1 outbound doors, more than its 2 "
                       "'doors'") != NULL);
    if (m) tsim_model_destroy(m);
    m = load_trucks(directions_csv, sizeof directions_csv - 1,
                    "    doors: 2\n    inbound_doors: 2\n", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "dock 'dock' has no door for outbound trucks (all its doors are "
                       "'inbound_doors')") != NULL);
    if (m) tsim_model_destroy(m);
}

/* Flow balance of orders loaded by trucks: Poisson orders (1 a time unit, 300, each due 1 to
 * 10 after it comes) and 60 outbound trucks of room 4 every 5, each leaving 3 after it comes,
 * on 2 doors: room for 0.8 orders a time unit, so orders miss trucks and wait. Whatever the
 * draws, every order made reaches the dock, every order that leaves it is one loaded, one a
 * pallet, the rest are still there (missed, not lost), and an order is missed at most once. */
static void test_dock_orders_balance(void)
{
    char csv[4096], diag[1024] = "";
    size_t n = (size_t)snprintf(csv, sizeof csv, "truck,arrival,pallets,direction,departure\n");
    for (int k = 0; k < 60; k++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "T%d,%d,4,outbound,%d\n", k, 5 * k,
                              5 * k + 3);
    CHECK(n < sizeof csv);
    char path[128], yaml[1024];
    snprintf(path, sizeof path, "%s/trucks.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(csv, 1, n, f);
    fclose(f);
    snprintf(yaml, sizeof yaml,
             "name: out\nblocks:\n"
             "  - source: orders\n    interarrival: exponential(1)\n    limit: 300\n"
             "    due: uniform(1, 10)\n    to: dock\n"
             "  - dock: dock\n    doors: 2\n    appointments_file: %s\n    loads: orders\n"
             "    load: exponential(0.3)\n    to: gone\n"
             "  - sink: gone\n",
             path);
    struct tsim_model *m = model_from_text(yaml, "out.yaml", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int src = tsim_model_find_block(m, "orders"), dock = tsim_model_find_block(m, "dock");
    for (uint64_t rep = 0; rep < 5; rep++) {
        struct tsim_sim *sim = tsim_sim_create(m, SEED, rep);
        tsim_sim_run(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        double entered = kpi(&r, dock, "entered"), loaded = kpi(&r, dock, "orders_loaded");
        double missed = kpi(&r, dock, "orders_missed");
        CHECK_NEAR(kpi(&r, src, "created"), 300, 0);
        CHECK_NEAR(entered, 300, 0);
        CHECK_NEAR(kpi(&r, dock, "left"), loaded, 0);
        CHECK_NEAR(kpi(&r, dock, "pallets_loaded"), loaded, 0);
        CHECK_NEAR(kpi(&r, dock, "trucks"), 60, 0);
        CHECK(loaded <= 60 * 4 && loaded < entered); /* some wait at the end */
        CHECK(missed > 0 && missed <= entered);
        if (verbose)
            printf("  rep %d: %g entered, %g loaded, %g missed\n", (int)rep, entered, loaded,
                   missed);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

static void expect_trucks_error(const char *csv, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load_trucks(csv, strlen(csv), "    doors: 1\n", diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, "dc.yaml:4:24: error: ")) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

#define HDR "truck,arrival,pallets,direction,planned,departure\n"

/* Each problem of the file at its line and column in the CSV, reported at the key's value; a
 * byte order mark and CRLF line ends are read as any file. */
static void test_appointments_file(void)
{
    expect_trucks_error("truck,arrival,direction\nT1,0,inbound\n",
                        "trucks.csv:1:1: no column 'pallets' in the header (it needs truck, "
                        "arrival, pallets, direction)");
    expect_trucks_error(HDR "T1,8h30,3,inbound,,\n",
                        "trucks.csv:2:4: arrival '8h30' is not a time (a number in the model's "
                        "time unit, a date-time YYYY-MM-DD HH:MM[:SS] or a clock time "
                        "HH:MM[:SS])");
    expect_trucks_error(HDR "T1,2026-12-06 08:30,3,inbound,,\n",
                        "trucks.csv:2:4: arrival '2026-12-06 08:30' is a date-time, but the "
                        "model's run.start gives no date to count from");
    expect_trucks_error(HDR "T1,-2,3,inbound,,\n", "trucks.csv:2:4: arrival -2 is negative");
    expect_trucks_error(HDR "T1,08:30,3,inbound,,\nT2,2,3,inbound,,\n",
                        "trucks.csv:3:4: arrival '2' is a number, but the column's first time "
                        "(line 2) is a clock time");
    expect_trucks_error(HDR "T1,1,-3,inbound,,\n",
                        "trucks.csv:2:6: pallets '-3' is not a whole number from 1 to 1000000");
    expect_trucks_error(HDR "T1,1,3,sideways,,\n",
                        "trucks.csv:2:8: direction 'sideways' is not 'inbound' or 'outbound'");
    expect_trucks_error(HDR "T1,1,3,inbound,5,4\n",
                        "trucks.csv:2:18: departure 4 is before the planned time 5");
    expect_trucks_error(HDR "T1,1,3,inbound,,\nT2,1,3,inbound,,\nT1,2,3,outbound,,\n",
                        "trucks.csv:4:1: truck 'T1' is given twice (first on line 2)");
    expect_trucks_error(HDR, "trucks.csv:2:1: no trucks");

    static const char csv[] = "\xEF\xBB\xBF" "carrier,direction,pallets,arrival,truck\r\n"
                              "\"Acme, Inc\",inbound,2,4,T9\r\n";
    char diag[1024] = "";
    struct tsim_model *m =
        load_trucks(csv, sizeof csv - 1, "    doors: 1\n    unload: 1\n", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 6, 1e-12);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    char d2[1024] = "";
    m = model_from_text("name: d\nblocks:\n  - dock: dock\n    doors: 1\n    to: gone\n"
                        "  - sink: gone\n",
                        "d.yaml", d2, sizeof d2);
    CHECK(m == NULL);
    CHECK(strstr(d2, "dock 'dock' needs one of 'appointments_file' and 'interarrival'") != NULL);
    if (m) tsim_model_destroy(m);
}

/* Trucks for a door. Two doors, unloading 2 a pallet. T1 (3 pallets, door 1) at 0 takes door 1
 * to 6; T2 (1 pallet, door 1, planned 5) at 1 waits for door 1 though door 2 is free; T3 (2,
 * any door, planned 2) at 2 takes door 2 to 6; T4 (2, door 1, planned 2) at 3 waits for door 1.
 * At 6 door 2 frees and takes no one (both wait for door 1).
 *   fifo: door 1 takes T2 at 6 to 8, then T4 at 8 to 12. Turnarounds 6, 7, 4, 9; yard waits
 *     0, 5, 0, 5; the yard holds T2 1..6 and T4 3..8.
 *   appointment: door 1 takes T4 (planned 2) at 6 to 10, then T2 (planned 5) at 10 to 12.
 *     Turnarounds 6, 11, 4, 7; yard waits 0, 9, 0, 3; the yard holds T2 1..10 and T4 3..6.
 * Either way the run ends at 12, the doors busy 12 + 4 of 2 x 12. Without the door column T2
 * would take door 2 at 1. */
static const char doors_csv[] = "truck,arrival,pallets,direction,planned,door\n"
                                "T1,0,3,inbound,0,1\n"
                                "T2,1,1,inbound,5,1\n"
                                "T3,2,2,inbound,2,any\n"
                                "T4,3,2,inbound,2,1\n";

static void door_trucks(const char *yard, double turnaround, double wait, double waiting)
{
    char keys[256];
    snprintf(keys, sizeof keys, "    doors: 2\n    unload: 2\n    yard: %s\n", yard);
    struct by_hand w = {12, turnaround, wait, waiting, 16 / 24.0, 0, 8, 0};
    run_by_hand(doors_csv, sizeof doors_csv - 1, keys, &w);
}

static void test_dock_doors_by_hand(void)
{
    door_trucks("fifo", (6 + 7 + 4 + 9) / 4.0, (5 + 5) / 4.0, (5 + 5) / 12.0);
    door_trucks("appointment", (6 + 11 + 4 + 7) / 4.0, (9 + 3) / 4.0, (9 + 3) / 12.0);

    /* A door the dock does not have, or one kept for the other direction, at its place. */
    expect_trucks_error("truck,arrival,pallets,direction,door\nT1,0,1,inbound,2\n",
                        "trucks.csv:2:16: door '2' is not one of the dock's doors (1 to 1, or "
                        "'any')");
    expect_trucks_error("truck,arrival,pallets,direction,door\nT1,0,1,inbound,door 1\n",
                        "trucks.csv:2:16: door 'door 1' is not one of the dock's doors");
    char diag[1024] = "";
    static const char csv[] = "truck,arrival,pallets,direction,door\nT1,0,1,inbound,\n"
                              "T2,0,1,outbound,1\n";
    struct tsim_model *m = load_trucks(csv, sizeof csv - 1,
                                       "    doors: 3\n    inbound_doors: 1\n", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "trucks.csv:3:17: door 1 serves only inbound trucks (the dock's "
                       "'inbound_doors'), and this one is outbound") != NULL);
    tsim_model_destroy(m);

    /* Fewer doors after the file was read (an experiment's factor): refused when checked. */
    static const char two[] = "truck,arrival,pallets,direction,door\nT1,0,1,inbound,1\n"
                              "T2,0,1,inbound,2\n";
    m = load_trucks(two, sizeof two - 1, "    doors: 2\n    unload: 2\n", diag, sizeof diag);
    CHECK(m != NULL);
    if (m) {
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        CHECK(sim != NULL);
        if (sim) tsim_sim_destroy(sim);
        CHECK_EQ(tsim_model_set_param(m, "dock.doors", "1"), 0);
        sim = tsim_sim_create(m, 1, 0);
        CHECK(sim == NULL);
        CHECK(strstr(tsim_errmsg(), "dock 'dock': truck 'T2' of its appointments is for door 2, "
                                    "which it does not have") != NULL);
        if (sim) tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* Appointments written as date-times (a WMS export) against run.start 2026-12-06 22:00, in
 * minutes: T1 comes 2026-12-06 22:30 (30), planned 22:15 (15), leaves by 2026-12-07 01:00
 * (180); T2 comes 2026-12-07T00:00:30 (120.5) with no planned time or departure. Clock times are
 * on the start's day: 23:00 is 60; 21:00 is before the start, refused. */
static void test_appointments_dates(void)
{
    static const char top[] = "time_unit: min\nrun:\n  start: 2026-12-06 22:00\n";
    static const char csv[] = HDR "T2,2026-12-07T00:00:30,1,inbound,,\n"
                                  "T1,2026-12-06 22:30,2,outbound,2026-12-06 22:15,"
                                  "2026-12-07 01:00\n";
    char diag[1024] = "";
    struct tsim_model *m = load_trucks_at(top, csv, sizeof csv - 1, "    doors: 1\n", diag,
                                          sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    const struct tsim__trucks *t = &m->blocks[tsim_model_find_block(m, "dock")].trucks;
    CHECK_EQ(t->n, 2);
    CHECK(strcmp(t->id[0], "T1") == 0);
    CHECK_NEAR(t->arrival[0], 30, 1e-9);
    CHECK_NEAR(t->planned[0], 15, 1e-9);
    CHECK_NEAR(t->departure[0], 180, 1e-9);
    CHECK_NEAR(t->arrival[1], 120.5, 1e-9);
    CHECK(isinf(t->planned[1]) && isinf(t->departure[1]));
    tsim_model_destroy(m);

    static const char clock[] = HDR "T1,23:00,1,inbound,,\n";
    m = load_trucks_at(top, clock, sizeof clock - 1, "    doors: 1\n", diag, sizeof diag);
    CHECK(m != NULL);
    if (m) CHECK_NEAR(m->blocks[tsim_model_find_block(m, "dock")].trucks.arrival[0], 60, 1e-9);
    tsim_model_destroy(m);

    static const char early[] = HDR "T1,21:00,1,inbound,,\n";
    m = load_trucks_at(top, early, sizeof early - 1, "    doors: 1\n", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "dc.yaml:7:24: error: ") && strstr(diag, "trucks.csv:2:4: arrival '21:00' "
                       "is before the model's start, 2026-12-06 22:00 (a clock time is on the "
                       "start's day"));
    if (m == NULL && !strstr(diag, "dc.yaml:7:24")) fprintf(stderr, "%s", diag);
    tsim_model_destroy(m);
}

/* Write `text` to file `name` in the test's folder, its path in `path`: 0, or -1 (checked). */
static int write_tmp(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return -1;
    fputs(text, f);
    fclose(f);
    return 0;
}

/* The model of `yaml` (named `name` in messages), which must load: NULL, said, if it does not. */
static struct tsim_model *must_load(const char *yaml, const char *name)
{
    char diag[1024] = "";
    struct tsim_model *m = model_from_text(yaml, name, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) fprintf(stderr, "%s", diag);
    return m;
}

/* Model `m` was refused (it is destroyed here) with `place` and `want` in its diagnostics. */
static void expect_refused(struct tsim_model *m, const char *diag, const char *place,
                           const char *want)
{
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, place)) {
        fprintf(stderr, "  expected '%s%s' in:\n%s", place, want, diag);
        check_failed_ = 1;
    }
    if (verbose) printf("  %s", diag);
    tsim_model_destroy(m);
}

/* Trucks that name their orders. A picking block ships three orders (one picker, a line takes
 * 1 + 0.5 a unit, packing 2: O1 at 5.5, O2 at 8.5, O3 at 28.5, due 10, 5 and 30; worked out in
 * tests/unit/test_order_data.c) to a dock of 3 doors loading 0.5 an order.
 *   A (0, departure 8) names O1 and O2: door 1 at 0, loads O1 5.5..6, leaves at 8 without O2:
 *     1 missed, 1 of its 2 loaded, not full, on time; turnaround 8.
 *   B (0, departure 30) names O3: door 2 at 0, loads O3 28.5..29 and leaves full at 29, early.
 *   C (12, departure 10, names none) takes door 1 at 12, is closing, and O2 on the dock is named
 *     (by A): it takes nothing, leaves at once, late, and O2 (due 5 <= 10) is not its miss.
 * O2 stays on the dock: 3 entered, 2 loaded; the run ends at 30, B's departure, whose event
 * finds it gone. */
static const char named_orders_csv[] = "order,line,product,quantity,release,due\n"
                                       "O1,1,a,2,0,10\n"
                                       "O1,2,b,1,0,10\n"
                                       "O2,1,c,4,1,5\n"
                                       "O3,1,a,1,20,30\n"
                                       "O3,2,c,1,20,30\n"
                                       "O3,3,b,5,20,30\n";
static const char named_trucks_csv[] = "truck,arrival,pallets,direction,departure,orders\n"
                                       "A,0,2,outbound,8,O1|O2\n"
                                       "B,0,1,outbound,30,O3\n"
                                       "C,12,5,outbound,10,\n";

/* The head of the models of named orders: the picking block `pick`, its orders file and route
 * left to fill. */
#define NAMED_HEAD                                                                                 \
    "name: named\n"                                                                                \
    "products: [a, b, c]\n"                                                                        \
    "blocks:\n"                                                                                    \
    "  - picking: pick\n"                                                                          \
    "    orders_file: %s\n"                                                                        \
    "    pick_line: 1\n"                                                                           \
    "    pick_unit: 0.5\n"                                                                         \
    "    pack_time: 2\n"                                                                           \
    "    to: %s\n"
/* Their dock, its appointments file and `loads` left to fill, and the sink. */
#define NAMED_DOCK                                                                                 \
    "  - dock: dock\n"                                                                             \
    "    doors: 3\n"                                                                               \
    "    appointments_file: %s\n"                                                                  \
    "    loads: %s\n"                                                                              \
    "    load: 0.5\n"                                                                              \
    "    to: gone\n"                                                                               \
    "  - sink: gone\n"

/* The picking block, sending to `to`, and the dock reading `trucks` (and the three orders),
 * with `loads`. */
static struct tsim_model *named_model(const char *trucks, const char *loads, const char *to,
                                      char *diag, size_t size)
{
    char tp[128], op[128], yaml[1536];
    if (write_tmp("trucks.csv", trucks, tp, sizeof tp) != 0 ||
        write_tmp("orders.csv", named_orders_csv, op, sizeof op) != 0)
        return NULL;
    snprintf(yaml, sizeof yaml, NAMED_HEAD NAMED_DOCK, op, to, tp, loads);
    return model_from_text(yaml, "named.yaml", diag, size);
}

static void test_dock_named_orders(void)
{
    char diag[1024] = "";
    struct tsim_model *m = named_model(named_trucks_csv, "orders", "dock", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int dock = tsim_model_find_block(m, "dock");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 30, 1e-9);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "trucks"), 3, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_loaded"), 2, 0);
    CHECK_NEAR(kpi(&r, dock, "pallets_loaded"), 2, 0);
    CHECK_NEAR(kpi(&r, dock, "orders_missed"), 1, 0);
    CHECK_NEAR(kpi(&r, dock, "late_departures"), 1, 0);
    CHECK_NEAR(kpi(&r, dock, "turnaround"), (8 + 29 + 0) / 3.0, 1e-9);
    CHECK_NEAR(kpi(&r, dock, "entered"), 3, 0);
    CHECK_NEAR(kpi(&r, dock, "left"), 2, 0);
    static const char *const id[] = {"A", "B", "C"};
    static const double depart[] = {8, 29, 12};
    static const int64_t room[] = {2, 1, 5}, loaded[] = {1, 1, 0};
    static const int full[] = {0, 1, 0}, late[] = {0, 0, 1};
    for (int k = 0; k < 3; k++) {
        struct tsim__dock_truck t;
        tsim__dock_truck(sim, dock, k, &t);
        CHECK_STR(t.id, id[k]);
        CHECK_NEAR(t.depart, depart[k], 1e-9);
        CHECK(t.pallets == room[k]);
        CHECK(t.loaded == loaded[k]);
        CHECK(t.full == full[k]);
        CHECK(t.late == late[k]);
    }
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Each problem of the `orders` column at its line and column in the appointments file. */
static void expect_named_error(const char *trucks, const char *loads, const char *want)
{
    char diag[1024] = "";
    int loaded = strcmp(loads, "orders") == 0; /* else a check of the loaded model */
    struct tsim_model *m = named_model(trucks, loads, loaded ? "dock" : "gone", diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || (loaded && !strstr(diag, "named.yaml:12:24: error: "))) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

static void test_dock_named_orders_errors(void)
{
#define NH "truck,arrival,pallets,direction,departure,orders\n"
    expect_named_error(NH "A,0,2,outbound,8,O1|O33\n", "orders",
                       "trucks.csv:2:21: order 'O33' is not in the "
                       "orders file of picking 'pick' (did you mean 'O3'?)");
    expect_named_error(NH "A,0,2,outbound,8,O1|O2\nB,1,2,outbound,9,O3|O2\n", "orders",
                       "trucks.csv:3:21: order 'O2' is on truck 'A' (line 2) and on truck 'B': "
                       "an order goes on one truck");
    expect_named_error(NH "A,0,2,inbound,8,O1\n", "orders",
                       "trucks.csv:2:17: truck 'A' is inbound: only an outbound truck loads "
                       "orders");
    expect_named_error(NH "A,0,2,outbound,8,O1||O2\n", "orders",
                       "trucks.csv:2:21: empty order id in 'O1||O2' (ids are separated by '|')");
    expect_named_error(NH "A,0,2,outbound,8,O1|O2|O1\n", "orders",
                       "trucks.csv:2:24: order 'O1' is named twice by truck 'A'");
    expect_named_error(NH "A,0,1,outbound,8,O1|O2\n", "orders",
                       "trucks.csv:2:18: truck 'A' names 2 orders, more than its 1 pallets (one "
                       "order a pallet)");
    expect_named_error(NH "A,0,2,outbound,8,O1\n", "pallets",
                       "dock 'dock': truck 'A' of its appointments names orders, which only a "
                       "dock with 'loads: orders' loads");
    char diag[1024] = "";
    static const char none[] = NH "A,0,2,outbound,8,O1\n";
    struct tsim_model *m =
        load_trucks(none, sizeof none - 1, "    doors: 1\n    loads: orders\n", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "dc.yaml:4:24: error: ") != NULL);
    CHECK(strstr(diag, "trucks.csv:2:18: truck 'A' names orders, but no picking block of the "
                       "model reads an 'orders_file'") != NULL);
    tsim_model_destroy(m);
#undef NH
}

/* Two picking blocks, `pick` (the three orders above) sending to `to1` and `far` (orders P1 and
 * P2) to `to2`, a buffer `hold` in front of the dock, and the dock of `loads: orders` reading
 * `trucks`. */
static struct tsim_model *reach_model(const char *trucks, const char *to1, const char *to2,
                                      char *diag, size_t size)
{
    static const char far_csv[] = "order,line,product,quantity,release,due\n"
                                  "P1,1,a,1,0,10\n"
                                  "P2,1,b,1,0,10\n";
    char tp[128], op[128], fp[128], yaml[2048];
    if (write_tmp("trucks.csv", trucks, tp, sizeof tp) != 0 ||
        write_tmp("orders.csv", named_orders_csv, op, sizeof op) != 0 ||
        write_tmp("far.csv", far_csv, fp, sizeof fp) != 0)
        return NULL;
    snprintf(yaml, sizeof yaml,
             NAMED_HEAD "  - picking: far\n"
                        "    orders_file: %s\n"
                        "    pick_line: 1\n"
                        "    to: %s\n"
                        "  - buffer: hold\n"
                        "    to: dock\n" NAMED_DOCK,
             op, to1, fp, to2, tp, "orders");
    return model_from_text(yaml, "named.yaml", diag, size);
}

/* A named order must be one that reaches its dock: of a picking block whose shipped orders can
 * reach the dock along routes (here through the buffer), else an error at the id's cell. */
static void test_dock_named_orders_reach(void)
{
    /* pick reaches the dock through `hold`, which adds no time: the run of
     * test_dock_named_orders, 2 orders loaded and O2 missed */
    char diag[1024] = "";
    struct tsim_model *m = reach_model(named_trucks_csv, "hold", "gone", diag, sizeof diag);
    CHECK(m != NULL);
    if (m) {
        int dock = tsim_model_find_block(m, "dock");
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        tsim_sim_run(sim);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        CHECK_NEAR(kpi(&r, dock, "orders_loaded"), 2, 0);
        CHECK_NEAR(kpi(&r, dock, "orders_missed"), 1, 0);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    } else {
        fprintf(stderr, "%s", diag);
    }
    tsim_model_destroy(m);
#define NH "truck,arrival,pallets,direction,departure,orders\n"
    static const struct {
        const char *trucks, *to1, *to2, *want;
    } bad[] = {
        {NH "A,0,2,outbound,8,O1|P1\n", "hold", "gone",
         "trucks.csv:2:21: order 'P1' is in the orders file of picking 'far', whose shipped "
         "orders cannot reach dock 'dock' along routes"},
        {NH "A,0,2,outbound,8,O1|P1\n", "hold", "hold",
         "trucks.csv:2:21: order 'P1' is of picking 'far', but the dock's trucks name orders of "
         "picking 'pick' already: a dock's trucks name the orders of one picking block"},
        {NH "A,0,2,outbound,8,O1|P11\n", "hold", "hold",
         "trucks.csv:2:21: order 'P11' is not in the orders file of any of the 2 picking blocks "
         "whose orders reach dock 'dock' (did you mean 'P1'?)"},
        {NH "A,0,2,outbound,8,O1\n", "gone", "gone",
         "trucks.csv:2:18: truck 'A' names orders, but the shipped orders of no picking block "
         "with an 'orders_file' reach dock 'dock' along routes"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        diag[0] = '\0';
        m = reach_model(bad[i].trucks, bad[i].to1, bad[i].to2, diag, sizeof diag);
        expect_refused(m, diag, "named.yaml:18:24: error: ", bad[i].want);
    }
    /* a misspelt route is the one error: what reaches the dock is not known then */
    diag[0] = '\0';
    m = reach_model(NH "A,0,2,outbound,8,O1\n", "hodl", "gone", diag, sizeof diag);
    expect_refused(m, diag, "named.yaml:9:9: error: ", "route to undefined block 'hodl'");
    CHECK(strstr(diag, "reach dock") == NULL);
#undef NH
    char path[128];
    snprintf(path, sizeof path, "%s/far.csv", tmpdir);
    remove(path);
}

/* Inbound trucks of several products: each truck's `product` in its appointment, else the
 * dock's. By hand, one door, unloading 1 a pallet: B (3 pallets of b) at 0 unloads to 3, C (2 of
 * c) at 1 waits, unloads 3 to 5, A (1, no product: the dock's, a) at 2 waits, unloads 5 to 6.
 * The rack (no demand) then holds a 1, b 3 and c 2, put away as they come. */
static void test_dock_products(void)
{
    static const char csv[] = "truck,arrival,pallets,direction,product\n"
                              "B,0,3,inbound,b\n"
                              "C,1,2,inbound,c\n"
                              "A,2,1,inbound,\n";
    char path[128], yaml[1024], diag[1024] = "";
    if (write_tmp("trucks.csv", csv, path, sizeof path) != 0) return;
    snprintf(yaml, sizeof yaml,
             "name: skus\n"
             "products: [a, b, c]\n"
             "blocks:\n"
             "  - dock: dock\n"
             "    doors: 1\n"
             "    appointments_file: %s\n"
             "    unload: 1\n"
             "    product: a\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 10\n"
             "    levels: 1\n"
             "    by_product: true\n"
             "    to: gone\n"
             "  - sink: gone\n",
             path);
    struct tsim_model *m = must_load(yaml, "skus.yaml");
    if (!m) return;
    int dock = tsim_model_find_block(m, "dock"), rack = tsim_model_find_block(m, "rack");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run(sim);
    CHECK_NEAR(tsim_sim_now(sim), 6, 1e-9);
    static const int64_t stock[3] = {1, 3, 2};
    for (int p = 0; p < 3; p++) CHECK(tsim__storage_stock(sim, rack, p) == stock[p]);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, dock, "pallets_unloaded"), 6, 0);
    CHECK_NEAR(kpi(&r, rack, "products.a.put_aways"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "products.b.put_aways"), 3, 0);
    CHECK_NEAR(kpi(&r, rack, "products.c.put_aways"), 2, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    /* a product the model lacks, or one on an outbound truck, at its cell */
    static const struct {
        const char *csv, *want;
    } bad[] = {
        {"truck,arrival,pallets,direction,product\nT1,0,2,inbound,bb\n",
         "trucks.csv:2:16: product 'bb' is not in the model (did you mean 'b'?)"},
        {"truck,arrival,pallets,direction,product\nT1,0,2,outbound,b\n",
         "trucks.csv:2:17: truck 'T1' is outbound: only an inbound truck's pallets have a "
         "product"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        diag[0] = '\0';
        m = load_trucks_at("products: [a, b, c]\n", bad[i].csv, strlen(bad[i].csv),
                           "    doors: 1\n", diag, sizeof diag);
        expect_refused(m, diag, "dc.yaml:5:24: error: ", bad[i].want);
    }
}

/* A drawn truck's pallets drawn one by one from the dock's mix: one truck of N = 400 pallets,
 * a 0.25 and b 0.75. The count of a is binomial, mean 100 and sd sqrt(400 x 0.25 x 0.75) = 8.66;
 * the check allows 3.29 sd (a two-sided 99.9% interval, 28.5) around it, with the fixed seed.
 * Every pallet is one of the two. */
static void test_dock_product_mix(void)
{
    struct tsim_model *m = must_load("name: mix\n"
                                     "products: [a, b, c]\n"
                                     "blocks:\n"
                                     "  - dock: dock\n"
                                     "    doors: 1\n"
                                     "    interarrival: 1\n"
                                     "    limit: 1\n"
                                     "    pallets: 400\n"
                                     "    product: {a: 0.25, b: 0.75}\n"
                                     "    to: gone\n"
                                     "  - sink: gone\n",
                                     "mix.yaml");
    if (!m) return;
    int gone = tsim_model_find_block(m, "gone");
    struct tsim_sim *sim = tsim_sim_create(m, SEED, 0);
    tsim_sim_run(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    /* the sink's count of a product: its throughput over the run, which ends at 1 (the truck
     * comes at 1 and unloads in no time) */
    double end = tsim_sim_now(sim);
    CHECK_NEAR(end, 1, 1e-12);
    double na = kpi(&r, gone, "products.a.throughput") * end;
    double nb = kpi(&r, gone, "products.b.throughput") * end;
    if (verbose) printf("  pallets of a: %g of 400 (expected 100 +- 28.5)\n", na);
    CHECK_NEAR(na + nb, 400, 0);
    CHECK_NEAR(kpi(&r, gone, "products.c.throughput"), 0, 0);
    CHECK_NEAR(na, 100, 3.29 * sqrt(400 * 0.25 * 0.75));
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A check's error about a key the file gives is at that key. The dock's keys start on line 4 of
 * each model (`doors`). */
static void test_dock_key_errors(void)
{
    static const struct {
        const char *keys, *want;
    } bad[] = {
        {"    doors: 3\n    inbound_doors: 2\n    outbound_doors: 2\n    interarrival: 1\n",
         "d.yaml:6:5: error: dock 'dock' has 2 inbound and 2 outbound doors, more than its 3 "
         "'doors'"},
        {"    doors: 2\n    inbound_doors: 2\n    interarrival: 1\n    direction: outbound\n",
         "d.yaml:5:5: error: dock 'dock' has no door for outbound trucks (all its doors are "
         "'inbound_doors')"},
        {"    doors: 2\n    interarrival: 0\n",
         "d.yaml:5:5: error: 'interarrival' of dock 'dock' has mean 0 and no 'limit', so it "
         "never ends"},
        {"    doors: 2\n    interarrival: 1\n    loads: orders\n",
         "d.yaml:6:5: error: dock 'dock' loads orders, which needs an 'appointments_file' whose "
         "outbound trucks have a departure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[1024], diag[1024] = "";
        snprintf(yaml, sizeof yaml,
                 "name: d\n"
                 "blocks:\n"
                 "  - dock: dock\n"
                 "%s"
                 "    to: gone\n"
                 "  - sink: gone\n",
                 bad[i].keys);
        struct tsim_model *m = model_from_text(yaml, "d.yaml", diag, sizeof diag);
        expect_refused(m, diag, "", bad[i].want);
    }
}

int main(void)
{
    verbose = getenv("TSIM_TEST_VERBOSE") != NULL;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-dock-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_dock_by_hand);
    RUN(test_dock_loads_orders);
    RUN(test_dock_directions);
    RUN(test_dock_orders_balance);
    RUN(test_dock_erlang_c);
    RUN(test_appointments_file);
    RUN(test_appointments_dates);
    RUN(test_dock_doors_by_hand);
    RUN(test_dock_named_orders);
    RUN(test_dock_named_orders_errors);
    RUN(test_dock_named_orders_reach);
    RUN(test_dock_products);
    RUN(test_dock_product_mix);
    RUN(test_dock_key_errors);
    char path[128];
    snprintf(path, sizeof path, "%s/trucks.csv", tmpdir);
    remove(path);
    snprintf(path, sizeof path, "%s/orders.csv", tmpdir);
    remove(path);
    rmdir(tmpdir);
    return CHECK_DONE();
}
