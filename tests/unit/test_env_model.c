/*
 * Tests of the environment's decision points in a factory model (src/logic/fenv.c, env.c,
 * docs/ai.md): an episode stepped with a built-in rule's choices is that rule's run of the model
 * (its completed count and its time in the system, from the rewards), the observation, several
 * decision points in one model (AEC: `agent` names the one asking), the same outputs on 1, 2 and
 * 4 threads, and the refusals: no decision point, a bad model file, no horizon, a masked action.
 */
#include "check.h"
#include "route_models.h"
#include "twinsim.h"
#include "twinsim_logic.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The cell of examples/ai/cell.yaml with `RULE` for its queue's rule, and a second model: two
 * stages, each queue a decision point. */
static const char cell[] =
    "name: cell\n"
    "time_unit: min\n"
    "run: {horizon: 1d}\n"
    "products: [small, medium, large]\n"
    "blocks:\n"
    "  - source: orders\n"
    "    interarrival: exponential(12)\n"
    "    product: {small: 0.5, medium: 0.3, large: 0.2}\n"
    "    due: uniform(1h, 4h)\n"
    "    to: queue\n"
    "  - buffer: queue\n"
    "    rule: %s\n"
    "    to: cell\n"
    "  - machine: cell\n"
    "    process: {small: exponential(4), medium: exponential(8), large: exponential(20)}\n"
    "    to: done\n"
    "  - sink: done\n";

static const char two[] =
    "name: two\n"
    "time_unit: min\n"
    "run: {horizon: 2d}\n"
    "products: [a, b]\n"
    "blocks:\n"
    "  - source: orders\n"
    "    interarrival: exponential(10)\n"
    "    product: {a: 0.6, b: 0.4}\n"
    "    to: first_queue\n"
    "  - buffer: first_queue\n"
    "    rule: agent\n"
    "    to: press\n"
    "  - machine: press\n"
    "    process: {a: exponential(5), b: exponential(8)}\n"
    "    to: second_queue\n"
    "  - buffer: second_queue\n"
    "    rule: agent\n"
    "    to: paint\n"
    "  - machine: paint\n"
    "    process: {a: exponential(8), b: exponential(4)}\n"
    "    to: done\n"
    "  - sink: done\n";

/* The model file at `path`, NULL with its diagnostics printed. */
static struct tsim_model *load(const char *path, double *horizon)
{
    struct tsim_diags d;
    struct tsim_run_spec run;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load_file(path, &run, &d);
    if (!m) tsim_diags_print(&d, path, stderr);
    tsim_diags_release(&d);
    if (horizon) *horizon = m ? run.horizon : 0;
    return m;
}

/* Each env made by make() and its model, freed together by destroy(). */
static struct {
    struct tsim_env *e;
    struct tsim_model *m;
} made[16];

static void destroy(struct tsim_env *e)
{
    for (size_t k = 0; k < sizeof made / sizeof *made; k++)
        if (made[k].e == e && e) {
            tsim_env_destroy(e);
            tsim_model_destroy(made[k].m);
            made[k].e = NULL;
            made[k].m = NULL;
            return;
        }
}

static struct tsim_env *make(const char *path, int64_t n, int threads, int maxc, double wt,
                             double wm, double ww)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = n;
    c.threads = threads;
    c.max_candidates = maxc;
    c.seed = 7;
    c.w_throughput = wt;
    c.w_makespan = wm;
    c.w_waiting = ww;
    struct tsim_env *e = NULL;
    double horizon;
    struct tsim_model *m = load(path, &horizon);
    if (!m) return NULL;
    if (tsim_env_create_model(m, horizon, &c, &e) != 0) {
        fprintf(stderr, "  %s\n", tsim_errmsg());
        tsim_model_destroy(m);
        return NULL;
    }
    for (size_t k = 0; k < sizeof made / sizeof *made; k++)
        if (!made[k].e) {
            made[k].e = e;
            made[k].m = m;
            return e;
        }
    CHECK(0); /* more than 16 at once */
    return e;
}

