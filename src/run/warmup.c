/*
 * Automatic warm-up (`--warmup auto`, `run: {warmup: auto}`) by MSER-5 (White 1997; Franklin and
 * White 2008), the truncation rule that does best in the published comparisons of warm-up rules.
 *
 * Method:
 *   1. Run pilot replications: the first min(replications, TSIM__WARMUP_PILOTS) replications of
 *      the run itself (same seed and indices, so the pilots are no extra random streams), with no
 *      warm-up, to the horizon.
 *   2. Cut the horizon into TSIM__WARMUP_SLICES equal slices and, at the end of each slice
 *      (tsim_sim_run_until), record the system's work in process: the entities held by every
 *      block except sinks. A factory model starts empty and idle, and WIP is the quantity that
 *      carries that initial bias longest; throughput recovers as soon as the first part is out.
 *   3. Average the series across the pilots slice by slice (this damps the noise that makes
 *      MSER on a single run truncate too late) and apply tsim_mser5 to the mean series.
 *   4. The warm-up is the number of deleted observations times the slice length.
 *
 * Limits, accepted on purpose: MSER-5 searches only the first half of the series, so the warm-up
 * is at most half the horizon; a model that never reaches steady state (a rising WIP) gets a
 * warm-up that means little, as with any truncation rule. The pilots cost up to ten extra
 * replications; the resolution of the answer is horizon / 200.
 */
#include "core/core.h"
#include "run/replicate.h"

struct pilot {
    const struct tsim_model *m;
    double horizon;
    double *series; /* pilots x TSIM__WARMUP_SLICES, row per pilot */
};

/* Entities in the system now. Sinks are left out: what entered a sink has left the system. */
static double wip(const struct tsim_sim *sim, const struct tsim_model *m)
{
    double w = 0;
    int nb = tsim_model_block_count(m);
    for (int b = 0; b < nb; b++) {
        if (tsim_model_block_type(m, b) == TSIM_SINK) continue;
        w += (double)tsim_block_content(sim, b);
    }
    return w;
}

static int record_pilot(void *ctx, struct tsim_sim *sim, uint64_t replication, size_t i)
{
    struct pilot *p = ctx;
    (void)replication;
    double *row = p->series + i * TSIM__WARMUP_SLICES;
    for (int k = 0; k < TSIM__WARMUP_SLICES; k++) {
        /* Multiply, not accumulate, so that the last slice ends exactly at the horizon. */
        double t = p->horizon * (double)(k + 1) / TSIM__WARMUP_SLICES;
        tsim_sim_run_until(sim, t);
        row[k] = wip(sim, p->m);
    }
    /* A pilot stopped by an error (a loop at one instant) says so rather than give a series. */
    int rc = tsim_sim_status(sim);
    return rc < 0 ? rc : 0;
}

int tsim__warmup_auto(const struct tsim_model *m, const struct tsim_run_opts *o,
                      const atomic_int *interrupt, double *warmup)
{
    TSIM__ASSERT(m && o && warmup, "model, options and output are required");
    *warmup = 0;
    if (!(o->horizon > 0))
        return tsim__fail(TSIM_EINVAL, __func__, "an automatic warm-up needs a horizon");
    if (o->replications < 1 || o->first_replication < 0)
        return tsim__fail(TSIM_EINVAL, __func__, "replications must be at least 1");

    size_t pilots = (size_t)o->replications;
    if (pilots > TSIM__WARMUP_PILOTS) pilots = TSIM__WARMUP_PILOTS;
    struct pilot p = {.m = m, .horizon = o->horizon};
    p.series = tsim__calloc(pilots * TSIM__WARMUP_SLICES, sizeof *p.series);
    int rc = tsim__replicate(m, o->seed, (uint64_t)o->first_replication, pilots, o->threads,
                             interrupt, record_pilot, &p);
    if (rc == 0) {
        double mean[TSIM__WARMUP_SLICES];
        for (int k = 0; k < TSIM__WARMUP_SLICES; k++) {
            double s = 0;
            for (size_t i = 0; i < pilots; i++) s += p.series[i * TSIM__WARMUP_SLICES + k];
            mean[k] = s / (double)pilots;
        }
        size_t d = tsim_mser5(mean, TSIM__WARMUP_SLICES);
        *warmup = o->horizon * (double)d / TSIM__WARMUP_SLICES;
    }
    tsim__free(p.series);
    return rc;
}
