/*
 * The batched environment over the job shop (twinsim_logic.h, docs/ai.md): N copies of one
 * instance, each stopped at its next decision ("which waiting operation does this free machine
 * start next"), stepped together with one action each.
 *
 * A sim runs the non-delay scheme of tsim_jobshop_dispatch (jobshop.c), cut where the rule would
 * be called: sim_advance runs on from one decision to the next, starting at once every operation
 * that is the only candidate of its machine, and stops where two or more wait. The candidates are
 * built exactly as the dispatcher builds them (same order, same struct tsim__cand), so an episode
 * whose actions are a rule's choices is that rule's schedule (tests/unit/test_env.c).
 *
 * Invariants: a sim is in one of two states. Live: `nc` >= 2 candidates wait in `cand`/`cj` at
 * time `now` for machine `mach_asks`. Done: every operation started, `nc` = 0. Each sim is
 * touched by one thread per step (a fixed slice of the batch), and nothing it computes depends
 * on another sim, so results do not depend on the thread count. A step checks every action on the
 * calling thread before any sim moves: a refused step changes nothing.
 */
#include "twinsim_logic.h"

#include "core/core.h"
#include "logic/fenv.h"
#include "logic/rules.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSIM__ENV_MAX_SIMS (1 << 20)
#define TSIM__ENV_MAX_THREADS 256
/* Instances the env generates stay small enough for a float observation to hold their times
 * exactly (every time and sum below 2^24). */
#define TSIM__ENV_MAX_GEN 1000
/* Candidate slots of a model's observation: the default, and the most. */
#define TSIM__ENV_DEFAULT_SLOTS 16
#define TSIM__ENV_MAX_SLOTS 4096

struct sim {
    /* The instance: the env's shared one, or this sim's own when the env generates. */
    const int *mach;
    const int64_t *time, *rest, *total;
    int *own_mach;
    int64_t *own_time, *own_rest, *own_total;
    double scale; /* the largest processing time: the unit of the observation's times */
    struct tsim_rng rng;
    int *next;
    int64_t *jready, *mready;
    int64_t *mwork;         /* [machine]: processing time not yet started there */
    int64_t *qwork;         /* [machine]: processing time waiting there at the decision */
    int *cj;                /* the job of each candidate */
    struct tsim__cand *cand;
    size_t nc, left, ops;
    int64_t now, end;       /* the decision's time; the latest end of a started operation */
    int mach_asks;
    int64_t wait;           /* waiting time of every operation started so far */
};

/* A sim's episode as the env sees it, of either kind. */
struct ep {
    double clock, wait, done; /* the totals (any_totals) as far as rewards have counted them */
    int64_t steps;            /* decisions taken this episode */
    int pending_reset;        /* NEXT_STEP: done, and the next step resets */
};

struct tsim_env {
    struct tsim_env_config cfg;
    int n, m;               /* jobs, machines of every instance */
    int *mach;
    int64_t *time, *rest, *total;
    double scale;
    struct sim *sims;         /* the job shop's; NULL for a model */
    struct tsim__fenv *fac;   /* a model's decision points (fenv.c); NULL for the job shop */
    struct ep *eps;
    size_t obs_size;
    struct tsim_env_buffers own, buf;
    /* The threads: worker w steps sims [w * N / T, (w + 1) * N / T). */
    int threads;
    struct worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    uint64_t gen;           /* bumped for every step the workers take part in */
    int pending;            /* workers not yet through the current step */
    int quit;
    const int32_t *actions;
};

struct worker {
    struct tsim_env *e;
    int w;
    pthread_t tid;
};

/* ---------------------------------------------------------------------------------------------
 * Taillard's generator (E. Taillard, "Benchmarks for basic scheduling problems", 1993): a Lehmer
 * generator with Schrage's method; times uniform in [1, 99], each job's machine order a random
 * permutation by swaps. tsim_env_taillard gives the published instances from their seeds.
 * ------------------------------------------------------------------------------------------- */

static int taillard_unif(int32_t *seed, int lo, int hi)
{
    const int32_t m = 2147483647, a = 16807, b = 127773, c = 2836;
    int32_t k = *seed / b;
    *seed = a * (*seed % b) - k * c;
    if (*seed < 0) *seed += m;
    double v = (double)*seed / (double)m;
    return lo + (int)(v * (double)(hi - lo + 1));
}

static void taillard_fill(int n, int m, int32_t time_seed, int32_t mach_seed, int *mach,
                          int64_t *time)
{
    for (int j = 0; j < n; j++)
        for (int k = 0; k < m; k++) time[(size_t)j * m + k] = taillard_unif(&time_seed, 1, 99);
    for (int j = 0; j < n; j++) {
        int *row = mach + (size_t)j * m;
        for (int k = 0; k < m; k++) row[k] = k;
        for (int k = 0; k < m; k++) {
            int s = taillard_unif(&mach_seed, k, m - 1);
            int t = row[k];
            row[k] = row[s];
            row[s] = t;
        }
    }
}

