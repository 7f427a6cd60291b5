/*
 * The twin's main loop: messages from the MQTT queue are decoded, recorded and applied to the
 * live sim on this one thread; forecasts run on a worker thread from a clone taken here; results
 * and alerts are published from here when the worker is done. Not a decoder or a simulator of its
 * own: it only orders the work of the other parts. It prints nothing: every line for people goes
 * to the owner's log callback.
 *
 * Crash safety (with a recording): a message is recorded before its first event is applied, and
 * the transaction holding it commits, with the counters as they stand after it, before the MQTT
 * loop may acknowledge it (tsim__mqtt_sync_fn, the queue's `done` mark). A restart with the same
 * recording replays every recorded message through the same path (no recording, no publishing,
 * the same checkpoints), takes the counters from the last commit, and goes on numbering messages
 * and forecasts after the last recorded ones. Messages received but not committed were never
 * acknowledged, so the broker delivers them again; those committed and not yet acknowledged
 * come again too and are recognised as duplicates, since the replay rebuilt the duplicate window.
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
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What identifies a recording; a restart must match every one of these it was given. */
#define RECORDING_FORMAT "twinsim-twin-1"

struct twin {
    struct tsim_model *model;
    const struct tsim__map *map;
    const struct tsim_twin_opts *o;
    struct tsim__msgq *q;
    struct tsim__mqtt *mq;
    struct tsim__ingest in;
    struct tsim__live *lv;
    struct tsim__store *st;
    uint64_t stored;      /* the last message number recorded */
    uint64_t handled;     /* messages taken from the queue and handled, this run */
    int dirty;            /* recorded since the last commit */
    int replaying;        /* resuming: no recording, no logging, no publishing */
    int record_failed;
    int model_stopped;    /* the live sim stopped on an error (said once) */
    uint64_t logged;
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
    /* counted in earlier runs of the same recording */
    uint64_t base_connects, base_failures, restarts;
    double base_blind;
    atomic_int state_due; /* publish the state soon (a connect happened) */
    uint64_t live_seen;   /* messages received when the live state was last handed over */
    atomic_int closing;   /* stopping: the connection's news is no longer said */
};

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void say(struct twin *tw, enum tsim_log_level level, const char *key, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
static void say(struct twin *tw, enum tsim_log_level level, const char *key, const char *fmt,
                ...)
{
    if (!tw->o->log) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    tw->o->log(tw->o->log_ctx, level, key, text);
}

/* Long texts (forecast JSON) go out whole. */
static void say_long(struct twin *tw, enum tsim_log_level level, const char *key,
                     const char *text)
{
    if (tw->o->log) tw->o->log(tw->o->log_ctx, level, key, text);
}

/* ---- the MQTT side (network thread) ------------------------------------------------------- */

static void on_msg(void *ctx, const char *topic, const void *payload, size_t len, int qos)
{
    (void)qos;
    struct twin *tw = ctx;
    tsim__msgq_push(tw->q, topic, payload, len);
}

/* The gate: the messages pushed so far are acknowledged only once this thread's consumer has
 * committed them. */
static int on_sync(void *ctx)
{
    struct twin *tw = ctx;
    return tsim__msgq_wait_done(tw->q, tsim__msgq_pushed(tw->q));
}

static void on_mqtt_event(void *ctx, const struct tsim__mqtt_ev *e)
{
    struct twin *tw = ctx;
    if (atomic_load(&tw->closing)) return;
    switch (e->kind) {
    case TSIM__MQ_CONNECTED:
        atomic_store(&tw->state_due, 1);
        say(tw, TSIM_LOG_RECOVERED, "connected", "%s (connection %llu)", e->text,
            (unsigned long long)(tw->base_connects + e->n));
        break;
    case TSIM__MQ_FAILED:
        say(tw, e->repeated ? TSIM_LOG_INFO : TSIM_LOG_PROBLEM, "connect_failed",
            "%s; retrying in %.1f s", e->text, e->retry_s);
        break;
    case TSIM__MQ_LOST:
        say(tw, TSIM_LOG_PROBLEM, "connection_lost", "%s; retrying in %.1f s", e->text,
            e->retry_s);
        break;
    }
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
    /* Alerts are events, not a state: not retained (a late subscriber reads the forecast). */
    if (tw->mq && tw->map->topic_alert)
        tsim__mqtt_publish(tw->mq, tw->map->topic_alert, json, strlen(json), tw->map->qos, 0);
    say_long(tw, TSIM_LOG_INFO, "alert", json);
    if (tw->o->live) tw->o->live(tw->o->live_ctx, "alert", json);
}

/* The state for a dashboard in the same process; `live_seen` is the message count it saw. */
static void live_state(struct twin *tw)
{
    if (!tw->o->live) return;
    char *s = state_json(tw, tw->lv->now);
    tw->o->live(tw->o->live_ctx, "state", s);
    tsim__free(s);
    tw->live_seen = tw->in.received;
}

static void publish_state(struct twin *tw)
{
    if (!tw->mq || !tw->map->topic_state) return;
    char *s = state_json(tw, tw->lv->now);
    tsim__mqtt_publish(tw->mq, tw->map->topic_state, s, strlen(s), tw->map->qos, 1);
    tsim__free(s);
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
    /* Retained, with the state beside it: a dashboard that subscribes later sees both at once. */
    if (tw->mq && tw->map->topic_forecast)
        tsim__mqtt_publish(tw->mq, tw->map->topic_forecast, tw->json, strlen(tw->json),
                           tw->map->qos, 1);
    publish_state(tw);
    if (tw->res.error[0])
        say(tw, TSIM_LOG_PROBLEM, "forecast_failed", "forecast %llu has no figures: %s",
            (unsigned long long)tw->job.id, tw->res.error);
    say_long(tw, TSIM_LOG_INFO, "forecast", tw->json);
    if (tw->o->live) tw->o->live(tw->o->live_ctx, "forecast", tw->json);
    if (tw->o->state_out) {
        fprintf(tw->o->state_out, "%s\n", tw->json);
        fflush(tw->o->state_out);
    }
    tsim__alerts_check(&tw->alerts, tw->map, &tw->res, emit_alert, tw);
    if (tw->st) {
        if (tsim__store_forecast(tw->st, &tw->job, tw->json, tw->state_json) != 0)
            say(tw, TSIM_LOG_PROBLEM, "record_failed", "cannot record forecast %llu",
                (unsigned long long)tw->job.id);
        tw->dirty = 1;
    }
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

static const char *const recon_names[] = {"content", "state",   "added",       "removed",
                                          "unresolved", "clamped", "unknown_part"};

/* The counters as the member `key` of what `j` writes (NULL at the top). */
static void write_counters(struct twin *tw, struct tsim__json *j, const char *key)
{
    /* Counts go out as doubles, as they always have. */
    tsim__json_open(j, key, '{', 0);
    tsim__json_number(j, "received", (double)tw->in.received);
    uint64_t dropped = 0;
    tsim__json_open(j, "dropped", '{', 0);
    for (int i = 1; i < TSIM__D_COUNT; i++) {
        tsim__json_number(j, tsim__drop_name(i), (double)tw->in.dropped[i]);
        dropped += tw->in.dropped[i];
    }
    tsim__json_close(j, '{');
    tsim__json_number(j, "accepted", (double)(tw->in.received - dropped));
    tsim__json_number(j, "applied", (double)tw->lv->applied);
    tsim__json_number(j, "held", tw->lv->nheld);
    tsim__json_number(j, "recorded", (double)tw->stored);
    const struct tsim__recon *r = &tw->lv->recon;
    const uint64_t rv[] = {r->content, r->state,   r->added,       r->removed,
                           r->unresolved, r->clamped, r->unknown_part};
    tsim__json_open(j, "reconciled", '{', 0);
    for (size_t i = 0; i < sizeof rv / sizeof *rv; i++)
        tsim__json_number(j, recon_names[i], (double)rv[i]);
    tsim__json_close(j, '{');
    tsim__json_number(j, "forecasts", (double)tw->forecasts);
    tsim__json_number(j, "alerts", (double)tw->alerts_sent);
    struct tsim__mqtt_stats ms;
    tsim__mqtt_stats(tw->mq, &ms);
    uint64_t connects = tw->base_connects + ms.connects;
    tsim__json_bool(j, "connected", ms.connected);
    tsim__json_number(j, "connects", (double)connects);
    tsim__json_number(j, "reconnects", connects ? (double)(connects - 1) : 0);
    tsim__json_number(j, "connect_failures", (double)(tw->base_failures + ms.failures));
    tsim__json_number(j, "blind_s", round((tw->base_blind + ms.blind_s) * 1000) / 1000);
    tsim__json_number(j, "restarts", (double)tw->restarts);
    tsim__json_number(j, "now", tw->lv->now);
    tsim__json_close(j, '{');
}

/* The counters alone, as the database's `counters` row and the verbose log have them. */
static char *counters_json(struct twin *tw)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
    write_counters(tw, &j, NULL);
    return b.p;
}

static char *state_json(struct twin *tw, double t)
{
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__live_json_observed(tw->lv, t, &j);
    tsim__vda_write_json(tw->lv, &j);
    write_counters(tw, &j, "counters");
    tsim__json_close(&j, '{');
    return b.p;
}

/* Take up the counters of earlier runs from the last commit's `counters` row. The live state's
 * own counters (applied, reconciled, held) came back with the replay. */
static void restore_counters(struct twin *tw, const char *json)
{
    cJSON *o = cJSON_Parse(json);
    if (!o) return;
#define NUM(obj, key) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(obj, key)) \
                           ? cJSON_GetObjectItemCaseSensitive(obj, key)->valuedouble : 0)
    tw->in.received = (uint64_t)NUM(o, "received");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "dropped");
    for (int i = 1; i < TSIM__D_COUNT; i++)
        tw->in.dropped[i] = (uint64_t)NUM(d, tsim__drop_name(i));
    tw->forecasts = (uint64_t)NUM(o, "forecasts");
    tw->alerts_sent = (uint64_t)NUM(o, "alerts");
    tw->base_connects = (uint64_t)NUM(o, "connects");
    tw->base_failures = (uint64_t)NUM(o, "connect_failures");
    tw->base_blind = NUM(o, "blind_s");
