/*
 * A storage block's stock file with slots of several loads (`slot_loads`): the loads each row
 * puts in its slot, capacity and occupancy after them, the order FIFO retrieval takes them in
 * across the slots (every time by hand), and each bad row at its line and column in the CSV;
 * then a key set after the file was read that it no longer fits. And the same file for lane
 * racks: the order a row's loads stand in a drive-in and a flow lane, and a lane's errors.
 */
#include "check.h"
#include "twinsim.h"

#include <stdlib.h>
#include <unistd.h>

#include "model_text.h"

static char tmpdir[64];
static char csv_path[128];

/* Writes `csv` to the test's stock file; 0 (and a failed check) when it cannot. */
static int write_csv(const char *csv)
{
    FILE *f = fopen(csv_path, "wb");
    CHECK(f != NULL);
    if (!f) return 0;
    fputs(csv, f);
    fclose(f);
    return 1;
}

/* A rack of `shape` (its keys `bays`, `levels` and what makes its slots), 1 wide, speed 1, no
 * pick-up or drop time, closest put-away unless `more` gives another, FIFO retrieval; `more`
 * adds keys to it and `source` the arrival source's keys. The stock file is `csv`, written to
 * the test's folder; its key stands on line 7 + the lines of `source` and `shape`. */
static struct tsim_model *shaped_model(const char *shape, const char *csv, const char *more,
                                       const char *source, char *diag, size_t size)
{
    if (!write_csv(csv)) return NULL;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "%s"
             "    to: rack\n"
             "  - storage: rack\n"
             "%s"
             "    speed_x: 1\n"
             "    speed_y: 1\n"
             "    stock_file: %s\n"
             "%s%s"
             "    to: out\n"
             "  - sink: out\n",
             source, shape, csv_path, strstr(more, "put_away") ? "" : "    put_away: closest\n",
             more);
    return model_from_text(yaml, "rack.yaml", diag, size);
}

/* A rack of 3 bays on one level, slots of 3 loads (to bay k and back: 2k - 1), as
 * shaped_model. */
static const char slots_shape[] = "    bays: 3\n    levels: 1\n    slot_loads: 3\n";
static struct tsim_model *rack_model(const char *csv, const char *more, const char *source,
                                     char *diag, size_t size)
{
    return shaped_model(slots_shape, csv, more, source, diag, size);
}

/* Bay 1 holds one b; bay 2 two a and one b (products share a slot); bay 3 three a: 7 loads of
 * 9 places, made in the file's order (bay 2's first). */
static const char mixed_csv[] = "slot,product,quantity\n"
                                 "2-1,a,2\n"
                                 "2-1,b,1\n"
                                 "1-1,b,1\n"
                                 "3-1,a,3\n";

/* The KPIs of shaped_model(shape, ...) run to `until`, seed 1. */
static void run_shaped(const char *shape, const char *csv, const char *more, const char *source, double until,
                     struct tsim_result *r, int *rack)
{
    char diag[1024] = "";
    tsim_result_init(r);
    struct tsim_model *m = shaped_model(shape, csv, more, source, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    *rack = tsim_model_find_block(m, "rack");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, until);
        tsim_sim_result(sim, r);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The KPIs of rack_model(csv, ...) run to `until`, seed 1. */
static void run_rack(const char *csv, const char *more, const char *source, double until,
                     struct tsim_result *r, int *rack)
{
    run_shaped(slots_shape, csv, more, source, until, r, rack);
}

/* Capacity: 7 loads at 0 leave 2 places, both in bay 1 (the only slot with room). Loads come at
 * 1, 2 and 3 with no demand: the first two go to bay 1 (travel 0.5 each way), stored at 1.5 and
 * 2.5; the third finds the rack full and waits with the source. Stock 7 to 1.5, 8 to 2.5, then
 * 9: over 100, (7 x 1.5 + 8 + 9 x 97.5) / 100 = 8.96, occupancy 8.96 / 9. */
static void test_stock_capacity(void)
{
    struct tsim_result r;
    int rack = 0;
    run_rack(mixed_csv, "", "    interarrival: 1\n    limit: 3\n", 100, &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "entered"), 9, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), 1, 1e-12);
    CHECK_NEAR(kpi(&r, rack, "stock"), 8.96, 1e-12);
    CHECK_NEAR(kpi(&r, rack, "occupancy"), 8.96 / 9, 1e-12);
    tsim_result_release(&r);
}