/* rest and total from mach and time; returns the largest time. */
static int64_t fill_rest(int n, int m, const int64_t *time, int64_t *rest, int64_t *total)
{
    int64_t big = 1;
    for (int j = 0; j < n; j++) {
        int64_t s = 0;
        for (int k = m - 1; k >= 0; k--) {
            int64_t t = time[(size_t)j * m + k];
            s += t;
            rest[(size_t)j * m + k] = s;
            if (t > big) big = t;
        }
        total[j] = s;
    }
    return big;
}

int tsim_env_taillard(int jobs, int machines, int32_t time_seed, int32_t machine_seed,
                      struct tsim_jobshop **out)
{
    *out = NULL;
    if (jobs < 1 || machines < 1 || jobs > TSIM__ENV_MAX_GEN || machines > TSIM__ENV_MAX_GEN)
        return tsim__fail(TSIM_ERANGE, "tsim_env_taillard", "%d jobs and %d machines: each must "
                          "be in [1, %d]", jobs, machines, TSIM__ENV_MAX_GEN);
    if (time_seed < 1 || machine_seed < 1 || time_seed == INT32_MAX || machine_seed == INT32_MAX)
        return tsim__fail(TSIM_ERANGE, "tsim_env_taillard", "seeds %ld and %ld: each must be in "
                          "[1, 2147483646]", (long)time_seed, (long)machine_seed);
    size_t ops = (size_t)jobs * (size_t)machines;
    int *mach = tsim__malloc(ops * sizeof *mach);
    int64_t *time = tsim__malloc(ops * sizeof *time);
    taillard_fill(jobs, machines, time_seed, machine_seed, mach, time);
    /* Through the reader, so that the instance is one any file could give. */
    size_t cap = 32 + ops * 16, len = 0;
    char *text = tsim__malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "%d %d\n", jobs, machines);
    for (int j = 0; j < jobs; j++) {
        for (int k = 0; k < machines; k++)
            len += (size_t)snprintf(text + len, cap - len, " %d %lld", mach[(size_t)j * machines + k],
                                    (long long)time[(size_t)j * machines + k]);
        len += (size_t)snprintf(text + len, cap - len, "\n");
    }
    int r = tsim_jobshop_parse("taillard", text, len, out);
    tsim__free(text);
    tsim__free(mach);
    tsim__free(time);
    return r;
}

/* ---------------------------------------------------------------------------------------------
 * One sim
 * ------------------------------------------------------------------------------------------- */

/* Start operation `j`'s next at time t on machine mc. */
static void sim_start(struct tsim_env *e, struct sim *s, int j, int64_t t, int mc)
{
    size_t o = (size_t)j * e->m + s->next[j];
    int64_t fin = t + s->time[o];
    s->wait += t - s->jready[j];
    s->jready[j] = fin;
    s->mready[mc] = fin;
    s->mwork[mc] -= s->time[o];
    if (fin > s->end) s->end = fin;
    s->next[j]++;
    s->left--;
}

/* Candidate job j at time t for machine mc, exactly as the dispatcher (jobshop.c) describes it. */
static void cand_fill(const struct tsim_env *e, const struct sim *s, int j, int64_t t, int mc,
                      struct tsim__cand *c)
{
    int m = e->m;
    size_t o = (size_t)j * m + s->next[j];
    double np = 0, nw = 0, nf = 0, nq = 0;
    if (s->next[j] + 1 < m) {
        int nm = s->mach[o + 1];
        np = (double)s->time[o + 1];
        nw = (double)s->mwork[nm];
        nf = s->mready[nm] > t ? (double)(s->mready[nm] - t) : 0;
        nq = (double)s->qwork[nm];
    }
    *c = (struct tsim__cand){.seq = ((uint64_t)s->jready[j] << 20) | (uint64_t)j,
                             .arrival = (double)s->jready[j],
                             .proc = (double)s->time[o],
                             .due = (double)s->total[j],
                             .work_left = (double)s->rest[o],
                             .ops_left = (double)(m - s->next[j]),
                             .job_work = (double)s->total[j],
                             .next_proc = np,
                             .mach_work = (double)s->mwork[mc],
                             .next_work = nw,
                             .next_free = nf,
                             .next_queue = nq};
}

/* Run on to the next decision with two or more candidates, or to the end: the dispatcher's loop
 * (jobshop.c) with the rule's call cut out. */
