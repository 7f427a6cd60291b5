/*
 * The live sim (src/twin/live.c): time order, reconciliation, the clock defence, counts and
 * checkpoints.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"

static void test_time_order(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 1);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000600, \"seq\": 1}") == TSIM__OK);
    CHECK_NEAR(lv->now, 10, 1e-9);
    CHECK_NEAR(tsim_sim_now(lv->sim), 10, 1e-9);
    /* One second late: within the 2 s tolerance, applied at the twin's clock. */
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000599, \"seq\": 2}") == TSIM__OK);
    CHECK(lv->recon.clamped == 1 && lv->now == 10);
    /* Ten seconds late: dropped. */
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000590, \"seq\": 3}") == TSIM__D_LATE);
    /* A day ahead: dropped, the clock stays. */
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1087000, \"seq\": 4}") == TSIM__D_FUTURE);
    CHECK(lv->now == 10 && lv->late == 1 && lv->future == 1);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1001200, \"seq\": 5}") == TSIM__OK);
    CHECK_NEAR(lv->now, 20, 1e-9);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static void test_reconcile(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 3);
    int buf1 = tsim_model_find_block(m, "buf1"), filler = tsim_model_find_block(m, "filler");
    /* Hold the filler down so that buf1 only fills, then report a level above the twin's. */
    CHECK(feed(&in, lv, "line/FILL-01/state", "{\"ts\": 1000000, \"seq\": 1, \"state\": \"down\"}")
          == TSIM__OK);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000060, \"seq\": 2}") == TSIM__OK);
    CHECK(tsim_machine_state(lv->sim, filler, 0) == TSIM_STATE_DOWN);
    CHECK(lv->recon.state == 1);
    uint64_t have = tsim_block_content(lv->sim, buf1);
    CHECK(have < 7);
    CHECK(feed(&in, lv, "line/buffers", "{\"ts\": 1000060, \"seq\": 3, \"block\": \"buf1\", "
                                        "\"level\": 7}") == TSIM__OK);
    /* Nothing is corrected until the clock moves on. */
    CHECK(tsim_block_content(lv->sim, buf1) == have && lv->recon.content == 0);
    tsim__live_settle(lv);
    CHECK(tsim_block_content(lv->sim, buf1) == 7);
    CHECK(lv->recon.content == 1 && lv->recon.added == 7 - have);
    /* The plant says 2: the twin removes the difference. */
    CHECK(feed(&in, lv, "line/buffers", "{\"ts\": 1000061, \"seq\": 4, \"block\": \"buf1\", "
                                        "\"level\": 2}") == TSIM__OK);
    tsim__live_settle(lv);
    uint64_t now_have = tsim_block_content(lv->sim, buf1);
    CHECK(now_have == 2);
    CHECK(lv->recon.content == 2);
    /* Agreement costs nothing. */
    CHECK(feed(&in, lv, "line/buffers", "{\"ts\": 1000061, \"seq\": 5, \"block\": \"buf1\", "
                                        "\"level\": 2}") == TSIM__OK);
    tsim__live_settle(lv);
    CHECK(lv->recon.content == 2);
    /* Back up. */
    CHECK(feed(&in, lv, "line/FILL-01/state", "{\"ts\": 1000062, \"seq\": 6, \"state\": \"idle\"}")
          == TSIM__OK);
    tsim__live_settle(lv);
    CHECK(tsim_machine_state(lv->sim, filler, 0) != TSIM_STATE_DOWN);
    CHECK(lv->recon.state == 2);
    CHECK(lv->srv_state[lv->srv_off[filler]] == TSIM__PS_IDLE);
    CHECK_NEAR(lv->srv_since[lv->srv_off[filler]], 62.0 / 60, 1e-6);
    /* Parts: who is where. */
    CHECK(feed(&in, lv, "line/parts", "{\"ts\": 1000063, \"seq\": 7, \"station\": \"buf2\", "
                                      "\"event\": \"enter\", \"id\": \"A\"}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/parts", "{\"ts\": 1000063, \"seq\": 8, \"station\": \"CAP-01\", "
                                      "\"event\": \"enter\", \"id\": \"A\"}") == TSIM__OK);
    int buf2 = tsim_model_find_block(m, "buf2"), capper = tsim_model_find_block(m, "capper");
    CHECK(lv->content[buf2] == 0 && lv->content[capper] == 1 && lv->left[buf2] == 1);
    CHECK(feed(&in, lv, "line/parts", "{\"ts\": 1000063, \"seq\": 9, \"station\": \"done\", "
                                      "\"event\": \"leave\", \"id\": \"B\"}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/parts", "{\"ts\": 1000064, \"seq\": 10, \"station\": \"CAP-01\", "
                                      "\"event\": \"leave\", \"id\": \"Q\"}") == TSIM__OK);
    CHECK(lv->recon.unknown_part == 2 && lv->content[capper] == 0);
    /* Orders and parameters. */
    CHECK(feed(&in, lv, "line/orders", "{\"ts\": 1000064, \"seq\": 11, \"order\": \"O1\", "
                                       "\"product\": \"large\", \"qty\": 3, \"due\": 1003600}")
          == TSIM__OK);
    CHECK(lv->norders == 1 && lv->orders[0].nentity == 3 && lv->orders[0].due == 60);
    CHECK(feed(&in, lv, "line/orders", "{\"ts\": 1000064, \"seq\": 12, \"order\": \"O1\", "
                                       "\"product\": \"large\", \"qty\": 3}") == TSIM__D_VALUE);
    CHECK(feed(&in, lv, "line/params", "{\"ts\": 1000064, \"seq\": 13, \"name\": "
                                       "\"capper.process\", \"value\": \"uniform(1, 1.5)\"}")
          == TSIM__OK);
    CHECK(feed(&in, lv, "line/params", "{\"ts\": 1000064, \"seq\": 14, \"name\": "
                                       "\"capper.nonsense\", \"value\": 3}") == TSIM__D_VALUE);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}