#undef NUM
    cJSON_Delete(o);
}

static void on_checkpoint(void *ctx, double t)
{
    struct twin *tw = ctx;
    if (!tw->o->state_out) return;
    tsim__live_write_state(tw->lv, "observed", t, tw->o->state_out);
    tsim__live_write_state(tw->lv, "sim", t, tw->o->state_out);
    fflush(tw->o->state_out);
}

/* ---- messages ------------------------------------------------------------------------------- */

static void log_drop(struct twin *tw, const char *topic, enum tsim__drop why, const char *err)
{
    if (tw->replaying) return;
    /* Bad input is logged, but a flood of it must not become a flood of log lines. */
    tw->logged++;
    if (tw->o->verbose || tw->logged <= 20 || tw->logged % 10000 == 0)
        say(tw, TSIM_LOG_PROBLEM, "dropped", "'%.128s': %s: %s%s", topic, tsim__drop_name(why),
            err,
            tw->logged == 20 && !tw->o->verbose ? " (further drops logged every 10000th)" : "");
}

static void on_live_drop(void *ctx, const struct tsim__tev *ev, enum tsim__drop why,
                         const char *err)
{
    struct twin *tw = ctx;
    tw->in.dropped[why]++;
    log_drop(tw, ev->rule ? ev->rule->topic : "", why, err);
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
        if (tw->replaying) return;
        if (strcmp(ev->command, "forecast") == 0) {
            finish_forecast(tw, 1);
            start_forecast(tw);
        } else {
            publish_state(tw);
        }
        return;
    }
    if (!im->recorded && !tw->replaying) {
        im->recorded = 1;
        if (!tw->st) {
            tw->stored++;
        } else if (tsim__store_event(tw->st, tw->stored + 1, im->topic, im->payload, im->len) ==
                   0) {
            tw->stored++;
            tw->dirty = 1;
        } else if (!tw->record_failed) {
            /* Not recorded means not durable: the twin stops before acknowledging it, so the
             * broker keeps it for the next run. */
            tw->record_failed = 1;
            say(tw, TSIM_LOG_PROBLEM, "record_failed", "cannot record message %llu in '%s'",
                (unsigned long long)(tw->stored + 1), tw->o->db);
        }
    }
    if (tw->record_failed) return;
    if (ev->kind == TSIM__TEV_PARAM && tsim__live_param_touches_model(tw->lv, ev))
        finish_forecast(tw, 1);
    rc = tsim__live_apply(tw->lv, ev, aerr, sizeof aerr);
    if (rc != TSIM__OK) {
        tw->in.dropped[rc]++;
        log_drop(tw, im->topic, rc, aerr);
    }
    if (!tw->model_stopped && tsim_sim_status(tw->lv->sim) != 0) {
        /* The model cannot follow the plant past this point (e.g. more entities than it allows):
         * every forecast from here on says so instead of giving figures. */
        tw->model_stopped = 1;
        say(tw, TSIM_LOG_PROBLEM, "model_stopped", "the model stopped at %g: %s",
            tsim_sim_now(tw->lv->sim), tsim_sim_error(tw->lv->sim));
    }
}

