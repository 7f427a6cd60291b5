/*
 * The model-file speed goals: (1) load and validate a generated model of 10,000 blocks (a long
 * line: source, 4,999 buffer + machine pairs, sink) in under a second; (2) run the serial line of
 * bench_models from YAML text and from the C API side by side: the YAML run, load included, may
 * be at most 10% slower. Both models carry the same block names in the same order, so their
 * random streams and their fingerprints must be equal too.
 * Usage: bench_yaml [PARTS] [SEED]
 */
#include "twinsim.h"

#include "bench_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LONG_LINE_BLOCKS 10000
#define SERIAL_MACHINES 10
#define SERIAL_CAPACITY 5

/* A growing text buffer; out of memory ends the program. */
struct text {
    char *s;
    size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap ? 2 * t->cap : 4096;
        t->s = realloc(t->s, t->cap);
        if (t->s == NULL) {
            abort();
        }
    }
}

static struct tsim_model *load(const struct text *t, const char *file)
{
    struct tsim_diags dg;
    tsim_diags_init(&dg);
    struct tsim_model *m = tsim_model_load(t->s, t->n, file, NULL, &dg);
    if (m == NULL || dg.errors > 0) {
        fprintf(stderr, "bench_yaml: %s does not load:\n", file);
        tsim_diags_print(&dg, file, stderr);
        exit(1);
    }
    tsim_diags_release(&dg);
    return m;
}

static void long_line(void)
{
    struct text t = {0};
    int pairs = (LONG_LINE_BLOCKS - 2) / 2;
    put(&t, "name: long-line\ntime_unit: min\nblocks:\n");
    put(&t, "  - source: arrivals\n    interarrival: exponential(1.0)\n    to: b1\n");
    for (int i = 1; i <= pairs; i++) {
        put(&t, "  - buffer: b%d\n    capacity: 10\n    to: m%d\n", i, i);
        put(&t, "  - machine: m%d\n    process: triangular(0.5, 0.8, 1.2)\n", i);
        if (i < pairs) {
            put(&t, "    to: b%d\n", i + 1);
        } else {
            put(&t, "    to: done\n");
        }
    }
    put(&t, "  - sink: done\n");

    /* The fastest of three, as for the runs below. */
    double s = 1e300;
    int blocks = 0;
    for (int k = 0; k < 3; k++) {
        double t0 = bench_now();
        struct tsim_model *m = load(&t, "long-line.yaml");
        int rc = tsim_model_validate(m);
        double dt = bench_now() - t0;
        if (rc != 0) {
            fprintf(stderr, "bench_yaml: long line does not validate: %s\n", tsim_errmsg());
            exit(1);
        }
        s = dt < s ? dt : s;
        blocks = tsim_model_block_count(m);
        tsim_model_destroy(m);
    }
    printf("yaml: load and validate a %d-block line (%zu bytes of YAML): %.3f s (goal < 1 s)\n",
           blocks, t.n, s);
    printf("RESULT engine=twinsim model=yaml_load blocks=%d bytes=%zu seconds=%.4f\n", blocks,
           t.n, s);
    free(t.s);
}

/* The serial line of bench_models, block for block. */
static void serial_yaml(struct text *t, uint64_t parts)
{
    put(t, "name: serial\ntime_unit: min\nblocks:\n");
    put(t, "  - source: release\n    interarrival: 0\n    limit: %" PRIu64 "\n    to: m1\n",
        parts);
    for (int i = 1; i <= SERIAL_MACHINES; i++) {
        put(t, "  - machine: m%d\n    process: exponential(1.0)\n", i);
        if (i < SERIAL_MACHINES) {
            put(t, "    to: b%d\n", i);
            put(t, "  - buffer: b%d\n    capacity: %d\n    to: m%d\n", i, SERIAL_CAPACITY, i + 1);
        } else {
            put(t, "    to: done\n");
        }
    }
    put(t, "  - sink: done\n");
}

static int check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_yaml: %s failed: %s (%s)\n", what, tsim_strerror(rc),
                tsim_errmsg());
        exit(1);
    }
    return rc;
}

