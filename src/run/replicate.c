/*
 * Replications over threads. Each replication is a pure function of (model, seed, replication
 * index), so threads only decide who computes what and when, never the result: a worker takes
 * the next slot from a shared counter and writes only that slot. Each worker keeps one sim and
 * resets it between replications, so memory does not grow with the replication count.
 *
 * Two ways to hand results back: into the caller's slots (tsim__replicate), or folded one at a
 * time in replication order as they come (tsim__replicate_fold), through a ring of a few results
 * per thread. In the second, whichever worker deposits the result the ring waits for becomes the
 * folder and folds every result that is then next in order; the others deposit and go on.
 *
 * Invariants: the model is validated (and so finalised) on the calling thread before any worker
 * starts; workers then only read it. In the folding mode, replication first + k waits in ring
 * slot k mod window, and a worker may only start it when k < folded + window, so a slot is never
 * written while its result waits to be folded.
 */
#include "blocks/sim.h"
#include "core/core.h"
#include "model/lint.h"
#include "run/pool.h"
#include "run/replicate.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Above this, more threads than this only add contention; also caps a mistyped --threads. */
#define MAX_THREADS 1024
/* Results that may wait for an earlier replication, per thread (and at least this many). */
#define WINDOW_PER_THREAD 4
/* A worker waiting for room in the ring looks at the interrupt flag this often: a signal
 * handler cannot signal a condition variable. */
#define WAIT_NS (20 * 1000 * 1000)

struct job {
    const struct tsim_model *m;
    uint64_t seed, first;
    size_t n;
    tsim__rep_fn *fn;
    void *ctx;
    const atomic_int *interrupt;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t lock; /* guards the error fields and the ring below */
    size_t err_slot;      /* lowest failing slot, n if none */
    int err;
    char errmsg[512];
    /* folding mode (tsim__replicate_fold) */
    tsim__rep_run_fn *run;
    tsim__rep_fold_fn *fold;
    size_t window;
    struct tsim_result *ring; /* window results, reused */
    unsigned char *ready;     /* per ring slot: holds a result not yet folded */
    size_t folded;            /* replications folded: the next to fold is first + folded */
    int folding;              /* a worker is folding now */
    pthread_cond_t room;      /* `folded` moved, or the work stops */
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

static int interrupted(const struct job *job)
{
    return job->interrupt && atomic_load(job->interrupt) != 0;
}

/* Keep the failure of the lowest slot, so that the reported error does not depend on timing
 * more than it must (later slots may not have run at all once one fails). Call with the lock. */
static void note_failure(struct job *job, size_t slot, int err, const char *msg)
{
    if (slot < job->err_slot) {
        job->err_slot = slot;
        job->err = err;
        snprintf(job->errmsg, sizeof job->errmsg, "%s", msg);
    }
    atomic_store(&job->stop, 1);
    if (job->fold) pthread_cond_broadcast(&job->room);
}

static void record_failure(struct job *job, size_t slot, int err, const char *msg)
{
    pthread_mutex_lock(&job->lock);
    note_failure(job, slot, err, msg);
    pthread_mutex_unlock(&job->lock);
}

/* A fresh sim for replication `rep` in *sim (created, or the worker's reset). 0, or -1 after
 * recording the failure of slot i. */
static int ready_sim(struct job *job, struct tsim_sim **sim, size_t i, uint64_t rep)
{
    if (*sim) {
        tsim_sim_reset(*sim, job->seed, rep);
        return 0;
    }
    *sim = tsim_sim_create(job->m, job->seed, rep);
    if (!*sim) {
        record_failure(job, i, TSIM_EMODEL, tsim_errmsg());
        return -1;
    }
    tsim__sim_watch(*sim, job->interrupt);
    return 0;
}

static void *work(void *arg)
{
    struct job *job = arg;
    struct tsim_sim *sim = NULL;
    for (;;) {
        if (atomic_load(&job->stop) || interrupted(job)) break;
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n) break;
        uint64_t rep = job->first + i;
        if (ready_sim(job, &sim, i, rep) != 0) break;
        int rc = job->fn(job->ctx, sim, rep, i);
        if (rc < 0) {
            record_failure(job, i, rc, tsim_errmsg());
            break;
        }
        if (tsim_sim_interrupted(sim)) break;
    }
    tsim_sim_destroy(sim);
    return NULL;
}

