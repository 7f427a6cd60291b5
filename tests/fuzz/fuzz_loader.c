/*
 * libFuzzer target for model files: any bytes given to tsim_model_load must end in a model or
 * in diagnostics, within the time and memory limits scripts/fuzz.sh sets, never in a crash, a
 * sanitizer report, a hang or a leak. The same bytes also go through the distribution parser and,
 * when a model loads, through tsim_model_set_param, the other two doors text comes in by.
 * Build and run with scripts/fuzz.sh.
 */
#include "twinsim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distribution text and set_param values are short; longer inputs only test the loader. */
#define TEXT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_diags d;
    struct tsim_run_spec run;
    tsim_diags_init(&d);
    /* A directory that does not exist: relative empirical("...") files are never found. */
    struct tsim_model *m =
        tsim_model_load((const char *)data, size, "/nonexistent-fuzz-dir/model.yaml", &run, &d);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        tsim_diags_print(&d, "model.yaml", sink);
        fclose(sink);
    }
    tsim_diags_release(&d);

    size_t n = size < TEXT_MAX ? size : TEXT_MAX;
    char *text = malloc(n + 1);
    memcpy(text, data, n);
    text[n] = '\0';
    struct tsim_dist dist;
    char err[256];
    size_t at = 0;
    if (tsim_dist_parse(&dist, text, "min", NULL, err, sizeof err, &at) == 0)
        tsim_dist_release(&dist);
    else if (at > n)
        abort(); /* an error offset must point into the text */

    if (m) {
        tsim_model_validate(m);
        /* "path=value" on the input's first line, if it has one. */
        char *nl = strchr(text, '\n');
        if (nl) *nl = '\0';
        char *eq = strchr(text, '=');
        if (eq) {
            *eq = '\0';
            tsim_model_set_param(m, text, eq + 1);
        }
        tsim_model_destroy(m);
    }
    free(text);
    return 0;
}
