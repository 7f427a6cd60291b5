/*
 * Storage blocks (an aisle of rack slots and its AS/RS crane): a run whose every time is computed
 * by hand, and so the crane's acceleration and slots of several loads; the checks of its keys;
 * and, as in test_validation.c, statistical checks whose
 * tolerances are confidence intervals over replications plus a derived bias allowance:
 * - travel of single- and dual-command cycles against Bozer and White (1984) for random storage
 *   in a rack normalised to 1 x b: T (1 + b^2/3) and T (40 + 15 b^2 - b^3) / 30, and against
 *   the exact expectation over the discrete rack's slot centres;
 * - the crane with Poisson put-aways as an M/G/1 queue (Pollaczek-Khinchine);
 * - stock on hand with Poisson supply and demand and lost sales (an M/M/1 queue of loads), and
 *   Little's law: stock = put-away rate x mean dwell.
 * Set TSIM_TEST_VERBOSE=1 to print every figure with its interval.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define LEVEL (1.0 - 0.01 / 20.0) /* Bonferroni over the file's 20 interval checks */
#define MAX_REPS 20
#define SEED UINT64_C(20261204)
static int verbose;

#include "reps.h"
#include "model_text.h"

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "rack.yaml", diag, size);
}

/* A rack of 2 x 1 slots, 1 wide, speed 1, pick-up and drop 0.5, closest free slot, FIFO
 * retrieval, lost sales; loads come at 10 and 20, requests every 30:
 *   put-away 1: 10 + 0.5 pick + 0.5 travel + 0.5 drop: stored in slot 0 at 11.5, back at 12
 *   put-away 2: 20 + 0.5 + 1.5 + 0.5: stored in slot 1 at 22.5, back at 24
 *   request 30: travel 0.5, pick at 31 (dwell 19.5), back 0.5, dropped and sent at 32
 *   request 60: travel 1.5, pick at 62 (dwell 39.5), back 1.5, sent at 64
 *   request 90: no stock: a stock-out, dropped
 * At 100: stock area 19.5 + 39.5 = 59 -> 0.59; crane busy 2 + 4 + 2 + 4 = 12 of 100; lead
 * times 22 and 44; travel per single cycle (1 + 3 + 1 + 3) / 4 = 2. */
static const char by_hand_yaml[] = "name: rack\n"
                                   "blocks:\n"
                                   "  - source: in\n"
                                   "    interarrival: 10\n"
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
                                   "    demand: 30\n"
                                   "    stockout: drop\n"
                                   "    to: out\n"
                                   "  - sink: out\n";

static void test_storage_by_hand(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(by_hand_yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, 100);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 29.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "stock"), 0.59, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "occupancy"), 0.295, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "crane_utilization"), 0.12, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "cycles_single"), 4, 0);
    CHECK_NEAR(kpi(&r, rack, "cycles_dual"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), 2, 1e-12);
    CHECK_NEAR(kpi(&r, rack, "put_away_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "retrieval_wait"), 0, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 2, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 33, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* With `stockout: wait` the request at 90 waits for the load that comes at 95 (a third arrival
 * source): stored at 96.5 (slot 0), the crane back at 97, then the retrieval runs 97..99 and the
 * request waited 7. */
static void test_storage_stockout_waits(void)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s", by_hand_yaml);
    char *p = strstr(yaml, "    stockout: drop\n");
    CHECK(p != NULL);
    if (!p) return;
    memcpy(p, "    stockout: wait\n", 19);
    strcat(yaml, "  - source: late\n"
                 "    interarrival: 95\n"
                 "    limit: 1\n"
                 "    to: rack\n");
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 100);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 3, 0);
    CHECK_NEAR(kpi(&r, rack, "retrieval_wait"), 7.0 / 3.0, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 3, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static char tmpdir[64];

/* The KPI `name` of block `rack` of the model of `yaml` at time `until`, or NAN. */
static double kpi_at(const char *yaml, double until, const char *name)
{
    char diag[1024] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return NAN;
    }
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, until);
    tsim_sim_result(sim, &r);
    double v = kpi(&r, tsim_model_find_block(m, "rack"), name);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return v;
}

/* Two lanes of depth 2, no travel, closest lane first; loads 1, 2, 3 come at 1, 2, 3 and
 * requests at 10, 20, 30, FIFO among the loads that can be reached. Load 1 goes into lane 0,
 * load 2 behind it into lane 0 (a lane of its product with room comes before an empty one),
 * load 3 into lane 1.
 * drive_in (the last put away in a lane is the one reached): at 10 loads 2 and 3 can be reached,
 *   FIFO takes 2 (dwell 8); at 20, 1 (dwell 19).
 * flow (the first put away is reached): at 10 loads 1 and 3, FIFO takes 1 (dwell 9); at 20, 2
 *   (dwell 18).
 * A selective rack of the same 4 slots would take 1 then 2 too, as flow does; drive-in's order
 * is the lanes' doing. */
