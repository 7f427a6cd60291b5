/*
 * The emulator (src/twin/emulate.c) read back by a twin without a broker: the batch builder,
 * and at every checkpoint the twin's state against the plant's.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"
#include "blocks/fleet.h"

#include <cjson/cJSON.h>

static void test_batch_builder(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__batch b;
    tsim__batch_init(&b);
    size_t len;
    CHECK(tsim__batch_add(&b, "line/heartbeat", "{\"ts\":1,\"seq\":1}", 256) == 0);
    CHECK_STR(tsim__batch_payload(&b, &len), "{\"ts\":1,\"seq\":1}");
    CHECK(len == strlen("{\"ts\":1,\"seq\":1}"));
    CHECK(tsim__batch_add(&b, "line/FILL-01/state", "{\"ts\":2,\"seq\":2,\"state\":\"down\"}",
                          256) == 0);
    CHECK(tsim__batch_add(&b, "line/heartbeat", "{}", 256) == 0);
    CHECK_STR(tsim__batch_payload(&b, &len),
              "[{\"ts\":1,\"seq\":1},{\"topic\":\"line/FILL-01/state\",\"ts\":2,\"seq\":2,"
              "\"state\":\"down\"},{}]");
    CHECK_STR(b.topic, "line/heartbeat");
    tsim__batch_clear(&b);
    int n = 0;
    while (tsim__batch_add(&b, "line/heartbeat", "{\"ts\":3,\"seq\":12345}", 256) == 0) n++;
    const char *p = tsim__batch_payload(&b, &len);
    CHECK(n == 12 && len <= 256 && len + strlen(",{\"ts\":3,\"seq\":12345}") > 256);
    CHECK(p[0] == '[' && p[len - 1] == ']');
    tsim__batch_release(&b);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* ---- the emulator read back by a twin ------------------------------------------------------ */

struct loop {
    struct tsim__ingest *in;
    struct tsim__live *lv;
    uint64_t sent, bad;
    FILE *log;
    int batch;                   /* > 1: events go to the twin in batches of up to this many */
    struct tsim__batch b;
    uint64_t messages;
};

static void loop_event(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev, const char *err)
{
    (void)err;
    struct loop *l = ctx;
    char aerr[256];
    if (rc == TSIM__OK) rc = tsim__live_apply(l->lv, ev, aerr, sizeof aerr);
    if (rc != TSIM__OK) l->bad++;
}

static void loop_flush(struct loop *l)
{
    if (l->batch <= 1 || !l->b.n) return;
    size_t len;
    const char *p = tsim__batch_payload(&l->b, &len);
    tsim__ingest_each(l->in, l->b.topic, p, len, loop_event, l);
    l->messages++;
    tsim__batch_clear(&l->b);
}

static void loop_emit(void *ctx, const char *topic, const char *json)
{
    struct loop *l = ctx;
    l->sent++;
    if (l->log) fprintf(l->log, "%s %s\n", topic, json);
    if (l->batch <= 1) {
        if (feed(l->in, l->lv, topic, json) != TSIM__OK) l->bad++;
        return;
    }
    if (tsim__batch_add(&l->b, topic, json, l->in->map->max_payload) != 0) {
        loop_flush(l);
        tsim__batch_add(&l->b, topic, json, l->in->map->max_payload);
    }
    if (l->b.n >= l->batch) loop_flush(l);
}

static char *view(const struct tsim__live *lv, const struct tsim_sim *sim,
                  const struct tsim__emu *e, const char *which, double t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (lv) tsim__live_write_state(lv, which, t, f);
    else tsim__sim_write_state(sim, e->map, which, t, strcmp(which, "sim") ? e->entered : NULL, f);
    fclose(f);
    return buf;
}

/* The observed view inside the twin's state message is the state-out line's view with its
 * numbers as the twin's messages write them (the line's six-decimal time read back): the same
 * text cJSON gave when it read the line and wrote the message. */
static int observed_as_in_message(const struct tsim__live *lv, double t, const char *line)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__live_json_observed(lv, t, &j);
    tsim__json_close(&j, '{');
    cJSON *o = cJSON_CreateObject();
    cJSON *v = cJSON_Parse(line);
    cJSON_AddItemToObject(o, "observed", v ? v : cJSON_CreateNull());
    char *want = cJSON_PrintUnformatted(o);
    int same = strcmp(b.p, want) == 0;
    if (!same) CHECK_STR(b.p, want);
    cJSON_free(want);
    cJSON_Delete(o);
    tsim__sb_release(&b);
    return same;
}

