/*
 * The MQTT side without a broker (src/twin/mqtt.c, src/twin/msgq.c): the queue, its
 * durability gate, and the reconnect backoff.
 */
#include "check.h"

#if defined(TSIM_HAVE_MQTT) && defined(TSIM_HAVE_CJSON)
#include "twin_fixture.h"

#include <pthread.h>
#include <time.h>

static void test_msgq(void)
{
    struct tsim__msgq *q = tsim__msgq_create(4);
    struct tsim__msg msg;
    CHECK(tsim__msgq_pop(q, &msg, 0.01) == 0);
    tsim__msgq_push(q, "a", "xy", 2);
    tsim__msgq_push(q, "b", "", 0);
    CHECK(tsim__msgq_pop(q, &msg, 0) == 1 && strcmp(msg.topic, "a") == 0 && msg.len == 2);
    tsim__free(msg.topic);
    tsim__free(msg.payload);
    tsim__msgq_push(q, "c", "z", 1);
    tsim__msgq_destroy(q); /* frees what is left */
}

struct waiter {
    struct tsim__msgq *q;
    uint64_t mark;
    int rc;
};

static void *wait_done(void *arg)
{
    struct waiter *w = arg;
    w->rc = tsim__msgq_wait_done(w->q, w->mark);
    return NULL;
}

/* The durability gate: a wait for the first n messages ends when the consumer declares them
 * done, and with -1 (acknowledgements withheld) once the consumer gives up. */
static void test_msgq_gate(void)
{
    struct tsim__msgq *q = tsim__msgq_create(8);
    tsim__msgq_push(q, "a", "1", 1);
    tsim__msgq_push(q, "a", "2", 1);
    CHECK(tsim__msgq_pushed(q) == 2 && !tsim__msgq_settled(q));
    CHECK(tsim__msgq_wait_done(q, 0) == 0);
    struct waiter w = {q, 2, 7};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, wait_done, &w) == 0);
    tsim__msgq_done(q, 1); /* not enough: the waiter goes on waiting */
    tsim__msgq_done(q, 2);
    pthread_join(th, NULL);
    CHECK(w.rc == 0 && tsim__msgq_settled(q));
    tsim__msgq_done(q, 1); /* never backwards */
    CHECK(tsim__msgq_wait_done(q, 2) == 0);
    tsim__msgq_push(q, "a", "3", 1);
    struct waiter w2 = {q, 3, 7};
    CHECK(pthread_create(&th, NULL, wait_done, &w2) == 0);
    tsim__msgq_abandon(q);
    pthread_join(th, NULL);
    CHECK(w2.rc == -1 && !tsim__msgq_settled(q));
    tsim__msgq_push(q, "a", "4", 1); /* nobody reads it any more: dropped */
    CHECK(tsim__msgq_pushed(q) == 3);
    tsim__msgq_destroy(q);
}

/* Waits double from 1 s to the cap, each within 0.8 and 1.2 times its step. */
static void test_backoff(void)
{
    const double want[] = {1, 2, 4, 8, 16, 30, 30, 30};
    for (unsigned k = 0; k < 8; k++) {
        CHECK_NEAR(tsim__mqtt_backoff(k, 0.5), want[k], 1e-12);
        CHECK_NEAR(tsim__mqtt_backoff(k, 0), 0.8 * want[k], 1e-12);
        CHECK_NEAR(tsim__mqtt_backoff(k, 1), 1.2 * want[k], 1e-12);
    }
    CHECK_NEAR(tsim__mqtt_backoff(1000, 0.5), TSIM__MQTT_BACKOFF_MAX, 1e-12);
    CHECK_NEAR(tsim__mqtt_backoff(3, -4), 0.8 * 8, 1e-12);
}

struct events {
    pthread_mutex_t lock;
    int n;
    struct tsim__mqtt_ev first;
    char text[300];
};

static void on_ev(void *ctx, const struct tsim__mqtt_ev *e)
{
    struct events *ev = ctx;
    pthread_mutex_lock(&ev->lock);
    if (ev->n++ == 0) {
        ev->first = *e;
        snprintf(ev->text, sizeof ev->text, "%s", e->text);
    }
    pthread_mutex_unlock(&ev->lock);
}

/* Bad options are refused at once; a refused connection is reported with the system's code and
 * the first wait, and counted (a closed port on loopback: no broker needed). */
static void test_mqtt_refused(void)
{
    struct tsim_mqtt_opts o;
    tsim_mqtt_opts_init(&o);
    char err[256];
    CHECK(tsim__mqtt_start(&o, NULL, NULL, 0, err, sizeof err) == NULL);
    CHECK_STR(err, "a persistent session needs a client id");
    o.client_id = "test-refused";
    o.port = 0;
    CHECK(tsim__mqtt_start(&o, NULL, NULL, 0, err, sizeof err) == NULL);
    CHECK_STR(err, "bad broker address '127.0.0.1:0'");
    o.port = 1; /* nothing listens on port 1 */
    struct events ev;
    memset(&ev, 0, sizeof ev);
    pthread_mutex_init(&ev.lock, NULL);
    struct tsim__mqtt_hooks h = {NULL, NULL, on_ev, &ev};
    struct tsim__mqtt *c = tsim__mqtt_start(&o, &h, NULL, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    struct timespec d = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&ev.lock);
        int n = ev.n;
        pthread_mutex_unlock(&ev.lock);
        if (n) break;
        nanosleep(&d, NULL);
    }
    struct tsim__mqtt_stats st;
    tsim__mqtt_stats(c, &st);
    tsim__mqtt_stop(c, 0, NULL);
    CHECK(ev.n >= 1 && ev.first.kind == TSIM__MQ_FAILED && !ev.first.repeated);
    CHECK_STR(ev.text, "cannot connect to 127.0.0.1:1: connection refused (errno 111)");
    CHECK(ev.first.retry_s >= 0.8 && ev.first.retry_s <= 1.2 && ev.first.n == 1);
    CHECK(st.failures >= 1 && st.connects == 0 && !st.connected);
    CHECK_STR(st.last_problem, "cannot connect to 127.0.0.1:1: connection refused (errno 111)");
    pthread_mutex_destroy(&ev.lock);
}


int main(void)
{
    RUN(test_msgq);
    RUN(test_msgq_gate);
    RUN(test_backoff);
    RUN(test_mqtt_refused);
    return CHECK_DONE();
}

#else

int main(void)
{
    /* The twin is built only with libmosquitto and libcjson; say so rather than skip quietly. */
    printf("PASS test_twin_mqtt_not_built (no MQTT support in this build: twin unit tests not run)\n");
    return CHECK_DONE() + check_failed_;
}

#endif
