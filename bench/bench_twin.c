/*
 * bench_twin: the live twin's two goals, measured.
 *   bench_twin ingest MODEL MAPPING PORT [N [BATCH]]   plant events per second through a real
 *       broker on loopback: N events (composed by the emulator from a run of MODEL, so they are
 *       the events a plant would send), BATCH to a message (default 1; batches are built as
 *       `twinsim emulate --batch` builds them), are published at QoS 1 by one client and received
 *       at QoS 1 by the twin's own pipeline (queue, decode, duplicate check, apply to the live
 *       sim). The rates are events and messages over the time from the first message received
 *       to the last event applied. BENCH_TWIN_DB=FILE records as the twin with --db does: each
 *       message in SQLite, committed after every drain of the queue, and acknowledged to the
 *       broker only then (the durability gate); BENCH_TWIN_FSYNC=1 adds a disk flush to every
 *       commit, as `twinsim twin --fsync` does.
 *   bench_twin forecast MODEL MAPPING [REPS [HOURS [THREADS]]]   one forecast of HOURS (default
 *       8) from the run's start, REPS replications (default 30).
 * Prints a RESULT line (key=value) as the other benches do.
 */
#include "core/core.h"
#include "twin/twin.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int load(const char *model, const char *mapping, struct tsim_model **m,
                struct tsim__map **map)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    *m = tsim_model_load_file(model, NULL, &d);
    tsim_diags_print(&d, model, stderr);
    tsim_diags_release(&d);
    if (!*m) return -1;
    tsim_diags_init(&d);
    *map = tsim__map_load_file(mapping, *m, &d);
    tsim_diags_print(&d, mapping, stderr);
    tsim_diags_release(&d);
    return *map ? 0 : -1;
}

/* ---- ingest --------------------------------------------------------------------------------- */

struct msgs {
    char **topic, **json;
    size_t n, cap;
};

static void collect(void *ctx, const char *topic, const char *json)
{
    struct msgs *ms = ctx;
    if (ms->n == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 4096;
        ms->topic = tsim__realloc(ms->topic, ms->cap * sizeof *ms->topic);
        ms->json = tsim__realloc(ms->json, ms->cap * sizeof *ms->json);
    }
    ms->topic[ms->n] = tsim__strdup(topic);
    ms->json[ms->n] = tsim__strdup(json);
    ms->n++;
}

/* The plant: publishes every message at QoS 1 from its own thread, as fast as the broker
 * acknowledges them. */
struct publisher {
    struct tsim__mqtt *c;
    const struct msgs *ms;
    int qos;
};

static void *publish_all(void *arg)
{
    struct publisher *p = arg;
    for (size_t i = 0; i < p->ms->n; i++) {
        tsim__mqtt_throttle(p->c, 100, NULL);
        tsim__mqtt_publish(p->c, p->ms->topic[i], p->ms->json[i], strlen(p->ms->json[i]),
                           p->qos, 0);
    }
    return NULL;
}

/* The events as messages of up to `batch` events each, never over `cap` bytes. */
static void make_batches(const struct msgs *ev, int batch, size_t cap, struct msgs *out)
{
    struct tsim__batch b;
    tsim__batch_init(&b);
    size_t len;
    for (size_t i = 0; i < ev->n; i++) {
        if (tsim__batch_add(&b, ev->topic[i], ev->json[i], cap) != 0) {
            collect(out, b.topic, tsim__batch_payload(&b, &len));
            tsim__batch_clear(&b);
            tsim__batch_add(&b, ev->topic[i], ev->json[i], cap);
        }
        if (b.n >= batch || i + 1 == ev->n) {
            collect(out, b.topic, tsim__batch_payload(&b, &len));
            tsim__batch_clear(&b);
        }
    }
    tsim__batch_release(&b);
}

/* The twin's side: every event is applied, every drop counted. */
struct sink {
    struct tsim__live *lv;
    size_t events, bad;
};

static void on_event(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev, const char *err)
{
    (void)err;
    struct sink *k = ctx;
    char e[256];
    k->events++;
    if (rc != TSIM__OK || tsim__live_apply(k->lv, ev, e, sizeof e) != TSIM__OK) k->bad++;
}

static void on_msg(void *ctx, const char *topic, const void *payload, size_t len, int qos)
{
    (void)qos;
    tsim__msgq_push(ctx, topic, payload, len);
}

static int on_sync(void *ctx)
{
    struct tsim__msgq *q = ctx;
    return tsim__msgq_wait_done(q, tsim__msgq_pushed(q));
}