/* Emulator and twin in one process, with the same or another seed: at every checkpoint the
 * twin's observed state equals the plant's; with the same seed its sim does too, with no
 * correction at all. `lie`: after the plant's first hour, one message with a clock 3 h ahead
 * (the filler "down") goes to the twin among the true ones; `lies` returns the twin's late and
 * future counts. */
static void run_pair_lied(uint64_t twin_seed, int batch, int lie, int *obs_equal, int *sim_equal,
                          uint64_t *recon, uint64_t *lies)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    *obs_equal = *sim_equal = 0;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    /* lie 2: the same lie with the defence off (nothing is held short of max_gap). */
    if (lie == 2) map->ahead = map->max_gap;
    struct tsim__live *lv = tsim__live_create(m, map, twin_seed);
    struct tsim_sim *plant = tsim_sim_create(m, 11, 0);
    struct loop l = {.in = &in, .lv = lv, .batch = batch};
    if (batch > 1) {
        tsim__batch_init(&l.b);
        map->max_payload = 8192;
    }
    struct tsim__emu e;
    tsim__emu_init(&e, map, plant, map->origin, loop_emit, &l);
    tsim_sim_set_observer(plant, tsim__emu_observe, &e);
    tsim__emu_snapshot(&e, plant);
    int ok_obs = 1, ok_sim = 1, messages_ok = 0;
    for (double t = 30; t <= 240; t += 30) {
        tsim_sim_run_until(plant, t);
        if (lie && t == 90) {
            /* Stamped 3 h ahead of the plant's time; its id is one the plant never uses. */
            char json[160];
            snprintf(json, sizeof json, "{\"ts\": %.6f, \"seq\": 999999999, \"state\": \"down\"}",
                     map->origin + (t + 180) * 60);
            loop_emit(&l, "line/FILL-01/state", json);
            l.sent--; /* not the plant's */
        }
        tsim__emu_heartbeat(&e, t);
        loop_flush(&l);
        tsim__live_advance(lv, t);
        tsim__live_settle(lv);
        char *a = view(NULL, plant, &e, "observed", t), *b = view(lv, NULL, NULL, "observed", t);
        if (strcmp(a, b) != 0) {
            if (ok_obs && lie != 2) fprintf(stderr, "  plant %s  twin  %s", a, b);
            ok_obs = 0;
        }
        if (!messages_ok) {
            /* A whole time (written 30.000000 in the line, 30 in the message) and one with more
             * than six decimals, to see it rounded the same way. */
            char *c = view(lv, NULL, NULL, "observed", t + 1.0 / 3);
            messages_ok = observed_as_in_message(lv, t, b) && observed_as_in_message(lv, t + 1.0 / 3, c)
                              ? 0 : -1;
            free(c);
        }
        free(a);
        free(b);
        a = view(NULL, plant, &e, "sim", t);
        b = view(lv, NULL, NULL, "sim", t);
        if (strcmp(a, b) != 0) ok_sim = 0;
        free(a);
        free(b);
    }
    CHECK(l.bad == 0 || lie == 2);
    CHECK(messages_ok == 0);
    CHECK(l.sent > 1000);
    CHECK(in.received == l.sent + (lie ? 1 : 0));
    if (lies) {
        lies[0] = lv->late;
        lies[1] = lv->future;
    }
    /* Batches of 50 with some cut short by the cap or a checkpoint. */
    if (batch > 1) CHECK(l.messages > l.sent / (uint64_t)batch && l.messages < l.sent / 10);
    if (batch > 1) tsim__batch_release(&l.b);
    *obs_equal = ok_obs;
    *sim_equal = ok_sim;
    *recon = lv->recon.content + lv->recon.state + lv->recon.unknown_part;
    if (*recon && twin_seed == 11 && lie != 2)
        fprintf(stderr, "  reconciled: content %llu state %llu unknown parts %llu\n",
                (unsigned long long)lv->recon.content, (unsigned long long)lv->recon.state,
                (unsigned long long)lv->recon.unknown_part);
    tsim__emu_release(&e);
    tsim_sim_destroy(plant);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static void run_pair(uint64_t twin_seed, int batch, int *obs_equal, int *sim_equal,
                     uint64_t *recon)
{
    run_pair_lied(twin_seed, batch, 0, obs_equal, sim_equal, recon, NULL);
}

