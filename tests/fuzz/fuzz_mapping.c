/*
 * libFuzzer target for the twin's mapping files: any bytes given to the mapping reader, checked
 * against a small fixed model, must end in a mapping or in diagnostics, never in a crash, a
 * sanitizer report, a hang or a leak. The reader under it is the model files'
 * (src/model/yaml.c). Build and run with scripts/fuzz.sh.
 */
#include "twin/twin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two products, a source, a buffer, a machine and a sink: every kind of name a mapping names. */
static const char model_text[] = "name: fuzz-line\n"
                                 "time_unit: min\n"
                                 "products: [small, large]\n"
                                 "blocks:\n"
                                 "  - source: arrivals\n"
                                 "    interarrival: exponential(1)\n"
                                 "    to: buf1\n"
                                 "  - buffer: buf1\n"
                                 "    capacity: 25\n"
                                 "    to: filler\n"
                                 "  - machine: filler\n"
                                 "    process: 0.9\n"
                                 "    to: done\n"
                                 "  - sink: done\n";

static struct tsim_model *model(void)
{
    static struct tsim_model *m;
    if (!m) {
        struct tsim_diags d;
        tsim_diags_init(&d);
        m = tsim_model_load(model_text, strlen(model_text), "fuzz.yaml", NULL, &d);
        tsim_diags_release(&d);
        if (!m) abort();
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim__map *map = tsim__map_load((const char *)data, size, model(), &d);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        tsim_diags_print(&d, "x.mapping.yaml", sink);
        fclose(sink);
    }
    tsim_diags_release(&d);
    tsim__map_destroy(map);
    return 0;
}
