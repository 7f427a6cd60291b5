/*
 * Buffer traces for the report: replication 0 of a scenario run once more with an observer
 * that records every buffer's content over time. Only the report reads them; they are not part
 * of the experiment's results.
 *
 * A trace is a step function of time, and it is kept as one while it fits: every change, up to
 * TRACE_CAP of them. A longer one becomes TRACE_CAP equal intervals of time, each with the
 * lowest and highest content it saw and its time-weighted mean, so that what the report draws
 * keeps every level the buffer took and its mean over any stretch (keeping every k-th change
 * instead, as before, showed a buffer that went 0, 1, 0, 1 as a flat line at 1). Intervals
 * double in length (pairs merge) when the run outlasts them, so a trace of any length stays
 * TRACE_CAP intervals and spans the whole run.
 *
 * Invariants, in interval mode: interval k covers [t0 + k w, t0 + (k + 1) w); area[k] is the
 * integral of the content over the part of it that has passed; lo[k] and hi[k] bound the content
 * over that part (and at its start).
 */
#include "run/exp_store.h"
#include "run/trace.h"

#include "blocks/sim.h"
#include "core/core.h"

#include <math.h>
#include <string.h>

#define TRACE_CAP 512

struct series {
    int binned;
    size_t n;
    /* exact: the change times and the content from each on; up to TRACE_CAP changes, and
     * room for the run's end after them */
    double t[TRACE_CAP + 1], v[TRACE_CAP + 1];
    /* binned */
    double t0, w;
    double area[TRACE_CAP], lo[TRACE_CAP], hi[TRACE_CAP];
    double last_t, last_v; /* the content since last_t */
};

struct tracer {
    int *slot; /* per block: series index or -1 */
    struct series *s;
};

static void widen(struct series *s, size_t k, double v)
{
    if (v < s->lo[k]) s->lo[k] = v;
    if (v > s->hi[k]) s->hi[k] = v;
}

/* Make the intervals twice as long: pairs merge into the first half. */
static void merge_pairs(struct series *s)
{
    size_t m = (s->n + 1) / 2;
    for (size_t k = 0; k < m; k++) {
        size_t a = 2 * k, b = 2 * k + 1;
        s->area[k] = s->area[a];
        s->lo[k] = s->lo[a];
        s->hi[k] = s->hi[a];
        if (b < s->n) {
            s->area[k] += s->area[b];
            if (s->lo[b] < s->lo[k]) s->lo[k] = s->lo[b];
            if (s->hi[b] > s->hi[k]) s->hi[k] = s->hi[b];
        }
    }
    s->n = m;
    s->w *= 2;
}

/* The interval holding time `a`: by the division, then past any end that rounding put at or
 * before `a`, so that the interval's end lies after it. */
static size_t slot_of(const struct series *s, double a)
{
    size_t k = (size_t)floor((a - s->t0) / s->w);
    while (s->t0 + (double)(k + 1) * s->w <= a) k++;
    return k;
}

/* The content held `last_v` from `last_t` to `t`: its area goes to every interval it covers. */
static void hold_until(struct series *s, double t)
{
    double a = s->last_t, v = s->last_v;
    while (a < t) {
        size_t k = slot_of(s, a);
        while (k >= TRACE_CAP) {
            merge_pairs(s);
            k = slot_of(s, a);
        }
        while (s->n <= k) {
            s->area[s->n] = 0;
            s->lo[s->n] = s->hi[s->n] = v;
            s->n++;
        }
        double end = s->t0 + (double)(k + 1) * s->w;
        double b = t < end ? t : end;
        s->area[k] += v * (b - a);
        widen(s, k, v);
        a = b;
    }
    s->last_t = t;
}

/* From exact steps to intervals: the span so far cut into TRACE_CAP / 2, the steps replayed. */
static void to_bins(struct series *s, double now)
{
    double t[TRACE_CAP], v[TRACE_CAP];
    size_t n = s->n;
    memcpy(t, s->t, n * sizeof *t);
    memcpy(v, s->v, n * sizeof *v);
    s->binned = 1;
    s->t0 = t[0];
    s->w = (now - t[0]) / (TRACE_CAP / 2);
    if (!(s->w > 0)) s->w = 1;
    s->n = 0;
    s->last_t = t[0];
    s->last_v = v[0];
    for (size_t i = 1; i < n; i++) {
        hold_until(s, t[i]);
        s->last_v = v[i];
    }
}

/* The content becomes `v` at time `t`. */
static void record(struct series *s, double t, double v)
{
    if (!s->binned) {
        if (s->n > 0 && s->t[s->n - 1] == t) {
            s->v[s->n - 1] = v; /* the last change at one instant is the level from then on */
            return;
        }
        if (s->n < TRACE_CAP) {
            s->t[s->n] = t;
            s->v[s->n] = v;
            s->n++;
            return;
        }
        to_bins(s, t);
    }
    hold_until(s, t);
    s->last_v = v;
    size_t k = slot_of(s, t);
    if (k < s->n) widen(s, k, v);
}

