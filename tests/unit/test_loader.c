/*
 * Model files: good models load into the right description; every bad model in tests/models/bad
 * gives exactly the diagnostics in its .expected file, word for word; tsim_model_set_param takes
 * the same values with the same words. Run from the repository root (tests/run.sh does).
 * TSIM_UPDATE_EXPECTED=1 rewrites the .expected files: do that only on purpose, and read the diff.
 */
#include "blocks/desc.h"
#include "check.h"
#include "twinsim.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

/* The diagnostics of loading `path`, as tsim_diags_print writes them; `*m` gets the model. */
static char *diags_of(const char *path, struct tsim_model **m, struct tsim_run_spec *run)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_run_spec r;
    struct tsim_model *mm = tsim_model_load_file(path, run ? run : &r, &d);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    tsim_diags_print(&d, path, f);
    fclose(f);
    if (mm && d.errors) CHECK(!"a model came back with errors");
    if (!mm && !d.errors) CHECK(!"no model and no error");
    tsim_diags_release(&d);
    if (m) *m = mm;
    else tsim_model_destroy(mm);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every tests/models/bad/NAME.yaml against NAME.expected; one PASS/FAIL line each. */
static void test_bad_models(void)
{
    const char *dir = "tests/models/bad";
    DIR *dp = opendir(dir);
    CHECK(dp != NULL);
    if (!dp) return;
    char *names[512];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && n < 512) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) names[n++] = strdup(de->d_name);
    }
    closedir(dp);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    int update = getenv("TSIM_UPDATE_EXPECTED") != NULL;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        char path[600], exp_path[600];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(exp_path, sizeof exp_path, "%s/%.*s.expected", dir,
                 (int)(strlen(names[i]) - 5), names[i]);
        char *got = diags_of(path, NULL, NULL);
        if (update) {
            FILE *f = fopen(exp_path, "w");
            fputs(got, f);
            fclose(f);
        }
        char *want = slurp(exp_path, NULL);
        int ok = want && strcmp(want, got) == 0 && got[0] != '\0';
        if (!ok) {
            fprintf(stderr, "  %s\n  expected:\n%s  got:\n%s", path, want ? want : "(no file)\n",
                    got);
            failed = 1;
        }
        printf("%s bad_model %s\n", ok ? "PASS" : "FAIL", names[i]);
        free(want);
        free(got);
        free(names[i]);
    }
    CHECK(n >= 45);
    CHECK(!failed);
}

/* An oversized model is refused before any parsing, both from memory and from a file. */
static void test_oversized(void)
{
    size_t len = TSIM_MODEL_MAX_BYTES + 1;
    char *big = malloc(len);
    memset(big, ' ', len);
    memcpy(big, "name: x\n", 8);
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim_model_load(big, len, "big.yaml", NULL, &d) == NULL);
    CHECK(d.n == 1 && d.errors == 1);
    if (d.n) CHECK_STR(d.items[0].message, "model file is too large (16777217 bytes; the limit is 16777216)");
    tsim_diags_release(&d);

    char path[] = "/tmp/tsim-big-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, big, len) == (ssize_t)len);
    close(fd);
    tsim_diags_init(&d);
    CHECK(tsim_model_load_file(path, NULL, &d) == NULL);
    CHECK(d.n == 1 && d.items[0].line == 0);
    if (d.n)
        CHECK_STR(d.items[0].message,
                  "model file is too large (more than 16777216 bytes; that is the limit)");
    tsim_diags_release(&d);
    unlink(path);

    /* Exactly at the limit is accepted (and is then just a YAML question). */
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(big, len - 1, "big.yaml", NULL, &d);
    CHECK(m == NULL); /* it has no blocks */
    CHECK(d.n == 1);
    if (d.n) CHECK_STR(d.items[0].message, "model has no 'blocks'");
    tsim_diags_release(&d);
    free(big);
}

/* A file cannot make the loader list problems without end, nor make the model builder allocate a
 * table per block and product beyond the cap. */
