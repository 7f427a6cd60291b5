/*
 * Experiment designs: the scenarios of a full factorial or a Latin hypercube, handed to the
 * driver through tsim__xrun_add_scenario. Both depend only on the file and the seed, so every
 * rank and every resumed run builds the same scenarios in the same order.
 */
#include "run/experiment.h"

#include "core/core.h"

#include <math.h>
#include <string.h>

static size_t factor_levels(const struct tsim__factor *f)
{
    if (f->kind == TSIM__FACTOR_LIST) return (size_t)f->nvalues;
    if (f->kind == TSIM__FACTOR_INT) return (size_t)floor((f->hi - f->lo) / f->step + 1e-9) + 1;
    return 0;
}

static char *level_text(const struct tsim__factor *f, size_t i)
{
    if (f->kind == TSIM__FACTOR_LIST) return tsim__strdup(f->values[i]);
    char buf[40];
    tsim__x_fmt_double(buf, sizeof buf, f->lo + (double)i * f->step);
    return tsim__strdup(buf);
}

static int add_point(struct tsim__xrun *x, char **vals, struct tsim_diags *d)
{
    long rc = tsim__xrun_add_scenario(x, vals, d);
    for (int f = 0; f < x->spec->nfactors; f++) tsim__free(vals[f]);
    return rc < 0 ? (int)rc : 0;
}

int tsim__x_full(struct tsim__xrun *x, struct tsim_diags *d)
{
    const struct tsim__xspec *s = x->spec;
    double total = 1;
    for (int f = 0; f < s->nfactors; f++) {
        if (s->factors[f].kind == TSIM__FACTOR_REAL) {
            tsim_diags_add(d, TSIM_ERROR, s->factors[f].line, s->factors[f].col,
                           "factor '%s' is continuous: a full design needs a 'step' (or use "
                           "design 'lhs' or 'twinsim optimize')", s->factors[f].path);
            return TSIM_EINVAL;
        }
        total *= (double)factor_levels(&s->factors[f]);
    }
    if (total > TSIM__X_MAX_SCENARIOS) {
        tsim_diags_add(d, TSIM_ERROR, 0, 0, "a full design of these factors has %.0f scenarios, "
                       "more than %d: use design 'lhs' or 'twinsim optimize'", total,
                       TSIM__X_MAX_SCENARIOS);
        return TSIM_ELIMIT;
    }
    size_t idx[TSIM__X_MAX_FACTORS] = {0};
    char *vals[TSIM__X_MAX_FACTORS];
    for (size_t k = 0; k < (size_t)total; k++) {
        /* The last factor varies fastest, as a reader of the file would list them. */
        for (int f = 0; f < s->nfactors; f++) vals[f] = level_text(&s->factors[f], idx[f]);
        int rc = add_point(x, vals, d);
        if (rc != 0) return rc;
        for (int f = s->nfactors - 1; f >= 0; f--) {
            if (++idx[f] < factor_levels(&s->factors[f])) break;
            idx[f] = 0;
        }
    }
    return 0;
}

/* Latin hypercube: each factor's range cut into n strata, each stratum used once, the strata of
 * different factors paired by independent random permutations (from the experiment seed, so the
 * same file gives the same design). Repeated points are kept once. */
int tsim__x_lhs(struct tsim__xrun *x, int n, uint64_t salt, struct tsim_diags *d)
{
    const struct tsim__xspec *s = x->spec;
    size_t *perm = tsim__malloc((size_t)n * (size_t)s->nfactors * sizeof *perm);
    double *u = tsim__malloc((size_t)n * (size_t)s->nfactors * sizeof *u);
    for (int f = 0; f < s->nfactors; f++) {
        struct tsim_rng r;
        char name[300];
        snprintf(name, sizeof name, "lhs/%s", s->factors[f].path);
        tsim_rng_stream(&r, x->seed, salt, name);
        size_t *p = perm + (size_t)f * (size_t)n;
        for (int i = 0; i < n; i++) p[i] = (size_t)i;
        for (int i = n - 1; i > 0; i--) {
            size_t j = (size_t)(tsim_rng_uniform(&r) * (double)(i + 1));
            if (j > (size_t)i) j = (size_t)i;
            size_t t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        for (int i = 0; i < n; i++)
            u[(size_t)f * (size_t)n + (size_t)i] = ((double)p[i] + tsim_rng_uniform(&r)) / n;
    }
    char *vals[TSIM__X_MAX_FACTORS];
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        for (int f = 0; f < s->nfactors; f++) {
            const struct tsim__factor *fa = &s->factors[f];
            double ui = u[(size_t)f * (size_t)n + (size_t)i];
            if (fa->kind == TSIM__FACTOR_REAL) {
                char buf[40];
                double v = fa->lo + ui * (fa->hi - fa->lo);
                /* Twelve significant digits: short enough to read, finer than any noise. */
                snprintf(buf, sizeof buf, "%.12g", v);
                vals[f] = tsim__strdup(buf);
            } else {
                size_t lv = factor_levels(fa), k = (size_t)(ui * (double)lv);
                if (k >= lv) k = lv - 1;
                vals[f] = level_text(fa, k);
            }
        }
        int dup = 0;
        for (size_t sc = 0; sc < x->nscen && !dup; sc++) {
            int same = 1;
            for (int f = 0; f < s->nfactors && same; f++)
                same = !strcmp(x->scen[sc].values[f], vals[f]);
            dup = same;
        }
        if (dup) {
            for (int f = 0; f < s->nfactors; f++) tsim__free(vals[f]);
            continue;
        }
        rc = add_point(x, vals, d);
    }
    tsim__free(perm);
    tsim__free(u);
    return rc;
}

