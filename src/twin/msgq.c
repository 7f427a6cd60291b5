/*
 * The queue that hands received messages from the MQTT network thread to the twin's thread, and
 * the gate that keeps their acknowledgements back until the twin has made them durable. Nothing
 * here knows what a message means.
 *
 * Invariants: messages leave in the order they came; `pushed` counts every message ever pushed,
 * `done` the prefix of them the consumer has declared handled (recorded and committed, or
 * dropped); done <= pushed. Once abandoned, the gate never waits again.
 */
#include "core/core.h"
#include "twin/twin.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

struct tsim__msgq {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full, progress;
    struct tsim__msg *ring;
    size_t cap, head, n;
    size_t bytes;         /* payload bytes queued */
    int waiting_pop, waiting_push; /* threads asleep on each condition: wake only those */
    int waiting_done;
    uint64_t pushed, done;
    int abandoned;
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
    pthread_cond_init(&q->progress, &a);
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
    pthread_cond_destroy(&q->progress);
    tsim__free(q->ring);
    tsim__free(q);
}

static struct timespec deadline(double timeout_s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long long ns = until.tv_nsec + (long long)(timeout_s * 1e9);
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    return until;
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
     * alone would let the queue hold hundreds of gigabytes. One message always fits. An abandoned
     * queue has no reader left: the message is dropped (its acknowledgement is withheld). */
    while (!q->abandoned && (q->n == q->cap || (q->n > 0 && q->bytes + len > TSIM__MSGQ_BYTES))) {
        q->waiting_push++;
        pthread_cond_wait(&q->not_full, &q->lock);
        q->waiting_push--;
    }
    if (q->abandoned) {
        pthread_mutex_unlock(&q->lock);
        tsim__free(m.topic);
        tsim__free(m.payload);
        return;
    }
    q->ring[(q->head + q->n) % q->cap] = m;
    q->n++;
    q->bytes += len;
    q->pushed++;
    /* A wake-up is a system call; at tens of thousands of messages a second only a sleeping
     * reader gets one. */
    if (q->waiting_pop) pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

static void take(struct tsim__msgq *q, struct tsim__msg *m)
{
    *m = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    q->bytes -= m->len;
    if (q->waiting_push) pthread_cond_signal(&q->not_full);
}

int tsim__msgq_pop(struct tsim__msgq *q, struct tsim__msg *m, double timeout_s)
{
    if (timeout_s <= 0) {
        /* The reader's fast path while it drains a backlog: no clock, no wait. */
        pthread_mutex_lock(&q->lock);
        int got = q->n > 0;
        if (got) take(q, m);
        pthread_mutex_unlock(&q->lock);
        return got;
    }
    struct timespec until = deadline(timeout_s);
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
    take(q, m);
    pthread_mutex_unlock(&q->lock);
    return 1;
}

uint64_t tsim__msgq_pushed(struct tsim__msgq *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t n = q->pushed;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void tsim__msgq_done(struct tsim__msgq *q, uint64_t done)
{
    pthread_mutex_lock(&q->lock);
    if (done > q->done) q->done = done;
    if (q->waiting_done) pthread_cond_broadcast(&q->progress);
    pthread_mutex_unlock(&q->lock);
}

int tsim__msgq_wait_done(struct tsim__msgq *q, uint64_t mark)
{
    pthread_mutex_lock(&q->lock);
    /* The consumer declares progress after every drain of the queue, so this wait ends as soon
     * as it has caught up; the timeout only bounds how long an abandon may go unnoticed. */
    while (!q->abandoned && q->done < mark) {
        struct timespec until = deadline(0.1);
        q->waiting_done++;
        pthread_cond_timedwait(&q->progress, &q->lock, &until);
        q->waiting_done--;
    }
    int rc = q->done >= mark ? 0 : -1;
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void tsim__msgq_abandon(struct tsim__msgq *q)
{
    pthread_mutex_lock(&q->lock);
    q->abandoned = 1;
    pthread_cond_broadcast(&q->progress);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

int tsim__msgq_settled(struct tsim__msgq *q)
{
    pthread_mutex_lock(&q->lock);
    int s = q->done == q->pushed;
    pthread_mutex_unlock(&q->lock);
    return s;
}