static void lanes(const char *rack, double first, double second)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    limit: 3\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    rack: %s\n"
             "    bays: 2\n"
             "    levels: 1\n"
             "    depth: 2\n"
             "    put_away: closest\n"
             "    demand: 10\n"
             "    to: out\n"
             "  - sink: out\n",
             rack);
    CHECK_NEAR(kpi_at(yaml, 15, "dwell"), first, 1e-9);
    CHECK_NEAR(kpi_at(yaml, 25, "dwell"), (first + second) / 2, 1e-9);
    CHECK_NEAR(kpi_at(yaml, 35, "retrievals"), 3, 0);
}

static void test_storage_drive_in_and_flow(void)
{
    lanes("drive_in", 8, 19);
    lanes("flow", 9, 18);
}

/* Dedicated: bays 1..3 of one level, speed 1; the stock file gives bay 1 to b and bays 2 and 3
 * to a, all empty. Loads of a at 1, 2, 3 go to the closest slot of a: bay 2 (travel 1.5 each
 * way), bay 3 (2.5 each way); the third finds no slot of a free and waits, though bay 1 is free.
 * Class: bays 1..4, two classes; the slow product (the second listed) falls in the class whose
 * zone is the far half (bays 3 and 4: travel 2.5 and 3.5), so its two loads travel 5 and 7 in
 * whichever order. Without a policy, closest would use bays 1 and 2 (travel 1 and 3). */
static void test_storage_dedicated_and_class(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stock.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs("slot,product,quantity\n1-1,b,0\n2-1,a,0\n3-1,a,0\n", f);
    fclose(f);
    static const char head[] = "name: rack\n"
                               "products: [a, b]\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 1\n"
                               "    limit: %d\n"
                               "    product: %s\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: %d\n"
                               "    levels: 1\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "    %s\n"
                               "    to: out\n"
                               "  - sink: out\n";
    char yaml[1024], keys[256];
    snprintf(keys, sizeof keys, "put_away: dedicated\n    stock_file: %s", path);
    snprintf(yaml, sizeof yaml, head, 3, "a", 3, keys);
    CHECK_NEAR(kpi_at(yaml, 50, "put_aways"), 2, 0);
    CHECK_NEAR(kpi_at(yaml, 50, "travel_single"), (3 + 5) / 2.0, 1e-9);
    snprintf(yaml, sizeof yaml, head, 2, "b", 4, "put_away: class\n    classes: 2");
    CHECK_NEAR(kpi_at(yaml, 50, "travel_single"), (5 + 7) / 2.0, 1e-9);
    snprintf(yaml, sizeof yaml, head, 2, "b", 4, "put_away: closest");
    CHECK_NEAR(kpi_at(yaml, 50, "travel_single"), (1 + 3) / 2.0, 1e-9);
    remove(path);
}

/* Classes by measured turnover: products a and b, two classes on bays 1 and 2 of one level (one
 * slot a zone: travel 0.5 and 1.5 each way), speed 1, single cycles. Loads of b come at 19 and
 * 38, and a request for b every 30. By the model's order b is the slow class: both loads go to
 * bay 2, and the four cycles travel 3 each. By turnover, nothing is retrieved at 19 and b ranks
 * second as listed (bay 2, travel 3); the request at 30 retrieves it (travel 3), so at 38 b has
 * the more retrievals, ranks first and goes to bay 1 (travel 1), from which the request at 60
 * takes it (travel 1): mean (3 + 3 + 1 + 1) / 4 = 2. */
static void test_storage_class_by_turnover(void)
{
    static const char head[] = "name: rack\n"
                               "products: [a, b]\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 19\n"
                               "    limit: 2\n"
                               "    product: b\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: 2\n"
                               "    levels: 1\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "    cycle: single\n"
                               "    put_away: class\n"
                               "    classes: 2\n"
                               "    demand: 30\n"
                               "    demand_product: b\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, head, "    classes_by: order\n");
    CHECK_NEAR(kpi_at(yaml, 70, "retrievals"), 2, 0);
    CHECK_NEAR(kpi_at(yaml, 70, "travel_single"), 3, 1e-9);
    snprintf(yaml, sizeof yaml, head, "    classes_by: turnover\n");
    CHECK_NEAR(kpi_at(yaml, 70, "retrievals"), 2, 0);
    CHECK_NEAR(kpi_at(yaml, 70, "travel_single"), 2, 1e-9);
    snprintf(yaml, sizeof yaml, head, "");
    CHECK_NEAR(kpi_at(yaml, 70, "travel_single"), 3, 1e-9); /* order by default */
}

/* Class put-away into lanes: a `rack` (drive_in or flow) of 4 lanes of depth 2 on one level,
 * 1 wide, speed 1 (to bay k and back: 2k - 1), two classes: zone 0 is lanes 1 and 2, zone 1 (the
 * slow class, b's) lanes 3 and 4. Loads of b at 1..5, one of a at 20:
 *   b1 (at 1) into lane 3, the nearest of its zone (travel 5; the crane back at 6); b2 behind
 *   it (5; back at 11); b3 and b4 into lane 4 (7 each; back at 18, 25); b5 finds its zone
 *   full and goes to the nearest empty lane of any, lane 1 (1; back at 26); a, come at 20, then
 *   skips lane 1, of its zone but holding b, for lane 2 (3).
 * Mean travel (5 + 5 + 7 + 7 + 1 + 3) / 6 for both racks; `closest` instead fills lanes 1, 1, 2,
 * 2, 3 with b and puts a into lane 4: (1 + 1 + 3 + 3 + 5 + 7) / 6. */