static void test_caps(void)
{
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    n += (size_t)sprintf(text + n, "blocks:\n  - source: s\n    interarrival: 1\n    to: k\n");
    for (int i = 0; i < 150; i++) n += (size_t)sprintf(text + n, "    key%d: 1\n", i);
    n += (size_t)sprintf(text + n, "  - sink: k\n");
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim_model_load(text, n, "t.yaml", NULL, &d) == NULL);
    CHECK(d.n == 101);
    if (d.n == 101) {
        CHECK_STR(d.items[0].message, "unknown key 'key0' in source 's'");
        CHECK_STR(d.items[100].message, "too many problems; stopping here");
        CHECK(d.items[100].line == 105);
    }
    tsim_diags_release(&d);

    n = (size_t)sprintf(text, "products: [");
    for (int i = 0; i < 2001; i++) n += (size_t)sprintf(text + n, "%sp%d", i ? ", " : "", i);
    n += (size_t)sprintf(text + n, "]\nblocks:\n  - source: s\n    interarrival: 1\n    to: k0\n");
    for (int i = 0; i < 1999; i++) n += (size_t)sprintf(text + n, "  - sink: k%d\n", i);
    tsim_diags_init(&d);
    CHECK(tsim_model_load(text, n, "t.yaml", NULL, &d) == NULL);
    CHECK(d.n == 1);
    if (d.n)
        CHECK_STR(d.items[0].message, "model is too large: 2000 blocks with 2001 products (the "
                                      "limit is 4000000 blocks times products)");
    tsim_diags_release(&d);
    free(text);
}

static void test_missing_file(void)
{
    char *got = diags_of("tests/models/no-such-model.yaml", NULL, NULL);
    CHECK_STR(got, "tests/models/no-such-model.yaml: error: cannot open "
                   "'tests/models/no-such-model.yaml': No such file or directory\n");
    free(got);
    got = diags_of("tests/models", NULL, NULL);
    CHECK_STR(got, "tests/models: error: cannot read 'tests/models': it is a directory\n");
    free(got);
}

static const struct tsim__block_desc *block(const struct tsim_model *m, const char *name)
{
    int b = tsim_model_find_block(m, name);
    CHECK(b >= 0);
    return b >= 0 ? &m->blocks[b] : &m->blocks[0];
}

/* The example from the format's documentation, checked field by field. */
static void test_bottling_line(void)
{
    struct tsim_model *m;
    struct tsim_run_spec run;
    char *got = diags_of("examples/bottling-line.yaml", &m, &run);
    CHECK_STR(got, "");
    free(got);
    CHECK(m != NULL);
    if (!m) return;
    CHECK_STR(tsim_model_name(m), "bottling-line");
    CHECK_STR(tsim_model_time_unit(m), "min");
    CHECK_NEAR(run.horizon, 960, 1e-12);
    CHECK_NEAR(m->start_clock, 6.0, 1e-12);
    CHECK_NEAR(run.warmup, 60, 1e-12);
    CHECK(run.warmup_auto == 0 && run.replications == 20 && run.seed == 1);
    CHECK(tsim_model_product_count(m) == 2);
    CHECK_STR(tsim_model_product_name(m, 1), "large");
    CHECK(m->nshifts == 1 && m->shifts[0].n == 2);
    if (m->nshifts == 1 && m->shifts[0].n == 2) {
        CHECK_NEAR(m->shifts[0].periods[0], 6, 1e-12);
        CHECK_NEAR(m->shifts[0].periods[1], 14, 1e-12);
        CHECK_NEAR(m->shifts[0].periods[2], 14.5, 1e-12);
        CHECK_NEAR(m->shifts[0].periods[3], 22, 1e-12);
    }
    CHECK(m->npools == 1 && m->pools[0].count == 2 && m->pools[0].shift == 0);
    CHECK(tsim_model_block_count(m) == 6);

    const struct tsim__block_desc *b = block(m, "arrivals");
    CHECK(b->type == TSIM_SOURCE && b->has_interarrival);
    CHECK(b->interarrival.kind == TSIM_DIST_EXPONENTIAL);
    CHECK_NEAR(b->interarrival.p[0], 1.2, 1e-12);
    CHECK(b->mix_n == 2);
    if (b->mix_n == 2) CHECK_NEAR(b->mix_cum[0], 0.7, 1e-12);
    CHECK(b->route.rule == TSIM_ROUTE_SINGLE && b->route.to[0] == 1);

    b = block(m, "filler_buffer");
    CHECK(b->capacity == 20 && b->discipline == TSIM_FIFO && b->drop == 0);

    b = block(m, "filler");
    CHECK(b->type == TSIM_MACHINE && b->servers == 1);
    CHECK(!b->process.has_default && b->process.n == 2);
    for (int i = 0; i < b->process.n; i++) {
        const struct tsim_dist *d = &b->process.dist[i];
        if (b->process.product[i] == 0) {
            CHECK(d->kind == TSIM_DIST_TRIANGULAR);
            CHECK_NEAR(d->p[1], 0.6, 1e-12);
            CHECK_NEAR(d->p[2], 0.9, 1e-12);
        } else {
            CHECK(d->kind == TSIM_DIST_CONSTANT);
            CHECK_NEAR(d->p[0], 0.9, 1e-12);
        }
    }
    CHECK(b->has_setup && b->setup.kind == TSIM_DIST_CONSTANT);
    CHECK_NEAR(b->setup.p[0], 20.0 / 60.0, 1e-12);
    CHECK(b->has_failures && b->between.kind == TSIM_DIST_EXPONENTIAL);
    CHECK_NEAR(b->between.p[0], 120, 1e-12);
    CHECK(b->repair.kind == TSIM_DIST_LOGNORMAL);
    CHECK_NEAR(b->repair.p[0], 10, 1e-12);
    CHECK_NEAR(b->repair.p[1], 4, 1e-12);
    CHECK(b->need.pool == 0 && b->need.count == 1 && b->need.for_mask == TSIM_NEED_REPAIR);
    CHECK_NEAR(b->scrap, 0.01, 1e-15);
    CHECK(b->shift == 0);
    CHECK(b->route.rule == TSIM_ROUTE_PROBABILITY && b->route.n == 2);
    if (b->route.n == 2) {
        CHECK_STR(tsim_model_block_name(m, b->route.to[0]), "capper");
        CHECK_NEAR(b->route.p[0], 0.9, 1e-12);
        CHECK_STR(tsim_model_block_name(m, b->route.to[1]), "rework");
    }

    b = block(m, "rework");
    CHECK(b->type == TSIM_DELAY && b->delay.kind == TSIM_DIST_UNIFORM);
    CHECK_NEAR(b->delay.p[1], 4, 1e-12);
    b = block(m, "capper");
    CHECK(b->process.has_default && b->process.dflt.kind == TSIM_DIST_CONSTANT);
    CHECK(block(m, "done")->type == TSIM_SINK);

    /* Block positions for later diagnostics: the type key of each block. */
    CHECK(m->block_line && m->block_col);
    if (m->block_line) {
        CHECK(m->block_line[0] == 12 && m->block_col[0] == 5);
        CHECK(m->block_line[5] == 36 && m->block_col[5] == 5);
    }
    CHECK(tsim_model_validate(m) == 0);
    tsim_model_destroy(m);
}

