/*
 * src/logic/route.c: a route's learned rule, `to: {rule: policy:PATH, among: [...]}`. A weights
 * file that is a built-in route rule in disguise (linear +1 on queue, busy, backlog or util, and
 * an mlp of one tanh unit over queue) makes the same run as shortest_queue, first_free,
 * earliest_free and least_utilized, fingerprint for fingerprint, over replications where the
 * choice matters (round_robin's fingerprints differ); the features of a target; the refusals
 * with their places, word for word.
 */
#include "check.h"
#include "model_text.h"
#include "route_models.h"

#include "blocks/sim.h"
#include "logic/logic.h"
#include "logic/policy.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* The model `fmt` with the route {rule: RULE, among: [TARGETS]}. */
static struct tsim_model *route_model(const char *fmt, const char *rule, char *diag, size_t n)
{
    char to[256], text[2048];
    snprintf(to, sizeof to, "{rule: %s, among: [%s]}", rule,
             fmt == route_queues ? "qa, qb" : "slow, fast");
    snprintf(text, sizeof text, fmt, to);
    return model_from_text(text, "m.yaml", diag, n);
}

/* The fingerprints of replications 0..R-1 of seed 5, to 2 days. */
enum { R = 6 };
static void fingerprints(struct tsim_model *m, uint64_t *fp)
{
    for (int i = 0; i < R; i++) {
        struct tsim_sim *sim = tsim_sim_create(m, 5, (uint64_t)i);
        CHECK(sim != NULL);
        if (!sim) continue;
        tsim_sim_run_until(sim, 2880);
        CHECK_EQ(tsim_sim_status(sim), 0);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        fp[i] = r.fingerprint;
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
}

static void test_route_policy_reproduces_rules(void)
{
    static const struct {
        const char *weights, *rule;
    } pairs[] = {
        {"twinsim-policy 1\nmodel linear\nfeatures queue\nmean 0\nscale 1\nweights 1\n",
         "shortest_queue"},
        {"twinsim-policy 1\n# tanh is increasing: ranks as queue does\nmodel mlp\n"
         "features queue\nmean 0\nscale 100\nhidden 1\nunit 0 1\noutput 1\n",
         "shortest_queue"},
        {"twinsim-policy 1\nmodel linear\nfeatures busy\nmean 0\nscale 1\nweights 1\n",
         "first_free"},
        {"twinsim-policy 1\nmodel linear\nfeatures backlog\nmean 0\nscale 1\nweights 1\n",
         "earliest_free"},
        {"twinsim-policy 1\nmodel linear\nfeatures util\nmean 0\nscale 1\nweights 1\n",
         "least_utilized"},
    };
    const char *models[] = {route_queues, route_machines};
    char diag[2048];
    for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
        char *path = write_model("%s", pairs[k].weights);
        CHECK(path != NULL);
        if (!path) continue;
        char rule[128];
        snprintf(rule, sizeof rule, "'policy:%s'", path);
        for (int mi = 0; mi < 2; mi++) {
            struct tsim_model *mp = route_model(models[mi], rule, diag, sizeof diag);
            struct tsim_model *mr = route_model(models[mi], pairs[k].rule, diag, sizeof diag);
            struct tsim_model *rr = route_model(models[mi], "round_robin", diag, sizeof diag);
            CHECK(mp && mr && rr);
            if (!mp || !mr || !rr) {
                fprintf(stderr, "  %s\n", diag);
            } else {
                uint64_t a[R], b[R], c[R];
                fingerprints(mp, a);
                fingerprints(mr, b);
                fingerprints(rr, c);
                int differ = 0;
                for (int i = 0; i < R; i++) {
                    CHECK_EQ(a[i], b[i]);
                    differ += b[i] != c[i];
                }
                /* the rule's choices are not a round robin's: the equality means something */
                CHECK_EQ(differ, R);
            }
            tsim_model_destroy(mp);
            tsim_model_destroy(mr);
            tsim_model_destroy(rr);
        }
        unlink(path);
        free(path);
    }
}

