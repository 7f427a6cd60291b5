/*
 * A picking crew that picks from a storage block's stock (`pick_from: STORAGE`): each line takes
 * its units, a load each, from the rack by the storage's retrieval rule, the picker walking the
 * rack's aisle to the farthest bay it takes from and back; a line that finds too few is short,
 * counted by both blocks, or waits for a put-away (`stockout: wait`); several storage blocks as
 * aisles, taken by the list's order or the nearest first (`aisle_order`). Runs computed by hand,
 * the keys' bad values at their line, and every picking check's error at the key it is about.
 */
#include "check.h"
#include "twinsim.h"
#include "blocks/storage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REPS 1
#define LEVEL 0.99
#define SEED UINT64_C(1)
static int verbose;

#include "reps.h"
#include "model_text.h"

/* Products a and b; a rack of 4 x 1 slots 10 wide, full from the start (the products in turn:
 * slots 0 and 2 hold a, 1 and 3 hold b, at 5, 15, 25 and 35 along the aisle); two drawn orders
 * at 1 and 2, each one line of `units` units of a; one picker, a line a tour, pick_line 1,
 * pick_unit 0.5, walk_speed 1; one packer, pack_time 2. `more` adds keys to the picking block. */
static struct tsim_model *pick_model(int units, const char *more, char *diag, size_t size)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - storage: rack\n"
             "    bays: 4\n"
             "    levels: 1\n"
             "    bay_width: 10\n"
             "    initial: full\n"
             "    by_product: true\n"
             "    to: out\n"
             "  - picking: pick\n"
             "    order_interarrival: 1\n"
             "    order_limit: 2\n"
             "    order_lines: 1\n"
             "    line_units: %d\n"
             "    product: a\n"
             "    pick_line: 1\n"
             "    pick_unit: 0.5\n"
             "    walk_speed: 1\n"
             "    packers: 1\n"
             "    pack_time: 2\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             units, more);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

/* Model `m` was refused, with `want` among the diagnostics in `diag`, which is then emptied. */
static void refused(struct tsim_model *m, char *diag, const char *want)
{
    CHECK(m == NULL);
    if (!strstr(diag, want) || verbose) fprintf(stderr, "  want '%s' in:\n%s", want, diag);
    CHECK(strstr(diag, want) != NULL);
    tsim_model_destroy(m);
    diag[0] = '\0';
}

/* Run to the end; the end time, the result in `r` (its names the model's). */
static double run_all(const struct tsim_model *m, struct tsim_result *r, struct tsim_sim **out)
{
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run(sim);
    tsim_result_init(r);
    tsim_sim_result(sim, r);
    *out = sim;
    return tsim_sim_now(sim);
}

/* pick_model(units, more) run to its end: the end time (-1 if it does not load), the result in
 * `r` (the block KPIs only: the names by product were the model's, which is gone), the rack's
 * and the picking block's indices. */
static double pick_run(int units, const char *more, struct tsim_result *r, int *rack, int *pick)
{
    char diag[1024] = "";
    struct tsim_model *m = pick_model(units, more, diag, sizeof diag);
    CHECK_STR(diag, "");
    tsim_result_init(r);
    if (!m) return -1;
    *rack = tsim_model_find_block(m, "rack");
    *pick = tsim_model_find_block(m, "pick");
    struct tsim_sim *sim;
    double end = run_all(m, r, &sim); /* it makes `r` anew: the empty one holds nothing */
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return end;
}

/* Lines of 3 units, the rack holding 2 of a:
 *   1: order 1's line takes both loads of a (FIFO, stored together at 0: the first slot first,
 *      slots 0 and 2), 1 unit short; the walk out to slot 2's bay at 25 and back, 50; picks
 *      1 + 2 x 0.5 = 2: at the pack station at 53, packed 53..55, shipped.
 *   2: order 2's line waits for the picker; at 53 it finds no a: 3 units short, no walk, pick 1:
 *      in at 54, packed 55..57.
 * Cycle times 54 and 55; units picked 2, short 4, two short lines; the rack: 2 retrievals, two
 * stock-outs, a's stock 2 loads from 0 to 1 (mean 2 / 57 to the end at 57), b's 2 all along;
 * travel share 50 / (50 + 2 + 1). */
