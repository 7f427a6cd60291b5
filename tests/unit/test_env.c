/*
 * Tests of the batched environment (src/logic/env.c, docs/ai.md): that it is the job shop of
 * tsim_jobshop_dispatch (an episode stepped with a rule's choices, taken through the API or read
 * from the observation alone, gives the rule's makespan on Taillard, Fisher-Thompson and Lawrence
 * instances), the rewards' sums, both autoresets, the same results on 1, 2 and 4 threads,
 * Taillard's generator against the published ta01 and ta11, and every refusal of bad input.
 */
#include "check.h"
#include "twinsim_logic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tsim_jobshop *load(const char *path)
{
    struct tsim_jobshop *js = NULL;
    if (tsim_jobshop_read(path, &js) != 0) fprintf(stderr, "  %s\n", tsim_errmsg());
    return js;
}

static struct tsim_env *make(const struct tsim_jobshop *js, int64_t n, int threads, int autoreset)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = n;
    c.threads = threads;
    c.autoreset = autoreset;
    struct tsim_env *e = NULL;
    if (tsim_env_create(js, &c, &e) != 0) fprintf(stderr, "  %s\n", tsim_errmsg());
    return e;
}

static const char *const instances[] = {
    "tests/jsplib/instances/Taillard1993/ta01js.txt",
    "tests/jsplib/instances/Taillard1993/ta21js.txt",
    "tests/jsplib/instances/FisherThompson1963/ft10.txt",
    "tests/jsplib/instances/Lawrence1984/la01.txt",
    "tests/jsplib/instances/Lawrence1984/la36.txt",
};
static const char *const rules[] = {"FIFO", "LIFO", "SPT", "LPT", "EDD", "SLACK", "CR",
                                    "MWKR", "LWKR", "MOPNR", "weighted(proc=1, ops=-2)",
                                    "policy:examples/ai/jobshop-policy.txt"};

/* The proof that the environment is the job shop: every sim of a batch steps one rule by
 * tsim_env_rule_actions until it ends; its reward sums to -makespan, which is the dispatcher's. */
static void test_env_rule_episodes_match_dispatch(void)
{
    const size_t nr = sizeof rules / sizeof *rules;
    for (size_t f = 0; f < sizeof instances / sizeof *instances; f++) {
        struct tsim_jobshop *js = load(instances[f]);
        CHECK(js != NULL);
        if (!js) continue;
        struct tsim_env *e = make(js, (int64_t)nr, 1, TSIM_ENV_NO_AUTORESET);
        CHECK(e != NULL);
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        int32_t act[16];
        double sum[16] = {0};
        int done[16] = {0};
        for (int steps = 0; steps < 100000; steps++) {
            int live = 0;
            for (size_t r = 0; r < nr; r++) {
                int32_t one[16];
                CHECK_EQ(tsim_env_rule_actions(e, rules[r], one), 0);
                act[r] = one[r];
                live += !done[r];
            }
            if (!live) break;
            /* A sim that ended stays ended under NO_AUTORESET; it is reset (and not scored)
             * once every sim has ended. */
            for (size_t r = 0; r < nr; r++)
                if (done[r]) act[r] = 0;
            uint8_t mask[16];
            for (size_t r = 0; r < nr; r++) mask[r] = (uint8_t)done[r];
            tsim_env_reset(e, mask, NULL);
            CHECK_EQ(tsim_env_step(e, act), 0);
            for (size_t r = 0; r < nr; r++) {
                if (done[r]) continue;
                sum[r] += b.reward[r];
                if (b.terminated[r]) {
                    done[r] = 1;
                    int64_t ms;
                    CHECK_EQ(tsim_jobshop_dispatch(js, rules[r], 1, NULL, &ms), 0);
                    if (-sum[r] != (double)ms || b.makespan[r] != (double)ms)
                        fprintf(stderr, "  %s %s: -sum %.0f, makespan %.0f, dispatch %lld\n",
                                instances[f], rules[r], -sum[r], b.makespan[r], (long long)ms);
                    CHECK(-sum[r] == (double)ms);
                    CHECK(b.makespan[r] == (double)ms);
                }
            }
        }
        for (size_t r = 0; r < nr; r++) CHECK(done[r]);
        tsim_env_destroy(e);
        tsim_jobshop_destroy(js);
    }
}

