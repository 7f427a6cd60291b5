/*
 * The twin's main loop: messages from the MQTT queue are decoded, recorded and applied to the
 * live sim on this one thread; forecasts run on a worker thread from a clone taken here; results
 * and alerts are published from here when the worker is done. Not a decoder or a simulator of its
 * own: it only orders the work of the other parts.
 *
 * Invariants: only this thread touches the live sim, the ingest state and the store; the worker
 * touches only its input (a clone) and its result. The model is shared, so a parameter change
 * that edits the model waits until no forecast runs (forecasts take well under a second; the
 * network thread keeps queueing meanwhile).
 */
#include "core/core.h"
#include "twin/twin.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct twin {
    struct tsim_model *model;
    const struct tsim__map *map;
    const struct tsim__twin_opts *o;
    struct tsim__msgq *q;
    struct tsim__mqtt *mq;
    struct tsim__ingest in;
    struct tsim__live *lv;
    struct tsim__store *st;
    uint64_t stored;
    uint64_t logged;
    double next_cp;
    /* the forecast worker */
    pthread_t th;
    int th_started;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int busy, done, quit;
    struct tsim__fc_input job;
    struct tsim__fc_result res;
    char *json;
    char *state_json;
    uint64_t next_id;
    uint64_t forecasts, alerts_sent;
    struct tsim__alerts alerts;
};

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_msg(void *ctx, const char *topic, const void *payload, size_t len, int qos)
{
    (void)qos;
    struct twin *tw = ctx;
    tsim__msgq_push(tw->q, topic, payload, len);
}

/* ---- forecasts ------------------------------------------------------------------------------ */

static void *worker(void *arg)
{
    struct twin *tw = arg;
    pthread_mutex_lock(&tw->lock);
    for (;;) {
        while (!tw->quit && (!tw->busy || tw->done)) pthread_cond_wait(&tw->cv, &tw->lock);
        if (tw->quit) break;
        pthread_mutex_unlock(&tw->lock);
        tsim__fc_run(&tw->job, &tw->res);
        char *json = tsim__fc_json(&tw->job, &tw->res);
        pthread_mutex_lock(&tw->lock);
        tw->json = json;
        tw->done = 1;
        pthread_cond_broadcast(&tw->cv);
    }
    pthread_mutex_unlock(&tw->lock);
    return NULL;
}

static char *state_json(struct twin *tw, double t);

static void start_forecast(struct twin *tw)
{
    /* Before the first event the twin knows nothing of the plant, not even its clock. */
    if (tw->lv->applied == 0) return;
    pthread_mutex_lock(&tw->lock);
    int busy = tw->busy;
    pthread_mutex_unlock(&tw->lock);
    if (busy) return;
    tsim__fc_input_take(&tw->job, tw->lv, ++tw->next_id);
    /* Replay needs the number of recorded messages, which is what the live state absorbed. */
    tw->job.events_applied = tw->stored;
    tw->state_json = state_json(tw, tw->lv->now);
    pthread_mutex_lock(&tw->lock);
    tw->busy = 1;
    tw->done = 0;
    pthread_cond_broadcast(&tw->cv);
    pthread_mutex_unlock(&tw->lock);
}

static void emit_alert(void *ctx, const char *json)
{
    struct twin *tw = ctx;
    tw->alerts_sent++;
    if (tw->mq && tw->map->topic_alert)
        tsim__mqtt_publish(tw->mq, tw->map->topic_alert, json, strlen(json), tw->map->qos, 0);
    if (tw->o->verbose) fprintf(stderr, "twinsim: twin: alert %s\n", json);
}

/* Publish, alert and record a finished forecast. `wait`: block until the running one is done. */
static void finish_forecast(struct twin *tw, int wait)
{
    pthread_mutex_lock(&tw->lock);
    if (!tw->busy) {
        pthread_mutex_unlock(&tw->lock);
        return;
    }
    while (wait && !tw->done) pthread_cond_wait(&tw->cv, &tw->lock);
    int done = tw->done;
    pthread_mutex_unlock(&tw->lock);
    if (!done) return;
    tw->forecasts++;
    if (tw->mq && tw->map->topic_forecast)
        tsim__mqtt_publish(tw->mq, tw->map->topic_forecast, tw->json, strlen(tw->json),
                           tw->map->qos, 0);
    if (tw->o->verbose) fprintf(stderr, "twinsim: twin: forecast %s\n", tw->json);
    if (tw->o->state_out) {
        fprintf(tw->o->state_out, "%s\n", tw->json);
        fflush(tw->o->state_out);
    }
    tsim__alerts_check(&tw->alerts, tw->map, &tw->res, emit_alert, tw);
    if (tw->st && tsim__store_forecast(tw->st, &tw->job, tw->json, tw->state_json) != 0)
        fprintf(stderr, "twinsim: twin: cannot record forecast %llu\n",
                (unsigned long long)tw->job.id);
    tsim__free(tw->json);
    tsim__free(tw->state_json);
    tw->json = tw->state_json = NULL;
    tsim__fc_result_release(&tw->res);
    tsim__fc_input_release(&tw->job);
    pthread_mutex_lock(&tw->lock);
    tw->busy = 0;
    tw->done = 0;
    pthread_mutex_unlock(&tw->lock);
}

