/*
 * MQTT glue over libmosquitto: one network thread of our own drives libmosquitto's external-loop
 * functions (mosquitto_loop_read, _write, _misc), so that this file decides when bytes go out and
 * how reconnects are paced. Nothing here knows what a message means, and nothing here prints:
 * what happens to the connection goes to the owner's event callback.
 *
 * Why an own loop. libmosquitto (2.0) queues the PUBACK of a QoS 1 message before it calls
 * on_message, and with mosquitto_threaded_set() a queued packet is written only by the loop's
 * write step. This loop reads a burst of packets, hands each message to on_msg, then calls
 * on_sync, which returns only once the owner has made every message of the burst durable, and only
 * then runs the write step that sends their PUBACKs. So no message is acknowledged to the broker
 * before it is durable; a crash in between leaves it unacknowledged and the broker delivers it
 * again (to a persistent session). If on_sync refuses (the owner is stopping), the loop never
 * writes again and the connection is closed without acknowledging them.
 *
 * Reliability otherwise comes from the protocol: QoS 1 subscriptions, a persistent session
 * (clean_session false with a fixed client id), subscriptions renewed after every connect, and a
 * QoS 1 publish made while disconnected kept by libmosquitto and sent after the reconnect.
 *
 * Reconnects: an attempt that fails (no route, refused, no CONNACK within 10 s, refused by the
 * broker, TLS) or a connection that is lost is retried after 1, 2, 4, ... seconds, at most
 * TSIM__MQTT_BACKOFF_MAX, each wait drawn within +-20% (tsim__mqtt_backoff) so that many
 * clients of one broker do not come back in step. A successful CONNACK starts the doubling anew.
 *
 * Threads: the network thread owns the socket and every callback; publish, stats and stop are
 * safe from any other thread. A wake pipe takes the network thread out of poll() when a publish
 * is queued or a stop is asked for, so both take effect at once.
 */
#include "core/core.h"
#include "twin/mqtt_lib.h"
#include "twin/twin.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An attempt without a CONNACK after this long is abandoned (a SYN lost to a firewall would
 * otherwise wait for the kernel's two minutes). */
#define CONNECT_TIMEOUT_S 10.0

void tsim_mqtt_opts_init(struct tsim_mqtt_opts *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 1883;
    o->keepalive = 30;
    o->qos = 1;
}

double tsim__mqtt_backoff(unsigned attempt, double u)
{
    double base = attempt >= 5 ? TSIM__MQTT_BACKOFF_MAX : (double)(1u << attempt);
    if (base > TSIM__MQTT_BACKOFF_MAX) base = TSIM__MQTT_BACKOFF_MAX;
    if (u < 0) u = 0;
    if (u > 1) u = 1;
    return base * (0.8 + 0.4 * u);
}

enum phase { WAITING, CONNECTING, UP };

