/*
 * A storage block's products: its KPIs by product (`by_product: true`): products.P.stock
 * (time-weighted stock on hand), products.P.put_aways, products.P.retrievals and
 * products.P.dwell; a run computed by hand, the key's absence and a one-product model (no
 * names), and, with tolerances that are confidence intervals over replications plus a derived
 * bias allowance (as in test_storage.c), Little's law on each product: stock_P = put-away
 * rate_P x dwell_P. And requests for several products in one crane's queue (as a picking block's
 * lines ask, tsim__storage_request), computed by hand: one that waits for stock keeps its place
 * and does not hold the ones behind it.
 * Set TSIM_TEST_VERBOSE=1 to print every figure with its interval.
 */
#include "check.h"
#include "twinsim.h"
#include "blocks/storage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL (1.0 - 0.01 / 6.0) /* Bonferroni over the file's 6 interval checks */
#define MAX_REPS 20
#define SEED UINT64_C(20261206)
static int verbose;

#include "reps.h"
#include "model_text.h"

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "rack.yaml", diag, size);
}

/* test_storage.c's rack of 2 x 1 slots by hand, its two loads now of products a then b (a
 * source each, at 10 and at 20), with a third load of a at 70:
 *   a: stored in slot 0 at 11.5, picked by the request of 30 at 31 (dwell 19.5);
 *   b: stored in slot 1 at 22.5, picked by the request of 60 at 62 (dwell 39.5);
 *   a: at 70 + 0.5 pick-up + 0.5 travel + 0.5 drop, stored in slot 0 at 71.5, in stock at 100
 *   (the request of 90 takes it: picked at 91, dwell 19.5).
 * At 100: a's stock area 19.5 + 19.5 = 39 -> 0.39, b's 39.5 -> 0.395, together the block's
 * 0.785; a 2 put-aways, 2 retrievals, dwell 19.5; b 1, 1, 39.5. */
static const char two_yaml[] = "name: rack\n"
                               "products: [a, b]\n"
                               "blocks:\n"
                               "  - source: in_a\n"
                               "    interarrival: 10\n"
                               "    limit: 1\n"
                               "    product: a\n"
                               "    to: rack\n"
                               "  - source: in_b\n"
                               "    interarrival: 20\n"
                               "    limit: 1\n"
                               "    product: b\n"
                               "    to: rack\n"
                               "  - source: late_a\n"
                               "    interarrival: 70\n"
                               "    limit: 1\n"
                               "    product: a\n"
                               "    to: rack\n"
                               "  - storage: rack\n"
                               "    bays: 2\n"
                               "    levels: 1\n"
                               "    bay_width: 1\n"
                               "    level_height: 1\n"
                               "    speed_x: 1\n"
                               "    speed_y: 1\n"
                               "    pick_time: 0.5\n"
                               "    drop_time: 0.5\n"
                               "    put_away: closest\n"
                               "    demand: 30\n"
                               "    stockout: drop\n"
                               "%s"
                               "    to: out\n"
                               "  - sink: out\n";

/* The model of two_yaml with `extra` keys, run to `until`, its result in `r` (which borrows
 * KPI names from it: the caller destroys the model after the result); NULL if it fails. */
static struct tsim_model *run_two(const char *extra, double until, struct tsim_result *r)
{
    char yaml[2048], diag[512] = "";
    snprintf(yaml, sizeof yaml, two_yaml, extra);
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return NULL;
    }
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    tsim_sim_run_until(sim, until);
    tsim_sim_result(sim, r);
    tsim_sim_destroy(sim);
    return m;
}

