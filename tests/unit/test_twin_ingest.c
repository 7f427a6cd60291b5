/*
 * Ingest (src/twin/ingest.c): every payload fault, duplicates, batches, and values checked
 * against the model (a buffer's level, a counter, a storage block's stock).
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"

static void test_utf8_and_time(void)
{
    CHECK(tsim__utf8_valid((const unsigned char *)"caf\xc3\xa9", 5));
    CHECK(!tsim__utf8_valid((const unsigned char *)"\xc0\xaf", 2));      /* overlong */
    CHECK(!tsim__utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));  /* surrogate */
    CHECK(!tsim__utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4));
    CHECK(!tsim__utf8_valid((const unsigned char *)"ab\xe2\x82", 4));    /* truncated */
    double t;
    CHECK(tsim__iso_time("1970-01-02T00:00:01Z", &t) == 0 && t == 86401);
    CHECK(tsim__iso_time("2026-11-29T06:00:00.5+01:00", &t) == 0 && t == 1795928400.5);
    CHECK(tsim__iso_time("2026-11-29 06:00", &t) != 0);
}

/* A message with the common fields. */
static enum tsim__drop dec(struct tsim__ingest *in, const char *topic, const char *json,
                           struct tsim__tev *ev)
{
    char err[256];
    return tsim__ingest_decode(in, topic, json, strlen(json), ev, err, sizeof err);
}