/* Step every sim with `rule`'s choices through its first episode; the rewards' sums per sim. */
static void rule_episode(struct tsim_env *e, const char *rule, double *sum, int64_t *decisions)
{
    size_t n = tsim_env_num(e);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    int32_t *act = calloc(n, sizeof *act);
    uint8_t *ended = calloc(n, 1);
    size_t left = n;
    for (size_t i = 0; i < n; i++) sum[i] = 0;
    *decisions = 0;
    for (int step = 0; left > 0 && step < 100000; step++) {
        CHECK_EQ(tsim_env_rule_actions(e, rule, act), 0);
        for (size_t i = 0; i < n; i++)
            if (!ended[i] && b.candidates[i] > 0) (*decisions)++;
        CHECK_EQ(tsim_env_step(e, act), 0);
        for (size_t i = 0; i < n; i++) {
            if (ended[i]) continue;
            sum[i] += b.reward[i];
            if (b.terminated[i]) {
                ended[i] = 1;
                left--;
            }
        }
    }
    CHECK_EQ(left, 0);
    free(act);
    free(ended);
}

static void test_env_model_rule_episodes_match_runs(void)
{
    const char *rules[] = {"FIFO", "SPT", "EDD", "SLACK", "weighted(proc=1, wait=-0.5)"};
    char *agent = write_model(cell, "agent");
    CHECK(agent != NULL);
    for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
        enum { N = 4 };
        struct tsim_env *done = make(agent, N, 1, 64, 1, 0, 0);
        struct tsim_env *wait = make(agent, N, 2, 64, 0, 0, 1);
        CHECK(done && wait);
        double got_done[N], got_wait[N];
        int64_t dec = 0, dec2 = 0;
        rule_episode(done, rules[r], got_done, &dec);
        rule_episode(wait, rules[r], got_wait, &dec2);
        CHECK(dec > 100); /* the choice is asked often enough for the check to mean something */
        CHECK_EQ(dec, dec2);
        char *ruled = write_model(cell, rules[r]);
        struct tsim_diags d;
        tsim_diags_init(&d);
        struct tsim_model *m = tsim_model_load_file(ruled, NULL, &d);
        CHECK(m != NULL);
        double sent = 0; /* entities the queue sent on, in all N runs */
        for (int i = 0; m && i < N; i++) {
            struct tsim_sim *sim = tsim_sim_create(m, 7, (uint64_t)i);
            tsim_sim_run_until(sim, 1440);
            struct tsim_result res;
            tsim_result_init(&res);
            tsim_sim_result(sim, &res);
            const struct tsim_kpi *c = tsim_result_find(&res, TSIM_KPI_SYSTEM, "completed");
            const struct tsim_kpi *w = tsim_result_find(&res, TSIM_KPI_SYSTEM, "wip");
            const struct tsim_kpi *left = tsim_result_find(&res, 1, "left");
            CHECK(c && w && left);
            if (left) sent += left->value;
            if (c && w) {
                CHECK(got_done[i] == c->value);
                /* wip is the time-weighted mean over the day: times 1440, the time in system */
                CHECK_NEAR(-got_wait[i], w->value * 1440.0, 1e-9 * w->value * 1440.0);
            }
            tsim_result_release(&res);
            tsim_sim_destroy(sim);
        }
        /* A decision is asked only where it is sent at once: never more than one per entity
         * sent, although a machine busy again after each send would leave the queue trying. */
        CHECK(dec <= (int64_t)sent);
        tsim_model_destroy(m);
        tsim_diags_release(&d);
        unlink(ruled);
        free(ruled);
        destroy(done);
        destroy(wait);
    }
    unlink(agent);
    free(agent);
}

/* The first-in-first-out choice (slot 0) differs from SPT's: the decision changes the run. */
static void test_env_model_choice_matters(void)
{
    char *agent = write_model(cell, "agent");
    struct tsim_env *a = make(agent, 4, 1, 64, 1, 0, 0);
    struct tsim_env *b = make(agent, 4, 1, 64, 1, 0, 0);
    double fifo[4], spt[4];
    int64_t d1, d2;
    rule_episode(a, "FIFO", fifo, &d1);
    rule_episode(b, "SPT", spt, &d2);
    int differ = 0;
    for (int i = 0; i < 4; i++) differ += fifo[i] != spt[i];
    CHECK(differ > 0 || d1 != d2);
    destroy(a);
    destroy(b);
    unlink(agent);
    free(agent);
}

