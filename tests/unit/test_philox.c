/*
 * Philox streams (src/core/philox.h, src/blocks/streams.c): the generator against Random123's
 * known answers, the stream mapping, the engine's own log and exp against libm, the distributions
 * drawn from Philox against their moments, and the CPU engine with `rng: philox` as the reference
 * a GPU must reproduce: replication k the same whatever the order or threads, streams of blocks
 * and purposes apart by their counters, M/M/1 waits as queueing theory has them.
 *
 * Statistical checks follow test_validation.c: fixed seed, tolerance from a confidence interval.
 */
#include "check.h"
#include "twinsim.h"

#include "blocks/sim.h"
#include "core/philox.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>

#define DEFAULT_SEED UINT64_C(20261204)
#define LEVEL (1.0 - 0.01 / 20.0)
#define MAX_REPS 32

static int verbose;
static uint64_t seed_ = DEFAULT_SEED;
#define SEED seed_

#include "reps.h"

/* ---------------------------------------------------------------------------------------------
 * The generator
 * ------------------------------------------------------------------------------------------- */

/* Philox4x32-10's known-answer vectors as Random123 publishes them (tests/kat_vectors of its
 * distribution): counter words, key words, output words. */
static void test_philox_known_answers(void)
{
    static const uint32_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        tsim__philox4x32_10(kat[i], kat[i] + 4, out);
        for (int w = 0; w < 4; w++) CHECK_EQ(out[w], kat[i][6 + w]);
    }
}

/* A stream's n-th draw is the pure function tsim__px_at(seed, rep, block, purpose, n): the one
 * definition the GPU computes. And the mapping is the documented one: draw 2i and 2i + 1 are the
 * halves of the Philox block at counter (i, purpose << 16, block, rep), key (seed). */
static void test_stream_mapping(void)
{
    const uint64_t seeds[] = {0, 1, UINT64_C(0xfedcba9876543210)};
    const uint32_t reps[] = {0, 7, UINT32_MAX};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (uint32_t purpose = 0; purpose < 4; purpose++) {
                uint64_t s[4];
                tsim__px_init(s, seeds[a], reps[b], 0x9e3779b9u * (purpose + 1), purpose);
                for (uint64_t n = 0; n < 300; n++) {
                    uint64_t x = tsim__px_next(s);
                    CHECK(x == tsim__px_at(seeds[a], reps[b], 0x9e3779b9u * (purpose + 1),
                                           purpose, n));
                }
            }
    uint32_t ctr[4] = {5, 3u << 16, 77, 9}, key[2] = {(uint32_t)42, 0}, x[4];
    tsim__philox4x32_10(ctr, key, x);
    CHECK(tsim__px_at(42, 9, 77, 3, 10) == ((uint64_t)x[0] | (uint64_t)x[1] << 32));
    CHECK(tsim__px_at(42, 9, 77, 3, 11) == ((uint64_t)x[2] | (uint64_t)x[3] << 32));
}

/* Streams of different blocks, purposes and replications never share a counter (their counter
 * words 1 to 3 differ), so none of their draws can coincide except by chance of the bits: the
 * first 4,096 draws of 24 streams (3 blocks x 4 purposes x 2 replications) hold no 64-bit value
 * twice (a chance repeat among 98,304 values has probability 2.6e-10). A stream that runs past
 * its 2^48 draws starts itself again and stays within its counters. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_streams_apart(void)
{
    enum { N = 4096, STREAMS = 24 };
    uint64_t *all = malloc(sizeof *all * N * STREAMS);
    size_t k = 0;
    for (uint32_t block = 0; block < 3; block++)
        for (uint32_t purpose = 0; purpose < 4; purpose++)
            for (uint32_t rep = 0; rep < 2; rep++) {
                uint64_t s[4];
                tsim__px_init(s, 5, rep, block, purpose);
                for (int n = 0; n < N; n++) all[k++] = tsim__px_next(s);
            }
    qsort(all, k, sizeof *all, cmp_u64);
    size_t repeats = 0;
    for (size_t i = 1; i < k; i++) repeats += all[i] == all[i - 1];
    CHECK_EQ(repeats, 0);
    free(all);

    uint64_t s[4];
    tsim__px_init(s, 5, 1, 2, 3);
    s[2] = (s[2] & ~TSIM__PX_NMASK) | (TSIM__PX_NMASK - 1); /* draw 2^48 - 2 is next */
    CHECK(tsim__px_next(s) == tsim__px_at(5, 1, 2, 3, TSIM__PX_NMASK - 1));
    CHECK(tsim__px_next(s) == tsim__px_at(5, 1, 2, 3, TSIM__PX_NMASK));
    CHECK(tsim__px_next(s) == tsim__px_at(5, 1, 2, 3, 0));
    CHECK((s[2] >> 48) == 3);
}