static void sim_advance(struct tsim_env *e, struct sim *s)
{
    int n = e->n, m = e->m;
    while (s->left > 0) {
        int64_t t = INT64_MAX;
        int best_m = m;
        for (int j = 0; j < n; j++) {
            if (s->next[j] == m) continue;
            int mc = s->mach[(size_t)j * m + s->next[j]];
            int64_t r = s->jready[j] > s->mready[mc] ? s->jready[j] : s->mready[mc];
            if (r < t || (r == t && mc < best_m)) {
                t = r;
                best_m = mc;
            }
        }
        size_t nc = 0;
        for (int j = 0; j < n; j++) {
            if (s->next[j] == m || s->jready[j] > t) continue;
            if (s->mach[(size_t)j * m + s->next[j]] != best_m) continue;
            s->cj[nc++] = j;
        }
        if (nc >= 2) {
            /* The work waiting at every machine now, for the candidates' next_queue. */
            memset(s->qwork, 0, (size_t)m * sizeof *s->qwork);
            for (int j = 0; j < n; j++) {
                if (s->next[j] == m || s->jready[j] > t) continue;
                size_t o = (size_t)j * m + s->next[j];
                s->qwork[s->mach[o]] += s->time[o];
            }
            for (size_t k = 0; k < nc; k++) cand_fill(e, s, s->cj[k], t, best_m, &s->cand[k]);
        }
        if (nc >= 2) {
            s->nc = nc;
            s->now = t;
            s->mach_asks = best_m;
            return;
        }
        sim_start(e, s, s->cj[0], t, best_m);
    }
    s->nc = 0;
    s->now = s->end;
    s->mach_asks = -1;
}

static void sim_reset(struct tsim_env *e, struct sim *s)
{
    int n = e->n, m = e->m;
    if (s->own_mach) {
        int32_t ts = (int32_t)(1 + tsim_rng_next(&s->rng) % 2147483646u);
        int32_t ms = (int32_t)(1 + tsim_rng_next(&s->rng) % 2147483646u);
        taillard_fill(n, m, ts, ms, s->own_mach, s->own_time);
        s->scale = (double)fill_rest(n, m, s->own_time, s->own_rest, s->own_total);
    }
    memset(s->next, 0, (size_t)n * sizeof *s->next);
    memset(s->jready, 0, (size_t)n * sizeof *s->jready);
    memset(s->mready, 0, (size_t)m * sizeof *s->mready);
    memset(s->mwork, 0, (size_t)m * sizeof *s->mwork);
    for (size_t o = 0; o < s->ops; o++) s->mwork[s->mach[o]] += s->time[o];
    s->left = s->ops;
    s->end = 0;
    s->wait = 0;
    sim_advance(e, s);
}

/*
 * The observation of one candidate: its struct tsim__cand as floats, times in units of the
 * instance's largest processing time. This is the one place that turns a candidate into numbers;
 * the order is that of docs/ai.md's table (and of the weighted rule's features, rules.h).
 */
static void cand_features(const struct tsim__cand *c, double now, double scale, float *out)
{
    out[0] = (float)(c->proc / scale);
    out[1] = (float)(c->due / scale);
    out[2] = (float)((c->due - now - c->work_left) / scale);
    out[3] = (float)(c->work_left / scale);
    out[4] = (float)c->ops_left;
    out[5] = (float)((now - c->arrival) / scale);
    out[6] = (float)(c->job_work / scale);
    out[7] = (float)(c->next_proc / scale);
    out[8] = (float)(c->mach_work / scale);
    out[9] = (float)(c->next_work / scale);
    out[10] = (float)(c->next_free / scale);
    out[11] = (float)(c->next_queue / scale);
}

/* Write sim i's observation, mask and decision point into the buffers. */
static void sim_write(struct tsim_env *e, size_t i)
{
    struct sim *s = &e->sims[i];
    size_t mc = (size_t)e->cfg.max_candidates;
    float *obs = e->buf.obs + i * e->obs_size;
    uint8_t *mask = e->buf.mask + i * mc;
    memset(obs, 0, e->obs_size * sizeof *obs);
    memset(mask, 0, mc);
    for (size_t k = 0; k < s->nc; k++) {
        cand_features(&s->cand[k], (double)s->now, s->scale, obs + k * TSIM_ENV_CAND_FEATURES);
        mask[k] = 1;
    }
    float *g = obs + mc * TSIM_ENV_CAND_FEATURES;
    g[0] = (float)((double)s->now / s->scale);
    g[1] = (float)(1.0 - (double)s->left / (double)s->ops);
    g[2] = (float)s->nc;
    g[3] = (float)s->mach_asks;
    e->buf.agent[i] = s->mach_asks;
    e->buf.candidates[i] = (int32_t)s->nc;
    e->buf.makespan[i] = (double)s->end;
}

/* ---------------------------------------------------------------------------------------------
 * A sim of either kind: the job shop's (above) or a model's decision points (fenv.c)
 * ------------------------------------------------------------------------------------------- */

static size_t any_nc(const struct tsim_env *e, size_t i)
{
    return e->fac ? tsim__fenv_nc(e->fac, i) : e->sims[i].nc;
}

/* What the rewards count, since the episode began: the clock (the job shop's latest end), the
 * waiting (the job shop's) or the time in the system (a model's), and what is done (operations
 * started; entities completed). */
static void any_totals(const struct tsim_env *e, size_t i, double *clock, double *wait,
                       double *done)
{
    if (e->fac) {
        tsim__fenv_totals(e->fac, i, clock, wait, done);
        return;
    }
    const struct sim *s = &e->sims[i];
    *clock = (double)s->end;
    *wait = (double)s->wait;
    *done = (double)(s->ops - s->left);
}