static void test_env_model_observation(void)
{
    char *agent = write_model(cell, "agent");
    struct tsim_env *e = make(agent, 2, 1, 8, 1, 0, 0);
    CHECK(e != NULL);
    CHECK_EQ(tsim_env_max_candidates(e), 8);
    CHECK_EQ(tsim_env_obs_size(e), 8 * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES);
    CHECK_EQ(tsim_env_agents(e), 1);
    CHECK_STR(tsim_env_agent_name(e, 0), "queue");
    CHECK(tsim_env_agent_name(e, 1) == NULL);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    const double mean[3] = {4, 8, 20};
    int32_t act[2];
    int seen = 0, long_queue = 0;
    double last[2] = {-1, -1};
    for (int step = 0; step < 300; step++) {
        for (size_t i = 0; i < 2; i++) {
            const float *o = b.obs + i * tsim_env_obs_size(e);
            const float *g = o + 8 * TSIM_ENV_CAND_FEATURES;
            int32_t nc = b.candidates[i];
            act[i] = nc > 1 ? nc - 1 : 0; /* the newest: LIFO */
            if (nc == 0) {
                CHECK_EQ(b.agent[i], -1);
                continue;
            }
            seen++;
            /* One machine: after a decision it is busy, so the next comes later (a queue is
             * asked only when its choice can be sent at once) */
            CHECK(b.makespan[i] > last[i]);
            last[i] = b.makespan[i];
            CHECK(nc >= 2 && nc <= 8);
            CHECK_EQ(b.agent[i], 0);
            CHECK(g[3] == 0.0f);
            CHECK(g[2] >= (float)nc); /* the queue: longer than the slots sometimes */
            if (g[2] > 8) long_queue++;
            CHECK(g[0] == (float)b.makespan[i]);
            for (int k = 0; k < 8; k++) {
                const float *c = o + k * TSIM_ENV_CAND_FEATURES;
                CHECK_EQ(b.mask[i * 8 + k], k < nc);
                if (k >= nc) {
                    CHECK(c[0] == 0 && c[5] == 0 && c[8] == 0);
                    continue;
                }
                int p = (int)c[8];
                CHECK(p >= 0 && p <= 2 && c[8] == (float)p);
                CHECK(c[0] == (float)mean[p]);
                CHECK(c[3] == c[0] && c[4] == 1.0f && c[9] == 1.0f && c[10] == (float)k);
                CHECK(c[5] >= 0);
                /* due in [1h, 4h] after arrival: arrival = now - wait */
                double arrival = (double)g[0] - c[5];
                CHECK(c[1] >= arrival + 60 - 1e-3 && c[1] <= arrival + 240 + 1e-3);
                CHECK_NEAR(c[2], c[1] - g[0] - c[3], 1e-3);
                if (k > 0) CHECK(c[5] <= o[(k - 1) * TSIM_ENV_CAND_FEATURES + 5]);
            }
        }
        CHECK_EQ(tsim_env_step(e, act), 0);
        for (int i = 0; i < 2; i++)
            if (b.terminated[i]) last[i] = -1;
    }
    CHECK(seen > 200);
    CHECK(long_queue > 0);
    destroy(e);
    unlink(agent);
    free(agent);
}

/* Random masked actions from a fixed generator. */
static void random_actions(const struct tsim_env_buffers *b, size_t n, uint64_t *x, int32_t *act)
{
    for (size_t i = 0; i < n; i++) {
        *x = *x * 6364136223846793005u + 1442695040888963407u;
        int32_t nc = b->candidates[i];
        act[i] = nc > 0 ? (int32_t)((*x >> 33) % (uint64_t)nc) : 0;
    }
}

static void test_env_model_two_decision_points(void)
{
    char *path = write_model(two, "");
    struct tsim_env *e = make(path, 3, 1, 0, 1, 0, 0);
    CHECK(e != NULL);
    CHECK_EQ(tsim_env_agents(e), 2);
    CHECK_STR(tsim_env_agent_name(e, 0), "first_queue");
    CHECK_STR(tsim_env_agent_name(e, 1), "second_queue");
    CHECK_EQ(tsim_env_max_candidates(e), 16);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    int32_t act[3];
    uint64_t x = 1;
    int asked[2] = {0, 0}, ends = 0;
    for (int step = 0; step < 3000; step++) {
        for (int i = 0; i < 3; i++) {
            const float *g = b.obs + (size_t)i * tsim_env_obs_size(e) + 16 * TSIM_ENV_CAND_FEATURES;
            if (b.agent[i] >= 0) {
                asked[b.agent[i]]++;
                CHECK(b.candidates[i] >= 2);
                CHECK(g[3] == (float)b.agent[i]);
            }
        }
        random_actions(&b, 3, &x, act);
        CHECK_EQ(tsim_env_step(e, act), 0);
        for (int i = 0; i < 3; i++) ends += b.terminated[i];
    }
    CHECK(asked[0] > 100 && asked[1] > 100);
    CHECK(ends > 0);
    destroy(e);
    unlink(path);
    free(path);
}

