/*
 * Random streams: xoshiro256** (Blackman and Vigna), seeded through splitmix64, and the derivation
 * of one independent stream per (seed, replication, name). Not a distribution library: dist.c
 * turns these bits into draws.
 *
 * Invariant: a stream's state is never all zero (xoshiro's only fixed point). Seeding takes four
 * consecutive splitmix64 outputs, which cannot all be zero because its output function is a
 * bijection of distinct counter values.
 */
#include "core/xoshiro.h"
#include "core/names.h"

#include <string.h>

#define GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)


/* splitmix64's output function: a bijection on 64 bits with full avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void tsim_rng_seed(struct tsim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += GOLDEN_GAMMA;
        r->s[i] = mix64(x);
    }
}

/*
 * The name is hashed with 64-bit FNV-1a and then mixed, because FNV alone leaves names that differ
 * only in their last byte with hashes that differ only in low bits. Seed, replication and name go
 * through one mixing step each, so the stream key is a chain of bijections: changing any one of
 * them changes the key unpredictably, and no arithmetic relation between keys (seed + 1 versus
 * replication + 1) makes two streams coincide.
 */
void tsim_rng_stream(struct tsim_rng *r, uint64_t seed, uint64_t replication, const char *name)
{
    TSIM__ASSERT(name != NULL, "stream 'name' is NULL");
    uint64_t h = tsim__fnv1a_str(name);
    uint64_t k = mix64(seed + GOLDEN_GAMMA);
    k = mix64(k ^ (replication + 2 * GOLDEN_GAMMA));
    k = mix64(k ^ mix64(h + 3 * GOLDEN_GAMMA));
    tsim_rng_seed(r, k);
}

uint64_t tsim_rng_next(struct tsim_rng *r) { return tsim__rng_next(r); }

/* The 2^53 grid points k / 2^53 of the top bits; k = 0 alone is moved to half a step above 0,
 * which keeps log(u) finite with no rejection loop. (Centring every point in its cell instead
 * would round the top point, 1 - 2^-54, up to 1.) */
double tsim_rng_uniform(struct tsim_rng *r) { return tsim__uniform(r); }

/*
 * The jump is multiplication by a fixed polynomial in the generator's transition matrix: the state
 * after 2^128 steps is the XOR of the states at the set bits of that polynomial's coefficients.
 */
void tsim_rng_jump(struct tsim_rng *r)
{
    static const uint64_t poly[4] = {UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
                                     UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int w = 0; w < 4; w++) {
        for (int bit = 0; bit < 64; bit++) {
            if (poly[w] & (UINT64_C(1) << bit)) {
                for (int i = 0; i < 4; i++) acc[i] ^= r->s[i];
            }
            tsim_rng_next(r);
        }
    }
    memcpy(r->s, acc, sizeof acc);
}