/* Wait until replication slot i may start (i < folded + window). 0, or -1 if the work stops. */
static int wait_room(struct job *job, size_t i)
{
    pthread_mutex_lock(&job->lock);
    while (i >= job->folded + job->window && !atomic_load(&job->stop) && !interrupted(job)) {
        struct timespec ts;
        tsim__deadline(&ts, WAIT_NS);
        pthread_cond_timedwait(&job->room, &job->lock, &ts);
    }
    int go = !atomic_load(&job->stop) && !interrupted(job);
    pthread_mutex_unlock(&job->lock);
    return go ? 0 : -1;
}

/* Put the result of slot i into the ring (swapping buffers with `mine`), then fold whatever is
 * next in order unless another worker is folding already. */
static void deposit(struct job *job, size_t i, struct tsim_result *mine)
{
    pthread_mutex_lock(&job->lock);
    size_t at = i % job->window;
    struct tsim_result t = job->ring[at];
    job->ring[at] = *mine;
    *mine = t;
    job->ready[at] = 1;
    if (!job->folding) {
        job->folding = 1;
        while (!atomic_load(&job->stop) && job->ready[job->folded % job->window]) {
            size_t k = job->folded % job->window;
            uint64_t rep = job->first + job->folded;
            /* The folder works unlocked: slot k cannot be written until `folded` passes it. */
            pthread_mutex_unlock(&job->lock);
            int rc = job->fold(job->ctx, rep, &job->ring[k]);
            pthread_mutex_lock(&job->lock);
            job->ready[k] = 0;
            if (rc < 0) {
                note_failure(job, job->folded, rc, tsim_errmsg());
                break;
            }
            job->folded++;
            pthread_cond_broadcast(&job->room);
        }
        job->folding = 0;
    }
    pthread_mutex_unlock(&job->lock);
}

static void *work_fold(void *arg)
{
    struct job *job = arg;
    struct tsim_sim *sim = NULL;
    struct tsim_result mine;
    tsim_result_init(&mine);
    for (;;) {
        if (atomic_load(&job->stop) || interrupted(job)) break;
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n || wait_room(job, i) != 0) break;
        uint64_t rep = job->first + i;
        if (ready_sim(job, &sim, i, rep) != 0) break;
        int rc = job->run(job->ctx, sim, rep, &mine);
        if (rc < 0) {
            record_failure(job, i, rc, tsim_errmsg());
            break;
        }
        /* An interrupted replication did not reach its end: its result is not folded, and the
         * ones after it wait for it in vain, which is what stops them being folded. */
        if (tsim_sim_interrupted(sim)) break;
        deposit(job, i, &mine);
    }
    tsim_result_release(&mine);
    tsim_sim_destroy(sim);
    return NULL;
}

/* Start k - 1 threads on `fn`, run one share on the calling thread, join. If the system refuses
 * a thread, the others take its share: fewer threads change only the speed. */
static void run_threads(struct job *job, int k, void *(*fn)(void *))
{
    pthread_t *tid = tsim__calloc((size_t)k, sizeof *tid);
    int started = 0;
    for (int t = 1; t < k; t++) {
        if (pthread_create(&tid[started], NULL, fn, job) == 0) started++;
    }
    fn(job);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    tsim__free(tid);
}