static int bench_ingest(const char *model, const char *mapping, int port, size_t want, int batch)
{
    struct tsim_model *m;
    struct tsim__map *map;
    if (load(model, mapping, &m, &map) != 0) return 1;
    /* The plant's messages: an emulator run, as fast as it goes, until there are enough. */
    struct msgs ms = {0};
    struct tsim_sim *plant = tsim_sim_create(m, 11, 0);
    struct tsim__emu e;
    tsim__emu_init(&e, map, plant, 1000000, collect, &ms);
    tsim_sim_set_observer(plant, tsim__emu_observe, &e);
    tsim__emu_snapshot(&e, plant);
    for (double t = 1; ms.n < want; t += 1) {
        tsim_sim_run_until(plant, t);
        tsim__emu_heartbeat(&e, t);
    }
    size_t n_events = ms.n;
    /* A batching plant needs a mapping whose cap holds its batches: up to 1 MiB, set here to
     * what the batch needs, as its mapping would. */
    if (batch > 1 && map->max_payload < (size_t)batch * 256)
        map->max_payload = (size_t)batch * 256 < TSIM__MAP_PAYLOAD_MAX ? (size_t)batch * 256
                                                                      : TSIM__MAP_PAYLOAD_MAX;
    struct msgs bm = {0};
    make_batches(&ms, batch, map->max_payload, &bm);
    size_t n = bm.n;
    printf("ingest, %d event%s per message: %zu events in %zu messages (max_payload %zu)\n",
           batch, batch == 1 ? "" : "s", n_events, n, map->max_payload);

    struct tsim__ingest in;
    tsim__ingest_init(&in, map);
    struct tsim__live *lv = tsim__live_create(m, map, 11);
    {
        /* The same messages straight into the pipeline, no broker: the twin's own ceiling. */
        struct tsim__ingest in0;
        tsim__ingest_init(&in0, map);
        struct sink k0 = {tsim__live_create(m, map, 11), 0, 0};
        double t0 = now_s();
        for (size_t i = 0; i < n; i++)
            tsim__ingest_each(&in0, bm.topic[i], bm.json[i], strlen(bm.json[i]), on_event, &k0);
        double w = now_s() - t0;
        printf("  without a broker: %.0f events/s (%.0f messages/s) decoded and applied\n",
               k0.events / w, n / w);
        tsim__live_destroy(k0.lv);
        tsim__ingest_release(&in0);
    }
    struct tsim__msgq *q = tsim__msgq_create(1u << 18);
    struct tsim_mqtt_opts o;
    tsim_mqtt_opts_init(&o);
    o.port = port;
    o.client_id = "bench-twin";
    /* BENCH_TWIN_QOS=0 measures the broker without acknowledgements, for comparison. */
    if (getenv("BENCH_TWIN_QOS")) o.qos = atoi(getenv("BENCH_TWIN_QOS"));
    const char *filters[16];
    int nf = 0;
    for (int i = 0; i < map->nrules && nf < 16; i++) filters[nf++] = map->rules[i].filter;
    char err[256];
    const char *db = getenv("BENCH_TWIN_DB");
    struct tsim__store *st = NULL;
    int fsync_each = getenv("BENCH_TWIN_FSYNC") != NULL;
    if (db && !(st = tsim__store_open(db, fsync_each, err, sizeof err))) {
        fprintf(stderr, "bench_twin: %s\n", err);
        return 1;
    }
    struct tsim__mqtt_hooks h = {on_msg, st ? on_sync : NULL, NULL, q};
    struct tsim__mqtt *sub = tsim__mqtt_start(&o, &h, filters, nf, err, sizeof err);
    o.client_id = "bench-plant";
    struct tsim__mqtt *pub = sub ? tsim__mqtt_start(&o, NULL, NULL, 0, err, sizeof err) : NULL;
    if (!sub || !pub) {
        fprintf(stderr, "bench_twin: %s\n", err);
        return 1;
    }
    for (int i = 0; i < 500 && !(tsim__mqtt_connected(sub) && tsim__mqtt_connected(pub)); i++)
        usleep(10000);
    usleep(200000); /* let the subscriptions settle */
    double t_pub0 = now_s();
    pthread_t th;
    struct publisher pa = {pub, &bm, o.qos};
    pthread_create(&th, NULL, publish_all, &pa);
    double t_first = 0, t_last = 0;
    size_t got = 0, first_events = 0;
    struct sink k = {lv, 0, 0};
    while (got < n) {
        struct tsim__msg msg;
        if (!tsim__msgq_pop(q, &msg, 10.0)) break;
        do {
            if (!got) t_first = now_s();
            if (st && tsim__store_event(st, got + 1, msg.topic, msg.payload, msg.len) != 0) k.bad++;
            tsim__ingest_each(&in, msg.topic, msg.payload, msg.len, on_event, &k);
            if (!got) first_events = k.events;
            tsim__free(msg.topic);
            tsim__free(msg.payload);
            got++;
        } while (got < n && tsim__msgq_pop(q, &msg, 0));
        /* As the twin: commit what the drain recorded, then let the acknowledgements go. */
        if (st && tsim__store_commit(st, "{}") != 0) k.bad++;
        tsim__msgq_done(q, got);
    }
    t_last = now_s();
    pthread_join(th, NULL);
    /* The clock starts when the first message is in: its events are not part of the rate. */
    double w = t_last - t_first, pub_s = t_last - t_pub0;
    double rate = got > 1 && w > 0 ? (double)(k.events - first_events) / w : 0;
    double mrate = got > 1 && w > 0 ? (double)(got - 1) / w : 0;
    printf("  through the broker (QoS %d%s): %.0f events/s (%.0f messages/s) received and applied; "
           "%zu events (%zu rejected) in %zu messages, %.3f s from first publish to last "
           "applied; live sim at t=%g\n",
           o.qos, st ? ", recorded" : "", rate, mrate, k.events, k.bad, got, pub_s, lv->now);
    printf("RESULT bench=twin_ingest qos=%d batch=%d recorded=%d events=%zu messages=%zu "
           "rejected=%zu events_per_s=%.0f messages_per_s=%.0f wall=%.4f\n",
           o.qos, batch, st != NULL, k.events, got, k.bad, rate, mrate, w);
    size_t bad = k.bad;
    tsim__mqtt_stop(pub, 5, NULL);
    tsim__msgq_abandon(q);
    tsim__mqtt_stop(sub, 0, NULL);
    tsim__store_close(st);
    tsim__msgq_destroy(q);
    tsim__live_destroy(lv);
    tsim__ingest_release(&in);
    tsim__emu_release(&e);
    tsim_sim_destroy(plant);
    for (size_t i = 0; i < ms.n; i++) {
        tsim__free(ms.topic[i]);
        tsim__free(ms.json[i]);
    }
    tsim__free(ms.topic);
    tsim__free(ms.json);
    for (size_t i = 0; i < bm.n; i++) {
        tsim__free(bm.topic[i]);
        tsim__free(bm.json[i]);
    }
    tsim__free(bm.topic);
    tsim__free(bm.json);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
    return got == n && k.events == n_events && bad == 0 ? 0 : 1;
}