/* The observation holds what a rule needs: MWKR and SPT computed from the floats alone (ties to
 * the longer wait, then the lower slot: the dispatcher's arrival order) give the dispatcher's
 * makespan. */
static int32_t from_obs(const float *o, const uint8_t *mask, size_t mc, int feature, int sign)
{
    int32_t best = -1;
    for (size_t k = 0; k < mc; k++) {
        if (!mask[k]) continue;
        const float *x = o + k * TSIM_ENV_CAND_FEATURES;
        if (best < 0) {
            best = (int32_t)k;
            continue;
        }
        const float *y = o + (size_t)best * TSIM_ENV_CAND_FEATURES;
        float kx = sign * x[feature], ky = sign * y[feature];
        if (kx < ky || (kx == ky && x[5] > y[5])) best = (int32_t)k;
    }
    return best;
}

static void test_env_observation_rules(void)
{
    for (size_t f = 0; f < sizeof instances / sizeof *instances; f++) {
        struct tsim_jobshop *js = load(instances[f]);
        if (!js) {
            CHECK(0);
            continue;
        }
        struct tsim_env *e = make(js, 2, 1, TSIM_ENV_NEXT_STEP);
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        size_t mc = tsim_env_max_candidates(e), os = tsim_env_obs_size(e);
        CHECK_EQ(os, mc * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES);
        double sum[2] = {0};
        int done[2] = {0};
        while (!done[0] || !done[1]) {
            int32_t act[2] = {from_obs(b.obs, b.mask, mc, 3, -1),       /* MWKR: work, larger */
                              from_obs(b.obs + os, b.mask + mc, mc, 0, 1)}; /* SPT */
            for (int i = 0; i < 2; i++) {
                if (done[i]) act[i] = 0;
                else CHECK_EQ(act[i] >= 0 && act[i] < b.candidates[i], 1);
            }
            CHECK_EQ(tsim_env_step(e, act), 0);
            for (int i = 0; i < 2; i++) {
                if (done[i]) continue;
                sum[i] += b.reward[i];
                done[i] = b.terminated[i];
            }
        }
        int64_t mwkr, spt;
        tsim_jobshop_dispatch(js, "MWKR", 1, NULL, &mwkr);
        tsim_jobshop_dispatch(js, "SPT", 1, NULL, &spt);
        CHECK(-sum[0] == (double)mwkr);
        CHECK(-sum[1] == (double)spt);
        tsim_env_destroy(e);
        tsim_jobshop_destroy(js);
    }
}

