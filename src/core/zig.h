/*
 * The exponential ziggurat's fast path, inline; its tables and slow path are in zig.c. Below
 * dist.c, which draws exponentials through it, and core/fast.h, which brings it to the blocks.
 */
#ifndef TSIM_CORE_ZIG_H
#define TSIM_CORE_ZIG_H

#include "core/xoshiro.h"

/*
 * A standard exponential draw (mean 1) by the ziggurat method with 256 layers (Marsaglia and
 * Tsang's construction for exp(-x)): one output of the stream picks a layer (its low 8 bits) and
 * a point across it (its top 53 bits); about 99% of draws end at the first comparison, with no
 * logarithm. The rest (the wedges and the tail beyond the base layer) are in zig.c. Tables are
 * filled once when the library loads (zig.c).
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

#endif