static void test_emulator_twin_same_seed(void)
{
    int obs, sim;
    uint64_t recon;
    run_pair(11, 1, &obs, &sim, &recon);
    CHECK(obs);
    CHECK(sim);
    CHECK(recon == 0);
}

/* The same, the events reaching the twin 50 to a message. */
static void test_emulator_twin_batched(void)
{
    int obs, sim;
    uint64_t recon;
    run_pair(11, 50, &obs, &sim, &recon);
    CHECK(obs);
    CHECK(sim);
    CHECK(recon == 0);
}

/* One plausible lie among the plant's messages (a state stamped 3 h ahead, within max_gap): the
 * twin holds it, the plant's next messages contradict it, and it is dropped as future. It costs
 * itself and nothing else: no message after it is late, and at every checkpoint the twin's
 * state is still the plant's (without the defence the twin's clock jumped 3 h and every true
 * message after it was late). */
static void test_emulator_twin_one_lie(void)
{
    int obs, sim;
    uint64_t recon, lies[2] = {9, 9};
    run_pair_lied(11, 1, 1, &obs, &sim, &recon, lies);
    CHECK(obs);
    CHECK(sim);
    CHECK(recon == 0);
    CHECK(lies[0] == 0 && lies[1] == 1);
    /* The same lie without the defence: the clock jumps and the truth after it is late. */
    run_pair_lied(11, 1, 2, &obs, &sim, &recon, lies);
    CHECK(!obs);
    CHECK(lies[0] > 1000 && lies[1] == 0);
}

static void test_emulator_twin_other_seed(void)
{
    int obs, sim;
    uint64_t recon;
    run_pair(12345, 1, &obs, &sim, &recon);
    CHECK(obs);
    CHECK(recon > 0); /* the twin's own draws disagree with the plant's and are corrected */
}

/* A bottling line (shifts, a repair crew) followed by a twin with another seed, forecasting
 * every hour: the twin holds machines down and lets them go on the plant's word, and forecasts
 * release them after a drawn repair, with repairs waiting for an off-shift crew. */
static const char *crew_model =
    "name: crew-line\n"
    "time_unit: min\n"
    "products: [small, large]\n"
    "shifts:\n"
    "  - {name: day, periods: [[\"06:00\", \"14:00\"], [\"14:30\", \"22:00\"]]}\n"
    "operators:\n"
    "  - {name: crew, count: 2, shift: day}\n"
    "blocks:\n"
    "  - source: arrivals\n"
    "    interarrival: exponential(0.8)\n"
    "    product: {small: 0.7, large: 0.3}\n"
    "    to: filler_buffer\n"
    "  - buffer: filler_buffer\n"
    "    capacity: 20\n"
    "    to: filler\n"
    "  - machine: filler\n"
    "    process: {small: triangular(0.5, 0.6, 0.9), large: 0.9}\n"
    "    setup: 5min\n"
    "    failures: {between: exponential(2h), repair: lognormal(10min, 4min)}\n"
    "    needs: {crew: 1, for: repair}\n"
    "    scrap: 0.01\n"
    "    shift: day\n"
    "    to: {capper: 0.9, rework: 0.1}\n"
    "  - delay: rework\n"
    "    time: uniform(2, 4)\n"
    "    to: filler_buffer\n"
    "  - machine: capper\n"
    "    process: 0.5\n"
    "    to: done\n"
    "  - sink: done\n";

/* An emulated plant and a twin that follows it message by message, unbatched. */
struct pair {
    struct tsim__ingest in;
    struct tsim__live *lv;
    struct tsim_sim *plant;
    struct loop l;
    struct tsim__emu e;
};

static void pair_start(struct pair *p, struct tsim_model *m, struct tsim__map *map,
                       uint64_t twin_seed, uint64_t plant_seed, double origin)
{
    tsim__ingest_init(&p->in, map);
    p->lv = tsim__live_create(m, map, twin_seed);
    p->plant = tsim_sim_create(m, plant_seed, 0);
    p->l = (struct loop){.in = &p->in, .lv = p->lv, .batch = 1};
    tsim__emu_init(&p->e, map, p->plant, origin, loop_emit, &p->l);
    tsim_sim_set_observer(p->plant, tsim__emu_observe, &p->e);
    tsim__emu_snapshot(&p->e, p->plant);
}