/* Every example loads with no diagnostic at all and validates. */
static void test_examples(void)
{
    const char *ex[] = {"examples/bottling-line.yaml", "examples/assembly-cell.yaml",
                        "examples/job-shop.yaml"};
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        struct tsim_model *m;
        char *got = diags_of(ex[i], &m, NULL);
        if (got[0]) fprintf(stderr, "  %s:\n%s", ex[i], got);
        CHECK_STR(got, "");
        CHECK(m && tsim_model_validate(m) == 0);
        free(got);
        tsim_model_destroy(m);
    }
}

static struct tsim_model *load_text(const char *text, struct tsim_diags *d,
                                    struct tsim_run_spec *run)
{
    tsim_diags_init(d);
    return tsim_model_load(text, strlen(text), "t.yaml", run, d);
}

/* Units convert to the model's time unit; defaults fill the run settings. */
static void test_units_and_defaults(void)
{
    struct tsim_diags d;
    struct tsim_run_spec run;
    struct tsim_model *m = load_text("time_unit: h\n"
                                     "resolution: 0.001s\n"
                                     "run: {warmup: auto}\n"
                                     "blocks:\n"
                                     "  - source: s\n"
                                     "    interarrival: uniform(30min, 1.5h)\n"
                                     "    limit: 100\n"
                                     "    batch: 2\n"
                                     "    due: 1d\n"
                                     "    to: d\n"
                                     "  - delay: d\n"
                                     "    time: erlang(3, 90s)\n"
                                     "    to: k\n"
                                     "  - sink: k\n",
                                     &d, &run);
    CHECK(m && d.n == 0);
    if (!m) {
        tsim_diags_print(&d, "t.yaml", stderr);
        tsim_diags_release(&d);
        return;
    }
    CHECK_STR(tsim_model_name(m), "t");
    CHECK_NEAR(m->ticks_per_unit, 3.6e6, 1e-3);
    CHECK(run.warmup_auto == 1 && run.horizon == 0 && run.replications == 10 && run.seed == 1);
    const struct tsim__block_desc *b = block(m, "s");
    CHECK_NEAR(b->interarrival.p[0], 0.5, 1e-12);
    CHECK_NEAR(b->interarrival.p[1], 1.5, 1e-12);
    CHECK(b->limit == 100 && b->batch == 2 && b->has_due);
    CHECK_NEAR(b->due.p[0], 24, 1e-12);
    b = block(m, "d");
    CHECK(b->delay.kind == TSIM_DIST_ERLANG);
    CHECK_NEAR(b->delay.p[0], 3, 0);
    CHECK_NEAR(b->delay.p[1], 90.0 / 3600.0, 1e-15);
    tsim_model_destroy(m);
    tsim_diags_release(&d);
}