/* A target's features, hand-worked: `front` sends to slow (busy) and fast (idle). */
static void test_route_features(void)
{
    char diag[2048];
    struct tsim_model *m = route_model(route_machines, "round_robin", diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) return;
    struct tsim_sim *sim = tsim_sim_create(m, 5, 0);
    /* run until slow is busy and fast idle */
    int slow = tsim_model_find_block(m, "slow"), fast = tsim_model_find_block(m, "fast");
    int front = tsim_model_find_block(m, "front");
    int found = 0;
    for (int t = 1; t < 2000 && !found; t++) {
        tsim_sim_run_until(sim, t);
        found = !tsim__takes_now(sim, (uint32_t)slow) && tsim__takes_now(sim, (uint32_t)fast);
    }
    CHECK(found);
    double f[2][TSIM__PF_COUNT];
    uint32_t e = 0; /* any entity: product 0 */
    tsim__route_feats(sim, (uint32_t)front, e, 0, f[0]);
    tsim__route_feats(sim, (uint32_t)front, e, 1, f[1]);
    CHECK_NEAR(f[0][TSIM__PF_PROC], 12, 1e-12);
    CHECK_NEAR(f[1][TSIM__PF_PROC], 6, 1e-12);
    CHECK_NEAR(f[0][TSIM__PF_QUEUE], 1, 0);
    CHECK_NEAR(f[1][TSIM__PF_QUEUE], 0, 0);
    CHECK_NEAR(f[0][TSIM__PF_BUSY], 1, 0);
    CHECK_NEAR(f[1][TSIM__PF_BUSY], 0, 0);
    CHECK(f[0][TSIM__PF_BACKLOG] > 0);
    CHECK_NEAR(f[1][TSIM__PF_BACKLOG], 0, 0);
    CHECK(f[0][TSIM__PF_UTIL] > 0 && f[0][TSIM__PF_UTIL] <= 1);
    CHECK_NEAR(f[0][TSIM__PF_INDEX], 0, 0);
    CHECK_NEAR(f[1][TSIM__PF_INDEX], 1, 0);
    CHECK_NEAR(f[1][TSIM__PF_WAIT], 0, 0); /* not a route's: left 0 */
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

static void test_route_policy_errors(void)
{
    char *bad = write_model("%s", "twinsim-policy 1\nmodel linear\nfeatures queue\nmean 0 1\n");
    char *work = write_model("%s", "twinsim-policy 1\nmodel linear\nfeatures queue work\n"
                                   "mean 0 0\nscale 1 1\nweights 1 1\n");
    char *queue = write_model("%s", "twinsim-policy 1\nmodel linear\nfeatures proc queue\n"
                                    "mean 0 0\nscale 1 1\nweights 1 1\n");
    CHECK(bad && work && queue);
    char rule[128], want[512], diag[2048];

    snprintf(rule, sizeof rule, "'policy:%s'", bad);
    struct tsim_model *m = route_model(route_queues, rule, diag, sizeof diag);
    CHECK(m == NULL);
    snprintf(want, sizeof want, "m.yaml:7:16: error: %s:4:8: 'mean' needs 1 numbers (one per "
             "feature), not 2\n", bad);
    CHECK_STR(diag, want);

    snprintf(rule, sizeof rule, "'policy:%s'", work);
    m = route_model(route_queues, rule, diag, sizeof diag);
    CHECK(m == NULL);
    snprintf(want, sizeof want, "m.yaml:7:16: error: %s:3:16: feature 'work' is not known at a "
             "route (it gives proc, queue, busy, backlog, util, index)\n", work);
    CHECK_STR(diag, want);

    m = route_model(route_queues, "'policy:/nonexistent/p.txt'", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "m.yaml:7:16: error: ") == diag && strstr(diag, "/nonexistent/p.txt"));

    m = route_model(route_queues, "'policy:'", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK_STR(diag, "m.yaml:7:16: error: 'policy:' expects the path of a weights file, e.g. "
                    "'policy:route-policy.txt'\n");

    m = route_model(route_queues, "agnet", diag, sizeof diag);
    CHECK(m == NULL);
    CHECK_STR(diag, "m.yaml:7:16: error: unknown rule 'agnet' in 'to' (did you mean "
                    "'agent'?)\n");

    /* a route's features are no sequencing decision's: refused at a buffer and in a job shop */
    char text[2048];
    snprintf(text, sizeof text, "name: q\nblocks:\n  - source: s\n    interarrival: 1\n"
             "    to: b\n  - buffer: b\n    rule: 'policy:%s'\n    to: m\n  - machine: m\n"
             "    process: 1\n    to: k\n  - sink: k\n", queue);
    m = model_from_text(text, "q.yaml", diag, sizeof diag);
    CHECK(m == NULL);
    snprintf(want, sizeof want, "q.yaml:7:11: error: %s:3:15: feature 'queue' is not known at a "
             "sequencing decision (it gives proc, due, slack, work, ops, wait, job_work, share, "
             "next_proc, mach_work, next_work, next_free, next_queue)\n", queue);
    CHECK_STR(diag, want);
    unlink(bad);
    unlink(work);
    unlink(queue);
    free(bad);
    free(work);
    free(queue);
}

/* The checked-in examples/ai/route-policy.txt against earliest_free, the best built-in rule on
 * examples/ai/route.yaml (docs/ai.md, A learned route): over 20 replications of seed 1, common
 * random numbers, the paired difference of the mean work in process is above 0 by more than its
 * 95% half-width (t with 19 degrees of freedom: 2.093). docs/ai.md has 400 replications: a
 * difference of 4.18 +- 0.43. */
static void test_route_policy_checked_in_wins(void)
{
    FILE *f = fopen("examples/ai/route.yaml", "r");
    CHECK(f != NULL);
    if (!f) return;
    static char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *agent = "{rule: agent, among: [fast_queue, slow_queue]}";
    char *at = strstr(text, agent);
    CHECK(at != NULL);
    if (!at) return;
    const char *rules[2] = {"'policy:route-policy.txt'", "earliest_free"};
    double wip[2][20];
    for (int k = 0; k < 2; k++) {
        char model[4096];
        snprintf(model, sizeof model, "%.*s{rule: %s, among: [fast_queue, slow_queue]}%s",
                 (int)(at - text), text, rules[k], at + strlen(agent));
        struct tsim_diags d;
        tsim_diags_init(&d);
        /* the policy's path is found next to the file named */
        struct tsim_model *m =
            tsim_model_load(model, strlen(model), "examples/ai/route.yaml", NULL, &d);
        if (!m) tsim_diags_print(&d, "route.yaml", stderr);
        tsim_diags_release(&d);
        CHECK(m != NULL);
        if (!m) return;
        for (int i = 0; i < 20; i++) {
            struct tsim_sim *sim = tsim_sim_create(m, 1, (uint64_t)i);
            tsim_sim_run_until(sim, 2880);
            struct tsim_result r;
            tsim_result_init(&r);
            tsim_sim_result(sim, &r);
            wip[k][i] = kpi(&r, TSIM_KPI_SYSTEM, "wip");
            tsim_result_release(&r);
            tsim_sim_destroy(sim);
        }
        tsim_model_destroy(m);
    }
    double mean = 0, ss = 0;
    for (int i = 0; i < 20; i++) mean += (wip[1][i] - wip[0][i]) / 20;
    for (int i = 0; i < 20; i++) {
        double x = wip[1][i] - wip[0][i] - mean;
        ss += x * x;
    }
    double hw = 2.093 * sqrt(ss / 19) / sqrt(20);
    fprintf(stderr, "  earliest_free - policy: %.3f +- %.3f\n", mean, hw);
    CHECK(mean - hw > 0);
}

int main(void)
{
    RUN(test_route_policy_reproduces_rules);
    RUN(test_route_features);
    RUN(test_route_policy_errors);
    RUN(test_route_policy_checked_in_wins);
    return CHECK_DONE();
}
