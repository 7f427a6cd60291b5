/*
 * An order line as its own entity (`lines_to`): each picked line leaves the picking block along
 * that way, carrying its order, line, product, units found and due time, and comes back to the
 * block's pack station, where its order is complete once all its lines are in. Times worked out
 * by hand; a clone made while lines travel; a foreign entity refused at run time; the load-time
 * checks at their line and column.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "model_text.h"
#include "blocks/picking.h"
#include "blocks/sim.h"

static char tmpdir[64];
static char orders_path[128];

/* One order of two lines, released at 0, due 10: a x 2 and b x 4. */
static const char two_lines_csv[] = "order,line,product,quantity,release,due\n"
                                    "O1,1,a,2,0,10\n"
                                    "O1,2,b,4,0,10\n";

/* Two pickers, tours of one line, no walking, a stock of 3 units a product: a line takes
 * 1 + 0.5 a unit found, packing takes 2; the lines travel over a delay of 3 back to the block.
 *   line 1 (a x 2, finds 2): picked 0-2, travels 2-5, at the pack station at 5;
 *   line 2 (b x 4, finds 3, 1 short): picked 0-2.5, travels 2.5-5.5, in at 5.5;
 *   the order is complete at 5.5 (its slowest line 2.5 + the way 3), consolidation wait 0.5,
 *   packed 5.5-7.5: shipped at 7.5 = 2.5 + 3 + 2, on time.
 * Without lines_to the same order ships at 2.5 + 2 = 4.5. `lines` is the lines_to line, `back`
 * where the way leads and `extra` more blocks (each line indented 2). */
static const char model_fmt[] = "name: lines\n"
                                "products: [a, b]\n"
                                "blocks:\n"
                                "  - picking: pick\n"
                                "    orders_file: %s\n"
                                "    pickers: 2\n"
                                "    pick_line: 1\n"
                                "    pick_unit: 0.5\n"
                                "    pack_time: 2\n"
                                "    stock: 3\n"
                                "%s"
                                "    to: out\n"
                                "  - delay: way\n"
                                "    time: 3\n"
                                "    to: %s\n"
                                "  - sink: out\n"
                                "%s";