struct tsim__mqtt {
    struct mosquitto *mosq;
    char *host, *status_topic, *status_online, *status_offline;
    int port, keepalive, qos;
    char **filters;
    int nfilters;
    tsim__mqtt_msg_fn *on_msg;
    tsim__mqtt_sync_fn *on_sync;
    tsim__mqtt_event_fn *on_event;
    void *ctx;
    pthread_t th;
    int th_started;
    int wake[2];          /* the wake pipe: [0] polled by the network thread */
    atomic_int sleeping;  /* the network thread is in poll() */
    atomic_int stopping;  /* 1: finish; the network thread exits */
    atomic_int connected, pending;
    pthread_mutex_t lock; /* the stats below */
    uint64_t connects, failures;
    double blind_total, blind_since; /* monotonic seconds; blind_since < 0 while connected */
    char last_problem[512];
    /* network thread only */
    enum phase phase;
    int started;          /* an attempt was made: later ones are reconnects */
    unsigned attempt;     /* failures in a row since the last CONNACK */
    double next_try, attempt_t0;
    int connack;          /* the broker's CONNACK code for this attempt; -1 none yet */
    int closed, close_rc, close_errno;
    char tls_problem[200];
    char cause[512];      /* the last problem said, to say a repeat only once */
    int got_msgs;         /* messages read since the last on_sync */
    atomic_int withheld;  /* on_sync refused: never write again */
    struct tsim_rng rng;
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void wake(struct tsim__mqtt *c)
{
    if (!atomic_load(&c->sleeping)) return;
    char b = 0;
    if (write(c->wake[1], &b, 1) < 0) { /* full: the thread wakes anyway */ }
}

/* ---- events to the owner ------------------------------------------------------------------ */

static void emit(struct tsim__mqtt *c, enum tsim__mqtt_ev_kind kind, const char *text,
                 double retry_s, uint64_t n)
{
    struct tsim__mqtt_ev e;
    e.kind = kind;
    e.text = text;
    e.retry_s = retry_s;
    e.n = n;
    e.repeated = kind != TSIM__MQ_CONNECTED && strcmp(c->cause, text) == 0;
    if (kind == TSIM__MQ_CONNECTED) c->cause[0] = '\0';
    else snprintf(c->cause, sizeof c->cause, "%s", text);
    if (kind != TSIM__MQ_CONNECTED) {
        pthread_mutex_lock(&c->lock);
        snprintf(c->last_problem, sizeof c->last_problem, "%s", text);
        pthread_mutex_unlock(&c->lock);
    }
    if (c->on_event) c->on_event(c->ctx, &e);
}

/* The attempt failed, or the connection was lost: wait, then try again. */
static void retry_later(struct tsim__mqtt *c, enum tsim__mqtt_ev_kind kind, const char *why)
{
    double now = mono_now();
    if (c->phase == UP) {
        atomic_store(&c->connected, 0);
        pthread_mutex_lock(&c->lock);
        c->blind_since = now;
        pthread_mutex_unlock(&c->lock);
    } else {
        pthread_mutex_lock(&c->lock);
        c->failures++;
        pthread_mutex_unlock(&c->lock);
    }
    double wait = tsim__mqtt_backoff(c->attempt, tsim_rng_uniform(&c->rng));
    if (c->attempt < 30) c->attempt++;
    c->phase = WAITING;
    c->next_try = now + wait;
    emit(c, kind, why, wait, c->attempt);
}

/* The system's message as our messages read: lowercase first. */
static const char *lower(const char *msg, char *buf, size_t n)
{
    snprintf(buf, n, "%s", msg ? msg : "");
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z')) buf[0] += 'a' - 'A';
    return buf;
}

/* Why the socket closed, in one line with the code that says it: the broker's CONNACK code, the
 * TLS library's message or the system's errno. `lost`: an established connection broke. */
static void close_reason(struct tsim__mqtt *c, int lost, char *out, size_t n)
{
    char low[128], where[240];
    snprintf(where, sizeof where, "%s %.200s:%d", lost ? "connection to" : "cannot connect to",
             c->host, c->port);
    if (c->connack > 0)
        snprintf(out, n, "%.200s:%d refused the connection: %s (CONNACK code %d)", c->host, c->port,
                 mosquitto_connack_string(c->connack), c->connack);
    else if (c->tls_problem[0])
        snprintf(out, n, "TLS with %.200s:%d failed: %.200s", c->host, c->port, c->tls_problem);
    else if (c->close_rc == MOSQ_ERR_ERRNO && c->close_errno)
        snprintf(out, n, "%s%s: %s (errno %d)", where, lost ? " lost" : "",
                 lower(strerror(c->close_errno), low, sizeof low), c->close_errno);
    else if (c->close_rc == MOSQ_ERR_KEEPALIVE)
        snprintf(out, n, "connection to %.200s:%d lost: no answer within the keepalive of %d s",
                 c->host, c->port, c->keepalive);
    else if (c->close_rc == MOSQ_ERR_CONN_LOST || c->close_rc == MOSQ_ERR_SUCCESS)
        snprintf(out, n, "%s%s: closed by the broker", where, lost ? " lost" : "");
    else
        snprintf(out, n, "%s%s: %s (mosquitto error %d)", where, lost ? " lost" : "",
                 mosquitto_strerror(c->close_rc), c->close_rc);
}

/* ---- libmosquitto callbacks (network thread) ---------------------------------------------- */

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
    (void)mosq;
    struct tsim__mqtt *c = obj;
    /* TLS failures reach us only as log lines ("OpenSSL Error[0]: ...: certificate verify
     * failed"); the first of an attempt says the most. */
    if ((level & MOSQ_LOG_ERR) && !c->tls_problem[0])
        snprintf(c->tls_problem, sizeof c->tls_problem, "%s", str);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct tsim__mqtt *c = obj;
    c->connack = rc;
    if (rc != 0) return; /* the library closes the socket; the loop says why */
    double now = mono_now();
    c->phase = UP;
    c->attempt = 0;
    pthread_mutex_lock(&c->lock);
    uint64_t n = ++c->connects;
    if (c->blind_since >= 0) c->blind_total += now - c->blind_since;
    c->blind_since = -1;
    pthread_mutex_unlock(&c->lock);
    for (int i = 0; i < c->nfilters; i++) mosquitto_subscribe(mosq, NULL, c->filters[i], c->qos);
    if (c->status_topic) {
        atomic_fetch_add(&c->pending, 1);
        if (mosquitto_publish(mosq, NULL, c->status_topic, (int)strlen(c->status_online),
                              c->status_online, c->qos, true) != MOSQ_ERR_SUCCESS)
            atomic_fetch_sub(&c->pending, 1);
    }
    atomic_store(&c->connected, 1);
    char what[300];
    snprintf(what, sizeof what, "%.200s:%d", c->host, c->port);
    emit(c, TSIM__MQ_CONNECTED, what, 0, n);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    struct tsim__mqtt *c = obj;
    c->closed = 1;
    c->close_rc = rc;
    c->close_errno = errno;
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
    c->got_msgs = 1;
    if (c->on_msg) c->on_msg(c->ctx, m->topic, m->payload, (size_t)m->payloadlen, m->qos);
}

