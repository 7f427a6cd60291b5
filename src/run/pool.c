/*
 * A fork-join thread pool for independent jobs: `threads` workers take job indices from a shared
 * counter; the calling thread collects completions and hands each to a callback, so whatever the
 * callback touches (merging, the database, the progress bar) is only ever touched by one thread.
 * Not a scheduler: jobs are taken in index order, and nothing here affects what a job computes.
 *
 * Invariant: `done` is called exactly once for each job that finished, in completion order; a
 * stop request only keeps workers from taking new jobs.
 */
#include "run/pool.h"

#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS (10 * 1000 * 1000)

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t n, next;
    size_t *finished; /* ring of completed indices, written by workers */
    size_t nfin, nread;
    int running;
    tsim__pool_fn *fn;
    void *ctx;
    const atomic_int *stop;
};

struct worker_arg {
    struct pool *p;
    int id;
};

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    struct pool *p = wa->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        if (p->next >= p->n || (p->stop && atomic_load(p->stop))) {
            p->running--;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);

        p->fn(p->ctx, wa->id, i);

        /* No wake-up per job: the collector looks every TICK_NS anyway, and waking it for
         * each of many short jobs would cost a context switch apiece. */
        pthread_mutex_lock(&p->mu);
        p->finished[p->nfin++] = i;
        pthread_mutex_unlock(&p->mu);
    }
}

int tsim__pool_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

static void run_inline(struct pool *p, tsim__pool_done_fn *done, tsim__pool_tick_fn *tick,
                       size_t *count)
{
    /* One thread: no pool at all, so a single-threaded run has no scheduling noise. */
    for (size_t i = 0; i < p->n; i++) {
        if (p->stop && atomic_load(p->stop)) break;
        p->fn(p->ctx, 0, i);
        if (done) done(p->ctx, i);
        if (tick) tick(p->ctx);
        (*count)++;
    }
}

size_t tsim__pool_run(int threads, size_t n, tsim__pool_fn *fn, tsim__pool_done_fn *done,
                      tsim__pool_tick_fn *tick, void *ctx, const atomic_int *stop)
{
    struct pool p = {.n = n, .fn = fn, .ctx = ctx, .stop = stop};
    size_t count = 0;
    if (n == 0) return 0;
    if (threads <= 0) threads = tsim__pool_cores();
    if ((size_t)threads > n) threads = (int)n;
    if (threads == 1) {
        run_inline(&p, done, tick, &count);
        return count;
    }
    p.finished = tsim__malloc(n * sizeof *p.finished);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_t *tid = tsim__malloc((size_t)threads * sizeof *tid);
    struct worker_arg *wa = tsim__malloc((size_t)threads * sizeof *wa);
    p.running = threads;
    int started = 0;
    for (int k = 0; k < threads; k++) {
        wa[k].p = &p;
        wa[k].id = k;
        if (pthread_create(&tid[k], NULL, worker_main, &wa[k]) != 0) break;
        started++;
    }
    pthread_mutex_lock(&p.mu);
    p.running -= threads - started;
    pthread_mutex_unlock(&p.mu);
    if (started == 0) {
        /* No thread could start (resource limits): do the work here rather than fail. */
        run_inline(&p, done, tick, &count);
    } else {
        pthread_mutex_lock(&p.mu);
        for (;;) {
            while (p.nread < p.nfin) {
                size_t i = p.finished[p.nread++];
                pthread_mutex_unlock(&p.mu);
                if (done) done(ctx, i);
                count++;
                pthread_mutex_lock(&p.mu);
            }
            if (p.running == 0 && p.nread == p.nfin) break;
            /* Collect every TICK_NS: completions are taken in batches, and a stop request, which
             * arrives through a signal handler that cannot signal a condition variable, is
             * seen within a tick. */
            struct timespec ts;
            tsim__deadline(&ts, TICK_NS);
            int rc = pthread_cond_timedwait(&p.cv, &p.mu, &ts);
            if (rc == ETIMEDOUT && tick) {
                pthread_mutex_unlock(&p.mu);
                tick(ctx);
                pthread_mutex_lock(&p.mu);
            }
        }
        pthread_mutex_unlock(&p.mu);
        for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
        if (tick) tick(ctx);
    }
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    tsim__free(tid);
    tsim__free(wa);
    tsim__free(p.finished);
    return count;
}

void tsim__deadline(struct timespec *ts, long ns)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ns;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}
