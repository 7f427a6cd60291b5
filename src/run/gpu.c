/*
 * Whether a GPU batch can run here: the GPU build (make gpu, TSIM_HAVE_CUDA) links the CUDA part
 * of src/gpu and asks the driver for a device; every other build answers at once that it has no
 * GPU support. The batch engine itself is not part of any build yet (docs/gpu.md): a GPU build
 * with a device says that too, so that `--gpu` never runs on the CPU behind the user's back.
 */
#include "core/core.h"

#include <stddef.h>

#ifdef TSIM_HAVE_CUDA
/* src/gpu/device.cu: the number of CUDA devices, or 0 with the driver's message in `why`. */
int tsim__cuda_devices(char *why, size_t n);
#endif

int tsim_gpu_built(void)
{
#ifdef TSIM_HAVE_CUDA
    return 1;
#else
    return 0;
#endif
}

const char *tsim_gpu_unavailable(void)
{
#ifdef TSIM_HAVE_CUDA
    static _Thread_local char why[256];
    if (tsim__cuda_devices(why, sizeof why) <= 0) return why;
    return "the GPU batch engine runs no models yet: this build has only its Philox kernel "
           "(docs/gpu.md)";
#else
    return "no GPU support built in (build it with 'make gpu' where nvcc exists)";
#endif
}