/* Two decisions worked out by hand. */
static void test_env_first_observation(void)
{
    /* 3 jobs, 2 machines: job 0 (m0 3, m1 2), job 1 (m0 5, m1 1), job 2 (m1 4, m0 1). At 0 the
     * lowest machine, m0, has jobs 0 and 1 waiting: the first decision, before m1 starts job 2. */
    const char *txt = "3 2\n0 3 1 2\n0 5 1 1\n1 4 0 1\n";
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("t", txt, strlen(txt), &js), 0);
    struct tsim_env *e = make(js, 1, 1, TSIM_ENV_NEXT_STEP);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    CHECK_EQ(b.candidates[0], 2);
    CHECK_EQ(b.agent[0], 0);
    CHECK_EQ(b.mask[0], 1);
    CHECK_EQ(b.mask[1], 1);
    CHECK_EQ(b.mask[2], 0);
    const float *o = b.obs;
    const int F = TSIM_ENV_CAND_FEATURES;
    /* scale = 5 (the largest time); slot 0 = job 0: proc 3, due 5, slack 5-0-5, work 5, ops 2,
     * wait 0; slot 1 = job 1: proc 5, work 6. */
    CHECK_NEAR(o[0], 3.0 / 5, 1e-7);
    CHECK_NEAR(o[1], 1.0, 1e-7);
    CHECK_NEAR(o[2], 0.0, 1e-7);
    CHECK_NEAR(o[3], 1.0, 1e-7);
    CHECK_NEAR(o[4], 2.0, 1e-7);
    CHECK_NEAR(o[5], 0.0, 1e-7);
    /* job_work 5; next_proc 2; m0's work not started 3+5+1; m1's 2+1+4, free now, with job 2's
     * 4 waiting for it. */
    CHECK_NEAR(o[6], 1.0, 1e-7);
    CHECK_NEAR(o[7], 0.4, 1e-7);
    CHECK_NEAR(o[8], 9.0 / 5, 1e-7);
    CHECK_NEAR(o[9], 7.0 / 5, 1e-7);
    CHECK_NEAR(o[10], 0.0, 0);
    CHECK_NEAR(o[11], 0.8, 1e-7);
    CHECK_NEAR(o[F], 1.0, 1e-7);
    CHECK_NEAR(o[F + 3], 6.0 / 5, 1e-7);
    const float *g = o + 3 * TSIM_ENV_CAND_FEATURES;
    CHECK_NEAR(g[0], 0.0, 0);
    CHECK_NEAR(g[1], 0.0, 0);
    CHECK_NEAR(g[2], 2.0, 0);
    CHECK_NEAR(g[3], 0.0, 0);
    /* Job 1 on m0 (0..5); m1 starts job 2 alone (0..4). At 5, m0 has jobs 0 (ready 0) and 2
     * (ready 4): the next decision; the makespan so far is 5. */
    int32_t a = 1;
    CHECK_EQ(tsim_env_step(e, &a), 0);
    CHECK_EQ(b.terminated[0], 0);
    CHECK(b.reward[0] == -5.0);
    CHECK_EQ(b.agent[0], 0);
    CHECK_EQ(b.candidates[0], 2);
    CHECK_NEAR(g[0], 1.0, 1e-7);
    CHECK_NEAR(g[1], 2.0 / 6, 1e-7);
    CHECK_NEAR(o[5], 1.0, 1e-7);         /* job 0 has waited 5 */
    CHECK_NEAR(o[F + 0], 0.2, 1e-7);     /* job 2: proc 1 */
    CHECK_NEAR(o[F + 2], -0.2, 1e-7);    /* slack 5 - 5 - 1 */
    CHECK_NEAR(o[F + 5], 0.2, 1e-7);     /* waited 1 */
    /* Job 2 on m0 (5..6); then job 1 on m1 (5..6), job 0 on m0 (6..9) and m1 (9..11), each
     * alone: the episode ends in this step at 11. */
    CHECK_EQ(tsim_env_step(e, &a), 0);
    CHECK_EQ(b.terminated[0], 1);
    CHECK(b.reward[0] == -6.0);
    CHECK(b.makespan[0] == 11.0);
    CHECK_EQ(b.agent[0], -1);
    CHECK_EQ(b.mask[0], 0);
    tsim_env_destroy(e);
    tsim_jobshop_destroy(js);
}

/* Run `steps` steps of a batch of generated 10x5 instances with MWKR and a fixed pattern of
 * other choices; return a hash of every output. */
static uint64_t run_hash(int threads, int autoreset, int steps)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = 37;
    c.threads = threads;
    c.autoreset = autoreset;
    c.gen_jobs = 10;
    c.gen_machines = 5;
    c.seed = 7;
    c.w_waiting = 0.25;
    struct tsim_env *e = NULL;
    CHECK_EQ(tsim_env_create(NULL, &c, &e), 0);
    if (!e) return 0;
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    size_t N = 37, os = tsim_env_obs_size(e), mc = tsim_env_max_candidates(e);
    int32_t act[37];
    uint64_t h = 1469598103934665603u;