/* Run both to `t`; 1 when the twin's observed view then equals the plant's. The twin's view is
 * left in `*twin_view` (free it) when that is not NULL. */
static int pair_step(struct pair *p, double t, char **twin_view)
{
    tsim_sim_run_until(p->plant, t);
    tsim__emu_heartbeat(&p->e, t);
    tsim__live_advance(p->lv, t);
    tsim__live_settle(p->lv);
    char *a = view(NULL, p->plant, &p->e, "observed", t);
    char *b = view(p->lv, NULL, NULL, "observed", t);
    int same = strcmp(a, b) == 0;
    free(a);
    if (twin_view)
        *twin_view = b;
    else
        free(b);
    return same;
}

static void pair_stop(struct pair *p)
{
    tsim__emu_release(&p->e);
    tsim_sim_destroy(p->plant);
    tsim__live_destroy(p->lv);
    tsim__ingest_release(&p->in);
}

static void test_bottling_line_twin(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m =
        tsim_model_load(crew_model, strlen(crew_model), "crew-line.yaml", NULL, &d);
    struct tsim__map *map =
        m ? tsim__map_load_file("examples/bottling-line.mapping.yaml", m, &d) : NULL;
    tsim_diags_print(&d, "examples/bottling-line", stderr);
    tsim_diags_release(&d);
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    map->replications = 8;
    struct pair p;
    pair_start(&p, m, map, 2, 1, 1000000);
    int same = 1, forecasts = 0;
    for (double t = 60; t <= 2 * 1440; t += 60) {
        same &= pair_step(&p, t, NULL);
        struct tsim__fc_input fi;
        tsim__fc_input_take(&fi, p.lv, (uint64_t)t);
        struct tsim__fc_result r;
        tsim__fc_run(&fi, &r);
        forecasts += r.out.n == 8;
        tsim__fc_result_release(&r);
        tsim__fc_input_release(&fi);
    }
    CHECK(same);
    CHECK(forecasts == 48);
    CHECK(p.l.bad == 0);
    CHECK(p.lv->recon.state > 0);
    pair_stop(&p);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}


/* Plant names and state words with a quote, a backslash, <, >, a tab and UTF-8: the emulator's
 * messages carry them and the twin reads them back (nothing dropped, the same views), and the
 * state-out line that names them is valid JSON whose machine states read back as the words. */
static void test_emulator_twin_awkward_names(void)
{
    static const char *const names = "names: {FILL-01: filler, CAP-01: capper}\n";
    static const char *const awkward =
        "names: {\"F\\\"1\\\\c<d>\\t\xc3\xa9\": filler, CAP-01: capper}\n"
        "states: {running: \"r\\\"un\\\\<b>\\t\xe2\x86\x92\", idle: \"i\\\"dle&\\u0001\"}\n";
    const char *at = strstr(line_mapping, names);
    CHECK(at != NULL);
    if (!at) return;
    char text[2048];
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - line_mapping), line_mapping, awkward,
             at + strlen(names));
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, text) : NULL;
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    int filler = tsim_model_find_block(m, "filler");
    CHECK_STR(tsim__map_block_name(map, filler), "F\"1\\c<d>\t\xc3\xa9");
    struct pair p;
    pair_start(&p, m, map, 11, 11, map->origin);
    int same = 1, words = 0;
    for (double t = 30; t <= 240; t += 30) {
        char *b = NULL;
        same &= pair_step(&p, t, &b);
        cJSON *o = cJSON_Parse(b);
        CHECK(o != NULL);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(o, "machines"), "filler");
        const cJSON *w = cJSON_IsArray(st) ? cJSON_GetArrayItem(st, 0) : NULL;
        for (int k = 0; k < TSIM__PS_COUNT && cJSON_IsString(w); k++)
            words += strcmp(w->valuestring, map->state_word[k]) == 0;
        cJSON_Delete(o);
        free(b);
    }
    CHECK(same);
    CHECK_EQ(words, 8); /* one word of the mapping at each of the 8 checkpoints */
    CHECK(p.l.sent > 1000);
    CHECK_EQ(p.l.bad, 0);
    CHECK_EQ(p.in.received, p.l.sent);
    pair_stop(&p);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* The battery carried from the emulator to the twin. The plant: one vehicle on a line P - D - C
 * (0.5 h a leg), 20 kWh, drawing 4 kW empty and 8 kW loaded (40 % of the battery an hour),
 * charging at 20 kW (100 % an hour) below 60 % up to 90 %, requests at 1 and 2 h. By hand, its
 * charge: 100 % to 1 h; loaded to D, 80 % at 1.5; idle; empty to P, 70 % at 2.5; loaded to D,
 * 50 % at 3.0 (below 60 %): to C, 40 % at 3.5; charging, 90 % at 4.0. Every state message
 * published carries the charge of that curve at its time, and `charging` true while it charges.
 * The twin's model draws 4 kW loaded, not 8: by its own reckoning the vehicle has 60 % at 3.0 and
 * does not charge; it follows the reported charges (after each message its charge is the one
 * reported), so it charges at C at 3.5 as the plant does, and ends at the plant's charge. */