/* Routes of every kind, calls inside flow collections, operators for several works, a night
 * shift across midnight, assembly and split. */
static void test_routes_and_flow_calls(void)
{
    struct tsim_diags d;
    struct tsim_model *m = load_text(
        "products: [a, b, c]\n"
        "shifts:\n"
        "  - {name: night, periods: [[\"22:00\", \"06:00\"]]}\n"
        "operators: [{name: techs, count: 3, shift: night}]\n"
        "blocks:\n"
        "  - {source: s, interarrival: \"exponential(1)\", product: {a: 0.5, b: 0.25, c: 0.25}, to: r}\n"
        "  - {split: r, into: 2, to: {by: product, a: m1, b: m2, c: asm}}\n"
        "  - machine: m1\n"
        "    process: {a: discrete(1: 0.25, 2min: 0.75), b: 1, c: 1}\n"
        "    needs: {techs: 2, for: [setup, repair]}\n"
        "    setup: 2\n"
        "    failures: {between: weibull(1.5, 8h), repair: pert(1, 2, 6)}\n"
        "    shift: night\n"
        "    to: {rule: shortest_queue, among: [q1, q2]}\n"
        "  - machine: m2\n"
        "    servers: 3\n"
        "    process: beta(2, 3, 1, 4)  # a comment, with (parentheses, and commas)\n"
        "    to: {rule: round_robin, among: [q1, q2]}\n"
        "  - {buffer: q1, capacity: 5, discipline: edd, when_full: drop, to: asm}\n"
        "  - {buffer: q2, capacity: unlimited, discipline: spt, to: asm}\n"
        "  - assembly: asm\n"
        "    parts: {a: 2, b: 1}\n"
        "    process: gamma(2, 0.5)\n"
        "    product: c\n"
        "    to: out\n"
        "  - sink: out\n",
        &d, NULL);
    if (!m) tsim_diags_print(&d, "t.yaml", stderr);
    CHECK(m && d.n == 0);
    if (!m) {
        tsim_diags_release(&d);
        return;
    }
    CHECK(m->nshifts == 1 && m->shifts[0].n == 2);
    if (m->shifts[0].n == 2) {
        CHECK_NEAR(m->shifts[0].periods[0], 0, 0);
        CHECK_NEAR(m->shifts[0].periods[1], 6, 0);
        CHECK_NEAR(m->shifts[0].periods[2], 22, 0);
        CHECK_NEAR(m->shifts[0].periods[3], 24, 0);
    }
    const struct tsim__block_desc *b = block(m, "r");
    CHECK(b->into == 2 && b->route.rule == TSIM_ROUTE_PRODUCT && b->route.n == 3);
    b = block(m, "m1");
    CHECK(b->need.count == 2 && b->need.for_mask == (TSIM_NEED_SETUP | TSIM_NEED_REPAIR));
    CHECK(b->route.rule == TSIM_ROUTE_SHORTEST_QUEUE && b->route.n == 2);
    CHECK(b->between.kind == TSIM_DIST_WEIBULL);
    CHECK_NEAR(b->between.p[1], 480, 1e-9);
    CHECK(b->shift == 0);
    for (int i = 0; i < b->process.n; i++) {
        if (b->process.product[i] != 0) continue;
        CHECK(b->process.dist[i].kind == TSIM_DIST_DISCRETE && b->process.dist[i].n == 2);
        CHECK_NEAR(b->process.dist[i].x[1], 2, 0);
    }
    b = block(m, "m2");
    CHECK(b->servers == 3 && b->process.dflt.kind == TSIM_DIST_BETA);
    CHECK(b->route.rule == TSIM_ROUTE_ROUND_ROBIN);
    b = block(m, "q1");
    CHECK(b->capacity == 5 && b->discipline == TSIM_EDD && b->drop == 1);
    b = block(m, "q2");
    CHECK(b->capacity == 0 && b->discipline == TSIM_SPT);
    b = block(m, "asm");
    CHECK(b->parts_n == 2 && b->out_product == 2);
    CHECK(tsim_model_validate(m) == 0);
    tsim_model_destroy(m);
    tsim_diags_release(&d);
}