/* A message is one event or a batch of them; each event is handled as a message of its own.
 * Returns the number of events. */
static size_t handle(struct twin *tw, const char *topic, const void *payload, size_t len)
{
    struct in_msg im = {tw, topic, payload, len, 0};
    return tsim__ingest_each(&tw->in, topic, payload, len, handle_event, &im);
}

static int reached(const struct twin *tw)
{
    return tw->o->until >= 0 && tw->lv->now >= tw->o->until;
}

/* Commit what was recorded, with the counters as they stand, then let the MQTT loop acknowledge
 * everything handled so far. Returns -1 when the recording failed. */
static int commit(struct twin *tw)
{
    if (tw->st && (tw->dirty || tw->record_failed)) {
        char *c = tw->record_failed ? NULL : counters_json(tw);
        int rc = c ? tsim__store_commit(tw->st, c) : -1;
        tsim__free(c);
        if (rc != 0) {
            if (!tw->record_failed)
                say(tw, TSIM_LOG_PROBLEM, "record_failed", "cannot commit to '%s'", tw->o->db);
            tw->record_failed = 1;
            return -1;
        }
        tw->dirty = 0;
    }
    tsim__msgq_done(tw->q, tw->handled);
    return 0;
}

/* ---- resuming a recording ------------------------------------------------------------------- */

