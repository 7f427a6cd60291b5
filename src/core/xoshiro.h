/*
 * The next output of a random stream (xoshiro256**) and a uniform from it, inline, at the bottom
 * of the core: rng.c's public tsim_rng_next and tsim_rng_uniform are these functions, and the
 * ziggurat (zig.h, zig.c) draws from them. core/fast.h brings them to the blocks.
 */
#ifndef TSIM_CORE_XOSHIRO_H
#define TSIM_CORE_XOSHIRO_H

#include "core/core.h"

#include <stdint.h>

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

#endif
