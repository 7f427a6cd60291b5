/*
 * A small production line built through the C API: arrivals, a buffer of 10, a machine that
 * fails now and then, a second buffer and machine, and a sink. Runs 10 replications of 8 hours
 * and prints the main KPIs with 95% confidence intervals.
 *
 *   make build/examples/line && build/examples/line
 */
#include "twinsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tsim_dist dist(enum tsim_dist_kind kind, double a, double b, double c)
{
    double p[3] = {a, b, c};
    int n = kind == TSIM_DIST_EXPONENTIAL || kind == TSIM_DIST_CONSTANT ? 1
            : kind == TSIM_DIST_TRIANGULAR                              ? 3
                                                                        : 2;
    struct tsim_dist d;
    if (tsim_dist_init(&d, kind, p, n) != 0) {
        fprintf(stderr, "line: %s\n", tsim_errmsg());
        exit(1);
    }
    return d;
}

static int add(struct tsim_model *m, enum tsim_block_type type, const char *name)
{
    int b = tsim_model_add_block(m, type, name);
    if (b < 0) {
        fprintf(stderr, "line: %s\n", tsim_errmsg());
        exit(1);
    }
    return b;
}

int main(void)
{
    struct tsim_model *m = tsim_model_create("small-line");
    tsim_model_set_time_unit(m, "min");
    int src = add(m, TSIM_SOURCE, "arrivals");
    int b1 = add(m, TSIM_BUFFER, "b1");
    int cut = add(m, TSIM_MACHINE, "cutter");
    int b2 = add(m, TSIM_BUFFER, "b2");
    int pack = add(m, TSIM_MACHINE, "packer");
    int done = add(m, TSIM_SINK, "done");

    struct tsim_dist ia = dist(TSIM_DIST_EXPONENTIAL, 1.0, 0, 0);
    struct tsim_dist cut_t = dist(TSIM_DIST_TRIANGULAR, 0.6, 0.75, 1.0);
    struct tsim_dist pack_t = dist(TSIM_DIST_UNIFORM, 0.5, 0.9, 0);
    struct tsim_dist up = dist(TSIM_DIST_EXPONENTIAL, 120, 0, 0);
    struct tsim_dist repair = dist(TSIM_DIST_LOGNORMAL, 8, 3, 0);
    tsim_source_set_interarrival(m, src, &ia);
    tsim_buffer_set_capacity(m, b1, 10);
    tsim_machine_set_process(m, cut, -1, &cut_t);
    tsim_machine_set_failures(m, cut, &up, &repair);
    tsim_buffer_set_capacity(m, b2, 5);
    tsim_machine_set_process(m, pack, -1, &pack_t);
    tsim_route_to(m, src, b1);
    tsim_route_to(m, b1, cut);
    tsim_route_to(m, cut, b2);
    tsim_route_to(m, b2, pack);
    tsim_route_to(m, pack, done);

    enum { REPS = 10 };
    struct tsim_result res[REPS];
    struct tsim_run_opts o = {.seed = 42, .replications = REPS, .horizon = 480, .warmup = 60,
                              .threads = 1};
    if (tsim_run_replications(m, &o, res) != 0) {
        fprintf(stderr, "line: %s\n", tsim_errmsg());
        return 1;
    }
    struct tsim_summary *s = calloc(res[0].n, sizeof *s);
    tsim_results_summarize(res, REPS, s);
    printf("%-10s %-16s %12s %10s\n", "block", "kpi", "mean", "+/- 95%");
    for (size_t i = 0; i < res[0].n; i++) {
        const struct tsim_kpi *k = &res[0].kpis[i];
        const char *block = k->block == TSIM_KPI_SYSTEM ? "system" : tsim_model_block_name(m, k->block);
        static const char *const shown[] = {"throughput", "utilization", "wait", "lead_time",
                                            "wip", "states.down", "states.blocked"};
        for (size_t j = 0; j < sizeof shown / sizeof shown[0]; j++)
            if (strcmp(k->name, shown[j]) == 0)
                printf("%-10s %-16s %12.4f %10.4f\n", block, k->name, s[i].mean, s[i].half_width);
    }
    for (int r = 0; r < REPS; r++) tsim_result_release(&res[r]);
    free(s);
    tsim_dist_release(&repair);
    tsim_model_destroy(m);
    return 0;
}