static void any_write(struct tsim_env *e, size_t i)
{
    if (!e->fac) {
        sim_write(e, i);
        return;
    }
    tsim__fenv_write(e->fac, i, e->buf.obs + i * e->obs_size,
                     e->buf.mask + i * (size_t)e->cfg.max_candidates, &e->buf.agent[i],
                     &e->buf.candidates[i], &e->buf.makespan[i]);
}

/* A new episode of sim i (with `seed`: its stream or seed restarts), run to its first decision. */
static void any_reset(struct tsim_env *e, size_t i, const uint64_t *seed)
{
    if (e->fac) {
        tsim__fenv_reset(e->fac, i, seed);
    } else {
        struct sim *s = &e->sims[i];
        if (seed) tsim_rng_stream(&s->rng, *seed, i, "env");
        sim_reset(e, s);
    }
    e->eps[i] = (struct ep){0};
}

static void sim_step(struct tsim_env *e, size_t i, int32_t action)
{
    struct ep *p = &e->eps[i];
    if (p->pending_reset) {
        any_reset(e, i, NULL);
        e->buf.reward[i] = 0;
        e->buf.terminated[i] = 0;
        e->buf.truncated[i] = 0;
        any_write(e, i);
        return;
    }
    /* No candidate here: an episode without a decision, one step long. */
    if (any_nc(e, i) > 0) {
        if (e->fac) {
            tsim__fenv_apply(e->fac, i, action);
        } else {
            struct sim *s = &e->sims[i];
            sim_start(e, s, s->cj[action], s->now, s->mach_asks);
            sim_advance(e, s);
        }
        p->steps++;
    }
    /* What ran before the first decision counts in the first step, so that the rewards of an
     * episode sum to exactly w_throughput * done - (w_makespan * makespan + w_waiting *
     * waiting). */
    double clock, wait, done;
    any_totals(e, i, &clock, &wait, &done);
    double reward = e->cfg.w_throughput * (done - p->done) -
                    (e->cfg.w_makespan * (clock - p->clock) + e->cfg.w_waiting * (wait - p->wait));
    p->clock = clock;
    p->wait = wait;
    p->done = done;
    int term = any_nc(e, i) == 0;
    int trunc = !term && e->cfg.max_steps > 0 && p->steps >= e->cfg.max_steps;
    e->buf.reward[i] = reward;
    e->buf.terminated[i] = (uint8_t)term;
    e->buf.truncated[i] = (uint8_t)trunc;
    if ((term || trunc) && e->cfg.autoreset == TSIM_ENV_SAME_STEP) {
        any_reset(e, i, NULL);
        any_write(e, i);
        e->buf.makespan[i] = clock; /* the finished episode's, as under NEXT_STEP */
        return;
    }
    any_write(e, i);
    if (term || trunc) p->pending_reset = 1;
}

/* ---------------------------------------------------------------------------------------------
 * The batch and its threads
 * ------------------------------------------------------------------------------------------- */

static void step_slice(struct tsim_env *e, int w)
{
    size_t n = (size_t)e->cfg.num_envs;
    size_t a = n * (size_t)w / (size_t)e->threads, b = n * (size_t)(w + 1) / (size_t)e->threads;
    for (size_t i = a; i < b; i++) sim_step(e, i, e->actions[i]);
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct tsim_env *e = wk->e;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&e->mu);
        while (e->gen == seen && !e->quit) pthread_cond_wait(&e->go, &e->mu);
        seen = e->gen;
        int quit = e->quit;
        pthread_mutex_unlock(&e->mu);
        if (quit) return NULL;
        step_slice(e, wk->w);
        pthread_mutex_lock(&e->mu);
        if (--e->pending == 0) pthread_cond_signal(&e->done);
        pthread_mutex_unlock(&e->mu);
    }
}

void tsim_env_config_init(struct tsim_env_config *c)
{
    memset(c, 0, sizeof *c);
    c->num_envs = 1;
    c->threads = 1;
    c->seed = 1;
    c->autoreset = TSIM_ENV_NEXT_STEP;
    c->w_makespan = 1.0;
}

/* What both kinds of env check of a config. */
static int check_common(const char *f, const struct tsim_env_config *c)
{
    if (c->num_envs < 1 || c->num_envs > TSIM__ENV_MAX_SIMS)
        return tsim__fail(TSIM_ERANGE, f, "'num_envs' is %lld: it must be in [1, %d]",
                          (long long)c->num_envs, TSIM__ENV_MAX_SIMS);
    if (c->threads < 0 || c->threads > TSIM__ENV_MAX_THREADS)
        return tsim__fail(TSIM_ERANGE, f, "'threads' is %d: it must be in [0, %d]", c->threads,
                          TSIM__ENV_MAX_THREADS);
    if (c->autoreset < TSIM_ENV_NEXT_STEP || c->autoreset > TSIM_ENV_NO_AUTORESET)
        return tsim__fail(TSIM_EINVAL, f, "'autoreset' is %d: it must be TSIM_ENV_NEXT_STEP, "
                          "TSIM_ENV_SAME_STEP or TSIM_ENV_NO_AUTORESET", c->autoreset);
    if (c->max_steps < 0)
        return tsim__fail(TSIM_ERANGE, f, "'max_steps' is %d: it must be 0 (none) or more",
                          c->max_steps);
    if (!isfinite(c->w_makespan) || !isfinite(c->w_waiting) || !isfinite(c->w_throughput))
        return tsim__fail(TSIM_EINVAL, f, "the reward weights must be finite numbers, not %g, %g "
                          "and %g", c->w_makespan, c->w_waiting, c->w_throughput);
    return 0;
}