static struct tsim_model *serial_c(uint64_t parts)
{
    char name[32];
    int mach[SERIAL_MACHINES], buf[SERIAL_MACHINES];
    struct tsim_dist zero, st;
    const double p0 = 0.0, p1 = 1.0;
    check(tsim_dist_init(&zero, TSIM_DIST_CONSTANT, &p0, 1), "dist");
    check(tsim_dist_init(&st, TSIM_DIST_EXPONENTIAL, &p1, 1), "dist");
    struct tsim_model *m = tsim_model_create("serial");
    int src = check(tsim_model_add_block(m, TSIM_SOURCE, "release"), "add source");
    for (int i = 0; i < SERIAL_MACHINES; i++) {
        snprintf(name, sizeof(name), "m%d", i + 1);
        mach[i] = check(tsim_model_add_block(m, TSIM_MACHINE, name), "add machine");
        if (i < SERIAL_MACHINES - 1) {
            snprintf(name, sizeof(name), "b%d", i + 1);
            buf[i] = check(tsim_model_add_block(m, TSIM_BUFFER, name), "add buffer");
        }
    }
    int sink = check(tsim_model_add_block(m, TSIM_SINK, "done"), "add sink");
    check(tsim_source_set_interarrival(m, src, &zero), "interarrival");
    check(tsim_source_set_limit(m, src, parts), "limit");
    check(tsim_route_to(m, src, mach[0]), "route");
    for (int i = 0; i < SERIAL_MACHINES; i++) {
        check(tsim_machine_set_process(m, mach[i], -1, &st), "process");
        if (i < SERIAL_MACHINES - 1) {
            check(tsim_buffer_set_capacity(m, buf[i], SERIAL_CAPACITY), "capacity");
            check(tsim_route_to(m, mach[i], buf[i]), "route");
            check(tsim_route_to(m, buf[i], mach[i + 1]), "route");
        } else {
            check(tsim_route_to(m, mach[i], sink), "route");
        }
    }
    return m;
}

/* Build (or load), create, run to the end and take the results; returns the wall time and
 * puts the CPU time in `*cpu`. */
static double run_once(int from_yaml, uint64_t parts, uint64_t seed, uint64_t *fingerprint,
                       uint64_t *events, double *cpu)
{
    double t0 = bench_now(), c0 = bench_cpu();
    struct tsim_model *m;
    if (from_yaml) {
        struct text t = {0};
        serial_yaml(&t, parts);
        m = load(&t, "serial.yaml");
        free(t.s);
    } else {
        m = serial_c(parts);
    }
    struct tsim_sim *sim = tsim_sim_create(m, seed, 0);
    if (sim == NULL) {
        check(TSIM_EMODEL, "tsim_sim_create");
    }
    tsim_sim_run(sim);
    struct tsim_result r;
    tsim_result_init(&r);
    tsim_sim_result(sim, &r);
    *fingerprint = r.fingerprint;
    *events = tsim_sim_events(sim);
    tsim_result_release(&r);
    tsim_sim_destroy(sim);
    tsim_model_destroy(m);
    *cpu = bench_cpu() - c0;
    return bench_now() - t0;
}

int main(int argc, char **argv)
{
    uint64_t parts = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000u;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1u;

    long_line();

    /* Alternate the two and keep each one's fastest of five, so that neither pays for a cold
     * cache or a noisy neighbour alone. */
    double best_c = 1e300, best_y = 1e300, cpu_c = 1e300, cpu_y = 1e300;
    uint64_t fp_c = 0, fp_y = 0, ev_c = 0, ev_y = 0;
    for (int k = 0; k < 5; k++) {
        double cc, cy;
        double c = run_once(0, parts, seed, &fp_c, &ev_c, &cc);
        double y = run_once(1, parts, seed, &fp_y, &ev_y, &cy);
        best_c = c < best_c ? c : best_c;
        best_y = y < best_y ? y : best_y;
        cpu_c = cc < cpu_c ? cc : cpu_c;
        cpu_y = cy < cpu_y ? cy : cpu_y;
    }
    double ratio = best_y / best_c, cpu_ratio = cpu_y / cpu_c;
    printf("yaml: serial line, %" PRIu64 " parts: from C %.3f s, from YAML %.3f s (load included),"
           " YAML/C %.3f wall, %.3f CPU (goal <= 1.10); events %" PRIu64 " / %" PRIu64
           "; fingerprints %s\n",
           parts, best_c, best_y, ratio, cpu_ratio, ev_c, ev_y, fp_c == fp_y ? "equal" : "DIFFER");
    printf("RESULT engine=twinsim model=yaml_vs_c c=%.4f yaml=%.4f ratio=%.4f cpu_ratio=%.4f"
           " same=%d\n",
           best_c, best_y, ratio, cpu_ratio, fp_c == fp_y);
    return 0;
}