static void test_storage_class_lanes(void)
{
    static const char head[] = "name: rack\n"
                               "products: [a, b]\n"
                               "blocks:\n"
                               "  - source: slow\n"
                               "    interarrival: 1\n"
                               "    limit: 5\n"
                               "    product: b\n"
                               "    to: rack\n"
                               "  - source: fast\n"
                               "    interarrival: 20\n"
                               "    limit: 1\n"
                               "    product: a\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    rack: %s\n"
                               "    bays: 4\n"
                               "    levels: 1\n"
                               "    depth: 2\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "    %s\n"
                               "    to: out\n"
                               "  - sink: out\n";
    char yaml[1024];
    static const char *const racks[] = {"drive_in", "flow"};
    for (int k = 0; k < 2; k++) {
        snprintf(yaml, sizeof yaml, head, racks[k], "put_away: class\n    classes: 2");
        CHECK_NEAR(kpi_at(yaml, 40, "put_aways"), 6, 0);
        CHECK_NEAR(kpi_at(yaml, 40, "travel_single"), 28.0 / 6, 1e-12);
        snprintf(yaml, sizeof yaml, head, racks[k], "put_away: closest");
        CHECK_NEAR(kpi_at(yaml, 40, "travel_single"), 20.0 / 6, 1e-12);
    }
}

/* Acceleration (braking at the same rate), slots 1 wide and 1 high, closest put-away, one load
 * every 10 (no demand), so each cycle travels to its slot and back:
 * - `accel: 1`, both speeds 1 (full speed after 1 of travel, v^2 / a): the slot at (0.5, 0.5)
 *   never reaches full speed on either axis, 2 sqrt(0.5 / 1) = 1.41421 each way; the slot at
 *   (1.5, 0.5) does along the aisle, 1.5 / 1 + 1 / 1 = 2.5 each way, more than its vertical
 *   1.41421; travel per cycle (2 x 1.41421 + 2 x 2.5) / 2, crane busy as long;
 * - `accel_x: 1`, `accel_y: 0.25` (one slot at (0.5, 0.5)): vertically 2 sqrt(0.5 / 0.25) = 2.82843,
 *   horizontally 1.41421, the move takes the longer, 5.65685 a cycle;
 * - `accel: 1` with `speed_y: 0.5` (full speed after 0.25): vertically 0.5 / 0.5 + 0.5 / 1 = 1.5
 *   each way, against 1.41421 horizontally: 3 a cycle.
 * Without an acceleration the same slots take 0.5 and 1.5 each way (test_storage_by_hand). */
static void test_storage_accel(void)
{
    static const char head[] = "name: rack\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 10\n"
                               "    limit: %d\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: %d\n"
                               "    levels: 1\n"
                               "    speed_x: 1\n"
                               "    put_away: closest\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";
    char yaml[1024];
    double tri = 2 * sqrt(0.5);
    snprintf(yaml, sizeof yaml, head, 2, 4, "    speed_y: 1\n    accel: 1\n");
    CHECK_NEAR(kpi_at(yaml, 100, "put_aways"), 2, 0);
    CHECK_NEAR(kpi_at(yaml, 100, "travel_single"), (2 * tri + 2 * 2.5) / 2, 1e-12);
    CHECK_NEAR(kpi_at(yaml, 100, "crane_utilization"), (2 * tri + 2 * 2.5) / 100, 1e-6);
    snprintf(yaml, sizeof yaml, head, 1, 1, "    speed_y: 1\n    accel_x: 1\n    accel_y: 0.25\n");
    CHECK_NEAR(kpi_at(yaml, 100, "travel_single"), 2 * 2 * sqrt(2), 1e-12);
    snprintf(yaml, sizeof yaml, head, 1, 1, "    speed_y: 0.5\n    accel: 1\n");
    CHECK_NEAR(kpi_at(yaml, 100, "travel_single"), 3, 1e-12);
    snprintf(yaml, sizeof yaml, head, 2, 4, "    speed_y: 1\n");
    CHECK_NEAR(kpi_at(yaml, 100, "travel_single"), (1 + 3) / 2.0, 1e-12);
}

