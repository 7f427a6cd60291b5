/*
 * Comparing an experiment's scenarios and deciding how many replications each still needs:
 * the best feasible scenario with paired (common random numbers) or Welch intervals for its
 * differences from the others, and the sequential rounds that run each scenario until its
 * confidence intervals are as narrow as asked. Reads only the tracked values folded by
 * experiment.c, in replication order (summed up by tsim__xrun_track, xrun.c).
 */
#include "run/experiment.h"

#include "core/core.h"
#include "results/results.h"

#include <math.h>
#include <stdlib.h>

static double summ_t(double level, uint64_t n)
{
    return n >= 2 ? tsim_t_quantile(0.5 + level / 2, (double)(n - 1)) : NAN;
}

/* ---- comparison ------------------------------------------------------------------------ */

long tsim__xrun_compare(struct tsim__xrun *x, const size_t *among, size_t n)
{
    if (!among) n = x->nscen;
    tsim__free(x->same_as_best);
    tsim__free(x->cmp_mean);
    tsim__free(x->cmp_hw);
    x->same_as_best = tsim__calloc(x->nscen + 1, sizeof *x->same_as_best);
    x->cmp_mean = tsim__calloc(x->nscen + 1, sizeof *x->cmp_mean);
    x->cmp_hw = tsim__calloc(x->nscen + 1, sizeof *x->cmp_hw);
    for (size_t s = 0; s < x->nscen; s++) x->cmp_mean[s] = x->cmp_hw[s] = NAN;
    x->best = -1;
    x->nfeasible = 0;
    if (!x->spec->has_objective) return -1;
    double sign = x->spec->maximize ? 1 : -1, bestv = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        size_t s = among ? among[i] : i;
        if (x->scen[s].n < 1 || !tsim__xrun_feasible(x, s)) continue;
        x->nfeasible++;
        struct tsim_summary sm;
        tsim__xrun_objective(x, s, &sm);
        if (sign * sm.mean > bestv) {
            bestv = sign * sm.mean;
            x->best = (long)s;
        }
    }
    if (x->best < 0) return -1;
    /* Bonferroni over the comparisons with the best: the set of scenarios "not told apart" then
     * holds the true best with at least the stated confidence, however many were compared. */
    double alpha = 0.05 / (x->nfeasible > 1 ? (double)(x->nfeasible - 1) : 1.0);
    x->cmp_level = 1 - alpha;
    const struct tsim__scen *b = &x->scen[x->best];
    x->same_as_best[x->best] = 1;
    x->cmp_mean[x->best] = 0;
    x->cmp_hw[x->best] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = among ? among[i] : i;
        if ((long)s == x->best || x->scen[s].n < 1 || !tsim__xrun_feasible(x, s)) continue;
        const struct tsim__scen *o = &x->scen[s];
        double mean, hw;
        if (x->spec->crn) {
            /* Paired on common random numbers: replication r of both saw the same streams. */
            size_t m = (size_t)(o->n < b->n ? o->n : b->n);
            struct tsim_tally t;
            tsim_tally_init(&t);
            for (size_t r = 0; r < m; r++)
                tsim_tally_add(&t, sign * (b->track[r * (size_t)x->ntrack] -
                                           o->track[r * (size_t)x->ntrack]));
            mean = t.n ? t.mean : NAN;
            hw = m >= 2 ? summ_t(1 - alpha, m) * sqrt(tsim_tally_variance(&t) / (double)m)
                        : INFINITY;
        } else {
            /* Independent streams: Welch's interval for the difference of means. */
            struct tsim_summary sb, so;
            tsim__xrun_objective(x, (size_t)x->best, &sb);
            tsim__xrun_objective(x, s, &so);
            double vb = sb.sd * sb.sd / (double)sb.n, vo = so.sd * so.sd / (double)so.n;
            double df = (vb + vo) * (vb + vo) /
                        (vb * vb / (double)(sb.n - 1) + vo * vo / (double)(so.n - 1));
            mean = sign * (sb.mean - so.mean);
            hw = sb.n >= 2 && so.n >= 2 && vb + vo > 0
                     ? tsim_t_quantile(1 - alpha / 2, df) * sqrt(vb + vo)
                     : (vb + vo == 0 ? 0 : INFINITY);
        }
        x->cmp_mean[s] = mean;
        x->cmp_hw[s] = hw;
        x->same_as_best[s] = !(mean - hw > 0);
    }
    return x->best;
}

/* ---- sequential replications ------------------------------------------------------------ */

/* Set `want` for the next round from results only; returns 1 if the scenario is finished. */
static int plan_next(struct tsim__xrun *x, size_t s)
{
    struct tsim__scen *sc = &x->scen[s];
    const struct tsim__xspec *sp = x->spec;
    if (sc->n >= sp->rep_max || sp->nuntil == 0) return 1;
    double need = 0;
    int base = sp->has_objective ? 1 + sp->ncons : 0;
    for (int u = 0; u < sp->nuntil; u++) {
        struct tsim_summary sm;
        tsim__xrun_track(x, sc, base + u, (size_t)sc->n, 0.95, &sm);
        double rel = sm.mean != 0 ? sm.half_width / fabs(sm.mean) : (sm.half_width == 0 ? 0 : INFINITY);
        if (rel <= sp->until[u].rel) continue;
        /* Half-widths shrink as 1/sqrt(n): this many replications would meet the target if
         * the variance estimate held. Growth is capped at doubling per round so that a noisy
         * early estimate does not overshoot by much. */
        double n_need = isfinite(rel) ? ceil((double)sc->n * (rel / sp->until[u].rel) *
                                             (rel / sp->until[u].rel))
                                      : 2.0 * sc->n;
        if (n_need > need) need = n_need;
    }
    if (need == 0) return 1;
    double next = need;
    if (next < sc->n + 1) next = sc->n + 1;
    if (next > 2.0 * sc->n) next = 2.0 * sc->n;
    if (next > sp->rep_max) next = sp->rep_max;
    sc->want = (int)next;
    return 0;
}

int tsim__xrun_until_done(struct tsim__xrun *x, const size_t *scen, size_t n)
{
    size_t *active = tsim__malloc((n + 1) * sizeof *active);
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        struct tsim__scen *sc = &x->scen[scen[i]];
        if (sc->done) continue;
        int first = x->spec->nuntil ? x->spec->rep_min : x->spec->rep_max;
        if (sc->want < first) sc->want = first;
        active[na++] = scen[i];
    }
    int rc = 0;
    while (na && rc == 0) {
        rc = tsim__xrun_round(x, active, na);
        if (rc != 0) break;
        size_t k = 0;
        for (size_t i = 0; i < na; i++) {
            if (plan_next(x, active[i])) x->scen[active[i]].done = 1;
            else active[k++] = active[i];
        }
        na = k;
    }
    tsim__free(active);
    return rc;
}
