/*
 * Sinks: the KPIs by product (`products.PRODUCT.lead_time` and `.throughput`, at each sink and for
 * the system, src/blocks/sink.c). Two products of known rates through lines of their own, against
 * M/M/1 and Little's law per product; two products sharing one FIFO machine, against
 * Pollaczek-Khinchine; sums over two sinks; no such KPIs with fewer than two products.
 *
 * Statistical checks have the shape of test_validation.c's (reps.h): R replications, the
 * interval at this file's Bonferroni level (12 checks share a 1% family-wise error), plus the
 * bias allowance of reps.h.
 */
#include "check.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdlib.h>

#define LEVEL (1.0 - 0.01 / 12.0)
#define MAX_REPS 32

static int verbose;
static uint64_t seed_ = UINT64_C(20261205);
#define SEED seed_

#include "reps.h"
#include "model_text.h"

static struct tsim_model *load(const char *yaml) { return model_must_load(yaml, "sink.yaml"); }

/*
 * Orders every exponential(1), 30% of product a and 70% of b (rates 0.3 and 0.7), each product
 * through a line of its own (a buffer and a machine: a at mean 2, load 0.6; b at mean 1, load
 * 0.7) into one sink. Each line is an M/M/1 queue fed by a Poisson stream, so W_a = 2 / 0.4 = 5
 * and W_b = 1 / 0.3 = 3.333; each product's throughput is its rate; and Little's law holds per
 * product between the content of its line and its throughput and lead time at the sink (E[d] = 0
 * as in reps.h's check_little_at). Bias allowance: the slower line's M/M/1 tau.
 */
