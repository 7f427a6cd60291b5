/*
 * MQTT glue over libmosquitto, and the queue that hands received messages from the network
 * thread to the twin's thread. Nothing here knows what a message means.
 *
 * Reliability comes from the protocol, configured here once: QoS 1 subscriptions, a persistent
 * session (clean_session false with a fixed client id, so the broker keeps the subscription and
 * queues messages while the twin is away), and libmosquitto's own reconnect loop with backoff from
 * 1 s doubling to 30 s. Subscriptions are renewed after every connect, so a broker that lost its
 * state (no persistence) still delivers again. A QoS 1 publish made while disconnected stays in
 * libmosquitto's outgoing queue and goes out after the reconnect.
 * The network thread only copies a message into the queue: it never decodes, never touches the
 * live sim and never waits for a forecast.
 */
#include "core/core.h"
#include "twin/twin.h"

#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void tsim__mqtt_opts_init(struct tsim__mqtt_opts *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 1883;
    o->keepalive = 30;
    o->qos = 1;
}

struct tsim__mqtt {
    struct mosquitto *mosq;
    char **filters;
    int nfilters;
    int qos;
    int verbose;
    tsim__mqtt_msg_fn *on_msg;
    void *ctx;
    atomic_int connected;
    atomic_int pending;
    atomic_ullong connects;
    char last_problem[256]; /* network thread only */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void) { mosquitto_lib_init(); }

/* Connection problems are said even without --verbose: a twin that silently waits on a broker
 * it cannot reach (a wrong CA, a bad password) looks like a plant that sends nothing. Repeats of
 * the same message are said once. */
static void say_problem(struct tsim__mqtt *c, const char *what)
{
    if (strncmp(c->last_problem, what, sizeof c->last_problem - 1) == 0) return;
    snprintf(c->last_problem, sizeof c->last_problem, "%s", what);
    fprintf(stderr, "twinsim: mqtt: %s\n", what);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
    (void)mosq;
    if (level & MOSQ_LOG_ERR) say_problem(obj, str);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct tsim__mqtt *c = obj;
    if (rc != 0) {
        char what[160];
        snprintf(what, sizeof what, "connection refused: %s", mosquitto_connack_string(rc));
        say_problem(c, what);
        return;
    }
    c->last_problem[0] = '\0';
    unsigned long long n = atomic_fetch_add(&c->connects, 1) + 1;
    if (c->verbose) fprintf(stderr, "twinsim: mqtt: connected (%llu)\n", n);
    for (int i = 0; i < c->nfilters; i++) mosquitto_subscribe(mosq, NULL, c->filters[i], c->qos);
    atomic_store(&c->connected, 1);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    struct tsim__mqtt *c = obj;
    atomic_store(&c->connected, 0);
    if (rc != 0) say_problem(c, "connection lost, reconnecting");
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    (void)mosq;
    (void)mid;
    struct tsim__mqtt *c = obj;
    atomic_fetch_sub(&c->pending, 1);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    (void)mosq;
    struct tsim__mqtt *c = obj;
    if (c->on_msg) c->on_msg(c->ctx, m->topic, m->payload, (size_t)m->payloadlen, m->qos);
}