/* Slots of two loads (`slot_loads: 2`), 1 wide, speed 1, no pick-up or drop time; loads every 1.
 * - Capacity: 3 bays of one level hold 6 loads; of 10 sent with no demand, 6 are put away and
 *   the source waits with the rest (entered 6, stock 6 at the end).
 * - Fill order, closest: 5 loads fill bay 1 (travel 0.5 each way, twice), then bay 2 (1.5,
 *   twice), then start bay 3 (2.5): per cycle 2 (0.5 + 0.5 + 1.5 + 1.5 + 2.5) / 5 = 2.6. One
 *   load a slot would put them in bays 1 to 5.
 * - Fill order, random: 2 loads into 3 bays: the second goes beside the first, whichever bay
 *   was drawn, so both cycles travel alike, 1, 3 or 5 each, over 12 seeds; drawn among the 5
 *   free places, it would land in another bay 4 times in 5 (mean travel 2, 3 or 4).
 * - Retrieval: FIFO across the slots' loads; Little's law exact on a run every load has left
 *   (4 loads, requests every 10 from 10: stock = put-away rate x dwell). */
static void test_storage_slot_loads(void)
{
    static const char head[] = "name: rack\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 1\n"
                               "    limit: %d\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: %d\n"
                               "    levels: 1\n"
                               "    slot_loads: 2\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, head, 10, 3, "    put_away: closest\n");
    CHECK_NEAR(kpi_at(yaml, 100, "put_aways"), 6, 0);
    CHECK_NEAR(kpi_at(yaml, 100, "entered"), 6, 0);
    CHECK_NEAR(kpi_at(yaml, 100, "occupancy") * 6, kpi_at(yaml, 100, "stock"), 1e-9);
    snprintf(yaml, sizeof yaml, head, 5, 3, "    put_away: closest\n");
    CHECK_NEAR(kpi_at(yaml, 100, "travel_single"), 2.6, 1e-12);
    snprintf(yaml, sizeof yaml, head, 2, 3, "    put_away: random\n");
    for (uint64_t seed = 1; seed <= 12; seed++) {
        char diag[512] = "";
        struct tsim_model *m = load(yaml, diag, sizeof diag);
        CHECK(m != NULL);
        if (!m) return;
        struct tsim_result r;
        tsim_result_init(&r);
        struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
        tsim_sim_run_until(sim, 100);
        tsim_sim_result(sim, &r);
        double t = kpi(&r, tsim_model_find_block(m, "rack"), "travel_single");
        CHECK(t == 1 || t == 3 || t == 5);
        if (!(t == 1 || t == 3 || t == 5)) fprintf(stderr, "  seed %d: travel %g\n", (int)seed, t);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    /* Loads at 1..4 into bays 1, 1, 2, 2, stored at 1.5, 2.5, 4.5 and (the crane back at 6)
     * 7.5; FIFO requests at 10, 20, 30, 40 take them in turn, each picked up on reaching its
     * bay: at 10.5, 20.5, 31.5, 41.5, dwells 9, 18, 27, 34. */
    snprintf(yaml, sizeof yaml, head, 4, 3,
             "    put_away: closest\n    demand: 10\n    stockout: drop\n");
    double dwell = kpi_at(yaml, 100, "dwell"), stock = kpi_at(yaml, 100, "stock");
    CHECK_NEAR(kpi_at(yaml, 100, "retrievals"), 4, 0);
    CHECK_NEAR(stock, kpi_at(yaml, 100, "put_away_rate") * dwell, 1e-12);
    CHECK_NEAR(dwell, (9.0 + 18 + 27 + 34) / 4, 1e-9);
}

/* Bad keys are placed at their line and column, with the range or the choices. */
static void expect_error_in(const char *size_lines, const char *key_line, const char *want)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "%s"
             "    bay_width: 1\n"
             "    level_height: 1\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             size_lines, key_line);
    char diag[1024] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want)) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

static void expect_error(const char *key_line, const char *want)
{
    expect_error_in("    bays: 2\n    levels: 1\n", key_line, want);
}

static void test_storage_bad_keys(void)
{
    expect_error("    put_away: nearest\n", "rack.yaml:11:15: error: unknown put-away policy 'nearest'");
    expect_error("    retrieval: oldest\n", "rack.yaml:11:16: error: unknown retrieval rule 'oldest'");
    expect_error("    classes_by: sales\n", "rack.yaml:11:17: error: unknown class ranking 'sales'");
    expect_error("    classes_by: turnover\n",
                 "rack.yaml:11:5: error: storage 'rack' has 'classes_by' but 'put_away' is not "
                 "'class'");
    expect_error("    speed_x: -1\n", "rack.yaml:11:14:");
    expect_error("    demand_product: widget\n", "rack.yaml:11:21:");
    expect_error_in("    bays: 2000\n    levels: 1000\n", "",
                    "rack.yaml:7:5: error: storage 'rack' has 2000000 slots (bays x levels x "
                    "depth), more than 1000000"); /* at `bays`, the first of the product */
    expect_error_in("    bays: 0\n    levels: 1\n", "", "rack.yaml:7:11: error:");
    expect_error_in("    levels: 1\n", "", "rack.yaml:6:5: error:");
    expect_error("    sped_x: 1\n", "did you mean 'speed_x'");
    expect_error("    accel: 0\n", "rack.yaml:11:12: error:");
    expect_error("    speed_x: 1\n    accel_y: 2\n",
                 "rack.yaml:12:5: error: storage 'rack' has 'accel_y' but no 'speed_y' (without "
                 "a speed the crane moves in no time)");
    expect_error("    accel: 2\n",
                 "rack.yaml:11:5: error: storage 'rack' has 'accel' but no 'speed_x' or 'speed_y'");
    expect_error("    acel: 2\n", "did you mean 'accel'");
    expect_error("    slot_loads: 0\n", "rack.yaml:11:17: error:");
    expect_error("    rack: flow\n    depth: 2\n    slot_loads: 2\n",
                 "rack.yaml:13:5: error: storage 'rack' has 'slot_loads' 2 but a lane's slot "
                 "holds one load (a lane holds 'depth' of them)");
    expect_error_in("    bays: 1000\n    levels: 1\n", "    slot_loads: 1001\n", "rack.yaml:11:17:");
    expect_error_in("    bays: 1000\n    levels: 100\n", "    slot_loads: 11\n",
                    "rack.yaml:11:5: error: storage 'rack' has 1100000 slots (bays x levels x "
                    "slot_loads), more than 1000000");
}