/* FIFO across the slots: the file's loads are all stored at 0, so FIFO takes them in the slot
 * table's order (bay 1 first, then within a slot as they were put in), not the file's. Requests
 * every 10 for any product: bay 1's b at 10 (picked up at 10.5, travel 1), then bay 2's three
 * (picked up 21.5, 31.5, 41.5, travel 3), then bay 3's (52.5, 62.5, 72.5, travel 5); the
 * request at 80 is a stock-out. Dwell (10.5 + 21.5 + 31.5 + 41.5 + 52.5 + 62.5 + 72.5) / 7,
 * travel (1 + 3 x 3 + 3 x 5) / 7. In the file's order bay 2 would come first (dwell 11.5). */
static void test_stock_fifo_across_slots(void)
{
    struct tsim_result r;
    int rack = 0;
    const char *demand = "    demand: 10\n    stockout: drop\n";
    const char *none = "    interarrival: 1000\n";
    run_rack(mixed_csv, demand, none, 15, &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "dwell"), 10.5, 1e-12);
    tsim_result_release(&r);
    run_rack(mixed_csv, demand, none, 25, &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "dwell"), (10.5 + 21.5) / 2, 1e-12);
    tsim_result_release(&r);
    run_rack(mixed_csv, demand, none, 85, &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 7, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "dwell"), (10.5 + 21.5 + 31.5 + 41.5 + 52.5 + 62.5 + 72.5) / 7,
               1e-12);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), (1 + 3 * 3 + 3 * 5) / 7.0, 1e-12);
    tsim_result_release(&r);
    /* Requests for b only: bay 1's at 10 (travel 1), bay 2's at 20 (travel 3); none at 30. */
    run_rack(mixed_csv, "    demand: 10\n    demand_product: b\n    stockout: drop\n", none, 35,
             &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), 2, 1e-12);
    tsim_result_release(&r);
}

/* Dedicated put-away: the file's slots give their product to all their places. Bay 1 holds one
 * b (two places of b left), bay 2 is a's, empty, bay 3 two a (one place of a left). Loads of a
 * at 1, 2, 3, 4: bay 3 first (the slot started, travel 5), then bay 2 three times (travel 3):
 * the fifth place of a there is none, so a fifth load would wait though bay 1 has room. */
static void test_stock_dedicated(void)
{
    struct tsim_result r;
    int rack = 0;
    run_rack("slot,product,quantity\n1-1,b,1\n2-1,a,0\n3-1,a,2\n", "    put_away: dedicated\n",
             "    interarrival: 1\n    limit: 5\n    product: a\n", 100, &r, &rack);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 4, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), (5 + 3 * 3) / 4.0, 1e-12);
    tsim_result_release(&r);
}

static void expect_error(const char *csv, const char *more, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = rack_model(csv, more, "    interarrival: 1\n", diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, "rack.yaml:13:17: error: ")) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

#define HDR "slot,product,quantity\n"

/* Each bad row at its line and column in the CSV. */
static void test_stock_bad_rows(void)
{
    expect_error(HDR "2-1,a,4\n", "", "stock.csv:2:7: quantity 4 is more than a slot holds (3)");
    expect_error(HDR "2-1,a,2\n1-1,a,3\n2-1,b,2\n", "",
                 "stock.csv:4:7: quantity 2 and the 2 loads on the rows before it are more than "
                 "slot '2-1' holds (3)");
    expect_error(HDR "2-1,a,1\n1-1,b,1\n2-1,a,1\n", "",
                 "stock.csv:4:1: slot '2-1' is given twice for product 'a' (first on line 2)");
    expect_error(HDR "2-1,a,1\n2-1,b,0\n2-1,b,1\n", "",
                 "stock.csv:4:1: slot '2-1' is given twice for product 'b' (first on line 3)");
    expect_error(HDR "2-1,a,1\n2-1,b,1\n", "    put_away: dedicated\n",
                 "stock.csv:3:5: slot '2-1' holds product 'a' (line 2), and a slot of dedicated "
                 "put-away holds one product");
    expect_error(HDR "1-1,a,0\n1-1,b,2\n", "    put_away: dedicated\n",
                 "stock.csv:3:5: slot '1-1' holds product 'a' (line 2), and a slot of dedicated "
                 "put-away holds one product");
    expect_error(HDR "2-1,a,-1\n", "", "stock.csv:2:7: quantity -1 is negative");
    expect_error(HDR "4-1,a,1\n", "", "stock.csv:2:1: slot '4-1' is outside the rack");
}