/* ---- forecast ------------------------------------------------------------------------------- */

static int bench_forecast(const char *model, const char *mapping, int reps, double hours,
                          int threads)
{
    struct tsim_model *m;
    struct tsim__map *map;
    if (load(model, mapping, &m, &map) != 0) return 1;
    double per_h = tsim_unit_factor("h", tsim_model_time_unit(m));
    map->replications = reps;
    map->horizon_mode = 1;
    map->horizon = hours * per_h;
    map->threads = threads;
    struct tsim__live *lv = tsim__live_create(m, map, 1);
    /* Forecast from the run's start (the example starts at 06:00, the start of the day shift);
     * BENCH_TWIN_FROM (hours) forecasts from later, after that much of the live sim. */
    double start = getenv("BENCH_TWIN_FROM") ? atof(getenv("BENCH_TWIN_FROM")) * per_h : 0;
    tsim__live_advance(lv, start);
    struct tsim__fc_input in;
    double best = INFINITY;
    struct tsim__fc_result r;
    memset(&r, 0, sizeof r);
    for (int k = 0; k < 3; k++) {
        tsim__fc_input_take(&in, lv, (uint64_t)k + 1);
        double t0 = now_s();
        tsim__fc_run(&in, &r);
        double w = now_s() - t0;
        if (w < best) best = w;
        if (k < 2) {
            tsim__fc_result_release(&r);
            tsim__fc_input_release(&in);
        }
    }
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    printf("forecast: %d replications of %g h from t=%g %s, %d thread%s (%ld cores): %.3f s; "
           "output %.1f +- %.1f\n",
           reps, hours, start, tsim_model_time_unit(m), threads ? threads : (int)nc,
           threads == 1 ? "" : "s", nc, best, r.out.mean, r.out.half_width);
    printf("RESULT bench=twin_forecast replications=%d hours=%g threads=%d wall=%.4f\n", reps,
           hours, threads ? threads : (int)nc, best);
    tsim__fc_result_release(&r);
    tsim__fc_input_release(&in);
    tsim__live_destroy(lv);
    tsim__map_destroy(map);
    tsim_model_destroy(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "ingest") == 0)
        return bench_ingest(argv[2], argv[3], atoi(argv[4]),
                            argc > 5 ? (size_t)atol(argv[5]) : 500000,
                            argc > 6 && atoi(argv[6]) > 1 ? atoi(argv[6]) : 1);
    if (argc >= 4 && strcmp(argv[1], "forecast") == 0)
        return bench_forecast(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 30,
                              argc > 5 ? atof(argv[5]) : 8, argc > 6 ? atoi(argv[6]) : 0);
    fprintf(stderr, "usage: bench_twin ingest MODEL MAPPING PORT [N [BATCH]]\n"
                    "       bench_twin forecast MODEL MAPPING [REPS [HOURS [THREADS]]]\n");
    return 2;
}