static int check_config(const struct tsim_jobshop *js, const struct tsim_env_config *c)
{
    const char *f = "tsim_env_create";
    int r = check_common(f, c);
    if (r) return r;
    if (!js && (c->gen_jobs < 1 || c->gen_machines < 1))
        return tsim__fail(TSIM_EINVAL, f, "no instance: give one, or 'gen_jobs' and "
                          "'gen_machines' for generated ones");
    if (js && (c->gen_jobs != 0 || c->gen_machines != 0))
        return tsim__fail(TSIM_EINVAL, f, "an instance and 'gen_jobs'/'gen_machines' both given: "
                          "give one of them");
    if (!js && (c->gen_jobs > TSIM__ENV_MAX_GEN || c->gen_machines > TSIM__ENV_MAX_GEN))
        return tsim__fail(TSIM_ERANGE, f, "'gen_jobs' %d and 'gen_machines' %d: each must be in "
                          "[1, %d]", c->gen_jobs, c->gen_machines, TSIM__ENV_MAX_GEN);
    int n = js ? tsim_jobshop_jobs(js) : c->gen_jobs;
    if (c->max_candidates != 0 && c->max_candidates < n)
        return tsim__fail(TSIM_ERANGE, f, "'max_candidates' is %d: %d jobs can wait at once, so "
                          "it must be 0 (the number of jobs) or at least %d", c->max_candidates,
                          n, n);
    if (c->max_candidates > TSIM__ENV_MAX_GEN * 1000)
        return tsim__fail(TSIM_ERANGE, f, "'max_candidates' is %d: at most %d",
                          c->max_candidates, TSIM__ENV_MAX_GEN * 1000);
    /* The buffers of a huge batch of a huge instance: refuse what would not fit in memory. */
    double per = (double)(c->max_candidates ? c->max_candidates : n) *
                     (TSIM_ENV_CAND_FEATURES * 4.0 + 1.0) +
                 (double)(js ? tsim_jobshop_size(js) : (size_t)c->gen_jobs * c->gen_machines) *
                     (js ? 0.0 : 28.0) + (double)n * 80.0;
    if (per * (double)c->num_envs > 64.0 * 1024 * 1024 * 1024)
        return tsim__fail(TSIM_ERANGE, f, "%lld sims of this size need %.0f GiB: more than the "
                          "64 GiB an environment may take", (long long)c->num_envs,
                          per * (double)c->num_envs / (1024.0 * 1024 * 1024));
    return 0;
}

static void alloc_buffers(struct tsim_env *e);
static void start_threads(struct tsim_env *e);

int tsim_env_create(const struct tsim_jobshop *js, const struct tsim_env_config *cfg,
                    struct tsim_env **out)
{
    if (!out) return tsim__fail(TSIM_EINVAL, "tsim_env_create", "'out' is NULL");
    *out = NULL;
    if (!cfg) return tsim__fail(TSIM_EINVAL, "tsim_env_create", "'cfg' is NULL");
    int r = check_config(js, cfg);
    if (r) return r;
    struct tsim_env *e = tsim__calloc(1, sizeof *e);
    e->cfg = *cfg;
    e->n = js ? tsim_jobshop_jobs(js) : cfg->gen_jobs;
    e->m = js ? tsim_jobshop_machines(js) : cfg->gen_machines;
    if (e->cfg.max_candidates == 0) e->cfg.max_candidates = e->n;
    if (e->cfg.threads == 0) e->cfg.threads = 1;
    int n = e->n, m = e->m;
    size_t ops = (size_t)n * (size_t)m, N = (size_t)cfg->num_envs;
    if (js) {
        e->mach = tsim__malloc(ops * sizeof *e->mach);
        e->time = tsim__malloc(ops * sizeof *e->time);
        e->rest = tsim__malloc(ops * sizeof *e->rest);
        e->total = tsim__malloc((size_t)n * sizeof *e->total);
        for (int j = 0; j < n; j++)
            for (int k = 0; k < m; k++)
                tsim_jobshop_op(js, j, k, &e->mach[(size_t)j * m + k], &e->time[(size_t)j * m + k]);
        e->scale = (double)fill_rest(n, m, e->time, e->rest, e->total);
    }
    alloc_buffers(e);
    e->sims = tsim__calloc(N, sizeof *e->sims);
    for (size_t i = 0; i < N; i++) {
        struct sim *s = &e->sims[i];
        if (js) {
            s->mach = e->mach;
            s->time = e->time;
            s->rest = e->rest;
            s->total = e->total;
            s->scale = e->scale;
        } else {
            s->mach = s->own_mach = tsim__malloc(ops * sizeof *s->own_mach);
            s->time = s->own_time = tsim__malloc(ops * sizeof *s->own_time);
            s->rest = s->own_rest = tsim__malloc(ops * sizeof *s->own_rest);
            s->total = s->own_total = tsim__malloc((size_t)n * sizeof *s->own_total);
        }
        s->next = tsim__malloc((size_t)n * sizeof *s->next);
        s->jready = tsim__malloc((size_t)n * sizeof *s->jready);
        s->mready = tsim__malloc((size_t)m * sizeof *s->mready);
        s->mwork = tsim__malloc((size_t)m * sizeof *s->mwork);
        s->qwork = tsim__malloc((size_t)m * sizeof *s->qwork);
        s->cj = tsim__malloc((size_t)n * sizeof *s->cj);
        s->cand = tsim__malloc((size_t)n * sizeof *s->cand);
        s->ops = ops;
    }
    uint64_t seed = cfg->seed;
    for (size_t i = 0; i < N; i++) {
        any_reset(e, i, &seed);
        any_write(e, i);
    }
    start_threads(e);
    *out = e;
    return 0;
}