struct tsim__mqtt *tsim__mqtt_start(const struct tsim__mqtt_opts *o, const char *const *filters,
                                    int nfilters, tsim__mqtt_msg_fn *on_msg, void *ctx, char *err,
                                    size_t errlen)
{
    pthread_once(&lib_once, lib_init);
    if (!o->clean && (!o->client_id || !*o->client_id)) {
        snprintf(err, errlen, "a persistent session needs a client id");
        return NULL;
    }
    struct tsim__mqtt *c = tsim__calloc(1, sizeof *c);
    c->qos = o->qos;
    c->verbose = o->verbose;
    c->on_msg = on_msg;
    c->ctx = ctx;
    atomic_init(&c->connected, 0);
    atomic_init(&c->pending, 0);
    atomic_init(&c->connects, 0);
    c->nfilters = nfilters;
    c->filters = tsim__calloc((size_t)(nfilters ? nfilters : 1), sizeof *c->filters);
    for (int i = 0; i < nfilters; i++) c->filters[i] = tsim__strdup(filters[i]);
    c->mosq = mosquitto_new(o->client_id, o->clean ? true : false, c);
    if (!c->mosq) {
        snprintf(err, errlen, "cannot create an mqtt client: %s", strerror(errno));
        goto fail;
    }
    mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    /* A cap of 20 in flight (the default) limits loopback throughput to the round trip; no cap
     * at all makes libmosquitto walk its whole outgoing queue on every publish. */
    mosquitto_max_inflight_messages_set(c->mosq, 1000);
    mosquitto_reconnect_delay_set(c->mosq, 1, 30, true);
    mosquitto_connect_callback_set(c->mosq, on_connect);
    mosquitto_log_callback_set(c->mosq, on_log);
    mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
    mosquitto_publish_callback_set(c->mosq, on_publish);
    mosquitto_message_callback_set(c->mosq, on_message);
    int rc;
    if (o->username && (rc = mosquitto_username_pw_set(c->mosq, o->username, o->password))) {
        snprintf(err, errlen, "bad username or password: %s", mosquitto_strerror(rc));
        goto fail;
    }
    if (o->cafile || o->capath || o->certfile) {
        rc = mosquitto_tls_set(c->mosq, o->cafile, o->capath, o->certfile, o->keyfile, NULL);
        if (rc) {
            snprintf(err, errlen, "bad tls options: %s", mosquitto_strerror(rc));
            goto fail;
        }
        if (o->tls_insecure) mosquitto_tls_insecure_set(c->mosq, true);
    }
    rc = mosquitto_connect_async(c->mosq, o->host, o->port, o->keepalive);
    if (rc == MOSQ_ERR_INVAL) {
        snprintf(err, errlen, "bad broker address '%s:%d'", o->host, o->port);
        goto fail;
    }
    /* Any other failure (a broker not up yet) is retried by the loop with backoff. */
    if (rc != MOSQ_ERR_SUCCESS && o->verbose)
        fprintf(stderr, "twinsim: mqtt: cannot reach %s:%d yet (%s), retrying\n", o->host,
                o->port, mosquitto_strerror(rc));
    if ((rc = mosquitto_loop_start(c->mosq)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot start the mqtt thread: %s", mosquitto_strerror(rc));
        goto fail;
    }
    return c;
fail:
    if (c->mosq) mosquitto_destroy(c->mosq);
    for (int i = 0; i < c->nfilters; i++) tsim__free(c->filters[i]);
    tsim__free(c->filters);
    tsim__free(c);
    return NULL;
}

int tsim__mqtt_publish(struct tsim__mqtt *c, const char *topic, const void *payload, size_t len,
                       int qos, int retain)
{
    if (qos > 0) atomic_fetch_add(&c->pending, 1);
    int rc = mosquitto_publish(c->mosq, NULL, topic, (int)len, payload, qos, retain ? true : false);
    /* QoS > 0: NO_CONN means queued for the next connection, which is what we want. */
    if (rc == MOSQ_ERR_SUCCESS || (qos > 0 && rc == MOSQ_ERR_NO_CONN)) return 0;
    if (qos > 0) atomic_fetch_sub(&c->pending, 1);
    return -1;
}

int tsim__mqtt_pending(struct tsim__mqtt *c) { return atomic_load(&c->pending); }

void tsim__mqtt_throttle(struct tsim__mqtt *c, int max_pending)
{
    struct timespec d = {0, 100 * 1000};
    /* While disconnected the queue only grows until the reconnect; waiting would stall the
     * caller for the whole outage, so it waits only for a live connection to drain. */
    while (atomic_load(&c->pending) > max_pending && atomic_load(&c->connected))
        nanosleep(&d, NULL);
}
int tsim__mqtt_connected(struct tsim__mqtt *c) { return atomic_load(&c->connected); }
uint64_t tsim__mqtt_reconnects(struct tsim__mqtt *c)
{
    unsigned long long n = atomic_load(&c->connects);
    return n ? n - 1 : 0;
}

void tsim__mqtt_stop(struct tsim__mqtt *c, double drain_s)
{
    if (!c) return;
    struct timespec d = {0, 10 * 1000 * 1000};
    for (double waited = 0; waited < drain_s && atomic_load(&c->pending) > 0; waited += 0.01)
        nanosleep(&d, NULL);
    mosquitto_disconnect(c->mosq);
    mosquitto_loop_stop(c->mosq, false);
    mosquitto_destroy(c->mosq);
    for (int i = 0; i < c->nfilters; i++) tsim__free(c->filters[i]);
    tsim__free(c->filters);
    tsim__free(c);
}

/* ---- the queue ------------------------------------------------------------------------------ */

struct tsim__msgq {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    struct tsim__msg *ring;
    size_t cap, head, n;
    size_t bytes;         /* payload bytes queued */
    int waiting_pop, waiting_push; /* threads asleep on each condition: wake only those */
};

struct tsim__msgq *tsim__msgq_create(size_t cap)
{
    struct tsim__msgq *q = tsim__calloc(1, sizeof *q);
    q->cap = cap ? cap : 1;
    q->ring = tsim__calloc(q->cap, sizeof *q->ring);
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&q->not_empty, &a);
    pthread_cond_init(&q->not_full, &a);
    pthread_condattr_destroy(&a);
    return q;
}