#define MIX(p, len)                                                              \
    for (size_t q = 0; q < (len); q++) h = (h ^ ((const uint8_t *)(p))[q]) * 1099511628211u
    for (int s = 0; s < steps; s++) {
        tsim_env_rule_actions(e, "MWKR", act);
        for (size_t i = 0; i < N; i++)
            if ((i + (size_t)s) % 3 == 0 && b.candidates[i] > 0)
                act[i] = (int32_t)((i * 7 + (size_t)s) % (size_t)b.candidates[i]);
        CHECK_EQ(tsim_env_step(e, act), 0);
        MIX(b.obs, N * os * sizeof(float));
        MIX(b.mask, N * mc);
        MIX(b.reward, N * sizeof(double));
        MIX(b.terminated, N);
        MIX(b.truncated, N);
        MIX(b.agent, N * sizeof(int32_t));
        MIX(b.makespan, N * sizeof(double));
    }
#undef MIX
    tsim_env_destroy(e);
    return h;
}

static void test_env_threads_identical(void)
{
    for (int ar = TSIM_ENV_NEXT_STEP; ar <= TSIM_ENV_SAME_STEP; ar++) {
        uint64_t h1 = run_hash(1, ar, 300);
        CHECK(h1 != 0);
        CHECK(run_hash(2, ar, 300) == h1);
        CHECK(run_hash(4, ar, 300) == h1);
        CHECK(run_hash(1, ar, 299) != h1); /* the hash sees the last step */
    }
}

/* Both autoresets on one instance with MWKR: NEXT_STEP ends with terminated=1 and an empty
 * observation, then a step with reward 0 starts the next episode; SAME_STEP ends with
 * terminated=1 and the next episode's first observation in the same step. Episodes repeat. */
static void test_env_autoreset(void)
{
    struct tsim_jobshop *js = load(instances[3]); /* la01, 10x5 */
    if (!js) {
        CHECK(0);
        return;
    }
    int64_t ms;
    tsim_jobshop_dispatch(js, "MWKR", 1, NULL, &ms);
    for (int ar = TSIM_ENV_NEXT_STEP; ar <= TSIM_ENV_SAME_STEP; ar++) {
        struct tsim_env *e = make(js, 1, 1, ar);
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        size_t os = tsim_env_obs_size(e);
        float *first = malloc(os * sizeof *first);
        memcpy(first, b.obs, os * sizeof *first);
        int32_t first_agent = b.agent[0];
        int episodes = 0, after_end = 0;
        double sum = 0;
        for (int s = 0; s < 400 && episodes < 3; s++) {
            int32_t a;
            tsim_env_rule_actions(e, "MWKR", &a);
            if (after_end) a = 12345; /* NEXT_STEP reads no action of an ended sim */
            CHECK_EQ(tsim_env_step(e, &a), 0);
            if (after_end) {
                CHECK(b.reward[0] == 0);
                CHECK_EQ(b.terminated[0], 0);
                CHECK(memcmp(b.obs, first, os * sizeof *first) == 0);
                after_end = 0;
                continue;
            }
            sum += b.reward[0];
            if (b.terminated[0]) {
                CHECK(-sum == (double)ms);
                CHECK(b.makespan[0] == (double)ms);
                sum = 0;
                episodes++;
                if (ar == TSIM_ENV_NEXT_STEP) {
                    CHECK_EQ(b.agent[0], -1);
                    CHECK_EQ(b.candidates[0], 0);
                    after_end = 1;
                } else {
                    CHECK_EQ(b.agent[0], first_agent);
                    CHECK(memcmp(b.obs, first, os * sizeof *first) == 0);
                }
            }
        }
        CHECK_EQ(episodes, 3);
        free(first);
        tsim_env_destroy(e);
    }
    tsim_jobshop_destroy(js);
}

/* The waiting reward sums to the waiting time of every operation (its start minus its job's
 * ready time), which the dispatcher's schedule gives; weights add; truncation after max_steps. */