/* tsim_model_set_param: the loader's values, by path, with the loader's words when wrong. */
static void test_set_param(void)
{
    struct tsim_model *m;
    char *got = diags_of("examples/bottling-line.yaml", &m, NULL);
    free(got);
    if (!m) {
        CHECK(m != NULL);
        return;
    }
    CHECK(tsim_model_set_param(m, "filler.servers", "2") == 0);
    CHECK(block(m, "filler")->servers == 2);
    CHECK(tsim_model_set_param(m, "filler_buffer.capacity", " 10 ") == 0);
    CHECK(block(m, "filler_buffer")->capacity == 10);
    CHECK(tsim_model_set_param(m, "filler_buffer.discipline", "lifo") == 0);
    CHECK(tsim_model_set_param(m, "filler_buffer.when_full", "drop") == 0);
    CHECK(block(m, "filler_buffer")->drop == 1);
    CHECK(tsim_model_set_param(m, "arrivals.interarrival", "exponential(30s)") == 0);
    CHECK_NEAR(block(m, "arrivals")->interarrival.p[0], 0.5, 1e-12);
    CHECK(tsim_model_set_param(m, "arrivals.limit", "1000") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.batch", "4") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.population", "3") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.product", "large") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.due", "2h") == 0);
    CHECK(tsim_model_set_param(m, "filler.process", "uniform(0.4, 0.8)") == 0);
    CHECK(tsim_model_set_param(m, "filler.process.large", "1.2") == 0);
    CHECK(tsim_model_set_param(m, "filler.setup", "10min") == 0);
    CHECK(tsim_model_set_param(m, "filler.scrap", "0.05") == 0);
    CHECK(tsim_model_set_param(m, "filler.shift", "day") == 0);
    CHECK(tsim_model_set_param(m, "filler.failures.between", "exponential(3h)") == 0);
    CHECK_NEAR(block(m, "filler")->between.p[0], 180, 1e-9);
    CHECK(block(m, "filler")->repair.kind == TSIM_DIST_LOGNORMAL);
    CHECK(tsim_model_set_param(m, "filler.failures.repair", "15min") == 0);
    CHECK(block(m, "filler")->repair.kind == TSIM_DIST_CONSTANT);
    CHECK(tsim_model_set_param(m, "rework.time", "triangular(1, 2, 3)") == 0);
    CHECK(tsim_model_set_param(m, "crew.count", "3") == 0);
    CHECK(m->pools[0].count == 3);

    CHECK(tsim_model_set_param(m, "filler.servers", "0") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.servers: 'servers' must be at least 1, got '0'");
    CHECK(tsim_model_set_param(m, "filler.capacty", "3") == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.capacty: unknown parameter 'capacty' of "
                             "machine 'filler'");
    CHECK(tsim_model_set_param(m, "filler_buffer.capacty", "3") == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler_buffer.capacty: unknown parameter "
                             "'capacty' of buffer 'filler_buffer' (did you mean 'capacity'?)");
    CHECK(tsim_model_set_param(m, "filer.servers", "3") == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filer.servers: unknown block or operators pool "
                             "'filer' (did you mean 'filler'?)");
    CHECK(tsim_model_set_param(m, "filler.process", "expo(1)") == TSIM_EPARSE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.process: unknown distribution 'expo'");
    CHECK(tsim_model_set_param(m, "filler.process.medium", "1") == TSIM_ENOENT);
    CHECK(tsim_model_set_param(m, "filler.process.larg", "1") == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.process.larg: undefined product 'larg' "
                             "(did you mean 'large'?)");
    CHECK(tsim_model_set_param(m, "filler.shift", "dai") == TSIM_ENOENT);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.shift: undefined shift 'dai' (did you "
                             "mean 'day'?)");
    CHECK(tsim_model_set_param(m, "filler.scrap", "1") == TSIM_ERANGE);
    CHECK(tsim_model_set_param(m, "filler_buffer.discipline", "fifi") == TSIM_EPARSE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler_buffer.discipline: unknown discipline "
                             "'fifi' (did you mean 'fifo'?)");
    CHECK(tsim_model_set_param(m, "crew.size", "3") == TSIM_ENOENT);
    CHECK(tsim_model_set_param(m, "crew.count", "0") == TSIM_ERANGE);
    CHECK(tsim_model_set_param(m, "capper.failures.between", "5") == TSIM_ENOENT);
    CHECK(tsim_model_set_param(m, "filler.to", "done") == TSIM_ENOENT);
    CHECK(tsim_model_set_param(m, "servers", "2") == TSIM_ENOENT);
    CHECK(tsim_model_validate(m) == 0);
    CHECK_EQ(tsim_model_error_block(m), -1);

    /* The block a path names, as the setter reads it; a pool or nothing is -1. */
    CHECK_EQ(tsim_model_param_block(m, "filler.process.large"), tsim_model_find_block(m, "filler"));
    CHECK_EQ(tsim_model_param_block(m, "filler_buffer.capacity"),
             tsim_model_find_block(m, "filler_buffer"));
    CHECK_EQ(tsim_model_param_block(m, "crew.count"), -1);
    CHECK_EQ(tsim_model_param_block(m, "filer.servers"), -1);
    CHECK_EQ(tsim_model_param_block(m, "servers"), -1);
    tsim_model_destroy(m);
}

/* A name with a dot: the first prefix that names a block decides, for the setter and for
 * tsim_model_param_block alike. */
static void test_param_block_dotted(void)
{
    struct tsim_model *m = tsim_model_create("dots");
    int src = tsim_model_add_block(m, TSIM_SOURCE, "in.a");
    int snk = tsim_model_add_block(m, TSIM_SINK, "out");
    CHECK(src >= 0 && snk >= 0);
    CHECK_EQ(tsim_model_param_block(m, "in.a.limit"), src);
    CHECK_EQ(tsim_model_param_block(m, "in.limit"), -1);
    CHECK_EQ(tsim_model_param_block(m, "out.x"), snk);
    /* No way out and no arrivals: validation fails at the source. */
    CHECK(tsim_model_validate(m) != 0);
    CHECK_EQ(tsim_model_error_block(m), src);
    tsim_model_destroy(m);
}

/* Every count at its limit loads and keeps its exact value: nothing is narrowed into a smaller
 * field on the way (tests/models/bad/limits_past.yaml has each one past its limit). */
static void test_limits_at(void)
{
    static const char text[] =
        "run: {horizon: 10, replications: 1000000000, seed: 9223372036854775807,\n"
        "      max_entities: 1000000000, max_instant_events: 1000000000000000}\n"
        "products: [a]\n"
        "operators:\n"
        "  - {name: crew, count: 1000000}\n"
        "blocks:\n"
        "  - source: in\n"
        "    interarrival: 1\n"
        "    limit: 9223372036854775807\n"
        "    batch: 1000000\n"
        "    population: 1000000\n"
        "    to: b1\n"
        "  - buffer: b1\n"
        "    capacity: 1000000000000\n"
        "    to: m1\n"
        "  - machine: m1\n"
        "    servers: 100000\n"
        "    process: 1\n"
        "    needs: {crew: 1000000}\n"
        "    to: s1\n"
        "  - split: s1\n"
        "    into: 1000000\n"
        "    to: a1\n"
        "  - assembly: a1\n"
        "    parts: {a: 1000000}\n"
        "    process: 1\n"
        "    to: done\n"
        "  - sink: done\n";
    struct tsim_diags d;
    struct tsim_run_spec run;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, sizeof text - 1, "at.yaml", &run, &d);
    CHECK(m != NULL && d.n == 0);
    tsim_diags_release(&d);
    if (!m) return;
    CHECK(run.replications == 1000000000);
    CHECK(run.seed == UINT64_C(9223372036854775807));
    CHECK(m->max_entities == 1000000000u);
    CHECK(m->max_instant_events == UINT64_C(1000000000000000));
    CHECK(m->pools[0].count == 1000000);
    CHECK(block(m, "in")->limit == UINT64_C(9223372036854775807));
    CHECK(block(m, "in")->batch == 1000000 && block(m, "in")->population == 1000000);
    CHECK(block(m, "b1")->capacity == UINT64_C(1000000000000));
    CHECK(block(m, "m1")->servers == 100000);
    CHECK(block(m, "m1")->need.count == 1000000);
    CHECK(block(m, "s1")->into == 1000000);
    CHECK(block(m, "a1")->parts_k[0] == 1000000);
    CHECK(tsim_model_validate(m) == 0);

    /* Servers of all machines together: 10 machines of 100,000 pass, one server more does not. */
    char name[16];
    int last = -1;
    for (int i = 0; i < 9; i++) {
        snprintf(name, sizeof name, "x%d", i);
        last = tsim_model_add_block(m, TSIM_MACHINE, name);
        CHECK(tsim_model_set_param(m, strcat(name, ".servers"), "100000") == 0);
        struct tsim_dist one;
        double v = 1;
        tsim_dist_init(&one, TSIM_DIST_CONSTANT, &v, 1);
        tsim_machine_set_process(m, last, -1, &one);
        tsim_route_to(m, last, tsim_model_find_block(m, "done"));
    }
    CHECK(tsim_model_validate(m) == 0);
    CHECK(tsim_model_set_param(m, "m1.servers", "1") == 0);
    CHECK(tsim_model_set_param(m, "x0.servers", "100000") == 0);
    int extra = tsim_model_add_block(m, TSIM_MACHINE, "x9");
    struct tsim_dist one;
    double v = 1;
    tsim_dist_init(&one, TSIM_DIST_CONSTANT, &v, 1);
    tsim_machine_set_process(m, extra, -1, &one);
    tsim_route_to(m, extra, tsim_model_find_block(m, "done"));
    CHECK(tsim_model_validate(m) == 0); /* 9 x 100,000 + 1 + 1 */
    CHECK(tsim_model_set_param(m, "x9.servers", "99999") == 0);
    CHECK(tsim_model_validate(m) == 0); /* exactly 1,000,000 */
    CHECK(tsim_model_set_param(m, "x9.servers", "100000") == 0);
    CHECK(tsim_model_validate(m) == TSIM_EMODEL);
    CHECK_STR(tsim_errmsg(), "tsim_model_validate: the machines have 1000001 servers in all, more "
                             "than 1000000");
    tsim_model_destroy(m);
}