/* Keys that do not go together, each refused with what to give instead, at the key it is about
 * (the key on line 11 of expect_error_in's model; the last model's put_away on line 13). */
static void test_storage_bad_combinations(void)
{
    expect_error("    depth: 2\n",
                 "rack.yaml:11:5: error: storage 'rack' has 'depth' 2 but a selective rack is one "
                 "slot deep (give 'rack: drive_in' or 'rack: flow')");
    expect_error("    classes: 2\n",
                 "rack.yaml:11:5: error: storage 'rack' has 'classes' but 'put_away' is not "
                 "'class'");
    expect_error("    put_away: dedicated\n",
                 "rack.yaml:11:5: error: storage 'rack': 'put_away: dedicated' takes each slot's "
                 "product from the initial stock: give a stock file or 'initial: full'");
    expect_error("    rack: flow\n    depth: 2\n    put_away: dedicated\n",
                 "rack.yaml:13:5: error: storage 'rack': 'put_away: dedicated' takes each lane's "
                 "product from the initial stock: give a stock file or 'initial: full'");
}

/* Every put-away policy in every rack type with every retrieval rule works: a rack of 4 x 3
 * (lanes of depth 2), full at the start of three products in turn, takes 30 loads of a mix
 * (Poisson, rate 1) while requests for any product (Poisson, rate 1, dropped without stock)
 * empty it, crane speed 1, two seeds each. By 5,000 every load has been put away (none waits
 * for ever at I/O, as a dedicated or lane rack could make one) and every load has left, the
 * first ones and the 30; so the stock's area is exactly the sum of the dwells (Little's law
 * on a run that starts at the first load and ends empty). */
static void test_storage_every_policy(void)
{
    static const char *const puts[] = {"random", "closest", "dedicated", "class"};
    static const char *const racks[] = {"selective", "drive_in", "flow"};
    static const char *const rets[] = {"fifo", "lifo", "closest", "random"};
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < 3; k++)
            for (int q = 0; q < 4; q++) {
                char yaml[1024];
                snprintf(yaml, sizeof yaml,
                         "name: rack\n"
                         "products: [a, b, c]\n"
                         "blocks:\n"
                         "  - source: in\n"
                         "    interarrival: exponential(1)\n"
                         "    product: {a: 0.5, b: 0.3, c: 0.2}\n"
                         "    limit: 30\n"
                         "    to: rack\n"
                         "  - storage: rack\n"
                         "    rack: %s\n"
                         "    bays: 4\n"
                         "    levels: 3\n"
                         "%s"
                         "    speed_x: 1\n"
                         "    speed_y: 1\n"
                         "    initial: full\n"
                         "    put_away: %s\n"
                         "    retrieval: %s\n"
                         "    demand: exponential(1)\n"
                         "    stockout: drop\n"
                         "    to: out\n"
                         "  - sink: out\n",
                         racks[k], k ? "    depth: 2\n" : "", puts[p], rets[q]);
                char diag[1024] = "";
                struct tsim_model *m = load(yaml, diag, sizeof diag);
                CHECK(m != NULL);
                if (!m) {
                    fprintf(stderr, "  %s %s %s: %s", puts[p], racks[k], rets[q], diag);
                    continue;
                }
                int rack = tsim_model_find_block(m, "rack");
                double loads = k ? 24 : 12;
                for (uint64_t seed = 1; seed <= 2; seed++) {
                    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
                    CHECK(sim != NULL);
                    if (!sim) break;
                    tsim_sim_run_until(sim, 5000);
                    struct tsim_result r;
                    tsim_result_init(&r);
                    tsim_sim_result(sim, &r);
                    double n = kpi(&r, rack, "retrievals");
                    int ok = kpi(&r, rack, "put_aways") == 30 && n == loads + 30 &&
                             kpi(&r, rack, "entered") == loads + 30 &&
                             kpi(&r, rack, "left") == loads + 30 &&
                             fabs(kpi(&r, rack, "stock") * 5000 - n * kpi(&r, rack, "dwell")) <
                                 1e-9 * n * kpi(&r, rack, "dwell");
                    CHECK(ok);
                    if (!ok)
                        fprintf(stderr, "  %s %s %s, seed %d: put_aways %g, retrievals %g\n",
                                puts[p], racks[k], rets[q], (int)seed,
                                kpi(&r, rack, "put_aways"), n);
                    tsim_result_release(&r);
                    tsim_sim_destroy(sim);
                }
                tsim_model_destroy(m);
            }
}

