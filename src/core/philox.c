/*
 * The CPU engine's Philox draws: the functions of philox.h on a struct tsim_rng that holds a
 * Philox stream (tsim__px_init's layout), for the sims of a model with `run: {rng: philox}`.
 * The algorithms are all in philox.h, shared with the GPU; this file only adapts them.
 */
#include "core/philox.h"

#include "core/core.h"

/* philox.h numbers the kinds itself, for CUDA; they must be the public enum's. */
#define SAME(k) ((int)TSIM__PX_##k == (int)TSIM_DIST_##k)
_Static_assert(SAME(CONSTANT) && SAME(UNIFORM) && SAME(TRIANGULAR) && SAME(EXPONENTIAL) &&
                   SAME(NORMAL) && SAME(LOGNORMAL) && SAME(GAMMA) && SAME(ERLANG) &&
                   SAME(WEIBULL) && SAME(BETA) && SAME(PERT) && SAME(DISCRETE) &&
                   SAME(EMPIRICAL) &&
                   (int)TSIM_DIST_KIND_COUNT == (int)TSIM__PX_EMPIRICAL + 1,
               "philox.h's kind numbers differ from enum tsim_dist_kind");
#undef SAME
_Static_assert(TSIM__PX_ERLANG_PRODUCT_MAX == 16, "erlang's product limit differs from dist.c's");

double tsim__philox_sample(const struct tsim_dist *d, struct tsim_rng *r)
{
    return tsim__px_sample((int)d->kind, d->p, d->q, d->n, d->x, d->c, r->s);
}

double tsim__philox_uniform(struct tsim_rng *r) { return tsim__px_uniform(r->s); }

/* 32-bit FNV-1a, then a multiply-xorshift finish, because FNV alone leaves names that differ in
 * their last byte with ids that differ in low bits only. Equal ids for different names are
 * possible; the sim makes a model's ids unique (streams.c). */
uint32_t tsim__philox_name_id(const char *name)
{
    uint32_t h = 0x811c9dc5u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x01000193u;
    }
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}
