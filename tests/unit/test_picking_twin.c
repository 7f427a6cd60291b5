/*
 * A picking block in the live twin (src/blocks/picking.h, the `order_release` and `pick_done`
 * kinds): every fault with its reason and text, and a run whose every release, pick and shipment
 * is computed by hand: an order released before its time with the one before it, a line the
 * plant picked before any picker took it, a line picked while on a picker's tour, a line the sim
 * had picked before the plant said so, and reports repeated; and reports of what the sim did at
 * that very instant, taken as agreement.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"
#include "blocks/picking.h"
#include "blocks/storage.h"
#include "wms_fixture.h"

static const char lines_csv[] = "order,line,product,quantity,release,due\n"
                                "O1,1,A,1,10,\n"
                                "O1,2,B,2,10,\n"
                                "O2,1,A,1,20,\n"
                                "O3,1,B,1,30,\n";
/* One picker, a line a tour, 2 min a line; one packer, 1 min an order. `gen` draws its orders. */
static const char pick_yaml[] = "name: pick\ntime_unit: min\nproducts: [A, B]\nblocks:\n"
                                "  - picking: pick\n    orders_file: %s\n    pick_line: 2\n"
                                "    pack_time: 1\n    to: out\n"
                                "  - picking: gen\n    order_interarrival: 1000\n"
                                "    order_limit: 1\n    to: out\n"
                                "  - sink: out\n";
static const char pick_mapping[] = "time: {field: ts, unit: s, origin: 0, ahead: 2h}\n"
                                   "id: seq\n"
                                   "events:\n"
                                   "  - topic: wms/release\n"
                                   "    kind: order_release\n"
                                   "    fields: {block: area}\n"
                                   "  - topic: wms/picks\n"
                                   "    kind: pick_done\n"
                                   "    fields: {block: area}\n";

static void test_pick_faults(void)
{
    struct wms_case c;
    if (wms_open(&c, lines_csv, pick_yaml, pick_mapping) != 0) return;
    char err[256];
    static const struct wms_fault faults[] = {
        {"wms/release", "\"area\": \"pick\"", TSIM__D_FIELD, "missing field 'order'"},
        {"wms/release", "\"area\": \"out\", \"order\": \"O1\"",
         TSIM__D_VALUE, "block 'out' (a 'sink' block) has no order lines: only picking blocks do"},
        {"wms/release", "\"area\": \"gen\", \"order\": \"O1\"",
         TSIM__D_VALUE, "picking 'gen' draws its orders, which have no ids"},
        {"wms/release", "\"area\": \"pick\", \"order\": \"O9\"",
         TSIM__D_VALUE, "picking 'pick' has no order 'O9'"},
        {"wms/release", "\"area\": \"pick\", \"order\": [1]",
         TSIM__D_VALUE, "bad order id in field 'order'"},
        {"wms/picks", "\"area\": \"pick\", \"order\": \"O1\"",
         TSIM__D_FIELD, "missing field 'line'"},
        {"wms/picks", "\"area\": \"pick\", \"order\": \"O1\", \"line\": 0",
         TSIM__D_VALUE, "bad line in field 'line' (a line number from 1)"},
        {"wms/picks", "\"area\": \"pick\", \"order\": \"O1\", \"line\": \"2\"",
         TSIM__D_VALUE, "bad line in field 'line' (a line number from 1)"},
        {"wms/picks", "\"area\": \"pick\", \"order\": \"O1\", \"line\": 3",
         TSIM__D_VALUE, "order 'O1' of picking 'pick' has no line 3"},
    };
    wms_faults(&c.in, faults, sizeof faults / sizeof *faults);
    CHECK(c.in.received == 9 && c.in.dropped[TSIM__D_FIELD] == 2 &&
          c.in.dropped[TSIM__D_VALUE] == 7);
    struct tsim__tev ev;
    const char *good = "{\"ts\": 60, \"seq\": 99, \"area\": \"pick\", \"order\": \"O1\", "
                       "\"line\": 2}";
    CHECK(tsim__ingest_decode(&c.in, "wms/picks", good, strlen(good), &ev, err, sizeof err) ==
          TSIM__OK);
    CHECK(ev.kind == TSIM__TEV_PICK && ev.block == 0 && strcmp(ev.order, "O1") == 0 &&
          ev.line == 2);
    wms_close(&c);
}

