// The GPU side of the parity check (tests/gpu/run.sh): reads `philox_ref spec` on standard
// input, draws the same streams on the device (src/gpu/philox_fill.cu) and prints them in
// philox_ref's order and format, for a byte-for-byte comparison with `philox_ref draws`.
// Exits 3, saying "no GPU: ..." on standard error, where no device is there.
#include "gpu/gpu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double dbl(unsigned long long u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

int main(void)
{
    char why[512];
    if (tsim__cuda_devices(why, sizeof why) <= 0) {
        fprintf(stderr, "no GPU: %s\n", why);
        return 3;
    }
    int ndists, ndraws;
    if (scanf("%d %d", &ndists, &ndraws) != 2 || ndists < 0 || ndists > 64 || ndraws < 1 ||
        ndraws > 4096) {
        fprintf(stderr, "parity: bad spec\n");
        return 1;
    }
    tsim__gpu_dist d[64];
    static double x[4096], c[4096];
    size_t nt = 0;
    for (int k = 0; k < ndists; k++) {
        unsigned long long u;
        if (scanf("%d %u", &d[k].kind, &d[k].n) != 2 || d[k].n > 1024 || nt + d[k].n > 4096) {
            fprintf(stderr, "parity: bad spec\n");
            return 1;
        }
        for (int i = 0; i < 4; i++) scanf("%llx", &u), d[k].p[i] = dbl(u);
        for (int i = 0; i < 4; i++) scanf("%llx", &u), d[k].q[i] = dbl(u);
        d[k].off = nt;
        for (uint32_t i = 0; i < d[k].n; i++) scanf("%llx", &u), x[nt + i] = dbl(u);
        for (uint32_t i = 0; i < d[k].n; i++) scanf("%llx", &u), c[nt + i] = dbl(u);
        nt += d[k].n;
    }
    // The streams of philox_ref.c, in its order.
    const uint64_t seeds[] = {1, 0xfedcba9876543210ull};
    const uint32_t reps[] = {0, 1, 0xffffffffu};
    const uint32_t blocks[] = {0, 0x9a3f11c7u};
    tsim__gpu_stream s[48];
    int ns = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int cc = 0; cc < 2; cc++)
                for (uint32_t purpose = 0; purpose < 4; purpose++)
                    s[ns++] = tsim__gpu_stream{seeds[a], reps[b], blocks[cc], purpose};
    size_t nout = (size_t)ns * (size_t)(1 + ndists) * (size_t)ndraws;
    uint64_t *out = (uint64_t *)malloc(sizeof *out * nout);
    if (!out || tsim__gpu_philox_fill(s, ns, d, ndists, x, c, nt, ndraws, out, why,
                                      sizeof why) != 0) {
        fprintf(stderr, "parity: %s\n", out ? why : "out of memory");
        return 1;
    }
    for (size_t i = 0; i < nout; i++) printf("%016" PRIx64 "\n", out[i]);
    free(out);
    return 0;
}