/* ---------------------------------------------------------------------------------------------
 * The engine's own log and exp
 * ------------------------------------------------------------------------------------------- */

/* Relative error against libm's (itself within an ulp): at most 4.5e-16, about 2 units in the
 * last place, over 200,000 points spread over the whole range, subnormals and the sub-ranges
 * the reductions cut included; exact where the answer is exact. */
static void test_plog_pexp(void)
{
    CHECK(tsim__plog(1.0) == 0.0);
    CHECK(tsim__pexp(0.0) == 1.0);
    CHECK(isinf(tsim__plog(0.0)) && tsim__plog(0.0) < 0);
    CHECK(isnan(tsim__plog(-1.0)));
    CHECK(isinf(tsim__pexp(710.0)) && tsim__pexp(-746.0) == 0.0);
    CHECK(tsim__pexp(-740.0) > 0.0); /* subnormal results are kept */
    double worst_log = 0, worst_exp = 0;
    uint64_t s[4];
    tsim__px_init(s, 3, 0, 0, 0);
    for (int i = 0; i < 200000; i++) {
        double u = tsim__px_uniform(s);
        /* log over 2^-1074 .. 2^1024 by a uniform exponent, and densely around 1 */
        double x = i % 2 ? ldexp(1.0 + u, (int)(tsim__px_next(s) % 2098) - 1075)
                         : 0.5 + 1.5 * u;
        if (x > 0 && isfinite(x)) {
            double e = fabs(tsim__plog(x) - log(x)) / fmax(fabs(log(x)), DBL_MIN);
            if (log(x) == 0) e = fabs(tsim__plog(x));
            if (e > worst_log) worst_log = e;
        }
        double y = i % 2 ? -745.0 + 1454.0 * u : -1.0 + 2.0 * u;
        double r = exp(y);
        if (r > DBL_MIN) {
            double e = fabs(tsim__pexp(y) - r) / r;
            if (e > worst_exp) worst_exp = e;
        }
    }
    if (verbose) printf("  worst relative error: log %.3g, exp %.3g\n", worst_log, worst_exp);
    CHECK(worst_log <= 4.5e-16);
    CHECK(worst_exp <= 4.5e-16);
}

/* ---------------------------------------------------------------------------------------------
 * Distributions drawn from Philox
 * ------------------------------------------------------------------------------------------- */

/* The mean of 200,000 draws of every kind within z = 4.06 standard errors (from the theoretical
 * variance; two-sided 5e-5 each, under 0.1% for the 13 kinds together) of the theoretical
 * mean, through the engine's own call
 * (tsim__philox_sample). Each kind's draw is also a function of its stream only: the same stream
 * again gives the same draws. */