static void test_two_products_mm1(void)
{
    const char *yaml = "products: [a, b]\n"
                       "blocks:\n"
                       "  - source: s\n    interarrival: exponential(1)\n"
                       "    product: {a: 0.3, b: 0.7}\n    to: {by: product, a: qa, b: qb}\n"
                       "  - buffer: qa\n    to: ma\n"
                       "  - machine: ma\n    process: exponential(2)\n    to: out\n"
                       "  - buffer: qb\n    to: mb\n"
                       "  - machine: mb\n    process: exponential(1)\n    to: out\n"
                       "  - sink: out\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    double warm = 1000, horizon = 41000, tau = mm1_tau(0.7, 1.0), t = horizon - warm;
    struct reps x;
    run_reps(&x, m, 20, warm, horizon);
    int out = tsim_model_find_block(m, "out");
    int qa = tsim_model_find_block(m, "qa"), ma = tsim_model_find_block(m, "ma");
    int qb = tsim_model_find_block(m, "qb"), mb = tsim_model_find_block(m, "mb");
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.a.lead_time", 5.0,
              bias_allowance(5.0, warm, mm1_tau(0.6, 0.5), 1.5, 0.3, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.b.lead_time", 1 / 0.3,
              bias_allowance(1 / 0.3, warm, tau, 2.33, 0.7, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.a.throughput", 0.3, bias_allowance(0.3, warm, tau, 1.5, 0.3, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.b.throughput", 0.7, bias_allowance(0.7, warm, tau, 2.33, 0.7, t));
    /* Little per product: content of its line - its throughput x its lead time at the sink. */
    const int line[2][2] = {{qa, ma}, {qb, mb}};
    const char *const prod[2] = {"a", "b"};
    for (int p = 0; p < 2; p++) {
        char lt[64], th[64], what[64];
        snprintf(lt, sizeof lt, "products.%s.lead_time", prod[p]);
        snprintf(th, sizeof th, "products.%s.throughput", prod[p]);
        double d[MAX_REPS];
        for (int i = 0; i < x.n; i++) {
            const struct tsim_result *r = &x.r[i];
            d[i] = kpi(r, line[p][0], "content") + kpi(r, line[p][1], "content") -
                   kpi(r, out, th) * kpi(r, out, lt);
        }
        snprintf(what, sizeof what, "little(product %s)", prod[p]);
        double l = p == 0 ? 1.5 : 2.33;
        CHECK_CI(what, d, x.n, 0.0, l * exp(-warm / tau));
    }
    /* The sums of the products are the totals. */
    for (int i = 0; i < x.n; i++) {
        const struct tsim_result *r = &x.r[i];
        double ta = kpi(r, out, "products.a.throughput"), tb = kpi(r, out, "products.b.throughput");
        CHECK_NEAR(ta + tb, kpi(r, out, "throughput"), 1e-12);
        double lead = (ta * kpi(r, out, "products.a.lead_time") +
                       tb * kpi(r, out, "products.b.lead_time")) / (ta + tb);
        CHECK_NEAR(lead, kpi(r, TSIM_KPI_SYSTEM, "lead_time"), 1e-9 * lead);
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

/*
 * Two products sharing one FIFO machine: arrivals every exponential(2) (rate 0.5), 40% a
 * (exponential(1)) and 60% b (exponential(0.5)). M/G/1 FIFO: every job waits the same
 * Wq = lambda E[S^2] / (2 (1 - rho)), with E[S] = 0.7, rho = 0.35, E[S^2] = 0.4 * 2 + 0.6 * 0.5
 * = 1.1, so Wq = 0.4231; product a's lead time is Wq + 1 = 1.4231, b's Wq + 0.5 = 0.9231.
 * The products then leave by two sinks (a to out_a, b to out_b), whose sums the system adds.
 */
static void test_shared_machine_pk(void)
{
    const char *yaml = "products: [a, b]\n"
                       "blocks:\n"
                       "  - source: s\n    interarrival: exponential(2)\n"
                       "    product: {a: 0.4, b: 0.6}\n    to: q\n"
                       "  - buffer: q\n    to: m\n"
                       "  - machine: m\n    process: {a: exponential(1), b: exponential(0.5)}\n"
                       "    to: {by: product, a: out_a, b: out_b}\n"
                       "  - sink: out_a\n  - sink: out_b\n";
    struct tsim_model *m = load(yaml);
    if (!m) return;
    double wq = 0.5 * 1.1 / (2 * 0.65), warm = 500, horizon = 40500, t = horizon - warm;
    double tau = mm1_tau(0.35, 1 / 0.7);
    struct reps x;
    run_reps(&x, m, 20, warm, horizon);
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.a.lead_time", wq + 1,
              bias_allowance(wq + 1, warm, tau, 0.6, 0.5, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.b.lead_time", wq + 0.5,
              bias_allowance(wq + 0.5, warm, tau, 0.6, 0.5, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.a.throughput", 0.2, bias_allowance(0.2, warm, tau, 0.6, 0.5, t));
    CHECK_KPI(&x, TSIM_KPI_SYSTEM, "products.b.throughput", 0.3, bias_allowance(0.3, warm, tau, 0.6, 0.5, t));
    int oa = tsim_model_find_block(m, "out_a"), ob = tsim_model_find_block(m, "out_b");
    for (int i = 0; i < x.n; i++) {
        const struct tsim_result *r = &x.r[i];
        /* Each sink sees its own product only; the system's figures are theirs. */
        CHECK_NEAR(kpi(r, oa, "products.b.throughput"), 0, 0);
        CHECK_NEAR(kpi(r, ob, "products.a.throughput"), 0, 0);
        CHECK_NEAR(kpi(r, TSIM_KPI_SYSTEM, "products.a.lead_time"), kpi(r, oa, "lead_time"), 1e-12);
        CHECK_NEAR(kpi(r, TSIM_KPI_SYSTEM, "products.b.throughput"), kpi(r, ob, "throughput"), 1e-12);
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

/* A model of one product, or of none, reports the totals only: its outputs are as they were. */
static void test_no_products_no_kpis(void)
{
    const char *const yamls[2] = {
        "blocks:\n  - source: s\n    interarrival: 1\n    limit: 3\n    to: out\n  - sink: out\n",
        "products: [only]\nblocks:\n  - source: s\n    interarrival: 1\n    limit: 3\n"
        "    to: out\n  - sink: out\n"};
    for (int k = 0; k < 2; k++) {
        struct tsim_model *m = load(yamls[k]);
        if (!m) continue;
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        CHECK(sim != NULL);
        if (sim) {
            tsim_sim_run(sim);
            struct tsim_result r;
            tsim_result_init(&r);
            tsim_sim_result(sim, &r);
            for (size_t i = 0; i < r.n; i++) CHECK(strncmp(r.kpis[i].name, "products.", 9) != 0);
            tsim_result_release(&r);
            tsim_sim_destroy(sim);
        }
        tsim_model_destroy(m);
    }
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    const char *sd = getenv("TSIM_TEST_SEED");
    if (sd && *sd) seed_ = strtoull(sd, NULL, 10);
    RUN(test_two_products_mm1);
    RUN(test_shared_machine_pk);
    RUN(test_no_products_no_kpis);
    return CHECK_DONE();
}
