/*
 * The exponential ziggurat's tables and its slow path (the wedges and the tail), below dist.c;
 * the fast path is inline in zig.h. Moved out of dist.c so that the inline path, which the blocks
 * take through core/fast.h, rests on no file that uses fast.h.
 */
#include "core/xoshiro.h"
#include "core/zig.h"

#include <math.h>
#include <stdint.h>

/* The exponential ziggurat ---------------------------------------------------------------------
 * Layer boundaries x[1] = R > x[2] > ... > x[255] > x[256] = 0 cut the area under exp(-x) into
 * 256 pieces of equal area V: the base layer (i = 0) is the rectangle [0, R) x [0, exp(-R)) plus
 * the tail beyond R, and has the pseudo-width x[0] = V / exp(-R); layer i >= 1 is the rectangle
 * [0, x[i]) x [exp(-x[i]), exp(-x[i+1])). A point uniform across layer i is accepted at once
 * when it lies left of x[i+1] (under the curve for every height of the layer); otherwise it is
 * in the tail (i = 0: R plus a fresh exponential, by memorylessness) or in a wedge, accepted
 * when a uniform height lies under exp(-x). R and V are the values for which x[256] comes out
 * as 0 (Marsaglia and Tsang, 2000). */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3

uint64_t tsim__zig_k[256];
double tsim__zig_w[256];
static double zig_x[257], zig_f[257];

__attribute__((constructor)) static void zig_tables(void)
{
    zig_x[0] = ZIG_V / exp(-ZIG_R);
    zig_x[1] = ZIG_R;
    for (int i = 1; i < 255; i++) zig_x[i + 1] = -log(ZIG_V / zig_x[i] + exp(-zig_x[i]));
    zig_x[256] = 0.0;
    for (int i = 0; i <= 256; i++) zig_f[i] = exp(-zig_x[i]);
    for (int i = 0; i < 256; i++) {
        tsim__zig_w[i] = zig_x[i] * 0x1.0p-53;
        tsim__zig_k[i] = (uint64_t)(zig_x[i + 1] / zig_x[i] * 0x1.0p53);
    }
}

double tsim__exp1_slow(struct tsim_rng *r, unsigned layer, uint64_t j)
{
    double base = 0.0;
    for (;;) {
        if (layer == 0) {
            base += ZIG_R; /* the tail: R plus a fresh draw */
        } else {
            double x = (double)j * tsim__zig_w[layer];
            double y = zig_f[layer] + tsim__uniform(r) * (zig_f[layer + 1] - zig_f[layer]);
            if (y < exp(-x)) return base + x;
        }
        uint64_t u = tsim__rng_next(r);
        layer = (unsigned)(u & 255);
        j = u >> 11;
        if (j < tsim__zig_k[layer]) return base + (double)j * tsim__zig_w[layer];
    }
}
