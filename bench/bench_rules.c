/*
 * The built-in sequencing rules' cost and the job shop's: `bench_rules [DIR]` prints
 *   - ns per decision of each built-in rule over 10 candidates (goal: under 100 ns), over 64
 *     candidate lists of random features taken in turn, so that no choice is known in advance;
 *   - the CPU seconds of every built-in rule on every Taillard instance in DIR (default
 *     tests/jsplib/instances/Taillard1993), one core (goal: all of ta01-ta80 under 5 s);
 *   - the same two for the learned rule of examples/ai/jobshop-policy.txt (docs/ai.md), when
 *     run from the source tree.
 */
#include "logic/rules.h"
#include "twinsim_logic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *const rules[] = {"FIFO",  "LIFO", "SPT",  "LPT",   "EDD",    "SLACK",
                                    "CR",    "MWKR", "LWKR", "MOPNR", "RANDOM",
                                    "weighted(proc=1, slack=0.5, ops=-2)"};
#define NR (sizeof rules / sizeof *rules)

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/jsplib/instances/Taillard1993";
    enum { SETS = 64, N = 10 };
    static struct tsim__cand c[SETS][N];
    struct tsim_rng rng;
    tsim_rng_seed(&rng, 1);
    for (int s = 0; s < SETS; s++)
        for (int i = 0; i < N; i++)
            c[s][i] = (struct tsim__cand){.seq = tsim_rng_next(&rng) >> 40,
                                         .arrival = 100 * tsim_rng_uniform(&rng),
                                         .proc = 1 + 99 * tsim_rng_uniform(&rng),
                                         .due = 1000 * tsim_rng_uniform(&rng),
                                         .work_left = 500 * tsim_rng_uniform(&rng),
                                         .ops_left = (double)(1 + tsim_rng_next(&rng) % 15),
                                         .job_work = 750 * tsim_rng_uniform(&rng),
                                         .next_proc = 99 * tsim_rng_uniform(&rng),
                                         .mach_work = 750 * tsim_rng_uniform(&rng),
                                         .next_work = 750 * tsim_rng_uniform(&rng),
                                         .next_free = 100 * tsim_rng_uniform(&rng),
                                         .next_queue = 200 * tsim_rng_uniform(&rng)};
    printf("%-40s %10s\n", "rule (10 candidates)", "ns/decision");
    const long reps = 4000000;
    for (size_t r = 0; r < NR; r++) {
        struct tsim__rule rl;
        char err[128];
        if (tsim__rule_parse(&rl, rules[r], err, sizeof err) != 0) return 1;
        size_t sum = 0;
        double t0 = cpu_now();
        for (long i = 0; i < reps; i++) sum += tsim__rule_choose(&rl, c[i & (SETS - 1)], N, 500, &rng);
        double t = cpu_now() - t0;
        printf("%-40s %10.1f   (checksum %zu)\n", rules[r], 1e9 * t / (double)reps, sum);
    }

    double total = 0;
    int count = 0;
    for (int k = 1; k <= 80; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/ta%02djs.txt", dir, k);
        struct tsim_jobshop *js;
        if (tsim_jobshop_read(path, &js) != 0) {
            fprintf(stderr, "%s\n", tsim_errmsg());
            return 1;
        }
        int64_t *start = malloc(tsim_jobshop_size(js) * sizeof *start);
        double t0 = cpu_now();
        for (size_t r = 0; r < NR - 1; r++) {
            int64_t ms;
            if (tsim_jobshop_dispatch(js, rules[r], 1, start, &ms) != 0) return 1;
        }
        total += cpu_now() - t0;
        count++;
        free(start);
        tsim_jobshop_destroy(js);
    }
    printf("jobshop: %d Taillard instances x %zu built-in rules in %.3f s CPU (goal < 5 s)\n",
           count, NR - 1, total);

    const char *policy = "policy:examples/ai/jobshop-policy.txt";
    struct tsim__rule rl;
    char err[512];
    if (tsim__rule_parse(&rl, policy, err, sizeof err) != 0) {
        printf("%s: not measured (%s)\n", policy, err);
        return 0;
    }
    const long preps = 200000;
    size_t sum = 0;
    double t0 = cpu_now();
    for (long i = 0; i < preps; i++) sum += tsim__rule_choose(&rl, c[i & (SETS - 1)], N, 500, &rng);
    double t = cpu_now() - t0;
    printf("%-40s %10.1f   (checksum %zu)\n", policy, 1e9 * t / (double)preps, sum);
    tsim__rule_release(&rl);
    total = 0;
    for (int k = 1; k <= 80; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/ta%02djs.txt", dir, k);
        struct tsim_jobshop *js;
        if (tsim_jobshop_read(path, &js) != 0) return 1;
        double t1 = cpu_now();
        int64_t ms;
        if (tsim_jobshop_dispatch(js, policy, 1, NULL, &ms) != 0) return 1;
        total += cpu_now() - t1;
        tsim_jobshop_destroy(js);
    }
    printf("jobshop: 80 Taillard instances with the learned rule in %.3f s CPU\n", total);
    return 0;
}