static void test_payload_faults(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    CHECK(map != NULL);
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__tev ev;
    char big[400];
    memset(big, ' ', sizeof big);
    big[0] = '{';
    big[sizeof big - 1] = '}';
    char err[256];
    CHECK(tsim__ingest_decode(&in, "line/heartbeat", big, sizeof big, &ev, err, sizeof err) ==
          TSIM__D_TOOBIG);
    CHECK_STR(err, "payload of 400 bytes is over the cap of 256");
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, \"seq\": \"\xff\"}", &ev) == TSIM__D_UTF8);
    CHECK(tsim__ingest_decode(&in, "line/heartbeat", "{\"ts\":1}\0x", 10, &ev, err, sizeof err) ==
          TSIM__D_UTF8);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, ", &ev) == TSIM__D_JSON);
    CHECK(dec(&in, "line/heartbeat", "[1, 2]", &ev) == TSIM__D_JSON);
    CHECK(dec(&in, "line/unknown", "{\"ts\": 1, \"seq\": 1}", &ev) == TSIM__D_TOPIC);
    CHECK(dec(&in, "line/heartbeat", "{\"seq\": 1}", &ev) == TSIM__D_FIELD);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1}", &ev) == TSIM__D_FIELD);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": \"soon\", \"seq\": 1}", &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": -5, \"seq\": 1}", &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/NOPE/state", "{\"ts\": 1, \"seq\": 2, \"state\": \"down\"}", &ev) ==
          TSIM__D_VALUE);
    CHECK(dec(&in, "line/buf1/state", "{\"ts\": 1, \"seq\": 2, \"state\": \"down\"}", &ev) ==
          TSIM__D_VALUE);
    CHECK(dec(&in, "line/FILL-01/state", "{\"ts\": 1, \"seq\": 2, \"state\": \"broken\"}", &ev) ==
          TSIM__D_VALUE);
    CHECK(dec(&in, "line/FILL-01/state", "{\"ts\": 1, \"seq\": 2}", &ev) == TSIM__D_FIELD);
    CHECK(dec(&in, "line/parts",
              "{\"ts\": 1, \"seq\": 3, \"station\": \"buf1\", \"event\": \"enter\"}",
              &ev) == TSIM__D_FIELD);
    CHECK(dec(&in, "line/parts",
              "{\"ts\": 1, \"seq\": 3, \"station\": \"buf1\", \"event\": \"jump\", \"id\": 4}",
              &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/orders", "{\"ts\": 1, \"seq\": 4, \"order\": \"A\", \"product\": "
                                  "\"small\", \"qty\": 0}", &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/buffers", "{\"ts\": 1, \"seq\": 5, \"block\": \"buf1\", \"level\": -1}",
              &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/twin/cmd", "{\"cmd\": \"dance\"}", &ev) == TSIM__D_VALUE);
    /* The good ones. */
    CHECK(dec(&in, "line/FILL-01/state", "{\"ts\": 1, \"seq\": 2, \"state\": \"down\"}", &ev) ==
          TSIM__OK);
    CHECK(ev.kind == TSIM__TEV_STATE && ev.block == tsim_model_find_block(m, "filler") &&
          ev.state == TSIM__PS_DOWN && ev.server == 0 && ev.ts == 1);
    CHECK(dec(&in, "line/parts", "{\"ts\": 1.5, \"seq\": 3, \"station\": \"FILL-01\", "
                                 "\"event\": \"enter\", \"id\": \"P-17\", \"product\": \"large\"}",
              &ev) == TSIM__OK);
    CHECK(ev.enter == 1 && strcmp(ev.part, "P-17") == 0 && ev.product == 1);
    CHECK(dec(&in, "line/orders", "{\"ts\": 2, \"seq\": 4, \"order\": 77, \"product\": "
                                  "\"small\", \"qty\": 5, \"due\": 3600}", &ev) == TSIM__OK);
    CHECK(ev.kind == TSIM__TEV_ORDER && strcmp(ev.order, "77") == 0 && ev.quantity == 5 &&
          ev.due == 3600);
    CHECK(dec(&in, "line/params", "{\"ts\": 2, \"seq\": 6, \"name\": \"capper.process\", "
                                  "\"value\": \"uniform(1, 2)\"}", &ev) == TSIM__OK);
    CHECK(dec(&in, "line/twin/cmd", "{\"cmd\": \"forecast\"}", &ev) == TSIM__OK &&
          ev.kind == TSIM__TEV_COMMAND);
    CHECK(in.dropped[TSIM__D_TOOBIG] == 1 && in.dropped[TSIM__D_UTF8] == 2 &&
          in.dropped[TSIM__D_JSON] == 2 && in.dropped[TSIM__D_TOPIC] == 1 &&
          in.dropped[TSIM__D_FIELD] == 4 && in.dropped[TSIM__D_VALUE] == 9);
    CHECK(in.received == 24);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* Values checked against the model: a level only for a buffer, within 0 and its capacity; a
 * count a whole number. */
static void test_plausible_values(void)
{
    struct tsim_model *m = load_model();
    char *text = mapping_with_counts("1h");
    struct tsim__map *map = m && text ? load_map(m, text) : NULL;
    free(text);
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__tev ev;
    char err[256];
#define LEVEL(json) tsim__ingest_decode(&in, "line/buffers", json, strlen(json), &ev, err, sizeof err)
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 1, \"block\": \"buf1\", \"level\": 25}") == TSIM__OK &&
          ev.level == 25);
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 2, \"block\": \"buf1\", \"level\": 26}") == TSIM__D_VALUE);
    CHECK_STR(err, "level 26 of 'buf1' is above its capacity of 25");
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 3, \"block\": \"buf2\", \"level\": 1e9}") == TSIM__D_VALUE);
    CHECK_STR(err, "level 1000000000 of 'buf2' is above its capacity of 5");
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 4, \"block\": \"buf1\", \"level\": -1}") == TSIM__D_VALUE);
    CHECK_STR(err, "level -1 of 'buf1' is below 0");
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 5, \"block\": \"buf1\", \"level\": 2.5}") == TSIM__D_VALUE);
    CHECK_STR(err, "bad level in field 'level'");
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 6, \"block\": \"FILL-01\", \"level\": 3}") == TSIM__D_VALUE);
    CHECK_STR(err, "block 'filler' (a 'machine' block) has no level: only buffers do");
    CHECK(LEVEL("{\"ts\": 1, \"seq\": 7, \"block\": \"done\", \"level\": 3}") == TSIM__D_VALUE);
    CHECK_STR(err, "block 'done' (a 'sink' block) has no level: only buffers do");
#undef LEVEL
#define COUNT(json) tsim__ingest_decode(&in, "line/counts", json, strlen(json), &ev, err, sizeof err)
    CHECK(COUNT("{\"ts\": 1, \"seq\": 8, \"station\": \"done\", \"total\": 12}") == TSIM__OK &&
          ev.kind == TSIM__TEV_COUNT && ev.level == 12);
    CHECK(COUNT("{\"ts\": 1, \"seq\": 9, \"station\": \"done\", \"total\": -1}") == TSIM__D_VALUE);
    CHECK_STR(err, "bad count in field 'total' (a whole number, 0 or more)");
    CHECK(COUNT("{\"ts\": 1, \"seq\": 10, \"station\": \"done\", \"total\": \"7\"}") ==
          TSIM__D_VALUE);
    CHECK(COUNT("{\"ts\": 1, \"seq\": 11, \"station\": \"done\"}") == TSIM__D_FIELD);