/* ---- state and counters --------------------------------------------------------------------- */

static cJSON *counters(struct twin *tw)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "received", (double)tw->in.received);
    uint64_t dropped = 0;
    cJSON *d = cJSON_AddObjectToObject(o, "dropped");
    for (int i = 1; i < TSIM__D_COUNT; i++) {
        cJSON_AddNumberToObject(d, tsim__drop_name(i), (double)tw->in.dropped[i]);
        dropped += tw->in.dropped[i];
    }
    cJSON_AddNumberToObject(o, "accepted", (double)(tw->in.received - dropped));
    cJSON_AddNumberToObject(o, "applied", (double)tw->lv->applied);
    const struct tsim__recon *r = &tw->lv->recon;
    cJSON *rc = cJSON_AddObjectToObject(o, "reconciled");
    cJSON_AddNumberToObject(rc, "content", (double)r->content);
    cJSON_AddNumberToObject(rc, "state", (double)r->state);
    cJSON_AddNumberToObject(rc, "added", (double)r->added);
    cJSON_AddNumberToObject(rc, "removed", (double)r->removed);
    cJSON_AddNumberToObject(rc, "unresolved", (double)r->unresolved);
    cJSON_AddNumberToObject(rc, "clamped", (double)r->clamped);
    cJSON_AddNumberToObject(rc, "unknown_part", (double)r->unknown_part);
    cJSON_AddNumberToObject(o, "forecasts", (double)tw->forecasts);
    cJSON_AddNumberToObject(o, "alerts", (double)tw->alerts_sent);
    cJSON_AddNumberToObject(o, "reconnects", tw->mq ? (double)tsim__mqtt_reconnects(tw->mq) : 0);
    cJSON_AddNumberToObject(o, "now", tw->lv->now);
    return o;
}

static char *state_json(struct twin *tw, double t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return tsim__strdup("{}");
    tsim__live_write_state(tw->lv, "observed", t, f);
    fclose(f);
    cJSON *o = cJSON_CreateObject();
    cJSON *view = cJSON_Parse(buf);
    free(buf);
    cJSON_AddItemToObject(o, "observed", view ? view : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "counters", counters(tw));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *r = tsim__strdup(s ? s : "{}");
    cJSON_free(s);
    return r;
}

static void write_checkpoint(struct twin *tw, double t)
{
    tsim__live_advance(tw->lv, t);
    tsim__live_settle(tw->lv);
    if (!tw->o->state_out) return;
    tsim__live_write_state(tw->lv, "observed", t, tw->o->state_out);
    tsim__live_write_state(tw->lv, "sim", t, tw->o->state_out);
    fflush(tw->o->state_out);
}

/* ---- messages ------------------------------------------------------------------------------- */

static void log_drop(struct twin *tw, const char *topic, enum tsim__drop why, const char *err)
{
    /* Bad input is logged, but a flood of it must not become a flood of log lines. */
    tw->logged++;
    if (tw->o->verbose || tw->logged <= 20 || tw->logged % 10000 == 0)
        fprintf(stderr, "twinsim: twin: dropped message on '%.128s': %s: %s%s\n", topic,
                tsim__drop_name(why), err,
                tw->logged == 20 && !tw->o->verbose ? " (further drops logged every 10000th)" : "");
}

/* One message being handled: it is recorded once, before its first accepted event is applied,
 * so that a replay feeding the recorded messages in order rebuilds the same live state. */
struct in_msg {
    struct twin *tw;
    const char *topic;
    const void *payload;
    size_t len;
    int recorded;
};