/* A message without its leading "function: ". */
static const char *body(const char *msg)
{
    const char *p = msg;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') p++;
    return p > msg && p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

/* The outcome once every thread has ended: an error, an interrupt, or 0. */
static int outcome(struct job *job, size_t done)
{
    if (job->err_slot < job->n)
        return tsim__fail(job->err, "tsim_run_replications", "replication %llu: %s",
                          (unsigned long long)(job->first + job->err_slot), body(job->errmsg));
    if (done < job->n || interrupted(job)) return TSIM__INTERRUPTED;
    return 0;
}

/* The opening of tsim__replicate and tsim__replicate_fold: 1 with `job` set up for replications
 * first .. first + n - 1 of `m`; 0 when there is nothing to run (n == 0), TSIM_EMODEL when the
 * model does not validate. */
static int job_init(struct job *job, const struct tsim_model *m, uint64_t seed, uint64_t first,
                    size_t n, const atomic_int *interrupt)
{
    if (n == 0) return 0;
    if (tsim_model_validate(m) != 0) return TSIM_EMODEL;
    memset(job, 0, sizeof *job);
    job->m = m;
    job->seed = seed;
    job->first = first;
    job->n = n;
    job->interrupt = interrupt;
    job->err_slot = n;
    atomic_init(&job->next, 0);
    atomic_init(&job->stop, 0);
    pthread_mutex_init(&job->lock, NULL);
    return 1;
}

int tsim__replicate(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                    int threads, const atomic_int *interrupt, tsim__rep_fn *fn, void *ctx)
{
    TSIM__ASSERT(m && fn, "model and function are required");
    struct job job;
    int rc = job_init(&job, m, seed, first, n, interrupt);
    if (rc <= 0) return rc;
    job.fn = fn;
    job.ctx = ctx;
    run_threads(&job, tsim__thread_count(threads, n), work);
    pthread_mutex_destroy(&job.lock);
    /* Slots are not counted as they end; an interrupt seen at the end may have come after the
     * last replication ended, which only costs a run that was complete. */
    return outcome(&job, interrupted(&job) ? 0 : n);
}

int tsim__replicate_fold(const struct tsim_model *m, uint64_t seed, uint64_t first, size_t n,
                         int threads, const atomic_int *interrupt, tsim__rep_run_fn *run,
                         tsim__rep_fold_fn *fold, void *ctx)
{
    TSIM__ASSERT(m && run && fold, "model and functions are required");
    struct job job;
    int rc = job_init(&job, m, seed, first, n, interrupt);
    if (rc <= 0) return rc;
    job.run = run;
    job.fold = fold;
    job.ctx = ctx;
    int k = tsim__thread_count(threads, n);
    job.window = (size_t)k * WINDOW_PER_THREAD;
    if (job.window < 8) job.window = 8;
    job.ring = tsim__calloc(job.window, sizeof *job.ring);
    job.ready = tsim__calloc(job.window, sizeof *job.ready);
    for (size_t i = 0; i < job.window; i++) tsim_result_init(&job.ring[i]);
    pthread_cond_init(&job.room, NULL);
    run_threads(&job, k, work_fold);
    for (size_t i = 0; i < job.window; i++) tsim_result_release(&job.ring[i]);
    tsim__free(job.ring);
    tsim__free(job.ready);
    pthread_cond_destroy(&job.room);
    pthread_mutex_destroy(&job.lock);
    return outcome(&job, job.folded);
}

int tsim__run_one(struct tsim_sim *sim, const struct tsim_run_opts *o)
{
    if (o->warmup > 0) {
        int rc = tsim_sim_set_warmup(sim, o->warmup);
        if (rc < 0) return rc;
    }
    if (o->horizon > 0)
        tsim_sim_run_until(sim, o->horizon);
    else
        tsim_sim_run(sim);
    /* A sim stopped by an error has no numbers to give. */
    int rc = tsim_sim_status(sim);
    return rc < 0 ? rc : 0;
}

int tsim__run_check(const struct tsim_model *m, const struct tsim_run_opts *o)
{
    const char *unit = tsim_model_time_unit(m);
    if (o->horizon > tsim_model_max_time(m))
        return tsim__fail(TSIM_ERANGE, "tsim_run_replications",
                          "horizon %.10g %s is past the latest time this model's resolution can "
                          "count (%.10g %s; a coarser 'resolution' reaches further)",
                          o->horizon, unit, tsim_model_max_time(m), unit);
    char why[200];
    int b;
    if (!(o->horizon > 0) && tsim__model_endless(m, why, sizeof why, &b))
        return tsim__fail(TSIM_EINVAL, "tsim_run_replications",
                          "no horizon, and %s: this run would never end (give it a horizon)",
                          why);
    return 0;
}

struct plain_run {
    const struct tsim_run_opts *o;
    struct tsim_result *out;
};

static int run_slot(void *ctx, struct tsim_sim *sim, uint64_t replication, size_t i)
{
    struct plain_run *pr = ctx;
    (void)replication;
    int rc = tsim__run_one(sim, pr->o);
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
    int rc = tsim__run_check(m, o);
    if (rc < 0) return rc;

    struct plain_run pr = {.o = o, .out = out};
    return tsim__replicate(m, o->seed, (uint64_t)o->first_replication, (size_t)o->replications,
                           o->threads, NULL, run_slot, &pr);
}
