/*
 * A clone of a running sim must own everything it runs on. Blocks that reach parts of their
 * state through pointers (a fleet's zone tables, a storage's slots, a conveyor's items) are the
 * risk: tsim_sim_clone copies the state, and a pointer copied with it still points into the
 * original. This test takes every model the project ships (examples/ and the models of the
 * command and difference tests), runs it to a quarter of its horizon, clones it, destroys the
 * original and scribbles over the freed memory, and does the same again at a half and three
 * quarters; the last clone must finish with exactly the results of a run never cloned: the
 * same fingerprint, event count and every KPI bit for bit. Under ASan a stale pointer is a
 * heap-use-after-free; without it, the scribbling changes the results.
 */
#include "check.h"

#include <dirent.h>

#include "twinsim.h"

#define MAX_MODELS 128

/* The model files of a folder, sorted, without experiment and mapping files. */
static int list_models(const char *dir, char names[][320], int n, int cap)
{
    DIR *d = opendir(dir);
    if (!d) return n;
    int first = n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < cap) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0) continue;
        if (strstr(e->d_name, ".experiment.") || strstr(e->d_name, ".mapping.")) continue;
        snprintf(names[n++], sizeof names[0], "%.60s/%.250s", dir, e->d_name);
    }
    closedir(d);
    qsort(names[first], (size_t)(n - first), sizeof names[0],
          (int (*)(const void *, const void *))strcmp);
    return n;
}

/* Fill freshly allocated memory with a pattern, so that memory the original freed and a stale
 * pointer still reads holds nonsense rather than the old values. */
static void scribble(void)
{
    enum { N = 256 };
    void *p[N];
    size_t size = 16;
    for (int i = 0; i < N; i++) {
        p[i] = malloc(size);
        if (p[i]) memset(p[i], 0xA5, size);
        size = size < 65536 ? size * 2 : 16;
    }
    for (int i = 0; i < N; i++) free(p[i]);
}

/* Returns 1 when the model ran (and was checked), 0 when it has no horizon to cut. */
static int check_model(const char *path)
{
    struct tsim_diags diags;
    tsim_diags_init(&diags);
    struct tsim_run_spec run;
    struct tsim_model *m = tsim_model_load_file(path, &run, &diags);
    if (!m) {
        fprintf(stderr, "  %s does not load:\n", path);
        tsim_diags_print(&diags, path, stderr);
        tsim_diags_release(&diags);
        CHECK(m != NULL);
        return 0;
    }
    tsim_diags_release(&diags);
    double horizon = run.horizon;
    /* tests/cli/models/endless.yaml runs for ten billion minutes on purpose (a test stops it
     * with a signal); every other model ends within a few seconds. */
    if (!(horizon > 0) || horizon > 1e7) {
        tsim_model_destroy(m);
        return 0;
    }
    const uint64_t seed = 20261205, rep = 3;
    struct tsim_sim *straight = tsim_sim_create(m, seed, rep);
    struct tsim_sim *cur = tsim_sim_create(m, seed, rep);
    CHECK(straight != NULL && cur != NULL);
    if (!straight || !cur) {
        fprintf(stderr, "  %s: %s\n", path, tsim_errmsg());
        tsim_sim_destroy(straight);
        tsim_sim_destroy(cur);
        tsim_model_destroy(m);
        return 0;
    }
    if (run.warmup > 0 && run.warmup < horizon) {
        CHECK(tsim_sim_set_warmup(straight, run.warmup) == 0);
        CHECK(tsim_sim_set_warmup(cur, run.warmup) == 0);
    }
    tsim_sim_run_until(straight, horizon);
    for (int cut = 1; cut <= 3; cut++) {
        tsim_sim_run_until(cur, horizon * cut / 4.0);
        struct tsim_sim *copy = tsim_sim_clone(cur);
        CHECK(copy != NULL);
        if (!copy) break;
        CHECK(tsim_sim_fingerprint(copy) == tsim_sim_fingerprint(cur));
        tsim_sim_destroy(cur);
        scribble();
        cur = copy;
    }
    tsim_sim_run_until(cur, horizon);
    struct tsim_result a, b;
    tsim_result_init(&a);
    tsim_result_init(&b);
    tsim_sim_result(straight, &a);
    tsim_sim_result(cur, &b);
    int same = same_results(&a, &b);
    if (!same)
        fprintf(stderr, "  %s: a thrice-cloned run differs from a straight one (fingerprint %016llx "
                        "against %016llx, %llu against %llu events)\n",
                path, (unsigned long long)b.fingerprint, (unsigned long long)a.fingerprint,
                (unsigned long long)b.events, (unsigned long long)a.events);
    CHECK(same);
    tsim_result_release(&a);
    tsim_result_release(&b);
    tsim_sim_destroy(cur);
    tsim_sim_destroy(straight);
    tsim_model_destroy(m);
    return 1;
}

static void test_clone_every_model(void)
{
    static char names[MAX_MODELS][320];
    int n = 0;
    n = list_models("examples", names, n, MAX_MODELS);
    n = list_models("tests/cli/models", names, n, MAX_MODELS);
    n = list_models("tests/diff/models", names, n, MAX_MODELS);
    n = list_models("tests/twin", names, n, MAX_MODELS);
    int checked = 0;
    for (int i = 0; i < n; i++) {
        fprintf(stderr, "  %s\n", names[i]);
        checked += check_model(names[i]);
    }
    /* The examples alone hold a dozen models with a horizon; finding none means the test ran
     * from the wrong folder, not that there is nothing to check. */
    CHECK(checked >= 12);
    fprintf(stderr, "  %d models cloned three times each\n", checked);
}

int main(void)
{
    RUN(test_clone_every_model);
    return CHECK_DONE();
}