/* ---------------------------------------------------------------------------------------------
 * The stock file
 * ------------------------------------------------------------------------------------------- */


/* Write `csv` to a file of the test's folder and load a rack of 3 x 2 that reads it; the
 * diagnostics in `diag`. */
static struct tsim_model *load_with_stock(const char *csv, size_t len, char *diag, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stock.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return NULL;
    fwrite(csv, 1, len, f);
    fclose(f);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 100\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 3\n"
             "    levels: 2\n"
             "    stock_file: %s\n"
             "    demand: 10\n"
             "    demand_product: b\n"
             "    stockout: drop\n"
             "    to: out\n"
             "  - sink: out\n",
             path);
    return load(yaml, diag, size);
}

/* A byte order mark, CRLF line ends, the columns in another order and one more column: read as
 * written. Slots 1-1 (a) and 3-2 (b) are stocked, 2-1 is listed empty. The one load of b is
 * retrieved at 10 (no travel: no speeds); the request at 20 is a stock-out. */
static void test_stock_file_read(void)
{
    static const char csv[] = "\xEF\xBB\xBFproduct,quantity,note,slot\r\n"
                              "a,1,\"front, low\",1-1\r\n"
                              "a,0,,2-1\r\n"
                              "b,1,top,3-2\r\n";
    char diag[1024] = "";
    struct tsim_model *m = load_with_stock(csv, sizeof csv - 1, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, 25);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "stock"), (2 * 10 + 1 * 15) / 25.0, 1e-12);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 10, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void expect_stock_error(const char *csv, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load_with_stock(csv, strlen(csv), diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, "rack.yaml:10:17: error: ")) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

/* Each problem at its line and column in the CSV. */
static void test_stock_file_errors(void)
{
    expect_stock_error("slot,product\n1-1,a\n",
                       "stock.csv:1:1: no column 'quantity' in the header");
    expect_stock_error("slot,product,quantity\n1-1,a,1\n2-1,bolt,1\n",
                       "stock.csv:3:5: product 'bolt' is not in the model");
    expect_stock_error("slot,product,quantity\n1-1,a,1\n2-1,aa,1\n",
                       "stock.csv:3:5: product 'aa' is not in the model (did you mean 'a'?)");
    expect_stock_error("slot,product,quantity\r\n1-1,a,1\r\n4-1,a,1\r\n",
                       "stock.csv:3:1: slot '4-1' is outside the rack (bays 1..3, levels 1..2)");
    expect_stock_error("slot,product,quantity\n1-3,a,1\n", "stock.csv:2:1: slot '1-3' is outside");
    expect_stock_error("slot,product,quantity\n1-1,a,-1\n",
                       "stock.csv:2:7: quantity -1 is negative");
    expect_stock_error("slot,product,quantity\n1-1,a,2\n",
                       "stock.csv:2:7: quantity 2 is more than a slot holds (1)");
    expect_stock_error("slot,product,quantity\n1-1,a,1.5\n",
                       "stock.csv:2:7: quantity '1.5' is not a whole number");
    expect_stock_error("slot,product,quantity\n1-1,a,1\n2-2,b,1\n1-1,b,0\n",
                       "stock.csv:4:1: slot '1-1' is given twice");
    expect_stock_error("slot,product,quantity\nA1,a,1\n", "stock.csv:2:1: slot 'A1' is not BAY-LEVEL");
    expect_stock_error("slot,product,quantity\n1-1,a\n", "stock.csv:2:1: row has 2 fields");
    expect_stock_error("slot,product,quantity\n1-1,\"a,1\n", "stock.csv:");
    expect_stock_error("", "stock.csv:1:1: no header");
}

/* The example loads with no diagnostic and runs its horizon: the crane works, loads flow both
 * ways, and the rack, full at the start, stays nearly full (supply and demand are equal). */