/* ---- the clock defence ------------------------------------------------------------------- */

struct drops {
    int n;
    enum tsim__drop why;
    char err[256];
};

static void on_drop(void *ctx, const struct tsim__tev *ev, enum tsim__drop why, const char *err)
{
    (void)ev;
    struct drops *d = ctx;
    d->n++;
    d->why = why;
    snprintf(d->err, sizeof d->err, "%s", err);
}

/* A live twin of the line with `ahead` minutes of clock defence and a drop counter. */
static struct tsim__live *defended(struct tsim_model **m, struct tsim__map **map,
                                   struct tsim__ingest *in, double ahead, struct drops *d)
{
    *m = load_model();
    *map = *m ? load_map(*m, line_mapping) : NULL;
    if (!*map) return NULL;
    (*map)->ahead = ahead;
    tsim__ingest_init(in, *map);
    struct tsim__live *lv = tsim__live_create(*m, *map, 1);
    struct tsim__live_hooks h = {NULL, 0, -1, on_drop, d};
    tsim__live_set_hooks(lv, &h);
    return lv;
}

static void undefend(struct tsim_model *m, struct tsim__map *map, struct tsim__ingest *in,
                     struct tsim__live *lv)
{
    tsim__live_destroy(lv);
    if (map) tsim__ingest_release(in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* One event stamped 3 h ahead (a bad clock) is held, not applied: the events after it are on
 * time, none is late, and after three of them contradict it, it is dropped as future. It costs
 * that event and nothing else. */
static void test_clock_one_event_ahead(void)
{
    struct tsim_model *m;
    struct tsim__map *map;
    struct tsim__ingest in;
    struct drops d = {0, TSIM__OK, ""};
    struct tsim__live *lv = defended(&m, &map, &in, 5, &d);
    if (!lv) return;
    int filler = tsim_model_find_block(m, "filler");
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000000, \"seq\": 1}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/FILL-01/state",
               "{\"ts\": 1010800, \"seq\": 2, \"state\": \"down\"}") == TSIM__OK);
    CHECK(lv->nheld == 1 && lv->now == 0 && lv->applied == 1);
    CHECK(lv->srv_state[lv->srv_off[filler]] == -1); /* not applied */
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000006, \"seq\": 3}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/parts", "{\"ts\": 1000012, \"seq\": 4, \"station\": \"buf1\", "
                                      "\"event\": \"enter\", \"id\": 7}") == TSIM__OK);
    CHECK(lv->nheld == 1 && d.n == 0);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000018, \"seq\": 5}") == TSIM__OK);
    CHECK(lv->nheld == 0 && d.n == 1 && d.why == TSIM__D_FUTURE && lv->future == 1);
    CHECK_STR(d.err, "timestamp 1010800.000 was 10788 s ahead of the twin's clock and was "
                     "contradicted by later events");
    CHECK(lv->late == 0 && lv->applied == 4);
    CHECK_NEAR(lv->now, 0.3, 1e-9);
    CHECK(lv->srv_state[lv->srv_off[filler]] == -1);
    undefend(m, map, &in, lv);
}

/* A plant that really jumps (the morning after a night without messages): two sources agree on
 * the new time, and both events are applied in time order. */
