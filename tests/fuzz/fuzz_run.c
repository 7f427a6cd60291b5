/*
 * libFuzzer target that runs what loads: any bytes given to tsim_model_load that make a model are
 * run for a bounded stretch, and the run must end (by itself, at the bound, or stopped by one of
 * the limits of a run with its message), within the time and memory scripts/fuzz.sh sets, and
 * keep these invariants, checked as it goes and at the end:
 * - the clock never goes back, and no content wraps below zero;
 * - per buffer, delay, machine and sink: entered = left + content now (scrap leaves a machine,
 *   a drop never enters);
 * - per machine and assembly: the state shares sum to 1, utilization lies in [0, 1];
 * - every KPI finite and none negative;
 * - a run stopped by a limit has a message and no numbers.
 * A violation aborts, and libFuzzer keeps the input. Build and run with scripts/fuzz.sh.
 */
#include "twinsim.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds of one input's run: observations (each entry, exit, state change or drop), model time,
 * entities and events at one instant. Small, so that each input runs in milliseconds. */
#define MAX_OBS 50000
#define MAX_TIME 1e5
#define MAX_ENTITIES 20000
#define MAX_INSTANT 100000

struct watch {
    struct tsim_sim *sim;
    const struct tsim_model *m;
    uint64_t n;
    double t;
};

static void fail(const char *what, double a, double b)
{
    fprintf(stderr, "fuzz_run: invariant broken: %s (%.17g, %.17g)\n", what, a, b);
    abort();
}

static void observe(void *ctx, const struct tsim_obs *o)
{
    struct watch *w = ctx;
    if (o->t < w->t) fail("the clock went back", o->t, w->t);
    w->t = o->t;
    if (o->content > (UINT64_C(1) << 62)) fail("content wrapped below 0", (double)o->content, 0);
    if (o->kind == TSIM_OBS_STATE) {
        const char *type = tsim_block_type_name(tsim_model_block_type(w->m, o->block));
        int fleet = strcmp(type, "fleet") == 0;
        int count = fleet ? TSIM_VEHICLE_STATE_COUNT : TSIM_STATE_COUNT;
        if (o->state < 0 || o->state >= count) fail("unknown state", o->state, o->block);
    }
    if (++w->n == MAX_OBS) tsim_sim_stop(w->sim);
}

static double kpi(const struct tsim_result *r, int block, const char *name, int *found)
{
    const struct tsim_kpi *k = tsim_result_find(r, block, name);
    *found = k != NULL;
    return k ? k->value : 0;
}

static void check_result(const struct tsim_model *m, struct tsim_sim *sim,
                         const struct tsim_result *r)
{
    static const char *const states[] = {"states.busy",  "states.idle",      "states.blocked",
                                         "states.down",  "states.setup",     "states.off_shift",
                                         "states.waiting"};
    for (size_t i = 0; i < r->n; i++)
        if (!isfinite(r->kpis[i].value) || r->kpis[i].value < 0)
            fail(r->kpis[i].name, r->kpis[i].value, (double)r->kpis[i].block);
    int nb = tsim_model_block_count(m), f;
    for (int b = 0; b < nb; b++) {
        enum tsim_block_type t = tsim_model_block_type(m, b);
        /* A source's entities enter the system, not the source; an assembly takes parts and
         * gives one entity, a split takes one and gives several: no count to balance. Scrap
         * leaves a machine (it is in `left`); a drop never enters (it is in neither). */
        if (t == TSIM_SOURCE || t == TSIM_ASSEMBLY || t == TSIM_SPLIT) continue;
        double entered = kpi(r, b, "entered", &f);
        double left = t == TSIM_SINK ? entered : kpi(r, b, "left", &f);
        double content = (double)tsim_block_content(sim, b);
        if (entered != left + content) {
            fprintf(stderr, "fuzz_run: block %d '%s': entered %.17g, left %.17g, content %.17g\n",
                    b, tsim_model_block_name(m, b), entered, left, content);
            fail("entered != left + content", entered, left + content);
        }
        if (t == TSIM_MACHINE) {
            double sum = 0;
            for (size_t s = 0; s < sizeof states / sizeof states[0]; s++)
                sum += kpi(r, b, states[s], &f);
            if (fabs(sum - 1) > 1e-9 && r->end_time > r->start_time)
                fail("state shares do not sum to 1", sum, b);
            double u = kpi(r, b, "utilization", &f);
            if (u > 1 + 1e-9) fail("utilization above 1", u, b);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_diags d;
    struct tsim_run_spec spec;
    tsim_diags_init(&d);
    struct tsim_model *m =
        tsim_model_load((const char *)data, size, "/nonexistent-fuzz-dir/model.yaml", &spec, &d);
    tsim_diags_release(&d);
    if (!m) return 0;
    tsim_model_set_max_entities(m, MAX_ENTITIES);
    tsim_model_set_max_instant_events(m, MAX_INSTANT);
    struct tsim_sim *sim = tsim_sim_create(m, spec.seed, 0);
    if (!sim) {
        tsim_model_destroy(m);
        return 0;
    }
    struct watch w = {sim, m, 0, 0};
    tsim_sim_set_observer(sim, observe, &w);
    double horizon = spec.horizon > 0 && spec.horizon < MAX_TIME ? spec.horizon : MAX_TIME;
    if (horizon > tsim_model_max_time(m)) horizon = tsim_model_max_time(m);
    if (spec.warmup > 0 && spec.warmup < horizon) tsim_sim_set_warmup(sim, spec.warmup);
    tsim_sim_run_until(sim, horizon);
    if (tsim_sim_now(sim) > horizon) fail("the run passed its end", tsim_sim_now(sim), horizon);
    int rc = tsim_sim_status(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    if (rc != 0) {
        const char *msg = tsim_sim_error(sim);
        if (!msg || !msg[0]) fail("a stopped run without a message", rc, 0);
        if (r.n != 0) fail("a stopped run with numbers", (double)r.n, 0);
    } else if (spec.warmup <= 0) {
        /* Counts balance from time 0; a warm-up restarts them with entities already inside. */
        check_result(m, sim, &r);
    }
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return 0;
}