#undef COUNT
    CHECK(in.dropped[TSIM__D_VALUE] == 8 && in.dropped[TSIM__D_FIELD] == 1 && in.received == 11);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* `stock_level`: a storage block's count of a product, each fault with its reason and text. */
static void test_stock_level(void)
{
    static const char model[] =
        "name: wms\ntime_unit: min\nproducts: [A, B]\nblocks:\n"
        "  - source: receiving\n    interarrival: constant(1000)\n    to: rack\n"
        "  - storage: rack\n    bays: 4\n    levels: 3\n    initial: empty\n    to: out\n"
        "  - sink: out\n";
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(model, strlen(model), "wms.yaml", NULL, &d);
    tsim_diags_release(&d);
    CHECK(m != NULL);
    struct tsim__map *map = m ? load_map(m, "events:\n  - topic: wms/stock\n"
                                               "    kind: stock_level\n"
                                               "    fields: {block: loc, product: sku, level: qty}\n")
                              : NULL;
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__tev ev;
    char err[256];
#define STOCK(json) tsim__ingest_decode(&in, "wms/stock", json, strlen(json), &ev, err, sizeof err)
    CHECK(STOCK("{\"ts\": 1, \"seq\": 1, \"loc\": \"rack\", \"sku\": \"B\", \"qty\": 7}") ==
              TSIM__OK &&
          ev.kind == TSIM__TEV_STOCK && ev.product == 1 && ev.level == 7);
    CHECK(STOCK("{\"ts\": 1, \"seq\": 2, \"loc\": \"rack\", \"sku\": \"A\", \"qty\": 0}") ==
              TSIM__OK &&
          ev.product == 0 && ev.level == 0);
    CHECK(STOCK("{\"ts\": 1, \"seq\": 3, \"loc\": \"out\", \"sku\": \"A\", \"qty\": 1}") ==
          TSIM__D_VALUE);
    CHECK_STR(err, "block 'out' (a 'sink' block) has no stock: only storage blocks do");
    CHECK(STOCK("{\"ts\": 1, \"seq\": 4, \"loc\": \"rack\", \"sku\": \"A\", \"qty\": -1}") ==
          TSIM__D_VALUE);
    CHECK_STR(err, "bad stock level in field 'qty' (a whole number, 0 or more)");
    CHECK(STOCK("{\"ts\": 1, \"seq\": 5, \"loc\": \"rack\", \"sku\": \"A\", \"qty\": 1.5}") ==
          TSIM__D_VALUE);
    CHECK(STOCK("{\"ts\": 1, \"seq\": 6, \"loc\": \"rack\", \"sku\": \"A\", \"qty\": \"3\"}") ==
          TSIM__D_VALUE);
    CHECK(STOCK("{\"ts\": 1, \"seq\": 7, \"loc\": \"rack\", \"sku\": \"Z\", \"qty\": 3}") ==
          TSIM__D_VALUE);
    CHECK_STR(err, "unknown product 'Z'");
    CHECK(STOCK("{\"ts\": 1, \"seq\": 8, \"loc\": \"rack\", \"qty\": 3}") == TSIM__D_FIELD);
    CHECK_STR(err, "missing field 'sku'");
    CHECK(STOCK("{\"ts\": 1, \"seq\": 9, \"loc\": \"rack\", \"sku\": \"A\"}") == TSIM__D_FIELD);
    CHECK_STR(err, "missing field 'qty'");
#undef STOCK
    CHECK(in.dropped[TSIM__D_VALUE] == 5 && in.dropped[TSIM__D_FIELD] == 2 && in.received == 9);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

static void test_duplicates(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__tev ev;
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, \"seq\": 10}", &ev) == TSIM__OK);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, \"seq\": 10}", &ev) == TSIM__D_DUP);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, \"seq\": \"10\"}", &ev) == TSIM__D_DUP);
    CHECK(dec(&in, "line/FILL-01/state", "{\"ts\": 1, \"seq\": 10, \"state\": \"idle\"}", &ev) ==
          TSIM__OK);
    /* A malformed message does not take an id. */
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": \"x\", \"seq\": 11}", &ev) == TSIM__D_VALUE);
    CHECK(dec(&in, "line/heartbeat", "{\"ts\": 1, \"seq\": 11}", &ev) == TSIM__OK);
    CHECK(in.dropped[TSIM__D_DUP] == 2);
    /* The window: ids are forgotten only after TSIM__DEDUP_WINDOW newer ones. */
    struct tsim__dedup d;
    tsim__dedup_init(&d);
    int dup_inside = 0, fresh = 0;
    for (uint64_t k = 1; k <= 3 * TSIM__DEDUP_WINDOW; k++) fresh += !tsim__dedup_seen(&d, k * 7919);
    for (uint64_t k = 2 * TSIM__DEDUP_WINDOW + 1; k <= 3 * TSIM__DEDUP_WINDOW; k++)
        dup_inside += tsim__dedup_seen(&d, k * 7919);
    CHECK(fresh == 3 * (int)TSIM__DEDUP_WINDOW);
    CHECK(dup_inside == (int)TSIM__DEDUP_WINDOW);
    CHECK(!tsim__dedup_seen(&d, 7919));
    tsim__dedup_release(&d);
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* ---- batches ------------------------------------------------------------------------------- */