static void test_clock_jump_confirmed(void)
{
    struct tsim_model *m;
    struct tsim__map *map;
    struct tsim__ingest in;
    struct drops d = {0, TSIM__OK, ""};
    struct tsim__live *lv = defended(&m, &map, &in, 5, &d);
    if (!lv) return;
    int filler = tsim_model_find_block(m, "filler");
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000000, \"seq\": 1}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/FILL-01/state",
               "{\"ts\": 1007230, \"seq\": 2, \"state\": \"running\"}") == TSIM__OK);
    CHECK(lv->nheld == 1 && lv->now == 0);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1007200, \"seq\": 3}") == TSIM__OK);
    CHECK(lv->nheld == 0 && d.n == 0 && lv->applied == 3);
    CHECK_NEAR(lv->now, 120.5, 1e-9); /* both applied: the heartbeat at 120, then the state */
    CHECK(lv->srv_state[lv->srv_off[filler]] == TSIM__PS_RUNNING);
    CHECK_NEAR(lv->srv_since[lv->srv_off[filler]], 120.5, 1e-9);
    undefend(m, map, &in, lv);
}

/* A plant with one source is followed too, three events late at most: its own next two events
 * confirm a jump when nothing contradicts it; a held event the clock reaches is applied. */
static void test_clock_single_source(void)
{
    struct tsim_model *m;
    struct tsim__map *map;
    struct tsim__ingest in;
    struct drops d = {0, TSIM__OK, ""};
    struct tsim__live *lv = defended(&m, &map, &in, 5, &d);
    if (!lv) return;
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000000, \"seq\": 1}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1001200, \"seq\": 2}") == TSIM__OK);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1002400, \"seq\": 3}") == TSIM__OK);
    CHECK(lv->nheld == 2 && lv->now == 0);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1003600, \"seq\": 4}") == TSIM__OK);
    CHECK(lv->nheld == 2 && d.n == 0);
    CHECK_NEAR(lv->now, 20, 1e-9);
    /* The clock moved on by other means (a checkpoint, the end): held events on the way are
     * applied at their own times. */
    tsim__live_advance(lv, 60);
    CHECK(lv->nheld == 0 && lv->applied == 4 && d.n == 0 && lv->late == 0);
    CHECK_NEAR(lv->now, 60, 1e-9);
    undefend(m, map, &in, lv);
}

/* Counts: the first is a baseline, a rise adds entries (completions at a sink), a fall is a bad
 * value unless it is to 0 (a counter that restarts). */
static void test_counts(void)
{
    struct tsim_model *m = load_model();
    char *text = mapping_with_counts("1h");
    struct tsim__map *map = m && text ? load_map(m, text) : NULL;
    free(text);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 1);
    int done = tsim_model_find_block(m, "done");
    const char *fmt = "{\"ts\": %d, \"seq\": %d, \"station\": \"done\", \"total\": %d}";
    const int total[] = {5, 7, 6, 7, 0, 3};
    const enum tsim__drop want[] = {TSIM__OK, TSIM__OK, TSIM__D_VALUE, TSIM__OK, TSIM__OK, TSIM__OK};
    const uint64_t entered[] = {0, 2, 2, 2, 2, 5};
    char json[160], err[256];
    for (int i = 0; i < 6; i++) {
        snprintf(json, sizeof json, fmt, 1000000 + i, i + 1, total[i]);
        struct tsim__tev ev;
        enum tsim__drop rc = tsim__ingest_decode(&in, "line/counts", json, strlen(json), &ev, err,
                                                 sizeof err);
        if (rc == TSIM__OK) rc = tsim__live_apply(lv, &ev, err, sizeof err);
        CHECK(rc == want[i]);
        CHECK(lv->entered[done] == entered[i] && lv->completed == entered[i]);
        if (rc != TSIM__OK) CHECK_STR(err, "count 6 of block 'done' is below its last count 7");
    }
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static double cp_seen[8];
static int cp_n;

static void on_cp(void *ctx, double t)
{
    struct tsim__live *lv = ctx;
    if (cp_n < 8) cp_seen[cp_n++] = t;
    CHECK(lv->now == t && tsim_sim_now(lv->sim) == t);
}

/* Checkpoints come before the clock passes them, at their own time, up to the last one due. */
static void test_checkpoint_hook(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 1);
    struct tsim__live_hooks h = {on_cp, 10, 30, NULL, lv};
    tsim__live_set_hooks(lv, &h);
    cp_n = 0;
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1000300, \"seq\": 1}") == TSIM__OK);
    CHECK(cp_n == 0);
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1001200, \"seq\": 2}") == TSIM__OK);
    CHECK(cp_n == 1 && cp_seen[0] == 10); /* 20 is due only once the clock passes it */
    CHECK(feed(&in, lv, "line/heartbeat", "{\"ts\": 1002700, \"seq\": 3}") == TSIM__OK);
    CHECK(cp_n == 3 && cp_seen[1] == 20 && cp_seen[2] == 30); /* 40 is past the end */
    tsim__live_checkpoints_through(lv, 45);
    CHECK(cp_n == 3);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* A conveyor's speed from the plant (`conveyor_speed`, end to end through the decoder): the belt
 * of test_conveyor.c's stopped_and_restarted (length 10, speed 1, spacing 2, not accumulating,
 * items made at 3, 6 and 9, a sink at the end) is stopped at 8 and runs at 2 from 12, so its
 * items leave at 14.5, 16 and 17: at 14 all three are on it (at speed 1 the first would have
 * left at 13), and at 17.5 none (the last would leave at 19). Bad speeds, a block that is not a
 * conveyor and a missing field are dropped with their reasons and change nothing. */