int tsim_env_create_model(const struct tsim_model *m, double horizon,
                          const struct tsim_env_config *cfg, struct tsim_env **out)
{
    const char *f = "tsim_env_create_model";
    if (!out) return tsim__fail(TSIM_EINVAL, f, "'out' is NULL");
    *out = NULL;
    if (!cfg) return tsim__fail(TSIM_EINVAL, f, "'cfg' is NULL");
    int r = check_common(f, cfg);
    if (r) return r;
    if (cfg->gen_jobs != 0 || cfg->gen_machines != 0)
        return tsim__fail(TSIM_EINVAL, f, "'gen_jobs' and 'gen_machines' are for the job shop");
    if (cfg->max_candidates < 0 || cfg->max_candidates > TSIM__ENV_MAX_SLOTS)
        return tsim__fail(TSIM_ERANGE, f, "'max_candidates' is %d: it must be 0 (%d) or in "
                          "[1, %d]", cfg->max_candidates, TSIM__ENV_DEFAULT_SLOTS,
                          TSIM__ENV_MAX_SLOTS);
    size_t mc = cfg->max_candidates ? (size_t)cfg->max_candidates : TSIM__ENV_DEFAULT_SLOTS;
    struct tsim__fenv *fac;
    r = tsim__fenv_create(m, horizon, cfg, mc, &fac);
    if (r) return r;
    struct tsim_env *e = tsim__calloc(1, sizeof *e);
    e->cfg = *cfg;
    e->cfg.max_candidates = (int32_t)mc;
    if (e->cfg.threads == 0) e->cfg.threads = 1;
    e->fac = fac;
    alloc_buffers(e);
    uint64_t seed = cfg->seed;
    for (size_t i = 0; i < (size_t)cfg->num_envs; i++) {
        any_reset(e, i, &seed);
        any_write(e, i);
    }
    start_threads(e);
    *out = e;
    return 0;
}

/* The env's own output buffers and the sims' episodes, for cfg.num_envs sims. */
static void alloc_buffers(struct tsim_env *e)
{
    size_t N = (size_t)e->cfg.num_envs;
    e->obs_size = (size_t)e->cfg.max_candidates * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES;
    size_t mc = (size_t)e->cfg.max_candidates;
    e->own.obs = tsim__calloc(N * e->obs_size, sizeof *e->own.obs);
    e->own.mask = tsim__calloc(N * mc, 1);
    e->own.reward = tsim__calloc(N, sizeof *e->own.reward);
    e->own.terminated = tsim__calloc(N, 1);
    e->own.truncated = tsim__calloc(N, 1);
    e->own.agent = tsim__calloc(N, sizeof *e->own.agent);
    e->own.candidates = tsim__calloc(N, sizeof *e->own.candidates);
    e->own.makespan = tsim__calloc(N, sizeof *e->own.makespan);
    e->buf = e->own;
    e->eps = tsim__calloc(N, sizeof *e->eps);
}

/* The worker threads, each with its fixed slice of the batch. */
static void start_threads(struct tsim_env *e)
{
    size_t N = (size_t)e->cfg.num_envs;
    /* Fewer threads than sims would leave some idle; the slices stay fixed either way. */
    e->threads = e->cfg.threads;
    if ((size_t)e->threads > N) e->threads = (int)N;
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->go, NULL);
    pthread_cond_init(&e->done, NULL);
    if (e->threads > 1) {
        int want = e->threads;
        e->workers = tsim__calloc((size_t)want, sizeof *e->workers);
        /* The slices are cut at the first step, from the threads there are: a thread that
         * cannot start leaves fewer, and the results are the same. */
        e->threads = 1;
        for (int w = 1; w < want; w++) {
            e->workers[w] = (struct worker){.e = e, .w = w};
            if (pthread_create(&e->workers[w].tid, NULL, worker_main, &e->workers[w]) != 0) break;
            e->threads = w + 1;
        }
    }
}