/* Compare one identity key with the recording's; write it when the recording has none. */
static int same_as_recorded(struct twin *tw, const char *key, const char *value, int fresh,
                            const char *what)
{
    if (!value) return 1;
    char *rec = tsim__store_meta_of(tw->st, key);
    int ok = 1;
    if (!rec && fresh) tsim__store_meta(tw->st, key, value);
    else if (!rec || strcmp(rec, value) != 0) {
        say(tw, TSIM_LOG_PROBLEM, "recording_refused",
            "'%s' holds a recording made with %s%s%s%s: to continue it, run with the same model, "
            "mapping, --seed and --origin; to start a new recording, give another --db (or "
            "remove '%s')",
            tw->o->db, what, rec ? " " : "", rec ? rec : " (unknown: an older twinsim)",
            rec ? "" : "", tw->o->db);
        ok = 0;
    }
    tsim__free(rec);
    return ok;
}

static int replay_one(void *ctx, const char *topic, const void *payload, size_t len)
{
    struct twin *tw = ctx;
    handle(tw, topic, payload, len);
    tw->stored++;
    return reached(tw);
}

/* Open the recording; a recording with messages is continued: replayed into the live sim, its
 * counters taken up. Returns 0, or -1 after saying why. */
static int open_recording(struct twin *tw)
{
    const struct tsim_twin_opts *o = tw->o;
    char err[512];
    tw->st = tsim__store_open(o->db, o->sync_full, err, sizeof err);
    if (!tw->st) {
        say(tw, TSIM_LOG_PROBLEM, "recording_refused", "%s", err);
        return -1;
    }
    uint64_t last = tsim__store_last_event(tw->st);
    char *fmt = tsim__store_meta_of(tw->st, "format");
    int fresh = !fmt && last == 0;
    int ok = fresh || (fmt && strcmp(fmt, RECORDING_FORMAT) == 0);
    tsim__free(fmt);
    if (!ok) {
        say(tw, TSIM_LOG_PROBLEM, "recording_refused",
            "'%s' holds a recording this twinsim cannot continue: give another --db to start a "
            "new recording",
            o->db);
        return -1;
    }
    char seed[32], origin[40];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
    snprintf(origin, sizeof origin, "%.17g", tw->lv->origin);
    if (fresh) tsim__store_meta(tw->st, "format", RECORDING_FORMAT);
    ok = same_as_recorded(tw, "model_id", o->model_id, fresh, "another model") &&
         same_as_recorded(tw, "mapping_id", o->mapping_id, fresh, "another mapping") &&
         same_as_recorded(tw, "live_seed", seed, fresh, "--seed");
    if (ok && tw->lv->has_origin) {
        ok = same_as_recorded(tw, "origin", origin, fresh, "--origin");
    } else if (ok) {
        /* No origin given: the recording's, if it has one (else the first message's again). */
        char *rec = tsim__store_meta_of(tw->st, "origin");
        if (rec) {
            tw->lv->has_origin = 1;
            tw->lv->origin = strtod(rec, NULL);
        }
        tsim__free(rec);
    }
    if (ok && o->mqtt.client_id) {
        char *rec = tsim__store_meta_of(tw->st, "client_id");
        if (!rec) tsim__store_meta(tw->st, "client_id", o->mqtt.client_id);
        else if (strcmp(rec, o->mqtt.client_id) != 0)
            say(tw, TSIM_LOG_PROBLEM, "client_id_changed",
                "'%s' was recorded by client id '%s', this run is '%s': what the broker kept "
                "for '%s' while the twin was away does not reach this run",
                o->db, rec, o->mqtt.client_id, rec);
        tsim__free(rec);
    }
    if (!ok || tsim__store_commit(tw->st, NULL) != 0) return -1;
    tw->next_id = tsim__store_last_forecast(tw->st);
    if (last == 0) return 0;
    /* Counted before the replay, in a commit of its own: a run killed while it replays has
     * restarted too. */
    char *r = tsim__store_meta_of(tw->st, "restarts");
    tw->restarts = (r ? strtoull(r, NULL, 10) : 0) + 1;
    tsim__free(r);
    char n[32];
    snprintf(n, sizeof n, "%llu", (unsigned long long)tw->restarts);
    if (tsim__store_meta(tw->st, "restarts", n) != 0 || tsim__store_commit(tw->st, NULL) != 0) {
        say(tw, TSIM_LOG_PROBLEM, "recording_refused", "cannot write to '%s'", o->db);
        return -1;
    }
    double t0 = wall_now();
    tw->replaying = 1;
    int rc = tsim__store_each(tw->st, last, replay_one, tw, err, sizeof err);
    tw->replaying = 0;
    if (rc != 0) {
        say(tw, TSIM_LOG_PROBLEM, "recording_refused", "'%s': %s", o->db, err);
        return -1;
    }
    tw->stored = last;
    char *c = tsim__store_meta_of(tw->st, "counters");
    if (c) restore_counters(tw, c);
    tsim__free(c);
    say(tw, TSIM_LOG_INFO, "resumed",
        "%llu recorded messages of '%s' replayed in %.2f s: clock at %g, %llu forecasts so far",
        (unsigned long long)last, o->db, wall_now() - t0, tw->lv->now,
        (unsigned long long)tw->next_id);
    return 0;
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* The retained status message: {"state", "reason" (offline only), "twin", "model"}, the names cut
 * at 100 bytes (on a UTF-8 character's boundary). */
static char *status_payload(const struct twin *tw, const char *reason)
{
    const char *names[2] = {tw->o->mqtt.client_id ? tw->o->mqtt.client_id : "",
                            tsim_model_name(tw->model)};
    struct tsim__sb b = {0};
    struct tsim__json j;
    tsim__json_init_sb(&j, &b, TSIM__JSON_MSG);
    tsim__json_open(&j, NULL, '{', 0);
    tsim__json_string(&j, "state", reason ? "offline" : "online");
    if (reason) tsim__json_string(&j, "reason", reason);
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (n > 100) {
            n = 100;
            while (n > 0 && ((unsigned char)names[i][n] & 0xc0) == 0x80) n--;
        }
        tsim__json_string_n(&j, i ? "model" : "twin", names[i], n);
    }
    tsim__json_close(&j, '{');
    return b.p;
}

static int start_mqtt(struct twin *tw)
{
    const struct tsim__map *map = tw->map;
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
    struct tsim_mqtt_opts mo = tw->o->mqtt;
    mo.qos = map->qos;
    char *status[3] = {NULL, NULL, NULL}; /* online, lost, stopped: copied by the MQTT client */
    if (map->topic_status) {
        status[0] = status_payload(tw, NULL);
        status[1] = status_payload(tw, "lost");
        status[2] = status_payload(tw, "stopped");
        mo.status_topic = map->topic_status;
        mo.status_online = status[0];
        mo.status_lost = status[1];
        mo.status_offline = status[2];
    }
    struct tsim__mqtt_hooks h = {on_msg, tw->st ? on_sync : NULL, on_mqtt_event, tw};
    char err[512];
    tw->mq = tsim__mqtt_start(&mo, &h, filters, nf, err, sizeof err);
    tsim__free(filters);
    for (int i = 0; i < 3; i++) tsim__free(status[i]);
    if (!tw->mq) say(tw, TSIM_LOG_PROBLEM, "mqtt", "%s", err);
    return tw->mq ? 0 : -1;
}

static int stopped(const struct twin *tw) { return tw->o->stop && *tw->o->stop; }

int tsim__twin_main(struct tsim_model *m, const struct tsim__map *map,
                    const struct tsim_twin_opts *o)
{
    struct twin tw;
    memset(&tw, 0, sizeof tw);
    tw.model = m;
    tw.map = map;
    tw.o = o;
    tw.lv = tsim__live_create(m, map, o->seed);
    if (!tw.lv) {
        say(&tw, TSIM_LOG_PROBLEM, "model", "%s", tsim_errmsg());
        return 1;
    }
    if (o->has_origin) {
        tw.lv->has_origin = 1;
        tw.lv->origin = o->origin;
    }
    struct tsim__live_hooks lh = {on_checkpoint, o->checkpoint, o->until, on_live_drop, &tw};
    tsim__live_set_hooks(tw.lv, &lh);
    tsim__ingest_init(&tw.in, map);
    tsim__alerts_init(&tw.alerts, map);
    pthread_mutex_init(&tw.lock, NULL);
    pthread_cond_init(&tw.cv, NULL);
    tw.q = tsim__msgq_create(1u << 18);
    int status = 0;
    if (o->db && open_recording(&tw) != 0) status = 1;
    /* QoS 0 is never redelivered; at QoS 2 libmosquitto answers PUBREC before the message is
     * handed over, after which the broker only resends PUBREL: a crash loses it either way. */
    if (!status && o->db && map->qos != 1)
        say(&tw, TSIM_LOG_PROBLEM, "not_crash_safe",
            "the mapping's qos is %d: a message the twin received when it dies may be lost; "
            "crash safety needs 'qos: 1'",
            map->qos);
    if (!status) tw.th_started = pthread_create(&tw.th, NULL, worker, &tw) == 0;
    if (!status && !reached(&tw) && start_mqtt(&tw) != 0) status = 1;

    double t0 = wall_now(), last_msg = t0, last_log = t0, last_state = t0, last_live = t0;
    double live_every = o->live_every_s > 0 ? o->live_every_s : 0.2;
    if (!status) live_state(&tw);
    double next_fc = map->every_s > 0 ? t0 + map->every_s : INFINITY;
    while (!status && !stopped(&tw) && !reached(&tw)) {
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
                tw.handled++;
            } while (n < 4096 && !reached(&tw) && !tw.record_failed &&
                     tsim__msgq_pop(tw.q, &msg, 0));
            last_msg = wall_now();
        }
        if (commit(&tw) != 0) {
            status = 1;
            break;
        }
        now = wall_now();
        finish_forecast(&tw, 0);
        if (now >= next_fc) {
            start_forecast(&tw);
            next_fc = now + map->every_s;
        }
        /* The retained state: after a connect, and every 10 s while events come in. */
        if (atomic_exchange(&tw.state_due, 0) || (now - last_state > 10 && now - last_msg < 10)) {
            publish_state(&tw);
            last_state = now;
        }
        /* A dashboard's state: coalesced to one every `live_every` while messages come in; the
         * state is built only then, so its cost does not grow with the message rate. */
        if (o->live && tw.in.received != tw.live_seen && now - last_live >= live_every) {
            live_state(&tw);
            last_live = now;
        }
        if (o->verbose && now - last_log > 10) {
            char *s = counters_json(&tw);
            say(&tw, TSIM_LOG_INFO, "counters", "%s", s);
            tsim__free(s);
            last_log = now;
        }
        if (o->idle_exit_s > 0 && now - last_msg > o->idle_exit_s) {
            struct tsim__mqtt_stats ms;
            tsim__mqtt_stats(tw.mq, &ms);
            if (ms.connects == 0) {
                atomic_store(&tw.closing, 1);
                say(&tw, TSIM_LOG_PROBLEM, "never_connected",
                    "no connection to %s:%d in %.0f s (last problem: %s)", o->mqtt.host,
                    o->mqtt.port, now - t0, ms.last_problem[0] ? ms.last_problem : "none said");
                status = 1;
            }
            break;
        }
    }
    atomic_store(&tw.closing, 1);
    finish_forecast(&tw, 1);
    if (!status && reached(&tw)) tsim__live_checkpoints_through(tw.lv, tw.lv->now);
    tsim__live_settle(tw.lv);
    if (o->state_out) {
        struct tsim__json j;
        tsim__json_init(&j, o->state_out);
        j.flags = TSIM__JSON_MSG;
        tsim__json_open(&j, NULL, '{', 0);
        tsim__json_bool(&j, "final", 1);
        write_counters(&tw, &j, "counters");
        tsim__vda_write_json(tw.lv, &j);
        tsim__json_close(&j, '{');
        fflush(o->state_out);
    }
    if (!status) commit(&tw);
    publish_state(&tw);
    live_state(&tw);
    /* Nothing more is handled: whatever the network thread still hands over stays
     * unacknowledged. */
    tsim__msgq_abandon(tw.q);
    pthread_mutex_lock(&tw.lock);
    tw.quit = 1;
    pthread_cond_broadcast(&tw.cv);
    pthread_mutex_unlock(&tw.lock);
    if (tw.th_started) pthread_join(tw.th, NULL);
    tsim__mqtt_stop(tw.mq, 2, o->stop);
    tsim__msgq_destroy(tw.q);
    tsim__store_close(tw.st);
    tsim__alerts_release(&tw.alerts);
    tsim__ingest_release(&tw.in);
    tsim__live_destroy(tw.lv);
    pthread_mutex_destroy(&tw.lock);
    pthread_cond_destroy(&tw.cv);
    return status;
}