static void test_pick_from_short(void)
{
    char diag[1024] = "";
    struct tsim_model *m = pick_model(3, "    pick_from: rack\n", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack"), pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    struct tsim_sim *sim;
    double end = run_all(m, &r, &sim);
    CHECK_NEAR(end, 57, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), (54 + 55) / 2.0, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 4, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "travel_share"), 50.0 / 53, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "left"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "products.a.stock"), 2.0 / 57, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.b.stock"), 2, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.a.dwell"), 1, 1e-9);
    int a = tsim_model_find_product(m, "a"), b = tsim_model_find_product(m, "b");
    CHECK(tsim__storage_stock(sim, rack, a) == 0);
    CHECK(tsim__storage_stock(sim, rack, b) == 2);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Lines of 1 unit, the rack holding 2 of a: order 1's line takes slot 0's load (walk out to 5
 * and back, 10; pick 1.5): in at 12.5, shipped at 14.5; order 2's takes slot 2's (walk 50, pick
 * 1.5): out at 12.5, in at 64, shipped at 66. Nothing short; a's stock 2 loads to 1, 1 to 12.5. */
static void test_pick_from_enough(void)
{
    char diag[1024] = "";
    struct tsim_model *m = pick_model(1, "    pick_from: rack\n", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack"), pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    struct tsim_sim *sim;
    double end = run_all(m, &r, &sim);
    CHECK_NEAR(end, 66, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), (13.5 + 64) / 2, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 0, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "products.a.stock"), (2 * 1 + 1 * 11.5) / 66, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.a.dwell"), (1 + 12.5) / 2, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Products a and b; the same rack, full from the start, with closest put-away, fed by a source
 * of a loads at 100 and 200 (the crane takes no time: each is stored as it comes); one drawn
 * order at 1 of two lines of 2 units of a; one picker, a line a tour, pick_line 1, pick_unit
 * 0.5, walk_speed 1; one packer, pack_time 2. `more` adds keys to the picking block. */
static struct tsim_model *wait_model(const char *more, char *diag, size_t size)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: 100\n"
             "    limit: 2\n"
             "    product: a\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 4\n"
             "    levels: 1\n"
             "    bay_width: 10\n"
             "    initial: full\n"
             "    put_away: closest\n"
             "    to: out\n"
             "  - picking: pick\n"
             "    order_interarrival: 1\n"
             "    order_limit: 1\n"
             "    order_lines: 2\n"
             "    line_units: 2\n"
             "    product: a\n"
             "    pick_line: 1\n"
             "    pick_unit: 0.5\n"
             "    walk_speed: 1\n"
             "    packers: 1\n"
             "    pack_time: 2\n"
             "    pick_from: rack\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             more);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

/* The rack holds 2 of a (slots 0 and 2, at 5 and 25 along the aisle).
 *   1: line 1 takes both (walk 50, picks 1 + 2 x 0.5): at the pack station at 53.
 *   53: line 2 finds none (pick_line 1, no walk): back at 54, it waits for stock; its order
 *       waits at the pack station.
 *   100: a load of a is put away in slot 0 (closest): 1 of the 2 units, the line waits on.
 *   200: the second in slot 2: the line is ready (wait 200 - 54 = 146); the idle picker takes
 *       both (FIFO: slot 0, then 2; walk 50, picks 2): at the pack station at 252, the order
 *       complete (consolidation wait 252 - 53 = 199), packed 252..254 and shipped.
 * Under `short` (the default) line 2 is short by 2 at 54 and the order ships at 56. */
static void test_pick_from_wait(void)
{
    char diag[1024] = "";
    struct tsim_model *m = wait_model("    stockout: wait\n", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack"), pick = tsim_model_find_block(m, "pick");
    struct tsim_result r;
    struct tsim_sim *sim;
    double end = run_all(m, &r, &sim);
    CHECK_NEAR(end, 254, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), 253, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 4, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 0, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 0, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_waited"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "stock_wait"), 146, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 199, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 4, 0);
    int a = tsim_model_find_product(m, "a");
    CHECK(tsim__storage_stock(sim, rack, a) == 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    m = wait_model("", diag, sizeof diag); /* short-picking, the default */
    CHECK_STR(diag, "");
    if (!m) return;
    end = run_all(m, &r, &sim);
    CHECK_NEAR(end, 200, 1e-9); /* the last put-away; the order shipped at 56 */
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), 55, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 2, 0);
    CHECK(tsim_result_find(&r, pick, "lines_waited") == NULL);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A clone made at 150, while line 2 waits between the two put-aways, ends as the original
 * does: at 254, with the same fingerprint and the same wait. */
static void test_pick_from_wait_clone(void)
{
    char diag[1024] = "";
    struct tsim_model *m = wait_model("    stockout: wait\n", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 150);
    struct tsim_sim *clone = tsim_sim_clone(sim);
    CHECK(clone != NULL);
    tsim_sim_run(sim);
    tsim_sim_run(clone);
    CHECK_NEAR(tsim_sim_now(sim), 254, 1e-9);
    CHECK_NEAR(tsim_sim_now(clone), 254, 1e-9);
    CHECK(tsim_sim_fingerprint(sim) == tsim_sim_fingerprint(clone));
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(clone, &r);
    CHECK_NEAR(kpi(&r, pick, "stock_wait"), 146, 1e-9);
    tsim_result_release(&r);
    tsim_sim_destroy(clone);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The blocks rack1, 2 x 1 slots 10 wide, and rack2, 4 x 1, both full from the start (the
 * products in turn, slot by slot), loads leaving to `out`. */
#define TWO_RACKS                                                                                  \
    "  - storage: rack1\n    bays: 2\n    levels: 1\n    bay_width: 10\n"                          \
    "    initial: full\n    to: out\n"                                                             \
    "  - storage: rack2\n    bays: 4\n    levels: 1\n    bay_width: 10\n"                          \
    "    initial: full\n    to: out\n"

/* Two aisles: rack1, 2 x 1 slots 10 wide, full (a at 5 along its aisle, b at 15), and rack2,
 * 4 x 1 (a at 5 and 25, b at 15 and 35), their I/O points 20 apart (`aisle_pitch`), picked from
 * in that order; `orders` drawn orders at 1, 2, ... of one line of `units` units of a; one
 * picker, pick_line 1, pick_unit 0.5, walk_speed 1; one packer, pack_time 2. */
static struct tsim_model *aisles_model(int orders, int units, const char *aisles, char *diag,
                                       size_t size)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "products: [a, b]\n"
             "blocks:\n"
             TWO_RACKS
             "  - picking: pick\n"
             "    order_interarrival: 1\n"
             "    order_limit: %d\n"
             "    order_lines: 1\n"
             "    line_units: %d\n"
             "    product: a\n"
             "    pick_line: 1\n"
             "    pick_unit: 0.5\n"
             "    walk_speed: 1\n"
             "    aisle_pitch: 20\n"
             "    packers: 1\n"
             "    pack_time: 2\n"
             "    pick_from: %s\n"
             "    to: out\n"
             "  - sink: out\n",
             orders, units, aisles);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

/* One line of `units` of a picked over the two aisles: the end time and KPIs in `r`. */
static double aisles_run(int orders, int units, struct tsim_result *r, int *rack1, int *rack2,
                         int *pick)
{
    char diag[1024] = "";
    struct tsim_model *m = aisles_model(orders, units, "[rack1, rack2]", diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return -1;
    *rack1 = tsim_model_find_block(m, "rack1");
    *rack2 = tsim_model_find_block(m, "rack2");
    *pick = tsim_model_find_block(m, "pick");
    struct tsim_sim *sim;
    double end = run_all(m, r, &sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return end;
}

/* Lines taken from the first aisle in the list that has stock, and split over both:
 * - one line of 3: rack1's one a (reach 5), then rack2's two (reach 25): the walk is the front
 *   out to rack2 at 20 and back, and into each aisle and out, 2 x (20 + 5 + 25) = 100; picks
 *   1 + 3 x 0.5: in at 103.5, shipped at 105.5;
 * - two lines of 1: order 1's from rack1 (walk 2 x 5, picks 1.5: in at 12.5, shipped 14.5),
 *   order 2's, rack1 empty of a, from rack2's nearest a (walk 2 x (20 + 5) = 50): in at 64,
 *   shipped at 66;
 * - one line of 5: all 3 a, 2 short, a stock-out of each aisle; the same walk, picks 2.5. */
static void test_pick_from_aisles(void)
{
    struct tsim_result r;
    int rack1, rack2, pick;
    double end = aisles_run(1, 3, &r, &rack1, &rack2, &pick);
    CHECK_NEAR(end, 105.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "travel_share"), 100 / 102.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack1, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack2, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 0, 0);
    tsim_result_release(&r);

    end = aisles_run(2, 1, &r, &rack1, &rack2, &pick);
    CHECK_NEAR(end, 66, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), (13.5 + 64) / 2, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "travel_share"), 60 / 63.0, 1e-9);
    CHECK_NEAR(kpi(&r, rack1, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack2, "retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack1, "stockouts"), 0, 0);
    tsim_result_release(&r);

    end = aisles_run(1, 5, &r, &rack1, &rack2, &pick);
    CHECK_NEAR(end, 1 + 100 + 2.5 + 2, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 3, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack1, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, rack2, "stockouts"), 1, 0);
    tsim_result_release(&r);
}

/* A list of aisles that names one twice, names no block, or names a block that is not a storage:
 * each at its value; an empty list at the key. */
static void test_pick_from_aisles_errors(void)
{
    char diag[1024] = "";
    refused(aisles_model(1, 1, "[rack1, rack1]", diag, sizeof diag), diag,
            "dc.yaml:28:24: error: 'pick_from' names storage 'rack1' twice");
    refused(aisles_model(1, 1, "[rack1, rak2]", diag, sizeof diag), diag,
            "dc.yaml:28:24: error: 'pick_from' names undefined block 'rak2' (did you mean "
            "'rack2'?)");
    refused(aisles_model(1, 1, "[out]", diag, sizeof diag), diag,
            "dc.yaml:28:17: error: 'pick_from' names sink 'out', not a storage");
    refused(aisles_model(1, 1, "[]", diag, sizeof diag), diag,
            "dc.yaml:28:5: error: 'pick_from' names no storage block");
}

/* Loads of 4 units (`load_units: 4`), lines of 3: order 1's line opens slot 0's load (walk 10,
 * picks 1 + 3 x 0.5): in at 13.5, shipped at 15.5, 1 unit left open; order 2's (waiting since
 * 2) takes that unit and opens slot 2's load for 2 more (walk 50): in at 66, shipped at 68, 2
 * units left open. Two loads retrieved for 6 units, none short. */
static void test_pick_from_load_units(void)
{
    struct tsim_result r;
    int rack, pick;
    double end = pick_run(3, "    pick_from: rack\n    load_units: 4\n", &r, &rack, &pick);
    CHECK_NEAR(end, 68, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "cycle_time"), (14.5 + 66) / 2, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 6, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 0, 0);
    CHECK_NEAR(kpi(&r, rack, "retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "stockouts"), 0, 0);
    tsim_result_release(&r);
}

/* The key's bad values, each at its line and column. */
static void test_pick_from_errors(void)
{
    char diag[1024] = "";
    refused(pick_model(1, "    pick_from: rak\n", diag, sizeof diag), diag,
            "dc.yaml:22:16: error: 'pick_from' names undefined block 'rak' (did you mean "
            "'rack'?)");
    refused(pick_model(1, "    pick_from: out\n", diag, sizeof diag), diag,
            "dc.yaml:22:16: error: 'pick_from' names sink 'out', not a storage block (only a "
            "storage block holds stock)");
    refused(pick_model(1, "    pick_from: rack\n    stock: 5\n", diag, sizeof diag), diag,
            "picking 'pick' has 'stock' and 'pick_from'");
    refused(pick_model(1, "    stockout: wait\n", diag, sizeof diag), diag,
            "picking 'pick' has 'stockout: wait' but no 'pick_from'");
    refused(pick_model(1, "    load_units: 4\n", diag, sizeof diag), diag,
            "picking 'pick' has 'load_units' but no 'pick_from'");
    refused(pick_model(1, "    pick_from: rack\n    stockout: wiat\n", diag, sizeof diag), diag,
            "dc.yaml:23:15: error: unknown stockout rule 'wiat' (use short or wait)");
}

/* Products a, b, c; TWO_RACKS: rack1 (a at 5, b at 15) and rack2 (a at 5 and 35, b at 15, c at
 * 25), 20 apart, picked from in that order by `order` (`aisle_order`, "" for the default); one
 * order at 1 of two lines, 1 c then 1 a, on one tour (tour_lines 2); pick_line 1, walk_speed 1,
 * pack_time 2. Its orders file is written to `csv` (a path of 64 bytes). */
static struct tsim_model *nearest_model(const char *order, char *csv, char *diag, size_t size)
{
    snprintf(csv, 64, "/tmp/tsim-aisles-XXXXXX");
    int fd = mkstemp(csv);
    CHECK(fd >= 0);
    if (fd < 0) return NULL;
    static const char lines[] = "order,line,product,quantity,release,due\nO1,1,c,1,1,\n"
                                "O1,2,a,1,1,\n";
    CHECK(write(fd, lines, sizeof lines - 1) == (ssize_t)(sizeof lines - 1));
    close(fd);
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: dc\n"
             "products: [a, b, c]\n"
             "blocks:\n"
             TWO_RACKS
             "  - picking: pick\n"
             "    orders_file: %s\n"
             "    tour_lines: 2\n"
             "    pick_line: 1\n"
             "    walk_speed: 1\n"
             "    aisle_pitch: 20\n"
             "    pack_time: 2\n"
             "    pick_from: [rack1, rack2]\n"
             "%s"
             "    to: out\n"
             "  - sink: out\n",
             csv, order);
    return model_from_text(yaml, "dc.yaml", diag, size);
}

/* The tour's first line, c, is in rack2 only: from there (reach 25). Its second, a, is in both:
 * - `list` (the default): from rack1, the list's first (reach 5): the walk is 2 x (20 + 5 +
 *   25) = 100, picks 2: in at 103, shipped at 105;
 * - `nearest`: from rack2, which the tour already enters (its nearest a at 5, within the reach
 *   25): the walk is 2 x (20 + 25) = 90: in at 93, shipped at 95; rack1 gives nothing.
 * And `aisle_order` without `pick_from`, at its key. */
static void test_pick_from_nearest(void)
{
    static const struct {
        const char *order;
        double end, travel;
        int from1;
    } runs[] = {{"", 105, 100, 1}, {"    aisle_order: list\n", 105, 100, 1},
                {"    aisle_order: nearest\n", 95, 90, 0}};
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        char diag[1024] = "", csv[64];
        struct tsim_model *m = nearest_model(runs[i].order, csv, diag, sizeof diag);
        unlink(csv);
        CHECK_STR(diag, "");
        if (!m) continue;
        int rack1 = tsim_model_find_block(m, "rack1"), rack2 = tsim_model_find_block(m, "rack2");
        int pick = tsim_model_find_block(m, "pick");
        struct tsim_result r;
        struct tsim_sim *sim;
        CHECK_NEAR(run_all(m, &r, &sim), runs[i].end, 1e-9);
        CHECK_NEAR(kpi(&r, pick, "travel_share"), runs[i].travel / (runs[i].travel + 2), 1e-9);
        CHECK_NEAR(kpi(&r, pick, "units_picked"), 2, 0);
        CHECK_NEAR(kpi(&r, rack1, "retrievals"), runs[i].from1, 0);
        CHECK_NEAR(kpi(&r, rack2, "retrievals"), 2 - runs[i].from1, 0);
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
    }
    char diag[1024] = "";
    refused(pick_model(1, "    aisle_order: nearest\n", diag, sizeof diag), diag,
            "dc.yaml:22:5: error: picking 'pick' has 'aisle_order' but no 'pick_from'");
    refused(pick_model(1, "    pick_from: rack\n    aisle_order: near\n", diag, sizeof diag), diag,
            "dc.yaml:23:18: error: unknown aisle order 'near'");
}

/* The picking block's checks of its keys together, each error at the key it is about (line and
 * column): pick_model's own keys from line 12, `more` from line 22; a model of drawn orders
 * whose keys start at line 5; an orders file and drawn orders (nearest_model, `order` at 24). */
static void test_picking_check_at_key(void)
{
    static const char *const more[][2] = {
        {"    pick_from: rack\n    stock: 5\n", "dc.yaml:23:5: error: picking 'pick' has 'stock' "
                                                "and 'pick_from'"},
        {"    load_units: 4\n", "dc.yaml:22:5: error: picking 'pick' has 'load_units' but no"},
        {"    stockout: wait\n", "dc.yaml:22:5: error: picking 'pick' has 'stockout: wait' but"},
        {"    release: wave\n", "dc.yaml:22:5: error: picking 'pick' releases in waves but"},
        {"    release: wave\n    wave: 0\n", "dc.yaml:23:5: error: picking 'pick' has a 'wave' "
                                             "interval of mean 0"},
        {"    release: batch\n", "dc.yaml:22:5: error: picking 'pick' releases by batch but"},
        {"    pickers: 100000\n    tour_lines: 1000\n", "dc.yaml:23:5: error: picking 'pick' "
                                                        "has 100000 pickers of 1000-line tours"},
        {"    picked_by: rack\n", "dc.yaml:19:5: error: picking 'pick' is picked by the crane of "
                                  "'rack', so 'walk_speed' has no use"},
    };
    char diag[1024] = "";
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        refused(pick_model(1, more[i][0], diag, sizeof diag), diag, more[i][1]);
    static const char *const drawn[][2] = {
        {"    order_interarrival: 1\n", "gen.yaml:5:5: error: picking 'pick' draws orders, which "
                                        "needs an 'order_limit'"},
        {"    order_interarrival: 1\n    order_lines: exponential(3)\n    order_limit: 5\n",
         "gen.yaml:6:5: error: 'order_lines' of picking 'pick' is not bounded"},
        {"    order_interarrival: 1\n    order_limit: 10000000\n    order_lines: 20\n",
         "gen.yaml:6:5: error: picking 'pick' may draw 200000000 order lines"},
        {"    pickers: 2\n", "gen.yaml:4:5: error: picking 'pick' needs 'orders_file' or "
                             "'order_interarrival'"}, /* neither key: at the block */
    };
    for (size_t i = 0; i < sizeof drawn / sizeof *drawn; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "name: gen\nproducts: [a]\nblocks:\n  - picking: pick\n%s    to: out\n"
                 "  - sink: out\n",
                 drawn[i][0]);
        refused(model_from_text(yaml, "gen.yaml", diag, sizeof diag), diag, drawn[i][1]);
    }
    char csv[64];
    struct tsim_model *m =
        nearest_model("    order_interarrival: 1\n    order_limit: 3\n", csv, diag, sizeof diag);
    unlink(csv);
    refused(m, diag, "dc.yaml:24:5: error: picking 'pick' needs one of 'orders_file' and "
                     "'order_interarrival', not both");
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    RUN(test_pick_from_short);
    RUN(test_pick_from_enough);
    RUN(test_pick_from_wait);
    RUN(test_pick_from_wait_clone);
    RUN(test_pick_from_errors);
    RUN(test_pick_from_aisles);
    RUN(test_pick_from_aisles_errors);
    RUN(test_pick_from_load_units);
    RUN(test_pick_from_nearest);
    RUN(test_picking_check_at_key);
    return CHECK_DONE();
}
