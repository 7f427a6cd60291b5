/*
 * The few core operations that run on every event, as inline functions, so that blocks in other
 * files pay no call for them: the next random number, a uniform, an exponential draw, a level
 * change and a tally observation. The public functions (tsim_rng_next, tsim_level_set, ...) are
 * these same functions; there is one definition of each. The stream's step is in xoshiro.h and
 * the exponential draw in zig.h, below dist.c and rng.c, which use them and which this file's
 * tsim__sample calls in turn.
 */
#ifndef TSIM_CORE_FAST_H
#define TSIM_CORE_FAST_H

#include "core/core.h"
#include "core/xoshiro.h"
#include "core/zig.h"

#include <math.h>

/* A draw from `d`; exponential and constant inline, the rest through tsim_dist_sample. */
static inline double tsim__sample(const struct tsim_dist *d, struct tsim_rng *r)
{
    if (d->kind == TSIM_DIST_EXPONENTIAL) return d->p[0] * tsim__exp1(r);
    if (d->kind == TSIM_DIST_CONSTANT) return d->p[0];
    return tsim_dist_sample(d, r);
}

static inline void tsim__level_set(struct tsim_level *l, double t, double value)
{
    TSIM__ASSERT(t >= l->t_last, "time %g before the last change %g", t, l->t_last);
    l->area += l->value * (t - l->t_last);
    l->t_last = t;
    l->value = value;
    if (value > l->max) l->max = value;
}

static inline void tsim__tally_add(struct tsim_tally *t, double x)
{
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (x < t->min) t->min = x;
    if (x > t->max) t->max = x;
}

#endif