static const char battery_plant[] =
    "name: battery\n"
    "time_unit: h\n"
    "blocks:\n"
    "  - {source: in, interarrival: 1, limit: 2, to: amr}\n"
    "  - {fleet: amr, count: 1, speed: 10, battery: 20, draw_empty: 4, draw_loaded: 8,\n"
    "     charge_rate: 20, charge_below: 0.6, charge_until: 0.9, to: out}\n"
    "  - {sink: out}\n"
    "  - {charger: chg}\n"
    "network:\n"
    "  nodes: [P, D, C]\n"
    "  segments: [{from: P, to: D, length: 5}, {from: D, to: C, length: 5}]\n"
    "  at: {in: P, amr: P, out: D, chg: C}\n";

static const char battery_mapping[] = "time: {ahead: 6h, max_gap: 12h}\n"
                                      "vda5050:\n"
                                      "  fleet: amr\n"
                                      "  vehicles:\n"
                                      "    - {manufacturer: acme, serial: AGV-1}\n";

/* The charge by hand at `t` h, in percent. */
static double plant_charge(double t)
{
    if (t <= 1) return 100;
    if (t <= 1.5) return 100 - 40 * (t - 1);
    if (t <= 2) return 80;
    if (t <= 2.5) return 80 - 20 * (t - 2);
    if (t <= 3) return 70 - 40 * (t - 2.5);
    if (t <= 3.5) return 50 - 20 * (t - 3);
    if (t <= 4) return 40 + 100 * (t - 3.5);
    return 90;
}

struct battery_loop {
    const struct tsim_sim *plant;
    struct tsim__ingest *in;
    struct tsim__live *lv;
    int fleet, sent, bad, wrong, charging_seen, at_50, at_40;
};

static void battery_emit(void *ctx, const char *topic, const char *json)
{
    struct battery_loop *l = ctx;
    double t = tsim_sim_now(l->plant);
    cJSON *o = cJSON_Parse(json);
    const cJSON *bs = cJSON_GetObjectItemCaseSensitive(o, "batteryState");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(bs, "batteryCharge");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(bs, "charging");
    double pct = cJSON_IsNumber(c) ? c->valuedouble : -1;
    int charging = cJSON_IsTrue(ch), want_charging = t >= 3.5 - 1e-9 && t < 4 - 1e-4;
    l->sent++;
    /* At 4.0 the charge ends at the first tick at its target, a tick's charge (1e-4 %) over. */
    if (!(fabs(pct - plant_charge(t)) < 2e-4) || charging != want_charging) {
        fprintf(stderr, "  at %.9g h: charge %.9g %%, charging %d; by hand %.9g %%, %d\n", t, pct,
                charging, plant_charge(t), want_charging);
        l->wrong++;
    }
    l->charging_seen += charging;
    l->at_50 += fabs(t - 3) < 1e-9 && fabs(pct - 50) < 1e-9;
    l->at_40 += fabs(t - 3.5) < 1e-9 && fabs(pct - 40) < 1e-9;
    cJSON_Delete(o);
    if (feed(l->in, l->lv, topic, json) != TSIM__OK) l->bad++;
    /* The twin's sim has the charge it was told. */
    double live = tsim__fleet_vehicle_charge(l->lv->sim, l->fleet, 0);
    if (!(fabs(live - pct) < 1e-6)) {
        fprintf(stderr, "  at %.9g h: the twin has %.9g %%, told %.9g %%\n", t, live, pct);
        l->wrong++;
    }
}