static void test_dist_moments(void)
{
    struct tsim_dist d[13];
    const double p3[] = {1, 2, 4};
    CHECK(tsim_dist_init(&d[0], TSIM_DIST_UNIFORM, (const double[]){2, 5}, 2) == 0);
    CHECK(tsim_dist_init(&d[1], TSIM_DIST_TRIANGULAR, p3, 3) == 0);
    CHECK(tsim_dist_init(&d[2], TSIM_DIST_EXPONENTIAL, (const double[]){3}, 1) == 0);
    CHECK(tsim_dist_init(&d[3], TSIM_DIST_NORMAL, (const double[]){10, 2}, 2) == 0);
    CHECK(tsim_dist_init(&d[4], TSIM_DIST_LOGNORMAL, (const double[]){10, 4}, 2) == 0);
    CHECK(tsim_dist_init(&d[5], TSIM_DIST_GAMMA, (const double[]){2.5, 2}, 2) == 0);
    CHECK(tsim_dist_init(&d[6], TSIM_DIST_GAMMA, (const double[]){0.4, 2}, 2) == 0);
    CHECK(tsim_dist_init(&d[7], TSIM_DIST_ERLANG, (const double[]){3, 6}, 2) == 0);
    CHECK(tsim_dist_init(&d[8], TSIM_DIST_ERLANG, (const double[]){40, 6}, 2) == 0);
    CHECK(tsim_dist_init(&d[9], TSIM_DIST_WEIBULL, (const double[]){1.5, 3}, 2) == 0);
    CHECK(tsim_dist_init(&d[10], TSIM_DIST_BETA, (const double[]){0.5, 2, 1, 3}, 4) == 0);
    CHECK(tsim_dist_init(&d[11], TSIM_DIST_PERT, p3, 3) == 0);
    CHECK(tsim_dist_init_table(&d[12], TSIM_DIST_DISCRETE, (const double[]){1, 2, 7},
                               (const double[]){0.2, 0.5, 0.3}, 3) == 0);
    const int n = 200000;
    const double z = 4.06;
    for (int k = 0; k < 13; k++) {
        struct tsim_rng r, again;
        tsim__px_init(r.s, SEED, 0, (uint32_t)k, 0);
        again = r;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += tsim__philox_sample(&d[k], &r);
        double mean = sum / n, theory = tsim_dist_mean(&d[k]);
        double tol = z * sqrt(tsim_dist_variance(&d[k]) / n);
        if (verbose || !(fabs(mean - theory) <= tol))
            printf("  %s: mean %.6g, theory %.6g, tolerance %.3g\n",
                   tsim_dist_kind_name(d[k].kind), mean, theory, tol);
        CHECK(fabs(mean - theory) <= tol);
        for (int i = 0; i < 100; i++) {
            double a = tsim__philox_sample(&d[k], &again);
            CHECK(a == a); /* not NaN */
        }
        tsim_dist_release(&d[k]);
    }
}

/* ---------------------------------------------------------------------------------------------
 * The CPU engine with rng: philox
 * ------------------------------------------------------------------------------------------- */

static struct tsim_model *bottling(enum tsim_rng_kind kind, struct tsim_run_spec *run)
{
    struct tsim_diags dg;
    tsim_diags_init(&dg);
    struct tsim_model *m = tsim_model_load_file("examples/bottling-line.yaml", run, &dg);
    CHECK(m != NULL);
    if (!m) tsim_diags_print(&dg, "examples/bottling-line.yaml", stderr);
    tsim_diags_release(&dg);
    if (m) CHECK(tsim_model_set_rng(m, kind) == 0);
    return m;
}

static uint64_t fingerprint_of(const struct tsim_model *m, uint64_t seed, uint64_t rep,
                               double horizon)
{
    struct tsim_sim *sim = tsim_sim_create(m, seed, rep);
    CHECK(sim != NULL);
    if (!sim) return 0;
    tsim_sim_run_until(sim, horizon);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    uint64_t fp = r.fingerprint;
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    return fp;
}

/* Replication k of the bottling line (every purpose drawn: product mix, failures, scrap,
 * routing) gives one fingerprint whether it runs alone, in a fresh sim in reverse order, after
 * other replications in one reset sim, or among others on 1 or 4 threads. */
