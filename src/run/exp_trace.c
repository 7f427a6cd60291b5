/*
 * Buffer traces for the report: replication 0 of a scenario run once more with an observer
 * that records every buffer's content over time, decimated to a fixed number of points. Only
 * the report reads them; they are not part of the experiment's results.
 */
#include "run/experiment.h"

#include "blocks/sim.h"
#include "core/core.h"

#include <string.h>

#define TRACE_CAP 512

struct series {
    double t[TRACE_CAP], v[TRACE_CAP];
    size_t n, stride, seen;
};

struct tracer {
    int *slot; /* per block: series index or -1 */
    struct series *s;
};

static void trace_obs(void *ctx, const struct tsim_obs *o)
{
    struct tracer *tr = ctx;
    if (o->kind == TSIM_OBS_STATE || o->block < 0 || tr->slot[o->block] < 0) return;
    struct series *s = &tr->s[tr->slot[o->block]];
    /* Decimate when full: keep every other point and from then on only every stride-th change,
     * so a trace of any length stays TRACE_CAP points and spans the whole run. */
    if (s->seen++ % s->stride) return;
    if (s->n == TRACE_CAP) {
        for (size_t i = 0; i < TRACE_CAP / 2; i++) {
            s->t[i] = s->t[2 * i];
            s->v[i] = s->v[2 * i];
        }
        s->n = TRACE_CAP / 2;
        s->stride *= 2;
    }
    s->t[s->n] = o->t;
    s->v[s->n] = (double)o->content;
    s->n++;
}

/* Record the content of every buffer over replication 0 of scenario s, into the database.
 * 0, or 1 if the run was stopped (nothing is stored then). */
static int record_trace(struct tsim__xrun *x, size_t s)
{
    const struct tsim_model *m = x->scen[s].model;
    int nb = tsim_model_block_count(m), ns = 0;
    struct tracer tr;
    tr.slot = tsim__malloc((size_t)(nb + 1) * sizeof *tr.slot);
    for (int b = 0; b < nb; b++)
        tr.slot[b] = tsim_model_block_type(m, b) == TSIM_BUFFER ? ns++ : -1;
    if (ns == 0) {
        tsim__free(tr.slot);
        return 0;
    }
    tr.s = tsim__calloc((size_t)ns, sizeof *tr.s);
    for (int i = 0; i < ns; i++) tr.s[i].stride = 1;
    struct tsim_sim *sim = tsim_sim_create(m, x->scen[s].seed, 0);
    int stopped = 0;
    if (sim) {
        tsim__sim_watch(sim, &tsim__x_stop);
        tsim_sim_set_observer(sim, trace_obs, &tr);
        if (x->warmup > 0) tsim_sim_set_warmup(sim, x->warmup);
        if (x->horizon > 0) tsim_sim_run_until(sim, x->horizon);
        else tsim_sim_run(sim);
        double end = tsim_sim_now(sim);
        stopped = tsim_sim_interrupted(sim);
        for (int b = 0; b < nb && !stopped; b++) {
            if (tr.slot[b] < 0) continue;
            struct series *se = &tr.s[tr.slot[b]];
            if (se->n < TRACE_CAP) {
                se->t[se->n] = end;
                se->v[se->n] = (double)tsim_block_content(sim, b);
                se->n++;
            }
            tsim__xdb_put_trace(x, s, b, se->t, se->v, se->n);
        }
        tsim_sim_destroy(sim);
    }
    tsim__free(tr.s);
    tsim__free(tr.slot);
    return stopped;
}

int tsim__xrun_traces(struct tsim__xrun *x)
{
    if (!x->db || !x->opts.trace) return 0;
    /* One trace per scenario for the first 40 and the best: enough for the report's picker,
     * and bounded whatever the design size. */
    int stopped = 0;
    for (size_t s = 0; s < x->nscen && !stopped; s++)
        if (s < 40 || (long)s == x->best) stopped = record_trace(x, s);
    tsim__xdb_flush(x);
    return stopped;
}