/* ---- the network thread -------------------------------------------------------------------- */

static void start_attempt(struct tsim__mqtt *c)
{
    c->connack = -1;
    c->closed = 0;
    c->close_rc = 0;
    c->close_errno = 0;
    c->tls_problem[0] = '\0';
    c->attempt_t0 = mono_now();
    errno = 0;
    int rc = c->started ? mosquitto_reconnect_async(c->mosq)
                        : mosquitto_connect_async(c->mosq, c->host, c->port, c->keepalive);
    int err = errno;
    c->started = 1;
    if (rc == MOSQ_ERR_SUCCESS) {
        c->phase = CONNECTING;
        return;
    }
    char why[512], low[128];
    if (rc == MOSQ_ERR_EAI)
        snprintf(why, sizeof why, "cannot resolve '%.200s': %s (getaddrinfo code %d)", c->host,
                 lower(gai_strerror(err), low, sizeof low), err);
    else if (rc == MOSQ_ERR_ERRNO)
        snprintf(why, sizeof why, "cannot connect to %.200s:%d: %s (errno %d)", c->host, c->port,
                 lower(strerror(err), low, sizeof low), err);
    else if (rc == MOSQ_ERR_TLS)
        snprintf(why, sizeof why, "TLS with %.200s:%d failed: %.200s", c->host, c->port,
                 c->tls_problem[0] ? c->tls_problem : mosquitto_strerror(rc));
    else
        snprintf(why, sizeof why, "cannot connect to %.200s:%d: %s (mosquitto error %d)", c->host,
                 c->port, mosquitto_strerror(rc), rc);
    retry_later(c, TSIM__MQ_FAILED, why);
}

/* After a read, write or keepalive step: did the socket close under us? */
static void check_closed(struct tsim__mqtt *c)
{
    if (!c->closed || c->phase == WAITING) return;
    char why[512];
    int lost = c->phase == UP;
    close_reason(c, lost, why, sizeof why);
    retry_later(c, lost ? TSIM__MQ_LOST : TSIM__MQ_FAILED, why);
}