/* What a user types too large is refused with the largest value that fits: on the command line
 * (`--set`) as in the file; and a change that would make a loaded model run without end, or
 * require more operators than its pool has, is refused where it is made. */
static void test_set_param_limits(void)
{
    struct tsim_model *m;
    char *got = diags_of("examples/bottling-line.yaml", &m, NULL);
    free(got);
    if (!m) {
        CHECK(m != NULL);
        return;
    }
    CHECK(tsim_model_set_param(m, "filler_buffer.capacity", "99999999999999999999") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler_buffer.capacity: 'capacity' must be at "
                             "most 1000000000000, got '99999999999999999999'");
    CHECK(tsim_model_set_param(m, "filler_buffer.capacity", "-99999999999999999999") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler_buffer.capacity: 'capacity' must be at "
                             "least 1, got '-99999999999999999999' (omit it for no limit)");
    CHECK(tsim_model_set_param(m, "filler.servers", "100001") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: filler.servers: 'servers' must be at most "
                             "100000, got '100001'");
    CHECK(tsim_model_set_param(m, "filler.servers", "100000") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.interarrival", "0") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: arrivals.interarrival: 'interarrival' of "
                             "source 'arrivals' has mean 0 and no 'limit', so it never ends");
    CHECK(tsim_model_set_param(m, "arrivals.interarrival", "1e-9") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: arrivals.interarrival: 'interarrival' has mean "
                             "1e-9 min, below the model's resolution (1e-6 min): set 'resolution' "
                             "or change the unit");
    CHECK(tsim_model_set_param(m, "filler.process.small", "uniform(0, 1e-7)") == TSIM_ERANGE);
    CHECK(tsim_model_set_param(m, "filler.failures.repair", "1e-7") == TSIM_ERANGE);
    CHECK(tsim_model_set_param(m, "arrivals.limit", "5") == 0);
    CHECK(tsim_model_set_param(m, "arrivals.interarrival", "0") == 0);
    CHECK(tsim_model_set_param(m, "crew.count", "1") == 0); /* filler needs 1 */
    CHECK(tsim_model_set_param(m, "filler.failures.between", "exponential(2h)") == 0);
    const struct tsim__block_desc *f = block(m, "filler");
    CHECK(tsim_machine_set_needs(m, f->index, 0, 1, TSIM_NEED_REPAIR) == 0);
    CHECK(tsim_model_set_param(m, "crew.count", "2") == 0);
    CHECK(tsim_machine_set_needs(m, f->index, 0, 2, TSIM_NEED_REPAIR) == 0);
    CHECK(tsim_model_set_param(m, "crew.count", "1") == TSIM_ERANGE);
    CHECK_STR(tsim_errmsg(), "tsim_model_set_param: crew.count: 'count' 1 of 'crew' is below the 2 "
                             "operators machine 'filler' needs");
    CHECK(tsim_model_validate(m) == 0);
    tsim_model_destroy(m);
}