static void test_replication_reproducible(void)
{
    enum { R = 6 };
    struct tsim_run_spec run;
    struct tsim_model *m = bottling(TSIM_RNG_PHILOX, &run);
    if (!m) return;
    const double horizon = 480;
    uint64_t alone[R];
    for (int k = R - 1; k >= 0; k--) alone[k] = fingerprint_of(m, 11, (uint64_t)k, horizon);
    for (int k = 1; k < R; k++) CHECK(alone[k] != alone[0]);

    struct tsim_sim *sim = tsim_sim_create(m, 11, 3);
    for (int k = 0; k < R; k++) {
        tsim_sim_reset(sim, 11, (uint64_t)k);
        tsim_sim_run_until(sim, horizon);
        struct tsim_result r;
        tsim_result_init(&r);
        tsim_sim_result(sim, &r);
        CHECK(r.fingerprint == alone[k]);
        tsim_result_release(&r);
    }
    tsim_sim_destroy(sim);

    for (int threads = 1; threads <= 4; threads += 3) {
        struct tsim_result out[R];
        struct tsim_run_opts o = {.seed = 11, .replications = R - 2, .first_replication = 2,
                                  .horizon = horizon, .threads = threads};
        CHECK(tsim_run_replications(m, &o, out) == 0);
        for (int i = 0; i < R - 2; i++) {
            CHECK(out[i].fingerprint == alone[2 + i]);
            tsim_result_release(&out[i]);
        }
    }
    /* The option has an effect: the default generator gives another run. */
    struct tsim_model *x = bottling(TSIM_RNG_XOSHIRO, &run);
    if (x) CHECK(fingerprint_of(x, 11, 0, horizon) != alone[0]);
    tsim_model_destroy(x);
    tsim_model_destroy(m);
}

/* Block ids come from names: a block keeps its id (and so its draws) when another block is
 * added before it, and the ids within a sim are distinct, also for two names of equal hash. */
