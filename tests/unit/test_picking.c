/*
 * Picking blocks (order lines from a CSV file, released, picked in tours, consolidated, packed
 * and shipped): runs whose every time is computed by hand under each release rule; consolidation
 * with deterministic times (an order ships at its slowest line plus packing); a stock-out; Little's
 * law on the orders, which holds exactly on a run where every order has shipped; and every
 * problem of an order-lines file at its line and column.
 */
#include "check.h"
#include "twinsim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "model_text.h"
#include "blocks/desc.h"
#include "blocks/picking.h"
#include "model/csvtab.h"

static char tmpdir[64];

/* Write `csv` to orders.csv in the test's folder; its path in `path` (128 bytes). */
static int write_orders(const char *csv, size_t len, char *path)
{
    snprintf(path, 128, "%s/orders.csv", tmpdir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return -1;
    fwrite(csv, 1, len, f);
    fclose(f);
    return 0;
}

/* Write `csv` to orders.csv in the test's folder and load a model whose picking block `pick`
 * reads it, with the keys `keys` (lines of the block, each indented 4); diagnostics in `diag`. */
/* As load_orders, with the model's top-level lines `top` (a run: start, a time unit) first. */
static struct tsim_model *load_orders_at(const char *top, const char *csv, size_t len,
                                         const char *keys, char *diag, size_t size)
{
    char path[128];
    if (write_orders(csv, len, path) != 0) return NULL;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "%s"
             "products: [a, b, c]\n"
             "blocks:\n"
             "  - picking: pick\n"
             "    orders_file: %s\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             top, path, keys);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

static struct tsim_model *load_orders(const char *csv, size_t len, const char *keys, char *diag,
                                      size_t size)
{
    return load_orders_at("", csv, len, keys, diag, size);
}

/* Run to the end (every event) or to `until`; the result in `r`; returns the end time. */
static double run(struct tsim_model *m, double until, struct tsim_result *r)
{
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (until < 0) tsim_sim_run(sim);
    else tsim_sim_run_until(sim, until);
    double end = tsim_sim_now(sim);
    tsim_result_init(r);
    tsim_sim_result(sim, r);
    tsim_sim_destroy(sim);
    return end;
}

/* Products a, b, c in 2 aisles 10 apart, 20 long, 2 locations each, walking speed 1: a at depth
 * 5 of aisle 0, b at depth 5 of aisle 1 (10 along the front), c at depth 15 of aisle 0. Each
 * line takes 1 plus 0.5 a unit; packing takes 2. Order A (lines a x 2, b x 1) at 0, due 100;
 * order B (c x 3) at 10, due 30. */
static const char two_orders_csv[] = "order,line,product,quantity,release,due\n"
                                     "A,1,a,2,0,100\n"
                                     "B,1,c,3,10,30\n"
                                     "A,2,b,1,0,100\n";
#define AREA_KEYS                                                                           \
    "    aisles: 2\n    aisle_pitch: 10\n    aisle_length: 20\n    locations: 2\n"          \
    "    walk_speed: 1\n    pick_line: 1\n    pick_unit: 0.5\n    pack_time: 2\n"

struct expect {
    double cycle, lead, consol;
};

static void two_orders(const char *release_keys, struct expect x)
{
    char keys[512], diag[1024] = "";
    snprintf(keys, sizeof keys, "%s%s", AREA_KEYS, release_keys);
    struct tsim_model *m = load_orders(two_orders_csv, sizeof two_orders_csv - 1, keys, diag,
                                       sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    run(m, 100, &r);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 3, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 6, 0);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), x.cycle, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "lead_time"), x.lead, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "on_time"), 0.5, 0);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), x.consol, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "pack_wait"), 0, 1e-12);
    /* three tours: 10 + 2, 30 + 1.5 and 30 + 2.5 */
    CHECK_NEAR(kpi(&r, pick, "picker_utilization"), 76 / 100.0, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "travel_share"), 70 / 76.0, 1e-12);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 0, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* Released at their times: the one picker takes A1 at 0 (travel 2 x 5, pick 1 + 2 x 0.5: back
 * at 12), A2 at 12 (2 x (10 + 5) + 1.5: 43.5), B1 at 43.5 (2 x 15 + 2.5: 76). A is complete at
 * 43.5 (its first line came at 12: 31.5 of consolidation), packed and shipped at 45.5; B
 * complete at 76 (no wait), shipped at 78, after its due time 30. Cycle and lead times 45.5 and
 * 68. In waves every 20: both go at 20, and every time is 20 later (A shipped at 65.5, B at 98):
 * cycle times 45.5 and 78, lead times 65.5 and 88. By batches of 2: both go when B arrives at
 * 10: A shipped at 55.5, B at 88; cycle times 45.5 and 78, lead times 55.5 and 78. */
static void test_picking_by_hand(void)
{
    two_orders("", (struct expect){(45.5 + 68) / 2, (45.5 + 68) / 2, 31.5 / 2});
    two_orders("    release: wave\n    wave: 20\n",
               (struct expect){(45.5 + 78) / 2, (65.5 + 88) / 2, 31.5 / 2});
    two_orders("    release: batch\n    batch: 2\n",
               (struct expect){(45.5 + 78) / 2, (55.5 + 78) / 2, 31.5 / 2});
}

/* Three pickers take the three lines of one order at once (a: 10 + 2, b: 30 + 1.5, c: 30 +
 * 2.5): the order is complete with its slowest line at 32.5 and ships at 34.5, its slowest line
 * plus packing; its first line waited 20.5 for the last. */
