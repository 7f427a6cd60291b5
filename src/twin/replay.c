/*
 * Replaying a recorded forecast: the recorded messages up to the forecast's point fed to a fresh
 * live twin, then the forecast run again with its recorded seed. Equal JSON (the wall time
 * aside) shows that a forecast depends only on the messages, which is what makes the recording
 * trustworthy. No broker, nothing published, nothing printed.
 */
#include "core/core.h"
#include "twin/twin.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    struct tsim__ingest in;
    struct tsim__live *lv;
};

static void replay_event(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev,
                         const char *err)
{
    (void)err;
    struct replay *r = ctx;
    char aerr[256];
    if (rc == TSIM__OK && ev->kind != TSIM__TEV_COMMAND)
        tsim__live_apply(r->lv, ev, aerr, sizeof aerr);
}

static void replay_one(void *ctx, const char *topic, const void *payload, size_t len)
{
    struct replay *r = ctx;
    tsim__ingest_each(&r->in, topic, payload, len, replay_event, r);
}

/* A forecast's JSON without its wall time, which no replay reproduces. */
static cJSON *comparable(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    if (o) cJSON_DeleteItemFromObjectCaseSensitive(o, "wall_ms");
    return o;
}

int tsim__twin_replay(struct tsim_model *m, struct tsim__map *map, const char *db, uint64_t id,
                      FILE *out, char *err, size_t errlen)
{
    uint64_t events = 0, seed = 0;
    char *stored = NULL;
    if (tsim__store_get_forecast(db, id, &events, &seed, &stored, err, errlen) != 0) return 1;
    cJSON *want = comparable(stored);
    const cJSON *reps = cJSON_GetObjectItemCaseSensitive(want, "replications");
    map->seed = seed;
    if (cJSON_IsNumber(reps) && reps->valuedouble >= 1) map->replications = (int)reps->valuedouble;
    char *s = tsim__store_get_meta(db, "live_seed");
    uint64_t live_seed = s ? strtoull(s, NULL, 10) : 1;
    tsim__free(s);
    struct replay r;
    tsim__ingest_init(&r.in, map);
    r.lv = tsim__live_create(m, map, live_seed);
    int rc = 1;
    if (!r.lv) {
        snprintf(err, errlen, "%s", tsim_errmsg());
        goto done;
    }
    if ((s = tsim__store_get_meta(db, "origin"))) {
        r.lv->has_origin = 1;
        r.lv->origin = strtod(s, NULL);
        tsim__free(s);
    }
    if (tsim__store_replay(db, events, replay_one, &r, err, errlen) != 0) goto done;
    struct tsim__fc_input in;
    tsim__fc_input_take(&in, r.lv, id);
    in.events_applied = events;
    struct tsim__fc_result res;
    tsim__fc_run(&in, &res);
    char *json = tsim__fc_json(&in, &res);
    fprintf(out, "%s\n", json);
    cJSON *got = comparable(json);
    if (want && got && cJSON_Compare(want, got, 1))
        rc = 0;
    else
        snprintf(err, errlen, "replayed forecast %llu differs from the recorded one: %.400s",
                 (unsigned long long)id, stored);
    cJSON_Delete(got);
    tsim__free(json);
    tsim__fc_result_release(&res);
    tsim__fc_input_release(&in);
done:
    cJSON_Delete(want);
    tsim__free(stored);
    tsim__live_destroy(r.lv);
    tsim__ingest_release(&r.in);
    return rc;
}