/* A shift period from 24:00 starts at midnight (periods repeat daily): one period, one second
 * long, and no message about a period nobody wrote. */
static void test_shift_from_midnight(void)
{
    static const char text[] = "shifts:\n"
                               "  - {name: s, periods: [[\"24:00\", \"00:00:01\"]]}\n"
                               "blocks:\n"
                               "  - source: in\n"
                               "    interarrival: 1\n"
                               "    to: done\n"
                               "  - sink: done\n";
    struct tsim_diags d;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, sizeof text - 1, "s.yaml", NULL, &d);
    CHECK(m != NULL && d.n == 0);
    tsim_diags_release(&d);
    if (!m) return;
    CHECK(m->nshifts == 1 && m->shifts[0].n == 1);
    CHECK(m->shifts[0].periods[0] == 0.0);
    CHECK_NEAR(m->shifts[0].periods[1], 1.0 / 3600, 1e-15);
    tsim_model_destroy(m);
}

/* A file of more blocks than the cap is refused at the first one too many, before the YAML
 * document is built: a million sinks cost a scan, not the building of a million nodes. */
static void test_caps_before_building(void)
{
    size_t cap = 24u << 20, n = 0;
    char *text = malloc(cap);
    n += (size_t)sprintf(text + n, "blocks: [{source: s, interarrival: 1, to: k0}");
    for (int i = 0; i < 999999; i++) n += (size_t)sprintf(text + n, ",{sink: k%x}", i);
    n += (size_t)sprintf(text + n, "]\n");
    CHECK(n > (1u << 20) && n <= TSIM_MODEL_MAX_BYTES);
    struct tsim_diags d;
    tsim_diags_init(&d);
    CHECK(tsim_model_load(text, n, "t.yaml", NULL, &d) == NULL);
    CHECK(d.n == 1);
    if (d.n) {
        CHECK_STR(d.items[0].message, "more than 20000 blocks");
        /* The item past the cap: after the source and 20,000 sinks of 10 or 11 bytes. */
        CHECK(d.items[0].line == 1 && d.items[0].col > 200000);
    }
    tsim_diags_release(&d);

    /* Products likewise, in block style; and a long file within the caps still loads. */
    n = (size_t)sprintf(text, "products:\n");
    for (int i = 0; i < 10001; i++) n += (size_t)sprintf(text + n, "  - p%d\n", i);
    n += (size_t)sprintf(text + n, "description: '");
    while (n < (1u << 20) + 10) text[n++] = 'x';
    n += (size_t)sprintf(text + n, "'\nblocks:\n  - source: s\n    interarrival: 1\n    to: k\n"
                                   "  - sink: k\n");
    tsim_diags_init(&d);
    CHECK(tsim_model_load(text, n, "t.yaml", NULL, &d) == NULL);
    CHECK(d.n == 1);
    if (d.n) {
        CHECK_STR(d.items[0].message, "more than 10000 products");
        CHECK(d.items[0].line == 10002);
    }
    tsim_diags_release(&d);
    char *second = strstr(text, "  - p10000\n");
    memmove(second, second + 11, strlen(second + 11) + 1);
    n -= 11;
    tsim_diags_init(&d);
    struct tsim_model *m = tsim_model_load(text, n, "t.yaml", NULL, &d);
    CHECK(m != NULL && d.errors == 0);
    if (m) CHECK(m->nproducts == 10000);
    tsim_model_destroy(m);
    tsim_diags_release(&d);
    free(text);
}

