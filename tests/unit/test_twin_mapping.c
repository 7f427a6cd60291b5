/*
 * The twin's mapping file (src/twin/mapping.c): diagnostics word for word, and what a good
 * mapping reads as.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"

static void diag_text(const struct tsim_model *m, const char *text, char *out, size_t len)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__map *map = tsim__map_load(text, strlen(text), m, &d);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d.n && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%d:%d: %s\n", d.items[i].line, d.items[i].col,
                              d.items[i].message);
    tsim__map_destroy(map);
    tsim_diags_release(&d);
}

static void test_mapping_diagnostics(void)
{
    struct tsim_model *m = load_model();
    CHECK(m != NULL);
    if (!m) return;
    char buf[4096];
    diag_text(m,
              "time: {field: ts, unit: hours}\n"
              "events:\n"
              "  - topic: a/{block}/state\n"
              "    kind: machine_stat\n"
              "  - topic: a/parts\n"
              "    kind: part\n"
              "    fields: {station: st}\n"
              "  - topic: a/levels\n"
              "    kind: buffer_level\n"
              "    block: bufer1\n"
              "  - topic: a/x{block}\n"
              "    kind: heartbeat\n"
              "forcast: {replications: 3}\n"
              "alerts:\n"
              "  - {kpi: p_meet_plans, below: 0.8}\n",
              buf, sizeof buf);
    CHECK_STR(buf,
              "1:25: unknown timestamp unit 'hours' (expected 's', 'ms' or 'iso')\n"
              "4:11: unknown event kind 'machine_stat' (did you mean 'machine_state'?)\n"
              "7:14: unknown key 'station' in 'fields' of a 'part' event\n"
              "10:12: unknown block 'bufer1' (did you mean 'buf1'?)\n"
              "11:12: topic 'a/x{block}': only a whole level '{block}' may be a placeholder\n"
              "13:1: unknown key 'forcast' in the mapping (did you mean 'forecast'?)\n"
              "15:11: unknown kpi 'p_meet_plans' (did you mean 'p_meet_plan'?)\n");
    diag_text(m, "events: [\n", buf, sizeof buf);
    CHECK(strstr(buf, "2:1: ") == buf);
    diag_text(m, "twin: {command: a/b}\n", buf, sizeof buf);
    CHECK_STR(buf, "1:1: the mapping has no 'events'\n");
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim__map_load_file("/nonexistent/x.yaml", m, &d) == NULL);
    CHECK(d.errors == 1);
    tsim_diags_release(&d);
    tsim_model_destroy(m);
}

/* The diagnostics of mapping text `text` as tsim_diags_print writes them for file "x.yaml". */
static char *map_diags(const struct tsim_model *m, const char *text, size_t len)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__map *map = tsim__map_load(text, len, m, &d);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    tsim_diags_print(&d, "x.yaml", f);
    fclose(f);
    tsim__map_destroy(map);
    tsim_diags_release(&d);
    return out;
}

/* A mapping file gets the guards of a model file: the reader under both is one. */
static void test_mapping_file_guards(void)
{
    struct tsim_model *m = load_model();
    CHECK(m != NULL);
    if (!m) return;
    static const struct {
        const char *text;
        const char *expect;
    } cases[] = {
        {"events:\n  - &r {topic: a/b, kind: heartbeat}\n  - *r\n",
         "x.yaml:2:9: error: anchor '&r' is not allowed (mapping files take no anchors or "
         "aliases)\n"
         "x.yaml:3:6: error: alias '*r' is not allowed (mapping files take no anchors or "
         "aliases)\n"},
        {"events:\n  - {topic: a/b, kind: heartbeat}\n---\nqos: 1\n",
         "x.yaml:4:1: error: second YAML document (a mapping file holds exactly one)\n"},
        {"events:\n  - {topic: a/\xC3\x28, kind: heartbeat}\n",
         "x.yaml:2:15: error: invalid UTF-8 byte 0xC3\n"},
        {"events:\n  - {topic: a/b, kind: heartbeat}\nqos: 1\nsubscrbe: [a/#]\n",
         "x.yaml:4:1: error: unknown key 'subscrbe' in the mapping (did you mean 'subscribe'?)\n"},
        {"events:\n  - {topic: a/b, kind: heartbeat}\nqos: 0x1\n",
         "x.yaml:3:6: error: bad qos '0x1' (0, 1 or 2)\n"},
        {"events:\n  - {topic: a/b, kind: heartbeat}\n[a]: 1\n",
         "x.yaml:3:2: error: mapping keys must be plain names\n"},
        {"", "x.yaml: error: mapping file is empty\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = map_diags(m, cases[i].text, strlen(cases[i].text));
        CHECK_STR(got, cases[i].expect);
        free(got);
    }
    /* One byte over the cap, refused before any parsing. */
    size_t big = (size_t)TSIM_MODEL_MAX_BYTES + 1;
    char *text = malloc(big + 1);
    memset(text, '#', big);
    text[big] = '\0';
    char *got = map_diags(m, text, big);
    char want[160];
    snprintf(want, sizeof want,
             "x.yaml: error: mapping file is too large (%zu bytes; the limit is %u)\n", big,
             TSIM_MODEL_MAX_BYTES);
    CHECK_STR(got, want);
    free(got);
    free(text);
    /* A file that is not a regular one is refused, not read. */
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim__map_load_file("/dev/zero", m, &d) == NULL);
    CHECK(d.n == 1 && strstr(d.items[0].message, "not a regular file") != NULL);
    tsim_diags_release(&d);
    tsim_model_destroy(m);
}

