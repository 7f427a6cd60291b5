/*
 * The release decision point of a source (`release: {rule: conwip, ...}`, src/blocks/source.c,
 * docs/logic.md "Release"): a line worked out by hand, the card counted over a set of blocks,
 * the saturated CONWIP line against mean value analysis of the closed Jackson network it is,
 * Little's law on the backlog, the `release.wip` parameter, and the errors of a bad release.
 *
 * Statistical checks have the shape of test_validation.c's (reps.h): R replications, the
 * interval at this file's Bonferroni level (24 checks share a 1% family-wise error), plus the
 * bias allowance of reps.h.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 24.0)
#define MAX_REPS 32

static int verbose;
static uint64_t seed_ = UINT64_C(20261205);
#define SEED seed_

#include "reps.h"
#include "model_text.h"

static struct tsim_model *load(const char *yaml) { return model_must_load(yaml, "rel.yaml"); }

/* The first diagnostic of loading `yaml`, which must fail. */
static void load_error(const char *yaml, char *diag, size_t size)
{
    model_first_error(yaml, "rel.yaml", diag, size);
}

/* One run of `m` until no event is left; its result in `r` (release with tsim_result_release). */
static void run_once(const struct tsim_model *m, struct tsim_result *r)
{
    tsim_result_init(r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) return;
    tsim_sim_run(sim);
    tsim_sim_result(sim, r);
    tsim_sim_destroy(sim);
}

/*
 * The hand case: orders arrive at 1, 2, 3, 4, 5 (interarrival 1, limit 5) and are released into
 * a buffer and a machine of process 3 while fewer than 2 released ones are in them.
 *   t=1 e1 released, starts (ends 4)    t=2 e2 released, waits in q (2 cards out)
 *   t=3 e3 waits in the backlog
 *   t=4 e1 leaves: its card comes back, e3 is released (delay 1), e2 starts (ends 7); e4 waits
 *   t=5 e5 waits                        t=7 e2 leaves: e4 released (delay 3), e3 starts
 *   t=10 e3 leaves: e5 released (delay 5), e4 starts; t=13 e5 starts; t=16 e5 leaves.
 * Lead times from release 3, 5, 6, 6, 6: mean 5.2 (pushed at once they are 3, 5, 7, 9, 11);
 * release delays 0, 0, 1, 3, 5: mean 1.8. Cards out: 1 on [1, 2), 2 on [2, 13), 1 on [13, 16):
 * mean 26/16; backlog 1 on [3, 4), [4, 7) and [5, 10): 9/16.
 */
static void test_hand_line(void)
{
    const char *yaml = "blocks:\n"
                       "  - source: s\n    interarrival: 1\n    limit: 5\n"
                       "    release: {rule: conwip, wip: 2, over: [q, m]}\n    to: q\n"
                       "  - buffer: q\n    to: m\n"
                       "  - machine: m\n    process: 3\n    to: out\n"
                       "  - sink: out\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    int s = tsim_model_find_block(m, "s");
    struct tsim_result r;
    run_once(m, &r);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 5, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 5.2, 1e-12);
    CHECK_NEAR(kpi(&r, s, "release_delay"), 1.8, 1e-12);
    CHECK_NEAR(kpi(&r, s, "wip"), 26.0 / 16.0, 1e-12);
    CHECK_NEAR(kpi(&r, s, "backlog"), 9.0 / 16.0, 1e-12);
    CHECK_NEAR(kpi(&r, s, "left"), 5, 0);
    tsim_result_release(&r);
    /* Pushed, as without a release: the same orders wait in the line instead. */
    CHECK(tsim_model_set_param(m, "s.release.wip", "1000") == 0);
    run_once(m, &r);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 7, 1e-12);
    CHECK_NEAR(kpi(&r, s, "release_delay"), 0, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
}

/*
 * The set of blocks: a card counts only inside `over`. A line of two stations with the release
 * over the first only: the source's `wip` is then exactly the time-average content of q1 and m1
 * together (their areas are kept over the same instants), and at most 2 at any time, while the
 * second station holds what the first let through.
 */