static int readable_now(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP));
}

/* Read what is there (a burst of up to 1024 packets), then have the owner make the messages
 * durable before anything (their PUBACKs) is written. */
static void read_burst(struct tsim__mqtt *c, int sock)
{
    for (int n = 0; n < 1024; n++) {
        if (mosquitto_loop_read(c->mosq, 1) != MOSQ_ERR_SUCCESS || c->closed) break;
        if (mosquitto_socket(c->mosq) != sock || !readable_now(sock)) break;
    }
    if (c->got_msgs && c->on_sync && c->on_sync(c->ctx) != 0) atomic_store(&c->withheld, 1);
    c->got_msgs = 0;
}

static void *net_main(void *arg)
{
    struct tsim__mqtt *c = arg;
    c->next_try = mono_now();
    while (!atomic_load(&c->stopping) && !atomic_load(&c->withheld)) {
        double now = mono_now();
        if (c->phase == WAITING && now >= c->next_try) {
            start_attempt(c);
            continue;
        }
        if (c->phase == CONNECTING && now - c->attempt_t0 > CONNECT_TIMEOUT_S) {
            char why[512];
            snprintf(why, sizeof why, "no answer from %.200s:%d within %.0f s", c->host, c->port,
                     CONNECT_TIMEOUT_S);
            /* The next attempt (mosquitto_reconnect_async) closes this socket. */
            retry_later(c, TSIM__MQ_FAILED, why);
            continue;
        }
        int sock = c->phase == WAITING ? -1 : mosquitto_socket(c->mosq);
        if (c->phase != WAITING && sock < 0) {
            /* Closed without a word from the library (it reports through on_disconnect, but a
             * connection that is gone must never look alive). */
            if (!c->closed) {
                c->closed = 1;
                c->close_rc = MOSQ_ERR_CONN_LOST;
            }
            check_closed(c);
            continue;
        }
        /* Asleep from here: a publish after this point writes to the wake pipe, and one before
         * it is seen by the want_write below. */
        atomic_store(&c->sleeping, 1);
        struct pollfd p[2];
        p[0].fd = c->wake[0];
        p[0].events = POLLIN;
        p[1].fd = sock;
        p[1].events = (short)(POLLIN | (mosquitto_want_write(c->mosq) ? POLLOUT : 0));
        p[1].revents = 0;
        /* Short enough for keepalives and the timers above; a publish or a stop wakes it. */
        double wait_s = c->phase == WAITING ? c->next_try - now : 0.25;
        if (wait_s > 0.25) wait_s = 0.25;
        if (wait_s < 0) wait_s = 0;
        int rc = poll(p, sock >= 0 ? 2 : 1, (int)(wait_s * 1000) + 1);
        atomic_store(&c->sleeping, 0);
        if (rc > 0 && (p[0].revents & POLLIN)) {
            char buf[64];
            while (read(c->wake[0], buf, sizeof buf) > 0) {}
        }
        if (sock < 0 || atomic_load(&c->stopping)) continue;
        if (rc > 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            read_burst(c, sock);
            if (atomic_load(&c->withheld)) break;
            check_closed(c);
            if (c->phase == WAITING) continue;
        }
        if (mosquitto_want_write(c->mosq)) {
            mosquitto_loop_write(c->mosq, 1);
            check_closed(c);
            if (c->phase == WAITING) continue;
        }
        mosquitto_loop_misc(c->mosq);
        check_closed(c);
    }
    return NULL;
}

/* ---- the owner's side ------------------------------------------------------------------------ */

static void destroy(struct tsim__mqtt *c)
{
    if (c->mosq) mosquitto_destroy(c->mosq);
    for (int i = 0; i < c->nfilters; i++) tsim__free(c->filters[i]);
    tsim__free(c->filters);
    tsim__free(c->host);
    tsim__free(c->status_topic);
    tsim__free(c->status_online);
    tsim__free(c->status_offline);
    if (c->wake[0] >= 0) close(c->wake[0]);
    if (c->wake[1] >= 0) close(c->wake[1]);
    pthread_mutex_destroy(&c->lock);
    tsim__free(c);
}

