/*
 * Batcher blocks: when batches start and end, counted on deterministic models where every time is
 * known by hand; the same model built from a file and through tsim_block_set_number; the checks
 * of its keys.
 */
#include "check.h"
#include "model_text.h"
#include "twinsim.h"

/* Arrivals at 1, 2, ..., 10 into a buffer before an oven of size 3, timeout 4, process 2.5:
 *   batch 1: 1, 2, 3 (full at 3), out at 5.5; 4 and 5 wait in the buffer
 *   batch 2: 4, 5 (loaded at 5.5), 6 (full at 6), out at 8.5
 *   batch 3: 7, 8 (loaded at 8.5), 9 (full at 9), out at 11.5
 *   batch 4: 10 (loaded at 11.5), the timeout at 15.5 starts it alone, out at 18
 * Lead times 4.5, 3.5, 2.5 for each full batch and 8 for the last: mean 39.5 / 10 = 3.95. The
 * oven works 4 x 2.5 = 10 of 18; batches hold 10 / 4 = 2.5 on average. */
static const char oven_yaml[] = "name: oven\n"
                                "blocks:\n"
                                "  - source: in\n"
                                "    interarrival: 1\n"
                                "    limit: 10\n"
                                "    to: q\n"
                                "  - buffer: q\n"
                                "    to: oven\n"
                                "  - batcher: oven\n"
                                "    size: 3\n"
                                "    timeout: 4\n"
                                "    process: 2.5\n"
                                "    to: out\n"
                                "  - sink: out\n";

static struct tsim_model *load(const char *text, char *diag, size_t size)
{
    return model_from_text(text, "oven.yaml", diag, size);
}

/* A sim of `m` (seed 1) run to `until` (< 0: until no event is left), its KPIs in `r`; NULL when
 * the model does not validate. */
static struct tsim_sim *run_into(struct tsim_model *m, double until, struct tsim_result *r)
{
    tsim_result_init(r);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    CHECK(sim != NULL);
    if (!sim) return NULL;
    if (until < 0) tsim_sim_run(sim);
    else tsim_sim_run_until(sim, until);
    tsim_sim_result(sim, r);
    return sim;
}

static uint64_t run_oven(struct tsim_model *m, double expect_end)
{
    int oven = tsim_model_find_block(m, "oven");
    CHECK(oven >= 0);
    struct tsim_result r;
    struct tsim_sim *sim = run_into(m, -1, &r);
    if (!sim) return 0;
    CHECK_NEAR(tsim_sim_now(sim), expect_end, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 10, 0);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 3.95, 1e-9);
    CHECK_NEAR(kpi(&r, oven, "entered"), 10, 0);
    CHECK_NEAR(kpi(&r, oven, "left"), 10, 0);
    CHECK_NEAR(kpi(&r, oven, "batches"), 4, 0);
    CHECK_NEAR(kpi(&r, oven, "batch_size"), 2.5, 1e-12);
    CHECK_NEAR(kpi(&r, oven, "utilization"), 10.0 / 18.0, 1e-9);
    CHECK_NEAR(kpi(&r, oven, "throughput"), 10.0 / 18.0, 1e-9);
    uint64_t fp = tsim_sim_fingerprint(sim);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    return fp;
}

static void test_batcher_oven_by_hand(void)
{
    char diag[512] = "";
    struct tsim_model *m = load(oven_yaml, diag, sizeof diag);
    CHECK_STR(diag, "");
    CHECK(m != NULL);
    if (!m) return;
    run_oven(m, 18);
    tsim_model_destroy(m);
}