static void test_env_model_threads_identical(void)
{
    char *path = write_model(two, "");
    enum { N = 11, STEPS = 1500 };
    float *obs[3];
    double *rew[3];
    int32_t *agent[3];
    const int threads[3] = {1, 2, 4};
    for (int t = 0; t < 3; t++) {
        struct tsim_env *e = make(path, N, threads[t], 0, 1, 0.01, 0.1);
        CHECK(e != NULL);
        if (!e) return;
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        size_t os = tsim_env_obs_size(e);
        obs[t] = malloc(sizeof(float) * os * N);
        rew[t] = calloc(N, sizeof(double));
        agent[t] = calloc(N, sizeof(int32_t));
        int32_t act[N];
        uint64_t x = 3;
        for (int s = 0; s < STEPS; s++) {
            random_actions(&b, N, &x, act);
            CHECK_EQ(tsim_env_step(e, act), 0);
            for (int i = 0; i < N; i++) {
                rew[t][i] += b.reward[i];
                agent[t][i] += b.agent[i];
            }
        }
        memcpy(obs[t], b.obs, sizeof(float) * os * N);
        if (t > 0) {
            CHECK(memcmp(obs[t], obs[0], sizeof(float) * os * N) == 0);
            CHECK(memcmp(rew[t], rew[0], sizeof(double) * N) == 0);
            CHECK(memcmp(agent[t], agent[0], sizeof(int32_t) * N) == 0);
        }
        destroy(e);
    }
    for (int t = 0; t < 3; t++) {
        free(obs[t]);
        free(rew[t]);
        free(agent[t]);
    }
    unlink(path);
    free(path);
}

/* A seeded reset starts the same episodes again; autoreset goes on with the next replication
 * (one sim, so that no sim runs into its next episode while the others finish theirs). */
static void test_env_model_reset_and_episodes(void)
{
    char *path = write_model(cell, "agent");
    struct tsim_env *e = make(path, 1, 1, 0, 1, 0, 0);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    double first, again, next;
    int64_t d;
    rule_episode(e, "SPT", &first, &d);
    int32_t act = 0;
    CHECK_EQ(tsim_env_step(e, &act), 0); /* NEXT_STEP: the reset, reward 0 */
    CHECK(b.reward[0] == 0 && !b.terminated[0] && b.candidates[0] >= 2);
    rule_episode(e, "SPT", &next, &d); /* replication 1 */
    uint64_t seed = 7;
    CHECK_EQ(tsim_env_reset(e, NULL, &seed), 0);
    rule_episode(e, "SPT", &again, &d);
    CHECK(first == again);
    CHECK(first != next);
    CHECK(first > 50 && next > 50); /* about 120 orders a day */
    destroy(e);
    unlink(path);
    free(path);
}

/* SAME_STEP: the step that ends an episode shows the next one's first decision, with the ended
 * episode's clock; without autoreset, stepping an ended sim is refused, naming it. */
static void test_env_model_autoresets(void)
{
    char *path = write_model(cell, "agent");
    double horizon;
    struct tsim_model *m = load(path, &horizon);
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.w_makespan = 0;
    c.w_throughput = 1;
    for (int ar = TSIM_ENV_SAME_STEP; ar <= TSIM_ENV_NO_AUTORESET; ar++) {
        c.autoreset = ar;
        struct tsim_env *e = NULL;
        CHECK_EQ(tsim_env_create_model(m, horizon, &c, &e), 0);
        if (!e) break;
        struct tsim_env_buffers b;
        tsim_env_buffers(e, &b);
        int32_t a = 0;
        int steps = 0;
        while (!b.terminated[0] && steps < 100000) {
            CHECK_EQ(tsim_env_step(e, &a), 0);
            steps++;
        }
        CHECK(b.terminated[0] == 1 && b.makespan[0] == horizon);
        if (ar == TSIM_ENV_SAME_STEP) {
            CHECK(b.candidates[0] >= 2 && b.agent[0] == 0);
            CHECK_EQ(tsim_env_step(e, &a), 0);
            CHECK(b.terminated[0] == 0 && b.makespan[0] < horizon);
        } else {
            CHECK_EQ(b.candidates[0], 0);
            CHECK_EQ(tsim_env_step(e, &a), TSIM_EINVAL);
            CHECK(strstr(tsim_errmsg(), "sim 0: its episode has ended") != NULL);
            CHECK_EQ(tsim_env_reset(e, NULL, NULL), 0);
            CHECK(b.candidates[0] >= 2 && b.terminated[0] == 0);
        }
        tsim_env_destroy(e);
    }
    tsim_model_destroy(m);
    unlink(path);
    free(path);
}