static void test_storage_example(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_run_spec run;
    struct tsim_model *m = tsim_model_load_file("examples/storage-asrs.yaml", &run, &d);
    if (d.n) tsim_diags_print(&d, "examples/storage-asrs.yaml", stderr);
    CHECK(m != NULL && d.n == 0);
    tsim_diags_release(&d);
    if (!m) return;
    int aisle = tsim_model_find_block(m, "aisle");
    struct tsim_sim *sim = tsim_sim_create(m, run.seed, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, run.horizon);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK(kpi(&r, aisle, "put_aways") > 100);
    CHECK(kpi(&r, aisle, "retrievals") > 100);
    CHECK(kpi(&r, aisle, "cycles_dual") > 0);
    CHECK(kpi(&r, aisle, "crane_utilization") > 0.3 && kpi(&r, aisle, "crane_utilization") < 1);
    CHECK(kpi(&r, aisle, "occupancy") > 0.9 && kpi(&r, aisle, "occupancy") <= 1);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Travel against Bozer and White
 * ------------------------------------------------------------------------------------------- */

#define NB 40 /* bays and levels of the validation rack: 1600 slots */

/* Normalised travel time from the I/O point to slot (i, j) of an NB x NB rack of 1 x b. */
static double t_io(int i, int j, double b)
{
    double x = (i + 0.5) / NB, y = b * (j + 0.5) / NB;
    return x > y ? x : y;
}

static double t_between(int i, int j, int k, int l, double b)
{
    double x = fabs((double)(i - k)) / NB, y = b * fabs((double)(j - l)) / NB;
    return x > y ? x : y;
}

/* Exact expectations over the discrete rack: single command 2 E t(A), A uniform over slots;
 * dual command E [t(A) + t(A, B) + t(B)], (A, B) uniform over ordered pairs of distinct slots
 * (a put-away goes to a free slot, a retrieval comes from a stored one). */
static void discrete_travel(double b, double *single, double *dual)
{
    double s1 = 0, s2 = 0;
    int n = NB * NB;
    for (int a = 0; a < n; a++) s1 += t_io(a % NB, a / NB, b);
    for (int a = 0; a < n; a++)
        for (int c = 0; c < n; c++)
            if (a != c) s2 += t_between(a % NB, a / NB, c % NB, c / NB, b);
    *single = 2 * s1 / n;
    *dual = 2 * s1 / n + s2 / ((double)n * (n - 1));
}

/* Poisson put-aways and Poisson requests (any product, lost when there is no stock), both at
 * rate `rate`, random storage and random retrieval: the stored slots are a uniformly random
 * subset at every instant, so every put-away's slot is uniform over the rack, and a dual
 * cycle's pair uniform over distinct pairs. */
static void check_travel(double b, const char *cycle, double rate)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: %d\n"
             "    levels: %d\n"
             "    bay_width: 1\n"
             "    level_height: 1\n"
             "    speed_x: %d\n"
             "    speed_y: %.17g\n"
             "    cycle: %s\n"
             "    put_away: random\n"
             "    retrieval: random\n"
             "    demand: exponential(%.17g)\n"
             "    stockout: drop\n"
             "    to: out\n"
             "  - sink: out\n",
             1 / rate, NB, NB, NB, NB / b, cycle, 1 / rate);
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    double single, dual;
    discrete_travel(b, &single, &dual);
    double bw_single = 1 + b * b / 3, bw_dual = (40 + 15 * b * b - b * b * b) / 30;
    struct reps x;
    run_reps(&x, m, 10, 0, 5000);
    CHECK(x.n == 10);
    /* Against the discrete rack: the interval alone. Against the continuous formula: the
     * interval plus the exactly computed difference between the two (the discretisation). */
    if (strcmp(cycle, "single") == 0) {
        CHECK_KPI(&x, rack, "travel_single", single, 0);
        CHECK_KPI(&x, rack, "travel_single", bw_single, fabs(single - bw_single));
        CHECK(fabs(single - bw_single) < 0.002 * bw_single);
        CHECK(kpi(&x.r[0], rack, "cycles_dual") == 0);
    } else {
        CHECK_KPI(&x, rack, "travel_dual", dual, 0);
        CHECK_KPI(&x, rack, "travel_dual", bw_dual, fabs(dual - bw_dual));
        CHECK(fabs(dual - bw_dual) < 0.002 * bw_dual);
        CHECK(kpi(&x.r[0], rack, "cycles_dual") > 500);
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

static void test_bozer_white(void)
{
    const double bs[] = {1.0, 0.6, 0.3};
    for (int i = 0; i < 3; i++) {
        check_travel(bs[i], "single", 0.3);
        check_travel(bs[i], "dual", 0.45);
    }
}

/* ---------------------------------------------------------------------------------------------
 * The crane as an M/G/1 queue; stock as an M/M/1 queue; Little's law
 * ------------------------------------------------------------------------------------------- */

/* Poisson put-aways (rate 0.3) into a 100 x 100 rack (b = 1), nothing retrieved: each cycle is
 * pick-up 0.1 + 2 t(A) + drop 0.1 with A uniform over the rack (random storage into a random
 * subset), so the crane is M/G/1 and the put-aways' wait is Pollaczek-Khinchine's
 * Wq = lambda E[S^2] / (2 (1 - rho)). The rack takes at most 1,600 loads of its 10,000 slots: the
 * slots drawn are without replacement, which correlates two services by -Var S / (N - 1); a
 * busy period holds 1 / (1 - rho) < 2 services, so Wq moves by less than a share 4 / (N - 1),
 * allowed for with the usual transient and window-end terms. */
static void test_crane_mg1(void)
{
    const int n = 100;
    const double lambda = 0.3, handling = 0.2;
    double es, es2;
    rack_cycle_moments(n, handling, &es, &es2);
    double rho = lambda * es, wq = lambda * es2 / (2 * (1 - rho));
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: %d\n"
             "    levels: %d\n"
             "    bay_width: 1\n"
             "    level_height: 1\n"
             "    speed_x: %d\n"
             "    speed_y: %d\n"
             "    pick_time: 0.1\n"
             "    drop_time: 0.1\n"
             "    cycle: single\n"
             "    to: out\n"
             "  - sink: out\n",
             1 / lambda, n, n, n, n);
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct reps x;
    double warmup = 100, window = 5000;
    double tau = mm1_tau(rho, 1 / es);
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    double bias = bias_allowance(wq, warmup, tau, lambda * wq, lambda, window) +
                  wq * 4.0 / (n * n - 1);
    CHECK_KPI(&x, rack, "put_away_wait", wq, bias);
    CHECK_KPI(&x, rack, "crane_utilization", rho, bias_allowance(rho, warmup, tau, 1, lambda, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* The checks of an M/M/1 stock: loads at rate `lambda` (with the source's keys `source`),
 * requests for any product at `mu`, lost sales, into storage "rack" of keys `keys` (a crane in
 * no time), the model's `products` line first; over 20 replications: mean stock
 * rho / (1 - rho), mean dwell 1 / (mu - lambda), and Little's law on each replication, stock =
 * put-away rate x dwell. */
static void check_mm1_stock(const char *products, const char *source, const char *keys,
                            double lambda, double mu)
{
    const double rho = lambda / mu;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "%s"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "%s"
             "    to: rack\n"
             "  - storage: rack\n"
             "%s"
             "    demand: exponential(%.17g)\n"
             "    stockout: drop\n"
             "    to: out\n"
             "  - sink: out\n",
             products, 1 / lambda, source, keys, 1 / mu);
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct reps x;
    double warmup = 200, window = 20000, tau = mm1_tau(rho, mu);
    double l = rho / (1 - rho), w = 1 / (mu - lambda);
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    CHECK_KPI(&x, rack, "stock", l, bias_allowance(l, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, rack, "dwell", w, bias_allowance(w, warmup, tau, l, lambda, window));
    double d[MAX_REPS];
    for (int i = 0; i < x.n; i++)
        d[i] = kpi(&x.r[i], rack, "stock") -
               kpi(&x.r[i], rack, "put_away_rate") * kpi(&x.r[i], rack, "dwell");
    CHECK_CI("little(stock - put_away_rate * dwell)", d, x.n, 0.0, l * exp(-warmup / tau));
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Loads come at rate lambda and requests at rate mu > lambda, a request finding no stock is lost,
 * the crane moves in no time: stock on hand is the number in an M/M/1 queue, mean
 * rho / (1 - rho), and with FIFO retrieval the dwell is M/M/1's sojourn 1 / (mu - lambda).
 * Little's law holds on each replication: stock = put-away rate x dwell. */
static void test_stock_little(void)
{
    check_mm1_stock("", "",
                    "    bays: 100\n    levels: 10\n    bay_width: 1\n    level_height: 1\n", 0.5,
                    1.0);
}

/* The same M/M/1 stock with class put-away into the lanes of a drive-in rack (100 lanes of 4,
 * three products in a mix, three classes ranked by turnover): the crane moves in no time and
 * every lane's front load can be reached, so a request finds a load whenever there is stock and
 * the count of loads is still M/M/1, whatever lane each goes to; the mean dwell of M/M/1 holds
 * for any order that serves one load a request (LIFO per lane here), and Little's law on each
 * replication. A load finds no lane only when all 100 hold a load (P = rho^100). */
static void test_stock_little_class_lanes(void)
{
    check_mm1_stock("products: [a, b, c]\n", "    product: {a: 0.5, b: 0.3, c: 0.2}\n",
                    "    rack: drive_in\n"
                    "    bays: 20\n"
                    "    levels: 5\n"
                    "    depth: 4\n"
                    "    put_away: class\n"
                    "    classes: 3\n"
                    "    classes_by: turnover\n",
                    0.5, 1.0);
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    RUN(test_storage_by_hand);
    RUN(test_storage_stockout_waits);
    RUN(test_storage_accel);
    RUN(test_storage_slot_loads);
    RUN(test_storage_bad_keys);
    RUN(test_storage_bad_combinations);
    RUN(test_storage_every_policy);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-storage-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    RUN(test_storage_drive_in_and_flow);
    RUN(test_storage_dedicated_and_class);
    RUN(test_storage_class_by_turnover);
    RUN(test_storage_class_lanes);
    RUN(test_stock_file_read);
    RUN(test_stock_file_errors);
    RUN(test_storage_example);
    RUN(test_bozer_white);
    RUN(test_crane_mg1);
    RUN(test_stock_little);
    RUN(test_stock_little_class_lanes);
    char path[128];
    snprintf(path, sizeof path, "%s/stock.csv", tmpdir);
    remove(path);
    rmdir(tmpdir);
    return CHECK_DONE();
}