/* What tsim__ingest_each reported, event by event: one letter per event ('.' accepted, else t
 * too_big, n not_utf8, j bad_json, u unknown_topic, m missing_field, v bad_value, d duplicate,
 * l late, f future), the first errors, and the last accepted event. */
struct seen {
    char codes[64];
    size_t n;
    struct tsim__tev last;
    char err[8][160];
};

static void on_event(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev, const char *err)
{
    struct seen *s = ctx;
    if (s->n + 1 >= sizeof s->codes) return;
    s->codes[s->n] = ".tnjumvdlf"[rc];
    if (rc == TSIM__OK) s->last = *ev;
    if (s->n < 8) snprintf(s->err[s->n], sizeof s->err[0], "%s", err);
    s->codes[++s->n] = '\0';
}

static const char *each(struct tsim__ingest *in, const char *topic, const char *json,
                        struct seen *s)
{
    memset(s, 0, sizeof *s);
    size_t k = tsim__ingest_each(in, topic, json, strlen(json), on_event, s);
    CHECK(k == s->n);
    return s->codes;
}

static uint64_t total_dropped(const struct tsim__ingest *in)
{
    uint64_t n = 0;
    for (int i = 1; i < TSIM__D_COUNT; i++) n += in->dropped[i];
    return n;
}