/* By hand (minutes):
 *   5    O2 released (its time is 20): O1 (10) with it. The picker takes O1 line 1, 5..7.
 *   6    O2 line 1 reported picked: O2 is complete, packed 6..7, shipped at 7.
 *   6.5  O1 line 1 (on the picker's tour) reported picked: at the pack station now. The tour
 *        had nothing else to do, so it ends now (not at 7), without counting that line again.
 *   6.5  O1 line 2, 6.5..8.5: O1 complete at 8.5, packed 8.5..9.5, shipped at 9.5. O2 line 1
 *        is skipped: a tour of no work at 8.5.
 *   7    O2 shipped.
 *   12   O1 line 2 reported picked: the sim picked it at 8.5 (unresolved).
 *   12.5 the same again: dropped, reported already. 13: O1 released again: dropped.
 *   30   O3 comes at its own time: picked 30..32, packed, shipped at 33. */
static void test_pick_by_hand(void)
{
    struct wms_case c;
    if (wms_open(&c, lines_csv, pick_yaml, pick_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    int out = tsim_model_find_block(c.m, "out");
    char err[256] = "";
    CHECK(wms_msg(&c.in, lv, "wms/release", 5, "\"area\": \"pick\", \"order\": \"O2\"", err,
                  sizeof err) == TSIM__OK);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 6, "\"area\": \"pick\", \"order\": \"O2\", \"line\": 1",
                  err, sizeof err) == TSIM__OK);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 6.5, "\"area\": \"pick\", \"order\": \"O1\", \"line\": 1",
                  err, sizeof err) == TSIM__OK);
    tsim__live_advance(lv, 6.9);
    CHECK(tsim_block_entered(lv->sim, out) == 0);
    tsim__live_advance(lv, 7);
    CHECK(tsim_block_entered(lv->sim, out) == 1);
    tsim__live_advance(lv, 9.4);
    CHECK(tsim_block_entered(lv->sim, out) == 1);
    tsim__live_advance(lv, 9.5);
    CHECK(tsim_block_entered(lv->sim, out) == 2);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 12, "\"area\": \"pick\", \"order\": \"O1\", \"line\": 2",
                  err, sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 1);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 12.5,
                  "\"area\": \"pick\", \"order\": \"O1\", \"line\": 2", err,
                  sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "line 2 of order 'O1' of picking 'pick' was reported picked already");
    CHECK(wms_msg(&c.in, lv, "wms/release", 13, "\"area\": \"pick\", \"order\": \"O1\"", err,
                  sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "order 'O1' of picking 'pick' was released already, at 5");
    tsim__live_advance(lv, 32.9);
    CHECK(tsim_block_entered(lv->sim, out) == 2);
    tsim__live_advance(lv, 40);
    CHECK(tsim_block_entered(lv->sim, out) == 3);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(lv->sim, &r);
    const struct tsim_kpi *k = tsim_result_find(&r, 0, "lines_picked");
    CHECK(k && k->value == 4); /* each line once, whoever reported it */
    k = tsim_result_find(&r, 0, "units_picked");
    CHECK(k && k->value == 5);
    k = tsim_result_find(&r, 0, "orders_shipped");
    CHECK(k && k->value == 3);
    tsim_result_release(&r);
    tsim__live_destroy(lv);
    wms_close(&c);
}

/* The plant agreeing with the sim (minutes; no report before 30): the sim releases O3 at its
 * time, 30, and picks it 30..32 (O1 10..14, O2 20..22 before it). A release of O3 at 30 and a
 * pick of its line at 32 are what the sim did at those instants: applied, nothing unresolved;
 * the release again at 31 is dropped (released already, at 30). Each line is counted once. */