static void test_emulator_battery(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *pm = tsim_model_load(battery_plant, strlen(battery_plant), "battery.yaml",
                                            NULL, &d);
    char twin_text[sizeof battery_plant];
    snprintf(twin_text, sizeof twin_text, "%s", battery_plant);
    memcpy(strstr(twin_text, "draw_loaded: 8"), "draw_loaded: 4", strlen("draw_loaded: 4"));
    struct tsim_model *tm = tsim_model_load(twin_text, strlen(twin_text), "battery.yaml", NULL, &d);
    if (!pm || !tm) tsim_diags_print(&d, "battery.yaml", stderr);
    tsim_diags_release(&d);
    CHECK(pm != NULL && tm != NULL);
    struct tsim__map *pmap = pm ? load_map(pm, battery_mapping) : NULL;
    struct tsim__map *tmap = tm ? load_map(tm, battery_mapping) : NULL;
    CHECK(pmap != NULL && tmap != NULL);
    if (!pmap || !tmap) return;
    int f = tsim_model_find_block(pm, "amr");
    struct tsim_sim *plant = tsim_sim_create(pm, 1, 0);
    struct tsim__ingest in;
    tsim__ingest_init(&in, tmap);
    struct tsim__live *lv = tsim__live_create(tm, tmap, 1);
    struct battery_loop l = {.plant = plant, .in = &in, .lv = lv, .fleet = f};
    struct tsim__emu e;
    tsim__emu_init(&e, pmap, plant, tmap->origin, battery_emit, &l);
    tsim_sim_set_observer(plant, tsim__emu_observe, &e);
    tsim__emu_snapshot(&e, plant);
    tsim_sim_run_until(plant, 5);
    CHECK(l.sent >= 12);
    CHECK_EQ(l.wrong, 0);
    CHECK_EQ(l.bad, 0);
    CHECK(l.charging_seen >= 1 && l.at_50 >= 1 && l.at_40 >= 1);
    CHECK_NEAR(tsim__fleet_vehicle_charge(plant, f, 0), 90, 1e-9);
    CHECK_NEAR(tsim__fleet_vehicle_charge(lv->sim, f, 0), 90, 1e-6);
    CHECK(lv->vda_charged >= 2); /* told 80 % at 1.5 (its own: 90 %), and so on */
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(lv->sim, &r);
    const struct tsim_kpi *k = tsim_result_find(&r, tsim_model_find_block(tm, "chg"), "charges");
    CHECK(k != NULL && k->value == 1);
    tsim_result_release(&r);
    tsim__emu_release(&e);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim_sim_destroy(plant);
    tsim__map_destroy(pmap);
    tsim__map_destroy(tmap);
    tsim_model_destroy(pm);
    tsim_model_destroy(tm);
}

/* Failures carried from the emulator to the twin as VDA 5050 errors. The plant: one vehicle at
 * P on a line P - D (0.5 h a leg), requests at 1 and 2 h, failing every 1.2 h of calendar time
 * and repaired in 0.3 h. By hand: loaded P->D from 1, failed at 1.2 with 0.3 h of the leg left,
 * repaired at 1.5, delivered at 1.8; empty D->P 2..2.5, loaded from 2.5, failed at 2.7 (0.3 left),
 * repaired at 3.0, delivered at 3.3; idle at D, failed 4.2..4.5. The emulator's message at each
 * change of state carries one FATAL error while the vehicle is failed; the twin's model has no
 * failures of its own and follows them: after every message its vehicle is failed exactly when
 * the plant's is, and it counts the three failures of 0.3 h and the plant's delivery times. */
static const char failure_plant[] =
    "name: failures\n"
    "time_unit: h\n"
    "blocks:\n"
    "  - {source: in, interarrival: 1, limit: 2, to: amr}\n"
    "  - {fleet: amr, count: 1, speed: 10, failures_between: 1.2, failures_repair: 0.3, to: out}\n"
    "  - {sink: out}\n"
    "network:\n"
    "  nodes: [P, D]\n"
    "  segments: [{from: P, to: D, length: 5}]\n"
    "  at: {in: P, amr: P, out: D}\n";