/* The keys of the clock defence, the status topic and count events. */
static void test_mapping_new_keys(void)
{
    struct tsim_model *m = load_model();
    if (!m) return;
    char *text = mapping_with_counts("90s");
    struct tsim__map *map = text ? load_map(m, text) : NULL;
    CHECK(map != NULL);
    if (map) {
        CHECK_NEAR(map->ahead, 1.5, 1e-12);
        CHECK(map->nrules == 7 && map->rules[5].kind == TSIM__TEV_COUNT);
        CHECK_STR(map->rules[5].field[TSIM__R_TOTAL], "total");
        CHECK_STR(map->rules[5].field[TSIM__R_BLOCK], "station");
    }
    tsim__map_destroy(map);
    free(text);
    /* Defaults: five minutes ahead, no status topic. */
    map = load_map(m, "events: [{topic: a/b, kind: heartbeat}]\ntwin: {status: t/s}\n");
    CHECK(map != NULL);
    if (map) {
        CHECK_NEAR(map->ahead, 5, 1e-12);
        CHECK_STR(map->topic_status, "t/s");
    }
    tsim__map_destroy(map);
    char buf[1024];
    diag_text(m,
              "time: {ahead: 0}\n"
              "events:\n"
              "  - {topic: a/c, kind: count, fields: {level: n}}\n"
              "twin: {statu: x, status: 'a/#'}\n",
              buf, sizeof buf);
    CHECK_STR(buf,
              "1:15: 'ahead' must be positive\n"
              "3:40: a 'count' event has no field 'level'\n"
              "4:8: unknown key 'statu' in 'twin' (did you mean 'state'?)\n"
              "4:26: bad topic 'a/#' for 'status' (no wildcards)\n"); /* at the quote */
    tsim_model_destroy(m);
}

static void test_mapping_good(void)
{
    struct tsim_model *m = load_model();
    struct tsim__map *map = m ? load_map(m, line_mapping) : NULL;
    CHECK(map != NULL);
    if (!map) {
        tsim_model_destroy(m);
        return;
    }
    CHECK(map->nrules == 6);
    CHECK_NEAR(map->ahead, 60, 1e-12);
    CHECK(map->topic_status == NULL);
    CHECK_STR(map->rules[0].filter, "line/+/state");
    CHECK(map->rules[0].block_level == 1);
    CHECK_STR(map->rules[1].field[TSIM__R_BLOCK], "station");
    CHECK_STR(map->rules[3].field[TSIM__R_QUANTITY], "qty");
    CHECK_STR(map->rules[3].field[TSIM__R_ORDER], "order");
    CHECK(map->rules[3].fixed_block == tsim_model_find_block(m, "buf1"));
    CHECK(map->has_origin && map->origin == 1000000);
    CHECK_NEAR(map->late, 2.0 / 60, 1e-12);
    CHECK(map->horizon_mode == 0 && map->horizon == 480);
    CHECK_STR(tsim__map_block_name(map, tsim_model_find_block(m, "filler")), "FILL-01");
    CHECK(tsim__topic_match("a/+/c", "a/b/c") && !tsim__topic_match("a/+/c", "a/b/d"));
    CHECK(tsim__topic_match("a/#", "a/b/c") && tsim__topic_match("a/#", "a"));
    CHECK(!tsim__topic_match("+/x", "$SYS/x") && !tsim__topic_match("a/b", "a/b/c"));
    tsim__map_destroy(map);
    tsim_model_destroy(m);
}


int main(void)
{
    RUN(test_mapping_diagnostics);
    RUN(test_mapping_file_guards);
    RUN(test_mapping_good);
    RUN(test_mapping_new_keys);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_mapping_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
