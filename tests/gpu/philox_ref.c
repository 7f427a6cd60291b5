/*
 * The CPU side of the GPU parity check (make test-gpu, tests/gpu/run.sh) and of the fused
 * multiply-add check (tests/cli/gpu.sh): the draws of a fixed set of Philox streams, as the CPU
 * engine makes them, one hexadecimal word per line.
 *
 *   philox_ref spec     the streams and distributions, for tests/gpu/parity.cu to read
 *   philox_ref draws    the draws: for every stream, 64 raw draws, then 64 draws of each
 *                       distribution from the stream started afresh
 *
 * The distributions are set up by tsim_dist_init here and handed to the GPU as bits, so both
 * sides draw from the same parameters; what must agree is the drawing.
 */
#include "twinsim.h"

#include "core/philox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDRAWS 64
#define NDISTS 13

static const uint64_t seeds[] = {1, UINT64_C(0xfedcba9876543210)};
static const uint32_t reps[] = {0, 1, UINT32_MAX};
static const uint32_t blocks[] = {0, 0x9a3f11c7u};

static void dists(struct tsim_dist *d)
{
    const double p3[] = {1, 2, 4};
    int rc = 0;
    rc |= tsim_dist_init(&d[0], TSIM_DIST_UNIFORM, (const double[]){2, 5}, 2);
    rc |= tsim_dist_init(&d[1], TSIM_DIST_TRIANGULAR, p3, 3);
    rc |= tsim_dist_init(&d[2], TSIM_DIST_EXPONENTIAL, (const double[]){3}, 1);
    rc |= tsim_dist_init(&d[3], TSIM_DIST_NORMAL, (const double[]){10, 2}, 2);
    rc |= tsim_dist_init(&d[4], TSIM_DIST_LOGNORMAL, (const double[]){10, 4}, 2);
    rc |= tsim_dist_init(&d[5], TSIM_DIST_GAMMA, (const double[]){2.5, 2}, 2);
    rc |= tsim_dist_init(&d[6], TSIM_DIST_GAMMA, (const double[]){0.4, 2}, 2);
    rc |= tsim_dist_init(&d[7], TSIM_DIST_ERLANG, (const double[]){3, 6}, 2);
    rc |= tsim_dist_init(&d[8], TSIM_DIST_ERLANG, (const double[]){40, 6}, 2);
    rc |= tsim_dist_init(&d[9], TSIM_DIST_WEIBULL, (const double[]){1.5, 3}, 2);
    rc |= tsim_dist_init(&d[10], TSIM_DIST_BETA, (const double[]){0.5, 2, 1, 3}, 4);
    rc |= tsim_dist_init(&d[11], TSIM_DIST_PERT, p3, 3);
    rc |= tsim_dist_init_table(&d[12], TSIM_DIST_EMPIRICAL, (const double[]){4, 1, 2.5, 9}, NULL,
                               4);
    if (rc) {
        fprintf(stderr, "philox_ref: %s\n", tsim_errmsg());
        exit(1);
    }
}

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

int main(int argc, char **argv)
{
    int spec = argc == 2 && strcmp(argv[1], "spec") == 0;
    if (argc != 2 || (!spec && strcmp(argv[1], "draws") != 0)) {
        fprintf(stderr, "usage: philox_ref spec|draws\n");
        return 2;
    }
    struct tsim_dist d[NDISTS];
    dists(d);
    if (spec) {
        /* kind, n, then p[4], q[4], x[n] as bits */
        printf("%d %d\n", NDISTS, NDRAWS);
        for (int k = 0; k < NDISTS; k++) {
            printf("%d %u", (int)d[k].kind, d[k].n);
            for (int i = 0; i < 4; i++) printf(" %016" PRIx64, bits(d[k].p[i]));
            for (int i = 0; i < 4; i++) printf(" %016" PRIx64, bits(d[k].q[i]));
            for (uint32_t i = 0; i < d[k].n; i++) printf(" %016" PRIx64, bits(d[k].x[i]));
            for (uint32_t i = 0; i < d[k].n; i++) printf(" %016" PRIx64, bits(d[k].c[i]));
            printf("\n");
        }
        return 0;
    }
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 2; c++)
                for (uint32_t purpose = 0; purpose < 4; purpose++) {
                    struct tsim_rng r;
                    tsim__px_init(r.s, seeds[a], reps[b], blocks[c], purpose);
                    for (int i = 0; i < NDRAWS; i++) printf("%016" PRIx64 "\n", tsim__px_next(r.s));
                    for (int k = 0; k < NDISTS; k++) {
                        tsim__px_init(r.s, seeds[a], reps[b], blocks[c], purpose);
                        for (int i = 0; i < NDRAWS; i++)
                            printf("%016" PRIx64 "\n", bits(tsim__philox_sample(&d[k], &r)));
                    }
                }
    for (int k = 0; k < NDISTS; k++) tsim_dist_release(&d[k]);
    return 0;
}