static void handle_event(void *ctx, enum tsim__drop rc, const struct tsim__tev *ev,
                         const char *err)
{
    struct in_msg *im = ctx;
    struct twin *tw = im->tw;
    char aerr[256];
    if (rc != TSIM__OK) {
        log_drop(tw, im->topic, rc, err);
        return;
    }
    if (ev->kind == TSIM__TEV_COMMAND) {
        if (strcmp(ev->command, "forecast") == 0) {
            finish_forecast(tw, 1);
            start_forecast(tw);
        } else if (tw->mq && tw->map->topic_state) {
            char *s = state_json(tw, tw->lv->now);
            tsim__mqtt_publish(tw->mq, tw->map->topic_state, s, strlen(s), tw->map->qos, 0);
            tsim__free(s);
        }
        return;
    }
    if (!im->recorded) {
        im->recorded = 1;
        if (!tw->st) tw->stored++;
        else if (tsim__store_event(tw->st, tw->stored + 1, im->topic, im->payload, im->len) == 0)
            tw->stored++;
        else fprintf(stderr, "twinsim: twin: cannot record a message\n");
    }
    if (ev->kind == TSIM__TEV_PARAM && tsim__live_param_touches_model(tw->lv, ev))
        finish_forecast(tw, 1);
    /* Checkpoints strictly before this event's time are complete: nothing at them can follow. */
    if (tw->o->checkpoint > 0 && ev->has_ts) {
        double t = tsim__live_model_time(tw->lv, ev->ts);
        if (t > tw->lv->now && t <= tw->lv->now + tw->map->max_gap)
            while (tw->next_cp < t && (tw->o->until < 0 || tw->next_cp <= tw->o->until)) {
                write_checkpoint(tw, tw->next_cp);
                tw->next_cp += tw->o->checkpoint;
            }
    }
    rc = tsim__live_apply(tw->lv, ev, aerr, sizeof aerr);
    if (rc != TSIM__OK) {
        tw->in.dropped[rc]++;
        log_drop(tw, im->topic, rc, aerr);
    }
}

/* A message is one event or a batch of them; each event is handled as a message of its own.
 * Returns the number of events. */
static size_t handle(struct twin *tw, const char *topic, const void *payload, size_t len)
{
    struct in_msg im = {tw, topic, payload, len, 0};
    return tsim__ingest_each(&tw->in, topic, payload, len, handle_event, &im);
}