static void test_product_by_hand(void)
{
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_model *m = run_two("    by_product: true\n", 100, &r);
    if (!m) return;
    int rack = tsim_model_find_block(m, "rack");
    CHECK_NEAR(kpi(&r, rack, "stock"), 0.785, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.a.stock"), 0.39, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.b.stock"), 0.395, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.a.put_aways"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "products.b.put_aways"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "products.a.retrievals"), 2, 0);
    CHECK_NEAR(kpi(&r, rack, "products.b.retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, rack, "products.a.dwell"), 19.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.b.dwell"), 39.5, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "dwell"), (19.5 + 39.5 + 19.5) / 3, 1e-9);
    tsim_result_release(&r);
    tsim_model_destroy(m);
    /* at 80, a's second load is in stock since 71.5: its area 19.5 + 8.5 */
    tsim_result_init(&r);
    m = run_two("    by_product: true\n", 80, &r);
    CHECK_NEAR(kpi(&r, rack, "products.a.stock"), 28.0 / 80, 1e-9);
    CHECK_NEAR(kpi(&r, rack, "products.a.retrievals"), 1, 0);
    tsim_result_release(&r);
    tsim_model_destroy(m);
    /* without the key (or `false`) no KPI by product, the others the same */
    const char *off[] = {"    by_product: false\n", ""};
    for (int i = 0; i < 2; i++) {
        tsim_result_init(&r);
        m = run_two(off[i], 100, &r);
        CHECK(tsim_result_find(&r, rack, "products.a.stock") == NULL);
        CHECK(tsim_result_find(&r, rack, "products.b.dwell") == NULL);
        CHECK_NEAR(kpi(&r, rack, "stock"), 0.785, 1e-9);
        tsim_result_release(&r);
        tsim_model_destroy(m);
    }
}