static void trace_obs(void *ctx, const struct tsim_obs *o)
{
    struct tracer *tr = ctx;
    if (o->kind == TSIM_OBS_STATE || o->block < 0 || tr->slot[o->block] < 0) return;
    record(&tr->s[tr->slot[o->block]], o->t, (double)o->content);
}

/* Store series `se` of `block`, which ends at `end` with content `last`. */
static void store(struct tsim__xrun *x, size_t s, int block, struct series *se, double end,
                  double last)
{
    if (!se->binned) {
        /* The end as a last point, so the final level is drawn to the end: there is room for
         * it even after TRACE_CAP changes. */
        if (se->n == 0 || se->t[se->n - 1] < end) {
            se->t[se->n] = end;
            se->v[se->n] = last;
            se->n++;
        }
        tsim__xdb_put_trace(x, s, block, se->t, se->v, NULL, NULL, se->n);
        return;
    }
    hold_until(se, end);
    /* n intervals have n + 1 edges, the last the run's end. */
    double t[TRACE_CAP + 1], mean[TRACE_CAP];
    for (size_t k = 0; k < se->n; k++) {
        t[k] = se->t0 + (double)k * se->w;
        double span = (k + 1 == se->n ? end : t[k] + se->w) - t[k];
        mean[k] = span > 0 ? se->area[k] / span : se->lo[k];
    }
    t[se->n] = end;
    tsim__xdb_put_trace(x, s, block, t, mean, se->lo, se->hi, se->n);
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
    struct tsim_sim *sim = tsim_sim_create(m, x->scen[s].seed, 0);
    int stopped = 0;
    if (sim) {
        tsim__sim_watch(sim, &tsim__x_stop);
        /* A buffer's content at time 0, before any change. */
        for (int b = 0; b < nb; b++)
            if (tr.slot[b] >= 0) record(&tr.s[tr.slot[b]], 0, (double)tsim_block_content(sim, b));
        tsim_sim_set_observer(sim, trace_obs, &tr);
        if (x->warmup > 0) tsim_sim_set_warmup(sim, x->warmup);
        if (x->horizon > 0) tsim_sim_run_until(sim, x->horizon);
        else tsim_sim_run(sim);
        double end = tsim_sim_now(sim);
        stopped = tsim_sim_interrupted(sim);
        for (int b = 0; b < nb && !stopped; b++) {
            if (tr.slot[b] < 0) continue;
            store(x, s, b, &tr.s[tr.slot[b]], end, (double)tsim_block_content(sim, b));
        }
        tsim_sim_destroy(sim);
    }
    tsim__free(tr.s);
    tsim__free(tr.slot);
    return stopped;
}

/* Sample replication 0 of scenario s every x->trace_every (`--trace T`) into the database, as
 * `twinsim run --trace` samples a run: the same observer, the same tables but for the scenario
 * key. 0, or 1 if the run was stopped (nothing is stored then). */
static int record_samples(struct tsim__xrun *x, size_t s)
{
    const struct tsim_model *m = x->scen[s].model;
    struct tsim_sim *sim = tsim_sim_create(m, x->scen[s].seed, 0);
    if (!sim) return 0;
    tsim__sim_watch(sim, &tsim__x_stop);
    struct tsim__trace *tr = tsim__trace_start(sim, m, x->trace_every);
    if (x->warmup > 0) tsim_sim_set_warmup(sim, x->warmup);
    if (x->horizon > 0) tsim_sim_run_until(sim, x->horizon);
    else tsim_sim_run(sim);
    tsim__trace_finish(tr, sim);
    int stopped = tsim_sim_interrupted(sim);
    if (!stopped) tsim__xdb_put_samples(x, s, tr);
    tsim__trace_destroy(tr);
    tsim_sim_destroy(sim);
    return stopped;
}

int tsim__xrun_traces(struct tsim__xrun *x)
{
    if (!x->db || (!x->opts.trace && !(x->trace_every > 0))) return 0;
    /* One trace per scenario for the first 40 and the best: enough for the report's picker
     * and the experiment's page, and bounded whatever the design size. */
    int stopped = 0;
    for (size_t s = 0; s < x->nscen && !stopped; s++) {
        if (s >= 40 && (long)s != x->best) continue;
        if (x->opts.trace) stopped = record_trace(x, s);
        if (!stopped && x->trace_every > 0) stopped = record_samples(x, s);
    }
    tsim__xdb_flush(x);
    return stopped;
}