static void test_pick_agreement(void)
{
    struct wms_case c;
    if (wms_open(&c, lines_csv, pick_yaml, pick_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    char err[256] = "";
    tsim__live_advance(lv, 30);
    CHECK(wms_msg(&c.in, lv, "wms/release", 30, "\"area\": \"pick\", \"order\": \"O3\"", err,
                  sizeof err) == TSIM__OK);
    CHECK(wms_msg(&c.in, lv, "wms/release", 31, "\"area\": \"pick\", \"order\": \"O3\"", err,
                  sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "order 'O3' of picking 'pick' was released already, at 30");
    tsim__live_advance(lv, 32);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 32, "\"area\": \"pick\", \"order\": \"O3\", \"line\": 1",
                  err, sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 0);
    tsim__live_advance(lv, 40);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(lv->sim, &r);
    const struct tsim_kpi *k = tsim_result_find(&r, 0, "lines_picked");
    CHECK(k && k->value == 4);
    k = tsim_result_find(&r, 0, "orders_shipped");
    CHECK(k && k->value == 3);
    tsim_result_release(&r);
    tsim__live_destroy(lv);
    wms_close(&c);
}

static const char crane_csv[] = "order,line,product,quantity,release,due\n"
                                "O1,1,A,1,10,\n"
                                "O1,2,B,1,10,\n"
                                "O2,1,A,2,20,\n";
/* The storage `rack`: one aisle of 4 bays, full at 0 (A, B, A, B, slot k's centre k + 1/2 from
 * I/O), its crane's speed 1, 0.5 to take a load on and 0.5 to set it down; and the sink `out`. */
#define CRANE_RACK                                                                                 \
    "  - storage: rack\n    bays: 4\n    levels: 1\n    initial: full\n    speed_x: 1\n"           \
    "    speed_y: 1\n    pick_time: 0.5\n    drop_time: 0.5\n    to: out\n  - sink: out\n"
/* Lines brought by the crane of CRANE_RACK; a line is picked at I/O in 1, an order packed in 1. */
static const char crane_yaml[] = "name: crane\ntime_unit: min\nproducts: [A, B]\nblocks:\n"
                                 "  - picking: pick\n    orders_file: %s\n    picked_by: rack\n"
                                 "    pick_line: 1\n    pack_time: 1\n    to: out\n" CRANE_RACK;

/* A KPI a run ends with, computed by hand: block `block`'s `kpi` is `value`. */
struct kpi_want {
    const char *block, *kpi;
    double value;
};

/* Each KPI of want[0..n) in the result of `sim`, exactly; those that differ are named. */
static void check_kpis(struct tsim_sim *sim, const struct kpi_want *want, size_t n)
{
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    for (size_t i = 0; i < n; i++) {
        int b = tsim_model_find_block(tsim_sim_model(sim), want[i].block);
        const struct tsim_kpi *k = tsim_result_find(&r, b, want[i].kpi);
        CHECK(k && k->value == want[i].value);
        if (!k || k->value != want[i].value)
            fprintf(stderr, "  %s of %s: %g\n", want[i].kpi, want[i].block, k ? k->value : NAN);
    }
    tsim_result_release(&r);
}

/* The plant reports lines the crane was asked for (minutes):
 *   10   O1 released: line 1 (A) asks and the crane sets off for slot 0 at once (at I/O at 12);
 *        line 2 (B) asks and waits in the crane's queue.
 *   11   O1 line 2 reported picked: its request is withdrawn (the crane never fetches that B,
 *        which stays in stock); the line is at the pack station.
 *   11.5 O1 line 1 reported picked while the crane is on its way: O1 is complete, packed
 *        11.5..12.5. The crane goes on; the load it drops at 12 is not picked and leaves.
 *   20   O2 (A x 2), the sim's own: slot 2, at I/O at 26, picked by 27, shipped at 28.
 *   30   O2 line 1 reported picked: the sim had picked it at 27 (unresolved).
 * Without the withdrawal the crane would fetch O1's B after 12 (at I/O at 16). */
static void test_pick_crane(void)
{
    struct wms_case c;
    if (wms_open(&c, crane_csv, crane_yaml, pick_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    int rack = tsim_model_find_block(c.m, "rack");
    int out = tsim_model_find_block(c.m, "out");
    char err[256] = "";
    tsim__live_advance(lv, 10.5);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 11, "\"area\": \"pick\", \"order\": \"O1\", \"line\": 2",
                  err, sizeof err) == TSIM__OK);
    CHECK(tsim__storage_stock(lv->sim, rack, 1) == 2); /* both B loads */
    CHECK(wms_msg(&c.in, lv, "wms/picks", 11.5,
                  "\"area\": \"pick\", \"order\": \"O1\", \"line\": 1", err,
                  sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 0);
    tsim__live_advance(lv, 11.9);
    CHECK(tsim_block_entered(lv->sim, out) == 0);
    tsim__live_advance(lv, 12);
    CHECK(tsim_block_entered(lv->sim, out) == 1); /* the A load, unused */
    tsim__live_advance(lv, 12.5);
    CHECK(tsim_block_entered(lv->sim, out) == 2); /* O1 */
    tsim__live_advance(lv, 19);
    CHECK(tsim_block_entered(lv->sim, out) == 2); /* no B fetched */
    tsim__live_advance(lv, 27.9);
    CHECK(tsim_block_entered(lv->sim, out) == 3); /* O2's load at 26 */
    tsim__live_advance(lv, 28);
    CHECK(tsim_block_entered(lv->sim, out) == 4);
    CHECK(wms_msg(&c.in, lv, "wms/picks", 30, "\"area\": \"pick\", \"order\": \"O2\", \"line\": 1",
                  err, sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 1);
    tsim__live_advance(lv, 40);
    CHECK(tsim__storage_stock(lv->sim, rack, 0) == 0);
    CHECK(tsim__storage_stock(lv->sim, rack, 1) == 2);
    static const struct kpi_want want[] = {
        {"rack", "retrievals", 2},     {"pick", "lines_picked", 3},
        {"pick", "units_picked", 4},   {"pick", "orders_shipped", 2},
        {"pick", "cycle_time", (12.5 - 10 + 28 - 20) / 2}};
    check_kpis(lv->sim, want, sizeof want / sizeof *want);
    tsim__live_destroy(lv);
    wms_close(&c);
}

static const char wake_csv[] = "order,line,product,quantity,release,due\n"
                               "O1,1,A,1,10,\n"
                               "O1,2,A,1,10,\n";
/* Two picking blocks share CRANE_RACK:
 * `pick`'s lines are brought by its crane, `walk`'s crew takes its line (1 A, drawn at 10.5)
 * from its stock, and waits for stock when it finds too few; 0.5 a line, no walking. */
static const char wake_yaml[] = "name: wake\ntime_unit: min\nproducts: [A, B]\nblocks:\n"
                                "  - picking: pick\n    orders_file: %s\n    picked_by: rack\n"
                                "    pick_line: 1\n    pack_time: 1\n    to: out\n"
                                "  - picking: walk\n    order_interarrival: 10.5\n"
                                "    order_limit: 1\n    product: A\n    pick_line: 0.5\n"
                                "    pick_from: rack\n    stockout: wait\n    to: out\n" CRANE_RACK;

/* A crane request withdrawn gives its claim back to a line waiting for stock (minutes):
 *   10   O1 released: line 1 asks the crane, which sets off for slot 0's A (at I/O at 12);
 *        line 2 asks and waits in the queue, claiming the other A (slot 2).
 *   10.5 walk's line finds no A a picker may take (the one stored is claimed): none taken, a
 *        stock-out of the rack; its tour (0.5) ends at 11 and it waits for stock from then.
 *   11.5 O1 line 2 reported picked: its request is withdrawn, slot 2's A is a picker's again,
 *        and the waiting line is ready at once (stock_wait 0.5): it takes that A, 11.5..12,
 *        and walk's order ships at 12 (cycle time 1.5).
 *   12   the crane drops line 1's load (it leaves to out); line 1 picked 12..13, O1 packed
 *        13..14. The run ends at 14.
 * Without the wake the line would wait on: no A is ever put away. */
static void test_pick_withdraw_wakes(void)
{
    struct wms_case c;
    if (wms_open(&c, wake_csv, wake_yaml, pick_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    int rack = tsim_model_find_block(c.m, "rack");
    int out = tsim_model_find_block(c.m, "out");
    char err[256] = "";
    tsim__live_advance(lv, 11.4);
    CHECK(tsim__storage_stock(lv->sim, rack, 0) == 1); /* slot 2's A, claimed */
    CHECK(wms_msg(&c.in, lv, "wms/picks", 11.5,
                  "\"area\": \"pick\", \"order\": \"O1\", \"line\": 2", err,
                  sizeof err) == TSIM__OK);
    tsim__live_advance(lv, 11.6);
    CHECK(tsim__storage_stock(lv->sim, rack, 0) == 0); /* taken by walk's line at 11.5 */
    tsim__live_advance(lv, 11.9);
    CHECK(tsim_block_entered(lv->sim, out) == 0);
    tsim__live_advance(lv, 12);
    CHECK(tsim_block_entered(lv->sim, out) == 2); /* walk's order and the crane's load */
    tsim__live_advance(lv, 20);
    CHECK(tsim_block_entered(lv->sim, out) == 3); /* O1, at 14 */
    static const struct kpi_want want[] = {
        {"rack", "stockouts", 1},      {"rack", "retrievals", 2},     {"walk", "lines_waited", 1},
        {"walk", "stock_wait", 0.5},   {"walk", "orders_shipped", 1}, {"walk", "cycle_time", 1.5},
        {"walk", "units_short", 0}};
    check_kpis(lv->sim, want, sizeof want / sizeof *want);
    tsim__live_destroy(lv);
    wms_close(&c);
}

/* The same run without the twin: a clone made at 11.2, while walk's line waits, and the sim it
 * was made from each have O1 line 2 reported picked at 11.5, and end alike: at 14, with the
 * same fingerprint and the line's wait of 0.5. */
static void test_pick_withdraw_clone(void)
{
    struct tsim_model *m = wms_model(wake_csv, wake_yaml);
    if (!m) return;
    int pick = tsim_model_find_block(m, "pick"), walk = tsim_model_find_block(m, "walk");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 11.2);
    struct tsim_sim *clone = tsim_sim_clone(sim);
    CHECK(clone != NULL);
    if (!clone) {
        tsim_sim_destroy(sim);
        tsim_model_destroy(m);
        return;
    }
    struct tsim_sim *both[2] = {sim, clone};
    char err[256] = "";
    for (int i = 0; i < 2; i++) {
        tsim_sim_run_until(both[i], 11.5);
        CHECK(tsim__picking_pick(both[i], pick, "O1", 2, err, sizeof err) == 0);
        tsim_sim_run(both[i]);
        CHECK(tsim_sim_now(both[i]) == 14);
    }
    CHECK(tsim_sim_fingerprint(sim) == tsim_sim_fingerprint(clone));
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(clone, &r);
    const struct tsim_kpi *k = tsim_result_find(&r, walk, "stock_wait");
    CHECK(k && k->value == 0.5);
    tsim_result_release(&r);
    tsim_sim_destroy(clone);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    if (wms_begin() != 0) return 1;
    RUN(test_pick_faults);
    RUN(test_pick_by_hand);
    RUN(test_pick_agreement);
    RUN(test_pick_crane);
    RUN(test_pick_withdraw_wakes);
    RUN(test_pick_withdraw_clone);
    wms_end();
    return CHECK_DONE();
}

#else

int main(void)
{
    printf("PASS test_picking_twin_not_built (no MQTT support in this build: twin unit tests not "
           "run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
