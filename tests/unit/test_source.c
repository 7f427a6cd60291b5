/*
 * Sources: when arrivals come, counted on deterministic models where every arrival time is known.
 */
#include "check.h"
#include "model_text.h"
#include "twinsim.h"

static struct tsim_dist constant(double x)
{
    struct tsim_dist d;
    tsim_dist_init(&d, TSIM_DIST_CONSTANT, &x, 1);
    return d;
}

/* A population that blocks its source holds back the arrivals too: the first interarrival time
 * starts when the last of the population has left (docs/semantics.md, source). Population 3 into
 * a machine of process 1, arrivals every 10: the population leaves at 0, 1 and 2, arrivals come
 * at 12, 22, ..., 92 and are done by 93, so 12 parts by t = 100. An arrival kept from time 0 made
 * a second stream from t = 10 on (21 parts). */
static void test_population_blocks_arrivals(void)
{
    struct tsim_model *m = tsim_model_create("pop");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "s");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "k");
    int o = tsim_model_add_block(m, TSIM_SINK, "o");
    struct tsim_dist ten = constant(10), one = constant(1);
    CHECK(tsim_source_set_population(m, s, 3) == 0);
    CHECK(tsim_source_set_interarrival(m, s, &ten) == 0);
    CHECK(tsim_machine_set_process(m, k, -1, &one) == 0);
    CHECK(tsim_route_to(m, s, k) == 0);
    CHECK(tsim_route_to(m, k, o) == 0);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 100);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 12, 0);
    CHECK_NEAR(kpi(&r, s, "created"), 12, 0);
    CHECK_NEAR(kpi(&r, s, "blocked_time"), 0.02, 1e-12);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* A population that does not block leaves the first arrival where it was: one interarrival time
 * after time 0 (docs/model-format.md, source). */
static void test_population_free_arrivals(void)
{
    struct tsim_model *m = tsim_model_create("pop");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "s");
    int q = tsim_model_add_block(m, TSIM_BUFFER, "q");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "k");
    int o = tsim_model_add_block(m, TSIM_SINK, "o");
    struct tsim_dist ten = constant(10), one = constant(1);
    CHECK(tsim_source_set_population(m, s, 3) == 0);
    CHECK(tsim_source_set_interarrival(m, s, &ten) == 0);
    CHECK(tsim_machine_set_process(m, k, -1, &one) == 0);
    CHECK(tsim_route_to(m, s, q) == 0);
    CHECK(tsim_route_to(m, q, k) == 0);
    CHECK(tsim_route_to(m, k, o) == 0);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    tsim_sim_run_until(sim, 100);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    /* 3 at time 0, then arrivals at 10, 20, ..., 90 done by 91; the one at 100 is not. */
    CHECK_NEAR(kpi(&r, TSIM_KPI_SYSTEM, "completed"), 12, 0);
    CHECK_NEAR(kpi(&r, s, "created"), 13, 0);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
}

/* The setters of a whole number refuse a value out of range, or a block of another type, with
 * its code and message, and take the edges of the range. */
static void test_setter_ranges(void)
{
    struct tsim_model *m = tsim_model_create("ranges");
    int s = tsim_model_add_block(m, TSIM_SOURCE, "s");
    int k = tsim_model_add_block(m, TSIM_MACHINE, "k");
    CHECK_EQ(tsim_source_set_batch(m, s, 0), TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_source_set_batch: batch of 's' must be >= 1");
    CHECK_EQ(tsim_source_set_population(m, s, -1), TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_source_set_population: population of 's' must be >= 0");
    CHECK_EQ(tsim_source_set_batch(m, s, 1), 0);
    CHECK_EQ(tsim_source_set_population(m, s, 0), 0);
    CHECK_EQ(tsim_source_set_batch(m, k, 2), TSIM_EINVAL);
    CHECK_STR(tsim_errmsg(), "tsim_source_set_batch: machine 'k' has no parameter 'batch'");
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_setter_ranges);
    RUN(test_population_blocks_arrivals);
    RUN(test_population_free_arrivals);
    return CHECK_DONE();
}