static void test_picking_consolidation(void)
{
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "Z,1,a,2,0,\nZ,2,b,1,0,\nZ,3,c,3,0,\n";
    char diag[1024] = "";
    struct tsim_model *m =
        load_orders(csv, sizeof csv - 1, AREA_KEYS "    pickers: 3\n", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    double end = run(m, -1, &r);
    CHECK_NEAR(end, 34.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), 32.5 + 2, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 32.5 - 12, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "on_time"), 1, 0); /* no due time: never late */
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* One tour of all of an order's lines in 3 aisles 10 apart, 20 long, 4 locations: a, b and c
 * at depth 2.5 of aisles 0, 1 and 2; each line takes 1. Return routing walks 2 x (20 along the
 * front + 3 x 2.5 into the aisles) = 55; S-shape walks the cross aisles out and back (2 x 20),
 * aisles 0 and 1 through (2 x 20) and, the count being odd, into aisle 2 and back (2 x 2.5):
 * 85. With a and b only: 2 x (10 + 5) = 30 against 2 x 10 + 2 x 20 = 60. */
static double one_tour(const char *csv, const char *routing)
{
    char keys[512], diag[1024] = "";
    snprintf(keys, sizeof keys,
             "    aisles: 3\n    aisle_pitch: 10\n    aisle_length: 20\n    locations: 4\n"
             "    walk_speed: 1\n    pick_line: 1\n    tour_lines: 3\n    routing: %s\n",
             routing);
    struct tsim_model *m = load_orders(csv, strlen(csv), keys, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return NAN;
    }
    struct tsim_result r;
    double end = run(m, -1, &r);
    tsim_result_release(&r);
    tsim_model_destroy(m);
    return end;
}

static void test_picking_routing(void)
{
    static const char abc[] = "order,line,product,quantity,release,due\n"
                              "P,1,a,1,0,\nP,2,b,1,0,\nP,3,c,1,0,\n";
    static const char ab[] = "order,line,product,quantity,release,due\n"
                             "P,1,a,1,0,\nP,2,b,1,0,\n";
    CHECK_NEAR(one_tour(abc, "return"), 55 + 3, 1e-9);
    CHECK_NEAR(one_tour(abc, "s_shape"), 85 + 3, 1e-9);
    CHECK_NEAR(one_tour(ab, "return"), 30 + 2, 1e-9);
    CHECK_NEAR(one_tour(ab, "s_shape"), 60 + 2, 1e-9);
}

/* One tour of three lines (tour_lines 3, AREA_KEYS): A1 a x 2 (aisle 0, depth 5, pick 2), A2 b x
 * 1 (aisle 1, depth 5, pick 1.5), B1 c x 3 (aisle 0, depth 15, pick 2.5), all released at 0. The
 * tour would walk 60 either way (return: 2 x (10 + 15 + 5); S-shape: 2 x 10 across and both
 * aisles through, 2 x 20) and pick 6: back at 66. At `at` the plant reports line `line` of
 * `order` picked; the tour is planned again without it, from its start at 0, and ends no
 * earlier than `at`. Returns the run's end (the last order shipped, 2 a packing, one packer);
 * the mean cycle time in `*cycle`. */
static double mid_tour(const char *routing, const char *order, int line, double at, double *cycle)
{
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "A,1,a,2,0,\nA,2,b,1,0,\nB,1,c,3,0,\n";
    char keys[512], diag[1024] = "", err[256] = "";
    snprintf(keys, sizeof keys, AREA_KEYS "    tour_lines: 3\n    routing: %s\n", routing);
    struct tsim_model *m = load_orders(csv, sizeof csv - 1, keys, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return NAN;
    }
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, at);
    /* after the tour (66), the sim had picked it: 1 */
    CHECK(tsim__picking_pick(sim, pick, order, line, err, sizeof err) == (at > 66));
    tsim_sim_run(sim);
    double end = tsim_sim_now(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 3, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 6, 0); /* the tour took every unit at its start */
    *cycle = kpi(&r, pick, "cycle_time");
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return end;
}

/* A line leaving a tour shortens it (tour_shorten), by the block's routing:
 * - A2 (aisle 1) reported at 20, return routing: aisle 0 alone, 2 x 15, picks 2 + 2.5: the tour
 *   ends at 34.5 (not 66); A is complete then, packed until 36.5; B packed until 38.5.
 * - B1 (aisle 0's deepest) at 20, return: 2 x (10 + 5 + 5) + 3.5 = 43.5; B is complete at 20
 *   with its one line, shipped at 22; A at 43.5, shipped at 45.5.
 * - the same under S-shape: both aisles are still walked through, 20 + 40 + 3.5 = 63.5: A
 *   shipped at 65.5.
 * - A2 at 60, return: the new plan (34.5) is past, so the tour ends at once, at 60: A shipped
 *   at 62, B at 64.
 * - not reported: A and B complete at 66, shipped at 68 and 70. */
static void test_picking_mid_tour(void)
{
    double cycle;
    CHECK_NEAR(mid_tour("return", "A", 2, 20, &cycle), 38.5, 1e-9);
    CHECK_NEAR(cycle, (36.5 + 38.5) / 2, 1e-9);
    CHECK_NEAR(mid_tour("return", "B", 1, 20, &cycle), 45.5, 1e-9);
    CHECK_NEAR(cycle, (45.5 + 22) / 2, 1e-9);
    CHECK_NEAR(mid_tour("s_shape", "B", 1, 20, &cycle), 65.5, 1e-9);
    CHECK_NEAR(cycle, (65.5 + 22) / 2, 1e-9);
    CHECK_NEAR(mid_tour("return", "A", 2, 60, &cycle), 64, 1e-9);
    CHECK_NEAR(cycle, (62 + 64) / 2.0, 1e-9);
    CHECK_NEAR(mid_tour("return", "A", 2, 67, &cycle), 70, 1e-9); /* after the tour: no change */
    CHECK_NEAR(cycle, (68 + 70) / 2.0, 1e-9);
}