static void write_orders(void)
{
    FILE *f = fopen(orders_path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fwrite(two_lines_csv, 1, sizeof two_lines_csv - 1, f);
    fclose(f);
}

static void model_text(char *yaml, size_t size, const char *lines, const char *back,
                       const char *extra)
{
    write_orders();
    snprintf(yaml, size, model_fmt, orders_path, lines, back, extra);
}

static struct tsim_sim *lines_sim(const char *extra, struct tsim_model **m)
{
    char yaml[2048];
    model_text(yaml, sizeof yaml, "    lines_to: way\n", "pick", extra);
    return sim_from_text(yaml, "lines.yaml", m);
}

/* The order's times, from its row of the orders table. */
static void check_order(const struct tsim_sim *sim, int pick, double complete, double shipped)
{
    struct tsim__order_row row;
    CHECK_EQ(tsim__picking_orders(sim, pick), 1);
    tsim__picking_order_row(sim, pick, 0, &row);
    CHECK_NEAR(row.release, 0, 0);
    CHECK_NEAR(row.complete, complete, 1e-9);
    CHECK_NEAR(row.shipped, shipped, 1e-9);
}

/* The end of the run with lines_to, in `sim` (the original or its clone). */
static void check_end(struct tsim_sim *sim, int pick, int way, int out)
{
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_EQ(tsim_sim_status(sim), 0);
    CHECK_NEAR(tsim_sim_now(sim), 7.5, 1e-9);
    check_order(sim, pick, 5.5, 7.5);
    CHECK_NEAR(kpi(&r, pick, "orders_shipped"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "units_picked"), 5, 0);
    CHECK_NEAR(kpi(&r, pick, "units_short"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 0.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "on_time"), 1, 0);
    CHECK_NEAR(kpi(&r, pick, "left"), 1, 0); /* the block's own counts are its orders' */
    CHECK_NEAR(kpi(&r, way, "entered"), 2, 0);
    CHECK_NEAR(kpi(&r, out, "entered"), 1, 0);
    CHECK_EQ(sim->live_ents, 0); /* the lines left the system at the pack station */
    tsim_result_release(&r);
}

/* At 4 both lines are on their way: each left at its tour's end (2 and 2.5) carrying its order,
 * its line (named back to the file's O1/1 and O1/2), its product, the units found (2, and 3 of
 * 4) and its order's due time. A clone made then ends as the original: shipped at 7.5, with the
 * same fingerprint. */
static void test_lines_travel(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = lines_sim("", &m);
    if (!sim) return;
    const int pick = tsim_model_find_block(m, "pick"), way = tsim_model_find_block(m, "way");
    const int out = tsim_model_find_block(m, "out");
    tsim_sim_run_until(sim, 4);
    CHECK_EQ(tsim_block_content(sim, way), 2);
    static const double left_at[] = {2, 2.5};
    static const uint64_t units[] = {2, 3};
    int found = 0;
    for (uint32_t e = 0; e < sim->nents; e++) {
        const struct tsim__eorder *eo = tsim__eorder_of(sim, e);
        if (!eo || eo->line == 0) continue; /* the order's own entity */
        int k = (int)eo->line - 1;
        CHECK(k == 0 || k == 1);
        if (k != 0 && k != 1) continue;
        found++;
        CHECK_NEAR(tsim__time(sim, sim->ents[e].t_in), left_at[k], 1e-9);
        CHECK_EQ(sim->ents[e].product, k); /* a, then b */
        CHECK_NEAR(tsim__time(sim, sim->ents[e].due), 10, 1e-9);
        CHECK_EQ(eo->block, (uint32_t)pick);
        CHECK_STR(tsim__picking_order_id(m, pick, eo->order), "O1");
        CHECK_EQ(eo->lines, 1);
        CHECK_EQ(eo->units, units[k]);
        const char *id = NULL;
        CHECK_EQ(tsim__picking_line_of(m, pick, eo->line - 1, &id), k + 1);
        CHECK_STR(id ? id : "", "O1");
    }
    CHECK_EQ(found, 2);
    struct tsim_sim *c = tsim_sim_clone(sim);
    CHECK(c != NULL);
    if (c) check_end(c, pick, way, out);
    check_end(sim, pick, way, out);
    if (c) CHECK_EQ(tsim_sim_fingerprint(c), tsim_sim_fingerprint(sim));
    if (c) tsim_sim_destroy(c);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    /* without lines_to: the same order ships at 2.5 + 2, its lines met in the block (the way
     * then carries a part of a source of its own, at 100) */
    char yaml[2048];
    model_text(yaml, sizeof yaml, "", "out",
               "  - source: feed\n    interarrival: 100\n    limit: 1\n    to: way\n");
    sim = sim_from_text(yaml, "lines.yaml", &m);
    if (!sim) return;
    tsim_sim_run(sim);
    CHECK_EQ(tsim_sim_status(sim), 0);
    check_order(sim, tsim_model_find_block(m, "pick"), 2.5, 4.5);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The way refuses: lines_to is one machine of one server taking 3 a line, with no queue. Line 1
 * takes it at 2 (done at 5); line 2, refused at 2.5, waits in the picking block and leaves when
 * the machine is free at 5 (done at 8): the order is complete at 8 and ships at 10. The lines
 * waiting do not count in the block's content, which is its one order's from 0 to 10. */
static void test_lines_wait_to_leave(void)
{
    char yaml[2048];
    write_orders();
    snprintf(yaml, sizeof yaml,
             "name: lines\nproducts: [a, b]\nblocks:\n"
             "  - picking: pick\n    orders_file: %s\n    pickers: 2\n    pick_line: 1\n"
             "    pick_unit: 0.5\n    pack_time: 2\n    stock: 3\n    lines_to: carry\n"
             "    to: out\n"
             "  - machine: carry\n    process: 3\n    to: pick\n"
             "  - sink: out\n",
             orders_path);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(yaml, "lines.yaml", &m);
    if (!sim) return;
    const int pick = tsim_model_find_block(m, "pick"), carry = tsim_model_find_block(m, "carry");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_EQ(tsim_sim_status(sim), 0);
    check_order(sim, pick, 8, 10);
    CHECK_NEAR(kpi(&r, carry, "entered"), 2, 0);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 3, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "content"), 1, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The lines ride a belt back to the pack station: non-accumulating, 6 long at speed 2, spacing
 * 0.5, so never blocked (the block takes its lines at once) and each line's ride is exactly
 * 6 / 2 = 3, the delay's time in test_lines_travel. Line 1 enters at 2 and is in at 5; line 2
 * enters at 2.5 (the entry clear since 2.25, when line 1 had moved 0.5) and is in at 5.5; the
 * order is complete at 5.5 and shipped at 7.5, as over the delay. */
static void test_lines_ride_a_belt(void)
{
    char yaml[2048];
    write_orders();
    snprintf(yaml, sizeof yaml,
             "name: lines\nproducts: [a, b]\nblocks:\n"
             "  - picking: pick\n    orders_file: %s\n    pickers: 2\n    pick_line: 1\n"
             "    pick_unit: 0.5\n    pack_time: 2\n    stock: 3\n    lines_to: belt\n"
             "    to: out\n"
             "  - conveyor: belt\n    length: 6\n    speed: 2\n    spacing: 0.5\n"
             "    accumulating: false\n    to: pick\n"
             "  - sink: out\n",
             orders_path);
    struct tsim_model *m;
    struct tsim_sim *sim = sim_from_text(yaml, "lines.yaml", &m);
    if (!sim) return;
    const int pick = tsim_model_find_block(m, "pick"), belt = tsim_model_find_block(m, "belt");
    struct tsim_result r;
    run_to_end(sim, &r);
    CHECK_EQ(tsim_sim_status(sim), 0);
    CHECK_NEAR(tsim_sim_now(sim), 7.5, 1e-9);
    check_order(sim, pick, 5.5, 7.5);
    CHECK_NEAR(kpi(&r, belt, "entered"), 2, 0);
    CHECK_NEAR(kpi(&r, belt, "transit_time"), 3, 1e-9);
    CHECK_NEAR(kpi(&r, belt, "blocked_share"), 0, 0);
    CHECK_NEAR(kpi(&r, pick, "consolidation_wait"), 0.5, 1e-9);
    CHECK_NEAR(kpi(&r, pick, "lines_picked"), 2, 0);
    CHECK_EQ(sim->live_ents, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void expect_stopped(const struct tsim_sim *sim, const char *want)
{
    CHECK_EQ(tsim_sim_status(sim), TSIM_ESTATE);
    const char *e = tsim_sim_error(sim);
    CHECK_STR(e ? e : "", want);
}

/* An entity of a source sent into the picking block along a route, and one put in from outside
 * the flow, are refused: the run stops, naming the sender. */
static void test_lines_foreign_refused(void)
{
    struct tsim_model *m;
    struct tsim_sim *sim = lines_sim("  - source: stray\n"
                                     "    interarrival: 1\n"
                                     "    limit: 1\n"
                                     "    product: b\n"
                                     "    to: pick\n",
                                     &m);
    if (!sim) return;
    tsim_sim_run(sim);
    expect_stopped(sim, "picking 'pick' was sent an entity of product 'b' by 'stray' at 1 min, but "
                        "it takes back only its own order lines (those it sends along "
                        "'lines_to')");
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);

    if (!(sim = lines_sim("", &m))) return;
    tsim_sim_run_until(sim, 1);
    tsim_block_inject(sim, tsim_model_find_block(m, "pick"), 0, 1);
    expect_stopped(sim, "picking 'pick' was sent an entity of product 'a' from outside the flow "
                        "at 1 min, but it takes back only its own order lines (those it sends "
                        "along 'lines_to')");
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Load-time checks, each at its line and column: a way that does not lead back, a route into a
 * picking block without lines_to, an unknown block (did you mean), and lines_to with a crane. */
static void test_lines_to_checks(void)
{
    char yaml[2048], diag[1024];
    model_text(yaml, sizeof yaml, "    lines_to: out\n", "out", "");
    model_first_error(yaml, "lines.yaml", diag, sizeof diag);
    CHECK_STR(diag, "lines.yaml:11:15: error: 'lines_to' of picking 'pick' leads to 'out', from "
                    "which no route comes back to 'pick' (its lines must come back to it, to its "
                    "pack station)");
    /* the only diagnostic: the way's route into the block, and the way, are not reported too */
    model_text(yaml, sizeof yaml, "    lines_to: wayy\n", "pick", "");
    struct tsim_model *m = model_from_text(yaml, "lines.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    if (m) tsim_model_destroy(m);
    CHECK_STR(diag, "lines.yaml:11:15: error: route to undefined block 'wayy' (did you mean "
                    "'way'?)\n");
    model_text(yaml, sizeof yaml, "", "pick", "");
    model_first_error(yaml, "lines.yaml", diag, sizeof diag);
    CHECK_STR(diag, "lines.yaml:14:9: error: route into picking 'pick' (it takes no entities)");
    snprintf(yaml, sizeof yaml,
             "name: lines\nproducts: [a, b]\nblocks:\n"
             "  - picking: pick\n    orders_file: %s\n    picked_by: rack\n"
             "    lines_to: pick\n    to: out\n"
             "  - storage: rack\n    bays: 2\n    levels: 1\n    initial: full\n"
             "    speed_x: 1\n    speed_y: 1\n    to: out\n"
             "  - sink: out\n",
             orders_path);
    model_first_error(yaml, "lines.yaml", diag, sizeof diag);
    CHECK_STR(diag, "lines.yaml:7:5: error: picking 'pick' has 'lines_to' and 'picked_by': a "
                    "crane's lines are picked at its I/O point, beside the pack station (give "
                    "one of the two)");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/twinsim_lines_XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(orders_path, sizeof orders_path, "%s/orders.csv", tmpdir);
    RUN(test_lines_travel);
    RUN(test_lines_wait_to_leave);
    RUN(test_lines_ride_a_belt);
    RUN(test_lines_foreign_refused);
    RUN(test_lines_to_checks);
    unlink(orders_path);
    rmdir(tmpdir);
    return check_total_failed_ ? 1 : 0;
}