static void test_env_rewards_and_truncation(void)
{
    struct tsim_jobshop *js = load(instances[0]);
    if (!js) {
        CHECK(0);
        return;
    }
    size_t ops = tsim_jobshop_size(js);
    int64_t *start = malloc(ops * sizeof *start), ms;
    tsim_jobshop_dispatch(js, "SPT", 1, start, &ms);
    double wait = 0;
    int n = tsim_jobshop_jobs(js), m = tsim_jobshop_machines(js);
    for (int j = 0; j < n; j++) {
        int64_t ready = 0;
        for (int k = 0; k < m; k++) {
            int mc;
            int64_t t;
            tsim_jobshop_op(js, j, k, &mc, &t);
            wait += (double)(start[(size_t)j * m + k] - ready);
            ready = start[(size_t)j * m + k] + t;
        }
    }
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = 1;
    c.w_makespan = 2;
    c.w_waiting = 0.5;
    struct tsim_env *e = NULL;
    CHECK_EQ(tsim_env_create(js, &c, &e), 0);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    double sum = 0;
    int steps = 0;
    for (;;) {
        int32_t a;
        tsim_env_rule_actions(e, "SPT", &a);
        CHECK_EQ(tsim_env_step(e, &a), 0);
        sum += b.reward[0];
        steps++;
        if (b.terminated[0]) break;
    }
    CHECK(wait > 0);
    CHECK(sum == -(2.0 * (double)ms + 0.5 * wait));
    tsim_env_destroy(e);

    c.w_makespan = 1;
    c.w_waiting = 0;
    c.max_steps = 5;
    CHECK_EQ(tsim_env_create(js, &c, &e), 0);
    tsim_env_buffers(e, &b);
    for (int s = 1; s <= 5; s++) {
        int32_t a = 0;
        CHECK_EQ(tsim_env_step(e, &a), 0);
        CHECK_EQ(b.truncated[0], s == 5);
        CHECK_EQ(b.terminated[0], 0);
    }
    int32_t a = 99;
    CHECK_EQ(tsim_env_step(e, &a), 0); /* NEXT_STEP: the reset step */
    CHECK_EQ(b.truncated[0], 0);
    tsim_env_destroy(e);
    free(start);
    tsim_jobshop_destroy(js);
}

/* Taillard's generator gives the published instance from its seeds (ta01). */
static void test_env_taillard_generator(void)
{
    struct {
        const char *file;
        int n, m;
        int32_t ts, ms;
    } t[] = {{"tests/jsplib/instances/Taillard1993/ta01js.txt", 15, 15, 840612802, 398197754},
             };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        struct tsim_jobshop *want = load(t[i].file), *got = NULL;
        CHECK_EQ(tsim_env_taillard(t[i].n, t[i].m, t[i].ts, t[i].ms, &got), 0);
        if (!want || !got) {
            CHECK(0);
            continue;
        }
        int same = 1;
        for (int j = 0; j < t[i].n; j++)
            for (int k = 0; k < t[i].m; k++) {
                int m1, m2;
                int64_t t1, t2;
                tsim_jobshop_op(want, j, k, &m1, &t1);
                tsim_jobshop_op(got, j, k, &m2, &t2);
                same &= m1 == m2 && t1 == t2;
            }
        if (!same) fprintf(stderr, "  %s differs from the generator's\n", t[i].file);
        CHECK(same);
        tsim_jobshop_destroy(want);
        tsim_jobshop_destroy(got);
    }
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_env_taillard(15, 15, 0, 5, &js), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "seeds 0 and 5") != NULL);
    CHECK_EQ(tsim_env_taillard(0, 15, 1, 5, &js), TSIM_ERANGE);
}

