/*
 * The few core operations that run on every event, as inline functions, so that blocks in other
 * files pay no call for them: the next random number, a uniform, an exponential draw, a level
 * change and a tally observation. The public functions (tsim_rng_next, tsim_level_set, ...) are
 * these same functions; there is one definition of each.
 */
#ifndef TSIM_CORE_FAST_H
#define TSIM_CORE_FAST_H

#include "core/core.h"

#include <math.h>

static inline uint64_t tsim__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** */
static inline uint64_t tsim__rng_next(struct tsim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = tsim__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tsim__rotl(s[3], 45);
    return out;
}

/* k / 2^53 for the top 53 bits k, and 2^-54 for k = 0: never 0, never 1. */
static inline double tsim__uniform(struct tsim_rng *r)
{
    double u = (double)(tsim__rng_next(r) >> 11) * 0x1.0p-53;
    return u > 0x1.0p-54 ? u : 0x1.0p-54;
}

/*
 * A standard exponential draw (mean 1) by the ziggurat method with 256 layers (Marsaglia and
 * Tsang's construction for exp(-x)): one output of the stream picks a layer (its low 8 bits) and
 * a point across it (its top 53 bits); about 99% of draws end at the first comparison, with no
 * logarithm. The rest (the wedges and the tail beyond the base layer) are in dist.c. Tables are
 * filled once when the library loads (dist.c).
 */
extern uint64_t tsim__zig_k[256]; /* a draw below k[i] lies inside layer i's core */
extern double tsim__zig_w[256];   /* layer i's width / 2^53 */
double tsim__exp1_slow(struct tsim_rng *r, unsigned layer, uint64_t j);

static inline double tsim__exp1(struct tsim_rng *r)
{
    uint64_t u = tsim__rng_next(r);
    unsigned i = (unsigned)(u & 255);
    uint64_t j = u >> 11;
    if (j < tsim__zig_k[i]) return (double)j * tsim__zig_w[i];
    return tsim__exp1_slow(r, i, j);
}

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
