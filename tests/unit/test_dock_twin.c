/*
 * A dock in the live twin (src/blocks/dock.h, the `truck_arrival` kind): a truck of the
 * appointments the plant reports early is marked come and not brought again by the file, an
 * unknown truck is added, a door the sim holds busy is a difference counted, each truck's record
 * (came, door, left, loaded, full, late) computed by hand; a report of what the sim did at that
 * very instant taken as agreement; an added truck's planned departure; a forecast from a known state in
 * which one truck certainly leaves full and on time and one certainly cannot fill; and one that
 * follows a thousand trucks the plant added.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"
#include "blocks/dock.h"
#include "wms_fixture.h"

/* Door 1 serves inbound trucks only, door 2 both; a pallet takes 1 min either way. */
static const char dc_yaml[] = "name: dc\ntime_unit: min\nblocks:\n"
                              "  - dock: dock\n    doors: 2\n    inbound_doors: 1\n"
                              "    appointments_file: %s\n    unload: 1\n    load: 1\n"
                              "    to: gone\n"
                              "  - sink: gone\n";
static const char dc_trucks[] = "truck,arrival,pallets,direction,departure\n"
                                "IN1,10,4,inbound,\n"
                                "OUT1,30,2,outbound,60\n";
static const char dc_mapping[] = "time: {field: ts, unit: s, origin: 0, ahead: 2h}\n"
                                 "id: seq\n"
                                 "events:\n"
                                 "  - topic: wms/trucks\n"
                                 "    kind: truck_arrival\n"
                                 "    fields: {block: dock, truck: id, pallets: qty}\n";

/* A message on the trucks' topic at minute `min`. */
static enum tsim__drop truck_msg(struct tsim__ingest *in, struct tsim__live *lv, double min,
                                 const char *rest, char *err, size_t errlen)
{
    return wms_msg(in, lv, "wms/trucks", min, rest, err, errlen);
}

/* Every fault of a truck arrival, with its reason and text. */
static void test_truck_faults(void)
{
    struct wms_case c;
    if (wms_open(&c, dc_trucks, dc_yaml, dc_mapping) != 0) return;
    char err[256];
    static const struct wms_fault faults[] = {
        {"wms/trucks", "\"dock\": \"dock\", \"direction\": \"inbound\", \"qty\": 3",
         TSIM__D_FIELD, "missing field 'id'"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"T\", \"qty\": 3",
         TSIM__D_FIELD, "missing field 'direction'"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\"",
         TSIM__D_FIELD, "missing field 'qty'"},
        {"wms/trucks", "\"dock\": \"dok\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 3",
         TSIM__D_VALUE, "unknown block 'dok'"},
        {"wms/trucks", "\"dock\": \"gone\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 3",
         TSIM__D_VALUE, "block 'gone' (a 'sink' block) has no trucks: only docks do"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"\", \"direction\": \"inbound\", \"qty\": 3",
         TSIM__D_VALUE, "bad truck id in field 'id'"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"sideways\", \"qty\": 3",
         TSIM__D_VALUE, "bad direction in field 'direction' ('inbound' or 'outbound')"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": -2",
         TSIM__D_VALUE, "bad pallets in field 'qty' (a whole number from 1 to 1000000)"},
        {"wms/trucks", "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 0",
         TSIM__D_VALUE, "bad pallets in field 'qty' (a whole number from 1 to 1000000)"},
        {"wms/trucks",
         "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 2.5",
         TSIM__D_VALUE, "bad pallets in field 'qty' (a whole number from 1 to 1000000)"},
        {"wms/trucks",
         "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 3, \"door\": 0",
         TSIM__D_VALUE, "bad door in field 'door' (a door number from 1)"},
        {"wms/trucks",
         "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"inbound\", \"qty\": 3, \"door\": 3",
         TSIM__D_VALUE, "dock 'dock' has no door 3 (its doors are 1 to 2)"},
        {"wms/trucks",
         "\"dock\": \"dock\", \"id\": \"T\", \"direction\": \"outbound\", \"qty\": 3, \"door\": 1",
         TSIM__D_VALUE, "door 1 of dock 'dock' serves only inbound trucks"},
        {"wms/trucks",
         "\"dock\": \"dock\", \"id\": \"IN1\", \"direction\": \"outbound\", \"qty\": 3",
         TSIM__D_VALUE, "truck 'IN1' is inbound in the appointments of dock 'dock', not outbound"},
    };
    wms_faults(&c.in, faults, sizeof faults / sizeof *faults);
    CHECK(c.in.received == 14 && c.in.dropped[TSIM__D_FIELD] == 3 &&
          c.in.dropped[TSIM__D_VALUE] == 11);
    struct tsim__tev ev;
    const char *good = "{\"ts\": 60, \"seq\": 99, \"dock\": \"dock\", \"id\": 17, "
                       "\"direction\": \"outbound\", \"qty\": 3, \"door\": 2}";
    CHECK(tsim__ingest_decode(&c.in, "wms/trucks", good, strlen(good), &ev, err, sizeof err) ==
          TSIM__OK);
    CHECK(ev.kind == TSIM__TEV_TRUCK && ev.block == 0 && strcmp(ev.truck, "17") == 0 &&
          ev.outbound == 1 && ev.quantity == 3 && ev.door == 1);
    wms_close(&c);
}