static void test_over_set(void)
{
    const char *yaml = "blocks:\n"
                       "  - source: s\n    interarrival: exponential(0.5)\n"
                       "    release: {rule: conwip, wip: 2, over: [q1, m1]}\n    to: q1\n"
                       "  - buffer: q1\n    to: m1\n"
                       "  - machine: m1\n    process: exponential(0.8)\n    to: q2\n"
                       "  - buffer: q2\n    to: m2\n"
                       "  - machine: m2\n    process: exponential(1)\n    to: out\n"
                       "  - sink: out\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    int s = tsim_model_find_block(m, "s"), q1 = tsim_model_find_block(m, "q1");
    int m1 = tsim_model_find_block(m, "m1"), q2 = tsim_model_find_block(m, "q2");
    struct tsim_sim *sim = tsim_sim_create(m, 3, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, 5000);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        double in_set = kpi(&r, q1, "content") + kpi(&r, m1, "content");
        CHECK_NEAR(kpi(&r, s, "wip"), in_set, 1e-9 * in_set);
        CHECK(kpi(&r, q1, "max_content") <= 1);
        CHECK(kpi(&r, q2, "max_content") > 2); /* the second station is not limited */
        tsim_result_release(&r);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

/*
 * Mean value analysis of a closed network of `k` single-server FCFS exponential stations in
 * series with `n` customers (Reiser and Lavenberg 1980): for j = 1..n, R_i(j) = S_i (1 +
 * L_i(j-1)), X(j) = j / sum R_i(j), L_i(j) = X(j) R_i(j). Throughput into `x`, mean number at
 * each station (queue and server) into `l`.
 */
static void mva(const double *s, int k, int n, double *x, double *l)
{
    for (int i = 0; i < k; i++) l[i] = 0;
    for (int j = 1; j <= n; j++) {
        double r[8], sum = 0;
        for (int i = 0; i < k; i++) sum += r[i] = s[i] * (1 + l[i]);
        *x = j / sum;
        for (int i = 0; i < k; i++) l[i] = *x * r[i];
    }
}

/*
 * A CONWIP line whose backlog never empties is a closed network: a job that leaves the last
 * station gives its card back and the next order enters the first at the same instant. Orders
 * arrive every 0.5 (rate 2, above any station's rate), so after the warm-up the backlog holds
 * hundreds and grows. Stations are a buffer and a one-server machine with exponential times of
 * means `s`. Checked: throughput X(N) and each station's mean content (buffer + machine) against
 * MVA, and the cards out, exactly N. Bias allowance: the network forgets its start within a few
 * cycles of its N jobs; tau = (N + k) max S bounds that time here, and 2 l / (lambda t) covers
 * the jobs cut by the window as in reps.h.
 */
static void check_closed_line(const double *svc, int k, int n)
{
    char yaml[2000], over[200] = "", *y = yaml;
    for (int i = 0; i < k; i++)
        snprintf(over + strlen(over), sizeof over - strlen(over), "%sq%d, m%d", i ? ", " : "", i,
                 i);
    y += sprintf(y, "blocks:\n  - source: s\n    interarrival: 0.5\n"
                    "    release: {rule: conwip, wip: %d, over: [%s]}\n    to: q0\n", n, over);
    for (int i = 0; i < k; i++) {
        y += sprintf(y, "  - buffer: q%d\n    to: m%d\n", i, i);
        y += sprintf(y, "  - machine: m%d\n    process: exponential(%g)\n", i, svc[i]);
        if (i + 1 < k) y += sprintf(y, "    to: q%d\n", i + 1);
        else y += sprintf(y, "    to: out\n");
    }
    sprintf(y, "  - sink: out\n");
    struct tsim_model *m = load(yaml);
    if (!m) return;
    double x, l[8], smax = 0;
    mva(svc, k, n, &x, l);
    for (int i = 0; i < k; i++) smax = svc[i] > smax ? svc[i] : smax;
    double warm = 500, horizon = 10500, tau = (n + k) * smax;
    struct reps r;
    run_reps(&r, m, 12, warm, horizon);
    int s = tsim_model_find_block(m, "s");
    CHECK_KPI(&r, TSIM_KPI_SYSTEM, "throughput", x,
              bias_allowance(x, warm, tau, n, x, horizon - warm));
    for (int i = 0; i < k; i++) {
        char q[16], mc[16];
        snprintf(q, sizeof q, "q%d", i);
        snprintf(mc, sizeof mc, "m%d", i);
        int qb = tsim_model_find_block(m, q), mb = tsim_model_find_block(m, mc);
        double v[MAX_REPS];
        for (int j = 0; j < r.n; j++) v[j] = kpi(&r.r[j], qb, "content") + kpi(&r.r[j], mb, "content");
        char what[64];
        snprintf(what, sizeof what, "station %d of %d, N = %d", i, k, n);
        CHECK_CI(what, v, r.n, l[i], bias_allowance(l[i], warm, tau, n, x, horizon - warm));
    }
    for (int j = 0; j < r.n; j++) CHECK_NEAR(kpi(&r.r[j], s, "wip"), n, 1e-9);
    reps_release(&r);
    tsim_model_destroy(m);
}

static void test_closed_network_mva(void)
{
    const double two[] = {1.0, 0.8}, three[] = {0.6, 1.0, 0.8};
    check_closed_line(two, 2, 1);
    check_closed_line(two, 2, 4);
    check_closed_line(three, 3, 2);
    check_closed_line(three, 3, 6);
}

/*
 * Little's law on the backlog: orders every exponential(1.25) (rate 0.8) into a line of two
 * stations of means 0.5 and 0.6 held to 2 jobs. The backlog is stable since the line's rate with
 * 2 jobs, X(2) = 1.21 by MVA, is above 0.8; its mean then equals the release rate times the
 * release delay over the same window (reps.h's check_little_at: E[d] = 0 in a stationary
 * system). Bias allowance: the backlog's transient, taken as that of an M/M/1 queue served at
 * X(2) under load 0.8 / X(2), with that queue's mean as the size of the figure.
 */
static void test_backlog_little(void)
{
    const char *yaml = "blocks:\n"
                       "  - source: s\n    interarrival: exponential(1.25)\n"
                       "    release: {rule: conwip, wip: 2}\n    to: q1\n"
                       "  - buffer: q1\n    to: m1\n"
                       "  - machine: m1\n    process: exponential(0.5)\n    to: q2\n"
                       "  - buffer: q2\n    to: m2\n"
                       "  - machine: m2\n    process: exponential(0.6)\n    to: out\n"
                       "  - sink: out\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    const double svc[] = {0.5, 0.6};
    double x2, l[2];
    mva(svc, 2, 2, &x2, l);
    int s = tsim_model_find_block(m, "s");
    double warm = 500, horizon = 20500, rho = 0.8 / x2, tau = mm1_tau(rho, x2);
    struct reps r;
    run_reps(&r, m, 12, warm, horizon);
    double lq = rho * rho / (1 - rho); /* order of the backlog's mean, for the allowance */
    CHECK_LITTLE(&r, s, "backlog", "release_delay",
                 bias_allowance(lq, warm, tau, lq + 2, 0.8, horizon - warm));
    reps_release(&r);
    tsim_model_destroy(m);
}

static const char *const line_tail = "  - buffer: q\n    to: m\n"
                                     "  - machine: m\n    process: 1\n    to: out\n"
                                     "  - sink: out\n";

/* Each bad release, its first diagnostic word for word. */
static void check_bad(const char *release, const char *want)
{
    char yaml[1000], diag[2000];
    snprintf(yaml, sizeof yaml, "blocks:\n  - source: s\n    interarrival: 1\n    release: %s\n"
                                "    to: q\n%s",
             release, line_tail);
    load_error(yaml, diag, sizeof diag);
    if (strcmp(diag, want) != 0) {
        fprintf(stderr, "  release %s:\n    got  %s\n    want %s\n", release, diag, want);
        check_failed_ = 1;
    }
}

static void test_bad_release(void)
{
    check_bad("{rule: conwip, wip: 0, over: [q, m]}",
              "rel.yaml:4:34: error: 'wip' must be at least 1, got '0'");
    check_bad("{rule: conwip, wip: -3, over: [q, m]}",
              "rel.yaml:4:34: error: 'wip' must be at least 1, got '-3'");
    check_bad("{rule: conwip, wip: many, over: [q, m]}",
              "rel.yaml:4:34: error: 'wip' must be a whole number, got 'many'");
    check_bad("{rule: conwip, wip: 2.5, over: [q, m]}",
              "rel.yaml:4:34: error: 'wip' must be a whole number, got '2.5'");
    check_bad("{rule: conwip, wip: 3, over: []}",
              "rel.yaml:4:37: error: 'over' of the release of 's' is empty (list the blocks whose "
              "WIP it counts, or leave 'over' out to count the whole system)");
    check_bad("{rule: conwip, wip: 3, over: [q, mm]}",
              "rel.yaml:4:47: error: 'over' names undefined block 'mm' (did you mean 'm'?)");
    check_bad("{rule: conwp, wip: 3}",
              "rel.yaml:4:21: error: unknown release rule 'conwp' (did you mean 'conwip'?)");
    check_bad("{rule: conwip}",
              "rel.yaml:4:5: error: 'release' needs 'wip' (write '{rule: conwip, wip: N, over: "
              "[BLOCK, ...]}')");
    check_bad("{rule: conwip, wip: 3, ovr: [q]}",
              "rel.yaml:4:37: error: unknown key 'ovr' in 'release' (did you mean 'over'?)");
    check_bad("conwip", "rel.yaml:4:14: error: 'release' must be a mapping, not 'conwip'");
    /* The set must hold where the source sends, else every card would come back at once. */
    check_bad("{rule: conwip, wip: 3, over: [m]}",
              "rel.yaml:4:5: error: the release of source 's' counts the WIP of blocks that leave "
              "out 'q', where it sends entities (add it to 'over')");
    /* The parameter path refuses what the file does. */
    struct tsim_model *m = load("blocks:\n  - source: s\n    interarrival: 1\n    to: q\n"
                                "  - buffer: q\n    to: m\n"
                                "  - machine: m\n    process: 1\n    to: out\n  - sink: out\n");
    if (!m) return;
    CHECK(tsim_model_set_param(m, "s.release.wip", "0") == TSIM_ERANGE);
    CHECK(strstr(tsim_errmsg(), "'release.wip' must be at least 1, got '0'") != NULL);
    CHECK(tsim_model_set_param(m, "q.release.wip", "3") != 0);
    tsim_model_destroy(m);
}

/* A release costs its model nothing it does not use, and stays deterministic: the same seed gives
 * the same fingerprint, and a clone taken mid-run ends as the original does. */
static void test_deterministic_clone(void)
{
    const char *yaml = "blocks:\n"
                       "  - source: s\n    interarrival: exponential(0.5)\n"
                       "    release: {rule: conwip, wip: 3, over: [q, m]}\n    to: q\n"
                       "  - buffer: q\n    to: m\n"
                       "  - machine: m\n    process: exponential(0.9)\n    to: out\n"
                       "  - sink: out\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    struct tsim_sim *a = tsim_sim_create(m, 7, 0), *b = tsim_sim_create(m, 7, 0);
    CHECK(a && b);
    if (a && b) {
        tsim_sim_run_until(a, 300);
        struct tsim_sim *c = tsim_sim_clone(a);
        CHECK(c != NULL);
        tsim_sim_run_until(a, 1000);
        tsim_sim_run_until(b, 1000);
        CHECK(tsim_sim_fingerprint(a) == tsim_sim_fingerprint(b));
        if (c) {
            tsim_sim_run_until(c, 1000);
            CHECK(tsim_sim_fingerprint(a) == tsim_sim_fingerprint(c));
            tsim_sim_destroy(c);
        }
    }
    tsim_sim_destroy(a);
    tsim_sim_destroy(b);
    tsim_model_destroy(m);
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    const char *sd = getenv("TSIM_TEST_SEED");
    if (sd && *sd) seed_ = strtoull(sd, NULL, 10);
    RUN(test_hand_line);
    RUN(test_over_set);
    RUN(test_closed_network_mva);
    RUN(test_backlog_little);
    RUN(test_bad_release);
    RUN(test_deterministic_clone);
    return CHECK_DONE();
}
