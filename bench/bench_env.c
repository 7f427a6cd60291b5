/*
 * The environment's speed (src/logic/env.c, docs/ai.md): `bench_env [INSTANCE] [SECONDS]` steps a
 * batch of 256 sims of a 15x15 job shop (default ta01) with 1 and 2 threads and prints decision
 * steps per second (wall clock, best of 3 runs), the memory per sim, and how a step's time splits:
 *   - engine: tsim_jobshop_dispatch's time per decision of the same instance (the event loop and
 *     the candidate list, no observation);
 *   - env: one step of one sim through the API (all of the above, plus the observation, mask and
 *     reward written out, the action checked, the batch's threads met);
 *   - the difference is what the environment adds to the engine.
 * Goal (docs/ai.md): 2,000,000 steps/s per core.
 */
#include "bench_util.h"
#include "twinsim_logic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 256

/* Steps per second of `threads` threads for about `secs` seconds: every sim takes slot 0 (always
 * a candidate while a decision waits; read by no one on the step that resets it). */
static double rate(const struct tsim_jobshop *js, int threads, double secs, size_t *bytes)
{
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.num_envs = BATCH;
    c.threads = threads;
    struct tsim_env *e;
    if (tsim_env_create(js, &c, &e) != 0) {
        fprintf(stderr, "bench_env: %s\n", tsim_errmsg());
        exit(1);
    }
    *bytes = tsim_env_sim_bytes(e);
    int32_t act[BATCH] = {0};
    double t0 = bench_now(), t;
    long steps = 0;
    do {
        for (int k = 0; k < 100; k++)
            if (tsim_env_step(e, act) != 0) exit(1);
        steps += 100;
        t = bench_now();
    } while (t - t0 < secs);
    tsim_env_destroy(e);
    return (double)steps * BATCH / (t - t0);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/jsplib/instances/Taillard1993/ta01js.txt";
    double secs = argc > 2 ? atof(argv[2]) : 1.0;
    struct tsim_jobshop *js;
    if (tsim_jobshop_read(path, &js) != 0) {
        fprintf(stderr, "bench_env: %s\n", tsim_errmsg());
        return 1;
    }
    /* Decisions per episode with slot 0, and the engine's time per decision. */
    struct tsim_env_config c;
    tsim_env_config_init(&c);
    c.autoreset = TSIM_ENV_NO_AUTORESET;
    struct tsim_env *e;
    tsim_env_create(js, &c, &e);
    struct tsim_env_buffers b;
    tsim_env_buffers(e, &b);
    int32_t a = 0;
    long dec = 0;
    do {
        tsim_env_step(e, &a);
        dec++;
    } while (!b.terminated[0]);
    tsim_env_destroy(e);
    int64_t ms;
    long eps = 0;
    double t0 = bench_cpu(), t;
    do {
        for (int k = 0; k < 100; k++) tsim_jobshop_dispatch(js, "FIFO", 1, NULL, &ms);
        eps += 100;
        t = bench_cpu();
    } while (t - t0 < secs);
    double engine_ns = (t - t0) * 1e9 / ((double)eps * (double)dec);

    size_t bytes = 0;
    double best[3] = {0, 0, 0};
    for (int rep = 0; rep < 3; rep++)
        for (int th = 1; th <= 2; th++) {
            double r = rate(js, th, secs, &bytes);
            if (r > best[th]) best[th] = r;
        }
    printf("environment, %s (%dx%d), batch %d, %ld decisions per episode:\n", path,
           tsim_jobshop_jobs(js), tsim_jobshop_machines(js), BATCH, dec);
    printf("  1 thread : %10.0f steps/s (goal 2,000,000 per core)\n", best[1]);
    printf("  2 threads: %10.0f steps/s (%.2fx)\n", best[2], best[2] / best[1]);
    printf("  memory per sim: %zu bytes\n", bytes);
    printf("  a step: %.0f ns, of which the engine (dispatch, per decision) %.0f ns, the "
           "environment's own part %.0f ns\n", 1e9 / best[1], engine_ns, 1e9 / best[1] - engine_ns);
    tsim_jobshop_destroy(js);
    return 0;
}