void tsim_env_destroy(struct tsim_env *e)
{
    if (!e) return;
    pthread_mutex_lock(&e->mu);
    e->quit = 1;
    pthread_cond_broadcast(&e->go);
    pthread_mutex_unlock(&e->mu);
    for (int w = 1; w < e->threads; w++) pthread_join(e->workers[w].tid, NULL);
    tsim__free(e->workers);
    pthread_mutex_destroy(&e->mu);
    pthread_cond_destroy(&e->go);
    pthread_cond_destroy(&e->done);
    tsim__fenv_destroy(e->fac);
    tsim__free(e->eps);
    for (size_t i = 0; e->sims && i < (size_t)e->cfg.num_envs; i++) {
        struct sim *s = &e->sims[i];
        tsim__free(s->own_mach);
        tsim__free(s->own_time);
        tsim__free(s->own_rest);
        tsim__free(s->own_total);
        tsim__free(s->next);
        tsim__free(s->jready);
        tsim__free(s->mready);
        tsim__free(s->mwork);
        tsim__free(s->qwork);
        tsim__free(s->cj);
        tsim__free(s->cand);
    }
    tsim__free(e->sims);
    tsim__free(e->own.obs);
    tsim__free(e->own.mask);
    tsim__free(e->own.reward);
    tsim__free(e->own.terminated);
    tsim__free(e->own.truncated);
    tsim__free(e->own.agent);
    tsim__free(e->own.candidates);
    tsim__free(e->own.makespan);
    tsim__free(e->mach);
    tsim__free(e->time);
    tsim__free(e->rest);
    tsim__free(e->total);
    tsim__free(e);
}

size_t tsim_env_num(const struct tsim_env *e) { return (size_t)e->cfg.num_envs; }
size_t tsim_env_max_candidates(const struct tsim_env *e) { return (size_t)e->cfg.max_candidates; }
size_t tsim_env_obs_size(const struct tsim_env *e) { return e->obs_size; }

void tsim_env_buffers(const struct tsim_env *e, struct tsim_env_buffers *out) { *out = e->buf; }

int tsim_env_set_buffers(struct tsim_env *e, const struct tsim_env_buffers *b)
{
    if (!b) return tsim__fail(TSIM_EINVAL, "tsim_env_set_buffers", "'b' is NULL");
    /* Every field given, or none: a NULL one goes back to the env's own buffer. */
    struct tsim_env_buffers n = {
        .obs = b->obs ? b->obs : e->own.obs,
        .mask = b->mask ? b->mask : e->own.mask,
        .reward = b->reward ? b->reward : e->own.reward,
        .terminated = b->terminated ? b->terminated : e->own.terminated,
        .truncated = b->truncated ? b->truncated : e->own.truncated,
        .agent = b->agent ? b->agent : e->own.agent,
        .candidates = b->candidates ? b->candidates : e->own.candidates,
        .makespan = b->makespan ? b->makespan : e->own.makespan,
    };
    /* The new buffers start with what the old ones hold, so nothing is lost between steps. */
    size_t N = (size_t)e->cfg.num_envs, mc = (size_t)e->cfg.max_candidates;
    if (n.obs != e->buf.obs) memcpy(n.obs, e->buf.obs, N * e->obs_size * sizeof *n.obs);
    if (n.mask != e->buf.mask) memcpy(n.mask, e->buf.mask, N * mc);
    if (n.reward != e->buf.reward) memcpy(n.reward, e->buf.reward, N * sizeof *n.reward);
    if (n.terminated != e->buf.terminated) memcpy(n.terminated, e->buf.terminated, N);
    if (n.truncated != e->buf.truncated) memcpy(n.truncated, e->buf.truncated, N);
    if (n.agent != e->buf.agent) memcpy(n.agent, e->buf.agent, N * sizeof *n.agent);
    if (n.candidates != e->buf.candidates)
        memcpy(n.candidates, e->buf.candidates, N * sizeof *n.candidates);
    if (n.makespan != e->buf.makespan) memcpy(n.makespan, e->buf.makespan, N * sizeof *n.makespan);
    e->buf = n;
    return 0;
}

int tsim_env_reset(struct tsim_env *e, const uint8_t *mask, const uint64_t *seed)
{
    for (size_t i = 0; i < (size_t)e->cfg.num_envs; i++) {
        if (mask && !mask[i]) continue;
        any_reset(e, i, seed);
        e->buf.reward[i] = 0;
        e->buf.terminated[i] = 0;
        e->buf.truncated[i] = 0;
        any_write(e, i);
    }
    return 0;
}