/* Printing: places, severities, and problems with no place. */
static void test_diags_print(void)
{
    struct tsim_diags d;
    tsim_diags_init(&d);
    tsim_diags_add(&d, TSIM_ERROR, 3, 7, "bad '%s'", "x");
    tsim_diags_add(&d, TSIM_WARNING, 4, 0, "only a line");
    tsim_diags_add(&d, TSIM_ERROR, 0, 0, "nowhere");
    CHECK(d.n == 3 && d.errors == 2);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    tsim_diags_print(&d, "p.yaml", f);
    fclose(f);
    CHECK_STR(out, "p.yaml:3:7: error: bad 'x'\np.yaml:4: warning: only a line\n"
                   "p.yaml: error: nowhere\n");
    free(out);
    tsim_diags_release(&d);
    CHECK(d.n == 0 && d.items == NULL);
}

/* A loaded model runs: the examples are meant to be quick. */
static void test_examples_run(void)
{
    struct tsim_model *m;
    struct tsim_run_spec run;
    char *got = diags_of("examples/bottling-line.yaml", &m, &run);
    free(got);
    if (!m) {
        CHECK(m != NULL);
        return;
    }
    struct tsim_sim *sim = tsim_sim_create(m, run.seed, 0);
    CHECK(sim != NULL);
    if (sim) {
        tsim_sim_run_until(sim, run.horizon);
        CHECK(tsim_sim_events(sim) > 100);
        tsim_sim_destroy(sim);
    }
    tsim_model_destroy(m);
}

int main(void)
{
    RUN(test_diags_print);
    RUN(test_bad_models);
    RUN(test_oversized);
    RUN(test_caps);
    RUN(test_missing_file);
    RUN(test_bottling_line);
    RUN(test_examples);
    RUN(test_units_and_defaults);
    RUN(test_routes_and_flow_calls);
    RUN(test_set_param);
    RUN(test_param_block_dotted);
    RUN(test_limits_at);
    RUN(test_set_param_limits);
    RUN(test_shift_from_midnight);
    RUN(test_caps_before_building);
    RUN(test_examples_run);
    return CHECK_DONE();
}
