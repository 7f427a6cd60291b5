/*
 * libFuzzer target for job-shop instance files (src/logic/jobshop.c): any bytes must be read into
 * an instance or refused with a FILE:LINE:COL message, never crash, hang or leak. An instance
 * that reads (and is small enough to schedule within the time limit) is scheduled by a few rules;
 * each schedule must pass tsim_jobshop_verify with the makespan the rule reported. The same bytes
 * are then replayed as a schedule of that instance, which must end in a makespan or a message.
 * Build and run with scripts/fuzz.sh.
 */
#include "twinsim_logic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_jobshop *js;
    if (tsim_jobshop_parse("fuzz", (const char *)data, size, &js) != 0) {
        if (strstr(tsim_errmsg(), "fuzz:") == NULL) abort(); /* every refusal names its place */
        return 0;
    }
    size_t ops = tsim_jobshop_size(js);
    if (ops <= 20000) {
        int64_t *start = malloc(ops * sizeof *start);
        static const char *const rules[] = {"FIFO", "MWKR", "CR", "RANDOM",
                                            "weighted(slack=1, wait=-2)"};
        for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
            int64_t ms, check;
            if (tsim_jobshop_dispatch(js, rules[r], 1, start, &ms) != 0) abort();
            if (tsim_jobshop_verify(js, start, &check) != 0 || check != ms) abort();
        }
        int64_t ms;
        if (tsim_jobshop_replay(js, "fuzz", (const char *)data, size, start, &ms) == 0) {
            int64_t check;
            if (tsim_jobshop_verify(js, start, &check) != 0 || check != ms) abort();
        }
        free(start);
    }
    tsim_jobshop_destroy(js);
    return 0;
}