static void test_env_model_bad_input(void)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    struct tsim_env *e = NULL;
    char *fifo = write_model(cell, "FIFO");
    struct tsim_model *mf = load(fifo, NULL);
    CHECK_EQ(tsim_env_create_model(mf, 1440, &c, &e), TSIM_EINVAL);
    CHECK(e == NULL);
    CHECK_STR(tsim_errmsg(), "tsim_env_create_model: model 'cell' has no decision point: give a "
                             "buffer 'rule: agent' or a route '{rule: agent, among: [...]}' "
                             "(docs/ai.md)");
    tsim_model_destroy(mf);
    /* a misspelt agent is an unknown rule of the model file, at its place */
    char *typo = write_model(cell, "agnet");
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim_model_load_file(typo, NULL, &d) == NULL);
    CHECK(d.errors == 1 && d.items[0].line == 12 && d.items[0].col == 11);
    CHECK(d.n > 0 && strcmp(d.items[0].message,
                            "unknown rule 'agnet' (did you mean 'agent'?)") == 0);
    tsim_diags_release(&d);
    CHECK_EQ(tsim_env_create_model(NULL, 1440, &c, &e), TSIM_EINVAL);
    char *agent = write_model(cell, "agent");
    struct tsim_model *m = load(agent, NULL);
    CHECK_EQ(tsim_env_create_model(m, 0, &c, &e), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "the horizon is 0") != NULL);
    CHECK_EQ(tsim_env_create_model(m, -1, &c, &e), TSIM_ERANGE);
    CHECK_EQ(tsim_env_create_model(m, NAN, &c, &e), TSIM_ERANGE);
    CHECK_EQ(tsim_env_create_model(m, INFINITY, &c, &e), TSIM_ERANGE);
    CHECK_EQ(tsim_env_create_model(m, 1440, NULL, &e), TSIM_EINVAL);
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, NULL), TSIM_EINVAL);
    c.gen_jobs = 3;
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, &e), TSIM_EINVAL);
    c.gen_jobs = 0;
    c.w_throughput = INFINITY;
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, &e), TSIM_EINVAL);
    c.w_throughput = 0;
    c.max_candidates = 5000;
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, &e), TSIM_ERANGE);
    c.num_envs = 0;
    c.max_candidates = 4;
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, &e), TSIM_ERANGE);
    c.num_envs = 2;
    CHECK_EQ(tsim_env_create_model(m, 1440, &c, &e), 0);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    /* step until sim 1 asks, then give it a masked slot and an out-of-range one */
    int32_t act[2] = {0, 0};
    for (int s = 0; s < 1000 && b.candidates[1] == 0; s++) CHECK_EQ(tsim_env_step(e, act), 0);
    CHECK(b.candidates[1] >= 2);
    if (b.candidates[1] < 4) {
        act[1] = 3;
        CHECK_EQ(tsim_env_step(e, act), TSIM_EINVAL);
        CHECK(strstr(tsim_errmsg(), "sim 1: action 3 is masked") != NULL);
    }
    act[1] = 4;
    CHECK_EQ(tsim_env_step(e, act), TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "sim 1: action 4 is out of range: actions are 0 to 3") != NULL);
    act[1] = -1;
    CHECK_EQ(tsim_env_step(e, act), TSIM_ERANGE);
    tsim_env_destroy(e);
    tsim_model_destroy(m);
    const char *paths[] = {fifo, typo, agent};
    for (int i = 0; i < 3; i++) {
        unlink(paths[i]);
        free((void *)paths[i]);
    }
}

/* A sim of the model outside an env (twinsim run) serves the agent's queue first in, first out. */
/* Models `fmt` with `a` and with `b` in it make the same run of a day (replication 0 of seed 3),
 * fingerprint for fingerprint. */
