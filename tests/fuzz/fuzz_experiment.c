/*
 * libFuzzer target for experiment files: any bytes given to the experiment file reader must end
 * in a spec or in diagnostics, never in a crash, a sanitizer report, a hang or a leak. The reader
 * under it is the model files' (src/model/yaml.c); this target covers what the experiment reader
 * does with the nodes. Build and run with scripts/fuzz.sh.
 */
#include "run/experiment.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_diags d;
    struct tsim__xspec s;
    tsim_diags_init(&d);
    tsim__xspec_parse(&s, (const char *)data, size, "/nonexistent-fuzz-dir/x.yaml", &d);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        tsim_diags_print(&d, "x.yaml", sink);
        fclose(sink);
    }
    tsim_diags_release(&d);
    tsim__xspec_release(&s);
    return 0;
}