struct tsim__mqtt *tsim__mqtt_start(const struct tsim_mqtt_opts *o,
                                    const struct tsim__mqtt_hooks *h, const char *const *filters,
                                    int nfilters, char *err, size_t errlen)
{
    if (tsim__mqtt_lib_load(err, errlen) != 0) return NULL;
    if (!o->clean && (!o->client_id || !*o->client_id)) {
        snprintf(err, errlen, "a persistent session needs a client id");
        return NULL;
    }
    if (!o->host || !*o->host || o->port < 1 || o->port > 65535) {
        snprintf(err, errlen, "bad broker address '%s:%d'", o->host ? o->host : "", o->port);
        return NULL;
    }
    struct tsim__mqtt *c = tsim__calloc(1, sizeof *c);
    c->wake[0] = c->wake[1] = -1;
    pthread_mutex_init(&c->lock, NULL);
    c->host = tsim__strdup(o->host);
    c->port = o->port;
    c->keepalive = o->keepalive;
    c->qos = o->qos;
    if (h) {
        c->on_msg = h->on_msg;
        c->on_sync = h->on_sync;
        c->on_event = h->on_event;
        c->ctx = h->ctx;
    }
    c->blind_since = mono_now();
    c->phase = WAITING;
    atomic_init(&c->connected, 0);
    atomic_init(&c->pending, 0);
    atomic_init(&c->sleeping, 0);
    atomic_init(&c->stopping, 0);
    atomic_init(&c->withheld, 0);
    /* Jitter only: any seed that differs between processes does. */
    tsim_rng_seed(&c->rng, (uint64_t)getpid() * 0x9e3779b97f4a7c15ull ^
                               (uint64_t)(mono_now() * 1e9));
    c->nfilters = nfilters;
    c->filters = tsim__calloc((size_t)(nfilters ? nfilters : 1), sizeof *c->filters);
    for (int i = 0; i < nfilters; i++) c->filters[i] = tsim__strdup(filters[i]);
    if (o->status_topic && o->status_online && o->status_offline) {
        c->status_topic = tsim__strdup(o->status_topic);
        c->status_online = tsim__strdup(o->status_online);
        c->status_offline = tsim__strdup(o->status_offline);
    }
    if (pipe(c->wake) != 0 || fcntl(c->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(c->wake[1], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        goto fail;
    }
    c->mosq = mosquitto_new(o->client_id, o->clean ? true : false, c);
    if (!c->mosq) {
        snprintf(err, errlen, "cannot create an mqtt client: %s", strerror(errno));
        goto fail;
    }
    mosquitto_threaded_set(c->mosq, true);
    mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    /* A cap of 20 in flight (the default) limits loopback throughput to the round trip; no cap
     * at all makes libmosquitto walk its whole outgoing queue on every publish. */
    mosquitto_max_inflight_messages_set(c->mosq, 1000);
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
    if (o->status_lost && c->status_topic &&
        (rc = mosquitto_will_set(c->mosq, c->status_topic, (int)strlen(o->status_lost),
                                 o->status_lost, o->qos, true))) {
        snprintf(err, errlen, "bad status topic '%s': %s", c->status_topic,
                 mosquitto_strerror(rc));
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
    if (pthread_create(&c->th, NULL, net_main, c) != 0) {
        snprintf(err, errlen, "cannot start the mqtt thread");
        goto fail;
    }
    c->th_started = 1;
    return c;
fail:
    destroy(c);
    return NULL;
}

int tsim__mqtt_publish(struct tsim__mqtt *c, const char *topic, const void *payload, size_t len,
                       int qos, int retain)
{
    atomic_fetch_add(&c->pending, 1);
    int rc = mosquitto_publish(c->mosq, NULL, topic, (int)len, payload, qos, retain ? true : false);
    /* QoS > 0: NO_CONN means queued for the next connection, which is what we want. */
    if (rc == MOSQ_ERR_SUCCESS || (qos > 0 && rc == MOSQ_ERR_NO_CONN)) {
        wake(c);
        return 0;
    }
    atomic_fetch_sub(&c->pending, 1);
    return -1;
}

int tsim__mqtt_pending(struct tsim__mqtt *c) { return atomic_load(&c->pending); }

void tsim__mqtt_throttle(struct tsim__mqtt *c, int max_pending,
                         const volatile sig_atomic_t *interrupt)
{
    struct timespec d = {0, 100 * 1000};
    /* While disconnected the queue only grows until the reconnect; waiting would stall the
     * caller for the whole outage, so it waits only for a live connection to drain, and not
     * past a signal (a broker that stopped acknowledging must not hold a stop up). */
    while (atomic_load(&c->pending) > max_pending && atomic_load(&c->connected) &&
           !atomic_load(&c->stopping) && !(interrupt && *interrupt))
        nanosleep(&d, NULL);
}

int tsim__mqtt_connected(struct tsim__mqtt *c) { return atomic_load(&c->connected); }

uint64_t tsim__mqtt_reconnects(struct tsim__mqtt *c)
{
    struct tsim__mqtt_stats s;
    tsim__mqtt_stats(c, &s);
    return s.reconnects;
}

void tsim__mqtt_stats(struct tsim__mqtt *c, struct tsim__mqtt_stats *s)
{
    memset(s, 0, sizeof *s);
    if (!c) return;
    double now = mono_now();
    pthread_mutex_lock(&c->lock);
    s->connects = c->connects;
    s->reconnects = c->connects ? c->connects - 1 : 0;
    s->failures = c->failures;
    s->blind_s = c->blind_total + (c->blind_since >= 0 ? now - c->blind_since : 0);
    snprintf(s->last_problem, sizeof s->last_problem, "%s", c->last_problem);
    pthread_mutex_unlock(&c->lock);
    s->connected = atomic_load(&c->connected);
}

void tsim__mqtt_stop(struct tsim__mqtt *c, double drain_s, const volatile sig_atomic_t *interrupt)
{
    if (!c) return;
    /* Pending publishes go out and are acknowledged first, while connected (a signal allows
     * half a second): the broker must not be answering one when the goodbye closes the socket,
     * or it takes the close for a broken connection and publishes the will. */
    struct timespec d = {0, 10 * 1000 * 1000};
    for (double waited = 0; atomic_load(&c->pending) > 0 && atomic_load(&c->connected) &&
                            !atomic_load(&c->withheld) &&
                            waited < (interrupt && *interrupt && drain_s > 0.5 ? 0.5 : drain_s);
         waited += 0.01)
        nanosleep(&d, NULL);
    atomic_store(&c->stopping, 1);
    char b = 0;
    if (write(c->wake[1], &b, 1) < 0) { /* a full pipe wakes it as well */ }
    if (c->th_started) pthread_join(c->th, NULL);
    /* The thread is gone: this thread may drive the client now. A clean goodbye (the status
     * "offline", then DISCONNECT, which makes the broker discard the will) only where every
     * message read was made durable; otherwise the socket is closed without writing anything,
     * so that no acknowledgement of a message the owner did not keep goes out, and the broker's
     * will says the twin is gone. The status goes at QoS 0: nothing the broker answers may be
     * on its way when the socket closes. */
    if (!atomic_load(&c->withheld) && !c->got_msgs && atomic_load(&c->connected)) {
        if (c->status_topic)
            mosquitto_publish(c->mosq, NULL, c->status_topic, (int)strlen(c->status_offline),
                              c->status_offline, 0, true);
        mosquitto_disconnect(c->mosq);
        double t0 = mono_now();
        while (mosquitto_socket(c->mosq) >= 0 && mosquitto_want_write(c->mosq) &&
               mono_now() - t0 < 1.0) {
            struct pollfd p = {mosquitto_socket(c->mosq), POLLOUT, 0};
            if (poll(&p, 1, 50) > 0 && mosquitto_loop_write(c->mosq, 1) != MOSQ_ERR_SUCCESS) break;
        }
    }
    destroy(c);
}