/* A picking block `pick` whose lines (`csv`) the crane of storage `rack` brings: one aisle of
 * `bays` x `levels` slots 1 x 1, full at time 0 (a, b, c, a, ... slot by slot), the crane at speed
 * 1 in both axes, 0.5 to pick up and 0.5 to drop a load, with `rack_keys` (lines indented 4).
 * Lines are picked at I/O in 1 plus 0.5 a unit, orders packed in 2. Loads and orders both end in
 * `out`. Diagnostics in `diag`. */
static struct tsim_model *load_crane(const char *csv, size_t len, int bays, int levels,
                                     const char *rack_keys, char *diag, size_t size)
{
    char path[128];
    if (write_orders(csv, len, path) != 0) return NULL;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\nproducts: [a, b, c]\nblocks:\n"
             "  - picking: pick\n    orders_file: %s\n    picked_by: rack\n"
             "    pick_line: 1\n    pick_unit: 0.5\n    pack_time: 2\n    to: out\n"
             "  - storage: rack\n    bays: %d\n    levels: %d\n    initial: full\n"
             "    speed_x: 1\n    speed_y: 1\n    pick_time: 0.5\n    drop_time: 0.5\n"
             "%s    to: out\n"
             "  - sink: out\n",
             path, bays, levels, rack_keys);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

/* Order O of two lines, c x 1 and b x 2, at 0, by crane from a rack of 4 bays on one level (a,
 * b, c, a; slot k's centre k + 1/2 from I/O, travel the longer axis). Line 1 asks first: the
 * crane goes to slot 2 (2.5), picks up (0.5), back (2.5), drops (0.5): the load is at I/O at 6,
 * the line picked from it by 7.5. Line 2 then: slot 1, 1.5 + 0.5 + 1.5 + 0.5, at I/O at 10,
 * picked (1 + 2 x 0.5) by 12. O is complete with its slowest line at 12 (4.5 after its first),
 * packed and shipped at 14. Two single-command cycles of travel 5 and 3. */
static void test_picking_crane_by_hand(void)
{
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "O,1,c,1,0,20\nO,2,b,2,0,20\n";
    char diag[1024] = "";
    struct tsim_model *m = load_crane(csv, sizeof csv - 1, 4, 1, "", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick"), rack = tsim_model_find_block(m, "rack");
    int out = tsim_model_find_block(m, "out");
    struct tsim_result r;
    double end = run(m, -1, &r);
    CHECK_NEAR(end, 14, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 3, 0);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), 14, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 12 - 7.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "on_time"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "picker_utilization"), 0, 0); /* no picker walks */
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "cycles_single"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "cycles_dual"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "travel_single"), 4, 1e-9); /* mean of 5 and 3 */
    CHECK_NEAR(kpi(&r, rack, "retrieval_wait"), (0 + 6) / 2.0, 1e-9);
    CHECK_NEAR(kpi(&r, out, "entered"), 3, 0); /* the two loads, then the order */
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* 150 orders of one line each (so an order is a line) at Poisson times (rate 1/40), products at
 * random, by crane from a full rack of 20 x 10 slots (66 or 67 loads a product, about 50 asked), slots drawn:
 * every line is brought and every order ships, so Little's law holds exactly on the lines: the
 * mean number in the block = shipped / run length x mean lead time (areas of integer ticks on
 * both sides). A mean cycle of about 2 x 11 + 1 keeps the crane busy, not saturated. */
