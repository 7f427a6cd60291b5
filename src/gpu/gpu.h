/*
 * The CUDA part of twinsim (built by `make gpu` only, with nvcc): what the C side calls. Plain C
 * types only, so that C and CUDA C++ read this header alike.
 */
#ifndef TSIM_GPU_GPU_H
#define TSIM_GPU_GPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A Philox stream of the engine: (seed, replication, block id, purpose), docs/gpu.md. */
struct tsim__gpu_stream {
    uint64_t seed;
    uint32_t rep, block, purpose;
};

/* A distribution as tsim_dist_init leaves it; a table kind's n values and cumulative
 * probabilities are x[0..n-1] and c[0..n-1] of the arrays handed over with it. */
struct tsim__gpu_dist {
    int kind;
    uint32_t n;
    double p[4], q[4];
    size_t off; /* where its x and c start in the table arrays */
};

/* The number of CUDA devices; 0 (or a negative CUDA error) with "no CUDA device: ..." in `why`. */
int tsim__cuda_devices(char *why, size_t n);

/*
 * On the device, for every stream s: `ndraws` raw draws, then for each distribution k `ndraws`
 * draws of it from the stream started afresh, as doubles' bits; out[s * (1 + ndists) * ndraws
 * + ...] in that order. Returns 0, or -1 with CUDA's message in `why`.
 */
int tsim__gpu_philox_fill(const struct tsim__gpu_stream *streams, int nstreams,
                          const struct tsim__gpu_dist *dists, int ndists, const double *x,
                          const double *c, size_t ntable, int ndraws, uint64_t *out, char *why,
                          size_t n);

#ifdef __cplusplus
}
#endif
#endif