/* A model of one product has no KPIs by product (as a sink's): the block's own are its. */
static void test_product_one(void)
{
    char diag[512] = "";
    struct tsim_model *m = load("name: rack\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 10\n"
                                "    limit: 2\n"
                                "    to: rack\n"
                                "  - storage: rack\n"
                                "    bays: 2\n"
                                "    levels: 1\n"
                                "    by_product: true\n"
                                "    to: out\n"
                                "  - sink: out\n",
                                diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    struct tsim_result r;
    tsim_result_init(&r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 100);
    tsim_sim_result(sim, &r);
    int rack = tsim_model_find_block(m, "rack");
    CHECK_NEAR(kpi(&r, rack, "put_aways"), 2, 0);
    for (size_t i = 0; i < r.n; i++)
        CHECK(r.kpis[i].block != rack || strncmp(r.kpis[i].name, "products.", 9) != 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* Bad values of the key, at its line and column. */
static void test_product_bad_key(void)
{
    char yaml[2048], diag[512] = "";
    snprintf(yaml, sizeof yaml, two_yaml, "    by_product: yes please\n");
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m == NULL);
    CHECK(strstr(diag, "rack.yaml:31:17: error: unknown value 'yes please'") != NULL);
    if (verbose || !strstr(diag, "rack.yaml:31:17:")) fprintf(stderr, "%s", diag);
    tsim_model_destroy(m);
}

/* Loads of products a (share 0.7) and b (0.3) come at rate lambda = 0.5, requests for any
 * product at mu = 1, FIFO retrieval, lost sales, a crane in no time: the loads in stock are an
 * M/M/1 queue (mean L = rho / (1 - rho)), each load's product drawn apart from its place in the
 * queue, so product P's stock is share_P L and its dwell the FIFO sojourn W = 1 / (mu - lambda)
 * whatever its product. Over 20 replications: the stock of each against share_P L, and Little's
 * law on each product and replication, stock_P - (put_aways_P / window) dwell_P = 0 (the interval
 * plus the transient left after the warm-up, as in test_storage.c). On each replication the
 * products' stocks, put-aways and retrievals add up to the block's. */
static void test_product_little(void)
{
    const double lambda = 0.5, mu = 1.0, rho = lambda / mu;
    const double share[2] = {0.7, 0.3};
    const char *name[2] = {"a", "b"};
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: rack\n"
             "products: [a, b]\n"
             "blocks:\n"
             "  - source: in\n"
             "    interarrival: exponential(%.17g)\n"
             "    product: {a: 0.7, b: 0.3}\n"
             "    to: rack\n"
             "  - storage: rack\n"
             "    bays: 100\n"
             "    levels: 10\n"
             "    demand: exponential(%.17g)\n"
             "    stockout: drop\n"
             "    by_product: true\n"
             "    to: out\n"
             "  - sink: out\n",
             1 / lambda, 1 / mu);
    char diag[512] = "";
    struct tsim_model *m = load(yaml, diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    int rack = tsim_model_find_block(m, "rack");
    struct reps x;
    double warmup = 200, window = 20000, tau = mm1_tau(rho, mu);
    double l = rho / (1 - rho);
    run_reps(&x, m, 20, warmup, warmup + window);
    CHECK(x.n == 20);
    for (int i = 0; i < x.n; i++) {
        double stock = 0, put = 0, ret = 0;
        for (int p = 0; p < 2; p++) {
            char k[64];
            snprintf(k, sizeof k, "products.%s.stock", name[p]);
            stock += kpi(&x.r[i], rack, k);
            snprintf(k, sizeof k, "products.%s.put_aways", name[p]);
            put += kpi(&x.r[i], rack, k);
            snprintf(k, sizeof k, "products.%s.retrievals", name[p]);
            ret += kpi(&x.r[i], rack, k);
        }
        CHECK_NEAR(stock, kpi(&x.r[i], rack, "stock"), 1e-9 * (1 + stock));
        CHECK_NEAR(put, kpi(&x.r[i], rack, "put_aways"), 0);
        CHECK_NEAR(ret, kpi(&x.r[i], rack, "retrievals"), 0);
    }
    for (int p = 0; p < 2; p++) {
        char ks[64], kp[64], kd[64], what[96];
        snprintf(ks, sizeof ks, "products.%s.stock", name[p]);
        snprintf(kp, sizeof kp, "products.%s.put_aways", name[p]);
        snprintf(kd, sizeof kd, "products.%s.dwell", name[p]);
        double lp = share[p] * l;
        CHECK_KPI(&x, rack, ks, lp, bias_allowance(lp, warmup, tau, l, lambda, window));
        CHECK_KPI(&x, rack, kd, 1 / (mu - lambda),
                  bias_allowance(1 / (mu - lambda), warmup, tau, l, share[p] * lambda, window));
        double d[MAX_REPS];
        for (int i = 0; i < x.n; i++)
            d[i] = kpi(&x.r[i], rack, ks) -
                   kpi(&x.r[i], rack, kp) / window * kpi(&x.r[i], rack, kd);
        snprintf(what, sizeof what, "little(%s - put-away rate * dwell)", ks);
        CHECK_CI(what, d, x.n, 0.0, lp * exp(-warmup / tau));
    }
    reps_release(&x);
    tsim_model_destroy(m);
}

/* Rack of 3 x 1 slots, 1 wide, speed 1, pick-up and drop 0.5, closest free slot, FIFO
 * retrieval, single-command cycles, `stockout: wait`; requests asked through
 * tsim__storage_request (no event told), loads leave to a sink:
 *   0: a request for a, none in stock: a stock-out; it waits.
 *   2: load b1: 0.5 pick-up, 0.5 travel, 0.5 drop, stored in slot 0 at 3.5, the crane back at 4.
 *   4: load b2: into slot 1 (travel 1.5): stored at 6.5, back at 8.
 *   5: a request for b: b1 is in stock, it waits for the crane behind a's.
 *   8: the crane serves b's request (a's still finds nothing, and keeps its place): travel 0.5,
 *      picks b1 at 9 (dwell 5.5), back 0.5, drops it at 10 (b waited 3).
 *  12: load a1: stored in slot 0 at 13.5, back at 14.
 *  13: a request b' for b (b2 in stock): it waits behind a's.
 *  14: a's request goes first: picks a1 at 15 (dwell 1.5), drops it at 16 (a waited 14).
 *  16: b': travel 1.5, picks b2 at 18 (dwell 11.5), drops it at 20 (waited 3).
 * At 9.5 one retrieval (of b); at 16.2 two, one of each product (had b' gone before a, b2 would
 * have been picked at 16); at 25: 3 retrievals, waits (3 + 14 + 3) / 3, dwells
 * (5.5 + 1.5 + 11.5) / 3, crane busy 2 + 4 + 2 + 2 + 2 + 4 = 16 of 25, travel per cycle
 * (1 + 3 + 1 + 1 + 1 + 3) / 6. With the old rule (a waiting request held the queue) nothing
 * would have been retrieved before 14. */
static void test_product_waiting_request_steps_aside(void)
{
    char diag[1024] = "";
    struct tsim_model *m = load("name: rack\n"
                                "products: [a, b]\n"
                                "blocks:\n"
                                "  - source: in_b\n"
                                "    interarrival: 2\n"
                                "    limit: 2\n"
                                "    product: b\n"
                                "    to: rack\n"
                                "  - source: in_a\n"
                                "    interarrival: 12\n"
                                "    limit: 1\n"
                                "    product: a\n"
                                "    to: rack\n"
                                "  - storage: rack\n"
                                "    bays: 3\n"
                                "    levels: 1\n"
                                "    speed_x: 1\n"
                                "    speed_y: 1\n"
                                "    pick_time: 0.5\n"
                                "    drop_time: 0.5\n"
                                "    put_away: closest\n"
                                "    cycle: single\n"
                                "    by_product: true\n"
                                "    to: out\n"
                                "  - sink: out\n",
                                diag, sizeof diag);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s", diag);
        return;
    }
    uint32_t rack = (uint32_t)tsim_model_find_block(m, "rack");
    int a = tsim_model_find_product(m, "a"), b = tsim_model_find_product(m, "b");
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) {
        tsim_model_destroy(m);
        return;
    }
    struct tsim_result r;
    CHECK(tsim__storage_request(sim, rack, a, UINT32_MAX, 0, 0) == 0);
    tsim_sim_run_until(sim, 5);
    CHECK(tsim__storage_request(sim, rack, b, UINT32_MAX, 0, 0) == 0);
    tsim_sim_run_until(sim, 9.5);
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, (int)rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "products.b.retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "products.b.dwell"), 5.5, 1e-9);
    tsim_result_release(&r);
    tsim_sim_run_until(sim, 13);
    CHECK(tsim__storage_request(sim, rack, b, UINT32_MAX, 0, 0) == 0);
    tsim_sim_run_until(sim, 16.2);
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, (int)rack, "products.a.retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "products.b.retrievals"), 1, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "products.a.dwell"), 1.5, 1e-9);
    tsim_result_release(&r);
    tsim_sim_run_until(sim, 25);
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, (int)rack, "stockouts"), 1, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "put_aways"), 3, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "retrievals"), 3, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "retrieval_wait"), 20.0 / 3, 1e-9);
    CHECK_NEAR(kpi(&r, (int)rack, "dwell"), 18.5 / 3, 1e-9);
    CHECK_NEAR(kpi(&r, (int)rack, "products.b.dwell"), (5.5 + 11.5) / 2, 1e-9);
    CHECK_NEAR(kpi(&r, (int)rack, "crane_utilization"), 16.0 / 25, 1e-9);
    CHECK_NEAR(kpi(&r, (int)rack, "cycles_single"), 6, 0);
    CHECK_NEAR(kpi(&r, (int)rack, "travel_single"), 10.0 / 6, 1e-12);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 3, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    const char *v = getenv("TSIM_TEST_VERBOSE");
    verbose = v && *v && strcmp(v, "0") != 0;
    RUN(test_product_by_hand);
    RUN(test_product_one);
    RUN(test_product_bad_key);
    RUN(test_product_little);
    RUN(test_product_waiting_request_steps_aside);
    return CHECK_DONE();
}