static void test_picking_crane_little(void)
{
    size_t cap = 150 * 48 + 64, n = 0;
    char *csv = malloc(cap);
    CHECK(csv != NULL);
    if (!csv) return;
    n += (size_t)snprintf(csv + n, cap - n, "order,line,product,quantity,release,due\n");
    uint64_t x = UINT64_C(88172645463325252);
    double t = 0;
    for (int o = 0; o < 150; o++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t += -40 * log(((double)(x >> 11) + 0.5) / 9007199254740992.0);
        n += (size_t)snprintf(csv + n, cap - n, "o%d,1,%c,%d,%.3f,\n", o, "abc"[(x >> 8) % 3],
                              1 + (int)((x >> 40) % 4), t);
    }
    char diag[1024] = "";
    struct tsim_model *m = load_crane(csv, n, 20, 10, "    retrieval: random\n", diag, sizeof diag);
    free(csv);
    CHECK_STR(diag, "");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick"), rack = tsim_model_find_block(m, "rack");
    struct tsim_result r;
    double end = run(m, -1, &r);
    double shipped = kpi(&r, pick, "orders_shipped");
    CHECK_NEAR(shipped, 150, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 150, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 150, 0);
    double content = kpi(&r, pick, "content"), lead = kpi(&r, pick, "lead_time");
    CHECK_NEAR(content, shipped / end * lead, 1e-9 * content);
    double util = kpi(&r, rack, "crane_utilization");
    CHECK(util > 0.2 && util < 1);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* Orders O and P of the two stock-out runs below (blocks pick 0, rack 1), run to the end with
 * the rack's `rack_keys`: the result in `r` (whose names the model holds), the end time in
 * `end`. Returns the model, NULL (and no result) if it did not load. */
static struct tsim_model *run_stockout(const char *rack_keys, struct tsim_result *r, double *end)
{
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "O,1,c,1,0,\nO,2,c,2,0,\nP,1,b,1,0,\n";
    char diag[1024] = "";
    struct tsim_model *m = load_crane(csv, sizeof csv - 1, 4, 1, rack_keys, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return NULL;
    CHECK(tsim_model_find_block(m, "pick") == 0 && tsim_model_find_block(m, "rack") == 1);
    *end = run(m, -1, r);
    return m;
}

/* Order O of two lines of c (x 1, x 2) and order P of one line of b, all at 0, by crane from
 * the rack of 4 bays (a, b, c, a: one load of c, in slot 2). O's line 1 asks first and the crane
 * sets off for slot 2 at once, so O's line 2 finds no load of c the queue has not claimed: a
 * stock-out, counted by the rack. With `stockout: drop` (the rack's rule) the line is dropped at
 * 0: short by its 2 units, and O waits only for line 1, at I/O at 6 (as in the run above),
 * picked by 7.5; O is complete then (no wait for a second line), packed, shipped at 9.5. P's
 * line asks at 0 behind O's and the crane fetches b from slot 1 when back at 6: at I/O at 10,
 * picked by 11.5, shipped at 13.5. */
static void test_picking_crane_stockout_drop(void)
{
    struct tsim_result r;
    double end;
    struct tsim_model *m = run_stockout("    stockout: drop\n", &r, &end);
    if (!m) return;
    CHECK_NEAR(end, 13.5, 1e-9);
    CHECK_NEAR(kpi(&r, 1, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, 1, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, 0, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, 0, "units_short"), 2, 0);
    CHECK_NEAR(kpi(&r, 0, "lines_picked"), 2, 0); /* the dropped line is not picked */
    CHECK_NEAR(kpi(&r, 0, "units_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, 0, "orders_shipped"), 2, 0); /* O short by its second line */
    CHECK_NEAR(kpi(&r, 0, "cycle_time"), (9.5 + 13.5) / 2, 1e-9);
    CHECK_NEAR(kpi(&r, 0, "consolidation_wait"), 0, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* The same orders under the rack's default `stockout: wait`: O's line 2 is counted a stock-out
 * and waits in the crane's queue, keeping its place, while P's line behind it is served as under
 * `drop` (b at I/O at 10, picked by 11.5, P shipped at 13.5); O, its line 1 picked at 7.5, waits
 * for a load of c that never comes: one order shipped, two lines picked, nothing short, and O
 * and P both there from 0 to the end. */
static void test_picking_crane_stockout_wait(void)
{
    struct tsim_result r;
    double end;
    struct tsim_model *m = run_stockout("", &r, &end);
    if (!m) return;
    CHECK_NEAR(end, 13.5, 1e-9);
    CHECK_NEAR(kpi(&r, 1, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, 1, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, 0, "stockouts"), 0, 0);
    CHECK_NEAR(kpi(&r, 0, "units_short"), 0, 0);
    CHECK_NEAR(kpi(&r, 0, "lines_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, 0, "orders_shipped"), 1, 0);
    CHECK_NEAR(kpi(&r, 0, "cycle_time"), 13.5, 1e-9);
    CHECK_NEAR(kpi(&r, 0, "content"), 2, 1e-9); /* O and P, there since 0 */
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* Four units of each product: X takes 2 of a, Y asks for 3 and finds 2 (a stock-out, 1 unit
 * short) and ships without it. No travel: X is picked in 1 + 2 x 0.5 = 2, Y in 2 as well (it
 * picks the 2 it finds). */
static void test_picking_stockout(void)
{
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "X,1,a,2,0,10\nY,1,a,3,0,10\n";
    char diag[1024] = "";
    struct tsim_model *m = load_orders(
        csv, sizeof csv - 1, "    pick_line: 1\n    pick_unit: 0.5\n    stock: 4\n", diag,
        sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    double end = run(m, -1, &r);
    CHECK_NEAR(end, 4, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 4, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 1, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* 3,000 orders of 1 to 3 random lines at Poisson times (rate 1), three pickers, tours of up to
 * 4 lines, waves every 5. Every order has shipped when the run ends, so Little's law holds
 * exactly: the mean number of orders in the block = shipped / run length x mean lead time (the
 * areas are sums of integer ticks on both sides). And every line is picked once. */
static void test_picking_little(void)
{
    size_t cap = 3000 * 3 * 40 + 64, n = 0;
    char *csv = malloc(cap);
    CHECK(csv != NULL);
    if (!csv) return;
    n += (size_t)snprintf(csv + n, cap - n, "order,line,product,quantity,release,due\n");
    uint64_t x = UINT64_C(88172645463325252);
    double t = 0;
    int lines = 0;
    for (int o = 0; o < 3000; o++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t += -log(((double)(x >> 11) + 0.5) / 9007199254740992.0);
        int k = 1 + (int)(x % 3);
        for (int l = 1; l <= k; l++, lines++)
            n += (size_t)snprintf(csv + n, cap - n, "o%d,%d,%c,%d,%.3f,%.3f\n", o, l,
                                  "abc"[(x >> (8 * l)) % 3], 1 + (int)((x >> 40) % 4), t,
                                  t + 30);
    }
    char diag[1024] = "";
    struct tsim_model *m = load_orders(
        csv, n,
        AREA_KEYS "    pickers: 3\n    tour_lines: 4\n    release: wave\n    wave: 5\n"
                  "    packers: 2\n",
        diag, sizeof diag);
    free(csv);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    double end = run(m, -1, &r);
    double shipped = kpi(&r, pick, "orders_shipped");
    CHECK_NEAR(shipped, 3000, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), lines, 0);
    double content = kpi(&r, pick, "content"), lead = kpi(&r, pick, "lead_time");
    CHECK_NEAR(content, shipped / end * lead, 1e-9 * content);
    CHECK(kpi(&r, pick, "picker_utilization") > 0 && kpi(&r, pick, "picker_utilization") < 1);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

static void expect_orders_error(const char *csv, const char *keys, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load_orders(csv, strlen(csv), keys, diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want)) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

#define HDR "order,line,product,quantity,release,due\n"

/* Each problem of the file at its line and column in the CSV, reported at the key's value. */
static void test_orders_file_errors(void)
{
    expect_orders_error("order,line,product,quantity,release\nA,1,a,1,0\n", "",
                        "dc.yaml:5:18: error: ");
    expect_orders_error("order,line,product,quantity,release\nA,1,a,1,0\n", "",
                        "orders.csv:1:1: no column 'due' in the header (it needs order, line, "
                        "product, quantity, release, due)");
    expect_orders_error(HDR "A,1,a,1,0,5\nA,2,bolt,1,0,5\n", "",
                        "orders.csv:3:5: product 'bolt' is not in the model");
    expect_orders_error(HDR "A,1,a,1,0,5\nA,2,B,1,0,5\n", "",
                        "orders.csv:3:5: product 'B' is not in the model (did you mean 'b'?)");
    expect_orders_error(HDR "A,1,a,1,0,5\nA,2,bolt,1,0,5\n", "",
                        "orders.csv:3:5: product 'bolt' is not in the model\n");
    expect_orders_error(HDR "A,1,a,-2,0,5\n", "", "orders.csv:2:7: quantity -2 is negative");
    expect_orders_error(HDR "A,1,a,0,0,5\n", "", "orders.csv:2:7: quantity 0 is not from 1 to");
    expect_orders_error(HDR "A,1,a,1,8,5\n", "",
                        "orders.csv:2:11: due time 5 is before the release 8");
    expect_orders_error(HDR "A,1,a,1,0,5\nB,1,b,1,0,5\nA,1,c,1,0,5\n", "",
                        "orders.csv:4:3: line 1 of order 'A' is given twice (first on line 2)");
    expect_orders_error(HDR "A,1,a,1,2026-12-04 08:00,5\n", "",
                        "orders.csv:2:9: release '2026-12-04 08:00' is a date-time, but the "
                        "model's run.start gives no date to count from");
    expect_orders_error(HDR "A,1,a,1,04.12.2026 08:00,5\n", "",
                        "orders.csv:2:9: release '04.12.2026 08:00' is not a time (a number in "
                        "the model's time unit, a date-time YYYY-MM-DD HH:MM[:SS] or a clock "
                        "time HH:MM[:SS])");
    expect_orders_error(HDR "A,1,a,1,-1,5\n", "", "orders.csv:2:9: release -1 is negative");
    expect_orders_error(HDR "A,1,a,1,0,5\r\nA,2,b,1,1,5\r\n", "",
                        "orders.csv:3:9: order 'A' has another release than on line 2");
    expect_orders_error(HDR "A,x,a,1,0,5\n", "",
                        "orders.csv:2:3: line 'x' is not a whole number from 1");
    expect_orders_error(HDR, "", "orders.csv:2:1: no order lines");
    expect_orders_error(HDR "A,1,a,1,0,5\n", "    release: wave\n",
                        "picking 'pick' releases in waves but has no 'wave' interval");
}

/* `csv[0..len)` (it may hold NUL bytes) is refused with `want` in the message. */
static void expect_orders_error_n(const char *csv, size_t len, const char *want)
{
    char diag[1024] = "";
    struct tsim_model *m = load_orders(csv, len, "", diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want)) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

/* HDR, "A,1,", a product field of `n` bytes made of `head`, `fill` repeated and `tail`, then
 * ",1,0,5\n"; its length in `*len`. */
static char *long_field_row(const char *head, char fill, const char *tail, size_t n, size_t *len)
{
    static const char start[] = HDR "A,1,", end[] = ",1,0,5\n";
    size_t a = sizeof start - 1, h = strlen(head), t = strlen(tail);
    char *s = malloc(a + n + sizeof end);
    memcpy(s, start, a);
    memcpy(s + a, head, h);
    memset(s + a + h, fill, n - h - t);
    memcpy(s + a + n - t, tail, t);
    memcpy(s + a + n, end, sizeof end);
    *len = a + n + sizeof end - 1;
    return s;
}

/* A NUL byte in a field is refused where it stands (it once ended the release "1\0" early, read
 * as 1), and a field longer than TSIM__CSV_FIELD_MAX bytes where the field starts, before the
 * rest of it is read: a product name of 3 MB, and a quoted one made of commas (each comma ends a
 * piece the reader feeds). A field of exactly the limit is read, and fails as a product. */
static void test_orders_file_bytes(void)
{
    static const char nul_release[] = HDR "A,1,a,1,1\0,5\n";
    expect_orders_error_n(nul_release, sizeof nul_release - 1,
                          "orders.csv:2:10: a NUL byte in a field (a CSV file is text)");
    static const char nul_header[] = "order,line,pro\0duct,quantity,release,due\nA,1,a,1,1,5\n";
    expect_orders_error_n(nul_header, sizeof nul_header - 1, "orders.csv:1:15: a NUL byte");
    char want[128];
    snprintf(want, sizeof want, "orders.csv:2:5: field is longer than %d bytes",
             TSIM__CSV_FIELD_MAX);
    size_t len;
    char *s = long_field_row("", 'x', "", 3 << 20, &len);
    expect_orders_error_n(s, len, want);
    free(s);
    s = long_field_row("\"", ',', "\"", TSIM__CSV_FIELD_MAX + 1, &len);
    expect_orders_error_n(s, len, want);
    free(s);
    s = long_field_row("", 'x', "", TSIM__CSV_FIELD_MAX, &len);
    expect_orders_error_n(s, len, "orders.csv:2:5: product 'xxx");
    free(s);
}

/* A byte order mark, CRLF line ends, the columns in another order, a column not read and a
 * priority: read as written. Orders P and Q come at 0; Q has the higher priority and is picked
 * first (no travel, each line 1): Q ships at 1, P at 2. */
static void test_orders_file_read(void)
{
    static const char csv[] = "\xEF\xBB\xBF"
                              "customer,due,release,quantity,product,line,order,priority\r\n"
                              "\"Smith, J\",9,0,1,a,1,P,0\r\n"
                              "acme,9,0,1,b,1,Q,5\r\n";
    char diag[1024] = "";
    struct tsim_model *m =
        load_orders(csv, sizeof csv - 1, "    pick_line: 1\n", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick");
    int out = tsim_model_find_block(m, "out");
    struct tsim_result r;
    double end = run(m, -1, &r);
    CHECK_NEAR(end, 2, 1e-12);
    CHECK_NEAR(kpi(&r, pick, "lead_time"), 1.5, 1e-12);
    CHECK_NEAR(kpi(&r, out, "entered"), 2, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/* Lines grouped by order in release order, each order's lines by number, whatever the file's
 * order: 300 orders of 1 to 40 lines (the longest sorted by qsort, the rest by insertion), the
 * lines dealt out across the file in a scrambled order, each line's product and quantity derived
 * from its order and number so that every one can be checked where it lands. Order k (from 0)
 * is released at (k * 7) % 300 (all different), so its rank is known; then the places of the
 * messages that the reader finds by reading the file again: a disagreeing order whose first row
 * spans two lines (a quoted line end), and an order line given twice. */
static void test_orders_file_grouped(void)
{
    enum { NO = 300 };
    int nlines[NO], total = 0;
    for (int k = 0; k < NO; k++) total += nlines[k] = 1 + (k * 13) % 40;
    size_t cap = (size_t)total * 48 + 64, len = 0;
    char *csv = malloc(cap);
    len += (size_t)snprintf(csv, cap, "order,line,product,quantity,release,due\n");
    /* row j of the file is line ((j * 7919) % total) of the list of (order, line) pairs */
    int *pair_order = malloc(sizeof(int) * (size_t)total);
    int *pair_line = malloc(sizeof(int) * (size_t)total);
    for (int k = 0, j = 0; k < NO; k++)
        for (int l = nlines[k]; l >= 1; l--, j++) pair_order[j] = k, pair_line[j] = l;
    for (int j = 0; j < total; j++) {
        int i = (int)(((long long)j * 7919) % total), k = pair_order[i], l = pair_line[i];
        len += (size_t)snprintf(csv + len, cap - len, "K%d,%d,%c,%d,%d,\n", k, l,
                                "abc"[(k + l) % 3], k * 100 + l, (k * 7) % NO);
    }
    char diag[1024] = "";
    struct tsim_model *m = load_orders(csv, len, "", diag, sizeof diag);
    CHECK(m != NULL);
    if (m) {
        const struct tsim__orderlines *o = &m->blocks[tsim_model_find_block(m, "pick")].orders;
        CHECK_EQ(o->norders, NO);
        CHECK_EQ(o->nlines, total);
        int bad = 0;
        for (int rank = 0; rank < NO; rank++) {
            int k = 0;
            while ((k * 7) % NO != rank) k++; /* the order released at `rank` */
            char id[16];
            snprintf(id, sizeof id, "K%d", k);
            bad += strcmp(o->id[rank], id) != 0 || o->release[rank] != rank;
            bad += o->first[rank + 1] - o->first[rank] != nlines[k];
            for (int i = o->first[rank], l = 1; i < o->first[rank + 1]; i++, l++)
                bad += o->line[i] != l || o->qty[i] != k * 100 + l ||
                       o->product[i] != tsim_model_find_product(m, (char[]){"abc"[(k + l) % 3], 0});
        }
        CHECK_EQ(bad, 0);
        tsim_model_destroy(m);
    } else {
        fprintf(stderr, "%s", diag);
    }
    free(csv);
    free(pair_order);
    free(pair_line);

    expect_orders_error("customer,order,line,product,quantity,release,due\n"
                        "x,B,1,a,1,0,5\n\"two\nlines\",A,1,a,1,0,5\ny,A,2,b,1,0,5\n"
                        "z,A,3,b,1,1,5\n",
                        "", "orders.csv:6:11: order 'A' has another release than on line 3");
    expect_orders_error(HDR "B,2,a,1,0,5\nA,1,b,1,0,5\nB,1,a,1,0,5\nB,2,c,1,0,5\nA,1,a,1,0,5\n",
                        "", "orders.csv:5:3: line 2 of order 'B' is given twice (first on line 2)");
}

/* `csv` read by a model whose run starts at `start` (time unit minutes) is refused with `want`. */
static void expect_orders_error_at(const char *start, const char *csv, const char *want)
{
    char top[128], diag[1024] = "";
    snprintf(top, sizeof top, "time_unit: min\nrun:\n  start: %s\n", start);
    struct tsim_model *m = load_orders_at(top, csv, strlen(csv), "", diag, sizeof diag);
    CHECK(m == NULL);
    if (!strstr(diag, want) || !strstr(diag, "dc.yaml:8:18: error: ")) {
        fprintf(stderr, "  expected '%s' in:\n%s", want, diag);
        check_failed_ = 1;
    }
    tsim_model_destroy(m);
}

/* Release and due times written as date-times and clock times, against run.start: each is its
 * distance from the start in the model's time unit, worked out by hand; and each wrong one at
 * its line and column. */
static void test_orders_file_dates(void)
{
    /* start 2026-12-06 06:00, minutes: A released 08:30 that day (150), due 06:00:30 the next
     * (1440.5); B released 2026-12-31 23:59 (25 days 17 h 59 min = 37,079 min), due at the
     * 2027-01-01 00:00 (37,080): the year's end is crossed. */
    static const char csv[] = "order,line,product,quantity,release,due\n"
                              "A,1,a,1,2026-12-06 08:30,2026-12-07T06:00:30\n"
                              "B,1,b,1,2026-12-31T23:59:00,2027-01-01\n";
    char diag[1024] = "";
    struct tsim_model *m = load_orders_at("time_unit: min\nrun:\n  start: 2026-12-06 06:00\n",
                                          csv, sizeof csv - 1, "", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    const struct tsim__orderlines *o = &m->blocks[tsim_model_find_block(m, "pick")].orders;
    CHECK_EQ(o->norders, 2);
    CHECK_NEAR(o->release[0], 150, 1e-9);
    CHECK_NEAR(o->due[0], 1440.5, 1e-9);
    CHECK_NEAR(o->release[1], 37079, 1e-9);
    CHECK_NEAR(o->due[1], 37080, 1e-9);
    tsim_model_destroy(m);

    /* Clock times on the start's day, in hours from a start of 06:15 without a date: 08:30 is
     * 2.25 h, 18:00:36 is 11.76 h. A leap day is a date (2028-02-29). */
    static const char clock[] = "order,line,product,quantity,release,due\n"
                                "A,1,a,1,8:30,18:00:36\n";
    m = load_orders_at("time_unit: h\nrun:\n  start: \"06:15\"\n", clock, sizeof clock - 1, "",
                       diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    o = &m->blocks[tsim_model_find_block(m, "pick")].orders;
    CHECK_NEAR(o->release[0], 2.25, 1e-12);
    CHECK_NEAR(o->due[0], 11.76, 1e-12);
    tsim_model_destroy(m);

    const char *day = "2026-12-06 06:00";
    expect_orders_error_at(day, HDR "A,1,a,1,2028-02-29 06:00,2026-02-29 07:00\n",
                           "orders.csv:2:26: due '2026-02-29 07:00' is not a date-time: there "
                           "is no day 29 in February 2026 (it has 28 days)");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06T05:59:59,\n",
                           "orders.csv:2:9: release '2026-12-06T05:59:59' is before the model's "
                           "start, 2026-12-06 06:00");
    expect_orders_error_at(day, HDR "A,1,a,1,05:30,\n",
                           "orders.csv:2:9: release '05:30' is before the model's start, "
                           "2026-12-06 06:00 (a clock time is on the start's day: write a "
                           "date-time for a later day)");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06T08:00:00Z,\n",
                           "orders.csv:2:9: release '2026-12-06T08:00:00Z' is not a date-time: "
                           "a time zone ('Z') is not read");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06 08:00+01:00,\n",
                           "a time zone ('+01:00') is not read");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06 08:61,\n",
                           "orders.csv:2:9: release '2026-12-06 08:61' is not a date-time: the "
                           "minute is out of range");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06 08:00,\nB,1,a,1,150,\n",
                           "orders.csv:3:9: release '150' is a number, but the column's first "
                           "time (line 2) is a date-time: a column gives its times one way");
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06 08:00,\nB,1,a,1,08:00,\n",
                           "orders.csv:3:9: release '08:00' is a clock time, but the column's "
                           "first time (line 2) is a date-time");
    char diag2[1024] = "";
    m = load_orders_at("run:\n  start: 2026-02-30 06:00\n", HDR "A,1,a,1,0,\n",
                       sizeof HDR + 11, "", diag2, sizeof diag2);
    CHECK(m == NULL);
    CHECK(strstr(diag2, "dc.yaml:3:10: error: invalid date-time '2026-02-30 06:00' for 'start': "
                        "there is no day 30 in February 2026") != NULL);
    if (!strstr(diag2, "dc.yaml:3:10")) fprintf(stderr, "%s", diag2);
    tsim_model_destroy(m);
    expect_orders_error_at(day, HDR "A,1,a,1,2026-12-06 09:00,2026-12-06 08:00\n",
                           "orders.csv:2:26: due time 2026-12-06 08:00 is before the release "
                           "2026-12-06 09:00");
}

/* Orders drawn from distributions: Poisson orders at 0.5 a time unit for T = 20,000 (lambda T =
 * 10,000 expected), 1 to 6 lines each (uniform(0.5, 6.5) rounded: mean 3.5, variance 35/12),
 * 1 to 4 units a line (mean 2.5, variance 15/12), products a, b, c at 0.5, 0.3, 0.2, due 0 to 10
 * after they come. Picking takes no time and packing 4 on 50 packers (the mean busy is 2), so
 * every order ships 4 after it comes, on time when its due offset is at least 4 (p = 0.6). Each
 * rate is checked against its sampling error: the count of orders is Poisson (sd sqrt(lambda T));
 * lines per order, units per line, the share of orders of a product (an order is its first
 * line's product) and the share on time are means of iid draws, sd sqrt(variance / count).
 * z = 3.76 puts the six checks together at 99.9% (Bonferroni). */
static void test_picking_generated(void)
{
    const double lambda = 0.5, T = 20000, z = 3.76;
    char diag[1024] = "";
    struct tsim_model *m =
        model_from_text("name: gen\n"
                        "products: [a, b, c]\n"
                        "blocks:\n"
                        "  - picking: pick\n"
                        "    order_interarrival: exponential(2)\n"
                        "    order_limit: 12000\n"
                        "    order_lines: uniform(0.5, 6.5)\n"
                        "    line_units: uniform(0.5, 4.5)\n"
                        "    product: {a: 0.5, b: 0.3, c: 0.2}\n"
                        "    due: uniform(0, 10)\n"
                        "    tour_lines: 1000\n"
                        "    packers: 50\n"
                        "    pack_time: 4\n"
                        "    to: out\n"
                        "  - sink: out\n",
                        "gen.yaml", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int pick = tsim_model_find_block(m, "pick"), out = tsim_model_find_block(m, "out");
    struct tsim_result r;
    run(m, T, &r);
    double n = kpi(&r, pick, "entered"), lines = kpi(&r, pick, "lines_picked");
    double units = kpi(&r, pick, "units_picked"), shipped = kpi(&r, pick, "orders_shipped");
    double na = kpi(&r, out, "products.a.throughput") * T;
    double nb = kpi(&r, out, "products.b.throughput") * T;
    CHECK(fabs(n - lambda * T) <= z * sqrt(lambda * T));
    CHECK(fabs(lines / n - 3.5) <= z * sqrt(35.0 / 12 / n));
    CHECK(fabs(units / lines - 2.5) <= z * sqrt(15.0 / 12 / lines));
    CHECK(fabs(na / shipped - 0.5) <= z * sqrt(0.5 * 0.5 / shipped));
    CHECK(fabs(nb / shipped - 0.3) <= z * sqrt(0.3 * 0.7 / shipped));
    CHECK(fabs(kpi(&r, pick, "on_time") - 0.6) <= z * sqrt(0.6 * 0.4 / shipped));
    CHECK(shipped <= n && shipped >= n - 50); /* those come in the last 4 are being packed */
    if (getenv("TSIM_TEST_VERBOSE"))
        printf("  %g orders, %g lines/order, %g units/line, a %g, b %g, on time %g\n", n,
               lines / n, units / lines, na / shipped, nb / shipped, kpi(&r, pick, "on_time"));
    tsim_result_release(&r);
    tsim_model_destroy(m);

    /* not both sources of orders; a limit; a bounded count of lines */
    static const char *const bad[][2] = {
        {"    order_interarrival: 1\n    order_lines: exponential(3)\n    order_limit: 5\n",
         "'order_lines' of picking 'pick' is not bounded"},
        {"    order_interarrival: 1\n", "picking 'pick' draws orders, which needs an "
                                        "'order_limit'"},
        {"    order_interarrival: 1\n    order_limit: 10000000\n    order_lines: 20\n",
         "picking 'pick' may draw 200000000 order lines"},
        {"    pickers: 2\n", "gen.yaml:4:5: error: picking 'pick' needs 'orders_file' or "
                             "'order_interarrival'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char yaml[1024], d2[1024] = "";
        snprintf(yaml, sizeof yaml,
                 "name: gen\nproducts: [a]\nblocks:\n  - picking: pick\n%s    to: out\n"
                 "  - sink: out\n",
                 bad[i][0]);
        m = model_from_text(yaml, "gen.yaml", d2, sizeof d2);
        CHECK(m == NULL);
        if (!strstr(d2, bad[i][1])) {
            fprintf(stderr, "  expected '%s' in:\n%s", bad[i][1], d2);
            check_failed_ = 1;
        }
        if (m) tsim_model_destroy(m);
    }
    static const char csv[] = "order,line,product,quantity,release,due\nA,1,a,1,0,5\n";
    m = load_orders(csv, sizeof csv - 1, "    order_interarrival: 1\n    order_limit: 3\n", diag,
                    sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "picking 'pick' needs one of 'orders_file' and 'order_interarrival', not "
                       "both") != NULL);
    if (m) tsim_model_destroy(m);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tsim-picking-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    RUN(test_picking_by_hand);
    RUN(test_picking_consolidation);
    RUN(test_picking_routing);
    RUN(test_picking_mid_tour);
    RUN(test_picking_crane_by_hand);
    RUN(test_picking_crane_little);
    RUN(test_picking_crane_stockout_drop);
    RUN(test_picking_crane_stockout_wait);
    RUN(test_picking_stockout);
    RUN(test_picking_little);
    RUN(test_orders_file_errors);
    RUN(test_orders_file_bytes);
    RUN(test_orders_file_read);
    RUN(test_orders_file_dates);
    RUN(test_orders_file_grouped);
    RUN(test_picking_generated);
    char path[128];
    snprintf(path, sizeof path, "%s/orders.csv", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return check_total_failed_ ? 1 : 0;
}
