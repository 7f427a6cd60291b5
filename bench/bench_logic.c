/*
 * The cost of one Lua routing rule call with 10 candidates (goal: under 1 us). The same model
 * runs twice: N entities leave a delay for one of 10 sinks, once by a round robin and once by a
 * Lua rule that picks the candidate holding the fewest entities (a loop over all 10). The
 * difference of the two runs' CPU times over N is the time of one call: the views' refresh, the
 * call, the count hook, the choice's check. A rule whose body is `return 1` is timed the same
 * way, which splits the call's fixed cost (the candidates' views refreshed, the hook set, the
 * call) from the rule's own loop over the candidates; and the same loop written to read each
 * candidate's field once (a local keeps the best one's), which shows what the reads cost.
 *
 * A Lua sequencing rule is timed the same way against the built-in rule it restates (SPT): ten
 * entities arrive at once every 10 time units at a buffer before one machine (which takes at
 * most 0.9 per entity, so the buffer is empty when the next ten come), and the rule is asked 15
 * times per arrival (counted with a counter in the rule's C function), over queues of 2 to 9
 * entities: as entities enter (the choice is then refused by the busy machine) and as the
 * machine frees.
 * Usage: bench_logic [N [VARIANT]]. With VARIANT (rr, lua, one, once, spt or lspt) it runs that
 * one model once and prints its fingerprint, for an instruction count (valgrind --tool=callgrind
 * --toggle-collect=run_text, the function that runs the model): the count of two runs of different N, over their difference in
 * calls, less the same for rr (or spt for lspt), is the instructions of one call.
 */
#include "twinsim.h"

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char head[] = "name: logic\n"
                           "blocks:\n"
                           "  - source: in\n"
                           "    interarrival: 1\n"
                           "    limit: %ld\n"
                           "    to: d\n"
                           "  - delay: d\n"
                           "    time: 0.5\n";

static const char seq_head[] = "name: seq\n"
                               "products: [a, b]\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 10\n"
                               "    batch: 10\n"
                               "    product: {a: 0.5, b: 0.5}\n"
                               "    limit: %ld\n"
                               "    to: q\n"
                               "  - buffer: q\n"
                               "%s"
                               "    to: m\n"
                               "  - machine: m\n"
                               "    process: {a: 0.8, b: 0.9}\n"
                               "    to: out\n"
                               "  - sink: out\n";

static double run_text(const char *text, unsigned long long *fp);

static double run(const char *route, long n, unsigned long long *fp)
{
    char text[4000];
    int k = snprintf(text, sizeof text, head, n);
    k += snprintf(text + k, sizeof text - (size_t)k, "%s", route);
    for (int i = 0; i < 10; i++) k += snprintf(text + k, sizeof text - (size_t)k, "  - sink: s%d\n", i);
    return run_text(text, fp);
}

/* The sequencing model of `calls` rule calls (15 per arrival of 10) with the buffer's `rule`. */
static double run_seq(const char *rule, long calls, unsigned long long *fp)
{
    char text[4000];
    snprintf(text, sizeof text, seq_head, calls / 15 * 10, rule);
    return run_text(text, fp);
}