static void same_run(const char *fmt, const char *a, const char *b)
{
    char *pa = write_model(fmt, a), *pb = write_model(fmt, b);
    struct tsim_model *ma = load(pa, NULL), *mb = load(pb, NULL);
    CHECK(ma && mb);
    if (ma && mb) {
        struct tsim_sim *sa = tsim_sim_create(ma, 3, 0), *sb = tsim_sim_create(mb, 3, 0);
        tsim_sim_run_until(sa, 1440);
        tsim_sim_run_until(sb, 1440);
        struct tsim_result ra, rb;
        tsim_result_init(&ra);
        tsim_result_init(&rb);
        tsim_sim_result(sa, &ra);
        tsim_sim_result(sb, &rb);
        CHECK(ra.n > 0 && ra.fingerprint == rb.fingerprint);
        tsim_result_release(&ra);
        tsim_result_release(&rb);
        tsim_sim_destroy(sa);
        tsim_sim_destroy(sb);
    }
    tsim_model_destroy(ma);
    tsim_model_destroy(mb);
    unlink(pa);
    unlink(pb);
    free(pa);
    free(pb);
}

static void test_env_model_agent_outside_env(void) { same_run(cell, "agent", "FIFO"); }

/* The choice of each sim from its observation: slot 0, or the shortest queue (the `queue`
 * feature, offset 1; ties to the lower slot, as shortest_queue's to the first listed). */
static void route_actions(const struct tsim_env_buffers *b, size_t n, size_t maxc, int jsq,
                          int32_t *act)
{
    size_t osz = maxc * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES;
    for (size_t i = 0; i < n; i++) {
        act[i] = 0;
        if (!jsq) continue;
        const float *o = b->obs + i * osz;
        for (int32_t k = 1; k < b->candidates[i]; k++)
            if (o[k * TSIM_ENV_CAND_FEATURES + 1] < o[act[i] * TSIM_ENV_CAND_FEATURES + 1])
                act[i] = k;
    }
}

/* An episode of a route decided by the env equals the run of the model with the route `rule`:
 * slot 0 always is the route to the first target alone, the shortest queue seen in the
 * observation is shortest_queue. Compared by the completed count and the time in the system
 * (the rewards' sums) of each replication. */