static void test_conveyor_speed_event(void)
{
    static const char model[] = "name: belt\n"
                                "time_unit: s\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 3\n"
                                "    limit: 3\n"
                                "    to: belt\n"
                                "  - conveyor: belt\n"
                                "    length: 10\n"
                                "    speed: 1\n"
                                "    spacing: 2\n"
                                "    accumulating: false\n"
                                "    to: out\n"
                                "  - sink: out\n";
    static const char mapping[] =
        "time: {field: ts, unit: s, late: 2s, ahead: 1h, max_gap: 12h, origin: 1000000}\n"
        "id: seq\n"
        "events:\n"
        "  - topic: plant/speed\n"
        "    kind: conveyor_speed\n"
        "    fields: {block: conveyor, speed: v}\n"
        "  - topic: plant/heartbeat\n"
        "    kind: heartbeat\n"
        "twin: {command: plant/twin/cmd}\n"
        "forecast: {replications: 2, horizon: 1h, seed: 7, threads: 1}\n";
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(model, strlen(model), "belt.yaml", NULL, &d);
    if (!m) tsim_diags_print(&d, "belt.yaml", stderr);
    tsim_diags_release(&d);
    CHECK(m != NULL);
    struct tsim__map *map = m ? load_map(m, mapping) : NULL;
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    int belt = tsim_model_find_block(m, "belt");
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 1);
    CHECK(feed(&in, lv, "plant/speed", "{\"ts\": 1000008, \"seq\": 1, \"conveyor\": \"belt\", "
                                       "\"v\": 0}") == TSIM__OK);
    const char *const bad[] = {
        "{\"ts\": 1000009, \"seq\": 2, \"conveyor\": \"belt\", \"v\": -1}",
        "{\"ts\": 1000009, \"seq\": 3, \"conveyor\": \"belt\", \"v\": \"fast\"}",
        "{\"ts\": 1000009, \"seq\": 4, \"conveyor\": \"belt\"}",
        "{\"ts\": 1000009, \"seq\": 5, \"conveyor\": \"out\", \"v\": 1}",
        "{\"ts\": 1000009, \"seq\": 6, \"conveyor\": \"blet\", \"v\": 1}",
    };
    const enum tsim__drop why[] = {TSIM__D_VALUE, TSIM__D_VALUE, TSIM__D_FIELD, TSIM__D_VALUE,
                                   TSIM__D_VALUE};
    const char *const msg[] = {"bad speed in field 'v' (a number from 0, below 1e12)",
                               "bad speed in field 'v' (a number from 0, below 1e12)",
                               "missing field 'v'", "block 'out' is not a conveyor",
                               "unknown block 'blet'"};
    for (int i = 0; i < 5; i++) {
        struct tsim__tev ev;
        char err[256] = "";
        enum tsim__drop rc = tsim__ingest_decode(&in, "plant/speed", bad[i], strlen(bad[i]), &ev,
                                                 err, sizeof err);
        CHECK(rc == why[i]);
        CHECK(strstr(err, msg[i]) != NULL);
    }
    CHECK(feed(&in, lv, "plant/speed", "{\"ts\": 1000012, \"seq\": 7, \"conveyor\": \"belt\", "
                                       "\"v\": 2}") == TSIM__OK);
    CHECK(feed(&in, lv, "plant/heartbeat", "{\"ts\": 1000014, \"seq\": 8}") == TSIM__OK);
    CHECK_EQ(tsim_block_content(lv->sim, belt), 3);
    CHECK(feed(&in, lv, "plant/heartbeat", "{\"ts\": 1000017.5, \"seq\": 9}") == TSIM__OK);
    CHECK_EQ(tsim_block_content(lv->sim, belt), 0);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_time_order);
    RUN(test_reconcile);
    RUN(test_clock_one_event_ahead);
    RUN(test_clock_jump_confirmed);
    RUN(test_clock_single_source);
    RUN(test_counts);
    RUN(test_checkpoint_hook);
    RUN(test_conveyor_speed_event);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_live_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
