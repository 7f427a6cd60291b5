/*
 * What the twin's unit tests share: a small line (arrivals, a buffer, a filler that fails, a second
 * buffer, a two-server capper, a sink), its mapping, and helpers that decode and apply messages.
 * Included by tests/unit/test_twin_*.c only, after check.h and twin/twin.h.
 */
#ifndef TSIM_TEST_TWIN_FIXTURE_H
#define TSIM_TEST_TWIN_FIXTURE_H

#include "core/core.h"
#include "twin/twin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const line_model __attribute__((unused)) =
    "name: twin-line\n"
    "time_unit: min\n"
    "products: [small, large]\n"
    "blocks:\n"
    "  - source: arrivals\n"
    "    interarrival: exponential(1)\n"
    "    product: {small: 0.6, large: 0.4}\n"
    "    to: buf1\n"
    "  - buffer: buf1\n"
    "    capacity: 25\n"
    "    to: filler\n"
    "  - machine: filler\n"
    "    process: {small: triangular(0.6, 0.8, 1.0), large: 0.9}\n"
    "    failures: {between: exponential(45min), repair: uniform(3min, 8min)}\n"
    "    to: buf2\n"
    "  - buffer: buf2\n"
    "    capacity: 5\n"
    "    to: capper\n"
    "  - machine: capper\n"
    "    servers: 2\n"
    "    process: uniform(1.2, 1.8)\n"
    "    to: done\n"
    "  - sink: done\n";

static const char *const line_mapping __attribute__((unused)) =
    "time: {field: ts, unit: s, late: 2s, ahead: 1h, max_gap: 12h, origin: 1000000}\n"
    "id: seq\n"
    "max_payload: 256\n"
    "names: {FILL-01: filler, CAP-01: capper}\n"
    "events:\n"
    "  - topic: line/{block}/state\n"
    "    kind: machine_state\n"
    "  - topic: line/parts\n"
    "    kind: part\n"
    "    fields: {block: station, action: event, part: id, product: product}\n"
    "  - topic: line/buffers\n"
    "    kind: buffer_level\n"
    "  - topic: line/orders\n"
    "    kind: order\n"
    "    block: buf1\n"
    "    fields: {quantity: qty}\n"
    "  - topic: line/params\n"
    "    kind: param\n"
    "  - topic: line/heartbeat\n"
    "    kind: heartbeat\n"
    "twin: {command: line/twin/cmd}\n"
    "forecast: {replications: 12, horizon: 8h, seed: 7, plan: 400, threads: 1}\n"
    "alerts:\n"
    "  - {kpi: p_meet_plan, below: 0.8}\n"
    "emulator: {heartbeat: 1min}\n";

__attribute__((unused)) static struct tsim_model *load_model(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(line_model, strlen(line_model), "line.yaml", NULL, &d);
    if (!m) tsim_diags_print(&d, "line.yaml", stderr);
    tsim_diags_release(&d);
    return m;
}

__attribute__((unused)) static struct tsim__map *load_map(const struct tsim_model *m, const char *text)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__map *map = tsim__map_load(text, strlen(text), m, &d);
    if (!map) tsim_diags_print(&d, "line.mapping.yaml", stderr);
    tsim_diags_release(&d);
    return map;
}

/* All diagnostics of loading `text`, as "LINE:COL: MESSAGE" lines. */

/* Decode and apply one message to a live twin. */
__attribute__((unused)) static enum tsim__drop feed(struct tsim__ingest *in, struct tsim__live *lv, const char *topic,
                            const char *json)
{
    struct tsim__tev ev;
    char err[256];
    enum tsim__drop rc = tsim__ingest_decode(in, topic, json, strlen(json), &ev, err, sizeof err);
    if (rc != TSIM__OK) return rc;
    rc = tsim__live_apply(lv, &ev, err, sizeof err);
    if (getenv("TWIN_DEBUG") && (rc != TSIM__OK || strstr(json, getenv("TWIN_DEBUG"))))
        fprintf(stderr, "  DEBUG %s %s -> %s %s\n", topic, json, tsim__drop_name(rc), err);
    return rc;
}

__attribute__((unused)) static const char *const fc_events[] = {
    "line/FILL-01/state", "{\"ts\": 1000000, \"seq\": 1, \"state\": \"running\"}",
    "line/buffers", "{\"ts\": 1001800, \"seq\": 2, \"block\": \"buf1\", \"level\": 6}",
    "line/orders", ("{\"ts\": 1001800, \"seq\": 3, \"order\": \"O7\", \"product\": \"small\", "
                    "\"qty\": 15, \"due\": 1004200}"),
    "line/FILL-01/state", "{\"ts\": 1002400, \"seq\": 4, \"state\": \"down\"}",
    "line/heartbeat", "{\"ts\": 1003000, \"seq\": 5}",
};
#define N_FC_EVENTS (sizeof fc_events / sizeof *fc_events / 2)

__attribute__((unused)) static struct tsim__live *live_after_events(struct tsim_model *m, const struct tsim__map *map,
                                            struct tsim__ingest *in)
{
    struct tsim__live *lv = tsim__live_create(m, map, 5);
    for (size_t i = 0; i < N_FC_EVENTS; i++) {
        enum tsim__drop rc = feed(in, lv, fc_events[2 * i], fc_events[2 * i + 1]);
        if (rc != TSIM__OK) fprintf(stderr, "  event %zu: %s\n", i, tsim__drop_name(rc));
        CHECK(rc == TSIM__OK);
    }
    return lv;
}


/* The line's mapping with a `count` rule added (a PLC part counter per station on line/counts)
 * and `ahead` as given. Ownership: free with free(). */
__attribute__((unused)) static char *mapping_with_counts(const char *ahead)
{
    const char *at = strstr(line_mapping, "  - topic: line/heartbeat\n");
    const char *ah = strstr(line_mapping, "ahead: 1h");
    size_t n = strlen(line_mapping) + 256;
    char *out = malloc(n);
    if (!out || !at || !ah) {
        free(out);
        return NULL;
    }
    snprintf(out, n,
             "%.*sahead: %s%.*s  - topic: line/counts\n    kind: count\n"
             "    fields: {block: station, count: total}\n%s",
             (int)(ah - line_mapping), line_mapping, ahead, (int)(at - (ah + 9)), ah + 9, at);
    return out;
}

#endif