static double run_text(const char *text, unsigned long long *fp)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, strlen(text), "logic.yaml", NULL, &d);
    if (!m) {
        tsim_diags_print(&d, "logic.yaml", stderr);
        exit(1);
    }
    tsim_diags_release(&d);
    struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
    double t0 = bench_cpu();
    tsim_sim_run(sim);
    double t = bench_cpu() - t0;
    if (tsim_sim_error(sim)) {
        fprintf(stderr, "%s\n", tsim_sim_error(sim));
        exit(1);
    }
    *fp = (unsigned long long)tsim_sim_fingerprint(sim);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    return t;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    static const char rr[] = "    to: {rule: round_robin, among: [s0, s1, s2, s3, s4, s5, s6, s7, "
                             "s8, s9]}\n";
    static const char lua[] = "    to:\n"
                              "      rule: lua\n"
                              "      among: [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9]\n"
                              "      lua: |\n"
                              "        local best = candidates[1]\n"
                              "        for i = 2, #candidates do\n"
                              "          local c = candidates[i]\n"
                              "          if c.content < best.content then best = c end\n"
                              "        end\n"
                              "        return best\n";
    static const char one[] = "    to:\n"
                              "      rule: lua\n"
                              "      among: [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9]\n"
                              "      lua: return 1\n";
    static const char once[] = "    to:\n"
                               "      rule: lua\n"
                               "      among: [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9]\n"
                               "      lua: |\n"
                               "        local best = candidates[1]\n"
                               "        local least = best.content\n"
                               "        for i = 2, #candidates do\n"
                               "          local c = candidates[i]\n"
                               "          local k = c.content\n"
                               "          if k < least then best, least = c, k end\n"
                               "        end\n"
                               "        return best\n";
    static const char spt[] = "    rule: SPT\n";
    static const char lua_spt[] = "    rule: lua\n"
                                  "    lua: |\n"
                                  "      local best = candidates[1]\n"
                                  "      local least = best.proc\n"
                                  "      for i = 2, #candidates do\n"
                                  "        local c = candidates[i]\n"
                                  "        local p = c.proc\n"
                                  "        if p < least then best, least = c, p end\n"
                                  "      end\n"
                                  "      return best\n";
    if (argc > 2) {
        static const char *const names[] = {"rr", "lua", "one", "once", "spt", "lspt"};
        const char *const texts[] = {rr, lua, one, once, spt, lua_spt};
        for (int v = 0; v < 6; v++) {
            if (strcmp(argv[2], names[v]) != 0) continue;
            unsigned long long fp;
            if (v < 4) run(texts[v], n, &fp);
            else run_seq(texts[v], n, &fp);
            printf("%s %ld: fingerprint %016llx\n", names[v], n, fp);
            return 0;
        }
        fprintf(stderr, "bench_logic: no variant '%s' (rr, lua, one, once, spt, lspt)\n", argv[2]);
        return 2;
    }
    unsigned long long f1, f2, f3, f4, f5, f6;
    double best_rr = 1e30, best_lua = 1e30, best_one = 1e30, best_once = 1e30;
    double best_spt = 1e30, best_lspt = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double a = run(rr, n, &f1), b = run(lua, n, &f2), c = run(one, n, &f3);
        double d = run(once, n, &f4), e = run_seq(spt, n, &f5), f = run_seq(lua_spt, n, &f6);
        if (a < best_rr) best_rr = a;
        if (b < best_lua) best_lua = b;
        if (c < best_one) best_one = c;
        if (d < best_once) best_once = d;
        if (e < best_spt) best_spt = e;
        if (f < best_lspt) best_lspt = f;
    }
    if (f5 != f6) {
        fprintf(stderr, "bench_logic: the Lua SPT's run differs from SPT's (%llx, %llx)\n", f6, f5);
        return 1;
    }
    printf("lua rule, 10 candidates: %.0f ns per call (goal < 1000; %ld calls; run %.3f s vs "
           "%.3f s by round robin, fastest of 3)\n",
           (best_lua - best_rr) / (double)n * 1e9, n, best_lua, best_rr);
    printf("  of which the fixed cost of a call (a rule 'return 1'): %.0f ns\n",
           (best_one - best_rr) / (double)n * 1e9);
    printf("  the same rule reading each candidate's content once: %.0f ns\n",
           (best_once - best_rr) / (double)n * 1e9);
    printf("lua sequencing rule (SPT restated, the same run), queues of 2-9: "
           "%.0f ns per decision more than built-in SPT (%ld decisions)\n",
           (best_lspt - best_spt) / (double)(n / 15 * 15) * 1e9, n / 15 * 15);
    return 0;
}