int tsim__twin_main(struct tsim_model *m, const struct tsim__map *map,
                    const struct tsim__twin_opts *o)
{
    struct twin tw;
    memset(&tw, 0, sizeof tw);
    tw.model = m;
    tw.map = map;
    tw.o = o;
    tw.lv = tsim__live_create(m, map, o->seed);
    if (!tw.lv) {
        fprintf(stderr, "twinsim: twin: %s\n", tsim_errmsg());
        return 1;
    }
    if (o->has_origin) {
        tw.lv->has_origin = 1;
        tw.lv->origin = o->origin;
    }
    tw.next_cp = o->checkpoint > 0 ? o->checkpoint : INFINITY;
    char err[512];
    if (o->db) {
        tw.st = tsim__store_open(o->db, err, sizeof err);
        if (!tw.st) {
            fprintf(stderr, "twinsim: twin: %s\n", err);
            tsim__live_destroy(tw.lv);
            return 1;
        }
        char buf[64];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)o->seed);
        tsim__store_meta(tw.st, "live_seed", buf);
        if (tw.lv->has_origin) {
            snprintf(buf, sizeof buf, "%.17g", tw.lv->origin);
            tsim__store_meta(tw.st, "origin", buf);
        }
    }
    tsim__ingest_init(&tw.in, map);
    tsim__alerts_init(&tw.alerts, map);
    pthread_mutex_init(&tw.lock, NULL);
    pthread_cond_init(&tw.cv, NULL);
    tw.th_started = pthread_create(&tw.th, NULL, worker, &tw) == 0;
    tw.q = tsim__msgq_create(1u << 18);

    /* One subscription per rule, plus the command topic. */
    const char **filters =
        tsim__calloc((size_t)(map->nrules + map->nsubscribe) + 1, sizeof *filters);
    int nf = 0;
    for (int i = 0; i < map->nsubscribe; i++) filters[nf++] = map->subscribe[i];
    for (int i = 0; i < map->nrules && !map->nsubscribe; i++) {
        int dup = 0;
        for (int j = 0; j < nf; j++) dup |= strcmp(filters[j], map->rules[i].filter) == 0;
        if (!dup) filters[nf++] = map->rules[i].filter;
    }
    int cmd_covered = 0;
    for (int j = 0; j < nf && map->topic_command; j++)
        cmd_covered |= tsim__topic_match(filters[j], map->topic_command);
    if (map->topic_command && !cmd_covered) filters[nf++] = map->topic_command;
    struct tsim__mqtt_opts mo = o->mqtt;
    mo.qos = map->qos;
    tw.mq = tsim__mqtt_start(&mo, filters, nf, on_msg, &tw, err, sizeof err);
    tsim__free(filters);
    int status = 0;
    if (!tw.mq) {
        fprintf(stderr, "twinsim: twin: %s\n", err);
        status = 1;
        stop_flag = 1;
    } else {
        stop_flag = 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    double t0 = wall_now(), last_msg = t0, last_flush = t0, last_log = t0;
    double next_fc = map->every_s > 0 ? t0 + map->every_s : INFINITY;
    int reached = 0;
    while (!stop_flag && !reached) {
        double now = wall_now();
        double wait = next_fc - now;
        if (wait > 0.1) wait = 0.1;
        struct tsim__msg msg;
        if (tsim__msgq_pop(tw.q, &msg, wait)) {
            /* Drain what is queued before looking at timers: ingest is the hot path. The bound
             * counts events, not messages, so that batches do not hold the timers up longer. */
            size_t n = 0;
            do {
                n += handle(&tw, msg.topic, msg.payload, msg.len);
                tsim__free(msg.topic);
                tsim__free(msg.payload);
                if (o->until >= 0 && tw.lv->now >= o->until) {
                    reached = 1;
                    break;
                }
            } while (n < 4096 && tsim__msgq_pop(tw.q, &msg, 0));
            last_msg = wall_now();
        }
        now = wall_now();
        finish_forecast(&tw, 0);
        if (now >= next_fc) {
            start_forecast(&tw);
            next_fc = now + map->every_s;
        }
        if (tw.st && now - last_flush > 0.2) {
            tsim__store_flush(tw.st);
            last_flush = now;
        }
        if (o->verbose && now - last_log > 10) {
            cJSON *c = counters(&tw);
            char *s = cJSON_PrintUnformatted(c);
            fprintf(stderr, "twinsim: twin: %s\n", s ? s : "");
            cJSON_free(s);
            cJSON_Delete(c);
            last_log = now;
        }
        if (o->idle_exit_s > 0 && now - last_msg > o->idle_exit_s) break;
    }
    finish_forecast(&tw, 1);
    if (reached && o->checkpoint > 0)
        while (tw.next_cp <= tw.lv->now) {
            write_checkpoint(&tw, tw.next_cp);
            tw.next_cp += o->checkpoint;
        }
    tsim__live_settle(tw.lv);
    if (o->state_out) {
        cJSON *c = counters(&tw);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddBoolToObject(f, "final", 1);
        cJSON_AddItemToObject(f, "counters", c);
        char *s = cJSON_PrintUnformatted(f);
        fprintf(o->state_out, "%s\n", s ? s : "{}");
        fflush(o->state_out);
        cJSON_free(s);
        cJSON_Delete(f);
    }
    pthread_mutex_lock(&tw.lock);
    tw.quit = 1;
    pthread_cond_broadcast(&tw.cv);
    pthread_mutex_unlock(&tw.lock);
    if (tw.th_started) pthread_join(tw.th, NULL);
    tsim__mqtt_stop(tw.mq, 2);
    tsim__msgq_destroy(tw.q);
    tsim__store_close(tw.st);
    tsim__alerts_release(&tw.alerts);
    tsim__ingest_release(&tw.in);
    tsim__live_destroy(tw.lv);
    pthread_mutex_destroy(&tw.lock);
    pthread_cond_destroy(&tw.cv);
    return status;
}

/* ---- replay --------------------------------------------------------------------------------- */

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
                      FILE *out)
{
    char err[512];
    uint64_t events = 0, seed = 0;
    char *stored = NULL;
    if (tsim__store_get_forecast(db, id, &events, &seed, &stored, err, sizeof err) != 0) {
        fprintf(stderr, "twinsim: twin: %s\n", err);
        return 1;
    }
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
        fprintf(stderr, "twinsim: twin: %s\n", tsim_errmsg());
        goto done;
    }
    if ((s = tsim__store_get_meta(db, "origin"))) {
        r.lv->has_origin = 1;
        r.lv->origin = strtod(s, NULL);
        tsim__free(s);
    }
    if (tsim__store_replay(db, events, replay_one, &r, err, sizeof err) != 0) {
        fprintf(stderr, "twinsim: twin: %s\n", err);
        goto done;
    }
    struct tsim__fc_input in;
    tsim__fc_input_take(&in, r.lv, id);
    in.events_applied = events;
    struct tsim__fc_result res;
    tsim__fc_run(&in, &res);
    char *json = tsim__fc_json(&in, &res);
    fprintf(out, "%s\n", json);
    cJSON *got = comparable(json);
    if (want && got && cJSON_Compare(want, got, 1)) {
        rc = 0;
    } else {
        fprintf(stderr, "twinsim: twin: replayed forecast %llu differs from the recorded one:\n%s\n",
                (unsigned long long)id, stored);
    }
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
