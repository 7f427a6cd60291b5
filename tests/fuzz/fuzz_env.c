/*
 * libFuzzer target for the environment API (src/logic/env.c): the input's first bytes choose a
 * batch (its size, threads, autoreset, truncation, a generated instance's size or la01), the rest
 * is a sequence of steps and resets with any actions, valid, masked or out of range. Every call
 * must succeed or be refused with a message naming the sim; a refused step must change nothing;
 * after every step each sim's outputs must hold (mask = candidates, agent in range, finite
 * reward), and an episode's rewards must sum to -makespan. Build and run with scripts/fuzz.sh.
 */
#include "twinsim_logic.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXN 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    static struct tsim_jobshop *la01;
    if (!la01 && tsim_jobshop_read("tests/jsplib/instances/Lawrence1984/la01.txt", &la01) != 0)
        la01 = NULL;
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = 1 + data[0] % MAXN;
    c.threads = 1 + (data[0] >> 4) % 3;
    c.autoreset = data[1] % 3;
    c.max_steps = (data[1] >> 2) % 4 == 0 ? 1 + data[1] % 7 : 0;
    const struct tsim_jobshop *js = NULL;
    if (data[2] < 64 && la01) {
        js = la01;
    } else {
        c.gen_jobs = 1 + data[2] % 7;
        c.gen_machines = 1 + data[3] % 5;
    }
    c.seed = data[3];
    struct tsim_env *e;
    if (tsim_env_create(js, &c, &e) != 0) abort();
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    size_t N = (size_t)c.num_envs, mc = tsim_env_max_candidates(e), os = tsim_env_obs_size(e);
    double sum[MAXN] = {0};
    int32_t act[MAXN];
    float *before = malloc(N * os * sizeof *before);
    size_t p = 4;
    while (p + N <= size) {
        uint8_t op = data[p++];
        if (op == 0xff) { /* a reset by mask from the next byte */
            if (p >= size) break;
            uint8_t mask[MAXN];
            for (size_t i = 0; i < N; i++) mask[i] = (uint8_t)((data[p] >> i) & 1);
            p++;
            if (tsim_env_reset(e, mask, NULL) != 0) abort();
            for (size_t i = 0; i < N; i++)
                if (mask[i]) sum[i] = 0;
            continue;
        }
        for (size_t i = 0; i < N && p < size; i++) act[i] = (int8_t)data[p++];
        memcpy(before, b.obs, N * os * sizeof *before);
        if (tsim_env_step(e, act) != 0) {
            if (strstr(tsim_errmsg(), "tsim_env_step: sim ") == NULL) abort();
            if (memcmp(before, b.obs, N * os * sizeof *before) != 0) abort();
            continue;
        }
        for (size_t i = 0; i < N; i++) {
            if (!isfinite(b.reward[i]) || b.reward[i] > 0) abort();
            size_t k = 0;
            for (size_t s = 0; s < mc; s++) k += b.mask[i * mc + s];
            if (k != (size_t)b.candidates[i]) abort();
            if (b.candidates[i] == 1) abort(); /* one candidate is never asked */
            if (b.agent[i] < -1) abort();
            sum[i] += b.reward[i];
            if (b.terminated[i]) {
                if (-sum[i] != b.makespan[i]) abort();
                sum[i] = 0;
            } else if (b.truncated[i]) {
                sum[i] = 0;
            }
            /* The reset step of NEXT_STEP, or the start of an episode without a decision. */
            if (b.candidates[i] == 0 && !b.terminated[i] && !b.truncated[i]) sum[i] = 0;
        }
    }
    free(before);
    tsim_env_destroy(e);
    return 0;
}