/* Without a timeout the last entity waits for two more that never come: 9 done, one held. */
static void test_batcher_waits_for_a_full_batch(void)
{
    char text[sizeof oven_yaml], diag[512] = "";
    char *p = strstr(strcpy(text, oven_yaml), "    timeout: 4\n");
    memmove(p, p + 15, strlen(p + 15) + 1);
    struct tsim_model *m = load(text, diag, sizeof diag);
    CHECK_STR(diag, "");
    if (!m) return;
    struct tsim_result r;
    struct tsim_sim *sim = run_into(m, 100, &r);
    int oven = tsim_model_find_block(m, "oven");
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 9, 0);
    CHECK_EQ(tsim_block_content(sim, oven), 1);
    CHECK_NEAR(kpi(&r, oven, "batch_size"), 3, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The same oven through the C API: a type without an enum name, its keys set by name. The run
 * is event for event the one from the file. */
static void test_batcher_through_the_api(void)
{
    char diag[512] = "";
    struct tsim_model *file = load(oven_yaml, diag, sizeof diag);
    CHECK(file != NULL);
    if (!file) return;
    uint64_t fp_file = run_oven(file, 18);
    tsim_model_destroy(file);

    int batcher = tsim_block_type_find("batcher");
    CHECK(batcher >= TSIM_BLOCK_TYPE_COUNT && batcher < tsim_block_type_count());
    CHECK_STR(tsim_block_type_name((enum tsim_block_type)batcher), "batcher");
    struct tsim_model *m = tsim_model_create("oven");
    int in = tsim_model_add_block(m, TSIM_SOURCE, "in");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int oven = tsim_model_add_block(m, (enum tsim_block_type)batcher, "oven");
    int out = tsim_model_add_block(m, TSIM_SINK, "out");
    CHECK_EQ(tsim_block_set_number(m, in, "interarrival", 1), 0);
    CHECK_EQ(tsim_block_set_number(m, in, "limit", 10), 0);
    CHECK_EQ(tsim_route_to(m, in, q), 0);
    CHECK_EQ(tsim_route_to(m, q, oven), 0);
    CHECK_EQ(tsim_route_to(m, oven, out), 0);
    CHECK_EQ(tsim_block_set_number(m, oven, "process", 2.5), 0);
    /* Required keys are checked as the model is validated. */
    CHECK_EQ(tsim_model_validate(m), TSIM_EMODEL);
    CHECK_STR(tsim_errmsg(), "tsim_model_validate: batcher 'oven' has no 'size'");
    CHECK_EQ(tsim_block_set_number(m, oven, "size", 0), TSIM_ERANGE);
    CHECK_EQ(tsim_block_set_number(m, oven, "size", 2.5), TSIM_EINVAL);
    CHECK_EQ(tsim_block_set_number(m, oven, "servers", 2), TSIM_ENOENT);
    CHECK_EQ(tsim_block_set_number(m, oven, "size", 3), 0);
    struct tsim_dist four;
    double x = 4;
    tsim_dist_init(&four, TSIM_DIST_CONSTANT, &x, 1);
    CHECK_EQ(tsim_block_set_dist(m, oven, "timeout", &four), 0);
    tsim_dist_release(&four);
    CHECK_EQ(tsim_model_validate(m), 0);
    CHECK_EQ(run_oven(m, 18), fp_file);
    /* --set reaches it too. With process 0.5 no entity waits for the oven: batches 1-3, 4-6 and
     * 7-9 leave at 3.5, 6.5 and 9.5, entity 10 starts alone at its timeout, 14, and leaves at
     * 14.5; lead times 2.5, 1.5, 0.5 three times and 4.5: mean 1.8. */
    CHECK_EQ(tsim_model_set_param(m, "oven.process", "0.5"), 0);
    CHECK_EQ(tsim_model_set_param(m, "oven.size", "0"), TSIM_ERANGE);
    CHECK_EQ(tsim_model_set_param(m, "oven.sise", "3"), TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: oven.sise: unknown parameter 'sise' of batcher "
                             "'oven' (did you mean 'size'?)");
    struct tsim_result r;
    struct tsim_sim *sim = run_into(m, -1, &r);
    CHECK_NEAR(tsim_sim_now(sim), 14.5, 1e-9);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "lead_time"), 1.8, 1e-9);
    CHECK_NEAR(kpi(&r, oven, "batches"), 4, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_batcher_oven_by_hand);
    RUN(test_batcher_waits_for_a_full_batch);
    RUN(test_batcher_through_the_api);
    return CHECK_DONE();
}