int tsim_env_step(struct tsim_env *e, const int32_t *actions)
{
    const char *f = "tsim_env_step";
    if (!actions) return tsim__fail(TSIM_EINVAL, f, "'actions' is NULL");
    size_t N = (size_t)e->cfg.num_envs;
    for (size_t i = 0; i < N; i++) {
        int32_t a = actions[i];
        size_t nc = any_nc(e, i);
        if (e->eps[i].pending_reset) {
            if (e->cfg.autoreset == TSIM_ENV_NO_AUTORESET)
                return tsim__fail(TSIM_EINVAL, f, "sim %zu: its episode has ended; reset it "
                                  "before stepping it again (autoreset is off)", i);
            continue; /* NEXT_STEP: this step resets it, its action is not read */
        }
        if (nc == 0) continue; /* an episode without a decision: the step ends it */
        if (a < 0 || a >= e->cfg.max_candidates)
            return tsim__fail(TSIM_ERANGE, f, "sim %zu: action %ld is out of range: actions are "
                              "0 to %d", i, (long)a, e->cfg.max_candidates - 1);
        if ((size_t)a >= nc)
            return tsim__fail(TSIM_EINVAL, f, "sim %zu: action %ld is masked: %zu candidates "
                              "wait (0 to %zu)", i, (long)a, nc, nc - 1);
    }
    e->actions = actions;
    if (e->threads > 1) {
        pthread_mutex_lock(&e->mu);
        e->gen++;
        e->pending = e->threads - 1;
        pthread_cond_broadcast(&e->go);
        pthread_mutex_unlock(&e->mu);
        step_slice(e, 0);
        pthread_mutex_lock(&e->mu);
        while (e->pending > 0) pthread_cond_wait(&e->done, &e->mu);
        pthread_mutex_unlock(&e->mu);
    } else {
        step_slice(e, 0);
    }
    e->actions = NULL;
    /* A model's sim stopped by an error (a limit of the run, a stall) has ended its episode;
     * the step is taken, and the first such sim is named. */
    for (size_t i = 0; e->fac && i < N; i++) {
        char msg[400];
        int err = tsim__fenv_failed(e->fac, i, msg, sizeof msg);
        if (err && e->buf.terminated[i])
            return tsim__fail(err, f, "sim %zu: the model stopped: %s", i, msg);
    }
    return 0;
}

int tsim_env_rule_actions(const struct tsim_env *e, const char *rule, int32_t *actions)
{
    struct tsim__rule rl;
    char err[512];
    if (!rule || !actions)
        return tsim__fail(TSIM_EINVAL, "tsim_env_rule_actions", "'rule' or 'actions' is NULL");
    int rc = tsim__rule_parse(&rl, rule, err, sizeof err);
    if (rc != 0) return tsim__fail(rc, "tsim_env_rule_actions", "%s", err);
    if (rl.kind == TSIM__RULE_RANDOM)
        return tsim__fail(TSIM_EINVAL, "tsim_env_rule_actions", "'RANDOM' draws from a stream "
                          "the environment does not keep: choose at random in the caller");
    /* A policy:PATH rule holds its weights until released. */
    for (size_t i = 0; i < (size_t)e->cfg.num_envs; i++) {
        size_t nc = any_nc(e, i);
        double now = 0;
        const struct tsim__cand *c =
            e->fac ? tsim__fenv_cands(e->fac, i, &now) : e->sims[i].cand;
        if (!e->fac) now = (double)e->sims[i].now;
        if (!c) {
            tsim__rule_release(&rl);
            return tsim__fail(TSIM_EINVAL, "tsim_env_rule_actions", "sim %zu: the route of '%s' "
                              "asks; a sequencing rule chooses at a buffer only", i,
                              tsim__fenv_route_asking(e->fac, i));
        }
        actions[i] = nc ? (int32_t)tsim__rule_choose(&rl, c, nc, now, NULL) : 0;
    }
    tsim__rule_release(&rl);
    return 0;
}

size_t tsim_env_sim_bytes(const struct tsim_env *e)
{
    size_t rows = e->obs_size * sizeof(float) + (size_t)e->cfg.max_candidates +
                  sizeof(double) * 2 + 2 + sizeof(int32_t) * 2 + sizeof(struct ep);
    if (e->fac) return rows + tsim__fenv_sim_bytes(e->fac);
    size_t n = (size_t)e->n, m = (size_t)e->m, mc = (size_t)e->cfg.max_candidates;
    size_t b = sizeof(struct sim) + n * (sizeof(int) * 2 + sizeof(int64_t) + sizeof(struct tsim__cand)) +
               m * 3 * sizeof(int64_t);
    b += e->obs_size * sizeof(float) + mc + sizeof(double) * 2 + 2 + sizeof(int32_t) * 2;
    if (!e->mach) b += n * m * (sizeof(int) + 2 * sizeof(int64_t)) + n * sizeof(int64_t);
    return b;
}

int tsim_env_agents(const struct tsim_env *e)
{
    return e->fac ? (int)tsim__fenv_agents(e->fac) : e->m;
}

const char *tsim_env_agent_name(const struct tsim_env *e, int k)
{
    return e->fac && k >= 0 ? tsim__fenv_agent_name(e->fac, (uint32_t)k) : NULL;
}

int tsim_env_agent_is_route(const struct tsim_env *e, int k)
{
    return e->fac && k >= 0 ? tsim__fenv_agent_is_route(e->fac, (uint32_t)k) : -1;
}