static void test_batches(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    if (!map) return;
    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct seen s;
    map->max_payload = 1024;
    /* A good batch: heartbeats on the message's topic, a state naming its own topic. */
    CHECK_STR(each(&in, "line/heartbeat",
                   " [{\"ts\": 1, \"seq\": 1}, {\"ts\": 2, \"seq\": 2},\n"
                   "  {\"topic\": \"line/FILL-01/state\", \"ts\": 3, \"seq\": 3,"
                   "   \"state\": \"down\"}]",
                   &s),
              "...");
    CHECK(s.last.kind == TSIM__TEV_STATE && s.last.state == TSIM__PS_DOWN && s.last.ts == 3 &&
          s.last.block == tsim_model_find_block(m, "filler"));
    CHECK(in.received == 3 && total_dropped(&in) == 0);
    /* A single object still decodes as it always did. */
    CHECK_STR(each(&in, "line/heartbeat", "{\"ts\": 4, \"seq\": 4}", &s), ".");
    /* Mixed: each bad item is dropped and counted for its own reason, the rest go on. */
    CHECK_STR(each(&in, "line/heartbeat",
                   "[{\"ts\": 5, \"seq\": 5}, 7, {\"ts\": \"x\", \"seq\": 6}, {\"seq\": 7},"
                   " {\"topic\": \"line/nowhere\", \"ts\": 5, \"seq\": 8},"
                   " {\"topic\": 12, \"ts\": 5, \"seq\": 9},"
                   " {\"topic\": \"line/twin/cmd\", \"cmd\": \"forecast\"},"
                   " {\"topic\": \"line/FILL-01/state\", \"ts\": 5, \"seq\": 10, \"state\": \"x\"},"
                   " {\"ts\": 6, \"seq\": 11}]",
                   &s),
              ".jvmuvuv.");
    CHECK_STR(s.err[1], "batch item 2: not a JSON object");
    CHECK_STR(s.err[3], "batch item 4: missing field 'ts'");
    CHECK_STR(s.err[4], "batch item 5: no rule for topic 'line/nowhere'");
    CHECK(s.last.ts == 6);
    CHECK(in.received == 4 + 9 && in.dropped[TSIM__D_JSON] == 1 &&
          in.dropped[TSIM__D_VALUE] == 3 && in.dropped[TSIM__D_FIELD] == 1 &&
          in.dropped[TSIM__D_TOPIC] == 2 && total_dropped(&in) == 7);
    /* Duplicates: inside one batch, across batches, and between a batch and a single message;
     * the same id on another topic is another event. A malformed item takes no id. */
    CHECK_STR(each(&in, "line/heartbeat",
                   "[{\"ts\": 7, \"seq\": 20}, {\"ts\": 7, \"seq\": 20},"
                   " {\"ts\": \"x\", \"seq\": 21},"
                   " {\"ts\": 7, \"seq\": 21}, {\"topic\": \"line/FILL-01/state\", \"ts\": 7,"
                   " \"seq\": 20, \"state\": \"idle\"}]",
                   &s),
              ".dv..");
    CHECK_STR(each(&in, "line/heartbeat", "[{\"ts\": 8, \"seq\": 21}, {\"ts\": 8, \"seq\": 22}]",
                   &s),
              "d.");
    CHECK_STR(each(&in, "line/heartbeat", "{\"ts\": 8, \"seq\": 22}", &s), "d");
    CHECK(in.dropped[TSIM__D_DUP] == 3);
    /* Faults of the payload as a whole count once: there are no items to count. */
    uint64_t r0 = in.received, d0 = total_dropped(&in);
    CHECK_STR(each(&in, "line/heartbeat", "[]", &s), "j");
    CHECK_STR(s.err[0], "empty batch");
    CHECK_STR(each(&in, "line/heartbeat", "  [ ]  ", &s), "j");
    CHECK_STR(each(&in, "line/heartbeat", "[{\"ts\": 9, \"seq\": 30},", &s), "j");
    CHECK_STR(each(&in, "line/twin/cmd", "[{\"cmd\": \"forecast\"}]", &s), "j");
    CHECK_STR(s.err[0], "commands are not batched");
    CHECK_STR(each(&in, "line/heartbeat", "[{\"ts\": 9, \"seq\": \"\xc0\xaf\"}]", &s), "n");
    /* Nested garbage: deeper than cJSON's nesting limit fails as a whole; shallower garbage is
     * an item of the wrong shape or a field of the wrong type. */
    char deep[2101];
    memset(deep, '[', 1050);
    memset(deep + 1050, ']', 1050);
    deep[2100] = '\0';
    CHECK_STR(each(&in, "line/heartbeat", deep, &s), "t"); /* over the 256-byte cap first */
    map->max_payload = sizeof deep;
    CHECK_STR(each(&in, "line/heartbeat", deep, &s), "j");
    map->max_payload = 1024;
    CHECK_STR(each(&in, "line/heartbeat",
                   "[[{\"ts\": 9, \"seq\": 31}], {\"ts\": [[{}]], \"seq\": 32},"
                   " {\"ts\": 9, \"seq\": {\"a\": [1]}}, {\"ts\": 9, \"seq\": 33}]",
                   &s),
              "jvv.");
    CHECK(in.received == r0 + 7 + 4 && total_dropped(&in) == d0 + 7 + 3);
    /* Oversized: the cap applies to the batch as a whole, before anything is parsed. */
    char big[600];
    size_t o = 0;
    big[o++] = '[';
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(big + o, sizeof big - o, "%s{\"ts\": 10, \"seq\": %d}",
                              i ? "," : "", 100 + i);
    big[o++] = ']';
    big[o] = '\0';
    CHECK(o > 256);
    map->max_payload = 256;
    CHECK_STR(each(&in, "line/heartbeat", big, &s), "t");
    char want[80];
    snprintf(want, sizeof want, "payload of %zu bytes is over the cap of 256", o);
    CHECK_STR(s.err[0], want);
    /* Under a larger cap the same batch is 20 events, and its ids were not taken before. */
    map->max_payload = 4096;
    CHECK_STR(each(&in, "line/heartbeat", big, &s), "....................");
    tsim__ingest_release(&in);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}

/* The emulator's batch builder: items keep their order, later items name their own topic where
 * it differs, a batch never grows past the cap, and a batch of one is the plain message. */

int main(void)
{
    RUN(test_utf8_and_time);
    RUN(test_payload_faults);
    RUN(test_plausible_values);
    RUN(test_stock_level);
    RUN(test_duplicates);
    RUN(test_batches);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_ingest_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
