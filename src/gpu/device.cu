// Whether a CUDA device is there (tsim_gpu_unavailable, src/run/gpu.c).
#include "gpu/gpu.h"

#include <cuda_runtime.h>
#include <stdio.h>

extern "C" int tsim__cuda_devices(char *why, size_t n)
{
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess) {
        snprintf(why, n, "no CUDA device: %s", cudaGetErrorString(e));
        return 0;
    }
    if (count == 0) snprintf(why, n, "no CUDA device: the driver lists none");
    return count;
}
