/*
 * Replications over threads. Each replication is a pure function of (model, seed, replication
 * index), so threads only decide who computes what and when, never the result: a worker takes
 * the next slot from a shared counter and writes only that slot. Each worker keeps one sim and
 * resets it between replications, so memory does not grow with the replication count.
 *
 * Invariant: the model is validated (and so finalised) on the calling thread before any worker
 * starts; workers then only read it.
 */
#include "core/core.h"
#include "model/lint.h"
#include "run/replicate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Above this, more threads than this only add contention; also caps a mistyped --threads. */
#define MAX_THREADS 1024

struct job {
    const struct tsim_model *m;
    uint64_t seed, first;
    size_t n;
    tsim__rep_fn *fn;
    void *ctx;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t lock; /* guards the error fields below */
    size_t err_slot;      /* lowest failing slot, n if none */
    int err;
    char errmsg[512];
};

int tsim__thread_count(int threads, size_t n)
{
    long k = threads;
    if (k <= 0) {
        k = sysconf(_SC_NPROCESSORS_ONLN);
        if (k < 1) k = 1;
    }
    if (k > MAX_THREADS) k = MAX_THREADS;
    if ((size_t)k > n) k = (long)n;
    return k < 1 ? 1 : (int)k;
}

/* Keep the failure of the lowest slot, so that the reported error does not depend on timing
 * more than it must (later slots may not have run at all once one fails). */
static void record_failure(struct job *job, size_t slot, int err, const char *msg)
{
    pthread_mutex_lock(&job->lock);
    if (slot < job->err_slot) {
        job->err_slot = slot;
        job->err = err;
        snprintf(job->errmsg, sizeof job->errmsg, "%s", msg);
    }
    pthread_mutex_unlock(&job->lock);
    atomic_store(&job->stop, 1);
}

static void *work(void *arg)
{
    struct job *job = arg;
    struct tsim_sim *sim = NULL;
    for (;;) {
        if (atomic_load(&job->stop)) break;
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n) break;
        uint64_t rep = job->first + i;
        if (!sim) {
            sim = tsim_sim_create(job->m, job->seed, rep);
            if (!sim) {
                record_failure(job, i, TSIM_EMODEL, tsim_errmsg());
                break;
            }
        } else {
            tsim_sim_reset(sim, job->seed, rep);
        }
        int rc = job->fn(job->ctx, sim, rep, i);
        if (rc < 0) {
            record_failure(job, i, rc, tsim_errmsg());
            break;
        }
    }
    tsim_sim_destroy(sim);
    return NULL;
}

/* A message without its leading "function: ". */
static const char *body(const char *msg)
{
    const char *p = msg;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') p++;
    return p > msg && p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

int tsim__replicate(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                    int threads, tsim__rep_fn *fn, void *ctx)
{
    TSIM__ASSERT(m && fn, "model and function are required");
    if (n == 0) return 0;
    if (tsim_model_validate(m) != 0) return TSIM_EMODEL;

    struct job job = {.m = m, .seed = seed, .first = first, .n = n, .fn = fn, .ctx = ctx,
                      .err_slot = n};
    atomic_init(&job.next, 0);
    atomic_init(&job.stop, 0);
    pthread_mutex_init(&job.lock, NULL);

    int k = tsim__thread_count(threads, n);
    pthread_t *tid = tsim__calloc((size_t)k, sizeof *tid);
    int started = 0;
    /* The calling thread is worker 0. If the system refuses a thread, the others take its share:
     * fewer threads change only the speed. */
    for (int t = 1; t < k; t++) {
        if (pthread_create(&tid[started], NULL, work, &job) == 0) started++;
    }
    work(&job);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    tsim__free(tid);
    pthread_mutex_destroy(&job.lock);

    if (job.err_slot < n) return tsim__fail(job.err, "tsim_run_replications",
                                            "replication %llu: %s",
                                            (unsigned long long)(first + job.err_slot),
                                            body(job.errmsg));
    return 0;
}

struct plain_run {
    const struct tsim_run_opts *o;
    struct tsim_result *out;
};

static int run_one(void *ctx, struct tsim_sim *sim, uint64_t replication, size_t i)
{
    struct plain_run *pr = ctx;
    (void)replication;
    if (pr->o->warmup > 0) {
        int rc = tsim_sim_set_warmup(sim, pr->o->warmup);
        if (rc < 0) return rc;
    }
    if (pr->o->horizon > 0)
        tsim_sim_run_until(sim, pr->o->horizon);
    else
        tsim_sim_run(sim);
    /* A sim stopped by an error has no numbers to give. */
    int rc = tsim_sim_status(sim);
    if (rc < 0) return rc;
    tsim_sim_result(sim, &pr->out[i]);
    return 0;
}

int tsim_run_replications(const struct tsim_model *m, const struct tsim_run_opts *o,
                          struct tsim_result *out)
{
    TSIM__ASSERT(m && o && out, "model, options and output are required");
    if (o->replications < 1)
        return tsim__fail(TSIM_EINVAL, __func__, "replications must be at least 1, not %d",
                          o->replications);
    for (int i = 0; i < o->replications; i++) tsim_result_init(&out[i]);
    if (o->first_replication < 0)
        return tsim__fail(TSIM_EINVAL, __func__, "first replication must not be negative");
    if (!(o->horizon >= 0) || !(o->warmup >= 0))
        return tsim__fail(TSIM_EINVAL, __func__, "horizon and warm-up must not be negative");
    if (o->horizon > 0 && o->warmup >= o->horizon)
        return tsim__fail(TSIM_EINVAL, __func__, "warm-up %g is not shorter than the horizon %g",
                          o->warmup, o->horizon);
    if (tsim_model_validate(m) != 0) return TSIM_EMODEL;
    const char *unit = tsim_model_time_unit(m);
    if (o->horizon > tsim_model_max_time(m))
        return tsim__fail(TSIM_ERANGE, __func__,
                          "horizon %.10g %s is past the latest time this model's resolution can "
                          "count (%.10g %s; a coarser 'resolution' reaches further)",
                          o->horizon, unit, tsim_model_max_time(m), unit);
    char why[200];
    int b;
    if (!(o->horizon > 0) && tsim__model_endless(m, why, sizeof why, &b))
        return tsim__fail(TSIM_EINVAL, __func__,
                          "no horizon, and %s: this run would never end (give it a horizon)",
                          why);

    struct plain_run pr = {.o = o, .out = out};
    return tsim__replicate(m, o->seed, (uint64_t)o->first_replication, (size_t)o->replications,
                           o->threads, run_one, &pr);
}