static void route_episode_matches(const char *fmt, const char *among, int jsq, const char *rule)
{
    enum { N = 4 };
    char to[128];
    snprintf(to, sizeof to, "{rule: agent, among: %s}", among);
    char *agent = write_model(fmt, to);
    struct tsim_env *done = make(agent, N, 1, 8, 1, 0, 0);
    struct tsim_env *wait = make(agent, N, 2, 8, 0, 0, 1);
    CHECK(done && wait);
    if (!done || !wait) return;
    struct tsim_env_buffers bd, bw;
    tsim_env_buffers(done, &bd);
    tsim_env_buffers(wait, &bw);
    double got_done[N] = {0}, got_wait[N] = {0};
    int32_t act[N];
    int ended = 0;
    int64_t dec = 0;
    for (int step = 0; ended < N && step < 100000; step++) {
        for (int i = 0; i < N; i++) {
            CHECK_EQ(bd.candidates[i], bw.candidates[i]);
            dec += bd.candidates[i] > 0;
            CHECK(bd.candidates[i] == 0 || bd.agent[i] == 0);
        }
        route_actions(&bd, N, 8, jsq, act);
        CHECK_EQ(tsim_env_step(done, act), 0);
        CHECK_EQ(tsim_env_step(wait, act), 0);
        ended = 0;
        for (int i = 0; i < N; i++) {
            if (got_done[i] < 0) { /* ended: marked by a negative sum */
                ended++;
                continue;
            }
            got_done[i] += bd.reward[i];
            got_wait[i] += bw.reward[i];
            CHECK_EQ(bd.terminated[i], bw.terminated[i]);
            if (bd.terminated[i]) got_done[i] = -1 - got_done[i];
        }
    }
    CHECK_EQ(ended, N);
    CHECK(dec > 200); /* the route asks often enough for the check to mean something */
    char *ruled = write_model(fmt, rule);
    double horizon;
    struct tsim_model *m = load(ruled, &horizon);
    CHECK(m != NULL);
    for (int i = 0; m && i < N; i++) {
        struct tsim_sim *sim = tsim_sim_create(m, 7, (uint64_t)i);
        tsim_sim_run_until(sim, horizon);
        struct tsim_result res;
        tsim_result_init(&res);
        tsim_sim_result(sim, &res);
        const struct tsim_kpi *c = tsim_result_find(&res, TSIM_KPI_SYSTEM, "completed");
        const struct tsim_kpi *w = tsim_result_find(&res, TSIM_KPI_SYSTEM, "wip");
        CHECK(c && w);
        if (c && w) {
            CHECK(-1 - got_done[i] == c->value);
            CHECK_NEAR(-got_wait[i], w->value * horizon, 1e-9 * w->value * horizon);
        }
        tsim_result_release(&res);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
    unlink(ruled);
    free(ruled);
    unlink(agent);
    free(agent);
    destroy(done);
    destroy(wait);
}

static void test_env_model_route_agent(void)
{
    /* a route from a source (its entity held while the env decides) and from a buffer */
    route_episode_matches(route_queues, "[qa, qb]", 0, "qa");
    route_episode_matches(route_queues, "[qa, qb]", 1,
                          "{rule: shortest_queue, among: [qa, qb]}");
    route_episode_matches(route_machines, "[slow, fast]", 0, "slow");
    route_episode_matches(route_machines, "[slow, fast]", 1,
                          "{rule: shortest_queue, among: [slow, fast]}");
}

/* A route's observation: its targets' features, hand-checked against the slots' meaning. */
static void test_env_model_route_observation(void)
{
    char *agent = write_model(route_queues, "{rule: agent, among: [qa, qb]}");
    struct tsim_env *e = make(agent, 1, 1, 4, 1, 0, 0);
    CHECK(e != NULL);
    if (!e) return;
    CHECK_EQ(tsim_env_agents(e), 1);
    CHECK_STR(tsim_env_agent_name(e, 0), "orders");
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    size_t osz = 4 * TSIM_ENV_CAND_FEATURES + TSIM_ENV_GLOBAL_FEATURES;
    CHECK_EQ(tsim_env_obs_size(e), osz);
    int32_t act[1] = {1};
    int seen_busy = 0;
    for (int step = 0; step < 200; step++) {
        const float *o = b.obs, *g = b.obs + 4 * TSIM_ENV_CAND_FEATURES;
        CHECK_EQ(b.candidates[0], 2);
        CHECK(b.mask[0] == 1 && b.mask[1] == 1 && b.mask[2] == 0);
        CHECK_NEAR(o[0], 6, 0); /* proc: fast's mean, through qa */
        CHECK_NEAR(o[TSIM_ENV_CAND_FEATURES + 0], 12, 0);
        CHECK_NEAR(o[5], 0, 0); /* index */
        CHECK_NEAR(o[TSIM_ENV_CAND_FEATURES + 5], 1, 0);
        /* busy: qa takes anything (unlimited), so 0; backlog: fast's work left plus qa's */
        CHECK_NEAR(o[2], 0, 0);
        CHECK(o[3] >= 0);
        seen_busy += o[1] > 0;
        CHECK_NEAR(g[2], 2, 0); /* targets */
        CHECK_NEAR(g[3], 0, 0); /* agent */
        act[0] = step % 2;
        CHECK_EQ(tsim_env_step(e, act), 0);
    }
    CHECK(seen_busy > 0);
    /* a sequencing rule does not choose at a route */
    CHECK_EQ(tsim_env_rule_actions(e, "SPT", act), TSIM_EINVAL);
    CHECK(strstr(tsim_errmsg(), "sim 0: the route of 'orders' asks") != NULL);
    destroy(e);
    unlink(agent);
    free(agent);
}

/* Outside an environment a route with `rule: agent` is a round robin. */
static void test_env_model_route_agent_outside_env(void)
{
    same_run(route_queues, "{rule: agent, among: [qa, qb]}",
             "{rule: round_robin, among: [qa, qb]}");
}

int main(void)
{
    RUN(test_env_model_rule_episodes_match_runs);
    RUN(test_env_model_choice_matters);
    RUN(test_env_model_observation);
    RUN(test_env_model_two_decision_points);
    RUN(test_env_model_threads_identical);
    RUN(test_env_model_reset_and_episodes);
    RUN(test_env_model_autoresets);
    RUN(test_env_model_bad_input);
    RUN(test_env_model_agent_outside_env);
    RUN(test_env_model_route_agent);
    RUN(test_env_model_route_observation);
    RUN(test_env_model_route_agent_outside_env);
    return CHECK_DONE();
}