static void record(struct tsim__live *lv, int k, struct tsim__dock_truck *x)
{
    tsim__dock_truck(lv->sim, 0, k, x);
}

/* By hand (minutes; a pallet 1 min at either door):
 *   5  IN1 (due at 10 by the file) comes early with 3 pallets to door 2: unloaded 5..8.
 *   10 the file's IN1 does not come again.
 *   25 X9 (unknown, outbound, 2 pallets) comes, no door said: door 2, loaded 25..27.
 *   26 Y1 (unknown, inbound, 1 pallet) comes to door 2, busy in the sim with X9: it takes
 *      door 1 instead (unresolved), unloaded 26..27.
 *   28 IN1 comes again: dropped, it came already.
 *   30 the file's OUT1 (2 pallets, latest departure 60) comes: door 2, loaded 30..32, full and
 *      on time. */
static void test_truck_arrivals(void)
{
    struct wms_case c;
    if (wms_open(&c, dc_trucks, dc_yaml, dc_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    char err[256] = "";
    CHECK(tsim__dock_trucks(lv->sim, 0) == 2);
    CHECK(truck_msg(&c.in, lv, 5,
                    "\"dock\": \"dock\", \"id\": \"IN1\", \"direction\": \"inbound\", "
                    "\"qty\": 3, \"door\": 2",
                    err, sizeof err) == TSIM__OK);
    struct tsim__dock_truck x;
    record(lv, 0, &x);
    CHECK(strcmp(x.id, "IN1") == 0 && x.where == TSIM__TRUCK_DOOR && x.arrive == 5 &&
          x.start == 5 && x.depart < 0 && x.planned == 4 && x.pallets == 3);
    tsim__live_advance(lv, 20);
    record(lv, 0, &x);
    CHECK(x.where == TSIM__TRUCK_GONE && x.depart == 8 && x.loaded == 3 && x.full && !x.late);
    CHECK(tsim_block_entered(lv->sim, 1) == 3); /* not 3 + 4: the file's IN1 came no more */
    CHECK(truck_msg(&c.in, lv, 25,
                    "\"dock\": \"dock\", \"id\": \"X9\", \"direction\": \"outbound\", "
                    "\"qty\": 2",
                    err, sizeof err) == TSIM__OK);
    CHECK(truck_msg(&c.in, lv, 26,
                    "\"dock\": \"dock\", \"id\": \"Y1\", \"direction\": \"inbound\", "
                    "\"qty\": 1, \"door\": 2",
                    err, sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 1);
    CHECK(truck_msg(&c.in, lv, 28,
                    "\"dock\": \"dock\", \"id\": \"IN1\", \"direction\": \"inbound\", "
                    "\"qty\": 3",
                    err, sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "truck 'IN1' came to dock 'dock' already, at 5");
    tsim__live_advance(lv, 40);
    CHECK(tsim__dock_trucks(lv->sim, 0) == 4);
    record(lv, 1, &x);
    CHECK(strcmp(x.id, "OUT1") == 0 && x.arrive == 30 && x.start == 30 && x.depart == 32 &&
          x.due_out == 60 && x.loaded == 2 && x.full && !x.late);
    record(lv, 2, &x);
    CHECK(strcmp(x.id, "X9") == 0 && x.outbound && x.arrive == 25 && x.start == 25 &&
          x.depart == 27 && x.due_out < 0 && x.planned == 2 && x.full && !x.late);
    record(lv, 3, &x);
    CHECK(strcmp(x.id, "Y1") == 0 && !x.outbound && x.start == 26 && x.depart == 27);
    CHECK(tsim_block_entered(lv->sim, 1) == 4);
    tsim__live_destroy(lv);
    wms_close(&c);
}

/* The plant agreeing with the sim, and a planned departure for an added truck (minutes):
 *   30 the sim brings the file's OUT1 (door 2, loaded 30..32); the plant's report of OUT1 at 30
 *      is agreement (applied, nothing changed, nothing unresolved); at 31 it came already.
 *   40 Z1 (added, outbound, 3 pallets, latest departure 42: 2,520 s) loads 40..43 at door 2 and
 *      leaves late; 50 Z2 (1 pallet, departure 60) loads 50..51, on time. A departure that is
 *      not a time is dropped. */
static void test_truck_agreement_and_depart(void)
{
    struct wms_case c;
    if (wms_open(&c, dc_trucks, dc_yaml, dc_mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    char err[256] = "";
    tsim__live_advance(lv, 30);
    CHECK(truck_msg(&c.in, lv, 30,
                    "\"dock\": \"dock\", \"id\": \"OUT1\", \"direction\": \"outbound\", "
                    "\"qty\": 2",
                    err, sizeof err) == TSIM__OK);
    CHECK(lv->recon.unresolved == 0);
    CHECK(truck_msg(&c.in, lv, 31,
                    "\"dock\": \"dock\", \"id\": \"OUT1\", \"direction\": \"outbound\", "
                    "\"qty\": 2",
                    err, sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "truck 'OUT1' came to dock 'dock' already, at 30");
    CHECK(truck_msg(&c.in, lv, 40,
                    "\"dock\": \"dock\", \"id\": \"Z1\", \"direction\": \"outbound\", "
                    "\"qty\": 3, \"depart\": 2520",
                    err, sizeof err) == TSIM__OK);
    CHECK(truck_msg(&c.in, lv, 50,
                    "\"dock\": \"dock\", \"id\": \"Z2\", \"direction\": \"outbound\", "
                    "\"qty\": 1, \"depart\": 3600",
                    err, sizeof err) == TSIM__OK);
    CHECK(truck_msg(&c.in, lv, 52,
                    "\"dock\": \"dock\", \"id\": \"Z3\", \"direction\": \"outbound\", "
                    "\"qty\": 1, \"depart\": \"soon\"",
                    err, sizeof err) == TSIM__D_VALUE);
    CHECK_STR(err, "bad departure time in field 'depart'");
    tsim__live_advance(lv, 70);
    struct tsim__dock_truck x;
    record(lv, 1, &x);
    CHECK(strcmp(x.id, "OUT1") == 0 && x.arrive == 30 && x.start == 30 && x.depart == 32 &&
          x.full && !x.late);
    record(lv, 2, &x);
    CHECK(strcmp(x.id, "Z1") == 0 && x.due_out == 42 && x.start == 40 && x.depart == 43 &&
          x.full && x.late);
    record(lv, 3, &x);
    CHECK(strcmp(x.id, "Z2") == 0 && x.due_out == 60 && x.depart == 51 && x.full && !x.late);
    CHECK(tsim__dock_trucks(lv->sim, 0) == 4);
    tsim__live_destroy(lv);
    wms_close(&c);
}

/* Orders come every uniform(0.5, 1.5) min and load in no time; each truck has a door of its
 * own, and an order goes to the first door loading. GONE (1 pallet) takes the first order and
 * has left by 1.5. FULL (2 pallets, departure 10) takes the next two, the second by 4.5 at the
 * latest: it leaves full by 4.5, on time in every replication. SHORT (50 pallets, departure 20)
 * gets the rest: at most 40 orders come by 20, so it leaves at 20 exactly, on time, never full.
 * (With a load time, an order being loaded at 20 would make it leave late.) */
static const char ship_yaml[] = "name: ship\ntime_unit: min\nblocks:\n"
                                "  - source: orders\n    interarrival: uniform(0.5, 1.5)\n"
                                "    to: dock\n"
                                "  - dock: dock\n    doors: 3\n    appointments_file: %s\n"
                                "    loads: orders\n    to: gone\n"
                                "  - sink: gone\n";
static const char ship_trucks[] = "truck,arrival,pallets,direction,departure\n"
                                  "GONE,0,1,outbound,5\n"
                                  "FULL,0,2,outbound,10\n"
                                  "SHORT,0,50,outbound,20\n";

static void test_truck_forecast(void)
{
    char mapping[512];
    snprintf(mapping, sizeof mapping, "%s%s", dc_mapping,
             "forecast: {replications: 20, horizon: 30min, seed: 5, threads: 2}\n");
    struct wms_case c;
    if (wms_open(&c, ship_trucks, ship_yaml, mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    /* GONE has left: the forecast does not follow it */
    tsim__live_advance(lv, 2);
    struct tsim__fc_input fi;
    tsim__fc_input_take(&fi, lv, 1);
    struct tsim__fc_result r;
    tsim__fc_run(&fi, &r);
    CHECK(r.ntrucks == 2);
    if (r.ntrucks == 2) {
        CHECK(r.trucks[0].record == 1 && r.trucks[1].record == 2);
        CHECK(r.trucks[0].p_full_on_time == 1 && r.trucks[0].p_left == 1 &&
              r.trucks[0].departure_mean <= 4.5 && r.trucks[0].loaded_mean == 2);
        CHECK(r.trucks[1].p_full_on_time == 0 && r.trucks[1].p_full == 0 &&
              r.trucks[1].p_on_time == 1 && r.trucks[1].departure_mean == 20 &&
              r.trucks[1].departure_hw == 0 && r.trucks[1].loaded_mean < 40);
    }
    char *json = tsim__fc_json(&fi, &r);
    const char *t = json ? strstr(json, "\"trucks\":[") : NULL;
    CHECK(t != NULL);
    if (t) {
        CHECK(strstr(t, "{\"dock\":\"dock\",\"truck\":\"FULL\",\"pallets\":2,\"due\":10,") ==
              t + 10);
        CHECK(strstr(t, "\"truck\":\"SHORT\",\"pallets\":50,\"due\":20,") != NULL);
        CHECK(strstr(t, "\"p_full_on_time\":0,\"p_full\":0,\"p_on_time\":1,\"p_left\":1,"
                        "\"departure\":20,\"departure_half_width\":0,") != NULL);
        CHECK(strstr(t, "GONE") == NULL);
    }
    tsim__free(json);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&fi);
    tsim__live_destroy(lv);
    wms_close(&c);
}

/* A forecast sees the trucks the plant added: a thousand outbound ones (1 pallet, latest
 * departure 100) at minute 0, taken in turn by door 2 (the only outbound door, 1 min a pallet):
 * truck j leaves at j + 1. Over a 30-minute horizon the first 30 leave, on time and full, in
 * every replication; the file's OUT1 (at 30) and the other 970 do not. The forecast follows the
 * 1,001 outbound trucks still to leave, records 1 (OUT1) and 2.. (the added ones, in turn). */
static void test_truck_forecast_added(void)
{
    char mapping[512];
    snprintf(mapping, sizeof mapping, "%s%s", dc_mapping,
             "forecast: {replications: 4, horizon: 30min, seed: 5, threads: 2}\n");
    struct wms_case c;
    if (wms_open(&c, dc_trucks, dc_yaml, mapping) != 0) return;
    struct tsim__live *lv = tsim__live_create(c.m, c.map, 1);
    char err[256] = "", id[16];
    int rc = 0;
    for (int j = 0; j < 1000; j++) {
        snprintf(id, sizeof id, "A%d", j);
        rc |= tsim__dock_arrive(lv->sim, 0, id, 1, 1, -1, 100, err, sizeof err);
    }
    CHECK(rc == 0 && tsim__dock_trucks(lv->sim, 0) == 1002);
    struct tsim__fc_input fi;
    tsim__fc_input_take(&fi, lv, 1);
    struct tsim__fc_result r;
    tsim__fc_run(&fi, &r);
    CHECK(r.ntrucks == 1001);
    int bad = 0;
    for (int t = 0; t < r.ntrucks; t++) {
        const struct tsim__fc_truck *x = &r.trucks[t];
        int j = t - 1, left = j >= 0 && j < 30;
        bad += x->record != t + 1 || x->p_left != left || x->p_full_on_time != left;
        if (left) bad += x->departure_mean != j + 1 || x->loaded_mean != 1;
    }
    CHECK(bad == 0);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&fi);
    tsim__live_destroy(lv);
    wms_close(&c);
}

int main(void)
{
    if (wms_begin() != 0) return 1;
    RUN(test_truck_faults);
    RUN(test_truck_arrivals);
    RUN(test_truck_agreement_and_depart);
    RUN(test_truck_forecast);
    RUN(test_truck_forecast_added);
    wms_end();
    return CHECK_DONE();
}

#else

int main(void)
{
    printf("PASS test_dock_twin_not_built (no MQTT support in this build: twin unit tests not "
           "run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