/* Generated instances: a reset draws a new one; the same seed gives the same ones. */
static void test_env_generated_reset(void)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = 2;
    c.gen_jobs = 6;
    c.gen_machines = 4;
    struct tsim_env *e;
    CHECK_EQ(tsim_env_create(NULL, &c, &e), 0);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    size_t os = tsim_env_obs_size(e);
    float *o0 = malloc(2 * os * sizeof *o0);
    memcpy(o0, b.obs, 2 * os * sizeof *o0);
    CHECK(memcmp(b.obs, b.obs + os, os * sizeof *o0) != 0); /* two sims, two instances */
    tsim_env_reset(e, NULL, NULL);
    CHECK(memcmp(b.obs, o0, os * sizeof *o0) != 0); /* the stream goes on: new instances */
    uint64_t seed = 1;
    tsim_env_reset(e, NULL, &seed);
    CHECK(memcmp(b.obs, o0, 2 * os * sizeof *o0) == 0); /* the first ones again */
    uint8_t mask[2] = {0, 1};
    tsim_env_reset(e, mask, NULL);
    CHECK(memcmp(b.obs, o0, os * sizeof *o0) == 0);
    CHECK(memcmp(b.obs + os, o0 + os, os * sizeof *o0) != 0);
    free(o0);
    tsim_env_destroy(e);
}

/* Caller-owned buffers receive the outputs, starting with what the env's held. */
static void test_env_caller_buffers(void)
{
    struct tsim_jobshop *js = load(instances[3]);
    struct tsim_env *e = make(js, 3, 2, TSIM_ENV_NEXT_STEP);
    struct tsim_env_buffers own, b;
    tsim_env_buffers(e, &own);
    size_t os = tsim_env_obs_size(e), mc = tsim_env_max_candidates(e);
    float *obs = calloc(3 * os, sizeof *obs);
    double *rew = calloc(3, sizeof *rew);
    CHECK_EQ(tsim_env_set_buffers(e, &(struct tsim_env_buffers){.obs = obs, .reward = rew}), 0);
    tsim_env_buffers(e, &b);
    CHECK(b.obs == obs && b.reward == rew && b.mask == own.mask);
    CHECK(memcmp(obs, own.obs, 3 * os * sizeof *obs) == 0);
    int32_t act[3] = {0, 1, 0};
    CHECK_EQ(tsim_env_step(e, act), 0);
    CHECK(rew[0] < 0 || rew[0] == 0);
    CHECK(memcmp(obs, own.obs, 3 * os * sizeof *obs) != 0); /* the new went to the caller's */
    CHECK_EQ(tsim_env_set_buffers(e, NULL), TSIM_EINVAL);
    (void)mc;
    tsim_env_destroy(e);
    free(obs);
    free(rew);
    tsim_jobshop_destroy(js);
}

/* Bad input: each refused with a message naming the sim and the value; a refused step changes
 * nothing. */