/* A key set after the file was read (an experiment's factor): a slot it fills past the new
 * `slot_loads`, two products in a slot of what is now dedicated put-away, a slot outside the
 * rack made smaller, or `initial: full` beside the file, is refused when the sim is made. */
static void test_stock_key_set_after(void)
{
    static const struct {
        const char *path, *value, *want;
    } cases[] = {
        {"rack.slot_loads", "2",
         "storage 'rack': its stock file puts more loads in slot 2 than it holds (2)"},
        {"rack.put_away", "dedicated",
         "storage 'rack': its stock file puts two products in slot 2, which holds one "
         "('put_away: dedicated')"},
        {"rack.bays", "2", "storage 'rack': its stock file fills slot 3, outside its 2 slots"},
        {"rack.initial", "full",
         "storage 'rack' has a stock file and 'initial: full': give one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char diag[1024] = "";
        struct tsim_model *m = rack_model(mixed_csv, "", "    interarrival: 1\n", diag, sizeof diag);
        CHECK(m != NULL);
        if (!m) return;
        CHECK(tsim_model_set_param(m, cases[i].path, cases[i].value) == 0);
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        CHECK(sim == NULL);
        if (!strstr(tsim_errmsg(), cases[i].want)) {
            fprintf(stderr, "  expected '%s' in '%s'\n", cases[i].want, tsim_errmsg());
            check_failed_ = 1;
        }
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Lane racks
 * ------------------------------------------------------------------------------------------- */

/* A `rack` (drive_in or flow) of 2 lanes of depth 3 on one level, speed 1, closest put-away,
 * requests every 10 for any product; the stock file `csv`; one load of a at 1 when `one_load`
 * (else at 1000). */
static struct tsim_model *lane_model(const char *rack, const char *csv, int one_load, char *diag,
                                     size_t size)
{
    if (!write_csv(csv)) return NULL;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: %d\n"
             "    limit: 1\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    rack: %s\n"
             "    bays: 2\n"
             "    levels: 1\n"
             "    depth: 3\n"
             "    stock_file: %s\n"
             "    speed_x: 1\n"
             "    speed_y: 1\n"
             "    put_away: closest\n"
             "    demand: 10\n"
             "    stockout: drop\n"
             "    to: out\n"
             "  - sink: out\n",
             one_load ? 1 : 1000, rack, csv_path);
    return model_from_text(yaml, "rack.yaml", diag, size);
}

static double lane_dwell(const char *rack, double until)
{
    char diag[1024] = "";
    struct tsim_model *m = lane_model(rack, "slot,product,quantity\n1-1,a,2\n", 1, diag,
                                      sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return -1;
    }
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, until);
    tsim_sim_result(sim, &r);
    double v = kpi(&r, tsim_model_find_block(m, "rack"), "dwell");
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return v;
}

/* The lane order: a row's loads fill its lane as if put away one by one at 0, the first at the
 * lane's first position (deepest in a drive-in lane, at the pick face of a flow lane). Lane 1
 * (bay 1) holds two a from the file; one more a comes at 1 and goes behind them (travel 0.5
 * each way), stored at 1.5. Requests at 10, 20, 30, each picked up 0.5 after:
 *   drive-in (LIFO per lane): the load put away at 1.5 first (dwell 9), then the file's second
 *   and first (20.5, 30.5);
 *   flow (FIFO per lane): the file's first (10.5) and second (20.5), then the new one (29).
 * Both means are 20 at 35. */
static void test_stock_lanes(void)
{
    CHECK_NEAR(lane_dwell("drive_in", 15), 9, 1e-12);
    CHECK_NEAR(lane_dwell("drive_in", 25), (9 + 20.5) / 2, 1e-12);
    CHECK_NEAR(lane_dwell("flow", 15), 10.5, 1e-12);
    CHECK_NEAR(lane_dwell("flow", 25), (10.5 + 20.5) / 2, 1e-12);
    CHECK_NEAR(lane_dwell("flow", 35), 20, 1e-12);
    CHECK_NEAR(lane_dwell("drive_in", 35), 20, 1e-12);
}

static void expect_lane_error(const char *csv, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = lane_model("flow", csv, 0, diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, "rack.yaml:13:17: error: ")) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

/* A lane holds `depth` loads of one product; each bad row at its line and column. */
static void test_stock_lane_errors(void)
{
    expect_lane_error(HDR "1-1,a,4\n", "stock.csv:2:7: quantity 4 is more than a lane holds (3)");
    expect_lane_error(HDR "1-1,a,2\n2-1,b,3\n1-1,b,1\n",
                      "stock.csv:4:5: lane '1-1' holds product 'a' (line 2), and a lane holds one "
                      "product");
    expect_lane_error(HDR "1-1,a,2\n1-1,a,1\n",
                      "stock.csv:3:1: lane '1-1' is given twice for product 'a' (first on line 2)");
    expect_lane_error(HDR "3-1,a,1\n", "stock.csv:2:1: slot '3-1' is outside the rack");
    /* a depth set after the file was read */
    char diag[1024] = "";
    struct tsim_model *m = lane_model("flow", HDR "2-1,b,3\n", 0, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) return;
    CHECK(tsim_model_set_param(m, "rack.depth", "2") == 0);
    CHECK(tsim_sim_create(m, 1, 0) == NULL);
    CHECK(strstr(tsim_errmsg(),
                 "storage 'rack': its stock file puts more loads in lane 2 than it holds (2)") !=
          NULL);
    tsim_model_destroy(m);
}

/* ---------------------------------------------------------------------------------------------
 * Dedicated put-away into lanes
 * ------------------------------------------------------------------------------------------- */

/* Lane 1 (bay 1) is b's, empty; lane 2 a's with one load; lane 3 a's, empty. */
static const char lanes_csv[] = HDR "1-1,b,0\n2-1,a,1\n3-1,a,0\n";

/* Loads of a at 1, 2, 3, 4 (the source's keys) and requests for a every 20 (the rack's), put
 * away by `put_away`, into a `rack` (drive_in or flow) of 3 lanes of depth 2 on one level (to
 * bay k and back: 2k - 1): shaped_model's, its stock file's key on line 16. */
static const char lanes_source[] = "    interarrival: 1\n    limit: 4\n    product: a\n";
static void lanes_shape(char *shape, size_t size, char *more, size_t msize, const char *rack,
                        const char *put_away)
{
    snprintf(shape, size, "    rack: %s\n    bays: 3\n    levels: 1\n    depth: 2\n", rack);
    snprintf(more, msize,
             "    put_away: %s\n    demand: 20\n    demand_product: a\n    stockout: drop\n",
             put_away);
}

/* KPI `name` of those lanes under `put_away`, their stock file lanes_csv, run to `until`. */
static double dedicated_lanes_kpi(const char *rack, const char *put_away, double until,
                                  const char *name)
{
    char shape[256], more[256];
    lanes_shape(shape, sizeof shape, more, sizeof more, rack, put_away);
    struct tsim_result r;
    int block = 0;
    run_shaped(shape, lanes_csv, more, lanes_source, until, &r, &block);
    double v = kpi(&r, block, name);
    tsim_result_release(&r);
    return v;
}

/* Dedicated put-away into lanes (lanes_csv: lanes 2 and 3 are a's, lane 2 holds the file's
 * load F stored at 0). Loads of a: 1 at 1 goes to lane 2, a lane of a with room (travel 1.5 each
 * way; stored at 2.5, the crane back at 4); 2 (come at 2) at 4 to lane 3, a's empty lane
 * (2.5 each way; stored at 6.5, back at 9); 3 at 9 behind it in lane 3 (stored 11.5, back 14);
 * 4 finds no lane of a with room and waits, though lane 1 is empty: it is b's. Put-away travel
 * (3 + 5 + 5) / 3 at 15; `closest` would use lane 2, then lane 1 twice, then lane 3:
 * (3 + 1 + 1 + 5) / 4. Retrieval, requests at 20, 40, ... picked up on reaching the lane:
 *   drive-in (the last put away in a lane): 1 (picked 21.5, dwell 19); the crane back at 23,
 *     4 goes into lane 2 in its place (stored 24.5, waited 19); then 3 (42.5, dwell 31), 2
 *     (62.5, 56), 4 (81.5, 57), F (101.5, 101.5);
 *   flow (the first put away): F (21.5, 21.5); 4 goes behind 1 in lane 2 at 24.5; then 1 (41.5,
 *     39), 2 (62.5, 56), 3 (82.5, 71), 4 (101.5, 77).
 * Each retrieval's dwell is the dwell sum at the run's end less that of the run before it. */
static void test_stock_dedicated_lanes(void)
{
    CHECK_NEAR(dedicated_lanes_kpi("drive_in", "dedicated", 15, "put_aways"), 3, 0);
    CHECK_NEAR(dedicated_lanes_kpi("drive_in", "dedicated", 15, "travel_single"), 13.0 / 3,
               1e-12);
    CHECK_NEAR(dedicated_lanes_kpi("flow", "dedicated", 15, "travel_single"), 13.0 / 3, 1e-12);
    CHECK_NEAR(dedicated_lanes_kpi("drive_in", "closest", 15, "travel_single"), 10.0 / 4, 1e-12);
    CHECK_NEAR(dedicated_lanes_kpi("drive_in", "dedicated", 30, "put_away_wait"),
               (0 + 2 + 6 + 19) / 4.0, 1e-12);
    static const double dwell[2][5] = {{19, 31, 56, 57, 101.5}, {21.5, 39, 56, 71, 77}};
    static const char *const racks[2] = {"drive_in", "flow"};
    for (int k = 0; k < 2; k++) {
        double before = 0;
        for (int i = 0; i < 5; i++) {
            double until = 30 + 20 * i;
            double n = dedicated_lanes_kpi(racks[k], "dedicated", until, "retrievals");
            double sum = n * dedicated_lanes_kpi(racks[k], "dedicated", until, "dwell");
            CHECK_NEAR(n, i + 1, 0);
            CHECK_NEAR(sum - before, dwell[k][i], 1e-9);
            if (fabs(sum - before - dwell[k][i]) > 1e-9)
                fprintf(stderr, "  %s: retrieval %d\n", racks[k], i + 1);
            before = sum;
        }
    }
}

/* Under dedicated put-away a lane's product is the file's: a row giving a lane another product
 * than its row before (empty or not) is refused at the row's product, and a lane rack without a
 * stock file or `initial: full` has no products for its lanes. */
static void test_stock_dedicated_lane_errors(void)
{
    static const struct {
        const char *rack, *csv, *want;
    } cases[] = {
        {"drive_in", HDR "1-1,b,0\n2-1,a,1\n1-1,a,1\n",
         "stock.csv:4:5: lane '1-1' holds product 'b' (line 2), and a lane holds one product"},
        {"flow", HDR "3-1,a,2\n3-1,b,0\n",
         "stock.csv:3:5: lane '3-1' holds product 'a' (line 2), and a lane holds one product"},
        {"flow", HDR "2-1,a,3\n", "stock.csv:2:7: quantity 3 is more than a lane holds (2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char diag[1024] = "", shape[256], more[256];
        lanes_shape(shape, sizeof shape, more, sizeof more, cases[i].rack, "dedicated");
        struct tsim_model *m =
            shaped_model(shape, cases[i].csv, more, lanes_source, diag, sizeof diag);
        CHECK(m == NULL);
        if (!strstr(diag, cases[i].want) || !strstr(diag, "rack.yaml:16:17: error: ")) {
            fprintf(stderr, "  expected '%s' in:\n%s", cases[i].want, diag);
            check_failed_ = 1;
        }
        tsim_model_destroy(m);
    }
    /* neither a stock file nor `initial: full` */
    char yaml[1024], diag[1024] = "";
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 1\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    rack: drive_in\n"
             "    bays: 3\n"
             "    levels: 1\n"
             "    depth: 2\n"
             "    put_away: dedicated\n"
             "    to: out\n"
             "  - sink: out\n");
    struct tsim_model *m = model_from_text(yaml, "rack.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "rack.yaml:12:5: error: storage 'rack': 'put_away: dedicated' takes each "
                       "lane's product from the initial stock: give a stock file or 'initial: "
                       "full'") != NULL);
    if (m == NULL && !strstr(diag, "rack.yaml:12:5:")) fprintf(stderr, "%s", diag); /* put_away */
    tsim_model_destroy(m);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-stock-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(csv_path, sizeof csv_path, "%s/stock.csv", tmpdir);
    RUN(test_stock_capacity);
    RUN(test_stock_fifo_across_slots);
    RUN(test_stock_dedicated);
    RUN(test_stock_bad_rows);
    RUN(test_stock_key_set_after);
    RUN(test_stock_lanes);
    RUN(test_stock_lane_errors);
    RUN(test_stock_dedicated_lanes);
    RUN(test_stock_dedicated_lane_errors);
    remove(csv_path);
    rmdir(tmpdir);
    return CHECK_DONE();
}