struct failure_loop {
    const struct tsim_sim *plant;
    struct tsim__ingest *in;
    struct tsim__live *lv;
    int fleet, sent, bad, wrong, fatal_sent;
};

static void failure_emit(void *ctx, const char *topic, const char *json)
{
    struct failure_loop *l = ctx;
    l->sent++;
    l->fatal_sent += strstr(json, "\"FATAL\"") != NULL;
    if (feed(l->in, l->lv, topic, json) != TSIM__OK) l->bad++;
    int plant = tsim__fleet_vehicle_failed(l->plant, l->fleet, 0);
    int live = tsim__fleet_vehicle_failed(l->lv->sim, l->fleet, 0);
    if (plant != live) {
        fprintf(stderr, "  at %.9g h: the plant's vehicle failed %d, the twin's %d\n",
                tsim_sim_now(l->plant), plant, live);
        l->wrong++;
    }
}

static void test_emulator_failures(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *pm = tsim_model_load(failure_plant, strlen(failure_plant), "fail.yaml",
                                            NULL, &d);
    char twin_text[sizeof failure_plant];
    snprintf(twin_text, sizeof twin_text, "%s", failure_plant);
    char *k = strstr(twin_text, " failures_between: 1.2, failures_repair: 0.3,");
    memmove(k, k + strlen(" failures_between: 1.2, failures_repair: 0.3,"),
            strlen(k) - strlen(" failures_between: 1.2, failures_repair: 0.3,") + 1);
    struct tsim_model *tm = tsim_model_load(twin_text, strlen(twin_text), "fail.yaml", NULL, &d);
    if (!pm || !tm) tsim_diags_print(&d, "fail.yaml", stderr);
    tsim_diags_release(&d);
    CHECK(pm != NULL && tm != NULL);
    struct tsim__map *pmap = pm ? load_map(pm, battery_mapping) : NULL;
    struct tsim__map *tmap = tm ? load_map(tm, battery_mapping) : NULL;
    CHECK(pmap != NULL && tmap != NULL);
    if (!pmap || !tmap) return;
    int f = tsim_model_find_block(pm, "amr");
    struct tsim_sim *plant = tsim_sim_create(pm, 1, 0);
    struct tsim__ingest in;
    tsim__ingest_init(&in, tmap);
    struct tsim__live *lv = tsim__live_create(tm, tmap, 1);
    struct failure_loop l = {.plant = plant, .in = &in, .lv = lv, .fleet = f};
    struct tsim__emu e;
    tsim__emu_init(&e, pmap, plant, tmap->origin, failure_emit, &l);
    tsim_sim_set_observer(plant, tsim__emu_observe, &e);
    tsim__emu_snapshot(&e, plant);
    tsim_sim_run_until(plant, 5);
    CHECK_EQ(l.bad, 0);
    CHECK_EQ(l.wrong, 0);
    CHECK_EQ(l.fatal_sent, 3); /* one message as each failure begins */
    CHECK_EQ(lv->vda_failed, 3);
    CHECK_EQ(lv->vda_resumed, 3);
    CHECK_EQ(lv->vda_warnings, 0);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(lv->sim, &r);
    const struct tsim_kpi *n = tsim_result_find(&r, f, "failures");
    const struct tsim_kpi *rep = tsim_result_find(&r, f, "repair_time");
    const struct tsim_kpi *dt = tsim_result_find(&r, f, "delivery_time");
    CHECK(n != NULL && n->value == 3);
    CHECK(rep != NULL && fabs(rep->value - 0.3) < 1e-6);
    CHECK(dt != NULL && fabs(dt->value - (0.8 + 1.3) / 2) < 1e-6);
    tsim_result_release(&r);
    tsim__emu_release(&e);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim_sim_destroy(plant);
    tsim__map_destroy(pmap);
    tsim__map_destroy(tmap);
    tsim_model_destroy(pm);
    tsim_model_destroy(tm);
}

int main(void)
{
    RUN(test_batch_builder);
    RUN(test_emulator_twin_same_seed);
    RUN(test_emulator_twin_batched);
    RUN(test_emulator_twin_one_lie);
    RUN(test_emulator_twin_other_seed);
    RUN(test_bottling_line_twin);
    RUN(test_emulator_twin_awkward_names);
    RUN(test_emulator_battery);
    RUN(test_emulator_failures);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_emulate_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