static void test_env_bad_input(void)
{
    struct tsim_jobshop *js = load(instances[3]);
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    struct tsim_env *e = (struct tsim_env *)1;
    c.num_envs = 0;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_ERANGE);
    CHECK(e == NULL);
    CHECK(strstr(tsim_errmsg(), "'num_envs' is 0") != NULL);
    c.num_envs = INT64_C(1) << 40;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_ERANGE);
    c.num_envs = 1 << 20;
    c.gen_jobs = 1000;
    c.gen_machines = 1000;
    CHECK_EQ(tsim_env_create(NULL, &c, &e), TSIM_ERANGE); /* 2^20 sims of 10^6 operations */
    CHECK(strstr(tsim_errmsg(), "64 GiB") != NULL);
    tsim_env_config_init(&c);
    CHECK_EQ(tsim_env_create(NULL, &c, &e), TSIM_EINVAL);
    CHECK_EQ(tsim_env_create(js, NULL, &e), TSIM_EINVAL);
    c.max_candidates = 3;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "'max_candidates' is 3") != NULL);
    tsim_env_config_init(&c);
    c.w_waiting = NAN;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_EINVAL);
    tsim_env_config_init(&c);
    c.autoreset = 7;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_EINVAL);
    tsim_env_config_init(&c);
    c.threads = -1;
    CHECK_EQ(tsim_env_create(js, &c, &e), TSIM_ERANGE);

    e = make(js, 3, 1, TSIM_ENV_NO_AUTORESET);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    size_t os = tsim_env_obs_size(e);
    float *before = malloc(3 * os * sizeof *before);
    memcpy(before, b.obs, 3 * os * sizeof *before);
    int32_t act[3] = {0, 0, 10};
    CHECK_EQ(tsim_env_step(e, act), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "sim 2: action 10 is out of range") != NULL);
    act[2] = -1;
    CHECK_EQ(tsim_env_step(e, act), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "sim 2: action -1") != NULL);
    act[2] = 0;
    act[1] = b.candidates[1];
    CHECK_EQ(tsim_env_step(e, act), TSIM_EINVAL);
    char want[64];
    snprintf(want, sizeof want, "sim 1: action %d is masked", b.candidates[1]);
    CHECK(strstr(tsim_errmsg(), want) != NULL);
    CHECK(memcmp(b.obs, before, 3 * os * sizeof *before) == 0); /* nothing moved */
    CHECK_EQ(tsim_env_step(e, NULL), TSIM_EINVAL);
    CHECK_EQ(tsim_env_rule_actions(e, "MWKX", act), TSIM_EPARSE);
    CHECK(strstr(tsim_errmsg(), "did you mean 'MWKR'") != NULL);
    CHECK_EQ(tsim_env_rule_actions(e, "RANDOM", act), TSIM_EINVAL);
    /* Run sim 0 to its end; stepping it again without a reset is refused under NO_AUTORESET. */
    for (int s = 0; s < 1000; s++) {
        tsim_env_rule_actions(e, "FIFO", act);
        if (b.terminated[0]) break;
        if (b.terminated[1] || b.terminated[2]) {
            uint8_t mk[3] = {0, b.terminated[1], b.terminated[2]};
            tsim_env_reset(e, mk, NULL);
            tsim_env_rule_actions(e, "FIFO", act);
        }
        CHECK_EQ(tsim_env_step(e, act), 0);
    }
    CHECK_EQ(b.terminated[0], 1);
    CHECK_EQ(tsim_env_step(e, act), TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "sim 0: its episode has ended") != NULL);
    tsim_env_reset(e, NULL, NULL);
    tsim_env_rule_actions(e, "FIFO", act);
    CHECK_EQ(tsim_env_step(e, act), 0);
    free(before);
    tsim_env_destroy(e);
    tsim_jobshop_destroy(js);
}

/* An instance in which no machine ever has two candidates (one job): each episode is one step
 * that reads no action and ends with the makespan's reward. */
static void test_env_no_decision(void)
{
    const char *txt = "1 3\n0 4 2 5 1 6\n";
    struct tsim_jobshop *js;
    CHECK_EQ(tsim_jobshop_parse("t", txt, strlen(txt), &js), 0);
    for (int ar = TSIM_ENV_NEXT_STEP; ar <= TSIM_ENV_NO_AUTORESET; ar++) {
        struct tsim_env *e = make(js, 1, 1, ar);
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        CHECK_EQ(b.candidates[0], 0);
        int32_t a = 77;
        CHECK_EQ(tsim_env_step(e, &a), 0);
        CHECK_EQ(b.terminated[0], 1);
        CHECK(b.reward[0] == -15.0);
        CHECK(b.makespan[0] == 15.0);
        tsim_env_destroy(e);
    }
    tsim_jobshop_destroy(js);
}

int main(void)
{
    RUN(test_env_no_decision);
    RUN(test_env_rule_episodes_match_dispatch);
    RUN(test_env_observation_rules);
    RUN(test_env_first_observation);
    RUN(test_env_threads_identical);
    RUN(test_env_autoreset);
    RUN(test_env_rewards_and_truncation);
    RUN(test_env_taillard_generator);
    RUN(test_env_generated_reset);
    RUN(test_env_caller_buffers);
    RUN(test_env_bad_input);
    return CHECK_DONE();
}