void tsim__msgq_destroy(struct tsim__msgq *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) {
        struct tsim__msg *m = &q->ring[(q->head + i) % q->cap];
        tsim__free(m->topic);
        tsim__free(m->payload);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    tsim__free(q->ring);
    tsim__free(q);
}

void tsim__msgq_push(struct tsim__msgq *q, const char *topic, const void *payload, size_t len)
{
    /* Copy outside the lock; the payload gets a terminating NUL for convenience (not counted). */
    struct tsim__msg m;
    m.topic = tsim__strdup(topic ? topic : "");
    m.payload = tsim__malloc(len + 1);
    if (len) memcpy(m.payload, payload, len);
    ((char *)m.payload)[len] = '\0';
    m.len = len;
    pthread_mutex_lock(&q->lock);
    /* Full by count, or by bytes now that one message may be a batch of a megabyte: the count
     * alone would let the queue hold hundreds of gigabytes. One message always fits. */
    while (q->n == q->cap || (q->n > 0 && q->bytes + len > TSIM__MSGQ_BYTES)) {
        q->waiting_push++;
        pthread_cond_wait(&q->not_full, &q->lock);
        q->waiting_push--;
    }
    q->ring[(q->head + q->n) % q->cap] = m;
    q->n++;
    q->bytes += len;
    /* A wake-up is a system call; at tens of thousands of messages a second only a sleeping
     * reader gets one. */
    if (q->waiting_pop) pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

int tsim__msgq_pop(struct tsim__msgq *q, struct tsim__msg *m, double timeout_s)
{
    if (timeout_s <= 0) {
        /* The reader's fast path while it drains a backlog: no clock, no wait. */
        pthread_mutex_lock(&q->lock);
        int got = q->n > 0;
        if (got) {
            *m = q->ring[q->head];
            q->head = (q->head + 1) % q->cap;
            q->n--;
            q->bytes -= m->len;
            if (q->waiting_push) pthread_cond_signal(&q->not_full);
        }
        pthread_mutex_unlock(&q->lock);
        return got;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long long ns = until.tv_nsec + (long long)(timeout_s * 1e9);
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    pthread_mutex_lock(&q->lock);
    while (q->n == 0) {
        q->waiting_pop++;
        int rc = pthread_cond_timedwait(&q->not_empty, &q->lock, &until);
        q->waiting_pop--;
        if (rc == ETIMEDOUT && q->n == 0) {
            pthread_mutex_unlock(&q->lock);
            return 0;
        }
    }
    *m = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->bytes -= m->len;
    if (q->waiting_push) pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return 1;
}