static void test_block_ids(void)
{
    struct tsim_model *a = tsim_model_create("a"), *b = tsim_model_create("b");
    const char *names[] = {"filler", "capper", "done"};
    add_block(b, TSIM_SINK, "extra");
    for (int i = 0; i < 3; i++) {
        add_block(a, TSIM_SINK, names[i]);
        add_block(b, TSIM_SINK, names[i]);
    }
    CHECK(tsim_model_set_rng(a, TSIM_RNG_PHILOX) == 0);
    CHECK(tsim_model_set_rng(b, TSIM_RNG_PHILOX) == 0);
    CHECK(tsim_model_set_rng(a, (enum tsim_rng_kind)7) == TSIM_EINVAL);
    CHECK(tsim_model_rng(a) == TSIM_RNG_PHILOX);
    struct tsim_sim *sa = tsim_sim_create(a, 1, 0), *sb = tsim_sim_create(b, 1, 0);
    CHECK(sa && sb);
    if (sa && sb)
        for (uint32_t i = 0; i < 3; i++) {
            uint32_t id = tsim__philox_block_id(sa, i);
            CHECK(id == tsim__philox_name_id(names[i]));
            CHECK(id == tsim__philox_block_id(sb, i + 1));
            CHECK(tsim__hdr(sa, i)->rng[TSIM__RNG_FAIL].s[1] == id); /* rep 0 above it */
        }
    tsim_sim_destroy(sa);
    tsim_sim_destroy(sb);
    tsim_model_destroy(a);
    tsim_model_destroy(b);

    /* Two names of equal hash (found by hashing n0 .. n1999999): the later block takes the
     * next id, the earlier keeps its own. */
    char name[32];
    uint32_t first = 559368, second = 1082632;
    struct tsim_model *m = tsim_model_create("many");
    snprintf(name, sizeof name, "n%u", first);
    add_block(m, TSIM_SINK, name);
    uint32_t hash = tsim__philox_name_id(name);
    snprintf(name, sizeof name, "n%u", second);
    add_block(m, TSIM_SINK, name);
    CHECK(tsim__philox_name_id(name) == hash);
    for (int i = 0; i < 2998; i++) {
        snprintf(name, sizeof name, "b%d", i);
        add_block(m, TSIM_SINK, name);
    }
    tsim_model_set_rng(m, TSIM_RNG_PHILOX);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (sim) {
        uint64_t ids[3000];
        for (uint32_t i = 0; i < 3000; i++) ids[i] = tsim__hdr(sim, i)->rng[0].s[1] & 0xffffffffu;
        CHECK(ids[0] == hash && ids[1] == hash + 1);
        qsort(ids, 3000, sizeof *ids, cmp_u64);
        for (int i = 1; i < 3000; i++) CHECK(ids[i] != ids[i - 1]);
    }
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* `run: {rng: ...}` in a model file; a wrong value is an error at its place. */
static void test_model_file(void)
{
    const char *ok = "run: {rng: philox}\nblocks:\n  - source: s\n    interarrival: 1\n"
                     "    to: k\n  - sink: k\n";
    struct tsim_diags dg;
    tsim_diags_init(&dg);
    struct tsim_model *m = tsim_model_load(ok, strlen(ok), "t.yaml", NULL, &dg);
    CHECK(m != NULL && tsim_model_rng(m) == TSIM_RNG_PHILOX);
    tsim_model_destroy(m);
    tsim_diags_release(&dg);
    const char *bad = "run: {rng: mersenne}\nblocks:\n  - source: s\n    interarrival: 1\n"
                      "    to: k\n  - sink: k\n";
    tsim_diags_init(&dg);
    CHECK(tsim_model_load(bad, strlen(bad), "t.yaml", NULL, &dg) == NULL);
    CHECK(dg.n == 1);
    if (dg.n == 1) {
        CHECK_STR(dg.items[0].message, "'rng' must be 'xoshiro' or 'philox', got 'mersenne'");
        CHECK(dg.items[0].line == 1 && dg.items[0].col == 12);
    }
    tsim_diags_release(&dg);
    CHECK_STR(tsim_rng_kind_name(TSIM_RNG_PHILOX), "philox");
    CHECK_STR(tsim_rng_kind_name(TSIM_RNG_XOSHIRO), "xoshiro");
}

/* M/M/1 with Philox draws: Wq, W and utilization within their intervals (test_validation.c's
 * method and bias allowance) at rho 0.5 and 0.9. */
static void check_mm1(double lambda, double warmup, double window)
{
    double mu = 1.0, rho = lambda / mu, tau = mm1_tau(rho, mu);
    double wq = rho / (mu - lambda), w = 1.0 / (mu - lambda), l = lambda * w;
    struct tsim_model *m = tsim_model_create("mm1");
    int src = add_source(m, "arrivals", expo(1.0 / lambda));
    int mc = add_station(m, "server", 1, expo(1.0 / mu));
    int sink = add_block(m, TSIM_SINK, "done");
    CHECK(tsim_route_to(m, src, mc - 1) == 0);
    CHECK(tsim_route_to(m, mc, sink) == 0);
    CHECK(tsim_model_set_rng(m, TSIM_RNG_PHILOX) == 0);
    struct reps x;
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    CHECK_KPI(&x, mc - 1, "wait", wq, bias_allowance(wq, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "lead_time", w,
              bias_allowance(w, warmup, tau, l, lambda, window));
    CHECK_KPI(&x, mc, "utilization", rho, bias_allowance(rho, warmup, tau, l, lambda, window));
    reps_release(&x);
    tsim_model_destroy(m);
}

static void test_mm1_philox(void)
{
    check_mm1(0.5, 200.0, 20000.0);
    check_mm1(0.9, 4000.0, 100000.0);
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    const char *s = getenv("TSIM_TEST_SEED");
    if (s && *s) seed_ = strtoull(s, NULL, 10);
    RUN(test_philox_known_answers);
    RUN(test_stream_mapping);
    RUN(test_streams_apart);
    RUN(test_plog_pexp);
    RUN(test_dist_moments);
    RUN(test_replication_reproducible);
    RUN(test_block_ids);
    RUN(test_model_file);
    RUN(test_mm1_philox);
    return CHECK_DONE();
}
