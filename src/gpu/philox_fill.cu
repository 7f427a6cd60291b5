// The Philox draws of the engine on the device: the same header (core/philox.h) as the CPU
// engine's, compiled with -fmad=false (Makefile), so that every draw is the CPU's bit for bit.
// This is the first piece of the GPU batch engine: its streams and distributions.
#include "gpu/gpu.h"

#include "core/philox.h"

#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

__global__ static void fill(const tsim__gpu_stream *streams, int nstreams,
                            const tsim__gpu_dist *dists, int ndists, const double *x,
                            const double *c, int ndraws, uint64_t *out)
{
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= nstreams) return;
    tsim__gpu_stream st = streams[t];
    uint64_t *o = out + (size_t)t * (size_t)(1 + ndists) * (size_t)ndraws;
    uint64_t s[4];
    tsim__px_init(s, st.seed, st.rep, st.block, st.purpose);
    for (int i = 0; i < ndraws; i++) *o++ = tsim__px_next(s);
    for (int k = 0; k < ndists; k++) {
        const tsim__gpu_dist *d = &dists[k];
        tsim__px_init(s, st.seed, st.rep, st.block, st.purpose);
        for (int i = 0; i < ndraws; i++)
            *o++ = tsim__px_bits(
                tsim__px_sample(d->kind, d->p, d->q, d->n, x + d->off, c + d->off, s));
    }
}

#define TRY(call)                                                                  \
    do {                                                                           \
        cudaError_t e_ = (call);                                                   \
        if (e_ != cudaSuccess) {                                                   \
            snprintf(why, n, "%s: %s", #call, cudaGetErrorString(e_));             \
            rc = -1;                                                               \
            goto done;                                                             \
        }                                                                          \
    } while (0)

extern "C" int tsim__gpu_philox_fill(const struct tsim__gpu_stream *streams, int nstreams,
                                     const struct tsim__gpu_dist *dists, int ndists,
                                     const double *x, const double *c, size_t ntable, int ndraws,
                                     uint64_t *out, char *why, size_t n)
{
    int rc = 0;
    tsim__gpu_stream *ds = NULL;
    tsim__gpu_dist *dd = NULL;
    double *dx = NULL, *dc = NULL;
    uint64_t *dout = NULL;
    size_t nout = (size_t)nstreams * (size_t)(1 + ndists) * (size_t)ndraws;
    size_t nt = ntable ? ntable : 1;
    TRY(cudaMalloc(&ds, sizeof *ds * (size_t)nstreams));
    TRY(cudaMalloc(&dd, sizeof *dd * (size_t)(ndists ? ndists : 1)));
    TRY(cudaMalloc(&dx, sizeof *dx * nt));
    TRY(cudaMalloc(&dc, sizeof *dc * nt));
    TRY(cudaMalloc(&dout, sizeof *dout * nout));
    TRY(cudaMemcpy(ds, streams, sizeof *ds * (size_t)nstreams, cudaMemcpyHostToDevice));
    if (ndists) TRY(cudaMemcpy(dd, dists, sizeof *dd * (size_t)ndists, cudaMemcpyHostToDevice));
    if (ntable) {
        TRY(cudaMemcpy(dx, x, sizeof *dx * ntable, cudaMemcpyHostToDevice));
        TRY(cudaMemcpy(dc, c, sizeof *dc * ntable, cudaMemcpyHostToDevice));
    }
    fill<<<(nstreams + 127) / 128, 128>>>(ds, nstreams, dd, ndists, dx, dc, ndraws, dout);
    TRY(cudaGetLastError());
    TRY(cudaDeviceSynchronize());
    TRY(cudaMemcpy(out, dout, sizeof *dout * nout, cudaMemcpyDeviceToHost));
done:
    cudaFree(ds);
    cudaFree(dd);
    cudaFree(dx);
    cudaFree(dc);
    cudaFree(dout);
    return rc;
}
