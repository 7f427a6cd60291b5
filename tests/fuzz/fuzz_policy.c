/*
 * libFuzzer target for the weights files of the learned sequencing rule (src/logic/policy.c):
 * any bytes must be read into a policy or refused with a FILE:LINE:COL message, never crash, hang
 * or leak. A policy that reads schedules ft06 (held here as text); the schedule must pass
 * tsim_jobshop_verify with the makespan the dispatcher reported, whatever the weights make of
 * the features (infinite or NaN scores included). Build and run with scripts/fuzz.sh; seeded
 * with tests/fuzz/policy/.
 */
#include "twinsim_logic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ft06[] = "6 6\n"
                           "2 1 0 3 1 6 3 7 5 3 4 6\n"
                           "1 8 2 5 4 10 5 10 0 10 3 4\n"
                           "2 5 3 4 5 8 0 9 1 1 4 7\n"
                           "1 5 0 5 2 5 3 3 4 8 5 9\n"
                           "2 9 1 3 4 5 5 4 0 3 3 1\n"
                           "1 3 3 3 5 9 0 10 4 4 2 1\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tsim_policy *p;
    if (tsim_policy_parse("fuzz", (const char *)data, size, &p) != 0) {
        if (strstr(tsim_errmsg(), "fuzz:") == NULL) abort(); /* every refusal names its place */
        return 0;
    }
    struct tsim_jobshop *js;
    if (tsim_jobshop_parse("ft06", ft06, sizeof ft06 - 1, &js) != 0) abort();
    int64_t start[36], ms, check;
    if (tsim_jobshop_dispatch_policy(js, p, start, &ms) != 0) abort();
    if (tsim_jobshop_verify(js, start, &check) != 0 || check != ms) abort();
    tsim_jobshop_destroy(js);
    tsim_policy_destroy(p);
    return 0;
}
