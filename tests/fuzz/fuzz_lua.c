/*
 * libFuzzer target for the Lua sandbox: the input is the code of a routing rule, of a Lua set
 * and of a buffer's sequencing rule (the same bytes, all three), attached to a small model with attributes and run for a bounded
 * stretch. Whatever the code does, the run must end, by itself, at the bound, or stopped with a
 * message (a compile error, the budget, the memory cap, a bad choice, a removed function), and
 * under ASan and UBSan nothing may crash or leak. Build and run with scripts/fuzz.sh.
 */
#include "logic/logic.h"
#include "twinsim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char model[] = "name: fuzz\n"
                            "products: [p, q]\n"
                            "attributes:\n"
                            "  - {name: n, type: integer, initial: 0}\n"
                            "  - {name: w, type: number, initial: 'uniform(1, 2)'}\n"
                            "  - {name: k, type: product}\n"
                            "blocks:\n"
                            "  - source: in\n"
                            "    interarrival: 1\n"
                            "    batch: 3\n"
                            "    limit: 20\n"
                            "    to: q\n"
                            "  - buffer: q\n"
                            "    to: m\n"
                            "  - machine: m\n"
                            "    process: 0.5\n"
                            "    set: {n: n + 1}\n"
                            "    to: {rule: round_robin, among: [a, b, c]}\n"
                            "  - sink: a\n"
                            "  - sink: b\n"
                            "  - sink: c\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *code = malloc(size + 1);
    memcpy(code, data, size);
    code[size] = '\0';
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(model, sizeof model - 1, "fuzz.yaml", NULL, &d);
    tsim_diags_release(&d);
    if (!m) abort(); /* the fixed model loads */
    struct tsim__logic_err e;
    int b = tsim_model_find_block(m, "m");
    int ok = tsim__lua_attach(m, b, TSIM__LUA_SET, code, 1, &e) == 0 &&
             tsim__lua_attach(m, b, TSIM__LUA_ROUTE, code, 1, &e) == 0 &&
             tsim__lua_attach(m, tsim_model_find_block(m, "q"), TSIM__LUA_SEQ, code, 1, &e) == 0;
    if (!ok && e.msg[0] == '\0') abort(); /* a refused rule says why */
    if (ok) {
        struct tsim_sim *sim = tsim_sim_create(m, 1, 0);
        tsim_sim_run_until(sim, 100);
        /* Run again from a clone: the clone makes its own Lua state. */
        struct tsim_sim *c = tsim_sim_clone(sim);
        tsim_sim_run_until(c, 200);
        if (tsim_sim_error(sim) && tsim_sim_error(sim)[0] == '\0') abort();
        tsim_sim_destroy(c);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
    free(code);
    return 0;
}
